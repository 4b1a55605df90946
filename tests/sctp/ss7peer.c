/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * ss7peer: the far ends of the SCTP scenarios (tests/sctp), one program:
 *
 *   vlr   a test VLR: an M3UA ASP toward the STP that runs a script of MAP
 *         dialogues (SendAuthenticationInfo, UpdateLocation with the
 *         InsertSubscriberData it is sent, UpdateGprsLocation), answers
 *         every CancelLocation, and prints one JSON line per message
 *         received and per step ended;
 *   hlr   a stand-in HLR: answers SendAuthenticationInfo with vectors made
 *         by MILENAGE from fixed test keys and UpdateLocation /
 *         UpdateGprsLocation with a result, counts what it saw;
 *   echo  a plain SCTP echo server (one-to-one sockets): every message goes
 *         back on its stream with its PPID, the baseline of the relay
 *         benchmark.
 *
 * Built from the codec library's encoders and parsers (tcap, sccp, map,
 * map_fta) and dataplane/sigtran's M3UA ASP over libsctp, so a scenario
 * exercises the same code both ways. Vectors are checked, never printed:
 * the VLR recomputes each one from --key-k/--key-opc and prints how many
 * matched and their SQN (not secret: it is sent concealed by AK anyway).
 *
 * One thread, poll(2). Exit codes: 0 every step ended as expected (vlr) or
 * a clean stop (hlr, echo); 1 a step did not; 2 usage or configuration;
 * 3 the association did not become (or stay) ACTIVE.
 */

#include <errno.h>
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

#include <jitsim/proto/ber.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/wbuf.h>
#include <jitsim/shm.h>

#include "milenage.h"
#include "sctp_sock.h"
#include "sig_link.h"

#define EXIT_STEP 1
#define EXIT_USAGE 2
#define EXIT_LINK 3

#define MAX_STEPS 32
#define MSG_BUF 1024
/* SCCP protocol class 0 with "return message on error" (Q.713 3.6). */
#define SCCP_PCLASS 0x80
#define SI_SCCP 3

/* TS 35.208 Test Set 1: the stand-in HLR's keys unless told otherwise. */
static const char DEFAULT_K[] = "465b5ce8b199b49faa5f0a2ee238a6bc";
static const char DEFAULT_OPC[] = "cd63cb71954a9f4e48a5994e37a02baf";

enum mode { MODE_VLR, MODE_HLR, MODE_ECHO };

enum step_kind {
	STEP_SAI,
	STEP_SAI2,
	STEP_RESYNC,
	STEP_UL,
	STEP_UGL,
	STEP_WAIT_CANCEL,
	STEP_SLEEP,
	STEP_JUNK_SCCP,
	STEP_JUNK_TCAP,
	STEP_JUNK_M3UA,
	STEP_UL_DROP
};

/* How a step ended; its expectation is one of these (error with a code). */
enum outcome { OUT_NONE, OUT_OK, OUT_ERROR, OUT_ABORT, OUT_REJECT, OUT_TIMEOUT, OUT_BAD, OUT_ANY };

static const char *const outcome_names[] = {
	[OUT_NONE] = "none",   [OUT_OK] = "ok",		[OUT_ERROR] = "error",
	[OUT_ABORT] = "abort", [OUT_REJECT] = "reject", [OUT_TIMEOUT] = "timeout",
	[OUT_BAD] = "bad",     [OUT_ANY] = "any",
};

struct step {
	enum step_kind kind;
	const char *text; /* as given, for the JSON lines */
	unsigned int arg; /* vectors, seconds, or SQN_MS for resync */
	enum outcome expect;
	int expect_error; /* -1: any error code */
};

struct peer {
	enum mode mode;
	struct jitsim_sig_link_conf lconf;
	struct jitsim_sig_link *link;
	uint32_t opc, dpc;
	uint8_t ni, sls;
	struct jitsim_sccp_addr own;	/* our SCCP address */
	struct jitsim_sccp_addr called; /* vlr: where requests go */
	bool has_called;
	unsigned int step_timeout_s, connect_timeout_s, duration_s;

	/* vlr */
	struct jitsim_digits imsi, msc, vlr, sgsn;
	bool has_imsi, has_msc, has_vlr, has_sgsn;
	struct step steps[MAX_STEPS];
	unsigned int n_steps, cur;
	bool step_busy;		/* a dialogue of the current step is open */
	bool drop_assoc;	/* ul-drop: abort the association, no ASPIA/ASPDN */
	uint64_t step_deadline; /* ms */
	uint64_t step_t0;
	struct jitsim_map_fta_dialogue dlg;
	uint8_t dlg_op; /* the operation invoked in dlg */
	unsigned int cancels_seen, cancels_used;
	unsigned int failed;
	uint32_t tid_next;

	/* vector checks (vlr) and vectors made (hlr) */
	uint8_t k[16], kopc[16];
	bool has_keys;
	struct jitsim_milenage *mil;
	uint64_t sqn_next; /* hlr */

	/* hlr counters */
	uint64_t n_sai, n_ul, n_ugl, n_other, n_bad, n_sent, n_send_fail;
};

static volatile sig_atomic_t stop_flag;

static void
on_signal(int sig)
{
	(void)sig;
	stop_flag = 1;
}

static uint64_t
now_ms(void)
{
	return jitsim_sig_link_now_ms();
}

/* ---- small parsers ------------------------------------------------------ */

static int
parse_uint(const char *s, unsigned long max, unsigned long *v)
{
	char *end;

	if (s == NULL || *s == '\0')
		return -1;
	errno = 0;
	*v = strtoul(s, &end, 0);
	if (errno || *end != '\0' || *v > max)
		return -1;
	return 0;
}

/* ITU point code: "a.b.c" (3-8-3, osmo-stp's default notation) or a number. */
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
	if (parse_uint(s, 0x3fff, &v) < 0)
		return -1;
	*pc = (uint32_t)v;
	return 0;
}

static int
parse_digits(const char *s, struct jitsim_digits *d)
{
	size_t n = strlen(s);

	if (n == 0 || n > JITSIM_DIGITS_MAX || strspn(s, "0123456789") != n)
		return -1;
	jitsim_digits_set(d, s);
	return 0;
}

static int
parse_hex16(const char *s, uint8_t out[16])
{
	unsigned int i, v;

	if (strlen(s) != 32)
		return -1;
	for (i = 0; i < 16; i++) {
		if (sscanf(s + 2 * i, "%2x", &v) != 1)
			return -1;
		out[i] = (uint8_t)v;
	}
	return 0;
}

/*
 * SCCP address: "key=value,..." with pc (3-8-3 or number), ssn, gt
 * (digits), tt, np, nai, route (gt|ssn). A GT makes GTI 4; routing is on
 * the GT when there is one, else on the SSN, unless route= says.
 */
static int
parse_addr(const char *spec, struct jitsim_sccp_addr *a)
{
	char buf[256], *save = NULL, *kv;
	int route = -1;

	if (strlen(spec) >= sizeof(buf))
		return -1;
	snprintf(buf, sizeof(buf), "%s", spec);
	memset(a, 0, sizeof(*a));
	a->np = 1;  /* E.164 */
	a->nai = 4; /* international */
	for (kv = strtok_r(buf, ",", &save); kv; kv = strtok_r(NULL, ",", &save)) {
		char *val = strchr(kv, '=');
		unsigned long v;
		uint32_t pc = 0;

		if (val == NULL)
			return -1;
		*val++ = '\0';
		if (strcmp(kv, "pc") == 0) {
			if (parse_pc(val, &pc) < 0)
				return -1;
			a->has_pc = true;
			a->pc = (uint16_t)pc;
		} else if (strcmp(kv, "ssn") == 0) {
			if (parse_uint(val, 255, &v) < 0)
				return -1;
			a->has_ssn = true;
			a->ssn = (uint8_t)v;
		} else if (strcmp(kv, "gt") == 0) {
			if (parse_digits(val, &a->digits) < 0)
				return -1;
			a->gti = 4;
		} else if (strcmp(kv, "tt") == 0 || strcmp(kv, "np") == 0 ||
			   strcmp(kv, "nai") == 0) {
			if (parse_uint(val, kv[0] == 'n' && kv[1] == 'p' ? 15 : 127, &v) < 0)
				return -1;
			if (kv[0] == 't')
				a->tt = (uint8_t)v;
			else if (kv[1] == 'p')
				a->np = (uint8_t)v;
			else
				a->nai = (uint8_t)v;
		} else if (strcmp(kv, "route") == 0) {
			if (strcmp(val, "gt") == 0)
				route = 0;
			else if (strcmp(val, "ssn") == 0)
				route = 1;
			else
				return -1;
		} else {
			return -1;
		}
	}
	a->route_on_ssn = route >= 0 ? route == 1 : a->gti == 0;
	if (a->route_on_ssn && !a->has_ssn)
		return -1;
	if (!a->route_on_ssn && a->gti == 0)
		return -1;
	return 0;
}

/* "NAME[:ARG][@EXPECT]", EXPECT: ok | error | error=CODE | abort | reject | timeout | any. */
static int
parse_step(const char *text, struct step *st)
{
	static const struct {
		const char *name;
		enum step_kind kind;
		unsigned long def, max;
	} kinds[] = {
		{"sai", STEP_SAI, 1, 5},
		{"sai2", STEP_SAI2, 1, 5},
		{"resync", STEP_RESYNC, 0, 0xffffffffffful},
		{"ul", STEP_UL, 0, 0},
		{"ugl", STEP_UGL, 0, 0},
		{"wait-cancel", STEP_WAIT_CANCEL, 0, 0},
		{"sleep", STEP_SLEEP, 1, 3600},
		{"junk-sccp", STEP_JUNK_SCCP, 0, 0},
		{"junk-tcap", STEP_JUNK_TCAP, 0, 0},
		{"junk-m3ua", STEP_JUNK_M3UA, 0, 0},
		{"ul-drop", STEP_UL_DROP, 0, 0},
	};
	char name[64], *arg, *exp;
	unsigned long v;
	size_t i;

	if (strlen(text) >= sizeof(name))
		return -1;
	snprintf(name, sizeof(name), "%s", text);
	exp = strchr(name, '@');
	if (exp)
		*exp++ = '\0';
	arg = strchr(name, ':');
	if (arg)
		*arg++ = '\0';
	memset(st, 0, sizeof(*st));
	st->text = text;
	st->expect = OUT_OK;
	st->expect_error = -1;
	for (i = 0; i < sizeof(kinds) / sizeof(kinds[0]); i++)
		if (strcmp(name, kinds[i].name) == 0)
			break;
	if (i == sizeof(kinds) / sizeof(kinds[0]))
		return -1;
	st->kind = kinds[i].kind;
	v = kinds[i].def;
	if (arg && (kinds[i].max == 0 || parse_uint(arg, kinds[i].max, &v) < 0 ||
		    (st->kind != STEP_RESYNC && v == 0)))
		return -1;
	if (st->kind == STEP_RESYNC && arg == NULL)
		return -1;
	st->arg = (unsigned int)v;
	if (exp) {
		if (strncmp(exp, "error=", 6) == 0) {
			if (parse_uint(exp + 6, 255, &v) < 0)
				return -1;
			st->expect = OUT_ERROR;
			st->expect_error = (int)v;
		} else {
			for (i = OUT_OK; i <= OUT_ANY; i++)
				if (strcmp(exp, outcome_names[i]) == 0)
					break;
			if (i > OUT_ANY || i == OUT_BAD)
				return -1;
			st->expect = (enum outcome)i;
		}
	}
	return 0;
}

/* ---- JSON output ---------------------------------------------------------- */

/* Everything printed is digits, fixed names or numbers: no escaping needed. */
static void
addr_str(const struct jitsim_sccp_addr *a, char *buf, size_t size)
{
	int n = 0;

	buf[0] = '\0';
	if (a->has_pc)
		n += snprintf(buf + n, size - (size_t)n, "pc=%u.%u.%u ", a->pc >> 11,
			      (a->pc >> 3) & 0xff, a->pc & 7);
	if (a->has_ssn && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "ssn=%u ", a->ssn);
	if (a->gti && (size_t)n < size)
		n += snprintf(buf + n, size - (size_t)n, "gt=%s ", a->digits.d);
	if ((size_t)n < size)
		snprintf(buf + n, size - (size_t)n, "route=%s", a->route_on_ssn ? "ssn" : "gt");
}

static const char *
tcap_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_BEGIN:
		return "begin";
	case JITSIM_TCAP_CONTINUE:
		return "continue";
	case JITSIM_TCAP_END:
		return "end";
	case JITSIM_TCAP_ABORT:
		return "abort";
	case JITSIM_TCAP_UNI:
		return "unidirectional";
	default:
		return "unknown";
	}
}

static const char *
comp_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_INVOKE:
		return "invoke";
	case JITSIM_TCAP_RESULT_LAST:
		return "result";
	case JITSIM_TCAP_RESULT_NOT_LAST:
		return "result-not-last";
	case JITSIM_TCAP_ERROR:
		return "error";
	case JITSIM_TCAP_REJECT:
		return "reject";
	default:
		return "unknown";
	}
}

static const char *
mode_name(enum mode m)
{
	return m == MODE_VLR ? "vlr" : m == MODE_HLR ? "hlr" : "echo";
}

/* Appends to a line buffer, snprintf style, never past its end. */
struct line {
	char b[2048];
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

static void
lemit(struct line *l)
{
	puts(l->b);
	fflush(stdout);
}

/* ---- sending -------------------------------------------------------------- */

static int
send_sccp(struct peer *p, uint32_t dpc, const struct jitsim_wbuf *w)
{
	uint64_t until = now_ms() + 1000;
	int r;

	/* A full socket is the only transient failure: wait for room a little. */
	for (;;) {
		r = jitsim_sig_link_send_data(p->link, p->opc, dpc, SI_SCCP, p->ni, 0, p->sls,
					      jitsim_wbuf_data(w), jitsim_wbuf_len(w));
		if (r != -EAGAIN || now_ms() >= until)
			break;
		poll(NULL, 0, 5);
	}
	if (r < 0) {
		p->n_send_fail++;
		fprintf(stderr, "ss7peer: send to dpc %u failed: %s\n", dpc, strerror(-r));
		return r;
	}
	p->n_sent++;
	return 0;
}

/* Wrap the TC message in @p w into a UDT from us to @p called and send it. */
static int
send_request(struct peer *p, struct jitsim_wbuf *w, const struct jitsim_sccp_addr *called)
{
	struct jitsim_sccp s;
	enum jitsim_reason r;

	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = SCCP_PCLASS;
	s.called = *called;
	s.calling = p->own;
	r = jitsim_sccp_encode(w, &s);
	if (r != JITSIM_R_OK) {
		fprintf(stderr, "ss7peer: SCCP encode: %s\n", jitsim_reason_str(r));
		return -1;
	}
	return send_sccp(p, p->dpc, w);
}

/* Answer @p req (SCCP of the received message) from @p opc with the TC message in @p w. */
static int
send_answer(struct peer *p, struct jitsim_wbuf *w, const struct jitsim_sccp *req, uint32_t to_pc)
{
	enum jitsim_reason r = jitsim_map_fta_sccp_answer(w, req, &p->own);

	if (r != JITSIM_R_OK) {
		fprintf(stderr, "ss7peer: SCCP answer encode: %s\n", jitsim_reason_str(r));
		return -1;
	}
	return send_sccp(p, to_pc, w);
}

/* ---- vectors -------------------------------------------------------------- */

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

static void
fill_random(uint8_t *p, size_t n)
{
	FILE *f = fopen("/dev/urandom", "rb");
	size_t i;

	if (f && fread(p, 1, n, f) == n) {
		fclose(f);
		return;
	}
	if (f)
		fclose(f);
	for (i = 0; i < n; i++)
		p[i] = (uint8_t)rand();
}

/*
 * Check the quintuplets/triplets of a SendAuthenticationInfoRes against our
 * keys. Walks v3 [3] { quintupletList [1] | tripletList [0] } and the v2
 * bare SEQUENCE OF triplets.
 */
struct vec_check {
	unsigned int n, ok;
	unsigned int n_sqn;
	uint64_t sqn[JITSIM_MAP_FTA_VECTORS_MAX];
	bool quintuplets;
};

static bool
check_quintuplet(struct peer *p, const uint8_t *val, size_t len, uint64_t *sqn_out)
{
	const uint8_t *f[5] = {0};
	size_t fl[5] = {0};
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	uint8_t res[8], ck[16], ik[16], ak[6], aks[6], sqn[6], mac_a[8], mac_s[8];
	unsigned int i = 0;
	int k;

	jitsim_ber_iter_init(&it, val, len);
	while (i < 5 && jitsim_ber_next(&it, &t) == JITSIM_R_OK) {
		if (t.id != 0x04)
			return false;
		f[i] = t.val;
		fl[i++] = t.len;
	}
	if (i != 5 || fl[0] != 16 || fl[2] != 16 || fl[3] != 16 || fl[4] != 16 || fl[1] < 4 ||
	    fl[1] > 16 || !p->has_keys)
		return false;
	if (jitsim_milenage_f2345(p->mil, p->k, p->kopc, f[0], res, ck, ik, ak, aks) < 0)
		return false;
	for (k = 0; k < 6; k++)
		sqn[k] = f[4][k] ^ ak[k];
	*sqn_out = sqn_get(sqn);
	if (jitsim_milenage_f1(p->mil, p->k, p->kopc, f[0], sqn, f[4] + 6, mac_a, mac_s) < 0)
		return false;
	return memcmp(mac_a, f[4] + 8, 8) == 0 && fl[1] == 8 && memcmp(res, f[1], 8) == 0 &&
	       memcmp(ck, f[2], 16) == 0 && memcmp(ik, f[3], 16) == 0;
}

static bool
check_triplet(struct peer *p, const uint8_t *val, size_t len)
{
	const uint8_t *f[3] = {0};
	size_t fl[3] = {0};
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	struct jitsim_milenage_vector v;
	uint8_t aks[6], sres[4], kc[8];
	unsigned int i = 0;

	jitsim_ber_iter_init(&it, val, len);
	while (i < 3 && jitsim_ber_next(&it, &t) == JITSIM_R_OK) {
		if (t.id != 0x04)
			return false;
		f[i] = t.val;
		fl[i++] = t.len;
	}
	if (i != 3 || fl[0] != 16 || fl[1] != 4 || fl[2] != 8 || !p->has_keys)
		return false;
	if (jitsim_milenage_f2345(p->mil, p->k, p->kopc, f[0], v.res, v.ck, v.ik, v.ak, aks) < 0)
		return false;
	jitsim_milenage_gsm(&v, sres, kc);
	return memcmp(sres, f[1], 4) == 0 && memcmp(kc, f[2], 8) == 0;
}

static void
check_vectors(struct peer *p, const uint8_t *param, size_t len, struct vec_check *vc)
{
	struct jitsim_ber_tlv top, list, e;
	struct jitsim_ber_iter it;
	bool quint;

	memset(vc, 0, sizeof(*vc));
	if (param == NULL || jitsim_ber_read(param, len, &top) != JITSIM_R_OK)
		return;
	if (top.id == 0xa3) { /* v3: [3] SEQUENCE { authenticationSetList CHOICE } */
		jitsim_ber_iter_init(&it, top.val, top.len);
		if (jitsim_ber_next(&it, &list) != JITSIM_R_OK)
			return;
		if (list.id != 0xa0 && list.id != 0xa1)
			return;
		quint = list.id == 0xa1;
	} else if (top.id == 0x30) { /* v2: SEQUENCE OF AuthenticationTriplet */
		list = top;
		quint = false;
	} else {
		return;
	}
	vc->quintuplets = quint;
	jitsim_ber_iter_init(&it, list.val, list.len);
	while (jitsim_ber_next(&it, &e) == JITSIM_R_OK && vc->n < JITSIM_MAP_FTA_VECTORS_MAX) {
		uint64_t sqn = 0;
		bool ok;

		if (e.id != 0x30)
			break;
		vc->n++;
		if (quint) {
			ok = check_quintuplet(p, e.val, e.len, &sqn);
			if (p->has_keys)
				vc->sqn[vc->n_sqn++] = sqn;
		} else {
			ok = check_triplet(p, e.val, e.len);
		}
		vc->ok += ok;
	}
}

/* ---- vlr -------------------------------------------------------------------- */

static uint32_t
next_tid(struct peer *p)
{
	/* Never the top octet jitsim-cp tags its own dialogues with. */
	uint32_t t = p->tid_next++;

	if ((t >> 24) == JITSIM_FTA_TID_TAG)
		t = p->tid_next = (t & 0x00ffffffu) | 0x10000000u;
	return t;
}

static void
step_end(struct peer *p, enum outcome out, int err, const char *extra)
{
	struct step *st = &p->steps[p->cur];
	struct line l = {.n = 0};
	bool as_expected;

	as_expected = st->expect == OUT_ANY ||
		      (st->expect == out &&
		       (out != OUT_ERROR || st->expect_error < 0 || st->expect_error == err));
	lput(&l, "{\"ev\":\"step\",\"step\":\"%s\",\"n\":%u,\"result\":\"%s\"", st->text, p->cur,
	     outcome_names[out]);
	if (out == OUT_ERROR) {
		const char *en = jitsim_map_err_name((uint8_t)err);

		lput(&l, ",\"error\":%d,\"error_name\":\"%s\"", err, en ? en : "?");
	}
	if (extra && *extra)
		lput(&l, ",%s", extra);
	lput(&l, ",\"ms\":%" PRIu64 ",\"expected\":%s}", now_ms() - p->step_t0,
	     as_expected ? "true" : "false");
	lemit(&l);
	if (!as_expected)
		p->failed++;
	p->step_busy = false;
	p->cur++;
}

/* Begin a dialogue with one Invoke of @p opcode carrying @p param. */
static int
vlr_begin(struct peer *p, uint8_t ac, uint8_t version, uint8_t opcode, const uint8_t *param,
	  size_t plen)
{
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;
	struct jitsim_tcap_component c;
	enum jitsim_reason r;

	jitsim_map_fta_dialogue_begin(&p->dlg, next_tid(p), ac, version);
	p->dlg_op = opcode;
	c = jitsim_map_fta_comp_invoke(1, opcode, param, plen);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	r = jitsim_map_fta_tc_encode(&w, &p->dlg, JITSIM_TCAP_BEGIN, &c, 1);
	if (r != JITSIM_R_OK) {
		fprintf(stderr, "ss7peer: TC Begin encode: %s\n", jitsim_reason_str(r));
		return -1;
	}
	return send_request(p, &w, &p->called);
}

/* SendAuthenticationInfoArg v3 with re-synchronisationInfo (TS 29.002 17.7.3). */
static enum jitsim_reason
encode_sai_resync(struct peer *p, struct jitsim_wbuf *w, uint64_t sqn_ms)
{
	uint8_t rand_[16], sqn[6], res[8], ck[16], ik[16], ak[6], aks[6], mac_a[8], mac_s[8];
	uint8_t auts[14], amf0[2] = {0, 0}, n = 1, imsi[8];
	size_t mark = jitsim_wbuf_len(w), inner;
	enum jitsim_reason r;
	int i, il;

	fill_random(rand_, sizeof(rand_));
	sqn_put(sqn_ms, sqn);
	/* AUTS = (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(SQN_MS, RAND, AMF 0) (TS 33.102 6.3.3). */
	if (jitsim_milenage_f2345(p->mil, p->k, p->kopc, rand_, res, ck, ik, ak, aks) < 0 ||
	    jitsim_milenage_f1(p->mil, p->k, p->kopc, rand_, sqn, amf0, mac_a, mac_s) < 0)
		return JITSIM_R_BAD_PARAM;
	for (i = 0; i < 6; i++)
		auts[i] = sqn[i] ^ aks[i];
	memcpy(auts + 6, mac_s, 8);
	r = jitsim_ber_prepend_tlv(w, 0x04, auts, sizeof(auts));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, rand_, sizeof(rand_));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_hdr(w, 0x30, jitsim_wbuf_len(w) - mark);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x02, &n, 1);
	il = jitsim_tbcd_encode(p->imsi.d, imsi, sizeof(imsi));
	if (il <= 0)
		return JITSIM_R_BAD_PARAM;
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x80, imsi, (size_t)il);
	inner = jitsim_wbuf_len(w) - mark;
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_hdr(w, 0x30, inner);
	return r;
}

/* The association's socket (a client link has no listening one). */
static int
link_fd(const struct peer *p)
{
	struct pollfd pfd[2];
	unsigned int n = jitsim_sig_link_pollfds(p->link, pfd, 2);

	return n ? pfd[n - 1].fd : -1;
}

static uint64_t
errs_rx(const struct peer *p)
{
	const struct jitsim_asp *a = jitsim_sig_link_asp(p->link);
	uint64_t n = 0;

	for (unsigned int i = 0; i < JITSIM_M3UA_ERR_MAX; i++)
		n += a->st.err_rx[i];
	return n;
}

static uint64_t junk_errs0;

/*
 * M3UA the peer must refuse (RFC 4666 4.3.4.1: ERR or discard), written
 * straight onto the association, bypassing the ASP machine.
 */
static int
send_junk_m3ua(struct peer *p)
{
	static const uint8_t junk[][16] = {
		/* version 2, DATA, length 8 */
		{0x02, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x08},
		/* version 1, DATA, length 4096 in a 16 byte message */
		{0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x10, 0x00, 0x02, 0x00, 0x00, 0x08, 0, 0, 0,
		 2},
		/* version 1, class 99, length 8 */
		{0x01, 0x00, 0x63, 0x01, 0x00, 0x00, 0x00, 0x08},
		/* version 1, ASPTM type 77, length 8 */
		{0x01, 0x00, 0x04, 0x4d, 0x00, 0x00, 0x00, 0x08},
		/* version 1, DATA, length 12 with a parameter length of 200 */
		{0x01, 0x00, 0x01, 0x01, 0x00, 0x00, 0x00, 0x0c, 0x02, 0x10, 0x00, 0xc8},
	};
	static const size_t len[] = {8, 16, 8, 8, 12};
	int fd = link_fd(p);

	if (fd < 0)
		return -1;
	junk_errs0 = errs_rx(p);
	for (size_t i = 0; i < sizeof(len) / sizeof(len[0]); i++)
		if (jitsim_sctp_send(fd, junk[i], len[i], i == 0 ? 0 : 1, JITSIM_SCTP_PPID_M3UA) <
		    0)
			return -1;
	return 0;
}

static void
junk_m3ua_end(struct peer *p)
{
	char extra[96];

	snprintf(extra, sizeof(extra), "\"sent\":5,\"errs\":%" PRIu64 ",\"active\":%s",
		 errs_rx(p) - junk_errs0,
		 jitsim_sig_link_state(p->link) == JITSIM_ASP_ACTIVE ? "true" : "false");
	step_end(p, OUT_OK, 0, extra);
}

static void
vlr_start_step(struct peer *p)
{
	struct step *st = &p->steps[p->cur];
	uint8_t pbuf[512];
	struct jitsim_wbuf w;
	struct jitsim_map_ids ids;
	enum jitsim_reason r = JITSIM_R_OK;
	int rc = 0;

	p->step_t0 = now_ms();
	p->step_deadline = p->step_t0 + (uint64_t)p->step_timeout_s * 1000;
	jitsim_wbuf_init(&w, pbuf, sizeof(pbuf), sizeof(pbuf));
	memset(&ids, 0, sizeof(ids));
	ids.has_imsi = p->has_imsi;
	ids.imsi = p->imsi;
	switch (st->kind) {
	case STEP_SAI:
	case STEP_SAI2:
		ids.n_vectors = (uint8_t)st->arg;
		r = jitsim_map_encode_invoke(&w, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
					     st->kind == STEP_SAI ? 3 : 2, &ids);
		if (r == JITSIM_R_OK)
			rc = vlr_begin(p, JITSIM_MAP_AC_INFO_RETRIEVAL,
				       st->kind == STEP_SAI ? 3 : 2,
				       JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, jitsim_wbuf_data(&w),
				       jitsim_wbuf_len(&w));
		break;
	case STEP_RESYNC:
		r = encode_sai_resync(p, &w, st->arg);
		if (r == JITSIM_R_OK)
			rc = vlr_begin(p, JITSIM_MAP_AC_INFO_RETRIEVAL, 3,
				       JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, jitsim_wbuf_data(&w),
				       jitsim_wbuf_len(&w));
		break;
	case STEP_UL:
	case STEP_UL_DROP:
		ids.has_msc = p->has_msc;
		ids.msc = p->msc;
		ids.has_vlr = p->has_vlr;
		ids.vlr = p->vlr;
		r = jitsim_map_encode_invoke(&w, JITSIM_MAP_OP_UPDATE_LOCATION, 3, &ids);
		if (r == JITSIM_R_OK)
			rc = vlr_begin(p, JITSIM_MAP_AC_NETWORK_LOC_UP, 3,
				       JITSIM_MAP_OP_UPDATE_LOCATION, jitsim_wbuf_data(&w),
				       jitsim_wbuf_len(&w));
		break;
	case STEP_UGL:
		ids.has_sgsn = p->has_sgsn;
		ids.sgsn = p->sgsn;
		r = jitsim_map_encode_invoke(&w, JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, 3, &ids);
		if (r == JITSIM_R_OK)
			rc = vlr_begin(p, JITSIM_MAP_AC_GPRS_LOCATION_UPDATE, 3,
				       JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, jitsim_wbuf_data(&w),
				       jitsim_wbuf_len(&w));
		break;
	case STEP_WAIT_CANCEL:
		p->step_busy = true;
		return;
	case STEP_SLEEP:
		p->step_deadline = p->step_t0 + (uint64_t)st->arg * 1000;
		p->step_busy = true;
		return;
	case STEP_JUNK_SCCP: {
		/*
		 * A UDT whose called party pointer points past the message (Q.713
		 * 2.3: pointers must stay inside it): the peer must drop it.
		 */
		static const uint8_t junk[] = {
			JITSIM_SCCP_UDT, SCCP_PCLASS, 0x7f, 0x02, 0x03, 0x02, 0x42, 0x06};

		/* @w is all headroom: the codec writes back to front. */
		memcpy(jitsim_wbuf_prepend(&w, sizeof(junk)), junk, sizeof(junk));
		rc = send_sccp(p, p->dpc, &w);
		step_end(p, rc < 0 ? OUT_BAD : OUT_OK, 0, "\"sent\":\"sccp-bad-pointer\"");
		return;
	}
	case STEP_JUNK_TCAP: {
		/* A well-formed UDT carrying a TC Begin whose length runs past its end. */
		static const uint8_t junk[] = {
			JITSIM_TCAP_BEGIN, 0x81, 0xf0, 0x48, 0x04, 0x01, 0x02, 0x03};

		/* @w is all headroom: the codec writes back to front. */
		memcpy(jitsim_wbuf_prepend(&w, sizeof(junk)), junk, sizeof(junk));
		rc = send_request(p, &w, &p->called);
		step_end(p, rc < 0 ? OUT_BAD : OUT_OK, 0, "\"sent\":\"tcap-truncated\"");
		return;
	}
	case STEP_JUNK_M3UA:
		rc = send_junk_m3ua(p);
		if (rc < 0) {
			step_end(p, OUT_BAD, 0, "\"why\":\"send failed\"");
			return;
		}
		/* Two seconds for the peer's ERRs; counted at the step's end. */
		p->step_deadline = p->step_t0 + 2000;
		p->step_busy = true;
		return;
	}
	if (r != JITSIM_R_OK || rc < 0) {
		char extra[128];

		snprintf(extra, sizeof(extra), "\"why\":\"%s\"",
			 r != JITSIM_R_OK ? jitsim_reason_str(r) : "send failed");
		step_end(p, OUT_BAD, 0, extra);
		return;
	}
	p->step_busy = true;
}

/* The answer to the current step's dialogue: ends the step or continues it. */
static void
vlr_dialogue_msg(struct peer *p, const struct jitsim_sccp *sccp, const struct jitsim_tcap *tc,
		 uint32_t from_pc)
{
	struct step *st = &p->steps[p->cur];
	char extra[512];
	unsigned int i;

	extra[0] = '\0';
	if (p->dlg.peer_tid_len == 0 && tc->type == JITSIM_TCAP_CONTINUE &&
	    jitsim_map_fta_dialogue_peer(&p->dlg, tc) != JITSIM_R_OK) {
		step_end(p, OUT_BAD, 0, "\"why\":\"continue without a usable otid\"");
		return;
	}
	if (tc->type == JITSIM_TCAP_ABORT) {
		snprintf(extra, sizeof(extra), "\"abort_cause\":%d",
			 tc->has_abort_cause ? tc->abort_cause : -1);
		step_end(p, OUT_ABORT, 0, extra);
		return;
	}
	for (i = 0; i < tc->n_comp; i++) {
		const struct jitsim_tcap_component *c = &tc->comp[i];

		if (c->type == JITSIM_TCAP_INVOKE && c->has_opcode &&
		    c->opcode == JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA &&
		    tc->type == JITSIM_TCAP_CONTINUE) {
			/* Accept the profile: ReturnResultLast without a result (TS 29.002 8.8.1).
			 */
			uint8_t buf[MSG_BUF];

			if (st->kind == STEP_UL_DROP) {
				/* The VLR vanishes with the ISD unanswered: ABORT, no ASPDN. */
				p->drop_assoc = true;
				step_end(p, OUT_OK, 0, "\"dropped\":\"at-isd\"");
				return;
			}

			struct jitsim_wbuf w;
			struct jitsim_tcap_component res =
				jitsim_map_fta_comp_result(c->invoke_id, c->opcode, NULL, 0);

			jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
			if (jitsim_map_fta_tc_encode(&w, &p->dlg, JITSIM_TCAP_CONTINUE, &res, 1) !=
				    JITSIM_R_OK ||
			    send_answer(p, &w, sccp, from_pc) < 0) {
				step_end(p, OUT_BAD, 0, "\"why\":\"cannot answer the ISD\"");
				return;
			}
			continue;
		}
		if (c->type == JITSIM_TCAP_ERROR) {
			step_end(p, OUT_ERROR, c->has_error ? c->error : -1, NULL);
			return;
		}
		if (c->type == JITSIM_TCAP_REJECT) {
			snprintf(extra, sizeof(extra), "\"problem\":%d",
				 c->has_problem ? c->problem : -1);
			step_end(p, OUT_REJECT, 0, extra);
			return;
		}
		if (c->type == JITSIM_TCAP_RESULT_LAST) {
			if (st->kind == STEP_SAI || st->kind == STEP_SAI2 ||
			    st->kind == STEP_RESYNC) {
				struct vec_check vc;
				unsigned int k;
				int n;

				check_vectors(p, c->param, c->param_len, &vc);
				n = snprintf(
					extra, sizeof(extra),
					"\"vectors\":%u,\"verified\":%u,\"kind\":\"%s\",\"sqn\":[",
					vc.n, vc.ok, vc.quintuplets ? "quintuplets" : "triplets");
				for (k = 0; k < vc.n_sqn && n > 0 && (size_t)n < sizeof(extra); k++)
					n += snprintf(extra + n, sizeof(extra) - (size_t)n,
						      "%s%" PRIu64, k ? "," : "", vc.sqn[k]);
				if (n > 0 && (size_t)n < sizeof(extra))
					snprintf(extra + n, sizeof(extra) - (size_t)n, "]");
				step_end(p, vc.n > 0 ? OUT_OK : OUT_BAD, 0, extra);
			} else {
				struct jitsim_map_ids ids;

				if (c->param != NULL &&
				    jitsim_map_decode_result(p->dlg_op, c->param, c->param_len,
							     &ids) == JITSIM_R_OK &&
				    ids.has_hlr)
					snprintf(extra, sizeof(extra), "\"hlr_number\":\"%s\"",
						 ids.hlr.d);
				step_end(p, OUT_OK, 0, extra);
			}
			return;
		}
	}
	if (tc->type == JITSIM_TCAP_END)
		step_end(p, OUT_BAD, 0, "\"why\":\"end without result\"");
}

/* An incoming Begin at the VLR: CancelLocation is answered, the rest refused. */
static void
vlr_incoming_begin(struct peer *p, const struct jitsim_sccp *sccp, const struct jitsim_tcap *tc,
		   uint32_t from_pc)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component res;
	uint8_t buf[MSG_BUF];
	struct jitsim_wbuf w;

	if (jitsim_map_fta_dialogue_answer(&d, tc, next_tid(p)) != JITSIM_R_OK || tc->n_comp < 1 ||
	    tc->comp[0].type != JITSIM_TCAP_INVOKE)
		return;
	if (tc->comp[0].has_opcode && tc->comp[0].opcode == JITSIM_MAP_OP_CANCEL_LOCATION) {
		p->cancels_seen++;
		res = jitsim_map_fta_comp_result(tc->comp[0].invoke_id, tc->comp[0].opcode, NULL,
						 0);
	} else {
		res = jitsim_map_fta_comp_error(tc->comp[0].invoke_id,
						21 /* facilityNotSupported */);
	}
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &res, 1) == JITSIM_R_OK)
		send_answer(p, &w, sccp, from_pc);
}

/* ---- hlr -------------------------------------------------------------------- */

static enum jitsim_reason
hlr_sai_result(struct peer *p, const struct jitsim_map_fta_sai_arg *a, unsigned int n,
	       struct jitsim_wbuf *w)
{
	struct jitsim_map_fta_quintuplet q[JITSIM_MAP_FTA_VECTORS_MAX];
	struct jitsim_map_fta_triplet t[JITSIM_MAP_FTA_VECTORS_MAX];
	static const uint8_t amf[2] = {0x80, 0x00};
	unsigned int i;

	for (i = 0; i < n; i++) {
		struct jitsim_milenage_vector v;
		uint8_t rnd[16], sqn[6];

		fill_random(rnd, sizeof(rnd));
		/* SQN: SEQ steps of 32 with IND 0 (TS 33.102 C.3.2); never reused in a run. */
		sqn_put(p->sqn_next, sqn);
		p->sqn_next += 32;
		if (jitsim_milenage_vector(p->mil, p->k, p->kopc, rnd, sqn, amf, &v) < 0)
			return JITSIM_R_BAD_PARAM;
		memcpy(q[i].rand, rnd, 16);
		memcpy(q[i].xres, v.res, 8);
		q[i].xres_len = 8;
		memcpy(q[i].ck, v.ck, 16);
		memcpy(q[i].ik, v.ik, 16);
		memcpy(q[i].autn, v.autn, 16);
		memcpy(t[i].rand, rnd, 16);
		jitsim_milenage_gsm(&v, t[i].sres, t[i].kc);
	}
	if (a->version >= 3)
		return jitsim_map_fta_sai_res_quintuplets(w, q, n);
	return jitsim_map_fta_sai_res_triplets(w, 2, t, n);
}

static void
hlr_request(struct peer *p, const struct jitsim_sccp *sccp, const struct jitsim_tcap *tc,
	    uint32_t from_pc)
{
	const struct jitsim_tcap_component *c = &tc->comp[0];
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component res;
	uint8_t pbuf[512], buf[MSG_BUF];
	struct jitsim_wbuf pw, w;
	enum jitsim_reason r;

	if (tc->n_comp < 1 || c->type != JITSIM_TCAP_INVOKE || !c->has_opcode ||
	    jitsim_map_fta_dialogue_answer(&d, tc, next_tid(p)) != JITSIM_R_OK) {
		p->n_bad++;
		return;
	}
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	if (c->opcode == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO) {
		struct jitsim_map_fta_sai_arg a;
		unsigned int n;

		p->n_sai++;
		if (jitsim_map_fta_sai_arg_decode(c->param, c->param_len, &a) != JITSIM_R_OK) {
			res = jitsim_map_fta_comp_error(c->invoke_id,
							JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE);
			goto send;
		}
		/*
		 * Fewer vectors than asked when they do not fit one UDT (TS 29.002
		 * 8.5.2): sized first, so no SQN is spent on vectors never sent.
		 */
		for (n = a.n_vectors; n >= 1; n--) {
			size_t plen = jitsim_map_fta_sai_res_size(a.version >= 3,
								  a.version >= 3 ? 3 : 2, n, 8);

			if (plen && jitsim_map_fta_tc_size(&d, JITSIM_TCAP_END, 1, plen) <=
					    JITSIM_MAP_FTA_UDT_DATA_MAX)
				break;
		}
		if (n > 0 && hlr_sai_result(p, &a, n, &pw) != JITSIM_R_OK)
			n = 0;
		if (n == 0) {
			res = jitsim_map_fta_comp_error(c->invoke_id,
							JITSIM_MAP_ERR_SYSTEM_FAILURE);
			goto send;
		}
		res = jitsim_map_fta_comp_result(c->invoke_id, c->opcode, jitsim_wbuf_data(&pw),
						 jitsim_wbuf_len(&pw));
	} else if (c->opcode == JITSIM_MAP_OP_UPDATE_LOCATION ||
		   c->opcode == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION) {
		struct jitsim_map_ids ids;

		if (c->opcode == JITSIM_MAP_OP_UPDATE_LOCATION)
			p->n_ul++;
		else
			p->n_ugl++;
		if (jitsim_map_fta_ul_arg_decode(c->opcode, c->param, c->param_len, &ids) !=
			    JITSIM_R_OK ||
		    p->own.gti == 0 ||
		    jitsim_map_fta_ul_res_encode(&pw, &p->own.digits) != JITSIM_R_OK) {
			res = jitsim_map_fta_comp_error(c->invoke_id,
							JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE);
			goto send;
		}
		res = jitsim_map_fta_comp_result(c->invoke_id, c->opcode, jitsim_wbuf_data(&pw),
						 jitsim_wbuf_len(&pw));
	} else {
		p->n_other++;
		res = jitsim_map_fta_comp_error(c->invoke_id, 21 /* facilityNotSupported */);
	}
send:
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	r = jitsim_map_fta_tc_encode(&w, &d, JITSIM_TCAP_END, &res, 1);
	if (r != JITSIM_R_OK) {
		fprintf(stderr, "ss7peer: TC End encode: %s\n", jitsim_reason_str(r));
		p->n_bad++;
		return;
	}
	send_answer(p, &w, sccp, from_pc);
}

/* ---- receive path ------------------------------------------------------------- */

static void
print_rx(struct peer *p, const struct jitsim_m3ua *m, const struct jitsim_sccp *s,
	 const struct jitsim_tcap *tc, enum jitsim_reason sr, enum jitsim_reason tr)
{
	struct line l = {.n = 0};
	char a1[128], a2[128];
	unsigned int i;

	lput(&l, "{\"ev\":\"rx\",\"mode\":\"%s\",\"opc\":%u,\"dpc\":%u,\"sls\":%u",
	     mode_name(p->mode), m->opc, m->dpc, m->sls);
	if (sr != JITSIM_R_OK) {
		lput(&l, ",\"sccp_error\":\"%s\"}", jitsim_reason_str(sr));
		lemit(&l);
		return;
	}
	addr_str(&s->called, a1, sizeof(a1));
	addr_str(&s->calling, a2, sizeof(a2));
	lput(&l, ",\"called\":\"%s\",\"calling\":\"%s\"", a1, a2);
	if (tr != JITSIM_R_OK) {
		lput(&l, ",\"tcap_error\":\"%s\"}", jitsim_reason_str(tr));
		lemit(&l);
		return;
	}
	lput(&l, ",\"tcap\":\"%s\"", tcap_type_name(tc->type));
	if (tc->has_otid)
		lput(&l, ",\"otid\":\"%0*x\"", tc->otid_len * 2, tc->otid);
	if (tc->has_dtid)
		lput(&l, ",\"dtid\":\"%0*x\"", tc->dtid_len * 2, tc->dtid);
	if (tc->has_dialogue && tc->is_map_acn)
		lput(&l, ",\"acn\":\"%u.%u\"", tc->map_ac, tc->map_version);
	if (tc->has_abort_cause)
		lput(&l, ",\"abort_cause\":%u", tc->abort_cause);
	lput(&l, ",\"comps\":[");
	for (i = 0; i < tc->n_comp; i++) {
		const struct jitsim_tcap_component *c = &tc->comp[i];
		struct jitsim_map_ids ids;
		enum jitsim_reason r = JITSIM_R_BAD_PARAM;
		const char *name;

		lput(&l, "%s{\"type\":\"%s\"", i ? "," : "", comp_type_name(c->type));
		if (c->has_invoke_id)
			lput(&l, ",\"id\":%d", c->invoke_id);
		if (c->has_opcode) {
			name = jitsim_map_op_name(c->opcode);
			lput(&l, ",\"op\":\"%s\"", name ? name : "?");
		}
		if (c->has_error) {
			name = jitsim_map_err_name(c->error);
			lput(&l, ",\"error\":%u,\"error_name\":\"%s\"", c->error,
			     name ? name : "?");
		}
		if (c->has_problem)
			lput(&l, ",\"problem\":%u", c->problem);
		if (c->has_opcode && c->param && c->type == JITSIM_TCAP_INVOKE)
			r = jitsim_map_decode_invoke(c->opcode, c->param, c->param_len, &ids);
		else if (c->has_opcode && c->param)
			r = jitsim_map_decode_result(c->opcode, c->param, c->param_len, &ids);
		if (r == JITSIM_R_OK) {
			if (ids.has_imsi)
				lput(&l, ",\"imsi\":\"%s\"", ids.imsi.d);
			if (ids.has_msisdn)
				lput(&l, ",\"msisdn\":\"%s\"", ids.msisdn.d);
			if (ids.has_hlr)
				lput(&l, ",\"hlr_number\":\"%s\"", ids.hlr.d);
			if (ids.has_vlr)
				lput(&l, ",\"vlr_number\":\"%s\"", ids.vlr.d);
			if (ids.n_vectors)
				lput(&l, ",\"vectors\":%u", ids.n_vectors);
		}
		lput(&l, "}");
	}
	lput(&l, "]}");
	lemit(&l);
}

static void
on_data(void *arg, struct jitsim_sig_link *link, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct peer *p = arg;
	struct jitsim_sccp s;
	struct jitsim_tcap tc;
	enum jitsim_reason sr, tr = JITSIM_R_BAD_PARAM;

	(void)link;
	(void)stream;
	memset(&tc, 0, sizeof(tc));
	sr = jitsim_sccp_decode(m->data, m->data_len, &s);
	if (sr == JITSIM_R_OK)
		tr = jitsim_tcap_decode(s.data, s.data_len, &tc);
	print_rx(p, m, &s, &tc, sr, tr);
	if (sr != JITSIM_R_OK || tr != JITSIM_R_OK) {
		p->n_bad++;
		return;
	}
	if (p->mode == MODE_HLR) {
		if (tc.type == JITSIM_TCAP_BEGIN)
			hlr_request(p, &s, &tc, m->opc);
		else
			p->n_other++;
		return;
	}
	if (tc.type == JITSIM_TCAP_BEGIN) {
		vlr_incoming_begin(p, &s, &tc, m->opc);
		return;
	}
	if (p->cur < p->n_steps && p->step_busy && tc.has_dtid && tc.dtid == p->dlg.own_tid)
		vlr_dialogue_msg(p, &s, &tc, m->opc);
	else
		p->n_other++;
}

/* ---- main loops ------------------------------------------------------------------ */

static void
print_summary(struct peer *p)
{
	const struct jitsim_sig_link_stats *ls = jitsim_sig_link_stats(p->link);

	printf("{\"ev\":\"summary\",\"mode\":\"%s\",\"sai\":%" PRIu64 ",\"ul\":%" PRIu64
	       ",\"ugl\":%" PRIu64 ",\"other\":%" PRIu64 ",\"bad\":%" PRIu64 ",\"sent\":%" PRIu64
	       ",\"send_fail\":%" PRIu64 ",\"cancels\":%u,\"data_in\":%" PRIu64
	       ",\"data_out\":%" PRIu64 ",\"reconnects\":%" PRIu64 ",\"failed_steps\":%u}\n",
	       mode_name(p->mode), p->n_sai, p->n_ul, p->n_ugl, p->n_other, p->n_bad, p->n_sent,
	       p->n_send_fail, p->cancels_seen, ls->data_in, ls->data_out, ls->reconnects,
	       p->failed);
	fflush(stdout);
}

static void
link_poll(struct peer *p, int max_wait_ms)
{
	struct pollfd pfd[2];
	unsigned int n = jitsim_sig_link_pollfds(p->link, pfd, 2);
	int t = jitsim_sig_link_timeout_ms(p->link, now_ms());

	if (t < 0 || t > max_wait_ms)
		t = max_wait_ms;
	poll(pfd, n, t);
	jitsim_sig_link_poll(p->link, now_ms(), on_data, p);
}

/* Orderly M3UA stop (ASPIA, ASPDN) so the STP sees the ASP go, bounded. */
static void
link_stop(struct peer *p)
{
	uint64_t until = now_ms() + 3000;

	jitsim_sig_link_stop(p->link, now_ms());
	while (!jitsim_sig_link_stopped(p->link) && now_ms() < until)
		link_poll(p, 50);
}

static int
run_asp(struct peer *p)
{
	uint64_t t_end = p->duration_s ? now_ms() + (uint64_t)p->duration_s * 1000 : 0;
	uint64_t connect_by = now_ms() + (uint64_t)p->connect_timeout_s * 1000;
	bool was_active = false;
	int rc = 0;

	p->link = jitsim_sig_link_create(&p->lconf);
	if (p->link == NULL) {
		fprintf(stderr, "ss7peer: bad link configuration\n");
		return EXIT_USAGE;
	}
	if (jitsim_sig_link_start(p->link, now_ms()) < 0) {
		fprintf(stderr, "ss7peer: cannot start the association\n");
		jitsim_sig_link_destroy(p->link);
		return EXIT_LINK;
	}
	while (!stop_flag) {
		bool active = jitsim_sig_link_state(p->link) == JITSIM_ASP_ACTIVE;

		if (active && !was_active) {
			printf("{\"ev\":\"active\",\"mode\":\"%s\"}\n", mode_name(p->mode));
			fflush(stdout);
		}
		was_active = was_active || active;
		if (!active && !was_active && now_ms() > connect_by) {
			fprintf(stderr, "ss7peer: not ACTIVE after %u s\n", p->connect_timeout_s);
			rc = EXIT_LINK;
			break;
		}
		if (p->mode == MODE_VLR) {
			if (p->cur >= p->n_steps)
				break;
			if (!p->step_busy && active)
				vlr_start_step(p);
			else if (p->step_busy && p->steps[p->cur].kind == STEP_WAIT_CANCEL &&
				 p->cancels_seen > p->cancels_used) {
				p->cancels_used++;
				step_end(p, OUT_OK, 0, NULL);
			} else if (p->step_busy && p->steps[p->cur].kind == STEP_JUNK_M3UA &&
				   now_ms() >= p->step_deadline) {
				junk_m3ua_end(p);
			} else if (p->step_busy && now_ms() >= p->step_deadline) {
				/* Also when the association is gone: the step is lost. */
				step_end(p,
					 p->steps[p->cur].kind == STEP_SLEEP ? OUT_OK : OUT_TIMEOUT,
					 0, NULL);
			}
			if (p->cur >= p->n_steps || p->drop_assoc)
				break;
		}
		if (t_end && now_ms() >= t_end)
			break;
		link_poll(p, p->mode == MODE_VLR ? 20 : 100);
	}
	if (p->mode == MODE_VLR && rc == 0) {
		/* Steps left (stopped by a signal) did not end as expected. */
		while (p->cur < p->n_steps)
			step_end(p, OUT_TIMEOUT, 0, "\"why\":\"stopped\"");
		rc = p->failed ? EXIT_STEP : 0;
	}
	print_summary(p);
	/* ul-drop: destroy aborts the association (SO_LINGER 0) without ASPIA/ASPDN. */
	if (!p->drop_assoc)
		link_stop(p);
	jitsim_sig_link_destroy(p->link);
	return rc;
}

static int
run_echo(const struct sockaddr_storage *ss, socklen_t len, unsigned int duration_s)
{
	enum { MAX_CONN = 16 };
	struct pollfd pfd[MAX_CONN + 1];
	static uint8_t buf[65536];
	uint64_t t_end = duration_s ? now_ms() + (uint64_t)duration_s * 1000 : 0;
	uint64_t msgs = 0, bytes = 0, drops = 0;
	unsigned int n = 1, i;
	int lfd;

	lfd = jitsim_sctp_listen((const struct sockaddr *)ss, len, 16, JITSIM_SCTP_DEFAULT_STREAMS,
				 JITSIM_SCTP_DEFAULT_STREAMS);
	if (lfd < 0) {
		fprintf(stderr, "ss7peer: echo listen: %s\n", strerror(-lfd));
		return EXIT_LINK;
	}
	pfd[0].fd = lfd;
	pfd[0].events = POLLIN;
	printf("{\"ev\":\"listening\",\"mode\":\"echo\"}\n");
	fflush(stdout);
	while (!stop_flag && !(t_end && now_ms() >= t_end)) {
		if (poll(pfd, n, 100) <= 0)
			continue;
		if (pfd[0].revents & POLLIN) {
			int fd = jitsim_sctp_accept(lfd, NULL, NULL);

			if (fd >= 0 && n <= MAX_CONN) {
				pfd[n].fd = fd;
				pfd[n].events = POLLIN;
				pfd[n].revents = 0;
				n++;
			} else if (fd >= 0) {
				jitsim_sctp_abort_close(fd);
			}
		}
		for (i = 1; i < n; i++) {
			struct jitsim_sctp_rx rx;
			int r;

			if (!(pfd[i].revents & (POLLIN | POLLERR | POLLHUP)))
				continue;
			while ((r = jitsim_sctp_recv(pfd[i].fd, buf, sizeof(buf), &rx)) > 0) {
				int s;

				if (rx.kind != JITSIM_SCTP_RX_DATA)
					continue;
				/* Blocking-ish resend: the echo must not lose what it got. */
				while ((s = jitsim_sctp_send(pfd[i].fd, buf, (size_t)r, rx.stream,
							     rx.ppid)) == -EAGAIN &&
				       !stop_flag)
					poll(NULL, 0, 1);
				if (s < 0) {
					drops++;
					break;
				}
				msgs++;
				bytes += (uint64_t)r;
			}
			if (r == 0 || (r < 0 && r != -EAGAIN)) {
				jitsim_sctp_abort_close(pfd[i].fd);
				pfd[i] = pfd[--n];
				i--;
			}
		}
	}
	for (i = 1; i < n; i++)
		jitsim_sctp_abort_close(pfd[i].fd);
	close(lfd);
	printf("{\"ev\":\"summary\",\"mode\":\"echo\",\"msgs\":%" PRIu64 ",\"bytes\":%" PRIu64
	       ",\"drops\":%" PRIu64 "}\n",
	       msgs, bytes, drops);
	fflush(stdout);
	return 0;
}

static void
usage(FILE *f)
{
	fprintf(f, "usage: ss7peer vlr --local A:P --remote A:P [options] STEP...\n"
		   "       ss7peer hlr --local A:P --remote A:P [options]\n"
		   "       ss7peer echo --listen A:P [--duration S]\n"
		   "\n"
		   "vlr: the test VLR. Connects as an M3UA ASP (RFC 4666) to the STP and runs\n"
		   "  the STEPs in order once ACTIVE; answers every CancelLocation it is sent.\n"
		   "  STEP is NAME[:ARG][@EXPECT]:\n"
		   "    sai[:N]        SendAuthenticationInfo v3 asking N (1..5) vectors\n"
		   "    sai2           SendAuthenticationInfo v2 (triplets)\n"
		   "    resync:SQN     SAI v3 with re-synchronisationInfo: AUTS made from\n"
		   "                   --key-k/--key-opc claiming the USIM's SQN is SQN\n"
		   "    ul             UpdateLocation (answers the InsertSubscriberData)\n"
		   "    ugl            UpdateGprsLocation (answers the InsertSubscriberData)\n"
		   "    wait-cancel    wait for a CancelLocation (answered)\n"
		   "    sleep:S        wait S seconds\n"
		   "    junk-sccp      send a UDT whose called party pointer is past its end\n"
		   "    junk-tcap      send a UDT with a truncated TC Begin (no answer expected)\n"
		   "    junk-m3ua      send M3UA with bad version, bad length, unknown class and\n"
		   "                   type; count the peer's ERRs for 2 s (\"errs\")\n"
		   "    ul-drop        UL, then at the ISD abort the association unanswered and stop\n"
		   "  EXPECT: ok (default), error, error=CODE, abort, reject, timeout, any.\n"
		   "hlr: a stand-in HLR: SAI answered with vectors from --key-k/--key-opc,\n"
		   "  UL/UGL with a result whose hlr-Number is the GT of --own; counts.\n"
		   "echo: plain SCTP echo server (every message back on its stream, same PPID).\n"
		   "\n"
		   "Output: one JSON object per line on stdout: ev=active, rx (every message\n"
		   "received, decoded: TCAP type, tids, components, IMSI/MSISDN/HLR number),\n"
		   "step (vlr: result, error, vectors, verified, sqn, ms, expected), summary.\n"
		   "Vectors are never printed; the VLR recomputes them from the keys and\n"
		   "prints how many matched.\n"
		   "\n"
		   "options:\n"
		   "  --local A:P         source address/port of the ASP (osmo-stp matches\n"
		   "                      pre-configured ASPs by it)\n"
		   "  --remote A:P        the STP's M3UA address\n"
		   "  --listen A:P        echo: where to listen\n"
		   "  --rc N              routing context (default none)\n"
		   "  --opc PC --dpc PC   own point code, and where requests go (3-8-3 or number)\n"
		   "  --ni N              MTP3 network indicator (default 2, national)\n"
		   "  --sls N             signalling link selection (default 0)\n"
		   "  --own ADDR          own SCCP address, e.g. pc=0.23.1,ssn=7,gt=491770000001\n"
		   "  --called ADDR       vlr: called party of requests (default\n"
		   "                      gt=IMSI,np=6,ssn=6: E.212 global title)\n"
		   "                      ADDR keys: pc ssn gt tt np nai route=gt|ssn\n"
		   "  --imsi D --msc D --vlr D --sgsn D   identities of the requests\n"
		   "  --key-k HEX --key-opc HEX   keys to check (vlr) or make (hlr) vectors\n"
		   "                      (default for hlr: TS 35.208 test set 1)\n"
		   "  --sqn-start N       hlr: first SQN (default 32)\n"
		   "  --step-timeout S    vlr: per step (default 30)\n"
		   "  --connect-timeout S until ACTIVE (default 30)\n"
		   "  --duration S        hlr/echo: stop after S seconds (default: on SIGTERM)\n"
		   "\n"
		   "exit: 0 all steps as expected / clean stop, 1 a step was not,\n"
		   "      2 usage, 3 no ACTIVE association.\n");
}

int
main(int argc, char **argv)
{
	enum {
		O_LOCAL = 256,
		O_REMOTE,
		O_LISTEN,
		O_RC,
		O_OPC,
		O_DPC,
		O_NI,
		O_SLS,
		O_OWN,
		O_CALLED,
		O_IMSI,
		O_MSC,
		O_VLR,
		O_SGSN,
		O_KEYK,
		O_KEYOPC,
		O_SQN,
		O_STEPT,
		O_CONNT,
		O_DUR,
	};
	static const struct option opts[] = {
		{"local", required_argument, NULL, O_LOCAL},
		{"remote", required_argument, NULL, O_REMOTE},
		{"listen", required_argument, NULL, O_LISTEN},
		{"rc", required_argument, NULL, O_RC},
		{"opc", required_argument, NULL, O_OPC},
		{"dpc", required_argument, NULL, O_DPC},
		{"ni", required_argument, NULL, O_NI},
		{"sls", required_argument, NULL, O_SLS},
		{"own", required_argument, NULL, O_OWN},
		{"called", required_argument, NULL, O_CALLED},
		{"imsi", required_argument, NULL, O_IMSI},
		{"msc", required_argument, NULL, O_MSC},
		{"vlr", required_argument, NULL, O_VLR},
		{"sgsn", required_argument, NULL, O_SGSN},
		{"key-k", required_argument, NULL, O_KEYK},
		{"key-opc", required_argument, NULL, O_KEYOPC},
		{"sqn-start", required_argument, NULL, O_SQN},
		{"step-timeout", required_argument, NULL, O_STEPT},
		{"connect-timeout", required_argument, NULL, O_CONNT},
		{"duration", required_argument, NULL, O_DUR},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct peer peer;
	struct peer *p = &peer;
	struct sockaddr_storage listen_ss;
	socklen_t listen_len = 0;
	bool has_local = false, has_remote = false, has_k = false, has_opc_key = false;
	const char *mode;
	unsigned long v;
	int o, rc;
	struct sigaction sa;

	if (argc >= 2 && (strcmp(argv[1], "--help") == 0 || strcmp(argv[1], "-h") == 0)) {
		usage(stdout);
		return 0;
	}
	if (argc < 2) {
		usage(stderr);
		return EXIT_USAGE;
	}
	mode = argv[1];
	if (strcmp(mode, "vlr") == 0) {
		p->mode = MODE_VLR;
	} else if (strcmp(mode, "hlr") == 0) {
		p->mode = MODE_HLR;
	} else if (strcmp(mode, "echo") == 0) {
		p->mode = MODE_ECHO;
	} else {
		fprintf(stderr, "ss7peer: unknown mode '%s' (vlr, hlr, echo)\n", mode);
		return EXIT_USAGE;
	}
	argc--;
	argv++;
	p->ni = 2;
	p->step_timeout_s = 30;
	p->connect_timeout_s = 30;
	p->sqn_next = 32;
	p->tid_next = 0x01000001u;
	p->lconf.asp.role = JITSIM_ASP_ROLE_ASP;
	p->lconf.asp.traffic_mode = JITSIM_M3UA_TMT_OVERRIDE;
	snprintf(p->lconf.name, sizeof(p->lconf.name), "%s", mode);

	while ((o = getopt_long(argc, argv, "h", opts, NULL)) != -1) {
		const char *bad = NULL;
		uint32_t pc = 0;

		switch (o) {
		case 'h':
			usage(stdout);
			return 0;
		case O_LOCAL:
			if (jitsim_sctp_parse_addr(optarg, &p->lconf.local, &p->lconf.local_len) <
			    0)
				bad = "--local (ADDR:PORT)";
			has_local = true;
			break;
		case O_REMOTE:
			if (jitsim_sctp_parse_addr(optarg, &p->lconf.remote, &p->lconf.remote_len) <
			    0)
				bad = "--remote (ADDR:PORT)";
			has_remote = true;
			break;
		case O_LISTEN:
			if (jitsim_sctp_parse_addr(optarg, &listen_ss, &listen_len) < 0)
				bad = "--listen (ADDR:PORT)";
			break;
		case O_RC:
			if (parse_uint(optarg, UINT32_MAX, &v) < 0)
				bad = "--rc";
			p->lconf.asp.has_rc = true;
			p->lconf.asp.rc = (uint32_t)v;
			break;
		case O_OPC:
		case O_DPC:
			if (parse_pc(optarg, &pc) < 0)
				bad = o == O_OPC ? "--opc" : "--dpc";
			if (o == O_OPC)
				p->opc = pc;
			else
				p->dpc = pc;
			break;
		case O_NI:
		case O_SLS:
			if (parse_uint(optarg, o == O_NI ? 3 : 255, &v) < 0)
				bad = o == O_NI ? "--ni (0..3)" : "--sls (0..255)";
			if (o == O_NI)
				p->ni = (uint8_t)v;
			else
				p->sls = (uint8_t)v;
			break;
		case O_OWN:
			if (parse_addr(optarg, &p->own) < 0)
				bad = "--own (pc=,ssn=,gt=,tt=,np=,nai=,route=)";
			break;
		case O_CALLED:
			if (parse_addr(optarg, &p->called) < 0)
				bad = "--called (pc=,ssn=,gt=,tt=,np=,nai=,route=)";
			p->has_called = true;
			break;
		case O_IMSI:
			if (strlen(optarg) < 6 || strlen(optarg) > 15 ||
			    parse_digits(optarg, &p->imsi) < 0)
				bad = "--imsi (6..15 digits)";
			p->has_imsi = true;
			break;
		case O_MSC:
		case O_VLR:
		case O_SGSN: {
			struct jitsim_digits *d = o == O_MSC   ? &p->msc
						  : o == O_VLR ? &p->vlr
							       : &p->sgsn;

			if (strlen(optarg) > 20 || parse_digits(optarg, d) < 0)
				bad = "--msc/--vlr/--sgsn (up to 20 digits)";
			if (o == O_MSC)
				p->has_msc = true;
			else if (o == O_VLR)
				p->has_vlr = true;
			else
				p->has_sgsn = true;
			break;
		}
		case O_KEYK:
			if (parse_hex16(optarg, p->k) < 0)
				bad = "--key-k (32 hex digits)";
			has_k = true;
			break;
		case O_KEYOPC:
			if (parse_hex16(optarg, p->kopc) < 0)
				bad = "--key-opc (32 hex digits)";
			has_opc_key = true;
			break;
		case O_SQN:
			if (parse_uint(optarg, 0xffffffffffffull, &v) < 0)
				bad = "--sqn-start (48-bit)";
			p->sqn_next = v;
			break;
		case O_STEPT:
		case O_CONNT:
		case O_DUR:
			if (parse_uint(optarg, 86400, &v) < 0 || (o != O_DUR && v == 0))
				bad = "--step-timeout/--connect-timeout/--duration (seconds)";
			if (o == O_STEPT)
				p->step_timeout_s = (unsigned int)v;
			else if (o == O_CONNT)
				p->connect_timeout_s = (unsigned int)v;
			else
				p->duration_s = (unsigned int)v;
			break;
		default:
			usage(stderr);
			return EXIT_USAGE;
		}
		if (bad) {
			fprintf(stderr, "ss7peer: bad %s: '%s'\n", bad, optarg);
			return EXIT_USAGE;
		}
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);
	setvbuf(stdout, NULL, _IOLBF, 0);

	if (p->mode == MODE_ECHO) {
		if (listen_len == 0 || optind != argc) {
			fprintf(stderr, "ss7peer: echo needs --listen ADDR:PORT and no steps\n");
			return EXIT_USAGE;
		}
		return run_echo(&listen_ss, listen_len, p->duration_s);
	}
	if (!has_local || !has_remote || p->opc == 0 || p->own.route_on_ssn + p->own.gti == 0) {
		fprintf(stderr, "ss7peer: %s needs --local, --remote, --opc and --own\n", mode);
		return EXIT_USAGE;
	}
	if (has_k != has_opc_key) {
		fprintf(stderr, "ss7peer: --key-k and --key-opc go together\n");
		return EXIT_USAGE;
	}
	if (p->mode == MODE_HLR && !has_k) {
		parse_hex16(DEFAULT_K, p->k);
		parse_hex16(DEFAULT_OPC, p->kopc);
		has_k = true;
	}
	p->has_keys = has_k;
	p->mil = jitsim_milenage_new();
	if (p->mil == NULL) {
		fprintf(stderr, "ss7peer: no MILENAGE context\n");
		return EXIT_USAGE;
	}
	/* Transaction IDs differ per run: a restarted peer must not meet old dialogues. */
	fill_random((uint8_t *)&p->tid_next, sizeof(p->tid_next));
	p->tid_next |= 1;

	if (p->mode == MODE_VLR) {
		if (!p->has_imsi || p->dpc == 0) {
			fprintf(stderr, "ss7peer: vlr needs --imsi and --dpc\n");
			return EXIT_USAGE;
		}
		if (optind == argc) {
			fprintf(stderr, "ss7peer: vlr needs at least one STEP\n");
			return EXIT_USAGE;
		}
		for (; optind < argc; optind++) {
			struct step *st = &p->steps[p->n_steps];

			if (p->n_steps == MAX_STEPS || parse_step(argv[optind], st) < 0) {
				fprintf(stderr, "ss7peer: bad step '%s' (see --help)\n",
					argv[optind]);
				return EXIT_USAGE;
			}
			if ((st->kind == STEP_UL && (!p->has_msc || !p->has_vlr)) ||
			    (st->kind == STEP_UGL && !p->has_sgsn) ||
			    (st->kind == STEP_RESYNC && !p->has_keys)) {
				fprintf(stderr, "ss7peer: step '%s' needs %s\n", argv[optind],
					st->kind == STEP_UL    ? "--msc and --vlr"
					: st->kind == STEP_UGL ? "--sgsn"
							       : "--key-k and --key-opc");
				return EXIT_USAGE;
			}
			p->n_steps++;
		}
		if (!p->has_called) {
			/* E.212 global title of the IMSI, toward an HLR (SSN 6). */
			memset(&p->called, 0, sizeof(p->called));
			p->called.gti = 4;
			p->called.np = 6;
			p->called.nai = 4;
			p->called.digits = p->imsi;
			p->called.has_ssn = true;
			p->called.ssn = JITSIM_SSN_HLR;
		}
		rc = run_asp(p);
	} else {
		if (optind != argc) {
			fprintf(stderr, "ss7peer: hlr takes no steps\n");
			return EXIT_USAGE;
		}
		rc = run_asp(p);
	}
	jitsim_milenage_free(p->mil);
	return rc;
}
