/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Internals of the activation workflow shared by its files (flow.c: the
 * event path; flow_admin.c: operator changes made through the control
 * socket). Not a public interface: everything here belongs to the
 * workflow thread, except what flow.h says otherwise.
 */

#ifndef JITSIM_CP_FLOW_INT_H
#define JITSIM_CP_FLOW_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include "flow.h"
#include "job.h"
#include "store.h"

/* Live jobs by IMSI: sized for the jobs a burst of attaches keeps in
 * flight; chains stay short up to a few hundred thousand. */
#define FLOW_HASH_BITS 16
#define FLOW_HASH_SIZE (1u << FLOW_HASH_BITS)
/* Submit refused (adapter queue full): try again this much later. */
#define FLOW_REQUEUE_NS (10ull * 1000 * 1000)
/* Longest retry delay, whatever the attempt count. */
#define FLOW_BACKOFF_MAX_NS (60ull * 1000 * 1000 * 1000)
#define FLOW_WHO "jitsim-cp"
/* Jobs staged into one commit at most: one loop turn of jitsim-cp
 * (CP_TURN_MAX events) fits, and one sync is shared by this many
 * activations under load; a failed commit costs at most this many lease
 * periods. */
#define FLOW_BURST 256

/* A job in ALLOCATED: owned by the workflow thread, except the completion
 * fields that an adapter thread fills before queueing it. */
struct flow_live {
	struct jitsim_cp_flow *flow;
	struct jitsim_job job;
	char iccid[JITSIM_REC_ICCID_MAX + 1];
	struct flow_live *hnext; /* hash chain */
	struct flow_live *rnext; /* retry list */
	struct flow_live *cnext; /* completion queue */
	uint64_t retry_at_ns;	 /* on the retry list when != 0 */
	int status;		 /* completion */
	char msg[JITSIM_JOB_REASON_MAX + 1];
	/* The SIM record as the job's last commit left it: nothing else
	 * changes a SIM with a live job (the admin commands refuse it), so
	 * the DONE step need not read it again. */
	bool have_rec;
	struct jitsim_rec rec;
};

struct jitsim_cp_flow {
	struct jitsim_cp_flow_cfg cfg;
	char default_profile[JITSIM_JOB_NAME_MAX + 1];
	struct jitsim_store_batch *b;
	uint64_t next_id;
	uint32_t upd_seq;
	struct flow_live *hash[FLOW_HASH_SIZE];
	struct flow_live *retry; /* unsorted: short, walked once per poll */
	/* The last "no number" reason (pools, tenant, region, class), for
	 * status; guarded by lock. */
	char last_no_number[JITSIM_JOB_REASON_MAX + 1];
	pthread_mutex_t lock;	 /* guards cdone */
	struct flow_live *cdone; /* completions, newest first */
	/* Staging of one burst (workflow thread): jobs to provision, and
	 * records to send to the dataplane after the commit. */
	unsigned int n_staged, n_put, n_failed_early;
	struct flow_live *staged[FLOW_BURST];
	uint64_t failed_early[FLOW_BURST]; /* IMSIs of the n_failed_early (job hook) */
	struct jitsim_rec recs[FLOW_BURST];
	struct jitsim_rec done_recs[FLOW_BURST]; /* of the DONE jobs of one commit */
	struct jitsim_cp_flow_stats st;
	uint64_t ring_seen;	       /* event rings with a seq baseline (bit per ring) */
	struct jitsim_cp_sleep *sleep; /* NULL: ACTIVITY events not recorded */
	jitsim_cp_flow_job_fn job_hook; /* NULL: none (flow.h) */
	void *job_hook_arg;
};

#define ST_ADD(f, field, n) __atomic_fetch_add(&(f)->st.field, (n), __ATOMIC_RELAXED)
#define ST_SUB(f, field, n) __atomic_fetch_sub(&(f)->st.field, (n), __ATOMIC_RELAXED)

void flow_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
uint32_t flow_now_s(void);
/* The live job of @imsi, or NULL. */
struct flow_live *flow_find(struct jitsim_cp_flow *f, uint64_t imsi);
/* A zeroed live job of @f (NULL: out of memory); flow_insert() makes it
 * findable (and counted in `live`). */
struct flow_live *flow_live_new(struct jitsim_cp_flow *f);
void flow_insert(struct jitsim_cp_flow *f, struct flow_live *l);
/* Undo flow_insert() (the caller frees @l). */
void flow_remove(struct jitsim_cp_flow *f, struct flow_live *l);
/* Order the provisioning of @l's job (committed ALLOCATED) from the
 * adapter; a refused order fails the job (f->b must be empty). */
void flow_submit(struct jitsim_cp_flow *f, struct flow_live *l);
/* Send @r to the dataplane as a PUT. false: the update ring is full
 * (counted in update_drops; the next attach resyncs). */
bool flow_dp_put(struct jitsim_cp_flow *f, const struct jitsim_rec *r);
/* Commit f->b (sync); the pool changes of the batch are undone on failure.
 * f->b is cleared either way. 0 or -EIO. */
int flow_commit(struct jitsim_cp_flow *f, const char *what, uint64_t job);
void flow_set_reason(struct jitsim_job *j, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));
/* An audit line for @j into f->b. */
void flow_audit(struct jitsim_cp_flow *f, const char *what, const struct jitsim_job *j);
/* Sleep job @j deprovisioned (sleep.c): @r made SLEEPING, its number
 * released into f->b when @j says so (@j's reason notes a number that
 * could not be). 0, or -EINVAL (record out of range: nothing staged). */
int flow_sleep_stage(struct jitsim_cp_flow *f, struct jitsim_job *j, struct jitsim_rec *r,
		     uint32_t now);

#endif /* JITSIM_CP_FLOW_INT_H */
