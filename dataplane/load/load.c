/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <pthread.h>
#include <stdbool.h>
#include <stdlib.h>
#include <stdio.h>
#include <time.h>

#include <jitsim/sim.h>

#include "load.h"
#include "store.h"

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Entries put into the IMSI table per call: enough for the prefetches
 * of jitsim_table_imsi_put_bulk() to overlap. */
#define LOAD_BURST 32

struct load_burst {
	struct jitsim_table_sim e[LOAD_BURST];
	unsigned int n;
};

static int
load_flush(struct load_burst *b, struct jitsim_table_imsi *imsi, struct jitsim_load_stats *st)
{
	int rc = jitsim_table_imsi_put_bulk(imsi, b->e, b->n);

	if (rc == 0)
		st->sims += b->n;
	b->n = 0;
	return rc;
}

/* One dp entry into the tables. The lease/epoch time starts at 0: an
 * ACTIVATING SIM left by a control plane that stopped has an expired
 * lease, so the next attach raises its event again. */
static int
load_one(uint64_t key, const struct jitsim_rec_dp *r, struct load_burst *b,
	 struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn,
	 struct jitsim_load_stats *st)
{
	int m;

	if (r->state == JITSIM_SIM_RETIRED) {
		st->retired++;
		return 0;
	}
	if (r->msisdn) {
		m = jitsim_table_msisdn_put(msisdn, r->msisdn, key);
		if (m == -EEXIST)
			st->msisdn_conflicts++;
		else if (m != 0)
			return m;
		else
			st->msisdns++;
	}
	b->e[b->n++] = (struct jitsim_table_sim){
		.imsi = key,
		.msisdn = r->msisdn,
		.sw = jitsim_table_sw_make(r->state, r->flags, 0),
		.tenant = r->tenant,
		.region = r->region,
	};
	return b->n == LOAD_BURST ? load_flush(b, imsi, st) : 0;
}

/*
 * Scanner threads walk halves of the dp column family and decode blocks
 * of entries while the caller (the tables' single updater) puts the
 * blocks into the tables. RocksDB's iteration costs more than the inserts
 * right after a bulk import (the dp files of its chunks overlap and every
 * key goes through a merging heap), so two scanners feed one inserter.
 */
#define LOAD_BLOCK 8192
#define LOAD_SCANNERS 2

struct load_block {
	uint64_t key[LOAD_BLOCK];
	struct jitsim_rec_dp dp[LOAD_BLOCK];
	unsigned int n;
	bool full; /* filled by the scanner, not yet consumed */
	bool last; /* the scan ended with this block */
};

struct load_pipe;

struct load_scan {
	struct load_pipe *p;
	struct jitsim_store_iter *it;
	struct load_block blk[2];
	unsigned int next; /* consumer's next block */
	bool done;	   /* consumer saw the last block */
	bool started;
	int rc; /* scan result: 0 or -EIO */
	pthread_t th;
};

struct load_pipe {
	jitsim_load_log_fn log;
	void *log_arg;
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop; /* the consumer gave up */
	uint64_t damaged;
	struct load_scan scan[LOAD_SCANNERS];
	unsigned int nscan;
};

/* Fill @b from the iterator; true when the scan is over. */
static bool
load_scan_block(struct load_scan *sc, struct load_block *b)
{
	struct load_pipe *p = sc->p;
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc = 0;

	b->n = 0;
	while (b->n < LOAD_BLOCK && (rc = jitsim_store_iter_next(sc->it, &k, &kl, &v, &vl)) == 1) {
		uint64_t key = jitsim_rec_key_parse(k, kl);
		char msg[512];

		if (key == 0 ||
		    jitsim_rec_dp_decode(key, v, vl, &b->dp[b->n], msg, sizeof(msg)) != 0) {
			if (key == 0)
				snprintf(msg, sizeof(msg), "dp key of %zu bytes is not an IMSI key",
					 kl);
			/* Rare: the lock also makes the log calls one at a time. */
			pthread_mutex_lock(&p->mu);
			p->damaged++;
			if (p->log)
				p->log(p->log_arg, msg);
			pthread_mutex_unlock(&p->mu);
			continue;
		}
		b->key[b->n++] = key;
	}
	if (b->n == LOAD_BLOCK)
		return false;
	sc->rc = rc < 0 ? rc : 0;
	return true;
}

static void *
load_scanner(void *arg)
{
	struct load_scan *sc = arg;
	struct load_pipe *p = sc->p;
	unsigned int i = 0;
	bool last = false;

	jitsim_store_thread_counters_off();
	while (!last) {
		struct load_block *b = &sc->blk[i];

		pthread_mutex_lock(&p->mu);
		while (b->full && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			break;
		last = load_scan_block(sc, b);
		pthread_mutex_lock(&p->mu);
		b->last = last;
		b->full = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		i ^= 1;
	}
	return NULL;
}

/* Consume the scanners' blocks, in turn, into the tables; 0 or the
 * insert error. */
static int
load_consume(struct load_pipe *p, struct jitsim_table_imsi *imsi,
	     struct jitsim_table_msisdn *msisdn, struct jitsim_load_stats *st)
{
	struct load_burst burst = {.n = 0};
	unsigned int live = p->nscan, i = 0;
	int put = 0;

	while (live > 0 && put == 0) {
		struct load_scan *sc = &p->scan[i];
		struct load_block *b = &sc->blk[sc->next];

		i = (i + 1) % p->nscan;
		if (sc->done)
			continue;
		pthread_mutex_lock(&p->mu);
		while (!b->full)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		for (unsigned int j = 0; j < b->n && put == 0; j++)
			put = load_one(b->key[j], &b->dp[j], &burst, imsi, msisdn, st);
		if (b->last) {
			sc->done = true;
			live--;
		}
		pthread_mutex_lock(&p->mu);
		b->full = false;
		if (put != 0)
			p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		sc->next ^= 1;
	}
	if (put == 0 && burst.n > 0)
		put = load_flush(&burst, imsi, st);
	return put;
}

/* Split the dp keys at the middle of their numeric span (IMSI ranges are
 * dense enough for halves of about the same size). */
static void
load_ranges(struct jitsim_store *s, struct load_pipe *p)
{
	uint8_t first[8], last[8], mid[8];
	uint64_t a, b;

	p->nscan = 1;
	if (jitsim_store_key_span(s, JITSIM_CF_DP, first, last) != 0) {
		p->scan[0].it = jitsim_store_iter_new(s, JITSIM_CF_DP);
		return;
	}
	a = jitsim_rec_key_parse(first, 8);
	b = jitsim_rec_key_parse(last, 8);
	jitsim_rec_key(a + (b - a) / 2 + 1, mid);
	p->scan[0].it = jitsim_store_iter_new_range(s, JITSIM_CF_DP, NULL, 0, mid, 8);
	p->scan[1].it = jitsim_store_iter_new_range(s, JITSIM_CF_DP, mid, 8, NULL, 0);
	p->nscan = 2;
}

static void
load_pipe_free(struct load_pipe *p)
{
	for (unsigned int i = 0; i < LOAD_SCANNERS; i++)
		jitsim_store_iter_free(p->scan[i].it);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
}

int
jitsim_load_tables(const char *store_path, struct jitsim_table_imsi **imsi,
		   struct jitsim_table_msisdn **msisdn, struct jitsim_load_stats *st,
		   jitsim_load_log_fn log, void *log_arg, char *err, size_t errlen)
{
	struct jitsim_store_opts so = {.path = store_path, .secondary = true};
	struct load_pipe *p;
	struct jitsim_store *s;
	double t0 = now_s();
	int rc = 0, put;

	*st = (struct jitsim_load_stats){0};
	rc = jitsim_store_open(&so, &s, err, errlen);
	if (rc != 0)
		return rc;
	if (*imsi == NULL) {
		uint64_t n = jitsim_store_estimate(s, JITSIM_CF_DP);

		*imsi = jitsim_table_imsi_create(n);
		if (*imsi == NULL)
			goto nomem;
	}
	if (*msisdn == NULL) {
		*msisdn = jitsim_table_msisdn_create(jitsim_store_estimate(s, JITSIM_CF_MSISDN));
		if (*msisdn == NULL)
			goto nomem;
	}
	p = calloc(1, sizeof(*p));
	if (p == NULL)
		goto nomem;
	p->log = log;
	p->log_arg = log_arg;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	/* The 16-byte projections, not the records: a tenth of the bytes. */
	load_ranges(s, p);
	for (unsigned int i = 0; i < p->nscan; i++) {
		struct load_scan *sc = &p->scan[i];

		sc->p = p;
		if (sc->it == NULL || pthread_create(&sc->th, NULL, load_scanner, sc) != 0)
			break;
		sc->started = true;
	}
	if (!p->scan[p->nscan - 1].started) {
		pthread_mutex_lock(&p->mu);
		p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		for (unsigned int i = 0; i < p->nscan; i++)
			if (p->scan[i].started)
				pthread_join(p->scan[i].th, NULL);
		load_pipe_free(p);
		goto nomem;
	}
	put = load_consume(p, *imsi, *msisdn, st);
	for (unsigned int i = 0; i < p->nscan; i++) {
		pthread_join(p->scan[i].th, NULL);
		if (p->scan[i].rc < 0)
			rc = p->scan[i].rc;
	}
	st->damaged = p->damaged;
	load_pipe_free(p);
	jitsim_store_close(s);
	st->seconds = now_s() - t0;
	if (put != 0) {
		snprintf(err, errlen, "store %s: table insert failed: %s", store_path,
			 put == -ENOMEM ? "out of memory" : "invalid entry");
		return put;
	}
	if (rc < 0) {
		snprintf(err, errlen, "store %s: read error while loading", store_path);
		return rc;
	}
	return 0;
nomem:
	jitsim_store_close(s);
	snprintf(err, errlen, "store %s: out of memory creating the tables", store_path);
	return -ENOMEM;
}
