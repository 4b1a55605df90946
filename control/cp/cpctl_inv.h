/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * inventory.import and inventory.status: SIM inventory imported by
 * jitsim-cp itself (docs/inventory.md, docs/control-socket.md).
 *
 * An import of millions of SIMs takes seconds to minutes, and a control
 * socket handler must answer at once (ctlsrv.h), so inventory.import
 * checks its arguments and the peer's right to the files, starts the
 * import on a thread of its own and answers with an import id;
 * inventory.status ID tells how it went. One import at a time (EBUSY
 * otherwise); the last CPCTL_INV_KEEP are kept for inventory.status
 * until jitsim-cp exits (ids start at 1 with each start).
 *
 * The dataplane learns the new SIMs without a restart: after each commit
 * of the import (jitsim_inv_opts.written), the import thread sends its
 * SIMs to the dataplane's table as PUTs on the update ring, in batches
 * run on the workflow thread (the ring's producer, jitsim_cpctl_call()),
 * never filling more than half of the ring (the rest is the activations'),
 * waiting while it is that full. A SIM is only left out when no
 * dataplane is attached: one that attaches later loads its tables from
 * the store after attaching, so it finds every SIM committed before.
 *
 * Threads: register on the main thread before the server runs; the
 * handlers on the ctlsrv thread; jitsim_cpctl_inv_stop() on the main
 * thread after the control socket thread is joined and the call box
 * closed, before the store is closed.
 */

#ifndef JITSIM_CP_CPCTL_INV_H
#define JITSIM_CP_CPCTL_INV_H

struct jitsim_ctlsrv;
struct jitsim_cpctl;

/* Imports kept for inventory.status. */
#define CPCTL_INV_KEEP 16

/* Register inventory.import and inventory.status; allocates c->inv.
 * 0 or negative errno. */
int jitsim_cpctl_inv_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c);

/* Stop a running import (it ends with ECANCELED at its next line; what
 * it committed stays, and importing the file again finishes it), wait
 * for its thread and free c->inv. No-op when nothing was registered. */
void jitsim_cpctl_inv_stop(struct jitsim_cpctl *c);

#endif /* JITSIM_CP_CPCTL_INV_H */
