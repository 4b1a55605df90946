/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Authentication vectors for the First Time Attach endpoints (issues 8
 * and 9): MILENAGE (3GPP TS 35.206), the GSM conversion functions
 * (TS 33.102 6.8.1.2) and the EPS key KASME (TS 33.401 Annex A.2 over the
 * KDF of TS 33.220 Annex B.2).
 *
 * A struct jitsim_milenage holds one AES context, re-keyed per SIM: make
 * one per thread (worker lcore) at start; the calls allocate nothing, so
 * they are fit for the fast path. Not thread-safe: one context, one
 * thread. Keys pass through the caller's buffers only; nothing is logged.
 *
 * Byte strings are big-endian as in the specifications: K, OPc, RAND,
 * CK, IK 16 bytes; SQN, AK 6; AMF 2; MAC, RES 8.
 */

#ifndef JITSIM_MILENAGE_H
#define JITSIM_MILENAGE_H

#include <stddef.h>
#include <stdint.h>

#define JITSIM_MILENAGE_KEY_LEN 16
#define JITSIM_MILENAGE_SQN_LEN 6
#define JITSIM_MILENAGE_AMF_LEN 2
#define JITSIM_MILENAGE_MAC_LEN 8
#define JITSIM_MILENAGE_RES_LEN 8
#define JITSIM_MILENAGE_AUTN_LEN 16
#define JITSIM_MILENAGE_AUTS_LEN 14
#define JITSIM_KASME_LEN 32

struct jitsim_milenage;

/* NULL when OpenSSL cannot give an AES-128 context. */
struct jitsim_milenage *jitsim_milenage_new(void);
void jitsim_milenage_free(struct jitsim_milenage *m);

/* OPc = E_K(OP) xor OP (TS 35.206 4.1). 0 or -EIO. */
int jitsim_milenage_opc(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t op[16],
			uint8_t opc[16]);

/* One UMTS/EPS vector (TS 33.102 6.3.2): XRES, CK, IK, AK and AUTN =
 * (SQN xor AK) || AMF || MAC-A. 0 or -EIO. */
struct jitsim_milenage_vector {
	uint8_t res[JITSIM_MILENAGE_RES_LEN];
	uint8_t ck[16];
	uint8_t ik[16];
	uint8_t ak[6];
	uint8_t autn[JITSIM_MILENAGE_AUTN_LEN];
};

int jitsim_milenage_vector(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
			   const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
			   struct jitsim_milenage_vector *v);

/* The functions one by one (TS 35.206 4.1), for tests and resync.
 * f1: MAC-A; f1*: MAC-S; f2: RES; f3: CK; f4: IK; f5: AK; f5*: AK*. */
int jitsim_milenage_f1(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
		       const uint8_t rand[16], const uint8_t sqn[6], const uint8_t amf[2],
		       uint8_t mac_a[8], uint8_t mac_s[8]);
int jitsim_milenage_f2345(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
			  const uint8_t rand[16], uint8_t res[8], uint8_t ck[16], uint8_t ik[16],
			  uint8_t ak[6], uint8_t ak_star[6]);

/*
 * Re-synchronisation (TS 33.102 6.3.5): from AUTS = (SQN_MS xor AK*) ||
 * MAC-S sent by the USIM with the RAND it rejected, recover SQN_MS and
 * check MAC-S (computed with AMF 0x0000, TS 33.102 6.3.3). 0 and @sqn_ms,
 * -EBADMSG when MAC-S does not match (not our SIM's keys, or forged), -EIO.
 */
int jitsim_milenage_auts(struct jitsim_milenage *m, const uint8_t k[16], const uint8_t opc[16],
			 const uint8_t rand[16], const uint8_t auts[14], uint8_t sqn_ms[6]);

/* GSM triplet from a UMTS vector (TS 33.102 6.8.1.2, c2 and c3):
 * SRES = RES[0..3] xor RES[4..7]; Kc = CK1 xor CK2 xor IK1 xor IK2. */
void jitsim_milenage_gsm(const struct jitsim_milenage_vector *v, uint8_t sres[4], uint8_t kc[8]);

/*
 * KASME (TS 33.401 A.2): KDF(CK || IK, FC 0x10, P0 = serving network id
 * (the PLMN as 3 bytes, TS 24.301 9.9.3.32 coding), P1 = SQN xor AK).
 * The KDF is HMAC-SHA-256 (TS 33.220 B.2). 0 or -EIO.
 */
int jitsim_kasme(const uint8_t ck[16], const uint8_t ik[16], const uint8_t plmn[3],
		 const uint8_t sqn_xor_ak[6], uint8_t kasme[32]);

/* The PLMN id of MCC/MNC digits ("001", "01" or "001") in the 3-byte
 * coding of TS 24.008 10.5.1.13. 0 or -EINVAL. */
int jitsim_milenage_plmn_encode(const char *mcc, const char *mnc, uint8_t plmn[3]);

#endif /* JITSIM_MILENAGE_H */
