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
 * Two threads: a scanner walks the dp column family and decodes blocks of
 * entries while the caller (the tables' single updater) puts the previous
 * block into the tables. The RocksDB scan and the table inserts cost
 * about the same, so the load takes about the time of the longer one.
 */
#define LOAD_BLOCK 8192

struct load_block {
	uint64_t key[LOAD_BLOCK];
	struct jitsim_rec_dp dp[LOAD_BLOCK];
	unsigned int n;
	bool full; /* filled by the scanner, not yet consumed */
	bool last; /* the scan ended with this block */
};

struct load_pipe {
	struct jitsim_store_iter *it;
	jitsim_load_log_fn log;
	void *log_arg;
	struct load_block blk[2];
	pthread_mutex_t mu;
	pthread_cond_t cv;
	bool stop; /* the consumer gave up */
	int rc;	   /* scan result: 0 or -EIO */
	uint64_t damaged;
};

/* Fill @b from the iterator; true when the scan is over. */
static bool
load_scan_block(struct load_pipe *p, struct load_block *b)
{
	const uint8_t *k, *v;
	size_t kl, vl;
	int rc;

	b->n = 0;
	while (b->n < LOAD_BLOCK && (rc = jitsim_store_iter_next(p->it, &k, &kl, &v, &vl)) == 1) {
		uint64_t key = jitsim_rec_key_parse(k, kl);
		char msg[512];

		if (key == 0 ||
		    jitsim_rec_dp_decode(key, v, vl, &b->dp[b->n], msg, sizeof(msg)) != 0) {
			if (key == 0)
				snprintf(msg, sizeof(msg), "dp key of %zu bytes is not an IMSI key",
					 kl);
			p->damaged++;
			if (p->log)
				p->log(p->log_arg, msg);
			continue;
		}
		b->key[b->n++] = key;
	}
	if (b->n == LOAD_BLOCK)
		return false;
	p->rc = rc < 0 ? rc : 0;
	return true;
}

static void *
load_scanner(void *arg)
{
	struct load_pipe *p = arg;
	unsigned int i = 0;
	bool last = false;

	while (!last) {
		struct load_block *b = &p->blk[i];

		pthread_mutex_lock(&p->mu);
		while (b->full && !p->stop)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		if (p->stop)
			break;
		last = load_scan_block(p, b);
		pthread_mutex_lock(&p->mu);
		b->last = last;
		b->full = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		i ^= 1;
	}
	return NULL;
}

/* Consume the scanner's blocks into the tables; 0 or the insert error. */
static int
load_consume(struct load_pipe *p, struct jitsim_table_imsi *imsi,
	     struct jitsim_table_msisdn *msisdn, struct jitsim_load_stats *st)
{
	struct load_burst burst = {.n = 0};
	unsigned int i = 0;
	int put = 0;

	for (;;) {
		struct load_block *b = &p->blk[i];
		bool last;

		pthread_mutex_lock(&p->mu);
		while (!b->full)
			pthread_cond_wait(&p->cv, &p->mu);
		pthread_mutex_unlock(&p->mu);
		for (unsigned int j = 0; j < b->n && put == 0; j++)
			put = load_one(b->key[j], &b->dp[j], &burst, imsi, msisdn, st);
		last = b->last;
		pthread_mutex_lock(&p->mu);
		b->full = false;
		if (put != 0)
			p->stop = true;
		pthread_cond_broadcast(&p->cv);
		pthread_mutex_unlock(&p->mu);
		if (last || put != 0)
			break;
		i ^= 1;
	}
	if (put == 0 && burst.n > 0)
		put = load_flush(&burst, imsi, st);
	return put;
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
	pthread_t th;
	int rc, put;

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
	/* The 16-byte projections, not the records: a tenth of the bytes. */
	p->it = jitsim_store_iter_new(s, JITSIM_CF_DP);
	p->log = log;
	p->log_arg = log_arg;
	pthread_mutex_init(&p->mu, NULL);
	pthread_cond_init(&p->cv, NULL);
	if (p->it == NULL || pthread_create(&th, NULL, load_scanner, p) != 0) {
		jitsim_store_iter_free(p->it);
		pthread_cond_destroy(&p->cv);
		pthread_mutex_destroy(&p->mu);
		free(p);
		goto nomem;
	}
	put = load_consume(p, *imsi, *msisdn, st);
	pthread_join(th, NULL);
	rc = p->rc;
	st->damaged = p->damaged;
	jitsim_store_iter_free(p->it);
	pthread_cond_destroy(&p->cv);
	pthread_mutex_destroy(&p->mu);
	free(p);
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
