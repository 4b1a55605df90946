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
 * draws interpolate linearly between two entries (rng.h). The first bin,
 * where -ln(U) is steep (U < 1/1024, one draw in a thousand), uses the
 * exact code.
 */
uint64_t jitsim_pktgen_exp_table[(1u << JITSIM_PKTGEN_EXP_BITS) + 1];
int jitsim_pktgen_exp_ready;

uint64_t
jitsim_pktgen_rng_exp_slow(uint64_t u, uint64_t mean_ns)
{
	uint64_t i = u >> (32 - JITSIM_PKTGEN_EXP_BITS);

	if (!jitsim_pktgen_exp_ready) {
		for (uint64_t k = 1; k <= (1u << JITSIM_PKTGEN_EXP_BITS); k++)
			jitsim_pktgen_exp_table[k] = neg_ln_q32(k << (32 - JITSIM_PKTGEN_EXP_BITS));
		jitsim_pktgen_exp_ready = 1;
	}
	if (i == 0 || i == (1u << JITSIM_PKTGEN_EXP_BITS))
		return (uint64_t)(((unsigned __int128)neg_ln_q32(u) * mean_ns) >> 32);
	return jitsim_pktgen_exp_interp(u, mean_ns);
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

void
jitsim_pktgen_wtab_init(struct jitsim_pktgen_wtab *t, const uint32_t *w, unsigned int n)
{
	uint64_t sum = 0;

	if (n > JITSIM_PKTGEN_WTAB_MAX)
		n = JITSIM_PKTGEN_WTAB_MAX;
	t->n = n;
	for (unsigned int i = 0; i < n; i++) {
		sum += w[i];
		t->cum[i] = sum;
	}
	t->sum = sum;
	/* Scenario weights are small integers: most totals fit the table. */
	for (uint64_t x = 0, i = 0; x < sum && x < JITSIM_PKTGEN_WTAB_LUT; x++) {
		while (i + 1 < n && x >= t->cum[i])
			i++;
		t->lut[x] = (uint8_t)i;
	}
}
