/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>

#include "encode.h"
#include "rng.h"
#include "s6a_tpl.h"

/* RFC 6733 3: version, length (3), flags, command (3), application, hop-by-hop, end-to-end. */
#define DIAM_HDR 20
/* RFC 6733 4.1: code (4), flags, length (3); Session-Id has no Vendor-ID. */
#define AVP_HDR 8
/* Longest Session-Id a template takes (RFC 6733 8.8 sets no limit; ours are short). */
#define SESSION_MAX 255

static size_t
pad4(size_t n)
{
	return (n + 3) & ~(size_t)3;
}

/* Length plus one of an optional string, 0 when absent; false when too long for a key. */
static bool
opt_len(const char *s, uint8_t *out)
{
	size_t n;

	if (s == NULL) {
		*out = 0;
		return true;
	}
	n = strlen(s);
	*out = (uint8_t)(n + 1);
	return n < 32;
}

static bool
key_of(const struct jitsim_s6a_msg *m, struct jitsim_pktgen_s6a_key *k)
{
	memset(k, 0, sizeof(*k));
	k->origin_host = m->origin_host;
	k->origin_realm = m->origin_realm;
	k->dest_host = m->dest_host;
	k->dest_realm = m->dest_realm;
	k->cmd = m->cmd;
	k->result_code = m->result_code;
	k->exp_result_code = m->exp_result_code;
	k->n_vectors = m->n_vectors;
	k->rat_type = m->rat_type;
	k->ulr_flags = m->ulr_flags;
	k->cancellation_type = m->cancellation_type;
	k->is_request = m->is_request;
	return opt_len(m->imsi, &k->imsi_len) && opt_len(m->visited_plmn, &k->plmn_len) &&
	       opt_len(m->imei, &k->imei_len) && opt_len(m->msisdn, &k->msisdn_len);
}

/* Each digit d becomes d + 1 (mod 10): every character, and so every TBCD octet, changes. */
static void
shift_digits(const char *s, char *out, size_t cap)
{
	size_t i = 0;

	for (; s[i] != '\0' && i + 1 < cap; i++)
		out[i] = (unsigned int)(s[i] - '0') <= 9 ? (char)('0' + (s[i] - '0' + 1) % 10)
							 : s[i];
	out[i] = '\0';
}

/* The library's encoding of @p m into @p out; its length, 0 on failure or when too long. */
static size_t
sample(const struct jitsim_s6a_msg *m, uint8_t *out, size_t cap)
{
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, out, cap, 0);
	if (jitsim_s6a_encode(&w, m) != JITSIM_R_OK)
		return 0;
	return jitsim_wbuf_len(&w);
}

/* Offset in the output of template offset @p at, with @p sess bytes of Session-Id AVP. */
static size_t
out_at(uint16_t at, size_t sess)
{
	return at < DIAM_HDR ? at : at + sess;
}

/*
 * The message @p m from template @p t at @p o (room for it checked by the
 * caller); false when a value is not what the library would accept (then
 * the library encodes it, and refuses it), or a string is not of the
 * kind's length (a caller's kind number that does not fit).
 */
static bool
fill(const struct jitsim_pktgen_s6a_tpl *t, uint8_t *o, const struct jitsim_s6a_msg *m, size_t slen)
{
	size_t sess = pad4(AVP_HDR + slen), k;
	uint8_t plmn[3];
	static const uint8_t zero[4];

	memcpy(o, t->b, DIAM_HDR);
	jitsim_put_be24(o + 1, (uint32_t)(t->len + sess));
	/* RFC 6733 8.8: Session-Id first, M flag (as jitsim_s6a_encode() writes it). */
	jitsim_put_be32(o + DIAM_HDR, JITSIM_AVP_SESSION_ID);
	o[DIAM_HDR + 4] = JITSIM_DIAM_AVP_M;
	jitsim_put_be24(o + DIAM_HDR + 5, (uint32_t)(AVP_HDR + slen));
	memcpy(o + DIAM_HDR + AVP_HDR, m->session_id, slen);
	/*
	 * The padding (0-3 octets) as one word of zeros, with no size branch:
	 * what it writes past the padding, the body (at least one AVP after
	 * the Session-Id, in every S6a message) overwrites.
	 */
	if (t->len >= DIAM_HDR + 4)
		memcpy(o + DIAM_HDR + AVP_HDR + slen, zero, 4);
	else
		memset(o + DIAM_HDR + AVP_HDR + slen, 0, sess - AVP_HDR - slen);
	memcpy(o + DIAM_HDR + sess, t->b + DIAM_HDR, t->len - DIAM_HDR);
	jitsim_put_be32(o + out_at(t->hbh_at, sess), m->hbh);
	jitsim_put_be32(o + out_at(t->e2e_at, sess), m->e2e);
	if (t->imsi_at != JITSIM_PKTGEN_S6A_NONE) {
		k = t->key.imsi_len - 1u;
		if (m->imsi[k] != '\0' || !jitsim_pktgen_digits_ok(m->imsi, k))
			return false;
		jitsim_pktgen_copy_small(o + out_at(t->imsi_at, sess), m->imsi, k);
	}
	if (t->imei_at != JITSIM_PKTGEN_S6A_NONE) {
		k = t->key.imei_len - 1u;
		if (m->imei[k] != '\0' || !jitsim_pktgen_digits_ok(m->imei, k))
			return false;
		jitsim_pktgen_copy_small(o + out_at(t->imei_at, sess), m->imei, k);
	}
	if (t->plmn_at != JITSIM_PKTGEN_S6A_NONE) {
		const char *p = m->visited_plmn;

		/* TS 24.008 10.5.1.13 as jitsim_plmn_encode(): MCC2|1, MNC3 (F)|MCC3, MNC2|1. */
		k = t->key.plmn_len - 1u;
		if (p[k] != '\0' || !jitsim_pktgen_digits_ok(p, k))
			return false;
		plmn[0] = (uint8_t)((p[1] - '0') << 4 | (p[0] - '0'));
		plmn[1] = (uint8_t)((k == 6 ? p[5] - '0' : 0x0f) << 4 | (p[2] - '0'));
		plmn[2] = (uint8_t)((p[4] - '0') << 4 | (p[3] - '0'));
		memcpy(o + out_at(t->plmn_at, sess), plmn, 3);
	}
	if (t->msisdn_at != JITSIM_PKTGEN_S6A_NONE &&
	    (m->msisdn[t->key.msisdn_len - 1u] != '\0' ||
	     !jitsim_pktgen_tbcd(o + out_at(t->msisdn_at, sess), m->msisdn,
				 t->key.msisdn_len - 1u)))
		return false;
	return true;
}

/*
 * Where the variable part of @p len octets lands in the template, from the
 * library's encodings @p a (the message) and @p b (the part changed):
 * JITSIM_PKTGEN_S6A_NONE when the kind does not carry it; false when it is
 * not one run of @p len octets outside the Session-Id.
 */
static bool
locate(const uint8_t *a, const uint8_t *b, size_t n, size_t blen, size_t len, size_t sess,
       uint16_t *at)
{
	uint16_t off;

	*at = JITSIM_PKTGEN_S6A_NONE;
	if (blen != n)
		return false;
	if (jitsim_pktgen_diff_run(a, b, n, 0, &off))
		return true;
	if (len == 0 || !jitsim_pktgen_diff_run(a, b, n, len, &off))
		return false;
	if (off + len <= DIAM_HDR)
		*at = off;
	else if (off >= DIAM_HDR + sess)
		*at = (uint16_t)(off - sess);
	else
		return false;
	return true;
}

/* Fill @p t for @p m's kind, and compare with the library's encoding of @p m. */
static bool
check(const struct jitsim_pktgen_s6a_tpl *t, const struct jitsim_s6a_msg *m)
{
	uint8_t want[DIAM_HDR + AVP_HDR + SESSION_MAX + 3 + JITSIM_PKTGEN_S6A_TPL_MAX];
	uint8_t got[sizeof(want)];
	size_t slen = strlen(m->session_id), n = sample(m, want, sizeof(want));

	return n != 0 && slen <= SESSION_MAX && n == t->len + pad4(AVP_HDR + slen) &&
	       fill(t, got, m, slen) && memcmp(want, got, n) == 0;
}

static void
tpl_build(struct jitsim_pktgen_s6a_tpl *t, const struct jitsim_pktgen_s6a_key *k,
	  const struct jitsim_s6a_msg *m)
{
	uint8_t a[DIAM_HDR + AVP_HDR + SESSION_MAX + 3 + JITSIM_PKTGEN_S6A_TPL_MAX];
	uint8_t b[sizeof(a)];
	char imsi[32], plmn[32], imei[32], msisdn[32], session[SESSION_MAX + 2];
	struct jitsim_s6a_msg v;
	size_t slen = strlen(m->session_id), sess = pad4(AVP_HDR + slen), n;

	memset(t, 0, sizeof(*t));
	memcpy(&t->key, k, sizeof(*k)); /* padding too: keys are compared as bytes */
	t->state = 2;
	if (slen > SESSION_MAX - 1)
		return;
	n = sample(m, a, sizeof(a));
	if (n < DIAM_HDR + sess || n - sess > JITSIM_PKTGEN_S6A_TPL_MAX)
		return;
	/* The Session-Id AVP right after the header, as fill() writes it. */
	if (jitsim_get_be32(a + DIAM_HDR) != JITSIM_AVP_SESSION_ID ||
	    a[DIAM_HDR + 4] != JITSIM_DIAM_AVP_M ||
	    (jitsim_get_be32(a + DIAM_HDR + 4) & 0xffffff) != AVP_HDR + slen)
		return;
	/* Each variable part changed on its own: where its octets are. */
	v = *m;
	v.hbh = ~m->hbh;
	if (!locate(a, b, n, sample(&v, b, sizeof(b)), 4, sess, &t->hbh_at) ||
	    t->hbh_at == JITSIM_PKTGEN_S6A_NONE)
		return;
	v = *m;
	v.e2e = ~m->e2e;
	if (!locate(a, b, n, sample(&v, b, sizeof(b)), 4, sess, &t->e2e_at) ||
	    t->e2e_at == JITSIM_PKTGEN_S6A_NONE)
		return;
	t->imsi_at = t->plmn_at = t->imei_at = t->msisdn_at = JITSIM_PKTGEN_S6A_NONE;
	if (m->imsi != NULL) {
		v = *m;
		shift_digits(m->imsi, imsi, sizeof(imsi));
		v.imsi = imsi;
		if (!locate(a, b, n, sample(&v, b, sizeof(b)), k->imsi_len - 1u, sess, &t->imsi_at))
			return;
	}
	if (m->visited_plmn != NULL) {
		v = *m;
		shift_digits(m->visited_plmn, plmn, sizeof(plmn));
		v.visited_plmn = plmn;
		if (!locate(a, b, n, sample(&v, b, sizeof(b)), 3, sess, &t->plmn_at))
			return;
	}
	if (m->imei != NULL) {
		v = *m;
		shift_digits(m->imei, imei, sizeof(imei));
		v.imei = imei;
		if (!locate(a, b, n, sample(&v, b, sizeof(b)), k->imei_len - 1u, sess, &t->imei_at))
			return;
	}
	if (m->msisdn != NULL) {
		v = *m;
		shift_digits(m->msisdn, msisdn, sizeof(msisdn));
		v.msisdn = msisdn;
		if (!locate(a, b, n, sample(&v, b, sizeof(b)), k->msisdn_len / 2u, sess,
			    &t->msisdn_at))
			return;
	}
	memcpy(t->b, a, DIAM_HDR);
	memcpy(t->b + DIAM_HDR, a + DIAM_HDR + sess, n - DIAM_HDR - sess);
	t->len = (uint16_t)(n - sess);
	/*
	 * The check: the template gives the library's bytes for this message
	 * and for one where every variable part differs, the Session-Id in
	 * length too (v still has the changed strings).
	 */
	v = *m;
	v.hbh = ~m->hbh;
	v.e2e = ~m->e2e;
	memcpy(session, m->session_id, slen);
	session[slen] = 'x';
	session[slen + 1] = '\0';
	v.session_id = session;
	if (m->imsi != NULL)
		v.imsi = imsi;
	if (m->visited_plmn != NULL)
		v.visited_plmn = plmn;
	if (m->imei != NULL)
		v.imei = imei;
	if (m->msisdn != NULL)
		v.msisdn = msisdn;
	if (check(t, m) && check(t, &v))
		t->state = 1;
}

static uint64_t
key_hash(const struct jitsim_pktgen_s6a_key *k)
{
	uint64_t h = (uint64_t)(uintptr_t)k->origin_host ^ (uint64_t)(uintptr_t)k->dest_host << 7;

	h ^= (uint64_t)k->cmd << 32 | (uint64_t)k->is_request << 24 | k->msisdn_len << 16 |
	     k->plmn_len << 8 | k->imei_len;
	h ^= (uint64_t)k->result_code << 40 ^ (uint64_t)k->exp_result_code << 20;
	return jitsim_pktgen_mix64(h);
}

/* The template of @p m's kind, built on first use; NULL: encode it with the library. */
static const struct jitsim_pktgen_s6a_tpl *
tpl_find(struct jitsim_pktgen_s6a_tpls *c, const struct jitsim_s6a_msg *m)
{
	struct jitsim_pktgen_s6a_key k;
	uint64_t h;

	if (!key_of(m, &k))
		return NULL;
	h = key_hash(&k);
	for (unsigned int i = 0; i < JITSIM_PKTGEN_S6A_TPLS; i++) {
		struct jitsim_pktgen_s6a_tpl *t = &c->t[(h + i) % JITSIM_PKTGEN_S6A_TPLS];

		if (t->state == 0)
			tpl_build(t, &k, m);
		else if (memcmp(&t->key, &k, sizeof(k)) != 0)
			continue;
		return t->state == 1 ? t : NULL;
	}
	return NULL;
}

/* @p m from template @p t (NULL: by the library), with a Session-Id of @p slen octets. */
static enum jitsim_reason
put(struct jitsim_wbuf *w, const struct jitsim_pktgen_s6a_tpl *t, const struct jitsim_s6a_msg *m,
    size_t slen)
{
	size_t tail0 = w->tail;
	uint8_t *o;

	if (t == NULL || slen > SESSION_MAX)
		return jitsim_s6a_encode(w, m);
	o = jitsim_wbuf_append(w, t->len + pad4(AVP_HDR + slen));
	if (o == NULL)
		return JITSIM_R_NOSPACE;
	if (!fill(t, o, m, slen)) {
		w->tail = tail0;
		return jitsim_s6a_encode(w, m);
	}
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_s6a(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m,
		      struct jitsim_pktgen_s6a_tpls *c)
{
	if (c == NULL || m == NULL || m->session_id == NULL)
		return jitsim_s6a_encode(w, m);
	return put(w, tpl_find(c, m), m, strlen(m->session_id));
}

enum jitsim_reason
jitsim_pktgen_enc_s6a_kind(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m,
			   size_t session_len, struct jitsim_pktgen_s6a_tpls *c, uint64_t kind)
{
	unsigned int i;

	if (kind == 0 || c == NULL || m == NULL || m->session_id == NULL)
		return jitsim_pktgen_enc_s6a(w, m, c);
	i = (unsigned int)(jitsim_pktgen_mix64(kind) & (JITSIM_PKTGEN_S6A_MEMO - 1));
	if (c->memo[i].kind != kind) {
		c->memo[i].kind = kind;
		c->memo[i].t = tpl_find(c, m);
	}
	return put(w, c->memo[i].t, m, session_len);
}
