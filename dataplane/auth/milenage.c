/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MILENAGE as specified in 3GPP TS 35.206 section 4.1, written from the
 * specification; checked against the test sets of TS 35.208 and against
 * osmo-auc-gen (tests/unit/auth).
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/evp.h>
#include <openssl/hmac.h>

#include "milenage.h"

struct jitsim_milenage {
	EVP_CIPHER_CTX *ctx;
};

struct jitsim_milenage *
jitsim_milenage_new(void)
{
	struct jitsim_milenage *m = calloc(1, sizeof(*m));

	if (m == NULL)
		return NULL;
	m->ctx = EVP_CIPHER_CTX_new();
	if (m->ctx == NULL) {
		free(m);
		return NULL;
	}
	return m;
}

void
jitsim_milenage_free(struct jitsim_milenage *m)
{
	if (m == NULL)
		return;
	EVP_CIPHER_CTX_free(m->ctx);
	free(m);
}

/* E_K(in): the kernel function of MILENAGE, AES-128 on one block. */
static int
mil_aes(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	if (EVP_EncryptInit_ex(m->ctx, EVP_aes_128_ecb(), NULL, k, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(m->ctx, 0) != 1 ||
	    EVP_EncryptUpdate(m->ctx, out, &n, in, 16) != 1 || n != 16)
		return -EIO;
	return 0;
}

static void
mil_xor(uint8_t *dst, const uint8_t *a, const uint8_t *b, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] = a[i] ^ b[i];
}

/* rot(x, r): cyclic left rotation of a 128-bit value by r bits, r a
 * multiple of 8 for every r of TS 35.206 (0, 32, 64, 96). */
static void
mil_rot(uint8_t out[16], const uint8_t in[16], unsigned int r)
{
	const unsigned int s = r / 8;

	for (unsigned int i = 0; i < 16; i++)
		out[i] = in[(i + s) % 16];
}

int
jitsim_milenage_opc(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t op[16],
		    uint8_t opc[16])
{
	uint8_t t[16];
	int rc = mil_aes(m, k, op, t);

	if (rc == 0)
		mil_xor(opc, t, op, 16);
	return rc;
}

/* TEMP = E_K(RAND xor OPc). */
static int
mil_temp(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
	 const uint8_t rand[16], uint8_t temp[16])
{
	uint8_t x[16];

	mil_xor(x, rand, opc, 16);
	return mil_aes(m, k, x, temp);
}

int
jitsim_milenage_f1(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
		   const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		   uint8_t mac_a[8], uint8_t mac_s[8])
{
	uint8_t temp[16], in1[16], x[16], y[16], out[16];
	int rc = mil_temp(m, k, opc, rand, temp);

	if (rc != 0)
		return rc;
	/* IN1 = SQN || AMF || SQN || AMF */
	memcpy(in1, sqn, 6);
	memcpy(in1 + 6, amf, 2);
	memcpy(in1 + 8, sqn, 6);
	memcpy(in1 + 14, amf, 2);
	/* OUT1 = E_K(TEMP xor rot(IN1 xor OPc, r1) xor c1) xor OPc;
	 * r1 = 64, c1 = 0. */
	mil_xor(x, in1, opc, 16);
	mil_rot(y, x, 64);
	mil_xor(x, y, temp, 16);
	rc = mil_aes(m, k, x, out);
	if (rc != 0)
		return rc;
	mil_xor(out, out, opc, 16);
	if (mac_a != NULL)
		memcpy(mac_a, out, 8);
	if (mac_s != NULL)
		memcpy(mac_s, out + 8, 8);
	return 0;
}

/* OUTi = E_K(rot(TEMP xor OPc, ri) xor ci) xor OPc, where ci is the
 * 128-bit constant whose last byte is @c. */
static int
mil_out(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
	const uint8_t temp[16], unsigned int r, uint8_t c, uint8_t out[16])
{
	uint8_t x[16], y[16];
	int rc;

	mil_xor(x, temp, opc, 16);
	mil_rot(y, x, r);
	y[15] ^= c;
	rc = mil_aes(m, k, y, out);
	if (rc == 0)
		mil_xor(out, out, opc, 16);
	return rc;
}

int
jitsim_milenage_f2345(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
		      const uint8_t rand[16], uint8_t res[8], uint8_t ck[16], uint8_t ik[16],
		      uint8_t ak[6], uint8_t ak_star[6])
{
	uint8_t temp[16], out[16];
	int rc = mil_temp(m, k, opc, rand, temp);

	/* f2/f5: r2 = 0, c2 = 1; RES = OUT2[64..127], AK = OUT2[0..47]. */
	if (rc == 0 && (res != NULL || ak != NULL)) {
		rc = mil_out(m, k, opc, temp, 0, 1, out);
		if (rc == 0 && res != NULL)
			memcpy(res, out + 8, 8);
		if (rc == 0 && ak != NULL)
			memcpy(ak, out, 6);
	}
	/* f3: r3 = 32, c3 = 2. */
	if (rc == 0 && ck != NULL)
		rc = mil_out(m, k, opc, temp, 32, 2, ck);
	/* f4: r4 = 64, c4 = 4. */
	if (rc == 0 && ik != NULL)
		rc = mil_out(m, k, opc, temp, 64, 4, ik);
	/* f5*: r5 = 96, c5 = 8; AK* = OUT5[0..47]. */
	if (rc == 0 && ak_star != NULL) {
		rc = mil_out(m, k, opc, temp, 96, 8, out);
		if (rc == 0)
			memcpy(ak_star, out, 6);
	}
	return rc;
}

int
jitsim_milenage_vector(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
		       const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		       struct jitsim_milenage_vector *v)
{
	uint8_t mac_a[8];
	int rc = jitsim_milenage_f1(m, k, opc, rand, sqn, amf, mac_a, NULL);

	if (rc == 0)
		rc = jitsim_milenage_f2345(m, k, opc, rand, v->res, v->ck, v->ik, v->ak, NULL);
	if (rc != 0)
		return rc;
	mil_xor(v->autn, sqn, v->ak, 6);
	memcpy(v->autn + 6, amf, 2);
	memcpy(v->autn + 8, mac_a, 8);
	return 0;
}

int
jitsim_milenage_auts(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
		     const uint8_t rand[16], const uint8_t auts[14], uint8_t sqn_ms[6])
{
	static const uint8_t amf0[2] = {0, 0};
	uint8_t ak_star[6], mac_s[8], diff = 0;
	int rc = jitsim_milenage_f2345(m, k, opc, rand, NULL, NULL, NULL, NULL, ak_star);

	if (rc != 0)
		return rc;
	mil_xor(sqn_ms, auts, ak_star, 6);
	rc = jitsim_milenage_f1(m, k, opc, rand, sqn_ms, amf0, NULL, mac_s);
	if (rc != 0)
		return rc;
	/* Constant time: the MAC is a secret-derived value. */
	for (unsigned int i = 0; i < 8; i++)
		diff |= mac_s[i] ^ auts[6 + i];
	return diff == 0 ? 0 : -EBADMSG;
}

void
jitsim_milenage_gsm(const struct jitsim_milenage_vector *v, uint8_t sres[4], uint8_t kc[8])
{
	for (unsigned int i = 0; i < 4; i++)
		sres[i] = v->res[i] ^ v->res[i + 4];
	for (unsigned int i = 0; i < 8; i++)
		kc[i] = v->ck[i] ^ v->ck[i + 8] ^ v->ik[i] ^ v->ik[i + 8];
}

int
jitsim_kasme(const uint8_t ck[16], const uint8_t ik[16], const uint8_t plmn[3],
	     const uint8_t sqn_xor_ak[6], uint8_t kasme[32])
{
	uint8_t key[32], s[14];
	unsigned int len = 0;

	memcpy(key, ck, 16);
	memcpy(key + 16, ik, 16);
	/* S = FC || P0 || L0 || P1 || L1 (TS 33.220 B.2.2). */
	s[0] = 0x10;
	memcpy(s + 1, plmn, 3);
	s[4] = 0x00;
	s[5] = 0x03;
	memcpy(s + 6, sqn_xor_ak, 6);
	s[12] = 0x00;
	s[13] = 0x06;
	if (HMAC(EVP_sha256(), key, sizeof(key), s, sizeof(s), kasme, &len) == NULL || len != 32) {
		memset(key, 0, sizeof(key));
		return -EIO;
	}
	memset(key, 0, sizeof(key));
	return 0;
}

static int
plmn_digit(char c)
{
	return c >= '0' && c <= '9' ? c - '0' : -1;
}

int
jitsim_milenage_plmn_encode(const char *mcc, const char *mnc, uint8_t plmn[3])
{
	size_t lc = strlen(mcc), ln = strlen(mnc);
	int d[6];

	if (lc != 3 || (ln != 2 && ln != 3))
		return -EINVAL;
	for (unsigned int i = 0; i < 3; i++)
		if ((d[i] = plmn_digit(mcc[i])) < 0)
			return -EINVAL;
	for (unsigned int i = 0; i < ln; i++)
		if ((d[3 + i] = plmn_digit(mnc[i])) < 0)
			return -EINVAL;
	/* TS 24.008 10.5.1.13: MCC2 MCC1 | MNC3 MCC3 | MNC2 MNC1 (MNC3 = F for
	 * a two-digit MNC). */
	plmn[0] = (uint8_t)(d[1] << 4 | d[0]);
	plmn[1] = (uint8_t)((ln == 3 ? d[5] : 0xf) << 4 | d[2]);
	plmn[2] = (uint8_t)(d[4] << 4 | d[3]);
	return 0;
}
