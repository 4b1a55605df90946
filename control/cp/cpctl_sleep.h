/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Control socket commands of the sleeping-SIM lifecycle (sleep.h;
 * docs/control-socket.md): sleep.sweep ([dry_run], [limit]) and
 * sleep.status.
 *
 * Threads: the handlers run on the ctlsrv loop thread; starting a sweep
 * and writing the logged activity run on the workflow thread
 * (jitsim_cpctl_call()); the dry run then reads the store on the loop
 * thread (every record: about a second per million SIMs).
 */

#ifndef JITSIM_CP_CPCTL_SLEEP_H
#define JITSIM_CP_CPCTL_SLEEP_H

struct jitsim_ctlsrv;
struct jitsim_cpctl;

/* sleep.sweep dry_run: SIMs listed by default and at most (all are
 * counted). */
#define JITSIM_CPCTL_SLEEP_LIMIT 100
#define JITSIM_CPCTL_SLEEP_LIMIT_MAX 10000

/* Register the commands above; @c must outlive the server. 0 or negative
 * errno. */
int jitsim_cpctl_sleep_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

#endif /* JITSIM_CP_CPCTL_SLEEP_H */
