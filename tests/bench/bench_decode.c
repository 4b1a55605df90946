/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * bench_decode: messages/s and ns/message of the whole decode stack (frame
 * to IMSI) on one core, next to a baseline measured in the same run: a
 * memcpy of the same frames. These machines are shared and noisy; the
 * ratio to the baseline is the figure to compare across runs.
 *
 *   bench_decode [-t SECONDS] [-g GENERATED] CAPTURE...
 *
 * The frame set is every frame of the captures that holds at least one
 * MAP or Diameter message, plus GENERATED frames built with the encoders
 * (MAP over M3UA and S6a over SCTP/TCP, IPv4/IPv6, VLANs). Allocation is
 * counted with the linker's --wrap and must stay at zero while decoding.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <pcap/pcap.h>

#include <jitsim/proto/frame.h>

#include "sample.h"

/* ---- allocation counter (linked with -Wl,--wrap=malloc,...) ---- */
void *__real_malloc(size_t n);
void *__real_calloc(size_t n, size_t m);
void *__real_realloc(void *p, size_t n);
void *__wrap_malloc(size_t n);
void *__wrap_calloc(size_t n, size_t m);
void *__wrap_realloc(void *p, size_t n);
static unsigned long allocs;

void *
__wrap_malloc(size_t n)
{
	allocs++;
	return __real_malloc(n);
}

void *
__wrap_calloc(size_t n, size_t m)
{
	allocs++;
	return __real_calloc(n, m);
}

void *
__wrap_realloc(void *p, size_t n)
{
	allocs++;
	return __real_realloc(p, n);
}

struct frame {
	uint32_t dlt;
	uint32_t len;
	const uint8_t *p;
};

struct set {
	struct frame *f;
	size_t n, cap;
	uint8_t *mem;
	size_t used, mem_cap;
	size_t msgs; /* messages per pass */
};

static double
now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + ts.tv_nsec * 1e-9;
}

static unsigned int
count_msgs(uint32_t dlt, const uint8_t *p, size_t len)
{
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;
	unsigned int n = 0;

	jitsim_frame_iter_init(&it, dlt, p, len, NULL, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END)
		n += r == JITSIM_R_OK;
	return n;
}

static void
add_frame(struct set *s, uint32_t dlt, const uint8_t *p, size_t len)
{
	unsigned int n = count_msgs(dlt, p, len);

	if (n == 0)
		return;
	if (s->n == s->cap) {
		s->cap = s->cap ? 2 * s->cap : 1024;
		s->f = realloc(s->f, s->cap * sizeof(*s->f));
	}
	if (s->used + len + 64 > s->mem_cap) {
		fprintf(stderr, "bench_decode: frame memory full\n");
		exit(1);
	}
	memcpy(s->mem + s->used, p, len);
	s->f[s->n++] = (struct frame){dlt, (uint32_t)len, s->mem + s->used};
	/* Keep frames cache-line aligned, as mbuf data would be. */
	s->used = (s->used + len + 63) & ~(size_t)63;
	s->msgs += n;
}

static void
load_capture(struct set *s, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	pcap_t *pc = pcap_open_offline(path, err);

	if (pc == NULL) {
		fprintf(stderr, "bench_decode: %s: %s\n", path, err);
		exit(1);
	}
	while (pcap_next_ex(pc, &h, &data) == 1)
		add_frame(s, (uint32_t)pcap_datalink(pc), data, h->caplen);
	pcap_close(pc);
}

/* Generated traffic: the sample mix of every encodable MAP and S6a message. */
static void
generate(struct set *s, unsigned int count)
{
	uint8_t buf[2048];

	for (unsigned int i = 0; i < count; i++) {
		struct jitsim_sample_info info;
		size_t len;

		if (jitsim_sample_frame(i, buf, sizeof(buf), &len, &info) == JITSIM_R_OK)
			add_frame(s, JITSIM_DLT_EN10MB, buf, len);
	}
}

/* Decode pass: the whole stack, summary read so it cannot be optimised away. */
static uint64_t
pass_decode(const struct set *s, struct jitsim_frame_reasm *reasm)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < s->n; i++) {
		struct jitsim_frame_iter it;
		struct jitsim_msg m;
		enum jitsim_reason r;

		jitsim_frame_iter_init(&it, s->f[i].dlt, s->f[i].p, s->f[i].len, reasm, 0);
		while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END)
			if (r == JITSIM_R_OK)
				acc += m.imsi_key + m.op;
	}
	return acc;
}

/* Baseline pass: touch every byte of every frame once (a copy). */
static uint64_t
pass_copy(const struct set *s, uint8_t *scratch)
{
	uint64_t acc = 0;

	for (size_t i = 0; i < s->n; i++) {
		memcpy(scratch, s->f[i].p, s->f[i].len);
		acc += scratch[s->f[i].len / 2];
	}
	return acc;
}

int
main(int argc, char **argv)
{
	static struct jitsim_frame_reasm reasm;
	struct set s = {0};
	double secs = 2.0, t0, t_dec, t_cpy;
	unsigned long gen = 100000, passes_dec = 0, passes_cpy = 0, allocs_before;
	uint64_t sink = 0;
	size_t bytes = 0;
	uint8_t *scratch;
	int c;

	while ((c = getopt(argc, argv, "t:g:h")) != -1) {
		switch (c) {
		case 't':
			secs = atof(optarg);
			break;
		case 'g':
			gen = strtoul(optarg, NULL, 10);
			break;
		default:
			fprintf(stderr,
				"usage: bench_decode [-t SECONDS] [-g GENERATED] CAPTURE...\n");
			return 2;
		}
	}
	s.mem_cap = 256u << 20;
	s.mem = aligned_alloc(64, s.mem_cap);
	scratch = aligned_alloc(64, 65536);
	for (int i = optind; i < argc; i++)
		load_capture(&s, argv[i]);
	size_t real_frames = s.n, real_msgs = s.msgs;
	generate(&s, (unsigned int)gen);
	for (size_t i = 0; i < s.n; i++)
		bytes += s.f[i].len;
	printf("frames: %zu (%zu from %d captures, %zu generated), messages per pass: %zu "
	       "(%zu real), %.1f MB\n",
	       s.n, real_frames, argc - optind, s.n - real_frames, s.msgs, real_msgs, bytes / 1e6);

	jitsim_frame_reasm_init(&reasm);
	sink += pass_decode(&s, &reasm); /* warm-up */
	sink += pass_copy(&s, scratch);

	allocs_before = allocs;
	t0 = now();
	do {
		sink += pass_decode(&s, &reasm);
		passes_dec++;
	} while ((t_dec = now() - t0) < secs);
	unsigned long dec_allocs = allocs - allocs_before;

	t0 = now();
	do {
		sink += pass_copy(&s, scratch);
		passes_cpy++;
	} while ((t_cpy = now() - t0) < secs);

	double msgs = (double)s.msgs * passes_dec;
	double dec_ns_msg = t_dec * 1e9 / msgs;
	double dec_ns_frame = t_dec * 1e9 / ((double)s.n * passes_dec);
	double cpy_ns_frame = t_cpy * 1e9 / ((double)s.n * passes_cpy);

	printf("decode   : %.2f M messages/s, %.1f ns/message, %.1f ns/frame\n", msgs / t_dec / 1e6,
	       dec_ns_msg, dec_ns_frame);
	printf("baseline : memcpy of the same frames: %.1f ns/frame (%.2f M frames/s)\n",
	       cpy_ns_frame, 1e3 / cpy_ns_frame);
	printf("ratio    : decode/baseline = %.2fx per frame\n", dec_ns_frame / cpy_ns_frame);
	printf("allocations while decoding: %lu\n", dec_allocs);
	printf("(checksum %llu)\n", (unsigned long long)sink);
	free(s.f);
	free(s.mem);
	free(scratch);
	return dec_allocs == 0 ? 0 : 1;
}
