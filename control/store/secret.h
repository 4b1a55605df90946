/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Secrets at rest: the key-encryption key (KEK) and AES-256-GCM sealing of
 * SIM keys (Ki, OPc, KIc, KID) with the record key as associated data, so a
 * sealed blob copied onto another SIM's record fails to open.
 *
 * KEK file: one line of 64 hex digits (32 bytes), optionally preceded by
 * `#` comment lines; it must be a regular file of mode 0600 or 0400 (no
 * group/other bits), else it is refused.
 *
 * Thread-safety: a loaded KEK is read-only and may be shared by threads;
 * seal/open create their own OpenSSL context per call.
 * Nothing in this module ever prints key material.
 */

#ifndef JITSIM_STORE_SECRET_H
#define JITSIM_STORE_SECRET_H

#include <stddef.h>
#include <stdint.h>

#define JITSIM_SECRET_KEK_LEN 32
#define JITSIM_SECRET_NONCE_LEN 12
#define JITSIM_SECRET_TAG_LEN 16
/* Sealed size of @n plaintext bytes: nonce | ciphertext | tag. */
#define JITSIM_SECRET_SEALED_LEN(n) (JITSIM_SECRET_NONCE_LEN + (n) + JITSIM_SECRET_TAG_LEN)

struct jitsim_kek {
	uint8_t key[JITSIM_SECRET_KEK_LEN];
};

/* Read @path into @kek. 0, or negative errno with a message in @err that
 * names the file and the problem (never the key): -EPERM for a mode with
 * group/other bits, -EINVAL for a bad format, -errno of open/read. */
int jitsim_kek_load(const char *path, struct jitsim_kek *kek, char *err, size_t errlen);

/* Create a new random KEK file at @path (mode 0600, O_EXCL). 0 or -errno. */
int jitsim_kek_create(const char *path, char *err, size_t errlen);

/* Overwrite key material. */
void jitsim_kek_wipe(struct jitsim_kek *kek);

/* Seal @n bytes (random 96-bit nonce) into @out, which must hold
 * JITSIM_SECRET_SEALED_LEN(n) bytes. 0 or -EIO. */
int jitsim_secret_seal(const struct jitsim_kek *kek, const uint8_t *aad, size_t aadlen,
		       const uint8_t *plain, size_t n, uint8_t *out);

/* Open a sealed blob of @len bytes into @plain (len - nonce - tag bytes).
 * 0, -EBADMSG when the tag does not verify (wrong KEK, damaged data or a
 * blob of another record), -EINVAL for a length too short. */
int jitsim_secret_open(const struct jitsim_kek *kek, const uint8_t *aad, size_t aadlen,
		       const uint8_t *sealed, size_t len, uint8_t *plain);

#endif /* JITSIM_STORE_SECRET_H */
