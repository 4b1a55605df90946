/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Dataplane tables: functional tests, then concurrency tests with real
 * threads (readers registered with QSBR, the test thread as updater).
 * cmocka's asserts are not thread-safe (they longjmp into the test), so
 * worker threads count failures in atomics and the test thread asserts
 * them. No test depends on timing: threads stop on flags, work is counted.
 */

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <urcu/urcu-qsbr.h>

#include "table.h"
#include "table_priv.h"

#define N_THREADS 4

/* Compact keys as jitsim_digits_key() makes them: digit count << 56 |
 * value. 15-digit IMSIs of MCC 208 MNC 01, 11-digit MSISDNs. */
static uint64_t
imsi_key(uint64_t x)
{
	return 15ULL << 56 | (208010000000000ULL + x);
}

static uint64_t
msisdn_key(uint64_t x)
{
	return 11ULL << 56 | (33600000000ULL + x);
}

static uint64_t
rnd(uint64_t *s)
{
	/* splitmix64: a fast, well-mixed sequence per thread. */
	uint64_t z = (*s += 0x9e3779b97f4a7c15ULL);

	z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
	z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
	return z ^ (z >> 31);
}

/* Every field of an entry derived from one version number, so a reader
 * can tell a snapshot mixing two updates from a consistent one. */
static struct jitsim_table_sim
sim_version(uint64_t key, uint32_t v)
{
	struct jitsim_table_sim s = {
		.imsi = key,
		.msisdn = key * 1000003ULL + v + 1,
		.sw = jitsim_table_sw_make(1 + v % 8, v & 0xff, v),
		.tenant = (uint16_t)(v * 40503u),
		.region = (uint16_t)(v ^ 0x5a5au),
	};
	return s;
}

static bool
sim_consistent(const struct jitsim_table_sim *s)
{
	struct jitsim_table_sim want = sim_version(s->imsi, jitsim_table_sw_time(s->sw));

	return s->msisdn == want.msisdn && s->sw == want.sw && s->tenant == want.tenant &&
	       s->region == want.region;
}

static void
assert_sim_equal(const struct jitsim_table_sim *a, const struct jitsim_table_sim *b)
{
	assert_int_equal(a->imsi, b->imsi);
	assert_int_equal(a->msisdn, b->msisdn);
	assert_int_equal(a->sw, b->sw);
	assert_int_equal(a->tenant, b->tenant);
	assert_int_equal(a->region, b->region);
}

static struct jitsim_table_sim
sim_state(uint64_t key, unsigned int state, uint32_t time)
{
	struct jitsim_table_sim s = {
		.imsi = key,
		.msisdn = 0,
		.sw = jitsim_table_sw_make(state, JITSIM_SIM_F_TEST, time),
		.tenant = 7,
		.region = 3,
	};
	return s;
}

static int
group_setup(void **state)
{
	(void)state;
	urcu_qsbr_register_thread();
	return 0;
}

static int
group_teardown(void **state)
{
	(void)state;
	urcu_qsbr_unregister_thread();
	return 0;
}

/*
 * Functional tests.
 */

static void
test_imsi_basics(void **state)
{
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(0);
	struct jitsim_table_sim s, out;
	struct jitsim_table_stats st;
	uint64_t actual = 0;

	(void)state;
	assert_non_null(t);
	s = sim_version(imsi_key(1), 1);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_sim_equal(&out, &s);
	assert_false(jitsim_table_imsi_lookup(t, imsi_key(2), &out));
	assert_false(jitsim_table_imsi_lookup(t, 0, &out));

	/* Replace: every field changes, no new entry. */
	s = sim_version(imsi_key(1), 2);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_sim_equal(&out, &s);
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.tombstones, 0);
	assert_int_equal(st.rebuilds, 0);
	assert_true(st.slots >= JT_MIN_SLOTS);
	assert_true(st.bytes >= st.slots * 34);

	/* Return codes. */
	s.imsi = 0;
	assert_int_equal(jitsim_table_imsi_put(t, &s), -EINVAL);
	assert_int_equal(jitsim_table_imsi_del(t, imsi_key(2)), -ENOENT);
	assert_int_equal(jitsim_table_imsi_del(t, 0), -ENOENT);
	assert_int_equal(jitsim_table_imsi_cas_state(t, imsi_key(2), 0, 1, NULL), -ENOENT);
	assert_int_equal(jitsim_table_imsi_cas_state(t, imsi_key(1), out.sw + 1, 5, &actual),
			 -EAGAIN);
	assert_int_equal(actual, out.sw);
	assert_int_equal(jitsim_table_imsi_cas_state(t, imsi_key(1), out.sw + 1, 5, NULL), -EAGAIN);
	assert_int_equal(jitsim_table_imsi_cas_state(t, imsi_key(1), out.sw, 5, &actual), 0);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_int_equal(out.sw, 5);
	assert_int_equal(out.msisdn, s.msisdn);

	/* Delete, then put again. */
	assert_int_equal(jitsim_table_imsi_del(t, imsi_key(1)), 0);
	assert_false(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_int_equal(jitsim_table_imsi_del(t, imsi_key(1)), -ENOENT);
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 0);
	assert_int_equal(st.tombstones, 1);
	s = sim_version(imsi_key(1), 3);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_sim_equal(&out, &s);
	assert_int_equal(jitsim_table_imsi_rehash(t), 0);
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 1);
	assert_int_equal(st.tombstones, 0);
	assert_int_equal(st.rebuilds, 1);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_sim_equal(&out, &s);

	jitsim_table_imsi_free(t);
	jitsim_table_imsi_free(NULL);
}

/* From the smallest array to 200k entries: every key inserted so far is
 * found after each growth, none that was not. */
static void
test_imsi_growth(void **state)
{
	const uint64_t n = 200000;
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(0);
	struct jitsim_table_stats st;
	struct jitsim_table_sim out;
	uint64_t rebuilds = 0;

	(void)state;
	assert_non_null(t);
	for (uint64_t i = 0; i < n; i++) {
		struct jitsim_table_sim s = sim_version(imsi_key(i * 7919), (uint32_t)i);

		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
		jitsim_table_imsi_stats(t, &st);
		if (st.rebuilds != rebuilds) {
			/* Just grown: check everything so far. */
			rebuilds = st.rebuilds;
			assert_true(st.entries * 100 <= st.slots * JITSIM_TABLE_LOAD_MAX);
			for (uint64_t j = 0; j <= i; j++) {
				assert_true(jitsim_table_imsi_lookup(t, imsi_key(j * 7919), &out));
				assert_true(sim_consistent(&out));
				assert_int_equal(jitsim_table_sw_time(out.sw), j);
			}
		}
	}
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, n);
	assert_true(st.rebuilds >= 8);
	for (uint64_t i = 0; i < n; i++) {
		assert_true(jitsim_table_imsi_lookup(t, imsi_key(i * 7919), &out));
		assert_int_equal(jitsim_table_sw_time(out.sw), i);
		assert_false(jitsim_table_imsi_lookup(t, imsi_key(i * 7919 + 1), &out));
	}
	jitsim_table_imsi_free(t);
}

/* create(N) then N puts: no rebuild, and the memory the header promises
 * (34 and 18 bytes per slot at the maximum load, plus page rounding). */
static void
test_sized_load(void **state)
{
	const uint64_t n = 100000;
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(n);
	struct jitsim_table_msisdn *m = jitsim_table_msisdn_create(n);
	struct jitsim_table_stats si, sm;

	(void)state;
	assert_non_null(t);
	assert_non_null(m);
	for (uint64_t i = 0; i < n; i++) {
		struct jitsim_table_sim s = sim_version(imsi_key(i), (uint32_t)i);

		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
		assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(i), imsi_key(i)), 0);
	}
	jitsim_table_imsi_stats(t, &si);
	jitsim_table_msisdn_stats(m, &sm);
	assert_int_equal(si.rebuilds, 0);
	assert_int_equal(sm.rebuilds, 0);
	/* Sized at the maximum load, up to the rounding to whole chunks. */
	assert_true(si.slots <= (n * 100 + JITSIM_TABLE_LOAD_MAX - 1) / JITSIM_TABLE_LOAD_MAX +
					JT_CHUNK_SLOTS - 1);
	assert_int_equal(si.entries, n);
	assert_int_equal(sm.entries, n);
	/* 34 / 0.85 = 40, 18 / 0.85 = 21.2; a 2 MiB rounding on top. */
	assert_true(si.bytes <= n * 40 + (2u << 20));
	assert_true(sm.bytes <= n * 22 + (2u << 20));
	/* One more entry than sized for still works (it grows). */
	{
		struct jitsim_table_sim s = sim_version(imsi_key(n), 1);

		for (uint64_t i = n; i < n + n / 5; i++) {
			s.imsi = imsi_key(i);
			assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
		}
		jitsim_table_imsi_stats(t, &si);
		assert_int_equal(si.rebuilds, 1);
	}
	jitsim_table_imsi_free(t);
	jitsim_table_msisdn_free(m);
}

static void
test_tombstones(void **state)
{
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(1000);
	struct jitsim_table_stats st;
	struct jitsim_table_sim out;
	uint64_t max_slots = 0;

	(void)state;
	assert_non_null(t);
	for (uint64_t i = 0; i < 1000; i++) {
		struct jitsim_table_sim s = sim_version(imsi_key(i), (uint32_t)i);

		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	}
	for (uint64_t i = 0; i < 1000; i++)
		if (i % 10 != 0)
			assert_int_equal(jitsim_table_imsi_del(t, imsi_key(i)), 0);
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 100);
	assert_int_equal(st.tombstones, 900);
	for (uint64_t i = 0; i < 1000; i++) {
		/* A probe walks over tombstones to the keys behind them. */
		assert_int_equal(jitsim_table_imsi_lookup(t, imsi_key(i), &out), i % 10 == 0);
		if (i % 10 == 0)
			assert_int_equal(jitsim_table_sw_time(out.sw), i);
	}
	assert_int_equal(jitsim_table_imsi_rehash(t), 0);
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 100);
	assert_int_equal(st.tombstones, 0);
	assert_int_equal(st.rebuilds, 1);
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(jitsim_table_imsi_lookup(t, imsi_key(i), &out), i % 10 == 0);

	/* Churn: 100 live keys, 100k put/del pairs. Tombstones force
	 * rebuilds, which must not let the array grow without bound. */
	for (uint64_t i = 0; i < 100000; i++) {
		struct jitsim_table_sim s = sim_version(imsi_key(5000000 + i), (uint32_t)i);

		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
		assert_int_equal(jitsim_table_imsi_del(t, imsi_key(5000000 + i)), 0);
		jitsim_table_imsi_stats(t, &st);
		if (st.slots > max_slots)
			max_slots = st.slots;
	}
	jitsim_table_imsi_stats(t, &st);
	assert_int_equal(st.entries, 100);
	assert_true(st.rebuilds > 10);
	assert_true(max_slots <= 1200);
	for (uint64_t i = 0; i < 1000; i++)
		assert_int_equal(jitsim_table_imsi_lookup(t, imsi_key(i), &out), i % 10 == 0);
	jitsim_table_imsi_free(t);
}

/* Bulk lookups give what single lookups give: hits, misses, repeated
 * keys, key 0, every burst size up to above the maximum. The table is at
 * its maximum load so probes are long and false tag matches (1 in 65534
 * per probed slot) happen: ~100k misses x ~20 slots each. */
static void
test_imsi_bulk(void **state)
{
	const uint64_t n = 20000;
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(n);
	struct jitsim_table_sim out[100], one;
	uint64_t keys[100];
	bool hit[100];
	uint64_t seed = 1, total_hits = 0;

	(void)state;
	assert_non_null(t);
	for (uint64_t i = 0; i < n; i++) {
		struct jitsim_table_sim s = sim_version(imsi_key(i * 3), (uint32_t)i);

		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	}
	assert_int_equal(jitsim_table_imsi_lookup_bulk(t, keys, 0, out, hit), 0);
	for (unsigned int round = 0; round < 4000; round++) {
		unsigned int cnt = round % 101, hits = 0;

		for (unsigned int k = 0; k < cnt; k++) {
			uint64_t r = rnd(&seed);

			if (r % 17 == 0)
				keys[k] = 0;
			else if (r % 13 == 0 && k > 0)
				keys[k] = keys[k - 1];
			else
				keys[k] = imsi_key((r >> 8) % (2 * n * 3));
		}
		memset(hit, 0xff, sizeof(hit));
		unsigned int got = jitsim_table_imsi_lookup_bulk(t, keys, cnt, out, hit);

		for (unsigned int k = 0; k < cnt; k++) {
			bool h = jitsim_table_imsi_lookup(t, keys[k], &one);

			assert_int_equal(hit[k], h);
			if (h) {
				assert_sim_equal(&out[k], &one);
				hits++;
			}
		}
		assert_int_equal(got, hits);
		total_hits += hits;
	}
	assert_true(total_hits > 10000);
	jitsim_table_imsi_free(t);
}

static void
test_msisdn(void **state)
{
	struct jitsim_table_msisdn *m = jitsim_table_msisdn_create(0);
	struct jitsim_table_stats st;
	uint64_t keys[100], imsi[100];
	uint64_t seed = 2;

	(void)state;
	assert_non_null(m);
	assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(1), imsi_key(1)), 0);
	assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(1), imsi_key(1)), 0);
	assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(1), imsi_key(2)), -EEXIST);
	assert_int_equal(jitsim_table_msisdn_put(m, 0, imsi_key(2)), -EINVAL);
	assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(3), 0), -EINVAL);
	assert_int_equal(jitsim_table_msisdn_lookup(m, msisdn_key(1)), imsi_key(1));
	assert_int_equal(jitsim_table_msisdn_lookup(m, msisdn_key(2)), 0);
	assert_int_equal(jitsim_table_msisdn_lookup(m, 0), 0);
	assert_int_equal(jitsim_table_msisdn_del(m, msisdn_key(2)), -ENOENT);
	assert_int_equal(jitsim_table_msisdn_del(m, 0), -ENOENT);
	/* A number change: delete, then the new pair. */
	assert_int_equal(jitsim_table_msisdn_del(m, msisdn_key(1)), 0);
	assert_int_equal(jitsim_table_msisdn_lookup(m, msisdn_key(1)), 0);
	assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(1), imsi_key(2)), 0);
	assert_int_equal(jitsim_table_msisdn_lookup(m, msisdn_key(1)), imsi_key(2));
	assert_int_equal(jitsim_table_msisdn_del(m, msisdn_key(1)), 0);

	/* Growth from the smallest array, deletes, rehash. */
	for (uint64_t i = 0; i < 50000; i++)
		assert_int_equal(jitsim_table_msisdn_put(m, msisdn_key(i), imsi_key(i)), 0);
	for (uint64_t i = 0; i < 50000; i += 2)
		assert_int_equal(jitsim_table_msisdn_del(m, msisdn_key(i)), 0);
	jitsim_table_msisdn_stats(m, &st);
	assert_int_equal(st.entries, 25000);
	assert_int_equal(st.tombstones, 25000);
	assert_true(st.rebuilds >= 5);
	assert_int_equal(jitsim_table_msisdn_rehash(m), 0);
	jitsim_table_msisdn_stats(m, &st);
	assert_int_equal(st.tombstones, 0);
	for (uint64_t i = 0; i < 50000; i++)
		assert_int_equal(jitsim_table_msisdn_lookup(m, msisdn_key(i)),
				 i % 2 ? imsi_key(i) : 0);

	/* Bulk equals single. */
	assert_int_equal(jitsim_table_msisdn_lookup_bulk(m, keys, 0, imsi), 0);
	for (unsigned int round = 0; round < 2000; round++) {
		unsigned int cnt = round % 101, hits = 0;

		for (unsigned int k = 0; k < cnt; k++) {
			uint64_t r = rnd(&seed);

			if (r % 17 == 0)
				keys[k] = 0;
			else if (r % 13 == 0 && k > 0)
				keys[k] = keys[k - 1];
			else
				keys[k] = msisdn_key((r >> 8) % 60000);
		}
		unsigned int got = jitsim_table_msisdn_lookup_bulk(m, keys, cnt, imsi);

		for (unsigned int k = 0; k < cnt; k++) {
			uint64_t want = jitsim_table_msisdn_lookup(m, keys[k]);

			assert_int_equal(imsi[k], want);
			hits += want != 0;
		}
		assert_int_equal(got, hits);
	}
	jitsim_table_msisdn_free(m);
	jitsim_table_msisdn_free(NULL);
}

static void
test_lease_touch(void **state)
{
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(0);
	struct jitsim_table_sim s, out;
	uint64_t prev = 1;

	(void)state;
	assert_non_null(t);
	assert_false(jitsim_table_imsi_take_lease(t, imsi_key(1), 100, 130, &prev));
	assert_int_equal(prev, 0);
	assert_false(jitsim_table_imsi_touch(t, imsi_key(1), 5));

	s = sim_state(imsi_key(1), JITSIM_SIM_INVENTORY, 0);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_true(jitsim_table_imsi_take_lease(t, imsi_key(1), 100, 130, &prev));
	assert_int_equal(prev, s.sw);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_ACTIVATING);
	assert_int_equal(jitsim_table_sw_time(out.sw), 130);
	assert_int_equal(jitsim_table_sw_flags(out.sw), JITSIM_SIM_F_TEST);
	/* Lease running: refused, prev tells why. */
	assert_false(jitsim_table_imsi_take_lease(t, imsi_key(1), 120, 150, &prev));
	assert_int_equal(prev, out.sw);
	assert_false(jitsim_table_imsi_take_lease(t, imsi_key(1), 130, 150, NULL));
	/* Expired: taken again, same state, new expiry. */
	assert_true(jitsim_table_imsi_take_lease(t, imsi_key(1), 131, 160, &prev));
	assert_int_equal(prev, out.sw);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(1), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_ACTIVATING);
	assert_int_equal(jitsim_table_sw_time(out.sw), 160);
	assert_false(jitsim_table_imsi_touch(t, imsi_key(1), 500));

	s = sim_state(imsi_key(2), JITSIM_SIM_SLEEPING, 0);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_true(jitsim_table_imsi_take_lease(t, imsi_key(2), 100, 130, &prev));
	assert_int_equal(jitsim_table_sw_state(prev), JITSIM_SIM_SLEEPING);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(2), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_REACTIVATING);
	assert_true(jitsim_table_imsi_take_lease(t, imsi_key(2), 131, 140, &prev));
	assert_int_equal(jitsim_table_sw_state(prev), JITSIM_SIM_REACTIVATING);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(2), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_REACTIVATING);

	/* States that are not activatable. */
	for (unsigned int st = JITSIM_SIM_ACTIVE; st < JITSIM_SIM_STATE_MAX; st++) {
		if (st == JITSIM_SIM_SLEEPING || st == JITSIM_SIM_REACTIVATING)
			continue;
		s = sim_state(imsi_key(3), st, 0);
		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
		assert_false(jitsim_table_imsi_take_lease(t, imsi_key(3), 100, 130, &prev));
		assert_int_equal(prev, s.sw);
	}

	/* Touch: once per epoch, only forward, only ACTIVE. */
	s = sim_state(imsi_key(4), JITSIM_SIM_ACTIVE, 3);
	assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	assert_false(jitsim_table_imsi_touch(t, imsi_key(4), 3));
	assert_true(jitsim_table_imsi_touch(t, imsi_key(4), 5));
	assert_false(jitsim_table_imsi_touch(t, imsi_key(4), 5));
	assert_false(jitsim_table_imsi_touch(t, imsi_key(4), 4));
	assert_true(jitsim_table_imsi_touch(t, imsi_key(4), 6));
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(4), &out));
	assert_int_equal(out.sw, jitsim_table_sw_make(JITSIM_SIM_ACTIVE, JITSIM_SIM_F_TEST, 6));
	assert_false(jitsim_table_imsi_touch(t, imsi_key(2), 1000));
	jitsim_table_imsi_free(t);
}

struct hook_arg {
	uint64_t lease_key;
	uint64_t touch_key;
	int calls;
	bool lease_ok, touch_ok;
};

static void
lease_in_old_array(struct jitsim_table_imsi *t, void *arg)
{
	struct hook_arg *h = arg;

	h->calls++;
	h->lease_ok = jitsim_table_imsi_take_lease(t, h->lease_key, 100, 200, NULL);
	h->touch_ok = jitsim_table_imsi_touch(t, h->touch_key, 77);
}

/* A lease and a touch made in the old array after their entries were
 * copied (the hook runs between copy and publication) survive the
 * rebuild: reconciliation carries them into the new array. */
static void
test_lease_across_rebuild(void **state)
{
	struct jitsim_table_imsi *t = jitsim_table_imsi_create(0);
	struct hook_arg h = {.lease_key = imsi_key(10), .touch_key = imsi_key(11)};
	struct jitsim_table_sim s, out;

	(void)state;
	assert_non_null(t);
	for (uint64_t i = 0; i < 40; i++) {
		s = sim_state(imsi_key(i), i == 11 ? JITSIM_SIM_ACTIVE : JITSIM_SIM_INVENTORY, 1);
		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	}
	jitsim_table_imsi_set_rebuild_hook(t, lease_in_old_array, &h);
	assert_int_equal(jitsim_table_imsi_rehash(t), 0);
	assert_int_equal(h.calls, 1);
	assert_true(h.lease_ok);
	assert_true(h.touch_ok);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(10), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_ACTIVATING);
	assert_int_equal(jitsim_table_sw_time(out.sw), 200);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(11), &out));
	assert_int_equal(jitsim_table_sw_time(out.sw), 77);
	assert_false(jitsim_table_imsi_take_lease(t, imsi_key(10), 150, 300, NULL));
	assert_false(jitsim_table_imsi_touch(t, imsi_key(11), 77));

	/* Same through a growth rebuild triggered by put. */
	h.lease_key = imsi_key(12);
	h.touch_key = imsi_key(11);
	h.calls = 0;
	for (uint64_t i = 40; h.calls == 0; i++) {
		s = sim_state(imsi_key(i), JITSIM_SIM_INVENTORY, 1);
		assert_int_equal(jitsim_table_imsi_put(t, &s), 0);
	}
	assert_true(h.lease_ok);
	assert_true(jitsim_table_imsi_lookup(t, imsi_key(12), &out));
	assert_int_equal(jitsim_table_sw_state(out.sw), JITSIM_SIM_ACTIVATING);
	jitsim_table_imsi_free(t);
}

/*
 * Concurrency tests.
 */

struct race {
	struct jitsim_table_imsi *t;
	pthread_barrier_t start, end;
	unsigned int rounds;
	unsigned int nkeys;
	uint64_t wins[N_THREADS];
	uint64_t *key_wins; /* per key, atomic */
};

/* Waiting in a barrier is a long quiescent period: go offline so a
 * grace period never waits for a parked thread. */
static void
barrier_offline(pthread_barrier_t *b)
{
	urcu_qsbr_thread_offline();
	pthread_barrier_wait(b);
	urcu_qsbr_thread_online();
}

static void *
lease_racer(void *arg)
{
	struct race *r = arg;

	urcu_qsbr_register_thread();
	for (unsigned int i = 0; i < r->rounds; i++) {
		barrier_offline(&r->start);
		/* Round i: key i % nkeys was reset to INVENTORY by the test
		 * thread, now = 1000 + i, each lease valid for 10. */
		if (jitsim_table_imsi_take_lease(r->t, imsi_key(i % r->nkeys), 1000 + i, 1010 + i,
						 NULL))
			__atomic_fetch_add(&r->key_wins[i], 1, __ATOMIC_RELAXED);
		urcu_qsbr_quiescent_state();
		barrier_offline(&r->end);
	}
	urcu_qsbr_unregister_thread();
	return NULL;
}

/* Many threads race for one SIM's lease, round after round: exactly one
 * wins each round, including rounds where the lease is re-taken because
 * it expired rather than reset. */
static void
test_lease_race(void **state)
{
	struct race r = {.rounds = 3000, .nkeys = 5};
	pthread_t th[N_THREADS];

	(void)state;
	r.t = jitsim_table_imsi_create(0);
	assert_non_null(r.t);
	r.key_wins = calloc(r.rounds, sizeof(*r.key_wins));
	assert_non_null(r.key_wins);
	pthread_barrier_init(&r.start, NULL, N_THREADS + 1);
	pthread_barrier_init(&r.end, NULL, N_THREADS + 1);
	for (unsigned int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lease_racer, &r), 0);
	for (unsigned int i = 0; i < r.rounds; i++) {
		/* Visits of a key alternate: reset to INVENTORY or SLEEPING
		 * by a put, or (next visit) the lease taken last time made
		 * expired by a CAS of its time to 0, so it is re-taken. */
		if ((i / r.nkeys) % 2 == 0) {
			struct jitsim_table_sim s =
				sim_state(imsi_key(i % r.nkeys),
					  i % 3 ? JITSIM_SIM_INVENTORY : JITSIM_SIM_SLEEPING, 0);

			assert_int_equal(jitsim_table_imsi_put(r.t, &s), 0);
		} else {
			/* Expire the lease in place by CAS: time -> 0. */
			struct jitsim_table_sim o;

			assert_true(jitsim_table_imsi_lookup(r.t, imsi_key(i % r.nkeys), &o));
			assert_int_equal(
				jitsim_table_imsi_cas_state(
					r.t, o.imsi, o.sw,
					jitsim_table_sw_make(jitsim_table_sw_state(o.sw), 0, 0),
					NULL),
				0);
		}
		barrier_offline(&r.start);
		barrier_offline(&r.end);
		assert_int_equal(__atomic_load_n(&r.key_wins[i], __ATOMIC_RELAXED), 1);
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.end);
	free(r.key_wins);
	jitsim_table_imsi_free(r.t);
}

#define TOUCH_SIMS 16

static void *
toucher(void *arg)
{
	struct race *r = arg;

	urcu_qsbr_register_thread();
	for (unsigned int e = 1; e <= r->rounds; e++) {
		barrier_offline(&r->start);
		/* Each thread touches every SIM of the epoch twice, in an
		 * order of its own. */
		for (unsigned int k = 0; k < 2 * TOUCH_SIMS; k++) {
			unsigned int s = (k * 7 + (unsigned int)pthread_self()) % TOUCH_SIMS;

			if (jitsim_table_imsi_touch(r->t, imsi_key(s), e))
				__atomic_fetch_add(&r->key_wins[s], 1, __ATOMIC_RELAXED);
		}
		urcu_qsbr_quiescent_state();
		barrier_offline(&r->end);
	}
	urcu_qsbr_unregister_thread();
	return NULL;
}

static void
test_touch_race(void **state)
{
	struct race r = {.rounds = 1500};
	pthread_t th[N_THREADS];

	(void)state;
	r.t = jitsim_table_imsi_create(0);
	assert_non_null(r.t);
	r.key_wins = calloc(TOUCH_SIMS, sizeof(*r.key_wins));
	assert_non_null(r.key_wins);
	for (unsigned int s = 0; s < TOUCH_SIMS; s++) {
		struct jitsim_table_sim e = sim_state(imsi_key(s), JITSIM_SIM_ACTIVE, 0);

		assert_int_equal(jitsim_table_imsi_put(r.t, &e), 0);
	}
	pthread_barrier_init(&r.start, NULL, N_THREADS + 1);
	pthread_barrier_init(&r.end, NULL, N_THREADS + 1);
	for (unsigned int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, toucher, &r), 0);
	for (unsigned int e = 1; e <= r.rounds; e++) {
		barrier_offline(&r.start);
		barrier_offline(&r.end);
		for (unsigned int s = 0; s < TOUCH_SIMS; s++) {
			struct jitsim_table_sim o;

			assert_int_equal(__atomic_exchange_n(&r.key_wins[s], 0, __ATOMIC_RELAXED),
					 1);
			assert_true(jitsim_table_imsi_lookup(r.t, imsi_key(s), &o));
			assert_int_equal(jitsim_table_sw_time(o.sw), e);
		}
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	pthread_barrier_destroy(&r.start);
	pthread_barrier_destroy(&r.end);
	free(r.key_wins);
	jitsim_table_imsi_free(r.t);
}

/* Readers against an updater that replaces, adds, removes and rebuilds. */
#define PERM_KEYS 2000u
#define CHURN_KEYS 20000u

struct stress {
	struct jitsim_table_imsi *t;
	struct jitsim_table_msisdn *m;
	int done;
	uint64_t lookups;
	uint64_t bad_snapshot;
	uint64_t perm_missing;
	uint64_t bad_msisdn;
	uint64_t bulk_mismatch;
};

static void
stress_check(struct stress *x, const struct jitsim_table_sim *s, uint64_t *bad)
{
	if (!sim_consistent(s))
		(*bad)++;
	(void)x;
}

static void *
stress_reader(void *arg)
{
	struct stress *x = arg;
	uint64_t seed = (uint64_t)(uintptr_t)&seed;
	uint64_t lookups = 0, bad = 0, missing = 0, bad_m = 0, bulk_bad = 0;
	struct jitsim_table_sim out[32];
	uint64_t keys[32], idx[32], mk[32], mi[32];
	bool hit[32];

	urcu_qsbr_register_thread();
	while (!__atomic_load_n(&x->done, __ATOMIC_ACQUIRE)) {
		uint64_t p = rnd(&seed) % PERM_KEYS;

		if (!jitsim_table_imsi_lookup(x->t, imsi_key(p), &out[0]))
			missing++;
		else
			stress_check(x, &out[0], &bad);
		if (jitsim_table_msisdn_lookup(x->m, msisdn_key(p)) != imsi_key(p))
			bad_m++;

		for (unsigned int k = 0; k < 32; k++) {
			uint64_t r = rnd(&seed);

			idx[k] = r & 1 ? r % PERM_KEYS : PERM_KEYS + (r >> 1) % CHURN_KEYS;
			keys[k] = imsi_key(idx[k]);
			mk[k] = msisdn_key(idx[k]);
		}
		jitsim_table_imsi_lookup_bulk(x->t, keys, 32, out, hit);
		for (unsigned int k = 0; k < 32; k++) {
			if (hit[k]) {
				stress_check(x, &out[k], &bad);
				if (out[k].imsi != keys[k])
					bulk_bad++;
			} else if (idx[k] < PERM_KEYS) {
				missing++;
			}
		}
		jitsim_table_msisdn_lookup_bulk(x->m, mk, 32, mi);
		for (unsigned int k = 0; k < 32; k++) {
			/* Permanent numbers always map; churn ones map to
			 * their own IMSI or are absent. */
			if (mi[k] != imsi_key(idx[k]) && (idx[k] < PERM_KEYS || mi[k] != 0))
				bad_m++;
		}
		lookups += 34;
		urcu_qsbr_quiescent_state();
	}
	__atomic_fetch_add(&x->lookups, lookups, __ATOMIC_RELAXED);
	__atomic_fetch_add(&x->bad_snapshot, bad, __ATOMIC_RELAXED);
	__atomic_fetch_add(&x->perm_missing, missing, __ATOMIC_RELAXED);
	__atomic_fetch_add(&x->bad_msisdn, bad_m, __ATOMIC_RELAXED);
	__atomic_fetch_add(&x->bulk_mismatch, bulk_bad, __ATOMIC_RELAXED);
	urcu_qsbr_unregister_thread();
	return NULL;
}

static void
test_concurrent_readers(void **state)
{
	struct stress x = {0};
	pthread_t th[N_THREADS];
	struct jitsim_table_stats st, sm;
	uint64_t seed = 3;
	uint32_t v = 1;
	bool in[CHURN_KEYS] = {false};

	(void)state;
	x.t = jitsim_table_imsi_create(0);
	x.m = jitsim_table_msisdn_create(0);
	assert_non_null(x.t);
	assert_non_null(x.m);
	for (uint64_t p = 0; p < PERM_KEYS; p++) {
		struct jitsim_table_sim s = sim_version(imsi_key(p), v++);

		assert_int_equal(jitsim_table_imsi_put(x.t, &s), 0);
		assert_int_equal(jitsim_table_msisdn_put(x.m, msisdn_key(p), imsi_key(p)), 0);
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, stress_reader, &x), 0);

	/* Rounds of: replace permanent keys, add/remove churn keys (growth
	 * as the churn set fills, tombstone rebuilds as it empties), and a
	 * forced rehash of each table every 16 rounds. */
	for (unsigned int round = 0; round < 64; round++) {
		for (unsigned int i = 0; i < 3000; i++) {
			uint64_t r = rnd(&seed);
			struct jitsim_table_sim s;

			if (i % 3 == 0) {
				s = sim_version(imsi_key(r % PERM_KEYS), v++);
				assert_int_equal(jitsim_table_imsi_put(x.t, &s), 0);
				continue;
			}
			uint64_t c = (r >> 1) % CHURN_KEYS, key = imsi_key(PERM_KEYS + c);
			bool add = (round / 8) % 2 == 0 ? (r & 7) != 0 : (r & 7) == 0;

			if (add) {
				s = sim_version(key, v++);
				assert_int_equal(jitsim_table_imsi_put(x.t, &s), 0);
				if (!in[c])
					assert_int_equal(
						jitsim_table_msisdn_put(
							x.m, msisdn_key(PERM_KEYS + c), key),
						0);
				in[c] = true;
			} else if (in[c]) {
				assert_int_equal(jitsim_table_imsi_del(x.t, key), 0);
				assert_int_equal(
					jitsim_table_msisdn_del(x.m, msisdn_key(PERM_KEYS + c)), 0);
				in[c] = false;
			}
		}
		if (round % 16 == 15) {
			assert_int_equal(jitsim_table_imsi_rehash(x.t), 0);
			assert_int_equal(jitsim_table_msisdn_rehash(x.m), 0);
		}
		urcu_qsbr_quiescent_state();
	}
	__atomic_store_n(&x.done, 1, __ATOMIC_RELEASE);
	for (unsigned int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);

	jitsim_table_imsi_stats(x.t, &st);
	jitsim_table_msisdn_stats(x.m, &sm);
	print_message("readers: %llu lookups, imsi rebuilds %llu, msisdn rebuilds %llu\n",
		      (unsigned long long)x.lookups, (unsigned long long)st.rebuilds,
		      (unsigned long long)sm.rebuilds);
	assert_true(st.rebuilds >= 6);
	assert_true(sm.rebuilds >= 6);
	assert_true(x.lookups > 0);
	assert_int_equal(x.bad_snapshot, 0);
	assert_int_equal(x.perm_missing, 0);
	assert_int_equal(x.bad_msisdn, 0);
	assert_int_equal(x.bulk_mismatch, 0);
	for (uint64_t c = 0; c < CHURN_KEYS; c++) {
		struct jitsim_table_sim o;

		assert_int_equal(jitsim_table_imsi_lookup(x.t, imsi_key(PERM_KEYS + c), &o), in[c]);
	}
	jitsim_table_imsi_free(x.t);
	jitsim_table_msisdn_free(x.m);
}

/*
 * Workers take leases while the updater rebuilds the table over and over.
 * Each SIM is leased by one thread only, pass after pass, each pass at a
 * later clock so the previous lease has expired: every take must succeed
 * and report as the previous word exactly this thread's previous lease,
 * and the final word of every SIM must be its last lease. A transition
 * lost in a rebuild, or not yet visible in the new array, shows up as an
 * older word. (The corner left in jt_imsi_rebuild needs two workers on one
 * SIM at once, which this test never does.) Threads make passes until the
 * updater has made LEASE_REBUILDS rebuilds, and the updater keeps
 * rebuilding until the last take is done, so every pass overlaps
 * rebuilds.
 */
#define LEASE_SIMS 8000u
#define LEASE_REBUILDS 30u

struct lease_stress {
	struct jitsim_table_imsi *t;
	int started;
	int stop;
	int running;
	unsigned int passes[N_THREADS];
	uint64_t failed;
	uint64_t stale;
	unsigned int next_id;
};

static uint32_t
pass_lease(unsigned int p, unsigned int s)
{
	return 10000u * (p + 1) + s;
}

static void *
lease_taker(void *arg)
{
	struct lease_stress *x = arg;
	unsigned int id = __atomic_fetch_add(&x->next_id, 1, __ATOMIC_RELAXED);
	uint64_t failed = 0, stale = 0;
	unsigned int p;

	urcu_qsbr_register_thread();
	/* Start once the updater is rebuilding, so the leases overlap
	 * rebuilds whatever the scheduling. */
	while (!__atomic_load_n(&x->started, __ATOMIC_ACQUIRE))
		urcu_qsbr_quiescent_state();
	for (p = 0; p == 0 || !__atomic_load_n(&x->stop, __ATOMIC_ACQUIRE); p++) {
		for (unsigned int s = id; s < LEASE_SIMS; s += N_THREADS) {
			uint64_t prev, want;
			uint32_t now = pass_lease(p, 0);

			want = p == 0 ? jitsim_table_sw_make(JITSIM_SIM_INVENTORY,
							     JITSIM_SIM_F_TEST, 0)
				      : jitsim_table_sw_make(JITSIM_SIM_ACTIVATING,
							     JITSIM_SIM_F_TEST,
							     pass_lease(p - 1, s));
			if (!jitsim_table_imsi_take_lease(x->t, imsi_key(s), now, pass_lease(p, s),
							  &prev))
				failed++;
			else if (prev != want)
				stale++;
			urcu_qsbr_quiescent_state();
		}
	}
	__atomic_fetch_add(&x->failed, failed, __ATOMIC_RELAXED);
	__atomic_fetch_add(&x->stale, stale, __ATOMIC_RELAXED);
	x->passes[id] = p;
	__atomic_fetch_sub(&x->running, 1, __ATOMIC_RELEASE);
	urcu_qsbr_unregister_thread();
	return NULL;
}

static void
test_lease_during_rebuilds(void **state)
{
	struct lease_stress x = {.running = N_THREADS};
	pthread_t th[N_THREADS];
	unsigned int rebuilds = 0;

	(void)state;
	x.t = jitsim_table_imsi_create(LEASE_SIMS);
	assert_non_null(x.t);
	for (uint64_t s = 0; s < LEASE_SIMS; s++) {
		struct jitsim_table_sim e = sim_state(imsi_key(s), JITSIM_SIM_INVENTORY, 0);

		assert_int_equal(jitsim_table_imsi_put(x.t, &e), 0);
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		assert_int_equal(pthread_create(&th[i], NULL, lease_taker, &x), 0);
	__atomic_store_n(&x.started, 1, __ATOMIC_RELEASE);
	while (__atomic_load_n(&x.running, __ATOMIC_ACQUIRE) > 0) {
		assert_int_equal(jitsim_table_imsi_rehash(x.t), 0);
		if (++rebuilds == LEASE_REBUILDS)
			__atomic_store_n(&x.stop, 1, __ATOMIC_RELEASE);
	}
	for (unsigned int i = 0; i < N_THREADS; i++)
		pthread_join(th[i], NULL);
	print_message("lease stress: %u rebuilds, %u passes, %llu stale previous words\n", rebuilds,
		      x.passes[0], (unsigned long long)x.stale);
	assert_int_equal(x.failed, 0);
	assert_int_equal(x.stale, 0);
	for (uint64_t s = 0; s < LEASE_SIMS; s++) {
		struct jitsim_table_sim o;

		assert_true(jitsim_table_imsi_lookup(x.t, imsi_key(s), &o));
		assert_int_equal(o.sw,
				 jitsim_table_sw_make(
					 JITSIM_SIM_ACTIVATING, JITSIM_SIM_F_TEST,
					 pass_lease(x.passes[s % N_THREADS] - 1, (unsigned int)s)));
	}
	jitsim_table_imsi_free(x.t);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_imsi_basics),
		cmocka_unit_test(test_imsi_growth),
		cmocka_unit_test(test_sized_load),
		cmocka_unit_test(test_tombstones),
		cmocka_unit_test(test_imsi_bulk),
		cmocka_unit_test(test_msisdn),
		cmocka_unit_test(test_lease_touch),
		cmocka_unit_test(test_lease_across_rebuild),
		cmocka_unit_test(test_lease_race),
		cmocka_unit_test(test_touch_race),
		cmocka_unit_test(test_concurrent_readers),
		cmocka_unit_test(test_lease_during_rebuilds),
	};

	return cmocka_run_group_tests(tests, group_setup, group_teardown);
}
