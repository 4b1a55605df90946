/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SIM record encoding of the `sim` column family (docs/store.md).
 *
 * Value layout, version 2 (all integers big-endian):
 *   u8  version (2)
 *   u8  state (enum jitsim_sim_state)   u8 flags
 *   u16 tenant   u16 region   u16 tariff   u16 hlr
 *   u64 msisdn (compact key, 0 = none)
 *   u64 created, updated, activated, last_activity (Unix seconds)
 *   u8  unlock_to, u8 unblock_to (version 2 on; 0 in version 1 records)
 *   u8  iccid length (0..22) + ASCII digits
 *   u8  batch length (0..32) + bytes
 *   u8  secret mask (JITSIM_REC_S_*)
 *   u16 sealed length + sealed secrets (secret.h: nonce|ct|tag), the
 *       plaintext being the present keys, 16 bytes each, in mask order
 * A decoder accepts every version it knows and refuses newer ones, so
 * fields can be added by bumping the version byte. Version 1 (the same
 * without unlock_to/unblock_to) is still decoded; the encoder writes 2.
 *
 * Keys: `sim` and `msisdn` keys are the 8-byte big-endian compact digit
 * key (jitsim_digits_key), so RocksDB orders them by length then value.
 */

#ifndef JITSIM_STORE_RECORD_H
#define JITSIM_STORE_RECORD_H

#include <stddef.h>
#include <stdint.h>

#include "secret.h"

#define JITSIM_REC_VERSION 2

#define JITSIM_REC_S_KI 0x01u
#define JITSIM_REC_S_OPC 0x02u
#define JITSIM_REC_S_KIC 0x04u
#define JITSIM_REC_S_KID 0x08u
#define JITSIM_REC_S_ALL 0x0fu
#define JITSIM_REC_SECRETS 4
#define JITSIM_REC_KEY_LEN 16

#define JITSIM_REC_ICCID_MAX 22
#define JITSIM_REC_BATCH_MAX 32
#define JITSIM_REC_SEALED_MAX JITSIM_SECRET_SEALED_LEN(JITSIM_REC_SECRETS *JITSIM_REC_KEY_LEN)
/* Largest encoded record. */
#define JITSIM_REC_MAX (64 + JITSIM_REC_ICCID_MAX + JITSIM_REC_BATCH_MAX + JITSIM_REC_SEALED_MAX)

/* Clear SIM keys; only ever on the stack of the code that needs them,
 * wiped after use (jitsim_rec_secrets_wipe). */
struct jitsim_rec_secrets {
	uint8_t mask; /* JITSIM_REC_S_* present */
	uint8_t ki[JITSIM_REC_KEY_LEN];
	uint8_t opc[JITSIM_REC_KEY_LEN];
	uint8_t kic[JITSIM_REC_KEY_LEN];
	uint8_t kid[JITSIM_REC_KEY_LEN];
};

/* A decoded record (sealed secrets kept sealed). */
struct jitsim_rec {
	uint64_t imsi; /* compact key (from the RocksDB key, not the value) */
	uint8_t version;
	uint8_t state;
	uint8_t flags;
	uint16_t tenant;
	uint16_t region;
	uint16_t tariff;
	uint16_t hlr;
	uint64_t msisdn;
	uint64_t created;
	uint64_t updated;
	uint64_t activated;
	uint64_t last_activity;
	/* The state a LOCKED SIM returns to when unlocked and a BLOCKED SIM
	 * when unblocked (a SLEEPING SIM blocked then unblocked is SLEEPING
	 * again); 0: not recorded (version 1, imported in that state). */
	uint8_t unlock_to;
	uint8_t unblock_to;
	char iccid[JITSIM_REC_ICCID_MAX + 1]; /* NUL-terminated digits */
	char batch[JITSIM_REC_BATCH_MAX + 1];
	uint8_t secret_mask;
	uint16_t sealed_len;
	uint8_t sealed[JITSIM_REC_SEALED_MAX];
};

/* 8-byte big-endian key of a compact digit key. */
void jitsim_rec_key(uint64_t key, uint8_t out[8]);
/* Inverse; 0 when @len != 8. */
uint64_t jitsim_rec_key_parse(const uint8_t *p, size_t len);

/* Seal @s into @r (sealed, sealed_len, secret_mask), AAD = "sim" + key.
 * 0 or -EIO. */
int jitsim_rec_seal(struct jitsim_rec *r, const struct jitsim_kek *kek,
		    const struct jitsim_rec_secrets *s);
/* Open @r's secrets. 0, -EBADMSG (wrong KEK or damaged), -ENOENT when
 * the record has none. */
int jitsim_rec_open(const struct jitsim_rec *r, const struct jitsim_kek *kek,
		    struct jitsim_rec_secrets *s);
void jitsim_rec_secrets_wipe(struct jitsim_rec_secrets *s);

/* Encode into @out (JITSIM_REC_MAX bytes); returns the length or -EINVAL
 * for a field out of range. */
int jitsim_rec_encode(const struct jitsim_rec *r, uint8_t *out, size_t cap);
/* Decode @len bytes of a `sim` value; @imsi from the key. 0, -EBADMSG with
 * the reason in @err (offset and field, never secret bytes), -ENOTSUP for
 * a newer version. */
int jitsim_rec_decode(uint64_t imsi, const uint8_t *p, size_t len, struct jitsim_rec *r, char *err,
		      size_t errlen);

/*
 * The dataplane's projection of a record: what jitsim-dp's tables hold,
 * in the `dp` column family (same key as `sim`), written in the same
 * batch as the record, so that the bulk load reads 16 bytes a SIM rather
 * than a whole record with its sealed keys. Layout (big-endian):
 *   u8 version (1), u8 state, u8 flags, u8 0, u16 tenant, u16 region,
 *   u64 msisdn (compact key, 0 = none)
 */
#define JITSIM_REC_DP_LEN 16
#define JITSIM_REC_DP_VERSION 1

struct jitsim_rec_dp {
	uint8_t state;
	uint8_t flags;
	uint16_t tenant;
	uint16_t region;
	uint64_t msisdn;
};

void jitsim_rec_dp_encode(const struct jitsim_rec *r, uint8_t out[JITSIM_REC_DP_LEN]);
/* 0, -EBADMSG (wrong length, version or state; @err names the IMSI),
 * -ENOTSUP for a newer version. */
int jitsim_rec_dp_decode(uint64_t imsi, const uint8_t *p, size_t len, struct jitsim_rec_dp *dp,
			 char *err, size_t errlen);

/* One-line description for logs and the CLI, without secrets. */
int jitsim_rec_dump(const struct jitsim_rec *r, char *buf, size_t size);

#endif /* JITSIM_STORE_RECORD_H */
