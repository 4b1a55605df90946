/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The workflow's test environment, shared by tests/cp/test_flow.c,
 * test_flow_admin.c and test_sleep.c: a real store in a temporary
 * directory with INVENTORY SIMs, one pool "main" (id 1, region 1, 1 h
 * quarantine), HLR "hlr-main" (id 7, outbox), region 1 "europe" (the
 * default), and a fake adapter backend that answers at once (success or
 * -EIO) or holds its orders. No shared memory: flow.shm NULL.
 *
 * Single-threaded like cmocka: only the fake's counters and held orders
 * are written by the adapter's thread (read with __atomic loads).
 */

#ifndef JITSIM_TESTS_CP_FLOW_ENV_H
#define JITSIM_TESTS_CP_FLOW_ENV_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/sim.h>

#include "adapter.h"
#include "flow.h"
#include "job.h"
#include "pool.h"
#include "rules.h"
#include "sleep.h"
#include "store.h"

#define FLOW_ENV_HELD_MAX 16

/* How the fake answers from the start (fail and hold can change later). */
enum flow_fake_mode { FLOW_FAKE_OK, FLOW_FAKE_FAIL, FLOW_FAKE_HOLD };

struct flow_fake {
	int fail;		 /* answer -EIO while set (__atomic) */
	int hold;		 /* keep the orders while set (__atomic) */
	unsigned int calls;	 /* every order */
	unsigned int provisions; /* provision and update orders */
	unsigned int deprovisions;
	uint64_t last_job;
	struct jitsim_adapter_call *held[FLOW_ENV_HELD_MAX];
	unsigned int n_held; /* incremented after held[] is written */
};

struct flow_env {
	char dir[128];
	struct jitsim_store *st;
	struct jitsim_pool_set *pools;
	struct jitsim_rules *rules;
	struct flow_fake fake;
	struct jitsim_adapter *ad;
	struct jitsim_cp_flow *flow;
	/* The flow's settings (flow_env_open: 2 retries, 1 ms backoff,
	 * profile "basic"); store, pools, rules and adapter set at start. */
	struct jitsim_cp_flow_cfg cfg;
	/* With a sleep module (flow_env_start() makes it on sleep_cfg): */
	bool with_sleep;
	struct jitsim_cp_sleep_cfg sleep_cfg;
	struct jitsim_cp_sleep *sleep;
};

/* mkdtemp "/tmp/@name.XXXXXX" for the stores; seeds random(). 0 or -1. */
int flow_env_tmp_make(const char *name);
const char *flow_env_tmp(void);
/* rm -rf of it; 0 or -1. */
int flow_env_tmp_remove(void);

/* Store with @n INVENTORY SIMs @imsis (tenant @tenants[i], 0 when
 * @tenants is NULL), pool "main" @first..@last, hlr-main, region 1.
 * Fails the test on any error. */
void flow_env_open(struct flow_env *e, const char *const *imsis, const uint16_t *tenants, size_t n,
		   const char *first, const char *last);
/* Stops the flow if started, closes and removes the store. */
void flow_env_close(struct flow_env *e);
/* A cmocka teardown: flow_env_close() of a calloc'd *@state, freed. */
int flow_env_teardown(void **state);

/* An adapter over the fake (2 in flight, answering as @mode says) and
 * the flow on e->cfg; the sleep module when with_sleep; then resumed (a
 * held fake holds the resumed orders too). */
void flow_env_start(struct flow_env *e, enum flow_fake_mode mode);
/* What a process exit does: orders still held complete -ECANCELED, the
 * adapter, flow and sleep module are freed, the fake is reset. */
void flow_env_stop(struct flow_env *e);

void flow_env_event(struct flow_env *e, uint8_t type, const char *imsi);
/* Loop turns (flow poll, sleep turn) until no job is live and no sweep
 * runs: a bound on iterations, not a timing assertion. */
void flow_env_settle(struct flow_env *e);
/* Until the fake holds an order (sleep turns meanwhile) or a bound on
 * iterations is reached: the caller checks fake.n_held. */
void flow_env_wait_held(struct flow_env *e);
void flow_env_sim(struct flow_env *e, const char *imsi, struct jitsim_rec *r);
void flow_env_latest_job(struct flow_env *e, const char *imsi, struct jitsim_job *j);
uint64_t flow_env_mono_ns(void);

#endif
