/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp's control socket commands over the rules (control/rules,
 * docs/rules.md): hlr.add|list|remove, region.add|list|remove (a region
 * with its visited-network matches), rule.add|list|remove (device rules).
 * Protocol: docs/control-socket.md, "Regions, HLRs and device rules".
 *
 * Threads: the handlers run on the ctlsrv thread and do everything that
 * reads or changes the rules (and the pool set, for the references a
 * region or a device rule has to pools) in a closure on the workflow
 * thread (jitsim_cpctl_call()). A change is staged in its own batch with
 * its audit line and committed there; if the commit fails, the in-memory
 * change is undone definition by definition (not by a reload from the
 * store, which would drop the memory-only definitions of the
 * configuration).
 */

#ifndef JITSIM_CP_CPCTL_RULES_H
#define JITSIM_CP_CPCTL_RULES_H

#include <stddef.h>

struct jitsim_ctlsrv;
struct jitsim_cpctl;
struct jitsim_rules;
struct jitsim_rules_region;

/* Register the hlr.*, region.* and rule.* commands. 0 or negative errno. */
int jitsim_cpctl_rules_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

/*
 * The region @s names: a region id (decimal, 1..65535) or a region name.
 * Workflow thread (reads the rules). 0, -ENOENT (no such region, @err
 * says so naming @key), -EINVAL (@s neither), -ENOMEM.
 */
int jitsim_cpctl_region_resolve(struct jitsim_rules *r, const char *key, const char *s,
				struct jitsim_rules_region *out, char *err, size_t errlen);

#endif /* JITSIM_CP_CPCTL_RULES_H */
