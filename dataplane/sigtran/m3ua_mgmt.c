/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/bytes.h>

#include "m3ua_mgmt.h"

/* Parameter indexes: bit positions of JITSIM_M3UA_P_*. */
enum pid {
	P_RC,
	P_NA,
	P_TMT,
	P_ASP_ID,
	P_ERROR_CODE,
	P_STATUS,
	P_APC,
	P_CONCERNED,
	P_CONGESTION,
	P_USER_CAUSE,
	P_HEARTBEAT,
	P_DIAGNOSTIC,
	P_INFO,
	P_COUNT,
	P_END = 0xff, /* end of an order list */
};

static const uint16_t param_tag[P_COUNT] = {
	[P_RC] = JITSIM_M3UA_TAG_ROUTING_CONTEXT,
	[P_NA] = JITSIM_M3UA_TAG_NETWORK_APPEARANCE,
	[P_TMT] = JITSIM_M3UA_TAG_TRAFFIC_MODE,
	[P_ASP_ID] = JITSIM_M3UA_TAG_ASP_ID,
	[P_ERROR_CODE] = JITSIM_M3UA_TAG_ERROR_CODE,
	[P_STATUS] = JITSIM_M3UA_TAG_STATUS,
	[P_APC] = JITSIM_M3UA_TAG_AFFECTED_PC,
	[P_CONCERNED] = JITSIM_M3UA_TAG_CONCERNED_DEST,
	[P_CONGESTION] = JITSIM_M3UA_TAG_CONGESTION,
	[P_USER_CAUSE] = JITSIM_M3UA_TAG_USER_CAUSE,
	[P_HEARTBEAT] = JITSIM_M3UA_TAG_HEARTBEAT_DATA,
	[P_DIAGNOSTIC] = JITSIM_M3UA_TAG_DIAGNOSTIC,
	[P_INFO] = JITSIM_M3UA_TAG_INFO_STRING,
};

#define B(p) (1u << (p))

/*
 * The messages, with their parameters in the order the RFC 4666 section
 * lists them (the encoder writes that order) and the mandatory ones.
 */
struct msg_def {
	uint8_t cls;
	uint8_t type;
	const char *name;
	uint32_t mandatory;
	uint8_t order[8];
};

static const struct msg_def msg_defs[] = {
	/* 3.8.1, 3.8.2 */
	{JITSIM_M3UA_CLASS_MGMT,
	 JITSIM_M3UA_MGMT_ERR,
	 "ERR",
	 B(P_ERROR_CODE),
	 {P_ERROR_CODE, P_RC, P_NA, P_APC, P_DIAGNOSTIC, P_END}},
	{JITSIM_M3UA_CLASS_MGMT,
	 JITSIM_M3UA_MGMT_NTFY,
	 "NTFY",
	 B(P_STATUS),
	 {P_STATUS, P_ASP_ID, P_RC, P_INFO, P_END}},
	/* 3.4.1 - 3.4.6 */
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_DUNA,
	 "DUNA",
	 B(P_APC),
	 {P_NA, P_RC, P_APC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_DAVA,
	 "DAVA",
	 B(P_APC),
	 {P_NA, P_RC, P_APC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_DAUD,
	 "DAUD",
	 B(P_APC),
	 {P_NA, P_RC, P_APC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_SCON,
	 "SCON",
	 B(P_APC),
	 {P_NA, P_RC, P_APC, P_CONCERNED, P_CONGESTION, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_DUPU,
	 "DUPU",
	 B(P_APC) | B(P_USER_CAUSE),
	 {P_NA, P_RC, P_APC, P_USER_CAUSE, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_SSNM,
	 JITSIM_M3UA_SSNM_DRST,
	 "DRST",
	 B(P_APC),
	 {P_NA, P_RC, P_APC, P_INFO, P_END}},
	/* 3.5.1 - 3.5.6 */
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP, "ASPUP", 0, {P_ASP_ID, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN, "ASPDN", 0, {P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT, "BEAT", 0, {P_HEARTBEAT, P_END}},
	{JITSIM_M3UA_CLASS_ASPSM,
	 JITSIM_M3UA_ASPSM_ASPUP_ACK,
	 "ASPUP_ACK",
	 0,
	 {P_ASP_ID, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN_ACK, "ASPDN_ACK", 0, {P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK, "BEAT_ACK", 0, {P_HEARTBEAT, P_END}},
	/* 3.7.1 - 3.7.4 */
	{JITSIM_M3UA_CLASS_ASPTM,
	 JITSIM_M3UA_ASPTM_ASPAC,
	 "ASPAC",
	 0,
	 {P_TMT, P_RC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA, "ASPIA", 0, {P_RC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPTM,
	 JITSIM_M3UA_ASPTM_ASPAC_ACK,
	 "ASPAC_ACK",
	 0,
	 {P_TMT, P_RC, P_INFO, P_END}},
	{JITSIM_M3UA_CLASS_ASPTM,
	 JITSIM_M3UA_ASPTM_ASPIA_ACK,
	 "ASPIA_ACK",
	 0,
	 {P_RC, P_INFO, P_END}},
};

static const struct msg_def *
find_def(uint8_t cls, uint8_t type)
{
	for (size_t i = 0; i < sizeof(msg_defs) / sizeof(msg_defs[0]); i++)
		if (msg_defs[i].cls == cls && msg_defs[i].type == type)
			return &msg_defs[i];
	return NULL;
}

static bool
class_known(uint8_t cls)
{
	return cls == JITSIM_M3UA_CLASS_MGMT || cls == JITSIM_M3UA_CLASS_SSNM ||
	       cls == JITSIM_M3UA_CLASS_ASPSM || cls == JITSIM_M3UA_CLASS_ASPTM;
}

static uint32_t
allowed_mask(const struct msg_def *d)
{
	uint32_t m = 0;

	for (size_t i = 0; i < sizeof(d->order) && d->order[i] != P_END; i++)
		m |= B(d->order[i]);
	return m;
}

static int
pid_of_tag(uint16_t tag)
{
	for (int i = 0; i < P_COUNT; i++)
		if (param_tag[i] == tag)
			return i;
	return -1;
}

void
jitsim_m3ua_mgmt_init(struct jitsim_m3ua_mgmt *m, uint8_t msg_class, uint8_t msg_type)
{
	memset(m, 0, sizeof(*m));
	m->msg_class = msg_class;
	m->msg_type = msg_type;
}

static enum jitsim_reason
bad(struct jitsim_m3ua_mgmt *out, uint8_t code)
{
	out->err_code = code;
	return JITSIM_R_M3UA_BAD;
}

/* A list of 32-bit entries (RC, APC): at least one, at most @p max. */
static enum jitsim_reason
get_list(struct jitsim_m3ua_mgmt *out, const uint8_t *v, size_t vlen, uint32_t *dst, uint8_t *n,
	 size_t max)
{
	if (vlen < 4 || (vlen & 3) != 0)
		return bad(out, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	if (vlen / 4 > max)
		return bad(out, JITSIM_M3UA_ERR_INVALID_PARAM_VALUE);
	*n = (uint8_t)(vlen / 4);
	for (size_t i = 0; i < *n; i++)
		dst[i] = jitsim_get_be32(v + 4 * i);
	return JITSIM_R_OK;
}

static enum jitsim_reason
get_param(struct jitsim_m3ua_mgmt *out, int pid, const uint8_t *v, size_t vlen)
{
	/* Fixed-size parameters are all one 32-bit word. */
	switch (pid) {
	case P_RC:
		return get_list(out, v, vlen, out->rc, &out->n_rc, JITSIM_M3UA_MGMT_MAX_RC);
	case P_APC:
		return get_list(out, v, vlen, out->apc, &out->n_apc, JITSIM_M3UA_MGMT_MAX_APC);
	case P_HEARTBEAT:
		out->heartbeat = v;
		out->heartbeat_len = (uint16_t)vlen;
		return JITSIM_R_OK;
	case P_DIAGNOSTIC:
		out->diagnostic = v;
		out->diagnostic_len = (uint16_t)vlen;
		return JITSIM_R_OK;
	case P_INFO:
		if (vlen > JITSIM_M3UA_INFO_MAX)
			return bad(out, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
		out->info = v;
		out->info_len = (uint16_t)vlen;
		return JITSIM_R_OK;
	default:
		break;
	}
	if (vlen != 4)
		return bad(out, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
	switch (pid) {
	case P_NA:
		out->na = jitsim_get_be32(v);
		break;
	case P_TMT:
		out->traffic_mode = jitsim_get_be32(v);
		break;
	case P_ASP_ID:
		out->asp_id = jitsim_get_be32(v);
		break;
	case P_ERROR_CODE:
		out->error_code = jitsim_get_be32(v);
		break;
	case P_STATUS:
		out->status_type = jitsim_get_be16(v);
		out->status_info = jitsim_get_be16(v + 2);
		break;
	case P_CONCERNED:
		/* RFC 4666 3.4.4: reserved(8) + point code(24). */
		out->concerned_dest = jitsim_get_be32(v) & 0xffffffu;
		break;
	case P_CONGESTION:
		/* reserved(24) + level(8) */
		out->cong_level = v[3];
		break;
	case P_USER_CAUSE:
		out->cause = jitsim_get_be16(v);
		out->user = jitsim_get_be16(v + 2);
		break;
	default:
		break;
	}
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_m3ua_mgmt_decode(const uint8_t *p, size_t len, struct jitsim_m3ua_mgmt *out)
{
	const struct msg_def *def;
	const uint8_t *q;
	uint32_t mlen, allowed;
	size_t left;

	memset(out, 0, sizeof(*out));
	if (len < JITSIM_M3UA_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	if (p[0] != JITSIM_M3UA_VERSION) {
		out->err_code = JITSIM_M3UA_ERR_INVALID_VERSION;
		return JITSIM_R_M3UA_BAD_VERSION;
	}
	out->msg_class = p[2];
	out->msg_type = p[3];
	mlen = jitsim_get_be32(p + 4);
	if (mlen < JITSIM_M3UA_HDR_LEN)
		return bad(out, JITSIM_M3UA_ERR_PROTOCOL_ERROR);
	if (mlen > len)
		return JITSIM_R_TRUNCATED;
	if (out->msg_class == JITSIM_M3UA_CLASS_XFER)
		return JITSIM_R_BAD_PARAM;
	if (!class_known(out->msg_class))
		return bad(out, JITSIM_M3UA_ERR_UNSUPP_CLASS);
	def = find_def(out->msg_class, out->msg_type);
	if (def == NULL)
		return bad(out, JITSIM_M3UA_ERR_UNSUPP_TYPE);
	allowed = allowed_mask(def);

	q = p + JITSIM_M3UA_HDR_LEN;
	left = mlen - JITSIM_M3UA_HDR_LEN;
	while (left > 0) {
		size_t plen, vlen, adv;
		int pid;

		/* RFC 4666 3.2: tag(2) length(2); length counts the header, not padding. */
		if (left < JITSIM_M3UA_PARAM_HDR_LEN)
			return bad(out, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
		plen = jitsim_get_be16(q + 2);
		if (plen < JITSIM_M3UA_PARAM_HDR_LEN || plen > left)
			return bad(out, JITSIM_M3UA_ERR_PARAM_FIELD_ERROR);
		vlen = plen - JITSIM_M3UA_PARAM_HDR_LEN;
		pid = pid_of_tag(jitsim_get_be16(q));
		/* First occurrence wins, like the DATA decoder. */
		if (pid >= 0 && (allowed & B(pid)) && !(out->present & B(pid))) {
			enum jitsim_reason r =
				get_param(out, pid, q + JITSIM_M3UA_PARAM_HDR_LEN, vlen);

			if (r != JITSIM_R_OK)
				return r;
			out->present |= B(pid);
		}
		/* Tolerate a last parameter without its padding. */
		adv = (plen + 3) & ~(size_t)3;
		if (adv > left)
			adv = left;
		q += adv;
		left -= adv;
	}
	if ((out->present & def->mandatory) != def->mandatory)
		return bad(out, JITSIM_M3UA_ERR_MISSING_PARAM);
	return JITSIM_R_OK;
}

/* Append one parameter with a value of @p vlen bytes, padded; NULL when full. */
static uint8_t *
put_param(struct jitsim_wbuf *w, uint16_t tag, size_t vlen)
{
	size_t padded = (vlen + 3) & ~(size_t)3;
	uint8_t *h = jitsim_wbuf_append(w, JITSIM_M3UA_PARAM_HDR_LEN + padded);

	if (h == NULL)
		return NULL;
	jitsim_put_be16(h, tag);
	jitsim_put_be16(h + 2, (uint16_t)(JITSIM_M3UA_PARAM_HDR_LEN + vlen));
	memset(h + JITSIM_M3UA_PARAM_HDR_LEN + vlen, 0, padded - vlen);
	return h + JITSIM_M3UA_PARAM_HDR_LEN;
}

static bool
put_u32(struct jitsim_wbuf *w, uint16_t tag, uint32_t v)
{
	uint8_t *d = put_param(w, tag, 4);

	if (d == NULL)
		return false;
	jitsim_put_be32(d, v);
	return true;
}

static bool
put_list(struct jitsim_wbuf *w, uint16_t tag, const uint32_t *v, size_t n)
{
	uint8_t *d = put_param(w, tag, 4 * n);

	if (d == NULL)
		return false;
	for (size_t i = 0; i < n; i++)
		jitsim_put_be32(d + 4 * i, v[i]);
	return true;
}

static bool
put_bytes(struct jitsim_wbuf *w, uint16_t tag, const uint8_t *v, size_t n)
{
	uint8_t *d = put_param(w, tag, n);

	if (d == NULL)
		return false;
	if (n)
		memcpy(d, v, n);
	return true;
}

static bool
encode_param(struct jitsim_wbuf *w, const struct jitsim_m3ua_mgmt *m, int pid)
{
	uint16_t tag = param_tag[pid];

	switch (pid) {
	case P_RC:
		return put_list(w, tag, m->rc, m->n_rc);
	case P_APC:
		return put_list(w, tag, m->apc, m->n_apc);
	case P_NA:
		return put_u32(w, tag, m->na);
	case P_TMT:
		return put_u32(w, tag, m->traffic_mode);
	case P_ASP_ID:
		return put_u32(w, tag, m->asp_id);
	case P_ERROR_CODE:
		return put_u32(w, tag, m->error_code);
	case P_STATUS:
		return put_u32(w, tag, (uint32_t)m->status_type << 16 | m->status_info);
	case P_CONCERNED:
		return put_u32(w, tag, m->concerned_dest & 0xffffffu);
	case P_CONGESTION:
		return put_u32(w, tag, m->cong_level);
	case P_USER_CAUSE:
		return put_u32(w, tag, (uint32_t)m->cause << 16 | m->user);
	case P_HEARTBEAT:
		return put_bytes(w, tag, m->heartbeat, m->heartbeat_len);
	case P_DIAGNOSTIC:
		return put_bytes(w, tag, m->diagnostic, m->diagnostic_len);
	case P_INFO:
		return put_bytes(w, tag, m->info, m->info_len);
	default:
		return false;
	}
}

enum jitsim_reason
jitsim_m3ua_mgmt_encode(struct jitsim_wbuf *w, const struct jitsim_m3ua_mgmt *m)
{
	const struct msg_def *def = find_def(m->msg_class, m->msg_type);
	size_t start = w->tail;
	uint8_t *h;

	if (def == NULL || (m->present & def->mandatory) != def->mandatory)
		return JITSIM_R_BAD_PARAM;
	if ((m->present & JITSIM_M3UA_P_RC) && (m->n_rc == 0 || m->n_rc > JITSIM_M3UA_MGMT_MAX_RC))
		return JITSIM_R_BAD_PARAM;
	if ((m->present & JITSIM_M3UA_P_AFFECTED_PC) &&
	    (m->n_apc == 0 || m->n_apc > JITSIM_M3UA_MGMT_MAX_APC))
		return JITSIM_R_BAD_PARAM;
	if ((m->present & JITSIM_M3UA_P_INFO_STRING) && m->info_len > JITSIM_M3UA_INFO_MAX)
		return JITSIM_R_BAD_PARAM;
	/* The 16-bit parameter length counts its 4-byte header. */
	if (m->heartbeat_len > 0xffff - JITSIM_M3UA_PARAM_HDR_LEN ||
	    m->diagnostic_len > 0xffff - JITSIM_M3UA_PARAM_HDR_LEN)
		return JITSIM_R_BAD_PARAM;

	h = jitsim_wbuf_append(w, JITSIM_M3UA_HDR_LEN);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	for (size_t i = 0; i < sizeof(def->order) && def->order[i] != P_END; i++) {
		int pid = def->order[i];

		if (!(m->present & B(pid)))
			continue;
		if (!encode_param(w, m, pid)) {
			w->tail = start;
			return JITSIM_R_NOSPACE;
		}
	}
	/* RFC 4666 3.1: header, then the length of everything, padding included. */
	h = w->buf + start;
	h[0] = JITSIM_M3UA_VERSION;
	h[1] = 0;
	h[2] = m->msg_class;
	h[3] = m->msg_type;
	jitsim_put_be32(h + 4, (uint32_t)(w->tail - start));
	return JITSIM_R_OK;
}

const char *
jitsim_m3ua_msg_name(uint8_t msg_class, uint8_t msg_type)
{
	const struct msg_def *d;

	if (msg_class == JITSIM_M3UA_CLASS_XFER && msg_type == JITSIM_M3UA_XFER_DATA)
		return "DATA";
	d = find_def(msg_class, msg_type);
	return d != NULL ? d->name : "?";
}

const char *
jitsim_m3ua_err_name(uint32_t code)
{
	/* RFC 4666 3.8.1; the gaps are codes of RFC 3332 that 4666 removed. */
	static const char *const names[JITSIM_M3UA_ERR_MAX] = {
		[0x01] = "Invalid Version",
		[0x03] = "Unsupported Message Class",
		[0x04] = "Unsupported Message Type",
		[0x05] = "Unsupported Traffic Mode Type",
		[0x06] = "Unexpected Message",
		[0x07] = "Protocol Error",
		[0x09] = "Invalid Stream Identifier",
		[0x0d] = "Refused - Management Blocking",
		[0x0e] = "ASP Identifier Required",
		[0x0f] = "Invalid ASP Identifier",
		[0x11] = "Invalid Parameter Value",
		[0x12] = "Parameter Field Error",
		[0x13] = "Unexpected Parameter",
		[0x14] = "Destination Status Unknown",
		[0x15] = "Invalid Network Appearance",
		[0x16] = "Missing Parameter",
		[0x19] = "Invalid Routing Context",
		[0x1a] = "No Configured AS for ASP",
	};

	if (code < JITSIM_M3UA_ERR_MAX && names[code] != NULL)
		return names[code];
	return "unknown error code";
}

/* snprintf-semantics accumulation: *off counts what was wanted. */
static void __attribute__((format(printf, 4, 5)))
add(char *buf, size_t size, size_t *off, const char *fmt, ...)
{
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(*off < size ? buf + *off : NULL, *off < size ? size - *off : 0, fmt, ap);
	va_end(ap);
	if (n > 0)
		*off += (size_t)n;
}

int
jitsim_m3ua_mgmt_dump(const struct jitsim_m3ua_mgmt *m, char *buf, size_t size)
{
	size_t off = 0;

	if (size > 0)
		buf[0] = '\0';
	add(buf, size, &off, "msg=%s", jitsim_m3ua_msg_name(m->msg_class, m->msg_type));
	if (m->present & JITSIM_M3UA_P_ERROR_CODE)
		add(buf, size, &off, " error=0x%02x(%s)", (unsigned int)m->error_code,
		    jitsim_m3ua_err_name(m->error_code));
	if (m->present & JITSIM_M3UA_P_STATUS)
		add(buf, size, &off, " status=%u/%u", (unsigned int)m->status_type,
		    (unsigned int)m->status_info);
	if (m->present & JITSIM_M3UA_P_ASP_ID)
		add(buf, size, &off, " asp_id=%u", (unsigned int)m->asp_id);
	if (m->present & JITSIM_M3UA_P_TRAFFIC_MODE)
		add(buf, size, &off, " tmt=%u", (unsigned int)m->traffic_mode);
	if (m->present & JITSIM_M3UA_P_NA)
		add(buf, size, &off, " na=%u", (unsigned int)m->na);
	if (m->present & JITSIM_M3UA_P_RC)
		for (unsigned int i = 0; i < m->n_rc; i++)
			add(buf, size, &off, "%s%u", i ? "," : " rc=", (unsigned int)m->rc[i]);
	if (m->present & JITSIM_M3UA_P_AFFECTED_PC)
		for (unsigned int i = 0; i < m->n_apc; i++)
			add(buf, size, &off, "%s%u/%u",
			    i ? "," : " apc=", (unsigned int)JITSIM_M3UA_APC_PC(m->apc[i]),
			    (unsigned int)JITSIM_M3UA_APC_MASK(m->apc[i]));
	if (m->present & JITSIM_M3UA_P_CONCERNED_DEST)
		add(buf, size, &off, " concerned=%u", (unsigned int)m->concerned_dest);
	if (m->present & JITSIM_M3UA_P_CONGESTION)
		add(buf, size, &off, " cong=%u", (unsigned int)m->cong_level);
	if (m->present & JITSIM_M3UA_P_USER_CAUSE)
		add(buf, size, &off, " cause=%u user=%u", (unsigned int)m->cause,
		    (unsigned int)m->user);
	if (m->present & JITSIM_M3UA_P_HEARTBEAT)
		add(buf, size, &off, " hb_len=%u", (unsigned int)m->heartbeat_len);
	if (m->present & JITSIM_M3UA_P_DIAGNOSTIC)
		add(buf, size, &off, " diag_len=%u", (unsigned int)m->diagnostic_len);
	/* INFO String is peer text: length only, never echoed into logs raw. */
	if (m->present & JITSIM_M3UA_P_INFO_STRING)
		add(buf, size, &off, " info_len=%u", (unsigned int)m->info_len);
	if (m->err_code)
		add(buf, size, &off, " err_code=0x%02x", (unsigned int)m->err_code);
	return off > (size_t)__INT_MAX__ ? __INT_MAX__ : (int)off;
}
