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

#include "flow_env.h"

#define POOL_FIRST "447709180000"
#define POOL_LAST "447709180009"
#define IMSI_A "001010000000001"
#define IMSI_B "001010000000002" /* tenant 5: no pool */

/* The workflow with the audit lines its changes write, counted. */
struct env {
	struct flow_env f;
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
	static const char *const imsis[] = {IMSI_A, IMSI_B};
	static const uint16_t tenants[] = {0, 5};
	struct env *e = calloc(1, sizeof(*e));

	assert_non_null(e);
	flow_env_open(&e->f, imsis, tenants, 2, POOL_FIRST, POOL_LAST);
	e->f.cfg.retries = 1;
	e->f.cfg.default_profile = NULL;
	flow_env_start(&e->f, FLOW_FAKE_OK);
	*state = e;
	return 0;
}

static int
env_teardown(void **state)
{
	struct env *e = *state;

	flow_env_close(&e->f);
	free(e);
	return 0;
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

	__atomic_store_n(&e->f.fake.hold, 1, __ATOMIC_SEQ_CST);
	flow_env_event(&e->f, JITSIM_EV_FIRST_ATTACH, IMSI_A);
	assert_int_equal(jitsim_job_get_by_imsi(e->f.st, jitsim_digits_key_str(IMSI_A), &j, err,
						sizeof(err)),
			 0);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	snprintf(want, sizeof(want), "job %" PRIu64 " is in progress", j.id);
	for (int op = JITSIM_CP_SIM_LOCK; op <= JITSIM_CP_SIM_RETIRE; op++) {
		err[0] = '\0';
		assert_int_equal(jitsim_cp_flow_sim_change(e->f.flow, j.imsi, op, JITSIM_SIM_NONE,
							   &a, &ch, err, sizeof(err)),
				 -EBUSY);
		if (strstr(err, want) == NULL)
			fail_msg("op %d: '%s' lacks '%s'", op, err, want);
	}
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, j.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "allocated"));
	assert_int_equal(e->audits, 0);
	/* Released: the job finishes, the SIM is ACTIVE and can be blocked. */
	__atomic_store_n(&e->f.fake.hold, 0, __ATOMIC_SEQ_CST);
	for (unsigned int i = 0; i < e->f.fake.n_held; i++)
		jitsim_adapter_complete(e->f.fake.held[i], 0, "fake");
	e->f.fake.n_held = 0;
	flow_env_settle(&e->f);
	assert_int_equal(jitsim_cp_flow_sim_change(e->f.flow, j.imsi, JITSIM_CP_SIM_BLOCK,
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

	__atomic_store_n(&e->f.fake.fail, 1, __ATOMIC_SEQ_CST);
	flow_env_event(&e->f, JITSIM_EV_FIRST_ATTACH, IMSI_A);
	flow_env_settle(&e->f);
	flow_env_sim(&e->f, IMSI_A, &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(jitsim_job_get_by_imsi(e->f.st, r.imsi, &old, err, sizeof(err)), 0);
	assert_int_equal(old.step, JITSIM_JOB_FAILED);
	assert_true(old.flags & JITSIM_JOB_F_ALLOCATED);
	assert_int_equal(jitsim_pool_stats(e->f.pools, 1, false, &ps), 0);
	assert_int_equal(ps.quarantined, 1);

	__atomic_store_n(&e->f.fake.fail, 0, __ATOMIC_SEQ_CST);
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, old.id, 0, &a, &nj, err, sizeof(err)),
			 0);
	assert_true(nj.id > old.id);
	assert_int_equal(nj.step, JITSIM_JOB_ALLOCATED);
	assert_int_equal(nj.region, 1);
	assert_string_equal(nj.hlr, "hlr-main");
	assert_true(nj.msisdn != 0 && nj.msisdn != old.msisdn);
	assert_int_equal(e->audits, 1);
	assert_non_null(strstr(e->fields, "\"new_job\":"));
	/* The same job again, while the new one runs and after it is done. */
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -EBUSY);
	flow_env_settle(&e->f);
	flow_env_sim(&e->f, IMSI_A, &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, nj.msisdn);
	assert_int_equal(jitsim_job_get(e->f.st, nj.id, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_non_null(strstr(err, "not the latest"));
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, nj.id, 0, &a, &j, err, sizeof(err)),
			 -EPERM);
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, 999, 0, &a, &j, err, sizeof(err)),
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

	flow_env_event(&e->f, JITSIM_EV_FIRST_ATTACH, IMSI_B);
	flow_env_settle(&e->f);
	assert_int_equal(jitsim_job_get_by_imsi(e->f.st, jitsim_digits_key_str(IMSI_B), &old, err,
						sizeof(err)),
			 0);
	assert_int_equal(old.step, JITSIM_JOB_FAILED);
	assert_int_equal(jitsim_job_next_get(e->f.st, &next0), 0);
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, old.id, 0, &a, &j, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "no number"));
	assert_int_equal(jitsim_cp_flow_job_retry(e->f.flow, old.id, 2, &a, &j, err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "region: no region 2"));
	assert_int_equal(jitsim_job_next_get(e->f.st, &next1), 0);
	assert_int_equal(next0, next1);
	flow_env_sim(&e->f, IMSI_B, &r);
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
	int rc;

	if (flow_env_tmp_make("jitsim-flow-admin") != 0)
		return 1;
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	if (flow_env_tmp_remove() != 0)
		return 1;
	return rc;
}
