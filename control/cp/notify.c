/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/digits.h>

#include "adapter.h"
#include "http.h"
#include "job.h"
#include "notify.h"

#define NOTIFY_BACKOFF_NS 1000000000ull
#define NOTIFY_BACKOFF_MAX_NS (60ull * 1000000000ull)
/* Retries held in memory at most: an endpoint down for hours at thousands
 * of activations a second must not grow the list without bound; beyond
 * this, notifications are given up (counted in status). */
#define NOTIFY_RETRY_MAX 100000u

struct notify_item {
	struct jitsim_cp_notify *n;
	struct notify_item *next;
	struct jitsim_prov_order o;
	unsigned int attempts;
	uint64_t due_ns;
};

struct jitsim_cp_notify {
	struct jitsim_adapter *a;
	unsigned int retries;
	pthread_mutex_t lock; /* retry list, stats */
	struct notify_item *retry;
	unsigned int n_retry; /* items on the retry list */
	struct jitsim_cp_notify_stats st;
};

static uint64_t
notify_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool
notify_transient(int status)
{
	return status == -ETIMEDOUT || status == -ECONNREFUSED || status == -EAGAIN ||
	       status == -EHOSTUNREACH || status == -EIO || status == -ECONNRESET;
}

/* Adapter thread: done, retry later, or give up. */
static void
notify_done(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status, const char *msg,
	    void *arg)
{
	struct notify_item *it = arg;
	struct jitsim_cp_notify *n = it->n;

	(void)o;
	(void)op;
	pthread_mutex_lock(&n->lock);
	if (status == 0) {
		n->st.ok++;
	} else if (notify_transient(status) && it->attempts <= n->retries && status != -ECANCELED &&
		   n->n_retry < NOTIFY_RETRY_MAX) {
		uint64_t d = NOTIFY_BACKOFF_NS << (it->attempts - 1 < 6 ? it->attempts - 1 : 6);

		it->due_ns =
			notify_now_ns() + (d < NOTIFY_BACKOFF_MAX_NS ? d : NOTIFY_BACKOFF_MAX_NS);
		it->next = n->retry;
		n->retry = it;
		n->n_retry++;
		n->st.retried++;
		it = NULL;
	} else {
		n->st.failed++;
		/* 1st, 2nd, 4th, 8th, ...: an endpoint that is down must not
		 * flood the log with a line per notification. */
		if ((n->st.failed & (n->st.failed - 1)) == 0)
			fprintf(stderr,
				"jitsim-cp: notify %s of job %llu: given up: %s (%llu given up so "
				"far)\n",
				it->o.event, (unsigned long long)it->o.job, msg,
				(unsigned long long)n->st.failed);
	}
	pthread_mutex_unlock(&n->lock);
	free(it);
}

static void
notify_submit(struct jitsim_cp_notify *n, struct notify_item *it)
{
	char err[256];
	int rc;

	it->attempts++;
	pthread_mutex_lock(&n->lock);
	n->st.sent++;
	pthread_mutex_unlock(&n->lock);
	rc = jitsim_adapter_submit(n->a, JITSIM_PROV_UPDATE, &it->o, notify_done, it, err,
				   sizeof(err));
	if (rc != 0)
		notify_done(&it->o, JITSIM_PROV_UPDATE, rc == -EAGAIN ? -EAGAIN : rc, err, it);
}

void
jitsim_cp_notify_job(struct jitsim_cp_notify *n, const char *event, const struct jitsim_job *j)
{
	struct notify_item *it;

	if (n == NULL)
		return;
	it = calloc(1, sizeof(*it));
	if (it == NULL) {
		pthread_mutex_lock(&n->lock);
		n->st.failed++;
		pthread_mutex_unlock(&n->lock);
		return;
	}
	it->n = n;
	it->o.job = j->id;
	jitsim_digits_key_format(j->imsi, it->o.imsi, sizeof(it->o.imsi));
	if (j->msisdn != 0)
		jitsim_digits_key_format(j->msisdn, it->o.msisdn, sizeof(it->o.msisdn));
	it->o.region = j->region;
	snprintf(it->o.hlr, sizeof(it->o.hlr), "%s", j->hlr[0] != '\0' ? j->hlr : "none");
	snprintf(it->o.tariff, sizeof(it->o.tariff), "%s", j->profile);
	it->o.flow = j->flow;
	snprintf(it->o.event, sizeof(it->o.event), "%s", event);
	notify_submit(n, it);
}

unsigned int
jitsim_cp_notify_poll(struct jitsim_cp_notify *n, uint64_t now_ns)
{
	struct notify_item *due = NULL, **pp, *it;
	unsigned int k = 0;

	if (n == NULL)
		return 0;
	pthread_mutex_lock(&n->lock);
	pp = &n->retry;
	while ((it = *pp) != NULL) {
		if (it->due_ns <= now_ns) {
			*pp = it->next;
			n->n_retry--;
			it->next = due;
			due = it;
		} else {
			pp = &it->next;
		}
	}
	pthread_mutex_unlock(&n->lock);
	for (; due != NULL; due = it, k++) {
		it = due->next;
		notify_submit(n, due);
	}
	return k;
}

void
jitsim_cp_notify_stats(struct jitsim_cp_notify *n, struct jitsim_cp_notify_stats *st)
{
	pthread_mutex_lock(&n->lock);
	*st = n->st;
	pthread_mutex_unlock(&n->lock);
}

struct jitsim_cp_notify *
jitsim_cp_notify_new(const struct jitsim_cp_notify_opts *o, char *err, size_t errlen)
{
	struct jitsim_http_opts ho = {.url = o->url,
				      .token_file = o->token_file,
				      .ca_file = o->ca_file,
				      .client_cert = o->client_cert,
				      .client_key = o->client_key,
				      .insecure = o->insecure};
	struct jitsim_adapter_cfg ac = {.max_inflight = o->inflight != 0 ? o->inflight : 4,
					.timeout_ms = o->timeout_ms};
	struct jitsim_cp_notify *n;
	struct jitsim_http *h;

	if (jitsim_http_open(&ho, &h, err, errlen) != 0)
		return NULL;
	n = calloc(1, sizeof(*n));
	if (n == NULL) {
		jitsim_http_close(h);
		snprintf(err, errlen, "out of memory");
		return NULL;
	}
	n->retries = o->retries;
	pthread_mutex_init(&n->lock, NULL);
	n->a = jitsim_adapter_new(&jitsim_http_ops, h, &ac, err, errlen);
	if (n->a == NULL) {
		pthread_mutex_destroy(&n->lock);
		free(n);
		return NULL;
	}
	return n;
}

void
jitsim_cp_notify_free(struct jitsim_cp_notify *n)
{
	struct notify_item *it, *next;

	if (n == NULL)
		return;
	/* Cancelled POSTs complete into notify_done() (counted as failed). */
	jitsim_adapter_free(n->a);
	for (it = n->retry; it != NULL; it = next) {
		next = it->next;
		free(it);
	}
	pthread_mutex_destroy(&n->lock);
	free(n);
}
