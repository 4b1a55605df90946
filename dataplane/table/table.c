/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The array shared by the IMSI and MSISDN tables: sizing, mapping, seed,
 * and insertion into an array that is still private to the updater.
 */

#include <errno.h>
#include <stdint.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/random.h>
#include <time.h>

#include "table.h"
#include "table_priv.h"

/* Transparent huge pages are 2 MiB on x86-64 and on arm64 with 4 KiB
 * base pages; aligning larger arrays to it lets the kernel back them
 * with huge pages from the first fault (one TLB entry per 2 MiB instead
 * of 512: at 10 M SIMs a random lookup otherwise misses the TLB). */
#define JT_HUGE_PAGE (2u << 20)
#define JT_LINE 64u

/* Refuse sizes no deployment needs (2^36 slots is 2.3 TB of IMSI
 * entries): keeps every product below in 64 bits. */
#define JT_MAX_SLOTS (1ULL << 36)

static size_t
jt_round_up(size_t v, size_t align)
{
	return (v + align - 1) / align * align;
}

uint64_t
jitsim_table_slots_for(uint64_t entries, unsigned int load_pct)
{
	uint64_t slots;

	if (load_pct == 0 || load_pct > 100 || entries > JT_MAX_SLOTS)
		return 0;
	slots = (entries * 100 + load_pct - 1) / load_pct;
	if (slots < JT_MIN_SLOTS)
		slots = JT_MIN_SLOTS;
	slots = (slots + JT_CHUNK_SLOTS - 1) / JT_CHUNK_SLOTS * JT_CHUNK_SLOTS;
	return slots > JT_MAX_SLOTS ? 0 : slots;
}

int
jitsim_table_fits(uint64_t used, uint64_t slots)
{
	/* Both below 2^37 here, so the products cannot overflow. */
	return used <= JT_MAX_SLOTS && used * 100 <= slots * JITSIM_TABLE_LOAD_MAX;
}

static uint64_t
jt_new_seed(void)
{
	uint64_t seed;
	struct timespec ts;

	if (getrandom(&seed, sizeof(seed), GRND_NONBLOCK) == (ssize_t)sizeof(seed))
		return seed;
	/* No entropy yet (early boot): the seed only spreads probe runs, a
	 * weak one costs speed under a targeted flood, never correctness. */
	clock_gettime(CLOCK_MONOTONIC, &ts);
	return jt_hash((uint64_t)ts.tv_nsec, (uint64_t)ts.tv_sec ^ (uintptr_t)&ts);
}

struct jitsim_table_arr *
jitsim_table_arr_alloc(uint64_t slots, size_t esz)
{
	struct jitsim_table_arr *a;
	size_t tags_off, ents_off, len, map_len;
	unsigned char *p;

	if (slots == 0 || slots % JT_CHUNK_SLOTS != 0 || slots > JT_MAX_SLOTS) {
		errno = EINVAL;
		return NULL;
	}
	tags_off = jt_round_up(sizeof(*a), JT_LINE);
	ents_off = tags_off + slots / JT_CHUNK_SLOTS * JT_LINE;
	len = ents_off + slots * esz;

	if (len < JT_HUGE_PAGE) {
		map_len = jt_round_up(len, 4096);
		p = mmap(NULL, map_len, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
	} else {
		/* Over-map by one huge page and trim, to get a 2 MiB aligned
		 * start; the length is rounded so the tail is huge too. */
		size_t over;
		uintptr_t start;

		map_len = jt_round_up(len, JT_HUGE_PAGE);
		over = map_len + JT_HUGE_PAGE;
		p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		if (p == MAP_FAILED)
			return NULL;
		start = jt_round_up((uintptr_t)p, JT_HUGE_PAGE);
		if (start > (uintptr_t)p)
			munmap(p, start - (uintptr_t)p);
		if ((uintptr_t)p + over > start + map_len)
			munmap((void *)(start + map_len), (uintptr_t)p + over - (start + map_len));
		p = (unsigned char *)start;
		/* Advisory: without THP (or with it "never") the table works
		 * the same, only slower; nothing to report. */
		(void)madvise(p, map_len, MADV_HUGEPAGE);
	}

	a = (struct jitsim_table_arr *)(void *)p;
	a->slots = slots;
	a->chunks = slots / JT_CHUNK_SLOTS;
	a->seed = jt_new_seed();
	a->tags = (uint16_t *)(void *)(p + tags_off);
	a->ents = p + ents_off;
	a->map_len = map_len;
	a->esz = esz;
	return a;
}

void
jitsim_table_arr_free(struct jitsim_table_arr *a)
{
	if (a != NULL)
		munmap(a, a->map_len);
}

/* First free lane of chunk @c (updater: its own tags, plain reads). */
static int
jt_free_lane(const struct jitsim_table_arr *a, uint64_t c)
{
	const uint16_t *t = a->tags + c * JT_CHUNK_LANES;

	/* Lanes fill in order: the last one tells whether any is free. */
	if (t[JT_CHUNK_SLOTS - 1] != JT_TAG_EMPTY)
		return -1;
	for (unsigned int l = 0; l < JT_CHUNK_SLOTS; l++)
		if (t[l] == JT_TAG_EMPTY)
			return (int)l;
	return -1;
}

uint64_t
jitsim_table_arr_claim(struct jitsim_table_arr *a, uint64_t h)
{
	uint64_t c = jt_home(h, a->chunks);

	for (uint64_t n = 0; n < a->chunks; n++) {
		int l = jt_free_lane(a, c);
		uint16_t *ov;

		if (l >= 0)
			return c * JT_CHUNK_SLOTS + (unsigned int)l;
		ov = jt_ov_ptr(a, c);
		if (*ov != JT_OV_MAX)
			jt_lane_store(ov, (uint16_t)(*ov + 1), __ATOMIC_SEQ_CST);
		c = jt_next_chunk(a, c);
	}
	return JT_NOT_FOUND;
}

void
jitsim_table_arr_remove(struct jitsim_table_arr *a, uint64_t h, uint64_t slot)
{
	const uint64_t last = jt_chunk_of(slot);

	jt_lane_store(jt_tag_ptr(a, slot), JT_TAG_TOMB, __ATOMIC_RELEASE);
	/* A reader still looking for this key may now stop early: it is
	 * being removed. Keys stored beyond keep their own counts. */
	for (uint64_t c = jt_home(h, a->chunks); c != last; c = jt_next_chunk(a, c)) {
		uint16_t *ov = jt_ov_ptr(a, c);

		if (*ov != JT_OV_MAX && *ov != 0)
			jt_lane_store(ov, (uint16_t)(*ov - 1), __ATOMIC_RELEASE);
	}
}

uint64_t
jitsim_table_arr_insert_new(struct jitsim_table_arr *a, const void *ent)
{
	uint64_t key, h, i;

	memcpy(&key, ent, sizeof(key));
	h = jt_hash(a->seed, key);
	i = jitsim_table_arr_claim(a, h);
	if (i == JT_NOT_FOUND)
		return i; /* sized for the entries: cannot happen */
	memcpy(a->ents + i * a->esz, ent, a->esz);
	/* Workers may already probe this array (the IMSI table's state
	 * propagation): the entry is written before its tag, and the tag
	 * store is seq_cst for the IMSI rebuild's store-then-reload pairing. */
	jt_lane_store(jt_tag_ptr(a, i), jt_tag(h), __ATOMIC_SEQ_CST);
	return i;
}
