/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/tcp.h>

/* RFC 9293 3.1: 5 32-bit words without options. */
#define TCP_MIN_HDR_LEN 20

enum jitsim_reason
jitsim_tcp_decode(const uint8_t *p, size_t len, struct jitsim_tcp *out)
{
	size_t doff;

	if (len < TCP_MIN_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	doff = (size_t)(p[12] >> 4) * 4;
	if (doff < TCP_MIN_HDR_LEN || doff > len)
		return JITSIM_R_TCP_BAD_HEADER;
	out->sport = jitsim_get_be16(p);
	out->dport = jitsim_get_be16(p + 2);
	out->seq = jitsim_get_be32(p + 4);
	out->ack = jitsim_get_be32(p + 8);
	/* RFC 9293 3.1 control bits CWR..FIN; the AE bit (RFC 3540) is not kept. */
	out->flags = p[13];
	/* Options (timestamps, SACK) are skipped: Diameter framing needs none. */
	out->payload = p + doff;
	out->payload_len = len - doff;
	return JITSIM_R_OK;
}

int
jitsim_tcp_dump(const struct jitsim_tcp *x, char *buf, size_t size)
{
	return snprintf(buf, size, "sport=%u dport=%u seq=%u ack=%u flags=0x%02x len=%zu",
			(unsigned int)x->sport, (unsigned int)x->dport, (unsigned int)x->seq,
			(unsigned int)x->ack, (unsigned int)x->flags, x->payload_len);
}
