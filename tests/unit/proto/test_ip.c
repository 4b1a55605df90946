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

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

static enum jitsim_reason
ip_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_ip_decode(p, len, ctx);
}

/* Exact-size copy for ASan, then the caller's buffer so pointers stay valid. */
static enum jitsim_reason
decode_exact(const uint8_t *p, size_t len, struct jitsim_ip *out)
{
	struct jitsim_ip tmp;
	enum jitsim_reason r = test_decode_exact(p, len, ip_fn, &tmp);

	assert_int_equal(jitsim_ip_decode(p, len, out), r);
	return r;
}

static void
assert_addr(const uint8_t *a, const char *hex)
{
	uint8_t want[16];
	size_t n = test_hex(hex, want, sizeof(want));

	assert_memory_equal(a, want, n);
}

/* ---- IPv4 from the captures ---------------------------------------------- */

/*
 * map_pcapr_lu_ul.pcap frame 1 (Ethernet, IP at 14), tshark: version 4,
 * header 20 bytes, total length 176, id 0x0173, DF, TTL 64, SCTP (132),
 * checksum 0xfb0b (good), 10.144.20.21 -> 10.144.20.23.
 */
static void
test_ipv4_lu_ul(void **state)
{
	struct jitsim_ip ip;
	uint8_t *f;
	size_t len;

	(void)state;
	f = test_pcap_frame("map_pcapr_lu_ul.pcap", 1, &len, NULL);
	assert_int_equal(decode_exact(f + 14, len - 14, &ip), JITSIM_R_OK);
	assert_int_equal(ip.version, 4);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_int_equal(ip.ttl, 64);
	assert_false(ip.fragment);
	assert_true(ip.first_fragment);
	assert_addr(ip.src, "0a901415");
	assert_addr(ip.dst, "0a901417");
	assert_ptr_equal(ip.payload, f + 34);
	assert_int_equal(ip.payload_len, 156);
	/* The header checksum tshark validates also sums to 0 here. */
	assert_int_equal(jitsim_ip_csum_fold(jitsim_ip_csum_partial(f + 14, 20, 0)), 0);
	test_truncations(f + 14, len - 14, ip_fn, &ip, NULL);
	free(f);
}

/*
 * map_pcapr_m2pa_sms.pcap frame 8: total length 80, TTL 255, no flags, and a
 * 4-byte Ethernet FCS after the packet: payload is bounded by the total
 * length (60 bytes), not by the 84 bytes handed in.
 */
static void
test_ipv4_trailer_ignored(void **state)
{
	struct jitsim_ip ip;
	uint8_t *f;
	size_t len;

	(void)state;
	f = test_pcap_frame("map_pcapr_m2pa_sms.pcap", 8, &len, NULL);
	assert_int_equal(len - 14, 84);
	assert_int_equal(decode_exact(f + 14, len - 14, &ip), JITSIM_R_OK);
	assert_int_equal(ip.ttl, 255);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_addr(ip.src, "55c3c014"); /* 85.195.192.20 */
	assert_addr(ip.dst, "55c3c00f"); /* 85.195.192.15 */
	assert_int_equal(ip.payload_len, 60);
	free(f);
}

/*
 * diam_open5gs_ims_cx_rx_gx.pcapng frames 32/33 (SLL, IP at 16), tshark:
 * id 0xb73d, first fragment MF=1 offset 0 total 1444, then MF=0 offset 178
 * (1424 bytes) total 76; SCTP (S1AP) split in two, TTL 63.
 */
static void
test_ipv4_fragments_capture(void **state)
{
	struct jitsim_ip ip;
	uint8_t *f;
	size_t len;

	(void)state;
	f = test_pcap_frame("diam_open5gs_ims_cx_rx_gx.pcapng", 32, &len, NULL);
	assert_int_equal(decode_exact(f + 16, len - 16, &ip), JITSIM_R_OK);
	assert_true(ip.fragment);
	assert_true(ip.first_fragment);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_int_equal(ip.ttl, 63);
	assert_int_equal(ip.payload_len, 1424);
	assert_addr(ip.src, "ac18002e"); /* 172.24.0.46 */
	free(f);

	f = test_pcap_frame("diam_open5gs_ims_cx_rx_gx.pcapng", 33, &len, NULL);
	assert_int_equal(decode_exact(f + 16, len - 16, &ip), JITSIM_R_OK);
	assert_true(ip.fragment);
	assert_false(ip.first_fragment);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_int_equal(ip.payload_len, 56);
	free(f);
}

/* IPv4 header with options (IHL 6: Router Alert, RFC 2113) and MF set. */
static void
test_ipv4_options_and_flags(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[64];
	size_t n;

	(void)state;
	n = test_hex("46000020 1234 2000 4084 0000 c0000201 c0000202 94040000 "
		     "aabbccdd eeff0011",
		     p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_ptr_equal(ip.payload, p + 24);
	assert_int_equal(ip.payload_len, 8);
	assert_int_equal(ip.payload[0], 0xaa);
	assert_true(ip.fragment);
	assert_true(ip.first_fragment);
	test_truncations(p, n, ip_fn, &ip, NULL);

	/* DF alone is not a fragment; offset 185 without MF is a last one. */
	p[6] = 0x40;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_false(ip.fragment);
	p[6] = 0x00;
	p[7] = 185;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_true(ip.fragment);
	assert_false(ip.first_fragment);
}

static void
test_ipv4_errors(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[64];
	size_t n;

	(void)state;
	n = test_hex("45000018 0000 4000 4006 0000 01020304 05060708 00000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_int_equal(ip.payload_len, 4);

	p[0] = 0x44; /* IHL 4 < 5 */
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	p[0] = 0x45;
	p[3] = 19; /* total length < header */
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	p[0] = 0x47; /* IHL 28 > total 24 */
	p[3] = 24;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	p[0] = 0x45;
	p[3] = 25; /* total length past the data */
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_TRUNCATED);
	p[3] = 24;
	assert_int_equal(decode_exact(p, 19, &ip), JITSIM_R_TRUNCATED);
	assert_int_equal(decode_exact(p, 0, &ip), JITSIM_R_TRUNCATED);

	for (unsigned int v = 0; v < 16; v++) {
		if (v == 4 || v == 6)
			continue;
		p[0] = (uint8_t)(v << 4 | 5);
		assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_VERSION);
	}
}

/* ---- IPv6 ----------------------------------------------------------------- */

/*
 * s6a_open5gs_testattach.pcapng frame 85 carries, inside GTP-U at offset
 * 52, tshark: IPv6 flow label 0x20185, payload length 8, next header
 * ICMPv6 (58), hop limit 64, cafe::1 -> cafe::2 (the only IPv6 in the set).
 */
static void
test_ipv6_capture(void **state)
{
	struct jitsim_ip ip;
	uint8_t *f;
	size_t len;

	(void)state;
	f = test_pcap_frame("s6a_open5gs_testattach.pcapng", 85, &len, NULL);
	assert_int_equal(len, 100);
	assert_int_equal(decode_exact(f + 52, len - 52, &ip), JITSIM_R_OK);
	assert_int_equal(ip.version, 6);
	assert_int_equal(ip.proto, 58);
	assert_int_equal(ip.ttl, 64);
	assert_false(ip.fragment);
	assert_true(ip.first_fragment);
	assert_addr(ip.src, "cafe0000000000000000000000000001");
	assert_addr(ip.dst, "cafe0000000000000000000000000002");
	assert_ptr_equal(ip.payload, f + 92);
	assert_int_equal(ip.payload_len, 8);
	assert_int_equal(ip.payload[0], 129); /* echo reply */
	test_truncations(f + 52, len - 52, ip_fn, &ip, NULL);
	free(f);
}

#define V6_ADDRS "20010db8000000000000000000000001 20010db8000000000000000000000002"

/*
 * Hop-by-hop (PadN) -> Routing (type 4, 8 bytes) -> Fragment (offset 0, M)
 * -> Destination options (16 bytes) -> AH (24 bytes) -> SCTP: every header
 * kind the decoder skips, each with the length rule of its RFC.
 */
static void
test_ipv6_ext_chain(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[160];
	size_t n;

	(void)state;
	n = test_hex("60000000 004c 00 40 " V6_ADDRS
		     /* hop-by-hop: nh 43, len 0, PadN(4) */
		     "2b00 0104 00000000"
		     /* routing: nh 44, len 0, type 4, segments left 0 */
		     "2c00 0400 00000000"
		     /* fragment: nh 60, offset 0, M=1, id 0x11223344 */
		     "3c00 0001 11223344"
		     /* destination options: nh 51, len 1 (16 bytes), PadN(12) */
		     "3301 010c 000000000000000000000000"
		     /* AH: nh 132, payload len 4 => (4+2)*4 = 24 bytes */
		     "8404 0000 00000100 00000001 000000000000000000000000"
		     /* SCTP common header (12) */
		     "0b590b59 00000000 00000000",
		     p, sizeof(p));
	assert_int_equal(n, 40 + 76);
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_true(ip.fragment);
	assert_true(ip.first_fragment);
	assert_ptr_equal(ip.payload, p + 40 + 64);
	assert_int_equal(ip.payload_len, 12);
	assert_int_equal(ip.ttl, 0x40);
	test_truncations(p, n, ip_fn, &ip, NULL);

	/* Atomic fragment (RFC 6946: offset 0, M=0) is not a fragment. */
	p[40 + 16 + 3] = 0x00;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_false(ip.fragment);
	assert_true(ip.first_fragment);
}

/* A later fragment: the chain stops at the fragment header (RFC 8200 4.5). */
static void
test_ipv6_later_fragment(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[96];
	size_t n;

	(void)state;
	/* offset 185 (x8), M=0: next header SCTP but this is fragment data. */
	n = test_hex("60000000 0010 2c 40 " V6_ADDRS "8400 05c8 11223344 0102030405060708", p,
		     sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_true(ip.fragment);
	assert_false(ip.first_fragment);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_ptr_equal(ip.payload, p + 48);
	assert_int_equal(ip.payload_len, 8);

	/* Even if the fragment data looks like another extension header. */
	p[40] = 60;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_int_equal(ip.proto, 60);
	assert_false(ip.first_fragment);
}

/* Chain of @p k destination-options headers, then TCP with no payload. */
static size_t
v6_dstopts_chain(uint8_t *p, size_t cap, unsigned int k)
{
	char hex[1024];
	size_t o;

	o = (size_t)snprintf(hex, sizeof(hex), "60000000 %04x %02x 40 " V6_ADDRS, k * 8,
			     k ? 60 : 6);
	for (unsigned int i = 0; i < k; i++)
		o += (size_t)snprintf(hex + o, sizeof(hex) - o, " %02x00 0104 00000000",
				      i + 1 < k ? 60 : 6);
	return test_hex(hex, p, cap);
}

static void
test_ipv6_ext_limit(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[256];
	size_t n;

	(void)state;
	n = v6_dstopts_chain(p, sizeof(p), JITSIM_IP6_MAX_EXT);
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_TCP);
	assert_int_equal(ip.payload_len, 0);
	assert_ptr_equal(ip.payload, p + n);

	n = v6_dstopts_chain(p, sizeof(p), JITSIM_IP6_MAX_EXT + 1);
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_EXT_TOO_MANY);
}

static void
test_ipv6_errors(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[96];
	size_t n;

	(void)state;
	/* Extension header longer than the payload length says. */
	n = test_hex("60000000 0008 00 40 " V6_ADDRS "0601 0104 00000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	/* Fewer than 8 bytes left for an extension header. */
	n = test_hex("60000000 0004 2c 40 " V6_ADDRS "06000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	/* AH whose length runs past the payload. */
	n = test_hex("60000000 0008 33 40 " V6_ADDRS "0601 0000 00000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_IP_BAD_HEADER);
	/* Payload length past the data; fixed header cut. */
	n = test_hex("60000000 0009 06 40 " V6_ADDRS "0000000000000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_TRUNCATED);
	assert_int_equal(decode_exact(p, 39, &ip), JITSIM_R_TRUNCATED);
	/* Trailing bytes beyond the payload length are ignored. */
	p[5] = 4;
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	assert_int_equal(ip.payload_len, 4);
}

/* ---- encoders -------------------------------------------------------------- */

static const uint8_t v4_src[4] = {10, 0, 0, 1};
static const uint8_t v4_dst[4] = {10, 0, 0, 2};
static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

/* Independent RFC 1071 check: a header with its checksum sums to 0xffff. */
static uint16_t
ref_sum(const uint8_t *p, size_t n)
{
	uint32_t s = 0;

	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return (uint16_t)s;
}

static void
test_ipv4_encode_roundtrip(void **state)
{
	struct jitsim_wbuf w;
	struct jitsim_ip ip;
	uint8_t buf[128], want[32];

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
	assert_int_equal(jitsim_wbuf_put(&w, "hello", 5), 0);
	assert_int_equal(jitsim_ipv4_encode(&w, v4_src, v4_dst, JITSIM_IPPROTO_SCTP, 0x1234),
			 JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), 25);
	/* By hand: 4500+0019+1234+4000+4084+0a00+0001+0a00+0002 = 0xebd4, ~ = 0x142b. */
	test_hex("4500 0019 1234 4000 4084 142b 0a000001 0a000002", want, sizeof(want));
	assert_memory_equal(jitsim_wbuf_data(&w), want, 20);
	assert_int_equal(ref_sum(jitsim_wbuf_data(&w), 20), 0xffff);

	assert_int_equal(decode_exact(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ip), JITSIM_R_OK);
	assert_int_equal(ip.version, 4);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	assert_int_equal(ip.ttl, 64);
	assert_false(ip.fragment);
	assert_memory_equal(ip.src, v4_src, 4);
	assert_memory_equal(ip.dst, v4_dst, 4);
	assert_int_equal(ip.payload_len, 5);
	assert_memory_equal(ip.payload, "hello", 5);
}

static void
test_ipv6_encode_roundtrip(void **state)
{
	struct jitsim_wbuf w;
	struct jitsim_ip ip;
	uint8_t buf[128];

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
	assert_int_equal(jitsim_wbuf_put(&w, "hello", 5), 0);
	assert_int_equal(jitsim_ipv6_encode(&w, v6_src, v6_dst, JITSIM_IPPROTO_TCP), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), 45);
	assert_memory_equal(jitsim_wbuf_data(&w), "\x60\x00\x00\x00\x00\x05\x06\x40", 8);
	assert_int_equal(decode_exact(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ip), JITSIM_R_OK);
	assert_int_equal(ip.version, 6);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_TCP);
	assert_int_equal(ip.ttl, 64);
	assert_memory_equal(ip.src, v6_src, 16);
	assert_memory_equal(ip.dst, v6_dst, 16);
	assert_int_equal(ip.payload_len, 5);
	assert_memory_equal(ip.payload, "hello", 5);
}

static void
test_ip_encode_nospace(void **state)
{
	(void)state;
	for (int v6 = 0; v6 <= 1; v6++) {
		size_t need = v6 ? 40 : 20;

		for (size_t head = 0; head <= need; head++) {
			uint8_t buf[64];
			struct jitsim_wbuf w;
			enum jitsim_reason r;

			jitsim_wbuf_init(&w, buf, head + 3, head);
			assert_int_equal(jitsim_wbuf_put(&w, "abc", 3), 0);
			r = v6 ? jitsim_ipv6_encode(&w, v6_src, v6_dst, 132)
			       : jitsim_ipv4_encode(&w, v4_src, v4_dst, 132, 1);
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
test_ip_encode_bad_length(void **state)
{
	const size_t cap = 70000;
	uint8_t *buf = calloc(1, cap);
	struct jitsim_wbuf w;
	struct jitsim_ip ip;

	(void)state;
	assert_non_null(buf);
	/* IPv4: header + payload must fit the 16-bit total length. */
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65535 - 20 + 1));
	assert_int_equal(jitsim_ipv4_encode(&w, v4_src, v4_dst, 6, 0), JITSIM_R_BAD_LENGTH);
	assert_int_equal(jitsim_wbuf_len(&w), 65516);
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65535 - 20));
	assert_int_equal(jitsim_ipv4_encode(&w, v4_src, v4_dst, 6, 0), JITSIM_R_OK);
	assert_int_equal(jitsim_ip_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ip),
			 JITSIM_R_OK);
	assert_int_equal(ip.payload_len, 65515);

	/* IPv6: the payload alone must fit the 16-bit payload length. */
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65536));
	assert_int_equal(jitsim_ipv6_encode(&w, v6_src, v6_dst, 6), JITSIM_R_BAD_LENGTH);
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_non_null(jitsim_wbuf_append(&w, 65535));
	assert_int_equal(jitsim_ipv6_encode(&w, v6_src, v6_dst, 6), JITSIM_R_OK);
	assert_int_equal(jitsim_ip_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &ip),
			 JITSIM_R_OK);
	assert_int_equal(ip.payload_len, 65535);
	free(buf);
}

static void
test_csum_odd_and_blocks(void **state)
{
	static const uint8_t d[] = {0x01, 0x02, 0x03, 0x04, 0x05};
	uint32_t s;

	(void)state;
	/* 0x0102 + 0x0304 + 0x0500 = 0x0906 -> ~ = 0xf6f9 */
	assert_int_equal(jitsim_ip_csum_fold(jitsim_ip_csum_partial(d, 5, 0)), 0xf6f9);
	s = jitsim_ip_csum_partial(d, 2, 0);
	s = jitsim_ip_csum_partial(d + 2, 3, s);
	assert_int_equal(jitsim_ip_csum_fold(s), 0xf6f9);
	assert_int_equal(jitsim_ip_csum_fold(jitsim_ip_csum_partial(d, 0, 0)), 0xffff);
}

/* ---- dump ---------------------------------------------------------------- */

static void
test_dump(void **state)
{
	struct jitsim_ip ip;
	uint8_t p[96];
	char buf[160];
	size_t n;
	int w;

	(void)state;
	n = test_hex("45000018 0000 2000 4006 0000 01020304 05060708 00000000", p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	w = jitsim_ip_dump(&ip, buf, sizeof(buf));
	assert_string_equal(buf, "v=4 src=1.2.3.4 dst=5.6.7.8 proto=6 ttl=64 frag=1 first=1 len=4");
	assert_int_equal(w, (int)strlen(buf));
	assert_int_equal(jitsim_ip_dump(&ip, NULL, 0), w);

	n = test_hex("60000000 0000 3b 01 " V6_ADDRS, p, sizeof(p));
	assert_int_equal(decode_exact(p, n, &ip), JITSIM_R_OK);
	jitsim_ip_dump(&ip, buf, sizeof(buf));
	assert_string_equal(buf, "v=6 src=2001:db8::1 dst=2001:db8::2 proto=59 ttl=1 frag=0 "
				 "first=1 len=0");
}

/* ---- every IP packet of every capture -------------------------------------- */

struct sweep_expect {
	const char *file;
	unsigned int ip, sctp, tcp, frag, later_frag;
};

/*
 * tshark -Y ip -T fields -e ip.proto -e ip.flags.mf -e ip.frag_offset, outer
 * header only: packets, proto 132, proto 6, fragments, non-first fragments.
 */
static const struct sweep_expect sweep[] = {
	{"diam_diafuzzer_cx.pcap", 14, 0, 14, 0, 0},
	{"diam_diafuzzer_s6a_cer_dwr.pcap", 26, 26, 0, 0, 0},
	{"diam_ndpi_gy_tcp.pcap", 6, 0, 6, 0, 0},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 15, 8, 0, 0, 0},
	{"map_pcapr_lu_ul.pcap", 8, 8, 0, 0, 0},
	{"map_pcapr_m2pa_sms.pcap", 51, 51, 0, 0, 0},
	{"map_pcapr_srism_single.pcap", 1, 1, 0, 0, 0},
	{"map_pcapr_test_ul_sendid_ati.pcap", 146, 146, 0, 0, 0},
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 19, 19, 0, 0, 0},
	{"map_wswiki_cap_mtp3.pcap", 0, 0, 0, 0, 0},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 22, 22, 0, 0, 0},
	{"map_wswiki_ussd.pcap", 1, 1, 0, 0, 0},
	{"s6a_diafuzzer_air.pcap", 2, 2, 0, 0, 0},
	{"diam_open5gs_ims_cx_rx_gx.pcapng", 873, 47, 595, 8, 4},
	{"s6a_magma_gxgy03.pcapng", 283, 226, 0, 30, 15},
	{"s6a_magma_gxgy05.pcapng", 150, 135, 0, 10, 5},
	{"s6a_magma_gxgy06.pcapng", 139, 124, 0, 10, 5},
	{"s6a_magma_inbound_roaming01.pcapng", 230, 182, 0, 0, 0},
	{"s6a_magma_inbound_roaming05.pcapng", 247, 201, 0, 0, 0},
	{"s6a_magma_nsa_tcp.pcapng", 70, 41, 21, 0, 0},
	{"s6a_open5gs_srsenb.pcapng", 1928, 32, 2, 0, 0},
	{"s6a_open5gs_testattach.pcapng", 565, 307, 0, 0, 0},
};

struct sweep_count {
	unsigned int ip, sctp, tcp, frag, later_frag, bad;
};

static void
sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct sweep_count *c = ctx;
	struct jitsim_link l;
	struct jitsim_ip ip;

	(void)no;
	if (jitsim_link_decode((uint32_t)dlt, p, len, &l) != JITSIM_R_OK ||
	    l.next == JITSIM_LINK_NEXT_MTP3)
		return;
	if (jitsim_ip_decode(l.payload, l.payload_len, &ip) != JITSIM_R_OK) {
		c->bad++;
		return;
	}
	c->ip++;
	c->sctp += ip.proto == JITSIM_IPPROTO_SCTP;
	c->tcp += ip.proto == JITSIM_IPPROTO_TCP;
	c->frag += ip.fragment;
	c->later_frag += !ip.first_fragment;
	assert_true(ip.payload + ip.payload_len <= l.payload + l.payload_len);
}

static void
test_all_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		struct sweep_count c = {0};

		test_capture_foreach(sweep[i].file, sweep_cb, &c);
		assert_int_equal(c.bad, 0);
		assert_int_equal(c.ip, sweep[i].ip);
		assert_int_equal(c.sctp, sweep[i].sctp);
		assert_int_equal(c.tcp, sweep[i].tcp);
		assert_int_equal(c.frag, sweep[i].frag);
		assert_int_equal(c.later_frag, sweep[i].later_frag);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_ipv4_lu_ul),
		cmocka_unit_test(test_ipv4_trailer_ignored),
		cmocka_unit_test(test_ipv4_fragments_capture),
		cmocka_unit_test(test_ipv4_options_and_flags),
		cmocka_unit_test(test_ipv4_errors),
		cmocka_unit_test(test_ipv6_capture),
		cmocka_unit_test(test_ipv6_ext_chain),
		cmocka_unit_test(test_ipv6_later_fragment),
		cmocka_unit_test(test_ipv6_ext_limit),
		cmocka_unit_test(test_ipv6_errors),
		cmocka_unit_test(test_ipv4_encode_roundtrip),
		cmocka_unit_test(test_ipv6_encode_roundtrip),
		cmocka_unit_test(test_ip_encode_nospace),
		cmocka_unit_test(test_ip_encode_bad_length),
		cmocka_unit_test(test_csum_odd_and_blocks),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_all_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
