/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_SIGTRAN_SIG_LINK_H
#define JITSIM_SIGTRAN_SIG_LINK_H

/**
 * @file
 * One M3UA association: the SCTP socket (sctp_sock.h) and the ASP state
 * machine (m3ua_asp.h) together, driven by poll(2) from one thread (the
 * jitsim-dp I/O thread "sigio", or a test tool).
 *
 * Client (JITSIM_ASP_ROLE_ASP): connects from conf.local (if set) to
 * conf.remote, runs ASPUP/ASPAC; after a loss or a give-up it reconnects
 * with exponential backoff from backoff_min_ms doubling to backoff_max_ms
 * (reset once ACTIVE). Server (JITSIM_ASP_ROLE_SGP): listens on conf.local
 * and serves one association at a time; a newer one replaces the old (a
 * peer that restarted without ABORT must not wait for the old one to time
 * out).
 *
 * Typical loop:
 *	n = jitsim_sig_link_pollfds(l, pfd, 2);
 *	poll(pfd, n, jitsim_sig_link_timeout_ms(l, now));
 *	jitsim_sig_link_poll(l, now, on_data, arg);   // reads, timers, sends
 *	jitsim_sig_link_send_data(l, ...);            // whenever ACTIVE
 * jitsim_sig_link_poll() may be called without poll(2) (busy polling): all
 * sockets are non-blocking and each call does at most budget reads.
 *
 * Memory: everything is allocated by jitsim_sig_link_create(); nothing
 * after. Thread-safety: a link belongs to one thread; every function,
 * the stats too, is called from it (telemetry copies them there).
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>

#include <jitsim/proto/m3ua.h>

#include "m3ua_asp.h"

/** Largest M3UA message handled (one read buffer): the 16-bit PD length + headers. */
#define JITSIM_SIG_LINK_MSG_MAX 65600u

struct jitsim_sig_link_conf {
	/** ASP state machine (role, RC, NA, traffic mode, timers). */
	struct jitsim_asp_conf asp;
	/** Client: source address/port, len 0 = any. Server: listen address. */
	struct sockaddr_storage local;
	socklen_t local_len;
	/** Client: the SGP/STP. Unused by a server. */
	struct sockaddr_storage remote;
	socklen_t remote_len;
	uint16_t ostreams;	 /**< 0 = JITSIM_SCTP_DEFAULT_STREAMS */
	uint16_t istreams;	 /**< 0 = JITSIM_SCTP_DEFAULT_STREAMS */
	uint32_t backoff_min_ms; /**< 0 = 100 */
	uint32_t backoff_max_ms; /**< 0 = 5000 */
	uint32_t connect_ms;	 /**< connect attempt timeout, 0 = 5000 */
	unsigned int rx_budget;	 /**< reads per poll call, 0 = 64 */
	char name[32];		 /**< for logs and telemetry */
};

/* Transport state. */
enum jitsim_sig_link_tstate {
	JITSIM_SIG_LINK_T_IDLE = 0,   /**< not started or stopped */
	JITSIM_SIG_LINK_T_BACKOFF,    /**< client: waiting to reconnect */
	JITSIM_SIG_LINK_T_CONNECTING, /**< client: connect in progress */
	JITSIM_SIG_LINK_T_LISTENING,  /**< server: no association */
	JITSIM_SIG_LINK_T_UP,	      /**< association established */
};

struct jitsim_sig_link_stats {
	uint64_t data_in;  /**< DATA handed to the callback */
	uint64_t data_out; /**< DATA sent */
	uint64_t data_out_bytes;
	uint64_t tx_not_active;	 /**< send_data refused: not ACTIVE */
	uint64_t tx_unavailable; /**< send_data refused: DPC in the DUNA set */
	uint64_t tx_again;	 /**< send buffer full (EAGAIN) */
	uint64_t tx_errors;	 /**< other send errors */
	uint64_t mgmt_tx_lost;	 /**< management messages the socket refused */
	uint64_t rx_bad_ppid;	 /**< PPID not 3 (still processed) */
	uint64_t rx_too_big;	 /**< message longer than the buffer, dropped */
	uint64_t connects;	 /**< connect attempts (client) */
	uint64_t connect_fail;
	uint64_t accepts;    /**< associations accepted (server) */
	uint64_t replaced;   /**< server: older association dropped for a new one */
	uint64_t reconnects; /**< associations lost or given up (either role) */
	uint64_t restarts;   /**< SCTP restarts of the peer: ASPUP again */
	uint64_t asp_active; /**< times it became ACTIVE */
	uint16_t ostreams;   /**< negotiated, current association */
	uint16_t istreams;
};

struct jitsim_sig_link;

/**
 * Called by jitsim_sig_link_poll() for every DATA received while ACTIVE.
 * @p m and its data pointer are valid during the call only.
 */
typedef void (*jitsim_sig_link_rx_fn)(void *arg, struct jitsim_sig_link *l,
				      const struct jitsim_m3ua *m, uint16_t stream);

/** Allocate; NULL on bad config (errno EINVAL) or no memory. Idle until start. */
struct jitsim_sig_link *jitsim_sig_link_create(const struct jitsim_sig_link_conf *c);
/** Close everything (no orderly M3UA stop: call stop first) and free. NULL is fine. */
void jitsim_sig_link_destroy(struct jitsim_sig_link *l);

/**
 * Client: first connect now. Server: listen now.
 * @return 0, or -errno from listen (a client's connect errors lead to backoff).
 */
int jitsim_sig_link_start(struct jitsim_sig_link *l, uint64_t now_ms);

/**
 * Orderly stop (ASPIA, ASPDN, then close); the link goes IDLE when done or
 * when @p now_ms passes a T(ack)-based deadline. Keep calling poll until
 * jitsim_sig_link_stopped().
 */
void jitsim_sig_link_stop(struct jitsim_sig_link *l, uint64_t now_ms);
bool jitsim_sig_link_stopped(const struct jitsim_sig_link *l);

/** Fill up to @p n pollfds (listen socket and/or association). @return count. */
unsigned int jitsim_sig_link_pollfds(const struct jitsim_sig_link *l, struct pollfd *pfd,
				     unsigned int n);

/** Milliseconds until the next timer (0 = now), -1 when none: a poll timeout. */
int jitsim_sig_link_timeout_ms(const struct jitsim_sig_link *l, uint64_t now_ms);

/**
 * Do everything due: accept/connect completion, up to rx_budget reads
 * (DATA -> @p cb, the rest -> the ASP machine and its answers out), timers,
 * reconnect. Never blocks. @return number of DATA messages delivered.
 */
unsigned int jitsim_sig_link_poll(struct jitsim_sig_link *l, uint64_t now_ms,
				  jitsim_sig_link_rx_fn cb, void *arg);

/**
 * Send one M3UA DATA with this link's RC and NA; @p sccp (the user protocol
 * data, @p len bytes) is copied. Stream 1 + sls % (ostreams - 1); stream 0
 * only if the peer granted one stream.
 * @return 0, -ENOTCONN (not ACTIVE), -EHOSTUNREACH (dpc in the DUNA set),
 *   -EMSGSIZE, -EAGAIN (socket full: retry later or drop), -errno (the
 *   association is going down; poll will reconnect).
 */
int jitsim_sig_link_send_data(struct jitsim_sig_link *l, uint32_t opc, uint32_t dpc, uint8_t si,
			      uint8_t ni, uint8_t mp, uint8_t sls, const uint8_t *sccp, size_t len);

enum jitsim_asp_state jitsim_sig_link_state(const struct jitsim_sig_link *l);
enum jitsim_sig_link_tstate jitsim_sig_link_tstate(const struct jitsim_sig_link *l);
/** The ASP machine (read-only): fsm, stats, unavailable set. */
const struct jitsim_asp *jitsim_sig_link_asp(const struct jitsim_sig_link *l);
const struct jitsim_sig_link_stats *jitsim_sig_link_stats(const struct jitsim_sig_link *l);
const char *jitsim_sig_link_name(const struct jitsim_sig_link *l);

/** CLOCK_MONOTONIC in milliseconds: the now_ms the link expects. */
uint64_t jitsim_sig_link_now_ms(void);

#endif /* JITSIM_SIGTRAN_SIG_LINK_H */
