/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp worker loop (worker.h). Shaped like DPDK's l3fwd main loop:
 * const locals, while (!quit), RX burst -> process -> free, TSC-timed.
 * Nothing here allocates, locks, logs or makes a system call.
 */

#include <string.h>
#include <time.h>

#include <rte_branch_prediction.h>
#include <rte_cycles.h>
#include <rte_ethdev.h>
#include <rte_mbuf.h>
#include <rte_prefetch.h>
#include <rte_ring.h>

#include <urcu/urcu-qsbr.h>

#include "worker.h"

/* The realtime base is re-read this often (TSC cycles = this many
 * seconds): leases and epochs are compared with jitsim-cp's clock, so
 * a clock step (NTP) must reach the workers; clock_gettime() is a vDSO
 * call, cheap once a minute. */
#define DP_CLOCK_RESYNC_S 60

/* Single-writer counter update that readers may load concurrently. */
static inline void
dp_cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

void
jitsim_dp_worker_init(struct jitsim_dp_worker *w, const struct jitsim_detect_cfg *cfg,
		      struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn)
{
	memset(&w->st, 0, sizeof(w->st));
	jitsim_frame_reasm_init(&w->reasm);
	jitsim_detect_init(&w->det, cfg, imsi, msisdn, (uint16_t)w->lcore);
	/* Seq goes on from the predecessor's: gaps then mean drops only. */
	w->det.seq = jitsim_shm_event_last_seq(w->shm, w->index);
	w->running = 0;
}

/* Candidates -> rules -> events -> ring; the events that do not fit are
 * unwound so their SIMs stay in their state (ARCHITECTURE.md: ring full). */
static inline void
dp_flush(struct jitsim_dp_worker *w, unsigned int nc, uint32_t now_s)
{
	unsigned int ne, put;

	ne = jitsim_detect_apply(&w->det, w->cand, nc, now_s, w->ev);
	if (ne == 0)
		return;
	put = jitsim_shm_event_put(w->shm, w->index, w->ev, ne);
	if (unlikely(put < ne))
		jitsim_detect_unwind(&w->det, w->ev, put, ne);
}

struct dp_clock {
	uint64_t hz;
	uint64_t base_tsc;
	uint32_t base_s;
};

static void
dp_clock_sync(struct dp_clock *c)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	c->base_tsc = rte_rdtsc();
	c->base_s = (uint32_t)ts.tv_sec;
}

static inline uint32_t
dp_clock_now(struct dp_clock *c, uint64_t tsc)
{
	uint64_t d = tsc - c->base_tsc;

	if (unlikely(d >= c->hz * DP_CLOCK_RESYNC_S)) {
		dp_clock_sync(c);
		d = 0;
	}
	return c->base_s + (uint32_t)(d / c->hz);
}

/* Walk one frame: every message classified, every skipped unit counted
 * by reason. Returns the number of candidates now in w->cand. */
static inline unsigned int
dp_frame(struct jitsim_dp_worker *w, const uint8_t *p, size_t len, unsigned int nc, uint32_t now_s)
{
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;
	unsigned int nmsg = 0;

	jitsim_frame_iter_init(&it, w->dlt, p, len, &w->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		if (likely(r == JITSIM_R_OK)) {
			nmsg++;
			if (jitsim_detect_classify(&w->det, &m, &w->cand[nc]) &&
			    ++nc == JITSIM_DETECT_BURST) {
				dp_flush(w, nc, now_s);
				nc = 0;
			}
		} else if ((unsigned int)r < JITSIM_R_MAX) {
			dp_cnt_add(&w->st.reason[r], 1);
		}
	}
	if (nmsg > 0)
		dp_cnt_add(&w->st.frames_with_msgs, 1);
	else
		dp_cnt_add(&w->st.frames_no_msg, 1);
	return nc;
}

int
jitsim_dp_worker_main(void *arg)
{
	struct jitsim_dp_worker *w = arg;
	const uint16_t port = w->port;
	const uint16_t queue = w->queue;
	const uint16_t burst = w->burst;
	struct rte_mbuf *pkts[JITSIM_DP_BURST_MAX];
	struct dp_clock clk = {.hz = rte_get_tsc_hz()};

	if (clk.hz == 0)
		clk.hz = 1;
	dp_clock_sync(&clk);
	urcu_qsbr_register_thread();
	__atomic_store_n(&w->running, 1, __ATOMIC_RELEASE);

	while (!__atomic_load_n(w->quit, __ATOMIC_RELAXED)) {
		uint64_t t0, bytes = 0;
		uint32_t now_s;
		unsigned int nc = 0;
		uint16_t n, i;

		/* Cycles count from before RX, as testpmd's --record-core-cycles
		 * does, so that the two are comparable; empty polls do not count. */
		t0 = rte_rdtsc();
		n = rte_eth_rx_burst(port, queue, pkts, burst);
		if (n == 0) {
			urcu_qsbr_quiescent_state();
			continue;
		}
		now_s = dp_clock_now(&clk, t0);
		rte_prefetch0(rte_pktmbuf_mtod(pkts[0], void *));
		for (i = 0; i < n; i++) {
			struct rte_mbuf *mb = pkts[i];
			const uint32_t len = rte_pktmbuf_pkt_len(mb);
			const uint8_t *p;

			if (i + 1 < n)
				rte_prefetch0(rte_pktmbuf_mtod(pkts[i + 1], void *));
			bytes += len;
			if (likely(mb->nb_segs == 1)) {
				p = rte_pktmbuf_mtod(mb, const uint8_t *);
			} else if (len <= JITSIM_DP_LINEAR_MAX) {
				/* rte_pktmbuf_read copies only when the data
				 * spans segments, into w->linear. */
				p = rte_pktmbuf_read(mb, 0, len, w->linear);
				dp_cnt_add(&w->st.multiseg, 1);
				if (unlikely(p == NULL))
					continue;
			} else {
				dp_cnt_add(&w->st.oversize, 1);
				continue;
			}
			nc = dp_frame(w, p, len, nc, now_s);
		}
		if (nc > 0)
			dp_flush(w, nc, now_s);
		rte_pktmbuf_free_bulk(pkts, n);
		dp_cnt_add(&w->st.frames, n);
		dp_cnt_add(&w->st.bytes, bytes);
		dp_cnt_add(&w->st.bursts, 1);
		dp_cnt_add(&w->st.cycles, rte_rdtsc() - t0);
		urcu_qsbr_quiescent_state();
	}

	__atomic_store_n(&w->running, 0, __ATOMIC_RELEASE);
	urcu_qsbr_thread_offline();
	urcu_qsbr_unregister_thread();
	return 0;
}
