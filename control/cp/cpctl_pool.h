/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp's control socket commands over the number pools
 * (control/pool, docs/pools.md): pool.add|list|show|reserve|release and
 * number.search. Protocol: docs/control-socket.md, "Number pools".
 *
 * Threads: the handlers parse their arguments on the ctlsrv thread and do
 * the rest in a closure on the workflow thread (jitsim_cpctl_call()),
 * which owns the pool set: each change is one batch (the pool's writes,
 * any SIM record it touches, the audit line with the peer's uid),
 * committed there, then jitsim_pool_commit_done() or, if the commit
 * failed, jitsim_pool_abort().
 */

#ifndef JITSIM_CP_CPCTL_POOL_H
#define JITSIM_CP_CPCTL_POOL_H

#include "pool.h"

struct jitsim_ctlsrv;
struct jitsim_cpctl;

/* Register the pool.* and number.search commands. 0 or negative errno. */
int jitsim_cpctl_pool_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

/* Copy the definition of the committed pool named @name into @out.
 * Workflow thread. 0, -ENOENT, -ENOMEM. */
int jitsim_cpctl_pool_find(const struct jitsim_pool_set *set, const char *name,
			   struct jitsim_pool_def *out);

/* The committed pools in id order, in a new array (free()) of *@n
 * pointers valid until the set changes. Workflow thread. NULL with *@n 0
 * when there are none or on allocation failure (*@n then SIZE_MAX). */
const struct jitsim_pool_def **jitsim_cpctl_pool_all(const struct jitsim_pool_set *set, size_t *n);

#endif /* JITSIM_CP_CPCTL_POOL_H */
