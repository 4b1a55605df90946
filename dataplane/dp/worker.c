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
#include <rte_ring_elem.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/sctp.h>
#include <jitsim/proto/tcp.h>
#include <jitsim/proto/wbuf.h>

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
	memset(&w->sig, 0, sizeof(w->sig));
	if (w->fta_cfg != NULL)
		jitsim_fta_init(&w->fta, w->fta_cfg, imsi, msisdn, (uint16_t)w->lcore);
	memset(&w->diam, 0, sizeof(w->diam));
	if (w->fta_diam_cfg != NULL)
		jitsim_fta_diam_init(&w->fdiam, w->fta_diam_cfg, imsi, (uint16_t)w->lcore);
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

/* Walk one frame of link type @dlt: every message classified (the
 * candidates flushed whenever the burst is full), every skipped unit
 * counted by reason; *nmsg = the messages decoded. Returns the number of
 * candidates now in w->cand. Shared by NIC frames and the wrapped SS7
 * and Diameter records. */
static inline unsigned int
dp_classify(struct jitsim_dp_worker *w, uint32_t dlt, const uint8_t *p, size_t len, unsigned int nc,
	    uint32_t now_s, unsigned int *nmsg)
{
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;

	*nmsg = 0;
	jitsim_frame_iter_init(&it, dlt, p, len, &w->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		if (likely(r == JITSIM_R_OK)) {
			(*nmsg)++;
			if (jitsim_detect_classify(&w->det, &m, &w->cand[nc]) &&
			    ++nc == JITSIM_DETECT_BURST) {
				dp_flush(w, nc, now_s);
				nc = 0;
			}
		} else if ((unsigned int)r < JITSIM_R_MAX) {
			dp_cnt_add(&w->st.reason[r], 1);
		}
	}
	return nc;
}

/* Walk one NIC frame. Returns the number of candidates now in w->cand. */
static inline unsigned int
dp_frame(struct jitsim_dp_worker *w, const uint8_t *p, size_t len, unsigned int nc, uint32_t now_s)
{
	unsigned int nmsg;

	nc = dp_classify(w, w->dlt, p, len, nc, now_s, &nmsg);
	if (nmsg > 0)
		dp_cnt_add(&w->st.frames_with_msgs, 1);
	else
		dp_cnt_add(&w->st.frames_no_msg, 1);
	return nc;
}

/*
 * The detect pipeline walks frames; frame.c has no entry point at M3UA,
 * so an SS7 record is wrapped into the smallest frame that reaches it:
 * raw IPv4 (DLT_RAW) + SCTP common header + one unfragmented DATA chunk
 * with PPID 3, around an M3UA DATA message rebuilt from the record's
 * label. 48 bytes of headers, no checksum (the iterator is not asked to
 * verify the CRC), one copy of at most JITSIM_SIG_DATA_MAX bytes.
 */
#define DP_SIG_WRAP_HDR (JITSIM_IPV4_MIN_HDR_LEN + JITSIM_SCTP_HDR_LEN + JITSIM_SCTP_DATA_HDR_LEN)
#define DP_SIG_WRAP_HEADROOM 128 /* the wrap headers and M3UA's (8 + 4 + 12) */

static inline unsigned int
dp_sig_detect(struct jitsim_dp_worker *w, const struct jitsim_sig_msg *m, unsigned int nc,
	      uint32_t now_s)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct jitsim_m3ua h = {
		.opc = m->opc, .dpc = m->dpc, .si = m->si, .ni = m->ni, .mp = m->mp, .sls = m->sls};
	struct jitsim_wbuf wb;
	unsigned int nmsg;
	size_t len, chunk;
	uint8_t *p;

	jitsim_wbuf_init(&wb, w->linear, sizeof(w->linear), DP_SIG_WRAP_HEADROOM);
	if (unlikely(jitsim_wbuf_put(&wb, m->data, m->len) != 0 ||
		     jitsim_m3ua_encode_data(&wb, &h) != JITSIM_R_OK ||
		     (p = jitsim_wbuf_prepend(&wb, DP_SIG_WRAP_HDR)) == NULL)) {
		dp_cnt_add(&w->sig.detect_wrap, 1);
		return nc;
	}
	len = jitsim_wbuf_len(&wb);
	/* M3UA pads itself to 4 bytes: the chunk needs no padding. */
	chunk = len - JITSIM_IPV4_MIN_HDR_LEN - JITSIM_SCTP_HDR_LEN;
	memset(p, 0, DP_SIG_WRAP_HDR);
	p[0] = 0x45; /* IPv4, 5 words */
	jitsim_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = JITSIM_IPPROTO_SCTP;
	memcpy(p + 12, lo, 4);
	memcpy(p + 16, lo, 4);
	p += JITSIM_IPV4_MIN_HDR_LEN;
	jitsim_put_be16(p, JITSIM_PORT_M3UA);
	jitsim_put_be16(p + 2, JITSIM_PORT_M3UA);
	p += JITSIM_SCTP_HDR_LEN;
	p[1] = 0x03; /* DATA, B|E: unfragmented */
	jitsim_put_be16(p + 2, (uint16_t)chunk);
	jitsim_put_be32(p + 12, JITSIM_PPID_M3UA);

	nc = dp_classify(w, JITSIM_DLT_RAW, jitsim_wbuf_data(&wb), len, nc, now_s, &nmsg);
	dp_cnt_add(&w->sig.detect_msgs, nmsg);
	return nc;
}

/*
 * One burst from the sigio rx ring: every record through the detect
 * pipeline (events exactly as for NIC traffic) and the FTA verdict;
 * outputs to the tx ring (relays, answers) or to jitsim-cp (sig_up).
 * The verdicts of a burst are taken before its detect candidates are
 * applied, so a SAI that raises FIRST_ATTACH is judged on INVENTORY;
 * fta.h treats ACTIVATING like INVENTORY for the messages that follow.
 */
static inline void
dp_sig_burst(struct jitsim_dp_worker *w, struct dp_clock *clk)
{
	const size_t esize = sizeof(struct jitsim_sig_msg);
	unsigned int n, nc = 0, ntx = 0, nup = 0, put;
	uint64_t t0;
	uint32_t now_s;

	n = rte_ring_sc_dequeue_burst_elem(w->sig_rx, w->sig_in, esize, JITSIM_DP_SIG_BURST, NULL);
	if (n == 0)
		return;
	t0 = rte_rdtsc();
	now_s = dp_clock_now(clk, t0);
	for (unsigned int i = 0; i < n; i++) {
		const struct jitsim_sig_msg *m = &w->sig_in[i];
		const struct jitsim_fta_in in = {
			.opc = m->opc,
			.dpc = m->dpc,
			.si = m->si,
			.ni = m->ni,
			.mp = m->mp,
			.sls = m->sls,
			.assoc = m->assoc,
			.data = m->data,
			.len = m->len < JITSIM_SIG_DATA_MAX ? m->len : JITSIM_SIG_DATA_MAX,
		};
		struct jitsim_sig_msg *out = &w->sig_out[ntx];

		nc = dp_sig_detect(w, m, nc, now_s);
		switch (jitsim_fta_process(&w->fta, &in, now_s, out, NULL)) {
		case JITSIM_FTA_RELAY_HLR:
		case JITSIM_FTA_RELAY_BACK:
		case JITSIM_FTA_ANSWER_LOCKED:
			ntx++;
			break;
		case JITSIM_FTA_TO_CP:
			/* The slow path: one more copy, header and used data only. */
			memcpy(&w->sig_up[nup++], out, JITSIM_SIG_HDR_SIZE + out->len);
			break;
		default:
			break; /* DROP: counted by reason in w->fta.st */
		}
	}
	if (nc > 0)
		dp_flush(w, nc, now_s);
	if (ntx > 0) {
		put = rte_ring_sp_enqueue_burst_elem(w->sig_tx, w->sig_out, esize, ntx, NULL);
		dp_cnt_add(&w->sig.tx, put);
		if (unlikely(put < ntx))
			dp_cnt_add(&w->sig.tx_full, ntx - put);
	}
	if (nup > 0) {
		put = jitsim_shm_sig_up_put(w->shm, w->sig_up, nup);
		dp_cnt_add(&w->sig.to_cp, put);
		if (unlikely(put < nup))
			dp_cnt_add(&w->sig.to_cp_full, nup - put);
	}
	dp_cnt_add(&w->sig.rx, n);
	dp_cnt_add(&w->sig.cycles, rte_rdtsc() - t0);
}

/*
 * A Diameter request is wrapped for the detect pipeline into raw IPv4 +
 * a 20-byte TCP header, port 3868 both ways (frame.c recognises Diameter
 * over TCP by the port): 40 bytes of headers, no checksums (not verified),
 * one copy of at most JITSIM_SIG_DATA_MAX bytes.
 */
#define DP_DIAM_WRAP_HDR (JITSIM_IPV4_MIN_HDR_LEN + JITSIM_TCP_MIN_HDR_LEN)

static inline unsigned int
dp_diam_detect(struct jitsim_dp_worker *w, const struct jitsim_sig_msg *m, unsigned int nc,
	       uint32_t now_s)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	const size_t len = DP_DIAM_WRAP_HDR + m->len;
	uint8_t *p = w->linear;
	unsigned int nmsg;

	if (unlikely(m->len > JITSIM_SIG_DATA_MAX || len > sizeof(w->linear))) {
		dp_cnt_add(&w->diam.detect_wrap, 1);
		return nc;
	}
	memset(p, 0, DP_DIAM_WRAP_HDR);
	p[0] = 0x45; /* IPv4, 5 words */
	jitsim_put_be16(p + 2, (uint16_t)len);
	p[8] = 64;
	p[9] = JITSIM_IPPROTO_TCP;
	memcpy(p + 12, lo, 4);
	memcpy(p + 16, lo, 4);
	p += JITSIM_IPV4_MIN_HDR_LEN;
	jitsim_put_be16(p, JITSIM_PORT_DIAMETER);
	jitsim_put_be16(p + 2, JITSIM_PORT_DIAMETER);
	p[12] = (JITSIM_TCP_MIN_HDR_LEN / 4) << 4;
	p[13] = 0x18; /* PSH|ACK */
	memcpy(w->linear + DP_DIAM_WRAP_HDR, m->data, m->len);

	nc = dp_classify(w, JITSIM_DLT_RAW, w->linear, len, nc, now_s, &nmsg);
	dp_cnt_add(&w->diam.detect_msgs, nmsg);
	return nc;
}

/*
 * One burst from the diamio rx ring, as dp_sig_burst() for SS7: detect
 * pipeline, then the S6a verdict (fta_diam.h); answers and requests to
 * proxy to the diamio tx ring, requests for jitsim-cp to sig_up. Verdicts
 * are taken before the burst's candidates are applied, as for SS7.
 */
static inline void
dp_diam_burst(struct jitsim_dp_worker *w, struct dp_clock *clk)
{
	const size_t esize = sizeof(struct jitsim_sig_msg);
	unsigned int n, nc = 0, ntx = 0, nup = 0, put;
	uint64_t t0;
	uint32_t now_s;

	n = rte_ring_sc_dequeue_burst_elem(w->diam_rx, w->sig_in, esize, JITSIM_DP_SIG_BURST, NULL);
	if (n == 0)
		return;
	t0 = rte_rdtsc();
	now_s = dp_clock_now(clk, t0);
	for (unsigned int i = 0; i < n; i++) {
		const struct jitsim_sig_msg *m = &w->sig_in[i];
		const struct jitsim_fta_diam_in in = {
			.msg = m->data,
			.len = m->len < JITSIM_SIG_DATA_MAX ? m->len : JITSIM_SIG_DATA_MAX,
			.peer = m->assoc,
			.flags = m->flags,
			.conn = m->dpc,
		};
		struct jitsim_sig_msg *out = &w->sig_out[ntx];

		nc = dp_diam_detect(w, m, nc, now_s);
		switch (jitsim_fta_diam_process(&w->fdiam, &in, now_s, out, NULL)) {
		case JITSIM_FTA_DIAM_PROXY:
		case JITSIM_FTA_DIAM_ANSWER:
			ntx++;
			break;
		case JITSIM_FTA_DIAM_TO_CP:
			/* The slow path: one more copy, header and used data only. */
			memcpy(&w->sig_up[nup++], out, JITSIM_SIG_HDR_SIZE + out->len);
			break;
		default:
			break; /* DROP: counted by reason in w->fdiam.st */
		}
	}
	if (nc > 0)
		dp_flush(w, nc, now_s);
	if (ntx > 0) {
		put = rte_ring_sp_enqueue_burst_elem(w->diam_tx, w->sig_out, esize, ntx, NULL);
		dp_cnt_add(&w->diam.tx, put);
		/* diamio is behind by a whole ring: nothing can reach it, the
		 * requests are lost (counted) and the MME's timer retries. */
		if (unlikely(put < ntx))
			dp_cnt_add(&w->diam.tx_full, ntx - put);
	}
	if (nup > 0) {
		put = jitsim_shm_sig_up_put(w->shm, w->sig_up, nup);
		dp_cnt_add(&w->diam.to_cp, put);
		if (unlikely(put < nup)) {
			/* jitsim-cp is behind: the requests go back to diamio as
			 * they came (kind DIAM_IN), which answers 3004 TOO_BUSY so
			 * the MME retries at once rather than at its timer. With
			 * the tx ring full too they are only counted. */
			dp_cnt_add(&w->diam.to_cp_full, nup - put);
			(void)rte_ring_sp_enqueue_burst_elem(w->diam_tx, &w->sig_up[put], esize,
							     nup - put, NULL);
		}
	}
	dp_cnt_add(&w->diam.rx, n);
	dp_cnt_add(&w->diam.cycles, rte_rdtsc() - t0);
}

int
jitsim_dp_worker_main(void *arg)
{
	struct jitsim_dp_worker *w = arg;
	const uint16_t port = w->port;
	const uint16_t queue = w->queue;
	const uint16_t burst = w->burst;
	const bool has_port = w->has_port;
	struct rte_ring *const sig_rx = w->sig_rx;
	struct rte_ring *const diam_rx = w->diam_rx;
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
		uint16_t n = 0, i;

		if (sig_rx != NULL)
			dp_sig_burst(w, &clk);
		if (diam_rx != NULL)
			dp_diam_burst(w, &clk);
		/* Cycles count from before RX, as testpmd's --record-core-cycles
		 * does, so that the two are comparable; empty polls do not count. */
		t0 = rte_rdtsc();
		if (likely(has_port))
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
