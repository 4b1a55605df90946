/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/digits.h>

/* TBCD nibble values (TS 29.002 17.7.8 TBCD-STRING, TS 24.008 Table 10.5.118). */
static const char nibble_char[16] = "0123456789*#abc?";

/* The octet table of digits.h (jitsim_digits_octet_tab), built at compile time. */
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
#define ENTRY(c0, c1, fill) ((uint32_t)(c0) << 24 | (uint32_t)(c1) << 16 | (uint32_t)(fill))
#else
#define ENTRY(c0, c1, fill) ((uint32_t)(c0) | (uint32_t)(c1) << 8 | (uint32_t)(fill) << 16)
#endif

/* clang-format off */
#define NC(v) ((v) < 10 ? '0' + (v) : (v) == 10 ? '*' : (v) == 11 ? '#' : (v) == 15 ? '?' : \
	       'a' + (v) - 12)
#define OCT(o) ENTRY(NC((o) & 15), NC((o) >> 4), \
		     (((o) & 15) == 15 ? 1 : 0) | ((o) >> 4 == 15 ? 2 : 0))
#define ROW(h) OCT(h * 16 + 0), OCT(h * 16 + 1), OCT(h * 16 + 2), OCT(h * 16 + 3), \
	OCT(h * 16 + 4), OCT(h * 16 + 5), OCT(h * 16 + 6), OCT(h * 16 + 7), \
	OCT(h * 16 + 8), OCT(h * 16 + 9), OCT(h * 16 + 10), OCT(h * 16 + 11), \
	OCT(h * 16 + 12), OCT(h * 16 + 13), OCT(h * 16 + 14), OCT(h * 16 + 15)
const uint32_t jitsim_digits_octet_tab[256] = {
	ROW(0), ROW(1), ROW(2), ROW(3), ROW(4), ROW(5), ROW(6), ROW(7),
	ROW(8), ROW(9), ROW(10), ROW(11), ROW(12), ROW(13), ROW(14), ROW(15),
};
/* clang-format on */

#define OCTETS_MAX JITSIM_DIGITS_OCTETS_MAX

static inline void
digits_empty(struct jitsim_digits *out)
{
	out->n = 0;
	out->d[0] = '\0';
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
	if (__builtin_expect(len == 0, 0)) {
		digits_empty(out);
		return JITSIM_R_OK;
	}
	if (__builtin_expect(len > OCTETS_MAX, 0))
		return tbcd_decode_long(p, len, out);
	/* 1 <= len <= OCTETS_MAX: the inline body does not come back here. */
	return jitsim_tbcd_decode_inline(p, len, out);
}

enum jitsim_reason
jitsim_bcd_decode(const uint8_t *p, size_t len, int odd, struct jitsim_digits *out)
{
	return jitsim_bcd_decode_inline(p, len, odd, out);
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

int
jitsim_digits_key_format(uint64_t key, char *buf, size_t size)
{
	unsigned int n = (unsigned int)(key >> 56);
	uint64_t v = key & ((1ull << 56) - 1);

	if (n == 0 || n > 16 || size < (size_t)n + 1)
		return -1;
	buf[n] = '\0';
	for (unsigned int i = n; i > 0; i--) {
		buf[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
	/* Digits left over: more value than the count allows. */
	return v == 0 ? (int)n : -1;
}

const uint64_t jitsim_digits_pow10[9] = {1,	 10,	  100,	    1000,     10000,
					 100000, 1000000, 10000000, 100000000};

/* Called for every message (IMSI, MSISDN): see jitsim_digits_key_inline(). */
uint64_t
jitsim_digits_key(const struct jitsim_digits *d)
{
	return jitsim_digits_key_inline(d);
}

void
jitsim_digits_set(struct jitsim_digits *out, const char *s)
{
	size_t n = strnlen(s, JITSIM_DIGITS_MAX);

	memcpy(out->d, s, n);
	out->d[n] = '\0';
	out->n = (uint8_t)n;
}
