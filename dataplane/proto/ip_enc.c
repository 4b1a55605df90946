/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/ip.h>

#define IPV4_HDR_LEN 20
#define IPV6_HDR_LEN 40
#define IP_MAX_LEN 65535
#define IPV4_FLAG_DF 0x4000
/* RFC 1700 / RFC 8200 3: the usual initial TTL / hop limit. */
#define IP_DEFAULT_TTL 64

uint32_t
jitsim_ip_csum_partial(const uint8_t *p, size_t len, uint32_t sum)
{
	uint64_t s = sum;
	size_t i = 0;

	/* RFC 1071 4.1: add 16-bit big-endian words, pad an odd tail with 0. */
	for (; len - i >= 2; i += 2)
		s += jitsim_get_be16(p + i);
	if (i < len)
		s += (uint32_t)p[i] << 8;
	while (s >> 32)
		s = (s & 0xffffffff) + (s >> 32);
	return (uint32_t)s;
}

uint16_t
jitsim_ip_csum_fold(uint32_t sum)
{
	while (sum >> 16)
		sum = (sum & 0xffff) + (sum >> 16);
	return (uint16_t)~sum;
}

enum jitsim_reason
jitsim_ipv4_encode(struct jitsim_wbuf *w, const uint8_t src[4], const uint8_t dst[4], uint8_t proto,
		   uint16_t id)
{
	size_t plen = jitsim_wbuf_len(w);
	uint8_t *h;

	if (plen > IP_MAX_LEN - IPV4_HDR_LEN)
		return JITSIM_R_BAD_LENGTH;
	h = jitsim_wbuf_prepend(w, IPV4_HDR_LEN);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	h[0] = 0x45; /* version 4, IHL 5: no options */
	h[1] = 0;
	jitsim_put_be16(h + 2, (uint16_t)(IPV4_HDR_LEN + plen));
	jitsim_put_be16(h + 4, id);
	/* DF: signaling transports (SCTP, TCP) do their own PMTU discovery. */
	jitsim_put_be16(h + 6, IPV4_FLAG_DF);
	h[8] = IP_DEFAULT_TTL;
	h[9] = proto;
	h[10] = h[11] = 0;
	memcpy(h + 12, src, 4);
	memcpy(h + 16, dst, 4);
	/* RFC 791 3.1: checksum of the header only, with the field zeroed. */
	jitsim_put_be16(h + 10, jitsim_ip_csum_fold(jitsim_ip_csum_partial(h, IPV4_HDR_LEN, 0)));
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_ipv6_encode(struct jitsim_wbuf *w, const uint8_t src[16], const uint8_t dst[16],
		   uint8_t proto)
{
	size_t plen = jitsim_wbuf_len(w);
	uint8_t *h;

	/* RFC 8200 3: Payload Length is 16 bits (jumbograms are not made). */
	if (plen > IP_MAX_LEN)
		return JITSIM_R_BAD_LENGTH;
	h = jitsim_wbuf_prepend(w, IPV6_HDR_LEN);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	jitsim_put_be32(h, 0x60000000); /* version 6, traffic class 0, flow 0 */
	jitsim_put_be16(h + 4, (uint16_t)plen);
	h[6] = proto;
	h[7] = IP_DEFAULT_TTL;
	memcpy(h + 8, src, 16);
	memcpy(h + 24, dst, 16);
	return JITSIM_R_OK;
}
