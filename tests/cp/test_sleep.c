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

#include "adapter.h"
#include "flow.h"
#include "job.h"
#include "pool.h"
#include "rules.h"
#include "sleep.h"
#include "store.h"

static char tmpdir[64];

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

enum fake_mode { FAKE_OK, FAKE_HOLD };

struct fake {
	enum fake_mode mode;
	unsigned int provisions, deprovisions;
	uint64_t last_job;
	struct jitsim_adapter_call *held[16];
	unsigned int n_held;
};

static int
fake_run(struct fake *f, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	f->last_job = o->job;
	if (f->mode == FAKE_HOLD && f->n_held < 16) {
		f->held[f->n_held] = c;
		__atomic_fetch_add(&f->n_held, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	jitsim_adapter_complete(c, 0, "fake");
	return 0;
}

static int
fake_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct fake *f = ctx;

	__atomic_fetch_add(&f->provisions, 1, __ATOMIC_SEQ_CST);
	return fake_run(f, o, c);
}

static int
fake_deprovision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct fake *f = ctx;

	__atomic_fetch_add(&f->deprovisions, 1, __ATOMIC_SEQ_CST);
	return fake_run(f, o, c);
}

static int
fake_health(void *ctx, char *msg, size_t msglen)
{
	(void)ctx;
	snprintf(msg, msglen, "ok");
	return 0;
}

static void
fake_destroy(void *ctx)
{
	(void)ctx;
}

static const struct jitsim_adapter_ops fake_ops = {
	.name = "fake",
	.provision = fake_provision,
	.deprovision = fake_deprovision,
	.update = fake_provision,
	.health = fake_health,
	.destroy = fake_destroy,
};

struct env {
	char dir[128];
	struct jitsim_store *st;
	struct jitsim_pool_set *pools;
	struct jitsim_rules *rules;
	struct fake fake;
	struct jitsim_adapter *ad;
	struct jitsim_cp_flow *flow;
	struct jitsim_cp_sleep *sleep;
	struct jitsim_cp_sleep_cfg cfg;
};

static const char *const imsis[] = {"001010000000001", "001010000000002"};

static void
env_flow(struct env *e, enum fake_mode mode)
{
	struct jitsim_cp_flow_cfg fc = {0};
	struct jitsim_adapter_cfg ac = {.max_inflight = 2, .queue_max = 64, .timeout_ms = 30000};
	char err[256];

	memset(&e->fake, 0, sizeof(e->fake));
	e->fake.mode = mode;
	e->ad = jitsim_adapter_new(&fake_ops, &e->fake, &ac, err, sizeof(err));
	assert_non_null(e->ad);
	fc.store = e->st;
	fc.pools = e->pools;
	fc.rules = e->rules;
	fc.adapter = e->ad;
	fc.retries = 2;
	fc.backoff_ms = 1;
	fc.default_profile = "basic";
	e->flow = jitsim_cp_flow_new(&fc);
	assert_non_null(e->flow);
	e->sleep = jitsim_cp_sleep_new(&e->cfg, e->flow, e->st);
	assert_non_null(e->sleep);
	jitsim_cp_flow_set_sleep(e->flow, e->sleep);
	assert_int_equal(jitsim_cp_flow_resume(e->flow, err, sizeof(err)), 0);
}

static void
env_flow_free(struct env *e)
{
	/* Orders still held (a failed check): the adapter waits for them. */
	for (unsigned int i = 0; i < e->fake.n_held; i++)
		jitsim_adapter_complete(e->fake.held[i], -ECANCELED, "gone");
	e->fake.n_held = 0;
	jitsim_adapter_free(e->ad);
	jitsim_cp_flow_free(e->flow);
	jitsim_cp_sleep_free(e->sleep);
	e->ad = NULL;
	e->flow = NULL;
	e->sleep = NULL;
}

static int
env_setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	struct jitsim_store_opts so = {0};
	struct jitsim_store_batch *b;
	struct jitsim_pool_def def = {0};
	struct jitsim_rules_hlr h = {.id = 7, .kind = JITSIM_HLR_OUTBOX};
	struct jitsim_rules_region g = {.id = 1};
	char kek[160], err[256];

	assert_non_null(e);
	snprintf(e->dir, sizeof(e->dir), "%s/store%ld", tmpdir, random());
	snprintf(kek, sizeof(kek), "%s.kek", e->dir);
	assert_int_equal(jitsim_kek_create(kek, err, sizeof(err)), 0);
	so.path = e->dir;
	so.kek_path = kek;
	so.create = true;
	assert_int_equal(jitsim_store_open(&so, &e->st, err, sizeof(err)), 0);

	b = jitsim_store_batch_new(e->st);
	for (size_t i = 0; i < sizeof(imsis) / sizeof(imsis[0]); i++) {
		struct jitsim_rec r = {0};

		r.imsi = jitsim_digits_key_str(imsis[i]);
		r.version = JITSIM_REC_VERSION;
		r.state = JITSIM_SIM_INVENTORY;
		snprintf(r.iccid, sizeof(r.iccid), "894401000000000000%zu", i);
		assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	}
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);

	assert_int_equal(jitsim_pool_set_open(e->st, &e->pools, err, sizeof(err)), 0);
	def.id = 1;
	snprintf(def.name, sizeof(def.name), "main");
	def.region = 1;
	def.quarantine = 3600;
	def.nranges = 1;
	def.ranges[0].first = jitsim_digits_key_str("447709180000");
	def.ranges[0].last = jitsim_digits_key_str("447709189999");
	jitsim_store_batch_clear(b);
	assert_int_equal(jitsim_pool_add(e->pools, &def, b, err, sizeof(err)), 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_pool_commit_done(e->pools, b);
	jitsim_store_batch_free(b);

	e->rules = jitsim_rules_new();
	snprintf(h.name, sizeof(h.name), "hlr-main");
	snprintf(h.address, sizeof(h.address), "/dev/null");
	assert_int_equal(jitsim_rules_hlr_add(e->rules, &h, NULL, err, sizeof(err)), 0);
	snprintf(g.name, sizeof(g.name), "europe");
	snprintf(g.hlr, sizeof(g.hlr), "hlr-main");
	snprintf(g.pool, sizeof(g.pool), "main");
	assert_int_equal(jitsim_rules_region_add(e->rules, &g, NULL, err, sizeof(err)), 0);
	assert_int_equal(jitsim_rules_set_default_region(e->rules, 1, err, sizeof(err)), 0);

	jitsim_cp_sleep_cfg_init(&e->cfg);
	e->cfg.idle_s = 3600;
	e->cfg.interval_s = 0;
	e->cfg.rate = 100000;
	*state = e;
	return 0;
}

static int
env_teardown(void **state)
{
	struct env *e = *state;
	char cmd[300];

	if (e->flow != NULL)
		env_flow_free(e);
	jitsim_rules_free(e->rules);
	jitsim_pool_set_close(e->pools);
	jitsim_store_close(e->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.kek'", e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
	free(e);
	return 0;
}

static uint64_t
mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
event(struct env *e, uint8_t type, const char *imsi)
{
	struct jitsim_event ev = {0};

	ev.type = type;
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.rat_type = 0xffff;
	jitsim_cp_flow_event(e->flow, &ev);
}

/* Loop turns until no job is live and no sweep runs: a bound on
 * iterations, not a timing assertion. */
static void
settle(struct env *e)
{
	struct jitsim_cp_flow_stats st;
	struct jitsim_cp_sleep_stats ss;

	for (int i = 0; i < 20000; i++) {
		const uint64_t now = mono_ns();

		jitsim_cp_flow_poll(e->flow, now);
		jitsim_cp_sleep_turn(e->sleep, now);
		jitsim_cp_flow_stats(e->flow, &st);
		jitsim_cp_sleep_stats(e->sleep, &ss);
		if (st.live == 0 && ss.running == 0)
			return;
		usleep(200);
	}
	fail_msg("jobs still live");
}

static void
sim(struct env *e, const char *imsi, struct jitsim_rec *r)
{
	char err[256];

	assert_int_equal(
		jitsim_store_sim_get(e->st, jitsim_digits_key_str(imsi), r, err, sizeof(err)), 0);
}

/* Make @imsi's activation @age seconds old (what a sweep measures). */
static void
age(struct env *e, const char *imsi, uint32_t age_s)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(e->st);
	struct jitsim_rec r;
	char err[256];

	sim(e, imsi, &r);
	r.activated -= age_s;
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static void
latest_job(struct env *e, const char *imsi, struct jitsim_job *j)
{
	char err[256];

	assert_int_equal(
		jitsim_job_get_by_imsi(e->st, jitsim_digits_key_str(imsi), j, err, sizeof(err)), 0);
}

/* Both SIMs ACTIVE; SIM 0 idle for two hours. */
static void
activate_both(struct env *e, enum fake_mode mode)
{
	struct jitsim_rec r;

	env_flow(e, FAKE_OK);
	event(e, JITSIM_EV_FIRST_ATTACH, imsis[0]);
	event(e, JITSIM_EV_FIRST_ATTACH, imsis[1]);
	settle(e);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	age(e, imsis[0], 7200);
	age(e, imsis[1], 7200);
	if (mode != FAKE_OK) {
		env_flow_free(e);
		env_flow(e, mode);
	}
}

/* A sleep job held at its deprovision order, the process gone (kill -9:
 * the job is ALLOCATED in the journal); the next start deprovisions it
 * again under the same job id and the SIM sleeps with its number; a
 * REATTACH wakes it with that number. SIM 1 reported activity: awake. */
static void
test_sleep_resume_keep(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r, r1;
	struct jitsim_job j;
	uint64_t job_id, msisdn;

	activate_both(e, FAKE_HOLD);
	jitsim_cp_sleep_activity(e->sleep, jitsim_digits_key_str(imsis[1]), 0);
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), 0);
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), -EALREADY);
	for (int i = 0; i < 20000 && __atomic_load_n(&e->fake.n_held, __ATOMIC_SEQ_CST) == 0; i++) {
		jitsim_cp_sleep_turn(e->sleep, mono_ns());
		usleep(200);
	}
	assert_int_equal(e->fake.n_held, 1);
	assert_int_equal(e->fake.deprovisions, 1);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	msisdn = r.msisdn;
	assert_int_not_equal(msisdn, 0);
	latest_job(e, imsis[0], &j);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	assert_true(j.flags & JITSIM_JOB_F_SLEEP);
	assert_false(j.flags & JITSIM_JOB_F_RELEASE);
	job_id = j.id;
	/* SIM 1's activity was written before the sweep decided. */
	sim(e, imsis[1], &r1);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);
	assert_true(r1.last_activity > r1.activated);
	env_flow_free(e); /* completes the held order: -ECANCELED */

	env_flow(e, FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.resumed, 1);
	assert_int_equal(st.sleep_live, 1);
	settle(e);
	assert_int_equal(e->fake.deprovisions, 1);
	assert_int_equal(e->fake.last_job, job_id);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_SLEEPING);
	assert_int_equal(r.msisdn, msisdn);
	latest_job(e, imsis[0], &j);
	assert_int_equal(j.id, job_id);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	sim(e, imsis[1], &r1);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);

	event(e, JITSIM_EV_REATTACH, imsis[0]);
	settle(e);
	assert_int_equal(e->fake.provisions, 1);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, msisdn);
}

/* release = yes: the number goes to quarantine with the sleep (no MSISDN
 * index entry left), the wake gets another one. */
static void
test_sleep_release(void **state)
{
	struct env *e = *state;
	struct jitsim_rec r;
	uint64_t msisdn, owner = 0;

	e->cfg.release = true;
	activate_both(e, FAKE_OK);
	sim(e, imsis[0], &r);
	msisdn = r.msisdn;
	assert_int_equal(jitsim_cp_sleep_sweep_start(e->sleep), 0);
	settle(e);
	assert_int_equal(e->fake.deprovisions, 2);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_SLEEPING);
	assert_int_equal(r.msisdn, 0);
	assert_int_equal(jitsim_store_msisdn_get(e->st, msisdn, &owner), -ENOENT);

	event(e, JITSIM_EV_WAKEUP_MT, imsis[0]);
	settle(e);
	sim(e, imsis[0], &r);
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
	struct env *e = *state;
	struct jitsim_cp_sleep_stats ss;
	struct jitsim_rec r;
	uint64_t turn_ns;

	e->cfg.flush_s = 3600;
	activate_both(e, FAKE_OK);
	/* As in jitsim-cp's loop: the turn's time is taken before its events. */
	turn_ns = mono_ns();
	event(e, JITSIM_EV_ACTIVITY, imsis[0]);
	event(e, JITSIM_EV_ACTIVITY, imsis[1]);
	event(e, JITSIM_EV_ACTIVITY, "001010000000009"); /* no such SIM */
	jitsim_cp_sleep_turn(e->sleep, turn_ns);
	jitsim_cp_sleep_turn(e->sleep, mono_ns());
	jitsim_cp_sleep_stats(e->sleep, &ss);
	assert_int_equal(ss.activity, 3);
	assert_int_equal(ss.activity_pending, 3);
	assert_int_equal(ss.activity_written, 0);
	sim(e, imsis[0], &r);
	assert_int_equal(r.last_activity, 0);
	assert_int_equal(jitsim_cp_sleep_flush(e->sleep), 0);
	jitsim_cp_sleep_stats(e->sleep, &ss);
	assert_int_equal(ss.activity_pending, 0);
	assert_int_equal(ss.activity_written, 2);
	assert_int_equal(ss.activity_dropped, 1);
	sim(e, imsis[0], &r);
	assert_true(r.last_activity > r.activated);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sleep_cfg),
		cmocka_unit_test(test_sleep_job_record),
		cmocka_unit_test_setup_teardown(test_sleep_resume_keep, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_sleep_release, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_sleep_activity_batched, env_setup,
						env_teardown),
	};
	char cmd[100];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jitsim-test-sleep-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	srandom((unsigned int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
