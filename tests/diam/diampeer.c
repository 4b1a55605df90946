/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * diampeer: the far ends of the Diameter S6a tests and benchmark (issue 9),
 * one program, one jitsim_diam_peer (dataplane/diameter) per process:
 *
 *   mme   a test MME: runs a script of S6a steps (AIR, ULR, PUR, NOR) for
 *         one or more IMSIs, W sessions at a time, and prints one JSON line
 *         per answer; answers every CLR (and IDR/DSR/RSR) it is sent with
 *         2001; checks the E-UTRAN vectors of each AIA against --ki/--opc
 *         (XRES, AUTN's MAC-A, KASME recomputed with MILENAGE and the KDF);
 *   hss   a stand-in HSS: AIA with vectors made from --ki/--opc for any
 *         IMSI (re-synchronisation honoured), ULA with --msisdn, PUA, NOA;
 *         counts requests and the Route-Record values it sees (--stats);
 *   echo  answers every request with 2001, echoing its Session-Id: the
 *         baseline of the benchmark;
 *   raw   sends bytes as they are (a malformed request, bad framing) once
 *         the connection is open and prints what comes back.
 *
 * Messages are built and parsed with the codec library (jitsim/proto/s6a.h
 * encoder, s6a_fta.h AIR builder and request parsers, answer builders), so
 * a test exercises the same code both ways. Vectors are checked, never
 * printed; SQN is printed (the network sends it concealed by AK anyway).
 *
 * One thread, poll(2). Exit codes: 0 every step got an answer (mme), an
 * answer or a close was seen (raw), a clean stop (hss, echo); 1 a step got
 * none (or no CLR within --wait-clr); 2 usage; 3 the connection never
 * opened.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <poll.h>
#include <signal.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/s6a_fta.h>
#include <jitsim/proto/wbuf.h>

#include "diam_peer.h"
#include "milenage.h"

#define EXIT_STEP 1
#define EXIT_USAGE 2
#define EXIT_CONN 3

#define MAX_STEPS 16
#define MAX_IMSIS 64
#define MSG_BUF 4096
#define TX_BUF (1024u * 1024u)
#define MAX_RR 16    /* distinct Route-Record values counted by the hss */
#define MAX_HIST 8   /* distinct result codes / origin hosts in the summary */
#define HOST_MAX 255 /* DiameterIdentity (RFC 6733 4.3.1) */
#define SLOT_BITS 16 /* hop-by-hop id: generation << 16 | slot */
#define MAX_WINDOW 4096
#define RAW_MAX (1024u * 1024u)

/* RFC 6733 6.12, 6.13. */
#define AVP_REDIRECT_HOST 292
#define AVP_REDIRECT_HOST_USAGE 261
/* TS 29.272 7.3.24 (absent from a CLR we print as -1). */
#define NO_VALUE UINT32_MAX

/* TS 35.208 Test Set 1: the hss's keys unless told otherwise. */
static const char DEFAULT_K[] = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char DEFAULT_OPC[] = "cd63cb71954a9f4e48a5994e37a02baf";
/* AMF with the "separation bit" set: E-UTRAN vectors (TS 33.401 6.1.5). */
static const uint8_t AMF_EPS[2] = {0x80, 0x00};

enum mode { MODE_MME, MODE_HSS, MODE_ECHO, MODE_RAW };
static const char *const mode_names[] = {"mme", "hss", "echo", "raw"};

enum step_kind { STEP_AIR, STEP_RESYNC, STEP_ULR, STEP_PUR, STEP_NOR, STEP_SLEEP };

struct step {
	enum step_kind kind;
	char name[24];
	uint64_t arg; /* vectors, SQN_MS (resync) or seconds (sleep) */
};

/* One session (an IMSI running the steps) in flight. */
struct slot {
	bool busy;
	bool sent;	   /* request of the current step out, answer awaited */
	uint32_t sess;	   /* session number, 0.. */
	unsigned int step; /* current step */
	uint16_t gen;	   /* hop-by-hop generation of this slot */
	uint32_t hbh;
	uint64_t t0_us;
	uint64_t deadline_ms;
	uint8_t rand[16]; /* resync: the RAND the AUTS was made for */
};

/* A small counted histogram of strings or numbers, for the summaries. */
struct hist {
	unsigned int n;
	uint64_t other;
	struct {
		char key[HOST_MAX + 1];
		uint64_t count;
	} e[MAX_HIST > MAX_RR ? MAX_HIST : MAX_RR];
	unsigned int max;
};

struct dp {
	enum mode mode;
	struct jitsim_diam_peer_conf conf;
	struct jitsim_diam_peer *peer;
	struct jitsim_diam_dup dup;
	const char *addr_text;
	const char *origin_host, *origin_realm, *dest_realm, *dest_host;
	char plmn[8];
	uint8_t plmn_b[3];
	unsigned int step_timeout_s, connect_timeout_s;
	bool quiet;
	bool opened;

	/* keys: mme checks vectors with them, hss makes vectors with them */
	uint8_t k[16], opc[16];
	bool has_keys;
	struct jitsim_milenage *mil;
	uint64_t sqn_next;
	int urandom;

	/* mme */
	struct step steps[MAX_STEPS];
	unsigned int n_steps;
	struct jitsim_digits imsis[MAX_IMSIS];
	unsigned int n_imsis;
	uint64_t imsi_first; /* --imsi-first / --imsis: a range instead of a list */
	unsigned int imsi_range;
	uint32_t count, window, started, done;
	struct slot *slots;
	uint64_t t_first_us, t_last_us;
	uint64_t answers, timeouts, late, send_fail, vec_ok, vec_bad;
	uint64_t clr_in, other_in;
	unsigned int wait_clr_s;
	uint32_t *lat_us; /* [step][session] */
	uint64_t sid_seq;
	struct hist results, origins;

	/* hss / echo */
	const char *msisdn;
	const char *stats_path;
	uint64_t n_air, n_ulr, n_pur, n_nor, n_other, n_bad, n_dup, n_resync, n_resync_bad;
	uint64_t n_sent, n_answers_in;
	struct hist rr;

	/* raw */
	uint8_t *raw;
	size_t raw_len;
	bool raw_sent, raw_done;
	uint64_t raw_deadline;
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
now_us(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000u + (uint64_t)ts.tv_nsec / 1000u;
}

static uint64_t
now_ms(void)
{
	return now_us() / 1000u;
}

/* ---- small parsers ------------------------------------------------------ */

static int
parse_u64(const char *s, uint64_t max, uint64_t *v)
{
	char *end;

	if (s == NULL || *s == '\0' || *s == '-')
		return -1;
	errno = 0;
	*v = strtoull(s, &end, 10);
	if (errno || *end != '\0' || *v > max)
		return -1;
	return 0;
}

static int
hexval(int c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

/* Hex text into @p out (whitespace ignored); the byte count or -1. */
static long
parse_hex(const char *s, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *s; s++) {
		int v;

		if (*s == ' ' || *s == '\n' || *s == '\t' || *s == '\r' || *s == ':')
			continue;
		v = hexval((unsigned char)*s);
		if (v < 0)
			return -1;
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n == cap)
			return -1;
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	return hi < 0 ? (long)n : -1;
}

static int
parse_key(const char *s, uint8_t out[16])
{
	return strlen(s) == 32 && parse_hex(s, out, 16) == 16 ? 0 : -1;
}

static int
parse_imsi(const char *s, struct jitsim_digits *d)
{
	size_t n = strlen(s);

	/* TS 23.003 2.2: at most 15 digits; the S6a parsers want at least 5. */
	if (n < 5 || n > 15 || strspn(s, "0123456789") != n)
		return -1;
	jitsim_digits_set(d, s);
	return 0;
}

/* "air[:N]", "resync:SQN_MS", "ulr", "pur", "nor" (or "noa"), "sleep:S". */
static int
parse_step(const char *text, struct step *st)
{
	static const struct {
		const char *name;
		enum step_kind kind;
		uint64_t def, max;
		bool need_arg;
	} kinds[] = {
		{"air", STEP_AIR, 1, JITSIM_S6A_FTA_VECTORS_MAX, false},
		{"resync", STEP_RESYNC, 0, 0xffffffffffffull, true},
		{"ulr", STEP_ULR, 0, 0, false},
		{"pur", STEP_PUR, 0, 0, false},
		{"nor", STEP_NOR, 0, 0, false},
		{"noa", STEP_NOR, 0, 0, false},
		{"sleep", STEP_SLEEP, 1, 3600, true},
	};
	char name[sizeof(st->name)], *arg;
	size_t i;

	if (strlen(text) >= sizeof(name) || *text == '\0')
		return -1;
	snprintf(name, sizeof(name), "%s", text);
	arg = strchr(name, ':');
	if (arg)
		*arg++ = '\0';
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i].name) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	memset(st, 0, sizeof(*st));
	st->kind = kinds[i].kind;
	snprintf(st->name, sizeof(st->name), "%s", name);
	st->arg = kinds[i].def;
	if (arg == NULL)
		return kinds[i].need_arg ? -1 : 0;
	if (kinds[i].max == 0 || parse_u64(arg, kinds[i].max, &st->arg) < 0 ||
	    (st->kind != STEP_RESYNC && st->arg == 0))
		return -1;
	return 0;
}

/* ---- JSON output ---------------------------------------------------------- */

/* Appends to a line buffer, snprintf style, never past its end. */
struct line {
	char b[4096];
	size_t n;
};

static void __attribute__((format(printf, 2, 3))) lput(struct line *l, const char *fmt, ...)
{
	va_list ap;
	int r;

	if (l->n >= sizeof(l->b))
		return;
	va_start(ap, fmt);
	r = vsnprintf(l->b + l->n, sizeof(l->b) - l->n, fmt, ap);
	va_end(ap);
	if (r > 0)
		l->n += (size_t)r;
	if (l->n >= sizeof(l->b))
		l->n = sizeof(l->b) - 1;
}

/*
 * A JSON string of bytes from the network: quotes, backslashes, control
 * characters and every non-ASCII byte escaped, so a hostile peer cannot
 * break the line (bytes above 0x7f come out as U+0080..U+00FF).
 */
static void
lput_str(struct line *l, const uint8_t *p, size_t n)
{
	size_t i;

	lput(l, "\"");
	for (i = 0; i < n; i++) {
		uint8_t c = p[i];

		if (c == '"' || c == '\\')
			lput(l, "\\%c", c);
		else if (c < 0x20 || c > 0x7e)
			lput(l, "\\u%04x", c);
		else
			lput(l, "%c", c);
	}
	lput(l, "\"");
}

static void
lemit(struct line *l)
{
	puts(l->b);
	fflush(stdout);
}

static void
hist_add(struct hist *h, const char *key, size_t len)
{
	unsigned int i;

	if (len > HOST_MAX)
		len = HOST_MAX;
	for (i = 0; i < h->n; i++)
		if (strlen(h->e[i].key) == len && memcmp(h->e[i].key, key, len) == 0) {
			h->e[i].count++;
			return;
		}
	if (h->n == h->max) {
		h->other++;
		return;
	}
	memcpy(h->e[h->n].key, key, len);
	h->e[h->n].key[len] = '\0';
	h->e[h->n++].count = 1;
}

static void
lput_hist(struct line *l, const char *name, const struct hist *h)
{
	unsigned int i;

	lput(l, ",\"%s\":{", name);
	for (i = 0; i < h->n; i++) {
		lput(l, "%s", i ? "," : "");
		lput_str(l, (const uint8_t *)h->e[i].key, strlen(h->e[i].key));
		lput(l, ":%" PRIu64, h->e[i].count);
	}
	if (h->other)
		lput(l, "%s\"(other)\":%" PRIu64, h->n ? "," : "", h->other);
	lput(l, "}");
}

/* ---- keys and vectors ----------------------------------------------------- */

static void
sqn_put(uint64_t sqn, uint8_t out[6])
{
	int i;

	for (i = 5; i >= 0; i--) {
		out[i] = (uint8_t)sqn;
		sqn >>= 8;
	}
}

static uint64_t
sqn_get(const uint8_t in[6])
{
	uint64_t v = 0;
	int i;

	for (i = 0; i < 6; i++)
		v = (v << 8) | in[i];
	return v;
}

static int
fill_random(struct dp *d, uint8_t *p, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(d->urandom, p + got, n - got);

		if (r <= 0)
			return -1;
		got += (size_t)r;
	}
	return 0;
}

/* Why a vector did not verify is not printed: only that it did not. */
static bool
check_vector(struct dp *d, const struct jitsim_diam_avp *vec, uint64_t *sqn_out)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	const uint8_t *rnd = NULL, *xres = NULL, *autn = NULL, *kasme = NULL;
	size_t xres_len = 0;
	uint8_t res[8], ck[16], ik[16], ak[6], aks[6], sqn[6], sqn_ak[6], mac_a[8], mac_s[8];
	uint8_t k2[32];
	int i;

	jitsim_diam_avp_iter_init(&it, vec->data, vec->data_len);
	while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
		if (a.vendor != JITSIM_DIAM_VENDOR_3GPP)
			continue;
		if (a.code == JITSIM_AVP_RAND && a.data_len == 16)
			rnd = a.data;
		else if (a.code == JITSIM_AVP_XRES && a.data_len >= 4 && a.data_len <= 16) {
			xres = a.data;
			xres_len = a.data_len;
		} else if (a.code == JITSIM_AVP_AUTN && a.data_len == 16)
			autn = a.data;
		else if (a.code == JITSIM_AVP_KASME && a.data_len == 32)
			kasme = a.data;
	}
	if (rnd == NULL || xres == NULL || autn == NULL || kasme == NULL || !d->has_keys)
		return false;
	if (jitsim_milenage_f2345(d->mil, d->k, d->opc, rnd, res, ck, ik, ak, aks) < 0)
		return false;
	for (i = 0; i < 6; i++) {
		sqn_ak[i] = autn[i];
		sqn[i] = autn[i] ^ ak[i];
	}
	*sqn_out = sqn_get(sqn);
	if (jitsim_milenage_f1(d->mil, d->k, d->opc, rnd, sqn, autn + 6, mac_a, mac_s) < 0 ||
	    jitsim_kasme(ck, ik, d->plmn_b, sqn_ak, k2) < 0)
		return false;
	/* MILENAGE's f2 gives 8 octets of RES (TS 35.206 4.1). */
	return memcmp(mac_a, autn + 8, 8) == 0 && xres_len == 8 && memcmp(res, xres, 8) == 0 &&
	       memcmp(k2, kasme, 32) == 0;
}

/* AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S over AMF 0x0000 (TS 33.102 6.3.3). */
static int
make_auts(struct dp *d, const uint8_t rnd[16], uint64_t sqn_ms, uint8_t auts[14])
{
	static const uint8_t amf0[2] = {0, 0};
	uint8_t res[8], ck[16], ik[16], ak[6], aks[6], sqn[6], mac_a[8], mac_s[8];
	int i;

	sqn_put(sqn_ms, sqn);
	if (jitsim_milenage_f2345(d->mil, d->k, d->opc, rnd, res, ck, ik, ak, aks) < 0 ||
	    jitsim_milenage_f1(d->mil, d->k, d->opc, rnd, sqn, amf0, mac_a, mac_s) < 0)
		return -1;
	for (i = 0; i < 6; i++)
		auts[i] = sqn[i] ^ aks[i];
	memcpy(auts + 6, mac_s, 8);
	return 0;
}

/* ---- mme ------------------------------------------------------------------ */

static const struct jitsim_digits *
sess_imsi(const struct dp *d, uint32_t sess, struct jitsim_digits *tmp)
{
	char s[24];

	if (d->imsi_range == 0)
		return &d->imsis[sess % d->n_imsis];
	snprintf(s, sizeof(s), "%015" PRIu64, d->imsi_first + sess % d->imsi_range);
	jitsim_digits_set(tmp, s);
	return tmp;
}

static const struct step *
slot_step(const struct dp *d, const struct slot *s)
{
	return &d->steps[s->step];
}

/* Build and send the request of the slot's current step. */
static int
mme_send(struct dp *d, struct slot *s, unsigned int idx)
{
	const struct step *st = slot_step(d, s);
	struct jitsim_digits tmp;
	const struct jitsim_digits *imsi = sess_imsi(d, s->sess, &tmp);
	uint32_t e2e;
	char sid[HOST_MAX + 64];
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;
	enum jitsim_reason r;
	int rc;

	s->gen++;
	s->hbh = (uint32_t)s->gen << SLOT_BITS | idx;
	e2e = jitsim_diam_fsm_next_e2e(jitsim_diam_peer_fsm(d->peer));
	snprintf(sid, sizeof(sid), "%s;%" PRIu64 ";%u;%s", d->origin_host, d->sid_seq++, s->sess,
		 imsi->d);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	if (st->kind == STEP_AIR || st->kind == STEP_RESYNC) {
		struct jitsim_s6a_fta_origin o = {d->origin_host, d->origin_realm};
		struct jitsim_s6a_fta_air_req m;

		memset(&m, 0, sizeof(m));
		m.hbh = s->hbh;
		m.e2e = e2e;
		m.session_id = sid;
		m.dest_host = d->dest_host;
		m.dest_realm = d->dest_realm;
		m.imsi = imsi;
		m.visited_plmn = d->plmn;
		m.eutran.present = true;
		m.eutran.n_requested = st->kind == STEP_AIR ? (uint32_t)st->arg : 1;
		if (st->kind == STEP_RESYNC) {
			if (fill_random(d, s->rand, 16) < 0 ||
			    make_auts(d, s->rand, st->arg, m.eutran.auts) < 0)
				return -EIO;
			memcpy(m.eutran.rand, s->rand, 16);
			m.eutran.has_resync = true;
		}
		r = jitsim_s6a_fta_air_encode(&w, &o, &m);
	} else {
		struct jitsim_s6a_msg m;

		memset(&m, 0, sizeof(m));
		m.cmd = st->kind == STEP_ULR   ? JITSIM_S6A_CMD_ULR
			: st->kind == STEP_PUR ? JITSIM_S6A_CMD_PUR
					       : JITSIM_S6A_CMD_NOR;
		m.is_request = true;
		m.hbh = s->hbh;
		m.e2e = e2e;
		m.session_id = sid;
		m.origin_host = d->origin_host;
		m.origin_realm = d->origin_realm;
		m.dest_host = d->dest_host;
		m.dest_realm = d->dest_realm;
		m.imsi = imsi->d;
		if (st->kind == STEP_ULR) {
			m.visited_plmn = d->plmn;
			m.rat_type = JITSIM_S6A_RAT_EUTRAN;
			/* What an MME sends on an initial attach (TS 29.272 7.3.7). */
			m.ulr_flags = JITSIM_S6A_ULR_S6A_S6D_INDICATOR |
				      JITSIM_S6A_ULR_INITIAL_ATTACH_IND;
		}
		r = jitsim_s6a_encode(&w, &m);
	}
	if (r != JITSIM_R_OK) {
		fprintf(stderr, "diampeer: %s encode: %s\n", st->name, jitsim_reason_str(r));
		return -EINVAL;
	}
	rc = jitsim_diam_peer_send(d->peer, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
	if (rc < 0)
		return rc;
	s->sent = true;
	s->t0_us = now_us();
	s->deadline_ms = s->t0_us / 1000u + (uint64_t)d->step_timeout_s * 1000u;
	if (d->t_first_us == 0)
		d->t_first_us = s->t0_us;
	return 0;
}

/* The slot's step is over (answered, timed out or slept): next step or free. */
static void
slot_next(struct dp *d, struct slot *s)
{
	s->sent = false;
	if (++s->step < d->n_steps) {
		if (slot_step(d, s)->kind == STEP_SLEEP)
			s->deadline_ms = now_ms() + slot_step(d, s)->arg * 1000u;
		return;
	}
	s->busy = false;
	d->done++;
	d->t_last_us = now_us();
}

/* Start sessions while the window has room; send what is due. */
static void
mme_pump(struct dp *d)
{
	uint32_t i;

	for (i = 0; i < d->window; i++) {
		struct slot *s = &d->slots[i];
		int rc;

		if (!s->busy) {
			if (d->started >= d->count)
				continue;
			s->busy = true;
			s->sent = false;
			s->sess = d->started++;
			s->step = 0;
			if (slot_step(d, s)->kind == STEP_SLEEP)
				s->deadline_ms = now_ms() + slot_step(d, s)->arg * 1000u;
		}
		if (s->sent || slot_step(d, s)->kind == STEP_SLEEP)
			continue;
		rc = mme_send(d, s, i);
		if (rc == -ENOBUFS || rc == -ENOTCONN)
			continue; /* retried at the next pass */
		if (rc < 0) {
			d->send_fail++;
			slot_next(d, s);
		}
	}
}

/* Time-outs and sleeps. */
static void
mme_timers(struct dp *d)
{
	uint64_t now = now_ms();
	uint32_t i;

	for (i = 0; i < d->window; i++) {
		struct slot *s = &d->slots[i];
		struct jitsim_digits tmp;

		if (!s->busy || now < s->deadline_ms)
			continue;
		if (slot_step(d, s)->kind == STEP_SLEEP) {
			slot_next(d, s);
		} else if (s->sent) {
			struct line l = {.n = 0};

			d->timeouts++;
			lput(&l, "{\"step\":\"%s\",\"imsi\":\"%s\",\"timeout\":true}",
			     slot_step(d, s)->name, sess_imsi(d, s->sess, &tmp)->d);
			lemit(&l);
			slot_next(d, s);
		}
	}
}

/* What an answer says, read from its top-level AVPs. */
struct ans {
	bool has_rc, has_exp;
	uint32_t rc, exp;
	const uint8_t *origin_host, *redirect_host;
	size_t origin_host_len, redirect_host_len;
	bool failed_avp;
	unsigned int vectors, verified;
	unsigned int n_sqn;
	uint64_t sqn[JITSIM_S6A_FTA_VECTORS_MAX];
	bool has_msisdn;
	struct jitsim_digits msisdn;
};

static void
find_msisdn(const uint8_t *p, size_t len, unsigned int depth, struct ans *an)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	if (depth > 2)
		return;
	jitsim_diam_avp_iter_init(&it, p, len);
	while (!an->has_msisdn && jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
		if (a.vendor != JITSIM_DIAM_VENDOR_3GPP)
			continue;
		if (a.code == JITSIM_AVP_MSISDN)
			an->has_msisdn =
				a.data_len > 0 && a.data_len <= 8 &&
				jitsim_tbcd_decode(a.data, a.data_len, &an->msisdn) == JITSIM_R_OK;
		else if (a.code == JITSIM_AVP_SUBSCRIPTION_DATA)
			find_msisdn(a.data, a.data_len, depth + 1, an);
	}
}

static void
read_answer(struct dp *d, const struct jitsim_diam_hdr *h, struct ans *an)
{
	struct jitsim_diam_avp_iter it, in;
	struct jitsim_diam_avp a, b;

	memset(an, 0, sizeof(*an));
	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
		if (a.vendor == 0) {
			switch (a.code) {
			case JITSIM_AVP_RESULT_CODE:
				an->has_rc = jitsim_diam_avp_u32(&a, &an->rc) == JITSIM_R_OK;
				break;
			case JITSIM_AVP_EXPERIMENTAL_RESULT:
				jitsim_diam_avp_iter_init(&in, a.data, a.data_len);
				while (jitsim_diam_avp_next(&in, &b) == JITSIM_R_OK)
					if (b.code == JITSIM_AVP_EXPERIMENTAL_RESULT_CODE &&
					    b.vendor == 0)
						an->has_exp = jitsim_diam_avp_u32(&b, &an->exp) ==
							      JITSIM_R_OK;
				break;
			case JITSIM_AVP_ORIGIN_HOST:
				an->origin_host = a.data;
				an->origin_host_len = a.data_len;
				break;
			case AVP_REDIRECT_HOST:
				if (an->redirect_host == NULL) {
					an->redirect_host = a.data;
					an->redirect_host_len = a.data_len;
				}
				break;
			case JITSIM_AVP_FAILED_AVP:
				an->failed_avp = true;
				break;
			default:
				break;
			}
			continue;
		}
		if (a.vendor != JITSIM_DIAM_VENDOR_3GPP)
			continue;
		if (a.code == JITSIM_AVP_AUTHENTICATION_INFO) {
			jitsim_diam_avp_iter_init(&in, a.data, a.data_len);
			while (jitsim_diam_avp_next(&in, &b) == JITSIM_R_OK) {
				uint64_t sqn = 0;

				if (b.code != JITSIM_AVP_E_UTRAN_VECTOR ||
				    b.vendor != JITSIM_DIAM_VENDOR_3GPP)
					continue;
				an->vectors++;
				if (d->has_keys && check_vector(d, &b, &sqn))
					an->verified++;
				if (d->has_keys && an->n_sqn < JITSIM_S6A_FTA_VECTORS_MAX)
					an->sqn[an->n_sqn++] = sqn;
			}
		} else if (a.code == JITSIM_AVP_SUBSCRIPTION_DATA) {
			find_msisdn(a.data, a.data_len, 1, an);
		}
	}
}

static void
mme_answer(struct dp *d, const struct jitsim_diam_hdr *h)
{
	uint32_t idx = h->hbh & ((1u << SLOT_BITS) - 1);
	struct slot *s = idx < d->window ? &d->slots[idx] : NULL;
	const struct step *st;
	struct jitsim_digits tmp;
	struct line l = {.n = 0};
	struct ans an;
	uint64_t t = now_us();
	char key[32];
	unsigned int i;

	if (s == NULL || !s->busy || !s->sent || s->hbh != h->hbh) {
		d->late++; /* timed out already, or not ours */
		return;
	}
	st = slot_step(d, s);
	read_answer(d, h, &an);
	d->answers++;
	d->lat_us[(size_t)s->step * d->count + s->sess] = (uint32_t)(t - s->t0_us);
	if (an.has_exp)
		snprintf(key, sizeof(key), "exp%" PRIu32, an.exp);
	else if (an.has_rc)
		snprintf(key, sizeof(key), "%" PRIu32, an.rc);
	else
		snprintf(key, sizeof(key), "none");
	hist_add(&d->results, key, strlen(key));
	if (an.origin_host)
		hist_add(&d->origins, (const char *)an.origin_host, an.origin_host_len);
	if (d->has_keys && an.vectors) {
		d->vec_ok += an.verified;
		d->vec_bad += an.vectors - an.verified;
	}
	if (!d->quiet) {
		lput(&l, "{\"step\":\"%s\",\"imsi\":\"%s\"", st->name,
		     sess_imsi(d, s->sess, &tmp)->d);
		if (an.has_rc)
			lput(&l, ",\"result_code\":%" PRIu32, an.rc);
		else
			lput(&l, ",\"result_code\":null");
		if (an.has_exp)
			lput(&l, ",\"exp_result\":%" PRIu32, an.exp);
		else
			lput(&l, ",\"exp_result\":null");
		lput(&l, ",\"e_bit\":%s", h->flags & JITSIM_DIAM_FLAG_E ? "true" : "false");
		lput(&l, ",\"vectors\":%u,\"verified\":%s", an.vectors,
		     !d->has_keys || an.vectors == 0 ? "null"
		     : an.verified == an.vectors     ? "true"
						     : "false");
		if (an.n_sqn) {
			lput(&l, ",\"sqn\":[");
			for (i = 0; i < an.n_sqn; i++)
				lput(&l, "%s%" PRIu64, i ? "," : "", an.sqn[i]);
			lput(&l, "]");
		}
		if (an.has_msisdn)
			lput(&l, ",\"msisdn\":\"%s\"", an.msisdn.d);
		else
			lput(&l, ",\"msisdn\":null");
		lput(&l, ",\"origin_host\":");
		if (an.origin_host)
			lput_str(&l, an.origin_host, an.origin_host_len);
		else
			lput(&l, "null");
		lput(&l, ",\"redirect_host\":");
		if (an.redirect_host)
			lput_str(&l, an.redirect_host, an.redirect_host_len);
		else
			lput(&l, "null");
		lput(&l, ",\"failed_avp\":%s,\"ms\":%.3f}", an.failed_avp ? "true" : "false",
		     (double)(t - s->t0_us) / 1000.0);
		lemit(&l);
	}
	slot_next(d, s);
}

/*
 * A request from the HSS side (CLR, IDR, DSR, RSR): answered 2001 with its
 * Session-Id, as an MME that complies would (TS 29.272 5.2.1.2).
 */
static int send_simple_answer(struct dp *d, const struct jitsim_diam_hdr *h, uint32_t rc);

static void
mme_request(struct dp *d, const struct jitsim_diam_hdr *h, const uint8_t *msg, size_t len)
{
	struct jitsim_s6a v;
	struct line l = {.n = 0};
	struct jitsim_diam_avp a;
	uint32_t ct = NO_VALUE;
	bool ok = jitsim_s6a_decode(msg, len, &v) == JITSIM_R_OK;

	if (h->cmd == JITSIM_S6A_CMD_CLR) {
		d->clr_in++;
		if (jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_CANCELLATION_TYPE,
					 JITSIM_DIAM_VENDOR_3GPP, &a) == JITSIM_R_OK)
			(void)jitsim_diam_avp_u32(&a, &ct);
	} else {
		d->other_in++;
	}
	send_simple_answer(d, h, JITSIM_DIAM_SUCCESS);
	if (d->quiet)
		return;
	lput(&l, "{\"step\":\"%s-in\",\"imsi\":",
	     h->cmd == JITSIM_S6A_CMD_CLR   ? "clr"
	     : h->cmd == JITSIM_S6A_CMD_IDR ? "idr"
	     : h->cmd == JITSIM_S6A_CMD_DSR ? "dsr"
	     : h->cmd == JITSIM_S6A_CMD_RSR ? "rsr"
					    : "other");
	if (ok && v.has_user_name && !v.user_name_not_digits)
		lput(&l, "\"%s\"", v.user_name.d);
	else
		lput(&l, "null");
	lput(&l, ",\"origin_host\":");
	if (ok && v.origin_host.p)
		lput_str(&l, v.origin_host.p, v.origin_host.len);
	else
		lput(&l, "null");
	if (ct != NO_VALUE)
		lput(&l, ",\"cancellation_type\":%" PRIu32, ct);
	lput(&l, ",\"hbh_tag\":%u,\"result_code\":2001}", h->hbh >> 24);
	lemit(&l);
}

/* ---- answers: echo, hss --------------------------------------------------- */

/*
 * A minimal successful or failed answer to any request: header copied (R
 * cleared, P kept, E for 3xxx), Session-Id copied as received (first, RFC
 * 6733 8.8), Result-Code, Origin-Host, Origin-Realm, and for S6a
 * Auth-Session-State NO_STATE_MAINTAINED (TS 29.272 7.1).
 */
static int
send_simple_answer(struct dp *d, const struct jitsim_diam_hdr *h, uint32_t rc)
{
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;
	struct jitsim_diam_hdr ah = *h;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	size_t start;
	int r;

	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	ah.flags = (uint8_t)((h->flags & JITSIM_DIAM_FLAG_P) |
			     (rc >= 3000 && rc < 4000 ? JITSIM_DIAM_FLAG_E : 0));
	if (jitsim_diam_encode_hdr(&w, &ah, &start) != JITSIM_R_OK)
		return -ENOBUFS;
	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
		if (a.code == JITSIM_AVP_SESSION_ID && a.vendor == 0) {
			if (jitsim_diam_encode_avp(&w, a.code, a.flags, 0, a.data, a.data_len) !=
			    JITSIM_R_OK)
				return -ENOBUFS;
			break;
		}
	}
	if (jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_RESULT_CODE, JITSIM_DIAM_AVP_M, 0, rc) !=
		    JITSIM_R_OK ||
	    jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, 0,
				       d->origin_host) != JITSIM_R_OK ||
	    jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, 0,
				       d->origin_realm) != JITSIM_R_OK)
		return -ENOBUFS;
	if (h->app_id == JITSIM_S6A_APP_ID &&
	    jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_AUTH_SESSION_STATE, JITSIM_DIAM_AVP_M, 0,
				       1) != JITSIM_R_OK)
		return -ENOBUFS;
	jitsim_diam_encode_finish(&w, start);
	r = jitsim_diam_peer_send(d->peer, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
	if (r < 0)
		d->send_fail++;
	else
		d->n_sent++;
	return r;
}

static void
hss_route_records(struct dp *d, const struct jitsim_diam_hdr *h)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK)
		if (a.code == 282 /* Route-Record, RFC 6733 6.7.1 */ && a.vendor == 0)
			hist_add(&d->rr, (const char *)a.data, a.data_len);
}

static enum jitsim_reason
hss_aia(struct dp *d, const struct jitsim_s6a_fta_air *air, const struct jitsim_s6a_fta_origin *o,
	struct jitsim_wbuf *w)
{
	struct jitsim_s6a_fta_eutran_vector v[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_auth_info ai = {.eutran = v};
	unsigned int n = air->eutran.n_requested, i;

	if (air->eutran.has_resync) {
		uint8_t sqn_ms[6];

		d->n_resync++;
		/* TS 33.102 6.3.5: the next SQN is above the USIM's. */
		if (jitsim_milenage_auts(d->mil, d->k, d->opc, air->eutran.rand, air->eutran.auts,
					 sqn_ms) == 0)
			d->sqn_next = (sqn_get(sqn_ms) & ~(uint64_t)31) + 32;
		else
			d->n_resync_bad++;
	}
	if (n == 0)
		n = 1;
	if (n > JITSIM_S6A_FTA_VECTORS_MAX)
		n = JITSIM_S6A_FTA_VECTORS_MAX;
	for (i = 0; i < n; i++) {
		struct jitsim_milenage_vector mv;
		uint8_t sqn[6], sqn_ak[6];
		int k;

		/* SQN: SEQ steps of 32 with IND 0 (TS 33.102 C.3.2); never reused in a run. */
		sqn_put(d->sqn_next, sqn);
		d->sqn_next += 32;
		if (fill_random(d, v[i].rand, 16) < 0 ||
		    jitsim_milenage_vector(d->mil, d->k, d->opc, v[i].rand, sqn, AMF_EPS, &mv) < 0)
			return JITSIM_R_BAD_PARAM;
		for (k = 0; k < 6; k++)
			sqn_ak[k] = mv.autn[k];
		if (jitsim_kasme(mv.ck, mv.ik, air->visited_plmn, sqn_ak, v[i].kasme) < 0)
			return JITSIM_R_BAD_PARAM;
		memcpy(v[i].xres, mv.res, 8);
		v[i].xres_len = 8;
		memcpy(v[i].autn, mv.autn, 16);
	}
	ai.n_eutran = n;
	return jitsim_s6a_fta_aia_encode(w, &air->req, o, &ai);
}

static void
hss_request(struct dp *d, const struct jitsim_diam_hdr *h, const uint8_t *msg, size_t len)
{
	struct jitsim_s6a_fta_origin o = {d->origin_host, d->origin_realm};
	union {
		struct jitsim_s6a_fta_air air;
		struct jitsim_s6a_fta_ulr ulr;
		struct jitsim_s6a_fta_req req;
	} u;
	const struct jitsim_s6a_fta_req *req = NULL;
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;
	enum jitsim_reason r = JITSIM_R_BAD_PARAM;

	hss_route_records(d, h);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	switch (h->cmd) {
	case JITSIM_S6A_CMD_AIR:
		d->n_air++;
		r = jitsim_s6a_fta_air_decode(msg, len, &u.air);
		req = &u.air.req;
		if (r == JITSIM_R_OK)
			r = hss_aia(d, &u.air, &o, &w);
		break;
	case JITSIM_S6A_CMD_ULR:
		d->n_ulr++;
		r = jitsim_s6a_fta_ulr_decode(msg, len, &u.ulr);
		req = &u.ulr.req;
		if (r == JITSIM_R_OK) {
			struct jitsim_s6a_fta_subscription sub;

			jitsim_s6a_fta_subscription_init(&sub);
			jitsim_digits_set(&sub.msisdn, d->msisdn);
			r = jitsim_s6a_fta_ula_encode(
				&w, req, &o, 0,
				u.ulr.ulr_flags & JITSIM_S6A_ULR_SKIP_SUBSCRIBER_DATA ? NULL
										      : &sub);
		}
		break;
	case JITSIM_S6A_CMD_PUR:
	case JITSIM_S6A_CMD_NOR:
		if (h->cmd == JITSIM_S6A_CMD_PUR)
			d->n_pur++;
		else
			d->n_nor++;
		r = jitsim_s6a_fta_req_decode(msg, len, h->cmd, &u.req);
		req = &u.req;
		if (r == JITSIM_R_OK)
			r = h->cmd == JITSIM_S6A_CMD_PUR ? jitsim_s6a_fta_pua_encode(&w, req, &o, 0)
							 : jitsim_s6a_fta_noa_encode(&w, req, &o);
		break;
	default:
		d->n_other++;
		send_simple_answer(d, h, JITSIM_DIAM_COMMAND_UNSUPPORTED);
		return;
	}
	if (r == JITSIM_R_DIAM_BAD_AVP) {
		/* The request's own ABNF is broken: the answer says which AVP. */
		d->n_bad++;
		jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
		r = jitsim_s6a_fta_answer_error(&w, req, &o, req->err.result_code, 0, &req->err);
	}
	if (r != JITSIM_R_OK) {
		fprintf(stderr, "diampeer: answer to command %" PRIu32 ": %s\n", h->cmd,
			jitsim_reason_str(r));
		d->n_bad++;
		send_simple_answer(d, h, JITSIM_DIAM_UNABLE_TO_COMPLY);
		return;
	}
	if (jitsim_diam_peer_send(d->peer, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w)) < 0)
		d->send_fail++;
	else
		d->n_sent++;
}

/* ---- raw ------------------------------------------------------------------ */

static void
raw_send(struct dp *d)
{
	struct pollfd fds[2];
	unsigned int n = jitsim_diam_peer_pollfds(d->peer, fds, 2);
	const struct jitsim_diam_transport *tp = d->conf.tp;
	size_t off = 0;
	uint64_t until = now_ms() + 2000;

	d->raw_sent = true;
	d->raw_deadline = now_ms() + (uint64_t)d->step_timeout_s * 1000u;
	/* Well-framed bytes go through the peer's send queue like any message. */
	if (jitsim_diam_peer_send(d->peer, d->raw, d->raw_len) == 0)
		return;
	/*
	 * Bytes the peer refuses to frame (bad version, length) go straight
	 * onto the connection: the send queue is empty right after the
	 * capabilities exchange, so nothing is interleaved.
	 */
	if (n == 0)
		return;
	while (off < d->raw_len && now_ms() < until) {
		ssize_t r = tp->send(fds[n - 1].fd, d->raw + off, d->raw_len - off);

		if (r > 0)
			off += (size_t)r;
		else if (r == -EAGAIN)
			poll(NULL, 0, 1);
		else
			break;
	}
	if (off < d->raw_len)
		fprintf(stderr, "diampeer: raw: %zu of %zu bytes sent\n", off, d->raw_len);
}

static void
raw_print(struct dp *d, const struct jitsim_diam_hdr *h)
{
	struct line l = {.n = 0};
	struct ans an;

	read_answer(d, h, &an);
	lput(&l, "{\"step\":\"raw\",\"cmd\":%" PRIu32 ",\"request\":%s,\"e_bit\":%s", h->cmd,
	     h->flags & JITSIM_DIAM_FLAG_R ? "true" : "false",
	     h->flags & JITSIM_DIAM_FLAG_E ? "true" : "false");
	if (an.has_rc)
		lput(&l, ",\"result_code\":%" PRIu32, an.rc);
	else
		lput(&l, ",\"result_code\":null");
	if (an.has_exp)
		lput(&l, ",\"exp_result\":%" PRIu32, an.exp);
	else
		lput(&l, ",\"exp_result\":null");
	lput(&l, ",\"origin_host\":");
	if (an.origin_host)
		lput_str(&l, an.origin_host, an.origin_host_len);
	else
		lput(&l, "null");
	lput(&l, ",\"failed_avp\":%s}", an.failed_avp ? "true" : "false");
	lemit(&l);
}

/* ---- the peer ------------------------------------------------------------- */

static void
on_msg(void *arg, struct jitsim_diam_peer *p, const struct jitsim_diam_hdr *h, const uint8_t *msg,
       size_t len, unsigned int flags)
{
	struct dp *d = arg;
	bool req = h->flags & JITSIM_DIAM_FLAG_R;

	(void)p;
	switch (d->mode) {
	case MODE_MME:
		if (req)
			mme_request(d, h, msg, len);
		else
			mme_answer(d, h);
		break;
	case MODE_HSS:
		if (!req) {
			d->n_answers_in++;
			break;
		}
		if (flags & JITSIM_DIAM_RX_DUP)
			d->n_dup++;
		hss_request(d, h, msg, len);
		break;
	case MODE_ECHO:
		if (req)
			send_simple_answer(d, h, JITSIM_DIAM_SUCCESS);
		else
			d->n_answers_in++;
		break;
	case MODE_RAW:
		if (req) {
			send_simple_answer(d, h, JITSIM_DIAM_SUCCESS);
			break;
		}
		raw_print(d, h);
		d->raw_done = true;
		break;
	}
}

static void
print_ev(struct dp *d, unsigned int ev)
{
	struct jitsim_diam_fsm *f = jitsim_diam_peer_fsm(d->peer);
	struct line l = {.n = 0};

	/* mme and raw print steps only on stdout; their events go to stderr. */
	if (ev & JITSIM_DIAM_EV_OPEN) {
		d->opened = true;
		lput(&l, "{\"ev\":\"open\",\"mode\":\"%s\",\"peer_host\":", mode_names[d->mode]);
		lput_str(&l, (const uint8_t *)f->peer_host, strlen(f->peer_host));
		lput(&l, "}");
		if (d->mode == MODE_HSS || d->mode == MODE_ECHO)
			lemit(&l);
		else
			fprintf(stderr, "%s\n", l.b);
	}
	if (ev & JITSIM_DIAM_EV_DOWN)
		fprintf(stderr, "diampeer: %s: connection down\n", mode_names[d->mode]);
	if (ev & JITSIM_DIAM_EV_FAILOVER)
		fprintf(stderr, "diampeer: %s: watchdog failover\n", mode_names[d->mode]);
	if (ev & JITSIM_DIAM_EV_FAILBACK)
		fprintf(stderr, "diampeer: %s: watchdog failback\n", mode_names[d->mode]);
}

/* One turn: wait for the sockets at most @p max_wait_ms, then do the work. */
static unsigned int
turn(struct dp *d, int max_wait_ms)
{
	struct pollfd fds[2];
	unsigned int n = jitsim_diam_peer_pollfds(d->peer, fds, 2), ev;
	uint64_t next = jitsim_diam_peer_next_ms(d->peer), now = now_ms();
	int t = max_wait_ms;

	if (next <= now)
		t = 0;
	else if (next - now < (uint64_t)t)
		t = (int)(next - now);
	(void)poll(fds, n, t);
	ev = jitsim_diam_peer_poll(d->peer, now_ms(), on_msg, d);
	if (ev)
		print_ev(d, ev);
	return ev;
}

static void
peer_stop(struct dp *d)
{
	uint64_t until = now_ms() + 3000;
	unsigned int ev;

	ev = jitsim_diam_peer_stop(d->peer, now_ms(), JITSIM_DIAM_DC_REBOOTING);
	while (!(ev & JITSIM_DIAM_EV_STOPPED) && now_ms() < until)
		ev = turn(d, 50);
}

static int
cmp_u32(const void *a, const void *b)
{
	uint32_t x = *(const uint32_t *)a, y = *(const uint32_t *)b;

	return x < y ? -1 : x > y;
}

/* Latency of one step over the sessions that got its answer (@p tmp: count entries). */
static void
lput_lat(struct line *l, struct dp *d, unsigned int step, uint32_t *tmp, bool first)
{
	const uint32_t *v = d->lat_us + (size_t)step * d->count;
	uint32_t n = 0, i;

	for (i = 0; i < d->count; i++)
		if (v[i] != UINT32_MAX)
			tmp[n++] = v[i];
	lput(l, "%s\"%u:%s\":{\"n\":%" PRIu32, first ? "" : ",", step, d->steps[step].name, n);
	if (n) {
		qsort(tmp, n, sizeof(*tmp), cmp_u32);
		lput(l, ",\"p50_ms\":%.3f,\"p99_ms\":%.3f,\"max_ms\":%.3f",
		     tmp[(n - 1) / 2] / 1000.0, tmp[(uint64_t)(n - 1) * 99 / 100] / 1000.0,
		     tmp[n - 1] / 1000.0);
	}
	lput(l, "}");
}

static void
mme_summary(struct dp *d)
{
	struct line l = {.n = 0};
	double secs = d->t_last_us > d->t_first_us ? (d->t_last_us - d->t_first_us) / 1e6 : 0;
	uint32_t *tmp;
	bool first = true;
	unsigned int i;

	lput(&l,
	     "{\"step\":\"summary\",\"sessions\":%" PRIu32 ",\"done\":%" PRIu32
	     ",\"answers\":%" PRIu64 ",\"timeouts\":%" PRIu64 ",\"late\":%" PRIu64
	     ",\"send_fail\":%" PRIu64 ",\"clr_in\":%" PRIu64 ",\"other_in\":%" PRIu64,
	     d->count, d->done, d->answers, d->timeouts, d->late, d->send_fail, d->clr_in,
	     d->other_in);
	if (d->has_keys)
		lput(&l, ",\"vectors_ok\":%" PRIu64 ",\"vectors_bad\":%" PRIu64, d->vec_ok,
		     d->vec_bad);
	lput(&l, ",\"seconds\":%.3f,\"per_s\":%.1f,\"answers_per_s\":%.1f", secs,
	     secs > 0 ? d->done / secs : 0, secs > 0 ? d->answers / secs : 0);
	lput_hist(&l, "results", &d->results);
	lput_hist(&l, "origin_hosts", &d->origins);
	lput(&l, ",\"latency\":{");
	tmp = calloc(d->count, sizeof(*tmp));
	for (i = 0; tmp && i < d->n_steps; i++)
		if (d->steps[i].kind != STEP_SLEEP) {
			lput_lat(&l, d, i, tmp, first);
			first = false;
		}
	free(tmp);
	lput(&l, "}}");
	lemit(&l);
}

static int
run_mme(struct dp *d)
{
	uint64_t connect_by = now_ms() + (uint64_t)d->connect_timeout_s * 1000u;
	uint64_t clr_until = 0;
	int rc = 0;

	d->slots = calloc(d->window, sizeof(*d->slots));
	d->lat_us = malloc((size_t)d->n_steps * d->count * sizeof(*d->lat_us));
	if (d->slots == NULL || d->lat_us == NULL) {
		fprintf(stderr, "diampeer: no memory for %" PRIu32 " sessions\n", d->count);
		return EXIT_USAGE;
	}
	memset(d->lat_us, 0xff, (size_t)d->n_steps * d->count * sizeof(*d->lat_us));
	while (!stop_flag) {
		bool open = jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(d->peer));

		/*
		 * Not open for --connect-timeout, at the start or after the
		 * connection was lost mid-run (requests not sent would wait
		 * for it forever): give up.
		 */
		if (open) {
			connect_by = now_ms() + (uint64_t)d->connect_timeout_s * 1000u;
		} else if (now_ms() > connect_by) {
			fprintf(stderr, "diampeer: not open for %u s (%s)\n", d->connect_timeout_s,
				d->addr_text);
			rc = EXIT_CONN;
			break;
		}
		if (open)
			mme_pump(d);
		mme_timers(d);
		if (d->done == d->count) {
			/* --wait-clr: every session's IMSI cancelled at least once. */
			if (d->wait_clr_s == 0 || d->clr_in >= d->count)
				break;
			if (clr_until == 0)
				clr_until = now_ms() + (uint64_t)d->wait_clr_s * 1000u;
			if (now_ms() >= clr_until)
				break;
		}
		turn(d, 20);
	}
	mme_summary(d);
	if (rc == 0 && (d->done < d->count || d->timeouts || d->send_fail ||
			(d->wait_clr_s && d->clr_in < d->count)))
		rc = EXIT_STEP;
	peer_stop(d);
	return rc;
}

static int
write_stats(struct dp *d)
{
	struct line l = {.n = 0};
	FILE *f;

	lput(&l,
	     "{\"mode\":\"%s\",\"requests\":{\"air\":%" PRIu64 ",\"ulr\":%" PRIu64
	     ",\"pur\":%" PRIu64 ",\"nor\":%" PRIu64 ",\"other\":%" PRIu64 "},\"bad\":%" PRIu64
	     ",\"dup\":%" PRIu64 ",\"resync\":%" PRIu64 ",\"resync_bad\":%" PRIu64
	     ",\"sent\":%" PRIu64 ",\"send_fail\":%" PRIu64 ",\"answers_in\":%" PRIu64,
	     mode_names[d->mode], d->n_air, d->n_ulr, d->n_pur, d->n_nor, d->n_other, d->n_bad,
	     d->n_dup, d->n_resync, d->n_resync_bad, d->n_sent, d->send_fail, d->n_answers_in);
	lput_hist(&l, "route_record", &d->rr);
	lput(&l, "}");
	printf("%s\n", l.b);
	fflush(stdout);
	if (d->stats_path == NULL)
		return 0;
	f = fopen(d->stats_path, "w");
	if (f == NULL || fprintf(f, "%s\n", l.b) < 0 || fclose(f) != 0) {
		fprintf(stderr, "diampeer: --stats %s: %s\n", d->stats_path, strerror(errno));
		return -1;
	}
	return 0;
}

static int
run_server(struct dp *d)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	char host[64] = "?";
	int port = 0;

	if (d->conf.fsm.role == JITSIM_DIAM_RESPONDER &&
	    jitsim_diam_peer_local_addr(d->peer, &ss, &sl) == 0) {
		if (ss.ss_family == AF_INET) {
			struct sockaddr_in *in = (struct sockaddr_in *)&ss;

			inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
			port = ntohs(in->sin_port);
		} else if (ss.ss_family == AF_INET6) {
			struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)&ss;

			inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
			port = ntohs(in6->sin6_port);
		}
		printf("{\"ev\":\"listening\",\"mode\":\"%s\",\"addr\":\"%s\",\"port\":%d}\n",
		       mode_names[d->mode], host, port);
		fflush(stdout);
	}
	while (!stop_flag)
		turn(d, 200);
	peer_stop(d);
	return write_stats(d) < 0 ? EXIT_STEP : 0;
}

static int
run_raw(struct dp *d)
{
	uint64_t connect_by = now_ms() + (uint64_t)d->connect_timeout_s * 1000u;
	int rc = 0;

	while (!stop_flag && !d->raw_done) {
		unsigned int ev;

		if (!d->opened && now_ms() > connect_by) {
			fprintf(stderr, "diampeer: not open after %u s\n", d->connect_timeout_s);
			return EXIT_CONN;
		}
		if (d->opened && !d->raw_sent)
			raw_send(d);
		ev = turn(d, 20);
		if (d->raw_sent && !d->raw_done && (ev & JITSIM_DIAM_EV_DOWN)) {
			printf("{\"step\":\"raw\",\"closed\":true}\n");
			fflush(stdout);
			d->raw_done = true;
			break;
		}
		if (d->raw_sent && !d->raw_done && now_ms() >= d->raw_deadline) {
			printf("{\"step\":\"raw\",\"timeout\":true}\n");
			fflush(stdout);
			rc = EXIT_STEP;
			break;
		}
	}
	if (!d->raw_done && rc == 0)
		rc = EXIT_STEP;
	peer_stop(d);
	return rc;
}

static void
usage(FILE *f)
{
	fprintf(f,
		"usage: diampeer mme  (--connect|--listen) A:P [--tcp|--sctp] --imsi D... "
		"--steps S,S,... [options]\n"
		"       diampeer hss  (--connect|--listen) A:P [--tcp|--sctp] [--ki HEX --opc "
		"HEX]\n"
		"                     [--msisdn D] [--stats FILE]\n"
		"       diampeer echo (--connect|--listen) A:P [--tcp|--sctp]\n"
		"       diampeer raw  (--connect|--listen) A:P [--tcp|--sctp] (--hex HEX | --file "
		"F)\n"
		"\n"
		"One Diameter peer (S6a, RFC 6733 capabilities exchange and watchdog).\n"
		"mme: runs --steps for each session (one IMSI each), --window at a time;\n"
		"  STEP: air[:N] (AIR asking N vectors), resync:SQN (AIR with\n"
		"  Re-Synchronization-Info: AUTS from --ki/--opc claiming the USIM's SQN),\n"
		"  ulr, pur, nor (or noa), sleep:S. One JSON line per answer: step, imsi,\n"
		"  result_code, exp_result, e_bit, vectors, verified (vectors recomputed from\n"
		"  --ki/--opc: XRES, MAC-A, KASME), sqn, msisdn, origin_host, redirect_host,\n"
		"  failed_avp, ms; \"timeout\":true when none came; CLR/IDR/DSR/RSR answered\n"
		"  2001 and printed as {\"step\":\"clr-in\",...}; then {\"step\":\"summary\"}.\n"
		"hss: stand-in HSS: AIA (vectors from --ki/--opc, default TS 35.208 test\n"
		"  set 1; resync honoured), ULA (Subscription-Data with --msisdn), PUA, NOA;\n"
		"  malformed requests answered with the Result-Code and Failed-AVP of the\n"
		"  S6a parsers. Counts, Route-Record values: printed and written to --stats\n"
		"  on SIGTERM/SIGINT.\n"
		"echo: answers every request 2001 with its Session-Id.\n"
		"raw: once open, sends the bytes as they are, prints the first answer\n"
		"  ({\"step\":\"raw\",...}) or {\"closed\":true} when the far end closes.\n"
		"\n"
		"options:\n"
		"  --tcp | --sctp          transport (default tcp; sctp: PPID 46)\n"
		"  --connect A:P           initiator (reconnects with backoff)\n"
		"  --listen A:P            responder (port 0: any; printed by hss/echo)\n"
		"  --origin-host H --origin-realm R   own identity\n"
		"                          (default MODE.diampeer.test, diampeer.test)\n"
		"  --dest-realm R          requests' Destination-Realm (default jitsim.example)\n"
		"  --dest-host H           requests' Destination-Host (default none)\n"
		"  --tw S                  watchdog Tw seconds (default 30)\n"
		"  --imsi D                mme: an IMSI (repeatable; sessions take them in turn)\n"
		"  --imsi-first D --imsis N   mme: N IMSIs from D on instead of a list\n"
		"  --plmn MCCMNC           mme: Visited-PLMN-Id (default 00101)\n"
		"  --steps S,S,...         mme: the steps of every session\n"
		"  --vectors N             mme: vectors of a bare 'air' step (default 1)\n"
		"  --auts SQN              mme: make every 'air' step a resync:SQN\n"
		"  --count N               mme: sessions (default: one per IMSI)\n"
		"  --window W              mme: sessions in flight (default 1)\n"
		"  --wait-clr S            mme: after the steps, wait up to S s for one CLR\n"
		"                          per session (exit 1 if they do not come)\n"
		"  --quiet                 mme: no line per answer, the summary only\n"
		"  --ki HEX --opc HEX      keys (32 hex digits each)\n"
		"  --msisdn D              hss: MSISDN of every ULA (default 491700000001)\n"
		"  --stats FILE            hss/echo: counters as JSON, written on exit\n"
		"  --hex HEX | --file F    raw: the bytes to send\n"
		"  --step-timeout S        per answer (default 10)\n"
		"  --connect-timeout S     until the connection opens (default 30)\n"
		"\n"
		"exit: 0 every step answered / clean stop, 1 a step was not (or no CLR),\n"
		"      2 usage, 3 the connection never opened.\n");
}

int
main(int argc, char **argv)
{
	enum {
		O_TCP = 256,
		O_SCTP,
		O_CONNECT,
		O_LISTEN,
		O_OHOST,
		O_OREALM,
		O_DREALM,
		O_DHOST,
		O_TW,
		O_IMSI,
		O_IMSI_FIRST,
		O_IMSIS,
		O_PLMN,
		O_STEPS,
		O_VECTORS,
		O_AUTS,
		O_COUNT,
		O_WINDOW,
		O_WAIT_CLR,
		O_QUIET,
		O_KI,
		O_OPC,
		O_MSISDN,
		O_STATS,
		O_HEX,
		O_FILE,
		O_STEPT,
		O_CONNT,
	};
	static const struct option opts[] = {
		{"tcp", no_argument, NULL, O_TCP},
		{"sctp", no_argument, NULL, O_SCTP},
		{"connect", required_argument, NULL, O_CONNECT},
		{"listen", required_argument, NULL, O_LISTEN},
		{"origin-host", required_argument, NULL, O_OHOST},
		{"origin-realm", required_argument, NULL, O_OREALM},
		{"dest-realm", required_argument, NULL, O_DREALM},
		{"dest-host", required_argument, NULL, O_DHOST},
		{"tw", required_argument, NULL, O_TW},
		{"imsi", required_argument, NULL, O_IMSI},
		{"imsi-first", required_argument, NULL, O_IMSI_FIRST},
		{"imsis", required_argument, NULL, O_IMSIS},
		{"plmn", required_argument, NULL, O_PLMN},
		{"steps", required_argument, NULL, O_STEPS},
		{"vectors", required_argument, NULL, O_VECTORS},
		{"auts", required_argument, NULL, O_AUTS},
		{"count", required_argument, NULL, O_COUNT},
		{"window", required_argument, NULL, O_WINDOW},
		{"wait-clr", required_argument, NULL, O_WAIT_CLR},
		{"quiet", no_argument, NULL, O_QUIET},
		{"ki", required_argument, NULL, O_KI},
		{"opc", required_argument, NULL, O_OPC},
		{"msisdn", required_argument, NULL, O_MSISDN},
		{"stats", required_argument, NULL, O_STATS},
		{"hex", required_argument, NULL, O_HEX},
		{"file", required_argument, NULL, O_FILE},
		{"step-timeout", required_argument, NULL, O_STEPT},
		{"connect-timeout", required_argument, NULL, O_CONNT},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static const uint32_t s6a_cmds[] = {316, 317, 318, 319, 320, 321, 322, 323};
	static struct dp dpeer;
	static char default_host[64];
	struct dp *d = &dpeer;
	struct jitsim_diam_fsm_conf *fc = &d->conf.fsm;
	const char *steps_text = NULL, *hex = NULL, *file = NULL, *mode;
	bool has_ki = false, has_opc = false, sctp = false, has_auts = false;
	uint64_t v, vectors = 0, auts = 0, count = 0;
	struct sigaction sa;
	int o, rc;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	mode = argv[1];
	for (o = 0; o < 4; o++)
		if (strcmp(mode, mode_names[o]) == 0)
			break;
	if (o == 4) {
		fprintf(stderr, "diampeer: unknown mode '%s' (mme, hss, echo, raw)\n", mode);
		return EXIT_USAGE;
	}
	d->mode = (enum mode)o;
	argc--;
	argv++;

	jitsim_diam_fsm_conf_defaults(fc);
	fc->role = JITSIM_DIAM_INITIATOR;
	snprintf(default_host, sizeof(default_host), "%s.diampeer.test", mode);
	d->origin_host = default_host;
	d->origin_realm = "diampeer.test";
	d->dest_realm = "jitsim.example";
	snprintf(d->plmn, sizeof(d->plmn), "00101");
	d->step_timeout_s = 10;
	d->connect_timeout_s = 30;
	d->window = 1;
	d->sqn_next = 32;
	d->msisdn = "491700000001";
	d->results.max = d->origins.max = MAX_HIST;
	d->rr.max = MAX_RR;

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *bad = NULL;

		switch (o) {
		case 'h':
			usage(stdout);
			return 0;
		case O_TCP:
		case O_SCTP:
			sctp = o == O_SCTP;
			break;
		case O_CONNECT:
		case O_LISTEN:
			fc->role = o == O_CONNECT ? JITSIM_DIAM_INITIATOR : JITSIM_DIAM_RESPONDER;
			d->addr_text = optarg;
			if (jitsim_diam_parse_addr(optarg, &d->conf.addr, &d->conf.addr_len) < 0)
				bad = "--connect/--listen (ADDR:PORT)";
			break;
		case O_OHOST:
		case O_OREALM:
		case O_DREALM:
		case O_DHOST:
			if (*optarg == '\0' || strlen(optarg) > HOST_MAX)
				bad = "identity (1..255 characters)";
			if (o == O_OHOST)
				d->origin_host = optarg;
			else if (o == O_OREALM)
				d->origin_realm = optarg;
			else if (o == O_DREALM)
				d->dest_realm = optarg;
			else
				d->dest_host = optarg;
			break;
		case O_TW:
			if (parse_u64(optarg, 300, &v) < 0 || v < 1)
				bad = "--tw (1..300 seconds)";
			fc->tw_ms = (uint32_t)v * 1000u;
			break;
		case O_IMSI:
			if (d->n_imsis == MAX_IMSIS ||
			    parse_imsi(optarg, &d->imsis[d->n_imsis]) < 0)
				bad = "--imsi (5..15 digits, at most 64 of them)";
			d->n_imsis++;
			break;
		case O_IMSI_FIRST:
			if (strlen(optarg) != 15 || parse_u64(optarg, 999999999999999ull, &v) < 0)
				bad = "--imsi-first (15 digits)";
			d->imsi_first = v;
			break;
		case O_IMSIS:
			if (parse_u64(optarg, 100000000, &v) < 0 || v == 0)
				bad = "--imsis (1..100000000)";
			d->imsi_range = (unsigned int)v;
			break;
		case O_PLMN:
			if (jitsim_plmn_encode(optarg, d->plmn_b) != 0)
				bad = "--plmn (MCCMNC, 5 or 6 digits)";
			snprintf(d->plmn, sizeof(d->plmn), "%s", optarg);
			break;
		case O_STEPS:
			steps_text = optarg;
			break;
		case O_VECTORS:
			if (parse_u64(optarg, JITSIM_S6A_FTA_VECTORS_MAX, &vectors) < 0 ||
			    vectors == 0)
				bad = "--vectors (1..5)";
			break;
		case O_AUTS:
			if (parse_u64(optarg, 0xffffffffffffull, &auts) < 0)
				bad = "--auts (SQN_MS, 48 bits)";
			has_auts = true;
			break;
		case O_COUNT:
			if (parse_u64(optarg, 100000000, &count) < 0 || count == 0)
				bad = "--count (1..100000000)";
			break;
		case O_WINDOW:
			if (parse_u64(optarg, MAX_WINDOW, &v) < 0 || v == 0)
				bad = "--window (1..4096)";
			d->window = (uint32_t)v;
			break;
		case O_WAIT_CLR:
			if (parse_u64(optarg, 3600, &v) < 0)
				bad = "--wait-clr (seconds)";
			d->wait_clr_s = (unsigned int)v;
			break;
		case O_QUIET:
			d->quiet = true;
			break;
		case O_KI:
		case O_OPC:
			if (parse_key(optarg, o == O_KI ? d->k : d->opc) < 0)
				bad = o == O_KI ? "--ki (32 hex digits)" : "--opc (32 hex digits)";
			if (o == O_KI)
				has_ki = true;
			else
				has_opc = true;
			break;
		case O_MSISDN:
			if (strlen(optarg) < 1 || strlen(optarg) > 15 ||
			    strspn(optarg, "0123456789") != strlen(optarg))
				bad = "--msisdn (1..15 digits)";
			d->msisdn = optarg;
			break;
		case O_STATS:
			d->stats_path = optarg;
			break;
		case O_HEX:
			hex = optarg;
			break;
		case O_FILE:
			file = optarg;
			break;
		case O_STEPT:
		case O_CONNT:
			if (parse_u64(optarg, 86400, &v) < 0 || v == 0)
				bad = "--step-timeout/--connect-timeout (seconds)";
			if (o == O_STEPT)
				d->step_timeout_s = (unsigned int)v;
			else
				d->connect_timeout_s = (unsigned int)v;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "diampeer: bad %s: '%s'\n", bad, optarg);
			return EXIT_USAGE;
		}
	}
	if (optind != argc) {
		fprintf(stderr, "diampeer: unexpected argument '%s'\n", argv[optind]);
		return EXIT_USAGE;
	}
	if (d->addr_text == NULL) {
		fprintf(stderr, "diampeer: --connect or --listen ADDR:PORT is required\n");
		return EXIT_USAGE;
	}
	if (has_ki != has_opc) {
		fprintf(stderr, "diampeer: --ki and --opc go together\n");
		return EXIT_USAGE;
	}
	if (jitsim_plmn_encode(d->plmn, d->plmn_b) != 0) {
		fprintf(stderr, "diampeer: bad --plmn '%s'\n", d->plmn);
		return EXIT_USAGE;
	}
	if (d->mode == MODE_HSS && !has_ki) {
		parse_key(DEFAULT_K, d->k);
		parse_key(DEFAULT_OPC, d->opc);
		has_ki = true;
	}
	d->has_keys = has_ki;

	if (d->mode == MODE_MME) {
		char buf[512], *save = NULL, *tok;

		if ((d->n_imsis == 0) == (d->imsi_range == 0 || d->imsi_first == 0)) {
			fprintf(stderr, "diampeer: mme needs --imsi (repeatable) or --imsi-first "
					"with --imsis\n");
			return EXIT_USAGE;
		}
		if (steps_text == NULL || strlen(steps_text) >= sizeof(buf)) {
			fprintf(stderr, "diampeer: mme needs --steps S,S,...\n");
			return EXIT_USAGE;
		}
		snprintf(buf, sizeof(buf), "%s", steps_text);
		for (tok = strtok_r(buf, ",", &save); tok; tok = strtok_r(NULL, ",", &save)) {
			struct step *st = &d->steps[d->n_steps];

			if (d->n_steps == MAX_STEPS || parse_step(tok, st) < 0) {
				fprintf(stderr, "diampeer: bad step '%s' (see --help)\n", tok);
				return EXIT_USAGE;
			}
			if (st->kind == STEP_AIR && strchr(tok, ':') == NULL && vectors)
				st->arg = vectors;
			if (st->kind == STEP_AIR && has_auts) {
				st->kind = STEP_RESYNC;
				st->arg = auts;
			}
			if (st->kind == STEP_RESYNC && !d->has_keys) {
				fprintf(stderr, "diampeer: step '%s' needs --ki and --opc\n", tok);
				return EXIT_USAGE;
			}
			d->n_steps++;
		}
		if (d->n_steps == 0) {
			fprintf(stderr, "diampeer: mme needs at least one step\n");
			return EXIT_USAGE;
		}
		d->count = count ? (uint32_t)count : d->n_imsis ? d->n_imsis : d->imsi_range;
		if (d->window > d->count)
			d->window = d->count;
	} else if (steps_text || d->n_imsis || d->imsi_range || count) {
		fprintf(stderr, "diampeer: --steps, --imsi, --count are for mme\n");
		return EXIT_USAGE;
	}
	if (d->mode == MODE_RAW) {
		/* Room for a message over the receive limit of a peer (oversize tests). */
		static uint8_t rawbuf[RAW_MAX];
		long n = -1;

		if ((hex == NULL) == (file == NULL)) {
			fprintf(stderr, "diampeer: raw needs --hex HEX or --file F\n");
			return EXIT_USAGE;
		}
		if (hex) {
			n = parse_hex(hex, rawbuf, sizeof(rawbuf));
		} else {
			FILE *f = fopen(file, "rb");

			if (f) {
				n = (long)fread(rawbuf, 1, sizeof(rawbuf), f);
				if (ferror(f) || !feof(f))
					n = -1;
				fclose(f);
			}
		}
		if (n <= 0) {
			fprintf(stderr, "diampeer: raw: bad or empty %s\n", hex ? "--hex" : file);
			return EXIT_USAGE;
		}
		d->raw = rawbuf;
		d->raw_len = (size_t)n;
	}

	d->urandom = open("/dev/urandom", O_RDONLY | O_CLOEXEC);
	d->mil = jitsim_milenage_new();
	if (d->urandom < 0 || d->mil == NULL) {
		fprintf(stderr, "diampeer: no /dev/urandom or MILENAGE context\n");
		return EXIT_USAGE;
	}
	d->conf.tp = sctp ? &jitsim_diam_sctp : &jitsim_diam_tcp;
	fc->id.host = d->origin_host;
	fc->id.realm = d->origin_realm;
	fc->id.origin_state_id = (uint32_t)time(NULL);
	fc->product_name = "jitsim-diampeer";
	fc->firmware_revision = 1;
	fc->supported_vendor[0] = JITSIM_DIAM_VENDOR_3GPP;
	fc->apps[0].app_id = JITSIM_S6A_APP_ID;
	fc->apps[0].vendor = JITSIM_DIAM_VENDOR_3GPP;
	memcpy(fc->apps[0].cmds, s6a_cmds, sizeof(s6a_cmds));
	fc->apps[0].n_cmds = sizeof(s6a_cmds) / sizeof(s6a_cmds[0]);
	fc->n_apps = 1;
	/* The far ends of a test are local: reconnect fast. */
	fc->tc_min_ms = 200;
	fc->tc_ms = 2000;
	if (fc->tw_ms < 4 * fc->tw_jitter_ms)
		fc->tw_jitter_ms = fc->tw_ms / 4;
	if (fill_random(d, (uint8_t *)&fc->seed, sizeof(fc->seed)) < 0 ||
	    fill_random(d, (uint8_t *)&v, sizeof(v)) < 0) {
		fprintf(stderr, "diampeer: /dev/urandom: %s\n", strerror(errno));
		return EXIT_USAGE;
	}
	fc->e2e_seed = jitsim_diam_e2e_seed((uint64_t)time(NULL), (uint32_t)v);
	jitsim_diam_dup_init(&d->dup, JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS);
	fc->dup = &d->dup;
	d->conf.tx_buf = TX_BUF;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	d->peer = jitsim_diam_peer_create(&d->conf);
	if (d->peer == NULL) {
		fprintf(stderr, "diampeer: bad peer configuration\n");
		return EXIT_USAGE;
	}
	rc = jitsim_diam_peer_start(d->peer, now_ms());
	if (rc < 0) {
		fprintf(stderr, "diampeer: cannot listen on %s: %s\n", d->addr_text, strerror(-rc));
		jitsim_diam_peer_destroy(d->peer);
		return EXIT_CONN;
	}
	switch (d->mode) {
	case MODE_MME:
		rc = run_mme(d);
		break;
	case MODE_RAW:
		rc = run_raw(d);
		break;
	default:
		rc = run_server(d);
		break;
	}
	jitsim_diam_peer_destroy(d->peer);
	jitsim_milenage_free(d->mil);
	close(d->urandom);
	free(d->slots);
	free(d->lat_us);
	return rc;
}
