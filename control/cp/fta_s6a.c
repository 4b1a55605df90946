/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The S6a side of the FTA engine (fta.h; docs/fta.md "jitsim-cp S6a
 * answers"): jitsim-cp plays the HSS (TS 29.272) of the SIMs that have
 * no real HSS yet. jitsim-dp's workers hand it, as JITSIM_SIG_DIAM_IN
 * records, the S6a requests of INVENTORY/SLEEPING/(RE)ACTIVATING SIMs,
 * and diamio hands it the answers to its own CLRs (hop-by-hop top octet
 * JITSIM_DIAM_HBH_TAG). Everything it sends is a JITSIM_SIG_DIAM_SEND
 * record on the dp peer (assoc) the request came from.
 *
 *   AIR -> AIA with E-UTRAN vectors (control/auth: SQN durable first,
 *          KASME for the Visited-PLMN-Id, resync from RAND || AUTS);
 *   ULR -> waits for the SIM's activation job as a MAP UL does ->
 *          ULA with Subscription-Data (MSISDN, AMBR, the APN of [fta]);
 *          after handover_delay a CLR (SUBSCRIPTION_WITHDRAWAL) to the
 *          MME, whose CLA ends the entry;
 *   PUR -> PUA, NOR -> NOA (2001), any other request -> 3001.
 *
 * Duplicates (RFC 6733 5.5.4: same Origin-Host and End-to-End id within
 * 4 minutes): the answer sent to the first is kept in a direct-mapped
 * cache and sent again with the new hop-by-hop id, so a retransmitted AIR
 * never costs new SQNs; a duplicate of a ULR still waiting for its
 * activation is dropped (the first one's ULA answers both).
 *
 * A waiting ULR keeps its request bytes: the parsers are zero-copy and
 * the ULA (built later) echoes Session-Id and Proxy-Info. Entries are
 * slots of one table (min(max_dialogues, S6A_PEND_MAX)), with one timer
 * list per state, as the MAP dialogues of fta.c; the CLR's hop-by-hop
 * id is 0xCF, a generation and the slot index, so a late CLA of an
 * earlier entry of the same slot finds nothing.
 *
 * Thread: the engine's only (fta.c). Secrets: vectors and the AIA bytes
 * are wiped once sent or evicted from the cache; nothing here logs them.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/s6a_fta.h>
#include <jitsim/sim.h>

#include "auth.h"
#include "fta.h"
#include "fta_int.h"
#include "store.h"

/* First attaches in progress at most (each keeps up to 976 request
 * bytes; calloc'd and taken in order, so only slots ever used take
 * memory). */
#define S6A_PEND_MAX 16384u
/* Answers kept for duplicates: RFC 6733 6.1.4's 4 minutes, 4096 of them
 * (about 4 MiB); a newer request of the same hash slot evicts. */
#define S6A_CACHE_SIZE 4096u
#define S6A_CACHE_NS (240ull * 1000 * 1000 * 1000)
/* Build buffer: any answer we make fits a record (checked). */
#define S6A_BUF 2048
#define S6A_HEADROOM 64

enum s6a_state {
	S6A_FREE = 0,
	S6A_WAIT_ACTIVE, /* ULR received; waiting for the SIM's activation */
	S6A_HANDOVER,	 /* ULA sent; CLR after handover_delay */
	S6A_WAIT_CLA,	 /* CLR sent; waiting for the MME's CLA */
	S6A_STATE_MAX
};

/* CLRs per attach at most: the first and two more after ul_timeout each. */
#define S6A_CLR_TRIES 3

struct s6a_pend {
	uint8_t state;
	uint8_t clr_tries; /* CLRs sent (or tried) for this attach */
	uint64_t to;	   /* S6A_TO(): dp peer and connection of the ULR */
	uint16_t len;	   /* of req */
	uint32_t ohash;	   /* FNV-1a of the ULR's Origin-Host */
	uint32_t e2e;	   /* the ULR's End-to-End id */
	uint32_t gen;	   /* CLR hop-by-hop generation of the slot */
	uint32_t hbh;	   /* S6A_WAIT_CLA: the CLR's */
	uint64_t imsi;	   /* compact key */
	uint64_t msisdn;   /* compact key, once active */
	uint64_t deadline_ns, recheck_ns, t0_ns;
	uint32_t prev, next, hnext;
	uint8_t req[JITSIM_SIG_DATA_MAX]; /* the ULR as received */
};

struct s6a_cached {
	uint64_t at_ns; /* 0: empty */
	uint64_t rid;	/* s6a_req_id(): Origin-Host, Session-Id, User-Name */
	uint32_t ohash, e2e, cmd;
	uint16_t len;
	uint8_t data[JITSIM_SIG_DATA_MAX];
};

struct fta_s6a {
	struct s6a_pend *pend;
	uint32_t n, idx_bits;
	uint32_t free_head; /* freed slots; then pend[used..n) never used */
	uint32_t used;
	struct fta_list timers[S6A_STATE_MAX];
	uint32_t wait_hash[FTA_WAIT_HASH_SIZE];
	struct s6a_cached *cache;
	uint32_t cache_sweep; /* next slot fta_s6a_timers() looks at */
	struct jitsim_s6a_fta_origin origin;
	uint32_t e2e_next; /* End-to-End ids of our CLRs */
	uint32_t sid_hi;   /* Session-Id: boot time, then a counter */
	uint32_t sid_lo;
	uint32_t down_seq;
};

/* A wbuf with room for any answer. */
struct s6a_msg {
	struct jitsim_wbuf w;
	uint8_t buf[S6A_BUF];
};

static void
s6a_msg_init(struct s6a_msg *m)
{
	jitsim_wbuf_init(&m->w, m->buf, sizeof(m->buf), S6A_HEADROOM);
}

static uint32_t
s6a_fnv1a(const uint8_t *p, size_t n)
{
	uint32_t h = 2166136261u;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 16777619u;
	}
	return h;
}

/* FNV-1a 64 of @n octets, on from @h. */
static uint64_t
s6a_fnv64(uint64_t h, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h;
}

/*
 * What a retransmission repeats besides its End-to-End id (RFC 6733 5.5.4:
 * the same message with the T bit): Origin-Host, Session-Id and the IMSI.
 * A cached answer is resent only when this matches too, so that a hash
 * collision of Origin-Hosts or an End-to-End id an MME reuses after a
 * restart never hands one SIM's vectors to another.
 */
static uint64_t
s6a_req_id(const struct jitsim_s6a_fta_req *rq)
{
	uint64_t h = 0xcbf29ce484222325ull;

	h = s6a_fnv64(h, rq->origin_host.p, rq->origin_host.len);
	h = s6a_fnv64(h ^ 0x100, rq->session_id.p, rq->session_id.len);
	if (rq->has_imsi)
		h = s6a_fnv64(h ^ 0x200, (const uint8_t *)rq->imsi.d, rq->imsi.n);
	return h;
}

static unsigned int
s6a_wait_hash(uint64_t imsi)
{
	return (unsigned int)((imsi * 0x9e3779b97f4a7c15ull) >> (64 - FTA_WAIT_HASH_BITS));
}

static void
s6a_imsi_str(uint64_t imsi, char *buf, size_t len)
{
	if (jitsim_digits_key_format(imsi, buf, len) < 0)
		snprintf(buf, len, "?");
}

/* --- the table --- */

static uint64_t
s6a_timeout_ns(const struct jitsim_cp_fta *e, enum s6a_state s)
{
	const uint64_t sec = 1000000000ull;

	return s == S6A_HANDOVER ? e->cfg.handover_delay_s * sec : e->cfg.ul_timeout_s * sec;
}

static uint32_t
s6a_idx(const struct fta_s6a *s, const struct s6a_pend *p)
{
	return (uint32_t)(p - s->pend);
}

static void
s6a_list_append(struct fta_s6a *s, struct fta_list *l, struct s6a_pend *p)
{
	const uint32_t i = s6a_idx(s, p);

	p->next = FTA_NIL;
	p->prev = l->tail;
	if (l->tail == FTA_NIL)
		l->head = i;
	else
		s->pend[l->tail].next = i;
	l->tail = i;
}

static void
s6a_list_unlink(struct fta_s6a *s, struct fta_list *l, struct s6a_pend *p)
{
	if (p->prev == FTA_NIL)
		l->head = p->next;
	else
		s->pend[p->prev].next = p->next;
	if (p->next == FTA_NIL)
		l->tail = p->prev;
	else
		s->pend[p->next].prev = p->prev;
	p->prev = p->next = FTA_NIL;
}

static void
s6a_wait_unlink(struct fta_s6a *s, struct s6a_pend *p)
{
	uint32_t *pp = &s->wait_hash[s6a_wait_hash(p->imsi)];
	const uint32_t i = s6a_idx(s, p);

	while (*pp != FTA_NIL && *pp != i)
		pp = &s->pend[*pp].hnext;
	if (*pp == i)
		*pp = p->hnext;
	p->hnext = FTA_NIL;
}

static struct s6a_pend *
s6a_pend_new(struct jitsim_cp_fta *e, uint64_t imsi, uint64_t now)
{
	struct fta_s6a *s = e->s6a;
	struct s6a_pend *p;
	unsigned int h;
	uint32_t gen;

	if (s->free_head != FTA_NIL) {
		p = &s->pend[s->free_head];
		s->free_head = p->next;
	} else if (s->used < s->n) {
		/* Slots never used come last: only those touched take memory. */
		p = &s->pend[s->used++];
	} else {
		return NULL;
	}
	gen = p->gen;
	memset(p, 0, offsetof(struct s6a_pend, req));
	p->gen = gen;
	p->prev = p->next = FTA_NIL;
	p->imsi = imsi;
	p->state = S6A_WAIT_ACTIVE;
	p->t0_ns = now;
	p->deadline_ns = now + s6a_timeout_ns(e, S6A_WAIT_ACTIVE);
	p->recheck_ns = now + FTA_RECHECK_NS;
	s6a_list_append(s, &s->timers[S6A_WAIT_ACTIVE], p);
	h = s6a_wait_hash(imsi);
	p->hnext = s->wait_hash[h];
	s->wait_hash[h] = s6a_idx(s, p);
	FTA_ST_ADD(e, s6a_pending, 1);
	return p;
}

static void
s6a_pend_set_state(struct jitsim_cp_fta *e, struct s6a_pend *p, enum s6a_state state, uint64_t now)
{
	struct fta_s6a *s = e->s6a;

	if (p->state == S6A_WAIT_ACTIVE)
		s6a_wait_unlink(s, p);
	s6a_list_unlink(s, &s->timers[p->state], p);
	p->state = (uint8_t)state;
	p->deadline_ns = now + s6a_timeout_ns(e, state);
	s6a_list_append(s, &s->timers[state], p);
}

static void
s6a_pend_free(struct jitsim_cp_fta *e, struct s6a_pend *p)
{
	struct fta_s6a *s = e->s6a;

	if (p->state == S6A_FREE)
		return;
	if (p->state == S6A_WAIT_ACTIVE)
		s6a_wait_unlink(s, p);
	s6a_list_unlink(s, &s->timers[p->state], p);
	p->state = S6A_FREE;
	p->next = s->free_head;
	s->free_head = s6a_idx(s, p);
	FTA_ST_SUB(e, s6a_pending, 1);
}

/* --- sending and the duplicate cache --- */

static unsigned int
s6a_code_idx(uint32_t result_code, uint32_t exp_code)
{
	if (exp_code == JITSIM_S6A_ERROR_USER_UNKNOWN)
		return JITSIM_CP_FTA_S6A_EXP_5001;
	if (exp_code == JITSIM_S6A_AUTHENTICATION_DATA_UNAVAILABLE)
		return JITSIM_CP_FTA_S6A_EXP_4181;
	switch (exp_code != 0 ? 0 : result_code) {
	case JITSIM_DIAM_SUCCESS:
		return JITSIM_CP_FTA_S6A_2001;
	case JITSIM_DIAM_COMMAND_UNSUPPORTED:
		return JITSIM_CP_FTA_S6A_3001;
	case JITSIM_DIAM_TOO_BUSY:
		return JITSIM_CP_FTA_S6A_3004;
	case JITSIM_DIAM_INVALID_AVP_VALUE:
		return JITSIM_CP_FTA_S6A_5004;
	case JITSIM_DIAM_MISSING_AVP:
		return JITSIM_CP_FTA_S6A_5005;
	case JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES:
		return JITSIM_CP_FTA_S6A_5009;
	case JITSIM_DIAM_UNABLE_TO_COMPLY:
		return JITSIM_CP_FTA_S6A_5012;
	case JITSIM_DIAM_INVALID_AVP_LENGTH:
		return JITSIM_CP_FTA_S6A_5014;
	case JITSIM_DIAM_INVALID_MESSAGE_LENGTH:
		return JITSIM_CP_FTA_S6A_5015;
	default:
		return JITSIM_CP_FTA_S6A_CODE_OTHER;
	}
}

static const char *const s6a_code_names[JITSIM_CP_FTA_S6A_CODE_MAX] = {
	[JITSIM_CP_FTA_S6A_2001] = "2001",	   [JITSIM_CP_FTA_S6A_3001] = "3001",
	[JITSIM_CP_FTA_S6A_3004] = "3004",	   [JITSIM_CP_FTA_S6A_5004] = "5004",
	[JITSIM_CP_FTA_S6A_5005] = "5005",	   [JITSIM_CP_FTA_S6A_5009] = "5009",
	[JITSIM_CP_FTA_S6A_5012] = "5012",	   [JITSIM_CP_FTA_S6A_5014] = "5014",
	[JITSIM_CP_FTA_S6A_5015] = "5015",	   [JITSIM_CP_FTA_S6A_EXP_5001] = "exp_5001",
	[JITSIM_CP_FTA_S6A_EXP_4181] = "exp_4181", [JITSIM_CP_FTA_S6A_CODE_OTHER] = "other",
};

static const char *const s6a_cmd_names[JITSIM_CP_FTA_S6A_CMD_MAX] = {
	[JITSIM_CP_FTA_S6A_AIR] = "air",     [JITSIM_CP_FTA_S6A_ULR] = "ulr",
	[JITSIM_CP_FTA_S6A_PUR] = "pur",     [JITSIM_CP_FTA_S6A_NOR] = "nor",
	[JITSIM_CP_FTA_S6A_OTHER] = "other",
};

/*
 * Where an answer goes: the dp peer index (sig assoc) and the number of
 * its connection the request came on (sig dpc, shm.h), so that jitsim-dp
 * drops it rather than hand it to a reconnected peer.
 */
#define S6A_TO(m) ((uint64_t)(m)->dpc << 16 | (m)->assoc)

/* One whole Diameter message onto sig_down toward @to (S6A_TO). 0 or
 * -ENOSPC (ring full) / -EINVAL (too long), counted. */
static int
s6a_put_down(struct jitsim_cp_fta *e, uint64_t to, uint64_t imsi, const uint8_t *msg, size_t n)
{
	struct jitsim_sig_msg m;
	int rc;

	if (n == 0 || n > JITSIM_SIG_DATA_MAX) {
		FTA_ST_ADD(e, s6a_send_drops, 1);
		FTA_ST_ADD(e, send_drops, 1);
		return -EINVAL;
	}
	memset(&m, 0, offsetof(struct jitsim_sig_msg, data));
	m.kind = JITSIM_SIG_DIAM_SEND;
	m.sim_state = 0xff;
	m.len = (uint16_t)n;
	m.assoc = (uint16_t)to;
	m.dpc = (uint32_t)(to >> 16);
	m.seq = ++e->s6a->down_seq;
	m.ts_s = (uint32_t)time(NULL);
	m.imsi = imsi;
	memcpy(m.data, msg, n);
	rc = jitsim_shm_sig_down_put(e->shm, &m, 1) == 1 ? 0 : -ENOSPC;
	/* An AIA holds XRES and KASME: no copy left behind. */
	explicit_bzero(m.data, n);
	if (rc != 0) {
		/* The MME's Tx timer sends the request again (T bit). */
		FTA_ST_ADD(e, s6a_send_drops, 1);
		FTA_ST_ADD(e, send_drops, 1);
		return rc;
	}
	FTA_ST_ADD(e, sent, 1);
	return 0;
}

static struct s6a_cached *
s6a_cache_slot(struct fta_s6a *s, uint32_t ohash, uint32_t e2e)
{
	const uint64_t k = ((uint64_t)ohash << 32 | e2e) * 0x9e3779b97f4a7c15ull;

	return &s->cache[k >> 52 & (S6A_CACHE_SIZE - 1)];
}

/* The answer @msg to the request (@ohash, @e2e, @cmd) from @to: sent,
 * kept for its duplicates, counted by @result_code / @exp_code. */
static int
s6a_answer(struct jitsim_cp_fta *e, uint64_t to, uint64_t imsi, uint32_t ohash,
	   const struct jitsim_s6a_fta_req *rq, const uint8_t *msg, size_t n, uint32_t result_code,
	   uint32_t exp_code, uint64_t now)
{
	struct s6a_cached *c = s6a_cache_slot(e->s6a, ohash, rq->e2e);

	if (s6a_put_down(e, to, imsi, msg, n) != 0)
		return -ENOSPC;
	FTA_ST_ADD(e, s6a_answers[s6a_code_idx(result_code, exp_code)], 1);
	if (n > sizeof(c->data))
		return 0;
	explicit_bzero(c->data, c->len);
	c->at_ns = now;
	c->rid = s6a_req_id(rq);
	c->ohash = ohash;
	c->e2e = rq->e2e;
	c->cmd = rq->cmd;
	c->len = (uint16_t)n;
	memcpy(c->data, msg, n);
	return 0;
}

/* The answer kept for a request (@ohash, @e2e, @cmd) seen less than 4
 * minutes ago, or NULL. */
static const struct s6a_cached *
s6a_cache_find(struct fta_s6a *s, uint32_t ohash, const struct jitsim_s6a_fta_req *rq, uint64_t now)
{
	struct s6a_cached *c = s6a_cache_slot(s, ohash, rq->e2e);

	if (c->at_ns == 0 || now - c->at_ns >= S6A_CACHE_NS) {
		if (c->at_ns != 0) {
			/* Expired: its vectors go now. */
			explicit_bzero(c->data, c->len);
			c->at_ns = 0;
		}
		return NULL;
	}
	return c->ohash == ohash && c->e2e == rq->e2e && c->cmd == rq->cmd &&
			       c->rid == s6a_req_id(rq)
		       ? c
		       : NULL;
}

/* An error answer to @req (Result-Code, or Experimental-Result when
 * @exp_code), with Failed-AVP from @failed when not NULL. */
static void
s6a_error(struct jitsim_cp_fta *e, uint64_t to, uint64_t imsi, uint32_t ohash,
	  const struct jitsim_s6a_fta_req *req, uint32_t result_code, uint32_t exp_code,
	  const struct jitsim_s6a_fta_err *failed, uint64_t now)
{
	struct s6a_msg m;
	enum jitsim_reason r;

	s6a_msg_init(&m);
	r = jitsim_s6a_fta_answer_error(&m.w, req, &e->s6a->origin, exp_code != 0 ? 0 : result_code,
					exp_code, failed);
	if (r != JITSIM_R_OK && failed != NULL)
		/* A Failed-AVP that does not fit: the answer without it. */
		r = jitsim_s6a_fta_answer_error(&m.w, req, &e->s6a->origin,
						exp_code != 0 ? 0 : result_code, exp_code, NULL);
	if (r != JITSIM_R_OK || jitsim_wbuf_len(&m.w) > JITSIM_SIG_DATA_MAX) {
		fta_log_limited(e, "S6a: error answer %u does not encode: %s",
				exp_code != 0 ? exp_code : result_code, jitsim_reason_str(r));
		FTA_ST_ADD(e, s6a_send_drops, 1);
		return;
	}
	s6a_answer(e, to, imsi, ohash, req, jitsim_wbuf_data(&m.w), jitsim_wbuf_len(&m.w),
		   result_code, exp_code, now);
}

/* A SIM that may be served (as fta_dlg.c's): 0, -ENOENT, -EPERM (LOCKED,
 * BLOCKED, RETIRED: the table may be behind the store), or a store error. */
static int
s6a_sim_usable(struct jitsim_cp_fta *e, uint64_t imsi, struct jitsim_rec *r)
{
	char err[256];
	int rc = jitsim_store_sim_get(e->store, imsi, r, err, sizeof(err));

	if (rc != 0) {
		if (rc != -ENOENT)
			fta_log_limited(e, "S6a: %s", err);
		return rc;
	}
	if (r->state == JITSIM_SIM_LOCKED || r->state == JITSIM_SIM_BLOCKED ||
	    r->state == JITSIM_SIM_RETIRED)
		return -EPERM;
	return 0;
}

/* --- AIR --- */

/* The most E-UTRAN vectors (up to @want) whose AIA fits one record: the
 * answer built with zero vectors (same size as real ones) and measured.
 * Decided before the vectors are computed: each takes an SQN for good. */
static unsigned int
s6a_air_fit(const struct jitsim_cp_fta *e, const struct jitsim_s6a_fta_req *req, unsigned int want)
{
	static const struct jitsim_s6a_fta_eutran_vector zero[JITSIM_S6A_FTA_VECTORS_MAX] = {
		{.xres_len = 8},
		{.xres_len = 8},
		{.xres_len = 8},
		{.xres_len = 8},
		{.xres_len = 8}};

	for (unsigned int n = want; n > 1; n--) {
		const struct jitsim_s6a_fta_auth_info ai = {.eutran = zero, .n_eutran = n};
		struct s6a_msg m;

		s6a_msg_init(&m);
		if (jitsim_s6a_fta_aia_encode(&m.w, req, &e->s6a->origin, &ai) == JITSIM_R_OK &&
		    jitsim_wbuf_len(&m.w) <= JITSIM_SIG_DATA_MAX)
			return n;
	}
	return 1;
}

static void
s6a_air(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint32_t ohash, uint64_t now)
{
	struct jitsim_s6a_fta_air air;
	struct jitsim_auth_resync rs;
	struct jitsim_auth_req rq;
	struct jitsim_auth_vec v[JITSIM_AUTH_VEC_MAX];
	struct jitsim_s6a_fta_eutran_vector ev[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_auth_info ai;
	struct jitsim_rec rec;
	struct s6a_msg out;
	char imsi_s[JITSIM_DIGITS_MAX + 1], err[256];
	enum jitsim_reason r;
	uint64_t imsi;
	int rc;

	FTA_ST_ADD(e, s6a_requests[JITSIM_CP_FTA_S6A_AIR], 1);
	r = jitsim_s6a_fta_air_decode(m->data, m->len, &air);
	if (r == JITSIM_R_DIAM_BAD_AVP) {
		s6a_error(e, S6A_TO(m), m->imsi, ohash, &air.req, air.req.err.result_code, 0,
			  &air.req.err, now);
		return;
	}
	if (r != JITSIM_R_OK) {
		FTA_ST_ADD(e, s6a_bad, 1);
		return;
	}
	imsi = jitsim_digits_key(&air.req.imsi);
	s6a_imsi_str(imsi, imsi_s, sizeof(imsi_s));
	/* This HSS serves E-UTRAN vectors only (the MME asks for them; an
	 * SGSN over S6d asking for UTRAN/GERAN ones gets the transient
	 * "unavailable", TS 29.272 7.4.3, and tries its other HSS). */
	if (!air.eutran.present) {
		s6a_error(e, S6A_TO(m), imsi, ohash, &air.req, 0,
			  JITSIM_S6A_AUTHENTICATION_DATA_UNAVAILABLE, NULL, now);
		return;
	}
	memset(&rq, 0, sizeof(rq));
	rq.kind = JITSIM_AUTH_EPS;
	rq.n = air.eutran.n_requested == 0			     ? 1
	       : air.eutran.n_requested > JITSIM_S6A_FTA_VECTORS_MAX ? JITSIM_S6A_FTA_VECTORS_MAX
								     : air.eutran.n_requested;
	rq.n = s6a_air_fit(e, &air.req, rq.n);
	memcpy(rq.plmn, air.visited_plmn, sizeof(rq.plmn));
	if (air.eutran.has_resync) {
		memcpy(rs.rand, air.eutran.rand, sizeof(rs.rand));
		memcpy(rs.auts, air.eutran.auts, sizeof(rs.auts));
		rq.resync = &rs;
	}
	rc = s6a_sim_usable(e, imsi, &rec);
	if (rc == 0)
		rc = jitsim_auth_vectors(e->auth, imsi, &rq, v, err, sizeof(err));
	if (rc < 0) {
		/* Unknown, locked or without keys: what its real HSS would
		 * say. A wrong AUTS or a store failure: UNABLE_TO_COMPLY. */
		const bool unknown = rc == -ENOENT || rc == -ENOKEY || rc == -EPERM;

		if (rc != -ENOENT && rc != -EPERM && rc != -EIO)
			fta_log_limited(e, "AIR: %s", err);
		s6a_error(e, S6A_TO(m), imsi, ohash, &air.req,
			  unknown ? 0 : JITSIM_DIAM_UNABLE_TO_COMPLY,
			  unknown ? JITSIM_S6A_ERROR_USER_UNKNOWN : 0, NULL, now);
		return;
	}
	memset(ev, 0, sizeof(ev));
	for (unsigned int i = 0; i < rq.n; i++) {
		memcpy(ev[i].rand, v[i].rand, sizeof(ev[i].rand));
		memcpy(ev[i].xres, v[i].xres, sizeof(v[i].xres));
		ev[i].xres_len = (uint8_t)sizeof(v[i].xres);
		memcpy(ev[i].autn, v[i].autn, sizeof(ev[i].autn));
		memcpy(ev[i].kasme, v[i].kasme, sizeof(ev[i].kasme));
	}
	jitsim_auth_vec_wipe(v, rq.n);
	memset(&ai, 0, sizeof(ai));
	ai.eutran = ev;
	ai.n_eutran = rq.n;
	s6a_msg_init(&out);
	r = jitsim_s6a_fta_aia_encode(&out.w, &air.req, &e->s6a->origin, &ai);
	explicit_bzero(ev, sizeof(ev));
	if (r != JITSIM_R_OK || jitsim_wbuf_len(&out.w) > JITSIM_SIG_DATA_MAX) {
		fta_log_limited(e, "AIR: IMSI %s: AIA does not encode: %s", imsi_s,
				jitsim_reason_str(r));
		s6a_error(e, S6A_TO(m), imsi, ohash, &air.req, JITSIM_DIAM_UNABLE_TO_COMPLY, 0,
			  NULL, now);
	} else {
		s6a_answer(e, S6A_TO(m), imsi, ohash, &air.req, jitsim_wbuf_data(&out.w),
			   jitsim_wbuf_len(&out.w), JITSIM_DIAM_SUCCESS, 0, now);
		FTA_ST_ADD(e, s6a_vectors, rq.n);
		if (air.eutran.has_resync)
			FTA_ST_ADD(e, s6a_resyncs, 1);
	}
	explicit_bzero(out.buf, sizeof(out.buf));
}

/* --- ULR --- */

/* The ULR of @p failed: the error answer, the entry freed. */
static void
s6a_ulr_fail(struct jitsim_cp_fta *e, struct s6a_pend *p, uint32_t result_code, uint32_t exp_code,
	     uint64_t now)
{
	struct jitsim_s6a_fta_ulr ulr;

	if (jitsim_s6a_fta_ulr_decode(p->req, p->len, &ulr) == JITSIM_R_OK)
		s6a_error(e, p->to, p->imsi, p->ohash, &ulr.req, result_code, exp_code, NULL, now);
	FTA_ST_ADD(e, s6a_ulr_failed, 1);
	s6a_pend_free(e, p);
}

/* The SIM of the waiting ULR @p is ACTIVE with @msisdn: the ULA, then
 * the handover timer (or the end of the entry). */
static void
s6a_ula(struct jitsim_cp_fta *e, struct s6a_pend *p, uint64_t msisdn, uint64_t now)
{
	const struct jitsim_cp_fta_cfg *c = &e->cfg;
	struct jitsim_cp_fta_s6a_profile prof;
	struct jitsim_s6a_fta_subscription sub;
	struct jitsim_s6a_fta_ulr ulr;
	struct jitsim_rec rec;
	struct s6a_msg out;
	char imsi_s[JITSIM_DIGITS_MAX + 1], msisdn_s[JITSIM_DIGITS_MAX + 1] = "none", rerr[160];
	enum jitsim_reason r;
	bool skip;

	/* The bytes parsed when the ULR came: they parse again. */
	if (jitsim_s6a_fta_ulr_decode(p->req, p->len, &ulr) != JITSIM_R_OK) {
		FTA_ST_ADD(e, s6a_bad, 1);
		s6a_pend_free(e, p);
		return;
	}
	p->msisdn = msisdn;
	s6a_imsi_str(p->imsi, imsi_s, sizeof(imsi_s));
	if (msisdn != 0)
		s6a_imsi_str(msisdn, msisdn_s, sizeof(msisdn_s));
	jitsim_s6a_fta_subscription_init(&sub);
	if (msisdn != 0)
		jitsim_digits_set(&sub.msisdn, msisdn_s);
	/* The SIM's tariff (its record, written by the activation) picks
	 * the profile; a record that cannot be read gets the defaults. */
	if (jitsim_store_sim_get(e->store, p->imsi, &rec, rerr, sizeof(rerr)) != 0)
		rec.tariff = UINT16_MAX;
	jitsim_cp_fta_s6a_profile_of(c, rec.tariff, &prof);
	sub.network_access_mode = c->s6a_nam;
	sub.ambr_ul = prof.ambr_ul;
	sub.ambr_dl = prof.ambr_dl;
	snprintf(sub.apn[0].name, sizeof(sub.apn[0].name), "%s", prof.apn);
	sub.apn[0].pdn_type = prof.pdn_type;
	sub.apn[0].qci = prof.qci;
	sub.apn[0].ambr_ul = prof.ambr_ul;
	sub.apn[0].ambr_dl = prof.ambr_dl;
	/* TS 29.272 5.2.1.1.3: no Subscription-Data when the MME asked to skip it. */
	skip = (ulr.ulr_flags & JITSIM_S6A_ULR_SKIP_SUBSCRIBER_DATA) != 0;
	s6a_msg_init(&out);
	r = jitsim_s6a_fta_ula_encode(&out.w, &ulr.req, &e->s6a->origin, 0, skip ? NULL : &sub);
	if (r != JITSIM_R_OK || jitsim_wbuf_len(&out.w) > JITSIM_SIG_DATA_MAX) {
		fta_log_limited(e, "ULR: IMSI %s: ULA does not encode: %s", imsi_s,
				jitsim_reason_str(r));
		s6a_ulr_fail(e, p, JITSIM_DIAM_UNABLE_TO_COMPLY, 0, now);
		return;
	}
	if (s6a_answer(e, p->to, p->imsi, p->ohash, &ulr.req, jitsim_wbuf_data(&out.w),
		       jitsim_wbuf_len(&out.w), JITSIM_DIAM_SUCCESS, 0, now) != 0) {
		/* Not sent: no CLR for an attach the MME never finished; its
		 * retransmitted ULR finds the SIM ACTIVE and is proxied. */
		explicit_bzero(jitsim_wbuf_data(&out.w), jitsim_wbuf_len(&out.w));
		s6a_pend_free(e, p);
		return;
	}
	FTA_ST_ADD(e, s6a_ula, 1);
	fta_log("first attach (S6a): IMSI %s MSISDN %s: ULA after %" PRIu64 " ms", imsi_s, msisdn_s,
		(now - p->t0_ns) / 1000000);
	if (c->handover_delay_s == 0) {
		s6a_pend_free(e, p);
		return;
	}
	s6a_pend_set_state(e, p, S6A_HANDOVER, now);
}

static void
s6a_activated(struct jitsim_cp_fta *e, struct s6a_pend *p, bool active, uint64_t msisdn,
	      uint64_t now)
{
	if (p->state != S6A_WAIT_ACTIVE)
		return;
	if (active)
		s6a_ula(e, p, msisdn, now);
	else
		s6a_ulr_fail(e, p, JITSIM_DIAM_UNABLE_TO_COMPLY, 0, now);
}

/* The waiting ULR of the same request (a duplicate), or NULL. */
static struct s6a_pend *
s6a_pend_find(struct fta_s6a *s, uint64_t imsi, uint32_t ohash, uint32_t e2e)
{
	for (uint32_t k = s->wait_hash[s6a_wait_hash(imsi)]; k != FTA_NIL; k = s->pend[k].hnext) {
		struct s6a_pend *p = &s->pend[k];

		if (p->imsi == imsi && p->ohash == ohash && p->e2e == e2e)
			return p;
	}
	return NULL;
}

static void
s6a_ulr(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint32_t ohash, uint64_t now)
{
	struct jitsim_s6a_fta_ulr ulr;
	struct jitsim_rec rec;
	struct s6a_pend *p;
	enum jitsim_reason r;
	uint64_t imsi;
	int rc;

	r = jitsim_s6a_fta_ulr_decode(m->data, m->len, &ulr);
	if (r == JITSIM_R_OK && (p = s6a_pend_find(e->s6a, jitsim_digits_key(&ulr.req.imsi), ohash,
						   ulr.req.e2e)) != NULL) {
		/* The first one is still waiting: its ULA answers this one,
		 * on the connection and with the hop-by-hop id of the latest
		 * copy (after a failover, RFC 6733 5.5.4, the first one's peer
		 * may be gone). */
		if (p->state == S6A_WAIT_ACTIVE && m->len <= sizeof(p->req)) {
			p->to = S6A_TO(m);
			p->len = m->len;
			memcpy(p->req, m->data, m->len);
		}
		FTA_ST_ADD(e, s6a_dup_pending, 1);
		return;
	}
	FTA_ST_ADD(e, s6a_requests[JITSIM_CP_FTA_S6A_ULR], 1);
	if (r == JITSIM_R_DIAM_BAD_AVP) {
		s6a_error(e, S6A_TO(m), m->imsi, ohash, &ulr.req, ulr.req.err.result_code, 0,
			  &ulr.req.err, now);
		return;
	}
	if (r != JITSIM_R_OK) {
		FTA_ST_ADD(e, s6a_bad, 1);
		return;
	}
	imsi = jitsim_digits_key(&ulr.req.imsi);
	rc = s6a_sim_usable(e, imsi, &rec);
	if (rc != 0) {
		const bool unknown = rc == -ENOENT || rc == -EPERM;

		FTA_ST_ADD(e, s6a_ulr_failed, 1);
		s6a_error(e, S6A_TO(m), imsi, ohash, &ulr.req,
			  unknown ? 0 : JITSIM_DIAM_UNABLE_TO_COMPLY,
			  unknown ? JITSIM_S6A_ERROR_USER_UNKNOWN : 0, NULL, now);
		return;
	}
	p = s6a_pend_new(e, imsi, now);
	if (p == NULL) {
		/* Table full: 3004 makes the MME try another HSS (or again). */
		FTA_ST_ADD(e, s6a_full, 1);
		s6a_error(e, S6A_TO(m), imsi, ohash, &ulr.req, JITSIM_DIAM_TOO_BUSY, 0, NULL, now);
		return;
	}
	p->to = S6A_TO(m);
	p->ohash = ohash;
	p->e2e = ulr.req.e2e;
	p->len = m->len;
	memcpy(p->req, m->data, m->len);
	/* Provisioned already (the activation ran from the AIR's event, or a
	 * ULR after a lost ULA): at once. The job its attach started failed
	 * just before: 5012 at once. */
	if (rec.state == JITSIM_SIM_ACTIVE)
		s6a_activated(e, p, true, rec.msisdn, now);
	else if (fta_failed_recently(e, imsi, now))
		s6a_activated(e, p, false, 0, now);
}

/* --- CLR --- */

/* Handover: Cancel-Location-Request (SUBSCRIPTION_WITHDRAWAL, with
 * Reattach-Required) to the MME that sent the ULR, on the same dp peer:
 * the MME detaches the UE asking it to attach again, and that attach
 * (the SIM ACTIVE now) goes through the dataplane's proxy to the real
 * HSS (TS 29.272 5.2.1.2, 7.3.152). */
static void
s6a_clr(struct jitsim_cp_fta *e, struct s6a_pend *p, uint64_t now)
{
	struct fta_s6a *s = e->s6a;
	struct jitsim_s6a_fta_ulr ulr;
	struct jitsim_s6a_fta_clr clr;
	struct s6a_msg out;
	char host[256], realm[256], sid[JITSIM_CP_FTA_DIAM_ID_MAX + 40];
	char imsi_s[JITSIM_DIGITS_MAX + 1];
	uint32_t gen_mask;

	if (jitsim_s6a_fta_ulr_decode(p->req, p->len, &ulr) != JITSIM_R_OK ||
	    ulr.req.origin_host.len >= sizeof(host) || ulr.req.origin_realm.len >= sizeof(realm)) {
		FTA_ST_ADD(e, s6a_bad, 1);
		s6a_pend_free(e, p);
		return;
	}
	memcpy(host, ulr.req.origin_host.p, ulr.req.origin_host.len);
	host[ulr.req.origin_host.len] = '\0';
	memcpy(realm, ulr.req.origin_realm.p, ulr.req.origin_realm.len);
	realm[ulr.req.origin_realm.len] = '\0';
	/* RFC 6733 8.8: <DiameterIdentity>;<high 32 bits>;<low 32 bits>. */
	snprintf(sid, sizeof(sid), "%s;%" PRIu32 ";%" PRIu32 ";clr", s->origin.host, s->sid_hi,
		 ++s->sid_lo);
	/* A new generation per CLR: a late CLA of an earlier entry of the
	 * same slot finds no match. */
	gen_mask = (1u << (24 - s->idx_bits)) - 1;
	p->gen = (p->gen + 1) & gen_mask;
	p->hbh = (uint32_t)JITSIM_DIAM_HBH_TAG << 24 | p->gen << s->idx_bits | s6a_idx(s, p);
	memset(&clr, 0, sizeof(clr));
	clr.hbh = p->hbh;
	clr.e2e = s->e2e_next++;
	clr.session_id = sid;
	clr.dest_host = host;
	clr.dest_realm = realm;
	clr.imsi = &ulr.req.imsi;
	clr.cancellation_type = JITSIM_S6A_CANCEL_SUBSCRIPTION_WITHDRAWAL;
	/* TS 29.272 7.3.152: S6a/S6d-Indicator as the ULR had it (an MME sets
	 * it, an SGSN over S6d does not). */
	clr.clr_flags = JITSIM_S6A_CLR_REATTACH_REQUIRED;
	if (ulr.ulr_flags & JITSIM_S6A_ULR_S6A_S6D_INDICATOR)
		clr.clr_flags |= JITSIM_S6A_CLR_S6A_S6D_INDICATOR;
	s6a_msg_init(&out);
	p->clr_tries++;
	s6a_pend_set_state(e, p, S6A_WAIT_CLA, now);
	if (jitsim_s6a_fta_clr_encode(&out.w, &s->origin, &clr) != JITSIM_R_OK) {
		s6a_imsi_str(p->imsi, imsi_s, sizeof(imsi_s));
		fta_log_limited(e, "CLR: IMSI %s: does not encode", imsi_s);
		s6a_pend_free(e, p);
		return;
	}
	/* Not sent (ring full): the entry waits for its timer, then tries
	 * again (s6a_expired). */
	/* A new request, not an answer: on whatever connection the MME's
	 * peer has now (connection number 0), so a reconnect in between does
	 * not lose it. */
	if (s6a_put_down(e, p->to & 0xffffu, p->imsi, jitsim_wbuf_data(&out.w),
			 jitsim_wbuf_len(&out.w)) == 0)
		FTA_ST_ADD(e, s6a_clr_sent, 1);
}

/* An answer from a client peer whose hop-by-hop id is ours: the CLA. */
static void
s6a_cla(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m)
{
	struct fta_s6a *s = e->s6a;
	struct jitsim_diam_hdr h;
	struct jitsim_s6a a;
	struct s6a_pend *p;
	uint32_t i;

	if (jitsim_diam_decode_hdr(m->data, m->len, &h) != JITSIM_R_OK ||
	    (h.flags & JITSIM_DIAM_FLAG_R) != 0) {
		FTA_ST_ADD(e, s6a_bad, 1);
		return;
	}
	i = h.hbh & ((1u << s->idx_bits) - 1);
	p = h.hbh >> 24 == JITSIM_DIAM_HBH_TAG && i < s->n ? &s->pend[i] : NULL;
	if (p == NULL || p->state != S6A_WAIT_CLA || p->hbh != h.hbh ||
	    h.cmd != JITSIM_S6A_CMD_CLR) {
		FTA_ST_ADD(e, s6a_stray, 1);
		return;
	}
	/* RFC 6733 7.1: 2xxx only in Result-Code; an Experimental-Result
	 * (or no result at all) is a refusal. */
	if (jitsim_s6a_decode(m->data, m->len, &a) == JITSIM_R_OK && a.has_result_code &&
	    a.result_code == JITSIM_DIAM_SUCCESS)
		FTA_ST_ADD(e, s6a_cla_ok, 1);
	else
		FTA_ST_ADD(e, s6a_cla_error, 1);
	s6a_pend_free(e, p);
}

/* --- input --- */

void
fta_s6a_input(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint64_t now)
{
	struct jitsim_s6a_fta_req req;
	const struct s6a_cached *c;
	enum jitsim_reason r;
	uint32_t ohash;

	if (m->len < JITSIM_DIAM_HDR_LEN || m->len > JITSIM_SIG_DATA_MAX) {
		FTA_ST_ADD(e, s6a_bad, 1);
		return;
	}
	/* An answer: R clear, whatever the flag says (a worker never
	 * forwards one; diamio flags those of our CLRs). */
	if ((m->flags & JITSIM_SIG_F_ANSWER) != 0 || (m->data[4] & JITSIM_DIAM_FLAG_R) == 0) {
		s6a_cla(e, m);
		return;
	}
	r = jitsim_s6a_fta_req_decode(m->data, m->len, 0, &req);
	if (r != JITSIM_R_OK && r != JITSIM_R_DIAM_BAD_AVP) {
		/* No header to answer with (the workers check it first). */
		FTA_ST_ADD(e, s6a_bad, 1);
		return;
	}
	ohash = s6a_fnv1a(req.origin_host.p, req.origin_host.len);
	/* Looked up for every request, flagged or not: a duplicate the
	 * dataplane missed (its own cache is per worker) costs no SQN. */
	c = s6a_cache_find(e->s6a, ohash, &req, now);
	if (c != NULL) {
		uint8_t buf[JITSIM_SIG_DATA_MAX];

		memcpy(buf, c->data, c->len);
		/* RFC 6733 6.2: the answer carries the request's hop-by-hop id. */
		jitsim_put_be32(buf + 12, req.hbh);
		if (s6a_put_down(e, S6A_TO(m), m->imsi, buf, c->len) == 0)
			FTA_ST_ADD(e, s6a_dup_resent, 1);
		explicit_bzero(buf, c->len);
		return;
	}
	switch (req.cmd) {
	case JITSIM_S6A_CMD_AIR:
		s6a_air(e, m, ohash, now);
		return;
	case JITSIM_S6A_CMD_ULR:
		s6a_ulr(e, m, ohash, now);
		return;
	case JITSIM_S6A_CMD_PUR:
	case JITSIM_S6A_CMD_NOR: {
		const bool pur = req.cmd == JITSIM_S6A_CMD_PUR;
		struct jitsim_rec rec;
		struct s6a_msg out;
		uint64_t imsi;
		int rc;

		FTA_ST_ADD(e, s6a_requests[pur ? JITSIM_CP_FTA_S6A_PUR : JITSIM_CP_FTA_S6A_NOR], 1);
		if (r == JITSIM_R_DIAM_BAD_AVP) {
			s6a_error(e, S6A_TO(m), m->imsi, ohash, &req, req.err.result_code, 0,
				  &req.err, now);
			return;
		}
		imsi = jitsim_digits_key(&req.imsi);
		rc = s6a_sim_usable(e, imsi, &rec);
		if (rc != 0) {
			const bool unknown = rc == -ENOENT || rc == -EPERM;

			s6a_error(e, S6A_TO(m), imsi, ohash, &req,
				  unknown ? 0 : JITSIM_DIAM_UNABLE_TO_COMPLY,
				  unknown ? JITSIM_S6A_ERROR_USER_UNKNOWN : 0, NULL, now);
			return;
		}
		/* Nothing to purge or notify: jitsim keeps no MME registration
		 * (the real HSS gets the subscriber after the handover). */
		s6a_msg_init(&out);
		r = pur ? jitsim_s6a_fta_pua_encode(&out.w, &req, &e->s6a->origin, 0)
			: jitsim_s6a_fta_noa_encode(&out.w, &req, &e->s6a->origin);
		if (r != JITSIM_R_OK || jitsim_wbuf_len(&out.w) > JITSIM_SIG_DATA_MAX) {
			s6a_error(e, S6A_TO(m), imsi, ohash, &req, JITSIM_DIAM_UNABLE_TO_COMPLY, 0,
				  NULL, now);
			return;
		}
		s6a_answer(e, S6A_TO(m), imsi, ohash, &req, jitsim_wbuf_data(&out.w),
			   jitsim_wbuf_len(&out.w), JITSIM_DIAM_SUCCESS, 0, now);
		return;
	}
	default:
		/* An MME sends no other S6a request to an HSS (the rest go
		 * HSS -> MME); the base node lets only S6a commands through. */
		FTA_ST_ADD(e, s6a_requests[JITSIM_CP_FTA_S6A_OTHER], 1);
		s6a_error(e, S6A_TO(m), m->imsi, ohash, &req, JITSIM_DIAM_COMMAND_UNSUPPORTED, 0,
			  NULL, now);
		return;
	}
}

/* --- notes, timers --- */

bool
fta_s6a_note(struct jitsim_cp_fta *e, uint64_t imsi, uint64_t msisdn, bool active, uint64_t now)
{
	struct fta_s6a *s = e->s6a;
	uint32_t k = s->wait_hash[s6a_wait_hash(imsi)];
	bool waited = false;

	while (k != FTA_NIL) {
		struct s6a_pend *p = &s->pend[k];

		/* Resolving unlinks it from the chain. */
		k = p->hnext;
		if (p->imsi == imsi) {
			s6a_activated(e, p, active, msisdn, now);
			waited = true;
		}
	}
	return waited;
}

static void
s6a_expired(struct jitsim_cp_fta *e, struct s6a_pend *p, uint64_t now)
{
	switch (p->state) {
	case S6A_WAIT_ACTIVE:
		/* No activation in time: the MME rejects this attach; the next
		 * one finds the SIM further on. */
		FTA_ST_ADD(e, s6a_ulr_timeouts, 1);
		s6a_ulr_fail(e, p, JITSIM_DIAM_UNABLE_TO_COMPLY, 0, now);
		break;
	case S6A_HANDOVER:
		s6a_clr(e, p, now);
		break;
	default:
		/* No CLA: the CLR (or its answer) was lost, or never left (the
		 * ring was full). Without it the MME never attaches to the real
		 * HSS, so it goes again, S6A_CLR_TRIES in all. */
		if (p->clr_tries < S6A_CLR_TRIES) {
			FTA_ST_ADD(e, s6a_clr_resent, 1);
			s6a_clr(e, p, now);
			break;
		}
		FTA_ST_ADD(e, s6a_cla_timeouts, 1);
		s6a_pend_free(e, p);
		break;
	}
}

unsigned int
fta_s6a_timers(struct jitsim_cp_fta *e, uint64_t now)
{
	struct fta_s6a *s = e->s6a;
	unsigned int work = 0;

	for (unsigned int st = S6A_WAIT_ACTIVE; st < S6A_STATE_MAX; st++) {
		/* Bounded per turn, as the MAP dialogues'. */
		for (unsigned int k = 0; k < 256; k++) {
			const uint32_t i = s->timers[st].head;

			if (i == FTA_NIL || s->pend[i].deadline_ns > now)
				break;
			s6a_expired(e, &s->pend[i], now);
			work++;
		}
	}
	/* Expired answers hold vectors (XRES, KASME): wiped within a few
	 * seconds of their 4 minutes even when no request looks at their
	 * slot again (64 slots a turn, the whole cache every 64 turns). */
	for (unsigned int k = 0; k < 64; k++) {
		struct s6a_cached *c = &s->cache[s->cache_sweep++ & (S6A_CACHE_SIZE - 1)];

		if (c->at_ns != 0 && now - c->at_ns >= S6A_CACHE_NS) {
			explicit_bzero(c->data, c->len);
			c->at_ns = 0;
		}
	}
	return work;
}

unsigned int
fta_s6a_recheck(struct jitsim_cp_fta *e, uint64_t now)
{
	struct fta_s6a *s = e->s6a;
	uint32_t i = s->timers[S6A_WAIT_ACTIVE].head;
	unsigned int work = 0;

	while (i != FTA_NIL) {
		struct s6a_pend *p = &s->pend[i];
		struct jitsim_rec rec;
		int rc;

		i = p->next;
		if (p->recheck_ns > now)
			continue;
		p->recheck_ns = now + FTA_RECHECK_NS;
		rc = s6a_sim_usable(e, p->imsi, &rec);
		if (rc == 0 && rec.state == JITSIM_SIM_ACTIVE) {
			s6a_activated(e, p, true, rec.msisdn, now);
			work++;
		} else if (rc == -ENOENT || rc == -EPERM) {
			/* Gone, locked or blocked meanwhile. */
			s6a_ulr_fail(e, p, 0, JITSIM_S6A_ERROR_USER_UNKNOWN, now);
			work++;
		}
	}
	return work;
}

/* --- lifecycle, status --- */

int
fta_s6a_new(struct jitsim_cp_fta *e, char *err, size_t errlen)
{
	struct fta_s6a *s = calloc(1, sizeof(*s));
	struct timespec ts;

	if (s == NULL)
		goto nomem;
	s->n = e->cfg.max_dialogues < S6A_PEND_MAX ? e->cfg.max_dialogues : S6A_PEND_MAX;
	while ((1u << s->idx_bits) < s->n)
		s->idx_bits++;
	s->pend = calloc(s->n, sizeof(*s->pend));
	s->cache = calloc(S6A_CACHE_SIZE, sizeof(*s->cache));
	if (s->pend == NULL || s->cache == NULL) {
		free(s->pend);
		free(s->cache);
		free(s);
		goto nomem;
	}
	s->free_head = FTA_NIL;
	for (unsigned int st = 0; st < S6A_STATE_MAX; st++)
		s->timers[st].head = s->timers[st].tail = FTA_NIL;
	for (unsigned int h = 0; h < FTA_WAIT_HASH_SIZE; h++)
		s->wait_hash[h] = FTA_NIL;
	s->origin.host = e->cfg.s6a_origin_host;
	s->origin.realm = e->cfg.s6a_origin_realm;
	/* RFC 6733 3: End-to-End ids start with the low 12 bits of the time
	 * in the high bits, so a restart does not reuse recent ones. */
	clock_gettime(CLOCK_REALTIME, &ts);
	s->e2e_next = (uint32_t)ts.tv_sec << 20 | ((uint32_t)ts.tv_nsec & 0xfffffu);
	s->sid_hi = (uint32_t)ts.tv_sec;
	e->s6a = s;
	return 0;
nomem:
	snprintf(err, errlen, "out of memory (S6a: %u entries)", e->cfg.max_dialogues);
	return -ENOMEM;
}

void
fta_s6a_free(struct jitsim_cp_fta *e)
{
	struct fta_s6a *s = e->s6a;

	if (s == NULL)
		return;
	/* Cached AIAs hold vectors. */
	explicit_bzero(s->cache, S6A_CACHE_SIZE * sizeof(*s->cache));
	free(s->cache);
	free(s->pend);
	free(s);
	e->s6a = NULL;
}

json_t *
fta_s6a_status_json(const struct jitsim_cp_fta_stats *st)
{
	json_t *req = json_object(), *ans = json_object();

	if (req == NULL || ans == NULL) {
		json_decref(req);
		json_decref(ans);
		return NULL;
	}
	for (unsigned int i = 0; i < JITSIM_CP_FTA_S6A_CMD_MAX; i++)
		json_object_set_new(req, s6a_cmd_names[i],
				    json_integer((json_int_t)st->s6a_requests[i]));
	for (unsigned int i = 0; i < JITSIM_CP_FTA_S6A_CODE_MAX; i++)
		json_object_set_new(ans, s6a_code_names[i],
				    json_integer((json_int_t)st->s6a_answers[i]));
	return json_pack(
		"{s:o,s:o,s:I,s:I,s:{s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},"
		"s:{s:I,s:I},s:I,s:I,s:I}",
		"requests", req, "answers", ans, "vectors", (json_int_t)st->s6a_vectors, "resyncs",
		(json_int_t)st->s6a_resyncs, "ulr", "completed", (json_int_t)st->s6a_ula, "failed",
		(json_int_t)st->s6a_ulr_failed, "timeouts", (json_int_t)st->s6a_ulr_timeouts,
		"pending", (json_int_t)st->s6a_pending, "full", (json_int_t)st->s6a_full, "clr",
		"sent", (json_int_t)st->s6a_clr_sent, "answered", (json_int_t)st->s6a_cla_ok,
		"refused", (json_int_t)st->s6a_cla_error, "timeouts",
		(json_int_t)st->s6a_cla_timeouts, "resent", (json_int_t)st->s6a_clr_resent,
		"duplicates", "resent", (json_int_t)st->s6a_dup_resent, "pending",
		(json_int_t)st->s6a_dup_pending, "bad", (json_int_t)st->s6a_bad, "stray",
		(json_int_t)st->s6a_stray, "send_drops", (json_int_t)st->s6a_send_drops);
}
