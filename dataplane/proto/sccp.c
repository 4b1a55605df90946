/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SCCP connectionless messages (ITU-T Q.713 4.10-4.11, 4.18-4.21) and party
 * addresses (Q.713 3.4).
 *
 * Layout of every connectionless message (Q.713 2.2-2.4): message type, the
 * fixed part (protocol class or return cause, then a hop counter for the
 * X/L variants), one pointer per mandatory variable parameter plus one to
 * the optional part (X/L variants), then the parameters. A pointer counts
 * octets from the pointer itself (Q.713 2.3); LUDT/LUDTS use two-octet
 * pointers and a two-octet length for Long Data (Q.713 4.20, 3.17), both
 * least significant octet first like every other SS7 multi-octet field
 * (Q.713 3.4.2.1 point codes, Q.713 3.17 local references).
 */

#include <stdarg.h>
#include <stdio.h>

#include <jitsim/proto/sccp.h>

#include "dump.h"

/* Address indicator bits (Q.713 3.4.1, bit 1 = LSB). */
#define AI_PC 0x01
#define AI_SSN 0x02
#define AI_GTI_SHIFT 2
#define AI_GTI_MASK 0x0f
#define AI_ROUTE_SSN 0x40
/* Routing part of the indicator, and its value for SSN + GTI 4 without PC. */
#define AI_FORM_MASK (AI_PC | AI_SSN | AI_GTI_MASK << AI_GTI_SHIFT)
#define AI_FORM_MAP (AI_SSN | 4 << AI_GTI_SHIFT)
/* Odd/even indicator of GTI 1 (Q.713 3.4.2.3.1). */
#define GT_ODD 0x80
/* Encoding schemes (Q.713 3.4.2.3.3). */
#define ES_BCD_ODD 1
#define ES_BCD_EVEN 2
/* Segmentation parameter, first octet (Q.713 3.17). */
#define SEG_FIRST 0x80
#define SEG_REMAINING 0x0f
#define SEG_LEN 4

/* Decode the GT digits that start at @p p (BCD, low nibble first). */
static inline enum jitsim_reason
addr_digits(const uint8_t *p, size_t len, int odd, struct jitsim_digits *d)
{
	if (jitsim_bcd_decode_inline(p, len, odd, d) != JITSIM_R_OK)
		return JITSIM_R_SCCP_BAD_ADDRESS;
	return JITSIM_R_OK;
}

/* Every address form (Q.713 3.4). */
static enum jitsim_reason __attribute__((noinline))
addr_decode_any(const uint8_t *p, size_t len, struct jitsim_sccp_addr *out)
{
	size_t off = 1;
	uint8_t ai;

	/* Every field is set, in layout order so that the stores merge. */
	out->has_pc = false;
	out->pc = 0;
	out->has_ssn = false;
	out->ssn = out->tt = out->np = out->es = out->nai = 0;
	out->digits.n = 0;
	out->digits.d[0] = '\0';
	/* The address length octet counts the indicator: it cannot be 0. */
	if (__builtin_expect(len < 1, 0)) {
		out->ai = 0;
		out->route_on_ssn = false;
		out->gti = 0;
		return JITSIM_R_SCCP_BAD_ADDRESS;
	}
	ai = p[0];
	out->ai = ai;
	out->route_on_ssn = (ai & AI_ROUTE_SSN) != 0;
	out->gti = (ai >> AI_GTI_SHIFT) & AI_GTI_MASK;
	/* Q.713 3.4.2: PC, then SSN, then GT, each only when indicated. */
	if (ai & AI_PC) {
		if (len - off < 2)
			return JITSIM_R_SCCP_BAD_ADDRESS;
		/* Q.713 3.4.2.1: 14-bit ITU point code, LSB first, 2 spare bits. */
		out->pc = (uint16_t)((p[off] | p[off + 1] << 8) & 0x3fff);
		out->has_pc = true;
		off += 2;
	}
	if (ai & AI_SSN) {
		if (len - off < 1)
			return JITSIM_R_SCCP_BAD_ADDRESS;
		out->ssn = p[off++];
		out->has_ssn = true;
	}
	switch (out->gti) {
	case 0:
		/* No GT: nothing may follow. */
		if (off != len)
			return JITSIM_R_SCCP_BAD_ADDRESS;
		return JITSIM_R_OK;
	case 1:
		/* Q.713 3.4.2.3.1: odd/even + nature of address. */
		if (len - off < 1)
			return JITSIM_R_SCCP_BAD_ADDRESS;
		out->nai = p[off] & 0x7f;
		off++;
		return addr_digits(p + off, len - off, p[off - 1] & GT_ODD, &out->digits);
	case 2:
		/*
		 * Q.713 3.4.2.3.2: translation type only; the digit format is
		 * national. BCD with an even number of digits is what is seen
		 * (e.g. the no-SSN SAI/UL capture, TT 0x21 and 0x13).
		 */
		if (len - off < 1)
			return JITSIM_R_SCCP_BAD_ADDRESS;
		out->tt = p[off++];
		return addr_digits(p + off, len - off, 0, &out->digits);
	case 3:
	case 4:
		/* Q.713 3.4.2.3.3/4: TT, numbering plan + encoding scheme [, NAI]. */
		if (len - off < (size_t)(out->gti == 4 ? 3 : 2))
			return JITSIM_R_SCCP_BAD_ADDRESS;
		out->tt = p[off++];
		out->np = p[off] >> 4;
		out->es = p[off] & 0x0f;
		off++;
		if (out->gti == 4)
			out->nai = p[off++] & 0x7f;
		/*
		 * Only BCD is decoded; other schemes (unknown, national) keep
		 * their es value with no digits so the caller can still route.
		 */
		if (out->es != ES_BCD_ODD && out->es != ES_BCD_EVEN)
			return JITSIM_R_OK;
		return addr_digits(p + off, len - off, out->es == ES_BCD_ODD, &out->digits);
	default:
		/* GTI 5-15: spare or reserved in the ITU variant. */
		return JITSIM_R_SCCP_BAD_ADDRESS;
	}
}

/*
 * Inline in jitsim_sccp_decode(), which decodes two addresses per message:
 * what MAP traffic nearly always carries, SSN and a GTI 4 title with BCD
 * digits and no point code, in a straight line with every field set once
 * (the same result as addr_decode_any()); everything else out of line.
 */
static inline __attribute__((always_inline)) enum jitsim_reason
addr_decode(const uint8_t *p, size_t len, struct jitsim_sccp_addr *out)
{
	uint8_t ai, es;

	if (__builtin_expect(len < 5 || (p[0] & AI_FORM_MASK) != AI_FORM_MAP, 0))
		return addr_decode_any(p, len, out);
	ai = p[0];
	es = p[3] & 0x0f;
	out->ai = ai;
	out->route_on_ssn = (ai & AI_ROUTE_SSN) != 0;
	out->has_pc = false;
	out->pc = 0;
	out->has_ssn = true;
	out->ssn = p[1];
	out->gti = 4;
	out->tt = p[2];
	out->np = p[3] >> 4;
	out->es = es;
	out->nai = p[4] & 0x7f;
	if (es != ES_BCD_ODD && es != ES_BCD_EVEN) {
		out->digits.n = 0;
		out->digits.d[0] = '\0';
		return JITSIM_R_OK;
	}
	return addr_digits(p + 5, len - 5, es == ES_BCD_ODD, &out->digits);
}

enum jitsim_reason
jitsim_sccp_addr_decode(const uint8_t *p, size_t len, struct jitsim_sccp_addr *out)
{
	return addr_decode(p, len, out);
}

/*
 * Follow the pointer at @p pos (@p pw octets wide) to its parameter and
 * return the parameter position (its length indicator) in *at.
 */
static inline enum jitsim_reason
sccp_ptr(const uint8_t *p, size_t len, size_t pos, size_t pw, size_t hdr, size_t *at)
{
	size_t v = pw == 1 ? p[pos] : (size_t)(p[pos] | p[pos + 1] << 8);

	/* Q.713 2.3: 0 only for an absent optional part. */
	if (v == 0)
		return JITSIM_R_SCCP_BAD;
	/* pos < 12 and v < 2^16: no overflow. */
	v += pos;
	/* Never back into the fixed part and the pointers, never past the end. */
	if (v < hdr || v >= len)
		return JITSIM_R_SCCP_BAD;
	*at = v;
	return JITSIM_R_OK;
}

/* Party address parameter at @p at: one length octet, then the address. */
static inline enum jitsim_reason
sccp_addr_param(const uint8_t *p, size_t len, size_t at, struct jitsim_sccp_addr *a)
{
	size_t alen = p[at];

	if (len - at - 1 < alen)
		return JITSIM_R_TRUNCATED;
	return addr_decode(p + at + 1, alen, a);
}

/* Q.713 2.4: walk the optional part up to End Of Optional Parameters. */
static enum jitsim_reason
sccp_optional(const uint8_t *p, size_t len, size_t off, struct jitsim_sccp *out)
{
	for (;;) {
		const uint8_t *v;
		uint8_t name;
		size_t plen;

		if (off >= len)
			return JITSIM_R_TRUNCATED;
		name = p[off];
		if (name == JITSIM_SCCP_PARAM_EOP)
			return JITSIM_R_OK;
		if (len - off < 2)
			return JITSIM_R_TRUNCATED;
		plen = p[off + 1];
		if (len - off - 2 < plen)
			return JITSIM_R_TRUNCATED;
		v = p + off + 2;
		switch (name) {
		case JITSIM_SCCP_PARAM_SEGMENTATION:
			/* Q.713 3.17: F/class/remaining octet + 3-octet local reference. */
			if (plen != SEG_LEN)
				return JITSIM_R_SCCP_BAD;
			out->has_segmentation = true;
			out->seg_first = (v[0] & SEG_FIRST) != 0;
			out->seg_remaining = v[0] & SEG_REMAINING;
			/* LSB first, as tshark shows it (0x000001 for 01 00 00). */
			out->seg_local_ref =
				(uint32_t)v[1] | (uint32_t)v[2] << 8 | (uint32_t)v[3] << 16;
			break;
		case JITSIM_SCCP_PARAM_IMPORTANCE:
			/* Q.713 3.19: one octet; not needed beyond validation. */
			if (plen != 1)
				return JITSIM_R_SCCP_BAD;
			break;
		default:
			/* Q.714 1.1.4.4: unknown optional parameters are ignored. */
			break;
		}
		off += 2 + plen;
	}
}

/*
 * Everything after the message type, for a message with a @p fixed-octet
 * fixed part (type included), @p pw-octet pointers and, if @p has_opt, a
 * pointer to the optional part. Always inlined with constant arguments, so
 * that UDT, XUDT and LUDT each get straight-line code.
 */
static inline __attribute__((always_inline)) enum jitsim_reason
sccp_body(const uint8_t *p, size_t len, struct jitsim_sccp *out, size_t fixed, size_t pw,
	  bool has_opt)
{
	size_t hdr = fixed + pw * (has_opt ? 4 : 3), at[3], data_len;
	enum jitsim_reason r;

	if (len < hdr)
		return JITSIM_R_TRUNCATED;
	out->msg_type = p[0];
	out->pclass = out->cause = out->hop_counter = 0;
	/* Odd types (UDT, XUDT, LUDT) carry a class, the others a return cause. */
	if (p[0] & 1)
		out->pclass = p[1];
	else
		out->cause = p[1];
	if (fixed == 3)
		out->hop_counter = p[2];
	out->has_segmentation = out->seg_first = false;
	out->seg_remaining = 0;
	out->seg_local_ref = 0;
	for (size_t i = 0; i < 3; i++) {
		r = sccp_ptr(p, len, fixed + i * pw, pw, hdr, &at[i]);
		if (r != JITSIM_R_OK)
			return r;
	}
	r = sccp_addr_param(p, len, at[0], &out->called);
	if (r != JITSIM_R_OK)
		return r;
	r = sccp_addr_param(p, len, at[1], &out->calling);
	if (r != JITSIM_R_OK)
		return r;
	if (pw == 1) {
		data_len = p[at[2]];
		at[2] += 1;
	} else {
		if (len - at[2] < 2)
			return JITSIM_R_TRUNCATED;
		data_len = (size_t)(p[at[2]] | p[at[2] + 1] << 8);
		at[2] += 2;
	}
	if (len - at[2] < data_len)
		return JITSIM_R_TRUNCATED;
	out->data = p + at[2];
	out->data_len = data_len;
	if (has_opt) {
		size_t opos = fixed + 3 * pw;
		size_t v = pw == 1 ? p[opos] : (size_t)(p[opos] | p[opos + 1] << 8);

		/* Q.713 2.4: a zero pointer means no optional part. */
		if (v != 0) {
			size_t off;

			r = sccp_ptr(p, len, opos, pw, hdr, &off);
			if (r != JITSIM_R_OK)
				return r;
			r = sccp_optional(p, len, off, out);
			if (r != JITSIM_R_OK)
				return r;
		}
	}
	/*
	 * SCCP management (Q.713 5.1) travels in UDT/XUDT to SSN 1; it carries
	 * SCMG messages (SSA, SSP, SST), never TCAP. Everything is decoded so
	 * the caller can still look at it.
	 */
	if (out->called.has_ssn && out->called.ssn == JITSIM_SSN_SCMG)
		return JITSIM_R_SCCP_UNSUPPORTED;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_sccp_decode(const uint8_t *p, size_t len, struct jitsim_sccp *out)
{
	if (len < 1)
		return JITSIM_R_TRUNCATED;
	switch (p[0]) {
	case JITSIM_SCCP_UDT:
	case JITSIM_SCCP_UDTS:
		/* Type, class or cause; 3 one-octet pointers (Q.713 4.10, 4.11). */
		return sccp_body(p, len, out, 2, 1, false);
	case JITSIM_SCCP_XUDT:
	case JITSIM_SCCP_XUDTS:
		/* + hop counter and the optional-part pointer (Q.713 4.18, 4.19). */
		return sccp_body(p, len, out, 3, 1, true);
	case JITSIM_SCCP_LUDT:
	case JITSIM_SCCP_LUDTS:
		/* Two-octet pointers (Q.713 4.20, 4.21). */
		return sccp_body(p, len, out, 3, 2, true);
	default:
		/* Connection-oriented (Q.713 4.2-4.9, 4.12-4.17) or unknown. */
		return JITSIM_R_SCCP_UNSUPPORTED;
	}
}

static const char *
sccp_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_SCCP_UDT:
		return "UDT";
	case JITSIM_SCCP_UDTS:
		return "UDTS";
	case JITSIM_SCCP_XUDT:
		return "XUDT";
	case JITSIM_SCCP_XUDTS:
		return "XUDTS";
	case JITSIM_SCCP_LUDT:
		return "LUDT";
	case JITSIM_SCCP_LUDTS:
		return "LUDTS";
	default:
		return "unknown";
	}
}

static void
dump_addr(const struct jitsim_sccp_addr *a, const char *who, char *buf, size_t size, size_t *off)
{
	jitsim_dump_add(buf, size, off, " %s.ri=%s", who, a->route_on_ssn ? "ssn" : "gt");
	if (a->has_pc)
		jitsim_dump_add(buf, size, off, " %s.pc=%u", who, a->pc);
	if (a->has_ssn)
		jitsim_dump_add(buf, size, off, " %s.ssn=%u", who, a->ssn);
	jitsim_dump_add(buf, size, off, " %s.gti=%u", who, a->gti);
	if (a->gti >= 2)
		jitsim_dump_add(buf, size, off, " %s.tt=%u", who, a->tt);
	if (a->gti >= 3)
		jitsim_dump_add(buf, size, off, " %s.np=%u %s.es=%u", who, a->np, who, a->es);
	if (a->gti == 1 || a->gti == 4)
		jitsim_dump_add(buf, size, off, " %s.nai=%u", who, a->nai);
	if (a->gti != 0)
		jitsim_dump_add(buf, size, off, " %s.digits=%s", who, a->digits.d);
}

int
jitsim_sccp_dump(const struct jitsim_sccp *x, char *buf, size_t size)
{
	size_t off = 0;
	bool has_class = x->msg_type == JITSIM_SCCP_UDT || x->msg_type == JITSIM_SCCP_XUDT ||
			 x->msg_type == JITSIM_SCCP_LUDT;

	if (size)
		buf[0] = '\0';
	jitsim_dump_add(buf, size, &off, "type=%s", sccp_type_name(x->msg_type));
	if (has_class)
		jitsim_dump_add(buf, size, &off, " class=%u handling=%u", x->pclass & 0x0f,
				x->pclass >> 4);
	else
		jitsim_dump_add(buf, size, &off, " cause=%u", x->cause);
	if (x->msg_type != JITSIM_SCCP_UDT && x->msg_type != JITSIM_SCCP_UDTS)
		jitsim_dump_add(buf, size, &off, " hops=%u", x->hop_counter);
	if (x->has_segmentation)
		jitsim_dump_add(buf, size, &off, " seg.first=%d seg.remaining=%u seg.ref=0x%06x",
				x->seg_first, x->seg_remaining, (unsigned int)x->seg_local_ref);
	dump_addr(&x->called, "called", buf, size, &off);
	dump_addr(&x->calling, "calling", buf, size, &off);
	jitsim_dump_add(buf, size, &off, " data_len=%zu", x->data_len);
	return (int)off;
}
