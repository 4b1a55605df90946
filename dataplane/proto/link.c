/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/link.h>

/* tcpdump.org LINKTYPE_LINUX_SLL: 16-byte header, protocol at offset 14. */
#define SLL_HDR_LEN 16
#define SLL_PROTO_OFF 14
/* tcpdump.org LINKTYPE_LINUX_SLL2: 20-byte header, protocol at offset 0. */
#define SLL2_HDR_LEN 20
#define SLL2_PROTO_OFF 0

/* Raw IP link types carry no protocol field: the version nibble decides. */
static enum jitsim_reason
decode_raw_ip(const uint8_t *p, size_t len, unsigned int want, struct jitsim_link *out)
{
	unsigned int v;

	if (len < 1)
		return JITSIM_R_TRUNCATED;
	v = p[0] >> 4;
	if ((v != 4 && v != 6) || (want != 0 && v != want))
		return JITSIM_R_IP_BAD_VERSION;
	out->next = v == 4 ? JITSIM_LINK_NEXT_IPV4 : JITSIM_LINK_NEXT_IPV6;
	out->ethertype = v == 4 ? JITSIM_ETHERTYPE_IPV4 : JITSIM_ETHERTYPE_IPV6;
	out->payload = p;
	out->payload_len = len;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_link_decode(uint32_t dlt, const uint8_t *p, size_t len, struct jitsim_link *out)
{
	out->next = 0;
	out->n_vlans = 0;
	out->ethertype = 0;
	out->payload = NULL;
	out->payload_len = 0;

	switch (dlt) {
	case JITSIM_DLT_EN10MB:
		if (len < JITSIM_ETH_HDR_LEN)
			return JITSIM_R_TRUNCATED;
		return jitsim_link_ethertype(p, len, jitsim_get_be16(p + JITSIM_ETH_HDR_LEN - 2),
					     JITSIM_ETH_HDR_LEN, out);
	case JITSIM_DLT_LINUX_SLL:
		if (len < SLL_HDR_LEN)
			return JITSIM_R_TRUNCATED;
		return jitsim_link_ethertype(p, len, jitsim_get_be16(p + SLL_PROTO_OFF),
					     SLL_HDR_LEN, out);
	case JITSIM_DLT_LINUX_SLL2:
		/* SLL2 puts its protocol first, before the addresses. */
		if (len < SLL2_HDR_LEN)
			return JITSIM_R_TRUNCATED;
		return jitsim_link_ethertype(p, len, jitsim_get_be16(p + SLL2_PROTO_OFF),
					     SLL2_HDR_LEN, out);
	case JITSIM_DLT_RAW:
	case JITSIM_DLT_RAW_12:
		return decode_raw_ip(p, len, 0, out);
	case JITSIM_DLT_IPV4:
		return decode_raw_ip(p, len, 4, out);
	case JITSIM_DLT_IPV6:
		return decode_raw_ip(p, len, 6, out);
	case JITSIM_DLT_MTP3:
		/* Frames start at the SIO (LINKTYPE_MTP3): nothing to strip. */
		if (len < 1)
			return JITSIM_R_TRUNCATED;
		out->next = JITSIM_LINK_NEXT_MTP3;
		out->payload = p;
		out->payload_len = len;
		return JITSIM_R_OK;
	default:
		return JITSIM_R_LINK_UNSUPPORTED;
	}
}

static const char *
next_name(uint8_t next)
{
	switch (next) {
	case JITSIM_LINK_NEXT_IPV4:
		return "ipv4";
	case JITSIM_LINK_NEXT_IPV6:
		return "ipv6";
	case JITSIM_LINK_NEXT_MTP3:
		return "mtp3";
	default:
		return "none";
	}
}

int
jitsim_link_dump(const struct jitsim_link *x, char *buf, size_t size)
{
	char vl[JITSIM_LINK_MAX_VLANS * 6 + 1] = "-";
	size_t o = 0;

	for (unsigned int i = 0; i < x->n_vlans && i < JITSIM_LINK_MAX_VLANS; i++)
		o += (size_t)snprintf(vl + o, sizeof(vl) - o, "%s%u", i ? "," : "",
				      (unsigned int)x->vlan[i]);
	return snprintf(buf, size, "next=%s vlans=%s ethertype=0x%04x len=%zu", next_name(x->next),
			vl, (unsigned int)x->ethertype, x->payload_len);
}
