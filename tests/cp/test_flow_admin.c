/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Operator changes of the workflow (control/cp/flow_admin.c) where the
 * socket test (tests/cp/cp_ctl_sim.py) cannot reach: a job held in
 * progress by the adapter, a job failed by provisioning (its number in
 * quarantine) retried, a retry refused for want of a number. Real store
 * in a temporary directory, a fake adapter backend, no shared memory.
 */

#include <errno.h>
#include <inttypes.h>
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
#include "store.h"

#define POOL_FIRST "447709180000"
#define POOL_LAST "447709180009"
#define IMSI_A "001010000000001"
#define IMSI_B "001010000000002" /* tenant 5: no pool */

static char tmpdir[64];

struct fake {
	int fail; /* answer -EIO while set */
	int hold; /* keep the orders while set */
	struct jitsim_adapter_call *held[8];
	unsigned int n_held;
};

static int
fake_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct fake *f = ctx;

	(void)o;
	if (__atomic_load_n(&f->hold, __ATOMIC_SEQ_CST) && f->n_held < 8) {
		f->held[f->n_held++] = c;
		return 0;
	}
	jitsim_adapter_complete(c, __atomic_load_n(&f->fail, __ATOMIC_SEQ_CST) ? -EIO : 0, "fake");
	return 0;
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
	.deprovision = fake_provision,
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
	unsigned int audits;
	char fields[512];
};

static void
audit_cb(struct jitsim_store_batch *b, const void *arg, const char *fields)
{
	struct env *e = (struct env *)(uintptr_t)arg;

	e->audits++;
	snprintf(e->fields, sizeof(e->fields), "%s", fields);
	jitsim_store_batch_audit(b, "uid:0", "test", fields);
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
	struct jitsim_adapter_cfg ac = {.max_inflight = 2, .queue_max = 64, .timeout_ms = 30000};
	struct jitsim_cp_flow_cfg fc = {0};
	const char *imsis[] = {IMSI_A, IMSI_B};
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
	for (size_t i = 0; i < 2; i++) {
		struct jitsim_rec r = {0};

		r.imsi = jitsim_digits_key_str(imsis[i]);
		r.state = JITSIM_SIM_INVENTORY;
		r.tenant = i == 1 ? 5 : 0;
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
	def.ranges[0].first = jitsim_digits_key_str(POOL_FIRST);
	def.ranges[0].last = jitsim_digits_key_str(POOL_LAST);
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

	e->ad = jitsim_adapter_new(&fake_ops, &e->fake, &ac, err, sizeof(err));
	assert_non_null(e->ad);
	fc.store = e->st;
	fc.pools = e->pools;
	fc.rules = e->rules;
	fc.adapter = e->ad;
	fc.retries = 1;
	fc.backoff_ms = 1;
	e->flow = jitsim_cp_flow_new(&fc);
	assert_non_null(e->flow);
	assert_int_equal(jitsim_cp_flow_resume(e->flow, err, sizeof(err)), 0);
	*state = e;
	return 0;
}

static int
env_teardown(void **state)
{
	struct env *e = *state;
	char cmd[300];

	/* Held orders complete (cancelled) into the flow: adapter first. */
	jitsim_adapter_free(e->ad);
	jitsim_cp_flow_free(e->flow);
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
attach(struct env *e, const char *imsi)
{
	struct jitsim_event ev = {0};

	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.rat_type = 0xffff;
	jitsim_cp_flow_event(e->flow, &ev);
}

/* Poll until no job is live: a bound on iterations, not on time. */
static void
settle(struct env *e)
{
	struct jitsim_cp_flow_stats st;

	for (int i = 0; i < 20000; i++) {
		jitsim_cp_flow_poll(e->flow, mono_ns());
		jitsim_cp_flow_stats(e->flow, &st);
		if (st.live == 0)
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

/* A SIM whose job is in progress is refused, naming the job; so is a
 * retry of anything while it runs. */
static void
test_busy(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_audit a = {audit_cb, e};
	struct jitsim_cp_sim_change ch;
	struct jitsim_job j;
	char err[256], want[64];

	__atomic_store_n(&e->fake.hold, 1, __ATOMIC_SEQ_CST);
	attach(e, IMSI_A);
	assert_int_equal(
		jitsim_job_get_by_imsi(e->st, jitsim_digits_key_str(IMSI_A), &j, err, sizeof(err)),
		0);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	snprintf(want, sizeof(want), "job %" PRIu64 " is in progress", j.id);
	for (int op = JITSIM_CP_SIM_LOCK; op <= JITSIM_CP_SIM_RETIRE; op++) {
		err[0] = '\0';
		assert_int_equal(jitsim_cp_flow_sim_change(e->flow, j.imsi, op, JITSIM_SIM_NONE, &a,
							   &ch, err, sizeof(err)),
				 -EBUSY);
		if (strstr(err, want) == NULL)
			fail_msg("op %d: '%s' lacks '%s'", op, err, want);
	}
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, j.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "allocated"));
	assert_int_equal(e->audits, 0);
	/* Released: the job finishes, the SIM is ACTIVE and can be blocked. */
	__atomic_store_n(&e->fake.hold, 0, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < e->fake.n_held; i++)
		jitsim_adapter_complete(e->fake.held[i], 0, "fake");
	e->fake.n_held = 0;
	settle(e);
	assert_int_equal(jitsim_cp_flow_sim_change(e->flow, j.imsi, JITSIM_CP_SIM_BLOCK,
						   JITSIM_SIM_NONE, &a, &ch, err, sizeof(err)),
			 0);
	assert_int_equal(ch.from, JITSIM_SIM_ACTIVE);
	assert_int_equal(ch.rec.state, JITSIM_SIM_BLOCKED);
	assert_int_equal(ch.rec.unblock_to, JITSIM_SIM_ACTIVE);
	assert_int_equal(e->audits, 1);
	assert_non_null(strstr(e->fields, "\"from\":\"active\",\"to\":\"blocked\""));
}

/* Provisioning failed: the number went to quarantine and the SIM back to
 * INVENTORY; the retry takes a new number and ends ACTIVE. */
static void
test_retry_after_failure(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_audit a = {audit_cb, e};
	struct jitsim_job old, nj, j;
	struct jitsim_pool_stats ps;
	struct jitsim_rec r;
	char err[256];

	__atomic_store_n(&e->fake.fail, 1, __ATOMIC_SEQ_CST);
	attach(e, IMSI_A);
	settle(e);
	sim(e, IMSI_A, &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &old, err, sizeof(err)), 0);
	assert_int_equal(old.step, JITSIM_JOB_FAILED);
	assert_true(old.flags & JITSIM_JOB_F_ALLOCATED);
	assert_int_equal(jitsim_pool_stats(e->pools, 1, false, &ps), 0);
	assert_int_equal(ps.quarantined, 1);

	__atomic_store_n(&e->fake.fail, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, old.id, 0, &a, &nj, err, sizeof(err)),
			 0);
	assert_true(nj.id > old.id);
	assert_int_equal(nj.step, JITSIM_JOB_ALLOCATED);
	assert_int_equal(nj.region, 1);
	assert_string_equal(nj.hlr, "hlr-main");
	assert_true(nj.msisdn != 0 && nj.msisdn != old.msisdn);
	assert_int_equal(e->audits, 1);
	assert_non_null(strstr(e->fields, "\"new_job\":"));
	/* The same job again, while the new one runs and after it is done. */
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -EBUSY);
	settle(e);
	sim(e, IMSI_A, &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, nj.msisdn);
	assert_int_equal(jitsim_job_get(e->st, nj.id, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "not the latest"));
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, nj.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, 999, 0, &a, &j, err, sizeof(err)),
			 -ENOENT);
	assert_int_equal(e->audits, 1);
}

/* No number for the SIM's tenant: the retry is refused and changes
 * nothing (no job, no id taken, the SIM untouched). */
static void
test_retry_no_number(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_audit a = {audit_cb, e};
	struct jitsim_job old, j;
	struct jitsim_rec r;
	uint64_t next0 = 0, next1 = 0;
	char err[256];

	attach(e, IMSI_B);
	settle(e);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, jitsim_digits_key_str(IMSI_B), &old, err,
						sizeof(err)),
			 0);
	assert_int_equal(old.step, JITSIM_JOB_FAILED);
	assert_int_equal(jitsim_job_next_get(e->st, &next0), 0);
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no number"));
	assert_int_equal(jitsim_cp_flow_job_retry(e->flow, old.id, 2, &a, &j, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "region: no region 2"));
	assert_int_equal(jitsim_job_next_get(e->st, &next1), 0);
	assert_int_equal(next0, next1);
	sim(e, IMSI_B, &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(r.msisdn, 0);
	assert_int_equal(e->audits, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_busy, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_retry_after_failure, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_retry_no_number, env_setup, env_teardown),
	};
	char cmd[128];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jitsim-flow-admin.XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	srandom((unsigned int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		return 1;
	return rc;
}
