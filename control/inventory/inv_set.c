/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "inv_set.h"

/* Three 32-bit words instead of a u64 + u32 struct: 12 bytes, not 16. */
struct slot {
	uint32_t lo, hi, line;
};

struct jitsim_inv_set {
	struct slot *slots;
	size_t map_len; /* of @slots when mapped (slots_alloc()), else 0 */
	uint64_t cap;
	uint64_t count;
	uint64_t grow_at; /* count at which the table doubles (load 0.9) */
};

/* splitmix64's finaliser: compact keys differ mostly in their low digits,
 * so every bit of the key has to reach the high bits used for the slot. */
static inline uint64_t
mix(uint64_t x)
{
	x ^= x >> 30;
	x *= 0xbf58476d1ce4e5b9ull;
	x ^= x >> 27;
	x *= 0x94d049bb133111ebull;
	x ^= x >> 31;
	return x;
}

/* Any capacity, not only powers of two (Lemire's multiply-shift range
 * reduction), so the table is sized to the estimate, not up to 2x it. */
static inline uint64_t
home(uint64_t key, uint64_t cap)
{
	return (uint64_t)(((unsigned __int128)mix(key) * cap) >> 64);
}

static inline uint64_t
slot_key(const struct slot *s)
{
	return (uint64_t)s->hi << 32 | s->lo;
}

#define SET_HUGE (2u << 20)

/*
 * The sets of a large file are hundreds of MB probed at random: with 4 KiB
 * pages every probe is a TLB miss too (and a page walk a prefetch does not
 * hide), so a set of at least a huge page is mapped 2 MiB-aligned and
 * offered to transparent huge pages (THP is often "madvise" only).
 * Anonymous memory comes zeroed, as calloc's.
 */
static struct slot *
slots_alloc(uint64_t cap, size_t *map_len)
{
	size_t len = cap * sizeof(struct slot), over;
	uintptr_t start;
	uint8_t *p;

	*map_len = 0;
	if (len < SET_HUGE)
		return calloc(cap, sizeof(struct slot));
	len = (len + SET_HUGE - 1) & ~(size_t)(SET_HUGE - 1);
	over = len + SET_HUGE;
	p = mmap(NULL, over, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
	if (p == MAP_FAILED)
		return NULL;
	start = ((uintptr_t)p + SET_HUGE - 1) & ~(uintptr_t)(SET_HUGE - 1);
	if (start > (uintptr_t)p)
		munmap(p, start - (uintptr_t)p);
	if ((uintptr_t)p + over > start + len)
		munmap((void *)(start + len), (uintptr_t)p + over - (start + len));
	/* Advisory: without THP the set works the same, only slower. */
	(void)madvise((void *)start, len, MADV_HUGEPAGE);
	*map_len = len;
	return (struct slot *)start;
}

static void
slots_free(struct slot *s, size_t map_len)
{
	if (map_len != 0)
		munmap(s, map_len);
	else
		free(s);
}

static int
alloc_slots(struct jitsim_inv_set *set, uint64_t cap)
{
	size_t map_len;
	struct slot *s = slots_alloc(cap, &map_len);

	if (s == NULL)
		return -ENOMEM;
	set->slots = s;
	set->map_len = map_len;
	set->cap = cap;
	set->grow_at = cap / 10 * 9;
	return 0;
}

struct jitsim_inv_set *
jitsim_inv_set_new(uint64_t expect)
{
	struct jitsim_inv_set *set = calloc(1, sizeof(*set));
	uint64_t cap = expect + expect / 4 + 64;

	if (set == NULL)
		return NULL;
	if (alloc_slots(set, cap) != 0) {
		free(set);
		return NULL;
	}
	return set;
}

void
jitsim_inv_set_free(struct jitsim_inv_set *set)
{
	if (set == NULL)
		return;
	slots_free(set->slots, set->map_len);
	free(set);
}

static void
place(struct slot *slots, uint64_t cap, uint64_t key, uint32_t line)
{
	uint64_t i = home(key, cap);

	while (slots[i].line != 0)
		i = i + 1 == cap ? 0 : i + 1;
	slots[i].lo = (uint32_t)key;
	slots[i].hi = (uint32_t)(key >> 32);
	slots[i].line = line;
}

static int
grow(struct jitsim_inv_set *set)
{
	struct slot *old = set->slots;
	size_t old_len = set->map_len;
	uint64_t oldcap = set->cap;

	if (alloc_slots(set, oldcap * 2) != 0)
		return -ENOMEM;
	for (uint64_t i = 0; i < oldcap; i++)
		if (old[i].line != 0)
			place(set->slots, set->cap, slot_key(&old[i]), old[i].line);
	slots_free(old, old_len);
	return 0;
}

int64_t
jitsim_inv_set_insert(struct jitsim_inv_set *set, uint64_t key, uint32_t line)
{
	uint64_t i;

	if (set->count >= set->grow_at && grow(set) != 0)
		return -ENOMEM;
	/* A slot is empty when its line is 0: lines count from 1. */
	for (i = home(key, set->cap); set->slots[i].line != 0; i = i + 1 == set->cap ? 0 : i + 1)
		if (slot_key(&set->slots[i]) == key)
			return set->slots[i].line;
	set->slots[i].lo = (uint32_t)key;
	set->slots[i].hi = (uint32_t)(key >> 32);
	set->slots[i].line = line;
	set->count++;
	return 0;
}

uint32_t
jitsim_inv_set_find(const struct jitsim_inv_set *set, uint64_t key)
{
	for (uint64_t i = home(key, set->cap); set->slots[i].line != 0;
	     i = i + 1 == set->cap ? 0 : i + 1)
		if (slot_key(&set->slots[i]) == key)
			return set->slots[i].line;
	return 0;
}

uint64_t
jitsim_inv_set_count(const struct jitsim_inv_set *set)
{
	return set->count;
}

void
jitsim_inv_set_prefetch(const struct jitsim_inv_set *set, uint64_t key)
{
	__builtin_prefetch(&set->slots[home(key, set->cap)], 1);
}
