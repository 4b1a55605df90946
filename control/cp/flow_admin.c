/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Operator changes to SIMs and jobs (flow.h: jitsim_cp_flow_sim_change(),
 * jitsim_cp_flow_job_retry()). They run on the workflow thread, between
 * two turns of its loop, so they see the live jobs and the pool set as
 * the event path left them and never race an activation of the same SIM.
 *
 * Each change is one WriteBatch in f->b (empty between loop turns):
 * the record, the pool changes, the journal entries and the caller's
 * audit line commit together or not at all; the dataplane is told only
 * after the commit, as on the event path.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "flow.h"
#include "flow_int.h"
#include "pool.h"
#include "rules.h"
#include "store.h"

static const char *const admin_op_names[] = {
	[JITSIM_CP_SIM_LOCK] = "lock",	   [JITSIM_CP_SIM_UNLOCK] = "unlock",
	[JITSIM_CP_SIM_BLOCK] = "block",   [JITSIM_CP_SIM_UNBLOCK] = "unblock",
	[JITSIM_CP_SIM_RETIRE] = "retire",
};

static int admin_err(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
admin_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static const char *
admin_digits(uint64_t key, char *buf, size_t size)
{
	if (key == 0 || jitsim_digits_key_format(key, buf, size) < 0)
		snprintf(buf, size, "-");
	return buf;
}

/* f->b is empty between loop turns; anything left there would be a bug
 * of the event path, whose pool changes must not ride on our commit. */
static void
admin_batch_start(struct jitsim_cp_flow *f)
{
	if (jitsim_store_batch_count(f->b) != 0) {
		flow_log("operator change: %u writes left in the workflow batch: dropped",
			 jitsim_store_batch_count(f->b));
		jitsim_pool_abort(f->cfg.pools, f->b);
	}
	jitsim_store_batch_clear(f->b);
}

static void
admin_batch_abort(struct jitsim_cp_flow *f)
{
	jitsim_pool_abort(f->cfg.pools, f->b);
	jitsim_store_batch_clear(f->b);
}

/* Commit f->b; the pool changes are final or undone. f->b is cleared. */
static int
admin_commit(struct jitsim_cp_flow *f, char *err, size_t errlen)
{
	int rc = jitsim_store_commit(f->b, err, errlen);

	if (rc == 0) {
		jitsim_pool_commit_done(f->cfg.pools, f->b);
	} else {
		jitsim_pool_abort(f->cfg.pools, f->b);
		ST_ADD(f, commit_errors, 1);
	}
	jitsim_store_batch_clear(f->b);
	return rc;
}

/* A SIM that a job owns (a live job, or a record left ACTIVATING by a
 * job that is not live) is refused, naming the job. */
static int
admin_check_job(struct jitsim_cp_flow *f, const struct jitsim_rec *r, const char *imsi, char *err,
		size_t errlen)
{
	struct flow_live *l = flow_find(f, r->imsi);
	struct jitsim_job j;
	char jerr[128];

	if (l != NULL)
		return admin_err(err, errlen, -EBUSY,
				 "imsi %s: job %" PRIu64 " is in progress (%s): try again when "
				 "it is done or failed",
				 imsi, l->job.id, jitsim_job_step_name(l->job.step));
	if (r->state == JITSIM_SIM_ACTIVATING || r->state == JITSIM_SIM_REACTIVATING) {
		if (jitsim_job_get_by_imsi(f->cfg.store, r->imsi, &j, jerr, sizeof(jerr)) == 0)
			return admin_err(err, errlen, -EBUSY,
					 "imsi %s: %s by job %" PRIu64
					 " (%s), which is not in progress: it resumes at the "
					 "next start of jitsim-cp",
					 imsi, jitsim_sim_state_name(r->state), j.id,
					 jitsim_job_step_name(j.step));
		return admin_err(err, errlen, -EBUSY, "imsi %s: %s without a job", imsi,
				 jitsim_sim_state_name(r->state));
	}
	return 0;
}

/* The state a BLOCKED SIM was blocked in (and a LOCKED one locked in),
 * 0 when the record does not say: is it (possibly) in an HLR? */
static int
admin_retire_check(const struct jitsim_rec *r, const char *imsi, char *err, size_t errlen)
{
	unsigned int s = r->state;

	if (s == JITSIM_SIM_BLOCKED)
		s = r->unblock_to;
	if (s == JITSIM_SIM_LOCKED)
		s = r->unlock_to != 0 ? r->unlock_to : (r->msisdn == 0 ? JITSIM_SIM_INVENTORY : 0);
	if (s == JITSIM_SIM_INVENTORY || s == JITSIM_SIM_SLEEPING)
		return 0;
	if (s == JITSIM_SIM_ACTIVE)
		return admin_err(err, errlen, -EOPNOTSUPP,
				 "imsi %s: %s%s: it is provisioned in HLR %u; retire deprovisions "
				 "nothing: block it now, retire it once a sweep put it to sleep",
				 imsi, jitsim_sim_state_name(r->state),
				 r->state == JITSIM_SIM_ACTIVE ? "" : " (was active)", r->hlr);
	return admin_err(err, errlen, -EOPNOTSUPP,
			 "imsi %s: %s, and its record does not say from which state: it may be "
			 "provisioned in an HLR; unblock/unlock it with --state first",
			 imsi, jitsim_sim_state_name(r->state));
}

/* Retire: the SIM's number and its reservation go back to the pool
 * (quarantine), in f->b. */
static int
admin_retire_numbers(struct jitsim_cp_flow *f, struct jitsim_rec *r,
		     struct jitsim_cp_sim_change *out, char *err, size_t errlen)
{
	char perr[256], m[JITSIM_DIGITS_MAX + 1];
	uint64_t held = 0, owner = 0;
	int rc;

	if (r->msisdn != 0) {
		rc = jitsim_pool_release(f->cfg.pools, r->msisdn, flow_now_s(), f->b, perr,
					 sizeof(perr));
		if (rc == -EBUSY)
			return admin_err(err, errlen, rc, "msisdn %s: %s",
					 admin_digits(r->msisdn, m, sizeof(m)), perr);
		/* In no pool (a number imported with the SIM, outside every
		 * pool): no quarantine to keep, only its index entry to drop
		 * if it is still this SIM's. */
		if (rc == -ENOENT &&
		    jitsim_store_msisdn_get(f->cfg.store, r->msisdn, &owner) == 0 &&
		    owner == r->imsi)
			jitsim_store_batch_del_msisdn(f->b, r->msisdn);
		else if (rc != 0 && rc != -ENOENT)
			return admin_err(err, errlen, rc, "msisdn %s: %s",
					 admin_digits(r->msisdn, m, sizeof(m)), perr);
		out->released = r->msisdn;
		r->msisdn = 0;
	}
	if (jitsim_pool_reserved_for(f->cfg.pools, r->imsi, &held) == 0) {
		rc = jitsim_pool_unreserve(f->cfg.pools, held, f->b, perr, sizeof(perr));
		if (rc != 0)
			return admin_err(err, errlen, rc, "msisdn %s: %s",
					 admin_digits(held, m, sizeof(m)), perr);
		out->unreserved = held;
	}
	return 0;
}

/* The state an unlock/unblock goes to: the record's, else @to (which
 * must then be one of @allowed), else an error naming "state". */
static int
admin_return_state(uint8_t recorded, uint8_t to, const uint8_t *allowed, unsigned int n,
		   uint8_t fallback, const char *imsi, const char *what, uint8_t *out, char *err,
		   size_t errlen)
{
	char names[96] = "";
	size_t len = 0;

	if (recorded != 0) {
		if (to != JITSIM_SIM_NONE && to != recorded)
			return admin_err(err, errlen, -EINVAL,
					 "state: imsi %s was %s when %s; it goes back to %s", imsi,
					 jitsim_sim_state_name(recorded), what,
					 jitsim_sim_state_name(recorded));
		*out = recorded;
		return 0;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (to == allowed[i]) {
			*out = to;
			return 0;
		}
		len += (size_t)snprintf(names + len, sizeof(names) - len, "%s%s", i ? ", " : "",
					jitsim_sim_state_name(allowed[i]));
		if (len >= sizeof(names))
			len = sizeof(names) - 1;
	}
	if (to == JITSIM_SIM_NONE && fallback != JITSIM_SIM_NONE) {
		*out = fallback;
		return 0;
	}
	return admin_err(err, errlen, -EINVAL,
			 "state: %s for imsi %s: its record does not say which state it was %s "
			 "in; give one of %s",
			 to == JITSIM_SIM_NONE ? "required" : jitsim_sim_state_name(to), imsi, what,
			 names);
}

/* The new record for @op, or an error; *r is changed only on success. */
static int
admin_transition(struct jitsim_rec *r, enum jitsim_cp_sim_op op, uint8_t to, const char *imsi,
		 char *err, size_t errlen)
{
	static const uint8_t unlock_ok[] = {JITSIM_SIM_INVENTORY, JITSIM_SIM_SLEEPING};
	static const uint8_t unblock_ok[] = {JITSIM_SIM_INVENTORY, JITSIM_SIM_SLEEPING,
					     JITSIM_SIM_ACTIVE, JITSIM_SIM_LOCKED};
	const char *now = jitsim_sim_state_name(r->state);
	uint8_t next = JITSIM_SIM_NONE;
	int rc;

	switch (op) {
	case JITSIM_CP_SIM_LOCK:
		if (r->state == JITSIM_SIM_LOCKED)
			return admin_err(err, errlen, -EALREADY, "imsi %s is already locked", imsi);
		if (!jitsim_sim_state_activatable(r->state))
			return admin_err(err, errlen, -EPERM,
					 "imsi %s is %s: only inventory and sleeping SIMs can be "
					 "locked (block stops any SIM)",
					 imsi, now);
		r->unlock_to = r->state;
		r->state = JITSIM_SIM_LOCKED;
		return 0;
	case JITSIM_CP_SIM_UNLOCK:
		if (r->state != JITSIM_SIM_LOCKED)
			return admin_err(
				err, errlen, -EPERM, "imsi %s is %s, not locked%s", imsi, now,
				r->state == JITSIM_SIM_BLOCKED && r->unblock_to == JITSIM_SIM_LOCKED
					? " (unblock it first)"
					: "");
		/* A LOCKED SIM without a number is one not yet distributed
		 * (sim.h): its state before was INVENTORY. */
		rc = admin_return_state(r->unlock_to, to, unlock_ok, 2,
					r->msisdn == 0 ? JITSIM_SIM_INVENTORY : JITSIM_SIM_NONE,
					imsi, "locked", &next, err, errlen);
		if (rc != 0)
			return rc;
		r->state = next;
		r->unlock_to = 0;
		return 0;
	case JITSIM_CP_SIM_BLOCK:
		if (r->state == JITSIM_SIM_BLOCKED)
			return admin_err(err, errlen, -EALREADY, "imsi %s is already blocked",
					 imsi);
		if (r->state == JITSIM_SIM_RETIRED)
			return admin_err(err, errlen, -EPERM, "imsi %s is retired", imsi);
		r->unblock_to = r->state;
		r->state = JITSIM_SIM_BLOCKED;
		return 0;
	case JITSIM_CP_SIM_UNBLOCK:
		if (r->state != JITSIM_SIM_BLOCKED)
			return admin_err(err, errlen, -EPERM, "imsi %s is %s, not blocked", imsi,
					 now);
		rc = admin_return_state(r->unblock_to, to, unblock_ok, 4, JITSIM_SIM_NONE, imsi,
					"blocked", &next, err, errlen);
		if (rc != 0)
			return rc;
		/* Unblocked into LOCKED without knowing what it was locked in:
		 * the unlock will ask, as for an imported LOCKED SIM. */
		r->state = next;
		r->unblock_to = 0;
		return 0;
	case JITSIM_CP_SIM_RETIRE:
		if (r->state == JITSIM_SIM_RETIRED)
			return admin_err(err, errlen, -EALREADY, "imsi %s is already retired",
					 imsi);
		rc = admin_retire_check(r, imsi, err, errlen);
		if (rc != 0)
			return rc;
		r->state = JITSIM_SIM_RETIRED;
		r->unlock_to = r->unblock_to = 0;
		return 0;
	}
	return admin_err(err, errlen, -EINVAL, "operation %d unknown", (int)op);
}

int
jitsim_cp_flow_sim_change(struct jitsim_cp_flow *f, uint64_t imsi, enum jitsim_cp_sim_op op,
			  uint8_t to, const struct jitsim_cp_flow_audit *audit,
			  struct jitsim_cp_sim_change *out, char *err, size_t errlen)
{
	char name[JITSIM_DIGITS_MAX + 1], m1[JITSIM_DIGITS_MAX + 1], m2[JITSIM_DIGITS_MAX + 1];
	char fields[320];
	struct jitsim_rec *r = &out->rec;
	int rc;

	memset(out, 0, sizeof(*out));
	if ((unsigned int)op >= sizeof(admin_op_names) / sizeof(admin_op_names[0]))
		return admin_err(err, errlen, -EINVAL, "operation %d unknown", (int)op);
	admin_digits(imsi, name, sizeof(name));
	rc = jitsim_store_sim_get(f->cfg.store, imsi, r, err, errlen);
	if (rc == -ENOENT)
		return admin_err(err, errlen, rc, "imsi %s is not in the store", name);
	if (rc != 0)
		return rc;
	out->from = r->state;
	rc = admin_check_job(f, r, name, err, errlen);
	if (rc == 0)
		rc = admin_transition(r, op, to, name, err, errlen);
	if (rc != 0)
		return rc;
	r->updated = flow_now_s();

	admin_batch_start(f);
	if (op == JITSIM_CP_SIM_RETIRE) {
		rc = admin_retire_numbers(f, r, out, err, errlen);
		if (rc != 0) {
			admin_batch_abort(f);
			return rc;
		}
	}
	rc = jitsim_store_batch_put_sim(f->b, r);
	if (rc != 0) {
		admin_batch_abort(f);
		return admin_err(err, errlen, rc, "imsi %s: record field out of range", name);
	}
	snprintf(fields, sizeof(fields),
		 "\"imsi\":\"%s\",\"op\":\"%s\",\"from\":\"%s\",\"to\":\"%s\","
		 "\"released\":\"%s\",\"unreserved\":\"%s\"",
		 name, admin_op_names[op], jitsim_sim_state_name(out->from),
		 jitsim_sim_state_name(r->state), admin_digits(out->released, m1, sizeof(m1)),
		 admin_digits(out->unreserved, m2, sizeof(m2)));
	if (audit != NULL && audit->fn != NULL)
		audit->fn(f->b, audit->arg, fields);
	rc = admin_commit(f, err, errlen);
	if (rc != 0) {
		flow_log("imsi %s: %s: commit failed: %s", name, admin_op_names[op], err);
		return rc;
	}
	out->dp_sent = flow_dp_put(f, r);
	return 0;
}

/* --- job.retry --- */

/* Region @id and its HLR (name and id) into @j. */
static int
admin_region(struct jitsim_cp_flow *f, uint16_t id, struct jitsim_job *j, char *err, size_t errlen)
{
	struct jitsim_rules_region *regs = NULL;
	struct jitsim_rules_hlr *hlrs = NULL;
	unsigned int nr, nh, i;
	int rc = -ENOENT;

	nr = jitsim_rules_region_list(f->cfg.rules, NULL, 0);
	nh = jitsim_rules_hlr_list(f->cfg.rules, NULL, 0);
	regs = calloc(nr ? nr : 1, sizeof(*regs));
	hlrs = calloc(nh ? nh : 1, sizeof(*hlrs));
	if (regs == NULL || hlrs == NULL) {
		rc = admin_err(err, errlen, -ENOMEM, "out of memory");
		goto out;
	}
	/* The set cannot change in between: the workflow thread is the
	 * only writer, and it is here. */
	nr = jitsim_rules_region_list(f->cfg.rules, regs, nr);
	nh = jitsim_rules_hlr_list(f->cfg.rules, hlrs, nh);
	for (i = 0; i < nr && regs[i].id != id; i++)
		;
	if (i == nr) {
		admin_err(err, errlen, rc, "region: no region %u", id);
		goto out;
	}
	j->region = id;
	snprintf(j->hlr, sizeof(j->hlr), "%s", regs[i].hlr);
	j->hlr_id = 0;
	for (unsigned int k = 0; k < nh; k++)
		if (strcmp(hlrs[k].name, regs[i].hlr) == 0)
			j->hlr_id = hlrs[k].id;
	rc = 0;
out:
	free(regs);
	free(hlrs);
	return rc;
}

/* Everything that refuses a retry, before anything is written. */
static int
admin_retry_check(struct jitsim_cp_flow *f, const struct jitsim_job *old, struct jitsim_rec *r,
		  const char *imsi, char *err, size_t errlen)
{
	struct flow_live *l;
	struct jitsim_job latest;
	int rc;

	if (old->step != JITSIM_JOB_FAILED)
		return admin_err(err, errlen, -EPERM,
				 "job %" PRIu64 " is %s: only failed jobs are retried", old->id,
				 jitsim_job_step_name(old->step));
	l = flow_find(f, old->imsi);
	if (l != NULL)
		return admin_err(err, errlen, -EBUSY, "imsi %s: job %" PRIu64 " is in progress",
				 imsi, l->job.id);
	rc = jitsim_job_get_by_imsi(f->cfg.store, old->imsi, &latest, err, errlen);
	if (rc != 0)
		return rc == -ENOENT ? admin_err(err, errlen, -EBADMSG,
						 "imsi %s: job index missing for job %" PRIu64,
						 imsi, old->id)
				     : rc;
	if (latest.id != old->id)
		return admin_err(err, errlen, -EPERM,
				 "job %" PRIu64 " is not the latest job of imsi %s (job %" PRIu64
				 " is, %s)",
				 old->id, imsi, latest.id, jitsim_job_step_name(latest.step));
	rc = jitsim_store_sim_get(f->cfg.store, old->imsi, r, err, errlen);
	if (rc == -ENOENT)
		return admin_err(err, errlen, rc, "imsi %s of job %" PRIu64 " is not in the store",
				 imsi, old->id);
	if (rc != 0)
		return rc;
	if (r->state != old->prev_state || !jitsim_sim_state_activatable(r->state))
		return admin_err(err, errlen, -EPERM,
				 "imsi %s is %s; job %" PRIu64 " started from %s: nothing to retry",
				 imsi, jitsim_sim_state_name(r->state), old->id,
				 jitsim_sim_state_name(old->prev_state));
	return 0;
}

int
jitsim_cp_flow_job_retry(struct jitsim_cp_flow *f, uint64_t id, uint16_t region,
			 const struct jitsim_cp_flow_audit *audit, struct jitsim_job *out,
			 char *err, size_t errlen)
{
	uint8_t scratch[JITSIM_REC_MAX > JITSIM_JOB_REC_MAX ? JITSIM_REC_MAX : JITSIM_JOB_REC_MAX];
	char imsi[JITSIM_DIGITS_MAX + 1], perr[256], fields[160];
	struct jitsim_job old, j;
	struct flow_live *l;
	struct jitsim_rec r;
	uint32_t now;
	int rc;

	rc = jitsim_job_get(f->cfg.store, id, &old, err, errlen);
	if (rc == -ENOENT)
		return admin_err(err, errlen, rc, "job: no job %" PRIu64, id);
	if (rc != 0)
		return rc;
	admin_digits(old.imsi, imsi, sizeof(imsi));
	rc = admin_retry_check(f, &old, &r, imsi, err, errlen);
	if (rc != 0)
		return rc;

	now = flow_now_s();
	memset(&j, 0, sizeof(j));
	j.id = f->next_id;
	j.step = JITSIM_JOB_ALLOCATED;
	j.event = old.event;
	j.prev_state = r.state;
	j.tenant = r.tenant;
	j.imsi = r.imsi;
	j.msisdn = r.msisdn;
	j.created = j.updated = now;
	j.flow = old.flow;
	j.tariff = old.tariff;
	snprintf(j.profile, sizeof(j.profile), "%s", old.profile);
	if (region != 0) {
		rc = admin_region(f, region, &j, err, errlen);
		if (rc != 0)
			return rc;
	} else if (old.hlr[0] == '\0') {
		/* A job failed for want of a region keeps the SIM's region
		 * (maybe 0) and no HLR: there is nothing to provision to. */
		return admin_err(err, errlen, -EINVAL,
				 "region: required, job %" PRIu64 " had no region (%s)", id,
				 old.reason);
	} else {
		j.region = old.region;
		j.hlr_id = old.hlr_id;
		snprintf(j.hlr, sizeof(j.hlr), "%s", old.hlr);
	}
	r.state = r.state == JITSIM_SIM_INVENTORY ? JITSIM_SIM_ACTIVATING : JITSIM_SIM_REACTIVATING;
	if (jitsim_rec_encode(&r, scratch, sizeof(scratch)) < 0 ||
	    jitsim_job_encode(&j, scratch, sizeof(scratch)) < 0)
		return admin_err(err, errlen, -EINVAL, "job %" PRIu64 ": field out of range", id);
	l = flow_live_new(f);
	if (l == NULL)
		return admin_err(err, errlen, -ENOMEM, "out of memory");

	admin_batch_start(f);
	if (j.msisdn == 0 && j.flow != JITSIM_FLOW_DATA_ONLY) {
		rc = jitsim_pool_alloc(f->cfg.pools, r.tenant, j.region, JITSIM_POOL_STANDARD,
				       r.imsi, now, &j.msisdn, f->b, perr, sizeof(perr));
		if (rc != 0) {
			admin_batch_abort(f);
			free(l);
			return admin_err(err, errlen, rc, "no number for imsi %s: %s", imsi, perr);
		}
		j.flags |= JITSIM_JOB_F_ALLOCATED;
	}
	r.msisdn = j.msisdn;
	r.updated = now;
	jitsim_store_batch_put_sim(f->b, &r);
	jitsim_job_put(f->b, &j);
	jitsim_job_put_next(f->b, j.id + 1);
	flow_audit(f, "allocate", &j);
	snprintf(fields, sizeof(fields),
		 "\"job\":%" PRIu64 ",\"new_job\":%" PRIu64 ",\"imsi\":\"%s\",\"region\":%u", id,
		 j.id, imsi, j.region);
	if (audit != NULL && audit->fn != NULL)
		audit->fn(f->b, audit->arg, fields);
	rc = admin_commit(f, err, errlen);
	if (rc != 0) {
		flow_log("job %" PRIu64 ": retry: commit failed: %s", id, err);
		free(l);
		return rc;
	}
	f->next_id = j.id + 1;
	l->job = j;
	snprintf(l->iccid, sizeof(l->iccid), "%s", r.iccid);
	flow_insert(f, l);
	ST_ADD(f, started, 1);
	*out = j;
	/* May fail the job at once (order refused): it is then FAILED in the
	 * journal like any other, and l is gone. */
	flow_submit(f, l);
	return 0;
}
