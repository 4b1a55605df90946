/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The S6a verdict of the workers (dataplane/fta/fta_diam.h) against a real
 * IMSI table holding a SIM in every state, with AIR/ULR/PUR/NOR built by
 * the codec library's S6a encoders: every verdict and the record fields of
 * each, every answer decoded again (Result-Code or Experimental-Result, E
 * bit, Failed-AVP, Redirect-Host, hop-by-hop and end-to-end ids, Session-Id
 * and Proxy-Info echoed, Origin-Host ours), the config check, sizes at the
 * record's limit, and every truncation and 20,000 random corruptions of
 * each message (under ASan: nothing read outside the exact-size input;
 * every answer decodes; every drop named).
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

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/s6a_fta.h>
#include <jitsim/sim.h>

#include "fta_diam.h"

#define T0 1764115200u
#define LCORE 3
#define PEER 5
#define CONN 0x80000007u /* diamio's connection number: copied to dpc, high bit too */
#define OUR_HOST "hss.jitsim.example"
#define OUR_REALM "jitsim.example"
#define OUR_STATE_ID 1764000000u
#define HSS1_HOST "hss1.region1.example"
#define HSS2_HOST "hss2.region2.example"
#define MME_HOST "mme1.epc.mnc001.mcc001.3gppnetwork.org"
#define MME_REALM "epc.mnc001.mcc001.3gppnetwork.org"
#define SESSION "mme1.epc;1764115200;42;s6a"
#define HBH 0x01020304u
#define E2E 0xa0b0c0d0u

/* One IMSI per state; ACTIVE in region 1 (HSS), 2 (HSS, the default) and 3 (none). */
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

struct fx {
	struct jitsim_table_imsi *imsi;
	struct jitsim_fta_diam_cfg cfg;
	struct jitsim_fta_diam f;
	struct jitsim_sig_msg out;
	uint8_t buf[4096];
	size_t len;
};

static uint64_t
key(const char *s)
{
	uint64_t k = jitsim_digits_key_str(s);

	assert_true(k != 0);
	return k;
}

static void
put_sim(struct fx *f, const char *imsi, unsigned int state, uint16_t region)
{
	struct jitsim_table_sim e = {.imsi = key(imsi),
				     .sw = jitsim_table_sw_make(state, 0, 0),
				     .tenant = 1,
				     .region = region};

	assert_int_equal(jitsim_table_imsi_put(f->imsi, &e), 0);
}

static int
setup(void **state)
{
	struct fx *f = calloc(1, sizeof(*f));
	char err[128];

	assert_non_null(f);
	urcu_qsbr_register_thread();
	f->imsi = jitsim_table_imsi_create(0);
	assert_non_null(f->imsi);
	put_sim(f, IMSI_INV, JITSIM_SIM_INVENTORY, 1);
	put_sim(f, IMSI_ACTIVATING, JITSIM_SIM_ACTIVATING, 1);
	put_sim(f, IMSI_ACT1, JITSIM_SIM_ACTIVE, 1);
	put_sim(f, IMSI_ACT2, JITSIM_SIM_ACTIVE, 2);
	put_sim(f, IMSI_ACT3, JITSIM_SIM_ACTIVE, 3);
	put_sim(f, IMSI_SLEEP, JITSIM_SIM_SLEEPING, 2);
	put_sim(f, IMSI_REACT, JITSIM_SIM_REACTIVATING, 2);
	put_sim(f, IMSI_LOCKED, JITSIM_SIM_LOCKED, 1);
	put_sim(f, IMSI_BLOCKED, JITSIM_SIM_BLOCKED, 2);
	put_sim(f, IMSI_RETIRED, JITSIM_SIM_RETIRED, 1);

	jitsim_fta_diam_cfg_init(&f->cfg);
	strcpy(f->cfg.origin_host, OUR_HOST);
	strcpy(f->cfg.origin_realm, OUR_REALM);
	f->cfg.has_hss[1] = true;
	strcpy(f->cfg.hss_host[1], HSS1_HOST);
	f->cfg.has_hss[2] = true;
	strcpy(f->cfg.hss_host[2], HSS2_HOST);
	f->cfg.default_hss = 2;
	assert_int_equal(jitsim_fta_diam_cfg_check(&f->cfg, err, sizeof(err)), 0);
	jitsim_fta_diam_init(&f->f, &f->cfg, f->imsi, LCORE);
	*state = f;
	return 0;
}

static int
teardown(void **state)
{
	struct fx *f = *state;

	jitsim_table_imsi_free(f->imsi);
	urcu_qsbr_unregister_thread();
	free(f);
	return 0;
}

/* ---- requests ---- */

/* @cmd for @imsi as an MME sends it (jitsim_s6a_encode()) into f->buf. */
static void
build(struct fx *f, uint32_t cmd, const char *imsi)
{
	struct jitsim_s6a_msg m = {
		.cmd = cmd,
		.is_request = true,
		.hbh = HBH,
		.e2e = E2E,
		.session_id = SESSION,
		.origin_host = MME_HOST,
		.origin_realm = MME_REALM,
		.dest_realm = OUR_REALM,
		.imsi = imsi,
		.visited_plmn = "00101",
		.rat_type = JITSIM_S6A_RAT_EUTRAN,
		.ulr_flags = JITSIM_S6A_ULR_S6A_S6D_INDICATOR | JITSIM_S6A_ULR_INITIAL_ATTACH_IND,
		.imei = cmd == JITSIM_S6A_CMD_ULR ? "35609204079301" : NULL,
		.n_vectors = cmd == JITSIM_S6A_CMD_AIR ? 1 : 0,
		.dest_host =
			cmd == JITSIM_S6A_CMD_CLR || cmd == JITSIM_S6A_CMD_IDR ? MME_HOST : NULL};
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, f->buf, sizeof(f->buf), 0);
	assert_int_equal(jitsim_s6a_encode(&w, &m), JITSIM_R_OK);
	f->len = jitsim_wbuf_len(&w);
}

/* An AIR with Re-Synchronization-Info (jitsim_s6a_fta_air_encode()). */
static void
build_air_resync(struct fx *f, const char *imsi)
{
	const struct jitsim_s6a_fta_origin mme = {.host = MME_HOST, .realm = MME_REALM};
	struct jitsim_digits d;
	struct jitsim_s6a_fta_air_req m = {.hbh = HBH,
					   .e2e = E2E,
					   .session_id = SESSION,
					   .dest_realm = OUR_REALM,
					   .imsi = &d,
					   .visited_plmn = "00101",
					   .eutran = {.n_requested = 2, .has_resync = true}};
	struct jitsim_wbuf w;

	jitsim_digits_set(&d, imsi);
	memset(m.eutran.rand, 0x5a, sizeof(m.eutran.rand));
	memset(m.eutran.auts, 0xa5, sizeof(m.eutran.auts));
	jitsim_wbuf_init(&w, f->buf, sizeof(f->buf), 0);
	assert_int_equal(jitsim_s6a_fta_air_encode(&w, &mme, &m), JITSIM_R_OK);
	f->len = jitsim_wbuf_len(&w);
}

/*
 * A request AVP by AVP, for what the encoders refuse to write: @user_name
 * NULL omits it; @n_user_name copies of it; @n_proxy Proxy-Info AVPs;
 * @session NULL omits Session-Id; @pad_len octets of an unknown optional
 * AVP (to reach a size).
 */
struct raw_spec {
	uint32_t cmd;
	uint32_t app_id;
	uint8_t flags;
	const char *session;
	const char *user_name;
	unsigned int n_user_name;
	unsigned int n_proxy;
	size_t pad_len;
	bool no_auth_session_state;
};

static void
build_raw(struct fx *f, const struct raw_spec *s)
{
	static uint8_t pad[4096];
	struct jitsim_diam_hdr h = {.flags = s->flags ? s->flags : JITSIM_DIAM_FLAG_R,
				    .cmd = s->cmd ? s->cmd : JITSIM_S6A_CMD_AIR,
				    .app_id = s->app_id ? s->app_id : JITSIM_S6A_APP_ID,
				    .hbh = HBH,
				    .e2e = E2E};
	struct jitsim_wbuf w;
	size_t start, g;

	memset(pad, 'x', sizeof(pad));
	jitsim_wbuf_init(&w, f->buf, sizeof(f->buf), 0);
	assert_int_equal(jitsim_diam_encode_hdr(&w, &h, &start), JITSIM_R_OK);
	if (s->session != NULL)
		assert_int_equal(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_SESSION_ID,
							    JITSIM_DIAM_AVP_M, 0, s->session),
				 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_vsai(&w, JITSIM_DIAM_VENDOR_3GPP, JITSIM_S6A_APP_ID),
			 JITSIM_R_OK);
	if (!s->no_auth_session_state)
		assert_int_equal(jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_AUTH_SESSION_STATE,
							    JITSIM_DIAM_AVP_M, 0, 1),
				 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M,
						    0, MME_HOST),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M,
						    0, MME_REALM),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_DESTINATION_REALM,
						    JITSIM_DIAM_AVP_M, 0, OUR_REALM),
			 JITSIM_R_OK);
	for (unsigned int i = 0; s->user_name != NULL && i < (s->n_user_name ? s->n_user_name : 1);
	     i++)
		assert_int_equal(jitsim_diam_encode_avp_str(&w, JITSIM_AVP_USER_NAME,
							    JITSIM_DIAM_AVP_M, 0, s->user_name),
				 JITSIM_R_OK);
	if (s->pad_len)
		assert_int_equal(jitsim_diam_encode_avp(&w, 99999, 0, 0, pad, s->pad_len),
				 JITSIM_R_OK);
	for (unsigned int i = 0; i < s->n_proxy; i++) {
		char host[32];

		/* RFC 6733 6.7.2: Proxy-Info { Proxy-Host } { Proxy-State }. */
		snprintf(host, sizeof(host), "dra%u.example", i);
		assert_int_equal(jitsim_diam_encode_group_begin(&w, JITSIM_AVP_PROXY_INFO,
								JITSIM_DIAM_AVP_M, 0, &g),
				 JITSIM_R_OK);
		assert_int_equal(jitsim_diam_encode_avp_str(&w, 280, JITSIM_DIAM_AVP_M, 0, host),
				 JITSIM_R_OK);
		assert_int_equal(jitsim_diam_encode_avp(&w, 33, JITSIM_DIAM_AVP_M, 0, "st", 2),
				 JITSIM_R_OK);
		jitsim_diam_encode_group_end(&w, g);
	}
	jitsim_diam_encode_finish(&w, start);
	f->len = jitsim_wbuf_len(&w);
}

static enum jitsim_fta_diam_verdict
run_flags(struct fx *f, uint8_t flags, unsigned int *d)
{
	/* Exact-size copy: ASan sees a read one past the message. */
	uint8_t *p = malloc(f->len ? f->len : 1);
	struct jitsim_fta_diam_in in = {.len = f->len, .peer = PEER, .flags = flags, .conn = CONN};
	enum jitsim_fta_diam_verdict v;

	assert_non_null(p);
	memcpy(p, f->buf, f->len);
	in.msg = p;
	memset(&f->out, 0xee, sizeof(f->out));
	v = jitsim_fta_diam_process(&f->f, &in, T0, &f->out, d);
	free(p);
	return v;
}

static enum jitsim_fta_diam_verdict
run(struct fx *f, unsigned int *d)
{
	return run_flags(f, 0, d);
}

/* ---- checks ---- */

/* What every record but a drop holds; @state JITSIM_FTA_STATE_NONE: no entry. */
static void
assert_record(struct fx *f, uint8_t kind, const char *imsi, unsigned int state, uint16_t region)
{
	const struct jitsim_sig_msg *o = &f->out;

	assert_int_equal(o->kind, kind);
	assert_int_equal(o->assoc, PEER);
	assert_int_equal(o->dpc, CONN);
	assert_int_equal(o->lcore, LCORE);
	assert_int_equal(o->ts_s, T0);
	assert_int_equal(o->imsi, imsi != NULL ? key(imsi) : 0);
	assert_int_equal(o->sim_state, state);
	assert_int_equal(o->region, region);
	assert_int_equal(o->opc, 0);
	assert_int_equal(o->si, 0);
	assert_int_equal(o->ni, 0);
	assert_int_equal(o->mp, 0);
	assert_int_equal(o->sls, 0);
	assert_true(o->len > 0 && o->len <= JITSIM_SIG_DATA_MAX);
}

/* The request unchanged in the record. */
static void
assert_request_copied(struct fx *f)
{
	assert_int_equal(f->out.len, f->len);
	assert_memory_equal(f->out.data, f->buf, f->len);
}

/* An answer decoded again. */
struct ans {
	struct jitsim_diam_hdr h;
	struct jitsim_s6a s;
	bool has_failed;
	struct jitsim_diam_avp failed; /* Failed-AVP's inside */
	bool has_redirect;
	char redirect[160];
	uint32_t redirect_usage;
	bool has_state_id;
	uint32_t state_id;
	unsigned int n_proxy;
};

static void
decode_answer(struct fx *f, struct ans *a)
{
	const uint8_t *p = f->out.data;
	struct jitsim_diam_avp_iter it, inner;
	struct jitsim_diam_avp avp, extra;

	memset(a, 0, sizeof(*a));
	assert_int_equal(jitsim_diam_decode_hdr(p, f->out.len, &a->h), JITSIM_R_OK);
	assert_int_equal(a->h.length, f->out.len);
	assert_int_equal(jitsim_s6a_decode(p, f->out.len, &a->s), JITSIM_R_OK);
	jitsim_diam_avp_iter_init(&it, a->h.avps, a->h.avps_len);
	while (jitsim_diam_avp_next(&it, &avp) == JITSIM_R_OK) {
		if (avp.vendor != 0)
			continue;
		switch (avp.code) {
		case JITSIM_AVP_FAILED_AVP:
			assert_false(a->has_failed);
			a->has_failed = true;
			/* RFC 6733 7.5: exactly one AVP inside. */
			jitsim_diam_avp_iter_init(&inner, avp.data, avp.data_len);
			assert_int_equal(jitsim_diam_avp_next(&inner, &a->failed), JITSIM_R_OK);
			assert_int_equal(jitsim_diam_avp_next(&inner, &extra), JITSIM_R_END);
			break;
		case 292: /* Redirect-Host */
			assert_false(a->has_redirect);
			assert_true(avp.flags & JITSIM_DIAM_AVP_M);
			assert_true(avp.data_len < sizeof(a->redirect));
			memcpy(a->redirect, avp.data, avp.data_len);
			a->redirect[avp.data_len] = '\0';
			a->has_redirect = true;
			break;
		case 261: /* Redirect-Host-Usage */
			assert_int_equal(jitsim_diam_avp_u32(&avp, &a->redirect_usage),
					 JITSIM_R_OK);
			break;
		case JITSIM_AVP_ORIGIN_STATE_ID:
			a->has_state_id = true;
			assert_int_equal(jitsim_diam_avp_u32(&avp, &a->state_id), JITSIM_R_OK);
			break;
		case JITSIM_AVP_PROXY_INFO:
			a->n_proxy++;
			break;
		default:
			break;
		}
	}
}

static bool
str_is(const struct jitsim_s6a_str *s, const char *want)
{
	return s->p != NULL && s->len == strlen(want) && memcmp(s->p, want, s->len) == 0;
}

/*
 * An answer to the request in f->buf, as any answer must be (RFC 6733 6.2,
 * TS 29.272 7.1): R clear, command, application, hbh and e2e copied,
 * Session-Id echoed, Origin-Host/Realm ours, Auth-Session-State.
 */
static void
assert_answer(struct fx *f, struct ans *a)
{
	struct jitsim_diam_hdr rh;
	struct jitsim_s6a rs;

	decode_answer(f, a);
	assert_int_equal(jitsim_diam_decode_hdr(f->buf, f->len, &rh), JITSIM_R_OK);
	assert_int_equal(jitsim_s6a_decode(f->buf, f->len, &rs), JITSIM_R_OK);
	assert_false(a->h.flags & JITSIM_DIAM_FLAG_R);
	assert_int_equal(a->h.cmd, rh.cmd);
	assert_int_equal(a->h.app_id, rh.app_id);
	assert_int_equal(a->h.hbh, rh.hbh);
	assert_int_equal(a->h.e2e, rh.e2e);
	assert_int_equal(a->h.flags & JITSIM_DIAM_FLAG_P, rh.flags & JITSIM_DIAM_FLAG_P);
	if (rs.session_id.p != NULL) {
		assert_non_null(a->s.session_id.p);
		assert_int_equal(a->s.session_id.len, rs.session_id.len);
		assert_memory_equal(a->s.session_id.p, rs.session_id.p, rs.session_id.len);
	}
	assert_true(str_is(&a->s.origin_host, OUR_HOST));
	assert_true(str_is(&a->s.origin_realm, OUR_REALM));
	assert_false(a->s.has_user_name);
	assert_int_equal(a->has_state_id, f->cfg.origin_state_id != 0);
	if (a->has_state_id)
		assert_int_equal(a->state_id, f->cfg.origin_state_id);
}

/* An answer with Result-Code @rc (E bit for 3xxx), no Experimental-Result. */
static void
assert_result(struct fx *f, struct ans *a, uint32_t rc)
{
	assert_answer(f, a);
	assert_true(a->s.has_result_code);
	assert_int_equal(a->s.result_code, rc);
	assert_false(a->s.has_exp_result);
	assert_int_equal(!!(a->h.flags & JITSIM_DIAM_FLAG_E), rc >= 3000 && rc < 4000);
}

/* An answer with Experimental-Result {10415, @erc}, no E bit. */
static void
assert_exp_result(struct fx *f, struct ans *a, uint32_t erc)
{
	assert_answer(f, a);
	assert_false(a->s.has_result_code);
	assert_true(a->s.has_exp_result);
	assert_int_equal(a->s.exp_vendor, JITSIM_DIAM_VENDOR_3GPP);
	assert_int_equal(a->s.exp_result_code, erc);
	assert_false(a->h.flags & JITSIM_DIAM_FLAG_E);
	assert_false(a->has_failed);
	assert_false(a->has_redirect);
}

static const uint32_t mme_cmds[] = {JITSIM_S6A_CMD_AIR, JITSIM_S6A_CMD_ULR, JITSIM_S6A_CMD_PUR,
				    JITSIM_S6A_CMD_NOR};
#define N_MME_CMDS (sizeof(mme_cmds) / sizeof(mme_cmds[0]))

/* ---- tests ---- */

static void
test_cfg(void **state)
{
	struct fx *f = *state;
	struct jitsim_fta_diam_cfg c;
	char err[160];

	jitsim_fta_diam_cfg_init(&c);
	assert_int_equal(c.locked_result, 5001);
	assert_int_equal(c.unknown, JITSIM_FTA_DIAM_UNKNOWN_REJECT);
	assert_false(c.redirect);
	assert_int_equal(c.default_hss, -1);
	assert_int_equal(c.origin_state_id, 0);
	for (unsigned int r = 0; r < JITSIM_FTA_REGIONS; r++)
		assert_false(c.has_hss[r]);
	/* No origin yet. */
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "origin_host"));
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, NULL, 0), -EINVAL);

	c = f->cfg;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), 0);
	strcpy(c.origin_host, "has space");
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "origin_host"));
	c = f->cfg;
	memset(c.origin_host, 'a', sizeof(c.origin_host)); /* not terminated */
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "origin_host"));
	c = f->cfg;
	c.origin_realm[0] = '\0';
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "origin_realm"));
	c = f->cfg;
	c.locked_result = 2001;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "locked_result"));
	c.locked_result = 6000;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	c.locked_result = 5420;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), 0);
	c = f->cfg;
	c.has_hss[7] = true;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "region 7"));
	c = f->cfg;
	c.default_hss = 3; /* no HSS in region 3 */
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "default_hss"));
	c.default_hss = 256;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "default_hss"));
	c.default_hss = -2;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	c.default_hss = -1;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), 0);
	c.unknown = JITSIM_FTA_DIAM_UNKNOWN_PROXY;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "unknown"));
	c.default_hss = 1;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), 0);
	c.unknown = (enum jitsim_fta_diam_unknown)7;
	assert_int_equal(jitsim_fta_diam_cfg_check(&c, err, sizeof(err)), -EINVAL);

	/* Names: every value named, out of range too. */
	assert_string_equal(jitsim_fta_diam_verdict_name(JITSIM_FTA_DIAM_PROXY), "PROXY");
	assert_string_equal(jitsim_fta_diam_verdict_name(JITSIM_FTA_DIAM_DROP), "DROP");
	assert_string_equal(jitsim_fta_diam_verdict_name(JITSIM_FTA_DIAM_VERDICT_MAX), "UNKNOWN");
	assert_string_equal(jitsim_fta_diam_drop_name(JITSIM_FTA_DIAM_DROP_OVERSIZE), "OVERSIZE");
	assert_string_equal(jitsim_fta_diam_drop_name(JITSIM_FTA_DIAM_DROP_MAX), "UNKNOWN");
	assert_string_equal(jitsim_fta_diam_answer_name(JITSIM_FTA_DIAM_ANSWER_REDIRECT),
			    "REDIRECT");
	assert_string_equal(jitsim_fta_diam_answer_name(99), "UNKNOWN");
	for (unsigned int i = 0; i < JITSIM_FTA_DIAM_DROP_MAX; i++)
		assert_true(strlen(jitsim_fta_diam_drop_text(i)) > 3);
	for (unsigned int i = 0; i < JITSIM_FTA_DIAM_ANSWER_MAX; i++)
		assert_true(strlen(jitsim_fta_diam_answer_text(i)) > 3);
}

/* ACTIVE: proxied to the region's HSS, or the default's; none: 3002. */
static void
test_proxy(void **state)
{
	struct fx *f = *state;
	unsigned int d = 99;
	struct ans a;

	for (unsigned int i = 0; i < N_MME_CMDS; i++) {
		build(f, mme_cmds[i], IMSI_ACT1);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
		assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
		assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT1, JITSIM_SIM_ACTIVE, 1);
		assert_request_copied(f);
		assert_int_equal(f->out.seq, 0);
		assert_int_equal(f->out.flags, 0);
		assert_int_equal(f->f.st.cmd[mme_cmds[i] - 316], 1);
	}
	assert_int_equal(f->f.st.proxy_region[1], N_MME_CMDS);

	/* Region 2 has its own HSS (which is also the default). */
	build(f, JITSIM_S6A_CMD_ULR, IMSI_ACT2);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT2, JITSIM_SIM_ACTIVE, 2);
	assert_int_equal(f->f.st.proxy_default, 0);

	/* Region 3 has none: the default's (region 2), record region 2. */
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT3);
	assert_int_equal(run_flags(f, JITSIM_SIG_F_DUP, &d), JITSIM_FTA_DIAM_PROXY);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT3, JITSIM_SIM_ACTIVE, 2);
	assert_request_copied(f);
	assert_int_equal(f->out.flags, 0);
	assert_int_equal(f->f.st.proxy_region[2], 2);
	assert_int_equal(f->f.st.proxy_default, 1);
	assert_int_equal(f->f.st.dup, 1);

	/* No default: 3002 with the E bit. */
	f->cfg.default_hss = -1;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT3, JITSIM_SIM_ACTIVE, 3);
	assert_result(f, &a, JITSIM_DIAM_UNABLE_TO_DELIVER);
	assert_false(a.has_failed);
	assert_false(a.has_redirect);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_NO_ROUTE], 1);

	assert_int_equal(f->f.st.msgs, N_MME_CMDS + 3);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_DIAM_PROXY], N_MME_CMDS + 2);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_DIAM_ANSWER], 1);
	assert_int_equal(f->f.st.lookups, N_MME_CMDS + 3);
}

/* redirect = yes: 3006 with the HSS's host instead of proxying. */
static void
test_redirect(void **state)
{
	struct fx *f = *state;
	unsigned int d = 99;
	struct ans a;

	f->cfg.redirect = true;
	f->cfg.origin_state_id = OUR_STATE_ID;
	for (unsigned int i = 0; i < N_MME_CMDS; i++) {
		build(f, mme_cmds[i], IMSI_ACT1);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
		assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
		assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT1, JITSIM_SIM_ACTIVE, 1);
		assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
		assert_true(a.has_redirect);
		assert_string_equal(a.redirect, "aaa://" HSS1_HOST);
		assert_int_equal(a.redirect_usage, 0); /* DONT_CACHE */
		assert_false(a.has_failed);
	}
	/* Region without an HSS: the default HSS's host. */
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT3);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_string_equal(a.redirect, "aaa://" HSS2_HOST);
	/* A host of the longest length the config holds. */
	memset(f->cfg.hss_host[1], 'h', JITSIM_FTA_DIAM_HOST_MAX);
	f->cfg.hss_host[1][JITSIM_FTA_DIAM_HOST_MAX] = '\0';
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT1);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_int_equal(strlen(a.redirect), 6 + JITSIM_FTA_DIAM_HOST_MAX);
	/* An HSS on SCTP or another port: both in the URI (RFC 6733 4.3.1),
	 * also with the longest host. */
	f->cfg.hss_port[1] = 3869;
	f->cfg.hss_sctp[1] = true;
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT1);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_int_equal(strlen(a.redirect),
			 6 + JITSIM_FTA_DIAM_HOST_MAX + strlen(":3869;transport=sctp"));
	assert_non_null(strstr(a.redirect, "h:3869;transport=sctp"));
	snprintf(f->cfg.hss_host[1], sizeof(f->cfg.hss_host[1]), "%s", HSS1_HOST);
	f->cfg.hss_sctp[1] = false;
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT1);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_string_equal(a.redirect, "aaa://" HSS1_HOST ":3869");
	f->cfg.hss_port[1] = 3868;
	build(f, JITSIM_S6A_CMD_AIR, IMSI_ACT1);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_string_equal(a.redirect, "aaa://" HSS1_HOST);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_REDIRECT], N_MME_CMDS + 5);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_DIAM_PROXY], 0);

	/* Unknown IMSI with unknown = proxy: redirected to the default too. */
	f->cfg.unknown = JITSIM_FTA_DIAM_UNKNOWN_PROXY;
	build(f, JITSIM_S6A_CMD_AIR, IMSI_UNKNOWN);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_UNKNOWN, JITSIM_FTA_STATE_NONE, 0);
	assert_result(f, &a, JITSIM_DIAM_REDIRECT_INDICATION);
	assert_string_equal(a.redirect, "aaa://" HSS2_HOST);
}

/* INVENTORY, SLEEPING, ACTIVATING, REACTIVATING: to jitsim-cp, unchanged. */
static void
test_to_cp(void **state)
{
	struct fx *f = *state;
	static const struct {
		const char *imsi;
		unsigned int state;
		uint16_t region;
	} sims[] = {
		{IMSI_INV, JITSIM_SIM_INVENTORY, 1},
		{IMSI_SLEEP, JITSIM_SIM_SLEEPING, 2},
		{IMSI_ACTIVATING, JITSIM_SIM_ACTIVATING, 1},
		{IMSI_REACT, JITSIM_SIM_REACTIVATING, 2},
	};
	unsigned int d = 99, seq = 0;

	for (unsigned int s = 0; s < 4; s++) {
		for (unsigned int i = 0; i < N_MME_CMDS; i++) {
			uint8_t flags = (i & 1) ? JITSIM_SIG_F_DUP : 0;

			build(f, mme_cmds[i], sims[s].imsi);
			assert_int_equal(run_flags(f, flags, &d), JITSIM_FTA_DIAM_TO_CP);
			assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
			assert_record(f, JITSIM_SIG_DIAM_IN, sims[s].imsi, sims[s].state,
				      sims[s].region);
			assert_request_copied(f);
			assert_int_equal(f->out.flags, flags);
			assert_int_equal(f->out.seq, ++seq);
		}
		assert_int_equal(f->f.st.to_cp_state[sims[s].state], N_MME_CMDS);
	}
	/* The re-synchronising AIR of jitsim_s6a_fta_air_encode(). */
	build_air_resync(f, IMSI_INV);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_TO_CP);
	assert_request_copied(f);
	assert_int_equal(f->out.seq, ++seq);
	assert_int_equal(f->f.seq, seq);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_DIAM_TO_CP], seq);
	assert_int_equal(f->f.st.dup, 8);
}

/* LOCKED and BLOCKED: Experimental-Result locked_result. */
static void
test_locked(void **state)
{
	struct fx *f = *state;
	unsigned int d = 99;
	struct ans a;

	for (unsigned int i = 0; i < N_MME_CMDS; i++) {
		build(f, mme_cmds[i], IMSI_LOCKED);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
		assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
		assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_LOCKED, JITSIM_SIM_LOCKED, 1);
		assert_int_equal(f->out.seq, 0);
		assert_exp_result(f, &a, JITSIM_S6A_ERROR_USER_UNKNOWN);
	}
	f->cfg.locked_result = JITSIM_S6A_ERROR_ROAMING_NOT_ALLOWED;
	f->cfg.origin_state_id = OUR_STATE_ID;
	build(f, JITSIM_S6A_CMD_ULR, IMSI_BLOCKED);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_BLOCKED, JITSIM_SIM_BLOCKED, 2);
	assert_exp_result(f, &a, JITSIM_S6A_ERROR_ROAMING_NOT_ALLOWED);
	assert_int_equal(f->f.st.locked_state[JITSIM_SIM_LOCKED], N_MME_CMDS);
	assert_int_equal(f->f.st.locked_state[JITSIM_SIM_BLOCKED], 1);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_LOCKED], N_MME_CMDS + 1);

	/* A locked_result the builder refuses (config not checked): dropped. */
	f->cfg.locked_result = 2001;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_ANSWER_FAILED);
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DIAM_DROP_ANSWER_FAILED], 1);
}

/* Not in the table, or RETIRED: 5001 (reject) or the default HSS (proxy). */
static void
test_unknown(void **state)
{
	struct fx *f = *state;
	unsigned int d = 99;
	struct ans a;

	build(f, JITSIM_S6A_CMD_AIR, IMSI_UNKNOWN);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_UNKNOWN, JITSIM_FTA_STATE_NONE, 0);
	assert_exp_result(f, &a, JITSIM_S6A_ERROR_USER_UNKNOWN);
	build(f, JITSIM_S6A_CMD_ULR, IMSI_RETIRED);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_RETIRED, JITSIM_SIM_RETIRED, 1);
	assert_exp_result(f, &a, JITSIM_S6A_ERROR_USER_UNKNOWN);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_USER_UNKNOWN], 2);
	/* A locked_result of 5420 does not change what unknown IMSIs get. */
	f->cfg.locked_result = JITSIM_S6A_ERROR_UNKNOWN_EPS_SUBSCRIPTION;
	build(f, JITSIM_S6A_CMD_PUR, IMSI_UNKNOWN);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_exp_result(f, &a, JITSIM_S6A_ERROR_USER_UNKNOWN);

	f->cfg.unknown = JITSIM_FTA_DIAM_UNKNOWN_PROXY;
	build(f, JITSIM_S6A_CMD_AIR, IMSI_UNKNOWN);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_UNKNOWN, JITSIM_FTA_STATE_NONE, 2);
	assert_request_copied(f);
	build(f, JITSIM_S6A_CMD_NOR, IMSI_RETIRED);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_RETIRED, JITSIM_SIM_RETIRED, 2);
	assert_int_equal(f->f.st.proxy_default, 2);
	assert_int_equal(f->f.st.proxy_region[2], 2);
	/* Proxy policy without a default (config not checked): 3002. */
	f->cfg.default_hss = -1;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_UNABLE_TO_DELIVER);
}

/* Requests the S6a parser refuses: its Result-Code with Failed-AVP. */
static void
test_refused(void **state)
{
	struct fx *f = *state;
	struct raw_spec s = {.session = SESSION, .user_name = IMSI_ACT1};
	unsigned int d = 99;
	struct ans a;

	/* The raw builder itself makes a request that is proxied. */
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);

	/* No User-Name: 5005 with an empty User-Name as the example. */
	s.user_name = NULL;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, NULL, JITSIM_FTA_STATE_NONE, 0);
	assert_result(f, &a, JITSIM_DIAM_MISSING_AVP);
	assert_true(a.has_failed);
	assert_int_equal(a.failed.code, JITSIM_AVP_USER_NAME);
	assert_int_equal(a.failed.vendor, 0);
	assert_int_equal(a.failed.data_len, 0);

	/* Not an IMSI: 5004 with the AVP as received. */
	s.user_name = "alice@example.org";
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, NULL, JITSIM_FTA_STATE_NONE, 0);
	assert_result(f, &a, JITSIM_DIAM_INVALID_AVP_VALUE);
	assert_true(a.has_failed);
	assert_int_equal(a.failed.code, JITSIM_AVP_USER_NAME);
	assert_int_equal(a.failed.data_len, strlen(s.user_name));
	assert_memory_equal(a.failed.data, s.user_name, a.failed.data_len);
	s.user_name = "0010"; /* 4 digits: not an IMSI either (TS 23.003 2.2) */
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_INVALID_AVP_VALUE);

	/* Twice: 5009 with the second copy; the IMSI still in the record. */
	s.user_name = IMSI_ACT1;
	s.n_user_name = 2;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_ACT1, JITSIM_FTA_STATE_NONE, 0);
	assert_result(f, &a, JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES);
	assert_true(a.has_failed);
	assert_int_equal(a.failed.code, JITSIM_AVP_USER_NAME);
	s.n_user_name = 0;

	/* An ACTIVE SIM's request with an S6a rule broken (no
	 * Auth-Session-State) is proxied as it is: the HSS judges it. */
	s.no_auth_session_state = true;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
	s.no_auth_session_state = false;

	/* No Auth-Session-State, no Session-Id, an INVENTORY SIM: 5005,
	 * answered without Session-Id. */
	s.user_name = IMSI_INV;
	s.no_auth_session_state = true;
	s.session = NULL;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_MISSING_AVP);
	assert_null(a.s.session_id.p);
	assert_int_equal(a.failed.code, JITSIM_AVP_SESSION_ID);
	s.no_auth_session_state = false;
	s.session = SESSION;

	/* Proxy-Info echoed in order; five are more than the parser keeps: 5012. */
	s.n_proxy = 2;
	s.user_name = IMSI_LOCKED;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_exp_result(f, &a, JITSIM_S6A_ERROR_USER_UNKNOWN);
	assert_int_equal(a.n_proxy, 2);
	s.n_proxy = JITSIM_S6A_FTA_PROXY_INFO_MAX + 1;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_UNABLE_TO_COMPLY);
	assert_int_equal(a.n_proxy, JITSIM_S6A_FTA_PROXY_INFO_MAX);
	assert_true(a.has_failed);
	assert_int_equal(a.failed.code, JITSIM_AVP_PROXY_INFO);

	/* A broken AVP length: 5014 (or 5015), whatever the state. */
	s.n_proxy = 0;
	build_raw(f, &s);
	f->buf[JITSIM_DIAM_HDR_LEN + 7] = 0xff; /* Session-Id length, low octet */
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	decode_answer(f, &a);
	assert_true(a.s.has_result_code);
	assert_true(a.s.result_code == JITSIM_DIAM_INVALID_AVP_LENGTH ||
		    a.s.result_code == JITSIM_DIAM_INVALID_MESSAGE_LENGTH);
	assert_int_equal(a.h.hbh, HBH);
	assert_int_equal(a.h.e2e, E2E);

	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_MISSING_AVP], 2);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_INVALID_AVP_VALUE], 2);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_MALFORMED], 3);
	assert_int_equal(f->f.st.codec[JITSIM_R_DIAM_BAD_AVP], 8); /* one of them proxied */
}

/* What never gets a verdict by state. */
static void
test_not_s6a(void **state)
{
	struct fx *f = *state;
	struct raw_spec s = {.session = SESSION, .user_name = IMSI_INV};
	static const uint32_t hss_cmds[] = {JITSIM_S6A_CMD_CLR, JITSIM_S6A_CMD_IDR,
					    JITSIM_S6A_CMD_DSR, JITSIM_S6A_CMD_RSR};
	unsigned int d = 99;
	struct ans a;

	/* An answer: diamio's. */
	build(f, JITSIM_S6A_CMD_AIR, IMSI_INV);
	f->buf[4] &= (uint8_t)~JITSIM_DIAM_FLAG_R;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NOT_REQUEST);
	/* Another application; a non-S6a command of S6a's application. */
	s.app_id = 16777238; /* Gx */
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NOT_S6A);
	s.app_id = 0;
	s.cmd = 324; /* ECR, S13 */
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NOT_S6A);
	s.cmd = 315;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NOT_S6A);
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DIAM_DROP_NOT_S6A], 3);

	/* HSS-to-MME commands sent to us: 3001, whatever the SIM's state. */
	for (unsigned int i = 0; i < 4; i++) {
		s.cmd = hss_cmds[i];
		build_raw(f, &s);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
		assert_record(f, JITSIM_SIG_DIAM_SEND, IMSI_INV, JITSIM_FTA_STATE_NONE, 0);
		assert_result(f, &a, JITSIM_DIAM_COMMAND_UNSUPPORTED);
		assert_int_equal(a.h.cmd, hss_cmds[i]);
	}
	build(f, JITSIM_S6A_CMD_CLR, IMSI_ACT1);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
	assert_result(f, &a, JITSIM_DIAM_COMMAND_UNSUPPORTED);
	assert_int_equal(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_COMMAND_UNSUPPORTED], 5);
	assert_int_equal(f->f.st.lookups, 0);
	assert_int_equal(f->f.st.verdict[JITSIM_FTA_DIAM_TO_CP], 0);
}

/* Headers the codec refuses, and a length that is not the input's. */
static void
test_bad_message(void **state)
{
	struct fx *f = *state;
	struct jitsim_fta_diam_in in = {.peer = PEER};
	unsigned int d = 99;
	uint8_t *p;

	in.msg = NULL;
	in.len = 0;
	assert_int_equal(jitsim_fta_diam_process(&f->f, &in, T0, &f->out, &d),
			 JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_BAD_MESSAGE);
	assert_int_equal(f->f.st.codec[JITSIM_R_TRUNCATED], 1);

	build(f, JITSIM_S6A_CMD_AIR, IMSI_INV);
	f->buf[0] = 2;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_BAD_MESSAGE);
	assert_int_equal(f->f.st.codec[JITSIM_R_DIAM_BAD_VERSION], 1);
	build(f, JITSIM_S6A_CMD_AIR, IMSI_INV);
	f->buf[3] |= 1; /* length not a multiple of 4 */
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_BAD_MESSAGE);
	/* Four octets more than the header says. */
	build(f, JITSIM_S6A_CMD_AIR, IMSI_INV);
	memset(f->buf + f->len, 0, 4);
	f->len += 4;
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_BAD_MESSAGE);
	/* drop may be NULL. */
	p = malloc(f->len);
	assert_non_null(p);
	memcpy(p, f->buf, f->len);
	in.msg = p;
	in.len = f->len;
	assert_int_equal(jitsim_fta_diam_process(&f->f, &in, T0, &f->out, NULL),
			 JITSIM_FTA_DIAM_DROP);
	free(p);
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DIAM_DROP_BAD_MESSAGE], 5);
	assert_int_equal(f->f.st.msgs, 5);
}

/* Records and answers at the size of a record. */
static void
test_oversize(void **state)
{
	struct fx *f = *state;
	struct raw_spec s = {.session = SESSION, .user_name = IMSI_INV};
	unsigned int d = 99;
	size_t base;
	struct ans a;

	build_raw(f, &s);
	base = f->len;
	/* Exactly JITSIM_SIG_DATA_MAX (976, a multiple of 4): handed over. */
	s.pad_len = JITSIM_SIG_DATA_MAX - base - JITSIM_DIAM_AVP_HDR_LEN;
	build_raw(f, &s);
	assert_int_equal(f->len, JITSIM_SIG_DATA_MAX);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_TO_CP);
	assert_request_copied(f);
	s.user_name = IMSI_ACT1;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_PROXY);
	assert_request_copied(f);
	/* Four more: not a record. */
	s.pad_len += 4;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_OVERSIZE);
	s.user_name = IMSI_SLEEP;
	build_raw(f, &s);
	assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_OVERSIZE);

	/* An answer echoing a 900-octet Session-Id does not fit: dropped. */
	{
		static char longsid[901];

		memset(longsid, 's', 900);
		s.session = longsid;
		s.user_name = IMSI_LOCKED;
		s.pad_len = 0;
		build_raw(f, &s);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
		assert_int_equal(d, JITSIM_FTA_DIAM_DROP_OVERSIZE);
	}

	/*
	 * A refusal whose Failed-AVP copy does not fit: answered without it.
	 * With our identities at their longest, the answer's fixed part is
	 * larger than the request's, so a request that fits a record can
	 * make an answer that does not.
	 */
	{
		static char bad_user[701];

		memset(f->cfg.origin_host, 'o', JITSIM_FTA_DIAM_HOST_MAX);
		memset(f->cfg.origin_realm, 'r', JITSIM_FTA_DIAM_HOST_MAX);
		f->cfg.origin_state_id = OUR_STATE_ID;
		memset(bad_user, 'u', 700);
		s.session = SESSION;
		s.user_name = bad_user;
		build_raw(f, &s);
		assert_true(f->len <= JITSIM_SIG_DATA_MAX);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
		decode_answer(f, &a);
		assert_int_equal(a.s.result_code, JITSIM_DIAM_INVALID_AVP_VALUE);
		assert_int_equal(a.s.origin_host.len, JITSIM_FTA_DIAM_HOST_MAX);
		assert_int_equal(a.s.origin_realm.len, JITSIM_FTA_DIAM_HOST_MAX);
		assert_true(a.has_state_id);
		/* The copy did not fit: an empty example names the AVP. */
		assert_true(a.has_failed);
		assert_int_equal(a.failed.code, JITSIM_AVP_USER_NAME);
		assert_int_equal(a.failed.data_len, 0);
		assert_int_equal(f->f.st.failed_avp_cut, 1);
		/* 300 octets fit with it. */
		bad_user[300] = '\0';
		build_raw(f, &s);
		assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_ANSWER);
		decode_answer(f, &a);
		assert_int_equal(a.s.result_code, JITSIM_DIAM_INVALID_AVP_VALUE);
		assert_true(a.has_failed);
		assert_int_equal(a.failed.data_len, 300);
		assert_int_equal(f->f.st.failed_avp_cut, 1);
	}
	assert_int_equal(f->f.st.drop[JITSIM_FTA_DIAM_DROP_OVERSIZE], 3);
}

/*
 * Any input: a named verdict, counters that add up, and what the verdict
 * promises: a copy of the input, or an answer that decodes, answers this
 * request (ids, command), comes from us and says an error.
 */
static void
check_any(struct fx *f, const uint8_t *in, size_t len)
{
	struct jitsim_fta_diam_in x = {.len = len, .peer = PEER, .conn = CONN};
	uint8_t *p = malloc(len ? len : 1);
	enum jitsim_fta_diam_verdict v;
	struct jitsim_diam_hdr h, rh;
	struct jitsim_s6a s;
	unsigned int d = 99;
	uint64_t sum = 0;

	assert_non_null(p);
	memcpy(p, in, len);
	x.msg = p;
	v = jitsim_fta_diam_process(&f->f, &x, T0, &f->out, &d);
	assert_true((unsigned int)v < JITSIM_FTA_DIAM_VERDICT_MAX);
	for (unsigned int i = 0; i < JITSIM_FTA_DIAM_VERDICT_MAX; i++)
		sum += f->f.st.verdict[i];
	assert_int_equal(sum, f->f.st.msgs);
	if (v == JITSIM_FTA_DIAM_DROP) {
		assert_true(d > JITSIM_FTA_DIAM_DROP_NONE && d < JITSIM_FTA_DIAM_DROP_MAX);
		free(p);
		return;
	}
	assert_int_equal(d, JITSIM_FTA_DIAM_DROP_NONE);
	assert_int_equal(f->out.assoc, PEER);
	assert_int_equal(f->out.dpc, CONN);
	assert_true(f->out.len > 0 && f->out.len <= JITSIM_SIG_DATA_MAX);
	if (v != JITSIM_FTA_DIAM_ANSWER) {
		assert_int_equal(f->out.kind, v == JITSIM_FTA_DIAM_TO_CP ? JITSIM_SIG_DIAM_IN
									 : JITSIM_SIG_DIAM_SEND);
		assert_int_equal(f->out.len, len);
		assert_memory_equal(f->out.data, in, len);
		free(p);
		return;
	}
	assert_int_equal(f->out.kind, JITSIM_SIG_DIAM_SEND);
	assert_int_equal(jitsim_diam_decode_hdr(in, len, &rh), JITSIM_R_OK);
	assert_int_equal(jitsim_diam_decode_hdr(f->out.data, f->out.len, &h), JITSIM_R_OK);
	assert_int_equal(h.length, f->out.len);
	assert_false(h.flags & JITSIM_DIAM_FLAG_R);
	assert_int_equal(h.cmd, rh.cmd);
	assert_int_equal(h.hbh, rh.hbh);
	assert_int_equal(h.e2e, rh.e2e);
	assert_int_equal(jitsim_s6a_decode(f->out.data, f->out.len, &s), JITSIM_R_OK);
	assert_true(str_is(&s.origin_host, OUR_HOST));
	assert_true(s.has_result_code != s.has_exp_result);
	if (s.has_result_code)
		assert_true((s.result_code >= 3000 && s.result_code < 4000) ||
			    (s.result_code >= 5000 && s.result_code < 6000));
	else
		assert_int_equal(s.exp_result_code, JITSIM_S6A_ERROR_USER_UNKNOWN);
	free(p);
}

static uint64_t rng = 0x9e3779b97f4a7c15ull;

static uint32_t
rnd(void)
{
	/* xorshift64: a fixed sequence, so a failure is reproducible. */
	rng ^= rng << 13;
	rng ^= rng >> 7;
	rng ^= rng << 17;
	return (uint32_t)(rng >> 11);
}

static void
test_fuzz(void **state)
{
	struct fx *f = *state;
	struct {
		uint32_t cmd;
		const char *imsi;
	} msgs[] = {
		{JITSIM_S6A_CMD_AIR, IMSI_ACT1},   {JITSIM_S6A_CMD_ULR, IMSI_INV},
		{JITSIM_S6A_CMD_PUR, IMSI_LOCKED}, {JITSIM_S6A_CMD_NOR, IMSI_UNKNOWN},
		{JITSIM_S6A_CMD_ULR, IMSI_ACT3},   {JITSIM_S6A_CMD_IDR, IMSI_SLEEP},
	};
	uint8_t orig[1024], mut[1024];
	unsigned int drops = 0;

	f->cfg.origin_state_id = OUR_STATE_ID;
	for (unsigned int k = 0; k < sizeof(msgs) / sizeof(msgs[0]) + 1; k++) {
		size_t len;

		if (k < sizeof(msgs) / sizeof(msgs[0])) {
			build(f, msgs[k].cmd, msgs[k].imsi);
		} else {
			struct raw_spec s = {
				.session = SESSION, .user_name = IMSI_ACT2, .n_proxy = 2};

			build_raw(f, &s);
		}
		len = f->len;
		assert_true(len <= sizeof(orig));
		memcpy(orig, f->buf, len);
		check_any(f, orig, len);
		/* Every truncation as received: the header says more, dropped. */
		for (size_t l = 0; l < len; l++) {
			unsigned int d;

			memcpy(f->buf, orig, l);
			f->len = l;
			assert_int_equal(run(f, &d), JITSIM_FTA_DIAM_DROP);
			assert_int_equal(d, JITSIM_FTA_DIAM_DROP_BAD_MESSAGE);
			drops++;
		}
		/* Every truncation with the header's length patched: AVPs cut. */
		for (size_t l = JITSIM_DIAM_HDR_LEN; l < len; l += 4) {
			memcpy(mut, orig, l);
			jitsim_put_be24(mut + 1, (uint32_t)l);
			check_any(f, mut, l);
		}
		/* Random corruption: 1..4 octets set or flipped. */
		for (unsigned int i = 0; i < 20000 / 7; i++) {
			unsigned int n = 1 + rnd() % 4;

			memcpy(mut, orig, len);
			for (unsigned int j = 0; j < n; j++) {
				size_t at = rnd() % len;

				if (rnd() & 1)
					mut[at] ^= (uint8_t)(1u << (rnd() % 8));
				else
					mut[at] = (uint8_t)rnd();
			}
			check_any(f, mut, len);
		}
	}
	/* Every path was taken, not only the drop of a broken header. */
	assert_true(f->f.st.verdict[JITSIM_FTA_DIAM_ANSWER] > 1000);
	assert_true(f->f.st.verdict[JITSIM_FTA_DIAM_PROXY] > 100);
	assert_true(f->f.st.verdict[JITSIM_FTA_DIAM_TO_CP] > 100);
	assert_true(f->f.st.answer_code[JITSIM_FTA_DIAM_ANSWER_MALFORMED] > 0);
	assert_true(drops > 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_cfg, setup, teardown),
		cmocka_unit_test_setup_teardown(test_proxy, setup, teardown),
		cmocka_unit_test_setup_teardown(test_redirect, setup, teardown),
		cmocka_unit_test_setup_teardown(test_to_cp, setup, teardown),
		cmocka_unit_test_setup_teardown(test_locked, setup, teardown),
		cmocka_unit_test_setup_teardown(test_unknown, setup, teardown),
		cmocka_unit_test_setup_teardown(test_refused, setup, teardown),
		cmocka_unit_test_setup_teardown(test_not_s6a, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_message, setup, teardown),
		cmocka_unit_test_setup_teardown(test_oversize, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fuzz, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
