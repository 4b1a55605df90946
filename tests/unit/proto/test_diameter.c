/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter base protocol codec (RFC 6733): header, AVP walk, framer, command
 * names and the append encoder. Vectors are real messages from the reference
 * captures (bytes from `tshark -T ek -x`, diameter_raw), every field checked
 * against tshark 4.0 output quoted beside the assertions.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>

#include "test_util.h"

/* s6a_diafuzzer_air.pcap frame 1: AIR (SCTP), 280 bytes */
static const char air_hex[] = "01000118c000013e010000234d08bb374d08bb37000001074000003a696c7363"
			      "686139392d6d6d652d30312e757363632e6e65743b313436323938343133373b"
			      "3635303b312e31333b37313538350000000001154000000c0000000100000108"
			      "40000020696c7363686139392d6d6d652d30312e757363632e6e657400000128"
			      "40000010757363632e6e65740000011b400000156c74652e6e74776c732e636f"
			      "6d0000000000000140000017333132343230303030303231333337000000057f"
			      "c000000f000028af1351220000000104400000200000010a4000000c000028af"
			      "000001024000000c0100002300000580c000002c000028af00000582c0000010"
			      "000028af0000000200000584c0000010000028af00000001";

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 5: CER */
static const char cer_hex[] = "010000e8800001010000000051938e31bb930b5000000108400000196d6d652e"
			      "6f70656e61697234472e65757200000000000128400000156f70656e61697234"
			      "472e657572000000000001164000000c59478bb9000001014000000e00010a00"
			      "01030000000001014000000e00010a0002020000000001014000000e00010a00"
			      "030200000000010a4000000c000000000000010d00000014667265654469616d"
			      "657465720000010b0000000c000027d80000012b4000000c0000000000000104"
			      "40000020000001024000000c010000230000010a4000000c000028af00000109"
			      "4000000c000028af";

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 7: CEA */
static const char cea_hex[] = "010000d8000001010000000051938e31bb930b500000010c4000000c000007d1"
			      "00000108400000196873732e6f70656e61697234472e65757200000000000128"
			      "400000156f70656e61697234472e657572000000000001164000000c59478ae5"
			      "000001014000000e00010a0001020000000001014000000e0001ac1200030000"
			      "0000010a4000000c000000000000010d00000014667265654469616d65746572"
			      "0000010b0000000c000027d80000010440000020000001024000000c01000023"
			      "0000010a4000000c000028af000001094000000c000028af";

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 8: DWR */
static const char dwr_hex[] = "0100005480000118000000003e452bffae5ba22f00000108400000196873732e"
			      "6f70656e61697234472e65757200000000000128400000156f70656e61697234"
			      "472e657572000000000001164000000c59478ae5";

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 10: DWA */
static const char dwa_hex[] = "0100006000000118000000003e452bffae5ba22f0000010c4000000c000007d1"
			      "00000108400000196d6d652e6f70656e61697234472e65757200000000000128"
			      "400000156f70656e61697234472e657572000000000001164000000c59478bb9";

/* diam_ndpi_gy_tcp.pcap frame 1: Gy CCR over TCP */
static const char gy_ccr_hex[] = "01000158800001100000000402ea493026f00003000001074000001d6e786c3b"
				 "6170693b31323633323738383738313437000000000001cd40000014436f6d76"
				 "657273652e444349000001024000000c0000000400000108400000196e786c31"
				 "2e6e65747863656c6c2e636f6d00000000000128400000146e65747863656c6c"
				 "2e636f6d0000019f4000000c000000000000012540000019646775322e636f6d"
				 "76657273652e636f6d0000000000011b40000014636f6d76657273652e636f6d"
				 "000000374000000ccef6999e000001bb40000028000001bc4000001439313930"
				 "3830303030303136000001c24000000c00000000000001b840000024000001b9"
				 "4000000c00000002000001ba4000000d6462696c6c000000000001a04000000c"
				 "00000001000001b5400000340000019d4000002c000001bd40000018000001bf"
				 "400000100000000000000002000001a94000000c00000164";

#define MSG_MAX 4096
#define M JITSIM_DIAM_AVP_M
#define V JITSIM_DIAM_AVP_V

static size_t
load(const char *hex, uint8_t *out)
{
	return test_hex(hex, out, MSG_MAX);
}

/* ---- header (RFC 6733 3) ---- */

static enum jitsim_reason
decode_hdr_fn(const uint8_t *p, size_t len, void *ctx)
{
	struct jitsim_diam_hdr h;

	(void)ctx;
	return jitsim_diam_decode_hdr(p, len, &h);
}

static void
test_hdr_air(void **state)
{
	static const char want[] = "version=1 length=280 flags=0xc0 cmd=318 "
				   "cmd_name=Authentication-Information request=1 "
				   "app_id=16777251 hbh=0x4d08bb37 e2e=0x4d08bb37";
	uint8_t m[MSG_MAX];
	size_t n = load(air_hex, m);
	struct jitsim_diam_hdr h;
	char buf[256], small[10];

	(void)state;
	assert_int_equal(n, 280);
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	/*
	 * tshark: Version 0x01, Length 280, Flags 0xc0 (Request, Proxyable),
	 * Command Code 318, ApplicationId 16777251, Hop-by-Hop 0x4d08bb37,
	 * End-to-End 0x4d08bb37.
	 */
	assert_int_equal(h.version, 1);
	assert_int_equal(h.length, 280);
	assert_int_equal(h.flags, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P);
	assert_int_equal(h.cmd, 318);
	assert_int_equal(h.app_id, 16777251);
	assert_int_equal(h.hbh, 0x4d08bb37);
	assert_int_equal(h.e2e, 0x4d08bb37);
	assert_ptr_equal(h.avps, m + 20);
	assert_int_equal(h.avps_len, 260);

	assert_int_equal(jitsim_diam_hdr_dump(&h, buf, sizeof(buf)), (int)strlen(want));
	assert_string_equal(buf, want);
	/* snprintf semantics: the full length is returned, output cut and terminated. */
	assert_int_equal(jitsim_diam_hdr_dump(&h, small, sizeof(small)), (int)strlen(want));
	assert_int_equal(strlen(small), sizeof(small) - 1);
	assert_memory_equal(small, want, sizeof(small) - 1);
}

static void
test_hdr_others(void **state)
{
	uint8_t m[MSG_MAX];
	size_t n;
	struct jitsim_diam_hdr h;
	char buf[256];

	(void)state;
	/* tshark ndpi frame 1: Length 344, Flags 0x80 (R only), cmd 272, app 4. */
	n = load(gy_ccr_hex, m);
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	assert_int_equal(h.length, 344);
	assert_int_equal(h.flags, JITSIM_DIAM_FLAG_R);
	assert_int_equal(h.cmd, 272);
	assert_int_equal(h.app_id, 4);
	assert_int_equal(h.hbh, 0x02ea4930);
	assert_int_equal(h.e2e, 0x26f00003);
	jitsim_diam_hdr_dump(&h, buf, sizeof(buf));
	assert_non_null(strstr(buf, " cmd_name=Credit-Control request=1 app_id=4 "));

	/* tshark cer_dwr frame 7: CEA, Length 216, Flags 0x00, cmd 257, app 0. */
	n = load(cea_hex, m);
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	assert_int_equal(h.length, 216);
	assert_int_equal(h.flags, 0);
	assert_int_equal(h.cmd, 257);
	assert_int_equal(h.app_id, 0);
	assert_int_equal(h.hbh, 0x51938e31);
	assert_int_equal(h.e2e, 0xbb930b50);

	/* An unknown command still dumps. */
	h.cmd = 99999;
	jitsim_diam_hdr_dump(&h, buf, sizeof(buf));
	assert_non_null(strstr(buf, "cmd=99999 cmd_name=unknown request=0"));
}

static void
test_hdr_errors(void **state)
{
	uint8_t m[MSG_MAX];
	size_t n = load(dwr_hex, m);
	struct jitsim_diam_hdr h;

	(void)state;
	assert_int_equal(n, 84);
	/* Bytes after the message (the next one in the segment) are not its concern. */
	memset(m + n, 0xee, 16);
	assert_int_equal(jitsim_diam_decode_hdr(m, n + 16, &h), JITSIM_R_OK);
	assert_int_equal(h.length, 84);
	assert_int_equal(h.avps_len, 64);

	/* TRUNCATED: shorter than the header, or than the Message Length. */
	assert_int_equal(test_decode_exact(m, 0, decode_hdr_fn, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(m, 19, decode_hdr_fn, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(m, 20, decode_hdr_fn, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(m, 83, decode_hdr_fn, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(m, 84, decode_hdr_fn, NULL), JITSIM_R_OK);

	/* BAD_VERSION: anything but 1, checked before the length. */
	m[0] = 2;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_VERSION);
	m[0] = 0;
	m[3] = 3;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_VERSION);
	m[0] = 1;

	/* BAD_HEADER: length below the header size or not a multiple of 4. */
	m[1] = 0, m[2] = 0, m[3] = 0;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_HEADER);
	m[3] = 16;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_HEADER);
	m[3] = 82;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_HEADER);
	m[3] = 85;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_HEADER);
	/* A bad length wins over truncation: the header itself is wrong. */
	m[1] = 0xff, m[2] = 0xff, m[3] = 0xff;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_DIAM_BAD_HEADER);
	m[3] = 0xfc;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_TRUNCATED);
	/* A header-only message is valid (no AVPs). */
	m[1] = 0, m[2] = 0, m[3] = 20;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	assert_int_equal(h.avps_len, 0);
}

static void
test_hdr_truncations(void **state)
{
	const char *vec[] = {air_hex, cer_hex, cea_hex, dwr_hex, dwa_hex, gy_ccr_hex};
	uint8_t m[MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = load(vec[i], m);

		assert_int_equal(test_decode_exact(m, n, decode_hdr_fn, NULL), JITSIM_R_OK);
		test_truncations(m, n, decode_hdr_fn, NULL, NULL);
	}
}

/* ---- AVP walk (RFC 6733 4.1) ---- */

struct avp_want {
	uint32_t code;
	uint8_t flags;
	uint32_t vendor;
	size_t len; /* AVP Length as tshark shows it */
};

static void
expect_avps(const uint8_t *p, size_t len, const struct avp_want *w, size_t nw)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	jitsim_diam_avp_iter_init(&it, p, len);
	for (size_t i = 0; i < nw; i++) {
		assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
		assert_int_equal(a.code, w[i].code);
		assert_int_equal(a.flags, w[i].flags);
		assert_int_equal(a.vendor, w[i].vendor);
		assert_int_equal(a.data_len, w[i].len - (w[i].vendor ? 12 : 8));
	}
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
}

static void
test_avp_walk_air(void **state)
{
	/* tshark -T fields -e diameter.avp.code -e diameter.avp.len -e diameter.avp.flags */
	static const struct avp_want top[] = {
		{263, 0x40, 0, 58},	 {277, 0x40, 0, 12}, {264, 0x40, 0, 32},
		{296, 0x40, 0, 16},	 {283, 0x40, 0, 21}, {1, 0x40, 0, 23},
		{1407, 0xc0, 10415, 15}, {260, 0x40, 0, 32}, {1408, 0xc0, 10415, 44},
	};
	static const struct avp_want vsai[] = {{266, 0x40, 0, 12}, {258, 0x40, 0, 12}};
	static const struct avp_want eutran[] = {{1410, 0xc0, 10415, 16}, {1412, 0xc0, 10415, 16}};
	static const char sid[] = "ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585";
	uint8_t m[MSG_MAX];
	size_t n = load(air_hex, m);
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	uint32_t v;

	(void)state;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	expect_avps(h.avps, h.avps_len, top, sizeof(top) / sizeof(top[0]));

	jitsim_diam_avp_iter_init(&it, h.avps, h.avps_len);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_ptr_equal(a.data, h.avps + 8);
	assert_int_equal(a.data_len, strlen(sid));
	assert_memory_equal(a.data, sid, strlen(sid));

	/* Grouped AVPs (RFC 6733 4.4): the data is itself a list of AVPs. */
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 260, 0, &a), JITSIM_R_OK);
	expect_avps(a.data, a.data_len, vsai, 2);
	jitsim_diam_avp_iter_init(&it, a.data, a.data_len);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 10415); /* tshark: Vendor-Id: 10415 */
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 16777251); /* Auth-Application-Id: 3GPP S6a/S6d */

	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 1408, 10415, &a), JITSIM_R_OK);
	expect_avps(a.data, a.data_len, eutran, 2);
	assert_int_equal(jitsim_diam_avp_find(a.data, a.data_len, 1410, 10415, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 2); /* tshark: Number-Of-Requested-Vectors 2 */
}

static void
test_avp_walk_gy(void **state)
{
	/* tshark -O diameter, ndpi frame 1 (Gy CCR over TCP). */
	static const struct avp_want top[] = {
		{263, 0x40, 0, 29}, {461, 0x40, 0, 20}, {258, 0x40, 0, 12}, {264, 0x40, 0, 25},
		{296, 0x40, 0, 20}, {415, 0x40, 0, 12}, {293, 0x40, 0, 25}, {283, 0x40, 0, 20},
		{55, 0x40, 0, 12},  {443, 0x40, 0, 40}, {440, 0x40, 0, 36}, {416, 0x40, 0, 12},
		{437, 0x40, 0, 52},
	};
	uint8_t m[MSG_MAX];
	size_t n = load(gy_ccr_hex, m);
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp a;

	(void)state;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	expect_avps(h.avps, h.avps_len, top, sizeof(top) / sizeof(top[0]));
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 264, 0, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 17);
	assert_memory_equal(a.data, "nxl1.netxcell.com", 17);
}

/* Walk every AVP; OK when the walk ends cleanly. */
static enum jitsim_reason
walk_fn(const uint8_t *p, size_t len, void *ctx)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	(void)ctx;
	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next(&it, &a)) == JITSIM_R_OK)
		;
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

/* AVP ends (unpadded .. padded) of the walked area: cutting there is a valid list. */
struct bounds {
	size_t lo[64], hi[64];
	size_t n;
};

static bool
at_avp_end(size_t prefix_len, void *ctx)
{
	const struct bounds *b = ctx;

	if (prefix_len == 0)
		return true;
	for (size_t i = 0; i < b->n; i++)
		if (prefix_len >= b->lo[i] && prefix_len <= b->hi[i])
			return true;
	return false;
}

static void
test_avp_walk_truncations(void **state)
{
	const char *vec[] = {air_hex, cer_hex, cea_hex, gy_ccr_hex};
	uint8_t m[MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(vec) / sizeof(vec[0]); i++) {
		size_t n = load(vec[i], m);
		struct jitsim_diam_hdr h;
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp a;
		struct bounds b = {.n = 0};

		assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
		jitsim_diam_avp_iter_init(&it, h.avps, h.avps_len);
		while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
			size_t end = (size_t)(a.data - h.avps) + a.data_len;

			assert_true(b.n < 64);
			b.lo[b.n] = end;
			b.hi[b.n++] = (end + 3) & ~(size_t)3;
		}
		assert_true(b.n > 5);
		test_truncations(h.avps, h.avps_len, walk_fn, &b, at_avp_end);
	}
}

static void
test_avp_padding(void **state)
{
	/* User-Name "12345": AVP Length 13, 3 bytes of padding, then one more AVP. */
	uint8_t m[64];
	size_t n = test_hex("00000001 4000000d 3132333435 000000"
			    "00000115 4000000c 00000001",
			    m, sizeof(m));
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	uint32_t v;

	(void)state;
	jitsim_diam_avp_iter_init(&it, m, n);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 5);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.code, 277);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 1);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);

	/* The last AVP's padding may be missing in full or in part. */
	for (size_t cut = 13; cut <= 16; cut++) {
		jitsim_diam_avp_iter_init(&it, m, cut);
		assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
		assert_int_equal(a.code, 1);
		assert_int_equal(a.data_len, 5);
		assert_memory_equal(a.data, "12345", 5);
		assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
		assert_int_equal(test_decode_exact(m, cut, walk_fn, NULL), JITSIM_R_OK);
	}
	/* But a stray byte after the padding is not an AVP. */
	jitsim_diam_avp_iter_init(&it, m, 17);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
}

/* Expect a first AVP that is bad, then END: the walk stops at a bad length. */
static void
expect_bad(const char *hex)
{
	uint8_t m[64];
	size_t n = test_hex(hex, m, sizeof(m));
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	jitsim_diam_avp_iter_init(&it, m, n);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(it.left, 0);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
	assert_int_equal(test_decode_exact(m, n, walk_fn, NULL), JITSIM_R_DIAM_BAD_AVP);
}

static void
test_avp_bad_lengths(void **state)
{
	uint8_t m[64];
	size_t n;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	(void)state;
	expect_bad("00000001 40000000 3132333435000000"); /* length 0 */
	expect_bad("00000001 40000007 3132333435000000"); /* length 7 < 8 */
	expect_bad("00000001 40000018 3132333435000000"); /* 24 > 16 left */
	expect_bad("00000001 40ffffff 3132333435000000"); /* 16 MB > 16 left */
	expect_bad("00000001 400000");			  /* 7 bytes left */
	expect_bad("00000001");				  /* 4 bytes left */
	expect_bad("00000577 c0000008 000028af");	  /* V: length 8 < 12 */
	expect_bad("00000577 c000000b 000028af");	  /* V: length 11 < 12 */
	expect_bad("00000577 c000000c 0000");		  /* V: header cut */
	expect_bad("00000577 c000000f 000028af 1351");	  /* V: data cut */

	/* Boundaries that are valid: empty data with and without V. */
	n = test_hex("00000001 40000008 00000577 c000000c 000028af", m, sizeof(m));
	jitsim_diam_avp_iter_init(&it, m, n);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 0);
	assert_int_equal(a.vendor, 0);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.code, 1399);
	assert_int_equal(a.vendor, 10415);
	assert_int_equal(a.data_len, 0);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);

	/* A good AVP, then a bad one: the good one is returned first. */
	n = test_hex("00000115 4000000c 00000001 00000108 40000004 00000000", m, sizeof(m));
	jitsim_diam_avp_iter_init(&it, m, n);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
}

static void
test_avp_find(void **state)
{
	uint8_t m[MSG_MAX];
	size_t n = load(air_hex, m);
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp a;

	(void)state;
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	/* tshark: User-Name 312420000021337 */
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 1, 0, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 15);
	assert_memory_equal(a.data, "312420000021337", 15);
	/* tshark: Visited-PLMN-Id 135122 (vendor 10415) */
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 1407, 10415, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 3);
	assert_memory_equal(a.data, "\x13\x51\x22", 3);
	/* Same code, other vendor: a different AVP. */
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 1407, 0, &a), JITSIM_R_END);
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 1, 10415, &a), JITSIM_R_END);
	/* Only the top level is searched: Vendor-Id is inside a group. */
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, 266, 0, &a), JITSIM_R_END);
	assert_int_equal(jitsim_diam_avp_find(h.avps, 0, 1, 0, &a), JITSIM_R_END);

	/* BAD_AVP before the target is reported; after it, never reached. */
	n = test_hex("00000115 4000000c 00000001 00000108 40000004 00000000", m, sizeof(m));
	assert_int_equal(jitsim_diam_avp_find(m, n, 264, 0, &a), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(jitsim_diam_avp_find(m, n, 277, 0, &a), JITSIM_R_OK);
}

static void
test_avp_u32(void **state)
{
	uint8_t m[64];
	size_t n = test_hex("00000115 4000000c 00000001"	   /* 4 bytes: OK */
			    "00000115 4000000b 000001 00"	   /* 3 bytes */
			    "00000115 4000000d 0000000100 000000", /* 5 bytes */
			    m, sizeof(m));
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	uint32_t v = 7;

	(void)state;
	jitsim_diam_avp_iter_init(&it, m, n);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 1);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	v = 7;
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(v, 7);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_DIAM_BAD_AVP);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);
	a.data_len = 0;
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_DIAM_BAD_AVP);
}

/* ---- framer ---- */

/* Run the framer over an exactly-sized copy; return the reason after @p n_ok messages. */
static enum jitsim_reason
frame_count(const uint8_t *p, size_t len, const size_t *want_lens, size_t n_want)
{
	uint8_t *copy = malloc(len ? len : 1);
	struct jitsim_diam_framer f;
	const uint8_t *msg;
	size_t msg_len, off = 0;
	enum jitsim_reason r;

	assert_non_null(copy);
	memcpy(copy, p, len);
	jitsim_diam_framer_init(&f, copy, len);
	for (size_t i = 0; i < n_want; i++) {
		assert_int_equal(jitsim_diam_framer_next(&f, &msg, &msg_len), JITSIM_R_OK);
		assert_ptr_equal(msg, copy + off);
		assert_int_equal(msg_len, want_lens[i]);
		off += msg_len;
	}
	r = jitsim_diam_framer_next(&f, &msg, &msg_len);
	/* Whatever stopped the walk, it stays stopped. */
	assert_int_equal(jitsim_diam_framer_next(&f, &msg, &msg_len), JITSIM_R_END);
	free(copy);
	return r;
}

static void
test_framer_several(void **state)
{
	uint8_t buf[MSG_MAX];
	size_t lens[3], total = 0;
	const char *vec[3] = {cer_hex, dwr_hex, dwa_hex};
	struct jitsim_diam_hdr h;

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		lens[i] = load(vec[i], buf + total);
		total += lens[i];
	}
	/* tshark lengths: CER 232, DWR 84, DWA 96 */
	assert_int_equal(lens[0], 232);
	assert_int_equal(lens[1], 84);
	assert_int_equal(lens[2], 96);
	assert_int_equal(frame_count(buf, total, lens, 3), JITSIM_R_END);
	assert_int_equal(jitsim_diam_decode_hdr(buf + 232, 84, &h), JITSIM_R_OK);
	assert_int_equal(h.cmd, 280);

	/* Split anywhere: whole messages first, then PARTIAL unless on a boundary. */
	for (size_t cut = 0; cut <= total; cut++) {
		size_t whole = 0, end = 0;

		while (whole < 3 && end + lens[whole] <= cut)
			end += lens[whole++];
		assert_int_equal(frame_count(buf, cut, lens, whole),
				 cut == end ? JITSIM_R_END : JITSIM_R_TCP_PARTIAL);
	}
}

static void
test_framer_errors(void **state)
{
	uint8_t buf[MSG_MAX];
	size_t lens[2], n;

	(void)state;
	lens[0] = load(dwr_hex, buf);
	lens[1] = load(dwa_hex, buf + lens[0]);
	n = lens[0] + lens[1];

	assert_int_equal(frame_count(buf, 0, NULL, 0), JITSIM_R_END);
	/* Garbage after a message: not a version-1 header. */
	memcpy(buf + lens[0], "\x00\x01\x02\x03", 4);
	assert_int_equal(frame_count(buf, n, lens, 1), JITSIM_R_DIAM_BAD_VERSION);
	/* A segment that starts inside a message (here: inside the DWR). */
	assert_int_equal(frame_count(buf + 20, lens[0] - 20, NULL, 0), JITSIM_R_DIAM_BAD_VERSION);
	assert_int_equal(frame_count(buf + 1, 3, NULL, 0), JITSIM_R_DIAM_BAD_VERSION);
	/* Version 1 but a length that cannot be a Diameter message. */
	load(dwa_hex, buf + lens[0]);
	buf[lens[0] + 3] = 18;
	assert_int_equal(frame_count(buf, n, lens, 1), JITSIM_R_DIAM_BAD_HEADER);
	buf[lens[0] + 3] = 97;
	assert_int_equal(frame_count(buf, n, lens, 1), JITSIM_R_DIAM_BAD_HEADER);
	buf[lens[0] + 3] = 100; /* 4 more than what is left */
	assert_int_equal(frame_count(buf, n, lens, 1), JITSIM_R_TCP_PARTIAL);
	buf[lens[0] + 3] = 96;
	assert_int_equal(frame_count(buf, n, lens, 2), JITSIM_R_END);
	/* Fewer bytes than a header, starting with version 1. */
	assert_int_equal(frame_count(buf, 19, NULL, 0), JITSIM_R_TCP_PARTIAL);
	assert_int_equal(frame_count(buf, 1, NULL, 0), JITSIM_R_TCP_PARTIAL);

	/* A real TCP segment holding one whole message (ndpi frame 1, tcp.len 344). */
	lens[0] = load(gy_ccr_hex, buf);
	assert_int_equal(frame_count(buf, lens[0], lens, 1), JITSIM_R_END);
}

/* ---- command names ---- */

static void
test_cmd_names(void **state)
{
	static const struct {
		uint32_t cmd;
		const char *name;
	} want[] = {
		{257, "Capabilities-Exchange"},
		{280, "Device-Watchdog"},
		{282, "Disconnect-Peer"},
		{272, "Credit-Control"},
		{265, "AA"},
		{300, "User-Authorization"},
		{301, "Server-Assignment"},
		{302, "Location-Info"},
		{303, "Multimedia-Auth"},
		{304, "Registration-Termination"},
		{305, "Push-Profile"},
		{316, "Update-Location"},
		{317, "Cancel-Location"},
		{318, "Authentication-Information"},
		{319, "Insert-Subscriber-Data"},
		{320, "Delete-Subscriber-Data"},
		{321, "Purge-UE"},
		{322, "Reset"},
		{323, "Notify"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(want) / sizeof(want[0]); i++) {
		const char *n = jitsim_diam_cmd_name(want[i].cmd);

		assert_non_null(n);
		assert_string_equal(n, want[i].name);
	}
	assert_null(jitsim_diam_cmd_name(0));
	assert_null(jitsim_diam_cmd_name(324));
	assert_null(jitsim_diam_cmd_name(0xffffff));
}

/* ---- encoder ---- */

#define TRY(x)                               \
	do {                                 \
		enum jitsim_reason r_ = (x); \
		if (r_ != JITSIM_R_OK)       \
			return r_;           \
	} while (0)

/* The AIR of s6a_diafuzzer_air.pcap, rebuilt AVP by AVP. */
static enum jitsim_reason
build_air(struct jitsim_wbuf *w, size_t *start)
{
	static const struct jitsim_diam_hdr h = {
		.flags = 0xc0,
		.cmd = 318,
		.app_id = 16777251,
		.hbh = 0x4d08bb37,
		.e2e = 0x4d08bb37,
	};
	static const uint8_t plmn[3] = {0x13, 0x51, 0x22};
	size_t g;

	TRY(jitsim_diam_encode_hdr(w, &h, start));
	TRY(jitsim_diam_encode_avp_str(w, 263, M, 0,
				       "ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585"));
	TRY(jitsim_diam_encode_avp_u32(w, 277, M, 0, 1));
	TRY(jitsim_diam_encode_avp_str(w, 264, M, 0, "ilscha99-mme-01.uscc.net"));
	TRY(jitsim_diam_encode_avp_str(w, 296, M, 0, "uscc.net"));
	TRY(jitsim_diam_encode_avp_str(w, 283, M, 0, "lte.ntwls.com"));
	TRY(jitsim_diam_encode_avp_str(w, 1, M, 0, "312420000021337"));
	/* V is implied by the vendor id. */
	TRY(jitsim_diam_encode_avp(w, 1407, M, 10415, plmn, 3));
	TRY(jitsim_diam_encode_group_begin(w, 260, M, 0, &g));
	TRY(jitsim_diam_encode_avp_u32(w, 266, M, 0, 10415));
	TRY(jitsim_diam_encode_avp_u32(w, 258, M, 0, 16777251));
	jitsim_diam_encode_group_end(w, g);
	TRY(jitsim_diam_encode_group_begin(w, 1408, M | V, 10415, &g));
	TRY(jitsim_diam_encode_avp_u32(w, 1410, M | V, 10415, 2));
	TRY(jitsim_diam_encode_avp_u32(w, 1412, M, 10415, 1));
	jitsim_diam_encode_group_end(w, g);
	jitsim_diam_encode_finish(w, *start);
	return JITSIM_R_OK;
}

static void
test_encode_air_exact(void **state)
{
	uint8_t want[MSG_MAX], buf[512];
	size_t n = load(air_hex, want), start;
	struct jitsim_wbuf w;
	uint8_t *p;

	(void)state;
	/* With headroom, as the dataplane builds it under SCTP/IP/link. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
	assert_int_equal(build_air(&w, &start), JITSIM_R_OK);
	assert_int_equal(start, 64);
	assert_int_equal(jitsim_wbuf_len(&w), n);
	assert_memory_equal(jitsim_wbuf_data(&w), want, n);
	/* Outer layers prepend later; the message does not move. */
	p = jitsim_wbuf_prepend(&w, 28);
	assert_non_null(p);
	assert_memory_equal(buf + start, want, n);
}

static void
test_encode_nospace(void **state)
{
	uint8_t want[MSG_MAX];
	size_t n = load(air_hex, want), start;

	(void)state;
	for (size_t cap = 0; cap <= n; cap++) {
		uint8_t *buf = malloc(cap ? cap : 1);
		struct jitsim_wbuf w;

		assert_non_null(buf);
		jitsim_wbuf_init(&w, buf, cap, 0);
		if (cap < n) {
			assert_int_equal(build_air(&w, &start), JITSIM_R_NOSPACE);
			assert_true(w.tail <= cap);
		} else {
			assert_int_equal(build_air(&w, &start), JITSIM_R_OK);
			assert_memory_equal(buf, want, n);
		}
		free(buf);
	}
}

static void
test_encode_atomic(void **state)
{
	uint8_t buf[64];
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h = {.cmd = 280};
	size_t start = 99;

	(void)state;
	/* Each append is all or nothing: a failure leaves the length unchanged. */
	jitsim_wbuf_init(&w, buf, 19, 0);
	assert_int_equal(jitsim_diam_encode_hdr(&w, &h, &start), JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	assert_int_equal(start, 99);

	jitsim_wbuf_init(&w, buf, 15, 0); /* a 13-byte AVP needs 16 with padding */
	assert_int_equal(jitsim_diam_encode_avp_str(&w, 1, M, 0, "12345"), JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	jitsim_wbuf_init(&w, buf, 16, 0);
	assert_int_equal(jitsim_diam_encode_avp_str(&w, 1, M, 0, "12345"), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), 16);
	/* AVP Length excludes the padding, which is zero. */
	assert_memory_equal(buf,
			    "\x00\x00\x00\x01\x40\x00\x00\x0d"
			    "12345\x00\x00\x00",
			    16);

	jitsim_wbuf_init(&w, buf, 11, 0);
	assert_int_equal(jitsim_diam_encode_group_begin(&w, 1400, M, 10415, &start),
			 JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	jitsim_wbuf_init(&w, buf, 15, 0);
	assert_int_equal(jitsim_diam_encode_avp_u32(&w, 1032, M, 10415, 1004), JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

static void
test_encode_flags_and_params(void **state)
{
	uint8_t buf[128];
	struct jitsim_wbuf w;
	size_t g;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	/* V asked for but no vendor: cleared (RFC 6733 4.1: V means a Vendor-ID follows). */
	assert_int_equal(jitsim_diam_encode_avp(&w, 1, M | V, 0, "x", 1), JITSIM_R_OK);
	/* Vendor given without V: set. */
	assert_int_equal(jitsim_diam_encode_avp(&w, 1407, M, 10415, "abc", 3), JITSIM_R_OK);
	/* Empty group: a header alone. */
	assert_int_equal(jitsim_diam_encode_group_begin(&w, 1400, M, 10415, &g), JITSIM_R_OK);
	jitsim_diam_encode_group_end(&w, g);
	assert_int_equal(jitsim_wbuf_len(&w), 12 + 16 + 12);
	assert_memory_equal(buf, "\x00\x00\x00\x01\x40\x00\x00\x09x\x00\x00\x00", 12);
	assert_memory_equal(buf + 12,
			    "\x00\x00\x05\x7f\xc0\x00\x00\x0f\x00\x00\x28\xaf"
			    "abc\x00",
			    16);
	assert_memory_equal(buf + 28, "\x00\x00\x05\x78\xc0\x00\x00\x0c\x00\x00\x28\xaf", 12);
	jitsim_diam_avp_iter_init(&it, buf, jitsim_wbuf_len(&w));
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_OK);
	assert_int_equal(a.data_len, 0);
	assert_int_equal(jitsim_diam_avp_next(&it, &a), JITSIM_R_END);

	/* BAD_PARAM: NULL string; data that cannot fit a 24-bit AVP Length. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_diam_encode_avp_str(&w, 1, M, 0, NULL), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_diam_encode_avp(&w, 1, M, 0, buf, 0xffffff - 7),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_diam_encode_avp(&w, 1, M, 10415, buf, 0xffffff - 11),
			 JITSIM_R_BAD_PARAM);
	/* The largest legal AVP is only too big for this buffer. */
	assert_int_equal(jitsim_diam_encode_avp(&w, 1, M, 0, buf, 0xffffff - 8), JITSIM_R_NOSPACE);
	assert_int_equal(jitsim_wbuf_len(&w), 0);

	/* group_end / finish with an offset that is not theirs do nothing. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_diam_encode_avp_u32(&w, 277, M, 0, 1), JITSIM_R_OK);
	jitsim_diam_encode_group_end(&w, 8);
	jitsim_diam_encode_finish(&w, 0);
	jitsim_diam_encode_finish(&w, 200);
	assert_memory_equal(buf, "\x00\x00\x01\x15\x40\x00\x00\x0c\x00\x00\x00\x01", 12);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_hdr_air),
		cmocka_unit_test(test_hdr_others),
		cmocka_unit_test(test_hdr_errors),
		cmocka_unit_test(test_hdr_truncations),
		cmocka_unit_test(test_avp_walk_air),
		cmocka_unit_test(test_avp_walk_gy),
		cmocka_unit_test(test_avp_walk_truncations),
		cmocka_unit_test(test_avp_padding),
		cmocka_unit_test(test_avp_bad_lengths),
		cmocka_unit_test(test_avp_find),
		cmocka_unit_test(test_avp_u32),
		cmocka_unit_test(test_framer_several),
		cmocka_unit_test(test_framer_errors),
		cmocka_unit_test(test_cmd_names),
		cmocka_unit_test(test_encode_air_exact),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_atomic),
		cmocka_unit_test(test_encode_flags_and_params),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
