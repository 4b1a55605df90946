/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Detection rules against real tables, with real frames built by the
 * codec library's encoders and walked by jitsim_frame_next(): every rule
 * of the table in detect.h, the rate limit, unwind, and the event fields.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/sim.h>

#include "detect.h"

#define T0 1764115200u /* 2025-11-26 00:00:00 UTC: an epoch boundary for 3600 s */
#define FRAME_CAP 1024
#define BURST_MAX 1100
#define EV_MAX 256

#define CALLING_GT "44770012345"
#define VLR_NO "447700200"
#define MSC_NO "447700100"
#define SGSN_NO "447700300"
#define ORIGIN_HOST "mme1.epc.example.org"
#define ORIGIN_HASH 0x779af695u /* FNV-1a 32 of ORIGIN_HOST, computed apart */
#define IMEI "352099001761482"

struct fx {
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	struct jitsim_detect_cfg cfg;
	struct jitsim_detect d;
	struct jitsim_event ev[EV_MAX];
	unsigned int n_ev;
	/* frames of the next run() */
	uint8_t (*buf)[FRAME_CAP];
	size_t len[BURST_MAX];
	unsigned int n;
};

static uint64_t
key(const char *s)
{
	uint64_t k = jitsim_digits_key_str(s);

	assert_true(k != 0);
	return k;
}

/* ---- frames ---- */

static void
fill_addr(struct jitsim_frame_addr *a, bool tcp, uint16_t port)
{
	static unsigned int n;

	memset(a, 0, sizeof(*a));
	memcpy(a->eth_dst, (uint8_t[6]){0x02, 0, 0, 0, 0, 0x01}, 6);
	memcpy(a->eth_src, (uint8_t[6]){0x02, 0, 0, 0, 0, 0x02}, 6);
	memcpy(a->ip_src, (uint8_t[4]){198, 51, 100, 1}, 4);
	memcpy(a->ip_dst, (uint8_t[4]){198, 51, 100, 2}, 4);
	a->sport = port;
	a->dport = port;
	a->vtag = 0xabcd;
	a->tsn = ++n;
	a->stream = 1;
	a->ssn = (uint16_t)n;
	a->tcp = tcp;
	a->tcp_seq = 100u * n;
}

struct map_req {
	uint8_t comp; /* JITSIM_TCAP_INVOKE, _RESULT_LAST, _ERROR */
	uint8_t op;   /* opcode, or error code for _ERROR */
	uint8_t ac;
	uint8_t version;
	const char *imsi, *msisdn, *msc, *vlr, *sgsn, *sc;
};

static void
set(struct jitsim_digits *d, bool *has, const char *s)
{
	if (s == NULL)
		return;
	*has = true;
	jitsim_digits_set(d, s);
}

static void
add_map(struct fx *f, const struct map_req *r)
{
	struct jitsim_frame_map_spec s;
	size_t len = 0;

	assert_true(f->n < BURST_MAX);
	memset(&s, 0, sizeof(s));
	fill_addr(&s.addr, false, 2905);
	s.m3ua = (struct jitsim_m3ua){.opc = 0x0101, .dpc = 0x0202, .si = 3, .ni = 2};
	s.sccp.msg_type = JITSIM_SCCP_UDT;
	s.sccp.pclass = 0x80;
	s.sccp.called = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = 6, .gti = 4, .np = 1, .es = 2, .nai = 4};
	jitsim_digits_set(&s.sccp.called.digits, "447700900000");
	s.sccp.calling = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = 7, .gti = 4, .np = 1, .es = 1, .nai = 4};
	jitsim_digits_set(&s.sccp.calling.digits, CALLING_GT);
	s.tcap.type = r->comp == JITSIM_TCAP_INVOKE ? JITSIM_TCAP_BEGIN : JITSIM_TCAP_END;
	s.tcap.has_otid = r->comp == JITSIM_TCAP_INVOKE;
	s.tcap.otid = 0x1000u + f->n;
	s.tcap.otid_len = 4;
	s.tcap.has_dtid = r->comp != JITSIM_TCAP_INVOKE;
	s.tcap.dtid = 0x2000u + f->n;
	s.tcap.dtid_len = 4;
	s.tcap.has_dialogue = true;
	s.tcap.map_ac = r->ac;
	s.tcap.map_version = r->version;
	s.comp_type = r->comp;
	s.invoke_id = 1;
	s.opcode = r->op;
	s.error = r->op;
	set(&s.ids.imsi, &s.ids.has_imsi, r->imsi);
	set(&s.ids.msisdn, &s.ids.has_msisdn, r->msisdn);
	set(&s.ids.msc, &s.ids.has_msc, r->msc);
	set(&s.ids.vlr, &s.ids.has_vlr, r->vlr);
	set(&s.ids.sgsn, &s.ids.has_sgsn, r->sgsn);
	set(&s.ids.sc, &s.ids.has_sc, r->sc);
	/* SAI v3 is a SEQUENCE: the encoder wants the vector count. */
	if (r->op == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO && r->version >= 3)
		s.ids.n_vectors = 1;
	assert_int_equal(jitsim_frame_encode_map(f->buf[f->n], FRAME_CAP, &s, &len), JITSIM_R_OK);
	f->len[f->n++] = len;
}

static void
ul(struct fx *f, const char *imsi)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_UPDATE_LOCATION, 1, 3, imsi,
				     NULL, MSC_NO, VLR_NO, NULL, NULL});
}

static void
ugl(struct fx *f, const char *imsi)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, 32, 3,
				     imsi, NULL, NULL, NULL, SGSN_NO, NULL});
}

static void
sai(struct fx *f, const char *imsi, uint8_t version)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, 14,
				     version, imsi, NULL, NULL, NULL, NULL, NULL});
}

static void
purge(struct fx *f, const char *imsi)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_PURGE_MS, 27, 3, imsi, NULL,
				     NULL, VLR_NO, NULL, NULL});
}

static void
sri(struct fx *f, const char *msisdn)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_SEND_ROUTING_INFO, 5, 3,
				     NULL, msisdn, MSC_NO, NULL, NULL, NULL});
}

static void
sri_sm(struct fx *f, const char *msisdn)
{
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM, 20,
				     3, NULL, msisdn, NULL, NULL, NULL, "447700400"});
}

static void
add_s6a(struct fx *f, uint32_t cmd, bool req, const char *imsi, const char *plmn, bool tcp)
{
	struct jitsim_frame_addr a;
	struct jitsim_s6a_msg m;
	size_t len = 0;

	assert_true(f->n < BURST_MAX);
	fill_addr(&a, tcp, 3868);
	memset(&m, 0, sizeof(m));
	m.cmd = cmd;
	m.is_request = req;
	m.hbh = 0x100u + f->n;
	m.e2e = 0x200u + f->n;
	m.session_id = ORIGIN_HOST ";1;2";
	m.origin_host = req ? ORIGIN_HOST : "hss1.epc.example.org";
	m.origin_realm = "epc.example.org";
	if (req) {
		m.dest_realm = "epc.example.org";
		m.dest_host = cmd == JITSIM_S6A_CMD_AIR ? NULL : "hss1.epc.example.org";
		m.imsi = imsi;
		m.visited_plmn = plmn;
		if (cmd == JITSIM_S6A_CMD_ULR) {
			m.rat_type = 1004;
			m.ulr_flags = 0x22;
			m.imei = IMEI;
		}
		if (cmd == JITSIM_S6A_CMD_AIR)
			m.n_vectors = 1;
	} else {
		m.result_code = 2001;
	}
	assert_int_equal(jitsim_frame_encode_s6a(f->buf[f->n], FRAME_CAP, &a, &m, &len),
			 JITSIM_R_OK);
	f->len[f->n++] = len;
}

/*
 * Walk every frame queued, classify every message, apply per burst of
 * JITSIM_DETECT_BURST candidates (as a worker does); events are appended
 * to f->ev. Returns how many this run produced.
 */
static unsigned int
run(struct fx *f, uint32_t now)
{
	struct jitsim_detect_cand c[JITSIM_DETECT_BURST];
	unsigned int nc = 0, before = f->n_ev;

	for (unsigned int i = 0; i < f->n; i++) {
		struct jitsim_frame_iter it;
		struct jitsim_msg m;
		enum jitsim_reason r;

		jitsim_frame_iter_init(&it, JITSIM_DLT_EN10MB, f->buf[i], f->len[i], NULL, 0);
		while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
			assert_int_equal(r, JITSIM_R_OK);
			if (!jitsim_detect_classify(&f->d, &m, &c[nc]))
				continue;
			if (++nc == JITSIM_DETECT_BURST) {
				assert_true(f->n_ev + nc <= EV_MAX);
				f->n_ev += jitsim_detect_apply(&f->d, c, nc, now, &f->ev[f->n_ev]);
				nc = 0;
			}
		}
	}
	if (nc > 0) {
		assert_true(f->n_ev + nc <= EV_MAX);
		f->n_ev += jitsim_detect_apply(&f->d, c, nc, now, &f->ev[f->n_ev]);
	}
	f->n = 0;
	return f->n_ev - before;
}

/* ---- table ---- */

static void
put_sim(struct fx *f, const char *imsi, const char *msisdn, unsigned int state, uint32_t time)
{
	struct jitsim_table_sim s = {
		.imsi = key(imsi),
		.msisdn = msisdn ? key(msisdn) : 0,
		.sw = jitsim_table_sw_make(state, JITSIM_SIM_F_ESIM, time),
		.tenant = 12,
		.region = 34,
	};

	assert_int_equal(jitsim_table_imsi_put(f->imsi, &s), 0);
	if (msisdn)
		assert_int_equal(jitsim_table_msisdn_put(f->msisdn, s.msisdn, s.imsi), 0);
}

static uint64_t
sw_of(struct fx *f, const char *imsi)
{
	struct jitsim_table_sim s;

	assert_true(jitsim_table_imsi_lookup(f->imsi, key(imsi), &s));
	return s.sw;
}

static unsigned int
state_of(struct fx *f, const char *imsi)
{
	return jitsim_table_sw_state(sw_of(f, imsi));
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));

	assert_non_null(f);
	f->buf = calloc(BURST_MAX, FRAME_CAP);
	assert_non_null(f->buf);
	urcu_qsbr_register_thread();
	f->imsi = jitsim_table_imsi_create(0);
	f->msisdn = jitsim_table_msisdn_create(0);
	assert_non_null(f->imsi);
	assert_non_null(f->msisdn);
	jitsim_detect_cfg_default(&f->cfg);
	assert_int_equal(jitsim_detect_cfg_add_home(&f->cfg, "00101"), 0);
	assert_int_equal(jitsim_detect_cfg_add_home(&f->cfg, "9990123"), 0);
	jitsim_detect_init(&f->d, &f->cfg, f->imsi, f->msisdn, 5);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	jitsim_table_imsi_free(f->imsi);
	jitsim_table_msisdn_free(f->msisdn);
	urcu_qsbr_unregister_thread();
	free(f->buf);
	free(f);
	return 0;
}

/* ---- tests ---- */

static void
test_cfg(void **state)
{
	struct jitsim_detect_cfg c;

	(void)state;
	jitsim_detect_cfg_default(&c);
	assert_int_equal(c.lease_s, 30);
	assert_int_equal(c.epoch_s, 3600);
	assert_int_equal(c.unknown_per_s, 10);
	assert_int_equal(c.n_home, 0);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, ""), -EINVAL);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, "001a"), -EINVAL);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, "1234567890123456"), -EINVAL);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, NULL), -EINVAL);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, "123456789012345"), 0);
	assert_int_equal(c.home_len[0], 15);
	assert_int_equal(c.home_value[0], 123456789012345ULL);
	for (unsigned int i = 1; i < JITSIM_DETECT_HOME_MAX; i++)
		assert_int_equal(jitsim_detect_cfg_add_home(&c, "1"), 0);
	assert_int_equal(jitsim_detect_cfg_add_home(&c, "2"), -ENOSPC);
	assert_int_equal(jitsim_detect_diam_code(JITSIM_DETECT_DIAM_ULR), 316);
	assert_int_equal(jitsim_detect_diam_code(JITSIM_DETECT_DIAM_NOR), 323);
	assert_int_equal(jitsim_detect_diam_code(JITSIM_DETECT_DIAM_OTHER), 0);
	assert_string_equal(jitsim_detect_diam_name(JITSIM_DETECT_DIAM_AIR), "AIR");
	assert_string_equal(jitsim_detect_diam_name(JITSIM_DETECT_DIAM_MAX), "other");
}

/* 100 attaches of one INVENTORY SIM, over two bursts: one event. */
static void
test_first_attach_storm(void **state)
{
	struct fx *f = *state;
	const struct jitsim_event *e = &f->ev[0];

	put_sim(f, "001010000000001", "447700100001", JITSIM_SIM_INVENTORY, 0);
	for (int i = 0; i < 100; i++)
		ul(f, "001010000000001");
	assert_int_equal(run(f, T0 + 7), 1);
	assert_int_equal(e->type, JITSIM_EV_FIRST_ATTACH);
	assert_int_equal(e->proto, JITSIM_EV_PROTO_MAP);
	assert_int_equal(e->op, JITSIM_MAP_OP_UPDATE_LOCATION);
	assert_int_equal(e->visited_kind, JITSIM_EV_VIS_VLR);
	assert_int_equal(e->visited, key(VLR_NO));
	assert_int_equal(e->map_version, 3);
	assert_int_equal(e->prev_state, JITSIM_SIM_INVENTORY);
	assert_int_equal(e->sim_flags, JITSIM_SIM_F_ESIM);
	assert_int_equal(e->lcore, 5);
	assert_int_equal(e->tenant, 12);
	assert_int_equal(e->region, 34);
	assert_int_equal(e->rat_type, 0xffff);
	assert_int_equal(e->seq, 1);
	assert_int_equal(e->lease_until, T0 + 7 + 30);
	assert_int_equal(e->imsi, key("001010000000001"));
	assert_int_equal(e->msisdn, key("447700100001")); /* the entry's: UL has none */
	assert_int_equal(e->imei, 0);
	assert_int_equal(e->origin_hash, 0);
	assert_int_equal(e->ts_s, T0 + 7);
	assert_int_equal(sw_of(f, "001010000000001"),
			 jitsim_table_sw_make(JITSIM_SIM_ACTIVATING, JITSIM_SIM_F_ESIM, T0 + 37));
	assert_int_equal(f->d.st.lease_held, 99);
	assert_int_equal(f->d.st.events[JITSIM_EV_FIRST_ATTACH], 1);
	assert_int_equal(f->d.st.triggers, 100);
	assert_int_equal(f->d.st.lookups, 100);
	assert_int_equal(f->d.st.hits, 100);
	assert_int_equal(f->d.st.msgs_map, 100);
	assert_int_equal(f->d.st.map_invoke[JITSIM_MAP_OP_UPDATE_LOCATION], 100);
	assert_int_equal(f->d.seq, 1);

	/* Lease still running at its last second. */
	ul(f, "001010000000001");
	assert_int_equal(run(f, T0 + 37), 0);
	assert_int_equal(f->d.st.lease_held, 100);
}

/* An expired lease is taken again: the event says it left ACTIVATING. */
static void
test_lease_retaken(void **state)
{
	struct fx *f = *state;

	put_sim(f, "001010000000002", NULL, JITSIM_SIM_INVENTORY, 0);
	sai(f, "001010000000002", 3);
	assert_int_equal(run(f, T0), 1);
	ul(f, "001010000000002");
	assert_int_equal(run(f, T0 + 31), 1);
	assert_int_equal(f->ev[1].type, JITSIM_EV_FIRST_ATTACH);
	assert_int_equal(f->ev[1].prev_state, JITSIM_SIM_ACTIVATING);
	assert_int_equal(f->ev[1].lease_until, T0 + 61);
	assert_int_equal(f->ev[1].seq, 2);
	assert_int_equal(f->ev[1].msisdn, 0);
	assert_int_equal(f->d.st.lease_retaken, 1);
	assert_int_equal(state_of(f, "001010000000002"), JITSIM_SIM_ACTIVATING);

	/* A REACTIVATING lease that expired: REATTACH again. */
	put_sim(f, "001010000000003", NULL, JITSIM_SIM_REACTIVATING, T0);
	ugl(f, "001010000000003");
	assert_int_equal(run(f, T0 + 1), 1);
	assert_int_equal(f->ev[2].type, JITSIM_EV_REATTACH);
	assert_int_equal(f->ev[2].prev_state, JITSIM_SIM_REACTIVATING);
	assert_int_equal(f->d.st.lease_retaken, 2);
}

/* SLEEPING + attach: REATTACH, visited from the calling GT for SAI. */
static void
test_sleeping_reattach(void **state)
{
	struct fx *f = *state;
	const struct jitsim_event *e = &f->ev[0];

	put_sim(f, "001010000000010", "447700100010", JITSIM_SIM_SLEEPING, 0);
	sai(f, "001010000000010", 2);
	sai(f, "001010000000010", 2);
	assert_int_equal(run(f, T0), 1);
	assert_int_equal(e->type, JITSIM_EV_REATTACH);
	assert_int_equal(e->op, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO);
	assert_int_equal(e->visited_kind, JITSIM_EV_VIS_GT);
	assert_int_equal(e->visited, key(CALLING_GT));
	assert_int_equal(e->map_version, 2);
	assert_int_equal(e->prev_state, JITSIM_SIM_SLEEPING);
	assert_int_equal(e->lease_until, T0 + 30);
	assert_int_equal(state_of(f, "001010000000010"), JITSIM_SIM_REACTIVATING);
	assert_int_equal(f->d.st.lease_held, 1);
}

/* SRI and SRI-SM reach a SLEEPING SIM through the MSISDN table. */
static void
test_wakeup(void **state)
{
	struct fx *f = *state;

	put_sim(f, "001010000000020", "447700100020", JITSIM_SIM_SLEEPING, 0);
	put_sim(f, "001010000000021", "447700100021", JITSIM_SIM_SLEEPING, 0);
	put_sim(f, "001010000000022", "447700100022", JITSIM_SIM_ACTIVE, 0);
	put_sim(f, "001010000000023", "447700100023", JITSIM_SIM_INVENTORY, 0);
	sri(f, "447700100020");
	sri_sm(f, "447700100021");
	sri(f, "447700100022");	   /* active: not a trigger of anything */
	sri_sm(f, "447700100023"); /* inventory: MT never activates */
	sri(f, "447700199999");	   /* unknown MSISDN */
	assert_int_equal(run(f, T0), 2);
	for (unsigned int i = 0; i < 2; i++) {
		const struct jitsim_event *e = &f->ev[i];

		assert_int_equal(e->type, JITSIM_EV_WAKEUP_MT);
		assert_int_equal(e->prev_state, JITSIM_SIM_SLEEPING);
		assert_int_equal(e->visited_kind, JITSIM_EV_VIS_GT);
		assert_int_equal(e->visited, key(CALLING_GT));
		assert_int_equal(e->lease_until, T0 + 30);
	}
	assert_int_equal(f->ev[0].op, JITSIM_MAP_OP_SEND_ROUTING_INFO);
	assert_int_equal(f->ev[0].imsi, key("001010000000020"));
	assert_int_equal(f->ev[0].msisdn, key("447700100020"));
	assert_int_equal(f->ev[1].op, JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM);
	assert_int_equal(f->ev[1].imsi, key("001010000000021"));
	assert_int_equal(state_of(f, "001010000000020"), JITSIM_SIM_REACTIVATING);
	assert_int_equal(state_of(f, "001010000000023"), JITSIM_SIM_INVENTORY);
	assert_int_equal(sw_of(f, "001010000000022"),
			 jitsim_table_sw_make(JITSIM_SIM_ACTIVE, JITSIM_SIM_F_ESIM, 0));
	assert_int_equal(f->d.st.msisdn_lookups, 5);
	assert_int_equal(f->d.st.msisdn_hits, 4);
	assert_int_equal(f->d.st.lookups, 4);
	assert_int_equal(f->d.st.hits, 4);
	assert_int_equal(f->d.st.no_action, 2);
	assert_int_equal(f->d.st.unknown_home + f->d.st.unknown_foreign, 0);
}

/* A sleeping SIM woken up then attaching: one event, in one burst or two. */
static void
test_wakeup_then_attach(void **state)
{
	struct fx *f = *state;

	put_sim(f, "001010000000030", "447700100030", JITSIM_SIM_SLEEPING, 0);
	put_sim(f, "001010000000031", "447700100031", JITSIM_SIM_SLEEPING, 0);
	sri(f, "447700100030");
	ul(f, "001010000000030");
	assert_int_equal(run(f, T0), 1);
	sri_sm(f, "447700100031");
	assert_int_equal(run(f, T0), 1);
	sai(f, "001010000000031", 3);
	assert_int_equal(run(f, T0 + 5), 0);
	assert_int_equal(f->ev[0].type, JITSIM_EV_WAKEUP_MT);
	assert_int_equal(f->ev[1].type, JITSIM_EV_WAKEUP_MT);
	assert_int_equal(f->d.st.lease_held, 2);
}

/* ACTIVE: one ACTIVITY per epoch, from attaches and other triggers. */
static void
test_active_epoch(void **state)
{
	struct fx *f = *state;
	const uint32_t ep = T0 / 3600;

	put_sim(f, "001010000000040", NULL, JITSIM_SIM_ACTIVE, 0);
	ul(f, "001010000000040");
	purge(f, "001010000000040");
	add_s6a(f, JITSIM_S6A_CMD_ULR, true, "001010000000040", "00101", false);
	assert_int_equal(run(f, T0 + 10), 1);
	assert_int_equal(f->ev[0].type, JITSIM_EV_ACTIVITY);
	assert_int_equal(f->ev[0].prev_state, JITSIM_SIM_ACTIVE);
	assert_int_equal(f->ev[0].lease_until, 0);
	assert_int_equal(sw_of(f, "001010000000040"),
			 jitsim_table_sw_make(JITSIM_SIM_ACTIVE, JITSIM_SIM_F_ESIM, ep));
	assert_int_equal(f->d.st.epoch_repeat, 2);

	/* Last second of the epoch, then the next epoch: S6a PUR (no visited). */
	ul(f, "001010000000040");
	assert_int_equal(run(f, T0 + 3599), 0);
	add_s6a(f, JITSIM_S6A_CMD_PUR, true, "001010000000040", NULL, false);
	add_s6a(f, JITSIM_S6A_CMD_NOR, true, "001010000000040", NULL, true);
	assert_int_equal(run(f, T0 + 3600), 1);
	assert_int_equal(f->ev[1].type, JITSIM_EV_ACTIVITY);
	assert_int_equal(f->ev[1].proto, JITSIM_EV_PROTO_DIAMETER);
	assert_int_equal(f->ev[1].op, JITSIM_S6A_CMD_PUR);
	assert_int_equal(f->ev[1].visited_kind, JITSIM_EV_VIS_NONE);
	assert_int_equal(f->ev[1].visited, 0);
	assert_int_equal(f->ev[1].origin_hash, ORIGIN_HASH);
	assert_int_equal(jitsim_table_sw_time(sw_of(f, "001010000000040")), ep + 1);
	/* NOR in the same epoch, next one: again. */
	add_s6a(f, JITSIM_S6A_CMD_NOR, true, "001010000000040", NULL, true);
	assert_int_equal(run(f, T0 + 7200), 1);
	assert_int_equal(f->ev[2].op, JITSIM_S6A_CMD_NOR);
}

/* LOCKED and BLOCKED: one BLOCKED_ATTEMPT per epoch, attaches only. */
static void
test_locked_blocked(void **state)
{
	struct fx *f = *state;
	const char *imsi[2] = {"001010000000050", "001010000000051"};
	unsigned int st[2] = {JITSIM_SIM_LOCKED, JITSIM_SIM_BLOCKED};

	for (unsigned int i = 0; i < 2; i++) {
		unsigned int base = f->n_ev;

		put_sim(f, imsi[i], NULL, st[i], 0);
		purge(f, imsi[i]); /* not an attach */
		assert_int_equal(run(f, T0), 0);
		ugl(f, imsi[i]);
		ul(f, imsi[i]);
		assert_int_equal(run(f, T0), 1);
		assert_int_equal(f->ev[base].type, JITSIM_EV_BLOCKED_ATTEMPT);
		assert_int_equal(f->ev[base].prev_state, st[i]);
		assert_int_equal(f->ev[base].op, JITSIM_MAP_OP_UPDATE_GPRS_LOCATION);
		assert_int_equal(f->ev[base].visited_kind, JITSIM_EV_VIS_SGSN);
		assert_int_equal(f->ev[base].visited, key(SGSN_NO));
		assert_int_equal(f->ev[base].lease_until, 0);
		sai(f, imsi[i], 3);
		assert_int_equal(run(f, T0 + 100), 0);
		/* The state is kept; only the report epoch moved. */
		assert_int_equal(sw_of(f, imsi[i]),
				 jitsim_table_sw_make(st[i], JITSIM_SIM_F_ESIM, T0 / 3600));
		sai(f, imsi[i], 3);
		assert_int_equal(run(f, T0 + 3600), 1);
		assert_int_equal(f->ev[base + 1].type, JITSIM_EV_BLOCKED_ATTEMPT);
	}
	assert_int_equal(f->d.st.events[JITSIM_EV_BLOCKED_ATTEMPT], 4);
	assert_int_equal(f->d.st.epoch_repeat, 4);
	assert_int_equal(f->d.st.no_action, 2);
}

/* RETIRED, and other triggers on INVENTORY/SLEEPING: nothing. */
static void
test_no_action(void **state)
{
	struct fx *f = *state;

	put_sim(f, "001010000000060", NULL, JITSIM_SIM_RETIRED, 0);
	put_sim(f, "001010000000061", NULL, JITSIM_SIM_INVENTORY, 0);
	put_sim(f, "001010000000062", NULL, JITSIM_SIM_SLEEPING, 0);
	ul(f, "001010000000060");
	add_s6a(f, JITSIM_S6A_CMD_AIR, true, "001010000000060", "00101", false);
	purge(f, "001010000000061");
	add_s6a(f, JITSIM_S6A_CMD_PUR, true, "001010000000062", NULL, false);
	assert_int_equal(run(f, T0), 0);
	assert_int_equal(f->d.st.no_action, 4);
	assert_int_equal(state_of(f, "001010000000060"), JITSIM_SIM_RETIRED);
	assert_int_equal(state_of(f, "001010000000061"), JITSIM_SIM_INVENTORY);
	assert_int_equal(state_of(f, "001010000000062"), JITSIM_SIM_SLEEPING);
}

/* Answers, ReturnResult, ReturnError and non-trigger requests: counted only. */
static void
test_answers_never_act(void **state)
{
	struct fx *f = *state;

	put_sim(f, "001010000000070", NULL, JITSIM_SIM_INVENTORY, 0);
	add_map(f, &(struct map_req){JITSIM_TCAP_RESULT_LAST, JITSIM_MAP_OP_UPDATE_LOCATION, 1, 3,
				     NULL, NULL, NULL, NULL, NULL, NULL});
	add_map(f,
		&(struct map_req){JITSIM_TCAP_ERROR, 1, 14, 3, NULL, NULL, NULL, NULL, NULL, NULL});
	/* CancelLocation and MT-ForwardSM: from the home side, not triggers. */
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_CANCEL_LOCATION, 2, 3,
				     "001010000000070", NULL, NULL, NULL, NULL, NULL});
	add_map(f, &(struct map_req){JITSIM_TCAP_INVOKE, JITSIM_MAP_OP_MT_FORWARD_SM, 25, 3,
				     "001010000000070", NULL, NULL, NULL, NULL, "447700400"});
	add_s6a(f, JITSIM_S6A_CMD_ULR, false, NULL, NULL, true);
	add_s6a(f, JITSIM_S6A_CMD_AIR, false, NULL, NULL, false);
	add_s6a(f, JITSIM_S6A_CMD_CLR, true, "001010000000070", NULL, false);
	add_s6a(f, JITSIM_S6A_CMD_IDR, true, "001010000000070", NULL, false);
	assert_int_equal(run(f, T0), 0);
	assert_int_equal(state_of(f, "001010000000070"), JITSIM_SIM_INVENTORY);
	assert_int_equal(f->d.st.triggers, 0);
	assert_int_equal(f->d.st.lookups, 0);
	assert_int_equal(f->d.st.msgs_map, 4);
	assert_int_equal(f->d.st.msgs_diameter, 4);
	assert_int_equal(f->d.st.map_result[JITSIM_MAP_OP_UPDATE_LOCATION], 1);
	assert_int_equal(f->d.st.map_error[1], 1);
	assert_int_equal(f->d.st.map_invoke[JITSIM_MAP_OP_CANCEL_LOCATION], 1);
	assert_int_equal(f->d.st.map_invoke[JITSIM_MAP_OP_MT_FORWARD_SM], 1);
	assert_int_equal(f->d.st.diam_ans[JITSIM_DETECT_DIAM_ULR], 1);
	assert_int_equal(f->d.st.diam_ans[JITSIM_DETECT_DIAM_AIR], 1);
	assert_int_equal(f->d.st.diam_req[JITSIM_DETECT_DIAM_CLR], 1);
	assert_int_equal(f->d.st.diam_req[JITSIM_DETECT_DIAM_IDR], 1);
	assert_int_equal(f->d.st.diam_req[JITSIM_DETECT_DIAM_ULR], 0);
}

/* A returned message (UDTS) is the original UL with a cause: never acted on. */
static void
test_udts(void **state)
{
	struct fx *f = *state;
	uint8_t *p;
	size_t i;

	put_sim(f, "001010000000080", NULL, JITSIM_SIM_INVENTORY, 0);
	ul(f, "001010000000080");
	/*
	 * UDT and UDTS share their layout (type, class or cause, three
	 * pointers); the SCCP message follows the 12 octets of the M3UA
	 * Protocol Data header (tag 0x0210). The SCTP CRC is not verified.
	 */
	p = f->buf[0];
	for (i = 0; i + 17 < f->len[0]; i++)
		if (p[i] == 0x02 && p[i + 1] == 0x10 && p[i + 16] == JITSIM_SCCP_UDT)
			break;
	assert_true(i + 17 < f->len[0]);
	p[i + 16] = JITSIM_SCCP_UDTS;
	p[i + 17] = 1; /* return cause: no translation for this specific address */
	assert_int_equal(run(f, T0), 0);
	assert_int_equal(f->d.st.map_returned, 1);
	assert_int_equal(f->d.st.msgs_map, 1);
	assert_int_equal(f->d.st.triggers, 0);
	assert_int_equal(state_of(f, "001010000000080"), JITSIM_SIM_INVENTORY);
	/* The same message as UDT raises the event. */
	ul(f, "001010000000080");
	assert_int_equal(run(f, T0), 1);
}

/* Unknown IMSIs: home ranges rate-limited per second, others ignored. */
static void
test_unknown(void **state)
{
	struct fx *f = *state;
	char imsi[16];

	for (unsigned int i = 0; i < 1000; i++) {
		snprintf(imsi, sizeof(imsi), "00101%010u", 500000 + i);
		if (i % 2)
			ul(f, imsi);
		else
			add_s6a(f, JITSIM_S6A_CMD_AIR, true, imsi, "00101", i % 4 == 0);
	}
	assert_int_equal(run(f, T0), 10);
	for (unsigned int i = 0; i < 10; i++) {
		assert_int_equal(f->ev[i].type, JITSIM_EV_UNKNOWN_IMSI);
		assert_int_equal(f->ev[i].prev_state, JITSIM_SIM_NONE);
		assert_int_equal(f->ev[i].tenant, 0);
		assert_int_equal(f->ev[i].seq, i + 1);
	}
	snprintf(imsi, sizeof(imsi), "00101%010u", 500000);
	assert_int_equal(f->ev[0].imsi, key(imsi));
	assert_int_equal(f->d.st.unknown_home, 1000);
	assert_int_equal(f->d.st.unknown_suppressed, 990);
	/* Next second: a fresh budget. */
	for (unsigned int i = 0; i < 20; i++) {
		snprintf(imsi, sizeof(imsi), "99901234%07u", i);
		sai(f, imsi, 3);
	}
	assert_int_equal(run(f, T0 + 1), 10);
	assert_int_equal(f->d.st.unknown_suppressed, 1000);
	/* Outside the home ranges (also a prefix longer than the IMSI, and
	 * other triggers of home IMSIs): nothing, counted apart. */
	sai(f, "001020000000001", 3);
	sai(f, "999012", 3);
	ul(f, "310410000000001");
	purge(f, "001010000999999");
	assert_int_equal(run(f, T0 + 2), 0);
	assert_int_equal(f->d.st.unknown_foreign, 3);
	assert_int_equal(f->d.st.unknown_home, 1020);
	assert_int_equal(f->d.st.lookups, 1024);
	assert_int_equal(f->d.st.hits, 0);
}

/* A ring-full drop puts the state back: the next attach raises it again. */
static void
test_unwind(void **state)
{
	struct fx *f = *state;
	put_sim(f, "001010000000090", NULL, JITSIM_SIM_INVENTORY, 0);
	put_sim(f, "001010000000091", NULL, JITSIM_SIM_ACTIVE, 0);
	put_sim(f, "001010000000092", NULL, JITSIM_SIM_SLEEPING, 0);
	sai(f, "001010000000090", 3);
	ul(f, "001010000000091");
	ugl(f, "001010000000092");
	sai(f, "001010099999999", 3); /* unknown: nothing to put back */
	assert_int_equal(run(f, T0), 4);
	/* Only the first fitted in the ring. */
	jitsim_detect_unwind(&f->d, f->ev, 1, 4);
	assert_int_equal(f->d.st.ring_drops[JITSIM_EV_FIRST_ATTACH], 0);
	assert_int_equal(f->d.st.ring_drops[JITSIM_EV_ACTIVITY], 1);
	assert_int_equal(f->d.st.ring_drops[JITSIM_EV_REATTACH], 1);
	assert_int_equal(f->d.st.ring_drops[JITSIM_EV_UNKNOWN_IMSI], 1);
	assert_int_equal(f->d.st.unwind_failed, 0);
	assert_int_equal(sw_of(f, "001010000000091"),
			 jitsim_table_sw_make(JITSIM_SIM_ACTIVE, JITSIM_SIM_F_ESIM, 0));
	assert_int_equal(state_of(f, "001010000000092"), JITSIM_SIM_SLEEPING);
	assert_int_equal(state_of(f, "001010000000090"), JITSIM_SIM_ACTIVATING);

	/* Now all of a burst dropped: the first attach comes back too. */
	f->n_ev = 0;
	ul(f, "001010000000091");
	ugl(f, "001010000000092");
	assert_int_equal(run(f, T0 + 1), 2);
	assert_int_equal(f->ev[0].type, JITSIM_EV_ACTIVITY);
	assert_int_equal(f->ev[0].seq, 5); /* 2-4 are not reused */
	assert_int_equal(f->ev[1].type, JITSIM_EV_REATTACH);
	put_sim(f, "001010000000093", NULL, JITSIM_SIM_INVENTORY, 0);
	f->n_ev = 0;
	sai(f, "001010000000093", 3);
	assert_int_equal(run(f, T0 + 2), 1);
	jitsim_detect_unwind(&f->d, f->ev, 0, 1);
	assert_int_equal(sw_of(f, "001010000000093"),
			 jitsim_table_sw_make(JITSIM_SIM_INVENTORY, JITSIM_SIM_F_ESIM, 0));
	f->n_ev = 0;
	sai(f, "001010000000093", 3);
	assert_int_equal(run(f, T0 + 2), 1);
	assert_int_equal(f->ev[0].type, JITSIM_EV_FIRST_ATTACH);
	assert_int_equal(f->ev[0].seq, 8);
	assert_int_equal(f->d.st.ring_drops[JITSIM_EV_FIRST_ATTACH], 1);

	/* The control side changed the entry in between: nothing is undone. */
	put_sim(f, "001010000000094", NULL, JITSIM_SIM_INVENTORY, 0);
	f->n_ev = 0;
	sai(f, "001010000000094", 3);
	assert_int_equal(run(f, T0 + 3), 1);
	put_sim(f, "001010000000094", NULL, JITSIM_SIM_ACTIVE, 0);
	jitsim_detect_unwind(&f->d, f->ev, 0, 1);
	assert_int_equal(f->d.st.unwind_failed, 1);
	assert_int_equal(state_of(f, "001010000000094"), JITSIM_SIM_ACTIVE);
}

/* Visited network, RAT, IMEI and Origin-Host of S6a attaches. */
static void
test_s6a_fields(void **state)
{
	struct fx *f = *state;
	const struct jitsim_event *e;

	put_sim(f, "001010000000100", NULL, JITSIM_SIM_INVENTORY, 0);
	put_sim(f, "001010000000101", "447700100101", JITSIM_SIM_INVENTORY, 0);
	add_s6a(f, JITSIM_S6A_CMD_ULR, true, "001010000000100", "310410", true);
	add_s6a(f, JITSIM_S6A_CMD_AIR, true, "001010000000101", "00101", false);
	assert_int_equal(run(f, T0), 2);
	e = &f->ev[0];
	assert_int_equal(e->type, JITSIM_EV_FIRST_ATTACH);
	assert_int_equal(e->proto, JITSIM_EV_PROTO_DIAMETER);
	assert_int_equal(e->op, JITSIM_S6A_CMD_ULR);
	assert_int_equal(e->visited_kind, JITSIM_EV_VIS_PLMN);
	assert_int_equal(e->visited, key("310410"));
	assert_int_equal(e->rat_type, 1004);
	assert_int_equal(e->imei, key(IMEI));
	assert_int_equal(e->origin_hash, ORIGIN_HASH);
	assert_int_equal(e->map_version, 0);
	assert_int_equal(e->msisdn, 0);
	e = &f->ev[1];
	assert_int_equal(e->op, JITSIM_S6A_CMD_AIR);
	assert_int_equal(e->visited_kind, JITSIM_EV_VIS_PLMN);
	assert_int_equal(e->visited, key("00101"));
	assert_int_equal(e->rat_type, 0xffff);
	assert_int_equal(e->imei, 0);
	assert_int_equal(e->origin_hash, ORIGIN_HASH);
	assert_int_equal(e->msisdn, key("447700100101"));
	assert_int_equal(f->d.st.diam_req[JITSIM_DETECT_DIAM_ULR], 1);
	assert_int_equal(f->d.st.diam_req[JITSIM_DETECT_DIAM_AIR], 1);
	assert_int_equal(f->d.st.msgs_diameter, 2);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_cfg),
		cmocka_unit_test_setup_teardown(test_first_attach_storm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_lease_retaken, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sleeping_reattach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wakeup, setup, teardown),
		cmocka_unit_test_setup_teardown(test_wakeup_then_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_active_epoch, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked_blocked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_no_action, setup, teardown),
		cmocka_unit_test_setup_teardown(test_answers_never_act, setup, teardown),
		cmocka_unit_test_setup_teardown(test_udts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unwind, setup, teardown),
		cmocka_unit_test_setup_teardown(test_s6a_fields, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
