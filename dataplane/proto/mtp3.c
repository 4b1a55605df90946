/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/mtp3.h>

/* Q.704 14.2 SIO (1 octet) + 2.2 ITU routing label (4 octets). */
#define MTP3_HDR_LEN 5

enum jitsim_reason
jitsim_mtp3_decode(const uint8_t *p, size_t len, struct jitsim_mtp3 *out)
{
	uint32_t label;

	if (len < MTP3_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	/*
	 * Q.704 14.2: SI in bits DCBA (low nibble), subservice field above
	 * it: network indicator in the top 2 bits, then 2 spare bits that
	 * national networks use for message priority (Q.704 14.2.2).
	 */
	out->sio = p[0];
	out->si = p[0] & 0x0f;
	out->ni = p[0] >> 6;
	out->prio = (p[0] >> 4) & 0x03;
	/*
	 * Q.704 2.2.1: the label is sent least significant bit first, i.e.
	 * as a little-endian 32-bit word: DPC bits 0-13, OPC 14-27, SLS 28-31.
	 */
	label = (uint32_t)p[1] | (uint32_t)p[2] << 8 | (uint32_t)p[3] << 16 | (uint32_t)p[4] << 24;
	out->dpc = label & 0x3fff;
	out->opc = (label >> 14) & 0x3fff;
	out->sls = label >> 28;
	out->payload = p + MTP3_HDR_LEN;
	out->payload_len = len - MTP3_HDR_LEN;
	return JITSIM_R_OK;
}

int
jitsim_mtp3_dump(const struct jitsim_mtp3 *x, char *buf, size_t size)
{
	return snprintf(buf, size, "si=%u ni=%u prio=%u opc=%u dpc=%u sls=%u len=%zu",
			(unsigned int)x->si, (unsigned int)x->ni, (unsigned int)x->prio,
			(unsigned int)x->opc, (unsigned int)x->dpc, (unsigned int)x->sls,
			x->payload_len);
}
