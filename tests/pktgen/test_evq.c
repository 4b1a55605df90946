/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * pktgen's event queue (pktgen/evq.h) against the order it promises:
 * (time, push order), whatever mix of times is pushed: equal ones, in one
 * bucket, at the edges of the fine wheel's epochs, in the coarse wheel,
 * at its far edge and beyond it (the heap). The reference is a plain
 * array searched for its minimum.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"
#include "rng.h"

#define SLOT (1ull << JITSIM_PKTGEN_EVQ_SLOT_SHIFT)
#define WHEEL (SLOT << JITSIM_PKTGEN_EVQ_WHEEL_BITS)
#define FAR (WHEEL << JITSIM_PKTGEN_EVQ_FAR_BITS)

struct ref {
	struct jitsim_pktgen_ev *ev;
	size_t n, cap;
	uint64_t seq;
};

static void
ref_push(struct ref *r, const struct jitsim_pktgen_ev *e)
{
	if (r->n == r->cap) {
		r->cap = r->cap ? 2 * r->cap : 1024;
		r->ev = realloc(r->ev, r->cap * sizeof(*r->ev));
		if (r->ev == NULL)
			abort();
	}
	r->ev[r->n] = *e;
	r->ev[r->n].seq = r->seq++;
	r->n++;
}

static void
ref_pop(struct ref *r, struct jitsim_pktgen_ev *out)
{
	size_t m = 0;

	for (size_t i = 1; i < r->n; i++)
		if (r->ev[i].t < r->ev[m].t ||
		    (r->ev[i].t == r->ev[m].t && r->ev[i].seq < r->ev[m].seq))
			m = i;
	*out = r->ev[m];
	r->ev[m] = r->ev[--r->n];
}

/* A delay of one of the shapes the timeline makes, and a few it does not. */
static uint64_t
delay(struct jitsim_pktgen_rng *g)
{
	switch (jitsim_pktgen_rng_below(g, 12)) {
	case 0:
		return 0; /* equal times: push order decides */
	case 1:
		return jitsim_pktgen_rng_below(g, SLOT); /* same bucket */
	case 2:
		return WHEEL - SLOT + jitsim_pktgen_rng_below(g, 3 * SLOT); /* wheel edge */
	case 3:
		return jitsim_pktgen_rng_below(g, 5 * WHEEL); /* the next epochs */
	case 4:
		return 5000000000ull + jitsim_pktgen_rng_below(g, 25000000000ull); /* retries */
	case 5:
		return FAR - 2 * WHEEL + jitsim_pktgen_rng_below(g, 4 * WHEEL); /* coarse edge */
	case 6:
		return FAR + jitsim_pktgen_rng_below(g, 3 * FAR); /* beyond: the heap */
	default:
		return 100000 + jitsim_pktgen_rng_exp(g, 20000000); /* answers */
	}
}

static int
run(uint64_t seed, unsigned int steps)
{
	struct jitsim_pktgen_evq q;
	struct jitsim_pktgen_rng g;
	struct ref r = {0};
	uint64_t now = 1767225600ull * 1000000000ull;
	int rc = 1;

	jitsim_pktgen_rng_seed(&g, seed, 0);
	if (jitsim_pktgen_evq_init(&q) != 0)
		return 1;
	for (unsigned int i = 0; i < steps; i++) {
		struct jitsim_pktgen_ev e, a, b;
		const struct jitsim_pktgen_ev *p;
		uint64_t t;

		/* Push a burst, then take some out: the queue grows and drains. */
		if (r.n == 0 || jitsim_pktgen_rng_below(&g, 100) < 55) {
			memset(&e, 0, sizeof(e));
			e.t = now + delay(&g);
			e.sim = i;
			if (jitsim_pktgen_evq_push(&q, &e, e.t) != 0)
				goto out;
			ref_push(&r, &e);
			continue;
		}
		/* What the generator asks (the time only), then the event itself. */
		t = jitsim_pktgen_evq_next_t(&q);
		p = jitsim_pktgen_evq_peek(&q);
		ref_pop(&r, &b);
		if (p == NULL || p->t != b.t || p->seq != b.seq || t != b.t) {
			fprintf(stderr, "seed %llu step %u: peek or next_t differs\n",
				(unsigned long long)seed, i);
			goto out;
		}
		jitsim_pktgen_evq_pop(&q, &a);
		if (a.t != b.t || a.seq != b.seq || a.sim != b.sim) {
			fprintf(stderr,
				"seed %llu step %u: got t=%llu seq=%llu, want t=%llu seq=%llu\n",
				(unsigned long long)seed, i, (unsigned long long)a.t,
				(unsigned long long)a.seq, (unsigned long long)b.t,
				(unsigned long long)b.seq);
			goto out;
		}
		now = a.t; /* the timeline never goes back */
	}
	while (r.n) {
		struct jitsim_pktgen_ev a, b;

		ref_pop(&r, &b);
		if (jitsim_pktgen_evq_next_t(&q) != b.t)
			goto out;
		jitsim_pktgen_evq_pop(&q, &a);
		if (a.t != b.t || a.seq != b.seq)
			goto out;
	}
	if (jitsim_pktgen_evq_peek(&q) != NULL || jitsim_pktgen_evq_next_t(&q) != UINT64_MAX)
		goto out;
	rc = 0;
out:
	jitsim_pktgen_evq_free(&q);
	free(r.ev);
	return rc;
}

int
main(void)
{
	for (uint64_t seed = 1; seed <= 10; seed++)
		if (run(seed, 20000) != 0)
			return 1;
	printf("evq: ok\n");
	return 0;
}
