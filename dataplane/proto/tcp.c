/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/tcp.h>

enum jitsim_reason
jitsim_tcp_decode(const uint8_t *p, size_t len, struct jitsim_tcp *out)
{
	return jitsim_tcp_decode_inline(p, len, out);
}

int
jitsim_tcp_dump(const struct jitsim_tcp *x, char *buf, size_t size)
{
	return snprintf(buf, size, "sport=%u dport=%u seq=%u ack=%u flags=0x%02x len=%zu",
			(unsigned int)x->sport, (unsigned int)x->dport, (unsigned int)x->seq,
			(unsigned int)x->ack, (unsigned int)x->flags, x->payload_len);
}
