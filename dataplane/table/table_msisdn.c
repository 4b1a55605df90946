/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MSISDN -> IMSI table (contract in table.h, array layout in
 * table_priv.h). Entries are immutable 16-byte pairs, four per cache
 * line: written once before their tag, so readers need no sequence
 * counter, and a number change is del + put.
 */

#include <errno.h>
#include <stdlib.h>

#include <urcu/urcu-qsbr.h>

#include "table.h"
#include "table_priv.h"

struct jt_msisdn_ent {
	uint64_t key; /* compact MSISDN */
	uint64_t imsi;
};

_Static_assert(sizeof(struct jt_msisdn_ent) == 16, "MSISDN entry must stay 16 bytes");

struct jitsim_table_msisdn {
	struct jitsim_table_arr *cur; /* published array (see jt_arr_get) */
	uint64_t entries;
	uint64_t tombstones;
	uint64_t rebuilds;
};

static inline struct jt_msisdn_ent *
jt_msisdn_ent(const struct jitsim_table_arr *a, uint64_t i)
{
	return (struct jt_msisdn_ent *)(void *)(a->ents + i * sizeof(struct jt_msisdn_ent));
}

struct jitsim_table_msisdn *
jitsim_table_msisdn_create(uint64_t expected)
{
	struct jitsim_table_msisdn *t;
	uint64_t slots = jitsim_table_slots_for(expected, JITSIM_TABLE_LOAD_MAX);

	if (slots == 0) {
		errno = ENOMEM;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cur = jitsim_table_arr_alloc(slots, sizeof(struct jt_msisdn_ent));
	if (t->cur == NULL) {
		free(t);
		return NULL;
	}
	return t;
}

void
jitsim_table_msisdn_free(struct jitsim_table_msisdn *t)
{
	if (t == NULL)
		return;
	jitsim_table_arr_free(t->cur);
	free(t);
}

/* Pairs never change, so unlike the IMSI table there is nothing to
 * reconcile: copy, publish, wait for the readers of the old array, unmap
 * it (see jt_imsi_rebuild for why not call_rcu). */
static int
jt_msisdn_rebuild(struct jitsim_table_msisdn *t, uint64_t slots)
{
	struct jitsim_table_arr *old = t->cur;
	struct jitsim_table_arr *n;

	n = jitsim_table_arr_alloc(slots, sizeof(struct jt_msisdn_ent));
	if (n == NULL)
		return -ENOMEM;
	for (uint64_t i = 0; i < old->slots; i++) {
		if (__atomic_load_n(jt_tag_ptr(old, i), __ATOMIC_RELAXED) >= 2)
			jitsim_table_arr_insert_new(n, jt_msisdn_ent(old, i));
	}
	jt_arr_publish(&t->cur, n);
	urcu_qsbr_synchronize_rcu();
	jitsim_table_arr_free(old);
	__atomic_store_n(&t->tombstones, 0, __ATOMIC_RELAXED);
	jt_count_add(&t->rebuilds, 1);
	return 0;
}

int
jitsim_table_msisdn_put(struct jitsim_table_msisdn *t, uint64_t msisdn, uint64_t imsi)
{
	struct jitsim_table_arr *a = t->cur;
	struct jt_msisdn_ent *e;
	uint64_t i, h;

	/* IMSI 0 is refused too: lookups return 0 for "absent". */
	if (msisdn == 0 || imsi == 0)
		return -EINVAL;
	i = jt_probe(a, msisdn);
	if (i != JT_NOT_FOUND)
		return jt_msisdn_ent(a, i)->imsi == imsi ? 0 : -EEXIST;

	if (!jitsim_table_fits(t->entries + t->tombstones + 1, a->slots)) {
		uint64_t slots = jitsim_table_slots_for(t->entries + 1, JITSIM_TABLE_LOAD_GROW);
		int rc;

		if (slots == 0)
			return -ENOMEM;
		rc = jt_msisdn_rebuild(t, slots);
		if (rc < 0)
			return rc;
		a = t->cur;
	}
	h = jt_hash(a->seed, msisdn);
	i = jitsim_table_arr_claim(a, h);
	if (i == JT_NOT_FOUND)
		return -ENOMEM;

	e = jt_msisdn_ent(a, i);
	__atomic_store_n(&e->imsi, imsi, __ATOMIC_RELAXED);
	__atomic_store_n(&e->key, msisdn, __ATOMIC_RELEASE);
	jt_lane_store(jt_tag_ptr(a, i), jt_tag(h), __ATOMIC_RELEASE);
	jt_count_add(&t->entries, 1);
	return 0;
}

int
jitsim_table_msisdn_del(struct jitsim_table_msisdn *t, uint64_t msisdn)
{
	return jt_del(t->cur, msisdn, &t->entries, &t->tombstones);
}

int
jitsim_table_msisdn_rehash(struct jitsim_table_msisdn *t)
{
	return jt_msisdn_rebuild(t, jt_rehash_slots(t->cur, t->entries));
}

uint64_t
jitsim_table_msisdn_lookup(const struct jitsim_table_msisdn *t, uint64_t msisdn)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);
	uint64_t i;

	if (msisdn == 0)
		return 0;
	i = jt_probe(a, msisdn);
	return i == JT_NOT_FOUND ? 0
				 : __atomic_load_n(&jt_msisdn_ent(a, i)->imsi, __ATOMIC_RELAXED);
}

/* Same three passes as the IMSI bulk lookup. */
static unsigned int
jt_msisdn_bulk(const struct jitsim_table_arr *a, const uint64_t *msisdn, unsigned int n,
	       uint64_t *imsi)
{
	unsigned int k, hits = 0;
	struct jt_bulk b;

	jt_bulk_locate(a, msisdn, n, &b);
	for (k = 0; k < n; k++) {
		uint64_t i = b.pos[k];

		if (i != JT_NOT_FOUND) {
			if (__atomic_load_n(&jt_msisdn_ent(a, i)->key, __ATOMIC_ACQUIRE) !=
			    msisdn[k])
				i = jt_find_from(a, msisdn[k], b.tag[k], b.chunk[k],
						 (unsigned int)(i % JT_CHUNK_SLOTS) + 1,
						 __ATOMIC_ACQUIRE);
		} else if (b.more[k]) {
			i = jt_find_from(a, msisdn[k], b.tag[k], jt_next_chunk(a, b.chunk[k]), 0,
					 __ATOMIC_ACQUIRE);
		}
		imsi[k] = i == JT_NOT_FOUND
				  ? 0
				  : __atomic_load_n(&jt_msisdn_ent(a, i)->imsi, __ATOMIC_RELAXED);
		hits += imsi[k] != 0;
	}
	return hits;
}

void
jitsim_table_msisdn_prefetch(const struct jitsim_table_msisdn *t, uint64_t msisdn)
{
	jt_prefetch_home(jt_arr_get(&t->cur), msisdn);
}

unsigned int
jitsim_table_msisdn_lookup_bulk(const struct jitsim_table_msisdn *t, const uint64_t *msisdn,
				unsigned int n, uint64_t *imsi)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);
	unsigned int done = 0, hits = 0;

	while (done < n) {
		unsigned int c =
			n - done < JITSIM_TABLE_BULK_MAX ? n - done : JITSIM_TABLE_BULK_MAX;

		hits += jt_msisdn_bulk(a, msisdn + done, c, imsi + done);
		done += c;
	}
	return hits;
}

/* Called from a thread other than the updater, the caller must be a
 * registered, online RCU reader: the array is read for its geometry. */
void
jitsim_table_msisdn_stats(const struct jitsim_table_msisdn *t, struct jitsim_table_stats *st)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);

	st->entries = __atomic_load_n(&t->entries, __ATOMIC_RELAXED);
	st->tombstones = __atomic_load_n(&t->tombstones, __ATOMIC_RELAXED);
	st->rebuilds = __atomic_load_n(&t->rebuilds, __ATOMIC_RELAXED);
	st->slots = a->slots;
	st->bytes = a->map_len;
}
