/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include "rng.h"

void
jitsim_pktgen_rng_seed(struct jitsim_pktgen_rng *r, uint64_t seed, uint64_t stream)
{
	uint64_t x = jitsim_pktgen_hash2(seed, stream);

	/* SplitMix64 sequence: never all zero, as xoshiro requires. */
	for (int i = 0; i < 4; i++) {
		x += 0x9e3779b97f4a7c15ull;
		r->s[i] = jitsim_pktgen_mix64(x);
	}
}

uint64_t
jitsim_pktgen_rng_below_slow(struct jitsim_pktgen_rng *r, uint64_t n, unsigned __int128 m)
{
	uint64_t lo = (uint64_t)m, t = -n % n;

	while (lo < t) {
		m = (unsigned __int128)jitsim_pktgen_rng_next(r) * n;
		lo = (uint64_t)m;
	}
	return (uint64_t)(m >> 64);
}

static uint64_t
log2_frac_q32(uint64_t x_q32)
{
	uint64_t res = 0;

	for (int i = 31; i >= 0; i--) {
		x_q32 = (uint64_t)(((unsigned __int128)x_q32 * x_q32) >> 32);
		if (x_q32 >= (2ull << 32)) {
			x_q32 >>= 1;
			res |= 1ull << i;
		}
	}
	return res;
}

/* -ln(U) in Q32 for U in (0, 1] given as a Q32 fraction (1 .. 2^32). */
static uint64_t
neg_ln_q32(uint64_t u)
{
	int e = 0;
	uint64_t l2_q32, ln_q32;

	/* Normalise u (Q32, <= 1) into [1, 2) * 2^-e. */
	while (u < (1ull << 32)) {
		u <<= 1;
		e++;
	}
	if (u >= (2ull << 32)) /* u was exactly 1.0 */
		return 0;
	l2_q32 = ((uint64_t)e << 32) - log2_frac_q32(u);
	/* ln 2 in Q32 = 2977044472 */
	ln_q32 = (uint64_t)(((unsigned __int128)l2_q32 * 2977044472u) >> 32);
	return ln_q32;
}

/*
 * -ln(U) at 1024 evenly spaced U, computed once with the exact integer
 * code above (so the table, like everything else, is the same everywhere);
 * draws interpolate linearly between two entries. The first bin, where
 * -ln(U) is steep (U < 1/1024, one draw in a thousand), uses the exact code.
 */
#define EXP_BITS 10
static uint64_t exp_table[(1u << EXP_BITS) + 1];
static int exp_table_ready;

static void
exp_table_init(void)
{
	for (uint64_t i = 1; i <= (1u << EXP_BITS); i++)
		exp_table[i] = neg_ln_q32(i << (32 - EXP_BITS));
	exp_table_ready = 1;
}

uint64_t
jitsim_pktgen_rng_exp(struct jitsim_pktgen_rng *r, uint64_t mean_ns)
{
	/* U in (0, 1] as a 32-bit fraction. */
	uint64_t u = (jitsim_pktgen_rng_next(r) >> 32) + 1, i, f, v;

	if (!exp_table_ready)
		exp_table_init();
	i = u >> (32 - EXP_BITS);
	if (i == 0 || i == (1u << EXP_BITS)) {
		v = neg_ln_q32(u);
	} else {
		f = u & ((1u << (32 - EXP_BITS)) - 1);
		v = exp_table[i] - (((exp_table[i] - exp_table[i + 1]) * f) >> (32 - EXP_BITS));
	}
	return (uint64_t)(((unsigned __int128)v * mean_ns) >> 32);
}

unsigned int
jitsim_pktgen_rng_weighted(struct jitsim_pktgen_rng *r, const uint32_t *w, unsigned int n)
{
	uint64_t sum = 0, x;

	for (unsigned int i = 0; i < n; i++)
		sum += w[i];
	if (sum == 0)
		return 0;
	x = jitsim_pktgen_rng_below(r, sum);
	for (unsigned int i = 0; i < n; i++) {
		if (x < w[i])
			return i;
		x -= w[i];
	}
	return n - 1;
}
