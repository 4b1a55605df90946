/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>

#include "evq.h"

#define NONE UINT32_MAX
#define WHEEL_SIZE (1u << JITSIM_PKTGEN_EVQ_WHEEL_BITS)
#define WHEEL_MASK (WHEEL_SIZE - 1u)

static bool
ev_before(const struct jitsim_pktgen_ev *a, const struct jitsim_pktgen_ev *b)
{
	return a->t < b->t || (a->t == b->t && a->seq < b->seq);
}

static uint64_t
slot_of(uint64_t t)
{
	return t >> JITSIM_PKTGEN_EVQ_SLOT_SHIFT;
}

int
jitsim_pktgen_evq_init(struct jitsim_pktgen_evq *q)
{
	memset(q, 0, sizeof(*q));
	q->free = NONE;
	q->first = NONE;
	q->bucket = malloc(WHEEL_SIZE * sizeof(*q->bucket));
	if (q->bucket == NULL)
		return -ENOMEM;
	memset(q->bucket, 0xff, WHEEL_SIZE * sizeof(*q->bucket));
	return 0;
}

void
jitsim_pktgen_evq_free(struct jitsim_pktgen_evq *q)
{
	free(q->bucket);
	free(q->node);
	free(q->lk);
	free(q->heap);
	memset(q, 0, sizeof(*q));
}

/* ---- heap: the events beyond the wheel ---- */

static int
heap_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e)
{
	struct jitsim_pktgen_ev *h;
	size_t i;

	if (q->n_heap == q->cap_heap) {
		size_t cap = q->cap_heap ? q->cap_heap * 2 : 1024;

		h = realloc(q->heap, cap * sizeof(*h));
		if (h == NULL)
			return -ENOMEM;
		q->heap = h;
		q->cap_heap = cap;
	}
	h = q->heap;
	i = q->n_heap++;
	while (i > 0 && ev_before(e, &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = *e;
	return 0;
}

static void
heap_pop(struct jitsim_pktgen_evq *q, struct jitsim_pktgen_ev *out)
{
	struct jitsim_pktgen_ev *h = q->heap;
	size_t i = 0, n;

	*out = h[0];
	n = --q->n_heap;
	if (n == 0)
		return;
	/*
	 * Floyd's pop: the hole goes down to a leaf along the earlier children
	 * (one comparison per level instead of two), then the last event, which
	 * is late, climbs back the level or two it belongs above the leaf.
	 */
	for (;;) {
		size_t c = 2 * i + 1;

		if (c >= n)
			break;
		if (c + 1 < n && ev_before(&h[c + 1], &h[c]))
			c++;
		h[i] = h[c];
		i = c;
	}
	while (i > 0 && ev_before(&h[n], &h[(i - 1) / 2])) {
		h[i] = h[(i - 1) / 2];
		i = (i - 1) / 2;
	}
	h[i] = h[n];
}

/* ---- wheel: the events within WHEEL_SIZE buckets of cur ---- */

/* Node @p i will be read soon: an event is 56 bytes, over one line or two. */
static void
node_prefetch(const struct jitsim_pktgen_evq *q, uint32_t i)
{
	const char *p = (const char *)&q->node[i];

	__builtin_prefetch(p);
	__builtin_prefetch(p + sizeof(q->node[i]) - 1);
}

static int
node_alloc(struct jitsim_pktgen_evq *q, uint32_t *out)
{
	if (q->free != NONE) {
		*out = q->free;
		q->free = q->lk[*out].next;
		return 0;
	}
	if (q->n_node == q->cap_node) {
		uint32_t cap = q->cap_node ? q->cap_node * 2 : 4096;
		struct jitsim_pktgen_evq_node *n;
		struct jitsim_pktgen_evq_link *k;

		if (cap >= NONE)
			return -ENOMEM;
		n = realloc(q->node, (size_t)cap * sizeof(*n));
		if (n == NULL)
			return -ENOMEM;
		q->node = n;
		k = realloc(q->lk, (size_t)cap * sizeof(*k));
		if (k == NULL)
			return -ENOMEM;
		q->lk = k;
		q->cap_node = cap;
	}
	*out = q->n_node++;
	return 0;
}

static int
wheel_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t, uint64_t slot)
{
	struct jitsim_pktgen_ev *n;
	uint32_t i, *head;
	int rc = node_alloc(q, &i);

	if (rc != 0)
		return rc;
	/*
	 * Lowering cur keeps "nothing pending before cur"; an event already
	 * more than a wheel ahead of the new cur shares a bucket with others
	 * then, after them in the bucket's time order.
	 */
	if (q->n_wheel == 0 || slot < q->cur)
		q->cur = slot;
	n = &q->node[i].ev;
	*n = *e;
	n->t = t;
	n->seq = q->seq++;
	/*
	 * A bucket is kept in (time, push order) order, its head its earliest
	 * event: the new one (the latest pushed) goes after those not later
	 * than it, a walk over the few events of a bucket.
	 */
	head = &q->bucket[slot & WHEEL_MASK];
	while (*head != NONE && q->lk[*head].t <= t)
		head = &q->lk[*head].next;
	q->lk[i].t = t;
	q->lk[i].next = *head;
	*head = i;
	q->n_wheel++;
	if (q->n_wheel == 1 || (q->first != NONE && ev_before(n, &q->node[q->first].ev)))
		q->first = i;
	return 0;
}

/*
 * The wheel's earliest event (there is one): the head of the first bucket
 * from cur whose head is of its slot. Nothing pending is before cur and a
 * bucket is in time order, so an event of a later slot (a wheel ahead,
 * sharing the bucket) at the head means none of slot cur is there.
 */
static uint32_t
wheel_first(struct jitsim_pktgen_evq *q)
{
	const struct jitsim_pktgen_evq_link *lk = q->lk;

	if (q->first != NONE)
		return q->first;
	for (;;) {
		uint32_t h = q->bucket[q->cur & WHEEL_MASK];

		if (h != NONE && slot_of(lk[h].t) == q->cur) {
			node_prefetch(q, h);
			return q->first = h;
		}
		q->cur++;
	}
}

static void
wheel_pop(struct jitsim_pktgen_evq *q, struct jitsim_pktgen_ev *out)
{
	uint32_t f = wheel_first(q), *p = &q->bucket[slot_of(q->lk[f].t) & WHEEL_MASK];
	uint32_t nx;

	while (*p != f)
		p = &q->lk[*p].next;
	nx = *p = q->lk[f].next;
	*out = q->node[f].ev;
	q->lk[f].next = q->free;
	q->free = f;
	q->n_wheel--;
	/* The bucket's next event, if of the same slot, is the wheel's next one (f was at cur). */
	q->first = nx != NONE && slot_of(q->lk[nx].t) == q->cur ? nx : NONE;
	if (q->first != NONE)
		node_prefetch(q, nx);
	else if (q->n_wheel != 0)
		wheel_first(q);
}

int
jitsim_pktgen_evq_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t,
		       bool far)
{
	uint64_t slot = slot_of(t);
	struct jitsim_pktgen_ev n;

	if (!far && (q->n_wheel == 0 || slot < q->cur + WHEEL_SIZE))
		return wheel_push(q, e, t, slot);
	n = *e;
	n.t = t;
	n.seq = q->seq++;
	return heap_push(q, &n);
}

const struct jitsim_pktgen_ev *
jitsim_pktgen_evq_peek_slow(struct jitsim_pktgen_evq *q)
{
	const struct jitsim_pktgen_ev *w;

	if (q->n_wheel == 0)
		return q->n_heap ? &q->heap[0] : NULL;
	w = &q->node[wheel_first(q)].ev;
	if (q->n_heap && ev_before(&q->heap[0], w))
		return &q->heap[0];
	return w;
}

uint64_t
jitsim_pktgen_evq_next_t_slow(struct jitsim_pktgen_evq *q)
{
	const struct jitsim_pktgen_ev *e = jitsim_pktgen_evq_peek_slow(q);

	return e != NULL ? e->t : UINT64_MAX;
}

void
jitsim_pktgen_evq_pop(struct jitsim_pktgen_evq *q, struct jitsim_pktgen_ev *out)
{
	if (q->n_wheel == 0 || (q->n_heap && ev_before(&q->heap[0], &q->node[wheel_first(q)].ev)))
		heap_pop(q, out);
	else
		wheel_pop(q, out);
}
