/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The RocksDB store (control/store/store.c) on a real RocksDB in a
 * temporary directory: create/open rules, schema and KEK checks,
 * persistence across reopen, atomic batches, damaged records, secondary
 * instance, SST ingest, concurrent committers.
 */

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <rocksdb/c.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "rmtree.h"
#include "store.h"

struct env {
	char dir[64];
	char db[128];
	char kek[128];
	char kek2[128];
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char err[256];

	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-store.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/db", e->dir);
	snprintf(e->kek, sizeof(e->kek), "%s/kek", e->dir);
	snprintf(e->kek2, sizeof(e->kek2), "%s/kek2", e->dir);
	if (jitsim_kek_create(e->kek, err, sizeof(err)) != 0 ||
	    jitsim_kek_create(e->kek2, err, sizeof(err)) != 0)
		return -1;
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	jitsim_test_rmtree(e->dir);
	free(e);
	return 0;
}

static struct jitsim_store *
open_store(const struct env *e, bool create)
{
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek, .create = create};
	struct jitsim_store *s = NULL;
	char err[256];
	int rc = jitsim_store_open(&o, &s, err, sizeof(err));

	if (rc != 0)
		fail_msg("open: %d %s", rc, err);
	return s;
}

static void
make_rec(struct jitsim_store *s, uint64_t i, struct jitsim_rec *r)
{
	struct jitsim_rec_secrets sec = {.mask = JITSIM_REC_S_KI | JITSIM_REC_S_OPC};
	char imsi[16];

	memset(r, 0, sizeof(*r));
	snprintf(imsi, sizeof(imsi), "00101%010llu", (unsigned long long)i);
	r->imsi = jitsim_digits_key_str(imsi);
	r->state = JITSIM_SIM_INVENTORY;
	r->tenant = 1;
	r->region = (uint16_t)(i % 4);
	r->created = r->updated = 1790000000 + i;
	snprintf(r->iccid, sizeof(r->iccid), "8944%015llu", (unsigned long long)i);
	memset(sec.ki, (int)(i & 0xff), sizeof(sec.ki));
	memset(sec.opc, 0x5a, sizeof(sec.opc));
	assert_int_equal(jitsim_rec_seal(r, jitsim_store_kek(s), &sec), 0);
}

/* One SIM with an MSISDN: record + both indexes, one batch. */
static void
put_sim(struct jitsim_store *s, uint64_t i, uint64_t msisdn)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	struct jitsim_rec r;
	char err[256];

	make_rec(s, i, &r);
	r.msisdn = msisdn;
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	jitsim_store_batch_put_iccid(b, r.iccid, r.imsi);
	if (msisdn)
		jitsim_store_batch_put_msisdn(b, msisdn, r.imsi);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static void
test_open_rules(void **state)
{
	struct env *e = *state;
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek};
	struct jitsim_store *s = NULL;
	char err[256];

	/* No store and no create: a clear error naming the path. */
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -ENOENT);
	assert_non_null(strstr(err, e->db));
	assert_null(s);
	/* A primary needs a KEK. */
	o.kek_path = NULL;
	o.create = true;
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "KEK"));
	/* KEK with group bits: refused, message says how to fix it. */
	o.kek_path = e->kek;
	chmod(e->kek, 0640);
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "chmod 600"));
	chmod(e->kek, 0600);
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), 0);
	jitsim_store_close(s);
	/* Another KEK: refused, the store is not touched. */
	o.kek_path = e->kek2;
	o.create = false;
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, "does not match"));
	assert_non_null(strstr(err, e->db));
}

/* A schema version newer than ours is refused with a clear message. */
static void
test_schema_newer(void **state)
{
	struct env *e = *state;
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek};
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	uint8_t v[4] = {0, 0, 0, JITSIM_STORE_SCHEMA + 1};
	char err[256];

	jitsim_store_batch_put(b, JITSIM_CF_META, "schema", 6, v, sizeof(v));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
	jitsim_store_close(s);
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -ENOTSUP);
	assert_non_null(strstr(err, "newer"));
	assert_non_null(strstr(err, "upgrade"));
}

/* Write, close, reopen, compare every field and the secrets. */
static void
test_persistence(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_rec r, want;
	struct jitsim_rec_secrets sec;
	uint64_t imsi, n;
	char err[256];

	for (uint64_t i = 1; i <= 500; i++)
		put_sim(s, i, i % 2 ? jitsim_digits_key_str("491510000000") + i : 0);
	jitsim_store_close(s);

	s = open_store(e, false);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 500);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_MSISDN, &n), 0);
	assert_int_equal(n, 250);
	for (uint64_t i = 1; i <= 500; i++) {
		make_rec(s, i, &want);
		assert_int_equal(jitsim_store_sim_get(s, want.imsi, &r, err, sizeof(err)), 0);
		assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
		assert_int_equal(r.region, i % 4);
		assert_string_equal(r.iccid, want.iccid);
		assert_true(r.created == want.created);
		assert_int_equal(jitsim_rec_open(&r, jitsim_store_kek(s), &sec), 0);
		assert_int_equal(sec.ki[0], (uint8_t)i);
		assert_int_equal(sec.opc[15], 0x5a);
		assert_int_equal(jitsim_store_iccid_get(s, want.iccid, &imsi), 0);
		assert_true(imsi == want.imsi);
		if (i % 2) {
			assert_int_equal(
				jitsim_store_msisdn_get(
					s, jitsim_digits_key_str("491510000000") + i, &imsi),
				0);
			assert_true(imsi == want.imsi);
		}
	}
	assert_int_equal(jitsim_store_sim_get(s, jitsim_digits_key_str("001019999999999"), &r, err,
					      sizeof(err)),
			 -ENOENT);
	jitsim_store_close(s);
}

/* A damaged record: error naming the IMSI; the others are still served. */
static void
test_damaged_record(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_store_batch *b;
	struct jitsim_rec r, bad;
	uint8_t key[8], val[JITSIM_REC_MAX];
	char err[256];
	int n;

	for (uint64_t i = 1; i <= 3; i++)
		put_sim(s, i, 0);
	/* Truncate the record of SIM 2 (a torn write from a bad disk). */
	make_rec(s, 2, &bad);
	n = jitsim_rec_encode(&bad, val, sizeof(val));
	jitsim_rec_key(bad.imsi, key);
	b = jitsim_store_batch_new(s);
	jitsim_store_batch_put(b, JITSIM_CF_SIM, key, sizeof(key), val, (size_t)n - 7);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);

	assert_int_equal(jitsim_store_sim_get(s, bad.imsi, &r, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "001010000000002"));
	make_rec(s, 1, &bad);
	assert_int_equal(jitsim_store_sim_get(s, bad.imsi, &r, err, sizeof(err)), 0);
	make_rec(s, 3, &bad);
	assert_int_equal(jitsim_store_sim_get(s, bad.imsi, &r, err, sizeof(err)), 0);
	/* An oversized value is damaged too, not a buffer overflow. */
	make_rec(s, 3, &bad);
	jitsim_rec_key(bad.imsi, key);
	{
		uint8_t big[JITSIM_REC_MAX * 2] = {JITSIM_REC_VERSION};

		b = jitsim_store_batch_new(s);
		jitsim_store_batch_put(b, JITSIM_CF_SIM, key, sizeof(key), big, sizeof(big));
		assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
		jitsim_store_batch_free(b);
	}
	assert_int_equal(jitsim_store_sim_get(s, bad.imsi, &r, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "001010000000003"));
	jitsim_store_close(s);
}

/* A batch is all or nothing: a record and its index entries together. */
static void
test_batch_atomic(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	struct jitsim_rec r;
	uint64_t n;
	char err[256];

	make_rec(s, 1, &r);
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	jitsim_store_batch_put_msisdn(b, jitsim_digits_key_str("491510000001"), r.imsi);
	jitsim_store_batch_audit(b, "te\"st", "sim.put", "\"n\":1");
	/* record + dp entry + MSISDN index + audit line */
	assert_int_equal(jitsim_store_batch_count(b), 4);
	/* Not committed: nothing visible. */
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_MSISDN, &n), 0);
	assert_int_equal(n, 1);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_DP, &n), 0);
	assert_int_equal(n, 1);
	/* The dp entry is the record's projection. */
	{
		uint8_t key[8], v[64];
		size_t vl = 0;
		struct jitsim_rec_dp dp;

		jitsim_rec_key(r.imsi, key);
		assert_int_equal(jitsim_store_get(s, JITSIM_CF_DP, key, 8, v, sizeof(v), &vl), 0);
		assert_int_equal(jitsim_rec_dp_decode(r.imsi, v, vl, &dp, err, sizeof(err)), 0);
		assert_int_equal(dp.state, r.state);
		assert_int_equal(dp.region, r.region);
		assert_int_equal(dp.tenant, r.tenant);
		assert_true(dp.msisdn == r.msisdn);
		v[1] = 0;
		assert_int_equal(jitsim_rec_dp_decode(r.imsi, v, vl, &dp, err, sizeof(err)),
				 -EBADMSG);
		assert_non_null(strstr(err, "001010000000001"));
		assert_int_equal(jitsim_rec_dp_decode(r.imsi, v, 15, &dp, err, sizeof(err)),
				 -EBADMSG);
		v[0] = 9;
		assert_int_equal(jitsim_rec_dp_decode(r.imsi, v, vl, &dp, err, sizeof(err)),
				 -ENOTSUP);
	}
	/* Audit: creation line + ours, JSON with escaped quote. */
	{
		struct jitsim_store_iter *it = jitsim_store_iter_new(s, JITSIM_CF_AUDIT);
		const uint8_t *k, *v;
		size_t kl, vl;
		int lines = 0, found = 0;

		while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
			lines++;
			assert_int_equal(kl, 12);
			if (memmem(v, vl, "\"who\":\"te\\\"st\",\"what\":\"sim.put\",\"n\":1}", 38))
				found++;
		}
		jitsim_store_iter_free(it);
		assert_int_equal(lines, 2);
		assert_int_equal(found, 1);
	}
	/* An invalid record is refused before anything is written. */
	jitsim_store_batch_clear(b);
	r.state = JITSIM_SIM_STATE_MAX;
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), -EINVAL);
	jitsim_store_batch_free(b);
	jitsim_store_close(s);
}

/* The dataplane's view: a secondary sees the primary's data and follows
 * it with catch_up; it cannot write. */
static void
test_secondary(void **state)
{
	struct env *e = *state;
	struct jitsim_store *p = open_store(e, true), *sec = NULL;
	struct jitsim_store_opts o = {.path = e->db, .secondary = true};
	struct jitsim_store_batch *b;
	struct jitsim_rec r;
	uint64_t n;
	char err[256];

	for (uint64_t i = 1; i <= 100; i++)
		put_sim(p, i, 0);
	assert_int_equal(jitsim_store_open(&o, &sec, err, sizeof(err)), 0);
	assert_null(jitsim_store_kek(sec));
	assert_int_equal(jitsim_store_count(sec, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 100);
	for (uint64_t i = 101; i <= 150; i++)
		put_sim(p, i, 0);
	assert_int_equal(jitsim_store_catch_up(sec, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_count(sec, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 150);
	make_rec(p, 120, &r);
	assert_int_equal(jitsim_store_sim_get(sec, r.imsi, &r, err, sizeof(err)), 0);
	b = jitsim_store_batch_new(sec);
	jitsim_store_batch_put(b, JITSIM_CF_META, "x", 1, "y", 1);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), -EROFS);
	jitsim_store_batch_free(b);
	jitsim_store_close(sec);
	jitsim_store_close(p);
}

static void
test_sst_ingest(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_store_sst *w;
	uint8_t key[8], val[JITSIM_REC_MAX];
	struct jitsim_rec r;
	uint64_t n;
	char err[256];

	put_sim(s, 5000, 0); /* below, untouched by the ingest */
	w = jitsim_store_sst_new(s, JITSIM_CF_SIM, err, sizeof(err));
	assert_non_null(w);
	for (uint64_t i = 1; i <= 2000; i++) {
		int len;

		make_rec(s, i, &r);
		len = jitsim_rec_encode(&r, val, sizeof(val));
		jitsim_rec_key(r.imsi, key);
		assert_int_equal(jitsim_store_sst_add(w, key, sizeof(key), val, (size_t)len), 0);
	}
	/* Out of order: refused. */
	assert_int_equal(jitsim_store_sst_add(w, key, sizeof(key), val, 10), -EINVAL);
	assert_int_equal(jitsim_store_sst_count(w), 2000);
	assert_int_equal(jitsim_store_sst_ingest(s, w, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 2001);
	make_rec(s, 1234, &r);
	assert_int_equal(jitsim_store_sim_get(s, r.imsi, &r, err, sizeof(err)), 0);
	/* An abandoned writer leaves no file behind. */
	w = jitsim_store_sst_new(s, JITSIM_CF_ICCID, err, sizeof(err));
	assert_int_equal(jitsim_store_sst_add(w, "1", 1, "x", 1), 0);
	jitsim_store_sst_free(w);
	jitsim_store_close(s);
}

static bool
file_exists(const char *path)
{
	struct stat st;

	return stat(path, &st) == 0;
}

/*
 * An import may finish its SST files and ingest them later (the one-pass
 * bulk import keeps them through its whole validation): a finished file is
 * ingested as it was; the files of a live import survive a second open
 * attempt (refused by RocksDB's lock) and are deleted by the next open
 * that holds the lock, as those of a killed import.
 */
static void
test_sst_finish_later(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true), *s2 = NULL;
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek};
	struct jitsim_store_sst *w;
	char err[256], stray[256];
	uint64_t n;
	FILE *fp;

	w = jitsim_store_sst_new(s, JITSIM_CF_ICCID, err, sizeof(err));
	assert_non_null(w);
	assert_int_equal(jitsim_store_sst_add(w, "1", 1, "a", 1), 0);
	assert_int_equal(jitsim_store_sst_add(w, "2", 1, "b", 1), 0);
	assert_int_equal(jitsim_store_sst_finish(w, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_sst_finish(w, err, sizeof(err)), 0); /* once only */

	/* A file of a live import (pid 1 never imports: a made-up name). */
	snprintf(stray, sizeof(stray), "%s/ingest-1-0-sim.sst", e->db);
	fp = fopen(stray, "w");
	assert_non_null(fp);
	fclose(fp);
	assert_int_not_equal(jitsim_store_open(&o, &s2, err, sizeof(err)), 0);
	assert_true(file_exists(stray));

	assert_int_equal(jitsim_store_sst_ingest(s, w, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_ICCID, &n), 0);
	assert_int_equal(n, 2);
	jitsim_store_close(s);

	s = open_store(e, false);
	assert_false(file_exists(stray));
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_ICCID, &n), 0);
	assert_int_equal(n, 2);
	jitsim_store_close(s);
}

struct writer {
	struct jitsim_store *s;
	uint64_t first;
	int n;
	int rc;
};

static void *
writer_main(void *arg)
{
	struct writer *w = arg;
	char err[256];

	for (int i = 0; i < w->n; i++) {
		struct jitsim_store_batch *b = jitsim_store_batch_new(w->s);
		struct jitsim_rec r;

		make_rec(w->s, w->first + (uint64_t)i, &r);
		jitsim_store_batch_put_sim(b, &r);
		jitsim_store_batch_put_iccid(b, r.iccid, r.imsi);
		if (jitsim_store_commit(b, err, sizeof(err)) != 0)
			w->rc = -1;
		jitsim_store_batch_free(b);
	}
	return NULL;
}

/* Concurrent committers (group commit): every write lands. */
static void
test_concurrent_commits(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct writer w[4];
	pthread_t t[4];
	uint64_t n;

	for (int i = 0; i < 4; i++) {
		w[i] = (struct writer){.s = s, .first = 1 + (uint64_t)i * 1000, .n = 100};
		pthread_create(&t[i], NULL, writer_main, &w[i]);
	}
	for (int i = 0; i < 4; i++) {
		pthread_join(t[i], NULL);
		assert_int_equal(w[i].rc, 0);
	}
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_SIM, &n), 0);
	assert_int_equal(n, 400);
	assert_int_equal(jitsim_store_count(s, JITSIM_CF_ICCID, &n), 0);
	assert_int_equal(n, 400);
	jitsim_store_close(s);
}

/* Key span and bounded iteration (the loader's split of the dp family). */
static void
test_ranges(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e, true);
	struct jitsim_store_iter *it;
	uint8_t first[8], last[8], mid[8];
	const uint8_t *k, *v;
	size_t kl, vl;
	struct jitsim_rec r;
	int n = 0;

	assert_int_equal(jitsim_store_key_span(s, JITSIM_CF_DP, first, last), -ENOENT);
	for (uint64_t i = 1; i <= 100; i++)
		put_sim(s, i, 0);
	assert_int_equal(jitsim_store_key_span(s, JITSIM_CF_DP, first, last), 0);
	make_rec(s, 1, &r);
	assert_true(jitsim_rec_key_parse(first, 8) == r.imsi);
	make_rec(s, 100, &r);
	assert_true(jitsim_rec_key_parse(last, 8) == r.imsi);
	/* [41, 60) */
	make_rec(s, 41, &r);
	jitsim_rec_key(r.imsi, first);
	make_rec(s, 60, &r);
	jitsim_rec_key(r.imsi, mid);
	it = jitsim_store_iter_new_range(s, JITSIM_CF_DP, first, 8, mid, 8);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1) {
		assert_true(memcmp(k, first, 8) >= 0 && memcmp(k, mid, 8) < 0);
		n++;
	}
	jitsim_store_iter_free(it);
	assert_int_equal(n, 19);
	/* Open ends. */
	n = 0;
	it = jitsim_store_iter_new_range(s, JITSIM_CF_DP, mid, 8, NULL, 0);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1)
		n++;
	jitsim_store_iter_free(it);
	assert_int_equal(n, 41);
	jitsim_store_close(s);
}

/* A store missing one of our column families is named as damaged. */
static void
test_missing_cf(void **state)
{
	struct env *e = *state;
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek};
	struct jitsim_store *s = NULL;
	rocksdb_options_t *ro = rocksdb_options_create();
	char *rerr = NULL, err[256];
	rocksdb_t *db;

	rocksdb_options_set_create_if_missing(ro, 1);
	db = rocksdb_open(ro, e->db, &rerr);
	assert_null(rerr);
	rocksdb_close(db);
	rocksdb_options_destroy(ro);
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "column family 'sim' is missing"));
}

#define T(f) cmocka_unit_test_setup_teardown(f, setup, teardown)

int
main(void)
{
	const struct CMUnitTest tests[] = {
		T(test_open_rules),	T(test_schema_newer),	    T(test_persistence),
		T(test_damaged_record), T(test_batch_atomic),	    T(test_secondary),
		T(test_sst_ingest),	T(test_concurrent_commits), T(test_missing_cf),
		T(test_ranges),		T(test_sst_finish_later),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
