/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * sleep.sweep and sleep.status (cpctl_sleep.h; protocol in
 * docs/control-socket.md).
 */

#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <time.h>

#include <jansson.h>

#include "cpctl.h"
#include "cpctl_sleep.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "flow.h"
#include "record.h"
#include "sleep.h"

static int
cpctl_sleep_start_run(void *arg)
{
	return jitsim_cp_sleep_sweep_start(arg);
}

static int
cpctl_sleep_flush_run(void *arg)
{
	return jitsim_cp_sleep_flush(arg);
}

struct dry_ctx {
	json_t *rows;
	uint64_t count, limit;
	uint32_t now;
};

static int
dry_row(const struct jitsim_rec *r, uint64_t idle_s, void *arg)
{
	struct dry_ctx *d = arg;
	const uint64_t seen = jitsim_cp_sleep_last_seen(r);
	json_t *o;

	d->count++;
	if (d->count > d->limit)
		return 0;
	o = json_pack("{s:o,s:o,s:i,s:i,s:i,s:I,s:I}", "imsi", jitsim_cpctl_digits(r->imsi),
		      "msisdn", jitsim_cpctl_digits(r->msisdn), "tariff", r->tariff, "region",
		      r->region, "hlr_id", r->hlr, "idle_s", (json_int_t)(d->now - seen),
		      "threshold_s", (json_int_t)idle_s);
	if (o == NULL || json_array_append_new(d->rows, o) != 0)
		return -ENOMEM;
	return 0;
}

static int
cpctl_sleep_sweep(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct dry_ctx d = {.limit = JITSIM_CPCTL_SLEEP_LIMIT};
	bool dry = false;
	uint64_t scanned = 0;
	int rc;

	if (c->sleep == NULL)
		return jitsim_cpctl_err(err, errlen, -EOPNOTSUPP, "sleeping SIMs are not set up");
	rc = jitsim_cpctl_arg_bool(req->args, "dry_run", &dry, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "limit", JITSIM_CPCTL_SLEEP_LIMIT_MAX,
					  &d.limit, err, errlen);
	if (rc != 0)
		return rc;
	if (!dry) {
		rc = jitsim_cpctl_call(c, cpctl_sleep_start_run, c->sleep);
		if (rc == -ESHUTDOWN)
			return jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
		if (rc == -ENODATA)
			return jitsim_cpctl_err(err, errlen, rc,
						"no tariff has an idle threshold ([sleep] idle, "
						"idle.TARIFF)");
		if (rc != 0 && rc != -EALREADY)
			return jitsim_cpctl_err(err, errlen, rc, "sweep not started");
		*result = json_pack("{s:b,s:b}", "dry_run", 0, "started", rc == 0);
		return 0;
	}
	/* The activity logged so far decides too. */
	rc = jitsim_cpctl_call(c, cpctl_sleep_flush_run, c->sleep);
	if (rc == -ESHUTDOWN)
		return jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
	if (rc != 0)
		return jitsim_cpctl_err(err, errlen, rc, "last activity: store write failed");
	d.rows = json_array();
	if (d.rows == NULL)
		return jitsim_cpctl_err(err, errlen, -ENOMEM, "out of memory");
	d.now = (uint32_t)time(NULL);
	rc = jitsim_cp_sleep_dry_run(c->store, jitsim_cp_sleep_cfg(c->sleep), d.now, dry_row, &d,
				     &scanned, err, errlen);
	if (rc != 0) {
		json_decref(d.rows);
		if (rc == -ENOMEM)
			return jitsim_cpctl_err(err, errlen, rc, "out of memory");
		return rc;
	}
	*result = json_pack("{s:b,s:I,s:I,s:o}", "dry_run", 1, "count", (json_int_t)d.count,
			    "scanned", (json_int_t)scanned, "sims", d.rows);
	return 0;
}

static int
cpctl_sleep_status(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	const struct jitsim_cp_sleep_cfg *cfg;
	struct jitsim_cp_sleep_stats st;
	struct jitsim_cp_flow_stats fs;
	json_t *tariffs;

	if (c->sleep == NULL)
		return jitsim_cpctl_err(err, errlen, -EOPNOTSUPP, "sleeping SIMs are not set up");
	cfg = jitsim_cp_sleep_cfg(c->sleep);
	jitsim_cp_sleep_stats(c->sleep, &st);
	jitsim_cp_flow_stats(c->flow, &fs);
	tariffs = json_object();
	for (unsigned int i = 0; tariffs != NULL && i < cfg->n_tariff; i++) {
		char k[8];

		snprintf(k, sizeof(k), "%u", cfg->tariff[i].tariff);
		json_object_set_new(tariffs, k, json_integer(cfg->tariff[i].idle_s));
	}
	*result = json_pack(
		"{s:{s:I,s:o,s:b,s:I,s:I,s:I,s:I},"
		"s:{s:I,s:I,s:I,s:I,s:I},"
		"s:{s:b,s:I,s:I,s:I,s:I,s:I,s:I,s:I,s:I}}",
		"policy", "idle_s", (json_int_t)cfg->idle_s, "idle_by_tariff", tariffs, "release",
		cfg->release, "interval_s", (json_int_t)cfg->interval_s, "rate",
		(json_int_t)cfg->rate, "inflight", (json_int_t)cfg->inflight, "flush_s",
		(json_int_t)cfg->flush_s, "activity", "events", (json_int_t)st.activity, "pending",
		(json_int_t)st.activity_pending, "written", (json_int_t)st.activity_written,
		"dropped", (json_int_t)st.activity_dropped, "write_errors",
		(json_int_t)st.flush_errors, "sweep", "running", st.running != 0, "sweeps",
		(json_int_t)st.sweeps, "scanned", (json_int_t)st.scanned, "picked",
		(json_int_t)st.picked, "started_total", (json_int_t)st.started, "live",
		(json_int_t)fs.sleep_live, "no_hlr", (json_int_t)st.no_hlr, "last_start",
		(json_int_t)st.last_start, "last_end", (json_int_t)st.last_end);
	if (*result == NULL)
		return jitsim_cpctl_err(err, errlen, -ENOMEM, "out of memory");
	return 0;
}

int
jitsim_cpctl_sleep_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	int rc = jitsim_ctlsrv_register_change(
		srv, "sleep.sweep", cpctl_sleep_sweep, c,
		"put idle SIMs to sleep now, at the configured rate ([dry_run] yes: list them, "
		"change nothing, [limit] rows)");

	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "sleep.status", cpctl_sleep_status, c,
					    "sleep policy, last-activity writes, sweep progress");
	return rc;
}
