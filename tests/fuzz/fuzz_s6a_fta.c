/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the S6a side of the First Time Attach endpoint (s6a_fta.h): the
 * strict request parsers (AIR, ULR, any request) and the answers built from
 * what they parsed. The input is one Diameter message (the seeds of the
 * diameter target). Beyond "no crash":
 * - every refusal is answerable: JITSIM_R_DIAM_BAD_AVP comes with a
 *   Result-Code the answer builder takes, and the error answer decodes as a
 *   Diameter answer to the request (same command, application, hop-by-hop
 *   and end-to-end identifiers, Session-Id echoed, the Result-Code, the
 *   failed AVP copied into Failed-AVP);
 * - a request that parses is answered (AIA with the vectors asked for,
 *   ULA with a subscription, Experimental-Result User-Unknown) and the
 *   answers decode the same way;
 * - an AIR that parses is built again with the test MME's builder and
 *   parses to the same values (decode -> encode -> decode).
 */

#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/s6a_fta.h>

#include "fuzz_main.h"

static const struct jitsim_s6a_fta_origin hss = {.host = "hss.fuzz.example",
						 .realm = "fuzz.example"};

static bool
str_equal(const struct jitsim_s6a_str *a, const struct jitsim_s6a_str *b)
{
	if (a->p == NULL || b->p == NULL)
		return a->p == b->p;
	return a->len == b->len && memcmp(a->p, b->p, a->len) == 0;
}

/* Find the first top-level AVP @code in @h; false if absent. */
static bool
find_avp(const struct jitsim_diam_hdr *h, uint32_t code, struct jitsim_diam_avp *out)
{
	struct jitsim_diam_avp_iter it;

	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next(&it, out) == JITSIM_R_OK)
		if (out->code == code && out->vendor == 0)
			return true;
	return false;
}

/*
 * Every AVP of @p / @p len parses, and the AVPs inside the groups an answer
 * is built with, down to @depth levels (a copied Failed-AVP is checked as
 * one AVP: its own inside is the peer's).
 */
static void
walk(const uint8_t *p, size_t len, unsigned int depth)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next(&it, &a)) == JITSIM_R_OK)
		if (depth > 0 && (a.code == JITSIM_AVP_FAILED_AVP ||
				  a.code == JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID ||
				  a.code == JITSIM_AVP_EXPERIMENTAL_RESULT ||
				  a.code == JITSIM_AVP_AUTHENTICATION_INFO ||
				  a.code == JITSIM_AVP_SUBSCRIPTION_DATA))
			walk(a.data, a.data_len, depth - 1);
	FUZZ_CHECK(r == JITSIM_R_END);
}

/* The answer in @w (from offset @off) answers @req; returns its header. */
static void
answer_decodes(const struct jitsim_wbuf *w, size_t off, const struct jitsim_s6a_fta_req *req,
	       struct jitsim_diam_hdr *h)
{
	const uint8_t *p = jitsim_wbuf_data(w) + off;
	size_t len = jitsim_wbuf_len(w) - off;
	struct jitsim_diam_avp a;
	struct jitsim_s6a s;

	FUZZ_CHECK(jitsim_diam_decode_hdr(p, len, h) == JITSIM_R_OK);
	FUZZ_CHECK(h->length == len);
	FUZZ_CHECK(!(h->flags & JITSIM_DIAM_FLAG_R));
	FUZZ_CHECK((h->flags & JITSIM_DIAM_FLAG_P) == (req->flags & JITSIM_DIAM_FLAG_P));
	FUZZ_CHECK(h->cmd == req->cmd && h->app_id == req->app_id);
	FUZZ_CHECK(h->hbh == req->hbh && h->e2e == req->e2e);
	walk(h->avps, h->avps_len, 1);
	FUZZ_CHECK(jitsim_s6a_decode(p, len, &s) == JITSIM_R_OK);
	FUZZ_CHECK(!s.is_request);
	if (req->session_id.p != NULL) {
		FUZZ_CHECK(find_avp(h, JITSIM_AVP_SESSION_ID, &a));
		FUZZ_CHECK(a.data_len == req->session_id.len &&
			   memcmp(a.data, req->session_id.p, a.data_len) == 0);
	}
	FUZZ_CHECK(find_avp(h, JITSIM_AVP_ORIGIN_HOST, &a) && a.data_len == strlen(hss.host));
}

/* Answer @req with @result_code / @exp (one of them 0) and Failed-AVP @e. */
static void
answer_error(const struct jitsim_s6a_fta_req *req, uint32_t result_code, uint32_t exp,
	     const struct jitsim_s6a_fta_err *e, uint8_t *buf, size_t cap)
{
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_wbuf_init(&w, buf, cap, 0);
	r = jitsim_s6a_fta_answer_error(&w, req, &hss, result_code, exp, e);
	FUZZ_CHECK(r == JITSIM_R_OK);
	answer_decodes(&w, 0, req, &h);
	FUZZ_CHECK(!!(h.flags & JITSIM_DIAM_FLAG_E) == (result_code >= 3000 && result_code < 4000));
	if (result_code != 0) {
		uint32_t v;

		FUZZ_CHECK(find_avp(&h, JITSIM_AVP_RESULT_CODE, &a));
		FUZZ_CHECK(jitsim_diam_avp_u32(&a, &v) == JITSIM_R_OK && v == result_code);
	} else {
		FUZZ_CHECK(find_avp(&h, JITSIM_AVP_EXPERIMENTAL_RESULT, &a));
	}
	if (e == NULL || e->result_code == 0 || (e->avp == NULL && e->code == 0)) {
		FUZZ_CHECK(!find_avp(&h, JITSIM_AVP_FAILED_AVP, &a));
		return;
	}
	FUZZ_CHECK(find_avp(&h, JITSIM_AVP_FAILED_AVP, &a));
	if (e->avp != NULL) {
		FUZZ_CHECK(a.data_len >= e->avp_len);
		FUZZ_CHECK(memcmp(a.data, e->avp, e->avp_len) == 0);
	} else {
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp in;

		jitsim_diam_avp_iter_init(&it, a.data, a.data_len);
		FUZZ_CHECK(jitsim_diam_avp_next(&it, &in) == JITSIM_R_OK);
		FUZZ_CHECK(in.code == e->code && in.vendor == e->vendor);
		FUZZ_CHECK(in.data_len == e->missing_len);
	}
}

/* A refusal: the error says how to answer, and the answer decodes. */
static void
refused(const struct jitsim_s6a_fta_req *req, uint8_t *buf, size_t cap)
{
	const struct jitsim_s6a_fta_err *e = &req->err;

	FUZZ_CHECK(e->result_code == JITSIM_DIAM_INVALID_AVP_VALUE ||
		   e->result_code == JITSIM_DIAM_MISSING_AVP ||
		   e->result_code == JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES ||
		   e->result_code == JITSIM_DIAM_UNABLE_TO_COMPLY ||
		   e->result_code == JITSIM_DIAM_INVALID_AVP_LENGTH ||
		   e->result_code == JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	FUZZ_CHECK(e->avp == NULL || e->avp_len >= JITSIM_DIAM_AVP_HDR_LEN);
	FUZZ_CHECK(e->result_code != JITSIM_DIAM_MISSING_AVP || e->code != 0);
	answer_error(req, e->result_code, 0, e, buf, cap);
}

/* Copy a parsed string into a C string; false when it holds a NUL. */
static bool
cstr(const struct jitsim_s6a_str *s, char *out, size_t size)
{
	if (s->p == NULL || s->len >= size || memchr(s->p, 0, s->len) != NULL)
		return false;
	memcpy(out, s->p, s->len);
	out[s->len] = '\0';
	return true;
}

static void
air_round_trip(const struct jitsim_s6a_fta_air *air, uint8_t *buf, size_t cap)
{
	static char sid[65536], oh[65536], orl[65536], dh[65536], dr[65536];
	struct jitsim_s6a_fta_origin mme = {.host = oh, .realm = orl};
	struct jitsim_s6a_fta_air_req m = {.hbh = air->req.hbh,
					   .e2e = air->req.e2e,
					   .session_id = sid,
					   .dest_host = dh,
					   .dest_realm = dr,
					   .imsi = &air->req.imsi,
					   .visited_plmn = air->visited_mcc_mnc,
					   .eutran = air->eutran,
					   .utran_geran = air->utran_geran};
	struct jitsim_s6a_fta_air back;
	struct jitsim_wbuf w;

	if (!cstr(&air->req.session_id, sid, sizeof(sid)) ||
	    !cstr(&air->req.origin_host, oh, sizeof(oh)) ||
	    !cstr(&air->req.origin_realm, orl, sizeof(orl)) ||
	    !cstr(&air->req.dest_realm, dr, sizeof(dr)))
		return;
	if (air->req.dest_host.p == NULL)
		m.dest_host = NULL;
	else if (!cstr(&air->req.dest_host, dh, sizeof(dh)))
		return;
	jitsim_wbuf_init(&w, buf, cap, 0);
	if (jitsim_s6a_fta_air_encode(&w, &mme, &m) != JITSIM_R_OK)
		return;
	FUZZ_CHECK(jitsim_s6a_fta_air_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &back) ==
		   JITSIM_R_OK);
	FUZZ_CHECK(back.req.hbh == air->req.hbh && back.req.e2e == air->req.e2e);
	FUZZ_CHECK(str_equal(&back.req.session_id, &air->req.session_id));
	FUZZ_CHECK(str_equal(&back.req.origin_host, &air->req.origin_host));
	FUZZ_CHECK(back.req.imsi.n == air->req.imsi.n &&
		   strcmp(back.req.imsi.d, air->req.imsi.d) == 0);
	FUZZ_CHECK(memcmp(back.visited_plmn, air->visited_plmn, 3) == 0);
	FUZZ_CHECK(back.req.dest_host.len == air->req.dest_host.len);
	FUZZ_CHECK(back.eutran.n_requested == air->eutran.n_requested);
	FUZZ_CHECK(back.eutran.has_resync == air->eutran.has_resync);
	FUZZ_CHECK(back.utran_geran.n_requested == air->utran_geran.n_requested);
	FUZZ_CHECK(back.utran_geran.has_resync == air->utran_geran.has_resync);
	if (air->eutran.has_resync)
		FUZZ_CHECK(memcmp(back.eutran.rand, air->eutran.rand, JITSIM_S6A_RAND_LEN) == 0 &&
			   memcmp(back.eutran.auts, air->eutran.auts, JITSIM_S6A_AUTS_LEN) == 0);
}

static void
answer_air(const struct jitsim_s6a_fta_air *air, uint8_t *buf, size_t cap)
{
	struct jitsim_s6a_fta_eutran_vector ev[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_utran_vector uv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_geran_vector gv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_auth_info ai = {.eutran = ev, .utran = uv, .geran = gv};
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp a;
	uint32_t n = air->eutran.n_requested;

	memset(ev, 0x11, sizeof(ev));
	memset(uv, 0x22, sizeof(uv));
	memset(gv, 0x33, sizeof(gv));
	for (unsigned int i = 0; i < JITSIM_S6A_FTA_VECTORS_MAX; i++)
		ev[i].xres_len = uv[i].xres_len = 8;
	/* As the endpoint does: fewer than asked for is allowed (5.2.3.1.3). */
	ai.n_eutran = n == 0 ? 1 : n > JITSIM_S6A_FTA_VECTORS_MAX ? JITSIM_S6A_FTA_VECTORS_MAX : n;
	n = air->utran_geran.n_requested;
	ai.n_utran = n > JITSIM_S6A_FTA_VECTORS_MAX ? JITSIM_S6A_FTA_VECTORS_MAX : n;
	ai.n_geran = ai.n_utran;
	jitsim_wbuf_init(&w, buf, cap, 0);
	FUZZ_CHECK(jitsim_s6a_fta_aia_encode(&w, &air->req, &hss, &ai) == JITSIM_R_OK);
	answer_decodes(&w, 0, &air->req, &h);
	FUZZ_CHECK(find_avp(&h, JITSIM_AVP_RESULT_CODE, &a));
}

static void
answer_ulr(const struct jitsim_s6a_fta_ulr *ulr, uint8_t *buf, size_t cap)
{
	struct jitsim_s6a_fta_subscription sub;
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h;
	struct jitsim_s6a s;

	jitsim_s6a_fta_subscription_init(&sub);
	jitsim_digits_set(&sub.msisdn, "447700123456");
	jitsim_wbuf_init(&w, buf, cap, 0);
	FUZZ_CHECK(jitsim_s6a_fta_ula_encode(
			   &w, &ulr->req, &hss, JITSIM_S6A_ULA_SEPARATION_INDICATION,
			   (ulr->ulr_flags & JITSIM_S6A_ULR_SKIP_SUBSCRIBER_DATA) ? NULL : &sub) ==
		   JITSIM_R_OK);
	answer_decodes(&w, 0, &ulr->req, &h);
	FUZZ_CHECK(jitsim_s6a_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &s) == JITSIM_R_OK);
	FUZZ_CHECK(s.has_result_code && s.result_code == JITSIM_DIAM_SUCCESS);
	if (!(ulr->ulr_flags & JITSIM_S6A_ULR_SKIP_SUBSCRIBER_DATA))
		FUZZ_CHECK(s.has_msisdn && strcmp(s.msisdn.d, "447700123456") == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* Answers echo Session-Id and Proxy-Info and copy a Failed-AVP:
	 * never more than twice the request plus the fixed AVPs. */
	size_t cap = 2 * size + 4096;
	uint8_t *buf = malloc(cap);
	struct jitsim_s6a_fta_air air;
	struct jitsim_s6a_fta_ulr ulr;
	struct jitsim_s6a_fta_req req;
	enum jitsim_reason r;
	char line[1024];

	FUZZ_CHECK(buf != NULL);
	r = jitsim_s6a_fta_air_decode(data, size, &air);
	if (r == JITSIM_R_OK) {
		jitsim_s6a_fta_air_dump(&air, line, sizeof(line));
		FUZZ_CHECK(air.req.has_imsi && air.req.imsi.n >= 5 && air.req.imsi.n <= 15);
		FUZZ_CHECK(air.req.cmd == JITSIM_S6A_CMD_AIR);
		answer_air(&air, buf, cap);
		answer_error(&air.req, 0, JITSIM_S6A_ERROR_USER_UNKNOWN, NULL, buf, cap);
		air_round_trip(&air, buf, cap);
	} else if (r == JITSIM_R_DIAM_BAD_AVP) {
		refused(&air.req, buf, cap);
	}
	r = jitsim_s6a_fta_ulr_decode(data, size, &ulr);
	if (r == JITSIM_R_OK) {
		jitsim_s6a_fta_ulr_dump(&ulr, line, sizeof(line));
		FUZZ_CHECK(ulr.req.has_imsi && ulr.req.cmd == JITSIM_S6A_CMD_ULR);
		FUZZ_CHECK(!ulr.has_imei || (ulr.imei.n >= 14 && ulr.imei.n <= 15));
		FUZZ_CHECK(!ulr.has_sv || ulr.sv.n == 2);
		answer_ulr(&ulr, buf, cap);
	} else if (r == JITSIM_R_DIAM_BAD_AVP) {
		refused(&ulr.req, buf, cap);
	}
	r = jitsim_s6a_fta_req_decode(data, size, 0, &req);
	if (r == JITSIM_R_OK) {
		struct jitsim_wbuf w;
		struct jitsim_diam_hdr h;

		jitsim_s6a_fta_req_dump(&req, line, sizeof(line));
		jitsim_wbuf_init(&w, buf, cap, 0);
		FUZZ_CHECK(jitsim_s6a_fta_pua_encode(&w, &req, &hss,
						     JITSIM_S6A_PUA_FREEZE_M_TMSI) == JITSIM_R_OK);
		answer_decodes(&w, 0, &req, &h);
		jitsim_wbuf_init(&w, buf, cap, 0);
		FUZZ_CHECK(jitsim_s6a_fta_noa_encode(&w, &req, &hss) == JITSIM_R_OK);
		answer_decodes(&w, 0, &req, &h);
		answer_error(&req, JITSIM_DIAM_COMMAND_UNSUPPORTED, 0, NULL, buf, cap);
	} else if (r == JITSIM_R_DIAM_BAD_AVP) {
		refused(&req, buf, cap);
	} else {
		FUZZ_CHECK(r == JITSIM_R_TRUNCATED || r == JITSIM_R_DIAM_BAD_VERSION ||
			   r == JITSIM_R_DIAM_BAD_HEADER || r == JITSIM_R_BAD_PARAM);
	}
	free(buf);
	return 0;
}
