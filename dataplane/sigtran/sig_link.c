/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <limits.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jitsim/proto/wbuf.h>

#include "sctp_sock.h"
#include "sig_link.h"

#define DEFAULT_BACKOFF_MIN_MS 100u
#define DEFAULT_BACKOFF_MAX_MS 5000u
#define DEFAULT_CONNECT_MS 5000u
#define DEFAULT_RX_BUDGET 64u
/* DATA headers in front of the user data: common header, NA, RC, PD header. */
#define TX_HEADROOM 64u
/* RFC 4666 3.3.1: the Protocol Data length (16 bits) covers 16 bytes of its own. */
#define DATA_MAX (65535u - 16u)

struct jitsim_sig_link {
	struct jitsim_sig_link_conf conf;
	struct jitsim_asp asp;
	enum jitsim_sig_link_tstate tstate;
	int lfd;	     /* server: listening socket */
	int fd;		     /* the association */
	uint64_t t_next;     /* BACKOFF: reconnect time; CONNECTING: give-up time */
	uint32_t backoff_ms; /* next backoff */
	bool discarding;     /* inside an oversized message: drop until its end */
	bool stop_requested;
	uint64_t stop_deadline;
	struct jitsim_sig_link_stats st;
	struct jitsim_asp_out out;
	uint8_t rx[JITSIM_SIG_LINK_MSG_MAX];
	uint8_t tx[TX_HEADROOM + DATA_MAX + 4];
};

uint64_t
jitsim_sig_link_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

struct jitsim_sig_link *
jitsim_sig_link_create(const struct jitsim_sig_link_conf *c)
{
	struct jitsim_sig_link *l;

	if (c == NULL ||
	    (c->asp.role == JITSIM_ASP_ROLE_ASP &&
	     (c->remote_len == 0 || c->remote_len > sizeof(c->remote))) ||
	    (c->asp.role == JITSIM_ASP_ROLE_SGP && (c->local_len == 0)) ||
	    c->local_len > sizeof(c->local) ||
	    (c->asp.role != JITSIM_ASP_ROLE_ASP && c->asp.role != JITSIM_ASP_ROLE_SGP)) {
		errno = EINVAL;
		return NULL;
	}
	l = calloc(1, sizeof(*l));
	if (l == NULL)
		return NULL;
	l->conf = *c;
	l->conf.name[sizeof(l->conf.name) - 1] = '\0';
	if (l->conf.ostreams == 0)
		l->conf.ostreams = JITSIM_SCTP_DEFAULT_STREAMS;
	if (l->conf.istreams == 0)
		l->conf.istreams = JITSIM_SCTP_DEFAULT_STREAMS;
	if (l->conf.backoff_min_ms == 0)
		l->conf.backoff_min_ms = DEFAULT_BACKOFF_MIN_MS;
	if (l->conf.backoff_max_ms == 0)
		l->conf.backoff_max_ms = DEFAULT_BACKOFF_MAX_MS;
	if (l->conf.backoff_max_ms < l->conf.backoff_min_ms)
		l->conf.backoff_max_ms = l->conf.backoff_min_ms;
	if (l->conf.connect_ms == 0)
		l->conf.connect_ms = DEFAULT_CONNECT_MS;
	if (l->conf.rx_budget == 0)
		l->conf.rx_budget = DEFAULT_RX_BUDGET;
	jitsim_asp_init(&l->asp, &l->conf.asp);
	l->lfd = l->fd = -1;
	l->backoff_ms = l->conf.backoff_min_ms;
	l->tstate = JITSIM_SIG_LINK_T_IDLE;
	return l;
}

void
jitsim_sig_link_destroy(struct jitsim_sig_link *l)
{
	if (l == NULL)
		return;
	if (l->fd >= 0)
		jitsim_sctp_abort_close(l->fd);
	if (l->lfd >= 0)
		close(l->lfd);
	free(l);
}

static void
schedule_backoff(struct jitsim_sig_link *l, uint64_t now)
{
	l->tstate = JITSIM_SIG_LINK_T_BACKOFF;
	l->t_next = now + l->backoff_ms;
	l->backoff_ms = l->backoff_ms >= l->conf.backoff_max_ms / 2 ? l->conf.backoff_max_ms
								    : l->backoff_ms * 2;
}

/* Send what the ASP machine emitted: all on stream 0 (RFC 4666 1.4.7). */
static void
flush(struct jitsim_sig_link *l)
{
	for (unsigned int i = 0; i < l->out.n; i++)
		if (l->fd < 0 || jitsim_sctp_send(l->fd, l->out.buf + l->out.msg[i].off,
						  l->out.msg[i].len, 0, JITSIM_SCTP_PPID_M3UA) < 0)
			l->st.mgmt_tx_lost++;
	jitsim_asp_out_reset(&l->out);
}

static void
close_all(struct jitsim_sig_link *l)
{
	if (l->fd >= 0)
		close(l->fd); /* graceful SHUTDOWN after an orderly M3UA stop */
	if (l->lfd >= 0)
		close(l->lfd);
	l->fd = l->lfd = -1;
	l->tstate = JITSIM_SIG_LINK_T_IDLE;
}

/* The association is lost or given up: abort it, then reconnect or listen. */
static void
lose(struct jitsim_sig_link *l, uint64_t now)
{
	if (l->fd >= 0)
		jitsim_sctp_abort_close(l->fd);
	l->fd = -1;
	l->discarding = false;
	jitsim_asp_down(&l->asp);
	l->st.reconnects++;
	if (l->stop_requested) {
		close_all(l);
		return;
	}
	if (l->conf.asp.role == JITSIM_ASP_ROLE_ASP)
		schedule_backoff(l, now);
	else
		l->tstate = JITSIM_SIG_LINK_T_LISTENING;
}

/* Act on the machine's events; false when the association is gone. */
static bool
handle_ev(struct jitsim_sig_link *l, unsigned int ev, uint64_t now)
{
	if (ev & JITSIM_ASP_EV_ACTIVE) {
		l->st.asp_active++;
		l->backoff_ms = l->conf.backoff_min_ms;
	}
	if (ev & JITSIM_ASP_EV_CLOSE) {
		close_all(l);
		return false;
	}
	if (ev & JITSIM_ASP_EV_RECONNECT) {
		lose(l, now);
		return false;
	}
	return true;
}

static void
link_up(struct jitsim_sig_link *l, uint64_t now)
{
	uint16_t os = 0, is = 0;

	l->tstate = JITSIM_SIG_LINK_T_UP;
	if (jitsim_sctp_streams(l->fd, &os, &is) == 0) {
		l->st.ostreams = os;
		l->st.istreams = is;
	} else {
		/* Unknown: the only stream always there. */
		l->st.ostreams = 1;
		l->st.istreams = 1;
	}
	jitsim_asp_out_reset(&l->out);
	handle_ev(l, jitsim_asp_up(&l->asp, now, &l->out), now);
	flush(l);
}

static void
try_connect(struct jitsim_sig_link *l, uint64_t now)
{
	int fd;

	l->st.connects++;
	fd = jitsim_sctp_connect(l->conf.local_len ? (const struct sockaddr *)&l->conf.local : NULL,
				 l->conf.local_len, (const struct sockaddr *)&l->conf.remote,
				 l->conf.remote_len, l->conf.ostreams, l->conf.istreams);
	if (fd < 0) {
		l->st.connect_fail++;
		schedule_backoff(l, now);
		return;
	}
	l->fd = fd;
	l->tstate = JITSIM_SIG_LINK_T_CONNECTING;
	l->t_next = now + l->conf.connect_ms;
}

int
jitsim_sig_link_start(struct jitsim_sig_link *l, uint64_t now_ms)
{
	if (l->tstate != JITSIM_SIG_LINK_T_IDLE)
		return -EALREADY;
	l->stop_requested = false;
	if (l->conf.asp.role == JITSIM_ASP_ROLE_SGP) {
		int fd = jitsim_sctp_listen((const struct sockaddr *)&l->conf.local,
					    l->conf.local_len, 4, l->conf.ostreams,
					    l->conf.istreams);

		if (fd < 0)
			return fd;
		l->lfd = fd;
		l->tstate = JITSIM_SIG_LINK_T_LISTENING;
		return 0;
	}
	try_connect(l, now_ms);
	return 0;
}

void
jitsim_sig_link_stop(struct jitsim_sig_link *l, uint64_t now_ms)
{
	const struct jitsim_asp_conf *ac = &l->asp.conf;

	if (l->stop_requested)
		return;
	l->stop_requested = true;
	/* ASPIA and ASPDN, each with its retransmissions, then give up. */
	l->stop_deadline = now_ms + 2ull * ac->t_ack_ms * (ac->max_retx + 1);
	if (l->tstate != JITSIM_SIG_LINK_T_UP) {
		if (l->fd >= 0)
			jitsim_sctp_abort_close(l->fd);
		l->fd = -1;
		close_all(l);
		return;
	}
	jitsim_asp_out_reset(&l->out);
	{
		unsigned int ev = jitsim_asp_stop(&l->asp, now_ms, &l->out);

		flush(l);
		handle_ev(l, ev, now_ms);
	}
}

bool
jitsim_sig_link_stopped(const struct jitsim_sig_link *l)
{
	return l->stop_requested && l->tstate == JITSIM_SIG_LINK_T_IDLE;
}

unsigned int
jitsim_sig_link_pollfds(const struct jitsim_sig_link *l, struct pollfd *pfd, unsigned int n)
{
	unsigned int k = 0;

	if (l->lfd >= 0 && k < n) {
		pfd[k].fd = l->lfd;
		pfd[k].events = POLLIN;
		pfd[k].revents = 0;
		k++;
	}
	if (l->fd >= 0 && k < n) {
		pfd[k].fd = l->fd;
		pfd[k].events = l->tstate == JITSIM_SIG_LINK_T_CONNECTING ? POLLOUT : POLLIN;
		pfd[k].revents = 0;
		k++;
	}
	return k;
}

int
jitsim_sig_link_timeout_ms(const struct jitsim_sig_link *l, uint64_t now_ms)
{
	uint64_t t = UINT64_MAX;

	switch (l->tstate) {
	case JITSIM_SIG_LINK_T_BACKOFF:
	case JITSIM_SIG_LINK_T_CONNECTING:
		t = l->t_next;
		break;
	case JITSIM_SIG_LINK_T_UP:
		t = jitsim_asp_next_ms(&l->asp);
		break;
	default:
		break;
	}
	if (l->stop_requested && l->tstate != JITSIM_SIG_LINK_T_IDLE && l->stop_deadline < t)
		t = l->stop_deadline;
	if (t == UINT64_MAX)
		return -1;
	if (t <= now_ms)
		return 0;
	return t - now_ms > INT_MAX ? INT_MAX : (int)(t - now_ms);
}

static void
check_connect(struct jitsim_sig_link *l, uint64_t now)
{
	struct pollfd p = {.fd = l->fd, .events = POLLOUT};
	int r;

	if (poll(&p, 1, 0) <= 0) {
		if (now < l->t_next)
			return;
		r = -ETIMEDOUT;
	} else {
		r = jitsim_sctp_connect_result(l->fd);
	}
	if (r == 0) {
		link_up(l, now);
		return;
	}
	l->st.connect_fail++;
	jitsim_sctp_abort_close(l->fd);
	l->fd = -1;
	schedule_backoff(l, now);
}

static void
check_accept(struct jitsim_sig_link *l, uint64_t now)
{
	for (;;) {
		int fd = jitsim_sctp_accept(l->lfd, NULL, NULL);

		if (fd < 0)
			return;
		l->st.accepts++;
		if (l->fd >= 0) {
			/* The newest wins: the peer restarted without an ABORT. */
			l->st.replaced++;
			lose(l, now);
		}
		l->fd = fd;
		link_up(l, now);
	}
}

static unsigned int
read_some(struct jitsim_sig_link *l, uint64_t now, jitsim_sig_link_rx_fn cb, void *arg)
{
	unsigned int delivered = 0;

	for (unsigned int i = 0; i < l->conf.rx_budget && l->tstate == JITSIM_SIG_LINK_T_UP; i++) {
		struct jitsim_sctp_rx rx;
		struct jitsim_m3ua m;
		enum jitsim_reason r;
		unsigned int ev = 0;
		int n = jitsim_sctp_recv(l->fd, l->rx, sizeof(l->rx), &rx);

		if (n == -EAGAIN || n == -EINTR)
			break;
		if (n <= 0) {
			lose(l, now);
			break;
		}
		if (rx.kind == JITSIM_SCTP_RX_NOTIF) {
			if (rx.event == JITSIM_SCTP_EV_DOWN) {
				lose(l, now);
				break;
			}
			if (rx.event == JITSIM_SCTP_EV_RESTART) {
				/*
				 * Same association, but the peer forgot ASPUP/ASPAC
				 * (RFC 4666 4.3.4.1 after a restart): start over.
				 */
				l->st.restarts++;
				jitsim_asp_down(&l->asp);
				jitsim_asp_out_reset(&l->out);
				ev = jitsim_asp_up(&l->asp, now, &l->out);
				flush(l);
				if (!handle_ev(l, ev, now))
					break;
			}
			continue;
		}
		if (l->discarding || !rx.eor) {
			/* Count an oversized message once, at its first piece. */
			if (!l->discarding)
				l->st.rx_too_big++;
			l->discarding = !rx.eor;
			continue;
		}
		if (rx.ppid != JITSIM_SCTP_PPID_M3UA)
			l->st.rx_bad_ppid++;
		jitsim_asp_out_reset(&l->out);
		r = jitsim_asp_input(&l->asp, l->rx, (size_t)n, rx.stream, now, &l->out, &m, &ev);
		flush(l);
		if (r == JITSIM_R_OK) {
			l->st.data_in++;
			delivered++;
			if (cb != NULL)
				cb(arg, l, &m, rx.stream);
		}
		if (!handle_ev(l, ev, now))
			break;
	}
	return delivered;
}

unsigned int
jitsim_sig_link_poll(struct jitsim_sig_link *l, uint64_t now_ms, jitsim_sig_link_rx_fn cb,
		     void *arg)
{
	unsigned int delivered = 0;

	if (l->stop_requested && l->tstate != JITSIM_SIG_LINK_T_IDLE &&
	    now_ms >= l->stop_deadline) {
		if (l->fd >= 0)
			jitsim_sctp_abort_close(l->fd);
		l->fd = -1;
		close_all(l);
	}
	switch (l->tstate) {
	case JITSIM_SIG_LINK_T_BACKOFF:
		if (now_ms >= l->t_next)
			try_connect(l, now_ms);
		break;
	case JITSIM_SIG_LINK_T_CONNECTING:
		check_connect(l, now_ms);
		break;
	case JITSIM_SIG_LINK_T_LISTENING:
	case JITSIM_SIG_LINK_T_UP:
		if (l->lfd >= 0 && !l->stop_requested)
			check_accept(l, now_ms);
		break;
	default:
		break;
	}
	if (l->tstate == JITSIM_SIG_LINK_T_UP)
		delivered = read_some(l, now_ms, cb, arg);
	if (l->tstate == JITSIM_SIG_LINK_T_UP) {
		unsigned int ev;

		jitsim_asp_out_reset(&l->out);
		ev = jitsim_asp_tick(&l->asp, now_ms, &l->out);
		flush(l);
		handle_ev(l, ev, now_ms);
	}
	return delivered;
}

int
jitsim_sig_link_send_data(struct jitsim_sig_link *l, uint32_t opc, uint32_t dpc, uint8_t si,
			  uint8_t ni, uint8_t mp, uint8_t sls, const uint8_t *sccp, size_t len)
{
	const struct jitsim_asp_conf *ac = &l->asp.conf;
	struct jitsim_m3ua m;
	struct jitsim_wbuf w;
	uint16_t stream;
	int r;

	if (l->tstate != JITSIM_SIG_LINK_T_UP || jitsim_asp_state(&l->asp) != JITSIM_ASP_ACTIVE) {
		l->st.tx_not_active++;
		return -ENOTCONN;
	}
	if (!jitsim_asp_dpc_available(&l->asp, dpc)) {
		l->st.tx_unavailable++;
		return -EHOSTUNREACH;
	}
	if (len > DATA_MAX)
		return -EMSGSIZE;
	jitsim_wbuf_init(&w, l->tx, sizeof(l->tx), TX_HEADROOM);
	if (jitsim_wbuf_put(&w, sccp, len) < 0)
		return -EMSGSIZE;
	memset(&m, 0, sizeof(m));
	m.has_rc = ac->has_rc;
	m.rc = ac->rc;
	m.has_na = ac->has_na;
	m.na = ac->na;
	m.opc = opc;
	m.dpc = dpc;
	m.si = si;
	m.ni = ni;
	m.mp = mp;
	m.sls = sls;
	if (jitsim_m3ua_encode_data(&w, &m) != JITSIM_R_OK)
		return -EMSGSIZE;
	/* RFC 4666 1.4.7: DATA on streams 1..n-1, chosen by SLS to keep order per SLS. */
	stream = l->st.ostreams > 1 ? (uint16_t)(1 + sls % (l->st.ostreams - 1)) : 0;
	r = jitsim_sctp_send(l->fd, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), stream,
			     JITSIM_SCTP_PPID_M3UA);
	if (r == -EAGAIN) {
		l->st.tx_again++;
		return r;
	}
	if (r < 0) {
		l->st.tx_errors++;
		return r;
	}
	l->st.data_out++;
	l->st.data_out_bytes += jitsim_wbuf_len(&w);
	l->asp.st.msgs_out[JITSIM_M3UA_CLASS_XFER]++;
	return 0;
}

enum jitsim_asp_state
jitsim_sig_link_state(const struct jitsim_sig_link *l)
{
	return l->tstate == JITSIM_SIG_LINK_T_UP ? jitsim_asp_state(&l->asp) : JITSIM_ASP_DOWN;
}

enum jitsim_sig_link_tstate
jitsim_sig_link_tstate(const struct jitsim_sig_link *l)
{
	return l->tstate;
}

const struct jitsim_asp *
jitsim_sig_link_asp(const struct jitsim_sig_link *l)
{
	return &l->asp;
}

const struct jitsim_sig_link_stats *
jitsim_sig_link_stats(const struct jitsim_sig_link *l)
{
	return &l->st;
}

const char *
jitsim_sig_link_name(const struct jitsim_sig_link *l)
{
	return l->conf.name;
}
