/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/link.h>

#define ETH_HDR_LEN 14
#define VLAN_TAG_LEN 4
#define VLAN_VID_MAX 0x0fff

enum jitsim_reason
jitsim_eth_encode(struct jitsim_wbuf *w, const uint8_t dst[6], const uint8_t src[6],
		  const uint16_t *vlans, unsigned int n_vlans, uint16_t ethertype)
{
	size_t hlen;
	uint8_t *h;

	if (dst == NULL || src == NULL || n_vlans > JITSIM_LINK_MAX_VLANS ||
	    (n_vlans > 0 && vlans == NULL))
		return JITSIM_R_BAD_PARAM;
	/* Only the 12-bit VID is carried (PCP/DEI 0) so decode gives it back. */
	for (unsigned int i = 0; i < n_vlans; i++)
		if (vlans[i] > VLAN_VID_MAX)
			return JITSIM_R_BAD_PARAM;

	hlen = ETH_HDR_LEN + (size_t)n_vlans * VLAN_TAG_LEN;
	h = jitsim_wbuf_prepend(w, hlen);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	memcpy(h, dst, 6);
	memcpy(h + 6, src, 6);
	h += 12;
	for (unsigned int i = 0; i < n_vlans; i++) {
		/*
		 * IEEE 802.1ad: the outer tag of a stack is an S-tag (TPID
		 * 0x88a8); every inner one is a C-tag (0x8100).
		 */
		uint16_t tpid =
			i == 0 && n_vlans >= 2 ? JITSIM_ETHERTYPE_QINQ : JITSIM_ETHERTYPE_VLAN;

		jitsim_put_be16(h, tpid);
		jitsim_put_be16(h + 2, vlans[i]);
		h += VLAN_TAG_LEN;
	}
	jitsim_put_be16(h, ethertype);
	return JITSIM_R_OK;
}
