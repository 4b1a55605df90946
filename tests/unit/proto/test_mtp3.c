/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/mtp3.h>
#include <jitsim/proto/sctp.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

/* SCTP user data of frame @p no; *frame gets the buffer to free. */
static const uint8_t *
load_user_data(const char *file, unsigned int no, uint32_t want_ppid, size_t *len, uint8_t **frame)
{
	const uint8_t *u;
	uint32_t ppid = 0;
	size_t flen;
	int dlt;

	*frame = test_pcap_frame(file, no, &flen, &dlt);
	u = test_sctp_user_data(dlt, *frame, flen, len, &ppid);
	assert_non_null(u);
	assert_int_equal(ppid, want_ppid);
	return u;
}

static enum jitsim_reason
mtp3_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_mtp3_decode(p, len, ctx);
}

static enum jitsim_reason
m2pa_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_m2pa_decode(p, len, ctx);
}

static enum jitsim_reason
m2ua_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_m2ua_decode(p, len, ctx);
}

/* ---- MTP3 ------------------------------------------------------------------ */

/*
 * map_wswiki_cap_mtp3.pcap frame 1 (DLT 141), tshark: SIO 0x83 = NI
 * national (2), spare 0, SI SCCP (3); routing label bytes e3 44 32 31:
 * DPC 1251, OPC 1225, SLS 3.
 */
static void
test_mtp3_raw(void **state)
{
	struct jitsim_mtp3 m;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("map_wswiki_cap_mtp3.pcap", 1, &len, &dlt);
	assert_int_equal(dlt, 141);
	assert_int_equal(test_decode_exact(f, len, mtp3_fn, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_mtp3_decode(f, len, &m), JITSIM_R_OK);
	assert_int_equal(m.sio, 0x83);
	assert_int_equal(m.si, JITSIM_MTP3_SI_SCCP);
	assert_int_equal(m.ni, 2);
	assert_int_equal(m.prio, 0);
	assert_int_equal(m.dpc, 1251);
	assert_int_equal(m.opc, 1225);
	assert_int_equal(m.sls, 3);
	assert_ptr_equal(m.payload, f + 5);
	assert_int_equal(m.payload_len, 35);
	assert_int_equal(m.payload[0], 0x09); /* SCCP UDT */
	/* Every prefix shorter than SIO + label fails; longer ones decode. */
	for (size_t i = 0; i < 5; i++)
		assert_int_equal(test_decode_exact(f, i, mtp3_fn, &m), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(f, 5, mtp3_fn, &m), JITSIM_R_OK);
	free(f);
}

/* Label bit layout (Q.704 2.2): every field at its extreme values. */
static void
test_mtp3_label_bits(void **state)
{
	struct jitsim_mtp3 m;
	uint8_t p[8];

	(void)state;
	/* DPC 0x3fff, OPC 0, SLS 0: ff 3f 00 00 */
	test_hex("c3 ff3f0000", p, sizeof(p));
	assert_int_equal(jitsim_mtp3_decode(p, 5, &m), JITSIM_R_OK);
	assert_int_equal(m.ni, 3);
	assert_int_equal(m.si, 3);
	assert_int_equal(m.dpc, 0x3fff);
	assert_int_equal(m.opc, 0);
	assert_int_equal(m.sls, 0);
	/* OPC 0x3fff: bits 14-27 = 0x0fffc000 -> 00 c0 ff 0f */
	test_hex("31 00c0ff0f", p, sizeof(p));
	assert_int_equal(jitsim_mtp3_decode(p, 5, &m), JITSIM_R_OK);
	assert_int_equal(m.prio, 3);
	assert_int_equal(m.ni, 0);
	assert_int_equal(m.si, 1);
	assert_int_equal(m.dpc, 0);
	assert_int_equal(m.opc, 0x3fff);
	assert_int_equal(m.sls, 0);
	/* SLS 15: bits 28-31 -> 00 00 00 f0 */
	test_hex("00 000000f0", p, sizeof(p));
	assert_int_equal(jitsim_mtp3_decode(p, 5, &m), JITSIM_R_OK);
	assert_int_equal(m.sls, 15);
	assert_int_equal(m.dpc, 0);
	assert_int_equal(m.opc, 0);
	assert_int_equal(m.payload_len, 0);
}

struct mtp3_row {
	unsigned int len, ni, si, dpc, opc, sls;
};

/* tshark -T fields -e frame.len -e mtp3.network_indicator -e ..., every frame. */
static const struct mtp3_row cap_mtp3[] = {
	{40, 2, 3, 1251, 1225, 3},   {40, 2, 3, 1251, 1225, 4},	  {40, 2, 3, 1251, 1225, 5},
	{40, 2, 3, 1251, 1225, 6},   {42, 2, 3, 1225, 1251, 0},	  {42, 2, 3, 1225, 1251, 1},
	{42, 2, 3, 1225, 1251, 2},   {42, 2, 3, 1225, 1251, 3},	  {179, 2, 3, 1251, 1225, 4},
	{128, 2, 3, 1225, 1251, 0},  {275, 2, 3, 1251, 1225, 4},  {73, 2, 3, 1225, 1251, 0},
	{267, 2, 3, 1251, 1225, 4},  {97, 2, 3, 1251, 1225, 4},	  {73, 2, 3, 1225, 1251, 0},
	{73, 2, 3, 1225, 1251, 0},   {83, 2, 3, 1251, 1225, 4},	  {126, 2, 3, 1225, 1251, 1},
	{160, 2, 3, 1251, 1225, 5},  {121, 2, 3, 1225, 1251, 2},  {141, 2, 3, 1251, 1225, 6},
	{128, 2, 3, 1225, 1251, 3},  {271, 2, 3, 1251, 1225, 12}, {73, 2, 3, 1225, 1251, 3},
	{176, 2, 3, 1251, 1225, 12}, {73, 2, 3, 1225, 1251, 3},	  {83, 2, 3, 1251, 1225, 12},
	{204, 2, 3, 1225, 1251, 0},  {147, 2, 3, 1251, 1225, 6},  {135, 2, 3, 1251, 1225, 6},
	{146, 2, 3, 1225, 1251, 0},  {40, 2, 3, 1251, 1225, 7},	  {179, 2, 3, 1251, 1225, 7},
	{128, 2, 3, 1225, 1251, 4},  {275, 2, 3, 1251, 1225, 2},  {73, 2, 3, 1225, 1251, 4},
	{267, 2, 3, 1251, 1225, 2},  {97, 2, 3, 1251, 1225, 2},	  {73, 2, 3, 1225, 1251, 4},
	{73, 2, 3, 1225, 1251, 4},   {83, 2, 3, 1251, 1225, 2},	  {126, 2, 3, 1225, 1251, 5},
	{160, 2, 3, 1251, 1225, 8},  {121, 2, 3, 1225, 1251, 6},  {141, 2, 3, 1251, 1225, 9},
	{128, 2, 3, 1225, 1251, 7},  {271, 2, 3, 1251, 1225, 9},  {73, 2, 3, 1225, 1251, 7},
	{176, 2, 3, 1251, 1225, 9},  {73, 2, 3, 1225, 1251, 7},	  {83, 2, 3, 1251, 1225, 9},
	{204, 2, 3, 1225, 1251, 1},  {147, 2, 3, 1251, 1225, 10}, {135, 2, 3, 1251, 1225, 10},
	{244, 2, 3, 1225, 1251, 1},  {104, 2, 3, 1251, 1225, 10}, {146, 2, 3, 1225, 1251, 1},
	{78, 2, 3, 1251, 1225, 6},
};

struct mtp3_sweep {
	unsigned int n, mismatches;
};

static void
mtp3_sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct mtp3_sweep *s = ctx;
	const struct mtp3_row *e;
	struct jitsim_link l;
	struct jitsim_mtp3 m;

	assert_true(no >= 1 && no <= sizeof(cap_mtp3) / sizeof(cap_mtp3[0]));
	e = &cap_mtp3[no - 1];
	s->n++;
	assert_int_equal(jitsim_link_decode((uint32_t)dlt, p, len, &l), JITSIM_R_OK);
	assert_int_equal(jitsim_mtp3_decode(l.payload, l.payload_len, &m), JITSIM_R_OK);
	if (len != e->len || m.ni != e->ni || m.si != e->si || m.dpc != e->dpc || m.opc != e->opc ||
	    m.sls != e->sls || m.payload_len != len - 5) {
		print_error("frame %u: ni %u si %u dpc %u opc %u sls %u\n", no, m.ni, m.si, m.dpc,
			    m.opc, m.sls);
		s->mismatches++;
	}
}

static void
test_mtp3_capture_all(void **state)
{
	struct mtp3_sweep s = {0};

	(void)state;
	assert_int_equal(test_capture_foreach("map_wswiki_cap_mtp3.pcap", mtp3_sweep_cb, &s), 58);
	assert_int_equal(s.n, 58);
	assert_int_equal(s.mismatches, 0);
}

/* ---- M2PA ------------------------------------------------------------------- */

/*
 * map_pcapr_m2pa_sms.pcap frame 6, tshark: M2PA version 1, class 11, type
 * User Data (1), length 26, BSN 0, FSN 1; the priority octet is 0x09 (PRI
 * bits 0, "spare" 0x09: this stack puts the MTP2 length indicator there);
 * MTP3 SIO 0x01 (NI 0, SI MTN 1), DPC 3, OPC 4536, SLS 0; SLTM H0/H1 0x11.
 */
static void
test_m2pa_user_data(void **state)
{
	struct jitsim_m2pa m;
	struct jitsim_mtp3 l3;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_user_data("map_pcapr_m2pa_sms.pcap", 6, JITSIM_PPID_M2PA, &len, &frame);
	assert_int_equal(len, 26);
	assert_int_equal(test_decode_exact(u, len, m2pa_fn, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_m2pa_decode(u, len, &m), JITSIM_R_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.msg_class, 11);
	assert_int_equal(m.msg_type, 1);
	assert_int_equal(m.length, 26);
	assert_int_equal(m.bsn, 0);
	assert_int_equal(m.fsn, 1);
	assert_int_equal(m.priority, 0x09);
	assert_ptr_equal(m.msu, u + 17);
	assert_int_equal(m.msu_len, 9);
	assert_int_equal(jitsim_mtp3_decode(m.msu, m.msu_len, &l3), JITSIM_R_OK);
	assert_int_equal(l3.sio, 0x01);
	assert_int_equal(l3.si, 1);
	assert_int_equal(l3.ni, 0);
	assert_int_equal(l3.dpc, 3);
	assert_int_equal(l3.opc, 4536);
	assert_int_equal(l3.sls, 0);
	assert_int_equal(l3.payload[0], 0x11);
	test_truncations(u, len, m2pa_fn, &m, NULL);
	free(frame);
}

/*
 * map_pcapr_m2pa_sms.pcap frame 10: User Data, length 125, BSN 1, FSN 2,
 * priority octet 0x01; MTP3 SI SCCP, DPC 4536, OPC 3, SLS 0, 108 bytes.
 */
static void
test_m2pa_user_data_sccp(void **state)
{
	struct jitsim_m2pa m;
	struct jitsim_mtp3 l3;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_user_data("map_pcapr_m2pa_sms.pcap", 10, JITSIM_PPID_M2PA, &len, &frame);
	assert_int_equal(jitsim_m2pa_decode(u, len, &m), JITSIM_R_OK);
	assert_int_equal(m.length, 125);
	assert_int_equal(m.bsn, 1);
	assert_int_equal(m.fsn, 2);
	assert_int_equal(m.priority, 0x01);
	assert_int_equal(m.msu_len, 108);
	assert_int_equal(jitsim_mtp3_decode(m.msu, m.msu_len, &l3), JITSIM_R_OK);
	assert_int_equal(l3.si, JITSIM_MTP3_SI_SCCP);
	assert_int_equal(l3.dpc, 4536);
	assert_int_equal(l3.opc, 3);
	assert_int_equal(l3.payload_len, 103);
	free(frame);
}

/*
 * map_pcapr_m2pa_sms.pcap frame 8: SACK, then a DATA chunk holding an M2PA
 * User Data with no data (length 16, BSN 1, FSN 1): an acknowledgement.
 */
static void
test_m2pa_ack_only(void **state)
{
	struct jitsim_m2pa m;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_user_data("map_pcapr_m2pa_sms.pcap", 8, JITSIM_PPID_M2PA, &len, &frame);
	assert_int_equal(len, 16);
	assert_int_equal(test_decode_exact(u, len, m2pa_fn, &m), JITSIM_R_M2PA_NOT_DATA);
	assert_int_equal(jitsim_m2pa_decode(u, len, &m), JITSIM_R_M2PA_NOT_DATA);
	assert_int_equal(m.msg_type, 1);
	assert_int_equal(m.length, 16);
	assert_int_equal(m.bsn, 1);
	assert_int_equal(m.fsn, 1);
	assert_null(m.msu);
	assert_int_equal(m.msu_len, 0);
	free(frame);
}

static void
test_m2pa_link_status_and_errors(void **state)
{
	struct jitsim_m2pa m;
	uint8_t p[64];
	size_t n;

	(void)state;
	/* RFC 4165 2.3.2 Link Status "In Service" (4); no capture has one. */
	n = test_hex("01000b02 00000014 00000007 00000009 00000004", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_NOT_DATA);
	assert_int_equal(m.msg_type, 2);
	assert_int_equal(m.length, 20);
	assert_int_equal(m.bsn, 7);
	assert_int_equal(m.fsn, 9);
	assert_null(m.msu);

	n = test_hex("01000b01 00000016 00000000 00000001 00 83e34432 31", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.msu_len, 5);
	/* Bytes after the M2PA length are not part of the message. */
	assert_int_equal(test_decode_exact(p, n + 3, m2pa_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.msu_len, 5);

	p[0] = 2; /* version */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_BAD);
	p[0] = 1;
	p[2] = 10; /* class 10 */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_BAD);
	p[2] = 11;
	p[3] = 3; /* unknown type */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_BAD);
	p[3] = 1;
	p[7] = 15; /* length below the M2PA header */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_BAD);
	p[7] = 17; /* a priority octet and no MSU */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_M2PA_BAD);
	p[7] = 23; /* past the data */
	assert_int_equal(test_decode_exact(p, n, m2pa_fn, &m), JITSIM_R_TRUNCATED);
	p[7] = 22;
	assert_int_equal(test_decode_exact(p, 7, m2pa_fn, &m), JITSIM_R_TRUNCATED);
	test_truncations(p, n, m2pa_fn, &m, NULL);
}

struct m2pa_row {
	unsigned int frame, length, bsn, fsn;
	bool msu;
	unsigned int si, dpc, opc, sls;
};

/* tshark -Y m2pa -T fields -e m2pa.length -e m2pa.bsn -e m2pa.fsn -e mtp3.* */
static const struct m2pa_row m2pa_sms[] = {
	{6, 26, 0, 1, true, 1, 3, 4536, 0},	{7, 26, 1, 1, true, 1, 4536, 3, 0},
	{8, 16, 1, 1, false, 0, 0, 0, 0},	{10, 125, 1, 2, true, 3, 4536, 3, 0},
	{11, 16, 2, 1, false, 0, 0, 0, 0},	{12, 141, 2, 2, true, 3, 3, 4536, 4},
	{14, 269, 2, 3, true, 3, 4536, 3, 1},	{15, 92, 2, 4, true, 3, 4536, 3, 2},
	{17, 16, 4, 2, false, 0, 0, 0, 0},	{18, 92, 4, 3, true, 3, 3, 4536, 0},
	{21, 269, 4, 4, true, 3, 3, 4536, 9},	{25, 26, 4, 5, true, 1, 3, 4536, 0},
	{26, 26, 5, 5, true, 1, 4536, 3, 0},	{27, 16, 5, 5, false, 0, 0, 0, 0},
	{29, 269, 5, 6, true, 3, 4536, 3, 3},	{30, 92, 5, 7, true, 3, 4536, 3, 4},
	{32, 16, 7, 5, false, 0, 0, 0, 0},	{33, 92, 7, 6, true, 3, 3, 4536, 2},
	{35, 269, 7, 7, true, 3, 3, 4536, 15},	{38, 26, 7, 8, true, 1, 3, 4536, 0},
	{39, 26, 8, 8, true, 1, 4536, 3, 0},	{40, 16, 8, 8, false, 0, 0, 0, 0},
	{43, 269, 8, 9, true, 3, 4536, 3, 5},	{44, 92, 8, 10, true, 3, 4536, 3, 6},
	{46, 16, 10, 8, false, 0, 0, 0, 0},	{47, 92, 10, 9, true, 3, 3, 4536, 2},
	{49, 269, 10, 10, true, 3, 3, 4536, 9},
};

static const struct m2pa_row m2pa_xudt[] = {
	{1, 290, 1, 2, true, 3, 902, 900, 3},	 {2, 290, 1, 3, true, 3, 902, 900, 3},
	{3, 204, 1, 4, true, 3, 902, 900, 3},	 {4, 41, 4, 3, true, 3, 900, 902, 10},
	{5, 41, 4, 4, true, 3, 900, 902, 11},	 {6, 41, 4, 5, true, 3, 900, 902, 12},
	{7, 41, 4, 6, true, 3, 900, 902, 13},	 {8, 41, 4, 7, true, 3, 900, 902, 14},
	{9, 41, 7, 6, true, 3, 902, 900, 0},	 {10, 41, 7, 7, true, 3, 902, 900, 1},
	{11, 41, 7, 8, true, 3, 902, 900, 2},	 {12, 41, 7, 9, true, 3, 902, 900, 3},
	{13, 41, 7, 10, true, 3, 902, 900, 4},	 {14, 290, 8, 12, true, 3, 902, 900, 3},
	{15, 290, 8, 13, true, 3, 902, 900, 3},	 {16, 204, 8, 14, true, 3, 902, 900, 3},
	{17, 284, 14, 9, true, 3, 900, 902, 3},	 {18, 284, 14, 10, true, 3, 900, 902, 3},
	{19, 198, 14, 11, true, 3, 900, 902, 3},
};

struct m2pa_sweep {
	const struct m2pa_row *rows;
	size_t n_rows, next;
	unsigned int mismatches, prio_nonzero;
};

static void
m2pa_sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct m2pa_sweep *s = ctx;
	const struct m2pa_row *e;
	enum jitsim_reason r;
	struct jitsim_m2pa m;
	struct jitsim_mtp3 l3;
	const uint8_t *u;
	uint32_t ppid;
	size_t ulen;

	u = test_sctp_user_data(dlt, p, len, &ulen, &ppid);
	if (u == NULL)
		return;
	assert_int_equal(ppid, JITSIM_PPID_M2PA);
	assert_true(s->next < s->n_rows);
	e = &s->rows[s->next++];
	assert_int_equal(no, e->frame);
	r = jitsim_m2pa_decode(u, ulen, &m);
	assert_int_equal(r, e->msu ? JITSIM_R_OK : JITSIM_R_M2PA_NOT_DATA);
	if (m.length != e->length || m.bsn != e->bsn || m.fsn != e->fsn)
		s->mismatches++;
	if (!e->msu)
		return;
	s->prio_nonzero += m.priority != 0;
	assert_int_equal(jitsim_mtp3_decode(m.msu, m.msu_len, &l3), JITSIM_R_OK);
	if (l3.si != e->si || l3.dpc != e->dpc || l3.opc != e->opc || l3.sls != e->sls)
		s->mismatches++;
}

static void
test_m2pa_captures_all(void **state)
{
	struct m2pa_sweep s = {.rows = m2pa_sms, .n_rows = sizeof(m2pa_sms) / sizeof(m2pa_sms[0])};

	(void)state;
	test_capture_foreach("map_pcapr_m2pa_sms.pcap", m2pa_sweep_cb, &s);
	assert_int_equal(s.next, 27);
	assert_int_equal(s.mismatches, 0);
	/* Every MSU of this stack has the MTP2 LI (or 1) in the priority octet. */
	assert_int_equal(s.prio_nonzero, 20);

	s = (struct m2pa_sweep){.rows = m2pa_xudt,
				.n_rows = sizeof(m2pa_xudt) / sizeof(m2pa_xudt[0])};
	test_capture_foreach("map_pcapr_xudt_segmented_nonmap_acn.pcap", m2pa_sweep_cb, &s);
	assert_int_equal(s.next, 19);
	assert_int_equal(s.mismatches, 0);
	assert_int_equal(s.prio_nonzero, 0);
}

/* ---- M2UA -------------------------------------------------------------------- */

/*
 * map_wswiki_ussd.pcap frame 1, tshark: M2UA version 1, class MAUP (6), type
 * DATA (1), length 156; one parameter: Protocol Data 1 (0x0300), length 146,
 * padding 2 (no Interface Identifier); MTP3 SIO 0x83 (NI 2, SI SCCP),
 * DPC 8744, OPC 1041, SLS 2.
 */
static void
test_m2ua_data(void **state)
{
	struct jitsim_m2ua m;
	struct jitsim_mtp3 l3;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_user_data("map_wswiki_ussd.pcap", 1, JITSIM_PPID_M2UA, &len, &frame);
	assert_int_equal(len, 156);
	assert_int_equal(test_decode_exact(u, len, m2ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_m2ua_decode(u, len, &m), JITSIM_R_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.msg_class, 6);
	assert_int_equal(m.msg_type, 1);
	assert_int_equal(m.length, 156);
	assert_false(m.has_iid);
	assert_ptr_equal(m.msu, u + 12);
	assert_int_equal(m.msu_len, 142);
	assert_int_equal(jitsim_mtp3_decode(m.msu, m.msu_len, &l3), JITSIM_R_OK);
	assert_int_equal(l3.sio, 0x83);
	assert_int_equal(l3.ni, 2);
	assert_int_equal(l3.si, JITSIM_MTP3_SI_SCCP);
	assert_int_equal(l3.dpc, 8744);
	assert_int_equal(l3.opc, 1041);
	assert_int_equal(l3.sls, 2);
	assert_int_equal(l3.payload[0], 0x09); /* SCCP UDT */
	test_truncations(u, len, m2ua_fn, &m, NULL);
	free(frame);
}

static void
test_m2ua_iid_and_errors(void **state)
{
	struct jitsim_m2ua m;
	uint8_t p[64];
	size_t n;

	(void)state;
	/* IID (integer) 7, Protocol Data 1 of 6 bytes (+2 padding), Correlation Id. */
	n = test_hex("01000601 00000024 0001 0008 00000007 0300 000a 83e344323109 0000 "
		     "0013 0008 00000001",
		     p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_m2ua_decode(p, n, &m), JITSIM_R_OK);
	assert_true(m.has_iid);
	assert_int_equal(m.iid, 7);
	assert_ptr_equal(m.msu, p + 20);
	assert_int_equal(m.msu_len, 6);
	test_truncations(p, n, m2ua_fn, &m, NULL);

	/* The last padding left out is tolerated. */
	n = test_hex("01000601 00000014 0300 000a 83e344323109 0000", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_OK);
	assert_false(m.has_iid);
	p[7] = 0x12;
	assert_int_equal(test_decode_exact(p, n - 2, m2ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.msu_len, 6);
	p[7] = 0x14;

	/* Errors. */
	p[0] = 2;
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[0] = 1;
	p[7] = 7; /* message length < common header */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[7] = 0x15; /* past the data */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_TRUNCATED);
	p[7] = 0x14;
	p[11] = 3; /* parameter length < 4 */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[11] = 0x0d; /* parameter length past the message */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[11] = 4; /* empty Protocol Data 1 */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[11] = 0x0a;
	p[9] = 0x01; /* Protocol Data 2 (TTC) only: no PD1 */
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	p[9] = 0x00;
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_OK);
	/* 1..3 stray bytes after the parameters, inside the message length. */
	n = test_hex("01000601 00000013 0300 0008 83e34432 000000", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	/* IID of the wrong size. */
	n = test_hex("01000601 00000018 0001 0006 0007 0000 0300 0005 83 000000", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_BAD);
	assert_int_equal(test_decode_exact(p, 7, m2ua_fn, &m), JITSIM_R_TRUNCATED);
}

static void
test_m2ua_not_data(void **state)
{
	static const char *const msgs[] = {
		"01000602 0000000c 00010008", /* MAUP Establish Request */
		"01000301 00000008",	      /* ASPSM ASP Up */
		"01000401 00000008",	      /* ASPTM ASP Active */
		"01000001 00000008",	      /* MGMT Notify */
		"01000a01 00000008",	      /* IIM Registration Request */
	};
	struct jitsim_m2ua m;
	uint8_t p[32];

	(void)state;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		size_t n = test_hex(msgs[i], p, sizeof(p));

		assert_int_equal(test_decode_exact(p, n, m2ua_fn, &m), JITSIM_R_M2UA_NOT_DATA);
		assert_int_equal(m.version, 1);
		assert_int_equal(m.msg_class, p[2]);
		assert_int_equal(m.msg_type, p[3]);
		assert_int_equal(m.length, n);
		assert_null(m.msu);
	}
}

/* ---- dumps ------------------------------------------------------------------- */

static void
test_dumps(void **state)
{
	const struct jitsim_mtp3 l3 = {
		.si = 3, .ni = 2, .dpc = 1251, .opc = 1225, .sls = 3, .payload_len = 35};
	const struct jitsim_m2pa pa = {.msg_class = 11,
				       .msg_type = 1,
				       .length = 26,
				       .bsn = 0,
				       .fsn = 1,
				       .priority = 9,
				       .msu_len = 9};
	struct jitsim_m2ua ua = {.msg_class = 6, .msg_type = 1, .length = 156, .msu_len = 142};
	char buf[128];
	int w;

	(void)state;
	w = jitsim_mtp3_dump(&l3, buf, sizeof(buf));
	assert_string_equal(buf, "si=3 ni=2 prio=0 opc=1225 dpc=1251 sls=3 len=35");
	assert_int_equal(w, (int)strlen(buf));
	assert_int_equal(jitsim_mtp3_dump(&l3, NULL, 0), w);
	jitsim_m2pa_dump(&pa, buf, sizeof(buf));
	assert_string_equal(buf, "class=11 type=1 len=26 bsn=0 fsn=1 prio=0x09 msu_len=9");
	jitsim_m2ua_dump(&ua, buf, sizeof(buf));
	assert_string_equal(buf, "class=6 type=1 len=156 iid=- msu_len=142");
	ua.has_iid = true;
	ua.iid = 7;
	w = jitsim_m2ua_dump(&ua, buf, 10);
	assert_string_equal(buf, "class=6 t");
	assert_int_equal(w, (int)strlen("class=6 type=1 len=156 iid=7 msu_len=142"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_mtp3_raw),
		cmocka_unit_test(test_mtp3_label_bits),
		cmocka_unit_test(test_mtp3_capture_all),
		cmocka_unit_test(test_m2pa_user_data),
		cmocka_unit_test(test_m2pa_user_data_sccp),
		cmocka_unit_test(test_m2pa_ack_only),
		cmocka_unit_test(test_m2pa_link_status_and_errors),
		cmocka_unit_test(test_m2pa_captures_all),
		cmocka_unit_test(test_m2ua_data),
		cmocka_unit_test(test_m2ua_iid_and_errors),
		cmocka_unit_test(test_m2ua_not_data),
		cmocka_unit_test(test_dumps),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
