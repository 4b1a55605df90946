/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/digits.h>

/* TBCD nibble values (TS 29.002 17.7.8 TBCD-STRING, TS 24.008 Table 10.5.118). */
static const char nibble_char[16] = "0123456789*#abc?";

static enum jitsim_reason
put_nibble(struct jitsim_digits *out, uint8_t v)
{
	if (out->n >= JITSIM_DIGITS_MAX)
		return JITSIM_R_BAD_LENGTH;
	out->d[out->n++] = nibble_char[v];
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_tbcd_decode(const uint8_t *p, size_t len, struct jitsim_digits *out)
{
	out->n = 0;
	out->d[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		uint8_t lo = p[i] & 0x0f, hi = p[i] >> 4;
		enum jitsim_reason r;

		if (lo == 0x0f)
			goto bad;
		r = put_nibble(out, lo);
		if (r != JITSIM_R_OK)
			goto fail;
		if (hi == 0x0f) {
			/* Filler: only allowed in the very last octet. */
			if (i + 1 != len)
				goto bad;
			break;
		}
		r = put_nibble(out, hi);
		if (r != JITSIM_R_OK)
			goto fail;
	}
	out->d[out->n] = '\0';
	return JITSIM_R_OK;
bad:
	out->n = 0;
	out->d[0] = '\0';
	return JITSIM_R_MAP_BAD_DIGITS;
fail:
	out->n = 0;
	out->d[0] = '\0';
	return JITSIM_R_BAD_LENGTH;
}

enum jitsim_reason
jitsim_bcd_decode(const uint8_t *p, size_t len, int odd, struct jitsim_digits *out)
{
	out->n = 0;
	out->d[0] = '\0';
	for (size_t i = 0; i < len; i++) {
		bool last = i + 1 == len;

		if (put_nibble(out, p[i] & 0x0f) != JITSIM_R_OK)
			goto fail;
		/* Q.713 3.4.2.3.1: with an odd count the last high nibble is filler. */
		if (last && odd)
			break;
		if (put_nibble(out, p[i] >> 4) != JITSIM_R_OK)
			goto fail;
	}
	out->d[out->n] = '\0';
	return JITSIM_R_OK;
fail:
	out->n = 0;
	out->d[0] = '\0';
	return JITSIM_R_BAD_LENGTH;
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
		if (s[n] < '0' || s[n] > '9' || n >= 16)
			return 0;
		v = v * 10 + (uint64_t)(s[n] - '0');
	}
	if (n == 0)
		return 0;
	/* 10^16 < 2^56: the count fits in the top byte without overlap. */
	return (uint64_t)n << 56 | v;
}

uint64_t
jitsim_digits_key(const struct jitsim_digits *d)
{
	if (d->n == 0 || d->n > 16)
		return 0;
	return jitsim_digits_key_str(d->d);
}

void
jitsim_digits_set(struct jitsim_digits *out, const char *s)
{
	size_t n = strnlen(s, JITSIM_DIGITS_MAX);

	memcpy(out->d, s, n);
	out->d[n] = '\0';
	out->n = (uint8_t)n;
}
