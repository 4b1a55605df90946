/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The RocksDB store (store.h, docs/store.md). RocksDB's C API, one handle
 * per column family. Durability: every commit is a WriteBatch with
 * sync=true; RocksDB's write thread makes concurrent committers share the
 * leader's WAL write and fsync (group commit), so no extra queue is
 * needed here.
 */

#include <errno.h>
#include <ftw.h>
#include <inttypes.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <dirent.h>

#include <rocksdb/c.h>

#include <jitsim/proto/digits.h>

#include "store.h"

#define META_SCHEMA "schema"
#define META_KEK_CHECK "kek_check"
/* Sealed under the KEK at creation: opening it proves the KEK fits. */
static const char kek_check_plain[] = "jitsim key-encryption key check v1";

static const char *const cf_names[JITSIM_CF_COUNT] = {
	[JITSIM_CF_SIM] = "sim",   [JITSIM_CF_MSISDN] = "msisdn", [JITSIM_CF_ICCID] = "iccid",
	[JITSIM_CF_POOL] = "pool", [JITSIM_CF_JOB] = "job",	  [JITSIM_CF_AUDIT] = "audit",
	[JITSIM_CF_META] = "meta", [JITSIM_CF_DP] = "dp",
};

/* RocksDB wants every column family of a database opened, ours or not
 * (a newer jitsim may have added some): the extras are kept here. */
#define STORE_CF_MAX 32

struct jitsim_store {
	rocksdb_t *db;
	rocksdb_options_t *opts;
	rocksdb_block_based_table_options_t *bbto;
	/* The dp family: only ever scanned (the dataplane's bulk load) or
	 * written, never read by key: no Bloom filter to build. */
	rocksdb_options_t *opts_dp;
	rocksdb_block_based_table_options_t *bbto_dp;
	rocksdb_cache_t *cache;
	rocksdb_writeoptions_t *wsync;
	rocksdb_readoptions_t *ropts;
	rocksdb_column_family_handle_t *cf[JITSIM_CF_COUNT];
	rocksdb_column_family_handle_t *extra[STORE_CF_MAX];
	unsigned int n_extra;
	char *path;
	char *secondary_path; /* removed at close when we made it */
	bool own_secondary;
	bool secondary;
	bool has_kek;
	struct jitsim_kek kek;
	atomic_uint_fast32_t audit_seq;
};

struct jitsim_store_batch {
	struct jitsim_store *s;
	rocksdb_writebatch_t *wb;
};

struct jitsim_store_iter {
	rocksdb_iterator_t *it;
	rocksdb_readoptions_t *ro;
	bool started;
	/* Bounds must outlive the iterator (RocksDB keeps pointers). */
	char *lo, *hi;
	size_t lolen;
};

struct jitsim_store_sst {
	struct jitsim_store *s;
	enum jitsim_store_cf cf;
	rocksdb_envoptions_t *env;
	rocksdb_sstfilewriter_t *w;
	char *file;
	uint64_t count;
	bool finished; /* jitsim_store_sst_finish() done */
};

const char *
jitsim_store_cf_name(enum jitsim_store_cf cf)
{
	return (unsigned int)cf < JITSIM_CF_COUNT ? cf_names[cf] : "?";
}

/* RocksDB returns errors as malloc'd strings: copy and free. */
static int
rdb_err(char *rerr, char *err, size_t errlen, const char *what, const char *path)
{
	snprintf(err, errlen, "store %s: %s: %s", path, what, rerr ? rerr : "unknown error");
	free(rerr);
	return -EIO;
}

static int
rm_entry(const char *p, const struct stat *sb, int flag, struct FTW *ftw)
{
	(void)sb;
	(void)flag;
	(void)ftw;
	return remove(p);
}

static void
store_free(struct jitsim_store *s)
{
	if (s->db) {
		for (unsigned int i = 0; i < JITSIM_CF_COUNT; i++)
			if (s->cf[i])
				rocksdb_column_family_handle_destroy(s->cf[i]);
		for (unsigned int i = 0; i < s->n_extra; i++)
			rocksdb_column_family_handle_destroy(s->extra[i]);
		rocksdb_close(s->db);
	}
	if (s->wsync)
		rocksdb_writeoptions_destroy(s->wsync);
	if (s->ropts)
		rocksdb_readoptions_destroy(s->ropts);
	if (s->opts)
		rocksdb_options_destroy(s->opts);
	if (s->bbto)
		rocksdb_block_based_options_destroy(s->bbto);
	if (s->opts_dp)
		rocksdb_options_destroy(s->opts_dp);
	if (s->bbto_dp)
		rocksdb_block_based_options_destroy(s->bbto_dp);
	if (s->cache)
		rocksdb_cache_destroy(s->cache);
	if (s->own_secondary && s->secondary_path)
		nftw(s->secondary_path, rm_entry, 16, FTW_DEPTH | FTW_PHYS);
	jitsim_kek_wipe(&s->kek);
	free(s->secondary_path);
	free(s->path);
	free(s);
}

void
jitsim_store_close(struct jitsim_store *s)
{
	if (s)
		store_free(s);
}

const struct jitsim_kek *
jitsim_store_kek(const struct jitsim_store *s)
{
	return s->has_kek ? &s->kek : NULL;
}

static void
store_options(struct jitsim_store *s, bool create)
{
	s->opts = rocksdb_options_create();
	rocksdb_options_set_create_if_missing(s->opts, create);
	rocksdb_options_set_create_missing_column_families(s->opts, create);
	rocksdb_options_increase_parallelism(s->opts, 2);
	rocksdb_options_optimize_level_style_compaction(s->opts, 64 << 20);
	/* Most of a SIM record is sealed key material, which does not
	 * compress; LZ4 cost 7 % of a bulk import for nothing. */
	rocksdb_options_set_compression(s->opts, rocksdb_no_compression);
	/* optimize_level_style_compaction() set a per-level list (LZ4 from
	 * L2 on) that takes precedence over the option above. */
	{
		int none[7] = {rocksdb_no_compression, rocksdb_no_compression,
			       rocksdb_no_compression, rocksdb_no_compression,
			       rocksdb_no_compression, rocksdb_no_compression,
			       rocksdb_no_compression};

		rocksdb_options_set_compression_per_level(s->opts, none, 7);
	}
	/* A secondary needs every table file open (RocksDB requirement). */
	rocksdb_options_set_max_open_files(s->opts, -1);
	s->bbto = rocksdb_block_based_options_create();
	/* Bloom filters: imports look every new IMSI/ICCID up, most miss. */
	rocksdb_block_based_options_set_filter_policy(s->bbto,
						      rocksdb_filterpolicy_create_bloom_full(10));
	s->cache = rocksdb_cache_create_lru(64 << 20);
	rocksdb_block_based_options_set_block_cache(s->bbto, s->cache);
	rocksdb_options_set_block_based_table_factory(s->opts, s->bbto);
	s->opts_dp = rocksdb_options_create_copy(s->opts);
	s->bbto_dp = rocksdb_block_based_options_create();
	rocksdb_block_based_options_set_block_cache(s->bbto_dp, s->cache);
	rocksdb_options_set_block_based_table_factory(s->opts_dp, s->bbto_dp);
	s->wsync = rocksdb_writeoptions_create();
	rocksdb_writeoptions_set_sync(s->wsync, 1);
	s->ropts = rocksdb_readoptions_create();
}

static int
cf_index(const char *name)
{
	for (int i = 0; i < JITSIM_CF_COUNT; i++)
		if (strcmp(name, cf_names[i]) == 0)
			return i;
	return -1;
}

/* Open the database with every column family it has (plus ours when
 * creating). */
static int
store_open_db(struct jitsim_store *s, const struct jitsim_store_opts *o, char *err, size_t errlen)
{
	const char *names[STORE_CF_MAX + JITSIM_CF_COUNT + 1];
	const rocksdb_options_t *cfo[STORE_CF_MAX + JITSIM_CF_COUNT + 1];
	rocksdb_column_family_handle_t *h[STORE_CF_MAX + JITSIM_CF_COUNT + 1];
	char **listed = NULL, *rerr = NULL;
	size_t nlisted = 0, n = 0;
	int rc = 0;

	listed = rocksdb_list_column_families(s->opts, o->path, &nlisted, &rerr);
	if (rerr) {
		/* No database yet: only ours, created below. (RocksDB may
		 * still hand back an empty array.) */
		free(rerr);
		rerr = NULL;
		free(listed);
		listed = NULL;
		nlisted = 0;
	}
	names[n++] = "default";
	for (size_t i = 0; i < nlisted; i++) {
		if (strcmp(listed[i], "default") == 0 || cf_index(listed[i]) >= 0)
			continue;
		if (n >= STORE_CF_MAX) {
			snprintf(err, errlen, "store %s: too many column families", o->path);
			rc = -EINVAL;
			goto out;
		}
		names[n++] = listed[i];
	}
	size_t first_ours = n;
	for (int i = 0; i < JITSIM_CF_COUNT; i++)
		names[n++] = cf_names[i];
	if (!o->create && !o->secondary) {
		/* Opening an existing store must not invent column families a
		 * damaged store lacks: say which one is missing. */
		for (int i = 0; i < JITSIM_CF_COUNT; i++) {
			bool found = false;

			for (size_t j = 0; j < nlisted; j++)
				found |= strcmp(listed[j], cf_names[i]) == 0;
			if (!found) {
				snprintf(err, errlen,
					 "store %s: column family '%s' is missing: not a jitsim "
					 "store "
					 "or damaged",
					 o->path, cf_names[i]);
				rc = -EINVAL;
				goto out;
			}
		}
	}
	for (size_t i = 0; i < n; i++)
		cfo[i] = strcmp(names[i], cf_names[JITSIM_CF_DP]) == 0 ? s->opts_dp : s->opts;
	if (o->secondary)
		s->db = rocksdb_open_as_secondary_column_families(
			s->opts, o->path, s->secondary_path, (int)n, names, cfo, h, &rerr);
	else
		s->db = rocksdb_open_column_families(s->opts, o->path, (int)n, names, cfo, h,
						     &rerr);
	if (rerr) {
		rc = rdb_err(rerr, err, errlen, "open", o->path);
		goto out;
	}
	rocksdb_column_family_handle_destroy(h[0]); /* default: unused */
	for (size_t i = 1; i < first_ours; i++)
		s->extra[s->n_extra++] = h[i];
	for (int i = 0; i < JITSIM_CF_COUNT; i++)
		s->cf[i] = h[first_ours + (size_t)i];
out:
	if (listed)
		rocksdb_list_column_families_destroy(listed, nlisted);
	return rc;
}

static int
meta_get(struct jitsim_store *s, const char *key, char **val, size_t *len, char *err, size_t errlen)
{
	char *rerr = NULL;

	*val = rocksdb_get_cf(s->db, s->ropts, s->cf[JITSIM_CF_META], key, strlen(key), len, &rerr);
	if (rerr)
		return rdb_err(rerr, err, errlen, "read meta", s->path);
	return *val ? 0 : -ENOENT;
}

/* First open of a new store: schema version and KEK check, one batch. */
static int
store_init_meta(struct jitsim_store *s, char *err, size_t errlen)
{
	uint8_t ver[4] = {0, 0, 0, JITSIM_STORE_SCHEMA};
	uint8_t sealed[JITSIM_SECRET_SEALED_LEN(sizeof(kek_check_plain))];
	struct jitsim_store_batch *b;
	int rc;

	if (jitsim_secret_seal(&s->kek, (const uint8_t *)"meta", 4,
			       (const uint8_t *)kek_check_plain, sizeof(kek_check_plain),
			       sealed) != 0) {
		snprintf(err, errlen, "store %s: cannot seal the KEK check", s->path);
		return -EIO;
	}
	b = jitsim_store_batch_new(s);
	if (b == NULL)
		return -ENOMEM;
	jitsim_store_batch_put(b, JITSIM_CF_META, META_SCHEMA, strlen(META_SCHEMA), ver,
			       sizeof(ver));
	jitsim_store_batch_put(b, JITSIM_CF_META, META_KEK_CHECK, strlen(META_KEK_CHECK), sealed,
			       sizeof(sealed));
	jitsim_store_batch_audit(b, "jitsim", "store.create", NULL);
	rc = jitsim_store_commit(b, err, errlen);
	jitsim_store_batch_free(b);
	return rc;
}

static int
store_check_meta(struct jitsim_store *s, bool create, char *err, size_t errlen)
{
	uint8_t plain[sizeof(kek_check_plain)];
	char *v = NULL;
	size_t len = 0;
	uint32_t ver;
	int rc;

	rc = meta_get(s, META_SCHEMA, &v, &len, err, errlen);
	if (rc == -ENOENT) {
		if (create && !s->secondary)
			return store_init_meta(s, err, errlen);
		snprintf(err, errlen, "store %s: no schema version in 'meta': not a jitsim store",
			 s->path);
		return -EINVAL;
	}
	if (rc != 0)
		return rc;
	if (len != 4) {
		free(v);
		snprintf(err, errlen, "store %s: schema version has %zu bytes, expected 4", s->path,
			 len);
		return -EINVAL;
	}
	ver = (uint32_t)(uint8_t)v[0] << 24 | (uint32_t)(uint8_t)v[1] << 16 |
	      (uint32_t)(uint8_t)v[2] << 8 | (uint8_t)v[3];
	free(v);
	if (ver > JITSIM_STORE_SCHEMA) {
		snprintf(err, errlen,
			 "store %s: schema version %" PRIu32
			 " is newer than this jitsim understands (%d); "
			 "refusing to open it: upgrade jitsim",
			 s->path, ver, JITSIM_STORE_SCHEMA);
		return -ENOTSUP;
	}
	if (!s->has_kek)
		return 0;
	rc = meta_get(s, META_KEK_CHECK, &v, &len, err, errlen);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "store %s: no KEK check in 'meta': damaged store", s->path);
		return -EINVAL;
	}
	if (rc != 0)
		return rc;
	rc = len == JITSIM_SECRET_SEALED_LEN(sizeof(plain))
		     ? jitsim_secret_open(&s->kek, (const uint8_t *)"meta", 4, (uint8_t *)v, len,
					  plain)
		     : -EBADMSG;
	free(v);
	if (rc != 0 || memcmp(plain, kek_check_plain, sizeof(plain)) != 0) {
		snprintf(err, errlen,
			 "store %s: the key-encryption key does not match this store "
			 "(wrong KEK file?)",
			 s->path);
		return -EKEYREJECTED;
	}
	return 0;
}

/* SST files of an import that was killed before its ingest. */
static void
store_remove_stale_ingest(const char *path)
{
	struct dirent *de;
	DIR *d = opendir(path);
	char f[4096];

	if (d == NULL)
		return;
	while ((de = readdir(d)) != NULL) {
		size_t n = strlen(de->d_name);

		if (strncmp(de->d_name, "ingest-", 7) != 0 || n < 4 ||
		    strcmp(de->d_name + n - 4, ".sst") != 0)
			continue;
		snprintf(f, sizeof(f), "%s/%s", path, de->d_name);
		unlink(f);
	}
	closedir(d);
}

int
jitsim_store_open(const struct jitsim_store_opts *o, struct jitsim_store **out, char *err,
		  size_t errlen)
{
	struct jitsim_store *s;
	char current[4096];
	int rc;

	*out = NULL;
	snprintf(err, errlen, "no error");
	if (o->path == NULL || o->path[0] == '\0') {
		snprintf(err, errlen, "store: no path given");
		return -EINVAL;
	}
	snprintf(current, sizeof(current), "%s/CURRENT", o->path);
	if (access(current, F_OK) != 0 && (!o->create || o->secondary)) {
		snprintf(err, errlen,
			 "store %s: no store there (create one with `jitsim-store init`)", o->path);
		return -ENOENT;
	}
	if (!o->secondary && o->kek_path == NULL) {
		snprintf(err, errlen, "store %s: a KEK file is required", o->path);
		return -EINVAL;
	}
	s = calloc(1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	s->path = strdup(o->path);
	if (s->path == NULL) {
		free(s);
		return -ENOMEM;
	}
	s->secondary = o->secondary;
	if (o->kek_path) {
		rc = jitsim_kek_load(o->kek_path, &s->kek, err, errlen);
		if (rc != 0)
			goto fail;
		s->has_kek = true;
	}
	if (o->secondary) {
		if (o->secondary_path) {
			s->secondary_path = strdup(o->secondary_path);
			if (s->secondary_path == NULL) {
				rc = -ENOMEM;
				goto fail;
			}
		} else {
			char tmpl[] = "/tmp/jitsim-secondary.XXXXXX";

			if (mkdtemp(tmpl) == NULL) {
				rc = -errno;
				snprintf(err, errlen, "store %s: secondary directory: %s", o->path,
					 strerror(errno));
				goto fail;
			}
			s->secondary_path = strdup(tmpl);
			if (s->secondary_path == NULL) {
				rmdir(tmpl);
				rc = -ENOMEM;
				goto fail;
			}
			s->own_secondary = true;
		}
	}
	store_options(s, o->create && !o->secondary);
	rc = store_open_db(s, o, err, errlen);
	if (rc != 0)
		goto fail;
	/* Only once RocksDB's lock is held: the files of a running import
	 * (a one-pass import keeps them for the whole of its pass 1) belong
	 * to the process that holds it. */
	if (!o->secondary)
		store_remove_stale_ingest(o->path);
	rc = store_check_meta(s, o->create, err, errlen);
	if (rc != 0)
		goto fail;
	*out = s;
	return 0;
fail:
	store_free(s);
	return rc;
}

int
jitsim_store_catch_up(struct jitsim_store *s, char *err, size_t errlen)
{
	char *rerr = NULL;

	if (!s->secondary)
		return 0;
	rocksdb_try_catch_up_with_primary(s->db, &rerr);
	return rerr ? rdb_err(rerr, err, errlen, "catch up with primary", s->path) : 0;
}

int
jitsim_store_get(struct jitsim_store *s, enum jitsim_store_cf cf, const void *key, size_t klen,
		 void *val, size_t cap, size_t *vlen)
{
	char *rerr = NULL, *v;
	size_t len = 0;

	v = rocksdb_get_cf(s->db, s->ropts, s->cf[cf], key, klen, &len, &rerr);
	if (rerr) {
		free(rerr);
		return -EIO;
	}
	if (v == NULL)
		return -ENOENT;
	memcpy(val, v, len < cap ? len : cap);
	*vlen = len;
	free(v);
	return 0;
}

int
jitsim_store_sim_get(struct jitsim_store *s, uint64_t imsi, struct jitsim_rec *r, char *err,
		     size_t errlen)
{
	uint8_t key[8], val[JITSIM_REC_MAX];
	size_t len = 0;
	int rc;

	jitsim_rec_key(imsi, key);
	rc = jitsim_store_get(s, JITSIM_CF_SIM, key, sizeof(key), val, sizeof(val), &len);
	if (rc == -EIO) {
		snprintf(err, errlen, "store %s: read error", s->path);
		return rc;
	}
	if (rc != 0)
		return rc;
	if (len > sizeof(val)) {
		char name[JITSIM_DIGITS_MAX + 1] = "?";

		jitsim_digits_key_format(imsi, name, sizeof(name));
		snprintf(err, errlen, "record of IMSI %s: %zu bytes, more than a record can hold",
			 name, len);
		return -EBADMSG;
	}
	return jitsim_rec_decode(imsi, val, len, r, err, errlen);
}

static int
get_key_value(struct jitsim_store *s, enum jitsim_store_cf cf, const void *k, size_t klen,
	      uint64_t *imsi)
{
	uint8_t val[8];
	size_t len = 0;
	int rc;

	rc = jitsim_store_get(s, cf, k, klen, val, sizeof(val), &len);
	if (rc != 0)
		return rc;
	if (len != 8)
		return -EBADMSG;
	*imsi = jitsim_rec_key_parse(val, len);
	return 0;
}

int
jitsim_store_msisdn_get(struct jitsim_store *s, uint64_t msisdn, uint64_t *imsi)
{
	uint8_t key[8];

	jitsim_rec_key(msisdn, key);
	return get_key_value(s, JITSIM_CF_MSISDN, key, sizeof(key), imsi);
}

int
jitsim_store_iccid_get(struct jitsim_store *s, const char *iccid, uint64_t *imsi)
{
	return get_key_value(s, JITSIM_CF_ICCID, iccid, strlen(iccid), imsi);
}

struct jitsim_store_batch *
jitsim_store_batch_new(struct jitsim_store *s)
{
	struct jitsim_store_batch *b = calloc(1, sizeof(*b));

	if (b == NULL)
		return NULL;
	b->s = s;
	b->wb = rocksdb_writebatch_create();
	return b;
}

void
jitsim_store_batch_free(struct jitsim_store_batch *b)
{
	if (b == NULL)
		return;
	rocksdb_writebatch_destroy(b->wb);
	free(b);
}

void
jitsim_store_batch_clear(struct jitsim_store_batch *b)
{
	rocksdb_writebatch_clear(b->wb);
}

unsigned int
jitsim_store_batch_count(const struct jitsim_store_batch *b)
{
	return (unsigned int)rocksdb_writebatch_count(b->wb);
}

void
jitsim_store_batch_put(struct jitsim_store_batch *b, enum jitsim_store_cf cf, const void *key,
		       size_t klen, const void *val, size_t vlen)
{
	rocksdb_writebatch_put_cf(b->wb, b->s->cf[cf], key, klen, val, vlen);
}

void
jitsim_store_batch_del(struct jitsim_store_batch *b, enum jitsim_store_cf cf, const void *key,
		       size_t klen)
{
	rocksdb_writebatch_delete_cf(b->wb, b->s->cf[cf], key, klen);
}

int
jitsim_store_batch_put_sim(struct jitsim_store_batch *b, const struct jitsim_rec *r)
{
	uint8_t key[8], val[JITSIM_REC_MAX], dp[JITSIM_REC_DP_LEN];
	int n;

	if (r->imsi == 0)
		return -EINVAL;
	n = jitsim_rec_encode(r, val, sizeof(val));
	if (n < 0)
		return n;
	jitsim_rec_key(r->imsi, key);
	jitsim_rec_dp_encode(r, dp);
	jitsim_store_batch_put(b, JITSIM_CF_SIM, key, sizeof(key), val, (size_t)n);
	jitsim_store_batch_put(b, JITSIM_CF_DP, key, sizeof(key), dp, sizeof(dp));
	return 0;
}

void
jitsim_store_batch_del_sim(struct jitsim_store_batch *b, uint64_t imsi)
{
	uint8_t key[8];

	jitsim_rec_key(imsi, key);
	jitsim_store_batch_del(b, JITSIM_CF_SIM, key, sizeof(key));
	jitsim_store_batch_del(b, JITSIM_CF_DP, key, sizeof(key));
}

void
jitsim_store_batch_put_msisdn(struct jitsim_store_batch *b, uint64_t msisdn, uint64_t imsi)
{
	uint8_t key[8], val[8];

	jitsim_rec_key(msisdn, key);
	jitsim_rec_key(imsi, val);
	jitsim_store_batch_put(b, JITSIM_CF_MSISDN, key, sizeof(key), val, sizeof(val));
}

void
jitsim_store_batch_del_msisdn(struct jitsim_store_batch *b, uint64_t msisdn)
{
	uint8_t key[8];

	jitsim_rec_key(msisdn, key);
	jitsim_store_batch_del(b, JITSIM_CF_MSISDN, key, sizeof(key));
}

void
jitsim_store_batch_put_iccid(struct jitsim_store_batch *b, const char *iccid, uint64_t imsi)
{
	uint8_t val[8];

	jitsim_rec_key(imsi, val);
	jitsim_store_batch_put(b, JITSIM_CF_ICCID, iccid, strlen(iccid), val, sizeof(val));
}

/* Append @s as a JSON string body (RFC 8259 7), bounded by @end. */
static size_t
json_str(char *p, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			p[n++] = '\\';
			p[n++] = (char)c;
		} else if (c < 0x20) {
			n += (size_t)snprintf(p + n, cap - n, "\\u%04x", c);
		} else {
			p[n++] = (char)c;
		}
	}
	p[n] = '\0';
	return n;
}

void
jitsim_store_batch_audit(struct jitsim_store_batch *b, const char *who, const char *what,
			 const char *json_fields)
{
	char line[1024], w1[256], w2[256];
	struct timespec ts;
	struct tm tm;
	uint8_t key[12];
	uint64_t ns;
	uint32_t seq;
	int n;

	clock_gettime(CLOCK_REALTIME, &ts);
	ns = (uint64_t)ts.tv_sec * 1000000000u + (uint64_t)ts.tv_nsec;
	/* The sequence keeps keys unique when two lines share a nanosecond. */
	seq = (uint32_t)atomic_fetch_add(&b->s->audit_seq, 1);
	jitsim_rec_key(ns, key);
	key[8] = (uint8_t)(seq >> 24);
	key[9] = (uint8_t)(seq >> 16);
	key[10] = (uint8_t)(seq >> 8);
	key[11] = (uint8_t)seq;
	gmtime_r(&ts.tv_sec, &tm);
	json_str(w1, sizeof(w1), who ? who : "");
	json_str(w2, sizeof(w2), what ? what : "");
	n = snprintf(line, sizeof(line),
		     "{\"ts\":\"%04d-%02d-%02dT%02d:%02d:%02d.%06ldZ\",\"who\":\"%s\","
		     "\"what\":\"%s\"%s%s}",
		     tm.tm_year + 1900, tm.tm_mon + 1, tm.tm_mday, tm.tm_hour, tm.tm_min, tm.tm_sec,
		     ts.tv_nsec / 1000, w1, w2, json_fields ? "," : "",
		     json_fields ? json_fields : "");
	if (n < 0)
		return;
	if ((size_t)n >= sizeof(line))
		n = (int)sizeof(line) - 1;
	jitsim_store_batch_put(b, JITSIM_CF_AUDIT, key, sizeof(key), line, (size_t)n);
}

int
jitsim_store_commit(struct jitsim_store_batch *b, char *err, size_t errlen)
{
	char *rerr = NULL;

	if (b->s->secondary) {
		snprintf(err, errlen, "store %s: opened as a read-only secondary", b->s->path);
		return -EROFS;
	}
	rocksdb_write(b->s->db, b->s->wsync, b->wb, &rerr);
	return rerr ? rdb_err(rerr, err, errlen, "write", b->s->path) : 0;
}

struct jitsim_store_iter *
jitsim_store_iter_new(struct jitsim_store *s, enum jitsim_store_cf cf)
{
	return jitsim_store_iter_new_range(s, cf, NULL, 0, NULL, 0);
}

struct jitsim_store_iter *
jitsim_store_iter_new_range(struct jitsim_store *s, enum jitsim_store_cf cf, const void *lo,
			    size_t lolen, const void *hi, size_t hilen)
{
	struct jitsim_store_iter *it = calloc(1, sizeof(*it));

	if (it == NULL)
		return NULL;
	if ((lo && (it->lo = malloc(lolen ? lolen : 1)) == NULL) ||
	    (hi && (it->hi = malloc(hilen ? hilen : 1)) == NULL)) {
		free(it->lo);
		free(it);
		return NULL;
	}
	/* Iterators walk whole column families (loads, checks, imports):
	 * read ahead, and keep the block cache for point reads. */
	it->ro = rocksdb_readoptions_create();
	rocksdb_readoptions_set_fill_cache(it->ro, 0);
	rocksdb_readoptions_set_readahead_size(it->ro, 4 << 20);
	if (lo) {
		memcpy(it->lo, lo, lolen);
		it->lolen = lolen;
		rocksdb_readoptions_set_iterate_lower_bound(it->ro, it->lo, lolen);
	}
	if (hi) {
		memcpy(it->hi, hi, hilen);
		rocksdb_readoptions_set_iterate_upper_bound(it->ro, it->hi, hilen);
	}
	it->it = rocksdb_create_iterator_cf(s->db, it->ro, s->cf[cf]);
	return it;
}

void
jitsim_store_thread_counters_off(void)
{
	rocksdb_set_perf_level(rocksdb_disable);
}

int
jitsim_store_iter_next(struct jitsim_store_iter *it, const uint8_t **key, size_t *klen,
		       const uint8_t **val, size_t *vlen)
{
	char *rerr = NULL;

	if (!it->started) {
		if (it->lo)
			rocksdb_iter_seek(it->it, it->lo, it->lolen);
		else
			rocksdb_iter_seek_to_first(it->it);
		it->started = true;
	} else {
		rocksdb_iter_next(it->it);
	}
	if (!rocksdb_iter_valid(it->it)) {
		rocksdb_iter_get_error(it->it, &rerr);
		if (rerr) {
			free(rerr);
			return -EIO;
		}
		return 0;
	}
	*key = (const uint8_t *)rocksdb_iter_key(it->it, klen);
	*val = (const uint8_t *)rocksdb_iter_value(it->it, vlen);
	return 1;
}

void
jitsim_store_iter_free(struct jitsim_store_iter *it)
{
	if (it == NULL)
		return;
	rocksdb_iter_destroy(it->it);
	rocksdb_readoptions_destroy(it->ro);
	free(it->lo);
	free(it->hi);
	free(it);
}

int
jitsim_store_count(struct jitsim_store *s, enum jitsim_store_cf cf, uint64_t *n)
{
	struct jitsim_store_iter *it = jitsim_store_iter_new(s, cf);
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	if (it == NULL)
		return -ENOMEM;
	*n = 0;
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1)
		(*n)++;
	jitsim_store_iter_free(it);
	return rc;
}

struct jitsim_store_sst *
jitsim_store_sst_new(struct jitsim_store *s, enum jitsim_store_cf cf, char *err, size_t errlen)
{
	static atomic_uint seq;
	struct jitsim_store_sst *w;
	char *rerr = NULL;
	size_t n;

	w = calloc(1, sizeof(*w));
	if (w == NULL)
		return NULL;
	w->s = s;
	w->cf = cf;
	/* Beside the store, so that ingest can hard-link it (same file
	 * system) rather than copy gigabytes. */
	n = strlen(s->path) + 64;
	w->file = malloc(n);
	if (w->file == NULL) {
		free(w);
		return NULL;
	}
	snprintf(w->file, n, "%s/ingest-%d-%u-%s.sst", s->path, (int)getpid(),
		 atomic_fetch_add(&seq, 1), cf_names[cf]);
	w->env = rocksdb_envoptions_create();
	w->w = rocksdb_sstfilewriter_create(w->env, cf == JITSIM_CF_DP ? s->opts_dp : s->opts);
	rocksdb_sstfilewriter_open(w->w, w->file, &rerr);
	if (rerr) {
		rdb_err(rerr, err, errlen, "open SST file", s->path);
		jitsim_store_sst_free(w);
		return NULL;
	}
	return w;
}

int
jitsim_store_sst_add(struct jitsim_store_sst *w, const void *key, size_t klen, const void *val,
		     size_t vlen)
{
	char *rerr = NULL;

	rocksdb_sstfilewriter_put(w->w, key, klen, val, vlen, &rerr);
	if (rerr) {
		/* The only error for a valid writer is the ordering rule. */
		bool order = strstr(rerr, "order") != NULL;

		free(rerr);
		return order ? -EINVAL : -EIO;
	}
	w->count++;
	return 0;
}

uint64_t
jitsim_store_sst_count(const struct jitsim_store_sst *w)
{
	return w->count;
}

void
jitsim_store_sst_free(struct jitsim_store_sst *w)
{
	if (w == NULL)
		return;
	if (w->w)
		rocksdb_sstfilewriter_destroy(w->w);
	if (w->env)
		rocksdb_envoptions_destroy(w->env);
	if (w->file)
		unlink(w->file);
	free(w->file);
	free(w);
}

int
jitsim_store_sst_finish(struct jitsim_store_sst *w, char *err, size_t errlen)
{
	char *rerr = NULL;

	if (w->finished || w->count == 0)
		return 0;
	rocksdb_sstfilewriter_finish(w->w, &rerr);
	if (rerr)
		return rdb_err(rerr, err, errlen, "finish SST file", w->s->path);
	w->finished = true;
	return 0;
}

int
jitsim_store_sst_ingest(struct jitsim_store *s, struct jitsim_store_sst *w, char *err,
			size_t errlen)
{
	rocksdb_ingestexternalfileoptions_t *io;
	const char *files[1] = {w->file};
	char *rerr = NULL;
	int rc = 0;

	if (w->count == 0) {
		jitsim_store_sst_free(w);
		return 0;
	}
	rc = jitsim_store_sst_finish(w, err, errlen);
	if (rc != 0)
		goto out;
	io = rocksdb_ingestexternalfileoptions_create();
	rocksdb_ingestexternalfileoptions_set_move_files(io, 1);
	rocksdb_ingest_external_file_cf(s->db, s->cf[w->cf], files, 1, io, &rerr);
	rocksdb_ingestexternalfileoptions_destroy(io);
	if (rerr)
		rc = rdb_err(rerr, err, errlen, "ingest SST file", s->path);
out:
	jitsim_store_sst_free(w);
	return rc;
}

uint64_t
jitsim_store_estimate(struct jitsim_store *s, enum jitsim_store_cf cf)
{
	uint64_t n = 0;

	if (rocksdb_property_int_cf(s->db, s->cf[cf], "rocksdb.estimate-num-keys", &n) != 0)
		return 0;
	return n;
}

int
jitsim_store_bulk_mode(struct jitsim_store *s, enum jitsim_store_cf cf, bool on, char *err,
		       size_t errlen)
{
	const char *keys[1] = {"disable_auto_compactions"};
	const char *vals[1] = {on ? "true" : "false"};
	char *rerr = NULL;

	if (s->secondary)
		return 0;
	rocksdb_set_options_cf(s->db, s->cf[cf], 1, keys, vals, &rerr);
	return rerr ? rdb_err(rerr, err, errlen, "set bulk mode", s->path) : 0;
}

int
jitsim_store_key_span(struct jitsim_store *s, enum jitsim_store_cf cf, uint8_t first[8],
		      uint8_t last[8])
{
	rocksdb_iterator_t *it = rocksdb_create_iterator_cf(s->db, s->ropts, s->cf[cf]);
	const char *k;
	size_t kl = 0;
	int rc = -ENOENT;

	rocksdb_iter_seek_to_first(it);
	if (!rocksdb_iter_valid(it))
		goto out;
	k = rocksdb_iter_key(it, &kl);
	rc = -EINVAL;
	if (kl != 8)
		goto out;
	memcpy(first, k, 8);
	rocksdb_iter_seek_to_last(it);
	if (!rocksdb_iter_valid(it))
		goto out;
	k = rocksdb_iter_key(it, &kl);
	if (kl != 8)
		goto out;
	memcpy(last, k, 8);
	rc = 0;
out:
	rocksdb_iter_destroy(it);
	return rc;
}
