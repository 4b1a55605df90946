/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
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
#include "cpctl_inv.h"
#include "cpctl_pool.h"
#include "cpctl_rules.h"
#include "cpctl_sim.h"
#include "cpctl_sleep.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "flow.h"
#include "fta.h"
#include "job.h"
#include "notify.h"
#include "rate.h"
#include "store.h"

#define CPCTL_LIST_DEFAULT 100
#define CPCTL_LIST_MAX 1000

json_t *
jitsim_cpctl_job_json(const struct jitsim_job *j)
{
	return json_pack(
		"{s:I,s:s,s:s,s:o,s:o,s:s,s:s,s:i,s:i,s:s,s:i,s:i,s:s,s:i,s:I,s:I,s:s}", "job",
		(json_int_t)j->id, "kind", (j->flags & JITSIM_JOB_F_SLEEP) ? "sleep" : "activate",
		"step", jitsim_job_step_name(j->step), "imsi", jitsim_cpctl_digits(j->imsi),
		"msisdn", jitsim_cpctl_digits(j->msisdn), "event", jitsim_event_type_name(j->event),
		"prev_state", jitsim_sim_state_name(j->prev_state), "tenant", j->tenant, "region",
		j->region, "hlr", j->hlr, "hlr_id", j->hlr_id, "tariff", j->tariff, "profile",
		j->profile, "attempts", j->attempts, "created", (json_int_t)j->created, "updated",
		(json_int_t)j->updated, "reason", j->reason);
}

/* --- status --- */

static int
cpctl_status(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct jitsim_cp_flow_stats st;
	const struct jitsim_shm_hdr *h = c->shm->hdr;
	json_t *ev, *rings, *o;
	uint64_t age;
	struct timespec ts;

	(void)err;
	(void)errlen;
	jitsim_cp_flow_stats(c->flow, &st);
	ev = json_object();
	for (unsigned int t = 1; t < JITSIM_EV_TYPE_MAX; t++)
		json_object_set_new(ev, jitsim_event_type_name(t),
				    json_integer((json_int_t)st.events[t]));
	json_object_set_new(ev, "invalid", json_integer((json_int_t)st.events[0]));
	rings = json_array();
	for (unsigned int i = 0; i < c->shm->hdr->n_event_rings; i++)
		json_array_append_new(rings, json_integer(rte_ring_count(c->shm->event[i])));
	age = jitsim_shm_peer_age_ns(c->shm);
	clock_gettime(CLOCK_MONOTONIC, &ts);
	o = json_pack(
		"{s:s,s:I,s:o,s:{s:I,s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I},"
		"s:{s:o,s:I,s:I,s:b,s:I,s:I,s:o,s:i}}",
		"instance", c->instance, "uptime_ms",
		(json_int_t)(((uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec -
			      c->started_ns) /
			     1000000),
		"events", ev, "jobs", "allocated", (json_int_t)st.live, "done",
		(json_int_t)st.done_total, "failed", (json_int_t)st.failed_total, "started",
		(json_int_t)st.started, "resumed", (json_int_t)st.resumed, "retries",
		(json_int_t)st.retries, "commit_errors", (json_int_t)st.commit_errors, "handling",
		"duplicate", (json_int_t)st.duplicate, "resync", (json_int_t)st.resync, "no_sim",
		(json_int_t)st.no_sim, "updates", (json_int_t)st.updates, "update_drops",
		(json_int_t)st.update_drops, "dataplane", "heartbeat_age_ms",
		age == UINT64_MAX ? json_null() : json_integer((json_int_t)(age / 1000000)),
		"generation", (json_int_t)__atomic_load_n(&h->dp_generation, __ATOMIC_RELAXED),
		"pid", (json_int_t)__atomic_load_n(&h->dp_pid, __ATOMIC_RELAXED), "ready",
		__atomic_load_n(&h->dp_ready, __ATOMIC_RELAXED) != 0, "update_seq_applied",
		(json_int_t)__atomic_load_n(&h->dp_update_seq, __ATOMIC_RELAXED), "update_seq_sent",
		(json_int_t)__atomic_load_n(&h->cp_update_seq, __ATOMIC_RELAXED), "event_ring_fill",
		rings, "update_ring_fill", (int)rte_ring_count(c->shm->update));
	if (o == NULL)
		return -ENOMEM;
	if (c->rate != NULL) {
		static const unsigned int win[] = {10, 60};
		json_t *rates = json_object();

		for (unsigned int w = 0; w < 2; w++) {
			double r[JITSIM_CP_RATE_N];
			char key[8];
			double span = jitsim_cp_rate_get(c->rate, win[w], r);

			snprintf(key, sizeof(key), "%us", win[w]);
			json_object_set_new(rates, key,
					    json_pack("{s:f,s:f,s:f,s:f,s:f}", "seconds", span,
						      "events", r[JITSIM_CP_RATE_EVENTS],
						      "jobs_started", r[JITSIM_CP_RATE_STARTED],
						      "jobs_done", r[JITSIM_CP_RATE_DONE],
						      "jobs_failed", r[JITSIM_CP_RATE_FAILED]));
		}
		json_object_set_new(o, "rates_per_s", rates);
	}
	if (c->notify != NULL) {
		struct jitsim_cp_notify_stats ns;

		jitsim_cp_notify_stats(c->notify, &ns);
		json_object_set_new(o, "notify",
				    json_pack("{s:I,s:I,s:I,s:I}", "sent", (json_int_t)ns.sent,
					      "ok", (json_int_t)ns.ok, "retried",
					      (json_int_t)ns.retried, "failed",
					      (json_int_t)ns.failed));
	}
	if (c->fta != NULL)
		json_object_set_new(o, "fta", jitsim_cp_fta_status_json(c->fta));
	/* Alerts: an operator must act (add numbers, add a region). */
	{
		char last[JITSIM_JOB_REASON_MAX + 1];

		jitsim_cp_flow_last_no_number(c->flow, last, sizeof(last));
		json_object_set_new(o, "alerts",
				    json_pack("{s:I,s:s,s:I,s:I}", "no_number",
					      (json_int_t)st.no_number, "no_number_last", last,
					      "no_region", (json_int_t)st.no_region, "damaged_jobs",
					      (json_int_t)st.journal_damaged));
	}
	/* Events lost (dropped by the dataplane) or delivered twice, from
	 * the rings' sequence numbers; the last seq of each ring. */
	{
		json_t *last = json_array();

		for (unsigned int i = 0; i < c->shm->hdr->n_event_rings && i < JITSIM_SHM_MAX_RINGS;
		     i++)
			json_array_append_new(last, json_integer((json_int_t)st.event_seq[i]));
		json_object_set_new(o, "event_seq",
				    json_pack("{s:I,s:I,s:o}", "gaps", (json_int_t)st.event_gaps,
					      "repeats", (json_int_t)st.event_repeats, "last",
					      last));
		/* Updates the dataplane consumed (acknowledged) but could not
		 * apply, and the seq of the last one. */
		json_object_set_new(json_object_get(o, "dataplane"), "update_failed",
				    json_pack("{s:I,s:I}", "count",
					      (json_int_t)__atomic_load_n(&h->dp_update_failed,
									  __ATOMIC_RELAXED),
					      "last_seq",
					      (json_int_t)__atomic_load_n(&h->dp_update_failed_seq,
									  __ATOMIC_RELAXED)));
	}
	*result = o;
	return 0;
}

/* --- sim.show --- */

static int
cpctl_sim_show(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct jitsim_rec r;
	struct jitsim_job j;
	char jerr[256];
	uint64_t imsi = 0;
	json_t *o;
	int rc;

	rc = jitsim_cpctl_arg_imsi(req->args, &imsi, err, errlen);
	if (rc != 0)
		return rc;
	rc = jitsim_store_sim_get(c->store, imsi, &r, err, errlen);
	if (rc == -ENOENT)
		return jitsim_cpctl_err(err, errlen, rc, "IMSI %s is not in the store",
					json_string_value(json_object_get(req->args, "imsi")));
	if (rc != 0)
		return rc;
	/* The secret mask and sealed blob stay out: never keys, not even
	 * sealed ones, on the socket. */
	o = json_pack("{s:o,s:s,s:i,s:i,s:i,s:i,s:i,s:o,s:s,s:s,s:I,s:I,s:I,s:I}", "imsi",
		      jitsim_cpctl_digits(r.imsi), "state", jitsim_sim_state_name(r.state), "flags",
		      r.flags, "tenant", r.tenant, "region", r.region, "tariff", r.tariff, "hlr_id",
		      r.hlr, "msisdn", jitsim_cpctl_digits(r.msisdn), "iccid", r.iccid, "batch",
		      r.batch, "created", (json_int_t)r.created, "updated", (json_int_t)r.updated,
		      "activated", (json_int_t)r.activated, "last_activity",
		      (json_int_t)r.last_activity);
	if (o == NULL)
		return -ENOMEM;
	if (jitsim_job_get_by_imsi(c->store, imsi, &j, jerr, sizeof(jerr)) == 0)
		json_object_set_new(o, "job", jitsim_cpctl_job_json(&j));
	*result = o;
	return 0;
}

/* --- job.list, job.show --- */

static int
cpctl_job_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	uint64_t limit = CPCTL_LIST_DEFAULT, after = 0;
	unsigned int step = JITSIM_JOB_NONE;
	const json_t *sv = json_object_get(req->args, "step");
	uint8_t lo[JITSIM_JOB_KEY_LEN], hi[1] = {'j' + 1};
	struct jitsim_store_iter *it;
	const uint8_t *k, *v;
	size_t kl, vl;
	struct jitsim_job j;
	json_t *arr;
	int rc;

	if (sv != NULL && !json_is_null(sv)) {
		if (!json_is_string(sv) ||
		    (step = jitsim_job_step_parse(json_string_value(sv))) == JITSIM_JOB_NONE)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"%s: allocated, done or failed", "step");
	}
	rc = jitsim_cpctl_arg_u64(req->args, "limit", CPCTL_LIST_MAX, &limit, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "after", UINT64_MAX - 1, &after, err, errlen);
	if (rc != 0)
		return rc;
	jitsim_job_key(after + 1, lo);
	it = jitsim_store_iter_new_range(c->store, JITSIM_CF_JOB, lo, sizeof(lo), hi, sizeof(hi));
	arr = json_array();
	if (it == NULL || arr == NULL) {
		jitsim_store_iter_free(it);
		json_decref(arr);
		return -ENOMEM;
	}
	while (json_array_size(arr) < limit &&
	       (rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		uint64_t id = 0;

		if (kl != JITSIM_JOB_KEY_LEN)
			continue;
		for (size_t i = 1; i < kl; i++)
			id = id << 8 | k[i];
		if (jitsim_job_decode(id, v, vl, &j, err, errlen) != 0) {
			rc = -EBADMSG;
			break;
		}
		if (step == JITSIM_JOB_NONE || j.step == step)
			json_array_append_new(arr, jitsim_cpctl_job_json(&j));
	}
	jitsim_store_iter_free(it);
	if (rc < 0) {
		json_decref(arr);
		if (rc == -EIO)
			snprintf(err, errlen, "job journal: read error");
		return rc;
	}
	*result = arr;
	return 0;
}

static int
cpctl_job_show(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct jitsim_job j;
	uint64_t id = 0;
	int rc;

	rc = jitsim_cpctl_arg_u64(req->args, "job", UINT64_MAX - 1, &id, err, errlen);
	if (rc != 0)
		return rc;
	if (id == 0)
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: required, a job id (1 or more)",
					"job");
	rc = jitsim_job_get(c->store, id, &j, err, errlen);
	if (rc == -ENOENT)
		snprintf(err, errlen, "no job %" PRIu64, id);
	if (rc != 0)
		return rc;
	*result = jitsim_cpctl_job_json(&j);
	return *result != NULL ? 0 : -ENOMEM;
}

int
jitsim_cpctl_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	int rc;

	rc = jitsim_ctlsrv_register(srv, "status", cpctl_status, c,
				    "dataplane and control-plane health, rings, job counters");
	if (rc == 0)
		rc = jitsim_ctlsrv_register(
			srv, "sim.show", cpctl_sim_show, c,
			"one SIM: state, MSISDN, region, its latest job (imsi)");
	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "job.list", cpctl_job_list, c,
					    "jobs in id order ([step], [limit], [after])");
	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "job.show", cpctl_job_show, c, "one job (job)");
	if (rc == 0)
		rc = jitsim_cpctl_pool_register(srv, c);
	if (rc == 0)
		rc = jitsim_cpctl_rules_register(srv, c);
	if (rc == 0)
		rc = jitsim_cpctl_sim_register(srv, c);
	if (rc == 0)
		rc = jitsim_cpctl_inv_register(srv, c);
	if (rc == 0)
		rc = jitsim_cpctl_sleep_register(srv, c);
	return rc;
}
