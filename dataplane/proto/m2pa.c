/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/mtp3.h>

/* RFC 4165 2.1 common header: version, spare, class, type, length(4). */
#define M2PA_COMMON_HDR_LEN 8
/* RFC 4165 2.2: then unused(1) BSN(3) unused(1) FSN(3). */
#define M2PA_HDR_LEN 16
#define M2PA_VERSION 1
#define M2PA_CLASS 11
/* RFC 4165 2.1.3 message types. */
#define M2PA_TYPE_USER_DATA 1
#define M2PA_TYPE_LINK_STATUS 2

enum jitsim_reason
jitsim_m2pa_decode(const uint8_t *p, size_t len, struct jitsim_m2pa *out)
{
	out->bsn = out->fsn = 0;
	out->priority = 0;
	out->msu = NULL;
	out->msu_len = 0;
	if (len < M2PA_COMMON_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	out->version = p[0];
	out->msg_class = p[2];
	out->msg_type = p[3];
	out->length = jitsim_get_be32(p + 4);
	if (out->version != M2PA_VERSION || out->msg_class != M2PA_CLASS ||
	    out->length < M2PA_HDR_LEN)
		return JITSIM_R_M2PA_BAD;
	/* The length covers the whole message; bytes after it are not ours. */
	if (out->length > len)
		return JITSIM_R_TRUNCATED;
	out->bsn = jitsim_get_be24(p + 9);
	out->fsn = jitsim_get_be24(p + 13);

	switch (out->msg_type) {
	case M2PA_TYPE_LINK_STATUS:
		return JITSIM_R_M2PA_NOT_DATA;
	case M2PA_TYPE_USER_DATA:
		/* RFC 4165 2.3.1: User Data without data is a pure ack. */
		if (out->length == M2PA_HDR_LEN)
			return JITSIM_R_M2PA_NOT_DATA;
		/*
		 * RFC 4165 2.3.1: one priority octet, then the MTP3 message
		 * from the SIO. Real stacks put other things in the spare
		 * bits of that octet (one capture carries the MTP2 length
		 * indicator there), so it is kept but never interpreted.
		 */
		if (out->length == M2PA_HDR_LEN + 1)
			return JITSIM_R_M2PA_BAD;
		out->priority = p[M2PA_HDR_LEN];
		out->msu = p + M2PA_HDR_LEN + 1;
		out->msu_len = out->length - (M2PA_HDR_LEN + 1);
		return JITSIM_R_OK;
	default:
		return JITSIM_R_M2PA_BAD;
	}
}

int
jitsim_m2pa_dump(const struct jitsim_m2pa *x, char *buf, size_t size)
{
	return snprintf(buf, size, "class=%u type=%u len=%u bsn=%u fsn=%u prio=0x%02x msu_len=%zu",
			(unsigned int)x->msg_class, (unsigned int)x->msg_type,
			(unsigned int)x->length, (unsigned int)x->bsn, (unsigned int)x->fsn,
			(unsigned int)x->priority, x->msu_len);
}
