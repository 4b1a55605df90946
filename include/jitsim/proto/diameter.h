/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_DIAMETER_H
#define JITSIM_PROTO_DIAMETER_H

/**
 * @file
 * Diameter base protocol (RFC 6733): header (3), AVP walk (4.1) with the
 * vendor flag and padding, grouped AVPs (4.4), and message framing in a TCP
 * segment or SCTP DATA chunk (several messages in one; a message split across
 * segments is flagged, not reassembled).
 *
 * Parsing is phased like freeDiameter's: framing, then AVP walk, then the
 * S6a rules (s6a.h), so a fast path can stop at the header.
 *
 * Zero-copy. Thread-safety: pure; an iterator belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/** RFC 6733 3: the only version defined. */
#define JITSIM_DIAM_VERSION 1
#define JITSIM_DIAM_HDR_LEN 20
#define JITSIM_DIAM_AVP_HDR_LEN 8
#define JITSIM_DIAM_AVP_VHDR_LEN 12

/* Command flags (RFC 6733 3) */
#define JITSIM_DIAM_FLAG_R 0x80
#define JITSIM_DIAM_FLAG_P 0x40
#define JITSIM_DIAM_FLAG_E 0x20
#define JITSIM_DIAM_FLAG_T 0x10

/* AVP flags (RFC 6733 4.1) */
#define JITSIM_DIAM_AVP_V 0x80
#define JITSIM_DIAM_AVP_M 0x40
#define JITSIM_DIAM_AVP_P 0x20

#define JITSIM_DIAM_VENDOR_3GPP 10415

/** Deepest grouped-AVP nesting searched. */
#define JITSIM_DIAM_MAX_DEPTH 8

struct jitsim_diam_hdr {
	uint8_t version; /**< 1 */
	uint32_t length; /**< message length incl. header (24 bits) */
	uint8_t flags;	 /**< JITSIM_DIAM_FLAG_* */
	uint32_t cmd;	 /**< command code (24 bits) */
	uint32_t app_id;
	uint32_t hbh;	     /**< hop-by-hop identifier */
	uint32_t e2e;	     /**< end-to-end identifier */
	const uint8_t *avps; /**< first AVP */
	size_t avps_len;     /**< length - 20 */
};

struct jitsim_diam_avp {
	uint32_t code;
	uint8_t flags;
	uint32_t vendor; /**< 0 when the V flag is clear */
	const uint8_t *data;
	size_t data_len; /**< AVP length minus header, without padding */
};

struct jitsim_diam_avp_iter {
	const uint8_t *p;
	size_t left;
};

/**
 * Decode a Diameter header. The message must be complete: @p len >=
 * header length field (extra bytes after it are ignored).
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_DIAM_BAD_VERSION,
 *   JITSIM_R_DIAM_BAD_HEADER (length < 20 or not a multiple of 4).
 */
enum jitsim_reason jitsim_diam_decode_hdr(const uint8_t *p, size_t len,
					  struct jitsim_diam_hdr *out);

/** Same as jitsim_diam_decode_hdr(), inlined for the per-message fast path. */
static inline enum jitsim_reason
jitsim_diam_decode_hdr_inline(const uint8_t *p, size_t len, struct jitsim_diam_hdr *out)
{
	uint32_t w, mlen;

	if (__builtin_expect(len < JITSIM_DIAM_HDR_LEN, 0))
		return JITSIM_R_TRUNCATED;
	/* RFC 6733 3: version(1) length(3), flags(1) command code(3). */
	w = jitsim_get_be32(p);
	if (__builtin_expect(w >> 24 != JITSIM_DIAM_VERSION, 0))
		return JITSIM_R_DIAM_BAD_VERSION;
	mlen = w & 0xffffff;
	/*
	 * The length includes the header and, since every AVP is padded to
	 * 32 bits (4.1), is always a multiple of four.
	 */
	if (__builtin_expect(mlen < JITSIM_DIAM_HDR_LEN || (mlen & 3) != 0, 0))
		return JITSIM_R_DIAM_BAD_HEADER;
	if (__builtin_expect(mlen > len, 0))
		return JITSIM_R_TRUNCATED;
	w = jitsim_get_be32(p + 4);
	out->version = JITSIM_DIAM_VERSION;
	out->length = mlen;
	out->flags = (uint8_t)(w >> 24);
	out->cmd = w & 0xffffff;
	out->app_id = jitsim_get_be32(p + 8);
	out->hbh = jitsim_get_be32(p + 12);
	out->e2e = jitsim_get_be32(p + 16);
	out->avps = p + JITSIM_DIAM_HDR_LEN;
	out->avps_len = mlen - JITSIM_DIAM_HDR_LEN;
	return JITSIM_R_OK;
}

static inline void
jitsim_diam_avp_iter_init(struct jitsim_diam_avp_iter *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->left = len;
}

/**
 * Next AVP. The padding of the last AVP may be missing.
 * @return JITSIM_R_OK, JITSIM_R_END, JITSIM_R_DIAM_BAD_AVP (length shorter
 *   than the header or past the data: the walk then stops and the next call
 *   returns JITSIM_R_END).
 */
enum jitsim_reason jitsim_diam_avp_next(struct jitsim_diam_avp_iter *it, struct jitsim_diam_avp *a);

/**
 * Same as jitsim_diam_avp_next(), inlined for the per-message fast path
 * (jitsim_s6a_decode() walks every AVP of every message: the call and the
 * iterator kept in memory cost about a fifth of an AIR decode).
 */
static inline enum jitsim_reason
jitsim_diam_avp_next_inline(struct jitsim_diam_avp_iter *it, struct jitsim_diam_avp *a)
{
	const uint8_t *p = it->p;
	size_t left = it->left;
	size_t hlen, alen, padded;
	uint32_t w;

	if (__builtin_expect(left < JITSIM_DIAM_AVP_HDR_LEN, 0)) {
		if (left == 0)
			return JITSIM_R_END;
		goto bad;
	}
	/* RFC 6733 4.1: code(4), then flags(1) and length(3) read as one word. */
	w = jitsim_get_be32(p + 4);
	alen = w & 0xffffff;
	a->code = jitsim_get_be32(p);
	a->flags = (uint8_t)(w >> 24);
	/* The Vendor-ID field is present only when V is set. */
	if (w & (uint32_t)JITSIM_DIAM_AVP_V << 24) {
		hlen = JITSIM_DIAM_AVP_VHDR_LEN;
		if (__builtin_expect(left < hlen, 0))
			goto bad;
		a->vendor = jitsim_get_be32(p + 8);
	} else {
		hlen = JITSIM_DIAM_AVP_HDR_LEN;
		a->vendor = 0;
	}
	/* hlen <= alen <= left, in one comparison now that left >= hlen. */
	if (__builtin_expect(alen - hlen > left - hlen, 0))
		goto bad;
	a->data = p + hlen;
	a->data_len = alen - hlen;

	/*
	 * RFC 6733 4.1: the AVP Length excludes the padding to the next 32-bit
	 * boundary. Some peers leave it out after the last AVP of a grouped
	 * AVP or message: fewer than 4 bytes left can only be that padding.
	 */
	padded = (alen + 3) & ~(size_t)3;
	if (padded > left)
		padded = left;
	it->p = p + padded;
	it->left = left - padded;
	return JITSIM_R_OK;
bad:
	/* A bad length loses the AVP boundaries: nothing after it can be trusted. */
	it->left = 0;
	return JITSIM_R_DIAM_BAD_AVP;
}

/**
 * Find the first AVP (@p code, @p vendor) at the top level of @p p/@p len.
 * @return JITSIM_R_OK, JITSIM_R_END (not found), JITSIM_R_DIAM_BAD_AVP.
 */
enum jitsim_reason jitsim_diam_avp_find(const uint8_t *p, size_t len, uint32_t code,
					uint32_t vendor, struct jitsim_diam_avp *a);

/** Read an Unsigned32/Integer32/Enumerated AVP value; JITSIM_R_DIAM_BAD_AVP if not 4 bytes. */
enum jitsim_reason jitsim_diam_avp_u32(const struct jitsim_diam_avp *a, uint32_t *v);

/** Message framing inside a transport payload (TCP segment or SCTP DATA). */
struct jitsim_diam_framer {
	const uint8_t *p;
	size_t left;
};

static inline void
jitsim_diam_framer_init(struct jitsim_diam_framer *f, const uint8_t *p, size_t len)
{
	f->p = p;
	f->left = len;
}

/**
 * Next whole message: *msg and *msg_len set to it.
 * @return JITSIM_R_OK, JITSIM_R_END, JITSIM_R_TCP_PARTIAL (the remaining
 *   bytes are the start of a message that continues in the next segment, or
 *   do not start at a message boundary: the walk stops),
 *   JITSIM_R_DIAM_BAD_VERSION / JITSIM_R_DIAM_BAD_HEADER (walk stops).
 */
enum jitsim_reason jitsim_diam_framer_next(struct jitsim_diam_framer *f, const uint8_t **msg,
					   size_t *msg_len);

/** Same as jitsim_diam_framer_next(), inlined for the frame iterator. */
static inline enum jitsim_reason
jitsim_diam_framer_next_inline(struct jitsim_diam_framer *f, const uint8_t **msg, size_t *msg_len)
{
	enum jitsim_reason r;
	uint32_t mlen;

	if (f->left == 0)
		return JITSIM_R_END;
	/*
	 * Garbage (or the middle of a message that began in an earlier TCP
	 * segment) is recognised by a first byte that is not version 1.
	 */
	if (__builtin_expect(f->p[0] != JITSIM_DIAM_VERSION, 0)) {
		r = JITSIM_R_DIAM_BAD_VERSION;
		goto stop;
	}
	if (__builtin_expect(f->left < JITSIM_DIAM_HDR_LEN, 0)) {
		r = JITSIM_R_TCP_PARTIAL;
		goto stop;
	}
	mlen = jitsim_get_be32(f->p) & 0xffffff;
	if (__builtin_expect(mlen < JITSIM_DIAM_HDR_LEN || (mlen & 3) != 0, 0)) {
		r = JITSIM_R_DIAM_BAD_HEADER;
		goto stop;
	}
	if (__builtin_expect(mlen > f->left, 0)) {
		/* RFC 6733 2.1: TCP is a byte stream, a message may span segments. */
		r = JITSIM_R_TCP_PARTIAL;
		goto stop;
	}
	*msg = f->p;
	*msg_len = mlen;
	f->p += mlen;
	f->left -= mlen;
	return JITSIM_R_OK;
stop:
	f->left = 0;
	return r;
}

/** Command name ("Update-Location") for a code, NULL if unknown. */
const char *jitsim_diam_cmd_name(uint32_t cmd);

/*
 * Encoder. A message is built by appending: jitsim_diam_encode_hdr() at the
 * start, then AVPs, then jitsim_diam_encode_finish() patches the length.
 * Grouped AVPs: jitsim_diam_encode_group_begin() returns the offset to pass to
 * jitsim_diam_encode_group_end() after the inner AVPs.
 */
enum jitsim_reason jitsim_diam_encode_hdr(struct jitsim_wbuf *w, const struct jitsim_diam_hdr *h,
					  size_t *start);
enum jitsim_reason jitsim_diam_encode_avp(struct jitsim_wbuf *w, uint32_t code, uint8_t flags,
					  uint32_t vendor, const void *data, size_t len);
enum jitsim_reason jitsim_diam_encode_avp_u32(struct jitsim_wbuf *w, uint32_t code, uint8_t flags,
					      uint32_t vendor, uint32_t v);
enum jitsim_reason jitsim_diam_encode_avp_str(struct jitsim_wbuf *w, uint32_t code, uint8_t flags,
					      uint32_t vendor, const char *s);
enum jitsim_reason jitsim_diam_encode_group_begin(struct jitsim_wbuf *w, uint32_t code,
						  uint8_t flags, uint32_t vendor, size_t *start);
void jitsim_diam_encode_group_end(struct jitsim_wbuf *w, size_t start);
void jitsim_diam_encode_finish(struct jitsim_wbuf *w, size_t start);

/** Vendor-Specific-Application-Id { Vendor-Id } [ Auth-Application-Id ] (RFC 6733 6.11). */
enum jitsim_reason jitsim_diam_encode_vsai(struct jitsim_wbuf *w, uint32_t vendor,
					   uint32_t auth_app_id);

/** Experimental-Result { Vendor-Id } { Experimental-Result-Code } (RFC 6733 7.6). */
enum jitsim_reason jitsim_diam_encode_exp_result(struct jitsim_wbuf *w, uint32_t vendor,
						 uint32_t code);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_diam_hdr_dump(const struct jitsim_diam_hdr *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_DIAMETER_H */
