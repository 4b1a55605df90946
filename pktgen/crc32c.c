/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/sctp.h>

#include "crc32c.h"

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>
#include <wmmintrin.h>

/* Three runs from this length on; below, the combination costs more than it saves. */
#define X3_MIN 192
/* Longest run, 8-byte words: a third of the longest frame (encode.h's 4096 bytes). */
#define X3_WORDS_MAX (4096 / 24)

/* 0: the library's table; 1: SSE4.2; 2: SSE4.2 and three runs. -1: not chosen yet. */
static int level = -1;
/* x^(8n - 33) mod P for a run of n = 8w bytes (k1) and twice that (k2): see x3(). */
static uint64_t k1[X3_WORDS_MAX + 1], k2[X3_WORDS_MAX + 1];

/* The CRC32 instruction's register (no inversion) after @p len bytes from @p c. */
__attribute__((target("sse4.2"))) static uint64_t
steps(uint64_t c, const uint8_t *p, size_t len)
{
	/* 32 bytes per turn: the loop's own instructions cost as much as the CRC's. */
	for (; len >= 32; p += 32, len -= 32) {
		for (int k = 0; k < 4; k++) {
			uint64_t v;

			memcpy(&v, p + 8 * k, 8);
			c = _mm_crc32_u64(c, v);
		}
	}
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
	}
	/* An SCTP packet is whole 4-byte words (RFC 9260 3.2): one step, not a byte loop. */
	if (len >= 4) {
		uint32_t v;

		memcpy(&v, p, 4);
		c = _mm_crc32_u32((uint32_t)c, v);
		p += 4;
		len -= 4;
	}
	for (; len > 0; p++, len--)
		c = _mm_crc32_u8((uint32_t)c, *p);
	return c;
}

/*
 * 24w bytes from @p c as three runs of w words side by side. The register
 * after A || B || C is a x^(16w*8) + b x^(8w*8) + c, a, b, c each run's own
 * (b and c from 0). For a 32-bit r, CRC32(0, clmul(r, x^(8n - 33) mod P))
 * is r x^(8n) mod P: the multiplication's 64-bit product is the register
 * of 8 more bytes, which the instruction reduces; the 33 are those 32 bits
 * and the product's one-bit shift in the reflected order.
 */
__attribute__((target("sse4.2,pclmul"))) static uint64_t
x3(uint64_t c, const uint8_t *p, size_t w)
{
	const uint8_t *q = p + 8 * w, *r = p + 16 * w;
	uint64_t a = c, b = 0, d = 0, m;

	for (size_t i = 0; i < w; i++) {
		uint64_t va, vb, vd;

		memcpy(&va, p + 8 * i, 8);
		memcpy(&vb, q + 8 * i, 8);
		memcpy(&vd, r + 8 * i, 8);
		a = _mm_crc32_u64(a, va);
		b = _mm_crc32_u64(b, vb);
		d = _mm_crc32_u64(d, vd);
	}
	m = (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
		    _mm_cvtsi64_si128((long long)a), _mm_cvtsi64_si128((long long)k2[w]), 0)) ^
	    (uint64_t)_mm_cvtsi128_si64(_mm_clmulepi64_si128(
		    _mm_cvtsi64_si128((long long)b), _mm_cvtsi64_si128((long long)k1[w]), 0));
	/* The reduction is linear too: one instruction for both products. */
	return _mm_crc32_u64(0, m) ^ d;
}

/* @p r times x^@p j mod P, the polynomial in the reflected bit order. */
static uint32_t
times_x(uint32_t r, unsigned int j)
{
	while (j--)
		r = (r >> 1) ^ (r & 1 ? 0x82f63b78u : 0);
	return r;
}

/* The SCTP CRC32c of @p len (>= X3_MIN) bytes: three runs, then the tail in steps. */
static uint32_t
with_x3(const uint8_t *p, size_t len)
{
	size_t w = len / 24 > X3_WORDS_MAX ? X3_WORDS_MAX : len / 24;

	return ~(uint32_t)steps(x3(0xffffffffu, p, w), p + 24 * w, len - 24 * w);
}

/* Both ways on lengths around every boundary: the constants are right, or not used. */
static bool
x3_agrees(void)
{
	uint8_t buf[4096];
	uint64_t s = 0x9e3779b97f4a7c15ull;

	for (size_t i = 0; i < sizeof(buf); i++) {
		s = s * 6364136223846793005ull + 1442695040888963407ull;
		buf[i] = (uint8_t)(s >> 56);
	}
	for (size_t len = X3_MIN; len <= sizeof(buf); len += len < 700 ? 1 : 97)
		if (with_x3(buf, len) != jitsim_crc32c(buf, len))
			return false;
	return true;
}

static void
choose(void)
{
	uint32_t a, b;

	level = 0;
	if (!__builtin_cpu_supports("sse4.2"))
		return;
	level = 1;
	if (!__builtin_cpu_supports("pclmul"))
		return;
	/* n = 8w bytes: x^(64w - 33) and x^(128w - 33), from w = 1 by x^64 and x^128. */
	a = times_x(0x80000000u, 31);
	b = times_x(0x80000000u, 95);
	for (size_t w = 1; w <= X3_WORDS_MAX; w++) {
		k1[w] = a;
		k2[w] = b;
		a = times_x(a, 64);
		b = times_x(b, 128);
	}
	if (x3_agrees())
		level = 2;
}

uint32_t
jitsim_pktgen_crc32c(const uint8_t *p, size_t len)
{
	if (level < 0)
		choose();
	if (level == 0)
		return jitsim_crc32c(p, len);
	if (level == 2 && len >= X3_MIN)
		return with_x3(p, len);
	return ~(uint32_t)steps(0xffffffffu, p, len);
}

int
jitsim_pktgen_crc32c_way(void)
{
	if (level < 0)
		choose();
	return level;
}

#else

uint32_t
jitsim_pktgen_crc32c(const uint8_t *p, size_t len)
{
	return jitsim_crc32c(p, len);
}

int
jitsim_pktgen_crc32c_way(void)
{
	return 0;
}

#endif
