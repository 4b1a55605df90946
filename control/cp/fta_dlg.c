/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The MAP side of the FTA engine (fta.h): what each received message
 * does to its dialogue, and what the engine answers (TS 29.002 19.1.1
 * location updating, 19.5 authentication, 8.1.3 cancel location; the
 * message sequence chart is in docs/fta.md).
 *
 * Buffers: a MAP parameter is built into a scratch wbuf, the TC message
 * around it into a second one whose headroom leaves room for the SCCP
 * header (map_fta.h). Vectors and the scratch holding their encoding are
 * wiped once sent.
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/map.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/sim.h>

#include "auth.h"
#include "fta.h"
#include "fta_int.h"
#include "store.h"

/* Scratch sizes: a MAP parameter, and a TC message plus the SCCP header
 * in front of it (two addresses of at most 18 octets each, Q.713 3.4). */
#define FTA_PARAM_BUF 512
#define FTA_MSG_BUF 1024
#define FTA_MSG_HEADROOM 1024
/* MILENAGE's RES (f2) is 8 octets: the XRES of every quintuplet. */
#define FTA_XRES_LEN ((uint8_t)sizeof(((struct jitsim_auth_vec *)0)->xres))

struct fta_msg {
	struct jitsim_wbuf w;
	uint8_t buf[FTA_MSG_BUF];
};

static void
fta_msg_init(struct fta_msg *m)
{
	jitsim_wbuf_init(&m->w, m->buf, sizeof(m->buf), FTA_MSG_HEADROOM);
}

static void
fta_bad(struct jitsim_cp_fta *e, enum jitsim_cp_fta_bad why)
{
	FTA_ST_ADD(e, bad[why], 1);
}

static void
fta_imsi_str(uint64_t imsi, char *buf, size_t len)
{
	if (jitsim_digits_key_format(imsi, buf, len) < 0)
		snprintf(buf, len, "?");
}

/* One TC message of dialogue @tc with one component to @peer. */
static int
fta_send_tc(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi,
	    struct jitsim_map_fta_dialogue *tc, uint8_t type, const struct jitsim_tcap_component *c)
{
	const bool aare_pending = tc->aare_pending;
	struct fta_msg m;
	enum jitsim_reason r;

	fta_msg_init(&m);
	r = jitsim_map_fta_tc_encode(&m.w, tc, type, c, c != NULL ? 1 : 0);
	if (r != JITSIM_R_OK) {
		FTA_ST_ADD(e, send_drops, 1);
		fta_log("TC message does not encode: %s", jitsim_reason_str(r));
		return -EINVAL;
	}
	r = fta_send(e, peer, imsi, &m.w);
	explicit_bzero(m.buf, sizeof(m.buf));
	/* Not sent (sig_down full): the peer has still not seen our AARE,
	 * so the next backward message must carry it (TS 29.002 15.x). */
	if (r < 0)
		tc->aare_pending = aare_pending;
	return r;
}

/* End with ReturnError(@invoke_id, @error) for dialogue @tc. */
static void
fta_send_error(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi,
	       struct jitsim_map_fta_dialogue *tc, int8_t invoke_id, uint8_t error)
{
	const struct jitsim_tcap_component c = jitsim_map_fta_comp_error(invoke_id, error);

	fta_send_tc(e, peer, imsi, tc, JITSIM_TCAP_END, &c);
}

void
fta_log_limited(struct jitsim_cp_fta *e, const char *fmt, ...)
{
	const uint64_t now = fta_mono_ns();
	char buf[384];
	va_list ap;

	if (now < e->log_next_ns) {
		e->log_suppressed++;
		return;
	}
	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (e->log_suppressed > 0)
		fta_log("%s (and %" PRIu64 " more such lines not logged)", buf, e->log_suppressed);
	else
		fta_log("%s", buf);
	e->log_suppressed = 0;
	e->log_next_ns = now + 1000000000ull;
}

/* --- SendAuthenticationInfo --- */

/* The most vectors (up to @want) whose answer fits one UDT: the answer
 * built with zero vectors (same size as real ones) and measured, as the
 * size helpers of map_fta.h are an upper bound past 128 octets. */
static unsigned int
fta_sai_fit(const struct jitsim_map_fta_dialogue *tc, bool quint, uint8_t version,
	    unsigned int want)
{
	static const union {
		struct jitsim_map_fta_quintuplet q[JITSIM_AUTH_VEC_MAX];
		struct jitsim_map_fta_triplet t[JITSIM_AUTH_VEC_MAX];
	} zero = {.q = {{.xres_len = FTA_XRES_LEN},
			{.xres_len = FTA_XRES_LEN},
			{.xres_len = FTA_XRES_LEN},
			{.xres_len = FTA_XRES_LEN},
			{.xres_len = FTA_XRES_LEN}}};

	for (unsigned int n = want; n > 1; n--) {
		uint8_t pbuf[FTA_PARAM_BUF];
		struct jitsim_wbuf pw;
		struct jitsim_map_fta_dialogue d = *tc;
		struct jitsim_tcap_component c;
		struct fta_msg m;
		enum jitsim_reason r;

		jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
		r = quint ? jitsim_map_fta_sai_res_quintuplets(&pw, zero.q, n)
			  : jitsim_map_fta_sai_res_triplets(&pw, version, zero.t, n);
		if (r != JITSIM_R_OK)
			continue;
		c = jitsim_map_fta_comp_result(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
					       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
		fta_msg_init(&m);
		if (jitsim_map_fta_tc_encode(&m.w, &d, JITSIM_TCAP_END, &c, 1) == JITSIM_R_OK &&
		    jitsim_wbuf_len(&m.w) <= JITSIM_MAP_FTA_UDT_DATA_MAX)
			return n;
	}
	return 1;
}

/* A SIM that may be served: in the store, not locked, blocked or retired
 * (the dataplane answers those itself from its table, but the table may
 * be behind the store). */
static int
fta_sim_usable(struct jitsim_cp_fta *e, uint64_t imsi, struct jitsim_rec *r)
{
	char err[256];
	int rc = jitsim_store_sim_get(e->store, imsi, r, err, sizeof(err));

	if (rc != 0)
		return rc;
	if (r->state == JITSIM_SIM_LOCKED || r->state == JITSIM_SIM_BLOCKED ||
	    r->state == JITSIM_SIM_RETIRED)
		return -EPERM;
	return 0;
}

static void
fta_sai(struct jitsim_cp_fta *e, const struct jitsim_tcap *t, unsigned int ci,
	const struct fta_peer *peer, uint64_t sig_imsi)
{
	const struct jitsim_tcap_component *inv = &t->comp[ci];
	struct jitsim_map_fta_sai_arg arg;
	struct jitsim_map_fta_dialogue tc;
	struct jitsim_auth_resync rs;
	struct jitsim_auth_req rq;
	struct jitsim_auth_vec v[JITSIM_AUTH_VEC_MAX];
	union {
		struct jitsim_map_fta_quintuplet q[JITSIM_AUTH_VEC_MAX];
		struct jitsim_map_fta_triplet t[JITSIM_AUTH_VEC_MAX];
	} sets;
	uint8_t pbuf[FTA_PARAM_BUF];
	struct jitsim_wbuf pw;
	struct jitsim_tcap_component res;
	struct jitsim_rec rec;
	char imsi_s[JITSIM_DIGITS_MAX + 1], err[256];
	uint64_t imsi;
	uint8_t version;
	bool quint;
	int rc;

	if (jitsim_map_fta_dialogue_answer(&tc, t, 0) != JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
	FTA_ST_ADD(e, dlg_opened, 1);
	if (jitsim_map_fta_sai_arg_decode(inv->param, inv->param_len, &arg) != JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_MAP);
		FTA_ST_ADD(e, sai_errors, 1);
		fta_send_error(e, peer, sig_imsi, &tc, inv->invoke_id,
			       JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE);
		FTA_ST_ADD(e, dlg_completed, 1);
		return;
	}
	imsi = jitsim_digits_key(&arg.imsi);
	fta_imsi_str(imsi, imsi_s, sizeof(imsi_s));
	/* The dialogue's version rules; without a dialogue portion (v1/v2
	 * peers) the argument's form tells. */
	version = tc.map_ac != 0 ? tc.map_version : arg.version;
	quint = version >= 3;
	memset(&rq, 0, sizeof(rq));
	rq.kind = quint ? JITSIM_AUTH_UMTS : JITSIM_AUTH_GSM;
	/* Fewer vectors than asked when they do not fit one UDT (TS 29.002
	 * 8.5.2 lets the HLR return fewer). Decided before they are computed:
	 * each takes an SQN for good. */
	rq.n = fta_sai_fit(&tc, quint, quint ? 3 : 2, arg.n_vectors);
	if (arg.has_resync) {
		memcpy(rs.rand, arg.rand, sizeof(rs.rand));
		memcpy(rs.auts, arg.auts, sizeof(rs.auts));
		rq.resync = &rs;
	}
	rc = fta_sim_usable(e, imsi, &rec);
	if (rc == 0)
		rc = jitsim_auth_vectors(e->auth, imsi, &rq, v, err, sizeof(err));
	else
		snprintf(err, sizeof(err), "IMSI %s: %s", imsi_s,
			 rc == -ENOENT	? "not in the store"
			 : rc == -EPERM ? "locked, blocked or retired"
					: "record unreadable");
	if (rc < 0) {
		/* Unknown SIM or one without keys: what its real HLR would say.
		 * A wrong AUTS or a store failure: systemFailure, and the VLR
		 * tries again or rejects the attach. */
		uint8_t error = rc == -ENOENT || rc == -ENOKEY || rc == -EPERM
					? JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER
					: JITSIM_MAP_ERR_SYSTEM_FAILURE;

		if (rc != -ENOENT && rc != -EPERM)
			fta_log_limited(e, "SAI: %s", err);
		FTA_ST_ADD(e, sai_errors, 1);
		fta_send_error(e, peer, imsi, &tc, inv->invoke_id, error);
		FTA_ST_ADD(e, dlg_completed, 1);
		return;
	}
	for (unsigned int i = 0; i < rq.n; i++) {
		if (quint) {
			struct jitsim_map_fta_quintuplet *q = &sets.q[i];

			memcpy(q->rand, v[i].rand, sizeof(q->rand));
			memcpy(q->xres, v[i].xres, sizeof(v[i].xres));
			q->xres_len = FTA_XRES_LEN;
			memcpy(q->ck, v[i].ck, sizeof(q->ck));
			memcpy(q->ik, v[i].ik, sizeof(q->ik));
			memcpy(q->autn, v[i].autn, sizeof(q->autn));
		} else {
			struct jitsim_map_fta_triplet *g = &sets.t[i];

			memcpy(g->rand, v[i].rand, sizeof(g->rand));
			memcpy(g->sres, v[i].sres, sizeof(g->sres));
			memcpy(g->kc, v[i].kc, sizeof(g->kc));
		}
	}
	jitsim_auth_vec_wipe(v, rq.n);
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	rc = quint ? jitsim_map_fta_sai_res_quintuplets(&pw, sets.q, rq.n)
		   : jitsim_map_fta_sai_res_triplets(&pw, version >= 3 ? 3 : 2, sets.t, rq.n);
	explicit_bzero(&sets, sizeof(sets));
	if (rc != JITSIM_R_OK) {
		fta_log("SAI: IMSI %s: result does not encode: %s", imsi_s,
			jitsim_reason_str((enum jitsim_reason)rc));
		FTA_ST_ADD(e, sai_errors, 1);
		fta_send_error(e, peer, imsi, &tc, inv->invoke_id, JITSIM_MAP_ERR_SYSTEM_FAILURE);
	} else {
		res = jitsim_map_fta_comp_result(inv->invoke_id,
						 JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
						 jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
		if (fta_send_tc(e, peer, imsi, &tc, JITSIM_TCAP_END, &res) == 0) {
			FTA_ST_ADD(e, sai_answered, 1);
			FTA_ST_ADD(e, vectors, rq.n);
			if (arg.has_resync)
				FTA_ST_ADD(e, resyncs, 1);
		}
	}
	explicit_bzero(pbuf, sizeof(pbuf));
	FTA_ST_ADD(e, dlg_completed, 1);
}

/* --- UpdateLocation / UpdateGprsLocation --- */

/* The UL fails: End with ReturnError, dialogue freed. */
static void
fta_ul_fail(struct jitsim_cp_fta *e, struct fta_dlg *d, uint8_t error)
{
	fta_send_error(e, &d->peer, d->imsi, &d->tc, d->invoke_id, error);
	FTA_ST_ADD(e, ul_failed, 1);
	FTA_ST_ADD(e, dlg_completed, 1);
	fta_dlg_free(e, d);
}

static void
fta_ul(struct jitsim_cp_fta *e, const struct jitsim_tcap *t, unsigned int ci,
       const struct fta_peer *peer, uint64_t sig_imsi, uint64_t now)
{
	const struct jitsim_tcap_component *inv = &t->comp[ci];
	struct jitsim_map_fta_dialogue tc;
	struct jitsim_map_ids ids;
	struct jitsim_rec rec;
	struct fta_dlg *d;
	uint64_t imsi;
	int rc;

	if (jitsim_map_fta_dialogue_answer(&tc, t, 0) != JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
	if (jitsim_map_fta_ul_arg_decode(inv->opcode, inv->param, inv->param_len, &ids) !=
	    JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_MAP);
		FTA_ST_ADD(e, dlg_opened, 1);
		FTA_ST_ADD(e, dlg_completed, 1);
		FTA_ST_ADD(e, ul_failed, 1);
		fta_send_error(e, peer, sig_imsi, &tc, inv->invoke_id,
			       JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE);
		return;
	}
	imsi = jitsim_digits_key(&ids.imsi);
	rc = fta_sim_usable(e, imsi, &rec);
	if (rc != 0) {
		FTA_ST_ADD(e, dlg_opened, 1);
		FTA_ST_ADD(e, dlg_completed, 1);
		FTA_ST_ADD(e, ul_failed, 1);
		fta_send_error(e, peer, imsi, &tc, inv->invoke_id,
			       rc == -ENOENT || rc == -EPERM ? JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER
							     : JITSIM_MAP_ERR_SYSTEM_FAILURE);
		return;
	}
	d = fta_dlg_new(e, FTA_WAIT_ACTIVE, imsi, now);
	if (d == NULL) {
		struct fta_msg m;

		/* Table full: a P-Abort (resource limitation) ends it at once
		 * rather than the VLR's timer. */
		FTA_ST_ADD(e, dlg_full, 1);
		fta_msg_init(&m);
		if (jitsim_map_fta_tc_abort(&m.w, &tc, false,
					    JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION) ==
		    JITSIM_R_OK)
			fta_send(e, peer, imsi, &m.w);
		return;
	}
	tc.own_tid = d->tc.own_tid;
	d->tc = tc;
	d->op = inv->opcode;
	d->invoke_id = inv->invoke_id;
	d->t0_ns = now;
	d->recheck_ns = now + FTA_RECHECK_NS;
	d->peer = *peer;
	/* Provisioned already (a UL after a lost answer, or the activation
	 * ran from an earlier SAI's event): on at once. The job its attach
	 * started failed just before: systemFailure at once. */
	if (rec.state == JITSIM_SIM_ACTIVE)
		fta_dlg_activated(e, d, true, rec.msisdn, now);
	else if (fta_failed_recently(e, imsi, now))
		fta_dlg_activated(e, d, false, 0, now);
}

void
fta_dlg_activated(struct jitsim_cp_fta *e, struct fta_dlg *d, bool active, uint64_t msisdn,
		  uint64_t now)
{
	struct jitsim_map_fta_isd isd;
	struct jitsim_tcap_component c;
	uint8_t pbuf[FTA_PARAM_BUF];
	struct jitsim_wbuf pw;
	char imsi_s[JITSIM_DIGITS_MAX + 1];
	enum jitsim_reason r;

	if (d->state != FTA_WAIT_ACTIVE)
		return;
	if (!active) {
		fta_ul_fail(e, d, JITSIM_MAP_ERR_SYSTEM_FAILURE);
		return;
	}
	d->msisdn = msisdn;
	jitsim_map_fta_isd_init(&isd, d->op == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION);
	if (msisdn != 0) {
		char m[JITSIM_DIGITS_MAX + 1];

		isd.has_msisdn = jitsim_digits_key_format(msisdn, m, sizeof(m)) > 0;
		jitsim_digits_set(&isd.msisdn, m);
	}
	isd.has_category = true;
	isd.category = e->cfg.isd_category;
	if (isd.gprs && e->cfg.apn[0] != '\0')
		snprintf(isd.apn, sizeof(isd.apn), "%s", e->cfg.apn);
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	r = jitsim_map_fta_isd_arg_encode(&pw, &isd);
	if (r != JITSIM_R_OK) {
		fta_imsi_str(d->imsi, imsi_s, sizeof(imsi_s));
		fta_log("UL: IMSI %s: ISD does not encode: %s", imsi_s, jitsim_reason_str(r));
		fta_ul_fail(e, d, JITSIM_MAP_ERR_SYSTEM_FAILURE);
		return;
	}
	c = jitsim_map_fta_comp_invoke(FTA_OWN_INVOKE_ID, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	fta_dlg_set_state(e, d, FTA_WAIT_ISD, false, now);
	/* Not sent (ring full): the dialogue waits for its timer. */
	if (fta_send_tc(e, &d->peer, d->imsi, &d->tc, JITSIM_TCAP_CONTINUE, &c) == 0)
		FTA_ST_ADD(e, isd_sent, 1);
}

/* The VLR answered the ISD: the UL result in an End, then the handover
 * timer (or the end of the dialogue). */
static void
fta_ul_finish(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now)
{
	struct jitsim_digits hlr;
	struct jitsim_tcap_component c;
	uint8_t pbuf[64];
	struct jitsim_wbuf pw;
	char imsi_s[JITSIM_DIGITS_MAX + 1], msisdn_s[JITSIM_DIGITS_MAX + 1] = "none";

	jitsim_digits_set(&hlr, e->cfg.hlr_number);
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	if (jitsim_map_fta_ul_res_encode(&pw, &hlr) != JITSIM_R_OK) {
		fta_ul_fail(e, d, JITSIM_MAP_ERR_SYSTEM_FAILURE);
		return;
	}
	c = jitsim_map_fta_comp_result(d->invoke_id, d->op, jitsim_wbuf_data(&pw),
				       jitsim_wbuf_len(&pw));
	if (fta_send_tc(e, &d->peer, d->imsi, &d->tc, JITSIM_TCAP_END, &c) != 0) {
		FTA_ST_ADD(e, ul_failed, 1);
		FTA_ST_ADD(e, dlg_aborted, 1);
		fta_dlg_free(e, d);
		return;
	}
	FTA_ST_ADD(e, ul_completed, 1);
	FTA_ST_ADD(e, dlg_completed, 1);
	fta_imsi_str(d->imsi, imsi_s, sizeof(imsi_s));
	if (d->msisdn != 0)
		fta_imsi_str(d->msisdn, msisdn_s, sizeof(msisdn_s));
	fta_log("first attach: IMSI %s MSISDN %s: %s result after %" PRIu64 " ms%s", imsi_s,
		msisdn_s, d->op == JITSIM_MAP_OP_UPDATE_GPRS_LOCATION ? "UGL" : "UL",
		(now - d->t0_ns) / 1000000, d->isd_error ? " (the ISD was refused)" : "");
	if (e->cfg.handover_delay_s == 0) {
		fta_dlg_free(e, d);
		return;
	}
	/* The same slot waits for the CancelLocation (a new dialogue). */
	fta_dlg_set_state(e, d, FTA_HANDOVER, false, now);
	FTA_ST_ADD(e, dlg_opened, 1);
}

/* Handover: CancelLocation (v3, updateProcedure) in a new Begin toward
 * the VLR/SGSN that sent the UL, so that its next UL for the subscriber
 * goes to the real HLR through the relay (TS 29.002 19.1.2). */
static void
fta_cancel(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now)
{
	struct jitsim_digits imsi;
	struct jitsim_tcap_component c;
	uint8_t pbuf[64];
	struct jitsim_wbuf pw;
	char imsi_s[JITSIM_DIGITS_MAX + 1];

	fta_imsi_str(d->imsi, imsi_s, sizeof(imsi_s));
	jitsim_digits_set(&imsi, imsi_s);
	jitsim_wbuf_init(&pw, pbuf, sizeof(pbuf), sizeof(pbuf));
	if (jitsim_map_fta_cancel_arg_encode(
		    &pw, 3, &imsi, JITSIM_MAP_FTA_CANCEL_UPDATE_PROCEDURE) != JITSIM_R_OK) {
		fta_log("CL: IMSI %s: does not encode", imsi_s);
		FTA_ST_ADD(e, dlg_aborted, 1);
		fta_dlg_free(e, d);
		return;
	}
	fta_dlg_set_state(e, d, FTA_WAIT_CL, true, now);
	jitsim_map_fta_dialogue_begin(&d->tc, d->tc.own_tid, JITSIM_MAP_AC_LOCATION_CANCELLATION,
				      3);
	c = jitsim_map_fta_comp_invoke(FTA_OWN_INVOKE_ID, JITSIM_MAP_OP_CANCEL_LOCATION,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	if (fta_send_tc(e, &d->peer, d->imsi, &d->tc, JITSIM_TCAP_BEGIN, &c) == 0)
		FTA_ST_ADD(e, cl_sent, 1);
}

bool
fta_dlg_recheck(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now)
{
	struct jitsim_rec rec;
	int rc = fta_sim_usable(e, d->imsi, &rec);

	if (rc == 0 && rec.state == JITSIM_SIM_ACTIVE) {
		fta_dlg_activated(e, d, true, rec.msisdn, now);
		return true;
	}
	/* Gone, locked or blocked meanwhile. INVENTORY or SLEEPING is a job
	 * not started yet (its event behind the UL), or a failure whose note
	 * was lost: the timer decides. */
	if (rc == -ENOENT || rc == -EPERM) {
		fta_dlg_activated(e, d, false, 0, now);
		return true;
	}
	return false;
}

void
fta_dlg_expired(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now)
{
	switch (d->state) {
	case FTA_WAIT_ACTIVE:
	case FTA_WAIT_ISD:
		/* No activation in time, or no ISD result: systemFailure, and
		 * the VLR rejects this attach; the next one finds the SIM
		 * further on. */
		FTA_ST_ADD(e, dlg_timeouts, 1);
		fta_ul_fail(e, d, JITSIM_MAP_ERR_SYSTEM_FAILURE);
		break;
	case FTA_HANDOVER:
		fta_cancel(e, d, now);
		break;
	default:
		FTA_ST_ADD(e, dlg_timeouts, 1);
		fta_dlg_free(e, d);
		break;
	}
}

/* --- input --- */

static const struct jitsim_tcap_component *
fta_comp_for(const struct jitsim_tcap *t, int8_t invoke_id)
{
	for (unsigned int i = 0; i < t->n_comp; i++) {
		const struct jitsim_tcap_component *c = &t->comp[i];

		if (c->type != JITSIM_TCAP_INVOKE && c->has_invoke_id && c->invoke_id == invoke_id)
			return c;
	}
	return NULL;
}

/* A Begin: the first Invoke decides. */
static void
fta_begin(struct jitsim_cp_fta *e, const struct jitsim_sccp *s, const struct jitsim_tcap *t,
	  const struct fta_peer *peer, uint64_t sig_imsi, uint64_t now)
{
	unsigned int ci;

	for (ci = 0; ci < t->n_comp; ci++)
		if (t->comp[ci].type == JITSIM_TCAP_INVOKE && t->comp[ci].has_opcode &&
		    t->comp[ci].has_invoke_id)
			break;
	if (!t->has_otid || ci == t->n_comp) {
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
	switch (t->comp[ci].opcode) {
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		fta_sai(e, t, ci, peer, sig_imsi);
		return;
	case JITSIM_MAP_OP_UPDATE_LOCATION:
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		fta_ul(e, t, ci, peer, sig_imsi, now);
		return;
	default: {
		/* Anything else for a SIM that has no HLR yet (PurgeMS, SRI, ...):
		 * what its real HLR would answer today. */
		struct fta_msg m;

		fta_bad(e, JITSIM_CP_FTA_BAD_OP);
		fta_msg_init(&m);
		if (jitsim_map_fta_answer_error(&m.w, s, t, ci, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER,
						&e->own_addr) == JITSIM_R_OK)
			fta_put_down(e, peer, sig_imsi, jitsim_wbuf_data(&m.w),
				     jitsim_wbuf_len(&m.w));
		return;
	}
	}
}

/* Continue/End/Abort of one of our dialogues. */
static void
fta_answer(struct jitsim_cp_fta *e, const struct jitsim_tcap *t, uint64_t now)
{
	const struct jitsim_tcap_component *c;
	struct fta_dlg *d;

	d = t->has_dtid ? fta_dlg_find(e, t->dtid) : NULL;
	if (d == NULL) {
		fta_bad(e, JITSIM_CP_FTA_BAD_DTID);
		return;
	}
	if (t->type == JITSIM_TCAP_ABORT) {
		FTA_ST_ADD(e, dlg_aborted, 1);
		if (d->state == FTA_WAIT_ISD)
			FTA_ST_ADD(e, ul_failed, 1);
		fta_dlg_free(e, d);
		return;
	}
	switch (d->state) {
	case FTA_WAIT_ISD:
		c = fta_comp_for(t, FTA_OWN_INVOKE_ID);
		if (c == NULL || t->type == JITSIM_TCAP_END) {
			/* An End (the VLR gave up) or a Continue without the ISD's
			 * answer (nothing else is expected in this dialogue). */
			fta_bad(e, JITSIM_CP_FTA_BAD_STATE);
			if (t->type == JITSIM_TCAP_END) {
				FTA_ST_ADD(e, dlg_aborted, 1);
				FTA_ST_ADD(e, ul_failed, 1);
				fta_dlg_free(e, d);
			}
			return;
		}
		if (c->type == JITSIM_TCAP_RESULT_LAST) {
			struct jitsim_map_fta_isd_res res;

			if (jitsim_map_fta_isd_res_decode(c->param, c->param_len, &res) !=
			    JITSIM_R_OK)
				fta_bad(e, JITSIM_CP_FTA_BAD_MAP);
		} else {
			/* ReturnError or Reject: the VLR keeps what it could take;
			 * the subscriber is provisioned, so the UL still succeeds
			 * and the real HLR sends the full profile after the
			 * handover. */
			d->isd_error = true;
		}
		fta_ul_finish(e, d, now);
		return;
	case FTA_WAIT_CL:
		if (t->type == JITSIM_TCAP_END) {
			c = fta_comp_for(t, FTA_OWN_INVOKE_ID);
			if (c != NULL && c->type == JITSIM_TCAP_RESULT_LAST &&
			    jitsim_map_fta_cancel_res_decode(c->param, c->param_len) == JITSIM_R_OK)
				FTA_ST_ADD(e, cl_done, 1);
			else
				fta_bad(e, JITSIM_CP_FTA_BAD_MAP);
			FTA_ST_ADD(e, dlg_completed, 1);
			fta_dlg_free(e, d);
			return;
		}
		/* A Continue to a CancelLocation: its otid becomes the peer's. */
		if (jitsim_map_fta_dialogue_peer(&d->tc, t) != JITSIM_R_OK)
			fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	default:
		/* WAIT_ACTIVE or HANDOVER: the peer has nothing to say yet. */
		fta_bad(e, JITSIM_CP_FTA_BAD_STATE);
		return;
	}
}

/* A message of ours the network could not deliver (UDTS/XUDTS, Q.714
 * 4.2: the returned data is our TC message): its dialogue ends now
 * rather than at its timer. */
static void
fta_returned(struct jitsim_cp_fta *e, const struct jitsim_sccp *s)
{
	struct jitsim_tcap t;
	struct fta_dlg *d;

	if (jitsim_tcap_decode(s->data, s->data_len, &t) != JITSIM_R_OK || !t.has_otid) {
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
	d = fta_dlg_find(e, t.otid);
	if (d == NULL) {
		fta_bad(e, JITSIM_CP_FTA_BAD_DTID);
		return;
	}
	FTA_ST_ADD(e, returned, 1);
	FTA_ST_ADD(e, dlg_aborted, 1);
	if (d->state == FTA_WAIT_ISD)
		FTA_ST_ADD(e, ul_failed, 1);
	fta_dlg_free(e, d);
}

void
fta_dlg_input(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint64_t now)
{
	struct jitsim_sccp s;
	struct jitsim_tcap t;
	struct fta_peer peer;

	if (m->kind == JITSIM_SIG_DIAM_IN) {
		fta_s6a_input(e, m, now);
		return;
	}
	if (m->kind != JITSIM_SIG_FTA_IN || m->len == 0 || m->len > JITSIM_SIG_DATA_MAX) {
		fta_bad(e, JITSIM_CP_FTA_BAD_RECORD);
		return;
	}
	if (e->cfg.own_pc == 0) {
		/* S6a only: no SS7 identity to answer with. */
		fta_bad(e, JITSIM_CP_FTA_BAD_NO_SS7);
		return;
	}
	if (jitsim_sccp_decode(m->data, m->len, &s) != JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_SCCP);
		return;
	}
	if (s.msg_type == JITSIM_SCCP_UDTS || s.msg_type == JITSIM_SCCP_XUDTS) {
		fta_returned(e, &s);
		return;
	}
	/* A segmented XUDT would need reassembly; the VLR requests the FTA
	 * endpoint serves fit one segment. */
	if ((s.msg_type != JITSIM_SCCP_UDT && s.msg_type != JITSIM_SCCP_XUDT &&
	     s.msg_type != JITSIM_SCCP_LUDT) ||
	    (s.has_segmentation && !(s.seg_first && s.seg_remaining == 0))) {
		fta_bad(e, JITSIM_CP_FTA_BAD_SCCP);
		return;
	}
	if (jitsim_tcap_decode(s.data, s.data_len, &t) != JITSIM_R_OK) {
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
	memset(&peer, 0, sizeof(peer));
	peer.opc = m->opc;
	peer.ni = m->ni;
	peer.mp = m->mp;
	peer.sls = m->sls;
	peer.sccp_type = s.msg_type == JITSIM_SCCP_UDT ? JITSIM_SCCP_UDT : JITSIM_SCCP_XUDT;
	peer.pclass = s.pclass;
	peer.addr = s.calling;
	switch (t.type) {
	case JITSIM_TCAP_BEGIN:
		fta_begin(e, &s, &t, &peer, m->imsi, now);
		return;
	case JITSIM_TCAP_CONTINUE:
	case JITSIM_TCAP_END:
	case JITSIM_TCAP_ABORT:
		fta_answer(e, &t, now);
		return;
	default:
		fta_bad(e, JITSIM_CP_FTA_BAD_TCAP);
		return;
	}
}
