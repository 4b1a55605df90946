/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The frame iterator and the whole-frame encoders: round trip over the
 * sample mix, every prefix of every sample frame, encoder buffers of every
 * size, reassembly, and hostile frames that try to make the walk loop,
 * recurse or read past the end.
 */

#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/frame.h>
#include <jitsim/proto/sctp.h>

#include "sample.h"
#include "test_util.h"

struct walk {
	unsigned int ok;
	unsigned int drops[JITSIM_R_MAX];
	struct jitsim_msg last;
	char imsi[JITSIM_DIGITS_MAX + 1];
	char msisdn[JITSIM_DIGITS_MAX + 1];
	char visited[JITSIM_DIGITS_MAX + 1];
	uint8_t comp_type; /* last.map.comp points into the iterator, gone by then */
	struct jitsim_frame_reasm *reasm;
	uint32_t dlt;
};

static enum jitsim_reason
walk_frame(const uint8_t *p, size_t len, void *ctx)
{
	struct walk *w = ctx;
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r, first = JITSIM_R_END;
	unsigned int steps = 0;
	char line[1024];

	w->ok = 0;
	memset(w->drops, 0, sizeof(w->drops));
	jitsim_frame_iter_init(&it, w->dlt ? w->dlt : JITSIM_DLT_EN10MB, p, len, w->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		assert_true(r < JITSIM_R_MAX);
		assert_true(++steps < 100000);
		if (first == JITSIM_R_END)
			first = r;
		if (r != JITSIM_R_OK) {
			w->drops[r]++;
			continue;
		}
		w->ok++;
		jitsim_msg_dump(&m, line, sizeof(line));
		w->last = m;
		snprintf(w->imsi, sizeof(w->imsi), "%s", m.has_imsi ? m.imsi->d : "");
		snprintf(w->msisdn, sizeof(w->msisdn), "%s", m.has_msisdn ? m.msisdn->d : "");
		snprintf(w->visited, sizeof(w->visited), "%s", m.has_visited ? m.visited->d : "");
		w->comp_type = m.proto == JITSIM_MSG_MAP ? m.map.comp->type : 0;
	}
	/* A frame with no message reports why; OK means at least one message. */
	return w->ok ? JITSIM_R_OK : (first == JITSIM_R_END ? JITSIM_R_END : first);
}

/* Every sample message decodes back to what it was built from. */
static void
test_round_trip(void **state)
{
	uint8_t buf[4096];

	(void)state;
	for (unsigned int i = 0; i < 4 * jitsim_sample_kinds(); i++) {
		struct jitsim_sample_info info;
		struct walk w = {0};
		size_t len;

		assert_int_equal(jitsim_sample_frame(i, buf, sizeof(buf), &len, &info),
				 JITSIM_R_OK);
		assert_int_equal(test_decode_exact(buf, len, walk_frame, &w), JITSIM_R_OK);
		assert_int_equal(w.ok, 1);
		assert_int_equal(w.last.proto, info.proto);
		assert_int_equal(w.last.is_request, info.is_request);
		assert_true(w.last.has_op);
		assert_int_equal(w.last.op, info.op);
		assert_int_equal(w.last.index, 0);
		assert_string_equal(w.imsi, info.imsi);
		assert_string_equal(w.msisdn, info.msisdn);
		assert_string_equal(w.visited, info.visited);
		if (info.imsi[0])
			assert_true(w.last.imsi_key == jitsim_digits_key_str(info.imsi));
		if (info.proto == JITSIM_MSG_MAP) {
			assert_int_equal(w.comp_type, info.comp_type);
			assert_int_equal(w.last.carrier, JITSIM_CARRIER_M3UA);
			assert_int_equal(w.last.map.opc, 0x0101);
			assert_int_equal(w.last.map.dpc, 0x0202);
		}
	}
}

/* No prefix of a single-message frame yields a message, and none reads past it. */
static void
test_prefixes(void **state)
{
	uint8_t buf[4096];

	(void)state;
	for (unsigned int i = 0; i < jitsim_sample_kinds(); i++) {
		struct jitsim_sample_info info;
		struct walk w = {0};
		size_t len;

		assert_int_equal(jitsim_sample_frame(i, buf, sizeof(buf), &len, &info),
				 JITSIM_R_OK);
		test_truncations(buf, len, walk_frame, &w, NULL);
	}
}

/* Encoders fail cleanly with NOSPACE below the size they need, and succeed at it. */
static void
test_encoder_nospace(void **state)
{
	uint8_t ref[4096];

	(void)state;
	for (unsigned int i = 0; i < jitsim_sample_kinds(); i++) {
		struct jitsim_sample_info info;
		size_t need, len;

		assert_int_equal(jitsim_sample_frame(i, ref, sizeof(ref), &need, &info),
				 JITSIM_R_OK);
		for (size_t cap = 0; cap <= need; cap++) {
			uint8_t *b = malloc(cap ? cap : 1);
			enum jitsim_reason r;

			assert_non_null(b);
			r = jitsim_sample_frame(i, b, cap, &len, &info);
			if (cap < need) {
				assert_int_equal(r, JITSIM_R_NOSPACE);
			} else {
				assert_int_equal(r, JITSIM_R_OK);
				assert_int_equal(len, need);
				assert_memory_equal(b, ref, need);
			}
			free(b);
		}
	}
}

/* Build an Ethernet/IPv4/SCTP frame whose chunks are given raw. */
static size_t
sctp_frame(uint8_t *buf, size_t cap, const uint8_t *chunks, size_t chunks_len, uint16_t port)
{
	size_t ip_len = 20 + 12 + chunks_len;
	size_t len = 14 + ip_len;

	assert_true(len <= cap);
	memset(buf, 0, 14 + 20 + 12);
	jitsim_put_be16(buf + 12, 0x0800);
	buf[14] = 0x45;
	jitsim_put_be16(buf + 16, (uint16_t)ip_len);
	buf[22] = 64;
	buf[23] = 132;
	jitsim_put_be16(buf + 34, port);
	jitsim_put_be16(buf + 36, port);
	memcpy(buf + 46, chunks, chunks_len);
	return len;
}

/*
 * Thousands of Diameter DATA chunks, each with 4 bytes of a message that
 * never completes: every one is a unit reported on its own, the walk does
 * not recurse per chunk, and it ends.
 */
static void
test_many_tiny_chunks(void **state)
{
	enum { N = 3000, CL = 20 };
	static uint8_t chunks[CL * N], buf[sizeof(chunks) + 64];
	struct walk w = {0};
	size_t len;

	(void)state;
	for (size_t i = 0; i < N; i++) {
		uint8_t *c = chunks + CL * i;

		memset(c, 0, CL);
		c[1] = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E;
		jitsim_put_be16(c + 2, CL);
		jitsim_put_be32(c + 4, (uint32_t)i);
		jitsim_put_be32(c + 12, JITSIM_PPID_DIAMETER);
		c[16] = 1; /* Diameter version 1, length cut off */
	}
	len = sctp_frame(buf, sizeof(buf), chunks, sizeof(chunks), 3868);
	assert_int_equal(walk_frame(buf, len, &w), JITSIM_R_TCP_PARTIAL);
	assert_int_equal(w.ok, 0);
	assert_int_equal(w.drops[JITSIM_R_TCP_PARTIAL], N);
}

/* SACK before DATA, and two DATA chunks carrying two messages in one packet. */
static void
test_bundles(void **state)
{
	uint8_t a[4096], b[4096], chunks[8192], frame[8300];
	struct jitsim_sample_info ia, ib;
	size_t la, lb, n = 0, off_a, off_b;
	struct walk w = {0};

	(void)state;
	/* Samples 0 and 2: SAI v2 and UL over IPv4, 0 and 2 VLANs. Take their chunks. */
	assert_int_equal(jitsim_sample_frame(0, a, sizeof(a), &la, &ia), JITSIM_R_OK);
	assert_int_equal(jitsim_sample_frame(2, b, sizeof(b), &lb, &ib), JITSIM_R_OK);
	off_a = 14 + 20 + 12;
	off_b = 14 + 4 * 2 + 20 + 12;
	/* SACK: cumulative TSN ack, a_rwnd, no gaps (RFC 9260 3.3.4). */
	static const uint8_t sack[16] = {3, 0, 0, 16, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 0};
	memcpy(chunks + n, sack, 16);
	n += 16;
	memcpy(chunks + n, a + off_a, la - off_a);
	n += (la - off_a + 3) & ~(size_t)3;
	memcpy(chunks + n, b + off_b, lb - off_b);
	n += lb - off_b;
	la = sctp_frame(frame, sizeof(frame), chunks, n, 2905);
	assert_int_equal(test_decode_exact(frame, la, walk_frame, &w), JITSIM_R_OK);
	assert_int_equal(w.ok, 2);
	assert_int_equal(w.drops[JITSIM_R_SCTP_NOT_DATA], 1);
	assert_int_equal(w.last.index, 1);
	assert_int_equal(w.last.op, ib.op);
	assert_string_equal(w.imsi, ib.imsi);
}

/* Segmented XUDT: the MO-ForwardSM of map_pcapr_m2pa_sms is only seen reassembled. */
struct sms_tally {
	unsigned int mo_fsm;
	unsigned int segmented;
	struct jitsim_frame_reasm *reasm;
};

static void
on_sms_frame(unsigned int frame_no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct sms_tally *t = ctx;
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;

	(void)frame_no;
	jitsim_frame_iter_init(&it, (uint32_t)dlt, p, len, t->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		t->segmented += r == JITSIM_R_SCCP_SEGMENTED;
		if (r == JITSIM_R_OK && m.op == JITSIM_MAP_OP_MO_FORWARD_SM && m.is_request) {
			t->mo_fsm++;
			assert_true(m.map.reassembled);
			assert_int_equal(m.carrier, JITSIM_CARRIER_M2PA);
			assert_true(m.has_imsi);
			assert_string_equal(m.imsi->d, "228012120109856");
		}
	}
}

static void
test_sccp_reassembly(void **state)
{
	static struct jitsim_frame_reasm reasm;
	struct sms_tally with = {.reasm = &reasm}, without = {0};
	(void)state;
	jitsim_frame_reasm_init(&reasm);
	test_capture_foreach("map_pcapr_m2pa_sms.pcap", on_sms_frame, &with);
	test_capture_foreach("map_pcapr_m2pa_sms.pcap", on_sms_frame, &without);
	/* tshark: 3 MO-ForwardSM, each reassembled from 2 XUDT segments. */
	assert_int_equal(with.mo_fsm, 3);
	assert_int_equal(reasm.sccp.completed, 3);
	assert_int_equal(without.mo_fsm, 0);
	assert_true(without.segmented >= 6);
}

/* Fragmented SCTP user message: the Gx CCA of s6a_magma_gxgy06 frame 30-31. */
struct frag_tally {
	unsigned int cca;
	struct jitsim_frame_reasm *reasm;
};

static void
on_gx_frame(unsigned int frame_no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct frag_tally *t = ctx;
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;

	jitsim_frame_iter_init(&it, (uint32_t)dlt, p, len, t->reasm, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END)
		if (r == JITSIM_R_OK && frame_no == 31) {
			assert_int_equal(m.op, 272);
			assert_int_equal(m.diam.hdr.app_id, 16777238);
			assert_int_equal(m.diam.hdr.length, 1536);
			t->cca++;
		}
}

static void
test_sctp_reassembly(void **state)
{
	static struct jitsim_frame_reasm reasm;
	struct frag_tally with = {.reasm = &reasm}, without = {0};
	(void)state;
	jitsim_frame_reasm_init(&reasm);
	test_capture_foreach("s6a_magma_gxgy06.pcapng", on_gx_frame, &with);
	test_capture_foreach("s6a_magma_gxgy06.pcapng", on_gx_frame, &without);
	assert_int_equal(with.cca, 1);
	assert_int_equal(reasm.sctp.completed, 1);
	assert_int_equal(without.cca, 0);
}

/* Reassembly contexts: eviction, out-of-order, and the size limit. */
static void
test_reasm_limits(void **state)
{
	static struct jitsim_sctp_reasm r;
	static uint8_t big[JITSIM_SCTP_REASM_MAX];
	struct jitsim_sctp s = {.sport = 1, .dport = 2, .vtag = 3};
	struct jitsim_sctp_data d = {.fragment = true, .stream = 1, .ssn = 1};
	const uint8_t *data;
	size_t len;

	(void)state;
	jitsim_sctp_reasm_init(&r);
	/* A last fragment without its first: dropped and counted. */
	d.flags = JITSIM_SCTP_DATA_E;
	d.tsn = 10;
	d.payload = big;
	d.payload_len = 10;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_SCTP_FRAGMENT);
	assert_int_equal(r.out_of_order, 1);
	/* First + last with a TSN gap: the last does not continue the message. */
	d.flags = JITSIM_SCTP_DATA_B;
	d.tsn = 20;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_SCTP_FRAGMENT);
	d.flags = JITSIM_SCTP_DATA_E;
	d.tsn = 22;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_SCTP_FRAGMENT);
	/* In order: completes with both payloads. */
	d.tsn = 21;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_OK);
	assert_int_equal(len, 20);
	/* Over the size limit. */
	d.flags = JITSIM_SCTP_DATA_B;
	d.tsn = 30;
	d.payload_len = sizeof(big);
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_SCTP_FRAGMENT);
	d.flags = 0;
	d.tsn = 31;
	d.payload_len = 1;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_BAD_LENGTH);
	/* More first fragments than slots: the oldest goes. */
	for (unsigned int i = 0; i < JITSIM_SCTP_REASM_SLOTS + 2; i++) {
		d.flags = JITSIM_SCTP_DATA_B;
		d.ssn = (uint16_t)(100 + i);
		d.tsn = 1000 + 10 * i;
		assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len),
				 JITSIM_R_SCTP_FRAGMENT);
	}
	assert_true(r.evicted >= 2);
	/* Not a fragment at all. */
	d.fragment = false;
	assert_int_equal(jitsim_sctp_reasm_add(&r, &s, &d, &data, &len), JITSIM_R_BAD_PARAM);
}

/* Frames that stop early report the reason of the layer that stopped them. */
static void
test_layer_reasons(void **state)
{
	uint8_t buf[256];
	struct walk w = {0};
	size_t len;

	(void)state;
	/* ARP */
	memset(buf, 0, 64);
	jitsim_put_be16(buf + 12, 0x0806);
	assert_int_equal(walk_frame(buf, 64, &w), JITSIM_R_LINK_NOT_IP);
	/* UDP */
	len = sctp_frame(buf, sizeof(buf), (const uint8_t *)"", 0, 1);
	buf[23] = 17;
	assert_int_equal(walk_frame(buf, len, &w), JITSIM_R_L4_UNSUPPORTED);
	/* SCTP with an S1AP DATA chunk (PPID 18) */
	{
		uint8_t c[20] = {0, 3, 0, 20, 0, 0, 0, 1, 0, 1, 0, 0, 0, 0, 0, 18, 1, 2, 3, 4};

		len = sctp_frame(buf, sizeof(buf), c, sizeof(c), 36412);
		assert_int_equal(walk_frame(buf, len, &w), JITSIM_R_SCTP_PPID_UNKNOWN);
	}
	/* M3UA ASPUP on stream 0 */
	{
		uint8_t c[24] = {0, 3, 0, 24, 0, 0, 0, 1, 0, 0, 0, 0,
				 0, 0, 0, 3,  1, 0, 3, 1, 0, 0, 0, 8};

		len = sctp_frame(buf, sizeof(buf), c, sizeof(c), 2905);
		assert_int_equal(walk_frame(buf, len, &w), JITSIM_R_M3UA_NOT_DATA);
	}
	/* Unknown link type */
	w.dlt = 9999;
	assert_int_equal(walk_frame(buf, len, &w), JITSIM_R_LINK_UNSUPPORTED);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_round_trip),	cmocka_unit_test(test_prefixes),
		cmocka_unit_test(test_encoder_nospace), cmocka_unit_test(test_many_tiny_chunks),
		cmocka_unit_test(test_bundles),		cmocka_unit_test(test_sccp_reassembly),
		cmocka_unit_test(test_sctp_reassembly), cmocka_unit_test(test_reasm_limits),
		cmocka_unit_test(test_layer_reasons),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
