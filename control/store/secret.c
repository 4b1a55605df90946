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
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
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

/*
 * Per-thread cipher state. Creating an OpenSSL 3 context, fetching the
 * algorithm and expanding the key cost ~6 us per seal, which alone would
 * make a 10-million-SIM import take a minute; a thread keeps one context
 * per direction keyed with the KEK it last used (only the nonce changes
 * per call), and draws nonces from a buffer of random bytes. The state is
 * freed by the thread-exit destructor of a pthread key.
 */
#define NONCE_POOL 4096

struct secret_tls {
	EVP_CIPHER_CTX *enc;
	EVP_CIPHER_CTX *dec;
	uint8_t enc_key[JITSIM_SECRET_KEK_LEN];
	uint8_t dec_key[JITSIM_SECRET_KEK_LEN];
	bool enc_ok, dec_ok;
	size_t pool_used;
	uint8_t pool[NONCE_POOL];
};

static pthread_key_t tls_key;
static pthread_once_t tls_once = PTHREAD_ONCE_INIT;
static EVP_CIPHER *gcm;

static void
tls_free(void *p)
{
	struct secret_tls *t = p;

	EVP_CIPHER_CTX_free(t->enc);
	EVP_CIPHER_CTX_free(t->dec);
	OPENSSL_cleanse(t, sizeof(*t));
	free(t);
}

static void
tls_init(void)
{
	pthread_key_create(&tls_key, tls_free);
	gcm = EVP_CIPHER_fetch(NULL, "AES-256-GCM", NULL);
}

static struct secret_tls *
tls_get(void)
{
	struct secret_tls *t;

	pthread_once(&tls_once, tls_init);
	if (gcm == NULL)
		return NULL;
	t = pthread_getspecific(tls_key);
	if (t)
		return t;
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->enc = EVP_CIPHER_CTX_new();
	t->dec = EVP_CIPHER_CTX_new();
	t->pool_used = NONCE_POOL;
	if (t->enc == NULL || t->dec == NULL || pthread_setspecific(tls_key, t) != 0) {
		tls_free(t);
		return NULL;
	}
	return t;
}

/* Key @c with @kek unless it already is. */
static int
tls_key_ctx(EVP_CIPHER_CTX *c, uint8_t *cached, bool *ok, const struct jitsim_kek *kek, int enc)
{
	if (*ok && CRYPTO_memcmp(cached, kek->key, JITSIM_SECRET_KEK_LEN) == 0)
		return 0;
	*ok = false;
	if (EVP_CipherInit_ex(c, gcm, NULL, kek->key, NULL, enc) != 1)
		return -EIO;
	memcpy(cached, kek->key, JITSIM_SECRET_KEK_LEN);
	*ok = true;
	return 0;
}

static int
tls_nonce(struct secret_tls *t, uint8_t *iv)
{
	if (t->pool_used + JITSIM_SECRET_NONCE_LEN > NONCE_POOL) {
		if (RAND_bytes(t->pool, NONCE_POOL) != 1)
			return -EIO;
		t->pool_used = 0;
	}
	memcpy(iv, t->pool + t->pool_used, JITSIM_SECRET_NONCE_LEN);
	/* A nonce is used once: wipe it from the pool. */
	memset(t->pool + t->pool_used, 0, JITSIM_SECRET_NONCE_LEN);
	t->pool_used += JITSIM_SECRET_NONCE_LEN;
	return 0;
}

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
	struct secret_tls *t = tls_get();
	EVP_CIPHER_CTX *c;
	int len;

	if (n > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	if (t == NULL)
		return -ENOMEM;
	c = t->enc;
	if (tls_key_ctx(c, t->enc_key, &t->enc_ok, kek, 1) != 0 || tls_nonce(t, iv) != 0)
		return -EIO;
	/* Same cipher and key: only the IV is set, the key schedule stays. */
	if (EVP_EncryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		goto fail;
	if (aadlen && EVP_EncryptUpdate(c, NULL, &len, aad, (int)aadlen) != 1)
		goto fail;
	if (EVP_EncryptUpdate(c, ct, &len, plain, (int)n) != 1 || (size_t)len != n)
		goto fail;
	if (EVP_EncryptFinal_ex(c, ct + len, &len) != 1)
		goto fail;
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_GET_TAG, JITSIM_SECRET_TAG_LEN, tag) != 1)
		goto fail;
	return 0;
fail:
	t->enc_ok = false;
	return -EIO;
}

int
jitsim_secret_open(const struct jitsim_kek *kek, const uint8_t *aad, size_t aadlen,
		   const uint8_t *sealed, size_t len, uint8_t *plain)
{
	const uint8_t *iv = sealed, *ct = sealed + JITSIM_SECRET_NONCE_LEN;
	struct secret_tls *t;
	EVP_CIPHER_CTX *c;
	int outl;
	size_t n;

	if (len < JITSIM_SECRET_SEALED_LEN(0) || len > INT32_MAX || aadlen > INT32_MAX)
		return -EINVAL;
	t = tls_get();
	if (t == NULL)
		return -ENOMEM;
	n = len - JITSIM_SECRET_SEALED_LEN(0);
	c = t->dec;
	if (tls_key_ctx(c, t->dec_key, &t->dec_ok, kek, 0) != 0)
		return -EIO;
	if (EVP_DecryptInit_ex(c, NULL, NULL, NULL, iv) != 1)
		goto fail;
	if (aadlen && EVP_DecryptUpdate(c, NULL, &outl, aad, (int)aadlen) != 1)
		goto fail;
	if (EVP_DecryptUpdate(c, plain, &outl, ct, (int)n) != 1)
		goto fail;
	/* The tag is an input of the check: casting away const is what the
	 * EVP API asks for and it does not write to it. */
	if (EVP_CIPHER_CTX_ctrl(c, EVP_CTRL_GCM_SET_TAG, JITSIM_SECRET_TAG_LEN,
				(void *)(uintptr_t)(ct + n)) != 1)
		goto fail;
	if (EVP_DecryptFinal_ex(c, plain + outl, &outl) != 1) {
		OPENSSL_cleanse(plain, n);
		return -EBADMSG;
	}
	return 0;
fail:
	t->dec_ok = false;
	return -EIO;
}
