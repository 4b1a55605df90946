/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Builders of the messages the First Time Attach endpoint sends as an HSS
 * (3GPP TS 29.272 7.2): AIA, ULA, PUA, NOA, error answers of any request,
 * and CLR; and the AIR of a test MME. AVPs in the order of the command ABNF, flags as TS 29.272
 * Table 7.3.1/1 and TS 29.212/29.214 give them. Every parameter is checked before the first byte is
 * written; on JITSIM_R_NOSPACE the wbuf tail is restored.
 */

#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/s6a_fta.h>

#define M JITSIM_DIAM_AVP_M
#define V3 JITSIM_DIAM_VENDOR_3GPP

/* RFC 6733 8.11 */
#define AUTH_SESSION_STATE_NO_STATE_MAINTAINED 1
/* ITU-T E.164 6: at most 15 digits. */
#define E164_MAX_DIGITS 15
#define IMSI_MIN_DIGITS 5
#define IMSI_MAX_DIGITS 15
/* TS 29.212 5.3.45: Priority-Level 1 (highest) .. 15. */
#define PRIORITY_LEVEL_MAX 15
#define QCI_MAX 254
/* Example AVP value of a missing AVP: no request AVP the parsers require is longer. */
#define EXAMPLE_MAX 16

/* Bail out on the first failed append; `fail` restores the tail. */
#define TRY(expr)                     \
	do {                          \
		r = (expr);           \
		if (r != JITSIM_R_OK) \
			goto fail;    \
	} while (0)

static bool
nonempty(const char *s)
{
	return s != NULL && s[0] != '\0';
}

static bool
origin_ok(const struct jitsim_s6a_fta_origin *o)
{
	return o != NULL && nonempty(o->host) && nonempty(o->realm);
}

static bool
decimal(const struct jitsim_digits *d, size_t min, size_t max)
{
	if (d->n < min || d->n > max)
		return false;
	for (size_t i = 0; i < d->n; i++)
		if ((unsigned int)(d->d[i] - '0') > 9)
			return false;
	return true;
}

static enum jitsim_reason
put_str(struct jitsim_wbuf *w, uint32_t code, const struct jitsim_s6a_str *s)
{
	return jitsim_diam_encode_avp(w, code, M, 0, s->p, s->len);
}

/* A whole AVP copied as received (header included), padded to 32 bits (RFC 6733 4.1). */
static enum jitsim_reason
put_raw(struct jitsim_wbuf *w, const uint8_t *raw, size_t len)
{
	size_t padded = (len + 3) & ~(size_t)3;
	uint8_t *d = jitsim_wbuf_append(w, padded);

	if (d == NULL)
		return JITSIM_R_NOSPACE;
	memcpy(d, raw, len);
	memset(d + len, 0, padded - len);
	return JITSIM_R_OK;
}

static bool
is_s6a(const struct jitsim_s6a_fta_req *req)
{
	return req->app_id == JITSIM_S6A_APP_ID;
}

/* TS 29.272 7.1: S6a sessions keep no state. */
static enum jitsim_reason
put_session_state(struct jitsim_wbuf *w)
{
	return jitsim_diam_encode_avp_u32(w, JITSIM_AVP_AUTH_SESSION_STATE, M, 0,
					  AUTH_SESSION_STATE_NO_STATE_MAINTAINED);
}

/* { Origin-Host } { Origin-Realm } of this endpoint. */
static enum jitsim_reason
put_origin(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_origin *origin)
{
	enum jitsim_reason r =
		jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_HOST, M, 0, origin->host);

	if (r != JITSIM_R_OK)
		return r;
	return jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_REALM, M, 0, origin->realm);
}

/*
 * The start the requests this endpoint sends share (TS 29.272 7.2.3, 7.2.7):
 * header with R and PXY, < Session-Id >, [ Vendor-Specific-Application-Id ],
 * { Auth-Session-State }, { Origin-Host } { Origin-Realm }.
 */
static enum jitsim_reason
request_begin(struct jitsim_wbuf *w, uint32_t cmd, uint32_t hbh, uint32_t e2e,
	      const char *session_id, const struct jitsim_s6a_fta_origin *origin, size_t *start)
{
	struct jitsim_diam_hdr h;
	enum jitsim_reason r;

	memset(&h, 0, sizeof(h));
	h.flags = JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P;
	h.cmd = cmd;
	h.app_id = JITSIM_S6A_APP_ID;
	h.hbh = hbh;
	h.e2e = e2e;
	r = jitsim_diam_encode_hdr(w, &h, start);
	if (r == JITSIM_R_OK)
		r = jitsim_diam_encode_avp_str(w, JITSIM_AVP_SESSION_ID, M, 0, session_id);
	if (r == JITSIM_R_OK)
		r = jitsim_diam_encode_vsai(w, V3, JITSIM_S6A_APP_ID);
	if (r == JITSIM_R_OK)
		r = put_session_state(w);
	if (r == JITSIM_R_OK)
		r = put_origin(w, origin);
	return r;
}

/*
 * The start every answer shares (TS 29.272 7.2.4/6/14/18, RFC 6733 7.2):
 * header copied from the request, < Session-Id >, [ Vendor-Specific-
 * Application-Id ], [ Result-Code ] or [ Experimental-Result ],
 * { Auth-Session-State } (S6a), { Origin-Host } { Origin-Realm }.
 */
static enum jitsim_reason
answer_begin(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
	     const struct jitsim_s6a_fta_origin *origin, uint32_t result_code,
	     uint32_t exp_result_code, size_t *start)
{
	struct jitsim_diam_hdr h;
	enum jitsim_reason r;

	memset(&h, 0, sizeof(h));
	/* RFC 6733 6.2: P as in the request; 7.2: E for protocol errors (3xxx). */
	h.flags = req->flags & JITSIM_DIAM_FLAG_P;
	if (result_code >= 3000 && result_code < 4000)
		h.flags |= JITSIM_DIAM_FLAG_E;
	h.cmd = req->cmd;
	h.app_id = req->app_id;
	h.hbh = req->hbh;
	h.e2e = req->e2e;
	r = jitsim_diam_encode_hdr(w, &h, start);
	if (r != JITSIM_R_OK)
		return r;
	/* RFC 6733 8.8: Session-Id first. */
	if (req->session_id.p != NULL) {
		r = put_str(w, JITSIM_AVP_SESSION_ID, &req->session_id);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (is_s6a(req)) {
		r = jitsim_diam_encode_vsai(w, V3, JITSIM_S6A_APP_ID);
		if (r != JITSIM_R_OK)
			return r;
	}
	/* RFC 6733 7.6; TS 29.272 7.4.3: Experimental-Result of vendor 10415. */
	if (exp_result_code != 0)
		r = jitsim_diam_encode_exp_result(w, V3, exp_result_code);
	else
		r = jitsim_diam_encode_avp_u32(w, JITSIM_AVP_RESULT_CODE, M, 0, result_code);
	if (r != JITSIM_R_OK)
		return r;
	if (is_s6a(req)) {
		r = put_session_state(w);
		if (r != JITSIM_R_OK)
			return r;
	}
	return put_origin(w, origin);
}

/* [ Failed-AVP ] *[ Proxy-Info ] (RFC 6733 6.2, 7.5), then the message length. */
static enum jitsim_reason
answer_end(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
	   const struct jitsim_s6a_fta_err *failed, size_t start)
{
	enum jitsim_reason r;
	size_t grp;

	if (failed != NULL && failed->result_code != 0 &&
	    (failed->avp != NULL || failed->code != 0)) {
		r = jitsim_diam_encode_group_begin(w, JITSIM_AVP_FAILED_AVP, M, 0, &grp);
		if (r != JITSIM_R_OK)
			return r;
		if (failed->avp != NULL) {
			r = put_raw(w, failed->avp, failed->avp_len);
		} else {
			/* RFC 6733 7.5: an example, zeros of the minimum length. */
			static const uint8_t zeros[EXAMPLE_MAX];

			r = jitsim_diam_encode_avp(w, failed->code, M, failed->vendor, zeros,
						   failed->missing_len);
		}
		if (r != JITSIM_R_OK)
			return r;
		jitsim_diam_encode_group_end(w, grp);
	}
	for (unsigned int i = 0; i < req->n_proxy_info; i++) {
		r = put_raw(w, req->proxy_info[i].p, req->proxy_info[i].len);
		if (r != JITSIM_R_OK)
			return r;
	}
	jitsim_diam_encode_finish(w, start);
	return JITSIM_R_OK;
}

/* What every answer builder checks of the request and the origin. */
static bool
answer_ok(const struct jitsim_s6a_fta_req *req, const struct jitsim_s6a_fta_origin *origin)
{
	if (req == NULL || !origin_ok(origin) || req->n_proxy_info > JITSIM_S6A_FTA_PROXY_INFO_MAX)
		return false;
	for (unsigned int i = 0; i < req->n_proxy_info; i++)
		if (req->proxy_info[i].p == NULL ||
		    req->proxy_info[i].len < JITSIM_DIAM_AVP_HDR_LEN)
			return false;
	return true;
}

static bool
xres_ok(uint8_t n)
{
	return n >= JITSIM_S6A_XRES_MIN && n <= JITSIM_S6A_XRES_MAX;
}

static bool
auth_info_ok(const struct jitsim_s6a_fta_auth_info *ai)
{
	if (ai == NULL || ai->n_eutran > JITSIM_S6A_FTA_VECTORS_MAX ||
	    ai->n_utran > JITSIM_S6A_FTA_VECTORS_MAX || ai->n_geran > JITSIM_S6A_FTA_VECTORS_MAX)
		return false;
	if (ai->n_eutran + ai->n_utran + ai->n_geran == 0)
		return false;
	if ((ai->n_eutran && ai->eutran == NULL) || (ai->n_utran && ai->utran == NULL) ||
	    (ai->n_geran && ai->geran == NULL))
		return false;
	for (unsigned int i = 0; i < ai->n_eutran; i++)
		if (!xres_ok(ai->eutran[i].xres_len))
			return false;
	for (unsigned int i = 0; i < ai->n_utran; i++)
		if (!xres_ok(ai->utran[i].xres_len))
			return false;
	return true;
}

/* The octet-string AVPs of the vectors (7.3.53-7.3.60, TS 29.229 6.3.27/28): all M, V. */
static enum jitsim_reason
put_oct(struct jitsim_wbuf *w, uint32_t code, const uint8_t *p, size_t n)
{
	return jitsim_diam_encode_avp(w, code, M, V3, p, n);
}

/*
 * Open a vector group (TS 29.272 7.3.18-7.3.20) with what every kind starts
 * with: { Item-Number } { RAND }, then { XRES } { AUTN } unless @p xres is
 * NULL (GERAN).
 */
static enum jitsim_reason
vector_begin(struct jitsim_wbuf *w, uint32_t code, uint32_t item,
	     const uint8_t rnd[JITSIM_S6A_RAND_LEN], const uint8_t *xres, size_t xres_len,
	     const uint8_t *autn, size_t *vec)
{
	enum jitsim_reason r = jitsim_diam_encode_group_begin(w, code, M, V3, vec);

	if (r == JITSIM_R_OK)
		r = jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ITEM_NUMBER, M, V3, item);
	if (r == JITSIM_R_OK)
		r = put_oct(w, JITSIM_AVP_RAND, rnd, JITSIM_S6A_RAND_LEN);
	if (r == JITSIM_R_OK && xres != NULL)
		r = put_oct(w, JITSIM_AVP_XRES, xres, xres_len);
	if (r == JITSIM_R_OK && xres != NULL)
		r = put_oct(w, JITSIM_AVP_AUTN, autn, JITSIM_S6A_AUTN_LEN);
	return r;
}

static enum jitsim_reason
put_vectors(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_auth_info *ai)
{
	enum jitsim_reason r;
	size_t grp, vec;

	r = jitsim_diam_encode_group_begin(w, JITSIM_AVP_AUTHENTICATION_INFO, M, V3, &grp);
	if (r != JITSIM_R_OK)
		return r;
	/* 7.3.23: Item-Number orders the vectors, 1 first, per kind. */
	for (unsigned int i = 0; i < ai->n_eutran; i++) {
		const struct jitsim_s6a_fta_eutran_vector *v = &ai->eutran[i];

		TRY(vector_begin(w, JITSIM_AVP_E_UTRAN_VECTOR, i + 1, v->rand, v->xres, v->xres_len,
				 v->autn, &vec));
		TRY(put_oct(w, JITSIM_AVP_KASME, v->kasme, sizeof(v->kasme)));
		jitsim_diam_encode_group_end(w, vec);
	}
	for (unsigned int i = 0; i < ai->n_utran; i++) {
		const struct jitsim_s6a_fta_utran_vector *v = &ai->utran[i];

		TRY(vector_begin(w, JITSIM_AVP_UTRAN_VECTOR, i + 1, v->rand, v->xres, v->xres_len,
				 v->autn, &vec));
		TRY(put_oct(w, JITSIM_AVP_CONFIDENTIALITY_KEY, v->ck, sizeof(v->ck)));
		TRY(put_oct(w, JITSIM_AVP_INTEGRITY_KEY, v->ik, sizeof(v->ik)));
		jitsim_diam_encode_group_end(w, vec);
	}
	for (unsigned int i = 0; i < ai->n_geran; i++) {
		const struct jitsim_s6a_fta_geran_vector *v = &ai->geran[i];

		TRY(vector_begin(w, JITSIM_AVP_GERAN_VECTOR, i + 1, v->rand, NULL, 0, NULL, &vec));
		TRY(put_oct(w, JITSIM_AVP_SRES, v->sres, sizeof(v->sres)));
		TRY(put_oct(w, JITSIM_AVP_KC, v->kc, sizeof(v->kc)));
		jitsim_diam_encode_group_end(w, vec);
	}
	jitsim_diam_encode_group_end(w, grp);
fail:
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_aia_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
			  const struct jitsim_s6a_fta_origin *origin,
			  const struct jitsim_s6a_fta_auth_info *ai)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!answer_ok(req, origin) || req->session_id.p == NULL || !auth_info_ok(ai))
		return JITSIM_R_BAD_PARAM;
	TRY(answer_begin(w, req, origin, JITSIM_DIAM_SUCCESS, 0, &start));
	TRY(put_vectors(w, ai));
	TRY(answer_end(w, req, NULL, start));
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

void
jitsim_s6a_fta_subscription_init(struct jitsim_s6a_fta_subscription *s)
{
	memset(s, 0, sizeof(*s));
	s->subscriber_status = JITSIM_S6A_SUBSCRIBER_STATUS_SERVICE_GRANTED;
	s->network_access_mode = JITSIM_S6A_NAM_ONLY_PACKET;
	s->default_context_id = 1;
	s->all_apn_included = JITSIM_S6A_ALL_APN_CONFIGURATIONS_INCLUDED;
	s->n_apn = 1;
	s->apn[0].context_id = 1;
	s->apn[0].pdn_type = JITSIM_S6A_PDN_TYPE_IPV4;
	memcpy(s->apn[0].name, "internet", sizeof("internet"));
	/* TS 23.203 Table 6.1.7: 9 is the default bearer of best-effort internet. */
	s->apn[0].qci = 9;
	s->apn[0].priority_level = 8;
	s->apn[0].pre_emption_capability = JITSIM_S6A_PRE_EMPTION_CAPABILITY_DISABLED;
	s->apn[0].pre_emption_vulnerability = JITSIM_S6A_PRE_EMPTION_VULNERABILITY_ENABLED;
}

/*
 * APN Network Identifier (TS 23.003 9.1.1): labels of letters, digits and
 * '-', separated by dots, at most 63 octets; or the wildcard "*" (9.2).
 */
static bool
apn_name_ok(const char *s)
{
	size_t n = strnlen(s, JITSIM_S6A_FTA_APN_NAME_MAX + 1), label = 0;

	if (n == 0 || n > JITSIM_S6A_FTA_APN_NAME_MAX)
		return false;
	if (n == 1 && s[0] == '*')
		return true;
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (c == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '-'))
			return false;
		label++;
	}
	return label != 0;
}

static bool
subscription_ok(const struct jitsim_s6a_fta_subscription *s)
{
	bool default_found = false;

	if (s->msisdn.n != 0 && !decimal(&s->msisdn, 1, E164_MAX_DIGITS))
		return false;
	if (s->n_apn > JITSIM_S6A_FTA_APN_MAX)
		return false;
	for (unsigned int i = 0; i < s->n_apn; i++) {
		const struct jitsim_s6a_fta_apn *a = &s->apn[i];

		if (a->context_id == 0 || !apn_name_ok(a->name) ||
		    a->pdn_type > JITSIM_S6A_PDN_TYPE_IPV4_OR_IPV6 || a->qci == 0 ||
		    a->qci > QCI_MAX || a->priority_level == 0 ||
		    a->priority_level > PRIORITY_LEVEL_MAX || a->pre_emption_capability > 1 ||
		    a->pre_emption_vulnerability > 1)
			return false;
		for (unsigned int j = 0; j < i; j++)
			if (s->apn[j].context_id == a->context_id)
				return false;
		if (a->context_id == s->default_context_id)
			default_found = true;
	}
	/* 7.3.34: the profile's Context-Identifier names the default APN. */
	return s->n_apn == 0 || default_found;
}

/* AMBR (7.3.41): { Max-Requested-Bandwidth-UL } { Max-Requested-Bandwidth-DL }. */
static enum jitsim_reason
put_ambr(struct jitsim_wbuf *w, uint32_t ul, uint32_t dl)
{
	enum jitsim_reason r;
	size_t grp;

	r = jitsim_diam_encode_group_begin(w, JITSIM_AVP_AMBR, M, V3, &grp);
	if (r != JITSIM_R_OK)
		return r;
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_MAX_REQUESTED_BANDWIDTH_UL, M, V3, ul));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_MAX_REQUESTED_BANDWIDTH_DL, M, V3, dl));
	jitsim_diam_encode_group_end(w, grp);
fail:
	return r;
}

/* APN-Configuration (7.3.35), the AVPs in the order of its ABNF. */
static enum jitsim_reason
put_apn(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_apn *a)
{
	enum jitsim_reason r;
	size_t grp, qos, arp;

	r = jitsim_diam_encode_group_begin(w, JITSIM_AVP_APN_CONFIGURATION, M, V3, &grp);
	if (r != JITSIM_R_OK)
		return r;
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_CONTEXT_IDENTIFIER, M, V3, a->context_id));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_PDN_TYPE, M, V3, a->pdn_type));
	/* RFC 5778 6.2: the APN as dotted text, an IETF AVP. */
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_SERVICE_SELECTION, M, 0, a->name));
	/* 7.3.37 { QoS-Class-Identifier } { Allocation-Retention-Priority } */
	TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_EPS_SUBSCRIBED_QOS_PROFILE, M, V3, &qos));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_QOS_CLASS_IDENTIFIER, M, V3, a->qci));
	TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_ALLOCATION_RETENTION_PRIORITY, M, V3,
					   &arp));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_PRIORITY_LEVEL, M, V3, a->priority_level));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_PRE_EMPTION_CAPABILITY, M, V3,
				       a->pre_emption_capability));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_PRE_EMPTION_VULNERABILITY, M, V3,
				       a->pre_emption_vulnerability));
	jitsim_diam_encode_group_end(w, arp);
	jitsim_diam_encode_group_end(w, qos);
	if (a->ambr_ul != 0 || a->ambr_dl != 0)
		TRY(put_ambr(w, a->ambr_ul, a->ambr_dl));
	jitsim_diam_encode_group_end(w, grp);
fail:
	return r;
}

static enum jitsim_reason
put_subscription(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_subscription *s)
{
	uint8_t msisdn[(E164_MAX_DIGITS + 1) / 2];
	enum jitsim_reason r;
	size_t grp, prof;
	int n;

	r = jitsim_diam_encode_group_begin(w, JITSIM_AVP_SUBSCRIPTION_DATA, M, V3, &grp);
	if (r != JITSIM_R_OK)
		return r;
	/* 7.3.2: the order of the Subscription-Data ABNF. */
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_SUBSCRIBER_STATUS, M, V3,
				       s->subscriber_status));
	if (s->msisdn.n != 0) {
		/* TS 29.329 6.3.2: MSISDN as TBCD; checked decimal, so it encodes. */
		n = jitsim_tbcd_encode(s->msisdn.d, msisdn, sizeof(msisdn));
		if (n < 0) {
			r = JITSIM_R_BAD_PARAM;
			goto fail;
		}
		TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_MSISDN, M, V3, msisdn, (size_t)n));
	}
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_NETWORK_ACCESS_MODE, M, V3,
				       s->network_access_mode));
	if (s->ambr_ul != 0 || s->ambr_dl != 0)
		TRY(put_ambr(w, s->ambr_ul, s->ambr_dl));
	if (s->n_apn != 0) {
		TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_APN_CONFIGURATION_PROFILE, M, V3,
						   &prof));
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_CONTEXT_IDENTIFIER, M, V3,
					       s->default_context_id));
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ALL_APN_CONFIGURATIONS_INCLUDED_IND, M,
					       V3, s->all_apn_included));
		for (unsigned int i = 0; i < s->n_apn; i++)
			TRY(put_apn(w, &s->apn[i]));
		jitsim_diam_encode_group_end(w, prof);
	}
	jitsim_diam_encode_group_end(w, grp);
fail:
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_ula_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
			  const struct jitsim_s6a_fta_origin *origin, uint32_t ula_flags,
			  const struct jitsim_s6a_fta_subscription *sub)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!answer_ok(req, origin) || req->session_id.p == NULL ||
	    (sub != NULL && !subscription_ok(sub)))
		return JITSIM_R_BAD_PARAM;
	TRY(answer_begin(w, req, origin, JITSIM_DIAM_SUCCESS, 0, &start));
	/* 7.2.4: [ ULA-Flags ] [ Subscription-Data ]. */
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ULA_FLAGS, M, V3, ula_flags));
	if (sub != NULL)
		TRY(put_subscription(w, sub));
	TRY(answer_end(w, req, NULL, start));
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_pua_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
			  const struct jitsim_s6a_fta_origin *origin, uint32_t pua_flags)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!answer_ok(req, origin) || req->session_id.p == NULL)
		return JITSIM_R_BAD_PARAM;
	TRY(answer_begin(w, req, origin, JITSIM_DIAM_SUCCESS, 0, &start));
	if (pua_flags != 0)
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_PUA_FLAGS, M, V3, pua_flags));
	TRY(answer_end(w, req, NULL, start));
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_noa_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
			  const struct jitsim_s6a_fta_origin *origin)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!answer_ok(req, origin) || req->session_id.p == NULL)
		return JITSIM_R_BAD_PARAM;
	TRY(answer_begin(w, req, origin, JITSIM_DIAM_SUCCESS, 0, &start));
	TRY(answer_end(w, req, NULL, start));
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_answer_error(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_req *req,
			    const struct jitsim_s6a_fta_origin *origin, uint32_t result_code,
			    uint32_t exp_result_code, const struct jitsim_s6a_fta_err *failed)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!answer_ok(req, origin) || (result_code != 0) == (exp_result_code != 0))
		return JITSIM_R_BAD_PARAM;
	if (result_code != 0 && (result_code < 3000 || result_code > 5999))
		return JITSIM_R_BAD_PARAM;
	if (exp_result_code != 0 && (exp_result_code < 4000 || exp_result_code > 5999))
		return JITSIM_R_BAD_PARAM;
	if (failed != NULL && failed->result_code != 0) {
		if (failed->avp != NULL && failed->avp_len < JITSIM_DIAM_AVP_HDR_LEN)
			return JITSIM_R_BAD_PARAM;
		if (failed->avp == NULL && failed->missing_len > EXAMPLE_MAX)
			return JITSIM_R_BAD_PARAM;
	}
	TRY(answer_begin(w, req, origin, result_code, exp_result_code, &start));
	TRY(answer_end(w, req, failed, start));
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_clr_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_origin *origin,
			  const struct jitsim_s6a_fta_clr *clr)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	size_t start;

	if (!origin_ok(origin) || clr == NULL || !nonempty(clr->session_id) ||
	    !nonempty(clr->dest_host) || !nonempty(clr->dest_realm) || clr->imsi == NULL ||
	    !decimal(clr->imsi, IMSI_MIN_DIGITS, IMSI_MAX_DIGITS) ||
	    clr->cancellation_type > JITSIM_S6A_CANCEL_INITIAL_ATTACH_PROCEDURE)
		return JITSIM_R_BAD_PARAM;

	/* TS 29.272 7.2.7: the CLR header has R and PXY. */
	TRY(request_begin(w, JITSIM_S6A_CMD_CLR, clr->hbh, clr->e2e, clr->session_id, origin,
			  &start));
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_HOST, M, 0, clr->dest_host));
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_REALM, M, 0, clr->dest_realm));
	TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_USER_NAME, M, 0, clr->imsi->d, clr->imsi->n));
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_CANCELLATION_TYPE, M, V3,
				       clr->cancellation_type));
	/* 7.3.152: CLR-Flags has V and not M (Table 7.3.1/1). */
	if (clr->clr_flags != 0)
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_CLR_FLAGS, 0, V3, clr->clr_flags));
	jitsim_diam_encode_finish(w, start);
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}

/* Requested-EUTRAN- or -UTRAN-GERAN-Authentication-Info (7.3.11, 7.3.12). */
static enum jitsim_reason
put_req_auth(struct jitsim_wbuf *w, uint32_t code, const struct jitsim_s6a_fta_req_auth *ra)
{
	uint8_t rs[JITSIM_S6A_RESYNC_LEN];
	enum jitsim_reason r;
	size_t grp;

	if (ra->n_requested == 0 && !ra->has_resync)
		return JITSIM_R_OK;
	r = jitsim_diam_encode_group_begin(w, code, M, V3, &grp);
	if (r != JITSIM_R_OK)
		return r;
	if (ra->n_requested != 0)
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3,
					       ra->n_requested));
	/* 7.3.16: present means preferred; the value is not significant. */
	if (ra->immediate_response_preferred)
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_IMMEDIATE_RESPONSE_PREFERRED, M, V3,
					       0));
	if (ra->has_resync) {
		/* 7.3.15: RAND || AUTS. */
		memcpy(rs, ra->rand, JITSIM_S6A_RAND_LEN);
		memcpy(rs + JITSIM_S6A_RAND_LEN, ra->auts, JITSIM_S6A_AUTS_LEN);
		TRY(put_oct(w, JITSIM_AVP_RE_SYNCHRONIZATION_INFO, rs, sizeof(rs)));
	}
	jitsim_diam_encode_group_end(w, grp);
fail:
	return r;
}

enum jitsim_reason
jitsim_s6a_fta_air_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_fta_origin *origin,
			  const struct jitsim_s6a_fta_air_req *m)
{
	const size_t tail0 = w->tail;
	enum jitsim_reason r;
	uint8_t plmn[3];
	size_t start;

	if (!origin_ok(origin) || m == NULL || !nonempty(m->session_id) ||
	    !nonempty(m->dest_realm) || (m->dest_host != NULL && m->dest_host[0] == '\0') ||
	    m->imsi == NULL || !decimal(m->imsi, IMSI_MIN_DIGITS, IMSI_MAX_DIGITS) ||
	    m->visited_plmn == NULL || jitsim_plmn_encode(m->visited_plmn, plmn) != 0)
		return JITSIM_R_BAD_PARAM;

	TRY(request_begin(w, JITSIM_S6A_CMD_AIR, m->hbh, m->e2e, m->session_id, origin, &start));
	if (m->dest_host != NULL)
		TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_HOST, M, 0, m->dest_host));
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_REALM, M, 0, m->dest_realm));
	TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_USER_NAME, M, 0, m->imsi->d, m->imsi->n));
	TRY(put_req_auth(w, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, &m->eutran));
	TRY(put_req_auth(w, JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO, &m->utran_geran));
	TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_VISITED_PLMN_ID, M, V3, plmn, 3));
	jitsim_diam_encode_finish(w, start);
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}
