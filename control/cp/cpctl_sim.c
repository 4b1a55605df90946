/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * sim.list, sim.lock|unlock|block|unblock|retire, job.retry, stats and
 * audit.tail (cpctl_sim.h; protocol in docs/control-socket.md).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <rte_ring.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "cpctl.h"
#include "cpctl_sim.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "flow.h"
#include "job.h"
#include "pool.h"
#include "store.h"

/* stats reads the server's counters: the handler's arg carries both.
 * Static because jitsim-cp has one server; registration fills it once. */
static struct cpctl_sim_ctx {
	struct jitsim_cpctl *c;
	struct jitsim_ctlsrv *srv;
} cpctl_sim_ctx;

static int
cpctl_no_memory(char *err, size_t errlen)
{
	return jitsim_cpctl_err(err, errlen, -ENOMEM, "out of memory");
}

/* An argument present and not null (absent and null mean "not given",
 * as for the cpctl_util parsers). */
static bool
cpctl_given(const json_t *args, const char *key)
{
	const json_t *v = json_object_get(args, key);

	return v != NULL && !json_is_null(v);
}

/* --- sim.list --- */

struct sim_filter {
	uint8_t state; /* JITSIM_SIM_NONE: any */
	bool has_tenant, has_region;
	uint64_t tenant, region;
};

static int
sim_list_args(const json_t *args, struct sim_filter *flt, uint64_t *lo, uint64_t *hi,
	      uint64_t *limit, char *err, size_t errlen)
{
	const json_t *sv = json_object_get(args, "state");
	uint64_t from = 0, to = 0, after = 0;
	int rc;

	memset(flt, 0, sizeof(*flt));
	if (sv != NULL && !json_is_null(sv)) {
		if (!json_is_string(sv) ||
		    (flt->state = jitsim_sim_state_parse(json_string_value(sv))) == JITSIM_SIM_NONE)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"state: one of inventory, activating, active, "
						"sleeping, reactivating, locked, blocked, retired");
	}
	flt->has_tenant = cpctl_given(args, "tenant");
	flt->has_region = cpctl_given(args, "region");
	*limit = JITSIM_CPCTL_SIM_LIMIT;
	rc = jitsim_cpctl_arg_u64(args, "tenant", UINT16_MAX, &flt->tenant, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(args, "region", UINT16_MAX, &flt->region, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(args, "limit", JITSIM_CPCTL_SIM_LIMIT_MAX, limit, err,
					  errlen);
	if (rc == 0 && *limit == 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "limit: 1..%d",
				      JITSIM_CPCTL_SIM_LIMIT_MAX);
	if (rc == 0)
		rc = jitsim_cpctl_arg_digits(args, "from", false, 5, 15, &from, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_digits(args, "to", false, 5, 15, &to, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_digits(args, "after", false, 5, 15, &after, err, errlen);
	if (rc != 0)
		return rc;
	if (from != 0 && to != 0 && from > to)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"from: after to (IMSIs are ordered "
					"by digit count, then value)");
	/* Keys order IMSIs by digit count, then value (record.h); a key
	 * plus one is the next possible IMSI of that length. */
	*lo = from;
	if (after != 0 && after + 1 > *lo)
		*lo = after + 1;
	*hi = to != 0 ? to + 1 : 0;
	return 0;
}

static bool
sim_match(const struct sim_filter *flt, const struct jitsim_rec *r)
{
	return (flt->state == JITSIM_SIM_NONE || r->state == flt->state) &&
	       (!flt->has_tenant || r->tenant == flt->tenant) &&
	       (!flt->has_region || r->region == flt->region);
}

/* One row: what an operator looks SIMs up by; never keys, sealed or not. */
static json_t *
sim_row(const struct jitsim_rec *r)
{
	return json_pack("{s:o,s:s,s:o,s:i,s:i,s:i,s:i,s:s,s:s,s:I}", "imsi",
			 jitsim_cpctl_digits(r->imsi), "state", jitsim_sim_state_name(r->state),
			 "msisdn", jitsim_cpctl_digits(r->msisdn), "tenant", r->tenant, "region",
			 r->region, "tariff", r->tariff, "hlr_id", r->hlr, "iccid", r->iccid,
			 "batch", r->batch, "updated", (json_int_t)r->updated);
}

static int
cpctl_sim_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct sim_filter flt;
	uint64_t lo = 0, hi = 0, limit = 0, last = 0, damaged = 0;
	uint8_t lok[8], hik[8];
	struct jitsim_store_iter *it;
	unsigned int examined = 0;
	const uint8_t *k, *v;
	size_t kl, vl;
	json_t *rows, *o;
	bool more = false;
	int rc;

	rc = sim_list_args(req->args, &flt, &lo, &hi, &limit, err, errlen);
	if (rc != 0)
		return rc;
	jitsim_rec_key(lo, lok);
	jitsim_rec_key(hi, hik);
	it = jitsim_store_iter_new_range(c->store, JITSIM_CF_SIM, lo ? lok : NULL, 8,
					 hi ? hik : NULL, 8);
	rows = json_array();
	if (it == NULL || rows == NULL) {
		jitsim_store_iter_free(it);
		json_decref(rows);
		return cpctl_no_memory(err, errlen);
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		struct jitsim_rec r;
		char rerr[160];
		uint64_t imsi = jitsim_rec_key_parse(k, kl);

		/* A full page or the scan budget spent: say where to go on
		 * from, unless this was the last key of the range. */
		if (json_array_size(rows) == limit || examined == JITSIM_CPCTL_SIM_SCAN) {
			more = true;
			break;
		}
		examined++;
		last = imsi;
		if (imsi == 0 || jitsim_rec_decode(imsi, v, vl, &r, rerr, sizeof(rerr)) != 0) {
			damaged++;
			continue;
		}
		if (sim_match(&flt, &r) && json_array_append_new(rows, sim_row(&r)) != 0) {
			rc = -ENOMEM;
			break;
		}
	}
	jitsim_store_iter_free(it);
	if (rc < 0) {
		json_decref(rows);
		if (rc == -ENOMEM)
			return cpctl_no_memory(err, errlen);
		return jitsim_cpctl_err(err, errlen, rc, "sim records: read error");
	}
	o = json_pack("{s:o,s:I,s:I,s:o}", "sims", rows, "examined", (json_int_t)examined,
		      "damaged", (json_int_t)damaged, "next",
		      more ? jitsim_cpctl_digits(last) : json_null());
	if (o == NULL)
		return cpctl_no_memory(err, errlen);
	*result = o;
	return 0;
}

/* --- sim.lock, unlock, block, unblock, retire --- */

struct sim_call {
	struct jitsim_cpctl *c;
	const struct jitsim_ctl_req *req;
	uint64_t imsi;
	enum jitsim_cp_sim_op op;
	uint8_t to;
	struct jitsim_cp_sim_change out;
	char *err;
	size_t errlen;
};

/* The audit line of a socket change: the peer's uid, pid and gid. */
static void
cpctl_sim_audit(struct jitsim_store_batch *b, const void *arg, const char *fields)
{
	jitsim_cpctl_audit(b, arg, fields);
}

static int
sim_call_run(void *arg)
{
	struct sim_call *sc = arg;
	struct jitsim_cp_flow_audit a = {.fn = cpctl_sim_audit, .arg = sc->req};

	return jitsim_cp_flow_sim_change(sc->c->flow, sc->imsi, sc->op, sc->to, &a, &sc->out,
					 sc->err, sc->errlen);
}

static int
cpctl_sim_change(const struct jitsim_ctl_req *req, enum jitsim_cp_sim_op op, json_t **result,
		 char *err, size_t errlen)
{
	struct sim_call sc = {.c = req->arg, .req = req, .op = op, .err = err, .errlen = errlen};
	const json_t *sv = json_object_get(req->args, "state");
	const struct jitsim_rec *r = &sc.out.rec;
	int rc;

	rc = jitsim_cpctl_arg_imsi(req->args, &sc.imsi, err, errlen);
	if (rc != 0)
		return rc;
	if (sv != NULL && !json_is_null(sv)) {
		if (op != JITSIM_CP_SIM_UNLOCK && op != JITSIM_CP_SIM_UNBLOCK)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"state: only for unlock and unblock");
		if (!json_is_string(sv) ||
		    (sc.to = jitsim_sim_state_parse(json_string_value(sv))) == JITSIM_SIM_NONE)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"state: inventory, sleeping, active or locked");
	}
	rc = jitsim_cpctl_call(sc.c, sim_call_run, &sc);
	if (rc == -ESHUTDOWN)
		return jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
	if (rc != 0)
		return rc;
	*result = json_pack(
		"{s:o,s:s,s:s,s:o,s:o,s:o,s:b}", "imsi", jitsim_cpctl_digits(r->imsi), "from",
		jitsim_sim_state_name(sc.out.from), "state", jitsim_sim_state_name(r->state),
		"msisdn", jitsim_cpctl_digits(r->msisdn), "released",
		jitsim_cpctl_digits(sc.out.released), "unreserved",
		jitsim_cpctl_digits(sc.out.unreserved), "dataplane_updated", sc.out.dp_sent);
	/* Committed: an answer we cannot build is still a success. */
	return 0;
}

static int
cpctl_sim_lock(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return cpctl_sim_change(req, JITSIM_CP_SIM_LOCK, result, err, errlen);
}

static int
cpctl_sim_unlock(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return cpctl_sim_change(req, JITSIM_CP_SIM_UNLOCK, result, err, errlen);
}

static int
cpctl_sim_block(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return cpctl_sim_change(req, JITSIM_CP_SIM_BLOCK, result, err, errlen);
}

static int
cpctl_sim_unblock(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return cpctl_sim_change(req, JITSIM_CP_SIM_UNBLOCK, result, err, errlen);
}

static int
cpctl_sim_retire(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return cpctl_sim_change(req, JITSIM_CP_SIM_RETIRE, result, err, errlen);
}

/* --- job.retry --- */

struct retry_call {
	struct jitsim_cpctl *c;
	const struct jitsim_ctl_req *req;
	uint64_t job;
	uint16_t region;
	struct jitsim_job out;
	char *err;
	size_t errlen;
};

static int
retry_call_run(void *arg)
{
	struct retry_call *rc = arg;
	struct jitsim_cp_flow_audit a = {.fn = cpctl_sim_audit, .arg = rc->req};

	return jitsim_cp_flow_job_retry(rc->c->flow, rc->job, rc->region, &a, &rc->out, rc->err,
					rc->errlen);
}

static int
cpctl_job_retry(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct retry_call rt = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	uint64_t region = 0;
	int rc;

	rc = jitsim_cpctl_arg_u64(req->args, "job", UINT64_MAX - 1, &rt.job, err, errlen);
	if (rc == 0 && rt.job == 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "job: required, a job id (1 or more)");
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "region", UINT16_MAX, &region, err, errlen);
	if (rc == 0 && cpctl_given(req->args, "region") && region == 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "region: 1..65535");
	if (rc != 0)
		return rc;
	rt.region = (uint16_t)region;
	rc = jitsim_cpctl_call(rt.c, retry_call_run, &rt);
	if (rc == -ESHUTDOWN)
		return jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
	if (rc != 0)
		return rc;
	*result = jitsim_cpctl_job_json(&rt.out);
	if (*result != NULL)
		json_object_set_new(*result, "retry_of", json_integer((json_int_t)rt.job));
	return 0;
}

/* --- stats --- */

struct pool_totals {
	struct jitsim_cpctl *c;
	uint64_t pools, size, taken, free, quarantined, reserved, mem;
};

static int
pool_totals_run(void *arg)
{
	struct pool_totals *t = arg;
	const struct jitsim_pool_def **defs;
	size_t n = jitsim_pool_list(t->c->pools, NULL, 0);

	defs = calloc(n ? n : 1, sizeof(*defs));
	if (defs == NULL)
		return -ENOMEM;
	n = jitsim_pool_list(t->c->pools, defs, n);
	for (size_t i = 0; i < n; i++) {
		struct jitsim_pool_stats st;

		if (jitsim_pool_stats(t->c->pools, defs[i]->id, false, &st) != 0)
			continue;
		t->pools++;
		t->size += st.size;
		t->taken += st.taken;
		t->free += st.free;
		t->quarantined += st.quarantined;
		t->reserved += st.reserved;
	}
	t->mem = jitsim_pool_mem_bytes(t->c->pools);
	free(defs);
	return 0;
}

static json_t *
stats_cp(const struct jitsim_cp_flow_stats *st, unsigned int update_fill)
{
	json_t *ev = json_object();

	for (unsigned int t = 1; t < JITSIM_EV_TYPE_MAX; t++)
		json_object_set_new(ev, jitsim_event_type_name(t),
				    json_integer((json_int_t)st->events[t]));
	json_object_set_new(ev, "invalid", json_integer((json_int_t)st->events[0]));
	return json_pack(
		"{s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},"
		"s:{s:I,s:I,s:I}}",
		"events", ev, "jobs", "live", (json_int_t)st->live, "started",
		(json_int_t)st->started, "done", (json_int_t)st->done, "failed",
		(json_int_t)st->failed, "done_total", (json_int_t)st->done_total, "failed_total",
		(json_int_t)st->failed_total, "resumed", (json_int_t)st->resumed, "retries",
		(json_int_t)st->retries, "commit_errors", (json_int_t)st->commit_errors, "handling",
		"duplicate", (json_int_t)st->duplicate, "resync", (json_int_t)st->resync, "no_sim",
		(json_int_t)st->no_sim, "no_number", (json_int_t)st->no_number, "no_region",
		(json_int_t)st->no_region, "updates", "sent", (json_int_t)st->updates, "dropped",
		(json_int_t)st->update_drops, "ring_fill", (json_int_t)update_fill);
}

static json_t *
stats_dp(const struct jitsim_shm *shm)
{
	const struct jitsim_shm_hdr *h = shm->hdr;
	uint64_t age = jitsim_shm_peer_age_ns(shm);
	json_t *rings = json_array(), *o;
	unsigned int n = h->n_event_rings;

	/* n_event_rings was checked at attach; a peer rewriting it must not
	 * make us index past the handle's array. */
	if (n > JITSIM_SHM_MAX_RINGS)
		n = JITSIM_SHM_MAX_RINGS;
	for (unsigned int i = 0; i < n && shm->event[i] != NULL; i++)
		json_array_append_new(rings,
				      json_pack("{s:i,s:i,s:i}", "ring", (int)i, "count",
						(int)rte_ring_count(shm->event[i]), "capacity",
						(int)rte_ring_get_capacity(shm->event[i])));
	o = json_pack(
		"{s:I,s:I,s:b,s:I,s:o,s:I,s:I,s:I,s:{s:i,s:i},s:o}", "generation",
		(json_int_t)__atomic_load_n(&h->dp_generation, __ATOMIC_RELAXED), "pid",
		(json_int_t)__atomic_load_n(&h->dp_pid, __ATOMIC_RELAXED), "ready",
		__atomic_load_n(&h->dp_ready, __ATOMIC_RELAXED) != 0, "workers",
		(json_int_t)__atomic_load_n(&h->dp_n_workers, __ATOMIC_RELAXED), "heartbeat_age_ms",
		age == UINT64_MAX ? json_null() : json_integer((json_int_t)(age / 1000000)),
		"update_seq_applied",
		(json_int_t)__atomic_load_n(&h->dp_update_seq, __ATOMIC_RELAXED), "update_seq_sent",
		(json_int_t)__atomic_load_n(&h->cp_update_seq, __ATOMIC_RELAXED), "cp_generation",
		(json_int_t)__atomic_load_n(&h->cp_generation, __ATOMIC_RELAXED), "update_ring",
		"count", (int)rte_ring_count(shm->update), "capacity",
		(int)rte_ring_get_capacity(shm->update), "event_rings", rings);
	return o;
}

static int
cpctl_stats(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	const struct cpctl_sim_ctx *x = req->arg;
	struct jitsim_cpctl *c = x->c;
	struct pool_totals pt = {.c = c};
	struct jitsim_cp_flow_stats fs;
	struct jitsim_ctlsrv_stats ss;
	json_t *o, *cp;
	int rc;

	rc = jitsim_cpctl_call(c, pool_totals_run, &pt);
	if (rc == -ESHUTDOWN)
		return jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
	if (rc != 0)
		return jitsim_cpctl_err(err, errlen, rc, "pools: %s", strerror(-rc));
	jitsim_cp_flow_stats(c->flow, &fs);
	jitsim_ctlsrv_stats(x->srv, &ss);
	cp = stats_cp(&fs, rte_ring_count(c->shm->update));
	o = json_pack("{s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:o}",
		      "control_plane", cp, "control_socket", "clients", (json_int_t)ss.clients,
		      "accepted", (json_int_t)ss.accepted, "refused", (json_int_t)ss.refused,
		      "requests", (json_int_t)ss.requests, "errors", (json_int_t)ss.errors,
		      "dropped", (json_int_t)ss.dropped, "pools", "count", (json_int_t)pt.pools,
		      "size", (json_int_t)pt.size, "taken", (json_int_t)pt.taken, "free",
		      (json_int_t)pt.free, "quarantined", (json_int_t)pt.quarantined, "reserved",
		      (json_int_t)pt.reserved, "memory_bytes", (json_int_t)pt.mem, "dataplane",
		      stats_dp(c->shm));
	if (o == NULL)
		return cpctl_no_memory(err, errlen);
	*result = o;
	return 0;
}

/* --- audit.tail --- */

/* The newest @limit lines seen so far, oldest first from @head. */
struct audit_ring {
	char **line;
	size_t cap, n, head;
};

static int
audit_ring_push(struct audit_ring *r, const uint8_t *v, size_t vl)
{
	char *s = malloc(vl + 1);
	size_t slot;

	if (s == NULL)
		return -ENOMEM;
	memcpy(s, v, vl);
	s[vl] = '\0';
	if (r->n < r->cap) {
		slot = (r->head + r->n) % r->cap;
		r->n++;
	} else {
		slot = r->head;
		free(r->line[slot]);
		r->head = (r->head + 1) % r->cap;
	}
	r->line[slot] = s;
	return 0;
}

static void
audit_ring_clear(struct audit_ring *r)
{
	for (size_t i = 0; i < r->n; i++)
		free(r->line[(r->head + i) % r->cap]);
	r->n = r->head = 0;
}

/* The lines from @from_ns on (keys: u64 BE ns + u32 BE seq, store.h),
 * the newest @r->cap kept. Returns how many there were, or -EIO/-ENOMEM. */
static int64_t
audit_scan(struct jitsim_store *st, uint64_t from_ns, struct audit_ring *r)
{
	struct jitsim_store_iter *it;
	const uint8_t *k, *v;
	uint8_t lo[8];
	size_t kl, vl;
	int64_t n = 0;
	int rc;

	audit_ring_clear(r);
	jitsim_rec_key(from_ns, lo);
	it = jitsim_store_iter_new_range(st, JITSIM_CF_AUDIT, from_ns ? lo : NULL, sizeof(lo), NULL,
					 0);
	if (it == NULL)
		return -ENOMEM;
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		if (audit_ring_push(r, v, vl) != 0) {
			rc = -ENOMEM;
			break;
		}
		n++;
	}
	jitsim_store_iter_free(it);
	return rc < 0 ? rc : n;
}

/* One line as {"ts","who","what","fields":{the rest}}: lines of different
 * commands have different fields, and a table (the printer's form for
 * flat rows) would show only the first line's. */
static json_t *
audit_line_json(const char *line)
{
	json_t *j = json_loads(line, 0, NULL), *rest, *o;
	const char *k;
	json_t *v;
	void *tmp;

	if (j == NULL || !json_is_object(j)) {
		json_decref(j);
		return json_pack("{s:n,s:n,s:s,s:{s:s}}", "ts", "who", "what", "unreadable",
				 "fields", "line", line);
	}
	rest = json_object();
	o = json_pack("{s:O?,s:O?,s:O?}", "ts", json_object_get(j, "ts"), "who",
		      json_object_get(j, "who"), "what", json_object_get(j, "what"));
	if (rest == NULL || o == NULL) {
		json_decref(rest);
		json_decref(o);
		json_decref(j);
		return NULL;
	}
	json_object_foreach_safe(j, tmp, k, v)
	{
		if (strcmp(k, "ts") != 0 && strcmp(k, "who") != 0 && strcmp(k, "what") != 0)
			json_object_set(rest, k, v);
	}
	json_object_set_new(o, "fields", rest);
	json_decref(j);
	return o;
}

static int
cpctl_audit_tail(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	uint64_t limit = JITSIM_CPCTL_AUDIT_LIMIT, now, span, from;
	struct audit_ring r = {0};
	struct timespec ts;
	json_t *arr;
	int64_t n;
	int rc;

	rc = jitsim_cpctl_arg_u64(req->args, "limit", JITSIM_CPCTL_AUDIT_LIMIT_MAX, &limit, err,
				  errlen);
	if (rc == 0 && limit == 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "limit: 1..%d",
				      JITSIM_CPCTL_AUDIT_LIMIT_MAX);
	if (rc != 0)
		return rc;
	r.cap = limit;
	r.line = calloc(limit, sizeof(*r.line));
	if (r.line == NULL)
		return cpctl_no_memory(err, errlen);
	/* The store iterates forward only: scan from a point in the recent
	 * past, widening the window 16 times until it holds @limit lines or
	 * reaches the first key. Each pass reads only the window, so the cost
	 * follows the lines asked for, not the size of the log. Keys later
	 * than now (a clock stepped back) are in every window. */
	clock_gettime(CLOCK_REALTIME, &ts);
	now = (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
	for (span = 1000000;; span *= 16) {
		from = span < now ? now - span : 0;
		n = audit_scan(c->store, from, &r);
		if (n < 0 || (uint64_t)n >= limit || from == 0 || span > UINT64_MAX / 16)
			break;
	}
	arr = n < 0 ? NULL : json_array();
	for (size_t i = 0; arr != NULL && i < r.n; i++) {
		json_t *o = audit_line_json(r.line[(r.head + i) % r.cap]);

		if (o == NULL || json_array_append_new(arr, o) != 0) {
			json_decref(arr);
			arr = NULL;
		}
	}
	audit_ring_clear(&r);
	free(r.line);
	if (n == -EIO)
		return jitsim_cpctl_err(err, errlen, -EIO, "audit: read error");
	if (arr == NULL)
		return cpctl_no_memory(err, errlen);
	*result = arr;
	return 0;
}

int
jitsim_cpctl_sim_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	static const struct {
		const char *name;
		jitsim_ctlsrv_handler_t fn;
		const char *help;
	} changes[] = {
		{"sim.lock", cpctl_sim_lock,
		 "lock an inventory or sleeping SIM: no activation until unlocked (imsi)"},
		{"sim.unlock", cpctl_sim_unlock,
		 "back to the state it was locked in (imsi, [state] when not recorded)"},
		{"sim.block", cpctl_sim_block, "block a SIM: its attaches are refused (imsi)"},
		{"sim.unblock", cpctl_sim_unblock,
		 "back to the state it was blocked in (imsi, [state] when not recorded)"},
		{"sim.retire", cpctl_sim_retire,
		 "retire a SIM for good; its MSISDN goes to quarantine (imsi)"},
		{"job.retry", cpctl_job_retry,
		 "new attempt at a failed job (job, [region] to override)"},
	};
	int rc;

	cpctl_sim_ctx.c = c;
	cpctl_sim_ctx.srv = srv;
	rc = jitsim_ctlsrv_register(srv, "sim.list", cpctl_sim_list, c,
				    "SIMs in IMSI order, filtered, one page at a time ([state], "
				    "[tenant], [region], [from], [to], [after], [limit])");
	for (size_t i = 0; rc == 0 && i < sizeof(changes) / sizeof(changes[0]); i++)
		rc = jitsim_ctlsrv_register_change(srv, changes[i].name, changes[i].fn, c,
						   changes[i].help);
	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "stats", cpctl_stats, &cpctl_sim_ctx,
					    "counters of the control plane, the control socket, "
					    "the number pools and the dataplane");
	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "audit.tail", cpctl_audit_tail, c,
					    "the latest audit lines, newest last ([limit])");
	return rc;
}
