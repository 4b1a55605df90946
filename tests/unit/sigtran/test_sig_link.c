/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim_sig_link: address parsing, configuration checks, the reconnect
 * backoff (injected time), and, where the kernel has SCTP, a real
 * association over loopback between a server link and a client link: ASPUP
 * to ACTIVE, DATA both ways on the SLS's stream, orderly stop, restart, and
 * the client's recovery when the server disappears. Where the kernel has no
 * SCTP (the test machines), the same program checks that every path fails
 * cleanly with EPROTONOSUPPORT; scripts/sctp-run.sh runs it where SCTP works
 * (tests/unit/sigtran/meson.build registers both runs).
 */
#include <errno.h>
#include <netinet/in.h>
#include <poll.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <unistd.h>

#include <cmocka.h>

#include "sctp_sock.h"
#include "sig_link.h"

static bool have_sctp;

static void
test_parse_addr(void **state)
{
	struct sockaddr_storage ss;
	socklen_t len = 0;
	char buf[64];

	(void)state;
	assert_int_equal(jitsim_sctp_parse_addr("127.0.0.1:2905", &ss, &len), 0);
	assert_int_equal(len, sizeof(struct sockaddr_in));
	assert_int_equal(jitsim_sctp_addr_str((struct sockaddr *)&ss, buf, sizeof(buf)),
			 strlen("127.0.0.1:2905"));
	assert_string_equal(buf, "127.0.0.1:2905");
	assert_int_equal(jitsim_sctp_parse_addr("[::1]:0", &ss, &len), 0);
	assert_int_equal(len, sizeof(struct sockaddr_in6));
	jitsim_sctp_addr_str((struct sockaddr *)&ss, buf, sizeof(buf));
	assert_string_equal(buf, "[::1]:0");
	assert_int_equal(jitsim_sctp_parse_addr("127.0.0.1:65535", &ss, &len), 0);
	static const char *const bad[] = {
		"127.0.0.1",
		"127.0.0.1:",
		"127.0.0.1:65536",
		"127.0.0.1:-1",
		"127.0.0.1:2x",
		"localhost:2905",
		":2905",
		"[::1]2905",
		"[::1:2905",
		"::1:2905",
		"[127.0.0.1]:1",
		"1.2.3.4.5:1",
		"",
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(jitsim_sctp_parse_addr(bad[i], &ss, &len), -EINVAL);
	assert_int_equal(jitsim_sctp_parse_addr(NULL, &ss, &len), -EINVAL);
}

static struct jitsim_sig_link_conf
link_conf(enum jitsim_asp_role role, const char *local, const char *remote)
{
	struct jitsim_sig_link_conf c;

	memset(&c, 0, sizeof(c));
	c.asp.role = role;
	c.asp.has_rc = true;
	c.asp.rc = 2;
	c.asp.traffic_mode = JITSIM_M3UA_TMT_LOADSHARE;
	c.asp.known_pc[0] = 47361;
	c.asp.n_known_pc = 1;
	if (local != NULL)
		assert_int_equal(jitsim_sctp_parse_addr(local, &c.local, &c.local_len), 0);
	if (remote != NULL)
		assert_int_equal(jitsim_sctp_parse_addr(remote, &c.remote, &c.remote_len), 0);
	snprintf(c.name, sizeof(c.name), "%s", role == JITSIM_ASP_ROLE_ASP ? "client" : "server");
	return c;
}

static void
test_create_invalid(void **state)
{
	struct jitsim_sig_link_conf c;
	struct jitsim_sig_link *l;

	(void)state;
	c = link_conf(JITSIM_ASP_ROLE_ASP, "127.0.0.1:1", NULL); /* a client needs remote */
	errno = 0;
	assert_null(jitsim_sig_link_create(&c));
	assert_int_equal(errno, EINVAL);
	c = link_conf(JITSIM_ASP_ROLE_SGP, NULL, "127.0.0.1:1"); /* a server needs local */
	assert_null(jitsim_sig_link_create(&c));
	c = link_conf(JITSIM_ASP_ROLE_ASP, NULL, "127.0.0.1:1");
	c.asp.role = (enum jitsim_asp_role)7;
	assert_null(jitsim_sig_link_create(&c));
	assert_null(jitsim_sig_link_create(NULL));
	jitsim_sig_link_destroy(NULL);

	/* A valid idle link: DOWN, nothing to poll, sending refused. */
	c = link_conf(JITSIM_ASP_ROLE_ASP, NULL, "127.0.0.1:1");
	l = jitsim_sig_link_create(&c);
	assert_non_null(l);
	assert_string_equal(jitsim_sig_link_name(l), "client");
	assert_int_equal(jitsim_sig_link_state(l), JITSIM_ASP_DOWN);
	assert_int_equal(jitsim_sig_link_tstate(l), JITSIM_SIG_LINK_T_IDLE);
	assert_int_equal(jitsim_sig_link_timeout_ms(l, 0), -1);
	assert_int_equal(jitsim_sig_link_send_data(l, 1, 2, 3, 2, 0, 0, (const uint8_t *)"x", 1),
			 -ENOTCONN);
	assert_int_equal(jitsim_sig_link_stats(l)->tx_not_active, 1);
	assert_int_equal(jitsim_sig_link_poll(l, 0, NULL, NULL), 0);
	jitsim_sig_link_destroy(l);
}

/* Poll @p l with a frozen clock until it is in @p want (a real failure takes real time). */
static void
wait_tstate(struct jitsim_sig_link *l, uint64_t now, enum jitsim_sig_link_tstate want)
{
	for (int i = 0; i < 200 && jitsim_sig_link_tstate(l) != want; i++) {
		struct pollfd p[2];
		unsigned int n = jitsim_sig_link_pollfds(l, p, 2);

		if (n)
			poll(p, n, 50);
		jitsim_sig_link_poll(l, now, NULL, NULL);
	}
	assert_int_equal(jitsim_sig_link_tstate(l), want);
}

/*
 * Nothing listens on the port (or there is no SCTP at all): every attempt
 * fails, and the waits double from 100 ms to the 5 s cap.
 */
static void
test_backoff(void **state)
{
	static const int waits[] = {100, 200, 400, 800, 1600, 3200, 5000, 5000};
	struct jitsim_sig_link_conf c;
	struct jitsim_sig_link *l;
	uint64_t now = 1000;

	(void)state;
	/* Port 9 (discard): nothing listens for SCTP there. */
	c = link_conf(JITSIM_ASP_ROLE_ASP, NULL, "127.0.0.1:9");
	l = jitsim_sig_link_create(&c);
	assert_non_null(l);
	assert_int_equal(jitsim_sig_link_start(l, now), 0);
	assert_int_equal(jitsim_sig_link_start(l, now), -EALREADY);
	for (size_t i = 0; i < sizeof(waits) / sizeof(waits[0]); i++) {
		wait_tstate(l, now, JITSIM_SIG_LINK_T_BACKOFF);
		assert_int_equal(jitsim_sig_link_timeout_ms(l, now), waits[i]);
		/* Not before its time. */
		jitsim_sig_link_poll(l, now + waits[i] - 1, NULL, NULL);
		assert_int_equal(jitsim_sig_link_tstate(l), JITSIM_SIG_LINK_T_BACKOFF);
		now += waits[i];
		jitsim_sig_link_poll(l, now, NULL, NULL);
	}
	wait_tstate(l, now, JITSIM_SIG_LINK_T_BACKOFF);
	assert_int_equal(jitsim_sig_link_stats(l)->connects, 9);
	assert_int_equal(jitsim_sig_link_stats(l)->connect_fail, 9);
	assert_int_equal(jitsim_sig_link_state(l), JITSIM_ASP_DOWN);
	/* Stop while in backoff: idle at once. */
	jitsim_sig_link_stop(l, now);
	assert_true(jitsim_sig_link_stopped(l));
	assert_int_equal(jitsim_sig_link_timeout_ms(l, now), -1);
	jitsim_sig_link_destroy(l);
}

/* ---- over real SCTP ------------------------------------------------------ */

struct got {
	unsigned int n;
	struct jitsim_m3ua m;
	uint16_t stream;
	uint8_t data[64];
};

static void
on_data(void *arg, struct jitsim_sig_link *l, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct got *g = arg;

	(void)l;
	g->n++;
	g->m = *m;
	g->stream = stream;
	assert_true(m->data_len <= sizeof(g->data));
	memcpy(g->data, m->data, m->data_len);
	g->m.data = g->data;
}

static void
show(const char *what, struct jitsim_sig_link *l)
{
	const struct jitsim_sig_link_stats *st = jitsim_sig_link_stats(l);
	const struct jitsim_asp *a = jitsim_sig_link_asp(l);

	printf("# %s %s: tstate=%d fsm=%s connects=%llu fail=%llu accepts=%llu reconnects=%llu "
	       "mgmt_tx_lost=%llu in=%llu/%llu/%llu/%llu out=%llu/%llu/%llu/%llu\n",
	       what, jitsim_sig_link_name(l), (int)jitsim_sig_link_tstate(l),
	       jitsim_asp_fsm_name(a->fsm), (unsigned long long)st->connects,
	       (unsigned long long)st->connect_fail, (unsigned long long)st->accepts,
	       (unsigned long long)st->reconnects, (unsigned long long)st->mgmt_tx_lost,
	       (unsigned long long)a->st.msgs_in[0], (unsigned long long)a->st.msgs_in[1],
	       (unsigned long long)a->st.msgs_in[3], (unsigned long long)a->st.msgs_in[4],
	       (unsigned long long)a->st.msgs_out[0], (unsigned long long)a->st.msgs_out[1],
	       (unsigned long long)a->st.msgs_out[3], (unsigned long long)a->st.msgs_out[4]);
}

/* Poll both links on the real clock until @p done or about 10 s. */
static bool
run_until(struct jitsim_sig_link *a, struct jitsim_sig_link *b, struct got *ga, struct got *gb,
	  bool (*done)(struct jitsim_sig_link *, struct jitsim_sig_link *, const struct got *,
		       const struct got *))
{
	for (int i = 0; i < 1000; i++) {
		struct pollfd p[4];
		unsigned int n = 0;
		uint64_t now = jitsim_sig_link_now_ms();
		int ta = jitsim_sig_link_timeout_ms(a, now),
		    tb = jitsim_sig_link_timeout_ms(b, now);
		int t = 10;

		if (done(a, b, ga, gb))
			return true;
		if (ta >= 0 && ta < t)
			t = ta;
		if (tb >= 0 && tb < t)
			t = tb;
		n += jitsim_sig_link_pollfds(a, p + n, 2);
		n += jitsim_sig_link_pollfds(b, p + n, 2);
		poll(p, n, t);
		now = jitsim_sig_link_now_ms();
		jitsim_sig_link_poll(a, now, on_data, ga);
		jitsim_sig_link_poll(b, now, on_data, gb);
	}
	if (done(a, b, ga, gb))
		return true;
	show("timeout", a);
	show("timeout", b);
	return false;
}

static bool
both_active(struct jitsim_sig_link *a, struct jitsim_sig_link *b, const struct got *ga,
	    const struct got *gb)
{
	(void)ga;
	(void)gb;
	return jitsim_sig_link_state(a) == JITSIM_ASP_ACTIVE &&
	       jitsim_sig_link_state(b) == JITSIM_ASP_ACTIVE;
}

static bool
both_got_one(struct jitsim_sig_link *a, struct jitsim_sig_link *b, const struct got *ga,
	     const struct got *gb)
{
	(void)a;
	(void)b;
	return ga->n == 1 && gb->n == 1;
}

static bool
a_stopped_b_listening(struct jitsim_sig_link *a, struct jitsim_sig_link *b, const struct got *ga,
		      const struct got *gb)
{
	(void)ga;
	(void)gb;
	return jitsim_sig_link_stopped(a) &&
	       jitsim_sig_link_tstate(b) == JITSIM_SIG_LINK_T_LISTENING;
}

static bool
a_reconnecting(struct jitsim_sig_link *a, struct jitsim_sig_link *b, const struct got *ga,
	       const struct got *gb)
{
	(void)b;
	(void)ga;
	(void)gb;
	return jitsim_sig_link_stats(a)->reconnects >= 1 &&
	       jitsim_sig_link_state(a) == JITSIM_ASP_DOWN;
}

/* A free port pair: the server's and, one up, the client's fixed source port. */
static int
pick_server(struct jitsim_sig_link **srv, char *srv_addr, char *cli_addr, size_t size)
{
	for (int k = 0; k < 20; k++) {
		unsigned int port = 20000 + (unsigned int)((getpid() * 7 + k * 131) % 20000) * 2;
		struct jitsim_sig_link_conf c;
		int r;

		snprintf(srv_addr, size, "127.0.0.1:%u", port);
		snprintf(cli_addr, size, "127.0.0.1:%u", port + 1);
		c = link_conf(JITSIM_ASP_ROLE_SGP, srv_addr, NULL);
		*srv = jitsim_sig_link_create(&c);
		assert_non_null(*srv);
		r = jitsim_sig_link_start(*srv, jitsim_sig_link_now_ms());
		if (r == 0)
			return 0;
		jitsim_sig_link_destroy(*srv);
		*srv = NULL;
		if (r != -EADDRINUSE)
			return r;
	}
	return -EADDRINUSE;
}

static void
test_loopback(void **state)
{
	struct jitsim_sig_link *srv = NULL, *cli;
	struct jitsim_sig_link_conf c;
	char sa[48], ca[48];
	struct got gs, gc;
	int r;

	(void)state;
	r = pick_server(&srv, sa, ca, sizeof(sa));
	if (!have_sctp) {
		/* No kernel SCTP: the server cannot start, and says why. */
		assert_int_equal(r, -EPROTONOSUPPORT);
		assert_int_equal(jitsim_sctp_probe(), -EPROTONOSUPPORT);
		return;
	}
	assert_int_equal(r, 0);
	assert_int_equal(jitsim_sig_link_tstate(srv), JITSIM_SIG_LINK_T_LISTENING);
	c = link_conf(JITSIM_ASP_ROLE_ASP, ca, sa);
	c.asp.beat_ms = 200; /* exercised on the way, never asserted on timing */
	cli = jitsim_sig_link_create(&c);
	assert_non_null(cli);
	assert_int_equal(jitsim_sig_link_start(cli, jitsim_sig_link_now_ms()), 0);

	memset(&gs, 0, sizeof(gs));
	memset(&gc, 0, sizeof(gc));
	assert_true(run_until(cli, srv, &gc, &gs, both_active));
	assert_int_equal(jitsim_sig_link_stats(cli)->ostreams, JITSIM_SCTP_DEFAULT_STREAMS);
	assert_int_equal(jitsim_sig_link_stats(srv)->accepts, 1);
	assert_int_equal(jitsim_sig_link_stats(cli)->asp_active, 1);

	/* DATA both ways; stream 1 + sls % 16. */
	assert_int_equal(jitsim_sig_link_send_data(cli, 47361, 47362, 3, 2, 0, 7,
						   (const uint8_t *)"\x09\x81\x03hello", 8),
			 0);
	assert_int_equal(jitsim_sig_link_send_data(srv, 47362, 47361, 3, 2, 1, 20,
						   (const uint8_t *)"\x09\x81\x03world!", 9),
			 0);
	assert_true(run_until(cli, srv, &gc, &gs, both_got_one));
	assert_int_equal(gs.stream, 8);
	assert_int_equal(gs.m.opc, 47361);
	assert_int_equal(gs.m.dpc, 47362);
	assert_int_equal(gs.m.si, 3);
	assert_int_equal(gs.m.ni, 2);
	assert_int_equal(gs.m.sls, 7);
	assert_true(gs.m.has_rc);
	assert_int_equal(gs.m.rc, 2);
	assert_int_equal(gs.m.data_len, 8);
	assert_memory_equal(gs.m.data, "\x09\x81\x03hello", 8);
	assert_int_equal(gc.stream, 5);
	assert_int_equal(gc.m.mp, 1);
	assert_int_equal(gc.m.data_len, 9);
	assert_memory_equal(gc.m.data, "\x09\x81\x03world!", 9);
	assert_int_equal(jitsim_sig_link_stats(cli)->data_out, 1);
	assert_int_equal(jitsim_sig_link_stats(srv)->data_in, 1);

	/* Orderly stop of the client: ASPIA, ASPDN, SHUTDOWN; the server listens again. */
	jitsim_sig_link_stop(cli, jitsim_sig_link_now_ms());
	assert_true(run_until(cli, srv, &gc, &gs, a_stopped_b_listening));
	assert_int_equal(jitsim_sig_link_asp(srv)->st.msgs_in[JITSIM_M3UA_CLASS_ASPTM], 2);
	assert_int_equal(jitsim_sig_link_asp(cli)->st.giveups, 0);
	jitsim_sig_link_destroy(cli);

	/* A new client (same source port, at once: SO_REUSEADDR) is served. */
	cli = jitsim_sig_link_create(&c);
	assert_non_null(cli);
	assert_int_equal(jitsim_sig_link_start(cli, jitsim_sig_link_now_ms()), 0);
	assert_true(run_until(cli, srv, &gc, &gs, both_active));
	assert_int_equal(jitsim_sig_link_stats(srv)->accepts, 2);

	/* The server vanishes (ABORT): the client goes DOWN and reconnects with backoff. */
	jitsim_sig_link_destroy(srv);
	srv = NULL;
	{
		struct jitsim_sig_link_conf dc =
			link_conf(JITSIM_ASP_ROLE_SGP, "127.0.0.1:0", NULL);
		struct jitsim_sig_link *idle = jitsim_sig_link_create(&dc);

		/* An idle stand-in so run_until has two links to poll. */
		assert_non_null(idle);
		assert_true(run_until(cli, idle, &gc, &gs, a_reconnecting));
		assert_int_not_equal(jitsim_sig_link_tstate(cli), JITSIM_SIG_LINK_T_UP);
		assert_int_equal(
			jitsim_sig_link_send_data(cli, 1, 2, 3, 2, 0, 0, (const uint8_t *)"x", 1),
			-ENOTCONN);
		jitsim_sig_link_destroy(idle);
	}
	jitsim_sig_link_destroy(cli);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_parse_addr),
		cmocka_unit_test(test_create_invalid),
		cmocka_unit_test(test_backoff),
		cmocka_unit_test(test_loopback),
	};
	int r = jitsim_sctp_probe();

	have_sctp = r == 0;
	printf("# kernel SCTP: %s\n", have_sctp ? "yes" : strerror(-r));
	if (!have_sctp && getenv("JITSIM_SIGTRAN_NEED_SCTP") != NULL) {
		/* The run under scripts/sctp-run.sh must not pass without SCTP. */
		fprintf(stderr, "JITSIM_SIGTRAN_NEED_SCTP set but no kernel SCTP\n");
		return 1;
	}
	return cmocka_run_group_tests(tests, NULL, NULL);
}
