/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>

#include "test_util.h"

struct pick {
	unsigned int want;
	uint8_t *buf;
	size_t len;
};

static void
pick_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct pick *pk = ctx;

	(void)dlt;
	if (no != pk->want)
		return;
	pk->buf = malloc(len ? len : 1);
	assert_non_null(pk->buf);
	memcpy(pk->buf, p, len);
	pk->len = len;
}

static enum jitsim_reason
tbcd_hex(const char *hex, struct jitsim_digits *d)
{
	uint8_t b[64];
	size_t n = test_hex(hex, b, sizeof(b));

	return jitsim_tbcd_decode(b, n, d);
}

static enum jitsim_reason
bcd_hex(const char *hex, int odd, struct jitsim_digits *d)
{
	uint8_t b[64];
	size_t n = test_hex(hex, b, sizeof(b));

	return jitsim_bcd_decode(b, n, odd, d);
}

/* ---- TBCD decode --------------------------------------------------------- */

/*
 * map_pcapr_lu_ul.pcap frame 1: the UpdateLocation IMSI OCTET STRING
 * (30 16 04 08 ...), tshark e212.imsi 001011356567851: 15 digits, 0xF
 * filler in the last high nibble.
 */
static void
test_tbcd_imsi_from_capture(void **state)
{
	struct pick pk = {.want = 1};
	struct jitsim_digits d;
	const uint8_t *imsi = NULL;

	(void)state;
	test_capture_foreach("map_pcapr_lu_ul.pcap", pick_cb, &pk);
	assert_non_null(pk.buf);
	for (size_t i = 0; i + 12 <= pk.len; i++)
		if (memcmp(pk.buf + i, "\x30\x16\x04\x08", 4) == 0) {
			imsi = pk.buf + i + 4;
			break;
		}
	assert_non_null(imsi);
	assert_int_equal(jitsim_tbcd_decode(imsi, 8, &d), JITSIM_R_OK);
	assert_int_equal(d.n, 15);
	assert_string_equal(d.d, "001011356567851");
	assert_int_equal(jitsim_digits_key(&d), (uint64_t)15 << 56 | 1011356567851ull);
	free(pk.buf);
}

static void
test_tbcd_even_and_filler(void **state)
{
	struct jitsim_digits d;

	(void)state;
	assert_int_equal(tbcd_hex("21436587", &d), JITSIM_R_OK);
	assert_int_equal(d.n, 8);
	assert_string_equal(d.d, "12345678");
	assert_int_equal(tbcd_hex("21f3", &d), JITSIM_R_OK);
	assert_string_equal(d.d, "123");
	assert_int_equal(d.n, 3);
	assert_int_equal(tbcd_hex("", &d), JITSIM_R_OK);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.d, "");
	/* One digit and its filler. */
	assert_int_equal(tbcd_hex("f9", &d), JITSIM_R_OK);
	assert_string_equal(d.d, "9");
	/* Nibbles 0xA-0xE (TS 24.008 Table 10.5.118): * # a b c. */
	assert_int_equal(tbcd_hex("badcfe", &d), JITSIM_R_OK);
	assert_string_equal(d.d, "*#abc");
}

static void
test_tbcd_bad_filler(void **state)
{
	struct jitsim_digits d;

	(void)state;
	/* Filler in a high nibble that is not the last one. */
	assert_int_equal(tbcd_hex("f121", &d), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.d, "");
	/* 0xF in a low nibble, anywhere. */
	assert_int_equal(tbcd_hex("1f21", &d), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(tbcd_hex("212f", &d), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(tbcd_hex("21ff", &d), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(tbcd_hex("ff", &d), JITSIM_R_MAP_BAD_DIGITS);
	assert_string_equal(d.d, "");
}

static void
test_tbcd_limits(void **state)
{
	struct jitsim_digits d;
	uint8_t b[17];

	(void)state;
	memset(b, 0x99, sizeof(b));
	/* 16 octets: 32 digits, exactly JITSIM_DIGITS_MAX. */
	assert_int_equal(jitsim_tbcd_decode(b, 16, &d), JITSIM_R_OK);
	assert_int_equal(d.n, JITSIM_DIGITS_MAX);
	assert_int_equal(strlen(d.d), JITSIM_DIGITS_MAX);
	assert_int_equal(jitsim_digits_key(&d), 0); /* > 16 digits: no key */
	/* 16 octets with a filler: 31 digits. */
	b[15] = 0xf9;
	assert_int_equal(jitsim_tbcd_decode(b, 16, &d), JITSIM_R_OK);
	assert_int_equal(d.n, 31);
	/* 17 octets overflow: the output is left empty. */
	b[15] = 0x99;
	assert_int_equal(jitsim_tbcd_decode(b, 17, &d), JITSIM_R_BAD_LENGTH);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.d, "");
	/* ... even when the 33rd digit is the last one before a filler. */
	b[16] = 0xf9;
	assert_int_equal(jitsim_tbcd_decode(b, 17, &d), JITSIM_R_BAD_LENGTH);
}

/* ---- BCD (SCCP global titles) --------------------------------------------- */

static void
test_bcd_odd_even(void **state)
{
	struct jitsim_digits d;

	(void)state;
	/* Q.713 3.4.2.3.1: odd count, the last high nibble is filler. */
	assert_int_equal(bcd_hex("214305", 1, &d), JITSIM_R_OK);
	assert_string_equal(d.d, "12345");
	assert_int_equal(d.n, 5);
	assert_int_equal(bcd_hex("214305", 0, &d), JITSIM_R_OK);
	assert_string_equal(d.d, "123450");
	assert_int_equal(d.n, 6);
	/* Calling GT digits of map_pcapr_lu_ul.pcap frame 1 (ES even): 44 11 22. */
	assert_int_equal(bcd_hex("441122", 0, &d), JITSIM_R_OK);
	assert_string_equal(d.d, "441122");
	assert_int_equal(bcd_hex("", 1, &d), JITSIM_R_OK);
	assert_int_equal(d.n, 0);
}

static void
test_bcd_limits(void **state)
{
	struct jitsim_digits d;
	uint8_t b[17];

	(void)state;
	memset(b, 0x21, sizeof(b));
	assert_int_equal(jitsim_bcd_decode(b, 16, 0, &d), JITSIM_R_OK);
	assert_int_equal(d.n, 32);
	assert_int_equal(jitsim_bcd_decode(b, 16, 1, &d), JITSIM_R_OK);
	assert_int_equal(d.n, 31);
	assert_int_equal(jitsim_bcd_decode(b, 17, 1, &d), JITSIM_R_BAD_LENGTH);
	assert_int_equal(d.n, 0);
	assert_string_equal(d.d, "");
	assert_int_equal(jitsim_bcd_decode(b, 17, 0, &d), JITSIM_R_BAD_LENGTH);
}

/* ---- TBCD encode ------------------------------------------------------------ */

static void
test_tbcd_encode(void **state)
{
	struct jitsim_digits d;
	uint8_t out[20];

	(void)state;
	assert_int_equal(jitsim_tbcd_encode("12345", out, sizeof(out)), 3);
	assert_memory_equal(out, "\x21\x43\xf5", 3);
	assert_int_equal(jitsim_tbcd_encode("1234", out, sizeof(out)), 2);
	assert_memory_equal(out, "\x21\x43", 2);
	assert_int_equal(jitsim_tbcd_encode("", out, sizeof(out)), 0);
	assert_int_equal(jitsim_tbcd_encode("*#abc", out, sizeof(out)), 3);
	assert_memory_equal(out, "\xba\xdc\xfe", 3);
	/* Capacity: exactly enough, one short. */
	assert_int_equal(jitsim_tbcd_encode("12345", out, 3), 3);
	assert_int_equal(jitsim_tbcd_encode("12345", out, 2), -1);
	assert_int_equal(jitsim_tbcd_encode("1", out, 0), -1);
	/* Not encodable: letters outside a-c, '?', filler digits. */
	assert_int_equal(jitsim_tbcd_encode("12x4", out, sizeof(out)), -1);
	assert_int_equal(jitsim_tbcd_encode("1?", out, sizeof(out)), -1);
	assert_int_equal(jitsim_tbcd_encode("d", out, sizeof(out)), -1);

	/* Round trip of an IMSI. */
	assert_int_equal(jitsim_tbcd_encode("001011356567851", out, sizeof(out)), 8);
	assert_memory_equal(out, "\x00\x01\x11\x53\x56\x76\x58\xf1", 8);
	assert_int_equal(jitsim_tbcd_decode(out, 8, &d), JITSIM_R_OK);
	assert_string_equal(d.d, "001011356567851");
}

/* ---- keys ---------------------------------------------------------------------- */

static void
test_keys(void **state)
{
	struct jitsim_digits d;

	(void)state;
	/* Leading zeros count: "001" and "1" never collide. */
	assert_int_equal(jitsim_digits_key_str("1"), (uint64_t)1 << 56 | 1);
	assert_int_equal(jitsim_digits_key_str("001"), (uint64_t)3 << 56 | 1);
	assert_int_not_equal(jitsim_digits_key_str("001"), jitsim_digits_key_str("1"));
	assert_int_not_equal(jitsim_digits_key_str("0"), jitsim_digits_key_str("00"));
	assert_int_not_equal(jitsim_digits_key_str("0"), 0);
	/* 16 digits is the longest with a key; 17 has none. */
	assert_int_equal(jitsim_digits_key_str("9999999999999999"),
			 (uint64_t)16 << 56 | 9999999999999999ull);
	assert_int_equal(jitsim_digits_key_str("99999999999999999"), 0);
	assert_int_equal(jitsim_digits_key_str("0000000000000000"), (uint64_t)16 << 56);
	/* Empty or non-decimal: no key. */
	assert_int_equal(jitsim_digits_key_str(""), 0);
	assert_int_equal(jitsim_digits_key_str("12a"), 0);
	assert_int_equal(jitsim_digits_key_str("*1"), 0);
	assert_int_equal(jitsim_digits_key_str("1 2"), 0);

	jitsim_digits_set(&d, "001011356567851");
	assert_int_equal(jitsim_digits_key(&d), jitsim_digits_key_str("001011356567851"));
	jitsim_digits_set(&d, "");
	assert_int_equal(jitsim_digits_key(&d), 0);
	jitsim_digits_set(&d, "12345678901234567");
	assert_int_equal(d.n, 17);
	assert_int_equal(jitsim_digits_key(&d), 0);
}

/*
 * jitsim_digits_key() reads eight digits at a time: every count 1..16,
 * with a non-digit at every position, against the one-digit-at-a-time
 * jitsim_digits_key_str().
 */
static void
test_keys_every_length(void **state)
{
	static const char bad[] = {'*', '#', 'a', '/', ':', '\x80'};
	struct jitsim_digits d;
	char s[JITSIM_DIGITS_MAX + 1];

	(void)state;
	for (unsigned int n = 1; n <= 18; n++) {
		for (unsigned int i = 0; i < n; i++)
			s[i] = (char)('0' + (i * 7 + n) % 10);
		s[n] = '\0';
		memset(&d, 0x5a, sizeof(d));
		jitsim_digits_set(&d, s);
		assert_int_equal(jitsim_digits_key(&d), jitsim_digits_key_str(s));
		assert_int_equal(jitsim_digits_key(&d) != 0, n <= 16);
		for (unsigned int i = 0; i < n; i++) {
			for (size_t b = 0; b < sizeof(bad); b++) {
				char keep = s[i];

				s[i] = bad[b];
				jitsim_digits_set(&d, s);
				assert_int_equal(jitsim_digits_key(&d), 0);
				assert_int_equal(jitsim_digits_key_str(s), 0);
				s[i] = keep;
			}
		}
	}
	jitsim_digits_set(&d, "9999999999999999");
	assert_int_equal(jitsim_digits_key(&d), (uint64_t)16 << 56 | 9999999999999999ull);
	jitsim_digits_set(&d, "12345678");
	assert_int_equal(jitsim_digits_key(&d), (uint64_t)8 << 56 | 12345678);
	jitsim_digits_set(&d, "123456789");
	assert_int_equal(jitsim_digits_key(&d), (uint64_t)9 << 56 | 123456789);
}

/* Nibble by nibble, as TS 29.002 17.7.8 / Q.713 3.4.2.3 describe it. */
static enum jitsim_reason
ref_decode(const uint8_t *p, size_t len, int tbcd, int odd, char *out, size_t *n)
{
	static const char c[] = "0123456789*#abc?";

	*n = 0;
	for (size_t i = 0; i < len; i++) {
		uint8_t lo = p[i] & 0x0f, hi = p[i] >> 4;
		bool last = i + 1 == len;

		if (tbcd && lo == 0x0f)
			return JITSIM_R_MAP_BAD_DIGITS;
		if (*n == JITSIM_DIGITS_MAX)
			return JITSIM_R_BAD_LENGTH;
		out[(*n)++] = c[lo];
		if (tbcd && hi == 0x0f) {
			if (!last)
				return JITSIM_R_MAP_BAD_DIGITS;
			break;
		}
		if (!tbcd && last && odd)
			break;
		if (*n == JITSIM_DIGITS_MAX)
			return JITSIM_R_BAD_LENGTH;
		out[(*n)++] = c[hi];
	}
	out[*n] = '\0';
	return JITSIM_R_OK;
}

/* The table-driven decoders, every length 0..18, fillers everywhere. */
static void
test_decode_every_length(void **state)
{
	static const uint8_t fill[] = {0x21, 0xf3, 0x3f, 0xff, 0xab, 0xf0, 0x0f};
	char want[64];
	struct jitsim_digits d;
	uint8_t b[18];
	size_t n;

	(void)state;
	for (size_t len = 0; len <= sizeof(b); len++) {
		for (size_t at = 0; at <= len; at++) {
			for (size_t f = 0; f < sizeof(fill); f++) {
				enum jitsim_reason r;

				for (size_t i = 0; i < len; i++)
					b[i] = (uint8_t)(0x10 * ((i * 3) % 10) +
							 (i * 7 + len) % 10);
				if (at < len)
					b[at] = fill[f];
				r = ref_decode(b, len, 1, 0, want, &n);
				memset(&d, 0x5a, sizeof(d));
				assert_int_equal(jitsim_tbcd_decode(b, len, &d), r);
				assert_int_equal(d.n, r == JITSIM_R_OK ? n : 0);
				assert_string_equal(d.d, r == JITSIM_R_OK ? want : "");
				for (int odd = 0; odd < 2; odd++) {
					r = ref_decode(b, len, 0, odd, want, &n);
					memset(&d, 0x5a, sizeof(d));
					assert_int_equal(jitsim_bcd_decode(b, len, odd, &d), r);
					assert_int_equal(d.n, r == JITSIM_R_OK ? n : 0);
					assert_string_equal(d.d, r == JITSIM_R_OK ? want : "");
				}
			}
		}
	}
}

static void
test_digits_set(void **state)
{
	const char *long40 = "1234567890123456789012345678901234567890";
	struct jitsim_digits d;

	(void)state;
	jitsim_digits_set(&d, "4711");
	assert_int_equal(d.n, 4);
	assert_string_equal(d.d, "4711");
	/* Truncated to JITSIM_DIGITS_MAX, still NUL-terminated. */
	jitsim_digits_set(&d, long40);
	assert_int_equal(d.n, JITSIM_DIGITS_MAX);
	assert_int_equal(strlen(d.d), JITSIM_DIGITS_MAX);
	assert_memory_equal(d.d, long40, JITSIM_DIGITS_MAX);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_tbcd_imsi_from_capture),
		cmocka_unit_test(test_tbcd_even_and_filler),
		cmocka_unit_test(test_tbcd_bad_filler),
		cmocka_unit_test(test_tbcd_limits),
		cmocka_unit_test(test_bcd_odd_even),
		cmocka_unit_test(test_bcd_limits),
		cmocka_unit_test(test_tbcd_encode),
		cmocka_unit_test(test_keys),
		cmocka_unit_test(test_keys_every_length),
		cmocka_unit_test(test_decode_every_length),
		cmocka_unit_test(test_digits_set),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
