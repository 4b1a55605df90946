/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Whole TC messages of one MAP dialogue for the First Time Attach endpoint
 * (ITU-T Q.771 3.2 dialogue handling, Q.773 message formats, 3GPP TS 29.002
 * 15.6 / 15.7.2: the dialogue portion travels in the Begin (AARQ) and in
 * the first answer (AARE) only), the TC Abort, and the SCCP answer UDT.
 */

#include <stdio.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map_fta.h>

/* Our transaction IDs: always 4 octets (Q.773 4.1.2 allows 1..4). */
#define OWN_TID_LEN 4

/* dialogue-as-id 0.0.17.773.1.1.1 (Q.773 4.2.2). */
static const uint8_t oid_dialogue_as_id[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};
/* protocol-version [0] BIT STRING { version1 } (Q.773 Table 49). */
static const uint8_t proto_version1[] = {0x80, 0x02, 0x07, 0x80};
/* AARE result [2] reject-permanent(1) (Q.773 Table 49, X.227). */
static const uint8_t aare_reject_permanent[] = {0xa2, 0x03, 0x02, 0x01, 0x01};
/* result-source-diagnostic [3] dialogue-service-user [1] application-context-name-not-supported(2).
 */
static const uint8_t aare_diag_acn_not_supported[] = {0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x02};

enum jitsim_reason
jitsim_map_fta_dialogue_answer(struct jitsim_map_fta_dialogue *d, const struct jitsim_tcap *begin,
			       uint32_t own_tid)
{
	memset(d, 0, sizeof(*d));
	if (begin->type != JITSIM_TCAP_BEGIN || !begin->has_otid || begin->otid_len == 0 ||
	    begin->otid_len > 4)
		return JITSIM_R_BAD_PARAM;
	d->own_tid = own_tid;
	d->peer_tid = begin->otid;
	d->peer_tid_len = begin->otid_len;
	if (!begin->has_dialogue)
		return JITSIM_R_OK; /* MAP v1: no dialogue portion either way */
	if (begin->dialogue_pdu != JITSIM_TCAP_AARQ)
		return JITSIM_R_BAD_PARAM;
	if (!begin->is_map_acn || begin->map_ac == 0 || begin->map_ac > 127 ||
	    begin->map_version == 0 || begin->map_version > 127)
		return JITSIM_R_TCAP_NOT_MAP;
	d->map_ac = begin->map_ac;
	d->map_version = begin->map_version;
	d->aare_pending = true;
	return JITSIM_R_OK;
}

void
jitsim_map_fta_dialogue_begin(struct jitsim_map_fta_dialogue *d, uint32_t own_tid, uint8_t map_ac,
			      uint8_t map_version)
{
	memset(d, 0, sizeof(*d));
	d->own_tid = own_tid;
	d->map_ac = map_ac;
	d->map_version = map_ac != 0 ? map_version : 0;
}

enum jitsim_reason
jitsim_map_fta_dialogue_peer(struct jitsim_map_fta_dialogue *d, const struct jitsim_tcap *answer)
{
	if (answer->type != JITSIM_TCAP_CONTINUE || !answer->has_otid || answer->otid_len == 0 ||
	    answer->otid_len > 4 || !answer->has_dtid || answer->dtid != d->own_tid)
		return JITSIM_R_BAD_PARAM;
	d->peer_tid = answer->otid;
	d->peer_tid_len = answer->otid_len;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_map_fta_tc_encode(struct jitsim_wbuf *w, struct jitsim_map_fta_dialogue *d, uint8_t type,
			 const struct jitsim_tcap_component *comp, unsigned int n)
{
	struct jitsim_tcap t;
	enum jitsim_reason r;

	if (n > JITSIM_TCAP_MAX_COMPONENTS || (n > 0 && comp == NULL))
		return JITSIM_R_BAD_PARAM;
	memset(&t, 0, offsetof(struct jitsim_tcap, comp));
	t.type = type;
	switch (type) {
	case JITSIM_TCAP_BEGIN:
		t.has_dialogue = d->map_ac != 0;
		break;
	case JITSIM_TCAP_CONTINUE:
	case JITSIM_TCAP_END:
		if (d->peer_tid_len == 0)
			return JITSIM_R_BAD_PARAM;
		t.has_dtid = true;
		t.dtid = d->peer_tid;
		t.dtid_len = d->peer_tid_len;
		t.has_dialogue = d->aare_pending && d->map_ac != 0;
		break;
	default:
		return JITSIM_R_BAD_PARAM;
	}
	if (type != JITSIM_TCAP_END) {
		t.has_otid = true;
		t.otid = d->own_tid;
		t.otid_len = OWN_TID_LEN;
	}
	t.map_ac = d->map_ac;
	t.map_version = d->map_version;
	t.n_comp = (uint8_t)n;
	if (n > 0)
		memcpy(t.comp, comp, n * sizeof(*comp));
	r = jitsim_tcap_encode(w, &t);
	if (r == JITSIM_R_OK && type != JITSIM_TCAP_BEGIN)
		d->aare_pending = false;
	return r;
}

/* Identifier + length octets for @p len contents (X.690 8.1.3, shortest form). */
static size_t
hdr_size(size_t len)
{
	if (len < 0x80)
		return 2;
	if (len < 0x100)
		return 3;
	return 4;
}

size_t
jitsim_map_fta_tc_size(const struct jitsim_map_fta_dialogue *d, uint8_t type, unsigned int n,
		       size_t params_len)
{
	/*
	 * Per component at most: its header (2), invoke ID (3), opcode or
	 * error code (3), the ReturnResult SEQUENCE header (2); two more for
	 * each of the two headers around a parameter of 128 octets or more.
	 */
	size_t comps = params_len + n * (params_len >= 0x80 ? 14 : 10), size, dlg = 0;
	bool dialogue;

	size = n > 0 ? comps + hdr_size(comps) : 0;
	dialogue = type == JITSIM_TCAP_BEGIN ? d->map_ac != 0 : d->aare_pending && d->map_ac != 0;
	if (dialogue) {
		/*
		 * AARQ: 6b 28 (06 07 ..) a0 60 (80 02 07 80) a1 09 (06 07 ..)
		 * = 32; AARE adds result (5) and diagnostic (7).
		 */
		dlg = 32 + (type == JITSIM_TCAP_BEGIN ? 0 : 12);
	}
	size += dlg;
	if (type != JITSIM_TCAP_END)
		size += 2 + OWN_TID_LEN;
	if (type != JITSIM_TCAP_BEGIN)
		size += 2 + (d->peer_tid_len ? d->peer_tid_len : 4);
	return size + hdr_size(size);
}

/* Prepend raw octets. */
static enum jitsim_reason
put_raw(struct jitsim_wbuf *w, const void *p, size_t n)
{
	uint8_t *o = jitsim_wbuf_prepend(w, n);

	if (o == NULL)
		return JITSIM_R_NOSPACE;
	memcpy(o, p, n);
	return JITSIM_R_OK;
}

static enum jitsim_reason
close_hdr(struct jitsim_wbuf *w, uint8_t id, size_t mark)
{
	return jitsim_ber_prepend_hdr(w, id, mark - w->head);
}

/*
 * Dialogue portion of a refusal: AARE-apdu { protocol-version,
 * application-context-name (the one proposed), result reject-permanent,
 * result-source-diagnostic dialogue-service-user
 * application-context-name-not-supported } (Q.773 4.2.2, Table 49).
 */
static enum jitsim_reason
put_refusal(struct jitsim_wbuf *w, const struct jitsim_map_fta_dialogue *d)
{
	const uint8_t acn[] = {0x04, 0x00, 0x00, 0x01, 0x00, d->map_ac, d->map_version};
	size_t mark = w->head;
	enum jitsim_reason r;

	r = put_raw(w, aare_diag_acn_not_supported, sizeof(aare_diag_acn_not_supported));
	if (r == JITSIM_R_OK)
		r = put_raw(w, aare_reject_permanent, sizeof(aare_reject_permanent));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x06, acn, sizeof(acn));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_hdr(w, 0xa1, sizeof(acn) + 2);
	if (r == JITSIM_R_OK)
		r = put_raw(w, proto_version1, sizeof(proto_version1));
	if (r == JITSIM_R_OK)
		r = close_hdr(w, JITSIM_TCAP_AARE, mark);
	if (r == JITSIM_R_OK)
		r = close_hdr(w, 0xa0, mark);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x06, oid_dialogue_as_id, sizeof(oid_dialogue_as_id));
	/* EXTERNAL (X.690 8.18), inside dialoguePortion [APPLICATION 11]. */
	if (r == JITSIM_R_OK)
		r = close_hdr(w, 0x28, mark);
	if (r == JITSIM_R_OK)
		r = close_hdr(w, 0x6b, mark);
	return r;
}

enum jitsim_reason
jitsim_map_fta_tc_abort(struct jitsim_wbuf *w, const struct jitsim_map_fta_dialogue *d,
			bool refuse_acn, uint8_t p_abort_cause)
{
	size_t saved = w->head;
	uint8_t tid[4];
	enum jitsim_reason r;

	if (d->peer_tid_len == 0 || d->peer_tid_len > 4 ||
	    (d->peer_tid_len < 4 && d->peer_tid >> (8 * d->peer_tid_len) != 0))
		return JITSIM_R_BAD_PARAM;
	if (refuse_acn &&
	    (d->map_ac == 0 || d->map_ac > 127 || d->map_version == 0 || d->map_version > 127))
		return JITSIM_R_BAD_PARAM;
	if (refuse_acn)
		r = put_refusal(w, d);
	else
		/* p-abortCause [APPLICATION 10] IMPLICIT P-AbortCause (Q.773 Table 50). */
		r = jitsim_ber_prepend_tlv(w, 0x4a, &p_abort_cause, 1);
	for (unsigned int i = 0; i < d->peer_tid_len; i++)
		tid[i] = (uint8_t)(d->peer_tid >> (8 * (d->peer_tid_len - 1 - i)));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x49, tid, d->peer_tid_len);
	if (r == JITSIM_R_OK)
		r = close_hdr(w, JITSIM_TCAP_ABORT, saved);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

enum jitsim_reason
jitsim_map_fta_sccp_answer(struct jitsim_wbuf *w, const struct jitsim_sccp *req,
			   const struct jitsim_sccp_addr *own)
{
	struct jitsim_sccp s;

	if (req->msg_type != JITSIM_SCCP_UDT && req->msg_type != JITSIM_SCCP_XUDT &&
	    req->msg_type != JITSIM_SCCP_LUDT)
		return JITSIM_R_BAD_PARAM;
	/*
	 * Q.713 5.1: SSN 1 is SCCP management, which takes SCMG messages
	 * only; TCAP addressed to it is an answer no peer (our decoder
	 * included) can read. The dataplane drops such requests on arrival
	 * (fta.c); this keeps every other caller from answering one.
	 */
	if (req->calling.has_ssn && req->calling.ssn == JITSIM_SSN_SCMG)
		return JITSIM_R_BAD_PARAM;
	/* One length octet for the data in UDT and XUDT (Q.713 4.10, 4.18). */
	if (jitsim_wbuf_len(w) > JITSIM_MAP_FTA_UDT_DATA_MAX)
		return JITSIM_R_NOSPACE;
	memset(&s, 0, sizeof(s));
	/* The codec writes no LUDT: an XUDT carries the same within 255 octets. */
	s.msg_type = req->msg_type == JITSIM_SCCP_UDT ? JITSIM_SCCP_UDT : JITSIM_SCCP_XUDT;
	/* Q.714 4.1.1: the answer uses the protocol class of the request. */
	s.pclass = req->pclass;
	s.called = req->calling;
	s.calling = own != NULL ? *own : req->called;
	return jitsim_sccp_encode(w, &s);
}

enum jitsim_reason
jitsim_map_fta_answer_error(struct jitsim_wbuf *w, const struct jitsim_sccp *req_sccp,
			    const struct jitsim_tcap *req_tcap, unsigned int comp_index,
			    uint8_t error, const struct jitsim_sccp_addr *own)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component c;
	const struct jitsim_tcap_component *in;
	size_t saved = w->head;
	enum jitsim_reason r;

	if (comp_index >= req_tcap->n_comp || comp_index >= JITSIM_TCAP_MAX_COMPONENTS)
		return JITSIM_R_BAD_PARAM;
	in = &req_tcap->comp[comp_index];
	if (in->type != JITSIM_TCAP_INVOKE || !in->has_invoke_id)
		return JITSIM_R_BAD_PARAM;
	/* The dialogue ends here: our own tid is never sent (End has none). */
	r = jitsim_map_fta_dialogue_answer(&d, req_tcap, 0);
	if (r != JITSIM_R_OK)
		return r;
	c = jitsim_map_fta_comp_error(in->invoke_id, error);
	r = jitsim_map_fta_tc_encode(w, &d, JITSIM_TCAP_END, &c, 1);
	if (r == JITSIM_R_OK)
		r = jitsim_map_fta_sccp_answer(w, req_sccp, own);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

int
jitsim_map_fta_dialogue_dump(const struct jitsim_map_fta_dialogue *x, char *buf, size_t size)
{
	return snprintf(buf, size,
			"own_tid=%08x peer_tid=%0*x peer_tid_len=%u ac=%u version=%u "
			"aare_pending=%d",
			x->own_tid, 2 * (x->peer_tid_len ? x->peer_tid_len : 1), x->peer_tid,
			x->peer_tid_len, x->map_ac, x->map_version, x->aare_pending);
}
