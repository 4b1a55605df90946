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
#include "record.h"

struct jitsim_store;
struct jitsim_store_batch;
struct jitsim_pool_set;
struct jitsim_rules;
struct jitsim_adapter;
struct jitsim_cp_hlrs;
struct jitsim_cp_notify;
struct jitsim_cp_sleep;

struct jitsim_cp_flow_cfg {
	struct jitsim_store *store;
	struct jitsim_pool_set *pools;
	struct jitsim_rules *rules;
	struct jitsim_adapter *adapter; /* may be set later: jitsim_cp_flow_set_adapter() */
	/* The adapter of each HLR (hlrs.h); NULL: every job goes to @adapter. */
	struct jitsim_cp_hlrs *hlrs;
	struct jitsim_cp_notify *notify; /* NULL: no notifications */
	struct jitsim_shm *shm;		 /* NULL: no dataplane updates (tests) */
	unsigned int retries;		 /* failed provisioning attempts retried */
	unsigned int backoff_ms;	 /* first retry delay, doubled each time */
	uint16_t default_tariff;	 /* when no device rule matches */
	const char *default_profile;	 /* "" or NULL: none */
};

struct jitsim_cp_flow_stats {
	uint64_t events[JITSIM_EV_TYPE_MAX]; /* consumed, per type (0: invalid type) */
	uint64_t duplicate;		     /* attach events for a SIM with a live job */
	uint64_t resync;		     /* SIM not in the state the event implies: re-PUT */
	uint64_t no_sim;		     /* IMSI not in the store */
	uint64_t started, done, failed;	     /* jobs, since this process started */
	uint64_t live;			     /* jobs in ALLOCATED now (sleep jobs included) */
	uint64_t sleep_live;		     /* of which sleep jobs (sleep.h) */
	uint64_t done_total, failed_total;   /* in the journal (resume scan + since) */
	uint64_t resumed;		     /* ALLOCATED jobs taken up at start */
	uint64_t retries;		     /* provisioning attempts repeated */
	uint64_t commit_errors;
	uint64_t updates, update_drops; /* dataplane updates sent / ring full */
	uint64_t no_number;		/* jobs failed: no pool, or the pool exhausted */
	uint64_t no_region;		/* jobs failed: no region for the visited network */
	/* jitsim_cp_flow_ring_seq(): events missing from a ring's sequence
	 * (the dataplane dropped them: ring full), events whose seq is not
	 * after the ring's last one (delivered twice), last seq per ring. */
	uint64_t event_gaps, event_repeats;
	uint64_t journal_damaged; /* job records skipped at start: they do not decode */
	uint64_t event_seq[JITSIM_SHM_MAX_RINGS];
};

struct jitsim_cp_flow;

/* NULL on allocation failure. */
struct jitsim_cp_flow *jitsim_cp_flow_new(const struct jitsim_cp_flow_cfg *cfg);
void jitsim_cp_flow_set_adapter(struct jitsim_cp_flow *f, struct jitsim_adapter *a);
void jitsim_cp_flow_set_hlrs(struct jitsim_cp_flow *f, struct jitsim_cp_hlrs *h);
/* Billing/CRM notifications after each activation and wake-up (notify.h);
 * NULL: none. */
void jitsim_cp_flow_set_notify(struct jitsim_cp_flow *f, struct jitsim_cp_notify *n);
/* Where ACTIVITY events go (sleep.h); NULL: nowhere. */
void jitsim_cp_flow_set_sleep(struct jitsim_cp_flow *f, struct jitsim_cp_sleep *z);
/*
 * Called on the workflow thread when an activation job (not a sleep job)
 * has finished and its final step is committed: @active true with the
 * SIM ACTIVE and its @msisdn (compact key, 0 for none), false when the
 * job FAILED (the SIM back in its previous state; also a job that failed
 * before it started: no region, no number). Used by the FTA engine
 * (fta.h) to answer a waiting UpdateLocation; must not block.
 */
typedef void (*jitsim_cp_flow_job_fn)(void *arg, uint64_t imsi, uint64_t msisdn, bool active);
void jitsim_cp_flow_set_job_hook(struct jitsim_cp_flow *f, jitsim_cp_flow_job_fn fn, void *arg);
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

/* Handle dataplane events: the jobs of up to 256 events (FLOW_BURST)
 * share one commit (the sync is the cost of an activation). */
void jitsim_cp_flow_events(struct jitsim_cp_flow *f, const struct jitsim_event *ev, unsigned int n);
/* Check the sequence numbers (jitsim_event.seq) of @n events just taken
 * from event ring @ring, before jitsim_cp_flow_events(): counts gaps and
 * repeats in the stats. The first event of a ring after a start is its
 * baseline (a predecessor consumed the ones before). */
void jitsim_cp_flow_ring_seq(struct jitsim_cp_flow *f, unsigned int ring,
			     const struct jitsim_event *ev, unsigned int n);
/* Same, one event. */
void jitsim_cp_flow_event(struct jitsim_cp_flow *f, const struct jitsim_event *ev);

/* Completions and due retries; @now_ns CLOCK_MONOTONIC. Returns the
 * number of things done (0: idle). */
unsigned int jitsim_cp_flow_poll(struct jitsim_cp_flow *f, uint64_t now_ns);
/* One turn of jitsim-cp's loop: jitsim_cp_flow_poll() and
 * jitsim_cp_flow_events() of @n events, the new jobs and the finished
 * ones sharing their commits (one sync for both steps). Same return. */
unsigned int jitsim_cp_flow_turn(struct jitsim_cp_flow *f, const struct jitsim_event *ev,
				 unsigned int n, uint64_t now_ns);

/* Any thread: the reason of the last job that failed for want of a number
 * ("" if none), which names the pools, tenant, region and class. */
void jitsim_cp_flow_last_no_number(struct jitsim_cp_flow *f, char *buf, size_t len);

/* Any thread. */
void jitsim_cp_flow_stats(const struct jitsim_cp_flow *f, struct jitsim_cp_flow_stats *st);

/*
 * Operator changes (flow_admin.c; docs/control-socket.md "sim.block").
 * Workflow thread only: the control socket calls them through
 * jitsim_cpctl_call(). Each is one WriteBatch (sync) holding the change,
 * its pool changes and the caller's audit line, then a PUT of the new
 * record to the dataplane.
 */

/* The caller's audit line into @b (the control socket: the peer's uid),
 * given the change's `"k":v` fields. */
struct jitsim_cp_flow_audit {
	void (*fn)(struct jitsim_store_batch *b, const void *arg, const char *fields);
	const void *arg;
};

enum jitsim_cp_sim_op {
	JITSIM_CP_SIM_LOCK,    /* INVENTORY/SLEEPING -> LOCKED */
	JITSIM_CP_SIM_UNLOCK,  /* LOCKED -> the state it was locked in */
	JITSIM_CP_SIM_BLOCK,   /* any but RETIRED (and a job's transient states) -> BLOCKED */
	JITSIM_CP_SIM_UNBLOCK, /* BLOCKED -> the state it was blocked in */
	JITSIM_CP_SIM_RETIRE,  /* final; the MSISDN goes to quarantine */
};

struct jitsim_cp_sim_change {
	struct jitsim_rec rec; /* the record as committed (secrets sealed) */
	uint8_t from;	       /* state before */
	uint64_t released;     /* retire: MSISDN released (0: none) */
	uint64_t unreserved;   /* retire: number that was reserved for the SIM (0: none) */
	bool dp_sent;	       /* the PUT found room in the update ring */
};

/*
 * Apply @op to @imsi. @to: for unlock/unblock of a record that does not
 * say which state to return to (imported LOCKED/BLOCKED, version 1
 * records), the state to go to; JITSIM_SIM_NONE otherwise (a @to that
 * contradicts the record is refused). 0, or negative errno with @err:
 * -ENOENT no such SIM, -EBUSY a job in progress (named) or a number
 * changed by another batch, -EALREADY already in the target state, -EPERM
 * not allowed from the SIM's state, -EINVAL @to needed or wrong,
 * -EOPNOTSUPP retire of a SIM that may be in an HLR (deprovisioning:
 * issue 7), -EBADMSG damaged record, -EIO commit failed (nothing changed).
 */
int jitsim_cp_flow_sim_change(struct jitsim_cp_flow *f, uint64_t imsi, enum jitsim_cp_sim_op op,
			      uint8_t to, const struct jitsim_cp_flow_audit *audit,
			      struct jitsim_cp_sim_change *out, char *err, size_t errlen);

/*
 * A new attempt at FAILED job @id: a new job (new id; the old job's
 * region, HLR, tariff, profile and flow, or region @region when not 0,
 * with its HLR) through the normal path (number, journal, adapter, ACTIVE,
 * dataplane). The job must be the SIM's latest, the SIM in the job's
 * prev_state and without a live job. *@out: the new job as journaled
 * (its provisioning goes on after the return). 0, or -ENOENT (no job, no
 * SIM, no region @region), -EPERM (not FAILED, not the latest, SIM in
 * another state), -EBUSY (live job), -EINVAL (the old job had no region
 * and @region is 0), the pool's -ENOENT/-ENOSPC (no number: nothing
 * changed), -EIO.
 */
int jitsim_cp_flow_job_retry(struct jitsim_cp_flow *f, uint64_t id, uint16_t region,
			     const struct jitsim_cp_flow_audit *audit, struct jitsim_job *out,
			     char *err, size_t errlen);

#endif /* JITSIM_CP_FLOW_H */
