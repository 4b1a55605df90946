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
#include <jitsim/proto/tcp.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

/* The IP packet of frame @p no; *frame gets the buffer to free. */
static void
load_ip(const char *file, unsigned int no, struct jitsim_ip *ip, uint8_t **frame)
{
	struct {
		uint8_t *buf;
		size_t len;
		int dlt;
	} pk;
	struct jitsim_link l;
	pk.buf = test_pcap_frame(file, no, &pk.len, &pk.dlt);
	assert_int_equal(jitsim_link_decode((uint32_t)pk.dlt, pk.buf, pk.len, &l), JITSIM_R_OK);
	assert_int_equal(jitsim_ip_decode(l.payload, l.payload_len, ip), JITSIM_R_OK);
	assert_int_equal(ip->proto, JITSIM_IPPROTO_TCP);
	*frame = pk.buf;
}

static enum jitsim_reason
tcp_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_tcp_decode(p, len, ctx);
}

struct trunc_ctx {
	struct jitsim_tcp t;
	size_t hdr_len;
};

static enum jitsim_reason
trunc_fn(const uint8_t *p, size_t len, void *ctx)
{
	struct trunc_ctx *c = ctx;

	return jitsim_tcp_decode(p, len, &c->t);
}

static bool
trunc_allow_ok(size_t prefix_len, void *ctx)
{
	const struct trunc_ctx *c = ctx;

	return prefix_len >= c->hdr_len;
}

/* Independent RFC 1071 sum (not inverted) of several blocks. */
static uint32_t
ref_add(uint32_t s, const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i += 2)
		s += (uint32_t)(p[i] << 8 | (i + 1 < n ? p[i + 1] : 0));
	return s;
}

/* True when a TCP segment's checksum verifies with the IP pseudo-header. */
static bool
ref_tcp_csum_ok(const uint8_t *src, const uint8_t *dst, size_t alen, const uint8_t *seg, size_t n)
{
	uint32_t s = 0;

	s = ref_add(s, src, alen);
	s = ref_add(s, dst, alen);
	s += JITSIM_IPPROTO_TCP;
	s += (uint32_t)(n >> 16) + (uint32_t)(n & 0xffff);
	s = ref_add(s, seg, n);
	while (s >> 16)
		s = (s & 0xffff) + (s >> 16);
	return s == 0xffff;
}

/* ---- decoding real segments ------------------------------------------------ */

/*
 * s6a_magma_nsa_tcp.pcapng frame 8 (SLL), tshark: 3868 -> 35122, raw seq
 * 3196803873, raw ack 581699074, header 32 bytes (NOP, NOP, Timestamps),
 * flags 0x018 (PSH, ACK), 92 bytes of Diameter (DWR, version 1, length 92).
 */
static void
test_decode_with_options(void **state)
{
	struct trunc_ctx tc = {.hdr_len = 32};
	struct jitsim_tcp t;
	struct jitsim_ip ip;
	uint8_t *frame;

	(void)state;
	load_ip("s6a_magma_nsa_tcp.pcapng", 8, &ip, &frame);
	assert_int_equal(ip.payload_len, 124);
	assert_int_equal(test_decode_exact(ip.payload, ip.payload_len, tcp_fn, &t), JITSIM_R_OK);
	assert_int_equal(jitsim_tcp_decode(ip.payload, ip.payload_len, &t), JITSIM_R_OK);
	assert_int_equal(t.sport, 3868);
	assert_int_equal(t.dport, 35122);
	assert_int_equal(t.seq, 3196803873u);
	assert_int_equal(t.ack, 581699074);
	assert_int_equal(t.flags, 0x18);
	assert_ptr_equal(t.payload, ip.payload + 32);
	assert_int_equal(t.payload_len, 92);
	assert_memory_equal(t.payload, "\x01\x00\x00\x5c", 4);
	test_truncations(ip.payload, ip.payload_len, trunc_fn, &tc, trunc_allow_ok);
	free(frame);
}

/*
 * diam_ndpi_gy_tcp.pcap frame 2, tshark: 3868 -> 50957, raw seq 4173082512,
 * raw ack 4158782478, header 20 bytes, PSH|ACK, window 6432, checksum
 * 0x9421 [correct], 236 bytes of payload.
 */
static void
test_decode_no_options_and_csum(void **state)
{
	struct jitsim_tcp t;
	struct jitsim_ip ip;
	uint32_t sum;
	uint8_t *frame, ph[4];

	(void)state;
	load_ip("diam_ndpi_gy_tcp.pcap", 2, &ip, &frame);
	assert_int_equal(test_decode_exact(ip.payload, ip.payload_len, tcp_fn, &t), JITSIM_R_OK);
	assert_int_equal(jitsim_tcp_decode(ip.payload, ip.payload_len, &t), JITSIM_R_OK);
	assert_int_equal(t.sport, 3868);
	assert_int_equal(t.dport, 50957);
	assert_int_equal(t.seq, 4173082512u);
	assert_int_equal(t.ack, 4158782478u);
	assert_int_equal(t.flags, 0x18);
	assert_ptr_equal(t.payload, ip.payload + 20);
	assert_int_equal(t.payload_len, 236);
	assert_int_equal(jitsim_get_be16(ip.payload + 16), 0x9421);

	/* The library's checksum helpers verify tshark's "correct" segment. */
	assert_true(ref_tcp_csum_ok(ip.src, ip.dst, 4, ip.payload, ip.payload_len));
	sum = jitsim_ip_csum_partial(ip.src, 4, 0);
	sum = jitsim_ip_csum_partial(ip.dst, 4, sum);
	jitsim_put_be16(ph, JITSIM_IPPROTO_TCP);
	jitsim_put_be16(ph + 2, (uint16_t)ip.payload_len);
	sum = jitsim_ip_csum_partial(ph, 4, sum);
	sum = jitsim_ip_csum_partial(ip.payload, ip.payload_len, sum);
	assert_int_equal(jitsim_ip_csum_fold(sum), 0);
	free(frame);
}

/* s6a_magma_nsa_tcp.pcapng frame 10: a bare ACK (flags 0x010, no payload). */
static void
test_decode_bare_ack(void **state)
{
	struct jitsim_tcp t;
	struct jitsim_ip ip;
	uint8_t *frame;

	(void)state;
	load_ip("s6a_magma_nsa_tcp.pcapng", 10, &ip, &frame);
	assert_int_equal(jitsim_tcp_decode(ip.payload, ip.payload_len, &t), JITSIM_R_OK);
	assert_int_equal(t.flags, 0x10);
	assert_int_equal(t.payload_len, 0);
	assert_ptr_equal(t.payload, ip.payload + ip.payload_len);
	free(frame);
}

static void
test_decode_errors(void **state)
{
	struct jitsim_tcp t;
	uint8_t p[64];
	size_t n;

	(void)state;
	n = test_hex("0f1c1234 00000001 00000002 5018ffff 00000000 41", p, sizeof(p));
	assert_int_equal(test_decode_exact(p, n, tcp_fn, &t), JITSIM_R_OK);
	assert_int_equal(test_decode_exact(p, 19, tcp_fn, &t), JITSIM_R_TRUNCATED);
	assert_int_equal(test_decode_exact(p, 0, tcp_fn, &t), JITSIM_R_TRUNCATED);
	for (unsigned int doff = 0; doff < 5; doff++) {
		p[12] = (uint8_t)(doff << 4);
		assert_int_equal(test_decode_exact(p, n, tcp_fn, &t), JITSIM_R_TCP_BAD_HEADER);
	}
	/* Data offset 6 (24 bytes) in a 21-byte segment. */
	p[12] = 0x60;
	assert_int_equal(test_decode_exact(p, n, tcp_fn, &t), JITSIM_R_TCP_BAD_HEADER);
	/* Data offset 15 (60 bytes), all present: empty payload. */
	p[12] = 0xf0;
	memset(p + 20, 1, 40);
	assert_int_equal(jitsim_tcp_decode(p, 60, &t), JITSIM_R_OK);
	assert_int_equal(t.payload_len, 0);
	assert_int_equal(jitsim_tcp_decode(p, 59, &t), JITSIM_R_TCP_BAD_HEADER);
}

/* ---- encoder ---------------------------------------------------------------- */

static void
encode_roundtrip(size_t alen)
{
	static const uint8_t s4[4] = {192, 168, 61, 130}, d4[4] = {192, 168, 61, 149};
	static const uint8_t s6[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 0x0a};
	static const uint8_t d6[16] = {0x20, 0x01, 0x0d, 0xb8, [14] = 0x01, [15] = 0x0b};
	const struct jitsim_tcp in = {
		.sport = 3868, .dport = 35122, .seq = 3196803873u, .ack = 581699074, .flags = 0x02};
	const uint8_t *src = alen == 4 ? s4 : s6, *dst = alen == 4 ? d4 : d6;

	for (size_t n = 0; n <= 5; n++) {
		struct jitsim_wbuf w;
		struct jitsim_tcp t;
		uint8_t buf[128];
		const uint8_t *h;

		jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
		assert_int_equal(jitsim_wbuf_put(&w, "\x01\x00\x00\x5c\x80", n), 0);
		assert_int_equal(jitsim_tcp_encode(&w, &in, src, dst, alen), JITSIM_R_OK);
		assert_int_equal(jitsim_wbuf_len(&w), 20 + n);
		h = jitsim_wbuf_data(&w);
		/* Data offset 5, flags PSH|ACK (not in->flags), window 65535, urgent 0. */
		assert_int_equal(h[12], 0x50);
		assert_int_equal(h[13], 0x18);
		assert_int_equal(jitsim_get_be16(h + 14), 65535);
		assert_int_equal(jitsim_get_be16(h + 18), 0);
		assert_true(ref_tcp_csum_ok(src, dst, alen, h, 20 + n));

		assert_int_equal(jitsim_tcp_decode(h, jitsim_wbuf_len(&w), &t), JITSIM_R_OK);
		assert_int_equal(t.sport, in.sport);
		assert_int_equal(t.dport, in.dport);
		assert_int_equal(t.seq, in.seq);
		assert_int_equal(t.ack, in.ack);
		assert_int_equal(t.flags, 0x18);
		assert_int_equal(t.payload_len, n);
		assert_memory_equal(t.payload, "\x01\x00\x00\x5c\x80", n);
	}
}

static void
test_encode_roundtrip_v4(void **state)
{
	(void)state;
	encode_roundtrip(4);
}

static void
test_encode_roundtrip_v6(void **state)
{
	(void)state;
	encode_roundtrip(16);
}

/* A checksum worked out by hand: the pseudo-header and header words. */
static void
test_encode_known_csum(void **state)
{
	static const uint8_t s[4] = {10, 0, 0, 1}, d[4] = {10, 0, 0, 2};
	const struct jitsim_tcp in = {.sport = 1, .dport = 2, .seq = 3, .ack = 4};
	struct jitsim_wbuf w;
	uint8_t buf[64];

	(void)state;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 32);
	assert_int_equal(jitsim_tcp_encode(&w, &in, s, d, 4), JITSIM_R_OK);
	/*
	 * Pseudo-header 0a00+0001+0a00+0002+0006+0014 = 0x141d; header
	 * 0001+0002+0000+0003+0000+0004+5018+ffff = 0x15021; total 0x1643e,
	 * folded 0x643f, complement 0x9bc0.
	 */
	assert_int_equal(jitsim_get_be16(jitsim_wbuf_data(&w) + 16), 0x9bc0);
}

static void
test_encode_nospace_and_params(void **state)
{
	static const uint8_t a[16] = {1};
	const struct jitsim_tcp in = {.sport = 1, .dport = 2};

	(void)state;
	for (size_t head = 0; head <= 20; head++) {
		uint8_t buf[64];
		struct jitsim_wbuf w;
		enum jitsim_reason r;

		jitsim_wbuf_init(&w, buf, head + 3, head);
		assert_int_equal(jitsim_wbuf_put(&w, "abc", 3), 0);
		r = jitsim_tcp_encode(&w, &in, a, a, 4);
		if (head < 20) {
			assert_int_equal(r, JITSIM_R_NOSPACE);
			assert_int_equal(jitsim_wbuf_len(&w), 3);
			assert_memory_equal(jitsim_wbuf_data(&w), "abc", 3);
		} else {
			assert_int_equal(r, JITSIM_R_OK);
			assert_int_equal(jitsim_wbuf_len(&w), 23);
		}
	}
	for (size_t alen = 0; alen <= 17; alen++) {
		uint8_t buf[64];
		struct jitsim_wbuf w;

		if (alen == 4 || alen == 16)
			continue;
		jitsim_wbuf_init(&w, buf, sizeof(buf), 32);
		assert_int_equal(jitsim_tcp_encode(&w, &in, a, a, alen), JITSIM_R_BAD_PARAM);
		assert_int_equal(jitsim_wbuf_len(&w), 0);
	}
	{
		uint8_t buf[64];
		struct jitsim_wbuf w;

		jitsim_wbuf_init(&w, buf, sizeof(buf), 32);
		assert_int_equal(jitsim_tcp_encode(&w, &in, NULL, a, 4), JITSIM_R_BAD_PARAM);
		assert_int_equal(jitsim_tcp_encode(&w, &in, a, NULL, 4), JITSIM_R_BAD_PARAM);
		/*
		 * A segment the IPv6 pseudo-header length cannot express: only the
		 * wbuf bookkeeping is faked, the encoder must fail before writing.
		 */
		w.tail = w.head + ((size_t)1 << 32);
		w.cap = w.tail;
		assert_int_equal(jitsim_tcp_encode(&w, &in, a, a, 16), JITSIM_R_BAD_LENGTH);
		assert_int_equal(w.head, 32);
	}
}

static void
test_dump(void **state)
{
	const struct jitsim_tcp t = {.sport = 3868,
				     .dport = 35122,
				     .seq = 3196803873u,
				     .ack = 581699074,
				     .flags = 0x18,
				     .payload_len = 92};
	char buf[128];
	int w;

	(void)state;
	w = jitsim_tcp_dump(&t, buf, sizeof(buf));
	assert_string_equal(
		buf, "sport=3868 dport=35122 seq=3196803873 ack=581699074 flags=0x18 len=92");
	assert_int_equal(w, (int)strlen(buf));
	assert_int_equal(jitsim_tcp_dump(&t, NULL, 0), w);
}

/* ---- every TCP segment of every capture with TCP --------------------------- */

struct sweep_expect {
	const char *file;
	unsigned int segments, with_payload, syn_only, csum_good;
};

/*
 * tshark -o tcp.check_checksum:TRUE, outer IPv4/TCP, fragments excluded:
 * segments, segments with payload, flags exactly SYN, checksum Good.
 */
static const struct sweep_expect sweep[] = {
	{"diam_diafuzzer_cx.pcap", 14, 14, 0, 0},
	{"diam_ndpi_gy_tcp.pcap", 6, 6, 0, 3},
	{"s6a_magma_nsa_tcp.pcapng", 21, 12, 0, 0},
	{"diam_open5gs_ims_cx_rx_gx.pcapng", 595, 427, 9, 130},
	{"s6a_open5gs_srsenb.pcapng", 2, 2, 0, 2},
};

struct sweep_count {
	unsigned int segments, with_payload, syn_only, csum_good, bad;
};

static void
sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct sweep_count *c = ctx;
	struct jitsim_link l;
	struct jitsim_ip ip;
	struct jitsim_tcp t;

	(void)no;
	if (jitsim_link_decode((uint32_t)dlt, p, len, &l) != JITSIM_R_OK ||
	    jitsim_ip_decode(l.payload, l.payload_len, &ip) != JITSIM_R_OK ||
	    ip.proto != JITSIM_IPPROTO_TCP || ip.fragment)
		return;
	if (jitsim_tcp_decode(ip.payload, ip.payload_len, &t) != JITSIM_R_OK) {
		c->bad++;
		return;
	}
	c->segments++;
	c->with_payload += t.payload_len > 0;
	c->syn_only += t.flags == 0x02;
	c->csum_good += ref_tcp_csum_ok(ip.src, ip.dst, ip.version == 4 ? 4 : 16, ip.payload,
					ip.payload_len);
}

static void
test_all_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		struct sweep_count c = {0};

		test_capture_foreach(sweep[i].file, sweep_cb, &c);
		assert_int_equal(c.bad, 0);
		assert_int_equal(c.segments, sweep[i].segments);
		assert_int_equal(c.with_payload, sweep[i].with_payload);
		assert_int_equal(c.syn_only, sweep[i].syn_only);
		assert_int_equal(c.csum_good, sweep[i].csum_good);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_decode_with_options),
		cmocka_unit_test(test_decode_no_options_and_csum),
		cmocka_unit_test(test_decode_bare_ack),
		cmocka_unit_test(test_decode_errors),
		cmocka_unit_test(test_encode_roundtrip_v4),
		cmocka_unit_test(test_encode_roundtrip_v6),
		cmocka_unit_test(test_encode_known_csum),
		cmocka_unit_test(test_encode_nospace_and_params),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_all_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
