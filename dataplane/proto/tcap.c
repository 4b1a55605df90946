/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * ITU-T TCAP message decoder (Q.773 4.2): transaction portion (Q.773 Table
 * 8-12), dialogue portion (Q.773 4.2.2, X.227 AARQ/AARE/ABRT, Q.773 Table
 * 49-50) and component portion (Q.773 Table 14-20). Every length may be in
 * any BER form; ber.c hides that.
 */

#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/tcap.h>

#include "dump.h"

/* Transaction portion elements (Q.773 Table 9, APPLICATION class). */
#define TAG_OTID 0x48
#define TAG_DTID 0x49
#define TAG_PABORT 0x4a
#define TAG_DIALOGUE 0x6b
#define TAG_COMPONENTS 0x6c
/* Universal tags used inside. */
#define TAG_INTEGER 0x02
#define TAG_NULL 0x05
#define TAG_OID 0x06
#define TAG_SEQUENCE 0x30
#define TAG_EXTERNAL 0x28
/* EXTERNAL single-ASN1-type [0] (X.690 8.18) and AARQ/AARE fields (X.227). */
#define TAG_SINGLE_ASN1 0xa0
#define TAG_ACN 0xa1
#define TAG_LINKED_ID 0x80
/* Reject problem [0]..[3] (Q.773 Table 20). */
#define TAG_PROBLEM_MIN 0x80
#define TAG_PROBLEM_MAX 0x83

/* dialogue-as-id 0.0.17.773.1.1.1 and uni-dialogue-as-id 0.0.17.773.1.2.1 (Q.773 4.2.2). */
static const uint8_t oid_dialogue_as_id[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};
static const uint8_t oid_uni_dialogue_as_id[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x02, 0x01};

/* MAP application contexts 0.4.0.0.1.0.<ac>.<version> (TS 29.002 17.3.3). */
static const uint8_t map_acn_prefix[] = {0x04, 0x00, 0x00, 0x01, 0x00};
/*
 * CAMEL phase 1/2 reuse the same arc with ac 50-52 (TS 29.078: e.g.
 * CAP-v2 gsmSSF-to-gsmSCF is 0.4.0.0.1.0.50.1), so they are not MAP.
 */
#define MAP_AC_MAX 49
#define MAP_VERSION_MAX 4

/*
 * For the helpers on the path of a typical message (a Begin or Continue
 * with a dialogue portion and one Invoke): inlined whatever the size of
 * the caller, so that the TLVs they read stay in registers.
 */
#define HOT_INLINE inline __attribute__((always_inline))

/*
 * Inline in the decoder; jitsim_tcap_acn_is_map() is the public face. The
 * prefix is compared octet by octet: a memcmp() of a non-constant pointer
 * may become a library call once inlined.
 */
static HOT_INLINE bool
acn_is_map(const uint8_t *p, size_t len, uint8_t *ac, uint8_t *version)
{
	uint32_t w, prefix;

	if (len != sizeof(map_acn_prefix) + 2)
		return false;
	/* The first four prefix octets as one word (folded to a constant). */
	memcpy(&w, p, sizeof(w));
	memcpy(&prefix, map_acn_prefix, sizeof(prefix));
	if (w != prefix || p[4] != map_acn_prefix[4])
		return false;
	/* 1..MAP_AC_MAX and 1..MAP_VERSION_MAX, with one unsigned compare each. */
	if ((uint8_t)(p[5] - 1) >= MAP_AC_MAX || (uint8_t)(p[6] - 1) >= MAP_VERSION_MAX)
		return false;
	*ac = p[5];
	*version = p[6];
	return true;
}

bool
jitsim_tcap_acn_is_map(const uint8_t *p, size_t len, uint8_t *ac, uint8_t *version)
{
	return acn_is_map(p, len, ac, version);
}

/*
 * Elements are matched on their whole identifier octet, so the primitive /
 * constructed form is checked by the match itself (0x48 is a primitive
 * OTID, 0x6c a constructed component portion, ...).
 */

/* OrigTransactionID / DestTransactionID: OCTET STRING SIZE (1..4) (Q.773 Table 10). */
static HOT_INLINE enum jitsim_reason
tcap_tid(const struct jitsim_ber_tlv *t, bool *has, uint32_t *id, uint8_t *id_len)
{
	const uint8_t *b = t->val;
	uint32_t v = 0;

	if (*has || t->len < 1 || t->len > 4)
		return JITSIM_R_TCAP_BAD;
	/* Four octets is what MAP peers use: one big-endian load. */
	if (t->len == 4)
		v = (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
	else
		for (size_t i = 0; i < t->len; i++)
			v = v << 8 | b[i];
	*has = true;
	*id = v;
	*id_len = (uint8_t)t->len;
	return JITSIM_R_OK;
}

/* 48|49 04 <id>: a four-octet transaction ID next. */
static HOT_INLINE bool
tid4_next(struct jitsim_ber_iter *it, uint8_t tag, uint32_t *id)
{
	const uint8_t *b = it->p;

	if (it->left < 6 || b[0] != tag || b[1] != 4)
		return false;
	*id = (uint32_t)b[2] << 24 | (uint32_t)b[3] << 16 | (uint32_t)b[4] << 8 | b[5];
	it->p += 6;
	it->left -= 6;
	return true;
}

/* A primitive INTEGER that must fit in @p min..max. */
static enum jitsim_reason
tcap_small_int(const struct jitsim_ber_tlv *t, int64_t min, int64_t max, int64_t *v)
{
	if (jitsim_ber_int(t->val, t->len, v) != JITSIM_R_OK)
		return JITSIM_R_BER_BAD;
	if (*v < min || *v > max)
		return JITSIM_R_TCAP_BAD;
	return JITSIM_R_OK;
}

/*
 * A local operation or error code (Q.773 Table 17: INTEGER). MAP codes are
 * 0..255; a code sent as one octet with the top bit set (a common encoder
 * bug: as two's complement it would be negative) is read as unsigned. A
 * value outside an octet is valid TCAP but not a MAP code: *has is false.
 */
static enum jitsim_reason
tcap_local_code(const struct jitsim_ber_tlv *t, bool *has, uint8_t *code)
{
	int64_t v;

	if (jitsim_ber_int(t->val, t->len, &v) != JITSIM_R_OK)
		return JITSIM_R_BER_BAD;
	if (v < 0 && t->len == 1)
		v += 256;
	*has = v >= 0 && v <= 255;
	*code = *has ? (uint8_t)v : 0;
	return JITSIM_R_OK;
}

/*
 * 02 01 xx next: a one-octet INTEGER, which is how invoke IDs and local
 * operation and error codes are sent. Callers then conclude what the
 * general path would from these three octets (the TLV fits, and any
 * one-octet value is in range) without decoding it as a TLV.
 */
static HOT_INLINE bool
int1_next(struct jitsim_ber_iter *it, uint8_t *v)
{
	if (it->left < 3 || it->p[0] != TAG_INTEGER || it->p[1] != 1)
		return false;
	*v = it->p[2];
	it->p += 3;
	it->left -= 3;
	return true;
}

/* Next element of a component, with the position where its TLV starts. */
static HOT_INLINE enum jitsim_reason
comp_next(struct jitsim_ber_iter *it, struct jitsim_ber_tlv *t, const uint8_t **start)
{
	*start = it->p;
	return jitsim_ber_next(it, t);
}

/* Operation code (local INTEGER or global OID) of Invoke / ReturnResult. */
static enum jitsim_reason
comp_opcode(const struct jitsim_ber_tlv *t, struct jitsim_tcap_component *c)
{
	if (t->id == TAG_INTEGER)
		return tcap_local_code(t, &c->has_opcode, &c->opcode);
	/* A global (OID) code is no MAP operation: has_opcode stays false. */
	if (t->id == TAG_OID)
		return JITSIM_R_OK;
	return JITSIM_R_TCAP_BAD;
}

/*
 * The optional trailing parameter: the whole TLV is kept so the MAP decoder
 * sees its tag (v2 bare IMSI vs v3 SEQUENCE). Nothing may follow it.
 */
static HOT_INLINE enum jitsim_reason
comp_param(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_tlv t;
	const uint8_t *start;
	enum jitsim_reason r;

	r = comp_next(it, &t, &start);
	if (r == JITSIM_R_END)
		return JITSIM_R_OK;
	if (r != JITSIM_R_OK)
		return r;
	c->param = start;
	c->param_len = t.total;
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_OK;
	return r == JITSIM_R_OK ? JITSIM_R_TCAP_BAD : r;
}

/* First element of every component: invokeID INTEGER (-128..127). */
static HOT_INLINE enum jitsim_reason
comp_invoke_id(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c, bool null_ok)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;
	uint8_t id;
	int64_t v;

	if (int1_next(it, &id)) {
		c->has_invoke_id = true;
		c->invoke_id = (int8_t)id;
		return JITSIM_R_OK;
	}
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	/* Q.773 Table 20: a Reject may say the invoke ID is not derivable. */
	if (null_ok && t.id == TAG_NULL)
		return t.len == 0 ? JITSIM_R_OK : JITSIM_R_TCAP_BAD;
	if (t.id != TAG_INTEGER)
		return JITSIM_R_TCAP_BAD;
	r = tcap_small_int(&t, -128, 127, &v);
	if (r != JITSIM_R_OK)
		return r;
	c->has_invoke_id = true;
	c->invoke_id = (int8_t)v;
	return JITSIM_R_OK;
}

/* Invoke (Q.773 Table 15): invokeID, [linkedID], opcode, [parameter]. */
static HOT_INLINE enum jitsim_reason
comp_invoke(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;
	int64_t v;

	/* Usually no linked ID: a local opcode comes next (read as unsigned). */
	if (int1_next(it, &c->opcode)) {
		c->has_opcode = true;
		return comp_param(it, c);
	}
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	if (t.id == TAG_LINKED_ID) {
		r = tcap_small_int(&t, -128, 127, &v);
		if (r != JITSIM_R_OK)
			return r;
		c->has_linked_id = true;
		c->linked_id = (int8_t)v;
		r = jitsim_ber_next(it, &t);
		if (r == JITSIM_R_END)
			return JITSIM_R_TCAP_BAD;
		if (r != JITSIM_R_OK)
			return r;
	}
	r = comp_opcode(&t, c);
	if (r != JITSIM_R_OK)
		return r;
	return comp_param(it, c);
}

/* ReturnResult (Q.773 Table 16): invokeID, [SEQUENCE { opcode, parameter }]. */
static enum jitsim_reason
comp_result(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_iter seq;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_OK;
	if (r != JITSIM_R_OK)
		return r;
	if (t.id != TAG_SEQUENCE)
		return JITSIM_R_TCAP_BAD;
	jitsim_ber_iter_init(&seq, t.val, t.len);
	if (int1_next(&seq, &c->opcode)) {
		c->has_opcode = true;
	} else {
		r = jitsim_ber_next(&seq, &t);
		if (r == JITSIM_R_END)
			return JITSIM_R_TCAP_BAD;
		if (r != JITSIM_R_OK)
			return r;
		r = comp_opcode(&t, c);
		if (r != JITSIM_R_OK)
			return r;
	}
	r = comp_param(&seq, c);
	if (r != JITSIM_R_OK)
		return r;
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_OK;
	return r == JITSIM_R_OK ? JITSIM_R_TCAP_BAD : r;
}

/* ReturnError (Q.773 Table 18): invokeID, errorCode, [parameter]. */
static enum jitsim_reason
comp_error(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	if (int1_next(it, &c->error)) {
		c->has_error = true;
		return comp_param(it, c);
	}
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	if (t.id == TAG_INTEGER)
		r = tcap_local_code(&t, &c->has_error, &c->error);
	else if (t.id != TAG_OID)
		r = JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	return comp_param(it, c);
}

/* Reject (Q.773 Table 19): invokeID or NULL, problem [0]..[3]. */
static enum jitsim_reason
comp_reject(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;
	int64_t v;

	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	if (t.id < TAG_PROBLEM_MIN || t.id > TAG_PROBLEM_MAX)
		return JITSIM_R_TCAP_BAD;
	r = tcap_small_int(&t, 0, 255, &v);
	if (r != JITSIM_R_OK)
		return r;
	c->has_problem = true;
	c->problem_type = t.id - TAG_PROBLEM_MIN;
	c->problem = (uint8_t)v;
	r = jitsim_ber_next(it, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_OK;
	return r == JITSIM_R_OK ? JITSIM_R_TCAP_BAD : r;
}

static HOT_INLINE void
comp_init(struct jitsim_tcap_component *c, uint8_t type)
{
	c->type = type;
	c->has_invoke_id = c->has_linked_id = c->has_opcode = false;
	c->has_error = c->has_problem = false;
	c->invoke_id = c->linked_id = 0;
	c->opcode = c->error = c->problem = c->problem_type = 0;
	c->param = NULL;
	c->param_len = 0;
}

static HOT_INLINE enum jitsim_reason
tcap_component(const struct jitsim_ber_tlv *ct, struct jitsim_tcap_component *c)
{
	struct jitsim_ber_iter it;
	enum jitsim_reason r;

	comp_init(c, ct->id);
	jitsim_ber_iter_init(&it, ct->val, ct->len);
	switch (ct->id) {
	case JITSIM_TCAP_INVOKE:
		r = comp_invoke_id(&it, c, false);
		return r != JITSIM_R_OK ? r : comp_invoke(&it, c);
	case JITSIM_TCAP_RESULT_LAST:
	case JITSIM_TCAP_RESULT_NOT_LAST:
		r = comp_invoke_id(&it, c, false);
		return r != JITSIM_R_OK ? r : comp_result(&it, c);
	case JITSIM_TCAP_ERROR:
		r = comp_invoke_id(&it, c, false);
		return r != JITSIM_R_OK ? r : comp_error(&it, c);
	case JITSIM_TCAP_REJECT:
		r = comp_invoke_id(&it, c, true);
		return r != JITSIM_R_OK ? r : comp_reject(&it, c);
	default:
		return JITSIM_R_TCAP_BAD;
	}
}

/*
 * The usual Invoke, a1 L 02 01 <id> 02 01 <opcode> [parameter], with a
 * short length that covers those eight octets: what the general path
 * concludes from them (see int1_next()), from one look at the header. The
 * parameter goes through comp_param() as usual; *r is its outcome.
 * False (nothing consumed) for anything else.
 */
static HOT_INLINE bool
comp_invoke_fast(struct jitsim_ber_iter *it, struct jitsim_tcap_component *c, enum jitsim_reason *r)
{
	const uint8_t *p = it->p;
	struct jitsim_ber_iter body;
	size_t len;

	if (it->left < 8 || p[0] != JITSIM_TCAP_INVOKE || p[2] != TAG_INTEGER || p[3] != 1 ||
	    p[5] != TAG_INTEGER || p[6] != 1)
		return false;
	len = p[1];
	if (len >= 0x80 || len > it->left - 2 || len < 6)
		return false;
	comp_init(c, JITSIM_TCAP_INVOKE);
	c->has_invoke_id = true;
	c->invoke_id = (int8_t)p[4];
	c->has_opcode = true;
	c->opcode = p[7];
	jitsim_ber_iter_init(&body, p + 8, len - 6);
	*r = comp_param(&body, c);
	it->p += 2 + len;
	it->left -= 2 + len;
	return true;
}

/* Component portion (Q.773 Table 14): a sequence of components. */
static enum jitsim_reason
tcap_components(const struct jitsim_ber_tlv *cp, struct jitsim_tcap *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	jitsim_ber_iter_init(&it, cp->val, cp->len);
	for (;;) {
		if (out->n_comp < JITSIM_TCAP_MAX_COMPONENTS &&
		    comp_invoke_fast(&it, &out->comp[out->n_comp], &r)) {
			if (r != JITSIM_R_OK)
				return r;
			out->n_comp++;
			continue;
		}
		r = jitsim_ber_next(&it, &t);
		if (r != JITSIM_R_OK)
			break;
		if (out->n_comp == JITSIM_TCAP_MAX_COMPONENTS)
			return JITSIM_R_TCAP_TOO_MANY_COMPONENTS;
		r = tcap_component(&t, &out->comp[out->n_comp]);
		if (r != JITSIM_R_OK)
			return r;
		out->n_comp++;
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

/* Find the first element @p id in constructed @p t; END if absent. */
static enum jitsim_reason
tcap_find(const struct jitsim_ber_tlv *t, uint8_t id, struct jitsim_ber_tlv *found)
{
	struct jitsim_ber_iter it;
	enum jitsim_reason r;

	jitsim_ber_iter_init(&it, t->val, t->len);
	while ((r = jitsim_ber_next_expect(&it, id, found)) == JITSIM_R_OK)
		if (found->id == id)
			return JITSIM_R_OK;
	return r;
}

/* Octets p[0..7] as a number, p[0] least significant, on any host. */
static HOT_INLINE uint64_t
le64(const uint8_t *p)
{
	return (uint64_t)p[0] | (uint64_t)p[1] << 8 | (uint64_t)p[2] << 16 | (uint64_t)p[3] << 24 |
	       (uint64_t)p[4] << 32 | (uint64_t)p[5] << 40 | (uint64_t)p[6] << 48 |
	       (uint64_t)p[7] << 56;
}

/* The value le64() gives for octets a..h. */
#define OCTETS8(a, b, c, d, e, f, g, h)                                                   \
	((uint64_t)(a) | (uint64_t)(b) << 8 | (uint64_t)(c) << 16 | (uint64_t)(d) << 24 | \
	 (uint64_t)(e) << 32 | (uint64_t)(f) << 40 | (uint64_t)(g) << 48 | (uint64_t)(h) << 56)

/*
 * The dialogue portion as MAP peers send it: all lengths short definite,
 *   28 L1  06 07 <dialogue-as-id>  a0 L2  60|61 L3  [80 L <version>]  a1 L4  06 L5 <ACN> ...
 * i.e. EXTERNAL, direct-reference, single-ASN1-type, an AARQ or AARE whose
 * application context [1] comes first or after the protocol version.
 * Every test below is one tcap_dialogue() makes on the same octets (each
 * element fits in what is left of its container, the ACN is not empty), so
 * when this returns true the outcome is the same; checked in a straight
 * line on fixed offsets instead of one TLV at a time. Anything else
 * (indefinite or long lengths, a uni-dialogue, ABRT, other elements first)
 * returns false and is left to the general path.
 */
static HOT_INLINE bool
tcap_dialogue_fast(const uint8_t *v, size_t n, struct jitsim_tcap *out)
{
	const uint8_t *oid = oid_dialogue_as_id;
	size_t l1, l2, l3, l4, l5, off, left;

	/*
	 * The fixed octets 0-14 as two overlapping words, lengths masked out:
	 * 28 __ 06 07 <oid 0-3> and <oid 3-6> a0 __ 60|61 __.
	 */
	if (n < 15 ||
	    (le64(v) & OCTETS8(0xff, 0, 0xff, 0xff, 0xff, 0xff, 0xff, 0xff)) !=
		    OCTETS8(TAG_EXTERNAL, 0, TAG_OID, sizeof(oid_dialogue_as_id), oid[0], oid[1],
			    oid[2], oid[3]) ||
	    (le64(v + 7) & OCTETS8(0xff, 0xff, 0xff, 0xff, 0xff, 0, 0xfe, 0)) !=
		    OCTETS8(oid[3], oid[4], oid[5], oid[6], TAG_SINGLE_ASN1, 0, JITSIM_TCAP_AARQ,
			    0))
		return false;
	l1 = v[1];
	l2 = v[12];
	l3 = v[14];
	/* Short forms; EXTERNAL in the portion, [0] after the OID, the PDU in [0]. */
	if (((l1 | l2 | l3) & 0x80) || l1 > n - 2 || l1 < 11 || l2 > l1 - 11 || l2 < 2 ||
	    l3 > l2 - 2)
		return false;
	/* The PDU contents: optional protocol-version [0], then [1]. */
	off = 15;
	left = l3;
	if (left >= 2 && v[off] == 0x80 && v[off + 1] < 0x80 && v[off + 1] <= left - 2) {
		left -= 2 + (size_t)v[off + 1];
		off += 2 + (size_t)v[off + 1];
	}
	if (left < 4 || v[off] != TAG_ACN || v[off + 2] != TAG_OID)
		return false;
	l4 = v[off + 1];
	l5 = v[off + 3];
	if (((l4 | l5) & 0x80) || l4 > left - 2 || l4 < 2 || l5 > l4 - 2 || l5 == 0)
		return false;
	out->has_dialogue = true;
	out->dialogue_pdu = v[13];
	out->acn = v + off + 4;
	out->acn_len = l5;
	out->is_map_acn = acn_is_map(out->acn, l5, &out->map_ac, &out->map_version);
	return true;
}

/*
 * Dialogue portion (Q.773 4.2.2): EXTERNAL { direct-reference OID,
 * single-ASN1-type [0] { AARQ | AARE | ABRT | AUDT } }; the application
 * context name is AARQ/AARE/AUDT field [1] { OID } (X.227 / Q.773 Table 49).
 */
static enum jitsim_reason __attribute__((noinline))
tcap_dialogue_slow(const struct jitsim_ber_tlv *dp, struct jitsim_tcap *out)
{
	struct jitsim_ber_tlv ext, t, pdu, acn;
	struct jitsim_ber_iter it;
	enum jitsim_reason r;
	bool uni;
	/* Expected identifiers first: the common encoding takes the short path. */
	jitsim_ber_iter_init(&it, dp->val, dp->len);
	r = jitsim_ber_next_expect(&it, TAG_EXTERNAL, &ext);
	if (r == JITSIM_R_END || (r == JITSIM_R_OK && ext.id != TAG_EXTERNAL))
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	/* direct-reference comes first (X.690 8.18.1: EXTERNAL field order). */
	jitsim_ber_iter_init(&it, ext.val, ext.len);
	r = jitsim_ber_next_expect(&it, TAG_OID, &t);
	if (r == JITSIM_R_END || (r == JITSIM_R_OK && t.id != TAG_OID))
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	if (t.len == sizeof(oid_dialogue_as_id) &&
	    !memcmp(t.val, oid_dialogue_as_id, sizeof(oid_dialogue_as_id)))
		uni = false;
	else if (t.len == sizeof(oid_uni_dialogue_as_id) &&
		 !memcmp(t.val, oid_uni_dialogue_as_id, sizeof(oid_uni_dialogue_as_id)))
		uni = true;
	else
		return JITSIM_R_TCAP_BAD;
	/* Skip indirect-reference / data-value-descriptor up to the encoding. */
	while ((r = jitsim_ber_next_expect(&it, TAG_SINGLE_ASN1, &t)) == JITSIM_R_OK &&
	       t.id != TAG_SINGLE_ASN1)
		;
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	jitsim_ber_iter_init(&it, t.val, t.len);
	r = jitsim_ber_next(&it, &pdu);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	out->has_dialogue = true;
	out->dialogue_pdu = pdu.id;
	switch (pdu.id) {
	case JITSIM_TCAP_AARQ: /* also AUDT in a uni-dialogue */
		break;
	case JITSIM_TCAP_AARE:
	case JITSIM_TCAP_ABRT:
		if (uni)
			return JITSIM_R_TCAP_BAD;
		/* ABRT carries no application context (X.227 ABRT-apdu). */
		if (pdu.id == JITSIM_TCAP_ABRT)
			return JITSIM_R_OK;
		break;
	default:
		return JITSIM_R_TCAP_BAD;
	}
	r = tcap_find(&pdu, TAG_ACN, &t);
	if (r == JITSIM_R_END)
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	jitsim_ber_iter_init(&it, t.val, t.len);
	r = jitsim_ber_next_expect(&it, TAG_OID, &acn);
	if (r == JITSIM_R_END || (r == JITSIM_R_OK && (acn.id != TAG_OID || acn.len == 0)))
		return JITSIM_R_TCAP_BAD;
	if (r != JITSIM_R_OK)
		return r;
	out->acn = acn.val;
	out->acn_len = acn.len;
	out->is_map_acn = acn_is_map(acn.val, acn.len, &out->map_ac, &out->map_version);
	return JITSIM_R_OK;
}

static HOT_INLINE enum jitsim_reason
tcap_dialogue(const struct jitsim_ber_tlv *dp, struct jitsim_tcap *out)
{
	if (out->has_dialogue)
		return JITSIM_R_TCAP_BAD;
	if (tcap_dialogue_fast(dp->val, dp->len, out))
		return JITSIM_R_OK;
	return tcap_dialogue_slow(dp, out);
}

/* Which transaction IDs each message type must carry (Q.773 Table 8). */
static bool
tcap_tids_ok(const struct jitsim_tcap *t)
{
	switch (t->type) {
	case JITSIM_TCAP_UNI:
		return !t->has_otid && !t->has_dtid;
	case JITSIM_TCAP_BEGIN:
		return t->has_otid && !t->has_dtid;
	case JITSIM_TCAP_CONTINUE:
		return t->has_otid && t->has_dtid;
	default: /* End, Abort */
		return !t->has_otid && t->has_dtid;
	}
}

enum jitsim_reason
jitsim_tcap_decode(const uint8_t *p, size_t len, struct jitsim_tcap *out)
{
	struct jitsim_ber_tlv msg, t;
	struct jitsim_ber_iter it;
	enum jitsim_reason r;
	bool has_comp = false;

	if (len < 1)
		return JITSIM_R_TRUNCATED;
	switch (p[0]) {
	case JITSIM_TCAP_UNI:
	case JITSIM_TCAP_BEGIN:
	case JITSIM_TCAP_END:
	case JITSIM_TCAP_CONTINUE:
	case JITSIM_TCAP_ABORT:
		break;
	default:
		/* ANSI TCAP (T1.114) uses PRIVATE-class message tags 0xe1-0xe6. */
		return JITSIM_R_TCAP_UNSUPPORTED;
	}
	out->type = p[0];
	out->has_otid = out->has_dtid = out->has_dialogue = false;
	out->otid = out->dtid = 0;
	out->otid_len = out->dtid_len = 0;
	out->dialogue_pdu = 0;
	out->acn = NULL;
	out->acn_len = 0;
	out->is_map_acn = false;
	out->map_ac = out->map_version = 0;
	out->has_abort_cause = false;
	out->abort_cause = 0;
	out->n_comp = 0;
	/*
	 * Octets after the message are not looked at: SCCP hands over exactly
	 * the user data, and a capture's padding is not TCAP's business.
	 */
	r = jitsim_ber_read(p, len, &msg);
	if (r != JITSIM_R_OK)
		return r;
	jitsim_ber_iter_init(&it, msg.val, msg.len);
	/*
	 * Q.773 puts the transaction IDs first, and MAP peers use four
	 * octets: taken inline (what tcap_tid() concludes from them); the
	 * loop sees everything else, in whatever order it comes.
	 */
	if (tid4_next(&it, TAG_OTID, &out->otid)) {
		out->has_otid = true;
		out->otid_len = 4;
	}
	if (tid4_next(&it, TAG_DTID, &out->dtid)) {
		out->has_dtid = true;
		out->dtid_len = 4;
	}
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		switch (t.id) {
		case TAG_OTID:
			r = tcap_tid(&t, &out->has_otid, &out->otid, &out->otid_len);
			break;
		case TAG_DTID:
			r = tcap_tid(&t, &out->has_dtid, &out->dtid, &out->dtid_len);
			break;
		case TAG_DIALOGUE:
			r = tcap_dialogue(&t, out);
			break;
		case TAG_PABORT:
			/* Q.773 Table 12: P-AbortCause, Abort only, one octet. */
			if (out->type != JITSIM_TCAP_ABORT || out->has_abort_cause || t.len != 1)
				return JITSIM_R_TCAP_BAD;
			out->has_abort_cause = true;
			out->abort_cause = t.val[0];
			break;
		case TAG_COMPONENTS:
			if (has_comp || out->type == JITSIM_TCAP_ABORT)
				return JITSIM_R_TCAP_BAD;
			has_comp = true;
			r = tcap_components(&t, out);
			break;
		default:
			return JITSIM_R_TCAP_BAD;
		}
		if (r != JITSIM_R_OK)
			return r;
	}
	if (r != JITSIM_R_END)
		return r;
	if (!tcap_tids_ok(out))
		return JITSIM_R_TCAP_BAD;
	/* Q.773 Table 8: a Unidirectional always has components. */
	if (out->type == JITSIM_TCAP_UNI && !has_comp)
		return JITSIM_R_TCAP_BAD;
	return JITSIM_R_OK;
}

static const char *
tcap_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_UNI:
		return "unidirectional";
	case JITSIM_TCAP_BEGIN:
		return "begin";
	case JITSIM_TCAP_END:
		return "end";
	case JITSIM_TCAP_CONTINUE:
		return "continue";
	case JITSIM_TCAP_ABORT:
		return "abort";
	default:
		return "unknown";
	}
}

static const char *
tcap_comp_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_INVOKE:
		return "invoke";
	case JITSIM_TCAP_RESULT_LAST:
		return "returnResultLast";
	case JITSIM_TCAP_RESULT_NOT_LAST:
		return "returnResultNotLast";
	case JITSIM_TCAP_ERROR:
		return "returnError";
	case JITSIM_TCAP_REJECT:
		return "reject";
	default:
		return "unknown";
	}
}

/* OID contents as dotted arcs (X.690 8.19); first octet(s) hold two arcs. */
static void
dump_oid(const uint8_t *p, size_t len, char *buf, size_t size, size_t *off)
{
	uint64_t v = 0;
	bool first = true;

	for (size_t i = 0; i < len; i++) {
		v = v << 7 | (p[i] & 0x7f);
		if (p[i] & 0x80)
			continue;
		if (first) {
			uint64_t a = v < 80 ? v / 40 : 2;

			jitsim_dump_add(buf, size, off, "%u.%llu", (unsigned int)a,
					(unsigned long long)(v - a * 40));
			first = false;
		} else {
			jitsim_dump_add(buf, size, off, ".%llu", (unsigned long long)v);
		}
		v = 0;
	}
}

int
jitsim_tcap_dump(const struct jitsim_tcap *x, char *buf, size_t size)
{
	size_t off = 0;

	if (size)
		buf[0] = '\0';
	jitsim_dump_add(buf, size, &off, "type=%s", tcap_type_name(x->type));
	if (x->has_otid)
		jitsim_dump_add(buf, size, &off, " otid=%0*x", 2 * x->otid_len,
				(unsigned int)x->otid);
	if (x->has_dtid)
		jitsim_dump_add(buf, size, &off, " dtid=%0*x", 2 * x->dtid_len,
				(unsigned int)x->dtid);
	if (x->has_dialogue) {
		jitsim_dump_add(buf, size, &off, " dialogue=0x%02x", x->dialogue_pdu);
		if (x->acn != NULL) {
			jitsim_dump_add(buf, size, &off, " acn=");
			dump_oid(x->acn, x->acn_len, buf, size, &off);
		}
		if (x->is_map_acn)
			jitsim_dump_add(buf, size, &off, " map_ac=%u map_version=%u", x->map_ac,
					x->map_version);
	}
	if (x->has_abort_cause)
		jitsim_dump_add(buf, size, &off, " p_abort=%u", x->abort_cause);
	jitsim_dump_add(buf, size, &off, " ncomp=%u", x->n_comp);
	for (unsigned int i = 0; i < x->n_comp && i < JITSIM_TCAP_MAX_COMPONENTS; i++) {
		const struct jitsim_tcap_component *c = &x->comp[i];

		jitsim_dump_add(buf, size, &off, " c%u=%s", i, tcap_comp_name(c->type));
		if (c->has_invoke_id)
			jitsim_dump_add(buf, size, &off, " c%u.id=%d", i, c->invoke_id);
		if (c->has_linked_id)
			jitsim_dump_add(buf, size, &off, " c%u.linked=%d", i, c->linked_id);
		if (c->has_opcode)
			jitsim_dump_add(buf, size, &off, " c%u.op=%u", i, c->opcode);
		if (c->has_error)
			jitsim_dump_add(buf, size, &off, " c%u.err=%u", i, c->error);
		if (c->has_problem)
			jitsim_dump_add(buf, size, &off, " c%u.problem=%u:%u", i, c->problem_type,
					c->problem);
		if (c->param != NULL)
			jitsim_dump_add(buf, size, &off, " c%u.param_len=%zu", i, c->param_len);
	}
	return (int)off;
}
