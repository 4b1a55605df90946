/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <stdio.h>
#include <time.h>

#include <jitsim/sim.h>

#include "load.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* One record into the tables. The lease/epoch time starts at 0: an
 * ACTIVATING SIM left by a control plane that stopped has an expired
 * lease, so the next attach raises its event again. */
static void
load_one(uint64_t key, const struct jitsim_rec_dp *r, struct jitsim_table_imsi *imsi,
	 struct jitsim_table_msisdn *msisdn, struct jitsim_load_stats *st, int *rc)
{
	struct jitsim_table_sim e = {
		.imsi = key,
		.msisdn = r->msisdn,
		.sw = jitsim_table_sw_make(r->state, r->flags, 0),
		.tenant = r->tenant,
		.region = r->region,
	};
	int m;

	if (r->state == JITSIM_SIM_RETIRED) {
		st->retired++;
		return;
	}
	if (r->msisdn) {
		m = jitsim_table_msisdn_put(msisdn, r->msisdn, key);
		if (m == -EEXIST) {
			st->msisdn_conflicts++;
		} else if (m != 0) {
			*rc = m;
			return;
		} else {
			st->msisdns++;
		}
	}
	*rc = jitsim_table_imsi_put(imsi, &e);
	if (*rc == 0)
		st->sims++;
}

int
jitsim_load_tables(const char *store_path, struct jitsim_table_imsi **imsi,
		   struct jitsim_table_msisdn **msisdn, struct jitsim_load_stats *st,
		   jitsim_load_log_fn log, void *log_arg, char *err, size_t errlen)
{
	struct jitsim_store_opts so = {.path = store_path, .secondary = true};
	struct jitsim_store_iter *it;
	struct jitsim_store *s;
	const uint8_t *k, *v;
	double t0 = now_s();
	size_t kl, vl;
	int rc, put = 0;

	*st = (struct jitsim_load_stats){0};
	rc = jitsim_store_open(&so, &s, err, errlen);
	if (rc != 0)
		return rc;
	if (*imsi == NULL) {
		uint64_t n = jitsim_store_estimate(s, JITSIM_CF_DP);

		*imsi = jitsim_table_imsi_create(n);
		if (*imsi == NULL)
			goto nomem;
	}
	if (*msisdn == NULL) {
		*msisdn = jitsim_table_msisdn_create(jitsim_store_estimate(s, JITSIM_CF_MSISDN));
		if (*msisdn == NULL)
			goto nomem;
	}
	/* The 16-byte projections, not the records: a tenth of the bytes. */
	it = jitsim_store_iter_new(s, JITSIM_CF_DP);
	if (it == NULL)
		goto nomem;
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		uint64_t key = jitsim_rec_key_parse(k, kl);
		struct jitsim_rec_dp r;
		char msg[512];

		if (key == 0 || jitsim_rec_dp_decode(key, v, vl, &r, msg, sizeof(msg)) != 0) {
			if (key == 0)
				snprintf(msg, sizeof(msg), "dp key of %zu bytes is not an IMSI key",
					 kl);
			st->damaged++;
			if (log)
				log(log_arg, msg);
			continue;
		}
		load_one(key, &r, *imsi, *msisdn, st, &put);
		if (put != 0)
			break;
	}
	jitsim_store_iter_free(it);
	jitsim_store_close(s);
	st->seconds = now_s() - t0;
	if (put != 0) {
		snprintf(err, errlen, "store %s: table insert failed: %s", store_path,
			 put == -ENOMEM ? "out of memory" : "invalid entry");
		return put;
	}
	if (rc < 0) {
		snprintf(err, errlen, "store %s: read error while loading", store_path);
		return rc;
	}
	return 0;
nomem:
	jitsim_store_close(s);
	snprintf(err, errlen, "store %s: out of memory creating the tables", store_path);
	return -ENOMEM;
}
