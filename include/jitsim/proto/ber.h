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
	uint8_t cls; /**< JITSIM_BER_CLASS_* */
	bool constructed;
	uint32_t tag; /**< tag number (multi-byte tags folded) */
	uint8_t id;   /**< first identifier octet, e.g. 0xa1 (handy for switch) */
	bool indefinite;
	const uint8_t *val; /**< contents */
	size_t len;	    /**< contents length (without end-of-contents) */
	size_t total;	    /**< identifier + length + contents (+ 2 for EOC) */
};

/* Out-of-line part of jitsim_ber_int(): contents of 2..8 octets, and errors. */
enum jitsim_reason jitsim_ber_int_slow(const uint8_t *p, size_t len, int64_t *v);

/**
 * Read a BER INTEGER content (1..8 octets, two's complement) into @p v.
 * Inline for one octet (invoke IDs, operation and error codes).
 * @return JITSIM_R_OK or JITSIM_R_BER_BAD.
 */
static inline enum jitsim_reason
jitsim_ber_int(const uint8_t *p, size_t len, int64_t *v)
{
	if (__builtin_expect(len == 1, 1)) {
		*v = (int8_t)p[0];
		return JITSIM_R_OK;
	}
	return jitsim_ber_int_slow(p, len, v);
}

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

/*
 * Out-of-line part of jitsim_ber_read() / jitsim_ber_next(): every form the
 * inline fast path does not take. Same contract as those; not meant to be
 * called directly.
 */
enum jitsim_reason jitsim_ber_read_slow(const uint8_t *p, size_t len, struct jitsim_ber_tlv *out);
enum jitsim_reason jitsim_ber_next_slow(struct jitsim_ber_iter *it, struct jitsim_ber_tlv *t);

/*
 * Non-zero for the identifier octets that are a whole identifier (tag
 * number below 31, X.690 8.1.2.2) other than 0 (end-of-contents, or
 * reserved): one lookup instead of two tests. Defined in ber.c.
 */
extern const uint8_t jitsim_ber_id_simple[256];

/*
 * Nearly every TCAP/MAP element has a one-octet identifier and a short
 * definite length (X.690 8.1.2.2, 8.1.3.4) that fits in what is left: true
 * for those.
 */
static inline bool
jitsim_ber_is_short(const uint8_t *p, size_t len)
{
	return len >= 2 && p[1] < 0x80 && jitsim_ber_id_simple[p[0]] && p[1] <= len - 2;
}

/* Fill @p out for the short form checked by jitsim_ber_is_short(). */
static inline void
jitsim_ber_set_short(const uint8_t *p, struct jitsim_ber_tlv *out)
{
	out->id = p[0];
	out->cls = p[0] >> 6;
	out->constructed = (p[0] & 0x20) != 0;
	out->tag = p[0] & 0x1f;
	out->indefinite = false;
	out->val = p + 2;
	out->len = p[1];
	out->total = 2 + (size_t)p[1];
}

/**
 * Read one TLV at @p p. For an indefinite length the contents are walked to
 * find the end-of-contents octets.
 * Inline for the common short form; the rest is jitsim_ber_read_slow().
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_BER_BAD (length form
 *   0xff, more than 4 length octets, tag number > 2^28, indefinite length on a
 *   primitive), JITSIM_R_BER_TOO_DEEP.
 */
static inline enum jitsim_reason
jitsim_ber_read(const uint8_t *p, size_t len, struct jitsim_ber_tlv *out)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	if (__builtin_expect(jitsim_ber_is_short(p, len), 1)) {
		jitsim_ber_set_short(p, out);
		return JITSIM_R_OK;
	}
	/*
	 * Through a local so that @p out does not escape: the caller's TLV can
	 * then live in registers and its unused fields are never stored.
	 */
	r = jitsim_ber_read_slow(p, len, &t);
	if (r == JITSIM_R_OK)
		*out = t;
	return r;
}

/**
 * Next TLV; end-of-contents octets (00 00) end the walk.
 * Inline for the common short form; the rest is jitsim_ber_next_slow().
 * @return JITSIM_R_OK, JITSIM_R_END, or an error of jitsim_ber_read() (the
 *   walk then stops: the next call returns JITSIM_R_END).
 */
static inline enum jitsim_reason
jitsim_ber_next(struct jitsim_ber_iter *it, struct jitsim_ber_tlv *t)
{
	struct jitsim_ber_iter i;
	struct jitsim_ber_tlv n;
	enum jitsim_reason r;

	if (it->left == 0)
		return JITSIM_R_END;
	if (__builtin_expect(jitsim_ber_is_short(it->p, it->left), 1)) {
		jitsim_ber_set_short(it->p, t);
		it->p += t->total;
		it->left -= t->total;
		return JITSIM_R_OK;
	}
	/* Locals again, so that neither @p it nor @p t escapes (see above). */
	i = *it;
	r = jitsim_ber_next_slow(&i, &n);
	*it = i;
	if (r == JITSIM_R_OK)
		*t = n;
	return r;
}

/**
 * jitsim_ber_next() for a walk that expects identifier @p id (a constant,
 * one octet, not 0) next. Same result whatever comes; but when it is a
 * short-form @p id element, the generic identifier checks fold away.
 */
static inline enum jitsim_reason
jitsim_ber_next_expect(struct jitsim_ber_iter *it, uint8_t id, struct jitsim_ber_tlv *t)
{
	const uint8_t *p = it->p;

	if (__builtin_expect(it->left >= 2 && p[0] == id && p[1] < 0x80 && p[1] <= it->left - 2,
			     1)) {
		jitsim_ber_set_short(p, t);
		it->p += t->total;
		it->left -= t->total;
		return JITSIM_R_OK;
	}
	return jitsim_ber_next(it, t);
}

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
