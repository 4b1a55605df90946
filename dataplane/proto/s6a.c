/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * S6a/S6d view of a Diameter message (3GPP TS 29.272): one walk over the
 * top-level AVPs fills struct jitsim_s6a. Grouped AVPs are entered only when
 * they hold a wanted AVP:
 *   Terminal-Information (7.3.3)             -> IMEI, Software-Version
 *   Requested-EUTRAN-Authentication-Info (7.3.11) -> Number-Of-Requested-Vectors
 *   Experimental-Result (RFC 6733 7.6)       -> Vendor-Id, Experimental-Result-Code
 *   Subscription-Data (7.3.2)                -> MSISDN
 *
 * Values of AVPs the view reads must have the format their spec gives
 * (Unsigned32 of 4 octets, Visited-PLMN-Id of 3 octets with BCD digits, IMEI
 * and Software-Version as decimal digits, MSISDN as TBCD), otherwise the
 * message is JITSIM_R_DIAM_BAD_AVP. The one exception is User-Name: it is an
 * IMSI only on S6a, so on other applications (Cx: "alice@ims") a non-digit
 * value is flagged, not rejected.
 */

#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/s6a.h>

/*
 * Grouped AVPs that may appear inside Subscription-Data (TS 29.272 7.3.2 and
 * the groups nested in them: 7.3.34 APN-Configuration-Profile, 7.3.35
 * APN-Configuration, 7.3.37 EPS-Subscribed-QoS-Profile, ...), all with the
 * 3GPP vendor. Sorted for a binary search. The MSISDN search descends into
 * them only when MSISDN is not a direct child of Subscription-Data.
 */
static const uint32_t subdata_groups_3gpp[] = {
	1034, /* Allocation-Retention-Priority (TS 29.212 5.3.32) */
	1429, /* APN-Configuration-Profile */
	1430, /* APN-Configuration */
	1431, /* EPS-Subscribed-QoS-Profile */
	1435, /* AMBR */
	1436, /* CSG-Subscription-Data */
	1458, /* Trace-Data */
	1467, /* GPRS-Subscription-Data */
	1469, /* PDP-Context */
	1472, /* Specific-APN-Info */
	1473, /* LCS-Info */
	1475, /* LCS-PrivacyException */
	1479, /* External-Client */
	1483, /* Service-Type */
	1485, /* MO-LR */
	1486, /* Teleservice-List */
	1488, /* Call-Barring-Info */
	1622, /* MDT-Configuration */
	1624, /* Area-Scope */
	1667, /* WLAN-offloadability */
	1673, /* Adjacent-Access-Restriction-Data */
	1675, /* IMSI-Group-Id */
	1687, /* Emergency-Info */
	1688, /* V2X-Subscription-Data */
	1691, /* eDRX-Cycle-Length */
	1694, /* MBSFN-Area */
	3113, /* AESE-Communication-Pattern (TS 29.336) */
	3114, /* Communication-Pattern-Set */
	3118, /* Scheduled-Communication-Time */
	3122, /* Monitoring-Event-Configuration */
	3129, /* UE-Reachability-Configuration */
	3135, /* Location-Information-Configuration */
	3701, /* ProSe-Subscription-Data (TS 29.344) */
	3703, /* ProSe-Allowed-PLMN */
};

/* IETF grouped AVPs reused inside APN-Configuration (TS 29.272 7.3.35). */
#define AVP_MIP_HOME_AGENT_HOST 348 /* RFC 4004 7.11 */
#define AVP_MIP6_AGENT_INFO 486	    /* RFC 5447 4.2.1 */

static bool
is_subdata_group(uint32_t code, uint32_t vendor)
{
	size_t lo = 0, hi = sizeof(subdata_groups_3gpp) / sizeof(subdata_groups_3gpp[0]);

	if (vendor == 0)
		return code == AVP_MIP6_AGENT_INFO || code == AVP_MIP_HOME_AGENT_HOST;
	if (vendor != JITSIM_DIAM_VENDOR_3GPP)
		return false;
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (subdata_groups_3gpp[mid] == code)
			return true;
		if (subdata_groups_3gpp[mid] < code)
			lo = mid + 1;
		else
			hi = mid;
	}
	return false;
}

static void
digits_clear(struct jitsim_digits *d)
{
	d->n = 0;
	d->d[0] = '\0';
}

#define ONES8 0x0101010101010101ull

/* 8 bytes in memory order: the first byte is the least significant. */
static inline uint64_t
load_le64(const uint8_t *p)
{
	uint64_t w;

	memcpy(&w, p, sizeof(w));
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	return w;
}

static inline void
store_le64(void *p, uint64_t w)
{
#if __BYTE_ORDER__ == __ORDER_BIG_ENDIAN__
	w = __builtin_bswap64(w);
#endif
	memcpy(p, &w, sizeof(w));
}

/*
 * True when each byte of @p w is an ASCII digit: 0x30-0x39 are the bytes
 * whose high nibble is 3 and stays 3 when 6 is added (once the first test
 * holds no byte exceeds 0x3f, so the addition cannot carry into the next).
 */
static inline bool
all_digits8(uint64_t w)
{
	return (w & 0xf0 * ONES8) == 0x30 * ONES8 &&
	       ((w + 0x06 * ONES8) & 0xf0 * ONES8) == 0x30 * ONES8;
}

/*
 * Decimal value of 8 digit values (0-9), the first (most significant) in
 * the low byte of @p w: pairs are combined into 0-99 in each 16-bit lane,
 * then the four pairs by two multiplications whose partial products land in
 * the upper 32 bits. No lane can carry into the next (99 * 100 + 99 < 2^16,
 * 9999 * 10000 + 9999 < 2^32).
 */
static inline uint64_t
value8(uint64_t w)
{
	w = w * 10 + (w >> 8);
	return ((w & 0x000000ff000000ffull) * (100 + (1000000ull << 32)) +
		((w >> 16) & 0x000000ff000000ffull) * (1 + (10000ull << 32))) >>
	       32;
}

static const uint64_t pow10_8[9] = {1, 10, 100, 1000, 10000, 100000, 1000000, 10000000, 100000000};

/*
 * A UTF8String made only of decimal digits (IMSI, IMEI, Software-Version)
 * into @p d, with its compact key (jitsim_digits_key()) when @p key is not
 * NULL, found in the same pass. IMSIs and IMEIs have 14-16 digits: those of
 * 8 to 16 are checked 8 at a time through two overlapping words, the rest a
 * byte at a time. @p d is left untouched when the string is not digits.
 */
static inline bool
digits_from_ascii(const uint8_t *p, size_t len, struct jitsim_digits *d, uint64_t *key)
{
	uint64_t v = 0;

	if (__builtin_expect(len == 0 || len > JITSIM_DIGITS_MAX, 0))
		return false;
	if (len >= 8 && len <= 16) {
		uint64_t head = load_le64(p), tail = load_le64(p + len - 8);

		if (!all_digits8(head) || !all_digits8(tail))
			return false;
		memcpy(d->d, p, 8);
		memcpy(d->d + len - 8, p + len - 8, 8);
		if (key != NULL) {
			/* The tail's bytes already in the head become leading zeros. */
			v = value8(head - '0' * ONES8);
			if (len > 8)
				v = v * pow10_8[len - 8] +
				    value8((tail - '0' * ONES8) & ~0ull << (8 * (16 - len)));
		}
	} else {
		for (size_t i = 0; i < len; i++)
			if ((unsigned int)(p[i] - '0') > 9)
				return false;
		memcpy(d->d, p, len);
		if (key != NULL && len <= 16)
			for (size_t i = 0; i < len; i++)
				v = v * 10 + (uint64_t)(p[i] - '0');
	}
	d->d[len] = '\0';
	d->n = (uint8_t)len;
	/* jitsim_digits_key(): only strings of 1..16 digits have a key. */
	if (key != NULL)
		*key = len <= 16 ? (uint64_t)len << 56 | v : 0;
	return true;
}

static inline enum jitsim_reason
set_str(struct jitsim_s6a_str *s, const struct jitsim_diam_avp *a)
{
	/* First occurrence wins, as with jitsim_diam_avp_find(). */
	if (s->p != NULL)
		return JITSIM_R_OK;
	/* A limit of this view (16-bit length), not of RFC 6733: say so. */
	if (__builtin_expect(a->data_len > UINT16_MAX, 0))
		return JITSIM_R_DIAM_BAD_AVP;
	s->p = a->data;
	s->len = (uint16_t)a->data_len;
	return JITSIM_R_OK;
}

/* RFC 6733 4.2: Unsigned32, Integer32 and Enumerated are 32-bit. */
static inline enum jitsim_reason
set_u32(bool *has, uint32_t *v, const struct jitsim_diam_avp *a)
{
	if (*has)
		return JITSIM_R_OK;
	if (__builtin_expect(a->data_len != 4, 0))
		return JITSIM_R_DIAM_BAD_AVP;
	*v = jitsim_get_be32(a->data);
	*has = true;
	return JITSIM_R_OK;
}

static enum jitsim_reason
set_ascii_digits(bool *has, struct jitsim_digits *d, const struct jitsim_diam_avp *a)
{
	if (*has)
		return JITSIM_R_OK;
	if (!digits_from_ascii(a->data, a->data_len, d, NULL)) {
		digits_clear(d);
		return JITSIM_R_DIAM_BAD_AVP;
	}
	*has = true;
	return JITSIM_R_OK;
}

/* MSISDN (TS 29.329 6.3.2): E.164 number as a TBCD string. */
static enum jitsim_reason
set_msisdn(struct jitsim_s6a *out, const struct jitsim_diam_avp *a)
{
	if (out->has_msisdn)
		return JITSIM_R_OK;
	if (jitsim_tbcd_decode_inline(a->data, a->data_len, &out->msisdn) != JITSIM_R_OK)
		return JITSIM_R_DIAM_BAD_AVP;
	out->has_msisdn = true;
	return JITSIM_R_OK;
}

/* User-Name (RFC 6733 8.14); on S6a it holds the IMSI (TS 29.272 7.3.x, 23.003 2.2). */
static inline void
set_user_name(struct jitsim_s6a *out, const struct jitsim_diam_avp *a)
{
	if (out->has_user_name)
		return;
	out->has_user_name = true;
	if (!digits_from_ascii(a->data, a->data_len, &out->user_name, &out->user_name_key)) {
		digits_clear(&out->user_name);
		out->user_name_key = 0;
		out->user_name_not_digits = true;
	}
}

/* jitsim_plmn_decode(), inlined for set_visited_plmn(). */
static inline enum jitsim_reason
plmn_decode(const uint8_t p[3], char out[8])
{
	/*
	 * TS 24.008 Figure 10.5.13: MCC2|MCC1, MNC3|MCC3, MNC2|MNC1. The five
	 * digits that are always there are spread one per byte in output
	 * order, MCC1 lowest, then checked and turned into ASCII all at once.
	 */
	uint64_t mnc3 = p[1] >> 4;
	uint64_t x = (uint64_t)(p[0] & 0x0f) | (uint64_t)(p[0] >> 4) << 8 |
		     (uint64_t)(p[1] & 0x0f) << 16 | (uint64_t)(p[2] & 0x0f) << 24 |
		     (uint64_t)(p[2] >> 4) << 32;
	/* A nibble over 9 carries into bit 4 of its byte when 6 is added. */
	bool bad = ((x + 0x0606060606ull) & 0x1010101010ull) != 0 || (mnc3 > 9 && mnc3 != 0x0f);

	if (__builtin_expect(bad, 0)) {
		out[0] = '\0';
		return JITSIM_R_MAP_BAD_DIGITS;
	}
	x += 0x3030303030ull;
	/* 10.5.1.13: MNC digit 3 is 1111 when the MNC has two digits. */
	if (mnc3 != 0x0f)
		x |= ('0' + mnc3) << 40;
	/* NUL-padded to the 8 bytes: one store. */
	store_le64(out, x);
	return JITSIM_R_OK;
}

/* Visited-PLMN-Id (TS 29.272 7.3.9): exactly the 3 octets of TS 24.008 10.5.1.13. */
static enum jitsim_reason
set_visited_plmn(struct jitsim_s6a *out, const struct jitsim_diam_avp *a)
{
	if (out->has_visited_plmn)
		return JITSIM_R_OK;
	if (a->data_len != 3 || plmn_decode(a->data, out->visited_mcc_mnc) != JITSIM_R_OK)
		return JITSIM_R_DIAM_BAD_AVP;
	memcpy(out->visited_plmn, a->data, 3);
	out->has_visited_plmn = true;
	return JITSIM_R_OK;
}

/* Terminal-Information (TS 29.272 7.3.3): { IMEI, Software-Version } or MEID. */
static enum jitsim_reason
terminal_info(struct jitsim_s6a *out, const uint8_t *p, size_t len)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next_inline(&it, &a)) == JITSIM_R_OK) {
		if (a.vendor != JITSIM_DIAM_VENDOR_3GPP)
			continue;
		if (a.code == JITSIM_AVP_IMEI)
			r = set_ascii_digits(&out->has_imei, &out->imei, &a);
		else if (a.code == JITSIM_AVP_SOFTWARE_VERSION)
			r = set_ascii_digits(&out->has_sv, &out->sv, &a);
		if (r != JITSIM_R_OK)
			return r;
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

/* Requested-EUTRAN-Authentication-Info (TS 29.272 7.3.11). */
static enum jitsim_reason
req_eutran_auth_info(struct jitsim_s6a *out, const uint8_t *p, size_t len)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next_inline(&it, &a)) == JITSIM_R_OK) {
		if (a.code == JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS &&
		    a.vendor == JITSIM_DIAM_VENDOR_3GPP) {
			r = set_u32(&out->has_n_vectors, &out->n_vectors, &a);
			if (r != JITSIM_R_OK)
				return r;
		}
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

/*
 * Experimental-Result (RFC 6733 7.6): { Vendor-Id } { Experimental-Result-Code }.
 * Present only when the code is; a missing Vendor-Id reads as 0.
 */
static enum jitsim_reason
exp_result(struct jitsim_s6a *out, const uint8_t *p, size_t len)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;
	bool has_vendor = false, has_code = false;
	uint32_t vendor = 0, code = 0;

	if (out->has_exp_result)
		return JITSIM_R_OK;
	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next_inline(&it, &a)) == JITSIM_R_OK) {
		if (a.vendor != 0)
			continue;
		if (a.code == JITSIM_AVP_VENDOR_ID)
			r = set_u32(&has_vendor, &vendor, &a);
		else if (a.code == JITSIM_AVP_EXPERIMENTAL_RESULT_CODE)
			r = set_u32(&has_code, &code, &a);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (r != JITSIM_R_END)
		return r;
	if (has_code) {
		out->has_exp_result = true;
		out->exp_vendor = vendor;
		out->exp_result_code = code;
	}
	return JITSIM_R_OK;
}

/*
 * MSISDN inside Subscription-Data. TS 29.272 7.3.2 makes it a direct child,
 * so the children at @p depth are scanned first; only when it is not there
 * are the nested grouped AVPs searched, one level at a time, so the walk goes
 * no deeper than needed and never deeper than JITSIM_DIAM_MAX_DEPTH.
 * @p depth counts AVP levels: top-level AVPs are at depth 1.
 */
static enum jitsim_reason
subdata_msisdn(struct jitsim_s6a *out, const uint8_t *p, size_t len, unsigned int depth)
{
	struct jitsim_diam_avp_iter it, groups = {NULL, 0};
	struct jitsim_diam_avp a;
	enum jitsim_reason r;
	bool has_groups = false;

	if (depth > JITSIM_DIAM_MAX_DEPTH)
		return JITSIM_R_DIAM_TOO_DEEP;
	jitsim_diam_avp_iter_init(&it, p, len);
	for (;;) {
		struct jitsim_diam_avp_iter at = it;

		r = jitsim_diam_avp_next_inline(&it, &a);
		if (r != JITSIM_R_OK)
			break;
		if (a.code == JITSIM_AVP_MSISDN && a.vendor == JITSIM_DIAM_VENDOR_3GPP)
			return set_msisdn(out, &a);
		if (!has_groups && is_subdata_group(a.code, a.vendor)) {
			/* The second pass starts at the first group. */
			groups = at;
			has_groups = true;
		}
	}
	if (r != JITSIM_R_END || !has_groups)
		return r == JITSIM_R_END ? JITSIM_R_OK : r;

	/* Second pass over bytes the first one validated: cannot fail to walk. */
	while (jitsim_diam_avp_next_inline(&groups, &a) == JITSIM_R_OK) {
		if (!is_subdata_group(a.code, a.vendor))
			continue;
		r = subdata_msisdn(out, a.data, a.data_len, depth + 1);
		if (r != JITSIM_R_OK || out->has_msisdn)
			return r;
	}
	return JITSIM_R_OK;
}

/* Top-level AVPs without the vendor flag (RFC 6733 4.5). */
static inline enum jitsim_reason
base_avp(struct jitsim_s6a *out, const struct jitsim_diam_avp *a)
{
	switch (a->code) {
	case JITSIM_AVP_SESSION_ID:
		return set_str(&out->session_id, a);
	case JITSIM_AVP_ORIGIN_HOST:
		return set_str(&out->origin_host, a);
	case JITSIM_AVP_ORIGIN_REALM:
		return set_str(&out->origin_realm, a);
	case JITSIM_AVP_DESTINATION_HOST:
		return set_str(&out->dest_host, a);
	case JITSIM_AVP_DESTINATION_REALM:
		return set_str(&out->dest_realm, a);
	case JITSIM_AVP_USER_NAME:
		set_user_name(out, a);
		return JITSIM_R_OK;
	case JITSIM_AVP_RESULT_CODE:
		return set_u32(&out->has_result_code, &out->result_code, a);
	case JITSIM_AVP_EXPERIMENTAL_RESULT:
		return exp_result(out, a->data, a->data_len);
	default:
		return JITSIM_R_OK;
	}
}

/* Top-level 3GPP AVPs (TS 29.272 7.3.1, TS 29.212 5.3.31, TS 29.329 6.3.2). */
static inline enum jitsim_reason
tgpp_avp(struct jitsim_s6a *out, const struct jitsim_diam_avp *a, const uint8_t **subdata,
	 size_t *subdata_len)
{
	switch (a->code) {
	case JITSIM_AVP_VISITED_PLMN_ID:
		return set_visited_plmn(out, a);
	case JITSIM_AVP_RAT_TYPE:
		return set_u32(&out->has_rat_type, &out->rat_type, a);
	case JITSIM_AVP_ULR_FLAGS:
		return set_u32(&out->has_ulr_flags, &out->ulr_flags, a);
	case JITSIM_AVP_TERMINAL_INFORMATION:
		return terminal_info(out, a->data, a->data_len);
	case JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO:
		return req_eutran_auth_info(out, a->data, a->data_len);
	case JITSIM_AVP_MSISDN:
		return set_msisdn(out, a);
	case JITSIM_AVP_SUBSCRIPTION_DATA:
		/* Searched after the walk, and only if MSISDN is not at the top. */
		if (*subdata == NULL) {
			*subdata = a->data;
			*subdata_len = a->data_len;
		}
		return JITSIM_R_OK;
	default:
		return JITSIM_R_OK;
	}
}

/*
 * Reset only what tells whether a field was found (the flags and the string
 * pointers, NULL when absent): values are written when found and read only
 * under their flag, so the ~340-byte view is not cleared per message.
 */
static inline void
s6a_init(struct jitsim_s6a *out)
{
	static const struct jitsim_s6a_str none = {NULL, 0};

	out->is_request = (out->hdr.flags & JITSIM_DIAM_FLAG_R) != 0;
	out->session_id = none;
	out->origin_host = none;
	out->origin_realm = none;
	out->dest_host = none;
	out->dest_realm = none;
	out->has_user_name = false;
	out->user_name_not_digits = false;
	out->has_visited_plmn = false;
	out->has_rat_type = false;
	out->has_ulr_flags = false;
	out->has_imei = false;
	out->has_sv = false;
	out->has_msisdn = false;
	out->has_result_code = false;
	out->has_exp_result = false;
	out->has_n_vectors = false;
}

enum jitsim_reason
jitsim_s6a_decode(const uint8_t *p, size_t len, struct jitsim_s6a *out)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	const uint8_t *subdata = NULL;
	size_t subdata_len = 0;
	enum jitsim_reason r;

	r = jitsim_diam_decode_hdr_inline(p, len, &out->hdr);
	if (r != JITSIM_R_OK)
		return r;
	s6a_init(out);

	jitsim_diam_avp_iter_init(&it, out->hdr.avps, out->hdr.avps_len);
	while ((r = jitsim_diam_avp_next_inline(&it, &a)) == JITSIM_R_OK) {
		/* AVP codes are per vendor (RFC 6733 4.1): match both. */
		if (a.vendor == 0)
			r = base_avp(out, &a);
		else if (a.vendor == JITSIM_DIAM_VENDOR_3GPP)
			r = tgpp_avp(out, &a, &subdata, &subdata_len);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (r != JITSIM_R_END)
		return r;
	if (subdata != NULL && !out->has_msisdn)
		return subdata_msisdn(out, subdata, subdata_len, 2);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_plmn_decode(const uint8_t p[3], char out[8])
{
	return plmn_decode(p, out);
}

int
jitsim_plmn_encode(const char *mcc_mnc, uint8_t out[3])
{
	size_t n = strnlen(mcc_mnc, 7);
	uint8_t d[6];

	if (n != 5 && n != 6)
		return -1;
	for (size_t i = 0; i < n; i++) {
		if ((unsigned int)(mcc_mnc[i] - '0') > 9)
			return -1;
		d[i] = (uint8_t)(mcc_mnc[i] - '0');
	}
	out[0] = (uint8_t)(d[1] << 4 | d[0]);
	out[1] = (uint8_t)((n == 6 ? d[5] : 0x0f) << 4 | d[2]);
	out[2] = (uint8_t)(d[4] << 4 | d[3]);
	return 0;
}

/* snprintf-semantics accumulator for the dump. */
struct dump_buf {
	char *buf;
	size_t size;
	size_t len; /* what the full line needs, excluding the NUL */
};

__attribute__((format(printf, 2, 3))) static void
dump_printf(struct dump_buf *b, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(b->len < b->size ? b->buf + b->len : NULL,
		      b->len < b->size ? b->size - b->len : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		b->len += (size_t)n;
}

/* Longest identity printed; the view itself keeps the full length. */
#define DUMP_STR_MAX 64

/* Print a string from the wire as one token: spaces and non-ASCII become '.'. */
static void
dump_str(struct dump_buf *b, const char *key, const struct jitsim_s6a_str *s)
{
	char tmp[DUMP_STR_MAX + 1];
	size_t n = s->len < DUMP_STR_MAX ? s->len : DUMP_STR_MAX;

	if (s->p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		tmp[i] = s->p[i] > 0x20 && s->p[i] < 0x7f ? (char)s->p[i] : '.';
	tmp[n] = '\0';
	dump_printf(b, " %s=%s%s", key, tmp, s->len > DUMP_STR_MAX ? "..." : "");
}

int
jitsim_s6a_dump(const struct jitsim_s6a *x, char *buf, size_t size)
{
	struct dump_buf b = {buf, size, 0};
	const char *name = jitsim_diam_cmd_name(x->hdr.cmd);

	if (size > 0)
		buf[0] = '\0';
	dump_printf(&b,
		    "cmd=%" PRIu32 " cmd_name=%s request=%d app_id=%" PRIu32 " hbh=0x%08" PRIx32
		    " e2e=0x%08" PRIx32,
		    x->hdr.cmd, name ? name : "unknown", x->is_request ? 1 : 0, x->hdr.app_id,
		    x->hdr.hbh, x->hdr.e2e);
	dump_str(&b, "session_id", &x->session_id);
	dump_str(&b, "origin_host", &x->origin_host);
	dump_str(&b, "origin_realm", &x->origin_realm);
	dump_str(&b, "dest_host", &x->dest_host);
	dump_str(&b, "dest_realm", &x->dest_realm);
	if (x->has_user_name) {
		if (x->user_name_not_digits)
			dump_printf(&b, " user_name=not_digits");
		else
			dump_printf(&b, " imsi=%s", x->user_name.d);
	}
	if (x->has_visited_plmn)
		dump_printf(&b, " visited_plmn=%s", x->visited_mcc_mnc);
	if (x->has_rat_type)
		dump_printf(&b, " rat_type=%" PRIu32, x->rat_type);
	if (x->has_ulr_flags)
		dump_printf(&b, " ulr_flags=0x%" PRIx32, x->ulr_flags);
	if (x->has_imei)
		dump_printf(&b, " imei=%s", x->imei.d);
	if (x->has_sv)
		dump_printf(&b, " sv=%s", x->sv.d);
	if (x->has_msisdn)
		dump_printf(&b, " msisdn=%s", x->msisdn.d);
	if (x->has_result_code)
		dump_printf(&b, " result_code=%" PRIu32, x->result_code);
	if (x->has_exp_result)
		dump_printf(&b, " exp_result=%" PRIu32 "/%" PRIu32, x->exp_vendor,
			    x->exp_result_code);
	if (x->has_n_vectors)
		dump_printf(&b, " n_vectors=%" PRIu32, x->n_vectors);
	return b.len > INT32_MAX ? INT32_MAX : (int)b.len;
}
