/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the worker's S6a verdict (dataplane/fta/fta_diam.h) on a small real
 * IMSI table: SIMs in every state (the IMSIs of the reference captures
 * among them, so that their seeds reach every path), HSSs in regions 1 and
 * 2, as in tests/unit/fta/test_fta_diam.c.
 *
 * Input: one Diameter message (the seeds are the "diameter" ones of
 * mkseeds), run through four contexts: reject unknown IMSIs, proxy them
 * with redirect, no default HSS (3002), and our identities at their
 * longest with an Origin-State-Id (answers at the record's limit). The
 * low bit of the last octet sets JITSIM_SIG_F_DUP. Beyond "no crash":
 * - every verdict and drop reason is a named one; the counters add up;
 * - PROXY and TO_CP hand over the input unchanged, PROXY to a region
 *   with an HSS;
 * - an ANSWER decodes, answers this request (R clear; command,
 *   application, hop-by-hop and end-to-end ids copied), comes from
 *   cfg.origin_host and says an error: Result-Code 3001/3002/3006 (E bit,
 *   3006 with Redirect-Host) or 5xxx, or Experimental-Result {10415,
 *   locked_result or 5001}.
 */

#include <string.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/s6a_fta.h>
#include <jitsim/sim.h>

#include "fta_diam.h"

#include "fuzz_main.h"

#define N_CTX 4
#define LOCKED_RESULT 5004 /* ROAMING_NOT_ALLOWED: told apart from 5001 */

static const struct {
	const char *imsi;
	unsigned int state;
	uint16_t region;
} sims[] = {
	{"001010000000001", JITSIM_SIM_INVENTORY, 1},
	{"001010000000002", JITSIM_SIM_ACTIVATING, 1},
	{"001010000000003", JITSIM_SIM_ACTIVE, 1},
	{"001010000000004", JITSIM_SIM_ACTIVE, 2},
	{"001010000000005", JITSIM_SIM_ACTIVE, 3},
	{"001010000000006", JITSIM_SIM_SLEEPING, 2},
	{"001010000000007", JITSIM_SIM_REACTIVATING, 2},
	{"001010000000008", JITSIM_SIM_LOCKED, 1},
	{"001010000000009", JITSIM_SIM_BLOCKED, 1},
	{"001010000000010", JITSIM_SIM_RETIRED, 1},
	/* User-Names of the reference captures (the seeds). */
	{"901707364000060", JITSIM_SIM_INVENTORY, 1},
	{"222010100001140", JITSIM_SIM_ACTIVE, 1},
	{"001020000000064", JITSIM_SIM_LOCKED, 2},
	{"312420000021337", JITSIM_SIM_ACTIVE, 3},
	{"901700000021309", JITSIM_SIM_SLEEPING, 2},
	{"901707364000065", JITSIM_SIM_BLOCKED, 1},
	{"999991234567810", JITSIM_SIM_ACTIVE, 2},
};

static struct jitsim_fta_diam_cfg cfg[N_CTX];
static struct jitsim_fta_diam ctx[N_CTX];

static void
setup(void)
{
	struct jitsim_table_imsi *imsi;
	char err[128];

	urcu_qsbr_register_thread();
	imsi = jitsim_table_imsi_create(0);
	FUZZ_CHECK(imsi != NULL);
	for (size_t i = 0; i < sizeof(sims) / sizeof(sims[0]); i++) {
		struct jitsim_table_sim e = {.imsi = jitsim_digits_key_str(sims[i].imsi),
					     .sw = jitsim_table_sw_make(sims[i].state, 0, 0),
					     .tenant = 1,
					     .region = sims[i].region};

		FUZZ_CHECK(jitsim_table_imsi_put(imsi, &e) == 0);
	}
	for (int k = 0; k < N_CTX; k++) {
		struct jitsim_fta_diam_cfg *c = &cfg[k];

		jitsim_fta_diam_cfg_init(c);
		strcpy(c->origin_host, "hss.jitsim.example");
		strcpy(c->origin_realm, "jitsim.example");
		c->has_hss[1] = true;
		strcpy(c->hss_host[1], "hss1.region1.example");
		c->has_hss[2] = true;
		strcpy(c->hss_host[2], "hss2.region2.example");
		c->default_hss = 2;
		c->locked_result = LOCKED_RESULT;
		switch (k) {
		case 1:
			c->unknown = JITSIM_FTA_DIAM_UNKNOWN_PROXY;
			c->redirect = true;
			break;
		case 2:
			c->default_hss = -1;
			break;
		case 3:
			c->unknown = JITSIM_FTA_DIAM_UNKNOWN_PROXY;
			memset(c->origin_host, 'o', JITSIM_FTA_DIAM_HOST_MAX);
			memset(c->origin_realm, 'r', JITSIM_FTA_DIAM_HOST_MAX);
			c->origin_state_id = 1764115200u;
			break;
		default:
			break;
		}
		FUZZ_CHECK(jitsim_fta_diam_cfg_check(c, err, sizeof(err)) == 0);
		jitsim_fta_diam_init(&ctx[k], c, imsi, 3);
	}
	/* The table lives as long as the process: what a worker sees. */
}

static bool
str_is(const struct jitsim_s6a_str *s, const char *want)
{
	return s->p != NULL && s->len == strlen(want) && memcmp(s->p, want, s->len) == 0;
}

static void
check_answer(const struct jitsim_fta_diam *f, const uint8_t *in, size_t len,
	     const struct jitsim_sig_msg *out)
{
	struct jitsim_diam_hdr h, rh;
	struct jitsim_diam_avp a;
	struct jitsim_s6a s;

	FUZZ_CHECK(out->kind == JITSIM_SIG_DIAM_SEND);
	FUZZ_CHECK(jitsim_diam_decode_hdr(in, len, &rh) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_diam_decode_hdr(out->data, out->len, &h) == JITSIM_R_OK);
	FUZZ_CHECK(h.length == out->len);
	FUZZ_CHECK(!(h.flags & JITSIM_DIAM_FLAG_R));
	FUZZ_CHECK(h.cmd == rh.cmd && h.app_id == rh.app_id);
	FUZZ_CHECK(h.hbh == rh.hbh && h.e2e == rh.e2e);
	FUZZ_CHECK(jitsim_s6a_decode(out->data, out->len, &s) == JITSIM_R_OK);
	FUZZ_CHECK(str_is(&s.origin_host, f->cfg->origin_host));
	FUZZ_CHECK(str_is(&s.origin_realm, f->cfg->origin_realm));
	FUZZ_CHECK(s.has_result_code != s.has_exp_result);
	if (s.has_exp_result) {
		FUZZ_CHECK(s.exp_vendor == JITSIM_DIAM_VENDOR_3GPP);
		FUZZ_CHECK(s.exp_result_code == f->cfg->locked_result ||
			   s.exp_result_code == JITSIM_S6A_ERROR_USER_UNKNOWN);
		FUZZ_CHECK(!(h.flags & JITSIM_DIAM_FLAG_E));
		return;
	}
	switch (s.result_code) {
	case JITSIM_DIAM_COMMAND_UNSUPPORTED:
	case JITSIM_DIAM_UNABLE_TO_DELIVER:
		FUZZ_CHECK(h.flags & JITSIM_DIAM_FLAG_E);
		break;
	case JITSIM_DIAM_REDIRECT_INDICATION:
		FUZZ_CHECK(h.flags & JITSIM_DIAM_FLAG_E);
		FUZZ_CHECK(f->cfg->redirect);
		FUZZ_CHECK(jitsim_diam_avp_find(h.avps, h.avps_len, 292, 0, &a) == JITSIM_R_OK);
		FUZZ_CHECK(a.data_len > 6 && memcmp(a.data, "aaa://", 6) == 0);
		break;
	default:
		FUZZ_CHECK(s.result_code >= 5000 && s.result_code < 6000);
		FUZZ_CHECK(!(h.flags & JITSIM_DIAM_FLAG_E));
		break;
	}
}

static void
check(struct jitsim_fta_diam *f, const struct jitsim_fta_diam_in *in)
{
	static struct jitsim_sig_msg out;
	unsigned int d = JITSIM_FTA_DIAM_DROP_MAX;
	enum jitsim_fta_diam_verdict v = jitsim_fta_diam_process(f, in, 1764115200u, &out, &d);
	uint64_t sum = 0;

	FUZZ_CHECK((unsigned int)v < JITSIM_FTA_DIAM_VERDICT_MAX);
	(void)jitsim_fta_diam_verdict_name(v);
	for (unsigned int i = 0; i < JITSIM_FTA_DIAM_VERDICT_MAX; i++)
		sum += f->st.verdict[i];
	FUZZ_CHECK(sum == f->st.msgs);
	if (v == JITSIM_FTA_DIAM_DROP) {
		FUZZ_CHECK(d > JITSIM_FTA_DIAM_DROP_NONE && d < JITSIM_FTA_DIAM_DROP_MAX);
		(void)jitsim_fta_diam_drop_text(d);
		return;
	}
	FUZZ_CHECK(d == JITSIM_FTA_DIAM_DROP_NONE);
	FUZZ_CHECK(out.assoc == in->peer && out.lcore == f->lcore);
	FUZZ_CHECK(out.len > 0 && out.len <= JITSIM_SIG_DATA_MAX);
	switch (v) {
	case JITSIM_FTA_DIAM_PROXY:
		FUZZ_CHECK(out.kind == JITSIM_SIG_DIAM_SEND);
		FUZZ_CHECK(out.region < JITSIM_FTA_REGIONS && f->cfg->has_hss[out.region]);
		FUZZ_CHECK(!f->cfg->redirect);
		FUZZ_CHECK(out.len == in->len && memcmp(out.data, in->msg, in->len) == 0);
		break;
	case JITSIM_FTA_DIAM_TO_CP:
		FUZZ_CHECK(out.kind == JITSIM_SIG_DIAM_IN);
		FUZZ_CHECK(out.flags == in->flags && out.seq == f->seq);
		FUZZ_CHECK(out.len == in->len && memcmp(out.data, in->msg, in->len) == 0);
		break;
	default:
		check_answer(f, in->msg, in->len, &out);
		break;
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct jitsim_fta_diam_in in;

	if (!ready) {
		setup();
		ready = true;
	}
	memset(&in, 0, sizeof(in));
	in.msg = data;
	in.len = size;
	in.peer = 7;
	in.flags = size > 0 && (data[size - 1] & 1) ? JITSIM_SIG_F_DUP : 0;
	for (int k = 0; k < N_CTX; k++)
		check(&ctx[k], &in);
	urcu_qsbr_quiescent_state();
	return 0;
}
