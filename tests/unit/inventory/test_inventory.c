/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Inventory import: every validation error, both formats, the transport
 * key, partial imports and the reject file, idempotent re-import, store
 * conflicts (point reads and the scan of large files), the SST path, the
 * audit line, the SIMs told to the caller after each commit (and a
 * cancelled import), and kill -9 in the middle of an import.
 *
 * Files are generated here into a mkdtemp() directory; the vendor file
 * comes from jitsim-pktgen (JITSIM_PKTGEN, set by meson). Test knobs of
 * the import (inventory.c): JITSIM_INV_BULK_MIN, JITSIM_INV_BULK_CHUNK,
 * JITSIM_INV_PROGRESS_FD.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <cmocka.h>

#include <dirent.h>
#include <errno.h>
#include <fcntl.h>
#include <ftw.h>
#include <inttypes.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <openssl/evp.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "inv_parse.h"
#include "inv_set.h"
#include "inventory.h"

#define CSV_HEADER "iccid,imsi,ki,opc,kic,kid,msisdn,batch\n"

struct vcase;

struct env {
	char dir[64];
	char db[128];
	char kek[128];
	struct jitsim_store *s;
	const struct vcase *vc;
};

/* --- fixtures --- */

static int
rm_cb(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
store_open(struct env *e)
{
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek, .create = true};
	char err[512];

	assert_int_equal(jitsim_store_open(&o, &e->s, err, sizeof(err)), 0);
}

static void
store_close(struct env *e)
{
	jitsim_store_close(e->s);
	e->s = NULL;
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char err[256];

	assert_non_null(e);
	e->vc = *state;
	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-inv-XXXXXX");
	assert_non_null(mkdtemp(e->dir));
	snprintf(e->db, sizeof(e->db), "%s/db", e->dir);
	snprintf(e->kek, sizeof(e->kek), "%s/kek", e->dir);
	assert_int_equal(jitsim_kek_create(e->kek, err, sizeof(err)), 0);
	store_open(e);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	unsetenv("JITSIM_INV_BULK_MIN");
	unsetenv("JITSIM_INV_BULK_CHUNK");
	unsetenv("JITSIM_INV_PROGRESS_FD");
	unsetenv("JITSIM_INV_NO_STAGE");
	if (e->s != NULL)
		store_close(e);
	nftw(e->dir, rm_cb, 16, FTW_DEPTH | FTW_PHYS);
	free(e);
	return 0;
}

/* --- generated data --- */

static char
luhn_digit(const char *body)
{
	size_t n = strlen(body);
	unsigned int sum = 0;

	/* Check digit position counts as 1: the body's last digit doubles. */
	for (size_t i = 0; i < n; i++) {
		unsigned int v = (unsigned int)(body[n - 1 - i] - '0');

		if (i % 2 == 0) {
			v *= 2;
			if (v > 9)
				v -= 9;
		}
		sum += v;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

struct sim_fields {
	char iccid[24], imsi[20], ki[40], opc[40], kic[40], kid[40], msisdn[20], batch[40];
};

static void
hexkey(uint64_t i, unsigned int which, char *out)
{
	static const char hx[] = "0123456789ABCDEF";

	/* By hand, not sprintf: 100 000-line files are made under ASan. */
	for (int b = 0; b < 16; b++) {
		unsigned int v =
			(unsigned int)((i * 131 + which * 17 + (unsigned int)b * 29) & 0xff);

		out[2 * b] = hx[v >> 4];
		out[2 * b + 1] = hx[v & 15];
	}
	out[32] = '\0';
}

/* @n decimal digits of @v, zero-padded, after @prefix. */
static void
digits(char *out, const char *prefix, uint64_t v, int n)
{
	size_t p = strlen(prefix);

	memcpy(out, prefix, p);
	for (int k = n - 1; k >= 0; k--) {
		out[p + (size_t)k] = (char)('0' + v % 10);
		v /= 10;
	}
	out[p + (size_t)n] = '\0';
}

static void
sim_make(uint64_t i, struct sim_fields *f)
{
	digits(f->iccid, "894401", i, 13);
	f->iccid[19] = luhn_digit(f->iccid);
	f->iccid[20] = '\0';
	digits(f->imsi, "00101", i, 10);
	hexkey(i, 1, f->ki);
	hexkey(i, 2, f->opc);
	hexkey(i, 3, f->kic);
	hexkey(i, 4, f->kid);
	digits(f->msisdn, "4477", i, 8);
	digits(f->batch, "B", i % 7, 3);
}

static int
sim_csv(const struct sim_fields *f, char *out, size_t cap)
{
	return snprintf(out, cap, "%s,%s,%s,%s,%s,%s,%s,%s\n", f->iccid, f->imsi, f->ki, f->opc,
			f->kic, f->kid, f->msisdn, f->batch);
}

static void
path_in(const struct env *e, const char *name, char *out, size_t cap)
{
	snprintf(out, cap, "%s/%s", e->dir, name);
}

static void
write_file(const char *path, const char *text)
{
	FILE *fp = fopen(path, "w");

	assert_non_null(fp);
	assert_int_equal(fputs(text, fp) >= 0, 1);
	assert_int_equal(fclose(fp), 0);
}

/* CSV of SIMs first .. first + n - 1 (full columns, or without msisdn). */
static void
write_csv(const char *path, uint64_t first, uint64_t n, bool msisdn)
{
	FILE *fp = fopen(path, "w");
	struct sim_fields f;

	assert_non_null(fp);
	fputs(msisdn ? CSV_HEADER : "iccid,imsi,ki,opc\n", fp);
	for (uint64_t i = first; i < first + n; i++) {
		sim_make(i, &f);
		if (msisdn)
			fprintf(fp, "%s,%s,%s,%s,%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc,
				f.kic, f.kid, f.msisdn, f.batch);
		else
			fprintf(fp, "%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc);
	}
	assert_int_equal(fclose(fp), 0);
}

static char *
read_all(const char *path)
{
	FILE *fp = fopen(path, "r");
	char *buf;
	long n;

	assert_non_null(fp);
	fseek(fp, 0, SEEK_END);
	n = ftell(fp);
	fseek(fp, 0, SEEK_SET);
	buf = calloc(1, (size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, fp), (size_t)n);
	fclose(fp);
	return buf;
}

static int
import(struct env *e, const char *path, const char *tk, bool partial, struct jitsim_inv_report *rep,
       char *err, size_t errlen)
{
	struct jitsim_inv_opts o = {
		.path = path, .transport_key = tk, .partial = partial, .who = "test"};

	return jitsim_inv_import(e->s, &o, rep, err, errlen);
}

/* FNV-1a over the column families [@from, @to): for before/after. */
static uint64_t
cf_digest(struct env *e, int from, int to)
{
	uint64_t h = 0xcbf29ce484222325ull;

	for (int cf = from; cf < to; cf++) {
		struct jitsim_store_iter *it =
			jitsim_store_iter_new(e->s, (enum jitsim_store_cf)cf);
		const uint8_t *k, *v;
		size_t kl, vl;

		assert_non_null(it);
		while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
			for (size_t i = 0; i < kl; i++)
				h = (h ^ k[i]) * 0x100000001b3ull;
			h = (h ^ 0xff) * 0x100000001b3ull;
			for (size_t i = 0; i < vl; i++)
				h = (h ^ v[i]) * 0x100000001b3ull;
			h = (h ^ (uint64_t)cf) * 0x100000001b3ull;
		}
		jitsim_store_iter_free(it);
	}
	return h;
}

/* The whole store. */
static uint64_t
store_digest(struct env *e)
{
	return cf_digest(e, 0, JITSIM_CF_COUNT);
}

static uint64_t
count_cf(struct env *e, enum jitsim_store_cf cf)
{
	uint64_t n = 0;

	assert_int_equal(jitsim_store_count(e->s, cf, &n), 0);
	return n;
}

static void
unhex16(const char *h, uint8_t out[16])
{
	for (int i = 0; i < 16; i++) {
		unsigned int v;

		assert_int_equal(sscanf(h + 2 * i, "%2x", &v), 1);
		out[i] = (uint8_t)v;
	}
}

/* The SIM of @f is in the store, complete, its keys the clear @f keys. */
static void
assert_sim(struct env *e, const struct sim_fields *f, bool msisdn, bool otakeys)
{
	struct jitsim_rec r;
	struct jitsim_rec_secrets sec;
	uint64_t imsi = jitsim_digits_key_str(f->imsi), other = 0;
	uint8_t k[16];
	char err[256];

	assert_int_equal(jitsim_store_sim_get(e->s, imsi, &r, err, sizeof(err)), 0);
	assert_string_equal(r.iccid, f->iccid);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(jitsim_store_iccid_get(e->s, f->iccid, &other), 0);
	assert_int_equal(other, imsi);
	if (msisdn) {
		assert_int_equal(r.msisdn, jitsim_digits_key_str(f->msisdn));
		assert_int_equal(jitsim_store_msisdn_get(e->s, r.msisdn, &other), 0);
		assert_int_equal(other, imsi);
		if (f->batch[0] != '\0')
			assert_string_equal(r.batch, f->batch);
	}
	assert_int_equal(jitsim_rec_open(&r, jitsim_store_kek(e->s), &sec), 0);
	unhex16(f->ki, k);
	assert_memory_equal(sec.ki, k, 16);
	unhex16(f->opc, k);
	assert_memory_equal(sec.opc, k, 16);
	if (otakeys) {
		unhex16(f->kid, k);
		assert_memory_equal(sec.kid, k, 16);
		assert_int_equal(sec.mask, JITSIM_REC_S_ALL);
	}
	jitsim_rec_secrets_wipe(&sec);
}

/* The last audit line. */
static void
last_audit(struct env *e, char *out, size_t cap)
{
	struct jitsim_store_iter *it = jitsim_store_iter_new(e->s, JITSIM_CF_AUDIT);
	const uint8_t *k, *v;
	size_t kl, vl;

	out[0] = '\0';
	assert_non_null(it);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1)
		snprintf(out, cap, "%.*s", (int)vl, (const char *)v);
	jitsim_store_iter_free(it);
}

/* --- validation errors: one case each --- */

enum which { W_ICCID, W_IMSI, W_KI, W_OPC, W_KIC, W_KID, W_MSISDN, W_BATCH, W_LINE, W_HEADER };

struct vcase {
	const char *name;
	enum which which; /* field replaced on line 3 (or the whole line/header) */
	const char *value;
	const char *expect; /* in the error, after "FILE:" */
};

static const struct vcase vcases[] = {
	{"iccid_short", W_ICCID, "894401000000000001", ":3: field iccid: 18 characters"},
	{"iccid_long", W_ICCID, "894401000000000000012", ":3: field iccid: 21 characters"},
	{"iccid_not_digit", W_ICCID, "89440100000000000X12",
	 ":3: field iccid: character 18 is not a digit"},
	{"iccid_luhn", W_ICCID, "89440100000000000013",
	 ":3: field iccid: bad check digit (Luhn, ITU-T E.118)"},
	{"imsi_short", W_IMSI, "00101", ":3: field imsi: 5 characters, an IMSI (TS 23.003)"},
	{"imsi_long", W_IMSI, "0010100000000001", ":3: field imsi: 16 characters"},
	{"imsi_not_digit", W_IMSI, "00101000000000A", ":3: field imsi: character 15 is not"},
	{"ki_length", W_KI, "00112233445566778899AABBCCDDEEF",
	 ":3: field ki: 31 characters, a key has 32 hex digits"},
	{"opc_not_hex", W_OPC, "00112233445566778899AABBCCDDEEFG",
	 ":3: field opc: character 32 is not a hex digit"},
	{"kic_length", W_KIC, "001122", ":3: field kic: 6 characters"},
	{"kid_not_hex", W_KID, "0011223344556677x899AABBCCDDEEFF",
	 ":3: field kid: character 17 is not a hex digit"},
	{"ki_empty", W_KI, "", ":3: field ki: 0 characters"},
	{"msisdn_long", W_MSISDN, "4477000000000001", ":3: field msisdn: 16 characters"},
	{"msisdn_not_digit", W_MSISDN, "+447700000001", ":3: field msisdn: character 1 is not"},
	{"batch_long", W_BATCH, "B23456789012345678901234567890123",
	 ":3: field batch: more than 32 characters"},
	{"fields_missing", W_LINE, "89440100000000000011,001010000000001",
	 ":3: 2 fields, the header has 8"},
	{"fields_extra", W_LINE, ",,,,,,,,", ":3: 9 fields, the header has 8"},
	{"dup_imsi", W_IMSI, "=2", ":3: field imsi: duplicate of line 2"},
	{"dup_iccid", W_ICCID, "=2", ":3: field iccid: duplicate of line 2"},
	{"dup_msisdn", W_MSISDN, "=2", ":3: field msisdn: duplicate of line 2"},
	{"header_unknown", W_HEADER, "iccid,imsi,ki,opc,pin1,Colour",
	 ":1: header: unknown column(s) pin1, Colour"},
	{"header_missing", W_HEADER, "iccid,imsi,ki", ":1: header: no opc column"},
	{"header_twice", W_HEADER, "iccid,imsi,ki,opc,IMSI", ":1: header: column IMSI given twice"},
};

static void
test_validation(void **state)
{
	struct env *e = *state;
	const struct vcase *vc = e->vc;
	struct sim_fields a, b;
	struct jitsim_inv_report rep;
	char path[256], line[512], text[2048], err[512], *fields[8];
	uint64_t before = store_digest(e);
	int rc;

	sim_make(1, &a);
	sim_make(2, &b);
	fields[0] = b.iccid, fields[1] = b.imsi, fields[2] = b.ki, fields[3] = b.opc;
	fields[4] = b.kic, fields[5] = b.kid, fields[6] = b.msisdn, fields[7] = b.batch;
	if (vc->which <= W_BATCH) {
		char *dst = fields[vc->which];

		if (strcmp(vc->value, "=2") == 0) {
			char *src[8] = {a.iccid, a.imsi, a.ki,	   a.opc,
					a.kic,	 a.kid,	 a.msisdn, a.batch};

			strcpy(dst, src[vc->which]);
		} else {
			strcpy(dst, vc->value);
		}
	}
	if (vc->which == W_LINE)
		snprintf(line, sizeof(line), "%s\n", vc->value);
	else
		sim_csv(&b, line, sizeof(line));
	/* b was changed in place through fields[] */
	text[0] = '\0';
	strcat(text, vc->which == W_HEADER ? vc->value : CSV_HEADER);
	if (vc->which == W_HEADER)
		strcat(text, "\n");
	sim_csv(&a, text + strlen(text), sizeof(text) - strlen(text));
	strcat(text, line);
	path_in(e, "in.csv", path, sizeof(path));
	write_file(path, text);

	rc = import(e, path, NULL, false, &rep, err, sizeof(err));
	assert_int_equal(rc, -EINVAL);
	if (strstr(err, vc->expect) == NULL || strncmp(err, path, strlen(path)) != 0)
		fail_msg("case %s: error '%s' lacks '%s'", vc->name, err, vc->expect);
	/* No key material in any message. */
	for (int i = 2; i < 6; i++)
		if (fields[i][0] != '\0')
			assert_null(strstr(err, fields[i]));
	assert_null(strstr(err, a.ki));
	if (vc->which != W_HEADER) {
		assert_int_equal(rep.lines, 2);
		assert_int_equal(rep.rejected, 1);
	}
	assert_int_equal(rep.imported, 0);
	assert_int_equal(store_digest(e), before);
}

/* --- happy paths --- */

static void
test_csv_import(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct jitsim_inv_opts o = {0};
	struct jitsim_rec r;
	struct sim_fields f;
	char path[256], err[512], audit_line[1024];

	path_in(e, "sims.csv", path, sizeof(path));
	write_csv(path, 100, 5, true);
	o.path = path;
	o.tenant = 7;
	o.region = 3;
	o.state = JITSIM_SIM_LOCKED;
	o.who = "alice";
	assert_int_equal(jitsim_inv_import(e->s, &o, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.lines, 5);
	assert_int_equal(rep.imported, 5);
	assert_int_equal(rep.unchanged, 0);
	assert_int_equal(rep.rejected, 0);
	assert_false(rep.bulk);
	sim_make(102, &f);
	assert_int_equal(
		jitsim_store_sim_get(e->s, jitsim_digits_key_str(f.imsi), &r, err, sizeof(err)), 0);
	assert_int_equal(r.state, JITSIM_SIM_LOCKED);
	assert_int_equal(r.tenant, 7);
	assert_int_equal(r.region, 3);
	assert_true(r.created > 0 && r.created == r.updated);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 5);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), 5);
	assert_int_equal(count_cf(e, JITSIM_CF_MSISDN), 5);
	last_audit(e, audit_line, sizeof(audit_line));
	assert_non_null(strstr(audit_line, "\"who\":\"alice\""));
	assert_non_null(strstr(audit_line, "\"what\":\"inventory.import\""));
	assert_non_null(strstr(audit_line, "\"file\":\"sims.csv\""));
	assert_non_null(strstr(audit_line, "\"lines\":5,\"imported\":5,\"unchanged\":0,"
					   "\"rejected\":0,\"bulk\":false"));
	/* Bad states are refused. */
	o.state = JITSIM_SIM_ACTIVE;
	assert_int_equal(jitsim_inv_import(e->s, &o, &rep, err, sizeof(err)), -EINVAL);
}

static void
test_csv_import_keys(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512];

	path_in(e, "sims.csv", path, sizeof(path));
	write_csv(path, 0, 20, true);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	for (uint64_t i = 0; i < 20; i++) {
		sim_make(i, &f);
		assert_sim(e, &f, true, true);
	}
}

/* A byte order mark, comments, blank lines, CRLF, quotes, any column
 * order and case, optional columns left empty. */
static void
test_csv_syntax(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields a, b;
	struct jitsim_rec r;
	char path[256], text[2048], err[512];

	sim_make(1, &a);
	sim_make(2, &b);
	snprintf(text, sizeof(text),
		 "\xef\xbb\xbf# exported by the SIM team\r\n\r\nOPC, Imsi ,ICCID,KI,MSISDN\r\n"
		 "%s,%s,\"%s\",%s,%s\r\n# a comment\n  \n%s,%s,%s,%s,\n",
		 a.opc, a.imsi, a.iccid, a.ki, a.msisdn, b.opc, b.imsi, b.iccid, b.ki);
	path_in(e, "s.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 2);
	a.batch[0] = '\0';
	assert_sim(e, &a, true, false);
	assert_int_equal(
		jitsim_store_sim_get(e->s, jitsim_digits_key_str(b.imsi), &r, err, sizeof(err)), 0);
	assert_int_equal(r.msisdn, 0);
	assert_string_equal(r.batch, "");
}

static void
test_line_too_long(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	char path[256], err[512], *text = malloc(8192);

	assert_non_null(text);
	strcpy(text, "iccid,imsi,ki,opc\n");
	memset(text + strlen(text), '1', 5000);
	text[18 + 5000] = '\0';
	path_in(e, "long.csv", path, sizeof(path));
	write_file(path, text);
	free(text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: line longer than 4096 characters"));
}

static void
test_errors_counted_nothing_written(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512], text[4096] = CSV_HEADER;
	uint64_t before = store_digest(e);

	for (int i = 0; i < 6; i++) {
		sim_make((uint64_t)i, &f);
		if (i == 2 || i == 4)
			f.imsi[3] = 'x';
		sim_csv(&f, text + strlen(text), sizeof(text) - strlen(text));
	}
	path_in(e, "bad.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_int_equal(rep.lines, 6);
	assert_int_equal(rep.rejected, 2);
	assert_int_equal(rep.imported, 0);
	/* The first error is the first line's. */
	assert_non_null(strstr(err, ":4: field imsi: character 4 is not a digit"));
	assert_int_equal(store_digest(e), before);
	/* dry run of a good file: counted, not written */
	write_csv(path, 0, 3, true);
	{
		struct jitsim_inv_opts o = {.path = path, .dry_run = true};

		assert_int_equal(jitsim_inv_import(e->s, &o, &rep, err, sizeof(err)), 0);
		assert_int_equal(rep.imported, 3);
		assert_int_equal(store_digest(e), before);
	}
}

/* Missing files; partial + dry run: the reject file, nothing in the store. */
static void
test_files_and_dry_run(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct jitsim_inv_opts o = {0};
	struct sim_fields f;
	char path[256], rej[256], err[512], text[2048] = CSV_HEADER, *out;
	uint64_t before = store_digest(e);

	path_in(e, "none.csv", path, sizeof(path));
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, path));
	write_csv(path, 0, 2, true);
	path_in(e, "none.key", rej, sizeof(rej));
	assert_int_equal(import(e, path, rej, false, &rep, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, rej));

	sim_make(0, &f);
	sim_csv(&f, text + strlen(text), sizeof(text) - strlen(text));
	sim_make(1, &f);
	strcpy(f.msisdn, "12345678901234567");
	sim_csv(&f, text + strlen(text), sizeof(text) - strlen(text));
	write_file(path, text);
	path_in(e, "out.rej", rej, sizeof(rej));
	o.path = path;
	o.partial = true;
	o.dry_run = true;
	o.reject_path = rej;
	assert_int_equal(jitsim_inv_import(e->s, &o, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 1);
	assert_int_equal(rep.rejected, 1);
	assert_int_equal(store_digest(e), before);
	out = read_all(rej);
	assert_non_null(strstr(out, ":3: field msisdn: 17 characters"));
	assert_null(strstr(out, f.ki));
	free(out);
}

static void
test_partial_reject_file(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f[6];
	char path[256], rej[300], err[512], text[4096] = CSV_HEADER, *out, *nl;
	struct stat st;
	int nlines = 0;

	for (int i = 0; i < 6; i++) {
		sim_make((uint64_t)i, &f[i]);
		if (i == 1)
			strcpy(f[i].imsi, "0010");
		if (i == 3)
			strcpy(f[i].iccid, f[0].iccid);
		if (i == 5)
			f[i].ki[5] = 'Z';
		sim_csv(&f[i], text + strlen(text), sizeof(text) - strlen(text));
	}
	path_in(e, "p.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, true, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.lines, 6);
	assert_int_equal(rep.imported, 3);
	assert_int_equal(rep.rejected, 3);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 3);
	assert_sim(e, &f[0], true, true);
	assert_sim(e, &f[2], true, true);
	assert_sim(e, &f[4], true, true);

	snprintf(rej, sizeof(rej), "%s.rej", path);
	assert_int_equal(stat(rej, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0600);
	out = read_all(rej);
	for (char *p = out; (nl = strchr(p, '\n')) != NULL; p = nl + 1)
		nlines++;
	assert_int_equal(nlines, 3);
	{
		char want[512];

		snprintf(want, sizeof(want),
			 "%s,0010,*,*,*,*,%s,%s\t%s:3: field imsi: 4 characters", f[1].iccid,
			 f[1].msisdn, f[1].batch, path);
		assert_non_null(strstr(out, want));
		snprintf(want, sizeof(want), "%s:5: field iccid: duplicate of line 2", path);
		assert_non_null(strstr(out, want));
		snprintf(want, sizeof(want), "%s:7: field ki: character 6 is not a hex digit",
			 path);
		assert_non_null(strstr(out, want));
	}
	/* Nothing secret: no key of any line, clear or not. */
	for (int i = 0; i < 6; i++) {
		assert_null(strstr(out, f[i].ki));
		assert_null(strstr(out, f[i].opc));
		assert_null(strstr(out, f[i].kic));
		assert_null(strstr(out, f[i].kid));
	}
	free(out);
}

/* --- idempotency and the store --- */

static void
reimport_unchanged(struct env *e, const char *path, const char *tk, uint64_t n)
{
	struct jitsim_inv_report rep;
	char err[512];
	uint64_t before = store_digest(e);

	assert_int_equal(import(e, path, tk, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.lines, n);
	assert_int_equal(rep.imported, 0);
	assert_int_equal(rep.unchanged, n);
	assert_int_equal(rep.rejected, 0);
	assert_int_equal(store_digest(e), before);
}

static void
test_reimport_idempotent(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	char path[256], err[512];

	path_in(e, "sims.csv", path, sizeof(path));
	write_csv(path, 0, 30, true);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 30);
	reimport_unchanged(e, path, NULL, 30);
	/* Same with the scan of the store that large files use. */
	setenv("JITSIM_INV_BULK_MIN", "5", 1);
	reimport_unchanged(e, path, NULL, 30);
	/* A larger file: the old SIMs unchanged, the new ones imported. */
	write_csv(path, 0, 40, true);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 10);
	assert_int_equal(rep.unchanged, 30);
}

static void
conflict_case(struct env *e, const char *env_min)
{
	struct jitsim_inv_report rep;
	struct sim_fields a, b;
	char path[256], err[512], text[2048];
	uint64_t before;

	path_in(e, "c.csv", path, sizeof(path));
	write_csv(path, 0, 3, true);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	before = store_digest(e);
	if (env_min != NULL)
		setenv("JITSIM_INV_BULK_MIN", env_min, 1);

	/* Same IMSI, other Ki. */
	sim_make(1, &a);
	a.ki[0] = a.ki[0] == 'A' ? 'B' : 'A';
	strcpy(text, CSV_HEADER);
	sim_csv(&a, text + strlen(text), sizeof(text) - strlen(text));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: field ki: already in the store with different data"));
	assert_null(strstr(err, a.ki));

	/* Same IMSI, other batch. */
	sim_make(1, &a);
	strcpy(a.batch, "OTHER");
	strcpy(text, CSV_HEADER);
	sim_csv(&a, text + strlen(text), sizeof(text) - strlen(text));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: field batch: already in the store with different data"));

	/* A new IMSI with the ICCID of a stored SIM. */
	sim_make(2, &a);
	sim_make(50, &b);
	strcpy(b.iccid, a.iccid);
	strcpy(text, CSV_HEADER);
	sim_csv(&b, text + strlen(text), sizeof(text) - strlen(text));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: field iccid: already in the store (another IMSI)"));

	/* A new IMSI with the MSISDN of a stored SIM. */
	sim_make(50, &b);
	strcpy(b.msisdn, a.msisdn);
	strcpy(text, CSV_HEADER);
	sim_csv(&b, text + strlen(text), sizeof(text) - strlen(text));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":2: field msisdn: already in the store (another IMSI)"));
	assert_int_equal(store_digest(e), before);
}

static void
test_conflict_point_reads(void **state)
{
	conflict_case(*state, NULL);
}

static void
test_conflict_scan(void **state)
{
	conflict_case(*state, "1");
}

/* --- bulk (SST) path --- */

static void
test_bulk_sst(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512], audit_line[1024];

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "16", 1);
	path_in(e, "bulk.csv", path, sizeof(path));
	write_csv(path, 1000, 50, false);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_true(rep.staged);
	assert_int_equal(rep.imported, 50);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 50);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), 50);
	for (uint64_t i = 1000; i < 1050; i++) {
		sim_make(i, &f);
		assert_sim(e, &f, false, false);
	}
	last_audit(e, audit_line, sizeof(audit_line));
	assert_non_null(strstr(audit_line, "\"imported\":50,\"unchanged\":0,\"rejected\":0,"
					   "\"bulk\":true"));
	reimport_unchanged(e, path, NULL, 50);

	/* More lines, 50 of them known: 20 new ones, bulk again (its first
	 * SIM is in the store: not staged). */
	write_csv(path, 1000, 70, false);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_false(rep.staged);
	assert_int_equal(rep.imported, 20);
	assert_int_equal(rep.unchanged, 50);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 70);

	/* With an MSISDN column: batches. */
	write_csv(path, 2000, 30, true);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_false(rep.bulk);
	assert_int_equal(rep.imported, 30);
}

/* Keys out of order (vendors number ICCIDs in order, not always IMSIs):
 * still the SST path, each chunk sorted in memory before its files. */
static void
test_bulk_unsorted(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512], text[16384] = "iccid,imsi,ki,opc\n";

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "8", 1);
	/* 30 SIMs in a scrambled order (7 is prime to 30). */
	for (uint64_t i = 0; i < 30; i++) {
		sim_make(i * 7 % 30, &f);
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s,%s,%s,%s\n", f.iccid,
			 f.imsi, f.ki, f.opc);
	}
	path_in(e, "unsorted.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_int_equal(rep.imported, 30);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 30);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), 30);
	for (uint64_t i = 0; i < 30; i++) {
		sim_make(i, &f);
		assert_sim(e, &f, false, false);
	}
	reimport_unchanged(e, path, NULL, 30);
}

/* SST files an import left in the store directory (ingest-*.sst). */
static unsigned int
stray_ssts(const struct env *e)
{
	DIR *d = opendir(e->db);
	struct dirent *de;
	unsigned int n = 0;

	assert_non_null(d);
	while ((de = readdir(d)) != NULL)
		if (strncmp(de->d_name, "ingest-", 7) == 0)
			n++;
	closedir(d);
	return n;
}

/* CSV (no MSISDN column) of @n SIMs from @first, then the SIMs in @tail. */
static void
write_csv_tail(const char *path, uint64_t first, uint64_t n, const struct sim_fields *tail,
	       size_t ntail)
{
	FILE *fp = fopen(path, "w");
	struct sim_fields f;

	assert_non_null(fp);
	fputs("iccid,imsi,ki,opc\n", fp);
	for (uint64_t i = first; i < first + n; i++) {
		sim_make(i, &f);
		fprintf(fp, "%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc);
	}
	for (size_t i = 0; i < ntail; i++)
		fprintf(fp, "%s,%s,%s,%s\n", tail[i].iccid, tail[i].imsi, tail[i].ki, tail[i].opc);
	assert_int_equal(fclose(fp), 0);
}

/*
 * The staged bulk import (one pass: files written while validating) is
 * used only when every line turned out valid and new; a duplicate, a
 * conflict or a known SIM found late throws the staged files away, and
 * the result is what the two-pass import gives (nothing, or the new SIMs).
 */
static void
test_bulk_staged_fallbacks(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields tail[5];
	char path[256], err[512];
	uint64_t before;

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "16", 1);
	path_in(e, "staged.csv", path, sizeof(path));

	/* A duplicate IMSI on the last line (after three chunks were
	 * staged): nothing imported, no file left behind. */
	sim_make(1000, &tail[0]);
	digits(tail[0].iccid, "894409", 1, 13);
	tail[0].iccid[19] = luhn_digit(tail[0].iccid);
	tail[0].iccid[20] = '\0';
	write_csv_tail(path, 1000, 50, tail, 1);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":52: field imsi: duplicate of line 2"));
	assert_false(rep.staged);
	assert_int_equal(rep.imported, 0);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 0);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), 0);
	assert_int_equal(count_cf(e, JITSIM_CF_DP), 0);
	assert_int_equal(stray_ssts(e), 0);

	/* 50 new SIMs: staged. */
	write_csv(path, 1000, 50, false);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.staged);
	assert_int_equal(rep.imported, 50);
	assert_int_equal(count_cf(e, JITSIM_CF_DP), 50);
	assert_int_equal(stray_ssts(e), 0);

	/* 40 new SIMs, then 5 known ones: the first SIM is new, so pass 1
	 * stages; the scan finds the known ones, the stage is dropped and
	 * pass 2 writes the 40. */
	for (int i = 0; i < 5; i++)
		sim_make(1045 + (uint64_t)i, &tail[i]);
	write_csv_tail(path, 2000, 40, tail, 5);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_false(rep.staged);
	assert_int_equal(rep.imported, 40);
	assert_int_equal(rep.unchanged, 5);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 90);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), 90);
	assert_int_equal(count_cf(e, JITSIM_CF_DP), 90);
	for (uint64_t i = 2000; i < 2040; i++) {
		struct sim_fields f;

		sim_make(i, &f);
		assert_sim(e, &f, false, false);
	}
	assert_int_equal(stray_ssts(e), 0);

	/* New SIMs, then a known IMSI with another Ki: refused whole. */
	before = store_digest(e);
	sim_make(1001, &tail[0]);
	tail[0].ki[0] = tail[0].ki[0] == 'A' ? 'B' : 'A';
	write_csv_tail(path, 3000, 40, tail, 1);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, ":42: field ki: already in the store with different data"));
	assert_int_equal(store_digest(e), before);
	assert_int_equal(stray_ssts(e), 0);

	/* Without staging (JITSIM_INV_NO_STAGE): the two-pass bulk path. */
	write_csv(path, 3000, 40, false);
	setenv("JITSIM_INV_NO_STAGE", "1", 1);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	unsetenv("JITSIM_INV_NO_STAGE");
	assert_true(rep.bulk);
	assert_false(rep.staged);
	assert_int_equal(rep.imported, 40);
	for (uint64_t i = 3000; i < 3040; i++) {
		struct sim_fields f;

		sim_make(i, &f);
		assert_sim(e, &f, false, false);
	}
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 130);
}

/* The one-pass import writes the dp entries of all chunks as one sorted
 * run (two files) instead of a file per chunk: the same entries, and the
 * same iccid index, as the two-pass import of the same file. */
static void
test_bulk_staged_same(void **state)
{
	enum { N = 61 };
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512], text[16384] = "iccid,imsi,ki,opc\n";
	uint64_t dp, iccid;

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "8", 1);
	/* Scrambled (7 is prime to 61): every chunk spans the key range. */
	for (uint64_t i = 0; i < N; i++) {
		sim_make(i * 7 % N, &f);
		snprintf(text + strlen(text), sizeof(text) - strlen(text), "%s,%s,%s,%s\n", f.iccid,
			 f.imsi, f.ki, f.opc);
	}
	path_in(e, "same.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.staged);
	assert_int_equal(rep.imported, N);
	assert_int_equal(count_cf(e, JITSIM_CF_DP), N);
	dp = cf_digest(e, JITSIM_CF_DP, JITSIM_CF_DP + 1);
	iccid = cf_digest(e, JITSIM_CF_ICCID, JITSIM_CF_ICCID + 1);

	store_close(e);
	{
		char cmd[600];

		snprintf(cmd, sizeof(cmd), "rm -rf %s", e->db);
		assert_int_equal(system(cmd), 0);
	}
	store_open(e);
	setenv("JITSIM_INV_NO_STAGE", "1", 1);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_false(rep.staged);
	assert_true(rep.bulk);
	assert_int_equal(cf_digest(e, JITSIM_CF_DP, JITSIM_CF_DP + 1), dp);
	assert_int_equal(cf_digest(e, JITSIM_CF_ICCID, JITSIM_CF_ICCID + 1), iccid);
	for (uint64_t i = 0; i < N; i++) {
		sim_make(i, &f);
		assert_sim(e, &f, false, false);
	}
}

/* A file large enough for pass 1's duplicate checks to run on a thread of
 * their own (inventory.c: dupq): the rejects of both threads are counted
 * once, the first error is the first by line, whichever thread found it. */
static void
test_large_file_errors(void **state)
{
	enum { N = 6000 };
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f, g;
	char path[256], rej[300], err[512], want[512], *out;
	FILE *fp;

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	path_in(e, "large.csv", path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("iccid,imsi,ki,opc\n", fp);
	/* SIM i is on line i + 2. */
	for (uint64_t i = 0; i < N; i++) {
		sim_make(i, &f);
		if (i == 4000) { /* ICCID of line 102 */
			sim_make(100, &g);
			strcpy(f.iccid, g.iccid);
		}
		if (i == 5000) { /* IMSI of line 4502 */
			sim_make(4500, &g);
			strcpy(f.imsi, g.imsi);
		}
		if (i == 2000)
			strcpy(f.imsi, "0010");
		fprintf(fp, "%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc);
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_int_equal(rep.lines, N);
	assert_int_equal(rep.rejected, 3);
	snprintf(want, sizeof(want), "%s:2002: field imsi: 4 characters", path);
	assert_non_null(strstr(err, want));
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 0);

	assert_int_equal(import(e, path, NULL, true, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, N - 3);
	assert_int_equal(rep.rejected, 3);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), N - 3);
	snprintf(rej, sizeof(rej), "%s.rej", path);
	out = read_all(rej);
	snprintf(want, sizeof(want), "%s:4002: field iccid: duplicate of line 102", path);
	assert_non_null(strstr(out, want));
	snprintf(want, sizeof(want), "%s:5002: field imsi: duplicate of line 4502", path);
	assert_non_null(strstr(out, want));
	free(out);
}

/* SIM @i of test_bulk_unsorted_chunks: odd ones get a 19-digit ICCID,
 * so that both lengths interleave in the bytewise order of the index. */
static void
sim_make_mixed(uint64_t i, struct sim_fields *f)
{
	sim_make(i, f);
	if (i % 2 == 1) {
		digits(f->iccid, "894401", i, 12);
		f->iccid[18] = luhn_digit(f->iccid);
		f->iccid[19] = '\0';
	}
}

/* Many chunks of scrambled keys: each chunk's files are written while the
 * next chunk is read (a thread of their own when there are two CPUs);
 * every SIM and index entry lands, whatever chunk its ICCID went to. */
static void
test_bulk_unsorted_chunks(void **state)
{
	enum { N = 12000 };
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct sim_fields f;
	char path[256], err[512];
	FILE *fp;

	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "2500", 1);
	path_in(e, "chunks.csv", path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("iccid,imsi,ki,opc\n", fp);
	/* 7919 is prime to N: every SIM once, in a scrambled order. */
	for (uint64_t i = 0; i < N; i++) {
		sim_make_mixed(i * 7919 % N, &f);
		fprintf(fp, "%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc);
	}
	assert_int_equal(fclose(fp), 0);
	assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_int_equal(rep.imported, N);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), N);
	assert_int_equal(count_cf(e, JITSIM_CF_DP), N);
	assert_int_equal(count_cf(e, JITSIM_CF_ICCID), N);
	for (uint64_t i = 0; i < N; i++) {
		sim_make_mixed(i, &f);
		assert_sim(e, &f, false, false);
	}
	reimport_unchanged(e, path, NULL, N);
}

/* --- the SIMs written, told to the caller (o->written) --- */

#define WR_MAX 16384
#define WR_SCRAMBLED 4192 /* 2^5 * 131: prime to 7919 */

struct wr_seen {
	struct env *e;
	unsigned int calls;
	uint64_t n;
	uint8_t times[WR_MAX]; /* by SIM number */
	bool bad_field, not_stored;
	uint16_t tenant, region;
	uint8_t state;
	bool msisdn;
	int fail_at; /* call number (1..) that returns -EPIPE, 0: none */
};

/* SIM number of an IMSI of sim_make() ("00101" + 10 digits). */
static uint64_t
wr_index(uint64_t imsi)
{
	char buf[JITSIM_DIGITS_MAX + 1];

	assert_true(jitsim_digits_key_format(imsi, buf, sizeof(buf)) == 15);
	return strtoull(buf + 5, NULL, 10);
}

static int
wr_cb(void *arg, const struct jitsim_inv_written *w, size_t n)
{
	struct wr_seen *ws = arg;
	struct jitsim_rec r;
	char err[256];

	ws->calls++;
	for (size_t i = 0; i < n; i++) {
		uint64_t k = wr_index(w[i].imsi);
		struct sim_fields f;

		if (k >= WR_MAX) {
			ws->bad_field = true;
			continue;
		}
		ws->times[k]++;
		sim_make(k, &f);
		if (w[i].dp.state != ws->state || w[i].dp.flags != 0 ||
		    w[i].dp.tenant != ws->tenant || w[i].dp.region != ws->region ||
		    w[i].dp.msisdn != (ws->msisdn ? jitsim_digits_key_str(f.msisdn) : 0))
			ws->bad_field = true;
		/* Told after the commit: the record is there already. */
		if (jitsim_store_sim_get(ws->e->s, w[i].imsi, &r, err, sizeof(err)) != 0)
			ws->not_stored = true;
	}
	ws->n += n;
	return ws->fail_at != 0 && ws->calls == (unsigned int)ws->fail_at ? -EPIPE : 0;
}

static int
import_told(struct env *e, const char *path, struct wr_seen *ws, const int *cancel,
	    struct jitsim_inv_report *rep, char *err, size_t errlen)
{
	struct jitsim_inv_opts o = {.path = path,
				    .who = "test",
				    .state = ws->state,
				    .tenant = ws->tenant,
				    .region = ws->region,
				    .written = wr_cb,
				    .written_arg = ws,
				    .cancel = cancel};

	return jitsim_inv_import(e->s, &o, rep, err, errlen);
}

static void
wr_reset(struct env *e, struct wr_seen *ws, uint8_t state, bool msisdn)
{
	memset(ws, 0, sizeof(*ws));
	ws->e = e;
	ws->state = state;
	ws->tenant = 3;
	ws->region = 9;
	ws->msisdn = msisdn;
}

/* SIMs @first .. @first + @n - 1 told exactly once, nothing else. */
static void
wr_check(const struct wr_seen *ws, uint64_t first, uint64_t n)
{
	assert_false(ws->bad_field);
	assert_false(ws->not_stored);
	assert_int_equal(ws->n, n);
	for (uint64_t i = 0; i < WR_MAX; i++)
		assert_int_equal(ws->times[i], i >= first && i < first + n ? 1 : 0);
}

/* Every path of pass 2 (batches, ascending SST chunks, sorted chunks on
 * the flusher thread) tells each SIM once, after its commit; a re-import
 * and a dry run tell nothing; the callback's error stops the import. */
static void
test_written(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct wr_seen *ws = calloc(1, sizeof(*ws));
	struct jitsim_inv_opts dry = {.path = NULL, .dry_run = true};
	struct sim_fields f;
	char path[256], err[512];
	int cancel = 1;
	FILE *fp;

	assert_non_null(ws);
	/* Batches of 1000 (an MSISDN column keeps the import off SST). */
	path_in(e, "batches.csv", path, sizeof(path));
	write_csv(path, 0, 1500, true);
	wr_reset(e, ws, JITSIM_SIM_LOCKED, true);
	assert_int_equal(import_told(e, path, ws, NULL, &rep, err, sizeof(err)), 0);
	assert_false(rep.bulk);
	assert_int_equal(ws->calls, 2);
	wr_check(ws, 0, 1500);
	/* Unchanged: nothing to tell. */
	wr_reset(e, ws, JITSIM_SIM_LOCKED, true);
	assert_int_equal(import_told(e, path, ws, NULL, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.unchanged, 1500);
	assert_int_equal(ws->calls, 0);

	/* SST chunks of ascending keys: told per chunk after its ingest (a
	 * chunk ends with the job of 1024 lines that fills it). */
	setenv("JITSIM_INV_BULK_MIN", "10", 1);
	setenv("JITSIM_INV_BULK_CHUNK", "16", 1);
	path_in(e, "bulk.csv", path, sizeof(path));
	write_csv(path, 1500, 2500, false);
	wr_reset(e, ws, JITSIM_SIM_INVENTORY, false);
	assert_int_equal(import_told(e, path, ws, NULL, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_true(ws->calls >= 2);
	wr_check(ws, 1500, 2500);
	/* A dry run of new SIMs tells nothing either. */
	write_csv(path, 9000, 50, false);
	dry.path = path;
	dry.written = wr_cb;
	dry.written_arg = ws;
	wr_reset(e, ws, JITSIM_SIM_INVENTORY, false);
	assert_int_equal(jitsim_inv_import(e->s, &dry, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 50);
	assert_int_equal(ws->calls, 0);

	/* Scrambled keys: chunks sorted in memory, written on the flusher
	 * thread when there are two CPUs. */
	setenv("JITSIM_INV_BULK_CHUNK", "2500", 1);
	path_in(e, "scrambled.csv", path, sizeof(path));
	fp = fopen(path, "w");
	assert_non_null(fp);
	fputs("iccid,imsi,ki,opc\n", fp);
	for (uint64_t i = 0; i < WR_SCRAMBLED; i++) {
		sim_make(4000 + i * 7919 % WR_SCRAMBLED, &f);
		fprintf(fp, "%s,%s,%s,%s\n", f.iccid, f.imsi, f.ki, f.opc);
	}
	assert_int_equal(fclose(fp), 0);
	wr_reset(e, ws, JITSIM_SIM_INVENTORY, false);
	assert_int_equal(import_told(e, path, ws, NULL, &rep, err, sizeof(err)), 0);
	assert_true(rep.bulk);
	assert_true(ws->calls >= 2);
	wr_check(ws, 4000, WR_SCRAMBLED);

	/* The callback fails after the first batch: the import stops with its
	 * error; the batch told is committed, nothing after it. */
	unsetenv("JITSIM_INV_BULK_MIN");
	path_in(e, "stop.csv", path, sizeof(path));
	write_csv(path, 10000, 1500, true);
	wr_reset(e, ws, JITSIM_SIM_INVENTORY, true);
	ws->fail_at = 1;
	assert_int_equal(import_told(e, path, ws, NULL, &rep, err, sizeof(err)), -EPIPE);
	assert_non_null(strstr(err, "stopped after a commit"));
	assert_int_equal(ws->calls, 1);
	assert_int_equal(ws->n, 1000);
	assert_false(ws->not_stored);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 1500 + 2500 + WR_SCRAMBLED + 1000);

	/* Cancelled: stops before writing anything. */
	wr_reset(e, ws, JITSIM_SIM_INVENTORY, true);
	assert_int_equal(import_told(e, path, ws, &cancel, &rep, err, sizeof(err)), -ECANCELED);
	assert_non_null(strstr(err, "cancelled"));
	assert_int_equal(ws->calls, 0);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 1500 + 2500 + WR_SCRAMBLED + 1000);
	free(ws);
}

/* --- transport keys and vendor files --- */

static void
write_tkey(const char *path, const char *keyhex, const char *kcv, mode_t mode)
{
	char text[512];

	snprintf(text, sizeof(text),
		 "# test transport key\nBatch: T\nTransport_key_index: 1\n"
		 "Algorithm: AES-128-ECB\nKey: %s\n%s%s%s",
		 keyhex, kcv ? "KCV: " : "", kcv ? kcv : "", kcv ? "\n" : "");
	write_file(path, text);
	assert_int_equal(chmod(path, mode), 0);
}

static void
aes_ecb(const char *keyhex, const char *in, char *out, bool enc)
{
	uint8_t key[16], b[16], o[32];
	EVP_CIPHER_CTX *c = EVP_CIPHER_CTX_new();
	int n = 0;

	unhex16(keyhex, key);
	unhex16(in, b);
	assert_non_null(c);
	assert_int_equal(EVP_CipherInit_ex(c, EVP_aes_128_ecb(), NULL, key, NULL, enc ? 1 : 0), 1);
	EVP_CIPHER_CTX_set_padding(c, 0);
	assert_int_equal(EVP_CipherUpdate(c, o, &n, b, 16), 1);
	assert_int_equal(n, 16);
	EVP_CIPHER_CTX_free(c);
	for (int i = 0; i < 16; i++)
		sprintf(out + 2 * i, "%02X", o[i]);
}

static void
test_csv_encrypted(void **state)
{
	struct env *e = *state;
	static const char tkhex[] = "000102030405060708090A0B0C0D0E0F";
	struct jitsim_inv_report rep;
	struct sim_fields f, enc;
	char path[256], tk[256], err[512], text[4096] = CSV_HEADER;

	path_in(e, "tk.key", tk, sizeof(tk));
	write_tkey(tk, tkhex, NULL, 0600);
	for (uint64_t i = 0; i < 4; i++) {
		sim_make(i, &f);
		enc = f;
		aes_ecb(tkhex, f.ki, enc.ki, true);
		aes_ecb(tkhex, f.opc, enc.opc, true);
		aes_ecb(tkhex, f.kic, enc.kic, true);
		aes_ecb(tkhex, f.kid, enc.kid, true);
		sim_csv(&enc, text + strlen(text), sizeof(text) - strlen(text));
	}
	path_in(e, "enc.csv", path, sizeof(path));
	write_file(path, text);
	assert_int_equal(import(e, path, tk, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.imported, 4);
	for (uint64_t i = 0; i < 4; i++) {
		sim_make(i, &f);
		assert_sim(e, &f, true, true);
	}
	reimport_unchanged(e, path, tk, 4);

	/* A transport key others can read, or whose KCV line is wrong. */
	assert_int_equal(chmod(tk, 0644), 0);
	assert_int_equal(import(e, path, tk, false, &rep, err, sizeof(err)), -EACCES);
	assert_non_null(strstr(err, "mode 0644"));
	write_tkey(tk, tkhex, "ABCDEF", 0600);
	assert_int_equal(import(e, path, tk, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KCV ABCDEF does not match the key"));
	assert_null(strstr(err, tkhex));
}

/* jitsim-pktgen vendor-file into e->dir/vendor: inventory.out, transport.key. */
static void
pktgen_vendor(struct env *e, unsigned int count, char *vendor, char *tk, size_t cap)
{
	const char *pktgen = getenv("JITSIM_PKTGEN");
	char sc[256], out[128], cmd[1024];

	assert_non_null(pktgen);
	path_in(e, "vendor.ini", sc, sizeof(sc));
	snprintf(cmd, sizeof(cmd),
		 "; test\n[population]\ncount = %u\niccid_prefix = 8944100\n\n[vendor]\n"
		 "customer = Test\ntype = USIM\nprofile = P\nbatch = TB0001\n"
		 "transport_key_index = 3\n\n[region home]\nweight = 1\nvlr = 4477001\n"
		 "msc = 4477002\nsgsn = 4477003\nplmn = 23415\n\n[traffic]\npackets = 10\n"
		 "sai_v3 = 1\n",
		 count);
	write_file(sc, cmd);
	path_in(e, "vendor", out, sizeof(out));
	snprintf(cmd, sizeof(cmd), "'%s' vendor-file --scenario '%s' --seed 7 --out '%s' --quiet",
		 pktgen, sc, out);
	assert_int_equal(system(cmd), 0);
	snprintf(vendor, cap, "%s/inventory.out", out);
	snprintf(tk, cap, "%s/transport.key", out);
}

static void
test_vendor_import(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	struct jitsim_rec r;
	struct jitsim_rec_secrets sec;
	char vendor[256], tk[256], err[512], *text, *line, tkhex[40] = "", clear[40];
	char iccid[32], imsi[32], ki[40], audit_line[1024];
	uint8_t k[16];

	pktgen_vendor(e, 25, vendor, tk, sizeof(vendor));
	assert_int_equal(import(e, vendor, tk, false, &rep, err, sizeof(err)), 0);
	assert_int_equal(rep.lines, 25);
	assert_int_equal(rep.imported, 25);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 25);
	last_audit(e, audit_line, sizeof(audit_line));
	assert_non_null(strstr(audit_line, "\"file\":\"inventory.out\",\"format\":\"vendor\","
					   "\"lines\":25,\"imported\":25"));

	/* The first card: Ki decrypted independently of the import. */
	text = read_all(tk);
	line = strstr(text, "Key: ");
	assert_non_null(line);
	memcpy(tkhex, line + 5, 32);
	free(text);
	text = read_all(vendor);
	line = strstr(text, "Var_Out:");
	assert_non_null(line);
	line = strchr(line, '\n') + 1;
	assert_int_equal(sscanf(line, "%31s %31s %*s %*s %*s %*s %39s", iccid, imsi, ki), 3);
	free(text);
	aes_ecb(tkhex, ki, clear, false);
	assert_int_equal(
		jitsim_store_sim_get(e->s, jitsim_digits_key_str(imsi), &r, err, sizeof(err)), 0);
	assert_string_equal(r.iccid, iccid);
	assert_string_equal(r.batch, "TB0001");
	assert_int_equal(jitsim_rec_open(&r, jitsim_store_kek(e->s), &sec), 0);
	assert_int_equal(sec.mask, JITSIM_REC_S_ALL);
	unhex16(clear, k);
	assert_memory_equal(sec.ki, k, 16);
	jitsim_rec_secrets_wipe(&sec);

	reimport_unchanged(e, vendor, tk, 25);
}

static void
test_vendor_wrong_key(void **state)
{
	struct env *e = *state;
	struct jitsim_inv_report rep;
	char vendor[256], tk[256], other[256], err[512];
	uint8_t key[16] = {1, 2, 3}, kcv[3];
	char kcvhex[8];

	pktgen_vendor(e, 5, vendor, tk, sizeof(vendor));
	assert_int_equal(jitsim_inv_kcv(key, kcv), 0);
	snprintf(kcvhex, sizeof(kcvhex), "%02X%02X%02X", kcv[0], kcv[1], kcv[2]);
	path_in(e, "other.key", other, sizeof(other));
	write_tkey(other, "01020300000000000000000000000000", kcvhex, 0600);
	assert_int_equal(import(e, vendor, other, false, &rep, err, sizeof(err)), -EINVAL);
	/* Header line 11 holds the KCV (docs/formats.md). */
	assert_non_null(strstr(err, "inventory.out:11: field KCV: wrong transport key"));
	assert_non_null(strstr(err, kcvhex));
	assert_null(strstr(err, "0102030000"));
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 0);
	/* No transport key at all. */
	assert_int_equal(import(e, vendor, NULL, false, &rep, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "give its transport key"));
}

/* Vendor-specific checks on an edited copy of a real vendor file. */
static void
vendor_edit(struct env *e, const char *from, const char *to, bool drop_last, const char *want)
{
	struct jitsim_inv_report rep;
	char vendor[256], tk[256], err[512], *text, *p;

	pktgen_vendor(e, 5, vendor, tk, sizeof(vendor));
	text = read_all(vendor);
	if (from != NULL) {
		char *buf = malloc(strlen(text) + strlen(to) + 1);

		p = strstr(text, from);
		assert_non_null(p);
		assert_non_null(buf);
		memcpy(buf, text, (size_t)(p - text));
		strcpy(buf + (p - text), to);
		strcat(buf, p + strlen(from));
		free(text);
		text = buf;
	}
	if (drop_last) {
		p = text + strlen(text) - 1;
		*p = '\0';
		p = strrchr(text, '\n');
		p[1] = '\0';
	}
	write_file(vendor, text);
	free(text);
	assert_int_equal(import(e, vendor, tk, false, &rep, err, sizeof(err)), -EINVAL);
	if (strstr(err, want) == NULL)
		fail_msg("error '%s' lacks '%s'", err, want);
	assert_int_equal(count_cf(e, JITSIM_CF_SIM), 0);
}

static void
test_vendor_quantity(void **state)
{
	vendor_edit(*state, NULL, NULL, true,
		    "inventory.out:5: field Quantity: 5 cards announced, the file has 4");
}

static void
test_vendor_var_out_missing(void **state)
{
	vendor_edit(*state, "/KI/OPC/", "/KI/XOPC/", false, ":21: header: no OPC column");
}

static void
test_vendor_fields(void **state)
{
	/* Var_Out lists one column more than the lines have. */
	vendor_edit(*state, "/KID1", "/KID1/ACC", false,
		    "inventory.out:22: 11 fields, Var_Out has 12");
}

static void
test_vendor_banner(void **state)
{
	vendor_edit(*state, "* OUTPUT VARIABLES", "* OUTPUT", false,
		    ":19: header: want '* INPUT VARIABLES' or '* OUTPUT VARIABLES'");
}

/* --- pieces --- */

static void
test_luhn_and_keys(void **state)
{
	(void)state;
	/* ITU-T E.118 example-style ICCIDs: check digits computed by hand. */
	assert_true(jitsim_inv_luhn_ok("89441000000000000018", 20));
	assert_false(jitsim_inv_luhn_ok("89441000000000000019", 20));
	assert_true(jitsim_inv_luhn_ok("79927398713", 11));
	assert_int_not_equal(jitsim_inv_iccid_key("8944100000000000001", 19),
			     jitsim_inv_iccid_key("08944100000000000001", 20));
	assert_int_not_equal(jitsim_inv_iccid_key("99999999999999999993", 20),
			     jitsim_inv_iccid_key("9999999999999999995", 19));
}

static void
test_set(void **state)
{
	struct jitsim_inv_set *s = jitsim_inv_set_new(4);

	(void)state;
	assert_non_null(s);
	/* Grows far past its estimate; first line wins. */
	for (uint32_t i = 1; i <= 5000; i++)
		assert_int_equal(jitsim_inv_set_insert(s, (uint64_t)i * 7919, i), 0);
	for (uint32_t i = 1; i <= 5000; i++) {
		assert_int_equal(jitsim_inv_set_insert(s, (uint64_t)i * 7919, i + 9000), i);
		assert_int_equal(jitsim_inv_set_find(s, (uint64_t)i * 7919), i);
	}
	assert_int_equal(jitsim_inv_set_find(s, 3), 0);
	assert_int_equal(jitsim_inv_set_insert(s, 0, 1), 0);
	assert_int_equal(jitsim_inv_set_find(s, 0), 1);
	assert_int_equal(jitsim_inv_set_count(s), 5001);
	jitsim_inv_set_free(s);
}

/* --- kill -9 --- */

#define KILL_SIMS 100000

/* Index of SIM @i's compact key (sim_make: "00101" + 10 digits, "4477" +
 * 8 digits), or KILL_SIMS when it is not one of the file's. */
static uint64_t
kill_index(uint64_t key, uint64_t base)
{
	uint64_t v = key & ((1ull << 56) - 1);

	return v >= base && v - base < KILL_SIMS ? v - base : KILL_SIMS;
}

/* Every SIM of the file is complete or absent; returns how many are there.
 * Index entries of an absent SIM are allowed (stale: store.h). One scan
 * per column family rather than 300 000 point reads. */
static uint64_t
check_consistent(struct env *e, bool msisdn)
{
	const struct jitsim_kek *kek = jitsim_store_kek(e->s);
	uint8_t *ok = calloc(KILL_SIMS, 1); /* 1 record, 2 iccid, 4 msisdn */
	struct jitsim_store_iter *it;
	const uint8_t *k, *v;
	struct sim_fields f;
	uint64_t present = 0;
	size_t kl, vl;

	assert_non_null(ok);
	it = jitsim_store_iter_new(e->s, JITSIM_CF_SIM);
	assert_non_null(it);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
		uint64_t imsi = jitsim_rec_key_parse(k, kl), i = kill_index(imsi, 1010000000000ull);
		struct jitsim_rec r;
		struct jitsim_rec_secrets sec;
		char err[256];

		if (i == KILL_SIMS)
			continue;
		sim_make(i, &f);
		assert_int_equal(jitsim_rec_decode(imsi, v, vl, &r, err, sizeof(err)), 0);
		assert_string_equal(r.iccid, f.iccid);
		if (msisdn)
			assert_int_equal(r.msisdn, jitsim_digits_key_str(f.msisdn));
		/* Sealing is covered elsewhere: a sample keeps this cheap. */
		if (i % 64 == 0) {
			assert_int_equal(jitsim_rec_open(&r, kek, &sec), 0);
			jitsim_rec_secrets_wipe(&sec);
		}
		/* A record always has its dataplane entry (ingested before it). */
		{
			uint8_t dv[32];
			size_t dl = 0;
			struct jitsim_rec_dp dp;

			assert_int_equal(
				jitsim_store_get(e->s, JITSIM_CF_DP, k, kl, dv, sizeof(dv), &dl),
				0);
			assert_int_equal(jitsim_rec_dp_decode(imsi, dv, dl, &dp, err, sizeof(err)),
					 0);
			assert_int_equal(dp.state, r.state);
			assert_true(dp.msisdn == r.msisdn);
		}
		ok[i] |= 1;
		present++;
	}
	jitsim_store_iter_free(it);
	it = jitsim_store_iter_new(e->s, JITSIM_CF_ICCID);
	assert_non_null(it);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
		uint64_t i = 0;

		if (kl != 20 || memcmp(k, "894401", 6) != 0)
			continue;
		for (size_t j = 6; j < 19; j++)
			i = i * 10 + (uint64_t)(k[j] - '0');
		if (i < KILL_SIMS &&
		    jitsim_rec_key_parse(v, vl) == (15ull << 56 | (1010000000000ull + i)))
			ok[i] |= 2;
	}
	jitsim_store_iter_free(it);
	it = jitsim_store_iter_new(e->s, JITSIM_CF_MSISDN);
	assert_non_null(it);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
		uint64_t i = kill_index(jitsim_rec_key_parse(k, kl), 447700000000ull);

		if (i < KILL_SIMS &&
		    jitsim_rec_key_parse(v, vl) == (15ull << 56 | (1010000000000ull + i)))
			ok[i] |= 4;
	}
	jitsim_store_iter_free(it);
	for (uint64_t i = 0; i < KILL_SIMS; i++)
		if (ok[i] & 1) {
			if (!(ok[i] & 2) || (msisdn && !(ok[i] & 4)))
				fail_msg("SIM %" PRIu64 " has a record but not its index entries",
					 i);
		}
	free(ok);
	return present;
}

static void
kill_run(struct env *e, const char *path, bool msisdn, bool bulk)
{
	/* A one-pass bulk import (10 chunks here) ingests every iccid file,
	 * then two dp files, then the sim files: 14 is two chunks of SIMs. */
	static const unsigned int after_batches[] = {1, 3, 6}, after_bulk[] = {1, 6, 11, 14};
	const unsigned int *after = bulk ? after_bulk : after_batches;
	size_t nafter = bulk ? 4 : 3;
	uint64_t last = 0;
	char err[512];

	for (size_t k = 0; k < nafter; k++) {
		int pfd[2], status;
		char fdtxt[16];
		pid_t pid;

		assert_int_equal(pipe(pfd), 0);
		store_close(e);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			struct jitsim_inv_report rep;

			close(pfd[0]);
			snprintf(fdtxt, sizeof(fdtxt), "%d", pfd[1]);
			setenv("JITSIM_INV_PROGRESS_FD", fdtxt, 1);
			if (bulk) {
				/* SST path even for what is left after a kill. */
				setenv("JITSIM_INV_BULK_MIN", "1000", 1);
				setenv("JITSIM_INV_BULK_CHUNK", "10000", 1);
			}
			store_open(e);
			_exit(import(e, path, NULL, false, &rep, err, sizeof(err)) == 0 ? 0 : 1);
		}
		close(pfd[1]);
		/* Kill after the child reported @after[k] commits/ingests (or
		 * when it ends first). */
		for (unsigned int got = 0; got < after[k];) {
			char c;
			ssize_t n = read(pfd[0], &c, 1);

			if (n <= 0)
				break;
			got++;
		}
		kill(pid, SIGKILL);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		close(pfd[0]);
		store_open(e);
		{
			uint64_t now = check_consistent(e, msisdn);

			assert_true(now >= last);
			last = now;
			print_message("killed after %u reports: %" PRIu64 " of %u SIMs present\n",
				      after[k], now, KILL_SIMS);
		}
	}
	/* A re-import completes the file. */
	{
		struct jitsim_inv_report rep;

		if (bulk)
			setenv("JITSIM_INV_BULK_MIN", "1000", 1);
		assert_int_equal(import(e, path, NULL, false, &rep, err, sizeof(err)), 0);
		assert_int_equal(rep.imported + rep.unchanged, KILL_SIMS);
		assert_int_equal(rep.unchanged, last);
		assert_int_equal(check_consistent(e, msisdn), KILL_SIMS);
	}
}

static void
test_kill_batches(void **state)
{
	struct env *e = *state;
	char path[256];

	path_in(e, "kill.csv", path, sizeof(path));
	write_csv(path, 0, KILL_SIMS, true);
	kill_run(e, path, true, false);
}

static void
test_kill_sst(void **state)
{
	struct env *e = *state;
	char path[256];

	path_in(e, "kill.csv", path, sizeof(path));
	write_csv(path, 0, KILL_SIMS, false);
	kill_run(e, path, false, true);
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	struct CMUnitTest tests[64];
	size_t n = 0;
	const struct CMUnitTest fixed[] = {
		cmocka_unit_test(test_luhn_and_keys),
		cmocka_unit_test(test_set),
		T(test_csv_import),
		T(test_csv_import_keys),
		T(test_csv_syntax),
		T(test_line_too_long),
		T(test_errors_counted_nothing_written),
		T(test_files_and_dry_run),
		T(test_partial_reject_file),
		T(test_reimport_idempotent),
		T(test_conflict_point_reads),
		T(test_conflict_scan),
		T(test_bulk_sst),
		T(test_bulk_unsorted),
		T(test_bulk_staged_fallbacks),
		T(test_bulk_staged_same),
		T(test_bulk_unsorted_chunks),
		T(test_written),
		T(test_large_file_errors),
		T(test_csv_encrypted),
		T(test_vendor_import),
		T(test_vendor_wrong_key),
		T(test_vendor_quantity),
		T(test_vendor_var_out_missing),
		T(test_vendor_fields),
		T(test_vendor_banner),
		T(test_kill_batches),
		T(test_kill_sst),
	};

	/* One test per validation error, named after it. */
	for (size_t i = 0; i < sizeof(vcases) / sizeof(vcases[0]); i++)
		tests[n++] = (struct CMUnitTest){vcases[i].name, test_validation, setup, teardown,
						 (void *)(uintptr_t)&vcases[i]};
	for (size_t i = 0; i < sizeof(fixed) / sizeof(fixed[0]); i++)
		tests[n++] = fixed[i];
	return _cmocka_run_group_tests("inventory", tests, n, NULL, NULL);
}
