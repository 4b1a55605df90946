/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <stddef.h>
#include <string.h>

#include "encode.h"
#include "map_tpl.h"
#include "rng.h"

/* The identities of struct jitsim_map_ids, in a fixed order. */
static const struct {
	size_t has, digits;
} id_field[JITSIM_PKTGEN_MAP_IDS] = {
	{offsetof(struct jitsim_map_ids, has_imsi), offsetof(struct jitsim_map_ids, imsi)},
	{offsetof(struct jitsim_map_ids, has_msisdn), offsetof(struct jitsim_map_ids, msisdn)},
	{offsetof(struct jitsim_map_ids, has_msc), offsetof(struct jitsim_map_ids, msc)},
	{offsetof(struct jitsim_map_ids, has_vlr), offsetof(struct jitsim_map_ids, vlr)},
	{offsetof(struct jitsim_map_ids, has_sgsn), offsetof(struct jitsim_map_ids, sgsn)},
	{offsetof(struct jitsim_map_ids, has_sc), offsetof(struct jitsim_map_ids, sc)},
	{offsetof(struct jitsim_map_ids, has_hlr), offsetof(struct jitsim_map_ids, hlr)},
};

static bool
id_has(const struct jitsim_map_ids *ids, unsigned int i)
{
	return *(const bool *)((const char *)ids + id_field[i].has);
}

static const struct jitsim_digits *
id_digits(const struct jitsim_map_ids *ids, unsigned int i)
{
	return (const struct jitsim_digits *)((const char *)ids + id_field[i].digits);
}

static struct jitsim_digits *
id_digits_mut(struct jitsim_map_ids *ids, unsigned int i)
{
	return (struct jitsim_digits *)((char *)ids + id_field[i].digits);
}

/* false when an identity is too long for a key (the library then encodes the argument). */
static bool
key_of(uint8_t opcode, uint8_t version, const struct jitsim_map_ids *ids, uint64_t *k)
{
	uint64_t v =
		(uint64_t)opcode << 56 | (uint64_t)version << 48 | (uint64_t)ids->n_vectors << 40;

	for (unsigned int i = 0; i < JITSIM_PKTGEN_MAP_IDS; i++) {
		const struct jitsim_digits *d = id_digits(ids, i);

		if (!id_has(ids, i))
			continue;
		if (d->n + 1u >= 1u << JITSIM_PKTGEN_MAP_KEY_LEN_BITS)
			return false;
		v |= (uint64_t)(d->n + 1u) << (JITSIM_PKTGEN_MAP_KEY_LEN_BITS * i);
	}
	*k = v;
	return true;
}

/* The library's argument into @p out; its length, 0 on failure or when too long. */
static size_t
sample(uint8_t opcode, uint8_t version, const struct jitsim_map_ids *ids, uint8_t *out)
{
	uint8_t buf[2 * JITSIM_PKTGEN_MAP_TPL_MAX];
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (jitsim_map_encode_invoke(&w, opcode, version, ids) != JITSIM_R_OK ||
	    jitsim_wbuf_len(&w) > JITSIM_PKTGEN_MAP_TPL_MAX)
		return 0;
	memcpy(out, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
	return jitsim_wbuf_len(&w);
}

/* Each digit d becomes d + 1 (mod 10): every TBCD octet of the identity changes. */
static void
shift(struct jitsim_digits *d)
{
	for (unsigned int i = 0; i < d->n; i++)
		if ((unsigned int)(d->d[i] - '0') <= 9)
			d->d[i] = (char)('0' + (d->d[i] - '0' + 1) % 10);
}

/*
 * The argument of @p ids from @p t at @p o; false when an identity is not
 * what the library takes from us (digits, NUL right after them), then the
 * library encodes it.
 */
static bool
fill(const struct jitsim_pktgen_map_tpl *t, uint8_t *o, const struct jitsim_map_ids *ids)
{
	memcpy(o, t->b, t->len);
	for (unsigned int k = 0; k < t->n_fields; k++) {
		unsigned int i = t->field[k];
		const struct jitsim_digits *d = id_digits(ids, i);

		/* The kind's length (a caller's kind number could be wrong): else the library. */
		if (d->n != t->n[i] || d->d[d->n] != '\0' ||
		    !jitsim_pktgen_tbcd(o + t->at[i], d->d, d->n))
			return false;
	}
	return true;
}

static bool
check(const struct jitsim_pktgen_map_tpl *t, uint8_t opcode, uint8_t version,
      const struct jitsim_map_ids *ids)
{
	uint8_t want[JITSIM_PKTGEN_MAP_TPL_MAX], got[JITSIM_PKTGEN_MAP_TPL_MAX];
	size_t n = sample(opcode, version, ids, want);

	return n == t->len && fill(t, got, ids) && memcmp(want, got, n) == 0;
}

static void
tpl_build(struct jitsim_pktgen_map_tpl *t, uint64_t k, uint8_t opcode, uint8_t version,
	  const struct jitsim_map_ids *ids)
{
	uint8_t a[JITSIM_PKTGEN_MAP_TPL_MAX], b[JITSIM_PKTGEN_MAP_TPL_MAX];
	struct jitsim_map_ids all = *ids, one;
	size_t n;

	memset(t, 0, sizeof(*t));
	t->key = k;
	t->state = 2;
	memset(t->at, JITSIM_PKTGEN_MAP_NONE, sizeof(t->at));
	n = sample(opcode, version, ids, a);
	if (n == 0)
		return;
	/* Each identity changed on its own: one run of its octets, or none if not carried. */
	for (unsigned int i = 0; i < JITSIM_PKTGEN_MAP_IDS; i++) {
		uint16_t at;

		if (!id_has(ids, i))
			continue;
		one = *ids;
		shift(id_digits_mut(&one, i));
		shift(id_digits_mut(&all, i));
		if (sample(opcode, version, &one, b) != n)
			return;
		if (jitsim_pktgen_diff_run(a, b, n, 0, &at))
			continue;
		if (!jitsim_pktgen_diff_run(a, b, n, (id_digits(ids, i)->n + 1u) / 2u, &at))
			return;
		t->at[i] = (uint8_t)at;
		t->n[i] = id_digits(ids, i)->n;
		t->field[t->n_fields++] = (uint8_t)i;
	}
	memcpy(t->b, a, n);
	t->len = (uint8_t)n;
	/* The check: the library's bytes for this argument, and with every identity changed. */
	if (check(t, opcode, version, ids) && check(t, opcode, version, &all))
		t->state = 1;
}

static const struct jitsim_pktgen_map_tpl *
tpl_find(struct jitsim_pktgen_map_tpls *c, uint8_t opcode, uint8_t version,
	 const struct jitsim_map_ids *ids)
{
	uint64_t k, h;

	if (!key_of(opcode, version, ids, &k))
		return NULL;
	h = jitsim_pktgen_mix64(k);
	for (unsigned int i = 0; i < JITSIM_PKTGEN_MAP_TPLS; i++) {
		struct jitsim_pktgen_map_tpl *t = &c->t[(h + i) % JITSIM_PKTGEN_MAP_TPLS];

		if (t->state == 0)
			tpl_build(t, k, opcode, version, ids);
		else if (t->key != k)
			continue;
		return t->state == 1 ? t : NULL;
	}
	return NULL;
}

/* The argument from template @p t (NULL: by the library). */
static enum jitsim_reason
put(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_tpl *t, uint8_t opcode, uint8_t version,
    const struct jitsim_map_ids *ids)
{
	size_t head0 = w->head;
	uint8_t *o;

	if (t == NULL)
		return jitsim_map_encode_invoke(w, opcode, version, ids);
	o = jitsim_wbuf_prepend(w, t->len);
	if (o == NULL)
		return JITSIM_R_NOSPACE;
	if (!fill(t, o, ids)) {
		w->head = head0;
		return jitsim_map_encode_invoke(w, opcode, version, ids);
	}
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_invoke(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
			 const struct jitsim_map_ids *ids, struct jitsim_pktgen_map_tpls *c)
{
	if (c == NULL || ids == NULL)
		return jitsim_map_encode_invoke(w, opcode, version, ids);
	return put(w, tpl_find(c, opcode, version, ids), opcode, version, ids);
}

enum jitsim_reason
jitsim_pktgen_enc_invoke_kind(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
			      const struct jitsim_map_ids *ids, struct jitsim_pktgen_map_tpls *c,
			      uint64_t kind)
{
	unsigned int i;

	if (kind == 0 || c == NULL || ids == NULL)
		return jitsim_pktgen_enc_invoke(w, opcode, version, ids, c);
	i = (unsigned int)(jitsim_pktgen_mix64(kind) & (JITSIM_PKTGEN_MAP_MEMO - 1));
	if (c->memo[i].kind != kind) {
		c->memo[i].kind = kind;
		c->memo[i].t = tpl_find(c, opcode, version, ids);
	}
	return put(w, c->memo[i].t, opcode, version, ids);
}
