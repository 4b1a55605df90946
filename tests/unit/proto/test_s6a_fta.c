/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * S6a pieces of the First Time Attach endpoint (s6a_fta.h). Parsers are
 * checked on requests of the reference captures (values as tshark 4.0 -V
 * shows them), on requests built here as a test MME would, with every
 * mandatory AVP missing, repeated, of the wrong length or value, and at
 * every truncation; builders by round trip through jitsim_s6a_decode()
 * (which must classify each message as the intended command) and an AVP
 * walk of the groups it does not read, and by NOSPACE at every buffer
 * size. tests/tshark/s6a_fta_check.py checks the builders against tshark.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/s6a_fta.h>

#include "test_util.h"

#define MAX_MSG 4096
#define M JITSIM_DIAM_AVP_M
#define V3 JITSIM_DIAM_VENDOR_3GPP

/* s6a_diafuzzer_air.pcap frame 1: AIR over SCTP (as in test_s6a.c) */
static const char air_hex[] = "01000118c000013e010000234d08bb374d08bb37000001074000003a696c7363"
			      "686139392d6d6d652d30312e757363632e6e65743b313436323938343133373b"
			      "3635303b312e31333b37313538350000000001154000000c0000000100000108"
			      "40000020696c7363686139392d6d6d652d30312e757363632e6e657400000128"
			      "40000010757363632e6e65740000011b400000156c74652e6e74776c732e636f"
			      "6d0000000000000140000017333132343230303030303231333337000000057f"
			      "c000000f000028af1351220000000104400000200000010a4000000c000028af"
			      "000001024000000c0100002300000580c000002c000028af00000582c0000010"
			      "000028af0000000200000584c0000010000028af00000001";

/* s6a_open5gs_testattach.pcapng frame 115: AIR for the unknown IMSI */
static const char air115_hex[] = "01000100c000013e010000237c8a72c6f3d80eed000001074000002c6d6d652e"
				 "6c6f63616c646f6d61696e3b313539383131313534393b333b6170705f733661"
				 "000001154000000c0000000100000108400000176d6d652e6c6f63616c646f6d"
				 "61696e0000000128400000136c6f63616c646f6d61696e000000011b40000013"
				 "6c6f63616c646f6d61696e000000000140000017393031373037333634303030"
				 "3036350000000580c000002c000028af00000582c0000010000028af00000001"
				 "00000584c0000010000028af000000010000057fc000000f000028af09f10700"
				 "00000104400000200000010a4000000c000028af000001024000000c01000023";

/* s6a_magma_nsa_tcp.pcapng frame 19: AIR over TCP, with Destination-Host */
static const char nsa19_hex[] = "01000120c000013e01000023025ffb1d0000000000000107400000346d6d652e"
				"6f70656e616972696e746572666163652e6f72673b313630393835393032303b"
				"343b617070733661000001154000000c0000000100000108400000206d6d652e"
				"6f70656e616972696e746572666163652e6f7267000001284000001c6f70656e"
				"616972696e746572666163652e6f726700000125400000206873732e6f70656e"
				"616972696e746572666163652e6f72670000011b4000001c6f70656e61697269"
				"6e746572666163652e6f72670000000140000017323232303130313030303031"
				"313430000000057fc000000f000028af22f2100000000580c000002c000028af"
				"00000582c0000010000028af0000000100000584c0000010000028af00000000";

/* s6a_open5gs_testattach.pcapng frame 50: ULR with Terminal-Information */
static const char ulr50_hex[] = "0100013cc000013c010000237c8a72c5f3d80eec000001074000002c6d6d652e"
				"6c6f63616c646f6d61696e3b313539383131313534393b323b6170705f733661"
				"000001154000000c0000000100000108400000176d6d652e6c6f63616c646f6d"
				"61696e0000000128400000136c6f63616c646f6d61696e000000011b40000013"
				"6c6f63616c646f6d61696e000000000140000017393031373037333634303030"
				"3036300000000579c0000038000028af0000057ac000001a000028af38363635"
				"3037303430303430353300000000057bc000000e000028af3031000000000408"
				"80000010000028af000003ec0000057dc0000010000028af000000020000057f"
				"c000000f000028af09f107000000064f80000010000028af0000000000000104"
				"400000200000010a4000000c000028af000001024000000c01000023";

/* s6a_magma_gxgy03.pcapng frame 252: PUR */
static const char pur252_hex[] = "010000d4c0000141010000239ce92dae9a10786f000001074000003a73747269"
				 "6e672d7336613b31323330363334323830363832303236393039313b33393330"
				 "36353536373b35623234626562340000000001154000000c0000000100000108"
				 "4000000e737472696e670000000001284000000e737472696e67000000000116"
				 "4000000c60920884000000014000001739393939393132333435363738313000"
				 "0000011b400000116d61676d612e636f6d000000000001254000001d6d61676d"
				 "612d66656467772e6d61676d612e636f6d000000";

/* s6a_diafuzzer_air.pcap frame 2: AIA (an answer, not a request) */
static const char aia_head_hex[] = "010000144000013e010000234d08bb374d08bb37";

/* diam_diafuzzer_cx.pcap frame 1: Cx UAR, User-Name alice@open-ims.test (as in test_s6a.c) */
static const char cx_uar_hex[] = "01000114c000012c010000005f2688633b88075f000001074000002969637363"
				 "662e6f70656e2d696d732e746573743b3435373332343031363b313032000000"
				 "000001084000001b69637363662e6f70656e2d696d732e746573740000000128"
				 "400000156f70656e2d696d732e746573740000000000011b400000156f70656e"
				 "2d696d732e7465737400000000000104400000200000010a4000000c000028af"
				 "000001024000000c01000000000001154000000c00000001000000014000001b"
				 "616c696365406f70656e2d696d732e746573740000000258c0000010000028af"
				 "000000000000025ac0000010000028af000000000000025bc0000010000028af"
				 "0000000100000259c0000010000028af0000000000000260c000002b000028af"
				 "7369703a616c696365406f70656e2d696d732e746573740000000259c0000010"
				 "000028af00000001";

static const struct jitsim_s6a_fta_origin hss = {"hss.jitsim.test", "jitsim.test"};
static const char imsi_s[] = "262019876543210";
static const char sess_s[] = "mme.visited.test;1767225600;42";

static size_t
hex(const char *h, uint8_t *out)
{
	return test_hex(h, out, MAX_MSG);
}

/* ---- a test MME: requests built AVP by AVP, and surgery on them ---- */

struct air_opt {
	bool resync;	   /* Re-Synchronization-Info in the E-UTRAN request */
	bool utran;	   /* Requested-UTRAN-GERAN-Authentication-Info */
	unsigned int n_pi; /* Proxy-Info AVPs */
};

static void
ok(enum jitsim_reason r)
{
	assert_int_equal(r, JITSIM_R_OK);
}

static const uint8_t rand_a[16] = {0xa0, 0xa1, 0xa2, 0xa3, 0xa4, 0xa5, 0xa6, 0xa7,
				   0xa8, 0xa9, 0xaa, 0xab, 0xac, 0xad, 0xae, 0xaf};
static const uint8_t auts_a[14] = {0xb0, 0xb1, 0xb2, 0xb3, 0xb4, 0xb5, 0xb6,
				   0xb7, 0xb8, 0xb9, 0xba, 0xbb, 0xbc, 0xbd};

/*
 * An AIR with every AVP the parser reads; Visited-PLMN-Id comes last so
 * that any prefix of the message lacks a mandatory AVP.
 */
static size_t
build_air(uint8_t *buf, const struct air_opt *o)
{
	struct jitsim_diam_hdr h = {.flags = JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P,
				    .cmd = JITSIM_S6A_CMD_AIR,
				    .app_id = JITSIM_S6A_APP_ID,
				    .hbh = 0x11223344,
				    .e2e = 0x55667788};
	struct jitsim_wbuf w;
	size_t start, g, g2;
	uint8_t plmn[3], rs[30];

	jitsim_wbuf_init(&w, buf, MAX_MSG, 0);
	ok(jitsim_diam_encode_hdr(&w, &h, &start));
	ok(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_SESSION_ID, M, 0, sess_s));
	ok(jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_AUTH_SESSION_STATE, M, 0, 1));
	ok(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_HOST, M, 0, "mme.visited.test"));
	ok(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_REALM, M, 0, "visited.test"));
	ok(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_DESTINATION_REALM, M, 0, "jitsim.test"));
	ok(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_USER_NAME, M, 0, imsi_s));
	/* An AVP the parser does not know, with M set: skipped. */
	ok(jitsim_diam_encode_avp_u32(&w, 1679 /* AIR-Flags */, M, V3, 1));
	ok(jitsim_diam_encode_group_begin(&w, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, M, V3, &g));
	ok(jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3, 3));
	ok(jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_IMMEDIATE_RESPONSE_PREFERRED, M, V3, 7));
	if (o->resync) {
		memcpy(rs, rand_a, 16);
		memcpy(rs + 16, auts_a, 14);
		ok(jitsim_diam_encode_avp(&w, JITSIM_AVP_RE_SYNCHRONIZATION_INFO, M, V3, rs, 30));
	}
	jitsim_diam_encode_group_end(&w, g);
	if (o->utran) {
		ok(jitsim_diam_encode_group_begin(&w, JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO, M,
						  V3, &g));
		ok(jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3,
					      1));
		jitsim_diam_encode_group_end(&w, g);
	}
	for (unsigned int i = 0; i < o->n_pi; i++) {
		char host[32];

		snprintf(host, sizeof(host), "proxy%u.test", i);
		ok(jitsim_diam_encode_group_begin(&w, JITSIM_AVP_PROXY_INFO, M, 0, &g2));
		ok(jitsim_diam_encode_avp_str(&w, 280 /* Proxy-Host */, M, 0, host));
		ok(jitsim_diam_encode_avp_str(&w, 33 /* Proxy-State */, M, 0, "st"));
		jitsim_diam_encode_group_end(&w, g2);
	}
	assert_int_equal(jitsim_plmn_encode("26201", plmn), 0);
	ok(jitsim_diam_encode_avp(&w, JITSIM_AVP_VISITED_PLMN_ID, M, V3, plmn, 3));
	jitsim_diam_encode_finish(&w, start);
	return jitsim_wbuf_len(&w);
}

/* A ULR as the existing encoder builds it (Visited-PLMN-Id last too). */
static size_t
build_ulr(uint8_t *buf)
{
	struct jitsim_s6a_msg m = {.cmd = JITSIM_S6A_CMD_ULR,
				   .is_request = true,
				   .hbh = 0x0a0b0c0d,
				   .e2e = 0x01020304,
				   .session_id = sess_s,
				   .origin_host = "mme.visited.test",
				   .origin_realm = "visited.test",
				   .dest_realm = "jitsim.test",
				   .imsi = imsi_s,
				   .visited_plmn = "262010",
				   .rat_type = JITSIM_S6A_RAT_EUTRAN,
				   .ulr_flags = JITSIM_S6A_ULR_S6A_S6D_INDICATOR |
						JITSIM_S6A_ULR_INITIAL_ATTACH_IND,
				   .imei = "35609204079301"};
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, buf, MAX_MSG, 0);
	ok(jitsim_s6a_encode(&w, &m));
	return jitsim_wbuf_len(&w);
}

/* Next top-level AVP: its raw start and padded size; false at the end. */
static bool
top_next(const uint8_t *msg, size_t len, size_t *off, struct jitsim_diam_avp *a, size_t *padded)
{
	struct jitsim_diam_avp_iter it;

	if (*off >= len)
		return false;
	jitsim_diam_avp_iter_init(&it, msg + *off, len - *off);
	if (jitsim_diam_avp_next(&it, a) != JITSIM_R_OK)
		return false;
	*padded = (size_t)(it.p - (msg + *off));
	return true;
}

/*
 * Copy @p in, the first top-level AVP (code, vendor) replaced by @p repl
 * (raw bytes, padded here) or dropped when @p repl is NULL; @p extra (raw)
 * appended at the end. Returns the new length; the header length is fixed.
 */
static size_t
edit(const uint8_t *in, size_t len, uint32_t code, uint32_t vendor, const uint8_t *repl,
     size_t repl_len, const uint8_t *extra, size_t extra_len, uint8_t *out)
{
	size_t off = JITSIM_DIAM_HDR_LEN, n = JITSIM_DIAM_HDR_LEN, padded;
	struct jitsim_diam_avp a = {0};
	bool done = false;

	memcpy(out, in, JITSIM_DIAM_HDR_LEN);
	while (top_next(in, len, &off, &a, &padded)) {
		if (!done && a.code == code && a.vendor == vendor) {
			done = true;
			if (repl != NULL) {
				memcpy(out + n, repl, repl_len);
				memset(out + n + repl_len, 0, ((repl_len + 3) & ~3u) - repl_len);
				n += (repl_len + 3) & ~3u;
			}
		} else {
			memcpy(out + n, in + off, padded);
			n += padded;
		}
		off += padded;
	}
	assert_true(done || code == 0);
	if (extra != NULL) {
		memcpy(out + n, extra, extra_len);
		memset(out + n + extra_len, 0, ((extra_len + 3) & ~3u) - extra_len);
		n += (extra_len + 3) & ~3u;
	}
	jitsim_put_be24(out + 1, (uint32_t)n);
	return n;
}

/* One raw AVP into @p out; returns its unpadded length. */
static size_t
avp(uint8_t *out, uint32_t code, uint32_t vendor, const void *data, size_t len)
{
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, out, 512, 0);
	ok(jitsim_diam_encode_avp(&w, code, M, vendor, data, len));
	return (vendor ? 12 : 8) + len;
}

/* The raw bytes of the first top-level AVP (code, vendor) of @p msg. */
static const uint8_t *
find_raw(const uint8_t *msg, size_t len, uint32_t code, uint32_t vendor, size_t *alen)
{
	size_t off = JITSIM_DIAM_HDR_LEN, padded;
	struct jitsim_diam_avp a = {0};

	while (top_next(msg, len, &off, &a, &padded)) {
		if (a.code == code && a.vendor == vendor) {
			*alen = (size_t)(a.data - (msg + off)) + a.data_len;
			return msg + off;
		}
		off += padded;
	}
	fail_msg("AVP %u/%u not found", code, vendor);
	return NULL;
}

/* ---- parsers on the reference captures ---- */

static void
test_air_captures(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_s6a_fta_air a;
	char line[512];
	size_t n;

	(void)state;
	n = hex(air_hex, m);
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	assert_int_equal(a.req.cmd, 318);
	assert_int_equal(a.req.hbh, 0x4d08bb37);
	assert_int_equal(a.req.e2e, 0x4d08bb37);
	assert_int_equal(a.req.session_id.len,
			 strlen("ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585"));
	assert_memory_equal(a.req.session_id.p,
			    "ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585",
			    a.req.session_id.len);
	assert_memory_equal(a.req.origin_host.p, "ilscha99-mme-01.uscc.net", 24);
	assert_true(a.req.has_imsi);
	assert_string_equal(a.req.imsi.d, "312420000021337");
	assert_string_equal(a.visited_mcc_mnc, "311225");
	assert_true(a.eutran.present);
	assert_int_equal(a.eutran.n_requested, 2);
	assert_true(a.eutran.immediate_response_preferred);
	assert_false(a.eutran.has_resync);
	assert_false(a.utran_geran.present);
	assert_null(a.req.dest_host.p);
	assert_int_equal(a.req.err.result_code, 0);
	jitsim_s6a_fta_air_dump(&a, line, sizeof(line));
	assert_non_null(strstr(line, "imsi=312420000021337 "));
	assert_non_null(strstr(line, " eutran=2,immediate"));

	n = hex(air115_hex, m);
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	assert_string_equal(a.req.imsi.d, "901707364000065");
	assert_string_equal(a.visited_mcc_mnc, "90170");
	assert_int_equal(a.eutran.n_requested, 1);

	n = hex(nsa19_hex, m);
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	assert_string_equal(a.req.imsi.d, "222010100001140");
	assert_string_equal(a.visited_mcc_mnc, "22201");
	assert_memory_equal(a.req.dest_host.p, "hss.openairinterface.org", 24);
	/* Immediate-Response-Preferred 0: its presence is what counts (7.3.16). */
	assert_true(a.eutran.immediate_response_preferred);
}

static void
test_ulr_capture(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_s6a_fta_ulr u;
	char line[512];
	size_t n;

	(void)state;
	n = hex(ulr50_hex, m);
	ok(jitsim_s6a_fta_ulr_decode(m, n, &u));
	assert_int_equal(u.req.cmd, 316);
	assert_string_equal(u.req.imsi.d, "901707364000060");
	assert_string_equal(u.visited_mcc_mnc, "90170");
	assert_int_equal(u.rat_type, JITSIM_S6A_RAT_EUTRAN);
	assert_int_equal(u.ulr_flags, 2);
	assert_true(u.has_terminal);
	assert_true(u.has_imei);
	assert_string_equal(u.imei.d, "86650704004053");
	assert_true(u.has_sv);
	assert_string_equal(u.sv.d, "01");
	jitsim_s6a_fta_ulr_dump(&u, line, sizeof(line));
	assert_non_null(strstr(line, " rat_type=1004 ulr_flags=0x2 imei=86650704004053 sv=01"));
}

static void
test_req_common(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_s6a_fta_req q;
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_ulr u;
	size_t n;

	(void)state;
	n = hex(pur252_hex, m);
	ok(jitsim_s6a_fta_req_decode(m, n, JITSIM_S6A_CMD_PUR, &q));
	ok(jitsim_s6a_fta_req_decode(m, n, 0, &q));
	assert_int_equal(q.cmd, JITSIM_S6A_CMD_PUR);
	assert_string_equal(q.imsi.d, "999991234567810");
	assert_memory_equal(q.dest_host.p, "magma-fedgw.magma.com", 21);
	assert_int_equal(q.auth_session_state, 1);
	/* Another command than asked, or an answer: BAD_PARAM. */
	assert_int_equal(jitsim_s6a_fta_req_decode(m, n, JITSIM_S6A_CMD_AIR, &q),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_air_decode(m, n, &a), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_ulr_decode(m, n, &u), JITSIM_R_BAD_PARAM);
	n = hex(aia_head_hex, m);
	assert_int_equal(jitsim_s6a_fta_req_decode(m, n, 0, &q), JITSIM_R_BAD_PARAM);
	n = hex(ulr50_hex, m);
	assert_int_equal(jitsim_s6a_fta_air_decode(m, n, &a), JITSIM_R_BAD_PARAM);

	/* Cx: the common part reads it, but its User-Name is no IMSI. */
	n = hex(cx_uar_hex, m);
	assert_int_equal(jitsim_s6a_fta_air_decode(m, n, &a), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_req_decode(m, n, 0, &q), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(q.err.result_code, JITSIM_DIAM_INVALID_AVP_VALUE);
	assert_int_equal(q.err.code, JITSIM_AVP_USER_NAME);
	assert_non_null(q.err.avp);
	assert_memory_equal(q.err.avp + 8, "alice@open-ims.test", 19);
	assert_int_equal(q.err.avp_len, 8 + 19);
	assert_int_equal(q.app_id, 16777216);
	assert_non_null(q.session_id.p);
	assert_false(q.has_imsi);

	/* Header errors come from jitsim_diam_decode_hdr(). */
	n = hex(pur252_hex, m);
	m[0] = 2;
	assert_int_equal(jitsim_s6a_fta_req_decode(m, n, 0, &q), JITSIM_R_DIAM_BAD_VERSION);
}

/* ---- parsers on built requests ---- */

static void
test_air_built(void **state)
{
	uint8_t m[MAX_MSG];
	struct air_opt o = {.resync = true, .utran = true, .n_pi = 2};
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a s;
	char line[1024], rhex[8];
	size_t n = build_air(m, &o);
	int want;

	(void)state;
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	assert_int_equal(a.req.hbh, 0x11223344);
	assert_int_equal(a.req.e2e, 0x55667788);
	assert_int_equal(a.req.flags, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P);
	assert_string_equal(a.req.imsi.d, imsi_s);
	assert_string_equal(a.visited_mcc_mnc, "26201");
	assert_int_equal(a.eutran.n_requested, 3);
	assert_true(a.eutran.immediate_response_preferred);
	assert_true(a.eutran.has_resync);
	assert_memory_equal(a.eutran.rand, rand_a, 16);
	assert_memory_equal(a.eutran.auts, auts_a, 14);
	assert_true(a.utran_geran.present);
	assert_int_equal(a.utran_geran.n_requested, 1);
	assert_false(a.utran_geran.immediate_response_preferred);
	assert_int_equal(a.req.n_proxy_info, 2);
	assert_int_equal(jitsim_get_be32(a.req.proxy_info[0].p), JITSIM_AVP_PROXY_INFO);
	assert_int_equal(a.req.proxy_info[0].len, jitsim_get_be24(a.req.proxy_info[0].p + 5));
	/* The lenient view agrees. */
	ok(jitsim_s6a_decode(m, n, &s));
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_AIR);
	assert_true(s.is_request);
	assert_string_equal(s.user_name.d, imsi_s);
	/* The dump says a resync is there, never its RAND or AUTS. */
	jitsim_s6a_fta_air_dump(&a, line, sizeof(line));
	assert_non_null(strstr(line, " eutran=3,immediate,resync utran_geran=1"));
	snprintf(rhex, sizeof(rhex), "a0a1a2");
	assert_null(strstr(line, rhex));
	assert_null(strstr(line, "A0A1A2"));
	/* snprintf semantics. */
	want = jitsim_s6a_fta_air_dump(&a, NULL, 0);
	assert_int_equal(want, (int)strlen(line));
	assert_int_equal(jitsim_s6a_fta_air_dump(&a, line, 10), want);
	assert_int_equal(strlen(line), 9);
}

/* A request without (code, vendor): 5005 with a zero example of @p min octets. */
static void
expect_missing(const uint8_t *m, size_t n, bool ulr, uint32_t code, uint32_t vendor, uint8_t min)
{
	uint8_t e[MAX_MSG];
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_ulr u;
	const struct jitsim_s6a_fta_req *q = ulr ? &u.req : &a.req;
	size_t k = edit(m, n, code, vendor, NULL, 0, NULL, 0, e);
	enum jitsim_reason r =
		ulr ? jitsim_s6a_fta_ulr_decode(e, k, &u) : jitsim_s6a_fta_air_decode(e, k, &a);

	assert_int_equal(r, JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(q->err.result_code, JITSIM_DIAM_MISSING_AVP);
	assert_int_equal(q->err.code, code);
	assert_int_equal(q->err.vendor, vendor);
	assert_null(q->err.avp);
	assert_int_equal(q->err.missing_len, min);
}

/* @p m with @p bad appended (or replacing (code, vendor)): error @p rc naming the AVP. */
static void
expect_err(const uint8_t *m, size_t n, bool ulr, uint32_t code, uint32_t vendor, const uint8_t *bad,
	   size_t bad_len, bool append, uint32_t rc, uint32_t err_code)
{
	uint8_t e[MAX_MSG];
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_ulr u;
	const struct jitsim_s6a_fta_req *q = ulr ? &u.req : &a.req;
	size_t k = append ? edit(m, n, 0, 0, NULL, 0, bad, bad_len, e)
			  : edit(m, n, code, vendor, bad, bad_len, NULL, 0, e);
	enum jitsim_reason r =
		ulr ? jitsim_s6a_fta_ulr_decode(e, k, &u) : jitsim_s6a_fta_air_decode(e, k, &a);

	assert_int_equal(r, JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(q->err.result_code, rc);
	assert_int_equal(q->err.code, err_code);
	/* Session-Id is known whatever failed, for the error answer. */
	assert_non_null(q->session_id.p);
	if (q->err.avp != NULL) {
		assert_true(q->err.avp >= e && q->err.avp + q->err.avp_len <= e + k);
		assert_int_equal(jitsim_get_be24(q->err.avp + 5), q->err.avp_len);
	}
}

static void
test_air_errors(void **state)
{
	uint8_t m[MAX_MSG], b[512], g[512], e[MAX_MSG];
	struct air_opt o = {.resync = true, .utran = true, .n_pi = 1};
	struct jitsim_s6a_fta_air a;
	const uint8_t *raw;
	size_t n = build_air(m, &o), k, rl, bl, gl;
	static const uint8_t bcd_bad[3] = {0x62, 0xf2, 0x1a}, plmn4[4] = {0x62, 0xf2, 0x10, 0};
	static const uint8_t u16[2] = {0, 1};
	uint8_t rs29[29] = {0};

	(void)state;
	/* Every mandatory AVP of 7.2.5 missing. */
	expect_missing(m, n, false, JITSIM_AVP_SESSION_ID, 0, 0);
	expect_missing(m, n, false, JITSIM_AVP_AUTH_SESSION_STATE, 0, 4);
	expect_missing(m, n, false, JITSIM_AVP_ORIGIN_HOST, 0, 0);
	expect_missing(m, n, false, JITSIM_AVP_ORIGIN_REALM, 0, 0);
	expect_missing(m, n, false, JITSIM_AVP_DESTINATION_REALM, 0, 0);
	expect_missing(m, n, false, JITSIM_AVP_USER_NAME, 0, 0);
	expect_missing(m, n, false, JITSIM_AVP_VISITED_PLMN_ID, V3, 3);
	/* Without Session-Id the answer has none to echo. */
	k = edit(m, n, JITSIM_AVP_SESSION_ID, 0, NULL, 0, NULL, 0, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_null(a.req.session_id.p);
	/* Optional ones may be missing. */
	k = edit(m, n, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, NULL, 0, NULL, 0, e);
	ok(jitsim_s6a_fta_air_decode(e, k, &a));
	assert_false(a.eutran.present);

	/* Every single AVP repeated: 5009 naming the second one. */
	static const struct {
		uint32_t code, vendor;
	} singles[] = {{JITSIM_AVP_SESSION_ID, 0},
		       {JITSIM_AVP_AUTH_SESSION_STATE, 0},
		       {JITSIM_AVP_ORIGIN_HOST, 0},
		       {JITSIM_AVP_ORIGIN_REALM, 0},
		       {JITSIM_AVP_DESTINATION_REALM, 0},
		       {JITSIM_AVP_USER_NAME, 0},
		       {JITSIM_AVP_VISITED_PLMN_ID, V3},
		       {JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3},
		       {JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO, V3}};
	for (size_t i = 0; i < sizeof(singles) / sizeof(singles[0]); i++) {
		raw = find_raw(m, n, singles[i].code, singles[i].vendor, &rl);
		memcpy(b, raw, rl);
		expect_err(m, n, false, 0, 0, b, rl, true, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES,
			   singles[i].code);
		k = edit(m, n, 0, 0, NULL, 0, b, rl, e);
		assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
		/* The copy, not the first one. */
		assert_ptr_equal(a.req.err.avp, e + k - ((rl + 3) & ~3u));
	}

	/* Wrong lengths: 5014; wrong values: 5004. */
	bl = avp(b, JITSIM_AVP_VISITED_PLMN_ID, V3, plmn4, 4);
	expect_err(m, n, false, JITSIM_AVP_VISITED_PLMN_ID, V3, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_VISITED_PLMN_ID);
	bl = avp(b, JITSIM_AVP_VISITED_PLMN_ID, V3, bcd_bad, 3);
	expect_err(m, n, false, JITSIM_AVP_VISITED_PLMN_ID, V3, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_VISITED_PLMN_ID);
	bl = avp(b, JITSIM_AVP_AUTH_SESSION_STATE, 0, u16, 2);
	expect_err(m, n, false, JITSIM_AVP_AUTH_SESSION_STATE, 0, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_AUTH_SESSION_STATE);
	bl = avp(b, JITSIM_AVP_USER_NAME, 0, "26201987654321a", 15);
	expect_err(m, n, false, JITSIM_AVP_USER_NAME, 0, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_USER_NAME);
	bl = avp(b, JITSIM_AVP_USER_NAME, 0, "2620198765432101", 16);
	expect_err(m, n, false, JITSIM_AVP_USER_NAME, 0, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_USER_NAME);
	bl = avp(b, JITSIM_AVP_USER_NAME, 0, "2620", 4);
	expect_err(m, n, false, JITSIM_AVP_USER_NAME, 0, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_USER_NAME);
	bl = avp(b, JITSIM_AVP_ORIGIN_HOST, 0, "", 0);
	expect_err(m, n, false, JITSIM_AVP_ORIGIN_HOST, 0, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_ORIGIN_HOST);
	/* Inside Requested-EUTRAN-Authentication-Info: the inner AVP is named. */
	bl = avp(b, JITSIM_AVP_RE_SYNCHRONIZATION_INFO, V3, rs29, 29);
	gl = 12;
	memcpy(g + gl, b, bl);
	gl += (bl + 3) & ~3u;
	jitsim_put_be32(g, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO);
	jitsim_put_be32(g + 4, (uint32_t)(M | JITSIM_DIAM_AVP_V) << 24 | (uint32_t)gl);
	jitsim_put_be32(g + 8, V3);
	expect_err(m, n, false, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, g, gl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_RE_SYNCHRONIZATION_INFO);
	bl = avp(b, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, V3, u16, 2);
	memcpy(g + 12, b, bl);
	gl = 12 + ((bl + 3) & ~3u);
	jitsim_put_be24(g + 5, (uint32_t)gl);
	expect_err(m, n, false, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, g, gl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS);
	/* Inner repeated: 5009. */
	bl = avp(b, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, V3, "\0\0\0\1", 4);
	memcpy(g + 12, b, bl);
	memcpy(g + 12 + bl, b, bl);
	gl = 12 + 2 * bl;
	jitsim_put_be24(g + 5, (uint32_t)gl);
	expect_err(m, n, false, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, g, gl, false,
		   JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS);
	/* Inner framing broken: the group is named. */
	jitsim_put_be24(g + 12 + 5, 200);
	expect_err(m, n, false, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, g, gl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO);

	/* Top-level framing broken: an example of the AVP (its length is the fault). */
	memcpy(e, m, n);
	raw = find_raw(e, n, JITSIM_AVP_VISITED_PLMN_ID, V3, &rl);
	jitsim_put_be24((uint8_t *)(uintptr_t)raw + 5, 40);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, n, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(a.req.err.result_code, JITSIM_DIAM_INVALID_AVP_LENGTH);
	assert_int_equal(a.req.err.code, JITSIM_AVP_VISITED_PLMN_ID);
	assert_int_equal(a.req.err.vendor, V3);
	assert_null(a.req.err.avp);
	/* Four stray octets after the last AVP: 5015, no AVP to name. */
	memset(b, 0, 4);
	k = edit(m, n, 0, 0, NULL, 0, b, 4, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(a.req.err.result_code, JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	assert_int_equal(a.req.err.code, 0);

	/* The first error is kept; Proxy-Info after it is still collected. */
	bl = avp(b, JITSIM_AVP_USER_NAME, 0, "x", 1);
	k = edit(m, n, JITSIM_AVP_USER_NAME, 0, b, bl, NULL, 0, e);
	memcpy(m, e, k);
	n = k;
	k = edit(m, n, JITSIM_AVP_AUTH_SESSION_STATE, 0, NULL, 0, NULL, 0, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(a.req.err.result_code, JITSIM_DIAM_INVALID_AVP_VALUE);
	assert_int_equal(a.req.n_proxy_info, 1);
}

static void
test_proxy_info_limit(void **state)
{
	uint8_t m[MAX_MSG];
	struct air_opt o = {.n_pi = JITSIM_S6A_FTA_PROXY_INFO_MAX};
	struct jitsim_s6a_fta_air a;
	size_t n = build_air(m, &o);

	(void)state;
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	assert_int_equal(a.req.n_proxy_info, JITSIM_S6A_FTA_PROXY_INFO_MAX);
	o.n_pi++;
	n = build_air(m, &o);
	assert_int_equal(jitsim_s6a_fta_air_decode(m, n, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(a.req.err.result_code, JITSIM_DIAM_UNABLE_TO_COMPLY);
	assert_int_equal(a.req.err.code, JITSIM_AVP_PROXY_INFO);
}

static void
test_ulr_errors(void **state)
{
	uint8_t m[MAX_MSG], b[256], g[256];
	struct jitsim_s6a_fta_ulr u;
	size_t n = build_ulr(m), bl, gl;

	(void)state;
	ok(jitsim_s6a_fta_ulr_decode(m, n, &u));
	assert_string_equal(u.req.imsi.d, imsi_s);
	assert_string_equal(u.visited_mcc_mnc, "262010");
	assert_int_equal(u.rat_type, 1004);
	assert_int_equal(u.ulr_flags, 0x22);
	assert_string_equal(u.imei.d, "35609204079301");
	assert_false(u.has_sv);

	expect_missing(m, n, true, JITSIM_AVP_RAT_TYPE, V3, 4);
	expect_missing(m, n, true, JITSIM_AVP_ULR_FLAGS, V3, 4);
	expect_missing(m, n, true, JITSIM_AVP_VISITED_PLMN_ID, V3, 3);
	expect_missing(m, n, true, JITSIM_AVP_USER_NAME, 0, 0);
	bl = avp(b, JITSIM_AVP_ULR_FLAGS, V3, "\0\0\0\0\0", 5);
	expect_err(m, n, true, JITSIM_AVP_ULR_FLAGS, V3, b, bl, false,
		   JITSIM_DIAM_INVALID_AVP_LENGTH, JITSIM_AVP_ULR_FLAGS);
	/* IMEI of 13 digits, Software-Version of 3. */
	bl = avp(b, JITSIM_AVP_IMEI, V3, "3560920407930", 13);
	memcpy(g + 12, b, bl);
	gl = 12 + ((bl + 3) & ~3u);
	jitsim_put_be32(g, JITSIM_AVP_TERMINAL_INFORMATION);
	jitsim_put_be32(g + 4, (uint32_t)(M | JITSIM_DIAM_AVP_V) << 24 | (uint32_t)gl);
	jitsim_put_be32(g + 8, V3);
	expect_err(m, n, true, JITSIM_AVP_TERMINAL_INFORMATION, V3, g, gl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_IMEI);
	bl = avp(b, JITSIM_AVP_SOFTWARE_VERSION, V3, "123", 3);
	memcpy(g + 12, b, bl);
	gl = 12 + ((bl + 3) & ~3u);
	jitsim_put_be24(g + 5, (uint32_t)gl);
	expect_err(m, n, true, JITSIM_AVP_TERMINAL_INFORMATION, V3, g, gl, false,
		   JITSIM_DIAM_INVALID_AVP_VALUE, JITSIM_AVP_SOFTWARE_VERSION);
	/* An AIR slot in a ULR is just an unknown AVP. */
	bl = avp(b, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, V3, NULL, 0);
	{
		uint8_t e[MAX_MSG];
		size_t k = edit(m, n, 0, 0, NULL, 0, b, bl, e);

		ok(jitsim_s6a_fta_ulr_decode(e, k, &u));
	}
}

/* ---- truncation ---- */

static enum jitsim_reason
air_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_s6a_fta_air_decode(p, len, ctx);
}

static enum jitsim_reason
ulr_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_s6a_fta_ulr_decode(p, len, ctx);
}

static enum jitsim_reason
req_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_s6a_fta_req_decode(p, len, 0, ctx);
}

/*
 * Every prefix with its header length set to the prefix (rounded down to 4
 * as RFC 6733 3 requires), in an exact-size heap copy: never OK (the last
 * AVP is mandatory), and a DIAM_BAD_AVP always says what to answer.
 */
static void
truncations_relabelled(const uint8_t *m, size_t n, test_decode_fn fn, void *out,
		       const struct jitsim_s6a_fta_req *req)
{
	for (size_t k = JITSIM_DIAM_HDR_LEN; k < n; k++) {
		size_t k4 = k & ~(size_t)3;
		uint8_t *c = malloc(k);
		enum jitsim_reason r;

		assert_non_null(c);
		memcpy(c, m, k);
		jitsim_put_be24(c + 1, (uint32_t)k4);
		r = fn(c, k, out);
		assert_int_not_equal(r, JITSIM_R_OK);
		if (r == JITSIM_R_DIAM_BAD_AVP)
			assert_int_not_equal(req->err.result_code, 0);
		free(c);
	}
}

static void
test_truncations_all(void **state)
{
	uint8_t m[MAX_MSG];
	struct air_opt o = {.resync = true, .utran = true, .n_pi = 2};
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_ulr u;
	struct jitsim_s6a_fta_req q;
	size_t n;

	(void)state;
	n = build_air(m, &o);
	ok(test_decode_exact(m, n, air_fn, &a));
	test_truncations(m, n, air_fn, &a, NULL);
	truncations_relabelled(m, n, air_fn, &a, &a.req);
	n = hex(air_hex, m);
	test_truncations(m, n, air_fn, &a, NULL);
	n = build_ulr(m);
	ok(test_decode_exact(m, n, ulr_fn, &u));
	test_truncations(m, n, ulr_fn, &u, NULL);
	truncations_relabelled(m, n, ulr_fn, &u, &u.req);
	n = hex(ulr50_hex, m);
	test_truncations(m, n, ulr_fn, &u, NULL);
	n = hex(pur252_hex, m);
	ok(test_decode_exact(m, n, req_fn, &q));
	test_truncations(m, n, req_fn, &q, NULL);
}

/*
 * Random byte changes of a valid AIR and ULR (fixed seed): whatever the
 * parser says, a refused request can always be answered with the error it
 * names, and the answer is a well-formed message of the same command.
 */
static void
test_mutations(void **state)
{
	uint8_t m[MAX_MSG], c[MAX_MSG], ans[MAX_MSG];
	struct air_opt o = {.resync = true, .utran = true, .n_pi = 1};
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_ulr u;
	size_t na = build_air(m, &o), nu = build_ulr(m + 2048);
	uint64_t x = 0x9e3779b97f4a7c15ull;
	unsigned int refused = 0, answered = 0;

	(void)state;
	for (unsigned int i = 0; i < 20000; i++) {
		bool ulr = i & 1;
		size_t n = ulr ? nu : na;
		const struct jitsim_s6a_fta_req *q = ulr ? &u.req : &a.req;
		struct jitsim_wbuf w;
		struct jitsim_s6a s;
		enum jitsim_reason r;

		memcpy(c, ulr ? m + 2048 : m, n);
		for (unsigned int k = 0; k < 1 + i % 4; k++) {
			/* xorshift64: reproducible, no libc state. */
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			c[JITSIM_DIAM_HDR_LEN + x % (n - JITSIM_DIAM_HDR_LEN)] = (uint8_t)(x >> 32);
		}
		r = ulr ? jitsim_s6a_fta_ulr_decode(c, n, &u) : jitsim_s6a_fta_air_decode(c, n, &a);
		if (r != JITSIM_R_DIAM_BAD_AVP) {
			assert_int_equal(r, JITSIM_R_OK);
			continue;
		}
		refused++;
		assert_true(q->err.result_code >= 5000 && q->err.result_code < 6000);
		jitsim_wbuf_init(&w, ans, sizeof(ans), 0);
		ok(jitsim_s6a_fta_answer_error(&w, q, &hss, q->err.result_code, 0, &q->err));
		ok(jitsim_s6a_decode(ans, jitsim_wbuf_len(&w), &s));
		assert_int_equal(s.hdr.cmd, ulr ? JITSIM_S6A_CMD_ULR : JITSIM_S6A_CMD_AIR);
		assert_int_equal(s.result_code, q->err.result_code);
		answered++;
	}
	/* Most changes hit a length, a digit or a code the parser checks. */
	assert_true(refused > 1000);
	assert_int_equal(answered, refused);
}

/* ---- builders ---- */

typedef enum jitsim_reason (*build_fn)(struct jitsim_wbuf *w, const void *ctx);

/*
 * The message @p fn builds with room to spare, then with every smaller
 * room: NOSPACE, and the 3 octets already in the buffer stay its length.
 * Returns the full message in @p out.
 */
static size_t
check_nospace(build_fn fn, const void *ctx, uint8_t *out)
{
	uint8_t buf[MAX_MSG];
	struct jitsim_wbuf w;
	size_t n;

	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_wbuf_put(&w, "abc", 3), 0);
	ok(fn(&w, ctx));
	n = jitsim_wbuf_len(&w) - 3;
	memcpy(out, buf + 3, n);
	assert_int_equal(n % 4, 0);
	assert_int_equal(jitsim_get_be24(out + 1), n);
	for (size_t cap = 3; cap < n + 3; cap++) {
		jitsim_wbuf_init(&w, buf, cap, 0);
		assert_int_equal(jitsim_wbuf_put(&w, "abc", 3), 0);
		assert_int_equal(fn(&w, ctx), JITSIM_R_NOSPACE);
		assert_int_equal(jitsim_wbuf_len(&w), 3);
		assert_memory_equal(buf, "abc", 3);
	}
	/* Exactly enough: the same bytes. */
	jitsim_wbuf_init(&w, buf, n, 0);
	ok(fn(&w, ctx));
	assert_int_equal(jitsim_wbuf_len(&w), n);
	assert_memory_equal(buf, out, n);
	return n;
}

/* The data of a 3GPP AVP nested along @p path (codes), from the message's top level. */
static bool
nested(const uint8_t *msg, size_t len, const uint32_t *path, size_t depth, unsigned int index,
       struct jitsim_diam_avp *out)
{
	const uint8_t *p = msg + JITSIM_DIAM_HDR_LEN;
	size_t l = len - JITSIM_DIAM_HDR_LEN;

	for (size_t d = 0; d < depth; d++) {
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp a = {0};
		unsigned int seen = 0;
		bool found = false;

		jitsim_diam_avp_iter_init(&it, p, l);
		while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
			if (a.code != path[d])
				continue;
			/* @p index picks among the repeated AVPs of the last level. */
			if (d == depth - 1 && seen++ != index)
				continue;
			found = true;
			break;
		}
		if (!found)
			return false;
		*out = a;
		p = a.data;
		l = a.data_len;
	}
	return true;
}

static uint32_t
nested_u32(const uint8_t *msg, size_t len, const uint32_t *path, size_t depth, unsigned int i)
{
	struct jitsim_diam_avp a = {0};
	uint32_t v;

	assert_true(nested(msg, len, path, depth, i, &a));
	ok(jitsim_diam_avp_u32(&a, &v));
	return v;
}

/* The answer common part, checked through jitsim_s6a_decode(). */
static void
check_answer(const uint8_t *ans, size_t n, const struct jitsim_s6a_fta_req *req,
	     uint32_t result_code, uint32_t exp_code, struct jitsim_s6a *s)
{
	size_t alen;

	ok(jitsim_s6a_decode(ans, n, s));
	assert_false(s->is_request);
	assert_int_equal(s->hdr.cmd, req->cmd);
	assert_int_equal(s->hdr.app_id, req->app_id);
	assert_int_equal(s->hdr.hbh, req->hbh);
	assert_int_equal(s->hdr.e2e, req->e2e);
	assert_int_equal(s->hdr.flags & JITSIM_DIAM_FLAG_P, req->flags & JITSIM_DIAM_FLAG_P);
	assert_int_equal((s->hdr.flags & JITSIM_DIAM_FLAG_E) != 0,
			 result_code >= 3000 && result_code < 4000);
	if (req->session_id.p != NULL) {
		assert_int_equal(s->session_id.len, req->session_id.len);
		assert_memory_equal(s->session_id.p, req->session_id.p, req->session_id.len);
		/* RFC 6733 8.8: first. */
		assert_ptr_equal(s->session_id.p, ans + 28);
	} else {
		assert_null(s->session_id.p);
	}
	assert_memory_equal(s->origin_host.p, hss.host, strlen(hss.host));
	assert_memory_equal(s->origin_realm.p, hss.realm, strlen(hss.realm));
	assert_int_equal(s->has_result_code, result_code != 0);
	if (result_code != 0)
		assert_int_equal(s->result_code, result_code);
	assert_int_equal(s->has_exp_result, exp_code != 0);
	if (exp_code != 0) {
		assert_int_equal(s->exp_vendor, V3);
		assert_int_equal(s->exp_result_code, exp_code);
	}
	if (req->app_id == JITSIM_S6A_APP_ID) {
		struct jitsim_diam_avp a = {0};
		uint32_t v;

		ok(jitsim_diam_avp_find(ans + 20, n - 20, JITSIM_AVP_AUTH_SESSION_STATE, 0, &a));
		ok(jitsim_diam_avp_u32(&a, &v));
		assert_int_equal(v, 1);
	} else {
		struct jitsim_diam_avp a = {0};

		assert_int_equal(jitsim_diam_avp_find(ans + 20, n - 20,
						      JITSIM_AVP_AUTH_SESSION_STATE, 0, &a),
				 JITSIM_R_END);
	}
	/* Proxy-Info echoed byte for byte, in order, at the end. */
	alen = 0;
	for (unsigned int i = 0; i < req->n_proxy_info; i++)
		alen += (req->proxy_info[i].len + 3u) & ~3u;
	for (unsigned int i = 0, off = (unsigned int)(n - alen); i < req->n_proxy_info; i++) {
		assert_memory_equal(ans + off, req->proxy_info[i].p, req->proxy_info[i].len);
		off += (req->proxy_info[i].len + 3u) & ~3u;
	}
}

struct aia_ctx {
	const struct jitsim_s6a_fta_req *req;
	const struct jitsim_s6a_fta_auth_info *ai;
};

static enum jitsim_reason
aia_fn(struct jitsim_wbuf *w, const void *ctx)
{
	const struct aia_ctx *c = ctx;

	return jitsim_s6a_fta_aia_encode(w, c->req, &hss, c->ai);
}

static void
fill_vectors(struct jitsim_s6a_fta_eutran_vector *e, struct jitsim_s6a_fta_utran_vector *u,
	     struct jitsim_s6a_fta_geran_vector *g)
{
	for (int i = 0; i < JITSIM_S6A_FTA_VECTORS_MAX; i++) {
		for (int k = 0; k < 16; k++) {
			e[i].rand[k] = u[i].rand[k] = g[i].rand[k] = (uint8_t)(i * 16 + k);
			e[i].xres[k] = u[i].xres[k] = (uint8_t)(0x40 + k);
			e[i].autn[k] = u[i].autn[k] = (uint8_t)(0xc0 + k);
			u[i].ck[k] = (uint8_t)(0x80 + k);
			u[i].ik[k] = (uint8_t)(0xa0 + k);
		}
		for (int k = 0; k < 32; k++)
			e[i].kasme[k] = (uint8_t)(0xe0 + i + k);
		e[i].xres_len = 8;
		u[i].xres_len = 16;
		memset(g[i].sres, 0x55, sizeof(g[i].sres));
		memset(g[i].kc, 0x66, sizeof(g[i].kc));
	}
}

static void
test_aia(void **state)
{
	uint8_t m[MAX_MSG], ans[MAX_MSG];
	struct air_opt o = {.resync = true, .utran = true, .n_pi = 2};
	struct jitsim_s6a_fta_eutran_vector ev[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_utran_vector uv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_geran_vector gv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_auth_info ai = {ev, 3, uv, 2, gv, 1};
	struct jitsim_s6a_fta_air a;
	struct aia_ctx c = {&a.req, &ai};
	struct jitsim_diam_avp v = {0};
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n;

	(void)state;
	fill_vectors(ev, uv, gv);
	ok(jitsim_s6a_fta_air_decode(m, build_air(m, &o), &a));
	n = check_nospace(aia_fn, &c, ans);
	check_answer(ans, n, &a.req, 2001, 0, &s);
	/* Authentication-Info: vectors in order, Item-Number 1.., contents. */
	for (unsigned int i = 0; i < 3; i++) {
		const uint32_t item[] = {1413, 1414, 1419}, rnd[] = {1413, 1414, 1447},
			       xres[] = {1413, 1414, 1448}, kasme[] = {1413, 1414, 1450};
		struct jitsim_diam_avp vec = {0};

		assert_true(nested(ans, n, item, 2, i, &vec));
		assert_true(vec.flags & M);
		assert_int_equal(vec.vendor, V3);
		assert_int_equal(nested_u32(vec.data - 20, vec.data_len + 20, item + 2, 1, 0),
				 i + 1);
		assert_true(nested(vec.data - 20, vec.data_len + 20, rnd + 2, 1, 0, &v));
		assert_memory_equal(v.data, ev[i].rand, 16);
		assert_true(nested(vec.data - 20, vec.data_len + 20, xres + 2, 1, 0, &v));
		assert_int_equal(v.data_len, 8);
		assert_true(nested(vec.data - 20, vec.data_len + 20, kasme + 2, 1, 0, &v));
		assert_memory_equal(v.data, ev[i].kasme, 32);
	}
	{
		const uint32_t e4[] = {1413, 1414}, u1[] = {1413, 1415}, g1[] = {1413, 1416},
			       ck[] = {1413, 1415, 625};

		assert_false(nested(ans, n, e4, 2, 3, &v));
		assert_true(nested(ans, n, u1, 2, 1, &v));
		assert_false(nested(ans, n, u1, 2, 2, &v));
		assert_true(nested(ans, n, g1, 2, 0, &v));
		assert_false(nested(ans, n, g1, 2, 1, &v));
		assert_true(nested(ans, n, ck, 3, 0, &v));
		assert_memory_equal(v.data, uv[0].ck, 16);
	}

	/* Parameters refused, nothing written. */
	jitsim_wbuf_init(&w, ans, sizeof(ans), 0);
	ai.n_eutran = JITSIM_S6A_FTA_VECTORS_MAX + 1;
	assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai), JITSIM_R_BAD_PARAM);
	ai.n_eutran = 0;
	ai.n_utran = 0;
	ai.n_geran = 0;
	assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai), JITSIM_R_BAD_PARAM);
	ai.n_eutran = 1;
	ev[0].xres_len = 3;
	assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai), JITSIM_R_BAD_PARAM);
	ev[0].xres_len = 17;
	assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai), JITSIM_R_BAD_PARAM);
	ev[0].xres_len = 4;
	ai.eutran = NULL;
	assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai), JITSIM_R_BAD_PARAM);
	ai.eutran = ev;
	{
		struct jitsim_s6a_fta_origin bad = {"", "x"};
		struct jitsim_s6a_fta_req nosess = a.req;

		assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, &bad, &ai),
				 JITSIM_R_BAD_PARAM);
		assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &a.req, NULL, &ai),
				 JITSIM_R_BAD_PARAM);
		nosess.session_id.p = NULL;
		assert_int_equal(jitsim_s6a_fta_aia_encode(&w, &nosess, &hss, &ai),
				 JITSIM_R_BAD_PARAM);
		assert_int_equal(jitsim_s6a_fta_aia_encode(&w, NULL, &hss, &ai),
				 JITSIM_R_BAD_PARAM);
	}
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	/* Five E-UTRAN vectors with 16-octet XRES: one AIA well under 1 KiB. */
	ai.n_eutran = JITSIM_S6A_FTA_VECTORS_MAX;
	ev[0].xres_len = 16;
	ok(jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai));
	assert_true(jitsim_wbuf_len(&w) < 1024);
}

struct ula_ctx {
	const struct jitsim_s6a_fta_req *req;
	uint32_t flags;
	const struct jitsim_s6a_fta_subscription *sub;
};

static enum jitsim_reason
ula_fn(struct jitsim_wbuf *w, const void *ctx)
{
	const struct ula_ctx *c = ctx;

	return jitsim_s6a_fta_ula_encode(w, c->req, &hss, c->flags, c->sub);
}

static void
tariff(struct jitsim_s6a_fta_subscription *sub)
{
	jitsim_s6a_fta_subscription_init(sub);
	jitsim_digits_set(&sub->msisdn, "491700000001");
	sub->ambr_ul = 50000000;
	sub->ambr_dl = 150000000;
	sub->n_apn = 2;
	sub->apn[0].ambr_ul = 20000000;
	sub->apn[0].ambr_dl = 100000000;
	sub->apn[1] = sub->apn[0];
	sub->apn[1].context_id = 2;
	snprintf(sub->apn[1].name, sizeof(sub->apn[1].name), "ims");
	sub->apn[1].pdn_type = JITSIM_S6A_PDN_TYPE_IPV4V6;
	sub->apn[1].qci = 5;
	sub->apn[1].priority_level = 1;
	sub->apn[1].ambr_ul = 0;
	sub->apn[1].ambr_dl = 0;
}

static void
test_ula(void **state)
{
	uint8_t m[MAX_MSG], ans[MAX_MSG];
	struct jitsim_s6a_fta_subscription sub, bad;
	struct jitsim_s6a_fta_ulr u;
	struct ula_ctx c = {&u.req, JITSIM_S6A_ULA_SEPARATION_INDICATION, &sub};
	struct jitsim_diam_avp v = {0};
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n;
	const uint32_t flags[] = {1406}, status[] = {1400, 1424}, nam[] = {1400, 1417},
		       ambr_ul[] = {1400, 1435, 516}, ambr_dl[] = {1400, 1435, 515},
		       prof_ctx[] = {1400, 1429, 1423}, prof_all[] = {1400, 1429, 1428},
		       apn[] = {1400, 1429, 1430};

	(void)state;
	ok(jitsim_s6a_fta_ulr_decode(m, build_ulr(m), &u));
	tariff(&sub);
	n = check_nospace(ula_fn, &c, ans);
	check_answer(ans, n, &u.req, 2001, 0, &s);
	assert_true(s.has_msisdn);
	assert_string_equal(s.msisdn.d, "491700000001");
	assert_int_equal(nested_u32(ans, n, flags, 1, 0), 1);
	assert_int_equal(nested_u32(ans, n, status, 2, 0), 0);
	assert_int_equal(nested_u32(ans, n, nam, 2, 0), 2);
	assert_int_equal(nested_u32(ans, n, ambr_ul, 3, 0), 50000000);
	assert_int_equal(nested_u32(ans, n, ambr_dl, 3, 0), 150000000);
	assert_int_equal(nested_u32(ans, n, prof_ctx, 3, 0), 1);
	assert_int_equal(nested_u32(ans, n, prof_all, 3, 0), 0);
	for (unsigned int i = 0; i < 2; i++) {
		const uint32_t ctx[] = {1423}, pdn[] = {1456}, qci[] = {1431, 1028},
			       prio[] = {1431, 1034, 1046}, apn_ul[] = {1435, 516};
		const uint8_t *g;
		struct jitsim_diam_avp a = {0};

		assert_true(nested(ans, n, apn, 3, i, &a));
		/* nested() walks from a header's end: hand it the group's data as a message. */
		g = a.data - 20;
		assert_int_equal(nested_u32(g, a.data_len + 20, ctx, 1, 0), i + 1);
		assert_int_equal(nested_u32(g, a.data_len + 20, pdn, 1, 0), i == 0 ? 0 : 2);
		assert_int_equal(nested_u32(g, a.data_len + 20, qci, 2, 0), i == 0 ? 9 : 5);
		assert_int_equal(nested_u32(g, a.data_len + 20, prio, 3, 0), i == 0 ? 8 : 1);
		ok(jitsim_diam_avp_find(a.data, a.data_len, JITSIM_AVP_SERVICE_SELECTION, 0, &v));
		assert_int_equal(v.data_len, i == 0 ? 8 : 3);
		assert_memory_equal(v.data, i == 0 ? "internet" : "ims", v.data_len);
		if (i == 0)
			assert_int_equal(nested_u32(g, a.data_len + 20, apn_ul, 2, 0), 20000000);
		else
			assert_false(nested(g, a.data_len + 20, apn_ul, 2, 0, &v));
	}
	assert_false(nested(ans, n, apn, 3, 2, &v));

	/* Skip-Subscriber-Data: no Subscription-Data; no MSISDN: none in it. */
	c.sub = NULL;
	n = check_nospace(ula_fn, &c, ans);
	check_answer(ans, n, &u.req, 2001, 0, &s);
	assert_false(nested(ans, n, status, 1, 0, &v));
	c.sub = &sub;
	sub.msisdn.n = 0;
	sub.n_apn = 0;
	jitsim_wbuf_init(&w, ans, sizeof(ans), 0);
	ok(jitsim_s6a_fta_ula_encode(&w, &u.req, &hss, 0, &sub));
	ok(jitsim_s6a_decode(ans, jitsim_wbuf_len(&w), &s));
	assert_false(s.has_msisdn);
	assert_false(nested(ans, jitsim_wbuf_len(&w), prof_ctx, 2, 0, &v));

	/* Every refused subscription leaves the buffer as it was. */
	jitsim_wbuf_init(&w, ans, sizeof(ans), 0);
#define REFUSE(stmt)                                                                   \
	do {                                                                           \
		tariff(&bad);                                                          \
		stmt;                                                                  \
		assert_int_equal(jitsim_s6a_fta_ula_encode(&w, &u.req, &hss, 0, &bad), \
				 JITSIM_R_BAD_PARAM);                                  \
		assert_int_equal(jitsim_wbuf_len(&w), 0);                              \
	} while (0)
	REFUSE(jitsim_digits_set(&bad.msisdn, "4917000000012345"));
	REFUSE(jitsim_digits_set(&bad.msisdn, "49170000a"));
	REFUSE(bad.n_apn = JITSIM_S6A_FTA_APN_MAX + 1);
	REFUSE(bad.apn[1].context_id = 1);
	REFUSE(bad.apn[0].context_id = 0);
	REFUSE(bad.default_context_id = 3);
	REFUSE(bad.apn[0].name[0] = '\0');
	REFUSE(snprintf(bad.apn[0].name, sizeof(bad.apn[0].name), "a..b"));
	REFUSE(snprintf(bad.apn[0].name, sizeof(bad.apn[0].name), "a.b."));
	REFUSE(snprintf(bad.apn[0].name, sizeof(bad.apn[0].name), "inter net"));
	REFUSE(snprintf(bad.apn[0].name, sizeof(bad.apn[0].name), "*.x"));
	REFUSE(memset(bad.apn[0].name, 'a', sizeof(bad.apn[0].name)));
	REFUSE(bad.apn[0].qci = 0);
	REFUSE(bad.apn[0].qci = 255);
	REFUSE(bad.apn[0].priority_level = 0);
	REFUSE(bad.apn[0].priority_level = 16);
	REFUSE(bad.apn[0].pdn_type = 4);
	REFUSE(bad.apn[0].pre_emption_capability = 2);
	REFUSE(bad.apn[0].pre_emption_vulnerability = 2);
#undef REFUSE
	/* The longest APN name and the wildcard are fine. */
	tariff(&bad);
	memset(bad.apn[0].name, 'a', JITSIM_S6A_FTA_APN_NAME_MAX);
	bad.apn[0].name[JITSIM_S6A_FTA_APN_NAME_MAX] = '\0';
	snprintf(bad.apn[1].name, sizeof(bad.apn[1].name), "*");
	ok(jitsim_s6a_fta_ula_encode(&w, &u.req, &hss, 0, &bad));
}

struct pua_ctx {
	const struct jitsim_s6a_fta_req *req;
	uint32_t flags;
	bool noa;
};

static enum jitsim_reason
pua_fn(struct jitsim_wbuf *w, const void *ctx)
{
	const struct pua_ctx *c = ctx;

	if (c->noa)
		return jitsim_s6a_fta_noa_encode(w, c->req, &hss);
	return jitsim_s6a_fta_pua_encode(w, c->req, &hss, c->flags);
}

static void
test_pua_noa(void **state)
{
	uint8_t m[MAX_MSG], ans[MAX_MSG];
	struct jitsim_s6a_fta_req q;
	struct pua_ctx c = {&q, JITSIM_S6A_PUA_FREEZE_M_TMSI, false};
	struct jitsim_s6a_msg nor = {.cmd = JITSIM_S6A_CMD_NOR,
				     .is_request = true,
				     .hbh = 7,
				     .e2e = 8,
				     .session_id = sess_s,
				     .origin_host = "mme.visited.test",
				     .origin_realm = "visited.test",
				     .dest_realm = "jitsim.test",
				     .imsi = imsi_s};
	const uint32_t pua_flags[] = {JITSIM_AVP_PUA_FLAGS};
	struct jitsim_diam_avp v = {0};
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n;

	(void)state;
	n = hex(pur252_hex, m);
	ok(jitsim_s6a_fta_req_decode(m, n, JITSIM_S6A_CMD_PUR, &q));
	n = check_nospace(pua_fn, &c, ans);
	check_answer(ans, n, &q, 2001, 0, &s);
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_PUR);
	assert_int_equal(nested_u32(ans, n, pua_flags, 1, 0), 1);
	c.flags = 0;
	n = check_nospace(pua_fn, &c, ans);
	assert_false(nested(ans, n, pua_flags, 1, 0, &v));

	jitsim_wbuf_init(&w, m, sizeof(m), 0);
	ok(jitsim_s6a_encode(&w, &nor));
	ok(jitsim_s6a_fta_req_decode(m, jitsim_wbuf_len(&w), JITSIM_S6A_CMD_NOR, &q));
	c.noa = true;
	n = check_nospace(pua_fn, &c, ans);
	check_answer(ans, n, &q, 2001, 0, &s);
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_NOR);
}

struct err_ctx {
	const struct jitsim_s6a_fta_req *req;
	uint32_t rc, exp;
	const struct jitsim_s6a_fta_err *failed;
};

static enum jitsim_reason
err_fn(struct jitsim_wbuf *w, const void *ctx)
{
	const struct err_ctx *c = ctx;

	return jitsim_s6a_fta_answer_error(w, c->req, &hss, c->rc, c->exp, c->failed);
}

/* The one AVP inside Failed-AVP. */
static void
failed_avp(const uint8_t *ans, size_t n, struct jitsim_diam_avp *inner)
{
	struct jitsim_diam_avp f;
	struct jitsim_diam_avp_iter it;

	ok(jitsim_diam_avp_find(ans + 20, n - 20, JITSIM_AVP_FAILED_AVP, 0, &f));
	jitsim_diam_avp_iter_init(&it, f.data, f.data_len);
	ok(jitsim_diam_avp_next(&it, inner));
	assert_int_equal(jitsim_diam_avp_next(&it, &f), JITSIM_R_END);
}

static void
test_answer_error(void **state)
{
	uint8_t m[MAX_MSG], e[MAX_MSG], ans[MAX_MSG], b[64];
	struct air_opt o = {.n_pi = 1};
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a_fta_req q;
	struct err_ctx c = {&a.req, 0, JITSIM_S6A_ERROR_USER_UNKNOWN, NULL};
	struct jitsim_diam_avp inner = {0};
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n, k, bl;

	(void)state;
	n = build_air(m, &o);
	ok(jitsim_s6a_fta_air_decode(m, n, &a));
	/* LOCKED/BLOCKED SIM: Experimental-Result 5001 (TS 29.272 7.4.3). */
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 0, 5001, &s);
	assert_int_equal(jitsim_diam_avp_find(ans + 20, k - 20, JITSIM_AVP_FAILED_AVP, 0, &inner),
			 JITSIM_R_END);
	c.exp = JITSIM_S6A_ERROR_UNKNOWN_EPS_SUBSCRIPTION;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 0, 5420, &s);
	c.exp = JITSIM_S6A_ERROR_ROAMING_NOT_ALLOWED;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 0, 5004, &s);
	/* Protocol errors set E. */
	c.exp = 0;
	c.rc = JITSIM_DIAM_UNABLE_TO_DELIVER;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 3002, 0, &s);

	/* 5004 with the offending User-Name copied into Failed-AVP. */
	bl = avp(b, JITSIM_AVP_USER_NAME, 0, "26201x", 6);
	k = edit(m, n, JITSIM_AVP_USER_NAME, 0, b, bl, NULL, 0, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	c.rc = a.req.err.result_code;
	c.failed = &a.req.err;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 5004, 0, &s);
	failed_avp(ans, k, &inner);
	assert_int_equal(inner.code, JITSIM_AVP_USER_NAME);
	assert_int_equal(inner.data_len, 6);
	assert_memory_equal(inner.data, "26201x", 6);
	/* 5005 with a zero example of the missing Visited-PLMN-Id. */
	k = edit(m, n, JITSIM_AVP_VISITED_PLMN_ID, V3, NULL, 0, NULL, 0, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	c.rc = a.req.err.result_code;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 5005, 0, &s);
	failed_avp(ans, k, &inner);
	assert_int_equal(inner.code, JITSIM_AVP_VISITED_PLMN_ID);
	assert_int_equal(inner.vendor, V3);
	assert_int_equal(inner.data_len, 3);
	assert_memory_equal(inner.data, "\0\0\0", 3);
	/* 5015: nothing to name, no Failed-AVP. */
	memset(b, 0, 4);
	k = edit(m, n, 0, 0, NULL, 0, b, 4, e);
	assert_int_equal(jitsim_s6a_fta_air_decode(e, k, &a), JITSIM_R_DIAM_BAD_AVP);
	c.rc = a.req.err.result_code;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &a.req, 5015, 0, &s);
	assert_int_equal(jitsim_diam_avp_find(ans + 20, k - 20, JITSIM_AVP_FAILED_AVP, 0, &inner),
			 JITSIM_R_END);

	/* Any application: the base node's 3007 to a Cx request, no Auth-Session-State. */
	n = hex(cx_uar_hex, m);
	assert_int_equal(jitsim_s6a_fta_req_decode(m, n, 0, &q), JITSIM_R_DIAM_BAD_AVP);
	c.req = &q;
	c.rc = JITSIM_DIAM_APPLICATION_UNSUPPORTED;
	c.failed = NULL;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &q, 3007, 0, &s);
	/* A request without Session-Id: none in the answer. */
	q.session_id.p = NULL;
	k = check_nospace(err_fn, &c, ans);
	check_answer(ans, k, &q, 3007, 0, &s);

	/* Refused: both or neither code, successes, out of range, bad Failed-AVP. */
	jitsim_wbuf_init(&w, ans, sizeof(ans), 0);
	assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 5004, 5001, NULL),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 0, 0, NULL), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 2001, 0, NULL),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 6000, 0, NULL),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 0, 2001, NULL),
			 JITSIM_R_BAD_PARAM);
	{
		struct jitsim_s6a_fta_err f = {.result_code = 5004, .avp = b, .avp_len = 7};

		assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 5004, 0, &f),
				 JITSIM_R_BAD_PARAM);
		f.avp = NULL;
		f.code = 1;
		f.missing_len = 17;
		assert_int_equal(jitsim_s6a_fta_answer_error(&w, &q, &hss, 5005, 0, &f),
				 JITSIM_R_BAD_PARAM);
	}
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

struct clr_ctx {
	const struct jitsim_s6a_fta_clr *clr;
};

static enum jitsim_reason
clr_fn(struct jitsim_wbuf *w, const void *ctx)
{
	const struct clr_ctx *c = ctx;

	return jitsim_s6a_fta_clr_encode(w, &hss, c->clr);
}

static void
test_clr(void **state)
{
	uint8_t msg[MAX_MSG];
	struct jitsim_digits imsi;
	struct jitsim_s6a_fta_clr clr = {.hbh = 0x99,
					 .e2e = 0x98,
					 .session_id = "hss.jitsim.test;1;clr",
					 .dest_host = "mme.visited.test",
					 .dest_realm = "visited.test",
					 .imsi = &imsi,
					 .cancellation_type =
						 JITSIM_S6A_CANCEL_SUBSCRIPTION_WITHDRAWAL,
					 .clr_flags = JITSIM_S6A_CLR_REATTACH_REQUIRED};
	struct clr_ctx c = {&clr};
	const uint32_t ct[] = {JITSIM_AVP_CANCELLATION_TYPE}, cf[] = {JITSIM_AVP_CLR_FLAGS};
	struct jitsim_s6a_fta_req q;
	struct jitsim_diam_avp v = {0};
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n;

	(void)state;
	jitsim_digits_set(&imsi, imsi_s);
	n = check_nospace(clr_fn, &c, msg);
	ok(jitsim_s6a_decode(msg, n, &s));
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_CLR);
	assert_true(s.is_request);
	assert_int_equal(s.hdr.flags, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P);
	assert_int_equal(s.hdr.hbh, 0x99);
	assert_string_equal(s.user_name.d, imsi_s);
	assert_memory_equal(s.dest_host.p, "mme.visited.test", 16);
	assert_int_equal(nested_u32(msg, n, ct, 1, 0), 2);
	assert_int_equal(nested_u32(msg, n, cf, 1, 0), 2);
	assert_true(nested(msg, n, cf, 1, 0, &v));
	/* CLR-Flags: V without M (TS 29.272 Table 7.3.1/1). */
	assert_int_equal(v.flags & (M | JITSIM_DIAM_AVP_V), JITSIM_DIAM_AVP_V);
	/* Our own parser reads it as a well-formed request. */
	ok(jitsim_s6a_fta_req_decode(msg, n, JITSIM_S6A_CMD_CLR, &q));
	assert_string_equal(q.imsi.d, imsi_s);
	clr.clr_flags = 0;
	n = check_nospace(clr_fn, &c, msg);
	assert_false(nested(msg, n, cf, 1, 0, &v));

	jitsim_wbuf_init(&w, msg, sizeof(msg), 0);
	clr.cancellation_type = 5;
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, &clr), JITSIM_R_BAD_PARAM);
	clr.cancellation_type = 0;
	clr.dest_host = "";
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, &clr), JITSIM_R_BAD_PARAM);
	clr.dest_host = "mme";
	jitsim_digits_set(&imsi, "2620");
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, &clr), JITSIM_R_BAD_PARAM);
	jitsim_digits_set(&imsi, "26201987654321a");
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, &clr), JITSIM_R_BAD_PARAM);
	clr.imsi = NULL;
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, &clr), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_clr_encode(&w, &hss, NULL), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

struct air_ctx {
	const struct jitsim_s6a_fta_air_req *m;
};

static enum jitsim_reason
air_enc_fn(struct jitsim_wbuf *w, const void *ctx)
{
	static const struct jitsim_s6a_fta_origin mme = {"mme.visited.test", "visited.test"};
	const struct air_ctx *c = ctx;

	return jitsim_s6a_fta_air_encode(w, &mme, c->m);
}

/* The test MME's AIR: what it asks is what the parser reads. */
static void
test_air_encode(void **state)
{
	uint8_t msg[MAX_MSG];
	struct jitsim_digits imsi;
	struct jitsim_s6a_fta_air_req m = {
		.hbh = 0x41,
		.e2e = 0x42,
		.session_id = sess_s,
		.dest_host = "hss.jitsim.test",
		.dest_realm = "jitsim.test",
		.imsi = &imsi,
		.visited_plmn = "310410",
		.eutran = {.n_requested = 2, .has_resync = true},
		.utran_geran = {.immediate_response_preferred = true, .has_resync = true}};
	struct air_ctx c = {&m};
	struct jitsim_s6a_fta_air a;
	struct jitsim_s6a s;
	struct jitsim_wbuf w;
	size_t n;

	(void)state;
	jitsim_digits_set(&imsi, imsi_s);
	memcpy(m.eutran.rand, rand_a, 16);
	memcpy(m.eutran.auts, auts_a, 14);
	memcpy(m.utran_geran.rand, auts_a, 14);
	memcpy(m.utran_geran.auts, rand_a, 14);
	n = check_nospace(air_enc_fn, &c, msg);
	ok(jitsim_s6a_fta_air_decode(msg, n, &a));
	assert_int_equal(a.req.hbh, 0x41);
	assert_int_equal(a.req.flags, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P);
	assert_string_equal(a.req.imsi.d, imsi_s);
	assert_string_equal(a.visited_mcc_mnc, "310410");
	assert_memory_equal(a.req.dest_host.p, "hss.jitsim.test", 15);
	assert_memory_equal(a.req.origin_host.p, "mme.visited.test", 16);
	assert_true(a.eutran.present);
	assert_int_equal(a.eutran.n_requested, 2);
	assert_false(a.eutran.immediate_response_preferred);
	assert_true(a.eutran.has_resync);
	assert_memory_equal(a.eutran.rand, rand_a, 16);
	assert_memory_equal(a.eutran.auts, auts_a, 14);
	assert_true(a.utran_geran.present);
	assert_int_equal(a.utran_geran.n_requested, 0);
	assert_true(a.utran_geran.immediate_response_preferred);
	assert_memory_equal(a.utran_geran.rand, auts_a, 14);
	ok(jitsim_s6a_decode(msg, n, &s));
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_AIR);
	assert_true(s.has_n_vectors);
	assert_int_equal(s.n_vectors, 2);

	/* Without the optional parts: no groups, no Destination-Host. */
	memset(&m.eutran, 0, sizeof(m.eutran));
	memset(&m.utran_geran, 0, sizeof(m.utran_geran));
	m.dest_host = NULL;
	n = check_nospace(air_enc_fn, &c, msg);
	ok(jitsim_s6a_fta_air_decode(msg, n, &a));
	assert_false(a.eutran.present);
	assert_false(a.utran_geran.present);
	assert_null(a.req.dest_host.p);

	jitsim_wbuf_init(&w, msg, sizeof(msg), 0);
	m.visited_plmn = "3104";
	assert_int_equal(air_enc_fn(&w, &c), JITSIM_R_BAD_PARAM);
	m.visited_plmn = "31041";
	m.dest_host = "";
	assert_int_equal(air_enc_fn(&w, &c), JITSIM_R_BAD_PARAM);
	m.dest_host = NULL;
	m.session_id = NULL;
	assert_int_equal(air_enc_fn(&w, &c), JITSIM_R_BAD_PARAM);
	m.session_id = sess_s;
	jitsim_digits_set(&imsi, "1234");
	assert_int_equal(air_enc_fn(&w, &c), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_s6a_fta_air_encode(&w, &hss, NULL), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	jitsim_digits_set(&imsi, imsi_s);
	ok(air_enc_fn(&w, &c));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_air_captures), cmocka_unit_test(test_ulr_capture),
		cmocka_unit_test(test_req_common),   cmocka_unit_test(test_air_built),
		cmocka_unit_test(test_air_errors),   cmocka_unit_test(test_proxy_info_limit),
		cmocka_unit_test(test_ulr_errors),   cmocka_unit_test(test_truncations_all),
		cmocka_unit_test(test_mutations),    cmocka_unit_test(test_aia),
		cmocka_unit_test(test_ula),	     cmocka_unit_test(test_pua_noa),
		cmocka_unit_test(test_answer_error), cmocka_unit_test(test_clr),
		cmocka_unit_test(test_air_encode),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
