/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/wbuf.h>

#include "m3ua_asp.h"

/* ERR carries the start of the offending message (RFC 4666 3.8.1). */
#define DIAG_MAX 64
/* Our Heartbeat Data: a counter; the peer echoes it opaquely. */
#define HB_LEN 8

static unsigned int
class_idx(uint8_t cls)
{
	return cls < JITSIM_ASP_NCLASS - 1 ? cls : JITSIM_ASP_NCLASS - 1;
}

static enum jitsim_asp_state
coarse(enum jitsim_asp_fsm f)
{
	switch (f) {
	case JITSIM_ASP_FSM_INACTIVE:
	case JITSIM_ASP_FSM_AC_SENT:
		return JITSIM_ASP_INACTIVE;
	case JITSIM_ASP_FSM_ACTIVE:
	case JITSIM_ASP_FSM_IA_SENT:
		return JITSIM_ASP_ACTIVE;
	default:
		return JITSIM_ASP_DOWN;
	}
}

/* Move to @p f and report the coarse transitions as events. */
static void
set_fsm(struct jitsim_asp *a, enum jitsim_asp_fsm f, unsigned int *ev)
{
	enum jitsim_asp_state o = coarse(a->fsm), n = coarse(f);

	a->fsm = f;
	if (o == n)
		return;
	if (n == JITSIM_ASP_ACTIVE)
		*ev |= JITSIM_ASP_EV_ACTIVE;
	else if (o == JITSIM_ASP_ACTIVE)
		*ev |= JITSIM_ASP_EV_INACTIVE;
	if (n == JITSIM_ASP_DOWN)
		*ev |= JITSIM_ASP_EV_DOWN;
}

static bool
connected(const struct jitsim_asp *a)
{
	return a->fsm != JITSIM_ASP_FSM_DOWN && a->fsm != JITSIM_ASP_FSM_STOPPED;
}

/*
 * BEAT only once ASPUP went through: before that the ASPUP retransmissions
 * already watch the peer, and a BEAT would reach an SGP with no ASP state.
 */
static bool
beating(const struct jitsim_asp *a)
{
	return a->conf.beat_ms != 0 && connected(a) && a->fsm != JITSIM_ASP_FSM_UP_SENT;
}

static bool
emit(struct jitsim_asp *a, struct jitsim_asp_out *out, const struct jitsim_m3ua_mgmt *m)
{
	struct jitsim_wbuf w;

	if (out->n >= JITSIM_ASP_OUT_MSGS) {
		a->st.out_full++;
		return false;
	}
	jitsim_wbuf_init(&w, out->buf, sizeof(out->buf), out->used);
	if (jitsim_m3ua_mgmt_encode(&w, m) != JITSIM_R_OK) {
		a->st.out_full++;
		return false;
	}
	out->msg[out->n].off = (uint32_t)out->used;
	out->msg[out->n].len = (uint32_t)jitsim_wbuf_len(&w);
	out->n++;
	out->used = w.tail;
	a->st.msgs_out[class_idx(m->msg_class)]++;
	return true;
}

static void
send_err(struct jitsim_asp *a, struct jitsim_asp_out *out, uint32_t code, const uint8_t *p,
	 size_t len)
{
	struct jitsim_m3ua_mgmt m;

	/* Never answer an ERR with an ERR: two confused peers would loop. */
	if (len >= 4 && p[2] == JITSIM_M3UA_CLASS_MGMT && p[3] == JITSIM_M3UA_MGMT_ERR)
		return;
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_ERR);
	m.present = JITSIM_M3UA_P_ERROR_CODE | JITSIM_M3UA_P_DIAGNOSTIC;
	m.error_code = code;
	m.diagnostic = p;
	m.diagnostic_len = (uint16_t)(len < DIAG_MAX ? len : DIAG_MAX);
	if (code == JITSIM_M3UA_ERR_INVALID_RC && a->conf.has_rc) {
		m.present |= JITSIM_M3UA_P_RC;
		m.n_rc = 1;
		m.rc[0] = a->conf.rc;
	}
	if (emit(a, out, &m))
		a->st.err_tx[code < JITSIM_M3UA_ERR_MAX ? code : JITSIM_M3UA_ERR_MAX - 1]++;
}

static void
add_rc(const struct jitsim_asp *a, struct jitsim_m3ua_mgmt *m)
{
	if (a->conf.has_rc) {
		m->present |= JITSIM_M3UA_P_RC;
		m->n_rc = 1;
		m->rc[0] = a->conf.rc;
	}
}

static void
send_simple(struct jitsim_asp *a, struct jitsim_asp_out *out, uint8_t cls, uint8_t type)
{
	struct jitsim_m3ua_mgmt m;

	jitsim_m3ua_mgmt_init(&m, cls, type);
	emit(a, out, &m);
}

/* (Re)send the request the client is waiting an answer for. */
static void
send_request(struct jitsim_asp *a, uint64_t now, struct jitsim_asp_out *out)
{
	struct jitsim_m3ua_mgmt m;

	switch (a->fsm) {
	case JITSIM_ASP_FSM_UP_SENT:
		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP);
		if (a->conf.has_asp_id) {
			m.present |= JITSIM_M3UA_P_ASP_ID;
			m.asp_id = a->conf.asp_id;
		}
		break;
	case JITSIM_ASP_FSM_AC_SENT:
		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC);
		if (a->conf.traffic_mode != 0) {
			m.present |= JITSIM_M3UA_P_TRAFFIC_MODE;
			m.traffic_mode = a->conf.traffic_mode;
		}
		add_rc(a, &m);
		break;
	case JITSIM_ASP_FSM_IA_SENT:
		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA);
		add_rc(a, &m);
		break;
	case JITSIM_ASP_FSM_DN_SENT:
		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN);
		break;
	default:
		a->t_retx = 0;
		return;
	}
	emit(a, out, &m);
	a->t_retx = now + a->conf.t_ack_ms;
}

/* Client: enter a state that sends a request, first try. */
static void
request(struct jitsim_asp *a, enum jitsim_asp_fsm f, uint64_t now, struct jitsim_asp_out *out,
	unsigned int *ev)
{
	set_fsm(a, f, ev);
	a->tries = 1;
	send_request(a, now, out);
}

static void
clear_session(struct jitsim_asp *a)
{
	a->t_retx = 0;
	a->tries = 0;
	a->beat_pending = false;
	a->beats_lost = 0;
	a->t_beat = 0;
	a->t_daud = 0;
	a->as_state = 0;
	a->n_unavail = 0;
}

void
jitsim_asp_init(struct jitsim_asp *a, const struct jitsim_asp_conf *c)
{
	memset(a, 0, sizeof(*a));
	a->conf = *c;
	if (a->conf.t_ack_ms == 0)
		a->conf.t_ack_ms = JITSIM_ASP_DEFAULT_T_ACK_MS;
	if (a->conf.max_retx == 0)
		a->conf.max_retx = JITSIM_ASP_DEFAULT_MAX_RETX;
	if (a->conf.daud_ms == 0)
		a->conf.daud_ms = JITSIM_ASP_DEFAULT_DAUD_MS;
	if (a->conf.n_known_pc > JITSIM_ASP_MAX_KNOWN_PC)
		a->conf.n_known_pc = JITSIM_ASP_MAX_KNOWN_PC;
	a->fsm = JITSIM_ASP_FSM_DOWN;
}

unsigned int
jitsim_asp_up(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out)
{
	unsigned int ev = 0;

	clear_session(a);
	a->stopping = false;
	a->last_rx_ms = now_ms;
	if (a->conf.role == JITSIM_ASP_ROLE_ASP)
		request(a, JITSIM_ASP_FSM_UP_SENT, now_ms, out, &ev);
	else
		set_fsm(a, JITSIM_ASP_FSM_UP_SENT, &ev);
	return ev;
}

unsigned int
jitsim_asp_down(struct jitsim_asp *a)
{
	unsigned int ev = 0;

	clear_session(a);
	set_fsm(a, a->stopping ? JITSIM_ASP_FSM_STOPPED : JITSIM_ASP_FSM_DOWN, &ev);
	return ev;
}

/* RFC 4666 3.4.1: the mask is the number of least significant PC bits wildcarded. */
static uint32_t
apc_low(uint32_t e)
{
	unsigned int m = JITSIM_M3UA_APC_MASK(e);

	return m >= 24 ? 0xffffffu : (1u << m) - 1;
}

static bool
apc_covers(uint32_t e, uint32_t pc)
{
	uint32_t keep = 0xffffffu & ~apc_low(e);

	return (JITSIM_M3UA_APC_PC(e) & keep) == (pc & keep);
}

bool
jitsim_asp_dpc_available(const struct jitsim_asp *a, uint32_t dpc)
{
	for (unsigned int i = 0; i < a->n_unavail; i++)
		if (apc_covers(a->unavail[i], dpc & 0xffffffu))
			return false;
	return true;
}

static void
on_duna(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, uint64_t now, unsigned int *ev)
{
	for (unsigned int i = 0; i < m->n_apc; i++) {
		uint32_t e = m->apc[i];
		unsigned int j;

		for (j = 0; j < a->n_unavail; j++)
			if (a->unavail[j] == e)
				break;
		if (j < a->n_unavail)
			continue;
		if (a->n_unavail >= JITSIM_ASP_MAX_UNAVAIL) {
			a->st.unavail_full++;
			continue;
		}
		a->unavail[a->n_unavail++] = e;
		*ev |= JITSIM_ASP_EV_DPC;
	}
	if (a->n_unavail > 0 && a->t_daud == 0)
		a->t_daud = now + a->conf.daud_ms;
}

static void
on_dava(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, unsigned int *ev)
{
	for (unsigned int i = 0; i < m->n_apc; i++) {
		uint32_t d = m->apc[i];

		/*
		 * Drop every entry whose whole range the DAVA covers. A DAVA
		 * for part of a DUNA range cannot split it: the range stays
		 * unavailable until the DAVA for all of it (or a reconnect).
		 */
		for (unsigned int j = 0; j < a->n_unavail;) {
			uint32_t e = a->unavail[j];

			if (JITSIM_M3UA_APC_MASK(d) >= JITSIM_M3UA_APC_MASK(e) &&
			    apc_covers(d, JITSIM_M3UA_APC_PC(e))) {
				a->unavail[j] = a->unavail[--a->n_unavail];
				*ev |= JITSIM_ASP_EV_DPC;
			} else {
				j++;
			}
		}
	}
	if (a->n_unavail == 0)
		a->t_daud = 0;
}

static void
send_beat(struct jitsim_asp *a, uint64_t now, struct jitsim_asp_out *out)
{
	struct jitsim_m3ua_mgmt m;
	uint8_t hb[HB_LEN];

	a->beat_seq++;
	jitsim_put_be32(hb, (uint32_t)(a->beat_seq >> 32));
	jitsim_put_be32(hb + 4, (uint32_t)a->beat_seq);
	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT);
	m.present = JITSIM_M3UA_P_HEARTBEAT;
	m.heartbeat = hb;
	m.heartbeat_len = HB_LEN;
	if (emit(a, out, &m))
		a->st.beat_tx++;
	a->beat_pending = true;
	a->t_beat = now + a->conf.t_ack_ms;
}

static void
on_beat_ack(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m)
{
	uint8_t hb[HB_LEN];

	jitsim_put_be32(hb, (uint32_t)(a->beat_seq >> 32));
	jitsim_put_be32(hb + 4, (uint32_t)a->beat_seq);
	if (!a->beat_pending || m->heartbeat_len != HB_LEN || memcmp(m->heartbeat, hb, HB_LEN)) {
		a->st.beat_bad_ack++;
		return;
	}
	a->st.beat_ack_rx++;
	a->beat_pending = false;
	a->beats_lost = 0;
	a->t_beat = 0;
}

static void
answer_beat(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, const uint8_t *p, size_t len,
	    struct jitsim_asp_out *out)
{
	struct jitsim_m3ua_mgmt r;

	/* Bounded echo: the answer must fit the out buffer beside others. */
	if (m->heartbeat_len > JITSIM_ASP_OUT_BYTES / 2) {
		send_err(a, out, JITSIM_M3UA_ERR_INVALID_PARAM_VALUE, p, len);
		return;
	}
	jitsim_m3ua_mgmt_init(&r, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK);
	r.present = m->present & JITSIM_M3UA_P_HEARTBEAT;
	r.heartbeat = m->heartbeat;
	r.heartbeat_len = m->heartbeat_len;
	emit(a, out, &r);
}

static void
send_ntfy(struct jitsim_asp *a, struct jitsim_asp_out *out, uint16_t as_state,
	  const struct jitsim_m3ua_mgmt *req)
{
	struct jitsim_m3ua_mgmt m;

	jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_NTFY);
	m.present = JITSIM_M3UA_P_STATUS;
	m.status_type = JITSIM_M3UA_NTFY_AS_STATE_CHANGE;
	m.status_info = as_state;
	if (req != NULL && (req->present & JITSIM_M3UA_P_ASP_ID)) {
		m.present |= JITSIM_M3UA_P_ASP_ID;
		m.asp_id = req->asp_id;
	}
	add_rc(a, &m);
	emit(a, out, &m);
}

/* SGP: DAUD -> DAVA for the known PCs it covers, DUNA for entries covering none. */
static void
answer_daud(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, struct jitsim_asp_out *out)
{
	struct jitsim_m3ua_mgmt dava, duna;

	jitsim_m3ua_mgmt_init(&dava, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAVA);
	jitsim_m3ua_mgmt_init(&duna, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA);
	for (unsigned int i = 0; i < m->n_apc; i++) {
		bool any = false;

		for (unsigned int k = 0; k < a->conf.n_known_pc; k++) {
			uint32_t pc = a->conf.known_pc[k] & 0xffffffu;

			if (!apc_covers(m->apc[i], pc))
				continue;
			any = true;
			if (dava.n_apc < JITSIM_M3UA_MGMT_MAX_APC)
				dava.apc[dava.n_apc++] = JITSIM_M3UA_APC(0, pc);
		}
		if (!any && duna.n_apc < JITSIM_M3UA_MGMT_MAX_APC)
			duna.apc[duna.n_apc++] = m->apc[i];
	}
	if (dava.n_apc) {
		dava.present = JITSIM_M3UA_P_AFFECTED_PC;
		add_rc(a, &dava);
		emit(a, out, &dava);
	}
	if (duna.n_apc) {
		duna.present = JITSIM_M3UA_P_AFFECTED_PC;
		add_rc(a, &duna);
		emit(a, out, &duna);
	}
}

static void
unexpected(struct jitsim_asp *a, const uint8_t *p, size_t len, struct jitsim_asp_out *out)
{
	a->st.unexpected++;
	send_err(a, out, JITSIM_M3UA_ERR_UNEXPECTED_MSG, p, len);
}

static bool
rc_ok(const struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m)
{
	if (!a->conf.has_rc || !(m->present & JITSIM_M3UA_P_RC))
		return true;
	for (unsigned int i = 0; i < m->n_rc; i++)
		if (m->rc[i] == a->conf.rc)
			return true;
	return false;
}

/* Server side (SGP, IPSP single exchange): RFC 4666 4.3.4. */
static void
sgp_input(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, const uint8_t *p, size_t len,
	  struct jitsim_asp_out *out, unsigned int *ev)
{
	bool up = a->fsm == JITSIM_ASP_FSM_INACTIVE || a->fsm == JITSIM_ASP_FSM_ACTIVE;
	struct jitsim_m3ua_mgmt r;

	switch (m->msg_class << 8 | m->msg_type) {
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP:
		/* 4.3.4.1: ASPUP while ACTIVE takes the ASP back to INACTIVE. */
		jitsim_m3ua_mgmt_init(&r, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP_ACK);
		if (m->present & JITSIM_M3UA_P_ASP_ID) {
			r.present |= JITSIM_M3UA_P_ASP_ID;
			r.asp_id = m->asp_id;
		}
		emit(a, out, &r);
		set_fsm(a, JITSIM_ASP_FSM_INACTIVE, ev);
		send_ntfy(a, out, JITSIM_M3UA_AS_INACTIVE, m);
		return;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN:
		send_simple(a, out, JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN_ACK);
		set_fsm(a, JITSIM_ASP_FSM_UP_SENT, ev);
		return;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC:
		if (!up) {
			unexpected(a, p, len, out);
			return;
		}
		if ((m->present & JITSIM_M3UA_P_TRAFFIC_MODE) &&
		    m->traffic_mode != JITSIM_M3UA_TMT_OVERRIDE &&
		    m->traffic_mode != JITSIM_M3UA_TMT_LOADSHARE) {
			send_err(a, out, JITSIM_M3UA_ERR_UNSUPP_TRAFFIC_MODE, p, len);
			return;
		}
		if (!rc_ok(a, m)) {
			send_err(a, out, JITSIM_M3UA_ERR_INVALID_RC, p, len);
			return;
		}
		jitsim_m3ua_mgmt_init(&r, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC_ACK);
		r.present = m->present & JITSIM_M3UA_P_TRAFFIC_MODE;
		r.traffic_mode = m->traffic_mode;
		add_rc(a, &r);
		emit(a, out, &r);
		set_fsm(a, JITSIM_ASP_FSM_ACTIVE, ev);
		send_ntfy(a, out, JITSIM_M3UA_AS_ACTIVE, NULL);
		return;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA:
		if (!up) {
			unexpected(a, p, len, out);
			return;
		}
		jitsim_m3ua_mgmt_init(&r, JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA_ACK);
		add_rc(a, &r);
		emit(a, out, &r);
		/* One ASP per AS here: the AS goes inactive with it (no T(r) queueing). */
		if (a->fsm == JITSIM_ASP_FSM_ACTIVE)
			send_ntfy(a, out, JITSIM_M3UA_AS_INACTIVE, NULL);
		set_fsm(a, JITSIM_ASP_FSM_INACTIVE, ev);
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DAUD:
		a->st.daud_rx++;
		if (!up) {
			unexpected(a, p, len, out);
			return;
		}
		answer_daud(a, m, out);
		return;
	default:
		/* ACKs, DUNA/DAVA/SCON/DUPU/DRST: an SGP never receives them. */
		unexpected(a, p, len, out);
		return;
	}
}

/* Client side (ASP): RFC 4666 4.3.4 seen from the ASP. */
static void
asp_input(struct jitsim_asp *a, const struct jitsim_m3ua_mgmt *m, const uint8_t *p, size_t len,
	  uint64_t now, struct jitsim_asp_out *out, unsigned int *ev)
{
	switch (m->msg_class << 8 | m->msg_type) {
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP_ACK:
		/* A late duplicate after a retransmission is harmless: ignored. */
		if (a->fsm == JITSIM_ASP_FSM_UP_SENT)
			request(a, JITSIM_ASP_FSM_AC_SENT, now, out, ev);
		return;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC_ACK:
		if (a->fsm == JITSIM_ASP_FSM_AC_SENT) {
			a->t_retx = 0;
			set_fsm(a, JITSIM_ASP_FSM_ACTIVE, ev);
			if (a->n_unavail > 0 && a->t_daud == 0)
				a->t_daud = now + a->conf.daud_ms;
		}
		return;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA_ACK:
		if (a->fsm == JITSIM_ASP_FSM_IA_SENT) {
			request(a, JITSIM_ASP_FSM_DN_SENT, now, out, ev);
		} else if (a->fsm == JITSIM_ASP_FSM_ACTIVE) {
			/*
			 * 4.3.4.4: unsolicited, the SGP deactivated us (management).
			 * Stay INACTIVE: re-activating would fight the operator.
			 */
			set_fsm(a, JITSIM_ASP_FSM_INACTIVE, ev);
		}
		return;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN_ACK:
		if (a->fsm == JITSIM_ASP_FSM_DN_SENT) {
			a->t_retx = 0;
			set_fsm(a, JITSIM_ASP_FSM_STOPPED, ev);
			*ev |= JITSIM_ASP_EV_CLOSE;
		} else if (a->fsm != JITSIM_ASP_FSM_UP_SENT) {
			/*
			 * 4.3.4.2: unsolicited, the SGP took us down; ask to come
			 * back up after T(ack) (the retransmission timer sends ASPUP).
			 */
			set_fsm(a, JITSIM_ASP_FSM_UP_SENT, ev);
			a->tries = 0;
			a->t_retx = now + a->conf.t_ack_ms;
		}
		return;
	case JITSIM_M3UA_CLASS_MGMT << 8 | JITSIM_M3UA_MGMT_NTFY:
		a->st.ntfy_rx++;
		if (m->status_type == JITSIM_M3UA_NTFY_AS_STATE_CHANGE)
			a->as_state = m->status_info;
		else if (m->status_type == JITSIM_M3UA_NTFY_OTHER &&
			 m->status_info == JITSIM_M3UA_NTFY_ALT_ASP_ACTIVE &&
			 a->fsm == JITSIM_ASP_FSM_ACTIVE)
			/* 4.3.4.3 override: another ASP took the traffic. */
			set_fsm(a, JITSIM_ASP_FSM_INACTIVE, ev);
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DUNA:
		a->st.duna_rx++;
		on_duna(a, m, now, ev);
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DAVA:
		a->st.dava_rx++;
		on_dava(a, m, ev);
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_SCON:
		a->st.scon_rx++;
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DUPU:
		a->st.dupu_rx++;
		return;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DRST:
		a->st.drst_rx++;
		return;
	default:
		/* ASPUP/ASPAC/DAUD...: the peer thinks it is the ASP too. */
		unexpected(a, p, len, out);
		return;
	}
}

static enum jitsim_reason
input_data(struct jitsim_asp *a, const uint8_t *p, size_t len, uint16_t stream,
	   struct jitsim_asp_out *out, struct jitsim_m3ua *data)
{
	enum jitsim_reason r = jitsim_m3ua_decode(p, len, data);
	bool ok_state;

	if (r != JITSIM_R_OK) {
		a->st.drop[r]++;
		send_err(a, out,
			 r == JITSIM_R_M3UA_NO_PROTOCOL_DATA ? JITSIM_M3UA_ERR_MISSING_PARAM
			 : r == JITSIM_R_TRUNCATED	     ? JITSIM_M3UA_ERR_PROTOCOL_ERROR
							     : JITSIM_M3UA_ERR_PARAM_FIELD_ERROR,
			 p, len);
		return r;
	}
	/*
	 * The client accepts DATA while waiting for ASPAC_ACK: the SGP may
	 * send on stream 1..n before our ASPAC_ACK on stream 0 is delivered
	 * (SCTP orders per stream only), and until ASPIA_ACK when stopping.
	 */
	if (a->conf.role == JITSIM_ASP_ROLE_ASP)
		ok_state = a->fsm == JITSIM_ASP_FSM_ACTIVE || a->fsm == JITSIM_ASP_FSM_AC_SENT ||
			   a->fsm == JITSIM_ASP_FSM_IA_SENT;
	else
		ok_state = a->fsm == JITSIM_ASP_FSM_ACTIVE;
	if (!ok_state) {
		a->st.data_unexpected++;
		a->st.drop[JITSIM_R_M3UA_BAD]++;
		send_err(a, out, JITSIM_M3UA_ERR_UNEXPECTED_MSG, p, len);
		return JITSIM_R_M3UA_BAD;
	}
	if (stream == 0) {
		/* RFC 4666 1.4.7: DATA never on stream 0. */
		a->st.data_unexpected++;
		a->st.drop[JITSIM_R_M3UA_BAD]++;
		send_err(a, out, JITSIM_M3UA_ERR_INVALID_STREAM, p, len);
		return JITSIM_R_M3UA_BAD;
	}
	if (a->conf.has_rc && data->has_rc && data->rc != a->conf.rc) {
		a->st.data_unexpected++;
		a->st.drop[JITSIM_R_M3UA_BAD]++;
		send_err(a, out, JITSIM_M3UA_ERR_INVALID_RC, p, len);
		return JITSIM_R_M3UA_BAD;
	}
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_asp_input(struct jitsim_asp *a, const uint8_t *p, size_t len, uint16_t stream,
		 uint64_t now_ms, struct jitsim_asp_out *out, struct jitsim_m3ua *data,
		 unsigned int *ev)
{
	struct jitsim_m3ua_mgmt m;
	enum jitsim_reason r;

	a->last_rx_ms = now_ms;
	if (len >= JITSIM_M3UA_HDR_LEN) {
		a->st.msgs_in[class_idx(p[2])]++;
		if (p[0] == JITSIM_M3UA_VERSION && p[2] == JITSIM_M3UA_CLASS_XFER &&
		    p[3] == JITSIM_M3UA_XFER_DATA)
			return input_data(a, p, len, stream, out, data);
	}
	r = jitsim_m3ua_mgmt_decode(p, len, &m);
	if (r != JITSIM_R_OK) {
		a->st.drop[r]++;
		if (r == JITSIM_R_BAD_PARAM)
			/* A Transfer message other than DATA. */
			send_err(a, out, JITSIM_M3UA_ERR_UNSUPP_TYPE, p, len);
		else if (r == JITSIM_R_TRUNCATED)
			send_err(a, out, JITSIM_M3UA_ERR_PROTOCOL_ERROR, p, len);
		else
			send_err(a, out, m.err_code, p, len);
		return r;
	}

	/* Both roles. */
	if (m.msg_class == JITSIM_M3UA_CLASS_ASPSM && m.msg_type == JITSIM_M3UA_ASPSM_BEAT) {
		answer_beat(a, &m, p, len, out);
		return JITSIM_R_M3UA_NOT_DATA;
	}
	if (m.msg_class == JITSIM_M3UA_CLASS_ASPSM && m.msg_type == JITSIM_M3UA_ASPSM_BEAT_ACK) {
		on_beat_ack(a, &m);
		return JITSIM_R_M3UA_NOT_DATA;
	}
	if (m.msg_class == JITSIM_M3UA_CLASS_MGMT && m.msg_type == JITSIM_M3UA_MGMT_ERR) {
		a->st.err_rx[m.error_code < JITSIM_M3UA_ERR_MAX ? m.error_code
								: JITSIM_M3UA_ERR_MAX - 1]++;
		return JITSIM_R_M3UA_NOT_DATA;
	}
	if (a->conf.role == JITSIM_ASP_ROLE_SGP) {
		if (m.msg_class == JITSIM_M3UA_CLASS_MGMT) {
			a->st.ntfy_rx++; /* an ASP may send NTFY (ASP failure); nothing to do */
			return JITSIM_R_M3UA_NOT_DATA;
		}
		sgp_input(a, &m, p, len, out, ev);
	} else {
		asp_input(a, &m, p, len, now_ms, out, ev);
	}
	return JITSIM_R_M3UA_NOT_DATA;
}

unsigned int
jitsim_asp_tick(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out)
{
	unsigned int ev = 0;

	if (!connected(a))
		return 0;
	if (a->t_retx != 0 && now_ms >= a->t_retx) {
		if (a->tries >= a->conf.max_retx) {
			a->st.giveups++;
			if (a->stopping) {
				set_fsm(a, JITSIM_ASP_FSM_STOPPED, &ev);
				ev |= JITSIM_ASP_EV_CLOSE;
			} else {
				ev |= jitsim_asp_down(a) | JITSIM_ASP_EV_RECONNECT;
			}
			return ev;
		}
		if (a->tries > 0)
			a->st.retx++;
		a->tries++;
		send_request(a, now_ms, out);
	}
	if (beating(a)) {
		if (a->beat_pending && now_ms >= a->t_beat) {
			a->st.beat_lost++;
			a->beat_pending = false;
			if (++a->beats_lost >= a->conf.max_retx) {
				a->st.giveups++;
				return ev | jitsim_asp_down(a) | JITSIM_ASP_EV_RECONNECT;
			}
			send_beat(a, now_ms, out);
		} else if (!a->beat_pending && now_ms >= a->last_rx_ms + a->conf.beat_ms) {
			send_beat(a, now_ms, out);
		}
	}
	/* RFC 4666 4.5.3: audit unavailable destinations while active. */
	if (a->conf.role == JITSIM_ASP_ROLE_ASP && a->fsm == JITSIM_ASP_FSM_ACTIVE &&
	    a->n_unavail > 0 && a->t_daud != 0 && now_ms >= a->t_daud) {
		struct jitsim_m3ua_mgmt m;

		jitsim_m3ua_mgmt_init(&m, JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAUD);
		m.present = JITSIM_M3UA_P_AFFECTED_PC;
		/* JITSIM_ASP_MAX_UNAVAIL <= JITSIM_M3UA_MGMT_MAX_APC */
		m.n_apc = (uint8_t)a->n_unavail;
		memcpy(m.apc, a->unavail, a->n_unavail * sizeof(m.apc[0]));
		add_rc(a, &m);
		if (emit(a, out, &m))
			a->st.daud_tx++;
		a->t_daud = now_ms + a->conf.daud_ms;
	}
	return ev;
}

uint64_t
jitsim_asp_next_ms(const struct jitsim_asp *a)
{
	uint64_t t = UINT64_MAX;

	if (!connected(a))
		return t;
	if (a->t_retx != 0)
		t = a->t_retx;
	if (beating(a)) {
		uint64_t b = a->beat_pending ? a->t_beat : a->last_rx_ms + a->conf.beat_ms;

		if (b < t)
			t = b;
	}
	if (a->conf.role == JITSIM_ASP_ROLE_ASP && a->fsm == JITSIM_ASP_FSM_ACTIVE &&
	    a->n_unavail > 0 && a->t_daud != 0 && a->t_daud < t)
		t = a->t_daud;
	return t;
}

unsigned int
jitsim_asp_stop(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out)
{
	unsigned int ev = 0;

	a->stopping = true;
	if (a->conf.role == JITSIM_ASP_ROLE_SGP || !connected(a)) {
		a->t_retx = 0;
		set_fsm(a, JITSIM_ASP_FSM_STOPPED, &ev);
		return ev | JITSIM_ASP_EV_CLOSE;
	}
	switch (a->fsm) {
	case JITSIM_ASP_FSM_ACTIVE:
	case JITSIM_ASP_FSM_AC_SENT:
		request(a, JITSIM_ASP_FSM_IA_SENT, now_ms, out, &ev);
		break;
	case JITSIM_ASP_FSM_IA_SENT:
	case JITSIM_ASP_FSM_DN_SENT:
		break; /* already on its way */
	default:
		request(a, JITSIM_ASP_FSM_DN_SENT, now_ms, out, &ev);
		break;
	}
	return ev;
}

enum jitsim_asp_state
jitsim_asp_state(const struct jitsim_asp *a)
{
	return coarse(a->fsm);
}

const char *
jitsim_asp_state_name(enum jitsim_asp_state s)
{
	switch (s) {
	case JITSIM_ASP_DOWN:
		return "DOWN";
	case JITSIM_ASP_INACTIVE:
		return "INACTIVE";
	case JITSIM_ASP_ACTIVE:
		return "ACTIVE";
	}
	return "?";
}

const char *
jitsim_asp_fsm_name(enum jitsim_asp_fsm s)
{
	static const char *const names[] = {
		[JITSIM_ASP_FSM_DOWN] = "DOWN",		[JITSIM_ASP_FSM_UP_SENT] = "UP_SENT",
		[JITSIM_ASP_FSM_INACTIVE] = "INACTIVE", [JITSIM_ASP_FSM_AC_SENT] = "AC_SENT",
		[JITSIM_ASP_FSM_ACTIVE] = "ACTIVE",	[JITSIM_ASP_FSM_IA_SENT] = "IA_SENT",
		[JITSIM_ASP_FSM_DN_SENT] = "DN_SENT",	[JITSIM_ASP_FSM_STOPPED] = "STOPPED",
	};

	if ((unsigned int)s < sizeof(names) / sizeof(names[0]) && names[s] != NULL)
		return names[s];
	return "?";
}
