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

#include <jitsim/proto/bytes.h>

#include "m3ua_mgmt.h"

/* Every message the codec knows, with every parameter it allows set. */
static const struct {
	uint8_t cls, type;
} all_msgs[] = {
	{JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_ERR},
	{JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_NTFY},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAVA},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAUD},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_SCON},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUPU},
	{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DRST},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP_ACK},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN_ACK},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK},
	{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC},
	{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA},
	{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC_ACK},
	{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA_ACK},
};
#define N_MSGS (sizeof(all_msgs) / sizeof(all_msgs[0]))

static const uint8_t hb_data[] = {1, 2, 3, 4, 5};	  /* odd length: padding */
static const uint8_t diag_data[] = {9, 8, 7, 6, 5, 4, 3}; /* likewise */
static const uint8_t info_data[] = "jitsim";

static void
fill_all(struct jitsim_m3ua_mgmt *m, uint8_t cls, uint8_t type)
{
	jitsim_m3ua_mgmt_init(m, cls, type);
	m->present = 0x1fff; /* every JITSIM_M3UA_P_* bit */
	m->n_rc = 2;
	m->rc[0] = 7;
	m->rc[1] = 0xfffffffe;
	m->na = 8;
	m->traffic_mode = JITSIM_M3UA_TMT_LOADSHARE;
	m->asp_id = 0x01020304;
	m->error_code = JITSIM_M3UA_ERR_INVALID_RC;
	m->status_type = JITSIM_M3UA_NTFY_AS_STATE_CHANGE;
	m->status_info = JITSIM_M3UA_AS_ACTIVE;
	m->n_apc = 3;
	m->apc[0] = JITSIM_M3UA_APC(0, 0x001701);
	m->apc[1] = JITSIM_M3UA_APC(8, 0x002300);
	m->apc[2] = JITSIM_M3UA_APC(0, 0xffffff);
	m->concerned_dest = 0x00abcdef;
	m->cong_level = 2;
	m->cause = 2;
	m->user = 3;
	m->heartbeat = hb_data;
	m->heartbeat_len = sizeof(hb_data);
	m->diagnostic = diag_data;
	m->diagnostic_len = sizeof(diag_data);
	m->info = info_data;
	m->info_len = sizeof(info_data) - 1;
}

/* Parameters RFC 4666 allows per message (what survives a round trip). */
static uint32_t
allowed(uint8_t cls, uint8_t type)
{
	const uint32_t ssnm = JITSIM_M3UA_P_NA | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_AFFECTED_PC |
			      JITSIM_M3UA_P_INFO_STRING;

	switch (cls << 8 | type) {
	case JITSIM_M3UA_CLASS_MGMT << 8 | JITSIM_M3UA_MGMT_ERR:
		return JITSIM_M3UA_P_ERROR_CODE | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_NA |
		       JITSIM_M3UA_P_AFFECTED_PC | JITSIM_M3UA_P_DIAGNOSTIC;
	case JITSIM_M3UA_CLASS_MGMT << 8 | JITSIM_M3UA_MGMT_NTFY:
		return JITSIM_M3UA_P_STATUS | JITSIM_M3UA_P_ASP_ID | JITSIM_M3UA_P_RC |
		       JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_SCON:
		return ssnm | JITSIM_M3UA_P_CONCERNED_DEST | JITSIM_M3UA_P_CONGESTION;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DUPU:
		return ssnm | JITSIM_M3UA_P_USER_CAUSE;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP_ACK:
		return JITSIM_M3UA_P_ASP_ID | JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN_ACK:
		return JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_BEAT:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_BEAT_ACK:
		return JITSIM_M3UA_P_HEARTBEAT;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC:
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC_ACK:
		return JITSIM_M3UA_P_TRAFFIC_MODE | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA:
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA_ACK:
		return JITSIM_M3UA_P_RC | JITSIM_M3UA_P_INFO_STRING;
	default: /* DUNA, DAVA, DAUD, DRST */
		return ssnm;
	}
}

static size_t
encode(const struct jitsim_m3ua_mgmt *m, uint8_t *buf, size_t cap)
{
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, buf, cap, 0);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, m), JITSIM_R_OK);
	return jitsim_wbuf_len(&w);
}

static void
check_equal(const struct jitsim_m3ua_mgmt *in, const struct jitsim_m3ua_mgmt *out, uint32_t p)
{
	assert_int_equal(out->present, p);
	assert_int_equal(out->msg_class, in->msg_class);
	assert_int_equal(out->msg_type, in->msg_type);
	assert_int_equal(out->err_code, 0);
	if (p & JITSIM_M3UA_P_RC) {
		assert_int_equal(out->n_rc, in->n_rc);
		assert_memory_equal(out->rc, in->rc, in->n_rc * sizeof(in->rc[0]));
	}
	if (p & JITSIM_M3UA_P_NA)
		assert_int_equal(out->na, in->na);
	if (p & JITSIM_M3UA_P_TRAFFIC_MODE)
		assert_int_equal(out->traffic_mode, in->traffic_mode);
	if (p & JITSIM_M3UA_P_ASP_ID)
		assert_int_equal(out->asp_id, in->asp_id);
	if (p & JITSIM_M3UA_P_ERROR_CODE)
		assert_int_equal(out->error_code, in->error_code);
	if (p & JITSIM_M3UA_P_STATUS) {
		assert_int_equal(out->status_type, in->status_type);
		assert_int_equal(out->status_info, in->status_info);
	}
	if (p & JITSIM_M3UA_P_AFFECTED_PC) {
		assert_int_equal(out->n_apc, in->n_apc);
		assert_memory_equal(out->apc, in->apc, in->n_apc * sizeof(in->apc[0]));
	}
	if (p & JITSIM_M3UA_P_CONCERNED_DEST)
		assert_int_equal(out->concerned_dest, in->concerned_dest);
	if (p & JITSIM_M3UA_P_CONGESTION)
		assert_int_equal(out->cong_level, in->cong_level);
	if (p & JITSIM_M3UA_P_USER_CAUSE) {
		assert_int_equal(out->cause, in->cause);
		assert_int_equal(out->user, in->user);
	}
	if (p & JITSIM_M3UA_P_HEARTBEAT) {
		assert_int_equal(out->heartbeat_len, in->heartbeat_len);
		assert_memory_equal(out->heartbeat, in->heartbeat, in->heartbeat_len);
	}
	if (p & JITSIM_M3UA_P_DIAGNOSTIC) {
		assert_int_equal(out->diagnostic_len, in->diagnostic_len);
		assert_memory_equal(out->diagnostic, in->diagnostic, in->diagnostic_len);
	}
	if (p & JITSIM_M3UA_P_INFO_STRING) {
		assert_int_equal(out->info_len, in->info_len);
		assert_memory_equal(out->info, in->info, in->info_len);
	}
}

static void
test_round_trip_all(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		struct jitsim_m3ua_mgmt in, out;
		uint8_t buf[512];
		size_t n;

		fill_all(&in, all_msgs[i].cls, all_msgs[i].type);
		n = encode(&in, buf, sizeof(buf));
		assert_int_equal(n % 4, 0);
		assert_int_equal(jitsim_get_be32(buf + 4), n);
		assert_int_equal(jitsim_m3ua_mgmt_decode(buf, n, &out), JITSIM_R_OK);
		check_equal(&in, &out, allowed(in.msg_class, in.msg_type));
		/* Only the mandatory parameters: still a valid message. */
		in.present &= 0;
		if (in.msg_class == JITSIM_M3UA_CLASS_MGMT)
			in.present = in.msg_type == JITSIM_M3UA_MGMT_ERR ? JITSIM_M3UA_P_ERROR_CODE
									 : JITSIM_M3UA_P_STATUS;
		else if (in.msg_class == JITSIM_M3UA_CLASS_SSNM)
			in.present =
				JITSIM_M3UA_P_AFFECTED_PC |
				(in.msg_type == JITSIM_M3UA_SSNM_DUPU ? JITSIM_M3UA_P_USER_CAUSE
								      : 0);
		n = encode(&in, buf, sizeof(buf));
		assert_int_equal(jitsim_m3ua_mgmt_decode(buf, n, &out), JITSIM_R_OK);
		check_equal(&in, &out, in.present);
	}
}

/* RFC 4666 examples written out by hand, byte for byte. */
static void
test_golden(void **state)
{
	static const uint8_t aspac[] = {
		0x01, 0x00, 0x04, 0x01, 0x00, 0x00, 0x00, 0x18, /* ASPTM ASPAC, 24 */
		0x00, 0x0b, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, /* TMT loadshare */
		0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x02, /* RC 2 */
	};
	static const uint8_t beat_ack[] = {
		0x01, 0x00, 0x03, 0x06, 0x00, 0x00, 0x00, 0x10, /* ASPSM BEAT_ACK, 16 */
		0x00, 0x09, 0x00, 0x07, 0xaa, 0xbb, 0xcc, 0x00, /* 3 bytes of data, padded */
	};
	static const uint8_t duna[] = {
		0x01, 0x00, 0x02, 0x01, 0x00, 0x00, 0x00, 0x18, /* SSNM DUNA, 24 */
		0x00, 0x06, 0x00, 0x08, 0x00, 0x00, 0x00, 0x01, /* RC 1 */
		0x00, 0x12, 0x00, 0x08, 0x00, 0x00, 0xb9, 0x01, /* APC 0.23.1 (47361) */
	};
	static const uint8_t ntfy[] = {
		0x01, 0x00, 0x00, 0x01, 0x00, 0x00, 0x00, 0x10, /* MGMT NTFY, 16 */
		0x00, 0x0d, 0x00, 0x08, 0x00, 0x01, 0x00, 0x03, /* AS state change: AS-ACTIVE */
	};
	static const uint8_t bb[] = {0xaa, 0xbb, 0xcc};
	struct jitsim_m3ua_mgmt m, d;
	uint8_t buf[64];
	char txt[160];
	int n;

	(void)state;
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC);
	m.present = JITSIM_M3UA_P_TRAFFIC_MODE | JITSIM_M3UA_P_RC;
	m.traffic_mode = JITSIM_M3UA_TMT_LOADSHARE;
	m.n_rc = 1;
	m.rc[0] = 2;
	assert_int_equal(encode(&m, buf, sizeof(buf)), sizeof(aspac));
	assert_memory_equal(buf, aspac, sizeof(aspac));

	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK);
	m.present = JITSIM_M3UA_P_HEARTBEAT;
	m.heartbeat = bb;
	m.heartbeat_len = 3;
	assert_int_equal(encode(&m, buf, sizeof(buf)), sizeof(beat_ack));
	assert_memory_equal(buf, beat_ack, sizeof(beat_ack));

	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	m.present = JITSIM_M3UA_P_AFFECTED_PC | JITSIM_M3UA_P_RC;
	m.n_rc = 1;
	m.rc[0] = 1;
	m.n_apc = 1;
	m.apc[0] = JITSIM_M3UA_APC(0, 47361);
	assert_int_equal(encode(&m, buf, sizeof(buf)), sizeof(duna));
	assert_memory_equal(buf, duna, sizeof(duna));

	assert_int_equal(jitsim_m3ua_mgmt_decode(ntfy, sizeof(ntfy), &d), JITSIM_R_OK);
	assert_int_equal(d.status_type, JITSIM_M3UA_NTFY_AS_STATE_CHANGE);
	assert_int_equal(d.status_info, JITSIM_M3UA_AS_ACTIVE);
	n = jitsim_m3ua_mgmt_dump(&d, txt, sizeof(txt));
	assert_string_equal(txt, "msg=NTFY status=1/3");
	assert_int_equal(n, strlen(txt));

	assert_int_equal(jitsim_m3ua_mgmt_decode(duna, sizeof(duna), &d), JITSIM_R_OK);
	jitsim_m3ua_mgmt_dump(&d, txt, sizeof(txt));
	assert_string_equal(txt, "msg=DUNA rc=1 apc=47361/0");
	/* snprintf semantics: the wanted length, output cut and terminated. */
	assert_int_equal(jitsim_m3ua_mgmt_dump(&d, txt, 5), strlen("msg=DUNA rc=1 apc=47361/0"));
	assert_string_equal(txt, "msg=");
}

/*
 * Every prefix of every message: TRUNCATED (the header says more), read
 * from an exact-size heap copy so that ASan sees any read past the end.
 * Then the same prefix with the header length patched to match: never a
 * read past the end, and either OK (cut at a parameter boundary or in the
 * last one's padding) or refused as a field error / missing parameter.
 */
static void
test_truncation_every_length(void **state)
{
	(void)state;
	for (size_t i = 0; i < N_MSGS; i++) {
		struct jitsim_m3ua_mgmt in, out;
		uint8_t buf[512];
		size_t n;

		fill_all(&in, all_msgs[i].cls, all_msgs[i].type);
		n = encode(&in, buf, sizeof(buf));
		for (size_t k = 0; k < n; k++) {
			uint8_t *c = malloc(k ? k : 1);
			enum jitsim_reason r;

			assert_non_null(c);
			memcpy(c, buf, k);
			assert_int_equal(jitsim_m3ua_mgmt_decode(c, k, &out), JITSIM_R_TRUNCATED);
			if (k >= JITSIM_M3UA_HDR_LEN) {
				jitsim_put_be32(c + 4, (uint32_t)k);
				r = jitsim_m3ua_mgmt_decode(c, k, &out);
				assert_true(r == JITSIM_R_OK || r == JITSIM_R_M3UA_BAD);
				if (r == JITSIM_R_M3UA_BAD)
					assert_true(out.err_code ==
							    JITSIM_M3UA_ERR_PARAM_FIELD_ERROR ||
						    out.err_code == JITSIM_M3UA_ERR_MISSING_PARAM);
			}
			free(c);
		}
	}
}

static enum jitsim_reason
decode_bytes(const uint8_t *p, size_t n, struct jitsim_m3ua_mgmt *out)
{
	uint8_t *c = malloc(n);
	enum jitsim_reason r;

	assert_non_null(c);
	memcpy(c, p, n);
	r = jitsim_m3ua_mgmt_decode(c, n, out);
	/* Pointers into the input must not be used after this. */
	out->heartbeat = out->diagnostic = out->info = NULL;
	free(c);
	return r;
}

static void
test_bad_lengths(void **state)
{
	struct jitsim_m3ua_mgmt d;
	uint8_t m[64];

	(void)state;
	/* Header length below the header. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 4}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PROTOCOL_ERROR);
	/* Version 2. */
	memcpy(m, (const uint8_t[]){2, 0, 3, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD_VERSION);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_INVALID_VERSION);
	/* Parameter length 3 (below its own header). */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 12, 0, 0x11, 0, 3}, 12);
	assert_int_equal(decode_bytes(m, 12, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	/* Parameter length past the message. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 16, 0, 0x11, 0, 12, 0, 0, 0, 1}, 16);
	assert_int_equal(decode_bytes(m, 16, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	/* Fewer than 4 bytes left for a parameter header. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 10, 0, 0x11}, 10);
	assert_int_equal(decode_bytes(m, 10, &d), JITSIM_R_M3UA_BAD);
	/* ASP Identifier of 8 bytes. */
	memcpy(m,
	       (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 20, 0, 0x11, 0, 12, 0, 0, 0, 1, 0, 0, 0, 2},
	       20);
	assert_int_equal(decode_bytes(m, 20, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	/* Routing Context of 6 bytes (not a multiple of 4). */
	memcpy(m, (const uint8_t[]){1, 0, 4, 1, 0, 0, 0, 20, 0, 6, 0, 10, 0, 0, 0, 1, 0, 2, 0, 0},
	       20);
	assert_int_equal(decode_bytes(m, 20, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	/* Empty Routing Context. */
	memcpy(m, (const uint8_t[]){1, 0, 4, 1, 0, 0, 0, 12, 0, 6, 0, 4}, 12);
	assert_int_equal(decode_bytes(m, 12, &d), JITSIM_R_M3UA_BAD);
	/* Status of 8 bytes. */
	memcpy(m,
	       (const uint8_t[]){1, 0, 0, 1, 0, 0, 0, 20, 0, 0x0d, 0, 12, 0, 1, 0, 3, 0, 0, 0, 0},
	       20);
	assert_int_equal(decode_bytes(m, 20, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
}

static void
test_lists_and_limits(void **state)
{
	struct jitsim_m3ua_mgmt in, d;
	uint8_t buf[1024];
	size_t n;

	(void)state;
	/* Nine Routing Contexts: more than kept; refused, never cut. */
	memset(buf, 0, sizeof(buf));
	memcpy(buf, (const uint8_t[]){1, 0, 4, 1, 0, 0, 0, 8 + 4 + 36, 0, 6, 0, 4 + 36}, 12);
	assert_int_equal(decode_bytes(buf, 48, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_INVALID_PARAM_VALUE);
	/* Eight: fine. */
	memcpy(buf, (const uint8_t[]){1, 0, 4, 1, 0, 0, 0, 8 + 4 + 32, 0, 6, 0, 4 + 32}, 12);
	buf[12 + 31] = 8;
	assert_int_equal(decode_bytes(buf, 44, &d), JITSIM_R_OK);
	assert_int_equal(d.n_rc, 8);
	assert_int_equal(d.rc[7], 8);
	/* 32 affected point codes round trip; the encoder refuses 0 and 33. */
	jitsim_m3ua_mgmt_init(&in, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	in.present = JITSIM_M3UA_P_AFFECTED_PC;
	in.n_apc = JITSIM_M3UA_MGMT_MAX_APC;
	for (unsigned int i = 0; i < in.n_apc; i++)
		in.apc[i] = JITSIM_M3UA_APC(i % 3, 1000 + i);
	n = encode(&in, buf, sizeof(buf));
	assert_int_equal(decode_bytes(buf, n, &d), JITSIM_R_OK);
	check_equal(&in, &d, in.present);
	/* INFO String of 256 octets is too long (RFC 4666 3.2: 255). */
	memset(buf, 'x', sizeof(buf));
	memcpy(buf, (const uint8_t[]){1, 0, 3, 2, 0, 0, 0x01, 0x0c, 0, 4, 0x01, 0x04}, 12);
	assert_int_equal(decode_bytes(buf, 268, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	buf[11] = 0x03; /* 255 octets + 1 padding */
	assert_int_equal(decode_bytes(buf, 268, &d), JITSIM_R_OK);
	assert_int_equal(d.info_len, 255);
}

static void
test_class_type_mandatory(void **state)
{
	struct jitsim_m3ua_mgmt d;
	uint8_t m[32];

	(void)state;
	/* Class 7 does not exist. */
	memcpy(m, (const uint8_t[]){1, 0, 7, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_UNSUPP_CLASS);
	/* RKM: jitsim registers no routing keys. */
	memcpy(m, (const uint8_t[]){1, 0, 9, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_UNSUPP_CLASS);
	/* ASPSM type 7. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 7, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_UNSUPP_TYPE);
	assert_int_equal(d.msg_class, 3);
	assert_int_equal(d.msg_type, 7);
	/* Transfer: not this decoder's. */
	memcpy(m, (const uint8_t[]){1, 0, 1, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_BAD_PARAM);
	/* ERR without Error Code, NTFY without Status, DUNA without APC. */
	memcpy(m, (const uint8_t[]){1, 0, 0, 0, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_MISSING_PARAM);
	memcpy(m, (const uint8_t[]){1, 0, 0, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_MISSING_PARAM);
	memcpy(m, (const uint8_t[]){1, 0, 2, 1, 0, 0, 0, 8}, 8);
	assert_int_equal(decode_bytes(m, 8, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_MISSING_PARAM);
	/* DUPU with APC but no User/Cause. */
	memcpy(m, (const uint8_t[]){1, 0, 2, 5, 0, 0, 0, 16, 0, 0x12, 0, 8, 0, 0, 0, 1}, 16);
	assert_int_equal(decode_bytes(m, 16, &d), JITSIM_R_M3UA_BAD);
	assert_int_equal(d.err_code, JITSIM_M3UA_ERR_MISSING_PARAM);
}

static void
test_tolerated(void **state)
{
	struct jitsim_m3ua_mgmt d;
	uint8_t m[64];

	(void)state;
	/* Unknown tag 0x7777 and an allowed-elsewhere one (Error Code) in ASPUP: skipped. */
	memcpy(m, (const uint8_t[]){1, 0,    3, 1, 0, 0, 0, 32, 0x77, 0x77, 0, 5, 0xee, 0, 0, 0,
				    0, 0x0c, 0, 8, 0, 0, 0, 1,	0,    0x11, 0, 8, 0,	0, 0, 42},
	       32);
	assert_int_equal(decode_bytes(m, 32, &d), JITSIM_R_OK);
	assert_int_equal(d.present, JITSIM_M3UA_P_ASP_ID);
	assert_int_equal(d.asp_id, 42);
	/* The last parameter without its padding (header length counts it unpadded). */
	memcpy(m, (const uint8_t[]){1, 0, 3, 3, 0, 0, 0, 13, 0, 9, 0, 5, 0xab}, 13);
	assert_int_equal(decode_bytes(m, 13, &d), JITSIM_R_OK);
	assert_int_equal(d.heartbeat_len, 1);
	/* A repeated parameter: the first one counts. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0,	 0, 24, 0, 0x11, 0, 8,
				    0, 0, 0, 1, 0, 0x11, 0, 8,	0, 0,	 0, 2},
	       24);
	assert_int_equal(decode_bytes(m, 24, &d), JITSIM_R_OK);
	assert_int_equal(d.asp_id, 1);
	/* Bytes after the header length are not this message's. */
	memcpy(m, (const uint8_t[]){1, 0, 3, 1, 0, 0, 0, 8, 0xff, 0xff, 0xff}, 11);
	assert_int_equal(decode_bytes(m, 11, &d), JITSIM_R_OK);
	assert_int_equal(d.present, 0);
}

static void
test_encoder_errors(void **state)
{
	struct jitsim_m3ua_mgmt m;
	struct jitsim_wbuf w;
	uint8_t buf[512];
	size_t need;

	(void)state;
	/* NOSPACE at every size below the need, the buffer length unchanged. */
	for (size_t i = 0; i < N_MSGS; i++) {
		fill_all(&m, all_msgs[i].cls, all_msgs[i].type);
		need = encode(&m, buf, sizeof(buf));
		for (size_t cap = 0; cap < need; cap++) {
			jitsim_wbuf_init(&w, buf, cap, 0);
			assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_NOSPACE);
			assert_int_equal(jitsim_wbuf_len(&w), 0);
		}
		/* Appends after what is there already. */
		jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
		assert_int_equal(jitsim_wbuf_put(&w, "abcd", 4), 0);
		assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_OK);
		assert_int_equal(jitsim_wbuf_len(&w), 4 + need);
		assert_memory_equal(buf, "abcd", 4);
	}
	jitsim_wbuf_init(&w, buf, sizeof(buf), 0);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_XFER, 1);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_BAD_PARAM);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_ERR);
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_BAD_PARAM); /* no Error Code */
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC);
	m.present = JITSIM_M3UA_P_RC; /* n_rc 0 */
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_BAD_PARAM);
	m.n_rc = JITSIM_M3UA_MGMT_MAX_RC + 1;
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_BAD_PARAM);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP);
	m.present = JITSIM_M3UA_P_INFO_STRING;
	m.info = buf;
	m.info_len = 256;
	assert_int_equal(jitsim_m3ua_mgmt_encode(&w, &m), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(jitsim_m3ua_msg_name(3, 4), "ASPUP_ACK");
	assert_string_equal(jitsim_m3ua_msg_name(2, 3), "DAUD");
	assert_string_equal(jitsim_m3ua_msg_name(1, 1), "DATA");
	assert_string_equal(jitsim_m3ua_msg_name(1, 2), "?");
	assert_string_equal(jitsim_m3ua_err_name(0x19), "Invalid Routing Context");
	assert_string_equal(jitsim_m3ua_err_name(0x02), "unknown error code");
	assert_string_equal(jitsim_m3ua_err_name(0xffffffff), "unknown error code");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip_all),
		cmocka_unit_test(test_golden),
		cmocka_unit_test(test_truncation_every_length),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_lists_and_limits),
		cmocka_unit_test(test_class_type_mandatory),
		cmocka_unit_test(test_tolerated),
		cmocka_unit_test(test_encoder_errors),
		cmocka_unit_test(test_names),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
