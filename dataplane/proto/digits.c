/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/digits.h>

/* TBCD nibble values (TS 29.002 17.7.8 TBCD-STRING, TS 24.008 Table 10.5.118). */
static const char nibble_char[16] = "0123456789*#abc?";

/*
 * Digits are decoded one octet at a time. A 32-bit table entry holds both
 * characters of an octet in its first two bytes in memory (low nibble
 * first, the digit order of TBCD and of Q.713 BCD) and, in the other bits,
 * which of its nibbles are 0xF, the filler. An octet then costs one load,
 * one 2-byte store and one OR (the filler checks are tested once per
 * string) instead of two nibble decodes.
 */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ENTRY(c0, c1, fill) ((uint32_t)(c0) << 24 | (uint32_t)(c1) << 16 | (uint32_t)(fill))
#define FILL_SHIFT 0
#else
#define ENTRY(c0, c1, fill) ((uint32_t)(c0) | (uint32_t)(c1) << 8 | (uint32_t)(fill) << 16)
#define FILL_SHIFT 16
#endif
#define FILL_LO (1u << FILL_SHIFT)
#define FILL_HI (2u << FILL_SHIFT)

/* clang-format off */
#define NC(v) ((v) < 10 ? '0' + (v) : (v) == 10 ? '*' : (v) == 11 ? '#' : (v) == 15 ? '?' : \
	       'a' + (v) - 12)
#define OCT(o) ENTRY(NC((o) & 15), NC((o) >> 4), \
		     (((o) & 15) == 15 ? 1 : 0) | ((o) >> 4 == 15 ? 2 : 0))
#define ROW(h) OCT(h * 16 + 0), OCT(h * 16 + 1), OCT(h * 16 + 2), OCT(h * 16 + 3), \
	OCT(h * 16 + 4), OCT(h * 16 + 5), OCT(h * 16 + 6), OCT(h * 16 + 7), \
	OCT(h * 16 + 8), OCT(h * 16 + 9), OCT(h * 16 + 10), OCT(h * 16 + 11), \
	OCT(h * 16 + 12), OCT(h * 16 + 13), OCT(h * 16 + 14), OCT(h * 16 + 15)
static const uint32_t octet_tab[256] = {
	ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7),
	ROW(8), ROW(9), ROW(10), ROW(11), ROW(12), ROW(13), ROW(14), ROW(15),
};
/* clang-format on */

/* Octets that always fit JITSIM_DIGITS_MAX, whatever the filler. */
#define OCTETS_MAX (JITSIM_DIGITS_MAX / 2)

static inline void
digits_empty(struct jitsim_digits *out)
{
	out->n = 0;
	out->d[0] = '\0';
}

/*
 * Characters of octets 0 .. n - 1 of @p p into @p d (n <= OCTETS_MAX);
 * returns the OR of their table entries (test FILL_LO | FILL_HI in it). A
 * switch that falls through from the last octet to the first, so each
 * octet costs one lookup, one store and one OR, with no loop test between.
 */
static inline uint32_t
octets_to_chars(const uint8_t *p, size_t n, char *d)
{
	uint32_t fill = 0, e;

	/*
	 * The entry is read before the store: @p d is a char pointer and
	 * could alias @p p as far as the compiler knows.
	 */
#define OCTET(i)                            \
	case (i) + 1:                       \
		e = octet_tab[p[i]];        \
		memcpy(d + 2 * (i), &e, 2); \
		fill |= e;                  \
		__attribute__((fallthrough))
	switch (n) {
		OCTET(15);
		OCTET(14);
		OCTET(13);
		OCTET(12);
		OCTET(11);
		OCTET(10);
		OCTET(9);
		OCTET(8);
		OCTET(7);
		OCTET(6);
		OCTET(5);
		OCTET(4);
		OCTET(3);
		OCTET(2);
		OCTET(1);
		OCTET(0);
	default:
		break;
	}
#undef OCTET
	return fill;
}

/*
 * Reference decoder for strings too long for JITSIM_DIGITS_MAX: it fails
 * either way, and which reason it returns depends on whether a misplaced
 * filler comes before the overflowing digit. Rare, so kept nibble by nibble.
 */
static enum jitsim_reason
tbcd_decode_long(const uint8_t *p, size_t len, struct jitsim_digits *out)
{
	unsigned int n = 0;

	for (size_t i = 0; i < len; i++) {
		uint8_t lo = p[i] & 0x0f, hi = p[i] >> 4;

		if (lo == 0x0f)
			goto bad;
		if (n++ >= JITSIM_DIGITS_MAX)
			goto fail;
		if (hi == 0x0f) {
			if (i + 1 != len)
				goto bad;
			break;
		}
		if (n++ >= JITSIM_DIGITS_MAX)
			goto fail;
	}
	/* Not reached: more than OCTETS_MAX octets always overflow or fail. */
fail:
	digits_empty(out);
	return JITSIM_R_BAD_LENGTH;
bad:
	digits_empty(out);
	return JITSIM_R_MAP_BAD_DIGITS;
}

enum jitsim_reason
jitsim_tbcd_decode(const uint8_t *p, size_t len, struct jitsim_digits *out)
{
	uint32_t fill, last;
	size_t n;

	if (__builtin_expect(len == 0, 0)) {
		digits_empty(out);
		return JITSIM_R_OK;
	}
	if (__builtin_expect(len > OCTETS_MAX, 0))
		return tbcd_decode_long(p, len, out);
	last = octet_tab[p[len - 1]];
	fill = octets_to_chars(p, len - 1, out->d);
	memcpy(out->d + 2 * (len - 1), &last, 2);
	/* A 0xF filler is only allowed as the very last high nibble. */
	if (__builtin_expect(((fill & (FILL_LO | FILL_HI)) | (last & FILL_LO)) != 0, 0)) {
		digits_empty(out);
		return JITSIM_R_MAP_BAD_DIGITS;
	}
	n = 2 * len - ((last & FILL_HI) != 0);
	out->n = (uint8_t)n;
	out->d[n] = '\0';
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_bcd_decode(const uint8_t *p, size_t len, int odd, struct jitsim_digits *out)
{
	size_t n;

	if (__builtin_expect(len == 0 || len > OCTETS_MAX, 0)) {
		digits_empty(out);
		return len == 0 ? JITSIM_R_OK : JITSIM_R_BAD_LENGTH;
	}
	/* Every nibble is a digit: the filler flags are not needed. */
	(void)octets_to_chars(p, len, out->d);
	/* Q.713 3.4.2.3.1: with an odd count the last high nibble is filler. */
	n = 2 * len - (odd != 0);
	out->n = (uint8_t)n;
	out->d[n] = '\0';
	return JITSIM_R_OK;
}

static int
char_nibble(char c)
{
	for (int v = 0; v < 15; v++)
		if (nibble_char[v] == c)
			return v;
	return -1;
}

int
jitsim_tbcd_encode(const char *digits, uint8_t *out, size_t cap)
{
	size_t n = strlen(digits);
	size_t octets = (n + 1) / 2;

	if (octets > cap)
		return -1;
	for (size_t i = 0; i < octets; i++) {
		int lo = char_nibble(digits[2 * i]);
		int hi = 2 * i + 1 < n ? char_nibble(digits[2 * i + 1]) : 0x0f;

		if (lo < 0 || hi < 0)
			return -1;
		out[i] = (uint8_t)(hi << 4 | lo);
	}
	return (int)octets;
}

uint64_t
jitsim_digits_key_str(const char *s)
{
	uint64_t v = 0;
	size_t n = 0;

	for (; s[n] != '\0'; n++) {
		unsigned int c = (unsigned char)s[n] - '0';

		if (c > 9 || n >= 16)
			return 0;
		v = v * 10 + c;
	}
	if (n == 0)
		return 0;
	/* 10^16 < 2^56: the count fits in the top byte without overlap. */
	return (uint64_t)n << 56 | v;
}

/* Eight characters, the first one in the least significant byte on any host. */
static inline uint64_t
load8_le(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24 |
	       (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 |
	       (uint64_t)u[7] << 56;
}

#define ONES8 0x0101010101010101ull

/* True if every byte of @p w is '0'..'9': high nibble 3, and no carry out of 9 + 6. */
static inline bool
swar_all_decimal(uint64_t w)
{
	return ((w & 0xf0 * ONES8) | ((w + 0x06 * ONES8) & 0xf0 * ONES8) >> 4) == 0x33 * ONES8;
}

/*
 * swar_all_decimal(a) && swar_all_decimal(b) with one test: the high
 * nibbles are all 3 when their AND and their OR both are, and then no
 * byte carries when 6 is added.
 */
static inline bool
swar_both_decimal(uint64_t a, uint64_t b)
{
	uint64_t hi_and = (a & b) ^ 0x30 * ONES8, hi_or = (a | b) ^ 0x30 * ONES8;
	uint64_t le9 = ((a + 0x06 * ONES8) | (b + 0x06 * ONES8)) ^ 0x30 * ONES8;

	return ((hi_and | hi_or | le9) & 0xf0 * ONES8) == 0;
}

/*
 * Decimal value of eight digit bytes (first digit in the low byte; bytes
 * may also be 0, as leading zeros): pairs, then quads, then the eight are
 * combined with one multiply each instead of eight multiply-adds.
 */
static inline uint64_t
swar_value8(uint64_t w)
{
	w = ((w & 0x0f * ONES8) * (1 + (10 << 8))) >> 8;
	w = ((w & 0x00ff00ff00ff00ffull) * (1 + (100 << 16))) >> 16;
	return ((w & 0x0000ffff0000ffffull) * (1 + (10000ull << 32))) >> 32;
}

static const uint64_t pow10_tab[9] = {1,      10,      100,	 1000,	   10000,
				      100000, 1000000, 10000000, 100000000};

/*
 * Same result as jitsim_digits_key_str(d->d), but from the known count and
 * eight digits at a time: called for every message (IMSI, MSISDN).
 * The struct always holds JITSIM_DIGITS_MAX + 1 > 16 bytes, so the 8-byte
 * loads below stay inside it; bytes past the digits are shifted out before
 * they are looked at.
 */
uint64_t
jitsim_digits_key(const struct jitsim_digits *d)
{
	unsigned int n = d->n;
	uint64_t hi, lo;

	if (n == 0 || n > 16)
		return 0;
	if (n < 8) {
		/* Digits to the top, '0' (leading zeros) shifted in below. */
		lo = load8_le(d->d) << (8 * (8 - n)) | (0x30 * ONES8) >> (8 * n);
		if (!swar_all_decimal(lo))
			return 0;
		return (uint64_t)n << 56 | swar_value8(lo);
	}
	hi = load8_le(d->d);
	/* The last eight digits; the 16 - n that overlap @p hi become zeros. */
	lo = load8_le(d->d + n - 8);
	if (!swar_both_decimal(hi, lo))
		return 0;
	if (n == 8)
		return (uint64_t)n << 56 | swar_value8(hi);
	lo &= ~0ull << (8 * (16 - n));
	return (uint64_t)n << 56 | (swar_value8(hi) * pow10_tab[n - 8] + swar_value8(lo));
}

void
jitsim_digits_set(struct jitsim_digits *out, const char *s)
{
	size_t n = strnlen(s, JITSIM_DIGITS_MAX);

	memcpy(out->d, s, n);
	out->d[n] = '\0';
	out->n = (uint8_t)n;
}
