/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_MAP_RES_H
#define JITSIM_PKTGEN_MAP_RES_H

/**
 * @file
 * MAP (3GPP TS 29.002) parameters the codec library does not encode: the
 * HLR's ReturnResult results of the operations pktgen generates, and the
 * AnyTimeInterrogation argument used as "other MAP" background. Each writer
 * prepends one complete TLV to an empty wbuf.
 *
 * Thread-safety: pure.
 */

#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_PKTGEN_MAP_OP_ATI 71

/** Inputs of a result; unused fields may be NULL. */
struct jitsim_pktgen_map_res {
	const char *imsi;     /**< SRI, SRI-SM */
	const char *number;   /**< HLR number (UL, UGL), MSRN (SRI), MSC number (SRI-SM) */
	uint64_t vector_seed; /**< SAI: RAND/SRES/Kc bytes */
};

/**
 * Result TLV of @p opcode (ReturnResultLast), MAP version @p version.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (unsupported op).
 */
enum jitsim_reason jitsim_pktgen_map_result(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
					    const struct jitsim_pktgen_map_res *res);

/** AnyTimeInterrogationArg (TS 29.002 8.11.1): subscriber by MSISDN, location asked. */
enum jitsim_reason jitsim_pktgen_map_ati_arg(struct jitsim_wbuf *w, const char *msisdn,
					     const char *gsmscf);

#endif /* JITSIM_PKTGEN_MAP_RES_H */
