/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_MAP_ADDR_H
#define JITSIM_PROTO_MAP_ADDR_H

/*
 * Private to the codec library: the identities both MAP writers (map_enc.c,
 * map_fta_enc.c) prepend, as BER TLVs of the caller's identifier.
 */

#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/** IMSI ::= TBCD-STRING (SIZE (3..8)) (TS 29.002 17.7.2); BAD_PARAM if not encodable. */
enum jitsim_reason jitsim_map_prepend_imsi(struct jitsim_wbuf *w, uint8_t id,
					   const struct jitsim_digits *d);

/**
 * AddressString (TS 29.002 17.7.8) of an international E.164 number of at
 * most @p max_digits digits (at most JITSIM_DIGITS_MAX); BAD_PARAM if empty,
 * longer or not encodable.
 */
enum jitsim_reason jitsim_map_prepend_addr(struct jitsim_wbuf *w, uint8_t id,
					   const struct jitsim_digits *d, size_t max_digits);

#endif /* JITSIM_PROTO_MAP_ADDR_H */
