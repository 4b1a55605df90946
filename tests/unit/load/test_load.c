/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Dataplane bulk load (dataplane/load): a real store, written by a
 * primary that stays open, read by the loader as a secondary.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cmocka.h>
#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "load.h"
#include "rmtree.h"
#include "store.h"

#define N 20000 /* more than two blocks of the loader's scanner */

static uint64_t
imsi_of(unsigned int i)
{
	char s[16];

	snprintf(s, sizeof(s), "00101%010u", i);
	return jitsim_digits_key_str(s);
}

static uint64_t
msisdn_of(unsigned int i)
{
	char s[16];

	snprintf(s, sizeof(s), "4915%08u", i);
	return jitsim_digits_key_str(s);
}

/* State of SIM i: a mix of every loadable state, every 100th retired. */
static unsigned int
state_of(unsigned int i)
{
	static const unsigned int st[] = {JITSIM_SIM_INVENTORY, JITSIM_SIM_ACTIVE,
					  JITSIM_SIM_SLEEPING,	JITSIM_SIM_LOCKED,
					  JITSIM_SIM_BLOCKED,	JITSIM_SIM_ACTIVATING};

	return i % 100 == 0 ? JITSIM_SIM_RETIRED : st[i % 6];
}

static void
fill_store(struct jitsim_store *s)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	char err[256];

	for (unsigned int i = 1; i <= N; i++) {
		struct jitsim_rec r = {
			.imsi = imsi_of(i),
			.state = (uint8_t)state_of(i),
			.tenant = (uint16_t)(i % 5),
			.region = (uint16_t)(i % 7),
			.flags = JITSIM_SIM_F_TEST,
		};

		if (r.state == JITSIM_SIM_ACTIVE || r.state == JITSIM_SIM_SLEEPING)
			r.msisdn = msisdn_of(i);
		snprintf(r.iccid, sizeof(r.iccid), "8944%015u", i);
		assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
		if (r.msisdn)
			jitsim_store_batch_put_msisdn(b, r.msisdn, r.imsi);
		if (i % 500 == 0) {
			assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
			jitsim_store_batch_clear(b);
		}
	}
	/* One damaged dataplane entry (a few bytes of garbage) after the good
	 * ones. */
	{
		uint8_t key[8], junk[5] = {1, 2, 3, 4, 5};

		jitsim_rec_key(imsi_of(N + 1), key);
		jitsim_store_batch_put(b, JITSIM_CF_DP, key, sizeof(key), junk, sizeof(junk));
	}
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static int logged;

static void
log_cb(void *arg, const char *msg)
{
	(void)arg;
	assert_non_null(strstr(msg, "001010000020001"));
	logged++;
}

static void
test_load(void **state)
{
	char dir[] = "/tmp/jitsim-load.XXXXXX", db[128], kek[128], err[256];
	struct jitsim_table_imsi *ti = NULL;
	struct jitsim_table_msisdn *tm = NULL;
	struct jitsim_load_stats st;
	struct jitsim_store *s;
	struct jitsim_store_opts o = {.path = db, .kek_path = kek, .create = true};

	(void)state;
	assert_non_null(mkdtemp(dir));
	snprintf(db, sizeof(db), "%s/db", dir);
	snprintf(kek, sizeof(kek), "%s/kek", dir);
	assert_int_equal(jitsim_kek_create(kek, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_open(&o, &s, err, sizeof(err)), 0);
	fill_store(s);

	/* No store: a clear error. */
	assert_int_equal(jitsim_load_tables("/nonexistent/jitsim", &ti, &tm, &st, NULL, NULL, err,
					    sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "/nonexistent/jitsim"));

	urcu_qsbr_register_thread();
	/* The primary stays open: the loader must not need it closed. */
	assert_int_equal(jitsim_load_tables(db, &ti, &tm, &st, log_cb, NULL, err, sizeof(err)), 0);
	assert_int_equal(st.retired, N / 100);
	assert_int_equal(st.damaged, 1);
	assert_int_equal(logged, 1);
	assert_int_equal(st.sims, N - N / 100);
	unsigned int with_msisdn = 0;
	for (unsigned int i = 1; i <= N; i++) {
		struct jitsim_table_sim e;
		bool found = jitsim_table_imsi_lookup(ti, imsi_of(i), &e);
		unsigned int want = state_of(i);

		if (want == JITSIM_SIM_RETIRED) {
			assert_false(found);
			continue;
		}
		assert_true(found);
		assert_int_equal(jitsim_table_sw_state(e.sw), want);
		assert_int_equal(jitsim_table_sw_flags(e.sw), JITSIM_SIM_F_TEST);
		/* A stale lease: the next attach can take it again. */
		assert_int_equal(jitsim_table_sw_time(e.sw), 0);
		assert_int_equal(e.tenant, i % 5);
		assert_int_equal(e.region, i % 7);
		if (want == JITSIM_SIM_ACTIVE || want == JITSIM_SIM_SLEEPING) {
			with_msisdn++;
			assert_true(e.msisdn == msisdn_of(i));
			assert_true(jitsim_table_msisdn_lookup(tm, msisdn_of(i)) == imsi_of(i));
		} else {
			assert_true(e.msisdn == 0);
			assert_true(jitsim_table_msisdn_lookup(tm, msisdn_of(i)) == 0);
		}
	}
	assert_int_equal(st.msisdns, with_msisdn);
	assert_true(with_msisdn > N / 4);
	/* An ACTIVATING SIM loaded with time 0 can be leased at once. */
	{
		uint64_t prev;

		assert_true(jitsim_table_imsi_take_lease(ti, imsi_of(5), 100, 130, &prev));
		assert_int_equal(jitsim_table_sw_state(prev), JITSIM_SIM_ACTIVATING);
	}
	urcu_qsbr_unregister_thread();
	jitsim_table_imsi_free(ti);
	jitsim_table_msisdn_free(tm);
	jitsim_store_close(s);
	jitsim_test_rmtree(dir);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_load),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
