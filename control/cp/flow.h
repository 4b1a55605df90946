/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The activation workflow of jitsim-cp (docs/workflow.md): dataplane
 * events -> journaled jobs -> provisioning through the adapter -> SIM
 * ACTIVE in the store -> table update to the dataplane.
 *
 * Every step that changes something is one store WriteBatch committed
 * with sync (job record, MSISDN index, SIM record, audit line together),
 * so a kill -9 at any point leaves either the step before or the step
 * after; jitsim_cp_flow_resume() continues from there.
 *
 * Threads: one workflow thread (jitsim-cp's event loop) calls everything
 * here except the stats, and owns the pool set and the shm update ring's
 * producer half. Adapter completions arrive on adapter threads and are
 * only queued (under a mutex) for the workflow thread. jitsim_cp_flow_stats()
 * may be called from any thread (relaxed atomic reads: each counter exact,
 * the set not one instant).
 * Lifetime: new -> resume -> events/poll -> (free the adapter first: its
 * cancellations complete into the flow) -> free.
 */

#ifndef JITSIM_CP_FLOW_H
#define JITSIM_CP_FLOW_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/shm.h>

#include "job.h"

struct jitsim_store;
struct jitsim_pool_set;
struct jitsim_rules;
struct jitsim_adapter;

struct jitsim_cp_flow_cfg {
	struct jitsim_store *store;
	struct jitsim_pool_set *pools;
	struct jitsim_rules *rules;
	struct jitsim_adapter *adapter; /* may be set later: jitsim_cp_flow_set_adapter() */
	struct jitsim_shm *shm;		/* NULL: no dataplane updates (tests) */
	unsigned int retries;		/* failed provisioning attempts retried */
	unsigned int backoff_ms;	/* first retry delay, doubled each time */
	uint16_t default_tariff;	/* when no device rule matches */
	const char *default_profile;	/* "" or NULL: none */
};

struct jitsim_cp_flow_stats {
	uint64_t events[JITSIM_EV_TYPE_MAX]; /* consumed, per type (0: invalid type) */
	uint64_t duplicate;		     /* attach events for a SIM with a live job */
	uint64_t resync;		     /* SIM not in the state the event implies: re-PUT */
	uint64_t no_sim;		     /* IMSI not in the store */
	uint64_t started, done, failed;	     /* jobs, since this process started */
	uint64_t live;			     /* jobs in ALLOCATED now */
	uint64_t done_total, failed_total;   /* in the journal (resume scan + since) */
	uint64_t resumed;		     /* ALLOCATED jobs taken up at start */
	uint64_t retries;		     /* provisioning attempts repeated */
	uint64_t commit_errors;
	uint64_t updates, update_drops; /* dataplane updates sent / ring full */
	uint64_t no_number;		/* jobs failed: no pool, or the pool exhausted */
	uint64_t no_region;		/* jobs failed: no region for the visited network */
};

struct jitsim_cp_flow;

/* NULL on allocation failure. */
struct jitsim_cp_flow *jitsim_cp_flow_new(const struct jitsim_cp_flow_cfg *cfg);
void jitsim_cp_flow_set_adapter(struct jitsim_cp_flow *f, struct jitsim_adapter *a);
/* Free; orders still queued for the workflow thread are forgotten (their
 * jobs are in the journal and resume at the next start). */
void jitsim_cp_flow_free(struct jitsim_cp_flow *f);

/*
 * Take up the journal after a start: ALLOCATED jobs are provisioned again
 * (the adapter is idempotent by job id), DONE jobs are re-sent to the
 * dataplane as PUT (harmless if it had them). 0 or negative errno with
 * @err (a damaged job names itself).
 */
int jitsim_cp_flow_resume(struct jitsim_cp_flow *f, char *err, size_t errlen);

/* Handle dataplane events: the jobs of up to 64 events share one commit
 * (the sync is the cost of an activation). */
void jitsim_cp_flow_events(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n);
/* Same, one event. */
void jitsim_cp_flow_event(struct jitsim_cp_flow *f, const struct jitsim_event *ev);

/* Completions and due retries; @now_ns CLOCK_MONOTONIC. Returns the
 * number of things done (0: idle). */
unsigned int jitsim_cp_flow_poll(struct jitsim_cp_flow *f, uint64_t now_ns);

/* Any thread. */
void jitsim_cp_flow_stats(const struct jitsim_cp_flow *f, struct jitsim_cp_flow_stats *st);

#endif /* JITSIM_CP_FLOW_H */
