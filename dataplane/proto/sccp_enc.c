/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SCCP UDT / XUDT writer (ITU-T Q.713 4.10, 4.18): wraps the TCAP message
 * already in the wbuf.
 */

#include <jitsim/proto/sccp.h>

/* AI + PC + SSN + TT + NP/ES + NAI + 32 BCD digits (Q.713 3.4). */
#define ADDR_MAX (1 + 2 + 1 + 3 + JITSIM_DIGITS_MAX / 2)
/* Q.714 2.3.2: the hop counter starts at most at 15. */
#define XUDT_HOPS 15

/* Same nibble values as the decoder (jitsim_bcd_decode). */
static int
bcd_nibble(char c)
{
	static const char sym[] = "*#abc";

	if (c >= '0' && c <= '9')
		return c - '0';
	for (int i = 0; sym[i] != '\0'; i++)
		if (sym[i] == c)
			return 10 + i;
	return -1;
}

/* Q.713 3.4.2.3.1: BCD, low nibble first, filler 0000 after an odd count. */
static int
put_bcd(const struct jitsim_digits *d, uint8_t *o)
{
	size_t n = d->n;

	if (n > JITSIM_DIGITS_MAX)
		return -1;
	for (size_t i = 0; i < n; i += 2) {
		int lo = bcd_nibble(d->d[i]);
		int hi = i + 1 < n ? bcd_nibble(d->d[i + 1]) : 0;

		if (lo < 0 || hi < 0)
			return -1;
		o[i / 2] = (uint8_t)(hi << 4 | lo);
	}
	return (int)((n + 1) / 2);
}

/* Party address (Q.713 3.4) into @p o; returns its length or -1. */
static int
addr_encode(const struct jitsim_sccp_addr *a, uint8_t *o)
{
	bool odd = a->digits.n & 1;
	size_t n = 1;
	int dl;

	if (a->gti > 4 || (a->has_pc && a->pc > 0x3fff) || a->np > 0x0f)
		return -1;
	/* Bit 8 (national use) is kept as given; everything else is derived. */
	o[0] = (uint8_t)((a->ai & 0x80) | (a->route_on_ssn ? 0x40 : 0) | a->gti << 2 |
			 (a->has_ssn ? 0x02 : 0) | (a->has_pc ? 0x01 : 0));
	if (a->has_pc) {
		o[n++] = (uint8_t)a->pc;
		o[n++] = (uint8_t)(a->pc >> 8);
	}
	if (a->has_ssn)
		o[n++] = a->ssn;
	switch (a->gti) {
	case 0:
		return (int)n;
	case 1:
		o[n++] = (uint8_t)((odd ? 0x80 : 0) | (a->nai & 0x7f));
		break;
	case 2:
		/* The decoder assumes an even count for GTI 2 (no indicator). */
		if (odd)
			return -1;
		o[n++] = a->tt;
		break;
	default:
		o[n++] = a->tt;
		o[n++] = (uint8_t)(a->np << 4 | (odd ? 1 : 2));
		if (a->gti == 4)
			o[n++] = a->nai & 0x7f;
		break;
	}
	dl = put_bcd(&a->digits, o + n);
	if (dl < 0)
		return -1;
	return (int)n + dl;
}

enum jitsim_reason
jitsim_sccp_encode(struct jitsim_wbuf *w, const struct jitsim_sccp *s)
{
	uint8_t called[ADDR_MAX], calling[ADDR_MAX];
	size_t data_len = jitsim_wbuf_len(w);
	size_t fixed, nptr, hdr, pos;
	int cl, gl;
	uint8_t *o;

	if (s->msg_type == JITSIM_SCCP_UDT) {
		fixed = 2;
		nptr = 3;
	} else if (s->msg_type == JITSIM_SCCP_XUDT) {
		fixed = 3;
		nptr = 4;
	} else {
		return JITSIM_R_BAD_PARAM;
	}
	/* One length octet: longer user data needs LUDT or segmentation. */
	if (data_len > 255)
		return JITSIM_R_BAD_PARAM;
	cl = addr_encode(&s->called, called);
	gl = addr_encode(&s->calling, calling);
	if (cl < 0 || gl < 0)
		return JITSIM_R_BAD_PARAM;
	hdr = fixed + nptr;
	o = jitsim_wbuf_prepend(w, hdr + 1 + (size_t)cl + 1 + (size_t)gl + 1);
	if (o == NULL)
		return JITSIM_R_NOSPACE;
	o[0] = s->msg_type;
	o[1] = s->pclass;
	if (fixed == 3)
		o[2] = XUDT_HOPS;
	/* Q.713 2.3: each pointer counts from its own octet. */
	pos = hdr;
	o[fixed] = (uint8_t)(pos - fixed);
	o[pos++] = (uint8_t)cl;
	memcpy(o + pos, called, (size_t)cl);
	pos += (size_t)cl;
	o[fixed + 1] = (uint8_t)(pos - fixed - 1);
	o[pos++] = (uint8_t)gl;
	memcpy(o + pos, calling, (size_t)gl);
	pos += (size_t)gl;
	o[fixed + 2] = (uint8_t)(pos - fixed - 2);
	o[pos] = (uint8_t)data_len;
	/* XUDT: no optional part (pointer 0, Q.713 2.4). */
	if (nptr == 4)
		o[fixed + 3] = 0;
	return JITSIM_R_OK;
}
