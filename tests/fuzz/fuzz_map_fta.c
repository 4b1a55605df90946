/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the MAP side of the First Time Attach endpoint (map_fta.h): the
 * parsers of what a VLR/SGSN sends (SAI, UL/UGL arguments, ISD and
 * CancelLocation results) and the answer path of a dialogue.
 *
 * The input is an SCCP message or a bare TCAP message (the seeds of the
 * tcap target), and every parser also runs on the whole input as a
 * parameter. Beyond "no crash":
 * - SAI and UL/UGL arguments that parse are encoded again with the codec's
 *   invoke encoder and parse to the same identities (decode -> encode ->
 *   decode);
 * - a Begin is answered as the worker answers a LOCKED SIM (End +
 *   ReturnError, jitsim_map_fta_answer_error()) for each component, and as
 *   jitsim-cp's engine does (SAI result, ISD in a Continue, UL result in an
 *   End, an Abort); every answer built decodes as SCCP and TCAP, addressed
 *   to the peer's transaction, with the component put in; a refusal is one
 *   of the documented reasons;
 * - the size helpers (sai_res_size, tc_size) bound what the builders write.
 */

#include <string.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>

#include "fuzz_main.h"

#define OWN_TID 0xcf000001u
#define HLR_NUMBER "447700900001"

static bool
digits_equal(const struct jitsim_digits *a, const struct jitsim_digits *b)
{
	return a->n == b->n && strcmp(a->d, b->d) == 0;
}

/* Every parameter parser on one parameter TLV: reasons and round trips. */
static void
params(const uint8_t *p, size_t len)
{
	struct jitsim_map_fta_sai_arg sai;
	struct jitsim_map_fta_isd_res isd;
	struct jitsim_map_ids ids;
	char line[512];

	if (jitsim_map_fta_sai_arg_decode(p, len, &sai) == JITSIM_R_OK) {
		struct jitsim_map_ids in = {.has_imsi = true, .imsi = sai.imsi};
		struct jitsim_map_fta_sai_arg back;
		uint8_t buf[128];
		struct jitsim_wbuf w;

		FUZZ_CHECK(sai.version == 2 || sai.version == 3);
		FUZZ_CHECK(sai.n_vectors >= 1 && sai.n_vectors <= JITSIM_MAP_FTA_VECTORS_MAX);
		FUZZ_CHECK(sai.imsi.n >= 5 && sai.imsi.n <= 16);
		jitsim_map_fta_sai_arg_dump(&sai, line, sizeof(line));
		in.n_vectors = sai.n_vectors;
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		if (jitsim_map_encode_invoke(&w, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
					     sai.version, &in) == JITSIM_R_OK) {
			FUZZ_CHECK(jitsim_map_fta_sai_arg_decode(jitsim_wbuf_data(&w),
								 jitsim_wbuf_len(&w),
								 &back) == JITSIM_R_OK);
			FUZZ_CHECK(back.version == sai.version);
			FUZZ_CHECK(digits_equal(&back.imsi, &sai.imsi));
			FUZZ_CHECK(back.n_vectors == (sai.version == 2 ? 1 : sai.n_vectors));
		}
	}
	for (uint8_t op = JITSIM_MAP_OP_UPDATE_LOCATION; op != 0;
	     op = op == JITSIM_MAP_OP_UPDATE_LOCATION ? JITSIM_MAP_OP_UPDATE_GPRS_LOCATION : 0) {
		enum jitsim_reason r = jitsim_map_fta_ul_arg_decode(op, p, len, &ids);
		struct jitsim_map_ids back;
		uint8_t buf[256];
		struct jitsim_wbuf w;

		FUZZ_CHECK(r != JITSIM_R_BAD_PARAM);
		if (r != JITSIM_R_OK)
			continue;
		FUZZ_CHECK(ids.has_imsi);
		FUZZ_CHECK(op == JITSIM_MAP_OP_UPDATE_LOCATION ? ids.has_vlr : ids.has_sgsn);
		jitsim_map_ids_dump(&ids, line, sizeof(line));
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		if (jitsim_map_encode_invoke(&w, op, 3, &ids) != JITSIM_R_OK)
			continue;
		FUZZ_CHECK(jitsim_map_fta_ul_arg_decode(op, jitsim_wbuf_data(&w),
							jitsim_wbuf_len(&w), &back) == JITSIM_R_OK);
		FUZZ_CHECK(digits_equal(&back.imsi, &ids.imsi));
		if (op == JITSIM_MAP_OP_UPDATE_LOCATION)
			FUZZ_CHECK(digits_equal(&back.vlr, &ids.vlr));
		else
			FUZZ_CHECK(digits_equal(&back.sgsn, &ids.sgsn));
	}
	FUZZ_CHECK(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, p, len,
						&ids) == JITSIM_R_BAD_PARAM);
	if (jitsim_map_fta_isd_res_decode(p, len, &isd) == JITSIM_R_OK) {
		FUZZ_CHECK(isd.n_tele <= JITSIM_MAP_FTA_SERVICES_MAX);
		FUZZ_CHECK(isd.n_bearer <= JITSIM_MAP_FTA_SERVICES_MAX);
		jitsim_map_fta_isd_res_dump(&isd, line, sizeof(line));
	}
	(void)jitsim_map_fta_cancel_res_decode(p, len);
	FUZZ_CHECK(jitsim_map_fta_isd_res_decode(p, 0, &isd) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_map_fta_cancel_res_decode(p, 0) == JITSIM_R_OK);
}

/*
 * Decode an answer the endpoint built: SCCP of the request's kind, TCAP of
 * @type addressed to the peer's transaction. Returns the TCAP in @t.
 */
static void
answer_decodes(const struct jitsim_wbuf *w, const struct jitsim_sccp *req,
	       const struct jitsim_map_fta_dialogue *d, uint8_t type, struct jitsim_tcap *t)
{
	struct jitsim_sccp s;
	char line[1024];

	FUZZ_CHECK(jitsim_sccp_decode(jitsim_wbuf_data(w), jitsim_wbuf_len(w), &s) == JITSIM_R_OK);
	FUZZ_CHECK(s.msg_type ==
		   (req->msg_type == JITSIM_SCCP_UDT ? JITSIM_SCCP_UDT : JITSIM_SCCP_XUDT));
	FUZZ_CHECK(s.called.has_pc == req->calling.has_pc);
	FUZZ_CHECK(!s.called.has_pc || s.called.pc == req->calling.pc);
	FUZZ_CHECK(s.called.has_ssn == req->calling.has_ssn);
	FUZZ_CHECK(!s.called.has_ssn || s.called.ssn == req->calling.ssn);
	FUZZ_CHECK(strcmp(s.called.digits.d, req->calling.digits.d) == 0);
	jitsim_sccp_dump(&s, line, sizeof(line));
	FUZZ_CHECK(jitsim_tcap_decode(s.data, s.data_len, t) == JITSIM_R_OK);
	jitsim_tcap_dump(t, line, sizeof(line));
	FUZZ_CHECK(t->type == type);
	if (type != JITSIM_TCAP_BEGIN) {
		FUZZ_CHECK(t->has_dtid);
		FUZZ_CHECK(t->dtid == d->peer_tid);
		FUZZ_CHECK(t->dtid_len == d->peer_tid_len);
	}
	if (type == JITSIM_TCAP_CONTINUE)
		FUZZ_CHECK(t->has_otid && t->otid == d->own_tid);
}

/* The LOCKED/BLOCKED answer of the worker, for component @i of @t. */
static void
answer_error(const struct jitsim_sccp *req, const struct jitsim_tcap *t, unsigned int i)
{
	uint8_t buf[1024];
	struct jitsim_wbuf w;
	struct jitsim_tcap a;
	struct jitsim_map_fta_dialogue d = {.peer_tid = t->otid, .peer_tid_len = t->otid_len};
	const struct jitsim_tcap_component *c = &t->comp[i];
	bool answerable = t->type == JITSIM_TCAP_BEGIN && t->has_otid &&
			  c->type == JITSIM_TCAP_INVOKE && c->has_invoke_id;
	enum jitsim_reason r;

	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	r = jitsim_map_fta_answer_error(&w, req, t, i, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER, NULL);
	FUZZ_CHECK(r == JITSIM_R_OK || r == JITSIM_R_NOSPACE || r == JITSIM_R_BAD_PARAM ||
		   r == JITSIM_R_TCAP_NOT_MAP);
	if (r != JITSIM_R_OK) {
		/* A MAP Begin with an Invoke is always answerable but for its size. */
		if (answerable &&
		    (!t->has_dialogue || t->dialogue_pdu != JITSIM_TCAP_AARQ || t->is_map_acn))
			FUZZ_CHECK(r == JITSIM_R_NOSPACE || r == JITSIM_R_BAD_PARAM);
		return;
	}
	FUZZ_CHECK(answerable);
	answer_decodes(&w, req, &d, JITSIM_TCAP_END, &a);
	FUZZ_CHECK(a.n_comp == 1);
	FUZZ_CHECK(a.comp[0].type == JITSIM_TCAP_ERROR);
	FUZZ_CHECK(a.comp[0].has_invoke_id && a.comp[0].invoke_id == c->invoke_id);
	FUZZ_CHECK(a.comp[0].has_error && a.comp[0].error == JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER);
	if (t->has_dialogue && t->dialogue_pdu == JITSIM_TCAP_AARQ) {
		FUZZ_CHECK(a.has_dialogue && a.dialogue_pdu == JITSIM_TCAP_AARE);
		FUZZ_CHECK(a.map_ac == t->map_ac && a.map_version == t->map_version);
	}
}

/* Wrap the TC message in @w into the SCCP answer; false when it does not fit a UDT. */
static bool
wrap(struct jitsim_wbuf *w, const struct jitsim_sccp *req)
{
	size_t tc = jitsim_wbuf_len(w);
	enum jitsim_reason r = jitsim_map_fta_sccp_answer(w, req, NULL);

	if (tc > JITSIM_MAP_FTA_UDT_DATA_MAX) {
		FUZZ_CHECK(r == JITSIM_R_NOSPACE);
		return false;
	}
	/* The request's own addresses were decodable; encoding them may still
	 * be refused (e.g. a GT indicator the encoder does not write). */
	FUZZ_CHECK(r == JITSIM_R_OK || r == JITSIM_R_BAD_PARAM);
	return r == JITSIM_R_OK;
}

static void
answer_sai(const struct jitsim_sccp *req, struct jitsim_map_fta_dialogue *d,
	   const struct jitsim_tcap_component *c, const struct jitsim_map_fta_sai_arg *sai)
{
	struct jitsim_map_fta_quintuplet q[JITSIM_MAP_FTA_VECTORS_MAX];
	uint8_t pbuf[512], buf[1024];
	struct jitsim_wbuf pw, w;
	struct jitsim_tcap_component comp;
	struct jitsim_tcap a;
	size_t est;

	memset(q, 0x5a, sizeof(q));
	for (unsigned int i = 0; i < JITSIM_MAP_FTA_VECTORS_MAX; i++)
		q[i].xres_len = 8;
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	FUZZ_CHECK(jitsim_map_fta_sai_res_quintuplets(&pw, q, sai->n_vectors) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_wbuf_len(&pw) == jitsim_map_fta_sai_res_size(true, 3, sai->n_vectors, 8));
	comp = jitsim_map_fta_comp_result(c->invoke_id, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
					  jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	est = jitsim_map_fta_tc_size(d, JITSIM_TCAP_END, 1, jitsim_wbuf_len(&pw));
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	FUZZ_CHECK(jitsim_map_fta_tc_encode(&w, d, JITSIM_TCAP_END, &comp, 1) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_wbuf_len(&w) <= est);
	FUZZ_CHECK(!d->aare_pending);
	if (!wrap(&w, req))
		return;
	answer_decodes(&w, req, d, JITSIM_TCAP_END, &a);
	FUZZ_CHECK(a.n_comp == 1 && a.comp[0].type == JITSIM_TCAP_RESULT_LAST);
	FUZZ_CHECK(a.comp[0].invoke_id == c->invoke_id);
	FUZZ_CHECK(a.comp[0].param_len == jitsim_wbuf_len(&pw));
	FUZZ_CHECK(memcmp(a.comp[0].param, jitsim_wbuf_data(&pw), a.comp[0].param_len) == 0);
}

static void
answer_ul(const struct jitsim_sccp *req, struct jitsim_map_fta_dialogue *d,
	  const struct jitsim_tcap_component *c, const struct jitsim_map_ids *ul)
{
	struct jitsim_map_fta_isd isd;
	struct jitsim_digits hlr;
	uint8_t pbuf[512], buf[1024];
	struct jitsim_wbuf pw, w;
	struct jitsim_tcap_component comp;
	struct jitsim_tcap a;
	struct jitsim_map_ids got;
	bool had_aarq = d->aare_pending;
	enum jitsim_reason r;

	/* Continue with InsertSubscriberData carrying the IMSI and MSISDN. */
	jitsim_map_fta_isd_init(&isd, c->opcode == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION);
	isd.has_imsi = true;
	isd.imsi = ul->imsi;
	isd.has_msisdn = true;
	jitsim_digits_set(&isd.msisdn, "447700123456");
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	r = jitsim_map_fta_isd_arg_encode(&pw, &isd);
	/* The IMSI parsed as 3..8 octets, but may hold filler digits ('*', 'a'). */
	FUZZ_CHECK(r == JITSIM_R_OK || r == JITSIM_R_BAD_PARAM);
	if (r == JITSIM_R_OK) {
		comp = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
						  jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
		size_t est =
			jitsim_map_fta_tc_size(d, JITSIM_TCAP_CONTINUE, 1, jitsim_wbuf_len(&pw));

		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		FUZZ_CHECK(jitsim_map_fta_tc_encode(&w, d, JITSIM_TCAP_CONTINUE, &comp, 1) ==
			   JITSIM_R_OK);
		FUZZ_CHECK(jitsim_wbuf_len(&w) <= est);
		if (wrap(&w, req)) {
			answer_decodes(&w, req, d, JITSIM_TCAP_CONTINUE, &a);
			FUZZ_CHECK(a.has_dialogue == had_aarq);
			FUZZ_CHECK(a.n_comp == 1 && a.comp[0].type == JITSIM_TCAP_INVOKE);
			FUZZ_CHECK(a.comp[0].opcode == JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA);
			FUZZ_CHECK(jitsim_map_decode_invoke(JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
							    a.comp[0].param, a.comp[0].param_len,
							    &got) == JITSIM_R_OK);
			FUZZ_CHECK(got.has_imsi && digits_equal(&got.imsi, &ul->imsi));
		}
	}
	/* End with the UpdateLocation result. */
	jitsim_digits_set(&hlr, HLR_NUMBER);
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	FUZZ_CHECK(jitsim_map_fta_ul_res_encode(&pw, &hlr) == JITSIM_R_OK);
	comp = jitsim_map_fta_comp_result(c->invoke_id, c->opcode, jitsim_wbuf_data(&pw),
					  jitsim_wbuf_len(&pw));
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	FUZZ_CHECK(jitsim_map_fta_tc_encode(&w, d, JITSIM_TCAP_END, &comp, 1) == JITSIM_R_OK);
	if (!wrap(&w, req))
		return;
	answer_decodes(&w, req, d, JITSIM_TCAP_END, &a);
	FUZZ_CHECK(a.n_comp == 1 && a.comp[0].type == JITSIM_TCAP_RESULT_LAST);
	FUZZ_CHECK(jitsim_map_decode_result(c->opcode, a.comp[0].param, a.comp[0].param_len,
					    &got) == JITSIM_R_OK);
	FUZZ_CHECK(got.has_hlr && strcmp(got.hlr.d, HLR_NUMBER) == 0);
}

static void
abort_decodes(const struct jitsim_sccp *req, const struct jitsim_map_fta_dialogue *d)
{
	for (int refuse = 0; refuse < 2; refuse++) {
		uint8_t buf[512];
		struct jitsim_wbuf w;
		struct jitsim_tcap a;
		enum jitsim_reason r;

		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		r = jitsim_map_fta_tc_abort(&w, d, refuse,
					    JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION);
		if (refuse && d->map_ac == 0) {
			FUZZ_CHECK(r == JITSIM_R_BAD_PARAM);
			continue;
		}
		FUZZ_CHECK(r == JITSIM_R_OK);
		if (!wrap(&w, req))
			continue;
		answer_decodes(&w, req, d, JITSIM_TCAP_ABORT, &a);
		if (!refuse)
			FUZZ_CHECK(a.has_abort_cause &&
				   a.abort_cause == JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION);
	}
}

/* What the endpoint does with a received TC message @t carried by @req. */
static void
dialogue(const struct jitsim_sccp *req, const struct jitsim_tcap *t)
{
	struct jitsim_map_fta_dialogue d;
	enum jitsim_reason r;
	char line[256];

	for (unsigned int i = 0; i < t->n_comp; i++)
		answer_error(req, t, i);
	if (t->type != JITSIM_TCAP_BEGIN) {
		/* The peer's first answer to a Begin of ours. */
		jitsim_map_fta_dialogue_begin(&d, OWN_TID, JITSIM_MAP_AC_NETWORK_LOC_UP, 3);
		r = jitsim_map_fta_dialogue_peer(&d, t);
		if (t->type == JITSIM_TCAP_CONTINUE && t->has_otid && t->has_dtid &&
		    t->dtid == OWN_TID) {
			FUZZ_CHECK(r == JITSIM_R_OK);
			FUZZ_CHECK(d.peer_tid == t->otid && d.peer_tid_len == t->otid_len);
		} else {
			FUZZ_CHECK(r == JITSIM_R_BAD_PARAM);
		}
		return;
	}
	r = jitsim_map_fta_dialogue_answer(&d, t, OWN_TID);
	if (r != JITSIM_R_OK) {
		FUZZ_CHECK(r == JITSIM_R_BAD_PARAM || r == JITSIM_R_TCAP_NOT_MAP);
		/* Also refused: a Begin whose dialogue portion is not an AARQ. */
		FUZZ_CHECK(r != JITSIM_R_BAD_PARAM || !t->has_otid ||
			   (t->has_dialogue && t->dialogue_pdu != JITSIM_TCAP_AARQ));
		return;
	}
	FUZZ_CHECK(t->has_otid && d.peer_tid == t->otid && d.own_tid == OWN_TID);
	jitsim_map_fta_dialogue_dump(&d, line, sizeof(line));
	abort_decodes(req, &d);
	for (unsigned int i = 0; i < t->n_comp; i++) {
		const struct jitsim_tcap_component *c = &t->comp[i];
		struct jitsim_map_fta_dialogue copy = d;

		if (c->type != JITSIM_TCAP_INVOKE || !c->has_opcode || !c->has_invoke_id)
			continue;
		if (c->opcode == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO) {
			struct jitsim_map_fta_sai_arg sai;

			if (jitsim_map_fta_sai_arg_decode(c->param, c->param_len, &sai) ==
			    JITSIM_R_OK)
				answer_sai(req, &copy, c, &sai);
		} else if (c->opcode == JITSIM_MAP_OP_UPDATE_LOCATION ||
			   c->opcode == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION) {
			struct jitsim_map_ids ul;

			if (jitsim_map_fta_ul_arg_decode(c->opcode, c->param, c->param_len, &ul) ==
			    JITSIM_R_OK)
				answer_ul(req, &copy, c, &ul);
		}
	}
}

static void
tcap(const struct jitsim_sccp *req, const uint8_t *p, size_t len)
{
	struct jitsim_tcap t;
	enum jitsim_reason r = jitsim_tcap_decode(p, len, &t);

	if (r != JITSIM_R_OK && r != JITSIM_R_TCAP_TOO_MANY_COMPONENTS)
		return;
	for (unsigned int i = 0; i < t.n_comp; i++)
		if (t.comp[i].param != NULL)
			params(t.comp[i].param, t.comp[i].param_len);
	dialogue(req, &t);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	/* A bare TCAP message gets the addresses of a VLR calling an HLR GT. */
	static const struct jitsim_sccp vlr = {
		.msg_type = JITSIM_SCCP_UDT,
		.pclass = 0x81,
		.called = {.has_ssn = true,
			   .ssn = 6,
			   .gti = 4,
			   .np = 1,
			   .es = 2,
			   .nai = 4,
			   .digits = {.n = 12, .d = "447700900001"}},
		.calling = {.has_ssn = true,
			    .ssn = 7,
			    .gti = 4,
			    .np = 1,
			    .es = 1,
			    .nai = 4,
			    .digits = {.n = 9, .d = "447700200"}},
	};
	struct jitsim_sccp s;

	params(data, size);
	tcap(&vlr, data, size);
	if (jitsim_sccp_decode(data, size, &s) == JITSIM_R_OK)
		tcap(&s, s.data, s.data_len);
	return 0;
}
