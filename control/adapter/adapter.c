/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The adapter runner (adapter.h): a queue, a pool of max_inflight
 * threads that hand orders to the backend, and a timer thread for the
 * deadlines.
 *
 * Every deadline is submit time + timeout_ms, and orders leave the FIFO
 * queue in submit order, so both the queue and the in-flight list are
 * sorted by deadline: the timer only ever looks at their heads. An
 * in-flight order that times out moves to the `late` list, where it
 * keeps its slot until the backend answers.
 */

#include <jitsim/errmsg.h>
#include <errno.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapter.h"

#define ADAPTER_INFLIGHT_MAX 256

struct adapter_list {
	struct jitsim_adapter_call *head, *tail;
};

struct jitsim_adapter_call {
	struct jitsim_adapter *a;
	struct jitsim_adapter_call *prev, *next;
	struct adapter_list *on; /* the list holding it, NULL once unlinked */
	enum jitsim_prov_op op;
	bool reported; /* the caller's callback has run (or runs now) */
	/* Orders of its batch not completed yet (start_many), shared by the
	 * batch and freed with its slot; NULL for a call of one order. */
	unsigned int *slot_left;
	uint64_t deadline_ns;
	jitsim_prov_done_fn done;
	void *arg;
	struct jitsim_prov_order order;
};

struct jitsim_adapter {
	const struct jitsim_adapter_ops *ops;
	void *ctx;
	struct jitsim_adapter_cfg cfg;

	pthread_mutex_t lock;
	pthread_cond_t work;  /* pool: an order and a free slot */
	pthread_cond_t timer; /* timer: the earliest deadline may have changed */
	pthread_cond_t idle;  /* free(): the last in-flight order completed */
	struct adapter_list queue, inflight, late;
	unsigned int n_queued, n_inflight;
	bool stop;
	struct jitsim_adapter_stats st;

	unsigned int n_pool;
	bool timer_started;
	pthread_t timer_thr;
	pthread_t pool[];
};

static uint64_t
adapter_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
adapter_link(struct adapter_list *l, struct jitsim_adapter_call *c)
{
	c->next = NULL;
	c->prev = l->tail;
	if (l->tail)
		l->tail->next = c;
	else
		l->head = c;
	l->tail = c;
	c->on = l;
}

static void
adapter_unlink(struct jitsim_adapter_call *c)
{
	struct adapter_list *l = c->on;

	if (l == NULL)
		return;
	if (c->prev)
		c->prev->next = c->next;
	else
		l->head = c->next;
	if (c->next)
		c->next->prev = c->prev;
	else
		l->tail = c->prev;
	c->prev = c->next = NULL;
	c->on = NULL;
}

static const char *const adapter_op_names[] = {
	[JITSIM_PROV_PROVISION] = "provision",
	[JITSIM_PROV_DEPROVISION] = "deprovision",
	[JITSIM_PROV_UPDATE] = "update",
};

const char *
jitsim_prov_op_name(unsigned int op)
{
	return op > 0 && op < JITSIM_PROV_OP_MAX ? adapter_op_names[op] : "invalid";
}

/* ---- order validation ---- */

static int
adapter_check_digits(const char *s, size_t size, size_t min, size_t max, const char *field,
		     char *err, size_t errlen)
{
	const char *end = memchr(s, '\0', size);
	size_t n;

	if (end == NULL) {
		jitsim_errmsg(err, errlen, "field %s: not terminated", field);
		return -EINVAL;
	}
	n = (size_t)(end - s);
	if (n != 0 && (n < min || n > max)) {
		jitsim_errmsg(err, errlen, "field %s: %zu digits, want %zu..%zu", field, n, min,
			      max);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			jitsim_errmsg(err, errlen, "field %s: character %zu is not a digit", field,
				      i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int
adapter_check_name(const char *s, size_t size, const char *field, char *err, size_t errlen)
{
	const char *end = memchr(s, '\0', size);

	if (end == NULL) {
		jitsim_errmsg(err, errlen, "field %s: not terminated", field);
		return -EINVAL;
	}
	for (const char *p = s; p < end; p++) {
		char c = *p;

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			jitsim_errmsg(err, errlen,
				      "field %s: character %zu is not one of [A-Za-z0-9._-]", field,
				      (size_t)(p - s) + 1);
			return -EINVAL;
		}
	}
	return 0;
}

int
jitsim_prov_order_check(const struct jitsim_prov_order *o, char *err, size_t errlen)
{
	int rc;

	/* Job ids go into JSON as integers: keep them exact in a double-free
	 * int64 consumer. */
	if (o->job == 0 || o->job > INT64_MAX) {
		jitsim_errmsg(err, errlen, "field job: not in 1..2^63-1");
		return -EINVAL;
	}
	if (o->imsi[0] == '\0') {
		jitsim_errmsg(err, errlen, "field imsi: missing");
		return -EINVAL;
	}
	rc = adapter_check_digits(o->imsi, sizeof(o->imsi), 5, JITSIM_PROV_IMSI_MAX, "imsi", err,
				  errlen);
	if (rc == 0)
		rc = adapter_check_digits(o->msisdn, sizeof(o->msisdn), 1, JITSIM_PROV_MSISDN_MAX,
					  "msisdn", err, errlen);
	if (rc == 0)
		rc = adapter_check_digits(o->iccid, sizeof(o->iccid), 18, JITSIM_PROV_ICCID_MAX,
					  "iccid", err, errlen);
	if (rc == 0)
		rc = adapter_check_name(o->hlr, sizeof(o->hlr), "hlr", err, errlen);
	if (rc == 0 && o->hlr[0] == '\0') {
		jitsim_errmsg(err, errlen, "field hlr: missing");
		rc = -EINVAL;
	}
	if (rc == 0)
		rc = adapter_check_name(o->tariff, sizeof(o->tariff), "tariff", err, errlen);
	if (rc == 0 && strnlen(o->event, sizeof(o->event)) == sizeof(o->event)) {
		jitsim_errmsg(err, errlen, "field event: not terminated");
		rc = -EINVAL;
	}
	for (size_t i = 0; rc == 0 && i < sizeof(o->event) && o->event[i] != '\0'; i++)
		if (o->event[i] < 'a' || o->event[i] > 'z') {
			jitsim_errmsg(err, errlen, "field event: a-z only");
			rc = -EINVAL;
		}
	if (rc == 0 && o->flow > JITSIM_PROV_FLOW_DATA_ONLY) {
		jitsim_errmsg(err, errlen, "field flow: %u is not voice or data_only", o->flow);
		rc = -EINVAL;
	}
	return rc;
}

/* ---- threads ---- */

typedef int (*adapter_op_t)(void *ctx, const struct jitsim_prov_order *o,
			    struct jitsim_adapter_call *c);

static adapter_op_t
adapter_op_fn(const struct jitsim_adapter_ops *ops, enum jitsim_prov_op op)
{
	switch (op) {
	case JITSIM_PROV_PROVISION:
		return ops->provision;
	case JITSIM_PROV_DEPROVISION:
		return ops->deprovision;
	default:
		return ops->update;
	}
}

/* Under the lock: the next queued orders (up to the backend's batch) into
 * @c, moved to the in-flight list under one slot. Their count: one when
 * the batch's slot counter cannot be allocated. */
static unsigned int
adapter_take(struct jitsim_adapter *a, struct jitsim_adapter_call **c)
{
	unsigned int n = 1, *left = NULL;

	if (a->ops->start_many != NULL && a->n_queued > 1) {
		n = a->n_queued < a->ops->batch_max ? a->n_queued : a->ops->batch_max;
		left = malloc(sizeof(*left));
		if (left == NULL)
			n = 1;
		else
			*left = n;
	}
	for (unsigned int i = 0; i < n; i++) {
		c[i] = a->queue.head;
		adapter_unlink(c[i]);
		a->n_queued--;
		c[i]->slot_left = left;
		adapter_link(&a->inflight, c[i]);
	}
	a->n_inflight++;
	if (a->n_inflight > a->st.max_inflight_seen)
		a->st.max_inflight_seen = a->n_inflight;
	return n;
}

static void *
adapter_pool_main(void *arg)
{
	struct jitsim_adapter *a = arg;
	struct jitsim_adapter_call *c[JITSIM_ADAPTER_BATCH_MAX];

	pthread_mutex_lock(&a->lock);
	for (;;) {
		adapter_op_t fn;
		unsigned int n;
		int rc;

		while (!a->stop && (a->queue.head == NULL || a->n_inflight >= a->cfg.max_inflight))
			pthread_cond_wait(&a->work, &a->lock);
		if (a->stop)
			break;
		n = adapter_take(a, c);
		pthread_mutex_unlock(&a->lock);

		/* From here the calls may be completed and freed by the backend. */
		if (n > 1) {
			rc = a->ops->start_many(a->ctx, c, n);
			for (unsigned int i = 0; rc != 0 && i < n; i++)
				jitsim_adapter_complete(c[i], rc, "backend refused the order");
		} else {
			fn = adapter_op_fn(a->ops, c[0]->op);
			rc = fn != NULL ? fn(a->ctx, &c[0]->order, c[0]) : -EOPNOTSUPP;
			if (rc != 0)
				jitsim_adapter_complete(c[0], rc,
							fn != NULL ? "backend refused the order"
								   : "operation not supported");
		}
		pthread_mutex_lock(&a->lock);
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

static void *
adapter_timer_main(void *arg)
{
	struct jitsim_adapter *a = arg;

	pthread_mutex_lock(&a->lock);
	while (!a->stop) {
		struct jitsim_adapter_call *c;
		uint64_t now = adapter_now_ns(), next = UINT64_MAX;

		c = a->queue.head;
		if (c != NULL && c->deadline_ns <= now) {
			/* Never started: ours to report and free. */
			adapter_unlink(c);
			a->n_queued--;
			a->st.timed_out++;
			pthread_mutex_unlock(&a->lock);
			c->done(&c->order, c->op, -ETIMEDOUT, "timed out in the queue", c->arg);
			free(c);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		c = a->inflight.head;
		if (c != NULL && c->deadline_ns <= now) {
			/* The backend still has it: report now, free at its answer.
			 * A copy, as the answer may come while we report. */
			struct jitsim_adapter_call copy = *c;

			adapter_unlink(c);
			adapter_link(&a->late, c);
			c->reported = true;
			a->st.timed_out++;
			pthread_mutex_unlock(&a->lock);
			copy.done(&copy.order, copy.op, -ETIMEDOUT, "timed out in the backend",
				  copy.arg);
			pthread_mutex_lock(&a->lock);
			continue;
		}
		if (a->queue.head != NULL)
			next = a->queue.head->deadline_ns;
		if (a->inflight.head != NULL && a->inflight.head->deadline_ns < next)
			next = a->inflight.head->deadline_ns;
		if (next == UINT64_MAX) {
			pthread_cond_wait(&a->timer, &a->lock);
		} else {
			struct timespec ts = {.tv_sec = (time_t)(next / 1000000000ull),
					      .tv_nsec = (long)(next % 1000000000ull)};

			pthread_cond_timedwait(&a->timer, &a->lock, &ts);
		}
	}
	pthread_mutex_unlock(&a->lock);
	return NULL;
}

void
jitsim_adapter_complete(struct jitsim_adapter_call *c, int status, const char *msg)
{
	struct jitsim_adapter *a = c->a;
	bool reported;

	pthread_mutex_lock(&a->lock);
	adapter_unlink(c);
	reported = c->reported;
	c->reported = true;
	if (reported)
		a->st.late++;
	else if (status == 0)
		a->st.ok++;
	else
		a->st.failed++;
	pthread_mutex_unlock(&a->lock);

	if (!reported)
		c->done(&c->order, c->op, status, msg ? msg : (status ? "failed" : "ok"), c->arg);

	/* The slot is given back after the callback (of the last order of
	 * a batch), so that free() never returns while a callback still
	 * runs. */
	pthread_mutex_lock(&a->lock);
	if (c->slot_left == NULL || --*c->slot_left == 0) {
		free(c->slot_left);
		a->n_inflight--;
		pthread_cond_signal(&a->work);
		if (a->n_inflight == 0)
			pthread_cond_broadcast(&a->idle);
	}
	pthread_mutex_unlock(&a->lock);
	free(c);
}

const struct jitsim_prov_order *
jitsim_adapter_call_order(const struct jitsim_adapter_call *c)
{
	return &c->order;
}

enum jitsim_prov_op
jitsim_adapter_call_op(const struct jitsim_adapter_call *c)
{
	return c->op;
}

uint64_t
jitsim_adapter_call_deadline_ns(const struct jitsim_adapter_call *c)
{
	return c->deadline_ns;
}

/* ---- lifecycle ---- */

static void
adapter_stop_threads(struct jitsim_adapter *a, unsigned int n_pool)
{
	pthread_mutex_lock(&a->lock);
	a->stop = true;
	pthread_cond_broadcast(&a->work);
	pthread_cond_broadcast(&a->timer);
	pthread_mutex_unlock(&a->lock);
	for (unsigned int i = 0; i < n_pool; i++)
		pthread_join(a->pool[i], NULL);
	if (a->timer_started)
		pthread_join(a->timer_thr, NULL);
}

static void
adapter_destroy(struct jitsim_adapter *a)
{
	if (a->ops->destroy != NULL)
		a->ops->destroy(a->ctx);
	pthread_cond_destroy(&a->idle);
	pthread_cond_destroy(&a->timer);
	pthread_cond_destroy(&a->work);
	pthread_mutex_destroy(&a->lock);
	free(a);
}

struct jitsim_adapter *
jitsim_adapter_new(const struct jitsim_adapter_ops *ops, void *ctx,
		   const struct jitsim_adapter_cfg *cfg, char *err, size_t errlen)
{
	struct jitsim_adapter_cfg c = {.max_inflight = 8, .queue_max = 4096, .timeout_ms = 10000};
	struct jitsim_adapter *a;
	pthread_condattr_t ca;
	unsigned int i;

	if (cfg != NULL) {
		if (cfg->max_inflight != 0)
			c.max_inflight = cfg->max_inflight;
		if (cfg->queue_max != 0)
			c.queue_max = cfg->queue_max;
		if (cfg->timeout_ms != 0)
			c.timeout_ms = cfg->timeout_ms;
	}
	if (ops->start_many != NULL &&
	    (ops->batch_max < 2 || ops->batch_max > JITSIM_ADAPTER_BATCH_MAX)) {
		jitsim_errmsg(err, errlen, "adapter %s: batch_max %u is not in 2..%u", ops->name,
			      ops->batch_max, JITSIM_ADAPTER_BATCH_MAX);
		if (ops->destroy)
			ops->destroy(ctx);
		return NULL;
	}
	if (c.max_inflight > ADAPTER_INFLIGHT_MAX) {
		jitsim_errmsg(err, errlen, "adapter %s: max_inflight %u is over %u", ops->name,
			      c.max_inflight, ADAPTER_INFLIGHT_MAX);
		if (ops->destroy)
			ops->destroy(ctx);
		return NULL;
	}
	a = calloc(1, sizeof(*a) + c.max_inflight * sizeof(a->pool[0]));
	if (a == NULL) {
		jitsim_errmsg(err, errlen, "adapter %s: out of memory", ops->name);
		if (ops->destroy)
			ops->destroy(ctx);
		return NULL;
	}
	a->ops = ops;
	a->ctx = ctx;
	a->cfg = c;
	pthread_mutex_init(&a->lock, NULL);
	pthread_condattr_init(&ca);
	pthread_condattr_setclock(&ca, CLOCK_MONOTONIC);
	pthread_cond_init(&a->timer, &ca);
	pthread_condattr_destroy(&ca);
	pthread_cond_init(&a->work, NULL);
	pthread_cond_init(&a->idle, NULL);
	for (i = 0; i < c.max_inflight; i++)
		if (pthread_create(&a->pool[i], NULL, adapter_pool_main, a) != 0)
			break;
	if (i == c.max_inflight && pthread_create(&a->timer_thr, NULL, adapter_timer_main, a) == 0)
		a->timer_started = true;
	if (!a->timer_started) {
		jitsim_errmsg(err, errlen, "adapter %s: cannot start its threads", ops->name);
		adapter_stop_threads(a, i);
		adapter_destroy(a);
		return NULL;
	}
	a->n_pool = i;
	return a;
}

void
jitsim_adapter_free(struct jitsim_adapter *a)
{
	struct jitsim_adapter_call *c;

	if (a == NULL)
		return;
	adapter_stop_threads(a, a->n_pool);
	pthread_mutex_lock(&a->lock);
	while ((c = a->queue.head) != NULL) {
		adapter_unlink(c);
		a->n_queued--;
		pthread_mutex_unlock(&a->lock);
		c->done(&c->order, c->op, -ECANCELED, "adapter stopped", c->arg);
		free(c);
		pthread_mutex_lock(&a->lock);
	}
	while (a->n_inflight > 0)
		pthread_cond_wait(&a->idle, &a->lock);
	pthread_mutex_unlock(&a->lock);
	adapter_destroy(a);
}

int
jitsim_adapter_submit(struct jitsim_adapter *a, enum jitsim_prov_op op,
		      const struct jitsim_prov_order *o, jitsim_prov_done_fn done, void *arg,
		      char *err, size_t errlen)
{
	struct jitsim_adapter_call *c;
	int rc;

	if (op < JITSIM_PROV_PROVISION || op >= JITSIM_PROV_OP_MAX || done == NULL) {
		jitsim_errmsg(err, errlen, "adapter %s: bad operation or no callback",
			      a->ops->name);
		return -EINVAL;
	}
	rc = jitsim_prov_order_check(o, err, errlen);
	if (rc)
		return rc;
	c = calloc(1, sizeof(*c));
	if (c == NULL) {
		jitsim_errmsg(err, errlen, "adapter %s: out of memory", a->ops->name);
		return -ENOMEM;
	}
	c->a = a;
	c->op = op;
	c->order = *o;
	c->done = done;
	c->arg = arg;

	pthread_mutex_lock(&a->lock);
	/* Under the lock: the queue stays sorted by deadline. */
	c->deadline_ns = adapter_now_ns() + (uint64_t)a->cfg.timeout_ms * 1000000ull;
	if (a->stop) {
		rc = -ESHUTDOWN;
		jitsim_errmsg(err, errlen, "adapter %s: stopping", a->ops->name);
	} else if (a->n_queued >= a->cfg.queue_max) {
		rc = -EAGAIN;
		jitsim_errmsg(err, errlen, "adapter %s: %u orders queued already", a->ops->name,
			      a->n_queued);
	} else {
		adapter_link(&a->queue, c);
		a->n_queued++;
		a->st.submitted++;
		pthread_cond_signal(&a->work);
		if (a->queue.head == c)
			pthread_cond_signal(&a->timer);
	}
	pthread_mutex_unlock(&a->lock);
	if (rc)
		free(c);
	return rc;
}

int
jitsim_adapter_health(struct jitsim_adapter *a, char *msg, size_t msglen)
{
	if (a->ops->health == NULL) {
		jitsim_errmsg(msg, msglen, "adapter %s: ok", a->ops->name);
		return 0;
	}
	return a->ops->health(a->ctx, msg, msglen);
}

void
jitsim_adapter_stats(struct jitsim_adapter *a, struct jitsim_adapter_stats *st)
{
	pthread_mutex_lock(&a->lock);
	*st = a->st;
	st->queued = a->n_queued;
	st->inflight = a->n_inflight;
	pthread_mutex_unlock(&a->lock);
}
