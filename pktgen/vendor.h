/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_VENDOR_H
#define JITSIM_PKTGEN_VENDOR_H

/**
 * @file
 * The SIM vendor output file of a population (format: docs/formats.md) and
 * the transport key it is encrypted with. Ki, OPc, KIc and KID are written
 * only as AES-128 ciphertext under the transport key; no secret is ever
 * logged. The transport key is derived from the seed (test batches must be
 * reproducible) and written to its own file, mode 0600.
 *
 * Thread-safety: one call at a time per output.
 */

#include <stdint.h>

#include "pcapw.h"
#include "population.h"

#define JITSIM_PKTGEN_VENDOR_FILE "inventory.out"
#define JITSIM_PKTGEN_KEY_FILE "transport.key"

/**
 * Write the vendor file of @p pop to @p out and its transport key to
 * @p key (both open, not committed).
 * @return 0 or negative errno (-EIO when the cipher fails).
 */
int jitsim_pktgen_vendor_write(const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_ofile *out,
			       struct jitsim_pktgen_ofile *key);

#endif /* JITSIM_PKTGEN_VENDOR_H */
