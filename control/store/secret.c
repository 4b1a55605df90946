/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * KEK file handling and AES-256-GCM sealing (NIST SP 800-38D: 96-bit
 * random IV, 128-bit tag). A random IV per seal is safe for far more than
 * the 2^32 seals per key SP 800-38D 8.3 allows a store to make over its
 * life at jitsim's scale (every import and activation seals once).
 */

#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>
#include <openssl/rand.h>

#include "secret.h"

/* A KEK file is tiny; anything larger is not one. */
#define KEK_FILE_MAX 4096

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Parse the first non-comment line of @buf as 64 hex digits. */
static int
kek_parse(const char *buf, size_t n, struct jitsim_kek *kek)
{
	size_t i = 0;

	while (i < n) {
		size_t eol = i;

		while (eol < n && buf[eol] != '\n')
			eol++;
		size_t end = eol;
		while (end > i &&
		       (buf[end - 1] == '\r' || buf[end - 1] == ' ' || buf[end - 1] == '\t'))
			end--;
		if (end == i || buf[i] == '#') {
			i = eol + 1;
			continue;
		}
		if (end - i != 2 * JITSIM_SECRET_KEK_LEN)
			return -EINVAL;
		for (size_t k = 0; k < JITSIM_SECRET_KEK_LEN; k++) {
			int hi = hexval((unsigned char)buf[i + 2 * k]);
			int lo = hexval((unsigned char)buf[i + 2 * k + 1]);

			if (hi < 0 || lo < 0)
				return -EINVAL;
			kek->key[k] = (uint8_t)(hi << 4 | lo);
		}
		return 0;
	}
	return -EINVAL;
}

int
jitsim_kek_load(const char *path, struct jitsim_kek *kek, char *err, size_t errlen)
{
	char buf[KEK_FILE_MAX];
	struct stat st;
	ssize_t n;
	int fd, rc;

	fd = open(path, O_RDONLY | O_CLOEXEC | O_NOFOLLOW);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "KEK file %s: %s", path, strerror(errno));
		return rc;
	}
	if (fstat(fd, &st) != 0 || !S_ISREG(st.st_mode)) {
		snprintf(err, errlen, "KEK file %s: not a regular file", path);
		close(fd);
		return -EINVAL;
	}
	/* The KEK protects every Ki in the store: a file others can read is a
	 * leak already, so refuse to run with it rather than warn. */
	if (st.st_mode & (S_IRWXG | S_IRWXO)) {
		snprintf(err, errlen,
			 "KEK file %s: mode %04o gives access to group/others; "
			 "it must be 0600 or 0400 (chmod 600 %s)",
			 path, (unsigned int)(st.st_mode & 07777), path);
		close(fd);
		return -EPERM;
	}
	n = read(fd, buf, sizeof(buf));
	rc = n < 0 ? -errno : 0;
	close(fd);
	if (rc != 0) {
		snprintf(err, errlen, "KEK file %s: %s", path, strerror(-rc));
		return rc;
	}
	if ((size_t)n == sizeof(buf) || kek_parse(buf, (size_t)n, kek) != 0) {
		OPENSSL_cleanse(buf, sizeof(buf));
		snprintf(err, errlen,
			 "KEK file %s: expected one line of %d hex digits (a 256-bit key)", path,
			 2 * JITSIM_SECRET_KEK_LEN);
		return -EINVAL;
	}
	OPENSSL_cleanse(buf, sizeof(buf));
	return 0;
}

int
jitsim_kek_create(const char *path, char *err, size_t errlen)
{
	static const char digits[] = "0123456789abcdef";
	uint8_t key[JITSIM_SECRET_KEK_LEN];
	char line[2 * JITSIM_SECRET_KEK_LEN + 64];
	size_t off;
	int fd, rc = 0;

	if (RAND_bytes(key, sizeof(key)) != 1) {
		snprintf(err, errlen, "KEK file %s: no randomness available", path);
		return -EIO;
	}
	off = (size_t)snprintf(line, sizeof(line), "# jitsim key-encryption key\n");
	for (size_t i = 0; i < sizeof(key); i++) {
		line[off++] = digits[key[i] >> 4];
		line[off++] = digits[key[i] & 15];
	}
	line[off++] = '\n';
	OPENSSL_cleanse(key, sizeof(key));

	fd = open(path, O_WRONLY | O_CREAT | O_EXCL | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0) {
		rc = -errno;
		snprintf(err, errlen, "KEK file %s: %s", path, strerror(errno));
		goto wipe;
	}
	/* fchmod: the umask must not widen or narrow what we promise. */
	if (fchmod(fd, 0600) != 0 || write(fd, line, off) != (ssize_t)off || fsync(fd) != 0) {
		rc = -errno ? -errno : -EIO;
		snprintf(err, errlen, "KEK file %s: %s", path, strerror(-rc));
		close(fd);
		unlink(path);
		goto wipe;
	}
	close(fd);
wipe:
	OPENSSL_cleanse(line, sizeof(line));
	return rc;
}

void
jitsim_kek_wipe(struct jitsim_kek *kek)
{
	OPENSSL_cleanse(kek->key, sizeof(kek->key));
}

int
jitsim_secret_seal(const struct jitsim_kek *kek, const uint8_t *aad, size_t aadlen,
		   const uint8_t *plain, size_t n, uint8_t *out)
{
	uint8_t *iv = out, *ct = out + JITSIM_SECRET_NONCE_LEN, *tag = ct + n;
	EVP_CIPHER_CTX *c;
	int len, rc = -EIO;

	if (n > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	if (RAND_bytes(iv, JITSIM_SECRET_NONCE_LEN) != 1)
		return -EIO;
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	if (EVP_EncryptInit_ex(c, EVP_aes_256_gcm(), NULL, kek->key, iv) != 1)
		goto out;
	if (aadlen && EVP_EncryptUpdate(c, NULL, &len, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_EncryptUpdate(c, ct, &len, plain, (int)n) != 1 || (size_t)len != n)
		goto out;
	if (EVP_EncryptFinal_ex(c, ct + len, &len) != 1)
		goto out;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, JITSIM_SECRET_TAG_LEN, tag) != 1)
		goto out;
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}

int
jitsim_secret_open(const struct jitsim_kek *kek, const uint8_t *aad, size_t aadlen,
		   const uint8_t *sealed, size_t len, uint8_t *plain)
{
	const uint8_t *iv = sealed, *ct = sealed + JITSIM_SECRET_NONCE_LEN;
	size_t n;
	EVP_CIPHER_CTX *c;
	int outl, rc = -EBADMSG;

	if (len < JITSIM_SECRET_SEALED_LEN(0) || len > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	n = len - JITSIM_SECRET_SEALED_LEN(0);
	c = EVP_CIPHER_CTX_new();
	if (c == NULL)
		return -ENOMEM;
	if (EVP_DecryptInit_ex(c, EVP_aes_256_gcm(), NULL, kek->key, iv) != 1)
		goto out;
	if (aadlen && EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aadlen) != 1)
		goto out;
	if (EVP_DecryptUpdate(c, plain, &outl, ct, (int)n) != 1)
		goto out;
	/* The tag is an input of the check: casting away const is what the
	 * EVP API asks for and it does not write to it. */
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, JITSIM_SECRET_TAG_LEN,
				(void *)(uintptr_t)(ct + n)) != 1)
		goto out;
	if (EVP_DecryptFinal_ex(c, plain + outl, &outl) != 1) {
		OPENSSL_cleanse(plain, n);
		goto out;
	}
	rc = 0;
out:
	EVP_CIPHER_CTX_free(c);
	return rc;
}
