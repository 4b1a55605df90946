/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_SIGTRAN_SCTP_SOCK_H
#define JITSIM_SIGTRAN_SCTP_SOCK_H

/**
 * @file
 * Kernel SCTP through libsctp: one-to-one style sockets (SOCK_STREAM,
 * IPPROTO_SCTP), non-blocking, one association per socket. Every call is a
 * thin wrapper that returns a file descriptor, a length or 0, and a
 * negative errno on failure; nothing is logged here.
 *
 * Sockets are created with SCTP_INITMSG asking for @p ostreams outbound
 * and accepting @p istreams inbound streams, SCTP_NODELAY (signalling is
 * latency-bound), and the events association change, shutdown and data
 * I/O (so recv reports the stream) subscribed.
 *
 * Thread-safety: plain system calls; a socket belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

/** SCTP payload protocol identifier of M3UA (RFC 4666 1.4.7, IANA). */
#define JITSIM_SCTP_PPID_M3UA 3u
/** Default streams asked for: stream 0 for management, 16 for DATA. */
#define JITSIM_SCTP_DEFAULT_STREAMS 17u

/** 0 when this kernel can make SCTP sockets, else -errno (EPROTONOSUPPORT). */
int jitsim_sctp_probe(void);

/**
 * Parse "ADDR:PORT" or "[ADDR6]:PORT" (numeric only, no name lookup) into
 * @p ss. @return 0 or -EINVAL.
 */
int jitsim_sctp_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);

/** "ADDR:PORT" of @p sa into @p buf (snprintf semantics, "?" if unknown family). */
int jitsim_sctp_addr_str(const struct sockaddr *sa, char *buf, size_t size);

/**
 * Client: socket, bind to @p local when not NULL (with SO_REUSEADDR: an STP
 * matches its configured ASPs by source port, RFC 4666 leaves it to the
 * SGP, osmo-stp does so), connect to @p remote without blocking.
 * @return fd (connect in progress or done: wait for POLLOUT then call
 *   jitsim_sctp_connect_result()), or -errno.
 */
int jitsim_sctp_connect(const struct sockaddr *local, socklen_t local_len,
			const struct sockaddr *remote, socklen_t remote_len, uint16_t ostreams,
			uint16_t istreams);

/** After POLLOUT on a connecting fd: 0 when established, else -errno (SO_ERROR). */
int jitsim_sctp_connect_result(int fd);

/** Server: socket, bind (SO_REUSEADDR), listen. @return fd or -errno. */
int jitsim_sctp_listen(const struct sockaddr *local, socklen_t local_len, int backlog,
		       uint16_t ostreams, uint16_t istreams);

/**
 * Accept one association (non-blocking, the new fd non-blocking too).
 * @return fd, -EAGAIN when none is waiting, or -errno; @p peer may be NULL.
 */
int jitsim_sctp_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peer_len);

/** Negotiated stream counts (SCTP_STATUS). @return 0 or -errno. */
int jitsim_sctp_streams(int fd, uint16_t *ostreams, uint16_t *istreams);

/**
 * Send one user message on @p stream with payload protocol @p ppid (host
 * order; converted here). @return 0, -EAGAIN (send buffer full: nothing
 * sent), -EPIPE/-ECONNRESET/... (association gone), -EMSGSIZE.
 */
int jitsim_sctp_send(int fd, const void *p, size_t len, uint16_t stream, uint32_t ppid);

/* What a receive got. */
enum jitsim_sctp_rx_kind {
	JITSIM_SCTP_RX_DATA = 0,  /**< user message (maybe partial: see eor) */
	JITSIM_SCTP_RX_NOTIF = 1, /**< a notification (already interpreted) */
};

/* Interpretation of a notification. */
enum jitsim_sctp_event {
	JITSIM_SCTP_EV_NONE = 0,
	JITSIM_SCTP_EV_UP,	/**< SCTP_COMM_UP */
	JITSIM_SCTP_EV_DOWN,	/**< COMM_LOST, SHUTDOWN_COMP, CANT_STR_ASSOC, SHUTDOWN_EVENT */
	JITSIM_SCTP_EV_OTHER,	/**< nothing to act on */
	JITSIM_SCTP_EV_RESTART, /**< SCTP_RESTART: the peer restarted, its M3UA state is gone */
};

struct jitsim_sctp_rx {
	enum jitsim_sctp_rx_kind kind;
	enum jitsim_sctp_event event;
	uint16_t stream;
	uint32_t ppid; /**< host order */
	bool eor;      /**< the message ended in this read (MSG_EOR) */
};

/**
 * Receive one message or notification (sctp_recvmsg).
 * @return its length (> 0), 0 when the peer closed (EOF), -EAGAIN, -errno.
 */
int jitsim_sctp_recv(int fd, void *buf, size_t cap, struct jitsim_sctp_rx *rx);

/** Abort the association (SO_LINGER 0) and close. */
void jitsim_sctp_abort_close(int fd);

#endif /* JITSIM_SIGTRAN_SCTP_SOCK_H */
