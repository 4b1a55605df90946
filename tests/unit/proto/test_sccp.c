/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SCCP connectionless codec tests. The vectors are whole SCCP messages cut
 * from the reference captures (tshark -T json -x, field sccp_raw); every
 * expected value below is what tshark 4.0 -V shows for that frame
 * (sccp.called.*, sccp.calling.*, sccp.segmentation.*, sccp.hops,
 * sccp.return_cause). test_vectors_in_captures checks that each vector really
 * is in the named frame.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/sccp.h>

#include "test_util.h"

/* map_pcapr_lu_ul frame 1 (sccp) */
static const char v_lu_ul_1[] = "0980030b1308920600120444314508920700120444112246624448042c5b001c"
				"6b1a2818060700118605010101a00d600ba1090607040000010001036c20a11e"
				"0201000201023016040800011153567658f1810491441122040491441122";

/* map_wswiki_sai_ul_cl_nossn frame 1 (sccp) */
static const char v_nossn_1[] = "0981030c1509c9070a2160137350050989060a2160136300093e623c48040000"
				"69c06b1e281c060700118605010101a011600f80020780a10906070400000100"
				"02036c14a112020100020103a30a040813300199000054f0";

/* map_wswiki_sai_ul_cl_nossn frame 2 (sccp) */
static const char v_nossn_2[] = "0980030e170b89060913300199000054000989070a21601373500541623f4804"
				"81e100046b1e281c060700118605010101a011600f80020780a1090607040000"
				"01000e036c17a1150201ff020138300d800813300199000054f0020105";

/* map_pcapr_gprs_attach_sai_ugl frame 4 (sccp) */
static const char v_gprs_4[] = "11810804111b000d120600710468514101000001010a12950011046831070800"
			       "4662444804a50500016b1e281c060700118605010101a011600f80020780a109"
			       "060704000001000e036c1ca11a0201010201383012800864004001000001f102"
			       "01028100830101";

/* map_pcapr_gprs_attach_sai_ugl frame 5 (sccp) */
static const char v_gprs_5[] = "11800f040e18c50a129500110468310708000a12060012046851014060ad6581"
			       "aa4804840001ff4904a50500016b2a2828060700118605010101a01d611b8002"
			       "0780a109060704000001000e03a203020100a305a1030201006c80a26c020101"
			       "3067020138a380a180305a04104b9d6191107536658cfe59880cd2ac2704104b"
			       "8c43a2542050120467f333c00f42d804108c43a2542050120467f333c00f42d8"
			       "4b041043a2542050120467f333c00f42d84b8c0410a2551a058cdb00004b8d79"
			       "f7caff501200000000000012010500";

/* map_pcapr_srism_single frame 1 (sccp) */
static const char v_srism_1[] = "0981030f190c1206001104688109130030010a12080012046831070060496247"
				"4804036c31016b1e281c060700118605010101a011600f80020780a109060704"
				"0000010014026c1fa11d02010102012d3015800891688109130030f181010082"
				"06916831070060";

/* map_pcapr_xudt_segmented_nonmap_acn frame 1 (sccp) */
static const char v_seg_1[] = "118104040e10ff0a1206001204795244332202420bef6282027348031200ff6b"
			      "2f282d060700118605010101a022612080020780a10e060c2a863a0089613301"
			      "01010001a203020100a305a1030201006c80a124020101020117301ca01a300b"
			      "800112810100a203800101300b800111810100a203800101a112020102020113"
			      "300a8300be06820101840102a11502010302012f300da00ba009a00480021067"
			      "81017fa143020104020120303bc10702905044040020e203800102c407029050"
			      "44040020c5020402a009040701105044040020a40a3008020105a1030201019e"
			      "0783134514064206a11d02010502012e3015a00ea10c81010082040000000083"
			      "0100a103801004c201000000";

/* map_pcapr_xudt_segmented_nonmap_acn frame 2 (sccp) */
static const char v_seg_2[] = "118104040e10ff0a1206001204795244332202420bef0102a120020106020122"
			      "0418a103800102a311a003800103a40a04080101105044040020a14302010702"
			      "0120303bc10702905044040020e203800103c40702905044040020c5020402a0"
			      "09040701105044614000a40a3008020105a1030201019e0783134514064206a1"
			      "1d02010802012e3015a00ea10c810100820400000000830100a103800103a120"
			      "0201090201220418a103800103a311a003800103a40a04080101105044040020"
			      "a15d02010a0201173055a053300b8001f9810100a203800103300b80010d8101"
			      "00a203800103300b8001fb810100a203800103301080010e810100a203800103"
			      "be0381011410044101000000";

/* map_pcapr_xudt_segmented_nonmap_acn frame 3 (sccp) */
static const char v_seg_3[] = "118104040e10a90a1206001204795244332202420b99300b80010f810100a203"
			      "800103300b8001fa810101a203800103a15d02010b0201173055a053300b8001"
			      "f9810100a203800102300b80010d810100a203800102300b8001fb810100a203"
			      "800102301080010e810100a203800102be03810114300b80010f810100a20380"
			      "0102300b8001fa810101a203800102a10d02010c02011fe105a103800102a10d"
			      "02010d02011fe105a103800103000010044001000000";

/* map_pcapr_xudt_segmented_nonmap_acn frame 17 (sccp) */
static const char v_seg_17[] = "12000304060af902420b0443860300ef6282027348031200ff6b2f282d060700"
			       "118605010101a022612080020780a10e060c2a863a008961330101010001a203"
			       "020100a305a1030201006c80a124020101020117301ca01a300b800112810100"
			       "a203800101300b800111810100a203800101a112020102020113300a8300be06"
			       "820101840102a11502010302012f300da00ba009a0048002106781017fa14302"
			       "0104020120303bc10702905044040020e203800102c40702905044040020c502"
			       "0402a009040701105044040020a40a3008020105a1030201019e078313451406"
			       "4206a11d02010502012e3015a00ea10c810100820400000000830100a1038010"
			       "04c202000000";

/* map_pcapr_m2pa_sms frame 14 (sccp) */
static const char v_sms_14[] = "11810f040f1aea0b12080011041497947400000b1208001104149779790800d0"
			       "6281ec4804000000026b1e281c060700118605010101a011600f80020780a109"
			       "0607040000010019026c81c3a181c00201ff02012e3081b78008220821211090"
			       "58f68407911497797908f00481a1200f9121436587092143f500008010112190"
			       "1040a031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db0d9783c56433"
			       "5acd76c3e56031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db0d9783"
			       "c564335acd76c3e56031d98c56b3dd7039584c36a3d56c375c0e1693cd6835db"
			       "0d9783c564335acd76c3e56031d98c561004c100000200";

/* map_pcapr_m2pa_sms frame 18 (sccp) */
static const char v_sms_18[] = "12080d040f1a390b12080011041497797908000b12080011041497947400001f"
			       "b3dd7039584c36a3d56c375c0e1693cd6835db0d97c3c664335acd76c3e5b410"
			       "044000000200";

/* map_pcapr_test_ul_sendid_ati frame 11 (sccp) */
static const char v_ati_11[] = "0a01030e190b12060012041909145905400b1293001104539649012505676465"
			       "49040000080e6b262824060700118605010101a0196117a10906070400000100"
			       "1d03a203020100a305a1030201006c35a233020101302e02014730293027a021"
			       "02010280081000000000000000810791190982500500a30980070475301b5d7a"
			       "57a1028000";

/* map_wswiki_cap_mtp3 frame 1 (sccp) */
static const char v_cap_1[] = "09000305070242010242010503fce30400000309000305070242010242010503"
			      "fce304";

/* map_wswiki_cap_mtp3 frame 29 (sccp) */
static const char v_cap_29[] = "0901030e1b0b52920011046998051050080d13cc0a920011046998051060025c"
			       "655a480482fb000649030004006b2a2828060700118605010101a01d611b8002"
			       "0780a109060704000001003201a203020100a305a1030201006c21a11f020101"
			       "0201173017a015300680010a810101300b800109810100a20380010180010a81"
			       "0101300b800109810100a2038001";

#define MAX_MSG 4096

struct exp_addr {
	bool has_pc;
	uint16_t pc;
	bool has_ssn;
	uint8_t ssn;
	bool ri_ssn;
	uint8_t gti, tt, np, es, nai;
	const char *digits;
};

struct exp_msg {
	const char *file;
	unsigned int frame;
	const char *hex;
	enum jitsim_reason r;
	uint8_t type, pclass, cause, hops;
	bool seg, seg_first;
	uint8_t seg_remaining;
	uint32_t seg_ref;
	struct exp_addr called, calling;
	size_t data_len;
	const char *data_head; /* first octets of the user data */
	size_t sccp_len;       /* octets that belong to SCCP (captures may pad) */
};

/* clang-format off */
static const struct exp_msg msgs[] = {
	/* UDT, GTI 4 even, SSN HLR/VLR, national bit set in AI 0x92. */
	{"map_pcapr_lu_ul.pcap", 1, v_lu_ul_1, JITSIM_R_OK, JITSIM_SCCP_UDT, 0x80, 0, 0,
	 false, false, 0, 0,
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "441354"},
	 {false, 0, true, 7, false, 4, 0, 1, 2, 4, "441122"}, 70, "6244", 94},
	/* No SSN: PC + GTI 2 (TT only), route-on-SSN set on the called side. */
	{"map_wswiki_sai_ul_cl_nossn.pcap", 1, v_nossn_1, JITSIM_R_OK, JITSIM_SCCP_UDT, 0x81,
	 0, 0, false, false, 0, 0,
	 {true, 2567, false, 0, true, 2, 0x21, 0, 0, 0, "0631370550"},
	 {true, 2566, false, 0, false, 2, 0x21, 0, 0, 0, "0631360090"}, 62, "623c", 88},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 2, v_nossn_2, JITSIM_R_OK, JITSIM_SCCP_UDT, 0x80,
	 0, 0, false, false, 0, 0,
	 {true, 2310, false, 0, false, 2, 0x13, 0, 0, 0, "03109900004500"},
	 {true, 2567, false, 0, false, 2, 0x21, 0, 0, 0, "0631370550"}, 65, "623f", 93},
	/* XUDT, E.214 numbering plan 7, odd digits, SGSN SSN 149. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 4, v_gprs_4, JITSIM_R_OK, JITSIM_SCCP_XUDT, 0x81,
	 0, 8, false, false, 0, 0,
	 {false, 0, true, 6, false, 4, 0, 7, 1, 4, "861514100000101"},
	 {false, 0, true, 149, false, 4, 0, 1, 1, 4, "861370800"}, 70, "6244", 103},
	/* XUDT with an Importance optional parameter. */
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 5, v_gprs_5, JITSIM_R_OK, JITSIM_SCCP_XUDT, 0x80,
	 0, 15, false, false, 0, 0,
	 {false, 0, true, 149, false, 4, 0, 1, 1, 4, "861370800"},
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "8615100406"}, 173, "6581aa", 207},
	/* Odd digit count with filler. */
	{"map_pcapr_srism_single.pcap", 1, v_srism_1, JITSIM_R_OK, JITSIM_SCCP_UDT, 0x81, 0, 0,
	 false, false, 0, 0,
	 {false, 0, true, 6, false, 4, 0, 1, 1, 4, "8618903100031"},
	 {false, 0, true, 8, false, 4, 0, 1, 2, 4, "8613700006"}, 73, "6247", 103},
	/* Segmented XUDT: 3 segments of one 631-octet TCAP Begin. */
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 1, v_seg_1, JITSIM_R_OK, JITSIM_SCCP_XUDT,
	 0x81, 0, 4, true, true, 2, 0x000001,
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "9725443322"},
	 {false, 0, true, 11, true, 0, 0, 0, 0, 0, ""}, 239, "62820273", 268},
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 2, v_seg_2, JITSIM_R_OK, JITSIM_SCCP_XUDT,
	 0x81, 0, 4, true, false, 1, 0x000001,
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "9725443322"},
	 {false, 0, true, 11, true, 0, 0, 0, 0, 0, ""}, 239, "0102a120", 268},
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 3, v_seg_3, JITSIM_R_OK, JITSIM_SCCP_XUDT,
	 0x81, 0, 4, true, false, 0, 0x000001,
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "9725443322"},
	 {false, 0, true, 11, true, 0, 0, 0, 0, 0, ""}, 153, "300b8001", 182},
	/* XUDTS returning the first segment (cause 0, its own Segmentation). */
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 17, v_seg_17, JITSIM_R_OK,
	 JITSIM_SCCP_XUDTS, 0, 0, 3, true, true, 2, 0x000002,
	 {false, 0, true, 11, true, 0, 0, 0, 0, 0, ""},
	 {true, 902, true, 0, true, 0, 0, 0, 0, 0, ""}, 239, "62820273", 262},
	/* M2PA SMS: first of two segments, local reference 00 00 02 = 0x020000. */
	{"map_pcapr_m2pa_sms.pcap", 14, v_sms_14, JITSIM_R_OK, JITSIM_SCCP_XUDT, 0x81, 0, 15,
	 true, true, 1, 0x020000,
	 {false, 0, true, 8, false, 4, 0, 1, 1, 4, "41794947000"},
	 {false, 0, true, 8, false, 4, 0, 1, 1, 4, "41799797800"}, 208, "6281ec", 247},
	{"map_pcapr_m2pa_sms.pcap", 18, v_sms_18, JITSIM_R_OK, JITSIM_SCCP_XUDTS, 0, 8, 13,
	 true, false, 0, 0x020000,
	 {false, 0, true, 8, false, 4, 0, 1, 1, 4, "41799797800"},
	 {false, 0, true, 8, false, 4, 0, 1, 1, 4, "41794947000"}, 31, "b3dd", 70},
	/* UDTS, return cause 1 (no translation for this specific address). */
	{"map_pcapr_test_ul_sendid_ati.pcap", 11, v_ati_11, JITSIM_R_OK, JITSIM_SCCP_UDTS, 0, 1,
	 0, false, false, 0, 0,
	 {false, 0, true, 6, false, 4, 0, 1, 2, 4, "919041955004"},
	 {false, 0, true, 147, false, 4, 0, 1, 1, 4, "35699410525"}, 103, "6465", 133},
	/* SCCP management (SSA) to SSN 1: decoded, then refused. 18 octets of capture padding follow. */
	{"map_wswiki_cap_mtp3.pcap", 1, v_cap_1, JITSIM_R_SCCP_UNSUPPORTED, JITSIM_SCCP_UDT, 0,
	 0, 0, false, false, 0, 0,
	 {false, 0, true, 1, true, 0, 0, 0, 0, 0, ""},
	 {false, 0, true, 1, true, 0, 0, 0, 0, 0, ""}, 5, "03fce30400", 17},
	/* CAMEL SSN 146, calling party with PC 2764 + SSN + GTI 4. */
	{"map_wswiki_cap_mtp3.pcap", 29, v_cap_29, JITSIM_R_OK, JITSIM_SCCP_UDT, 0x01, 0, 0,
	 false, false, 0, 0,
	 {false, 0, true, 146, true, 4, 0, 1, 1, 4, "96895001058"},
	 {true, 2764, true, 146, false, 4, 0, 1, 1, 4, "96895001062"}, 92, "655a", 124},
};
/* clang-format on */

#define N_MSGS (sizeof(msgs) / sizeof(msgs[0]))

static enum jitsim_reason
dec(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_sccp_decode(p, len, ctx);
}

static void
check_addr(const struct jitsim_sccp_addr *a, const struct exp_addr *e)
{
	assert_int_equal(a->has_pc, e->has_pc);
	if (e->has_pc)
		assert_int_equal(a->pc, e->pc);
	assert_int_equal(a->has_ssn, e->has_ssn);
	if (e->has_ssn)
		assert_int_equal(a->ssn, e->ssn);
	assert_int_equal(a->route_on_ssn, e->ri_ssn);
	assert_int_equal(a->gti, e->gti);
	assert_int_equal(a->tt, e->tt);
	assert_int_equal(a->np, e->np);
	assert_int_equal(a->es, e->es);
	assert_int_equal(a->nai, e->nai);
	assert_string_equal(a->digits.d, e->digits);
	assert_int_equal(a->digits.n, strlen(e->digits));
}

static void
test_capture_vectors(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		const struct exp_msg *e = &msgs[i];
		uint8_t m[MAX_MSG], head[16];
		struct jitsim_sccp s;
		size_t len = test_hex(e->hex, m, sizeof(m));
		size_t hl = test_hex(e->data_head, head, sizeof(head));

		assert_int_equal(test_decode_exact(m, len, dec, &s), e->r);
		assert_int_equal(s.msg_type, e->type);
		assert_int_equal(s.pclass, e->pclass);
		assert_int_equal(s.cause, e->cause);
		assert_int_equal(s.hop_counter, e->hops);
		assert_int_equal(s.has_segmentation, e->seg);
		assert_int_equal(s.seg_first, e->seg_first);
		assert_int_equal(s.seg_remaining, e->seg_remaining);
		assert_int_equal(s.seg_local_ref, e->seg_ref);
		check_addr(&s.called, &e->called);
		check_addr(&s.calling, &e->calling);
		assert_int_equal(s.data_len, e->data_len);
		/* UDT(S) user data ends where SCCP ends, capture padding excluded. */
		if (e->type == JITSIM_SCCP_UDT || e->type == JITSIM_SCCP_UDTS) {
			assert_int_equal(jitsim_sccp_decode(m, len, &s), e->r);
			assert_ptr_equal(s.data + s.data_len, m + e->sccp_len);
		}
		assert_memory_equal(s.data, head, hl);
	}
}

/* Every vector really is in its capture (provenance of the hand-checked values). */
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
test_vectors_in_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		uint8_t m[MAX_MSG];
		struct find_ctx f = {msgs[i].frame, m, 0, false};

		f.len = test_hex(msgs[i].hex, m, sizeof(m));
		assert_true(test_capture_foreach(msgs[i].file, find_cb, &f) >= msgs[i].frame);
		assert_true(f.found);
	}
}

static size_t allowed_from;

static bool
allow_padding(size_t prefix_len, void *ctx)
{
	(void)ctx;
	return prefix_len >= allowed_from;
}

static enum jitsim_reason
dec_scmg_is_ok(const uint8_t *p, size_t len, void *ctx)
{
	enum jitsim_reason r = jitsim_sccp_decode(p, len, ctx);

	/* For the SCMG vector UNSUPPORTED is its success: map it to OK. */
	return r == JITSIM_R_SCCP_UNSUPPORTED ? JITSIM_R_OK : r;
}

static void
test_truncation_every_offset(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		uint8_t m[MAX_MSG];
		struct jitsim_sccp s;
		size_t len = test_hex(msgs[i].hex, m, sizeof(m));

		allowed_from = msgs[i].sccp_len;
		test_truncations(m, len,
				 msgs[i].r == JITSIM_R_SCCP_UNSUPPORTED ? dec_scmg_is_ok : dec, &s,
				 allow_padding);
	}
}

/* LUDT / LUDTS: no capture has one (traces README); built per Q.713 4.20-4.21. */
static size_t
build_ludt(uint8_t *m, uint8_t type, size_t data_len)
{
	size_t n = 0, data_at, opt_at;

	m[n++] = type;
	m[n++] = type == JITSIM_SCCP_LUDT ? 0x81 : 0x01; /* class 1 / cause 1 */
	m[n++] = 0x0c;					 /* hop counter */
	/* Four 2-octet pointers at 3, 5, 7, 9; called at 11, calling at 14, data at 17. */
	m[n++] = 8, m[n++] = 0;
	m[n++] = 9, m[n++] = 0;
	m[n++] = 10, m[n++] = 0;
	opt_at = 17 + 2 + data_len;
	m[n++] = (uint8_t)(opt_at - 9), m[n++] = (uint8_t)((opt_at - 9) >> 8);
	m[n++] = 2, m[n++] = 0x42, m[n++] = 6;
	m[n++] = 2, m[n++] = 0x42, m[n++] = 7;
	m[n++] = (uint8_t)data_len, m[n++] = (uint8_t)(data_len >> 8);
	data_at = n;
	for (size_t i = 0; i < data_len; i++)
		m[n++] = (uint8_t)i;
	assert_int_equal(data_at + data_len, opt_at);
	/* Segmentation: F, class 1, 3 remaining; local reference 56 34 12. */
	m[n++] = 0x10, m[n++] = 4, m[n++] = 0xc3, m[n++] = 0x56, m[n++] = 0x34, m[n++] = 0x12;
	m[n++] = 0x12, m[n++] = 1, m[n++] = 3; /* Importance */
	m[n++] = 0;			       /* EOP */
	return n;
}

static void
test_ludt(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_sccp s;
	size_t len;

	(void)state;
	len = build_ludt(m, JITSIM_SCCP_LUDT, 300);
	assert_int_equal(test_decode_exact(m, len, dec, &s), JITSIM_R_OK);
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	assert_int_equal(s.msg_type, JITSIM_SCCP_LUDT);
	assert_int_equal(s.pclass, 0x81);
	assert_int_equal(s.hop_counter, 0x0c);
	assert_int_equal(s.called.ssn, 6);
	assert_int_equal(s.calling.ssn, 7);
	assert_int_equal(s.data_len, 300);
	assert_ptr_equal(s.data, m + 19);
	{
		char out[512];

		jitsim_sccp_dump(&s, out, sizeof(out));
		assert_int_equal(strncmp(out, "type=LUDT class=1 handling=8 hops=12 ", 37), 0);
	}
	assert_true(s.has_segmentation);
	assert_true(s.seg_first);
	assert_int_equal(s.seg_remaining, 3);
	assert_int_equal(s.seg_local_ref, 0x123456);
	test_truncations(m, len, dec, &s, NULL);

	len = build_ludt(m, JITSIM_SCCP_LUDTS, 40);
	assert_int_equal(test_decode_exact(m, len, dec, &s), JITSIM_R_OK);
	assert_int_equal(s.msg_type, JITSIM_SCCP_LUDTS);
	assert_int_equal(s.cause, 1);
	assert_int_equal(s.pclass, 0);
	assert_int_equal(s.data_len, 40);
	test_truncations(m, len, dec, &s, NULL);
	{
		char out[512];

		assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
		jitsim_sccp_dump(&s, out, sizeof(out));
		assert_string_equal(out, "type=LUDTS cause=1 hops=12 seg.first=1 seg.remaining=3 "
					 "seg.ref=0x123456 called.ri=ssn called.ssn=6 called.gti=0 "
					 "calling.ri=ssn calling.ssn=7 calling.gti=0 data_len=40");
	}

	/* A 2-octet pointer beyond the message. */
	len = build_ludt(m, JITSIM_SCCP_LUDT, 10);
	m[7] = 0x00, m[8] = 0x01;
	assert_int_equal(test_decode_exact(m, len, dec, &s), JITSIM_R_SCCP_BAD);
	/* The long data length beyond the message. */
	len = build_ludt(m, JITSIM_SCCP_LUDT, 10);
	m[17] = 0xff;
	assert_int_equal(test_decode_exact(m, len, dec, &s), JITSIM_R_TRUNCATED);
}

/* A hand-made UDT/XUDT to mutate: called SSN 6, calling SSN 7, 2 data octets. */
static const char udt_min[] = "09 80 03 05 07 02 42 06 02 42 07 02 62 00";
static const char xudt_min[] = "11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
			       " 10 04 41 01 02 03 00";

static enum jitsim_reason
dec_hex(const char *hex, struct jitsim_sccp *s)
{
	uint8_t m[MAX_MSG];
	size_t len = test_hex(hex, m, sizeof(m));

	return test_decode_exact(m, len, dec, s);
}

static void
test_errors(void **state)
{
	struct jitsim_sccp s;

	(void)state;
	assert_int_equal(dec_hex(udt_min, &s), JITSIM_R_OK);
	assert_int_equal(dec_hex(xudt_min, &s), JITSIM_R_OK);
	assert_false(s.seg_first);
	assert_int_equal(s.seg_remaining, 1);
	assert_int_equal(s.seg_local_ref, 0x030201);
	/* Empty input and short fixed part. */
	assert_int_equal(dec_hex("", &s), JITSIM_R_TRUNCATED);
	assert_int_equal(dec_hex("09 80 03 05", &s), JITSIM_R_TRUNCATED);
	assert_int_equal(dec_hex("11 81 0f 04 06 08", &s), JITSIM_R_TRUNCATED);
	/* Connection-oriented (CR, DT1) and unknown types. */
	assert_int_equal(dec_hex("01 00 00 00 02 02 04 02 42 06 00", &s),
			 JITSIM_R_SCCP_UNSUPPORTED);
	assert_int_equal(dec_hex("06 00 00 01 00 01 02 61 00", &s), JITSIM_R_SCCP_UNSUPPORTED);
	assert_int_equal(dec_hex("ff", &s), JITSIM_R_SCCP_UNSUPPORTED);
	/* Pointer 0, pointer into the header, pointer past the end. */
	assert_int_equal(dec_hex("09 80 00 05 07 02 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("09 80 01 05 07 02 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("09 80 03 05 0b 02 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 20 02 42 06 02 42 07 02 62 00 00", &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("11 81 0f 01 06 08 00 02 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD);
	/* Address and data lengths beyond the message. */
	assert_int_equal(dec_hex("09 80 03 05 07 09 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_TRUNCATED);
	assert_int_equal(dec_hex("09 80 03 05 07 02 42 06 02 42 07 03 62 00", &s),
			 JITSIM_R_TRUNCATED);
	/* Zero-length and malformed addresses. */
	assert_int_equal(dec_hex("09 80 03 04 06 00 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(dec_hex("09 80 03 05 07 02 43 06 02 42 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(dec_hex("09 80 03 05 07 02 42 06 02 5e 07 02 62 00", &s),
			 JITSIM_R_SCCP_BAD_ADDRESS);
	/* Optional part: no EOP, bad Segmentation / Importance length, overrun. */
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
				 " 10 04 81 01 02 03",
				 &s),
			 JITSIM_R_TRUNCATED);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
				 " 10 03 81 01 02 00",
				 &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
				 " 12 02 01 01 00",
				 &s),
			 JITSIM_R_SCCP_BAD);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
				 " 10 09 81 01 02 03 00",
				 &s),
			 JITSIM_R_TRUNCATED);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00 10", &s),
			 JITSIM_R_TRUNCATED);
	/* Unknown optional parameters are skipped; a zero optional pointer is none. */
	assert_int_equal(dec_hex("11 81 0f 04 06 08 0a 02 42 06 02 42 07 02 62 00"
				 " 13 02 aa bb 12 01 05 00",
				 &s),
			 JITSIM_R_OK);
	assert_false(s.has_segmentation);
	assert_int_equal(dec_hex("11 81 0f 04 06 08 00 02 42 06 02 42 07 02 62 00", &s),
			 JITSIM_R_OK);
	assert_false(s.has_segmentation);
	/* SCMG: called SSN 1 is refused after a full decode. */
	assert_int_equal(dec_hex("09 00 03 05 07 02 42 01 02 42 01 02 03 06", &s),
			 JITSIM_R_SCCP_UNSUPPORTED);
	assert_int_equal(s.data_len, 2);
	assert_int_equal(s.called.ssn, JITSIM_SSN_SCMG);
}

static enum jitsim_reason
addr_hex(const char *hex, struct jitsim_sccp_addr *a)
{
	uint8_t m[64];
	size_t len = test_hex(hex, m, sizeof(m));
	uint8_t *copy = malloc(len ? len : 1);
	enum jitsim_reason r;

	assert_non_null(copy);
	memcpy(copy, m, len);
	r = jitsim_sccp_addr_decode(copy, len, a);
	free(copy);
	return r;
}

static void
test_addresses(void **state)
{
	struct jitsim_sccp_addr a;

	(void)state;
	/* GTI 1: odd/even bit + NAI, then digits. */
	assert_int_equal(addr_hex("04 83 21 43 05", &a), JITSIM_R_OK);
	assert_int_equal(a.gti, 1);
	assert_int_equal(a.nai, 3);
	assert_string_equal(a.digits.d, "12345");
	assert_int_equal(addr_hex("04 03 21 43 65", &a), JITSIM_R_OK);
	assert_string_equal(a.digits.d, "123456");
	/* GTI 3: TT + NP/ES. */
	assert_int_equal(addr_hex("0c 0a 11 21 03", &a), JITSIM_R_OK);
	assert_int_equal(a.gti, 3);
	assert_int_equal(a.tt, 10);
	assert_int_equal(a.np, 1);
	assert_int_equal(a.es, 1);
	assert_string_equal(a.digits.d, "123");
	/* A non-BCD encoding scheme keeps es with no digits. */
	assert_int_equal(addr_hex("0c 00 13 21 43", &a), JITSIM_R_OK);
	assert_int_equal(a.es, 3);
	assert_int_equal(a.digits.n, 0);
	/* PC with the two spare bits set: 14 bits only. */
	assert_int_equal(addr_hex("41 ff ff", &a), JITSIM_R_OK);
	assert_int_equal(a.pc, 0x3fff);
	assert_true(a.route_on_ssn);
	assert_false(a.has_ssn);
	assert_int_equal(a.ai, 0x41);
	/* GTI 4 with SSN and no PC, the usual MAP form (decoded inline). */
	assert_int_equal(addr_hex("12 06 00 12 04 44 77 00 09 00 00", &a), JITSIM_R_OK);
	assert_int_equal(a.ai, 0x12);
	assert_false(a.route_on_ssn);
	assert_false(a.has_pc);
	assert_int_equal(a.pc, 0);
	assert_true(a.has_ssn);
	assert_int_equal(a.ssn, 6);
	assert_int_equal(a.gti, 4);
	assert_int_equal(a.tt, 0);
	assert_int_equal(a.np, 1);
	assert_int_equal(a.es, 2);
	assert_int_equal(a.nai, 4);
	assert_string_equal(a.digits.d, "447700900000");
	assert_int_equal(a.digits.n, 12);
	/* National bit, odd count, NAI with its top bit set. */
	assert_int_equal(addr_hex("92 07 21 11 84 44 77 00 21 43 05", &a), JITSIM_R_OK);
	assert_int_equal(a.ai, 0x92);
	assert_int_equal(a.ssn, 7);
	assert_int_equal(a.tt, 0x21);
	assert_int_equal(a.es, 1);
	assert_int_equal(a.nai, 4);
	assert_string_equal(a.digits.d, "44770012345");
	/* Route on SSN, no digit octets; a non-BCD scheme keeps no digits. */
	assert_int_equal(addr_hex("52 08 00 11 04", &a), JITSIM_R_OK);
	assert_true(a.route_on_ssn);
	assert_int_equal(a.digits.n, 0);
	assert_string_equal(a.digits.d, "");
	assert_int_equal(addr_hex("12 06 00 13 04 21", &a), JITSIM_R_OK);
	assert_int_equal(a.es, 3);
	assert_int_equal(a.digits.n, 0);
	/* Too many digits for JITSIM_DIGITS_MAX in that form too. */
	assert_int_equal(addr_hex("12 06 00 12 04 11111111111111111111111111111111 11", &a),
			 JITSIM_R_SCCP_BAD_ADDRESS);
	/* GT header without digits is accepted (n = 0). */
	assert_int_equal(addr_hex("08 00", &a), JITSIM_R_OK);
	assert_int_equal(a.digits.n, 0);
	/* Errors. */
	assert_int_equal(addr_hex("", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("01 05", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("02", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("42 06 00", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("04", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("08", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("0c 00", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("12 06 00 12", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("14 00", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("3c 00", &a), JITSIM_R_SCCP_BAD_ADDRESS);
	/* 34 digits do not fit JITSIM_DIGITS_MAX. */
	assert_int_equal(addr_hex("08 00 11111111111111111111111111111111 11", &a),
			 JITSIM_R_SCCP_BAD_ADDRESS);
	assert_int_equal(addr_hex("08 00 11111111111111111111111111111111", &a), JITSIM_R_OK);
	assert_int_equal(a.digits.n, 32);
}

/* Re-encode a captured message from its decoded fields: same octets. */
static void
reencode(const char *hex, uint8_t hop_patch)
{
	uint8_t m[MAX_MSG], buf[MAX_MSG];
	struct jitsim_sccp s;
	struct jitsim_wbuf w;
	size_t len = test_hex(hex, m, sizeof(m));

	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 256);
	assert_int_equal(jitsim_wbuf_put(&w, s.data, s.data_len), 0);
	assert_int_equal(jitsim_sccp_encode(&w, &s), JITSIM_R_OK);
	if (hop_patch)
		m[2] = hop_patch;
	assert_int_equal(jitsim_wbuf_len(&w), len);
	assert_memory_equal(jitsim_wbuf_data(&w), m, len);
}

static void
test_encode_matches_captures(void **state)
{
	(void)state;
	reencode(v_lu_ul_1, 0);
	reencode(v_nossn_1, 0);
	reencode(v_nossn_2, 0);
	reencode(v_srism_1, 0);
	/* XUDT: the encoder always starts the hop counter at 15 (capture has 8). */
	reencode(v_gprs_4, 0x0f);
}

static void
make_addr(struct jitsim_sccp_addr *a, uint8_t gti, const char *digits)
{
	memset(a, 0, sizeof(*a));
	a->gti = gti;
	a->has_pc = true;
	a->pc = 0x2abc;
	a->has_ssn = true;
	a->ssn = JITSIM_SSN_MSC;
	a->route_on_ssn = gti == 0;
	a->tt = gti >= 2 ? 9 : 0;
	a->np = gti >= 3 ? 1 : 0;
	a->nai = (gti == 1 || gti == 4) ? 4 : 0;
	jitsim_digits_set(&a->digits, digits);
}

static void
test_encode_roundtrip(void **state)
{
	static const uint8_t types[] = {JITSIM_SCCP_UDT, JITSIM_SCCP_XUDT};
	static const char *const digits[] = {"12345", "123456", "0*#abc", ""};

	(void)state;
	for (size_t t = 0; t < 2; t++) {
		for (uint8_t gti = 0; gti <= 4; gti++) {
			for (size_t d = 0; d < 4; d++) {
				uint8_t buf[512], data[200];
				struct jitsim_sccp s, o;
				struct jitsim_wbuf w;
				/* GTI 2 only carries an even number of digits. */
				const char *dg = gti == 0	      ? ""
						 : gti == 2 && d == 0 ? "1234"
								      : digits[d];

				memset(&s, 0, sizeof(s));
				s.msg_type = types[t];
				s.pclass = 0x81;
				make_addr(&s.called, gti, dg);
				make_addr(&s.calling, gti, dg);
				s.calling.has_pc = false;
				s.calling.ssn = JITSIM_SSN_HLR;
				for (size_t i = 0; i < sizeof(data); i++)
					data[i] = (uint8_t)(i * 7);
				jitsim_wbuf_init(&w, buf, sizeof(buf), 256);
				assert_int_equal(jitsim_wbuf_put(&w, data, sizeof(data)), 0);
				assert_int_equal(jitsim_sccp_encode(&w, &s), JITSIM_R_OK);
				assert_int_equal(jitsim_sccp_decode(jitsim_wbuf_data(&w),
								    jitsim_wbuf_len(&w), &o),
						 JITSIM_R_OK);
				assert_int_equal(o.msg_type, s.msg_type);
				assert_int_equal(o.pclass, 0x81);
				assert_int_equal(o.hop_counter, t ? 15 : 0);
				assert_false(o.has_segmentation);
				assert_int_equal(o.called.gti, gti);
				assert_true(o.called.has_pc);
				assert_int_equal(o.called.pc, 0x2abc);
				assert_int_equal(o.called.ssn, JITSIM_SSN_MSC);
				assert_int_equal(o.called.route_on_ssn, gti == 0);
				assert_false(o.calling.has_pc);
				assert_int_equal(o.calling.ssn, JITSIM_SSN_HLR);
				assert_int_equal(o.called.tt, s.called.tt);
				assert_int_equal(o.called.np, s.called.np);
				assert_int_equal(o.called.nai, s.called.nai);
				assert_string_equal(o.called.digits.d, dg);
				assert_string_equal(o.calling.digits.d, dg);
				if (gti >= 3)
					assert_int_equal(o.called.es, strlen(dg) % 2 ? 1 : 2);
				assert_int_equal(o.data_len, sizeof(data));
				assert_memory_equal(o.data, data, sizeof(data));
			}
		}
	}
}

static void
test_encode_nospace(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_sccp s;
	size_t len = test_hex(v_gprs_4, m, sizeof(m));
	size_t hdr;

	(void)state;
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	hdr = len - s.data_len;
	for (size_t room = 0; room <= hdr; room++) {
		uint8_t *buf = malloc(room + s.data_len);
		struct jitsim_wbuf w;

		assert_non_null(buf);
		jitsim_wbuf_init(&w, buf, room + s.data_len, room);
		assert_int_equal(jitsim_wbuf_put(&w, s.data, s.data_len), 0);
		assert_int_equal(jitsim_sccp_encode(&w, &s),
				 room < hdr ? JITSIM_R_NOSPACE : JITSIM_R_OK);
		if (room < hdr) {
			assert_int_equal(w.head, room);
			assert_int_equal(jitsim_wbuf_len(&w), s.data_len);
		} else {
			assert_int_equal(w.head, 0);
		}
		free(buf);
	}
}

static void
test_encode_bad_param(void **state)
{
	uint8_t buf[1024];
	struct jitsim_sccp s, bad;
	struct jitsim_wbuf w;

	(void)state;
	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	make_addr(&s.called, 4, "123");
	make_addr(&s.calling, 4, "456");

#define EXPECT_BAD(mut)                                                             \
	do {                                                                        \
		bad = s;                                                            \
		mut;                                                                \
		jitsim_wbuf_init(&w, buf, sizeof(buf), 512);                        \
		assert_int_equal(jitsim_sccp_encode(&w, &bad), JITSIM_R_BAD_PARAM); \
		assert_int_equal(w.head, 512);                                      \
	} while (0)

	EXPECT_BAD(bad.msg_type = JITSIM_SCCP_UDTS);
	EXPECT_BAD(bad.msg_type = JITSIM_SCCP_LUDT);
	EXPECT_BAD(bad.called.gti = 5);
	EXPECT_BAD(bad.calling.pc = 0x4000);
	EXPECT_BAD(bad.called.np = 16);
	EXPECT_BAD((bad.called.gti = 2, jitsim_digits_set(&bad.called.digits, "123")));
	EXPECT_BAD(jitsim_digits_set(&bad.calling.digits, "12x"));
	EXPECT_BAD(bad.calling.digits.n = JITSIM_DIGITS_MAX + 1);
#undef EXPECT_BAD
	/* More user data than one length octet can say. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), 512);
	assert_non_null(jitsim_wbuf_append(&w, 256));
	assert_int_equal(jitsim_sccp_encode(&w, &s), JITSIM_R_BAD_PARAM);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 512);
	assert_non_null(jitsim_wbuf_append(&w, 255));
	assert_int_equal(jitsim_sccp_encode(&w, &s), JITSIM_R_OK);
}

static void
test_dump(void **state)
{
	uint8_t m[MAX_MSG];
	struct jitsim_sccp s;
	char out[512], small[16];
	size_t len = test_hex(v_lu_ul_1, m, sizeof(m));
	const char *want = "type=UDT class=0 handling=8 called.ri=gt called.ssn=6 called.gti=4 "
			   "called.tt=0 called.np=1 called.es=2 called.nai=4 called.digits=441354 "
			   "calling.ri=gt calling.ssn=7 calling.gti=4 calling.tt=0 calling.np=1 "
			   "calling.es=2 calling.nai=4 calling.digits=441122 data_len=70";
	int n;

	(void)state;
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	n = jitsim_sccp_dump(&s, out, sizeof(out));
	assert_string_equal(out, want);
	assert_int_equal(n, strlen(want));
	/* snprintf semantics: truncated, NUL-terminated, full length returned. */
	assert_int_equal(jitsim_sccp_dump(&s, small, sizeof(small)), n);
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
	assert_int_equal(jitsim_sccp_dump(&s, NULL, 0), n);

	len = test_hex(v_seg_17, m, sizeof(m));
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	jitsim_sccp_dump(&s, out, sizeof(out));
	assert_string_equal(out, "type=XUDTS cause=0 hops=3 seg.first=1 seg.remaining=2 "
				 "seg.ref=0x000002 called.ri=ssn called.ssn=11 called.gti=0 "
				 "calling.ri=ssn calling.pc=902 calling.ssn=0 calling.gti=0 "
				 "data_len=239");
	len = test_hex(v_gprs_4, m, sizeof(m));
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	jitsim_sccp_dump(&s, out, sizeof(out));
	assert_int_equal(strncmp(out, "type=XUDT class=1 handling=8 hops=8 called.ri=gt ", 49), 0);
	len = test_hex(v_ati_11, m, sizeof(m));
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	jitsim_sccp_dump(&s, out, sizeof(out));
	assert_int_equal(strncmp(out, "type=UDTS cause=1 called.ri=gt ", 31), 0);
	/* GTI 1 prints its NAI; an unknown type still dumps. */
	memset(&s, 0, sizeof(s));
	s.called.gti = 1;
	s.called.nai = 3;
	jitsim_digits_set(&s.called.digits, "12345");
	jitsim_sccp_dump(&s, out, sizeof(out));
	assert_string_equal(out,
			    "type=unknown cause=0 hops=0 called.ri=gt called.gti=1 called.nai=3 "
			    "called.digits=12345 calling.ri=gt calling.gti=0 data_len=0");
	len = test_hex(v_nossn_1, m, sizeof(m));
	assert_int_equal(jitsim_sccp_decode(m, len, &s), JITSIM_R_OK);
	jitsim_sccp_dump(&s, out, sizeof(out));
	assert_string_equal(out, "type=UDT class=1 handling=8 called.ri=ssn called.pc=2567 "
				 "called.gti=2 called.tt=33 called.digits=0631370550 "
				 "calling.ri=gt calling.pc=2566 calling.gti=2 calling.tt=33 "
				 "calling.digits=0631360090 data_len=62");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_capture_vectors),
		cmocka_unit_test(test_vectors_in_captures),
		cmocka_unit_test(test_truncation_every_offset),
		cmocka_unit_test(test_ludt),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_addresses),
		cmocka_unit_test(test_encode_matches_captures),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_bad_param),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
