/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * bench_pktgen: frames per second that jitsim-pktgen writes on one core
 * (whole pipeline: timeline, encoders, malformed frames, ground truth,
 * pcap writer), next to a baseline in the same run: libpcap's pcap_dump()
 * writing the same number of fixed packets of the same mean size, through
 * a stdio buffer of the generator's size. Both write to the same
 * directory, so the disk is the same for both.
 *
 *   bench_pktgen -s SCENARIO [-n PACKETS] [-d DIR] [-r RUNS]
 *
 * Also prints the CPU time of each (steadier than the wall clock on a shared
 * machine) and the peak RSS, which stays flat as -n grows (streamed output).
 * With -r, both sides run RUNS times, alternately, and the best and the
 * median of each are printed too: on a machine shared with others the same
 * binary's CPU time varies by a third from one run to the next.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>
#include <unistd.h>

#include <pcap/pcap.h>

#include "expect.h"
#include "pcapw.h"
#include "population.h"
#include "scenario.h"
#include "traffic.h"

static double
clock_s(clockid_t id)
{
	struct timespec t;

	clock_gettime(id, &t);
	return (double)t.tv_sec + (double)t.tv_nsec / 1e9;
}

static double
now_s(void)
{
	return clock_s(CLOCK_MONOTONIC);
}

/* CPU time of the process: on a shared machine, less noisy than the wall clock. */
static double
cpu_s(void)
{
	return clock_s(CLOCK_PROCESS_CPUTIME_ID);
}

/* Kernel CPU time of the process: the copy of the output into the page cache. */
static double
sys_s(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return (double)u.ru_stime.tv_sec + (double)u.ru_stime.tv_usec / 1e6;
}

static long
peak_rss_kib(void)
{
	struct rusage u;

	getrusage(RUSAGE_SELF, &u);
	return u.ru_maxrss;
}

static int
run_pktgen(const char *scenario, const char *dir, uint64_t n, double *secs, double *cpu,
	   double *sys, uint64_t *bytes)
{
	static struct jitsim_pktgen_scenario sc;
	static struct jitsim_pktgen_gen g;
	struct jitsim_pktgen_ofile pcap, exp;
	struct jitsim_pktgen_pop pop;
	struct jitsim_pktgen_expect ex;
	char err[512];
	double t0, c0, s0;
	int rc;

	if (jitsim_pktgen_scenario_load(scenario, &sc, err, sizeof(err)) != 0) {
		fprintf(stderr, "bench_pktgen: %s\n", err);
		return -1;
	}
	t0 = now_s();
	c0 = cpu_s();
	s0 = sys_s();
	jitsim_pktgen_pop_init(&pop, &sc, 1);
	rc = jitsim_pktgen_pcapw_open(&pcap, dir, "bench-pktgen.pcap", 1);
	if (rc == 0)
		rc = jitsim_pktgen_ofile_open(&exp, dir, "bench-expected.jsonl",
					      JITSIM_PKTGEN_OFILE_BUF, 0644);
	if (rc == 0)
		rc = jitsim_pktgen_expect_init(&ex, &pop, &exp);
	if (rc == 0)
		rc = jitsim_pktgen_gen_init(&g, &sc, &pop, &ex, &pcap, 1);
	if (rc == 0)
		rc = jitsim_pktgen_gen_run(&g, n);
	if (rc == 0)
		rc = jitsim_pktgen_expect_finish(&ex);
	if (rc == 0)
		rc = jitsim_pktgen_ofile_flush(&pcap);
	*bytes = pcap.written;
	if (rc == 0)
		rc = jitsim_pktgen_ofile_commit(&pcap);
	if (rc == 0)
		rc = jitsim_pktgen_ofile_commit(&exp);
	*secs = now_s() - t0;
	*cpu = cpu_s() - c0;
	*sys = sys_s() - s0;
	jitsim_pktgen_gen_free(&g);
	jitsim_pktgen_expect_free(&ex);
	unlink(pcap.path);
	unlink(exp.path);
	return rc;
}

static int
run_baseline(const char *dir, uint64_t n, size_t size, double *secs, double *cpu, double *sys)
{
	static char buf[JITSIM_PKTGEN_OFILE_BUF];
	char path[4096];
	uint8_t pkt[2048];
	struct pcap_pkthdr h;
	pcap_t *p;
	pcap_dumper_t *d;
	FILE *f;
	double t0, c0, s0;

	snprintf(path, sizeof(path), "%s/bench-baseline.pcap", dir);
	memset(pkt, 0x5a, sizeof(pkt));
	p = pcap_open_dead_with_tstamp_precision(DLT_EN10MB, 65535, PCAP_TSTAMP_PRECISION_NANO);
	if (p == NULL)
		return -1;
	t0 = now_s();
	c0 = cpu_s();
	s0 = sys_s();
	/*
	 * The generator's write size (JITSIM_PKTGEN_OFILE_BUF), not stdio's
	 * default of st_blksize (4 KiB on tmpfs; glibc ignores the size
	 * without a buffer of the caller's): both sides then hand the
	 * kernel the same writes, and where the file system treats large
	 * writes better (a tmpfs with large folios) neither is favoured.
	 */
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "bench_pktgen: %s: %s\n", path, strerror(errno));
		pcap_close(p);
		return -1;
	}
	if (setvbuf(f, buf, _IOFBF, JITSIM_PKTGEN_OFILE_BUF) != 0) {
		fprintf(stderr, "bench_pktgen: %s: cannot set a %u-byte stdio buffer\n", path,
			JITSIM_PKTGEN_OFILE_BUF);
		fclose(f);
		pcap_close(p);
		return -1;
	}
	d = pcap_dump_fopen(p, f);
	if (d == NULL) {
		fprintf(stderr, "bench_pktgen: %s: %s\n", path, pcap_geterr(p));
		fclose(f);
		pcap_close(p);
		return -1;
	}
	memset(&h, 0, sizeof(h));
	h.caplen = h.len = (bpf_u_int32)size;
	for (uint64_t i = 0; i < n; i++) {
		h.ts.tv_sec = (time_t)(1767225600 + i / 100000);
		h.ts.tv_usec = (suseconds_t)(i % 100000) * 10000; /* ns with PRECISION_NANO */
		pcap_dump((u_char *)d, &h, pkt);
	}
	pcap_dump_flush(d);
	fsync(fileno(pcap_dump_file(d)));
	pcap_dump_close(d);
	*secs = now_s() - t0;
	*cpu = cpu_s() - c0;
	*sys = sys_s() - s0;
	pcap_close(p);
	unlink(path);
	return 0;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Median of the @p n values at @p v (sorts them). */
static double
median(double *v, unsigned int n)
{
	qsort(v, n, sizeof(*v), cmp_double);
	return n % 2 ? v[n / 2] : (v[n / 2 - 1] + v[n / 2]) / 2;
}

#define MAX_RUNS 32
#define USAGE "usage: bench_pktgen -s SCENARIO [-n PACKETS] [-d DIR] [-r RUNS (1-32)]\n"

int
main(int argc, char **argv)
{
	const char *scenario = NULL, *dir = ".";
	uint64_t n = 10000000, bytes = 0;
	double tg, tb, cg, cb, sg, sb, rg[MAX_RUNS], rb[MAX_RUNS], best_g = 0, best_b = 0;
	unsigned int runs = 1;
	size_t mean = 0;
	int c;

	while ((c = getopt(argc, argv, "s:n:d:r:")) != -1) {
		switch (c) {
		case 's':
			scenario = optarg;
			break;
		case 'n':
			n = strtoull(optarg, NULL, 10);
			break;
		case 'd':
			dir = optarg;
			break;
		case 'r':
			runs = (unsigned int)strtoul(optarg, NULL, 10);
			break;
		default:
			fputs(USAGE, stderr);
			return 2;
		}
	}
	if (scenario == NULL || n == 0 || runs == 0 || runs > MAX_RUNS) {
		fputs(USAGE, stderr);
		return 2;
	}
	/*
	 * Warm-up, not measured: the baseline writes as much once, so that no
	 * side pays for memory the hypervisor backs on first touch (on this
	 * kind of VM the first gigabyte written to tmpfs after boot cost the
	 * kernel three times what the same write costs later).
	 */
	if (run_baseline(dir, n, 256, &tb, &cb, &sb) != 0)
		return 1;
	for (unsigned int i = 0; i < runs; i++) {
		if (run_pktgen(scenario, dir, n, &tg, &cg, &sg, &bytes) != 0)
			return 1;
		mean = (size_t)((bytes - 24) / n - 16);
		if (run_baseline(dir, n, mean, &tb, &cb, &sb) != 0)
			return 1;
		printf("jitsim-pktgen   %10" PRIu64 " packets (mean %zu B) in %6.2f s: %6.2f Mpps, "
		       "%7.1f MB/s; CPU %6.2f s: %6.2f Mpps (%.2f s in the kernel)\n",
		       n, mean, tg, (double)n / tg / 1e6, (double)bytes / tg / 1e6, cg,
		       (double)n / cg / 1e6, sg);
		printf("pcap_dump base  %10" PRIu64
		       " packets (fixed %zu B) in %6.2f s: %6.2f Mpps; "
		       "CPU %6.2f s: %6.2f Mpps (%.2f s in the kernel)\n",
		       n, mean, tb, (double)n / tb / 1e6, cb, (double)n / cb / 1e6, sb);
		printf("ratio pktgen/baseline %.2f, peak RSS %ld KiB\n", tb / tg, peak_rss_kib());
		rg[i] = (double)n / cg / 1e6;
		rb[i] = (double)n / cb / 1e6;
		best_g = rg[i] > best_g ? rg[i] : best_g;
		best_b = rb[i] > best_b ? rb[i] : best_b;
	}
	if (runs > 1)
		printf("over %u runs, CPU-time rates: "
		       "jitsim-pktgen best %.2f Mpps, median %.2f Mpps; "
		       "pcap_dump base best %.2f Mpps, median %.2f Mpps\n",
		       runs, best_g, median(rg, runs), best_b, median(rb, runs));
	return 0;
}
