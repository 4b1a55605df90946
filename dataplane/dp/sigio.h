/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp SS7 I/O thread ("sigio", issue 8): owns every M3UA
 * association of the [ss7] section (dataplane/sigtran links: SCTP
 * one-to-one sockets + the ASP/SGP state machine) and connects them to the
 * worker lcores the way a NIC queue would:
 *
 *   association --DATA--> sigio --rx ring[w]--> worker w (detect + fta verdict)
 *   worker w --tx ring[w]--> sigio --> association (chosen by DPC, SLS)
 *   jitsim-cp --shm sig_down--> sigio --> association
 *   worker w --shm sig_up (jitsim_shm_sig_up_put, MP-safe)--> jitsim-cp
 *
 * Rings are in-process rte_rings of fixed-size elements (struct
 * jitsim_sig_msg, 1024 bytes; rte_ring_*_elem), made with
 * rte_ring_create_elem so they work with --no-huge: nothing is allocated
 * per message, a full ring drops the message and counts it.
 *
 * Worker choice: hash of (OPC, SLS) of the routing label. The SLS is
 * what the sender keeps constant for an in-sequence (class 1) flow and
 * for every segment of one XUDT message (ITU-T Q.714 4.1.2.1), so the
 * segments of a message meet in one worker's reassembly context, and an
 * SCCP class 1 dialogue stays on one worker. The verdicts of
 * dataplane/fta are stateless, so correctness never depends on it.
 *
 * Sending: the ACTIVE association chosen among those that can reach the
 * DPC (not DUNA'd), by SLS (loadshare: sls % n_active), SCTP stream
 * 1 + sls % (ostreams - 1) (RFC 4666 1.4.7: no DATA on stream 0).
 * No ACTIVE association, or the DPC unavailable everywhere -> dropped,
 * counted by reason.
 *
 * Without SCTP in the kernel (EPROTONOSUPPORT) every link logs it once,
 * then retries with backoff (dataplane/sigtran's reconnect timer): the
 * process keeps running, its workers keep serving the NIC ports.
 *
 * Threads:
 *   - main thread: _init (before the workers start), _start, _stop
 *     (after SIGTERM, before the workers are stopped), _free.
 *   - the sigio pthread (not an lcore): the only user of the links, the
 *     only consumer of the rx-ring producer side and tx-ring consumer
 *     side, the only consumer of sig_down.
 *   - worker w: the only consumer of rx ring w, the only producer of
 *     tx ring w (both single-producer/single-consumer).
 *   - telemetry / summary: read the counters relaxed (jitsim_dp_cnt_read).
 * Counters in struct jitsim_dp_sigio_stats are written by the sigio
 * thread only.
 */

#ifndef JITSIM_DP_SIGIO_H
#define JITSIM_DP_SIGIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/shm.h>

#include "config.h"

struct rte_ring;

/* Messages moved per ring operation; also the sigio thread's batch. */
#define JITSIM_DP_SIGIO_BURST 32

/* Why a message was dropped by the sigio thread. */
#define JITSIM_DP_SIGIO_DROPS(X)                                                             \
	X(RX_RING_FULL, "rx_ring_full")	    /* worker's rx ring full */                      \
	X(RX_OVERSIZE, "rx_oversize")	    /* user data over JITSIM_SIG_DATA_MAX */         \
	X(RX_NOT_SCCP, "rx_not_sccp")	    /* SI other than 3 (SCCP) */                     \
	X(TX_NO_ASSOC, "tx_no_assoc")	    /* no ACTIVE association */                      \
	X(TX_UNAVAILABLE, "tx_unavailable") /* DPC unavailable (DUNA) on every active one */ \
	X(TX_SEND_FAILED, "tx_send_failed") /* sctp_sendmsg failed (buffer full, lost) */    \
	X(TX_BAD, "tx_bad")		    /* record with bad kind or length */

enum jitsim_dp_sigio_drop {
#define JITSIM_DP_SIGIO_DROP_ENUM(e, s) JITSIM_DP_SIGIO_DROP_##e,
	JITSIM_DP_SIGIO_DROPS(JITSIM_DP_SIGIO_DROP_ENUM)
#undef JITSIM_DP_SIGIO_DROP_ENUM
		JITSIM_DP_SIGIO_DROP_MAX
};

/* Name of a drop reason ("rx_ring_full"), "?" when out of range. */
const char *jitsim_dp_sigio_drop_name(unsigned int d);

/* Counters of the sigio thread (written by it only). */
struct jitsim_dp_sigio_stats {
	uint64_t assoc_up;     /* associations ACTIVE now (gauge) */
	uint64_t rx_data;      /* M3UA DATA received */
	uint64_t rx_to_worker; /* of those, put into a worker's rx ring */
	uint64_t tx_worker;    /* messages taken from the workers' tx rings */
	uint64_t tx_cp;	       /* messages taken from shm sig_down */
	uint64_t tx_sent;      /* M3UA DATA sent */
	uint64_t connects;     /* associations that became ACTIVE (also again) */
	uint64_t losses;       /* ACTIVE associations lost */
	uint64_t drops[JITSIM_DP_SIGIO_DROP_MAX];
};

struct jitsim_sig_link;

/* One configured association, as the sigio thread sees it. */
struct jitsim_dp_sigio_link {
	const struct jitsim_dp_ss7_link *cfg;
	struct jitsim_sig_link *link; /* dataplane/sigtran, owned by the sigio thread */
	/* sigio thread only: what was logged last, to log changes only. */
	uint32_t logged_state;	    /* enum jitsim_asp_state | tstate << 8 */
	uint64_t logged_fail;	    /* connect failures when last logged */
	uint64_t logged_fail_ms;    /* when */
	uint64_t listen_retry_ms;   /* a listener whose start failed: next try */
	uint32_t listen_backoff_ms; /* and the current backoff */
	int listen_errno;	    /* last listen error logged */
	/* Published by the sigio thread for telemetry (relaxed stores). */
	uint32_t state;	 /* enum jitsim_asp_state */
	uint32_t tstate; /* enum jitsim_sig_link_tstate */
	uint64_t data_in;
	uint64_t data_out;
	uint64_t reconnects;
	uint64_t connect_fail;
};

struct jitsim_dp_sigio {
	/* Set by _init, read-only afterwards. */
	const struct jitsim_dp_ss7_config *cfg;
	struct jitsim_shm *shm;
	unsigned int n_workers;
	struct rte_ring *rx[JITSIM_DP_WORKER_MAX]; /* sigio -> worker w */
	struct rte_ring *tx[JITSIM_DP_WORKER_MAX]; /* worker w -> sigio */
	unsigned int n_links;
	struct jitsim_dp_sigio_link links[JITSIM_DP_SS7_LINK_MAX];

	pthread_t thread;
	bool running; /* thread created (main thread only) */
	bool quit;    /* atomic: set by _stop */

	struct jitsim_dp_sigio_stats st __attribute__((aligned(64)));
	/* The sigio thread's batch buffer (1024 bytes per message). */
	struct jitsim_sig_msg batch[JITSIM_DP_SIGIO_BURST] __attribute__((aligned(64)));
};

/*
 * Create the rings (@n_workers pairs, @cfg->ring_slots each, on NUMA
 * @socket) and the link objects for @cfg's associations and listeners.
 * Nothing is connected yet. Main thread, after rte_eal_init, before the
 * workers start. 0 or -errno with @err set (naming the [ss7] key).
 */
int jitsim_dp_sigio_init(struct jitsim_dp_sigio *s, const struct jitsim_dp_ss7_config *cfg,
			 struct jitsim_shm *shm, unsigned int n_workers, int socket, char *err,
			 size_t errlen);

/* Start the sigio thread (it connects and listens). 0 or -errno. */
int jitsim_dp_sigio_start(struct jitsim_dp_sigio *s);

/*
 * Orderly stop: the thread sends ASPIA then ASPDN on every ACTIVE
 * association (waiting at most about a second for the acks), closes
 * every socket and returns; joined here. Messages still in the rings are
 * counted as neither sent nor dropped. Main thread; safe if never started.
 */
void jitsim_dp_sigio_stop(struct jitsim_dp_sigio *s);

/* Free the rings and links (after _stop and after the workers stopped). */
void jitsim_dp_sigio_free(struct jitsim_dp_sigio *s);

#endif /* JITSIM_DP_SIGIO_H */
