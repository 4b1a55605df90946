/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the worker's FTA verdict (dataplane/fta/fta.h) on small real
 * tables: SIMs in every state (the IMSIs of the reference captures among
 * them, so that their seeds reach every path), three regions with HLRs by
 * GT and by PC, a default HLR and a default route, as in
 * tests/unit/fta/test_fta.c.
 *
 * Input: a 6-octet MTP3 routing label (OPC and DPC big-endian, 14 bits
 * used; SI; NI in bits 0-1 and SLS in bits 2-5) then the SCCP message, run
 * through a context whose unknown-IMSI policy is DROP and one whose policy
 * is RELAY. Beyond "no crash":
 * - every verdict and drop reason is a named one;
 * - TO_CP hands the message over unchanged;
 * - every other output is sent from our own point code to another one and
 *   decodes as SCCP; a relay carries the TCAP octets unchanged; the LOCKED
 *   answer is a TCAP End with ReturnError(locked_error);
 * - the verdict counters add up to the messages.
 */

#include <string.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/sim.h>

#include "fta.h"

#include "fuzz_main.h"

#define OWN_PC 186 /* 0.23.2 */
#define LABEL_LEN 6

static const struct {
	const char *imsi;
	unsigned int state;
	uint16_t region;
	const char *msisdn;
} sims[] = {
	{"001010000000001", JITSIM_SIM_INVENTORY, 1, NULL},
	{"001010000000002", JITSIM_SIM_ACTIVATING, 1, NULL},
	{"001010000000003", JITSIM_SIM_ACTIVE, 1, "447700123456"},
	{"001010000000004", JITSIM_SIM_ACTIVE, 2, NULL},
	{"001010000000005", JITSIM_SIM_ACTIVE, 3, NULL},
	{"001010000000006", JITSIM_SIM_SLEEPING, 2, NULL},
	{"001010000000007", JITSIM_SIM_REACTIVATING, 2, NULL},
	{"001010000000008", JITSIM_SIM_LOCKED, 1, NULL},
	{"001010000000009", JITSIM_SIM_BLOCKED, 1, NULL},
	{"001010000000010", JITSIM_SIM_RETIRED, 1, NULL},
	/* IMSIs of the reference captures (the seeds). */
	{"460004100000101", JITSIM_SIM_INVENTORY, 1, NULL},
	{"001011356567851", JITSIM_SIM_ACTIVE, 1, NULL},
	{"001011356567853", JITSIM_SIM_LOCKED, 2, NULL},
	{"228012120109856", JITSIM_SIM_ACTIVE, 2, NULL},
	{"405037027451342", JITSIM_SIM_SLEEPING, 3, NULL},
	{"405037027451347", JITSIM_SIM_ACTIVE, 3, NULL},
	{"422030100097525", JITSIM_SIM_BLOCKED, 1, NULL},
	{"422030100893882", JITSIM_SIM_ACTIVATING, 1, NULL},
	{"655011420096316", JITSIM_SIM_ACTIVE, 4, NULL},
};

static struct jitsim_fta_cfg cfg[2];
static struct jitsim_fta ctx[2];

static void
setup(void)
{
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	char err[128];

	urcu_qsbr_register_thread();
	imsi = jitsim_table_imsi_create(0);
	msisdn = jitsim_table_msisdn_create(0);
	FUZZ_CHECK(imsi != NULL && msisdn != NULL);
	for (size_t i = 0; i < sizeof(sims) / sizeof(sims[0]); i++) {
		struct jitsim_table_sim e = {
			.imsi = jitsim_digits_key_str(sims[i].imsi),
			.msisdn = sims[i].msisdn ? jitsim_digits_key_str(sims[i].msisdn) : 0,
			.sw = jitsim_table_sw_make(sims[i].state, 0, 0),
			.tenant = 1,
			.region = sims[i].region};

		FUZZ_CHECK(jitsim_table_imsi_put(imsi, &e) == 0);
		if (sims[i].msisdn != NULL)
			FUZZ_CHECK(jitsim_table_msisdn_put(msisdn, e.msisdn, e.imsi) == 0);
	}
	for (int k = 0; k < 2; k++) {
		struct jitsim_fta_cfg *c = &cfg[k];

		jitsim_fta_cfg_default(c);
		c->own_pc = OWN_PC;
		FUZZ_CHECK(jitsim_fta_cfg_set_own_gt(c, "447700900001") == 0);
		FUZZ_CHECK(jitsim_fta_cfg_set_region(c, 1, 0x0809, 0, "447700111000") == 0);
		FUZZ_CHECK(jitsim_fta_cfg_set_region(c, 2, 0x1011, 6, NULL) == 0);
		FUZZ_CHECK(jitsim_fta_cfg_set_region(c, 3, 0x1012, 7, "4477002") == 0);
		FUZZ_CHECK(jitsim_fta_hlr_set(&c->default_hlr, 0x0049, 6, "447700999000") == 0);
		c->has_default_route = true;
		c->default_route = 1;
		c->unknown = k == 0 ? JITSIM_FTA_UNKNOWN_DROP : JITSIM_FTA_UNKNOWN_RELAY;
		FUZZ_CHECK(jitsim_fta_cfg_check(c, err, sizeof(err)) == 0);
		jitsim_fta_init(&ctx[k], c, imsi, msisdn, 3);
	}
	/* The tables live as long as the process: what a worker sees. */
}

static void
check(struct jitsim_fta *f, const struct jitsim_fta_in *in)
{
	static struct jitsim_sig_msg out;
	enum jitsim_fta_drop d = JITSIM_FTA_DROP_MAX;
	enum jitsim_fta_verdict v = jitsim_fta_process(f, in, 1764115200u, &out, &d);
	struct jitsim_sccp s, req;
	struct jitsim_tcap t;
	uint64_t sum = 0;

	FUZZ_CHECK((unsigned int)v < JITSIM_FTA_VERDICT_MAX);
	(void)jitsim_fta_verdict_str(v);
	for (unsigned int i = 0; i < JITSIM_FTA_VERDICT_MAX; i++)
		sum += f->st.verdict[i];
	FUZZ_CHECK(sum == f->st.msgs);
	if (v == JITSIM_FTA_DROP) {
		FUZZ_CHECK(d > JITSIM_FTA_DROP_NONE && d < JITSIM_FTA_DROP_MAX);
		(void)jitsim_fta_drop_text(d);
		return;
	}
	FUZZ_CHECK(d == JITSIM_FTA_DROP_NONE);
	FUZZ_CHECK(out.len > 0 && out.len <= JITSIM_SIG_DATA_MAX);
	if (v == JITSIM_FTA_TO_CP) {
		FUZZ_CHECK(out.kind == JITSIM_SIG_FTA_IN);
		FUZZ_CHECK(out.len == in->len && memcmp(out.data, in->data, in->len) == 0);
		return;
	}
	FUZZ_CHECK(out.kind == JITSIM_SIG_SEND);
	FUZZ_CHECK(out.opc == OWN_PC && out.dpc != OWN_PC);
	FUZZ_CHECK(out.si == 3);
	FUZZ_CHECK(jitsim_sccp_decode(out.data, out.len, &s) == JITSIM_R_OK);
	if (v == JITSIM_FTA_ANSWER_LOCKED) {
		FUZZ_CHECK(out.dpc == in->opc);
		FUZZ_CHECK(jitsim_tcap_decode(s.data, s.data_len, &t) == JITSIM_R_OK);
		FUZZ_CHECK(t.type == JITSIM_TCAP_END && t.n_comp == 1);
		FUZZ_CHECK(t.comp[0].type == JITSIM_TCAP_ERROR);
		FUZZ_CHECK(t.comp[0].has_error && t.comp[0].error == f->cfg->locked_error);
		return;
	}
	/* A relay rewrites addresses and hop counter, never the TCAP octets. */
	FUZZ_CHECK(jitsim_sccp_decode(in->data, in->len, &req) == JITSIM_R_OK);
	FUZZ_CHECK(s.data_len == req.data_len && memcmp(s.data, req.data, s.data_len) == 0);
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	static bool ready;
	struct jitsim_fta_in in;

	if (!ready) {
		setup();
		ready = true;
	}
	if (size < LABEL_LEN)
		return 0;
	memset(&in, 0, sizeof(in));
	in.opc = ((uint32_t)data[0] << 8 | data[1]) & 0x3fff;
	in.dpc = ((uint32_t)data[2] << 8 | data[3]) & 0x3fff;
	in.si = data[4];
	in.ni = data[5] & 3;
	in.sls = (data[5] >> 2) & 0xf;
	in.assoc = 7;
	in.data = data + LABEL_LEN;
	in.len = size - LABEL_LEN;
	for (int k = 0; k < 2; k++)
		check(&ctx[k], &in);
	urcu_qsbr_quiescent_state();
	return 0;
}
