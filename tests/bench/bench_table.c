/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * bench_table: the dataplane subscriber tables against the two hash
 * tables they could have been, on one core, in one run:
 *   (a) jitsim_table_imsi_lookup_bulk, bursts of 32
 *   (b) jitsim_table_imsi_lookup, one key at a time
 *   (c) rte_hash_lookup_bulk, bursts of 32 (rte_hash_crc, 8-byte keys,
 *       sized to N): the reference, every ratio is to it
 *   (d) cds_lfht_lookup (liburcu, one node per key, same hash as ours)
 *   (e) jitsim_table_msisdn_lookup_bulk, bursts of 32
 * for a stream of random hits and a 50/50 stream of hits and misses; plus
 * build time, bytes per SIM from the stats and from RSS (VmRSS before and
 * after building our two tables, before anything else is built).
 *
 *   bench_table [-n KEYS] [-t SECONDS] [-4] [-H]   (defaults 10000000, 2)
 *
 * Pages: our tables ask for transparent huge pages; with the default EAL
 * arguments (--no-huge) rte_hash lives in EAL memory that gets none where
 * shmem THP is off, so it pays a TLB miss per access that our tables do
 * not. -4 disables THP for the whole process (prctl), putting both on
 * 4 KiB pages; -H drops --no-huge so that rte_hash uses the hugepages
 * reserved on the machine. The bench prints what each table got. EAL runs
 * under a file prefix of its own, whose runtime directory is removed at
 * the end.
 *
 * Run pinned (taskset -c 1). Rates use the thread's CPU time, not wall
 * time, so that time stolen by other guests or tasks on this shared
 * machine does not count; methods are interleaved, best of ROUNDS runs.
 */

#include <dirent.h>
#include <errno.h>
#include <getopt.h>
#include <limits.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/prctl.h>
#include <time.h>
#include <unistd.h>

#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_hash.h>
#include <rte_hash_crc.h>
#include <rte_memory.h>

#include <urcu/urcu-qsbr.h>
#include <urcu/rculfhash.h>

#include "table.h"
#include "table_priv.h"

/* EAL's runtime directory (/var/run/dpdk/PREFIX when root): removed at exit. */
static char runtime_dir[PATH_MAX];

/* Remove @p dir and the files EAL left in it (its config, its sockets). */
static void
runtime_dir_remove(const char *dir)
{
	char path[PATH_MAX + 256];
	struct dirent *d;
	DIR *h;

	if (dir[0] == '\0' || (h = opendir(dir)) == NULL)
		return;
	while ((d = readdir(h)) != NULL) {
		if (strcmp(d->d_name, ".") == 0 || strcmp(d->d_name, "..") == 0)
			continue;
		snprintf(path, sizeof(path), "%s/%s", dir, d->d_name);
		if (unlink(path) != 0)
			fprintf(stderr, "bench_table: %s: %s\n", path, strerror(errno));
	}
	closedir(h);
	if (rmdir(dir) != 0)
		fprintf(stderr, "bench_table: %s: %s\n", dir, strerror(errno));
}

#define BURST 32
#define ROUNDS 5
#define QUERIES (1u << 22) /* 4 M keys per stream, 32 MB: far above cache */

static uint64_t
rnd(uint64_t *s)
{
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

static double
cpu_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_THREAD_CPUTIME_ID, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec * 1e-9;
}

/* The value of the "@name: N kB" line of a /proc file, -1 if absent. */
static long
proc_kib(const char *path, const char *name)
{
	FILE *f = fopen(path, "r");
	char line[256];
	size_t len = strlen(name);
	long kib = -1;

	if (f == NULL)
		return -1;
	while (fgets(line, sizeof(line), f) != NULL)
		if (strncmp(line, name, len) == 0 && line[len] == ':') {
			kib = strtol(line + len + 1, NULL, 10);
			break;
		}
	fclose(f);
	return kib;
}

static long
rss_kib(void)
{
	return proc_kib("/proc/self/status", "VmRSS");
}

/* Distinct 15-digit IMSIs of MCC 208 MNC 01: the 10-digit MSIN is an
 * affine bijection of i modulo 10^10 (multiplier prime to 10), so keys
 * are distinct and scattered over the MSIN range from a random start;
 * hits are i < n, misses n <= i < 2n. */
static uint64_t
imsi_of(uint64_t i, uint64_t start)
{
	const uint64_t m = 10000000000ULL;

	return 15ULL << 56 | (208010000000000ULL + (start + i * 7777777ULL) % m);
}

/* Distinct 11-digit MSISDNs +33 6xx xx xx xx (8 free digits). */
static uint64_t
msisdn_of(uint64_t i)
{
	return 11ULL << 56 | (33600000000ULL + (i * 7ULL) % 100000000ULL);
}

struct lfht_node {
	struct cds_lfht_node node;
	uint64_t key;
	uint64_t value;
};

static int
lfht_match(struct cds_lfht_node *node, const void *key)
{
	const struct lfht_node *n = caa_container_of(node, struct lfht_node, node);

	return n->key == *(const uint64_t *)key;
}

/* Lookups of the stream @q (QUERIES keys, cycled) for about @secs
 * seconds; returns lookups/s, *hits gets the hits of the last full pass
 * over the stream (checked against the expected count). */
enum method { M_BULK, M_SINGLE, M_RTE, M_LFHT, M_MSISDN };

struct ctx {
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	struct rte_hash *rte;
	struct cds_lfht *lfht;
	uint64_t seed; /* hash seed for cds_lfht */
};

static uint64_t
run_pass(const struct ctx *c, enum method m, const uint64_t *q)
{
	struct jitsim_table_sim out[BURST];
	bool hit[BURST];
	uint64_t hits = 0;

	switch (m) {
	case M_BULK:
		for (unsigned int i = 0; i < QUERIES; i += BURST)
			hits += jitsim_table_imsi_lookup_bulk(c->imsi, q + i, BURST, out, hit);
		break;
	case M_SINGLE:
		for (unsigned int i = 0; i < QUERIES; i++)
			hits += jitsim_table_imsi_lookup(c->imsi, q[i], &out[0]);
		break;
	case M_RTE:
		for (unsigned int i = 0; i < QUERIES; i += BURST) {
			const void *keys[BURST];
			int32_t pos[BURST];

			for (unsigned int k = 0; k < BURST; k++)
				keys[k] = &q[i + k];
			rte_hash_lookup_bulk(c->rte, keys, BURST, pos);
			for (unsigned int k = 0; k < BURST; k++)
				hits += pos[k] >= 0;
		}
		break;
	case M_LFHT:
		for (unsigned int i = 0; i < QUERIES; i++) {
			struct cds_lfht_iter it;

			cds_lfht_lookup(c->lfht, jt_hash(c->seed, q[i]), lfht_match, &q[i], &it);
			hits += cds_lfht_iter_get_node(&it) != NULL;
		}
		break;
	case M_MSISDN: {
		uint64_t imsi[BURST];

		for (unsigned int i = 0; i < QUERIES; i += BURST)
			hits += jitsim_table_msisdn_lookup_bulk(c->msisdn, q + i, BURST, imsi);
		break;
	}
	}
	urcu_qsbr_quiescent_state();
	return hits;
}

/* Lookups/s of one method on stream @q for about @secs seconds (whole
 * passes over the stream); every pass's hit count is checked. */
static double
measure(const struct ctx *c, enum method m, const uint64_t *q, double secs, uint64_t want_hits)
{
	double t0 = cpu_s(), t;
	uint64_t passes = 0;

	do {
		uint64_t hits = run_pass(c, m, q);

		if (hits != want_hits) {
			fprintf(stderr, "bench_table: method %d: %llu hits, expected %llu\n",
				(int)m, (unsigned long long)hits, (unsigned long long)want_hits);
			exit(1);
		}
		passes++;
		t = cpu_s() - t0;
	} while (t < secs);
	return (double)passes * QUERIES / t;
}

/* EAL memory is anonymous with --no-huge; ask for transparent huge pages
 * on it too, so that rte_hash gets the same 2 MiB TLB reach as our
 * tables and the comparison is about the tables, not the page size. */
static int
thp_memseg_list(const struct rte_memseg_list *msl, void *arg)
{
	(void)arg;
	if (msl->base_va != NULL && msl->len > 0)
		(void)madvise(msl->base_va, msl->len, MADV_HUGEPAGE);
	return 0;
}

static void
usage(void)
{
	fprintf(stderr, "usage: bench_table [-n KEYS] [-t SECONDS] [-4] [-H]\n");
	exit(2);
}

int
main(int argc, char **argv)
{
	uint64_t n = 10000000, seed = (uint64_t)time(NULL), start;
	double secs = 2;
	struct ctx c = {0};
	struct jitsim_table_stats si, sm;
	uint64_t *q_hit, *q_mix, *q_msisdn, mix_hits = 0;
	long rss0, rss1, rss2, rss3, thp, thp_rte;
	double t0, t_imsi, t_msisdn, t_rte, t_lfht;
	int opt, eal_huge = 0;

	while ((opt = getopt(argc, argv, "n:t:4H")) != -1) {
		char *end;

		switch (opt) {
		case 'n':
			n = strtoull(optarg, &end, 10);
			if (*end != '\0' || n < BURST || n > 100000000)
				usage();
			break;
		case 't':
			secs = strtod(optarg, &end);
			if (*end != '\0' || secs <= 0 || secs > 600)
				usage();
			break;
		case '4':
			if (prctl(PR_SET_THP_DISABLE, 1, 0, 0, 0) != 0) {
				perror("bench_table: prctl(PR_SET_THP_DISABLE)");
				return 1;
			}
			break;
		case 'H':
			eal_huge = 1;
			break;
		default:
			usage();
		}
	}
	start = rnd(&seed) % 10000000000ULL;

	/* Query streams first, so the RSS delta below is the tables only. */
	q_hit = malloc(QUERIES * sizeof(*q_hit));
	q_mix = malloc(QUERIES * sizeof(*q_mix));
	q_msisdn = malloc(QUERIES * sizeof(*q_msisdn));
	if (q_hit == NULL || q_mix == NULL || q_msisdn == NULL) {
		fprintf(stderr, "bench_table: out of memory\n");
		return 1;
	}
	for (unsigned int i = 0; i < QUERIES; i++) {
		uint64_t r = rnd(&seed);

		q_hit[i] = imsi_of(r % n, start);
		q_msisdn[i] = msisdn_of(r % n);
		if (r >> 63) {
			q_mix[i] = imsi_of(r % n, start);
			mix_hits++;
		} else {
			q_mix[i] = imsi_of(n + r % n, start);
		}
	}

	urcu_qsbr_register_thread();
	rss0 = rss_kib();
	t0 = now_s();
	c.imsi = jitsim_table_imsi_create(n);
	if (c.imsi == NULL) {
		perror("bench_table: jitsim_table_imsi_create");
		return 1;
	}
	for (uint64_t i = 0; i < n; i++) {
		struct jitsim_table_sim s = {
			.imsi = imsi_of(i, start),
			.msisdn = msisdn_of(i),
			.sw = jitsim_table_sw_make(JITSIM_SIM_INVENTORY, 0, 0),
			.tenant = 1,
			.region = 2,
		};

		if (jitsim_table_imsi_put(c.imsi, &s) != 0) {
			fprintf(stderr, "bench_table: imsi put failed at %llu\n",
				(unsigned long long)i);
			return 1;
		}
	}
	t_imsi = now_s() - t0;
	t0 = now_s();
	c.msisdn = jitsim_table_msisdn_create(n);
	if (c.msisdn == NULL) {
		perror("bench_table: jitsim_table_msisdn_create");
		return 1;
	}
	for (uint64_t i = 0; i < n; i++)
		if (jitsim_table_msisdn_put(c.msisdn, msisdn_of(i), imsi_of(i, start)) != 0) {
			fprintf(stderr, "bench_table: msisdn put failed at %llu\n",
				(unsigned long long)i);
			return 1;
		}
	t_msisdn = now_s() - t0;
	rss1 = rss_kib();
	thp = proc_kib("/proc/self/smaps_rollup", "AnonHugePages");
	jitsim_table_imsi_stats(c.imsi, &si);
	jitsim_table_msisdn_stats(c.msisdn, &sm);

	{
		/*
		 * A file prefix of our own: its runtime directory is removed at
		 * the end (runtime_dir_remove()) without touching the default
		 * one, which another DPDK program on this machine may be using.
		 * The same one every run: with -H, EAL clears the hugepage files
		 * a killed run left only under its own prefix.
		 */
		char *eal[] = {argv[0],		"--no-pci",	     "-m",
			       "2048",		"--log-level=error", "--no-telemetry",
			       "--file-prefix", "bench-table",	     "--no-huge"};
		int eal_argc = (int)(sizeof(eal) / sizeof(eal[0])) - eal_huge;

		if (rte_eal_init(eal_argc, eal) < 0) {
			fprintf(stderr, "bench_table: rte_eal_init: %s\n", rte_strerror(rte_errno));
			return 1;
		}
		snprintf(runtime_dir, sizeof(runtime_dir), "%s", rte_eal_get_runtime_dir());
	}
	rte_memseg_list_walk(thp_memseg_list, NULL);
	rss2 = rss_kib();
	thp_rte = proc_kib("/proc/self/smaps_rollup", "AnonHugePages");
	t0 = now_s();
	{
		struct rte_hash_parameters p = {
			.name = "bench",
			.entries = (uint32_t)n,
			.key_len = sizeof(uint64_t),
			.hash_func = rte_hash_crc,
			.hash_func_init_val = 0,
			.socket_id = 0,
		};

		c.rte = rte_hash_create(&p);
		if (c.rte == NULL) {
			fprintf(stderr, "bench_table: rte_hash_create: %s\n",
				rte_strerror(rte_errno));
			return 1;
		}
		for (uint64_t i = 0; i < n; i++) {
			uint64_t k = imsi_of(i, start);

			if (rte_hash_add_key(c.rte, &k) < 0) {
				fprintf(stderr, "bench_table: rte_hash_add_key failed at %llu\n",
					(unsigned long long)i);
				return 1;
			}
		}
	}
	t_rte = now_s() - t0;
	rss3 = rss_kib();
	thp_rte = proc_kib("/proc/self/smaps_rollup", "AnonHugePages") - thp_rte;

	/* Node pointers only to free the nodes at the end; allocated (and
	 * touched) before the RSS reading that starts the cds_lfht figure. */
	struct lfht_node **nodes = calloc(n, sizeof(*nodes));

	if (nodes == NULL) {
		fprintf(stderr, "bench_table: out of memory\n");
		return 1;
	}
	memset(nodes, 0xff, n * sizeof(*nodes));
	long rss_lfht0 = rss_kib();
	t0 = now_s();
	{
		unsigned long size = 1;

		while (size < n)
			size <<= 1;
		c.seed = rnd(&seed);
		c.lfht = cds_lfht_new_flavor(size, size, 0, 0, &urcu_qsbr_flavor, NULL);
		if (c.lfht == NULL) {
			fprintf(stderr, "bench_table: cds_lfht_new failed\n");
			return 1;
		}
		for (uint64_t i = 0; i < n; i++) {
			struct lfht_node *node = malloc(sizeof(*node));

			if (node == NULL) {
				fprintf(stderr, "bench_table: out of memory\n");
				return 1;
			}
			nodes[i] = node;
			cds_lfht_node_init(&node->node);
			node->key = imsi_of(i, start);
			node->value = i;
			cds_lfht_add(c.lfht, jt_hash(c.seed, node->key), &node->node);
		}
	}
	t_lfht = now_s() - t0;
	long rss4 = rss_kib();

	printf("bench_table: %llu SIMs (every one with an MSISDN), %u-key streams, best of %d "
	       "runs in %.1f s per figure\n",
	       (unsigned long long)n, QUERIES, ROUNDS, secs);
	printf("build: imsi %.2f s (%.1f M puts/s, %llu rebuilds), msisdn %.2f s, "
	       "rte_hash %.2f s, cds_lfht %.2f s\n",
	       t_imsi, (double)n / t_imsi * 1e-6, (unsigned long long)si.rebuilds, t_msisdn, t_rte,
	       t_lfht);
	printf("memory (stats.bytes): imsi %.1f B/SIM (%llu slots), msisdn %.1f B/SIM, total "
	       "%.1f B/SIM, %.1f MiB\n",
	       (double)si.bytes / (double)n, (unsigned long long)si.slots,
	       (double)sm.bytes / (double)n, (double)(si.bytes + sm.bytes) / (double)n,
	       (double)(si.bytes + sm.bytes) / 1048576.0);
	printf("transparent huge pages: our tables %.1f MiB, rte_hash %.1f MiB\n",
	       (double)thp / 1024.0, (double)thp_rte / 1024.0);
	printf("memory (VmRSS growth): our two tables %.1f B/SIM (%.1f MiB); rte_hash %.1f B/SIM "
	       "(key only, no MSISDN table); cds_lfht %.1f B/SIM (node + buckets)\n",
	       (double)(rss1 - rss0) * 1024.0 / (double)n, (double)(rss1 - rss0) / 1024.0,
	       (double)(rss3 - rss2) * 1024.0 / (double)n,
	       (double)(rss4 - rss_lfht0) * 1024.0 / (double)n);

	{
		static const char *const names[] = {
			"(a) jitsim imsi lookup_bulk/32",   "(b) jitsim imsi lookup (single)",
			"(c) rte_hash_lookup_bulk/32",	    "(d) cds_lfht_lookup",
			"(e) jitsim msisdn lookup_bulk/32",
		};
		double hit_rate[5] = {0}, mix_rate[5] = {0};

		/* The machine is shared (steal time): methods are interleaved in
		 * ROUNDS short runs and each keeps its best, so a noisy second
		 * hurts one run of each rather than one method. */
		for (int r = 0; r < ROUNDS; r++) {
			for (int m = 0; m < 5; m++) {
				double h = measure(&c, (enum method)m,
						   m == M_MSISDN ? q_msisdn : q_hit, secs / ROUNDS,
						   QUERIES);

				if (h > hit_rate[m])
					hit_rate[m] = h;
				if (m == M_MSISDN)
					continue;
				h = measure(&c, (enum method)m, q_mix, secs / ROUNDS, mix_hits);
				if (h > mix_rate[m])
					mix_rate[m] = h;
			}
		}
		printf("%-34s %14s %8s %16s %8s\n", "lookups/s, one core", "hits", "x rte",
		       "50/50 hit/miss", "x rte");
		for (int m = 0; m < 5; m++) {
			if (m == M_MSISDN)
				printf("%-34s %12.2f M %7.2fx %16s %8s\n", names[m],
				       hit_rate[m] * 1e-6, hit_rate[m] / hit_rate[M_RTE], "-", "-");
			else
				printf("%-34s %12.2f M %7.2fx %14.2f M %7.2fx\n", names[m],
				       hit_rate[m] * 1e-6, hit_rate[m] / hit_rate[M_RTE],
				       mix_rate[m] * 1e-6, mix_rate[m] / mix_rate[M_RTE]);
		}
	}

	jitsim_table_imsi_free(c.imsi);
	jitsim_table_msisdn_free(c.msisdn);
	rte_hash_free(c.rte);
	free(q_hit);
	free(q_mix);
	free(q_msisdn);
	/* No other reader: delete all, one grace period, free. */
	for (uint64_t i = 0; i < n; i++)
		cds_lfht_del(c.lfht, &nodes[i]->node);
	urcu_qsbr_synchronize_rcu();
	for (uint64_t i = 0; i < n; i++)
		free(nodes[i]);
	free(nodes);
	cds_lfht_destroy(c.lfht, NULL);
	urcu_qsbr_unregister_thread();
	rte_eal_cleanup();
	runtime_dir_remove(runtime_dir);
	return 0;
}
