/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The Diameter peer over loopback TCP in one process: two jitsim peers
 * (initiator and responder) exchanging CER/CEA, application messages and
 * DPR/DPA; a raw socket feeding the responder a byte at a time, several
 * messages per write, an oversize message and a broken stream; a second
 * connection while one is open; reconnection when the far end comes back;
 * connection numbers, a send into a reset connection, closing at once.
 * Ports are chosen by the kernel (port 0), so parallel runs never collide.
 * Loops wait for conditions; their deadlines only turn a hang into a
 * failure, they measure nothing.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "diam_peer.h"
#include "diam_test.h"

#define DEADLINE_MS 20000

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static struct jitsim_diam_dup dup_tbl;

static void
conf_peer(struct jitsim_diam_peer_conf *pc, enum jitsim_diam_role role, const char *host,
	  const char *addr)
{
	struct jitsim_diam_fsm_conf *c = &pc->fsm;
	static const uint32_t s6a_cmds[] = {316, 317, 318, 319, 320, 321, 322, 323};

	memset(pc, 0, sizeof(*pc));
	jitsim_diam_fsm_conf_defaults(c);
	c->role = role;
	c->id = (struct jitsim_diam_ident){host, "jitsim.test", 77};
	c->supported_vendor[0] = JITSIM_DIAM_VENDOR_3GPP;
	c->apps[0].app_id = JITSIM_S6A_APP_ID;
	c->apps[0].vendor = JITSIM_DIAM_VENDOR_3GPP;
	memcpy(c->apps[0].cmds, s6a_cmds, sizeof(s6a_cmds));
	c->apps[0].n_cmds = 8;
	c->n_apps = 1;
	c->tw_jitter_ms = 0;
	c->tc_min_ms = 50;
	c->tc_ms = 200;
	c->seed = 99;
	if (role == JITSIM_DIAM_RESPONDER) {
		jitsim_diam_dup_init(&dup_tbl, 0);
		c->dup = &dup_tbl;
	}
	assert_int_equal(jitsim_diam_parse_addr(addr, &pc->addr, &pc->addr_len), 0);
}

/* "127.0.0.1:PORT" of a listening responder. */
static void
bound_addr(struct jitsim_diam_peer *r, char *buf, size_t size)
{
	struct sockaddr_storage ss;
	socklen_t l;

	assert_int_equal(jitsim_diam_peer_local_addr(r, &ss, &l), 0);
	snprintf(buf, size, "127.0.0.1:%u", ntohs(((struct sockaddr_in *)&ss)->sin_port));
}

/* What the callbacks saw. */
struct seen {
	unsigned int req, ans, dup;
	unsigned int ev;
};

/* Responder application: answer every AIR with an AIA 2001. */
static void
hss_cb(void *arg, struct jitsim_diam_peer *p, const struct jitsim_diam_hdr *h, const uint8_t *msg,
       size_t len, unsigned int flags)
{
	struct seen *s = arg;
	uint8_t b[512];
	struct jitsim_wbuf w;
	struct jitsim_s6a_msg a = {
		.cmd = JITSIM_S6A_CMD_AIR,
		.hbh = h->hbh,
		.e2e = h->e2e,
		.session_id = "mme.a.test;1",
		.origin_host = "hss.jitsim.test",
		.origin_realm = "jitsim.test",
		.result_code = JITSIM_DIAM_SUCCESS,
	};

	(void)msg;
	(void)len;
	assert_true(h->flags & JITSIM_DIAM_FLAG_R);
	s->req++;
	if (flags & JITSIM_DIAM_RX_DUP)
		s->dup++;
	jitsim_wbuf_init(&w, b, sizeof(b), 0);
	assert_int_equal(jitsim_s6a_encode(&w, &a), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_peer_send(p, b, w.tail), 0);
}

static void
mme_cb(void *arg, struct jitsim_diam_peer *p, const struct jitsim_diam_hdr *h, const uint8_t *msg,
       size_t len, unsigned int flags)
{
	struct seen *s = arg;

	(void)p;
	(void)msg;
	(void)len;
	(void)flags;
	assert_false(h->flags & JITSIM_DIAM_FLAG_R);
	assert_int_equal(h->cmd, JITSIM_S6A_CMD_AIR);
	s->ans++;
}

/* Poll every peer once (waiting up to 20 ms for socket events). */
static void
pump(struct jitsim_diam_peer **peers, struct seen *seen, unsigned int n)
{
	struct pollfd fds[8];
	unsigned int k = 0;
	uint64_t now = now_ms(), next = now + 20;

	for (unsigned int i = 0; i < n; i++) {
		uint64_t t = jitsim_diam_peer_next_ms(peers[i]);

		k += jitsim_diam_peer_pollfds(peers[i], fds + k, 8 - k);
		next = t < next ? t : next;
	}
	(void)poll(fds, k, next > now ? (int)(next - now) : 0);
	now = now_ms();
	for (unsigned int i = 0; i < n; i++)
		seen[i].ev |= jitsim_diam_peer_poll(
			peers[i], now,
			jitsim_diam_peer_fsm(peers[i])->conf.role == JITSIM_DIAM_RESPONDER ? hss_cb
											   : mme_cb,
			&seen[i]);
}

#define PUMP_UNTIL(peers, seen, n, cond)               \
	do {                                           \
		uint64_t dl_ = now_ms() + DEADLINE_MS; \
		while (!(cond)) {                      \
			assert_true(now_ms() < dl_);   \
			pump(peers, seen, n);          \
		}                                      \
	} while (0)

static size_t
air(uint8_t *b, size_t cap, struct jitsim_diam_fsm *f)
{
	struct jitsim_wbuf w;
	struct jitsim_s6a_msg m = {
		.cmd = JITSIM_S6A_CMD_AIR,
		.is_request = true,
		.hbh = jitsim_diam_fsm_next_hbh(f),
		.e2e = jitsim_diam_fsm_next_e2e(f),
		.session_id = "mme.a.test;1",
		.origin_host = "mme.a.test",
		.origin_realm = "a.test",
		.dest_realm = "jitsim.test",
		.imsi = "001010000000001",
		.visited_plmn = "00101",
		.n_vectors = 1,
	};

	jitsim_wbuf_init(&w, b, cap, 0);
	assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
	return w.tail;
}

static void
test_two_peers(void **state)
{
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_peer *pr[2];
	struct seen seen[2] = {{0}};
	char addr[64];
	uint8_t b[1024];
	size_t n;

	(void)state;
	conf_peer(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", "127.0.0.1:0");
	pr[0] = jitsim_diam_peer_create(&c);
	assert_non_null(pr[0]);
	assert_int_equal(jitsim_diam_peer_start(pr[0], now_ms()), 0);
	bound_addr(pr[0], addr, sizeof(addr));
	conf_peer(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", addr);
	pr[1] = jitsim_diam_peer_create(&c);
	assert_non_null(pr[1]);
	assert_int_equal(jitsim_diam_peer_send(pr[1], b, 0), -EINVAL);
	n = air(b, sizeof(b), jitsim_diam_peer_fsm(pr[1]));
	assert_int_equal(jitsim_diam_peer_send(pr[1], b, n), -ENOTCONN);
	assert_int_equal(jitsim_diam_peer_start(pr[1], now_ms()), 0);
	PUMP_UNTIL(pr, seen, 2,
		   jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(pr[0])) &&
			   jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(pr[1])));
	assert_true(seen[0].ev & JITSIM_DIAM_EV_OPEN);
	assert_true(seen[1].ev & JITSIM_DIAM_EV_OPEN);
	assert_string_equal(jitsim_diam_peer_fsm(pr[1])->peer_host, "hss.jitsim.test");

	/* 500 AIRs pipelined, each answered; the same e2e twice is flagged. */
	for (int i = 0; i < 500; i++) {
		n = air(b, sizeof(b), jitsim_diam_peer_fsm(pr[1]));
		assert_int_equal(jitsim_diam_peer_send(pr[1], b, n), 0);
	}
	assert_int_equal(jitsim_diam_peer_send(pr[1], b, n), 0);
	PUMP_UNTIL(pr, seen, 2, seen[1].ans == 501);
	assert_int_equal(seen[0].req, 501);
	assert_int_equal(seen[0].dup, 1);

	/* Orderly stop of the initiator: DPR/DPA, then it stays down. */
	seen[0].ev = seen[1].ev = 0;
	(void)jitsim_diam_peer_stop(pr[1], now_ms(), JITSIM_DIAM_DC_REBOOTING);
	PUMP_UNTIL(pr, seen, 2, seen[1].ev & JITSIM_DIAM_EV_STOPPED);
	PUMP_UNTIL(pr, seen, 2, jitsim_diam_peer_fsm(pr[0])->state == JITSIM_DIAM_CLOSED);
	assert_int_equal(jitsim_diam_peer_fsm(pr[1])->st.rx[JITSIM_DIAM_C_DPA], 1);
	assert_int_equal(jitsim_diam_peer_fsm(pr[0])->st.tx[JITSIM_DIAM_C_DPA], 1);
	assert_int_equal(jitsim_diam_peer_stats(pr[0])->bad_framing, 0);
	assert_int_equal(jitsim_diam_peer_stats(pr[1])->tx_full, 0);
	jitsim_diam_peer_destroy(pr[1]);
	jitsim_diam_peer_destroy(pr[0]);
}

/* ---- a raw client against the responder ---- */

static int
raw_connect(const char *addr)
{
	struct sockaddr_storage ss;
	socklen_t l;
	int fd;

	assert_int_equal(jitsim_diam_parse_addr(addr, &ss, &l), 0);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	assert_int_equal(connect(fd, (struct sockaddr *)&ss, l), 0);
	return fd;
}

/* Read one whole message from @p fd, pumping the peer meanwhile; 0 at EOF. */
static size_t
raw_read(int fd, struct jitsim_diam_peer *r, struct seen *s, uint8_t *buf, size_t cap)
{
	size_t have = 0;
	uint64_t dl = now_ms() + DEADLINE_MS;

	for (;;) {
		struct pollfd pf = {.fd = fd, .events = POLLIN};
		ssize_t k;

		if (have >= 4 && have >= jitsim_get_be24(buf + 1))
			return have;
		assert_true(now_ms() < dl);
		pump(&r, s, 1);
		if (poll(&pf, 1, 0) <= 0)
			continue;
		/* Read only up to the end of this message. */
		k = read(fd, buf + have, have < 4 ? 4 - have : jitsim_get_be24(buf + 1) - have);
		assert_true(k >= 0);
		if (k == 0)
			return 0;
		have += (size_t)k;
		assert_true(have <= cap);
	}
}

static void
raw_write(int fd, const void *p, size_t n)
{
	const uint8_t *b = p;

	while (n > 0) {
		ssize_t k = write(fd, b, n);

		assert_true(k > 0);
		b += k;
		n -= (size_t)k;
	}
}

/* A DWR from the raw client. */
static void
raw_dwr(struct tmsg *m, uint32_t id)
{
	tm_hdr(m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_DWR, 0, id, id);
	tm_str(m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "raw.a.test");
	tm_str(m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_fin(m);
}

static void
test_stream(void **state)
{
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_peer *r;
	struct seen s = {0};
	char addr[64];
	struct tmsg cer, dwr, three;
	static uint8_t big[100000], rd[TM_MAX];
	struct tans t;
	int fd, fd2;
	size_t n;

	(void)state;
	conf_peer(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", "127.0.0.1:0");
	r = jitsim_diam_peer_create(&c);
	assert_non_null(r);
	assert_int_equal(jitsim_diam_peer_start(r, now_ms()), 0);
	bound_addr(r, addr, sizeof(addr));
	fd = raw_connect(addr);

	/* The CER one byte per write, the responder polled in between. */
	tm_cer(&cer, "raw.a.test");
	for (size_t i = 0; i < cer.n; i++) {
		raw_write(fd, cer.b + i, 1);
		pump(&r, &s, 1);
	}
	n = raw_read(fd, r, &s, rd, sizeof(rd));
	assert_true(n > 0);
	tans_parse(rd, n, &t);
	assert_int_equal(t.h.cmd, JITSIM_DIAM_CMD_CER);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	assert_int_equal(jitsim_diam_peer_fsm(r)->state, JITSIM_DIAM_R_OPEN);

	/* Three DWRs in one write, then one split over two writes. */
	three.n = 0;
	for (uint32_t i = 0; i < 3; i++) {
		raw_dwr(&dwr, 100 + i);
		memcpy(three.b + three.n, dwr.b, dwr.n);
		three.n += dwr.n;
	}
	raw_write(fd, three.b, three.n);
	for (uint32_t i = 0; i < 3; i++) {
		n = raw_read(fd, r, &s, rd, sizeof(rd));
		tans_parse(rd, n, &t);
		assert_int_equal(t.h.cmd, JITSIM_DIAM_CMD_DWR);
		assert_int_equal(t.h.hbh, 100 + i);
	}
	raw_dwr(&dwr, 200);
	raw_write(fd, dwr.b, 7);
	pump(&r, &s, 1);
	raw_write(fd, dwr.b + 7, dwr.n - 7);
	n = raw_read(fd, r, &s, rd, sizeof(rd));
	tans_parse(rd, n, &t);
	assert_int_equal(t.h.hbh, 200);

	/* 100000 bytes: over the 64 KiB limit, skipped and answered 5015. */
	memset(big, 0, sizeof(big));
	tm_hdr(&dwr, JITSIM_DIAM_FLAG_R, JITSIM_S6A_CMD_AIR, JITSIM_S6A_APP_ID, 300, 300);
	memcpy(big, dwr.b, 20);
	jitsim_put_be24(big + 1, sizeof(big));
	raw_write(fd, big, sizeof(big));
	n = raw_read(fd, r, &s, rd, sizeof(rd));
	tans_parse(rd, n, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	assert_int_equal(t.h.hbh, 300);
	assert_int_equal(jitsim_diam_peer_stats(r)->oversize, 1);
	/* ...and the stream is still in step. */
	raw_dwr(&dwr, 301);
	raw_write(fd, dwr.b, dwr.n);
	n = raw_read(fd, r, &s, rd, sizeof(rd));
	tans_parse(rd, n, &t);
	assert_int_equal(t.h.hbh, 301);
	assert_int_equal(s.req, 0);

	/* A second connection while this one is open is closed at once. */
	fd2 = raw_connect(addr);
	assert_int_equal(raw_read(fd2, r, &s, rd, sizeof(rd)), 0);
	close(fd2);
	assert_int_equal(jitsim_diam_peer_stats(r)->accept_busy, 1);

	/* Version 2: the stream cannot be trusted, the connection is closed. */
	raw_dwr(&dwr, 400);
	dwr.b[0] = 2;
	raw_write(fd, dwr.b, dwr.n);
	assert_int_equal(raw_read(fd, r, &s, rd, sizeof(rd)), 0);
	close(fd);
	assert_int_equal(jitsim_diam_peer_stats(r)->bad_framing, 1);
	assert_int_equal(jitsim_diam_peer_fsm(r)->state, JITSIM_DIAM_CLOSED);

	/* The responder takes the next connection. */
	fd = raw_connect(addr);
	raw_write(fd, cer.b, cer.n);
	n = raw_read(fd, r, &s, rd, sizeof(rd));
	tans_parse(rd, n, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	close(fd);
	PUMP_UNTIL(&r, &s, 1, jitsim_diam_peer_fsm(r)->state == JITSIM_DIAM_CLOSED);
	jitsim_diam_peer_destroy(r);
}

/* A raw client's CER answered 2001: the responder is open. */
static void
raw_open(int fd, struct jitsim_diam_peer *r, struct seen *s, const struct tmsg *cer)
{
	static uint8_t rd[TM_MAX];
	struct tans t;
	size_t n;

	raw_write(fd, cer->b, cer->n);
	n = raw_read(fd, r, s, rd, sizeof(rd));
	assert_true(n > 0);
	tans_parse(rd, n, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	assert_true(jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(r)));
}

/*
 * Connection numbers; a send whose flush finds the connection reset
 * (-ENOTCONN, the EV_DOWN kept for the next poll, not lost); closing a
 * peer's sockets at once.
 */
static void
test_send_lost(void **state)
{
	static const struct linger rst = {.l_onoff = 1, .l_linger = 0};
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_peer *r;
	struct seen s = {0};
	struct pollfd pf[2];
	char addr[64];
	struct tmsg cer, dwr;
	uint64_t dl;
	int fd;

	(void)state;
	conf_peer(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", "127.0.0.1:0");
	r = jitsim_diam_peer_create(&c);
	assert_non_null(r);
	assert_int_equal(jitsim_diam_peer_conn(r), 0);
	assert_int_equal(jitsim_diam_peer_start(r, now_ms()), 0);
	bound_addr(r, addr, sizeof(addr));
	tm_cer(&cer, "raw.a.test");
	fd = raw_connect(addr);
	raw_open(fd, r, &s, &cer);
	assert_int_equal(jitsim_diam_peer_conn(r), 1);

	/* The client resets the connection; the peer is not polled until
	 * its socket shows it, then sends. */
	assert_int_equal(setsockopt(fd, SOL_SOCKET, SO_LINGER, &rst, sizeof(rst)), 0);
	close(fd);
	dl = now_ms() + DEADLINE_MS;
	for (;;) {
		unsigned int k = jitsim_diam_peer_pollfds(r, pf, 2);

		assert_int_equal(k, 2);
		pf[1].events = POLLIN;
		if (poll(&pf[1], 1, 20) > 0)
			break;
		assert_true(now_ms() < dl);
	}
	raw_dwr(&dwr, 500);
	dwr.b[4] = 0; /* a DWA: any whole message will do */
	assert_int_equal(jitsim_diam_peer_send(r, dwr.b, dwr.n), -ENOTCONN);
	assert_false(jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(r)));
	assert_int_equal(jitsim_diam_peer_stats(r)->io_errors, 1);
	assert_int_equal(jitsim_diam_peer_send(r, dwr.b, dwr.n), -ENOTCONN);
	s.ev = 0;
	pump(&r, &s, 1);
	assert_true(s.ev & JITSIM_DIAM_EV_DOWN);
	s.ev = 0;
	pump(&r, &s, 1);
	assert_false(s.ev & JITSIM_DIAM_EV_DOWN);
	assert_int_equal(jitsim_diam_peer_conn(r), 1);

	/* The next connection has the next number. */
	fd = raw_connect(addr);
	raw_open(fd, r, &s, &cer);
	assert_int_equal(jitsim_diam_peer_conn(r), 2);

	/* Closed at once: the client sees the end, nobody listens any more. */
	s.ev = jitsim_diam_peer_close(r, now_ms());
	assert_true(s.ev & JITSIM_DIAM_EV_DOWN);
	assert_int_equal(jitsim_diam_peer_pollfds(r, pf, 2), 0);
	assert_int_equal(read(fd, dwr.b, sizeof(dwr.b)), 0);
	close(fd);
	fd = socket(AF_INET, SOCK_STREAM, 0);
	assert_true(fd >= 0);
	{
		struct sockaddr_storage ss;
		socklen_t l;

		assert_int_equal(jitsim_diam_parse_addr(addr, &ss, &l), 0);
		assert_int_equal(connect(fd, (struct sockaddr *)&ss, l), -1);
		assert_int_equal(errno, ECONNREFUSED);
	}
	close(fd);
	jitsim_diam_peer_destroy(r);
}

/* The far end is missing, appears, dies and comes back: the initiator follows. */
static void
test_reconnect(void **state)
{
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_peer *pr[2];
	struct seen seen[2] = {{0}};
	char addr[64];

	(void)state;
	/* Find a free port, then leave it unbound. */
	conf_peer(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", "127.0.0.1:0");
	pr[0] = jitsim_diam_peer_create(&c);
	assert_int_equal(jitsim_diam_peer_start(pr[0], now_ms()), 0);
	bound_addr(pr[0], addr, sizeof(addr));
	jitsim_diam_peer_destroy(pr[0]);

	conf_peer(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", addr);
	pr[1] = jitsim_diam_peer_create(&c);
	assert_int_equal(jitsim_diam_peer_start(pr[1], now_ms()), 0);
	PUMP_UNTIL(&pr[1], &seen[1], 1, jitsim_diam_peer_fsm(pr[1])->st.conn_fail >= 3);

	for (int round = 0; round < 2; round++) {
		conf_peer(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", addr);
		pr[0] = jitsim_diam_peer_create(&c);
		assert_int_equal(jitsim_diam_peer_start(pr[0], now_ms()), 0);
		PUMP_UNTIL(pr, seen, 2, jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(pr[1])));
		/* Gone without DPR: the initiator sees the connection drop. */
		jitsim_diam_peer_destroy(pr[0]);
		PUMP_UNTIL(&pr[1], &seen[1], 1,
			   !jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(pr[1])));
	}
	assert_int_equal(jitsim_diam_peer_fsm(pr[1])->st.conn_down, 2);
	jitsim_diam_peer_destroy(pr[1]);
}

static void
test_bad_conf(void **state)
{
	struct jitsim_diam_peer_conf c;

	(void)state;
	conf_peer(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", "127.0.0.1:1");
	c.max_msg = 100;
	assert_null(jitsim_diam_peer_create(&c));
	conf_peer(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", "127.0.0.1:1");
	c.fsm.id.realm = NULL;
	assert_null(jitsim_diam_peer_create(&c));
	conf_peer(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", "127.0.0.1:1");
	c.addr_len = 0;
	assert_null(jitsim_diam_peer_create(&c));
	{
		struct sockaddr_storage ss;
		socklen_t l;

		assert_int_equal(jitsim_diam_parse_addr("[::1]:3868", &ss, &l), 0);
		assert_int_equal(ss.ss_family, AF_INET6);
		assert_int_equal(jitsim_diam_parse_addr("127.0.0.1", &ss, &l), -EINVAL);
		assert_int_equal(jitsim_diam_parse_addr("127.0.0.1:65536", &ss, &l), -EINVAL);
		assert_int_equal(jitsim_diam_parse_addr("host:3868", &ss, &l), -EINVAL);
		assert_int_equal(jitsim_diam_parse_addr("[::1:3868", &ss, &l), -EINVAL);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_two_peers),
		cmocka_unit_test(test_stream),
		cmocka_unit_test(test_reconnect),
		cmocka_unit_test(test_send_lost),
		cmocka_unit_test(test_bad_conf),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
