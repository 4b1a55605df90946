/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP argument/result tests. Each vector is the parameter TLV of a TCAP
 * component of a reference capture frame; expected identities are what
 * tshark 4.0 -V shows for it (e212.imsi, e164.msisdn, msc-Number,
 * vlr-Number, sgsn-Number, serviceCentreAddress, hlr-Number,
 * numberOfRequestedVectors, list item counts).
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
#include <jitsim/proto/map.h>

#include "test_util.h"

/* map_pcapr_lu_ul frame 1 (component parameter) */
static const char m_lu_1[] = "3016040800011153567658f1810491441122040491441122";

/* map_wswiki_sai_ul_cl_nossn frame 3 (component parameter) */
static const char m_nossn_3[] = "3022040813300199000054f08107912160138350f50407912160137350f5a604"
				"800205e0";

/* map_pcapr_test_ul_sendid_ati frame 63 (component parameter) */
static const char m_ul_v2[] = "301c040804057320471543f2810791190914590540040791190914590540";

/* map_wswiki_cap_mtp3 frame 10 (component parameter) */
static const char m_cap_10[] = "301c040824020301803988f28107916998051050f10407916998051050f1";

/* map_wswiki_sai_ul_cl_nossn frame 1 (component parameter) */
static const char m_nossn_1[] = "a30a040813300199000054f0";

/* map_pcapr_gprs_attach_sai_ugl frame 4 (component parameter) */
static const char m_gprs_4[] = "3012800864004001000001f10201028100830101";

/* map_wswiki_sai_ul_cl_nossn frame 2 (component parameter) */
static const char m_nossn_2[] = "300d800813300199000054f0020105";

/* map_pcapr_gprs_attach_sai_ugl frame 10 (component parameter) */
static const char m_gprs_10[] = "302a040864004001000001f104069168310708f0040504c0a96401a00f830084"
				"030030008503001000860100";

/* map_pcapr_lu_ul frame 2 (component parameter) */
static const char m_lu_2[] = "30368107919187168479f382010a830100a60c040111040112040121040122a7"
			     "13a309040112840100820100a30604011484010093020000";

/* map_pcapr_gprs_attach_sai_ugl frame 11 (component parameter) */
static const char m_gprs_11[] = "3080810891685122010001f1830100b0800500a180301b0201019002f1219203"
				"1b421f9402012a8009026b96404074030000000000009801000000";

/* map_pcapr_srism_single frame 1 (component parameter) */
static const char m_srism[] = "3015800891688109130030f18101008206916831070060";

/* map_pcapr_m2pa_sms frame 10 (component parameter) */
static const char m_sms_10[] = "30158007911497427533f38101008207911497797908f0";

/* map_pcapr_m2pa_sms frame 14+15 (reassembled) (component parameter) */
static const char m_sms[] = "3081b7800822082121109058f68407911497797908f00481a1200f9121436587"
			    "092143f5000080101121901040a031d98c56b3dd7039584c36a3d56c375c0e16"
			    "93cd6835db0d9783c564335acd76c3e56031d98c56b3dd7039584c36a3d56c37"
			    "5c0e1693cd6835db0d9783c564335acd76c3e56031d98c56b3dd7039584c36a3"
			    "d56c375c0e1693cd6835db0d9783c564335acd76c3e56031d98c56b3dd703958"
			    "4c36a3d56c375c0e1693cd6835db0d97c3c664335acd76c3e5b4";

/* map_pcapr_test_ul_sendid_ati frame 8 (component parameter) */
static const char m_ati_8[] = "301fa009810791197839171462a1098000810083008401008307915396490125"
			      "f5";

/* map_wswiki_ussd frame 1 (component parameter) */
static const char m_ussd[] = "301c04010f040eaa180da682dd6c31192d36bbdd468007917267415827f2";

/* map_pcapr_lu_ul frame 4 (component parameter) */
static const char m_lu_4[] = "3006040491443145";

/* map_wswiki_cap_mtp3 frame 17 (component parameter) */
static const char m_cap_17[] = "30090407916998051020f9";

/* map_pcapr_gprs_attach_sai_ugl frame 13 (component parameter) */
static const char m_gprs_13[] = "30080406916851014060";

/* map_pcapr_gprs_attach_sai_ugl frame 5 (component parameter) */
static const char m_gprs_5[] = "a380a180305a04104b9d6191107536658cfe59880cd2ac2704104b8c43a25420"
			       "50120467f333c00f42d804108c43a2542050120467f333c00f42d84b041043a2"
			       "542050120467f333c00f42d84b8c0410a2551a058cdb00004b8d79f7caff5012"
			       "00000000";

/* map_pcapr_m2pa_sms frame 12 (component parameter) */
static const char m_sms_12[] = "3015040822082121109058f6a0098107911497947400f0";

/* map_wswiki_cap_mtp3 frame 21 (component parameter) */
static const char m_cap_21[] = "3015040824020301007925f5a0098107916998051050f1";

/* map_pcapr_test_ul_sendid_ati frame 44 (component parameter) */
static const char m_sid_44[] = "30819d040804057320471543f230819030220410480e11e62a9bbfaee869b920"
			       "4ea08f9b04045c9cc91304085c14ebdb9a5b03c7302204107c1c2af9ed1fd0ce"
			       "087e2edec7918fce0404b950b1dd040801065ea06ff99d9d3022041099d05237"
			       "ff58c8dd556c9ba53233119404048cbf11f6040887981262cdbea9f630220410"
			       "ac3ff21c31a93a11d3f2d767907425ff0404169efd9b0408a39b6cea1fce52b2";
#define MAX_MSG 1024

struct exp_ids {
	const char *imsi, *msisdn, *msc, *vlr, *sgsn, *sc, *hlr; /* NULL: absent */
	uint8_t n_vectors;
};

struct exp_map {
	const char *file;
	unsigned int frame;
	const char *hex;
	bool result;
	uint8_t opcode;
	struct exp_ids ids;
};

/* clang-format off */
static const struct exp_map vecs[] = {
	/* UpdateLocation v3, v3 (no SSN in SCCP), v2, v3 over MTP3. */
	{"map_pcapr_lu_ul.pcap", 1, m_lu_1, false, 2,
	 {"001011356567851", NULL, "441122", "441122", NULL, NULL, NULL, 0}},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 3, m_nossn_3, false, 2,
	 {"310310990000450", NULL, "12063138055", "12063137055", NULL, NULL, NULL, 0}},
	{"map_pcapr_test_ul_sendid_ati.pcap", 63, m_ul_v2, false, 2,
	 {"405037027451342", NULL, "919041955004", "919041955004", NULL, NULL, NULL, 0}},
	{"map_wswiki_cap_mtp3.pcap", 10, m_cap_10, false, 2,
	 {"422030100893882", NULL, "96895001051", "96895001051", NULL, NULL, NULL, 0}},
	/* CancelLocation v3: [3] SEQUENCE { identity imsi }. */
	{"map_wswiki_sai_ul_cl_nossn.pcap", 1, m_nossn_1, false, 3,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* SendAuthenticationInfo v3. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 4, m_gprs_4, false, 56,
	 {"460004100000101", NULL, NULL, NULL, NULL, NULL, NULL, 2}},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 2, m_nossn_2, false, 56,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 5}},
	/* UpdateGprsLocation. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 10, m_gprs_10, false, 23,
	 {"460004100000101", NULL, NULL, NULL, "861370800", NULL, NULL, 0}},
	/* InsertSubscriberData, definite and indefinite. */
	{"map_pcapr_lu_ul.pcap", 2, m_lu_2, false, 7,
	 {NULL, "19786148973", NULL, NULL, NULL, NULL, NULL, 0}},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 11, m_gprs_11, false, 7,
	 {NULL, "8615221000101", NULL, NULL, NULL, NULL, NULL, 0}},
	/* SendRoutingInfoForSM. */
	{"map_pcapr_srism_single.pcap", 1, m_srism, false, 45,
	 {NULL, "8618903100031", NULL, NULL, NULL, "8613700006", NULL, 0}},
	{"map_pcapr_m2pa_sms.pcap", 10, m_sms_10, false, 45,
	 {NULL, "41792457333", NULL, NULL, NULL, "41799797800", NULL, 0}},
	/* AnyTimeInterrogation by MSISDN; USSD request with msisdn [0]. */
	{"map_pcapr_test_ul_sendid_ati.pcap", 8, m_ati_8, false, 71,
	 {NULL, "918793714126", NULL, NULL, NULL, NULL, NULL, 0}},
	{"map_wswiki_ussd.pcap", 1, m_ussd, false, 59,
	 {NULL, "27761485722", NULL, NULL, NULL, NULL, NULL, 0}},
	/* Results: UL / UGL hlr-Number. */
	{"map_pcapr_lu_ul.pcap", 4, m_lu_4, true, 2,
	 {NULL, NULL, NULL, NULL, NULL, NULL, "441354", 0}},
	{"map_wswiki_cap_mtp3.pcap", 17, m_cap_17, true, 2,
	 {NULL, NULL, NULL, NULL, NULL, NULL, "96895001029", 0}},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 13, m_gprs_13, true, 23,
	 {NULL, NULL, NULL, NULL, NULL, NULL, "8615100406", 0}},
	/* SAI v3 result, indefinite lengths, one quintuplet. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 5, m_gprs_5, true, 56,
	 {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1}},
	/* SRI-SM result: IMSI + networkNode-Number. */
	{"map_pcapr_m2pa_sms.pcap", 12, m_sms_12, true, 45,
	 {"228012120109856", NULL, "41794947000", NULL, NULL, NULL, NULL, 0}},
	{"map_wswiki_cap_mtp3.pcap", 21, m_cap_21, true, 45,
	 {"422030100097525", NULL, "96895001051", NULL, NULL, NULL, NULL, 0}},
	/* SendIdentification v2 result: IMSI + 4 triplets. */
	{"map_pcapr_test_ul_sendid_ati.pcap", 44, m_sid_44, true, 55,
	 {"405037027451342", NULL, NULL, NULL, NULL, NULL, NULL, 4}},
};
/* clang-format on */

#define N_VECS (sizeof(vecs) / sizeof(vecs[0]))

static uint8_t cur_op;

static enum jitsim_reason
dec_inv(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_map_decode_invoke(cur_op, p, len, ctx);
}

static enum jitsim_reason
dec_res(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_map_decode_result(cur_op, p, len, ctx);
}

/* An empty argument is a valid "no argument" (see test_unknown_and_absent). */
static bool
allow_empty(size_t prefix_len, void *ctx)
{
	(void)ctx;
	return prefix_len == 0;
}

static void
check_digits(bool has, const struct jitsim_digits *d, const char *want)
{
	if (want == NULL) {
		assert_false(has);
		assert_int_equal(d->n, 0);
		return;
	}
	assert_true(has);
	assert_string_equal(d->d, want);
	assert_int_equal(d->n, strlen(want));
}

static void
check_ids(const struct jitsim_map_ids *x, const struct exp_ids *e)
{
	check_digits(x->has_imsi, &x->imsi, e->imsi);
	check_digits(x->has_msisdn, &x->msisdn, e->msisdn);
	check_digits(x->has_msc, &x->msc, e->msc);
	check_digits(x->has_vlr, &x->vlr, e->vlr);
	check_digits(x->has_sgsn, &x->sgsn, e->sgsn);
	check_digits(x->has_sc, &x->sc, e->sc);
	check_digits(x->has_hlr, &x->hlr, e->hlr);
	assert_int_equal(x->n_vectors, e->n_vectors);
}

/* Start from garbage so that every field must be (re)set by the decoder. */
static void
dirty(struct jitsim_map_ids *x)
{
	memset(x, 0x5a, sizeof(*x));
}

static void
test_capture_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		const struct exp_map *e = &vecs[i];
		uint8_t m[MAX_MSG];
		struct jitsim_map_ids x;
		size_t len = test_hex(e->hex, m, sizeof(m));
		test_decode_fn fn = e->result ? dec_res : dec_inv;

		cur_op = e->opcode;
		test_truncations(m, len, fn, &x, allow_empty);
		dirty(&x);
		assert_int_equal(test_decode_exact(m, len, fn, &x), JITSIM_R_OK);
		check_ids(&x, &e->ids);
	}
}

/* forwardSM v2 (46), rebuilt from the two XUDT segments of map_pcapr_m2pa_sms frames 14-15. */
static void
test_forward_sm_reassembled(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_map_ids x;
	size_t len = test_hex(m_sms, m, sizeof(m));
	const struct exp_ids e = {"228012120109856", NULL, NULL, NULL, NULL,
				  "41799797800",     NULL, 0};

	(void)state;
	cur_op = JITSIM_MAP_OP_MO_FORWARD_SM;
	test_truncations(m, len, dec_inv, &x, allow_empty);
	dirty(&x);
	assert_int_equal(test_decode_exact(m, len, dec_inv, &x), JITSIM_R_OK);
	check_ids(&x, &e);
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
assert_in_capture(const char *file, unsigned int frame, const uint8_t *v, size_t len)
{
	struct find_ctx f = {frame, v, len, false};

	assert_true(test_capture_foreach(file, find_cb, &f) >= frame);
	assert_true(f.found);
}

static void
test_vectors_in_captures(void **state)
{
	uint8_t m[MAX_MSG];
	size_t len;

	(void)state;
	for (size_t i = 0; i < N_VECS; i++) {
		len = test_hex(vecs[i].hex, m, sizeof(m));
		assert_in_capture(vecs[i].file, vecs[i].frame, m, len);
	}
	/* The forwardSM argument spans the segment boundary (155 + 31 octets). */
	len = test_hex(m_sms, m, sizeof(m));
	assert_int_equal(len, 186);
	assert_in_capture("map_pcapr_m2pa_sms.pcap", 14, m, 155);
	assert_in_capture("map_pcapr_m2pa_sms.pcap", 15, m + 155, len - 155);
}

/* Hand-built arguments for the operations and versions no capture has. */
/* clang-format off */
static const struct {
	const char *hex;
	bool result;
	uint8_t opcode;
	struct exp_ids ids;
} built[] = {
	/* SAI v2: bare IMSI. */
	{"04 08 13 30 01 99 00 00 54 f0", false, 56,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* CancelLocation v2: Identity imsi, and imsi-WithLMSI. */
	{"04 08 13 30 01 99 00 00 54 f0", false, 3,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	{"30 10 04 08 13 30 01 99 00 00 54 f0 04 04 01 02 03 04", false, 3,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* CancelLocation v3 with imsi-WithLMSI, then cancellationType and an extension container. */
	{"a3 19 30 10 04 08 13 30 01 99 00 00 54 f0 04 04 01 02 03 04 0a 01 00 30 02 05 00", false,
	 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* PurgeMS v3 with vlr-Number [0] and sgsn-Number [1]; v2 with vlr-Number. */
	{"a3 16 04 08 13 30 01 99 00 00 54 f0 80 04 91 21 43 65 81 04 91 87 09 f1", false, 67,
	 {"310310990000450", NULL, NULL, "123456", "78901", NULL, NULL, 0}},
	{"30 10 04 08 13 30 01 99 00 00 54 f0 04 04 91 21 43 65", false, 67,
	 {"310310990000450", NULL, NULL, "123456", NULL, NULL, NULL, 0}},
	/* DeleteSubscriberData: [3] SEQUENCE { imsi [0], ... }. */
	{"a3 0d 80 08 13 30 01 99 00 00 54 f0 a1 01 00", false, 8,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* SendRoutingInfo v3: msisdn [0], interrogationType [3], gmsc [6]. */
	{"30 0f 80 04 91 21 43 65 83 01 00 86 04 91 87 09 f1", false, 22,
	 {NULL, "123456", NULL, NULL, NULL, NULL, NULL, 0}},
	/* MT-ForwardSM: DA imsi [0], OA SC [4]; later [0]/[2]/[4] extension fields are not identities. */
	{"30 1f 80 08 13 30 01 99 00 00 54 f0 84 04 91 21 43 65 04 01 00 80 00 82 02 01 02 84 04 "
	 "91 87 09 f1",
	 false, 44, {"310310990000450", NULL, NULL, NULL, NULL, "123456", NULL, 0}},
	/* MO-ForwardSM v3: DA SC [4], OA msisdn [2], UI, then the sender's imsi. */
	{"30 19 84 04 91 21 43 65 82 04 91 87 09 f1 04 01 00 04 08 13 30 01 99 00 00 54 f0", false,
	 46, {"310310990000450", "78901", NULL, NULL, NULL, "123456", NULL, 0}},
	/* MT-ForwardSM: the OCTET STRING after sm-RP-UI is a time, not an IMSI. */
	{"30 16 80 08 13 30 01 99 00 00 54 f0 84 04 91 21 43 65 04 01 00 04 01 99", false, 44,
	 {"310310990000450", NULL, NULL, NULL, NULL, "123456", NULL, 0}},
	/* SRI-SM with imsi [12]. */
	{"30 15 80 04 91 21 43 65 81 01 00 82 04 91 87 09 f1 8c 04 13 30 01 f9", false, 45,
	 {"3103109", "123456", NULL, NULL, NULL, "78901", NULL, 0}},
	/* ATI by IMSI. */
	{"30 0c a0 0a 80 08 13 30 01 99 00 00 54 f0", false, 71,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* SRI result v3 ([3]: imsi [9], vmsc-Address [2], msisdn [12]) and v2. */
	{"a3 16 89 08 13 30 01 99 00 00 54 f0 82 04 91 21 43 65 8c 04 91 87 09 f1", true, 22,
	 {"310310990000450", "78901", "123456", NULL, NULL, NULL, NULL, 0}},
	{"30 10 04 08 13 30 01 99 00 00 54 f0 04 04 91 21 43 65", true, 22,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	/* UL result v1: bare hlr-Number. */
	{"04 04 91 21 43 65", true, 2, {NULL, NULL, NULL, NULL, NULL, NULL, "123456", 0}},
	/* SAI v2 result: SEQUENCE OF AuthenticationSet (3 sets). */
	{"30 0c 30 02 04 00 30 02 04 00 30 02 04 00", true, 56,
	 {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 3}},
	/* SAI v3 result with tripletList [0] (2) and with eps list [2] (1). */
	{"a3 0a a0 08 30 02 04 00 30 02 04 00", true, 56,
	 {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2}},
	{"a3 06 a2 04 30 02 04 00", true, 56, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 1}},
	/* SendIdentification v3 result: [3] { imsi, quintupletList [1] }. */
	{"a3 10 04 08 13 30 01 99 00 00 54 f0 a1 04 30 02 04 00", true, 55,
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 1}},
	/* An address holding only its nature octet: present, no digits. */
	{"30 0f 80 01 91 81 01 00 82 07 91 14 97 79 79 08 f0", false, 45,
	 {NULL, "", NULL, NULL, NULL, "41799797800", NULL, 0}},
};
/* clang-format on */

static void
test_hand_built(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(built) / sizeof(built[0]); i++) {
		uint8_t m[MAX_MSG];
		struct jitsim_map_ids x;
		size_t len = test_hex(built[i].hex, m, sizeof(m));
		test_decode_fn fn = built[i].result ? dec_res : dec_inv;

		cur_op = built[i].opcode;
		test_truncations(m, len, fn, &x, allow_empty);
		dirty(&x);
		assert_int_equal(test_decode_exact(m, len, fn, &x), JITSIM_R_OK);
		check_ids(&x, &built[i].ids);
	}
}

static enum jitsim_reason
inv_hex(uint8_t op, const char *hex, struct jitsim_map_ids *x)
{
	uint8_t m[MAX_MSG];
	size_t len = test_hex(hex, m, sizeof(m));

	cur_op = op;
	dirty(x);
	return test_decode_exact(m, len, dec_inv, x);
}

static enum jitsim_reason
res_hex(uint8_t op, const char *hex, struct jitsim_map_ids *x)
{
	uint8_t m[MAX_MSG];
	size_t len = test_hex(hex, m, sizeof(m));

	cur_op = op;
	dirty(x);
	return test_decode_exact(m, len, dec_res, x);
}

static void
assert_empty(const struct jitsim_map_ids *x)
{
	const struct exp_ids none = {0};

	check_ids(x, &none);
}

static void
test_unknown_and_absent(void **state)
{
	struct jitsim_map_ids x;

	(void)state;
	/* Unknown operations: OK, nothing set, whatever the argument. */
	assert_int_equal(inv_hex(4, "ff ff ff", &x), JITSIM_R_OK);
	assert_empty(&x);
	assert_int_equal(inv_hex(255, "", &x), JITSIM_R_OK);
	assert_empty(&x);
	assert_int_equal(res_hex(7, "30 03 02 01 05", &x), JITSIM_R_OK);
	assert_empty(&x);
	/* A known operation without an argument (SAI v3 asking for more vectors). */
	assert_int_equal(inv_hex(56, "", &x), JITSIM_R_OK);
	assert_empty(&x);
	assert_int_equal(res_hex(2, "", &x), JITSIM_R_OK);
	assert_empty(&x);
	/* Elements the rules do not know are skipped. */
	assert_int_equal(inv_hex(56, "30 0d 02 01 03 9f 81 00 01 00 80 03 21 43 f5", &x),
			 JITSIM_R_OK);
	assert_string_equal(x.imsi.d, "12345");
	assert_int_equal(x.n_vectors, 3);
}

static void
test_errors(void **state)
{
	struct jitsim_map_ids x;

	(void)state;
	/* MAP_BAD: an outer tag no version of the operation uses. */
	assert_int_equal(inv_hex(56, "31 00", &x), JITSIM_R_MAP_BAD);
	assert_int_equal(inv_hex(2, "04 03 21 43 f5", &x), JITSIM_R_MAP_BAD);
	assert_int_equal(res_hex(45, "a3 00", &x), JITSIM_R_MAP_BAD);
	/* MAP_BAD: IMSI of 2 or 9 octets. */
	assert_int_equal(inv_hex(56, "04 02 21 43", &x), JITSIM_R_MAP_BAD);
	assert_int_equal(inv_hex(56, "04 09 11 11 11 11 11 11 11 11 11", &x), JITSIM_R_MAP_BAD);
	/* MAP_BAD: empty and overlong address strings. */
	assert_int_equal(inv_hex(45, "30 02 80 00", &x), JITSIM_R_MAP_BAD);
	assert_int_equal(inv_hex(45,
				 "30 14 80 12 91 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11"
				 " 11",
				 &x),
			 JITSIM_R_MAP_BAD);
	/* 16 digit octets: the 32 digits struct jitsim_digits holds. */
	assert_int_equal(
		inv_hex(45, "30 13 80 11 91 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11 11", &x),
		JITSIM_R_OK);
	assert_int_equal(x.msisdn.n, 32);
	/* MAP_BAD: numberOfRequestedVectors out of 0..255. */
	assert_int_equal(inv_hex(56, "30 03 02 01 ff", &x), JITSIM_R_MAP_BAD);
	assert_int_equal(inv_hex(56, "30 04 02 02 01 00", &x), JITSIM_R_MAP_BAD);
	/* MAP_BAD_DIGITS: a filler nibble before the end, in IMSI and in an address. */
	assert_int_equal(inv_hex(56, "04 03 f1 43 65", &x), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(inv_hex(3, "a3 05 04 03 21 f3 65", &x), JITSIM_R_MAP_BAD_DIGITS);
	assert_int_equal(inv_hex(22, "30 05 80 03 91 f1 21", &x), JITSIM_R_MAP_BAD_DIGITS);
	/* BER_BAD: malformed lengths, an empty INTEGER. */
	assert_int_equal(inv_hex(2, "30 ff", &x), JITSIM_R_BER_BAD);
	assert_int_equal(inv_hex(2, "30 04 04 85 00 00", &x), JITSIM_R_BER_BAD);
	assert_int_equal(inv_hex(56, "30 02 02 00", &x), JITSIM_R_BER_BAD);
	assert_int_equal(res_hex(56, "30 03 30 ff 00", &x), JITSIM_R_BER_BAD);
	/* BER_TOO_DEEP: indefinite nesting beyond JITSIM_BER_MAX_DEPTH. */
	{
		char deep[256] = "";
		size_t n = 0;

		for (unsigned int i = 0; i <= JITSIM_BER_MAX_DEPTH; i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "30 80 ");
		for (unsigned int i = 0; i <= JITSIM_BER_MAX_DEPTH; i++)
			n += (size_t)snprintf(deep + n, sizeof(deep) - n, "00 00 ");
		assert_int_equal(inv_hex(2, deep, &x), JITSIM_R_BER_TOO_DEEP);
		assert_int_equal(res_hex(56, deep, &x), JITSIM_R_BER_TOO_DEEP);
	}
	/* TRUNCATED: an element longer than its SEQUENCE. */
	assert_int_equal(inv_hex(2, "30 04 04 08 00 01", &x), JITSIM_R_TRUNCATED);
	assert_int_equal(inv_hex(2, "30 0a 04 08 00 01", &x), JITSIM_R_TRUNCATED);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(jitsim_map_op_name(2), "updateLocation");
	assert_string_equal(jitsim_map_op_name(3), "cancelLocation");
	assert_string_equal(jitsim_map_op_name(7), "insertSubscriberData");
	assert_string_equal(jitsim_map_op_name(23), "updateGprsLocation");
	assert_string_equal(jitsim_map_op_name(44), "mt-ForwardSM");
	assert_string_equal(jitsim_map_op_name(45), "sendRoutingInfoForSM");
	assert_string_equal(jitsim_map_op_name(46), "mo-ForwardSM");
	assert_string_equal(jitsim_map_op_name(56), "sendAuthenticationInfo");
	assert_string_equal(jitsim_map_op_name(59), "processUnstructuredSS-Request");
	assert_string_equal(jitsim_map_op_name(67), "purgeMS");
	assert_string_equal(jitsim_map_op_name(71), "anyTimeInterrogation");
	assert_string_equal(jitsim_map_op_name(89), "noteMM-Event");
	assert_null(jitsim_map_op_name(0));
	assert_null(jitsim_map_op_name(1));
	assert_null(jitsim_map_op_name(27));
	assert_null(jitsim_map_op_name(82));
	assert_null(jitsim_map_op_name(90));
	assert_null(jitsim_map_op_name(255));
	assert_string_equal(jitsim_map_err_name(JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER),
			    "unknownSubscriber");
	assert_string_equal(jitsim_map_err_name(JITSIM_MAP_ERR_ROAMING_NOT_ALLOWED),
			    "roamingNotAllowed");
	assert_string_equal(jitsim_map_err_name(JITSIM_MAP_ERR_SYSTEM_FAILURE), "systemFailure");
	assert_string_equal(jitsim_map_err_name(JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE),
			    "unexpectedDataValue");
	assert_string_equal(jitsim_map_err_name(72), "ussd-Busy");
	assert_null(jitsim_map_err_name(0));
	assert_null(jitsim_map_err_name(41));
	assert_null(jitsim_map_err_name(73));
	assert_null(jitsim_map_err_name(255));
}

/* ---- Encoder ---- */

static void
ids_set(struct jitsim_map_ids *x, const struct exp_ids *e)
{
	memset(x, 0, sizeof(*x));
	if (e->imsi)
		x->has_imsi = true, jitsim_digits_set(&x->imsi, e->imsi);
	if (e->msisdn)
		x->has_msisdn = true, jitsim_digits_set(&x->msisdn, e->msisdn);
	if (e->msc)
		x->has_msc = true, jitsim_digits_set(&x->msc, e->msc);
	if (e->vlr)
		x->has_vlr = true, jitsim_digits_set(&x->vlr, e->vlr);
	if (e->sgsn)
		x->has_sgsn = true, jitsim_digits_set(&x->sgsn, e->sgsn);
	if (e->sc)
		x->has_sc = true, jitsim_digits_set(&x->sc, e->sc);
	x->n_vectors = e->n_vectors;
}

/* Encoder input and what decoding its output gives back. */
/* clang-format off */
static const struct {
	uint8_t opcode, version;
	struct exp_ids in, out;
} enc[] = {
	{2, 3, {"001011356567851", NULL, "441122", "4411223", NULL, NULL, NULL, 0},
	 {"001011356567851", NULL, "441122", "4411223", NULL, NULL, NULL, 0}},
	{3, 2, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0},
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	{3, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0},
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	{7, 3, {"310310990000450", "19786148973", NULL, NULL, NULL, NULL, NULL, 0},
	 {"310310990000450", "19786148973", NULL, NULL, NULL, NULL, NULL, 0}},
	{7, 3, {NULL, "19786148973", NULL, NULL, NULL, NULL, NULL, 0},
	 {NULL, "19786148973", NULL, NULL, NULL, NULL, NULL, 0}},
	{22, 2, {NULL, "8618903100031", NULL, NULL, NULL, NULL, NULL, 0},
	 {NULL, "8618903100031", NULL, NULL, NULL, NULL, NULL, 0}},
	{22, 3, {NULL, "8618903100031", "8613700006", NULL, NULL, NULL, NULL, 0},
	 {NULL, "8618903100031", NULL, NULL, NULL, NULL, NULL, 0}},
	{23, 3, {"460004100000101", NULL, NULL, NULL, "861370800", NULL, NULL, 0},
	 {"460004100000101", NULL, NULL, NULL, "861370800", NULL, NULL, 0}},
	{44, 3, {"228012120109856", NULL, NULL, NULL, NULL, "41799797800", NULL, 0},
	 {"228012120109856", NULL, NULL, NULL, NULL, "41799797800", NULL, 0}},
	{45, 2, {NULL, "8618903100031", NULL, NULL, NULL, "8613700006", NULL, 0},
	 {NULL, "8618903100031", NULL, NULL, NULL, "8613700006", NULL, 0}},
	{46, 3, {NULL, "41792457333", NULL, NULL, NULL, "41799797800", NULL, 0},
	 {NULL, "41792457333", NULL, NULL, NULL, "41799797800", NULL, 0}},
	{46, 2, {"228012120109856", NULL, NULL, NULL, NULL, "41799797800", NULL, 0},
	 {"228012120109856", NULL, NULL, NULL, NULL, "41799797800", NULL, 0}},
	{56, 2, {"460004100000101", NULL, NULL, NULL, NULL, NULL, NULL, 0},
	 {"460004100000101", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
	{56, 3, {"460004100000101", NULL, NULL, NULL, NULL, NULL, NULL, 5},
	 {"460004100000101", NULL, NULL, NULL, NULL, NULL, NULL, 5}},
	{67, 2, {"310310990000450", NULL, NULL, "12063137055", NULL, NULL, NULL, 0},
	 {"310310990000450", NULL, NULL, "12063137055", NULL, NULL, NULL, 0}},
	{67, 3, {"310310990000450", NULL, NULL, "12063137055", "861370800", NULL, NULL, 0},
	 {"310310990000450", NULL, NULL, "12063137055", "861370800", NULL, NULL, 0}},
	{67, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0},
	 {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
};
/* clang-format on */

static void
test_encode_roundtrip(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(enc) / sizeof(enc[0]); i++) {
		uint8_t buf[256];
		struct jitsim_map_ids in, out;
		struct jitsim_wbuf w;
		size_t need;

		ids_set(&in, &enc[i].in);
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		assert_int_equal(jitsim_map_encode_invoke(&w, enc[i].opcode, enc[i].version, &in),
				 JITSIM_R_OK);
		need = jitsim_wbuf_len(&w);
		dirty(&out);
		assert_int_equal(
			jitsim_map_decode_invoke(enc[i].opcode, jitsim_wbuf_data(&w), need, &out),
			JITSIM_R_OK);
		check_ids(&out, &enc[i].out);
		/* NOSPACE at every smaller buffer, the buffer left as it was. */
		for (size_t room = 0; room < need; room++) {
			uint8_t *small = malloc(room ? room : 1);

			assert_non_null(small);
			jitsim_wbuf_init(&w, small, room, room);
			assert_int_equal(
				jitsim_map_encode_invoke(&w, enc[i].opcode, enc[i].version, &in),
				JITSIM_R_NOSPACE);
			assert_int_equal(w.head, room);
			free(small);
		}
	}
}

/* Encoding the identities of a captured argument gives its exact octets. */
static void
encode_matches(const char *hex, uint8_t opcode, uint8_t version, const struct exp_ids *e)
{
	uint8_t want[MAX_MSG], buf[256];
	struct jitsim_map_ids in;
	struct jitsim_wbuf w;
	size_t len = test_hex(hex, want, sizeof(want));

	ids_set(&in, e);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	assert_int_equal(jitsim_map_encode_invoke(&w, opcode, version, &in), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), len);
	assert_memory_equal(jitsim_wbuf_data(&w), want, len);
}

static void
test_encode_matches_captures(void **state)
{
	(void)state;
	encode_matches(m_lu_1, 2, 3, &vecs[0].ids);
	encode_matches(m_nossn_1, 3, 3, &vecs[4].ids);
	encode_matches(m_nossn_2, 56, 3, &vecs[6].ids);
	encode_matches(m_srism, 45, 2, &vecs[10].ids);
	encode_matches(m_sms_10, 45, 2, &vecs[11].ids);
}

static void
test_encode_bad_param(void **state)
{
	/* clang-format off */
	static const struct {
		uint8_t opcode, version;
		struct exp_ids in;
	} bad[] = {
		/* Unsupported operations. */
		{8, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{71, 3, {NULL, "123", NULL, NULL, NULL, NULL, NULL, 0}},
		/* Missing mandatory identities. */
		{2, 3, {"310310990000450", NULL, "441122", NULL, NULL, NULL, NULL, 0}},
		{2, 3, {"310310990000450", NULL, NULL, "441122", NULL, NULL, NULL, 0}},
		{2, 3, {NULL, NULL, "441122", "441122", NULL, NULL, NULL, 0}},
		{3, 3, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{7, 3, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{22, 2, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{22, 3, {NULL, "123", NULL, NULL, NULL, NULL, NULL, 0}},
		{23, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{44, 3, {NULL, NULL, NULL, NULL, NULL, "123", NULL, 0}},
		{44, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{45, 2, {NULL, "123", NULL, NULL, NULL, NULL, NULL, 0}},
		{45, 2, {NULL, NULL, NULL, NULL, NULL, "123", NULL, 0}},
		{46, 3, {NULL, "123", NULL, NULL, NULL, NULL, NULL, 0}},
		{56, 2, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{56, 3, {NULL, NULL, NULL, NULL, NULL, NULL, NULL, 2}},
		{67, 2, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{67, 3, {NULL, NULL, NULL, "123", NULL, NULL, NULL, 0}},
		/* numberOfRequestedVectors outside 1..5. */
		{56, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{56, 3, {"310310990000450", NULL, NULL, NULL, NULL, NULL, NULL, 6}},
		/* IMSI too short or too long, digits not TBCD. */
		{56, 2, {"1234", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{56, 2, {"12345678901234567", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{56, 2, {"3103109900004x0", NULL, NULL, NULL, NULL, NULL, NULL, 0}},
		{45, 2, {NULL, "12-3", NULL, NULL, NULL, "123", NULL, 0}},
		{45, 2, {NULL, "", NULL, NULL, NULL, "123", NULL, 0}},
	};
	/* clang-format on */

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		uint8_t buf[256];
		struct jitsim_map_ids in;
		struct jitsim_wbuf w;

		ids_set(&in, &bad[i].in);
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		assert_int_equal(jitsim_map_encode_invoke(&w, bad[i].opcode, bad[i].version, &in),
				 JITSIM_R_BAD_PARAM);
		assert_int_equal(w.head, sizeof(buf));
	}
	/* Digit count and string disagree. */
	{
		uint8_t buf[64];
		struct jitsim_map_ids in;
		struct jitsim_wbuf w;

		ids_set(&in, &enc[1].in);
		in.imsi.n = 14;
		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		assert_int_equal(jitsim_map_encode_invoke(&w, 3, 2, &in), JITSIM_R_BAD_PARAM);
	}
}

static void
test_dump(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_map_ids x;
	char out[256], small[8];
	size_t len = test_hex(m_lu_1, m, sizeof(m));
	int n;

	(void)state;
	assert_int_equal(jitsim_map_decode_invoke(2, m, len, &x), JITSIM_R_OK);
	n = jitsim_map_ids_dump(&x, out, sizeof(out));
	assert_string_equal(out, "imsi=001011356567851 msc=441122 vlr=441122");
	assert_int_equal(n, strlen(out));
	assert_int_equal(jitsim_map_ids_dump(&x, small, sizeof(small)), n);
	assert_string_equal(small, "imsi=00");
	assert_int_equal(jitsim_map_ids_dump(&x, NULL, 0), n);
	len = test_hex(m_gprs_4, m, sizeof(m));
	assert_int_equal(jitsim_map_decode_invoke(56, m, len, &x), JITSIM_R_OK);
	jitsim_map_ids_dump(&x, out, sizeof(out));
	assert_string_equal(out, "imsi=460004100000101 vectors=2");
	len = test_hex(m_gprs_13, m, sizeof(m));
	assert_int_equal(jitsim_map_decode_result(23, m, len, &x), JITSIM_R_OK);
	jitsim_map_ids_dump(&x, out, sizeof(out));
	assert_string_equal(out, "hlr=8615100406");
	assert_int_equal(jitsim_map_decode_invoke(4, m, len, &x), JITSIM_R_OK);
	jitsim_map_ids_dump(&x, out, sizeof(out));
	assert_string_equal(out, "ids=none");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_vectors),
		cmocka_unit_test(test_forward_sm_reassembled),
		cmocka_unit_test(test_vectors_in_captures),
		cmocka_unit_test(test_hand_built),
		cmocka_unit_test(test_unknown_and_absent),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_names),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_matches_captures),
		cmocka_unit_test(test_encode_bad_param),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
