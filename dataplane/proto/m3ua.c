/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/m3ua.h>

#define M3UA_VERSION 1
/* RFC 4666 3.2 parameter header: tag(2) length(2), value padded to 4. */
#define M3UA_PARAM_HDR_LEN 4
/* RFC 4666 3.3.1: OPC(4) DPC(4) SI NI MP SLS, then user protocol data. */
#define M3UA_PD_FIXED_LEN 12

static enum jitsim_reason
decode_param(struct jitsim_m3ua *out, uint16_t tag, const uint8_t *v, size_t vlen)
{
	switch (tag) {
	case JITSIM_M3UA_TAG_ROUTING_CONTEXT:
		/*
		 * RFC 4666 3.3.1: a list of 32-bit contexts; a DATA message
		 * belongs to exactly one, so keep the first.
		 */
		if (vlen < 4 || (vlen & 3) != 0)
			return JITSIM_R_M3UA_BAD;
		if (!out->has_rc) {
			out->has_rc = true;
			out->rc = jitsim_get_be32(v);
		}
		break;
	case JITSIM_M3UA_TAG_NETWORK_APPEARANCE:
		if (vlen != 4)
			return JITSIM_R_M3UA_BAD;
		out->has_na = true;
		out->na = jitsim_get_be32(v);
		break;
	case JITSIM_M3UA_TAG_PROTOCOL_DATA:
		if (vlen < M3UA_PD_FIXED_LEN)
			return JITSIM_R_M3UA_BAD;
		if (out->has_pd)
			break;
		out->has_pd = true;
		out->opc = jitsim_get_be32(v);
		out->dpc = jitsim_get_be32(v + 4);
		out->si = v[8];
		out->ni = v[9];
		out->mp = v[10];
		out->sls = v[11];
		/* The parameter length, not the message, bounds the user data. */
		out->data = v + M3UA_PD_FIXED_LEN;
		out->data_len = vlen - M3UA_PD_FIXED_LEN;
		break;
	default:
		/* Correlation Id and unknown optional parameters: skipped. */
		break;
	}
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_m3ua_decode(const uint8_t *p, size_t len, struct jitsim_m3ua *out)
{
	const uint8_t *q;
	size_t left;

	out->has_rc = out->has_na = out->has_pd = false;
	out->data = NULL;
	out->data_len = 0;
	if (len < JITSIM_M3UA_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	/* RFC 4666 3.1: version, reserved, class, type, length(4). */
	out->version = p[0];
	out->msg_class = p[2];
	out->msg_type = p[3];
	out->length = jitsim_get_be32(p + 4);
	if (out->version != M3UA_VERSION)
		return JITSIM_R_M3UA_BAD_VERSION;
	if (out->length < JITSIM_M3UA_HDR_LEN)
		return JITSIM_R_M3UA_BAD;
	if (out->length > len)
		return JITSIM_R_TRUNCATED;
	if (out->msg_class != JITSIM_M3UA_CLASS_XFER || out->msg_type != JITSIM_M3UA_XFER_DATA)
		return JITSIM_R_M3UA_NOT_DATA;

	q = p + JITSIM_M3UA_HDR_LEN;
	left = out->length - JITSIM_M3UA_HDR_LEN;
	while (left > 0) {
		enum jitsim_reason r;
		size_t plen, adv;

		if (left < M3UA_PARAM_HDR_LEN)
			return JITSIM_R_M3UA_BAD;
		plen = jitsim_get_be16(q + 2);
		if (plen < M3UA_PARAM_HDR_LEN || plen > left)
			return JITSIM_R_M3UA_BAD;
		r = decode_param(out, jitsim_get_be16(q), q + M3UA_PARAM_HDR_LEN,
				 plen - M3UA_PARAM_HDR_LEN);
		if (r != JITSIM_R_OK)
			return r;
		/*
		 * RFC 4666 3.2: the length excludes the padding, which the
		 * message length includes; tolerate a last one left out.
		 */
		adv = (plen + 3) & ~(size_t)3;
		if (adv > left)
			adv = left;
		q += adv;
		left -= adv;
	}
	return out->has_pd ? JITSIM_R_OK : JITSIM_R_M3UA_NO_PROTOCOL_DATA;
}

int
jitsim_m3ua_dump(const struct jitsim_m3ua *x, char *buf, size_t size)
{
	char rc[16] = "-", na[16] = "-";

	if (x->has_rc)
		snprintf(rc, sizeof(rc), "%u", (unsigned int)x->rc);
	if (x->has_na)
		snprintf(na, sizeof(na), "%u", (unsigned int)x->na);
	if (!x->has_pd)
		return snprintf(buf, size, "class=%u type=%u len=%u rc=%s na=%s",
				(unsigned int)x->msg_class, (unsigned int)x->msg_type,
				(unsigned int)x->length, rc, na);
	return snprintf(buf, size,
			"class=%u type=%u len=%u rc=%s na=%s opc=%u dpc=%u si=%u ni=%u mp=%u "
			"sls=%u data_len=%zu",
			(unsigned int)x->msg_class, (unsigned int)x->msg_type,
			(unsigned int)x->length, rc, na, (unsigned int)x->opc, (unsigned int)x->dpc,
			(unsigned int)x->si, (unsigned int)x->ni, (unsigned int)x->mp,
			(unsigned int)x->sls, x->data_len);
}
