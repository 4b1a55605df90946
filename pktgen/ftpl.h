/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_FTPL_H
#define JITSIM_PKTGEN_FTPL_H

/**
 * @file
 * Frame templates: a whole frame of one kind of MAP message on one link, in
 * one direction (Ethernet to the end of the SCTP packet of one DATA chunk),
 * kept as the layered encoders wrote it the first time; later frames of the
 * kind copy it and patch what changes from one frame to the next: IP
 * identification and checksum, TSN, stream and stream sequence number, the
 * SCTP checksum, the M3UA SLS, the visited network's SCCP address, the
 * TCAP transaction ids and the MAP parameter (encode.h,
 * struct jitsim_pktgen_map_layout).
 *
 * A template is used only after it reproduced the layered encoders' bytes:
 * for the frame it was taken from, then for the next
 * JITSIM_PKTGEN_FTPL_CHECKS frames of its kind, which are still written by
 * the layered encoders and compared. A difference retires it for good.
 *
 * Thread-safety: templates belong to one generator (one thread).
 */

#include <stdbool.h>
#include <stdint.h>

#include "encode.h"

/** Longest frame kept as a template. */
#define JITSIM_PKTGEN_FTPL_MAX 512
/** Frames of a kind compared with the layered encoders before the template is used. */
#define JITSIM_PKTGEN_FTPL_CHECKS 2

struct jitsim_pktgen_ftpl {
	uint8_t state;	/**< 0: not built, 1: built, 2: not used (encode every frame) */
	uint8_t checks; /**< frames still to compare before use */
	uint16_t len;	/**< the frame */
	uint16_t pay;	/**< where the M3UA message starts in it */
	struct jitsim_pktgen_map_layout lo;
	uint8_t b[JITSIM_PKTGEN_FTPL_MAX];
};

/** The template is in use: frames of its kind are written from it alone. */
static inline bool
jitsim_pktgen_ftpl_ready(const struct jitsim_pktgen_ftpl *t)
{
	return t != NULL && t->state == 1 && t->checks == 0;
}

/**
 * Build @p t from the frame of @p len octets at @p f that the layered
 * encoders just wrote for @p m on link @p l in direction @p dir (the link's
 * SCTP header template in use), with @p tsn, @p stream, @p ssn, @p ip_id
 * as written; kept (state 1) only if filling it gives @p f again.
 */
/** @p t (may be NULL) will be read soon: its header and the frame's first 256 bytes. */
static inline void
jitsim_pktgen_ftpl_prefetch(const struct jitsim_pktgen_ftpl *t)
{
	const char *p = (const char *)t;

	if (t == NULL)
		return;
	for (unsigned int i = 0; i < 5; i++)
		__builtin_prefetch(p + 64 * i);
}

void jitsim_pktgen_ftpl_build(struct jitsim_pktgen_ftpl *t, const uint8_t *f, size_t len,
			      const struct jitsim_pktgen_map_msg *m,
			      const struct jitsim_pktgen_link *l, unsigned int dir, uint32_t tsn,
			      uint16_t stream, uint16_t ssn, uint16_t ip_id);

/**
 * The frame of @p m from @p t at @p f (room for t->len octets, and at least
 * 256: the first 256 are always written), with these
 * sequence numbers; link state is not advanced. false (nothing usable
 * written) when @p m does not fit the template's layout.
 */
bool jitsim_pktgen_ftpl_fill(const struct jitsim_pktgen_ftpl *t, uint8_t *f,
			     const struct jitsim_pktgen_map_msg *m,
			     const struct jitsim_pktgen_link *l, unsigned int dir, uint32_t tsn,
			     uint16_t stream, uint16_t ssn, uint16_t ip_id);

/**
 * One of the first frames after the build: @p f (@p len octets, from the
 * layered encoders, with these sequence numbers) compared with what @p t
 * gives for @p m. A difference retires @p t (state 2).
 */
void jitsim_pktgen_ftpl_check(struct jitsim_pktgen_ftpl *t, const uint8_t *f, size_t len,
			      const struct jitsim_pktgen_map_msg *m,
			      const struct jitsim_pktgen_link *l, unsigned int dir, uint32_t tsn,
			      uint16_t stream, uint16_t ssn, uint16_t ip_id);

#endif /* JITSIM_PKTGEN_FTPL_H */
