/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_EXPECT_H
#define JITSIM_PKTGEN_EXPECT_H

/**
 * @file
 * Ground truth (expected.jsonl, format in docs/formats.md): what the
 * dataplane must report for the trace being written.
 *
 * Memory: 8 bytes per SIM of the population (first triggering frame, event,
 * region, flags) and fixed-size counters, whatever the trace length.
 * Malformed frames are streamed to the output as they are made.
 *
 * Thread-safety: belongs to the generating thread.
 */

#include <stdbool.h>
#include <stdint.h>

#include "pcapw.h"
#include "population.h"

#define JITSIM_PKTGEN_EVENTS(X)         \
	X(NONE, "none")                 \
	X(FIRST_ATTACH, "first_attach") \
	X(REATTACH, "reattach")         \
	X(ACTIVITY, "activity")         \
	X(BLOCKED, "blocked")           \
	X(WAKEUP, "wakeup")

enum jitsim_pktgen_event {
#define X(a, b) JITSIM_PKTGEN_EV_##a,
	JITSIM_PKTGEN_EVENTS(X)
#undef X
		JITSIM_PKTGEN_EV_MAX
};

/** No region: the triggering message names no visited network (S6a PUR, NOR). */
#define JITSIM_PKTGEN_REGION_NONE 0xff

struct jitsim_pktgen_sim_truth {
	uint32_t frame; /**< first triggering frame (1-based), 0 = none */
	uint8_t event;
	uint8_t region;
	uint8_t pad[2];
};

/** A first trigger not yet in sim[]: SIM numbers are below 10^8 (scenario.h). */
struct jitsim_pktgen_trig {
	uint32_t sim;
	struct jitsim_pktgen_sim_truth t;
};

/*
 * Triggers wait in a small log and reach sim[] a batch at a time. A store
 * to a random SIM's line misses the cache (the kernel's copy of the output
 * streams through it), and x86 commits stores in order: one miss held
 * back every store of the frames after it. In a batch the misses overlap.
 */
#define JITSIM_PKTGEN_EXPECT_PEND 4096

/* Counter slots: MAP by component kind and code, Diameter by command and R flag. */
#define JITSIM_PKTGEN_MAP_INVOKE 0
#define JITSIM_PKTGEN_MAP_RESULT 1
#define JITSIM_PKTGEN_MAP_ERROR 2
#define JITSIM_PKTGEN_DIAM_CMD_FIRST 316
#define JITSIM_PKTGEN_DIAM_CMDS 8

struct jitsim_pktgen_expect {
	const struct jitsim_pktgen_pop *pop;
	struct jitsim_pktgen_sim_truth *sim;
	/*
	 * Two bits per SIM: its IMSI appeared in a decodable message; it has a
	 * trigger in sim[]. Frames test these 250 KB (a million SIMs), not the
	 * 8 MB of sim[] that a random SIM's line misses. A word of each for 64
	 * SIMs side by side (jitsim_pktgen_expect_word()): a frame's SIM
	 * costs one line, prefetched when its message is begun.
	 */
	uint64_t *bits;
	struct jitsim_pktgen_trig *pend; /**< JITSIM_PKTGEN_EXPECT_PEND of them */
	unsigned int n_pend;
	struct jitsim_pktgen_ofile *out; /**< expected.jsonl, malformed lines streamed */
	uint64_t frames;
	uint64_t malformed;
	uint64_t mal_kind[JITSIM_PKTGEN_MAL_MAX];
	uint64_t bg[JITSIM_PKTGEN_BG_MAX];
	uint64_t map[3][256];
	uint64_t diam[2][JITSIM_PKTGEN_DIAM_CMDS];
};

/** @return 0 or -ENOMEM. */
int jitsim_pktgen_expect_init(struct jitsim_pktgen_expect *e, const struct jitsim_pktgen_pop *pop,
			      struct jitsim_pktgen_ofile *out);
void jitsim_pktgen_expect_free(struct jitsim_pktgen_expect *e);

/** The seen (@p trig false) or trigger word of the 64 SIMs @p sim is one of. */
static inline uint64_t *
jitsim_pktgen_expect_word(const struct jitsim_pktgen_expect *e, uint64_t sim, bool trig)
{
	return &e->bits[(sim >> 6) * 2 + trig];
}

/** A message about @p sim is being built: its bits will be wanted at the end. */
static inline void
jitsim_pktgen_expect_prefetch(const struct jitsim_pktgen_expect *e, uint64_t sim)
{
	__builtin_prefetch(jitsim_pktgen_expect_word(e, sim, false), 1);
}

static inline void
jitsim_pktgen_expect_seen(struct jitsim_pktgen_expect *e, uint64_t sim)
{
	*jitsim_pktgen_expect_word(e, sim, false) |= 1ull << (sim & 63);
}

/** Write the pending triggers into sim[] (expect.c). */
void jitsim_pktgen_expect_flush(struct jitsim_pktgen_expect *e);

/** First trigger wins: later ones for the same SIM are ignored. */
static inline void
jitsim_pktgen_expect_trigger(struct jitsim_pktgen_expect *e, uint64_t sim, uint8_t event,
			     uint32_t frame, uint8_t region)
{
	uint64_t *w = jitsim_pktgen_expect_word(e, sim, true), bit = 1ull << (sim & 63);

	if (!(*w & bit)) {
		struct jitsim_pktgen_trig *t = &e->pend[e->n_pend];

		*w |= bit;
		t->sim = (uint32_t)sim;
		t->t.frame = frame;
		t->t.event = event;
		t->t.region = region;
		t->t.pad[0] = t->t.pad[1] = 0;
		if (++e->n_pend == JITSIM_PKTGEN_EXPECT_PEND)
			jitsim_pktgen_expect_flush(e);
	}
}

/** A malformed frame: one line now. */
int jitsim_pktgen_expect_malformed(struct jitsim_pktgen_expect *e, uint64_t frame,
				   unsigned int kind, const char *reason);

/** Per-SIM lines and the totals line. @return 0 or negative errno. */
int jitsim_pktgen_expect_finish(struct jitsim_pktgen_expect *e);

const char *jitsim_pktgen_event_name(unsigned int ev);

#endif /* JITSIM_PKTGEN_EXPECT_H */
