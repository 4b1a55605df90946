/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_BYTES_H
#define JITSIM_PROTO_BYTES_H

/**
 * @file
 * Network byte order loads and stores. Loads do not check bounds: every
 * caller checks the remaining length first.
 */

#include <stdint.h>

/*
 * Big-endian stores used by every encoder. On little-endian hosts one
 * byte-swapped store each: GCC 12 merges the byte stores below, but builds
 * the merged value with a chain of shifts and ors (some thirty instructions
 * for a few neighbouring fields) instead of a byte swap.
 */
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__ && \
	(defined(__GNUC__) || defined(__clang__))
#define JITSIM_BYTES_SWAP 1
#endif

static inline void
jitsim_put_be16(uint8_t *p, uint16_t v)
{
#ifdef JITSIM_BYTES_SWAP
	v = __builtin_bswap16(v);
	__builtin_memcpy(p, &v, 2);
#else
	p[0] = v >> 8;
	p[1] = v;
#endif
}

static inline void
jitsim_put_be24(uint8_t *p, uint32_t v)
{
	p[0] = v >> 16;
	p[1] = v >> 8;
	p[2] = v;
}

static inline void
jitsim_put_be32(uint8_t *p, uint32_t v)
{
#ifdef JITSIM_BYTES_SWAP
	v = __builtin_bswap32(v);
	__builtin_memcpy(p, &v, 4);
#else
	p[0] = v >> 24;
	p[1] = v >> 16;
	p[2] = v >> 8;
	p[3] = v;
#endif
}

/** Big-endian loads used by every decoder (callers check bounds first). */
static inline uint16_t
jitsim_get_be16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static inline uint32_t
jitsim_get_be24(const uint8_t *p)
{
	return (uint32_t)p[0] << 16 | (uint32_t)p[1] << 8 | p[2];
}

static inline uint32_t
jitsim_get_be32(const uint8_t *p)
{
	return (uint32_t)p[0] << 24 | (uint32_t)p[1] << 16 | (uint32_t)p[2] << 8 | p[3];
}

#endif /* JITSIM_PROTO_BYTES_H */
