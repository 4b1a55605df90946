/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The ASP machine of both roles talking to each other in memory, with the
 * time injected: every exchange is checked as a transcript of message names
 * ("c>ASPUP" = the client sent ASPUP).
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/wbuf.h>

#include "m3ua_asp.h"

struct side {
	struct jitsim_asp a;
	struct jitsim_asp_out out;
	unsigned int ev;
	char tag;
};

static char transcript[2048];

static void
note(char tag, const uint8_t *p)
{
	size_t n = strlen(transcript);

	snprintf(transcript + n, sizeof(transcript) - n, "%s%c>%s", n ? " " : "", tag,
		 jitsim_m3ua_msg_name(p[2], p[3]));
}

/* Deliver what @p from has emitted to @p to; the answers stay in to->out. */
static void
deliver(struct side *from, struct side *to, uint64_t now)
{
	struct jitsim_asp_out q = from->out;

	jitsim_asp_out_reset(&from->out);
	for (unsigned int i = 0; i < q.n; i++) {
		const uint8_t *p = q.buf + q.msg[i].off;
		struct jitsim_m3ua d;

		note(from->tag, p);
		jitsim_asp_input(&to->a, p, q.msg[i].len, 0, now, &to->out, &d, &to->ev);
	}
}

static void
pump(struct side *c, struct side *s, uint64_t now)
{
	for (int guard = 0; guard < 32 && (c->out.n || s->out.n); guard++) {
		deliver(c, s, now);
		deliver(s, c, now);
	}
	assert_int_equal(c->out.n + s->out.n, 0);
}

static struct jitsim_asp_conf
conf(enum jitsim_asp_role role)
{
	struct jitsim_asp_conf c;

	memset(&c, 0, sizeof(c));
	c.role = role;
	c.has_rc = true;
	c.rc = 2;
	c.traffic_mode = JITSIM_M3UA_TMT_LOADSHARE;
	c.has_asp_id = role == JITSIM_ASP_ROLE_ASP;
	c.asp_id = 77;
	c.known_pc[0] = 0x0201;
	c.known_pc[1] = 0x0202;
	c.n_known_pc = 2;
	return c;
}

static void
setup_pair(struct side *c, struct side *s, const struct jitsim_asp_conf *cc,
	   const struct jitsim_asp_conf *sc)
{
	memset(c, 0, sizeof(*c));
	memset(s, 0, sizeof(*s));
	c->tag = 'c';
	s->tag = 's';
	transcript[0] = '\0';
	jitsim_asp_init(&c->a, cc);
	jitsim_asp_init(&s->a, sc);
}

/* Both up and ACTIVE at time 0. */
static void
bring_up(struct side *c, struct side *s)
{
	s->ev |= jitsim_asp_up(&s->a, 0, &s->out);
	c->ev |= jitsim_asp_up(&c->a, 0, &c->out);
	pump(c, s, 0);
	assert_int_equal(jitsim_asp_state(&c->a), JITSIM_ASP_ACTIVE);
	assert_int_equal(jitsim_asp_state(&s->a), JITSIM_ASP_ACTIVE);
	transcript[0] = '\0';
	c->ev = s->ev = 0;
}

static void
test_bring_up(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct side c, s;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_DOWN);
	s.ev |= jitsim_asp_up(&s.a, 0, &s.out);
	assert_int_equal(s.out.n, 0); /* the server waits */
	c.ev |= jitsim_asp_up(&c.a, 0, &c.out);
	pump(&c, &s, 0);
	assert_string_equal(transcript, "c>ASPUP s>ASPUP_ACK s>NTFY c>ASPAC s>ASPAC_ACK s>NTFY");
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_ACTIVE);
	assert_int_equal(jitsim_asp_state(&s.a), JITSIM_ASP_ACTIVE);
	assert_true(c.ev & JITSIM_ASP_EV_ACTIVE);
	assert_true(s.ev & JITSIM_ASP_EV_ACTIVE);
	assert_int_equal(c.a.as_state, JITSIM_M3UA_AS_ACTIVE);
	assert_int_equal(c.a.st.ntfy_rx, 2);
	assert_int_equal(c.a.st.msgs_out[JITSIM_M3UA_CLASS_ASPSM], 1);
	assert_int_equal(c.a.st.msgs_out[JITSIM_M3UA_CLASS_ASPTM], 1);
	assert_int_equal(s.a.st.msgs_out[JITSIM_M3UA_CLASS_MGMT], 2);
	assert_int_equal(s.a.st.msgs_in[JITSIM_M3UA_CLASS_ASPTM], 1);
	/* Nothing to retransmit, no timer (no BEAT configured). */
	assert_int_equal(jitsim_asp_next_ms(&c.a), UINT64_MAX);
	assert_int_equal(jitsim_asp_tick(&c.a, 100000, &c.out), 0);
	assert_int_equal(c.out.n, 0);
}

static size_t
make_data(uint8_t *buf, size_t cap, bool has_rc, uint32_t rc, const uint8_t **msg)
{
	struct jitsim_m3ua m;
	struct jitsim_wbuf w;

	memset(&m, 0, sizeof(m));
	m.has_rc = has_rc;
	m.rc = rc;
	m.opc = 47361;
	m.dpc = 47362;
	m.si = 3;
	m.ni = 2;
	m.sls = 5;
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_int_equal(jitsim_wbuf_put(&w, "\x09\x80\x03", 3), 0);
	assert_int_equal(jitsim_m3ua_encode_data(&w, &m), JITSIM_R_OK);
	*msg = jitsim_wbuf_data(&w);
	return jitsim_wbuf_len(&w);
}

static uint32_t
last_err(const struct jitsim_asp_out *o)
{
	struct jitsim_m3ua_mgmt m;

	assert_true(o->n > 0);
	assert_int_equal(
		jitsim_m3ua_mgmt_decode(o->buf + o->msg[o->n - 1].off, o->msg[o->n - 1].len, &m),
		JITSIM_R_OK);
	assert_int_equal(m.msg_class, JITSIM_M3UA_CLASS_MGMT);
	assert_int_equal(m.msg_type, JITSIM_M3UA_MGMT_ERR);
	return m.error_code;
}

static void
test_data(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct side c, s;
	struct jitsim_m3ua d;
	const uint8_t *msg;
	uint8_t buf[256], bad[256];
	unsigned int ev = 0;
	size_t n;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	n = make_data(buf, sizeof(buf), true, 2, &msg);
	/* Before anything: refused with ERR Unexpected Message. */
	assert_int_equal(jitsim_asp_input(&c.a, msg, n, 1, 0, &c.out, &d, &ev), JITSIM_R_M3UA_BAD);
	assert_int_equal(last_err(&c.out), JITSIM_M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(c.a.st.data_unexpected, 1);
	jitsim_asp_out_reset(&c.out);

	bring_up(&c, &s);
	assert_int_equal(jitsim_asp_input(&c.a, msg, n, 1, 0, &c.out, &d, &ev), JITSIM_R_OK);
	assert_int_equal(c.out.n, 0);
	assert_int_equal(d.opc, 47361);
	assert_int_equal(d.dpc, 47362);
	assert_int_equal(d.sls, 5);
	assert_int_equal(d.data_len, 3);
	assert_memory_equal(d.data, "\x09\x80\x03", 3);
	/* Without RC: accepted (one AS on the association). */
	n = make_data(buf, sizeof(buf), false, 0, &msg);
	assert_int_equal(jitsim_asp_input(&s.a, msg, n, 3, 0, &s.out, &d, &ev), JITSIM_R_OK);
	/* Stream 0: RFC 4666 1.4.7. */
	assert_int_equal(jitsim_asp_input(&s.a, msg, n, 0, 0, &s.out, &d, &ev), JITSIM_R_M3UA_BAD);
	assert_int_equal(last_err(&s.out), JITSIM_M3UA_ERR_INVALID_STREAM);
	jitsim_asp_out_reset(&s.out);
	/* Another AS's RC. */
	n = make_data(buf, sizeof(buf), true, 9, &msg);
	assert_int_equal(jitsim_asp_input(&c.a, msg, n, 1, 0, &c.out, &d, &ev), JITSIM_R_M3UA_BAD);
	assert_int_equal(last_err(&c.out), JITSIM_M3UA_ERR_INVALID_RC);
	jitsim_asp_out_reset(&c.out);
	/* Malformed DATA: truncated parameter. */
	n = make_data(buf, sizeof(buf), true, 2, &msg);
	memcpy(bad, msg, n);
	jitsim_put_be16(bad + 10, 200); /* the RC parameter's length (after the header) */
	assert_int_equal(jitsim_asp_input(&c.a, bad, n, 1, 0, &c.out, &d, &ev), JITSIM_R_M3UA_BAD);
	assert_int_equal(last_err(&c.out), JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	assert_int_equal(c.a.st.drop[JITSIM_R_M3UA_BAD], 3);
	assert_int_equal(c.a.st.data_unexpected, 2);
	assert_int_equal(c.a.st.msgs_in[JITSIM_M3UA_CLASS_XFER], 4);
}

static void
test_beat(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct side c, s;
	unsigned int ev;

	(void)state;
	cc.beat_ms = 1000;
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	assert_int_equal(jitsim_asp_next_ms(&c.a), 1000);
	assert_int_equal(jitsim_asp_tick(&c.a, 999, &c.out), 0);
	assert_int_equal(c.out.n, 0);
	jitsim_asp_tick(&c.a, 1000, &c.out);
	pump(&c, &s, 1000);
	assert_string_equal(transcript, "c>BEAT s>BEAT_ACK");
	assert_int_equal(c.a.st.beat_tx, 1);
	assert_int_equal(c.a.st.beat_ack_rx, 1);
	assert_false(c.a.beat_pending);
	/* The next one after another second of silence. */
	assert_int_equal(jitsim_asp_next_ms(&c.a), 2000);

	/* The peer goes silent: a BEAT every T(ack), give up after max_retx lost. */
	transcript[0] = '\0';
	ev = jitsim_asp_tick(&c.a, 2000, &c.out);
	assert_int_equal(c.out.n, 1);
	jitsim_asp_out_reset(&c.out);
	for (unsigned int i = 1; i < JITSIM_ASP_DEFAULT_MAX_RETX; i++) {
		ev = jitsim_asp_tick(&c.a, 2000 + i * JITSIM_ASP_DEFAULT_T_ACK_MS, &c.out);
		assert_int_equal(ev, 0);
		assert_int_equal(c.out.n, 1);
		jitsim_asp_out_reset(&c.out);
	}
	assert_int_equal(c.a.st.beat_lost, JITSIM_ASP_DEFAULT_MAX_RETX - 1);
	ev = jitsim_asp_tick(&c.a, 2000 + JITSIM_ASP_DEFAULT_MAX_RETX * JITSIM_ASP_DEFAULT_T_ACK_MS,
			     &c.out);
	assert_true(ev & JITSIM_ASP_EV_RECONNECT);
	assert_true(ev & JITSIM_ASP_EV_INACTIVE);
	assert_true(ev & JITSIM_ASP_EV_DOWN);
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_DOWN);
	assert_int_equal(c.a.st.giveups, 1);

	/* No BEAT before ASPUP_ACK: the ASPUP retransmissions watch the peer. */
	setup_pair(&c, &s, &cc, &sc);
	jitsim_asp_up(&c.a, 0, &c.out);
	jitsim_asp_out_reset(&c.out);
	assert_int_equal(jitsim_asp_next_ms(&c.a), JITSIM_ASP_DEFAULT_T_ACK_MS);
	jitsim_asp_tick(&c.a, 1000, &c.out);
	assert_int_equal(c.out.n, 0);
	assert_int_equal(c.a.st.beat_tx, 0);

	/* An ACK with the wrong data is counted, not taken. */
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	jitsim_asp_tick(&c.a, 1000, &c.out);
	assert_int_equal(c.out.n, 1);
	{
		struct jitsim_m3ua_mgmt m;
		struct jitsim_m3ua d;
		struct jitsim_wbuf w;
		uint8_t b[64];

		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK);
		m.present = JITSIM_M3UA_P_HEARTBEAT;
		m.heartbeat = (const uint8_t *)"12345678";
		m.heartbeat_len = 8;
		jitsim_wbuf_init(&w, b, sizeof(b), 0);
		assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_OK);
		ev = 0;
		assert_int_equal(
			jitsim_asp_input(&c.a, b, jitsim_wbuf_len(&w), 0, 1001, &c.out, &d, &ev),
			JITSIM_R_M3UA_NOT_DATA);
		assert_int_equal(c.a.st.beat_bad_ack, 1);
		assert_true(c.a.beat_pending);
	}
}

static void
test_beat_echo_bounded(void **state)
{
	struct jitsim_asp_conf sc = conf(JITSIM_ASP_ROLE_SGP);
	static uint8_t big[JITSIM_ASP_OUT_BYTES];
	struct jitsim_m3ua_mgmt m;
	struct jitsim_asp a;
	struct jitsim_asp_out out;
	struct jitsim_m3ua d;
	struct jitsim_wbuf w;
	static uint8_t b[JITSIM_ASP_OUT_BYTES + 64];
	unsigned int ev = 0;

	(void)state;
	jitsim_asp_init(&a, &sc);
	jitsim_asp_out_reset(&out);
	jitsim_asp_up(&a, 0, &out);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT);
	m.present = JITSIM_M3UA_P_HEARTBEAT;
	m.heartbeat = big;
	m.heartbeat_len = JITSIM_ASP_OUT_BYTES / 2 + 1;
	jitsim_wbuf_init(&w, b, sizeof(b), 0);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_OK);
	jitsim_asp_input(&a, b, jitsim_wbuf_len(&w), 0, 0, &out, &d, &ev);
	assert_int_equal(last_err(&out), JITSIM_M3UA_ERR_INVALID_PARAM_VALUE);
	/* The diagnostic is a bounded prefix of the BEAT. */
	assert_true(out.msg[0].len < 100);
	/* At the limit it is echoed. */
	jitsim_asp_out_reset(&out);
	m.heartbeat_len = JITSIM_ASP_OUT_BYTES / 2;
	jitsim_wbuf_init(&w, b, sizeof(b), 0);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_OK);
	jitsim_asp_input(&a, b, jitsim_wbuf_len(&w), 0, 0, &out, &d, &ev);
	assert_int_equal(out.n, 1);
	assert_int_equal(out.msg[0].len, jitsim_wbuf_len(&w));
	assert_int_equal(out.buf[3], JITSIM_M3UA_ASPSM_BEAT_ACK);
	assert_memory_equal(out.buf + 8, b + 8, out.msg[0].len - 8);
}

static void
test_err_counted(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	static const uint8_t class7[] = {1, 0, 7, 1, 0, 0, 0, 8};
	static const uint8_t bad_err[] = {1, 0, 0, 0, 0, 0, 0, 8}; /* ERR without code */
	struct side c, s;
	struct jitsim_m3ua d;
	unsigned int ev = 0;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	/* The server gets a message of an unknown class: ERR 0x03 to the client. */
	assert_int_equal(jitsim_asp_input(&s.a, class7, sizeof(class7), 0, 0, &s.out, &d, &ev),
			 JITSIM_R_M3UA_BAD);
	assert_int_equal(s.a.st.drop[JITSIM_R_M3UA_BAD], 1);
	assert_int_equal(s.a.st.err_tx[JITSIM_M3UA_ERR_UNSUPP_CLASS], 1);
	pump(&c, &s, 0);
	assert_string_equal(transcript, "s>ERR");
	assert_int_equal(c.a.st.err_rx[JITSIM_M3UA_ERR_UNSUPP_CLASS], 1);
	/* A malformed ERR is dropped without an ERR back (no ERR ping-pong). */
	assert_int_equal(jitsim_asp_input(&c.a, bad_err, sizeof(bad_err), 0, 0, &c.out, &d, &ev),
			 JITSIM_R_M3UA_BAD);
	assert_int_equal(c.out.n, 0);
	/* Truncated: the header says 8 more bytes than there are. */
	assert_int_equal(jitsim_asp_input(&c.a, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 16}, 8, 0, 0,
					  &c.out, &d, &ev),
			 JITSIM_R_TRUNCATED);
	assert_int_equal(last_err(&c.out), JITSIM_M3UA_ERR_PROTOCOL_ERROR);
	jitsim_asp_out_reset(&c.out);
	/* 3 bytes: not even a header. */
	assert_int_equal(jitsim_asp_input(&c.a, class7, 3, 0, 0, &c.out, &d, &ev),
			 JITSIM_R_TRUNCATED);
	/* Still ACTIVE: errors do not change the state. */
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_ACTIVE);
}

/* A message built from @p m, delivered to @p to from the peer. */
static void
inject(struct side *to, struct jitsim_m3ua_mgmt *m, uint64_t now)
{
	struct jitsim_m3ua d;
	struct jitsim_wbuf w;
	uint8_t b[512];

	jitsim_wbuf_init(&w, b, sizeof(b), 0);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, m), JITSIM_R_OK);
	assert_int_equal(
		jitsim_asp_input(&to->a, b, jitsim_wbuf_len(&w), 0, now, &to->out, &d, &to->ev),
		JITSIM_R_M3UA_NOT_DATA);
}

static void
test_duna_dava_daud(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct jitsim_m3ua_mgmt m, got;
	struct side c, s;

	(void)state;
	cc.daud_ms = 500;
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	assert_true(jitsim_asp_dpc_available(&c.a, 100));

	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = 2;
	m.apc[0] = JITSIM_M3UA_APC(0, 100);
	m.apc[1] = JITSIM_M3UA_APC(8, 0x0200); /* 0x0200 .. 0x02ff */
	inject(&c, &m, 10);
	assert_true(c.ev & JITSIM_ASP_EV_DPC);
	assert_false(jitsim_asp_dpc_available(&c.a, 100));
	assert_true(jitsim_asp_dpc_available(&c.a, 101));
	assert_false(jitsim_asp_dpc_available(&c.a, 0x0200));
	assert_false(jitsim_asp_dpc_available(&c.a, 0x02ff));
	assert_true(jitsim_asp_dpc_available(&c.a, 0x0300));
	assert_true(jitsim_asp_dpc_available(&c.a, 0x01ff));
	/* A repeated DUNA adds nothing. */
	c.ev = 0;
	inject(&c, &m, 20);
	assert_int_equal(c.a.n_unavail, 2);
	assert_false(c.ev & JITSIM_ASP_EV_DPC);

	/* DAVA for 100: available again. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAVA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = 1;
	m.apc[0] = JITSIM_M3UA_APC(0, 100);
	inject(&c, &m, 30);
	assert_true(jitsim_asp_dpc_available(&c.a, 100));
	assert_int_equal(c.a.n_unavail, 1);

	/* DAUD for what is left, every daud_ms; the SGP answers DAVA for its known PCs. */
	assert_int_equal(jitsim_asp_next_ms(&c.a), 510);
	transcript[0] = '\0';
	jitsim_asp_tick(&c.a, 509, &c.out);
	assert_int_equal(c.out.n, 0);
	jitsim_asp_tick(&c.a, 510, &c.out);
	assert_int_equal(c.out.n, 1);
	assert_int_equal(jitsim_m3ua_mgmt_decode(c.out.buf, c.out.msg[0].len, &got), JITSIM_R_OK);
	assert_int_equal(got.n_apc, 1);
	assert_int_equal(got.apc[0], JITSIM_M3UA_APC(8, 0x0200));
	assert_int_equal(got.rc[0], 2);
	{
		/* Capture the SGP's answer before the client consumes it. */
		struct jitsim_asp_out q = c.out;
		struct jitsim_m3ua d;
		unsigned int ev = 0;

		jitsim_asp_out_reset(&c.out);
		jitsim_asp_input(&s.a, q.buf, q.msg[0].len, 0, 510, &s.out, &d, &ev);
		assert_int_equal(s.out.n, 1);
		assert_int_equal(jitsim_m3ua_mgmt_decode(s.out.buf, s.out.msg[0].len, &got),
				 JITSIM_R_OK);
		assert_int_equal(got.msg_type, JITSIM_M3UA_SSNM_DAVA);
		assert_int_equal(got.n_apc, 2);
		assert_int_equal(got.apc[0], JITSIM_M3UA_APC(0, 0x0201));
		assert_int_equal(got.apc[1], JITSIM_M3UA_APC(0, 0x0202));
		pump(&c, &s, 510);
	}
	/*
	 * DAVAs for single PCs inside the range cannot split it: still
	 * unavailable (documented); the DAVA for the whole range clears it.
	 */
	assert_false(jitsim_asp_dpc_available(&c.a, 0x0201));
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAVA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = 1;
	m.apc[0] = JITSIM_M3UA_APC(16, 0); /* everything under 0x00ffff */
	inject(&c, &m, 600);
	assert_true(jitsim_asp_dpc_available(&c.a, 0x0201));
	assert_int_equal(c.a.n_unavail, 0);
	assert_int_equal(jitsim_asp_next_ms(&c.a), UINT64_MAX);

	/* An SGP answers DAUD for an unknown PC with DUNA. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAUD);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = 2;
	m.apc[0] = JITSIM_M3UA_APC(0, 0x0202);
	m.apc[1] = JITSIM_M3UA_APC(0, 0x0999);
	transcript[0] = '\0';
	inject(&s, &m, 700);
	pump(&c, &s, 700);
	assert_string_equal(transcript, "s>DAVA s>DUNA");
	assert_false(jitsim_asp_dpc_available(&c.a, 0x0999));
	assert_true(jitsim_asp_dpc_available(&c.a, 0x0202));

	/* The set is bounded: overflow counted, not stored. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = JITSIM_M3UA_MGMT_MAX_APC;
	for (unsigned int i = 0; i < m.n_apc; i++)
		m.apc[i] = JITSIM_M3UA_APC(0, 5000 + i);
	inject(&c, &m, 800);
	assert_int_equal(c.a.n_unavail, JITSIM_ASP_MAX_UNAVAIL);
	assert_int_equal(c.a.st.unavail_full, 1);
	/* A lost association forgets it all (the SGP re-announces). */
	jitsim_asp_down(&c.a);
	assert_true(jitsim_asp_dpc_available(&c.a, 0x0999));
}

static void
test_retransmit_and_give_up(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	const uint64_t t = JITSIM_ASP_DEFAULT_T_ACK_MS;
	struct side c, s;
	unsigned int ev;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	c.ev = jitsim_asp_up(&c.a, 0, &c.out);
	assert_int_equal(c.out.n, 1);
	jitsim_asp_out_reset(&c.out); /* lost */
	assert_int_equal(jitsim_asp_next_ms(&c.a), t);
	jitsim_asp_tick(&c.a, t - 1, &c.out);
	assert_int_equal(c.out.n, 0);
	for (unsigned int i = 1; i < JITSIM_ASP_DEFAULT_MAX_RETX; i++) {
		ev = jitsim_asp_tick(&c.a, i * t, &c.out);
		assert_int_equal(ev, 0);
		assert_int_equal(c.out.n, 1);
		assert_int_equal(c.out.buf[3], JITSIM_M3UA_ASPSM_ASPUP);
		jitsim_asp_out_reset(&c.out);
	}
	assert_int_equal(c.a.st.retx, JITSIM_ASP_DEFAULT_MAX_RETX - 1);
	ev = jitsim_asp_tick(&c.a, JITSIM_ASP_DEFAULT_MAX_RETX * t, &c.out);
	assert_int_equal(ev, JITSIM_ASP_EV_RECONNECT);
	assert_int_equal(c.out.n, 0);
	assert_int_equal(c.a.fsm, JITSIM_ASP_FSM_DOWN);
	assert_int_equal(c.a.st.giveups, 1);
	assert_int_equal(jitsim_asp_next_ms(&c.a), UINT64_MAX);

	/* ASPAC lost once: retransmitted, then the ACK makes it ACTIVE. */
	setup_pair(&c, &s, &cc, &sc);
	jitsim_asp_up(&s.a, 0, &s.out);
	jitsim_asp_up(&c.a, 0, &c.out);
	deliver(&c, &s, 0); /* ASPUP */
	deliver(&s, &c, 0); /* ASPUP_ACK, NTFY -> the client sends ASPAC */
	assert_int_equal(c.a.fsm, JITSIM_ASP_FSM_AC_SENT);
	jitsim_asp_out_reset(&c.out); /* ASPAC lost */
	transcript[0] = '\0';
	jitsim_asp_tick(&c.a, t, &c.out);
	pump(&c, &s, t);
	assert_string_equal(transcript, "c>ASPAC s>ASPAC_ACK s>NTFY");
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_ACTIVE);
	assert_int_equal(c.a.st.retx, 1);
	/* A late duplicate ACK changes nothing. */
	assert_int_equal(c.a.t_retx, 0);
}

static void
test_orderly_stop(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct side c, s;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	c.ev = jitsim_asp_stop(&c.a, 5, &c.out);
	assert_int_equal(c.ev, 0);
	pump(&c, &s, 5);
	assert_string_equal(transcript, "c>ASPIA s>ASPIA_ACK s>NTFY c>ASPDN s>ASPDN_ACK");
	assert_true(c.ev & JITSIM_ASP_EV_CLOSE);
	assert_true(c.ev & JITSIM_ASP_EV_INACTIVE);
	assert_int_equal(c.a.fsm, JITSIM_ASP_FSM_STOPPED);
	assert_int_equal(jitsim_asp_state(&s.a), JITSIM_ASP_DOWN);
	assert_true(s.ev & JITSIM_ASP_EV_INACTIVE);
	assert_true(s.ev & JITSIM_ASP_EV_DOWN);

	/* The SGP never answers: CLOSE anyway once the retransmissions run out. */
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	jitsim_asp_stop(&c.a, 0, &c.out);
	jitsim_asp_out_reset(&c.out);
	c.ev = 0;
	for (uint64_t now = 0; now <= 20 * JITSIM_ASP_DEFAULT_T_ACK_MS && !c.ev;
	     now += JITSIM_ASP_DEFAULT_T_ACK_MS) {
		c.ev |= jitsim_asp_tick(&c.a, now, &c.out);
		jitsim_asp_out_reset(&c.out);
	}
	assert_true(c.ev & JITSIM_ASP_EV_CLOSE);
	assert_false(c.ev & JITSIM_ASP_EV_RECONNECT);
	/* Stopping when not connected: CLOSE at once. */
	jitsim_asp_init(&c.a, &cc);
	assert_true(jitsim_asp_stop(&c.a, 0, &c.out) & JITSIM_ASP_EV_CLOSE);
	/* SGP: nothing to ask. */
	assert_true(jitsim_asp_stop(&s.a, 0, &s.out) & JITSIM_ASP_EV_CLOSE);
}

static void
test_sgp_refusals(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct jitsim_m3ua_mgmt m;
	struct side c, s;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	jitsim_asp_up(&s.a, 0, &s.out);
	/* ASPAC before ASPUP. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC);
	inject(&s, &m, 0);
	assert_int_equal(last_err(&s.out), JITSIM_M3UA_ERR_UNEXPECTED_MSG);
	jitsim_asp_out_reset(&s.out);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP);
	inject(&s, &m, 0);
	jitsim_asp_out_reset(&s.out);
	/* Broadcast traffic mode. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC);
	m.present = JITSIM_M3UA_P_TRAFFIC_MODE;
	m.traffic_mode = JITSIM_M3UA_TMT_BROADCAST;
	inject(&s, &m, 0);
	assert_int_equal(last_err(&s.out), JITSIM_M3UA_ERR_UNSUPP_TRAFFIC_MODE);
	jitsim_asp_out_reset(&s.out);
	/* A routing context that is not ours. */
	m.present = JITSIM_M3UA_P_RC;
	m.n_rc = 1;
	m.rc[0] = 3;
	inject(&s, &m, 0);
	assert_int_equal(last_err(&s.out), JITSIM_M3UA_ERR_INVALID_RC);
	jitsim_asp_out_reset(&s.out);
	assert_int_equal(jitsim_asp_state(&s.a), JITSIM_ASP_INACTIVE);
	/* One of the list is ours: accepted. */
	m.n_rc = 2;
	m.rc[1] = 2;
	inject(&s, &m, 0);
	assert_int_equal(jitsim_asp_state(&s.a), JITSIM_ASP_ACTIVE);
	/* An SGP never gets DUNA. */
	jitsim_asp_out_reset(&s.out);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC;
	m.n_apc = 1;
	inject(&s, &m, 0);
	assert_int_equal(last_err(&s.out), JITSIM_M3UA_ERR_UNEXPECTED_MSG);
	assert_int_equal(s.a.st.unexpected, 2);
	/* ASPUP while ACTIVE: back to INACTIVE (RFC 4666 4.3.4.1). */
	jitsim_asp_out_reset(&s.out);
	s.ev = 0;
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP);
	inject(&s, &m, 0);
	assert_int_equal(jitsim_asp_state(&s.a), JITSIM_ASP_INACTIVE);
	assert_true(s.ev & JITSIM_ASP_EV_INACTIVE);
	/* A client refuses server messages. */
	jitsim_asp_up(&c.a, 0, &c.out);
	jitsim_asp_out_reset(&c.out);
	inject(&c, &m, 0);
	assert_int_equal(last_err(&c.out), JITSIM_M3UA_ERR_UNEXPECTED_MSG);
}

static void
test_ntfy_and_unsolicited(void **state)
{
	struct jitsim_asp_conf cc = conf(JITSIM_ASP_ROLE_ASP), sc = conf(JITSIM_ASP_ROLE_SGP);
	struct jitsim_m3ua_mgmt m;
	struct side c, s;

	(void)state;
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	/* Override mode: another ASP took over. */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_NTFY);
	m.present = JITSIM_M3UA_P_STATUS;
	m.status_type = JITSIM_M3UA_NTFY_OTHER;
	m.status_info = JITSIM_M3UA_NTFY_ALT_ASP_ACTIVE;
	inject(&c, &m, 0);
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_INACTIVE);
	assert_true(c.ev & JITSIM_ASP_EV_INACTIVE);
	assert_int_equal(c.out.n, 0);

	/* Unsolicited ASPDN_ACK: down, ASPUP again after T(ack). */
	setup_pair(&c, &s, &cc, &sc);
	bring_up(&c, &s);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN_ACK);
	inject(&c, &m, 100);
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_DOWN);
	assert_true(c.ev & JITSIM_ASP_EV_DOWN);
	assert_int_equal(c.out.n, 0);
	assert_int_equal(jitsim_asp_next_ms(&c.a), 100 + JITSIM_ASP_DEFAULT_T_ACK_MS);
	jitsim_asp_tick(&c.a, 100 + JITSIM_ASP_DEFAULT_T_ACK_MS, &c.out);
	transcript[0] = '\0';
	pump(&c, &s, 100 + JITSIM_ASP_DEFAULT_T_ACK_MS);
	assert_string_equal(transcript, "c>ASPUP s>ASPUP_ACK s>NTFY c>ASPAC s>ASPAC_ACK s>NTFY");
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_ACTIVE);
	assert_int_equal(c.a.st.retx, 0);

	/* Unsolicited ASPIA_ACK: INACTIVE, and it stays so. */
	c.ev = 0;
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA_ACK);
	inject(&c, &m, 5000);
	assert_int_equal(jitsim_asp_state(&c.a), JITSIM_ASP_INACTIVE);
	assert_true(c.ev & JITSIM_ASP_EV_INACTIVE);
	assert_int_equal(jitsim_asp_next_ms(&c.a), UINT64_MAX);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(jitsim_asp_state_name(JITSIM_ASP_ACTIVE), "ACTIVE");
	assert_string_equal(jitsim_asp_fsm_name(JITSIM_ASP_FSM_AC_SENT), "AC_SENT");
	assert_string_equal(jitsim_asp_fsm_name((enum jitsim_asp_fsm)99), "?");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bring_up),
		cmocka_unit_test(test_data),
		cmocka_unit_test(test_beat),
		cmocka_unit_test(test_beat_echo_bounded),
		cmocka_unit_test(test_err_counted),
		cmocka_unit_test(test_duna_dava_daud),
		cmocka_unit_test(test_retransmit_and_give_up),
		cmocka_unit_test(test_orderly_stop),
		cmocka_unit_test(test_sgp_refusals),
		cmocka_unit_test(test_ntfy_and_unsolicited),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
