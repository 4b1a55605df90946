/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Store benchmarks (make bench), each next to a baseline measured in the
 * same run:
 *   commit  durable SIM state changes/s through jitsim_store_commit() by
 *           1..T threads (group commit) | raw rocksdb_write(sync) of one
 *           put per batch, one thread
 *   sst N   baseline for imports: N keys of a record's size written with
 *           RocksDB's SstFileWriter and ingested
 *   load DB dataplane bulk load (jitsim_load_tables) of store DB | a bare
 *           scan of the `dp` column family it reads, as a secondary
 *           (and, for scale, of `sim`); wall and CPU time (the VM is
 *           shared); memory per SIM (table bytes and RSS growth)
 */

#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdatomic.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rocksdb/c.h>
#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "load.h"
#include "rmtree.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_PROCESS_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static long
rss_kb(void)
{
	char line[256];
	long kb = -1;
	FILE *f = fopen("/proc/self/status", "r");

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f))
		if (sscanf(line, "VmRSS: %ld kB", &kb) == 1)
			break;
	fclose(f);
	return kb;
}

static void
die(const char *what, const char *err)
{
	fprintf(stderr, "bench_store: %s: %s\n", what, err);
	exit(1);
}

/* ---- commit ---- */

struct committer {
	struct jitsim_store *s;
	uint64_t base;
	double until;
	uint64_t done;
};

/* One activation's commit: SIM record ACTIVE with its MSISDN, the MSISDN
 * index and an audit line, as jitsim-cp writes it. */
static void *
committer_main(void *arg)
{
	struct committer *c = arg;
	struct jitsim_store_batch *b = jitsim_store_batch_new(c->s);
	char err[256];

	while (now_s() < c->until) {
		struct jitsim_rec r = {
			.imsi = jitsim_digits_key_str("001010000000000") + c->base + c->done,
			.state = JITSIM_SIM_ACTIVE,
			.msisdn = jitsim_digits_key_str("491500000000") + c->base + c->done,
		};

		snprintf(r.iccid, sizeof(r.iccid), "89440%015" PRIu64, c->base + c->done);
		r.secret_mask = 0;
		jitsim_store_batch_clear(b);
		jitsim_store_batch_put_sim(b, &r);
		jitsim_store_batch_put_msisdn(b, r.msisdn, r.imsi);
		jitsim_store_batch_audit(b, "bench", "sim.activate", NULL);
		if (jitsim_store_commit(b, err, sizeof(err)) != 0)
			die("commit", err);
		c->done++;
	}
	jitsim_store_batch_free(b);
	return NULL;
}

static double
raw_sync_writes(const char *dir, double secs)
{
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_writeoptions_t *w = rocksdb_writeoptions_create();
	char path[512], *rerr = NULL, val[160] = {0};
	uint64_t n = 0;
	double t0, until;
	rocksdb_t *db;

	snprintf(path, sizeof(path), "%s/raw", dir);
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_writeoptions_set_sync(w, 1);
	db = rocksdb_open(o, path, &rerr);
	if (rerr)
		die("raw open", rerr);
	t0 = now_s();
	until = t0 + secs;
	while (now_s() < until) {
		rocksdb_writebatch_t *b = rocksdb_writebatch_create();
		uint64_t k = __builtin_bswap64(n);

		rocksdb_writebatch_put(b, (const char *)&k, sizeof(k), val, sizeof(val));
		rocksdb_write(db, w, b, &rerr);
		rocksdb_writebatch_destroy(b);
		if (rerr)
			die("raw write", rerr);
		n++;
	}
	t0 = (double)n / (now_s() - t0);
	rocksdb_close(db);
	rocksdb_writeoptions_destroy(w);
	rocksdb_options_destroy(o);
	return t0;
}

static int
bench_commit(double secs)
{
	char dir[] = "/tmp/jitsim-bench-store.XXXXXX", db[256], kek[256], err[512];
	static const int threads[] = {1, 4, 16, 64};
	double raw;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(kek, sizeof(kek), "%s/kek", dir);
	if (jitsim_kek_create(kek, err, sizeof(err)) != 0)
		die("kek", err);
	raw = raw_sync_writes(dir, secs);
	printf("commit: raw rocksdb_write(sync=true), 1 put/batch, 1 thread: %.0f writes/s "
	       "(baseline)\n",
	       raw);
	for (size_t t = 0; t < sizeof(threads) / sizeof(threads[0]); t++) {
		struct jitsim_store_opts o = {.path = db, .kek_path = kek, .create = true};
		struct committer c[64];
		pthread_t tid[64];
		struct jitsim_store *s;
		uint64_t total = 0;
		double t0;

		if (jitsim_store_open(&o, &s, err, sizeof(err)) != 0)
			die("open", err);
		t0 = now_s();
		for (int i = 0; i < threads[t]; i++) {
			c[i] = (struct committer){.s = s,
						  .base = (uint64_t)t * 100000000 +
							  (uint64_t)i * 1000000,
						  .until = t0 + secs};
			pthread_create(&tid[i], NULL, committer_main, &c[i]);
		}
		for (int i = 0; i < threads[t]; i++) {
			pthread_join(tid[i], NULL);
			total += c[i].done;
		}
		t0 = now_s() - t0;
		printf("commit: jitsim_store_commit, %2d threads: %8.0f state changes/s "
		       "(%.2fx baseline)\n",
		       threads[t], (double)total / t0, (double)total / t0 / raw);
		jitsim_store_close(s);
	}
	jitsim_test_rmtree(dir);
	return 0;
}

/* ---- sst baseline ---- */

static int
bench_sst(uint64_t n)
{
	char dir[] = "/tmp/jitsim-bench-sst.XXXXXX", path[512], file[600], *rerr = NULL;
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_envoptions_t *env = rocksdb_envoptions_create();
	rocksdb_sstfilewriter_t *w;
	rocksdb_ingestexternalfileoptions_t *io;
	const char *files[1] = {file};
	uint8_t val[150];
	double t0;
	rocksdb_t *db;

	if (mkdtemp(dir) == NULL)
		die("mkdtemp", strerror(errno));
	snprintf(path, sizeof(path), "%s/db", dir);
	snprintf(file, sizeof(file), "%s/db/in.sst", dir);
	rocksdb_options_set_create_if_missing(o, 1);
	db = rocksdb_open(o, path, &rerr);
	if (rerr)
		die("open", rerr);
	memset(val, 0xa5, sizeof(val));
	t0 = now_s();
	w = rocksdb_sstfilewriter_create(env, o);
	rocksdb_sstfilewriter_open(w, file, &rerr);
	for (uint64_t i = 0; i < n && !rerr; i++) {
		uint64_t k = __builtin_bswap64(jitsim_digits_key_str("001010000000000") + i);

		memcpy(val, &i, sizeof(i));
		rocksdb_sstfilewriter_put(w, (const char *)&k, sizeof(k), (const char *)val,
					  sizeof(val), &rerr);
	}
	if (!rerr)
		rocksdb_sstfilewriter_finish(w, &rerr);
	if (rerr)
		die("sst", rerr);
	io = rocksdb_ingestexternalfileoptions_create();
	rocksdb_ingestexternalfileoptions_set_move_files(io, 1);
	rocksdb_ingest_external_file(db, files, 1, io, &rerr);
	if (rerr)
		die("ingest", rerr);
	t0 = now_s() - t0;
	printf("sst: SstFileWriter + ingest of %" PRIu64 " keys x %zu B: %.2f s (%.2f M keys/s) "
	       "(baseline for the import)\n",
	       n, sizeof(val), t0, (double)n / t0 / 1e6);
	rocksdb_ingestexternalfileoptions_destroy(io);
	rocksdb_sstfilewriter_destroy(w);
	rocksdb_envoptions_destroy(env);
	rocksdb_close(db);
	rocksdb_options_destroy(o);
	jitsim_test_rmtree(dir);
	return 0;
}

/* ---- load ---- */

/* Bare scan of one column family of a secondary: wall and CPU seconds. */
static uint64_t
scan_cf(const char *db, enum jitsim_store_cf cf, double *wall, double *cpu)
{
	struct jitsim_store_opts so = {.path = db, .secondary = true};
	struct jitsim_store_iter *it;
	struct jitsim_store *s;
	const uint8_t *k, *v;
	double t0 = now_s(), c0 = cpu_s();
	uint64_t n = 0;
	char err[512];
	size_t kl, vl;

	if (jitsim_store_open(&so, &s, err, sizeof(err)) != 0)
		die("open", err);
	/* As the load's scanners do: the baseline is RocksDB at its best. */
	jitsim_store_thread_counters_off();
	it = jitsim_store_iter_new(s, cf);
	while (jitsim_store_iter_next(it, &k, &kl, &v, &vl) == 1)
		n++;
	jitsim_store_iter_free(it);
	jitsim_store_close(s);
	*wall = now_s() - t0;
	*cpu = cpu_s() - c0;
	return n;
}

static int
bench_load(const char *db)
{
	struct jitsim_table_imsi *ti = NULL;
	struct jitsim_table_msisdn *tm = NULL;
	struct jitsim_table_stats si, sm;
	struct jitsim_load_stats st;
	double wall, cpu, c0;
	uint64_t n;
	char err[512];
	long rss0, rss1;

	n = scan_cf(db, JITSIM_CF_SIM, &wall, &cpu);
	printf("load: bare secondary scan of 'sim' (whole records): %" PRIu64
	       " entries, %.2f s wall, %.2f s CPU\n",
	       n, wall, cpu);
	n = scan_cf(db, JITSIM_CF_DP, &wall, &cpu);
	printf("load: bare secondary scan of 'dp' (what the load reads): %" PRIu64
	       " entries, %.2f s wall, %.2f s CPU (baseline)\n",
	       n, wall, cpu);

	urcu_qsbr_register_thread();
	rss0 = rss_kb();
	c0 = cpu_s();
	if (jitsim_load_tables(db, &ti, &tm, &st, NULL, NULL, err, sizeof(err)) != 0)
		die("load", err);
	c0 = cpu_s() - c0;
	rss1 = rss_kb();
	jitsim_table_imsi_stats(ti, &si);
	jitsim_table_msisdn_stats(tm, &sm);
	printf("load: jitsim_load_tables: %" PRIu64 " SIMs, %" PRIu64 " MSISDNs, %.2f s wall "
	       "(%.2fx baseline), %.2f s CPU (%.2fx baseline)\n",
	       st.sims, st.msisdns, st.seconds, st.seconds / wall, c0, c0 / cpu);
	if (st.sims)
		printf("load: table memory %.1f B/SIM (IMSI %.1f + MSISDN %.1f), RSS growth %.1f "
		       "B/SIM, %.0f MiB in all\n",
		       (double)(si.bytes + sm.bytes) / (double)st.sims,
		       (double)si.bytes / (double)st.sims, (double)sm.bytes / (double)st.sims,
		       (double)(rss1 - rss0) * 1024 / (double)st.sims,
		       (double)(si.bytes + sm.bytes) / 1048576.0);
	jitsim_table_imsi_free(ti);
	jitsim_table_msisdn_free(tm);
	urcu_qsbr_unregister_thread();
	return 0;
}

int
main(int argc, char **argv)
{
	if (argc >= 2 && strcmp(argv[1], "commit") == 0)
		return bench_commit(argc >= 3 ? atof(argv[2]) : 3.0);
	if (argc >= 3 && strcmp(argv[1], "sst") == 0)
		return bench_sst(strtoull(argv[2], NULL, 10));
	if (argc >= 3 && strcmp(argv[1], "load") == 0)
		return bench_load(argv[2]);
	fprintf(stderr, "usage: bench_store commit [SECONDS] | sst N | load STORE_DIR\n");
	return 2;
}
