/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * TCAP codec tests. Vectors are the SCCP user data of frames of the
 * reference captures; every expected value is what tshark 4.0 -V shows
 * (tcap.otid, tcap.dtid, tcap.application_context_name, tcap.invokeID,
 * gsm_old.localValue, the component count). Messages carried in segmented
 * XUDTs are rebuilt here by concatenating the segments' data, as tshark's
 * SCCP reassembly does. Error cases are built with T() from hex pieces.
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
#include <jitsim/proto/tcap.h>

#include "test_util.h"

/* map_pcapr_lu_ul frame 1 (tcap) */
static const char t_lu_1[] = "624448042c5b001c6b1a2818060700118605010101a00d600ba1090607040000"
			     "010001036c20a11e0201000201023016040800011153567658f1810491441122"
			     "040491441122";

/* map_pcapr_lu_ul frame 2 (tcap) */
static const char t_lu_2[] = "657648041100000d49042c5b001c6b262824060700118605010101a0196117a1"
			     "09060704000001000103a203020100a305a1030201006c40a13e020101020107"
			     "30368107919187168479f382010a830100a60c040111040112040121040122a7"
			     "13a309040112840100820100a30604011484010093020000";

/* map_pcapr_lu_ul frame 3 (tcap) */
static const char t_lu_3[] = "651348042c5b001c49041100000d6c05a203020101";

/* map_pcapr_lu_ul frame 4 (tcap) */
static const char t_lu_4[] = "641a49042c5b001c6c12a210020100300b0201023006040491443145";

/* map_pcapr_gprs_attach_sai_ugl frame 4 (tcap) */
static const char t_gprs_4[] = "62444804a50500016b1e281c060700118605010101a011600f80020780a10906"
			       "0704000001000e036c1ca11a0201010201383012800864004001000001f10201"
			       "028100830101";

/* map_pcapr_gprs_attach_sai_ugl frame 5 (tcap) */
static const char t_gprs_5[] = "6581aa4804840001ff4904a50500016b2a2828060700118605010101a01d611b"
			       "80020780a109060704000001000e03a203020100a305a1030201006c80a26c02"
			       "01013067020138a380a180305a04104b9d6191107536658cfe59880cd2ac2704"
			       "104b8c43a2542050120467f333c00f42d804108c43a2542050120467f333c00f"
			       "42d84b041043a2542050120467f333c00f42d84b8c0410a2551a058cdb00004b"
			       "8d79f7caff5012000000000000";

/* map_pcapr_gprs_attach_sai_ugl frame 6 (tcap) */
static const char t_gprs_6[] = "65164804a50500014904840001ff6c08a106020102020138";

/* map_pcapr_gprs_attach_sai_ugl frame 11 (tcap) */
static const char t_gprs_11[] = "657f4804850001ff4904c50500016b2a2828060700118605010101a01d611b80"
				"020780a109060704000001002003a203020100a305a1030201006c80a1410201"
				"020201073080810891685122010001f1830100b0800500a180301b0201019002"
				"f12192031b421f9402012a8009026b9640407403000000000000980100000000"
				"00";

/* map_wswiki_sai_ul_cl_nossn frame 2 (tcap) */
static const char t_nossn_2[] = "623f480481e100046b1e281c060700118605010101a011600f80020780a10906"
				"0704000001000e036c17a1150201ff020138300d800813300199000054f00201"
				"05";

/* map_wswiki_cap_mtp3 frame 28 (tcap) */
static const char t_cap_28[] = "62819448030004006b1a2818060700118605010101a00d600ba1090607040000"
			       "010032016c71a16f0201010201003067800150830884136998052283f985010a"
			       "8801008a0884136998051050f19c01029f320824020301007925f5bf34098107"
			       "916998051050f1bf350383010b9f360831383532323938329f37079169980510"
			       "20f99f3807916998153056f79f39080290701212216362";

/* map_wswiki_cap_mtp3 frame 29 (tcap) */
static const char t_cap_29[] = "655a480482fb000649030004006b2a2828060700118605010101a01d611b8002"
			       "0780a109060704000001003201a203020100a305a1030201006c21a11f020101"
			       "0201173017a015300680010a810101300b800109810100a203800101";

/* map_wswiki_cap_mtp3 frame 30 (tcap) */
static const char t_cap_30[] = "654e480482fb000649030004006c41a137020102020117302fa02d3006800104"
			       "81010030068001058101003006800107810100300b800109810100a203800102"
			       "3006800106810100a10602010302011f";

/* map_wswiki_cap_mtp3 frame 56 (tcap) */
static const char t_cap_56[] = "673149030004016b2a2828060700118605010101a01d611b80020780a1090607"
			       "04000001000300a203020101a305a103020102";

/* map_pcapr_m2pa_sms frame 12 (tcap) */
static const char t_sms_12[] = "64574904000000016b2a2828060700118605010101a01d611b80020780a10906"
			       "0704000001001402a203020100a305a1030201006c80a21f0201ff301a02012d"
			       "3015040822082121109058f6a0098107911497947400f00000";

/* map_pcapr_test_ul_sendid_ati frame 65 (tcap) */
static const char t_ati_65[] = "643b4904000008146b262824060700118605010101a0196117a1090607040000"
			       "01000102a203020100a305a1030201006c0ba3090201010201080a0100";

/* map_pcapr_xudt_segmented_nonmap_acn frame 1 (tcap) */
static const char t_seg_1[] = "6282027348031200ff6b2f282d060700118605010101a022612080020780a10e"
			      "060c2a863a008961330101010001a203020100a305a1030201006c80a1240201"
			      "01020117301ca01a300b800112810100a203800101300b800111810100a20380"
			      "0101a112020102020113300a8300be06820101840102a11502010302012f300d"
			      "a00ba009a0048002106781017fa143020104020120303bc10702905044040020"
			      "e203800102c40702905044040020c5020402a009040701105044040020a40a30"
			      "08020105a1030201019e0783134514064206a11d02010502012e3015a00ea10c"
			      "810100820400000000830100a10380";

/* map_pcapr_xudt_segmented_nonmap_acn frame 2 (tcap) */
static const char t_seg_2[] = "0102a1200201060201220418a103800102a311a003800103a40a040801011050"
			      "44040020a143020107020120303bc10702905044040020e203800103c4070290"
			      "5044040020c5020402a009040701105044614000a40a3008020105a103020101"
			      "9e0783134514064206a11d02010802012e3015a00ea10c810100820400000000"
			      "830100a103800103a1200201090201220418a103800103a311a003800103a40a"
			      "04080101105044040020a15d02010a0201173055a053300b8001f9810100a203"
			      "800103300b80010d810100a203800103300b8001fb810100a203800103301080"
			      "010e810100a203800103be03810114";

/* map_pcapr_xudt_segmented_nonmap_acn frame 3 (tcap) */
static const char t_seg_3[] = "300b80010f810100a203800103300b8001fa810101a203800103a15d02010b02"
			      "01173055a053300b8001f9810100a203800102300b80010d810100a203800102"
			      "300b8001fb810100a203800102301080010e810100a203800102be0381011430"
			      "0b80010f810100a203800102300b8001fa810101a203800102a10d02010c0201"
			      "1fe105a103800102a10d02010d02011fe105a1038001030000";

/* map_pcapr_m2pa_sms frame 14 (tcap) */
static const char t_sms_14[] = "6281ec4804000000026b1e281c060700118605010101a011600f80020780a109"
			       "0607040000010019026c81c3a181c00201ff02012e3081b78008220821211090"
			       "58f68407911497797908f00481a1200f9121436587092143f500008010112190"
			       "1040a031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db0d9783c56433"
			       "5acd76c3e56031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db0d9783"
			       "c564335acd76c3e56031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db"
			       "0d9783c564335acd76c3e56031d98c56";

/* map_pcapr_m2pa_sms frame 15 (tcap) */
static const char t_sms_15[] = "b3dd7039584c36a3d56c375c0e1693cd6835db0d97c3c664335acd76c3e5b4";

#define MAX_MSG 4096

struct exp_comp {
	uint8_t type;
	bool has_id;
	int8_t id;
	bool has_op;
	uint8_t op;
	bool has_err;
	uint8_t err;
	size_t param_len; /* 0: no parameter */
	const char *param_head;
};

struct exp_tcap {
	const char *file;
	unsigned int frame;
	const char *hex;
	uint8_t type;
	bool has_otid;
	uint32_t otid;
	uint8_t otid_len;
	bool has_dtid;
	uint32_t dtid;
	uint8_t dtid_len;
	uint8_t pdu; /* 0: no dialogue portion */
	const char *acn;
	bool is_map;
	uint8_t ac, version;
	uint8_t n_comp;
	struct exp_comp comp[2];
};

#define INV JITSIM_TCAP_INVOKE
#define RRL JITSIM_TCAP_RESULT_LAST
#define ACN_MAP(ac, v) "040000010" #ac #v

/* clang-format off */
static const struct exp_tcap msgs[] = {
	{"map_pcapr_lu_ul.pcap", 1, t_lu_1, JITSIM_TCAP_BEGIN, true, 0x2c5b001c, 4, false, 0, 0,
	 JITSIM_TCAP_AARQ, "04000001000103", true, 1, 3, 1,
	 {{INV, true, 0, true, 2, false, 0, 24, "3016"}}},
	{"map_pcapr_lu_ul.pcap", 2, t_lu_2, JITSIM_TCAP_CONTINUE, true, 0x1100000d, 4, true,
	 0x2c5b001c, 4, JITSIM_TCAP_AARE, "04000001000103", true, 1, 3, 1,
	 {{INV, true, 1, true, 7, false, 0, 56, "3036"}}},
	{"map_pcapr_lu_ul.pcap", 3, t_lu_3, JITSIM_TCAP_CONTINUE, true, 0x2c5b001c, 4, true,
	 0x1100000d, 4, 0, NULL, false, 0, 0, 1, {{RRL, true, 1, false, 0, false, 0, 0, ""}}},
	{"map_pcapr_lu_ul.pcap", 4, t_lu_4, JITSIM_TCAP_END, false, 0, 0, true, 0x2c5b001c, 4, 0,
	 NULL, false, 0, 0, 1, {{RRL, true, 0, true, 2, false, 0, 8, "30060404"}}},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 4, t_gprs_4, JITSIM_TCAP_BEGIN, true, 0xa5050001,
	 4, false, 0, 0, JITSIM_TCAP_AARQ, "04000001000e03", true, 14, 3, 1,
	 {{INV, true, 1, true, 56, false, 0, 20, "3012"}}},
	/* Indefinite component portion, result and quintuplet list. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 5, t_gprs_5, JITSIM_TCAP_CONTINUE, true,
	 0x840001ff, 4, true, 0xa5050001, 4, JITSIM_TCAP_AARE, "04000001000e03", true, 14, 3, 1,
	 {{RRL, true, 1, true, 56, false, 0, 100, "a380a180"}}},
	/* SAI "more vectors": an Invoke without parameter. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 6, t_gprs_6, JITSIM_TCAP_CONTINUE, true,
	 0xa5050001, 4, true, 0x840001ff, 4, 0, NULL, false, 0, 0, 1,
	 {{INV, true, 2, true, 56, false, 0, 0, ""}}},
	/* Indefinite-length InsertSubscriberData argument. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 11, t_gprs_11, JITSIM_TCAP_CONTINUE, true,
	 0x850001ff, 4, true, 0xc5050001, 4, JITSIM_TCAP_AARE, "04000001002003", true, 32, 3, 1,
	 {{INV, true, 2, true, 7, false, 0, 59, "30808108"}}},
	/* invokeID -1. */
	{"map_wswiki_sai_ul_cl_nossn.pcap", 2, t_nossn_2, JITSIM_TCAP_BEGIN, true, 0x81e10004, 4,
	 false, 0, 0, JITSIM_TCAP_AARQ, "04000001000e03", true, 14, 3, 1,
	 {{INV, true, -1, true, 56, false, 0, 15, "300d80"}}},
	/* CAP v2 reuses the MAP arc (0.4.0.0.1.0.50.1): not MAP. 3-octet OTID. */
	{"map_wswiki_cap_mtp3.pcap", 28, t_cap_28, JITSIM_TCAP_BEGIN, true, 0x000400, 3, false, 0,
	 0, JITSIM_TCAP_AARQ, "04000001003201", false, 0, 0, 1,
	 {{INV, true, 1, true, 0, false, 0, 105, "3067"}}},
	{"map_wswiki_cap_mtp3.pcap", 29, t_cap_29, JITSIM_TCAP_CONTINUE, true, 0x82fb0006, 4,
	 true, 0x000400, 3, JITSIM_TCAP_AARE, "04000001003201", false, 0, 0, 1,
	 {{INV, true, 1, true, 23, false, 0, 25, "3017"}}},
	{"map_wswiki_cap_mtp3.pcap", 30, t_cap_30, JITSIM_TCAP_CONTINUE, true, 0x82fb0006, 4,
	 true, 0x000400, 3, 0, NULL, false, 0, 0, 2,
	 {{INV, true, 2, true, 23, false, 0, 49, "302f"}, {INV, true, 3, true, 31, false, 0, 0, ""}}},
	/* Abort with a dialogue portion (AARE reject, ACN 0.4.0.0.1.0.3.0: version 0, not MAP). */
	{"map_wswiki_cap_mtp3.pcap", 56, t_cap_56, JITSIM_TCAP_ABORT, false, 0, 0, true, 0x000401,
	 3, JITSIM_TCAP_AARE, "04000001000300", false, 0, 0, 0, {{0}}},
	{"map_pcapr_m2pa_sms.pcap", 12, t_sms_12, JITSIM_TCAP_END, false, 0, 0, true, 0x00000001,
	 4, JITSIM_TCAP_AARE, "04000001001402", true, 20, 2, 1,
	 {{RRL, true, -1, true, 45, false, 0, 23, "30150408"}}},
	/* ReturnError roamingNotAllowed (8) with a parameter. */
	{"map_pcapr_test_ul_sendid_ati.pcap", 65, t_ati_65, JITSIM_TCAP_END, false, 0, 0, true,
	 0x00000814, 4, JITSIM_TCAP_AARE, "04000001000102", true, 1, 2, 1,
	 {{JITSIM_TCAP_ERROR, true, 1, false, 0, true, 8, 3, "0a0100"}}},
};
/* clang-format on */

#define N_MSGS (sizeof(msgs) / sizeof(msgs[0]))

static enum jitsim_reason
dec(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_tcap_decode(p, len, ctx);
}

static void
check_comp(const struct jitsim_tcap_component *c, const struct exp_comp *e)
{
	uint8_t head[16];
	size_t hl = test_hex(e->param_head, head, sizeof(head));

	assert_int_equal(c->type, e->type);
	assert_int_equal(c->has_invoke_id, e->has_id);
	assert_int_equal(c->invoke_id, e->id);
	assert_int_equal(c->has_opcode, e->has_op);
	assert_int_equal(c->opcode, e->op);
	assert_int_equal(c->has_error, e->has_err);
	assert_int_equal(c->error, e->err);
	assert_false(c->has_linked_id);
	assert_false(c->has_problem);
	if (e->param_len == 0) {
		assert_null(c->param);
		assert_int_equal(c->param_len, 0);
	} else {
		assert_non_null(c->param);
		assert_int_equal(c->param_len, e->param_len);
		assert_memory_equal(c->param, head, hl);
	}
}

static void
check_msg(const struct jitsim_tcap *t, const struct exp_tcap *e)
{
	assert_int_equal(t->type, e->type);
	assert_int_equal(t->has_otid, e->has_otid);
	assert_int_equal(t->otid, e->otid);
	assert_int_equal(t->otid_len, e->otid_len);
	assert_int_equal(t->has_dtid, e->has_dtid);
	assert_int_equal(t->dtid, e->dtid);
	assert_int_equal(t->dtid_len, e->dtid_len);
	assert_int_equal(t->has_dialogue, e->pdu != 0);
	assert_int_equal(t->dialogue_pdu, e->pdu);
	if (e->acn != NULL) {
		uint8_t acn[32];
		size_t n = test_hex(e->acn, acn, sizeof(acn));

		assert_int_equal(t->acn_len, n);
		assert_memory_equal(t->acn, acn, n);
	} else {
		assert_null(t->acn);
	}
	assert_int_equal(t->is_map_acn, e->is_map);
	assert_int_equal(t->map_ac, e->ac);
	assert_int_equal(t->map_version, e->version);
	assert_false(t->has_abort_cause);
	assert_int_equal(t->n_comp, e->n_comp);
	for (unsigned int i = 0; i < e->n_comp; i++)
		check_comp(&t->comp[i], &e->comp[i]);
}

static void
test_capture_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		uint8_t m[MAX_MSG];
		struct jitsim_tcap t;
		size_t len = test_hex(msgs[i].hex, m, sizeof(m));

		assert_int_equal(test_decode_exact(m, len, dec, &t), JITSIM_R_OK);
		/* Parameters point into the input: decode in place to check them. */
		assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
		check_msg(&t, &msgs[i]);
		test_truncations(m, len, dec, &t, NULL);
	}
}

struct find_ctx {
	unsigned int frame;
	const uint8_t *v;
	size_t len;
	bool found;
};

static void
find_cb(unsigned int frame_no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct find_ctx *f = ctx;

	(void)dlt;
	if (frame_no == f->frame && memmem(p, len, f->v, f->len) != NULL)
		f->found = true;
}

static void
assert_in_capture(const char *file, unsigned int frame, const char *hex)
{
	uint8_t m[MAX_MSG];
	struct find_ctx f = {frame, m, 0, false};

	f.len = test_hex(hex, m, sizeof(m));
	assert_true(test_capture_foreach(file, find_cb, &f) >= frame);
	assert_true(f.found);
}

static void
test_vectors_in_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++)
		assert_in_capture(msgs[i].file, msgs[i].frame, msgs[i].hex);
	assert_in_capture("map_pcapr_xudt_segmented_nonmap_acn.pcap", 1, t_seg_1);
	assert_in_capture("map_pcapr_xudt_segmented_nonmap_acn.pcap", 2, t_seg_2);
	assert_in_capture("map_pcapr_xudt_segmented_nonmap_acn.pcap", 3, t_seg_3);
	assert_in_capture("map_pcapr_m2pa_sms.pcap", 14, t_sms_14);
	assert_in_capture("map_pcapr_m2pa_sms.pcap", 15, t_sms_15);
}

static size_t
concat(uint8_t *m, size_t cap, const char *const *parts, size_t n)
{
	size_t len = 0;

	for (size_t i = 0; i < n; i++)
		len += test_hex(parts[i], m + len, cap - len);
	return len;
}

/*
 * map_pcapr_xudt_segmented_nonmap_acn.pcap frames 1-3: one 631-octet Begin
 * in three XUDT segments. Its dialogue is an AARE (in a Begin) with the
 * Ericsson INAP context 1.2.826.0.1249.51.1.1.1.0.1 and it has 13 invokes:
 * tshark decodes them as MAP (opcode 23 "updateGprsLocation" ...), which is
 * wrong; the ACN says it is not MAP.
 */
static void
test_segmented_non_map(void **state)
{
	static const char *const parts[] = {t_seg_1, t_seg_2, t_seg_3};
	static const uint8_t ops[] = {23, 19, 47, 32, 46, 34, 32, 46};
	static const uint8_t acn[] = {0x2a, 0x86, 0x3a, 0x00, 0x89, 0x61,
				      0x33, 0x01, 0x01, 0x01, 0x00, 0x01};
	uint8_t m[MAX_MSG];
	struct jitsim_tcap t;
	char out[1024];
	size_t len = concat(m, sizeof(m), parts, 3);

	(void)state;
	assert_int_equal(len, 631);
	assert_int_equal(test_decode_exact(m, len, dec, &t), JITSIM_R_TCAP_TOO_MANY_COMPONENTS);
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_TCAP_TOO_MANY_COMPONENTS);
	assert_int_equal(t.type, JITSIM_TCAP_BEGIN);
	assert_int_equal(t.otid, 0x1200ff);
	assert_int_equal(t.otid_len, 3);
	assert_true(t.has_dialogue);
	assert_int_equal(t.dialogue_pdu, JITSIM_TCAP_AARE);
	assert_int_equal(t.acn_len, sizeof(acn));
	assert_memory_equal(t.acn, acn, sizeof(acn));
	assert_false(t.is_map_acn);
	/* The first JITSIM_TCAP_MAX_COMPONENTS are filled in. */
	assert_int_equal(t.n_comp, JITSIM_TCAP_MAX_COMPONENTS);
	for (unsigned int i = 0; i < JITSIM_TCAP_MAX_COMPONENTS; i++) {
		assert_int_equal(t.comp[i].type, JITSIM_TCAP_INVOKE);
		assert_int_equal(t.comp[i].invoke_id, i + 1);
		assert_int_equal(t.comp[i].opcode, ops[i]);
	}
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_non_null(strstr(out, "type=begin otid=1200ff dialogue=0x61 "
				    "acn=1.2.826.0.1249.51.1.1.1.0.1 ncomp=8 c0=invoke c0.id=1 "
				    "c0.op=23 c0.param_len=30"));
	/* The first segment alone is a truncated message. */
	len = test_hex(t_seg_1, m, sizeof(m));
	assert_int_equal(test_decode_exact(m, len, dec, &t), JITSIM_R_TRUNCATED);
}

/* map_pcapr_m2pa_sms.pcap frames 14+15: forwardSM (46) v2 split over two XUDTs. */
static void
test_segmented_forward_sm(void **state)
{
	static const char *const parts[] = {t_sms_14, t_sms_15};
	uint8_t m[MAX_MSG];
	struct jitsim_tcap t;
	size_t len = concat(m, sizeof(m), parts, 2);

	(void)state;
	assert_int_equal(len, 239);
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_BEGIN);
	assert_int_equal(t.otid, 2);
	assert_true(t.is_map_acn);
	assert_int_equal(t.map_ac, 25); /* shortMsgMT-RelayContext */
	assert_int_equal(t.map_version, 2);
	assert_int_equal(t.n_comp, 1);
	assert_int_equal(t.comp[0].invoke_id, -1);
	assert_int_equal(t.comp[0].opcode, 46);
	assert_int_equal(t.comp[0].param_len, 186);
	test_truncations(m, len, dec, &t, NULL);
	len = test_hex(t_sms_14, m, sizeof(m));
	assert_int_equal(test_decode_exact(m, len, dec, &t), JITSIM_R_TRUNCATED);
}

/* ---- Hand-built messages ---- */

static char arena[1 << 16];
static size_t arena_used;

static size_t
hex_octets(const char *h)
{
	size_t n = 0;

	for (; *h; h++)
		if ((*h >= '0' && *h <= '9') || (*h >= 'a' && *h <= 'f') ||
		    (*h >= 'A' && *h <= 'F'))
			n++;
	return n / 2;
}

/* Hex of a TLV with identifier @p id around @p content (hex), definite length. */
static const char *
T(const char *id, const char *content)
{
	char *o = arena + arena_used;
	size_t n = hex_octets(content);
	int w;

	if (n < 128)
		w = snprintf(o, sizeof(arena) - arena_used, "%s %02zx %s", id, n, content);
	else
		w = snprintf(o, sizeof(arena) - arena_used, "%s 82 %04zx %s", id, n, content);
	assert_true(w > 0 && (size_t)w < sizeof(arena) - arena_used);
	arena_used += (size_t)w + 1;
	return o;
}

/* Concatenate hex pieces. */
static const char *
C(const char *a, const char *b)
{
	char *o = arena + arena_used;
	size_t la = strlen(a), lb = strlen(b);

	/* Pieces are earlier arena strings, never the free part written
	 * here; memmove says so to the compiler's restrict checks. */
	assert_true(la + lb + 2 <= sizeof(arena) - arena_used);
	memmove(o, a, la);
	o[la] = ' ';
	memmove(o + la + 1, b, lb);
	o[la + 1 + lb] = '\0';
	arena_used += la + lb + 2;
	return o;
}

static enum jitsim_reason
dec_hex(const char *hex, struct jitsim_tcap *t)
{
	static uint8_t m[MAX_MSG];
	size_t len = test_hex(hex, m, sizeof(m));

	return test_decode_exact(m, len, dec, t);
}

/* Decode in place (pointers stay valid) and check truncations too. */
static enum jitsim_reason
dec_keep(const char *hex, uint8_t *m, struct jitsim_tcap *t)
{
	size_t len = test_hex(hex, m, MAX_MSG);
	enum jitsim_reason r = test_decode_exact(m, len, dec, t);

	if (r == JITSIM_R_OK)
		test_truncations(m, len, dec, t, NULL);
	assert_int_equal(jitsim_tcap_decode(m, len, t), r);
	return r;
}

#define OTID "48 04 01 02 03 04"
#define DTID "49 04 05 06 07 08"
#define INVOKE_OK "a1 06 02 01 01 02 01 38"
#define AARQ_MAP "60 0b a1 09 06 07 04 00 00 01 00 0e 03"
#define AS_ID "06 07 00 11 86 05 01 01 01"
#define UNI_AS_ID "06 07 00 11 86 05 01 02 01"

static const char *
dialogue(const char *oid, const char *pdu)
{
	return T("6b", T("28", C(oid, T("a0", pdu))));
}

static const char *
begin(const char *comps)
{
	return T("62", C(OTID, T("6c", comps)));
}

static void
test_hand_built(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_tcap t;

	(void)state;
	arena_used = 0;
	/* Reject with an invoke ID, and with NULL (not derivable). */
	assert_int_equal(dec_keep(T("64", C(DTID, T("6c", "a4 06 02 01 05 81 01 02"))), m, &t),
			 JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_END);
	assert_int_equal(t.comp[0].type, JITSIM_TCAP_REJECT);
	assert_true(t.comp[0].has_invoke_id);
	assert_int_equal(t.comp[0].invoke_id, 5);
	assert_true(t.comp[0].has_problem);
	assert_int_equal(t.comp[0].problem_type, 1);
	assert_int_equal(t.comp[0].problem, 2);
	assert_int_equal(dec_keep(T("64", C(DTID, T("6c", "a4 05 05 00 83 01 00"))), m, &t),
			 JITSIM_R_OK);
	assert_false(t.comp[0].has_invoke_id);
	assert_int_equal(t.comp[0].problem_type, 3);
	assert_int_equal(t.comp[0].problem, 0);
	/* Unidirectional, with and without an AUDT dialogue. */
	assert_int_equal(dec_keep(T("61", T("6c", INVOKE_OK)), m, &t), JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_UNI);
	assert_false(t.has_otid);
	assert_int_equal(t.n_comp, 1);
	assert_int_equal(
		dec_keep(T("61", C(dialogue(UNI_AS_ID, AARQ_MAP), T("6c", INVOKE_OK))), m, &t),
		JITSIM_R_OK);
	assert_true(t.is_map_acn);
	assert_int_equal(t.map_ac, 14);
	/* P-Abort. */
	assert_int_equal(dec_keep(T("67", C(DTID, "4a 01 01")), m, &t), JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_ABORT);
	assert_true(t.has_abort_cause);
	assert_int_equal(t.abort_cause, 1);
	assert_int_equal(t.dtid, 0x05060708);
	/* ABRT dialogue PDU (no application context). */
	assert_int_equal(dec_keep(T("67", C(DTID, dialogue(AS_ID, "64 03 80 01 01"))), m, &t),
			 JITSIM_R_OK);
	assert_int_equal(t.dialogue_pdu, JITSIM_TCAP_ABRT);
	assert_null(t.acn);
	/* Linked ID, global opcode (not a MAP opcode), parameter after it. */
	assert_int_equal(
		dec_keep(begin("a1 10 02 01 02 80 01 01 06 03 2a 03 04 04 03 01 02 03"), m, &t),
		JITSIM_R_OK);
	assert_true(t.comp[0].has_linked_id);
	assert_int_equal(t.comp[0].linked_id, 1);
	assert_int_equal(t.comp[0].invoke_id, 2);
	assert_false(t.comp[0].has_opcode);
	assert_int_equal(t.comp[0].param_len, 5);
	assert_int_equal(t.comp[0].param[0], 0x04);
	/* Opcode above 127: two octets, or one octet sent unsigned. */
	assert_int_equal(dec_keep(begin("a1 07 02 01 01 02 02 00 b8"), m, &t), JITSIM_R_OK);
	assert_true(t.comp[0].has_opcode);
	assert_int_equal(t.comp[0].opcode, 184);
	assert_int_equal(dec_keep(begin("a1 06 02 01 01 02 01 b8"), m, &t), JITSIM_R_OK);
	assert_int_equal(t.comp[0].opcode, 184);
	/* A local opcode beyond an octet is valid TCAP but no MAP operation. */
	assert_int_equal(dec_keep(begin("a1 07 02 01 01 02 02 01 00"), m, &t), JITSIM_R_OK);
	assert_false(t.comp[0].has_opcode);
	/* ReturnError with a global error code; ReturnResultNotLast. */
	assert_int_equal(dec_keep(T("64", C(DTID, T("6c", "a3 07 02 01 01 06 02 2a 03"))), m, &t),
			 JITSIM_R_OK);
	assert_false(t.comp[0].has_error);
	assert_int_equal(dec_keep(T("65", C(OTID, C(DTID, T("6c", "a7 0b 02 01 01 30 06 02 01 "
								  "38 04 01 00")))),
				  m, &t),
			 JITSIM_R_OK);
	assert_int_equal(t.comp[0].type, JITSIM_TCAP_RESULT_NOT_LAST);
	assert_int_equal(t.comp[0].opcode, 56);
	assert_int_equal(t.comp[0].param_len, 3);
	/* Begin with no component portion. */
	assert_int_equal(dec_keep(T("62", C(OTID, dialogue(AS_ID, AARQ_MAP))), m, &t), JITSIM_R_OK);
	assert_int_equal(t.n_comp, 0);
	/* An empty component portion. */
	assert_int_equal(dec_keep(T("62", C(OTID, "6c 00")), m, &t), JITSIM_R_OK);
	assert_int_equal(t.n_comp, 0);
	/* EXTERNAL with indirect-reference before the encoding. */
	assert_int_equal(
		dec_keep(T("62",
			   C(OTID, T("6b", T("28", C(AS_ID, C("02 01 01", T("a0", AARQ_MAP))))))),
			 m, &t),
		JITSIM_R_OK);
	assert_true(t.is_map_acn);
}

/* Indefinite lengths everywhere, nested. */
static void
test_indefinite_everywhere(void **state)
{
	static const char msg[] = "62 80 48 01 07"
				  " 6b 80 28 80 06 07 00 11 86 05 01 01 01 a0 80 60 80"
				  " a1 80 06 07 04 00 00 01 00 0e 03 00 00 00 00 00 00 00 00 00 00"
				  " 6c 80 a1 80 02 01 01 02 01 38"
				  " 30 80 80 08 64 00 40 01 00 00 01 f1 02 01 02 00 00"
				  " 00 00 00 00 00 00";
	uint8_t m[MAX_MSG];
	struct jitsim_tcap t;

	(void)state;
	assert_int_equal(dec_keep(msg, m, &t), JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_BEGIN);
	assert_int_equal(t.otid, 7);
	assert_int_equal(t.otid_len, 1);
	assert_true(t.is_map_acn);
	assert_int_equal(t.map_ac, 14);
	assert_int_equal(t.map_version, 3);
	assert_int_equal(t.n_comp, 1);
	assert_int_equal(t.comp[0].opcode, 56);
	assert_int_equal(t.comp[0].param_len, 17);
	assert_int_equal(t.comp[0].param[0], 0x30);
	assert_int_equal(t.comp[0].param[1], 0x80);
	assert_int_equal(t.comp[0].param[15], 0);
	assert_int_equal(t.comp[0].param[16], 0);
}

/*
 * The same TLVs with every definite length in the long form (81 xx, or
 * 82 xx xx), indefinite ones kept: a valid encoding of the same message
 * that none of the decoder's short-form fast paths (transaction IDs, the
 * dialogue portion, the Invoke header, one-octet INTEGERs, the inline BER
 * reader) accepts, so it goes through the general code everywhere.
 */
static size_t
long_form(const uint8_t *p, size_t len, uint8_t *o, size_t cap)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	size_t w = 0;

	jitsim_ber_iter_init(&it, p, len);
	while (jitsim_ber_next(&it, &t) == JITSIM_R_OK) {
		const uint8_t *start = it.p - t.total;
		size_t idl = 1, cl = t.len;
		uint8_t content[MAX_MSG];

		if ((start[0] & 0x1f) == 0x1f)
			while (start[idl++] & 0x80)
				;
		if (t.constructed)
			cl = long_form(t.val, t.len, content, sizeof(content));
		else
			memcpy(content, t.val, t.len);
		assert_true(w + idl + 3 + cl + 2 <= cap);
		memcpy(o + w, start, idl);
		w += idl;
		if (t.indefinite) {
			o[w++] = 0x80;
		} else if (cl < 256) {
			o[w++] = 0x81;
			o[w++] = (uint8_t)cl;
		} else {
			o[w++] = 0x82;
			o[w++] = (uint8_t)(cl >> 8);
			o[w++] = (uint8_t)cl;
		}
		memcpy(o + w, content, cl);
		w += cl;
		if (t.indefinite) {
			o[w++] = 0;
			o[w++] = 0;
		}
	}
	return w;
}

/* Both decodes agree on everything but where the parameters are. */
static void
check_same(const struct jitsim_tcap *a, const struct jitsim_tcap *b)
{
	assert_int_equal(a->type, b->type);
	assert_int_equal(a->has_otid, b->has_otid);
	assert_int_equal(a->otid, b->otid);
	assert_int_equal(a->otid_len, b->otid_len);
	assert_int_equal(a->has_dtid, b->has_dtid);
	assert_int_equal(a->dtid, b->dtid);
	assert_int_equal(a->dtid_len, b->dtid_len);
	assert_int_equal(a->has_dialogue, b->has_dialogue);
	assert_int_equal(a->dialogue_pdu, b->dialogue_pdu);
	assert_int_equal(a->acn_len, b->acn_len);
	if (a->acn_len)
		assert_memory_equal(a->acn, b->acn, a->acn_len);
	assert_int_equal(a->is_map_acn, b->is_map_acn);
	assert_int_equal(a->map_ac, b->map_ac);
	assert_int_equal(a->map_version, b->map_version);
	assert_int_equal(a->has_abort_cause, b->has_abort_cause);
	assert_int_equal(a->abort_cause, b->abort_cause);
	assert_int_equal(a->n_comp, b->n_comp);
	for (unsigned int i = 0; i < a->n_comp; i++) {
		const struct jitsim_tcap_component *x = &a->comp[i], *y = &b->comp[i];

		assert_int_equal(x->type, y->type);
		assert_int_equal(x->has_invoke_id, y->has_invoke_id);
		assert_int_equal(x->invoke_id, y->invoke_id);
		assert_int_equal(x->has_linked_id, y->has_linked_id);
		assert_int_equal(x->linked_id, y->linked_id);
		assert_int_equal(x->has_opcode, y->has_opcode);
		assert_int_equal(x->opcode, y->opcode);
		assert_int_equal(x->has_error, y->has_error);
		assert_int_equal(x->error, y->error);
		assert_int_equal(x->has_problem, y->has_problem);
		assert_int_equal(x->problem, y->problem);
		assert_int_equal(x->problem_type, y->problem_type);
		assert_int_equal(x->param == NULL, y->param == NULL);
		if (x->param != NULL)
			assert_int_equal(x->param[0], y->param[0]);
	}
}

/* The short-form fast paths decode exactly what the general code does. */
static void
test_fast_paths_agree(void **state)
{
	static const char *const more[] = {
		/* Linked ID and an OCTET STRING parameter. */
		"621a4804010203046c12a110020101800100020138300504030102ff",
		/* ReturnError, Reject, ReturnResultLast with operation code only. */
		"64224904010203046c1aa30602010502011aa406020101810101a2080201043003020102",
		/* Abort with a P-Abort cause. */
		"67094904010203044a0101",
		/* AARQ without protocol-version. */
		"622c4804010203046b1a2818060700118605010101a00d600ba10906070400000100140"
		"36c08a106020101020116",
		/* AARE with result fields, ReturnResultLast with a parameter. */
		"65474804010203044904010203046b2a2828060700118605010101a01d611b80020780a1"
		"09060704000001000e03a203020100a305a1030201006c0da20b0201013006020138040101",
	};
	uint8_t m[MAX_MSG], l[MAX_MSG];
	struct jitsim_tcap a, b;

	(void)state;
	for (size_t i = 0; i < N_MSGS + sizeof(more) / sizeof(more[0]); i++) {
		const char *hex = i < N_MSGS ? msgs[i].hex : more[i - N_MSGS];
		size_t n = test_hex(hex, m, sizeof(m)), ln;
		enum jitsim_reason r = jitsim_tcap_decode(m, n, &a);

		assert_int_equal(r, JITSIM_R_OK);
		ln = long_form(m, n, l, sizeof(l));
		assert_true(ln > n);
		assert_int_equal(jitsim_tcap_decode(l, ln, &b), r);
		check_same(&a, &b);
	}
}

static void
test_errors(void **state)
{
	struct jitsim_tcap t;
	char deep[512] = "";
	size_t n = 0;

	(void)state;
	arena_used = 0;
	assert_int_equal(dec_hex("", &t), JITSIM_R_TRUNCATED);
	/* ANSI (PRIVATE class) and other tags. */
	assert_int_equal(dec_hex("e2 0a c7 04 00 00 00 01 e8 02 e9 00", &t),
			 JITSIM_R_TCAP_UNSUPPORTED);
	assert_int_equal(dec_hex("30 00", &t), JITSIM_R_TCAP_UNSUPPORTED);
	assert_int_equal(dec_hex("63 00", &t), JITSIM_R_TCAP_UNSUPPORTED);
	/* BER errors propagate. */
	assert_int_equal(dec_hex("62 ff", &t), JITSIM_R_BER_BAD);
	assert_int_equal(dec_hex(begin("a1 05 02 00 02 01 38"), &t), JITSIM_R_BER_BAD);
	assert_int_equal(dec_hex(begin("a1 05 02 01 01 02 00"), &t), JITSIM_R_BER_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a3 05 02 01 01 02 00"))), &t),
			 JITSIM_R_BER_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 05 02 01 01 80 00"))), &t),
			 JITSIM_R_BER_BAD);
	assert_int_equal(dec_hex(begin("a1 06 02 01 01 02 ff 38"), &t), JITSIM_R_BER_BAD);
	/* Nesting deeper than JITSIM_BER_MAX_DEPTH in a parameter. */
	for (unsigned int i = 0; i < (JITSIM_BER_MAX_DEPTH + 1); i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "30 80 ");
	for (unsigned int i = 0; i < (JITSIM_BER_MAX_DEPTH + 1); i++)
		n += (size_t)snprintf(deep + n, sizeof(deep) - n, "00 00 ");
	assert_int_equal(dec_hex(C("62 80 48 01 01 6c 80 a1 80 02 01 01 02 01 38",
				   C(deep, "00 00 00 00 00 00")),
				 &t),
			 JITSIM_R_BER_TOO_DEEP);
	/* Transaction IDs. */
	assert_int_equal(dec_hex(T("62", "48 00"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", "48 05 01 02 03 04 05"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", "68 02 04 00"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, OTID)), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, DTID)), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", T("6c", INVOKE_OK)), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("65", C(OTID, T("6c", INVOKE_OK))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(OTID, C(DTID, T("6c", INVOKE_OK)))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("67", "4a 01 01"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("61", C(OTID, T("6c", INVOKE_OK))), &t), JITSIM_R_TCAP_BAD);
	/* Unknown element, P-Abort out of place or malformed, components in an Abort. */
	assert_int_equal(dec_hex(T("62", C(OTID, "4b 01 00")), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, "4a 01 01")), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("67", C(DTID, "4a 02 01 01")), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("67", C(DTID, "4a 01 01 4a 01 01")), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("67", C(DTID, T("6c", INVOKE_OK))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, C(T("6c", INVOKE_OK), T("6c", INVOKE_OK)))), &t),
			 JITSIM_R_TCAP_BAD);
	/* Unidirectional without components. */
	assert_int_equal(dec_hex(T("61", dialogue(UNI_AS_ID, AARQ_MAP)), &t), JITSIM_R_TCAP_BAD);
	/* Components. */
	assert_int_equal(dec_hex(begin("a5 03 02 01 01"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("81 01 01"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 00"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 03 02 01 01"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 06 04 01 01 02 01 38"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 07 02 02 01 00 02 01 38"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 06 02 01 01 80 01 01"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 0a 02 01 01 80 02 01 00 02 01 38"), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 06 02 01 01 04 01 38"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 06 02 01 01 22 01 38"), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(begin("a1 0c 02 01 01 02 01 38 04 01 00 04 01 00"), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a2 06 02 01 01 04 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a2 05 02 01 01 30 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a2 08 02 01 01 30 03 04 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(
		dec_hex(T("64", C(DTID, T("6c", "a2 0a 02 01 01 30 03 02 01 02 05 00"))), &t),
		JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a3 03 02 01 01"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a3 06 02 01 01 04 01 08"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 03 02 01 01"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 06 02 01 01 84 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 08 02 01 01 80 01 00 05 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 06 05 01 00 80 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("64", C(DTID, T("6c", "a4 06 02 01 01 a0 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	/* Dialogue portion. */
	assert_int_equal(dec_hex(T("62", C(OTID, "6b 00")), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, T("6b", T("30", AS_ID)))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, T("6b", T("28", T("a0", AARQ_MAP))))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, T("6b", "28 00"))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(
		dec_hex(T("62", C(OTID, dialogue("06 07 00 11 86 05 01 03 01", AARQ_MAP))), &t),
		JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, T("6b", T("28", AS_ID)))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, ""))), &t), JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "80 01 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "62 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "60 04 80 02 07 80"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "60 04 a1 02 04 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "60 02 a1 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("62", C(OTID, dialogue(AS_ID, "60 04 a1 02 06 00"))), &t),
			 JITSIM_R_TCAP_BAD);
	assert_int_equal(
		dec_hex(T("62", C(OTID, C(dialogue(AS_ID, AARQ_MAP), dialogue(AS_ID, AARQ_MAP)))),
			&t),
		JITSIM_R_TCAP_BAD);
	assert_int_equal(dec_hex(T("61", C(dialogue(UNI_AS_ID, "61 0b a1 09 06 07 04 00 00 01 00 "
							       "0e 03"),
					   T("6c", INVOKE_OK))),
				 &t),
			 JITSIM_R_TCAP_BAD);
}

/*
 * A malformed TLV (04 ff: reserved length form) at every place an element
 * is read: the BER error comes back as it is, whatever the nesting.
 */
static void
test_inner_ber_errors(void **state)
{
	const char *cases[32];
	size_t n = 0;
	struct jitsim_tcap t;

	(void)state;
	arena_used = 0;
#define BAD "04 ff"
	/* Message level, component portion, each component element. */
	cases[n++] = T("62", C(OTID, BAD));
	cases[n++] = begin(BAD);
	cases[n++] = begin(T("a1", BAD));
	cases[n++] = begin(T("a1", C("02 01 01", BAD)));
	cases[n++] = begin(T("a1", C("02 01 01 80 01 01", BAD)));
	cases[n++] = begin(T("a1", C("02 01 01 02 01 38", BAD)));
	cases[n++] = begin(T("a1", C("02 01 01 02 01 38 04 00", BAD)));
	cases[n++] = begin(T("a2", C("02 01 01", BAD)));
	cases[n++] = begin(T("a2", C("02 01 01", T("30", BAD))));
	cases[n++] = begin(T("a2", C("02 01 01", T("30", C("02 01 38", BAD)))));
	cases[n++] = begin(T("a2", C("02 01 01", C(T("30", "02 01 38"), BAD))));
	cases[n++] = begin(T("a3", C("02 01 01", BAD)));
	cases[n++] = begin(T("a4", C("02 01 01", BAD)));
	cases[n++] = begin(T("a4", C("02 01 01 80 01 00", BAD)));
	/* Dialogue portion, at each level down to the application context name. */
	cases[n++] = T("62", C(OTID, T("6b", BAD)));
	cases[n++] = T("62", C(OTID, T("6b", T("28", BAD))));
	cases[n++] = T("62", C(OTID, T("6b", T("28", C(AS_ID, BAD)))));
	cases[n++] = T("62", C(OTID, dialogue(AS_ID, BAD)));
	cases[n++] = T("62", C(OTID, dialogue(AS_ID, T("60", BAD))));
	cases[n++] = T("62", C(OTID, dialogue(AS_ID, T("60", T("a1", BAD)))));
#undef BAD
	for (size_t i = 0; i < n; i++)
		assert_int_equal(dec_hex(cases[i], &t), JITSIM_R_BER_BAD);
}

static void
test_too_many_components(void **state)
{
	char comps[256] = "";
	size_t n = 0;
	struct jitsim_tcap t;

	(void)state;
	arena_used = 0;
	for (unsigned int i = 0; i < JITSIM_TCAP_MAX_COMPONENTS + 1; i++)
		n += (size_t)snprintf(comps + n, sizeof(comps) - n, "a1 06 02 01 %02x 02 01 38 ",
				      i);
	assert_int_equal(dec_hex(begin(comps), &t), JITSIM_R_TCAP_TOO_MANY_COMPONENTS);
	assert_int_equal(t.n_comp, JITSIM_TCAP_MAX_COMPONENTS);
	for (unsigned int i = 0; i < JITSIM_TCAP_MAX_COMPONENTS; i++)
		assert_int_equal(t.comp[i].invoke_id, i);
	/* Exactly the maximum is fine. */
	comps[8 * 3 * JITSIM_TCAP_MAX_COMPONENTS] = '\0';
	assert_int_equal(dec_hex(begin(comps), &t), JITSIM_R_OK);
	assert_int_equal(t.n_comp, JITSIM_TCAP_MAX_COMPONENTS);
}

static void
test_acn_is_map(void **state)
{
	static const uint8_t map[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x0e, 0x03};
	static const uint8_t cap2[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x32, 0x01};
	static const uint8_t v0[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x03, 0x00};
	static const uint8_t v5[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x03, 0x05};
	static const uint8_t ac0[] = {0x04, 0x00, 0x00, 0x01, 0x00, 0x00, 0x01};
	static const uint8_t cap3[] = {0x04, 0x00, 0x00, 0x01, 0x15, 0x03, 0x04};
	uint8_t ac = 0xee, v = 0xee;

	(void)state;
	assert_true(jitsim_tcap_acn_is_map(map, sizeof(map), &ac, &v));
	assert_int_equal(ac, 14);
	assert_int_equal(v, 3);
	ac = v = 0xee;
	assert_false(jitsim_tcap_acn_is_map(cap2, sizeof(cap2), &ac, &v));
	assert_false(jitsim_tcap_acn_is_map(v0, sizeof(v0), &ac, &v));
	assert_false(jitsim_tcap_acn_is_map(v5, sizeof(v5), &ac, &v));
	assert_false(jitsim_tcap_acn_is_map(ac0, sizeof(ac0), &ac, &v));
	assert_false(jitsim_tcap_acn_is_map(cap3, sizeof(cap3), &ac, &v));
	assert_false(jitsim_tcap_acn_is_map(map, sizeof(map) - 1, &ac, &v));
	assert_int_equal(ac, 0xee);
	assert_int_equal(v, 0xee);
}

/* ---- Encoder ---- */

/* Decode @p hex, re-encode the decoded struct: the same octets come out. */
static void
reencode(const char *hex)
{
	uint8_t m[MAX_MSG], buf[MAX_MSG];
	struct jitsim_tcap t;
	struct jitsim_wbuf w;
	size_t len = test_hex(hex, m, sizeof(m));

	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), len);
	assert_memory_equal(jitsim_wbuf_data(&w), m, len);
}

static void
test_encode_matches_captures(void **state)
{
	(void)state;
	reencode(t_gprs_4); /* Begin, AARQ with protocol-version, invoke with parameter */
	reencode(t_nossn_2);
	reencode(t_lu_3);   /* Continue, ReturnResultLast without result */
	reencode(t_lu_4);   /* End, ReturnResultLast with opcode and result */
	reencode(t_gprs_6); /* Continue, invoke without parameter */
	reencode(t_cap_30); /* two invokes, 3-octet DTID */
}

/* The AARE written for Continue/End is the one captured in an End (m2pa_sms 12). */
static void
test_encode_aare(void **state)
{
	uint8_t m[MAX_MSG], buf[MAX_MSG];
	struct jitsim_tcap t, o;
	struct jitsim_wbuf w;
	size_t len = test_hex(t_sms_12, m, sizeof(m));
	uint8_t *dp;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
	/* Dialogue portion 6b 2a ... identical; components definite here. */
	dp = memmem(m, len, "\x6b\x2a", 2);
	assert_non_null(dp);
	assert_non_null(memmem(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), dp, 0x2c));
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &o),
			 JITSIM_R_OK);
	assert_int_equal(o.dialogue_pdu, JITSIM_TCAP_AARE);
	assert_int_equal(o.map_ac, 20);
	assert_int_equal(o.map_version, 2);
	assert_int_equal(o.comp[0].invoke_id, -1);
	assert_int_equal(o.comp[0].param_len, t.comp[0].param_len);
	assert_memory_equal(o.comp[0].param, t.comp[0].param, t.comp[0].param_len);
}

static const uint8_t param_seq[] = {0x30, 0x03, 0x02, 0x01, 0x05};

static void
fill(struct jitsim_tcap *t, uint8_t type)
{
	memset(t, 0, sizeof(*t));
	t->type = type;
	t->has_otid = type != JITSIM_TCAP_END;
	t->otid = 0x11223344;
	t->otid_len = 4;
	t->has_dtid = type != JITSIM_TCAP_BEGIN;
	t->dtid = 0xa1b2;
	t->dtid_len = 2;
	t->has_dialogue = true;
	t->map_ac = 32;
	t->map_version = 3;
	t->n_comp = 6;
	t->comp[0] = (struct jitsim_tcap_component){.type = JITSIM_TCAP_INVOKE,
						    .has_invoke_id = true,
						    .invoke_id = -5,
						    .has_linked_id = true,
						    .linked_id = 7,
						    .has_opcode = true,
						    .opcode = 200,
						    .param = param_seq,
						    .param_len = sizeof(param_seq)};
	t->comp[1] = (struct jitsim_tcap_component){
		.type = JITSIM_TCAP_RESULT_LAST, .has_invoke_id = true, .invoke_id = 3};
	t->comp[2] = (struct jitsim_tcap_component){.type = JITSIM_TCAP_RESULT_NOT_LAST,
						    .has_invoke_id = true,
						    .invoke_id = 4,
						    .has_opcode = true,
						    .opcode = 56,
						    .param = param_seq,
						    .param_len = sizeof(param_seq)};
	t->comp[3] = (struct jitsim_tcap_component){.type = JITSIM_TCAP_ERROR,
						    .has_invoke_id = true,
						    .invoke_id = 127,
						    .has_error = true,
						    .error = 34};
	t->comp[4] = (struct jitsim_tcap_component){.type = JITSIM_TCAP_REJECT,
						    .has_invoke_id = true,
						    .invoke_id = -128,
						    .has_problem = true,
						    .problem_type = 2,
						    .problem = 1};
	t->comp[5] = (struct jitsim_tcap_component){
		.type = JITSIM_TCAP_REJECT, .has_problem = true, .problem_type = 0, .problem = 2};
}

static void
test_encode_roundtrip(void **state)
{
	static const uint8_t types[] = {JITSIM_TCAP_BEGIN, JITSIM_TCAP_CONTINUE, JITSIM_TCAP_END};

	(void)state;
	for (size_t k = 0; k < 3; k++) {
		for (int with_dialogue = 0; with_dialogue < 2; with_dialogue++) {
			uint8_t buf[512];
			struct jitsim_tcap t, o;
			struct jitsim_wbuf w;

			fill(&t, types[k]);
			t.has_dialogue = with_dialogue;
			jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
			assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
			assert_int_equal(
				jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &o),
				JITSIM_R_OK);
			assert_int_equal(o.type, t.type);
			assert_int_equal(o.has_otid, t.has_otid);
			assert_int_equal(o.has_dtid, t.has_dtid);
			if (t.has_otid) {
				assert_int_equal(o.otid, 0x11223344);
				assert_int_equal(o.otid_len, 4);
			}
			if (t.has_dtid) {
				assert_int_equal(o.dtid, 0xa1b2);
				assert_int_equal(o.dtid_len, 2);
			}
			assert_int_equal(o.has_dialogue, with_dialogue);
			if (with_dialogue) {
				assert_int_equal(o.dialogue_pdu,
						 k == 0 ? JITSIM_TCAP_AARQ : JITSIM_TCAP_AARE);
				assert_true(o.is_map_acn);
				assert_int_equal(o.map_ac, 32);
				assert_int_equal(o.map_version, 3);
			}
			assert_int_equal(o.n_comp, t.n_comp);
			for (unsigned int i = 0; i < t.n_comp; i++) {
				const struct jitsim_tcap_component *a = &t.comp[i], *b = &o.comp[i];

				assert_int_equal(b->type, a->type);
				assert_int_equal(b->has_invoke_id, a->has_invoke_id);
				assert_int_equal(b->invoke_id, a->invoke_id);
				assert_int_equal(b->has_linked_id, a->has_linked_id);
				assert_int_equal(b->linked_id, a->linked_id);
				assert_int_equal(b->has_opcode, a->has_opcode);
				assert_int_equal(b->opcode, a->opcode);
				assert_int_equal(b->has_error, a->has_error);
				assert_int_equal(b->error, a->error);
				assert_int_equal(b->has_problem, a->has_problem);
				assert_int_equal(b->problem_type, a->problem_type);
				assert_int_equal(b->problem, a->problem);
				assert_int_equal(b->param_len, a->param_len);
				if (a->param != NULL)
					assert_memory_equal(b->param, a->param, a->param_len);
			}
		}
	}
}

static void
test_encode_nospace(void **state)
{
	uint8_t ref[512];
	struct jitsim_tcap t;
	struct jitsim_wbuf w;
	size_t need;

	(void)state;
	fill(&t, JITSIM_TCAP_CONTINUE);
	jitsim_wbuf_init(&w, ref, sizeof(ref), sizeof(ref));
	assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
	need = jitsim_wbuf_len(&w);
	for (size_t room = 0; room < need; room++) {
		uint8_t *buf = malloc(room ? room : 1);

		assert_non_null(buf);
		jitsim_wbuf_init(&w, buf, room, room);
		assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_NOSPACE);
		assert_int_equal(w.head, room);
		assert_int_equal(jitsim_wbuf_len(&w), 0);
		free(buf);
	}
}

static void
test_encode_bad_param(void **state)
{
	uint8_t buf[512];
	struct jitsim_tcap t, bad;
	struct jitsim_wbuf w;

	(void)state;
	fill(&t, JITSIM_TCAP_CONTINUE);
#define EXPECT_BAD(mut)                                                             \
	do {                                                                        \
		bad = t;                                                            \
		mut;                                                                \
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));                \
		assert_int_equal(jitsim_tcap_encode(&w, &bad), JITSIM_R_BAD_PARAM); \
		assert_int_equal(w.head, sizeof(buf));                              \
	} while (0)
	EXPECT_BAD(bad.type = JITSIM_TCAP_ABORT);
	EXPECT_BAD(bad.type = JITSIM_TCAP_UNI);
	EXPECT_BAD(bad.type = JITSIM_TCAP_BEGIN);
	EXPECT_BAD(bad.type = JITSIM_TCAP_END);
	EXPECT_BAD(bad.has_dtid = false);
	EXPECT_BAD(bad.otid_len = 5);
	EXPECT_BAD(bad.dtid_len = 1);
	EXPECT_BAD(bad.n_comp = JITSIM_TCAP_MAX_COMPONENTS + 1);
	EXPECT_BAD(bad.map_ac = 0);
	EXPECT_BAD(bad.map_version = 128);
	EXPECT_BAD(bad.comp[0].has_opcode = false);
	EXPECT_BAD(bad.comp[0].has_invoke_id = false);
	EXPECT_BAD(bad.comp[0].param_len = 0);
	EXPECT_BAD(bad.comp[1].param = param_seq);
	EXPECT_BAD(bad.comp[1].has_invoke_id = false);
	EXPECT_BAD(bad.comp[3].has_invoke_id = false);
	EXPECT_BAD(bad.comp[3].has_error = false);
	EXPECT_BAD(bad.comp[4].problem_type = 4);
	EXPECT_BAD(bad.comp[4].has_problem = false);
	EXPECT_BAD(bad.comp[5].param = param_seq);
	EXPECT_BAD(bad.comp[5].type = 0xa5);
	/* The error comes from the last component written first: nothing is left. */
	EXPECT_BAD(bad.comp[0].type = 0);
#undef EXPECT_BAD
	/* A zero TID length means 4 octets. */
	t.otid_len = 0;
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
	assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &bad),
			 JITSIM_R_OK);
	assert_int_equal(bad.otid_len, 4);
	assert_int_equal(bad.otid, 0x11223344);
}

static void
test_dump(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_tcap t;
	char out[512], small[10];
	size_t len = test_hex(t_lu_1, m, sizeof(m));
	const char *want = "type=begin otid=2c5b001c dialogue=0x60 acn=0.4.0.0.1.0.1.3 map_ac=1 "
			   "map_version=3 ncomp=1 c0=invoke c0.id=0 c0.op=2 c0.param_len=24";
	int n;

	(void)state;
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	n = jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	assert_int_equal(jitsim_tcap_dump(&t, small, sizeof(small)), n);
	assert_string_equal(small, "type=begi");
	assert_int_equal(jitsim_tcap_dump(&t, NULL, 0), n);

	/* Every component kind, a Continue. */
	{
		uint8_t buf[512];
		struct jitsim_wbuf w;
		struct jitsim_tcap f;

		fill(&f, JITSIM_TCAP_CONTINUE);
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		assert_int_equal(jitsim_tcap_encode(&w, &f), JITSIM_R_OK);
		assert_int_equal(jitsim_tcap_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &t),
				 JITSIM_R_OK);
		jitsim_tcap_dump(&t, out, sizeof(out));
		assert_string_equal(out,
				    "type=continue otid=11223344 dtid=a1b2 dialogue=0x61 "
				    "acn=0.4.0.0.1.0.32.3 map_ac=32 map_version=3 ncomp=6 "
				    "c0=invoke c0.id=-5 c0.linked=7 c0.op=200 c0.param_len=5 "
				    "c1=returnResultLast c1.id=3 c2=returnResultNotLast c2.id=4 "
				    "c2.op=56 c2.param_len=5 c3=returnError c3.id=127 c3.err=34 "
				    "c4=reject c4.id=-128 c4.problem=2:1 c5=reject c5.problem=0:2");
	}
	len = test_hex("61 0a 6c 08 a1 06 02 01 01 02 01 3b", m, sizeof(m));
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out, "type=unidirectional ncomp=1 c0=invoke c0.id=1 c0.op=59");
	len = test_hex("67 09 49 04 05 06 07 08 4a 01 01", m, sizeof(m));
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out, "type=abort dtid=05060708 p_abort=1 ncomp=0");
	memset(&t, 0, sizeof(t));
	t.n_comp = 1;
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out, "type=unknown ncomp=1 c0=unknown");
	len = test_hex(t_cap_56, m, sizeof(m));
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out,
			    "type=abort dtid=000401 dialogue=0x61 acn=0.4.0.0.1.0.3.0 ncomp=0");
	len = test_hex(t_ati_65, m, sizeof(m));
	assert_int_equal(jitsim_tcap_decode(m, len, &t), JITSIM_R_OK);
	jitsim_tcap_dump(&t, out, sizeof(out));
	assert_string_equal(out, "type=end dtid=00000814 dialogue=0x61 acn=0.4.0.0.1.0.1.2 "
				 "map_ac=1 map_version=2 ncomp=1 c0=returnError c0.id=1 c0.err=8 "
				 "c0.param_len=3");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_vectors),
		cmocka_unit_test(test_vectors_in_captures),
		cmocka_unit_test(test_segmented_non_map),
		cmocka_unit_test(test_segmented_forward_sm),
		cmocka_unit_test(test_hand_built),
		cmocka_unit_test(test_indefinite_everywhere),
		cmocka_unit_test(test_fast_paths_agree),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_inner_ber_errors),
		cmocka_unit_test(test_too_many_components),
		cmocka_unit_test(test_acn_is_map),
		cmocka_unit_test(test_encode_matches_captures),
		cmocka_unit_test(test_encode_aare),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_bad_param),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
