/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Sleeping SIMs (control/cp/sleep.c and the sleep job's steps in flow.c)
 * against a real store in a temporary directory and a fake adapter that
 * answers at once or holds its orders, recording which operation it got
 * (no shared memory: flow.shm NULL). Covers the [sleep] keys, the job
 * record's version 2 flags, a sleep job held at its deprovision order and
 * resumed by the next start (the kill -9 case), release to quarantine,
 * last activity keeping a SIM awake, and the wake-up with the same or a
 * new MSISDN.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "flow_env.h"

/* --- configuration and job record --- */

static void
test_sleep_cfg(void **state)
{
	struct jitsim_cp_sleep_cfg c;
	char err[256];

	(void)state;
	jitsim_cp_sleep_cfg_init(&c);
	assert_int_equal(c.idle_s, 0);
	assert_int_equal(jitsim_cp_sleep_cfg_set(&c, "idle", "30d", err, sizeof(err)), 0);
	assert_int_equal(c.idle_s, 30 * 86400);
	assert_int_equal(jitsim_cp_sleep_cfg_set(&c, "idle.7", "90m", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_sleep_cfg_set(&c, "idle.8", "0", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_sleep_cfg_set(&c, "release", "yes", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_sleep_cfg_set(&c, "rate", "7", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_sleep_idle_of(&c, 7), 5400);
	assert_int_equal(jitsim_cp_sleep_idle_of(&c, 8), 0);
	assert_int_equal(jitsim_cp_sleep_idle_of(&c, 9), 30 * 86400);
	assert_true(c.release);
	assert_int_equal(c.rate, 7);

	static const struct {
		const char *k, *v, *want;
	} bad[] = {
		{"idle", "3x", "[sleep] idle"},		 {"idle", "3651d", "[sleep] idle"},
		{"idle.x", "1d", "[sleep] idle.x"},	 {"idle.70000", "1d", "[sleep] idle.70000"},
		{"release", "maybe", "[sleep] release"}, {"rate", "0", "[sleep] rate"},
		{"inflight", "-1", "[sleep] inflight"},	 {"flush", "0", "[sleep] flush"},
		{"interval", "31d", "[sleep] interval"}, {"idel", "1d", "unknown key 'idel'"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(jitsim_cp_sleep_cfg_set(&c, bad[i].k, bad[i].v, err, sizeof(err)),
				 -EINVAL);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].want);
	}
}

static void
test_sleep_job_record(void **state)
{
	struct jitsim_job j = {0}, k;
	uint8_t buf[JITSIM_JOB_REC_MAX];
	char err[256];
	int n;

	(void)state;
	j.id = 5;
	j.step = JITSIM_JOB_ALLOCATED;
	j.prev_state = JITSIM_SIM_ACTIVE;
	j.flags = JITSIM_JOB_F_SLEEP | JITSIM_JOB_F_RELEASE;
	j.imsi = jitsim_digits_key_str("001010000000001");
	snprintf(j.hlr, sizeof(j.hlr), "hlr-main");
	n = jitsim_job_encode(&j, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(buf[0], 2);
	assert_int_equal(jitsim_job_decode(5, buf, (size_t)n, &k, err, sizeof(err)), 0);
	assert_int_equal(k.flags, j.flags);
	/* Version 1 records are still read, but never with sleep flags: a
	 * build that knew no sleep jobs could not have written them. */
	buf[0] = 1;
	assert_int_equal(jitsim_job_decode(5, buf, (size_t)n, &k, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "flags"));
	j.flags = 0;
	n = jitsim_job_encode(&j, buf, sizeof(buf));
	buf[0] = 1;
	assert_int_equal(jitsim_job_decode(5, buf, (size_t)n, &k, err, sizeof(err)), 0);
}

/* --- workflow --- */

static const char *const imsis[] = {"001010000000001", "001010000000002"};

static int
env_setup(void **state)
{
	struct flow_env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	flow_env_open(e, imsis, NULL, 2, "447709180000", "447709189999");
	e->with_sleep = true;
	jitsim_cp_sleep_cfg_init(&e->sleep_cfg);
	e->sleep_cfg.idle_s = 3600;
	e->sleep_cfg.interval_s = 0;
	e->sleep_cfg.rate = 100000;
	*state = e;
	return 0;
}

/* Make @imsi's activation @age seconds old (what a sweep measures). */
static void
age(struct flow_env *e, const char *imsi, uint32_t age_s)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(e->st);
	struct jitsim_rec r;
	char err[256];

	flow_env_sim(e, imsi, &r);
	r.activated -= age_s;
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

/* Both SIMs ACTIVE; SIM 0 idle for two hours. */
static void
activate_both(struct flow_env *e, enum flow_fake_mode mode)
{
	struct jitsim_rec r;

	flow_env_start(e, FLOW_FAKE_OK);
	flow_env_event(e, JITSIM_EV_FIRST_ATTACH, imsis[0]);
	flow_env_event(e, JITSIM_EV_FIRST_ATTACH, imsis[1]);
	flow_env_settle(e);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	age(e, imsis[0], 7200);
	age(e, imsis[1], 7200);
	if (mode != FLOW_FAKE_OK) {
		flow_env_stop(e);
		flow_env_start(e, mode);
	}
}

/* A sleep job held at its deprovision order, the process gone (kill -9:
 * the job is ALLOCATED in the journal); the next start deprovisions it
 * again under the same job id and the SIM sleeps with its number; a
 * REATTACH wakes it with that number. SIM 1 reported activity: awake. */
static void
test_sleep_resume_keep(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r, r1;
	struct jitsim_job j;
	uint64_t job_id, msisdn;

	activate_both(e, FLOW_FAKE_HOLD);
	jitsim_cp_sleep_activity(e->sleep, jitsim_digits_key_str(imsis[1]), 0);
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), 0);
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), -EALREADY);
	flow_env_wait_held(e);
	assert_int_equal(e->fake.n_held, 1);
	assert_int_equal(e->fake.deprovisions, 1);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	msisdn = r.msisdn;
	assert_int_not_equal(msisdn, 0);
	flow_env_latest_job(e, imsis[0], &j);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	assert_true(j.flags & JITSIM_JOB_F_SLEEP);
	assert_false(j.flags & JITSIM_JOB_F_RELEASE);
	job_id = j.id;
	/* SIM 1's activity was written before the sweep decided. */
	flow_env_sim(e, imsis[1], &r1);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);
	assert_true(r1.last_activity > r1.activated);
	flow_env_stop(e); /* completes the held order: -ECANCELED */

	flow_env_start(e, FLOW_FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.resumed, 1);
	assert_int_equal(st.sleep_live, 1);
	flow_env_settle(e);
	assert_int_equal(e->fake.deprovisions, 1);
	assert_int_equal(e->fake.last_job, job_id);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_SLEEPING);
	assert_int_equal(r.msisdn, msisdn);
	flow_env_latest_job(e, imsis[0], &j);
	assert_int_equal(j.id, job_id);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	flow_env_sim(e, imsis[1], &r1);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);

	flow_env_event(e, JITSIM_EV_REATTACH, imsis[0]);
	flow_env_settle(e);
	assert_int_equal(e->fake.provisions, 1);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, msisdn);
}

/* release = yes: the number goes to quarantine with the sleep (no MSISDN
 * index entry left), the wake gets another one. */
static void
test_sleep_release(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_rec r;
	uint64_t msisdn, owner = 0;

	e->sleep_cfg.release = true;
	activate_both(e, FLOW_FAKE_OK);
	flow_env_sim(e, imsis[0], &r);
	msisdn = r.msisdn;
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), 0);
	flow_env_settle(e);
	assert_int_equal(e->fake.deprovisions, 2);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_SLEEPING);
	assert_int_equal(r.msisdn, 0);
	assert_int_equal(jitsim_store_msisdn_get(e->st, msisdn, &owner), -ENOENT);

	flow_env_event(e, JITSIM_EV_WAKEUP_MT, imsis[0]);
	flow_env_settle(e);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_not_equal(r.msisdn, 0);
	assert_int_not_equal(r.msisdn, msisdn);
	assert_int_equal(jitsim_store_msisdn_get(e->st, r.msisdn, &owner), 0);
	assert_int_equal(owner, r.imsi);
}

/* ACTIVITY events are logged, not written one by one: a loop turn
 * before the flush interval writes nothing; a flush writes them all in
 * one go, SIMs not ACTIVE dropped. */
static void
test_sleep_activity_batched(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_sleep_stats ss;
	struct jitsim_rec r;
	uint64_t turn_ns;

	e->sleep_cfg.flush_s = 3600;
	activate_both(e, FLOW_FAKE_OK);
	/* As in jitsim-cp's loop: the turn's time is taken before its events. */
	turn_ns = flow_env_mono_ns();
	flow_env_event(e, JITSIM_EV_ACTIVITY, imsis[0]);
	flow_env_event(e, JITSIM_EV_ACTIVITY, imsis[1]);
	flow_env_event(e, JITSIM_EV_ACTIVITY, "001010000000009"); /* no such SIM */
	jitsim_cp_sleep_turn(e->sleep, turn_ns);
	jitsim_cp_sleep_turn(e->sleep, flow_env_mono_ns());
	jitsim_cp_sleep_stats(e->sleep, &ss);
	assert_int_equal(ss.activity, 3);
	assert_int_equal(ss.activity_pending, 3);
	assert_int_equal(ss.activity_written, 0);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.last_activity, 0);
	assert_int_equal(jitsim_cp_sleep_flush(e->sleep), 0);
	jitsim_cp_sleep_stats(e->sleep, &ss);
	assert_int_equal(ss.activity_pending, 0);
	assert_int_equal(ss.activity_written, 2);
	assert_int_equal(ss.activity_dropped, 1);
	flow_env_sim(e, imsis[0], &r);
	assert_true(r.last_activity > r.activated);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sleep_cfg),
		cmocka_unit_test(test_sleep_job_record),
		cmocka_unit_test_setup_teardown(test_sleep_resume_keep, env_setup,
						flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_sleep_release, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_sleep_activity_batched, env_setup,
						flow_env_teardown),
	};
	int rc;

	if (flow_env_tmp_make("jitsim-test-sleep") != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (flow_env_tmp_remove() != 0)
		rc = 1;
	return rc;
}
