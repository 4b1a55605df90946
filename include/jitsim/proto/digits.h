/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_DIGITS_H
#define JITSIM_PROTO_DIGITS_H

/**
 * @file
 * Digit strings (IMSI, MSISDN, global titles) and their compact keys.
 *
 * TBCD (3GPP TS 29.002 17.7.8, TS 24.008 10.5.1.4): two digits per octet,
 * low nibble first, 0xF filler in the last high nibble. Digits are decoded
 * into a small fixed array held by the caller: no allocation.
 *
 * The compact key is what the dataplane tables are keyed by: the decimal
 * value of the digits with the digit count in the top byte, so that "001"
 * and "1" never collide. Only strings of 1..16 decimal digits have a key.
 *
 * Thread-safety: pure functions.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jitsim/proto/reason.h>

/** Longest digit string kept (global titles can exceed E.164's 15). */
#define JITSIM_DIGITS_MAX 32

struct jitsim_digits {
	uint8_t n;		       /**< number of digits */
	char d[JITSIM_DIGITS_MAX + 1]; /**< ASCII '0'-'9', '*', '#', 'a'-'c'; NUL-terminated */
};

/**
 * Decode TBCD octets into @p out.
 * A 0xF nibble ends the string only as the last high nibble; anywhere else it
 * is JITSIM_R_MAP_BAD_DIGITS. Nibbles 0xA-0xE map to '*', '#', 'a', 'b', 'c'.
 * @return JITSIM_R_OK, JITSIM_R_MAP_BAD_DIGITS, or JITSIM_R_BAD_LENGTH when
 *   the string exceeds JITSIM_DIGITS_MAX.
 */
enum jitsim_reason jitsim_tbcd_decode(const uint8_t *p, size_t len, struct jitsim_digits *out);

/**
 * Decode BCD digits as found in SCCP global titles (ITU Q.713 3.4.2.3):
 * low nibble first, @p odd says whether the last high nibble is a filler.
 */
enum jitsim_reason jitsim_bcd_decode(const uint8_t *p, size_t len, int odd,
				     struct jitsim_digits *out);

/**
 * Encode ASCII digits as TBCD into @p out (capacity @p cap).
 * @return number of octets written, or -1 if a character is not encodable or
 *   @p cap is too small.
 */
int jitsim_tbcd_encode(const char *digits, uint8_t *out, size_t cap);

/**
 * Compact key of a digit string; 0 if not 1..16 decimal digits. Reads the
 * d->n digits of d->d (as every decoder sets them), eight at a time.
 */
uint64_t jitsim_digits_key(const struct jitsim_digits *d);

/** Same as jitsim_digits_key() for a NUL-terminated ASCII string. */
uint64_t jitsim_digits_key_str(const char *s);

/**
 * Inverse of jitsim_digits_key(): the digits of @p key (leading zeros
 * kept) into @p buf of @p size bytes, NUL-terminated.
 * @return the number of digits, or -1 for a key that is not a compact
 *   digit key or a buffer too small.
 */
int jitsim_digits_key_format(uint64_t key, char *buf, size_t size);

/** Set @p out from a NUL-terminated ASCII string (truncated to JITSIM_DIGITS_MAX). */
void jitsim_digits_set(struct jitsim_digits *out, const char *s);

/*
 * Inline versions of the decoders and of the key, for the per-message fast
 * path (SCCP global titles, MAP IMSI and MSISDN, the summary keys): each is
 * called two or three times per message, and the call itself, with the
 * spills it forces in the caller, cost about a fifth of the decode. The
 * out-of-line functions above are these same bodies.
 */

/**
 * @internal Per octet: its two characters in the first two bytes in memory
 * (low nibble first, the digit order of TBCD and of Q.713 BCD) and, in the
 * other bits, which of its nibbles are 0xF, the filler. An octet then costs
 * one load, one 2-byte store and one OR (the filler checks are tested once
 * per string) instead of two nibble decodes.
 */
extern const uint32_t jitsim_digits_octet_tab[256];

#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define JITSIM_DIGITS_FILL_SHIFT 0
#else
#define JITSIM_DIGITS_FILL_SHIFT 16
#endif
#define JITSIM_DIGITS_FILL_LO (1u << JITSIM_DIGITS_FILL_SHIFT)
#define JITSIM_DIGITS_FILL_HI (2u << JITSIM_DIGITS_FILL_SHIFT)

/** @internal Octets that always fit JITSIM_DIGITS_MAX, whatever the filler. */
#define JITSIM_DIGITS_OCTETS_MAX (JITSIM_DIGITS_MAX / 2)

/**
 * @internal Characters of octets 0 .. n - 1 of @p p into @p d
 * (n <= JITSIM_DIGITS_OCTETS_MAX); returns the OR of their table entries
 * (test JITSIM_DIGITS_FILL_LO | _HI in it). A switch that falls through
 * from the last octet to the first, so each octet costs one lookup, one
 * store and one OR, with no loop test between.
 */
static inline uint32_t
jitsim_digits_octets_to_chars(const uint8_t *p, size_t n, char *d)
{
	uint32_t fill = 0, e;

	/*
	 * The entry is read before the store: @p d is a char pointer and
	 * could alias @p p as far as the compiler knows.
	 */
#define JITSIM_DIGITS_OCTET(i)                     \
	case (i) + 1:                              \
		e = jitsim_digits_octet_tab[p[i]]; \
		memcpy(d + 2 * (i), &e, 2);        \
		fill |= e;                         \
		__attribute__((fallthrough))
	switch (n) {
		JITSIM_DIGITS_OCTET(15);
		JITSIM_DIGITS_OCTET(14);
		JITSIM_DIGITS_OCTET(13);
		JITSIM_DIGITS_OCTET(12);
		JITSIM_DIGITS_OCTET(11);
		JITSIM_DIGITS_OCTET(10);
		JITSIM_DIGITS_OCTET(9);
		JITSIM_DIGITS_OCTET(8);
		JITSIM_DIGITS_OCTET(7);
		JITSIM_DIGITS_OCTET(6);
		JITSIM_DIGITS_OCTET(5);
		JITSIM_DIGITS_OCTET(4);
		JITSIM_DIGITS_OCTET(3);
		JITSIM_DIGITS_OCTET(2);
		JITSIM_DIGITS_OCTET(1);
		JITSIM_DIGITS_OCTET(0);
	default:
		break;
	}
#undef JITSIM_DIGITS_OCTET
	return fill;
}

/** Same as jitsim_tbcd_decode(), inlined. */
static inline enum jitsim_reason
jitsim_tbcd_decode_inline(const uint8_t *p, size_t len, struct jitsim_digits *out)
{
	uint32_t fill, last;
	size_t n;

	/* Empty and too long strings: rare, out of line. */
	if (__builtin_expect(len - 1 >= JITSIM_DIGITS_OCTETS_MAX, 0))
		return jitsim_tbcd_decode(p, len, out);
	last = jitsim_digits_octet_tab[p[len - 1]];
	fill = jitsim_digits_octets_to_chars(p, len - 1, out->d);
	memcpy(out->d + 2 * (len - 1), &last, 2);
	/* A 0xF filler is only allowed as the very last high nibble. */
	if (__builtin_expect(((fill & (JITSIM_DIGITS_FILL_LO | JITSIM_DIGITS_FILL_HI)) |
			      (last & JITSIM_DIGITS_FILL_LO)) != 0,
			     0)) {
		out->n = 0;
		out->d[0] = '\0';
		return JITSIM_R_MAP_BAD_DIGITS;
	}
	n = 2 * len - ((last & JITSIM_DIGITS_FILL_HI) != 0);
	out->n = (uint8_t)n;
	out->d[n] = '\0';
	return JITSIM_R_OK;
}

/** Same as jitsim_bcd_decode(), inlined. */
static inline enum jitsim_reason
jitsim_bcd_decode_inline(const uint8_t *p, size_t len, int odd, struct jitsim_digits *out)
{
	size_t n;

	if (__builtin_expect(len - 1 >= JITSIM_DIGITS_OCTETS_MAX, 0)) {
		out->n = 0;
		out->d[0] = '\0';
		return len == 0 ? JITSIM_R_OK : JITSIM_R_BAD_LENGTH;
	}
	/* Every nibble is a digit: the filler flags are not needed. */
	(void)jitsim_digits_octets_to_chars(p, len, out->d);
	/* Q.713 3.4.2.3.1: with an odd count the last high nibble is filler. */
	n = 2 * len - (odd != 0);
	out->n = (uint8_t)n;
	out->d[n] = '\0';
	return JITSIM_R_OK;
}

#define JITSIM_DIGITS_ONES8 0x0101010101010101ull

/** @internal Eight characters, the first one in the least significant byte on any host. */
static inline uint64_t
jitsim_digits_load8_le(const char *s)
{
	const unsigned char *u = (const unsigned char *)s;

	return (uint64_t)u[0] | (uint64_t)u[1] << 8 | (uint64_t)u[2] << 16 | (uint64_t)u[3] << 24 |
	       (uint64_t)u[4] << 32 | (uint64_t)u[5] << 40 | (uint64_t)u[6] << 48 |
	       (uint64_t)u[7] << 56;
}

/** @internal True if every byte of @p w is '0'..'9': high nibble 3, and no carry out of 9 + 6. */
static inline bool
jitsim_digits_swar_all_decimal(uint64_t w)
{
	const uint64_t ones = JITSIM_DIGITS_ONES8;

	return ((w & 0xf0 * ones) | ((w + 0x06 * ones) & 0xf0 * ones) >> 4) == 0x33 * ones;
}

/**
 * @internal jitsim_digits_swar_all_decimal(a) && (b) with one test: the high
 * nibbles are all 3 when their AND and their OR both are, and then no byte
 * carries when 6 is added.
 */
static inline bool
jitsim_digits_swar_both_decimal(uint64_t a, uint64_t b)
{
	const uint64_t ones = JITSIM_DIGITS_ONES8;
	uint64_t hi_and = (a & b) ^ 0x30 * ones, hi_or = (a | b) ^ 0x30 * ones;
	uint64_t le9 = ((a + 0x06 * ones) | (b + 0x06 * ones)) ^ 0x30 * ones;

	return ((hi_and | hi_or | le9) & 0xf0 * ones) == 0;
}

/**
 * @internal Decimal value of eight digit bytes (first digit in the low byte;
 * bytes may also be 0, as leading zeros): pairs, then quads, then the eight
 * are combined with one multiply each instead of eight multiply-adds.
 */
static inline uint64_t
jitsim_digits_swar_value8(uint64_t w)
{
	w = ((w & 0x0f * JITSIM_DIGITS_ONES8) * (1 + (10 << 8))) >> 8;
	w = ((w & 0x00ff00ff00ff00ffull) * (1 + (100 << 16))) >> 16;
	return ((w & 0x0000ffff0000ffffull) * (1 + (10000ull << 32))) >> 32;
}

/** @internal 10^0 .. 10^8. */
extern const uint64_t jitsim_digits_pow10[9];

/**
 * Same as jitsim_digits_key(), inlined: from the known count and eight
 * digits at a time. The struct always holds JITSIM_DIGITS_MAX + 1 > 16
 * bytes, so the 8-byte loads below stay inside it; bytes past the digits
 * are shifted out before they are looked at.
 */
static inline uint64_t
jitsim_digits_key_inline(const struct jitsim_digits *d)
{
	unsigned int n = d->n;
	uint64_t hi, lo;

	if (n == 0 || n > 16)
		return 0;
	if (n < 8) {
		/* Digits to the top, '0' (leading zeros) shifted in below. */
		lo = jitsim_digits_load8_le(d->d) << (8 * (8 - n)) |
		     (0x30 * JITSIM_DIGITS_ONES8) >> (8 * n);
		if (!jitsim_digits_swar_all_decimal(lo))
			return 0;
		return (uint64_t)n << 56 | jitsim_digits_swar_value8(lo);
	}
	hi = jitsim_digits_load8_le(d->d);
	/* The last eight digits; the 16 - n that overlap @p hi become zeros. */
	lo = jitsim_digits_load8_le(d->d + n - 8);
	if (!jitsim_digits_swar_both_decimal(hi, lo))
		return 0;
	if (n == 8)
		return (uint64_t)n << 56 | jitsim_digits_swar_value8(hi);
	lo &= ~0ull << (8 * (16 - n));
	return (uint64_t)n << 56 | (jitsim_digits_swar_value8(hi) * jitsim_digits_pow10[n - 8] +
				    jitsim_digits_swar_value8(lo));
}

#endif /* JITSIM_PROTO_DIGITS_H */
