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

/**
 * @p v in decimal at @p o, as printf's %u (no NUL); where it ends. Two
 * digits per division, right to left into a scratch, then copied.
 */
static inline char *
jitsim_pktgen_put_u32(char *o, uint32_t v)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	char t[10], *q = t + sizeof(t);

	while (v >= 100) {
		q -= 2;
		memcpy(q, pairs + 2 * (v % 100), 2);
		v /= 100;
	}
	if (v >= 10) {
		q -= 2;
		memcpy(q, pairs + 2 * v, 2);
	} else {
		*--q = (char)('0' + v);
	}
	while (q < t + sizeof(t))
		*o++ = *q++;
	return o;
}

#endif /* JITSIM_PKTGEN_DECIMAL_H */
