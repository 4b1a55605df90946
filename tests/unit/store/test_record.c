/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SIM record encoding and secret sealing (control/store/record.c,
 * secret.c): round trips, every decode error, binding of sealed keys to
 * their record.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "record.h"

static struct jitsim_kek kek = {.key = {1, 2, 3, 4, 5, 6, 7, 8, 9}};

static void
sample(struct jitsim_rec *r, struct jitsim_rec_secrets *s)
{
	memset(r, 0, sizeof(*r));
	r->imsi = jitsim_digits_key_str("001010000012345");
	r->state = JITSIM_SIM_INVENTORY;
	r->flags = JITSIM_SIM_F_TEST;
	r->tenant = 7;
	r->region = 3;
	r->tariff = 9;
	r->hlr = 2;
	r->msisdn = jitsim_digits_key_str("4915100000001");
	r->created = 1790000000;
	r->updated = 1790000001;
	snprintf(r->iccid, sizeof(r->iccid), "89440100000000000019");
	snprintf(r->batch, sizeof(r->batch), "B0001");
	memset(s, 0, sizeof(*s));
	s->mask = JITSIM_REC_S_KI | JITSIM_REC_S_OPC;
	for (int i = 0; i < JITSIM_REC_KEY_LEN; i++) {
		s->ki[i] = (uint8_t)(0x10 + i);
		s->opc[i] = (uint8_t)(0x80 + i);
	}
}

static void
test_roundtrip(void **state)
{
	struct jitsim_rec r, d;
	struct jitsim_rec_secrets s, o;
	uint8_t buf[JITSIM_REC_MAX];
	char err[256];
	int n;

	(void)state;
	sample(&r, &s);
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	assert_int_equal(r.sealed_len, JITSIM_SECRET_SEALED_LEN(32));
	n = jitsim_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(jitsim_rec_decode(r.imsi, buf, (size_t)n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.version, JITSIM_REC_VERSION);
	assert_int_equal(d.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(d.flags, JITSIM_SIM_F_TEST);
	assert_int_equal(d.tenant, 7);
	assert_int_equal(d.region, 3);
	assert_int_equal(d.tariff, 9);
	assert_int_equal(d.hlr, 2);
	assert_true(d.msisdn == r.msisdn);
	assert_true(d.created == 1790000000 && d.updated == 1790000001);
	assert_string_equal(d.iccid, "89440100000000000019");
	assert_string_equal(d.batch, "B0001");
	assert_int_equal(jitsim_rec_open(&d, &kek, &o), 0);
	assert_int_equal(o.mask, s.mask);
	assert_memory_equal(o.ki, s.ki, 16);
	assert_memory_equal(o.opc, s.opc, 16);
	/* The clear keys are nowhere in the encoded record. */
	assert_null(memmem(buf, (size_t)n, s.ki, 16));
	assert_null(memmem(buf, (size_t)n, s.opc, 16));
}

/* Every prefix of a record is refused with a message naming the IMSI. */
static void
test_truncated(void **state)
{
	struct jitsim_rec r, d;
	struct jitsim_rec_secrets s;
	uint8_t buf[JITSIM_REC_MAX];
	char err[256];
	int n;

	(void)state;
	sample(&r, &s);
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	n = jitsim_rec_encode(&r, buf, sizeof(buf));
	for (int len = 0; len < n; len++) {
		uint8_t *copy = malloc((size_t)len + 1);

		memcpy(copy, buf, (size_t)len);
		err[0] = '\0';
		assert_int_equal(jitsim_rec_decode(r.imsi, copy, (size_t)len, &d, err, sizeof(err)),
				 -EBADMSG);
		assert_non_null(strstr(err, "001010000012345"));
		free(copy);
	}
}

static void
test_decode_errors(void **state)
{
	struct jitsim_rec r, d;
	struct jitsim_rec_secrets s;
	uint8_t buf[JITSIM_REC_MAX], bad[JITSIM_REC_MAX];
	char err[256];
	int n;

	(void)state;
	sample(&r, &s);
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	n = jitsim_rec_encode(&r, buf, sizeof(buf));

	memcpy(bad, buf, (size_t)n);
	bad[0] = JITSIM_REC_VERSION + 1;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "newer"));

	bad[0] = 0;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field version"));

	memcpy(bad, buf, (size_t)n);
	bad[1] = JITSIM_SIM_STATE_MAX;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field state"));

	/* unlock_to and unblock_to at offsets 51 and 52 (version 2). */
	memcpy(bad, buf, (size_t)n);
	bad[51] = JITSIM_SIM_STATE_MAX;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field unlock_to"));
	memcpy(bad, buf, (size_t)n);
	bad[52] = 0xff;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field unblock_to"));

	/* ICCID length byte at offset 53, digits follow. */
	memcpy(bad, buf, (size_t)n);
	bad[53] = 200;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field iccid"));
	memcpy(bad, buf, (size_t)n);
	bad[54] = 'x';
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "not decimal"));

	/* Batch length byte right after the 20 ICCID digits. */
	memcpy(bad, buf, (size_t)n);
	bad[74] = 33;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "field batch"));

	/* Secret mask after "B0001". */
	memcpy(bad, buf, (size_t)n);
	bad[80] = 0x10;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "mask"));
	memcpy(bad, buf, (size_t)n);
	bad[80] = JITSIM_REC_S_ALL;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "does not match mask"));

	/* A byte too many. */
	memcpy(bad, buf, (size_t)n);
	bad[n] = 0;
	assert_int_equal(jitsim_rec_decode(r.imsi, bad, (size_t)n + 1, &d, err, sizeof(err)),
			 -EBADMSG);
	assert_non_null(strstr(err, "bytes left"));
}

/* Version 2 carries the states to return to; a version 1 record (the
 * same without those two bytes) still decodes, with both 0. */
static void
test_version1(void **state)
{
	struct jitsim_rec r, d;
	struct jitsim_rec_secrets s;
	uint8_t buf[JITSIM_REC_MAX], v1[JITSIM_REC_MAX];
	char err[256];
	int n;

	(void)state;
	sample(&r, &s);
	r.state = JITSIM_SIM_BLOCKED;
	r.unlock_to = JITSIM_SIM_SLEEPING;
	r.unblock_to = JITSIM_SIM_LOCKED;
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	n = jitsim_rec_encode(&r, buf, sizeof(buf));
	assert_true(n > 53);
	assert_int_equal(buf[0], 2);
	assert_int_equal(jitsim_rec_decode(r.imsi, buf, (size_t)n, &d, err, sizeof(err)), 0);
	assert_int_equal(d.unlock_to, JITSIM_SIM_SLEEPING);
	assert_int_equal(d.unblock_to, JITSIM_SIM_LOCKED);

	memcpy(v1, buf, 51);
	memcpy(v1 + 51, buf + 53, (size_t)n - 53);
	v1[0] = 1;
	assert_int_equal(jitsim_rec_decode(r.imsi, v1, (size_t)n - 2, &d, err, sizeof(err)), 0);
	assert_int_equal(d.version, 1);
	assert_int_equal(d.state, JITSIM_SIM_BLOCKED);
	assert_int_equal(d.unlock_to, 0);
	assert_int_equal(d.unblock_to, 0);
	assert_string_equal(d.iccid, "89440100000000000019");
	assert_int_equal(d.sealed_len, r.sealed_len);
	assert_memory_equal(d.sealed, r.sealed, r.sealed_len);
	/* Truncated inside the version 1 fixed part. */
	assert_int_equal(jitsim_rec_decode(r.imsi, v1, 50, &d, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "of 51 bytes"));

	r.unblock_to = JITSIM_SIM_STATE_MAX;
	assert_int_equal(jitsim_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
}

/* A sealed blob opens only under its KEK and on its own record. */
static void
test_seal_binding(void **state)
{
	struct jitsim_rec r, other;
	struct jitsim_rec_secrets s, o;
	struct jitsim_kek wrong = kek;

	(void)state;
	sample(&r, &s);
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	wrong.key[31] ^= 1;
	assert_int_equal(jitsim_rec_open(&r, &wrong, &o), -EBADMSG);
	assert_int_equal(o.mask, 0);
	other = r;
	other.imsi = jitsim_digits_key_str("001010000012346");
	assert_int_equal(jitsim_rec_open(&other, &kek, &o), -EBADMSG);
	other = r;
	other.sealed[20] ^= 0x01;
	assert_int_equal(jitsim_rec_open(&other, &kek, &o), -EBADMSG);
	other = r;
	other.secret_mask = 0;
	assert_int_equal(jitsim_rec_open(&other, &kek, &o), -ENOENT);
	/* Two seals of the same keys differ (random nonce). */
	other = r;
	assert_int_equal(jitsim_rec_seal(&other, &kek, &s), 0);
	assert_memory_not_equal(other.sealed, r.sealed, r.sealed_len);
}

static void
test_encode_errors(void **state)
{
	struct jitsim_rec r;
	struct jitsim_rec_secrets s;
	uint8_t buf[JITSIM_REC_MAX];

	(void)state;
	sample(&r, &s);
	r.state = JITSIM_SIM_NONE;
	assert_int_equal(jitsim_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	sample(&r, &s);
	r.iccid[3] = 'A';
	assert_int_equal(jitsim_rec_encode(&r, buf, sizeof(buf)), -EINVAL);
	sample(&r, &s);
	assert_int_equal(jitsim_rec_encode(&r, buf, 20), -EINVAL);
}

static void
test_dump_no_secrets(void **state)
{
	struct jitsim_rec r;
	struct jitsim_rec_secrets s;
	char line[512];

	(void)state;
	sample(&r, &s);
	assert_int_equal(jitsim_rec_seal(&r, &kek, &s), 0);
	jitsim_rec_dump(&r, line, sizeof(line));
	assert_non_null(strstr(line, "imsi=001010000012345 state=inventory"));
	assert_non_null(strstr(line, "msisdn=4915100000001"));
	assert_non_null(strstr(line, "secrets=ki,opc,"));
	assert_null(strstr(line, "101112"));
}

static void
test_kek_file(void **state)
{
	char dir[] = "/tmp/jitsim-kek.XXXXXX", path[256], err[256];
	struct jitsim_kek k;
	FILE *f;

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(path, sizeof(path), "%s/kek", dir);
	assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), -ENOENT);
	assert_int_equal(jitsim_kek_create(path, err, sizeof(err)), 0);
	assert_int_equal(jitsim_kek_create(path, err, sizeof(err)), -EEXIST);
	assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), 0);
	chmod(path, 0640);
	assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "0640"));
	assert_non_null(strstr(err, path));
	chmod(path, 0400);
	assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), 0);
	unlink(path);

	/* Bad contents: short key, non-hex, nothing but comments. */
	const char *bad[] = {"abcd\n",
			     "# c\nzz"
			     "00000000000000000000000000000000000000000000000000000000000000\n",
			     "# only a comment\n"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		assert_true(fd >= 0);
		assert_int_equal(write(fd, bad[i], strlen(bad[i])), (ssize_t)strlen(bad[i]));
		close(fd);
		assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), -EINVAL);
		assert_non_null(strstr(err, "64 hex digits"));
		unlink(path);
	}
	f = fopen(path, "w");
	fprintf(f, "# comment\n%s\n",
		"00112233445566778899aabbccddeeff00112233445566778899AABBCCDDEEFF");
	fclose(f);
	chmod(path, 0600);
	assert_int_equal(jitsim_kek_load(path, &k, err, sizeof(err)), 0);
	assert_int_equal(k.key[0], 0x00);
	assert_int_equal(k.key[15], 0xff);
	assert_int_equal(k.key[31], 0xff);
	unlink(path);
	rmdir(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_roundtrip),     cmocka_unit_test(test_truncated),
		cmocka_unit_test(test_decode_errors), cmocka_unit_test(test_seal_binding),
		cmocka_unit_test(test_encode_errors), cmocka_unit_test(test_dump_no_secrets),
		cmocka_unit_test(test_kek_file),      cmocka_unit_test(test_version1),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
