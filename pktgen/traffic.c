/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * What a mirror port beside an STP and a DRA sees. Dialogues follow
 * TS 29.002 (MAP: Begin/Invoke, then End with ReturnResultLast or
 * ReturnError; UpdateLocation and UpdateGprsLocation carry the HLR's
 * InsertSubscriberData in a Continue before the End, TS 29.002 19.1.1) and
 * TS 29.272 (S6a request/answer). The HLR/HSS does not know inventory,
 * sleeping or locked SIMs: it answers unknownSubscriber (TS 29.002 7.6.2.1)
 * or DIAMETER_ERROR_USER_UNKNOWN 5001 (TS 29.272 7.4.3), and the handset
 * retries later (TS 24.008 4.4.4.9 / TS 24.301 5.5.1.2.6: a new attempt after
 * T3211/T3411-type delays, seconds to tens of seconds).
 */
#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/sctp.h>
#include <jitsim/proto/tcap.h>

#include "decimal.h"
#include "ftpl.h"
#include "malform.h"
#include "map_res.h"
#include "traffic.h"

/* ev.op values above the operations: background kinds. */
#define OP_BG 0x40

enum who {
	W_ANY,	  /* any SIM: attach attempts */
	W_ACTIVE, /* only SIMs the HLR/HSS knows */
	W_MSISDN, /* an active or sleeping SIM, by its MSISDN */
};

enum node {
	N_VLR,
	N_MSC,
	N_SGSN,
};

struct opdef {
	uint8_t map_op; /* MAP operation code, 0 for S6a */
	uint16_t cmd;	/* S6a command code */
	uint8_t ac;	/* MAP application context (TS 29.002 17.3.3) */
	uint8_t version;
	uint8_t init_dir; /* 0: visited network -> home, 1: home -> visited */
	uint8_t who;
	uint8_t node;
	uint8_t visited_ssn;
	uint8_t home_ssn;
	bool home_smsc; /* the home side is the SMSC, not the HLR */
	bool attach;	/* rejected for unknown SIMs, then retried */
	bool trigger;	/* the request the dataplane acts on */
};

static const struct opdef ops[JITSIM_PKTGEN_OP_MAX] = {
	[JITSIM_PKTGEN_OP_SAI_V2] = {56, 0, 14, 2, 0, W_ANY, N_VLR, 7, 6, false, true, true},
	[JITSIM_PKTGEN_OP_SAI_V3] = {56, 0, 14, 3, 0, W_ANY, N_VLR, 7, 6, false, true, true},
	[JITSIM_PKTGEN_OP_UL] = {2, 0, 1, 3, 0, W_ANY, N_VLR, 7, 6, false, true, true},
	[JITSIM_PKTGEN_OP_UGL] = {23, 0, 32, 3, 0, W_ANY, N_SGSN, 149, 6, false, true, true},
	[JITSIM_PKTGEN_OP_PURGE_MS] = {67, 0, 27, 3, 0, W_ACTIVE, N_VLR, 7, 6, false, false, true},
	[JITSIM_PKTGEN_OP_CL] = {3, 0, 2, 3, 1, W_ACTIVE, N_VLR, 7, 6, false, false, false},
	[JITSIM_PKTGEN_OP_ISD] = {7, 0, 16, 3, 1, W_ACTIVE, N_VLR, 7, 6, false, false, false},
	[JITSIM_PKTGEN_OP_SRI] = {22, 0, 5, 3, 0, W_MSISDN, N_MSC, 8, 6, false, false, true},
	[JITSIM_PKTGEN_OP_SRI_SM] = {45, 0, 20, 3, 0, W_MSISDN, N_MSC, 8, 6, false, false, true},
	[JITSIM_PKTGEN_OP_MO_FSM] = {46, 0, 21, 3, 0, W_ACTIVE, N_MSC, 8, 8, true, false, false},
	[JITSIM_PKTGEN_OP_MT_FSM] = {44, 0, 25, 3, 1, W_ACTIVE, N_MSC, 8, 8, true, false, false},
	[JITSIM_PKTGEN_OP_AIR] = {0, JITSIM_S6A_CMD_AIR, 0, 0, 0, W_ANY, 0, 0, 0, false, true,
				  true},
	[JITSIM_PKTGEN_OP_ULR] = {0, JITSIM_S6A_CMD_ULR, 0, 0, 0, W_ANY, 0, 0, 0, false, true,
				  true},
	[JITSIM_PKTGEN_OP_PUR] = {0, JITSIM_S6A_CMD_PUR, 0, 0, 0, W_ACTIVE, 0, 0, 0, false, false,
				  true},
	[JITSIM_PKTGEN_OP_NOR] = {0, JITSIM_S6A_CMD_NOR, 0, 0, 0, W_ACTIVE, 0, 0, 0, false, false,
				  true},
	[JITSIM_PKTGEN_OP_CLR] = {0, JITSIM_S6A_CMD_CLR, 0, 0, 1, W_ACTIVE, 0, 0, 0, false, false,
				  false},
	[JITSIM_PKTGEN_OP_IDR] = {0, JITSIM_S6A_CMD_IDR, 0, 0, 1, W_ACTIVE, 0, 0, 0, false, false,
				  false},
};

/* ---- links ---- */

static void
link_init(struct jitsim_pktgen_gen *g, struct jitsim_pktgen_link *l, unsigned int i, bool diam)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	struct jitsim_pktgen_rng *r = &g->rng;

	memset(l, 0, sizeof(*l));
	l->ipv6 = jitsim_pktgen_rng_chance(r, sc->ipv6_share);
	l->tcp = diam && jitsim_pktgen_rng_chance(r, sc->diameter_tcp_share);
	if (sc->n_vlans) {
		unsigned int v = (i * 2 + diam) % sc->n_vlans;

		l->n_vlans = sc->qinq ? 2 : 1;
		l->vlans[0] = sc->vlans[v];
		l->vlans[1] = sc->vlans[(v + 1) % sc->n_vlans];
	}
	for (int d = 0; d < 2; d++) {
		/* Locally administered unicast MACs; documentation address ranges. */
		uint8_t mac[6] = {0x02, 0x4a, diam, (uint8_t)i, 0, (uint8_t)(d + 1)};
		memcpy(l->mac[d], mac, 6);
		if (l->ipv6) {
			uint8_t ip6[16] = {
				0x20, 0x01, 0x0d, 0xb8, diam, (uint8_t)i, [15] = (uint8_t)(d + 1)};
			memcpy(l->ip[d], ip6, 16);
		} else {
			uint8_t ip4[4] = {(uint8_t)(d ? 198 : 192), (uint8_t)(d ? 51 : 0),
					  (uint8_t)(d ? 100 : 2), (uint8_t)(diam * 64 + i + 1)};
			memcpy(l->ip[d], ip4, 4);
		}
		l->vtag[d] = (uint32_t)jitsim_pktgen_rng_next(r) | 1;
		l->tsn[d] = (uint32_t)jitsim_pktgen_rng_next(r);
		l->seq[d] = (uint32_t)jitsim_pktgen_rng_next(r);
		l->ip_id[d] = (uint16_t)jitsim_pktgen_rng_next(r);
	}
	/* Well-known ports on the server side (RFC 4666 1.4.8, RFC 6733 2.1). */
	l->port[0] = (uint16_t)(diam ? 40000 + i : 2905);
	l->port[1] = diam ? JITSIM_PORT_DIAMETER : JITSIM_PORT_M3UA;
	l->n_streams = (uint16_t)(diam ? 2 : sc->sctp_streams);
}

/* ---- identities and addresses ---- */

/* The global-title prefix of @p region's nodes of @p kind: 2..10 digits (scenario.c). */
static const char *
node_prefix(const struct jitsim_pktgen_scenario *sc, unsigned int region, unsigned int kind)
{
	const struct jitsim_pktgen_region *r = &sc->region[region];

	return kind == N_VLR ? r->vlr : kind == N_MSC ? r->msc : r->sgsn;
}

static void
node_gt(const struct jitsim_pktgen_scenario *sc, unsigned int region, unsigned int kind,
	unsigned int node, char out[16])
{
	const char *prefix = node_prefix(sc, region, kind);
	size_t plen = strlen(prefix);
	unsigned int v = node % (plen <= 9 ? 1000u : 100u);

	/* 12-digit E.164 node numbers: the prefix, then the node number. */
	memcpy(out, prefix, plen);
	for (size_t i = 12; i > plen; i--) {
		out[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	out[12] = '\0';
}

static void
gt_addr(struct jitsim_sccp_addr *a, const char *digits, uint8_t ssn)
{
	memset(a, 0, sizeof(*a));
	/* GTI 4: TT 0, E.164 numbering plan, international number (Q.713 3.4.2.3.4). */
	a->has_ssn = true;
	a->ssn = ssn;
	a->gti = 4;
	a->np = 1;
	a->nai = 4;
	jitsim_digits_set(&a->digits, digits);
}

static void
set_digits(struct jitsim_digits *d, bool *has, const char *s)
{
	*has = true;
	jitsim_digits_set(d, s);
}

/* A node number from node_gt() (always 12 digits): what set_digits() makes, a fixed-size copy. */
static void
set_node(struct jitsim_digits *d, bool *has, const char node[16])
{
	*has = true;
	memcpy(d->d, node, 13);
	d->n = 12;
}

/*
 * No identity in @p ids: the flags are all that the encoders and the
 * templates read of an identity they do not carry (map_tpl.c, the library).
 */
static void
ids_none(struct jitsim_map_ids *ids)
{
	ids->has_imsi = ids->has_msisdn = ids->has_msc = ids->has_vlr = false;
	ids->has_sgsn = ids->has_sc = ids->has_hlr = false;
	ids->n_vectors = 0;
}

/* The SIM's identities straight into the MAP identities (what jitsim_digits_set() makes). */
static void
set_imsi(struct jitsim_pktgen_gen *g, uint64_t sim, struct jitsim_map_ids *ids)
{
	ids->has_imsi = true;
	ids->imsi.n = (uint8_t)jitsim_pktgen_pop_imsi(g->pop, sim, ids->imsi.d);
}

static void
set_msisdn(struct jitsim_pktgen_gen *g, uint64_t sim, unsigned int state,
	   struct jitsim_map_ids *ids)
{
	ids->has_msisdn = true;
	ids->msisdn.n = (uint8_t)jitsim_pktgen_pop_msisdn(g->pop, sim, state, ids->msisdn.d);
}

/*
 * The encoded SCCP address of @p digits with @p ssn, kept in @p t: the
 * codec library encodes each party once, the frames reuse the bytes.
 * NULL when there is no template for it (then encode the address).
 */
static const uint8_t *
addr_tpl(struct jitsim_pktgen_sccp_tpl *t, const char *digits, uint8_t ssn, uint8_t *len)
{
	if (t == NULL)
		return NULL;
	if (t->len == 0) {
		struct jitsim_sccp_addr a;
		int n;

		gt_addr(&a, digits, ssn);
		n = jitsim_pktgen_sccp_addr_enc(&a, t->b);
		if (n <= 0)
			return NULL;
		t->len = (uint8_t)n;
		t->ssn = ssn;
		if (strlen(digits) < sizeof(t->gt))
			strcpy(t->gt, digits);
	} else if (t->ssn != ssn) {
		return NULL;
	}
	*len = t->len;
	return t->b;
}

/* The last @p nd (2, 3) of the 12 digits of node 0's address @p b, @p gt made node @p node's. */
static void
node_patch(uint8_t *b, uint8_t len, char *gt, unsigned int nd, unsigned int node)
{
	/* node_gt(): the node's number, zero-padded, ends the 12 digits. */
	unsigned int v = node % (nd == 3 ? 1000u : 100u);
	uint8_t d9 = (uint8_t)(v / 100), d10 = (uint8_t)(v / 10 % 10), d11 = (uint8_t)(v % 10);

	/*
	 * Q.713 3.4.2.3.1: the address signals end the address, two an octet,
	 * the first in the low nibble; 12 digits fill their 6 octets.
	 */
	b[len - 1] = (uint8_t)(d10 | d11 << 4);
	gt[10] = (char)('0' + d10);
	gt[11] = (char)('0' + d11);
	if (nd == 3) {
		b[len - 2] = (uint8_t)((b[len - 2] & 0x0f) | d9 << 4);
		gt[9] = (char)('0' + d9);
	}
}

/* Does node_patch() of @p t make the library's encoding of @p node? */
static bool
node_tpl_check(const struct jitsim_pktgen_scenario *sc, const struct jitsim_pktgen_node_tpl *t,
	       unsigned int region, unsigned int kind, unsigned int node)
{
	uint8_t want[JITSIM_PKTGEN_SCCP_ADDR_MAX], got[JITSIM_PKTGEN_SCCP_ADDR_MAX];
	char digits[16], gt[16];
	struct jitsim_sccp_addr a;

	node_gt(sc, region, kind, node, digits);
	gt_addr(&a, digits, t->a.ssn);
	if (jitsim_pktgen_sccp_addr_enc(&a, want) != t->a.len)
		return false;
	memcpy(got, t->a.b, sizeof(got));
	memcpy(gt, t->a.gt, sizeof(gt));
	node_patch(got, t->a.len, gt, t->nd, node);
	return memcmp(got, want, t->a.len) == 0 && strcmp(gt, digits) == 0;
}

/*
 * The SCCP address of visited node @p node of kind @p kind in @p region with
 * @p ssn, into @p out (its length in @p len), and its digits into @p digits;
 * NULL when there is no template for it (then encode the address).
 *
 * The nodes of a region and kind differ only in their last two or three
 * digits (node_gt()): the codec library encodes node 0 once, a frame puts
 * its node's digits into a copy. The template is kept only if that makes
 * the library's own encoding of other nodes, checked when it is built.
 */
static const uint8_t *
node_addr(struct jitsim_pktgen_gen *g, unsigned int region, unsigned int kind, unsigned int node,
	  uint8_t ssn, uint8_t out[JITSIM_PKTGEN_SCCP_ADDR_MAX], uint8_t *len, char digits[16])
{
	struct jitsim_pktgen_node_tpl *t;

	if (region >= g->sc->n_regions || kind >= 3)
		return NULL;
	t = &g->node_tpl[region][kind];
	if (t->state == 0) {
		char gt[16];

		t->state = 2;
		node_gt(g->sc, region, kind, 0, gt);
		/* node_gt(): prefixes of 10 digits leave two for the node, shorter ones three. */
		t->nd = strlen(node_prefix(g->sc, region, kind)) <= 9 ? 3 : 2;
		if (addr_tpl(&t->a, gt, ssn, len) != NULL && t->a.gt[0] != '\0' &&
		    node_tpl_check(g->sc, t, region, kind, 987) &&
		    node_tpl_check(g->sc, t, region, kind, 123))
			t->state = 1;
	}
	if (t->state != 1 || t->a.ssn != ssn)
		return NULL;
	memcpy(out, t->a.b, JITSIM_PKTGEN_SCCP_ADDR_MAX);
	memcpy(digits, t->a.gt, 16);
	node_patch(out, t->a.len, digits, t->nd, node);
	*len = t->a.len;
	return out;
}

/* Which SIM a new dialogue of @p op is about; false when none qualifies. */
static bool
pick_sim(struct jitsim_pktgen_gen *g, unsigned int op, uint64_t *sim)
{
	const struct jitsim_pktgen_pop *p = g->pop;
	uint64_t n;

	switch (ops[op].who) {
	case W_ANY:
		*sim = jitsim_pktgen_rng_below(&g->rng, g->sc->count);
		return true;
	case W_ACTIVE:
		n = p->n[JITSIM_PKTGEN_ST_ACTIVE];
		if (n == 0)
			return false;
		*sim = p->first[JITSIM_PKTGEN_ST_ACTIVE] + jitsim_pktgen_rng_below(&g->rng, n);
		return true;
	default:
		/* Active and sleeping SIMs are contiguous (population.h). */
		n = p->n[JITSIM_PKTGEN_ST_ACTIVE] + p->n[JITSIM_PKTGEN_ST_SLEEPING];
		if (n == 0)
			return false;
		*sim = p->first[JITSIM_PKTGEN_ST_ACTIVE] + jitsim_pktgen_rng_below(&g->rng, n);
		return true;
	}
}

static unsigned int
pick_region(struct jitsim_pktgen_gen *g)
{
	return jitsim_pktgen_rng_wtab(&g->rng, &g->w_region);
}

static bool
new_flow(struct jitsim_pktgen_gen *g, uint64_t t, unsigned int op, struct jitsim_pktgen_ev *e)
{
	memset(e, 0, sizeof(*e));
	if (!pick_sim(g, op, &e->sim))
		return false;
	e->t = t;
	e->op = (uint8_t)op;
	/* A SIM roams in its region; an SRI comes from whichever GMSC the caller uses. */
	if (ops[op].who == W_MSISDN) {
		e->region = (uint8_t)pick_region(g);
		e->node = (uint16_t)jitsim_pktgen_rng_below(&g->rng, 1000);
	} else {
		e->region = (uint8_t)jitsim_pktgen_pop_region(g->pop, e->sim);
		e->node = (uint16_t)(jitsim_pktgen_hash2(g->pop->seed, e->sim) % 1000);
	}
	e->tid_a = g->tid++;
	e->tid_b = g->tid++;
	e->hbh = g->hbh++;
	e->session = g->session++;
	if (ops[op].map_op) {
		e->link = (uint8_t)jitsim_pktgen_rng_below(&g->rng, g->n_map_links);
		/* RFC 4666 1.4.7: stream 0 carries ASPSM only; DATA spread by SLS. */
		e->stream = (uint16_t)(1 + e->tid_a % (g->map_link[e->link].n_streams - 1u));
	} else {
		e->link = (uint8_t)jitsim_pktgen_rng_below(&g->rng, g->n_diam_links);
		e->stream = (uint16_t)(e->session % g->diam_link[e->link].n_streams);
	}
	return true;
}

/* Event @p e at now + @p delay. */
static int
schedule(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_ev *e, uint64_t delay)
{
	return jitsim_pktgen_evq_push(&g->evq, e, g->now + delay);
}

static uint64_t
answer_delay(struct jitsim_pktgen_gen *g)
{
	/* At least 100 us: a response never shares its request's timestamp. */
	return 100000 + jitsim_pktgen_rng_exp(&g->rng, g->sc->answer_delay_ns);
}

/* What the dataplane must report for a triggering request about a SIM in @p state. */
static uint8_t
event_of(unsigned int state, unsigned int op)
{
	switch (state) {
	case JITSIM_PKTGEN_ST_INVENTORY:
		return ops[op].attach ? JITSIM_PKTGEN_EV_FIRST_ATTACH : JITSIM_PKTGEN_EV_NONE;
	case JITSIM_PKTGEN_ST_SLEEPING:
		if (ops[op].who == W_MSISDN)
			return JITSIM_PKTGEN_EV_WAKEUP;
		return ops[op].attach ? JITSIM_PKTGEN_EV_REATTACH : JITSIM_PKTGEN_EV_NONE;
	case JITSIM_PKTGEN_ST_LOCKED:
		return ops[op].attach ? JITSIM_PKTGEN_EV_BLOCKED : JITSIM_PKTGEN_EV_NONE;
	default:
		return ops[op].who == W_MSISDN ? JITSIM_PKTGEN_EV_NONE : JITSIM_PKTGEN_EV_ACTIVITY;
	}
}

/* ---- MAP messages ---- */

/* Steps of a MAP dialogue (0: Begin ... 3: End of a location update). */
#define FTPL_STEPS 4

struct jitsim_pktgen_built {
	uint8_t buf[1024];
	uint8_t vaddr[JITSIM_PKTGEN_SCCP_ADDR_MAX]; /**< the visited node's address (node_addr()) */
	struct jitsim_wbuf w;
	unsigned int dir;
	/*
	 * A MAP message alone in its frame (want_tpl, set by the caller): the
	 * frame template of its kind on its link (ftpl.h), NULL: none. When
	 * the template is ready, w stays empty and the frame is written from
	 * it with m.
	 */
	bool want_tpl;
	struct jitsim_pktgen_ftpl *ft;
	struct jitsim_pktgen_map_msg m;
	uint8_t pbuf[256]; /**< m.param */
};

/*
 * The frame template of a MAP message of @p e's kind for a SIM in @p state;
 * NULL: none. One flat array (its untouched pages are never mapped).
 */
static struct jitsim_pktgen_ftpl *
ftpl_of(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_ev *e, unsigned int state)
{
	if (g->ftpl == NULL || e->step >= FTPL_STEPS || e->link >= g->n_map_links)
		return NULL;
	return &g->ftpl[(((size_t)e->op * FTPL_STEPS + e->step) * JITSIM_PKTGEN_ST_MAX + state) *
				g->n_map_links +
			e->link];
}

/*
 * Build step e->step of a MAP dialogue as an M3UA DATA message in @p b.
 * When @p count, the message is counted and its triggers recorded for frame
 * @p frame (a malformed copy is neither).
 */
static enum jitsim_reason
map_step(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_ev *e,
	 struct jitsim_pktgen_built *b, bool count, uint32_t frame, bool *more, bool *rejected)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	const struct opdef *d = &ops[e->op];
	struct jitsim_pktgen_map_msg *m = &b->m;
	struct jitsim_sccp_addr visited, home;
	struct jitsim_map_ids ids;
	struct jitsim_pktgen_map_res res;
	struct jitsim_wbuf pw;
	char node[16], other[16], imsi[16];
	const uint8_t *venc, *henc;
	uint8_t vlen = 0, hlen = 0;
	bool err, even = (e->step & 1) == 0, initiator_first, seen = false;
	struct jitsim_pktgen_ftpl *ft = NULL;
	unsigned int kind, state;
	enum jitsim_reason r;

	/* Identities are made only for the messages that carry them. */
	state = jitsim_pktgen_pop_state(g->pop, e->sim);
	err = state != JITSIM_PKTGEN_ST_ACTIVE;
	/*
	 * The SIM's bits and the frame template are read once the message is
	 * made: their lines (random among a few hundred KB) come in meanwhile.
	 */
	if (count) {
		jitsim_pktgen_expect_prefetch(g->ex, e->sim);
		if (b->want_tpl) {
			ft = ftpl_of(g, e, state);
			jitsim_pktgen_ftpl_prefetch(ft);
		}
	}
	/* The node's address, and its number for requests. */
	node[0] = '\0';
	venc = node_addr(g, e->region, d->node, e->node, d->visited_ssn, b->vaddr, &vlen, node);
	henc = addr_tpl(&g->home_tpl[d->home_smsc], d->home_smsc ? sc->smsc_gt : sc->hlr_gt,
			d->home_ssn, &hlen);
	if (venc == NULL || henc == NULL) {
		venc = henc = NULL;
		if (node[0] == '\0')
			node_gt(sc, e->region, d->node, e->node, node);
		gt_addr(&visited, node, d->visited_ssn);
		gt_addr(&home, d->home_smsc ? sc->smsc_gt : sc->hlr_gt, d->home_ssn);
	}
	b->dir = even ? d->init_dir : !d->init_dir;
	initiator_first = d->init_dir == 0;

	memset(m, 0, sizeof(*m));
	m->tcap_tpls = g->tcap_tpls;
	/*
	 * The kind of TCAP message and MAP argument (encode.h, map_tpl.h): the
	 * operation, the step and the SIM's state (error or not, and the
	 * MSISDN's length) set all of it; the other identities and numbers
	 * have the same length for every SIM and node.
	 */
	m->kind = 1ull << 63 | (uint64_t)e->op | (uint64_t)e->step << 8 | (uint64_t)state << 16;
	m->ac = d->ac;
	m->version = d->version;
	m->invoke_id = 1;
	m->code = d->map_op;
	/* Parties: the initiator calls the responder; answers go back. */
	if (venc != NULL) {
		bool v_calls = even == initiator_first;

		m->calling_enc = v_calls ? venc : henc;
		m->calling_enc_len = v_calls ? vlen : hlen;
		m->called_enc = v_calls ? henc : venc;
		m->called_enc_len = v_calls ? hlen : vlen;
	} else if (even == initiator_first) {
		m->calling = &visited;
		m->called = &home;
	} else {
		m->calling = &home;
		m->called = &visited;
	}
	m->opc = b->dir == 0 ? sc->stp_pc : sc->hlr_pc;
	m->dpc = b->dir == 0 ? sc->hlr_pc : sc->stp_pc;
	m->rc = e->link + 1u;
	m->sls = (uint8_t)(e->tid_a & 15);
	jitsim_wbuf_init(&pw, b->pbuf, sizeof(b->pbuf), sizeof(b->pbuf));
	memset(&res, 0, sizeof(res));
	*more = false;
	*rejected = false;

	switch (e->step) {
	case 0:
		ids_none(&ids);
		m->tcap_type = JITSIM_TCAP_BEGIN;
		m->has_otid = true;
		m->otid = e->tid_a;
		m->dialogue = true;
		m->comp_type = JITSIM_TCAP_INVOKE;
		if (e->op == JITSIM_PKTGEN_OP_SRI || e->op == JITSIM_PKTGEN_OP_SRI_SM ||
		    e->op == JITSIM_PKTGEN_OP_MO_FSM)
			set_msisdn(g, e->sim, state, &ids);
		else
			set_imsi(g, e->sim, &ids);
		if (e->op == JITSIM_PKTGEN_OP_ISD)
			set_msisdn(g, e->sim, state, &ids);
		if (e->op == JITSIM_PKTGEN_OP_SAI_V3)
			ids.n_vectors = 3;
		if (d->node == N_VLR)
			set_node(&ids.vlr, &ids.has_vlr, node);
		if (e->op == JITSIM_PKTGEN_OP_UL) {
			node_gt(sc, e->region, N_MSC, e->node, other);
			set_node(&ids.msc, &ids.has_msc, other);
		}
		if (e->op == JITSIM_PKTGEN_OP_UGL)
			set_node(&ids.sgsn, &ids.has_sgsn, node);
		if (e->op == JITSIM_PKTGEN_OP_SRI)
			set_node(&ids.msc, &ids.has_msc, node);
		if (d->home_smsc || e->op == JITSIM_PKTGEN_OP_SRI_SM)
			set_digits(&ids.sc, &ids.has_sc, sc->smsc_gt);
		r = jitsim_pktgen_enc_invoke_kind(&pw, d->map_op, d->version, &ids, g->map_tpls,
						  m->kind);
		if (r != JITSIM_R_OK)
			return r;
		seen = ids.has_imsi;
		*more = true;
		break;
	case 1:
		m->has_dtid = true;
		m->dtid = e->tid_a;
		m->dialogue = true; /* AARE: first backward message (Q.774 3.2.2.1) */
		if (err) {
			m->tcap_type = JITSIM_TCAP_END;
			m->comp_type = JITSIM_TCAP_ERROR;
			m->code = JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER;
			*rejected = true;
			break;
		}
		if (e->op == JITSIM_PKTGEN_OP_UL || e->op == JITSIM_PKTGEN_OP_UGL) {
			/* The HLR sends the profile inside the location-update dialogue. */
			m->tcap_type = JITSIM_TCAP_CONTINUE;
			m->has_otid = true;
			m->otid = e->tid_b;
			m->comp_type = JITSIM_TCAP_INVOKE;
			m->code = JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA;
			ids_none(&ids);
			set_msisdn(g, e->sim, state, &ids);
			r = jitsim_pktgen_enc_invoke_kind(&pw, m->code, 3, &ids, g->map_tpls,
							  m->kind);
			if (r != JITSIM_R_OK)
				return r;
			*more = true;
			break;
		}
		m->tcap_type = JITSIM_TCAP_END;
		m->comp_type = JITSIM_TCAP_RESULT_LAST;
		res.vector_seed = jitsim_pktgen_hash2(e->sim, e->tid_a);
		if (e->op == JITSIM_PKTGEN_OP_SRI) {
			/* MSRN from the serving MSC's range (TS 23.003 4). */
			node_gt(sc, jitsim_pktgen_pop_region(g->pop, e->sim), N_MSC, e->node + 500,
				other);
			res.number = other;
		} else if (e->op == JITSIM_PKTGEN_OP_SRI_SM) {
			node_gt(sc, jitsim_pktgen_pop_region(g->pop, e->sim), N_MSC,
				(unsigned int)(jitsim_pktgen_hash2(0, e->sim) % 1000), other);
			res.number = other;
		}
		if (e->op == JITSIM_PKTGEN_OP_SRI || e->op == JITSIM_PKTGEN_OP_SRI_SM) {
			jitsim_pktgen_pop_imsi(g->pop, e->sim, imsi);
			res.imsi = imsi;
		}
		r = jitsim_pktgen_map_result(&pw, d->map_op, d->version, &res);
		if (r != JITSIM_R_OK)
			return r;
		break;
	case 2:
		/* The VLR/SGSN acknowledges InsertSubscriberData. */
		m->tcap_type = JITSIM_TCAP_CONTINUE;
		m->has_otid = m->has_dtid = true;
		m->otid = e->tid_a;
		m->dtid = e->tid_b;
		m->comp_type = JITSIM_TCAP_RESULT_LAST;
		m->code = JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA;
		r = jitsim_pktgen_map_result(&pw, m->code, 3, &res);
		if (r != JITSIM_R_OK)
			return r;
		*more = true;
		break;
	default:
		m->tcap_type = JITSIM_TCAP_END;
		m->has_dtid = true;
		m->dtid = e->tid_a;
		m->comp_type = JITSIM_TCAP_RESULT_LAST;
		res.number = sc->hlr_gt;
		r = jitsim_pktgen_map_result(&pw, d->map_op, d->version, &res);
		if (r != JITSIM_R_OK)
			return r;
		break;
	}
	if (jitsim_wbuf_len(&pw)) {
		m->param = jitsim_wbuf_data(&pw);
		m->param_len = jitsim_wbuf_len(&pw);
	}
	jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), sizeof(b->buf) - 8);
	/* The template found above, for a message alone in its frame (count, want_tpl). */
	b->ft = venc != NULL ? ft : NULL;
	/* A ready frame template takes m as it is: nothing to encode here. */
	if (!jitsim_pktgen_ftpl_ready(b->ft)) {
		r = jitsim_pktgen_enc_map(&b->w, m);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (!count)
		return JITSIM_R_OK;

	kind = m->comp_type == JITSIM_TCAP_INVOKE  ? JITSIM_PKTGEN_MAP_INVOKE
	       : m->comp_type == JITSIM_TCAP_ERROR ? JITSIM_PKTGEN_MAP_ERROR
						   : JITSIM_PKTGEN_MAP_RESULT;
	g->ex->map[kind][m->code]++;
	if (seen ||
	    (kind == JITSIM_PKTGEN_MAP_RESULT &&
	     (e->op == JITSIM_PKTGEN_OP_SRI || e->op == JITSIM_PKTGEN_OP_SRI_SM) && e->step == 1))
		jitsim_pktgen_expect_seen(g->ex, e->sim);
	if (e->step == 0 && d->trigger) {
		uint8_t ev = event_of(state, e->op);

		if (ev != JITSIM_PKTGEN_EV_NONE)
			jitsim_pktgen_expect_trigger(g->ex, e->sim, ev, frame, e->region);
	}
	return JITSIM_R_OK;
}

/* ---- S6a messages ---- */

/* Type Allocation Code of the IMEIs in ULR (Terminal-Information). */
#define IMEI_TAC "35209900"

static enum jitsim_reason
diam_step(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_ev *e,
	  struct jitsim_pktgen_built *b, bool count, uint32_t frame, bool *more, bool *rejected)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	const struct opdef *d = &ops[e->op];
	const struct jitsim_pktgen_region *reg = &sc->region[e->region];
	struct jitsim_s6a_msg m;
	const char *mme = g->mme_host[e->link], *hss = g->hss_host;
	char session[160], imei[16], imsi[16], msisdn[16], *o;
	unsigned int state, n;
	uint64_t kind;
	size_t hl;
	bool from_mme, err;
	enum jitsim_reason r;

	if (count)
		jitsim_pktgen_expect_prefetch(g->ex, e->sim);
	state = jitsim_pktgen_pop_state(g->pop, e->sim);
	err = state != JITSIM_PKTGEN_ST_ACTIVE;
	from_mme = (e->step == 0) == (d->init_dir == 0);
	b->dir = from_mme ? 0 : 1;
	/* RFC 6733 8.8: <DiameterIdentity>;<high 32 bits>;<low 32 bits> */
	hl = d->init_dir ? g->hss_host_len : g->mme_host_len[e->link];
	memcpy(session, d->init_dir ? hss : mme, hl);
	o = session + hl;
	*o++ = ';';
	o = jitsim_pktgen_put_u32(o, e->tid_a);
	*o++ = ';';
	o = jitsim_pktgen_put_u32(o, e->session);
	*o = '\0';
	/* The kind of message (s6a_tpl.h): all that sets its template, but the lengths below. */
	kind = 1ull << 63 | (uint64_t)e->op | (uint64_t)(e->step != 0) << 8 |
	       (uint64_t)(err && d->attach) << 9 | (uint64_t)e->link << 16;
	memset(&m, 0, sizeof(m));
	m.cmd = d->cmd;
	m.is_request = e->step == 0;
	m.hbh = e->hbh;
	m.e2e = e->hbh ^ 0x5a5a0000u;
	m.session_id = session;
	m.origin_host = from_mme ? mme : hss;
	m.origin_realm = sc->hss_realm;
	*more = e->step == 0;
	*rejected = false;
	if (e->step == 0) {
		m.dest_realm = sc->hss_realm;
		m.dest_host = d->init_dir ? mme : (e->op == JITSIM_PKTGEN_OP_AIR ? NULL : hss);
		n = jitsim_pktgen_pop_imsi(g->pop, e->sim, imsi);
		m.imsi = imsi;
		kind |= (uint64_t)n << 24;
		if (e->op == JITSIM_PKTGEN_OP_AIR || e->op == JITSIM_PKTGEN_OP_ULR) {
			m.visited_plmn = reg->plmn[jitsim_pktgen_hash2(e->sim, 7) % reg->n_plmn];
			kind |= (uint64_t)strnlen(m.visited_plmn, sizeof(reg->plmn[0])) << 32;
		}
		if (e->op == JITSIM_PKTGEN_OP_AIR)
			m.n_vectors = 1;
		if (e->op == JITSIM_PKTGEN_OP_ULR) {
			uint64_t h = jitsim_pktgen_hash2(e->sim, 8);
			unsigned int sum = g->imei_tac_luhn;

			m.rat_type = 1004;  /* EUTRAN (TS 29.212 5.3.31) */
			m.ulr_flags = 0x22; /* S6a/S6d-Indicator, Initial-Attach-Indicator */
			/*
			 * TS 23.003 6.2.1: TAC (8) + SNR (6) + Luhn check digit,
			 * as jitsim_pktgen_luhn() makes it: the TAC's part of
			 * the sum is fixed, the serial's digits in odd places
			 * from the left are the doubled ones.
			 */
			memcpy(imei, IMEI_TAC, 8);
			h %= 1000000;
			for (int i = 13; i >= 8; i--, h /= 10) {
				unsigned int dg = (unsigned int)(h % 10);

				imei[i] = (char)('0' + dg);
				sum += i & 1 ? (dg * 2 > 9 ? dg * 2 - 9 : dg * 2) : dg;
			}
			imei[14] = (char)('0' + (10 - sum % 10) % 10);
			imei[15] = '\0';
			m.imei = imei;
		}
		if (e->op == JITSIM_PKTGEN_OP_IDR) {
			n = jitsim_pktgen_pop_msisdn(g->pop, e->sim, state, msisdn);
			m.msisdn = msisdn;
			kind |= (uint64_t)n << 40;
		}
	} else if (err && d->attach) {
		m.exp_result_code = 5001; /* DIAMETER_ERROR_USER_UNKNOWN */
		*rejected = true;
	} else {
		m.result_code = 2001; /* DIAMETER_SUCCESS */
		if (e->op == JITSIM_PKTGEN_OP_ULR) {
			n = jitsim_pktgen_pop_msisdn(g->pop, e->sim, state, msisdn);
			m.msisdn = msisdn;
			kind |= (uint64_t)n << 40;
		}
	}
	jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), 0);
	b->ft = NULL;
	r = jitsim_pktgen_enc_s6a_kind(&b->w, &m, (size_t)(o - session), g->s6a_tpls, kind);
	if (r != JITSIM_R_OK || !count)
		return r;
	g->ex->diam[m.is_request][d->cmd - JITSIM_PKTGEN_DIAM_CMD_FIRST]++;
	if (m.imsi)
		jitsim_pktgen_expect_seen(g->ex, e->sim);
	if (e->step == 0 && d->trigger) {
		uint8_t ev = event_of(state, e->op);

		if (ev != JITSIM_PKTGEN_EV_NONE)
			jitsim_pktgen_expect_trigger(g->ex, e->sim, ev, frame,
						     m.visited_plmn ? e->region
								    : JITSIM_PKTGEN_REGION_NONE);
	}
	return JITSIM_R_OK;
}

/* ---- frames ---- */

/* An encoder refused what we built: a bug here, not bad input. */
static int
internal(unsigned int op, unsigned int step)
{
	fprintf(stderr, "jitsim-pktgen: internal error: cannot encode %s step %u\n",
		op < JITSIM_PKTGEN_OP_MAX ? jitsim_pktgen_op_name(op) : "frame", step);
	return -EINVAL;
}

static enum jitsim_reason
step_msg(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_ev *e,
	 struct jitsim_pktgen_built *b, bool count, uint32_t frame, bool *more, bool *rejected)
{
	if (ops[e->op].map_op)
		return map_step(g, e, b, count, frame, more, rejected);
	return diam_step(g, e, b, count, frame, more, rejected);
}

/*
 * A MAP message alone in its frame, from its frame template (ftpl.h) when
 * that is ready: true with the frame written and the link advanced. false:
 * encode it (the message is in b->w when this returns).
 */
static bool
map_frame_tpl(struct jitsim_pktgen_link *l, struct jitsim_pktgen_built *b, uint16_t stream,
	      uint8_t *f, size_t *len)
{
	unsigned int dir = b->dir;

	if (!jitsim_pktgen_ftpl_ready(b->ft))
		return false;
	if (jitsim_pktgen_ftpl_fill(b->ft, f, &b->m, l, dir, l->tsn[dir], stream,
				    l->ssn[dir][stream], l->ip_id[dir])) {
		l->tsn[dir]++;
		l->ssn[dir][stream]++;
		l->ip_id[dir]++;
		*len = b->ft->len;
		return true;
	}
	/* Not of the template's layout after all: the layered encoders. */
	b->ft = NULL;
	jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), sizeof(b->buf) - 8);
	if (jitsim_pktgen_enc_map(&b->w, &b->m) != JITSIM_R_OK)
		jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), 0); /* empty: refused below */
	return false;
}

/* Frame of the messages @p b[0..n) on one link, straight into the pcap buffer. */
static int
write_frame(struct jitsim_pktgen_gen *g, bool diam, unsigned int link,
	    struct jitsim_pktgen_built *b, const uint16_t *streams, unsigned int n, bool advance,
	    int mal_kind)
{
	struct jitsim_pktgen_link *l = diam ? &g->diam_link[link] : &g->map_link[link];
	struct jitsim_pktgen_chunk c[JITSIM_PKTGEN_SCRATCH];
	uint8_t *f = jitsim_pktgen_pcapw_reserve(g->pcap, JITSIM_PKTGEN_FRAME_MAX);
	struct jitsim_pktgen_ftpl *ft = NULL;
	uint32_t tsn = 0;
	uint16_t ssn = 0, ip_id = 0;
	enum jitsim_reason r;
	size_t len;

	if (f == NULL)
		return g->pcap->err;
	if (!diam && n == 1 && advance && mal_kind < 0 && b[0].ft != NULL && b[0].dir < 2 &&
	    streams[0] < l->n_streams) {
		if (map_frame_tpl(l, &b[0], streams[0], f, &len))
			goto written;
		/* Written by the encoders: build or check the template with this frame. */
		ft = b[0].ft;
		tsn = l->tsn[b[0].dir];
		ssn = l->ssn[b[0].dir][streams[0]];
		ip_id = l->ip_id[b[0].dir];
	}
	if (diam && l->tcp) {
		r = jitsim_pktgen_enc_tcp(f, JITSIM_PKTGEN_FRAME_MAX, l, b[0].dir,
					  jitsim_wbuf_data(&b[0].w), jitsim_wbuf_len(&b[0].w),
					  advance, &len);
	} else {
		for (unsigned int i = 0; i < n; i++) {
			c[i].p = jitsim_wbuf_data(&b[i].w);
			c[i].len = jitsim_wbuf_len(&b[i].w);
			c[i].stream = streams[i];
			c[i].ppid = diam ? JITSIM_PPID_DIAMETER : JITSIM_PPID_M3UA;
		}
		r = jitsim_pktgen_enc_sctp(f, JITSIM_PKTGEN_FRAME_MAX, l, b[0].dir, c, n, advance,
					   &len);
	}
	if (r != JITSIM_R_OK)
		return internal(diam ? 0xfe : 0xff, 0);
	if (ft != NULL && ft->state == 0)
		jitsim_pktgen_ftpl_build(ft, f, len, &b[0].m, l, b[0].dir, tsn, streams[0], ssn,
					 ip_id);
	else if (ft != NULL && ft->state == 1)
		jitsim_pktgen_ftpl_check(ft, f, len, &b[0].m, l, b[0].dir, tsn, streams[0], ssn,
					 ip_id);
written:
	g->frame_no++;
	g->ex->frames++;
	if (mal_kind >= 0) {
		const char *reason;
		unsigned int k = jitsim_pktgen_malform(&g->mal_rng, f, &len, (unsigned int)mal_kind,
						       &reason);

		if (jitsim_pktgen_expect_malformed(g->ex, g->frame_no, k, reason) != 0)
			return g->ex->out->err;
	}
	jitsim_pktgen_pcapw_put(g->pcap, g->now, len);
	return 0;
}

/* The step of a dialogue: one frame, then what follows it. */
static int
emit_step(struct jitsim_pktgen_gen *g, struct jitsim_pktgen_ev *e)
{
	struct jitsim_pktgen_built *b = g->scratch;
	bool more, rejected, diam = ops[e->op].map_op == 0;
	enum { NEXT_NONE, NEXT_ANSWER, NEXT_RETRY, NEXT_LOCATION } next = NEXT_NONE;
	uint64_t delay = 0;
	int rc;

	b->want_tpl = true;
	if (step_msg(g, e, b, true, (uint32_t)(g->frame_no + 1), &more, &rejected) != JITSIM_R_OK)
		return internal(e->op, e->step);
	/*
	 * What follows the frame is drawn before the frame is written
	 * (write_frame() draws nothing from g->rng: the draws keep their
	 * order), so that the queue's line it goes to comes in meanwhile.
	 */
	if (more) {
		next = NEXT_ANSWER;
		delay = answer_delay(g);
	} else if (rejected && ops[e->op].attach && e->attempt < g->sc->retry_max &&
		   jitsim_pktgen_rng_chance(&g->rng, g->sc->retry_share)) {
		/* The handset tries again later; a new dialogue. */
		next = NEXT_RETRY;
		delay = jitsim_pktgen_rng_range(&g->rng, g->sc->retry_min_ns, g->sc->retry_max_ns);
	} else if (!rejected && e->step > 0 &&
		   (e->op == JITSIM_PKTGEN_OP_SAI_V3 || e->op == JITSIM_PKTGEN_OP_AIR)) {
		/* Authentication done: the location update follows (TS 23.012 3.6.1). */
		next = NEXT_LOCATION;
		delay = 50000000 + jitsim_pktgen_rng_exp(&g->rng, 100000000);
	}
	if (next != NEXT_NONE)
		jitsim_pktgen_evq_prefetch(&g->evq, g->now + delay);
	rc = write_frame(g, diam, e->link, b, &e->stream, 1, true, -1);
	if (rc != 0 || next == NEXT_NONE)
		return rc;
	/* What follows is @p e changed in place: the caller's copy, done with. */
	if (next == NEXT_ANSWER) {
		e->step++;
		return schedule(g, e, delay);
	}
	if (next == NEXT_RETRY)
		e->attempt++;
	else
		e->op = e->op == JITSIM_PKTGEN_OP_AIR ? JITSIM_PKTGEN_OP_ULR : JITSIM_PKTGEN_OP_UL;
	e->step = 0;
	e->tid_a = g->tid++;
	e->tid_b = g->tid++;
	e->hbh = g->hbh++;
	e->session = g->session++;
	return schedule(g, e, delay);
}

/* A malformed frame: a fresh message nobody counts, corrupted. */
static int
emit_malformed(struct jitsim_pktgen_gen *g)
{
	unsigned int kind = jitsim_pktgen_rng_wtab(&g->mal_rng, &g->w_mal);
	struct jitsim_pktgen_ev e;
	struct jitsim_pktgen_built *b = g->scratch;
	bool more, rejected;
	unsigned int op;

	b->want_tpl = false;
	/* BER corruption needs a MAP message; the others take any request. */
	do
		op = (unsigned int)jitsim_pktgen_rng_below(&g->mal_rng, JITSIM_PKTGEN_OP_MAX);
	while (kind == JITSIM_PKTGEN_MAL_BER && ops[op].map_op == 0);
	/* An operation on active SIMs when there are none: an attach instead. */
	if (!new_flow(g, g->now, op, &e))
		new_flow(g, g->now, JITSIM_PKTGEN_OP_SAI_V3, &e);
	if (step_msg(g, &e, b, false, 0, &more, &rejected) != JITSIM_R_OK)
		return -EINVAL;
	/*
	 * The copy takes a TSN / sequence number like any packet sent: reusing
	 * one would make the next good packet a retransmission to a TSN-tracking
	 * reader (tshark), which then skips its payload.
	 */
	return write_frame(g, ops[e.op].map_op == 0, e.link, b, &e.stream, 1, true, (int)kind);
}

/* New dialogues: one, or several MAP requests bundled in one SCTP packet. */
static int
start_flows(struct jitsim_pktgen_gen *g)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	/* A bundle is at most 8 chunks (scenario.c's bundle_max), as many as g->scratch holds. */
	struct jitsim_pktgen_ev e[JITSIM_PKTGEN_SCRATCH];
	struct jitsim_pktgen_built *b = g->scratch;
	/* Zeroed: GCC -O2 cannot see that the loop below fills the n used. */
	uint16_t streams[JITSIM_PKTGEN_SCRATCH] = {0};
	uint64_t delay[JITSIM_PKTGEN_SCRATCH];
	unsigned int n = 1, want = 1, op;
	bool more, rejected;
	int rc;

	op = jitsim_pktgen_rng_wtab(&g->rng, &g->w_op);
	if (!new_flow(g, g->now, op, &e[0]))
		return 0;
	if (ops[op].map_op && ops[op].init_dir == 0 && sc->bundle_share &&
	    jitsim_pktgen_rng_chance(&g->rng, sc->bundle_share))
		want = (unsigned int)jitsim_pktgen_rng_range(&g->rng, 2, sc->bundle_max);
	/* RFC 9260 6.10: the other chunks join the same packet on the same association. */
	for (unsigned int tries = 0; n < want && tries < 4 * want; tries++) {
		unsigned int o = jitsim_pktgen_rng_wtab(&g->rng, &g->w_op);

		if (!ops[o].map_op || ops[o].init_dir != 0 || !new_flow(g, g->now, o, &e[n]))
			continue;
		e[n].link = e[0].link;
		e[n].stream = (uint16_t)(1 + e[n].tid_a % (g->map_link[e[0].link].n_streams - 1u));
		n++;
	}
	for (unsigned int i = 0; i < n; i++) {
		b[i].want_tpl = n == 1;
		if (step_msg(g, &e[i], &b[i], true, (uint32_t)(g->frame_no + 1), &more,
			     &rejected) != JITSIM_R_OK)
			return internal(e[i].op, 0);
		streams[i] = e[i].stream;
	}
	/* The answers' times first, as emit_step() does: their lines come in meanwhile. */
	for (unsigned int i = 0; i < n; i++) {
		delay[i] = answer_delay(g);
		jitsim_pktgen_evq_prefetch(&g->evq, g->now + delay[i]);
	}
	rc = write_frame(g, ops[op].map_op == 0, e[0].link, b, streams, n, true, -1);
	for (unsigned int i = 0; rc == 0 && i < n; i++) {
		e[i].step = 1;
		rc = schedule(g, &e[i], delay[i]);
	}
	return rc;
}

/* ---- background ---- */

/* @p v (< 10^9) as nine digits, zero-padded, at @p o. */
static void
put_dec9(char *o, uint32_t v)
{
	for (int i = 8; i >= 0; i--, v /= 10)
		o[i] = (char)('0' + v % 10);
}

static int
emit_bg(struct jitsim_pktgen_gen *g, unsigned int kind, unsigned int step, unsigned int link,
	uint32_t id)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	struct jitsim_pktgen_link *l = &g->map_link[link];
	unsigned int dir = step;
	struct jitsim_pktgen_built *b = g->scratch;
	uint16_t stream = 0;
	enum jitsim_reason r = JITSIM_R_OK;
	int rc;

	g->ex->bg[kind]++; /* every frame, replies included */
	b->dir = dir;
	b->ft = NULL;
	jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), 512);
	switch (kind) {
	case JITSIM_PKTGEN_BG_BEAT:
		r = jitsim_pktgen_enc_beat(&b->w, step != 0, ((uint64_t)link << 32) | id);
		break;
	case JITSIM_PKTGEN_BG_SCMG:
		stream = (uint16_t)(1 + id % (l->n_streams - 1u));
		r = jitsim_pktgen_enc_scmg(&b->w, step != 0, JITSIM_SSN_HLR,
					   dir ? sc->hlr_pc : sc->stp_pc,
					   dir ? sc->stp_pc : sc->hlr_pc, link + 1u);
		break;
	case JITSIM_PKTGEN_BG_OTHER_MAP: {
		/* AnyTimeInterrogation from a gsmSCF about a number outside the population. */
		struct jitsim_pktgen_map_msg m;
		struct jitsim_sccp_addr scf, hlr;
		struct jitsim_pktgen_map_res res = {0};
		uint8_t pbuf[128], slen = 0, hlen = 0;
		struct jitsim_wbuf pw;
		char msisdn[16];
		const uint8_t *senc =
			addr_tpl(&g->scf_tpl, sc->gsmscf_gt, JITSIM_SSN_GSMSCF, &slen);
		const uint8_t *henc = addr_tpl(&g->home_tpl[0], sc->hlr_gt, JITSIM_SSN_HLR, &hlen);

		/* "999" and nine digits: what snprintf's "999%09u" writes, without its cost. */
		memcpy(msisdn, "999", 3);
		put_dec9(msisdn + 3, id % 1000000000u);
		msisdn[12] = '\0';
		memset(&m, 0, sizeof(m));
		m.tcap_tpls = g->tcap_tpls;
		m.ac = 29; /* anyTimeEnquiryContext */
		m.version = 3;
		m.invoke_id = 1;
		m.code = JITSIM_PKTGEN_MAP_OP_ATI;
		m.dialogue = true;
		m.opc = dir ? sc->hlr_pc : sc->stp_pc;
		m.dpc = dir ? sc->stp_pc : sc->hlr_pc;
		m.rc = link + 1u;
		m.sls = (uint8_t)(id & 15);
		jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
		if (step == 0) {
			m.tcap_type = JITSIM_TCAP_BEGIN;
			m.has_otid = true;
			m.otid = id;
			m.comp_type = JITSIM_TCAP_INVOKE;
			r = jitsim_pktgen_map_ati_arg(&pw, msisdn, sc->gsmscf_gt);
		} else {
			m.tcap_type = JITSIM_TCAP_END;
			m.has_dtid = true;
			m.dtid = id;
			m.comp_type = JITSIM_TCAP_RESULT_LAST;
			r = jitsim_pktgen_map_result(&pw, m.code, 3, &res);
		}
		/* The gsmSCF asks, the HLR answers. */
		if (senc != NULL && henc != NULL) {
			m.calling_enc = step == 0 ? senc : henc;
			m.calling_enc_len = step == 0 ? slen : hlen;
			m.called_enc = step == 0 ? henc : senc;
			m.called_enc_len = step == 0 ? hlen : slen;
		} else {
			gt_addr(&scf, sc->gsmscf_gt, JITSIM_SSN_GSMSCF);
			gt_addr(&hlr, sc->hlr_gt, JITSIM_SSN_HLR);
			m.calling = step == 0 ? &scf : &hlr;
			m.called = step == 0 ? &hlr : &scf;
		}
		if (r != JITSIM_R_OK)
			return -EINVAL;
		m.param = jitsim_wbuf_data(&pw);
		m.param_len = jitsim_wbuf_len(&pw);
		stream = (uint16_t)(1 + id % (l->n_streams - 1u));
		jitsim_wbuf_init(&b->w, b->buf, sizeof(b->buf), sizeof(b->buf) - 8);
		r = jitsim_pktgen_enc_map(&b->w, &m);
		g->ex->map[step ? JITSIM_PKTGEN_MAP_RESULT : JITSIM_PKTGEN_MAP_INVOKE][m.code]++;
		break;
	}
	default: {
		uint8_t *f = jitsim_pktgen_pcapw_reserve(g->pcap, JITSIM_PKTGEN_FRAME_MAX);
		size_t len;

		if (f == NULL)
			return g->pcap->err;
		if (jitsim_pktgen_enc_echo(f, JITSIM_PKTGEN_FRAME_MAX, l, dir, step != 0,
					   (uint16_t)link, (uint16_t)id, &len) != JITSIM_R_OK)
			return -EINVAL;
		g->frame_no++;
		g->ex->frames++;
		jitsim_pktgen_pcapw_put(g->pcap, g->now, len);
		goto reply;
	}
	}
	if (r != JITSIM_R_OK)
		return -EINVAL;
	rc = write_frame(g, false, link, b, &stream, 1, true, -1);
	if (rc != 0)
		return rc;
reply:
	if (step == 0) {
		struct jitsim_pktgen_ev n;

		memset(&n, 0, sizeof(n));
		n.op = (uint8_t)(OP_BG + kind);
		n.step = 1;
		n.link = (uint8_t)link;
		n.tid_a = id;
		return schedule(g, &n, answer_delay(g));
	}
	return 0;
}

int
jitsim_pktgen_gen_init(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_scenario *sc,
		       const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_expect *ex,
		       struct jitsim_pktgen_ofile *pcap, uint64_t seed)
{
	memset(g, 0, sizeof(*g));
	g->sc = sc;
	g->pop = pop;
	g->ex = ex;
	g->pcap = pcap;
	if (jitsim_pktgen_evq_init(&g->evq) != 0)
		return -ENOMEM;
	g->scratch = malloc(JITSIM_PKTGEN_SCRATCH * sizeof(*g->scratch));
	if (g->scratch == NULL) {
		jitsim_pktgen_evq_free(&g->evq);
		return -ENOMEM;
	}
	jitsim_pktgen_rng_seed(&g->rng, seed, 1);
	jitsim_pktgen_rng_seed(&g->mal_rng, seed, 2);
	/* No templates without memory: the messages are then encoded per frame. */
	g->tcap_tpls = calloc(1, sizeof(*g->tcap_tpls));
	g->s6a_tpls = calloc(1, sizeof(*g->s6a_tpls));
	g->map_tpls = calloc(1, sizeof(*g->map_tpls));
	g->ftpl = calloc((size_t)JITSIM_PKTGEN_OP_MAX * FTPL_STEPS * JITSIM_PKTGEN_ST_MAX *
				 (sc->m3ua_assocs ? sc->m3ua_assocs : 1),
			 sizeof(*g->ftpl));
	{
		uint32_t w[JITSIM_PKTGEN_MAX_REGIONS];

		for (unsigned int i = 0; i < sc->n_regions; i++)
			w[i] = sc->region[i].weight;
		jitsim_pktgen_wtab_init(&g->w_region, w, sc->n_regions);
	}
	jitsim_pktgen_wtab_init(&g->w_op, sc->weight, JITSIM_PKTGEN_OP_MAX);
	jitsim_pktgen_wtab_init(&g->w_bg, sc->bg_weight, JITSIM_PKTGEN_BG_MAX);
	jitsim_pktgen_wtab_init(&g->w_mal, sc->mal_weight, JITSIM_PKTGEN_MAL_MAX);
	g->n_map_links = sc->m3ua_assocs;
	g->n_diam_links = sc->diameter_peers;
	for (unsigned int i = 0; i < g->n_map_links; i++)
		link_init(g, &g->map_link[i], i, false);
	for (unsigned int i = 0; i < g->n_diam_links; i++) {
		link_init(g, &g->diam_link[i], i, true);
		snprintf(g->mme_host[i], sizeof(g->mme_host[i]), "mme%u.%s", i + 1, sc->hss_realm);
		g->mme_host_len[i] = strlen(g->mme_host[i]);
	}
	snprintf(g->hss_host, sizeof(g->hss_host), "hss1.%s", sc->hss_realm);
	g->hss_host_len = strlen(g->hss_host);
	/* Luhn sum of the IMEI's TAC (places 0-7 of 14, the odd ones doubled). */
	for (unsigned int i = 0; i < 8; i++) {
		unsigned int dg = (unsigned int)(IMEI_TAC[i] - '0');

		g->imei_tac_luhn += i & 1 ? (dg * 2 > 9 ? dg * 2 - 9 : dg * 2) : dg;
	}
	g->tid = (uint32_t)jitsim_pktgen_rng_next(&g->rng);
	g->hbh = (uint32_t)jitsim_pktgen_rng_next(&g->rng);
	g->session = 1;
	g->now = sc->start_ns;
	g->next_flow = sc->start_ns;
	g->next_bg = sc->bg_rate ? sc->start_ns + jitsim_pktgen_rng_exp(&g->rng,
									1000000000ull / sc->bg_rate)
				 : UINT64_MAX;
	return 0;
}

int
jitsim_pktgen_gen_run(struct jitsim_pktgen_gen *g, uint64_t packets)
{
	const struct jitsim_pktgen_scenario *sc = g->sc;
	const uint64_t flow_gap = 1000000000ull / sc->rate;
	const uint64_t bg_gap = sc->bg_rate ? 1000000000ull / sc->bg_rate : 0;
	int rc = 0;

	while (rc == 0 && g->frame_no < packets) {
		uint64_t th = jitsim_pktgen_evq_next_t(&g->evq);

		if (sc->mal_share && jitsim_pktgen_rng_chance(&g->mal_rng, sc->mal_share)) {
			rc = emit_malformed(g);
			continue;
		}
		if (g->next_bg <= th && g->next_bg <= g->next_flow) {
			g->now = g->next_bg;
			g->next_bg += jitsim_pktgen_rng_exp(&g->rng, bg_gap);
			rc = emit_bg(g, jitsim_pktgen_rng_wtab(&g->rng, &g->w_bg), 0,
				     (unsigned int)jitsim_pktgen_rng_below(&g->rng, g->n_map_links),
				     g->tid++);
		} else if (g->next_flow <= th) {
			g->now = g->next_flow;
			g->next_flow += jitsim_pktgen_rng_exp(&g->rng, flow_gap);
			rc = start_flows(g);
		} else {
			struct jitsim_pktgen_ev e;

			jitsim_pktgen_evq_pop(&g->evq, &e);
			g->now = e.t;
			if (e.op >= OP_BG)
				rc = emit_bg(g, e.op - OP_BG, e.step, e.link, e.tid_a);
			else
				rc = emit_step(g, &e);
		}
	}
	return rc;
}

void
jitsim_pktgen_gen_free(struct jitsim_pktgen_gen *g)
{
	jitsim_pktgen_evq_free(&g->evq);
	free(g->scratch);
	g->scratch = NULL;
	free(g->tcap_tpls);
	g->tcap_tpls = NULL;
	free(g->s6a_tpls);
	g->s6a_tpls = NULL;
	free(g->map_tpls);
	g->map_tpls = NULL;
	free(g->ftpl);
	g->ftpl = NULL;
}
