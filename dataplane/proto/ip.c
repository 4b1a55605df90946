/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <arpa/inet.h>
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/ip.h>

/* RFC 8200 4.5: the Fragment header has a fixed size. */
#define IP6_FRAG_HDR_LEN 8
#define IP6_FRAG_M 0x0001
#define IP6_FRAG_OFF_MASK 0xfff8

static enum jitsim_reason
decode_v6(const uint8_t *p, size_t len, struct jitsim_ip *out)
{
	const uint8_t *q;
	size_t left;
	uint8_t nh;

	if (len < JITSIM_IPV6_HDR_LEN)
		return JITSIM_R_TRUNCATED;
	left = jitsim_get_be16(p + 4);
	if (len - JITSIM_IPV6_HDR_LEN < left)
		return JITSIM_R_TRUNCATED;
	nh = p[6];
	out->version = 6;
	out->ttl = p[7];
	out->fragment = false;
	out->first_fragment = true;
	out->src = p + 8;
	out->dst = p + 24;
	q = p + JITSIM_IPV6_HDR_LEN;

	/* RFC 8200 4.1: extension headers chain through their first octet. */
	for (unsigned int n = 0;; n++) {
		size_t hl;

		if (!jitsim_ip6_is_ext(nh))
			break;
		if (n == JITSIM_IP6_MAX_EXT)
			return JITSIM_R_IP_EXT_TOO_MANY;
		/* Every extension header is at least 8 octets (RFC 8200 4.3-4.6). */
		if (left < 8)
			return JITSIM_R_IP_BAD_HEADER;
		if (nh == JITSIM_IP6_EXT_FRAGMENT) {
			uint16_t fo = jitsim_get_be16(q + 2);

			hl = IP6_FRAG_HDR_LEN;
			/* RFC 6946: offset 0 without M is an atomic fragment. */
			if (fo & (IP6_FRAG_OFF_MASK | IP6_FRAG_M))
				out->fragment = true;
			if (fo & IP6_FRAG_OFF_MASK) {
				/*
				 * RFC 8200 4.5: only the first fragment holds
				 * the rest of the chain and the transport
				 * header; later ones hold raw fragment data.
				 */
				out->first_fragment = false;
				nh = q[0];
				q += hl;
				left -= hl;
				break;
			}
		} else if (nh == JITSIM_IP6_EXT_AH) {
			/* RFC 4302 2.2: AH length is in 4-octet units minus 2. */
			hl = ((size_t)q[1] + 2) * 4;
		} else {
			/* RFC 8200 4.3/4.4/4.6: 8-octet units, first 8 not counted. */
			hl = ((size_t)q[1] + 1) * 8;
		}
		if (hl > left)
			return JITSIM_R_IP_BAD_HEADER;
		nh = q[0];
		q += hl;
		left -= hl;
	}
	out->proto = nh;
	out->payload = q;
	out->payload_len = left;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_ip_decode(const uint8_t *p, size_t len, struct jitsim_ip *out)
{
	if (len < 1)
		return JITSIM_R_TRUNCATED;
	switch (p[0] >> 4) {
	case 4:
		return jitsim_ip_decode_v4(p, len, out);
	case 6:
		return decode_v6(p, len, out);
	default:
		return JITSIM_R_IP_BAD_VERSION;
	}
}

int
jitsim_ip_dump(const struct jitsim_ip *x, char *buf, size_t size)
{
	char s[INET6_ADDRSTRLEN] = "-", d[INET6_ADDRSTRLEN] = "-";
	int af = x->version == 6 ? AF_INET6 : AF_INET;

	if (x->src != NULL && (x->version == 4 || x->version == 6))
		inet_ntop(af, x->src, s, sizeof(s));
	if (x->dst != NULL && (x->version == 4 || x->version == 6))
		inet_ntop(af, x->dst, d, sizeof(d));
	return snprintf(buf, size, "v=%u src=%s dst=%s proto=%u ttl=%u frag=%d first=%d len=%zu",
			(unsigned int)x->version, s, d, (unsigned int)x->proto,
			(unsigned int)x->ttl, x->fragment ? 1 : 0, x->first_fragment ? 1 : 0,
			x->payload_len);
}
