/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>

#include "evq.h"

#define NONE UINT32_MAX
#define WHEEL_SIZE JITSIM_PKTGEN_EVQ_WHEEL_SIZE
#define WHEEL_MASK (WHEEL_SIZE - 1u)
#define FAR_MASK (JITSIM_PKTGEN_EVQ_FAR_SIZE - 1u)

_Static_assert(sizeof(struct jitsim_pktgen_evq_node) == 64, "a node is one cache line");

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

/* The fine wheel's epoch of slot @p slot: the coarse wheel's slot. */
static uint64_t
epoch_of(uint64_t slot)
{
	return slot >> JITSIM_PKTGEN_EVQ_WHEEL_BITS;
}

int
jitsim_pktgen_evq_init(struct jitsim_pktgen_evq *q)
{
	memset(q, 0, sizeof(*q));
	q->free = NONE;
	q->first = NONE;
	q->run = NONE;
	q->pf_idx = NONE;
	q->bucket = malloc(WHEEL_SIZE * sizeof(*q->bucket));
	if (q->bucket == NULL)
		return -ENOMEM;
	memset(q->bucket, 0xff, WHEEL_SIZE * sizeof(*q->bucket));
	q->far = malloc(JITSIM_PKTGEN_EVQ_FAR_SIZE * sizeof(*q->far));
	if (q->far == NULL) {
		free(q->bucket);
		q->bucket = NULL;
		return -ENOMEM;
	}
	memset(q->far, 0xff, JITSIM_PKTGEN_EVQ_FAR_SIZE * sizeof(*q->far));
	return 0;
}

void
jitsim_pktgen_evq_free(struct jitsim_pktgen_evq *q)
{
	free(q->bucket);
	free(q->far);
	if (q->node != NULL)
		munmap(q->node, (size_t)q->cap_node * sizeof(*q->node));
	free(q->heap);
	memset(q, 0, sizeof(*q));
}

/* ---- heap: the events beyond the coarse wheel ---- */

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

/* Node @p i (its line) will be read soon. */
static void
node_prefetch(const struct jitsim_pktgen_evq *q, uint32_t i)
{
	__builtin_prefetch(&q->node[i]);
}

static int
node_alloc(struct jitsim_pktgen_evq *q, uint32_t *out)
{
	if (q->free != NONE) {
		*out = q->free;
		q->free = q->node[*out].next;
		return 0;
	}
	if (q->n_node == q->cap_node) {
		uint64_t cap = q->cap_node ? (uint64_t)q->cap_node * 2 : 4096;
		size_t old = (size_t)q->cap_node * sizeof(*q->node);
		void *n;

		if (cap >= NONE)
			return -ENOMEM;
		/*
		 * Pages, so that a node is a line, grown by mremap(): realloc()
		 * does not keep the alignment, and a copy to a new block would
		 * hold both at once (tens of megabytes of retries).
		 */
		if (q->node == NULL)
			n = mmap(NULL, (size_t)cap * sizeof(*q->node), PROT_READ | PROT_WRITE,
				 MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
		else
			n = mremap(q->node, old, (size_t)cap * sizeof(*q->node), MREMAP_MAYMOVE);
		if (n == MAP_FAILED)
			return -ENOMEM;
		q->node = n;
		q->cap_node = (uint32_t)cap;
	}
	*out = q->n_node++;
	return 0;
}

/* Does node @p a come before node @p b: (time, push order)? */
static bool
node_before(const struct jitsim_pktgen_evq *q, uint32_t a, uint32_t b)
{
	return ev_before(&q->node[a].ev, &q->node[b].ev);
}

/* Insert node @p i into the run (slot cur's events, in order); it may become the first. */
static void
run_insert(struct jitsim_pktgen_evq *q, uint32_t i)
{
	uint32_t *p = &q->run;

	while (*p != NONE && node_before(q, *p, i))
		p = &q->node[*p].next;
	q->node[i].next = *p;
	*p = i;
}

/*
 * Open slot cur: its events leave their bucket for the run, sorted. A
 * bucket also holds events a wheel (or more) ahead, after cur was lowered;
 * they stay. Reading a node's time for the sort brings in its whole line,
 * the event handed out within a few frames.
 */
static void
wheel_open(struct jitsim_pktgen_evq *q)
{
	uint32_t *p = &q->bucket[q->cur & WHEEL_MASK];

	while (*p != NONE) {
		uint32_t i = *p;

		if (slot_of(q->node[i].ev.t) != q->cur) {
			p = &q->node[i].next;
			continue;
		}
		*p = q->node[i].next;
		run_insert(q, i);
	}
	q->open = true;
}

/* Node @p i goes to the head of the list at @p head (a bucket of either wheel), in no order. */
static void
list_push(struct jitsim_pktgen_evq *q, uint32_t *head, uint32_t i)
{
	q->node[i].next = *head;
	*head = i;
}

/* The run goes back to its bucket (cur is about to be lowered). */
static void
wheel_close(struct jitsim_pktgen_evq *q)
{
	uint32_t *head = &q->bucket[q->cur & WHEEL_MASK];

	while (q->run != NONE) {
		uint32_t i = q->run;

		q->run = q->node[i].next;
		list_push(q, head, i);
	}
	q->open = false;
	q->first = NONE;
}

/* A new node for @p e at @p t, with the next sequence number; its next is not set. */
static int
node_new(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t, uint32_t *out)
{
	struct jitsim_pktgen_ev *n;
	int rc = node_alloc(q, out);

	if (rc != 0)
		return rc;
	n = &q->node[*out].ev;
	*n = *e;
	n->t = t;
	n->seq = q->seq++;
	return 0;
}

/* Node @p i goes to its slot's bucket. */
static void
bucket_add(struct jitsim_pktgen_evq *q, uint32_t i)
{
	list_push(q, &q->bucket[slot_of(q->node[i].ev.t) & WHEEL_MASK], i);
}

static int
wheel_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t, uint64_t slot)
{
	uint32_t i;
	int rc = node_new(q, e, t, &i);

	if (rc != 0)
		return rc;
	/*
	 * Lowering cur keeps "nothing pending before cur"; an event already
	 * more than a wheel ahead of the new cur shares a bucket with others
	 * then, and stays there when the bucket is opened.
	 */
	if (q->n_wheel == 0) {
		q->cur = slot;
		q->open = false;
		q->first = NONE;
		if (q->n_far == 0)
			q->mig = epoch_of(slot);
	} else if (slot < q->cur) {
		if (q->open)
			wheel_close(q);
		q->cur = slot;
	}
	q->n_wheel++;
	if (slot == q->cur && q->open) {
		/* Into the open slot's run, in order: a walk over lines just used. */
		run_insert(q, i);
		q->first = q->run;
		return 0;
	}
	/*
	 * Anywhere else the bucket takes it at its head, in no order: the
	 * other events there (tens of milliseconds from being due, out of
	 * the cache) are not read until their slot is opened.
	 */
	bucket_add(q, i);
	return 0;
}

/* ---- coarse wheel: the events of the epochs after mig ---- */

static int
far_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t, uint64_t slot)
{
	uint32_t i;
	int rc = node_new(q, e, t, &i);

	if (rc != 0)
		return rc;
	list_push(q, &q->far[epoch_of(slot) & FAR_MASK], i);
	q->n_far++;
	return 0;
}

/*
 * The timeline enters epoch mig + 1: its events go to their buckets of the
 * fine wheel. A coarse list holds one epoch only (pushes reach at most
 * FAR_SIZE - 1 epochs past mig), and cur is not past the epoch's first
 * slot, so every event moved is at or after cur. The nodes are read one
 * after the other; the next one is fetched while the current one is moved.
 */
static void
far_migrate(struct jitsim_pktgen_evq *q)
{
	uint32_t *head = &q->far[++q->mig & FAR_MASK];
	uint32_t i = *head;

	*head = NONE;
	while (i != NONE) {
		uint32_t next = q->node[i].next;

		if (next != NONE)
			__builtin_prefetch(&q->node[next]);
		bucket_add(q, i);
		q->n_far--;
		q->n_wheel++;
		i = next;
	}
}

/*
 * The wheels' earliest event (there is one): the head of the run of the
 * first slot from cur that has one, epochs of the coarse wheel moved to the
 * fine one as cur enters them. Nothing pending is before cur.
 */
static uint32_t
wheel_first(struct jitsim_pktgen_evq *q)
{
	if (q->first != NONE)
		return q->first;
	for (;;) {
		while (epoch_of(q->cur) > q->mig)
			far_migrate(q);
		if (!q->open)
			wheel_open(q);
		if (q->run != NONE)
			return q->first = q->run;
		/* Nothing left in the fine wheel: on to the coarse wheel's next epoch. */
		if (q->n_wheel == 0)
			q->cur = (q->mig + 1) << JITSIM_PKTGEN_EVQ_WHEEL_BITS;
		else
			q->cur++;
		q->open = false;
	}
}

/*
 * One step of the walk ahead: the nodes of the next two slots are fetched
 * one a pop, each read once the step before has brought it in (a slot is
 * opened every 15-20 frames; its nodes were written
 * tens of milliseconds ago and have left the cache). The walk only reads
 * and prefetches: a link it follows may have moved on (to the run or the
 * free list), which costs a useless prefetch, never a wrong order.
 */
static void
walk_ahead(struct jitsim_pktgen_evq *q)
{
	uint32_t i = q->pf_idx;

	if (q->pf_slot <= q->cur) {
		q->pf_slot = q->cur;
		i = NONE;
	}
	if (i != NONE) {
		i = q->node[i].next;
	} else if (q->pf_slot < q->cur + 2) {
		q->pf_slot++;
		i = q->bucket[q->pf_slot & WHEEL_MASK];
	}
	if (i != NONE)
		node_prefetch(q, i);
	q->pf_idx = i;
}

static void
wheel_pop(struct jitsim_pktgen_evq *q, struct jitsim_pktgen_ev *out)
{
	uint32_t f = wheel_first(q);

	q->run = q->node[f].next;
	*out = q->node[f].ev;
	q->node[f].next = q->free;
	q->free = f;
	q->n_wheel--;
	q->first = q->run;
	walk_ahead(q);
	/* Look up the next one now, so that its line comes in while @p out is used. */
	if (q->first == NONE && (q->n_wheel != 0 || q->n_far != 0))
		wheel_first(q);
}

int
jitsim_pktgen_evq_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e, uint64_t t)
{
	uint64_t slot = slot_of(t);
	struct jitsim_pktgen_ev n;

	switch (jitsim_pktgen_evq_where(q, t)) {
	case 0:
		return wheel_push(q, e, t, slot);
	case 1:
		return far_push(q, e, t, slot);
	default:
		n = *e;
		n.t = t;
		n.seq = q->seq++;
		return heap_push(q, &n);
	}
}

const struct jitsim_pktgen_ev *
jitsim_pktgen_evq_peek_slow(struct jitsim_pktgen_evq *q)
{
	const struct jitsim_pktgen_ev *w;

	if (q->n_wheel == 0 && q->n_far == 0)
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
	if ((q->n_wheel == 0 && q->n_far == 0) ||
	    (q->n_heap && ev_before(&q->heap[0], &q->node[wheel_first(q)].ev)))
		heap_pop(q, out);
	else
		wheel_pop(q, out);
}
