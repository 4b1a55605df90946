/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/mtp3.h>

/* RFC 3331 3.1 common header: version, spare, class, type, length(4). */
#define M2UA_HDR_LEN 8
#define M2UA_VERSION 1
#define M2UA_CLASS_MAUP 6
#define M2UA_MAUP_DATA 1
/* RFC 3331 3.2 parameter header: tag(2) length(2), value padded to 4. */
#define M2UA_PARAM_HDR_LEN 4
/* RFC 3331 3.2: parameter tags. */
#define M2UA_TAG_IID_INT 0x0001
#define M2UA_TAG_PROTOCOL_DATA_1 0x0300

enum jitsim_reason
jitsim_m2ua_decode(const uint8_t *p, size_t len, struct jitsim_m2ua *out)
{
	const uint8_t *q;
	size_t left;

	out->has_iid = false;
	out->iid = 0;
	out->msu = NULL;
	out->msu_len = 0;
	if (len < M2UA_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	out->version = p[0];
	out->msg_class = p[2];
	out->msg_type = p[3];
	out->length = jitsim_get_be32(p + 4);
	if (out->version != M2UA_VERSION || out->length < M2UA_HDR_LEN)
		return JITSIM_R_M2UA_BAD;
	if (out->length > len)
		return JITSIM_R_TRUNCATED;
	/* ASPSM/ASPTM/MGMT/IIM and MAUP link control: counted, not decoded. */
	if (out->msg_class != M2UA_CLASS_MAUP || out->msg_type != M2UA_MAUP_DATA)
		return JITSIM_R_M2UA_NOT_DATA;

	/* RFC 3331 3.3.1.1 Data: IID, Protocol Data 1 or 2, Correlation Id. */
	q = p + M2UA_HDR_LEN;
	left = out->length - M2UA_HDR_LEN;
	while (left > 0) {
		size_t plen, adv;
		uint16_t tag;

		if (left < M2UA_PARAM_HDR_LEN)
			return JITSIM_R_M2UA_BAD;
		tag = jitsim_get_be16(q);
		plen = jitsim_get_be16(q + 2);
		if (plen < M2UA_PARAM_HDR_LEN || plen > left)
			return JITSIM_R_M2UA_BAD;
		if (tag == M2UA_TAG_IID_INT) {
			if (plen != M2UA_PARAM_HDR_LEN + 4)
				return JITSIM_R_M2UA_BAD;
			out->has_iid = true;
			out->iid = jitsim_get_be32(q + M2UA_PARAM_HDR_LEN);
		} else if (tag == M2UA_TAG_PROTOCOL_DATA_1 && out->msu == NULL) {
			/* The MSU from the SIO on: no MTP2 LI/BSN/FSN/CK. */
			out->msu = q + M2UA_PARAM_HDR_LEN;
			out->msu_len = plen - M2UA_PARAM_HDR_LEN;
		}
		/* RFC 3331 3.2: the length excludes the padding to 4. */
		adv = (plen + 3) & ~(size_t)3;
		if (adv > left)
			adv = left;
		q += adv;
		left -= adv;
	}
	/*
	 * Protocol Data 2 (TTC, 0x0301) is not decoded: it is Japan-only and
	 * absent from the target networks, so a DATA without PD1 is "bad".
	 */
	if (out->msu == NULL || out->msu_len == 0)
		return JITSIM_R_M2UA_BAD;
	return JITSIM_R_OK;
}

int
jitsim_m2ua_dump(const struct jitsim_m2ua *x, char *buf, size_t size)
{
	char iid[16] = "-";

	if (x->has_iid)
		snprintf(iid, sizeof(iid), "%u", (unsigned int)x->iid);
	return snprintf(buf, size, "class=%u type=%u len=%u iid=%s msu_len=%zu",
			(unsigned int)x->msg_class, (unsigned int)x->msg_type,
			(unsigned int)x->length, iid, x->msu_len);
}
