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

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/** pcap link types (tcpdump.org/linktypes.html) understood by the decoder. */
enum jitsim_dlt {
	JITSIM_DLT_EN10MB = 1,     /**< Ethernet II */
	JITSIM_DLT_RAW = 101,      /**< raw IPv4/IPv6 (LINKTYPE_RAW) */
	JITSIM_DLT_RAW_12 = 12,    /**< raw IP on some BSDs/OpenBSD DLT 12 */
	JITSIM_DLT_IPV4 = 228,     /**< raw IPv4 */
	JITSIM_DLT_IPV6 = 229,     /**< raw IPv6 */
	JITSIM_DLT_LINUX_SLL = 113,
	JITSIM_DLT_MTP3 = 141,     /**< SS7 MTP3 MSU starting at the SIO */
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
	uint8_t next;            /**< enum jitsim_link_next */
	uint8_t n_vlans;         /**< VLAN tags seen (outermost first) */
	uint16_t vlan[JITSIM_LINK_MAX_VLANS]; /**< VLAN ids (12 bits) */
	uint16_t ethertype;      /**< protocol after the tags (0 for MTP3) */
	const uint8_t *payload;  /**< points into the frame */
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
