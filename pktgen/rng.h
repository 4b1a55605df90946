/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_RNG_H
#define JITSIM_PKTGEN_RNG_H

/**
 * @file
 * Deterministic pseudo-random numbers for jitsim-pktgen: xoshiro256**
 * (Blackman and Vigna, 2018) seeded through SplitMix64. Not cryptographic:
 * the point is that the same seed gives the same trace on every machine, so
 * only integer arithmetic is used where a result reaches the output (no libm
 * rounding differences between libcs).
 *
 * Independent streams (the traffic, each SIM's identity, the malformed
 * frames) are seeded from (seed, stream id) so that adding a draw to one
 * does not shift the others.
 *
 * Thread-safety: a generator belongs to one thread.
 */

#include <stdint.h>

struct jitsim_pktgen_rng {
	uint64_t s[4];
};

/** SplitMix64 finaliser: a good 64-bit mix, also used as a keyed hash. */
static inline uint64_t
jitsim_pktgen_mix64(uint64_t x)
{
	x += 0x9e3779b97f4a7c15ull;
	x = (x ^ (x >> 30)) * 0xbf58476d1ce4e5b9ull;
	x = (x ^ (x >> 27)) * 0x94d049bb133111ebull;
	return x ^ (x >> 31);
}

/** Hash of (a, b): deterministic per-item values without a generator. */
static inline uint64_t
jitsim_pktgen_hash2(uint64_t a, uint64_t b)
{
	return jitsim_pktgen_mix64(jitsim_pktgen_mix64(a) ^ (b * 0xd6e8feb86659fd93ull));
}

/** Seed stream @p stream of @p seed. */
void jitsim_pktgen_rng_seed(struct jitsim_pktgen_rng *r, uint64_t seed, uint64_t stream);

static inline uint64_t
jitsim_pktgen_rng_rotl(uint64_t x, int k)
{
	return (x << k) | (x >> (64 - k));
}

static inline uint64_t
jitsim_pktgen_rng_next(struct jitsim_pktgen_rng *r)
{
	uint64_t *s = r->s;
	uint64_t res = jitsim_pktgen_rng_rotl(s[1] * 5, 7) * 9;
	uint64_t t = s[1] << 17;

	s[2] ^= s[0];
	s[3] ^= s[1];
	s[1] ^= s[2];
	s[0] ^= s[3];
	s[2] ^= t;
	s[3] = jitsim_pktgen_rng_rotl(s[3], 45);
	return res;
}

/** Rejection path of jitsim_pktgen_rng_below() (rare: low product below n). */
uint64_t jitsim_pktgen_rng_below_slow(struct jitsim_pktgen_rng *r, uint64_t n, unsigned __int128 m);

/**
 * Uniform in [0, n) (n > 0), Lemire's multiply-shift with rejection. Inline:
 * it is drawn several times per frame; the rejection loop stays out of line.
 */
static inline uint64_t
jitsim_pktgen_rng_below(struct jitsim_pktgen_rng *r, uint64_t n)
{
	unsigned __int128 m;

	if (n <= 1)
		return 0;
	m = (unsigned __int128)jitsim_pktgen_rng_next(r) * n;
	if ((uint64_t)m < n)
		return jitsim_pktgen_rng_below_slow(r, n, m);
	return (uint64_t)(m >> 64);
}

/** Uniform in [lo, hi]. */
static inline uint64_t
jitsim_pktgen_rng_range(struct jitsim_pktgen_rng *r, uint64_t lo, uint64_t hi)
{
	return lo + jitsim_pktgen_rng_below(r, hi - lo + 1);
}

/** True with probability @p ppm / 1e6 (shares are kept in parts per million). */
static inline int
jitsim_pktgen_rng_chance(struct jitsim_pktgen_rng *r, uint32_t ppm)
{
	return jitsim_pktgen_rng_below(r, 1000000) < ppm;
}

/* -ln(U) in Q32 at 2^JITSIM_PKTGEN_EXP_BITS + 1 points (rng.c), filled on first use. */
#define JITSIM_PKTGEN_EXP_BITS 10
extern uint64_t jitsim_pktgen_exp_table[(1u << JITSIM_PKTGEN_EXP_BITS) + 1];
extern int jitsim_pktgen_exp_ready;

/** Linear interpolation in the table for U = @p u / 2^32, scaled to @p mean_ns. */
static inline uint64_t
jitsim_pktgen_exp_interp(uint64_t u, uint64_t mean_ns)
{
	const uint64_t *t = jitsim_pktgen_exp_table;
	uint64_t i = u >> (32 - JITSIM_PKTGEN_EXP_BITS);
	uint64_t f = u & ((1u << (32 - JITSIM_PKTGEN_EXP_BITS)) - 1);
	uint64_t v = t[i] - (((t[i] - t[i + 1]) * f) >> (32 - JITSIM_PKTGEN_EXP_BITS));

	return (uint64_t)(((unsigned __int128)v * mean_ns) >> 32);
}

/** The rest of jitsim_pktgen_rng_exp(): the table's first use, the first and last bins. */
uint64_t jitsim_pktgen_rng_exp_slow(uint64_t u, uint64_t mean_ns);

/**
 * Exponentially distributed interval of mean @p mean_ns (Poisson arrivals),
 * by the inverse CDF computed in 32-bit fixed point (no libm), so that the
 * result is identical on every platform. Inline: a few draws per frame. The
 * first call fills a process-wide table: make it from one thread before any
 * other (pktgen has one thread).
 */
static inline uint64_t
jitsim_pktgen_rng_exp(struct jitsim_pktgen_rng *r, uint64_t mean_ns)
{
	/* U in (0, 1] as a 32-bit fraction. */
	uint64_t u = (jitsim_pktgen_rng_next(r) >> 32) + 1, i = u >> (32 - JITSIM_PKTGEN_EXP_BITS);

	if (!jitsim_pktgen_exp_ready || i == 0 || i == (1u << JITSIM_PKTGEN_EXP_BITS))
		return jitsim_pktgen_rng_exp_slow(u, mean_ns);
	return jitsim_pktgen_exp_interp(u, mean_ns);
}

/** Index drawn from @p n weights (sum > 0). */
unsigned int jitsim_pktgen_rng_weighted(struct jitsim_pktgen_rng *r, const uint32_t *w,
					unsigned int n);

/** Most weights a jitsim_pktgen_wtab takes. */
#define JITSIM_PKTGEN_WTAB_MAX 32

/** Totals up to this many get a direct index table. */
#define JITSIM_PKTGEN_WTAB_LUT 1024

/**
 * Weights prepared for repeated draws: their running sums, so that a draw
 * neither adds them up again nor subtracts them one by one, and for small
 * totals (scenario weights are small integers) the index of every draw.
 */
struct jitsim_pktgen_wtab {
	unsigned int n;
	uint64_t sum;
	uint64_t cum[JITSIM_PKTGEN_WTAB_MAX]; /**< w[0] + ... + w[i] */
	uint8_t lut[JITSIM_PKTGEN_WTAB_LUT];  /**< sum <= its size: the index for each draw */
};

/** Prepare @p n (<= JITSIM_PKTGEN_WTAB_MAX) weights @p w. */
void jitsim_pktgen_wtab_init(struct jitsim_pktgen_wtab *t, const uint32_t *w, unsigned int n);

/**
 * The same index, from the same draws, as jitsim_pktgen_rng_weighted() with
 * the weights of @p t: the first whose running sum is above a uniform
 * draw below the total (no draw when the total is 0).
 */
static inline unsigned int
jitsim_pktgen_rng_wtab(struct jitsim_pktgen_rng *r, const struct jitsim_pktgen_wtab *t)
{
	uint64_t x;
	unsigned int i = 0;

	if (t->sum == 0)
		return 0;
	x = jitsim_pktgen_rng_below(r, t->sum);
	if (t->sum <= JITSIM_PKTGEN_WTAB_LUT)
		return t->lut[x];
	while (i + 1 < t->n && x >= t->cum[i])
		i++;
	return i;
}

#endif /* JITSIM_PKTGEN_RNG_H */
