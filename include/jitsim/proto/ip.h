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

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_IPPROTO_TCP 6
#define JITSIM_IPPROTO_SCTP 132

/** At most this many IPv6 extension headers are walked. */
#define JITSIM_IP6_MAX_EXT 8

struct jitsim_ip {
	uint8_t version;     /**< 4 or 6 */
	uint8_t proto;	     /**< transport protocol after extension headers */
	uint8_t ttl;	     /**< TTL / hop limit */
	bool fragment;	     /**< any fragment (MF set or offset != 0) */
	bool first_fragment; /**< offset 0 (transport header present) */
	const uint8_t *src;  /**< 4 or 16 bytes, points into the packet */
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

/* RFC 791 3.1: a header without options is 5 32-bit words. */
#define JITSIM_IPV4_MIN_HDR_LEN 20
#define JITSIM_IPV4_FLAG_MF 0x2000
#define JITSIM_IPV4_FRAG_OFF_MASK 0x1fff
/* RFC 8200 3: the fixed IPv6 header. */
#define JITSIM_IPV6_HDR_LEN 40

/* RFC 8200 4 / IANA "IPv6 Extension Header Types" walked by the decoder. */
#define JITSIM_IP6_EXT_HOPOPTS 0
#define JITSIM_IP6_EXT_ROUTING 43
#define JITSIM_IP6_EXT_FRAGMENT 44
#define JITSIM_IP6_EXT_AH 51
#define JITSIM_IP6_EXT_DSTOPTS 60

static inline bool
jitsim_ip6_is_ext(uint8_t nh)
{
	return nh == JITSIM_IP6_EXT_HOPOPTS || nh == JITSIM_IP6_EXT_ROUTING ||
	       nh == JITSIM_IP6_EXT_FRAGMENT || nh == JITSIM_IP6_EXT_AH ||
	       nh == JITSIM_IP6_EXT_DSTOPTS;
}

/**
 * Internal to jitsim_ip_decode() and its inline form: an IPv4 header
 * (@p len >= 1, version 4). Options (RFC 791 3.1) are skipped: nothing in
 * them matters here.
 */
static inline enum jitsim_reason
jitsim_ip_decode_v4(const uint8_t *p, size_t len, struct jitsim_ip *out)
{
	size_t ihl, tot;
	uint16_t frag;

	if (__builtin_expect(len < JITSIM_IPV4_MIN_HDR_LEN, 0))
		return JITSIM_R_TRUNCATED;
	ihl = (size_t)(p[0] & 0x0f) * 4;
	tot = jitsim_get_be16(p + 2);
	if (__builtin_expect(ihl < JITSIM_IPV4_MIN_HDR_LEN || tot < ihl, 0))
		return JITSIM_R_IP_BAD_HEADER;
	/*
	 * Bytes beyond the total length are link padding (Ethernet minimum
	 * frame) or an FCS some capture setups keep: never payload.
	 */
	if (__builtin_expect(tot > len, 0))
		return JITSIM_R_TRUNCATED;
	frag = jitsim_get_be16(p + 6);
	out->version = 4;
	out->proto = p[9];
	out->ttl = p[8];
	out->fragment = (frag & (JITSIM_IPV4_FLAG_MF | JITSIM_IPV4_FRAG_OFF_MASK)) != 0;
	out->first_fragment = (frag & JITSIM_IPV4_FRAG_OFF_MASK) == 0;
	out->src = p + 12;
	out->dst = p + 16;
	out->payload = p + ihl;
	out->payload_len = tot - ihl;
	return JITSIM_R_OK;
}

/**
 * Same as jitsim_ip_decode(), with IPv4 and IPv6 without extension headers
 * inlined for the per-frame fast path.
 */
static inline enum jitsim_reason
jitsim_ip_decode_inline(const uint8_t *p, size_t len, struct jitsim_ip *out)
{
	size_t left;
	uint8_t nh;

	if (__builtin_expect(len < 1, 0))
		return JITSIM_R_TRUNCATED;
	if (__builtin_expect(p[0] >> 4 == 4, 1))
		return jitsim_ip_decode_v4(p, len, out);
	/*
	 * Another version, a short or an extended IPv6 header: the general
	 * path, through a copy so that @p out can stay in the caller's registers.
	 */
	if (p[0] >> 4 != 6 || len < JITSIM_IPV6_HDR_LEN || jitsim_ip6_is_ext(p[6])) {
		struct jitsim_ip tmp;
		enum jitsim_reason r = jitsim_ip_decode(p, len, &tmp);

		*out = tmp;
		return r;
	}
	nh = p[6];
	left = jitsim_get_be16(p + 4);
	if (__builtin_expect(len - JITSIM_IPV6_HDR_LEN < left, 0))
		return JITSIM_R_TRUNCATED;
	out->version = 6;
	out->proto = nh;
	out->ttl = p[7];
	out->fragment = false;
	out->first_fragment = true;
	out->src = p + 8;
	out->dst = p + 24;
	out->payload = p + JITSIM_IPV6_HDR_LEN;
	out->payload_len = left;
	return JITSIM_R_OK;
}

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
