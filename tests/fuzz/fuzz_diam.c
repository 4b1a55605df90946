/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the Diameter base node's validation (dataplane/diameter/diam_base.h)
 * with one Diameter message (the seeds of the diameter target) against the
 * rules of every base command and of any application request or answer.
 * Beyond "no crash":
 * - a refusal names a Result-Code, and its Failed-AVP lies inside the
 *   message;
 * - every refused request is answered: the error answer decodes as the
 *   answer to that request (command, application, identifiers, P bit; E
 *   bit for 3xxx), carries the Result-Code and a Failed-AVP when there is
 *   one, and itself passes the answer-message rules (RFC 6733 7.2);
 * - a request that passes is remembered by the duplicate table.
 */

#include <string.h>

#include <jitsim/proto/bytes.h>

#include "diam_base.h"

#include "fuzz_main.h"

static const struct jitsim_diam_ident node = {
	.host = "dra.fuzz.example", .realm = "fuzz.example", .origin_state_id = 7};

static bool
find_avp(const uint8_t *p, size_t len, uint32_t code, struct jitsim_diam_avp *out)
{
	struct jitsim_diam_avp_iter it;

	jitsim_diam_avp_iter_init(&it, p, len);
	while (jitsim_diam_avp_next(&it, out) == JITSIM_R_OK)
		if (out->code == code && out->vendor == 0)
			return true;
	return false;
}

static void
answer(const struct jitsim_diam_hdr *req, const struct jitsim_diam_err *err)
{
	/* Failed-AVP data is cut to JITSIM_DIAM_FAILED_AVP_MAX_DATA: the
	 * answer never needs more than the request's Session-Id and a few AVPs. */
	static uint8_t buf[70000];
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_err aerr;
	struct jitsim_diam_avp a;
	uint32_t v;
	char line[512];

	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	FUZZ_CHECK(jitsim_diam_encode_error_answer(&w, req, &node, err) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_diam_decode_hdr(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &h) ==
		   JITSIM_R_OK);
	FUZZ_CHECK(h.length == jitsim_wbuf_len(&w));
	FUZZ_CHECK(!(h.flags & JITSIM_DIAM_FLAG_R));
	FUZZ_CHECK((h.flags & JITSIM_DIAM_FLAG_P) == (req->flags & JITSIM_DIAM_FLAG_P));
	FUZZ_CHECK(!!(h.flags & JITSIM_DIAM_FLAG_E) ==
		   (err->result_code >= 3000 && err->result_code < 4000));
	FUZZ_CHECK(h.cmd == req->cmd && h.app_id == req->app_id);
	FUZZ_CHECK(h.hbh == req->hbh && h.e2e == req->e2e);
	FUZZ_CHECK(jitsim_diam_check_hdr(&h, &aerr));
	if (!jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_answer, &aerr)) {
		jitsim_diam_err_dump(&aerr, line, sizeof(line));
		fprintf(stderr, "error answer refused: %s\n", line);
		FUZZ_CHECK(!"the error answer is a valid answer-message");
	}
	FUZZ_CHECK(find_avp(h.avps, h.avps_len, JITSIM_AVP_RESULT_CODE, &a));
	FUZZ_CHECK(jitsim_diam_avp_u32(&a, &v) == JITSIM_R_OK && v == err->result_code);
	FUZZ_CHECK(find_avp(h.avps, h.avps_len, JITSIM_AVP_FAILED_AVP, &a) == err->has_failed);
	if (err->has_failed) {
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp in;

		jitsim_diam_avp_iter_init(&it, a.data, a.data_len);
		FUZZ_CHECK(jitsim_diam_avp_next(&it, &in) == JITSIM_R_OK);
		if (err->outer != NULL) {
			/* RFC 6733 7.5: the group, holding the member at fault. */
			FUZZ_CHECK(in.code == jitsim_get_be32(err->outer));
			jitsim_diam_avp_iter_init(&it, in.data, in.data_len);
			FUZZ_CHECK(jitsim_diam_avp_next(&it, &in) == JITSIM_R_OK);
		}
		FUZZ_CHECK(in.code == err->code && in.vendor == err->vendor);
	}
}

static void
validate(const struct jitsim_diam_hdr *h, const struct jitsim_diam_cmd_rules *rules)
{
	struct jitsim_diam_err err;
	char line[512];

	memset(&err, 0xa5, sizeof(err));
	if (jitsim_diam_validate(h->avps, h->avps_len, rules, &err))
		return;
	FUZZ_CHECK(err.result_code >= 3000 && err.result_code < 6000);
	FUZZ_CHECK(strcmp(jitsim_diam_result_name(err.result_code), "?") != 0);
	jitsim_diam_err_dump(&err, line, sizeof(line));
	if (err.has_failed && err.avp != NULL) {
		FUZZ_CHECK(err.avp >= h->avps && err.avp_len >= 8);
		FUZZ_CHECK(err.avp + err.avp_len <= h->avps + h->avps_len);
	}
	if (h->flags & JITSIM_DIAM_FLAG_R)
		answer(h, &err);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static const struct jitsim_diam_cmd_rules *const all[] = {
		&jitsim_diam_rules_cer,	    &jitsim_diam_rules_cea,    &jitsim_diam_rules_dwr,
		&jitsim_diam_rules_dwa,	    &jitsim_diam_rules_dpr,    &jitsim_diam_rules_dpa,
		&jitsim_diam_rules_app_req, &jitsim_diam_rules_answer,
	};
	static struct jitsim_diam_dup dup;
	static uint64_t now_ms;
	static bool ready;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_err err;
	struct jitsim_diam_avp host;

	if (!ready) {
		jitsim_diam_dup_init(&dup, JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS);
		ready = true;
	}
	if (jitsim_diam_decode_hdr(data, size, &h) != JITSIM_R_OK)
		return 0;
	if (!jitsim_diam_check_hdr(&h, &err)) {
		FUZZ_CHECK(err.result_code == JITSIM_DIAM_INVALID_BIT_IN_HEADER ||
			   err.result_code == JITSIM_DIAM_INVALID_HDR_BITS);
		if (h.flags & JITSIM_DIAM_FLAG_R)
			answer(&h, &err);
	}
	for (size_t i = 0; i < sizeof(all) / sizeof(all[0]); i++)
		validate(&h, all[i]);
	if ((h.flags & JITSIM_DIAM_FLAG_R) &&
	    jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_app_req, &err)) {
		struct jitsim_diam_err unsupported = {.result_code =
							      JITSIM_DIAM_COMMAND_UNSUPPORTED};

		answer(&h, &unsupported);
		FUZZ_CHECK(find_avp(h.avps, h.avps_len, JITSIM_AVP_ORIGIN_HOST, &host));
		/* An hour after any earlier input: new, then its retransmission. */
		now_ms += 3600u * 1000u;
		FUZZ_CHECK(!jitsim_diam_dup_check(&dup, host.data, host.data_len, h.e2e, now_ms));
		FUZZ_CHECK(jitsim_diam_dup_check(&dup, host.data, host.data_len, h.e2e, now_ms));
	}
	return 0;
}
