/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Import throughput (not a test): generates a CSV of N SIMs (ascending
 * keys; with --msisdn an MSISDN column, which forces batches), creates a
 * store in DIR and imports the file twice (new SIMs, then the idempotent
 * re-import; --once: only the first), printing the time of each and the
 * peak RSS.
 *
 *   bench_inventory DIR N [--msisdn] [--once]
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/resource.h>
#include <time.h>

#include "inventory.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static char
luhn_digit(const char *body, size_t n)
{
	unsigned int sum = 0;

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

static void
digits(char *out, uint64_t v, int n)
{
	for (int k = n - 1; k >= 0; k--) {
		out[k] = (char)('0' + v % 10);
		v /= 10;
	}
}

static void
hexkey(char *out, uint64_t x)
{
	static const char hx[] = "0123456789ABCDEF";

	for (int b = 0; b < 32; b++) {
		x = x * 6364136223846793005ull + 1442695040888963407ull;
		out[b] = hx[x >> 60];
	}
}

static int
gen(const char *path, uint64_t n, int msisdn)
{
	FILE *fp = fopen(path, "w");
	char line[256];

	if (fp == NULL)
		return -errno;
	setvbuf(fp, NULL, _IOFBF, 1 << 20);
	fputs(msisdn ? "iccid,imsi,ki,opc,msisdn\n" : "iccid,imsi,ki,opc\n", fp);
	for (uint64_t i = 0; i < n; i++) {
		char *p = line;

		memcpy(p, "894401", 6);
		digits(p + 6, i, 13);
		p[19] = luhn_digit(p, 19);
		p[20] = ',';
		p += 21;
		memcpy(p, "00101", 5);
		digits(p + 5, i, 10);
		p[15] = ',';
		p += 16;
		hexkey(p, i * 2 + 1);
		p[32] = ',';
		p += 33;
		hexkey(p, i * 2 + 2);
		p += 32;
		if (msisdn) {
			memcpy(p, ",4477", 5);
			digits(p + 5, i, 8);
			p += 13;
		}
		*p++ = '\n';
		fwrite(line, 1, (size_t)(p - line), fp);
	}
	return fclose(fp) == 0 ? 0 : -EIO;
}

int
main(int argc, char **argv)
{
	struct jitsim_store_opts so = {0};
	struct jitsim_inv_report rep;
	struct jitsim_inv_opts o = {0};
	struct jitsim_store *s;
	struct rusage ru;
	char csv[512], db[512], kek[512], err[512];
	uint64_t n;
	int msisdn = 0, once = 0, rc;
	double t;

	if (argc < 3) {
		fprintf(stderr, "usage: bench_inventory DIR N [--msisdn] [--once]\n");
		return 2;
	}
	n = strtoull(argv[2], NULL, 10);
	for (int i = 3; i < argc; i++) {
		msisdn |= strcmp(argv[i], "--msisdn") == 0;
		once |= strcmp(argv[i], "--once") == 0;
	}
	snprintf(csv, sizeof(csv), "%s/bench.csv", argv[1]);
	snprintf(db, sizeof(db), "%s/db", argv[1]);
	snprintf(kek, sizeof(kek), "%s/kek", argv[1]);
	t = now_s();
	if (gen(csv, n, msisdn) != 0) {
		fprintf(stderr, "cannot write %s\n", csv);
		return 1;
	}
	printf("generate %" PRIu64 " lines: %.2f s\n", n, now_s() - t);
	if (jitsim_kek_create(kek, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	so.path = db;
	so.kek_path = kek;
	so.create = true;
	if (jitsim_store_open(&so, &s, err, sizeof(err)) != 0) {
		fprintf(stderr, "%s\n", err);
		return 1;
	}
	o.path = csv;
	for (int pass = 0; pass < (once ? 1 : 2); pass++) {
		t = now_s();
		rc = jitsim_inv_import(s, &o, &rep, err, sizeof(err));
		printf("%s: rc %d, %.2f s, lines %" PRIu64 " imported %" PRIu64
		       " unchanged %" PRIu64 " rejected %" PRIu64 " bulk %d%s%s\n",
		       pass == 0 ? "import" : "re-import", rc, now_s() - t, rep.lines, rep.imported,
		       rep.unchanged, rep.rejected, rep.bulk, rc ? " - " : "", rc ? err : "");
	}
	getrusage(RUSAGE_SELF, &ru);
	printf("peak RSS %ld MB\n", ru.ru_maxrss / 1024);
	jitsim_store_close(s);
	return 0;
}
