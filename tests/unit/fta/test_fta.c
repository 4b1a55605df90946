/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The FTA verdict against real tables holding a SIM in every state, with
 * SCCP messages built by the codec library's encoders: every verdict, the
 * rewritten messages decoded again (called = the HLR, calling kept), the
 * LOCKED answer decoded as End + ReturnError, the config helpers, and
 * truncation / bit-flip fuzz of every message (under ASan: nothing read
 * outside the exact-size input, every output decodes, every drop named).
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

#include <jitsim/proto/map.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/sim.h>

#include "fta.h"

#define T0 1764115200u
#define OWN_PC 186 /* 0.23.2 */
#define OWN_GT "447700900001"
#define HLR1_PC 0x0809 /* 1.1.1 */
#define HLR1_GT "447700111000"
#define HLR2_PC 0x1011 /* 2.2.1 */
#define DEF_HLR_PC 0x0049
#define DEF_HLR_GT "447700999000"
#define STP_PC 1
#define VLR_PC 0x0505
#define VLR_GT "447700200"
#define MGT "21601000000" /* E.214 of the IMSI range */
#define LCORE 3
#define ASSOC 7

/* IMSIs, one per state (and three ACTIVE: regions 1, 2, 3). */
#define IMSI_INV "001010000000001"
#define IMSI_ACTIVATING "001010000000002"
#define IMSI_ACT1 "001010000000003"
#define IMSI_ACT2 "001010000000004"
#define IMSI_ACT3 "001010000000005"
#define IMSI_SLEEP "001010000000006"
#define IMSI_REACT "001010000000007"
#define IMSI_LOCKED "001010000000008"
#define IMSI_BLOCKED "001010000000009"
#define IMSI_RETIRED "001010000000010"
#define IMSI_UNKNOWN "001010000000099"
#define MSISDN_ACT1 "447700123456"

struct fx {
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	struct jitsim_fta_cfg cfg;
	struct jitsim_fta f;
	struct jitsim_sig_msg out;
	uint8_t buf[1024];
	size_t len;
};

static uint64_t
key(const char *s)
{
	uint64_t k = jitsim_digits_key_str(s);

	assert_true(k != 0);
	return k;
}

/* ---- addresses and messages ---- */

static struct jitsim_sccp_addr
addr_gt(const char *gt, uint8_t ssn)
{
	struct jitsim_sccp_addr a = {.has_ssn = ssn != 0, .ssn = ssn, .gti = 4, .np = 1, .nai = 4};

	jitsim_digits_set(&a.digits, gt);
	a.es = (a.digits.n & 1) ? 1 : 2;
	return a;
}

static struct jitsim_sccp_addr
addr_pc(bool has_pc, uint16_t pc, uint8_t ssn)
{
	return (struct jitsim_sccp_addr){
		.route_on_ssn = true, .has_pc = has_pc, .pc = pc, .has_ssn = true, .ssn = ssn};
}

struct spec {
	uint8_t sccp_type; /* 0: UDT */
	struct jitsim_sccp_addr called, calling;
	uint8_t tcap_type; /* 0: Begin */
	uint32_t otid, dtid;
	uint8_t tid_len;     /* 0: 4 */
	uint8_t ac, version; /* version 0: no dialogue portion */
	uint8_t comp;	     /* 0: Invoke */
	uint8_t op;
	int8_t invoke_id;
	const char *imsi, *msisdn, *vlr, *msc, *sgsn;
};

/* Build the SCCP message of @s into f->buf. */
static void
build(struct fx *f, const struct spec *s)
{
	uint8_t pbuf[256];
	struct jitsim_wbuf w;
	struct jitsim_tcap t;
	struct jitsim_map_ids ids;
	struct jitsim_sccp sccp;
	bool has_param = false;

	memset(&ids, 0, sizeof(ids));
	if (s->imsi != NULL) {
		ids.has_imsi = true;
		jitsim_digits_set(&ids.imsi, s->imsi);
	}
	if (s->msisdn != NULL) {
		ids.has_msisdn = true;
		jitsim_digits_set(&ids.msisdn, s->msisdn);
	}
	if (s->vlr != NULL) {
		ids.has_vlr = true;
		jitsim_digits_set(&ids.vlr, s->vlr);
	}
	if (s->msc != NULL) {
		ids.has_msc = true;
		jitsim_digits_set(&ids.msc, s->msc);
	}
	if (s->sgsn != NULL) {
		ids.has_sgsn = true;
		jitsim_digits_set(&ids.sgsn, s->sgsn);
	}
	ids.n_vectors = s->op == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO ? 2 : 0;
	memset(&t, 0, sizeof(t));
	t.type = s->tcap_type != 0 ? s->tcap_type : JITSIM_TCAP_BEGIN;
	if (t.type != JITSIM_TCAP_ABORT && (s->comp == 0 || s->comp == JITSIM_TCAP_INVOKE) &&
	    (ids.has_imsi || ids.has_msisdn)) {
		jitsim_wbuf_init(&w, pbuf, sizeof(pbuf), sizeof(pbuf));
		assert_int_equal(
			jitsim_map_encode_invoke(&w, s->op, s->version ? s->version : 1, &ids),
			JITSIM_R_OK);
		has_param = true;
		memmove(pbuf, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
		t.comp[0].param = pbuf;
		t.comp[0].param_len = jitsim_wbuf_len(&w);
	}
	t.has_otid = t.type == JITSIM_TCAP_BEGIN || t.type == JITSIM_TCAP_CONTINUE;
	t.otid = s->otid;
	t.otid_len = s->tid_len ? s->tid_len : 4;
	t.has_dtid = t.type != JITSIM_TCAP_BEGIN;
	t.dtid = s->dtid;
	t.dtid_len = s->tid_len ? s->tid_len : 4;
	if (s->version != 0 && t.type != JITSIM_TCAP_ABORT) {
		t.has_dialogue = true;
		t.map_ac = s->ac;
		t.map_version = s->version;
	}
	if (t.type != JITSIM_TCAP_ABORT) {
		t.n_comp = 1;
		t.comp[0].type = s->comp ? s->comp : JITSIM_TCAP_INVOKE;
		t.comp[0].has_invoke_id = true;
		t.comp[0].invoke_id = s->invoke_id;
		if (t.comp[0].type == JITSIM_TCAP_ERROR) {
			t.comp[0].has_error = true;
			t.comp[0].error = s->op;
		} else {
			t.comp[0].has_opcode = t.comp[0].type == JITSIM_TCAP_INVOKE || has_param;
			t.comp[0].opcode = s->op;
		}
	}
	jitsim_wbuf_init(&w, f->buf, sizeof(f->buf), sizeof(f->buf));
	if (t.type == JITSIM_TCAP_ABORT) {
		/* The codec writes no Abort: a bare one (Q.773: dtid, no cause). */
		uint8_t ab[] = {0x67,
				0x06,
				0x49,
				0x04,
				(uint8_t)(s->dtid >> 24),
				(uint8_t)(s->dtid >> 16),
				(uint8_t)(s->dtid >> 8),
				(uint8_t)s->dtid};

		uint8_t *o = jitsim_wbuf_prepend(&w, sizeof(ab));

		assert_non_null(o);
		memcpy(o, ab, sizeof(ab));
	} else {
		assert_int_equal(jitsim_tcap_encode(&w, &t), JITSIM_R_OK);
	}
	memset(&sccp, 0, sizeof(sccp));
	sccp.msg_type = s->sccp_type ? s->sccp_type : JITSIM_SCCP_UDT;
	sccp.pclass = 0x81;
	sccp.called = s->called;
	sccp.calling = s->calling;
	assert_int_equal(jitsim_sccp_encode(&w, &sccp), JITSIM_R_OK);
	f->len = jitsim_wbuf_len(&w);
	memmove(f->buf, jitsim_wbuf_data(&w), f->len);
}

/* A Begin of @op for @imsi from a VLR (GT-routed) to the MGT. */
static struct spec
begin(uint8_t op, const char *imsi)
{
	struct spec s = {.called = addr_gt(MGT, 6),
			 .calling = addr_gt(VLR_GT, 7),
			 .otid = 0x11223344,
			 .ac = op == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO ? 14 : 1,
			 .version = 3,
			 .op = op,
			 .invoke_id = 5,
			 .imsi = imsi};

	if (op == JITSIM_MAP_OP_UPDATE_LOCATION) {
		s.vlr = VLR_GT;
		s.msc = VLR_GT;
	}
	return s;
}

static enum jitsim_fta_verdict
run_buf(struct fx *f, const uint8_t *p, size_t len, enum jitsim_fta_drop *d)
{
	struct jitsim_fta_in in = {.opc = VLR_PC,
				   .dpc = OWN_PC,
				   .si = 3,
				   .ni = 2,
				   .mp = 0,
				   .sls = 9,
				   .assoc = ASSOC,
				   .data = p,
				   .len = len};

	return jitsim_fta_process(&f->f, &in, T0, &f->out, d);
}

/* Run the message in f->buf from an exact-size copy (ASan sees overreads). */
static enum jitsim_fta_verdict
run(struct fx *f, enum jitsim_fta_drop *d)
{
	uint8_t *p = malloc(f->len ? f->len : 1);
	enum jitsim_fta_verdict v;

	assert_non_null(p);
	memcpy(p, f->buf, f->len);
	v = run_buf(f, p, f->len, d);
	free(p);
	return v;
}

static enum jitsim_fta_verdict
run_spec(struct fx *f, const struct spec *s, enum jitsim_fta_drop *d)
{
	build(f, s);
	return run(f, d);
}

/* Decode the output record's SCCP message. */
static void
out_sccp(struct fx *f, struct jitsim_sccp *s)
{
	assert_true(f->out.len > 0 && f->out.len <= JITSIM_SIG_DATA_MAX);
	assert_int_equal(jitsim_sccp_decode(f->out.data, f->out.len, s), JITSIM_R_OK);
}

static void
assert_addr_equal(const struct jitsim_sccp_addr *a, const struct jitsim_sccp_addr *b)
{
	assert_int_equal(a->ai, b->ai);
	assert_int_equal(a->has_pc, b->has_pc);
	assert_int_equal(a->pc, b->pc);
	assert_int_equal(a->has_ssn, b->has_ssn);
	assert_int_equal(a->ssn, b->ssn);
	assert_int_equal(a->gti, b->gti);
	assert_int_equal(a->tt, b->tt);
	assert_int_equal(a->np, b->np);
	assert_int_equal(a->nai, b->nai);
	assert_string_equal(a->digits.d, b->digits.d);
}

/* ---- fixture ---- */

static void
put_sim(struct fx *f, const char *imsi, unsigned int state, uint16_t region, const char *msisdn)
{
	struct jitsim_table_sim e = {.imsi = key(imsi),
				     .msisdn = msisdn ? key(msisdn) : 0,
				     .sw = jitsim_table_sw_make(state, 0, 0),
				     .tenant = 1,
				     .region = region};

	assert_int_equal(jitsim_table_imsi_put(f->imsi, &e), 0);
	if (msisdn != NULL)
		assert_int_equal(jitsim_table_msisdn_put(f->msisdn, key(msisdn), key(imsi)), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[128];

	assert_non_null(f);
	urcu_qsbr_register_thread();
	f->imsi = jitsim_table_imsi_create(0);
	f->msisdn = jitsim_table_msisdn_create(0);
	assert_non_null(f->imsi);
	assert_non_null(f->msisdn);
	put_sim(f, IMSI_INV, JITSIM_SIM_INVENTORY, 1, NULL);
	put_sim(f, IMSI_ACTIVATING, JITSIM_SIM_ACTIVATING, 1, NULL);
	put_sim(f, IMSI_ACT1, JITSIM_SIM_ACTIVE, 1, MSISDN_ACT1);
	put_sim(f, IMSI_ACT2, JITSIM_SIM_ACTIVE, 2, NULL);
	put_sim(f, IMSI_ACT3, JITSIM_SIM_ACTIVE, 3, NULL);
	put_sim(f, IMSI_SLEEP, JITSIM_SIM_SLEEPING, 2, NULL);
	put_sim(f, IMSI_REACT, JITSIM_SIM_REACTIVATING, 2, NULL);
	put_sim(f, IMSI_LOCKED, JITSIM_SIM_LOCKED, 1, NULL);
	put_sim(f, IMSI_BLOCKED, JITSIM_SIM_BLOCKED, 1, NULL);
	put_sim(f, IMSI_RETIRED, JITSIM_SIM_RETIRED, 1, NULL);

	jitsim_fta_cfg_default(&f->cfg);
	assert_int_equal(jitsim_fta_pc_parse("0.23.2", &f->cfg.own_pc), 0);
	assert_int_equal(jitsim_fta_cfg_set_own_gt(&f->cfg, OWN_GT), 0);
	assert_int_equal(jitsim_fta_cfg_set_region(&f->cfg, 1, HLR1_PC, 0, HLR1_GT), 0);
	assert_int_equal(jitsim_fta_cfg_set_region(&f->cfg, 2, HLR2_PC, 6, NULL), 0);
	assert_int_equal(jitsim_fta_hlr_set(&f->cfg.default_hlr, DEF_HLR_PC, 6, DEF_HLR_GT), 0);
	f->cfg.has_default_route = true;
	f->cfg.default_route = STP_PC;
	assert_int_equal(jitsim_fta_cfg_check(&f->cfg, err, sizeof(err)), 0);
	jitsim_fta_init(&f->f, &f->cfg, f->imsi, f->msisdn, LCORE);
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
	free(f);
	return 0;
}

/* Re-init after a config change (the GT index is built by init). */
static void
reinit(struct fx *f)
{
	jitsim_fta_init(&f->f, &f->cfg, f->imsi, f->msisdn, LCORE);
}

/* ---- config ---- */

static void
test_pc_parse(void **state)
{
	static const struct {
		const char *s;
		int rc;
		uint16_t pc;
	} cases[] = {
		{"0.23.2", 0, 186},
		{"186", 0, 186},
		{"7.255.7", 0, 16383},
		{"16383", 0, 16383},
		{"0", 0, 0},
		{"1.1.1", 0, 0x0809},
		{"8.0.0", -EINVAL, 0},
		{"0.256.0", -EINVAL, 0},
		{"0.0.8", -EINVAL, 0},
		{"16384", -EINVAL, 0},
		{"1.2", -EINVAL, 0},
		{"", -EINVAL, 0},
		{"1..2", -EINVAL, 0},
		{"a", -EINVAL, 0},
		{"1.2.3.4", -EINVAL, 0},
		{"-1", -EINVAL, 0},
		{"1.2.", -EINVAL, 0},
		{"99999999999", -EINVAL, 0},
	};
	char buf[16];

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint16_t pc = 0xffff;

		assert_int_equal(jitsim_fta_pc_parse(cases[i].s, &pc), cases[i].rc);
		if (cases[i].rc == 0)
			assert_int_equal(pc, cases[i].pc);
		else
			assert_int_equal(pc, 0xffff);
	}
	assert_int_equal(jitsim_fta_pc_parse(NULL, &(uint16_t){0}), -EINVAL);
	assert_int_equal(jitsim_fta_pc_format(186, buf, sizeof(buf)), 6);
	assert_string_equal(buf, "0.23.2");
	for (unsigned int pc = 0; pc <= 0x3fff; pc += 37) {
		uint16_t back;

		jitsim_fta_pc_format((uint16_t)pc, buf, sizeof(buf));
		assert_int_equal(jitsim_fta_pc_parse(buf, &back), 0);
		assert_int_equal(back, pc);
	}
}

static void
test_cfg_check(void **state)
{
	struct fx *f = *state;
	struct jitsim_fta_cfg c;
	char err[128];

	jitsim_fta_cfg_default(&c);
	assert_int_equal(c.locked_error, 1);
	assert_int_equal(c.own_ssn, 6);
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "own_pc"));

	c = f->cfg;
	assert_int_equal(jitsim_fta_cfg_set_region(&c, 42, OWN_PC, 6, NULL), 0);
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "region 42"));

	c = f->cfg;
	assert_int_equal(jitsim_fta_cfg_set_region(&c, 5, 77, 6, OWN_GT), 0);
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "own_gt"));

	/* A struct filled by hand: the GTs are checked too. */
	c = f->cfg;
	jitsim_digits_set(&c.hlr[1].gt, "4477*1");
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "region 1"));
	c = f->cfg;
	jitsim_digits_set(&c.default_hlr.gt, OWN_GT);
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "default_hlr"));
	c = f->cfg;
	jitsim_digits_set(&c.own_gt, "12#");
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "own_gt"));

	c = f->cfg;
	c.default_route = OWN_PC;
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "default_route"));

	c = f->cfg;
	c.unknown = JITSIM_FTA_UNKNOWN_RELAY;
	assert_int_equal(jitsim_fta_cfg_check(&c, NULL, 0), 0);
	c.default_hlr.set = false;
	assert_int_equal(jitsim_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "default_hlr"));

	assert_int_equal(jitsim_fta_cfg_set_region(&c, JITSIM_FTA_REGIONS, 5, 6, NULL), -EINVAL);
	assert_int_equal(jitsim_fta_cfg_set_region(&c, 0, 0x4000, 6, NULL), -EINVAL);
	assert_int_equal(jitsim_fta_cfg_set_region(&c, 0, 5, 6, "12a4"), -EINVAL);
	assert_int_equal(
		jitsim_fta_cfg_set_region(&c, 0, 5, 6, "123456789012345678901234567890123"),
		-EINVAL);
	assert_int_equal(jitsim_fta_cfg_set_own_gt(&c, "1x"), -EINVAL);
	assert_int_equal(jitsim_fta_cfg_set_region(&c, 0, 5, 0, ""), 0);
	assert_int_equal(c.hlr[0].ssn, 6);
	assert_int_equal(c.hlr[0].gt.n, 0);

	/* Names: one per value, never NULL. */
	for (unsigned int v = 0; v < JITSIM_FTA_VERDICT_MAX; v++)
		assert_non_null(jitsim_fta_verdict_str(v));
	for (unsigned int d = 0; d < JITSIM_FTA_DROP_MAX; d++) {
		assert_non_null(jitsim_fta_drop_str(d));
		assert_non_null(jitsim_fta_drop_text(d));
	}
	assert_string_equal(jitsim_fta_verdict_str(JITSIM_FTA_RELAY_HLR), "RELAY_HLR");
	assert_string_equal(jitsim_fta_drop_str(JITSIM_FTA_DROP_NO_ROUTE), "NO_ROUTE");
	assert_string_equal(jitsim_fta_drop_str(JITSIM_FTA_DROP_MAX), "UNKNOWN");
}

/* ---- ACTIVE: relay to the region's HLR ---- */

static void
test_relay_active_gt(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	struct jitsim_sccp in, out;
	struct jitsim_sccp_addr want = addr_gt(HLR1_GT, 6);
	enum jitsim_fta_drop d;

	build(f, &s);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_HLR);
	assert_int_equal(d, JITSIM_FTA_DROP_NONE);
	out_sccp(f, &out);
	/* Called = HLR 1's GT + SSN 6, routed on GT; calling as received. */
	assert_false(out.called.route_on_ssn);
	assert_false(out.called.has_pc);
	assert_int_equal(out.called.gti, 4);
	assert_int_equal(out.called.ssn, 6);
	assert_string_equal(out.called.digits.d, want.digits.d);
	assert_int_equal(out.called.np, 1);
	assert_int_equal(out.called.nai, 4);
	assert_addr_equal(&out.calling, &in.calling);
	assert_int_equal(out.msg_type, JITSIM_SCCP_UDT);
	assert_int_equal(out.pclass, 0x81);
	assert_int_equal(out.data_len, in.data_len);
	assert_memory_equal(out.data, in.data, in.data_len);
	/* Label and record fields. */
	assert_int_equal(f->out.kind, JITSIM_SIG_SEND);
	assert_int_equal(f->out.opc, OWN_PC);
	assert_int_equal(f->out.dpc, HLR1_PC);
	assert_int_equal(f->out.si, 3);
	assert_int_equal(f->out.ni, 2);
	assert_int_equal(f->out.sls, 9);
	assert_int_equal(f->out.assoc, JITSIM_SIG_ASSOC_ROUTE);
	assert_int_equal(f->out.lcore, LCORE);
	assert_int_equal(f->out.ts_s, T0);
	assert_int_equal(f->out.imsi, key(IMSI_ACT1));
	assert_int_equal(f->out.region, 1);
	assert_int_equal(f->out.sim_state, JITSIM_SIM_ACTIVE);
	assert_int_equal(f->f.st.region[1], 1);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_RELAY_HLR], 1);
	assert_int_equal(f->f.st.lookups, 1);
	assert_int_equal(f->f.st.pc_inserted, 0);

	/* UL and UGL and PurgeMS too; addressed to our own GT as well. */
	s = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_ACT1);
	s.called = addr_gt(OWN_GT, 6);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_string_equal(out.called.digits.d, HLR1_GT);
	s = begin(JITSIM_MAP_OP_PURGE_MS, IMSI_ACT1);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	assert_int_equal(f->f.st.region[1], 3);
}

static void
test_relay_active_pc(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_ACT2);
	struct jitsim_sccp in, out;
	enum jitsim_fta_drop d;

	/* Point-code routing (osmo-stp): called = our PC + SSN 6, calling =
	 * the VLR's SSN without a PC. */
	s.called = addr_pc(true, OWN_PC, 6);
	s.calling = addr_pc(false, 0, 7);
	build(f, &s);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_true(out.called.route_on_ssn);
	assert_true(out.called.has_pc);
	assert_int_equal(out.called.pc, HLR2_PC);
	assert_int_equal(out.called.ssn, 6);
	assert_int_equal(out.called.gti, 0);
	/* Calling: the VLR's PC (the OPC) inserted, the rest kept. */
	assert_true(out.calling.route_on_ssn);
	assert_true(out.calling.has_pc);
	assert_int_equal(out.calling.pc, VLR_PC);
	assert_int_equal(out.calling.ssn, 7);
	assert_int_equal(out.calling.ai, in.calling.ai | 0x01);
	assert_memory_equal(out.data, in.data, in.data_len);
	assert_int_equal(f->out.dpc, HLR2_PC);
	assert_int_equal(f->out.region, 2);
	assert_int_equal(f->f.st.region[2], 1);
	assert_int_equal(f->f.st.pc_inserted, 1);

	/* Called routed on SSN without a PC: still ours. */
	s.called = addr_pc(false, 0, 6);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	assert_int_equal(f->f.st.region[2], 2);
}

static void
test_relay_active_default(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, IMSI_ACT3);
	struct jitsim_sccp out;
	enum jitsim_fta_drop d;

	/* Region 3 has no HLR of its own: the default one. */
	s.version = 3;
	s.ac = 32;
	s.vlr = NULL;
	s.sgsn = VLR_GT;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_string_equal(out.called.digits.d, DEF_HLR_GT);
	assert_int_equal(f->out.dpc, DEF_HLR_PC);
	assert_int_equal(f->out.region, 3);
	assert_int_equal(f->f.st.to_default_hlr, 1);
	assert_int_equal(f->f.st.region[3], 0);

	f->cfg.default_hlr.set = false;
	reinit(f);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NO_HLR);
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DROP_NO_HLR], 1);
}

static void
test_relay_by_msisdn(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_SEND_ROUTING_INFO, NULL);
	struct jitsim_sccp out;
	enum jitsim_fta_drop d;

	s.msisdn = MSISDN_ACT1;
	s.msc = VLR_GT; /* the GMSC */
	s.ac = 5;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_string_equal(out.called.digits.d, HLR1_GT);
	assert_int_equal(f->out.imsi, key(IMSI_ACT1));
	assert_int_equal(f->f.st.msisdn_lookups, 1);

	/* Unknown MSISDN: the unknown-IMSI policy (drop). */
	s.msisdn = "447700999999";
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_UNKNOWN_IMSI);
}

/* ---- INVENTORY & co: to jitsim-cp ---- */

static void
test_to_cp_states(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *imsi;
		unsigned int st;
		uint16_t region;
	} cases[] = {
		{IMSI_INV, JITSIM_SIM_INVENTORY, 1},
		{IMSI_ACTIVATING, JITSIM_SIM_ACTIVATING, 1},
		{IMSI_SLEEP, JITSIM_SIM_SLEEPING, 2},
		{IMSI_REACT, JITSIM_SIM_REACTIVATING, 2},
	};
	static const uint8_t ops[] = {JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
				      JITSIM_MAP_OP_UPDATE_LOCATION};
	enum jitsim_fta_drop d;
	uint32_t seq = 0;

	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		for (size_t j = 0; j < sizeof(ops); j++) {
			struct spec s = begin(ops[j], cases[i].imsi);

			assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_TO_CP);
			assert_int_equal(d, JITSIM_FTA_DROP_NONE);
			assert_int_equal(f->out.kind, JITSIM_SIG_FTA_IN);
			assert_int_equal(f->out.len, f->len);
			assert_memory_equal(f->out.data, f->buf, f->len);
			/* The label as received. */
			assert_int_equal(f->out.opc, VLR_PC);
			assert_int_equal(f->out.dpc, OWN_PC);
			assert_int_equal(f->out.si, 3);
			assert_int_equal(f->out.sls, 9);
			assert_int_equal(f->out.assoc, ASSOC);
			assert_int_equal(f->out.lcore, LCORE);
			assert_int_equal(f->out.seq, ++seq);
			assert_int_equal(f->out.ts_s, T0);
			assert_int_equal(f->out.imsi, key(cases[i].imsi));
			assert_int_equal(f->out.region, cases[i].region);
			assert_int_equal(f->out.sim_state, cases[i].st);
		}
		assert_int_equal(f->f.st.to_cp_state[cases[i].st], 2);
	}
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_TO_CP], 8);
}

/* ---- LOCKED, BLOCKED: answered ---- */

static void
check_locked_answer(struct fx *f, const struct spec *s, uint8_t err, bool dialogue)
{
	struct jitsim_sccp out;
	struct jitsim_tcap t;

	out_sccp(f, &out);
	assert_int_equal(out.msg_type, JITSIM_SCCP_UDT);
	assert_int_equal(out.pclass, 0x01); /* class kept, no return option */
	/* To the calling party, from our own GT. */
	assert_int_equal(out.called.gti, 4);
	assert_string_equal(out.called.digits.d, s->calling.digits.d);
	assert_int_equal(out.called.ssn, s->calling.ssn);
	assert_string_equal(out.calling.digits.d, OWN_GT);
	assert_int_equal(out.calling.ssn, 6);
	assert_int_equal(jitsim_tcap_decode(out.data, out.data_len, &t), JITSIM_R_OK);
	assert_int_equal(t.type, JITSIM_TCAP_END);
	assert_true(t.has_dtid);
	assert_int_equal(t.dtid, s->otid);
	assert_int_equal(t.dtid_len, 4);
	assert_false(t.has_otid);
	assert_int_equal(t.has_dialogue, dialogue);
	if (dialogue) {
		assert_int_equal(t.dialogue_pdu, JITSIM_TCAP_AARE);
		assert_true(t.is_map_acn);
		assert_int_equal(t.map_ac, s->ac);
		assert_int_equal(t.map_version, s->version);
	}
	assert_int_equal(t.n_comp, 1);
	assert_int_equal(t.comp[0].type, JITSIM_TCAP_ERROR);
	assert_true(t.comp[0].has_invoke_id);
	assert_int_equal(t.comp[0].invoke_id, s->invoke_id);
	assert_true(t.comp[0].has_error);
	assert_int_equal(t.comp[0].error, err);
	assert_int_equal(f->out.kind, JITSIM_SIG_SEND);
	assert_int_equal(f->out.opc, OWN_PC);
	assert_int_equal(f->out.dpc, VLR_PC);
	assert_int_equal(f->out.sls, 9);
	assert_int_equal(f->out.assoc, ASSOC);
}

static void
test_locked(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_LOCKED);
	enum jitsim_fta_drop d;

	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_ANSWER_LOCKED);
	check_locked_answer(f, &s, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER, true);
	assert_int_equal(f->out.sim_state, JITSIM_SIM_LOCKED);
	assert_int_equal(f->out.imsi, key(IMSI_LOCKED));

	s = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_BLOCKED);
	s.otid = 0xcf000001; /* a VLR tid that looks like ours changes nothing in a Begin */
	s.invoke_id = -3;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_ANSWER_LOCKED);
	check_locked_answer(f, &s, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER, true);

	/* The configured error; MAP v1 (no dialogue portion): no AARE. */
	f->cfg.locked_error = JITSIM_MAP_ERR_ROAMING_NOT_ALLOWED;
	s = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_LOCKED);
	s.version = 0;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_ANSWER_LOCKED);
	check_locked_answer(f, &s, JITSIM_MAP_ERR_ROAMING_NOT_ALLOWED, false);

	assert_int_equal(f->f.st.locked_state[JITSIM_SIM_LOCKED], 2);
	assert_int_equal(f->f.st.locked_state[JITSIM_SIM_BLOCKED], 1);

	/* From our own OPC: never answered to ourselves. */
	{
		struct jitsim_fta_in in = {
			.opc = OWN_PC, .dpc = OWN_PC, .si = 3, .data = f->buf, .len = f->len};

		assert_int_equal(jitsim_fta_process(&f->f, &in, T0, &f->out, &d), JITSIM_FTA_DROP);
		assert_int_equal(d, JITSIM_FTA_DROP_LOOP);
	}
}

/* ---- unknown, RETIRED, not an HLR operation ---- */

static void
test_unknown(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_UNKNOWN);
	struct jitsim_sccp out;
	enum jitsim_fta_drop d;

	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_UNKNOWN_IMSI);
	s.imsi = IMSI_RETIRED;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_UNKNOWN_IMSI);
	/* An IMSI with a digit that is not decimal has no key: no identity. */
	s.imsi = "00101000000000*";
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NO_IMSI);

	/* Addressed to a configured HLR's GT: relayed there as addressed. */
	s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_UNKNOWN);
	s.called = addr_gt(HLR1_GT, 6);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_BACK);
	out_sccp(f, &out);
	assert_string_equal(out.called.digits.d, HLR1_GT);
	assert_int_equal(f->out.dpc, HLR1_PC);
	assert_int_equal(f->f.st.back_hlr_gt, 1);

	/* Policy relay: to the default HLR. */
	f->cfg.unknown = JITSIM_FTA_UNKNOWN_RELAY;
	s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_UNKNOWN);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_string_equal(out.called.digits.d, DEF_HLR_GT);
	assert_int_equal(f->out.dpc, DEF_HLR_PC);
	assert_int_equal(f->out.sim_state, JITSIM_FTA_STATE_NONE);
	s.imsi = IMSI_RETIRED;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	assert_int_equal(f->out.sim_state, JITSIM_SIM_RETIRED);
	assert_int_equal(f->f.st.to_default_hlr, 2);
}

static void
test_not_hlr_op(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_CANCEL_LOCATION, IMSI_ACT1);
	enum jitsim_fta_drop d;

	/* CancelLocation is what an HLR sends: to our GT, nothing to do. */
	s.called = addr_gt(OWN_GT, 6);
	s.ac = 2;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NOT_HLR_OP);
	/* The same toward a VLR's GT: relayed as addressed (default route). */
	s.called = addr_gt(VLR_GT, 7);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_BACK);
	assert_int_equal(f->out.dpc, STP_PC);
	assert_int_equal(f->f.st.back_default, 1);
	/* An HLR operation to the MGT: by state (ACTIVE: relayed). */
	s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
	/* Without an IMSI (an SAI v3 Invoke without argument) to us: no identity. */
	s.imsi = NULL;
	s.called = addr_gt(OWN_GT, 6);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NO_IMSI);
}

/* ---- continuations ---- */

static void
test_dialogue(void **state)
{
	struct fx *f = *state;
	static const uint8_t types[] = {JITSIM_TCAP_CONTINUE, JITSIM_TCAP_END, JITSIM_TCAP_ABORT};
	struct jitsim_sccp out;
	enum jitsim_fta_drop d;

	for (size_t i = 0; i < sizeof(types); i++) {
		struct spec s = {.called = addr_gt(OWN_GT, 6),
				 .calling = addr_gt(VLR_GT, 7),
				 .tcap_type = types[i],
				 .otid = 0x0a0b0c0d,
				 .dtid = 0xcf000102,
				 .comp = JITSIM_TCAP_RESULT_LAST,
				 .op = JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				 .invoke_id = 1};

		/* jitsim-cp's dtid: to jitsim-cp, unchanged. */
		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_TO_CP);
		assert_memory_equal(f->out.data, f->buf, f->len);
		assert_int_equal(f->out.sim_state, JITSIM_FTA_STATE_NONE);
		assert_int_equal(f->out.imsi, 0);
		/* Also by PC routing. */
		s.called = addr_pc(true, OWN_PC, 6);
		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_TO_CP);

		/* Not jitsim-cp's: a relayed dialogue, to the default HLR. */
		s.dtid = 0x11000102;
		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);
		out_sccp(f, &out);
		assert_true(out.called.route_on_ssn == false);
		assert_string_equal(out.called.digits.d, DEF_HLR_GT);
		assert_int_equal(f->out.dpc, DEF_HLR_PC);

		/* A 3-octet tid is never jitsim-cp's. */
		s.dtid = 0xcf0001;
		s.tid_len = 3;
		s.otid = 0x0a0b0c;
		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_HLR);

		/* A VLR tid with the tag, addressed to the VLR: relayed, not cp's. */
		s.tid_len = 0;
		s.otid = 0x0a0b0c0d;
		s.dtid = 0xcf000102;
		s.called = addr_pc(true, VLR_PC, 7);
		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_BACK);
		assert_int_equal(f->out.dpc, VLR_PC);
	}
	assert_int_equal(f->f.st.to_cp_dialogue, 6);
	assert_int_equal(f->f.st.back_pc, 3);

	f->cfg.default_hlr.set = false;
	{
		struct spec s = {.called = addr_gt(OWN_GT, 6),
				 .calling = addr_gt(VLR_GT, 7),
				 .tcap_type = JITSIM_TCAP_END,
				 .dtid = 0x11000102,
				 .comp = JITSIM_TCAP_RESULT_LAST,
				 .invoke_id = 1};

		assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
		assert_int_equal(d, JITSIM_FTA_DROP_DIALOGUE_NO_ROUTE);
	}
}

/* ---- relayed as addressed ---- */

static void
test_relay_back(void **state)
{
	struct fx *f = *state;
	struct spec s = {.called = addr_pc(true, VLR_PC, 7),
			 .calling = addr_gt(HLR1_GT, 6),
			 .tcap_type = JITSIM_TCAP_END,
			 .dtid = 0x11223344,
			 .comp = JITSIM_TCAP_RESULT_LAST,
			 .invoke_id = 5};
	struct jitsim_sccp in, out;
	enum jitsim_fta_drop d;

	/* The HLR's answer to a VLR's PC: DPC = that PC, called and calling kept. */
	build(f, &s);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_BACK);
	out_sccp(f, &out);
	assert_addr_equal(&out.called, &in.called);
	assert_addr_equal(&out.calling, &in.calling);
	assert_memory_equal(out.data, in.data, in.data_len);
	assert_int_equal(f->out.opc, OWN_PC);
	assert_int_equal(f->out.dpc, VLR_PC);
	/* The whole message is the same bytes. */
	assert_int_equal(f->out.len, f->len);
	assert_memory_equal(f->out.data, f->buf, f->len);

	/* To the VLR's GT: the default route. */
	s.called = addr_gt(VLR_GT, 7);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_BACK);
	assert_int_equal(f->out.dpc, STP_PC);
	/* The VLR continuing to HLR 1's GT: to HLR 1, counted for region 1. */
	s.called = addr_gt(HLR1_GT, 6);
	s.calling = addr_gt(VLR_GT, 7);
	s.tcap_type = JITSIM_TCAP_CONTINUE;
	s.otid = 0x99;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_RELAY_BACK);
	assert_int_equal(f->out.dpc, HLR1_PC);
	assert_int_equal(f->f.st.region[1], 1);
	/* A GT that is not the HLR's, no default route: dropped. */
	f->cfg.has_default_route = false;
	s.called = addr_gt(VLR_GT, 7);
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NO_ROUTE);
	assert_int_equal(f->f.st.back_pc, 1);
	assert_int_equal(f->f.st.back_default, 1);
	assert_int_equal(f->f.st.back_hlr_gt, 1);
}

/* Append an optional part to the XUDT in f->buf (built with none). */
static void
xudt_add_opt(struct fx *f, const uint8_t *opt, size_t n)
{
	assert_int_equal(f->buf[0], JITSIM_SCCP_XUDT);
	assert_int_equal(f->buf[6], 0);
	f->buf[6] = (uint8_t)(f->len - 6);
	memcpy(f->buf + f->len, opt, n);
	f->len += n;
}

static void
test_xudt(void **state)
{
	struct fx *f = *state;
	/* Segmentation (single segment: F bit, 0 remaining), importance 3, EOP. */
	static const uint8_t opt1[] = {0x10, 4, 0x80, 1, 2, 3, 0x12, 1, 3, 0};
	/* Segmentation: first of three. */
	static const uint8_t opt3[] = {0x10, 4, 0x82, 7, 8, 9, 0};
	struct spec s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	struct jitsim_sccp in, out;
	enum jitsim_fta_drop d;

	s.sccp_type = JITSIM_SCCP_XUDT;
	build(f, &s);
	xudt_add_opt(f, opt1, sizeof(opt1));
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_HLR);
	out_sccp(f, &out);
	assert_int_equal(out.msg_type, JITSIM_SCCP_XUDT);
	assert_int_equal(out.hop_counter, in.hop_counter - 1);
	assert_true(out.has_segmentation);
	assert_int_equal(out.seg_local_ref, 0x030201);
	/* The optional part is copied as is, at the end. */
	assert_memory_equal(f->out.data + f->out.len - sizeof(opt1), opt1, sizeof(opt1));
	assert_string_equal(out.called.digits.d, HLR1_GT);
	assert_memory_equal(out.data, in.data, in.data_len);

	/* Hop counter used up. */
	f->buf[2] = 1;
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_HOP_COUNTER);

	/* A segment: for us, dropped; for someone else, relayed on its called party. */
	build(f, &s);
	xudt_add_opt(f, opt3, sizeof(opt3));
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_SEGMENTED);
	s.called = addr_pc(true, VLR_PC, 7);
	build(f, &s);
	xudt_add_opt(f, opt3, sizeof(opt3));
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_BACK);
	out_sccp(f, &out);
	assert_true(out.has_segmentation);
	assert_int_equal(out.seg_remaining, 2);
	assert_int_equal(f->out.dpc, VLR_PC);
}

static void
test_returned(void **state)
{
	struct fx *f = *state;
	struct spec s = {.called = addr_gt(VLR_GT, 7),
			 .calling = addr_gt(OWN_GT, 6),
			 .otid = 0xcf000777,
			 .ac = 2,
			 .version = 3,
			 .op = JITSIM_MAP_OP_CANCEL_LOCATION,
			 .invoke_id = 1,
			 .imsi = IMSI_ACT1};
	enum jitsim_fta_drop d;
	struct jitsim_sccp out;

	/* jitsim-cp's CancelLocation Begin, returned by SCCP to our GT: an UDTS
	 * has the UDT's layout with the cause in place of the class. */
	s.called = addr_gt(OWN_GT, 6);
	s.calling = addr_gt(VLR_GT, 7);
	build(f, &s);
	f->buf[0] = JITSIM_SCCP_UDTS;
	f->buf[1] = 1; /* no translation for an address of such nature */
	assert_int_equal(run(f, &d), JITSIM_FTA_TO_CP);
	assert_int_equal(f->f.st.returned, 1);
	/* Not jitsim-cp's: nothing to do with it. */
	s.otid = 0x12000777;
	build(f, &s);
	f->buf[0] = JITSIM_SCCP_UDTS;
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_RETURNED);
	/* Returned to someone else: relayed as addressed, still an UDTS. */
	s.called = addr_pc(true, VLR_PC, 7);
	build(f, &s);
	f->buf[0] = JITSIM_SCCP_UDTS;
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_BACK);
	out_sccp(f, &out);
	assert_int_equal(out.msg_type, JITSIM_SCCP_UDTS);
	assert_int_equal(out.cause, f->buf[1]);
}

static void
test_malformed(void **state)
{
	struct fx *f = *state;
	struct spec s = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	/* LUDT (Q.713 4.20): type, class, hops, four 2-octet pointers. */
	static const uint8_t ludt[] = {0x13, 0x00, 0x0f, 0x08, 0x00, 0x08, 0x00,
				       0x08, 0x00, 0x00, 0x00, 0x02, 0x42, 0x06,
				       0x02, 0x42, 0x07, 0x02, 0x00, 0x01, 0x02};
	struct jitsim_fta_in in = {.opc = VLR_PC, .dpc = OWN_PC, .si = 3, .data = f->buf};
	enum jitsim_fta_drop d;

	build(f, &s);
	in.len = f->len;
	in.si = 5; /* ISUP */
	assert_int_equal(jitsim_fta_process(&f->f, &in, T0, &f->out, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_NOT_SCCP);
	in.si = 3;
	in.data = NULL;
	in.len = 0;
	assert_int_equal(jitsim_fta_process(&f->f, &in, T0, &f->out, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_SCCP);
	assert_int_equal(f->f.st.codec[JITSIM_R_TRUNCATED], 1);

	memcpy(f->buf, ludt, sizeof(ludt));
	f->len = sizeof(ludt);
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_true(d == JITSIM_FTA_DROP_SCCP_UNSUPPORTED || d == JITSIM_FTA_DROP_SCCP);

	/* TCAP garbage (UDT: the data pointer is octet 4, the TCAP tag follows
	 * the length octet) to our address or to an MGT: dropped; to an
	 * HLR's GT: relayed there on the called party alone. */
	s.called = addr_gt(OWN_GT, 6);
	build(f, &s);
	f->buf[4 + f->buf[4] + 1] = 0x30;
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_TCAP);
	s.called = addr_gt(MGT, 6);
	build(f, &s);
	f->buf[4 + f->buf[4] + 1] = 0x30;
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_TCAP);
	s.called = addr_gt(HLR1_GT, 6);
	build(f, &s);
	f->buf[4 + f->buf[4] + 1] = 0x30;
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_BACK);
	assert_int_equal(f->out.dpc, HLR1_PC);
	assert_true(f->f.st.codec[JITSIM_R_TCAP_UNSUPPORTED] + f->f.st.codec[JITSIM_R_TCAP_BAD] +
			    f->f.st.codec[JITSIM_R_BER_BAD] >=
		    3);
}

/*
 * An XUDT whose optional-part pointer is 10 + @data_len (Q.713 4.18):
 * called = the VLR's PC, calling = SSN 7 without a PC, @data_len octets
 * of user data (not looked at: not for us), then Importance and EOP.
 */
static void
build_xudt_raw(struct fx *f, size_t data_len)
{
	static const uint8_t head[] = {
		JITSIM_SCCP_XUDT,	0x01, 15, 4,	8, 10, 0, 4, 0x43, (uint8_t)VLR_PC,
		(uint8_t)(VLR_PC >> 8), 7,    2,  0x42, 7};
	static const uint8_t opt[] = {0x12, 1, 3, 0};
	size_t n = sizeof(head);

	memcpy(f->buf, head, n);
	f->buf[6] = (uint8_t)(10 + data_len);
	f->buf[n++] = (uint8_t)data_len;
	for (size_t i = 0; i < data_len; i++)
		f->buf[n++] = (uint8_t)i;
	memcpy(f->buf + n, opt, sizeof(opt));
	f->len = n + sizeof(opt);
}

static void
test_too_big(void **state)
{
	struct fx *f = *state;
	struct jitsim_sccp in, out;
	enum jitsim_fta_drop d;

	/* The PC inserted into the calling party moves the optional part 2
	 * octets on: pointer 252 + 2 still fits its octet ... */
	build_xudt_raw(f, 242);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_BACK);
	out_sccp(f, &out);
	assert_int_equal(out.calling.pc, VLR_PC);
	assert_int_equal(out.data_len, 242);
	assert_memory_equal(out.data, in.data, 242);
	assert_int_equal(f->out.data[6], 254);
	/* ... 254 + 2 does not. */
	build_xudt_raw(f, 244);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_TOO_BIG);
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DROP_TOO_BIG], 1);
}

/* Q.713 2.3 pointers must not wrap: a UDT with its data first and a
 * 250-octet calling party (GT with encoding scheme 0, digits not
 * interpreted) would, relayed with a shorter HLR address, get a data
 * pointer past 255 that wraps into the calling party's bytes. */
static void
test_pointer_wrap(void **state)
{
	struct fx *f = *state;
	struct spec sp = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	struct jitsim_sccp in;
	uint8_t called[32], msg[600];
	size_t called_len, n = 5, i;
	enum jitsim_fta_drop d;

	build(f, &sp);
	assert_int_equal(jitsim_sccp_decode(f->buf, f->len, &in), JITSIM_R_OK);
	assert_int_equal(run(f, &d), JITSIM_FTA_RELAY_HLR);
	/* The called party as encoded: its pointer counts from octet 2. */
	called_len = f->buf[2 + f->buf[2]];
	assert_true(called_len < sizeof(called));
	memcpy(called, f->buf + 2 + f->buf[2] + 1, called_len);

	msg[0] = JITSIM_SCCP_UDT;
	msg[1] = 0x81;
	msg[4] = (uint8_t)(n - 4); /* data first */
	msg[n++] = (uint8_t)in.data_len;
	memcpy(msg + n, in.data, in.data_len);
	n += in.data_len;
	msg[2] = (uint8_t)(n - 2);
	msg[n++] = (uint8_t)called_len;
	memcpy(msg + n, called, called_len);
	n += called_len;
	msg[3] = (uint8_t)(n - 3);
	msg[n++] = 250;
	msg[n++] = 0x12; /* GTI 4, SSN present, route on GT */
	msg[n++] = 7;
	msg[n++] = 0;
	msg[n++] = 0x10; /* numbering plan 1, encoding scheme 0 */
	msg[n++] = 4;
	for (i = 0; i < 245; i++)
		msg[n++] = (uint8_t)(0x30 + i % 10);
	assert_int_equal(jitsim_sccp_decode(msg, n, &in), JITSIM_R_OK);
	memcpy(f->buf, msg, n);
	f->len = n;
	assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_TOO_BIG);
}

/* A continuation of jitsim-cp's dialogue still addressed to the MGT the
 * VLR began with goes to jitsim-cp; any other continuation to an MGT is
 * dropped, never sent on the default route (the STP would send it back:
 * a loop with no hop counter). */
static void
test_mgt_continuation(void **state)
{
	struct fx *f = *state;
	struct spec s = {.called = addr_gt(MGT, 6),
			 .calling = addr_gt(VLR_GT, 7),
			 .tcap_type = JITSIM_TCAP_CONTINUE,
			 .otid = 0x0a0b0c0d,
			 .dtid = 0xcf000102,
			 .comp = JITSIM_TCAP_RESULT_LAST,
			 .op = JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
			 .invoke_id = 1};
	enum jitsim_fta_drop d;

	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_TO_CP);
	s.dtid = 0x11000102;
	assert_int_equal(run_spec(f, &s, &d), JITSIM_FTA_DROP);
	assert_int_equal(d, JITSIM_FTA_DROP_DIALOGUE_NO_ROUTE);
}

/* ---- fuzz ---- */

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	/* xorshift64*: deterministic, so a failure reproduces. */
	rng ^= rng >> 12;
	rng ^= rng << 25;
	rng ^= rng >> 27;
	return (uint32_t)((rng * 0x2545f4914f6cdd1dull) >> 32);
}

/* Whatever comes in: a named verdict; a named drop; an output that decodes. */
static void
check_any(struct fx *f, const uint8_t *p, size_t len)
{
	uint8_t *c = malloc(len ? len : 1);
	enum jitsim_fta_drop d = JITSIM_FTA_DROP_MAX;
	enum jitsim_fta_verdict v;
	struct jitsim_sccp s;

	assert_non_null(c);
	memcpy(c, p, len);
	v = run_buf(f, c, len, &d);
	free(c);
	assert_true((unsigned int)v < JITSIM_FTA_VERDICT_MAX);
	if (v == JITSIM_FTA_DROP) {
		assert_true(d > JITSIM_FTA_DROP_NONE && d < JITSIM_FTA_DROP_MAX);
		return;
	}
	assert_int_equal(d, JITSIM_FTA_DROP_NONE);
	assert_true(f->out.len > 0 && f->out.len <= JITSIM_SIG_DATA_MAX);
	if (v == JITSIM_FTA_TO_CP) {
		assert_int_equal(f->out.len, len);
		assert_memory_equal(f->out.data, p, len);
		return;
	}
	assert_int_equal(f->out.opc, OWN_PC);
	assert_true(f->out.dpc != OWN_PC);
	assert_int_equal(jitsim_sccp_decode(f->out.data, f->out.len, &s), JITSIM_R_OK);
}

static void
test_fuzz(void **state)
{
	struct fx *f = *state;
	static const uint8_t opt1[] = {0x10, 4, 0x80, 1, 2, 3, 0x12, 1, 3, 0};
	struct spec specs[16];
	unsigned int n = 0, drops = 0, total = 0;
	uint8_t orig[1024], mut[1024];

	specs[n++] = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	specs[n++] = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_ACT2);
	specs[n++] = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_INV);
	specs[n++] = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_LOCKED);
	specs[n++] = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_UNKNOWN);
	specs[n] = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_ACT1);
	specs[n].called = addr_pc(true, OWN_PC, 6);
	specs[n++].calling = addr_pc(false, 0, 7);
	specs[n] = begin(JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, IMSI_ACT1);
	specs[n++].sccp_type = JITSIM_SCCP_XUDT;
	specs[n] = begin(JITSIM_MAP_OP_UPDATE_LOCATION, IMSI_BLOCKED);
	specs[n++].version = 0;
	specs[n++] = (struct spec){.called = addr_gt(OWN_GT, 6),
				   .calling = addr_gt(VLR_GT, 7),
				   .tcap_type = JITSIM_TCAP_CONTINUE,
				   .otid = 0x0a0b0c0d,
				   .dtid = 0xcf000102,
				   .comp = JITSIM_TCAP_RESULT_LAST,
				   .invoke_id = 1};
	specs[n++] = (struct spec){.called = addr_pc(true, VLR_PC, 7),
				   .calling = addr_gt(HLR1_GT, 6),
				   .tcap_type = JITSIM_TCAP_END,
				   .dtid = 0x11223344,
				   .comp = JITSIM_TCAP_RESULT_LAST,
				   .invoke_id = 5};
	specs[n++] = (struct spec){.called = addr_gt(OWN_GT, 6),
				   .calling = addr_gt(VLR_GT, 7),
				   .tcap_type = JITSIM_TCAP_END,
				   .dtid = 0x11000102,
				   .comp = JITSIM_TCAP_ERROR,
				   .op = 1,
				   .invoke_id = 1};

	f->cfg.unknown = JITSIM_FTA_UNKNOWN_RELAY;
	for (unsigned int i = 0; i < n; i++) {
		size_t len;

		build(f, &specs[i]);
		if (specs[i].sccp_type == JITSIM_SCCP_XUDT)
			xudt_add_opt(f, opt1, sizeof(opt1));
		len = f->len;
		memcpy(orig, f->buf, len);
		check_any(f, orig, len);
		/* Every truncation: dropped, with a reason. */
		for (size_t l = 0; l < len; l++) {
			enum jitsim_fta_drop d;

			memcpy(f->buf, orig, l);
			f->len = l;
			assert_int_equal(run(f, &d), JITSIM_FTA_DROP);
			assert_true(d > JITSIM_FTA_DROP_NONE && d < JITSIM_FTA_DROP_MAX);
			drops++;
		}
		/* Every single-bit flip. */
		for (size_t b = 0; b < len * 8; b++) {
			memcpy(mut, orig, len);
			mut[b / 8] ^= (uint8_t)(1u << (b % 8));
			check_any(f, mut, len);
			total++;
		}
		/* Random multi-octet damage, random lengths. */
		for (unsigned int k = 0; k < 3000; k++) {
			size_t l = len - rnd() % 4 + rnd() % 4;

			if (l > sizeof(mut))
				l = sizeof(mut);
			memcpy(mut, orig, len);
			for (size_t j = len; j < l; j++)
				mut[j] = (uint8_t)rnd();
			for (unsigned int m = 1 + rnd() % 4; m > 0; m--)
				mut[rnd() % l] = (uint8_t)rnd();
			check_any(f, mut, l);
			total++;
		}
	}
	/* Counters add up. */
	{
		uint64_t sum = 0, dsum = 0;

		for (unsigned int v = 0; v < JITSIM_FTA_VERDICT_MAX; v++)
			sum += f->f.st.verdict[v];
		for (unsigned int d = 0; d < JITSIM_FTA_DROP_MAX; d++)
			dsum += f->f.st.drop[d];
		assert_int_equal(sum, f->f.st.msgs);
		assert_int_equal(dsum, f->f.st.verdict[JITSIM_FTA_DROP]);
		assert_int_equal(f->f.st.drop[JITSIM_FTA_DROP_NONE], 0);
	}
	print_message("fuzz: %u messages, %u truncations dropped, %u mutations\n", n, drops, total);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_pc_parse),
		cmocka_unit_test_setup_teardown(test_cfg_check, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_active_gt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_pointer_wrap, setup, teardown),
		cmocka_unit_test_setup_teardown(test_mgt_continuation, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_active_pc, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_active_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_by_msisdn, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_cp_states, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_hlr_op, setup, teardown),
		cmocka_unit_test_setup_teardown(test_dialogue, setup, teardown),
		cmocka_unit_test_setup_teardown(test_relay_back, setup, teardown),
		cmocka_unit_test_setup_teardown(test_xudt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_returned, setup, teardown),
		cmocka_unit_test_setup_teardown(test_malformed, setup, teardown),
		cmocka_unit_test_setup_teardown(test_too_big, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
