/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
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

#include "flow_env.h"

static char tmpdir[64];

int
flow_env_tmp_make(const char *name)
{
	snprintf(tmpdir, sizeof(tmpdir), "/tmp/%s.XXXXXX", name);
	if (mkdtemp(tmpdir) == NULL)
		return -1;
	srandom((unsigned int)getpid());
	return 0;
}

const char *
flow_env_tmp(void)
{
	return tmpdir;
}

int
flow_env_tmp_remove(void)
{
	char cmd[128];

	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	return system(cmd) == 0 ? 0 : -1;
}

/* --- the fake adapter backend --- */

static int
fake_run(struct flow_fake *f, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	__atomic_fetch_add(&f->calls, 1, __ATOMIC_SEQ_CST);
	f->last_job = o->job;
	if (__atomic_load_n(&f->hold, __ATOMIC_SEQ_CST) && f->n_held < FLOW_ENV_HELD_MAX) {
		f->held[f->n_held] = c;
		__atomic_fetch_add(&f->n_held, 1, __ATOMIC_SEQ_CST);
		return 0;
	}
	jitsim_adapter_complete(c, __atomic_load_n(&f->fail, __ATOMIC_SEQ_CST) ? -EIO : 0, "fake");
	return 0;
}

static int
fake_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct flow_fake *f = ctx;

	__atomic_fetch_add(&f->provisions, 1, __ATOMIC_SEQ_CST);
	return fake_run(f, o, c);
}

static int
fake_deprovision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct flow_fake *f = ctx;

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

/* --- the environment --- */

void
flow_env_open(struct flow_env *e, const char *const *imsis, const uint16_t *tenants, size_t n,
	      const char *first, const char *last)
{
	struct jitsim_store_opts so = {0};
	struct jitsim_store_batch *b;
	struct jitsim_pool_def def = {0};
	struct jitsim_rules_hlr h = {.id = 7, .kind = JITSIM_HLR_OUTBOX};
	struct jitsim_rules_region g = {.id = 1};
	char kek[160], err[256];

	snprintf(e->dir, sizeof(e->dir), "%s/store%ld", tmpdir, random());
	snprintf(kek, sizeof(kek), "%s.kek", e->dir);
	assert_int_equal(jitsim_kek_create(kek, err, sizeof(err)), 0);
	so.path = e->dir;
	so.kek_path = kek;
	so.create = true;
	assert_int_equal(jitsim_store_open(&so, &e->st, err, sizeof(err)), 0);

	/* One ICCID digit per SIM. */
	assert_true(n <= 10);
	b = jitsim_store_batch_new(e->st);
	for (size_t i = 0; i < n; i++) {
		struct jitsim_rec r = {0};

		r.imsi = jitsim_digits_key_str(imsis[i]);
		r.version = JITSIM_REC_VERSION;
		r.state = JITSIM_SIM_INVENTORY;
		r.tenant = tenants != NULL ? tenants[i] : 0;
		snprintf(r.iccid, sizeof(r.iccid), "894401000000000000%u", (unsigned int)(i % 10));
		assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	}
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);

	assert_int_equal(jitsim_pool_set_open(e->st, &e->pools, err, sizeof(err)), 0);
	def.id = 1;
	snprintf(def.name, sizeof(def.name), "main");
	def.region = 1;
	def.quarantine = 3600;
	def.nranges = 1;
	def.ranges[0].first = jitsim_digits_key_str(first);
	def.ranges[0].last = jitsim_digits_key_str(last);
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
	e->cfg.retries = 2;
	e->cfg.backoff_ms = 1;
	e->cfg.default_profile = "basic";
}

void
flow_env_close(struct flow_env *e)
{
	char cmd[300];

	if (e->flow != NULL)
		flow_env_stop(e);
	jitsim_rules_free(e->rules);
	jitsim_pool_set_close(e->pools);
	jitsim_store_close(e->st);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s' '%s.kek'", e->dir, e->dir);
	assert_int_equal(system(cmd), 0);
}

int
flow_env_teardown(void **state)
{
	flow_env_close(*state);
	free(*state);
	return 0;
}

void
flow_env_start(struct flow_env *e, enum flow_fake_mode mode)
{
	struct jitsim_adapter_cfg ac = {.max_inflight = 2, .queue_max = 64, .timeout_ms = 30000};
	struct jitsim_cp_flow_cfg fc = e->cfg;
	char err[256];

	/* Before the adapter's thread exists: plain stores. */
	e->fake.fail = mode == FLOW_FAKE_FAIL;
	e->fake.hold = mode == FLOW_FAKE_HOLD;
	e->ad = jitsim_adapter_new(&fake_ops, &e->fake, &ac, err, sizeof(err));
	assert_non_null(e->ad);
	fc.store = e->st;
	fc.pools = e->pools;
	fc.rules = e->rules;
	fc.adapter = e->ad;
	e->flow = jitsim_cp_flow_new(&fc);
	assert_non_null(e->flow);
	if (e->with_sleep) {
		e->sleep = jitsim_cp_sleep_new(&e->sleep_cfg, e->flow, e->st);
		assert_non_null(e->sleep);
		jitsim_cp_flow_set_sleep(e->flow, e->sleep);
	}
	assert_int_equal(jitsim_cp_flow_resume(e->flow, err, sizeof(err)), 0);
}

void
flow_env_stop(struct flow_env *e)
{
	/* Orders still held: the adapter waits for them before it goes. */
	for (unsigned int i = 0; i < e->fake.n_held; i++)
		jitsim_adapter_complete(e->fake.held[i], -ECANCELED, "gone");
	e->fake.n_held = 0;
	jitsim_adapter_free(e->ad);
	jitsim_cp_flow_free(e->flow);
	jitsim_cp_sleep_free(e->sleep);
	e->ad = NULL;
	e->flow = NULL;
	e->sleep = NULL;
	memset(&e->fake, 0, sizeof(e->fake));
}

uint64_t
flow_env_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
flow_env_event(struct flow_env *e, uint8_t type, const char *imsi)
{
	struct jitsim_event ev = {0};

	ev.type = type;
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.rat_type = 0xffff;
	jitsim_cp_flow_event(e->flow, &ev);
}

void
flow_env_settle(struct flow_env *e)
{
	struct jitsim_cp_flow_stats st;
	struct jitsim_cp_sleep_stats ss = {0};

	for (int i = 0; i < 20000; i++) {
		const uint64_t now = flow_env_mono_ns();

		jitsim_cp_flow_poll(e->flow, now);
		if (e->sleep != NULL)
			jitsim_cp_sleep_turn(e->sleep, now);
		jitsim_cp_flow_stats(e->flow, &st);
		if (e->sleep != NULL)
			jitsim_cp_sleep_stats(e->sleep, &ss);
		if (st.live == 0 && ss.running == 0)
			return;
		usleep(200);
	}
	fail_msg("jobs still live");
}

void
flow_env_wait_held(struct flow_env *e)
{
	for (int i = 0; i < 20000 && __atomic_load_n(&e->fake.n_held, __ATOMIC_SEQ_CST) == 0; i++) {
		if (e->sleep != NULL)
			jitsim_cp_sleep_turn(e->sleep, flow_env_mono_ns());
		usleep(200);
	}
}

void
flow_env_sim(struct flow_env *e, const char *imsi, struct jitsim_rec *r)
{
	char err[256];

	assert_int_equal(
		jitsim_store_sim_get(e->st, jitsim_digits_key_str(imsi), r, err, sizeof(err)), 0);
}

void
flow_env_latest_job(struct flow_env *e, const char *imsi, struct jitsim_job *j)
{
	char err[256];

	assert_int_equal(
		jitsim_job_get_by_imsi(e->st, jitsim_digits_key_str(imsi), j, err, sizeof(err)), 0);
}
