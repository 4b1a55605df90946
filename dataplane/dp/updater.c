/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp table updater (updater.h).
 */

#include <errno.h>
#include <inttypes.h>
#include <string.h>
#include <time.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/sim.h>

#include "log.h"
#include "updater.h"

/* Sleep when the ring is empty. Updates are rare next to traffic (one
 * per activation); 1 ms keeps the added latency far below a device's
 * attach retry and costs nothing measurable on a core. */
#define DP_UPD_IDLE_NS 1000000L
/* SET_STATE retries: each retry means a worker changed the word in the
 * meantime, which a worker does at most once per lease or epoch. */
#define DP_UPD_CAS_TRIES 1000
/* Bad records logged one by one, then one line per this many. */
#define DP_UPD_LOG_FIRST 10
#define DP_UPD_LOG_EVERY 1000

static inline void
dp_cnt_inc(uint64_t *c)
{
	__atomic_store_n(c, *c + 1, __ATOMIC_RELAXED);
}

/* @r was consumed but not applied: the segment says so next to the seq
 * acknowledgement, which covers it too (the ring moves on; jitsim-cp
 * sees the failure instead of taking the ack for "applied"). */
static void
dp_upd_not_applied(struct jitsim_dp_updater *u, const struct jitsim_update *r)
{
	struct jitsim_shm_hdr *h;

	if (u->shm == NULL)
		return;
	h = u->shm->hdr;
	/* Both before the release store of dp_update_seq. */
	__atomic_store_n(&h->dp_update_failed_seq, r->seq, __ATOMIC_RELAXED);
	__atomic_store_n(&h->dp_update_failed, h->dp_update_failed + 1, __ATOMIC_RELAXED);
}

static void
dp_upd_bad(struct jitsim_dp_updater *u, const struct jitsim_update *r, const char *why)
{
	uint64_t n = u->st.bad;

	dp_upd_not_applied(u, r);
	dp_cnt_inc(&u->st.bad);
	if (n < DP_UPD_LOG_FIRST || n % DP_UPD_LOG_EVERY == 0)
		jitsim_dp_log("updater: bad update record seq %" PRIu32 " op %u (%s): %s; %" PRIu64
			      " bad so far",
			      r->seq, r->op, jitsim_update_op_name(r->op), why, n + 1);
}

static int
dp_upd_put(struct jitsim_dp_updater *u, const struct jitsim_update *r)
{
	struct jitsim_table_sim old,
		e = {
			.imsi = r->imsi,
			.msisdn = r->msisdn,
			.sw = jitsim_table_sw_make(r->state, r->flags, r->time),
			.tenant = r->tenant,
			.region = r->region,
		};
	bool had = jitsim_table_imsi_lookup(u->imsi, r->imsi, &old);
	int rc;

	rc = jitsim_table_imsi_put(u->imsi, &e);
	if (rc != 0)
		return rc;
	/* The old number is unmapped only if it still points at this IMSI. */
	if (had && old.msisdn != 0 && old.msisdn != r->msisdn &&
	    jitsim_table_msisdn_lookup(u->msisdn, old.msisdn) == r->imsi)
		jitsim_table_msisdn_del(u->msisdn, old.msisdn);
	if (r->msisdn == 0)
		return 0;
	rc = jitsim_table_msisdn_put(u->msisdn, r->msisdn, r->imsi);
	if (rc == -EEXIST) {
		dp_cnt_inc(&u->st.msisdn_taken);
		jitsim_table_msisdn_del(u->msisdn, r->msisdn);
		rc = jitsim_table_msisdn_put(u->msisdn, r->msisdn, r->imsi);
	}
	return rc;
}

static int
dp_upd_del(struct jitsim_dp_updater *u, const struct jitsim_update *r)
{
	struct jitsim_table_sim old;
	bool had = jitsim_table_imsi_lookup(u->imsi, r->imsi, &old);

	if (had && old.msisdn != 0 && jitsim_table_msisdn_lookup(u->msisdn, old.msisdn) == r->imsi)
		jitsim_table_msisdn_del(u->msisdn, old.msisdn);
	if (r->msisdn != 0 && jitsim_table_msisdn_lookup(u->msisdn, r->msisdn) == r->imsi)
		jitsim_table_msisdn_del(u->msisdn, r->msisdn);
	return had ? jitsim_table_imsi_del(u->imsi, r->imsi) : -ENOENT;
}

static int
dp_upd_set_state(struct jitsim_dp_updater *u, const struct jitsim_update *r)
{
	const uint64_t want = jitsim_table_sw_make(r->state, r->flags, r->time);
	struct jitsim_table_sim cur;
	uint64_t expect;

	if (!jitsim_table_imsi_lookup(u->imsi, r->imsi, &cur))
		return -ENOENT;
	expect = cur.sw;
	for (int i = 0; i < DP_UPD_CAS_TRIES; i++) {
		int rc = jitsim_table_imsi_cas_state(u->imsi, r->imsi, expect, want, &expect);

		if (rc != -EAGAIN)
			return rc;
	}
	return -EAGAIN;
}

unsigned int
jitsim_dp_updater_apply(struct jitsim_dp_updater *u, const struct jitsim_update *r, unsigned int n)
{
	unsigned int ok = 0;

	for (unsigned int i = 0; i < n; i++) {
		const struct jitsim_update *x = &r[i];
		int rc;

		if (x->op == JITSIM_UPD_NONE || x->op >= JITSIM_UPD_OP_MAX) {
			dp_upd_bad(u, x, "unknown operation");
			continue;
		}
		if (x->op == JITSIM_UPD_SYNC) {
			dp_cnt_inc(&u->st.applied[x->op]);
			ok++;
			continue;
		}
		if (x->imsi == 0) {
			dp_upd_bad(u, x, "IMSI key 0");
			continue;
		}
		if (x->op != JITSIM_UPD_DEL &&
		    (x->state == JITSIM_SIM_NONE || x->state >= JITSIM_SIM_STATE_MAX)) {
			dp_upd_bad(u, x, "state out of range");
			continue;
		}
		switch (x->op) {
		case JITSIM_UPD_PUT:
			rc = dp_upd_put(u, x);
			break;
		case JITSIM_UPD_DEL:
			rc = dp_upd_del(u, x);
			break;
		default:
			rc = dp_upd_set_state(u, x);
			break;
		}
		if (rc == 0) {
			dp_cnt_inc(&u->st.applied[x->op]);
			ok++;
		} else {
			/* Counted, and reported in the header unless it is a
			 * DEL that found nothing (the IMSI is gone, as
			 * wanted). A SET_STATE that finds nothing was not
			 * applied: the ring is ordered, so no PUT of the same
			 * IMSI can still be on its way. ENOMEM is worth a
			 * line. */
			dp_cnt_inc(&u->st.failed[x->op]);
			if (!(x->op == JITSIM_UPD_DEL && rc == -ENOENT))
				dp_upd_not_applied(u, x);
			if (rc == -ENOMEM)
				jitsim_dp_log("updater: seq %" PRIu32 " %s: out of memory", x->seq,
					      jitsim_update_op_name(x->op));
		}
	}
	return ok;
}

static void *
dp_updater_thread(void *arg)
{
	struct jitsim_dp_updater *u = arg;
	struct jitsim_update buf[JITSIM_DP_UPDATER_BATCH];
	const struct timespec idle = {.tv_sec = 0, .tv_nsec = DP_UPD_IDLE_NS};

	urcu_qsbr_register_thread();
	while (!__atomic_load_n(&u->stop, __ATOMIC_RELAXED)) {
		unsigned int n = jitsim_shm_update_get(u->shm, buf, JITSIM_DP_UPDATER_BATCH);

		if (n == 0) {
			/* Offline while asleep: a grace period must never wait
			 * for a thread that is not reading. */
			urcu_qsbr_thread_offline();
			nanosleep(&idle, NULL);
			urcu_qsbr_thread_online();
			continue;
		}
		jitsim_dp_updater_apply(u, buf, n);
		dp_cnt_inc(&u->st.batches);
		/* Release: jitsim-cp reading dp_update_seq sees the tables as
		 * they are after these records (readers see them through the
		 * tables' own publication). */
		__atomic_store_n(&u->shm->hdr->dp_update_seq, buf[n - 1].seq, __ATOMIC_RELEASE);
		urcu_qsbr_quiescent_state();
	}
	urcu_qsbr_unregister_thread();
	return NULL;
}

int
jitsim_dp_updater_start(struct jitsim_dp_updater *u, struct jitsim_shm *shm,
			struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn)
{
	int rc;

	memset(u, 0, sizeof(*u));
	u->shm = shm;
	u->imsi = imsi;
	u->msisdn = msisdn;
	rc = pthread_create(&u->thread, NULL, dp_updater_thread, u);
	if (rc != 0)
		return -rc;
	pthread_setname_np(u->thread, "jitsim-updater");
	u->started = true;
	return 0;
}

void
jitsim_dp_updater_stop(struct jitsim_dp_updater *u)
{
	if (!u->started)
		return;
	__atomic_store_n(&u->stop, true, __ATOMIC_RELAXED);
	pthread_join(u->thread, NULL);
	u->started = false;
}
