/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP/TCAP pieces of the First Time Attach endpoint (map_fta.h). Parsers
 * are checked on parameters of the reference captures (expected values as
 * tshark 4.0 -V shows them) and on hand-built ones, at every truncation;
 * builders by round trip through the codec's own decoders
 * (jitsim_tcap_decode, jitsim_map_decode_invoke/_result, jitsim_sccp_decode)
 * and, where a real HLR sent the same thing, byte for byte against it.
 * tests/tshark/map_fta_check.py checks the builders against tshark.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map_fta.h>

#include "test_util.h"

#define MAX_MSG 1024

/* map_pcapr_gprs_attach_sai_ugl frame 4: SAI v3 Begin from an SGSN (tcap). */
static const char t_gprs_4[] = "62444804a50500016b1e281c060700118605010101a011600f80020780a10906"
			       "0704000001000e036c1ca11a0201010201383012800864004001000001f10201"
			       "028100830101";
/* map_pcapr_lu_ul frame 1: UpdateLocation v3 Begin (tcap). */
static const char t_lu_1[] = "624448042c5b001c6b1a2818060700118605010101a00d600ba1090607040000"
			     "010001036c20a11e0201000201023016040800011153567658f1810491441122"
			     "040491441122";
/* map_pcapr_lu_ul frame 2: a real HLR's ISD argument (component parameter). */
static const char m_lu_2[] = "30368107919187168479f382010a830100a60c040111040112040121040122a7"
			     "13a309040112840100820100a30604011484010093020000";
/* map_pcapr_gprs_attach_sai_ugl frame 11: a real HLR's ISD with GPRS data (parameter). */
static const char m_gprs_11[] = "3080810891685122010001f1830100b0800500a180301b0201019002f1219203"
				"1b421f9402012a8009026b96404074030000000000009801000000";
/* map_wswiki_cap_mtp3 frame 56: TC Abort refusing a dialogue (AARE reject, ACN not supported). */
static const char t_cap_56[] = "673149030004016b2a2828060700118605010101a01d611b80020780a1090607"
			       "04000001000300a203020101a305a103020102";

static const char imsi_a[] = "262019876543210";

static void
set(struct jitsim_digits *d, const char *s)
{
	jitsim_digits_set(d, s);
}

/* ---- SendAuthenticationInfoArg ---- */

static enum jitsim_reason
dec_sai(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_map_fta_sai_arg_decode(p, len, ctx);
}

/* Only the whole TLV decodes: every shorter prefix is incomplete. */
static void
check_truncations(const uint8_t *m, size_t len, test_decode_fn fn, void *ctx)
{
	test_truncations(m, len, fn, ctx, NULL);
}

static void
test_sai_arg_capture(void **state)
{
	uint8_t t[MAX_MSG];
	size_t len = test_hex(t_gprs_4, t, sizeof(t));
	struct jitsim_tcap tc;
	struct jitsim_map_fta_sai_arg a;
	char buf[256];

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &tc), JITSIM_R_OK);
	assert_int_equal(tc.comp[0].opcode, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO);
	check_truncations(tc.comp[0].param, tc.comp[0].param_len, dec_sai, &a);
	assert_int_equal(test_decode_exact(tc.comp[0].param, tc.comp[0].param_len, dec_sai, &a),
			 JITSIM_R_OK);
	/* tshark: e212.imsi 460004100000101, numberOfRequestedVectors 2,
	 * immediateResponsePreferred, requestingNodeType sgsn (1). */
	assert_string_equal(a.imsi.d, "460004100000101");
	assert_int_equal(a.version, 3);
	assert_int_equal(a.n_requested, 2);
	assert_int_equal(a.n_vectors, 2);
	assert_true(a.immediate_response_preferred);
	assert_false(a.segmentation_prohibited);
	assert_false(a.has_resync);
	assert_true(a.has_requesting_node_type);
	assert_int_equal(a.requesting_node_type, JITSIM_MAP_FTA_NODE_SGSN);
	assert_false(a.has_requesting_plmn);
	jitsim_map_fta_sai_arg_dump(&a, buf, sizeof(buf));
	assert_string_equal(buf, "imsi=460004100000101 version=3 requested=2 vectors=2 "
				 "seg_prohibited=0 immediate=1 resync=0 node=1 plmn=0");
}

/* v3 with every element this parser reads, an extension it skips, and v2. */
static void
test_sai_arg_forms(void **state)
{
	/* imsi, n=9 (clamped), segProhibited, resync{rand, auts}, ext [2], node mme, plmn */
	static const char full[] = "303f"
				   "8008"
				   "62021089674523f1"
				   "020109"
				   "0500"
				   "3022"
				   "0410"
				   "000102030405060708090a0b0c0d0e0f"
				   "040e"
				   "101112131415161718191a1b1c1d"
				   "a200"
				   "830110"
				   "840362f220"
				   "8600";
	uint8_t m[MAX_MSG];
	size_t len = test_hex(full, m, sizeof(m));
	struct jitsim_map_fta_sai_arg a;
	struct jitsim_map_ids ids = {.has_imsi = true};
	struct jitsim_wbuf w;

	(void)state;
	check_truncations(m, len, dec_sai, &a);
	assert_int_equal(test_decode_exact(m, len, dec_sai, &a), JITSIM_R_OK);
	assert_string_equal(a.imsi.d, "262001987654321");
	assert_int_equal(a.n_requested, 9);
	assert_int_equal(a.n_vectors, JITSIM_MAP_FTA_VECTORS_MAX);
	assert_true(a.segmentation_prohibited);
	assert_true(a.has_resync);
	assert_int_equal(a.rand[0], 0x00);
	assert_int_equal(a.rand[15], 0x0f);
	assert_int_equal(a.auts[0], 0x10);
	assert_int_equal(a.auts[13], 0x1d);
	assert_int_equal(a.requesting_node_type, JITSIM_MAP_FTA_NODE_MME);
	assert_true(a.has_requesting_plmn);
	assert_memory_equal(a.requesting_plmn, "\x62\xf2\x20", 3);

	/* v2 and v3 as the codec's own encoder writes them. */
	set(&ids.imsi, imsi_a);
	for (uint8_t v = 2; v <= 3; v++) {
		ids.n_vectors = 3;
		jitsim_wbuf_init(&w, m, sizeof(m), sizeof(m));
		assert_int_equal(jitsim_map_encode_invoke(
					 &w, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, v, &ids),
				 JITSIM_R_OK);
		check_truncations(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), dec_sai, &a);
		assert_int_equal(
			test_decode_exact(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), dec_sai, &a),
			JITSIM_R_OK);
		assert_string_equal(a.imsi.d, imsi_a);
		assert_int_equal(a.version, v);
		assert_int_equal(a.n_vectors, v == 2 ? 1 : 3);
	}
}

static void
test_sai_arg_bad(void **state)
{
	static const struct {
		const char *hex;
		enum jitsim_reason want;
	} cases[] = {
		{"", JITSIM_R_MAP_BAD},				      /* no parameter */
		{"a0020400", JITSIM_R_MAP_BAD},			      /* other outer tag */
		{"3003020101", JITSIM_R_MAP_BAD},		      /* no imsi */
		{"3006800262f2020101", JITSIM_R_MAP_BAD},	      /* imsi of 2 octets */
		{"300c800362f2108003620210020101", JITSIM_R_MAP_BAD}, /* imsi twice */
		{"30098003620210020101"
		 "05",
		 JITSIM_R_TRUNCATED},				  /* length says 9, 10 given */
		{"3008800362021002020101", JITSIM_R_MAP_BAD},	  /* INTEGER of 2 octets */
		{"300b8003620210020101050100", JITSIM_R_MAP_BAD}, /* NULL with content */
		{"300f8003620210020101300604040001020304", JITSIM_R_MAP_BAD}, /* short rand */
		{"3008800362021002010100", JITSIM_R_MAP_BAD},		      /* trailing octet */
		{"3005800362f210", JITSIM_R_MAP_BAD_DIGITS},		      /* filler inside */
	};
	uint8_t m[64];
	struct jitsim_map_fta_sai_arg a;

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		size_t len = test_hex(cases[i].hex, m, sizeof(m));

		if (test_decode_exact(m, len, dec_sai, &a) != cases[i].want)
			fail_msg("case %zu (%s): %s", i, cases[i].hex,
				 jitsim_reason_str(test_decode_exact(m, len, dec_sai, &a)));
	}
}

/* ---- SendAuthenticationInfoRes ---- */

static void
fill_vectors(struct jitsim_map_fta_quintuplet *q, struct jitsim_map_fta_triplet *t, unsigned int n,
	     uint8_t xres_len)
{
	for (unsigned int i = 0; i < n; i++) {
		memset(&q[i], 0x10 + (int)i, sizeof(q[i]));
		q[i].xres_len = xres_len;
		memset(&t[i], 0x20 + (int)i, sizeof(t[i]));
	}
}

/* Number of vectors in @p res of the given kind, by walking it as tshark would. */
static unsigned int
count_vectors(const uint8_t *p, size_t len, uint8_t list_id, size_t per_vector_elems)
{
	struct jitsim_ber_tlv top = {0}, list = {0}, v, e;
	struct jitsim_ber_iter it, vit;
	unsigned int n = 0;

	assert_int_equal(jitsim_ber_read(p, len, &top), JITSIM_R_OK);
	assert_int_equal(top.total, len);
	if (list_id == 0x30) {
		list = top;
	} else {
		assert_int_equal(top.id, 0xa3);
		assert_int_equal(jitsim_ber_read(top.val, top.len, &list), JITSIM_R_OK);
		assert_int_equal(list.total, top.len);
		assert_int_equal(list.id, list_id);
	}
	jitsim_ber_iter_init(&it, list.val, list.len);
	while (jitsim_ber_next(&it, &v) == JITSIM_R_OK) {
		size_t k = 0;

		assert_int_equal(v.id, 0x30);
		jitsim_ber_iter_init(&vit, v.val, v.len);
		while (jitsim_ber_next(&vit, &e) == JITSIM_R_OK) {
			assert_int_equal(e.id, 0x04);
			k++;
		}
		assert_int_equal(k, per_vector_elems);
		n++;
	}
	return n;
}

static void
test_sai_res(void **state)
{
	struct jitsim_map_fta_quintuplet q[5];
	struct jitsim_map_fta_triplet t[5];
	uint8_t b[MAX_MSG];
	struct jitsim_wbuf w;
	struct jitsim_map_ids ids;

	(void)state;
	for (unsigned int n = 1; n <= 5; n++) {
		for (uint8_t xl = 4; xl <= 16; xl += 4) {
			fill_vectors(q, t, n, xl);
			jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
			assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, n), JITSIM_R_OK);
			assert_int_equal(jitsim_wbuf_len(&w),
					 jitsim_map_fta_sai_res_size(true, 3, n, xl));
			assert_int_equal(
				count_vectors(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), 0xa1, 5),
				n);
			assert_int_equal(jitsim_map_decode_result(
						 JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
						 jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ids),
					 JITSIM_R_OK);
			assert_int_equal(ids.n_vectors, n);
		}
		for (uint8_t v = 2; v <= 3; v++) {
			jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
			assert_int_equal(jitsim_map_fta_sai_res_triplets(&w, v, t, n), JITSIM_R_OK);
			assert_int_equal(jitsim_wbuf_len(&w),
					 jitsim_map_fta_sai_res_size(false, v, n, 0));
			assert_int_equal(count_vectors(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
						       v == 2 ? 0x30 : 0xa0, 3),
					 n);
			assert_int_equal(jitsim_map_decode_result(
						 JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
						 jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ids),
					 JITSIM_R_OK);
			assert_int_equal(ids.n_vectors, n);
		}
	}
	/* One quintuplet, exactly: [3] { [1] { SEQUENCE { rand xres ck ik autn } } } */
	fill_vectors(q, t, 1, 8);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 1), JITSIM_R_OK);
	{
		/* fill_vectors() set every octet to 0x10: only the headers differ. */
		static const uint8_t elem_len[] = {16, 8, 16, 16, 16};
		uint8_t want[MAX_MSG];
		size_t wl = 0;

		want[wl++] = 0xa3;
		want[wl++] = 0x56;
		want[wl++] = 0xa1;
		want[wl++] = 0x54;
		want[wl++] = 0x30;
		want[wl++] = 0x52;
		for (size_t e = 0; e < sizeof(elem_len); e++) {
			want[wl++] = 0x04;
			want[wl++] = elem_len[e];
			memset(want + wl, 0x10, elem_len[e]);
			wl += elem_len[e];
		}
		assert_int_equal(jitsim_wbuf_len(&w), wl);
		assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	}
}

static void
test_sai_res_bad(void **state)
{
	struct jitsim_map_fta_quintuplet q[6];
	struct jitsim_map_fta_triplet t[6];
	uint8_t b[MAX_MSG];
	struct jitsim_wbuf w;
	size_t need;

	(void)state;
	fill_vectors(q, t, 6, 8);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 0), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 6), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_sai_res_triplets(&w, 1, t, 1), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_sai_res_triplets(&w, 3, t, 6), JITSIM_R_BAD_PARAM);
	q[1].xres_len = 3;
	assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 2), JITSIM_R_BAD_PARAM);
	q[1].xres_len = 17;
	assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 2), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	assert_int_equal(jitsim_map_fta_sai_res_size(true, 2, 1, 8), 0);
	assert_int_equal(jitsim_map_fta_sai_res_size(true, 3, 6, 8), 0);
	/* Too little headroom at every size: NOSPACE, buffer as it was. */
	q[1].xres_len = 8;
	need = jitsim_map_fta_sai_res_size(true, 3, 5, 8);
	for (size_t room = 0; room < need; room++) {
		jitsim_wbuf_init(&w, b, room, room);
		assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&w, q, 5), JITSIM_R_NOSPACE);
		assert_int_equal(w.head, room);
	}
}

/* ---- UpdateLocation / UpdateGprsLocation ---- */

static void
test_ul_arg(void **state)
{
	uint8_t t[MAX_MSG], b[MAX_MSG];
	size_t len = test_hex(t_lu_1, t, sizeof(t));
	struct jitsim_tcap tc;
	struct jitsim_map_ids ids, in = {.has_imsi = true, .has_sgsn = true};
	struct jitsim_wbuf w;
	static const char no_vlr[] = "300a0408"
				     "00011153567658f1";
	size_t nl;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &tc), JITSIM_R_OK);
	assert_int_equal(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_UPDATE_LOCATION,
						      tc.comp[0].param, tc.comp[0].param_len, &ids),
			 JITSIM_R_OK);
	/* tshark: e212.imsi 001011356567851, msc-Number 441122, vlr-Number 441122 */
	assert_string_equal(ids.imsi.d, "001011356567851");
	assert_string_equal(ids.vlr.d, "441122");
	assert_string_equal(ids.msc.d, "441122");
	assert_int_equal(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
						      tc.comp[0].param, tc.comp[0].param_len, &ids),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_UPDATE_LOCATION, NULL, 0, &ids),
			 JITSIM_R_MAP_BAD);
	nl = test_hex(no_vlr, b, sizeof(b));
	assert_int_equal(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_UPDATE_LOCATION, b, nl, &ids),
			 JITSIM_R_MAP_BAD);

	set(&in.imsi, imsi_a);
	set(&in.sgsn, "491720000001");
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_encode_invoke(&w, JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, 3, &in),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_map_fta_ul_arg_decode(JITSIM_MAP_OP_UPDATE_GPRS_LOCATION,
						      jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
						      &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.imsi.d, imsi_a);
	assert_string_equal(ids.sgsn.d, "491720000001");
}

static void
test_ul_res(void **state)
{
	uint8_t b[64], want[64];
	struct jitsim_wbuf w;
	struct jitsim_digits hlr, bad;
	struct jitsim_map_ids ids;
	size_t wl;

	(void)state;
	set(&hlr, "4917000001");
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_ul_res_encode(&w, &hlr), JITSIM_R_OK);
	/* 4917000001 -> 94 71 00 00 10: TBCD low nibble first. */
	wl = test_hex("3008040691947100"
		      "0010",
		      want, sizeof(want));
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	for (int op = 0; op < 2; op++) {
		assert_int_equal(jitsim_map_decode_result(op ? JITSIM_MAP_OP_UPDATE_GPRS_LOCATION
							     : JITSIM_MAP_OP_UPDATE_LOCATION,
							  jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
							  &ids),
				 JITSIM_R_OK);
		assert_true(ids.has_hlr);
		assert_string_equal(ids.hlr.d, "4917000001");
	}
	set(&bad, "");
	assert_int_equal(jitsim_map_fta_ul_res_encode(&w, &bad), JITSIM_R_BAD_PARAM);
	set(&bad, "12345678901234567");
	assert_int_equal(jitsim_map_fta_ul_res_encode(&w, &bad), JITSIM_R_BAD_PARAM);
	set(&bad, "49x");
	assert_int_equal(jitsim_map_fta_ul_res_encode(&w, &bad), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 10);
}

/* ---- InsertSubscriberData ---- */

/* The profile a real HLR sent (map_pcapr_lu_ul frame 2) up to its teleservices, byte for byte. */
static void
test_isd_arg_matches_hlr(void **state)
{
	uint8_t real[MAX_MSG], b[MAX_MSG];
	size_t rl = test_hex(m_lu_2, real, sizeof(real));
	struct jitsim_map_fta_isd isd;
	struct jitsim_wbuf w;
	struct jitsim_map_ids ids;
	const uint8_t *p;

	(void)state;
	jitsim_map_fta_isd_init(&isd, false);
	isd.has_msisdn = true;
	set(&isd.msisdn, "19786148973");
	isd.n_tele = 4;
	isd.tele[0] = 0x11;
	isd.tele[1] = 0x12;
	isd.tele[2] = 0x21;
	isd.tele[3] = 0x22;
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_OK);
	p = jitsim_wbuf_data(&w);
	/* Same elements after the SEQUENCE header: the real one goes on with provisionedSS [7]. */
	assert_int_equal(p[0], 0x30);
	assert_int_equal(p[1], jitsim_wbuf_len(&w) - 2);
	assert_true(jitsim_wbuf_len(&w) - 2 < rl - 2);
	assert_memory_equal(p + 2, real + 2, jitsim_wbuf_len(&w) - 2);
	assert_int_equal(real[2 + jitsim_wbuf_len(&w) - 2], 0xa7);
	assert_int_equal(jitsim_map_decode_invoke(JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA, p,
						  jitsim_wbuf_len(&w), &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.msisdn.d, "19786148973");
}

/* GPRS: the same PDP context as a real HLR's (map_pcapr_gprs_attach_sai_ugl frame 11). */
static void
test_isd_arg_gprs(void **state)
{
	uint8_t real[MAX_MSG], b[MAX_MSG], want[MAX_MSG];
	size_t wl;
	struct jitsim_map_fta_isd isd;
	struct jitsim_wbuf w;
	struct jitsim_map_ids ids;

	(void)state;
	(void)test_hex(m_gprs_11, real, sizeof(real));
	jitsim_map_fta_isd_init(&isd, true);
	isd.has_imsi = true;
	set(&isd.imsi, imsi_a);
	isd.has_msisdn = true;
	set(&isd.msisdn, "8615221000101");
	isd.has_category = isd.has_status = false;
	isd.n_tele = 0;
	/* The real one: qos 1b 42 1f, APN "*", packetAndCircuit. */
	isd.qos[0] = 0x1b;
	isd.qos[1] = 0x42;
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_OK);
	wl = test_hex("302f"
		      "800862029178563412f0"
		      "81089168512201000"
		      "1f1"
		      "b016"
		      "0500"
		      "a112"
		      "3010"
		      "020101"
		      "9002f121"
		      "92031b421f"
		      "9402012a"
		      "980100",
		      want, sizeof(want));
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	/* The real HLR's PDP context, without its ext-QoS [0]. */
	assert_non_null(memmem(real, sizeof(real),
			       "\x02\x01\x01\x90\x02\xf1\x21\x92\x03\x1b\x42"
			       "\x1f\x94\x02\x01\x2a",
			       16));
	assert_int_equal(jitsim_map_decode_invoke(JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
						  jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.imsi.d, imsi_a);
	assert_string_equal(ids.msisdn.d, "8615221000101");

	/* A dotted APN: labels with their lengths (TS 23.003 9.1). */
	strcpy(isd.apn, "internet.mnc001.mcc262.gprs");
	isd.has_imsi = isd.has_msisdn = isd.has_network_access_mode = false;
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_OK);
	assert_non_null(memmem(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
			       "\x94\x1c\x08internet\x06mnc001\x06mcc262\x04gprs", 30));
}

static void
test_isd_arg_bad(void **state)
{
	static const char *const bad_apn[] = {"",   ".",	   "a..b", "a.",
					      ".a", "under_score", "a b",  "**"};
	uint8_t b[MAX_MSG];
	struct jitsim_map_fta_isd isd;
	struct jitsim_wbuf w;
	size_t need;

	(void)state;
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	for (size_t i = 0; i < sizeof(bad_apn) / sizeof(bad_apn[0]); i++) {
		jitsim_map_fta_isd_init(&isd, true);
		strcpy(isd.apn, bad_apn[i]);
		if (jitsim_map_fta_isd_arg_encode(&w, &isd) != JITSIM_R_BAD_PARAM)
			fail_msg("APN \"%s\" accepted", bad_apn[i]);
	}
	/* A 63-octet label is the longest DNS label, and the APN then is at its maximum. */
	jitsim_map_fta_isd_init(&isd, true);
	memset(isd.apn, 'a', JITSIM_MAP_FTA_APN_MAX);
	isd.apn[JITSIM_MAP_FTA_APN_MAX] = '\0';
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_OK);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	/* Not NUL-terminated within the array. */
	memset(isd.apn, 'a', sizeof(isd.apn));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_BAD_PARAM);
	jitsim_map_fta_isd_init(&isd, true);
	isd.pdp_context_id = 0;
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_BAD_PARAM);
	isd.pdp_context_id = 51;
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_BAD_PARAM);
	jitsim_map_fta_isd_init(&isd, false);
	isd.n_tele = JITSIM_MAP_FTA_SERVICES_MAX + 1;
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_BAD_PARAM);
	jitsim_map_fta_isd_init(&isd, false);
	isd.has_imsi = true;
	set(&isd.imsi, "1234");
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	/* NOSPACE at every size, buffer as it was. */
	jitsim_map_fta_isd_init(&isd, true);
	isd.has_msisdn = true;
	set(&isd.msisdn, "491700000001");
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_OK);
	need = jitsim_wbuf_len(&w);
	for (size_t room = 0; room < need; room++) {
		jitsim_wbuf_init(&w, b, room, room);
		assert_int_equal(jitsim_map_fta_isd_arg_encode(&w, &isd), JITSIM_R_NOSPACE);
		assert_int_equal(w.head, room);
	}
}

static enum jitsim_reason
dec_isd_res(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_map_fta_isd_res_decode(p, len, ctx);
}

/* A prefix of length 0 is "no result", which is valid. */
static bool
allow_empty(size_t prefix_len, void *ctx)
{
	(void)ctx;
	return prefix_len == 0;
}

static void
test_isd_res(void **state)
{
	/* teleserviceList [1] {11, 12}, bearerServiceList [2] {1f}, ss-List [3],
	 * odb [4], regional [5] 1, supportedCamelPhases [6], extension [7] */
	static const char res[] = "3021a106040111040112a20304011fa303040121840200f0850101"
				  "86020780a7023000";
	uint8_t m[MAX_MSG];
	size_t len;
	struct jitsim_map_fta_isd_res x;
	char buf[256];

	(void)state;
	assert_int_equal(jitsim_map_fta_isd_res_decode(NULL, 0, &x), JITSIM_R_OK);
	assert_int_equal(x.n_tele + x.n_bearer, 0);
	len = test_hex("3000", m, sizeof(m));
	assert_int_equal(test_decode_exact(m, len, dec_isd_res, &x), JITSIM_R_OK);
	len = test_hex(res, m, sizeof(m));
	test_truncations(m, len, dec_isd_res, &x, allow_empty);
	assert_int_equal(test_decode_exact(m, len, dec_isd_res, &x), JITSIM_R_OK);
	assert_int_equal(x.n_tele, 2);
	assert_int_equal(x.tele[1], 0x12);
	assert_int_equal(x.n_bearer, 1);
	assert_int_equal(x.bearer[0], 0x1f);
	assert_true(x.has_ss_list);
	assert_true(x.has_odb_general);
	assert_true(x.has_regional_response);
	assert_int_equal(x.regional_response, 1);
	jitsim_map_fta_isd_res_dump(&x, buf, sizeof(buf));
	assert_string_equal(buf,
			    "unsupported_tele=2 unsupported_bearer=1 ss_list=1 odb=1 regional=1");
	len = test_hex("3004a1020500", m, sizeof(m)); /* list entry not an OCTET STRING */
	assert_int_equal(test_decode_exact(m, len, dec_isd_res, &x), JITSIM_R_MAP_BAD);
	len = test_hex("a000", m, sizeof(m));
	assert_int_equal(test_decode_exact(m, len, dec_isd_res, &x), JITSIM_R_MAP_BAD);
}

/* ---- CancelLocation ---- */

static enum jitsim_reason
dec_cancel_res(const uint8_t *p, size_t len, void *ctx)
{
	(void)ctx;
	return jitsim_map_fta_cancel_res_decode(p, len);
}

static void
test_cancel(void **state)
{
	uint8_t b[64], want[64];
	size_t wl;
	struct jitsim_wbuf w;
	struct jitsim_digits imsi;
	struct jitsim_map_ids ids;

	(void)state;
	set(&imsi, imsi_a);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&w, 3, &imsi,
							  JITSIM_MAP_FTA_CANCEL_UPDATE_PROCEDURE),
			 JITSIM_R_OK);
	wl = test_hex("a30d040862029178563412f00a0100", want, sizeof(want));
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	assert_int_equal(jitsim_map_decode_invoke(JITSIM_MAP_OP_CANCEL_LOCATION,
						  jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.imsi.d, imsi_a);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&w, 2, &imsi, 0), JITSIM_R_OK);
	wl = test_hex("040862029178563412f0", want, sizeof(want));
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	assert_int_equal(jitsim_map_decode_invoke(JITSIM_MAP_OP_CANCEL_LOCATION,
						  jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.imsi.d, imsi_a);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&w, 4, &imsi, 0), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&w, 3, &imsi, 3), JITSIM_R_BAD_PARAM);
	set(&imsi, "1234");
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&w, 3, &imsi, 0), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);

	assert_int_equal(jitsim_map_fta_cancel_res_decode(NULL, 0), JITSIM_R_OK);
	wl = test_hex("3000", want, sizeof(want));
	assert_int_equal(test_decode_exact(want, wl, dec_cancel_res, NULL), JITSIM_R_OK);
	wl = test_hex("3006a004a0020500", want, sizeof(want));
	test_truncations(want, wl, dec_cancel_res, NULL, allow_empty);
	assert_int_equal(test_decode_exact(want, wl, dec_cancel_res, NULL), JITSIM_R_OK);
	wl = test_hex("0400", want, sizeof(want));
	assert_int_equal(test_decode_exact(want, wl, dec_cancel_res, NULL), JITSIM_R_MAP_BAD);
	wl = test_hex("3000"
		      "00",
		      want, sizeof(want));
	assert_int_equal(test_decode_exact(want, wl, dec_cancel_res, NULL), JITSIM_R_MAP_BAD);
}

/* ---- TC messages ---- */

static void
tc_build(struct jitsim_wbuf *w, uint8_t *b, size_t cap, struct jitsim_map_fta_dialogue *d,
	 uint8_t type, const struct jitsim_tcap_component *c, unsigned int n,
	 struct jitsim_tcap *out)
{
	/* Before encoding: the size depends on the AARE still being due. */
	size_t est = jitsim_map_fta_tc_size(d, type, n,
					    n > 0 && c[0].param != NULL ? c[0].param_len : 0);

	jitsim_wbuf_init(w, b, cap, cap);
	assert_int_equal(jitsim_map_fta_tc_encode(w, d, type, c, n), JITSIM_R_OK);
	assert_true(jitsim_wbuf_len(w) <= est);
	assert_true(est - jitsim_wbuf_len(w) <= 12);
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(w), jitsim_wbuf_len(w), out),
			 JITSIM_R_OK);
}

/* UL answered as jitsim-cp does: Continue(AARE, ISD), then End(UL result). */
static void
test_tc_answer_ul(void **state)
{
	uint8_t t[MAX_MSG], p[MAX_MSG], b[MAX_MSG];
	size_t len = test_hex(t_lu_1, t, sizeof(t));
	struct jitsim_tcap req, out;
	struct jitsim_map_fta_dialogue d;
	struct jitsim_map_fta_isd isd;
	struct jitsim_tcap_component c;
	struct jitsim_wbuf pw, w;
	struct jitsim_map_ids ids;
	struct jitsim_digits hlr;
	char buf[256];

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &req), JITSIM_R_OK);
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 0xcf000001u), JITSIM_R_OK);
	assert_true(d.aare_pending);
	jitsim_map_fta_dialogue_dump(&d, buf, sizeof(buf));
	assert_string_equal(buf, "own_tid=cf000001 peer_tid=2c5b001c peer_tid_len=4 ac=1 "
				 "version=3 aare_pending=1");

	jitsim_map_fta_isd_init(&isd, false);
	isd.has_msisdn = true;
	set(&isd.msisdn, "491700000001");
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	assert_int_equal(jitsim_map_fta_isd_arg_encode(&pw, &isd), JITSIM_R_OK);
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_CONTINUE, &c, 1, &out);
	assert_false(d.aare_pending);
	assert_int_equal(out.type, JITSIM_TCAP_CONTINUE);
	assert_int_equal(out.otid, 0xcf000001u);
	assert_int_equal(out.otid_len, 4);
	assert_int_equal(out.dtid, 0x2c5b001cu);
	assert_true(out.has_dialogue);
	assert_int_equal(out.dialogue_pdu, JITSIM_TCAP_AARE);
	assert_int_equal(out.map_ac, JITSIM_MAP_AC_NETWORK_LOC_UP);
	assert_int_equal(out.map_version, 3);
	assert_int_equal(out.n_comp, 1);
	assert_int_equal(out.comp[0].type, JITSIM_TCAP_INVOKE);
	assert_int_equal(out.comp[0].invoke_id, 1);
	assert_int_equal(out.comp[0].opcode, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA);
	assert_int_equal(jitsim_map_decode_invoke(out.comp[0].opcode, out.comp[0].param,
						  out.comp[0].param_len, &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.msisdn.d, "491700000001");

	set(&hlr, "491700000000");
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	assert_int_equal(jitsim_map_fta_ul_res_encode(&pw, &hlr), JITSIM_R_OK);
	c = jitsim_map_fta_comp_result(req.comp[0].invoke_id, JITSIM_MAP_OP_UPDATE_LOCATION,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_END, &c, 1, &out);
	assert_int_equal(out.type, JITSIM_TCAP_END);
	assert_false(out.has_otid);
	assert_int_equal(out.dtid, 0x2c5b001cu);
	assert_false(out.has_dialogue);
	assert_int_equal(out.comp[0].type, JITSIM_TCAP_RESULT_LAST);
	assert_int_equal(out.comp[0].invoke_id, req.comp[0].invoke_id);
	assert_int_equal(out.comp[0].opcode, JITSIM_MAP_OP_UPDATE_LOCATION);
	assert_int_equal(jitsim_map_decode_result(out.comp[0].opcode, out.comp[0].param,
						  out.comp[0].param_len, &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.hlr.d, "491700000000");

	/* A result without parameter: no opcode either (ISD result of a VLR). */
	c = jitsim_map_fta_comp_result(5, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA, NULL, 0);
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_END, &c, 1, &out);
	assert_int_equal(jitsim_wbuf_len(&w), 15);
	assert_false(out.comp[0].has_opcode);
}

/* CancelLocation as the initiator: Begin(AARQ), the VLR's Continue, End. */
static void
test_tc_begin(void **state)
{
	uint8_t p[64], b[MAX_MSG], a[MAX_MSG];
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component c;
	struct jitsim_wbuf pw, w, aw;
	struct jitsim_tcap out, ans = {0};
	struct jitsim_digits imsi;
	struct jitsim_map_ids ids;

	(void)state;
	set(&imsi, imsi_a);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	assert_int_equal(jitsim_map_fta_cancel_arg_encode(&pw, 3, &imsi, 0), JITSIM_R_OK);
	jitsim_map_fta_dialogue_begin(&d, 0xcf123456u, JITSIM_MAP_AC_LOCATION_CANCELLATION, 3);
	/* No peer tid yet: only a Begin can be sent. */
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_CANCEL_LOCATION, jitsim_wbuf_data(&pw),
				       jitsim_wbuf_len(&pw));
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_CONTINUE, &c, 1),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_ABORT, &c, 1),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_BEGIN, &c, 9),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_BEGIN, &c, 1, &out);
	assert_int_equal(out.type, JITSIM_TCAP_BEGIN);
	assert_int_equal(out.otid, 0xcf123456u);
	assert_false(out.has_dtid);
	assert_int_equal(out.dialogue_pdu, JITSIM_TCAP_AARQ);
	assert_int_equal(out.map_ac, JITSIM_MAP_AC_LOCATION_CANCELLATION);
	assert_int_equal(out.map_version, 3);
	assert_int_equal(jitsim_map_decode_invoke(out.comp[0].opcode, out.comp[0].param,
						  out.comp[0].param_len, &ids),
			 JITSIM_R_OK);
	assert_string_equal(ids.imsi.d, imsi_a);

	/* The peer answers Continue with its own 2-octet tid. */
	ans.type = JITSIM_TCAP_CONTINUE;
	ans.has_otid = ans.has_dtid = true;
	ans.otid = 0xbeef;
	ans.otid_len = 2;
	ans.dtid = 0xcf123457u;
	assert_int_equal(jitsim_map_fta_dialogue_peer(&d, &ans), JITSIM_R_BAD_PARAM);
	ans.dtid = 0xcf123456u;
	jitsim_wbuf_init(&aw, a, sizeof(a), sizeof(a));
	assert_int_equal(jitsim_tcap_encode(&aw, &ans), JITSIM_R_OK);
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&aw), jitsim_wbuf_len(&aw), &ans),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_map_fta_dialogue_peer(&d, &ans), JITSIM_R_OK);
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_END, NULL, 0, &out);
	assert_int_equal(out.dtid, 0xbeef);
	assert_int_equal(out.dtid_len, 2);
	assert_false(out.has_dialogue);
	assert_int_equal(out.n_comp, 0);

	/* MAP v1 initiator: no dialogue portion at all. */
	jitsim_map_fta_dialogue_begin(&d, 0xcf000002u, 0, 1);
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_BEGIN, &c, 1, &out);
	assert_false(out.has_dialogue);
}

static void
test_tc_answer_v1_and_bad(void **state)
{
	uint8_t t[MAX_MSG], b[MAX_MSG];
	size_t len = test_hex(t_lu_1, t, sizeof(t));
	struct jitsim_tcap req, out;
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component c = jitsim_map_fta_comp_error(0, 1);
	struct jitsim_wbuf w;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &req), JITSIM_R_OK);
	/* A Begin without a dialogue portion (MAP v1): the answer has none either. */
	req.has_dialogue = false;
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 7), JITSIM_R_OK);
	assert_false(d.aare_pending);
	tc_build(&w, b, sizeof(b), &d, JITSIM_TCAP_END, &c, 1, &out);
	assert_false(out.has_dialogue);
	assert_int_equal(out.comp[0].type, JITSIM_TCAP_ERROR);
	assert_int_equal(out.comp[0].error, 1);
	req.has_dialogue = true;
	req.is_map_acn = false;
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 7), JITSIM_R_TCAP_NOT_MAP);
	req.is_map_acn = true;
	req.dialogue_pdu = JITSIM_TCAP_AARE;
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 7), JITSIM_R_BAD_PARAM);
	req.dialogue_pdu = JITSIM_TCAP_AARQ;
	req.type = JITSIM_TCAP_CONTINUE;
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 7), JITSIM_R_BAD_PARAM);
	req.type = JITSIM_TCAP_BEGIN;
	/* NOSPACE at every size, buffer as it was; AARE still pending after. */
	assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 7), JITSIM_R_OK);
	for (size_t room = 0; room < 100; room++) {
		jitsim_wbuf_init(&w, b, room, room);
		if (jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &c, 1) == JITSIM_R_OK) {
			assert_int_equal(room, jitsim_wbuf_len(&w));
			break;
		}
		assert_int_equal(w.head, room);
		assert_true(d.aare_pending);
	}
	assert_false(d.aare_pending);
}

static void
test_tc_abort(void **state)
{
	uint8_t t[MAX_MSG], b[MAX_MSG], want[MAX_MSG];
	size_t wl = test_hex(t_cap_56, want, sizeof(want));
	struct jitsim_map_fta_dialogue d = {0};
	struct jitsim_wbuf w;
	struct jitsim_tcap out;

	(void)state;
	(void)t;
	/* The refusal a real MAP peer sent (map_wswiki_cap_mtp3 frame 56), rebuilt. */
	d.peer_tid = 0x000401;
	d.peer_tid_len = 3;
	d.map_ac = 3;
	d.map_version = 1;
	want[wl - 13] = 0x01; /* its ACN ends in version 0, which is no MAP version: use 1 */
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_tc_abort(&w, &d, true, 0), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &out),
			 JITSIM_R_OK);
	assert_int_equal(out.type, JITSIM_TCAP_ABORT);
	assert_int_equal(out.dtid, 0x000401);
	assert_true(out.has_dialogue);
	assert_int_equal(out.dialogue_pdu, JITSIM_TCAP_AARE);
	assert_int_equal(out.map_ac, 3);

	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(
		jitsim_map_fta_tc_abort(&w, &d, false, JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION),
		JITSIM_R_OK);
	wl = test_hex("670849030004014a0104", want, sizeof(want));
	assert_int_equal(jitsim_wbuf_len(&w), wl);
	assert_memory_equal(jitsim_wbuf_data(&w), want, wl);
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &out),
			 JITSIM_R_OK);
	assert_true(out.has_abort_cause);
	assert_int_equal(out.abort_cause, JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION);

	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	d.map_ac = 0;
	assert_int_equal(jitsim_map_fta_tc_abort(&w, &d, true, 0), JITSIM_R_BAD_PARAM);
	d.peer_tid_len = 0;
	assert_int_equal(jitsim_map_fta_tc_abort(&w, &d, false, 0), JITSIM_R_BAD_PARAM);
	d.peer_tid_len = 1;
	d.peer_tid = 0x100;
	assert_int_equal(jitsim_map_fta_tc_abort(&w, &d, false, 0), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

/* ---- SCCP answer and the worker's error answer ---- */

static void
request_sccp(struct jitsim_sccp *s, uint8_t type)
{
	memset(s, 0, sizeof(*s));
	s->msg_type = type;
	s->pclass = 0x81;
	s->called = (struct jitsim_sccp_addr){.route_on_ssn = false,
					      .has_ssn = true,
					      .ssn = JITSIM_SSN_HLR,
					      .gti = 4,
					      .np = 7,
					      .es = 1,
					      .nai = 4};
	set(&s->called.digits, "26201987654321"); /* E.214 from the IMSI */
	s->calling = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = JITSIM_SSN_VLR, .gti = 4, .np = 1, .es = 2, .nai = 4};
	set(&s->calling.digits, "4917000099");
}

static void
test_sccp_answer(void **state)
{
	uint8_t b[MAX_MSG];
	struct jitsim_wbuf w;
	struct jitsim_sccp req, out;
	struct jitsim_sccp_addr own = {.route_on_ssn = true,
				       .has_pc = true,
				       .pc = 0x123,
				       .has_ssn = true,
				       .ssn = JITSIM_SSN_HLR};

	(void)state;
	for (int k = 0; k < 2; k++) {
		request_sccp(&req, k ? JITSIM_SCCP_XUDT : JITSIM_SCCP_UDT);
		jitsim_wbuf_init(&w, b, sizeof(b), 64);
		assert_int_equal(jitsim_wbuf_put(&w, "\x64\x03\x49\x01\x07", 5), 0);
		assert_int_equal(jitsim_map_fta_sccp_answer(&w, &req, k ? &own : NULL),
				 JITSIM_R_OK);
		assert_int_equal(
			jitsim_sccp_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &out),
			JITSIM_R_OK);
		assert_int_equal(out.msg_type, req.msg_type);
		assert_int_equal(out.pclass, 0x81);
		assert_int_equal(out.called.ssn, JITSIM_SSN_VLR);
		assert_string_equal(out.called.digits.d, "4917000099");
		if (k) {
			assert_true(out.calling.has_pc);
			assert_int_equal(out.calling.pc, 0x123);
			assert_int_equal(out.calling.gti, 0);
		} else {
			assert_string_equal(out.calling.digits.d, "26201987654321");
			assert_int_equal(out.calling.ssn, JITSIM_SSN_HLR);
		}
		assert_int_equal(out.data_len, 5);
	}
	/* 256 octets of data do not fit one UDT. */
	jitsim_wbuf_init(&w, b, sizeof(b), 64);
	assert_non_null(jitsim_wbuf_append(&w, 256));
	assert_int_equal(jitsim_map_fta_sccp_answer(&w, &req, NULL), JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 256);
	req.msg_type = JITSIM_SCCP_UDTS;
	jitsim_wbuf_init(&w, b, sizeof(b), 64);
	assert_int_equal(jitsim_map_fta_sccp_answer(&w, &req, NULL), JITSIM_R_BAD_PARAM);
	/* A request "from" SCCP management gets no TCAP answer (Q.713 5.1). */
	request_sccp(&req, JITSIM_SCCP_UDT);
	req.calling.ssn = JITSIM_SSN_SCMG;
	jitsim_wbuf_init(&w, b, sizeof(b), 64);
	assert_int_equal(jitsim_wbuf_put(&w, "\x64\x03\x49\x01\x07", 5), 0);
	assert_int_equal(jitsim_map_fta_sccp_answer(&w, &req, NULL), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 5);
}

static void
test_answer_error(void **state)
{
	uint8_t t[MAX_MSG], b[MAX_MSG];
	size_t len = test_hex(t_gprs_4, t, sizeof(t));
	struct jitsim_tcap req, out;
	struct jitsim_sccp sreq, sout;
	struct jitsim_wbuf w;
	size_t need;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &req), JITSIM_R_OK);
	request_sccp(&sreq, JITSIM_SCCP_UDT);
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_answer_error(&w, &sreq, &req, 0,
						     JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER, NULL),
			 JITSIM_R_OK);
	need = jitsim_wbuf_len(&w);
	assert_int_equal(jitsim_sccp_decode(jitsim_wbuf_data(&w), need, &sout), JITSIM_R_OK);
	assert_string_equal(sout.called.digits.d, "4917000099");
	assert_int_equal(jitsim_tcap_decode(sout.data, sout.data_len, &out), JITSIM_R_OK);
	assert_int_equal(out.type, JITSIM_TCAP_END);
	assert_int_equal(out.dtid, 0xa5050001u);
	assert_true(out.has_dialogue);
	assert_int_equal(out.dialogue_pdu, JITSIM_TCAP_AARE);
	assert_int_equal(out.map_ac, JITSIM_MAP_AC_INFO_RETRIEVAL);
	assert_int_equal(out.map_version, 3);
	assert_int_equal(out.n_comp, 1);
	assert_int_equal(out.comp[0].type, JITSIM_TCAP_ERROR);
	assert_int_equal(out.comp[0].invoke_id, 1);
	assert_int_equal(out.comp[0].error, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER);
	/* NOSPACE at every smaller size, buffer as it was. */
	for (size_t room = 0; room < need; room++) {
		jitsim_wbuf_init(&w, b, room, room);
		assert_int_equal(jitsim_map_fta_answer_error(&w, &sreq, &req, 0, 1, NULL),
				 JITSIM_R_NOSPACE);
		assert_int_equal(w.head, room);
	}
	jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
	assert_int_equal(jitsim_map_fta_answer_error(&w, &sreq, &req, 1, 1, NULL),
			 JITSIM_R_BAD_PARAM);
	req.comp[0].type = JITSIM_TCAP_RESULT_LAST;
	assert_int_equal(jitsim_map_fta_answer_error(&w, &sreq, &req, 0, 1, NULL),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

/* How many quintuplets fit one UDT answer, from the size functions, checked by building it. */
static void
test_sai_answer_fits(void **state)
{
	uint8_t t[MAX_MSG], p[MAX_MSG], b[MAX_MSG];
	size_t len = test_hex(t_gprs_4, t, sizeof(t));
	struct jitsim_tcap req;
	struct jitsim_sccp sreq;
	struct jitsim_map_fta_dialogue d;
	struct jitsim_map_fta_quintuplet q[5];
	struct jitsim_map_fta_triplet tr[5];
	unsigned int fit = 0;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(t, len, &req), JITSIM_R_OK);
	request_sccp(&sreq, JITSIM_SCCP_UDT);
	fill_vectors(q, tr, 5, 8);
	for (unsigned int n = 1; n <= 5; n++) {
		struct jitsim_wbuf pw, w;
		struct jitsim_tcap_component c;
		size_t est;
		enum jitsim_reason r;

		assert_int_equal(jitsim_map_fta_dialogue_answer(&d, &req, 0xcf000009u),
				 JITSIM_R_OK);
		jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
		assert_int_equal(jitsim_map_fta_sai_res_quintuplets(&pw, q, n), JITSIM_R_OK);
		c = jitsim_map_fta_comp_result(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
					       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
		est = jitsim_map_fta_tc_size(&d, JITSIM_TCAP_END, 1, jitsim_wbuf_len(&pw));
		jitsim_wbuf_init(&w, b, sizeof(b), sizeof(b));
		assert_int_equal(jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &c, 1),
				 JITSIM_R_OK);
		assert_true(jitsim_wbuf_len(&w) <= est);
		assert_true(est - jitsim_wbuf_len(&w) <= 12);
		r = jitsim_map_fta_sccp_answer(&w, &sreq, NULL);
		if (r == JITSIM_R_OK)
			fit = n;
		else
			assert_int_equal(r, JITSIM_R_NOSPACE);
	}
	/* 84 octets per quintuplet with an 8-octet XRES: two fit beside the AARE. */
	assert_int_equal(fit, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sai_arg_capture),
		cmocka_unit_test(test_sai_arg_forms),
		cmocka_unit_test(test_sai_arg_bad),
		cmocka_unit_test(test_sai_res),
		cmocka_unit_test(test_sai_res_bad),
		cmocka_unit_test(test_ul_arg),
		cmocka_unit_test(test_ul_res),
		cmocka_unit_test(test_isd_arg_matches_hlr),
		cmocka_unit_test(test_isd_arg_gprs),
		cmocka_unit_test(test_isd_arg_bad),
		cmocka_unit_test(test_isd_res),
		cmocka_unit_test(test_cancel),
		cmocka_unit_test(test_tc_answer_ul),
		cmocka_unit_test(test_tc_begin),
		cmocka_unit_test(test_tc_answer_v1_and_bad),
		cmocka_unit_test(test_tc_abort),
		cmocka_unit_test(test_sccp_answer),
		cmocka_unit_test(test_answer_error),
		cmocka_unit_test(test_sai_answer_fits),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
