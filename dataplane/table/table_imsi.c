/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * IMSI -> SIM entry table (contract and concurrency rules in table.h,
 * array layout in table_priv.h).
 *
 * Entry: 32 bytes, so two per cache line and never straddling one.
 *   key     compact IMSI, written once per slot (before the tag)
 *   msisdn  \ written by the updater inside the seqlock window
 *   sw      / state word: also CAS'd by workers at any time
 *   meta    seq (bits 0-31) | tenant (32-47) | region (48-63)
 *
 * Putting the sequence counter in the same word as tenant and region
 * means the closing store of an update publishes those two fields and the
 * even sequence at once, and a reader gets them from the load it makes
 * anyway to check the sequence.
 */

#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include <urcu/urcu-qsbr.h>

#include "table.h"
#include "table_priv.h"

struct jt_imsi_ent {
	uint64_t key;
	uint64_t msisdn;
	uint64_t sw;
	uint64_t meta;
};

_Static_assert(sizeof(struct jt_imsi_ent) == 32, "IMSI entry must stay 32 bytes");

struct jitsim_table_imsi {
	struct jitsim_table_arr *cur; /* published array (see jt_arr_get) */
	/* cur, or the array a rebuild is filling: where workers' state
	 * transitions must end up (jt_imsi_rebuild). */
	struct jitsim_table_arr *newest;
	/* Updater-written counters, read relaxed by stats. */
	uint64_t entries;
	uint64_t tombstones;
	uint64_t rebuilds;
	void (*hook)(struct jitsim_table_imsi *t, void *arg);
	void *hook_arg;
};

static inline struct jt_imsi_ent *
jt_imsi_ent(const struct jitsim_table_arr *a, uint64_t i)
{
	return (struct jt_imsi_ent *)(void *)(a->ents + i * sizeof(struct jt_imsi_ent));
}

static inline uint64_t
jt_meta(uint32_t seq, uint16_t tenant, uint16_t region)
{
	return (uint64_t)seq | (uint64_t)tenant << 32 | (uint64_t)region << 48;
}

/*
 * Seqlock read, in the fence-free C11 form (Boehm, "Can seqlocks get along
 * with programming language memory models?", 2012): acquire load of meta,
 * acquire loads of the fields, relaxed reload of meta. The updater stores
 * the odd meta, then the fields with release stores; a field load that
 * reads one of those stores therefore also makes the odd meta visible,
 * and the reload, kept after the field loads by their acquire, sees the
 * odd or a later value: the reader retries. No fence: ThreadSanitizer
 * does not model fences (GCC refuses them under -fsanitize=thread), and
 * on x86 these are plain loads and stores anyway.
 *
 * The wait is bounded by the updater's window: one store and an exchange,
 * no call, no allocation; only preemption of the updater thread can
 * stretch it, which is why the updater runs on a core of its own
 * (ARCHITECTURE.md). The state word is read inside the window too but is
 * not protected by it: workers change it by CAS at any time, and the
 * snapshot carries its value at one instant of the read.
 */
static inline void
jt_imsi_snapshot(const struct jt_imsi_ent *e, uint64_t key, struct jitsim_table_sim *out)
{
	uint64_t m1, m2, msisdn, sw;

	for (;;) {
		m1 = __atomic_load_n(&e->meta, __ATOMIC_ACQUIRE);
		if (m1 & 1) {
			jt_cpu_relax();
			continue;
		}
		msisdn = __atomic_load_n(&e->msisdn, __ATOMIC_ACQUIRE);
		sw = __atomic_load_n(&e->sw, __ATOMIC_ACQUIRE);
		m2 = __atomic_load_n(&e->meta, __ATOMIC_RELAXED);
		if (m1 == m2)
			break;
		jt_cpu_relax();
	}
	out->imsi = key;
	out->msisdn = msisdn;
	out->sw = sw;
	out->tenant = (uint16_t)(m1 >> 32);
	out->region = (uint16_t)(m1 >> 48);
}

struct jitsim_table_imsi *
jitsim_table_imsi_create(uint64_t expected)
{
	struct jitsim_table_imsi *t;
	uint64_t slots = jitsim_table_slots_for(expected, JITSIM_TABLE_LOAD_MAX);

	if (slots == 0) {
		errno = ENOMEM;
		return NULL;
	}
	t = calloc(1, sizeof(*t));
	if (t == NULL)
		return NULL;
	t->cur = jitsim_table_arr_alloc(slots, sizeof(struct jt_imsi_ent));
	if (t->cur == NULL) {
		free(t);
		return NULL;
	}
	t->newest = t->cur;
	return t;
}

void
jitsim_table_imsi_free(struct jitsim_table_imsi *t)
{
	if (t == NULL)
		return;
	jitsim_table_arr_free(t->cur);
	free(t);
}

void
jitsim_table_imsi_set_rebuild_hook(struct jitsim_table_imsi *t,
				   void (*fn)(struct jitsim_table_imsi *t, void *arg), void *arg)
{
	t->hook = fn;
	t->hook_arg = arg;
}

/*
 * Replace the array by one of @slots slots holding the live entries.
 *
 * Workers keep CASing state words in the old array until the grace period
 * ends, including after their entry was copied. A transition must not be
 * lost that way (a lease taken during a rebuild must survive it), nor be
 * invisible in the new array once readers use it (a second worker would
 * see the older word and take the lease again). Two rules give that:
 *  - t->newest points at the array being built before the copy starts.
 *    A worker whose CAS succeeded in an array other than t->newest repeats
 *    the transition there (jt_imsi_propagate) if the entry is there yet.
 *  - The copy of an entry publishes its tag, then reads the old state
 *    word again and, if it moved since it was copied, brings the new
 *    array's word up to date (CAS loop: before publication the old array
 *    is the only place where transitions are decided, so its latest word
 *    is right).
 * Both sides are sequentially consistent (worker: CAS, load newest, load
 * tag; updater: store tag, load old word), so for a transition after the
 * first read of the entry, the worker sees the tag or the updater sees
 * the transition (or both: the second CAS then fails harmlessly).
 *
 * Remaining corner: two workers making transitions on the same SIM in the
 * old array within nanoseconds may propagate them out of order; the CAS of
 * the later one fails (it expects the earlier word), so the new array
 * keeps the earlier word. Likewise a worker already on the new array can
 * change the word between another worker's CAS in the old array and its
 * propagation. For a lease this means two workers may both win
 * INVENTORY -> ACTIVATING for one SIM during a rebuild (both raise the
 * event; activation per IMSI is idempotent in the control plane); for a
 * touch, a duplicate ACTIVITY event. Closing it would take a lock or a
 * freeze of the old array, i.e. workers waiting on the updater.
 *
 * synchronize_rcu() blocks the updater, never a worker: the updater is a
 * registered QSBR thread and urcu-qsbr's synchronize_rcu() puts a calling
 * online thread offline for the wait. After it no worker can touch the
 * old array, so the array is unmapped right away instead of through
 * call_rcu(): a second grace period would only keep the old array (the
 * largest block of memory of the process) mapped longer.
 */
static int
jt_imsi_rebuild(struct jitsim_table_imsi *t, uint64_t slots)
{
	struct jitsim_table_arr *old = t->cur;
	struct jitsim_table_arr *n;

	n = jitsim_table_arr_alloc(slots, sizeof(struct jt_imsi_ent));
	if (n == NULL)
		return -ENOMEM;
	__atomic_store_n(&t->newest, n, __ATOMIC_SEQ_CST);

	for (uint64_t i = 0; i < old->slots; i++) {
		struct jt_imsi_ent *e = jt_imsi_ent(old, i);
		struct jt_imsi_ent c;
		uint64_t j, now, have;

		/* Tags, keys, msisdn and meta are only written by this thread;
		 * the state word is the one field workers may change now. */
		if (__atomic_load_n(jt_tag_ptr(old, i), __ATOMIC_RELAXED) < 2)
			continue;
		c.key = __atomic_load_n(&e->key, __ATOMIC_RELAXED);
		c.msisdn = __atomic_load_n(&e->msisdn, __ATOMIC_RELAXED);
		c.meta = __atomic_load_n(&e->meta, __ATOMIC_RELAXED);
		c.sw = __atomic_load_n(&e->sw, __ATOMIC_SEQ_CST);
		j = jitsim_table_arr_insert_new(n, &c);
		if (j == JT_NOT_FOUND)
			continue; /* sized for every entry: cannot happen */
		now = __atomic_load_n(&e->sw, __ATOMIC_SEQ_CST);
		have = c.sw;
		while (now != have &&
		       !__atomic_compare_exchange_n(&jt_imsi_ent(n, j)->sw, &have, now, false,
						    __ATOMIC_SEQ_CST, __ATOMIC_SEQ_CST))
			now = __atomic_load_n(&e->sw, __ATOMIC_SEQ_CST);
	}

	if (t->hook != NULL)
		t->hook(t, t->hook_arg);

	jt_arr_publish(&t->cur, n);
	urcu_qsbr_synchronize_rcu();
	jitsim_table_arr_free(old);
	__atomic_store_n(&t->tombstones, 0, __ATOMIC_RELAXED);
	jt_count_add(&t->rebuilds, 1);
	return 0;
}

int
jitsim_table_imsi_put(struct jitsim_table_imsi *t, const struct jitsim_table_sim *s)
{
	struct jitsim_table_arr *a = t->cur;
	struct jt_imsi_ent *e;
	uint64_t i, h;

	if (s->imsi == 0)
		return -EINVAL;

	i = jt_probe(a, s->imsi);
	if (i != JT_NOT_FOUND) {
		/* In-place replace under the entry's seqlock. The state word
		 * takes an exchange, not a store: a worker's CAS landing in the
		 * window must either precede it (and be overwritten, as the
		 * updater's word is the newer truth) or follow it and fail on
		 * the new value, never be torn. */
		uint64_t m;
		uint32_t seq;

		e = jt_imsi_ent(a, i);
		m = __atomic_load_n(&e->meta, __ATOMIC_RELAXED);
		seq = (uint32_t)m;
		__atomic_store_n(&e->meta, (m & ~0xffffffffULL) | (uint32_t)(seq + 1),
				 __ATOMIC_RELAXED);
		__atomic_store_n(&e->msisdn, s->msisdn, __ATOMIC_RELEASE);
		(void)__atomic_exchange_n(&e->sw, s->sw, __ATOMIC_ACQ_REL);
		__atomic_store_n(&e->meta, jt_meta(seq + 2, s->tenant, s->region),
				 __ATOMIC_RELEASE);
		return 0;
	}

	if (!jitsim_table_fits(t->entries + t->tombstones + 1, a->slots)) {
		uint64_t slots = jitsim_table_slots_for(t->entries + 1, JITSIM_TABLE_LOAD_GROW);
		int rc;

		if (slots == 0)
			return -ENOMEM;
		rc = jt_imsi_rebuild(t, slots);
		if (rc < 0)
			return rc;
		a = t->cur;
	}
	h = jt_hash(a->seed, s->imsi);
	i = jitsim_table_arr_claim(a, h);
	if (i == JT_NOT_FOUND)
		return -ENOMEM;

	/* Fields, then key, then tag: a reader that sees the tag (acquire)
	 * sees the rest. The slot was free, so no reader reads it yet. */
	e = jt_imsi_ent(a, i);
	__atomic_store_n(&e->msisdn, s->msisdn, __ATOMIC_RELAXED);
	__atomic_store_n(&e->sw, s->sw, __ATOMIC_RELAXED);
	__atomic_store_n(&e->meta, jt_meta(0, s->tenant, s->region), __ATOMIC_RELAXED);
	__atomic_store_n(&e->key, s->imsi, __ATOMIC_RELEASE);
	jt_lane_store(jt_tag_ptr(a, i), jt_tag(h), __ATOMIC_RELEASE);
	jt_count_add(&t->entries, 1);
	return 0;
}

int
jitsim_table_imsi_put_bulk(struct jitsim_table_imsi *t, const struct jitsim_table_sim *s,
			   unsigned int n)
{
	const struct jitsim_table_arr *a = t->cur;

	/* A bulk load inserts keys in store order, i.e. at random places of
	 * the array: fetch every home tag line of the burst first so that
	 * their cache misses overlap (the same trick as the bulk lookup). A
	 * rebuild in the middle only makes some prefetches useless. */
	for (unsigned int i = 0; i < n; i++)
		__builtin_prefetch(jt_ov_ptr(a, jt_home(jt_hash(a->seed, s[i].imsi), a->chunks)),
				   1);
	for (unsigned int i = 0; i < n; i++) {
		int rc = jitsim_table_imsi_put(t, &s[i]);

		if (rc != 0)
			return rc;
	}
	return 0;
}

int
jitsim_table_imsi_del(struct jitsim_table_imsi *t, uint64_t imsi)
{
	return jt_del(t->cur, imsi, &t->entries, &t->tombstones);
}

int
jitsim_table_imsi_rehash(struct jitsim_table_imsi *t)
{
	return jt_imsi_rebuild(t, jt_rehash_slots(t->cur, t->entries));
}

bool
jitsim_table_imsi_lookup(const struct jitsim_table_imsi *t, uint64_t imsi,
			 struct jitsim_table_sim *out)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);
	uint64_t i;

	if (imsi == 0)
		return false;
	i = jt_probe(a, imsi);
	if (i == JT_NOT_FOUND)
		return false;
	jt_imsi_snapshot(jt_imsi_ent(a, i), imsi, out);
	return true;
}

/*
 * Three passes over the burst, as rte_hash_lookup_bulk() does, so the
 * cache misses of different keys overlap instead of being paid one after
 * the other: hash every key and prefetch its home tag line; scan the home
 * chunks (lines now in flight or cached) for the first candidate and
 * prefetch its entry, or the next chunk's line when the key may have
 * overflowed; then confirm keys and copy the snapshots.
 */
static unsigned int
jt_imsi_bulk(const struct jitsim_table_arr *a, const uint64_t *imsi, unsigned int n,
	     struct jitsim_table_sim *out, bool *hit)
{
	unsigned int k, hits = 0;
	struct jt_bulk b;

	jt_bulk_locate(a, imsi, n, &b);
	for (k = 0; k < n; k++) {
		uint64_t i = b.pos[k];

		if (i != JT_NOT_FOUND) {
			if (__atomic_load_n(&jt_imsi_ent(a, i)->key, __ATOMIC_ACQUIRE) != imsi[k])
				i = jt_find_from(a, imsi[k], b.tag[k], b.chunk[k],
						 (unsigned int)(i % JT_CHUNK_SLOTS) + 1,
						 __ATOMIC_ACQUIRE);
		} else if (b.more[k]) {
			i = jt_find_from(a, imsi[k], b.tag[k], jt_next_chunk(a, b.chunk[k]), 0,
					 __ATOMIC_ACQUIRE);
		}
		hit[k] = i != JT_NOT_FOUND;
		if (hit[k]) {
			jt_imsi_snapshot(jt_imsi_ent(a, i), imsi[k], &out[k]);
			hits++;
		}
	}
	return hits;
}

void
jitsim_table_imsi_prefetch(const struct jitsim_table_imsi *t, uint64_t imsi)
{
	jt_prefetch_home(jt_arr_get(&t->cur), imsi);
}

unsigned int
jitsim_table_imsi_lookup_bulk(const struct jitsim_table_imsi *t, const uint64_t *imsi,
			      unsigned int n, struct jitsim_table_sim *out, bool *hit)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);
	unsigned int done = 0, hits = 0;

	/* More than the maximum is served in chunks rather than refused:
	 * the caller's burst size is not worth a failure mode. */
	while (done < n) {
		unsigned int c =
			n - done < JITSIM_TABLE_BULK_MAX ? n - done : JITSIM_TABLE_BULK_MAX;

		hits += jt_imsi_bulk(a, imsi + done, c, out + done, hit + done);
		done += c;
	}
	return hits;
}

/* The array the caller reads now and the slot of @imsi in it, or NULL. */
static const struct jitsim_table_arr *
jt_imsi_find(struct jitsim_table_imsi *t, uint64_t imsi, uint64_t *slot)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);

	if (imsi == 0)
		return NULL;
	*slot = jt_probe(a, imsi);
	return *slot == JT_NOT_FOUND ? NULL : a;
}

static inline uint64_t *
jt_imsi_sw(const struct jitsim_table_arr *a, uint64_t slot)
{
	return &jt_imsi_ent(a, slot)->sw;
}

/*
 * After a successful transition @expect -> @desired in array @a: if a
 * rebuild is filling or has published a newer array, make the same
 * transition there (see jt_imsi_rebuild). The CAS fails, correctly, when
 * the new array already has @desired (the copy read it, or the updater
 * brought it over) or a later word. The caller's CAS was seq_cst, and so
 * are the loads here, pairing with the updater's tag store and re-read.
 */
static void
jt_imsi_propagate(struct jitsim_table_imsi *t, const struct jitsim_table_arr *a, uint64_t imsi,
		  uint64_t expect, uint64_t desired)
{
	const struct jitsim_table_arr *b = __atomic_load_n(&t->newest, __ATOMIC_SEQ_CST);
	uint64_t h, j;

	if (b == a)
		return;
	h = jt_hash(b->seed, imsi);
	j = jt_find_from(b, imsi, jt_tag(h), jt_home(h, b->chunks), 0, __ATOMIC_SEQ_CST);
	if (j != JT_NOT_FOUND)
		__atomic_compare_exchange_n(jt_imsi_sw(b, j), &expect, desired, false,
					    __ATOMIC_SEQ_CST, __ATOMIC_RELAXED);
}

int
jitsim_table_imsi_cas_state(struct jitsim_table_imsi *t, uint64_t imsi, uint64_t expect,
			    uint64_t desired, uint64_t *actual)
{
	uint64_t slot, e = expect;
	const struct jitsim_table_arr *a = jt_imsi_find(t, imsi, &slot);

	if (a == NULL)
		return -ENOENT;
	if (__atomic_compare_exchange_n(jt_imsi_sw(a, slot), &e, desired, false, __ATOMIC_SEQ_CST,
					__ATOMIC_ACQUIRE)) {
		jt_imsi_propagate(t, a, imsi, expect, desired);
		return 0;
	}
	if (actual != NULL)
		*actual = e;
	return -EAGAIN;
}

bool
jitsim_table_imsi_take_lease(struct jitsim_table_imsi *t, uint64_t imsi, uint32_t now,
			     uint32_t lease_until, uint64_t *prev)
{
	uint64_t slot, cur, desired, *sw;
	const struct jitsim_table_arr *a = jt_imsi_find(t, imsi, &slot);
	unsigned int st, next;

	if (prev != NULL)
		*prev = 0;
	if (a == NULL)
		return false;
	sw = jt_imsi_sw(a, slot);
	cur = __atomic_load_n(sw, __ATOMIC_ACQUIRE);
	/* A failed CAS reloads cur and the decision is made again on the
	 * new word: the loser of a race sees the winner's lease and stops. */
	for (;;) {
		st = jitsim_table_sw_state(cur);
		if (st == JITSIM_SIM_INVENTORY)
			next = JITSIM_SIM_ACTIVATING;
		else if (st == JITSIM_SIM_SLEEPING)
			next = JITSIM_SIM_REACTIVATING;
		else if ((st == JITSIM_SIM_ACTIVATING || st == JITSIM_SIM_REACTIVATING) &&
			 jitsim_table_sw_time(cur) < now)
			next = st;
		else
			break;
		/* Flags and the spare bits are kept. */
		desired = (cur & 0x00000000ffffff00ULL) | next | (uint64_t)lease_until << 32;
		if (__atomic_compare_exchange_n(sw, &cur, desired, false, __ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE)) {
			jt_imsi_propagate(t, a, imsi, cur, desired);
			if (prev != NULL)
				*prev = cur;
			return true;
		}
	}
	if (prev != NULL)
		*prev = cur;
	return false;
}

bool
jitsim_table_imsi_touch(struct jitsim_table_imsi *t, uint64_t imsi, uint32_t epoch)
{
	uint64_t slot, cur, desired, *sw;
	const struct jitsim_table_arr *a = jt_imsi_find(t, imsi, &slot);

	if (a == NULL)
		return false;
	sw = jt_imsi_sw(a, slot);
	cur = __atomic_load_n(sw, __ATOMIC_ACQUIRE);
	while (jitsim_table_sw_touchable(jitsim_table_sw_state(cur)) &&
	       jitsim_table_sw_time(cur) < epoch) {
		desired = (cur & 0xffffffffULL) | (uint64_t)epoch << 32;
		if (__atomic_compare_exchange_n(sw, &cur, desired, false, __ATOMIC_SEQ_CST,
						__ATOMIC_ACQUIRE)) {
			jt_imsi_propagate(t, a, imsi, cur, desired);
			return true;
		}
	}
	return false;
}

/* Called from a thread other than the updater, the caller must be a
 * registered, online RCU reader: the array is read for its geometry. */
void
jitsim_table_imsi_stats(const struct jitsim_table_imsi *t, struct jitsim_table_stats *st)
{
	const struct jitsim_table_arr *a = jt_arr_get(&t->cur);

	st->entries = __atomic_load_n(&t->entries, __ATOMIC_RELAXED);
	st->tombstones = __atomic_load_n(&t->tombstones, __ATOMIC_RELAXED);
	st->rebuilds = __atomic_load_n(&t->rebuilds, __ATOMIC_RELAXED);
	st->slots = a->slots;
	st->bytes = a->map_len;
}
