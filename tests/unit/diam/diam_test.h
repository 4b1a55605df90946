/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_TEST_DIAM_TEST_H
#define JITSIM_TEST_DIAM_TEST_H

/*
 * Helpers of the Diameter node tests: a raw message builder that can write
 * anything (wrong lengths, reserved bits) and an answer parser that checks
 * every answer the node sends against the node's own answer rules. Include
 * after <cmocka.h> and its prerequisites.
 */

#include <string.h>

#include <jitsim/proto/bytes.h>

#include "diam_base.h"
#include "diam_fsm.h"

#define TM_MAX 8192

struct tmsg {
	uint8_t b[TM_MAX];
	size_t n;
};

static inline void
tm_hdr(struct tmsg *m, uint8_t flags, uint32_t cmd, uint32_t app, uint32_t hbh, uint32_t e2e)
{
	memset(m->b, 0, 20);
	m->b[0] = 1;
	m->b[4] = flags;
	jitsim_put_be24(m->b + 5, cmd);
	jitsim_put_be32(m->b + 8, app);
	jitsim_put_be32(m->b + 12, hbh);
	jitsim_put_be32(m->b + 16, e2e);
	m->n = 20;
}

/* An AVP written as told: @p flags verbatim, Vendor-Id field when V is in flags. */
static inline size_t
tm_avp_raw(struct tmsg *m, uint32_t code, uint8_t flags, uint32_t vendor, const void *d, size_t len)
{
	size_t at = m->n, h = (flags & JITSIM_DIAM_AVP_V) ? 12 : 8;

	assert_true(m->n + h + len + 3 < TM_MAX);
	jitsim_put_be32(m->b + m->n, code);
	m->b[m->n + 4] = flags;
	jitsim_put_be24(m->b + m->n + 5, (uint32_t)(h + len));
	if (h == 12)
		jitsim_put_be32(m->b + m->n + 8, vendor);
	if (len)
		memcpy(m->b + m->n + h, d, len);
	m->n += h + len;
	while (m->n & 3)
		m->b[m->n++] = 0;
	return at;
}

static inline size_t
tm_u32(struct tmsg *m, uint32_t code, uint32_t v)
{
	uint8_t b[4];

	jitsim_put_be32(b, v);
	return tm_avp_raw(m, code, JITSIM_DIAM_AVP_M, 0, b, 4);
}

static inline size_t
tm_str(struct tmsg *m, uint32_t code, uint8_t flags, const char *s)
{
	return tm_avp_raw(m, code, flags, 0, s, strlen(s));
}

static inline size_t
tm_addr4(struct tmsg *m, const char *ip4)
{
	uint8_t b[6] = {0, 1};

	memcpy(b + 2, ip4, 4);
	return tm_avp_raw(m, JITSIM_AVP_HOST_IP_ADDRESS, JITSIM_DIAM_AVP_M, 0, b, 6);
}

/* Grouped AVP from the bytes of inner AVPs built in @p inner (after its header). */
static inline size_t
tm_group(struct tmsg *m, uint32_t code, uint8_t flags, uint32_t vendor, const struct tmsg *inner)
{
	return tm_avp_raw(m, code, flags, vendor, inner->b + 20, inner->n - 20);
}

static inline void
tm_vsai(struct tmsg *m, uint32_t vendor, uint32_t app)
{
	struct tmsg g;

	tm_hdr(&g, 0, 0, 0, 0, 0);
	tm_u32(&g, JITSIM_AVP_VENDOR_ID, vendor);
	tm_u32(&g, JITSIM_AVP_AUTH_APPLICATION_ID, app);
	tm_group(m, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, JITSIM_DIAM_AVP_M, 0, &g);
}

static inline void
tm_fin(struct tmsg *m)
{
	jitsim_put_be24(m->b + 1, (uint32_t)m->n);
}

/* A complete S6a CER from "mme.a.test" as an MME sends it. */
static inline void
tm_cer(struct tmsg *m, const char *host)
{
	tm_hdr(m, JITSIM_DIAM_FLAG_R, JITSIM_DIAM_CMD_CER, 0, 0x1111, 0x2222);
	tm_str(m, JITSIM_AVP_ORIGIN_HOST, JITSIM_DIAM_AVP_M, host);
	tm_str(m, JITSIM_AVP_ORIGIN_REALM, JITSIM_DIAM_AVP_M, "a.test");
	tm_addr4(m, "\x7f\x00\x00\x01");
	tm_u32(m, JITSIM_AVP_VENDOR_ID, 0);
	tm_str(m, JITSIM_AVP_PRODUCT_NAME, 0, "test-mme");
	tm_u32(m, JITSIM_AVP_ORIGIN_STATE_ID, 7);
	tm_u32(m, JITSIM_AVP_SUPPORTED_VENDOR_ID, 10415);
	tm_vsai(m, 10415, JITSIM_S6A_APP_ID);
	tm_fin(m);
}

/* What an answer says. */
struct tans {
	struct jitsim_diam_hdr h;
	uint32_t rc;
	bool has_session;
	char err_msg[128];
	bool has_failed;
	struct jitsim_diam_avp failed;	/**< first AVP inside Failed-AVP */
	struct jitsim_diam_avp failed2; /**< first AVP inside that one (grouped) */
	unsigned int n_avps;
};

/*
 * Parse an answer of the node; every answer must itself be well formed:
 * the node's own rules for that answer accept it (the generic
 * answer-message rules of RFC 6733 7.2 when @p generic).
 */
static inline void
tans_parse_as(const uint8_t *p, size_t n, struct tans *a, bool generic)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp x;
	struct jitsim_diam_err err;
	const struct jitsim_diam_cmd_rules *rules;

	memset(a, 0, sizeof(*a));
	assert_int_equal(jitsim_diam_decode_hdr(p, n, &a->h), JITSIM_R_OK);
	assert_int_equal(a->h.length, n);
	assert_false(a->h.flags & JITSIM_DIAM_FLAG_R);
	switch (generic ? 0 : a->h.cmd) {
	case JITSIM_DIAM_CMD_CER:
		rules = &jitsim_diam_rules_cea;
		break;
	case JITSIM_DIAM_CMD_DWR:
		rules = &jitsim_diam_rules_dwa;
		break;
	case JITSIM_DIAM_CMD_DPR:
		rules = &jitsim_diam_rules_dpa;
		break;
	default:
		rules = &jitsim_diam_rules_answer;
		break;
	}
	assert_true(jitsim_diam_validate(a->h.avps, a->h.avps_len, rules, &err));
	jitsim_diam_avp_iter_init(&it, a->h.avps, a->h.avps_len);
	while (jitsim_diam_avp_next(&it, &x) == JITSIM_R_OK) {
		if (a->n_avps == 0 && x.code == JITSIM_AVP_SESSION_ID)
			a->has_session = true;
		a->n_avps++;
		if (x.code == JITSIM_AVP_RESULT_CODE)
			assert_int_equal(jitsim_diam_avp_u32(&x, &a->rc), JITSIM_R_OK);
		if (x.code == JITSIM_AVP_ERROR_MESSAGE) {
			size_t l = x.data_len < sizeof(a->err_msg) - 1 ? x.data_len
								       : sizeof(a->err_msg) - 1;

			assert_false(x.flags & JITSIM_DIAM_AVP_M);
			memcpy(a->err_msg, x.data, l);
			a->err_msg[l] = '\0';
		}
		if (x.code == JITSIM_AVP_FAILED_AVP) {
			struct jitsim_diam_avp_iter gi;

			a->has_failed = true;
			jitsim_diam_avp_iter_init(&gi, x.data, x.data_len);
			assert_int_equal(jitsim_diam_avp_next(&gi, &a->failed), JITSIM_R_OK);
			jitsim_diam_avp_iter_init(&gi, a->failed.data, a->failed.data_len);
			if (jitsim_diam_avp_next(&gi, &a->failed2) != JITSIM_R_OK)
				memset(&a->failed2, 0, sizeof(a->failed2));
		}
	}
	/* RFC 6733 7.2: E exactly for the protocol errors. */
	assert_int_equal(!!(a->h.flags & JITSIM_DIAM_FLAG_E), a->rc >= 3000 && a->rc < 4000);
}

static inline void
tans_parse(const uint8_t *p, size_t n, struct tans *a)
{
	tans_parse_as(p, n, a, false);
}

/* The i-th message of an out buffer. */
static inline const uint8_t *
out_msg(const struct jitsim_diam_out *o, unsigned int i, size_t *len)
{
	assert_true(i < o->n);
	*len = o->msg[i].len;
	return o->buf + o->msg[i].off;
}

#endif /* JITSIM_TEST_DIAM_TEST_H */
