/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Control socket commands of jitsim-cp for SIMs and operations
 * (docs/control-socket.md): sim.list, sim.lock|unlock|block|unblock|retire,
 * job.retry, stats, audit.tail.
 *
 * Threads: the handlers run on the ctlsrv loop thread; sim.list and
 * audit.tail read the store only; the changes and the pool figures of
 * stats run as closures on the workflow thread (jitsim_cpctl_call()).
 */

#ifndef JITSIM_CP_CPCTL_SIM_H
#define JITSIM_CP_CPCTL_SIM_H

struct jitsim_ctlsrv;
struct jitsim_cpctl;

/* sim.list: SIMs examined per call at most (a selective filter then
 * answers a short page and a `next` to go on from), and page sizes. */
#define JITSIM_CPCTL_SIM_SCAN 4096
#define JITSIM_CPCTL_SIM_LIMIT 100
#define JITSIM_CPCTL_SIM_LIMIT_MAX 1000
/* audit.tail: lines answered by default and at most. */
#define JITSIM_CPCTL_AUDIT_LIMIT 20
#define JITSIM_CPCTL_AUDIT_LIMIT_MAX 1000

/* Register the commands above; @c and @srv must outlive the server. One
 * server per process (stats keeps @srv for its counters). 0 or negative
 * errno. */
int jitsim_cpctl_sim_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

#endif /* JITSIM_CP_CPCTL_SIM_H */
