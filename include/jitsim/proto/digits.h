/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_DIGITS_H
#define JITSIM_PROTO_DIGITS_H

/**
 * @file
 * Digit strings (IMSI, MSISDN, global titles) and their compact keys.
 *
 * TBCD (3GPP TS 29.002 17.7.8, TS 24.008 10.5.1.4): two digits per octet,
 * low nibble first, 0xF filler in the last high nibble. Digits are decoded
 * into a small fixed array held by the caller: no allocation.
 *
 * The compact key is what the dataplane tables are keyed by: the decimal
 * value of the digits with the digit count in the top byte, so that "001"
 * and "1" never collide. Only strings of 1..16 decimal digits have a key.
 *
 * Thread-safety: pure functions.
 */

#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>

/** Longest digit string kept (global titles can exceed E.164's 15). */
#define JITSIM_DIGITS_MAX 32

struct jitsim_digits {
	uint8_t n;		       /**< number of digits */
	char d[JITSIM_DIGITS_MAX + 1]; /**< ASCII '0'-'9', '*', '#', 'a'-'c'; NUL-terminated */
};

/**
 * Decode TBCD octets into @p out.
 * A 0xF nibble ends the string only as the last high nibble; anywhere else it
 * is JITSIM_R_MAP_BAD_DIGITS. Nibbles 0xA-0xE map to '*', '#', 'a', 'b', 'c'.
 * @return JITSIM_R_OK, JITSIM_R_MAP_BAD_DIGITS, or JITSIM_R_BAD_LENGTH when
 *   the string exceeds JITSIM_DIGITS_MAX.
 */
enum jitsim_reason jitsim_tbcd_decode(const uint8_t *p, size_t len, struct jitsim_digits *out);

/**
 * Decode BCD digits as found in SCCP global titles (ITU Q.713 3.4.2.3):
 * low nibble first, @p odd says whether the last high nibble is a filler.
 */
enum jitsim_reason jitsim_bcd_decode(const uint8_t *p, size_t len, int odd,
				     struct jitsim_digits *out);

/**
 * Encode ASCII digits as TBCD into @p out (capacity @p cap).
 * @return number of octets written, or -1 if a character is not encodable or
 *   @p cap is too small.
 */
int jitsim_tbcd_encode(const char *digits, uint8_t *out, size_t cap);

/**
 * Compact key of a digit string; 0 if not 1..16 decimal digits. Reads the
 * d->n digits of d->d (as every decoder sets them), eight at a time.
 */
uint64_t jitsim_digits_key(const struct jitsim_digits *d);

/** Same as jitsim_digits_key() for a NUL-terminated ASCII string. */
uint64_t jitsim_digits_key_str(const char *s);

/** Set @p out from a NUL-terminated ASCII string (truncated to JITSIM_DIGITS_MAX). */
void jitsim_digits_set(struct jitsim_digits *out, const char *s);

#endif /* JITSIM_PROTO_DIGITS_H */
