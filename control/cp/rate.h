/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Rates for `status`: events consumed, jobs started, done and failed per
 * second, over the last 10 s and 60 s.
 *
 * The workflow thread samples its counters once a second into a ring of
 * 61 samples (jitsim_cp_rate_tick()); the control socket thread reads a
 * rate from two samples (jitsim_cp_rate_get()). A mutex guards the ring:
 * one short critical section a second on each side.
 */

#ifndef JITSIM_CP_RATE_H
#define JITSIM_CP_RATE_H

#include <pthread.h>
#include <stdint.h>

enum jitsim_cp_rate_counter {
	JITSIM_CP_RATE_EVENTS,
	JITSIM_CP_RATE_STARTED,
	JITSIM_CP_RATE_DONE,
	JITSIM_CP_RATE_FAILED,
	JITSIM_CP_RATE_N
};

#define JITSIM_CP_RATE_SAMPLES 61

struct jitsim_cp_rate {
	pthread_mutex_t lock;
	uint64_t last_ns; /* time of the newest sample, 0: none yet */
	unsigned int head, n;
	uint64_t t[JITSIM_CP_RATE_SAMPLES];
	uint64_t v[JITSIM_CP_RATE_SAMPLES][JITSIM_CP_RATE_N];
};

/* 0 or negative errno. */
int jitsim_cp_rate_init(struct jitsim_cp_rate *r);
void jitsim_cp_rate_destroy(struct jitsim_cp_rate *r);

/* Workflow thread: record @v (cumulative counters) if a second has passed
 * since the last sample (cheap otherwise). @now_ns CLOCK_MONOTONIC. */
void jitsim_cp_rate_tick(struct jitsim_cp_rate *r, uint64_t now_ns,
			 const uint64_t v[JITSIM_CP_RATE_N]);

/* Any thread: per-second rates over the last @secs seconds (1..60, or as
 * much history as there is) into @out; returns the seconds covered (0:
 * fewer than two samples yet, @out zeroed). */
double jitsim_cp_rate_get(struct jitsim_cp_rate *r, unsigned int secs,
			  double out[JITSIM_CP_RATE_N]);

#endif /* JITSIM_CP_RATE_H */
