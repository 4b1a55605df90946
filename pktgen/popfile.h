/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_POPFILE_H
#define JITSIM_PKTGEN_POPFILE_H

/**
 * @file
 * population.csv: every SIM of a scenario's population with the state and
 * MSISDN that `generate` assumes for the same seed, so that a test (or an
 * operator rehearsing) can put a store into the state the trace was made
 * for: `jitsim-store set population.csv` after the inventory import.
 *
 * Format (one line per SIM, in SIM-number order, which is the vendor
 * file's order):
 *
 *     imsi,iccid,state,msisdn
 *     001010000000123,89882600000000000017,active,447700100000
 *
 * state is one of inventory, active, sleeping, locked (pktgen's names,
 * which are also names of include/jitsim/sim.h); msisdn is empty for
 * inventory and locked SIMs. No secret is written.
 *
 * Thread-safety: none needed; one call writes one file.
 */

#include "pcapw.h"
#include "population.h"

#define JITSIM_PKTGEN_POP_FILE "population.csv"

/**
 * Write the population of @p pop to @p f (opened by the caller, committed
 * by the caller).
 *
 * @return 0, or a negative errno from the writer.
 */
int jitsim_pktgen_popfile_write(const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_ofile *f);

#endif /* JITSIM_PKTGEN_POPFILE_H */
