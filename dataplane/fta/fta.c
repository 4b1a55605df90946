/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The FTA verdict of one SS7 message (contract in fta.h, docs/fta.md
 * "Relay and verdicts").
 *
 * Cost model: one SCCP decode, one TCAP decode (skipped for a segment or
 * a message that is relayed on its called party alone), for a Begin one
 * MAP argument decode and one table lookup; the output is built once,
 * straight into the caller's record, with no intermediate copy of the
 * user data. The only loops are over the XUDT optional part and, at
 * init, the sort of the HLR GTs.
 */

#include <string.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/mtp3.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>

#include "fta.h"

/* Address indicator bits (Q.713 3.4.1). */
#define AI_PC 0x01
#define AI_SSN 0x02
#define AI_ROUTE_SSN 0x40
#define AI_GTI4 (4 << 2)
/* Encoding schemes (Q.713 3.4.2.3.3). */
#define ES_BCD_ODD 1
#define ES_BCD_EVEN 2
/* Party address: AI + PC + SSN + TT + NP/ES + NAI + 32 BCD digits. */
#define ADDR_MAX (1 + 2 + 1 + 3 + JITSIM_DIGITS_MAX / 2)
_Static_assert(ADDR_MAX == JITSIM_FTA_ADDR_MAX, "encoded address size");
/* A party address as received: its length is one octet (Q.713 3.4.1),
 * plus room for an inserted PC. */
#define RAW_ADDR_MAX (255 + 2)
/* Largest point code of the ITU variant (Q.704 2.2.2). */
#define PC_MAX 0x3fffu
/* Protocol class octet: class in bits 1-4, return option in bit 8 (Q.713 3.6). */
#define PCLASS_CLASS 0x0f

_Static_assert(JITSIM_SIG_DATA_MAX <= UINT16_MAX, "record length fits out->len");

static const char *const verdict_names[JITSIM_FTA_VERDICT_MAX] = {
#define JITSIM_FTA_VERDICT_NAME_(name, text) #name,
	JITSIM_FTA_VERDICTS(JITSIM_FTA_VERDICT_NAME_)
#undef JITSIM_FTA_VERDICT_NAME_
};

static const char *const drop_names[JITSIM_FTA_DROP_MAX] = {
#define JITSIM_FTA_DROP_NAME_(name, text) #name,
	JITSIM_FTA_DROPS(JITSIM_FTA_DROP_NAME_)
#undef JITSIM_FTA_DROP_NAME_
};

static const char *const drop_texts[JITSIM_FTA_DROP_MAX] = {
#define JITSIM_FTA_DROP_TEXT_(name, text) text,
	JITSIM_FTA_DROPS(JITSIM_FTA_DROP_TEXT_)
#undef JITSIM_FTA_DROP_TEXT_
};

const char *
jitsim_fta_verdict_str(enum jitsim_fta_verdict v)
{
	return (unsigned int)v < JITSIM_FTA_VERDICT_MAX ? verdict_names[v] : "UNKNOWN";
}

const char *
jitsim_fta_drop_str(enum jitsim_fta_drop d)
{
	return (unsigned int)d < JITSIM_FTA_DROP_MAX ? drop_names[d] : "UNKNOWN";
}

const char *
jitsim_fta_drop_text(enum jitsim_fta_drop d)
{
	return (unsigned int)d < JITSIM_FTA_DROP_MAX ? drop_texts[d] : "unknown reason";
}

/*
 * Operations a VLR, SGSN, GMSC or SMSC sends to an HLR (TS 29.002 17.5;
 * v1-only ones included): a Begin of one of these, to our address or to
 * the HLR function, is handled by the SIM's state. Anything else (what an
 * HLR sends to a VLR: CancelLocation, InsertSubscriberData, ...) is only
 * ever relayed as addressed.
 */
static const bool hlr_op[256] = {
	[2] = true,  /* updateLocation */
	[9] = true,  /* sendParameters (v1) */
	[10] = true, /* registerSS */
	[11] = true, /* eraseSS */
	[12] = true, /* activateSS */
	[13] = true, /* deactivateSS */
	[14] = true, /* interrogateSS */
	[15] = true, /* authenticationFailureReport */
	[17] = true, /* registerPassword */
	[19] = true, /* processUnstructuredSS-Data (v1) */
	[22] = true, /* sendRoutingInfo */
	[23] = true, /* updateGprsLocation */
	[24] = true, /* sendRoutingInfoForGprs */
	[25] = true, /* failureReport */
	[26] = true, /* noteMsPresentForGprs */
	[45] = true, /* sendRoutingInfoForSM */
	[47] = true, /* reportSM-DeliveryStatus */
	[54] = true, /* beginSubscriberActivity (v1) */
	[56] = true, /* sendAuthenticationInfo */
	[57] = true, /* restoreData */
	[58] = true, /* sendIMSI */
	[59] = true, /* processUnstructuredSS-Request */
	[62] = true, /* anyTimeSubscriptionInterrogation */
	[65] = true, /* anyTimeModification */
	[66] = true, /* readyForSM */
	[67] = true, /* purgeMS */
	[71] = true, /* anyTimeInterrogation */
	[85] = true, /* sendRoutingInfoForLCS */
};

/*
 * Sort the regions' HLR GTs by compact key so that a GT-routed called
 * party is matched with a binary search. GTs longer than a compact key
 * (over 16 digits) are not matched: they only get the default route.
 */
static void
gt_index_build(struct jitsim_fta *f)
{
	const struct jitsim_fta_cfg *c = f->cfg;

	f->n_gt = 0;
	for (unsigned int r = 0; r < JITSIM_FTA_REGIONS; r++) {
		uint64_t k;
		unsigned int i;

		if (!c->hlr[r].set || c->hlr[r].gt.n == 0)
			continue;
		k = jitsim_digits_key(&c->hlr[r].gt);
		if (k == 0)
			continue;
		/* Insertion sort; a GT shared by regions counts for the lowest. */
		for (i = f->n_gt; i > 0 && f->gt_key[i - 1] > k; i--) {
			f->gt_key[i] = f->gt_key[i - 1];
			f->gt_region[i] = f->gt_region[i - 1];
		}
		if (i > 0 && f->gt_key[i - 1] == k) {
			/* Undo the shift: keep the earlier region. */
			for (; i < f->n_gt; i++) {
				f->gt_key[i] = f->gt_key[i + 1];
				f->gt_region[i] = f->gt_region[i + 1];
			}
			continue;
		}
		f->gt_key[i] = k;
		f->gt_region[i] = (uint16_t)r;
		f->n_gt++;
	}
}

/* Region whose HLR GT is @gt, or -1. */
static int
gt_index_find(const struct jitsim_fta *f, const struct jitsim_digits *gt)
{
	uint64_t k = jitsim_digits_key_inline(gt);
	unsigned int lo = 0, hi = f->n_gt;

	if (k == 0)
		return -1;
	while (lo < hi) {
		unsigned int mid = (lo + hi) / 2;

		if (f->gt_key[mid] < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < f->n_gt && f->gt_key[lo] == k ? f->gt_region[lo] : -1;
}

static size_t addr_put(const struct jitsim_fta_cfg *c, uint16_t pc, uint8_t ssn,
		       const struct jitsim_digits *gt, uint8_t *o);

static void
addr_cache(const struct jitsim_fta_cfg *c, const struct jitsim_fta_hlr *h,
	   struct jitsim_fta_addr *a)
{
	a->len = h->set ? (uint8_t)addr_put(c, h->pc, h->ssn, &h->gt, a->b) : 0;
}

void
jitsim_fta_init(struct jitsim_fta *f, const struct jitsim_fta_cfg *cfg,
		const struct jitsim_table_imsi *imsi, const struct jitsim_table_msisdn *msisdn,
		uint16_t lcore)
{
	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->imsi = imsi;
	f->msisdn = msisdn;
	f->lcore = lcore;
	gt_index_build(f);
	for (unsigned int r = 0; r < JITSIM_FTA_REGIONS; r++)
		addr_cache(cfg, &cfg->hlr[r], &f->hlr_addr[r]);
	addr_cache(cfg, &cfg->default_hlr, &f->default_addr);
	f->own_addr.len =
		(uint8_t)addr_put(cfg, cfg->own_pc, cfg->own_ssn, &cfg->own_gt, f->own_addr.b);
}

/* Where a called party points, seen from us. */
enum addr_kind {
	ADDR_OWN,   /* our node */
	ADDR_HLRFN, /* a GT of the HLR function that is not ours (MGT, HLR GT) */
	ADDR_OTHER, /* someone else */
};

static bool
gt_equal(const struct jitsim_digits *a, const struct jitsim_digits *b)
{
	return a->n > 0 && a->n == b->n && memcmp(a->d, b->d, a->n) == 0;
}

static enum addr_kind
addr_classify(const struct jitsim_fta_cfg *c, const struct jitsim_sccp_addr *a)
{
	if (a->route_on_ssn || a->gti == 0)
		/* Without a PC the MTP DPC, ours since we got it, is meant. */
		return !a->has_pc || a->pc == c->own_pc ? ADDR_OWN : ADDR_OTHER;
	if (gt_equal(&a->digits, &c->own_gt))
		return ADDR_OWN;
	if (!a->has_ssn || a->ssn == c->own_ssn)
		return ADDR_HLRFN;
	return ADDR_OTHER;
}

/* Q.713 3.4.2.3.1: BCD, low nibble first, filler 0 after an odd count. */
static size_t
put_bcd(const struct jitsim_digits *d, uint8_t *o)
{
	for (size_t i = 0; i < d->n; i += 2) {
		unsigned int lo = (unsigned int)(d->d[i] - '0');
		unsigned int hi = i + 1 < d->n ? (unsigned int)(d->d[i + 1] - '0') : 0;

		o[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (d->n + 1u) / 2u;
}

/*
 * Encode an address of ours or of an HLR: GT (GTI 4) + SSN routed on GT
 * when @gt has digits, else PC + SSN routed on SSN. The digits are
 * decimal (checked when configured). Returns the length (<= ADDR_MAX).
 */
static size_t
addr_put(const struct jitsim_fta_cfg *c, uint16_t pc, uint8_t ssn, const struct jitsim_digits *gt,
	 uint8_t *o)
{
	if (gt->n == 0) {
		o[0] = AI_ROUTE_SSN | AI_SSN | AI_PC;
		o[1] = (uint8_t)pc;
		o[2] = (uint8_t)(pc >> 8);
		o[3] = ssn;
		return 4;
	}
	o[0] = AI_GTI4 | AI_SSN;
	o[1] = ssn;
	o[2] = c->gt_tt;
	o[3] = (uint8_t)(c->gt_np << 4 | ((gt->n & 1) ? ES_BCD_ODD : ES_BCD_EVEN));
	o[4] = c->gt_nai & 0x7f;
	return 5 + put_bcd(gt, o + 5);
}

/*
 * The calling party as received, with the OPC inserted when it is routed
 * on SSN without a PC (Q.714 2.7.5): the far end would otherwise answer
 * to the OPC it sees, which becomes ours. Q.713 3.4.2: the PC comes right
 * after the indicator. @o has RAW_ADDR_MAX octets. Returns the length.
 */
static size_t
calling_put(struct jitsim_fta *f, const uint8_t *raw, size_t len, uint32_t opc, uint8_t *o)
{
	if ((raw[0] & (AI_ROUTE_SSN | AI_PC)) != AI_ROUTE_SSN || opc > PC_MAX || len + 2 > 255) {
		memcpy(o, raw, len);
		return len;
	}
	o[0] = raw[0] | AI_PC;
	o[1] = (uint8_t)opc;
	o[2] = (uint8_t)(opc >> 8);
	memcpy(o + 3, raw + 1, len - 1);
	f->st.pc_inserted++;
	return len + 2;
}

/* The pieces of a connectionless message to write (Q.713 4.10-4.19). */
struct sccp_parts {
	uint8_t type;
	uint8_t f1; /* protocol class or return cause */
	bool x;	    /* XUDT/XUDTS: hop counter and optional-part pointer */
	uint8_t hops;
	const uint8_t *called;
	size_t called_len;
	const uint8_t *calling;
	size_t calling_len;
	const uint8_t *data;
	size_t data_len;
	const uint8_t *opt; /* optional part up to and with EOP, NULL if none */
	size_t opt_len;
};

/* Write @m into @o (@cap bytes); false if it does not fit or a pointer
 * would not fit its octet. */
static bool
sccp_compose(const struct sccp_parts *m, uint8_t *o, size_t cap, size_t *out_len)
{
	size_t fixed = m->x ? 3 : 2, nptr = m->x ? 4 : 3, pos = fixed + nptr;
	size_t total = pos + 1 + m->called_len + 1 + m->calling_len + 1 + m->data_len +
		       (m->opt != NULL ? m->opt_len : 0);

	if (total > cap || m->data_len > 255 || m->called_len > 255 || m->calling_len > 255)
		return false;
	/*
	 * Q.713 2.3: the data pointer (the largest mandatory one) is
	 * nptr - 2 + 1 + called_len + 1 + calling_len from its own octet; a
	 * long address (GT digits the decoder does not interpret) must not
	 * wrap it into a pointer to bytes a peer chose.
	 */
	if (nptr + m->called_len + m->calling_len > 255)
		return false;
	/* Q.713 2.4: the optional part pointer counts from its own octet. */
	if (m->opt != NULL && total - m->opt_len - (fixed + 3) > 255)
		return false;
	o[0] = m->type;
	o[1] = m->f1;
	if (m->x)
		o[2] = m->hops;
	/* Q.713 2.3: each pointer counts from its own octet. */
	o[fixed] = (uint8_t)(pos - fixed);
	o[pos++] = (uint8_t)m->called_len;
	memcpy(o + pos, m->called, m->called_len);
	pos += m->called_len;
	o[fixed + 1] = (uint8_t)(pos - fixed - 1);
	o[pos++] = (uint8_t)m->calling_len;
	memcpy(o + pos, m->calling, m->calling_len);
	pos += m->calling_len;
	o[fixed + 2] = (uint8_t)(pos - fixed - 2);
	o[pos++] = (uint8_t)m->data_len;
	memcpy(o + pos, m->data, m->data_len);
	pos += m->data_len;
	if (m->x) {
		if (m->opt != NULL) {
			o[fixed + 3] = (uint8_t)(pos - fixed - 3);
			memcpy(o + pos, m->opt, m->opt_len);
			pos += m->opt_len;
		} else {
			o[fixed + 3] = 0;
		}
	}
	*out_len = pos;
	return true;
}

/* What one message turned out to be, carried through the helpers. */
struct fta_msg {
	const struct jitsim_fta_in *in;
	struct jitsim_sccp sccp;
	const uint8_t *raw_calling; /* calling party address, without its length octet */
	size_t raw_calling_len;
	const uint8_t *opt; /* XUDT(S) optional part, with EOP */
	size_t opt_len;
	bool x;		     /* XUDT or XUDTS */
	bool ret;	     /* UDTS or XUDTS */
	enum addr_kind kind; /* of the called party */
	struct jitsim_tcap tcap;
	uint64_t imsi;
	uint16_t region;
	uint8_t state;
};

/*
 * Raw positions in a message jitsim_sccp_decode() accepted (pointers and
 * lengths are known to be in bounds): the calling party and the optional
 * part, copied as they are when relaying.
 */
static void
sccp_locate(struct fta_msg *m)
{
	const uint8_t *p = m->in->data;
	size_t fixed = m->x ? 3 : 2, at = fixed + 1 + p[fixed + 1];

	m->raw_calling = p + at + 1;
	m->raw_calling_len = p[at];
	m->opt = NULL;
	m->opt_len = 0;
	if (m->x && p[fixed + 3] != 0) {
		size_t start = fixed + 3 + p[fixed + 3], off = start;

		/* The decoder walked it to its EOP already. */
		while (p[off] != JITSIM_SCCP_PARAM_EOP)
			off += 2u + p[off + 1];
		m->opt = p + start;
		m->opt_len = off + 1 - start;
	}
}

/* Fill the header of @out for a message to send. */
static void
out_send(struct jitsim_fta *f, const struct fta_msg *m, uint32_t dpc, uint32_t now_s,
	 struct jitsim_sig_msg *out)
{
	memset(out, 0, JITSIM_SIG_HDR_SIZE);
	out->kind = JITSIM_SIG_SEND;
	out->sim_state = m->state;
	out->opc = f->cfg->own_pc;
	out->dpc = dpc;
	out->si = JITSIM_MTP3_SI_SCCP;
	out->ni = f->cfg->ni;
	out->mp = m->in->mp;
	out->sls = m->in->sls;
	out->assoc = JITSIM_SIG_ASSOC_ROUTE;
	out->lcore = f->lcore;
	out->ts_s = now_s;
	out->region = m->region;
	out->imsi = m->imsi;
}

/*
 * Relay the message with @called (NULL: the one received) to @dpc.
 * Calling party kept (PC inserted, see calling_put()), user data and
 * optional part copied, XUDT hop counter decremented.
 */
static enum jitsim_fta_drop
relay(struct jitsim_fta *f, const struct fta_msg *m, const uint8_t *called, size_t called_len,
      uint32_t dpc, uint32_t now_s, struct jitsim_sig_msg *out)
{
	const uint8_t *p = m->in->data;
	uint8_t calling[RAW_ADDR_MAX];
	struct sccp_parts sp;
	size_t len;

	if (dpc == f->cfg->own_pc)
		return JITSIM_FTA_DROP_LOOP;
	memset(&sp, 0, sizeof(sp));
	sp.type = m->sccp.msg_type;
	sp.f1 = p[1];
	sp.x = m->x;
	if (m->x) {
		/* Q.714 2.3.2: decremented at each relay; at zero, discarded. */
		if (m->sccp.hop_counter <= 1)
			return JITSIM_FTA_DROP_HOP_COUNTER;
		sp.hops = (uint8_t)(m->sccp.hop_counter - 1);
	}
	if (called == NULL) {
		size_t fixed = m->x ? 3 : 2, at = fixed + p[fixed];

		called = p + at + 1;
		called_len = p[at];
	}
	sp.called = called;
	sp.called_len = called_len;
	sp.calling = calling;
	sp.calling_len = calling_put(f, m->raw_calling, m->raw_calling_len, m->in->opc, calling);
	sp.data = m->sccp.data;
	sp.data_len = m->sccp.data_len;
	sp.opt = m->opt;
	sp.opt_len = m->opt_len;
	if (!sccp_compose(&sp, out->data, JITSIM_SIG_DATA_MAX, &len))
		return JITSIM_FTA_DROP_TOO_BIG;
	out_send(f, m, dpc, now_s, out);
	out->len = (uint16_t)len;
	return JITSIM_FTA_DROP_NONE;
}

/* Relay to an HLR (@a: its encoded address): called party rewritten. */
static enum jitsim_fta_drop
relay_hlr(struct jitsim_fta *f, const struct fta_msg *m, const struct jitsim_fta_hlr *h,
	  const struct jitsim_fta_addr *a, uint32_t now_s, struct jitsim_sig_msg *out)
{
	return relay(f, m, a->b, a->len, h->pc, now_s, out);
}

/*
 * Relay as addressed: the called PC, else the PC of the region whose HLR
 * GT it is, else the default route.
 */
static enum jitsim_fta_drop
relay_back(struct jitsim_fta *f, const struct fta_msg *m, uint32_t now_s,
	   struct jitsim_sig_msg *out)
{
	const struct jitsim_sccp_addr *a = &m->sccp.called;
	enum jitsim_fta_drop d;
	int r;

	if (a->has_pc && a->pc != f->cfg->own_pc) {
		d = relay(f, m, NULL, 0, a->pc, now_s, out);
		if (d == JITSIM_FTA_DROP_NONE)
			f->st.back_pc++;
		return d;
	}
	if (a->gti != 0 && (r = gt_index_find(f, &a->digits)) >= 0) {
		d = relay(f, m, NULL, 0, f->cfg->hlr[r].pc, now_s, out);
		if (d == JITSIM_FTA_DROP_NONE) {
			f->st.back_hlr_gt++;
			f->st.region[r]++;
		}
		return d;
	}
	if (!f->cfg->has_default_route)
		return JITSIM_FTA_DROP_NO_ROUTE;
	d = relay(f, m, NULL, 0, f->cfg->default_route, now_s, out);
	if (d == JITSIM_FTA_DROP_NONE)
		f->st.back_default++;
	return d;
}

/* The message unchanged, for jitsim-cp. */
static enum jitsim_fta_drop
to_cp(struct jitsim_fta *f, const struct fta_msg *m, uint32_t now_s, struct jitsim_sig_msg *out)
{
	const struct jitsim_fta_in *in = m->in;

	if (in->len > JITSIM_SIG_DATA_MAX)
		return JITSIM_FTA_DROP_TOO_BIG;
	memset(out, 0, JITSIM_SIG_HDR_SIZE);
	out->kind = JITSIM_SIG_FTA_IN;
	out->sim_state = m->state;
	out->len = (uint16_t)in->len;
	out->opc = in->opc;
	out->dpc = in->dpc;
	out->si = in->si;
	out->ni = in->ni;
	out->mp = in->mp;
	out->sls = in->sls;
	out->assoc = in->assoc;
	out->lcore = f->lcore;
	out->seq = ++f->seq;
	out->ts_s = now_s;
	out->region = m->region;
	out->imsi = m->imsi;
	memcpy(out->data, in->data, in->len);
	return JITSIM_FTA_DROP_NONE;
}

/*
 * TCAP End with ReturnError cfg.locked_error for invoke @c, to the
 * calling party, from our own address. An AARQ is answered with an AARE
 * of the same context (X.227: a dialogue opened with one is accepted or
 * refused with the other).
 */
static enum jitsim_fta_drop
answer_locked(struct jitsim_fta *f, const struct fta_msg *m, const struct jitsim_tcap_component *c,
	      uint32_t now_s, struct jitsim_sig_msg *out)
{
	const struct jitsim_fta_cfg *cfg = f->cfg;
	/* End + dtid + AARE (~50 octets) + one ReturnError: 128 is ample. */
	uint8_t tbuf[128], called[RAW_ADDR_MAX];
	struct jitsim_wbuf w;
	struct jitsim_tcap t;
	struct sccp_parts sp;
	size_t len;

	if (m->in->opc == cfg->own_pc)
		return JITSIM_FTA_DROP_LOOP;
	if (!m->tcap.has_otid)
		return JITSIM_FTA_DROP_ANSWER_FAILED;
	memset(&t, 0, sizeof(t));
	t.type = JITSIM_TCAP_END;
	t.has_dtid = true;
	t.dtid = m->tcap.otid;
	t.dtid_len = m->tcap.otid_len;
	if (m->tcap.has_dialogue && m->tcap.dialogue_pdu == JITSIM_TCAP_AARQ) {
		t.has_dialogue = true;
		t.map_ac = m->tcap.map_ac;
		t.map_version = m->tcap.map_version;
	}
	t.n_comp = 1;
	t.comp[0].type = JITSIM_TCAP_ERROR;
	t.comp[0].has_invoke_id = true;
	t.comp[0].invoke_id = c->invoke_id;
	t.comp[0].has_error = true;
	t.comp[0].error = cfg->locked_error;
	jitsim_wbuf_init(&w, tbuf, sizeof(tbuf), sizeof(tbuf));
	if (jitsim_tcap_encode(&w, &t) != JITSIM_R_OK)
		return JITSIM_FTA_DROP_ANSWER_FAILED;

	memset(&sp, 0, sizeof(sp));
	sp.type = JITSIM_SCCP_UDT;
	/* Same class (sequencing), no return option: a lost answer is the
	 * VLR's timer's business, not a reason to send us an UDTS. */
	sp.f1 = m->sccp.pclass & PCLASS_CLASS;
	sp.called = called;
	sp.called_len = calling_put(f, m->raw_calling, m->raw_calling_len, m->in->opc, called);
	sp.calling = f->own_addr.b;
	sp.calling_len = f->own_addr.len;
	sp.data = jitsim_wbuf_data(&w);
	sp.data_len = jitsim_wbuf_len(&w);
	if (!sccp_compose(&sp, out->data, JITSIM_SIG_DATA_MAX, &len))
		return JITSIM_FTA_DROP_ANSWER_FAILED;
	out_send(f, m, m->in->opc, now_s, out);
	out->assoc = m->in->assoc;
	out->len = (uint16_t)len;
	return JITSIM_FTA_DROP_NONE;
}

/* TCAP failures that still leave a usable message. */
static bool
tcap_usable(enum jitsim_reason r)
{
	/* Components past the eighth are not needed for a verdict. */
	return r == JITSIM_R_OK || r == JITSIM_R_TCAP_TOO_MANY_COMPONENTS;
}

static bool
tid_is_cp(uint32_t tid, uint8_t len)
{
	return len == 4 && (tid >> 24) == JITSIM_FTA_TID_TAG;
}

/*
 * Unknown IMSI or no identity. Addressed to a configured HLR's GT: relayed
 * there as addressed (the VLR chose that HLR). Otherwise the configured
 * policy: not relayed on an MGT's default route, since an STP that routes
 * our IMSI ranges to us would send it straight back.
 */
static enum jitsim_fta_verdict
unknown(struct jitsim_fta *f, const struct fta_msg *m, enum jitsim_fta_drop why, uint32_t now_s,
	struct jitsim_sig_msg *out, enum jitsim_fta_drop *d)
{
	if (m->kind == ADDR_HLRFN && gt_index_find(f, &m->sccp.called.digits) >= 0) {
		*d = relay_back(f, m, now_s, out);
		return *d == JITSIM_FTA_DROP_NONE ? JITSIM_FTA_RELAY_BACK : JITSIM_FTA_DROP;
	}
	if (f->cfg->unknown != JITSIM_FTA_UNKNOWN_RELAY || !f->cfg->default_hlr.set) {
		*d = why;
		return JITSIM_FTA_DROP;
	}
	*d = relay_hlr(f, m, &f->cfg->default_hlr, &f->default_addr, now_s, out);
	if (*d != JITSIM_FTA_DROP_NONE)
		return JITSIM_FTA_DROP;
	f->st.to_default_hlr++;
	return JITSIM_FTA_RELAY_HLR;
}

/* A Begin of an HLR operation: by the SIM's state. */
static enum jitsim_fta_verdict
begin_hlr_op(struct jitsim_fta *f, struct fta_msg *m, const struct jitsim_tcap_component *c,
	     uint32_t now_s, struct jitsim_sig_msg *out, enum jitsim_fta_drop *d)
{
	struct jitsim_map_ids ids;
	struct jitsim_table_sim sim;
	enum jitsim_reason r;
	uint64_t key = 0;
	unsigned int st;

	r = jitsim_map_decode_invoke(c->opcode, c->param, c->param_len, &ids);
	if (r != JITSIM_R_OK) {
		f->st.codec[r]++;
		*d = JITSIM_FTA_DROP_MAP;
		return JITSIM_FTA_DROP;
	}
	if (ids.has_imsi) {
		key = jitsim_digits_key_inline(&ids.imsi);
	} else if (ids.has_msisdn && f->msisdn != NULL) {
		uint64_t mk = jitsim_digits_key_inline(&ids.msisdn);

		if (mk != 0) {
			f->st.msisdn_lookups++;
			key = jitsim_table_msisdn_lookup(f->msisdn, mk);
			if (key == 0)
				return unknown(f, m, JITSIM_FTA_DROP_UNKNOWN_IMSI, now_s, out, d);
		}
	}
	if (key == 0)
		return unknown(f, m, JITSIM_FTA_DROP_NO_IMSI, now_s, out, d);
	m->imsi = key;
	f->st.lookups++;
	if (!jitsim_table_imsi_lookup(f->imsi, key, &sim))
		return unknown(f, m, JITSIM_FTA_DROP_UNKNOWN_IMSI, now_s, out, d);
	st = jitsim_table_sw_state(sim.sw);
	m->state = (uint8_t)st;
	m->region = sim.region;
	switch (st) {
	case JITSIM_SIM_ACTIVE: {
		const struct jitsim_fta_hlr *h =
			sim.region < JITSIM_FTA_REGIONS ? &f->cfg->hlr[sim.region] : NULL;
		const struct jitsim_fta_addr *a = h != NULL ? &f->hlr_addr[sim.region] : NULL;
		bool dflt = h == NULL || !h->set;

		if (dflt) {
			if (!f->cfg->default_hlr.set) {
				*d = JITSIM_FTA_DROP_NO_HLR;
				return JITSIM_FTA_DROP;
			}
			h = &f->cfg->default_hlr;
			a = &f->default_addr;
		}
		*d = relay_hlr(f, m, h, a, now_s, out);
		if (*d != JITSIM_FTA_DROP_NONE)
			return JITSIM_FTA_DROP;
		if (dflt)
			f->st.to_default_hlr++;
		else
			f->st.region[sim.region]++;
		return JITSIM_FTA_RELAY_HLR;
	}
	case JITSIM_SIM_INVENTORY:
	case JITSIM_SIM_SLEEPING:
	case JITSIM_SIM_ACTIVATING:
	case JITSIM_SIM_REACTIVATING:
		*d = to_cp(f, m, now_s, out);
		if (*d != JITSIM_FTA_DROP_NONE)
			return JITSIM_FTA_DROP;
		f->st.to_cp_state[st]++;
		return JITSIM_FTA_TO_CP;
	case JITSIM_SIM_LOCKED:
	case JITSIM_SIM_BLOCKED:
		*d = answer_locked(f, m, c, now_s, out);
		if (*d != JITSIM_FTA_DROP_NONE)
			return JITSIM_FTA_DROP;
		f->st.locked_state[st]++;
		return JITSIM_FTA_ANSWER_LOCKED;
	default:
		/* RETIRED (or a value from a newer writer): not served here. */
		return unknown(f, m, JITSIM_FTA_DROP_UNKNOWN_IMSI, now_s, out, d);
	}
}

/*
 * A message to the HLR function that cannot be handled by state (a
 * segment, bad TCAP, no HLR operation): relayed as addressed only to a
 * configured HLR's GT. An MGT goes nowhere: the STP routes our ranges'
 * MGTs to us, so the default route would bring it straight back.
 */
static enum jitsim_fta_verdict
hlrfn_fallback(struct jitsim_fta *f, const struct fta_msg *m, enum jitsim_fta_drop why,
	       uint32_t now_s, struct jitsim_sig_msg *out, enum jitsim_fta_drop *d)
{
	if (m->kind == ADDR_HLRFN && gt_index_find(f, &m->sccp.called.digits) >= 0) {
		*d = relay_back(f, m, now_s, out);
		return *d == JITSIM_FTA_DROP_NONE ? JITSIM_FTA_RELAY_BACK : JITSIM_FTA_DROP;
	}
	*d = why;
	return JITSIM_FTA_DROP;
}

/* The first Invoke with a local operation code, or NULL. */
static const struct jitsim_tcap_component *
first_invoke(const struct jitsim_tcap *t)
{
	for (unsigned int i = 0; i < t->n_comp; i++)
		if (t->comp[i].type == JITSIM_TCAP_INVOKE && t->comp[i].has_opcode &&
		    t->comp[i].has_invoke_id)
			return &t->comp[i];
	return NULL;
}

static enum jitsim_fta_verdict
decide(struct jitsim_fta *f, struct fta_msg *m, uint32_t now_s, struct jitsim_sig_msg *out,
       enum jitsim_fta_drop *d)
{
	const struct jitsim_fta_in *in = m->in;
	const struct jitsim_tcap_component *c;
	enum addr_kind kind;
	enum jitsim_reason r;

	if (in->si != JITSIM_MTP3_SI_SCCP) {
		*d = JITSIM_FTA_DROP_NOT_SCCP;
		return JITSIM_FTA_DROP;
	}
	r = jitsim_sccp_decode(in->data, in->len, &m->sccp);
	if (r != JITSIM_R_OK) {
		f->st.codec[r]++;
		*d = r == JITSIM_R_SCCP_UNSUPPORTED ? JITSIM_FTA_DROP_SCCP_UNSUPPORTED
						    : JITSIM_FTA_DROP_SCCP;
		return JITSIM_FTA_DROP;
	}
	/*
	 * TCAP never comes from SCCP management (Q.713 5.1: SSN 1 carries
	 * SCMG messages only); an answer or a relay would address TCAP to a
	 * peer's SCMG, which no decoder - ours included - accepts.
	 */
	if (m->sccp.calling.has_ssn && m->sccp.calling.ssn == JITSIM_SSN_SCMG) {
		*d = JITSIM_FTA_DROP_SCCP_UNSUPPORTED;
		return JITSIM_FTA_DROP;
	}
	switch (m->sccp.msg_type) {
	case JITSIM_SCCP_UDT:
		break;
	case JITSIM_SCCP_UDTS:
		m->ret = true;
		break;
	case JITSIM_SCCP_XUDT:
		m->x = true;
		break;
	case JITSIM_SCCP_XUDTS:
		m->x = m->ret = true;
		break;
	default:
		/* LUDT(S): two-octet pointers, never seen on M3UA links here. */
		*d = JITSIM_FTA_DROP_SCCP_UNSUPPORTED;
		return JITSIM_FTA_DROP;
	}
	if (m->ret)
		f->st.returned++;
	sccp_locate(m);
	kind = m->kind = addr_classify(f->cfg, &m->sccp.called);

	/* Not for us: nothing above SCCP matters. */
	if (kind == ADDR_OTHER)
		goto back;
	if (m->sccp.has_segmentation && !(m->sccp.seg_first && m->sccp.seg_remaining == 0))
		return hlrfn_fallback(f, m, JITSIM_FTA_DROP_SEGMENTED, now_s, out, d);
	r = jitsim_tcap_decode(m->sccp.data, m->sccp.data_len, &m->tcap);
	if (r != JITSIM_R_OK)
		f->st.codec[r]++;
	if (!tcap_usable(r))
		return hlrfn_fallback(f, m, JITSIM_FTA_DROP_TCAP, now_s, out, d);

	if (m->ret) {
		/* A message of ours came back: jitsim-cp's dialogue if its otid
		 * is jitsim-cp's (a Begin or Continue it sent). */
		if (kind == ADDR_OWN && m->tcap.has_otid &&
		    tid_is_cp(m->tcap.otid, m->tcap.otid_len))
			goto cp;
		return hlrfn_fallback(f, m, JITSIM_FTA_DROP_RETURNED, now_s, out, d);
	}

	switch (m->tcap.type) {
	case JITSIM_TCAP_BEGIN:
		c = first_invoke(&m->tcap);
		if (c != NULL && hlr_op[c->opcode] && (!m->tcap.has_dialogue || m->tcap.is_map_acn))
			return begin_hlr_op(f, m, c, now_s, out, d);
		return hlrfn_fallback(f, m, JITSIM_FTA_DROP_NOT_HLR_OP, now_s, out, d);
	case JITSIM_TCAP_CONTINUE:
	case JITSIM_TCAP_END:
	case JITSIM_TCAP_ABORT:
		/* jitsim-cp's dialogues first: a VLR may keep addressing the
		 * MGT it began with after our first Continue. */
		if (m->tcap.has_dtid && tid_is_cp(m->tcap.dtid, m->tcap.dtid_len))
			goto cp;
		/* Never toward the default route: the STP sends our MGTs
		 * back to us, and a UDT has no hop counter. */
		if (kind == ADDR_HLRFN)
			return hlrfn_fallback(f, m, JITSIM_FTA_DROP_DIALOGUE_NO_ROUTE, now_s, out,
					      d);
		/* A VLR continuing a relayed dialogue through our address. */
		if (!f->cfg->default_hlr.set) {
			*d = JITSIM_FTA_DROP_DIALOGUE_NO_ROUTE;
			return JITSIM_FTA_DROP;
		}
		*d = relay_hlr(f, m, &f->cfg->default_hlr, &f->default_addr, now_s, out);
		if (*d != JITSIM_FTA_DROP_NONE)
			return JITSIM_FTA_DROP;
		f->st.to_default_hlr++;
		return JITSIM_FTA_RELAY_HLR;
	default:
		/* Unidirectional: no dialogue to answer or relay statelessly. */
		return hlrfn_fallback(f, m, JITSIM_FTA_DROP_UNIDIRECTIONAL, now_s, out, d);
	}

cp:
	*d = to_cp(f, m, now_s, out);
	if (*d != JITSIM_FTA_DROP_NONE)
		return JITSIM_FTA_DROP;
	f->st.to_cp_dialogue++;
	return JITSIM_FTA_TO_CP;
back:
	*d = relay_back(f, m, now_s, out);
	return *d == JITSIM_FTA_DROP_NONE ? JITSIM_FTA_RELAY_BACK : JITSIM_FTA_DROP;
}

enum jitsim_fta_verdict
jitsim_fta_process(struct jitsim_fta *f, const struct jitsim_fta_in *in, uint32_t now_s,
		   struct jitsim_sig_msg *out, enum jitsim_fta_drop *drop)
{
	enum jitsim_fta_drop d = JITSIM_FTA_DROP_NONE;
	enum jitsim_fta_verdict v;
	struct fta_msg m;

	/* The TCAP struct is only filled when decoded: no need to clear it. */
	m.in = in;
	m.x = m.ret = false;
	m.imsi = 0;
	m.region = 0;
	m.state = JITSIM_FTA_STATE_NONE;
	v = decide(f, &m, now_s, out, &d);
	f->st.msgs++;
	f->st.verdict[v]++;
	if (v == JITSIM_FTA_DROP)
		f->st.drop[d]++;
	if (drop != NULL)
		*drop = d;
	return v;
}
