/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * pktgen's printf-free decimals (pktgen/decimal.h) against snprintf("%u"):
 * every power of ten and its neighbours, every power of two and its
 * neighbours, the ends of the range and a million pseudo-random values.
 * The digits must be printf's and nothing may be written past them.
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include "decimal.h"

static void
check(uint32_t v)
{
	char want[16], got[16];
	int n = snprintf(want, sizeof(want), "%u", v);
	char *end;

	memset(got, '#', sizeof(got));
	end = jitsim_pktgen_put_u32(got, v);
	assert_int_equal(end - got, n);
	assert_int_equal(jitsim_pktgen_dec_len(v), n);
	assert_memory_equal(got, want, (size_t)n);
	for (size_t i = (size_t)n; i < sizeof(got); i++)
		assert_int_equal(got[i], '#');
}

static void
test_edges(void **state)
{
	uint64_t p = 1;

	(void)state;
	check(0);
	check(UINT32_MAX);
	check(UINT32_MAX - 1);
	for (unsigned int i = 0; i <= 9; i++, p *= 10) {
		check((uint32_t)p);
		check((uint32_t)(p - 1));
		check((uint32_t)(p + 1));
	}
	for (unsigned int b = 0; b < 32; b++) {
		check(1u << b);
		check((1u << b) - 1);
		check((1u << b) + 1);
	}
}

static void
test_random(void **state)
{
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	for (unsigned int i = 0; i < 1000000; i++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		/* Every length alike: a random value shifted down by 0-31 bits. */
		check((uint32_t)(x >> 32) >> (x & 31));
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_edges),
		cmocka_unit_test(test_random),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
