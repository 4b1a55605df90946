/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Number pool benchmarks (make bench), each next to a baseline measured
 * in the same run:
 *   alloc   standard allocations/s from a 100M-number pool: jitsim_pool_alloc()
 *           with its batch put (MSISDN -> IMSI), the batch handed to
 *           jitsim_pool_commit_done() and cleared every 1024 allocations
 *           without a RocksDB commit (that cost is bench_store's) |
 *           a bare bitmap first-zero scan + set over a bitmap of the same
 *           size | the class check alone (jitsim_pool_class_of)
 *   memory  bytes the module holds for the 100M pool, and the RSS growth
 *   search  one pattern over the 10M free numbers of a second pool (all
 *           matches), and the same with a limit of 20
 *
 *   bench_pool [N_ALLOCS]      (default 2000000)
 */

#include <errno.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jitsim/proto/digits.h>

#include "pool.h"
#include "rmtree.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kb(void)
{
	long pages = 0, rss = 0;
	FILE *f = fopen("/proc/self/statm", "r");

	if (f == NULL)
		return -1;
	if (fscanf(f, "%ld %ld", &pages, &rss) != 2)
		rss = -1;
	fclose(f);
	return rss < 0 ? -1 : rss * (sysconf(_SC_PAGESIZE) / 1024);
}

static void
die(const char *what, int rc, const char *err)
{
	fprintf(stderr, "bench_pool: %s: %d %s\n", what, rc, err);
	exit(1);
}

/* The baseline: what the allocator does minus classes, journal and batch. */
static uint64_t
bare_scan(uint64_t *bits, uint64_t size, uint64_t *cursor)
{
	uint64_t pos = *cursor;

	while (pos < size) {
		size_t w = (size_t)(pos >> 6);
		uint64_t word = bits[w] | ((1ull << (pos & 63)) - 1);

		if (word != ~0ull) {
			uint64_t off = ((uint64_t)w << 6) + (uint64_t)__builtin_ctzll(~word);

			bits[w] |= 1ull << (off & 63);
			*cursor = off + 1;
			return off;
		}
		pos = ((uint64_t)w + 1) << 6;
	}
	return UINT64_MAX;
}

int
main(int argc, char **argv)
{
	uint64_t nalloc = argc > 1 ? strtoull(argv[1], NULL, 10) : 2000000, m, sink = 0;
	char dir[] = "/tmp/jitsim-bench-pool.XXXXXX", db[96], kek[96], err[256];
	struct jitsim_store_opts o = {.path = db, .kek_path = kek, .create = true};
	struct jitsim_pool_def d = {0}, d2;
	struct jitsim_pool_stats st;
	struct jitsim_pool_set *set;
	struct jitsim_store_batch *b;
	struct jitsim_store *s;
	const uint64_t big = 100000000, mid = 10000000;
	double t0, t_alloc, t_bare, t_class;
	uint64_t *out, cursor = 0, *bits;
	long rss0, rss1;
	size_t mem0, n;
	int rc;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp", -errno, dir);
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(kek, sizeof(kek), "%s/kek", dir);
	if ((rc = jitsim_kek_create(kek, err, sizeof(err))) != 0)
		die("kek", rc, err);
	if ((rc = jitsim_store_open(&o, &s, err, sizeof(err))) != 0)
		die("store", rc, err);
	if ((rc = jitsim_pool_set_open(s, &set, err, sizeof(err))) != 0)
		die("pool set", rc, err);
	b = jitsim_store_batch_new(s);

	/* memory: a 100M-number pool, default class rules. */
	rss0 = rss_kb();
	mem0 = jitsim_pool_mem_bytes(set);
	d.id = 1;
	snprintf(d.name, sizeof(d.name), "big");
	d.tenant = 1;
	d.region = 1;
	d.nranges = 1;
	d.ranges[0].first = jitsim_digits_key_str("4917100000000");
	d.ranges[0].last = d.ranges[0].first + big - 1;
	if ((rc = jitsim_pool_add(set, &d, b, err, sizeof(err))) != 0)
		die("add", rc, err);
	d2 = d;
	d2.id = 2;
	snprintf(d2.name, sizeof(d2.name), "mid");
	d2.region = 2;
	d2.ranges[0].first = jitsim_digits_key_str("4916000000000");
	d2.ranges[0].last = d2.ranges[0].first + mid - 1;
	if ((rc = jitsim_pool_add(set, &d2, b, err, sizeof(err))) != 0)
		die("add", rc, err);
	if ((rc = jitsim_store_commit(b, err, sizeof(err))) != 0)
		die("commit", rc, err);
	jitsim_pool_commit_done(set, b);
	jitsim_store_batch_clear(b);

	/* alloc */
	t0 = now_s();
	for (uint64_t i = 0; i < nalloc; i++) {
		rc = jitsim_pool_alloc(set, 1, 1, JITSIM_POOL_STANDARD, 1000 + i, 1, &m, b, err,
				       sizeof(err));
		if (rc != 0)
			die("alloc", rc, err);
		sink += m;
		if ((i & 1023) == 1023) {
			jitsim_pool_commit_done(set, b);
			jitsim_store_batch_clear(b);
		}
	}
	t_alloc = now_s() - t0;
	jitsim_pool_commit_done(set, b);
	jitsim_store_batch_clear(b);
	(void)jitsim_pool_stats(set, 1, false, &st);

	bits = calloc((size_t)(big / 64 + 1), sizeof(*bits));
	if (bits == NULL)
		die("calloc", -ENOMEM, "bitmap");
	t0 = now_s();
	for (uint64_t i = 0; i < nalloc; i++)
		sink += bare_scan(bits, big, &cursor);
	t_bare = now_s() - t0;
	free(bits);

	t0 = now_s();
	for (uint64_t i = 0; i < nalloc; i++) {
		enum jitsim_pool_class c;

		(void)jitsim_pool_class_of(set, d.ranges[0].first + i, &c, NULL);
		sink += c;
	}
	t_class = now_s() - t0;

	printf("alloc   %llu standard allocations (100M pool): %.0f/s (%.0f ns each)\n",
	       (unsigned long long)nalloc, nalloc / t_alloc, 1e9 * t_alloc / nalloc);
	printf("        baseline bare bitmap scan+set:    %.0f/s (%.1f ns each)\n", nalloc / t_bare,
	       1e9 * t_bare / nalloc);
	printf("        class check alone (hyperscan):    %.0f/s (%.0f ns each)\n",
	       nalloc / t_class, 1e9 * t_class / nalloc);
	printf("        taken after: %llu\n", (unsigned long long)st.taken);

	rss1 = rss_kb();
	printf("memory  pools of 100M + 10M numbers: %.2f MB held by the module "
	       "(%.3f bits/number); RSS growth %.2f MB (only touched bitmap pages count)\n",
	       (double)(jitsim_pool_mem_bytes(set) - mem0) / 1e6,
	       8.0 * (double)(jitsim_pool_mem_bytes(set) - mem0) / (double)(big + mid),
	       (double)(rss1 - rss0) / 1024);

	/* search */
	out = calloc(mid, sizeof(*out));
	t0 = now_s();
	rc = jitsim_pool_search(set, 2, "1234$", mid, out, &n, err, sizeof(err));
	if (rc != 0)
		die("search", rc, err);
	t0 = now_s() - t0;
	printf("search  '1234$' over the 10M free numbers of pool mid: %zu found in %.3f s "
	       "(%.0f ns/number)\n",
	       n, t0, 1e9 * t0 / (double)mid);
	t0 = now_s();
	rc = jitsim_pool_search(set, 2, "(0{5}|1{5}|7{5})", mid, out, &n, err, sizeof(err));
	if (rc != 0)
		die("search", rc, err);
	printf("search  '(0{5}|1{5}|7{5})' over 10M: %zu found in %.3f s\n", n, now_s() - t0);
	t0 = now_s();
	rc = jitsim_pool_search(set, JITSIM_POOL_ALL, "777$", 20, out, &n, err, sizeof(err));
	if (rc != 0)
		die("search", rc, err);
	printf("search  '777$' limit 20, all pools: %zu found in %.6f s\n", n, now_s() - t0);
	free(out);

	jitsim_pool_set_close(set);
	jitsim_store_batch_free(b);
	jitsim_store_close(s);
	jitsim_test_rmtree(dir);
	return sink == 42 ? 2 : 0; /* keeps the loops */
}
