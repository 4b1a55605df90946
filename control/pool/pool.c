/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Number pools: definitions, per-range bitmaps, allocation cursors, the
 * quarantine heap, reservations and the per-batch undo journal
 * (pool.h, docs/pools.md).
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/digits.h>

#include "pool.h"
#include "pool_class.h"
#include "pool_map.h"
#include "store.h"

#define KEY_VALUE_MASK ((1ull << 56) - 1)
/* Numbers a lazy sweep frees per allocation: bounds the batch it grows. */
#define LAZY_SWEEP_MAX 4096
#define DEF_VERSION 1

struct range {
	uint64_t first; /* compact keys */
	uint64_t last;
	uint64_t size;
	uint64_t *bits; /* 1 = taken, quarantined, reserved (or past the end) */
	size_t nwords;
	/* Next offset to look at, per class: each class walks on its own,
	 * so gold requests do not push the standard cursor past free
	 * standard numbers. */
	uint64_t cursor[JITSIM_POOL_CLASS_COUNT];
	/* Bit c: a whole pass found no free number of class c; cleared when
	 * a number of the range becomes free. Keeps an exhausted range from
	 * being rescanned on every request. */
	unsigned int full;
};

struct pool {
	struct jitsim_pool_def def;
	struct range r[JITSIM_POOL_RANGES_MAX];
	hs_database_t *db; /* NULL: the set's default rules */
	uint64_t size;
	/* Bit c: class c can occur (standard, and the classes of the rules):
	 * a request for a class no rule gives fails without a scan. */
	unsigned int classes;
	uint64_t used; /* bits set */
	uint64_t nq;
	uint64_t nr;
	/* Added by this batch, not committed yet: overlap checks only. */
	const struct jitsim_store_batch *pending;
};

/* A range of some pool, in the set's index sorted by first key. */
struct span {
	uint64_t first;
	uint64_t last;
	struct pool *p;
	unsigned int ri;
};

struct qent {
	uint32_t until;
	uint64_t msisdn;
};

enum jop { J_SET, J_CLEAR, J_QADD, J_QDEL, J_RADD, J_RDEL, J_POOL_ADD };

struct jent {
	const struct jitsim_store_batch *b;
	enum jop op;
	uint64_t msisdn;
	uint64_t aux;	/* until (QADD/QDEL), IMSI (RADD/RDEL) */
	struct pool *p; /* J_POOL_ADD */
};

struct jitsim_pool_set {
	struct jitsim_store *st;
	struct pool **pools; /* sorted by id */
	size_t npools;
	size_t pools_cap;
	struct span *spans;
	size_t nspans;
	hs_database_t *defdb;
	hs_scratch_t *scratch;
	struct jitsim_pool_map q;     /* msisdn -> until */
	struct jitsim_pool_map r;     /* msisdn -> IMSI */
	struct jitsim_pool_map rimsi; /* IMSI -> msisdn */
	struct jitsim_pool_map pend;  /* msisdn -> batch that changed it */
	struct qent *heap;	      /* min-heap on until; stale entries skipped */
	size_t nheap;
	size_t heap_cap;
	struct jent *jn;
	size_t njn;
	size_t jn_cap;
	const struct jitsim_pool_def **list;
	size_t list_cap;
};

static const char *const class_names[JITSIM_POOL_CLASS_COUNT] = {
	[JITSIM_POOL_STANDARD] = "standard",
	[JITSIM_POOL_GOLD] = "gold",
	[JITSIM_POOL_PLATINUM] = "platinum",
	[JITSIM_POOL_VANITY] = "vanity",
};

const char *
jitsim_pool_class_str(enum jitsim_pool_class c)
{
	return (unsigned int)c < JITSIM_POOL_CLASS_COUNT ? class_names[c] : "unknown";
}

int
jitsim_pool_class_parse(const char *s, enum jitsim_pool_class *out)
{
	for (unsigned int c = 0; c < JITSIM_POOL_CLASS_COUNT; c++)
		if (strcmp(s, class_names[c]) == 0) {
			*out = (enum jitsim_pool_class)c;
			return 0;
		}
	return -EINVAL;
}

/* ---- small helpers ---------------------------------------------------- */

static void
put_be32(uint8_t *p, uint32_t v)
{
	for (int i = 3; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--, v >>= 8)
		p[i] = (uint8_t)v;
}

static uint64_t
get_be(const uint8_t *p, unsigned int n)
{
	uint64_t v = 0;

	for (unsigned int i = 0; i < n; i++)
		v = v << 8 | p[i];
	return v;
}

static const char *
num_str(uint64_t key, char *buf, size_t size)
{
	if (jitsim_digits_key_format(key, buf, size) < 0)
		snprintf(buf, size, "(key 0x%" PRIx64 ")", key);
	return buf;
}

static unsigned int
key_digits(uint64_t key)
{
	return (unsigned int)(key >> 56);
}

/* A compact key of an E.164 number: 1..15 digits, value below 10^n. */
static bool
key_is_e164(uint64_t key)
{
	unsigned int n = key_digits(key);
	uint64_t lim = 1;

	if (n == 0 || n > JITSIM_POOL_DIGITS_MAX)
		return false;
	for (unsigned int i = 0; i < n; i++)
		lim *= 10;
	return (key & KEY_VALUE_MASK) < lim;
}

/* The @n ASCII digits of @v into @buf (no NUL). */
static void
fmt_digits(uint64_t v, unsigned int n, char *buf)
{
	for (unsigned int i = n; i > 0; i--) {
		buf[i - 1] = (char)('0' + v % 10);
		v /= 10;
	}
}

/* @buf + 1 in place (the caller knows it does not overflow the count). */
static void
inc_digits(char *buf, unsigned int n)
{
	for (unsigned int i = n; i > 0; i--) {
		if (buf[i - 1] != '9') {
			buf[i - 1]++;
			return;
		}
		buf[i - 1] = '0';
	}
}

static void
q_key(uint8_t k[10], uint64_t msisdn)
{
	k[0] = 'q';
	k[1] = '/';
	put_be64(k + 2, msisdn);
}

static void
r_key(uint8_t k[10], uint64_t msisdn)
{
	k[0] = 'r';
	k[1] = '/';
	put_be64(k + 2, msisdn);
}

static void
def_key(uint8_t k[8], uint32_t id)
{
	memcpy(k, "def/", 4);
	put_be32(k + 4, id);
}

static bool
bit_get(const struct range *r, uint64_t off)
{
	return (r->bits[off >> 6] >> (off & 63)) & 1;
}

/* ---- index of ranges -------------------------------------------------- */

static int
span_cmp(const void *a, const void *b)
{
	const struct span *x = a, *y = b;

	return x->first < y->first ? -1 : x->first > y->first;
}

static int
spans_rebuild(struct jitsim_pool_set *set)
{
	size_t n = 0;
	struct span *s;

	for (size_t i = 0; i < set->npools; i++)
		n += set->pools[i]->def.nranges;
	s = calloc(n ? n : 1, sizeof(*s));
	if (s == NULL)
		return -ENOMEM;
	n = 0;
	for (size_t i = 0; i < set->npools; i++)
		for (unsigned int j = 0; j < set->pools[i]->def.nranges; j++)
			s[n++] = (struct span){set->pools[i]->r[j].first, set->pools[i]->r[j].last,
					       set->pools[i], j};
	qsort(s, n, sizeof(*s), span_cmp);
	free(set->spans);
	set->spans = s;
	set->nspans = n;
	return 0;
}

/* The range holding @msisdn, or NULL. */
static const struct span *
span_find(const struct jitsim_pool_set *set, uint64_t msisdn)
{
	size_t lo = 0, hi = set->nspans;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->spans[mid].last < msisdn)
			lo = mid + 1;
		else
			hi = mid;
	}
	if (lo < set->nspans && set->spans[lo].first <= msisdn)
		return &set->spans[lo];
	return NULL;
}

/* ---- bits and counters ------------------------------------------------ */

static void
bit_set(struct pool *p, unsigned int ri, uint64_t off)
{
	p->r[ri].bits[off >> 6] |= 1ull << (off & 63);
	p->used++;
}

static void
bit_clear(struct pool *p, unsigned int ri, uint64_t off)
{
	p->r[ri].bits[off >> 6] &= ~(1ull << (off & 63));
	p->r[ri].full = 0;
	p->used--;
}

/* ---- quarantine heap -------------------------------------------------- */

static int
heap_push(struct jitsim_pool_set *set, uint32_t until, uint64_t msisdn)
{
	size_t i;

	if (set->nheap == set->heap_cap) {
		size_t cap = set->heap_cap ? 2 * set->heap_cap : 64;
		struct qent *h = realloc(set->heap, cap * sizeof(*h));

		if (h == NULL)
			return -ENOMEM;
		set->heap = h;
		set->heap_cap = cap;
	}
	for (i = set->nheap++; i > 0; i = (i - 1) / 2) {
		size_t up = (i - 1) / 2;

		if (set->heap[up].until <= until)
			break;
		set->heap[i] = set->heap[up];
	}
	set->heap[i] = (struct qent){until, msisdn};
	return 0;
}

static void
heap_pop(struct jitsim_pool_set *set)
{
	struct qent last = set->heap[--set->nheap];
	size_t i = 0, n = set->nheap;

	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && set->heap[c + 1].until < set->heap[c].until)
			c++;
		if (last.until <= set->heap[c].until)
			break;
		set->heap[i] = set->heap[c];
		i = c;
	}
	if (n > 0)
		set->heap[i] = last;
}

/* ---- journal ---------------------------------------------------------- */

static int
busy(const struct jitsim_pool_set *set, uint64_t msisdn, const struct jitsim_store_batch *b)
{
	uint64_t v;

	if (jitsim_pool_map_get(&set->pend, msisdn, &v) && v != (uint64_t)(uintptr_t)b)
		return -EBUSY;
	return 0;
}

static int
jn_push(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, enum jop op,
	uint64_t msisdn, uint64_t aux, struct pool *p)
{
	if (set->njn == set->jn_cap) {
		size_t cap = set->jn_cap ? 2 * set->jn_cap : 256;
		struct jent *j = realloc(set->jn, cap * sizeof(*j));

		if (j == NULL)
			return -ENOMEM;
		set->jn = j;
		set->jn_cap = cap;
	}
	if (msisdn != 0 && jitsim_pool_map_put(&set->pend, msisdn, (uint64_t)(uintptr_t)b) != 0)
		return -ENOMEM;
	set->jn[set->njn++] = (struct jent){b, op, msisdn, aux, p};
	return 0;
}

/* Each j_* records one change under @b, then makes it. */
static int
j_set(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
      uint64_t msisdn)
{
	int rc = jn_push(set, b, J_SET, msisdn, 0, NULL);

	if (rc == 0)
		bit_set(s->p, s->ri, msisdn - s->first);
	return rc;
}

static int
j_clear(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
	uint64_t msisdn)
{
	int rc = jn_push(set, b, J_CLEAR, msisdn, 0, NULL);

	if (rc == 0)
		bit_clear(s->p, s->ri, msisdn - s->first);
	return rc;
}

static int
q_add(struct jitsim_pool_set *set, struct pool *p, uint64_t msisdn, uint32_t until)
{
	if (jitsim_pool_map_put(&set->q, msisdn, until) != 0)
		return -ENOMEM;
	if (heap_push(set, until, msisdn) != 0) {
		jitsim_pool_map_del(&set->q, msisdn);
		return -ENOMEM;
	}
	p->nq++;
	return 0;
}

static void
q_del(struct jitsim_pool_set *set, struct pool *p, uint64_t msisdn)
{
	/* Its heap entry stays and is skipped when popped. */
	if (jitsim_pool_map_del(&set->q, msisdn))
		p->nq--;
}

static int
r_add(struct jitsim_pool_set *set, struct pool *p, uint64_t msisdn, uint64_t imsi)
{
	if (jitsim_pool_map_put(&set->r, msisdn, imsi) != 0)
		return -ENOMEM;
	if (jitsim_pool_map_put(&set->rimsi, imsi, msisdn) != 0) {
		jitsim_pool_map_del(&set->r, msisdn);
		return -ENOMEM;
	}
	p->nr++;
	return 0;
}

static void
r_del(struct jitsim_pool_set *set, struct pool *p, uint64_t msisdn)
{
	uint64_t imsi;

	if (jitsim_pool_map_get(&set->r, msisdn, &imsi)) {
		jitsim_pool_map_del(&set->r, msisdn);
		jitsim_pool_map_del(&set->rimsi, imsi);
		p->nr--;
	}
}

static int
j_qadd(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
       uint64_t msisdn, uint32_t until)
{
	int rc = jn_push(set, b, J_QADD, msisdn, until, NULL);

	if (rc == 0 && (rc = q_add(set, s->p, msisdn, until)) != 0)
		set->njn--;
	return rc;
}

static int
j_qdel(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
       uint64_t msisdn, uint32_t until)
{
	int rc = jn_push(set, b, J_QDEL, msisdn, until, NULL);

	if (rc == 0)
		q_del(set, s->p, msisdn);
	return rc;
}

static int
j_radd(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
       uint64_t msisdn, uint64_t imsi)
{
	int rc = jn_push(set, b, J_RADD, msisdn, imsi, NULL);

	if (rc == 0 && (rc = r_add(set, s->p, msisdn, imsi)) != 0)
		set->njn--;
	return rc;
}

static int
j_rdel(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, const struct span *s,
       uint64_t msisdn, uint64_t imsi)
{
	int rc = jn_push(set, b, J_RDEL, msisdn, imsi, NULL);

	if (rc == 0)
		r_del(set, s->p, msisdn);
	return rc;
}

static void pool_remove(struct jitsim_pool_set *set, struct pool *p);

/* Undo one entry. Re-adding to a map may fail for memory: the number then
 * keeps its bit set with no quarantine/reservation entry, i.e. it looks
 * taken until the next open, which never gives a number twice. */
static void
jn_undo(struct jitsim_pool_set *set, const struct jent *e)
{
	const struct span *s = e->op == J_POOL_ADD ? NULL : span_find(set, e->msisdn);

	if (e->op == J_POOL_ADD) {
		pool_remove(set, e->p);
		return;
	}
	if (s == NULL)
		return;
	switch (e->op) {
	case J_SET:
		bit_clear(s->p, s->ri, e->msisdn - s->first);
		break;
	case J_CLEAR:
		bit_set(s->p, s->ri, e->msisdn - s->first);
		break;
	case J_QADD:
		q_del(set, s->p, e->msisdn);
		break;
	case J_QDEL:
		(void)q_add(set, s->p, e->msisdn, (uint32_t)e->aux);
		break;
	case J_RADD:
		r_del(set, s->p, e->msisdn);
		break;
	case J_RDEL:
		(void)r_add(set, s->p, e->msisdn, e->aux);
		break;
	case J_POOL_ADD:
		break;
	}
}

/* Undo the entries above @mark (all of the call in progress, one batch). */
static void
jn_undo_to(struct jitsim_pool_set *set, size_t mark)
{
	while (set->njn > mark) {
		set->njn--;
		jn_undo(set, &set->jn[set->njn]);
		if (set->jn[set->njn].msisdn != 0)
			jitsim_pool_map_del(&set->pend, set->jn[set->njn].msisdn);
	}
}

/* Drop @b's entries (undoing them first, newest first, if @undo). */
static void
jn_finish(struct jitsim_pool_set *set, const struct jitsim_store_batch *b, bool undo)
{
	size_t k = 0;

	if (undo)
		for (size_t i = set->njn; i > 0; i--)
			if (set->jn[i - 1].b == b)
				jn_undo(set, &set->jn[i - 1]);
	for (size_t i = 0; i < set->njn; i++) {
		struct jent *e = &set->jn[i];

		if (e->b != b) {
			set->jn[k++] = *e;
			continue;
		}
		if (e->msisdn != 0)
			jitsim_pool_map_del(&set->pend, e->msisdn);
		if (e->op == J_POOL_ADD && !undo)
			e->p->pending = NULL;
		/* Another batch may have found the range full while this
		 * number was in flight: let it look again. */
		if (e->op == J_CLEAR && !undo) {
			const struct span *s = span_find(set, e->msisdn);

			if (s != NULL)
				s->p->r[s->ri].full = 0;
		}
	}
	set->njn = k;
	/* A burst of pending changes leaves a large, empty map behind. */
	if (set->njn == 0 && set->pend.n == 0 && set->pend.mask > 4095)
		jitsim_pool_map_fini(&set->pend);
}

void
jitsim_pool_commit_done(struct jitsim_pool_set *set, struct jitsim_store_batch *b)
{
	jn_finish(set, b, false);
}

void
jitsim_pool_abort(struct jitsim_pool_set *set, struct jitsim_store_batch *b)
{
	jn_finish(set, b, true);
}

/* ---- definitions ------------------------------------------------------ */

static bool
name_ok(const char *s)
{
	size_t n = strnlen(s, JITSIM_POOL_NAME_MAX);

	if (n == 0 || n == JITSIM_POOL_NAME_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (!((s[i] >= 'a' && s[i] <= 'z') || (s[i] >= 'A' && s[i] <= 'Z') ||
		      (s[i] >= '0' && s[i] <= '9') || s[i] == '-' || s[i] == '_' || s[i] == '.'))
			return false;
	return true;
}

static struct pool *
pool_by_id(const struct jitsim_pool_set *set, uint32_t id)
{
	size_t lo = 0, hi = set->npools;

	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (set->pools[mid]->def.id < id)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo < set->npools && set->pools[lo]->def.id == id ? set->pools[lo] : NULL;
}

/* Everything about @d but its rule patterns (compiled later), against
 * the pools of @set. @what names the definition in messages. */
static int
def_check(const struct jitsim_pool_set *set, const struct jitsim_pool_def *d, const char *what,
	  char *err, size_t errlen)
{
	char a[24], b[24];
	uint64_t total = 0;
	unsigned int n;

	if (d->id == JITSIM_POOL_ALL) {
		snprintf(err, errlen, "%s: id %" PRIu32 " is reserved", what, d->id);
		return -EINVAL;
	}
	if (!name_ok(d->name)) {
		snprintf(err, errlen,
			 "%s: name: 1..%d characters of A-Z a-z 0-9 '-' '_' '.' expected", what,
			 JITSIM_POOL_NAME_MAX - 1);
		return -EINVAL;
	}
	if (pool_by_id(set, d->id) != NULL) {
		snprintf(err, errlen, "%s: id %" PRIu32 " already names pool %s", what, d->id,
			 pool_by_id(set, d->id)->def.name);
		return -EEXIST;
	}
	for (size_t i = 0; i < set->npools; i++)
		if (strcmp(set->pools[i]->def.name, d->name) == 0) {
			snprintf(err, errlen, "%s: name already used by pool id %" PRIu32, what,
				 set->pools[i]->def.id);
			return -EEXIST;
		}
	if (d->nranges == 0 || d->nranges > JITSIM_POOL_RANGES_MAX) {
		snprintf(err, errlen, "%s: %u ranges (1..%d)", what, d->nranges,
			 JITSIM_POOL_RANGES_MAX);
		return -EINVAL;
	}
	if (d->nrules > JITSIM_POOL_RULES_MAX) {
		snprintf(err, errlen, "%s: %u rules (0..%d)", what, d->nrules,
			 JITSIM_POOL_RULES_MAX);
		return -EINVAL;
	}
	n = key_digits(d->ranges[0].first);
	for (unsigned int i = 0; i < d->nranges; i++) {
		const struct jitsim_pool_range *r = &d->ranges[i];

		if (!key_is_e164(r->first) || !key_is_e164(r->last)) {
			snprintf(err, errlen, "%s: range %u: not numbers of 1..%d digits", what, i,
				 JITSIM_POOL_DIGITS_MAX);
			return -EINVAL;
		}
		if (key_digits(r->first) != n || key_digits(r->last) != n) {
			snprintf(err, errlen,
				 "%s: range %u (%s-%s): every number of a pool has %u digits", what,
				 i, num_str(r->first, a, sizeof(a)), num_str(r->last, b, sizeof(b)),
				 n);
			return -EINVAL;
		}
		if (r->first > r->last) {
			snprintf(err, errlen, "%s: range %u (%s-%s): first after last", what, i,
				 num_str(r->first, a, sizeof(a)), num_str(r->last, b, sizeof(b)));
			return -EINVAL;
		}
		total += r->last - r->first + 1;
		if (total > JITSIM_POOL_SIZE_MAX) {
			snprintf(err, errlen, "%s: more than %llu numbers", what,
				 (unsigned long long)JITSIM_POOL_SIZE_MAX);
			return -EINVAL;
		}
		for (unsigned int j = 0; j < i; j++)
			if (r->first <= d->ranges[j].last && d->ranges[j].first <= r->last) {
				snprintf(err, errlen, "%s: ranges %u and %u overlap", what, j, i);
				return -EINVAL;
			}
		for (size_t j = 0; j < set->nspans; j++) {
			const struct span *s = &set->spans[j];

			if (r->first <= s->last && s->first <= r->last) {
				snprintf(err, errlen,
					 "%s: range %u (%s-%s) overlaps pool %s (id %" PRIu32 ")",
					 what, i, num_str(r->first, a, sizeof(a)),
					 num_str(r->last, b, sizeof(b)), s->p->def.name,
					 s->p->def.id);
				return -EINVAL;
			}
		}
	}
	return 0;
}

/* Version 1: u8 version, u8 name length, name, u16 tenant, u16 region,
 * u32 quarantine, u8 ranges, ranges (u64 first, u64 last), u8 rules, rules
 * (u8 class, u8 pattern length, pattern); big-endian. */
#define DEF_ENC_MAX                                                                       \
	(1 + 1 + JITSIM_POOL_NAME_MAX + 2 + 2 + 4 + 1 + 16 * JITSIM_POOL_RANGES_MAX + 1 + \
	 JITSIM_POOL_RULES_MAX * (2 + JITSIM_POOL_PATTERN_MAX))

static size_t
def_encode(const struct jitsim_pool_def *d, uint8_t *out)
{
	size_t o = 0, len = strlen(d->name);

	out[o++] = DEF_VERSION;
	out[o++] = (uint8_t)len;
	memcpy(out + o, d->name, len);
	o += len;
	out[o++] = (uint8_t)(d->tenant >> 8);
	out[o++] = (uint8_t)d->tenant;
	out[o++] = (uint8_t)(d->region >> 8);
	out[o++] = (uint8_t)d->region;
	put_be32(out + o, d->quarantine);
	o += 4;
	out[o++] = (uint8_t)d->nranges;
	for (unsigned int i = 0; i < d->nranges; i++) {
		put_be64(out + o, d->ranges[i].first);
		put_be64(out + o + 8, d->ranges[i].last);
		o += 16;
	}
	out[o++] = (uint8_t)d->nrules;
	for (unsigned int i = 0; i < d->nrules; i++) {
		len = strlen(d->rules[i].pattern);
		out[o++] = (uint8_t)d->rules[i].cls;
		out[o++] = (uint8_t)len;
		memcpy(out + o, d->rules[i].pattern, len);
		o += len;
	}
	return o;
}

/* Bounds checked on what is left: a damaged value names its field. */
static int
def_decode(const uint8_t *p, size_t len, uint32_t id, struct jitsim_pool_def *d, char *err,
	   size_t errlen)
{
	size_t o = 0, n;
	const char *field = "version";

	memset(d, 0, sizeof(*d));
	d->id = id;
#define NEED(k, f)                         \
	do {                               \
		field = (f);               \
		if (len - o < (size_t)(k)) \
			goto truncated;    \
	} while (0)
	NEED(1, "version");
	if (p[o] != DEF_VERSION) {
		snprintf(err, errlen, "pool key def/%" PRIu32 ": version %u (this build reads %d)",
			 id, p[o], DEF_VERSION);
		return -ENOTSUP;
	}
	o++;
	NEED(1, "name length");
	n = p[o++];
	if (n == 0 || n >= JITSIM_POOL_NAME_MAX) {
		snprintf(err, errlen, "pool key def/%" PRIu32 ": name length %zu", id, n);
		return -EBADMSG;
	}
	NEED(n, "name");
	memcpy(d->name, p + o, n);
	o += n;
	NEED(8, "tenant/region/quarantine");
	d->tenant = (uint16_t)get_be(p + o, 2);
	d->region = (uint16_t)get_be(p + o + 2, 2);
	d->quarantine = (uint32_t)get_be(p + o + 4, 4);
	o += 8;
	NEED(1, "range count");
	d->nranges = p[o++];
	if (d->nranges == 0 || d->nranges > JITSIM_POOL_RANGES_MAX) {
		snprintf(err, errlen, "pool key def/%" PRIu32 ": range count %u", id, d->nranges);
		return -EBADMSG;
	}
	for (unsigned int i = 0; i < d->nranges; i++) {
		NEED(16, "range");
		d->ranges[i].first = get_be(p + o, 8);
		d->ranges[i].last = get_be(p + o + 8, 8);
		o += 16;
	}
	NEED(1, "rule count");
	d->nrules = p[o++];
	if (d->nrules > JITSIM_POOL_RULES_MAX) {
		snprintf(err, errlen, "pool key def/%" PRIu32 ": rule count %u", id, d->nrules);
		return -EBADMSG;
	}
	for (unsigned int i = 0; i < d->nrules; i++) {
		NEED(2, "rule");
		d->rules[i].cls = (enum jitsim_pool_class)p[o];
		n = p[o + 1];
		o += 2;
		if (n == 0 || n >= JITSIM_POOL_PATTERN_MAX) {
			snprintf(err, errlen,
				 "pool key def/%" PRIu32 ": rule %u: pattern length %zu", id, i, n);
			return -EBADMSG;
		}
		NEED(n, "rule pattern");
		memcpy(d->rules[i].pattern, p + o, n);
		o += n;
	}
#undef NEED
	if (o != len) {
		snprintf(err, errlen, "pool key def/%" PRIu32 ": %zu trailing bytes", id, len - o);
		return -EBADMSG;
	}
	return 0;
truncated:
	snprintf(err, errlen, "pool key def/%" PRIu32 ": truncated at %s (offset %zu of %zu)", id,
		 field, o, len);
	return -EBADMSG;
}

static void
pool_free(struct pool *p)
{
	if (p == NULL)
		return;
	for (unsigned int i = 0; i < p->def.nranges; i++)
		free(p->r[i].bits);
	if (p->db != NULL)
		hs_free_database(p->db);
	free(p);
}

/* A pool from a checked definition: bitmaps (all free) and rules. */
static int
pool_new(struct jitsim_pool_set *set, const struct jitsim_pool_def *d, struct pool **out, char *err,
	 size_t errlen)
{
	struct pool *p = calloc(1, sizeof(*p));
	int rc;

	if (p == NULL)
		goto nomem;
	p->def = *d;
	/* Unused tails zeroed: the encoding and comparisons see no garbage. */
	memset(p->def.name + strlen(p->def.name), 0, sizeof(p->def.name) - strlen(p->def.name));
	for (unsigned int i = 0; i < d->nranges; i++) {
		struct range *r = &p->r[i];

		r->first = d->ranges[i].first;
		r->last = d->ranges[i].last;
		r->size = r->last - r->first + 1;
		r->nwords = (size_t)((r->size + 63) / 64);
		r->bits = calloc(r->nwords, sizeof(uint64_t));
		if (r->bits == NULL)
			goto nomem;
		/* Bits past the end read as taken: scans never return them. */
		if (r->size % 64)
			r->bits[r->nwords - 1] = ~0ull << (r->size % 64);
		p->size += r->size;
	}
	if (d->nrules > 0) {
		rc = jitsim_pool_class_compile(d->rules, d->nrules, d->name, &p->db, &set->scratch,
					       err, errlen);
		if (rc != 0) {
			pool_free(p);
			return rc;
		}
	}
	/* After the compile: it checked every class. */
	p->classes = 1u << JITSIM_POOL_STANDARD;
	for (unsigned int i = 0; i < d->nrules; i++)
		p->classes |= 1u << d->rules[i].cls;
	for (unsigned int i = 0; d->nrules == 0 && i < jitsim_pool_default_nrules; i++)
		p->classes |= 1u << jitsim_pool_default_rules[i].cls;
	*out = p;
	return 0;
nomem:
	snprintf(err, errlen, "pool %s: out of memory", d->name);
	pool_free(p);
	return -ENOMEM;
}

static int
pool_insert(struct jitsim_pool_set *set, struct pool *p)
{
	size_t i;

	if (set->npools == set->pools_cap) {
		size_t cap = set->pools_cap ? 2 * set->pools_cap : 8;
		struct pool **v = realloc(set->pools, cap * sizeof(*v));

		if (v == NULL)
			return -ENOMEM;
		set->pools = v;
		set->pools_cap = cap;
	}
	for (i = set->npools; i > 0 && set->pools[i - 1]->def.id > p->def.id; i--)
		set->pools[i] = set->pools[i - 1];
	set->pools[i] = p;
	set->npools++;
	if (spans_rebuild(set) != 0) {
		memmove(&set->pools[i], &set->pools[i + 1],
			(set->npools - i - 1) * sizeof(*set->pools));
		set->npools--;
		return -ENOMEM;
	}
	return 0;
}

static void
pool_remove(struct jitsim_pool_set *set, struct pool *p)
{
	size_t i, k = 0;

	for (i = 0; i < set->npools; i++)
		if (set->pools[i] != p)
			set->pools[k++] = set->pools[i];
	set->npools = k;
	/* Shrinking the index in place cannot fail, unlike a rebuild. */
	k = 0;
	for (i = 0; i < set->nspans; i++)
		if (set->spans[i].p != p)
			set->spans[k++] = set->spans[i];
	set->nspans = k;
	pool_free(p);
}

static const hs_database_t *
pool_db(const struct jitsim_pool_set *set, const struct pool *p)
{
	return p->db != NULL ? p->db : set->defdb;
}

static enum jitsim_pool_class
class_at(struct jitsim_pool_set *set, const struct pool *p, uint64_t key)
{
	char buf[JITSIM_POOL_DIGITS_MAX];
	unsigned int n = key_digits(key);

	fmt_digits(key & KEY_VALUE_MASK, n, buf);
	return jitsim_pool_class_match(pool_db(set, p), set->scratch, buf, n);
}

static int taken_scan(struct jitsim_pool_set *set, struct pool *p, unsigned int ri,
		      uint64_t first, uint64_t last, char *err, size_t errlen);

int
jitsim_pool_add(struct jitsim_pool_set *set, const struct jitsim_pool_def *def,
		struct jitsim_store_batch *b, char *err, size_t errlen)
{
	uint8_t key[8], val[DEF_ENC_MAX];
	char what[JITSIM_POOL_NAME_MAX + 32];
	struct pool *p;
	int rc;

	snprintf(what, sizeof(what), "pool %.*s (id %" PRIu32 ")", JITSIM_POOL_NAME_MAX - 1,
		 def->name, def->id);
	rc = def_check(set, def, what, err, errlen);
	if (rc != 0)
		return rc;
	rc = pool_new(set, def, &p, err, errlen);
	if (rc != 0)
		return rc;
	/* Numbers of the new ranges may already be taken: imported SIMs come
	 * with their MSISDNs, and the index is the truth (as at open). */
	for (unsigned int ri = 0; ri < p->def.nranges; ri++) {
		rc = taken_scan(set, p, ri, p->def.ranges[ri].first, p->def.ranges[ri].last, err,
				errlen);
		if (rc != 0) {
			pool_free(p);
			return rc;
		}
	}
	p->pending = b;
	rc = pool_insert(set, p);
	if (rc == 0) {
		rc = jn_push(set, b, J_POOL_ADD, 0, 0, p);
		if (rc != 0)
			pool_remove(set, p);
	} else {
		pool_free(p);
	}
	if (rc != 0) {
		snprintf(err, errlen, "%s: out of memory", what);
		return rc;
	}
	def_key(key, p->def.id);
	jitsim_store_batch_put(b, JITSIM_CF_POOL, key, sizeof(key), val, def_encode(&p->def, val));
	return 0;
}

/* ---- open / close ----------------------------------------------------- */

static int
load_defs(struct jitsim_pool_set *set, char *err, size_t errlen)
{
	struct jitsim_store_iter *it =
		jitsim_store_iter_new_range(set->st, JITSIM_CF_POOL, "def/", 4, "def0", 4);
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	if (it == NULL) {
		snprintf(err, errlen, "pool column family: cannot iterate");
		return -EIO;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		struct jitsim_pool_def d;
		char what[48];
		struct pool *p;

		if (kl != 8) {
			snprintf(err, errlen, "pool column family: def key of %zu bytes", kl);
			rc = -EBADMSG;
			break;
		}
		snprintf(what, sizeof(what), "pool key def/%" PRIu32, (uint32_t)get_be(k + 4, 4));
		rc = def_decode(v, vl, (uint32_t)get_be(k + 4, 4), &d, err, errlen);
		if (rc == 0)
			rc = def_check(set, &d, what, err, errlen);
		if (rc == 0)
			rc = pool_new(set, &d, &p, err, errlen);
		if (rc != 0)
			break;
		if (pool_insert(set, p) != 0) {
			pool_free(p);
			snprintf(err, errlen, "%s: out of memory", what);
			rc = -ENOMEM;
			break;
		}
	}
	jitsim_store_iter_free(it);
	if (rc < 0 && rc != -EBADMSG && rc != -ENOTSUP && rc != -EINVAL && rc != -EEXIST &&
	    rc != -ENOMEM) {
		snprintf(err, errlen, "pool column family: read error");
		return -EIO;
	}
	return rc < 0 ? rc : 0;
}

/* Taken numbers of range @ri of @p ([@first, @last]): the MSISDN index. */
static int
taken_scan(struct jitsim_pool_set *set, struct pool *p, unsigned int ri, uint64_t first,
	   uint64_t last, char *err, size_t errlen)
{
	uint8_t lo[8], hi[8];
	struct jitsim_store_iter *it;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	put_be64(lo, first);
	put_be64(hi, last + 1);
	it = jitsim_store_iter_new_range(set->st, JITSIM_CF_MSISDN, lo, 8, hi, 8);
	if (it == NULL) {
		snprintf(err, errlen, "msisdn column family: cannot iterate");
		return -EIO;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		uint64_t m;

		if (kl != 8)
			continue;
		m = get_be(k, 8);
		if (m >= first && m <= last && !bit_get(&p->r[ri], m - first))
			bit_set(p, ri, m - first);
	}
	jitsim_store_iter_free(it);
	if (rc < 0) {
		snprintf(err, errlen, "msisdn column family: read error");
		return -EIO;
	}
	return 0;
}

/* Taken numbers: the MSISDN index over each range. */
static int
load_taken(struct jitsim_pool_set *set, char *err, size_t errlen)
{
	for (size_t i = 0; i < set->nspans; i++) {
		const struct span *s = &set->spans[i];
		int rc = taken_scan(set, s->p, s->ri, s->first, s->last, err, errlen);

		if (rc != 0)
			return rc;
	}
	return 0;
}

/* Quarantine ("q/") and reservations ("r/"). An entry for a number in no
 * pool, or already taken (a stale entry: the MSISDN index wins, it is the
 * truth), is ignored. */
static int
load_marks(struct jitsim_pool_set *set, bool quarantine, char *err, size_t errlen)
{
	struct jitsim_store_iter *it = jitsim_store_iter_new_range(
		set->st, JITSIM_CF_POOL, quarantine ? "q/" : "r/", 2, quarantine ? "q0" : "r0", 2);
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	if (it == NULL) {
		snprintf(err, errlen, "pool column family: cannot iterate");
		return -EIO;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		const struct span *s;
		uint64_t m, off;

		if (kl != 10 || vl != (quarantine ? 4u : 8u))
			continue;
		m = get_be(k + 2, 8);
		s = span_find(set, m);
		if (s == NULL)
			continue;
		off = m - s->first;
		if (bit_get(&s->p->r[s->ri], off))
			continue;
		if (quarantine) {
			rc = q_add(set, s->p, m, (uint32_t)get_be(v, 4));
		} else {
			uint64_t imsi = get_be(v, 8);

			if (imsi == 0 || jitsim_pool_map_get(&set->rimsi, imsi, NULL))
				continue;
			rc = r_add(set, s->p, m, imsi);
		}
		if (rc != 0) {
			snprintf(err, errlen, "pool column family: out of memory");
			jitsim_store_iter_free(it);
			return -ENOMEM;
		}
		bit_set(s->p, s->ri, off);
	}
	jitsim_store_iter_free(it);
	if (rc < 0) {
		snprintf(err, errlen, "pool column family: read error");
		return -EIO;
	}
	return 0;
}

int
jitsim_pool_set_open(struct jitsim_store *st, struct jitsim_pool_set **out, char *err,
		     size_t errlen)
{
	struct jitsim_pool_set *set = calloc(1, sizeof(*set));
	int rc;

	*out = NULL;
	if (set == NULL) {
		snprintf(err, errlen, "pool set: out of memory");
		return -ENOMEM;
	}
	set->st = st;
	rc = jitsim_pool_class_compile(jitsim_pool_default_rules, jitsim_pool_default_nrules,
				       "(defaults)", &set->defdb, &set->scratch, err, errlen);
	if (rc == 0)
		rc = load_defs(set, err, errlen);
	if (rc == 0)
		rc = load_taken(set, err, errlen);
	if (rc == 0)
		rc = load_marks(set, true, err, errlen);
	if (rc == 0)
		rc = load_marks(set, false, err, errlen);
	if (rc != 0) {
		jitsim_pool_set_close(set);
		return rc;
	}
	*out = set;
	return 0;
}

void
jitsim_pool_set_close(struct jitsim_pool_set *set)
{
	if (set == NULL)
		return;
	for (size_t i = 0; i < set->npools; i++)
		pool_free(set->pools[i]);
	free(set->pools);
	free(set->spans);
	if (set->defdb != NULL)
		hs_free_database(set->defdb);
	if (set->scratch != NULL)
		hs_free_scratch(set->scratch);
	jitsim_pool_map_fini(&set->q);
	jitsim_pool_map_fini(&set->r);
	jitsim_pool_map_fini(&set->rimsi);
	jitsim_pool_map_fini(&set->pend);
	free(set->heap);
	free(set->jn);
	free(set->list);
	free(set);
}

/* ---- operations ------------------------------------------------------- */

/* The committed range holding @msisdn, or NULL with -ENOENT/-EBUSY in @rc. */
static const struct span *
locate(const struct jitsim_pool_set *set, uint64_t msisdn, const struct jitsim_store_batch *b,
       int *rc, char *err, size_t errlen)
{
	const struct span *s = span_find(set, msisdn);
	char num[24];

	if (s == NULL || s->p->pending != NULL) {
		snprintf(err, errlen, "number %s: in no pool", num_str(msisdn, num, sizeof(num)));
		*rc = -ENOENT;
		return NULL;
	}
	if (busy(set, msisdn, b) != 0) {
		snprintf(err, errlen, "pool %s: number %s: changed by another uncommitted batch",
			 s->p->def.name, num_str(msisdn, num, sizeof(num)));
		*rc = -EBUSY;
		return NULL;
	}
	*rc = 0;
	return s;
}

int
jitsim_pool_sweep(struct jitsim_pool_set *set, uint32_t now, unsigned int max,
		  struct jitsim_store_batch *b)
{
	unsigned int done = 0;
	uint8_t key[10];

	while (set->nheap > 0 && set->heap[0].until <= now && done < max) {
		struct qent e = set->heap[0];
		const struct span *s;
		uint64_t until;
		size_t mark;

		if (!jitsim_pool_map_get(&set->q, e.msisdn, &until) || until != e.until) {
			heap_pop(set); /* stale: released again, or undone */
			continue;
		}
		/* Another batch's change to this number is still in flight:
		 * leave it (and, the heap being ordered, the rest) for later. */
		if (busy(set, e.msisdn, b) != 0)
			break;
		s = span_find(set, e.msisdn);
		heap_pop(set);
		if (s == NULL) {
			jitsim_pool_map_del(&set->q, e.msisdn);
			continue;
		}
		mark = set->njn;
		if (j_qdel(set, b, s, e.msisdn, e.until) != 0 ||
		    j_clear(set, b, s, e.msisdn) != 0) {
			jn_undo_to(set, mark);
			return -ENOMEM;
		}
		q_key(key, e.msisdn);
		jitsim_store_batch_del(b, JITSIM_CF_POOL, key, sizeof(key));
		done++;
	}
	return (int)done;
}

/* Next clear bit at or after @pos and before @end, or UINT64_MAX. */
static uint64_t
next_free(const struct range *r, uint64_t pos, uint64_t end)
{
	while (pos < end) {
		size_t w = (size_t)(pos >> 6);
		uint64_t word = r->bits[w] | ((1ull << (pos & 63)) - 1);

		if (word != ~0ull) {
			uint64_t off = ((uint64_t)w << 6) + (uint64_t)__builtin_ctzll(~word);

			return off < end ? off : UINT64_MAX;
		}
		pos = ((uint64_t)w + 1) << 6;
	}
	return UINT64_MAX;
}

/* A free number of class @cls in range @ri of @p, from the class's cursor
 * to the end, then (after sweeping expired quarantine into @b, once per
 * call: *swept) over the whole range. UINT64_MAX if none: the range is
 * then marked full for @cls until one of its numbers is freed. */
static uint64_t
range_find(struct jitsim_pool_set *set, struct pool *p, unsigned int ri, enum jitsim_pool_class cls,
	   uint32_t now, bool *swept, struct jitsim_store_batch *b)
{
	struct range *r = &p->r[ri];
	uint64_t pos = r->cursor[cls] < r->size ? r->cursor[cls] : 0, off;
	bool wrapped = pos == 0;

	for (;;) {
		off = next_free(r, pos, r->size);
		if (off == UINT64_MAX) {
			if (wrapped && *swept) {
				r->full |= 1u << cls;
				return UINT64_MAX;
			}
			if (!*swept) {
				*swept = true;
				(void)jitsim_pool_sweep(set, now, LAZY_SWEEP_MAX, b);
			}
			wrapped = true;
			pos = 0;
			continue;
		}
		pos = off + 1;
		if (busy(set, r->first + off, b) != 0)
			continue;
		if (class_at(set, p, r->first + off) == cls) {
			r->cursor[cls] = off + 1;
			return off;
		}
	}
}

static int
alloc_reserved(struct jitsim_pool_set *set, uint64_t imsi, uint64_t m, uint64_t *msisdn,
	       struct jitsim_store_batch *b, char *err, size_t errlen)
{
	const struct span *s;
	uint8_t key[10];
	int rc;

	s = locate(set, m, b, &rc, err, errlen);
	if (s == NULL)
		return rc;
	if (j_rdel(set, b, s, m, imsi) != 0) {
		snprintf(err, errlen, "pool %s: out of memory", s->p->def.name);
		return -ENOMEM;
	}
	r_key(key, m);
	jitsim_store_batch_del(b, JITSIM_CF_POOL, key, sizeof(key));
	jitsim_store_batch_put_msisdn(b, m, imsi);
	*msisdn = m;
	return 0;
}

int
jitsim_pool_alloc(struct jitsim_pool_set *set, uint16_t tenant, uint16_t region,
		  enum jitsim_pool_class cls, uint64_t imsi, uint32_t now, uint64_t *msisdn,
		  struct jitsim_store_batch *b, char *err, size_t errlen)
{
	char names[160] = "";
	size_t nl = 0;
	bool any = false, swept = false;
	uint64_t m;

	if ((unsigned int)cls >= JITSIM_POOL_CLASS_COUNT || imsi == 0) {
		snprintf(err, errlen, "allocation: bad class %d or IMSI", (int)cls);
		return -EINVAL;
	}
	if (jitsim_pool_map_get(&set->rimsi, imsi, &m))
		return alloc_reserved(set, imsi, m, msisdn, b, err, errlen);
	for (size_t i = 0; i < set->npools; i++) {
		struct pool *p = set->pools[i];

		if (p->def.tenant != tenant || p->def.region != region || p->pending != NULL)
			continue;
		any = true;
		if (!(p->classes & (1u << cls)))
			continue;
		for (unsigned int ri = 0; ri < p->def.nranges; ri++) {
			uint64_t off;

			/* A range found full may have numbers whose quarantine
			 * ended since: sweep (once per call) before skipping it. */
			if ((p->r[ri].full & (1u << cls)) && !swept && set->nheap > 0 &&
			    set->heap[0].until <= now) {
				swept = true;
				(void)jitsim_pool_sweep(set, now, LAZY_SWEEP_MAX, b);
			}
			if (p->r[ri].full & (1u << cls))
				continue;
			off = range_find(set, p, ri, cls, now, &swept, b);
			if (off == UINT64_MAX)
				continue;
			m = p->r[ri].first + off;
			if (jn_push(set, b, J_SET, m, 0, NULL) != 0) {
				snprintf(err, errlen, "pool %s: out of memory", p->def.name);
				return -ENOMEM;
			}
			bit_set(p, ri, off);
			jitsim_store_batch_put_msisdn(b, m, imsi);
			*msisdn = m;
			return 0;
		}
	}
	if (!any) {
		snprintf(err, errlen, "no pool for tenant %u region %u", tenant, region);
		return -ENOENT;
	}
	/* Only now: formatting on every call cost a fifth of an allocation. */
	for (size_t i = 0; i < set->npools && nl < sizeof(names); i++) {
		const struct pool *p = set->pools[i];

		if (p->def.tenant == tenant && p->def.region == region && p->pending == NULL)
			nl += (size_t)snprintf(names + nl, sizeof(names) - nl, "%s%s",
					       nl ? "," : "", p->def.name);
	}
	snprintf(err, errlen, "no free %s number in pool %s (tenant %u region %u)",
		 jitsim_pool_class_str(cls), names, tenant, region);
	return -ENOSPC;
}

int
jitsim_pool_take(struct jitsim_pool_set *set, uint64_t msisdn, uint64_t imsi,
		 struct jitsim_store_batch *b, char *err, size_t errlen)
{
	const struct span *s;
	char num[24];
	uint64_t v;
	int rc;

	if (imsi == 0) {
		snprintf(err, errlen, "take: no IMSI");
		return -EINVAL;
	}
	s = locate(set, msisdn, b, &rc, err, errlen);
	if (s == NULL)
		return rc;
	num_str(msisdn, num, sizeof(num));
	if (jitsim_pool_map_get(&set->r, msisdn, &v)) {
		if (v == imsi)
			return alloc_reserved(set, imsi, msisdn, &v, b, err, errlen);
		snprintf(err, errlen, "pool %s: number %s: reserved for another SIM",
			 s->p->def.name, num);
		return -EBUSY;
	}
	if (jitsim_pool_map_get(&set->q, msisdn, &v)) {
		snprintf(err, errlen, "pool %s: number %s: in quarantine until %" PRIu64,
			 s->p->def.name, num, v);
		return -EBUSY;
	}
	if (bit_get(&s->p->r[s->ri], msisdn - s->first)) {
		snprintf(err, errlen, "pool %s: number %s: taken", s->p->def.name, num);
		return -EEXIST;
	}
	if (j_set(set, b, s, msisdn) != 0) {
		snprintf(err, errlen, "pool %s: out of memory", s->p->def.name);
		return -ENOMEM;
	}
	jitsim_store_batch_put_msisdn(b, msisdn, imsi);
	return 0;
}

int
jitsim_pool_release(struct jitsim_pool_set *set, uint64_t msisdn, uint32_t now,
		    struct jitsim_store_batch *b, char *err, size_t errlen)
{
	const struct span *s;
	uint8_t key[10], val[4];
	char num[24];
	uint32_t until;
	int rc;

	s = locate(set, msisdn, b, &rc, err, errlen);
	if (s == NULL)
		return rc;
	if (!bit_get(&s->p->r[s->ri], msisdn - s->first) ||
	    jitsim_pool_map_get(&set->q, msisdn, NULL) ||
	    jitsim_pool_map_get(&set->r, msisdn, NULL)) {
		snprintf(err, errlen, "pool %s: number %s: not taken", s->p->def.name,
			 num_str(msisdn, num, sizeof(num)));
		return -ENOENT;
	}
	/* Saturate: a quarantine that would end past 2106 ends then. */
	until = now > UINT32_MAX - s->p->def.quarantine ? UINT32_MAX : now + s->p->def.quarantine;
	if (s->p->def.quarantine == 0)
		rc = j_clear(set, b, s, msisdn);
	else
		rc = j_qadd(set, b, s, msisdn, until);
	if (rc != 0) {
		snprintf(err, errlen, "pool %s: out of memory", s->p->def.name);
		return rc;
	}
	jitsim_store_batch_del_msisdn(b, msisdn);
	if (s->p->def.quarantine != 0) {
		q_key(key, msisdn);
		put_be32(val, until);
		jitsim_store_batch_put(b, JITSIM_CF_POOL, key, sizeof(key), val, sizeof(val));
	}
	return 0;
}

int
jitsim_pool_reserve(struct jitsim_pool_set *set, uint64_t msisdn, uint64_t imsi,
		    struct jitsim_store_batch *b, char *err, size_t errlen)
{
	const struct span *s;
	uint8_t key[10], val[8];
	char num[24], other[24];
	size_t mark = set->njn;
	uint64_t v;
	int rc;

	if (imsi == 0) {
		snprintf(err, errlen, "reserve: no IMSI");
		return -EINVAL;
	}
	s = locate(set, msisdn, b, &rc, err, errlen);
	if (s == NULL)
		return rc;
	num_str(msisdn, num, sizeof(num));
	if (jitsim_pool_map_get(&set->rimsi, imsi, &v)) {
		snprintf(err, errlen, "pool %s: number %s: the SIM already holds number %s",
			 s->p->def.name, num, num_str(v, other, sizeof(other)));
		return -EEXIST;
	}
	if (bit_get(&s->p->r[s->ri], msisdn - s->first)) {
		snprintf(err, errlen, "pool %s: number %s: not free (%s)", s->p->def.name, num,
			 jitsim_pool_map_get(&set->r, msisdn, NULL)   ? "reserved"
			 : jitsim_pool_map_get(&set->q, msisdn, NULL) ? "in quarantine"
								      : "taken");
		return -EEXIST;
	}
	if (j_set(set, b, s, msisdn) != 0 || j_radd(set, b, s, msisdn, imsi) != 0) {
		jn_undo_to(set, mark);
		snprintf(err, errlen, "pool %s: out of memory", s->p->def.name);
		return -ENOMEM;
	}
	r_key(key, msisdn);
	put_be64(val, imsi);
	jitsim_store_batch_put(b, JITSIM_CF_POOL, key, sizeof(key), val, sizeof(val));
	return 0;
}

int
jitsim_pool_unreserve(struct jitsim_pool_set *set, uint64_t msisdn, struct jitsim_store_batch *b,
		      char *err, size_t errlen)
{
	const struct span *s;
	uint8_t key[10];
	size_t mark = set->njn;
	char num[24];
	uint64_t imsi;
	int rc;

	s = locate(set, msisdn, b, &rc, err, errlen);
	if (s == NULL)
		return rc;
	if (!jitsim_pool_map_get(&set->r, msisdn, &imsi)) {
		snprintf(err, errlen, "pool %s: number %s: not reserved", s->p->def.name,
			 num_str(msisdn, num, sizeof(num)));
		return -ENOENT;
	}
	if (j_rdel(set, b, s, msisdn, imsi) != 0 || j_clear(set, b, s, msisdn) != 0) {
		jn_undo_to(set, mark);
		snprintf(err, errlen, "pool %s: out of memory", s->p->def.name);
		return -ENOMEM;
	}
	r_key(key, msisdn);
	jitsim_store_batch_del(b, JITSIM_CF_POOL, key, sizeof(key));
	return 0;
}

int
jitsim_pool_reserved_for(const struct jitsim_pool_set *set, uint64_t imsi, uint64_t *msisdn)
{
	return jitsim_pool_map_get(&set->rimsi, imsi, msisdn) ? 0 : -ENOENT;
}

/* ---- search, listing, statistics -------------------------------------- */

int
jitsim_pool_search(struct jitsim_pool_set *set, uint32_t id, const char *pattern, size_t limit,
		   uint64_t *out, size_t *n, char *err, size_t errlen)
{
	return jitsim_pool_search_class(set, id, pattern, JITSIM_POOL_CLASS_COUNT, limit, out, n,
					err, errlen);
}

int
jitsim_pool_search_class(struct jitsim_pool_set *set, uint32_t id, const char *pattern,
			 enum jitsim_pool_class cls, size_t limit, uint64_t *out, size_t *n,
			 char *err, size_t errlen)
{
	hs_database_t *db = NULL;
	size_t found = 0;
	int rc;

	*n = 0;
	if ((unsigned int)cls > JITSIM_POOL_CLASS_COUNT) {
		snprintf(err, errlen, "search: class %u out of range", (unsigned int)cls);
		return -EINVAL;
	}
	if (id != JITSIM_POOL_ALL) {
		const struct pool *p = pool_by_id(set, id);

		if (p == NULL || p->pending != NULL) {
			snprintf(err, errlen, "search: no pool id %" PRIu32, id);
			return -ENOENT;
		}
	}
	rc = jitsim_pool_search_compile(pattern, &db, &set->scratch, err, errlen);
	if (rc != 0)
		return rc;
	for (size_t i = 0; i < set->npools && found < limit; i++) {
		const struct pool *p = set->pools[i];

		if ((id != JITSIM_POOL_ALL && p->def.id != id) || p->pending != NULL)
			continue;
		for (unsigned int ri = 0; ri < p->def.nranges && found < limit; ri++) {
			const struct range *r = &p->r[ri];
			unsigned int nd = key_digits(r->first);
			uint64_t off = 0, prev = UINT64_MAX;
			char buf[JITSIM_POOL_DIGITS_MAX];

			while (found < limit && (off = next_free(r, off, r->size)) != UINT64_MAX) {
				/* Runs of free numbers: count up in ASCII, no division. */
				if (prev != UINT64_MAX && off == prev + 1)
					inc_digits(buf, nd);
				else
					fmt_digits((r->first + off) & KEY_VALUE_MASK, nd, buf);
				/* The class check (a second scan) only for the numbers
				 * the pattern kept: patterns are the narrower filter. */
				if (jitsim_pool_search_match(db, set->scratch, buf, nd) &&
				    (cls == JITSIM_POOL_CLASS_COUNT ||
				     jitsim_pool_class_match(pool_db(set, p), set->scratch, buf, nd) ==
					     cls))
					out[found++] = r->first + off;
				prev = off++;
			}
		}
	}
	hs_free_database(db);
	*n = found;
	return 0;
}

size_t
jitsim_pool_list(const struct jitsim_pool_set *set, const struct jitsim_pool_def **out, size_t cap)
{
	size_t k = 0;

	for (size_t i = 0; i < set->npools; i++) {
		if (set->pools[i]->pending != NULL)
			continue;
		if (k < cap)
			out[k] = &set->pools[i]->def;
		k++;
	}
	return k;
}

int
jitsim_pool_stats(struct jitsim_pool_set *set, uint32_t id, bool by_class,
		  struct jitsim_pool_stats *out)
{
	const struct pool *p = pool_by_id(set, id);

	memset(out, 0, sizeof(*out));
	if (p == NULL || p->pending != NULL)
		return -ENOENT;
	out->size = p->size;
	out->quarantined = p->nq;
	out->reserved = p->nr;
	out->taken = p->used - p->nq - p->nr;
	out->free = p->size - p->used;
	if (!by_class)
		return 0;
	out->by_class = true;
	for (unsigned int ri = 0; ri < p->def.nranges; ri++) {
		const struct range *r = &p->r[ri];
		uint64_t off = 0;

		while ((off = next_free(r, off, r->size)) != UINT64_MAX) {
			out->free_by_class[class_at(set, p, r->first + off)]++;
			off++;
		}
	}
	return 0;
}

int
jitsim_pool_class_of(struct jitsim_pool_set *set, uint64_t msisdn, enum jitsim_pool_class *cls,
		     uint32_t *id)
{
	const struct span *s = span_find(set, msisdn);

	if (s == NULL || s->p->pending != NULL)
		return -ENOENT;
	*cls = class_at(set, s->p, msisdn);
	if (id != NULL)
		*id = s->p->def.id;
	return 0;
}

size_t
jitsim_pool_mem_bytes(const struct jitsim_pool_set *set)
{
	size_t n = sizeof(*set) + set->pools_cap * sizeof(*set->pools) +
		   set->nspans * sizeof(*set->spans) + set->heap_cap * sizeof(*set->heap) +
		   set->jn_cap * sizeof(*set->jn) + jitsim_pool_map_bytes(&set->q) +
		   jitsim_pool_map_bytes(&set->r) + jitsim_pool_map_bytes(&set->rimsi) +
		   jitsim_pool_map_bytes(&set->pend);
	size_t sz;

	for (size_t i = 0; i < set->npools; i++) {
		const struct pool *p = set->pools[i];

		n += sizeof(*p);
		for (unsigned int ri = 0; ri < p->def.nranges; ri++)
			n += p->r[ri].nwords * sizeof(uint64_t);
		if (p->db != NULL && hs_database_size(p->db, &sz) == HS_SUCCESS)
			n += sz;
	}
	if (set->defdb != NULL && hs_database_size(set->defdb, &sz) == HS_SUCCESS)
		n += sz;
	if (set->scratch != NULL && hs_scratch_size(set->scratch, &sz) == HS_SUCCESS)
		n += sz;
	return n;
}
