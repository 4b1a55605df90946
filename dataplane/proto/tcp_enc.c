/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <jitsim/proto/bytes.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/tcp.h>

#define TCP_HDR_LEN 20
#define TCP_FLAGS_PSH_ACK 0x18
#define TCP_WINDOW 65535

enum jitsim_reason
jitsim_tcp_encode(struct jitsim_wbuf *w, const struct jitsim_tcp *t, const uint8_t *src,
		  const uint8_t *dst, size_t addr_len)
{
	uint8_t ph[4];
	uint32_t sum, seglen;
	uint8_t *h;

	if (src == NULL || dst == NULL || (addr_len != 4 && addr_len != 16))
		return JITSIM_R_BAD_PARAM;
	/* The IPv6 pseudo-header carries a 32-bit length (RFC 8200 8.1). */
	if (jitsim_wbuf_len(w) > UINT32_MAX - TCP_HDR_LEN)
		return JITSIM_R_BAD_LENGTH;
	h = jitsim_wbuf_prepend(w, TCP_HDR_LEN);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	seglen = (uint32_t)jitsim_wbuf_len(w);
	jitsim_put_be16(h, t->sport);
	jitsim_put_be16(h + 2, t->dport);
	jitsim_put_be32(h + 4, t->seq);
	jitsim_put_be32(h + 8, t->ack);
	h[12] = (TCP_HDR_LEN / 4) << 4;
	h[13] = TCP_FLAGS_PSH_ACK;
	jitsim_put_be16(h + 14, TCP_WINDOW);
	jitsim_put_be16(h + 16, 0);
	jitsim_put_be16(h + 18, 0); /* urgent pointer */

	/*
	 * RFC 9293 3.1 (IPv4: src, dst, 0, 6, 16-bit length) and RFC 8200 8.1
	 * (IPv6: src, dst, 32-bit length, 3 zero bytes, 6). In the ones'
	 * complement sum both reduce to: addresses + length + protocol.
	 */
	sum = jitsim_ip_csum_partial(src, addr_len, 0);
	sum = jitsim_ip_csum_partial(dst, addr_len, sum);
	jitsim_put_be32(ph, seglen);
	sum = jitsim_ip_csum_partial(ph, 4, sum);
	ph[0] = 0;
	ph[1] = JITSIM_IPPROTO_TCP;
	sum = jitsim_ip_csum_partial(ph, 2, sum);
	sum = jitsim_ip_csum_partial(h, seglen, sum);
	jitsim_put_be16(h + 16, jitsim_ip_csum_fold(sum));
	return JITSIM_R_OK;
}
