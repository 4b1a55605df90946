/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <string.h>

#include "rate.h"

#define RATE_PERIOD_NS 1000000000ull

int
jitsim_cp_rate_init(struct jitsim_cp_rate *r)
{
	memset(r, 0, sizeof(*r));
	return -pthread_mutex_init(&r->lock, NULL);
}

void
jitsim_cp_rate_destroy(struct jitsim_cp_rate *r)
{
	pthread_mutex_destroy(&r->lock);
}

void
jitsim_cp_rate_tick(struct jitsim_cp_rate *r, uint64_t now_ns, const uint64_t v[JITSIM_CP_RATE_N])
{
	/* Only this thread writes last_ns: no lock needed to read it. */
	if (r->last_ns != 0 && now_ns - r->last_ns < RATE_PERIOD_NS)
		return;
	pthread_mutex_lock(&r->lock);
	r->head = (r->head + 1) % JITSIM_CP_RATE_SAMPLES;
	r->t[r->head] = now_ns;
	memcpy(r->v[r->head], v, sizeof(r->v[0]));
	if (r->n < JITSIM_CP_RATE_SAMPLES)
		r->n++;
	r->last_ns = now_ns;
	pthread_mutex_unlock(&r->lock);
}

double
jitsim_cp_rate_get(struct jitsim_cp_rate *r, unsigned int secs, double out[JITSIM_CP_RATE_N])
{
	unsigned int back, old;
	double span = 0;

	memset(out, 0, sizeof(double) * JITSIM_CP_RATE_N);
	pthread_mutex_lock(&r->lock);
	if (r->n >= 2) {
		back = secs < r->n - 1 ? secs : r->n - 1;
		if (back == 0)
			back = 1;
		old = (r->head + JITSIM_CP_RATE_SAMPLES - back) % JITSIM_CP_RATE_SAMPLES;
		span = (double)(r->t[r->head] - r->t[old]) / 1e9;
		for (unsigned int i = 0; span > 0 && i < JITSIM_CP_RATE_N; i++)
			out[i] = (double)(r->v[r->head][i] - r->v[old][i]) / span;
	}
	pthread_mutex_unlock(&r->lock);
	return span;
}
