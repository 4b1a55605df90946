/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Number pools (control/pool) on a real RocksDB store in a temporary
 * directory: definitions and overlap refusal, unique allocation, rebuild
 * from the store after a "crash", uncommitted and aborted batches,
 * exhaustion, premium classes (checked against an independent
 * implementation of the default rules), quarantine, reservations, search
 * (checked against POSIX regexec over every free number), bad patterns,
 * damaged definitions, the memory of a 100-million-number pool.
 */

#include <errno.h>
#include <regex.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>

#include "pool.h"
#include "pool_map.h"
#include "rmtree.h"
#include "store.h"

struct env {
	char dir[64];
	char db[128];
	char kek[128];
	struct jitsim_store *st;
	struct jitsim_store_batch *b;
	char err[256];
};

static struct jitsim_store *
store_open(struct env *e)
{
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek, .create = true};
	struct jitsim_store *s = NULL;

	if (jitsim_store_open(&o, &s, e->err, sizeof(e->err)) != 0)
		fail_msg("store open: %s", e->err);
	return s;
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-pool.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/db", e->dir);
	snprintf(e->kek, sizeof(e->kek), "%s/kek", e->dir);
	if (jitsim_kek_create(e->kek, e->err, sizeof(e->err)) != 0)
		return -1;
	e->st = store_open(e);
	e->b = jitsim_store_batch_new(e->st);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	jitsim_store_batch_free(e->b);
	jitsim_store_close(e->st);
	jitsim_test_rmtree(e->dir);
	free(e);
	return 0;
}

static uint64_t
K(const char *digits)
{
	uint64_t k = jitsim_digits_key_str(digits);

	assert_true(k != 0);
	return k;
}

static struct jitsim_pool_set *
set_open(struct env *e)
{
	struct jitsim_pool_set *set = NULL;
	int rc = jitsim_pool_set_open(e->st, &set, e->err, sizeof(e->err));

	if (rc != 0)
		fail_msg("pool set open: %d %s", rc, e->err);
	return set;
}

/* Commit e->b and tell the set. */
static void
commit(struct env *e, struct jitsim_pool_set *set)
{
	if (jitsim_store_commit(e->b, e->err, sizeof(e->err)) != 0)
		fail_msg("commit: %s", e->err);
	jitsim_pool_commit_done(set, e->b);
	jitsim_store_batch_clear(e->b);
}

static void
def_init(struct jitsim_pool_def *d, uint32_t id, const char *name, uint16_t tenant, uint16_t region,
	 const char *first, const char *last)
{
	memset(d, 0, sizeof(*d));
	d->id = id;
	snprintf(d->name, sizeof(d->name), "%s", name);
	d->tenant = tenant;
	d->region = region;
	d->nranges = 1;
	d->ranges[0].first = K(first);
	d->ranges[0].last = K(last);
}

/* A rule that matches nothing in the ranges used below: every number is standard. */
static void
def_all_standard(struct jitsim_pool_def *d)
{
	d->nrules = 1;
	d->rules[0].cls = JITSIM_POOL_VANITY;
	snprintf(d->rules[0].pattern, sizeof(d->rules[0].pattern), "^0");
}

static void
add_committed(struct env *e, struct jitsim_pool_set *set, const struct jitsim_pool_def *d)
{
	int rc = jitsim_pool_add(set, d, e->b, e->err, sizeof(e->err));

	if (rc != 0)
		fail_msg("add %s: %d %s", d->name, rc, e->err);
	commit(e, set);
}

static int
alloc(struct env *e, struct jitsim_pool_set *set, uint16_t tenant, uint16_t region,
      enum jitsim_pool_class cls, uint64_t imsi, uint32_t now, uint64_t *m)
{
	return jitsim_pool_alloc(set, tenant, region, cls, imsi, now, m, e->b, e->err,
				 sizeof(e->err));
}

/* ---- definitions ------------------------------------------------------ */

static void
test_add_overlap(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const struct jitsim_pool_def *list[4];
	struct jitsim_pool_def d;

	def_init(&d, 1, "berlin", 1, 1, "4917000000000", "4917000099999");
	add_committed(e, set, &d);

	/* Overlapping another pool's range. */
	def_init(&d, 2, "munich", 1, 2, "4917000090000", "4917000190000");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "overlaps pool berlin"));
	assert_non_null(strstr(e->err, "munich"));
	/* Mixed digit counts. */
	def_init(&d, 2, "munich", 1, 2, "4917100000000", "4917100099999");
	d.nranges = 2;
	d.ranges[1].first = K("491720000000");
	d.ranges[1].last = K("491720000099");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "range 1"));
	/* Its own ranges overlapping. */
	d.ranges[1].first = K("4917100000500");
	d.ranges[1].last = K("4917100200000");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "overlap"));
	/* First after last; more than 15 digits; too large; bad name; id in use. */
	def_init(&d, 2, "munich", 1, 2, "4917100000009", "4917100000000");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "first after last"));
	def_init(&d, 2, "munich", 1, 2, "4917100000000000", "4917100000000009");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	def_init(&d, 2, "munich", 1, 2, "300000000000", "399999999999");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "more than"));
	def_init(&d, 2, "mun ich", 1, 2, "4917100000000", "4917100000009");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	def_init(&d, 1, "munich", 1, 2, "4917100000000", "4917100000009");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EEXIST);
	/* A rule that does not compile: the message names the rule and the pattern. */
	def_init(&d, 2, "munich", 1, 2, "4917100000000", "4917100000009");
	d.nrules = 2;
	d.rules[0].cls = JITSIM_POOL_GOLD;
	snprintf(d.rules[0].pattern, sizeof(d.rules[0].pattern), "7$");
	d.rules[1].cls = JITSIM_POOL_VANITY;
	snprintf(d.rules[1].pattern, sizeof(d.rules[1].pattern), "(12");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "rule 1"));
	assert_non_null(strstr(e->err, "(12"));
	d.rules[1].cls = JITSIM_POOL_STANDARD;
	snprintf(d.rules[1].pattern, sizeof(d.rules[1].pattern), "12");
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), -EINVAL);
	assert_int_equal(jitsim_store_batch_count(e->b), 0);

	/* A pool added and aborted is gone; a pending one is not listed. */
	d.nrules = 1;
	assert_int_equal(jitsim_pool_add(set, &d, e->b, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_pool_list(set, list, 4), 1);
	jitsim_pool_abort(set, e->b);
	jitsim_store_batch_clear(e->b);
	assert_int_equal(jitsim_pool_list(set, list, 4), 1);
	add_committed(e, set, &d);
	assert_int_equal(jitsim_pool_list(set, list, 4), 2);
	jitsim_pool_set_close(set);

	/* Reopen: both definitions read back, rules included. */
	set = set_open(e);
	assert_int_equal(jitsim_pool_list(set, list, 4), 2);
	assert_string_equal(list[0]->name, "berlin");
	assert_string_equal(list[1]->name, "munich");
	assert_int_equal(list[1]->nrules, 1);
	assert_string_equal(list[1]->rules[0].pattern, "7$");
	assert_int_equal(list[1]->ranges[0].first, K("4917100000000"));
	{
		enum jitsim_pool_class c;
		uint32_t id;

		assert_int_equal(jitsim_pool_class_of(set, K("4917100000007"), &c, &id), 0);
		assert_int_equal(c, JITSIM_POOL_GOLD);
		assert_int_equal(id, 2);
		assert_int_equal(jitsim_pool_class_of(set, K("4917100000006"), &c, &id), 0);
		assert_int_equal(c, JITSIM_POOL_STANDARD);
		assert_int_equal(jitsim_pool_class_of(set, K("4917200000006"), &c, &id), -ENOENT);
	}
	jitsim_pool_set_close(set);
}

/* A damaged definition: open fails naming the key and the field. */
static void
test_damaged_def(void **state)
{
	struct env *e = *state;
	const uint8_t key[8] = {'d', 'e', 'f', '/', 0, 0, 0, 7};
	const uint8_t val[] = {1, 3, 'a', 'b', 'c', 0, 1, 0};
	struct jitsim_pool_set *set = NULL;

	jitsim_store_batch_put(e->b, JITSIM_CF_POOL, key, sizeof(key), val, sizeof(val));
	assert_int_equal(jitsim_store_commit(e->b, e->err, sizeof(e->err)), 0);
	jitsim_store_batch_clear(e->b);
	assert_int_equal(jitsim_pool_set_open(e->st, &set, e->err, sizeof(e->err)), -EBADMSG);
	assert_null(set);
	assert_non_null(strstr(e->err, "def/7"));
	assert_non_null(strstr(e->err, "tenant"));
}

/* ---- allocation ------------------------------------------------------- */

static void
test_unique_100k(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const uint64_t first = K("4915550000000"), size = 150000, n = 100000;
	uint8_t *seen = calloc(size, 1);
	struct jitsim_pool_def d;
	struct jitsim_pool_stats st;

	def_init(&d, 1, "p", 3, 4, "4915550000000", "4915550149999");
	add_committed(e, set, &d);
	for (uint64_t i = 0; i < n; i++) {
		enum jitsim_pool_class c;
		uint64_t m;

		assert_int_equal(alloc(e, set, 3, 4, JITSIM_POOL_STANDARD, 1000 + i, 1, &m), 0);
		assert_true(m >= first && m < first + size);
		assert_int_equal(seen[m - first], 0);
		seen[m - first] = 1;
		assert_int_equal(jitsim_pool_class_of(set, m, &c, NULL), 0);
		assert_int_equal(c, JITSIM_POOL_STANDARD);
		if (i % 10000 == 9999)
			commit(e, set);
	}
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.taken, n);
	jitsim_pool_set_close(set);

	set = set_open(e);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.size, size);
	assert_int_equal(st.taken, n);
	assert_int_equal(st.free, size - n);
	/* Every later number is one not given before. */
	for (int i = 0; i < 1000; i++) {
		uint64_t m;

		assert_int_equal(alloc(e, set, 3, 4, JITSIM_POOL_STANDARD, 900000 + i, 1, &m), 0);
		assert_int_equal(seen[m - first], 0);
		seen[m - first] = 1;
	}
	jitsim_pool_abort(set, e->b);
	jitsim_store_batch_clear(e->b);
	jitsim_pool_set_close(set);
	free(seen);
}

/*
 * A "crash": a committed batch, then the set dropped without close, and a
 * batch never committed. A new set on the store never gives the committed
 * numbers again, and gives the uncommitted ones.
 */
static void
test_crash_reopen(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e), *set2;
	struct jitsim_pool_def d;
	uint64_t taken[1000], lost[10], m;

	def_init(&d, 1, "p", 1, 1, "4916660000000", "4916660009999");
	def_all_standard(&d);
	add_committed(e, set, &d);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 1 + i, 1, &taken[i]), 0);
	commit(e, set);
	for (int i = 0; i < 10; i++)
		assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 5000 + i, 1, &lost[i]),
				 0);
	jitsim_store_batch_clear(e->b); /* never committed */

	/* A second set on the same store: what a restarted jitsim-cp sees. */
	set2 = set_open(e);
	for (int i = 0; i < 10; i++) {
		assert_int_equal(alloc(e, set2, 1, 1, JITSIM_POOL_STANDARD, 7000 + i, 1, &m), 0);
		assert_int_equal(m, lost[i]);
	}
	for (int i = 0; i < 3000; i++) {
		assert_int_equal(alloc(e, set2, 1, 1, JITSIM_POOL_STANDARD, 8000 + i, 1, &m), 0);
		for (int j = 0; j < 1000; j++)
			assert_true(m != taken[j]);
	}
	commit(e, set2);
	jitsim_pool_set_close(set2);
	jitsim_pool_set_close(set); /* its journal still holds @lost: simply forgotten */
	/* And the store holds what set2 committed. */
	assert_int_equal(jitsim_store_msisdn_get(e->st, lost[0], &m), 0);
	assert_int_equal(m, 7000);
}

/* An aborted batch gives back what it took, released and reserved. */
static void
test_abort(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	struct jitsim_pool_stats st;
	struct jitsim_pool_def d;
	uint64_t m, m2, x;

	def_init(&d, 1, "p", 1, 1, "4916660000000", "4916660000099");
	def_all_standard(&d);
	d.quarantine = 60;
	add_committed(e, set, &d);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 11, 1, &m), 0);
	jitsim_pool_abort(set, e->b);
	jitsim_store_batch_clear(e->b);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.taken, 0);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 12, 1, &m2), 0);
	assert_int_equal(m2, K("4916660000001")); /* the cursor moved on: a hint, not state */
	commit(e, set);
	assert_int_equal(jitsim_pool_take(set, m, 13, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);

	/* Release and reserve in one batch, then abort: as before. */
	assert_int_equal(jitsim_pool_release(set, m2, 100, e->b, e->err, sizeof(e->err)), 0);
	x = K("4916660000050");
	assert_int_equal(jitsim_pool_reserve(set, x, 14, e->b, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(st.reserved, 1);
	assert_int_equal(st.taken, 1);
	jitsim_pool_abort(set, e->b);
	jitsim_store_batch_clear(e->b);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.reserved, 0);
	assert_int_equal(st.taken, 2);
	assert_int_equal(jitsim_pool_reserved_for(set, 14, &x), -ENOENT);

	/* A number changed by an uncommitted batch is busy for the others. */
	{
		struct jitsim_store_batch *b2 = jitsim_store_batch_new(e->st);

		assert_int_equal(jitsim_pool_release(set, m2, 100, e->b, e->err, sizeof(e->err)),
				 0);
		assert_int_equal(jitsim_pool_take(set, m2, 15, b2, e->err, sizeof(e->err)), -EBUSY);
		assert_non_null(strstr(e->err, "uncommitted"));
		commit(e, set);
		assert_int_equal(jitsim_pool_take(set, m2, 15, b2, e->err, sizeof(e->err)), -EBUSY);
		assert_non_null(strstr(e->err, "quarantine"));
		jitsim_store_batch_free(b2);
	}
	jitsim_pool_set_close(set);
}

static void
test_exhaustion(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	struct jitsim_pool_def d;
	uint64_t m;

	def_init(&d, 9, "tiny", 2, 5, "4916660000000", "4916660000019");
	def_all_standard(&d);
	add_committed(e, set, &d);
	for (int i = 0; i < 20; i++)
		assert_int_equal(alloc(e, set, 2, 5, JITSIM_POOL_STANDARD, 1 + i, 1, &m), 0);
	assert_int_equal(alloc(e, set, 2, 5, JITSIM_POOL_STANDARD, 99, 1, &m), -ENOSPC);
	assert_non_null(strstr(e->err, "tiny"));
	assert_non_null(strstr(e->err, "tenant 2 region 5"));
	assert_non_null(strstr(e->err, "standard"));
	/* Again (the range is now marked full): same answer. */
	assert_int_equal(alloc(e, set, 2, 5, JITSIM_POOL_STANDARD, 99, 1, &m), -ENOSPC);
	assert_int_equal(alloc(e, set, 2, 6, JITSIM_POOL_STANDARD, 99, 1, &m), -ENOENT);
	assert_non_null(strstr(e->err, "tenant 2 region 6"));
	commit(e, set);
	/* A freed number (no quarantine) is found again, but not by another
	 * batch before the release is committed. */
	{
		struct jitsim_store_batch *b2 = jitsim_store_batch_new(e->st);

		assert_int_equal(jitsim_pool_release(set, K("4916660000007"), 1, e->b, e->err,
						     sizeof(e->err)),
				 0);
		assert_int_equal(jitsim_pool_alloc(set, 2, 5, JITSIM_POOL_STANDARD, 100, 1, &m, b2,
						   e->err, sizeof(e->err)),
				 -ENOSPC);
		commit(e, set);
		assert_int_equal(jitsim_pool_alloc(set, 2, 5, JITSIM_POOL_STANDARD, 100, 1, &m, b2,
						   e->err, sizeof(e->err)),
				 0);
		assert_int_equal(m, K("4916660000007"));
		assert_int_equal(jitsim_store_commit(b2, e->err, sizeof(e->err)), 0);
		jitsim_pool_commit_done(set, b2);
		jitsim_store_batch_free(b2);
	}
	jitsim_pool_set_close(set);
}

/*
 * The default rules, written independently of the regexes: the last
 * seven digits decide (docs/pools.md).
 */
static enum jitsim_pool_class
oracle_class(const char *s)
{
	size_t n = strlen(s);
	const char *t = s + (n > 7 ? n - 7 : 0);
	size_t tn = strlen(t);
	int run = 1, best = 1, asc = 1, desc = 1;

	for (size_t i = 1; i < tn; i++) {
		run = t[i] == t[i - 1] ? run + 1 : 1;
		best = run > best ? run : best;
	}
	/* Ascending / descending run ending at the last digit. */
	for (size_t i = n - 1; i > 0 && s[i] == s[i - 1] + 1; i--)
		asc++;
	for (size_t i = n - 1; i > 0 && s[i] == s[i - 1] - 1; i--)
		desc++;
	if (best >= 6 || asc >= 7 || desc >= 7)
		return JITSIM_POOL_PLATINUM;
	if (best >= 4 || asc >= 4)
		return JITSIM_POOL_GOLD;
	return JITSIM_POOL_STANDARD;
}

static void
test_premium(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	uint64_t first = K("4915551230000"), count[JITSIM_POOL_CLASS_COUNT] = {0}, m;
	uint8_t *given = calloc(10000, 1);
	struct jitsim_pool_stats st;
	struct jitsim_pool_def d;
	char num[24];

	/* A pool of nothing but platinum numbers ("111111x" at the end). */
	def_init(&d, 1, "plat", 1, 1, "491701111110", "491701111119");
	add_committed(e, set, &d);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 1, 1, &m), -ENOSPC);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_GOLD, 1, 1, &m), -ENOSPC);
	assert_non_null(strstr(e->err, "gold"));
	for (int i = 0; i < 10; i++) {
		assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_PLATINUM, 1 + i, 1, &m), 0);
		assert_int_equal(m, K("491701111110") + (uint64_t)i);
	}
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_PLATINUM, 99, 1, &m), -ENOSPC);
	commit(e, set);

	/* A mixed pool: every class as the independent rules say. */
	def_init(&d, 2, "mixed", 1, 2, "4915551230000", "4915551239999");
	add_committed(e, set, &d);
	for (uint64_t i = 0; i < 10000; i++) {
		jitsim_digits_key_format(first + i, num, sizeof(num));
		count[oracle_class(num)]++;
	}
	assert_true(count[JITSIM_POOL_GOLD] > 0 && count[JITSIM_POOL_PLATINUM] > 0);
	assert_int_equal(jitsim_pool_stats(set, 2, true, &st), 0);
	for (int c = 0; c < JITSIM_POOL_CLASS_COUNT; c++)
		assert_int_equal(st.free_by_class[c], count[c]);
	for (int c = JITSIM_POOL_STANDARD; c <= JITSIM_POOL_PLATINUM; c++) {
		uint64_t k = 0;

		while (alloc(e, set, 1, 2, (enum jitsim_pool_class)c, 100000 + k, 1, &m) == 0) {
			jitsim_digits_key_format(m, num, sizeof(num));
			assert_int_equal(oracle_class(num), c);
			assert_int_equal(given[m - first], 0);
			given[m - first] = 1;
			k++;
		}
		assert_int_equal(k, count[c]);
		assert_non_null(strstr(e->err, jitsim_pool_class_str((enum jitsim_pool_class)c)));
		commit(e, set);
	}
	assert_int_equal(jitsim_pool_stats(set, 2, false, &st), 0);
	assert_int_equal(st.free, 0);
	/* A premium number picked by the operator. */
	assert_int_equal(jitsim_pool_take(set, K("491701111115"), 5, e->b, e->err, sizeof(e->err)),
			 -EEXIST);
	assert_non_null(strstr(e->err, "491701111115"));
	jitsim_pool_set_close(set);
	free(given);
}

static void
test_quarantine(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	struct jitsim_pool_stats st;
	struct jitsim_pool_def d;
	uint64_t m, x = K("4916660000002"), y = K("4916660000004");

	def_init(&d, 1, "q", 1, 1, "4916660000000", "4916660000004");
	def_all_standard(&d);
	d.quarantine = 100;
	add_committed(e, set, &d);
	for (int i = 0; i < 5; i++)
		assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 1 + i, 1, &m), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_release(set, x, 1000, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_store_msisdn_get(e->st, x, &m), -ENOENT);
	/* Not before its time, not to an operator either; kept across reopen. */
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 9, 1099, &m), -ENOSPC);
	assert_int_equal(jitsim_pool_take(set, x, 9, e->b, e->err, sizeof(e->err)), -EBUSY);
	assert_non_null(strstr(e->err, "until 1100"));
	assert_int_equal(jitsim_pool_release(set, x, 1000, e->b, e->err, sizeof(e->err)), -ENOENT);
	jitsim_pool_set_close(set);
	set = set_open(e);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.quarantined, 1);
	assert_int_equal(st.taken, 4);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 9, 1099, &m), -ENOSPC);
	/* At its time the allocation's sweep frees it. */
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 9, 1100, &m), 0);
	assert_int_equal(m, x);
	commit(e, set);

	/* The explicit sweep, and the q/ entry gone from the store. */
	assert_int_equal(jitsim_pool_release(set, y, 2000, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_sweep(set, 2099, 100, e->b), 0);
	assert_int_equal(jitsim_pool_sweep(set, 2100, 100, e->b), 1);
	commit(e, set);
	jitsim_pool_set_close(set);
	set = set_open(e);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.quarantined, 0);
	assert_int_equal(st.free, 1);
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 10, 1, &m), 0);
	assert_int_equal(m, y);
	commit(e, set);
	jitsim_pool_set_close(set);
}

static void
test_reservation(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const uint64_t imsi_a = K("262019999000001"), imsi_b = K("262019999000002");
	uint64_t x = K("4916660000003"), m;
	struct jitsim_pool_def d;

	def_init(&d, 1, "r", 1, 1, "4916660000000", "4916660000009");
	def_all_standard(&d);
	add_committed(e, set, &d);
	assert_int_equal(jitsim_pool_reserve(set, x, imsi_a, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(
		jitsim_pool_reserve(set, K("4916660000004"), imsi_a, e->b, e->err, sizeof(e->err)),
		-EEXIST);
	assert_int_equal(jitsim_pool_reserve(set, x, imsi_b, e->b, e->err, sizeof(e->err)),
			 -EEXIST);
	assert_non_null(strstr(e->err, "reserved"));
	assert_int_equal(jitsim_pool_take(set, x, imsi_b, e->b, e->err, sizeof(e->err)), -EBUSY);
	assert_non_null(strstr(e->err, "reserved for another SIM"));
	/* Other SIMs exhaust the pool without it. */
	for (int i = 0; i < 9; i++) {
		assert_int_equal(
			alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, imsi_b + 1 + (uint64_t)i, 1, &m),
			0);
		assert_true(m != x);
	}
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, imsi_b, 1, &m), -ENOSPC);
	commit(e, set);
	jitsim_pool_set_close(set);

	/* After a restart, its SIM gets it, whatever tenant/region/class it asks. */
	set = set_open(e);
	assert_int_equal(jitsim_pool_reserved_for(set, imsi_a, &m), 0);
	assert_int_equal(m, x);
	assert_int_equal(alloc(e, set, 7, 7, JITSIM_POOL_GOLD, imsi_a, 1, &m), 0);
	assert_int_equal(m, x);
	commit(e, set);
	assert_int_equal(jitsim_store_msisdn_get(e->st, x, &m), 0);
	assert_int_equal(m, imsi_a);
	assert_int_equal(jitsim_pool_reserved_for(set, imsi_a, &m), -ENOENT);

	/* Unreserve frees it; take() of a number reserved for the same SIM. */
	assert_int_equal(jitsim_pool_release(set, x, 1, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_reserve(set, x, imsi_b, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_unreserve(set, x, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_unreserve(set, x, e->b, e->err, sizeof(e->err)), -ENOENT);
	assert_int_equal(jitsim_pool_reserve(set, x, imsi_b, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_take(set, x, imsi_b, e->b, e->err, sizeof(e->err)), 0);
	commit(e, set);
	assert_int_equal(jitsim_pool_reserved_for(set, imsi_b, &m), -ENOENT);
	jitsim_pool_set_close(set);
}

/* ---- search ----------------------------------------------------------- */

static void
check_search(struct env *e, struct jitsim_pool_set *set, const uint8_t *taken, uint64_t first,
	     uint64_t size, const char *pattern)
{
	uint64_t *out = calloc(size, sizeof(*out)), *exp = calloc(size, sizeof(*exp));
	size_t n = 0, ne = 0;
	char num[24];
	regex_t re;

	assert_int_equal(regcomp(&re, pattern, REG_EXTENDED | REG_NOSUB), 0);
	for (uint64_t i = 0; i < size; i++) {
		if (taken[i])
			continue;
		jitsim_digits_key_format(first + i, num, sizeof(num));
		if (regexec(&re, num, 0, NULL, 0) == 0)
			exp[ne++] = first + i;
	}
	regfree(&re);
	assert_true(ne > 0);
	assert_int_equal(jitsim_pool_search(set, JITSIM_POOL_ALL, pattern, size, out, &n, e->err,
					    sizeof(e->err)),
			 0);
	assert_int_equal(n, ne);
	assert_memory_equal(out, exp, n * sizeof(*out));
	/* The limit: the first ones, in order. */
	assert_int_equal(jitsim_pool_search(set, 1, pattern, 5, out, &n, e->err, sizeof(e->err)),
			 0);
	assert_int_equal(n, ne < 5 ? ne : 5);
	assert_memory_equal(out, exp, n * sizeof(*out));
	/* With a class: the matches of that class under the pool's rules,
	 * in the same order (class_of() is the reference). */
	for (unsigned int c = 0; c < JITSIM_POOL_CLASS_COUNT; c++) {
		size_t nc = 0;

		for (size_t i = 0; i < ne; i++) {
			enum jitsim_pool_class got;

			assert_int_equal(jitsim_pool_class_of(set, exp[i], &got, NULL), 0);
			if (got == c)
				exp[nc++] = exp[i];
		}
		assert_int_equal(jitsim_pool_search_class(set, JITSIM_POOL_ALL, pattern,
							  (enum jitsim_pool_class)c, size, out,
							  &n, e->err, sizeof(e->err)),
				 0);
		assert_int_equal(n, nc);
		assert_memory_equal(out, exp, n * sizeof(*out));
		/* Restore the unfiltered list for the next class. */
		assert_int_equal(jitsim_pool_search(set, JITSIM_POOL_ALL, pattern, size, exp, &ne,
						    e->err, sizeof(e->err)),
				 0);
	}
	assert_int_equal(jitsim_pool_search_class(set, JITSIM_POOL_ALL, pattern,
						  (enum jitsim_pool_class)(JITSIM_POOL_CLASS_COUNT + 1),
						  size, out, &n, e->err, sizeof(e->err)),
			 -EINVAL);
	free(out);
	free(exp);
}

static void
test_search(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const uint64_t size = 100000, first = K("4916000000000");
	uint8_t *taken = calloc(size, 1);
	struct jitsim_pool_def d;
	uint64_t out[4];
	size_t n;

	def_init(&d, 1, "s", 1, 1, "4916000000000", "4916000099999");
	add_committed(e, set, &d);
	/* Every seventh number taken, and a run of them. */
	for (uint64_t i = 0; i < size; i++)
		if (i % 7 == 3 || (i >= 500 && i < 900)) {
			assert_int_equal(jitsim_pool_take(set, first + i, 1 + i, e->b, e->err,
							  sizeof(e->err)),
					 0);
			taken[i] = 1;
		}
	commit(e, set);
	check_search(e, set, taken, first, size, "77$");
	check_search(e, set, taken, first, size, "^49160000(3|4)0");
	check_search(e, set, taken, first, size, "0{6}");
	check_search(e, set, taken, first, size, "[13579]{5}$");
	check_search(e, set, taken, first, size, "12.4");

	/* Bad patterns: the message quotes the pattern and says why. */
	assert_int_equal(
		jitsim_pool_search(set, JITSIM_POOL_ALL, "(12", 4, out, &n, e->err, sizeof(e->err)),
		-EINVAL);
	assert_non_null(strstr(e->err, "'(12'"));
	assert_int_equal(jitsim_pool_search(set, JITSIM_POOL_ALL, "a\x01", 4, out, &n, e->err,
					    sizeof(e->err)),
			 -EINVAL);
	assert_non_null(strstr(e->err, "control"));
	{
		char longp[300];

		memset(longp, '1', sizeof(longp) - 1);
		longp[sizeof(longp) - 1] = '\0';
		assert_int_equal(jitsim_pool_search(set, JITSIM_POOL_ALL, longp, 4, out, &n, e->err,
						    sizeof(e->err)),
				 -EINVAL);
		assert_non_null(strstr(e->err, "longer than"));
	}
	assert_int_equal(jitsim_pool_search(set, 2, "1", 4, out, &n, e->err, sizeof(e->err)),
			 -ENOENT);
	jitsim_pool_set_close(set);
	free(taken);
}

/* A pool added over numbers the MSISDN index already holds (imported SIMs
 * with their numbers) counts them as taken and never hands them out. */
static void
test_add_taken(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	/* Tails 1357900..1357999: standard numbers under the default rules
	 * (gold needs four equal digits or a run of four at the end). */
	const uint64_t first = K("4916771357900");
	struct jitsim_pool_stats st;
	struct jitsim_pool_def d;
	uint64_t m, got = 0;

	for (uint64_t i = 0; i < 100; i += 7)
		jitsim_store_batch_put_msisdn(e->b, first + i, 1000 + i);
	commit(e, set);
	def_init(&d, 1, "imported", 1, 1, "4916771357900", "4916771357999");
	add_committed(e, set, &d);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.taken, 15);
	assert_int_equal(st.free, 85);
	while (alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 5000 + got, 1, &m) == 0) {
		assert_true(m >= first && m < first + 100);
		assert_int_not_equal((m - first) % 7, 0);
		got++;
	}
	jitsim_pool_abort(set, e->b);
	jitsim_store_batch_clear(e->b);
	/* Every free standard number, nothing more (premium ones stay). */
	assert_true(got > 0 && got <= 85);
	assert_int_equal(jitsim_pool_stats(set, 1, true, &st), 0);
	assert_int_equal(got, st.free_by_class[JITSIM_POOL_STANDARD]);
	jitsim_pool_set_close(set);
}

/* Every truncation of a valid definition is refused by open, naming the key. */
static void
test_def_truncated(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const uint8_t key[8] = {'d', 'e', 'f', '/', 0, 0, 0, 3};
	uint8_t val[1024];
	struct jitsim_pool_def d;
	size_t len;

	def_init(&d, 3, "trunc", 1, 1, "4916660000000", "4916660000099");
	d.nrules = 1;
	d.rules[0].cls = JITSIM_POOL_GOLD;
	snprintf(d.rules[0].pattern, sizeof(d.rules[0].pattern), "00$");
	add_committed(e, set, &d);
	jitsim_pool_set_close(set);
	assert_int_equal(
		jitsim_store_get(e->st, JITSIM_CF_POOL, key, sizeof(key), val, sizeof(val), &len),
		0);
	assert_true(len < sizeof(val));
	for (size_t n = 0; n <= len + 1; n++) {
		int rc;

		set = NULL;
		jitsim_store_batch_put(e->b, JITSIM_CF_POOL, key, sizeof(key), val, n);
		assert_int_equal(jitsim_store_commit(e->b, e->err, sizeof(e->err)), 0);
		jitsim_store_batch_clear(e->b);
		rc = jitsim_pool_set_open(e->st, &set, e->err, sizeof(e->err));
		if (n == len) {
			assert_int_equal(rc, 0);
			jitsim_pool_set_close(set);
			continue;
		}
		assert_int_equal(rc, -EBADMSG);
		assert_null(set);
		assert_non_null(strstr(e->err, "def/3"));
	}
}

/*
 * Random operations against a model: batches of one to three operations,
 * committed or aborted at random, the set reopened now and then. After
 * every batch the set's counters equal the model's; now and then every
 * number's store entries are compared with it.
 */
enum mstate { M_FREE, M_TAKEN, M_Q, M_R };

struct mnum {
	enum mstate st;
	uint64_t imsi;
	uint32_t until;
};

#define MN 48
#define MQ 10

static uint32_t
rnd(uint32_t *x)
{
	*x = *x * 1103515245u + 12345u;
	return *x >> 8;
}

static void
model_check_stats(struct jitsim_pool_set *set, const struct mnum *m)
{
	struct jitsim_pool_stats st;
	uint64_t c[4] = {0};

	for (int i = 0; i < MN; i++)
		c[m[i].st]++;
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.free, c[M_FREE]);
	assert_int_equal(st.taken, c[M_TAKEN]);
	assert_int_equal(st.quarantined, c[M_Q]);
	assert_int_equal(st.reserved, c[M_R]);
}

static void
model_check_store(struct env *e, uint64_t first, const struct mnum *m)
{
	for (int i = 0; i < MN; i++) {
		uint8_t k[10], v[8];
		uint64_t imsi;
		size_t len;
		int rc = jitsim_store_msisdn_get(e->st, first + (uint64_t)i, &imsi);

		assert_int_equal(rc == 0, m[i].st == M_TAKEN);
		if (rc == 0)
			assert_int_equal(imsi, m[i].imsi);
		k[1] = '/';
		for (int j = 0; j < 8; j++)
			k[2 + j] = (uint8_t)((first + (uint64_t)i) >> (56 - 8 * j));
		k[0] = 'q';
		rc = jitsim_store_get(e->st, JITSIM_CF_POOL, k, sizeof(k), v, sizeof(v), &len);
		assert_int_equal(rc == 0, m[i].st == M_Q);
		k[0] = 'r';
		rc = jitsim_store_get(e->st, JITSIM_CF_POOL, k, sizeof(k), v, sizeof(v), &len);
		assert_int_equal(rc == 0, m[i].st == M_R);
	}
}

static int
model_holder(const struct mnum *m, uint64_t imsi)
{
	for (int i = 0; i < MN; i++)
		if (m[i].st == M_R && m[i].imsi == imsi)
			return i;
	return -1;
}

static void
test_model(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	const uint64_t first = K("4916660000000");
	struct mnum com[MN] = {0}, pen[MN];
	struct jitsim_pool_def d;
	uint32_t x = 777, now = 1000;

	def_init(&d, 1, "model", 1, 1, "4916660000000", "4916660000047");
	def_all_standard(&d);
	d.quarantine = MQ;
	add_committed(e, set, &d);
	for (int step = 0; step < 600; step++) {
		int nops = 1 + (int)(rnd(&x) % 3), rc;

		now += rnd(&x) % 3;
		memcpy(pen, com, sizeof(pen));
		/* Sweep first: then the outcome of every operation is determined. */
		rc = jitsim_pool_sweep(set, now, 1000, e->b);
		assert_true(rc >= 0);
		for (int i = 0; i < MN; i++)
			if (pen[i].st == M_Q && pen[i].until <= now) {
				pen[i].st = M_FREE;
				rc--;
			}
		assert_int_equal(rc, 0);
		for (int op = 0; op < nops; op++) {
			int i = (int)(rnd(&x) % MN), h;
			uint64_t imsi = 1 + rnd(&x) % 40, num = first + (uint64_t)i, got;
			bool any = false;

			switch (rnd(&x) % 5) {
			case 0:
				h = model_holder(pen, imsi);
				for (int j = 0; j < MN; j++)
					any |= pen[j].st == M_FREE;
				rc = alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, imsi, now, &got);
				if (h >= 0) {
					assert_int_equal(rc, 0);
					assert_int_equal(got, first + (uint64_t)h);
				} else if (!any) {
					assert_int_equal(rc, -ENOSPC);
					break;
				} else {
					assert_int_equal(rc, 0);
					assert_true(got >= first && got < first + MN);
					assert_int_equal(pen[got - first].st, M_FREE);
				}
				pen[got - first] = (struct mnum){M_TAKEN, imsi, 0};
				break;
			case 1:
				rc = jitsim_pool_release(set, num, now, e->b, e->err,
							 sizeof(e->err));
				assert_int_equal(rc, pen[i].st == M_TAKEN ? 0 : -ENOENT);
				if (rc == 0)
					pen[i] = (struct mnum){M_Q, 0, now + MQ};
				break;
			case 2:
				rc = jitsim_pool_take(set, num, imsi, e->b, e->err, sizeof(e->err));
				if (pen[i].st == M_FREE ||
				    (pen[i].st == M_R && pen[i].imsi == imsi)) {
					assert_int_equal(rc, 0);
					pen[i] = (struct mnum){M_TAKEN, imsi, 0};
				} else {
					assert_int_equal(rc,
							 pen[i].st == M_TAKEN ? -EEXIST : -EBUSY);
				}
				break;
			case 3:
				rc = jitsim_pool_reserve(set, num, imsi, e->b, e->err,
							 sizeof(e->err));
				if (model_holder(pen, imsi) >= 0 || pen[i].st != M_FREE) {
					assert_int_equal(rc, -EEXIST);
				} else {
					assert_int_equal(rc, 0);
					pen[i] = (struct mnum){M_R, imsi, 0};
				}
				break;
			default:
				rc = jitsim_pool_unreserve(set, num, e->b, e->err, sizeof(e->err));
				assert_int_equal(rc, pen[i].st == M_R ? 0 : -ENOENT);
				if (rc == 0)
					pen[i] = (struct mnum){M_FREE, 0, 0};
				break;
			}
		}
		model_check_stats(set, pen);
		if (rnd(&x) % 4 == 0) {
			jitsim_pool_abort(set, e->b);
			jitsim_store_batch_clear(e->b);
		} else {
			commit(e, set);
			memcpy(com, pen, sizeof(com));
		}
		model_check_stats(set, com);
		if (step % 100 == 99) {
			model_check_store(e, first, com);
			jitsim_pool_set_close(set);
			set = set_open(e);
			model_check_stats(set, com);
		}
	}
	jitsim_pool_set_close(set);
}

/* ---- memory ----------------------------------------------------------- */

static void
test_memory_100m(void **state)
{
	struct env *e = *state;
	struct jitsim_pool_set *set = set_open(e);
	size_t before = jitsim_pool_mem_bytes(set), bytes;
	struct jitsim_pool_stats st;
	struct jitsim_pool_def d;
	uint64_t m, out[3];
	size_t n;

	def_init(&d, 1, "big", 1, 1, "4917100000000", "4917199999999");
	add_committed(e, set, &d);
	for (int i = 0; i < 1000; i++)
		assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_STANDARD, 1 + i, 1, &m), 0);
	commit(e, set);
	/* No rule gives vanity here: refused without scanning 10^8 numbers. */
	assert_int_equal(alloc(e, set, 1, 1, JITSIM_POOL_VANITY, 5000, 1, &m), -ENOSPC);
	assert_non_null(strstr(e->err, "vanity"));
	assert_int_equal(jitsim_pool_search(set, 1, "99999$", 3, out, &n, e->err, sizeof(e->err)),
			 0);
	assert_int_equal(n, 3);
	bytes = jitsim_pool_mem_bytes(set) - before;
	print_message("100M-number pool: %zu bytes\n", bytes);
	assert_true(bytes >= 100000000 / 8);
	assert_true(bytes < 16u << 20);
	assert_int_equal(jitsim_pool_stats(set, 1, false, &st), 0);
	assert_int_equal(st.size, 100000000);
	assert_int_equal(st.free, 100000000 - 1000);
	jitsim_pool_set_close(set);
}

/* ---- the map ---------------------------------------------------------- */

/* Random puts and deletes against a plain array. */
static void
test_map(void **state)
{
	struct jitsim_pool_map m = {0};
	enum { N = 4096 };
	uint64_t *ref = calloc(N, sizeof(*ref)), v;
	uint32_t x = 12345;

	(void)state;
	assert_int_equal(jitsim_pool_map_put(&m, 0, 1), -EINVAL);
	for (int i = 0; i < 200000; i++) {
		uint64_t k;

		x = x * 1103515245u + 12345u;
		k = (x >> 8) % N;
		if ((x >> 4) & 1) {
			assert_int_equal(jitsim_pool_map_put(&m, k + 1, (uint64_t)i + 1), 0);
			ref[k] = (uint64_t)i + 1;
		} else {
			assert_int_equal(jitsim_pool_map_del(&m, k + 1), ref[k] != 0);
			ref[k] = 0;
		}
		if (i % 1000 == 0) {
			size_t cnt = 0;

			for (uint64_t j = 0; j < N; j++) {
				bool has = jitsim_pool_map_get(&m, j + 1, &v);

				assert_int_equal(has, ref[j] != 0);
				if (has)
					assert_int_equal(v, ref[j]);
				cnt += has;
			}
			assert_int_equal(cnt, m.n);
		}
	}
	jitsim_pool_map_fini(&m);
	free(ref);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_add_overlap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_damaged_def, setup, teardown),
		cmocka_unit_test_setup_teardown(test_def_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_model, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unique_100k, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_abort, setup, teardown),
		cmocka_unit_test_setup_teardown(test_exhaustion, setup, teardown),
		cmocka_unit_test_setup_teardown(test_premium, setup, teardown),
		cmocka_unit_test_setup_teardown(test_quarantine, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reservation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_search, setup, teardown),
		cmocka_unit_test_setup_teardown(test_add_taken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_memory_100m, setup, teardown),
		cmocka_unit_test(test_map),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
