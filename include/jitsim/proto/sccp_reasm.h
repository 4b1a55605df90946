/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_SCCP_REASM_H
#define JITSIM_PROTO_SCCP_REASM_H

/**
 * @file
 * Reassembly of segmented XUDT/LUDT messages (ITU-T Q.714 4.1.1.2.3).
 *
 * A long TCAP message (a MO-ForwardSM with its short message, an
 * InsertSubscriberData with a large profile) is split by the originating
 * SCCP into up to 16 XUDT segments carrying one Segmentation parameter; the
 * first segment alone does not hold a decodable TCAP message. This module
 * keeps a small, fixed number of partial messages, keyed as Q.714 says by
 * the calling party address and the segmentation local reference (plus the
 * OPC), and hands back the whole user data when the last segment arrives.
 *
 * Memory is caller-owned and fixed: no allocation, no locks. A context
 * belongs to one thread (one per dataplane worker). When every slot is busy
 * the oldest partial message is evicted (counted in evicted). A segment
 * that does not continue its message in order resets that slot.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/sccp.h>

/** Partial messages kept at once. */
#define JITSIM_SCCP_REASM_SLOTS 8
/** Largest reassembled user data (Q.713 4.18: at most 3952 octets of TCAP data). */
#define JITSIM_SCCP_REASM_MAX 4096

struct jitsim_sccp_reasm_slot {
	bool used;
	uint32_t opc;
	uint32_t slr;
	uint8_t calling_key[40]; /**< calling address identity: PC, SSN, GT digits */
	uint8_t calling_key_len;
	uint8_t expect_remaining; /**< remaining count expected in the next segment */
	uint64_t age;		  /**< insertion order, for eviction */
	size_t len;
	uint8_t data[JITSIM_SCCP_REASM_MAX];
};

struct jitsim_sccp_reasm {
	uint64_t clock;	       /**< increments per first segment */
	uint64_t completed;    /**< messages reassembled */
	uint64_t evicted;      /**< partial messages dropped for a newer one */
	uint64_t out_of_order; /**< segments that did not fit their message */
	struct jitsim_sccp_reasm_slot slot[JITSIM_SCCP_REASM_SLOTS];
};

/** Empty the context. */
void jitsim_sccp_reasm_init(struct jitsim_sccp_reasm *r);

/**
 * Add one segment (s->has_segmentation must be set). When it completes a
 * message, @p data and @p len point to the reassembled user data inside the context
 * (valid until the next call) and JITSIM_R_OK is returned. Otherwise
 * JITSIM_R_SCCP_SEGMENTED (stored, waiting for more), or JITSIM_R_BAD_LENGTH
 * (the message would exceed JITSIM_SCCP_REASM_MAX; the slot is dropped).
 */
enum jitsim_reason jitsim_sccp_reasm_add(struct jitsim_sccp_reasm *r, uint32_t opc,
					 const struct jitsim_sccp *s, const uint8_t **data,
					 size_t *len);

#endif /* JITSIM_PROTO_SCCP_REASM_H */
