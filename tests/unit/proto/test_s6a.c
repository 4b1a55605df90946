/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * S6a view of Diameter messages (TS 29.272) and the S6a encoder. Vectors are
 * real messages from the reference captures (diameter_raw of `tshark -T ek
 * -x`); each field is checked against the tshark 4.0 value quoted beside it.
 * The last test decodes every Diameter message of every reference capture
 * and checks the per-command counts and IMSIs against traces/README.md.
 */

#include <dirent.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>

#include "test_util.h"

/* s6a_diafuzzer_air.pcap frame 1: AIR over SCTP */
static const char air_hex[] = "01000118c000013e010000234d08bb374d08bb37000001074000003a696c7363"
			      "686139392d6d6d652d30312e757363632e6e65743b313436323938343133373b"
			      "3635303b312e31333b37313538350000000001154000000c0000000100000108"
			      "40000020696c7363686139392d6d6d652d30312e757363632e6e657400000128"
			      "40000010757363632e6e65740000011b400000156c74652e6e74776c732e636f"
			      "6d0000000000000140000017333132343230303030303231333337000000057f"
			      "c000000f000028af1351220000000104400000200000010a4000000c000028af"
			      "000001024000000c0100002300000580c000002c000028af00000582c0000010"
			      "000028af0000000200000584c0000010000028af00000001";

/* s6a_diafuzzer_air.pcap frame 2: AIA, Result-Code 2001 */
static const char aia_hex[] = "010001fc4000013e010000234d08bb374d08bb37000001074000003a696c7363"
			      "686139392d6d6d652d30312e757363632e6e65743b313436323938343133373b"
			      "3635303b312e31333b373135383500000000010c4000000c000007d100000108"
			      "400000274e54572d484159534b532d4853532d30312e6c74652e6e74776c732e"
			      "636f6d0000000128400000156c74652e6e74776c732e636f6d00000000000115"
			      "4000000c0000000100000104400000200000010a4000000c000028af00000102"
			      "4000000c0100002300000585c0000134000028af00000586c0000094000028af"
			      "0000058bc0000010000028af00000001000005a7c000001c000028af674790a8"
			      "1aa858e6528513a81321772f000005a8c0000014000028afc6ecf896bbb0e1dc"
			      "000005a9c000001c000028af4cee3ff3907c80001c9527d67f5ca9f9000005aa"
			      "c000002c000028afe4fafc285fbce7521981a6cb348ce98b257a5a21d46d2f45"
			      "26aca2386045f8aa00000586c0000094000028af0000058bc0000010000028af"
			      "00000002000005a7c000001c000028afb145ecb9b4f529b0380bef8848a61cde"
			      "000005a8c0000014000028af59a6d650d9eec1f2000005a9c000001c000028af"
			      "f952b04aedae8000815091d7ba4bc481000005aac000002c000028afd70654d3"
			      "86f21f408d8743cede4d049e5dc5c74ca10653c4e7caf5c21b329f9b";

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

/* s6a_open5gs_testattach.pcapng frame 51: ULA, Subscription-Data without MSISDN */
static const char ula51_hex[] = "010002184000013c010000237c8a72c5f3d80eec000001074000002c6d6d652e"
				"6c6f63616c646f6d61696e3b313539383131313534393b323b6170705f733661"
				"00000108400000176873732e6c6f63616c646f6d61696e000000012840000013"
				"6c6f63616c646f6d61696e000000010c4000000c000007d1000001154000000c"
				"000000010000057ec0000010000028af0000000100000578c0000164000028af"
				"00000592c0000010000028af0000002000000590c0000010000028af00000000"
				"00000589c0000010000028af000000020000059bc000002c000028af00000204"
				"c0000010000028af3d09000000000203c0000010000028af3d09000000000653"
				"80000010000028af000002d000000595c00000ec000028af0000058fc0000010"
				"000028af0000000100000594c0000010000028af0000000000000596c00000c0"
				"000028af0000058fc0000010000028af00000001000005b0c0000010000028af"
				"00000002000001ed40000010696e7465726e657400000597c0000058000028af"
				"00000404c0000010000028af000000090000040a8000003c000028af00000416"
				"80000010000028af0000000f0000041780000010000028af0000000100000418"
				"80000010000028af000000010000059bc000002c000028af00000204c0000010"
				"000028af3d09000000000203c0000010000028af3d0900000000010440000020"
				"0000010a4000000c000028af000001024000000c01000023";

/* s6a_open5gs_testattach.pcapng frame 115: AIR for the unknown IMSI */
static const char air115_hex[] = "01000100c000013e010000237c8a72c6f3d80eed000001074000002c6d6d652e"
				 "6c6f63616c646f6d61696e3b313539383131313534393b333b6170705f733661"
				 "000001154000000c0000000100000108400000176d6d652e6c6f63616c646f6d"
				 "61696e0000000128400000136c6f63616c646f6d61696e000000011b40000013"
				 "6c6f63616c646f6d61696e000000000140000017393031373037333634303030"
				 "3036350000000580c000002c000028af00000582c0000010000028af00000001"
				 "00000584c0000010000028af000000010000057fc000000f000028af09f10700"
				 "00000104400000200000010a4000000c000028af000001024000000c01000023";

/* s6a_open5gs_testattach.pcapng frame 116: AIA, Experimental-Result 5001 */
static const char aia116_hex[] = "010000b84000013e010000237c8a72c6f3d80eed000001074000002c6d6d652e"
				 "6c6f63616c646f6d61696e3b313539383131313534393b333b6170705f733661"
				 "00000129400000200000010a4000000c000028af0000012a4000000c00001389"
				 "00000108400000176873732e6c6f63616c646f6d61696e000000012840000013"
				 "6c6f63616c646f6d61696e00000001154000000c000000010000010440000020"
				 "0000010a4000000c000028af000001024000000c01000023";

/* s6a_magma_nsa_tcp.pcapng frame 19: AIR over TCP */
static const char nsa19_hex[] = "01000120c000013e01000023025ffb1d0000000000000107400000346d6d652e"
				"6f70656e616972696e746572666163652e6f72673b313630393835393032303b"
				"343b617070733661000001154000000c0000000100000108400000206d6d652e"
				"6f70656e616972696e746572666163652e6f7267000001284000001c6f70656e"
				"616972696e746572666163652e6f726700000125400000206873732e6f70656e"
				"616972696e746572666163652e6f72670000011b4000001c6f70656e61697269"
				"6e746572666163652e6f72670000000140000017323232303130313030303031"
				"313430000000057fc000000f000028af22f2100000000580c000002c000028af"
				"00000582c0000010000028af0000000100000584c0000010000028af00000000";

/* s6a_magma_nsa_tcp.pcapng frame 30: ULA over TCP, MSISDN in Subscription-Data */
static const char nsa30_hex[] = "010003d04000013c01000023025ffb1e0000000000000107400000346d6d652e"
				"6f70656e616972696e746572666163652e6f72673b313630393835393032303b"
				"353b61707073366100000108400000206873732e6f70656e616972696e746572"
				"666163652e6f7267000001284000001c6f70656e616972696e74657266616365"
				"2e6f7267000001154000000c000000010000057ec0000010000028af00000001"
				"00000578c0000324000028af00000592c0000010000028af0000002900000590"
				"c0000010000028af0000000000000589c0000010000028af00000002000005a6"
				"c000000e000028af01230000000005a6c000000e000028af45670000000005a6"
				"c000000e000028af89ab0000000005a6c000000e000028afcdef0000000005a6"
				"c000000e000028af12340000000005a6c000000e000028af56780000000005a6"
				"c000000e000028af9abc0000000005a6c000000e000028afdef00000000005a6"
				"c000000e000028af23450000000005a6c000000e000028af67890000000002bd"
				"c000000d000028af210000000000059bc000002c000028af00000204c0000010"
				"000028af02faf08000000203c0000010000028af05f5e10000000595c00001fc"
				"000028af0000058fc0000010000028af0000000000000594c0000010000028af"
				"0000000000000596c00000e8000028af0000058fc0000010000028af00000000"
				"000005b0c0000010000028af00000000000001ed400000106f61692e69707634"
				"00000597c0000058000028af00000404c0000010000028af000000090000040a"
				"8000003c000028af0000041680000010000028af0000000f0000041780000010"
				"000028af000000000000041880000010000028af000000000000059bc000002c"
				"000028af00000204c0000010000028af02faf08000000203c0000010000028af"
				"05f5e1000000059ec0000010000028af00000000000001e6400000180000014e"
				"4000000e9210b6b09e7f000000000596c00000e8000028af0000058fc0000010"
				"000028af00000000000005b0c0000010000028af00000000000001ed40000010"
				"696e7465726e657400000597c0000058000028af00000404c0000010000028af"
				"000000090000040a8000003c000028af0000041680000010000028af0000000d"
				"0000041780000010000028af000000010000041880000010000028af00000000"
				"0000059bc000002c000028af00000204c0000010000028af02faf08000000203"
				"c0000010000028af05f5e1000000059ec0000010000028af00000000000001e6"
				"400000180000014e4000000e9210b6b09e7f00000000065380000010000028af"
				"000000000000010c4000000c000007d1";

/* s6a_magma_gxgy03.pcapng frame 37: ULA, MSISDN 1234567810 */
static const char gx37_hex[] = "010002d04000013c01000023a4fc5ea66ec5c5c5000001074000003a73747269"
			       "6e672d7336613b363737393831393930343736313233353435303b3236343934"
			       "32343935303b3863663138373236000000000104400000200000010a4000000c"
			       "000028af000001024000000c010000230000010c4000000c000007d100000115"
			       "4000000c00000001000001084000001a74766d2d766873732e6d61676d612e63"
			       "6f6d000000000128400000116d61676d612e636f6d00000000000578c0000218"
			       "000028af00000590c0000010000028af00000000000002bdc0000011000028af"
			       "214365870100000000000589c0000010000028af0000000200000592c0000010"
			       "000028af0000000300000593c000001e000028af6d6e633030312e6d63633030"
			       "312e6770727300000000000d8000000e000028af313200000000059bc000002c"
			       "000028af00000204c0000010000028af02cd29c000000203c0000010000028af"
			       "05c81a4000000595c000016c000028af0000058fc0000010000028af00000001"
			       "00000594c0000010000028af0000000000000596c0000140000028af0000058f"
			       "c0000010000028af00000001000005b0c0000010000028af00000002000001ed"
			       "40000010696e7465726e657400000597c0000048000028af00000404c0000010"
			       "000028af000000090000040ac000002c000028af00000416c0000010000028af"
			       "0000000900000417c0000010000028af0000000000000598c0000010000028af"
			       "00000001000001e6400000340000014e4000000e0001ac10010200000000014e"
			       "4000001a00022516000000000000017200160001000200000000059ec0000010"
			       "000028af000000010000025880000029000028af6d6e633030322e6d63633030"
			       "312e336770706e6574776f726b2e6f72670000000000000dc000000e000028af"
			       "313200000000059bc000002c000028af00000204c0000010000028af02cd29c0"
			       "00000203c0000010000028af05c81a40";

/* s6a_magma_gxgy03.pcapng frame 252: PUR */
static const char pur252_hex[] = "010000d4c0000141010000239ce92dae9a10786f000001074000003a73747269"
				 "6e672d7336613b31323330363334323830363832303236393039313b33393330"
				 "36353536373b35623234626562340000000001154000000c0000000100000108"
				 "4000000e737472696e670000000001284000000e737472696e67000000000116"
				 "4000000c60920884000000014000001739393939393132333435363738313000"
				 "0000011b400000116d61676d612e636f6d000000000001254000001d6d61676d"
				 "612d66656467772e6d61676d612e636f6d000000";

/* s6a_magma_gxgy03.pcapng frame 253: PUA */
static const char pua253_hex[] = "010000b840000141010000239ce92dae9a10786f000001074000003a73747269"
				 "6e672d7336613b31323330363334323830363832303236393039313b33393330"
				 "36353536373b3562323462656234000000000104400000200000010a4000000c"
				 "000028af000001024000000c010000230000010c4000000c000007d100000115"
				 "4000000c00000001000001084000001a74766d2d766873732e6d61676d612e63"
				 "6f6d000000000128400000116d61676d612e636f6d000000";

/* diam_diafuzzer_cx.pcap frame 1: Cx UAR, User-Name alice@open-ims.test */
static const char cx_uar_hex[] = "01000114c000012c010000005f2688633b88075f000001074000002969637363"
				 "662e6f70656e2d696d732e746573743b3435373332343031363b313032000000"
				 "000001084000001b69637363662e6f70656e2d696d732e746573740000000128"
				 "400000156f70656e2d696d732e746573740000000000011b400000156f70656e"
				 "2d696d732e7465737400000000000104400000200000010a4000000c000028af"
				 "000001024000000c01000000000001154000000c00000001000000014000001b"
				 "616c696365406f70656e2d696d732e746573740000000259c0000023000028af"
				 "7369703a616c696365406f70656e2d696d732e746573740000000258c0000019"
				 "000028af6f70656e2d696d732e74657374000000";

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

/* diam_diafuzzer_s6a_cer_dwr.pcap frame 5: CER */
static const char cer_hex[] = "010000e8800001010000000051938e31bb930b5000000108400000196d6d652e"
			      "6f70656e61697234472e65757200000000000128400000156f70656e61697234"
			      "472e657572000000000001164000000c59478bb9000001014000000e00010a00"
			      "01030000000001014000000e00010a0002020000000001014000000e00010a00"
			      "030200000000010a4000000c000000000000010d00000014667265654469616d"
			      "657465720000010b0000000c000027d80000012b4000000c0000000000000104"
			      "40000020000001024000000c010000230000010a4000000c000028af00000109"
			      "4000000c000028af";

#define MSG_MAX 4096
#define M JITSIM_DIAM_AVP_M
#define V3 JITSIM_DIAM_VENDOR_3GPP

static size_t
load(const char *hex, uint8_t *out)
{
	return test_hex(hex, out, MSG_MAX);
}

static enum jitsim_reason
decode_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_s6a_decode(p, len, ctx);
}

/* Decode an exactly-sized heap copy (ASan sees any read past the message). */
static enum jitsim_reason
decode(const char *hex, struct jitsim_s6a *s)
{
	uint8_t m[MSG_MAX];
	size_t n = load(hex, m);
	enum jitsim_reason r = test_decode_exact(m, n, decode_fn, s);

	/* Pointers into the freed copy must not be used: decode again in place. */
	if (r == JITSIM_R_OK)
		test_truncations(m, n, decode_fn, s, NULL);
	return r;
}

/* A view's string equals @p want (NULL: absent). */
static void
expect_str(const struct jitsim_s6a_str *s, const char *want)
{
	if (want == NULL) {
		assert_null(s->p);
		assert_int_equal(s->len, 0);
		return;
	}
	assert_non_null(s->p);
	assert_int_equal(s->len, strlen(want));
	assert_memory_equal(s->p, want, s->len);
}

/* Decode in a buffer that outlives the view, for string checks. */
static void
decode_keep(const char *hex, uint8_t *m, struct jitsim_s6a *s)
{
	size_t n = load(hex, m);

	assert_int_equal(jitsim_s6a_decode(m, n, s), JITSIM_R_OK);
	assert_int_equal(s->hdr.length, n);
}

/* ---- real messages ---- */

static void
test_air_diafuzzer(void **state)
{
	static const char want_dump[] =
		"cmd=318 cmd_name=Authentication-Information request=1 app_id=16777251 "
		"hbh=0x4d08bb37 e2e=0x4d08bb37 "
		"session_id=ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585 "
		"origin_host=ilscha99-mme-01.uscc.net origin_realm=uscc.net "
		"dest_realm=lte.ntwls.com imsi=312420000021337 visited_plmn=311225 n_vectors=2";
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	char buf[512];

	(void)state;
	assert_int_equal(decode(air_hex, &s), JITSIM_R_OK);
	decode_keep(air_hex, m, &s);
	/* tshark: cmd 318, flags 0xc0, app 16777251, h2h = e2e = 0x4d08bb37 */
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_AIR);
	assert_int_equal(s.hdr.flags, 0xc0);
	assert_true(s.is_request);
	assert_int_equal(s.hdr.app_id, JITSIM_S6A_APP_ID);
	assert_int_equal(s.hdr.hbh, 0x4d08bb37);
	assert_int_equal(s.hdr.e2e, 0x4d08bb37);
	expect_str(&s.session_id, "ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585");
	expect_str(&s.origin_host, "ilscha99-mme-01.uscc.net");
	expect_str(&s.origin_realm, "uscc.net");
	expect_str(&s.dest_host, NULL);
	expect_str(&s.dest_realm, "lte.ntwls.com");
	/* e212.imsi 312420000021337 */
	assert_true(s.has_user_name);
	assert_false(s.user_name_not_digits);
	assert_string_equal(s.user_name.d, "312420000021337");
	assert_int_equal(s.user_name.n, 15);
	/* Visited-PLMN-Id 135122: e212.mcc 311, e212.mnc 225 */
	assert_true(s.has_visited_plmn);
	assert_memory_equal(s.visited_plmn, "\x13\x51\x22", 3);
	assert_string_equal(s.visited_mcc_mnc, "311225");
	/* Number-Of-Requested-Vectors 2 */
	assert_true(s.has_n_vectors);
	assert_int_equal(s.n_vectors, 2);
	assert_false(s.has_rat_type);
	assert_false(s.has_ulr_flags);
	assert_false(s.has_imei);
	assert_false(s.has_sv);
	assert_false(s.has_msisdn);
	assert_false(s.has_result_code);
	assert_false(s.has_exp_result);

	assert_int_equal(jitsim_s6a_dump(&s, buf, sizeof(buf)), (int)strlen(want_dump));
	assert_string_equal(buf, want_dump);
	assert_int_equal(jitsim_s6a_dump(&s, buf, 20), (int)strlen(want_dump));
	assert_int_equal(strlen(buf), 19);
	assert_int_equal(jitsim_s6a_dump(&s, NULL, 0), (int)strlen(want_dump));
}

static void
test_aia_diafuzzer(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	char buf[512];

	(void)state;
	assert_int_equal(decode(aia_hex, &s), JITSIM_R_OK);
	decode_keep(aia_hex, m, &s);
	/* tshark frame 2: flags 0x40, Result-Code 2001, Origin-Host NTW-HAYSKS-HSS-01... */
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_AIR);
	assert_int_equal(s.hdr.flags, 0x40);
	assert_false(s.is_request);
	assert_int_equal(s.hdr.hbh, 0x4d08bb37);
	expect_str(&s.session_id, "ilscha99-mme-01.uscc.net;1462984137;650;1.13;71585");
	expect_str(&s.origin_host, "NTW-HAYSKS-HSS-01.lte.ntwls.com");
	expect_str(&s.origin_realm, "lte.ntwls.com");
	expect_str(&s.dest_realm, NULL);
	assert_true(s.has_result_code);
	assert_int_equal(s.result_code, 2001);
	assert_false(s.has_exp_result);
	assert_false(s.has_user_name);
	assert_false(s.has_visited_plmn);
	assert_false(s.has_n_vectors);
	jitsim_s6a_dump(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, " request=0 "));
	assert_non_null(strstr(buf, " result_code=2001"));
	assert_null(strstr(buf, "imsi="));
}

static void
test_ulr_open5gs(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	char buf[512];

	(void)state;
	assert_int_equal(decode(ulr50_hex, &s), JITSIM_R_OK);
	decode_keep(ulr50_hex, m, &s);
	/* tshark testattach frame 50 */
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_ULR);
	assert_true(s.is_request);
	assert_int_equal(s.hdr.hbh, 0x7c8a72c5);
	assert_int_equal(s.hdr.e2e, 0xf3d80eec);
	expect_str(&s.session_id, "mme.localdomain;1598111549;2;app_s6a");
	expect_str(&s.origin_host, "mme.localdomain");
	expect_str(&s.origin_realm, "localdomain");
	expect_str(&s.dest_host, NULL);
	expect_str(&s.dest_realm, "localdomain");
	assert_string_equal(s.user_name.d, "901707364000060");
	/* Visited-PLMN-Id 09f107: MCC 901, MNC 70 (two digits, MNC digit 3 = F) */
	assert_memory_equal(s.visited_plmn, "\x09\xf1\x07", 3);
	assert_string_equal(s.visited_mcc_mnc, "90170");
	/* RAT-Type 1004 (EUTRAN), ULR-Flags 2, IMEI 86650704004053, Software-Version 01 */
	assert_true(s.has_rat_type);
	assert_int_equal(s.rat_type, 1004);
	assert_true(s.has_ulr_flags);
	assert_int_equal(s.ulr_flags, 2);
	assert_true(s.has_imei);
	assert_string_equal(s.imei.d, "86650704004053");
	assert_true(s.has_sv);
	assert_string_equal(s.sv.d, "01");
	assert_false(s.has_n_vectors);
	jitsim_s6a_dump(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, " rat_type=1004 ulr_flags=0x2 imei=86650704004053 sv=01"));
}

static void
test_ula_open5gs_no_msisdn(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;

	(void)state;
	/*
	 * Subscription-Data without MSISDN but with APN-Configuration-Profile >
	 * APN-Configuration > EPS-Subscribed-QoS-Profile > ARP (5 levels): the
	 * search goes through them all and finds nothing.
	 */
	assert_int_equal(decode(ula51_hex, &s), JITSIM_R_OK);
	decode_keep(ula51_hex, m, &s);
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_ULR);
	assert_false(s.is_request);
	expect_str(&s.origin_host, "hss.localdomain");
	assert_int_equal(s.result_code, 2001);
	assert_false(s.has_msisdn);
	assert_false(s.has_user_name);
}

static void
test_air_aia_user_unknown(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	char buf[512];

	(void)state;
	assert_int_equal(decode(air115_hex, &s), JITSIM_R_OK);
	decode_keep(air115_hex, m, &s);
	assert_string_equal(s.user_name.d, "901707364000065");
	assert_string_equal(s.visited_mcc_mnc, "90170");
	assert_int_equal(s.n_vectors, 1);
	assert_int_equal(s.hdr.hbh, 0x7c8a72c6);
	assert_int_equal(s.hdr.e2e, 0xf3d80eed);

	/* Experimental-Result { Vendor-Id 10415, Experimental-Result-Code 5001 }, no Result-Code */
	assert_int_equal(decode(aia116_hex, &s), JITSIM_R_OK);
	decode_keep(aia116_hex, m, &s);
	assert_false(s.is_request);
	assert_int_equal(s.hdr.hbh, 0x7c8a72c6);
	assert_false(s.has_result_code);
	assert_true(s.has_exp_result);
	assert_int_equal(s.exp_vendor, 10415);
	assert_int_equal(s.exp_result_code, 5001);
	expect_str(&s.session_id, "mme.localdomain;1598111549;3;app_s6a");
	jitsim_s6a_dump(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, " exp_result=10415/5001"));
}

static void
test_magma_tcp(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;

	(void)state;
	/* s6a_magma_nsa_tcp frame 19 (TCP): AIR with Destination-Host */
	assert_int_equal(decode(nsa19_hex, &s), JITSIM_R_OK);
	decode_keep(nsa19_hex, m, &s);
	assert_int_equal(s.hdr.hbh, 0x025ffb1d);
	assert_int_equal(s.hdr.e2e, 0);
	expect_str(&s.session_id, "mme.openairinterface.org;1609859020;4;apps6a");
	expect_str(&s.origin_host, "mme.openairinterface.org");
	expect_str(&s.origin_realm, "openairinterface.org");
	expect_str(&s.dest_host, "hss.openairinterface.org");
	expect_str(&s.dest_realm, "openairinterface.org");
	assert_string_equal(s.user_name.d, "222010100001140");
	/* 22f210: MCC 222, MNC 01 */
	assert_string_equal(s.visited_mcc_mnc, "22201");
	assert_int_equal(s.n_vectors, 1);

	/* frame 30: ULA, MSISDN 0x21 -> "12" (E.164 number (MSISDN): 12) */
	assert_int_equal(decode(nsa30_hex, &s), JITSIM_R_OK);
	decode_keep(nsa30_hex, m, &s);
	assert_int_equal(s.hdr.length, 976);
	assert_int_equal(s.result_code, 2001);
	assert_true(s.has_msisdn);
	assert_string_equal(s.msisdn.d, "12");
}

static void
test_magma_ula_pur(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;

	(void)state;
	/* gxgy03 frame 37: MSISDN 2143658701 -> E.164 number 1234567810 */
	assert_int_equal(decode(gx37_hex, &s), JITSIM_R_OK);
	decode_keep(gx37_hex, m, &s);
	assert_int_equal(s.hdr.hbh, 0xa4fc5ea6);
	assert_int_equal(s.hdr.e2e, 0x6ec5c5c5);
	expect_str(&s.origin_host, "tvm-vhss.magma.com");
	assert_true(s.has_msisdn);
	assert_string_equal(s.msisdn.d, "1234567810");
	assert_int_equal(s.result_code, 2001);

	/* frame 252: PUR, Origin-Host "string" */
	assert_int_equal(decode(pur252_hex, &s), JITSIM_R_OK);
	decode_keep(pur252_hex, m, &s);
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_PUR);
	assert_true(s.is_request);
	assert_int_equal(s.hdr.hbh, 0x9ce92dae);
	assert_int_equal(s.hdr.e2e, 0x9a10786f);
	expect_str(&s.session_id, "string-s6a;12306342806820269091;393065567;5b24beb4");
	expect_str(&s.origin_host, "string");
	expect_str(&s.origin_realm, "string");
	expect_str(&s.dest_host, "magma-fedgw.magma.com");
	expect_str(&s.dest_realm, "magma.com");
	assert_string_equal(s.user_name.d, "999991234567810");
	assert_false(s.has_visited_plmn);

	assert_int_equal(decode(pua253_hex, &s), JITSIM_R_OK);
	decode_keep(pua253_hex, m, &s);
	assert_false(s.is_request);
	assert_int_equal(s.result_code, 2001);
	expect_str(&s.origin_host, "tvm-vhss.magma.com");
}

static void
test_other_applications(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	char buf[512];

	(void)state;
	/* Cx UAR (app 16777216): User-Name is a NAI, not an IMSI. */
	assert_int_equal(decode(cx_uar_hex, &s), JITSIM_R_OK);
	decode_keep(cx_uar_hex, m, &s);
	assert_int_equal(s.hdr.cmd, 300);
	assert_int_equal(s.hdr.app_id, 16777216);
	assert_int_equal(s.hdr.hbh, 0x5f268863);
	assert_int_equal(s.hdr.e2e, 0x3b88075f);
	expect_str(&s.session_id, "icscf.open-ims.test;457324016;102");
	expect_str(&s.origin_host, "icscf.open-ims.test");
	expect_str(&s.dest_realm, "open-ims.test");
	assert_true(s.has_user_name);
	assert_true(s.user_name_not_digits);
	assert_int_equal(s.user_name.n, 0);
	assert_string_equal(s.user_name.d, "");
	jitsim_s6a_dump(&s, buf, sizeof(buf));
	assert_non_null(strstr(buf, "cmd_name=User-Authorization"));
	assert_non_null(strstr(buf, " user_name=not_digits"));

	/* Gy CCR (app 4) over TCP: flags 0x80 (not proxiable) */
	assert_int_equal(decode(gy_ccr_hex, &s), JITSIM_R_OK);
	decode_keep(gy_ccr_hex, m, &s);
	assert_int_equal(s.hdr.cmd, 272);
	assert_int_equal(s.hdr.app_id, 4);
	assert_true(s.is_request);
	expect_str(&s.session_id, "nxl;api;1263278878147");
	expect_str(&s.origin_host, "nxl1.netxcell.com");
	expect_str(&s.origin_realm, "netxcell.com");
	expect_str(&s.dest_host, "dgu2.comverse.com");
	expect_str(&s.dest_realm, "comverse.com");
	assert_false(s.has_user_name);

	/* CER (app 0): no Session-Id */
	assert_int_equal(decode(cer_hex, &s), JITSIM_R_OK);
	decode_keep(cer_hex, m, &s);
	assert_int_equal(s.hdr.cmd, 257);
	expect_str(&s.session_id, NULL);
	expect_str(&s.origin_host, "mme.openair4G.eur");
	expect_str(&s.origin_realm, "openair4G.eur");
}

/* ---- hand-built messages ---- */

/* Diameter S6a request with the given AVPs (hex), header length set. */
static size_t
mk(uint8_t *buf, size_t cap, const char *avps_hex)
{
	size_t n;

	memcpy(buf,
	       "\x01\x00\x00\x00\xc0\x00\x01\x3e\x01\x00\x00\x23"
	       "\x00\x00\x00\x01\x00\x00\x00\x02",
	       20);
	n = 20 + test_hex(avps_hex, buf + 20, cap - 20);
	assert_int_equal(n % 4, 0);
	jitsim_put_be24(buf + 1, (uint32_t)n);
	return n;
}

static enum jitsim_reason
decode_hex_avps(const char *avps_hex, struct jitsim_s6a *s)
{
	uint8_t m[MSG_MAX];
	size_t n = mk(m, sizeof(m), avps_hex);

	return test_decode_exact(m, n, decode_fn, s);
}

static void
test_errors_header(void **state)
{
	uint8_t m[MSG_MAX];
	size_t n = load(air_hex, m);
	struct jitsim_s6a s;

	(void)state;
	assert_int_equal(test_decode_exact(m, 19, decode_fn, &s), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(m, n - 1, decode_fn, &s), JITSIM_R_TRUNCATED);
	m[0] = 2;
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_BAD_VERSION);
	m[0] = 1;
	m[3] = 0x17; /* 279: not a multiple of 4 */
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_BAD_HEADER);
	m[1] = 0, m[2] = 0, m[3] = 12;
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_BAD_HEADER);
	/* Header only: a valid, empty view. */
	m[3] = 20;
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_OK);
	assert_true(s.is_request);
	assert_null(s.session_id.p);
	assert_false(s.has_user_name);
}

static void
test_errors_avp_format(void **state)
{
	static const char *bad[] = {
		/* top-level AVP length past the end */
		"00000001 40000018 3132333435000000",
		/* top-level AVP length 0 */
		"00000001 40000000 00000000",
		/* RAT-Type of 3 octets */
		"00000408 c000000f 000028af 0003ec00",
		/* ULR-Flags of 5 octets */
		"0000057d c0000011 000028af 0000000200 000000",
		/* Result-Code of 2 octets */
		"0000010c 4000000a 07d10000",
		/* Visited-PLMN-Id of 2 and 4 octets */
		"0000057f c000000e 000028af 09f10000",
		"0000057f c0000010 000028af 09f10700",
		/* Visited-PLMN-Id with a non-BCD MCC digit, and with MNC digit 3 where MCC 3 is */
		"0000057f c000000f 000028af 0af10700",
		"0000057f c000000f 000028af 091f0700",
		/* Terminal-Information with an IMEI that is not digits, or empty */
		"00000579 c000001c 000028af 0000057a c000000f 000028af 31323a00",
		"00000579 c0000018 000028af 0000057a c000000c 000028af",
		/* Terminal-Information holding a bad AVP length */
		"00000579 c0000018 000028af 0000057a c0000020 000028af",
		/* Software-Version longer than JITSIM_DIGITS_MAX */
		"00000579 c0000038 000028af 0000057b c000002d 000028af"
		"3030303030303030303030303030303030303030303030303030303030303030 30000000",
		/* Requested-EUTRAN-Authentication-Info: vectors of 8 octets; bad inner length */
		"00000580 c000001c 000028af 00000582 c0000014 000028af 0000000000000002",
		"00000580 c0000018 000028af 00000582 c0000004 000028af",
		/* Experimental-Result: code of 3 octets; Vendor-Id of 5; bad inner length */
		"00000129 40000014 0000012a 4000000b 00138900",
		"00000129 40000020 0000010a 4000000d 000028af00 000000 0000012a 4000000c 00001389",
		"00000129 40000010 0000012a 40000000",
		/* MSISDN at the top with a filler in the middle, inside Subscription-Data too */
		"000002bd c000000f 000028af 21f34300",
		"00000578 c000001c 000028af 000002bd c000000f 000028af 21f34300",
		/* Subscription-Data holding a bad AVP length */
		"00000578 c0000018 000028af 000002bd c0000040 000028af",
	};
	struct jitsim_s6a s;

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		enum jitsim_reason r = decode_hex_avps(bad[i], &s);

		if (r != JITSIM_R_DIAM_BAD_AVP)
			fail_msg("case %zu: %s", i, jitsim_reason_str(r));
	}
}

static void
test_errors_long_string(void **state)
{
	/* Session-Id longer than the view's 16-bit length: reported, not cut. */
	size_t data = 70000, alen = 8 + data, n = 20 + ((alen + 3) & ~(size_t)3);
	uint8_t *m = calloc(1, n);
	struct jitsim_s6a s;

	(void)state;
	assert_non_null(m);
	mk(m, 20, "");
	jitsim_put_be24(m + 1, (uint32_t)n);
	jitsim_put_be32(m + 20, JITSIM_AVP_SESSION_ID);
	m[24] = M;
	jitsim_put_be24(m + 25, (uint32_t)alen);
	memset(m + 28, 'a', data);
	assert_int_equal(jitsim_s6a_decode(m, n, &s), JITSIM_R_DIAM_BAD_AVP);
	/* At the limit it is kept whole. */
	alen = 8 + UINT16_MAX;
	jitsim_put_be24(m + 25, (uint32_t)alen);
	n = 20 + ((alen + 3) & ~(size_t)3);
	jitsim_put_be24(m + 1, (uint32_t)n);
	assert_int_equal(jitsim_s6a_decode(m, n, &s), JITSIM_R_OK);
	assert_int_equal(s.session_id.len, UINT16_MAX);
	free(m);
}

static void
test_user_name_forms(void **state)
{
	struct jitsim_s6a s;

	(void)state;
	/* 32 digits: the most the view keeps */
	assert_int_equal(
		decode_hex_avps("00000001 40000028"
				"3132333435363738393031323334353637383930313233343536373839303132",
				&s),
		JITSIM_R_OK);
	assert_false(s.user_name_not_digits);
	assert_int_equal(s.user_name.n, 32);
	/* 33 digits, a letter, empty: present but not an IMSI */
	assert_int_equal(
		decode_hex_avps("00000001 40000029"
				"3132333435363738393031323334353637383930313233343536373839303132"
				"33000000",
				&s),
		JITSIM_R_OK);
	assert_true(s.has_user_name);
	assert_true(s.user_name_not_digits);
	assert_int_equal(s.user_name.n, 0);
	assert_int_equal(decode_hex_avps("00000001 4000000e 3132332f3435 0000", &s), JITSIM_R_OK);
	assert_true(s.user_name_not_digits);
	assert_int_equal(decode_hex_avps("00000001 40000008", &s), JITSIM_R_OK);
	assert_true(s.has_user_name);
	assert_true(s.user_name_not_digits);
}

/*
 * The IMSI key is found while the User-Name is checked (8 digits at a time
 * for 8..16 digits): it must equal jitsim_digits_key() for every length and
 * every position of a non-digit.
 */
static void
test_user_name_key(void **state)
{
	static const char digits[] = "49015420323751800123456789012345678";
	struct jitsim_s6a s;
	uint8_t m[MSG_MAX];
	char name[40];

	(void)state;
	for (size_t n = 1; n <= 33; n++) {
		for (size_t bad = 0; bad <= n; bad++) {
			size_t alen = 8 + n, len;

			memcpy(name, digits + n % 3, n);
			if (bad < n)
				name[bad] = bad % 2 ? '/' : ':'; /* just below and above '0'..'9' */
			len = mk(m, sizeof(m), "");
			jitsim_put_be32(m + len, JITSIM_AVP_USER_NAME);
			jitsim_put_be32(m + len + 4, 0x40000000 | (uint32_t)alen);
			memcpy(m + len + 8, name, n);
			memset(m + len + alen, 0, (4 - alen % 4) % 4);
			len += (alen + 3) & ~(size_t)3;
			jitsim_put_be24(m + 1, (uint32_t)len);
			assert_int_equal(test_decode_exact(m, len, decode_fn, &s), JITSIM_R_OK);
			assert_true(s.has_user_name);
			if (bad < n || n > JITSIM_DIGITS_MAX) {
				assert_true(s.user_name_not_digits);
				assert_int_equal(s.user_name.n, 0);
				continue;
			}
			assert_false(s.user_name_not_digits);
			assert_int_equal(s.user_name.n, n);
			assert_memory_equal(s.user_name.d, name, n);
			assert_int_equal(s.user_name.d[n], '\0');
			assert_true(s.user_name_key == jitsim_digits_key(&s.user_name));
			if (n <= 16)
				assert_true(s.user_name_key != 0);
		}
	}
}

static void
test_vendor_and_duplicates(void **state)
{
	uint8_t m[256];
	struct jitsim_s6a s;
	size_t n;

	(void)state;
	/* AVP codes are per vendor: 1407 without V, 1 with 3GPP, 1407 of vendor 5535 */
	assert_int_equal(decode_hex_avps("0000057f 4000000b 09f10700"
					 "00000001 c000000d 000028af 31000000"
					 "0000057f c000000f 0000159f 09f10700",
					 &s),
			 JITSIM_R_OK);
	assert_false(s.has_visited_plmn);
	assert_false(s.has_user_name);

	/* First occurrence wins; a later copy is not looked at. */
	assert_int_equal(decode_hex_avps("00000001 4000000a 3132 0000"
					 "00000001 4000000a 3334 0000"
					 "0000010c 4000000c 000007d1"
					 "0000010c 4000000a 07d10000"
					 "00000129 40000020 0000010a 4000000c 000028af"
					 "                  0000012a 4000000c 00001389"
					 "00000129 40000020 0000010a 4000000c 00000000"
					 "                  0000012a 4000000c 00000bb9",
					 &s),
			 JITSIM_R_OK);
	assert_string_equal(s.user_name.d, "12");
	assert_int_equal(s.result_code, 2001);
	n = mk(m, sizeof(m),
	       "00000108 4000000b 6f6e6500"   /* Origin-Host "one" */
	       "00000108 4000000b 74776f00"); /* Origin-Host "two" */
	assert_int_equal(jitsim_s6a_decode(m, n, &s), JITSIM_R_OK);
	expect_str(&s.origin_host, "one");
	assert_int_equal(s.exp_vendor, 10415);
	assert_int_equal(s.exp_result_code, 5001);

	/* Experimental-Result without its code is not a result; without Vendor-Id reads 0. */
	assert_int_equal(decode_hex_avps("00000129 40000014 0000010a 4000000c 000028af", &s),
			 JITSIM_R_OK);
	assert_false(s.has_exp_result);
	assert_int_equal(decode_hex_avps("00000129 40000014 0000012a 4000000c 00001389", &s),
			 JITSIM_R_OK);
	assert_true(s.has_exp_result);
	assert_int_equal(s.exp_vendor, 0);
	assert_int_equal(s.exp_result_code, 5001);

	/* MSISDN at the top wins over Subscription-Data; last-AVP padding may be missing. */
	assert_int_equal(decode_hex_avps("000002bd c000000e 000028af 2143 0000"
					 "00000578 c000001c 000028af 000002bd c000000f 000028af "
					 "214365 00",
					 &s),
			 JITSIM_R_OK);
	assert_string_equal(s.msisdn.d, "1234");
	/* An OctetString that happens to look like AVPs is not searched. */
	assert_int_equal(decode_hex_avps("00000578 c0000028 000028af 0000270f c000001c 000028af "
					 "000002bd c000000e 000028af 2143 0000",
					 &s),
			 JITSIM_R_OK);
	assert_false(s.has_msisdn);
}

/* Subscription-Data { APN-Configuration-Profile^levels { [MSISDN] } [MSISDN at top] } */
static size_t
build_nested(uint8_t *buf, size_t cap, unsigned int levels, bool msisdn_inside, bool msisdn_direct)
{
	static const uint8_t msisdn[] = {0x21, 0x43};
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr h = {.flags = 0x40, .cmd = 316, .app_id = JITSIM_S6A_APP_ID};
	size_t start, grp[64], g;

	assert_true(levels < 64);
	jitsim_wbuf_init(&w, buf, cap, 0);
	assert_int_equal(jitsim_diam_encode_hdr(&w, &h, &start), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_group_begin(&w, 1400, M, V3, &g), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_avp_u32(&w, 1424, M, V3, 0), JITSIM_R_OK);
	for (unsigned int i = 0; i < levels; i++)
		assert_int_equal(jitsim_diam_encode_group_begin(&w, 1429, M, V3, &grp[i]),
				 JITSIM_R_OK);
	if (msisdn_inside)
		assert_int_equal(jitsim_diam_encode_avp(&w, 701, M, V3, msisdn, 2), JITSIM_R_OK);
	else
		assert_int_equal(jitsim_diam_encode_avp_u32(&w, 1423, M, V3, 1), JITSIM_R_OK);
	for (unsigned int i = levels; i-- > 0;)
		jitsim_diam_encode_group_end(&w, grp[i]);
	if (msisdn_direct)
		assert_int_equal(jitsim_diam_encode_avp(&w, 701, M, V3, "\x65\x87", 2),
				 JITSIM_R_OK);
	jitsim_diam_encode_group_end(&w, g);
	jitsim_diam_encode_finish(&w, start);
	return jitsim_wbuf_len(&w);
}

static void
test_nesting_depth(void **state)
{
	uint8_t m[MSG_MAX];
	struct jitsim_s6a s;
	size_t n;

	(void)state;
	/*
	 * Depth counts AVP levels, top level = 1: Subscription-Data is at 1, its
	 * children at 2, so k nested profiles put the innermost AVP at k + 2.
	 */
	n = build_nested(m, sizeof(m), JITSIM_DIAM_MAX_DEPTH - 2, true, false);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_OK);
	assert_true(s.has_msisdn);
	assert_string_equal(s.msisdn.d, "1234");

	n = build_nested(m, sizeof(m), JITSIM_DIAM_MAX_DEPTH - 1, true, false);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_TOO_DEEP);
	n = build_nested(m, sizeof(m), JITSIM_DIAM_MAX_DEPTH - 1, false, false);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_TOO_DEEP);
	n = build_nested(m, sizeof(m), 40, false, false);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_DIAM_TOO_DEEP);
	/* Within the limit and no MSISDN anywhere: fine, nothing found. */
	n = build_nested(m, sizeof(m), JITSIM_DIAM_MAX_DEPTH - 2, false, false);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_OK);
	assert_false(s.has_msisdn);

	/* Only as deep as needed: a direct MSISDN stops the search before the deep part. */
	n = build_nested(m, sizeof(m), 40, true, true);
	assert_int_equal(test_decode_exact(m, n, decode_fn, &s), JITSIM_R_OK);
	assert_string_equal(s.msisdn.d, "5678");
	test_truncations(m, n, decode_fn, &s, NULL);
}

/* ---- PLMN (TS 24.008 10.5.1.13) ---- */

static void
test_plmn(void **state)
{
	static const struct {
		uint8_t b[3];
		const char *s;
	} ok[] = {
		{{0x09, 0xf1, 0x07}, "90170"},	/* open5gs: MCC 901 MNC 70 */
		{{0x13, 0x51, 0x22}, "311225"}, /* diafuzzer: MCC 311 MNC 225 */
		{{0x00, 0xf1, 0x10}, "00101"},	/* magma: MCC 001 MNC 01 */
		{{0x22, 0xf2, 0x10}, "22201"},	/* magma nsa: MCC 222 MNC 01 */
		{{0x99, 0x99, 0x99}, "999999"},
	};
	static const uint8_t bad[][3] = {
		{0x0a, 0xf1, 0x07}, {0xa0, 0xf1, 0x07}, {0x09, 0xfa, 0x07},
		{0x09, 0xf1, 0x0f}, {0x09, 0xf1, 0xf7}, {0x09, 0xe1, 0x07},
	};
	char out[8];
	uint8_t b[3];

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		memcpy(out, "junkjunk", 8);
		assert_int_equal(jitsim_plmn_decode(ok[i].b, out), JITSIM_R_OK);
		assert_string_equal(out, ok[i].s);
		/* NUL-padded to its 8 bytes */
		for (size_t j = strlen(ok[i].s); j < sizeof(out); j++)
			assert_int_equal(out[j], '\0');
		assert_int_equal(jitsim_plmn_encode(ok[i].s, b), 0);
		assert_memory_equal(b, ok[i].b, 3);
	}
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		memcpy(out, "junk", 5);
		assert_int_equal(jitsim_plmn_decode(bad[i], out), JITSIM_R_MAP_BAD_DIGITS);
		assert_string_equal(out, "");
	}
	assert_int_equal(jitsim_plmn_encode("", b), -1);
	assert_int_equal(jitsim_plmn_encode("9017", b), -1);
	assert_int_equal(jitsim_plmn_encode("9017000", b), -1);
	assert_int_equal(jitsim_plmn_encode("90a70", b), -1);
	assert_int_equal(jitsim_plmn_encode("90170 ", b), -1);
}

/* ---- encoder ---- */

static void
fill(struct jitsim_s6a_msg *m, uint32_t cmd, bool req)
{
	memset(m, 0, sizeof(*m));
	m->cmd = cmd;
	m->is_request = req;
	m->hbh = 0x11223344;
	m->e2e = 0x55667788;
	m->session_id = "mme.jitsim.test;1;2;s6a";
	m->origin_host = req ? "mme.jitsim.test" : "hss.jitsim.test";
	m->origin_realm = "jitsim.test";
	m->dest_host = "hss.jitsim.test";
	m->dest_realm = "epc.mnc001.mcc001.3gppnetwork.org";
	m->imsi = "001010123456789";
	m->visited_plmn = "310260";
	m->rat_type = 1004;
	m->ulr_flags = 0x22;
	m->imei = "35722009245138";
	m->msisdn = "46701234567";
	m->result_code = req ? 0 : 2001;
	m->n_vectors = 3;
	m->cancellation_type = 2;
}

#define ANS 263, 260, 268, 277, 264, 296
#define REQ 263, 260, 277, 264, 296, 293, 283, 1

static const struct enc_case {
	uint32_t cmd;
	bool req;
	uint32_t codes[16]; /* top-level AVPs in order, 0-terminated */
} enc_cases[] = {
	{JITSIM_S6A_CMD_AIR, true, {REQ, 1408, 1407}},
	{JITSIM_S6A_CMD_AIR, false, {ANS}},
	{JITSIM_S6A_CMD_ULR, true, {REQ, 1401, 1032, 1405, 1407}},
	{JITSIM_S6A_CMD_ULR, false, {ANS, 1400}},
	{JITSIM_S6A_CMD_PUR, true, {REQ}},
	{JITSIM_S6A_CMD_PUR, false, {ANS}},
	{JITSIM_S6A_CMD_CLR, true, {REQ, 1420}},
	{JITSIM_S6A_CMD_CLR, false, {ANS}},
	{JITSIM_S6A_CMD_IDR, true, {REQ, 1400}},
	{JITSIM_S6A_CMD_IDR, false, {ANS}},
	{JITSIM_S6A_CMD_NOR, true, {REQ, 1401}},
	{JITSIM_S6A_CMD_NOR, false, {ANS}},
};

/* Grouped AVPs the encoder writes (RFC 6733 6.11, 7.6; TS 29.272 7.3.2/3/11). */
static bool
enc_grouped(uint32_t code)
{
	return code == 260 || code == 297 || code == 1400 || code == 1401 || code == 1408;
}

/*
 * TS 29.272 Table 7.3.1/1 and RFC 6733 4.5: every AVP the encoder writes has
 * M set; 3GPP ones have V and vendor 10415, base ones neither.
 */
static void
check_flags(const uint8_t *p, size_t len, unsigned int *count)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	enum jitsim_reason r;

	jitsim_diam_avp_iter_init(&it, p, len);
	while ((r = jitsim_diam_avp_next(&it, &a)) == JITSIM_R_OK) {
		(*count)++;
		if (a.code < 1000 && a.code != 701)
			assert_int_equal(a.flags, M);
		else
			assert_int_equal(a.flags, M | JITSIM_DIAM_AVP_V);
		assert_int_equal(a.vendor, (a.flags & JITSIM_DIAM_AVP_V) ? V3 : 0);
		if (enc_grouped(a.code))
			check_flags(a.data, a.data_len, count);
	}
	assert_int_equal(r, JITSIM_R_END);
}

static size_t
encode_ok(const struct jitsim_s6a_msg *m, uint8_t *buf, size_t cap)
{
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, buf, cap, 0);
	assert_int_equal(jitsim_s6a_encode(&w, m), JITSIM_R_OK);
	return jitsim_wbuf_len(&w);
}

static void
test_encode_roundtrip(void **state)
{
	uint8_t buf[MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		const struct enc_case *c = &enc_cases[i];
		bool air = c->cmd == JITSIM_S6A_CMD_AIR, ulr = c->cmd == JITSIM_S6A_CMD_ULR;
		bool nor = c->cmd == JITSIM_S6A_CMD_NOR, idr = c->cmd == JITSIM_S6A_CMD_IDR;
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp a;
		struct jitsim_s6a_msg m;
		struct jitsim_s6a s;
		unsigned int count = 0;
		size_t n, k = 0;

		fill(&m, c->cmd, c->req);
		n = encode_ok(&m, buf, sizeof(buf));
		assert_int_equal(n % 4, 0);
		assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
		assert_int_equal(s.hdr.length, n);
		assert_int_equal(s.hdr.cmd, c->cmd);
		assert_int_equal(s.hdr.app_id, JITSIM_S6A_APP_ID);
		/* TS 29.272 7.2: PXY on every S6a command; R on requests. */
		assert_int_equal(s.hdr.flags,
				 JITSIM_DIAM_FLAG_P | (c->req ? JITSIM_DIAM_FLAG_R : 0));
		assert_int_equal(s.is_request, c->req);
		assert_int_equal(s.hdr.hbh, 0x11223344);
		assert_int_equal(s.hdr.e2e, 0x55667788);
		expect_str(&s.session_id, m.session_id);
		expect_str(&s.origin_host, m.origin_host);
		expect_str(&s.origin_realm, m.origin_realm);
		expect_str(&s.dest_host, c->req ? m.dest_host : NULL);
		expect_str(&s.dest_realm, c->req ? m.dest_realm : NULL);
		assert_int_equal(s.has_user_name, c->req);
		if (c->req)
			assert_string_equal(s.user_name.d, m.imsi);
		assert_int_equal(s.has_visited_plmn, c->req && (air || ulr));
		if (s.has_visited_plmn) {
			assert_memory_equal(s.visited_plmn, "\x13\x00\x62", 3);
			assert_string_equal(s.visited_mcc_mnc, "310260");
		}
		assert_int_equal(s.has_rat_type, c->req && ulr);
		assert_int_equal(s.has_ulr_flags, c->req && ulr);
		if (s.has_rat_type) {
			assert_int_equal(s.rat_type, 1004);
			assert_int_equal(s.ulr_flags, 0x22);
		}
		assert_int_equal(s.has_imei, c->req && (ulr || nor));
		if (s.has_imei)
			assert_string_equal(s.imei.d, m.imei);
		assert_false(s.has_sv);
		assert_int_equal(s.has_n_vectors, c->req && air);
		if (s.has_n_vectors)
			assert_int_equal(s.n_vectors, 3);
		assert_int_equal(s.has_msisdn, c->req ? idr : ulr);
		if (s.has_msisdn)
			assert_string_equal(s.msisdn.d, m.msisdn);
		assert_int_equal(s.has_result_code, !c->req);
		if (!c->req)
			assert_int_equal(s.result_code, 2001);
		assert_false(s.has_exp_result);

		/* The AVPs, in the order of the command ABNF, with their flags. */
		jitsim_diam_avp_iter_init(&it, s.hdr.avps, s.hdr.avps_len);
		while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
			assert_true(k < 16);
			assert_int_equal(a.code, c->codes[k++]);
		}
		assert_int_equal(c->codes[k], 0);
		check_flags(s.hdr.avps, s.hdr.avps_len, &count);
		assert_true(count > k);
		test_truncations(buf, n, decode_fn, &s, NULL);
	}
}

static void
test_encode_variants(void **state)
{
	uint8_t buf[MSG_MAX];
	struct jitsim_s6a_msg m;
	struct jitsim_s6a s;
	struct jitsim_diam_avp a;
	struct jitsim_diam_framer f;
	const uint8_t *msg;
	size_t n, n2, len;
	uint32_t v;

	(void)state;
	/* Answer with Experimental-Result instead of Result-Code. */
	fill(&m, JITSIM_S6A_CMD_AIR, false);
	m.result_code = 0;
	m.exp_result_code = 5001;
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_false(s.has_result_code);
	assert_true(s.has_exp_result);
	assert_int_equal(s.exp_vendor, 10415);
	assert_int_equal(s.exp_result_code, 5001);
	assert_int_equal(s.hdr.flags, JITSIM_DIAM_FLAG_P);

	/* A protocol error (RFC 6733 7.1.3) sets E. */
	fill(&m, JITSIM_S6A_CMD_ULR, false);
	m.result_code = 3002;
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_int_equal(s.hdr.flags, JITSIM_DIAM_FLAG_P | JITSIM_DIAM_FLAG_E);
	assert_int_equal(s.result_code, 3002);

	/* Optional parts left out: AIR without Destination-Host and vectors, ULA without MSISDN. */
	fill(&m, JITSIM_S6A_CMD_AIR, true);
	m.dest_host = NULL;
	m.n_vectors = 0;
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_null(s.dest_host.p);
	assert_false(s.has_n_vectors);
	assert_true(s.has_visited_plmn);
	fill(&m, JITSIM_S6A_CMD_ULR, false);
	m.msisdn = NULL;
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_find(s.hdr.avps, s.hdr.avps_len, 1400, V3, &a),
			 JITSIM_R_END);
	/* IDR always has Subscription-Data (mandatory), empty here. */
	fill(&m, JITSIM_S6A_CMD_IDR, true);
	m.msisdn = NULL;
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_find(s.hdr.avps, s.hdr.avps_len, 1400, V3, &a),
			 JITSIM_R_OK);
	assert_int_equal(a.data_len, 0);
	assert_false(s.has_msisdn);
	/* CLR: Cancellation-Type as given; ULR with a 2-digit-MNC PLMN. */
	fill(&m, JITSIM_S6A_CMD_CLR, true);
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_diam_decode_hdr(buf, n, &s.hdr), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_find(s.hdr.avps, s.hdr.avps_len, 1420, V3, &a),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 2);
	fill(&m, JITSIM_S6A_CMD_ULR, true);
	m.visited_plmn = "00101";
	m.imei = "357220092451381";
	n = encode_ok(&m, buf, sizeof(buf));
	assert_int_equal(jitsim_s6a_decode(buf, n, &s), JITSIM_R_OK);
	assert_memory_equal(s.visited_plmn, "\x00\xf1\x10", 3);
	assert_string_equal(s.imei.d, "357220092451381");

	/* Two messages appended back to back: one SCTP chunk / TCP segment worth. */
	fill(&m, JITSIM_S6A_CMD_AIR, true);
	n = encode_ok(&m, buf, sizeof(buf));
	{
		struct jitsim_wbuf w;

		jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
		w.tail = n;
		fill(&m, JITSIM_S6A_CMD_ULR, true);
		assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
		n2 = jitsim_wbuf_len(&w);
	}
	jitsim_diam_framer_init(&f, buf, n2);
	assert_int_equal(jitsim_diam_framer_next(&f, &msg, &len), JITSIM_R_OK);
	assert_int_equal(len, n);
	assert_int_equal(jitsim_diam_framer_next(&f, &msg, &len), JITSIM_R_OK);
	assert_int_equal(jitsim_s6a_decode(msg, len, &s), JITSIM_R_OK);
	assert_int_equal(s.hdr.cmd, JITSIM_S6A_CMD_ULR);
	assert_int_equal(jitsim_diam_framer_next(&f, &msg, &len), JITSIM_R_END);
}

static void
test_encode_nospace(void **state)
{
	uint8_t full[MSG_MAX];

	(void)state;
	for (size_t i = 0; i < sizeof(enc_cases) / sizeof(enc_cases[0]); i++) {
		struct jitsim_s6a_msg m;
		size_t n;

		fill(&m, enc_cases[i].cmd, enc_cases[i].req);
		n = encode_ok(&m, full, sizeof(full));
		for (size_t cap = 0; cap <= n; cap++) {
			/* Data already in the buffer must survive a failed append. */
			size_t pre = 8;
			uint8_t *buf = malloc(pre + cap);
			struct jitsim_wbuf w;

			assert_non_null(buf);
			jitsim_wbuf_init(&w, buf, pre + cap, 0);
			assert_int_equal(jitsim_wbuf_put(&w, "prefix!!", pre), 0);
			if (cap < n) {
				assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_NOSPACE);
				assert_int_equal(jitsim_wbuf_len(&w), pre);
			} else {
				assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
				assert_int_equal(jitsim_wbuf_len(&w), pre + n);
				assert_memory_equal(buf + pre, full, n);
			}
			assert_memory_equal(buf, "prefix!!", pre);
			free(buf);
		}
	}
}

static void
test_encode_bad_param(void **state)
{
	uint8_t buf[MSG_MAX];
	struct jitsim_wbuf w;
	struct jitsim_s6a_msg m;
	size_t n_cases = 0;

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	assert_int_equal(jitsim_s6a_encode(&w, NULL), JITSIM_R_BAD_PARAM);

#define BAD(cmd_, req_, stmt)                                                    \
	do {                                                                     \
		fill(&m, cmd_, req_);                                            \
		stmt;                                                            \
		assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_BAD_PARAM); \
		assert_int_equal(jitsim_wbuf_len(&w), 0);                        \
		n_cases++;                                                       \
	} while (0)

	/* Commands the encoder does not build. */
	BAD(JITSIM_S6A_CMD_DSR, true, (void)0);
	BAD(JITSIM_S6A_CMD_RSR, false, (void)0);
	BAD(JITSIM_DIAM_CMD_CER, true, (void)0);
	/* Mandatory AVPs of every message and every request. */
	BAD(JITSIM_S6A_CMD_AIR, true, m.session_id = NULL);
	BAD(JITSIM_S6A_CMD_AIR, false, m.origin_host = NULL);
	BAD(JITSIM_S6A_CMD_PUR, true, m.origin_realm = NULL);
	BAD(JITSIM_S6A_CMD_PUR, true, m.dest_realm = NULL);
	BAD(JITSIM_S6A_CMD_NOR, true, m.imsi = NULL);
	BAD(JITSIM_S6A_CMD_AIR, true, m.imsi = "");
	BAD(JITSIM_S6A_CMD_AIR, true, m.imsi = "00101012345678a");
	BAD(JITSIM_S6A_CMD_AIR, true, m.imsi = "0010101234567890");
	/* { Destination-Host } of CLR and IDR. */
	BAD(JITSIM_S6A_CMD_CLR, true, m.dest_host = NULL);
	BAD(JITSIM_S6A_CMD_IDR, true, m.dest_host = NULL);
	/* { Visited-PLMN-Id } of AIR and ULR; { RAT-Type } of ULR. */
	BAD(JITSIM_S6A_CMD_AIR, true, m.visited_plmn = NULL);
	BAD(JITSIM_S6A_CMD_ULR, true, m.visited_plmn = "3102");
	BAD(JITSIM_S6A_CMD_ULR, true, m.visited_plmn = "31026x");
	BAD(JITSIM_S6A_CMD_ULR, true, m.rat_type = 0);
	/* IMEI of 14 or 15 digits; MSISDN of 1 to 15 digits. */
	BAD(JITSIM_S6A_CMD_ULR, true, m.imei = "3572200924513");
	BAD(JITSIM_S6A_CMD_NOR, true, m.imei = "3572200924513812");
	BAD(JITSIM_S6A_CMD_NOR, true, m.imei = "3572200924513a");
	BAD(JITSIM_S6A_CMD_ULR, false, m.msisdn = "");
	BAD(JITSIM_S6A_CMD_IDR, true, m.msisdn = "1234567890123456");
	BAD(JITSIM_S6A_CMD_IDR, true, m.msisdn = "12345*");
	/* Answers: exactly one of Result-Code and Experimental-Result. */
	BAD(JITSIM_S6A_CMD_AIR, false, m.result_code = 0);
	BAD(JITSIM_S6A_CMD_ULR, false, m.exp_result_code = 5001);
	assert_int_equal(n_cases, 25);
#undef BAD

	/* Fields a command does not carry are ignored, not rejected. */
	fill(&m, JITSIM_S6A_CMD_PUR, true);
	m.visited_plmn = "bad";
	m.imei = "bad";
	m.msisdn = "bad";
	m.rat_type = 0;
	assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
}

/* ---- every Diameter message of every reference capture ---- */

/*
 * A minimal walk down to the Diameter bytes, local to this test (the frame
 * iterator is another module): Ethernet (+VLAN) or Linux cooked v1, IPv4
 * or IPv6 without extension headers, then SCTP DATA chunks (PPID 46 or port
 * 3868, bundling and fragmented user messages handled) or TCP port 3868.
 */
#define DLT_ETHERNET 1
#define DLT_SLL 113
#define DIAM_PORT 3868
#define DIAM_PPID 46

struct tally {
	uint32_t cmd, app;
	bool req;
	unsigned int n;
};

struct trace_stats {
	const char *file;
	unsigned int msgs, tcp_msgs, sctp_msgs;
	unsigned int multi_msg_payloads; /* TCP segments / DATA chunks with >1 message */
	unsigned int bundled_packets;	 /* SCTP packets with >1 Diameter DATA chunk */
	unsigned int reassembled;	 /* messages rebuilt from SCTP fragments */
	unsigned int air, ulr;		 /* S6a requests */
	char imsis[8][JITSIM_DIGITS_MAX + 1];
	size_t n_imsis;
	struct tally t[64];
	size_t n_t;
	/* One-slot reassembly of a fragmented SCTP user message (RFC 9260 6.9). */
	bool frag_open;
	uint16_t frag_sport, frag_dport, frag_sid;
	uint32_t frag_next_tsn;
	size_t frag_len;
	uint8_t frag[16384];
};

static void
count_msg(struct trace_stats *st, const struct jitsim_s6a *s)
{
	size_t i;

	for (i = 0; i < st->n_t; i++)
		if (st->t[i].cmd == s->hdr.cmd && st->t[i].app == s->hdr.app_id &&
		    st->t[i].req == s->is_request)
			break;
	if (i == st->n_t) {
		assert_true(st->n_t < 64);
		st->t[st->n_t++] = (struct tally){s->hdr.cmd, s->hdr.app_id, s->is_request, 0};
	}
	st->t[i].n++;
	st->msgs++;
	if (s->hdr.app_id != JITSIM_S6A_APP_ID || !s->is_request ||
	    (s->hdr.cmd != JITSIM_S6A_CMD_AIR && s->hdr.cmd != JITSIM_S6A_CMD_ULR))
		return;
	if (s->hdr.cmd == JITSIM_S6A_CMD_AIR)
		st->air++;
	else
		st->ulr++;
	/* Every attach-type request in these captures carries a plain IMSI. */
	assert_true(s->has_user_name);
	assert_false(s->user_name_not_digits);
	assert_true(s->has_visited_plmn);
	for (i = 0; i < st->n_imsis; i++)
		if (strcmp(st->imsis[i], s->user_name.d) == 0)
			return;
	assert_true(st->n_imsis < 8);
	strcpy(st->imsis[st->n_imsis++], s->user_name.d);
}

static void
diameter_payload(struct trace_stats *st, unsigned int frame, const uint8_t *p, size_t len)
{
	struct jitsim_diam_framer f;
	const uint8_t *msg;
	size_t msg_len;
	enum jitsim_reason r;
	unsigned int k = 0;

	jitsim_diam_framer_init(&f, p, len);
	while ((r = jitsim_diam_framer_next(&f, &msg, &msg_len)) == JITSIM_R_OK) {
		struct jitsim_s6a s;
		enum jitsim_reason d = jitsim_s6a_decode(msg, msg_len, &s);
		char buf[512];

		if (d != JITSIM_R_OK)
			fail_msg("%s frame %u message %u: %s", st->file, frame, k,
				 jitsim_reason_str(d));
		/* Only the message itself was read. */
		assert_int_equal(s.hdr.length, msg_len);
		assert_true(jitsim_s6a_dump(&s, buf, sizeof(buf)) > 0);
		count_msg(st, &s);
		k++;
	}
	if (r != JITSIM_R_END)
		fail_msg("%s frame %u: framer %s after %u messages", st->file, frame,
			 jitsim_reason_str(r), k);
	if (k > 1)
		st->multi_msg_payloads++;
}

/* Decode an exactly-sized copy of a reassembled message (for ASan). */
static void
diameter_copy(struct trace_stats *st, unsigned int frame, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);

	assert_non_null(c);
	memcpy(c, p, len);
	diameter_payload(st, frame, c, len);
	free(c);
}

static void
sctp_data(struct trace_stats *st, unsigned int frame, uint16_t sport, uint16_t dport,
	  const uint8_t *c, size_t clen)
{
	uint8_t flags = c[1];
	uint32_t tsn = jitsim_get_be32(c + 4);
	uint16_t sid = jitsim_get_be16(c + 8);
	const uint8_t *d = c + 16;
	size_t dlen = clen - 16;

	st->sctp_msgs++;
	/* RFC 9260 3.3.1: B (0x02) and E (0x01) both set for an unfragmented message. */
	if ((flags & 0x03) == 0x03) {
		diameter_payload(st, frame, d, dlen);
		return;
	}
	if (flags & 0x02) {
		st->frag_open = true;
		st->frag_sport = sport, st->frag_dport = dport, st->frag_sid = sid;
		st->frag_len = 0;
	} else if (!st->frag_open || st->frag_sport != sport || st->frag_dport != dport ||
		   st->frag_sid != sid || st->frag_next_tsn != tsn) {
		fail_msg("%s frame %u: orphan SCTP fragment", st->file, frame);
	}
	assert_true(dlen <= sizeof(st->frag) - st->frag_len);
	memcpy(st->frag + st->frag_len, d, dlen);
	st->frag_len += dlen;
	st->frag_next_tsn = tsn + 1;
	if (flags & 0x01) {
		st->frag_open = false;
		st->reassembled++;
		diameter_copy(st, frame, st->frag, st->frag_len);
	}
}

static void
sctp(struct trace_stats *st, unsigned int frame, const uint8_t *p, size_t len)
{
	uint16_t sport, dport;
	size_t off = 12;
	unsigned int n_data = 0;

	if (len < 12)
		return;
	sport = jitsim_get_be16(p);
	dport = jitsim_get_be16(p + 2);
	while (len - off >= 4) {
		const uint8_t *c = p + off;
		size_t clen = jitsim_get_be16(c + 2), padded = (clen + 3) & ~(size_t)3;

		if (clen < 4 || clen > len - off)
			break;
		if (c[0] == 0 && clen >= 16 &&
		    (jitsim_get_be32(c + 12) == DIAM_PPID || sport == DIAM_PORT ||
		     dport == DIAM_PORT)) {
			sctp_data(st, frame, sport, dport, c, clen);
			n_data++;
		}
		off += padded < len - off ? padded : len - off;
	}
	if (n_data > 1)
		st->bundled_packets++;
}

static void
tcp(struct trace_stats *st, unsigned int frame, const uint8_t *p, size_t len)
{
	size_t doff;

	if (len < 20)
		return;
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < 20 || doff > len || len == doff)
		return;
	if (jitsim_get_be16(p) != DIAM_PORT && jitsim_get_be16(p + 2) != DIAM_PORT)
		return;
	/* Each segment of these captures starts on a message boundary. */
	st->tcp_msgs++;
	diameter_payload(st, frame, p + doff, len - doff);
}

static void
on_packet(unsigned int frame, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct trace_stats *st = ctx;
	size_t off, l4 = 0, l4_len = 0;
	uint16_t et;
	uint8_t proto = 0;

	if (dlt == DLT_ETHERNET) {
		if (len < 14)
			return;
		et = jitsim_get_be16(p + 12);
		off = 14;
		while ((et == 0x8100 || et == 0x88a8) && len - off >= 4) {
			et = jitsim_get_be16(p + off + 2);
			off += 4;
		}
	} else if (dlt == DLT_SLL) {
		if (len < 16)
			return;
		et = jitsim_get_be16(p + 14);
		off = 16;
	} else {
		return;
	}
	if (et == 0x0800 && len - off >= 20) {
		const uint8_t *ip = p + off;
		size_t ihl = (size_t)(ip[0] & 0x0f) * 4, tot = jitsim_get_be16(ip + 2);

		/* Skip fragments; trust Total Length over the frame (Ethernet padding). */
		if (ihl < 20 || tot < ihl || tot > len - off || (jitsim_get_be16(ip + 6) & 0x3fff))
			return;
		proto = ip[9];
		l4 = off + ihl;
		l4_len = tot - ihl;
	} else if (et == 0x86dd && len - off >= 40) {
		const uint8_t *ip = p + off;
		size_t plen = jitsim_get_be16(ip + 4);

		if (plen > len - off - 40)
			return;
		proto = ip[6];
		l4 = off + 40;
		l4_len = plen;
	} else {
		return;
	}
	if (proto == 132)
		sctp(st, frame, p + l4, l4_len);
	else if (proto == 6)
		tcp(st, frame, p + l4, l4_len);
}

/* What traces/README.md says about one capture. */
struct readme_entry {
	struct tally t[64];
	size_t n_t;
	int attach;  /* "attach-type request frames" column */
	int n_imsis; /* "Distinct IMSIs in attach-type requests" */
	char imsis[8][JITSIM_DIGITS_MAX + 1];
};

static bool
parse_readme(const char *file, struct readme_entry *e)
{
	char path[1024], line[2048], head[512], row[512];
	bool in = false, found = false;
	FILE *fp;

	snprintf(path, sizeof(path), "%s/README.md", test_traces_dir());
	snprintf(head, sizeof(head), "### `%s`", file);
	snprintf(row, sizeof(row), "| `%s` |", file);
	fp = fopen(path, "r");
	if (fp == NULL)
		fail_msg("cannot open %s", path);
	memset(e, 0, sizeof(*e));
	e->attach = -1;
	e->n_imsis = -1;
	while (fgets(line, sizeof(line), fp) != NULL) {
		unsigned int cmd, app, n;
		char dir[8];
		const char *q;

		if (strncmp(line, row, strlen(row)) == 0) {
			/* | `file` | link-layer | packets | attach | role | */
			q = line;
			for (int col = 0; col < 3 && q != NULL; col++)
				q = strchr(q + 1, '|');
			if (q != NULL)
				e->attach = atoi(q + 1);
			continue;
		}
		if (strncmp(line, "### ", 4) == 0) {
			in = strncmp(line, head, strlen(head)) == 0;
			found |= in;
			continue;
		}
		if (!in)
			continue;
		if (sscanf(line, "  - cmd %u %*s %7s app %u: %u", &cmd, dir, &app, &n) == 4) {
			assert_true(e->n_t < 64);
			e->t[e->n_t++] = (struct tally){cmd, app, strcmp(dir, "Req") == 0, n};
		} else if (strncmp(line, "- Distinct IMSIs in attach-type requests", 40) == 0 &&
			   (q = strstr(line, "): ")) != NULL) {
			const char *list = strstr(q, "\xe2\x80\x94 "); /* em dash */

			e->n_imsis = atoi(q + 3);
			for (int i = 0; list != NULL && i < e->n_imsis && i < 8; i++) {
				list += i == 0 ? 4 : 2;
				sscanf(list, "%32[0-9]", e->imsis[i]);
				list = strchr(list, ',');
			}
		}
	}
	fclose(fp);
	return found;
}

static bool
is_capture(const char *name)
{
	size_t n = strlen(name);

	return (n > 5 && strcmp(name + n - 5, ".pcap") == 0) ||
	       (n > 7 && strcmp(name + n - 7, ".pcapng") == 0);
}

static void
test_all_traces(void **state)
{
	const char *dir = test_traces_dir();
	struct dirent *de;
	unsigned int files = 0, with_diameter = 0, total = 0;
	DIR *d = opendir(dir);

	(void)state;
	assert_non_null(d);
	while ((de = readdir(d)) != NULL) {
		struct trace_stats *st;
		struct readme_entry e;
		char path[1024];

		if (!is_capture(de->d_name))
			continue;
		st = calloc(1, sizeof(*st));
		assert_non_null(st);
		st->file = de->d_name;
		snprintf(path, sizeof(path), "%s/%s", dir, de->d_name);
		test_pcap_foreach(path, on_packet, st);
		files++;
		if (!parse_readme(de->d_name, &e))
			fail_msg("%s is not described in README.md", de->d_name);
		assert_false(st->frag_open);

		/* Every (command, direction, application) count tshark gave. */
		for (size_t i = 0; i < e.n_t; i++) {
			unsigned int got = 0;

			for (size_t j = 0; j < st->n_t; j++)
				if (st->t[j].cmd == e.t[i].cmd && st->t[j].app == e.t[i].app &&
				    st->t[j].req == e.t[i].req)
					got = st->t[j].n;
			if (got != e.t[i].n)
				fail_msg("%s: cmd %u %s app %u: %u messages, README says %u",
					 de->d_name, e.t[i].cmd, e.t[i].req ? "Req" : "Ans",
					 e.t[i].app, got, e.t[i].n);
		}
		for (size_t j = 0; j < st->n_t; j++) {
			bool listed = false;

			for (size_t i = 0; i < e.n_t; i++)
				listed |= st->t[j].cmd == e.t[i].cmd &&
					  st->t[j].app == e.t[i].app && st->t[j].req == e.t[i].req;
			if (!listed)
				fail_msg("%s: cmd %u app %u not in README", de->d_name,
					 st->t[j].cmd, st->t[j].app);
		}

		if (st->msgs > 0) {
			with_diameter++;
			/* AIR + ULR requests against the table's attach-type column. */
			assert_int_equal(st->air + st->ulr, e.attach);
			assert_int_equal(st->n_imsis, e.n_imsis);
			for (int i = 0; i < e.n_imsis; i++) {
				bool seen = false;

				for (size_t j = 0; j < st->n_imsis; j++)
					seen |= strcmp(st->imsis[j], e.imsis[i]) == 0;
				if (!seen)
					fail_msg("%s: IMSI %s of README not seen", de->d_name,
						 e.imsis[i]);
			}
			print_message("%-36s %4u msgs (%u TCP segs, %u SCTP chunks) AIR %u ULR %u, "
				      "multi-msg payloads %u, bundled pkts %u, reassembled %u\n",
				      de->d_name, st->msgs, st->tcp_msgs, st->sctp_msgs, st->air,
				      st->ulr, st->multi_msg_payloads, st->bundled_packets,
				      st->reassembled);
		} else {
			assert_int_equal(e.n_t, 0);
		}
		total += st->msgs;
		free(st);
	}
	closedir(d);
	/* 13 capture files hold Diameter (README), 22 captures in all. */
	assert_int_equal(with_diameter, 13);
	assert_true(files >= with_diameter);
	assert_true(total > 500);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_air_diafuzzer),
		cmocka_unit_test(test_aia_diafuzzer),
		cmocka_unit_test(test_ulr_open5gs),
		cmocka_unit_test(test_ula_open5gs_no_msisdn),
		cmocka_unit_test(test_air_aia_user_unknown),
		cmocka_unit_test(test_magma_tcp),
		cmocka_unit_test(test_magma_ula_pur),
		cmocka_unit_test(test_other_applications),
		cmocka_unit_test(test_errors_header),
		cmocka_unit_test(test_errors_avp_format),
		cmocka_unit_test(test_errors_long_string),
		cmocka_unit_test(test_user_name_forms),
		cmocka_unit_test(test_user_name_key),
		cmocka_unit_test(test_vendor_and_duplicates),
		cmocka_unit_test(test_nesting_depth),
		cmocka_unit_test(test_plmn),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_variants),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_bad_param),
		cmocka_unit_test(test_all_traces),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
