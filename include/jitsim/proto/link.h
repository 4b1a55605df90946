/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_LINK_H
#define JITSIM_PROTO_LINK_H

/**
 * @file
 * Link layers: Ethernet II with 802.1Q/802.1ad (QinQ) tags, and for reading
 * captures Linux cooked SLL (v1) and SLL2, raw IP and raw SS7 MTP3.
 *
 * Zero-copy: out->payload points into the input. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/** pcap link types (tcpdump.org/linktypes.html) understood by the decoder. */
enum jitsim_dlt {
	JITSIM_DLT_EN10MB = 1,	/**< Ethernet II */
	JITSIM_DLT_RAW = 101,	/**< raw IPv4/IPv6 (LINKTYPE_RAW) */
	JITSIM_DLT_RAW_12 = 12, /**< raw IP on some BSDs/OpenBSD DLT 12 */
	JITSIM_DLT_IPV4 = 228,	/**< raw IPv4 */
	JITSIM_DLT_IPV6 = 229,	/**< raw IPv6 */
	JITSIM_DLT_LINUX_SLL = 113,
	JITSIM_DLT_MTP3 = 141, /**< SS7 MTP3 MSU starting at the SIO */
	JITSIM_DLT_LINUX_SLL2 = 276,
};

#define JITSIM_ETHERTYPE_IPV4 0x0800
#define JITSIM_ETHERTYPE_IPV6 0x86dd
#define JITSIM_ETHERTYPE_VLAN 0x8100
#define JITSIM_ETHERTYPE_QINQ 0x88a8
#define JITSIM_ETHERTYPE_QINQ_OLD 0x9100

/** At most this many VLAN tags are skipped (QinQ plus one spare). */
#define JITSIM_LINK_MAX_VLANS 3

enum jitsim_link_next {
	JITSIM_LINK_NEXT_IPV4 = 1,
	JITSIM_LINK_NEXT_IPV6,
	JITSIM_LINK_NEXT_MTP3,
};

struct jitsim_link {
	uint8_t next;			      /**< enum jitsim_link_next */
	uint8_t n_vlans;		      /**< VLAN tags seen (outermost first) */
	uint16_t vlan[JITSIM_LINK_MAX_VLANS]; /**< VLAN ids (12 bits) */
	uint16_t ethertype;		      /**< protocol after the tags (0 for MTP3) */
	const uint8_t *payload;		      /**< points into the frame */
	size_t payload_len;
};

/**
 * Decode the link layer of a frame of pcap link type @p dlt.
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED, JITSIM_R_LINK_UNSUPPORTED,
 *   JITSIM_R_LINK_NOT_IP (e.g. ARP), JITSIM_R_VLAN_TOO_DEEP,
 *   JITSIM_R_IP_BAD_VERSION (raw IP with another version nibble).
 */
enum jitsim_reason jitsim_link_decode(uint32_t dlt, const uint8_t *p, size_t len,
				      struct jitsim_link *out);

/* IEEE 802.3 clause 3.2.6: Ethernet II header is dst(6) src(6) type(2). */
#define JITSIM_ETH_HDR_LEN 14
/* IEEE 802.1Q 9.6: a tag is TPID(2) TCI(2); the TPID sits where the type was. */
#define JITSIM_VLAN_TAG_LEN 4
#define JITSIM_VLAN_VID_MASK 0x0fff

/**
 * Internal to jitsim_link_decode() and its inline form: what follows the
 * type field of Ethernet II or the protocol field of SLL/SLL2 (@p type, at
 * offset @p off - 2 or, for SLL2, at the start): optional VLAN tags, then an
 * IP ethertype. @p off is already known to be inside the frame.
 */
static inline enum jitsim_reason
jitsim_link_ethertype(const uint8_t *p, size_t len, uint16_t type, size_t off,
		      struct jitsim_link *out)
{
	unsigned int n = 0;

	/* Stacked tags (802.1ad QinQ): outermost first; untagged IPv4 skips the test. */
	while (type != JITSIM_ETHERTYPE_IPV4 &&
	       (type == JITSIM_ETHERTYPE_VLAN || type == JITSIM_ETHERTYPE_QINQ ||
		type == JITSIM_ETHERTYPE_QINQ_OLD)) {
		if (__builtin_expect(n >= JITSIM_LINK_MAX_VLANS, 0)) {
			out->n_vlans = (uint8_t)n;
			return JITSIM_R_VLAN_TOO_DEEP;
		}
		if (__builtin_expect(len - off < JITSIM_VLAN_TAG_LEN, 0)) {
			out->n_vlans = (uint8_t)n;
			return JITSIM_R_TRUNCATED;
		}
		out->vlan[n++] = jitsim_get_be16(p + off) & JITSIM_VLAN_VID_MASK;
		type = jitsim_get_be16(p + off + 2);
		off += JITSIM_VLAN_TAG_LEN;
	}
	out->n_vlans = (uint8_t)n;
	out->ethertype = type;
	if (__builtin_expect(type == JITSIM_ETHERTYPE_IPV4, 1))
		out->next = JITSIM_LINK_NEXT_IPV4;
	else if (type == JITSIM_ETHERTYPE_IPV6)
		out->next = JITSIM_LINK_NEXT_IPV6;
	else
		return JITSIM_R_LINK_NOT_IP; /* ARP, LLC (type < 0x600), LLDP... */
	/* Payload keeps any Ethernet padding/FCS: the IP total length bounds it. */
	out->payload = p + off;
	out->payload_len = len - off;
	return JITSIM_R_OK;
}

/**
 * Same as jitsim_link_decode(), with Ethernet (the capture and mirror-port
 * link type) inlined for the per-frame fast path.
 */
static inline enum jitsim_reason
jitsim_link_decode_inline(uint32_t dlt, const uint8_t *p, size_t len, struct jitsim_link *out)
{
	if (__builtin_expect(dlt != JITSIM_DLT_EN10MB, 0)) {
		/* Through a copy, so that @p out can stay in the caller's registers. */
		struct jitsim_link tmp;
		enum jitsim_reason r = jitsim_link_decode(dlt, p, len, &tmp);

		*out = tmp;
		return r;
	}
	out->next = 0;
	out->ethertype = 0;
	out->payload = NULL;
	out->payload_len = 0;
	if (__builtin_expect(len < JITSIM_ETH_HDR_LEN, 0)) {
		out->n_vlans = 0;
		return JITSIM_R_TRUNCATED;
	}
	return jitsim_link_ethertype(p, len, jitsim_get_be16(p + JITSIM_ETH_HDR_LEN - 2),
				     JITSIM_ETH_HDR_LEN, out);
}

/**
 * Encoder: prepend an Ethernet II header, with one 802.1Q tag per entry of
 * @p vlans (outermost first; @p n_vlans 0..JITSIM_LINK_MAX_VLANS; the outer
 * tag of two or more uses TPID 0x88a8), to the current wbuf content.
 * Tags carry the VLAN id only (PCP and DEI 0).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (NULL address,
 *   @p n_vlans > JITSIM_LINK_MAX_VLANS, NULL @p vlans with tags, an id > 4095).
 */
enum jitsim_reason jitsim_eth_encode(struct jitsim_wbuf *w, const uint8_t dst[6],
				     const uint8_t src[6], const uint16_t *vlans,
				     unsigned int n_vlans, uint16_t ethertype);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_link_dump(const struct jitsim_link *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_LINK_H */
