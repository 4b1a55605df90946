/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * bench_ss7: the load side of the SS7 benchmark (issue 8, tests/bench/bench_ss7.sh).
 *
 *   echo   the baseline: a plain SCTP association (one-to-one socket) to an
 *          echo server (tests/sctp/ss7peer echo); the same M3UA DATA
 *          messages as the relay run (SendAuthenticationInfo Begins, one per
 *          IMSI, from the VLR's PC to jitsim's) go out with a window of W
 *          outstanding and come back; each one received is decoded (M3UA,
 *          SCCP) and checked. Messages/s.
 *   relay  jitsim-dp's [ss7] ASP connects to us (we are its SGP/STP); we
 *          send the SAIs of ACTIVE SIMs to jitsim's PC, its worker relays
 *          each to the region's HLR (MTP3 DPC = HLR PC, SCCP called party =
 *          HLR GT) over the same association; every relayed copy is decoded
 *          and checked (DPC, OPC, called GT). Messages/s.
 *   fta    the same association, the VLR side of first attaches of
 *          INVENTORY SIMs answered by jitsim-cp's FTA engine: SAI -> End
 *          (vectors), UL -> Continue(ISD) -> our ISD result -> End (UL
 *          result); W attaches at a time; CancelLocation Begins (the
 *          handover) are answered. A UL that jitsim relays to the region's
 *          HLR instead (the SIM became ACTIVE before the UL got there) is
 *          answered as that HLR would, and counted apart. --ul-at-once
 *          sends the UL right behind the SAI instead of after its answer.
 *          Attaches/s and the UL -> UL result latency (p50, p99, max).
 *
 * Each prints one JSON line {"ev":"result",...}; exit 0 when every message
 * (or attach) came back as expected, 1 when any did not or nothing moved
 * for --idle seconds (a liveness guard, not a performance limit), 2 usage,
 * 3 the association never became ACTIVE.
 *
 * One thread, poll(2), everything allocated before the clock starts.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/wbuf.h>
#include <jitsim/shm.h>

#include "sctp_sock.h"
#include "sig_link.h"

#define EXIT_BAD 1
#define EXIT_USAGE 2
#define EXIT_LINK 3

#define MSG_BUF 1024
#define SI_SCCP 3
#define SCCP_PCLASS 0x80 /* class 0, return on error (Q.713 3.6) */
#define STREAMS 16	 /* DATA streams 1..16, as sig_link picks them by SLS */
#define SLOT_TID_BASE 0x10000000u

enum mode { MODE_ECHO, MODE_RELAY, MODE_FTA };

struct msg {
	uint16_t len;
	uint8_t b[512];
};

/*
 * One attach in flight (fta): its SAI and UL dialogues, each with its own
 * tid SLOT_TID_BASE + slot * 256 + gen (gen counts the dialogues the slot
 * began), so an answer finds its slot and a late answer of an attach
 * given up finds nothing.
 */
struct attach {
	bool busy;
	bool sai_open, ul_open;
	uint8_t gen;
	uint32_t sim;
	struct jitsim_map_fta_dialogue sai, ul;
	uint64_t t_ul; /* ns */
	double lat_ms; /* UL -> UL result */
};

struct bench {
	enum mode mode;
	unsigned long n, window, n_imsi;
	uint64_t imsi_first;
	unsigned int idle_s, connect_s;
	uint32_t opc, dpc, hlr_pc, rc;
	bool has_rc;
	uint8_t ni;
	struct jitsim_digits vlr_gt, hlr_gt;
	struct jitsim_sccp_addr own;
	struct sockaddr_storage addr;
	socklen_t addr_len;

	struct msg *msgs; /* n_imsi prepared requests (SCCP, or M3UA for echo) */

	/* progress */
	uint64_t sent, got, ok, bad;
	uint64_t t_first, t_last; /* ns */
	uint64_t t_progress;	  /* ns, last time something came back */

	/* relay/fta */
	struct jitsim_sig_link *link;

	/* fta */
	struct attach *att;
	uint64_t next_sim, done, failed, cancels, sai_ok, isd_seen, ul_relayed;
	bool ul_at_once; /* UL right behind the SAI, not after its answer */
	double *lat_ms;
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* ---- parsing --------------------------------------------------------------- */

static int
parse_ulong(const char *s, unsigned long min, unsigned long max, unsigned long *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	return errno || *end != '\0' || *v < min || *v > max ? -1 : 0;
}

/* ITU point code: "a.b.c" (3-8-3) or 0..16383. */
static int
parse_pc(const char *s, uint32_t *pc)
{
	unsigned int a, b, c;
	unsigned long v;
	char tail;

	if (sscanf(s, "%u.%u.%u%c", &a, &b, &c, &tail) == 3) {
		if (a > 7 || b > 255 || c > 7)
			return -1;
		*pc = (a << 11) | (b << 3) | c;
		return 0;
	}
	if (parse_ulong(s, 1, 0x3fff, &v) < 0)
		return -1;
	*pc = (uint32_t)v;
	return 0;
}

static int
parse_gt(const char *s, struct jitsim_digits *d)
{
	size_t n = strlen(s);

	if (n == 0 || n > 15 || strspn(s, "0123456789") != n)
		return -1;
	jitsim_digits_set(d, s);
	return 0;
}

/* ---- the requests -------------------------------------------------------------- */

static void
imsi_digits(const struct bench *b, uint64_t i, struct jitsim_digits *d)
{
	char s[24];

	snprintf(s, sizeof(s), "%015" PRIu64, b->imsi_first + i);
	jitsim_digits_set(d, s);
}

/* E.212 global title of the IMSI toward its HLR (SSN 6), as a VLR sends an SAI. */
static void
called_of(const struct jitsim_digits *imsi, struct jitsim_sccp_addr *a)
{
	memset(a, 0, sizeof(*a));
	a->gti = 4;
	a->np = 6;
	a->nai = 4;
	a->digits = *imsi;
	a->has_ssn = true;
	a->ssn = JITSIM_SSN_HLR;
}

/* Wrap the TC message in @p w into a UDT from our address to @p called. */
static enum jitsim_reason
wrap_udt(const struct bench *b, struct jitsim_wbuf *w, const struct jitsim_sccp_addr *called)
{
	struct jitsim_sccp s;

	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = SCCP_PCLASS;
	s.called = *called;
	s.calling = b->own;
	return jitsim_sccp_encode(w, &s);
}

/*
 * A whole request of @p opcode (SAI v3 for 1 vector, or UL v3) for SIM
 * @p sim, in dialogue @p d (begun by the caller), as SCCP UDT in @p w.
 */
static enum jitsim_reason
encode_request(const struct bench *b, uint64_t sim, uint8_t opcode,
	       struct jitsim_map_fta_dialogue *d, struct jitsim_wbuf *w)
{
	uint8_t pbuf[256];
	struct jitsim_wbuf pw;
	struct jitsim_map_ids ids;
	struct jitsim_sccp_addr called;
	struct jitsim_tcap_component c;
	enum jitsim_reason r;

	memset(&ids, 0, sizeof(ids));
	ids.has_imsi = true;
	imsi_digits(b, sim, &ids.imsi);
	if (opcode == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO) {
		ids.n_vectors = 1;
	} else {
		ids.has_msc = ids.has_vlr = true;
		ids.msc = ids.vlr = b->vlr_gt;
	}
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	r = jitsim_map_encode_invoke(&pw, opcode, 3, &ids);
	if (r != JITSIM_R_OK)
		return r;
	c = jitsim_map_fta_comp_invoke(1, opcode, jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	r = jitsim_map_fta_tc_encode(w, d, JITSIM_TCAP_BEGIN, &c, 1);
	if (r != JITSIM_R_OK)
		return r;
	called_of(&ids.imsi, &called);
	return wrap_udt(b, w, &called);
}

/*
 * The n_imsi SAI Begins of echo/relay, built once: one per IMSI, each its
 * own otid. Echo gets them wrapped in M3UA DATA (what goes on the wire);
 * relay hands the SCCP part to sig_link, which adds the same header.
 */
static int
prepare_msgs(struct bench *b)
{
	unsigned long i;

	b->msgs = calloc(b->n_imsi, sizeof(*b->msgs));
	if (b->msgs == NULL)
		return -1;
	for (i = 0; i < b->n_imsi; i++) {
		struct jitsim_map_fta_dialogue d;
		struct jitsim_wbuf w;
		enum jitsim_reason r;

		jitsim_map_fta_dialogue_begin(&d, SLOT_TID_BASE + (uint32_t)i,
					      JITSIM_MAP_AC_INFO_RETRIEVAL, 3);
		/* Tail room for the M3UA padding (to 4 octets, RFC 4666 3.1). */
		jitsim_wbuf_init(&w, b->msgs[i].b, sizeof(b->msgs[i].b), sizeof(b->msgs[i].b) - 8);
		r = encode_request(b, i, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, &d, &w);
		if (r == JITSIM_R_OK && b->mode == MODE_ECHO) {
			struct jitsim_m3ua m;

			memset(&m, 0, sizeof(m));
			m.has_rc = b->has_rc;
			m.rc = b->rc;
			m.opc = b->opc;
			m.dpc = b->dpc;
			m.si = SI_SCCP;
			m.ni = b->ni;
			m.sls = (uint8_t)(i % STREAMS);
			r = jitsim_m3ua_encode_data(&w, &m);
		}
		if (r != JITSIM_R_OK) {
			fprintf(stderr, "bench_ss7: encode of request %lu: %s\n", i,
				jitsim_reason_str(r));
			return -1;
		}
		b->msgs[i].len = (uint16_t)jitsim_wbuf_len(&w);
		memmove(b->msgs[i].b, jitsim_wbuf_data(&w), b->msgs[i].len);
	}
	return 0;
}

/* ---- result ------------------------------------------------------------------------ */

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

static double
pct(const double *v, uint64_t n, double p)
{
	uint64_t i;

	if (n == 0)
		return 0;
	i = (uint64_t)(p * (double)(n - 1) + 0.5);
	return v[i < n ? i : n - 1];
}

static const char *
mode_name(enum mode m)
{
	return m == MODE_ECHO ? "echo" : m == MODE_RELAY ? "relay" : "fta";
}

static int
report(struct bench *b, bool stalled)
{
	double secs = b->t_last > b->t_first ? (double)(b->t_last - b->t_first) / 1e9 : 0;
	uint64_t units = b->mode == MODE_FTA ? b->done : b->ok;
	bool good;

	printf("{\"ev\":\"result\",\"mode\":\"%s\",\"n\":%lu,\"window\":%lu,\"imsis\":%lu,"
	       "\"sent\":%" PRIu64 ",\"ok\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"secs\":%.3f,"
	       "\"per_s\":%.1f,\"stalled\":%s,\"ul_at_once\":%s",
	       mode_name(b->mode), b->n, b->window, b->n_imsi, b->sent, units, b->bad, secs,
	       secs > 0 ? (double)units / secs : 0.0, stalled ? "true" : "false",
	       b->ul_at_once ? "true" : "false");
	if (b->mode == MODE_FTA) {
		qsort(b->lat_ms, b->done, sizeof(double), cmp_double);
		printf(",\"failed\":%" PRIu64 ",\"sai_ok\":%" PRIu64 ",\"isd\":%" PRIu64
		       ",\"ul_relayed\":%" PRIu64 ",\"cancels\":%" PRIu64
		       ",\"ul_p50_ms\":%.2f,\"ul_p99_ms\":%.2f,\"ul_max_ms\":%.2f",
		       b->failed, b->sai_ok, b->isd_seen, b->ul_relayed, b->cancels,
		       pct(b->lat_ms, b->done, 0.5), pct(b->lat_ms, b->done, 0.99),
		       b->done ? b->lat_ms[b->done - 1] : 0.0);
		good = b->done == b->n && b->failed == 0 && b->bad == 0;
	} else {
		good = b->ok == b->n && b->bad == 0;
	}
	printf("}\n");
	fflush(stdout);
	return good && !stalled && !stop_flag ? 0 : EXIT_BAD;
}

/* True when nothing came back for --idle seconds. */
static bool
stalled(const struct bench *b)
{
	return now_ns() - b->t_progress > (uint64_t)b->idle_s * 1000000000ull;
}

/* ---- echo ---------------------------------------------------------------------------- */

/* An echoed message: the SAI we sent, intact. */
static bool
check_echo(const struct bench *b, const uint8_t *p, size_t len)
{
	struct jitsim_m3ua m;
	struct jitsim_sccp s;

	return jitsim_m3ua_decode(p, len, &m) == JITSIM_R_OK && m.opc == b->opc &&
	       m.dpc == b->dpc && jitsim_sccp_decode(m.data, m.data_len, &s) == JITSIM_R_OK &&
	       s.called.gti == 4 && s.called.np == 6 && s.called.digits.n == 15;
}

static int
run_echo(struct bench *b)
{
	static uint8_t buf[65536];
	struct pollfd pfd;
	uint64_t until = now_ns() + (uint64_t)b->connect_s * 1000000000ull;
	int fd, r;

	fd = jitsim_sctp_connect(NULL, 0, (const struct sockaddr *)&b->addr, b->addr_len,
				 JITSIM_SCTP_DEFAULT_STREAMS, JITSIM_SCTP_DEFAULT_STREAMS);
	if (fd < 0) {
		fprintf(stderr, "bench_ss7: echo connect: %s\n", strerror(-fd));
		return EXIT_LINK;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	while (poll(&pfd, 1, 100) <= 0 && !stop_flag && now_ns() < until)
		;
	r = jitsim_sctp_connect_result(fd);
	if (r < 0) {
		fprintf(stderr, "bench_ss7: echo connect: %s\n", strerror(-r));
		jitsim_sctp_abort_close(fd);
		return EXIT_LINK;
	}
	b->t_first = b->t_progress = now_ns();
	while (!stop_flag && b->got < b->n) {
		bool blocked = false;

		while (b->sent < b->n && b->sent - b->got < b->window) {
			const struct msg *m = &b->msgs[b->sent % b->n_imsi];

			r = jitsim_sctp_send(fd, m->b, m->len, (uint16_t)(1 + b->sent % STREAMS),
					     JITSIM_SCTP_PPID_M3UA);
			if (r == -EAGAIN) {
				blocked = true;
				break;
			}
			if (r < 0) {
				fprintf(stderr, "bench_ss7: echo send: %s\n", strerror(-r));
				goto out;
			}
			b->sent++;
		}
		pfd.events = POLLIN | (blocked ? POLLOUT : 0);
		if (poll(&pfd, 1, 100) <= 0) {
			if (stalled(b))
				break;
			continue;
		}
		for (;;) {
			struct jitsim_sctp_rx rx;

			r = jitsim_sctp_recv(fd, buf, sizeof(buf), &rx);
			if (r <= 0)
				break;
			if (rx.kind != JITSIM_SCTP_RX_DATA)
				continue;
			b->got++;
			if (rx.eor && check_echo(b, buf, (size_t)r))
				b->ok++;
			else
				b->bad++;
			b->t_last = b->t_progress = now_ns();
		}
		if (r == 0 || (r < 0 && r != -EAGAIN)) {
			fprintf(stderr, "bench_ss7: echo association lost\n");
			break;
		}
	}
out:
	r = report(b, b->got < b->n && !stop_flag);
	jitsim_sctp_abort_close(fd);
	return r;
}

/* ---- relay and fta: M3UA over sig_link ------------------------------------------------ */

static void
link_poll(struct bench *b, int max_wait_ms, jitsim_sig_link_rx_fn cb)
{
	struct pollfd pfd[2];
	unsigned int n = jitsim_sig_link_pollfds(b->link, pfd, 2);
	int t = jitsim_sig_link_timeout_ms(b->link, jitsim_sig_link_now_ms());

	if (t < 0 || t > max_wait_ms)
		t = max_wait_ms;
	poll(pfd, n, t);
	jitsim_sig_link_poll(b->link, jitsim_sig_link_now_ms(), cb, b);
}

/* From @p opc: 0 sent, -EAGAIN socket full (retry), other -errno: give up. */
static int
send_sccp_from(struct bench *b, uint32_t opc, uint32_t dpc, uint8_t sls, const uint8_t *p,
	       size_t len)
{
	return jitsim_sig_link_send_data(b->link, opc, dpc, SI_SCCP, b->ni, 0, sls, p, len);
}

static int
send_sccp(struct bench *b, uint32_t dpc, uint8_t sls, const uint8_t *p, size_t len)
{
	return send_sccp_from(b, b->opc, dpc, sls, p, len);
}

static void
on_relayed(void *arg, struct jitsim_sig_link *l, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct bench *b = arg;
	struct jitsim_sccp s;
	bool good;

	(void)l;
	(void)stream;
	/* jitsim's relay: DPC = the region's HLR, OPC = jitsim, called = HLR GT. */
	good = m->dpc == b->hlr_pc && m->opc == b->dpc &&
	       jitsim_sccp_decode(m->data, m->data_len, &s) == JITSIM_R_OK && s.called.gti == 4 &&
	       strcmp(s.called.digits.d, b->hlr_gt.d) == 0;
	b->got++;
	if (good)
		b->ok++;
	else
		b->bad++;
	b->t_last = b->t_progress = now_ns();
}

/* Wait until the peer's ASP is ACTIVE on our SGP link. */
static bool
wait_active(struct bench *b, jitsim_sig_link_rx_fn cb)
{
	uint64_t until = now_ns() + (uint64_t)b->connect_s * 1000000000ull;

	while (!stop_flag && now_ns() < until) {
		if (jitsim_sig_link_state(b->link) == JITSIM_ASP_ACTIVE)
			return true;
		link_poll(b, 100, cb);
	}
	fprintf(stderr, "bench_ss7: no ACTIVE ASP within %u s\n", b->connect_s);
	return false;
}

static void
link_stop(struct bench *b, jitsim_sig_link_rx_fn cb)
{
	uint64_t until = now_ns() + 3000000000ull;

	jitsim_sig_link_stop(b->link, jitsim_sig_link_now_ms());
	while (!jitsim_sig_link_stopped(b->link) && now_ns() < until)
		link_poll(b, 50, cb);
}

static int
run_relay(struct bench *b)
{
	int rc;

	if (!wait_active(b, on_relayed))
		return EXIT_LINK;
	printf("{\"ev\":\"active\",\"mode\":\"relay\"}\n");
	b->t_first = b->t_progress = now_ns();
	while (!stop_flag && b->got < b->n) {
		while (b->sent < b->n && b->sent - b->got < b->window) {
			const struct msg *m = &b->msgs[b->sent % b->n_imsi];
			int r = send_sccp(b, b->dpc, (uint8_t)(b->sent % STREAMS), m->b, m->len);

			if (r == -EAGAIN)
				break;
			if (r < 0) {
				fprintf(stderr, "bench_ss7: relay send: %s\n", strerror(-r));
				goto out;
			}
			b->sent++;
		}
		link_poll(b, 100, on_relayed);
		if (stalled(b))
			break;
	}
out:
	rc = report(b, b->got < b->n && !stop_flag);
	link_stop(b, on_relayed);
	return rc;
}

/* ---- fta: first attaches ------------------------------------------------------------------ */

static struct attach *
slot_of(struct bench *b, uint32_t dtid, bool *is_ul)
{
	struct attach *a;
	uint32_t i;

	if (dtid < SLOT_TID_BASE)
		return NULL;
	i = (dtid - SLOT_TID_BASE) / 256u;
	if (i >= b->window || !b->att[i].busy)
		return NULL;
	a = &b->att[i];
	*is_ul = a->ul_open && a->ul.own_tid == dtid;
	if (*is_ul || (a->sai_open && a->sai.own_tid == dtid))
		return a;
	return NULL;
}

/* Begin @p opcode (SAI or UL) of attach @p a in a new dialogue. 0 or -1. */
static int
att_begin(struct bench *b, struct attach *a, uint8_t opcode)
{
	bool sai = opcode == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO;
	struct jitsim_map_fta_dialogue *d = sai ? &a->sai : &a->ul;
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;
	int r = -EAGAIN;

	a->gen++;
	jitsim_map_fta_dialogue_begin(
		d, SLOT_TID_BASE + (uint32_t)(a - b->att) * 256u + a->gen,
		sai ? JITSIM_MAP_AC_INFO_RETRIEVAL : JITSIM_MAP_AC_NETWORK_LOC_UP, 3);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (encode_request(b, a->sim, opcode, d, &w) != JITSIM_R_OK)
		return -1;
	/* A full socket is the only transient failure: wait for room a little. */
	for (int i = 0; i < 1000 && r == -EAGAIN; i++) {
		r = send_sccp(b, b->dpc, (uint8_t)(a->sim % STREAMS), jitsim_wbuf_data(&w),
			      jitsim_wbuf_len(&w));
		if (r == -EAGAIN)
			poll(NULL, 0, 1);
	}
	if (r < 0)
		return -1;
	b->sent++;
	if (sai) {
		a->sai_open = true;
	} else {
		a->ul_open = true;
		a->t_ul = now_ns();
	}
	return 0;
}

/* Start the next SIM's attach in slot @p a, or leave it idle. */
static void
att_next(struct bench *b, struct attach *a)
{
	a->busy = false;
	while (b->next_sim < b->n && !stop_flag) {
		a->sim = (uint32_t)b->next_sim++;
		a->sai_open = a->ul_open = false;
		if (att_begin(b, a, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO) == 0 &&
		    (!b->ul_at_once || att_begin(b, a, JITSIM_MAP_OP_UPDATE_LOCATION) == 0)) {
			a->busy = true;
			return;
		}
		b->failed++;
	}
}

static void
att_fail(struct bench *b, struct attach *a)
{
	b->failed++;
	att_next(b, a);
}

/* Both dialogues over: the attach counts, the slot takes the next SIM. */
static void
att_maybe_done(struct bench *b, struct attach *a)
{
	if (a->sai_open || a->ul_open)
		return;
	b->lat_ms[b->done++] = a->lat_ms;
	b->t_last = now_ns();
	att_next(b, a);
}

static int
send_answer(struct bench *b, struct jitsim_wbuf *w, const struct jitsim_sccp *req, uint32_t to)
{
	if (jitsim_map_fta_sccp_answer(w, req, &b->own) != JITSIM_R_OK)
		return -1;
	return send_sccp(b, to, 0, jitsim_wbuf_data(w), jitsim_wbuf_len(w)) < 0 ? -1 : 0;
}

/*
 * An UpdateLocation relayed by jitsim to the region's HLR: the SIM became
 * ACTIVE (jitsim-cp's PUT reached the table) between our SAI and our UL,
 * so the worker relays it as for any ACTIVE SIM. We play that HLR: End
 * with the UL result (hlr-Number = the HLR's GT) from the HLR's address,
 * which jitsim relays back to the VLR's address (its PC) and ends the
 * attach there. Counted apart from the attaches jitsim-cp answered.
 */
static void
fta_hlr_ul(struct bench *b, const struct jitsim_sccp *s, const struct jitsim_tcap *tc,
	   uint32_t from)
{
	const struct jitsim_tcap_component *c = &tc->comp[0];
	struct jitsim_sccp_addr hlr;
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component res;
	uint8_t pbuf[128], buf[MSG_BUF];
	struct jitsim_wbuf pw, w;

	memset(&hlr, 0, sizeof(hlr));
	hlr.gti = 4;
	hlr.np = 1;
	hlr.nai = 4;
	hlr.digits = b->hlr_gt;
	hlr.has_ssn = true;
	hlr.ssn = JITSIM_SSN_HLR;
	hlr.has_pc = true;
	hlr.pc = (uint16_t)b->hlr_pc;
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (jitsim_map_fta_dialogue_answer(&d, tc, 0x0e000000u) != JITSIM_R_OK ||
	    jitsim_map_fta_ul_res_encode(&pw, &b->hlr_gt) != JITSIM_R_OK) {
		b->bad++;
		return;
	}
	res = jitsim_map_fta_comp_result(c->invoke_id, c->opcode, jitsim_wbuf_data(&pw),
					 jitsim_wbuf_len(&pw));
	if (jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &res, 1) != JITSIM_R_OK ||
	    jitsim_map_fta_sccp_answer(&w, s, &hlr) != JITSIM_R_OK ||
	    send_sccp_from(b, b->hlr_pc, from, 0, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w)) < 0) {
		b->bad++;
		return;
	}
	b->ul_relayed++;
}

/* jitsim-cp's CancelLocation (the handover): answered with an empty result. */
static void
fta_incoming_begin(struct bench *b, const struct jitsim_sccp *s, const struct jitsim_tcap *tc,
		   uint32_t from, uint32_t dpc)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component res;
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;

	if (dpc == b->hlr_pc && tc->n_comp >= 1 && tc->comp[0].type == JITSIM_TCAP_INVOKE &&
	    tc->comp[0].has_opcode && tc->comp[0].opcode == JITSIM_MAP_OP_UPDATE_LOCATION) {
		fta_hlr_ul(b, s, tc, from);
		return;
	}
	if (tc->n_comp < 1 || tc->comp[0].type != JITSIM_TCAP_INVOKE || !tc->comp[0].has_opcode ||
	    tc->comp[0].opcode != JITSIM_MAP_OP_CANCEL_LOCATION ||
	    jitsim_map_fta_dialogue_answer(&d, tc, 0x0f000000u) != JITSIM_R_OK) {
		b->bad++;
		return;
	}
	b->cancels++;
	res = jitsim_map_fta_comp_result(tc->comp[0].invoke_id, tc->comp[0].opcode, NULL, 0);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &res, 1) != JITSIM_R_OK ||
	    send_answer(b, &w, s, from) < 0)
		b->bad++;
}

static void
fta_dialogue_msg(struct bench *b, struct attach *a, bool is_ul, const struct jitsim_sccp *s,
		 const struct jitsim_tcap *tc, uint32_t from)
{
	struct jitsim_map_fta_dialogue *d = is_ul ? &a->ul : &a->sai;
	unsigned int i;

	if (tc->type == JITSIM_TCAP_ABORT) {
		att_fail(b, a);
		return;
	}
	if (tc->type == JITSIM_TCAP_CONTINUE && d->peer_tid_len == 0 &&
	    jitsim_map_fta_dialogue_peer(d, tc) != JITSIM_R_OK) {
		att_fail(b, a);
		return;
	}
	for (i = 0; i < tc->n_comp; i++) {
		const struct jitsim_tcap_component *c = &tc->comp[i];

		if (c->type == JITSIM_TCAP_INVOKE && c->has_opcode &&
		    c->opcode == JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA && is_ul &&
		    tc->type == JITSIM_TCAP_CONTINUE) {
			/* Accept the profile: ReturnResultLast without a result (TS 29.002 8.8.1).
			 */
			struct jitsim_tcap_component res =
				jitsim_map_fta_comp_result(c->invoke_id, c->opcode, NULL, 0);
			uint8_t buf[MSG_BUF];
			struct jitsim_wbuf w;

			b->isd_seen++;
			jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
			if (jitsim_map_fta_tc_encode(&w, d, JITSIM_TCAP_CONTINUE, &res, 1) !=
				    JITSIM_R_OK ||
			    send_answer(b, &w, s, from) < 0) {
				att_fail(b, a);
				return;
			}
			b->sent++;
			continue;
		}
		if (c->type == JITSIM_TCAP_ERROR || c->type == JITSIM_TCAP_REJECT) {
			att_fail(b, a);
			return;
		}
		if (c->type == JITSIM_TCAP_RESULT_LAST && tc->type == JITSIM_TCAP_END) {
			if (!is_ul) {
				b->sai_ok++;
				a->sai_open = false;
				if (!b->ul_at_once &&
				    att_begin(b, a, JITSIM_MAP_OP_UPDATE_LOCATION) < 0)
					att_fail(b, a);
				else
					att_maybe_done(b, a);
				return;
			}
			a->lat_ms = (double)(now_ns() - a->t_ul) / 1e6;
			a->ul_open = false;
			att_maybe_done(b, a);
			return;
		}
	}
	if (tc->type == JITSIM_TCAP_END)
		att_fail(b, a);
}

static void
on_fta(void *arg, struct jitsim_sig_link *l, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct bench *b = arg;
	struct jitsim_sccp s;
	struct jitsim_tcap tc;
	struct attach *a;
	bool is_ul = false;

	(void)l;
	(void)stream;
	b->got++;
	b->t_progress = now_ns();
	memset(&tc, 0, sizeof(tc));
	if (jitsim_sccp_decode(m->data, m->data_len, &s) != JITSIM_R_OK ||
	    jitsim_tcap_decode(s.data, s.data_len, &tc) != JITSIM_R_OK) {
		b->bad++;
		return;
	}
	if (tc.type == JITSIM_TCAP_BEGIN) {
		fta_incoming_begin(b, &s, &tc, m->opc, m->dpc);
		return;
	}
	a = tc.has_dtid ? slot_of(b, tc.dtid, &is_ul) : NULL;
	if (a == NULL) {
		b->bad++;
		return;
	}
	fta_dialogue_msg(b, a, is_ul, &s, &tc, m->opc);
}

static int
run_fta(struct bench *b)
{
	unsigned long i;
	uint64_t linger_until;
	int rc;

	if (!wait_active(b, on_fta))
		return EXIT_LINK;
	printf("{\"ev\":\"active\",\"mode\":\"fta\"}\n");
	b->t_first = b->t_progress = now_ns();
	for (i = 0; i < b->window && b->next_sim < b->n; i++)
		att_next(b, &b->att[i]);
	while (!stop_flag && b->done + b->failed < b->n) {
		link_poll(b, 100, on_fta);
		if (stalled(b))
			break;
	}
	rc = report(b, b->done + b->failed < b->n && !stop_flag);
	/* The handovers of the last attaches: answered, not measured. */
	linger_until = now_ns() + 3000000000ull;
	while (!stop_flag && now_ns() < linger_until)
		link_poll(b, 100, on_fta);
	printf("{\"ev\":\"cancels\",\"cancels\":%" PRIu64 ",\"bad\":%" PRIu64 "}\n", b->cancels,
	       b->bad);
	link_stop(b, on_fta);
	return rc;
}

/* ---- main ---------------------------------------------------------------------------------- */

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: bench_ss7 echo  --remote A:P [common]\n"
		"       bench_ss7 relay --listen A:P [common]\n"
		"       bench_ss7 fta   --listen A:P [common]\n"
		"\n"
		"echo: plain SCTP to an echo server (ss7peer echo): M3UA DATA SAIs, W in flight.\n"
		"relay: we are the SGP jitsim-dp's [ss7] asp connects to; SAIs of ACTIVE SIMs\n"
		"  to jitsim, each relayed copy (DPC = --hlr-pc, called GT = --hlr-gt) counted.\n"
		"fta: same link; first attaches (SAI, UL, ISD, UL result) of INVENTORY SIMs\n"
		"  answered by jitsim-cp; W at a time; latency UL -> UL result. A UL that\n"
		"  jitsim relays to the HLR (the SIM became ACTIVE first) is answered as\n"
		"  that HLR and counted as ul_relayed. --ul-at-once: the UL goes right\n"
		"  behind the SAI (not after its answer), so it finds the SIM still\n"
		"  activating and jitsim-cp answers it with ISD once the SIM is ACTIVE.\n"
		"\n"
		"common:\n"
		"  -n N             messages (echo, relay) or attaches (fta) (default 10000)\n"
		"  -w W             in flight (default 64)\n"
		"  --imsi-first I   first IMSI, 15 digits (default 001010000000001)\n"
		"  --imsis K        distinct IMSIs cycled through (echo, relay; default 1000)\n"
		"  --opc PC         the VLR's point code (default 0.23.1)\n"
		"  --dpc PC         jitsim's point code (default 0.23.2)\n"
		"  --gt GT          the VLR's GT, also MSC/VLR number (default 491770000001)\n"
		"  --hlr-pc PC      the region's HLR as jitsim relays to it (default 0.23.3)\n"
		"  --hlr-gt GT      and its GT (default 491770000003)\n"
		"  --rc N           routing context (default none)\n"
		"  --ni N           network indicator (default 2)\n"
		"  --idle S         give up when nothing comes back for S s (default 30)\n"
		"  --connect S      wait this long for the association (default 120)\n"
		"Prints {\"ev\":\"result\",...,\"per_s\":R}; exit 0 all as expected, 1 not,\n"
		"2 usage, 3 no association.\n");
}

int
main(int argc, char **argv)
{
	enum {
		O_REMOTE = 256,
		O_LISTEN,
		O_HLRPC,
		O_HLRGT,
		O_FIRST,
		O_IMSIS,
		O_OPC,
		O_DPC,
		O_GT,
		O_RC,
		O_NI,
		O_IDLE,
		O_CONN,
		O_ATONCE
	};
	static const struct option opts[] = {
		{"remote", required_argument, NULL, O_REMOTE},
		{"listen", required_argument, NULL, O_LISTEN},
		{"hlr-pc", required_argument, NULL, O_HLRPC},
		{"hlr-gt", required_argument, NULL, O_HLRGT},
		{"imsi-first", required_argument, NULL, O_FIRST},
		{"imsis", required_argument, NULL, O_IMSIS},
		{"opc", required_argument, NULL, O_OPC},
		{"dpc", required_argument, NULL, O_DPC},
		{"gt", required_argument, NULL, O_GT},
		{"rc", required_argument, NULL, O_RC},
		{"ni", required_argument, NULL, O_NI},
		{"idle", required_argument, NULL, O_IDLE},
		{"connect", required_argument, NULL, O_CONN},
		{"ul-at-once", no_argument, NULL, O_ATONCE},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct bench bench;
	struct bench *b = &bench;
	struct jitsim_sig_link_conf lc;
	struct sigaction sa;
	bool has_addr = false;
	unsigned long v;
	int o, rc;

	if (argc < 2 || strcmp(argv[1], "-h") == 0 || strcmp(argv[1], "--help") == 0) {
		usage(argc < 2 ? stderr : stdout);
		return argc < 2 ? EXIT_USAGE : 0;
	}
	if (strcmp(argv[1], "echo") == 0)
		b->mode = MODE_ECHO;
	else if (strcmp(argv[1], "relay") == 0)
		b->mode = MODE_RELAY;
	else if (strcmp(argv[1], "fta") == 0)
		b->mode = MODE_FTA;
	else {
		fprintf(stderr, "bench_ss7: unknown mode '%s' (echo, relay, fta)\n", argv[1]);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	b->n = 10000;
	b->window = 64;
	b->n_imsi = 1000;
	b->imsi_first = 1010000000001ull;
	b->idle_s = 30;
	b->connect_s = 120;
	b->ni = 2;
	b->opc = (0u << 11) | (23u << 3) | 1u;
	b->dpc = (0u << 11) | (23u << 3) | 2u;
	jitsim_digits_set(&b->vlr_gt, "491770000001");
	b->hlr_pc = (0u << 11) | (23u << 3) | 3u;
	jitsim_digits_set(&b->hlr_gt, "491770000003");

	while ((o = getopt_long(argc, argv, "n:w:h", opts, NULL)) != -1) {
		const char *bad = NULL;

		switch (o) {
		case 'h':
			usage(stdout);
			return 0;
		case 'n':
			if (parse_ulong(optarg, 1, 100000000, &b->n) < 0)
				bad = "-n (1..100000000)";
			break;
		case 'w':
			if (parse_ulong(optarg, 1, 4096, &b->window) < 0)
				bad = "-w (1..4096)";
			break;
		case O_REMOTE:
		case O_LISTEN:
			if ((o == O_REMOTE) != (b->mode == MODE_ECHO))
				bad = o == O_REMOTE ? "--remote (echo only)"
						    : "--listen (relay, fta)";
			else if (jitsim_sctp_parse_addr(optarg, &b->addr, &b->addr_len) < 0)
				bad = "--remote/--listen (ADDR:PORT)";
			has_addr = true;
			break;
		case O_HLRPC:
			if (parse_pc(optarg, &b->hlr_pc) < 0)
				bad = "--hlr-pc";
			break;
		case O_HLRGT:
			if (parse_gt(optarg, &b->hlr_gt) < 0)
				bad = "--hlr-gt (1..15 digits)";
			break;
		case O_FIRST:
			/* Decimal: a leading 0 (MCC 001) is no octal prefix here. */
			if (strlen(optarg) != 15 || strspn(optarg, "0123456789") != 15)
				bad = "--imsi-first (15 digits)";
			else
				b->imsi_first = strtoull(optarg, NULL, 10);
			break;
		case O_IMSIS:
			if (parse_ulong(optarg, 1, 1000000, &b->n_imsi) < 0)
				bad = "--imsis (1..1000000)";
			break;
		case O_OPC:
		case O_DPC:
			if (parse_pc(optarg, o == O_OPC ? &b->opc : &b->dpc) < 0)
				bad = "--opc/--dpc (a.b.c or 1..16383)";
			break;
		case O_GT:
			if (parse_gt(optarg, &b->vlr_gt) < 0)
				bad = "--gt (1..15 digits)";
			break;
		case O_RC:
			if (parse_ulong(optarg, 0, UINT32_MAX, &v) < 0)
				bad = "--rc";
			b->has_rc = true;
			b->rc = (uint32_t)v;
			break;
		case O_NI:
			if (parse_ulong(optarg, 0, 3, &v) < 0)
				bad = "--ni (0..3)";
			b->ni = (uint8_t)v;
			break;
		case O_ATONCE:
			b->ul_at_once = true;
			break;
		case O_IDLE:
		case O_CONN:
			if (parse_ulong(optarg, 1, 86400, &v) < 0)
				bad = "--idle/--connect (1..86400 s)";
			if (o == O_IDLE)
				b->idle_s = (unsigned int)v;
			else
				b->connect_s = (unsigned int)v;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "bench_ss7: bad %s: '%s'\n", bad, optarg);
			return EXIT_USAGE;
		}
	}
	if (optind != argc || !has_addr || false) {
		fprintf(stderr, "bench_ss7: %s needs %s (see --help)\n", mode_name(b->mode),
			b->mode == MODE_ECHO	? "--remote"
			: b->mode == MODE_RELAY ? "--listen"
						: "--listen");
		return EXIT_USAGE;
	}
	if (b->imsi_first + (b->mode == MODE_FTA ? b->n : b->n_imsi) > 999999999999999ull) {
		fprintf(stderr, "bench_ss7: the IMSIs run past 15 digits\n");
		return EXIT_USAGE;
	}
	/* Our SCCP address: the VLR's GT, PC and SSN 7 (VLR). */
	b->own.gti = 4;
	b->own.np = 1;
	b->own.nai = 4;
	b->own.digits = b->vlr_gt;
	b->own.has_pc = true;
	b->own.pc = (uint16_t)b->opc;
	b->own.has_ssn = true;
	b->own.ssn = 7;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (b->mode == MODE_ECHO) {
		if (prepare_msgs(b) < 0)
			return EXIT_USAGE;
		rc = run_echo(b);
		free(b->msgs);
		return rc;
	}

	memset(&lc, 0, sizeof(lc));
	lc.asp.role = JITSIM_ASP_ROLE_SGP;
	lc.asp.has_rc = b->has_rc;
	lc.asp.rc = b->rc;
	lc.local = b->addr;
	lc.local_len = b->addr_len;
	lc.rx_budget = 256;
	snprintf(lc.name, sizeof(lc.name), "bench-%s", mode_name(b->mode));
	b->link = jitsim_sig_link_create(&lc);
	if (b->link == NULL) {
		fprintf(stderr, "bench_ss7: bad link configuration\n");
		return EXIT_USAGE;
	}
	rc = jitsim_sig_link_start(b->link, jitsim_sig_link_now_ms());
	if (rc < 0) {
		fprintf(stderr, "bench_ss7: listen: %s\n", strerror(-rc));
		jitsim_sig_link_destroy(b->link);
		return EXIT_LINK;
	}
	printf("{\"ev\":\"listening\",\"mode\":\"%s\"}\n", mode_name(b->mode));
	if (b->mode == MODE_RELAY) {
		rc = prepare_msgs(b) < 0 ? EXIT_USAGE : run_relay(b);
	} else {
		b->att = calloc(b->window, sizeof(*b->att));
		b->lat_ms = calloc(b->n, sizeof(*b->lat_ms));
		rc = b->att && b->lat_ms ? run_fta(b) : EXIT_USAGE;
		free(b->att);
		free(b->lat_ms);
	}
	free(b->msgs);
	jitsim_sig_link_destroy(b->link);
	return rc;
}
