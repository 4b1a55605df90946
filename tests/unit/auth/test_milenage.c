/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MILENAGE against 3GPP TS 35.208 (test sets 1 to 6, 4.3) and, for vectors
 * drawn at random, against osmo-auc-gen (libosmocore-utils): AUTN, RES,
 * CK, IK, SRES, Kc. AUTS re-synchronisation round trip. KASME against an
 * HMAC-SHA-256 computed by the openssl command line over the S string of
 * TS 33.220 B.2 built by hand.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "milenage.h"

static void
unhex(const char *s, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i++) {
		unsigned int v;

		assert_int_equal(sscanf(s + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

static void
hex(const uint8_t *in, size_t n, char *out)
{
	for (size_t i = 0; i < n; i++)
		sprintf(out + 2 * i, "%02x", in[i]);
}

static void
assert_hex(const uint8_t *got, size_t n, const char *want)
{
	char buf[80];

	hex(got, n, buf);
	assert_string_equal(buf, want);
}

/* TS 35.208 4.3, test set 1. */
static void
test_set1(void **state)
{
	struct jitsim_milenage *m = jitsim_milenage_new();
	uint8_t k[16], op[16], opc[16], rand[16], sqn[6], amf[2];
	uint8_t mac_a[8], mac_s[8], res[8], ck[16], ik[16], ak[6], aks[6];

	(void)state;
	assert_non_null(m);
	unhex("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16);
	unhex("cdc202d5123e20f62b6d676ac72cb318", op, 16);
	unhex("23553cbe9637a89d218ae64dae47bf35", rand, 16);
	unhex("ff9bb4d0b607", sqn, 6);
	unhex("b9b9", amf, 2);
	assert_int_equal(jitsim_milenage_opc(m, k, op, opc), 0);
	assert_hex(opc, 16, "cd63cb71954a9f4e48a5994e37a02baf");
	assert_int_equal(jitsim_milenage_f1(m, k, opc, rand, sqn, amf, mac_a, mac_s), 0);
	assert_hex(mac_a, 8, "4a9ffac354dfafb3");
	assert_hex(mac_s, 8, "01cfaf9ec4e871e9");
	assert_int_equal(jitsim_milenage_f2345(m, k, opc, rand, res, ck, ik, ak, aks), 0);
	assert_hex(res, 8, "a54211d5e3ba50bf");
	assert_hex(ck, 16, "b40ba9a3c58b2a05bbf0d987b21bf8cb");
	assert_hex(ik, 16, "f769bcd751044604127672711c6d3441");
	assert_hex(ak, 6, "aa689c648370");
	assert_hex(aks, 6, "451e8beca43b");
	jitsim_milenage_free(m);
}

/* TS 35.208 4.3, test sets 1 to 6: K, RAND, SQN, AMF, OP, OPc, f1, f1*,
 * f2 (RES), f5 (AK), f3 (CK), f4 (IK), f5* (AK*); "" where a value is not
 * checked here. */
static const char *const ts35208[][13] = {
	{"465b5ce8b199b49faa5f0a2ee238a6bc", "23553cbe9637a89d218ae64dae47bf35", "ff9bb4d0b607",
	 "b9b9", "cdc202d5123e20f62b6d676ac72cb318", "cd63cb71954a9f4e48a5994e37a02baf",
	 "4a9ffac354dfafb3", "01cfaf9ec4e871e9", "a54211d5e3ba50bf", "aa689c648370",
	 "b40ba9a3c58b2a05bbf0d987b21bf8cb", "f769bcd751044604127672711c6d3441", "451e8beca43b"},
	{"0396eb317b6d1c36f19c1c84cd6ffd16", "c00d603103dcee52c4478119494202e8", "fd8eef40df7d",
	 "af17", "ff53bade17df5d4e793073ce9d7579fa", "53c15671c60a4b731c55b4a441c0bde2",
	 "5df5b31807e258b0", "a8c016e51ef4a343", "d3a628ed988620f0", "c47783995f72",
	 "58c433ff7a7082acd424220f2b67c556", "21a8c1f929702adb3e738488b9f5c5da", "30f1197061c1"},
	{"fec86ba6eb707ed08905757b1bb44b8f", "9f7c8d021accf4db213ccff0c7f71a6a", "9d0277595ffc",
	 "725c", "dbc59adcb6f9a0ef735477b7fadf8374", "1006020f0a478bf6b699f15c062e42b3",
	 "9cabc3e99baf7281", "95814ba2b3044324", "8011c48c0c214ed2", "33484dc2136b",
	 "5dbdbb2954e8f3cde665b046179a5098", "59a92d3b476a0443487055cf88b2307b", "deacdd848cc6"},
	{"9e5944aea94b81165c82fbf9f32db751", "ce83dbc54ac0274a157c17f80d017bd6", "0b604a81eca8",
	 "9e09", "223014c5806694c007ca1eeef57f004f", "a64a507ae1a2a98bb88eb4210135dc87",
	 "74a58220cba84c49", "ac2cc74a96871837", "f365cd683cd92e96", "f0b9c08ad02e",
	 "e203edb3971574f5a94b0d61b816345d", "0c4524adeac041c4dd830d20854fc46b", "6085a86c6f63"},
	{"4ab1deb05ca6ceb051fc98e77d026a84", "74b0cd6031a1c8339b2b6ce2b8c4a186", "e880a1b580b6",
	 "9f07", "2d16c5cd1fdf6b22383584e3bef2a8d8", "dcf07cbd51855290b92a07a9891e523e",
	 "49e785dd12626ef2", "9e85790336bb3fa2", "5860fc1bce351e7e", "31e11a609118",
	 "7657766b373d1c2138f307e3de9242f9", "1c42e960d89b8fa99f2744e0708ccb53", "fe2555e54aa9"},
	{"6c38a116ac280c454f59332ee35c8c4f", "ee6466bc96202c5a557abbeff8babf63", "414b98222181",
	 "4464", "1ba00a1a7c6700ac8c3ff3e96ad08725", "3803ef5363b947c6aaa225e58fae3934",
	 "078adfb488241a57", "80246b8d0186bcf1", "", "", "", "a7466cc1e6b2a1337d49d3b66e95d7b4",
	 "1f53cd2b1113"},
};

static void
check_opt(const uint8_t *got, size_t n, const char *want)
{
	if (want[0] != '\0')
		assert_hex(got, n, want);
}

static void
test_sets(void **state)
{
	struct jitsim_milenage *m = jitsim_milenage_new();

	(void)state;
	for (size_t t = 0; t < sizeof(ts35208) / sizeof(ts35208[0]); t++) {
		const char *const *v = ts35208[t];
		uint8_t k[16], rand[16], sqn[6], amf[2], op[16], opc[16];
		uint8_t mac_a[8], mac_s[8], res[8], ak[6], ck[16], ik[16], aks[6];

		unhex(v[0], k, 16);
		unhex(v[1], rand, 16);
		unhex(v[2], sqn, 6);
		unhex(v[3], amf, 2);
		unhex(v[4], op, 16);
		assert_int_equal(jitsim_milenage_opc(m, k, op, opc), 0);
		assert_hex(opc, 16, v[5]);
		assert_int_equal(jitsim_milenage_f1(m, k, opc, rand, sqn, amf, mac_a, mac_s), 0);
		assert_hex(mac_a, 8, v[6]);
		assert_hex(mac_s, 8, v[7]);
		assert_int_equal(jitsim_milenage_f2345(m, k, opc, rand, res, ck, ik, ak, aks), 0);
		check_opt(res, 8, v[8]);
		check_opt(ak, 6, v[9]);
		check_opt(ck, 16, v[10]);
		assert_hex(ik, 16, v[11]);
		assert_hex(aks, 6, v[12]);
	}
	jitsim_milenage_free(m);
}

/* One osmo-auc-gen run: its output lines by label. */
static void
auc_gen(const char *k, const char *opc, const char *rand, const char *sqn, const char *amf,
	char out[8][64], const char *const labels[8])
{
	char cmd[512], line[256];
	FILE *p;

	snprintf(cmd, sizeof(cmd),
		 "osmo-auc-gen -3 -a milenage -k %s -o %s -r %s -s 0x%s -f %s 2>/dev/null", k, opc,
		 rand, sqn, amf);
	p = popen(cmd, "r");
	assert_non_null(p);
	for (int i = 0; i < 8; i++)
		out[i][0] = '\0';
	while (fgets(line, sizeof(line), p) != NULL) {
		char *tab = strchr(line, '\t');

		if (tab == NULL)
			continue;
		*tab = '\0';
		tab[strcspn(tab + 1, "\r\n") + 1] = '\0';
		for (int i = 0; i < 8 && labels[i] != NULL; i++)
			if (strcmp(line, labels[i]) == 0)
				snprintf(out[i], 64, "%s", tab + 1);
	}
	assert_int_equal(pclose(p), 0);
}

static void
test_osmo_auc_gen(void **state)
{
	static const char *const labels[8] = {
		"AUTN:", "RES:", "CK:", "IK:", "SRES:", "Kc:", NULL, NULL};
	struct jitsim_milenage *m = jitsim_milenage_new();
	uint64_t x = 0x9e3779b97f4a7c15ull;

	(void)state;
	if (system("command -v osmo-auc-gen >/dev/null 2>&1") != 0)
		fail_msg("osmo-auc-gen is missing: scripts/deps.sh installs libosmocore-utils");
	for (int t = 0; t < 12; t++) {
		uint8_t b[56];
		char k[33], opc[33], rand[33], sqn[13], amf[5], got[80], out[8][64];
		struct jitsim_milenage_vector v;
		uint8_t sres[4], kc[8];

		for (size_t i = 0; i < sizeof(b); i++) {
			x ^= x << 13;
			x ^= x >> 7;
			x ^= x << 17;
			b[i] = (uint8_t)x;
		}
		b[48] &= 0x7f; /* osmo-auc-gen parses SQN as a signed 48-bit number */
		hex(b, 16, k);
		hex(b + 16, 16, opc);
		hex(b + 32, 16, rand);
		hex(b + 48, 6, sqn);
		hex(b + 54, 2, amf);
		assert_int_equal(jitsim_milenage_vector(m, b, b + 16, b + 32, b + 48, b + 54, &v),
				 0);
		jitsim_milenage_gsm(&v, sres, kc);
		auc_gen(k, opc, rand, sqn, amf, out, labels);
		hex(v.autn, 16, got);
		assert_string_equal(got, out[0]);
		hex(v.res, 8, got);
		assert_string_equal(got, out[1]);
		hex(v.ck, 16, got);
		assert_string_equal(got, out[2]);
		hex(v.ik, 16, got);
		assert_string_equal(got, out[3]);
		hex(sres, 4, got);
		assert_string_equal(got, out[4]);
		hex(kc, 8, got);
		assert_string_equal(got, out[5]);
	}
	jitsim_milenage_free(m);
}

/* The USIM's AUTS (TS 33.102 6.3.3) built from the functions, then
 * taken apart by jitsim_milenage_auts(). */
static void
test_auts(void **state)
{
	static const uint8_t amf0[2] = {0, 0};
	struct jitsim_milenage *m = jitsim_milenage_new();
	uint8_t k[16], opc[16], rand[16], sqn_ms[6], aks[6], mac_s[8], auts[14], got[6];

	(void)state;
	unhex("465b5ce8b199b49faa5f0a2ee238a6bc", k, 16);
	unhex("cd63cb71954a9f4e48a5994e37a02baf", opc, 16);
	unhex("23553cbe9637a89d218ae64dae47bf35", rand, 16);
	unhex("000000001a20", sqn_ms, 6);
	assert_int_equal(jitsim_milenage_f2345(m, k, opc, rand, NULL, NULL, NULL, NULL, aks), 0);
	assert_int_equal(jitsim_milenage_f1(m, k, opc, rand, sqn_ms, amf0, NULL, mac_s), 0);
	for (int i = 0; i < 6; i++)
		auts[i] = sqn_ms[i] ^ aks[i];
	memcpy(auts + 6, mac_s, 8);
	assert_int_equal(jitsim_milenage_auts(m, k, opc, rand, auts, got), 0);
	assert_memory_equal(got, sqn_ms, 6);
	/* A flipped MAC bit, or another SIM's key: refused. */
	auts[13] ^= 1;
	assert_int_equal(jitsim_milenage_auts(m, k, opc, rand, auts, got), -EBADMSG);
	auts[13] ^= 1;
	k[0] ^= 0x80;
	assert_int_equal(jitsim_milenage_auts(m, k, opc, rand, auts, got), -EBADMSG);
	jitsim_milenage_free(m);
}

static void
test_kasme(void **state)
{
	uint8_t ck[16], ik[16], plmn[3], sqn_ak[6], kasme[32];
	char cmd[512], line[256], want[65] = "";
	FILE *p;

	(void)state;
	/* PLMN 001/01 and 310/410 in TS 24.008 coding. */
	assert_int_equal(jitsim_milenage_plmn_encode("001", "01", plmn), 0);
	assert_hex(plmn, 3, "00f110");
	assert_int_equal(jitsim_milenage_plmn_encode("310", "410", plmn), 0);
	assert_hex(plmn, 3, "130014");
	assert_int_equal(jitsim_milenage_plmn_encode("31", "410", plmn), -EINVAL);
	assert_int_equal(jitsim_milenage_plmn_encode("310", "4a", plmn), -EINVAL);

	unhex("b40ba9a3c58b2a05bbf0d987b21bf8cb", ck, 16);
	unhex("f769bcd751044604127672711c6d3441", ik, 16);
	unhex("55f328b43577", sqn_ak, 6);
	assert_int_equal(jitsim_milenage_plmn_encode("001", "01", plmn), 0);
	assert_int_equal(jitsim_kasme(ck, ik, plmn, sqn_ak, kasme), 0);
	/* (octal escapes: sh's printf has no \\x.) S = FC 0x10 || SN id || 0x0003 || SQN^AK ||
	 * 0x0006 (TS 33.220 B.2), key CK || IK, HMAC-SHA-256 by the openssl command. */
	snprintf(
		cmd, sizeof(cmd),
		"printf '\\020\\000\\361\\020\\000\\003\\125\\363\\050\\264\\065\\167\\000\\006' | "
		"openssl dgst -sha256 -mac HMAC -macopt "
		"hexkey:b40ba9a3c58b2a05bbf0d987b21bf8cbf769bcd751044604127672711c6d3441 -r");
	p = popen(cmd, "r");
	assert_non_null(p);
	if (fgets(line, sizeof(line), p) != NULL)
		snprintf(want, sizeof(want), "%.64s", line);
	pclose(p);
	assert_int_equal(strlen(want), 64);
	assert_hex(kasme, 32, want);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_set1),	     cmocka_unit_test(test_sets),
		cmocka_unit_test(test_osmo_auc_gen), cmocka_unit_test(test_auts),
		cmocka_unit_test(test_kasme),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
