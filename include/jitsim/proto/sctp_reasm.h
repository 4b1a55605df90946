/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_SCTP_REASM_H
#define JITSIM_PROTO_SCTP_REASM_H

/**
 * @file
 * Reassembly of fragmented SCTP user messages (RFC 9260 6.9).
 *
 * A user message larger than the path MTU (a Diameter answer with a large
 * subscription profile, a Gx CCA with many rules) is sent as several DATA
 * chunks with consecutive TSNs: B set on the first, E on the last, the
 * same stream and SSN on all. A monitoring port sees them in separate
 * frames. This module keeps a few partial messages, keyed by the
 * association direction (verification tag and ports), stream and SSN, and
 * hands back the whole message when the last fragment arrives; fragments
 * must arrive in TSN order (a gap drops the partial message and counts it).
 *
 * Memory is caller-owned and fixed: no allocation, no locks. A context
 * belongs to one thread. When every slot is busy the oldest partial
 * message is evicted (counted).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/sctp.h>

/** Partial messages kept at once. */
#define JITSIM_SCTP_REASM_SLOTS 4
/** Largest reassembled user message. */
#define JITSIM_SCTP_REASM_MAX 16384

struct jitsim_sctp_reasm_slot {
	bool used;
	uint32_t vtag;
	uint16_t sport;
	uint16_t dport;
	uint16_t stream;
	uint16_t ssn;
	uint32_t next_tsn; /**< TSN the next fragment must carry */
	uint64_t age;
	size_t len;
	uint8_t data[JITSIM_SCTP_REASM_MAX];
};

struct jitsim_sctp_reasm {
	uint64_t clock;
	uint64_t completed;    /**< messages reassembled */
	uint64_t evicted;      /**< partial messages dropped for a newer one */
	uint64_t out_of_order; /**< fragments that did not continue their message */
	struct jitsim_sctp_reasm_slot slot[JITSIM_SCTP_REASM_SLOTS];
};

/** Empty the context. */
void jitsim_sctp_reasm_init(struct jitsim_sctp_reasm *r);

/**
 * Add one fragment (@p d->fragment set) of the association direction
 * (@p s: vtag and ports). When it completes a message, @p data and @p len
 * point to it inside the context (valid until the next call) and
 * JITSIM_R_OK is returned. Otherwise JITSIM_R_SCTP_FRAGMENT (stored, or
 * dropped when it does not continue a message), or JITSIM_R_BAD_LENGTH
 * (the message would exceed JITSIM_SCTP_REASM_MAX; the slot is dropped).
 */
enum jitsim_reason jitsim_sctp_reasm_add(struct jitsim_sctp_reasm *r, const struct jitsim_sctp *s,
					 const struct jitsim_sctp_data *d, const uint8_t **data,
					 size_t *len);

#endif /* JITSIM_PROTO_SCTP_REASM_H */
