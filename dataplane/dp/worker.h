/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp worker: one per (port, RX queue), pinned to its own lcore,
 * busy-polling (docs/dataplane.md "Burst pipeline").
 *
 * Per burst: RX -> for every frame, every message (frame iterator) ->
 * jitsim_detect_classify() -> candidates -> jitsim_detect_apply() in
 * groups of up to JITSIM_DETECT_BURST (bulk table lookups) -> events into
 * event ring @index of the shm segment; events that do not fit are
 * unwound (jitsim_detect_unwind) so the SIM's next attach raises them
 * again -> mbufs freed -> QSBR quiescent state.
 *
 * With [ss7] (issue 8) each loop also takes a burst from the worker's
 * sigio rx ring (sigio.h): every record through the same detect pipeline
 * (wrapped into a frame the iterator walks) and the FTA verdict
 * (dataplane/fta); relays and answers go to its sigio tx ring, messages
 * for jitsim-cp to shm sig_up; full rings drop and count. An SS7-only
 * worker (no port in use) does only that.
 *
 * With [diameter] (issue 9) likewise from the worker's diamio rx ring
 * (diamio.h): every S6a request through the detect pipeline (wrapped into
 * an IPv4/TCP port 3868 frame) and the S6a verdict (fta_diam.h); answers
 * and requests to proxy go to its diamio tx ring, requests for jitsim-cp
 * to shm sig_up. The burst buffers (sig_in, sig_out, sig_up) serve both
 * paths: one burst is done before the next begins.
 *
 * Thread-safety: a worker's struct is written by its lcore only, once
 * main.c has filled the setup fields and launched it. Other threads
 * (telemetry, the main loop's summary) read the counters with relaxed
 * atomic loads: approximate while running, exact after the worker
 * returned. The worker is an online liburcu QSBR reader of the tables
 * while in its loop, offline and unregistered when it returns.
 */

#ifndef JITSIM_DP_WORKER_H
#define JITSIM_DP_WORKER_H

#include <stdbool.h>
#include <stdint.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/reason.h>
#include <jitsim/shm.h>

#include "config.h"
#include "detect.h"
#include "fta.h"
#include "fta_diam.h"

struct rte_ring;

/* SS7 messages a worker takes from its sigio rx ring at a time. */
#define JITSIM_DP_SIG_BURST 32

/* A multi-segment frame is copied into a linear buffer of this size;
 * longer frames are counted (oversize) and skipped: signaling frames
 * are far smaller, even with bundled SCTP chunks at a 9000-byte MTU. */
#define JITSIM_DP_LINEAR_MAX 16384

/* SS7 counters of one worker (issue 8); the verdicts themselves are
 * counted by the fta context (struct jitsim_fta_stats). */
struct jitsim_dp_worker_sig_stats {
	uint64_t rx;	      /* records taken from the sigio rx ring */
	uint64_t tx;	      /* verdict outputs put into the tx ring */
	uint64_t tx_full;     /* tx ring full: output dropped */
	uint64_t to_cp;	      /* records put into shm sig_up */
	uint64_t to_cp_full;  /* sig_up full: record dropped */
	uint64_t detect_msgs; /* messages the detect pipeline decoded */
	uint64_t detect_wrap; /* records the detect pipeline could not wrap (a bug if not 0) */
	uint64_t cycles;      /* TSC cycles on non-empty SS7 bursts */
};

/* Counters of one worker (frame level; message level counters are in
 * the detect context). */
struct jitsim_dp_worker_stats {
	uint64_t frames;
	uint64_t bytes;
	uint64_t frames_with_msgs;     /* at least one message decoded */
	uint64_t frames_no_msg;	       /* none (control chunks, errors, other traffic) */
	uint64_t multiseg;	       /* multi-segment frames copied to the linear buffer */
	uint64_t oversize;	       /* multi-segment frames over JITSIM_DP_LINEAR_MAX: skipped */
	uint64_t bursts;	       /* non-empty RX bursts */
	uint64_t cycles;	       /* TSC cycles spent on non-empty bursts (decode to free) */
	uint64_t reason[JITSIM_R_MAX]; /* units skipped by the frame iterator, per reason */
};

struct jitsim_dp_worker {
	/* Set by main.c before launch, read-only afterwards. */
	unsigned int index; /* worker number = event ring number */
	unsigned int lcore;
	uint16_t port;
	uint16_t queue;
	uint32_t dlt;	/* link type of the port's frames */
	uint16_t burst; /* RX burst size, <= JITSIM_DP_BURST_MAX */
	struct jitsim_shm *shm;
	const bool *quit; /* set by the main thread (atomic store), read each loop */
	bool has_port;	  /* false: an SS7-only worker ([ss7] workers, no port in use) */
	/* SS7 ([ss7] section; NULL without): SP/SC rings shared with the
	 * sigio thread (sigio.h), and the FTA verdict configuration. */
	struct rte_ring *sig_rx;
	struct rte_ring *sig_tx;
	const struct jitsim_fta_cfg *fta_cfg;
	/* Diameter ([diameter] section; NULL without): SP/SC rings shared
	 * with the diamio thread (diamio.h), and the S6a verdict configuration. */
	struct rte_ring *diam_rx;
	struct rte_ring *diam_tx;
	const struct jitsim_fta_diam_cfg *fta_diam_cfg;

	/* 1 while the worker is in its loop (atomic). */
	uint32_t running;

	/* Written by the worker only. */
	struct jitsim_dp_worker_stats st __attribute__((aligned(64)));
	struct jitsim_detect det __attribute__((aligned(64)));
	struct jitsim_frame_reasm reasm;
	struct jitsim_detect_cand cand[JITSIM_DETECT_BURST];
	struct jitsim_event ev[JITSIM_DETECT_BURST];
	uint8_t linear[JITSIM_DP_LINEAR_MAX] __attribute__((aligned(64)));

	/* SS7 path (written by the worker only; unused without [ss7]). */
	struct jitsim_dp_worker_sig_stats sig __attribute__((aligned(64)));
	struct jitsim_fta fta __attribute__((aligned(64)));
	struct jitsim_sig_msg sig_in[JITSIM_DP_SIG_BURST];  /* from the rx ring */
	struct jitsim_sig_msg sig_out[JITSIM_DP_SIG_BURST]; /* to the tx ring */
	struct jitsim_sig_msg sig_up[JITSIM_DP_SIG_BURST];  /* to jitsim-cp */

	/* Diameter path (written by the worker only; unused without
	 * [diameter]). The same counters as the SS7 path's. */
	struct jitsim_dp_worker_sig_stats diam __attribute__((aligned(64)));
	struct jitsim_fta_diam fdiam __attribute__((aligned(64)));
} __attribute__((aligned(64)));

/*
 * Initialise the parts of @w the worker owns (counters, reassembly,
 * detect context on @cfg and the tables; the event seq goes on from the
 * last event published in ring w->index, so it survives a restart; the
 * fta context when w->fta_cfg is set, the fta_diam one when
 * w->fta_diam_cfg is). Main thread, before launch, with w->shm, w->index,
 * w->fta_cfg and w->fta_diam_cfg set.
 */
void jitsim_dp_worker_init(struct jitsim_dp_worker *w, const struct jitsim_detect_cfg *cfg,
			   struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn);

/* The lcore function (rte_eal_remote_launch): @arg is the worker. Runs
 * until *quit; returns 0. */
int jitsim_dp_worker_main(void *arg);

/* Relaxed read of a counter written by a worker. */
static inline uint64_t
jitsim_dp_cnt_read(const uint64_t *c)
{
	return __atomic_load_n(c, __ATOMIC_RELAXED);
}

#endif /* JITSIM_DP_WORKER_H */
