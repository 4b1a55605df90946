/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Strict parsers of the S6a requests the First Time Attach endpoint answers
 * (3GPP TS 29.272 7.2.3 ULR, 7.2.5 AIR, and the part every request shares).
 * One walk over the top-level AVPs: each AVP the command ABNF names once
 * ({...} or [...]) has a slot in a table; a second occurrence is 5009, a
 * value of the wrong length 5014, of the wrong format 5004, and after the
 * walk a mandatory slot left empty is 5005 (RFC 6733 7.1.5). The first
 * error is kept with the AVP for Failed-AVP, and the walk goes on so that
 * Session-Id and Proxy-Info, needed by the error answer, are found wherever
 * they are. Only a broken AVP length stops it: the boundaries after it are
 * lost.
 */

#include <inttypes.h>
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/s6a_fta.h>

#include "dump.h"

#define V3 JITSIM_DIAM_VENDOR_3GPP

/* TS 23.003 2.2: MCC (3) + MNC (2..3) + MSIN, at most 15 digits. */
#define IMSI_MIN_DIGITS 5
#define IMSI_MAX_DIGITS 15
/* TS 29.272 7.3.4, 7.3.5: IMEI is TAC+SNR (14) with an optional spare digit; SVN is 2. */
#define IMEI_MIN_DIGITS 14
#define IMEI_MAX_DIGITS 15
#define SV_DIGITS 2

/* The single AVPs of the requests, by slot. */
enum slot {
	S_SESSION_ID,
	S_AUTH_SESSION_STATE,
	S_ORIGIN_HOST,
	S_ORIGIN_REALM,
	S_DEST_HOST,
	S_DEST_REALM,
	S_USER_NAME,
	S_VISITED_PLMN,
	S_REQ_EUTRAN,
	S_REQ_UTRAN_GERAN,
	S_RAT_TYPE,
	S_ULR_FLAGS,
	S_TERMINAL,
	S_COUNT
};

/*
 * Code, vendor and, for Failed-AVP of a missing one, the minimum value
 * length (RFC 6733 7.5: "of correct minimum length and contain zeroes").
 */
static const struct {
	uint32_t code;
	uint32_t vendor;
	uint8_t min_len;
} slots[S_COUNT] = {
	[S_SESSION_ID] = {JITSIM_AVP_SESSION_ID, 0, 0},
	[S_AUTH_SESSION_STATE] = {JITSIM_AVP_AUTH_SESSION_STATE, 0, 4},
	[S_ORIGIN_HOST] = {JITSIM_AVP_ORIGIN_HOST, 0, 0},
	[S_ORIGIN_REALM] = {JITSIM_AVP_ORIGIN_REALM, 0, 0},
	[S_DEST_HOST] = {JITSIM_AVP_DESTINATION_HOST, 0, 0},
	[S_DEST_REALM] = {JITSIM_AVP_DESTINATION_REALM, 0, 0},
	[S_USER_NAME] = {JITSIM_AVP_USER_NAME, 0, 0},
	[S_VISITED_PLMN] = {JITSIM_AVP_VISITED_PLMN_ID, V3, 3},
	[S_REQ_EUTRAN] = {JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, 0},
	[S_REQ_UTRAN_GERAN] = {JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO, V3, 0},
	[S_RAT_TYPE] = {JITSIM_AVP_RAT_TYPE, V3, 4},
	[S_ULR_FLAGS] = {JITSIM_AVP_ULR_FLAGS, V3, 4},
	[S_TERMINAL] = {JITSIM_AVP_TERMINAL_INFORMATION, V3, 0},
};

/* Mandatory ({...}) AVPs, in the order of the ABNF so 5005 names the first missing. */
#define BIT(s) (1u << (s))
#define MAND_COMMON                                                           \
	(BIT(S_SESSION_ID) | BIT(S_AUTH_SESSION_STATE) | BIT(S_ORIGIN_HOST) | \
	 BIT(S_ORIGIN_REALM) | BIT(S_DEST_REALM) | BIT(S_USER_NAME))
/* TS 29.272 7.2.5 */
#define MAND_AIR (MAND_COMMON | BIT(S_VISITED_PLMN))
/* TS 29.272 7.2.3 */
#define MAND_ULR (MAND_COMMON | BIT(S_RAT_TYPE) | BIT(S_ULR_FLAGS) | BIT(S_VISITED_PLMN))

/* Which command-specific AVPs a walk looks at. */
enum kind { K_COMMON, K_AIR, K_ULR };

struct walk {
	enum kind kind;
	struct jitsim_s6a_fta_req *req;
	struct jitsim_s6a_fta_air *air; /* K_AIR */
	struct jitsim_s6a_fta_ulr *ulr; /* K_ULR */
	uint32_t seen;
};

/* The whole AVP as received: header (which @p raw points to) and value, no padding. */
static void
err_avp(struct jitsim_s6a_fta_err *e, uint32_t rc, const uint8_t *raw,
	const struct jitsim_diam_avp *a)
{
	if (e->result_code != 0)
		return;
	e->result_code = rc;
	e->code = a->code;
	e->vendor = a->vendor;
	e->avp = raw;
	e->avp_len = (size_t)(a->data - raw) + a->data_len;
}

/* An AVP that cannot be copied: Failed-AVP gets an example of it (RFC 6733 7.5). */
static void
err_example(struct jitsim_s6a_fta_err *e, uint32_t rc, uint32_t code, uint32_t vendor,
	    uint8_t min_len)
{
	if (e->result_code != 0)
		return;
	e->result_code = rc;
	e->code = code;
	e->vendor = vendor;
	e->avp = NULL;
	e->avp_len = 0;
	e->missing_len = min_len;
}

/*
 * The walk stopped at @p raw with @p left octets: name the AVP whose length
 * is wrong when its header can be read, otherwise the message (5015).
 */
static void
err_framing(struct jitsim_s6a_fta_err *e, const uint8_t *raw, size_t left)
{
	uint32_t vendor = 0;

	if (left < JITSIM_DIAM_AVP_HDR_LEN) {
		err_example(e, JITSIM_DIAM_INVALID_MESSAGE_LENGTH, 0, 0, 0);
		return;
	}
	if ((raw[4] & JITSIM_DIAM_AVP_V) && left >= JITSIM_DIAM_AVP_VHDR_LEN)
		vendor = jitsim_get_be32(raw + 8);
	err_example(e, JITSIM_DIAM_INVALID_AVP_LENGTH, jitsim_get_be32(raw), vendor, 0);
}

static bool
get_u32(struct jitsim_s6a_fta_err *e, const uint8_t *raw, const struct jitsim_diam_avp *a,
	uint32_t *v)
{
	/* RFC 6733 4.2: Unsigned32 and Enumerated are 4 octets. */
	if (a->data_len != 4) {
		err_avp(e, JITSIM_DIAM_INVALID_AVP_LENGTH, raw, a);
		return false;
	}
	*v = jitsim_get_be32(a->data);
	return true;
}

/* UTF8String / DiameterIdentity (RFC 6733 4.3.1): non-empty; 64 KiB is the view's limit. */
static void
get_str(struct jitsim_s6a_fta_err *e, const uint8_t *raw, const struct jitsim_diam_avp *a,
	struct jitsim_s6a_str *s)
{
	if (a->data_len == 0 || a->data_len > UINT16_MAX) {
		err_avp(e, JITSIM_DIAM_INVALID_AVP_VALUE, raw, a);
		return;
	}
	s->p = a->data;
	s->len = (uint16_t)a->data_len;
}

/* Decimal digits only, @p min..@p max of them. */
static bool
get_digits(const struct jitsim_diam_avp *a, size_t min, size_t max, struct jitsim_digits *d)
{
	if (a->data_len < min || a->data_len > max)
		return false;
	for (size_t i = 0; i < a->data_len; i++)
		if ((unsigned int)(a->data[i] - '0') > 9)
			return false;
	memcpy(d->d, a->data, a->data_len);
	d->d[a->data_len] = '\0';
	d->n = (uint8_t)a->data_len;
	return true;
}

/* Visited-PLMN-Id (7.3.9): the 3 octets of TS 24.008 10.5.1.13. */
static void
get_plmn(struct jitsim_s6a_fta_err *e, const uint8_t *raw, const struct jitsim_diam_avp *a,
	 uint8_t plmn[3], char mcc_mnc[8])
{
	if (a->data_len != 3) {
		err_avp(e, JITSIM_DIAM_INVALID_AVP_LENGTH, raw, a);
		return;
	}
	if (jitsim_plmn_decode(a->data, mcc_mnc) != JITSIM_R_OK) {
		err_avp(e, JITSIM_DIAM_INVALID_AVP_VALUE, raw, a);
		return;
	}
	memcpy(plmn, a->data, 3);
}

/*
 * Walk the inside of a grouped AVP, calling @p fn for each inner AVP with
 * the raw pointer. A broken inner length is reported as the grouped AVP's
 * length being wrong (@p graw/@p g), since that is what Failed-AVP can copy.
 */
typedef void (*inner_fn)(struct walk *wk, const uint8_t *raw, const struct jitsim_diam_avp *a,
			 uint32_t *seen, void *ctx);

static void
walk_group(struct walk *wk, const uint8_t *graw, const struct jitsim_diam_avp *g, inner_fn fn,
	   void *ctx)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;
	uint32_t seen = 0;

	jitsim_diam_avp_iter_init(&it, g->data, g->data_len);
	for (;;) {
		const uint8_t *raw = it.p;

		r = jitsim_diam_avp_next_inline(&it, &a);
		if (r == JITSIM_R_END)
			return;
		if (r != JITSIM_R_OK) {
			err_avp(&wk->req->err, JITSIM_DIAM_INVALID_AVP_LENGTH, graw, g);
			return;
		}
		fn(wk, raw, &a, &seen, ctx);
	}
}

/* A second occurrence of an inner single AVP (bit @p b of @p seen): 5009. */
static bool
inner_once(struct walk *wk, const uint8_t *raw, const struct jitsim_diam_avp *a, uint32_t *seen,
	   unsigned int b)
{
	if (*seen & (1u << b)) {
		err_avp(&wk->req->err, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES, raw, a);
		return false;
	}
	*seen |= 1u << b;
	return true;
}

/*
 * Requested-EUTRAN-Authentication-Info (7.3.11) and
 * Requested-UTRAN-GERAN-Authentication-Info (7.3.12): the same three AVPs.
 */
static void
req_auth_inner(struct walk *wk, const uint8_t *raw, const struct jitsim_diam_avp *a, uint32_t *seen,
	       void *ctx)
{
	struct jitsim_s6a_fta_req_auth *ra = ctx;
	struct jitsim_s6a_fta_err *e = &wk->req->err;
	uint32_t v;

	if (a->vendor != V3)
		return;
	switch (a->code) {
	case JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS:
		if (inner_once(wk, raw, a, seen, 0) && get_u32(e, raw, a, &v))
			ra->n_requested = v;
		break;
	case JITSIM_AVP_IMMEDIATE_RESPONSE_PREFERRED:
		/* 7.3.16: the value is not significant, the length still is. */
		if (inner_once(wk, raw, a, seen, 1) && get_u32(e, raw, a, &v))
			ra->immediate_response_preferred = true;
		break;
	case JITSIM_AVP_RE_SYNCHRONIZATION_INFO:
		if (!inner_once(wk, raw, a, seen, 2))
			break;
		/* 7.3.15: RAND (16) || AUTS (14), TS 33.102 6.3.3. */
		if (a->data_len != JITSIM_S6A_RESYNC_LEN) {
			err_avp(e, JITSIM_DIAM_INVALID_AVP_LENGTH, raw, a);
			break;
		}
		memcpy(ra->rand, a->data, JITSIM_S6A_RAND_LEN);
		memcpy(ra->auts, a->data + JITSIM_S6A_RAND_LEN, JITSIM_S6A_AUTS_LEN);
		ra->has_resync = true;
		break;
	default:
		break;
	}
}

/* Terminal-Information (7.3.3): [ IMEI ] [ 3GPP2-MEID ] [ Software-Version ]. */
static void
terminal_inner(struct walk *wk, const uint8_t *raw, const struct jitsim_diam_avp *a, uint32_t *seen,
	       void *ctx)
{
	struct jitsim_s6a_fta_ulr *u = ctx;
	struct jitsim_s6a_fta_err *e = &wk->req->err;

	if (a->vendor != V3)
		return;
	if (a->code == JITSIM_AVP_IMEI) {
		if (!inner_once(wk, raw, a, seen, 0))
			return;
		if (get_digits(a, IMEI_MIN_DIGITS, IMEI_MAX_DIGITS, &u->imei))
			u->has_imei = true;
		else
			err_avp(e, JITSIM_DIAM_INVALID_AVP_VALUE, raw, a);
	} else if (a->code == JITSIM_AVP_SOFTWARE_VERSION) {
		if (!inner_once(wk, raw, a, seen, 1))
			return;
		if (get_digits(a, SV_DIGITS, SV_DIGITS, &u->sv))
			u->has_sv = true;
		else
			err_avp(e, JITSIM_DIAM_INVALID_AVP_VALUE, raw, a);
	}
}

/* The slot of an AVP for this kind of request, -1 when it has none. */
static int
slot_of(enum kind k, const struct jitsim_diam_avp *a)
{
	if (a->vendor == 0) {
		switch (a->code) {
		case JITSIM_AVP_SESSION_ID:
			return S_SESSION_ID;
		case JITSIM_AVP_AUTH_SESSION_STATE:
			return S_AUTH_SESSION_STATE;
		case JITSIM_AVP_ORIGIN_HOST:
			return S_ORIGIN_HOST;
		case JITSIM_AVP_ORIGIN_REALM:
			return S_ORIGIN_REALM;
		case JITSIM_AVP_DESTINATION_HOST:
			return S_DEST_HOST;
		case JITSIM_AVP_DESTINATION_REALM:
			return S_DEST_REALM;
		case JITSIM_AVP_USER_NAME:
			return S_USER_NAME;
		default:
			return -1;
		}
	}
	if (a->vendor != V3 || k == K_COMMON)
		return -1;
	switch (a->code) {
	case JITSIM_AVP_VISITED_PLMN_ID:
		return S_VISITED_PLMN;
	case JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO:
		return k == K_AIR ? S_REQ_EUTRAN : -1;
	case JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO:
		return k == K_AIR ? S_REQ_UTRAN_GERAN : -1;
	case JITSIM_AVP_RAT_TYPE:
		return k == K_ULR ? S_RAT_TYPE : -1;
	case JITSIM_AVP_ULR_FLAGS:
		return k == K_ULR ? S_ULR_FLAGS : -1;
	case JITSIM_AVP_TERMINAL_INFORMATION:
		return k == K_ULR ? S_TERMINAL : -1;
	default:
		return -1;
	}
}

static void
slot_value(struct walk *wk, enum slot s, const uint8_t *raw, const struct jitsim_diam_avp *a)
{
	struct jitsim_s6a_fta_req *req = wk->req;
	struct jitsim_s6a_fta_err *e = &req->err;
	uint32_t v;

	switch (s) {
	case S_SESSION_ID:
		get_str(e, raw, a, &req->session_id);
		break;
	case S_AUTH_SESSION_STATE:
		if (get_u32(e, raw, a, &v)) {
			req->auth_session_state = v;
			req->has_auth_session_state = true;
		}
		break;
	case S_ORIGIN_HOST:
		get_str(e, raw, a, &req->origin_host);
		break;
	case S_ORIGIN_REALM:
		get_str(e, raw, a, &req->origin_realm);
		break;
	case S_DEST_HOST:
		get_str(e, raw, a, &req->dest_host);
		break;
	case S_DEST_REALM:
		get_str(e, raw, a, &req->dest_realm);
		break;
	case S_USER_NAME:
		/* On S6a the User-Name is the IMSI (TS 29.272 7.3.x, TS 23.003 2.2). */
		if (get_digits(a, IMSI_MIN_DIGITS, IMSI_MAX_DIGITS, &req->imsi))
			req->has_imsi = true;
		else
			err_avp(e, JITSIM_DIAM_INVALID_AVP_VALUE, raw, a);
		break;
	case S_VISITED_PLMN:
		if (wk->kind == K_AIR)
			get_plmn(e, raw, a, wk->air->visited_plmn, wk->air->visited_mcc_mnc);
		else
			get_plmn(e, raw, a, wk->ulr->visited_plmn, wk->ulr->visited_mcc_mnc);
		break;
	case S_REQ_EUTRAN:
		wk->air->eutran.present = true;
		walk_group(wk, raw, a, req_auth_inner, &wk->air->eutran);
		break;
	case S_REQ_UTRAN_GERAN:
		wk->air->utran_geran.present = true;
		walk_group(wk, raw, a, req_auth_inner, &wk->air->utran_geran);
		break;
	case S_RAT_TYPE:
		if (get_u32(e, raw, a, &v))
			wk->ulr->rat_type = v;
		break;
	case S_ULR_FLAGS:
		if (get_u32(e, raw, a, &v))
			wk->ulr->ulr_flags = v;
		break;
	case S_TERMINAL:
		wk->ulr->has_terminal = true;
		walk_group(wk, raw, a, terminal_inner, wk->ulr);
		break;
	case S_COUNT:
		break;
	}
}

static enum jitsim_reason
walk(const uint8_t *p, size_t len, uint32_t cmd, struct walk *wk, uint32_t mandatory)
{
	struct jitsim_s6a_fta_req *req = wk->req;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	struct jitsim_diam_hdr h;
	enum jitsim_reason r;

	r = jitsim_diam_decode_hdr_inline(p, len, &h);
	if (r != JITSIM_R_OK)
		return r;
	if (!(h.flags & JITSIM_DIAM_FLAG_R) || (cmd != 0 && h.cmd != cmd))
		return JITSIM_R_BAD_PARAM;
	if (wk->kind != K_COMMON && h.app_id != JITSIM_S6A_APP_ID)
		return JITSIM_R_BAD_PARAM;
	req->cmd = h.cmd;
	req->app_id = h.app_id;
	req->flags = h.flags;
	req->hbh = h.hbh;
	req->e2e = h.e2e;

	jitsim_diam_avp_iter_init(&it, h.avps, h.avps_len);
	for (;;) {
		const uint8_t *raw = it.p;
		size_t left = it.left;
		int s;

		r = jitsim_diam_avp_next_inline(&it, &a);
		if (r == JITSIM_R_END)
			break;
		if (r != JITSIM_R_OK) {
			err_framing(&req->err, raw, left);
			break;
		}
		if (a.code == JITSIM_AVP_PROXY_INFO && a.vendor == 0) {
			/* RFC 6733 6.2: echoed in the answer, in order. */
			if (req->n_proxy_info == JITSIM_S6A_FTA_PROXY_INFO_MAX) {
				err_avp(&req->err, JITSIM_DIAM_UNABLE_TO_COMPLY, raw, &a);
				continue;
			}
			/* A limit of the struct (16-bit length), not of RFC 6733. */
			if ((size_t)(a.data - raw) + a.data_len > UINT16_MAX) {
				err_avp(&req->err, JITSIM_DIAM_UNABLE_TO_COMPLY, raw, &a);
				continue;
			}
			req->proxy_info[req->n_proxy_info].p = raw;
			req->proxy_info[req->n_proxy_info].len =
				(uint16_t)((size_t)(a.data - raw) + a.data_len);
			req->n_proxy_info++;
			continue;
		}
		s = slot_of(wk->kind, &a);
		if (s < 0)
			continue;
		if (wk->seen & BIT(s)) {
			err_avp(&req->err, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES, raw, &a);
			continue;
		}
		wk->seen |= BIT(s);
		slot_value(wk, (enum slot)s, raw, &a);
	}

	for (unsigned int s = 0; s < S_COUNT; s++) {
		if ((mandatory & BIT(s)) && !(wk->seen & BIT(s)))
			err_example(&req->err, JITSIM_DIAM_MISSING_AVP, slots[s].code,
				    slots[s].vendor, slots[s].min_len);
	}
	return req->err.result_code != 0 ? JITSIM_R_DIAM_BAD_AVP : JITSIM_R_OK;
}

enum jitsim_reason
jitsim_s6a_fta_req_decode(const uint8_t *p, size_t len, uint32_t cmd,
			  struct jitsim_s6a_fta_req *out)
{
	struct walk wk = {.kind = K_COMMON, .req = out};

	memset(out, 0, sizeof(*out));
	return walk(p, len, cmd, &wk, MAND_COMMON);
}

enum jitsim_reason
jitsim_s6a_fta_air_decode(const uint8_t *p, size_t len, struct jitsim_s6a_fta_air *out)
{
	struct walk wk = {.kind = K_AIR, .req = &out->req, .air = out};

	memset(out, 0, sizeof(*out));
	return walk(p, len, JITSIM_S6A_CMD_AIR, &wk, MAND_AIR);
}

enum jitsim_reason
jitsim_s6a_fta_ulr_decode(const uint8_t *p, size_t len, struct jitsim_s6a_fta_ulr *out)
{
	struct walk wk = {.kind = K_ULR, .req = &out->req, .ulr = out};

	memset(out, 0, sizeof(*out));
	return walk(p, len, JITSIM_S6A_CMD_ULR, &wk, MAND_ULR);
}

/* Longest identity printed; the struct keeps the full length. */
#define DUMP_STR_MAX 64

/* A string from the wire as one token: spaces and non-ASCII become '.'. */
static void
dump_str(char *buf, size_t size, size_t *off, const char *key, const struct jitsim_s6a_str *s)
{
	char tmp[DUMP_STR_MAX + 1];
	size_t n = s->len < DUMP_STR_MAX ? s->len : DUMP_STR_MAX;

	if (s->p == NULL)
		return;
	for (size_t i = 0; i < n; i++)
		tmp[i] = s->p[i] > 0x20 && s->p[i] < 0x7f ? (char)s->p[i] : '.';
	tmp[n] = '\0';
	jitsim_dump_add(buf, size, off, " %s=%s%s", key, tmp, s->len > DUMP_STR_MAX ? "..." : "");
}

static void
dump_req(char *buf, size_t size, size_t *off, const struct jitsim_s6a_fta_req *x)
{
	jitsim_dump_add(buf, size, off,
			"cmd=%" PRIu32 " app_id=%" PRIu32 " flags=0x%02x hbh=0x%08" PRIx32
			" e2e=0x%08" PRIx32,
			x->cmd, x->app_id, x->flags, x->hbh, x->e2e);
	dump_str(buf, size, off, "session_id", &x->session_id);
	dump_str(buf, size, off, "origin_host", &x->origin_host);
	dump_str(buf, size, off, "origin_realm", &x->origin_realm);
	dump_str(buf, size, off, "dest_host", &x->dest_host);
	dump_str(buf, size, off, "dest_realm", &x->dest_realm);
	if (x->has_auth_session_state)
		jitsim_dump_add(buf, size, off, " auth_session_state=%" PRIu32,
				x->auth_session_state);
	if (x->has_imsi)
		jitsim_dump_add(buf, size, off, " imsi=%s", x->imsi.d);
	if (x->n_proxy_info)
		jitsim_dump_add(buf, size, off, " proxy_info=%u", x->n_proxy_info);
	if (x->err.result_code)
		jitsim_dump_add(buf, size, off,
				" err=%" PRIu32 " failed_avp=%" PRIu32 "/%" PRIu32 "%s",
				x->err.result_code, x->err.code, x->err.vendor,
				x->err.avp != NULL ? "" : "(example)");
}

static void
dump_req_auth(char *buf, size_t size, size_t *off, const char *key,
	      const struct jitsim_s6a_fta_req_auth *ra)
{
	if (!ra->present)
		return;
	/* RAND and AUTS are never printed: presence only. */
	jitsim_dump_add(buf, size, off, " %s=%" PRIu32 "%s%s", key, ra->n_requested,
			ra->immediate_response_preferred ? ",immediate" : "",
			ra->has_resync ? ",resync" : "");
}

/* Empty output, the request fields, then the Visited-PLMN-Id if given and decoded. */
static void
dump_start(char *buf, size_t size, size_t *off, const struct jitsim_s6a_fta_req *req,
	   const char *visited_mcc_mnc)
{
	if (size > 0)
		buf[0] = '\0';
	dump_req(buf, size, off, req);
	if (visited_mcc_mnc != NULL && visited_mcc_mnc[0] != '\0')
		jitsim_dump_add(buf, size, off, " visited_plmn=%s", visited_mcc_mnc);
}

/* snprintf's return: the length wanted, clamped to what an int holds. */
static int
dump_len(size_t off)
{
	return off > INT32_MAX ? INT32_MAX : (int)off;
}

int
jitsim_s6a_fta_req_dump(const struct jitsim_s6a_fta_req *x, char *buf, size_t size)
{
	size_t off = 0;

	dump_start(buf, size, &off, x, NULL);
	return dump_len(off);
}

int
jitsim_s6a_fta_air_dump(const struct jitsim_s6a_fta_air *x, char *buf, size_t size)
{
	size_t off = 0;

	dump_start(buf, size, &off, &x->req, x->visited_mcc_mnc);
	dump_req_auth(buf, size, &off, "eutran", &x->eutran);
	dump_req_auth(buf, size, &off, "utran_geran", &x->utran_geran);
	return dump_len(off);
}

int
jitsim_s6a_fta_ulr_dump(const struct jitsim_s6a_fta_ulr *x, char *buf, size_t size)
{
	size_t off = 0;

	dump_start(buf, size, &off, &x->req, x->visited_mcc_mnc);
	jitsim_dump_add(buf, size, &off, " rat_type=%" PRIu32 " ulr_flags=0x%" PRIx32, x->rat_type,
			x->ulr_flags);
	if (x->has_imei)
		jitsim_dump_add(buf, size, &off, " imei=%s", x->imei.d);
	if (x->has_sv)
		jitsim_dump_add(buf, size, &off, " sv=%s", x->sv.d);
	return dump_len(off);
}
