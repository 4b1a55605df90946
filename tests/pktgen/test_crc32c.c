/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * pktgen's SCTP checksum (pktgen/crc32c.h) against the codec library's
 * table-driven jitsim_crc32c() and the published check values: every
 * length up to a jumbo frame, every alignment, and on a CPU with SSE4.2
 * and PCLMULQDQ the three-run way must be the one in use.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/sctp.h>

#include "crc32c.h"

static uint8_t buf[4096 + 8];

static void
fill(uint64_t seed)
{
	for (size_t i = 0; i < sizeof(buf); i++) {
		seed = seed * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(seed >> 56);
	}
}

/* RFC 3720 B.4 (32 zero bytes) and the CRC catalogue's "123456789". */
static void
test_check_values(void **state)
{
	static const uint8_t zeros[32];

	(void)state;
	assert_int_equal(jitsim_pktgen_crc32c(zeros, sizeof(zeros)), 0x8a9136aau);
	assert_int_equal(jitsim_pktgen_crc32c((const uint8_t *)"123456789", 9), 0xe3069283u);
	assert_int_equal(jitsim_pktgen_crc32c(zeros, 0), 0u);
}

static void
test_every_length_and_alignment(void **state)
{
	(void)state;
	for (uint64_t seed = 1; seed <= 3; seed++) {
		fill(seed);
		for (size_t off = 0; off < 8; off++)
			for (size_t len = 0; len + off <= sizeof(buf); len += len < 1600 ? 1 : 61)
				assert_int_equal(jitsim_pktgen_crc32c(buf + off, len),
						 jitsim_crc32c(buf + off, len));
	}
}

/* One bit flipped anywhere in a long packet changes the sum (each run is covered). */
static void
test_bit_flips(void **state)
{
	uint32_t want;

	(void)state;
	fill(7);
	want = jitsim_pktgen_crc32c(buf, 600);
	for (size_t i = 0; i < 600; i += 7) {
		buf[i] ^= 0x10;
		assert_int_not_equal(jitsim_pktgen_crc32c(buf, 600), want);
		assert_int_equal(jitsim_pktgen_crc32c(buf, 600), jitsim_crc32c(buf, 600));
		buf[i] ^= 0x10;
	}
}

static void
test_way(void **state)
{
	(void)state;
#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
	if (__builtin_cpu_supports("sse4.2") && __builtin_cpu_supports("pclmul")) {
		assert_int_equal(jitsim_pktgen_crc32c_way(), 2);
		return;
	}
#endif
	assert_in_range(jitsim_pktgen_crc32c_way(), 0, 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_check_values),
		cmocka_unit_test(test_every_length_and_alignment),
		cmocka_unit_test(test_bit_flips),
		cmocka_unit_test(test_way),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
