/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp Diameter I/O thread ("diamio", issue 9): owns every Diameter
 * peer of the [diameter] section (dataplane/diameter: the base node over
 * TCP or SCTP) and connects them to the worker lcores the way sigio.h does
 * for SS7:
 *
 *   client peer --request--> diamio --rx ring[w]--> worker w (detect + fta_diam verdict)
 *   worker w --tx ring[w]--> diamio: an answer -> the client peer it came from;
 *                                    a request (PROXY) -> the HSS of its region
 *   HSS peer --answer--> diamio --> the client peer of the request (hbh map)
 *   HSS peer --request (CLR, IDR, DSR, RSR)--> diamio --> a client peer (hbh map)
 *   client peer --answer, hbh top octet JITSIM_DIAM_HBH_TAG--> shm sig_up (jitsim-cp)
 *   jitsim-cp --shm sig_down (JITSIM_SIG_DIAM_SEND)--> diamio --> peer `assoc`
 *
 * Peer index ("assoc" of the sig records): the position of the peer or
 * hss line in the [diameter] section, in file order. Connection number
 * ("dpc" of the sig records, shm.h): jitsim_diam_peer_conn() of that peer
 * when the message came, 1 at its first open and one more at each (never
 * 0 once open). diamio stamps it into every record it gives a worker or
 * jitsim-cp; the worker's verdict and jitsim-cp's DIAM_SEND carry it back,
 * and diamio drops (stale_conn) one whose dpc is neither 0 (unchecked) nor
 * the peer's current number: what was asked on one connection is never
 * answered on the next, whose far end never asked it.
 *
 * Worker choice: a hash of the User-Name (else the Session-Id, else the
 * End-to-End id), so that every request of one SIM meets the same worker:
 * the detect pipeline's lease and epoch state of a SIM then stays on one
 * lcore, and AIR then ULR of a first attach are judged in order.
 *
 * Proxying (RFC 6733 6.1.9, relay agent): a Route-Record with the
 * identity of the peer the request came from (its Origin-Host in CER) is
 * appended, the hop-by-hop id is replaced by one of ours and remembered in
 * a fixed map (JITSIM_DP_DIAMIO_MAP_SLOTS entries allocated at start, with
 * the connection numbers of both peers; an entry lives until its answer,
 * JITSIM_DP_DIAMIO_MAP_TTL_MS, or the close of either connection); the
 * answer gets the original id back and goes to the connection the request
 * came on. A request that already carries our Origin-Host in a
 * Route-Record is answered 3005 DIAMETER_LOOP_DETECTED. Toward an HSS, a
 * Destination-Host naming jitsim (an MME remembers who answered its ULR)
 * is replaced by the HSS's host and realm, or the HSS would refuse it.
 * Answers that diamio builds itself, so that no request it takes waits for
 * the requester's timer: 5012 UNABLE_TO_COMPLY for a request longer than a
 * ring record (JITSIM_SIG_DATA_MAX) or too long to relay once rewritten;
 * 3004 TOO_BUSY when a worker's ring, the map or the destination's send
 * queue is full, or a worker could not reach jitsim-cp (sig_up full);
 * 3002 UNABLE_TO_DELIVER when neither the region's HSS nor the default HSS
 * is open (or, from an HSS, no client peer is), or the connection a
 * request was relayed on closes before its answer. Requests lost without
 * an answer: a worker's tx ring full (counted by the worker, worker_tx_full).
 *
 * hop-by-hop ids diamio allocates are (generation << 16 | map slot) and
 * never have JITSIM_DIAM_HBH_TAG as their top octet: those belong to
 * jitsim-cp's requests, whose answers go to jitsim-cp.
 *
 * shm sig_down has one consumer: with [ss7] too, diamio takes every record
 * and passes the SS7 ones (JITSIM_SIG_SEND) to sigio through ss7_down, an
 * in-process ring main.c gives sigio as its segment's sig_down.
 *
 * Threads:
 *   - main thread: _init (before the workers start), _start, _stop (after
 *     SIGTERM, before the workers are stopped: DPR on every open peer,
 *     DPA awaited up to JITSIM_DP_DIAMIO_STOP_MS), _free.
 *   - the diamio pthread: the only user of the peers, the map and the
 *     duplicate table; producer of the rx rings, consumer of the tx rings
 *     and of sig_down; a producer of sig_up (multi-producer safe).
 *   - worker w: consumer of rx ring w, producer of tx ring w (SP/SC): its
 *     verdicts (kind JITSIM_SIG_DIAM_SEND), and the requests it could not
 *     put into sig_up, as they came (kind JITSIM_SIG_DIAM_IN: answered 3004).
 *   - telemetry / summary: read the counters relaxed (jitsim_dp_cnt_read).
 */

#ifndef JITSIM_DP_DIAMIO_H
#define JITSIM_DP_DIAMIO_H

#include <pthread.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/shm.h>

#include "config.h"

struct rte_ring;
struct jitsim_diam_peer;
struct jitsim_diam_dup;

/* Messages moved per ring operation; also the thread's batch. */
#define JITSIM_DP_DIAMIO_BURST 32
/* Proxied requests in flight at most, and how long one waits for its answer
 * (an MME's S6a timer is a few seconds; 30 s covers any retransmission). */
#define JITSIM_DP_DIAMIO_MAP_SLOTS 65536u
#define JITSIM_DP_DIAMIO_MAP_TTL_MS 30000u
/* SIGTERM: DPR on every open peer, then at most this long for the DPAs. */
#define JITSIM_DP_DIAMIO_STOP_MS 2000u

/* Why a message was dropped by diamio (exported by name: append only). */
#define JITSIM_DP_DIAMIO_DROPS(X)                                                            \
	X(ANSWER_UNKNOWN, "answer_unknown")	  /* answer whose hbh maps to nothing */     \
	X(ANSWER_WRONG_PEER, "answer_wrong_peer") /* mapped, but from another peer */        \
	X(TO_CP_FULL, "to_cp_full")		  /* sig_up full: an answer for jitsim-cp */ \
	X(TO_CP_OVERSIZE, "to_cp_oversize")	  /* answer for jitsim-cp over a record */   \
	X(TX_BAD, "tx_bad")			  /* record: bad kind, length or message */  \
	X(TX_BAD_PEER, "tx_bad_peer")		  /* record: assoc names no such peer */     \
	X(TX_PEER_DOWN, "tx_peer_down")		  /* destination peer not open */            \
	X(TX_SEND_FAILED, "tx_send_failed")	  /* peer's send queue full */               \
	X(ORIGIN_GONE, "origin_gone")		  /* proxy: the requesting peer closed */    \
	X(SS7_DOWN_FULL, "ss7_down_full")	  /* SS7 record from sig_down: ring full */  \
	X(ANSWER_FAILED, "answer_failed")	  /* an error answer could not be built */   \
	X(STALE_CONN, "stale_conn")		  /* for a closed connection of the peer */  \
	X(ANSWER_LOST, "answer_lost")		  /* proxied; its destination closed */      \
	X(PROXY_TOO_LONG, "proxy_too_long")	  /* too long to relay: answered 5012 */

enum jitsim_dp_diamio_drop {
#define JITSIM_DP_DIAMIO_DROP_ENUM(e, s) JITSIM_DP_DIAMIO_DROP_##e,
	JITSIM_DP_DIAMIO_DROPS(JITSIM_DP_DIAMIO_DROP_ENUM)
#undef JITSIM_DP_DIAMIO_DROP_ENUM
		JITSIM_DP_DIAMIO_DROP_MAX
};

/* Name of a drop reason ("tx_bad"), "?" when out of range. */
const char *jitsim_dp_diamio_drop_name(unsigned int d);

/* Counters of the diamio thread (written by it only). Messages "sent" are
 * counted once queued on the connection (jitsim_diam_peer_send() 0). */
struct jitsim_dp_diamio_stats {
	uint64_t peers_open;	 /* gauge */
	uint64_t rx_requests;	 /* requests from client peers */
	uint64_t rx_dup;	 /* of those, duplicates (flagged JITSIM_SIG_F_DUP) */
	uint64_t rx_to_worker;	 /* put into a worker's rx ring */
	uint64_t rx_oversize;	 /* longer than JITSIM_SIG_DATA_MAX: answered 5012 */
	uint64_t rx_ring_full;	 /* worker's rx ring full: answered 3004 */
	uint64_t rx_cp_answers;	 /* answers to jitsim-cp's requests, put into sig_up */
	uint64_t hss_answers;	 /* answers from an HSS mapped back to a client peer */
	uint64_t hss_requests;	 /* requests from an HSS relayed to a client peer */
	uint64_t client_answers; /* answers of client peers to those, mapped back */
	uint64_t tx_worker;	 /* records taken from the workers' tx rings */
	uint64_t tx_answers;	 /* worker answers sent */
	uint64_t tx_proxied;	 /* requests sent to an HSS */
	uint64_t tx_default_hss; /* of those, to default_hss: the region's HSS not open */
	uint64_t tx_cp;		 /* records taken from shm sig_down */
	uint64_t tx_cp_sent;	 /* of those, Diameter messages sent */
	uint64_t ss7_passed;	 /* of those, SS7 records passed to sigio */
	uint64_t ans_no_route;	 /* answered 3002 */
	uint64_t ans_busy;	 /* answered 3004 (ring or map full) */
	uint64_t ans_loop;	 /* answered 3005 */
	uint64_t map_used;	 /* gauge: proxied requests awaiting their answer */
	uint64_t map_full;	 /* proxy refused: map full (answered 3004) */
	uint64_t map_expired;	 /* entries that never got their answer */
	uint64_t opens, closes;	 /* peer connections opened, closed */
	uint64_t failovers, failbacks, restarts;
	uint64_t proxied_region[JITSIM_DP_DIAM_REGION_MAX]; /* by the HSS's region */
	uint64_t drops[JITSIM_DP_DIAMIO_DROP_MAX];
};

/* One configured peer, as the diamio thread sees it. */
struct jitsim_dp_diamio_peer {
	const struct jitsim_dp_diam_peer *cfg;
	struct jitsim_diam_peer *peer; /* dataplane/diameter, owned by the thread */
	/* diamio thread only. */
	bool stopped;		    /* orderly stop finished */
	bool listening;		    /* responder: the listening socket is up */
	uint64_t listen_retry_ms;   /* a responder whose listen failed: next try */
	uint32_t listen_backoff_ms; /* and the current backoff */
	int listen_errno;	    /* last listen error logged */
	uint64_t logged_fail;	    /* connect failures when last logged */
	uint64_t logged_fail_ms;
	uint64_t log_window_ms;	    /* state-change logs: start of the window */
	unsigned int log_count;	    /* and lines logged in it */
	uint64_t seen_dpr, seen_wd; /* DPR received / watchdog closes, for the close log */
	/* Published by the thread for telemetry (relaxed stores). */
	uint32_t state; /* enum jitsim_diam_state */
	uint32_t wd;	/* enum jitsim_diam_wd */
	uint64_t app_rx, app_tx;
	uint64_t opens;
	uint64_t connect_fail;
};

struct dp_diamio_map_ent;

struct jitsim_dp_diamio {
	/* Set by _init, read-only afterwards (ss7_down: by main.c before _start). */
	const struct jitsim_dp_diam_config *cfg;
	struct jitsim_shm *shm;
	struct rte_ring *ss7_down; /* NULL without [ss7] */
	uint32_t origin_state_id;
	unsigned int n_workers;
	struct rte_ring *rx[JITSIM_DP_WORKER_MAX]; /* diamio -> worker w */
	struct rte_ring *tx[JITSIM_DP_WORKER_MAX]; /* worker w -> diamio */
	unsigned int n_peers;
	struct jitsim_dp_diamio_peer peers[JITSIM_DP_DIAM_PEER_MAX];
	int16_t hss_of_region[JITSIM_DP_DIAM_REGION_MAX]; /* peer index, -1 none */

	/* diamio thread only; allocated by _init. */
	struct jitsim_diam_dup *dup;   /* one table: keys carry the Origin-Host */
	struct dp_diamio_map_ent *map; /* JITSIM_DP_DIAMIO_MAP_SLOTS */
	uint16_t *map_free;	       /* queue of free slots (FIFO: reused last) */
	uint32_t map_free_head;	       /* its head (mod JITSIM_DP_DIAMIO_MAP_SLOTS) */
	uint32_t map_n_free;
	uint32_t map_sweep; /* next slot the expiry sweep looks at */
	/* Entries per peer (from or to it): a peer that closes with none
	 * skips the scan of the map. */
	uint32_t map_refs[JITSIM_DP_DIAM_PEER_MAX];
	uint64_t poll_errs;   /* poll(2) failures */
	uint64_t poll_log_ms; /* and when one was last logged */
	uint8_t *scratch;     /* one rewritten message (max_msg + room) */
	size_t scratch_cap;
	uint8_t ans[8192]; /* one error answer */
	unsigned int work; /* messages handled this round */

	pthread_t thread;
	bool running; /* thread created (main thread only) */
	bool quit;    /* atomic: set by _stop */

	struct jitsim_dp_diamio_stats st __attribute__((aligned(64)));
	struct jitsim_sig_msg batch[JITSIM_DP_DIAMIO_BURST] __attribute__((aligned(64)));
	struct jitsim_sig_msg rec __attribute__((aligned(64))); /* one record built */
};

/*
 * Create the rings (@n_workers pairs, @cfg->ring_slots each, on NUMA
 * @socket), the peers, the map and the duplicate table. Nothing is
 * connected yet. Main thread, after rte_eal_init, before the workers
 * start. @origin_state_id goes into every CER/CEA/DPR (RFC 6733 8.16).
 * 0 or -errno with @err set.
 */
int jitsim_dp_diamio_init(struct jitsim_dp_diamio *d, const struct jitsim_dp_diam_config *cfg,
			  struct jitsim_shm *shm, unsigned int n_workers, int socket,
			  uint32_t origin_state_id, char *err, size_t errlen);

/* Start the thread (it listens and connects). 0 or -errno. */
int jitsim_dp_diamio_start(struct jitsim_dp_diamio *d);

/*
 * Orderly stop: DPR (cause REBOOTING) on every open peer, DPAs awaited up
 * to JITSIM_DP_DIAMIO_STOP_MS, then every socket closed (a peer still
 * Closing at the deadline too); joined here. Main thread; safe if never
 * started.
 */
void jitsim_dp_diamio_stop(struct jitsim_dp_diamio *d);

/* Free rings, peers and tables (after _stop and after the workers stopped). */
void jitsim_dp_diamio_free(struct jitsim_dp_diamio *d);

#endif /* JITSIM_DP_DIAMIO_H */
