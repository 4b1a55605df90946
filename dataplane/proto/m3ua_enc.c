/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/m3ua.h>

#define M3UA_VERSION 1
#define M3UA_PARAM_HDR_LEN 4
#define M3UA_PD_FIXED_LEN 12
#define M3UA_PARAM_MAX_LEN 65535

static uint8_t *
put_u32_param(uint8_t *h, uint16_t tag, uint32_t v)
{
	jitsim_put_be16(h, tag);
	jitsim_put_be16(h + 2, M3UA_PARAM_HDR_LEN + 4);
	jitsim_put_be32(h + 4, v);
	return h + M3UA_PARAM_HDR_LEN + 4;
}

enum jitsim_reason
jitsim_m3ua_encode_data(struct jitsim_wbuf *w, const struct jitsim_m3ua *m)
{
	size_t n = jitsim_wbuf_len(w);
	size_t pad = (4 - (n & 3)) & 3;
	size_t hlen = JITSIM_M3UA_HDR_LEN + M3UA_PARAM_HDR_LEN + M3UA_PD_FIXED_LEN;
	uint8_t *h, *t;

	/* RFC 4666 3.2: the parameter length field is 16 bits. */
	if (n > M3UA_PARAM_MAX_LEN - M3UA_PARAM_HDR_LEN - M3UA_PD_FIXED_LEN)
		return JITSIM_R_BAD_LENGTH;
	if (m->has_na)
		hlen += M3UA_PARAM_HDR_LEN + 4;
	if (m->has_rc)
		hlen += M3UA_PARAM_HDR_LEN + 4;
	/* Check both ends first so a failure leaves the data untouched. */
	if (w->head < hlen || w->cap - w->tail < pad)
		return JITSIM_R_NOSPACE;

	t = jitsim_wbuf_append(w, pad);
	memset(t, 0, pad);
	h = jitsim_wbuf_prepend(w, hlen);

	/* RFC 4666 3.1 common header; the length includes all padding. */
	h[0] = M3UA_VERSION;
	h[1] = 0;
	h[2] = JITSIM_M3UA_CLASS_XFER;
	h[3] = JITSIM_M3UA_XFER_DATA;
	jitsim_put_be32(h + 4, (uint32_t)(hlen + n + pad));
	h += JITSIM_M3UA_HDR_LEN;
	/* RFC 4666 3.3.1 parameter order: NA, RC, Protocol Data. */
	if (m->has_na)
		h = put_u32_param(h, JITSIM_M3UA_TAG_NETWORK_APPEARANCE, m->na);
	if (m->has_rc)
		h = put_u32_param(h, JITSIM_M3UA_TAG_ROUTING_CONTEXT, m->rc);
	jitsim_put_be16(h, JITSIM_M3UA_TAG_PROTOCOL_DATA);
	jitsim_put_be16(h + 2, (uint16_t)(M3UA_PARAM_HDR_LEN + M3UA_PD_FIXED_LEN + n));
	jitsim_put_be32(h + 4, m->opc);
	jitsim_put_be32(h + 8, m->dpc);
	h[12] = m->si;
	h[13] = m->ni;
	h[14] = m->mp;
	h[15] = m->sls;
	return JITSIM_R_OK;
}
