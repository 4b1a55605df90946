/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_TCP_H
#define JITSIM_PROTO_TCP_H

/**
 * @file
 * TCP header (RFC 9293) for Diameter over TCP. No stream reassembly: a
 * segment is decoded on its own; Diameter framing inside it is done by
 * jitsim_diam_frame_next().
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

struct jitsim_tcp {
	uint16_t sport;
	uint16_t dport;
	uint32_t seq;
	uint32_t ack;
	uint8_t flags;		/**< FIN 0x01 SYN 0x02 RST 0x04 PSH 0x08 ACK 0x10 */
	const uint8_t *payload; /**< after options */
	size_t payload_len;
};

/**
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_TCP_BAD_HEADER
 *   (data offset < 5 or beyond the segment).
 */
enum jitsim_reason jitsim_tcp_decode(const uint8_t *p, size_t len, struct jitsim_tcp *out);

/* RFC 9293 3.1: 5 32-bit words without options. */
#define JITSIM_TCP_MIN_HDR_LEN 20

/** Same as jitsim_tcp_decode(), inlined for the per-frame fast path. */
static inline enum jitsim_reason
jitsim_tcp_decode_inline(const uint8_t *p, size_t len, struct jitsim_tcp *out)
{
	size_t doff;

	if (__builtin_expect(len < JITSIM_TCP_MIN_HDR_LEN, 0))
		return JITSIM_R_TRUNCATED;
	doff = (size_t)(p[12] >> 4) * 4;
	if (__builtin_expect(doff < JITSIM_TCP_MIN_HDR_LEN || doff > len, 0))
		return JITSIM_R_TCP_BAD_HEADER;
	out->sport = jitsim_get_be16(p);
	out->dport = jitsim_get_be16(p + 2);
	out->seq = jitsim_get_be32(p + 4);
	out->ack = jitsim_get_be32(p + 8);
	/* RFC 9293 3.1 control bits CWR..FIN; the AE bit (RFC 3540) is not kept. */
	out->flags = p[13];
	/* Options (timestamps, SACK) are skipped: Diameter framing needs none. */
	out->payload = p + doff;
	out->payload_len = len - doff;
	return JITSIM_R_OK;
}

/**
 * Encoder: prepend a 20-byte TCP header (flags PSH|ACK, window 65535) to the
 * current wbuf content. The checksum needs the IP pseudo-header: pass the
 * addresses (4 or 16 bytes each, @p addr_len) so it is computed correctly.
 * Only ports, seq and ack are taken from @p t.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (@p addr_len
 *   not 4 or 16, NULL address), JITSIM_R_BAD_LENGTH (segment > 4 GiB).
 */
enum jitsim_reason jitsim_tcp_encode(struct jitsim_wbuf *w, const struct jitsim_tcp *t,
				     const uint8_t *src, const uint8_t *dst, size_t addr_len);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_tcp_dump(const struct jitsim_tcp *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_TCP_H */
