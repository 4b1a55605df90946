/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/link.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

struct link_ctx {
	uint32_t dlt;
	size_t hdr_len; /* prefixes at least this long legitimately decode */
	struct jitsim_link out;
};

static enum jitsim_reason
link_fn(const uint8_t *p, size_t len, void *ctx)
{
	struct link_ctx *c = ctx;

	return jitsim_link_decode(c->dlt, p, len, &c->out);
}

static bool
link_allow_ok(size_t prefix_len, void *ctx)
{
	const struct link_ctx *c = ctx;

	return prefix_len >= c->hdr_len;
}

/*
 * Decode an exact-size heap copy (ASan sees any overread), then decode the
 * caller's buffer again so the pointers in @p out stay valid.
 */
static enum jitsim_reason
decode_exact(uint32_t dlt, const uint8_t *p, size_t len, struct jitsim_link *out)
{
	struct link_ctx c = {.dlt = dlt};
	enum jitsim_reason r = test_decode_exact(p, len, link_fn, &c);

	assert_int_equal(jitsim_link_decode(dlt, p, len, out), r);
	return r;
}

/* ---- Ethernet from the captures ------------------------------------------ */

/*
 * map_pcapr_lu_ul.pcap frame 1, tshark: Ethernet II, Src 00:14:4f:43:59:28,
 * Dst 00:00:5e:00:01:0d, Type IPv4 (0x0800); 190 bytes, IP total length 176.
 */
static void
test_eth_lu_ul(void **state)
{
	struct link_ctx c = {.dlt = JITSIM_DLT_EN10MB, .hdr_len = 14};
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("map_pcapr_lu_ul.pcap", 1, &len, &dlt);
	assert_int_equal(dlt, JITSIM_DLT_EN10MB);
	assert_int_equal(len, 190);
	assert_int_equal(jitsim_link_decode(dlt, f, len, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
	assert_int_equal(l.ethertype, 0x0800);
	assert_int_equal(l.n_vlans, 0);
	assert_ptr_equal(l.payload, f + 14);
	assert_int_equal(l.payload_len, 176);
	assert_int_equal(l.payload[0], 0x45);
	test_truncations(f, len, link_fn, &c, link_allow_ok);
	free(f);
}

/*
 * map_pcapr_m2pa_sms.pcap frame 8: Ethernet with a trailing FCS
 * (tshark: "Frame check sequence: 0xf2fe775f"): the link payload keeps it
 * (98 - 14 = 84 bytes); the IP total length (80) bounds it later.
 */
static void
test_eth_with_fcs(void **state)
{
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("map_pcapr_m2pa_sms.pcap", 8, &len, &dlt);
	assert_int_equal(len, 98);
	assert_int_equal(decode_exact(dlt, f, len, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
	assert_int_equal(l.payload_len, 84);
	assert_memory_equal(l.payload + l.payload_len - 4, "\xf2\xfe\x77\x5f", 4);
	free(f);
}

/* map_pcapr_test_ul_sendid_ati.pcap frame 3 is ARP (tshark: eth:ethertype:arp). */
static void
test_eth_arp(void **state)
{
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("map_pcapr_test_ul_sendid_ati.pcap", 3, &len, &dlt);
	assert_int_equal(decode_exact(dlt, f, len, &l), JITSIM_R_LINK_NOT_IP);
	assert_int_equal(l.ethertype, 0x0806);
	free(f);
}

static void
test_eth_llc_not_ip(void **state)
{
	/* IEEE 802.3 length field (< 0x600) followed by LLC (STP BPDU). */
	uint8_t f[64];
	size_t n = test_hex("0180c2000000 001122334455 0026 424203 0000", f, sizeof(f));
	struct jitsim_link l;

	(void)state;
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_LINK_NOT_IP);
	assert_int_equal(l.ethertype, 0x0026);
}

/* ---- VLAN tags ------------------------------------------------------------ */

/* Ethernet addresses, then the tags/type given, then an IPv4 header byte. */
static size_t
vlan_frame(uint8_t *f, size_t cap, const char *tags_and_type)
{
	char hex[256];

	snprintf(hex, sizeof(hex), "000000000002 000000000001 %s 45000014", tags_and_type);
	return test_hex(hex, f, cap);
}

static void
test_vlan_one(void **state)
{
	struct link_ctx c = {.dlt = JITSIM_DLT_EN10MB, .hdr_len = 18};
	struct jitsim_link l;
	uint8_t f[64];
	/* PCP 5, DEI 0, VID 100: TCI 0xa064; the VID alone is reported. */
	size_t n = vlan_frame(f, sizeof(f), "8100 a064 0800");

	(void)state;
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_OK);
	assert_int_equal(l.n_vlans, 1);
	assert_int_equal(l.vlan[0], 100);
	assert_int_equal(l.ethertype, 0x0800);
	assert_int_equal(l.payload - f, 18);
	assert_int_equal(l.payload_len, 4);
	assert_int_equal(l.payload[0], 0x45);
	test_truncations(f, n, link_fn, &c, link_allow_ok);
}

static void
test_vlan_qinq(void **state)
{
	static const char *const tpids[] = {"88a8", "9100", "8100"};
	struct jitsim_link l;
	uint8_t f[64];

	(void)state;
	for (size_t i = 0; i < 3; i++) {
		char tags[64];
		size_t n;

		/* S-tag VID 10 (any of the three TPIDs), C-tag VID 4095, IPv6. */
		snprintf(tags, sizeof(tags), "%s 000a 8100 0fff 86dd", tpids[i]);
		n = vlan_frame(f, sizeof(f), tags);
		assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_OK);
		assert_int_equal(l.n_vlans, 2);
		assert_int_equal(l.vlan[0], 10);
		assert_int_equal(l.vlan[1], 4095);
		assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV6);
		assert_int_equal(l.ethertype, 0x86dd);
		assert_int_equal(l.payload_len, 4);
	}
}

static void
test_vlan_three_and_too_deep(void **state)
{
	struct jitsim_link l;
	uint8_t f[64];
	size_t n;

	(void)state;
	n = vlan_frame(f, sizeof(f), "88a8 0001 8100 0002 8100 0003 0800");
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_OK);
	assert_int_equal(l.n_vlans, 3);
	assert_int_equal(l.vlan[2], 3);

	n = vlan_frame(f, sizeof(f), "88a8 0001 8100 0002 8100 0003 8100 0004 0800");
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_VLAN_TOO_DEEP);
}

static void
test_vlan_then_not_ip(void **state)
{
	struct jitsim_link l;
	uint8_t f[64];
	size_t n = vlan_frame(f, sizeof(f), "8100 0064 0806");

	(void)state;
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_LINK_NOT_IP);
	assert_int_equal(l.n_vlans, 1);
}

/* ---- Linux cooked captures ---------------------------------------------- */

/*
 * s6a_open5gs_testattach.pcapng frame 15, tshark: Linux cooked capture v1,
 * Packet type 0 (to us), ARPHRD 772 (loopback), address length 6,
 * Protocol IPv4 (0x0800); IP total length 124.
 */
static void
test_sll_open5gs(void **state)
{
	struct link_ctx c = {.dlt = JITSIM_DLT_LINUX_SLL, .hdr_len = 16};
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("s6a_open5gs_testattach.pcapng", 15, &len, &dlt);
	assert_int_equal(dlt, JITSIM_DLT_LINUX_SLL);
	assert_int_equal(len, 140);
	assert_int_equal(jitsim_link_decode(dlt, f, len, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
	assert_int_equal(l.ethertype, 0x0800);
	assert_ptr_equal(l.payload, f + 16);
	assert_int_equal(l.payload_len, 124);
	test_truncations(f, len, link_fn, &c, link_allow_ok);
	free(f);
}

/*
 * s6a_magma_nsa_tcp.pcapng frame 8: SLL v1 with ARPHRD 1 (Ethernet),
 * source 02:42:c0:a8:3d:82, protocol IPv4.
 */
static void
test_sll_magma_tcp(void **state)
{
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("s6a_magma_nsa_tcp.pcapng", 8, &len, &dlt);
	assert_int_equal(dlt, JITSIM_DLT_LINUX_SLL);
	assert_int_equal(decode_exact(dlt, f, len, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
	assert_int_equal(l.payload_len, len - 16);
	assert_int_equal(l.payload_len, 144);
	free(f);
}

static void
test_sll_vlan_and_arp(void **state)
{
	struct jitsim_link l;
	uint8_t f[64];
	size_t n;

	(void)state;
	/* libpcap re-inserts an offloaded tag after the SLL header. */
	n = test_hex("0000 0001 0006 024200000001 0000 8100 0007 0800 45", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL, f, n, &l), JITSIM_R_OK);
	assert_int_equal(l.n_vlans, 1);
	assert_int_equal(l.vlan[0], 7);
	assert_int_equal(l.payload_len, 1);
	assert_int_equal(l.payload[0], 0x45);

	n = test_hex("0000 0001 0006 024200000001 0000 0806 0001", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL, f, n, &l), JITSIM_R_LINK_NOT_IP);
}

/*
 * SLL2 (no capture has one): protocol(2) reserved(2) ifindex(4) ARPHRD(2)
 * packet type(1) address length(1) address(8), payload at 20.
 */
static void
test_sll2(void **state)
{
	struct link_ctx c = {.dlt = JITSIM_DLT_LINUX_SLL2, .hdr_len = 20};
	struct jitsim_link l;
	uint8_t f[64];
	size_t n;

	(void)state;
	n = test_hex("86dd 0000 00000002 0001 00 06 024200000001 0000 6000000000003b40", f,
		     sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL2, f, n, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV6);
	assert_int_equal(l.ethertype, 0x86dd);
	assert_ptr_equal(l.payload - f, 20);
	assert_int_equal(l.payload_len, 8);
	test_truncations(f, n, link_fn, &c, link_allow_ok);

	/* A tag announced by the protocol field sits at offset 20. */
	n = test_hex("8100 0000 00000002 0001 00 06 024200000001 0000 0123 0800 45", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL2, f, n, &l), JITSIM_R_OK);
	assert_int_equal(l.n_vlans, 1);
	assert_int_equal(l.vlan[0], 0x123);
	assert_int_equal(l.ethertype, 0x0800);
	assert_int_equal(l.payload - f, 24);
	assert_int_equal(l.payload_len, 1);
	c.hdr_len = 24;
	test_truncations(f, n, link_fn, &c, link_allow_ok);

	n = test_hex("0806 0000 00000002 0001 00 06 024200000001 0000 00", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL2, f, n, &l), JITSIM_R_LINK_NOT_IP);
}

/* ---- raw IP and MTP3 ----------------------------------------------------- */

static void
test_raw_ip(void **state)
{
	static const uint32_t any[] = {JITSIM_DLT_RAW, JITSIM_DLT_RAW_12};
	struct jitsim_link l;
	uint8_t v4[20], v6[40], v5[20];

	(void)state;
	memset(v4, 0, sizeof(v4));
	memset(v6, 0, sizeof(v6));
	memset(v5, 0, sizeof(v5));
	v4[0] = 0x45;
	v6[0] = 0x60;
	v5[0] = 0x55;
	for (size_t i = 0; i < 2; i++) {
		assert_int_equal(decode_exact(any[i], v4, sizeof(v4), &l), JITSIM_R_OK);
		assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
		assert_int_equal(l.ethertype, JITSIM_ETHERTYPE_IPV4);
		assert_int_equal(l.payload_len, 20);
		assert_int_equal(decode_exact(any[i], v6, sizeof(v6), &l), JITSIM_R_OK);
		assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV6);
		assert_int_equal(l.payload_len, 40);
		assert_int_equal(decode_exact(any[i], v5, sizeof(v5), &l), JITSIM_R_IP_BAD_VERSION);
		assert_int_equal(decode_exact(any[i], v4, 0, &l), JITSIM_R_TRUNCATED);
	}
	assert_int_equal(decode_exact(JITSIM_DLT_IPV4, v4, sizeof(v4), &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV4);
	assert_int_equal(decode_exact(JITSIM_DLT_IPV4, v6, sizeof(v6), &l),
			 JITSIM_R_IP_BAD_VERSION);
	assert_int_equal(decode_exact(JITSIM_DLT_IPV6, v6, sizeof(v6), &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_IPV6);
	assert_int_equal(decode_exact(JITSIM_DLT_IPV6, v4, sizeof(v4), &l),
			 JITSIM_R_IP_BAD_VERSION);
	assert_int_equal(decode_exact(JITSIM_DLT_IPV6, v6, 0, &l), JITSIM_R_TRUNCATED);
}

/*
 * map_wswiki_cap_mtp3.pcap frame 1: link type SS7 MTP3 (DLT 141), the frame
 * starts at the SIO 0x83 (tshark: NI national, SI SCCP).
 */
static void
test_mtp3_dlt(void **state)
{
	struct jitsim_link l;
	uint8_t *f;
	size_t len;
	int dlt;

	(void)state;
	f = test_pcap_frame("map_wswiki_cap_mtp3.pcap", 1, &len, &dlt);
	assert_int_equal(dlt, JITSIM_DLT_MTP3);
	assert_int_equal(decode_exact(dlt, f, len, &l), JITSIM_R_OK);
	assert_int_equal(l.next, JITSIM_LINK_NEXT_MTP3);
	assert_int_equal(l.ethertype, 0);
	assert_ptr_equal(l.payload, f);
	assert_int_equal(l.payload_len, 40);
	assert_int_equal(l.payload[0], 0x83);
	assert_int_equal(decode_exact(dlt, f, 0, &l), JITSIM_R_TRUNCATED);
	free(f);
}

static void
test_unsupported_and_truncated(void **state)
{
	static const uint32_t dlts[] = {0, 105, 108, 127, 139, 140, 142, 0xffffffff};
	struct jitsim_link l;
	uint8_t f[64] = {0x45};
	size_t n;

	(void)state;
	for (size_t i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		assert_int_equal(decode_exact(dlts[i], f, sizeof(f), &l),
				 JITSIM_R_LINK_UNSUPPORTED);
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, 13, &l), JITSIM_R_TRUNCATED);
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL, f, 15, &l), JITSIM_R_TRUNCATED);
	assert_int_equal(decode_exact(JITSIM_DLT_LINUX_SLL2, f, 19, &l), JITSIM_R_TRUNCATED);
	/* A tag announced but cut short. */
	n = test_hex("000000000002 000000000001 8100 00", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_TRUNCATED);
}

/* ---- encoder ------------------------------------------------------------- */

static const uint8_t mac_dst[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x02};
static const uint8_t mac_src[6] = {0x02, 0x00, 0x00, 0x00, 0x00, 0x01};

static void
test_eth_encode_roundtrip(void **state)
{
	static const uint16_t vids[JITSIM_LINK_MAX_VLANS] = {10, 4095, 0};
	static const char *const expect[] = {
		"020000000002 020000000001 0800",
		"020000000002 020000000001 8100 000a 0800",
		"020000000002 020000000001 88a8 000a 8100 0fff 0800",
		"020000000002 020000000001 88a8 000a 8100 0fff 8100 0000 0800",
	};

	(void)state;
	for (unsigned int nv = 0; nv <= JITSIM_LINK_MAX_VLANS; nv++) {
		uint8_t buf[64], want[64];
		struct jitsim_wbuf w;
		struct jitsim_link l;
		size_t hlen = 14 + 4 * nv, wn;

		jitsim_wbuf_init(&w, buf, sizeof(buf), 32);
		assert_int_equal(jitsim_wbuf_put(&w, "\x45\x00\x00\x14", 4), 0);
		assert_int_equal(jitsim_eth_encode(&w, mac_dst, mac_src, vids, nv, 0x0800),
				 JITSIM_R_OK);
		assert_int_equal(jitsim_wbuf_len(&w), hlen + 4);
		wn = test_hex(expect[nv], want, sizeof(want));
		assert_int_equal(wn, hlen);
		assert_memory_equal(jitsim_wbuf_data(&w), want, hlen);

		assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, jitsim_wbuf_data(&w),
					      jitsim_wbuf_len(&w), &l),
				 JITSIM_R_OK);
		assert_int_equal(l.n_vlans, nv);
		for (unsigned int i = 0; i < nv; i++)
			assert_int_equal(l.vlan[i], vids[i]);
		assert_int_equal(l.ethertype, 0x0800);
		assert_int_equal(l.payload_len, 4);
	}
}

static void
test_eth_encode_nospace(void **state)
{
	static const uint16_t vids[2] = {1, 2};

	(void)state;
	for (unsigned int nv = 0; nv <= 2; nv++) {
		size_t need = 14 + 4 * nv;

		for (size_t head = 0; head <= need; head++) {
			uint8_t buf[64];
			struct jitsim_wbuf w;
			enum jitsim_reason r;

			jitsim_wbuf_init(&w, buf, head + 3, head);
			assert_int_equal(jitsim_wbuf_put(&w, "abc", 3), 0);
			r = jitsim_eth_encode(&w, mac_dst, mac_src, vids, nv, 0x86dd);
			if (head < need) {
				assert_int_equal(r, JITSIM_R_NOSPACE);
				assert_int_equal(jitsim_wbuf_len(&w), 3);
				assert_memory_equal(jitsim_wbuf_data(&w), "abc", 3);
			} else {
				assert_int_equal(r, JITSIM_R_OK);
				assert_int_equal(jitsim_wbuf_len(&w), need + 3);
			}
		}
	}
}

static void
test_eth_encode_bad_param(void **state)
{
	static const uint16_t vids[4] = {1, 2, 3, 4};
	static const uint16_t big[1] = {4096};
	uint8_t buf[64];
	struct jitsim_wbuf w;

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 40);
	assert_int_equal(jitsim_eth_encode(&w, mac_dst, mac_src, vids, 4, 0x0800),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_eth_encode(&w, mac_dst, mac_src, NULL, 1, 0x0800),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_eth_encode(&w, mac_dst, mac_src, big, 1, 0x0800),
			 JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_eth_encode(&w, NULL, mac_src, NULL, 0, 0x0800), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_eth_encode(&w, mac_dst, NULL, NULL, 0, 0x0800), JITSIM_R_BAD_PARAM);
	assert_int_equal(jitsim_wbuf_len(&w), 0);
	assert_int_equal(w.head, 40);
}

/* ---- dump ---------------------------------------------------------------- */

static void
test_dump(void **state)
{
	struct jitsim_link l;
	uint8_t f[64];
	char buf[128];
	size_t n = vlan_frame(f, sizeof(f), "88a8 000a 8100 0fff 0800");
	int w;

	(void)state;
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_OK);
	w = jitsim_link_dump(&l, buf, sizeof(buf));
	assert_string_equal(buf, "next=ipv4 vlans=10,4095 ethertype=0x0800 len=4");
	assert_int_equal(w, (int)strlen(buf));
	/* snprintf semantics: the wanted length even when cut. */
	assert_int_equal(jitsim_link_dump(&l, buf, 5), w);
	assert_string_equal(buf, "next");
	assert_int_equal(jitsim_link_dump(&l, NULL, 0), w);

	n = vlan_frame(f, sizeof(f), "86dd");
	assert_int_equal(decode_exact(JITSIM_DLT_EN10MB, f, n, &l), JITSIM_R_OK);
	jitsim_link_dump(&l, buf, sizeof(buf));
	assert_string_equal(buf, "next=ipv6 vlans=- ethertype=0x86dd len=4");
	memset(&l, 0, sizeof(l));
	jitsim_link_dump(&l, buf, sizeof(buf));
	assert_string_equal(buf, "next=none vlans=- ethertype=0x0000 len=0");

	n = test_hex("83e344", f, sizeof(f));
	assert_int_equal(decode_exact(JITSIM_DLT_MTP3, f, n, &l), JITSIM_R_OK);
	jitsim_link_dump(&l, buf, sizeof(buf));
	assert_string_equal(buf, "next=mtp3 vlans=- ethertype=0x0000 len=3");
}

/* ---- every frame of every capture ----------------------------------------- */

struct sweep_expect {
	const char *file;
	unsigned int frames, ipv4, mtp3, not_ip;
};

/* Counts from tshark -T fields -e frame.protocols (eth/sll:ethertype:ip|arp). */
static const struct sweep_expect sweep[] = {
	{"diam_diafuzzer_cx.pcap", 14, 14, 0, 0},
	{"diam_diafuzzer_s6a_cer_dwr.pcap", 30, 26, 0, 4},
	{"diam_ndpi_gy_tcp.pcap", 6, 6, 0, 0},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 15, 15, 0, 0},
	{"map_pcapr_lu_ul.pcap", 8, 8, 0, 0},
	{"map_pcapr_m2pa_sms.pcap", 51, 51, 0, 0},
	{"map_pcapr_srism_single.pcap", 1, 1, 0, 0},
	{"map_pcapr_test_ul_sendid_ati.pcap", 248, 146, 0, 102},
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 19, 19, 0, 0},
	{"map_wswiki_cap_mtp3.pcap", 58, 0, 58, 0},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 22, 22, 0, 0},
	{"map_wswiki_ussd.pcap", 1, 1, 0, 0},
	{"s6a_diafuzzer_air.pcap", 2, 2, 0, 0},
	{"diam_open5gs_ims_cx_rx_gx.pcapng", 873, 873, 0, 0},
	{"s6a_magma_gxgy03.pcapng", 291, 283, 0, 8},
	{"s6a_magma_gxgy05.pcapng", 152, 150, 0, 2},
	{"s6a_magma_gxgy06.pcapng", 143, 139, 0, 4},
	{"s6a_magma_inbound_roaming01.pcapng", 240, 230, 0, 10},
	{"s6a_magma_inbound_roaming05.pcapng", 257, 247, 0, 10},
	{"s6a_magma_nsa_tcp.pcapng", 70, 70, 0, 0},
	{"s6a_open5gs_srsenb.pcapng", 1928, 1928, 0, 0},
	{"s6a_open5gs_testattach.pcapng", 565, 565, 0, 0},
};

struct sweep_count {
	unsigned int ipv4, ipv6, mtp3, not_ip, other;
};

static void
sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct sweep_count *c = ctx;
	struct jitsim_link l;

	(void)no;
	switch (jitsim_link_decode((uint32_t)dlt, p, len, &l)) {
	case JITSIM_R_OK:
		if (l.next == JITSIM_LINK_NEXT_IPV4)
			c->ipv4++;
		else if (l.next == JITSIM_LINK_NEXT_IPV6)
			c->ipv6++;
		else
			c->mtp3++;
		assert_true(l.payload >= p && l.payload + l.payload_len == p + len);
		break;
	case JITSIM_R_LINK_NOT_IP:
		c->not_ip++;
		break;
	default:
		c->other++;
		break;
	}
}

static void
test_all_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		struct sweep_count c = {0};
		unsigned int n;

		n = test_capture_foreach(sweep[i].file, sweep_cb, &c);
		assert_int_equal(n, sweep[i].frames);
		assert_int_equal(c.ipv4, sweep[i].ipv4);
		assert_int_equal(c.ipv6, 0);
		assert_int_equal(c.mtp3, sweep[i].mtp3);
		assert_int_equal(c.not_ip, sweep[i].not_ip);
		assert_int_equal(c.other, 0);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_eth_lu_ul),
		cmocka_unit_test(test_eth_with_fcs),
		cmocka_unit_test(test_eth_arp),
		cmocka_unit_test(test_eth_llc_not_ip),
		cmocka_unit_test(test_vlan_one),
		cmocka_unit_test(test_vlan_qinq),
		cmocka_unit_test(test_vlan_three_and_too_deep),
		cmocka_unit_test(test_vlan_then_not_ip),
		cmocka_unit_test(test_sll_open5gs),
		cmocka_unit_test(test_sll_magma_tcp),
		cmocka_unit_test(test_sll_vlan_and_arp),
		cmocka_unit_test(test_sll2),
		cmocka_unit_test(test_raw_ip),
		cmocka_unit_test(test_mtp3_dlt),
		cmocka_unit_test(test_unsupported_and_truncated),
		cmocka_unit_test(test_eth_encode_roundtrip),
		cmocka_unit_test(test_eth_encode_nospace),
		cmocka_unit_test(test_eth_encode_bad_param),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_all_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
