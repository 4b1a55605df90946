/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * ASN.1 BER reader (ITU-T X.690 8.1): identifier, length and contents
 * octets. TCAP and MAP are BER, not DER, so all three length forms occur on
 * the wire (real MAP traffic uses indefinite lengths, e.g. 6c 80 ... 00 00).
 */

#include <jitsim/proto/ber.h>

/* X.690 8.1.2.4: a tag number above 30 follows in base-128 octets. */
#define BER_TAG_MULTI 0x1f
/* Four subsequent octets carry 28 bits: the largest tag number accepted. */
#define BER_TAG_MAX_OCTETS 4
/* X.690 8.1.3.5: at most 4 length octets keep the length within 32 bits. */
#define BER_LEN_MAX_OCTETS 4

/* clang-format off */
#define ID_ROW(h) (h) != 0, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, \
	1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 1, 0
const uint8_t jitsim_ber_id_simple[256] = {
	ID_ROW(0x00), ID_ROW(0x20), ID_ROW(0x40), ID_ROW(0x60),
	ID_ROW(0x80), ID_ROW(0xa0), ID_ROW(0xc0), ID_ROW(0xe0),
};
/* clang-format on */

struct ber_hdr {
	uint8_t id;
	uint32_t tag;
	bool indefinite;
	size_t hlen; /* identifier + length octets */
	size_t clen; /* contents length (definite form only) */
};

/*
 * Identifier and length octets at @p p. Does not check that the contents
 * fit: callers do that against what remains.
 */
static enum jitsim_reason
ber_hdr(const uint8_t *p, size_t len, struct ber_hdr *h)
{
	size_t off = 1;
	uint8_t b;

	if (len < 2)
		return JITSIM_R_TRUNCATED;
	h->id = p[0];
	h->tag = p[0] & BER_TAG_MULTI;
	if (h->tag == BER_TAG_MULTI) {
		unsigned int n = 0;

		h->tag = 0;
		/* X.690 8.1.2.4.2 c: the first subsequent octet is not 0x80. */
		if (p[1] == 0x80)
			return JITSIM_R_BER_BAD;
		do {
			if (n == BER_TAG_MAX_OCTETS)
				return JITSIM_R_BER_BAD;
			if (len - off < 1)
				return JITSIM_R_TRUNCATED;
			b = p[off++];
			h->tag = h->tag << 7 | (b & 0x7f);
			n++;
		} while (b & 0x80);
	}
	if (len - off < 1)
		return JITSIM_R_TRUNCATED;
	b = p[off++];
	h->indefinite = false;
	if (b < 0x80) {
		h->clen = b;
	} else if (b == 0x80) {
		/* X.690 8.1.3.2 a: indefinite form only for constructed encodings. */
		if (!(h->id & 0x20))
			return JITSIM_R_BER_BAD;
		h->indefinite = true;
		h->clen = 0;
	} else {
		unsigned int n = b & 0x7f;

		/* X.690 8.1.3.5 c: 0xff is reserved. */
		if (b == 0xff || n > BER_LEN_MAX_OCTETS)
			return JITSIM_R_BER_BAD;
		if (len - off < n)
			return JITSIM_R_TRUNCATED;
		h->clen = 0;
		while (n--)
			h->clen = h->clen << 8 | p[off++];
	}
	h->hlen = off;
	return JITSIM_R_OK;
}

/*
 * End of an indefinite-length value whose contents start at @p off: walk the
 * nested TLVs (skipping definite ones whole) and count nesting levels until
 * the matching end-of-contents (X.690 8.1.5). Iterative, so the depth limit
 * bounds work, not stack.
 * On success *eoc is the offset of the matching 00 00.
 */
static enum jitsim_reason
ber_find_eoc(const uint8_t *p, size_t len, size_t off, size_t *eoc)
{
	unsigned int level = 1;

	for (;;) {
		struct ber_hdr h;
		enum jitsim_reason r;

		if (len - off < 2)
			return JITSIM_R_TRUNCATED;
		/*
		 * A short definite element with a one-octet identifier, the
		 * usual case even inside indefinite values: skipped without a
		 * full header decode (same outcome as the general path below).
		 */
		if (__builtin_expect(p[off + 1] < 0x80 && jitsim_ber_id_simple[p[off]], 1)) {
			size_t clen = p[off + 1];

			off += 2;
			if (len - off < clen)
				return JITSIM_R_TRUNCATED;
			off += clen;
			continue;
		}
		/* Likewise a nested constructed value of indefinite length. */
		if (p[off + 1] == 0x80 && (p[off] & 0x20) && jitsim_ber_id_simple[p[off]]) {
			if (++level > JITSIM_BER_MAX_DEPTH)
				return JITSIM_R_BER_TOO_DEEP;
			off += 2;
			continue;
		}
		if (p[off] == 0 && p[off + 1] == 0) {
			if (--level == 0) {
				*eoc = off;
				return JITSIM_R_OK;
			}
			off += 2;
			continue;
		}
		r = ber_hdr(p + off, len - off, &h);
		if (r != JITSIM_R_OK)
			return r;
		if (h.id == 0)
			return JITSIM_R_BER_BAD;
		off += h.hlen;
		if (h.indefinite) {
			if (++level > JITSIM_BER_MAX_DEPTH)
				return JITSIM_R_BER_TOO_DEEP;
			continue;
		}
		if (len - off < h.clen)
			return JITSIM_R_TRUNCATED;
		off += h.clen;
	}
}

/* Every form: multi-octet tags, long and indefinite lengths. */
static enum jitsim_reason
ber_read_any(const uint8_t *p, size_t len, struct jitsim_ber_tlv *out)
{
	struct ber_hdr h;
	enum jitsim_reason r;

	r = ber_hdr(p, len, &h);
	if (r != JITSIM_R_OK)
		return r;
	/* Universal tag 0 is reserved for end-of-contents (X.680 8.6). */
	if (h.id == 0)
		return JITSIM_R_BER_BAD;
	out->id = h.id;
	out->cls = h.id >> 6;
	out->constructed = (h.id & 0x20) != 0;
	out->tag = h.tag;
	out->indefinite = h.indefinite;
	out->val = p + h.hlen;
	if (h.indefinite) {
		size_t eoc;

		r = ber_find_eoc(p, len, h.hlen, &eoc);
		if (r != JITSIM_R_OK)
			return r;
		out->len = eoc - h.hlen;
		out->total = eoc + 2;
		return JITSIM_R_OK;
	}
	if (len - h.hlen < h.clen)
		return JITSIM_R_TRUNCATED;
	out->len = h.clen;
	out->total = h.hlen + h.clen;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_ber_read_slow(const uint8_t *p, size_t len, struct jitsim_ber_tlv *out)
{
	return ber_read_any(p, len, out);
}

enum jitsim_reason
jitsim_ber_int_slow(const uint8_t *p, size_t len, int64_t *v)
{
	uint64_t u;

	/* X.690 8.3.1: at least one contents octet; 8 is what int64_t holds. */
	if (len == 0 || len > 8)
		return JITSIM_R_BER_BAD;
	/* Sign-extend from the first octet (two's complement, X.690 8.3.3). */
	u = (p[0] & 0x80) ? UINT64_MAX : 0;
	for (size_t i = 0; i < len; i++)
		u = u << 8 | p[i];
	*v = (int64_t)u;
	return JITSIM_R_OK;
}

/* The inline jitsim_ber_next() has handled an empty walk and the short form. */
enum jitsim_reason
jitsim_ber_next_slow(struct jitsim_ber_iter *it, struct jitsim_ber_tlv *t)
{
	enum jitsim_reason r;

	if (it->left == 0)
		return JITSIM_R_END;
	/* End-of-contents of an enclosing indefinite value ends the walk. */
	if (it->left >= 2 && it->p[0] == 0 && it->p[1] == 0) {
		it->left = 0;
		return JITSIM_R_END;
	}
	r = ber_read_any(it->p, it->left, t);
	if (r != JITSIM_R_OK) {
		it->left = 0;
		return r;
	}
	it->p += t->total;
	it->left -= t->total;
	return JITSIM_R_OK;
}
