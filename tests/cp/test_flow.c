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

#include "adapter.h"
#include "config.h"
#include "flow.h"
#include "job.h"
#include "pool.h"
#include "rules.h"
#include "store.h"

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

static char tmpdir[64];

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
	snprintf(path, sizeof(path), "%s/cp.conf", tmpdir);
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

enum fake_mode { FAKE_OK, FAKE_FAIL, FAKE_HOLD };

struct fake {
	enum fake_mode mode;
	unsigned int calls;
	uint64_t last_job;
	struct jitsim_adapter_call *held[16];
	unsigned int n_held;
};

static int
fake_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct fake *f = ctx;

	__atomic_fetch_add(&f->calls, 1, __ATOMIC_SEQ_CST);
	f->last_job = o->job;
	if (f->mode == FAKE_HOLD && f->n_held < 16) {
		f->held[f->n_held++] = c;
		return 0;
	}
	jitsim_adapter_complete(c, f->mode == FAKE_OK ? 0 : -EIO, "fake");
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
};

static const char *const imsis[] = {"001010000000001", "001010000000002", "001010000000003"};
#define POOL_FIRST "447709180000"
#define POOL_LAST "447709189999"

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
	assert_int_equal(jitsim_cp_flow_resume(e->flow, err, sizeof(err)), 0);
}

static void
env_flow_free(struct env *e)
{
	jitsim_adapter_free(e->ad);
	jitsim_cp_flow_free(e->flow);
	e->ad = NULL;
	e->flow = NULL;
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
		r.tenant = i == 2 ? 5 : 0; /* the third SIM's tenant has no pool */
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
attach(struct env *e, const char *imsi)
{
	struct jitsim_event ev = {0};

	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.rat_type = 0xffff;
	jitsim_cp_flow_event(e->flow, &ev);
}

/* Poll until no job is live (the fake adapter answers at once; retries
 * wait 1, 2 ms): a bound on iterations, not a timing assertion. */
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

static void
test_flow_activate(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	uint64_t owner = 0;
	char err[256];

	env_flow(e, FAKE_OK);
	attach(e, imsis[0]);
	attach(e, imsis[0]); /* storm: the job is live */
	settle(e);
	sim(e, imsis[0], &r);
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
	settle(e);
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
	settle(e);
	{
		struct jitsim_rec r2;

		sim(e, imsis[1], &r2);
		assert_int_equal(r2.state, JITSIM_SIM_ACTIVE);
		assert_true(r2.msisdn != 0 && r2.msisdn != r.msisdn);
	}
}

static void
test_flow_fail(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_pool_stats ps;
	struct jitsim_rec r;
	struct jitsim_job j;
	char err[256];

	env_flow(e, FAKE_FAIL);
	attach(e, imsis[0]);
	settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(e->fake.calls, 3); /* first attempt + 2 retries */
	assert_int_equal(st.retries, 2);
	assert_int_equal(st.failed, 1);
	sim(e, imsis[0], &r);
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
	settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.started, 2);
	assert_int_equal(st.failed, 2);
}

static void
test_flow_no_number(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	char err[256];

	env_flow(e, FAKE_OK);
	attach(e, imsis[2]); /* tenant 5: no pool */
	settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.no_number, 1);
	assert_int_equal(st.no_region, 0);
	assert_int_equal(e->fake.calls, 0);
	sim(e, imsis[2], &r);
	assert_int_equal(r.state, JITSIM_SIM_INVENTORY);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_FAILED);
	assert_non_null(strstr(j.reason, "no number"));
}

static void
test_flow_burst(void **state)
{
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_event ev[5];
	struct jitsim_rec r0, r1, r2;

	env_flow(e, FAKE_OK);
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
	settle(e);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.started, 3);
	assert_int_equal(st.duplicate, 1);
	assert_int_equal(st.done, 2);
	assert_int_equal(st.failed, 1);
	assert_int_equal(st.events[JITSIM_EV_BLOCKED_ATTEMPT], 1);
	assert_int_equal(e->fake.calls, 2);
	sim(e, imsis[0], &r0);
	sim(e, imsis[1], &r1);
	sim(e, imsis[2], &r2);
	assert_int_equal(r0.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r1.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r2.state, JITSIM_SIM_INVENTORY);
	assert_true(r0.msisdn != 0 && r1.msisdn != 0 && r0.msisdn != r1.msisdn);
	/* Ids: 1, 2 (allocated), 3 (failed early), the next is 4. */
	attach(e, imsis[2]);
	settle(e);
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
	struct env *e = *state;
	struct jitsim_cp_flow_stats st;
	struct jitsim_rec r;
	struct jitsim_job j;
	uint64_t job_id;
	char err[256];

	/* A job whose provisioning never answers, then the process goes. */
	env_flow(e, FAKE_HOLD);
	attach(e, imsis[0]);
	for (int i = 0; i < 20000 && __atomic_load_n(&e->fake.n_held, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(200);
	assert_int_equal(e->fake.n_held, 1);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVATING);
	assert_int_not_equal(r.msisdn, 0);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.step, JITSIM_JOB_ALLOCATED);
	job_id = j.id;
	jitsim_adapter_complete(e->fake.held[0], -ECANCELED, "gone");
	env_flow_free(e);

	/* The next start provisions the same job again and finishes it. */
	env_flow(e, FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.resumed, 1);
	settle(e);
	assert_int_equal(e->fake.last_job, job_id);
	sim(e, imsis[0], &r);
	assert_int_equal(r.state, JITSIM_SIM_ACTIVE);
	assert_int_equal(r.msisdn, j.msisdn);
	assert_int_equal(jitsim_job_get_by_imsi(e->st, r.imsi, &j, err, sizeof(err)), 0);
	assert_int_equal(j.id, job_id);
	assert_int_equal(j.step, JITSIM_JOB_DONE);
	/* Job ids go on after the last one. */
	attach(e, imsis[1]);
	settle(e);
	assert_int_equal(e->fake.last_job, job_id + 1);
}

/* A job record that does not decode is skipped and counted, the jobs
 * after it are still resumed; a newer record version stops the start. */
static void
test_flow_resume_damaged(void **state)
{
	struct env *e = *state;
	struct jitsim_store_batch *b;
	struct jitsim_cp_flow_stats st;
	struct jitsim_job j;
	uint8_t key[JITSIM_JOB_KEY_LEN], bad[3] = {JITSIM_JOB_VERSION, JITSIM_JOB_DONE, 0};
	char err[256];

	env_flow(e, FAKE_HOLD);
	attach(e, imsis[0]);
	for (int i = 0; i < 20000 && __atomic_load_n(&e->fake.n_held, __ATOMIC_SEQ_CST) == 0; i++)
		usleep(200);
	assert_int_equal(e->fake.n_held, 1);
	jitsim_adapter_complete(e->fake.held[0], -ECANCELED, "gone");
	env_flow_free(e);
	assert_int_equal(jitsim_job_get(e->st, 1, &j, err, sizeof(err)), 0);
	/* Job 0 sorts before job 1: a damaged record first. */
	b = jitsim_store_batch_new(e->st);
	assert_non_null(b);
	jitsim_job_key(0, key);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), bad, sizeof(bad));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);

	env_flow(e, FAKE_OK);
	jitsim_cp_flow_stats(e->flow, &st);
	assert_int_equal(st.journal_damaged, 1);
	assert_int_equal(st.resumed, 1);
	settle(e);
	assert_int_equal(e->fake.last_job, j.id);
	env_flow_free(e);

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
		cmocka_unit_test_setup_teardown(test_flow_activate, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_fail, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_no_number, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_burst, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_resume, env_setup, env_teardown),
		cmocka_unit_test_setup_teardown(test_flow_resume_damaged, env_setup, env_teardown),
	};
	char cmd[100];
	int rc;

	snprintf(tmpdir, sizeof(tmpdir), "/tmp/jitsim-test-cp-XXXXXX");
	if (mkdtemp(tmpdir) == NULL)
		return 1;
	srandom((unsigned int)getpid());
	rc = cmocka_run_group_tests(tests, NULL, NULL);
	snprintf(cmd, sizeof(cmd), "rm -rf '%s'", tmpdir);
	if (system(cmd) != 0)
		rc = 1;
	return rc;
}
