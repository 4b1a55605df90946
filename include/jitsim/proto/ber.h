/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_BER_H
#define JITSIM_PROTO_BER_H

/**
 * @file
 * ASN.1 BER (ITU-T X.690) tag-length-value reader for TCAP and MAP:
 * multi-byte tags, definite short/long lengths and indefinite lengths
 * (end-of-contents found by walking nested TLVs, with a depth limit).
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_BER_CLASS_UNIVERSAL 0
#define JITSIM_BER_CLASS_APPLICATION 1
#define JITSIM_BER_CLASS_CONTEXT 2
#define JITSIM_BER_CLASS_PRIVATE 3

/** Deepest nesting walked to find the end of an indefinite-length value. */
#define JITSIM_BER_MAX_DEPTH 16

struct jitsim_ber_tlv {
	uint8_t cls;            /**< JITSIM_BER_CLASS_* */
	bool constructed;
	uint32_t tag;           /**< tag number (multi-byte tags folded) */
	uint8_t id;             /**< first identifier octet, e.g. 0xa1 (handy for switch) */
	bool indefinite;
	const uint8_t *val;     /**< contents */
	size_t len;             /**< contents length (without end-of-contents) */
	size_t total;           /**< identifier + length + contents (+ 2 for EOC) */
};

/**
 * Read one TLV at @p p. For an indefinite length the contents are walked to
 * find the end-of-contents octets.
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_BER_BAD (length form
 *   0xff, more than 4 length octets, tag number > 2^28, indefinite length on a
 *   primitive), JITSIM_R_BER_TOO_DEEP.
 */
enum jitsim_reason jitsim_ber_read(const uint8_t *p, size_t len, struct jitsim_ber_tlv *out);

/**
 * Read a BER INTEGER content (1..8 octets, two's complement) into @p v.
 * @return JITSIM_R_OK or JITSIM_R_BER_BAD.
 */
enum jitsim_reason jitsim_ber_int(const uint8_t *p, size_t len, int64_t *v);

/** Iterator over the TLVs inside a constructed value. */
struct jitsim_ber_iter {
	const uint8_t *p;
	size_t left;
};

static inline void
jitsim_ber_iter_init(struct jitsim_ber_iter *it, const uint8_t *p, size_t len)
{
	it->p = p;
	it->left = len;
}

/**
 * Next TLV; end-of-contents octets (00 00) end the walk.
 * @return JITSIM_R_OK, JITSIM_R_END, or an error of jitsim_ber_read() (the
 *   walk then stops: the next call returns JITSIM_R_END).
 */
enum jitsim_reason jitsim_ber_next(struct jitsim_ber_iter *it, struct jitsim_ber_tlv *t);

/**
 * Encoder: prepend identifier @p id (single-octet tag) and a definite length
 * for the @p content_len bytes that already start at the wbuf head.
 * @return JITSIM_R_OK or JITSIM_R_NOSPACE.
 */
enum jitsim_reason jitsim_ber_prepend_hdr(struct jitsim_wbuf *w, uint8_t id, size_t content_len);

/** Encoder: prepend a whole primitive TLV. */
enum jitsim_reason jitsim_ber_prepend_tlv(struct jitsim_wbuf *w, uint8_t id, const void *val,
					  size_t len);

#endif /* JITSIM_PROTO_BER_H */
