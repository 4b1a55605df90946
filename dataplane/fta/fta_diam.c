/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The FTA verdict of one Diameter S6a request (contract in fta_diam.h,
 * docs/diameter.md "S6a verdicts in the workers").
 *
 * Cost model: one header decode, one walk over the top-level AVPs
 * (jitsim_s6a_fta_req_decode(): the common ABNF of every S6a request,
 * whose User-Name is the IMSI), one table lookup; the output is written
 * once, straight into the caller's record: a copy of the request, or an
 * answer built in place. Nothing loops over the config.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/s6a_fta.h>

#include "fta_diam.h"

/* RFC 6733 4.5: base protocol AVPs of a redirect answer (6.12, 6.13). */
#define AVP_REDIRECT_HOST_USAGE 261
#define AVP_REDIRECT_HOST 292
/* RFC 6733 6.13: the redirect applies to this request only. */
#define REDIRECT_HOST_USAGE_DONT_CACHE 0
/* RFC 6733 4.3.1: DiameterURI "aaa://" FQDN; no port: the default one. */
#define URI_SCHEME "aaa://"
#define URI_SCHEME_LEN (sizeof(URI_SCHEME) - 1)

_Static_assert(JITSIM_SIG_DATA_MAX <= UINT16_MAX, "record length fits out->len");
_Static_assert(JITSIM_FTA_DIAM_CMD_FIRST == JITSIM_S6A_CMD_ULR &&
		       JITSIM_FTA_DIAM_CMD_FIRST + JITSIM_FTA_DIAM_CMDS - 1 == JITSIM_S6A_CMD_NOR,
	       "S6a command range");

static const char *const verdict_names[JITSIM_FTA_DIAM_VERDICT_MAX] = {
#define JITSIM_FTA_DIAM_VERDICT_NAME_(name, text) #name,
	JITSIM_FTA_DIAM_VERDICTS(JITSIM_FTA_DIAM_VERDICT_NAME_)
#undef JITSIM_FTA_DIAM_VERDICT_NAME_
};

static const char *const drop_names[JITSIM_FTA_DIAM_DROP_MAX] = {
#define JITSIM_FTA_DIAM_DROP_NAME_(name, text) #name,
	JITSIM_FTA_DIAM_DROPS(JITSIM_FTA_DIAM_DROP_NAME_)
#undef JITSIM_FTA_DIAM_DROP_NAME_
};

static const char *const drop_texts[JITSIM_FTA_DIAM_DROP_MAX] = {
#define JITSIM_FTA_DIAM_DROP_TEXT_(name, text) text,
	JITSIM_FTA_DIAM_DROPS(JITSIM_FTA_DIAM_DROP_TEXT_)
#undef JITSIM_FTA_DIAM_DROP_TEXT_
};

static const char *const answer_names[JITSIM_FTA_DIAM_ANSWER_MAX] = {
#define JITSIM_FTA_DIAM_ANSWER_NAME_(name, text) #name,
	JITSIM_FTA_DIAM_ANSWERS(JITSIM_FTA_DIAM_ANSWER_NAME_)
#undef JITSIM_FTA_DIAM_ANSWER_NAME_
};

static const char *const answer_texts[JITSIM_FTA_DIAM_ANSWER_MAX] = {
#define JITSIM_FTA_DIAM_ANSWER_TEXT_(name, text) text,
	JITSIM_FTA_DIAM_ANSWERS(JITSIM_FTA_DIAM_ANSWER_TEXT_)
#undef JITSIM_FTA_DIAM_ANSWER_TEXT_
};

const char *
jitsim_fta_diam_verdict_name(unsigned int v)
{
	return v < JITSIM_FTA_DIAM_VERDICT_MAX ? verdict_names[v] : "UNKNOWN";
}

const char *
jitsim_fta_diam_drop_name(unsigned int d)
{
	return d < JITSIM_FTA_DIAM_DROP_MAX ? drop_names[d] : "UNKNOWN";
}

const char *
jitsim_fta_diam_drop_text(unsigned int d)
{
	return d < JITSIM_FTA_DIAM_DROP_MAX ? drop_texts[d] : "unknown reason";
}

const char *
jitsim_fta_diam_answer_name(unsigned int a)
{
	return a < JITSIM_FTA_DIAM_ANSWER_MAX ? answer_names[a] : "UNKNOWN";
}

const char *
jitsim_fta_diam_answer_text(unsigned int a)
{
	return a < JITSIM_FTA_DIAM_ANSWER_MAX ? answer_texts[a] : "unknown answer";
}

void
jitsim_fta_diam_cfg_init(struct jitsim_fta_diam_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->locked_result = JITSIM_S6A_ERROR_USER_UNKNOWN;
	c->unknown = JITSIM_FTA_DIAM_UNKNOWN_REJECT;
	c->default_hss = -1;
}

/*
 * A DiameterIdentity as the config holds it: terminated inside its array,
 * not empty, printable ASCII without spaces (RFC 6733 4.3.1: an FQDN; the
 * stricter label rules are the config parser's).
 */
static bool
identity_ok(const char s[JITSIM_FTA_DIAM_HOST_MAX + 1])
{
	size_t n = strnlen(s, JITSIM_FTA_DIAM_HOST_MAX + 1);

	if (n == 0 || n > JITSIM_FTA_DIAM_HOST_MAX)
		return false;
	for (size_t i = 0; i < n; i++)
		if (s[i] <= ' ' || s[i] > '~')
			return false;
	return true;
}

static int
check_fail(char *err, size_t errlen, const char *msg, int region)
{
	if (err != NULL && errlen > 0) {
		if (region >= 0)
			snprintf(err, errlen, "%s (region %d)", msg, region);
		else
			snprintf(err, errlen, "%s", msg);
	}
	return -EINVAL;
}

int
jitsim_fta_diam_cfg_check(const struct jitsim_fta_diam_cfg *c, char *err, size_t errlen)
{
	if (!identity_ok(c->origin_host))
		return check_fail(
			err, errlen,
			"origin_host: required, 1..127 printable characters without spaces", -1);
	if (!identity_ok(c->origin_realm))
		return check_fail(
			err, errlen,
			"origin_realm: required, 1..127 printable characters without spaces", -1);
	/* What jitsim_s6a_fta_answer_error() takes: an error, not a success. */
	if (c->locked_result < 4000 || c->locked_result > 5999)
		return check_fail(err, errlen, "locked_result: not an error code 4000..5999", -1);
	if (c->unknown != JITSIM_FTA_DIAM_UNKNOWN_REJECT &&
	    c->unknown != JITSIM_FTA_DIAM_UNKNOWN_PROXY)
		return check_fail(err, errlen, "unknown: neither reject nor proxy", -1);
	for (int r = 0; r < JITSIM_FTA_REGIONS; r++)
		if (c->has_hss[r] && !identity_ok(c->hss_host[r]))
			return check_fail(err, errlen,
					  "hss host: required, 1..127 printable characters", r);
	if (c->default_hss != -1 && (c->default_hss < 0 || c->default_hss >= JITSIM_FTA_REGIONS))
		return check_fail(err, errlen, "default_hss: not a region 0..255 or none", -1);
	if (c->default_hss >= 0 && !c->has_hss[c->default_hss])
		return check_fail(err, errlen, "default_hss: no hss configured for the region",
				  c->default_hss);
	if (c->unknown == JITSIM_FTA_DIAM_UNKNOWN_PROXY && c->default_hss < 0)
		return check_fail(err, errlen, "unknown = proxy: needs a default_hss", -1);
	return 0;
}

void
jitsim_fta_diam_init(struct jitsim_fta_diam *f, const struct jitsim_fta_diam_cfg *cfg,
		     const struct jitsim_table_imsi *imsi, uint16_t lcore)
{
	memset(f, 0, sizeof(*f));
	f->cfg = cfg;
	f->imsi = imsi;
	f->lcore = lcore;
}

/* One request on its way through: what the record needs besides data. */
struct diam_msg {
	const struct jitsim_fta_diam_in *in;
	struct jitsim_s6a_fta_req req;
	uint64_t imsi;
	uint16_t region;
	uint8_t state;
	bool refused; /* the S6a parser refused it; answered unless proxied */
};

/* The record header shared by every verdict but DROP. */
static void
out_head(struct jitsim_fta_diam *f, const struct diam_msg *m, uint8_t kind, uint32_t now_s,
	 struct jitsim_sig_msg *out)
{
	memset(out, 0, JITSIM_SIG_HDR_SIZE);
	out->kind = kind;
	out->sim_state = m->state;
	out->assoc = m->in->peer;
	out->dpc = m->in->conn;
	out->lcore = f->lcore;
	out->ts_s = now_s;
	out->region = m->region;
	out->imsi = m->imsi;
}

/* The request unchanged, as @kind (PROXY: DIAM_SEND; TO_CP: DIAM_IN). */
static enum jitsim_fta_diam_drop
out_copy(struct jitsim_fta_diam *f, const struct diam_msg *m, uint8_t kind, uint32_t now_s,
	 struct jitsim_sig_msg *out)
{
	const struct jitsim_fta_diam_in *in = m->in;

	/* diamio answers a longer request 5012 itself (rx_oversize). */
	if (in->len > JITSIM_SIG_DATA_MAX)
		return JITSIM_FTA_DIAM_DROP_OVERSIZE;
	out_head(f, m, kind, now_s, out);
	out->len = (uint16_t)in->len;
	memcpy(out->data, in->msg, in->len);
	return JITSIM_FTA_DIAM_DROP_NONE;
}

/*
 * The AVPs appended after the error answer of the codec: RFC 6733 7.2 puts
 * Origin-State-Id, Redirect-* among the answer-message's optional AVPs,
 * whose order is free after the fixed Session-Id.
 */
static enum jitsim_reason
answer_extra(const struct jitsim_fta_diam_cfg *cfg, struct jitsim_wbuf *w, int hr)
{
	const char *host = hr >= 0 ? cfg->hss_host[hr] : NULL;
	enum jitsim_reason r = JITSIM_R_OK;

	if (cfg->origin_state_id != 0)
		r = jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ORIGIN_STATE_ID, JITSIM_DIAM_AVP_M, 0,
					       cfg->origin_state_id);
	if (r == JITSIM_R_OK && host != NULL) {
		/* aaa://FQDN[:port][;transport=sctp]: what the URI leaves
		 * out means port 3868 over TCP (RFC 6733 4.3.1). */
		char uri[URI_SCHEME_LEN + JITSIM_FTA_DIAM_HOST_MAX + 32];
		const uint16_t port = cfg->hss_port[hr];
		const bool sctp = cfg->hss_sctp[hr];
		int n;

		if ((port != 0 && port != 3868) || sctp)
			n = snprintf(uri, sizeof(uri), "%s%.*s:%u%s", URI_SCHEME,
				     JITSIM_FTA_DIAM_HOST_MAX, host, port != 0 ? port : 3868u,
				     sctp ? ";transport=sctp" : "");
		else
			n = snprintf(uri, sizeof(uri), "%s%.*s", URI_SCHEME,
				     JITSIM_FTA_DIAM_HOST_MAX, host);
		if (n < 0 || (size_t)n >= sizeof(uri))
			return JITSIM_R_NOSPACE;
		r = jitsim_diam_encode_avp(w, AVP_REDIRECT_HOST, JITSIM_DIAM_AVP_M, 0, uri,
					   (size_t)n);
		if (r == JITSIM_R_OK)
			r = jitsim_diam_encode_avp_u32(w, AVP_REDIRECT_HOST_USAGE,
						       JITSIM_DIAM_AVP_M, 0,
						       REDIRECT_HOST_USAGE_DONT_CACHE);
	}
	return r;
}

/* The whole answer into @out->data; on failure the wbuf is left empty. */
static enum jitsim_reason
answer_build(const struct jitsim_fta_diam_cfg *cfg, const struct diam_msg *m, uint32_t rc,
	     uint32_t exp_rc, const struct jitsim_s6a_fta_err *failed, int redirect_hr,
	     struct jitsim_wbuf *w)
{
	const struct jitsim_s6a_fta_origin origin = {.host = cfg->origin_host,
						     .realm = cfg->origin_realm};
	enum jitsim_reason r;

	w->tail = w->head;
	r = jitsim_s6a_fta_answer_error(w, &m->req, &origin, rc, exp_rc, failed);
	if (r != JITSIM_R_OK)
		return r;
	r = answer_extra(cfg, w, redirect_hr);
	if (r != JITSIM_R_OK) {
		w->tail = w->head;
		return r;
	}
	/* The message starts at the head: its length patched again. */
	jitsim_diam_encode_finish(w, w->head);
	return JITSIM_R_OK;
}

/*
 * Answer the request with @rc (Result-Code) or @exp_rc (Experimental-
 * Result, vendor 10415), [ Failed-AVP ] from @failed, [ Redirect-Host ]
 * when @redirect_hr (the region of the HSS) is not -1.
 */
static enum jitsim_fta_diam_drop
answer(struct jitsim_fta_diam *f, const struct diam_msg *m, enum jitsim_fta_diam_answer what,
       uint32_t rc, uint32_t exp_rc, const struct jitsim_s6a_fta_err *failed, int redirect_hr,
       uint32_t now_s, struct jitsim_sig_msg *out)
{
	struct jitsim_wbuf w;
	enum jitsim_reason r;

	jitsim_wbuf_init(&w, out->data, JITSIM_SIG_DATA_MAX, 0);
	r = answer_build(f->cfg, m, rc, exp_rc, failed, redirect_hr, &w);
	if (r == JITSIM_R_NOSPACE && failed != NULL && failed->avp != NULL) {
		/*
		 * Failed-AVP holds a copy of an AVP of a request that itself
		 * fits a record: too long with our identities, it becomes an
		 * example of the AVP (code and vendor, empty value), which
		 * still names what failed (RFC 6733 7.5, 7.1.5).
		 */
		struct jitsim_s6a_fta_err ex = *failed;

		ex.avp = NULL;
		ex.missing_len = 0;
		r = answer_build(f->cfg, m, rc, exp_rc, &ex, redirect_hr, &w);
		if (r == JITSIM_R_OK)
			f->st.failed_avp_cut++;
	}
	if (r == JITSIM_R_NOSPACE)
		return JITSIM_FTA_DIAM_DROP_OVERSIZE;
	if (r != JITSIM_R_OK)
		return JITSIM_FTA_DIAM_DROP_ANSWER_FAILED;
	out_head(f, m, JITSIM_SIG_DIAM_SEND, now_s, out);
	out->len = (uint16_t)jitsim_wbuf_len(&w);
	f->st.answer_code[what]++;
	return JITSIM_FTA_DIAM_DROP_NONE;
}

static enum jitsim_fta_diam_verdict
verdict_of(enum jitsim_fta_diam_drop d, enum jitsim_fta_diam_verdict v, unsigned int *drop)
{
	*drop = d;
	return d == JITSIM_FTA_DIAM_DROP_NONE ? v : JITSIM_FTA_DIAM_DROP;
}

/*
 * Send what would be proxied to region @hr's HSS (-1: the region has none,
 * the default is used): proxied, redirected, or 3002 when there is none.
 */
static enum jitsim_fta_diam_verdict
proxy(struct jitsim_fta_diam *f, const struct diam_msg *m, int hr, uint32_t now_s,
      struct jitsim_sig_msg *out, unsigned int *drop)
{
	const struct jitsim_fta_diam_cfg *cfg = f->cfg;
	bool dflt = hr < 0;
	enum jitsim_fta_diam_drop d;

	if (dflt) {
		hr = cfg->default_hss;
		/* A default that names a region without an HSS is refused by
		 * _check(); without the check it is no route either. */
		if (hr < 0 || hr >= JITSIM_FTA_REGIONS || !cfg->has_hss[hr])
			return verdict_of(answer(f, m, JITSIM_FTA_DIAM_ANSWER_NO_ROUTE,
						 JITSIM_DIAM_UNABLE_TO_DELIVER, 0, NULL, -1, now_s,
						 out),
					  JITSIM_FTA_DIAM_ANSWER, drop);
	}
	if (cfg->redirect)
		return verdict_of(answer(f, m, JITSIM_FTA_DIAM_ANSWER_REDIRECT,
					 JITSIM_DIAM_REDIRECT_INDICATION, 0, NULL, hr, now_s, out),
				  JITSIM_FTA_DIAM_ANSWER, drop);
	d = out_copy(f, m, JITSIM_SIG_DIAM_SEND, now_s, out);
	if (d != JITSIM_FTA_DIAM_DROP_NONE)
		return verdict_of(d, JITSIM_FTA_DIAM_DROP, drop);
	out->region = (uint16_t)hr;
	f->st.proxy_region[hr]++;
	if (dflt)
		f->st.proxy_default++;
	return verdict_of(d, JITSIM_FTA_DIAM_PROXY, drop);
}

/* IMSI not in the table, or RETIRED: the configured policy. */
static enum jitsim_fta_diam_verdict
unknown(struct jitsim_fta_diam *f, const struct diam_msg *m, uint32_t now_s,
	struct jitsim_sig_msg *out, unsigned int *drop)
{
	if (f->cfg->unknown == JITSIM_FTA_DIAM_UNKNOWN_PROXY)
		return proxy(f, m, -1, now_s, out, drop);
	return verdict_of(answer(f, m, JITSIM_FTA_DIAM_ANSWER_USER_UNKNOWN, 0,
				 JITSIM_S6A_ERROR_USER_UNKNOWN, NULL, -1, now_s, out),
			  JITSIM_FTA_DIAM_ANSWER, drop);
}

/* The answer class of a refusal by the S6a parser. */
static enum jitsim_fta_diam_answer
refusal_class(uint32_t rc)
{
	switch (rc) {
	case JITSIM_DIAM_MISSING_AVP:
		return JITSIM_FTA_DIAM_ANSWER_MISSING_AVP;
	case JITSIM_DIAM_INVALID_AVP_VALUE:
		return JITSIM_FTA_DIAM_ANSWER_INVALID_AVP_VALUE;
	default:
		return JITSIM_FTA_DIAM_ANSWER_MALFORMED;
	}
}

/* Answer the S6a parser's refusal: its Result-Code and Failed-AVP. */
static enum jitsim_fta_diam_verdict
refuse(struct jitsim_fta_diam *f, const struct diam_msg *m, uint32_t now_s,
       struct jitsim_sig_msg *out, unsigned int *drop)
{
	return verdict_of(answer(f, m, refusal_class(m->req.err.result_code),
				 m->req.err.result_code, 0, &m->req.err, -1, now_s, out),
			  JITSIM_FTA_DIAM_ANSWER, drop);
}

/* States the table treats as "not ours" (RETIRED, newer values). */
static inline bool
jitsim_fta_diam_unknown_state(unsigned int st)
{
	switch (st) {
	case JITSIM_SIM_ACTIVE:
	case JITSIM_SIM_INVENTORY:
	case JITSIM_SIM_SLEEPING:
	case JITSIM_SIM_ACTIVATING:
	case JITSIM_SIM_REACTIVATING:
	case JITSIM_SIM_LOCKED:
	case JITSIM_SIM_BLOCKED:
		return false;
	default:
		return true;
	}
}

static enum jitsim_fta_diam_verdict
decide(struct jitsim_fta_diam *f, struct diam_msg *m, uint32_t now_s, struct jitsim_sig_msg *out,
       unsigned int *drop)
{
	const struct jitsim_fta_diam_in *in = m->in;
	struct jitsim_table_sim sim;
	struct jitsim_diam_hdr h;
	enum jitsim_reason r;
	unsigned int st;

	r = jitsim_diam_decode_hdr_inline(in->msg, in->len, &h);
	if (r != JITSIM_R_OK) {
		f->st.codec[r]++;
		return verdict_of(JITSIM_FTA_DIAM_DROP_BAD_MESSAGE, JITSIM_FTA_DIAM_DROP, drop);
	}
	/* One whole message: bytes after it would be copied into a record. */
	if (h.length != in->len)
		return verdict_of(JITSIM_FTA_DIAM_DROP_BAD_MESSAGE, JITSIM_FTA_DIAM_DROP, drop);
	if (!(h.flags & JITSIM_DIAM_FLAG_R))
		return verdict_of(JITSIM_FTA_DIAM_DROP_NOT_REQUEST, JITSIM_FTA_DIAM_DROP, drop);
	if (h.app_id != JITSIM_S6A_APP_ID || h.cmd < JITSIM_FTA_DIAM_CMD_FIRST ||
	    h.cmd >= JITSIM_FTA_DIAM_CMD_FIRST + JITSIM_FTA_DIAM_CMDS)
		return verdict_of(JITSIM_FTA_DIAM_DROP_NOT_S6A, JITSIM_FTA_DIAM_DROP, drop);
	f->st.cmd[h.cmd - JITSIM_FTA_DIAM_CMD_FIRST]++;

	/* TS 29.272 7.2.2: these go from the HSS to the MME, never to an HSS
	 * (RSR has no User-Name: decided before the ABNF check). */
	switch (h.cmd) {
	case JITSIM_S6A_CMD_CLR:
	case JITSIM_S6A_CMD_IDR:
	case JITSIM_S6A_CMD_DSR:
	case JITSIM_S6A_CMD_RSR:
		jitsim_s6a_fta_req_decode(in->msg, in->len, 0, &m->req);
		if (m->req.has_imsi)
			m->imsi = jitsim_digits_key(&m->req.imsi);
		return verdict_of(answer(f, m, JITSIM_FTA_DIAM_ANSWER_COMMAND_UNSUPPORTED,
					 JITSIM_DIAM_COMMAND_UNSUPPORTED, 0, NULL, -1, now_s, out),
				  JITSIM_FTA_DIAM_ANSWER, drop);
	default:
		break;
	}

	/* The common ABNF; the command's own AVPs are for whoever answers. */
	r = jitsim_s6a_fta_req_decode(in->msg, in->len, 0, &m->req);
	if (m->req.has_imsi)
		m->imsi = jitsim_digits_key(&m->req.imsi);
	if (r == JITSIM_R_DIAM_BAD_AVP) {
		f->st.codec[r]++;
		/* A relay does not judge the application's rules (RFC 6733
		 * 6.1.8): with a usable User-Name, a request that would be
		 * proxied goes to the real HSS as it is, and only one that
		 * jitsim answers itself is refused here. */
		if (m->imsi != 0 && m->req.err.code != JITSIM_AVP_USER_NAME)
			m->refused = true;
		else
			return refuse(f, m, now_s, out, drop);
	} else if (r != JITSIM_R_OK) {
		/* The header was read above: nothing the parser refuses is left. */
		f->st.codec[r]++;
		return verdict_of(JITSIM_FTA_DIAM_DROP_BAD_MESSAGE, JITSIM_FTA_DIAM_DROP, drop);
	}

	f->st.lookups++;
	if (m->imsi == 0 || !jitsim_table_imsi_lookup(f->imsi, m->imsi, &sim)) {
		if (m->refused && f->cfg->unknown != JITSIM_FTA_DIAM_UNKNOWN_PROXY)
			return refuse(f, m, now_s, out, drop);
		return unknown(f, m, now_s, out, drop);
	}
	st = jitsim_table_sw_state(sim.sw);
	m->state = (uint8_t)st;
	m->region = sim.region;
	if (m->refused && st != JITSIM_SIM_ACTIVE &&
	    !(jitsim_fta_diam_unknown_state(st) &&
	      f->cfg->unknown == JITSIM_FTA_DIAM_UNKNOWN_PROXY))
		return refuse(f, m, now_s, out, drop);
	switch (st) {
	case JITSIM_SIM_ACTIVE:
		return proxy(f, m,
			     sim.region < JITSIM_FTA_REGIONS && f->cfg->has_hss[sim.region]
				     ? (int)sim.region
				     : -1,
			     now_s, out, drop);
	case JITSIM_SIM_INVENTORY:
	case JITSIM_SIM_SLEEPING:
	case JITSIM_SIM_ACTIVATING:
	case JITSIM_SIM_REACTIVATING: {
		enum jitsim_fta_diam_drop d = out_copy(f, m, JITSIM_SIG_DIAM_IN, now_s, out);

		if (d != JITSIM_FTA_DIAM_DROP_NONE)
			return verdict_of(d, JITSIM_FTA_DIAM_DROP, drop);
		out->flags = in->flags;
		out->seq = ++f->seq;
		f->st.to_cp_state[st]++;
		return verdict_of(d, JITSIM_FTA_DIAM_TO_CP, drop);
	}
	case JITSIM_SIM_LOCKED:
	case JITSIM_SIM_BLOCKED: {
		enum jitsim_fta_diam_drop d = answer(f, m, JITSIM_FTA_DIAM_ANSWER_LOCKED, 0,
						     f->cfg->locked_result, NULL, -1, now_s, out);

		if (d == JITSIM_FTA_DIAM_DROP_NONE)
			f->st.locked_state[st]++;
		return verdict_of(d, JITSIM_FTA_DIAM_ANSWER, drop);
	}
	default:
		/* RETIRED (or a value from a newer writer): not served here. */
		return unknown(f, m, now_s, out, drop);
	}
}

enum jitsim_fta_diam_verdict
jitsim_fta_diam_process(struct jitsim_fta_diam *f, const struct jitsim_fta_diam_in *in,
			uint32_t now_s, struct jitsim_sig_msg *out, unsigned int *drop)
{
	unsigned int d = JITSIM_FTA_DIAM_DROP_NONE;
	enum jitsim_fta_diam_verdict v;
	struct diam_msg m;

	/* m.req is reset by its parser before anything reads it. */
	m.in = in;
	m.imsi = 0;
	m.region = 0;
	m.state = JITSIM_FTA_STATE_NONE;
	m.refused = false;
	v = decide(f, &m, now_s, out, &d);
	f->st.msgs++;
	f->st.verdict[v]++;
	if (v == JITSIM_FTA_DIAM_DROP)
		f->st.drop[d]++;
	if (in->flags & JITSIM_SIG_F_DUP)
		f->st.dup++;
	if (drop != NULL)
		*drop = d;
	return v;
}
