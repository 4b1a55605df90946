/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter base node codec: the AVP encoders (round trips through the codec
 * library's decoder), the validation of every malformed case against the
 * Result-Code and Failed-AVP RFC 6733 7.1.5 / 7.5 ask for, error answers,
 * truncation at every length, random corruption, and the duplicate table.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diam_test.h"

static const struct jitsim_diam_ident ident = {"hss.jitsim.test", "jitsim.test", 42};

/* Validate @p m as a CER; return the error. */
static struct jitsim_diam_err
check_cer(const struct tmsg *m)
{
	struct jitsim_diam_hdr h;
	struct jitsim_diam_err err;

	assert_int_equal(jitsim_diam_decode_hdr(m->b, m->n, &h), JITSIM_R_OK);
	if (jitsim_diam_check_hdr(&h, &err))
		(void)jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_cer, &err);
	return err;
}

/* Build the error answer of @p err to @p m and parse it. */
static void
answer_of(const struct tmsg *m, const struct jitsim_diam_err *err, struct tans *a)
{
	static uint8_t buf[4096];
	struct jitsim_diam_hdr h;
	struct jitsim_wbuf w;

	assert_int_equal(jitsim_diam_decode_hdr(m->b, m->n, &h), JITSIM_R_OK);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_diam_encode_error_answer(&w, &h, &ident, err), JITSIM_R_OK);
	tans_parse_as(buf, w.tail, a, true);
	assert_int_equal(a->h.cmd, h.cmd);
	assert_int_equal(a->h.app_id, h.app_id);
	assert_int_equal(a->h.hbh, h.hbh);
	assert_int_equal(a->h.e2e, h.e2e);
}

/* ---- encoders ---- */

static void
test_encoders(void **state)
{
	uint8_t buf[256], small[30];
	struct jitsim_wbuf w;
	struct jitsim_diam_avp_iter it, gi;
	struct jitsim_diam_avp a, g;
	uint32_t v;
	static const uint8_t v6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_diam_encode_avp_addr(&w, JITSIM_AVP_HOST_IP_ADDRESS,
						     JITSIM_DIAM_AVP_M,
						     (const uint8_t *)"\x0a\x00\x00\x01", 4),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_avp_addr(&w, JITSIM_AVP_HOST_IP_ADDRESS,
						     JITSIM_DIAM_AVP_M, v6, 16),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_vsai(&w, 10415, JITSIM_S6A_APP_ID), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_exp_result(&w, 10415, 5001), JITSIM_R_OK);
	/* Address is 2 + 4 octets, padded to 16 bytes: 14 + 2 of padding. */
	assert_int_equal(w.tail, 16 + 28 + 32 + 32);
	assert_int_equal(jitsim_diam_encode_avp_addr(&w, 257, 0, v6, 5), JITSIM_R_BAD_PARAM);

	jitsim_diam_avp_iter_init(&it, buf, w.tail);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.code, 257);
	assert_int_equal(a.data_len, 6);
	assert_memory_equal(a.data, "\x00\x01\x0a\x00\x00\x01", 6);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 18);
	assert_memory_equal(a.data, "\x00\x02", 2);
	assert_memory_equal(a.data + 2, v6, 16);
	/* VSAI { Vendor-Id 10415 } [ Auth-Application-Id 16777251 ] */
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.code, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID);
	assert_int_equal(a.flags, JITSIM_DIAM_AVP_M);
	jitsim_diam_avp_iter_init(&gi, a.data, a.data_len);
	assert_int_equal(jitsim_diam_avp_next(&gi, &g), JITSIM_R_OK);
	assert_int_equal(g.code, JITSIM_AVP_VENDOR_ID);
	assert_int_equal(jitsim_diam_avp_u32(&g, &v), JITSIM_R_OK);
	assert_int_equal(v, 10415);
	assert_int_equal(jitsim_diam_avp_next(&gi, &g), JITSIM_R_OK);
	assert_int_equal(g.code, JITSIM_AVP_AUTH_APPLICATION_ID);
	assert_int_equal(jitsim_diam_avp_u32(&g, &v), JITSIM_R_OK);
	assert_int_equal(v, 16777251);
	assert_int_equal(jitsim_diam_avp_next(&gi, &g), JITSIM_R_END);
	/* Experimental-Result { Vendor-Id } { Experimental-Result-Code } */
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.code, JITSIM_AVP_EXPERIMENTAL_RESULT);
	assert_int_equal(jitsim_diam_avp_find(a.data, a.data_len,
					      JITSIM_AVP_EXPERIMENTAL_RESULT_CODE, 0, &g),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&g, &v), JITSIM_R_OK);
	assert_int_equal(v, 5001);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);

	/* All or nothing: a group that does not fit leaves the wbuf as it was. */
	jitsim_wbuf_init(&w, small, sizeof(small), 0);
	assert_int_equal(jitsim_diam_encode_vsai(&w, 10415, 1), JITSIM_R_NOSPACE);
	assert_int_equal(w.tail, 0);
	assert_int_equal(jitsim_diam_encode_exp_result(&w, 10415, 1), JITSIM_R_NOSPACE);
	assert_int_equal(w.tail, 0);

	assert_string_equal(jitsim_diam_result_name(5005), "DIAMETER_MISSING_AVP");
	assert_string_equal(jitsim_diam_result_name(1), "?");
	assert_int_equal(jitsim_diam_e2e_seed(0x12345, 0xabcdef12), 0x345def12u);
}

/* ---- validation of good messages ---- */

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 5: a CER from freeDiameter (tshark: no errors). */
static const char fd_cer_hex[] = "010000e8800001010000000051938e31bb930b5000000108400000196d6d652e"
				 "6f70656e61697234472e65757200000000000128400000156f70656e61697234"
				 "472e657572000000000001164000000c59478bb9000001014000000e00010a00"
				 "01030000000001014000000e00010a0002020000000001014000000e00010a00"
				 "030200000000010a4000000c000000000000010d00000014667265654469616d"
				 "657465720000010b0000000c000027d80000012b4000000c0000000000000104"
				 "40000020000001024000000c010000230000010a4000000c000028af00000109"
				 "4000000c000028af";

static size_t
unhex(const char *h, uint8_t *out)
{
	size_t n = strlen(h) / 2;

	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &b), 1);
		out[i] = (uint8_t)b;
	}
	return n;
}

static void
test_validate_good(void **state)
{
	struct tmsg m;
	struct jitsim_diam_err err;

	(void)state;
	m.n = unhex(fd_cer_hex, m.b);
	assert_int_equal(m.n, 232);
	err = check_cer(&m);
	assert_int_equal(err.result_code, 0);

	tm_cer(&m, "mme.a.test");
	err = check_cer(&m);
	assert_int_equal(err.result_code, 0);

	/* *[AVP]: an unknown AVP without M, and a base AVP out of place, are fine. */
	tm_str(&m, 9999, 0, "whatever");
	tm_str(&m, JITSIM_AVP_SESSION_ID, JITSIM_DIAM_AVP_M, "s;1");
	tm_avp_raw(&m, 1, JITSIM_DIAM_AVP_V | JITSIM_DIAM_AVP_M, 10415, "x", 1);
	tm_fin(&m);
	err = check_cer(&m);
	/* ...but a vendor AVP with M that the base does not know is 5001. */
	assert_int_equal(err.result_code, JITSIM_DIAM_AVP_UNSUPPORTED);
	assert_true(err.has_failed);
	assert_int_equal(err.code, 1);
	assert_int_equal(err.vendor, 10415);
}

/* ---- every malformed case ---- */

struct bad_case {
	const char *name;
	void (*build)(struct tmsg *m);
	uint32_t rc;
	uint32_t failed_code; /* 0: no Failed-AVP expected */
	uint32_t failed_vendor;
	size_t failed_len;   /* data length of the innermost AVP named by Failed-AVP */
	uint32_t inner_code; /* the member named inside a grouped Failed-AVP, 0 none */
};

/* The CER of tm_cer() without the AVP @p drop, plus @p extra. */
static void
cer_custom(struct tmsg *m, uint32_t drop, void (*extra)(struct tmsg *m))
{
	tm_hdr(m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_CER, 0, 0x1111, 0x2222);
	if (drop != JITSIM_AVP_ORIGIN_HOST)
		tm_str(m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	if (drop != JITSIM_AVP_ORIGIN_REALM)
		tm_str(m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	if (drop != JITSIM_AVP_HOST_IP_ADDRESS)
		tm_addr4(m, "\x7f\x00\x00\x01");
	if (drop != JITSIM_AVP_VENDOR_ID)
		tm_u32(m, JITSIM_AVP_VENDOR_ID, 0);
	if (drop != JITSIM_AVP_PRODUCT_NAME)
		tm_str(m, JITSIM_AVP_PRODUCT_NAME, 0, "test-mme");
	if (extra != NULL)
		extra(m);
	tm_fin(m);
}

static void
b_no_host(struct tmsg *m)
{
	cer_custom(m, JITSIM_AVP_ORIGIN_HOST, NULL);
}
static void
b_no_ip(struct tmsg *m)
{
	cer_custom(m, JITSIM_AVP_HOST_IP_ADDRESS, NULL);
}
static void
b_no_vendor(struct tmsg *m)
{
	cer_custom(m, JITSIM_AVP_VENDOR_ID, NULL);
}
static void
x_host2(struct tmsg *m)
{
	tm_str(m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "other.a.test");
}
static void
b_host_twice(struct tmsg *m)
{
	cer_custom(m, 0, x_host2);
}
static void
x_osi3(struct tmsg *m)
{
	tm_avp_raw(m, JITSIM_AVP_ORIGIN_STATE_ID, JITSIM_DIAM_AVP_M, 0, "abc", 3);
}
static void
b_u32_short(struct tmsg *m)
{
	cer_custom(m, 0, x_osi3);
}
static void
x_fam99(struct tmsg *m)
{
	tm_avp_raw(m, JITSIM_AVP_HOST_IP_ADDRESS, JITSIM_DIAM_AVP_M, 0, "\x00\x63\x01\x02\x03\x04",
		   6);
}
static void
b_addr_family(struct tmsg *m)
{
	cer_custom(m, 0, x_fam99);
}
static void
x_v4_long(struct tmsg *m)
{
	tm_avp_raw(m, JITSIM_AVP_HOST_IP_ADDRESS, JITSIM_DIAM_AVP_M, 0,
		   "\x00\x01\x01\x02\x03\x04\x05\x06", 8);
}
static void
b_addr_len(struct tmsg *m)
{
	cer_custom(m, 0, x_v4_long);
}
static void
x_unknown_m(struct tmsg *m)
{
	tm_str(m, 4242, JITSIM_DIAM_AVP_M, "must-understand");
}
static void
b_unknown_m(struct tmsg *m)
{
	cer_custom(m, 0, x_unknown_m);
}
static void
x_rsvd_bit(struct tmsg *m)
{
	tm_avp_raw(m, JITSIM_AVP_FIRMWARE_REVISION, 0x01, 0, "\x00\x00\x00\x01", 4);
}
static void
b_avp_rsvd(struct tmsg *m)
{
	cer_custom(m, 0, x_rsvd_bit);
}
static void
b_hdr_rsvd(struct tmsg *m)
{
	cer_custom(m, 0, NULL);
	m->b[4] |= 0x04;
}
static void
b_req_e(struct tmsg *m)
{
	cer_custom(m, 0, NULL);
	m->b[4] |= JITSIM_DIAM_FLAG_E;
}
static void
x_empty_host(struct tmsg *m)
{
	tm_avp_raw(m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, 0, "", 0);
}
static void
b_empty_ident(struct tmsg *m)
{
	cer_custom(m, JITSIM_AVP_ORIGIN_REALM, x_empty_host);
}
static void
x_vsai_novendor(struct tmsg *m)
{
	struct tmsg g;

	tm_hdr(&g, 0, 0, 0, 0, 0);
	tm_u32(&g, JITSIM_AVP_AUTH_APPLICATION_ID, JITSIM_S6A_APP_ID);
	tm_group(m, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, JITSIM_DIAM_AVP_M, 0, &g);
}
static void
b_vsai_novendor(struct tmsg *m)
{
	cer_custom(m, 0, x_vsai_novendor);
}
static void
x_vsai_both(struct tmsg *m)
{
	struct tmsg g;

	tm_hdr(&g, 0, 0, 0, 0, 0);
	tm_u32(&g, JITSIM_AVP_VENDOR_ID, 10415);
	tm_u32(&g, JITSIM_AVP_AUTH_APPLICATION_ID, JITSIM_S6A_APP_ID);
	tm_u32(&g, JITSIM_AVP_ACCT_APPLICATION_ID, 3);
	tm_group(m, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, JITSIM_DIAM_AVP_M, 0, &g);
}
static void
b_vsai_both(struct tmsg *m)
{
	cer_custom(m, 0, x_vsai_both);
}
static void
x_vsai_badlen(struct tmsg *m)
{
	struct tmsg g;
	size_t at;

	tm_hdr(&g, 0, 0, 0, 0, 0);
	tm_u32(&g, JITSIM_AVP_VENDOR_ID, 10415);
	at = tm_u32(&g, JITSIM_AVP_AUTH_APPLICATION_ID, JITSIM_S6A_APP_ID);
	/* inner AVP Length 200: past the group */
	jitsim_put_be24(g.b + at + 5, 200);
	tm_group(m, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, JITSIM_DIAM_AVP_M, 0, &g);
}
static void
b_vsai_badlen(struct tmsg *m)
{
	cer_custom(m, 0, x_vsai_badlen);
}
static void
x_len_short(struct tmsg *m)
{
	size_t at = tm_u32(m, JITSIM_AVP_FIRMWARE_REVISION, 1);

	/* AVP Length 5: shorter than its own header */
	jitsim_put_be24(m->b + at + 5, 5);
}
static void
b_avp_len_short(struct tmsg *m)
{
	cer_custom(m, 0, x_len_short);
}
static void
x_len_past(struct tmsg *m)
{
	size_t at = tm_u32(m, JITSIM_AVP_ORIGIN_STATE_ID, 1);

	jitsim_put_be24(m->b + at + 5, 4000);
}
static void
b_avp_len_past(struct tmsg *m)
{
	cer_custom(m, 0, x_len_past);
}
static void
b_trailing(struct tmsg *m)
{
	cer_custom(m, 0, NULL);
	memset(m->b + m->n, 0, 4);
	m->n += 4;
	tm_fin(m);
}
static void
x_vendor_hdr_cut(struct tmsg *m)
{
	/* V set but only 8 bytes: the Vendor-ID field is missing */
	size_t at = m->n;

	jitsim_put_be32(m->b + at, 1407);
	m->b[at + 4] = JITSIM_DIAM_AVP_V | JITSIM_DIAM_AVP_M;
	jitsim_put_be24(m->b + at + 5, 8);
	m->n += 8;
}
static void
b_vendor_hdr_cut(struct tmsg *m)
{
	cer_custom(m, 0, x_vendor_hdr_cut);
}

static const struct bad_case bad_cases[] = {
	{"missing Origin-Host", b_no_host, JITSIM_DIAM_MISSING_AVP, JITSIM_AVP_ORIGIN_HOST, 0, 0,
	 0},
	{"missing Host-IP-Address", b_no_ip, JITSIM_DIAM_MISSING_AVP, JITSIM_AVP_HOST_IP_ADDRESS, 0,
	 6, 0},
	{"missing Vendor-Id", b_no_vendor, JITSIM_DIAM_MISSING_AVP, JITSIM_AVP_VENDOR_ID, 0, 4, 0},
	{"Origin-Host twice", b_host_twice, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES,
	 JITSIM_AVP_ORIGIN_HOST, 0, 12, 0},
	{"Unsigned32 of 3 octets", b_u32_short, JITSIM_DIAM_INVALID_AVP_LENGTH,
	 JITSIM_AVP_ORIGIN_STATE_ID, 0, 4, 0},
	{"address family 99", b_addr_family, JITSIM_DIAM_INVALID_AVP_VALUE,
	 JITSIM_AVP_HOST_IP_ADDRESS, 0, 6, 0},
	{"IPv4 address of 6 octets", b_addr_len, JITSIM_DIAM_INVALID_AVP_LENGTH,
	 JITSIM_AVP_HOST_IP_ADDRESS, 0, 6, 0},
	{"unknown AVP with M", b_unknown_m, JITSIM_DIAM_AVP_UNSUPPORTED, 4242, 0, 15, 0},
	{"reserved AVP flag bit", b_avp_rsvd, JITSIM_DIAM_INVALID_AVP_BITS,
	 JITSIM_AVP_FIRMWARE_REVISION, 0, 4, 0},
	{"reserved header bit", b_hdr_rsvd, JITSIM_DIAM_INVALID_BIT_IN_HEADER, 0, 0, 0, 0},
	{"E bit in a request", b_req_e, JITSIM_DIAM_INVALID_HDR_BITS, 0, 0, 0, 0},
	{"empty Origin-Realm", b_empty_ident, JITSIM_DIAM_INVALID_AVP_VALUE,
	 JITSIM_AVP_ORIGIN_REALM, 0, 0, 0},
	{"VSAI without Vendor-Id", b_vsai_novendor, JITSIM_DIAM_MISSING_AVP,
	 JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, 4, JITSIM_AVP_VENDOR_ID},
	{"VSAI with Auth and Acct", b_vsai_both, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES,
	 JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, 4, JITSIM_AVP_ACCT_APPLICATION_ID},
	{"VSAI member length past the group", b_vsai_badlen, JITSIM_DIAM_INVALID_AVP_LENGTH,
	 JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, 0, JITSIM_AVP_AUTH_APPLICATION_ID},
	{"AVP Length shorter than the header", b_avp_len_short, JITSIM_DIAM_INVALID_AVP_LENGTH,
	 JITSIM_AVP_FIRMWARE_REVISION, 0, 4, 0},
	{"AVP Length past the message", b_avp_len_past, JITSIM_DIAM_INVALID_AVP_LENGTH,
	 JITSIM_AVP_ORIGIN_STATE_ID, 0, 4, 0},
	{"4 bytes after the last AVP", b_trailing, JITSIM_DIAM_INVALID_MESSAGE_LENGTH, 0, 0, 0, 0},
	{"V flag without Vendor-ID", b_vendor_hdr_cut, JITSIM_DIAM_INVALID_AVP_LENGTH, 1407, 0, 0,
	 0},
};

static void
test_validate_bad(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(bad_cases) / sizeof(bad_cases[0]); i++) {
		const struct bad_case *c = &bad_cases[i];
		struct jitsim_diam_err err;
		struct tmsg m;
		struct tans a;

		char line[256];

		c->build(&m);
		err = check_cer(&m);
		jitsim_diam_err_dump(&err, line, sizeof(line));
		print_message("case: %s: %s\n", c->name, line);
		assert_int_equal(err.result_code, c->rc);
		assert_non_null(err.text);
		answer_of(&m, &err, &a);
		assert_int_equal(a.rc, c->rc);
		assert_string_equal(a.err_msg, err.text);
		assert_int_equal(a.has_failed, c->failed_code != 0);
		if (c->failed_code == 0)
			continue;
		assert_int_equal(a.failed.code, c->failed_code);
		assert_int_equal(a.failed.vendor, c->failed_vendor);
		if (c->inner_code == 0) {
			assert_int_equal(a.failed.data_len, c->failed_len);
		} else {
			assert_int_equal(a.failed2.code, c->inner_code);
			assert_int_equal(a.failed2.data_len, c->failed_len);
		}
	}
}

static void
test_err_dump(void **state)
{
	struct jitsim_diam_err err;
	struct tmsg m;
	char line[256];
	int n;

	(void)state;
	b_no_host(&m);
	err = check_cer(&m);
	n = jitsim_diam_err_dump(&err, line, sizeof(line));
	assert_int_equal(n, (int)strlen(line));
	assert_string_equal(line, "result=5005 name=DIAMETER_MISSING_AVP failed=264/0 "
				  "text=mandatory AVP missing");
	b_vsai_badlen(&m);
	err = check_cer(&m);
	jitsim_diam_err_dump(&err, line, sizeof(line));
	assert_string_equal(line, "result=5014 name=DIAMETER_INVALID_AVP_LENGTH failed=258/0 "
				  "(in a group) text=AVP Length inconsistent with the message");
	b_hdr_rsvd(&m);
	err = check_cer(&m);
	jitsim_diam_err_dump(&err, line, sizeof(line));
	assert_string_equal(line, "result=5013 name=DIAMETER_INVALID_BIT_IN_HEADER failed=- "
				  "text=reserved bit set in the header flags");
}

/* The error answer to a request with Session-Id carries it first (RFC 6733 8.8). */
static void
test_error_answer(void **state)
{
	struct jitsim_diam_err err;
	struct jitsim_diam_hdr h;
	struct tmsg m;
	struct tans a;
	uint8_t big[300], buf[64];
	struct jitsim_wbuf w;

	(void)state;
	tm_hdr(&m, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P, JITSIM_S6A_CMD_AIR, JITSIM_S6A_APP_ID,
	       7, 8);
	tm_str(&m, JITSIM_AVP_SESSION_ID, JITSIM_DIAM_AVP_M, "mme.a.test;1;2");
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	/* An oversized member: the Failed-AVP copy is cut to 256 octets. */
	memset(big, 'x', sizeof(big));
	tm_avp_raw(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, 0, big, sizeof(big));
	tm_fin(&m);
	assert_int_equal(jitsim_diam_decode_hdr(m.b, m.n, &h), JITSIM_R_OK);
	assert_false(jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_app_req, &err));
	/* The second Origin-Host is too many before its length is looked at. */
	assert_int_equal(err.result_code, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES);
	answer_of(&m, &err, &a);
	assert_true(a.has_session);
	assert_int_equal(a.h.flags, JITSIM_DIAM_FLAG_P);
	assert_int_equal(a.failed.code, JITSIM_AVP_ORIGIN_HOST);
	assert_int_equal(a.failed.data_len, JITSIM_DIAM_FAILED_AVP_MAX_DATA);

	/* Protocol errors set E. */
	err = (struct jitsim_diam_err){.result_code = JITSIM_DIAM_APPLICATION_UNSUPPORTED};
	answer_of(&m, &err, &a);
	assert_int_equal(a.h.flags, JITSIM_DIAM_FLAG_P | JITSIM_DIAM_FLAG_E);
	assert_int_equal(a.rc, 3007);
	assert_false(a.has_failed);

	/* No room: nothing written; bad parameters refused. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_diam_encode_error_answer(&w, &h, &ident, &err), JITSIM_R_NOSPACE);
	assert_int_equal(w.tail, 0);
	err.result_code = 0;
	assert_int_equal(jitsim_diam_encode_error_answer(&w, &h, &ident, &err), JITSIM_R_BAD_PARAM);
}

/*
 * Truncation at every length: the Message Length rewritten to each multiple
 * of 4 shorter than the CER (the bytes after it are still in the buffer, as
 * on a stream), then to each length that is not a multiple of 4. Every cut
 * is an error with a well-formed answer; an exact-size heap copy lets ASan
 * catch a read past the claimed length.
 */
static void
test_truncations(void **state)
{
	struct tmsg full, m;
	unsigned int n_err = 0, n_ok = 0, k = 0;
	bool valid_cut[TM_MAX] = {false};
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp x;

	(void)state;
	tm_cer(&full, "mme.a.test");
	/*
	 * A cut at an AVP boundary after the five mandatory AVPs (Origin-Host,
	 * -Realm, Host-IP-Address, Vendor-Id, Product-Name come first) is a
	 * valid shorter CER.
	 */
	jitsim_diam_avp_iter_init(&it, full.b + 20, full.n - 20);
	while (jitsim_diam_avp_next(&it, &x) == JITSIM_R_OK)
		if (++k >= 5)
			valid_cut[full.n - it.left] = true;
	for (size_t l = 20; l < full.n; l += 4) {
		struct jitsim_diam_hdr h;
		struct jitsim_diam_err err;
		struct tans a;
		uint8_t *exact = malloc(l);

		assert_non_null(exact);
		memcpy(exact, full.b, l);
		jitsim_put_be24(exact + 1, (uint32_t)l);
		assert_int_equal(jitsim_diam_decode_hdr(exact, l, &h), JITSIM_R_OK);
		if (jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_cer, &err)) {
			assert_true(valid_cut[l]);
			n_ok++;
			free(exact);
			continue;
		}
		assert_false(valid_cut[l]);
		assert_true(err.result_code == JITSIM_DIAM_MISSING_AVP ||
			    err.result_code == JITSIM_DIAM_INVALID_AVP_LENGTH ||
			    err.result_code == JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
		memcpy(m.b, exact, l);
		m.n = l;
		answer_of(&m, &err, &a);
		assert_int_equal(a.rc, err.result_code);
		free(exact);
		n_err++;
	}
	/* OSI, Supported-Vendor-Id and VSAI are optional: 3 valid cuts. */
	assert_int_equal(n_ok, 3);
	assert_int_equal(n_err + n_ok, (full.n - 20) / 4);
	for (size_t l = 0; l < full.n; l++) {
		struct jitsim_diam_hdr h;
		uint8_t *exact = malloc(l ? l : 1);

		memcpy(exact, full.b, l);
		/* A prefix without its full length is never a message. */
		assert_int_not_equal(jitsim_diam_decode_hdr(exact, l, &h), JITSIM_R_OK);
		free(exact);
	}
}

/*
 * Random corruption of the AVP area (deterministic): validation never
 * crashes, never reads out of bounds (ASan), and an error always yields an
 * answer that the node's own answer rules accept.
 */
static void
test_corruption(void **state)
{
	struct tmsg base, m;
	uint32_t x = 12345;
	unsigned int errors = 0, rounds = 20000;

	(void)state;
	tm_cer(&base, "mme.a.test");
	for (unsigned int i = 0; i < rounds; i++) {
		struct jitsim_diam_hdr h;
		struct jitsim_diam_err err;
		unsigned int flips;

		m = base;
		x ^= x << 13;
		x ^= x >> 17;
		x ^= x << 5;
		flips = 1 + x % 4;
		for (unsigned int k = 0; k < flips; k++) {
			x ^= x << 13;
			x ^= x >> 17;
			x ^= x << 5;
			m.b[20 + x % (m.n - 20)] = (uint8_t)(x >> 8);
		}
		assert_int_equal(jitsim_diam_decode_hdr(m.b, m.n, &h), JITSIM_R_OK);
		if (!jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_cer, &err)) {
			struct tans a;

			answer_of(&m, &err, &a);
			assert_int_equal(a.rc, err.result_code);
			errors++;
		}
	}
	/* Most corruptions hit lengths, codes or flags. */
	assert_true(errors > rounds / 2);
}

/* ---- duplicate detection ---- */

static void
test_dup(void **state)
{
	struct jitsim_diam_dup *d = malloc(sizeof(*d));
	const uint8_t *h1 = (const uint8_t *)"mme1.a.test", *h2 = (const uint8_t *)"mme2.a.test";
	unsigned int dups = 0;

	(void)state;
	assert_non_null(d);
	jitsim_diam_dup_init(d, 1000);
	assert_false(jitsim_diam_dup_check(d, h1, 11, 77, 100));
	assert_true(jitsim_diam_dup_check(d, h1, 11, 77, 200));
	/* Same e2e from another host: not a duplicate. */
	assert_false(jitsim_diam_dup_check(d, h2, 11, 77, 300));
	assert_false(jitsim_diam_dup_check(d, h1, 11, 78, 300));
	/* Forgotten after the lifetime (measured from the first sighting). */
	assert_true(jitsim_diam_dup_check(d, h1, 11, 77, 1099));
	assert_false(jitsim_diam_dup_check(d, h1, 11, 77, 1100));
	assert_int_equal(d->dups, 2);
	assert_int_equal(d->evicted, 0);

	/* Flood: twice the table; new ids are never taken for duplicates. */
	jitsim_diam_dup_init(d, 0);
	assert_int_equal(d->lifetime_ms, JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS);
	for (uint32_t i = 0; i < 2 * JITSIM_DIAM_DUP_SETS * JITSIM_DIAM_DUP_WAYS; i++)
		dups += jitsim_diam_dup_check(d, h1, 11, 1000000 + i, 5000 + i);
	assert_int_equal(dups, 0);
	assert_true(d->evicted >= JITSIM_DIAM_DUP_SETS * JITSIM_DIAM_DUP_WAYS);
	/* The most recent ones are still known. */
	assert_true(jitsim_diam_dup_check(
		d, h1, 11, 1000000 + 2 * JITSIM_DIAM_DUP_SETS * JITSIM_DIAM_DUP_WAYS - 1, 100000));
	free(d);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_encoders),     cmocka_unit_test(test_validate_good),
		cmocka_unit_test(test_validate_bad), cmocka_unit_test(test_error_answer),
		cmocka_unit_test(test_truncations),  cmocka_unit_test(test_corruption),
		cmocka_unit_test(test_dup),	     cmocka_unit_test(test_err_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
