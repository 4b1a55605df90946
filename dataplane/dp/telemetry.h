/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp telemetry commands (DPDK telemetry socket, read with
 * `dpdk-telemetry.py -f FILE_PREFIX`):
 *
 *   /jitsim/stats   totals over the workers: frames, messages per
 *                   protocol and operation, decode errors by reason,
 *                   events and ring drops by type, lookups, updates,
 *                   table sizes, uptime
 *   /jitsim/lcores  one dict per worker: lcore, port, queue, frames,
 *                   msgs, events, drops, cycles per frame
 *   /jitsim/ss7     [ss7]: associations and their state, messages in
 *                   and out, verdicts, relays per region, drops by
 *                   reason ({"ready": 0} without [ss7])
 *
 * The callbacks run on DPDK's telemetry thread. DPDK 22.11 cannot
 * unregister a command, so the state they read is published here and
 * withdrawn under a mutex before main.c frees it; a command arriving
 * after that answers {"ready": 0}. The mutex is taken only by the
 * telemetry thread and by main.c at start and stop, never by a worker.
 */

#ifndef JITSIM_DP_TELEMETRY_H
#define JITSIM_DP_TELEMETRY_H

#include "dp.h"

/* Register the commands (once) and publish @dp. 0 or -errno. */
int jitsim_dp_telemetry_attach(struct jitsim_dp *dp);

/* Withdraw @dp; returns once no callback uses it. */
void jitsim_dp_telemetry_detach(void);

#endif /* JITSIM_DP_TELEMETRY_H */
