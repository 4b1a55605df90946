/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * jitsim-pktgen: scenario -> trace.pcap + expected.jsonl + SIM vendor file;
 * and a quick look at any capture. See docs/pktgen.md.
 */
#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "expect.h"
#include "inspect.h"
#include "pcapw.h"
#include "popfile.h"
#include "population.h"
#include "scenario.h"
#include "traffic.h"
#include "vendor.h"

static const char help_text[] =
	"NAME\n"
	"    jitsim-pktgen - signaling traces and SIM vendor files with ground truth\n"
	"\n"
	"SYNOPSIS\n"
	"    jitsim-pktgen generate --scenario FILE --seed N --out DIR [--packets N] [--quiet]\n"
	"    jitsim-pktgen vendor-file --scenario FILE --seed N --out DIR\n"
	"    jitsim-pktgen population --scenario FILE --seed N --out DIR [--quiet]\n"
	"    jitsim-pktgen inspect [--frames] CAPTURE...\n"
	"    jitsim-pktgen --help\n"
	"\n"
	"DESCRIPTION\n"
	"    generate\n"
	"        Writes into DIR (created if missing), deterministically for a seed:\n"
	"          trace.pcap      nanosecond pcap, Ethernet: MAP over M3UA/SCTP and\n"
	"                          Diameter S6a over SCTP or TCP as seen on a mirror\n"
	"                          port beside an STP and a DRA, with background\n"
	"                          (M3UA BEAT, SCCP management, other MAP, ICMP) and a\n"
	"                          share of malformed frames;\n"
	"          expected.jsonl  the ground truth: one line per malformed frame, one\n"
	"                          per SIM the dataplane must report (event, first\n"
	"                          triggering frame, region), then the totals;\n"
	"          inventory.out   the SIM vendor output file of the population;\n"
	"          transport.key   the AES-128 transport key of inventory.out (0600).\n"
	"        The same scenario and seed give byte-identical files. Every file is\n"
	"        written under a temporary name and renamed at the end: a failed run\n"
	"        leaves none of them behind, and older ones stay intact.\n"
	"\n"
	"    vendor-file\n"
	"        Writes only inventory.out and transport.key for the population.\n"
	"\n"
	"    population\n"
	"        Writes DIR/population.csv: the header imsi,iccid,state,msisdn, then\n"
	"        one line per SIM of the population, in the vendor file's order, with\n"
	"        the state (inventory, active, sleeping, locked) and MSISDN (active\n"
	"        and sleeping SIMs; empty otherwise) that generate assumes for the\n"
	"        same scenario and seed. No secret is written. Feed it to\n"
	"        'jitsim-store set' after importing inventory.out to give a store\n"
	"        the states the trace was made for.\n"
	"\n"
	"    inspect\n"
	"        Reads pcap or pcapng captures of any link type the codec library\n"
	"        knows (Ethernet, Linux SLL and SLL2, raw IP, MTP3) and prints\n"
	"        per-operation counts, distinct IMSIs and decode errors by reason.\n"
	"\n"
	"OPTIONS\n"
	"    -s, --scenario FILE  scenario (INI; docs/pktgen.md, examples in\n"
	"                         pktgen/scenarios/)\n"
	"    -S, --seed N         seed, a decimal integer (0..2^64-1)\n"
	"    -o, --out DIR        output directory\n"
	"    -n, --packets N      frames to write (overrides [traffic] packets)\n"
	"    -q, --quiet          no summary on stderr\n"
	"    -f, --frames         inspect: one line per message\n"
	"    -h, --help           this text\n"
	"\n"
	"EXIT STATUS\n"
	"    0 success; 1 bad scenario (the message names file, line and key),\n"
	"    unreadable capture or write error; 2 usage error.\n"
	"\n"
	"PERFORMANCE\n"
	"    One core writes about 2.5 million frames a second of a full mix\n"
	"    (pktgen/scenarios/bench.ini) into a tmpfs mounted with large folios\n"
	"    (mount -t tmpfs -o huge=within_size ...). Into a tmpfs of 4 KiB pages\n"
	"    such as /dev/shm the kernel's page cache takes 150-300 ns of each\n"
	"    frame, and a disk is slower still (docs/pktgen.md, Speed;\n"
	"    docs/benchmarks.md).\n"
	"\n"
	"SECURITY\n"
	"    Ki, OPc, KIc and KID are written only encrypted under the transport\n"
	"    key, and never printed. Keep transport.key away from the vendor file.\n"
	"\n"
	"EXAMPLES\n"
	"    jitsim-pktgen generate --scenario pktgen/scenarios/basic.ini --seed 1 --out /tmp/t\n"
	"    jitsim-pktgen population --scenario pktgen/scenarios/basic.ini --seed 1 --out /tmp/t\n"
	"    jitsim-pktgen inspect --frames /tmp/t/trace.pcap\n"
	"\n"
	"SEE ALSO\n"
	"    docs/pktgen.md, docs/formats.md, jitsim-decode(1)\n";

struct args {
	const char *scenario;
	const char *out;
	uint64_t seed;
	bool have_seed;
	uint64_t packets;
	bool quiet;
	bool frames;
};

static int
usage(const char *msg)
{
	fprintf(stderr, "jitsim-pktgen: %s\nTry 'jitsim-pktgen --help'.\n", msg);
	return 2;
}

static int
parse_u64(const char *s, uint64_t *v)
{
	char *e;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	*v = strtoull(s, &e, 10);
	return errno || *e ? -1 : 0;
}

static int
parse_args(int argc, char **argv, struct args *a)
{
	static const struct option longopts[] = {
		{"scenario", required_argument, NULL, 's'},
		{"seed", required_argument, NULL, 'S'},
		{"out", required_argument, NULL, 'o'},
		{"packets", required_argument, NULL, 'n'},
		{"quiet", no_argument, NULL, 'q'},
		{"frames", no_argument, NULL, 'f'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	int c;

	memset(a, 0, sizeof(*a));
	optind = 1;
	while ((c = getopt_long(argc, argv, "s:S:o:n:qfh", longopts, NULL)) != -1) {
		switch (c) {
		case 's':
			a->scenario = optarg;
			break;
		case 'S':
			if (parse_u64(optarg, &a->seed) != 0)
				return usage("--seed wants a decimal integer");
			a->have_seed = true;
			break;
		case 'o':
			a->out = optarg;
			break;
		case 'n':
			if (parse_u64(optarg, &a->packets) != 0 || a->packets == 0 ||
			    a->packets > 4000000000ull)
				return usage("--packets wants an integer 1..4000000000");
			break;
		case 'q':
			a->quiet = true;
			break;
		case 'f':
			a->frames = true;
			break;
		case 'h':
			fputs(help_text, stdout);
			exit(0);
		default:
			return 2;
		}
	}
	return 0;
}

static int
make_dir(const char *dir, bool *created)
{
	*created = mkdir(dir, 0755) == 0;
	if (*created || errno == EEXIST)
		return 0;
	fprintf(stderr, "jitsim-pktgen: %s: %s\n", dir, strerror(errno));
	return -1;
}

enum { F_PCAP, F_EXPECT, F_VENDOR, F_KEY, F_MAX };

static int
run(const struct args *a, bool trace)
{
	static const char *const names[F_MAX] = {"trace.pcap", "expected.jsonl",
						 JITSIM_PKTGEN_VENDOR_FILE, JITSIM_PKTGEN_KEY_FILE};
	struct jitsim_pktgen_scenario *sc = malloc(sizeof(*sc));
	struct jitsim_pktgen_ofile f[F_MAX];
	struct jitsim_pktgen_pop pop;
	struct jitsim_pktgen_expect ex;
	struct jitsim_pktgen_gen *g = NULL;
	struct timespec t0, t1;
	char err[512];
	int rc, first = trace ? F_PCAP : F_VENDOR, status = 1;
	bool created;

	memset(f, 0, sizeof(f));
	for (int i = 0; i < F_MAX; i++)
		f[i].fd = -1;
	memset(&ex, 0, sizeof(ex));
	if (sc == NULL)
		return 1;
	rc = jitsim_pktgen_scenario_load(a->scenario, sc, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-pktgen: %s\n", err);
		free(sc);
		return 1;
	}
	if (a->packets)
		sc->packets = a->packets;
	if (make_dir(a->out, &created) != 0) {
		free(sc);
		return 1;
	}
	clock_gettime(CLOCK_MONOTONIC, &t0);
	jitsim_pktgen_pop_init(&pop, sc, a->seed);
	rc = 0;
	for (int i = first; i < F_MAX && rc == 0; i++)
		rc = i == F_PCAP ? jitsim_pktgen_pcapw_open(&f[i], a->out, names[i], 1)
				 : jitsim_pktgen_ofile_open(&f[i], a->out, names[i],
							    JITSIM_PKTGEN_OFILE_BUF,
							    i == F_KEY ? 0600 : 0644);
	if (rc == 0)
		rc = jitsim_pktgen_vendor_write(&pop, &f[F_VENDOR], &f[F_KEY]);
	if (rc == 0 && trace) {
		g = malloc(sizeof(*g));
		rc = g ? jitsim_pktgen_expect_init(&ex, &pop, &f[F_EXPECT]) : -ENOMEM;
		if (rc == 0)
			rc = jitsim_pktgen_gen_init(g, sc, &pop, &ex, &f[F_PCAP], a->seed);
		if (rc == 0)
			rc = jitsim_pktgen_gen_run(g, sc->packets);
		if (rc == 0)
			rc = jitsim_pktgen_expect_finish(&ex);
	}
	/* Everything written: only now do the names appear. */
	for (int i = first; i < F_MAX && rc == 0; i++)
		rc = jitsim_pktgen_ofile_commit(&f[i]);
	if (rc != 0)
		fprintf(stderr, "jitsim-pktgen: writing %s: %s\n", a->out, strerror(-rc));
	else
		status = 0;
	clock_gettime(CLOCK_MONOTONIC, &t1);
	if (status == 0 && !a->quiet) {
		double s =
			(double)(t1.tv_sec - t0.tv_sec) + (double)(t1.tv_nsec - t0.tv_nsec) / 1e9;

		if (trace)
			fprintf(stderr,
				"jitsim-pktgen: %" PRIu64 " frames (%" PRIu64
				" malformed), %" PRIu64 " SIMs, in %.2f s (%.0f frames/s) -> %s\n",
				ex.frames, ex.malformed, sc->count, s,
				s > 0 ? (double)ex.frames / s : 0.0, a->out);
		else
			fprintf(stderr, "jitsim-pktgen: vendor file of %" PRIu64 " SIMs -> %s\n",
				sc->count, a->out);
	}
	for (int i = 0; i < F_MAX; i++)
		jitsim_pktgen_ofile_abort(&f[i]);
	/* A directory this run made and could not fill goes too (rmdir fails if not empty). */
	if (status != 0 && created)
		rmdir(a->out);
	if (g)
		jitsim_pktgen_gen_free(g);
	free(g);
	jitsim_pktgen_expect_free(&ex);
	free(sc);
	return status;
}

/* population.csv alone: the states and MSISDNs generate assumes (popfile.h). */
static int
run_population(const struct args *a)
{
	struct jitsim_pktgen_scenario *sc = malloc(sizeof(*sc));
	struct jitsim_pktgen_ofile f;
	struct jitsim_pktgen_pop pop;
	char err[512];
	bool created;
	int rc;

	memset(&f, 0, sizeof(f));
	f.fd = -1;
	if (sc == NULL)
		return 1;
	rc = jitsim_pktgen_scenario_load(a->scenario, sc, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-pktgen: %s\n", err);
		free(sc);
		return 1;
	}
	if (make_dir(a->out, &created) != 0) {
		free(sc);
		return 1;
	}
	jitsim_pktgen_pop_init(&pop, sc, a->seed);
	rc = jitsim_pktgen_ofile_open(&f, a->out, JITSIM_PKTGEN_POP_FILE, JITSIM_PKTGEN_OFILE_BUF,
				      0644);
	if (rc == 0)
		rc = jitsim_pktgen_popfile_write(&pop, &f);
	if (rc == 0)
		rc = jitsim_pktgen_ofile_commit(&f);
	jitsim_pktgen_ofile_abort(&f);
	if (rc != 0) {
		fprintf(stderr, "jitsim-pktgen: writing %s/%s: %s\n", a->out,
			JITSIM_PKTGEN_POP_FILE, strerror(-rc));
		if (created)
			rmdir(a->out);
	} else if (!a->quiet) {
		fprintf(stderr, "jitsim-pktgen: population of %" PRIu64 " SIMs -> %s/%s\n",
			sc->count, a->out, JITSIM_PKTGEN_POP_FILE);
	}
	free(sc);
	return rc != 0;
}

int
main(int argc, char **argv)
{
	struct args a;
	const char *cmd;
	int rc;

	if (argc < 2)
		return usage("a command is needed: generate, vendor-file, population or inspect");
	cmd = argv[1];
	if (!strcmp(cmd, "-h") || !strcmp(cmd, "--help") || !strcmp(cmd, "help")) {
		fputs(help_text, stdout);
		return 0;
	}
	rc = parse_args(argc - 1, argv + 1, &a);
	if (rc != 0)
		return rc;
	if (!strcmp(cmd, "generate") || !strcmp(cmd, "vendor-file")) {
		if (optind != argc - 1)
			return usage("unexpected argument");
		if (!a.scenario || !a.out || !a.have_seed)
			return usage("--scenario, --seed and --out are required");
		return run(&a, !strcmp(cmd, "generate"));
	}
	if (!strcmp(cmd, "population")) {
		if (optind != argc - 1)
			return usage("unexpected argument");
		if (!a.scenario || !a.out || !a.have_seed)
			return usage("--scenario, --seed and --out are required");
		return run_population(&a);
	}
	if (!strcmp(cmd, "inspect")) {
		int status = 0;

		if (optind >= argc - 1)
			return usage("inspect wants at least one capture");
		for (int i = optind + 1; i < argc; i++)
			if (jitsim_pktgen_inspect(argv[i], a.frames, stdout) != 0)
				status = 1;
		return status;
	}
	return usage("unknown command (want generate, vendor-file, population or inspect)");
}
