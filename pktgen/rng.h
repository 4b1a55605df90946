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

/**
 * Exponentially distributed interval of mean @p mean_ns (Poisson arrivals),
 * by the inverse CDF computed in 32-bit fixed point (no libm), so that the
 * result is identical on every platform. The first call fills a process-wide
 * table: make it from one thread before any other (pktgen has one thread).
 */
uint64_t jitsim_pktgen_rng_exp(struct jitsim_pktgen_rng *r, uint64_t mean_ns);

/** Index drawn from @p n weights (sum > 0). */
unsigned int jitsim_pktgen_rng_weighted(struct jitsim_pktgen_rng *r, const uint32_t *w,
					unsigned int n);

#endif /* JITSIM_PKTGEN_RNG_H */
