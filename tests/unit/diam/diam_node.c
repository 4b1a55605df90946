/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * diam_node: one jitsim Diameter peer (S6a capabilities) run against a real
 * Diameter node by diam_interop.py. It connects (--connect) or listens
 * (--listen), reports every event as a line on stdout, and once the watchdog
 * counters it was asked for are reached it stops with DPR and prints its
 * counters:
 *
 *   diam_node (--connect|--listen) ADDR:PORT --host H --realm R
 *             [--tw-ms N] [--peer-host P] [--dwa N] [--dwr N]
 *             [--failback N] [--deadline-ms N]
 *
 * --dwa N: wait for N DWAs to our own DWRs; --dwr N: wait for N DWRs of the
 * peer (answered); --failback N: wait for N watchdog failbacks (the test
 * freezes the peer until FAILOVER is printed). Exit 0 when the connection opened, the counts were
 * reached and the DPR was answered; 1 otherwise (deadline passed, stopped
 * without DPA, bad arguments).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "diam_peer.h"

static volatile sig_atomic_t quit;

static void
on_signal(int sig)
{
	(void)sig;
	quit = 1;
}

static uint64_t
now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000 + (uint64_t)ts.tv_nsec / 1000000;
}

static void
print_events(unsigned int ev, const struct jitsim_diam_fsm *f)
{
	if (ev & JITSIM_DIAM_EV_OPEN)
		printf("OPEN peer=%s realm=%s relay=%d\n", f->peer_host, f->peer_realm,
		       f->peer_relay ? 1 : 0);
	if (ev & JITSIM_DIAM_EV_FAILOVER)
		printf("FAILOVER\n");
	if (ev & JITSIM_DIAM_EV_FAILBACK)
		printf("FAILBACK\n");
	if (ev & JITSIM_DIAM_EV_RESTART)
		printf("RESTART\n");
	if (ev & JITSIM_DIAM_EV_DOWN)
		printf("DOWN\n");
	if (ev & JITSIM_DIAM_EV_STOPPED)
		printf("STOPPED\n");
	fflush(stdout);
}

/* No application traffic is expected: count and show what came. */
static void
rx_cb(void *arg, struct jitsim_diam_peer *p, const struct jitsim_diam_hdr *h, const uint8_t *msg,
      size_t len, unsigned int flags)
{
	(void)arg;
	(void)p;
	(void)msg;
	(void)flags;
	printf("APP cmd=%" PRIu32 " app=%" PRIu32 " len=%zu\n", h->cmd, h->app_id, len);
	fflush(stdout);
}

static void
usage(void)
{
	fprintf(stderr, "usage: diam_node (--connect|--listen) ADDR:PORT --host H --realm R "
			"[--tw-ms N] [--peer-host P] [--dwa N] [--dwr N] [--failback N] "
			"[--deadline-ms N]\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"connect", required_argument, NULL, 'c'},
		{"listen", required_argument, NULL, 'l'},
		{"host", required_argument, NULL, 'h'},
		{"realm", required_argument, NULL, 'r'},
		{"tw-ms", required_argument, NULL, 't'},
		{"peer-host", required_argument, NULL, 'p'},
		{"dwa", required_argument, NULL, 'a'},
		{"dwr", required_argument, NULL, 'w'},
		{"deadline-ms", required_argument, NULL, 'd'},
		{"failback", required_argument, NULL, 'f'},
		{NULL, 0, NULL, 0},
	};
	static const uint32_t s6a_cmds[] = {316, 317, 318, 319, 320, 321, 322, 323};
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_fsm_conf *fc = &c.fsm;
	struct jitsim_diam_peer *p;
	const char *addr = NULL;
	unsigned long want_dwa = 0, want_dwr = 0, want_failback = 0, deadline = 60000;
	bool stopping = false, stopped = false, opened = false;
	uint64_t t_end;
	char dump[1024];
	int o, rc;

	memset(&c, 0, sizeof(c));
	jitsim_diam_fsm_conf_defaults(fc);
	fc->role = JITSIM_DIAM_INITIATOR;
	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		switch (o) {
		case 'c':
		case 'l':
			fc->role = o == 'c' ? JITSIM_DIAM_INITIATOR : JITSIM_DIAM_RESPONDER;
			addr = optarg;
			break;
		case 'h':
			fc->id.host = optarg;
			break;
		case 'r':
			fc->id.realm = optarg;
			break;
		case 't':
			fc->tw_ms = (uint32_t)strtoul(optarg, NULL, 10);
			break;
		case 'p':
			fc->peer_host = optarg;
			break;
		case 'a':
			want_dwa = strtoul(optarg, NULL, 10);
			break;
		case 'w':
			want_dwr = strtoul(optarg, NULL, 10);
			break;
		case 'd':
			deadline = strtoul(optarg, NULL, 10);
			break;
		case 'f':
			want_failback = strtoul(optarg, NULL, 10);
			break;
		default:
			usage();
			return 1;
		}
	}
	if (addr == NULL || fc->id.host == NULL || fc->id.realm == NULL ||
	    jitsim_diam_parse_addr(addr, &c.addr, &c.addr_len) != 0) {
		usage();
		return 1;
	}
	fc->id.origin_state_id = (uint32_t)time(NULL);
	fc->product_name = "jitsim";
	fc->firmware_revision = 1;
	fc->supported_vendor[0] = JITSIM_DIAM_VENDOR_3GPP;
	fc->apps[0].app_id = JITSIM_S6A_APP_ID;
	fc->apps[0].vendor = JITSIM_DIAM_VENDOR_3GPP;
	memcpy(fc->apps[0].cmds, s6a_cmds, sizeof(s6a_cmds));
	fc->apps[0].n_cmds = 8;
	fc->n_apps = 1;
	/* Short waits: the test's peer is local. */
	fc->tc_min_ms = 200;
	fc->tc_ms = 2000;
	fc->seed = (uint32_t)now_ms();
	fc->e2e_seed = jitsim_diam_e2e_seed((uint64_t)time(NULL), (uint32_t)now_ms() * 2654435761u);
	if (fc->tw_ms < 2 * fc->tw_jitter_ms)
		fc->tw_jitter_ms = 0;

	p = jitsim_diam_peer_create(&c);
	if (p == NULL) {
		fprintf(stderr, "diam_node: bad configuration\n");
		return 1;
	}
	signal(SIGTERM, on_signal);
	signal(SIGINT, on_signal);
	rc = jitsim_diam_peer_start(p, now_ms());
	if (rc != 0) {
		fprintf(stderr, "diam_node: cannot listen on %s: %s\n", addr, strerror(-rc));
		jitsim_diam_peer_destroy(p);
		return 1;
	}
	printf("STARTED %s %s\n", fc->role == JITSIM_DIAM_INITIATOR ? "connect" : "listen", addr);
	fflush(stdout);
	t_end = now_ms() + deadline;
	while (!stopped) {
		struct jitsim_diam_fsm *f = jitsim_diam_peer_fsm(p);
		struct pollfd fds[2];
		unsigned int n = jitsim_diam_peer_pollfds(p, fds, 2), ev;
		uint64_t now = now_ms(), next = jitsim_diam_peer_next_ms(p);
		int to = next <= now ? 0 : next - now > 100 ? 100 : (int)(next - now);

		(void)poll(fds, n, to);
		now = now_ms();
		ev = jitsim_diam_peer_poll(p, now, rx_cb, NULL);
		print_events(ev, f);
		if (ev & JITSIM_DIAM_EV_OPEN)
			opened = true;
		if (ev & JITSIM_DIAM_EV_STOPPED)
			stopped = true;
		if (!stopping && (quit || now >= t_end ||
				  (opened && f->st.rx[JITSIM_DIAM_C_DWA] >= want_dwa &&
				   f->st.rx[JITSIM_DIAM_C_DWR] >= want_dwr &&
				   f->st.failbacks >= want_failback))) {
			stopping = true;
			printf("STOPPING\n");
			ev = jitsim_diam_peer_stop(p, now, JITSIM_DIAM_DC_REBOOTING);
			print_events(ev, f);
			stopped = ev & JITSIM_DIAM_EV_STOPPED;
		}
	}
	jitsim_diam_fsm_dump(jitsim_diam_peer_fsm(p), dump, sizeof(dump));
	printf("STATS %s oversize=%" PRIu64 " bad_framing=%" PRIu64 "\n", dump,
	       jitsim_diam_peer_stats(p)->oversize, jitsim_diam_peer_stats(p)->bad_framing);
	rc = opened && jitsim_diam_peer_fsm(p)->st.rx[JITSIM_DIAM_C_DPA] == 1 &&
			     jitsim_diam_peer_fsm(p)->st.rx[JITSIM_DIAM_C_DWA] >= want_dwa &&
			     jitsim_diam_peer_fsm(p)->st.rx[JITSIM_DIAM_C_DWR] >= want_dwr &&
			     jitsim_diam_peer_fsm(p)->st.failbacks >= want_failback
		     ? 0
		     : 1;
	jitsim_diam_peer_destroy(p);
	return rc;
}
