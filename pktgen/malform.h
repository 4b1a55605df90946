/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_MALFORM_H
#define JITSIM_PKTGEN_MALFORM_H

/**
 * @file
 * Malformed frames for the ground truth: truncation, a wrong length at one
 * layer (IP, SCTP chunk, M3UA message or parameter, SCCP pointer, TCAP,
 * Diameter message or AVP), bad BER inside TCAP, random bit flips.
 *
 * Every frame produced is checked with the codec library's own frame
 * iterator (no CRC check, as on a mirror with offloaded checksums): it must
 * yield no message at all, no SCTP fragment and no SCCP segment (which a
 * reassembling reader would keep). A corruption that still decodes (a bit
 * flip in an IMSI digit does) is drawn again; after 32 tries the frame is
 * cut inside its IP header, which no reader can take for a message, and
 * recorded as truncated. So "malformed" in expected.jsonl means: must be
 * rejected, must never become an event.
 *
 * Thread-safety: pure except for @p r.
 */

#include <stddef.h>
#include <stdint.h>

#include "rng.h"

/**
 * Corrupt the Ethernet frame @p f (@p *len bytes, buffer of at least
 * JITSIM_PKTGEN_FRAME_MAX) in place with a corruption of @p kind.
 * @return the kind actually applied; *@p reason is the codec library's
 *   reason for the first unit it rejects (static string).
 */
unsigned int jitsim_pktgen_malform(struct jitsim_pktgen_rng *r, uint8_t *f, size_t *len,
				   unsigned int kind, const char **reason);

/** True when the frame yields no message (and no fragment) in the codec library. */
int jitsim_pktgen_rejected(const uint8_t *f, size_t len, const char **reason);

#endif /* JITSIM_PKTGEN_MALFORM_H */
