/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Authentication vectors with a durable SQN per SIM (auth.h,
 * docs/fta.md "Authentication vectors and SQN").
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <openssl/crypto.h>
#include <openssl/rand.h>

#include <jitsim/proto/digits.h>

#include "auth.h"
#include "milenage.h"
#include "store.h"

/* "sqn/" + IMSI key (BE64) in `meta`. */
#define AUTH_SQN_PREFIX "sqn/"
#define AUTH_SQN_PREFIX_LEN 4
#define AUTH_SQN_KEY_LEN (AUTH_SQN_PREFIX_LEN + 8)
#define AUTH_SQN_VERSION 1
#define AUTH_SQN_VAL_LEN 9 /* u8 version | u64 BE limit */
#define AUTH_BLOCK_MAX 65536u
#define AUTH_CACHE_MAX (1u << 24)

/* One SIM's reservation: SEQ values next .. limit-1 are on disk as used
 * (the stored limit is @limit) and not yet handed out. */
struct auth_slot {
	uint64_t imsi; /* 0: empty (a compact key is never 0) */
	uint64_t next;
	uint64_t limit;
};

struct jitsim_auth {
	pthread_mutex_t lock;
	struct jitsim_store *store;
	struct jitsim_milenage *mil;
	uint16_t amf;
	unsigned int block;
	unsigned int cache_mask;
	struct jitsim_auth_stats st;
	struct auth_slot *slots;
};

static void
imsi_name(uint64_t imsi, char *buf, size_t size)
{
	if (jitsim_digits_key_format(imsi, buf, size) < 0)
		snprintf(buf, size, "?");
}

static void
put_be64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint64_t
get_be64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
jitsim_auth_sqn_bytes(uint64_t sqn, uint8_t out[6])
{
	for (int i = 5; i >= 0; i--) {
		out[i] = (uint8_t)sqn;
		sqn >>= 8;
	}
}

uint64_t
jitsim_auth_sqn_parse(const uint8_t in[6])
{
	uint64_t v = 0;

	for (int i = 0; i < 6; i++)
		v = v << 8 | in[i];
	return v;
}

/* TS 33.102 C.3.2: IND in the low 5 bits; IND = SEQ mod 32 makes it cycle
 * with SEQ, one array entry after the other. */
static uint64_t
auth_sqn_of(uint64_t seq)
{
	return seq << JITSIM_AUTH_IND_BITS | (seq & ((1u << JITSIM_AUTH_IND_BITS) - 1));
}

static void
sqn_key(uint64_t imsi, uint8_t key[AUTH_SQN_KEY_LEN])
{
	memcpy(key, AUTH_SQN_PREFIX, AUTH_SQN_PREFIX_LEN);
	jitsim_rec_key(imsi, key + AUTH_SQN_PREFIX_LEN);
}

/* The stored limit of @imsi: 1 when there is none (SEQ 0 is never used,
 * so a USIM fresh from the factory, SQN_MS 0, accepts the first vector). */
static int
sqn_load(struct jitsim_auth *a, uint64_t imsi, uint64_t *limit, char *err, size_t errlen)
{
	uint8_t key[AUTH_SQN_KEY_LEN], val[16];
	char name[JITSIM_DIGITS_MAX + 1];
	size_t vlen = 0;
	int rc;

	sqn_key(imsi, key);
	rc = jitsim_store_get(a->store, JITSIM_CF_META, key, sizeof(key), val, sizeof(val), &vlen);
	if (rc == -ENOENT) {
		*limit = 1;
		return 0;
	}
	imsi_name(imsi, name, sizeof(name));
	if (rc != 0) {
		snprintf(err, errlen, "IMSI %s: reading its SQN from the store failed (%d)", name,
			 rc);
		return -EIO;
	}
	if (vlen >= 1 && val[0] > AUTH_SQN_VERSION) {
		snprintf(err, errlen, "IMSI %s: SQN entry of version %u, newer than this build",
			 name, val[0]);
		return -ENOTSUP;
	}
	if (vlen != AUTH_SQN_VAL_LEN || val[0] != AUTH_SQN_VERSION) {
		snprintf(err, errlen, "IMSI %s: damaged SQN entry (%zu bytes, version %u)", name,
			 vlen, vlen >= 1 ? val[0] : 0);
		return -EBADMSG;
	}
	*limit = get_be64(val + 1);
	if (*limit == 0 || *limit > JITSIM_AUTH_SEQ_MAX + 1) {
		snprintf(err, errlen, "IMSI %s: damaged SQN entry (limit out of range)", name);
		return -EBADMSG;
	}
	return 0;
}

/* Durably record that every SEQ below @limit may be in use. */
static int
sqn_commit(struct jitsim_auth *a, uint64_t imsi, uint64_t limit, char *err, size_t errlen)
{
	uint8_t key[AUTH_SQN_KEY_LEN], val[AUTH_SQN_VAL_LEN];
	struct jitsim_store_batch *b;
	char name[JITSIM_DIGITS_MAX + 1];
	char serr[160] = "";
	int rc;

	sqn_key(imsi, key);
	val[0] = AUTH_SQN_VERSION;
	put_be64(val + 1, limit);
	b = jitsim_store_batch_new(a->store);
	if (b == NULL) {
		snprintf(err, errlen, "SQN reservation: out of memory");
		return -ENOMEM;
	}
	jitsim_store_batch_put(b, JITSIM_CF_META, key, sizeof(key), val, sizeof(val));
	rc = jitsim_store_commit(b, serr, sizeof(serr));
	jitsim_store_batch_free(b);
	if (rc != 0) {
		imsi_name(imsi, name, sizeof(name));
		snprintf(err, errlen, "IMSI %s: writing its SQN reservation failed: %s", name,
			 serr);
		return rc < 0 ? rc : -EIO;
	}
	a->st.commits++;
	return 0;
}

static struct auth_slot *
slot_of(struct jitsim_auth *a, uint64_t imsi)
{
	/* Fibonacci hashing: compact keys of one range differ in their low
	 * bits only; the multiply spreads them over the whole cache. */
	uint64_t h = imsi * UINT64_C(0x9E3779B97F4A7C15);

	return &a->slots[(h >> 32) & a->cache_mask];
}

/* The reservation of @imsi, loaded from the store when not cached (the
 * SIM it evicts loses the rest of its block: skipped, never reused). */
static int
slot_get(struct jitsim_auth *a, uint64_t imsi, struct auth_slot **out, char *err, size_t errlen)
{
	struct auth_slot *sl = slot_of(a, imsi);
	uint64_t limit;
	int rc;

	if (sl->imsi == imsi) {
		*out = sl;
		return 0;
	}
	rc = sqn_load(a, imsi, &limit, err, errlen);
	if (rc != 0)
		return rc;
	if (sl->imsi != 0)
		a->st.evictions++;
	sl->imsi = imsi;
	sl->next = limit;
	sl->limit = limit;
	*out = sl;
	return 0;
}

struct jitsim_auth *
jitsim_auth_new(struct jitsim_store *store, const struct jitsim_auth_opts *o, char *err,
		size_t errlen)
{
	struct jitsim_auth_opts def = {0};
	struct jitsim_auth *a;
	unsigned int cache;

	if (o == NULL)
		o = &def;
	if (store == NULL || jitsim_store_kek(store) == NULL) {
		snprintf(err, errlen, "auth: a primary store with its KEK is required");
		return NULL;
	}
	if (o->block > AUTH_BLOCK_MAX) {
		snprintf(err, errlen, "auth: block %u out of range 1..%u", o->block,
			 AUTH_BLOCK_MAX);
		return NULL;
	}
	cache = o->cache != 0 ? o->cache : JITSIM_AUTH_CACHE;
	if ((cache & (cache - 1)) != 0 || cache > AUTH_CACHE_MAX) {
		snprintf(err, errlen, "auth: cache %u is not a power of two up to %u", cache,
			 AUTH_CACHE_MAX);
		return NULL;
	}
	a = calloc(1, sizeof(*a));
	if (a == NULL) {
		snprintf(err, errlen, "auth: out of memory");
		return NULL;
	}
	a->slots = calloc(cache, sizeof(*a->slots));
	a->mil = jitsim_milenage_new();
	if (a->slots == NULL || a->mil == NULL) {
		snprintf(err, errlen, "auth: out of memory or no AES-128 in OpenSSL");
		goto free_ctx;
	}
	if (pthread_mutex_init(&a->lock, NULL) != 0) {
		snprintf(err, errlen, "auth: mutex");
		goto free_ctx;
	}
	a->store = store;
	a->amf = o->amf;
	a->block = o->block != 0 ? o->block : JITSIM_AUTH_SQN_BLOCK;
	a->cache_mask = cache - 1;
	return a;

free_ctx:
	jitsim_milenage_free(a->mil);
	free(a->slots);
	free(a);
	return NULL;
}

void
jitsim_auth_free(struct jitsim_auth *a)
{
	if (a == NULL)
		return;
	pthread_mutex_destroy(&a->lock);
	jitsim_milenage_free(a->mil);
	free(a->slots);
	free(a);
}

void
jitsim_auth_vec_wipe(struct jitsim_auth_vec *v, unsigned int n)
{
	if (v != NULL && n > 0)
		OPENSSL_cleanse(v, sizeof(*v) * n);
}

/* Open Ki and OPc of @imsi into @sec. */
static int
auth_keys(struct jitsim_auth *a, uint64_t imsi, struct jitsim_rec_secrets *sec, char *err,
	  size_t errlen)
{
	struct jitsim_rec rec;
	char name[JITSIM_DIGITS_MAX + 1];
	int rc;

	imsi_name(imsi, name, sizeof(name));
	rc = jitsim_store_sim_get(a->store, imsi, &rec, err, errlen);
	if (rc == -ENOENT) {
		snprintf(err, errlen, "IMSI %s: no such SIM", name);
		return rc;
	}
	if (rc != 0)
		return rc; /* @err names the IMSI or the store already */
	if ((rec.secret_mask & (JITSIM_REC_S_KI | JITSIM_REC_S_OPC)) !=
	    (JITSIM_REC_S_KI | JITSIM_REC_S_OPC)) {
		snprintf(err, errlen, "IMSI %s: the SIM record has no %s", name,
			 (rec.secret_mask & JITSIM_REC_S_KI) == 0 ? "Ki" : "OPc");
		return -ENOKEY;
	}
	rc = jitsim_rec_open(&rec, jitsim_store_kek(a->store), sec);
	OPENSSL_cleanse(rec.sealed, sizeof(rec.sealed));
	if (rc == -ENOENT) {
		snprintf(err, errlen, "IMSI %s: the SIM record has no keys", name);
		return -ENOKEY;
	}
	if (rc != 0) {
		jitsim_rec_secrets_wipe(sec);
		snprintf(err, errlen, "IMSI %s: the SIM keys do not open (wrong KEK or damaged)",
			 name);
		return -EBADMSG;
	}
	return 0;
}

/* One vector of @kind with SEQ @seq (unused for GSM). */
static int
auth_one(struct jitsim_auth *a, const struct jitsim_rec_secrets *sec,
	 const struct jitsim_auth_req *rq, uint64_t seq, struct jitsim_auth_vec *v)
{
	struct jitsim_milenage_vector mv;
	uint8_t sqn[6], amf[2];
	uint16_t amf16;
	int rc = -EIO;

	memset(v, 0, sizeof(*v));
	if (RAND_bytes(v->rand, sizeof(v->rand)) != 1)
		return -EIO;
	if (rq->kind == JITSIM_AUTH_GSM) {
		/* c2/c3 need RES, CK and IK only: f2..f5 of RAND. */
		memset(&mv, 0, sizeof(mv));
		if (jitsim_milenage_f2345(a->mil, sec->ki, sec->opc, v->rand, mv.res, mv.ck, mv.ik,
					  mv.ak, NULL) == 0) {
			jitsim_milenage_gsm(&mv, v->sres, v->kc);
			rc = 0;
		}
		goto wipe;
	}
	amf16 = rq->kind == JITSIM_AUTH_EPS ? (uint16_t)(a->amf | JITSIM_AUTH_AMF_SEP)
					    : (uint16_t)(a->amf & ~JITSIM_AUTH_AMF_SEP);
	amf[0] = (uint8_t)(amf16 >> 8);
	amf[1] = (uint8_t)amf16;
	v->sqn = auth_sqn_of(seq);
	jitsim_auth_sqn_bytes(v->sqn, sqn);
	if (jitsim_milenage_vector(a->mil, sec->ki, sec->opc, v->rand, sqn, amf, &mv) != 0)
		goto wipe;
	memcpy(v->xres, mv.res, sizeof(v->xres));
	memcpy(v->autn, mv.autn, sizeof(v->autn));
	if (rq->kind == JITSIM_AUTH_EPS) {
		/* TS 33.401 A.2: P1 = SQN xor AK, the first 6 bytes of AUTN. */
		if (jitsim_kasme(mv.ck, mv.ik, rq->plmn, mv.autn, v->kasme) != 0)
			goto wipe;
	} else {
		memcpy(v->ck, mv.ck, sizeof(v->ck));
		memcpy(v->ik, mv.ik, sizeof(v->ik));
	}
	rc = 0;
wipe:
	OPENSSL_cleanse(&mv, sizeof(mv));
	if (rc != 0)
		OPENSSL_cleanse(v, sizeof(*v));
	return rc;
}

static int
auth_check_req(const struct jitsim_auth_req *rq, const struct jitsim_auth_vec *out, char *err,
	       size_t errlen)
{
	if (rq == NULL || out == NULL) {
		snprintf(err, errlen, "auth: no request or no output");
		return -EINVAL;
	}
	if (rq->n < 1 || rq->n > JITSIM_AUTH_VEC_MAX) {
		snprintf(err, errlen, "auth: %u vectors requested, not 1..%u", rq->n,
			 JITSIM_AUTH_VEC_MAX);
		return -EINVAL;
	}
	if (rq->kind != JITSIM_AUTH_UMTS && rq->kind != JITSIM_AUTH_GSM &&
	    rq->kind != JITSIM_AUTH_EPS) {
		snprintf(err, errlen, "auth: unknown vector kind %d", (int)rq->kind);
		return -EINVAL;
	}
	return 0;
}

/* With the lock held. */
static int
auth_vectors_locked(struct jitsim_auth *a, uint64_t imsi, const struct jitsim_auth_req *rq,
		    struct jitsim_auth_vec *out, char *err, size_t errlen)
{
	struct jitsim_rec_secrets sec;
	struct auth_slot *sl = NULL;
	char name[JITSIM_DIGITS_MAX + 1];
	uint64_t next = 0, need, seq_ms;
	uint8_t sqn_ms[6];
	unsigned int i;
	int rc;

	memset(&sec, 0, sizeof(sec));
	rc = auth_keys(a, imsi, &sec, err, errlen);
	if (rc != 0)
		goto out;
	imsi_name(imsi, name, sizeof(name));
	if (rq->resync != NULL) {
		/* TS 33.102 6.3.5: MAC-S (f1*, AMF 0) authenticates the AUTS,
		 * f5* reveals SQN_MS. A wrong MAC-S moves nothing. */
		rc = jitsim_milenage_auts(a->mil, sec.ki, sec.opc, rq->resync->rand,
					  rq->resync->auts, sqn_ms);
		if (rc == -EBADMSG) {
			a->st.resync_bad++;
			snprintf(err, errlen, "IMSI %s: AUTS refused, its MAC-S does not verify",
				 name);
			rc = -EKEYREJECTED;
			goto out;
		}
		if (rc != 0) {
			snprintf(err, errlen, "IMSI %s: re-synchronisation: crypto failure", name);
			rc = -EIO;
			goto out;
		}
	}
	need = rq->kind == JITSIM_AUTH_GSM ? 0 : rq->n;
	if (need > 0 || rq->resync != NULL) {
		rc = slot_get(a, imsi, &sl, err, errlen);
		if (rc != 0)
			goto out;
		next = sl->next;
		if (rq->resync != NULL) {
			seq_ms = jitsim_auth_sqn_parse(sqn_ms) >> JITSIM_AUTH_IND_BITS;
			/* Never back: SEQ_HE = max(SEQ_HE, SEQ_MS). */
			if (seq_ms + 1 > next)
				next = seq_ms + 1;
		}
		if (next + need > sl->limit) {
			uint64_t limit = next + (need > a->block ? need : a->block);

			if (limit > JITSIM_AUTH_SEQ_MAX + 1) {
				if (next + need > JITSIM_AUTH_SEQ_MAX + 1) {
					snprintf(err, errlen, "IMSI %s: SQN space used up", name);
					rc = -EOVERFLOW;
					goto out;
				}
				limit = JITSIM_AUTH_SEQ_MAX + 1;
			}
			rc = sqn_commit(a, imsi, limit, err, errlen);
			if (rc != 0)
				goto out;
			sl->limit = limit;
		}
		sl->next = next + need;
		if (rq->resync != NULL)
			a->st.resyncs++;
	}
	for (i = 0; i < rq->n; i++) {
		rc = auth_one(a, &sec, rq, next + i, &out[i]);
		if (rc != 0) {
			jitsim_auth_vec_wipe(out, i);
			snprintf(err, errlen, "IMSI %s: vector computation failed (OpenSSL)", name);
			goto out;
		}
	}
	rc = (int)rq->n;
out:
	jitsim_rec_secrets_wipe(&sec);
	return rc;
}

int
jitsim_auth_vectors(struct jitsim_auth *a, uint64_t imsi, const struct jitsim_auth_req *rq,
		    struct jitsim_auth_vec *out, char *err, size_t errlen)
{
	int rc;

	if (a == NULL)
		return -EINVAL;
	rc = auth_check_req(rq, out, err, errlen);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&a->lock);
	rc = auth_vectors_locked(a, imsi, rq, out, err, errlen);
	if (rc > 0) {
		a->st.calls++;
		a->st.vectors += (uint64_t)rc;
	} else if (rc != -EKEYREJECTED) {
		a->st.errors++;
	}
	pthread_mutex_unlock(&a->lock);
	return rc;
}

int
jitsim_auth_seq_next(struct jitsim_auth *a, uint64_t imsi, uint64_t *seq, char *err, size_t errlen)
{
	struct auth_slot *sl;
	int rc = 0;

	pthread_mutex_lock(&a->lock);
	sl = slot_of(a, imsi);
	if (sl->imsi == imsi)
		*seq = sl->next;
	else
		rc = sqn_load(a, imsi, seq, err, errlen);
	pthread_mutex_unlock(&a->lock);
	return rc;
}

void
jitsim_auth_stats_get(struct jitsim_auth *a, struct jitsim_auth_stats *st)
{
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	pthread_mutex_unlock(&a->lock);
}
