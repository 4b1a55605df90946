/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Inventory import in passes over the file (docs/inventory.md):
 *
 *  1   parse and validate every line; duplicates inside the file through
 *      sets of compact keys (inv_set.h: ~14 bytes per key, no record is
 *      kept in memory), checked on a second thread for a large file
 *      (dupq); note whether IMSIs and ICCIDs ascend.
 *  1b  compare with the store: point reads for every valid line of a
 *      small file; for a large one, one scan of the sim, iccid (and
 *      msisdn) column families looked up in the sets first, then point
 *      reads only for the lines the scan hit (importing 10 M new SIMs
 *      must not cost 30 M point reads).
 *  2   write the new SIMs: one WriteBatch per JITSIM_INV_BATCH SIMs (the
 *      record and its index entries in the same batch), or SST files for a
 *      large file without MSISDNs (iccid file ingested before the sim
 *      file: the record is the commit point); keys that do not ascend in
 *      the file (vendors number ICCIDs in order, not always IMSIs) are
 *      sorted per chunk in memory first (radix sort), and a chunk's SST
 *      files are written and ingested on a flusher thread while the next
 *      chunk is read (struct flusher); sealing on a second thread
 *      (job_next()); the reject file; the audit line.
 *
 * A large file of new SIMs is parsed once: pass 1 runs pass 2's writing
 * pipeline beside its checks and keeps the SST files, ingested only once
 * 1 and 1b found every line valid and new (stage_*(); pass 2 otherwise).
 *
 * Memory: the sets (~30 bytes a line, 45 with an MSISDN column; freed
 * before pass 2 when there is no reject file to write), 3 bits a line of
 * bitmaps, two jobs of JITSIM_INV_JOB lines; never the file. A bulk
 * import of keys out of order also holds two chunks of encoded records
 * (about 210 MB each for the default chunk of 2^20 SIMs): ~690 MB peak
 * RSS for 10 M SIMs, ~1.2 GB in one pass (sets, chunks and every
 * chunk's dp entries at once).
 *
 * Per-line outcomes of pass 1/1b live in bitmaps indexed by file line
 * number (rejected, unchanged, hit by the scan): 3 bits a line.
 *
 * Test-only knobs, read from the environment at each import:
 *   JITSIM_INV_BULK_MIN    new SIMs from which the SST path (and the scan
 *                          of the store) is used (default 100000)
 *   JITSIM_INV_BULK_CHUNK  SIMs per pair of SST files (default 1048576)
 *   JITSIM_INV_PROGRESS_FD a descriptor that gets one byte after every
 *                          commit or ingest (kill -9 tests)
 *   JITSIM_INV_NO_STAGE    nonzero: no one-pass bulk import
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <openssl/crypto.h>
#include <openssl/evp.h>

#include <jitsim/sim.h>

#include "inv_parse.h"
#include "inv_set.h"
#include "inventory.h"

#define JITSIM_INV_BATCH 1000		 /* SIMs per WriteBatch */
#define JITSIM_INV_BULK_MIN 100000	 /* new SIMs for the SST path */
#define JITSIM_INV_BULK_CHUNK (1u << 20) /* SIMs per pair of SST files */
#define MSG_MAX 512

struct bitmap {
	uint64_t *w;
	size_t nw;
};

struct imp {
	struct jitsim_store *s;
	const struct jitsim_inv_opts *o;
	struct jitsim_inv_report *rep;
	struct jitsim_inv_file f;
	const struct jitsim_kek *kek;
	struct jitsim_inv_tkey tk;
	bool have_tk;
	EVP_CIPHER_CTX *dec; /* AES-128-ECB decryption under the transport key */

	struct jitsim_inv_set *imsi_set, *iccid_set, *msisdn_set;
	struct bitmap rejected, unchanged, hit;

	char *err;
	size_t errlen;
	uint64_t err_line; /* line of the error in @err (the first one) */

	uint64_t valid;	    /* lines through pass 1 */
	uint64_t est_lines; /* estimate_lines() */
	bool ascending;
	bool have_prev;
	uint64_t prev_imsi;
	char prev_iccid[21];

	uint64_t bulk_min, chunk;
	int progress_fd;
	uint8_t state;
	uint64_t now;
	FILE *rej;

	/* Staged bulk import (pass 1 writes the SST files too): set before
	 * the writing threads start, cleared after they stopped; the chunks'
	 * finished files, kept for stage_commit() (appended by the flusher
	 * thread, read by the main one only after flusher_wait()). */
	bool staging;
	bool stage_ok; /* a staged pass 1 kept every chunk's files */
	struct staged *staged;
	size_t nstaged, capstaged;
	/* The staged chunks' dp entries, one sorted run per chunk (run r
	 * ends at dpend[r]): written as one sorted dp file at the commit. */
	struct dp_ent *dpv;
	size_t ndp, capdp;
	size_t *dpend;
	size_t nrun, caprun;
};

/*
 * A dp entry (the dataplane's projection of a record) of a staged chunk.
 * Ten chunk files of dp entries overlap, and the dataplane's bulk load
 * then spends most of its scan in RocksDB's merging heap; merged once at
 * the commit they are one sorted run (stage_dp()).
 */
struct dp_ent {
	uint64_t k;
	uint8_t v[JITSIM_REC_DP_LEN];
};

/* --- small helpers --- */

static uint64_t
env_u64(const char *name, uint64_t def)
{
	const char *v = getenv(name);
	char *e;
	unsigned long long x;

	if (v == NULL || *v == '\0')
		return def;
	errno = 0;
	x = strtoull(v, &e, 10);
	if (errno != 0 || *e != '\0')
		return def;
	return x;
}

static void
progress(struct imp *im)
{
	if (im->progress_fd >= 0) {
		ssize_t n = write(im->progress_fd, "p", 1);

		(void)n;
	}
}

/* o->cancel set: the import stops where it is (-ECANCELED). */
static bool
cancelled(struct imp *im)
{
	if (im->o->cancel == NULL || __atomic_load_n(im->o->cancel, __ATOMIC_RELAXED) == 0)
		return false;
	snprintf(im->err, im->errlen, "%s: import cancelled", im->f.path);
	return true;
}

static int
bm_set(struct bitmap *b, uint64_t bit)
{
	size_t need = (size_t)(bit / 64) + 1;

	if (need > b->nw) {
		size_t nw = b->nw ? b->nw : 1024;
		uint64_t *w;

		while (nw < need)
			nw *= 2;
		w = realloc(b->w, nw * sizeof(*w));
		if (w == NULL)
			return -ENOMEM;
		memset(w + b->nw, 0, (nw - b->nw) * sizeof(*w));
		b->w = w;
		b->nw = nw;
	}
	b->w[bit / 64] |= 1ull << (bit % 64);
	return 0;
}

static bool
bm_test(const struct bitmap *b, uint64_t bit)
{
	return bit / 64 < b->nw && (b->w[bit / 64] >> (bit % 64) & 1);
}

/* Where rejected lines are recorded: the import's own, or those of the
 * duplicate-check thread of pass 1 (merged at its end). */
struct rejects {
	struct bitmap *bm;
	uint64_t *count;
	char *err;
	size_t errlen;
	uint64_t *err_line;
};

/* A line's error: counted, the first one (by line) kept for the caller. */
static int
reject_in(const struct rejects *r, uint64_t line, const char *msg)
{
	if (bm_set(r->bm, line) != 0)
		return -ENOMEM;
	(*r->count)++;
	if (line < *r->err_line) {
		snprintf(r->err, r->errlen, "%s", msg);
		*r->err_line = line;
	}
	return 0;
}

static int
reject(struct imp *im, uint64_t line, const char *msg)
{
	const struct rejects r = {&im->rejected, &im->rep->rejected, im->err, im->errlen,
				  &im->err_line};

	return reject_in(&r, line, msg);
}

/* Decrypt (transport key) or copy the keys of @sim into @sec. */
static int
clear_keys(struct imp *im, EVP_CIPHER_CTX *dec, const struct jitsim_inv_sim *sim,
	   struct jitsim_rec_secrets *sec)
{
	uint8_t *dst[JITSIM_INV_KEYS] = {sec->ki, sec->opc, sec->kic, sec->kid};
	int n = 0;

	memset(sec, 0, sizeof(*sec));
	sec->mask = sim->mask;
	if (im->have_tk && sim->mask == JITSIM_REC_S_ALL) {
		uint8_t clear[JITSIM_INV_KEYS * JITSIM_INV_KEY_LEN];
		int rc = 0;

		/* ECB: the four blocks in one call, as if one by one. */
		if (EVP_DecryptUpdate(dec, clear, &n, (const uint8_t *)sim->key,
				      (int)sizeof(clear)) != 1 ||
		    n != (int)sizeof(clear))
			rc = -EIO;
		for (int k = 0; k < JITSIM_INV_KEYS && rc == 0; k++)
			memcpy(dst[k], clear + k * JITSIM_INV_KEY_LEN, JITSIM_INV_KEY_LEN);
		OPENSSL_cleanse(clear, sizeof(clear));
		return rc;
	}
	for (int k = 0; k < JITSIM_INV_KEYS; k++) {
		if (!(sim->mask & (1u << k)))
			continue;
		if (!im->have_tk) {
			memcpy(dst[k], sim->key[k], JITSIM_INV_KEY_LEN);
			continue;
		}
		/* ECB: each key is one block, encrypted alone. */
		if (EVP_DecryptUpdate(dec, dst[k], &n, sim->key[k], JITSIM_INV_KEY_LEN) != 1 ||
		    n != JITSIM_INV_KEY_LEN)
			return -EIO;
	}
	return 0;
}

/* --- pass 1: the file alone --- */

/* The keys of a line the duplicate checks look at. */
struct line_keys {
	uint64_t imsi, iccid, msisdn; /* msisdn 0: none */
	uint64_t line;
};

static void
keys_of(const struct jitsim_inv_sim *sim, uint64_t line, struct line_keys *k)
{
	k->imsi = sim->imsi;
	k->iccid = sim->iccid_key;
	k->msisdn = sim->msisdn;
	k->line = line;
}

static int
dup_check(struct imp *im, const struct line_keys *lk, bool insert, char *msg, size_t msglen)
{
	const struct {
		struct jitsim_inv_set *set;
		uint64_t key;
		enum jitsim_inv_field fld;
	} k[3] = {
		{im->imsi_set, lk->imsi, JITSIM_INV_F_IMSI},
		{im->iccid_set, lk->iccid, JITSIM_INV_F_ICCID},
		{im->msisdn_set, lk->msisdn, JITSIM_INV_F_MSISDN},
	};
	int64_t first[3] = {0, 0, 0};

	/* All keys first, so that the sets do not depend on which check
	 * failed: pass 2 finds the same first lines. */
	for (int i = 0; i < 3; i++) {
		if (k[i].set == NULL || (k[i].fld == JITSIM_INV_F_MSISDN && lk->msisdn == 0))
			continue;
		if (insert) {
			first[i] = jitsim_inv_set_insert(k[i].set, k[i].key, (uint32_t)lk->line);
			if (first[i] < 0)
				return -ENOMEM;
		} else {
			first[i] = jitsim_inv_set_find(k[i].set, k[i].key);
			if ((uint64_t)first[i] == lk->line)
				first[i] = 0;
		}
	}
	for (int i = 0; i < 3; i++)
		if (first[i] > 0) {
			snprintf(msg, msglen,
				 "%s:%" PRIu64 ": field %s: duplicate of line %" PRId64, im->f.path,
				 lk->line, im->f.name[k[i].fld], first[i]);
			return -EINVAL;
		}
	return 0;
}

/* RocksDB's bytewise order of ICCID keys. */
static int
iccid_cmp(const char *a, const char *b)
{
	size_t la = strlen(a), lb = strlen(b);
	int c = memcmp(a, b, la < lb ? la : lb);

	return c != 0 ? c : (la > lb) - (la < lb);
}

/*
 * Pass 1 inserts the keys of a line PASS1_AHEAD lines after it parsed
 * them, their slots prefetched meanwhile: the sets of a large file are
 * far bigger than the caches, and every insert is a cache miss otherwise.
 */
#define PASS1_AHEAD 8

static int
pass1_keys_in(struct imp *im, const struct line_keys *lk, const struct rejects *r, uint64_t *valid)
{
	char msg[MSG_MAX];
	int rc = dup_check(im, lk, true, msg, sizeof(msg));

	if (rc == -EINVAL)
		return reject_in(r, lk->line, msg);
	if (rc == 0)
		(*valid)++;
	return rc;
}

static int
pass1_keys(struct imp *im, const struct line_keys *lk)
{
	const struct rejects r = {&im->rejected, &im->rep->rejected, im->err, im->errlen,
				  &im->err_line};

	return pass1_keys_in(im, lk, &r, &im->valid);
}

static void
prefetch_keys(struct imp *im, const struct line_keys *lk)
{
	jitsim_inv_set_prefetch(im->imsi_set, lk->imsi);
	jitsim_inv_set_prefetch(im->iccid_set, lk->iccid);
	if (im->msisdn_set != NULL && lk->msisdn != 0)
		jitsim_inv_set_prefetch(im->msisdn_set, lk->msisdn);
}

/*
 * A large file: the duplicate checks of pass 1 (set inserts, a cache miss
 * each) run on a second thread, a batch of PASS1_BATCH lines behind the
 * parsing, which is the other half of pass 1's time. The thread is the
 * only one to touch the sets; it records its rejects apart (merged by
 * dupq_stop(): the main thread records the lines that do not parse).
 * Batches go to it in file order, one at a time, so the sets see the
 * lines in the order of the sequential pass 1.
 */
#define PASS1_BATCH 1024

struct dupq {
	struct imp *im;
	struct line_keys buf[2][PASS1_BATCH];
	unsigned int n[2];
	unsigned int cur;  /* filled by the main thread */
	unsigned int todo; /* handed to the thread */
	struct bitmap rejected;
	uint64_t nrej, valid, err_line;
	char err[MSG_MAX];
	int rc;
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, quit;
};

static void *
dupq_main(void *arg)
{
	struct dupq *q = arg;
	const struct rejects r = {&q->rejected, &q->nrej, q->err, sizeof(q->err), &q->err_line};

	pthread_mutex_lock(&q->mu);
	for (;;) {
		while (!q->busy && !q->quit)
			pthread_cond_wait(&q->cv, &q->mu);
		if (!q->busy)
			break;
		pthread_mutex_unlock(&q->mu);
		{
			const struct line_keys *lk = q->buf[q->todo];
			unsigned int n = q->n[q->todo];
			int rc = 0;

			for (unsigned int i = 0; i < n && i < PASS1_AHEAD; i++)
				prefetch_keys(q->im, &lk[i]);
			for (unsigned int i = 0; i < n && rc == 0; i++) {
				if (i + PASS1_AHEAD < n)
					prefetch_keys(q->im, &lk[i + PASS1_AHEAD]);
				rc = pass1_keys_in(q->im, &lk[i], &r, &q->valid);
			}
			pthread_mutex_lock(&q->mu);
			if (q->rc == 0)
				q->rc = rc;
		}
		q->busy = false;
		pthread_cond_broadcast(&q->cv);
	}
	pthread_mutex_unlock(&q->mu);
	return NULL;
}

static struct dupq *
dupq_start(struct imp *im)
{
	struct dupq *q = calloc(1, sizeof(*q));

	if (q == NULL)
		return NULL;
	q->im = im;
	q->err_line = UINT64_MAX;
	pthread_mutex_init(&q->mu, NULL);
	pthread_cond_init(&q->cv, NULL);
	if (pthread_create(&q->th, NULL, dupq_main, q) != 0) {
		pthread_cond_destroy(&q->cv);
		pthread_mutex_destroy(&q->mu);
		free(q);
		return NULL;
	}
	return q;
}

/* Hand the current batch to the thread once it is done with the other
 * one; its error (-ENOMEM) if it had one. */
static int
dupq_flush(struct dupq *q)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	rc = q->rc;
	if (rc == 0 && q->n[q->cur] > 0) {
		q->todo = q->cur;
		q->busy = true;
		pthread_cond_broadcast(&q->cv);
		q->cur ^= 1;
		q->n[q->cur] = 0;
	}
	pthread_mutex_unlock(&q->mu);
	return rc;
}

/* Wait for the last batch, stop the thread and merge its rejects into
 * the import's (@merge false: only stop). */
static int
dupq_stop(struct imp *im, struct dupq *q, bool merge)
{
	int rc;

	pthread_mutex_lock(&q->mu);
	while (q->busy)
		pthread_cond_wait(&q->cv, &q->mu);
	q->quit = true;
	pthread_cond_broadcast(&q->cv);
	pthread_mutex_unlock(&q->mu);
	pthread_join(q->th, NULL);
	pthread_cond_destroy(&q->cv);
	pthread_mutex_destroy(&q->mu);
	rc = q->rc;
	for (size_t w = 0; merge && rc == 0 && w < q->rejected.nw; w++)
		for (uint64_t bits = q->rejected.w[w]; bits != 0 && rc == 0; bits &= bits - 1)
			rc = bm_set(&im->rejected, w * 64 + (uint64_t)__builtin_ctzll(bits));
	if (merge && rc == 0) {
		im->rep->rejected += q->nrej;
		im->valid += q->valid;
		if (q->err_line < im->err_line) {
			snprintf(im->err, im->errlen, "%s", q->err);
			im->err_line = q->err_line;
		}
	}
	free(q->rejected.w);
	free(q);
	return rc;
}

/*
 * Staged bulk import (docs/inventory.md): a large file of new SIMs is
 * parsed once, not twice. Pass 1 also runs the writing pipeline of pass 2
 * (sealing, sorted chunks, SST files), keeps the finished files instead
 * of ingesting them, and the import ingests them only when passes 1 and
 * 1b found every line valid and new; otherwise they are deleted and pass
 * 2 writes as before. Stage failures are not the file's errors: the stage
 * is abandoned and pass 2 meets them again.
 */
struct pipe;
static struct pipe *stage_start(struct imp *im);
static struct jitsim_inv_sim *pipe_slot(struct pipe *p);
static void stage_add(struct imp *im, struct pipe **pp, uint64_t line);
static void stage_end(struct imp *im, struct pipe **pp, bool ok);

static int
pass1_lines(struct imp *im, struct pipe **sp)
{
	struct line_keys ring[PASS1_AHEAD];
	struct jitsim_inv_line l;
	struct jitsim_inv_sim own, *sim = &own;
	unsigned int head = 0, queued = 0;
	struct dupq *q = NULL;
	char msg[MSG_MAX];
	int rc;

	/* Estimated from the file size: a few batches at least. */
	if (im->est_lines >= 4 * PASS1_BATCH && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		q = dupq_start(im);
	while ((rc = jitsim_inv_file_next(&im->f, &l, im->err, im->errlen)) == 1) {
		struct line_keys *lk;

		if (cancelled(im)) {
			rc = -ECANCELED;
			break;
		}
		if (l.no > UINT32_MAX) {
			snprintf(im->err, im->errlen, "%s:%" PRIu64 ": more lines than supported",
				 im->f.path, l.no);
			rc = -EINVAL;
			break;
		}
		im->rep->lines++;
		sim = *sp != NULL ? pipe_slot(*sp) : &own;
		rc = jitsim_inv_parse_line(&im->f, &l, sim, msg, sizeof(msg));
		if (rc != 0) {
			/* The file has an error: nothing of the stage is used. */
			stage_end(im, sp, false);
			rc = reject(im, l.no, msg);
			if (rc != 0)
				break;
			continue;
		}
		/* A duplicate is not ascending either: checking here, before
		 * the duplicate checks, changes nothing. */
		if (im->have_prev &&
		    (sim->imsi <= im->prev_imsi || iccid_cmp(sim->iccid, im->prev_iccid) <= 0))
			im->ascending = false;
		im->have_prev = true;
		im->prev_imsi = sim->imsi;
		memcpy(im->prev_iccid, sim->iccid, sizeof(sim->iccid));

		if (q != NULL) {
			keys_of(sim, l.no, &q->buf[q->cur][q->n[q->cur]++]);
			stage_add(im, sp, l.no);
			if (q->n[q->cur] == PASS1_BATCH && (rc = dupq_flush(q)) != 0)
				break;
			continue;
		}
		if (queued == PASS1_AHEAD) {
			rc = pass1_keys(im, &ring[head]);
			if (rc != 0)
				break;
			head = (head + 1) % PASS1_AHEAD;
			queued--;
		}
		lk = &ring[(head + queued++) % PASS1_AHEAD];
		keys_of(sim, l.no, lk);
		prefetch_keys(im, lk);
		stage_add(im, sp, l.no);
	}
	OPENSSL_cleanse(&own, sizeof(own));
	if (q != NULL) {
		int qrc = rc < 0 ? 0 : dupq_flush(q), stop = dupq_stop(im, q, rc >= 0 && qrc == 0);

		if (rc >= 0)
			rc = qrc != 0 ? qrc : stop;
	}
	if (rc < 0) {
		/* A line too long: the file cannot be read further. */
		return rc;
	}
	for (; queued > 0; queued--, head = (head + 1) % PASS1_AHEAD) {
		rc = pass1_keys(im, &ring[head]);
		if (rc != 0)
			return rc;
	}
	if (im->f.format == JITSIM_INV_VENDOR && im->f.quantity != im->rep->lines) {
		snprintf(im->err, im->errlen,
			 "%s:%" PRIu64 ": field Quantity: %" PRIu64
			 " cards announced, the file has %" PRIu64 " card lines",
			 im->f.path, im->f.quantity_line, im->f.quantity, im->rep->lines);
		return -EINVAL;
	}
	return 0;
}

static int
pass1(struct imp *im)
{
	struct pipe *sp = stage_start(im);
	int rc = pass1_lines(im, &sp);

	/* With rejects (the duplicate checks' too, merged by now) the files
	 * would be thrown away: not finished. */
	stage_end(im, &sp, rc == 0 && im->rep->rejected == 0);
	return rc;
}

/* --- pass 1b: the store --- */

/* Compare the stored record of @sim with the line. 0 identical, 1 when it
 * differs (field named in @msg), negative errno. Fields the file does not
 * carry (MSISDN, batch, KIc, KID) are not compared: the record may have
 * got an MSISDN at activation since. */
static int
same_sim(struct imp *im, const struct jitsim_inv_line *l, const struct jitsim_inv_sim *sim,
	 const struct jitsim_rec *r, char *msg, size_t msglen)
{
	struct jitsim_rec_secrets line_sec, rec_sec;
	const uint8_t *a[JITSIM_INV_KEYS] = {line_sec.ki, line_sec.opc, line_sec.kic, line_sec.kid};
	const uint8_t *b[JITSIM_INV_KEYS] = {rec_sec.ki, rec_sec.opc, rec_sec.kic, rec_sec.kid};
	enum jitsim_inv_field fld = JITSIM_INV_F_COUNT;
	int rc;

	if (strcmp(r->iccid, sim->iccid) != 0)
		fld = JITSIM_INV_F_ICCID;
	else if (im->f.pos[JITSIM_INV_F_MSISDN] >= 0 && sim->msisdn != 0 &&
		 r->msisdn != sim->msisdn)
		fld = JITSIM_INV_F_MSISDN;
	else if (sim->batch[0] != '\0' && strcmp(r->batch, sim->batch) != 0)
		fld = JITSIM_INV_F_BATCH;
	/* Without a KEK (dry run on a store opened without one) the keys
	 * cannot be compared: the other fields decide. */
	if (fld == JITSIM_INV_F_COUNT && im->kek != NULL) {
		rc = clear_keys(im, im->dec, sim, &line_sec);
		if (rc != 0)
			return rc;
		memset(&rec_sec, 0, sizeof(rec_sec));
		rc = jitsim_rec_open(r, im->kek, &rec_sec);
		if (rc == -ENOENT)
			rc = 0; /* no secrets at all: every key differs */
		if (rc != 0) {
			jitsim_rec_secrets_wipe(&line_sec);
			snprintf(msg, msglen,
				 "%s:%" PRIu64 ": field %s: already in the store, its keys "
				 "cannot be opened",
				 im->f.path, l->no, im->f.name[JITSIM_INV_F_IMSI]);
			return 1;
		}
		for (int k = 0; k < JITSIM_INV_KEYS && fld == JITSIM_INV_F_COUNT; k++)
			if ((sim->mask & (1u << k)) &&
			    (!(rec_sec.mask & (1u << k)) ||
			     CRYPTO_memcmp(a[k], b[k], JITSIM_INV_KEY_LEN) != 0))
				fld = (enum jitsim_inv_field)(JITSIM_INV_F_KI + k);
		jitsim_rec_secrets_wipe(&line_sec);
		jitsim_rec_secrets_wipe(&rec_sec);
	}
	if (fld == JITSIM_INV_F_COUNT)
		return 0;
	snprintf(msg, msglen,
		 "%s:%" PRIu64 ": field %s: already in the store with different data (the IMSI "
		 "is there, its %s differs)",
		 im->f.path, l->no, im->f.name[fld], im->f.name[fld]);
	return 1;
}

/* Does @imsi have a record naming @what? (an index entry pointing to a SIM
 * without one, or with another value, is stale: store.h). */
static int
index_live(struct imp *im, uint64_t imsi, const struct jitsim_inv_sim *sim,
	   enum jitsim_inv_field what)
{
	struct jitsim_rec r;
	char e[256];
	int rc = jitsim_store_sim_get(im->s, imsi, &r, e, sizeof(e));

	if (rc == -ENOENT)
		return 0;
	if (rc == -EBADMSG || rc == -ENOTSUP)
		return 1; /* a damaged SIM still owns its ICCID: do not steal it */
	if (rc != 0)
		return rc;
	if (what == JITSIM_INV_F_ICCID)
		return strcmp(r.iccid, sim->iccid) == 0;
	return r.msisdn == sim->msisdn;
}

/*
 * The records of an ascending file, read by walking the `sim` column
 * family beside the file instead of one point read per line: the
 * re-import of 10 M SIMs is one scan, not 10 M seeks.
 */
struct cursor {
	struct jitsim_store_iter *it;
	const uint8_t *val;
	size_t vlen;
	uint64_t key;
	bool valid, end;
};

/* Like jitsim_store_sim_get(), for IMSIs asked in ascending order. */
static int
cursor_get(struct cursor *c, uint64_t imsi, struct jitsim_rec *r)
{
	char e[256];

	while (!c->end && (!c->valid || c->key < imsi)) {
		const uint8_t *k;
		size_t kl;
		int rc = jitsim_store_iter_next(c->it, &k, &kl, &c->val, &c->vlen);

		if (rc < 0)
			return -EIO;
		if (rc == 0) {
			c->end = true;
			break;
		}
		/* 8-byte big-endian keys: their order is the u64 order. */
		c->key = jitsim_rec_key_parse(k, kl);
		c->valid = true;
	}
	if (c->end || c->key != imsi)
		return -ENOENT;
	return jitsim_rec_decode(imsi, c->val, c->vlen, r, e, sizeof(e));
}

/* The line against the store (@cur: NULL for point reads): 0 new, 1
 * unchanged, 2 rejected (@msg), negative errno (message in im->err). */
static int
store_check(struct imp *im, struct cursor *cur, const struct jitsim_inv_line *l,
	    const struct jitsim_inv_sim *sim, char *msg, size_t msglen)
{
	struct jitsim_rec r;
	uint64_t other;
	char e[256];
	int rc;

	if (cur != NULL)
		rc = cursor_get(cur, sim->imsi, &r);
	else
		rc = jitsim_store_sim_get(im->s, sim->imsi, &r, e, sizeof(e));
	if (rc == 0) {
		rc = same_sim(im, l, sim, &r, msg, msglen);
		if (rc < 0)
			goto io;
		return rc == 0 ? 1 : 2;
	}
	if (rc == -EBADMSG || rc == -ENOTSUP) {
		snprintf(msg, msglen,
			 "%s:%" PRIu64 ": field %s: already in the store, its record cannot be "
			 "read",
			 im->f.path, l->no, im->f.name[JITSIM_INV_F_IMSI]);
		return 2;
	}
	if (rc != -ENOENT)
		goto io;

	rc = jitsim_store_iccid_get(im->s, sim->iccid, &other);
	if (rc == 0 && other != sim->imsi) {
		rc = index_live(im, other, sim, JITSIM_INV_F_ICCID);
		if (rc < 0)
			goto io;
		if (rc == 1) {
			snprintf(msg, msglen,
				 "%s:%" PRIu64 ": field %s: already in the store (another IMSI)",
				 im->f.path, l->no, im->f.name[JITSIM_INV_F_ICCID]);
			return 2;
		}
	} else if (rc != 0 && rc != -ENOENT) {
		goto io;
	}
	if (sim->msisdn == 0)
		return 0;
	rc = jitsim_store_msisdn_get(im->s, sim->msisdn, &other);
	if (rc == 0 && other != sim->imsi) {
		rc = index_live(im, other, sim, JITSIM_INV_F_MSISDN);
		if (rc < 0)
			goto io;
		if (rc == 1) {
			snprintf(msg, msglen,
				 "%s:%" PRIu64 ": field %s: already in the store (another IMSI)",
				 im->f.path, l->no, im->f.name[JITSIM_INV_F_MSISDN]);
			return 2;
		}
	} else if (rc != 0 && rc != -ENOENT) {
		goto io;
	}
	return 0;
io:
	snprintf(im->err, im->errlen, "%s:%" PRIu64 ": store read failed (%s)", im->f.path, l->no,
		 strerror(-rc));
	return rc < 0 ? -EIO : rc;
}

/* A store key looked up in @set: its line marked as hit. */
static int
scan_hit(struct imp *im, const struct jitsim_inv_set *set, uint64_t key, bool *any)
{
	uint32_t line = jitsim_inv_set_find(set, key);

	if (line == 0)
		return 0;
	*any = true;
	return bm_set(&im->hit, line);
}

/* Lines whose keys the store holds, by one scan per column family. The
 * lookups trail the scan by PASS1_AHEAD keys, prefetched meanwhile. */
static int
scan_store(struct imp *im, bool *any)
{
	static const enum jitsim_store_cf cfs[3] = {JITSIM_CF_SIM, JITSIM_CF_ICCID,
						    JITSIM_CF_MSISDN};

	*any = false;
	for (int i = 0; i < 3; i++) {
		struct jitsim_inv_set *set = i == 0   ? im->imsi_set
					     : i == 1 ? im->iccid_set
						      : im->msisdn_set;
		uint64_t ring[PASS1_AHEAD];
		unsigned int n = 0;
		struct jitsim_store_iter *it;
		const uint8_t *k, *v;
		size_t kl, vl;
		int rc;

		if (set == NULL)
			continue;
		it = jitsim_store_iter_new(im->s, cfs[i]);
		if (it == NULL)
			return -ENOMEM;
		while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
			uint64_t key;

			if (i == 1) {
				size_t bad = 0;

				if (kl != 19 && kl != 20)
					continue;
				for (size_t j = 0; j < kl; j++)
					bad |= (size_t)(k[j] < '0' || k[j] > '9');
				if (bad)
					continue;
				key = jitsim_inv_iccid_key((const char *)k, kl);
			} else {
				key = jitsim_rec_key_parse(k, kl);
			}
			if (n >= PASS1_AHEAD &&
			    scan_hit(im, set, ring[n % PASS1_AHEAD], any) != 0) {
				rc = -ENOMEM;
				break;
			}
			jitsim_inv_set_prefetch(set, key);
			ring[n++ % PASS1_AHEAD] = key;
		}
		jitsim_store_iter_free(it);
		/* The keys still in the ring. */
		for (unsigned int j = n > PASS1_AHEAD ? n - PASS1_AHEAD : 0; rc == 0 && j < n; j++)
			if (scan_hit(im, set, ring[j % PASS1_AHEAD], any) != 0)
				rc = -ENOMEM;
		if (rc == -ENOMEM)
			return rc;
		if (rc < 0) {
			snprintf(im->err, im->errlen, "%s: store scan failed", im->f.path);
			return -EIO;
		}
	}
	return 0;
}

static int
pass1b(struct imp *im, bool scan)
{
	struct cursor cur = {.it = NULL};
	struct jitsim_inv_line l;
	struct jitsim_inv_sim sim;
	char msg[MSG_MAX];
	int rc;

	rc = jitsim_inv_file_rewind(&im->f, im->err, im->errlen);
	if (rc != 0)
		return rc;
	/* A large ascending file: walk the records beside it. */
	if (scan && im->ascending) {
		cur.it = jitsim_store_iter_new(im->s, JITSIM_CF_SIM);
		if (cur.it == NULL)
			return -ENOMEM;
	}
	while ((rc = jitsim_inv_file_next(&im->f, &l, im->err, im->errlen)) == 1) {
		if (bm_test(&im->rejected, l.no) || (scan && !bm_test(&im->hit, l.no)))
			continue;
		if (cancelled(im)) {
			rc = -ECANCELED;
			break;
		}
		if (jitsim_inv_parse_line(&im->f, &l, &sim, msg, sizeof(msg)) != 0) {
			snprintf(im->err, im->errlen, "%s: changed during the import", im->f.path);
			rc = -ESTALE;
			break;
		}
		rc = store_check(im, cur.it != NULL ? &cur : NULL, &l, &sim, msg, sizeof(msg));
		if (rc < 0)
			break;
		if (rc == 1) {
			if (bm_set(&im->unchanged, l.no) != 0) {
				rc = -ENOMEM;
				break;
			}
			im->rep->unchanged++;
		} else if (rc == 2) {
			rc = reject(im, l.no, msg);
			if (rc != 0)
				break;
		}
		rc = 0;
	}
	OPENSSL_cleanse(&sim, sizeof(sim));
	if (cur.it != NULL)
		jitsim_store_iter_free(cur.it);
	return rc < 0 ? rc : 0;
}

/* --- pass 2: writing --- */

/*
 * The SIMs written since the last commit (or ingest), told to the caller
 * (o->written) once it succeeded: the caller sends them to the dataplane,
 * which must never learn of a SIM the store does not have.
 */
struct wlist {
	struct jitsim_inv_written *v;
	size_t n, cap;
};

/* A chunk of a bulk import whose keys do not ascend: sorted at flush. */

/*
 * One sort entry, for both lists of a chunk: @k is the sort key, @x a
 * secondary key sorted first (ICCIDs: their 20th digit + 1, 0 when they
 * have 19), @v and @y carry the payload. Records: k = IMSI key, x = arena
 * offset, y = length (record then its dp entry). ICCIDs: k = the first 19
 * digits as a number (< 10^19 < 2^64), v = IMSI key. 24 bytes rather than
 * the 40 of a digit string: the radix sort moves each entry 9 times.
 */
struct sort_ent {
	uint64_t k;
	uint64_t v;
	uint32_t x;
	uint32_t y;
};

struct sortbuf {
	uint8_t *arena;
	size_t used, cap;
	struct sort_ent *sims;
	size_t nsims, capsims;
	struct sort_ent *iccids;
	size_t niccids, capiccids;
	struct sort_ent *tmp; /* radix sort scratch */
	size_t captmp;
	struct wlist wl; /* the chunk's SIMs, for o->written */
};

/*
 * The SST files of a sorted chunk are written and ingested on a thread of
 * their own while the next chunk is parsed and sealed into the other
 * sortbuf (double buffering: two chunks in memory). The flusher owns the
 * sortbuf it was handed until it is idle again; the main thread hands a
 * chunk only to an idle flusher, so chunks are ingested one at a time and
 * in file order, each iccid -> dp -> sim (store.h: the record last).
 */
struct flusher {
	struct imp *im;
	struct sortbuf *sb; /* being written */
	int rc;		    /* of the last chunk */
	char err[MSG_MAX];
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, quit, started;
};

struct writer {
	bool bulk;
	bool sorted; /* bulk of keys out of order: chunks sorted in memory */
	struct jitsim_store_batch *b;
	unsigned int in_batch;
	struct jitsim_store_sst *sst_iccid, *sst_sim, *sst_dp;
	struct sortbuf sb[2];
	unsigned int cur; /* sortbuf being filled; the other one may be flushing */
	struct flusher fl;
	uint64_t in_chunk;
	size_t presize;	 /* entries a sortbuf is allocated for at once */
	bool threads;	 /* more than one CPU: chunk_write() may use a thread */
	struct wlist wl; /* SIMs of the batch or unsorted chunk, for o->written */
};

#define HUGE_PAGE ((uintptr_t)2 << 20)

/*
 * A chunk's arena and sort arrays are hundreds of MB written and read at
 * random (radix scatter, records read in key order): offered to
 * transparent huge pages, as the sets are (inv_set.c), since with 4 KiB
 * pages nearly every access is a TLB miss. Only the 2 MiB-aligned inside
 * of the block is advised; advisory (THP off: same result, slower).
 */
static void
huge_advise(void *p, size_t len)
{
	uintptr_t a = ((uintptr_t)p + HUGE_PAGE - 1) & ~(HUGE_PAGE - 1);
	uintptr_t e = ((uintptr_t)p + len) & ~(HUGE_PAGE - 1);

	if (p != NULL && e > a)
		(void)madvise((void *)a, e - a, MADV_HUGEPAGE);
}

/* Grow @p (of @elem bytes per item) to hold @need items. */
static int
grow(void **p, size_t *cap, size_t need, size_t elem)
{
	size_t n = *cap ? *cap : 4096;
	void *q;

	if (need <= *cap)
		return 0;
	while (n < need)
		n *= 2;
	q = realloc(*p, n * elem);
	if (q == NULL)
		return -ENOMEM;
	huge_advise(q, n * elem);
	*p = q;
	*cap = n;
	return 0;
}

static int
wlist_add(struct imp *im, struct wlist *l, const struct jitsim_rec *r)
{
	struct jitsim_inv_written *w;

	if (im->o->written == NULL)
		return 0;
	if (grow((void **)&l->v, &l->cap, l->n + 1, sizeof(*l->v)) != 0)
		return -ENOMEM;
	w = &l->v[l->n++];
	w->imsi = r->imsi;
	w->dp = (struct jitsim_rec_dp){.state = r->state,
				       .flags = r->flags,
				       .tenant = r->tenant,
				       .region = r->region,
				       .msisdn = r->msisdn};
	return 0;
}

/* After the commit or ingest of @l's SIMs (@ok) or its failure: the list
 * is told (@ok) and emptied either way. */
static int
wlist_done(struct imp *im, struct wlist *l, bool ok, char *err, size_t errlen)
{
	int rc = 0;

	if (ok && l->n > 0 && im->o->written != NULL) {
		rc = im->o->written(im->o->written_arg, l->v, l->n);
		if (rc > 0)
			rc = -rc;
		if (rc != 0)
			snprintf(err, errlen, "%s: stopped after a commit: %s", im->f.path,
				 strerror(-rc));
	}
	l->n = 0;
	return rc;
}

/*
 * Sized once for a whole chunk: doubling a 200 MB arena copies it and
 * holds up to twice what it needs; a block of the worst case size only
 * gets pages where records are written.
 */
static int
sortbuf_init(struct sortbuf *sb, size_t n)
{
	if (sb->arena != NULL)
		return 0;
	sb->arena = malloc(n * (JITSIM_REC_MAX + JITSIM_REC_DP_LEN));
	sb->sims = malloc(n * sizeof(*sb->sims));
	sb->iccids = malloc(n * sizeof(*sb->iccids));
	if (sb->arena == NULL || sb->sims == NULL || sb->iccids == NULL)
		return -ENOMEM;
	huge_advise(sb->arena, n * (JITSIM_REC_MAX + JITSIM_REC_DP_LEN));
	huge_advise(sb->sims, n * sizeof(*sb->sims));
	huge_advise(sb->iccids, n * sizeof(*sb->iccids));
	sb->cap = n * (JITSIM_REC_MAX + JITSIM_REC_DP_LEN);
	sb->capsims = sb->capiccids = n;
	return 0;
}

static void
sortbuf_free(struct sortbuf *sb)
{
	if (sb->arena)
		OPENSSL_cleanse(sb->arena, sb->used);
	free(sb->arena);
	free(sb->sims);
	free(sb->iccids);
	free(sb->tmp);
	free(sb->wl.v);
	memset(sb, 0, sizeof(*sb));
}

/*
 * LSD radix sort of @n entries by (k, x), stable, 8 bits a pass; bytes of
 * @k equal in every entry (most of an IMSI: MCC, MNC, the length) are
 * skipped. @x is < 256. Returns where the sorted entries are (@a or @tmp).
 */
static struct sort_ent *
radix_sort(struct sort_ent *a, struct sort_ent *tmp, size_t n, bool by_x)
{
	uint64_t diff = 0;
	uint32_t xdiff = 0;

	if (n < 2)
		return a;
	for (size_t i = 1; i < n; i++) {
		diff |= a[i].k ^ a[0].k;
		xdiff |= a[i].x ^ a[0].x;
	}
	for (int pass = by_x && xdiff != 0 ? -1 : 0; pass < 8; pass++) {
		unsigned int sh = pass < 0 ? 0 : (unsigned int)pass * 8;
		size_t count[256] = {0}, sum = 0;
		struct sort_ent *t;

		if (pass >= 0 && ((diff >> sh) & 0xff) == 0)
			continue;
		for (size_t i = 0; i < n; i++)
			count[pass < 0 ? a[i].x & 0xff : (a[i].k >> sh) & 0xff]++;
		for (int b = 0; b < 256; b++) {
			size_t c = count[b];

			count[b] = sum;
			sum += c;
		}
		for (size_t i = 0; i < n; i++)
			tmp[count[pass < 0 ? a[i].x & 0xff : (a[i].k >> sh) & 0xff]++] = a[i];
		t = a;
		a = tmp;
		tmp = t;
	}
	return a;
}

/* The ICCID digits of a sort entry, NUL-terminated; returns the length. */
static size_t
iccid_of(const struct sort_ent *e, char out[JITSIM_REC_ICCID_MAX + 1])
{
	uint64_t v = e->k;

	for (int i = 18; i >= 0; i--) {
		out[i] = (char)('0' + v % 10);
		v /= 10;
	}
	if (e->x == 0) {
		out[19] = '\0';
		return 19;
	}
	out[19] = (char)('0' + e->x - 1);
	out[20] = '\0';
	return 20;
}

/* Inverse of iccid_of() for the 19 or 20 digits of a validated ICCID. */
static void
iccid_ent(const char *iccid, uint64_t imsi, struct sort_ent *e)
{
	uint64_t v = 0;
	size_t i;

	for (i = 0; i < 19; i++)
		v = v * 10 + (uint64_t)(iccid[i] - '0');
	e->k = v;
	e->v = imsi;
	e->x = iccid[19] != '\0' ? (uint32_t)(iccid[19] - '0') + 1 : 0;
	e->y = 0;
}

static int sst_fail(struct imp *im, int rc);
static int stage_keep(struct imp *im, struct jitsim_store_sst *sst[3], struct sortbuf *sb);

/* Entries ahead of the one added whose record is prefetched: the records
 * are read in key order, at random places of a 200 MB arena. */
#define SORT_AHEAD 8

/* The ICCID half of a chunk: sorted and written to its SST file on a
 * thread of its own, beside the records (chunk_write()). */
struct iccid_job {
	struct imp *im;
	struct sortbuf *sb;
	struct sort_ent *tmp;
	struct jitsim_store_sst *sst;
	int rc;
};

static void *
iccid_write(void *arg)
{
	struct iccid_job *j = arg;
	struct sortbuf *sb = j->sb;
	struct sort_ent *e = radix_sort(sb->iccids, j->tmp, sb->niccids, true);
	char iccid[JITSIM_REC_ICCID_MAX + 1];
	uint8_t key[8];
	int rc = 0;

	for (size_t i = 0; i < sb->niccids && rc == 0; i++) {
		size_t len = iccid_of(&e[i], iccid);

		jitsim_rec_key(e[i].v, key);
		rc = jitsim_store_sst_add(j->sst, iccid, len, key, sizeof(key));
	}
	j->rc = rc;
	return NULL;
}

/*
 * Sort the chunk, write its SST files and ingest them, index files first
 * (iccid, then the dataplane's dp entries), record last: killed in
 * between, the index entries point to SIMs without records, which
 * store.h defines as stale. Runs on the flusher thread (or the main one
 * without it); messages go to @err. The iccid file is written by a
 * second thread meanwhile (each SST writer is used by one thread at a
 * time: handed over by pthread_join). The sortbuf is empty afterwards.
 */
static int
chunk_write(struct imp *im, struct sortbuf *sb, bool threads, char *err, size_t errlen)
{
	struct jitsim_store_sst *sst[3] = {NULL, NULL, NULL}; /* iccid, dp, sim */
	static const enum jitsim_store_cf cf[3] = {JITSIM_CF_ICCID, JITSIM_CF_DP, JITSIM_CF_SIM};
	struct iccid_job ij = {.im = im, .sb = sb};
	struct sort_ent *sims;
	pthread_t th;
	uint8_t key[8];
	int rc = 0, i;

	/* Scratch for both sorts at once. */
	if (grow((void **)&sb->tmp, &sb->captmp, sb->nsims + sb->niccids, sizeof(*sb->tmp)) != 0) {
		snprintf(err, errlen, "%s: out of memory", im->f.path);
		rc = -ENOMEM;
		goto out;
	}
	for (i = 0; i < 3; i++) {
		/* Staged: the dp entries are kept in memory (stage_dp()). */
		if (i == 1 && im->staging)
			continue;
		sst[i] = jitsim_store_sst_new(im->s, cf[i], err, errlen);
		if (sst[i] == NULL) {
			rc = -EIO;
			goto out;
		}
	}
	ij.tmp = sb->tmp + sb->nsims;
	ij.sst = sst[0];
	if (!threads || pthread_create(&th, NULL, iccid_write, &ij) != 0) {
		threads = false;
		iccid_write(&ij);
	}
	sims = radix_sort(sb->sims, sb->tmp, sb->nsims, false);
	if (im->staging &&
	    (grow((void **)&im->dpv, &im->capdp, im->ndp + sb->nsims, sizeof(*im->dpv)) != 0 ||
	     grow((void **)&im->dpend, &im->caprun, im->nrun + 1, sizeof(*im->dpend)) != 0)) {
		snprintf(err, errlen, "%s: out of memory", im->f.path);
		rc = -ENOMEM;
		if (threads)
			pthread_join(th, NULL);
		goto out;
	}
	for (size_t j = 0; j < sb->nsims && rc == 0; j++) {
		const uint8_t *rec = sb->arena + sims[j].x;
		size_t len = sims[j].y - JITSIM_REC_DP_LEN;

		if (j + SORT_AHEAD < sb->nsims) {
			const uint8_t *p = sb->arena + sims[j + SORT_AHEAD].x;

			/* A record is ~200 bytes: 4 cache lines. */
			for (size_t o = 0; o < sims[j + SORT_AHEAD].y; o += 64)
				__builtin_prefetch(p + o);
		}
		jitsim_rec_key(sims[j].k, key);
		if (im->staging) {
			struct dp_ent *d = &im->dpv[im->ndp++];

			d->k = sims[j].k;
			memcpy(d->v, rec + len, JITSIM_REC_DP_LEN);
		} else {
			rc = jitsim_store_sst_add(sst[1], key, sizeof(key), rec + len,
						  JITSIM_REC_DP_LEN);
		}
		if (rc == 0)
			rc = jitsim_store_sst_add(sst[2], key, sizeof(key), rec, len);
	}
	if (im->staging)
		im->dpend[im->nrun++] = im->ndp;
	if (threads)
		pthread_join(th, NULL);
	if (rc == 0)
		rc = ij.rc;
	if (rc != 0) {
		snprintf(err, errlen, "%s: SST write failed (%s)", im->f.path,
			 rc == -EINVAL ? "keys out of order" : "I/O");
		rc = -EIO;
		goto out;
	}
	if (im->staging) {
		/* Kept for stage_commit(); finishing (index and filter
		 * blocks) is done here, on the flusher thread. */
		for (i = 0; i < 3 && rc == 0; i++)
			if (sst[i] != NULL)
				rc = jitsim_store_sst_finish(sst[i], err, errlen);
		if (rc == 0)
			rc = stage_keep(im, sst, sb);
		if (rc == 0)
			sst[0] = sst[1] = sst[2] = NULL;
		goto out;
	}
	for (i = 0; i < 3 && rc == 0; i++) {
		rc = jitsim_store_sst_ingest(im->s, sst[i], err, errlen);
		sst[i] = NULL;
		if (rc == 0)
			progress(im);
	}
	if (rc == 0)
		rc = wlist_done(im, &sb->wl, true, err, errlen);
out:
	(void)wlist_done(im, &sb->wl, false, err, errlen);
	for (i = 0; i < 3; i++)
		jitsim_store_sst_free(sst[i]);
	OPENSSL_cleanse(sb->arena, sb->used);
	sb->used = sb->nsims = sb->niccids = 0;
	return rc;
}

static void *
flusher_main(void *arg)
{
	struct flusher *fl = arg;

	pthread_mutex_lock(&fl->mu);
	for (;;) {
		while (!fl->busy && !fl->quit)
			pthread_cond_wait(&fl->cv, &fl->mu);
		if (!fl->busy)
			break; /* quit, nothing handed */
		pthread_mutex_unlock(&fl->mu);
		fl->rc = chunk_write(fl->im, fl->sb, true, fl->err, sizeof(fl->err));
		pthread_mutex_lock(&fl->mu);
		fl->busy = false;
		pthread_cond_broadcast(&fl->cv);
	}
	pthread_mutex_unlock(&fl->mu);
	return NULL;
}

static int
flusher_start(struct imp *im, struct flusher *fl)
{
	fl->im = im;
	fl->rc = 0;
	fl->busy = fl->quit = false;
	pthread_mutex_init(&fl->mu, NULL);
	pthread_cond_init(&fl->cv, NULL);
	if (pthread_create(&fl->th, NULL, flusher_main, fl) != 0) {
		pthread_cond_destroy(&fl->cv);
		pthread_mutex_destroy(&fl->mu);
		return -EAGAIN;
	}
	fl->started = true;
	return 0;
}

/* Wait until the flusher is idle; the rc of its last chunk (message
 * copied to im->err). */
static int
flusher_wait(struct imp *im, struct flusher *fl)
{
	int rc;

	if (!fl->started)
		return 0;
	pthread_mutex_lock(&fl->mu);
	while (fl->busy)
		pthread_cond_wait(&fl->cv, &fl->mu);
	rc = fl->rc;
	fl->rc = 0;
	pthread_mutex_unlock(&fl->mu);
	if (rc != 0 && im->err[0] == '\0')
		snprintf(im->err, im->errlen, "%s", fl->err);
	return rc;
}

/* Finishes the chunk it is writing, if any. */
static void
flusher_stop(struct flusher *fl)
{
	if (!fl->started)
		return;
	pthread_mutex_lock(&fl->mu);
	fl->quit = true;
	pthread_cond_broadcast(&fl->cv);
	pthread_mutex_unlock(&fl->mu);
	pthread_join(fl->th, NULL);
	pthread_cond_destroy(&fl->cv);
	pthread_mutex_destroy(&fl->mu);
	fl->started = false;
}

/* A full chunk (or the last one) of a sorted bulk import: to the flusher,
 * once it is done with the previous one. The sealing helper must be idle
 * (it adds ICCIDs to the current sortbuf: job_index()). */
static int
sorted_flush(struct imp *im, struct writer *w)
{
	struct sortbuf *sb = &w->sb[w->cur];
	int rc;

	if (sb->nsims == 0 && sb->niccids == 0)
		return 0;
	w->in_chunk = 0;
	if (!w->fl.started)
		return chunk_write(im, sb, w->threads, im->err, im->errlen);
	rc = flusher_wait(im, &w->fl);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&w->fl.mu);
	w->fl.sb = sb;
	w->fl.busy = true;
	pthread_cond_broadcast(&w->fl.cv);
	pthread_mutex_unlock(&w->fl.mu);
	w->cur ^= 1;
	return sortbuf_init(&w->sb[w->cur], w->presize);
}

static int
writer_flush(struct imp *im, struct writer *w)
{
	int rc = 0;

	if (!w->bulk) {
		if (w->in_batch > 0) {
			rc = jitsim_store_commit(w->b, im->err, im->errlen);
			jitsim_store_batch_clear(w->b);
			w->in_batch = 0;
			if (rc == 0)
				progress(im);
			if (rc == 0)
				rc = wlist_done(im, &w->wl, true, im->err, im->errlen);
			else
				(void)wlist_done(im, &w->wl, false, im->err, im->errlen);
		}
		return rc;
	}
	if (w->sorted)
		return sorted_flush(im, w);
	if (w->sst_sim == NULL)
		return 0;
	/* Indexes first (iccid, then the dataplane's dp entries), record
	 * last: killed in between, the index entries point to SIMs without
	 * records, which store.h defines as stale. */
	rc = jitsim_store_sst_ingest(im->s, w->sst_iccid, im->err, im->errlen);
	w->sst_iccid = NULL;
	if (rc == 0) {
		progress(im);
		rc = jitsim_store_sst_ingest(im->s, w->sst_dp, im->err, im->errlen);
	} else {
		jitsim_store_sst_free(w->sst_dp);
	}
	w->sst_dp = NULL;
	if (rc == 0) {
		progress(im);
		rc = jitsim_store_sst_ingest(im->s, w->sst_sim, im->err, im->errlen);
	} else {
		jitsim_store_sst_free(w->sst_sim);
	}
	w->sst_sim = NULL;
	w->in_chunk = 0;
	if (rc == 0)
		progress(im);
	if (rc == 0)
		return wlist_done(im, &w->wl, true, im->err, im->errlen);
	(void)wlist_done(im, &w->wl, false, im->err, im->errlen);
	return rc;
}

/* Bulk: both SST files of a chunk, created before its first job. */
static int
writer_ensure(struct imp *im, struct writer *w)
{
	if (!w->bulk || w->sorted || w->sst_sim != NULL)
		return 0;
	w->sst_iccid = jitsim_store_sst_new(im->s, JITSIM_CF_ICCID, im->err, im->errlen);
	if (w->sst_iccid == NULL)
		return -EIO;
	w->sst_sim = jitsim_store_sst_new(im->s, JITSIM_CF_SIM, im->err, im->errlen);
	w->sst_dp = jitsim_store_sst_new(im->s, JITSIM_CF_DP, im->err, im->errlen);
	if (w->sst_sim == NULL || w->sst_dp == NULL) {
		jitsim_store_sst_free(w->sst_iccid);
		jitsim_store_sst_free(w->sst_sim);
		jitsim_store_sst_free(w->sst_dp);
		w->sst_iccid = w->sst_sim = w->sst_dp = NULL;
		return -EIO;
	}
	return 0;
}

static int
sst_fail(struct imp *im, int rc)
{
	snprintf(im->err, im->errlen, "%s: SST write failed (%s)", im->f.path,
		 rc == -EINVAL ? "keys out of order" : "I/O");
	return -EIO;
}

/* The record (and in batches its index entries); in bulk the ICCID
 * entries were added by job_index(). */
static int
writer_put(struct imp *im, struct writer *w, const struct jitsim_rec *r)
{
	uint8_t key[8], val[JITSIM_REC_MAX];
	int rc, n;

	if (!w->bulk) {
		rc = jitsim_store_batch_put_sim(w->b, r);
		if (rc == 0)
			rc = wlist_add(im, &w->wl, r);
		if (rc != 0)
			return rc;
		jitsim_store_batch_put_iccid(w->b, r->iccid, r->imsi);
		if (r->msisdn != 0)
			jitsim_store_batch_put_msisdn(w->b, r->msisdn, r->imsi);
		return ++w->in_batch >= JITSIM_INV_BATCH ? writer_flush(im, w) : 0;
	}
	if (w->sorted) {
		struct sortbuf *sb = &w->sb[w->cur];
		const size_t max = JITSIM_REC_MAX + JITSIM_REC_DP_LEN;

		/* Offsets are 32-bit: a chunk is far below 4 GB of records. */
		if (sb->used + max > UINT32_MAX)
			return -ENOMEM;
		if (grow((void **)&sb->arena, &sb->cap, sb->used + max, 1) != 0 ||
		    grow((void **)&sb->sims, &sb->capsims, sb->nsims + 1, sizeof(*sb->sims)) != 0)
			return -ENOMEM;
		n = jitsim_rec_encode(r, sb->arena + sb->used, JITSIM_REC_MAX);
		if (n < 0)
			return n;
		if (wlist_add(im, &sb->wl, r) != 0)
			return -ENOMEM;
		/* The dp entry right after the record: one place to read. */
		jitsim_rec_dp_encode(r, sb->arena + sb->used + n);
		sb->sims[sb->nsims++] = (struct sort_ent){
			.k = r->imsi,
			.x = (uint32_t)sb->used,
			.y = (uint32_t)n + JITSIM_REC_DP_LEN,
		};
		sb->used += (size_t)n + JITSIM_REC_DP_LEN;
		w->in_chunk++;
		return 0;
	}
	n = jitsim_rec_encode(r, val, sizeof(val));
	if (n < 0)
		return n;
	jitsim_rec_key(r->imsi, key);
	rc = jitsim_store_sst_add(w->sst_sim, key, sizeof(key), val, (size_t)n);
	OPENSSL_cleanse(val, sizeof(val));
	if (rc == 0) {
		uint8_t dp[JITSIM_REC_DP_LEN];

		jitsim_rec_dp_encode(r, dp);
		rc = jitsim_store_sst_add(w->sst_dp, key, sizeof(key), dp, sizeof(dp));
	}
	if (rc != 0)
		return sst_fail(im, rc);
	if (wlist_add(im, &w->wl, r) != 0)
		return -ENOMEM;
	w->in_chunk++;
	return 0;
}

static void
writer_abandon(struct writer *w)
{
	jitsim_store_sst_free(w->sst_iccid);
	jitsim_store_sst_free(w->sst_sim);
	jitsim_store_sst_free(w->sst_dp);
	w->sst_iccid = w->sst_sim = w->sst_dp = NULL;
	flusher_stop(&w->fl);
	sortbuf_free(&w->sb[0]);
	sortbuf_free(&w->sb[1]);
	jitsim_store_batch_free(w->b);
	w->b = NULL;
	free(w->wl.v);
	w->wl = (struct wlist){.v = NULL};
}

static int
build_record(struct imp *im, EVP_CIPHER_CTX *dec, const struct jitsim_inv_sim *sim,
	     struct jitsim_rec *r)
{
	struct jitsim_rec_secrets sec;
	int rc;

	memset(r, 0, sizeof(*r));
	r->imsi = sim->imsi;
	r->version = JITSIM_REC_VERSION;
	r->state = im->state;
	r->tenant = im->o->tenant;
	r->region = im->o->region;
	r->msisdn = sim->msisdn;
	r->created = r->updated = im->now;
	memcpy(r->iccid, sim->iccid, sizeof(sim->iccid));
	memcpy(r->batch, sim->batch, sizeof(sim->batch));
	rc = clear_keys(im, dec, sim, &sec);
	if (rc == 0)
		rc = jitsim_rec_seal(r, im->kek, &sec);
	jitsim_rec_secrets_wipe(&sec);
	return rc;
}

/*
 * Sealing (AES-GCM under the KEK, a fresh context per record: secret.h)
 * costs about as much as writing the records, so pass 2 is a two-stage
 * pipeline over jobs of JITSIM_INV_JOB lines: while a helper thread seals
 * job k, this thread writes job k - 1 (batches or SST files, in file
 * order) and reads job k + 1. The writers stay on this thread (store.h:
 * batches and SST writers belong to one thread).
 */
#define JITSIM_INV_JOB 1024

struct job {
	struct jitsim_inv_sim sim[JITSIM_INV_JOB];
	struct jitsim_rec rec[JITSIM_INV_JOB];
	uint64_t line[JITSIM_INV_JOB];
	int rc[JITSIM_INV_JOB];
	int index_rc; /* job_index() */
	unsigned int n;
};

struct helper {
	struct imp *im;
	struct writer *w;
	struct job *job;     /* being sealed */
	EVP_CIPHER_CTX *dec; /* its own: an EVP context is not shared */
	pthread_t th;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool busy, quit, started;
};

static void
seal_range(struct imp *im, EVP_CIPHER_CTX *dec, struct job *job, unsigned int from, unsigned int to)
{
	for (unsigned int i = from; i < to; i++)
		job->rc[i] = build_record(im, dec, &job->sim[i], &job->rec[i]);
}

/*
 * Bulk: the job's ICCID entries go to the iccid SST on the sealing thread,
 * so that the two SST writers (about half of the import's time) run on
 * two threads. Jobs are sealed one at a time and in order, and the file
 * is only ingested while no job is being sealed (job_next()).
 */
static int
job_index(struct writer *w, struct job *job)
{
	uint8_t key[8];

	if (!w->bulk)
		return 0;
	for (unsigned int i = 0; i < job->n; i++) {
		int rc;

		if (job->rc[i] != 0)
			return 0; /* reported by job_write() */
		if (w->sorted) {
			struct sortbuf *sb = &w->sb[w->cur];

			if (grow((void **)&sb->iccids, &sb->capiccids, sb->niccids + 1,
				 sizeof(*sb->iccids)) != 0)
				return -ENOMEM;
			iccid_ent(job->rec[i].iccid, job->rec[i].imsi, &sb->iccids[sb->niccids++]);
			continue;
		}
		jitsim_rec_key(job->rec[i].imsi, key);
		rc = jitsim_store_sst_add(w->sst_iccid, job->rec[i].iccid,
					  strlen(job->rec[i].iccid), key, sizeof(key));
		if (rc != 0)
			return rc;
	}
	return 0;
}

static void *
helper_main(void *arg)
{
	struct helper *h = arg;

	pthread_mutex_lock(&h->mu);
	for (;;) {
		while (!h->busy && !h->quit)
			pthread_cond_wait(&h->cv, &h->mu);
		if (h->quit)
			break;
		pthread_mutex_unlock(&h->mu);
		seal_range(h->im, h->dec, h->job, 0, h->job->n);
		h->job->index_rc = job_index(h->w, h->job);
		pthread_mutex_lock(&h->mu);
		h->busy = false;
		pthread_cond_broadcast(&h->cv);
	}
	pthread_mutex_unlock(&h->mu);
	return NULL;
}

static int
helper_start(struct imp *im, struct helper *h, struct writer *w)
{
	memset(h, 0, sizeof(*h));
	h->im = im;
	h->w = w;
	if (im->have_tk) {
		h->dec = EVP_CIPHER_CTX_new();
		if (h->dec == NULL ||
		    EVP_DecryptInit_ex(h->dec, EVP_aes_128_ecb(), NULL, im->tk.key, NULL) != 1 ||
		    EVP_CIPHER_CTX_set_padding(h->dec, 0) != 1) {
			EVP_CIPHER_CTX_free(h->dec);
			h->dec = NULL;
			return -EIO;
		}
	}
	pthread_mutex_init(&h->mu, NULL);
	pthread_cond_init(&h->cv, NULL);
	if (pthread_create(&h->th, NULL, helper_main, h) != 0) {
		pthread_cond_destroy(&h->cv);
		pthread_mutex_destroy(&h->mu);
		EVP_CIPHER_CTX_free(h->dec);
		h->dec = NULL;
		return -EAGAIN;
	}
	h->started = true;
	return 0;
}

static void
helper_stop(struct helper *h)
{
	if (!h->started)
		return;
	pthread_mutex_lock(&h->mu);
	h->quit = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
	pthread_join(h->th, NULL);
	pthread_cond_destroy(&h->cv);
	pthread_mutex_destroy(&h->mu);
	EVP_CIPHER_CTX_free(h->dec);
	h->started = false;
}

/* Seal @job: handed to the helper, or here when there is none. */
static void
job_seal(struct imp *im, struct helper *h, struct writer *w, struct job *job)
{
	if (!h->started) {
		seal_range(im, im->dec, job, 0, job->n);
		job->index_rc = job_index(w, job);
		return;
	}
	pthread_mutex_lock(&h->mu);
	h->job = job;
	h->busy = true;
	pthread_cond_broadcast(&h->cv);
	pthread_mutex_unlock(&h->mu);
}

static void
job_wait(struct helper *h)
{
	if (!h->started)
		return;
	pthread_mutex_lock(&h->mu);
	while (h->busy)
		pthread_cond_wait(&h->cv, &h->mu);
	pthread_mutex_unlock(&h->mu);
}

/* Write a sealed job in file order. */
static int
job_write(struct imp *im, struct writer *w, struct job *job)
{
	int rc = job->index_rc != 0 ? sst_fail(im, job->index_rc) : 0;

	for (unsigned int i = 0; i < job->n && rc == 0; i++) {
		rc = job->rc[i];
		if (rc == 0)
			rc = writer_put(im, w, &job->rec[i]);
		if (rc != 0 && im->err[0] == '\0')
			snprintf(im->err, im->errlen, "%s:%" PRIu64 ": cannot write the SIM (%s)",
				 im->f.path, job->line[i], strerror(-rc));
	}
	job->n = 0;
	job->index_rc = 0;
	return rc;
}

/*
 * @job is full (or the last): start sealing it, write the one before.
 * With the helper idle, the iccid file holds the entries of every job
 * sealed so far and the sim file those of every job written: a full chunk
 * is ingested there, index first (its extra ICCIDs, of the job sealed
 * but not yet written, are stale until the next chunk: store.h).
 */
static int
job_next(struct imp *im, struct writer *w, struct helper *h, struct job *jobs, unsigned int *cur)
{
	struct job *job = &jobs[*cur], *prev = &jobs[*cur ^ 1];
	int rc = 0;

	job_wait(h); /* @prev sealed */
	if (w->bulk && w->in_chunk >= im->chunk)
		rc = writer_flush(im, w);
	if (rc == 0)
		rc = writer_ensure(im, w);
	if (rc != 0)
		return rc;
	job_seal(im, h, w, job);
	*cur ^= 1;
	return job_write(im, w, prev);
}

static const enum jitsim_store_cf bulk_cfs[3] = {JITSIM_CF_SIM, JITSIM_CF_ICCID, JITSIM_CF_DP};

/*
 * The writing pipeline (writer, sealing helper, two jobs), as pass 2 and
 * a staged pass 1 run it. @jobs NULL: a dry run, nothing is written.
 */
struct pipe {
	struct writer w;
	struct helper h;
	struct job *jobs;
	unsigned int cur;
	bool probed; /* staged: the first SIM looked up in the store */
};

static int pipe_stop(struct imp *im, struct pipe *p, int rc);

/* @fresh: the SIMs expected (an estimate for a staged pass 1). */
static int
pipe_start(struct imp *im, struct pipe *p, bool bulk, bool sorted, uint64_t fresh)
{
	p->w = (struct writer){.bulk = bulk, .sorted = sorted};
	p->h = (struct helper){.started = false};
	p->cur = 0;
	p->jobs = NULL;
	if (im->o->dry_run)
		return 0;
	p->jobs = calloc(2, sizeof(*p->jobs));
	if (p->jobs == NULL)
		return -ENOMEM;
	if (!bulk) {
		p->w.b = jitsim_store_batch_new(im->s);
		if (p->w.b == NULL)
			return pipe_stop(im, p, -ENOMEM);
	}
	/* A second thread pays from a few jobs on; without it (one CPU, no
	 * thread) the import is only slower. */
	if (fresh >= 4 * JITSIM_INV_JOB && sysconf(_SC_NPROCESSORS_ONLN) > 1)
		(void)helper_start(im, &p->h, &p->w);
	if (sorted) {
		/* A chunk ends after the job that fills it, and the ICCIDs of
		 * the job after that are in it too. */
		p->w.presize = (size_t)(im->chunk < fresh ? im->chunk : fresh) + 2 * JITSIM_INV_JOB;
		if (sortbuf_init(&p->w.sb[0], p->w.presize) != 0)
			return pipe_stop(im, p, -ENOMEM);
		/* Writing a chunk's SST files overlaps the next chunk's
		 * parsing and sealing from two chunks on. */
		p->w.threads = p->h.started;
		if (p->h.started && fresh > im->chunk)
			(void)flusher_start(im, &p->w.fl);
	}
	return 0;
}

/* Where the next line is parsed to (a slot of the current job). */
static struct jitsim_inv_sim *
pipe_slot(struct pipe *p)
{
	struct job *job = &p->jobs[p->cur];

	return &job->sim[job->n];
}

/* The line parsed into pipe_slot() is taken. */
static int
pipe_add(struct imp *im, struct pipe *p, uint64_t line)
{
	struct job *job = &p->jobs[p->cur];

	job->line[job->n++] = line;
	return job->n == JITSIM_INV_JOB ? job_next(im, &p->w, &p->h, p->jobs, &p->cur) : 0;
}

/* @rc 0: write what is left; else abandon it. Frees the pipeline either
 * way; the first error. */
static int
pipe_stop(struct imp *im, struct pipe *p, int rc)
{
	if (p->jobs != NULL) {
		/* The partial last job, then the one in the helper. */
		if (rc == 0)
			rc = job_next(im, &p->w, &p->h, p->jobs, &p->cur);
		job_wait(&p->h);
		if (rc == 0)
			rc = job_write(im, &p->w, &p->jobs[p->cur ^ 1]);
	}
	helper_stop(&p->h);
	if (rc == 0 && p->jobs != NULL)
		rc = writer_flush(im, &p->w);
	if (flusher_wait(im, &p->w.fl) != 0 && rc == 0)
		rc = -EIO;
	writer_abandon(&p->w);
	if (p->jobs != NULL) {
		OPENSSL_cleanse(p->jobs, 2 * sizeof(*p->jobs));
		free(p->jobs);
		p->jobs = NULL;
	}
	return rc;
}

/* --- staged bulk import --- */

/* A chunk written by a staged pass 1: its finished files and its SIMs. */
struct staged {
	struct jitsim_store_sst *sst[3]; /* iccid, none (dp: in memory), sim */
	struct wlist wl;
};

/* chunk_write() of a staged pass 1: keep the files (owned from here on)
 * and the chunk's SIMs (moved out of @sb). */
static int
stage_keep(struct imp *im, struct jitsim_store_sst *sst[3], struct sortbuf *sb)
{
	struct staged *st;

	if (grow((void **)&im->staged, &im->capstaged, im->nstaged + 1, sizeof(*im->staged)) != 0)
		return -ENOMEM;
	st = &im->staged[im->nstaged++];
	memcpy(st->sst, sst, sizeof(st->sst));
	st->wl = sb->wl;
	sb->wl = (struct wlist){.v = NULL};
	return 0;
}

static void
stage_discard(struct imp *im)
{
	for (size_t c = 0; c < im->nstaged; c++) {
		for (int i = 0; i < 3; i++)
			jitsim_store_sst_free(im->staged[c].sst[i]);
		free(im->staged[c].wl.v);
	}
	free(im->staged);
	im->staged = NULL;
	im->nstaged = im->capstaged = 0;
	free(im->dpv);
	free(im->dpend);
	im->dpv = NULL;
	im->dpend = NULL;
	im->ndp = im->capdp = im->nrun = im->caprun = 0;
}

/*
 * Staging pays for a large file without an MSISDN column (the bulk path),
 * when the whole file is written (not a dry run, no partial import), on
 * more than one CPU (it adds a pipeline beside pass 1's).
 * JITSIM_INV_NO_STAGE=1 (test and benchmark knob) turns it off.
 */
static struct pipe *
stage_start(struct imp *im)
{
	struct pipe *p;

	if (im->o->dry_run || im->o->partial || im->f.pos[JITSIM_INV_F_MSISDN] >= 0 ||
	    im->est_lines < im->bulk_min || im->kek == NULL || sysconf(_SC_NPROCESSORS_ONLN) < 2 ||
	    env_u64("JITSIM_INV_NO_STAGE", 0) != 0)
		return NULL;
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		return NULL;
	im->staging = true;
	/* The dp entries of the whole file (24 bytes a SIM), sized once from
	 * the estimate: doubling would hold up to twice that. */
	im->dpv = malloc((size_t)im->est_lines * sizeof(*im->dpv));
	if (im->dpv != NULL) {
		im->capdp = (size_t)im->est_lines;
		huge_advise(im->dpv, im->capdp * sizeof(*im->dpv));
	}
	/* Sorted chunks: whether the file ascends is known only at its end. */
	if (pipe_start(im, p, true, true, im->est_lines) != 0) {
		im->staging = false;
		stage_discard(im);
		free(p);
		return NULL;
	}
	return p;
}

/*
 * Stop the stage: @ok, the files of its last chunk are written and kept;
 * else (or when that fails) everything staged is deleted. The stage's
 * errors go to a buffer of its own: @im->err holds the file's first error.
 */
static void
stage_end(struct imp *im, struct pipe **pp, bool ok)
{
	char buf[MSG_MAX], *err = im->err;
	size_t errlen = im->errlen;
	int rc;

	if (*pp == NULL)
		return;
	buf[0] = '\0';
	im->err = buf;
	im->errlen = sizeof(buf);
	rc = pipe_stop(im, *pp, ok ? 0 : -ECANCELED);
	im->err = err;
	im->errlen = errlen;
	im->staging = false;
	if (rc != 0)
		stage_discard(im);
	else
		im->stage_ok = true;
	free(*pp);
	*pp = NULL;
}

/*
 * The line parsed into pipe_slot() goes to the stage. A file whose first
 * SIM the store already has is most likely a re-import: staging would
 * write what pass 1b then finds unchanged.
 */
static void
stage_add(struct imp *im, struct pipe **pp, uint64_t line)
{
	struct pipe *p = *pp;
	char buf[MSG_MAX], *err = im->err;
	size_t errlen = im->errlen, vlen;
	int rc;

	if (p == NULL)
		return;
	if (im->rep->rejected > 0) {
		stage_end(im, pp, false);
		return;
	}
	if (!p->probed) {
		uint8_t key[8], val[1];

		p->probed = true;
		jitsim_rec_key(pipe_slot(p)->imsi, key);
		if (jitsim_store_get(im->s, JITSIM_CF_SIM, key, sizeof(key), val, sizeof(val),
				     &vlen) != -ENOENT) {
			stage_end(im, pp, false);
			return;
		}
	}
	buf[0] = '\0';
	im->err = buf;
	im->errlen = sizeof(buf);
	rc = pipe_add(im, p, line);
	im->err = err;
	im->errlen = errlen;
	if (rc != 0)
		stage_end(im, pp, false);
}

/* One half of the key span of the staged dp entries: a k-way merge of
 * the chunks' sorted runs into one SST file (stage_dp()). */
struct dp_part {
	const struct imp *im;
	size_t *pos, *end; /* per run: next entry, end of this half */
	size_t *heap;	   /* runs by their next key */
	struct jitsim_store_sst *sst;
	char err[MSG_MAX];
	int rc;
};

static uint64_t
dp_head(const struct dp_part *p, size_t run)
{
	return p->im->dpv[p->pos[run]].k;
}

static void
dp_sift(struct dp_part *p, size_t n, size_t i)
{
	for (;;) {
		size_t l = 2 * i + 1, m = i, t;

		if (l < n && dp_head(p, p->heap[l]) < dp_head(p, p->heap[m]))
			m = l;
		if (l + 1 < n && dp_head(p, p->heap[l + 1]) < dp_head(p, p->heap[m]))
			m = l + 1;
		if (m == i)
			return;
		t = p->heap[i];
		p->heap[i] = p->heap[m];
		p->heap[m] = t;
		i = m;
	}
}

static void *
dp_part_write(void *arg)
{
	struct dp_part *p = arg;
	size_t n = 0;
	uint8_t key[8];
	int rc = 0;

	for (size_t r = 0; r < p->im->nrun; r++)
		if (p->pos[r] < p->end[r])
			p->heap[n++] = r;
	for (size_t i = n; i-- > 0;)
		dp_sift(p, n, i);
	while (n > 0 && rc == 0) {
		size_t r = p->heap[0];
		const struct dp_ent *e = &p->im->dpv[p->pos[r]++];

		jitsim_rec_key(e->k, key);
		rc = jitsim_store_sst_add(p->sst, key, sizeof(key), e->v, sizeof(e->v));
		if (p->pos[r] == p->end[r])
			p->heap[0] = p->heap[--n];
		dp_sift(p, n, 0);
	}
	if (rc != 0)
		snprintf(p->err, sizeof(p->err), "%s: SST write failed (%s)", p->im->f.path,
			 rc == -EINVAL ? "keys out of order" : "I/O");
	else
		rc = jitsim_store_sst_finish(p->sst, p->err, sizeof(p->err));
	p->rc = rc;
	return NULL;
}

/* First entry of run [lo, hi) whose key is >= @k. */
static size_t
dp_lower(const struct dp_ent *v, size_t lo, size_t hi, uint64_t k)
{
	while (lo < hi) {
		size_t mid = lo + (hi - lo) / 2;

		if (v[mid].k < k)
			lo = mid + 1;
		else
			hi = mid;
	}
	return lo;
}

static int
u64_cmp(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

/*
 * The staged dp entries as two sorted SST files (@out), the two halves of
 * the key span written by two threads: split at the median of the runs'
 * medians, which halves a shuffled file (every run spans everything) and
 * an ascending one (runs follow each other) alike. 0 or -EIO/-ENOMEM.
 */
static int
stage_dp(struct imp *im, struct jitsim_store_sst *out[2])
{
	struct dp_part part[2];
	size_t nrun = im->nrun, *mem;
	uint64_t *med, split;
	pthread_t th;
	bool threaded;
	int rc = 0;

	out[0] = out[1] = NULL;
	if (im->ndp == 0)
		return 0;
	mem = calloc(6 * nrun, sizeof(*mem));
	med = calloc(nrun, sizeof(*med));
	if (mem == NULL || med == NULL) {
		free(mem);
		free(med);
		return -ENOMEM;
	}
	for (size_t r = 0; r < nrun; r++) {
		size_t lo = r ? im->dpend[r - 1] : 0, hi = im->dpend[r];

		med[r] = lo < hi ? im->dpv[lo + (hi - lo) / 2].k : 0;
	}
	qsort(med, nrun, sizeof(*med), u64_cmp);
	split = med[nrun / 2];
	for (int h = 0; h < 2; h++) {
		part[h] = (struct dp_part){.im = im,
					   .pos = mem + (size_t)(3 * h) * nrun,
					   .end = mem + (size_t)(3 * h + 1) * nrun,
					   .heap = mem + (size_t)(3 * h + 2) * nrun};
		part[h].sst = jitsim_store_sst_new(im->s, JITSIM_CF_DP, im->err, im->errlen);
		if (part[h].sst == NULL)
			rc = -EIO;
	}
	for (size_t r = 0; r < nrun && rc == 0; r++) {
		size_t lo = r ? im->dpend[r - 1] : 0, hi = im->dpend[r];
		size_t b = dp_lower(im->dpv, lo, hi, split);

		part[0].pos[r] = lo;
		part[0].end[r] = part[1].pos[r] = b;
		part[1].end[r] = hi;
	}
	if (rc == 0) {
		threaded = pthread_create(&th, NULL, dp_part_write, &part[1]) == 0;
		dp_part_write(&part[0]);
		if (threaded)
			pthread_join(th, NULL);
		else
			dp_part_write(&part[1]);
		for (int h = 0; h < 2 && rc == 0; h++)
			if (part[h].rc != 0) {
				snprintf(im->err, im->errlen, "%s", part[h].err);
				rc = -EIO;
			}
	}
	for (int h = 0; h < 2; h++) {
		if (rc == 0)
			out[h] = part[h].sst;
		else
			jitsim_store_sst_free(part[h].sst);
	}
	free(mem);
	free(med);
	return rc;
}

/* Ingest @w (may be NULL), one progress byte after it. */
static int
stage_ingest(struct imp *im, struct jitsim_store_sst *w)
{
	int rc;

	if (w == NULL)
		return 0;
	rc = jitsim_store_sst_ingest(im->s, w, im->err, im->errlen);
	if (rc == 0)
		progress(im);
	return rc;
}

/*
 * Ingest what a staged pass 1 wrote: every chunk's iccid file, then the
 * dp entries of all chunks as one sorted run (stage_dp()), then the sim
 * files chunk by chunk in file order, told to o->written after each; the
 * records last (store.h: the record is the commit point, an index entry
 * without one is stale). rep->imported counts the SIMs of the sim files
 * ingested. A cancel stops between sim files.
 */
static int
stage_commit(struct imp *im)
{
	struct jitsim_store_sst *dp[2] = {NULL, NULL};
	char msg[MSG_MAX];
	int rc;

	/* What was staged is what pass 1 read: the file must be as it was
	 * then (pass 2 checks the same when it reads the file again). */
	rc = jitsim_inv_file_rewind(&im->f, im->err, im->errlen);
	if (rc == 0)
		rc = stage_dp(im, dp);
	if (rc != 0) {
		stage_discard(im);
		return rc;
	}
	for (int cf = 0; cf < 3; cf++)
		(void)jitsim_store_bulk_mode(im->s, bulk_cfs[cf], true, msg, sizeof(msg));
	for (size_t c = 0; c < im->nstaged && rc == 0; c++) {
		rc = stage_ingest(im, im->staged[c].sst[0]);
		im->staged[c].sst[0] = NULL;
	}
	for (int h = 0; h < 2; h++) {
		if (rc == 0)
			rc = stage_ingest(im, dp[h]);
		else
			jitsim_store_sst_free(dp[h]);
	}
	for (size_t c = 0; c < im->nstaged && rc == 0; c++) {
		struct staged *st = &im->staged[c];
		uint64_t n = jitsim_store_sst_count(st->sst[2]);

		if (cancelled(im)) {
			rc = -ECANCELED;
			break;
		}
		rc = stage_ingest(im, st->sst[2]);
		st->sst[2] = NULL;
		if (rc == 0) {
			im->rep->imported += n;
			rc = wlist_done(im, &st->wl, true, im->err, im->errlen);
		}
	}
	for (int cf = 0; cf < 3; cf++)
		(void)jitsim_store_bulk_mode(im->s, bulk_cfs[cf], false, msg, sizeof(msg));
	stage_discard(im); /* what was not ingested */
	return rc;
}

static int
write_reject(struct imp *im, const struct jitsim_inv_line *l, const char *msg)
{
	char masked[JITSIM_INV_LINE_MAX + 1];

	jitsim_inv_mask_line(&im->f, l, masked, sizeof(masked));
	if (fprintf(im->rej, "%s\t%s\n", masked, msg) < 0)
		return -EIO;
	return 0;
}

/* The reason of a line rejected in pass 1/1b, found again the same way. */
static void
reason_again(struct imp *im, const struct jitsim_inv_line *l, char *msg, size_t msglen)
{
	struct jitsim_inv_sim sim;
	struct line_keys lk;

	snprintf(msg, msglen, "%s:%" PRIu64 ": rejected", im->f.path, l->no);
	if (jitsim_inv_parse_line(&im->f, l, &sim, msg, msglen) != 0)
		goto out;
	keys_of(&sim, l->no, &lk);
	if (dup_check(im, &lk, false, msg, msglen) == 0)
		(void)store_check(im, NULL, l, &sim, msg, msglen);
out:
	OPENSSL_cleanse(&sim, sizeof(sim));
}

static int
pass2(struct imp *im, bool bulk, uint64_t fresh)
{
	struct pipe p;
	struct jitsim_inv_line l;
	char msg[MSG_MAX];
	int rc;

	rc = pipe_start(im, &p, bulk, bulk && !im->ascending, fresh);
	if (rc != 0)
		return rc;
	/* Ingested chunks overlap: compact them once, after the import. */
	if (bulk && !im->o->dry_run)
		for (int cf = 0; cf < 3; cf++)
			(void)jitsim_store_bulk_mode(im->s, bulk_cfs[cf], true, msg, sizeof(msg));
	rc = jitsim_inv_file_rewind(&im->f, im->err, im->errlen);
	while (rc == 0 && (rc = jitsim_inv_file_next(&im->f, &l, im->err, im->errlen)) == 1) {
		rc = 0;
		if (cancelled(im)) {
			rc = -ECANCELED;
			break;
		}
		if (bm_test(&im->rejected, l.no)) {
			if (im->rej != NULL) {
				reason_again(im, &l, msg, sizeof(msg));
				rc = write_reject(im, &l, msg);
			}
			continue;
		}
		if (bm_test(&im->unchanged, l.no))
			continue;
		im->rep->imported++;
		if (p.jobs == NULL) /* dry run: counted only */
			continue;
		/* Rewind checked size and mtime; a line that no longer
		 * parses is still the sign of a file changed meanwhile. */
		if (jitsim_inv_parse_line(&im->f, &l, pipe_slot(&p), msg, sizeof(msg)) != 0) {
			snprintf(im->err, im->errlen, "%s: changed during the import", im->f.path);
			rc = -ESTALE;
			break;
		}
		rc = pipe_add(im, &p, l.no);
	}
	rc = pipe_stop(im, &p, rc);
	if (bulk && !im->o->dry_run)
		for (int cf = 0; cf < 3; cf++)
			(void)jitsim_store_bulk_mode(im->s, bulk_cfs[cf], false, msg, sizeof(msg));
	return rc;
}

/* --- audit --- */

static void
json_str(char *out, size_t cap, const char *s)
{
	size_t n = 0;

	for (; *s != '\0' && n + 7 < cap; s++) {
		unsigned char c = (unsigned char)*s;

		if (c == '"' || c == '\\') {
			out[n++] = '\\';
			out[n++] = (char)c;
		} else if (c < 0x20 || c >= 0x7f) {
			n += (size_t)snprintf(out + n, cap - n, "\\u%04x", c);
		} else {
			out[n++] = (char)c;
		}
	}
	out[n] = '\0';
}

static int
audit(struct imp *im)
{
	const char *base = strrchr(im->o->path, '/');
	char name[256], fields[512];
	struct jitsim_store_batch *b;
	int rc;

	json_str(name, sizeof(name), base != NULL ? base + 1 : im->o->path);
	snprintf(fields, sizeof(fields),
		 "\"file\":\"%s\",\"format\":\"%s\",\"lines\":%" PRIu64 ",\"imported\":%" PRIu64
		 ",\"unchanged\":%" PRIu64 ",\"rejected\":%" PRIu64 ",\"bulk\":%s",
		 name, im->f.format == JITSIM_INV_VENDOR ? "vendor" : "csv", im->rep->lines,
		 im->rep->imported, im->rep->unchanged, im->rep->rejected,
		 im->rep->bulk ? "true" : "false");
	b = jitsim_store_batch_new(im->s);
	if (b == NULL)
		return -ENOMEM;
	jitsim_store_batch_audit(b, im->o->who != NULL ? im->o->who : "import", "inventory.import",
				 fields);
	rc = jitsim_store_commit(b, im->err, im->errlen);
	jitsim_store_batch_free(b);
	return rc;
}

/* --- the import --- */

static int
open_reject(struct imp *im)
{
	char def[4096];
	const char *path = im->o->reject_path;
	int fd;

	if (path == NULL) {
		if ((size_t)snprintf(def, sizeof(def), "%s.rej", im->o->path) >= sizeof(def)) {
			snprintf(im->err, im->errlen, "%s: path too long", im->o->path);
			return -EINVAL;
		}
		path = def;
	}
	fd = open(path, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC | O_NOFOLLOW, 0600);
	if (fd < 0 || fchmod(fd, 0600) != 0) {
		int e = errno;

		snprintf(im->err, im->errlen, "%s: %s", path, strerror(e));
		if (fd >= 0)
			close(fd);
		return e == EACCES || e == EPERM ? -EACCES : -EIO;
	}
	im->rej = fdopen(fd, "w");
	if (im->rej == NULL) {
		close(fd);
		return -ENOMEM;
	}
	return 0;
}

/*
 * Card lines in the file, to size the sets: its size over the mean length
 * of the lines of its first 256 KiB. An estimate from the shortest valid
 * line (~93 bytes) would double the sets of a vendor file (~200-byte
 * lines); a low estimate only costs the sets a doubling.
 */
static uint64_t
estimate_lines(const struct jitsim_inv_file *f)
{
	const size_t cap = 256 * 1024;
	uint64_t data = f->size > f->data_off ? (uint64_t)(f->size - f->data_off) : 0, nl = 0;
	char *buf = malloc(cap);
	ssize_t n;

	if (buf == NULL)
		return 16;
	n = pread(f->fd, buf, cap, f->data_off);
	for (ssize_t i = 0; i < n; i++)
		nl += buf[i] == '\n';
	/* A clear-key CSV puts keys in it. */
	OPENSSL_cleanse(buf, cap);
	free(buf);
	if (n <= 0 || nl == 0)
		return 16;
	return data / ((uint64_t)n / nl) + nl / 8 + 16;
}

static int
setup(struct imp *im)
{
	const struct jitsim_inv_opts *o = im->o;
	uint64_t est;
	int rc;

	if (o->state != 0 && o->state != JITSIM_SIM_INVENTORY && o->state != JITSIM_SIM_LOCKED) {
		snprintf(im->err, im->errlen, "state %s: an import makes inventory or locked SIMs",
			 jitsim_sim_state_name(o->state));
		return -EINVAL;
	}
	im->state = (uint8_t)(o->state != 0 ? o->state : JITSIM_SIM_INVENTORY);
	im->kek = jitsim_store_kek(im->s);
	if (im->kek == NULL && !o->dry_run) {
		snprintf(im->err, im->errlen, "store has no KEK: cannot seal the keys");
		return -EINVAL;
	}
	if (o->transport_key != NULL) {
		rc = jitsim_inv_tkey_load(o->transport_key, &im->tk, im->err, im->errlen);
		if (rc != 0)
			return rc;
		im->have_tk = true;
		im->dec = EVP_CIPHER_CTX_new();
		if (im->dec == NULL ||
		    EVP_DecryptInit_ex(im->dec, EVP_aes_128_ecb(), NULL, im->tk.key, NULL) != 1 ||
		    EVP_CIPHER_CTX_set_padding(im->dec, 0) != 1) {
			snprintf(im->err, im->errlen, "%s: AES setup failed", o->transport_key);
			return -EIO;
		}
	}
	rc = jitsim_inv_file_open(&im->f, o->path, o->format, im->err, im->errlen);
	if (rc != 0)
		return rc;
	if (im->f.format == JITSIM_INV_VENDOR) {
		if (!im->have_tk) {
			snprintf(im->err, im->errlen,
				 "%s: a vendor file has encrypted keys: give its transport key "
				 "(KCV %02X%02X%02X)",
				 o->path, im->f.kcv[0], im->f.kcv[1], im->f.kcv[2]);
			return -EINVAL;
		}
		if (memcmp(im->f.kcv, im->tk.kcv, 3) != 0) {
			snprintf(im->err, im->errlen,
				 "%s:%" PRIu64 ": field KCV: wrong transport key: the file was "
				 "encrypted under a key with KCV %02X%02X%02X, %s has KCV "
				 "%02X%02X%02X",
				 o->path, im->f.kcv_line, im->f.kcv[0], im->f.kcv[1], im->f.kcv[2],
				 o->transport_key, im->tk.kcv[0], im->tk.kcv[1], im->tk.kcv[2]);
			return -EINVAL;
		}
	}
	est = estimate_lines(&im->f);
	im->est_lines = est;
	im->imsi_set = jitsim_inv_set_new(est);
	im->iccid_set = jitsim_inv_set_new(est);
	if (im->f.pos[JITSIM_INV_F_MSISDN] >= 0)
		im->msisdn_set = jitsim_inv_set_new(est);
	if (im->imsi_set == NULL || im->iccid_set == NULL ||
	    (im->f.pos[JITSIM_INV_F_MSISDN] >= 0 && im->msisdn_set == NULL))
		return -ENOMEM;
	return 0;
}

static void
teardown(struct imp *im)
{
	stage_discard(im);
	if (im->rej != NULL)
		fclose(im->rej);
	jitsim_inv_file_close(&im->f);
	jitsim_inv_set_free(im->imsi_set);
	jitsim_inv_set_free(im->iccid_set);
	jitsim_inv_set_free(im->msisdn_set);
	free(im->rejected.w);
	free(im->unchanged.w);
	free(im->hit.w);
	EVP_CIPHER_CTX_free(im->dec);
	OPENSSL_cleanse(&im->tk, sizeof(im->tk));
}

int
jitsim_inv_import(struct jitsim_store *s, const struct jitsim_inv_opts *o,
		  struct jitsim_inv_report *rep, char *err, size_t errlen)
{
	char dummy[8];
	struct imp im = {
		.s = s,
		.o = o,
		.rep = rep,
		.err = errlen > 0 ? err : dummy,
		.errlen = errlen > 0 ? errlen : sizeof(dummy),
		.err_line = UINT64_MAX,
		.ascending = true,
		.f = {.fd = -1},
	};
	bool scan, any = false;
	uint64_t fresh;
	int rc;

	memset(rep, 0, sizeof(*rep));
	im.err[0] = '\0';
	if (s == NULL || o == NULL || o->path == NULL) {
		snprintf(im.err, im.errlen, "import: no store or no file");
		return -EINVAL;
	}
	im.bulk_min = env_u64("JITSIM_INV_BULK_MIN", JITSIM_INV_BULK_MIN);
	im.chunk = env_u64("JITSIM_INV_BULK_CHUNK", JITSIM_INV_BULK_CHUNK);
	if (im.chunk == 0)
		im.chunk = JITSIM_INV_BULK_CHUNK;
	im.progress_fd = (int)env_u64("JITSIM_INV_PROGRESS_FD", (uint64_t)-1);
	im.now = (uint64_t)time(NULL);

	rc = setup(&im);
	if (rc == 0)
		rc = pass1(&im);
	/* Large files: the store is scanned once instead of read per line. */
	scan = im.valid >= im.bulk_min;
	if (rc == 0 && scan)
		rc = scan_store(&im, &any);
	if (rc == 0 && im.valid > 0 && (!scan || any))
		rc = pass1b(&im, scan);
	if (rc == 0 && rep->rejected > 0 && !o->partial)
		rc = -EINVAL; /* first error already in @err */
	if (rc == 0 && o->partial)
		rc = open_reject(&im);
	if (rc == 0 && im.stage_ok && rep->rejected == 0 && rep->unchanged == 0 &&
	    rep->lines == im.valid && im.valid >= im.bulk_min) {
		/* Every line valid and new, enough of them for the bulk path
		 * (staging went by the estimate from the file size): what pass
		 * 1 staged is the import. */
		rep->bulk = rep->staged = true;
		rc = stage_commit(&im);
	} else if (rc == 0) {
		stage_discard(&im);
		/* Lines valid in pass 1 less those pass 1b found unchanged or
		 * in conflict with the store. */
		uint64_t store_rej = rep->rejected - (rep->lines - im.valid);

		fresh = im.valid - rep->unchanged - store_rej;
		rep->bulk = fresh >= im.bulk_min && im.f.pos[JITSIM_INV_F_MSISDN] < 0;
		/* Only the reject file needs the sets again (reason_again());
		 * without it their memory (~30 bytes a line) goes before pass
		 * 2 takes two chunks of records. */
		if (im.rej == NULL) {
			jitsim_inv_set_free(im.imsi_set);
			jitsim_inv_set_free(im.iccid_set);
			jitsim_inv_set_free(im.msisdn_set);
			im.imsi_set = im.iccid_set = im.msisdn_set = NULL;
		}
		if (fresh > 0 || im.rej != NULL)
			rc = pass2(&im, rep->bulk, fresh);
	}
	if (rc == 0 && im.rej != NULL && fflush(im.rej) != 0) {
		snprintf(im.err, im.errlen, "reject file: write failed");
		rc = -EIO;
	}
	if (rc == 0 && rep->imported > 0 && !o->dry_run)
		rc = audit(&im);
	if (rc == 0 && rep->rejected == 0)
		im.err[0] = '\0';
	if (rc == -ENOMEM && im.err[0] == '\0')
		snprintf(im.err, im.errlen, "%s: out of memory", o->path);
	if (rc == -ESTALE)
		rc = -EIO;
	teardown(&im);
	return rc;
}
