/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_IP_H
#define JITSIM_PROTO_IP_H

/**
 * @file
 * IPv4 (RFC 791, options skipped) and IPv6 (RFC 8200, extension headers
 * skipped). Fragments are flagged and not reassembled: a non-first fragment
 * has no transport header, so only the first fragment's payload is usable.
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_IPPROTO_TCP 6
#define JITSIM_IPPROTO_SCTP 132

/** At most this many IPv6 extension headers are walked. */
#define JITSIM_IP6_MAX_EXT 8

struct jitsim_ip {
	uint8_t version;        /**< 4 or 6 */
	uint8_t proto;          /**< transport protocol after extension headers */
	uint8_t ttl;            /**< TTL / hop limit */
	bool fragment;          /**< any fragment (MF set or offset != 0) */
	bool first_fragment;    /**< offset 0 (transport header present) */
	const uint8_t *src;     /**< 4 or 16 bytes, points into the packet */
	const uint8_t *dst;
	const uint8_t *payload; /**< transport header; bounded by the IP length */
	size_t payload_len;
};

/**
 * Decode an IPv4 or IPv6 header (version from the first nibble).
 * Trailing link padding beyond the IP total length is ignored.
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_IP_BAD_VERSION,
 *   JITSIM_R_IP_BAD_HEADER (IHL < 5, total length < header),
 *   JITSIM_R_IP_EXT_TOO_MANY. A fragment still returns OK with the flags set.
 */
enum jitsim_reason jitsim_ip_decode(const uint8_t *p, size_t len, struct jitsim_ip *out);

/**
 * Encoder: prepend an IPv4 header (no options, DF set, checksum computed)
 * or an IPv6 header (no extension headers) to the current wbuf content.
 * @p src/@p dst are 4 (IPv4) or 16 (IPv6) bytes.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_LENGTH (payload > 65535).
 */
enum jitsim_reason jitsim_ipv4_encode(struct jitsim_wbuf *w, const uint8_t src[4],
				      const uint8_t dst[4], uint8_t proto, uint16_t id);
enum jitsim_reason jitsim_ipv6_encode(struct jitsim_wbuf *w, const uint8_t src[16],
				      const uint8_t dst[16], uint8_t proto);

/**
 * Internet checksum (RFC 1071), used by the IPv4 and TCP encoders.
 * jitsim_ip_csum_partial() adds @p len bytes as big-endian 16-bit words to
 * the running sum @p sum (start with 0); only the last block may have an odd
 * length. jitsim_ip_csum_fold() folds the sum and returns its complement:
 * the value to store, or 0 when verifying data that includes its checksum.
 */
uint32_t jitsim_ip_csum_partial(const uint8_t *p, size_t len, uint32_t sum);
uint16_t jitsim_ip_csum_fold(uint32_t sum);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_ip_dump(const struct jitsim_ip *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_IP_H */
