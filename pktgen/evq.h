/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_EVQ_H
#define JITSIM_PKTGEN_EVQ_H

/**
 * @file
 * The timeline's pending events, taken out in (time, sequence number)
 * order: the sequence number, unique, makes equal times deterministic.
 *
 * Three structures, one order. Events due in the wheel's current epoch
 * (2^(JITSIM_PKTGEN_EVQ_SLOT_SHIFT + JITSIM_PKTGEN_EVQ_WHEEL_BITS) ns, a
 * quarter of a second) or earlier are in a timing wheel: buckets of
 * 2^JITSIM_PKTGEN_EVQ_SLOT_SHIFT ns, each an unordered list. A push only
 * puts the event at its bucket's head: the events already there, due in
 * tens of milliseconds, have left the cache and are not read. When the
 * timeline reaches a slot, its events leave the bucket for the run, a short
 * list in (time, sequence number) order, and are handed out from it.
 * Events of the next JITSIM_PKTGEN_EVQ_FAR_SIZE - 1 epochs (retries,
 * seconds later, up to rate x retry window of them) wait in a coarse wheel,
 * one unordered list per epoch; when the timeline enters an epoch, its
 * list is moved to the fine wheel's buckets, a relink per event. (A binary
 * heap did this before: a pop walked some twenty levels of a heap of
 * megabytes, a cache miss each.) Events further still go to a binary
 * min-heap, in no scenario's ordinary use. The next event is the earlier
 * of the wheels' first and the heap's, so the order is exactly that of a
 * single heap whatever went where.
 *
 * Times pushed are never earlier than the last event taken out (the
 * timeline does not go back).
 *
 * Thread-safety: a queue belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

/** A pending step of a dialogue (or a background reply) of the timeline. */
struct jitsim_pktgen_ev {
	uint64_t t;   /**< when, ns */
	uint64_t seq; /**< push order, set by jitsim_pktgen_evq_push() */
	uint64_t sim;
	uint32_t tid_a; /**< initiator's transaction id */
	uint32_t tid_b; /**< responder's */
	uint32_t hbh;
	uint32_t session;
	uint16_t stream;
	uint16_t node; /**< which visited node of the region */
	uint8_t op;
	uint8_t step;
	uint8_t attempt;
	uint8_t link;
	uint8_t region;
};

/**
 * Wheel bucket width, log2 ns (65.5 us: a slot is opened every 15-20
 * frames at 100 k dialogues/s, a few events each).
 */
#define JITSIM_PKTGEN_EVQ_SLOT_SHIFT 16
/**
 * Wheel size, log2 buckets (2^12 x 65.5 us = 268 ms ahead; 16 KiB of
 * heads: a push reads one, the fewer lines the likelier it is cached).
 */
#define JITSIM_PKTGEN_EVQ_WHEEL_BITS 12
#define JITSIM_PKTGEN_EVQ_WHEEL_SIZE (1u << JITSIM_PKTGEN_EVQ_WHEEL_BITS)
/**
 * Coarse wheel size, log2 epochs of the fine wheel (2^8 x 268 ms = 68 s:
 * retries come 5-30 s after a rejection by default).
 */
#define JITSIM_PKTGEN_EVQ_FAR_BITS 8
#define JITSIM_PKTGEN_EVQ_FAR_SIZE (1u << JITSIM_PKTGEN_EVQ_FAR_BITS)

/*
 * A pending event with its place in its bucket, the run or the free list,
 * on one cache line: opening a slot, sorting its events, asking when the
 * next one is due and taking it out read that one line (a separate array
 * of links, and 56-byte events straddling lines, made it three).
 */
struct jitsim_pktgen_evq_node {
	struct jitsim_pktgen_ev ev;
	uint32_t next; /**< UINT32_MAX: end */
} __attribute__((aligned(64)));

struct jitsim_pktgen_evq {
	uint64_t seq; /**< next sequence number */
	/* Wheel: bucket lists of nodes; no pending event is in a bucket before cur. */
	uint32_t *bucket;		     /**< 2^JITSIM_PKTGEN_EVQ_WHEEL_BITS list heads */
	struct jitsim_pktgen_evq_node *node; /**< 64-byte aligned */
	uint32_t n_node, cap_node, free;
	size_t n_wheel;
	uint64_t cur;	  /**< absolute bucket number (t >> SLOT_SHIFT) */
	uint32_t run;	  /**< slot cur's events, in order, when open */
	bool open;	  /**< slot cur's events have left its bucket for the run */
	uint32_t first;	  /**< node of the wheel's earliest event, UINT32_MAX: not known */
	uint64_t pf_slot; /**< the walk ahead (evq.c walk_ahead()): its slot and node */
	uint32_t pf_idx;
	/*
	 * Coarse wheel: one list per epoch (slot >> WHEEL_BITS), of the epochs
	 * after mig; those up to mig are in the fine wheel.
	 */
	uint32_t *far; /**< 2^JITSIM_PKTGEN_EVQ_FAR_BITS list heads */
	size_t n_far;
	uint64_t mig; /**< last epoch moved to the fine wheel */
	/* Heap of the events beyond the coarse wheel. */
	struct jitsim_pktgen_ev *heap;
	size_t n_heap, cap_heap;
};

/** @return 0 or -ENOMEM. */
int jitsim_pktgen_evq_init(struct jitsim_pktgen_evq *q);

void jitsim_pktgen_evq_free(struct jitsim_pktgen_evq *q);

/**
 * Add @p e at time @p t (not earlier than the last event taken out) with
 * the next sequence number (e->t and e->seq are ignored).
 * @return 0 or -ENOMEM.
 */
int jitsim_pktgen_evq_push(struct jitsim_pktgen_evq *q, const struct jitsim_pktgen_ev *e,
			   uint64_t t);

/** jitsim_pktgen_evq_peek() when the wheel's earliest event is not known. */
const struct jitsim_pktgen_ev *jitsim_pktgen_evq_peek_slow(struct jitsim_pktgen_evq *q);

/**
 * The next event, NULL when there is none. Valid until the next push or
 * pop. (The generator asks only when it is due, jitsim_pktgen_evq_next_t(),
 * which does not read the event.)
 */
static inline const struct jitsim_pktgen_ev *
jitsim_pktgen_evq_peek(struct jitsim_pktgen_evq *q)
{
	const struct jitsim_pktgen_ev *w, *h;

	if (q->first == UINT32_MAX)
		return jitsim_pktgen_evq_peek_slow(q);
	w = &q->node[q->first].ev;
	if (q->n_heap == 0)
		return w;
	h = &q->heap[0];
	return h->t < w->t || (h->t == w->t && h->seq < w->seq) ? h : w;
}

/** Where an event at @p t goes: 0 the fine wheel, 1 the coarse one, 2 the heap. */
static inline unsigned int
jitsim_pktgen_evq_where(const struct jitsim_pktgen_evq *q, uint64_t t)
{
	uint64_t ep = t >> (JITSIM_PKTGEN_EVQ_SLOT_SHIFT + JITSIM_PKTGEN_EVQ_WHEEL_BITS);

	/* Nothing pending in the wheels: the fine one starts over at t. */
	if (ep <= q->mig || (q->n_wheel == 0 && q->n_far == 0))
		return 0;
	return ep - q->mig < JITSIM_PKTGEN_EVQ_FAR_SIZE ? 1 : 2;
}

/**
 * An event is about to be pushed at @p t: the line the push reads first
 * (its list's head, or the heap's parent of the new leaf) is fetched.
 */
static inline void
jitsim_pktgen_evq_prefetch(const struct jitsim_pktgen_evq *q, uint64_t t)
{
	uint64_t slot = t >> JITSIM_PKTGEN_EVQ_SLOT_SHIFT;

	switch (jitsim_pktgen_evq_where(q, t)) {
	case 0:
		__builtin_prefetch(&q->bucket[slot & (JITSIM_PKTGEN_EVQ_WHEEL_SIZE - 1)], 1);
		break;
	case 1:
		__builtin_prefetch(&q->far[(slot >> JITSIM_PKTGEN_EVQ_WHEEL_BITS) &
					   (JITSIM_PKTGEN_EVQ_FAR_SIZE - 1)],
				   1);
		break;
	default:
		if (q->n_heap != 0)
			__builtin_prefetch(&q->heap[(q->n_heap - 1) / 2]);
	}
}

/** jitsim_pktgen_evq_next_t() when the wheel's earliest event is not known. */
uint64_t jitsim_pktgen_evq_next_t_slow(struct jitsim_pktgen_evq *q);

/**
 * When the next event is due, UINT64_MAX when there is none. What the
 * generator asks once a frame: it reads the line of the wheel's first
 * node, which jitsim_pktgen_evq_pop() prefetched for the pop to come.
 */
static inline uint64_t
jitsim_pktgen_evq_next_t(struct jitsim_pktgen_evq *q)
{
	uint64_t w;

	if (q->first == UINT32_MAX)
		return jitsim_pktgen_evq_next_t_slow(q);
	w = q->node[q->first].ev.t;
	return q->n_heap != 0 && q->heap[0].t < w ? q->heap[0].t : w;
}

/**
 * Take the next event out into @p out (there must be one: peek first).
 * Then the one after it is looked up, and its line prefetched: it is
 * pending for tens of milliseconds, long enough to leave the cache, and
 * the frame made from @p out meanwhile hides the fetch.
 */
void jitsim_pktgen_evq_pop(struct jitsim_pktgen_evq *q, struct jitsim_pktgen_ev *out);

#endif /* JITSIM_PKTGEN_EVQ_H */
