/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The Diameter peer state machine with injected time: two machines (an
 * initiator "mme" and a responder "hss") wired back to back, no sockets.
 * Capabilities exchange and its failures, the RFC 3539 watchdog (DWR on
 * idle, failover, failback, close, reconnect backoff), DPR/DPA both ways,
 * and the answers to application requests (unknown application or
 * command, malformed, duplicate, oversize).
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include "diam_test.h"

#define TW 30000u
#define TC_MIN 1000u
#define TC 30000u
#define CE_TO 10000u
#define DPA_TO 5000u

static struct jitsim_diam_dup dup_tbl;

static void
conf_node(struct jitsim_diam_fsm_conf *c, enum jitsim_diam_role role, const char *host,
	  const char *realm, uint32_t osi)
{
	static const uint32_t s6a_cmds[] = {316, 317, 318, 319, 320, 321, 322, 323};

	memset(c, 0, sizeof(*c));
	jitsim_diam_fsm_conf_defaults(c);
	c->role = role;
	c->id = (struct jitsim_diam_ident){host, realm, osi};
	c->product_name = "jitsim";
	c->supported_vendor[0] = JITSIM_DIAM_VENDOR_3GPP;
	c->apps[0].app_id = JITSIM_S6A_APP_ID;
	c->apps[0].vendor = JITSIM_DIAM_VENDOR_3GPP;
	memcpy(c->apps[0].cmds, s6a_cmds, sizeof(s6a_cmds));
	c->apps[0].n_cmds = 8;
	c->n_apps = 1;
	c->tw_ms = TW;
	c->tw_jitter_ms = 0;
	c->tc_ms = TC;
	c->tc_min_ms = TC_MIN;
	c->ce_timeout_ms = CE_TO;
	c->dpa_timeout_ms = DPA_TO;
	c->seed = 0x1234;
	c->e2e_seed = jitsim_diam_e2e_seed(1700000000, 0x5678);
}

struct pair {
	struct jitsim_diam_fsm a, b; /* a: initiator (mme), b: responder (hss) */
	struct jitsim_diam_out oa, ob;
	uint64_t now;
};

/*
 * Deliver every message queued in @p from to @p to (its output appended to
 * @p to_out). @return the events; *last the last input result.
 */
static unsigned int
xfer(struct jitsim_diam_fsm *to, struct jitsim_diam_out *from, struct jitsim_diam_out *to_out,
     uint64_t now, enum jitsim_diam_in *last)
{
	static struct jitsim_diam_out copy;
	unsigned int ev = 0;

	copy = *from;
	jitsim_diam_out_reset(from);
	for (unsigned int i = 0; i < copy.n; i++) {
		enum jitsim_diam_in r = jitsim_diam_fsm_input(to, copy.buf + copy.msg[i].off,
							      copy.msg[i].len, now, to_out, &ev);

		if (last != NULL)
			*last = r;
	}
	return ev;
}

static void
pair_init(struct pair *p)
{
	struct jitsim_diam_fsm_conf c;

	memset(p, 0, sizeof(*p));
	p->now = 1000000;
	jitsim_diam_dup_init(&dup_tbl, 0);
	conf_node(&c, JITSIM_DIAM_INITIATOR, "mme.a.test", "a.test", 1111);
	jitsim_diam_fsm_init(&p->a, &c);
	conf_node(&c, JITSIM_DIAM_RESPONDER, "hss.jitsim.test", "jitsim.test", 2222);
	c.dup = &dup_tbl;
	jitsim_diam_fsm_init(&p->b, &c);
}

static void
pair_open(struct pair *p)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};

	assert_int_equal(jitsim_diam_fsm_start(&p->a, p->now), JITSIM_DIAM_EV_CONNECT);
	assert_int_equal(p->a.state, JITSIM_DIAM_WAIT_CONN_ACK);
	assert_int_equal(jitsim_diam_fsm_start(&p->b, p->now), 0);
	assert_int_equal(jitsim_diam_fsm_conn_up(&p->a, p->now, lo, 4, &p->oa), 0);
	assert_int_equal(p->a.state, JITSIM_DIAM_WAIT_I_CEA);
	assert_int_equal(p->oa.n, 1);
	assert_int_equal(jitsim_diam_fsm_conn_up(&p->b, p->now, lo, 4, &p->ob), 0);
	assert_int_equal(p->b.state, JITSIM_DIAM_WAIT_CER);
	assert_int_equal(xfer(&p->b, &p->oa, &p->ob, p->now, NULL), JITSIM_DIAM_EV_OPEN);
	assert_int_equal(p->b.state, JITSIM_DIAM_R_OPEN);
	assert_int_equal(xfer(&p->a, &p->ob, &p->oa, p->now, NULL), JITSIM_DIAM_EV_OPEN);
	assert_int_equal(p->a.state, JITSIM_DIAM_I_OPEN);
	assert_int_equal(p->oa.n + p->ob.n, 0);
}

/* Parse the only message of @p o (and empty it). */
static void
take_answer(struct jitsim_diam_out *o, struct tans *a)
{
	size_t n;
	const uint8_t *m;

	assert_int_equal(o->n, 1);
	m = out_msg(o, 0, &n);
	tans_parse(m, n, a);
	jitsim_diam_out_reset(o);
}

/* ---- capabilities exchange ---- */

static void
test_ce_open(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct pair p;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_err err;
	struct jitsim_diam_avp a, g;
	struct tans t;
	const uint8_t *m;
	size_t n;
	uint32_t v;
	char dump[1024];

	(void)state;
	pair_init(&p);
	(void)jitsim_diam_fsm_start(&p.a, p.now);
	(void)jitsim_diam_fsm_conn_up(&p.a, p.now, lo, 4, &p.oa);
	m = out_msg(&p.oa, 0, &n);
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	assert_int_equal(h.cmd, JITSIM_DIAM_CMD_CER);
	assert_int_equal(h.flags, JITSIM_DIAM_FLAG_R);
	assert_int_equal(h.app_id, 0);
	assert_true(jitsim_diam_validate(h.avps, h.avps_len, &jitsim_diam_rules_cer, &err));
	/* Host-IP-Address: the connection's address, family 1. */
	assert_int_equal(
		jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_HOST_IP_ADDRESS, 0, &a),
		JITSIM_R_OK);
	assert_memory_equal(a.data, "\x00\x01\x7f\x00\x00\x01", 6);
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_PRODUCT_NAME, 0, &a),
			 JITSIM_R_OK);
	assert_int_equal(a.flags, 0);
	assert_int_equal(
		jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_ORIGIN_STATE_ID, 0, &a),
		JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 1111);
	assert_int_equal(
		jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_SUPPORTED_VENDOR_ID, 0, &a),
		JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, 10415);
	/* S6a inside Vendor-Specific-Application-Id, not as a bare Auth-Application-Id. */
	assert_int_equal(
		jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_AUTH_APPLICATION_ID, 0, &a),
		JITSIM_R_END);
	assert_int_equal(jitsim_diam_avp_find(h.avps, h.avps_len,
					      JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, 0, &a),
			 JITSIM_R_OK);
	assert_int_equal(
		jitsim_diam_avp_find(a.data, a.data_len, JITSIM_AVP_AUTH_APPLICATION_ID, 0, &g),
		JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&g, &v), JITSIM_R_OK);
	assert_int_equal(v, JITSIM_S6A_APP_ID);

	(void)jitsim_diam_fsm_conn_up(&p.b, p.now, lo, 4, &p.ob);
	assert_int_equal(xfer(&p.b, &p.oa, &p.ob, p.now, NULL), JITSIM_DIAM_EV_OPEN);
	m = out_msg(&p.ob, 0, &n);
	tans_parse(m, n, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	assert_int_equal(t.h.hbh, h.hbh);
	assert_int_equal(t.h.e2e, h.e2e);
	assert_int_equal(xfer(&p.a, &p.ob, &p.oa, p.now, NULL), JITSIM_DIAM_EV_OPEN);
	assert_string_equal(p.a.peer_host, "hss.jitsim.test");
	assert_string_equal(p.a.peer_realm, "jitsim.test");
	assert_string_equal(p.b.peer_host, "mme.a.test");
	assert_true(p.b.peer_has_osi);
	assert_int_equal(p.b.peer_osi, 1111);
	assert_false(p.b.peer_relay);
	jitsim_diam_fsm_dump(&p.a, dump, sizeof(dump));
	assert_non_null(strstr(dump, "state=I-Open wd=okay peer=hss.jitsim.test"));
	assert_non_null(strstr(dump, "rx_cea=1"));
	/* Identifiers of our own requests increase from the seeds. */
	assert_int_equal(h.hbh, 0x1234 + 1);
	assert_int_equal(h.e2e, jitsim_diam_e2e_seed(1700000000, 0x5678) + 1);
}

/* Responder side: a CER built by hand, with @p extra AVPs. */
static unsigned int
cer_to_b(struct pair *p, const char *host, void (*extra)(struct tmsg *), enum jitsim_diam_in *r)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct tmsg m;
	unsigned int ev = 0;

	assert_int_equal(jitsim_diam_fsm_conn_up(&p->b, p->now, lo, 4, &p->ob), 0);
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_CER, 0, 1, 2);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, host);
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_addr4(&m, "\x7f\x00\x00\x01");
	tm_u32(&m, JITSIM_AVP_VENDOR_ID, 0);
	tm_str(&m, JITSIM_AVP_PRODUCT_NAME, 0, "x");
	if (extra != NULL)
		extra(&m);
	tm_fin(&m);
	*r = jitsim_diam_fsm_input(&p->b, m.b, m.n, p->now, &p->ob, &ev);
	return ev;
}

static void
x_gy_only(struct tmsg *m)
{
	tm_u32(m, JITSIM_AVP_AUTH_APPLICATION_ID, 4);
}
static void
x_relay(struct tmsg *m)
{
	tm_u32(m, JITSIM_AVP_AUTH_APPLICATION_ID, JITSIM_DIAM_APP_RELAY);
}
static void
x_s6a(struct tmsg *m)
{
	tm_vsai(m, 10415, JITSIM_S6A_APP_ID);
}
static void
x_tls_only(struct tmsg *m)
{
	tm_vsai(m, 10415, JITSIM_S6A_APP_ID);
	tm_u32(m, JITSIM_AVP_INBAND_SECURITY_ID, JITSIM_DIAM_SEC_TLS);
}
static void
x_tls_or_none(struct tmsg *m)
{
	tm_vsai(m, 10415, JITSIM_S6A_APP_ID);
	tm_u32(m, JITSIM_AVP_INBAND_SECURITY_ID, JITSIM_DIAM_SEC_TLS);
	tm_u32(m, JITSIM_AVP_INBAND_SECURITY_ID, JITSIM_DIAM_SEC_NONE);
}
static void
x_dup_host(struct tmsg *m)
{
	tm_vsai(m, 10415, JITSIM_S6A_APP_ID);
	tm_str(m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "again.a.test");
}

static void
test_ce_responder(void **state)
{
	struct pair p;
	struct tans t;
	enum jitsim_diam_in r;
	unsigned int ev;

	(void)state;
	/* No application in common: 5010, close. */
	pair_init(&p);
	ev = cer_to_b(&p, "mme.a.test", x_gy_only, &r);
	assert_int_equal(r, JITSIM_DIAM_IN_ANSWERED);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(p.b.state, JITSIM_DIAM_CLOSED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_NO_COMMON_APPLICATION);
	/* The responder waits for the next connection: no timer. */
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.b), UINT64_MAX);

	/* A relay (RFC 6733 2.4: application 0xffffffff) is in common with everything. */
	ev = cer_to_b(&p, "fd.relay.test", x_relay, &r);
	assert_int_equal(r, JITSIM_DIAM_IN_CONSUMED);
	assert_int_equal(ev, JITSIM_DIAM_EV_OPEN);
	assert_true(p.b.peer_relay);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);

	/* A known peer is configured: anyone else is 3010 (E bit). */
	pair_init(&p);
	p.b.conf.peer_host = "MME.a.test";
	ev = cer_to_b(&p, "evil.test", x_s6a, &r);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_UNKNOWN_PEER);
	assert_true(t.h.flags & JITSIM_DIAM_FLAG_E);
	assert_int_equal(p.b.st.err_3010, 1);
	/* ...compared case-insensitively. */
	ev = cer_to_b(&p, "mme.A.TEST", x_s6a, &r);
	assert_int_equal(ev, JITSIM_DIAM_EV_OPEN);
	take_answer(&p.ob, &t);

	/* TLS required by the peer: 5017; TLS or none: fine. */
	pair_init(&p);
	ev = cer_to_b(&p, "mme.a.test", x_tls_only, &r);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_NO_COMMON_SECURITY);
	ev = cer_to_b(&p, "mme.a.test", x_tls_or_none, &r);
	assert_int_equal(ev, JITSIM_DIAM_EV_OPEN);
	take_answer(&p.ob, &t);

	/* Malformed CER: a CEA with the error and Failed-AVP, then close. */
	pair_init(&p);
	ev = cer_to_b(&p, "mme.a.test", x_dup_host, &r);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES);
	assert_int_equal(t.failed.code, JITSIM_AVP_ORIGIN_HOST);
	assert_int_equal(t.failed.data_len, strlen("again.a.test"));
	assert_int_equal(p.b.st.ce_fail, 1);

	/* Anything but a CER first: close without answering. */
	pair_init(&p);
	{
		static const uint8_t lo[4] = {127, 0, 0, 1};
		struct tmsg m;

		(void)jitsim_diam_fsm_conn_up(&p.b, p.now, lo, 4, &p.ob);
		tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_DWR, 0, 1, 2);
		tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
		tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
		tm_fin(&m);
		ev = 0;
		assert_int_equal(jitsim_diam_fsm_input(&p.b, m.b, m.n, p.now, &p.ob, &ev),
				 JITSIM_DIAM_IN_DROPPED);
		assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
		assert_int_equal(p.ob.n, 0);
	}

	/* No CER at all: closed after ce_timeout. */
	pair_init(&p);
	{
		static const uint8_t lo[4] = {127, 0, 0, 1};

		(void)jitsim_diam_fsm_conn_up(&p.b, p.now, lo, 4, &p.ob);
		assert_int_equal(jitsim_diam_fsm_next_ms(&p.b), p.now + CE_TO);
		assert_int_equal(jitsim_diam_fsm_tick(&p.b, p.now + CE_TO - 1, &p.ob), 0);
		assert_int_equal(jitsim_diam_fsm_tick(&p.b, p.now + CE_TO, &p.ob),
				 JITSIM_DIAM_EV_CLOSE);
		assert_int_equal(p.b.state, JITSIM_DIAM_CLOSED);
	}
}

static void
test_ce_initiator(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct pair p;
	struct tmsg m;
	unsigned int ev = 0;

	(void)state;
	/* Connect never completes: close at ce_timeout, retry after tc_min. */
	pair_init(&p);
	assert_int_equal(jitsim_diam_fsm_start(&p.a, p.now), JITSIM_DIAM_EV_CONNECT);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + CE_TO, &p.oa), JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(p.a.st.conn_fail, 1);
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), p.now + CE_TO + TC_MIN);

	/* CEA refused (5010): retry only after Tc. */
	pair_init(&p);
	(void)jitsim_diam_fsm_start(&p.a, p.now);
	(void)jitsim_diam_fsm_conn_up(&p.a, p.now, lo, 4, &p.oa);
	tm_hdr(&m, 0, JITSIM_DIAM_CMD_CER, 0, p.a.hbh, p.a.e2e);
	tm_u32(&m, JITSIM_AVP_RESULT_CODE, JITSIM_DIAM_NO_COMMON_APPLICATION);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "hss.jitsim.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "jitsim.test");
	tm_fin(&m);
	assert_int_equal(jitsim_diam_fsm_input(&p.a, m.b, m.n, p.now + 5, &p.oa, &ev),
			 JITSIM_DIAM_IN_CONSUMED);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), p.now + 5 + TC);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + 5 + TC, &p.oa), JITSIM_DIAM_EV_CONNECT);

	/* A CEA 2001 missing its mandatory AVPs is not trusted: close. */
	pair_init(&p);
	(void)jitsim_diam_fsm_start(&p.a, p.now);
	(void)jitsim_diam_fsm_conn_up(&p.a, p.now, lo, 4, &p.oa);
	tm_hdr(&m, 0, JITSIM_DIAM_CMD_CER, 0, 1, 1);
	tm_u32(&m, JITSIM_AVP_RESULT_CODE, JITSIM_DIAM_SUCCESS);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "hss.jitsim.test");
	tm_fin(&m);
	ev = 0;
	assert_int_equal(jitsim_diam_fsm_input(&p.a, m.b, m.n, p.now, &p.oa, &ev),
			 JITSIM_DIAM_IN_DROPPED);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(p.a.state, JITSIM_DIAM_CLOSED);

	/* No CEA: close at ce_timeout. */
	pair_init(&p);
	(void)jitsim_diam_fsm_start(&p.a, p.now);
	(void)jitsim_diam_fsm_conn_up(&p.a, p.now, lo, 4, &p.oa);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + CE_TO, &p.oa), JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(p.a.st.ce_fail, 1);
}

/* ---- watchdog (RFC 3539 3.4.1) ---- */

static void
test_watchdog(void **state)
{
	struct pair p;
	struct tans t;
	uint64_t t0;
	static const uint32_t backoffs[] = {1000, 2000, 4000, 8000, 16000, 30000, 30000};

	(void)state;
	pair_init(&p);
	pair_open(&p);
	t0 = p.now;
	/* Idle for Tw: DWR, answered by DWA. */
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), t0 + TW);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + TW - 1, &p.oa), 0);
	assert_int_equal(p.oa.n, 0);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + TW, &p.oa), 0);
	assert_int_equal(p.oa.n, 1);
	assert_true(p.a.dwr_pending);
	assert_int_equal(xfer(&p.b, &p.oa, &p.ob, t0 + TW, NULL), 0);
	assert_int_equal(p.b.st.tx[JITSIM_DIAM_C_DWA], 1);
	{
		size_t n;
		const uint8_t *m = out_msg(&p.ob, 0, &n);

		tans_parse(m, n, &t);
		assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	}
	assert_int_equal(xfer(&p.a, &p.ob, &p.oa, t0 + TW + 1, NULL), 0);
	assert_false(p.a.dwr_pending);

	/* Silence: DWR at Tw, failover at 2 Tw, failback on any message. */
	t0 += TW + 1;
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + TW, &p.oa), 0);
	assert_int_equal(p.oa.n, 1);
	jitsim_diam_out_reset(&p.oa);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + 2 * TW, &p.oa), JITSIM_DIAM_EV_FAILOVER);
	assert_int_equal(p.a.wd, JITSIM_DIAM_WD_SUSPECT);
	assert_int_equal(p.oa.n, 0);
	/* b's own watchdog fires: its DWR reaches a, which fails back and answers. */
	assert_int_equal(jitsim_diam_fsm_tick(&p.b, t0 + 2 * TW, &p.ob), 0);
	assert_int_equal(xfer(&p.a, &p.ob, &p.oa, t0 + 2 * TW + 10, NULL), JITSIM_DIAM_EV_FAILBACK);
	assert_int_equal(p.a.wd, JITSIM_DIAM_WD_OKAY);
	assert_int_equal(p.a.st.failovers, 1);
	assert_int_equal(p.a.st.failbacks, 1);
	jitsim_diam_out_reset(&p.oa);

	/*
	 * A non-DWA fails back but leaves our DWR pending (RFC 3539 3.4.1):
	 * silence now fails over after one Tw, and closes after the next.
	 */
	assert_true(p.a.dwr_pending);
	t0 += 2 * TW + 10;
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + TW - 1, &p.oa), 0);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + TW, &p.oa), JITSIM_DIAM_EV_FAILOVER);
	assert_int_equal(p.oa.n, 0);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + 2 * TW - 1, &p.oa), 0);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + 2 * TW, &p.oa),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_DOWN);
	assert_int_equal(p.a.state, JITSIM_DIAM_CLOSED);
	assert_int_equal(p.a.st.dwr_timeouts, 2);

	/* Reconnect with backoff: 1, 2, 4, 8, 16, 30, 30 s while connects fail. */
	t0 += 2 * TW;
	for (unsigned int i = 0; i < sizeof(backoffs) / sizeof(backoffs[0]); i++) {
		assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), t0 + backoffs[i]);
		assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0 + backoffs[i] - 1, &p.oa), 0);
		t0 += backoffs[i];
		assert_int_equal(jitsim_diam_fsm_tick(&p.a, t0, &p.oa), JITSIM_DIAM_EV_CONNECT);
		assert_int_equal(jitsim_diam_fsm_conn_down(&p.a, t0), 0);
	}
	/* An open connection resets the backoff. */
	p.now = t0 + 30000;
	{
		static const uint8_t lo[4] = {127, 0, 0, 1};
		struct jitsim_diam_fsm_conf bc = p.b.conf;

		jitsim_diam_fsm_init(&p.b, &bc);
		jitsim_diam_out_reset(&p.oa);
		jitsim_diam_out_reset(&p.ob);

		assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now, &p.oa), JITSIM_DIAM_EV_CONNECT);
		(void)jitsim_diam_fsm_conn_up(&p.a, p.now, lo, 4, &p.oa);
		(void)jitsim_diam_fsm_conn_up(&p.b, p.now, lo, 4, &p.ob);
		assert_int_equal(xfer(&p.b, &p.oa, &p.ob, p.now, NULL), JITSIM_DIAM_EV_OPEN);
		assert_int_equal(xfer(&p.a, &p.ob, &p.oa, p.now, NULL), JITSIM_DIAM_EV_OPEN);
		assert_int_equal(p.a.backoff_ms, TC_MIN);
		/* Lost: the first retry is tc_min again. */
		assert_int_equal(jitsim_diam_fsm_conn_down(&p.a, p.now), JITSIM_DIAM_EV_DOWN);
		assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), p.now + TC_MIN);
	}
}

/* RFC 3539 3.4.1: Tw jittered by up to +-2 s; deterministic from the seed. */
static void
test_watchdog_jitter(void **state)
{
	struct pair p;
	uint64_t lo = UINT64_MAX, hi = 0;

	(void)state;
	pair_init(&p);
	p.a.conf.tw_jitter_ms = 2000;
	pair_open(&p);
	for (int i = 0; i < 50; i++) {
		uint64_t t = jitsim_diam_fsm_next_ms(&p.a), d;

		(void)jitsim_diam_fsm_tick(&p.a, t, &p.oa);
		(void)xfer(&p.b, &p.oa, &p.ob, t, NULL);
		(void)xfer(&p.a, &p.ob, &p.oa, t, NULL);
		d = jitsim_diam_fsm_next_ms(&p.a) - t;
		lo = d < lo ? d : lo;
		hi = d > hi ? d : hi;
	}
	assert_true(lo >= TW - 2000 && hi <= TW + 2000);
	assert_true(hi > lo);
	assert_int_equal(p.a.st.tx[JITSIM_DIAM_C_DWR], 50);
}

/* ---- DPR/DPA (RFC 6733 5.4) ---- */

static void
test_dpr(void **state)
{
	struct pair p;
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp a;
	struct tans t;
	const uint8_t *m;
	size_t n;
	uint32_t v;

	(void)state;
	/* The initiator stops: DPR, DPA, both close; it never reconnects. */
	pair_init(&p);
	pair_open(&p);
	assert_int_equal(jitsim_diam_fsm_stop(&p.a, p.now, JITSIM_DIAM_DC_REBOOTING, &p.oa),
			 JITSIM_DIAM_EV_DOWN);
	assert_int_equal(p.a.state, JITSIM_DIAM_CLOSING);
	m = out_msg(&p.oa, 0, &n);
	assert_int_equal(jitsim_diam_decode_hdr(m, n, &h), JITSIM_R_OK);
	assert_int_equal(h.cmd, JITSIM_DIAM_CMD_DPR);
	assert_int_equal(
		jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_DISCONNECT_CAUSE, 0, &a),
		JITSIM_R_OK);
	assert_int_equal(jitsim_diam_avp_u32(&a, &v), JITSIM_R_OK);
	assert_int_equal(v, JITSIM_DIAM_DC_REBOOTING);
	assert_int_equal(xfer(&p.b, &p.oa, &p.ob, p.now, NULL),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_DOWN);
	assert_int_equal(p.b.state, JITSIM_DIAM_CLOSED);
	m = out_msg(&p.ob, 0, &n);
	tans_parse(m, n, &t);
	assert_int_equal(t.h.cmd, JITSIM_DIAM_CMD_DPR);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	assert_int_equal(xfer(&p.a, &p.ob, &p.oa, p.now + 3, NULL),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_STOPPED);
	assert_int_equal(p.a.state, JITSIM_DIAM_STOPPED);
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), UINT64_MAX);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + 10 * TC, &p.oa), 0);
	assert_int_equal(jitsim_diam_fsm_start(&p.a, p.now + 10 * TC), 0);

	/* No DPA: stopped after dpa_timeout anyway. */
	pair_init(&p);
	pair_open(&p);
	(void)jitsim_diam_fsm_stop(&p.a, p.now, JITSIM_DIAM_DC_REBOOTING, &p.oa);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + DPA_TO - 1, &p.oa), 0);
	assert_int_equal(jitsim_diam_fsm_tick(&p.a, p.now + DPA_TO, &p.oa),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_STOPPED);

	/* The responder stops with REBOOTING: the initiator comes back after tc_min. */
	pair_init(&p);
	pair_open(&p);
	(void)jitsim_diam_fsm_stop(&p.b, p.now, JITSIM_DIAM_DC_REBOOTING, &p.ob);
	assert_int_equal(xfer(&p.a, &p.ob, &p.oa, p.now, NULL),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_DOWN);
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), p.now + TC_MIN);
	assert_int_equal(xfer(&p.b, &p.oa, &p.ob, p.now, NULL),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_STOPPED);
	/* ...with BUSY, after Tc. */
	pair_init(&p);
	pair_open(&p);
	(void)jitsim_diam_fsm_stop(&p.b, p.now, JITSIM_DIAM_DC_BUSY, &p.ob);
	(void)xfer(&p.a, &p.ob, &p.oa, p.now, NULL);
	assert_int_equal(jitsim_diam_fsm_next_ms(&p.a), p.now + TC);

	/* Stop when not open: at once. */
	pair_init(&p);
	assert_int_equal(jitsim_diam_fsm_stop(&p.b, p.now, 0, &p.ob),
			 JITSIM_DIAM_EV_CLOSE | JITSIM_DIAM_EV_STOPPED);
	assert_int_equal(p.ob.n, 0);
}

/* ---- application requests ---- */

/* An AIR from the mme, as jitsim_s6a_encode() builds it. */
static size_t
air(uint8_t *buf, size_t cap, uint32_t e2e)
{
	struct jitsim_wbuf w;
	struct jitsim_s6a_msg m = {
		.cmd = JITSIM_S6A_CMD_AIR,
		.is_request = true,
		.hbh = 99,
		.e2e = e2e,
		.session_id = "mme.a.test;1;1",
		.origin_host = "mme.a.test",
		.origin_realm = "a.test",
		.dest_realm = "jitsim.test",
		.imsi = "001010000000001",
		.visited_plmn = "00101",
		.n_vectors = 1,
	};

	jitsim_wbuf_init(&w, buf, cap, 0);
	assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
	return w.tail;
}

static enum jitsim_diam_in
to_b(struct pair *p, const uint8_t *m, size_t n, unsigned int *ev)
{
	*ev = 0;
	return jitsim_diam_fsm_input(&p->b, m, n, p->now, &p->ob, ev);
}

static void
test_app(void **state)
{
	struct pair p;
	struct tmsg m;
	struct tans t;
	unsigned int ev;
	size_t n;

	(void)state;
	pair_init(&p);
	pair_open(&p);

	/* A valid AIR goes to the application; the same e2e again is a duplicate. */
	n = air(m.b, sizeof(m.b), 0xabc);
	assert_int_equal(to_b(&p, m.b, n, &ev), JITSIM_DIAM_IN_APP);
	assert_int_equal(p.ob.n, 0);
	assert_int_equal(to_b(&p, m.b, n, &ev), JITSIM_DIAM_IN_APP_DUP);
	assert_int_equal(p.b.st.dup, 1);
	n = air(m.b, sizeof(m.b), 0xabd);
	assert_int_equal(to_b(&p, m.b, n, &ev), JITSIM_DIAM_IN_APP);

	/* Unknown application (Gy CCR): 3007 with E, Session-Id first. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P, 272, 4, 5, 6);
	tm_str(&m, JITSIM_AVP_SESSION_ID, JITSIM_DIAM_AVP_M, "s;1");
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_APPLICATION_UNSUPPORTED);
	assert_int_equal(t.h.flags, JITSIM_DIAM_FLAG_E | JITSIM_DIAM_FLAG_P);
	assert_int_equal(t.h.app_id, 4);
	assert_int_equal(t.h.hbh, 5);
	assert_true(t.has_session);

	/* Unknown command of S6a: 3001. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, 999, JITSIM_S6A_APP_ID, 5, 7);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_COMMAND_UNSUPPORTED);
	/* Unknown base command (RAR on application 0): 3001 too. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, 258, 0, 5, 8);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_COMMAND_UNSUPPORTED);
	assert_int_equal(p.b.st.err_3001, 2);

	/* AIR without Origin-Realm: 5005 naming it. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_S6A_CMD_AIR, JITSIM_S6A_APP_ID, 5, 9);
	tm_str(&m, JITSIM_AVP_SESSION_ID, JITSIM_DIAM_AVP_M, "s;2");
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_USER_NAME, JITSIM_DIAM_AVP_M, "001010000000001");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_MISSING_AVP);
	assert_int_equal(t.failed.code, JITSIM_AVP_ORIGIN_REALM);
	assert_false(t.h.flags & JITSIM_DIAM_FLAG_E);

	/* A 3GPP AVP with a reserved flag bit: 3009 naming it. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_S6A_CMD_AIR, JITSIM_S6A_APP_ID, 5, 10);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_avp_raw(&m, JITSIM_AVP_VISITED_PLMN_ID, 0xc2, 10415, "\x00\xf1\x10", 3);
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_INVALID_AVP_BITS);
	assert_int_equal(t.failed.code, JITSIM_AVP_VISITED_PLMN_ID);
	assert_int_equal(t.failed.vendor, 10415);
	assert_int_equal(t.failed.flags, 0xc2);

	/* Message Length not a multiple of 4: 5015. */
	n = air(m.b, sizeof(m.b), 0xabe);
	jitsim_put_be24(m.b + 1, (uint32_t)n - 2);
	assert_int_equal(to_b(&p, m.b, n - 2, &ev), JITSIM_DIAM_IN_ANSWERED);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	assert_int_equal(t.h.e2e, 0xabe);

	/* Oversize (skipped by the transport): 5015 from the header alone. */
	n = air(m.b, sizeof(m.b), 0xabf);
	jitsim_put_be24(m.b + 1, 100000);
	assert_int_equal(jitsim_diam_fsm_oversize(&p.b, m.b, p.now, &p.ob), 0);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	assert_int_equal(t.h.cmd, JITSIM_S6A_CMD_AIR);
	assert_int_equal(t.h.e2e, 0xabf);
	/* An oversize answer is only counted. */
	m.b[4] = 0;
	assert_int_equal(jitsim_diam_fsm_oversize(&p.b, m.b, p.now, &p.ob), 0);
	assert_int_equal(p.ob.n, 0);

	/* An AIA answer goes to the application; a malformed one is dropped silently. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_P, JITSIM_S6A_CMD_AIR, JITSIM_S6A_APP_ID, 5, 11);
	tm_str(&m, JITSIM_AVP_SESSION_ID, JITSIM_DIAM_AVP_M, "s;3");
	tm_u32(&m, JITSIM_AVP_RESULT_CODE, 2001);
	tm_u32(&m, JITSIM_AVP_AUTH_SESSION_STATE, 1);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_APP);
	jitsim_put_be24(m.b + 20 + 5, 3000);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_DROPPED);
	assert_int_equal(p.ob.n, 0);

	/* A peer restart shows in the Origin-State-Id of its DWR (RFC 6733 8.16). */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_DWR, 0, 5, 12);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_str(&m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_u32(&m, JITSIM_AVP_ORIGIN_STATE_ID, 1112);
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_CONSUMED);
	assert_int_equal(ev, JITSIM_DIAM_EV_RESTART);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_SUCCESS);
	/* A DWR without Origin-Realm is answered 5005, the connection stays. */
	tm_hdr(&m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_DWR, 0, 5, 13);
	tm_str(&m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, "mme.a.test");
	tm_fin(&m);
	assert_int_equal(to_b(&p, m.b, m.n, &ev), JITSIM_DIAM_IN_ANSWERED);
	assert_int_equal(ev, 0);
	take_answer(&p.ob, &t);
	assert_int_equal(t.rc, JITSIM_DIAM_MISSING_AVP);
	assert_int_equal(p.b.state, JITSIM_DIAM_R_OPEN);
	assert_int_equal(p.b.st.out_full, 0);
}

/* Application messages before the capabilities exchange are refused. */
static void
test_app_before_open(void **state)
{
	static const uint8_t lo[4] = {127, 0, 0, 1};
	struct pair p;
	uint8_t b[1024];
	size_t n;
	unsigned int ev;

	(void)state;
	pair_init(&p);
	n = air(b, sizeof(b), 1);
	assert_int_equal(to_b(&p, b, n, &ev), JITSIM_DIAM_IN_DROPPED);
	(void)jitsim_diam_fsm_conn_up(&p.b, p.now, lo, 4, &p.ob);
	assert_int_equal(to_b(&p, b, n, &ev), JITSIM_DIAM_IN_DROPPED);
	assert_int_equal(ev, JITSIM_DIAM_EV_CLOSE);
	assert_int_equal(p.b.st.drop_state, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ce_open),
		cmocka_unit_test(test_ce_responder),
		cmocka_unit_test(test_ce_initiator),
		cmocka_unit_test(test_watchdog),
		cmocka_unit_test(test_watchdog_jitter),
		cmocka_unit_test(test_dpr),
		cmocka_unit_test(test_app),
		cmocka_unit_test(test_app_before_open),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
