/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SIM record encoding (layout in record.h). Decoding treats the value as
 * hostile: a damaged record must produce an error naming the field, never
 * a crash or a half-filled record that looks valid.
 */

#include <errno.h>
#include <inttypes.h>
#include <stddef.h>
#include <stdio.h>
#include <string.h>

#include <openssl/crypto.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "record.h"

/* Fixed part: version, state, flags, tenant, region, tariff, hlr, msisdn,
 * four timestamps; version 2 adds unlock_to and unblock_to. */
#define REC_FIXED_V1 (1 + 1 + 1 + 2 * 4 + 8 + 4 * 8)
#define REC_FIXED (REC_FIXED_V1 + 2)

void
jitsim_rec_key(uint64_t key, uint8_t out[8])
{
	for (int i = 7; i >= 0; i--) {
		out[i] = (uint8_t)key;
		key >>= 8;
	}
}

uint64_t
jitsim_rec_key_parse(const uint8_t *p, size_t len)
{
	uint64_t k = 0;

	if (len != 8)
		return 0;
	for (size_t i = 0; i < 8; i++)
		k = k << 8 | p[i];
	return k;
}

static uint8_t *
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
	return p + 2;
}

static uint8_t *
put64(uint8_t *p, uint64_t v)
{
	jitsim_rec_key(v, p);
	return p + 8;
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)(p[0] << 8 | p[1]);
}

static uint64_t
get64(const uint8_t *p)
{
	return jitsim_rec_key_parse(p, 8);
}

static unsigned int
popcount4(unsigned int m)
{
	return (m & 1) + (m >> 1 & 1) + (m >> 2 & 1) + (m >> 3 & 1);
}

/* "sim" + 8-byte key: binds a sealed blob to its record. */
static void
rec_aad(uint64_t imsi, uint8_t aad[11])
{
	memcpy(aad, "sim", 3);
	jitsim_rec_key(imsi, aad + 3);
}

int
jitsim_rec_seal(struct jitsim_rec *r, const struct jitsim_kek *kek,
		const struct jitsim_rec_secrets *s)
{
	const uint8_t *keys[JITSIM_REC_SECRETS] = {s->ki, s->opc, s->kic, s->kid};
	uint8_t plain[JITSIM_REC_SECRETS * JITSIM_REC_KEY_LEN], aad[11];
	size_t n = 0;
	int rc;

	for (unsigned int i = 0; i < JITSIM_REC_SECRETS; i++)
		if (s->mask & (1u << i)) {
			memcpy(plain + n, keys[i], JITSIM_REC_KEY_LEN);
			n += JITSIM_REC_KEY_LEN;
		}
	r->secret_mask = s->mask & JITSIM_REC_S_ALL;
	if (n == 0) {
		r->sealed_len = 0;
		return 0;
	}
	rec_aad(r->imsi, aad);
	rc = jitsim_secret_seal(kek, aad, sizeof(aad), plain, n, r->sealed);
	OPENSSL_cleanse(plain, sizeof(plain));
	if (rc != 0)
		return rc;
	r->sealed_len = (uint16_t)JITSIM_SECRET_SEALED_LEN(n);
	return 0;
}

int
jitsim_rec_open(const struct jitsim_rec *r, const struct jitsim_kek *kek,
		struct jitsim_rec_secrets *s)
{
	uint8_t *keys[JITSIM_REC_SECRETS] = {s->ki, s->opc, s->kic, s->kid};
	uint8_t plain[JITSIM_REC_SECRETS * JITSIM_REC_KEY_LEN], aad[11];
	size_t n = 0;
	int rc;

	memset(s, 0, sizeof(*s));
	if (r->secret_mask == 0)
		return -ENOENT;
	if (r->sealed_len !=
	    JITSIM_SECRET_SEALED_LEN(popcount4(r->secret_mask) * JITSIM_REC_KEY_LEN))
		return -EBADMSG;
	rec_aad(r->imsi, aad);
	rc = jitsim_secret_open(kek, aad, sizeof(aad), r->sealed, r->sealed_len, plain);
	if (rc != 0)
		return rc == -EINVAL ? -EBADMSG : rc;
	s->mask = r->secret_mask;
	for (unsigned int i = 0; i < JITSIM_REC_SECRETS; i++)
		if (s->mask & (1u << i)) {
			memcpy(keys[i], plain + n, JITSIM_REC_KEY_LEN);
			n += JITSIM_REC_KEY_LEN;
		}
	OPENSSL_cleanse(plain, sizeof(plain));
	return 0;
}

void
jitsim_rec_secrets_wipe(struct jitsim_rec_secrets *s)
{
	OPENSSL_cleanse(s, sizeof(*s));
}

static int
all_digits(const char *s, size_t n)
{
	for (size_t i = 0; i < n; i++)
		if (s[i] < '0' || s[i] > '9')
			return 0;
	return 1;
}

int
jitsim_rec_encode(const struct jitsim_rec *r, uint8_t *out, size_t cap)
{
	size_t il = strnlen(r->iccid, sizeof(r->iccid));
	size_t bl = strnlen(r->batch, sizeof(r->batch));
	size_t need = REC_FIXED + 1 + il + 1 + bl + 1 + 2 + r->sealed_len;
	uint8_t *p = out;

	if (r->state == JITSIM_SIM_NONE || r->state >= JITSIM_SIM_STATE_MAX ||
	    il > JITSIM_REC_ICCID_MAX || bl > JITSIM_REC_BATCH_MAX || !all_digits(r->iccid, il) ||
	    r->sealed_len > JITSIM_REC_SEALED_MAX || (r->secret_mask & ~JITSIM_REC_S_ALL) ||
	    r->unlock_to >= JITSIM_SIM_STATE_MAX || r->unblock_to >= JITSIM_SIM_STATE_MAX ||
	    need > cap)
		return -EINVAL;
	*p++ = JITSIM_REC_VERSION;
	*p++ = r->state;
	*p++ = r->flags;
	p = put16(p, r->tenant);
	p = put16(p, r->region);
	p = put16(p, r->tariff);
	p = put16(p, r->hlr);
	p = put64(p, r->msisdn);
	p = put64(p, r->created);
	p = put64(p, r->updated);
	p = put64(p, r->activated);
	p = put64(p, r->last_activity);
	*p++ = r->unlock_to;
	*p++ = r->unblock_to;
	*p++ = (uint8_t)il;
	memcpy(p, r->iccid, il);
	p += il;
	*p++ = (uint8_t)bl;
	memcpy(p, r->batch, bl);
	p += bl;
	*p++ = r->secret_mask;
	p = put16(p, r->sealed_len);
	memcpy(p, r->sealed, r->sealed_len);
	p += r->sealed_len;
	return (int)(p - out);
}

/* The IMSI's digits are formatted only on the error path: the bulk load
 * of the dataplane decodes ten million records. */
#define FAIL(field, fmt, ...)                                                           \
	do {                                                                            \
		rec_name(imsi, name, sizeof(name));                                     \
		snprintf(err, errlen, "record of IMSI %s: field %s: " fmt, name, field, \
			 ##__VA_ARGS__);                                                \
		return -EBADMSG;                                                        \
	} while (0)

static void
rec_name(uint64_t imsi, char *name, size_t size)
{
	if (jitsim_digits_key_format(imsi, name, size) < 0)
		snprintf(name, size, "key %016" PRIx64, imsi);
}

int
jitsim_rec_decode(uint64_t imsi, const uint8_t *p, size_t len, struct jitsim_rec *r, char *err,
		  size_t errlen)
{
	char name[JITSIM_DIGITS_MAX + 1];
	size_t off, n;

	if (len < 1)
		FAIL("version", "empty value");
	if (p[0] > JITSIM_REC_VERSION) {
		rec_name(imsi, name, sizeof(name));
		snprintf(err, errlen,
			 "record of IMSI %s: version %u is newer than this build (%u); upgrade "
			 "jitsim",
			 name, p[0], JITSIM_REC_VERSION);
		return -ENOTSUP;
	}
	if (p[0] == 0)
		FAIL("version", "0 is invalid");
	off = p[0] == 1 ? REC_FIXED_V1 : REC_FIXED;
	if (len < off)
		FAIL("fixed part", "truncated at %zu of %zu bytes", len, off);
	memset(r, 0, offsetof(struct jitsim_rec, sealed));
	r->imsi = imsi;
	r->version = p[0];
	r->state = p[1];
	r->flags = p[2];
	r->tenant = get16(p + 3);
	r->region = get16(p + 5);
	r->tariff = get16(p + 7);
	r->hlr = get16(p + 9);
	r->msisdn = get64(p + 11);
	r->created = get64(p + 19);
	r->updated = get64(p + 27);
	r->activated = get64(p + 35);
	r->last_activity = get64(p + 43);
	if (r->state == JITSIM_SIM_NONE || r->state >= JITSIM_SIM_STATE_MAX)
		FAIL("state", "invalid value %u", r->state);
	if (p[0] >= 2) {
		r->unlock_to = p[REC_FIXED_V1];
		r->unblock_to = p[REC_FIXED_V1 + 1];
		if (r->unlock_to >= JITSIM_SIM_STATE_MAX)
			FAIL("unlock_to", "invalid state %u", r->unlock_to);
		if (r->unblock_to >= JITSIM_SIM_STATE_MAX)
			FAIL("unblock_to", "invalid state %u", r->unblock_to);
	}

	if (len - off < 1 || (n = p[off]) > JITSIM_REC_ICCID_MAX || len - off - 1 < n)
		FAIL("iccid", "bad length at offset %zu", off);
	if (!all_digits((const char *)p + off + 1, n))
		FAIL("iccid", "not decimal digits");
	memcpy(r->iccid, p + off + 1, n);
	off += 1 + n;

	if (len - off < 1 || (n = p[off]) > JITSIM_REC_BATCH_MAX || len - off - 1 < n)
		FAIL("batch", "bad length at offset %zu", off);
	memcpy(r->batch, p + off + 1, n);
	off += 1 + n;

	if (len - off < 3)
		FAIL("secrets", "truncated at offset %zu", off);
	r->secret_mask = p[off];
	n = get16(p + off + 1);
	off += 3;
	if (r->secret_mask & ~JITSIM_REC_S_ALL)
		FAIL("secrets", "unknown mask bits 0x%02x", r->secret_mask);
	if (n != (r->secret_mask
			  ? JITSIM_SECRET_SEALED_LEN(popcount4(r->secret_mask) * JITSIM_REC_KEY_LEN)
			  : 0))
		FAIL("secrets", "sealed length %zu does not match mask 0x%02x", n, r->secret_mask);
	if (len - off != n)
		FAIL("secrets", "%zu bytes left for a sealed length of %zu", len - off, n);
	r->sealed_len = (uint16_t)n;
	memcpy(r->sealed, p + off, n);
	return 0;
}

void
jitsim_rec_dp_encode(const struct jitsim_rec *r, uint8_t out[JITSIM_REC_DP_LEN])
{
	out[0] = JITSIM_REC_DP_VERSION;
	out[1] = r->state;
	out[2] = r->flags;
	out[3] = 0;
	put16(out + 4, r->tenant);
	put16(out + 6, r->region);
	put64(out + 8, r->msisdn);
}

int
jitsim_rec_dp_decode(uint64_t imsi, const uint8_t *p, size_t len, struct jitsim_rec_dp *dp,
		     char *err, size_t errlen)
{
	char name[JITSIM_DIGITS_MAX + 1];

	if (len >= 1 && p[0] > JITSIM_REC_DP_VERSION) {
		rec_name(imsi, name, sizeof(name));
		snprintf(err, errlen,
			 "dataplane entry of IMSI %s: version %u is newer than this build; "
			 "upgrade jitsim",
			 name, p[0]);
		return -ENOTSUP;
	}
	if (len != JITSIM_REC_DP_LEN || p[0] != JITSIM_REC_DP_VERSION || p[1] == JITSIM_SIM_NONE ||
	    p[1] >= JITSIM_SIM_STATE_MAX) {
		rec_name(imsi, name, sizeof(name));
		snprintf(err, errlen,
			 "dataplane entry of IMSI %s: damaged (%zu bytes, version %d, state %d)",
			 name, len, len >= 1 ? p[0] : -1, len >= 2 ? p[1] : -1);
		return -EBADMSG;
	}
	dp->state = p[1];
	dp->flags = p[2];
	dp->tenant = get16(p + 4);
	dp->region = get16(p + 6);
	dp->msisdn = get64(p + 8);
	return 0;
}

int
jitsim_rec_dump(const struct jitsim_rec *r, char *buf, size_t size)
{
	char imsi[JITSIM_DIGITS_MAX + 1] = "", msisdn[JITSIM_DIGITS_MAX + 1] = "";

	jitsim_digits_key_format(r->imsi, imsi, sizeof(imsi));
	if (r->msisdn)
		jitsim_digits_key_format(r->msisdn, msisdn, sizeof(msisdn));
	return snprintf(buf, size,
			"imsi=%s state=%s flags=0x%02x tenant=%u region=%u tariff=%u hlr=%u "
			"msisdn=%s iccid=%s batch=%s created=%" PRIu64 " updated=%" PRIu64
			" activated=%" PRIu64 " last_activity=%" PRIu64 " secrets=%s%s%s%s",
			imsi, jitsim_sim_state_name(r->state), r->flags, r->tenant, r->region,
			r->tariff, r->hlr, r->msisdn ? msisdn : "-", r->iccid, r->batch, r->created,
			r->updated, r->activated, r->last_activity,
			r->secret_mask & JITSIM_REC_S_KI ? "ki," : "",
			r->secret_mask & JITSIM_REC_S_OPC ? "opc," : "",
			r->secret_mask & JITSIM_REC_S_KIC ? "kic," : "",
			r->secret_mask & JITSIM_REC_S_KID ? "kid" : "");
}
