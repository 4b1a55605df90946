/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp table updater: a plain pthread (not an lcore, so it may
 * sleep, and the tables' synchronize_rcu() on a rebuild blocks only it)
 * that drains the shm update ring (cp -> dp) and applies each record to
 * the IMSI and MSISDN tables. It is the tables' only updater once the
 * bulk load on the main thread has finished (table.h single-updater
 * rule; the load completes before the thread is created).
 *
 *   PUT        imsi_put (all fields); MSISDN: old mapping removed, new
 *              one put (a number held by another IMSI is taken over:
 *              jitsim-cp is the source of truth)
 *   DEL        imsi_del and its MSISDN mapping
 *   SET_STATE  lookup + cas_state, retried until it sticks (workers CAS
 *              the same word when they take leases or touch epochs)
 *   SYNC       nothing
 *
 * After each batch hdr->dp_update_seq = seq of the last record (release),
 * so jitsim-cp knows what the dataplane has consumed. A record that is
 * consumed but not applied (bad: unknown op, key 0, state out of range;
 * failed: a PUT the tables cannot hold, a SET_STATE of an IMSI not in the
 * table or that never stuck) is counted (telemetry), a bad one logged
 * (rate limited), never fatal; its seq is acknowledged like the others,
 * and hdr->dp_update_failed / dp_update_failed_seq say that it failed.
 *
 * Thread-safety: start/stop from the main thread; the counters are
 * written by the updater thread only and read relaxed by others.
 */

#ifndef JITSIM_DP_UPDATER_H
#define JITSIM_DP_UPDATER_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jitsim/shm.h>

#include "table.h"

/* Records dequeued at once. */
#define JITSIM_DP_UPDATER_BATCH 64

struct jitsim_dp_updater_stats {
	uint64_t applied[JITSIM_UPD_OP_MAX]; /* by op */
	uint64_t failed[JITSIM_UPD_OP_MAX];  /* by op: ENOENT, ENOMEM, CAS never stuck */
	uint64_t bad;			     /* malformed records */
	uint64_t msisdn_taken;		     /* PUT took an MSISDN mapped to another IMSI */
	uint64_t batches;
};

struct jitsim_dp_updater {
	struct jitsim_shm *shm; /* NULL: apply() only (tests) */
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	pthread_t thread;
	bool started;
	bool stop; /* atomic */
	struct jitsim_dp_updater_stats st;
};

/* Start the thread (it registers with liburcu QSBR). 0 or -errno. */
int jitsim_dp_updater_start(struct jitsim_dp_updater *u, struct jitsim_shm *shm,
			    struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn);

/* Ask the thread to finish the batch in hand, and join it. */
void jitsim_dp_updater_stop(struct jitsim_dp_updater *u);

/*
 * Apply @n records (the thread's body, exposed for tests). Caller: the
 * tables' updater thread, a registered online QSBR thread. Returns the
 * records applied successfully.
 */
unsigned int jitsim_dp_updater_apply(struct jitsim_dp_updater *u, const struct jitsim_update *r,
				     unsigned int n);

#endif /* JITSIM_DP_UPDATER_H */
