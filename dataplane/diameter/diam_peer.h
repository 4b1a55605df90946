/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_DIAMETER_DIAM_PEER_H
#define JITSIM_DIAMETER_DIAM_PEER_H

/**
 * @file
 * One Diameter peer on a real transport: the state machine of diam_fsm.h
 * with a non-blocking socket, stream reassembly and a send queue, in either
 * role (initiator: connects and reconnects with backoff; responder: listens
 * and serves one connection at a time, the one-to-one model of RFC 6733 2.1;
 * further connections while one is up are closed at once and counted).
 *
 * Reassembly (RFC 6733 2.1: TCP is a byte stream): bytes are read into a
 * buffer of max_msg + 20 bytes; each whole message (by the 24-bit Message
 * Length) goes to the state machine, the rest waits for more. Framing
 * rules:
 *   - first byte not 1 (version), or Message Length < 20: the stream cannot
 *     be re-synchronised -> the connection is closed (counted bad_framing);
 *   - Message Length > max_msg (default 64 KiB): the message is skipped
 *     without being buffered (the stream stays in sync); a request is
 *     answered 5015 DIAMETER_INVALID_MESSAGE_LENGTH (counted oversize);
 *   - Message Length not a multiple of 4: framed by it and answered 5015.
 *
 * Sending: messages are queued whole in a send buffer of tx_buf bytes
 * allocated with the peer (nothing is allocated afterwards); a message that
 * does not fit is refused (-ENOBUFS, counted tx_full), never cut.
 *
 * The transport sits behind struct jitsim_diam_transport so that SCTP
 * (PPID 46, RFC 6733 2.1) can be added next to TCP: a message-oriented
 * transport is handed one whole message per send.
 *
 * Ownership: the strings of the configuration (identities, product name)
 * are not copied and must outlive the peer; the buffers are the peer's.
 *
 * Thread-safety: a peer belongs to one thread, which calls every function
 * below; the receive callback runs on it, inside jitsim_diam_peer_poll(),
 * and may call jitsim_diam_peer_send() and jitsim_diam_peer_stop() but not
 * jitsim_diam_peer_destroy().
 */

#include <poll.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "diam_fsm.h"

/** Socket operations of one transport. All return -errno on failure. */
struct jitsim_diam_transport {
	const char *name;
	bool msg_oriented; /**< send() takes exactly one whole message */
	/** Non-blocking connect; fd (in progress or done) or -errno. */
	int (*connect)(const struct sockaddr *local, socklen_t local_len,
		       const struct sockaddr *remote, socklen_t remote_len);
	/** After POLLOUT: 0 when connected, else -errno. */
	int (*connect_result)(int fd);
	/** Non-blocking listening socket; fd or -errno. */
	int (*listen)(const struct sockaddr *local, socklen_t local_len, int backlog);
	/** fd (non-blocking), -EAGAIN when none waits, or -errno. */
	int (*accept)(int lfd);
	/** Bytes written (may be fewer), -EAGAIN or -errno. */
	ssize_t (*send)(int fd, const void *p, size_t len);
	/** Bytes read, 0 at end of stream, -EAGAIN or -errno. */
	ssize_t (*recv)(int fd, void *p, size_t cap);
	void (*close)(int fd);
};

/** Plain TCP (RFC 6733 2.1), TCP_NODELAY: Diameter is latency bound. */
extern const struct jitsim_diam_transport jitsim_diam_tcp;
/** SCTP one-to-one sockets, PPID 46, stream 0 (diam_sctp.c); needs kernel SCTP. */
extern const struct jitsim_diam_transport jitsim_diam_sctp;

#define JITSIM_DIAM_DEFAULT_MAX_MSG 65536u
#define JITSIM_DIAM_DEFAULT_TX_BUF (256u * 1024u)

struct jitsim_diam_peer_conf {
	struct jitsim_diam_fsm_conf fsm;
	const struct jitsim_diam_transport *tp; /**< NULL = jitsim_diam_tcp */
	/** Initiator: where to connect. Responder: where to listen. */
	struct sockaddr_storage addr;
	socklen_t addr_len;
	/** Initiator: local address to bind first (addr_len 0 = none). */
	struct sockaddr_storage local;
	socklen_t local_len;
	uint32_t max_msg; /**< 0 = JITSIM_DIAM_DEFAULT_MAX_MSG; at least 4096 */
	uint32_t tx_buf;  /**< 0 = JITSIM_DIAM_DEFAULT_TX_BUF; at least 2 * max_msg */
};

struct jitsim_diam_peer_stats {
	uint64_t rx_bytes, tx_bytes, rx_msgs, tx_msgs;
	uint64_t bad_framing;		/**< connections closed: bad version or length */
	uint64_t oversize;		/**< messages longer than max_msg skipped */
	uint64_t tx_full;		/**< messages refused: send buffer full */
	uint64_t accepted, accept_busy; /**< responder: accepted, refused (one at a time) */
	uint64_t io_errors;		/**< recv/send failures that closed the connection */
};

struct jitsim_diam_peer;

/** Flags of the receive callback. */
#define JITSIM_DIAM_RX_DUP (1u << 0) /**< request seen before (jitsim_diam_dup) */

/**
 * An application message: @p msg / @p len is the whole message, @p h its
 * decoded header; valid only during the call.
 */
typedef void (*jitsim_diam_rx_cb)(void *arg, struct jitsim_diam_peer *p,
				  const struct jitsim_diam_hdr *h, const uint8_t *msg, size_t len,
				  unsigned int flags);

/**
 * Create a peer (copies @p c; allocates the buffers). Nothing happens until
 * jitsim_diam_peer_start(). @return NULL on a bad configuration or no memory.
 */
struct jitsim_diam_peer *jitsim_diam_peer_create(const struct jitsim_diam_peer_conf *c);

/** Close everything, free. NULL is fine. Does not send DPR: stop first. */
void jitsim_diam_peer_destroy(struct jitsim_diam_peer *p);

/**
 * Start: the responder listens (0 or -errno from bind/listen), the
 * initiator begins connecting (errors are retried with backoff).
 */
int jitsim_diam_peer_start(struct jitsim_diam_peer *p, uint64_t now_ms);

/**
 * Fill up to @p n pollfds (2 suffice) with the sockets and the events to
 * wait for. @return the number filled.
 */
unsigned int jitsim_diam_peer_pollfds(const struct jitsim_diam_peer *p, struct pollfd *fds,
				      unsigned int n);

/** When jitsim_diam_peer_poll() must run next even without socket events. */
uint64_t jitsim_diam_peer_next_ms(const struct jitsim_diam_peer *p);

/**
 * Do all pending work without blocking: accept, finish a connect, read and
 * hand whole messages to the state machine (application ones to @p cb),
 * run the timers, flush the send queue, act on the events.
 * @return the JITSIM_DIAM_EV_* events that happened, including those of
 *   calls made since the last poll (a jitsim_diam_peer_send() whose flush
 *   lost the connection: its EV_DOWN is reported here, not lost).
 */
unsigned int jitsim_diam_peer_poll(struct jitsim_diam_peer *p, uint64_t now_ms,
				   jitsim_diam_rx_cb cb, void *arg);

/**
 * Queue one whole message (answer or request) for sending; it goes out at
 * once as far as the socket takes it.
 * @return 0 (queued), -ENOTCONN (not open, or the connection failed while
 *   sending: the message is lost with it, the events come with the next
 *   poll), -ENOBUFS (send buffer full), -EINVAL (not a Diameter message of
 *   its own length, or longer than max_msg).
 */
int jitsim_diam_peer_send(struct jitsim_diam_peer *p, const uint8_t *msg, size_t len);

/**
 * Number of the peer's current connection, or of the last one when none is
 * open: 1 at the first capabilities exchange (EV_OPEN), one more at each
 * (0 is skipped when it wraps), 0 before the first. Set before the receive
 * callback sees the connection's first message, so that the owner can tell
 * what came on one connection from what is for the next.
 */
uint32_t jitsim_diam_peer_conn(const struct jitsim_diam_peer *p);

/** Begin the orderly stop (DPR with @p cause); poll until EV_STOPPED. */
unsigned int jitsim_diam_peer_stop(struct jitsim_diam_peer *p, uint64_t now_ms, uint32_t cause);

/**
 * Close the connection and the listening socket now, without DPR or DPA:
 * the end of an orderly stop whose deadline passed (a stopping peer is then
 * Stopped). A peer not stopping sees a lost connection (an initiator
 * reconnects with its backoff; a responder no longer listens).
 * @return the events (with those pending since the last poll).
 */
unsigned int jitsim_diam_peer_close(struct jitsim_diam_peer *p, uint64_t now_ms);

/** The state machine, for its state, identifiers and counters. */
struct jitsim_diam_fsm *jitsim_diam_peer_fsm(struct jitsim_diam_peer *p);
const struct jitsim_diam_peer_stats *jitsim_diam_peer_stats(const struct jitsim_diam_peer *p);

/**
 * Responder: the bound listening address (port 0 resolved).
 * @return 0 or -errno (-ENOTCONN when not listening).
 */
int jitsim_diam_peer_local_addr(const struct jitsim_diam_peer *p, struct sockaddr_storage *ss,
				socklen_t *len);

/** Parse "ADDR:PORT" or "[ADDR6]:PORT" (numeric only). @return 0 or -EINVAL. */
int jitsim_diam_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len);

#endif /* JITSIM_DIAMETER_DIAM_PEER_H */
