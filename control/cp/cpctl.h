/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp's control socket commands (docs/jitsim-cp.md, protocol:
 * docs/control-socket.md): status, sim.show, job.list, job.show.
 *
 * Threads: the handlers run on the ctlsrv loop thread. They read the
 * store (thread-safe), the flow's counters (jitsim_cp_flow_stats(), any
 * thread) and the shm header and ring counts (read-only, relaxed); they
 * never touch the pool set or the workflow's state, which belong to the
 * workflow thread. Nothing they answer holds a secret.
 */

#ifndef JITSIM_CP_CPCTL_H
#define JITSIM_CP_CPCTL_H

#include <stdint.h>

struct jitsim_ctlsrv;
struct jitsim_store;
struct jitsim_cp_flow;
struct jitsim_shm;

struct jitsim_cpctl {
	struct jitsim_store *store;
	struct jitsim_cp_flow *flow;
	struct jitsim_shm *shm;
	const char *instance;
	uint64_t started_ns; /* CLOCK_MONOTONIC at start */
};

/* Register the commands; @c must outlive the server. 0 or negative errno. */
int jitsim_cpctl_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

#endif /* JITSIM_CP_CPCTL_H */
