/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter peer state machine (RFC 6733 5.6, one-to-one) and transport
 * watchdog (RFC 3539 3.4). See diam_fsm.h for the states and what each
 * message does in them.
 */

#include <inttypes.h>
#include <stdio.h>
#include <string.h>
#include <strings.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/wbuf.h>

#include "diam_fsm.h"

#define M JITSIM_DIAM_AVP_M

void
jitsim_diam_fsm_conf_defaults(struct jitsim_diam_fsm_conf *c)
{
	c->tw_ms = JITSIM_DIAM_DEFAULT_TW_MS;
	c->tw_jitter_ms = JITSIM_DIAM_DEFAULT_TW_JITTER_MS;
	c->tc_ms = JITSIM_DIAM_DEFAULT_TC_MS;
	c->tc_min_ms = JITSIM_DIAM_DEFAULT_TC_MIN_MS;
	c->ce_timeout_ms = JITSIM_DIAM_DEFAULT_CE_TIMEOUT_MS;
	c->dpa_timeout_ms = JITSIM_DIAM_DEFAULT_DPA_TIMEOUT_MS;
}

void
jitsim_diam_fsm_init(struct jitsim_diam_fsm *f, const struct jitsim_diam_fsm_conf *c)
{
	memset(f, 0, sizeof(*f));
	f->conf = *c;
	if (f->conf.tw_ms == 0)
		f->conf.tw_ms = JITSIM_DIAM_DEFAULT_TW_MS;
	/* RFC 3539 3.4.1 jitters by +-2 s around 30 s; never let it reach 0. */
	if (f->conf.tw_jitter_ms >= f->conf.tw_ms / 2)
		f->conf.tw_jitter_ms = f->conf.tw_ms / 4;
	if (f->conf.tc_ms == 0)
		f->conf.tc_ms = JITSIM_DIAM_DEFAULT_TC_MS;
	if (f->conf.tc_min_ms == 0)
		f->conf.tc_min_ms = JITSIM_DIAM_DEFAULT_TC_MIN_MS;
	if (f->conf.tc_min_ms > f->conf.tc_ms)
		f->conf.tc_min_ms = f->conf.tc_ms;
	if (f->conf.ce_timeout_ms == 0)
		f->conf.ce_timeout_ms = JITSIM_DIAM_DEFAULT_CE_TIMEOUT_MS;
	if (f->conf.dpa_timeout_ms == 0)
		f->conf.dpa_timeout_ms = JITSIM_DIAM_DEFAULT_DPA_TIMEOUT_MS;
	if (f->conf.n_host_ip > JITSIM_DIAM_MAX_HOST_IP)
		f->conf.n_host_ip = JITSIM_DIAM_MAX_HOST_IP;
	if (f->conf.n_apps > JITSIM_DIAM_MAX_APPS)
		f->conf.n_apps = JITSIM_DIAM_MAX_APPS;
	f->rnd = c->seed ? c->seed : 0x2545f491u;
	f->hbh = c->seed;
	f->e2e = c->e2e_seed;
	f->backoff_ms = f->conf.tc_min_ms;
	f->state = JITSIM_DIAM_CLOSED;
}

/* xorshift32: the jitter needs spread, not secrecy. */
static uint32_t
rnd_next(struct jitsim_diam_fsm *f)
{
	uint32_t x = f->rnd;

	x ^= x << 13;
	x ^= x >> 17;
	x ^= x << 5;
	f->rnd = x;
	return x;
}

static uint64_t
tw_jittered(struct jitsim_diam_fsm *f)
{
	uint32_t j = f->conf.tw_jitter_ms;

	if (j == 0)
		return f->conf.tw_ms;
	return (uint64_t)f->conf.tw_ms - j + rnd_next(f) % (2 * j + 1);
}

uint32_t
jitsim_diam_fsm_next_hbh(struct jitsim_diam_fsm *f)
{
	return ++f->hbh;
}

uint32_t
jitsim_diam_fsm_next_e2e(struct jitsim_diam_fsm *f)
{
	return ++f->e2e;
}

/* ---- output ---- */

static bool
out_begin(struct jitsim_diam_fsm *f, struct jitsim_diam_out *o, struct jitsim_wbuf *w)
{
	if (o->n >= JITSIM_DIAM_OUT_MSGS) {
		f->st.out_full++;
		return false;
	}
	jitsim_wbuf_init(w, o->buf + o->used, sizeof(o->buf) - o->used, 0);
	return true;
}

static void
out_commit(struct jitsim_diam_fsm *f, struct jitsim_diam_out *o, const struct jitsim_wbuf *w,
	   enum jitsim_diam_cnt c)
{
	o->msg[o->n].off = (uint32_t)o->used;
	o->msg[o->n].len = (uint32_t)w->tail;
	o->used += w->tail;
	o->n++;
	f->st.tx[c]++;
}

static enum jitsim_reason
put_ident(const struct jitsim_diam_fsm *f, struct jitsim_wbuf *w)
{
	if (jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_HOST, M, 0, f->conf.id.host) ||
	    jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_REALM, M, 0, f->conf.id.realm))
		return JITSIM_R_NOSPACE;
	return JITSIM_R_OK;
}

static enum jitsim_reason
put_osi(const struct jitsim_diam_fsm *f, struct jitsim_wbuf *w)
{
	if (f->conf.id.origin_state_id == 0)
		return JITSIM_R_OK;
	return jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ORIGIN_STATE_ID, M, 0,
					  f->conf.id.origin_state_id);
}

/* CER/CEA body after the Result-Code (RFC 6733 5.3.1, 5.3.2). */
static enum jitsim_reason
put_ce(const struct jitsim_diam_fsm *f, struct jitsim_wbuf *w)
{
	const struct jitsim_diam_fsm_conf *c = &f->conf;

	if (put_ident(f, w))
		return JITSIM_R_NOSPACE;
	if (c->n_host_ip == 0) {
		static const uint8_t any4[4];

		/* Host-IP-Address is mandatory: the connection's own address. */
		if (jitsim_diam_encode_avp_addr(w, JITSIM_AVP_HOST_IP_ADDRESS, M,
						f->local_ip_len ? f->local_ip : any4,
						f->local_ip_len ? f->local_ip_len : 4))
			return JITSIM_R_NOSPACE;
	}
	for (unsigned int i = 0; i < c->n_host_ip; i++)
		if (jitsim_diam_encode_avp_addr(w, JITSIM_AVP_HOST_IP_ADDRESS, M, c->host_ip[i].b,
						c->host_ip[i].len))
			return JITSIM_R_NOSPACE;
	if (jitsim_diam_encode_avp_u32(w, JITSIM_AVP_VENDOR_ID, M, 0, c->vendor_id) ||
	    /* RFC 6733 4.5: Product-Name and Firmware-Revision MUST NOT have M. */
	    jitsim_diam_encode_avp_str(w, JITSIM_AVP_PRODUCT_NAME, 0, 0,
				       c->product_name ? c->product_name : "jitsim") ||
	    put_osi(f, w))
		return JITSIM_R_NOSPACE;
	for (unsigned int i = 0; i < 2; i++)
		if (c->supported_vendor[i] != 0 &&
		    jitsim_diam_encode_avp_u32(w, JITSIM_AVP_SUPPORTED_VENDOR_ID, M, 0,
					       c->supported_vendor[i]))
			return JITSIM_R_NOSPACE;
	for (unsigned int i = 0; i < c->n_apps; i++) {
		enum jitsim_reason r;

		if (c->apps[i].vendor == 0)
			r = jitsim_diam_encode_avp_u32(w, JITSIM_AVP_AUTH_APPLICATION_ID, M, 0,
						       c->apps[i].app_id);
		else
			r = jitsim_diam_encode_vsai(w, c->apps[i].vendor, c->apps[i].app_id);
		if (r)
			return JITSIM_R_NOSPACE;
	}
	if (c->firmware_revision != 0 &&
	    jitsim_diam_encode_avp_u32(w, JITSIM_AVP_FIRMWARE_REVISION, 0, 0, c->firmware_revision))
		return JITSIM_R_NOSPACE;
	return JITSIM_R_OK;
}

/* A request of the base protocol (application 0, RFC 6733 2.4). */
static bool
begin_req(struct jitsim_diam_fsm *f, struct jitsim_wbuf *w, uint32_t cmd, size_t *start,
	  uint32_t *hbh)
{
	struct jitsim_diam_hdr h = {.flags = JITSIM_DIAM_FLAG_R, .cmd = cmd, .app_id = 0};

	h.hbh = jitsim_diam_fsm_next_hbh(f);
	h.e2e = jitsim_diam_fsm_next_e2e(f);
	if (hbh != NULL)
		*hbh = h.hbh;
	return jitsim_diam_encode_hdr(w, &h, start) == JITSIM_R_OK;
}

/* An answer: identifiers of the request, E for protocol errors (RFC 6733 7.2). */
static bool
begin_ans(struct jitsim_wbuf *w, const struct jitsim_diam_hdr *req, uint32_t rc, size_t *start)
{
	struct jitsim_diam_hdr h = *req;

	h.flags = req->flags & JITSIM_DIAM_FLAG_P;
	if (rc >= 3000 && rc < 4000)
		h.flags |= JITSIM_DIAM_FLAG_E;
	return jitsim_diam_encode_hdr(w, &h, start) == JITSIM_R_OK;
}

static void
send_cer(struct jitsim_diam_fsm *f, struct jitsim_diam_out *o)
{
	struct jitsim_wbuf w;
	size_t start;

	if (!out_begin(f, o, &w))
		return;
	if (!begin_req(f, &w, JITSIM_DIAM_CMD_CER, &start, NULL) || put_ce(f, &w)) {
		f->st.out_full++;
		return;
	}
	jitsim_diam_encode_finish(&w, start);
	out_commit(f, o, &w, JITSIM_DIAM_C_CER);
}

/* CEA with @p rc; an error one carries Error-Message and Failed-AVP (RFC 6733 5.3.2). */
static void
send_cea(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *req, uint32_t rc,
	 const struct jitsim_diam_err *err, struct jitsim_diam_out *o)
{
	struct jitsim_wbuf w;
	size_t start;

	if (!out_begin(f, o, &w))
		return;
	if (!begin_ans(&w, req, rc, &start) ||
	    jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_RESULT_CODE, M, 0, rc) || put_ce(f, &w))
		goto full;
	if (err != NULL && err->text != NULL &&
	    jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ERROR_MESSAGE, 0, 0, err->text))
		goto full;
	if (err != NULL && jitsim_diam_encode_failed_avp(&w, err))
		goto full;
	jitsim_diam_encode_finish(&w, start);
	out_commit(f, o, &w, rc == JITSIM_DIAM_SUCCESS ? JITSIM_DIAM_C_CEA : JITSIM_DIAM_C_ERR_ANS);
	return;
full:
	f->st.out_full++;
}

static void
send_dwr(struct jitsim_diam_fsm *f, struct jitsim_diam_out *o)
{
	struct jitsim_wbuf w;
	size_t start;

	if (!out_begin(f, o, &w))
		return;
	if (!begin_req(f, &w, JITSIM_DIAM_CMD_DWR, &start, &f->dwr_hbh) || put_ident(f, &w) ||
	    put_osi(f, &w)) {
		f->st.out_full++;
		return;
	}
	jitsim_diam_encode_finish(&w, start);
	out_commit(f, o, &w, JITSIM_DIAM_C_DWR);
}

static void
send_dpr(struct jitsim_diam_fsm *f, uint32_t cause, struct jitsim_diam_out *o)
{
	struct jitsim_wbuf w;
	size_t start;

	if (!out_begin(f, o, &w))
		return;
	if (!begin_req(f, &w, JITSIM_DIAM_CMD_DPR, &start, NULL) || put_ident(f, &w) ||
	    jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_DISCONNECT_CAUSE, M, 0, cause)) {
		f->st.out_full++;
		return;
	}
	jitsim_diam_encode_finish(&w, start);
	out_commit(f, o, &w, JITSIM_DIAM_C_DPR);
}

/* DWA (with Origin-State-Id, RFC 6733 5.5.2) or DPA: Result-Code 2001 and identity. */
static void
send_simple_ans(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *req,
		struct jitsim_diam_out *o, enum jitsim_diam_cnt c)
{
	struct jitsim_wbuf w;
	size_t start;

	if (!out_begin(f, o, &w))
		return;
	if (!begin_ans(&w, req, JITSIM_DIAM_SUCCESS, &start) ||
	    jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_RESULT_CODE, M, 0, JITSIM_DIAM_SUCCESS) ||
	    put_ident(f, &w) || (c == JITSIM_DIAM_C_DWA && put_osi(f, &w))) {
		f->st.out_full++;
		return;
	}
	jitsim_diam_encode_finish(&w, start);
	out_commit(f, o, &w, c);
}

static void
send_error(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *req,
	   const struct jitsim_diam_err *err, struct jitsim_diam_out *o)
{
	struct jitsim_wbuf w;

	switch (err->result_code) {
	case JITSIM_DIAM_COMMAND_UNSUPPORTED:
		f->st.err_3001++;
		break;
	case JITSIM_DIAM_APPLICATION_UNSUPPORTED:
		f->st.err_3007++;
		break;
	case JITSIM_DIAM_INVALID_HDR_BITS:
		f->st.err_3008++;
		break;
	case JITSIM_DIAM_INVALID_AVP_BITS:
		f->st.err_3009++;
		break;
	case JITSIM_DIAM_UNKNOWN_PEER:
		f->st.err_3010++;
		break;
	default:
		f->st.err_5xxx++;
		break;
	}
	if (!out_begin(f, o, &w))
		return;
	if (jitsim_diam_encode_error_answer(&w, req, &f->conf.id, err) != JITSIM_R_OK) {
		f->st.out_full++;
		return;
	}
	out_commit(f, o, &w, JITSIM_DIAM_C_ERR_ANS);
}

/* ---- state changes ---- */

static void
enter_open(struct jitsim_diam_fsm *f, enum jitsim_diam_state s, uint64_t now_ms, unsigned int *ev)
{
	if (!jitsim_diam_fsm_is_open(f))
		*ev |= JITSIM_DIAM_EV_OPEN;
	f->state = s;
	f->wd = JITSIM_DIAM_WD_OKAY;
	f->dwr_pending = false;
	f->t_wd = now_ms + tw_jittered(f);
	f->backoff_ms = f->conf.tc_min_ms;
}

/*
 * The connection is over (closed by us: EV_CLOSE in @p close_ev, or lost).
 * The initiator reconnects after @p delay_ms, the responder waits.
 */
static unsigned int
to_closed(struct jitsim_diam_fsm *f, uint64_t now_ms, uint32_t delay_ms, unsigned int close_ev)
{
	unsigned int ev = close_ev;

	/* Leaving CLOSING is not DOWN again: jitsim_diam_fsm_stop() reported it. */
	if (jitsim_diam_fsm_is_open(f))
		ev |= JITSIM_DIAM_EV_DOWN;
	f->wd = JITSIM_DIAM_WD_OKAY;
	f->dwr_pending = false;
	f->t_wd = 0;
	f->local_ip_len = 0;
	if (f->stopping) {
		if (f->state != JITSIM_DIAM_STOPPED)
			ev |= JITSIM_DIAM_EV_STOPPED;
		f->state = JITSIM_DIAM_STOPPED;
		f->t_state = 0;
		return ev;
	}
	f->state = JITSIM_DIAM_CLOSED;
	/* t_state 0 means "nothing due"; a connect due at time 0 is due at 1. */
	if (f->conf.role == JITSIM_DIAM_INITIATOR)
		f->t_state = now_ms + delay_ms ? now_ms + delay_ms : 1;
	else
		f->t_state = 0;
	return ev;
}

/* The delay before the next connect, doubled for the one after (to tc_ms). */
static uint32_t
backoff(struct jitsim_diam_fsm *f)
{
	uint32_t d = f->backoff_ms;

	f->backoff_ms = d > f->conf.tc_ms / 2 ? f->conf.tc_ms : d * 2;
	return d;
}

unsigned int
jitsim_diam_fsm_start(struct jitsim_diam_fsm *f, uint64_t now_ms)
{
	if (f->state != JITSIM_DIAM_CLOSED || f->stopping)
		return 0;
	if (f->conf.role == JITSIM_DIAM_RESPONDER)
		return 0;
	f->state = JITSIM_DIAM_WAIT_CONN_ACK;
	f->t_state = now_ms + f->conf.ce_timeout_ms;
	f->st.connects++;
	return JITSIM_DIAM_EV_CONNECT;
}

unsigned int
jitsim_diam_fsm_conn_up(struct jitsim_diam_fsm *f, uint64_t now_ms, const uint8_t *local_ip,
			size_t local_ip_len, struct jitsim_diam_out *out)
{
	if (local_ip != NULL && (local_ip_len == 4 || local_ip_len == 16)) {
		memcpy(f->local_ip, local_ip, local_ip_len);
		f->local_ip_len = (uint8_t)local_ip_len;
	}
	f->peer_host[0] = f->peer_realm[0] = '\0';
	f->peer_has_osi = false;
	f->peer_relay = false;
	f->t_state = now_ms + f->conf.ce_timeout_ms;
	if (f->conf.role == JITSIM_DIAM_INITIATOR) {
		if (f->state != JITSIM_DIAM_WAIT_CONN_ACK)
			return 0;
		f->state = JITSIM_DIAM_WAIT_I_CEA;
		send_cer(f, out);
		return 0;
	}
	if (f->state != JITSIM_DIAM_CLOSED)
		return 0;
	f->state = JITSIM_DIAM_WAIT_CER;
	return 0;
}

unsigned int
jitsim_diam_fsm_conn_down(struct jitsim_diam_fsm *f, uint64_t now_ms)
{
	if (f->state == JITSIM_DIAM_STOPPED)
		return 0;
	if (f->state == JITSIM_DIAM_WAIT_CONN_ACK)
		f->st.conn_fail++;
	else if (f->state != JITSIM_DIAM_CLOSED)
		f->st.conn_down++;
	else
		return 0;
	return to_closed(f, now_ms, backoff(f), 0);
}

/* ---- capabilities exchange ---- */

/* What a CER/CEA says about the sender. */
struct ce_info {
	struct jitsim_diam_avp host, realm;
	bool has_osi, has_rc;
	uint32_t osi, rc;
	uint32_t apps[16]; /* auth/acct application ids, bare or in VSAI */
	unsigned int n_apps;
	bool sec_listed, sec_none;
};

static void
ce_add_app(struct ce_info *ci, const struct jitsim_diam_avp *a)
{
	uint32_t v;

	if (jitsim_diam_avp_u32(a, &v) == JITSIM_R_OK &&
	    ci->n_apps < sizeof(ci->apps) / sizeof(ci->apps[0]))
		ci->apps[ci->n_apps++] = v;
}

/* Called on a validated CER/CEA: every value has the right size. */
static void
ce_parse(const struct jitsim_diam_hdr *h, struct ce_info *ci)
{
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;

	memset(ci, 0, sizeof(*ci));
	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next_inline(&it, &a) == JITSIM_R_OK) {
		if (a.vendor != 0)
			continue;
		switch (a.code) {
		case JITSIM_AVP_ORIGIN_HOST:
			ci->host = a;
			break;
		case JITSIM_AVP_ORIGIN_REALM:
			ci->realm = a;
			break;
		case JITSIM_AVP_ORIGIN_STATE_ID:
			ci->has_osi = jitsim_diam_avp_u32(&a, &ci->osi) == JITSIM_R_OK;
			break;
		case JITSIM_AVP_RESULT_CODE:
			ci->has_rc = jitsim_diam_avp_u32(&a, &ci->rc) == JITSIM_R_OK;
			break;
		case JITSIM_AVP_AUTH_APPLICATION_ID:
		case JITSIM_AVP_ACCT_APPLICATION_ID:
			ce_add_app(ci, &a);
			break;
		case JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID: {
			struct jitsim_diam_avp_iter gi;
			struct jitsim_diam_avp g;

			jitsim_diam_avp_iter_init(&gi, a.data, a.data_len);
			while (jitsim_diam_avp_next_inline(&gi, &g) == JITSIM_R_OK)
				if (g.vendor == 0 && (g.code == JITSIM_AVP_AUTH_APPLICATION_ID ||
						      g.code == JITSIM_AVP_ACCT_APPLICATION_ID))
					ce_add_app(ci, &g);
			break;
		}
		case JITSIM_AVP_INBAND_SECURITY_ID: {
			uint32_t v;

			ci->sec_listed = true;
			if (jitsim_diam_avp_u32(&a, &v) == JITSIM_R_OK && v == JITSIM_DIAM_SEC_NONE)
				ci->sec_none = true;
			break;
		}
		default:
			break;
		}
	}
}

/* RFC 6733 5.3: at least one application in common, or the peer is a relay. */
static bool
ce_common_app(struct jitsim_diam_fsm *f, const struct ce_info *ci)
{
	bool common = false;

	f->peer_relay = false;
	for (unsigned int i = 0; i < ci->n_apps; i++) {
		if (ci->apps[i] == JITSIM_DIAM_APP_RELAY) {
			f->peer_relay = true;
			common = true;
		}
		for (unsigned int j = 0; j < f->conf.n_apps; j++)
			if (ci->apps[i] == f->conf.apps[j].app_id)
				common = true;
	}
	return common;
}

static bool
ce_peer_known(const struct jitsim_diam_fsm *f, const struct ce_info *ci)
{
	size_t n;

	if (f->conf.peer_host == NULL)
		return true;
	n = strlen(f->conf.peer_host);
	/* DiameterIdentity compares case-insensitively, like DNS names. */
	return n == ci->host.data_len &&
	       strncasecmp(f->conf.peer_host, (const char *)ci->host.data, n) == 0;
}

static void
ce_record(struct jitsim_diam_fsm *f, const struct ce_info *ci, unsigned int *ev)
{
	/* Lengths were validated (1..255) before. */
	memcpy(f->peer_host, ci->host.data, ci->host.data_len);
	f->peer_host[ci->host.data_len] = '\0';
	memcpy(f->peer_realm, ci->realm.data, ci->realm.data_len);
	f->peer_realm[ci->realm.data_len] = '\0';
	if (ci->has_osi) {
		if (f->peer_has_osi && f->peer_osi != ci->osi)
			*ev |= JITSIM_DIAM_EV_RESTART;
		f->peer_has_osi = true;
		f->peer_osi = ci->osi;
	}
}

/* A CER (responder in WAIT_CER, or either side again once open: 5.6 Process-CER). */
static enum jitsim_diam_in
on_cer(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *h, uint64_t now_ms,
       struct jitsim_diam_out *o, unsigned int *ev)
{
	struct jitsim_diam_err err;
	struct ce_info ci;
	uint32_t rc = JITSIM_DIAM_SUCCESS;

	if (!jitsim_diam_check_hdr(h, &err) ||
	    !jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_cer, &err)) {
		rc = err.result_code;
	} else {
		ce_parse(h, &ci);
		if (!ce_peer_known(f, &ci)) {
			rc = JITSIM_DIAM_UNKNOWN_PEER;
			f->st.err_3010++;
		} else if (!ce_common_app(f, &ci)) {
			rc = JITSIM_DIAM_NO_COMMON_APPLICATION;
		} else if (ci.sec_listed && !ci.sec_none) {
			/* The peer insists on TLS; RFC 6733 5.3: 5017, and no TLS here. */
			rc = JITSIM_DIAM_NO_COMMON_SECURITY;
		}
		err.has_failed = false;
		err.text = NULL;
	}
	if (rc != JITSIM_DIAM_SUCCESS) {
		if (rc == JITSIM_DIAM_INVALID_HDR_BITS)
			f->st.err_3008++;
		else if (rc == JITSIM_DIAM_INVALID_AVP_BITS)
			f->st.err_3009++;
		else if (rc >= 5000)
			f->st.err_5xxx++;
		send_cea(f, h, rc, &err, o);
		f->st.ce_fail++;
		*ev |= to_closed(f, now_ms, backoff(f), JITSIM_DIAM_EV_CLOSE);
		return JITSIM_DIAM_IN_ANSWERED;
	}
	ce_record(f, &ci, ev);
	send_cea(f, h, rc, NULL, o);
	if (!jitsim_diam_fsm_is_open(f))
		enter_open(f, JITSIM_DIAM_R_OPEN, now_ms, ev);
	return JITSIM_DIAM_IN_CONSUMED;
}

/* The CEA to our CER (initiator in WAIT_I_CEA). */
static enum jitsim_diam_in
on_cea(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *h, uint64_t now_ms,
       unsigned int *ev)
{
	struct jitsim_diam_err err;
	struct ce_info ci;

	ce_parse(h, &ci);
	if (ci.has_rc && ci.rc != JITSIM_DIAM_SUCCESS) {
		/* Refused: no point retrying soon (RFC 6733 5.3: 5010 means never). */
		f->st.ce_fail++;
		*ev |= to_closed(f, now_ms, f->conf.tc_ms, JITSIM_DIAM_EV_CLOSE);
		return JITSIM_DIAM_IN_CONSUMED;
	}
	if (!jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_cea, &err) ||
	    !ce_peer_known(f, &ci) || !ce_common_app(f, &ci)) {
		f->st.ce_fail++;
		f->st.drop_bad++;
		*ev |= to_closed(f, now_ms, backoff(f), JITSIM_DIAM_EV_CLOSE);
		return JITSIM_DIAM_IN_DROPPED;
	}
	ce_record(f, &ci, ev);
	enter_open(f, JITSIM_DIAM_I_OPEN, now_ms, ev);
	return JITSIM_DIAM_IN_CONSUMED;
}

/* DWR/DWA may carry the peer's Origin-State-Id: a change is a restart (8.16). */
static void
check_osi(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *h, unsigned int *ev)
{
	struct jitsim_diam_avp a;
	uint32_t v;

	if (jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_ORIGIN_STATE_ID, 0, &a) !=
		    JITSIM_R_OK ||
	    jitsim_diam_avp_u32(&a, &v) != JITSIM_R_OK)
		return;
	if (f->peer_has_osi && f->peer_osi != v)
		*ev |= JITSIM_DIAM_EV_RESTART;
	f->peer_has_osi = true;
	f->peer_osi = v;
}

static const struct jitsim_diam_app *
find_app(const struct jitsim_diam_fsm *f, uint32_t app_id)
{
	for (unsigned int i = 0; i < f->conf.n_apps; i++)
		if (f->conf.apps[i].app_id == app_id)
			return &f->conf.apps[i];
	return NULL;
}

static bool
app_has_cmd(const struct jitsim_diam_app *a, uint32_t cmd)
{
	for (unsigned int i = 0; i < a->n_cmds && i < JITSIM_DIAM_MAX_CMDS; i++)
		if (a->cmds[i] == cmd)
			return true;
	return false;
}

/* An application message in an open state. */
static enum jitsim_diam_in
on_app(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *h, uint64_t now_ms,
       struct jitsim_diam_out *o)
{
	bool req = h->flags & JITSIM_DIAM_FLAG_R;
	const struct jitsim_diam_app *app = find_app(f, h->app_id);
	struct jitsim_diam_err err;
	struct jitsim_diam_avp host;

	if (!req) {
		f->st.rx[(h->flags & JITSIM_DIAM_FLAG_E) ? JITSIM_DIAM_C_ERR_ANS
							 : JITSIM_DIAM_C_APP_ANS]++;
		/* Answers are matched by the owner; never answered, dropped if malformed. */
		if (app == NULL ||
		    !jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_answer, &err)) {
			f->st.drop_bad++;
			return JITSIM_DIAM_IN_DROPPED;
		}
		return JITSIM_DIAM_IN_APP;
	}
	f->st.rx[JITSIM_DIAM_C_APP_REQ]++;
	if (!jitsim_diam_check_hdr(h, &err))
		goto answer;
	if (app == NULL) {
		err = (struct jitsim_diam_err){.result_code = JITSIM_DIAM_APPLICATION_UNSUPPORTED,
					       .text = "application not supported by this node"};
		goto answer;
	}
	if (!app_has_cmd(app, h->cmd)) {
		err = (struct jitsim_diam_err){.result_code = JITSIM_DIAM_COMMAND_UNSUPPORTED,
					       .text = "command not supported by the application"};
		goto answer;
	}
	if (!jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_app_req, &err))
		goto answer;
	if (f->conf.dup != NULL &&
	    jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_ORIGIN_HOST, 0, &host) ==
		    JITSIM_R_OK &&
	    jitsim_diam_dup_check(f->conf.dup, host.data, host.data_len, h->e2e, now_ms)) {
		f->st.dup++;
		return JITSIM_DIAM_IN_APP_DUP;
	}
	return JITSIM_DIAM_IN_APP;
answer:
	send_error(f, h, &err, o);
	return JITSIM_DIAM_IN_ANSWERED;
}

/* A base protocol message (application 0) in an open state or CLOSING. */
static enum jitsim_diam_in
on_base(struct jitsim_diam_fsm *f, const struct jitsim_diam_hdr *h, uint64_t now_ms,
	struct jitsim_diam_out *o, unsigned int *ev)
{
	bool req = h->flags & JITSIM_DIAM_FLAG_R;
	struct jitsim_diam_err err;

	switch (h->cmd) {
	case JITSIM_DIAM_CMD_CER:
		if (!req || f->state == JITSIM_DIAM_CLOSING)
			break;
		f->st.rx[JITSIM_DIAM_C_CER]++;
		return on_cer(f, h, now_ms, o, ev);
	case JITSIM_DIAM_CMD_DWR:
		if (!req) {
			f->st.rx[JITSIM_DIAM_C_DWA]++;
			if (!jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_dwa,
						  &err)) {
				f->st.drop_bad++;
				return JITSIM_DIAM_IN_DROPPED;
			}
			f->dwr_pending = false;
			check_osi(f, h, ev);
			return JITSIM_DIAM_IN_CONSUMED;
		}
		f->st.rx[JITSIM_DIAM_C_DWR]++;
		if (!jitsim_diam_check_hdr(h, &err) ||
		    !jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_dwr, &err)) {
			send_error(f, h, &err, o);
			return JITSIM_DIAM_IN_ANSWERED;
		}
		check_osi(f, h, ev);
		send_simple_ans(f, h, o, JITSIM_DIAM_C_DWA);
		return JITSIM_DIAM_IN_CONSUMED;
	case JITSIM_DIAM_CMD_DPR:
		if (!req) {
			f->st.rx[JITSIM_DIAM_C_DPA]++;
			if (f->state != JITSIM_DIAM_CLOSING)
				break;
			/* RFC 6733 5.4: the DPR sender closes once the DPA is in. */
			*ev |= to_closed(f, now_ms, f->conf.tc_ms, JITSIM_DIAM_EV_CLOSE);
			return JITSIM_DIAM_IN_CONSUMED;
		}
		f->st.rx[JITSIM_DIAM_C_DPR]++;
		if (!jitsim_diam_check_hdr(h, &err) ||
		    !jitsim_diam_validate(h->avps, h->avps_len, &jitsim_diam_rules_dpr, &err)) {
			send_error(f, h, &err, o);
			return JITSIM_DIAM_IN_ANSWERED;
		} else {
			struct jitsim_diam_avp a;
			uint32_t cause = JITSIM_DIAM_DC_BUSY;

			if (jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_DISCONNECT_CAUSE,
						 0, &a) == JITSIM_R_OK)
				(void)jitsim_diam_avp_u32(&a, &cause);
			send_simple_ans(f, h, o, JITSIM_DIAM_C_DPA);
			/* 5.4.3: REBOOTING means "back soon"; the others ask us to stay away. */
			*ev |= to_closed(f, now_ms,
					 cause == JITSIM_DIAM_DC_REBOOTING ? f->conf.tc_min_ms
									   : f->conf.tc_ms,
					 JITSIM_DIAM_EV_CLOSE);
			return JITSIM_DIAM_IN_CONSUMED;
		}
	default:
		if (req) {
			f->st.rx[JITSIM_DIAM_C_APP_REQ]++;
			err = (struct jitsim_diam_err){
				.result_code = JITSIM_DIAM_COMMAND_UNSUPPORTED,
				.text = "base protocol command not supported"};
			send_error(f, h, &err, o);
			return JITSIM_DIAM_IN_ANSWERED;
		}
		break;
	}
	f->st.drop_state++;
	return JITSIM_DIAM_IN_DROPPED;
}

/*
 * A header whose length is not a multiple of 4 does not decode, but the
 * transport framed it by that length: read the fields to answer 5015.
 */
static bool
peek_hdr(const uint8_t *p, size_t len, struct jitsim_diam_hdr *h)
{
	if (len < JITSIM_DIAM_HDR_LEN || p[0] != JITSIM_DIAM_VERSION)
		return false;
	memset(h, 0, sizeof(*h));
	h->version = p[0];
	h->length = jitsim_get_be24(p + 1);
	h->flags = p[4];
	h->cmd = jitsim_get_be24(p + 5);
	h->app_id = jitsim_get_be32(p + 8);
	h->hbh = jitsim_get_be32(p + 12);
	h->e2e = jitsim_get_be32(p + 16);
	return true;
}

static void
wd_rx(struct jitsim_diam_fsm *f, uint64_t now_ms, unsigned int *ev)
{
	if (!jitsim_diam_fsm_is_open(f))
		return;
	/* RFC 3539 3.4.1: any message received proves the peer alive. */
	if (f->wd == JITSIM_DIAM_WD_SUSPECT) {
		f->wd = JITSIM_DIAM_WD_OKAY;
		f->st.failbacks++;
		*ev |= JITSIM_DIAM_EV_FAILBACK;
	}
	f->t_wd = now_ms + tw_jittered(f);
}

enum jitsim_diam_in
jitsim_diam_fsm_input(struct jitsim_diam_fsm *f, const uint8_t *p, size_t len, uint64_t now_ms,
		      struct jitsim_diam_out *out, unsigned int *ev)
{
	struct jitsim_diam_hdr h;
	enum jitsim_reason r = jitsim_diam_decode_hdr(p, len, &h);

	if (r != JITSIM_R_OK) {
		struct jitsim_diam_err err = {.result_code = JITSIM_DIAM_INVALID_MESSAGE_LENGTH,
					      .text = "Message Length not a multiple of 4"};

		if (r == JITSIM_R_DIAM_BAD_HEADER && peek_hdr(p, len, &h) &&
		    h.length >= JITSIM_DIAM_HDR_LEN && (h.flags & JITSIM_DIAM_FLAG_R) &&
		    jitsim_diam_fsm_is_open(f)) {
			wd_rx(f, now_ms, ev);
			send_error(f, &h, &err, out);
			return JITSIM_DIAM_IN_ANSWERED;
		}
		f->st.drop_bad++;
		return JITSIM_DIAM_IN_DROPPED;
	}
	switch (f->state) {
	case JITSIM_DIAM_WAIT_CER:
		if (h.cmd == JITSIM_DIAM_CMD_CER && (h.flags & JITSIM_DIAM_FLAG_R)) {
			f->st.rx[JITSIM_DIAM_C_CER]++;
			return on_cer(f, &h, now_ms, out, ev);
		}
		break;
	case JITSIM_DIAM_WAIT_I_CEA:
		if (h.cmd == JITSIM_DIAM_CMD_CER && !(h.flags & JITSIM_DIAM_FLAG_R)) {
			f->st.rx[JITSIM_DIAM_C_CEA]++;
			return on_cea(f, &h, now_ms, ev);
		}
		break;
	case JITSIM_DIAM_I_OPEN:
	case JITSIM_DIAM_R_OPEN:
		wd_rx(f, now_ms, ev);
		if (h.app_id == JITSIM_DIAM_APP_BASE)
			return on_base(f, &h, now_ms, out, ev);
		return on_app(f, &h, now_ms, out);
	case JITSIM_DIAM_CLOSING:
		if (h.app_id == JITSIM_DIAM_APP_BASE)
			return on_base(f, &h, now_ms, out, ev);
		f->st.drop_state++;
		return JITSIM_DIAM_IN_DROPPED;
	default:
		f->st.drop_state++;
		return JITSIM_DIAM_IN_DROPPED;
	}
	/* RFC 6733 5.6: anything but the capabilities exchange before it is an error. */
	f->st.drop_state++;
	f->st.ce_fail++;
	*ev |= to_closed(f, now_ms, backoff(f), JITSIM_DIAM_EV_CLOSE);
	return JITSIM_DIAM_IN_DROPPED;
}

unsigned int
jitsim_diam_fsm_oversize(struct jitsim_diam_fsm *f, const uint8_t hdr20[20], uint64_t now_ms,
			 struct jitsim_diam_out *out)
{
	struct jitsim_diam_err err = {.result_code = JITSIM_DIAM_INVALID_MESSAGE_LENGTH,
				      .text = "message longer than this node accepts"};
	struct jitsim_diam_hdr h;
	unsigned int ev = 0;

	if (!peek_hdr(hdr20, JITSIM_DIAM_HDR_LEN, &h) || !jitsim_diam_fsm_is_open(f)) {
		f->st.drop_bad++;
		return 0;
	}
	wd_rx(f, now_ms, &ev);
	if (h.flags & JITSIM_DIAM_FLAG_R)
		send_error(f, &h, &err, out);
	else
		f->st.drop_bad++;
	return ev;
}

unsigned int
jitsim_diam_fsm_tick(struct jitsim_diam_fsm *f, uint64_t now_ms, struct jitsim_diam_out *out)
{
	switch (f->state) {
	case JITSIM_DIAM_CLOSED:
		if (f->conf.role != JITSIM_DIAM_INITIATOR || f->t_state == 0 || now_ms < f->t_state)
			return 0;
		f->state = JITSIM_DIAM_WAIT_CONN_ACK;
		f->t_state = now_ms + f->conf.ce_timeout_ms;
		f->st.connects++;
		return JITSIM_DIAM_EV_CONNECT;
	case JITSIM_DIAM_WAIT_CONN_ACK:
	case JITSIM_DIAM_WAIT_I_CEA:
	case JITSIM_DIAM_WAIT_CER:
		if (now_ms < f->t_state)
			return 0;
		if (f->state == JITSIM_DIAM_WAIT_CONN_ACK)
			f->st.conn_fail++;
		else
			f->st.ce_fail++;
		return to_closed(f, now_ms, backoff(f), JITSIM_DIAM_EV_CLOSE);
	case JITSIM_DIAM_I_OPEN:
	case JITSIM_DIAM_R_OPEN:
		if (now_ms < f->t_wd)
			return 0;
		/* RFC 3539 3.4.1, timer expiry in OKAY and SUSPECT. */
		if (f->wd == JITSIM_DIAM_WD_SUSPECT)
			return to_closed(f, now_ms, backoff(f), JITSIM_DIAM_EV_CLOSE);
		f->t_wd = now_ms + tw_jittered(f);
		if (!f->dwr_pending) {
			send_dwr(f, out);
			f->dwr_pending = true;
			return 0;
		}
		f->st.dwr_timeouts++;
		f->st.failovers++;
		f->wd = JITSIM_DIAM_WD_SUSPECT;
		return JITSIM_DIAM_EV_FAILOVER;
	case JITSIM_DIAM_CLOSING:
		if (now_ms < f->t_state)
			return 0;
		return to_closed(f, now_ms, f->conf.tc_ms, JITSIM_DIAM_EV_CLOSE);
	default:
		return 0;
	}
}

uint64_t
jitsim_diam_fsm_next_ms(const struct jitsim_diam_fsm *f)
{
	switch (f->state) {
	case JITSIM_DIAM_CLOSED:
		if (f->conf.role == JITSIM_DIAM_INITIATOR && f->t_state != 0)
			return f->t_state;
		return UINT64_MAX;
	case JITSIM_DIAM_WAIT_CONN_ACK:
	case JITSIM_DIAM_WAIT_I_CEA:
	case JITSIM_DIAM_WAIT_CER:
	case JITSIM_DIAM_CLOSING:
		return f->t_state;
	case JITSIM_DIAM_I_OPEN:
	case JITSIM_DIAM_R_OPEN:
		return f->t_wd;
	default:
		return UINT64_MAX;
	}
}

unsigned int
jitsim_diam_fsm_stop(struct jitsim_diam_fsm *f, uint64_t now_ms, uint32_t cause,
		     struct jitsim_diam_out *out)
{
	if (f->state == JITSIM_DIAM_STOPPED || f->state == JITSIM_DIAM_CLOSING) {
		f->stopping = true;
		return 0;
	}
	f->stopping = true;
	if (jitsim_diam_fsm_is_open(f)) {
		send_dpr(f, cause, out);
		f->state = JITSIM_DIAM_CLOSING;
		f->t_state = now_ms + f->conf.dpa_timeout_ms;
		return JITSIM_DIAM_EV_DOWN;
	}
	return to_closed(f, now_ms, 0, JITSIM_DIAM_EV_CLOSE);
}

const char *
jitsim_diam_state_name(enum jitsim_diam_state s)
{
	static const char *const names[] = {
		[JITSIM_DIAM_CLOSED] = "Closed",
		[JITSIM_DIAM_WAIT_CONN_ACK] = "Wait-Conn-Ack",
		[JITSIM_DIAM_WAIT_I_CEA] = "Wait-I-CEA",
		[JITSIM_DIAM_WAIT_CER] = "Wait-CER",
		[JITSIM_DIAM_I_OPEN] = "I-Open",
		[JITSIM_DIAM_R_OPEN] = "R-Open",
		[JITSIM_DIAM_CLOSING] = "Closing",
		[JITSIM_DIAM_STOPPED] = "Stopped",
	};

	if ((unsigned int)s < sizeof(names) / sizeof(names[0]) && names[s] != NULL)
		return names[s];
	return "?";
}

int
jitsim_diam_fsm_dump(const struct jitsim_diam_fsm *f, char *buf, size_t size)
{
	const struct jitsim_diam_fsm_stats *s = &f->st;

	return snprintf(
		buf, size,
		"state=%s wd=%s peer=%s realm=%s relay=%d rx_cer=%" PRIu64 " rx_cea=%" PRIu64
		" rx_dwr=%" PRIu64 " rx_dwa=%" PRIu64 " rx_dpr=%" PRIu64 " rx_dpa=%" PRIu64
		" tx_cer=%" PRIu64 " tx_cea=%" PRIu64 " tx_dwr=%" PRIu64 " tx_dwa=%" PRIu64
		" tx_dpr=%" PRIu64 " tx_dpa=%" PRIu64 " tx_err=%" PRIu64 " failovers=%" PRIu64
		" failbacks=%" PRIu64 " dup=%" PRIu64 " drop_bad=%" PRIu64 " drop_state=%" PRIu64,
		jitsim_diam_state_name(f->state),
		f->wd == JITSIM_DIAM_WD_SUSPECT ? "suspect" : "okay",
		f->peer_host[0] ? f->peer_host : "-", f->peer_realm[0] ? f->peer_realm : "-",
		f->peer_relay ? 1 : 0, s->rx[JITSIM_DIAM_C_CER], s->rx[JITSIM_DIAM_C_CEA],
		s->rx[JITSIM_DIAM_C_DWR], s->rx[JITSIM_DIAM_C_DWA], s->rx[JITSIM_DIAM_C_DPR],
		s->rx[JITSIM_DIAM_C_DPA], s->tx[JITSIM_DIAM_C_CER], s->tx[JITSIM_DIAM_C_CEA],
		s->tx[JITSIM_DIAM_C_DWR], s->tx[JITSIM_DIAM_C_DWA], s->tx[JITSIM_DIAM_C_DPR],
		s->tx[JITSIM_DIAM_C_DPA], s->tx[JITSIM_DIAM_C_ERR_ANS], s->failovers, s->failbacks,
		s->dup, s->drop_bad, s->drop_state);
}
