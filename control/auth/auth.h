/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Authentication vectors of the First Time Attach endpoints (issues 8
 * and 9), computed in jitsim-cp from the SIM's Ki/OPc in the store, with
 * a sequence number (SQN) per SIM that is durable and never reused
 * (docs/fta.md, "Authentication vectors and SQN").
 *
 * SQN (3GPP TS 33.102 Annex C, C.1.1.2 and the C.3.2 profile): SQN is
 * SEQ || IND, 48 bits, IND the low 5 bits. Every vector takes a new SEQ
 * (strictly increasing per SIM) and IND = SEQ mod 32, so IND cycles over
 * the USIM's 32 array entries and a vector is fresh for the USIM
 * whichever entry it lands in. GSM triplets take no SQN (c2/c3 of TS
 * 33.102 6.8.1.2 use RES, CK and IK only, which depend on RAND alone).
 *
 * Durability: the store's `meta` column family holds, per SIM,
 *   "sqn/" + IMSI key (8 bytes BE, record.h)  ->  u8 version (1) | u64 BE limit
 * where every SEQ below `limit` may have been handed out. A call that
 * needs SEQ values beyond what it has reserved in memory first commits a
 * new limit (one sync WriteBatch, JITSIM_AUTH_SQN_BLOCK values at a time
 * by default), and only then returns vectors; a crash loses the rest of
 * the block (skipped, never reused). The key is kept when a SIM record is
 * deleted, so a SIM imported again never gets an SQN twice.
 *
 * Re-synchronisation (TS 33.102 6.3.5): with the RAND and AUTS the VLR
 * sends, MAC-S is checked with f1* and SQN_MS recovered with f5*
 * (jitsim_milenage_auts). A wrong MAC-S is refused (-EKEYREJECTED; the
 * caller answers with an error and the SQN does not move). A right one
 * sets SEQ_HE to max(SEQ_HE, SEQ_MS): the new vectors start at
 * SEQ_MS + 1. SEQ_HE never moves back, which would hand out SQNs a
 * second time.
 *
 * AMF: the operator's bits from the options; the separation bit (0x8000,
 * TS 33.102 Annex H / TS 33.401 6.1.1) is set for EPS vectors and cleared
 * for UMTS ones.
 *
 * Secrets: Ki/OPc are opened from the sealed record into a stack buffer,
 * used and wiped (OPENSSL_cleanse) before the call returns; they are
 * never logged and never in @err. The vectors themselves (CK, IK, Kc,
 * KASME, XRES) are secrets too: the caller wipes them with
 * jitsim_auth_vec_wipe() once encoded.
 *
 * Thread-safety: one context per store (two contexts on one store would
 * reserve the same SEQ values). Any thread may call; calls are serialised
 * by a mutex in the context, held across the store commit of a new
 * reservation (one WAL sync; RocksDB is thread-safe). Ownership: the
 * context keeps a pointer to the store, which must outlive it.
 *
 * Errors: negative errno, with a message in @err that names the IMSI
 * (digits) and the problem, never a key:
 *   -EINVAL        bad argument (n out of 1..JITSIM_AUTH_VEC_MAX, kind)
 *   -ENOENT        no SIM record for the IMSI
 *   -ENOKEY        the record has no Ki or no OPc (imported without keys)
 *   -EKEYREJECTED  re-synchronisation: MAC-S of AUTS does not verify
 *   -EBADMSG       damaged record, or sealed keys that do not open (KEK)
 *   -ENOTSUP       record or SQN entry of a newer version
 *   -EOVERFLOW     the SIM's SEQ space (43 bits) is used up
 *   -EIO           store or OpenSSL failure
 */

#ifndef JITSIM_AUTH_H
#define JITSIM_AUTH_H

#include <stddef.h>
#include <stdint.h>

struct jitsim_store;
struct jitsim_auth;

#define JITSIM_AUTH_VEC_MAX 5  /* vectors per call (MAP SAI allows 1..5) */
#define JITSIM_AUTH_IND_BITS 5 /* TS 33.102 C.3.2: a = 32 array entries */
#define JITSIM_AUTH_SEQ_MAX ((UINT64_C(1) << 43) - 1)
#define JITSIM_AUTH_SQN_BLOCK 32    /* default SEQ values reserved per write */
#define JITSIM_AUTH_CACHE 65536	    /* default SIMs whose reservation stays in memory */
#define JITSIM_AUTH_AMF_SEP 0x8000u /* AMF separation bit (E-UTRAN) */

enum jitsim_auth_kind {
	JITSIM_AUTH_UMTS = 1, /* quintuplets: rand, xres, ck, ik, autn */
	JITSIM_AUTH_GSM = 2,  /* triplets: rand, sres, kc (no SQN used) */
	JITSIM_AUTH_EPS = 3,  /* E-UTRAN vectors: rand, xres, autn, kasme */
};

struct jitsim_auth_opts {
	uint16_t amf;	    /* operator AMF bits (default 0x0000) */
	unsigned int block; /* SEQ values reserved per commit, 1..65536 (0: default) */
	/* Direct-mapped cache of per-SIM reservations, a power of two (0:
	 * default). A SIM evicted by another loses the rest of its block. */
	unsigned int cache;
};

/* Re-synchronisation info of MAP SAI (re-synchronisationInfo) or S6a
 * AIR (Re-Synchronization-Info = RAND || AUTS). */
struct jitsim_auth_resync {
	uint8_t rand[16];
	uint8_t auts[14];
};

struct jitsim_auth_req {
	enum jitsim_auth_kind kind;
	unsigned int n;				 /* vectors wanted, 1..JITSIM_AUTH_VEC_MAX */
	uint8_t plmn[3];			 /* EPS: serving network id (jitsim_plmn_encode) */
	const struct jitsim_auth_resync *resync; /* NULL: none */
};

/* One vector; the fields of its kind are filled, the others zero. */
struct jitsim_auth_vec {
	uint8_t rand[16];
	uint8_t xres[8]; /* MILENAGE RES is 8 bytes */
	uint8_t ck[16];
	uint8_t ik[16];
	uint8_t autn[16];
	uint8_t kasme[32];
	uint8_t sres[4];
	uint8_t kc[8];
	uint64_t sqn; /* SQN in AUTN (SEQ << 5 | IND); 0 for GSM. Not secret. */
};

/* Counters (monotonic since jitsim_auth_new). */
struct jitsim_auth_stats {
	uint64_t calls;	     /* successful jitsim_auth_vectors() */
	uint64_t vectors;    /* vectors returned */
	uint64_t commits;    /* SQN reservations written */
	uint64_t resyncs;    /* AUTS accepted */
	uint64_t resync_bad; /* AUTS refused (MAC-S) */
	uint64_t evictions;  /* reservations dropped from the cache */
	uint64_t errors;     /* other failed calls */
};

/* Create a context on @store (a primary). @o may be NULL (defaults).
 * NULL on failure with the reason in @err. */
struct jitsim_auth *jitsim_auth_new(struct jitsim_store *store, const struct jitsim_auth_opts *o,
				    char *err, size_t errlen);
/* Free; reservations not used are skipped (they are on disk already). */
void jitsim_auth_free(struct jitsim_auth *a);

/*
 * Compute @rq->n vectors for @imsi (compact key, jitsim_digits_key) into
 * @out (room for @rq->n). With @rq->resync, the AUTS is processed first
 * (see above). The SQN values the vectors carry are durable before this
 * returns. Returns @rq->n or a negative errno (list above).
 */
int jitsim_auth_vectors(struct jitsim_auth *a, uint64_t imsi, const struct jitsim_auth_req *rq,
			struct jitsim_auth_vec *out, char *err, size_t errlen);

/* The next SEQ this context would hand out for @imsi (in memory or, when
 * not cached, the stored limit; 1 for a SIM never served). For tests and
 * the CLI. 0 or -EBADMSG/-ENOTSUP/-EIO. */
int jitsim_auth_seq_next(struct jitsim_auth *a, uint64_t imsi, uint64_t *seq, char *err,
			 size_t errlen);

/* A snapshot of the counters (thread-safe). */
void jitsim_auth_stats_get(struct jitsim_auth *a, struct jitsim_auth_stats *st);

/* Wipe @n vectors (OPENSSL_cleanse). */
void jitsim_auth_vec_wipe(struct jitsim_auth_vec *v, unsigned int n);

/* SQN as the 6 big-endian bytes of AUTN and the SEQ/IND split. */
void jitsim_auth_sqn_bytes(uint64_t sqn, uint8_t out[6]);
uint64_t jitsim_auth_sqn_parse(const uint8_t in[6]);

#endif /* JITSIM_AUTH_H */
