/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz M3UA management (dataplane/sigtran/m3ua_mgmt.h) and the ASP/SGP
 * state machine (m3ua_asp.h).
 *
 * 1. The whole input as one M3UA message: a message that decodes encodes
 *    again, the encoding decodes to the same values and encodes to the
 *    same bytes (decode -> encode -> decode -> encode stable); a refusal
 *    says which RFC 4666 error code to answer with.
 * 2. The input as a script driving a client (ASP) and a server (SGP)
 *    machine: octet 0 picks the configuration, then records of one action
 *    octet (low 3 bits: 0 receive on stream 0, 1 on stream 1, 2 tick,
 *    3 transport down and up, 4 orderly stop, 5 receive and tick, 6-7 only
 *    the time; high 5 bits: time advance in 300 ms steps), the receive
 *    actions followed by one
 *    M3UA message (as long as its header says, cut at the end of the
 *    input). What each machine sends is fed to the other one. Every
 *    message a machine emits must decode as M3UA management, within its
 *    output buffer, and no answer may be lost (stats.out_full).
 */

#include <string.h>

#include "m3ua_asp.h"
#include "m3ua_mgmt.h"

#include "fuzz_main.h"

static void
mgmt_equal(const struct jitsim_m3ua_mgmt *a, const struct jitsim_m3ua_mgmt *b)
{
	FUZZ_CHECK(a->msg_class == b->msg_class && a->msg_type == b->msg_type);
	FUZZ_CHECK(a->present == b->present);
	if (a->present & JITSIM_M3UA_P_RC)
		FUZZ_CHECK(a->n_rc == b->n_rc && memcmp(a->rc, b->rc, a->n_rc * 4u) == 0);
	if (a->present & JITSIM_M3UA_P_AFFECTED_PC)
		FUZZ_CHECK(a->n_apc == b->n_apc && memcmp(a->apc, b->apc, a->n_apc * 4u) == 0);
	if (a->present & JITSIM_M3UA_P_NA)
		FUZZ_CHECK(a->na == b->na);
	if (a->present & JITSIM_M3UA_P_TRAFFIC_MODE)
		FUZZ_CHECK(a->traffic_mode == b->traffic_mode);
	if (a->present & JITSIM_M3UA_P_ASP_ID)
		FUZZ_CHECK(a->asp_id == b->asp_id);
	if (a->present & JITSIM_M3UA_P_ERROR_CODE)
		FUZZ_CHECK(a->error_code == b->error_code);
	if (a->present & JITSIM_M3UA_P_STATUS)
		FUZZ_CHECK(a->status_type == b->status_type && a->status_info == b->status_info);
	if (a->present & JITSIM_M3UA_P_CONCERNED_DEST)
		FUZZ_CHECK(a->concerned_dest == b->concerned_dest);
	if (a->present & JITSIM_M3UA_P_CONGESTION)
		FUZZ_CHECK(a->cong_level == b->cong_level);
	if (a->present & JITSIM_M3UA_P_USER_CAUSE)
		FUZZ_CHECK(a->cause == b->cause && a->user == b->user);
	if (a->present & JITSIM_M3UA_P_HEARTBEAT)
		FUZZ_CHECK(a->heartbeat_len == b->heartbeat_len &&
			   memcmp(a->heartbeat, b->heartbeat, a->heartbeat_len) == 0);
	if (a->present & JITSIM_M3UA_P_DIAGNOSTIC)
		FUZZ_CHECK(a->diagnostic_len == b->diagnostic_len &&
			   memcmp(a->diagnostic, b->diagnostic, a->diagnostic_len) == 0);
	if (a->present & JITSIM_M3UA_P_INFO_STRING)
		FUZZ_CHECK(a->info_len == b->info_len &&
			   memcmp(a->info, b->info, a->info_len) == 0);
}

static void
round_trip(const uint8_t *p, size_t len)
{
	static uint8_t b1[70000], b2[70000];
	struct jitsim_m3ua_mgmt m, m2;
	struct jitsim_wbuf w1, w2;
	enum jitsim_reason r;
	char line[1024];

	r = jitsim_m3ua_mgmt_decode(p, len, &m);
	if (r != JITSIM_R_OK) {
		FUZZ_CHECK(r == JITSIM_R_TRUNCATED || r == JITSIM_R_M3UA_BAD_VERSION ||
			   r == JITSIM_R_BAD_PARAM || r == JITSIM_R_M3UA_BAD);
		if (r == JITSIM_R_M3UA_BAD)
			FUZZ_CHECK(m.err_code != 0);
		if (r == JITSIM_R_M3UA_BAD_VERSION)
			FUZZ_CHECK(m.err_code == JITSIM_M3UA_ERR_INVALID_VERSION);
		return;
	}
	FUZZ_CHECK(m.err_code == 0);
	FUZZ_CHECK(m.msg_class != JITSIM_M3UA_CLASS_XFER);
	jitsim_m3ua_mgmt_dump(&m, line, sizeof(line));
	(void)jitsim_m3ua_msg_name(m.msg_class, m.msg_type);
	jitsim_wbuf_init(&w1, b1, sizeof(b1), 0);
	FUZZ_CHECK(jitsim_m3ua_mgmt_encode(&w1, &m) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_m3ua_mgmt_decode(jitsim_wbuf_data(&w1), jitsim_wbuf_len(&w1), &m2) ==
		   JITSIM_R_OK);
	mgmt_equal(&m, &m2);
	jitsim_wbuf_init(&w2, b2, sizeof(b2), 0);
	FUZZ_CHECK(jitsim_m3ua_mgmt_encode(&w2, &m2) == JITSIM_R_OK);
	FUZZ_CHECK(jitsim_wbuf_len(&w1) == jitsim_wbuf_len(&w2));
	FUZZ_CHECK(memcmp(jitsim_wbuf_data(&w1), jitsim_wbuf_data(&w2), jitsim_wbuf_len(&w1)) == 0);
}

/* Every message of @o decodes as M3UA management; nothing was lost. */
static void
out_decodes(const struct jitsim_asp *a, const struct jitsim_asp_out *o)
{
	FUZZ_CHECK(a->st.out_full == 0);
	FUZZ_CHECK(o->n <= JITSIM_ASP_OUT_MSGS && o->used <= JITSIM_ASP_OUT_BYTES);
	for (unsigned int i = 0; i < o->n; i++) {
		struct jitsim_m3ua_mgmt m;

		FUZZ_CHECK(o->msg[i].off + (size_t)o->msg[i].len <= o->used);
		FUZZ_CHECK(jitsim_m3ua_mgmt_decode(o->buf + o->msg[i].off, o->msg[i].len, &m) ==
			   JITSIM_R_OK);
	}
	FUZZ_CHECK((unsigned int)jitsim_asp_state(a) <= JITSIM_ASP_ACTIVE);
	FUZZ_CHECK(jitsim_asp_state_name(jitsim_asp_state(a)) != NULL);
	FUZZ_CHECK(jitsim_asp_fsm_name(a->fsm) != NULL);
	/* A destination a DUNA listed (and no DAVA cleared) is unavailable. */
	FUZZ_CHECK(a->n_unavail <= JITSIM_ASP_MAX_UNAVAIL);
	if (a->n_unavail == 0)
		FUZZ_CHECK(jitsim_asp_dpc_available(a, 100));
	else
		FUZZ_CHECK(!jitsim_asp_dpc_available(a, JITSIM_M3UA_APC_PC(a->unavail[0])));
}

static void
receive(struct jitsim_asp *a, const uint8_t *p, size_t len, uint16_t stream, uint64_t now,
	struct jitsim_asp_out *o)
{
	struct jitsim_m3ua data;
	unsigned int ev = 0;
	enum jitsim_reason r = jitsim_asp_input(a, p, len, stream, now, o, &data, &ev);

	if (r == JITSIM_R_OK) {
		FUZZ_CHECK(data.msg_class == JITSIM_M3UA_CLASS_XFER);
		FUZZ_CHECK(data.data >= p && data.data + data.data_len <= p + len);
		FUZZ_CHECK(jitsim_asp_state(a) != JITSIM_ASP_DOWN);
	}
	out_decodes(a, o);
}

/* Hand what @from sent to @to (one hop: @to's answers are checked, not returned). */
static void
deliver(const struct jitsim_asp_out *from, struct jitsim_asp *to, uint64_t now)
{
	struct jitsim_asp_out o;

	for (unsigned int i = 0; i < from->n; i++) {
		jitsim_asp_out_reset(&o);
		receive(to, from->buf + from->msg[i].off, from->msg[i].len, 0, now, &o);
	}
}

static void
script(const uint8_t *p, size_t len)
{
	struct jitsim_asp_conf c = {0};
	struct jitsim_asp m[2];
	struct jitsim_asp_out o[2];
	uint64_t now = 1000;
	size_t i = 1;

	if (len == 0)
		return;
	c.has_rc = p[0] & 1;
	c.rc = 1;
	c.has_na = (p[0] >> 1) & 1;
	c.na = 8;
	c.has_asp_id = (p[0] >> 2) & 1;
	c.asp_id = 77;
	c.traffic_mode = (p[0] >> 3) & 3;
	c.beat_ms = (p[0] & 0x20) ? 3000 : 0;
	c.daud_ms = 1000;
	c.known_pc[0] = 100;
	c.known_pc[1] = 0x3fff;
	c.n_known_pc = 2;
	c.role = JITSIM_ASP_ROLE_ASP;
	jitsim_asp_init(&m[0], &c);
	c.role = JITSIM_ASP_ROLE_SGP;
	jitsim_asp_init(&m[1], &c);
	for (int k = 0; k < 2; k++) {
		jitsim_asp_out_reset(&o[k]);
		(void)jitsim_asp_up(&m[k], now, &o[k]);
		out_decodes(&m[k], &o[k]);
	}
	deliver(&o[0], &m[1], now);
	while (i < len) {
		uint8_t op = p[i++];
		const uint8_t *msg = p + i;
		size_t n = 0;

		now += (uint64_t)(op >> 3) * 300;
		if ((op & 7) == 0 || (op & 7) == 1 || (op & 7) == 5) {
			n = len - i;
			if (n >= 8) {
				size_t h = (size_t)msg[4] << 24 | (size_t)msg[5] << 16 |
					   (size_t)msg[6] << 8 | msg[7];

				if (h >= 1 && h < n)
					n = h;
			}
			i += n;
		}
		for (int k = 0; k < 2; k++) {
			jitsim_asp_out_reset(&o[k]);
			switch (op & 7) {
			case 0:
			case 1:
				receive(&m[k], msg, n, op & 1, now, &o[k]);
				break;
			case 5:
				receive(&m[k], msg, n, 0, now, &o[k]);
				/* fall through */
			case 2:
				jitsim_asp_out_reset(&o[k]);
				(void)jitsim_asp_tick(&m[k], now, &o[k]);
				/* Nothing left due: the owner's poll would spin. */
				FUZZ_CHECK(jitsim_asp_next_ms(&m[k]) > now);
				break;
			case 3:
				(void)jitsim_asp_down(&m[k]);
				FUZZ_CHECK(jitsim_asp_state(&m[k]) == JITSIM_ASP_DOWN);
				(void)jitsim_asp_up(&m[k], now, &o[k]);
				break;
			case 4:
				(void)jitsim_asp_stop(&m[k], now, &o[k]);
				break;
			default:
				break;
			}
			out_decodes(&m[k], &o[k]);
		}
		/* The other end hears what each one said. */
		deliver(&o[0], &m[1], now);
		deliver(&o[1], &m[0], now);
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	round_trip(data, size);
	script(data, size);
	return 0;
}
