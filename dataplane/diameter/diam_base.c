/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter base protocol: validation of received messages against the
 * command ABNF (RFC 6733 3.2 grammar, the rules of 7.1.5 and 7.5 for the
 * Result-Code and the Failed-AVP), error answers, the AVP encoders the base
 * commands need, and the duplicate-request table.
 *
 * Validation walks the message once, in message order, and stops at the
 * first error (RFC 6733 7.5 lets one Failed-AVP per error be reported; an
 * answer naming the first is what freeDiameter does too).
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/bytes.h>

#include "diam_base.h"

#define M JITSIM_DIAM_AVP_M

/* Most rules in one command table (the counts live on the stack). */
#define RULES_MAX 24

#define R(c, t, mn, mx)                               \
	{                                             \
		(c), 0, JITSIM_DIAM_T_##t, (mn), (mx) \
	}

/* RFC 6733 5.3.1 CER and 5.3.2 CEA share everything but the Result-Code. */
#define CE_COMMON                                                                                 \
	R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1), R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1),          \
		R(JITSIM_AVP_HOST_IP_ADDRESS, ADDRESS, 1, 0), R(JITSIM_AVP_VENDOR_ID, U32, 1, 1), \
		R(JITSIM_AVP_PRODUCT_NAME, UTF8, 1, 1), R(JITSIM_AVP_ORIGIN_STATE_ID, U32, 0, 1), \
		R(JITSIM_AVP_SUPPORTED_VENDOR_ID, U32, 0, 0),                                     \
		R(JITSIM_AVP_AUTH_APPLICATION_ID, U32, 0, 0),                                     \
		R(JITSIM_AVP_INBAND_SECURITY_ID, U32, 0, 0),                                      \
		R(JITSIM_AVP_ACCT_APPLICATION_ID, U32, 0, 0),                                     \
		R(JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, VSAI, 0, 0),                         \
		R(JITSIM_AVP_FIRMWARE_REVISION, U32, 0, 1)

static const struct jitsim_diam_rule cer_rules[] = {CE_COMMON};
static const struct jitsim_diam_rule cea_rules[] = {R(JITSIM_AVP_RESULT_CODE, U32, 1, 1), CE_COMMON,
						    R(JITSIM_AVP_ERROR_MESSAGE, UTF8, 0, 1),
						    R(JITSIM_AVP_FAILED_AVP, GROUPED, 0, 1)};
/* RFC 6733 5.5.1 DWR, 5.5.2 DWA */
static const struct jitsim_diam_rule dwr_rules[] = {R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
						    R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1),
						    R(JITSIM_AVP_ORIGIN_STATE_ID, U32, 0, 1)};
static const struct jitsim_diam_rule dwa_rules[] = {
	R(JITSIM_AVP_RESULT_CODE, U32, 1, 1),	 R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
	R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1), R(JITSIM_AVP_ERROR_MESSAGE, UTF8, 0, 1),
	R(JITSIM_AVP_FAILED_AVP, GROUPED, 0, 1), R(JITSIM_AVP_ORIGIN_STATE_ID, U32, 0, 1)};
/* RFC 6733 5.4.1 DPR, 5.4.2 DPA */
static const struct jitsim_diam_rule dpr_rules[] = {R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
						    R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1),
						    R(JITSIM_AVP_DISCONNECT_CAUSE, U32, 1, 1)};
static const struct jitsim_diam_rule dpa_rules[] = {
	R(JITSIM_AVP_RESULT_CODE, U32, 1, 1), R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
	R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1), R(JITSIM_AVP_ERROR_MESSAGE, UTF8, 0, 1),
	R(JITSIM_AVP_FAILED_AVP, GROUPED, 0, 1)};
/*
 * RFC 6733 6.1: every request carries Origin-Host and Origin-Realm; the
 * application's own ABNF (S6a) is checked by the application. Session-Id
 * is listed only for its single occurrence (RFC 6733 8.8).
 */
static const struct jitsim_diam_rule app_req_rules[] = {
	R(JITSIM_AVP_SESSION_ID, UTF8, 0, 1), R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
	R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1), R(JITSIM_AVP_ORIGIN_STATE_ID, U32, 0, 1)};
/* RFC 6733 7.2 answer-message; Result-Code or Experimental-Result is the app's business. */
static const struct jitsim_diam_rule answer_rules[] = {
	R(JITSIM_AVP_SESSION_ID, UTF8, 0, 1),	  R(JITSIM_AVP_ORIGIN_HOST, IDENT, 1, 1),
	R(JITSIM_AVP_ORIGIN_REALM, IDENT, 1, 1),  R(JITSIM_AVP_RESULT_CODE, U32, 0, 1),
	R(JITSIM_AVP_ORIGIN_STATE_ID, U32, 0, 1), R(JITSIM_AVP_ERROR_MESSAGE, UTF8, 0, 1),
	R(JITSIM_AVP_FAILED_AVP, GROUPED, 0, 1)};

#define RULES(x, strict)                            \
	{                                           \
		x, sizeof(x) / sizeof(x[0]), strict \
	}
const struct jitsim_diam_cmd_rules jitsim_diam_rules_cer = RULES(cer_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_cea = RULES(cea_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_dwr = RULES(dwr_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_dwa = RULES(dwa_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_dpr = RULES(dpr_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_dpa = RULES(dpa_rules, true);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_app_req = RULES(app_req_rules, false);
const struct jitsim_diam_cmd_rules jitsim_diam_rules_answer = RULES(answer_rules, false);

_Static_assert(sizeof(cea_rules) / sizeof(cea_rules[0]) <= RULES_MAX, "RULES_MAX too small");

/* The smallest data of a type: what a synthesised Failed-AVP carries (7.1.5). */
static uint32_t
type_min_len(uint8_t type)
{
	switch (type) {
	case JITSIM_DIAM_T_U32:
		return 4;
	case JITSIM_DIAM_T_ADDRESS:
		return 6;
	default:
		return 0;
	}
}

static void
err_set(struct jitsim_diam_err *e, uint32_t rc, const char *text)
{
	memset(e, 0, sizeof(*e));
	e->result_code = rc;
	e->text = text;
}

/* Failed-AVP = a copy of the AVP @p a (header at @p hdr). */
static void
err_copy(struct jitsim_diam_err *e, uint32_t rc, const char *text, const uint8_t *hdr,
	 const struct jitsim_diam_avp *a, const uint8_t *outer)
{
	err_set(e, rc, text);
	e->has_failed = true;
	e->avp = hdr;
	e->avp_len = (size_t)(a->data - hdr) + a->data_len;
	e->code = a->code;
	e->vendor = a->vendor;
	e->flags = a->flags;
	e->outer = outer;
}

/* Failed-AVP = (code, vendor, flags) with @p zero_len zero octets. */
static void
err_synth(struct jitsim_diam_err *e, uint32_t rc, const char *text, uint32_t code, uint32_t vendor,
	  uint8_t flags, uint32_t zero_len, const uint8_t *outer)
{
	err_set(e, rc, text);
	e->has_failed = true;
	e->code = code;
	e->vendor = vendor;
	e->flags = flags;
	e->zero_len = zero_len;
	e->outer = outer;
}

bool
jitsim_diam_check_hdr(const struct jitsim_diam_hdr *hdr, struct jitsim_diam_err *err)
{
	if (hdr->flags & JITSIM_DIAM_FLAGS_RSVD) {
		err_set(err, JITSIM_DIAM_INVALID_BIT_IN_HEADER,
			"reserved bit set in the header flags");
		return false;
	}
	if ((hdr->flags & JITSIM_DIAM_FLAG_R) && (hdr->flags & JITSIM_DIAM_FLAG_E)) {
		err_set(err, JITSIM_DIAM_INVALID_HDR_BITS, "E bit set in a request");
		return false;
	}
	err_set(err, 0, NULL);
	return true;
}

/*
 * A walk that failed at @p at with @p left bytes from there: describe the
 * offending AVP. Its header is whole when left >= 8 (12 with V); the data
 * cannot be trusted, so it is replaced by zeros (RFC 6733 7.1.5
 * DIAMETER_INVALID_AVP_LENGTH: "the offending AVP header and a zero filled
 * payload of the minimum required length for the payloads data type").
 */
static void
err_bad_len(struct jitsim_diam_err *e, const uint8_t *at, size_t left,
	    const struct jitsim_diam_cmd_rules *r, const uint8_t *outer)
{
	uint32_t code, vendor = 0, zl = 0;
	uint8_t flags;

	if (left < JITSIM_DIAM_AVP_HDR_LEN) {
		/* 4 bytes (lengths are multiples of 4) that cannot be an AVP. */
		if (outer != NULL) {
			/* 7.1.5: "the Grouped AVP header with an empty payload". */
			size_t oh = (outer[4] & JITSIM_DIAM_AVP_V) ? JITSIM_DIAM_AVP_VHDR_LEN
								   : JITSIM_DIAM_AVP_HDR_LEN;
			struct jitsim_diam_avp o = {.code = jitsim_get_be32(outer),
						    .flags = outer[4],
						    .data = outer + oh};

			err_copy(e, JITSIM_DIAM_INVALID_AVP_LENGTH,
				 "grouped AVP data ends in a partial AVP header", outer, &o, NULL);
		} else
			err_set(e, JITSIM_DIAM_INVALID_MESSAGE_LENGTH,
				"message ends in a partial AVP header");
		return;
	}
	code = jitsim_get_be32(at);
	flags = at[4];
	if (flags & JITSIM_DIAM_AVP_V) {
		if (left >= JITSIM_DIAM_AVP_VHDR_LEN)
			vendor = jitsim_get_be32(at + 8);
		else
			flags &= (uint8_t)~JITSIM_DIAM_AVP_V;
	}
	for (unsigned int i = 0; r != NULL && i < r->n; i++)
		if (r->rules[i].code == code && r->rules[i].vendor == vendor)
			zl = type_min_len(r->rules[i].type);
	err_synth(e, JITSIM_DIAM_INVALID_AVP_LENGTH, "AVP Length inconsistent with the message",
		  code, vendor, flags, zl, outer);
}

/*
 * Walk the data of a grouped AVP: lengths, and reserved bits when @p bits
 * (not for Failed-AVP, whose member is a copy of somebody's bad AVP).
 */
static bool
check_inner(const struct jitsim_diam_avp *g, const uint8_t *ghdr, bool bits,
	    struct jitsim_diam_err *e)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, g->data, g->data_len);
	for (;;) {
		const uint8_t *at = it.p;
		size_t left = it.left;

		r = jitsim_diam_avp_next_inline(&it, &a);
		if (r == JITSIM_R_END)
			return true;
		if (r != JITSIM_R_OK) {
			err_bad_len(e, at, left, NULL, ghdr);
			return false;
		}
		if (bits && (a.flags & JITSIM_DIAM_AVP_FLAGS_RSVD)) {
			err_copy(e, JITSIM_DIAM_INVALID_AVP_BITS, "reserved AVP flag bit set", at,
				 &a, ghdr);
			return false;
		}
	}
}

/* RFC 6733 6.11: { Vendor-Id } and exactly one of Auth- and Acct-Application-Id. */
static bool
check_vsai(const struct jitsim_diam_avp *g, const uint8_t *ghdr, struct jitsim_diam_err *e)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	unsigned int n_vendor = 0, n_app = 0;

	if (!check_inner(g, ghdr, true, e))
		return false;
	jitsim_diam_avp_iter_init(&it, g->data, g->data_len);
	for (;;) {
		const uint8_t *at = it.p;

		if (jitsim_diam_avp_next_inline(&it, &a) != JITSIM_R_OK)
			break;
		if (a.vendor != 0)
			continue;
		if (a.code != JITSIM_AVP_VENDOR_ID && a.code != JITSIM_AVP_AUTH_APPLICATION_ID &&
		    a.code != JITSIM_AVP_ACCT_APPLICATION_ID)
			continue;
		if (a.data_len != 4) {
			err_synth(e, JITSIM_DIAM_INVALID_AVP_LENGTH, "Unsigned32 AVP not 4 octets",
				  a.code, 0, a.flags, 4, ghdr);
			return false;
		}
		if (a.code == JITSIM_AVP_VENDOR_ID)
			n_vendor++;
		else
			n_app++;
		if (n_vendor > 1 || n_app > 1) {
			err_copy(e, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES,
				 a.code == JITSIM_AVP_VENDOR_ID
					 ? "Vendor-Id twice in Vendor-Specific-Application-Id"
					 : "both Auth- and Acct-Application-Id in "
					   "Vendor-Specific-Application-Id",
				 at, &a, ghdr);
			return false;
		}
	}
	if (n_vendor == 0) {
		err_synth(e, JITSIM_DIAM_MISSING_AVP,
			  "Vendor-Specific-Application-Id without Vendor-Id", JITSIM_AVP_VENDOR_ID,
			  0, M, 4, ghdr);
		return false;
	}
	if (n_app == 0) {
		err_synth(e, JITSIM_DIAM_MISSING_AVP,
			  "Vendor-Specific-Application-Id without an application id",
			  JITSIM_AVP_AUTH_APPLICATION_ID, 0, M, 4, ghdr);
		return false;
	}
	return true;
}

/* The value of an AVP the rules know. */
static bool
check_value(const struct jitsim_diam_rule *rl, const struct jitsim_diam_avp *a, const uint8_t *at,
	    struct jitsim_diam_err *e)
{
	switch (rl->type) {
	case JITSIM_DIAM_T_U32:
		if (a->data_len != 4) {
			/* 7.1.5: the length is wrong, not the value: header + 4 zeros. */
			err_synth(e, JITSIM_DIAM_INVALID_AVP_LENGTH, "Unsigned32 AVP not 4 octets",
				  a->code, a->vendor, a->flags, 4, NULL);
			return false;
		}
		return true;
	case JITSIM_DIAM_T_IDENT:
		if (a->data_len == 0 || a->data_len > JITSIM_DIAM_IDENT_MAX) {
			err_copy(e, JITSIM_DIAM_INVALID_AVP_VALUE,
				 "DiameterIdentity empty or longer than 255 octets", at, a, NULL);
			return false;
		}
		return true;
	case JITSIM_DIAM_T_ADDRESS: {
		/* RFC 6733 4.3.1: AddressType (IANA address family) then the address. */
		uint16_t fam;

		if (a->data_len < 2) {
			err_synth(e, JITSIM_DIAM_INVALID_AVP_LENGTH,
				  "Address AVP shorter than 2 octets", a->code, a->vendor, a->flags,
				  6, NULL);
			return false;
		}
		fam = jitsim_get_be16(a->data);
		if (fam != 1 && fam != 2) {
			err_copy(e, JITSIM_DIAM_INVALID_AVP_VALUE,
				 "Address family is neither IPv4 (1) nor IPv6 (2)", at, a, NULL);
			return false;
		}
		if (a->data_len != (fam == 1 ? 6u : 18u)) {
			err_synth(e, JITSIM_DIAM_INVALID_AVP_LENGTH,
				  "Address AVP length does not match its family", a->code,
				  a->vendor, a->flags, 6, NULL);
			return false;
		}
		return true;
	}
	case JITSIM_DIAM_T_VSAI:
		return check_vsai(a, at, e);
	case JITSIM_DIAM_T_GROUPED:
		return check_inner(a, at, a->code != JITSIM_AVP_FAILED_AVP, e);
	default:
		return true;
	}
}

/*
 * The AVPs of the base protocol (RFC 6733 4.5, 8.x, 9.x). A base command
 * ends with *[AVP], so one of these outside its own rules is not
 * "unsupported" (5001): this node knows it and ignores it.
 */
static bool
is_base_avp(const struct jitsim_diam_avp *a)
{
	static const uint16_t radius_era[] = {1, 25, 27, 33, 44, 50, 55, 85, 480, 483, 485};

	if (a->vendor != 0)
		return false;
	if (a->code >= 257 && a->code <= 299)
		return true;
	for (unsigned int i = 0; i < sizeof(radius_era) / sizeof(radius_era[0]); i++)
		if (a->code == radius_era[i])
			return true;
	return false;
}

bool
jitsim_diam_validate(const uint8_t *avps, size_t len, const struct jitsim_diam_cmd_rules *r,
		     struct jitsim_diam_err *err)
{
	uint8_t count[RULES_MAX] = {0};
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	unsigned int n = r->n < RULES_MAX ? r->n : RULES_MAX;

	jitsim_diam_avp_iter_init(&it, avps, len);
	for (;;) {
		const uint8_t *at = it.p;
		size_t left = it.left;
		enum jitsim_reason rs = jitsim_diam_avp_next_inline(&it, &a);
		unsigned int i;

		if (rs == JITSIM_R_END)
			break;
		if (rs != JITSIM_R_OK) {
			err_bad_len(err, at, left, r, NULL);
			return false;
		}
		if (a.flags & JITSIM_DIAM_AVP_FLAGS_RSVD) {
			err_copy(err, JITSIM_DIAM_INVALID_AVP_BITS, "reserved AVP flag bit set", at,
				 &a, NULL);
			return false;
		}
		for (i = 0; i < n; i++)
			if (r->rules[i].code == a.code && r->rules[i].vendor == a.vendor)
				break;
		if (i == n) {
			if (r->strict && (a.flags & JITSIM_DIAM_AVP_M) && !is_base_avp(&a)) {
				err_copy(err, JITSIM_DIAM_AVP_UNSUPPORTED,
					 "unknown AVP with the M bit set", at, &a, NULL);
				return false;
			}
			continue;
		}
		if (count[i] < UINT8_MAX)
			count[i]++;
		if (r->rules[i].max != 0 && count[i] > r->rules[i].max) {
			err_copy(err, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES,
				 "AVP occurs more often than the command allows", at, &a, NULL);
			return false;
		}
		if (!check_value(&r->rules[i], &a, at, err))
			return false;
	}
	for (unsigned int i = 0; i < n; i++) {
		if (count[i] < r->rules[i].min) {
			err_synth(err, JITSIM_DIAM_MISSING_AVP, "mandatory AVP missing",
				  r->rules[i].code, r->rules[i].vendor, M,
				  type_min_len(r->rules[i].type), NULL);
			return false;
		}
	}
	err_set(err, 0, NULL);
	return true;
}

enum jitsim_reason
jitsim_diam_encode_avp_addr(struct jitsim_wbuf *w, uint32_t code, uint8_t flags, const uint8_t *ip,
			    size_t ip_len)
{
	uint8_t b[18];

	if (ip_len != 4 && ip_len != 16)
		return JITSIM_R_BAD_PARAM;
	/* IANA Address Family Numbers: 1 IPv4, 2 IPv6. */
	jitsim_put_be16(b, ip_len == 4 ? 1 : 2);
	memcpy(b + 2, ip, ip_len);
	return jitsim_diam_encode_avp(w, code, flags, 0, b, 2 + ip_len);
}

static const uint8_t zeros[JITSIM_DIAM_FAILED_AVP_MAX_DATA];

/* Re-encode an AVP header found in a message (V follows the vendor read). */
static enum jitsim_reason
copy_avp(struct jitsim_wbuf *w, const uint8_t *p, size_t len)
{
	uint32_t code = jitsim_get_be32(p), vendor = 0;
	uint8_t flags = p[4];
	size_t hlen = JITSIM_DIAM_AVP_HDR_LEN;

	if ((flags & JITSIM_DIAM_AVP_V) && len >= JITSIM_DIAM_AVP_VHDR_LEN) {
		vendor = jitsim_get_be32(p + 8);
		hlen = JITSIM_DIAM_AVP_VHDR_LEN;
	}
	len -= hlen;
	if (len > JITSIM_DIAM_FAILED_AVP_MAX_DATA)
		len = JITSIM_DIAM_FAILED_AVP_MAX_DATA;
	return jitsim_diam_encode_avp(w, code, flags, vendor, p + hlen, len);
}

enum jitsim_reason
jitsim_diam_encode_failed_avp(struct jitsim_wbuf *w, const struct jitsim_diam_err *err)
{
	size_t save = w->tail, g, go = 0;
	enum jitsim_reason r;

	if (!err->has_failed)
		return JITSIM_R_OK;
	if (jitsim_diam_encode_group_begin(w, JITSIM_AVP_FAILED_AVP, M, 0, &g) != JITSIM_R_OK)
		goto nospace;
	if (err->outer != NULL) {
		/* RFC 6733 7.5: an error inside a grouped AVP names the group and the member. */
		const uint8_t *o = err->outer;
		uint32_t ov = (o[4] & JITSIM_DIAM_AVP_V) ? jitsim_get_be32(o + 8) : 0;

		if (jitsim_diam_encode_group_begin(w, jitsim_get_be32(o), o[4], ov, &go) !=
		    JITSIM_R_OK)
			goto nospace;
	}
	if (err->avp != NULL && err->avp_len >= JITSIM_DIAM_AVP_HDR_LEN)
		r = copy_avp(w, err->avp, err->avp_len);
	else
		r = jitsim_diam_encode_avp(w, err->code, err->flags, err->vendor, zeros,
					   err->zero_len < sizeof(zeros) ? err->zero_len
									 : sizeof(zeros));
	if (r != JITSIM_R_OK)
		goto nospace;
	if (err->outer != NULL)
		jitsim_diam_encode_group_end(w, go);
	jitsim_diam_encode_group_end(w, g);
	return JITSIM_R_OK;
nospace:
	w->tail = save;
	return JITSIM_R_NOSPACE;
}

enum jitsim_reason
jitsim_diam_encode_error_answer(struct jitsim_wbuf *w, const struct jitsim_diam_hdr *req,
				const struct jitsim_diam_ident *id,
				const struct jitsim_diam_err *err)
{
	struct jitsim_diam_hdr h = *req;
	struct jitsim_diam_avp sid;
	size_t save = w->tail, start;

	if (id == NULL || id->host == NULL || id->realm == NULL || err->result_code == 0)
		return JITSIM_R_BAD_PARAM;
	h.flags = req->flags & JITSIM_DIAM_FLAG_P;
	/* RFC 6733 7.2: E marks protocol errors, the 3xxx class. */
	if (err->result_code >= 3000 && err->result_code < 4000)
		h.flags |= JITSIM_DIAM_FLAG_E;
	if (jitsim_diam_encode_hdr(w, &h, &start) != JITSIM_R_OK)
		goto nospace;
	/* RFC 6733 8.8: Session-Id first in the answer when the request has one. */
	if (req->avps != NULL &&
	    jitsim_diam_avp_find(req->avps, req->avps_len, JITSIM_AVP_SESSION_ID, 0, &sid) ==
		    JITSIM_R_OK &&
	    jitsim_diam_encode_avp(w, JITSIM_AVP_SESSION_ID, M, 0, sid.data, sid.data_len) !=
		    JITSIM_R_OK)
		goto nospace;
	if (jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_HOST, M, 0, id->host) ||
	    jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_REALM, M, 0, id->realm) ||
	    jitsim_diam_encode_avp_u32(w, JITSIM_AVP_RESULT_CODE, M, 0, err->result_code))
		goto nospace;
	if (id->origin_state_id != 0 &&
	    jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ORIGIN_STATE_ID, M, 0, id->origin_state_id))
		goto nospace;
	/* RFC 6733 4.5: Error-Message MUST NOT have the M bit. */
	if (err->text != NULL &&
	    jitsim_diam_encode_avp_str(w, JITSIM_AVP_ERROR_MESSAGE, 0, 0, err->text))
		goto nospace;
	if (jitsim_diam_encode_failed_avp(w, err) != JITSIM_R_OK)
		goto nospace;
	jitsim_diam_encode_finish(w, start);
	return JITSIM_R_OK;
nospace:
	w->tail = save;
	return JITSIM_R_NOSPACE;
}

const char *
jitsim_diam_result_name(uint32_t code)
{
	switch (code) {
	case JITSIM_DIAM_SUCCESS:
		return "DIAMETER_SUCCESS";
	case JITSIM_DIAM_COMMAND_UNSUPPORTED:
		return "DIAMETER_COMMAND_UNSUPPORTED";
	case JITSIM_DIAM_UNABLE_TO_DELIVER:
		return "DIAMETER_UNABLE_TO_DELIVER";
	case JITSIM_DIAM_TOO_BUSY:
		return "DIAMETER_TOO_BUSY";
	case JITSIM_DIAM_APPLICATION_UNSUPPORTED:
		return "DIAMETER_APPLICATION_UNSUPPORTED";
	case JITSIM_DIAM_INVALID_HDR_BITS:
		return "DIAMETER_INVALID_HDR_BITS";
	case JITSIM_DIAM_INVALID_AVP_BITS:
		return "DIAMETER_INVALID_AVP_BITS";
	case JITSIM_DIAM_UNKNOWN_PEER:
		return "DIAMETER_UNKNOWN_PEER";
	case JITSIM_DIAM_AVP_UNSUPPORTED:
		return "DIAMETER_AVP_UNSUPPORTED";
	case JITSIM_DIAM_INVALID_AVP_VALUE:
		return "DIAMETER_INVALID_AVP_VALUE";
	case JITSIM_DIAM_MISSING_AVP:
		return "DIAMETER_MISSING_AVP";
	case JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES:
		return "DIAMETER_AVP_OCCURS_TOO_MANY_TIMES";
	case JITSIM_DIAM_NO_COMMON_APPLICATION:
		return "DIAMETER_NO_COMMON_APPLICATION";
	case JITSIM_DIAM_UNSUPPORTED_VERSION:
		return "DIAMETER_UNSUPPORTED_VERSION";
	case JITSIM_DIAM_UNABLE_TO_COMPLY:
		return "DIAMETER_UNABLE_TO_COMPLY";
	case JITSIM_DIAM_INVALID_BIT_IN_HEADER:
		return "DIAMETER_INVALID_BIT_IN_HEADER";
	case JITSIM_DIAM_INVALID_AVP_LENGTH:
		return "DIAMETER_INVALID_AVP_LENGTH";
	case JITSIM_DIAM_INVALID_MESSAGE_LENGTH:
		return "DIAMETER_INVALID_MESSAGE_LENGTH";
	case JITSIM_DIAM_NO_COMMON_SECURITY:
		return "DIAMETER_NO_COMMON_SECURITY";
	default:
		return "?";
	}
}

int
jitsim_diam_err_dump(const struct jitsim_diam_err *err, char *buf, size_t size)
{
	if (!err->has_failed)
		return snprintf(buf, size, "result=%" PRIu32 " name=%s failed=- text=%s",
				err->result_code, jitsim_diam_result_name(err->result_code),
				err->text ? err->text : "-");
	return snprintf(
		buf, size, "result=%" PRIu32 " name=%s failed=%" PRIu32 "/%" PRIu32 "%s text=%s",
		err->result_code, jitsim_diam_result_name(err->result_code), err->code, err->vendor,
		err->outer != NULL ? " (in a group)" : "", err->text ? err->text : "-");
}

void
jitsim_diam_dup_init(struct jitsim_diam_dup *d, uint32_t lifetime_ms)
{
	memset(d, 0, sizeof(*d));
	d->lifetime_ms = lifetime_ms ? lifetime_ms : JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS;
}

static uint64_t
fnv1a(const uint8_t *p, size_t n)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (size_t i = 0; i < n; i++) {
		h ^= p[i];
		h *= 0x100000001b3ull;
	}
	return h ? h : 1; /* 0 marks a free entry */
}

bool
jitsim_diam_dup_check(struct jitsim_diam_dup *d, const uint8_t *host, size_t host_len, uint32_t e2e,
		      uint64_t now_ms)
{
	uint64_t hh = fnv1a(host, host_len);
	/* Fibonacci hashing of the pair spreads consecutive e2e ids over the sets. */
	uint64_t mix = (hh ^ ((uint64_t)e2e << 32 | e2e)) * 0x9e3779b97f4a7c15ull;
	struct jitsim_diam_dup_entry *set = d->e[(mix >> 32) % JITSIM_DIAM_DUP_SETS];
	struct jitsim_diam_dup_entry *victim = NULL;
	bool victim_live = true;

	d->lookups++;
	for (unsigned int i = 0; i < JITSIM_DIAM_DUP_WAYS; i++) {
		struct jitsim_diam_dup_entry *x = &set[i];
		bool live = x->host_hash != 0 && now_ms - x->t_ms < d->lifetime_ms;

		if (live && x->host_hash == hh && x->e2e == e2e) {
			d->dups++;
			return true;
		}
		/* A free or expired way first, else the oldest live one. */
		if (!live) {
			if (victim_live) {
				victim = x;
				victim_live = false;
			}
		} else if (victim_live && (victim == NULL || x->t_ms < victim->t_ms)) {
			victim = x;
		}
	}
	if (victim_live)
		d->evicted++;
	victim->host_hash = hh;
	victim->e2e = e2e;
	victim->t_ms = now_ms;
	return false;
}

uint32_t
jitsim_diam_e2e_seed(uint64_t unix_s, uint32_t random)
{
	return (uint32_t)(unix_s & 0xfff) << 20 | (random & 0xfffff);
}
