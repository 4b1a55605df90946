/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "adapter.h"
#include "flow.h"
#include "flow_int.h"
#include "hlrs.h"
#include "notify.h"
#include "pool.h"
#include "rules.h"
#include "sleep.h"
#include "store.h"

void
flow_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "jitsim-cp: %s\n", buf);
}

uint32_t
flow_now_s(void)
{
	return (uint32_t)time(NULL);
}

static uint64_t
flow_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static unsigned int
flow_hash(uint64_t imsi)
{
	return (unsigned int)((imsi * 0x9e3779b97f4a7c15ull) >> (64 - FLOW_HASH_BITS));
}

struct flow_live *
flow_find(struct jitsim_cp_flow *f, uint64_t imsi)
{
	for (struct flow_live *l = f->hash[flow_hash(imsi)]; l != NULL; l = l->hnext)
		if (l->job.imsi == imsi)
			return l;
	return NULL;
}

void
flow_insert(struct jitsim_cp_flow *f, struct flow_live *l)
{
	unsigned int h = flow_hash(l->job.imsi);

	l->hnext = f->hash[h];
	f->hash[h] = l;
	ST_ADD(f, live, 1);
	if (l->job.flags & JITSIM_JOB_F_SLEEP)
		ST_ADD(f, sleep_live, 1);
}

void
flow_remove(struct jitsim_cp_flow *f, struct flow_live *l)
{
	struct flow_live **pp = &f->hash[flow_hash(l->job.imsi)];

	while (*pp != NULL && *pp != l)
		pp = &(*pp)->hnext;
	if (*pp == l) {
		*pp = l->hnext;
		ST_SUB(f, live, 1);
		if (l->job.flags & JITSIM_JOB_F_SLEEP)
			ST_SUB(f, sleep_live, 1);
	}
}

struct jitsim_cp_flow *
jitsim_cp_flow_new(const struct jitsim_cp_flow_cfg *cfg)
{
	struct jitsim_cp_flow *f = calloc(1, sizeof(*f));

	if (f == NULL)
		return NULL;
	f->cfg = *cfg;
	if (cfg->default_profile != NULL)
		snprintf(f->default_profile, sizeof(f->default_profile), "%s",
			 cfg->default_profile);
	f->cfg.default_profile = f->default_profile;
	f->b = jitsim_store_batch_new(cfg->store);
	if (f->b == NULL || pthread_mutex_init(&f->lock, NULL) != 0) {
		jitsim_store_batch_free(f->b);
		free(f);
		return NULL;
	}
	if (cfg->shm != NULL)
		f->upd_seq = cfg->shm->hdr->cp_update_seq;
	return f;
}

void
jitsim_cp_flow_set_adapter(struct jitsim_cp_flow *f, struct jitsim_adapter *a)
{
	f->cfg.adapter = a;
}

void
jitsim_cp_flow_last_no_number(struct jitsim_cp_flow *f, char *buf, size_t len)
{
	pthread_mutex_lock(&f->lock);
	snprintf(buf, len, "%s", f->last_no_number);
	pthread_mutex_unlock(&f->lock);
}

void
jitsim_cp_flow_set_notify(struct jitsim_cp_flow *f, struct jitsim_cp_notify *n)
{
	f->cfg.notify = n;
}

void
jitsim_cp_flow_set_hlrs(struct jitsim_cp_flow *f, struct jitsim_cp_hlrs *h)
{
	f->cfg.hlrs = h;
}

void
jitsim_cp_flow_set_sleep(struct jitsim_cp_flow *f, struct jitsim_cp_sleep *z)
{
	f->sleep = z;
}

void
jitsim_cp_flow_set_job_hook(struct jitsim_cp_flow *f, jitsim_cp_flow_job_fn fn, void *arg)
{
	f->job_hook = fn;
	f->job_hook_arg = arg;
}

void
jitsim_cp_flow_free(struct jitsim_cp_flow *f)
{
	if (f == NULL)
		return;
	/* Every live job is in the hash; the retry and completion lists only
	 * link the same objects. */
	for (unsigned int i = 0; i < FLOW_HASH_SIZE; i++) {
		struct flow_live *l = f->hash[i], *n;

		for (; l != NULL; l = n) {
			n = l->hnext;
			free(l);
		}
	}
	pthread_mutex_destroy(&f->lock);
	jitsim_store_batch_free(f->b);
	free(f);
}

void
jitsim_cp_flow_stats(const struct jitsim_cp_flow *f, struct jitsim_cp_flow_stats *st)
{
	const uint64_t *src = (const uint64_t *)&f->st;
	uint64_t *dst = (uint64_t *)st;

	_Static_assert(sizeof(*st) % sizeof(uint64_t) == 0, "stats of u64 only");
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* --- dataplane updates --- */

bool
flow_dp_put(struct jitsim_cp_flow *f, const struct jitsim_rec *r)
{
	struct jitsim_update u;

	if (f->cfg.shm == NULL)
		return true;
	memset(&u, 0, sizeof(u));
	u.op = JITSIM_UPD_PUT;
	u.state = r->state;
	u.flags = r->flags;
	u.tenant = r->tenant;
	u.region = r->region;
	u.imsi = r->imsi;
	u.msisdn = r->msisdn;
	u.seq = f->upd_seq + 1;
	/* Ring full: the dataplane keeps its lease; when it runs out the SIM's
	 * next attach raises an event that finds the record already done and
	 * re-sends it (resync), so a lost update heals itself. */
	if (jitsim_shm_update_put(f->cfg.shm, &u, 1) != 1) {
		ST_ADD(f, update_drops, 1);
		return false;
	}
	f->upd_seq = u.seq;
	__atomic_store_n(&f->cfg.shm->hdr->cp_update_seq, u.seq, __ATOMIC_RELEASE);
	ST_ADD(f, updates, 1);
	return true;
}

/* --- journal helpers --- */

void
flow_audit(struct jitsim_cp_flow *f, const char *what, const struct jitsim_job *j)
{
	char imsi[JITSIM_DIGITS_MAX + 1] = "", msisdn[JITSIM_DIGITS_MAX + 1] = "";
	char fields[384];

	jitsim_digits_key_format(j->imsi, imsi, sizeof(imsi));
	if (j->msisdn != 0)
		jitsim_digits_key_format(j->msisdn, msisdn, sizeof(msisdn));
	/* Every string here is digits or a checked name ([A-Za-z0-9._-]) or a
	 * reason built by this file or the adapter (quotes removed below). */
	snprintf(fields, sizeof(fields),
		 "\"job\":%" PRIu64 ",\"imsi\":\"%s\",\"msisdn\":\"%s\",\"region\":%u,"
		 "\"hlr\":\"%s\",\"tariff\":%u,\"reason\":\"%s\"",
		 j->id, imsi, msisdn, j->region, j->hlr, j->tariff, j->reason);
	jitsim_store_batch_audit(f->b, FLOW_WHO, what, fields);
}

void
flow_set_reason(struct jitsim_job *j, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(j->reason, sizeof(j->reason), fmt, ap);
	va_end(ap);
	/* Stored and put in JSON audit lines: printable, no quotes or
	 * backslashes. */
	for (char *p = j->reason; *p != '\0'; p++)
		if (*p < 0x20 || *p > 0x7e || *p == '"' || *p == '\\')
			*p = '_';
}

/* Commit f->b. On failure the pool changes of the batch are undone. */
int
flow_commit(struct jitsim_cp_flow *f, const char *what, uint64_t job)
{
	char err[256];
	int rc = jitsim_store_commit(f->b, err, sizeof(err));

	if (rc == 0) {
		jitsim_pool_commit_done(f->cfg.pools, f->b);
	} else {
		jitsim_pool_abort(f->cfg.pools, f->b);
		ST_ADD(f, commit_errors, 1);
		flow_log("job %" PRIu64 ": %s: commit failed: %s", job, what, err);
	}
	jitsim_store_batch_clear(f->b);
	return rc;
}

/* --- provisioning --- */

static void
flow_done_cb(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status, const char *msg,
	     void *arg)
{
	struct flow_live *l = arg;
	struct jitsim_cp_flow *f;

	(void)o;
	(void)op;
	f = l->flow;
	l->status = status;
	snprintf(l->msg, sizeof(l->msg), "%s", msg != NULL ? msg : "");
	pthread_mutex_lock(&f->lock);
	l->cnext = f->cdone;
	f->cdone = l;
	pthread_mutex_unlock(&f->lock);
}

struct flow_live *
flow_live_new(struct jitsim_cp_flow *f)
{
	struct flow_live *l = calloc(1, sizeof(*l));

	if (l != NULL)
		l->flow = f;
	return l;
}

static void flow_fail(struct jitsim_cp_flow *f, struct flow_live *l);
static void flow_attempt_failed(struct jitsim_cp_flow *f, struct flow_live *l, uint64_t now_ns);

static void
flow_retry_at(struct jitsim_cp_flow *f, struct flow_live *l, uint64_t at)
{
	l->retry_at_ns = at == 0 ? 1 : at;
	l->rnext = f->retry;
	f->retry = l;
}

void
flow_submit(struct jitsim_cp_flow *f, struct flow_live *l)
{
	struct jitsim_adapter *a;
	struct jitsim_prov_order o;
	char err[256];
	int rc;

	memset(&o, 0, sizeof(o));
	o.job = l->job.id;
	jitsim_digits_key_format(l->job.imsi, o.imsi, sizeof(o.imsi));
	if (l->job.msisdn != 0)
		jitsim_digits_key_format(l->job.msisdn, o.msisdn, sizeof(o.msisdn));
	snprintf(o.iccid, sizeof(o.iccid), "%s", l->iccid);
	o.region = l->job.region;
	snprintf(o.hlr, sizeof(o.hlr), "%s", l->job.hlr);
	snprintf(o.tariff, sizeof(o.tariff), "%s", l->job.profile);
	o.flow = l->job.flow;
	/* A handle, not keys: a backend that needs them (osmo-hlr) opens
	 * them from the store itself when it sends the order. */
	o.secret.imsi_key = l->job.imsi;
	o.secret.mask = JITSIM_REC_S_KI | JITSIM_REC_S_OPC;
	a = f->cfg.adapter;
	if (f->cfg.hlrs != NULL) {
		a = jitsim_cp_hlrs_adapter(f->cfg.hlrs, l->job.hlr_id, err, sizeof(err));
		if (a == NULL) {
			/* A configuration problem the operator can fix (address,
			 * token file): wait for it like an unreachable HLR. */
			snprintf(l->msg, sizeof(l->msg), "%.96s", err);
			l->status = -EHOSTUNREACH;
			flow_attempt_failed(f, l, flow_mono_ns());
			return;
		}
	}
	/* A sleep job takes the subscriber out of its HLR (sleep.h). */
	rc = jitsim_adapter_submit(a,
				   (l->job.flags & JITSIM_JOB_F_SLEEP) ? JITSIM_PROV_DEPROVISION
								       : JITSIM_PROV_PROVISION,
				   &o, flow_done_cb, l, err, sizeof(err));
	if (rc == 0)
		return;
	if (rc == -EAGAIN || rc == -ENOMEM) {
		flow_retry_at(f, l, flow_mono_ns() + FLOW_REQUEUE_NS);
		return;
	}
	flow_set_reason(&l->job, "order refused: %s", err);
	flow_fail(f, l);
}

/* --- the steps --- */

/* Provisioned: SIM ACTIVE and job DONE for each of @ls (at most
 * FLOW_BURST) staged into f->b; the jobs staged go to @ok, their records
 * to f->done_recs. Returns how many. */
static unsigned int
flow_stage_done(struct jitsim_cp_flow *f, struct flow_live **ls, unsigned int n,
		struct flow_live **ok)
{
	struct jitsim_rec *recs = f->done_recs;
	uint8_t scratch[JITSIM_REC_MAX > JITSIM_JOB_REC_MAX ? JITSIM_REC_MAX : JITSIM_JOB_REC_MAX];
	unsigned int m = 0;
	uint32_t now = flow_now_s();
	char err[256];
	int rc;

	for (unsigned int i = 0; i < n; i++) {
		struct flow_live *l = ls[i];
		struct jitsim_rec *r = &recs[m];
		struct jitsim_job j = l->job;

		if (l->have_rec) {
			*r = l->rec;
			rc = 0;
		} else {
			rc = jitsim_store_sim_get(f->cfg.store, l->job.imsi, r, err, sizeof(err));
		}
		if (rc != 0) {
			flow_log("job %" PRIu64
				 ": SIM record unreadable (%s): job left for restart",
				 l->job.id, rc == -ENOENT ? "gone" : err);
			flow_remove(f, l);
			free(l);
			continue;
		}
		if (j.flags & JITSIM_JOB_F_SLEEP) {
			/* SLEEPING, the number released when the job says so. */
			if (flow_sleep_stage(f, &j, r, now) != 0) {
				flow_remove(f, l);
				free(l);
				continue;
			}
		} else {
			r->state = JITSIM_SIM_ACTIVE;
			r->msisdn = l->job.msisdn;
			r->region = l->job.region;
			r->tariff = l->job.tariff;
			r->hlr = l->job.hlr_id;
			r->updated = r->activated = now;
		}
		j.step = JITSIM_JOB_DONE;
		j.updated = now;
		j.reason[0] = '\0';
		/* Encoded first so that a record out of range never leaves half
		 * of its writes in the shared batch. */
		if (jitsim_rec_encode(r, scratch, sizeof(scratch)) < 0 ||
		    jitsim_job_encode(&j, scratch, sizeof(scratch)) < 0) {
			flow_log("job %" PRIu64 ": record out of range: job left for restart",
				 j.id);
			flow_remove(f, l);
			free(l);
			continue;
		}
		l->job = j;
		jitsim_store_batch_put_sim(f->b, r);
		jitsim_job_put_step(f->b, &l->job);
		flow_audit(f, (l->job.flags & JITSIM_JOB_F_SLEEP) ? "sleep" : "activate", &l->job);
		ok[m++] = l;
	}
	return m;
}

/* After the commit (result @rc) of the @m jobs flow_stage_done() staged:
 * the dataplane gets the ACTIVE records. A failed commit leaves the jobs
 * ALLOCATED: provisioned again later (idempotent), then committed again. */
static void
flow_done_committed(struct jitsim_cp_flow *f, struct flow_live **ok, unsigned int m, int rc)
{
	if (rc != 0) {
		for (unsigned int i = 0; i < m; i++) {
			ok[i]->job.step = JITSIM_JOB_ALLOCATED;
			flow_retry_at(f, ok[i],
				      flow_mono_ns() + (uint64_t)f->cfg.backoff_ms * 1000000ull);
		}
		return;
	}
	for (unsigned int i = 0; i < m; i++) {
		flow_dp_put(f, &f->done_recs[i]);
		/* A sleep job's DONE is the SIM falling asleep (sleep.h). */
		if (f->cfg.notify != NULL)
			jitsim_cp_notify_job(f->cfg.notify,
					     (ok[i]->job.flags & JITSIM_JOB_F_SLEEP) ? "slept"
					     : ok[i]->job.prev_state == JITSIM_SIM_SLEEPING
						     ? "woken"
						     : "activated",
					     &ok[i]->job);
		if (f->job_hook != NULL && !(ok[i]->job.flags & JITSIM_JOB_F_SLEEP))
			f->job_hook(f->job_hook_arg, ok[i]->job.imsi, ok[i]->job.msisdn, true);
		flow_remove(f, ok[i]);
		free(ok[i]);
	}
	ST_ADD(f, done, m);
	ST_ADD(f, done_total, m);
}

static void
flow_cleanup_done(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status,
		  const char *msg, void *arg)
{
	(void)op;
	(void)arg;
	if (status != 0)
		flow_log("job %" PRIu64 ": removing the half-made subscriber %s from its HLR: %s",
			 o->job, o->imsi, msg);
}

/*
 * An HLR that refused part of an order (osmo-hlr: -EPROTO, e.g. the
 * MSISDN) may keep what it accepted before (the subscriber created, with
 * its keys but no number). The SIM goes back to its previous state, which
 * is never one provisioned in an HLR: delete it there (idempotent; a
 * failure is only logged, the SIM's next activation provisions it again).
 */
static void
flow_cleanup_hlr(struct jitsim_cp_flow *f, const struct flow_live *l)
{
	struct jitsim_prov_order o;
	struct jitsim_adapter *a;
	char err[256];

	if (l->status != -EPROTO || f->cfg.hlrs == NULL || (l->job.flags & JITSIM_JOB_F_SLEEP))
		return;
	a = jitsim_cp_hlrs_adapter(f->cfg.hlrs, l->job.hlr_id, err, sizeof(err));
	if (a == NULL)
		return;
	memset(&o, 0, sizeof(o));
	o.job = l->job.id;
	jitsim_digits_key_format(l->job.imsi, o.imsi, sizeof(o.imsi));
	o.region = l->job.region;
	snprintf(o.hlr, sizeof(o.hlr), "%s", l->job.hlr);
	if (jitsim_adapter_submit(a, JITSIM_PROV_DEPROVISION, &o, flow_cleanup_done, NULL, err,
				  sizeof(err)) != 0)
		flow_log("job %" PRIu64 ": cannot remove the half-made subscriber: %s", o.job, err);
}

/* Given up (l->job.reason says why): SIM back to its previous state, the
 * number released, job FAILED, the dataplane told so that a later attach
 * tries again. */
static void
flow_fail(struct jitsim_cp_flow *f, struct flow_live *l)
{
	struct jitsim_rec r;
	char err[256];
	uint32_t now = flow_now_s();
	int rc;

	flow_log("job %" PRIu64 ": failed: %s", l->job.id, l->job.reason);
	rc = jitsim_store_sim_get(f->cfg.store, l->job.imsi, &r, err, sizeof(err));
	if (rc != 0) {
		flow_log("job %" PRIu64 ": SIM record unreadable (%s): job left for restart",
			 l->job.id, rc == -ENOENT ? "gone" : err);
		flow_remove(f, l);
		free(l);
		return;
	}
	r.state = l->job.prev_state;
	r.updated = now;
	if (l->job.flags & JITSIM_JOB_F_ALLOCATED) {
		rc = jitsim_pool_release(f->cfg.pools, l->job.msisdn, now, f->b, err, sizeof(err));
		/* Not released (-EBUSY, -ENOMEM): the MSISDN entry stays, so
		 * the record keeps naming the number, which stays the SIM's
		 * (its next job reuses it) instead of being lost to the pool
		 * until a restart. -ENOENT: nobody holds it. */
		if (rc == 0 || rc == -ENOENT)
			r.msisdn = 0;
		else
			flow_log("job %" PRIu64 ": release of its number: %s: the SIM keeps it",
				 l->job.id, err);
	}
	l->job.step = JITSIM_JOB_FAILED;
	l->job.updated = now;
	if (jitsim_store_batch_put_sim(f->b, &r) != 0 || jitsim_job_put_step(f->b, &l->job) != 0) {
		jitsim_pool_abort(f->cfg.pools, f->b);
		jitsim_store_batch_clear(f->b);
		flow_log("job %" PRIu64 ": record out of range: job left for restart", l->job.id);
		flow_remove(f, l);
		free(l);
		return;
	}
	flow_audit(f, (l->job.flags & JITSIM_JOB_F_SLEEP) ? "sleep_failed" : "activate_failed",
		   &l->job);
	if (flow_commit(f, "failed", l->job.id) != 0) {
		l->job.step = JITSIM_JOB_ALLOCATED;
		flow_retry_at(f, l, flow_mono_ns() + (uint64_t)f->cfg.backoff_ms * 1000000ull);
		return;
	}
	flow_dp_put(f, &r);
	if (f->job_hook != NULL && !(l->job.flags & JITSIM_JOB_F_SLEEP))
		f->job_hook(f->job_hook_arg, l->job.imsi, 0, false);
	flow_cleanup_hlr(f, l);
	ST_ADD(f, failed, 1);
	ST_ADD(f, failed_total, 1);
	flow_remove(f, l);
	free(l);
}

/* A job that fails before anything was taken (no region, no number):
 * staged as FAILED, the SIM untouched in the store; after the commit the
 * dataplane gets the record again so that its lease ends. */
static void
flow_stage_fail_early(struct jitsim_cp_flow *f, struct jitsim_job *j, const struct jitsim_rec *r)
{
	uint8_t scratch[JITSIM_JOB_REC_MAX];

	j->step = JITSIM_JOB_FAILED;
	if (jitsim_job_encode(j, scratch, sizeof(scratch)) < 0)
		return;
	flow_log("job %" PRIu64 ": failed: %s", j->id, j->reason);
	jitsim_job_put(f->b, j);
	flow_audit(f, "activate_failed", j);
	f->next_id = j->id + 1;
	f->recs[f->n_put++] = *r;
	f->failed_early[f->n_failed_early++] = j->imsi;
}

static bool
flow_is_attach(unsigned int type)
{
	return type == JITSIM_EV_FIRST_ATTACH || type == JITSIM_EV_REATTACH ||
	       type == JITSIM_EV_WAKEUP_MT;
}

static void
flow_stage_blocked(struct jitsim_cp_flow *f, const struct jitsim_event *ev)
{
	char imsi[JITSIM_DIGITS_MAX + 1] = "", fields[128];

	struct jitsim_rec r;
	char err[256];

	/* The dataplane may hold a stale LOCKED/BLOCKED entry (an unlock's
	 * update lost to a full ring): the record is the truth, send it after
	 * the commit, as for a stale first attach. */
	if (jitsim_store_sim_get(f->cfg.store, ev->imsi, &r, err, sizeof(err)) == 0 &&
	    r.state != JITSIM_SIM_LOCKED && r.state != JITSIM_SIM_BLOCKED) {
		ST_ADD(f, resync, 1);
		f->recs[f->n_put++] = r;
		return;
	}
	jitsim_digits_key_format(ev->imsi, imsi, sizeof(imsi));
	snprintf(fields, sizeof(fields), "\"imsi\":\"%s\",\"state\":\"%s\"", imsi,
		 jitsim_sim_state_name(ev->prev_state));
	jitsim_store_batch_audit(f->b, FLOW_WHO, "blocked_attempt", fields);
}

/* Validate one event and stage its job into f->b (steps 1-4 of
 * docs/workflow.md). A staged job is in the hash at once, so that a
 * second event for the same IMSI in the same burst is a duplicate. */
static void
flow_stage_event(struct jitsim_cp_flow *f, const struct jitsim_event *ev)
{
	struct jitsim_rules_region_match reg;
	struct jitsim_rules_device_match dev;
	uint8_t scratch[JITSIM_REC_MAX > JITSIM_JOB_REC_MAX ? JITSIM_REC_MAX : JITSIM_JOB_REC_MAX];
	struct jitsim_rec r;
	struct jitsim_job j;
	struct flow_live *l;
	uint8_t want, next_state;
	uint32_t now;
	char err[256];
	int rc;

	ST_ADD(f, events[ev->type < JITSIM_EV_TYPE_MAX ? ev->type : 0], 1);
	if (ev->type == JITSIM_EV_BLOCKED_ATTEMPT)
		flow_stage_blocked(f, ev);
	/* Logged, written later in bulk (sleep.h): not a sync per event. */
	if (ev->type == JITSIM_EV_ACTIVITY && f->sleep != NULL)
		jitsim_cp_sleep_activity(f->sleep, ev->imsi, ev->ts_s);
	if (!flow_is_attach(ev->type))
		return;
	if (flow_find(f, ev->imsi) != NULL) {
		ST_ADD(f, duplicate, 1);
		return;
	}
	rc = jitsim_store_sim_get(f->cfg.store, ev->imsi, &r, err, sizeof(err));
	if (rc != 0) {
		ST_ADD(f, no_sim, 1);
		if (rc != -ENOENT)
			flow_log("event for a SIM whose record is unreadable: %s", err);
		return;
	}
	want = ev->type == JITSIM_EV_FIRST_ATTACH ? JITSIM_SIM_INVENTORY : JITSIM_SIM_SLEEPING;
	next_state = ev->type == JITSIM_EV_FIRST_ATTACH ? JITSIM_SIM_ACTIVATING
							: JITSIM_SIM_REACTIVATING;
	if (r.state != want) {
		/* Duplicate of a finished job, or the dataplane's table is
		 * behind the store (a lost update, a stale load): the record
		 * is the truth, send it. */
		ST_ADD(f, resync, 1);
		flow_dp_put(f, &r);
		return;
	}

	now = flow_now_s();
	memset(&j, 0, sizeof(j));
	j.id = f->next_id;
	j.step = JITSIM_JOB_ALLOCATED;
	j.event = ev->type;
	j.prev_state = r.state;
	j.tenant = r.tenant;
	j.imsi = r.imsi;
	j.msisdn = r.msisdn;
	j.created = j.updated = now;
	j.flow = JITSIM_FLOW_VOICE;
	j.tariff = f->cfg.default_tariff;
	snprintf(j.profile, sizeof(j.profile), "%s", f->default_profile);
	ST_ADD(f, started, 1);

	if (jitsim_rules_region_lookup(f->cfg.rules, ev, &reg) != 0) {
		j.region = r.region;
		ST_ADD(f, no_region, 1);
		flow_set_reason(&j, "no region for the visited network and no default region");
		flow_stage_fail_early(f, &j, &r);
		return;
	}
	j.region = reg.region;
	j.hlr_id = reg.hlr_id;
	snprintf(j.hlr, sizeof(j.hlr), "%s", reg.hlr);
	if (jitsim_rules_device_lookup(f->cfg.rules, ev, &dev) == 0) {
		j.tariff = dev.tariff;
		j.flow = dev.flow;
		snprintf(j.profile, sizeof(j.profile), "%s", dev.profile);
	}
	/* Everything that can refuse is checked before the pool writes into
	 * the shared batch: a job is staged whole or not at all. */
	r.state = next_state;
	if (jitsim_rec_encode(&r, scratch, sizeof(scratch)) < 0 ||
	    jitsim_job_encode(&j, scratch, sizeof(scratch)) < 0) {
		flow_log("job %" PRIu64 ": record field out of range", j.id);
		return;
	}
	l = flow_live_new(f);
	if (l == NULL)
		return;
	/* A SIM that has a number keeps it (reactivation); a data-only device
	 * gets none (number pools for data devices: issue 7). */
	if (j.msisdn == 0 && j.flow != JITSIM_FLOW_DATA_ONLY) {
		rc = jitsim_pool_alloc(f->cfg.pools, r.tenant, j.region, JITSIM_POOL_STANDARD,
				       r.imsi, now, &j.msisdn, f->b, err, sizeof(err));
		if (rc != 0) {
			free(l);
			r.state = j.prev_state;
			j.msisdn = 0;
			ST_ADD(f, no_number, 1);
			flow_set_reason(&j, "no number: %s", err);
			pthread_mutex_lock(&f->lock);
			snprintf(f->last_no_number, sizeof(f->last_no_number), "%s", j.reason);
			pthread_mutex_unlock(&f->lock);
			flow_stage_fail_early(f, &j, &r);
			return;
		}
		j.flags |= JITSIM_JOB_F_ALLOCATED;
	}
	/* The record names its number from now on: the MSISDN index entry
	 * is valid only if the record names it back (store.h). */
	r.msisdn = j.msisdn;
	r.updated = now;
	jitsim_store_batch_put_sim(f->b, &r);
	jitsim_job_put(f->b, &j);
	flow_audit(f, "allocate", &j);
	f->next_id = j.id + 1;
	l->job = j;
	l->rec = r;
	l->have_rec = true;
	snprintf(l->iccid, sizeof(l->iccid), "%s", r.iccid);
	flow_insert(f, l);
	f->staged[f->n_staged++] = l;
}

/* Up to FLOW_BURST events staged into f->b (not cleared here). */
static void
flow_stage_burst(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n)
{
	const uint64_t id0 = f->next_id;

	f->n_staged = f->n_put = f->n_failed_early = 0;
	for (unsigned int i = 0; i < n; i++)
		flow_stage_event(f, &ev[i]);
	/* The job counter once for the burst, not once per job: one key
	 * less per activation in the memtable. */
	if (f->next_id != id0)
		jitsim_job_put_next(f->b, f->next_id);
}

/* After the commit (result @rc) of a burst flow_stage_burst() staged,
 * with f->next_id @id0 before it: provisioning and dataplane updates.
 * Nothing is sent before the commit: a crash before it leaves nothing. */
static void
flow_burst_committed(struct jitsim_cp_flow *f, uint64_t id0, int rc)
{
	if (rc != 0) {
		/* The pool changes are undone; the jobs never existed. The
		 * dataplane's leases run out and the attaches come again. */
		f->next_id = id0;
		for (unsigned int i = 0; i < f->n_staged; i++) {
			flow_remove(f, f->staged[i]);
			free(f->staged[i]);
		}
		return;
	}
	for (unsigned int i = 0; i < f->n_put; i++)
		flow_dp_put(f, &f->recs[i]);
	ST_ADD(f, failed, f->n_failed_early);
	ST_ADD(f, failed_total, f->n_failed_early);
	for (unsigned int i = 0; f->job_hook != NULL && i < f->n_failed_early; i++)
		f->job_hook(f->job_hook_arg, f->failed_early[i], 0, false);
	/* flow_submit() may fail a job, which uses f->b (committed and
	 * cleared by now). */
	for (unsigned int i = 0; i < f->n_staged; i++)
		flow_submit(f, f->staged[i]);
}

/* One burst of events alone: staged, one commit (sync, shared by every
 * job of the burst), then provisioning and dataplane updates. */
static void
flow_events_burst(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n)
{
	const uint64_t id0 = f->next_id;

	jitsim_store_batch_clear(f->b);
	flow_stage_burst(f, ev, n);
	/* Nothing to write (duplicates, resyncs only): the resync PUTs still go. */
	flow_burst_committed(
		f, id0, jitsim_store_batch_count(f->b) == 0 ? 0 : flow_commit(f, "allocate", id0));
}

void
jitsim_cp_flow_events(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n)
{
	while (n > 0) {
		unsigned int m = n < FLOW_BURST ? n : FLOW_BURST;

		flow_events_burst(f, ev, m);
		ev += m;
		n -= m;
	}
}

void
jitsim_cp_flow_ring_seq(struct jitsim_cp_flow *f, unsigned int ring, const struct jitsim_event *ev,
			unsigned int n)
{
	const uint64_t bit = 1ull << (ring % 64);
	uint32_t last;

	_Static_assert(JITSIM_SHM_MAX_RINGS <= 64, "ring_seen has a bit per ring");
	if (ring >= JITSIM_SHM_MAX_RINGS || n == 0)
		return;
	last = (uint32_t)f->st.event_seq[ring];
	for (unsigned int i = 0; i < n; i++) {
		/* Serial number arithmetic: the seq wraps at 2^32. */
		uint32_t d = ev[i].seq - last;

		if (!(f->ring_seen & bit)) {
			f->ring_seen |= bit;
		} else if (d == 0 || d > INT32_MAX) {
			ST_ADD(f, event_repeats, 1);
			continue;
		} else if (d > 1) {
			ST_ADD(f, event_gaps, d - 1);
		}
		last = ev[i].seq;
	}
	__atomic_store_n(&f->st.event_seq[ring], last, __ATOMIC_RELAXED);
}

void
jitsim_cp_flow_event(struct jitsim_cp_flow *f, const struct jitsim_event *ev)
{
	jitsim_cp_flow_events(f, ev, 1);
}

/* Answers that a retry cannot change: the HLR refused the order (osmo-hlr
 * ERROR, HTTP 4xx, a conflicting subscriber, no keys). */
static bool
flow_permanent(int status)
{
	return status == -EPROTO || status == -EREMOTEIO || status == -EEXIST ||
	       status == -ENOKEY || status == -EINVAL;
}

/* The HLR could not be reached or was busy: retry without limit. */
static bool
flow_transient(int status)
{
	return status == -ETIMEDOUT || status == -ECONNRESET || status == -ECONNREFUSED ||
	       status == -EAGAIN || status == -EHOSTUNREACH || status == -ENOTCONN;
}

/* A provisioning attempt failed: retry later or give up. */
static void
flow_attempt_failed(struct jitsim_cp_flow *f, struct flow_live *l, uint64_t now_ns)
{
	uint64_t delay;

	l->job.attempts++;
	if (flow_permanent(l->status)) {
		flow_set_reason(&l->job, "provisioning refused: %s", l->msg);
		flow_fail(f, l);
		return;
	}
	/* The HLR is down or unreachable: the job waits for it, however long
	 * (status shows it live; job show its attempts), rather than FAIL
	 * every activation of an outage. */
	if (l->job.attempts > f->cfg.retries && !flow_transient(l->status)) {
		flow_set_reason(&l->job, "provisioning failed %u times: %s", l->job.attempts,
				l->msg);
		flow_fail(f, l);
		return;
	}
	ST_ADD(f, retries, 1);
	delay = (uint64_t)f->cfg.backoff_ms * 1000000ull;
	for (unsigned int i = 1; i < l->job.attempts && delay < FLOW_BACKOFF_MAX_NS; i++)
		delay *= 2;
	if (delay > FLOW_BACKOFF_MAX_NS)
		delay = FLOW_BACKOFF_MAX_NS;
	flow_retry_at(f, l, now_ns + delay);
}

unsigned int
jitsim_cp_flow_turn(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n,
		    uint64_t now_ns)
{
	struct flow_live *done, *l, *next, **pp, *ok_list = NULL;
	struct flow_live *in[FLOW_BURST], *ok[FLOW_BURST];
	unsigned int work = n;

	/* Billing/CRM notifications whose retry is due. */
	work += jitsim_cp_notify_poll(f->cfg.notify, now_ns);
	pthread_mutex_lock(&f->lock);
	done = f->cdone;
	f->cdone = NULL;
	pthread_mutex_unlock(&f->lock);
	/* Failures first, one commit each (rare), and due retries (a refused
	 * order fails its job at once): both use f->b, which the shared
	 * commit below fills. */
	for (l = done; l != NULL; l = next) {
		next = l->cnext;
		work++;
		if (l->status != 0) {
			flow_attempt_failed(f, l, now_ns);
			continue;
		}
		l->cnext = ok_list;
		ok_list = l;
	}
	pp = &f->retry;
	while ((l = *pp) != NULL) {
		if (l->retry_at_ns > now_ns) {
			pp = &l->rnext;
			continue;
		}
		*pp = l->rnext;
		l->retry_at_ns = 0;
		work++;
		if (l->job.step == JITSIM_JOB_ALLOCATED)
			flow_submit(f, l);
	}
	/* New jobs and finished ones share a commit: one sync per turn
	 * where the two steps took two, which halves what the workflow
	 * thread waits for at a steady rate. A failed commit undoes both
	 * halves (each as when committed alone). */
	while (n > 0 || ok_list != NULL) {
		const unsigned int ne = n < FLOW_BURST ? n : FLOW_BURST;
		const uint64_t id0 = f->next_id;
		unsigned int nd = 0, m;
		int rc = 0;

		for (; ok_list != NULL && nd < FLOW_BURST; ok_list = ok_list->cnext)
			in[nd++] = ok_list;
		jitsim_store_batch_clear(f->b);
		flow_stage_burst(f, ev, ne);
		m = flow_stage_done(f, in, nd, ok);
		if (jitsim_store_batch_count(f->b) > 0)
			rc = flow_commit(f, m > 0 ? "done" : "allocate",
					 m > 0 ? ok[0]->job.id : id0);
		flow_burst_committed(f, id0, rc);
		flow_done_committed(f, ok, m, rc);
		if (ne > 0)
			ev += ne;
		n -= ne;
	}
	return work;
}

unsigned int
jitsim_cp_flow_poll(struct jitsim_cp_flow *f, uint64_t now_ns)
{
	return jitsim_cp_flow_turn(f, NULL, 0, now_ns);
}

/* --- restart --- */

/* DONE jobs re-sent to the dataplane at start: those done this recently.
 * A kill -9 between a done commit and its PUT leaves the dataplane with
 * the SIM leased (ACTIVATING); such jobs are among the last done before
 * the kill. An older one is healed by the resync path: its lease has run
 * out (30 s by default), so the SIM's next attach raises an event, which
 * finds the record ACTIVE and sends it. Re-sending the whole journal at
 * every start would flood the update ring for nothing. */
#define FLOW_RESEND_S 300

struct flow_resume {
	struct jitsim_cp_flow *f;
	uint32_t now;
	uint64_t resent, not_resent;
};

static int
flow_resume_one(const struct jitsim_job *j, void *arg)
{
	struct flow_resume *rs = arg;
	struct jitsim_cp_flow *f = rs->f;
	struct flow_live *l;
	struct jitsim_rec r;
	char err[256];

	if (j->step == JITSIM_JOB_FAILED) {
		ST_ADD(f, failed_total, 1);
		return 0;
	}
	if (j->step == JITSIM_JOB_DONE) {
		ST_ADD(f, done_total, 1);
		/* Only recent ones: no SIM read for the rest of the journal. */
		if (j->updated + FLOW_RESEND_S < rs->now)
			return 0;
		/* Ring full: the rest heal through resync as well. */
		if (rs->not_resent > 0) {
			rs->not_resent++;
			return 0;
		}
		/* A sleep job's SIM is SLEEPING, its number perhaps released. */
		if (jitsim_store_sim_get(f->cfg.store, j->imsi, &r, err, sizeof(err)) == 0 &&
		    ((j->flags & JITSIM_JOB_F_SLEEP)
			     ? r.state == JITSIM_SIM_SLEEPING
			     : r.state == JITSIM_SIM_ACTIVE && r.msisdn == j->msisdn)) {
			if (flow_dp_put(f, &r))
				rs->resent++;
			else
				rs->not_resent++;
		}
		return 0;
	}
	if (jitsim_store_sim_get(f->cfg.store, j->imsi, &r, err, sizeof(err)) != 0) {
		flow_log("job %" PRIu64 ": its SIM record is gone or unreadable: skipped", j->id);
		return 0;
	}
	if (flow_find(f, j->imsi) != NULL) {
		flow_log("job %" PRIu64 ": IMSI has another unfinished job: skipped", j->id);
		return 0;
	}
	l = flow_live_new(f);
	if (l == NULL)
		return -ENOMEM;
	l->job = *j;
	l->rec = r;
	l->have_rec = true;
	snprintf(l->iccid, sizeof(l->iccid), "%s", r.iccid);
	flow_insert(f, l);
	ST_ADD(f, resumed, 1);
	flow_submit(f, l);
	return 0;
}

/* A job record that does not decode: skipped, counted and logged, so that
 * one damaged record does not stop every activation. Its SIM stays as it
 * is (ACTIVATING if the job was unfinished: the resync path keeps the
 * dataplane's lease short) until an operator looks at it; `status`
 * alerts show the count, jitsim-store check names the job. */
static int
flow_resume_bad(uint64_t id, int rc, const char *msg, void *arg)
{
	struct flow_resume *rs = arg;

	/* A newer record version is no damage: an older jitsim-cp must not
	 * run on a newer journal. */
	if (rc == -ENOTSUP)
		return rc;
	ST_ADD(rs->f, journal_damaged, 1);
	flow_log("job %" PRIu64 ": damaged job record skipped (%s); its SIM and number stay as "
		 "they are",
		 id, msg);
	return 0;
}

int
jitsim_cp_flow_resume(struct jitsim_cp_flow *f, char *err, size_t errlen)
{
	struct flow_resume rs = {.f = f, .now = flow_now_s()};
	int rc = jitsim_job_next_get(f->cfg.store, &f->next_id);

	if (rc != 0) {
		snprintf(err, errlen, "meta cp/job_next: %s",
			 rc == -EBADMSG ? "damaged" : "read error");
		return rc;
	}
	rc = jitsim_job_foreach(f->cfg.store, flow_resume_one, flow_resume_bad, &rs, err, errlen);
	if (rc == 0 && (rs.resent > 0 || rs.not_resent > 0))
		flow_log("%" PRIu64 " jobs done in the last %u s re-sent to the dataplane%s",
			 rs.resent, FLOW_RESEND_S,
			 rs.not_resent > 0 ? "; the update ring is full: the rest heal on their "
					     "next attach (resync)"
					   : "");
	return rc;
}
