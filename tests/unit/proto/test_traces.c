/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The frame iterator over every reference capture (../shared/traces):
 * attach-type requests (MAP Invoke 2/23/56, S6a AIR/ULR requests) counted
 * per capture and their IMSIs, against the figures of the captures' README
 * (which were made with tshark), except where the README says tshark is
 * wrong. The field-by-field tshark comparison is tests/tshark/compare.py.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/frame.h>

#include "test_util.h"

#define MAX_IMSIS 4

struct expect {
	const char *file;
	unsigned int attach_frames;   /* frames with an attach-type request */
	const char *imsis[MAX_IMSIS]; /* distinct IMSIs in those requests */
};

/* From ../shared/traces/README.md (tshark 4.0.17). */
static struct expect expects[] = {
	{"diam_diafuzzer_cx.pcap", 0, {NULL}},
	{"diam_diafuzzer_s6a_cer_dwr.pcap", 0, {NULL}},
	{"diam_ndpi_gy_tcp.pcap", 0, {NULL}},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 3, {"460004100000101"}},
	{"map_pcapr_lu_ul.pcap", 2, {"001011356567851", "001011356567853"}},
	{"map_pcapr_m2pa_sms.pcap", 0, {NULL}},
	{"map_pcapr_srism_single.pcap", 0, {NULL}},
	{"map_pcapr_test_ul_sendid_ati.pcap", 2, {"405037027451342", "405037027451347"}},
	/* README: tshark's 2 attach frames here are a bogus decode of a non-MAP
	 * dialogue; "a correct decoder should not report opcode 23 here". */
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 0, {NULL}},
	{"map_wswiki_cap_mtp3.pcap", 4, {"422030100097525", "422030100893882"}},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 14, {"310310990000450"}},
	{"map_wswiki_ussd.pcap", 0, {NULL}},
	{"s6a_diafuzzer_air.pcap", 1, {"312420000021337"}},
	{"diam_open5gs_ims_cx_rx_gx.pcapng", 0, {NULL}},
	{"s6a_magma_gxgy03.pcapng", 2, {"999991234567810"}},
	{"s6a_magma_gxgy05.pcapng", 2, {"999991234567810"}},
	{"s6a_magma_gxgy06.pcapng", 2, {"999991234567810"}},
	{"s6a_magma_inbound_roaming01.pcapng", 2, {"001020000000064"}},
	{"s6a_magma_inbound_roaming05.pcapng", 2, {"001020000000064"}},
	{"s6a_magma_nsa_tcp.pcapng", 2, {"222010100001140"}},
	{"s6a_open5gs_srsenb.pcapng", 2, {"901700000021309"}},
	{"s6a_open5gs_testattach.pcapng", 23, {"901707364000060", "901707364000065"}},
};

struct tally {
	unsigned int attach_frames;
	unsigned int msgs;
	char imsis[8][JITSIM_DIGITS_MAX + 1];
	unsigned int n_imsis;
	struct jitsim_frame_reasm reasm;
};

static bool
is_attach(const struct jitsim_msg *m)
{
	if (!m->is_request || !m->has_op)
		return false;
	if (m->proto == JITSIM_MSG_MAP)
		return m->op == JITSIM_MAP_OP_UPDATE_LOCATION ||
		       m->op == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION ||
		       m->op == JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO;
	return m->diam.hdr.app_id == JITSIM_S6A_APP_ID &&
	       (m->op == JITSIM_S6A_CMD_AIR || m->op == JITSIM_S6A_CMD_ULR);
}

static void
add_imsi(struct tally *t, const char *imsi)
{
	for (unsigned int i = 0; i < t->n_imsis; i++)
		if (strcmp(t->imsis[i], imsi) == 0)
			return;
	assert_true(t->n_imsis < 8);
	snprintf(t->imsis[t->n_imsis++], sizeof(t->imsis[0]), "%s", imsi);
}

static void
on_frame(unsigned int frame_no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct tally *t = ctx;
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;
	bool attach = false;
	unsigned int steps = 0;

	(void)frame_no;
	jitsim_frame_iter_init(&it, (uint32_t)dlt, p, len, &t->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		assert_true(r < JITSIM_R_MAX);
		assert_true(++steps < 10000);
		if (r != JITSIM_R_OK)
			continue;
		t->msgs++;
		if (!is_attach(&m))
			continue;
		attach = true;
		/* An SAI in a Continue asking for more vectors has no argument
		 * (gprs_attach frame 6): the IMSI came with the Begin. */
		if (m.has_imsi)
			add_imsi(t, m.imsi->d);
	}
	t->attach_frames += attach;
}

static void
test_capture(void **state)
{
	const struct expect *e = *state;
	static struct tally t;
	unsigned int n_expected = 0;

	memset(&t, 0, sizeof(t));
	jitsim_frame_reasm_init(&t.reasm);
	assert_true(test_capture_foreach(e->file, on_frame, &t) > 0);
	print_message("%s: %u messages, %u attach-type frames\n", e->file, t.msgs, t.attach_frames);
	assert_int_equal(t.attach_frames, e->attach_frames);
	for (; n_expected < MAX_IMSIS && e->imsis[n_expected]; n_expected++) {
		bool found = false;

		for (unsigned int i = 0; i < t.n_imsis; i++)
			found |= strcmp(t.imsis[i], e->imsis[n_expected]) == 0;
		if (!found)
			fail_msg("%s: IMSI %s not found", e->file, e->imsis[n_expected]);
	}
	assert_int_equal(t.n_imsis, n_expected);
}

int
main(void)
{
	struct CMUnitTest tests[sizeof(expects) / sizeof(expects[0])];

	for (size_t i = 0; i < sizeof(expects) / sizeof(expects[0]); i++) {
		tests[i] = (struct CMUnitTest){
			.name = expects[i].file,
			.test_func = test_capture,
			.initial_state = &expects[i],
		};
	}
	return _cmocka_run_group_tests("traces", tests, sizeof(tests) / sizeof(tests[0]), NULL,
				       NULL);
}
