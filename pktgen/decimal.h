/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_DECIMAL_H
#define JITSIM_PKTGEN_DECIMAL_H

/**
 * @file
 * Decimal numbers for the frames and the ground truth, without printf:
 * per message, snprintf cost more than the rest of a Session-Id, and per
 * ground-truth line more than the rest of the line.
 *
 * Thread-safety: pure functions.
 */

#include <stdint.h>
#include <string.h>

/** How many decimal digits printf's %u gives for @p v (1 for 0). */
static inline unsigned int
jitsim_pktgen_dec_len(uint32_t v)
{
	/* p[t] = 10^t, but p[0] = 0: 0 and 1 both have one digit. */
	static const uint32_t p[10] = {0,      10,	100,	  1000,	     10000,
				       100000, 1000000, 10000000, 100000000, 1000000000};
	/* floor(log10(2^bits)), exact for bits <= 32: v has t or t + 1 digits. */
	unsigned int t = ((32u - (unsigned int)__builtin_clz(v | 1u)) * 1233u) >> 12;

	return t + (v >= p[t]);
}

/**
 * @p v in decimal at @p o, as printf's %u (no NUL); where it ends. The
 * length first, then two digits per division, right to left in place.
 */
static inline char *
jitsim_pktgen_put_u32(char *o, uint32_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char *end = o + jitsim_pktgen_dec_len(v), *q = end;

	while (v >= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10)
		memcpy(q - 2, pairs + 2 * v, 2);
	else
		q[-1] = (char)('0' + v);
	return end;
}

#endif /* JITSIM_PKTGEN_DECIMAL_H */
