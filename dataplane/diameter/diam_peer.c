/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * A Diameter peer on a socket: accept/connect, stream reassembly, the send
 * queue, and the glue that turns state machine events into socket actions.
 * See diam_peer.h for the framing rules.
 */

#include <errno.h>
#include <netinet/in.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>

#include <jitsim/proto/bytes.h>

#include "diam_peer.h"

/* Reads per poll: bounded so one busy peer cannot starve the others of a thread. */
#define READS_PER_POLL 16

struct jitsim_diam_peer {
	struct jitsim_diam_peer_conf conf;
	const struct jitsim_diam_transport *tp;
	struct jitsim_diam_fsm fsm;
	int lfd; /**< responder: listening socket, -1 otherwise */
	int fd;	 /**< the connection, -1 when none */
	bool connecting;
	uint8_t *rx;
	size_t rx_cap, rx_len;
	uint64_t skip; /**< bytes of an oversize message still to discard */
	uint8_t *tx;
	size_t tx_cap, tx_head, tx_tail;
	struct jitsim_diam_out out;
	struct jitsim_diam_peer_stats st;
	uint64_t now_ms; /**< time of the last poll, for sends between polls */
	/** Events that happened outside a poll (a send whose flush lost the
	 * connection): returned by the next jitsim_diam_peer_poll(). */
	unsigned int pend_ev;
	uint32_t conn; /**< number of the last connection opened; 0 before the first */
};

struct jitsim_diam_peer *
jitsim_diam_peer_create(const struct jitsim_diam_peer_conf *c)
{
	struct jitsim_diam_peer *p;
	uint32_t max_msg = c->max_msg ? c->max_msg : JITSIM_DIAM_DEFAULT_MAX_MSG;
	uint32_t tx_buf = c->tx_buf ? c->tx_buf : JITSIM_DIAM_DEFAULT_TX_BUF;

	/* 24-bit Message Length; 4096 leaves room for any base message. */
	if (max_msg < 4096 || max_msg > 0xffffff || tx_buf < 2 * max_msg || c->addr_len == 0 ||
	    c->addr_len > sizeof(c->addr) || c->local_len > sizeof(c->local) ||
	    c->fsm.id.host == NULL || c->fsm.id.realm == NULL)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	p->conf = *c;
	p->conf.max_msg = max_msg;
	p->conf.tx_buf = tx_buf;
	p->tp = c->tp ? c->tp : &jitsim_diam_tcp;
	p->lfd = p->fd = -1;
	p->rx_cap = max_msg;
	p->tx_cap = tx_buf;
	p->rx = malloc(p->rx_cap);
	p->tx = malloc(p->tx_cap);
	if (p->rx == NULL || p->tx == NULL) {
		jitsim_diam_peer_destroy(p);
		return NULL;
	}
	jitsim_diam_fsm_init(&p->fsm, &c->fsm);
	return p;
}

void
jitsim_diam_peer_destroy(struct jitsim_diam_peer *p)
{
	if (p == NULL)
		return;
	if (p->fd >= 0)
		p->tp->close(p->fd);
	if (p->lfd >= 0)
		p->tp->close(p->lfd);
	free(p->rx);
	free(p->tx);
	free(p);
}

struct jitsim_diam_fsm *
jitsim_diam_peer_fsm(struct jitsim_diam_peer *p)
{
	return &p->fsm;
}

const struct jitsim_diam_peer_stats *
jitsim_diam_peer_stats(const struct jitsim_diam_peer *p)
{
	return &p->st;
}

int
jitsim_diam_peer_local_addr(const struct jitsim_diam_peer *p, struct sockaddr_storage *ss,
			    socklen_t *len)
{
	*len = sizeof(*ss);
	if (p->lfd < 0)
		return -ENOTCONN;
	if (getsockname(p->lfd, (struct sockaddr *)ss, len) != 0)
		return -errno;
	return 0;
}

/* ---- send queue ---- */

static int
tx_put(struct jitsim_diam_peer *p, const uint8_t *m, size_t len)
{
	if (p->tx_cap - p->tx_tail < len && p->tx_head > 0) {
		/* Compact: messages stay contiguous for message-oriented transports. */
		memmove(p->tx, p->tx + p->tx_head, p->tx_tail - p->tx_head);
		p->tx_tail -= p->tx_head;
		p->tx_head = 0;
	}
	if (p->tx_cap - p->tx_tail < len) {
		p->st.tx_full++;
		return -ENOBUFS;
	}
	memcpy(p->tx + p->tx_tail, m, len);
	p->tx_tail += len;
	p->st.tx_msgs++;
	return 0;
}

static void
conn_close(struct jitsim_diam_peer *p)
{
	if (p->fd >= 0)
		p->tp->close(p->fd);
	p->fd = -1;
	p->connecting = false;
	p->rx_len = 0;
	p->skip = 0;
	p->tx_head = p->tx_tail = 0;
}

static unsigned int act(struct jitsim_diam_peer *p, unsigned int ev, uint64_t now_ms);

/* The connection failed under us: close it and tell the state machine. */
static unsigned int
conn_lost(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	conn_close(p);
	return act(p, jitsim_diam_fsm_conn_down(&p->fsm, now_ms), now_ms);
}

/* Send what the queue holds until the socket would block. */
static unsigned int
tx_flush(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	while (p->fd >= 0 && !p->connecting && p->tx_head < p->tx_tail) {
		size_t n = p->tx_tail - p->tx_head;
		ssize_t w;

		if (p->tp->msg_oriented)
			n = jitsim_get_be24(p->tx + p->tx_head + 1);
		w = p->tp->send(p->fd, p->tx + p->tx_head, n);
		if (w == -EAGAIN)
			return 0;
		if (w < 0) {
			p->st.io_errors++;
			return conn_lost(p, now_ms);
		}
		p->tx_head += (size_t)w;
		p->st.tx_bytes += (uint64_t)w;
	}
	if (p->tx_head == p->tx_tail)
		p->tx_head = p->tx_tail = 0;
	return 0;
}

/* Move what the state machine emitted into the send queue. */
static void
out_drain(struct jitsim_diam_peer *p)
{
	for (unsigned int i = 0; i < p->out.n; i++)
		if (p->fd >= 0)
			(void)tx_put(p, p->out.buf + p->out.msg[i].off, p->out.msg[i].len);
	jitsim_diam_out_reset(&p->out);
}

static void
start_connect(struct jitsim_diam_peer *p, uint64_t now_ms, unsigned int *ev)
{
	int fd;

	conn_close(p);
	fd = p->tp->connect(p->conf.local_len ? (const struct sockaddr *)&p->conf.local : NULL,
			    p->conf.local_len, (const struct sockaddr *)&p->conf.addr,
			    p->conf.addr_len);
	if (fd < 0) {
		*ev |= act(p, jitsim_diam_fsm_conn_down(&p->fsm, now_ms), now_ms);
		return;
	}
	p->fd = fd;
	p->connecting = true;
}

/*
 * Act on state machine events: queue its output, then close or connect.
 * On EV_CLOSE the queue (a DPA, an error CEA) is flushed once first; what
 * the socket does not take at once is lost with the connection.
 */
static unsigned int
act(struct jitsim_diam_peer *p, unsigned int ev, uint64_t now_ms)
{
	unsigned int more = 0;

	/* Numbered before the receive callback sees the first message on it. */
	if (ev & JITSIM_DIAM_EV_OPEN)
		p->conn = p->conn + 1 != 0 ? p->conn + 1 : 1;
	out_drain(p);
	if (ev & JITSIM_DIAM_EV_CLOSE) {
		tx_flush(p, now_ms);
		conn_close(p);
	}
	if (ev & JITSIM_DIAM_EV_STOPPED) {
		if (p->lfd >= 0)
			p->tp->close(p->lfd);
		p->lfd = -1;
	}
	if (ev & JITSIM_DIAM_EV_CONNECT)
		start_connect(p, now_ms, &more);
	return ev | more;
}

static void
local_ip(int fd, uint8_t ip[16], size_t *len)
{
	struct sockaddr_storage ss;
	socklen_t l = sizeof(ss);

	*len = 0;
	if (getsockname(fd, (struct sockaddr *)&ss, &l) != 0)
		return;
	if (ss.ss_family == AF_INET) {
		memcpy(ip, &((struct sockaddr_in *)&ss)->sin_addr, 4);
		*len = 4;
	} else if (ss.ss_family == AF_INET6) {
		memcpy(ip, &((struct sockaddr_in6 *)&ss)->sin6_addr, 16);
		*len = 16;
	}
}

static unsigned int
conn_up(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	uint8_t ip[16];
	size_t ipl;

	local_ip(p->fd, ip, &ipl);
	return act(p, jitsim_diam_fsm_conn_up(&p->fsm, now_ms, ip, ipl, &p->out), now_ms);
}

int
jitsim_diam_peer_start(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	p->now_ms = now_ms;
	if (p->conf.fsm.role == JITSIM_DIAM_RESPONDER) {
		int fd;

		if (p->lfd >= 0)
			return -EALREADY;
		fd = p->tp->listen((const struct sockaddr *)&p->conf.addr, p->conf.addr_len, 8);
		if (fd < 0)
			return fd;
		p->lfd = fd;
		return 0;
	}
	(void)act(p, jitsim_diam_fsm_start(&p->fsm, now_ms), now_ms);
	return 0;
}

/* One whole message to the state machine, application ones on to @p cb. */
static unsigned int
deliver(struct jitsim_diam_peer *p, const uint8_t *m, size_t len, uint64_t now_ms,
	jitsim_diam_rx_cb cb, void *arg)
{
	unsigned int ev = 0;
	enum jitsim_diam_in in = jitsim_diam_fsm_input(&p->fsm, m, len, now_ms, &p->out, &ev);

	p->st.rx_msgs++;
	ev = act(p, ev, now_ms);
	if ((in == JITSIM_DIAM_IN_APP || in == JITSIM_DIAM_IN_APP_DUP) && cb != NULL) {
		struct jitsim_diam_hdr h;

		if (jitsim_diam_decode_hdr(m, len, &h) == JITSIM_R_OK)
			cb(arg, p, &h, m, len,
			   in == JITSIM_DIAM_IN_APP_DUP ? JITSIM_DIAM_RX_DUP : 0);
	}
	return ev;
}

/* Cut whole messages out of the receive buffer. */
static unsigned int
rx_frame(struct jitsim_diam_peer *p, uint64_t now_ms, jitsim_diam_rx_cb cb, void *arg)
{
	unsigned int ev = 0;
	size_t off = 0;

	if (p->skip > 0) {
		size_t n = p->skip < p->rx_len ? (size_t)p->skip : p->rx_len;

		p->skip -= n;
		off = n;
	}
	while (p->fd >= 0 && p->rx_len - off >= 4) {
		const uint8_t *m = p->rx + off;
		uint32_t mlen = jitsim_get_be24(m + 1);
		size_t have = p->rx_len - off;

		/* RFC 6733 3: version 1, a length that covers the header at least. */
		if (m[0] != JITSIM_DIAM_VERSION || mlen < JITSIM_DIAM_HDR_LEN) {
			p->st.bad_framing++;
			return ev | conn_lost(p, now_ms);
		}
		if (mlen > p->conf.max_msg) {
			if (have < JITSIM_DIAM_HDR_LEN)
				break;
			p->st.oversize++;
			ev |= act(p, jitsim_diam_fsm_oversize(&p->fsm, m, now_ms, &p->out), now_ms);
			if (have >= mlen) {
				off += mlen;
			} else {
				p->skip = mlen - have;
				off += have;
			}
			continue;
		}
		if (have < mlen)
			break;
		ev |= deliver(p, m, mlen, now_ms, cb, arg);
		off += mlen;
	}
	if (p->fd < 0)
		return ev;
	if (off > 0) {
		memmove(p->rx, p->rx + off, p->rx_len - off);
		p->rx_len -= off;
	}
	return ev;
}

static unsigned int
rx_read(struct jitsim_diam_peer *p, uint64_t now_ms, jitsim_diam_rx_cb cb, void *arg)
{
	unsigned int ev = 0;

	for (int i = 0; i < READS_PER_POLL && p->fd >= 0 && !p->connecting; i++) {
		ssize_t n = p->tp->recv(p->fd, p->rx + p->rx_len, p->rx_cap - p->rx_len);

		if (n == -EAGAIN)
			break;
		if (n <= 0) {
			if (n < 0)
				p->st.io_errors++;
			return ev | conn_lost(p, now_ms);
		}
		p->st.rx_bytes += (uint64_t)n;
		p->rx_len += (size_t)n;
		ev |= rx_frame(p, now_ms, cb, arg);
	}
	return ev;
}

static unsigned int
do_accept(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	unsigned int ev = 0;

	while (p->lfd >= 0) {
		int fd = p->tp->accept(p->lfd);

		if (fd < 0)
			break;
		/* One connection per peer (RFC 6733 2.1, no election here). */
		if (p->fd >= 0 || p->fsm.state != JITSIM_DIAM_CLOSED) {
			p->tp->close(fd);
			p->st.accept_busy++;
			continue;
		}
		p->fd = fd;
		p->st.accepted++;
		ev |= conn_up(p, now_ms);
	}
	return ev;
}

static unsigned int
check_connect(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	struct pollfd pf = {.fd = p->fd, .events = POLLOUT};
	int r;

	if (poll(&pf, 1, 0) <= 0)
		return 0;
	r = p->tp->connect_result(p->fd);
	if (r == -EINPROGRESS || r == -EALREADY)
		return 0;
	if (r != 0)
		return conn_lost(p, now_ms);
	p->connecting = false;
	return conn_up(p, now_ms);
}

unsigned int
jitsim_diam_peer_poll(struct jitsim_diam_peer *p, uint64_t now_ms, jitsim_diam_rx_cb cb, void *arg)
{
	unsigned int ev = 0;

	p->now_ms = now_ms;
	ev |= do_accept(p, now_ms);
	if (p->fd >= 0 && p->connecting)
		ev |= check_connect(p, now_ms);
	ev |= rx_read(p, now_ms, cb, arg);
	ev |= act(p, jitsim_diam_fsm_tick(&p->fsm, now_ms, &p->out), now_ms);
	ev |= tx_flush(p, now_ms);
	/* Those of sends since the last poll, the callback's in this one too. */
	ev |= p->pend_ev;
	p->pend_ev = 0;
	return ev;
}

unsigned int
jitsim_diam_peer_pollfds(const struct jitsim_diam_peer *p, struct pollfd *fds, unsigned int n)
{
	unsigned int k = 0;

	if (p->lfd >= 0 && k < n)
		fds[k++] = (struct pollfd){.fd = p->lfd, .events = POLLIN};
	if (p->fd >= 0 && k < n) {
		short e = POLLIN;

		if (p->connecting || p->tx_head < p->tx_tail)
			e |= POLLOUT;
		fds[k++] = (struct pollfd){.fd = p->fd, .events = e};
	}
	return k;
}

uint64_t
jitsim_diam_peer_next_ms(const struct jitsim_diam_peer *p)
{
	return jitsim_diam_fsm_next_ms(&p->fsm);
}

int
jitsim_diam_peer_send(struct jitsim_diam_peer *p, const uint8_t *msg, size_t len)
{
	int r;

	if (len < JITSIM_DIAM_HDR_LEN || len > p->conf.max_msg || msg[0] != JITSIM_DIAM_VERSION ||
	    jitsim_get_be24(msg + 1) != len)
		return -EINVAL;
	if (!jitsim_diam_fsm_is_open(&p->fsm) || p->fd < 0)
		return -ENOTCONN;
	r = tx_put(p, msg, len);
	if (r != 0)
		return r;
	/* Out at once when the socket takes it. A failure closes the
	 * connection here, outside a poll: its events wait for the next one,
	 * and the message is lost with the queue. */
	p->pend_ev |= tx_flush(p, p->now_ms);
	return p->fd >= 0 ? 0 : -ENOTCONN;
}

uint32_t
jitsim_diam_peer_conn(const struct jitsim_diam_peer *p)
{
	return p->conn;
}

unsigned int
jitsim_diam_peer_stop(struct jitsim_diam_peer *p, uint64_t now_ms, uint32_t cause)
{
	unsigned int ev = p->pend_ev;

	p->pend_ev = 0;
	ev |= act(p, jitsim_diam_fsm_stop(&p->fsm, now_ms, cause, &p->out), now_ms);
	return ev | tx_flush(p, now_ms);
}

unsigned int
jitsim_diam_peer_close(struct jitsim_diam_peer *p, uint64_t now_ms)
{
	unsigned int ev = p->pend_ev;

	p->pend_ev = 0;
	p->now_ms = now_ms;
	if (p->fd >= 0)
		ev |= conn_lost(p, now_ms);
	if (p->lfd >= 0)
		p->tp->close(p->lfd);
	p->lfd = -1;
	return ev;
}
