/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp's control socket commands (docs/jitsim-cp.md, protocol:
 * docs/control-socket.md). cpctl.c: status, sim.show, job.list, job.show;
 * the other command groups each have their file (cpctl_*.c) and register
 * through jitsim_cpctl_register().
 *
 * Threads: the handlers run on the ctlsrv loop thread. They may read the
 * store (thread-safe), the flow's counters (jitsim_cp_flow_stats(), any
 * thread) and the shm header and ring counts (read-only, relaxed). The
 * pool set, the rules, the live jobs and the update ring belong to the
 * workflow thread: a handler that needs them runs a closure there with
 * jitsim_cpctl_call() (mbox.h). Nothing they answer holds a secret.
 *
 * Every command that changes something is registered as a change and
 * writes an audit line with the peer's uid (jitsim_cpctl_audit()) in the
 * same WriteBatch as the change itself.
 */

#ifndef JITSIM_CP_CPCTL_H
#define JITSIM_CP_CPCTL_H

#include <stdint.h>

#include <jansson.h>

struct jitsim_ctlsrv;
struct jitsim_store;
struct jitsim_cp_flow;
struct jitsim_shm;

struct jitsim_pool_set;
struct jitsim_rules;
struct jitsim_cp_mbox;
struct jitsim_cp_rate;
struct jitsim_cp_hlrs;
struct jitsim_cp_notify;
struct jitsim_job;
struct jitsim_cpctl_inv;
struct jitsim_cp_sleep;
struct jitsim_cp_fta;

struct jitsim_cpctl {
	struct jitsim_store *store;
	struct jitsim_cp_flow *flow;
	struct jitsim_shm *shm;
	struct jitsim_pool_set *pools; /* workflow thread only (jitsim_cpctl_call()) */
	struct jitsim_rules *rules;    /* workflow thread only (jitsim_cpctl_call()) */
	struct jitsim_cp_mbox *mbox;
	struct jitsim_cp_rate *rate;	 /* NULL: status has no rates */
	struct jitsim_cp_hlrs *hlrs;	 /* NULL: no adapter health in hlr.list */
	struct jitsim_cp_notify *notify; /* NULL: no [notify] */
	struct jitsim_cpctl_inv *inv;	 /* inventory.import (cpctl_inv.h) */
	struct jitsim_cp_sleep *sleep;	 /* NULL: no sleep.* answers (sleep.h) */
	struct jitsim_cp_fta *fta;	 /* NULL: no [fta] (fta.h) */
	const char *instance;
	uint64_t started_ns; /* CLOCK_MONOTONIC at start */
};

/* Register the commands; @c must outlive the server. 0 or negative errno. */
/* A job as JSON (new reference, NULL on allocation failure). */
json_t *jitsim_cpctl_job_json(const struct jitsim_job *j);

int jitsim_cpctl_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

#endif /* JITSIM_CP_CPCTL_H */
