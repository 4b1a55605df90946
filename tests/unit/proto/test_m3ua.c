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
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/sctp.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

/* The M3UA message of frame @p no; *frame gets the buffer to free. */
static const uint8_t *
load_m3ua(const char *file, unsigned int no, size_t *len, uint8_t **frame)
{
	struct {
		uint8_t *buf;
		size_t len;
		int dlt;
	} pk;
	const uint8_t *u;
	uint32_t ppid = 0;
	pk.buf = test_pcap_frame(file, no, &pk.len, &pk.dlt);
	u = test_sctp_user_data(pk.dlt, pk.buf, pk.len, len, &ppid);
	assert_non_null(u);
	assert_int_equal(ppid, JITSIM_PPID_M3UA);
	*frame = pk.buf;
	return u;
}

static enum jitsim_reason
m3ua_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_m3ua_decode(p, len, ctx);
}

/* ---- real messages ------------------------------------------------------------ */

/*
 * map_pcapr_lu_ul.pcap frame 1, tshark: version 1, Transfer (1) DATA (1),
 * length 128; Routing context 3113; Protocol data length 110: OPC 2105,
 * DPC 3113, SI SCCP (3), NI national (2), MP 0, SLS 2, 94 bytes of SCCP,
 * then 2 bytes of padding.
 */
static void
test_data_lu_ul(void **state)
{
	struct jitsim_m3ua m;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_m3ua("map_pcapr_lu_ul.pcap", 1, &len, &frame);
	assert_int_equal(len, 128);
	assert_int_equal(test_decode_exact(u, len, m3ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_m3ua_decode(u, len, &m), JITSIM_R_OK);
	assert_int_equal(m.version, 1);
	assert_int_equal(m.msg_class, JITSIM_M3UA_CLASS_XFER);
	assert_int_equal(m.msg_type, JITSIM_M3UA_XFER_DATA);
	assert_int_equal(m.length, 128);
	assert_true(m.has_rc);
	assert_int_equal(m.rc, 3113);
	assert_false(m.has_na);
	assert_true(m.has_pd);
	assert_int_equal(m.opc, 2105);
	assert_int_equal(m.dpc, 3113);
	assert_int_equal(m.si, 3);
	assert_int_equal(m.ni, 2);
	assert_int_equal(m.mp, 0);
	assert_int_equal(m.sls, 2);
	assert_ptr_equal(m.data, u + 8 + 8 + 4 + 12);
	assert_int_equal(m.data_len, 94);
	assert_memory_equal(m.data, "\x09\x80\x03\x0b", 4); /* SCCP UDT */
	test_truncations(u, len, m3ua_fn, &m, NULL);
	free(frame);
}

/*
 * map_wswiki_sai_ul_cl_nossn.pcap frame 1: Network Appearance 8 before
 * Routing Context 2000 (RFC 4666 3.3.1 order); OPC 13869972, DPC 13864703
 * (24-bit values in the 32-bit fields), SLS 231; Protocol Data length 104.
 */
static void
test_data_na_rc(void **state)
{
	struct jitsim_m3ua m;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_m3ua("map_wswiki_sai_ul_cl_nossn.pcap", 1, &len, &frame);
	assert_int_equal(jitsim_m3ua_decode(u, len, &m), JITSIM_R_OK);
	assert_true(m.has_na);
	assert_int_equal(m.na, 8);
	assert_true(m.has_rc);
	assert_int_equal(m.rc, 2000);
	assert_int_equal(m.opc, 13869972);
	assert_int_equal(m.dpc, 13864703);
	assert_int_equal(m.sls, 231);
	assert_int_equal(m.data_len, 104 - 16);
	test_truncations(u, len, m3ua_fn, &m, NULL);
	free(frame);
}

/*
 * map_pcapr_gprs_attach_sai_ugl.pcap frame 4: Protocol Data only (length
 * 119: 103 bytes of data, 1 byte of padding), OPC 75874, DPC 75836, SLS 14.
 */
static void
test_data_pd_only_odd(void **state)
{
	struct jitsim_m3ua m;
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	(void)state;
	u = load_m3ua("map_pcapr_gprs_attach_sai_ugl.pcap", 4, &len, &frame);
	assert_int_equal(jitsim_m3ua_decode(u, len, &m), JITSIM_R_OK);
	assert_false(m.has_rc);
	assert_false(m.has_na);
	assert_int_equal(m.opc, 75874);
	assert_int_equal(m.dpc, 75836);
	assert_int_equal(m.sls, 14);
	/* The parameter length bounds the data: the padding byte is excluded. */
	assert_int_equal(m.data_len, 103);
	assert_ptr_equal(m.data + m.data_len, u + len - 1);
	free(frame);
}

/* ---- synthetic messages -------------------------------------------------------- */

static size_t
hex(const char *h, uint8_t *p)
{
	return test_hex(h, p, 128);
}

static void
test_rc_list_and_padding(void **state)
{
	struct jitsim_m3ua m;
	uint8_t p[128];
	size_t n;

	(void)state;
	/* Two routing contexts: the first is kept. Correlation Id skipped. */
	n = hex("01000101 00000030 0006 000c 00000005 00000006 0013 0008 00000099 "
		"0210 0011 00000001 00000002 03 02 01 0f aa 000000",
		p);
	assert_int_equal(n, 48);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_OK);
	assert_true(m.has_rc);
	assert_int_equal(m.rc, 5);
	assert_int_equal(m.opc, 1);
	assert_int_equal(m.dpc, 2);
	assert_int_equal(m.si, 3);
	assert_int_equal(m.ni, 2);
	assert_int_equal(m.mp, 1);
	assert_int_equal(m.sls, 15);
	assert_int_equal(m.data_len, 1);
	test_truncations(p, n, m3ua_fn, &m, NULL);

	/* Last padding left out (message length 45): tolerated. */
	p[7] = 45;
	assert_int_equal(test_decode_exact(p, 45, m3ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.data_len, 1);
	/* A second message after the first is not looked at. */
	p[7] = 48;
	memcpy(p + 48, "\x02\x00\x00\x00", 4);
	assert_int_equal(test_decode_exact(p, 52, m3ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.length, 48);
	/* Two Routing Context parameters, two Protocol Data: the first of each. */
	n = hex("01000101 00000038 0006 0008 00000005 0006 0008 00000006 "
		"0210 0010 00000001 00000002 03020000 0210 0010 00000007 00000008 03020000",
		p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.rc, 5);
	assert_int_equal(m.opc, 1);
	assert_int_equal(m.dpc, 2);
	/* Empty user data is still a Protocol Data. */
	n = hex("01000101 00000018 0210 0010 00000001 00000002 03020000", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_OK);
	assert_int_equal(m.data_len, 0);
}

static void
test_not_data(void **state)
{
	static const char *const msgs[] = {
		"01000301 00000008",			/* ASPSM ASP Up */
		"01000306 00000008",			/* ASPSM Heartbeat Ack */
		"01000401 00000010 0006 0008 00000001", /* ASPTM ASP Active */
		"01000201 00000010 0012 0008 00000c29", /* SSNM DUNA */
		"01000001 00000010 000d 0008 00010002", /* MGMT Notify */
		"01000901 00000008",			/* RKM REG REQ */
		"01000102 00000008",			/* Transfer class, unknown type */
	};
	struct jitsim_m3ua m;
	uint8_t p[64];

	(void)state;
	for (size_t i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		size_t n = hex(msgs[i], p);

		assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_NOT_DATA);
		assert_int_equal(m.version, 1);
		assert_int_equal(m.msg_class, p[2]);
		assert_int_equal(m.msg_type, p[3]);
		assert_int_equal(m.length, n);
		assert_false(m.has_pd);
		test_truncations(p, n, m3ua_fn, &m, NULL);
	}
}

static void
test_errors(void **state)
{
	struct jitsim_m3ua m;
	uint8_t p[128];
	size_t n;

	(void)state;
	/* No Protocol Data: RC only, or nothing at all. */
	n = hex("01000101 00000010 0006 0008 00000001", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_NO_PROTOCOL_DATA);
	assert_true(m.has_rc);
	n = hex("01000101 00000008", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_NO_PROTOCOL_DATA);

	/* Version. */
	for (unsigned int v = 0; v < 256; v++) {
		if (v == 1)
			continue;
		p[0] = (uint8_t)v;
		assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD_VERSION);
	}
	p[0] = 1;

	/* Lengths: message < header, message past the data, input < header. */
	p[7] = 7;
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	p[7] = 9;
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(p, 7, m3ua_fn, &m), JITSIM_R_TRUNCATED);

	n = hex("01000101 0000001c 0210 0011 00000001 00000002 03020000 41 000000", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_OK);
	p[11] = 3; /* parameter length < 4 */
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	p[11] = 0x15; /* parameter past the message */
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	p[11] = 0x0f; /* Protocol Data shorter than OPC..SLS */
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	p[11] = 0x11;
	/* 1..3 stray bytes after the last parameter. */
	n = hex("01000101 0000001b 0210 0010 00000001 00000002 03020000 000000", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	p[7] = 0x18;
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_OK);
	/* Network Appearance of the wrong size; Routing Context of 3 and 6 bytes. */
	n = hex("01000101 00000010 0200 0006 0008 0000", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	n = hex("01000101 00000010 0006 0007 000000 00", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
	n = hex("01000101 00000014 0006 000a 00000001 0002 0000", p);
	assert_int_equal(test_decode_exact(p, n, m3ua_fn, &m), JITSIM_R_M3UA_BAD);
}

/* ---- every M3UA message of the captures ------------------------------------- */

struct m3ua_row {
	const char *file;
	unsigned int frame, length;
	long rc, na;
	unsigned int opc, dpc, si, ni, mp, sls, pd_len;
};

/*
 * tshark -Y m3ua -T fields -e m3ua.message_length -e m3ua.routing_context
 * -e m3ua.network_appearance -e m3ua.protocol_data_* -e m3ua.parameter_length
 * (-1: parameter absent; pd_len: Protocol Data parameter length).
 */
static const struct m3ua_row m3ua_rows[] = {
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 4, 128, -1, -1, 75874, 75836, 3, 2, 0, 14, 119},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 5, 232, -1, -1, 75836, 75874, 3, 2, 0, 13, 223},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 6, 80, -1, -1, 75874, 75836, 3, 2, 1, 14, 70},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 7, 180, -1, -1, 75836, 75874, 3, 2, 0, 14, 170},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 10, 152, -1, -1, 75874, 75836, 3, 2, 1, 15, 143},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 11, 188, -1, -1, 75836, 75874, 3, 2, 0, 9, 179},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 12, 92, -1, -1, 75874, 75836, 3, 2, 1, 15, 82},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 13, 88, -1, -1, 75836, 75874, 3, 2, 0, 9, 80},
	{"map_pcapr_lu_ul.pcap", 1, 128, 3113, -1, 2105, 3113, 3, 2, 0, 2, 110},
	{"map_pcapr_lu_ul.pcap", 2, 176, -1, 0, 3113, 2105, 3, 2, 0, 6, 160},
	{"map_pcapr_lu_ul.pcap", 3, 80, 3113, -1, 2105, 3113, 3, 2, 0, 3, 61},
	{"map_pcapr_lu_ul.pcap", 4, 84, -1, 0, 3113, 2105, 3, 2, 0, 7, 68},
	{"map_pcapr_lu_ul.pcap", 5, 128, 3113, -1, 2105, 3113, 3, 2, 0, 4, 110},
	{"map_pcapr_lu_ul.pcap", 6, 176, -1, 0, 3113, 2105, 3, 2, 0, 2, 160},
	{"map_pcapr_lu_ul.pcap", 7, 80, 3113, -1, 2105, 3113, 3, 2, 0, 5, 61},
	{"map_pcapr_lu_ul.pcap", 8, 84, -1, 0, 3113, 2105, 3, 2, 0, 3, 68},
	{"map_pcapr_srism_single.pcap", 1, 136, 3, -1, 96260, 96515, 3, 2, 0, 6, 119},
	{"map_pcapr_test_ul_sendid_ati.pcap", 8, 148, 101, -1, 8394, 8461, 3, 2, 0, 254, 129},
	{"map_pcapr_test_ul_sendid_ati.pcap", 10, 160, -1, -1, 8461, 8394, 3, 2, 0, 3, 149},
	{"map_pcapr_test_ul_sendid_ati.pcap", 11, 168, 101, -1, 8394, 8461, 3, 2, 0, 0, 149},
	{"map_pcapr_test_ul_sendid_ati.pcap", 42, 120, 101, -1, 8394, 8461, 3, 2, 0, 1, 102},
	{"map_pcapr_test_ul_sendid_ati.pcap", 44, 280, -1, -1, 8461, 8394, 3, 2, 0, 3, 270},
	{"map_pcapr_test_ul_sendid_ati.pcap", 63, 144, 101, -1, 8394, 8461, 3, 2, 0, 4, 126},
	{"map_pcapr_test_ul_sendid_ati.pcap", 65, 116, -1, -1, 8461, 8394, 3, 2, 0, 3, 107},
	{"map_pcapr_test_ul_sendid_ati.pcap", 235, 120, 101, -1, 8394, 8461, 3, 2, 0, 5, 102},
	{"map_pcapr_test_ul_sendid_ati.pcap", 237, 240, -1, -1, 8461, 8394, 3, 2, 0, 3, 231},
	{"map_pcapr_test_ul_sendid_ati.pcap", 239, 144, 101, -1, 8394, 8461, 3, 2, 0, 6, 126},
	{"map_pcapr_test_ul_sendid_ati.pcap", 241, 116, -1, -1, 8461, 8394, 3, 2, 0, 3, 107},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 1, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 231, 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 2, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 221,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 3, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 222,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 4, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 224, 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 5, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 227,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 6, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 228,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 7, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 228, 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 8, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 233,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 9, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 234,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 10, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 239,
	 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 11, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 47,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 12, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 48,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 13, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 156,
	 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 14, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 53,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 15, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 54,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 16, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 226,
	 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 17, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 33,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 18, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 34,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 19, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 255,
	 104},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 20, 128, 2000, -1, 13864703, 13893626, 3, 2, 1, 39,
	 109},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 21, 148, 2000, -1, 13864703, 13893626, 3, 2, 1, 40,
	 130},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 22, 128, 2000, 8, 13869972, 13864703, 3, 2, 0, 242,
	 104},
};

static const char *const m3ua_files[] = {
	"map_pcapr_gprs_attach_sai_ugl.pcap", "map_pcapr_lu_ul.pcap",
	"map_pcapr_srism_single.pcap",	      "map_pcapr_test_ul_sendid_ati.pcap",
	"map_wswiki_sai_ul_cl_nossn.pcap",
};

struct m3ua_sweep {
	const char *file;
	size_t next;
	unsigned int seen, mismatches;
};

static void
m3ua_sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct m3ua_sweep *s = ctx;
	const struct m3ua_row *e;
	struct jitsim_m3ua m;
	const uint8_t *u;
	uint32_t ppid;
	size_t ulen;

	u = test_sctp_user_data(dlt, p, len, &ulen, &ppid);
	if (u == NULL)
		return;
	assert_int_equal(ppid, JITSIM_PPID_M3UA);
	while (s->next < sizeof(m3ua_rows) / sizeof(m3ua_rows[0]) &&
	       strcmp(m3ua_rows[s->next].file, s->file) != 0)
		s->next++;
	assert_true(s->next < sizeof(m3ua_rows) / sizeof(m3ua_rows[0]));
	e = &m3ua_rows[s->next++];
	s->seen++;
	assert_int_equal(no, e->frame);
	assert_int_equal(jitsim_m3ua_decode(u, ulen, &m), JITSIM_R_OK);
	if (m.length != e->length || m.has_rc != (e->rc >= 0) ||
	    (m.has_rc && m.rc != (uint32_t)e->rc) || m.has_na != (e->na >= 0) ||
	    (m.has_na && m.na != (uint32_t)e->na) || m.opc != e->opc || m.dpc != e->dpc ||
	    m.si != e->si || m.ni != e->ni || m.mp != e->mp || m.sls != e->sls ||
	    m.data_len != e->pd_len - 16) {
		print_error("%s frame %u differs from tshark\n", s->file, no);
		s->mismatches++;
	}
}

static void
test_captures_all(void **state)
{
	unsigned int total = 0;

	(void)state;
	for (size_t i = 0; i < sizeof(m3ua_files) / sizeof(m3ua_files[0]); i++) {
		struct m3ua_sweep s = {.file = m3ua_files[i]};

		test_capture_foreach(m3ua_files[i], m3ua_sweep_cb, &s);
		assert_int_equal(s.mismatches, 0);
		total += s.seen;
	}
	assert_int_equal(total, sizeof(m3ua_rows) / sizeof(m3ua_rows[0]));
}

/* ---- encoder ---------------------------------------------------------------------- */

/* Re-encode a captured DATA message from its decoded fields: same bytes. */
static void
reencode(const char *file, unsigned int no)
{
	struct jitsim_m3ua m;
	struct jitsim_wbuf w;
	uint8_t buf[512];
	const uint8_t *u;
	uint8_t *frame;
	size_t len;

	u = load_m3ua(file, no, &len, &frame);
	assert_int_equal(jitsim_m3ua_decode(u, len, &m), JITSIM_R_OK);
	jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
	assert_int_equal(jitsim_wbuf_put(&w, m.data, m.data_len), 0);
	assert_int_equal(jitsim_m3ua_encode_data(&w, &m), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), len);
	assert_memory_equal(jitsim_wbuf_data(&w), u, len);
	free(frame);
}

static void
test_encode_matches_captures(void **state)
{
	(void)state;
	reencode("map_pcapr_lu_ul.pcap", 1);		   /* RC */
	reencode("map_pcapr_lu_ul.pcap", 2);		   /* NA 0 */
	reencode("map_wswiki_sai_ul_cl_nossn.pcap", 1);	   /* NA then RC */
	reencode("map_pcapr_gprs_attach_sai_ugl.pcap", 4); /* PD only, odd */
	reencode("map_pcapr_test_ul_sendid_ati.pcap", 44); /* 254 bytes */
}

static void
test_encode_roundtrip(void **state)
{
	(void)state;
	for (unsigned int opts = 0; opts < 4; opts++) {
		for (size_t n = 0; n <= 6; n++) {
			const struct jitsim_m3ua in = {.has_rc = opts & 1,
						       .rc = 0x01020304,
						       .has_na = (opts & 2) != 0,
						       .na = 0x0a0b0c0d,
						       .opc = 0x00ffffff,
						       .dpc = 1,
						       .si = 3,
						       .ni = 2,
						       .mp = 1,
						       .sls = 255};
			size_t hlen = 8 + 16 + 8 * ((opts & 1) + (opts >> 1));
			size_t pad = (4 - n % 4) % 4;
			struct jitsim_m3ua m;
			struct jitsim_wbuf w;
			uint8_t buf[128];

			jitsim_wbuf_init(&w, buf, sizeof(buf), 48);
			assert_int_equal(jitsim_wbuf_put(&w, "SCCPxx", n), 0);
			assert_int_equal(jitsim_m3ua_encode_data(&w, &in), JITSIM_R_OK);
			assert_int_equal(jitsim_wbuf_len(&w), hlen + n + pad);
			for (size_t i = 0; i < pad; i++)
				assert_int_equal(jitsim_wbuf_data(&w)[hlen + n + i], 0);
			assert_int_equal(
				jitsim_m3ua_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &m),
				JITSIM_R_OK);
			assert_int_equal(m.length, hlen + n + pad);
			assert_int_equal(m.has_rc, in.has_rc);
			assert_int_equal(m.has_na, in.has_na);
			if (m.has_rc)
				assert_int_equal(m.rc, in.rc);
			if (m.has_na)
				assert_int_equal(m.na, in.na);
			assert_int_equal(m.opc, in.opc);
			assert_int_equal(m.dpc, in.dpc);
			assert_int_equal(m.si, 3);
			assert_int_equal(m.ni, 2);
			assert_int_equal(m.mp, 1);
			assert_int_equal(m.sls, 255);
			assert_int_equal(m.data_len, n);
			assert_memory_equal(m.data, "SCCPxx", n);
		}
	}
}

static void
test_encode_nospace(void **state)
{
	const struct jitsim_m3ua in = {.has_rc = true, .rc = 1, .has_na = true, .na = 2};
	const size_t need_head = 8 + 8 + 8 + 16;

	(void)state;
	for (size_t head = 0; head <= need_head; head++) {
		for (size_t tail = 0; tail <= 3; tail++) {
			uint8_t buf[96];
			struct jitsim_wbuf w;
			enum jitsim_reason r;

			jitsim_wbuf_init(&w, buf, head + 5 + tail, head);
			assert_int_equal(jitsim_wbuf_put(&w, "abcde", 5), 0);
			r = jitsim_m3ua_encode_data(&w, &in);
			if (head < need_head || tail < 3) {
				assert_int_equal(r, JITSIM_R_NOSPACE);
				assert_int_equal(jitsim_wbuf_len(&w), 5);
				assert_memory_equal(jitsim_wbuf_data(&w), "abcde", 5);
			} else {
				assert_int_equal(r, JITSIM_R_OK);
				assert_int_equal(jitsim_wbuf_len(&w), need_head + 8);
			}
		}
	}
}

static void
test_encode_bad_length(void **state)
{
	const struct jitsim_m3ua in = {.si = 3};
	const size_t cap = 70000;
	uint8_t *buf = calloc(1, cap);
	struct jitsim_m3ua m;
	struct jitsim_wbuf w;

	(void)state;
	assert_non_null(buf);
	/* The Protocol Data length (16 + data) must fit 16 bits. */
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65520));
	assert_int_equal(jitsim_m3ua_encode_data(&w, &in), JITSIM_R_BAD_LENGTH);
	assert_int_equal(jitsim_wbuf_len(&w), 65520);
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65519));
	assert_int_equal(jitsim_m3ua_encode_data(&w, &in), JITSIM_R_OK);
	assert_int_equal(jitsim_m3ua_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &m),
			 JITSIM_R_OK);
	assert_int_equal(m.data_len, 65519);
	free(buf);
}

static void
test_dump(void **state)
{
	struct jitsim_m3ua m = {.version = 1,
				.msg_class = 1,
				.msg_type = 1,
				.length = 128,
				.has_rc = true,
				.rc = 3113,
				.has_pd = true,
				.opc = 2105,
				.dpc = 3113,
				.si = 3,
				.ni = 2,
				.sls = 2,
				.data_len = 94};
	char buf[160];
	int w;

	(void)state;
	w = jitsim_m3ua_dump(&m, buf, sizeof(buf));
	assert_string_equal(buf, "class=1 type=1 len=128 rc=3113 na=- opc=2105 dpc=3113 si=3 "
				 "ni=2 mp=0 sls=2 data_len=94");
	assert_int_equal(w, (int)strlen(buf));
	assert_int_equal(jitsim_m3ua_dump(&m, NULL, 0), w);
	m = (struct jitsim_m3ua){
		.version = 1, .msg_class = 3, .msg_type = 1, .length = 8, .has_na = true, .na = 8};
	jitsim_m3ua_dump(&m, buf, sizeof(buf));
	assert_string_equal(buf, "class=3 type=1 len=8 rc=- na=8");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_data_lu_ul),
		cmocka_unit_test(test_data_na_rc),
		cmocka_unit_test(test_data_pd_only_odd),
		cmocka_unit_test(test_rc_list_and_padding),
		cmocka_unit_test(test_not_data),
		cmocka_unit_test(test_errors),
		cmocka_unit_test(test_captures_all),
		cmocka_unit_test(test_encode_matches_captures),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_bad_length),
		cmocka_unit_test(test_dump),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
