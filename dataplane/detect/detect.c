/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Detection rules (contract in detect.h, rules table in docs/detect.md).
 *
 * Cost model: classify() runs for every message and must be a handful of
 * branches and counter increments; apply() runs once per burst and spends
 * its time in the two bulk lookups (prefetched across the burst) and, for
 * the few candidates whose state calls for it, one CAS in the table. The
 * only division, now_s / epoch_s, is made once per apply() call; the
 * divisions of the home-prefix test are on the miss path only.
 */

#include <errno.h>
#include <stddef.h>
#include <string.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/sim.h>

#include "detect.h"

_Static_assert(JITSIM_DETECT_BURST <= JITSIM_TABLE_BULK_MAX, "one bulk lookup per burst");

#define DETECT_DEF_LEASE_S 30
#define DETECT_DEF_EPOCH_S 3600
#define DETECT_DEF_UNKNOWN_PER_S 10

/* Digit count of a compact key (jitsim_digits_key(): count << 56 | value). */
#define DETECT_KEY_COUNT(k) ((unsigned int)((k) >> 56))
#define DETECT_KEY_VALUE(k) ((k) & ((1ULL << 56) - 1))
/* Compact keys hold at most 16 digits (10^16 < 2^56). */
#define DETECT_KEY_DIGITS_MAX 16

static const uint64_t detect_pow10[DETECT_KEY_DIGITS_MAX + 1] = {
	1ULL,
	10ULL,
	100ULL,
	1000ULL,
	10000ULL,
	100000ULL,
	1000000ULL,
	10000000ULL,
	100000000ULL,
	1000000000ULL,
	10000000000ULL,
	100000000000ULL,
	1000000000000ULL,
	10000000000000ULL,
	100000000000000ULL,
	1000000000000000ULL,
	10000000000000000ULL,
};

static const uint32_t detect_diam_codes[JITSIM_DETECT_DIAM_MAX] = {
	[JITSIM_DETECT_DIAM_OTHER] = 0, [JITSIM_DETECT_DIAM_CER] = 257,
	[JITSIM_DETECT_DIAM_DWR] = 280, [JITSIM_DETECT_DIAM_DPR] = 282,
	[JITSIM_DETECT_DIAM_ULR] = 316, [JITSIM_DETECT_DIAM_CLR] = 317,
	[JITSIM_DETECT_DIAM_AIR] = 318, [JITSIM_DETECT_DIAM_IDR] = 319,
	[JITSIM_DETECT_DIAM_DSR] = 320, [JITSIM_DETECT_DIAM_PUR] = 321,
	[JITSIM_DETECT_DIAM_RSR] = 322, [JITSIM_DETECT_DIAM_NOR] = 323,
};

static const char *const detect_diam_names[JITSIM_DETECT_DIAM_MAX] = {
	[JITSIM_DETECT_DIAM_OTHER] = "other", [JITSIM_DETECT_DIAM_CER] = "CER",
	[JITSIM_DETECT_DIAM_DWR] = "DWR",     [JITSIM_DETECT_DIAM_DPR] = "DPR",
	[JITSIM_DETECT_DIAM_ULR] = "ULR",     [JITSIM_DETECT_DIAM_CLR] = "CLR",
	[JITSIM_DETECT_DIAM_AIR] = "AIR",     [JITSIM_DETECT_DIAM_IDR] = "IDR",
	[JITSIM_DETECT_DIAM_DSR] = "DSR",     [JITSIM_DETECT_DIAM_PUR] = "PUR",
	[JITSIM_DETECT_DIAM_RSR] = "RSR",     [JITSIM_DETECT_DIAM_NOR] = "NOR",
};

uint32_t
jitsim_detect_diam_code(unsigned int idx)
{
	return idx < JITSIM_DETECT_DIAM_MAX ? detect_diam_codes[idx] : 0;
}

const char *
jitsim_detect_diam_name(unsigned int idx)
{
	return idx < JITSIM_DETECT_DIAM_MAX ? detect_diam_names[idx] : "other";
}

void
jitsim_detect_cfg_default(struct jitsim_detect_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->lease_s = DETECT_DEF_LEASE_S;
	c->epoch_s = DETECT_DEF_EPOCH_S;
	c->unknown_per_s = DETECT_DEF_UNKNOWN_PER_S;
}

int
jitsim_detect_cfg_add_home(struct jitsim_detect_cfg *c, const char *prefix)
{
	uint64_t v = 0;
	size_t n;

	if (prefix == NULL)
		return -EINVAL;
	for (n = 0; prefix[n] != '\0'; n++) {
		if (prefix[n] < '0' || prefix[n] > '9' || n >= 15)
			return -EINVAL;
		v = v * 10 + (uint64_t)(prefix[n] - '0');
	}
	if (n == 0)
		return -EINVAL;
	if (c->n_home >= JITSIM_DETECT_HOME_MAX)
		return -ENOSPC;
	c->home_value[c->n_home] = v;
	c->home_len[c->n_home] = (uint8_t)n;
	c->n_home++;
	return 0;
}

void
jitsim_detect_init(struct jitsim_detect *d, const struct jitsim_detect_cfg *cfg,
		   struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn,
		   uint16_t lcore)
{
	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->imsi = imsi;
	d->msisdn = msisdn;
	d->lcore = lcore;
}

static inline unsigned int
detect_diam_idx(uint32_t cmd)
{
	switch (cmd) {
	case 257:
		return JITSIM_DETECT_DIAM_CER;
	case 280:
		return JITSIM_DETECT_DIAM_DWR;
	case 282:
		return JITSIM_DETECT_DIAM_DPR;
	case JITSIM_S6A_CMD_ULR:
		return JITSIM_DETECT_DIAM_ULR;
	case JITSIM_S6A_CMD_CLR:
		return JITSIM_DETECT_DIAM_CLR;
	case JITSIM_S6A_CMD_AIR:
		return JITSIM_DETECT_DIAM_AIR;
	case JITSIM_S6A_CMD_IDR:
		return JITSIM_DETECT_DIAM_IDR;
	case JITSIM_S6A_CMD_DSR:
		return JITSIM_DETECT_DIAM_DSR;
	case JITSIM_S6A_CMD_PUR:
		return JITSIM_DETECT_DIAM_PUR;
	case JITSIM_S6A_CMD_RSR:
		return JITSIM_DETECT_DIAM_RSR;
	case JITSIM_S6A_CMD_NOR:
		return JITSIM_DETECT_DIAM_NOR;
	default:
		return JITSIM_DETECT_DIAM_OTHER;
	}
}

/* 32-bit FNV-1a: lets the control plane tell MMEs apart without carrying
 * the Origin-Host string in a 64-byte record. 0 when absent. */
static inline uint32_t
detect_fnv1a(const uint8_t *p, size_t len)
{
	uint32_t h = 0x811c9dc5u;

	if (p == NULL)
		return 0;
	for (size_t i = 0; i < len; i++) {
		h ^= p[i];
		h *= 0x01000193u;
	}
	return h;
}

static inline uint64_t
detect_visited_key(const struct jitsim_msg *m)
{
	return m->has_visited ? jitsim_digits_key_inline(m->visited) : 0;
}

static inline bool
detect_classify_map(struct jitsim_detect *d, const struct jitsim_msg *m,
		    struct jitsim_detect_cand *c)
{
	const struct jitsim_tcap_component *comp = m->map.comp;
	uint8_t kind, vkind;
	uint64_t key;

	d->st.msgs_map++;
	switch (m->map.sccp_type) {
	case JITSIM_SCCP_UDTS:
	case JITSIM_SCCP_XUDTS:
	case JITSIM_SCCP_LUDTS:
		/* The network sent our peer's message back: nothing happened
		 * to the subscriber. */
		d->st.map_returned++;
		return false;
	default:
		break;
	}
	if (!m->is_request) {
		unsigned int type = comp != NULL ? comp->type : 0;

		if (type == JITSIM_TCAP_ERROR)
			d->st.map_error[m->op & 0xff]++;
		else if (type == JITSIM_TCAP_RESULT_LAST || type == JITSIM_TCAP_RESULT_NOT_LAST)
			d->st.map_result[m->has_op ? m->op & 0xff : 0]++;
		else
			d->st.map_reject++;
		return false;
	}
	if (!m->has_op)
		return false;
	d->st.map_invoke[m->op & 0xff]++;

	switch (m->op) {
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		kind = JITSIM_DETECT_ATTACH;
		vkind = JITSIM_EV_VIS_GT;
		break;
	case JITSIM_MAP_OP_UPDATE_LOCATION:
		kind = JITSIM_DETECT_ATTACH;
		vkind = JITSIM_EV_VIS_VLR;
		break;
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		kind = JITSIM_DETECT_ATTACH;
		vkind = JITSIM_EV_VIS_SGSN;
		break;
	case JITSIM_MAP_OP_PURGE_MS:
		kind = JITSIM_DETECT_OTHER;
		vkind = JITSIM_EV_VIS_VLR;
		break;
	case JITSIM_MAP_OP_SEND_ROUTING_INFO:
	case JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		kind = JITSIM_DETECT_MT;
		vkind = JITSIM_EV_VIS_GT;
		break;
	default:
		return false;
	}
	key = kind == JITSIM_DETECT_MT ? (m->has_msisdn ? m->msisdn_key : 0)
				       : (m->has_imsi ? m->imsi_key : 0);
	if (key == 0) {
		d->st.trig_no_id++;
		return false;
	}
	c->key = key;
	c->msisdn = m->has_msisdn ? m->msisdn_key : 0;
	c->visited = detect_visited_key(m);
	c->imei = 0;
	c->origin_hash = 0;
	c->op = (uint16_t)m->op;
	c->rat_type = 0xffff;
	c->kind = kind;
	c->proto = JITSIM_EV_PROTO_MAP;
	c->visited_kind = c->visited != 0 ? vkind : JITSIM_EV_VIS_NONE;
	c->map_version = m->map.map_version;
	c->spare = 0;
	d->st.triggers++;
	/* The lookup comes with the rest of the burst; the frames decoded in
	 * between hide the fetch of its first line. */
	if (kind == JITSIM_DETECT_MT)
		jitsim_table_msisdn_prefetch(d->msisdn, key);
	else
		jitsim_table_imsi_prefetch(d->imsi, key);
	return true;
}

static inline bool
detect_classify_diam(struct jitsim_detect *d, const struct jitsim_msg *m,
		     struct jitsim_detect_cand *c)
{
	const struct jitsim_s6a *s = &m->diam;
	uint32_t cmd = s->hdr.cmd;
	uint8_t kind;

	d->st.msgs_diameter++;
	if (!m->is_request) {
		d->st.diam_ans[detect_diam_idx(cmd)]++;
		return false;
	}
	d->st.diam_req[detect_diam_idx(cmd)]++;
	switch (cmd) {
	case JITSIM_S6A_CMD_ULR:
	case JITSIM_S6A_CMD_AIR:
		kind = JITSIM_DETECT_ATTACH;
		break;
	case JITSIM_S6A_CMD_PUR:
	case JITSIM_S6A_CMD_NOR:
		kind = JITSIM_DETECT_OTHER;
		break;
	default:
		return false;
	}
	if (!m->has_imsi || m->imsi_key == 0) {
		d->st.trig_no_id++;
		return false;
	}
	c->key = m->imsi_key;
	c->msisdn = m->has_msisdn ? m->msisdn_key : 0;
	c->visited = detect_visited_key(m);
	c->imei = s->has_imei ? jitsim_digits_key_inline(&s->imei) : 0;
	c->origin_hash = detect_fnv1a(s->origin_host.p, s->origin_host.len);
	c->op = (uint16_t)cmd;
	/* 0xffff means absent: a value that does not fit is reported so too. */
	c->rat_type = s->has_rat_type && s->rat_type < 0xffff ? (uint16_t)s->rat_type : 0xffff;
	c->kind = kind;
	c->proto = JITSIM_EV_PROTO_DIAMETER;
	c->visited_kind = c->visited != 0 ? JITSIM_EV_VIS_PLMN : JITSIM_EV_VIS_NONE;
	c->map_version = 0;
	c->spare = 0;
	d->st.triggers++;
	jitsim_table_imsi_prefetch(d->imsi, c->key);
	return true;
}

bool
jitsim_detect_classify(struct jitsim_detect *d, const struct jitsim_msg *m,
		       struct jitsim_detect_cand *c)
{
	switch (m->proto) {
	case JITSIM_MSG_MAP:
		return detect_classify_map(d, m, c);
	case JITSIM_MSG_DIAMETER:
		return detect_classify_diam(d, m, c);
	default:
		return false;
	}
}

/* Miss path only: is @key (an IMSI) inside one of the home prefixes? */
static bool
detect_is_home(const struct jitsim_detect_cfg *cfg, uint64_t key)
{
	unsigned int count = DETECT_KEY_COUNT(key);
	uint64_t value = DETECT_KEY_VALUE(key);

	if (count > DETECT_KEY_DIGITS_MAX)
		return false;
	for (unsigned int i = 0; i < cfg->n_home; i++) {
		unsigned int len = cfg->home_len[i];

		if (len <= count && value / detect_pow10[count - len] == cfg->home_value[i])
			return true;
	}
	return false;
}

enum detect_act {
	DETECT_ACT_NONE,
	DETECT_ACT_LEASE, /* take (or retake) the activation lease */
	DETECT_ACT_TOUCH, /* move the epoch: once per SIM per epoch */
};

/* The rules table of detect.h, by state of the snapshot and candidate kind. */
static inline enum detect_act
detect_action(unsigned int st, unsigned int kind)
{
	switch (st) {
	case JITSIM_SIM_INVENTORY:
	case JITSIM_SIM_ACTIVATING:
		return kind == JITSIM_DETECT_ATTACH ? DETECT_ACT_LEASE : DETECT_ACT_NONE;
	case JITSIM_SIM_SLEEPING:
	case JITSIM_SIM_REACTIVATING:
		return kind != JITSIM_DETECT_OTHER ? DETECT_ACT_LEASE : DETECT_ACT_NONE;
	case JITSIM_SIM_ACTIVE:
		return kind != JITSIM_DETECT_MT ? DETECT_ACT_TOUCH : DETECT_ACT_NONE;
	case JITSIM_SIM_LOCKED:
	case JITSIM_SIM_BLOCKED:
		return kind == JITSIM_DETECT_ATTACH ? DETECT_ACT_TOUCH : DETECT_ACT_NONE;
	default:
		return DETECT_ACT_NONE;
	}
}

/* Fill the fields every event of candidate @c has. */
static inline void
detect_ev_fill(struct jitsim_detect *d, struct jitsim_event *e, const struct jitsim_detect_cand *c,
	       uint8_t type, uint64_t imsi, uint32_t now_s)
{
	e->type = type;
	e->proto = c->proto;
	e->op = c->op;
	e->visited_kind = c->visited_kind;
	e->map_version = c->map_version;
	e->prev_state = JITSIM_SIM_NONE;
	e->sim_flags = 0;
	e->lcore = d->lcore;
	e->tenant = 0;
	e->region = 0;
	e->rat_type = c->rat_type;
	e->seq = ++d->seq;
	e->lease_until = 0;
	e->imsi = imsi;
	e->msisdn = c->msisdn;
	e->visited = c->visited;
	e->imei = c->imei;
	e->origin_hash = c->origin_hash;
	e->ts_s = now_s;
}

static inline void
detect_ev_entry(struct jitsim_event *e, const struct jitsim_table_sim *s, uint64_t prev_sw)
{
	e->prev_state = (uint8_t)jitsim_table_sw_state(prev_sw);
	e->sim_flags = (uint8_t)jitsim_table_sw_flags(prev_sw);
	e->tenant = s->tenant;
	e->region = s->region;
	if (e->msisdn == 0)
		e->msisdn = s->msisdn;
}

/* Absent IMSI: UNKNOWN_IMSI for attaches in a home range, rate-limited. */
static inline bool
detect_unknown(struct jitsim_detect *d, const struct jitsim_detect_cand *c, uint64_t imsi,
	       uint32_t now_s, struct jitsim_event *e)
{
	if (c->kind != JITSIM_DETECT_ATTACH)
		return false;
	if (!detect_is_home(d->cfg, imsi)) {
		d->st.unknown_foreign++;
		return false;
	}
	d->st.unknown_home++;
	if (d->tb_sec != now_s) {
		d->tb_sec = now_s;
		d->tb_left = d->cfg->unknown_per_s;
	}
	if (d->tb_left == 0) {
		d->st.unknown_suppressed++;
		return false;
	}
	d->tb_left--;
	detect_ev_fill(d, e, c, JITSIM_EV_UNKNOWN_IMSI, imsi, now_s);
	return true;
}

/*
 * INVENTORY/SLEEPING (or an expired lease) + attach/mt: the lease. The
 * table decides again on the current word: the snapshot only tells
 * whether it is worth trying.
 */
static inline bool
detect_lease(struct jitsim_detect *d, const struct jitsim_detect_cand *c,
	     const struct jitsim_table_sim *s, uint32_t now_s, struct jitsim_event *e,
	     uint64_t *old_sw, uint64_t *new_sw)
{
	uint32_t until = now_s + d->cfg->lease_s;
	unsigned int pst;
	uint64_t prev;
	uint8_t type;

	if (!jitsim_table_imsi_take_lease(d->imsi, s->imsi, now_s, until, &prev)) {
		pst = jitsim_table_sw_state(prev);
		if (pst == JITSIM_SIM_ACTIVATING || pst == JITSIM_SIM_REACTIVATING)
			d->st.lease_held++;
		else
			d->st.race_lost++;
		return false;
	}
	pst = jitsim_table_sw_state(prev);
	*old_sw = prev;
	/* Same computation as the table: flags and spare kept. */
	*new_sw = (prev & 0x00000000ffffff00ULL) |
		  (pst == JITSIM_SIM_INVENTORY || pst == JITSIM_SIM_ACTIVATING
			   ? JITSIM_SIM_ACTIVATING
			   : JITSIM_SIM_REACTIVATING) |
		  (uint64_t)until << 32;
	if (pst == JITSIM_SIM_INVENTORY || pst == JITSIM_SIM_ACTIVATING) {
		if (c->kind == JITSIM_DETECT_MT) {
			/* The updater made it INVENTORY after our lookup: an MT
			 * message never activates a SIM. Give the word back. */
			jitsim_table_imsi_cas_state(d->imsi, s->imsi, *new_sw, prev, NULL);
			d->st.race_lost++;
			return false;
		}
		type = JITSIM_EV_FIRST_ATTACH;
	} else {
		type = c->kind == JITSIM_DETECT_MT ? JITSIM_EV_WAKEUP_MT : JITSIM_EV_REATTACH;
	}
	if (pst == JITSIM_SIM_ACTIVATING || pst == JITSIM_SIM_REACTIVATING)
		d->st.lease_retaken++;
	detect_ev_fill(d, e, c, type, s->imsi, now_s);
	detect_ev_entry(e, s, prev);
	e->lease_until = until;
	return true;
}

/* ACTIVE + attach/other, LOCKED/BLOCKED + attach: once per epoch. */
static inline bool
detect_touch(struct jitsim_detect *d, const struct jitsim_detect_cand *c,
	     const struct jitsim_table_sim *s, unsigned int st, uint32_t now_s, uint32_t epoch,
	     struct jitsim_event *e, uint64_t *old_sw, uint64_t *new_sw)
{
	if (jitsim_table_sw_time(s->sw) >= epoch) {
		d->st.epoch_repeat++;
		return false;
	}
	/* Refused: almost always an earlier message of this burst or another
	 * worker reported the SIM for this epoch since the lookup. */
	if (!jitsim_table_imsi_touch(d->imsi, s->imsi, epoch)) {
		d->st.epoch_repeat++;
		return false;
	}
	/*
	 * touch() does not say which word it replaced: it is the snapshot's
	 * unless the entry changed in between (then unwind's CAS fails and is
	 * counted, and the SIM simply stays reported for this epoch).
	 */
	*old_sw = s->sw;
	*new_sw = (s->sw & 0xffffffffULL) | (uint64_t)epoch << 32;
	detect_ev_fill(d, e, c,
		       st == JITSIM_SIM_ACTIVE ? JITSIM_EV_ACTIVITY : JITSIM_EV_BLOCKED_ATTEMPT,
		       s->imsi, now_s);
	detect_ev_entry(e, s, s->sw);
	return true;
}

/* A candidate whose SIM was found: the rule of its state. */
static inline bool
detect_one(struct jitsim_detect *d, const struct jitsim_detect_cand *c,
	   const struct jitsim_table_sim *s, uint32_t now_s, uint32_t epoch, struct jitsim_event *e,
	   uint64_t *old_sw, uint64_t *new_sw)
{
	unsigned int st = jitsim_table_sw_state(s->sw);

	switch (detect_action(st, c->kind)) {
	case DETECT_ACT_LEASE:
		/* Lease running: no need to ask the table. */
		if ((st == JITSIM_SIM_ACTIVATING || st == JITSIM_SIM_REACTIVATING) &&
		    jitsim_table_sw_time(s->sw) >= now_s) {
			d->st.lease_held++;
			return false;
		}
		return detect_lease(d, c, s, now_s, e, old_sw, new_sw);
	case DETECT_ACT_TOUCH:
		return detect_touch(d, c, s, st, now_s, epoch, e, old_sw, new_sw);
	default:
		d->st.no_action++;
		return false;
	}
}

unsigned int
jitsim_detect_apply(struct jitsim_detect *d, const struct jitsim_detect_cand *c, unsigned int n,
		    uint32_t now_s, struct jitsim_event *ev)
{
	uint64_t keys[JITSIM_DETECT_BURST], mt_keys[JITSIM_DETECT_BURST];
	unsigned int mt_idx[JITSIM_DETECT_BURST];
	struct jitsim_table_sim sims[JITSIM_DETECT_BURST];
	bool hit[JITSIM_DETECT_BURST];
	unsigned int n_mt = 0, n_ev = 0, n_keys = 0, hits;
	uint32_t epoch;

	if (n > JITSIM_DETECT_BURST)
		n = JITSIM_DETECT_BURST;
	if (n == 0)
		return 0;
	epoch = now_s / d->cfg->epoch_s;

	for (unsigned int i = 0; i < n; i++) {
		if (c[i].kind == JITSIM_DETECT_MT) {
			mt_idx[n_mt] = i;
			mt_keys[n_mt++] = c[i].key;
			keys[i] = 0;
		} else {
			keys[i] = c[i].key;
			n_keys += c[i].key != 0;
		}
	}
	if (n_mt > 0) {
		uint64_t mt_imsi[JITSIM_DETECT_BURST];

		d->st.msisdn_lookups += n_mt;
		d->st.msisdn_hits +=
			jitsim_table_msisdn_lookup_bulk(d->msisdn, mt_keys, n_mt, mt_imsi);
		for (unsigned int j = 0; j < n_mt; j++) {
			keys[mt_idx[j]] = mt_imsi[j];
			n_keys += mt_imsi[j] != 0;
		}
	}
	hits = jitsim_table_imsi_lookup_bulk(d->imsi, keys, n, sims, hit);
	d->st.lookups += n_keys;
	d->st.hits += hits;

	for (unsigned int i = 0; i < n; i++) {
		struct jitsim_event *e = &ev[n_ev];
		uint64_t old_sw = 0, new_sw = 0;
		bool made;

		if (hit[i])
			made = detect_one(d, &c[i], &sims[i], now_s, epoch, e, &old_sw, &new_sw);
		else /* key 0: an MT candidate whose MSISDN is absent */
			made = keys[i] != 0 && detect_unknown(d, &c[i], keys[i], now_s, e);
		if (made) {
			d->ev_old_sw[n_ev] = old_sw;
			d->ev_new_sw[n_ev] = new_sw;
			d->st.events[e->type]++;
			n_ev++;
		}
	}
	return n_ev;
}

void
jitsim_detect_unwind(struct jitsim_detect *d, const struct jitsim_event *ev, unsigned int from,
		     unsigned int n)
{
	if (n > JITSIM_DETECT_BURST)
		n = JITSIM_DETECT_BURST;
	for (unsigned int i = from; i < n; i++) {
		if (ev[i].type < JITSIM_EV_TYPE_MAX)
			d->st.ring_drops[ev[i].type]++;
		/* UNKNOWN_IMSI changed nothing (old == new == 0). */
		if (d->ev_old_sw[i] == d->ev_new_sw[i])
			continue;
		if (jitsim_table_imsi_cas_state(d->imsi, ev[i].imsi, d->ev_new_sw[i],
						d->ev_old_sw[i], NULL) != 0)
			d->st.unwind_failed++;
	}
}
