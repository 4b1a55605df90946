/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * The "output file" SIM manufacturers deliver with a batch: a header block
 * (customer, quantity, card type, profile, batch, transport key index), the
 * Var_Out column list, then one line per card. Card data per TS 31.102 /
 * TS 102 221 (ICCID, IMSI, PINs, PUKs, ADM1), Milenage Ki/OPc (TS 35.206),
 * OTA keys KIc/KID (ETSI TS 102 225). Keys are encrypted one 16-byte block
 * at a time with AES-128 under the transport key (ECB of a single random
 * block, as the vendors' "Ki encrypted with transport key K4" does).
 */
#include <errno.h>
#include <inttypes.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include "rng.h"
#include "vendor.h"

#define DOM_TK 0x746b6579ull

static const char rule[] =
	"*******************************************************************************\n";

static int
encrypt_block(EVP_CIPHER_CTX *c, const uint8_t in[16], uint8_t out[16])
{
	int n = 0;

	if (EVP_EncryptUpdate(c, out, &n, in, 16) != 1 || n != 16)
		return -EIO;
	return 0;
}

static void
hex(const uint8_t *p, size_t n, char *out)
{
	static const char digits[] = "0123456789ABCDEF";

	for (size_t i = 0; i < n; i++) {
		out[2 * i] = digits[p[i] >> 4];
		out[2 * i + 1] = digits[p[i] & 15];
	}
	out[2 * n] = '\0';
}

int
jitsim_pktgen_vendor_write(const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_ofile *out,
			   struct jitsim_pktgen_ofile *key)
{
	const struct jitsim_pktgen_scenario *sc = pop->sc;
	uint8_t tk[16], zero[16] = {0}, kcv[16];
	char tkhex[33], kcvhex[7];
	EVP_CIPHER_CTX *c;
	int rc = 0;

	for (int i = 0; i < 2; i++) {
		uint64_t v = jitsim_pktgen_hash2(pop->seed ^ DOM_TK, (uint64_t)i);

		memcpy(tk + 8 * i, &v, 8);
	}
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(c, EVP_aes_128_ecb(), NULL, tk, NULL) != 1 ||
	    EVP_CIPHER_CTX_set_padding(c, 0) != 1) {
		rc = -EIO;
		goto free_ctx;
	}
	/* Key check value: first 3 bytes of the key applied to a zero block. */
	rc = encrypt_block(c, zero, kcv);
	if (rc != 0)
		goto free_ctx;
	hex(tk, 16, tkhex);
	hex(kcv, 3, kcvhex);
	jitsim_pktgen_ofile_printf(key,
				   "# jitsim-pktgen transport key: keep secret, never commit\n"
				   "Batch: %s\nTransport_key_index: %" PRIu32
				   "\nAlgorithm: AES-128-ECB\nKey: %s\nKCV: %s\n",
				   sc->batch, sc->transport_key_index, tkhex, kcvhex);
	OPENSSL_cleanse(tkhex, sizeof(tkhex));

	jitsim_pktgen_ofile_printf(out, "%s* HEADER DESCRIPTION\n%s", rule, rule);
	jitsim_pktgen_ofile_printf(out,
				   "Customer        : %s\nQuantity        : %" PRIu64
				   "\nType            : %s\nProfile         : %s\n"
				   "Batch           : %s\nTransport_key   : %" PRIu32
				   "\nKey_algorithm   : AES-128-ECB\nKCV             : %s\n",
				   sc->customer, sc->count, sc->card_type, sc->profile, sc->batch,
				   sc->transport_key_index, kcvhex);
	jitsim_pktgen_ofile_printf(out, "%s* INPUT VARIABLES\n%s", rule, rule);
	{
		struct jitsim_pktgen_card card;

		jitsim_pktgen_pop_card(pop, 0, &card);
		jitsim_pktgen_ofile_printf(out, "Var_In_List:\nICCID: %s\nIMSI: %s%s\n", card.iccid,
					   sc->mcc, sc->mnc);
		OPENSSL_cleanse(&card, sizeof(card));
	}
	jitsim_pktgen_ofile_printf(out, "%s* OUTPUT VARIABLES\n%s", rule, rule);
	jitsim_pktgen_ofile_printf(
		out, "Var_Out: ICCID/IMSI/PIN1/PUK1/PIN2/PUK2/KI/OPC/ADM1/KIC1/KID1\n");
	for (uint64_t i = 0; i < sc->count && rc == 0; i++) {
		struct jitsim_pktgen_card card;
		struct jitsim_pktgen_sim s;
		uint8_t e[4][16];
		char h[4][33];

		jitsim_pktgen_pop_card(pop, i, &card);
		jitsim_pktgen_pop_sim(pop, i, &s);
		rc = encrypt_block(c, card.ki, e[0]);
		if (rc == 0)
			rc = encrypt_block(c, card.opc, e[1]);
		if (rc == 0)
			rc = encrypt_block(c, card.kic, e[2]);
		if (rc == 0)
			rc = encrypt_block(c, card.kid, e[3]);
		for (int k = 0; k < 4; k++)
			hex(e[k], 16, h[k]);
		if (rc == 0)
			rc = jitsim_pktgen_ofile_printf(out, "%s %s %s %s %s %s %s %s %s %s %s\n",
							card.iccid, s.imsi, card.pin1, card.puk1,
							card.pin2, card.puk2, h[0], h[1], card.adm1,
							h[2], h[3]);
		OPENSSL_cleanse(&card, sizeof(card));
	}
	if (rc == 0)
		rc = out->err ? out->err : key->err;
free_ctx:
	EVP_CIPHER_CTX_free(c);
	OPENSSL_cleanse(tk, sizeof(tk));
	return rc;
}
