/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp's journal encoding, configuration and workflow, against a
 * real store in a temporary directory and a fake adapter backend that
 * succeeds, fails or holds its orders (no shared memory: flow.shm NULL).
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

#include "config.h"
#include "flow_env.h"

/* --- job encoding --- */

static void
fill_job(struct jitsim_job *j)
{
	memset(j, 0, sizeof(*j));
	j->id = 42;
	j->step = JITSIM_JOB_ALLOCATED;
	j->event = JITSIM_EV_FIRST_ATTACH;
	j->prev_state = JITSIM_SIM_INVENTORY;
	j->flags = JITSIM_JOB_F_ALLOCATED;
	j->flow = 1;
	j->tenant = 3;
	j->region = 65535;
	j->hlr_id = 7;
	j->tariff = 9;
	j->attempts = 2;
	j->imsi = jitsim_digits_key_str("001010000000001");
	j->msisdn = jitsim_digits_key_str("447701000123");
	j->created = 1764115200;
	j->updated = 1764115201;
	snprintf(j->hlr, sizeof(j->hlr), "hlr-main");
	snprintf(j->profile, sizeof(j->profile), "iot-basic");
	snprintf(j->reason, sizeof(j->reason), "timeout");
}

static void
test_job_roundtrip(void **state)
{
	struct jitsim_job j, k;
	uint8_t buf[JITSIM_JOB_REC_MAX];
	char err[256];
	int n;

	(void)state;
	fill_job(&j);
	n = jitsim_job_encode(&j, buf, sizeof(buf));
	assert_true(n > 0);
	assert_int_equal(jitsim_job_decode(42, buf, (size_t)n, &k, err, sizeof(err)), 0);
	assert_memory_equal(&j, &k, sizeof(j));
	/* Every truncation is refused, naming the job. */
	for (int len = 0; len < n; len++) {
		assert_int_equal(jitsim_job_decode(42, buf, (size_t)len, &k, err, sizeof(err)),
				 -EBADMSG);
		assert_non_null(strstr(err, "job 42"));
	}
	buf[n] = 0;
	assert_int_equal(jitsim_job_decode(42, buf, (size_t)n + 1, &k, err, sizeof(err)), -EBADMSG);
	buf[1] = JITSIM_JOB_STEP_MAX;
	assert_int_equal(jitsim_job_decode(42, buf, (size_t)n, &k, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "step"));
	buf[0] = JITSIM_JOB_VERSION + 1;
	assert_int_equal(jitsim_job_decode(42, buf, (size_t)n, &k, err, sizeof(err)), -ENOTSUP);
	/* Out-of-range fields are not encoded. */
	j.step = JITSIM_JOB_NONE;
	assert_int_equal(jitsim_job_encode(&j, buf, sizeof(buf)), -EINVAL);
	assert_int_equal(jitsim_job_step_parse("done"), JITSIM_JOB_DONE);
	assert_int_equal(jitsim_job_step_parse("flying"), JITSIM_JOB_NONE);
}

/* --- configuration --- */

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

static void
test_config(void **state)
{
	struct jitsim_cp_config c;
	char path[128], err[512];

	(void)state;
	snprintf(path, sizeof(path), "%s/cp.conf", flow_env_tmp());
	write_file(path, "[instance]\nname = i1\nstore = /s\nkek = /k\nsocket = /r/s.sock\n"
			 "[outbox]\npath = /o\ninflight = 16\n[flow]\nretries = 5\nbackoff = 10\n"
			 "default_region = 2\n[hlr h]\nid = 4\n[region 2]\nname = eu\nhlr = h\n"
			 "pool = p\ngt_prefix = 4477001, 4477002\nplmn = 23415\n[pool p]\nid = "
			 "9\nregion = 2\nfirst = 447701000000\n"
			 "last = 447701000999\n[shm]\nrings = 2\nevent_ring = 64\n");
	jitsim_cp_config_init(&c);
	assert_int_equal(jitsim_cp_config_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_config_check(&c, err, sizeof(err)), 0);
	assert_string_equal(c.name, "i1");
	assert_int_equal(c.inflight, 16);
	assert_int_equal(c.retries, 5);
	assert_int_equal(c.default_region, 2);
	assert_int_equal(c.n_pool, 1);
	assert_int_equal(c.pool[0].id, 9);
	assert_int_equal(c.pool[0].ranges[0].first, jitsim_digits_key_str("447701000000"));
	assert_int_equal(c.geom.event_ring_count, 64);
	assert_int_equal(c.n_region, 1);
	assert_string_equal(c.region[0].hlr, "h");
	assert_int_equal(c.n_visited, 3);
	assert_string_equal(c.visited[1].value, "4477002");
	assert_int_equal(c.visited[1].match, JITSIM_RULES_M_GT_PREFIX);
	assert_int_equal(c.visited[2].match, JITSIM_RULES_M_PLMN);
	assert_int_equal(c.visited[2].region, 2);
	jitsim_cp_config_free(&c);

	static const struct {
		const char *text, *want;
	} bad[] = {
		{"[flow]\nretrys = 1\n", ":2: unknown key 'retrys'"},
		{"[flow]\n\nbackoff = 0\n", ":3: [flow] backoff"},
		{"[shm]\nevent_ring = 100\n", ":2: [shm] event_ring"},
		{"[pool p]\nfirst = 4477a\n", ":2: [pool p] first"},
		{"[region 0]\nname = x\n", ":2: [region 0]"},
		{"[region 3]\nplmn = 234\n", ":2: [region 3] plmn: '234'"},
		{"[region 3]\ngt_prefix = 44,,45\n", ":2: [region 3] gt_prefix: ''"},
		{"[nosuch]\nk = v\n", ":2: unknown section [nosuch]"},
		{"[instance]\nname = a.b\n", ":2: [instance] name"},
		{"garbage\n", ":1: syntax error"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		write_file(path, bad[i].text);
		jitsim_cp_config_init(&c);
		assert_int_equal(jitsim_cp_config_load(&c, path, err, sizeof(err)), -EINVAL);
		if (strstr(err, bad[i].want) == NULL)
			fail_msg("case %zu: '%s' lacks '%s'", i, err, bad[i].want);
		jitsim_cp_config_free(&c);
	}
	/* Required keys. */
	write_file(path, "[instance]\nstore = /s\nkek = /k\nsocket = /x\n");
	jitsim_cp_config_init(&c);
	assert_int_equal(jitsim_cp_config_load(&c, path, err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_config_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[outbox] path"));
	jitsim_cp_config_free(&c);
}

/* --- workflow --- */

/* The third SIM's tenant has no pool. */
static const char *const imsis[] = {"001010000000001", "001010000000002", "001010000000003"};
static const uint16_t tenants[] = {0, 0, 5};
#define POOL_FIRST "447709180000"
#define POOL_LAST "447709189999"

static int
env_setup(void **state)
{
	struct flow_env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	flow_env_open(e, imsis, tenants, 3, POOL_FIRST, POOL_LAST);
	*state = e;
	return 0;
}

static void
attach(struct flow_env *e, const char *imsi)
{
	flow_env_event(e, JITSIM_EV_FIRST_ATTACH, imsi);
}

static void
test_flow_activate(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	uint64_t owner = 0;
	char err[256];

	flow_env_start(e, FLOW_FAKE_OK);
	attach(e, imsis[0]);
	attach(e, imsis[0]); /* storm: the job is live */
	flow_env_settle(e);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_true(r.msisdn >= jitsim_digits_key_str(POOL_FIRST) &&
		    r.msisdn <= jitsim_digits_key_str(POOL_LAST));
	assert_int_equal(r.region, 1);
	assert_int_equal(r.hlr, 7);
	assert_int_equal(jitsim_store_msisdn_get(e->st, r.msisdn, &owner), 0);
	assert_int_equal(owner, r.imsi);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	assert_int_equal(j.msisdn, r.msisdn);
	assert_string_equal(j.profile, "basic");
	/* Replayed after it finished: no second job, no second number. */
	attach(e, imsis[0]);
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.started, 1);
	assert_int_equal(st.done, 1);
	assert_int_equal(st.duplicate, 1);
	assert_int_equal(st.resync, 1);
	assert_int_equal(st.events[JITSIM_EV_FIRST_ATTACH], 3);
	assert_int_equal(e->fake.calls, 1);
	/* The dataplane says blocked, the store says ACTIVE (an unblock's
	 * update was lost): no blocked_attempt, a resync instead. */
	{
		struct jitsim_event bev = {0};

		bev.type = JITSIM_EV_BLOCKED_ATTEMPT;
		bev.imsi = jitsim_digits_key_str(imsis[0]);
		bev.prev_state = JITSIM_SIM_BLOCKED;
		jitsim_cp_flow_event(e->flow, &bev);
		jitsim_cp_flow_stats(e->flow, &st);
		assert_int_equal(st.resync, 2);
	}
	/* A second SIM gets another number. */
	attach(e, imsis[1]);
	flow_env_settle(e);
	{
		struct jitsim_rec r2;

		flow_env_sim(e, imsis[1], &r2);
		assert_int_equal(r2.state, JITSIM_SIM_ACTIVE);
		assert_true(r2.msisdn != 0 && r2.msisdn != r.msisdn);
	}
}

static void
test_flow_fail(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_pool_stats ps;
	struct jitsim_rec r;
	struct jitsim_job j;
	char err[256];

	flow_env_start(e, FLOW_FAKE_FAIL);
	attach(e, imsis[0]);
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(e->fake.calls, 3); /* first attempt + 2 retries */
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.failed, 1);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(r.msisdn, 0);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_FAILED);
	assert_non_null(strstr(j.reason, "3 times"));
	/* The number waits in quarantine, its index entry is gone. */
	assert_int_equal(jitsim_pool_stats(e->pools, 1, false, &ps), 0);
	assert_int_equal(ps.quarantined, 1);
	assert_int_equal(ps.taken, 0);
	{
		uint64_t owner;

		assert_int_equal(jitsim_store_msisdn_get(e->st, j.msisdn, &owner), -ENOENT);
	}
	/* A later attach tries again with a new job. */
	attach(e, imsis[0]);
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.started, 2);
	assert_int_equal(st.failed, 2);
}

static void
test_flow_no_number(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	char err[256];

	flow_env_start(e, FLOW_FAKE_OK);
	attach(e, imsis[2]); /* tenant 5: no pool */
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.no_number, 1);
	assert_int_equal(st.no_region, 0);
	assert_int_equal(e->fake.calls, 0);
	flow_env_sim(e, imsis[2], &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_FAILED);
	assert_non_null(strstr(j.reason, "no number"));
}

static void
test_flow_burst(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_event ev[5];
	struct jitsim_rec r0, r1, r2;

	flow_env_start(e, FLOW_FAKE_OK);
	memset(ev, 0, sizeof(ev));
	for (int i = 0; i < 5; i++) {
		ev[i].type = JITSIM_EV_FIRST_ATTACH;
		ev[i].rat_type = 0xffff;
	}
	/* Two SIMs, one of them twice, one without a pool, one blocked. */
	ev[0].imsi = jitsim_digits_key_str(imsis[0]);
	ev[1].imsi = jitsim_digits_key_str(imsis[1]);
	ev[2].imsi = jitsim_digits_key_str(imsis[0]);
	ev[3].imsi = jitsim_digits_key_str(imsis[2]);
	ev[4].imsi = jitsim_digits_key_str("001019999999999");
	ev[4].type = JITSIM_EV_BLOCKED_ATTEMPT;
	jitsim_cp_flow_events(e->flow, ev, 5);
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.started, 3);
	assert_int_equal(st.duplicate, 1);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.events[JITSIM_EV_BLOCKED_ATTEMPT], 1);
	assert_int_equal(e->fake.calls, 2);
	flow_env_sim(e, imsis[0], &r0);
	flow_env_sim(e, imsis[1], &r1);
	flow_env_sim(e, imsis[2], &r2);
	assert_int_equal(r0.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r2.state, JITSIM_SIM_INVENTORY);
	assert_true(r0.msisdn != 0 && r1.msisdn != 0 && r0.msisdn != r1.msisdn);
	/* Ids: 1, 2 (allocated), 3 (failed early), the next is 4. */
	attach(e, imsis[2]);
	flow_env_settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.failed, 2);
	{
		struct jitsim_job j;
		char err[256];

		assert_int_equal(jitsim_job_get_by_imsi(e->st, r2.imsi, &j, err, sizeof(err)), 0);
		assert_int_equal(j.id, 4);
	}
}

static void
test_flow_resume(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	uint64_t job_id;
	char err[256];

	/* A job whose provisioning never answers, then the process goes. */
	flow_env_start(e, FLOW_FAKE_HOLD);
	attach(e, imsis[0]);
	flow_env_wait_held(e);
	assert_int_equal(e->fake.n_held, 1);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVATING);
	assert_int_not_equal(r.msisdn, 0);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	job_id = j.id;
	flow_env_stop(e); /* completes the held order: -ECANCELED */

	/* The next start provisions the same job again and finishes it. */
	flow_env_start(e, FLOW_FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.resumed, 1);
	flow_env_settle(e);
	assert_int_equal(e->fake.last_job, job_id);
	flow_env_sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, j.msisdn);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.id, job_id);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	/* Job ids go on after the last one. */
	attach(e, imsis[1]);
	flow_env_settle(e);
	assert_int_equal(e->fake.last_job, job_id + 1);
}

/* A job record that does not decode is skipped and counted, the jobs
 * after it are still resumed; a newer record version stops the start. */
static void
test_flow_resume_damaged(void **state)
{
	struct flow_env *e = *state;
	struct jitsim_store_batch *b;
	struct jitsim_cp_flow_stats st;
	struct jitsim_job j;
	uint8_t key[JITSIM_JOB_KEY_LEN], bad[3] = {JITSIM_JOB_VERSION, JITSIM_JOB_DONE, 0};
	char err[256];

	flow_env_start(e, FLOW_FAKE_HOLD);
	attach(e, imsis[0]);
	flow_env_wait_held(e);
	assert_int_equal(e->fake.n_held, 1);
	flow_env_stop(e); /* completes the held order: -ECANCELED */
	assert_int_equal(jitsim_job_get(e->st, 1, &j, err, sizeof(err)), 0);
	/* Job 0 sorts before job 1: a damaged record first. */
	b = jitsim_store_batch_new(e->st);
	assert_non_null(b);
	jitsim_job_key(0, key);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), bad, sizeof(bad));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);

	flow_env_start(e, FLOW_FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.journal_damaged, 1);
	assert_int_equal(st.resumed, 1);
	flow_env_settle(e);
	assert_int_equal(e->fake.last_job, j.id);
	flow_env_stop(e);

	/* A record of a newer version: not damage, the start is refused. */
	bad[0] = JITSIM_JOB_VERSION + 1;
	jitsim_store_batch_clear(b);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), bad, sizeof(bad));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
	{
		struct jitsim_cp_flow_cfg fc = {
			.store = e->st, .pools = e->pools, .rules = e->rules};
		struct jitsim_cp_flow *f = jitsim_cp_flow_new(&fc);

		assert_non_null(f);
		assert_int_equal(jitsim_cp_flow_resume(f, err, sizeof(err)), -ENOTSUP);
		assert_non_null(strstr(err, "job 0"));
		jitsim_cp_flow_free(f);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_job_roundtrip),
		cmocka_unit_test(test_config),
		cmocka_unit_test_setup_teardown(test_flow_activate, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_fail, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_no_number, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_burst, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_resume, env_setup, flow_env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_resume_damaged, env_setup,
						flow_env_teardown),
	};
	int rc;

	if (flow_env_tmp_make("jitsim-test-cp") != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (flow_env_tmp_remove() != 0)
		rc = 1;
	return rc;
}
