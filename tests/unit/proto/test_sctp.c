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
#include <jitsim/proto/sctp.h>

#include "test_util.h"

/* ---- capture helpers ---------------------------------------------------- */

/*
 * The SCTP packet of frame @p no of a capture, bounded by the IP length
 * (so Ethernet padding/FCS is not part of it). *frame gets the buffer to free.
 */
static const uint8_t *
load_sctp(const char *file, unsigned int no, size_t *len, uint8_t **frame)
{
	struct {
		uint8_t *buf;
		size_t len;
		int dlt;
	} pk;
	struct jitsim_link l;
	struct jitsim_ip ip;
	pk.buf = test_pcap_frame(file, no, &pk.len, &pk.dlt);
	assert_int_equal(jitsim_link_decode((uint32_t)pk.dlt, pk.buf, pk.len, &l), JITSIM_R_OK);
	assert_int_equal(jitsim_ip_decode(l.payload, l.payload_len, &ip), JITSIM_R_OK);
	assert_int_equal(ip.proto, JITSIM_IPPROTO_SCTP);
	*frame = pk.buf;
	*len = ip.payload_len;
	return ip.payload;
}

static enum jitsim_reason
sctp_fn(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_sctp_decode(p, len, ctx);
}

/* Whole walk: header, every chunk, every DATA chunk. */
struct walk_ctx {
	size_t want_data_len; /* payload length of the (last) DATA chunk */
	size_t min_ok_len;    /* shorter inputs must not decode completely */
};

static enum jitsim_reason
walk_fn(const uint8_t *p, size_t len, void *ctx)
{
	const struct walk_ctx *w = ctx;
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	volatile uint8_t sink = 0;
	enum jitsim_reason r;
	bool found = false;

	r = jitsim_sctp_decode(p, len, &s);
	if (r != JITSIM_R_OK)
		return r;
	jitsim_sctp_chunk_iter_init(&it, &s);
	while ((r = jitsim_sctp_chunk_next(&it, &c)) == JITSIM_R_OK) {
		if (c.type != JITSIM_SCTP_CHUNK_DATA)
			continue;
		r = jitsim_sctp_data_decode(&c, &d);
		if (r != JITSIM_R_OK)
			return r;
		/* Read every payload byte so ASan checks the bounds. */
		for (size_t i = 0; i < d.payload_len; i++)
			sink = d.payload[i];
		found = d.payload_len == w->want_data_len;
	}
	(void)sink;
	if (r != JITSIM_R_END)
		return r;
	return found ? JITSIM_R_OK : JITSIM_R_SCTP_NOT_DATA;
}

static bool
walk_allow_ok(size_t prefix_len, void *ctx)
{
	const struct walk_ctx *w = ctx;

	return prefix_len >= w->min_ok_len;
}

/* ---- decoding real packets ------------------------------------------------ */

/*
 * map_pcapr_lu_ul.pcap frame 3, tshark: ports 30005/30005, vtag 0x01842d50,
 * checksum 0xf5eab58c; SACK chunk (flags 0, length 16, cumulative TSN
 * 25447527, a_rwnd 65536), then DATA (flags 0x03, length 96, TSN 7960,
 * SID 4, SSN 2, PPID M3UA (3), 80 bytes of M3UA).
 */
static void
test_sack_then_data(void **state)
{
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	struct walk_ctx w = {.want_data_len = 80};
	const uint8_t *p;
	uint8_t *frame;
	size_t len;

	(void)state;
	p = load_sctp("map_pcapr_lu_ul.pcap", 3, &len, &frame);
	assert_int_equal(len, 124);
	assert_int_equal(jitsim_sctp_decode(p, len, &s), JITSIM_R_OK);
	assert_int_equal(s.sport, 30005);
	assert_int_equal(s.dport, 30005);
	assert_int_equal(s.vtag, 0x01842d50);
	assert_int_equal(s.csum, 0xf5eab58c);
	assert_ptr_equal(s.chunks, p + 12);
	assert_int_equal(s.chunks_len, 112);
	assert_true(jitsim_sctp_crc_ok(p, len));

	jitsim_sctp_chunk_iter_init(&it, &s);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.type, JITSIM_SCTP_CHUNK_SACK);
	assert_int_equal(c.flags, 0);
	assert_int_equal(c.length, 16);
	assert_int_equal(c.value_len, 12);
	assert_int_equal(jitsim_get_be32(c.value), 25447527);
	assert_int_equal(jitsim_get_be32(c.value + 4), 65536);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_SCTP_NOT_DATA);

	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.type, JITSIM_SCTP_CHUNK_DATA);
	assert_int_equal(c.flags, 0x03);
	assert_int_equal(c.length, 96);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
	assert_int_equal(d.flags, JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E);
	assert_false(d.fragment);
	assert_int_equal(d.tsn, 7960);
	assert_int_equal(d.stream, 4);
	assert_int_equal(d.ssn, 2);
	assert_int_equal(d.ppid, JITSIM_PPID_M3UA);
	assert_ptr_equal(d.payload, p + 12 + 16 + 16);
	assert_int_equal(d.payload_len, 80);
	assert_memory_equal(d.payload, "\x01\x00\x01\x01\x00\x00\x00\x50", 8);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);

	w.min_ok_len = len;
	test_truncations(p, len, walk_fn, &w, walk_allow_ok);
	free(frame);
}

/*
 * map_pcapr_xudt_segmented_nonmap_acn.pcap frame 4, tshark: ports
 * 3565/3565, vtag 0xf8f85149, checksum 0xfdf78eb9, one DATA chunk of length
 * 57 (TSN 2445286998, SID 1, SSN 5, PPID M2PA (5), 41 bytes) and 3 bytes of
 * padding; then the same packet with the last padding left out.
 */
static void
test_padding_present_and_missing(void **state)
{
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	struct walk_ctx w = {.want_data_len = 41};
	const uint8_t *p;
	uint8_t *frame;
	size_t len;

	(void)state;
	p = load_sctp("map_pcapr_xudt_segmented_nonmap_acn.pcap", 4, &len, &frame);
	assert_int_equal(len, 72);
	assert_int_equal(jitsim_sctp_decode(p, len, &s), JITSIM_R_OK);
	assert_int_equal(s.sport, 3565);
	assert_int_equal(s.vtag, 0xf8f85149);
	assert_int_equal(s.csum, 0xfdf78eb9);
	assert_true(jitsim_sctp_crc_ok(p, len));
	jitsim_sctp_chunk_iter_init(&it, &s);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.length, 57);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
	assert_int_equal(d.tsn, 2445286998u);
	assert_int_equal(d.stream, 1);
	assert_int_equal(d.ssn, 5);
	assert_int_equal(d.ppid, JITSIM_PPID_M2PA);
	assert_int_equal(d.payload_len, 41);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);

	/* Without the 3 padding bytes: still one chunk, then the end. */
	assert_int_equal(jitsim_sctp_decode(p, len - 3, &s), JITSIM_R_OK);
	jitsim_sctp_chunk_iter_init(&it, &s);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.length, 57);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);

	/* Every cut before the end of the chunk fails; cuts in the padding do not. */
	w.min_ok_len = 12 + 57;
	test_truncations(p, len, walk_fn, &w, walk_allow_ok);
	free(frame);
}

/*
 * s6a_open5gs_srsenb.pcapng frame 56, tshark: two DATA chunks (lengths 54
 * and 75, absolute TSN 3833146566 and 3833146567 (relative 6 and 7), SID 1,
 * SSN 5 and 6, PPID 18 = S1AP); checksum 0
 * (loopback capture, CRC offloaded).
 */
static void
test_two_data_chunks(void **state)
{
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	const uint8_t *p;
	uint8_t *frame;
	size_t len;

	(void)state;
	p = load_sctp("s6a_open5gs_srsenb.pcapng", 56, &len, &frame);
	assert_int_equal(jitsim_sctp_decode(p, len, &s), JITSIM_R_OK);
	assert_int_equal(s.sport, 41275);
	assert_int_equal(s.dport, 36412);
	assert_int_equal(s.vtag, 0x2fabaf93);
	assert_int_equal(s.csum, 0);
	assert_false(jitsim_sctp_crc_ok(p, len));
	jitsim_sctp_chunk_iter_init(&it, &s);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.length, 54);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
	assert_int_equal(d.tsn, 3833146566u);
	assert_int_equal(d.stream, 1);
	assert_int_equal(d.ssn, 5);
	assert_int_equal(d.ppid, 18);
	assert_int_equal(d.payload_len, 38);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(c.length, 75);
	assert_ptr_equal(c.value, p + 12 + 56 + 4);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
	assert_int_equal(d.tsn, 3833146567u);
	assert_int_equal(d.ssn, 6);
	assert_int_equal(d.payload_len, 59);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);
	free(frame);
}

/* ---- chunk and DATA errors ------------------------------------------------- */

static void
test_header_truncated(void **state)
{
	struct jitsim_sctp s;
	uint8_t p[12] = {0};

	(void)state;
	test_truncations(p, sizeof(p), sctp_fn, &s, NULL);
	assert_int_equal(test_decode_exact(p, sizeof(p), sctp_fn, &s), JITSIM_R_OK);
	assert_int_equal(s.chunks_len, 0);
}

/* Walk @p hex (chunks only, after a zero common header); return the last reason. */
static enum jitsim_reason
walk_hex(const char *hex, unsigned int *n_ok)
{
	uint8_t p[128] = {0};
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp s;
	enum jitsim_reason r;
	size_t n = 12 + test_hex(hex, p + 12, sizeof(p) - 12);

	assert_int_equal(jitsim_sctp_decode(p, n, &s), JITSIM_R_OK);
	jitsim_sctp_chunk_iter_init(&it, &s);
	*n_ok = 0;
	while ((r = jitsim_sctp_chunk_next(&it, &c)) == JITSIM_R_OK)
		(*n_ok)++;
	if (r == JITSIM_R_SCTP_BAD_CHUNK)
		/* After a bad chunk the walk is over. */
		assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);
	return r;
}

static void
test_bad_chunks(void **state)
{
	unsigned int n;

	(void)state;
	/* Length 0 and 3 (< 4): would loop forever if accepted. */
	assert_int_equal(walk_hex("03000000", &n), JITSIM_R_SCTP_BAD_CHUNK);
	assert_int_equal(n, 0);
	assert_int_equal(walk_hex("03000003 00", &n), JITSIM_R_SCTP_BAD_CHUNK);
	/* Length past the packet. */
	assert_int_equal(walk_hex("0e000004 03000014 00000000", &n), JITSIM_R_SCTP_BAD_CHUNK);
	assert_int_equal(n, 1);
	/* 1..3 stray bytes after a chunk cannot hold a chunk header. */
	assert_int_equal(walk_hex("0e000004 0e", &n), JITSIM_R_SCTP_BAD_CHUNK);
	assert_int_equal(n, 1);
	assert_int_equal(walk_hex("0e000004 0e0000", &n), JITSIM_R_SCTP_BAD_CHUNK);
	/* Bare chunk headers (SHUTDOWN ACK, length 4) are fine. */
	assert_int_equal(walk_hex("08000004 0e000004", &n), JITSIM_R_END);
	assert_int_equal(n, 2);
	/* Odd chunk length: padding skipped, next chunk found. */
	assert_int_equal(walk_hex("0e000005 aa000000 08000004", &n), JITSIM_R_END);
	assert_int_equal(n, 2);
	/* No chunks at all. */
	assert_int_equal(walk_hex("", &n), JITSIM_R_END);
	assert_int_equal(n, 0);
}

static void
test_data_errors_and_flags(void **state)
{
	static const struct {
		uint8_t flags;
		bool fragment;
	} fl[] = {{0x03, false}, {0x02, true},	{0x01, true}, {0x00, true},
		  {0x07, false}, {0x0f, false}, {0x06, true}};
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	uint8_t v[16];

	(void)state;
	test_hex("00000001 0002 0003 0000002e 41", v, sizeof(v));
	c.type = JITSIM_SCTP_CHUNK_DATA;
	c.value = v;
	for (size_t i = 0; i < sizeof(fl) / sizeof(fl[0]); i++) {
		c.flags = fl[i].flags;
		c.length = 17;
		c.value_len = 13;
		assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
		assert_int_equal(d.flags, fl[i].flags);
		assert_int_equal(d.fragment, fl[i].fragment);
		assert_int_equal(d.tsn, 1);
		assert_int_equal(d.stream, 2);
		assert_int_equal(d.ssn, 3);
		assert_int_equal(d.ppid, JITSIM_PPID_DIAMETER);
		assert_int_equal(d.payload_len, 1);
		assert_int_equal(d.payload[0], 0x41);
	}
	/* RFC 9260 6.2: no user data; shorter than the DATA header. */
	for (size_t vl = 0; vl <= 12; vl++) {
		c.length = (uint16_t)(4 + vl);
		c.value_len = vl;
		assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_SCTP_BAD_CHUNK);
	}
	/* I-DATA (64) and every other type are not DATA. */
	c.value_len = 13;
	for (unsigned int t = 1; t < 256; t++) {
		c.type = (uint8_t)t;
		assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_SCTP_NOT_DATA);
	}
}

/* ---- CRC32c ---------------------------------------------------------------- */

/* Bit-at-a-time reference, straight from the polynomial (RFC 9260 App. A). */
static uint32_t
ref_crc32c(const uint8_t *p, size_t n)
{
	uint32_t c = 0xffffffff;

	for (size_t i = 0; i < n; i++) {
		c ^= p[i];
		for (int k = 0; k < 8; k++)
			c = (c >> 1) ^ (0x82f63b78 & (0u - (c & 1)));
	}
	return ~c;
}

static void
test_crc32c_vectors(void **state)
{
	uint8_t b[32];

	(void)state;
	/* RFC 3720 B.4 (iSCSI uses the same CRC32c). */
	memset(b, 0, sizeof(b));
	assert_int_equal(jitsim_crc32c(b, 32), 0x8a9136aa);
	memset(b, 0xff, sizeof(b));
	assert_int_equal(jitsim_crc32c(b, 32), 0x62a8ab43);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)i;
	assert_int_equal(jitsim_crc32c(b, 32), 0x46dd794e);
	for (int i = 0; i < 32; i++)
		b[i] = (uint8_t)(31 - i);
	assert_int_equal(jitsim_crc32c(b, 32), 0x113fdb5c);
	/* The usual check value. */
	assert_int_equal(jitsim_crc32c((const uint8_t *)"123456789", 9), 0xe3069283);
	assert_int_equal(jitsim_crc32c(b, 0), 0);
}

static void
test_crc32c_lengths_alignments(void **state)
{
	uint8_t *b = malloc(400);

	(void)state;
	assert_non_null(b);
	for (int i = 0; i < 400; i++)
		b[i] = (uint8_t)(i * 131 + 7);
	for (size_t off = 0; off < 8; off++)
		for (size_t n = 0; n + off <= 400 && n <= 300; n++)
			assert_int_equal(jitsim_crc32c(b + off, n), ref_crc32c(b + off, n));
	free(b);
}

static void
test_crc_ok_flips(void **state)
{
	const uint8_t *p;
	uint8_t *frame, *copy;
	size_t len;

	(void)state;
	/* map_wswiki_ussd.pcap: vtag 0, checksum 0x14361610, correct per tshark. */
	p = load_sctp("map_wswiki_ussd.pcap", 1, &len, &frame);
	assert_int_equal(jitsim_get_be32(p + 8), 0x14361610);
	assert_true(jitsim_sctp_crc_ok(p, len));
	copy = malloc(len);
	assert_non_null(copy);
	for (size_t i = 0; i < len; i++) {
		memcpy(copy, p, len);
		copy[i] ^= 0x01;
		assert_false(jitsim_sctp_crc_ok(copy, len));
	}
	/* The field holds the CRC least significant byte first. */
	memcpy(copy, p, len);
	memset(copy + 8, 0, 4);
	assert_int_equal(jitsim_crc32c(copy, len), 0x10163614);
	for (size_t i = 0; i < 12; i++)
		assert_false(jitsim_sctp_crc_ok(p, i));
	free(copy);
	free(frame);
}

/* ---- encoder ----------------------------------------------------------------- */

/*
 * Re-encode the M3UA payload of map_pcapr_lu_ul.pcap frame 1 (one DATA
 * chunk: TSN 7959, SID 3, SSN 2, PPID 3, 128 bytes) and of
 * map_pcapr_xudt_segmented_nonmap_acn.pcap frame 4 (41 bytes, padded): the
 * packets must come out byte for byte, CRC (0x785026f3, 0xfdf78eb9) included.
 */
static void
encode_like(const char *file, unsigned int no, uint32_t want_csum)
{
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	struct jitsim_wbuf w;
	uint8_t buf[512];
	const uint8_t *p;
	uint8_t *frame;
	size_t len;

	p = load_sctp(file, no, &len, &frame);
	assert_int_equal(jitsim_sctp_decode(p, len, &s), JITSIM_R_OK);
	assert_int_equal(s.csum, want_csum);
	jitsim_sctp_chunk_iter_init(&it, &s);
	assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
	assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);

	jitsim_wbuf_init(&w, buf, sizeof(buf), 64);
	assert_int_equal(jitsim_wbuf_put(&w, d.payload, d.payload_len), 0);
	assert_int_equal(jitsim_sctp_encode_data(&w, &s, &d), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), len);
	assert_memory_equal(jitsim_wbuf_data(&w), p, len);
	free(frame);
}

static void
test_encode_matches_capture(void **state)
{
	(void)state;
	encode_like("map_pcapr_lu_ul.pcap", 1, 0x785026f3);
	encode_like("map_pcapr_xudt_segmented_nonmap_acn.pcap", 4, 0xfdf78eb9);
}

static void
test_encode_roundtrip(void **state)
{
	const struct jitsim_sctp hdr = {.sport = 2905, .dport = 3000, .vtag = 0xdeadbeef};

	(void)state;
	for (size_t n = 1; n <= 9; n++) {
		struct jitsim_sctp_data in = {.tsn = 100 + (uint32_t)n,
					      .stream = 7,
					      .ssn = 9,
					      .ppid = JITSIM_PPID_M3UA,
					      .flags = n == 5 ? JITSIM_SCTP_DATA_U : 0};
		struct jitsim_sctp_chunk_iter it;
		struct jitsim_sctp_chunk c;
		struct jitsim_sctp_data d;
		struct jitsim_sctp s;
		struct jitsim_wbuf w;
		uint8_t buf[128], msg[16];
		size_t pad = (4 - n % 4) % 4;

		for (size_t i = 0; i < n; i++)
			msg[i] = (uint8_t)(0xa0 + i);
		jitsim_wbuf_init(&w, buf, sizeof(buf), 40);
		assert_int_equal(jitsim_wbuf_put(&w, msg, n), 0);
		assert_int_equal(jitsim_sctp_encode_data(&w, &hdr, &in), JITSIM_R_OK);
		assert_int_equal(jitsim_wbuf_len(&w), 12 + 16 + n + pad);
		assert_true(jitsim_sctp_crc_ok(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w)));
		for (size_t i = 0; i < pad; i++)
			assert_int_equal(jitsim_wbuf_data(&w)[28 + n + i], 0);

		assert_int_equal(jitsim_sctp_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &s),
				 JITSIM_R_OK);
		assert_int_equal(s.sport, 2905);
		assert_int_equal(s.dport, 3000);
		assert_int_equal(s.vtag, 0xdeadbeef);
		jitsim_sctp_chunk_iter_init(&it, &s);
		assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_OK);
		assert_int_equal(c.length, 16 + n);
		assert_int_equal(jitsim_sctp_data_decode(&c, &d), JITSIM_R_OK);
		assert_int_equal(d.flags, n == 5 ? 0x07 : 0x03);
		assert_false(d.fragment);
		assert_int_equal(d.tsn, 100 + n);
		assert_int_equal(d.stream, 7);
		assert_int_equal(d.ssn, 9);
		assert_int_equal(d.ppid, JITSIM_PPID_M3UA);
		assert_int_equal(d.payload_len, n);
		assert_memory_equal(d.payload, msg, n);
		assert_int_equal(jitsim_sctp_chunk_next(&it, &c), JITSIM_R_END);
	}
}

static void
test_encode_nospace(void **state)
{
	const struct jitsim_sctp hdr = {.sport = 1, .dport = 2};
	const struct jitsim_sctp_data in = {.ppid = 3};

	(void)state;
	/* 5 bytes: 28 bytes of headroom and 3 of tailroom are needed. */
	for (size_t head = 0; head <= 28; head++) {
		for (size_t tail = 0; tail <= 3; tail++) {
			uint8_t buf[64];
			struct jitsim_wbuf w;
			enum jitsim_reason r;

			jitsim_wbuf_init(&w, buf, head + 5 + tail, head);
			assert_int_equal(jitsim_wbuf_put(&w, "abcde", 5), 0);
			r = jitsim_sctp_encode_data(&w, &hdr, &in);
			if (head < 28 || tail < 3) {
				assert_int_equal(r, JITSIM_R_NOSPACE);
				assert_int_equal(jitsim_wbuf_len(&w), 5);
				assert_memory_equal(jitsim_wbuf_data(&w), "abcde", 5);
			} else {
				assert_int_equal(r, JITSIM_R_OK);
				assert_int_equal(jitsim_wbuf_len(&w), 36);
				assert_true(jitsim_sctp_crc_ok(jitsim_wbuf_data(&w), 36));
			}
		}
	}
}

static void
test_encode_bad_length(void **state)
{
	const struct jitsim_sctp hdr = {.sport = 1, .dport = 2};
	const struct jitsim_sctp_data in = {.ppid = 3};
	const size_t cap = 70000;
	uint8_t *buf = malloc(cap);
	struct jitsim_wbuf w;

	(void)state;
	assert_non_null(buf);
	jitsim_wbuf_init(&w, buf, cap, 64);
	assert_int_equal(jitsim_sctp_encode_data(&w, &hdr, &in), JITSIM_R_BAD_LENGTH);
	assert_non_null(jitsim_wbuf_append(&w, 65520));
	assert_int_equal(jitsim_sctp_encode_data(&w, &hdr, &in), JITSIM_R_BAD_LENGTH);
	jitsim_wbuf_init(&w, buf, cap, 64);
	memset(jitsim_wbuf_append(&w, 65519), 0x5a, 65519);
	assert_int_equal(jitsim_sctp_encode_data(&w, &hdr, &in), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), 28 + 65519 + 1);
	assert_true(jitsim_sctp_crc_ok(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w)));
	free(buf);
}

static void
test_dump(void **state)
{
	const struct jitsim_sctp_data d = {.flags = 0x02,
					   .fragment = true,
					   .tsn = 7960,
					   .stream = 4,
					   .ssn = 2,
					   .ppid = 3,
					   .payload_len = 80};
	char buf[128];
	int w;

	(void)state;
	w = jitsim_sctp_data_dump(&d, buf, sizeof(buf));
	assert_string_equal(buf, "tsn=7960 stream=4 ssn=2 ppid=3 flags=0x02 frag=1 len=80");
	assert_int_equal(w, (int)strlen(buf));
	assert_int_equal(jitsim_sctp_data_dump(&d, buf, 4), w);
	assert_string_equal(buf, "tsn");
}

/* ---- every SCTP packet of every capture ------------------------------------ */

struct sweep_expect {
	const char *file;
	unsigned int packets, crc_good, data, sack_then_data, multi_data;
};

/*
 * From tshark -o sctp.checksum:CRC-32C, IP fragments excluded: SCTP packets,
 * checksum status Good, DATA chunks, packets whose first chunk is a SACK and
 * that carry DATA, packets with more than one DATA chunk.
 */
static const struct sweep_expect sweep[] = {
	{"diam_diafuzzer_s6a_cer_dwr.pcap", 26, 0, 4, 1, 0},
	{"map_pcapr_gprs_attach_sai_ugl.pcap", 8, 8, 8, 4, 0},
	{"map_pcapr_lu_ul.pcap", 8, 8, 8, 6, 0},
	{"map_pcapr_m2pa_sms.pcap", 51, 51, 27, 7, 0},
	{"map_pcapr_srism_single.pcap", 1, 1, 1, 0, 0},
	{"map_pcapr_test_ul_sendid_ati.pcap", 146, 146, 11, 1, 0},
	{"map_pcapr_xudt_segmented_nonmap_acn.pcap", 19, 19, 19, 0, 0},
	{"map_wswiki_sai_ul_cl_nossn.pcap", 22, 22, 22, 3, 0},
	{"map_wswiki_ussd.pcap", 1, 1, 1, 0, 0},
	{"s6a_diafuzzer_air.pcap", 2, 2, 2, 0, 0},
	{"diam_open5gs_ims_cx_rx_gx.pcapng", 45, 19, 19, 7, 1},
	{"s6a_magma_gxgy03.pcapng", 226, 226, 141, 73, 0},
	{"s6a_magma_gxgy05.pcapng", 135, 135, 87, 47, 0},
	{"s6a_magma_gxgy06.pcapng", 124, 124, 82, 45, 0},
	{"s6a_magma_inbound_roaming01.pcapng", 182, 182, 111, 57, 0},
	{"s6a_magma_inbound_roaming05.pcapng", 201, 201, 125, 66, 0},
	{"s6a_magma_nsa_tcp.pcapng", 41, 23, 21, 12, 0},
	{"s6a_open5gs_srsenb.pcapng", 32, 0, 33, 16, 1},
	{"s6a_open5gs_testattach.pcapng", 307, 0, 307, 199, 0},
	{"diam_diafuzzer_cx.pcap", 0, 0, 0, 0, 0},
	{"diam_ndpi_gy_tcp.pcap", 0, 0, 0, 0, 0},
	{"map_wswiki_cap_mtp3.pcap", 0, 0, 0, 0, 0},
};

struct sweep_count {
	unsigned int packets, crc_good, data, sack_then_data, multi_data, bad, zero_bad;
};

static void
sweep_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct sweep_count *n = ctx;
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	struct jitsim_sctp s;
	struct jitsim_link l;
	struct jitsim_ip ip;
	unsigned int data = 0, idx = 0;
	bool sack_first = false;
	enum jitsim_reason r;

	(void)no;
	if (jitsim_link_decode((uint32_t)dlt, p, len, &l) != JITSIM_R_OK ||
	    l.next == JITSIM_LINK_NEXT_MTP3 ||
	    jitsim_ip_decode(l.payload, l.payload_len, &ip) != JITSIM_R_OK ||
	    ip.proto != JITSIM_IPPROTO_SCTP || ip.fragment)
		return;
	if (jitsim_sctp_decode(ip.payload, ip.payload_len, &s) != JITSIM_R_OK) {
		n->bad++;
		return;
	}
	n->packets++;
	if (jitsim_sctp_crc_ok(ip.payload, ip.payload_len))
		n->crc_good++;
	else if (s.csum == 0)
		n->zero_bad++;
	jitsim_sctp_chunk_iter_init(&it, &s);
	while ((r = jitsim_sctp_chunk_next(&it, &c)) == JITSIM_R_OK) {
		if (idx++ == 0 && c.type == JITSIM_SCTP_CHUNK_SACK)
			sack_first = true;
		if (c.type != JITSIM_SCTP_CHUNK_DATA)
			continue;
		if (jitsim_sctp_data_decode(&c, &d) != JITSIM_R_OK)
			n->bad++;
		data++;
	}
	if (r != JITSIM_R_END)
		n->bad++;
	n->data += data;
	n->sack_then_data += sack_first && data > 0;
	n->multi_data += data > 1;
}

static void
test_all_captures(void **state)
{
	(void)state;
	for (size_t i = 0; i < sizeof(sweep) / sizeof(sweep[0]); i++) {
		struct sweep_count c = {0};

		test_capture_foreach(sweep[i].file, sweep_cb, &c);
		assert_int_equal(c.bad, 0);
		assert_int_equal(c.packets, sweep[i].packets);
		assert_int_equal(c.crc_good, sweep[i].crc_good);
		/* Every packet with a wrong CRC carries 0: offloaded, never corrupt. */
		assert_int_equal(c.zero_bad, c.packets - c.crc_good);
		assert_int_equal(c.data, sweep[i].data);
		assert_int_equal(c.sack_then_data, sweep[i].sack_then_data);
		assert_int_equal(c.multi_data, sweep[i].multi_data);
	}
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_sack_then_data),
		cmocka_unit_test(test_padding_present_and_missing),
		cmocka_unit_test(test_two_data_chunks),
		cmocka_unit_test(test_header_truncated),
		cmocka_unit_test(test_bad_chunks),
		cmocka_unit_test(test_data_errors_and_flags),
		cmocka_unit_test(test_crc32c_vectors),
		cmocka_unit_test(test_crc32c_lengths_alignments),
		cmocka_unit_test(test_crc_ok_flips),
		cmocka_unit_test(test_encode_matches_capture),
		cmocka_unit_test(test_encode_roundtrip),
		cmocka_unit_test(test_encode_nospace),
		cmocka_unit_test(test_encode_bad_length),
		cmocka_unit_test(test_dump),
		cmocka_unit_test(test_all_captures),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
