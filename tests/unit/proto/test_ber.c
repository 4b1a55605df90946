/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * BER reader/writer tests (ITU-T X.690 8.1). Real vectors: a TCAP message
 * with indefinite lengths (map_pcapr_gprs_attach_sai_ugl.pcap frame 5) and a
 * CAMEL InitialDP argument with multi-byte tags (map_wswiki_cap_mtp3.pcap
 * frame 28, tshark shows [50] 9f 32, [52] bf 34, [55] 9f 37).
 */

#include <setjmp.h>
#include <stdbool.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/ber.h>

#include "test_util.h"

/* TCAP Continue, map_pcapr_gprs_attach_sai_ugl.pcap frame 5: 6c 80 / a3 80 / a1 80. */
static const char v_tcap_indef[] =
	"6581aa4804840001ff4904a50500016b2a2828060700118605010101a01d611b"
	"80020780a109060704000001000e03a203020100a305a1030201006c80a26c02"
	"01013067020138a380a180305a04104b9d6191107536658cfe59880cd2ac2704"
	"104b8c43a2542050120467f333c00f42d804108c43a2542050120467f333c00f"
	"42d84b041043a2542050120467f333c00f42d84b8c0410a2551a058cdb00004b"
	"8d79f7caff5012000000000000";

/* InitialDP argument (CAP v2), map_wswiki_cap_mtp3.pcap frame 28. */
static const char v_idp[] = "3067800150830884136998052283f985010a8801008a0884136998051050f19c"
			    "01029f320824020301007925f5bf34098107916998051050f1bf350383010b9f"
			    "360831383532323938329f3707916998051020f99f3807916998153056f79f39"
			    "080290701212216362";

#define MAX_MSG 1024

static enum jitsim_reason
rd(const uint8_t *p, size_t len, void *ctx)
{
	return jitsim_ber_read(p, len, ctx);
}

static enum jitsim_reason
rd_hex(const char *hex, struct jitsim_ber_tlv *t, size_t *len)
{
	uint8_t m[MAX_MSG];
	size_t n = test_hex(hex, m, sizeof(m));

	if (len)
		*len = n;
	return test_decode_exact(m, n, rd, t);
}

static void
test_short_and_long_lengths(void **state)
{
	struct jitsim_ber_tlv t;
	uint8_t m[70000];
	size_t n;

	(void)state;
	assert_int_equal(rd_hex("02 01 05", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_UNIVERSAL);
	assert_false(t.constructed);
	assert_int_equal(t.tag, 2);
	assert_int_equal(t.id, 0x02);
	assert_false(t.indefinite);
	assert_int_equal(t.len, 1);
	assert_int_equal(t.total, 3);
	/* Zero length and the four classes. */
	assert_int_equal(rd_hex("05 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.len, 0);
	assert_int_equal(rd_hex("48 01 aa", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_APPLICATION);
	assert_int_equal(t.tag, 8);
	assert_int_equal(rd_hex("a3 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_CONTEXT);
	assert_true(t.constructed);
	assert_int_equal(t.tag, 3);
	assert_int_equal(rd_hex("e1 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_PRIVATE);
	/* Long forms, 1 to 4 length octets (X.690 8.1.3.5). */
	memset(m, 0x11, sizeof(m));
	m[0] = 0x04, m[1] = 0x81, m[2] = 0x80;
	assert_int_equal(test_decode_exact(m, 3 + 128, rd, &t), JITSIM_R_OK);
	assert_int_equal(t.len, 128);
	assert_int_equal(t.total, 131);
	m[1] = 0x82, m[2] = 0x01, m[3] = 0x00;
	assert_int_equal(test_decode_exact(m, 4 + 256, rd, &t), JITSIM_R_OK);
	assert_int_equal(t.len, 256);
	m[1] = 0x83, m[2] = 0x01, m[3] = 0x00, m[4] = 0x00;
	assert_int_equal(test_decode_exact(m, 5 + 65536, rd, &t), JITSIM_R_OK);
	assert_int_equal(t.len, 65536);
	/* Non-minimal long form is valid BER. */
	assert_int_equal(rd_hex("04 84 00 00 00 02 aa bb", &t, &n), JITSIM_R_OK);
	assert_int_equal(t.len, 2);
	assert_int_equal(t.total, 8);
	/* Trailing octets after the TLV are not its business. */
	assert_int_equal(rd_hex("02 01 05 ff ff", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.total, 3);
}

static void
test_multibyte_tags(void **state)
{
	struct jitsim_ber_tlv t;
	struct jitsim_ber_iter it;
	uint8_t m[MAX_MSG];
	size_t n;
	enum jitsim_reason r;
	unsigned int seen = 0;

	(void)state;
	assert_int_equal(rd_hex("9f 1f 01 aa", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.tag, 31);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_CONTEXT);
	assert_int_equal(t.id, 0x9f);
	assert_int_equal(t.total, 4);
	assert_int_equal(rd_hex("bf 81 00 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.tag, 128);
	assert_true(t.constructed);
	/* The largest tag number accepted: 2^28 - 1 in four octets. */
	assert_int_equal(rd_hex("5f ff ff ff 7f 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.tag, (1u << 28) - 1);
	assert_int_equal(t.cls, JITSIM_BER_CLASS_APPLICATION);
	assert_int_equal(t.total, 6);
	/* Beyond 2^28, and a padded first subsequent octet (X.690 8.1.2.4.2 c). */
	assert_int_equal(rd_hex("5f 81 80 80 80 00 00", &t, NULL), JITSIM_R_BER_BAD);
	assert_int_equal(rd_hex("5f 80 01 00", &t, NULL), JITSIM_R_BER_BAD);
	/* The InitialDP: walk its elements, tags as tshark decodes them. */
	n = test_hex(v_idp, m, sizeof(m));
	assert_int_equal(jitsim_ber_read(m, n, &t), JITSIM_R_OK);
	assert_int_equal(t.total, n);
	jitsim_ber_iter_init(&it, t.val, t.len);
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		static const uint32_t tags[] = {0, 3, 5, 8, 10, 28, 50, 52, 53, 54, 55, 56, 57};

		assert_true(seen < sizeof(tags) / sizeof(tags[0]));
		assert_int_equal(t.cls, JITSIM_BER_CLASS_CONTEXT);
		assert_int_equal(t.tag, tags[seen]);
		if (t.tag == 50) {
			assert_int_equal(t.id, 0x9f);
			assert_int_equal(t.len, 8);
		}
		if (t.tag == 52) {
			assert_true(t.constructed);
			assert_int_equal(t.total, 2 + 1 + 9);
		}
		seen++;
	}
	assert_int_equal(r, JITSIM_R_END);
	assert_int_equal(seen, 13);
	test_truncations(m, n, rd, &t, NULL);
}

static void
test_indefinite(void **state)
{
	struct jitsim_ber_tlv t = {0}, c = {0};
	struct jitsim_ber_iter it;
	uint8_t m[MAX_MSG];
	size_t n;

	(void)state;
	assert_int_equal(rd_hex("30 80 02 01 01 00 00", &t, NULL), JITSIM_R_OK);
	assert_true(t.indefinite);
	assert_int_equal(t.len, 3);
	assert_int_equal(t.total, 7);
	/* Nested indefinite values and an empty one. */
	assert_int_equal(rd_hex("30 80 30 80 02 01 01 00 00 a1 80 00 00 00 00 ff", &t, NULL),
			 JITSIM_R_OK);
	assert_int_equal(t.len, 11);
	assert_int_equal(t.total, 15);
	/* A definite child holding 00 00 is skipped whole, not taken for EOC. */
	assert_int_equal(rd_hex("30 80 04 02 00 00 00 00", &t, NULL), JITSIM_R_OK);
	assert_int_equal(t.len, 4);
	/* Errors: primitive indefinite, missing EOC, child overrun, tag 0 with a length. */
	assert_int_equal(rd_hex("04 80 00 00", &t, NULL), JITSIM_R_BER_BAD);
	assert_int_equal(rd_hex("30 80 02 01 01", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("30 80 02 01 01 00", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("30 80 04 05 00 00", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("30 80 00 01 00 00 00", &t, NULL), JITSIM_R_BER_BAD);
	assert_int_equal(rd_hex("30 80 02 85 00 00 00 00 01 00 00", &t, NULL), JITSIM_R_BER_BAD);
	/* The real TCAP Continue: component portion 6c 80 ... 00 00 at the end. */
	n = test_hex(v_tcap_indef, m, sizeof(m));
	assert_int_equal(jitsim_ber_read(m, n, &t), JITSIM_R_OK);
	assert_int_equal(t.total, n);
	assert_false(t.indefinite);
	jitsim_ber_iter_init(&it, t.val, t.len);
	while (jitsim_ber_next(&it, &c) == JITSIM_R_OK && c.id != 0x6c)
		;
	assert_int_equal(c.id, 0x6c);
	assert_true(c.indefinite);
	/* Contents run to the EOC that closes the message. */
	assert_ptr_equal(c.val + c.len + 2, m + n);
	assert_int_equal(c.len, 0x6c + 2);
	test_truncations(m, n, rd, &t, NULL);
}

/* Depth limit: JITSIM_BER_MAX_DEPTH nested indefinite values pass, one more fails. */
static void
test_depth(void **state)
{
	uint8_t m[4 * (JITSIM_BER_MAX_DEPTH + 2)];
	struct jitsim_ber_tlv t;

	(void)state;
	for (unsigned int depth = JITSIM_BER_MAX_DEPTH; depth <= JITSIM_BER_MAX_DEPTH + 1;
	     depth++) {
		size_t n = 0;

		for (unsigned int i = 0; i < depth; i++)
			m[n++] = 0x30, m[n++] = 0x80;
		for (unsigned int i = 0; i < depth; i++)
			m[n++] = 0, m[n++] = 0;
		assert_int_equal(test_decode_exact(m, n, rd, &t), depth <= JITSIM_BER_MAX_DEPTH
									  ? JITSIM_R_OK
									  : JITSIM_R_BER_TOO_DEEP);
	}
	/* Definite nesting is not walked, so it has no limit. */
	{
		uint8_t d[2 * 40];

		for (unsigned int i = 0; i < 40; i++)
			d[2 * i] = 0x30, d[2 * i + 1] = (uint8_t)(2 * (39 - i));
		assert_int_equal(test_decode_exact(d, sizeof(d), rd, &t), JITSIM_R_OK);
	}
}

static void
test_bad_lengths(void **state)
{
	struct jitsim_ber_tlv t;

	(void)state;
	assert_int_equal(rd_hex("", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("02", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("02 02 01", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("02 82 01", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("9f", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("9f 81", &t, NULL), JITSIM_R_TRUNCATED);
	assert_int_equal(rd_hex("9f 81 01", &t, NULL), JITSIM_R_TRUNCATED);
	/* 0xff is reserved; more than 4 length octets is refused. */
	assert_int_equal(rd_hex("04 ff 00", &t, NULL), JITSIM_R_BER_BAD);
	assert_int_equal(rd_hex("04 85 00 00 00 00 01 aa", &t, NULL), JITSIM_R_BER_BAD);
	/* Universal tag 0 is end-of-contents, not a TLV. */
	assert_int_equal(rd_hex("00 00", &t, NULL), JITSIM_R_BER_BAD);
	/* A 4-octet length larger than what is there. */
	assert_int_equal(rd_hex("04 84 ff ff ff ff 00", &t, NULL), JITSIM_R_TRUNCATED);
}

static void
test_int(void **state)
{
	static const struct {
		const char *hex;
		int64_t v;
	} ok[] = {
		{"00", 0},
		{"7f", 127},
		{"80", -128},
		{"ff", -1},
		{"00 80", 128},
		{"00 ff", 255},
		{"ff 7f", -129},
		{"01 00 00", 65536},
		{"7f ff ff ff ff ff ff ff", INT64_MAX},
		{"80 00 00 00 00 00 00 00", INT64_MIN},
	};
	uint8_t m[16];
	int64_t v;

	(void)state;
	for (size_t i = 0; i < sizeof(ok) / sizeof(ok[0]); i++) {
		size_t n = test_hex(ok[i].hex, m, sizeof(m));

		assert_int_equal(jitsim_ber_int(m, n, &v), JITSIM_R_OK);
		assert_true(v == ok[i].v);
	}
	assert_int_equal(jitsim_ber_int(m, 0, &v), JITSIM_R_BER_BAD);
	assert_int_equal(jitsim_ber_int(m, 9, &v), JITSIM_R_BER_BAD);
}

static void
test_iter(void **state)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t = {0};
	uint8_t m[64];
	size_t n;

	(void)state;
	/* Stops at end-of-contents even with octets after it. */
	n = test_hex("02 01 01 30 80 05 00 00 00 04 00 00 00 02 01 07", m, sizeof(m));
	jitsim_ber_iter_init(&it, m, n);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_OK);
	assert_int_equal(t.id, 0x02);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_OK);
	assert_int_equal(t.id, 0x30);
	assert_true(t.indefinite);
	assert_int_equal(t.total, 6);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_OK);
	assert_int_equal(t.id, 0x04);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_END);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_END);
	/* Empty. */
	jitsim_ber_iter_init(&it, m, 0);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_END);
	/* An error stops the walk for good. */
	n = test_hex("02 01 01 04 ff 02 01 01", m, sizeof(m));
	jitsim_ber_iter_init(&it, m, n);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_OK);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_BER_BAD);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_END);
	n = test_hex("02 05 01", m, sizeof(m));
	jitsim_ber_iter_init(&it, m, n);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_TRUNCATED);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_END);
	/* A lone trailing zero octet is a truncated TLV, not an EOC. */
	m[0] = 0;
	jitsim_ber_iter_init(&it, m, 1);
	assert_int_equal(jitsim_ber_next(&it, &t), JITSIM_R_TRUNCATED);
}

static bool
tlv_same(const struct jitsim_ber_tlv *a, const struct jitsim_ber_tlv *b)
{
	return a->cls == b->cls && a->constructed == b->constructed && a->tag == b->tag &&
	       a->id == b->id && a->indefinite == b->indefinite && a->val == b->val &&
	       a->len == b->len && a->total == b->total;
}

/*
 * The inline short-form paths (jitsim_ber_read(), jitsim_ber_next(),
 * jitsim_ber_next_expect(), jitsim_ber_int()) against the general code they
 * stand in for, on every short input built from octets that sit on their
 * boundaries: identifiers 0, 0x1f-style and ordinary, lengths 0, 0x7f, 0x80
 * and beyond, buffers one octet short.
 */
static void
test_inline_paths_agree(void **state)
{
	static const uint8_t oct[] = {0x00, 0x01, 0x02, 0x04, 0x1f, 0x30,
				      0x7f, 0x80, 0x81, 0x9f, 0xa1, 0xff};
	const size_t no = sizeof(oct);
	uint8_t m[5];

	(void)state;
	for (size_t code = 0; code < no * no * no * no * no; code++) {
		size_t c = code;

		for (size_t i = 0; i < sizeof(m); i++, c /= no)
			m[i] = oct[c % no];
		for (size_t len = 0; len <= sizeof(m); len++) {
			/* Exactly len octets, so that ASan sees any over-read. */
			uint8_t *p = malloc(len ? len : 1);
			struct jitsim_ber_tlv a, b;
			struct jitsim_ber_iter i1, i2;
			enum jitsim_reason r1, r2;
			int64_t v1 = 0, v2 = 0;

			memcpy(p, m, len);
			r1 = jitsim_ber_read(p, len, &a);
			r2 = jitsim_ber_read_slow(p, len, &b);
			assert_int_equal(r1, r2);
			if (r1 == JITSIM_R_OK)
				assert_true(tlv_same(&a, &b));
			for (size_t e = 0; e < 3; e++) {
				static const uint8_t ids[] = {0x02, 0x30, 0xa1};

				jitsim_ber_iter_init(&i1, p, len);
				jitsim_ber_iter_init(&i2, p, len);
				for (int k = 0; k < 3; k++) {
					r1 = jitsim_ber_next_expect(&i1, ids[e], &a);
					r2 = jitsim_ber_next_slow(&i2, &b);
					assert_int_equal(r1, r2);
					assert_ptr_equal(i1.p, i2.p);
					assert_int_equal(i1.left, i2.left);
					if (r1 != JITSIM_R_OK)
						break;
					assert_true(tlv_same(&a, &b));
				}
			}
			if (len > 0) {
				r1 = jitsim_ber_int(p, len, &v1);
				r2 = jitsim_ber_int_slow(p, len, &v2);
				assert_int_equal(r1, r2);
				assert_true(v1 == v2);
			}
			free(p);
		}
	}
}

static void
test_prepend_hdr(void **state)
{
	static const struct {
		size_t len;
		const char *hdr;
	} cases[] = {
		{0, "30 00"},
		{127, "30 7f"},
		{128, "30 81 80"},
		{255, "30 81 ff"},
		{256, "30 82 01 00"},
		{65535, "30 82 ff ff"},
		{65536, "30 83 01 00 00"},
		{0x1000000, "30 84 01 00 00 00"},
	};

	(void)state;
	for (size_t i = 0; i < sizeof(cases) / sizeof(cases[0]); i++) {
		uint8_t want[8], buf[8];
		size_t n = test_hex(cases[i].hdr, want, sizeof(want));
		struct jitsim_wbuf w;

		/* Every too-small headroom fails and leaves the buffer alone. */
		for (size_t room = 0; room < n; room++) {
			jitsim_wbuf_init(&w, buf, room, room);
			assert_int_equal(jitsim_ber_prepend_hdr(&w, 0x30, cases[i].len),
					 JITSIM_R_NOSPACE);
			assert_int_equal(w.head, room);
		}
		jitsim_wbuf_init(&w, buf, n, n);
		assert_int_equal(jitsim_ber_prepend_hdr(&w, 0x30, cases[i].len), JITSIM_R_OK);
		assert_int_equal(jitsim_wbuf_len(&w), n);
		assert_memory_equal(jitsim_wbuf_data(&w), want, n);
	}
	/* A length that needs more than 4 octets cannot be written. */
	if (sizeof(size_t) > 4) {
		uint8_t buf[8];
		struct jitsim_wbuf w;

		jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
		assert_int_equal(jitsim_ber_prepend_hdr(&w, 0x30, (size_t)UINT32_MAX + 1),
				 JITSIM_R_NOSPACE);
		assert_int_equal(w.head, sizeof(buf));
	}
}

static void
test_prepend_tlv_roundtrip(void **state)
{
	uint8_t buf[400], val[300];
	struct jitsim_wbuf w;
	struct jitsim_ber_tlv t;

	(void)state;
	for (size_t i = 0; i < sizeof(val); i++)
		val[i] = (uint8_t)i;
	for (size_t len = 0; len <= sizeof(val); len += 37) {
		size_t need = len + (len < 128 ? 2 : len < 256 ? 3 : 4);

		for (size_t room = 0; room <= need; room++) {
			jitsim_wbuf_init(&w, buf, room, room);
			if (room < need) {
				assert_int_equal(jitsim_ber_prepend_tlv(&w, 0x84, val, len),
						 JITSIM_R_NOSPACE);
				assert_int_equal(w.head, room);
				assert_int_equal(jitsim_wbuf_len(&w), 0);
				continue;
			}
			assert_int_equal(jitsim_ber_prepend_tlv(&w, 0x84, val, len), JITSIM_R_OK);
			assert_int_equal(jitsim_wbuf_len(&w), need);
			assert_int_equal(
				jitsim_ber_read(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &t),
				JITSIM_R_OK);
			assert_int_equal(t.id, 0x84);
			assert_int_equal(t.len, len);
			assert_int_equal(t.total, need);
			assert_memory_equal(t.val, val, len);
		}
	}
	/* NULL value with zero length. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	assert_int_equal(jitsim_ber_prepend_tlv(&w, 0x05, NULL, 0), JITSIM_R_OK);
	assert_int_equal(jitsim_wbuf_len(&w), 2);
	assert_int_equal(buf[sizeof(buf) - 2], 0x05);
	assert_int_equal(buf[sizeof(buf) - 1], 0x00);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_short_and_long_lengths),
		cmocka_unit_test(test_multibyte_tags),
		cmocka_unit_test(test_indefinite),
		cmocka_unit_test(test_depth),
		cmocka_unit_test(test_bad_lengths),
		cmocka_unit_test(test_int),
		cmocka_unit_test(test_iter),
		cmocka_unit_test(test_inline_paths_agree),
		cmocka_unit_test(test_prepend_hdr),
		cmocka_unit_test(test_prepend_tlv_roundtrip),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
