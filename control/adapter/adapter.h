/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Provisioning adapters of jitsim-cp (docs/adapters.md).
 *
 * An adapter is a backend (struct jitsim_adapter_ops: outbox, later
 * osmo-hlr and HTTP) wrapped by a runner that gives every backend the
 * same guarantees:
 *   - bounded concurrency: at most max_inflight orders (or batches, see
 *     start_many) are inside the backend at any time (from the op call
 *     until the backend reports completion, even after the caller was
 *     told -ETIMEDOUT);
 *   - bounded queue: submit returns -EAGAIN when queue_max orders wait;
 *   - timeouts: an order not completed timeout_ms after submit completes
 *     with -ETIMEDOUT, whether it was still queued (it is then never
 *     given to the backend) or inside the backend (whose late answer is
 *     then dropped);
 *   - exactly one completion callback per accepted order.
 *
 * Runner: a pool of max_inflight threads, each taking the next order and
 * calling the backend, plus one timer thread for the deadlines. A
 * backend that gains from batching (one write and one sync for many
 * orders: outbox) sets start_many and batch_max: a pool thread then takes
 * up to batch_max queued orders into one call, and the in-flight bound
 * counts such calls (slots), each holding its slot until the last of its
 * orders completes. A
 * backend may complete inside the op (synchronous: outbox) or later from
 * any thread (asynchronous: an event loop of its own) by calling
 * jitsim_adapter_complete(); the pool thread is free again as soon as
 * the op returns, but the order keeps its in-flight slot until it
 * completes.
 *
 * Idempotency: orders carry the job id; the workflow resubmits the same
 * order after a crash or a timeout, and every backend must accept the
 * same order twice (the outbox writes it twice; its consumer keeps the
 * first line of each job id and op).
 *
 * Secrets: an order never holds key material. The SIM's keys are named
 * by a handle (the IMSI key of the record whose sealed secrets a backend
 * that needs them opens itself with the store's KEK, at the moment it
 * sends them); nothing here logs or writes them.
 *
 * Thread-safety: submit, health and stats from any thread. Callbacks run
 * on a pool thread, the timer thread or a backend thread, never under an
 * adapter lock: they may submit, but must not block for long nor call
 * jitsim_adapter_free().
 */

#ifndef JITSIM_ADAPTER_H
#define JITSIM_ADAPTER_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JITSIM_PROV_IMSI_MAX 15
#define JITSIM_PROV_MSISDN_MAX 15
#define JITSIM_PROV_ICCID_MAX 22
#define JITSIM_PROV_NAME_MAX 32 /* hlr, tariff: [A-Za-z0-9._-] */
#define JITSIM_PROV_EVENT_MAX 15

enum jitsim_prov_op {
	JITSIM_PROV_PROVISION = 1,
	JITSIM_PROV_DEPROVISION = 2,
	JITSIM_PROV_UPDATE = 3,
	JITSIM_PROV_OP_MAX
};

/* Flow of the subscriber (enum jitsim_rules_flow, rules.h). */
#define JITSIM_PROV_FLOW_VOICE 1
#define JITSIM_PROV_FLOW_DATA_ONLY 2

/* Reference to sealed secrets: never the keys themselves. */
struct jitsim_prov_secret_ref {
	uint64_t imsi_key; /* compact key of the `sim` record holding them, 0: none */
	uint8_t mask;	   /* JITSIM_REC_S_* the backend may open */
};

struct jitsim_prov_order {
	uint64_t job;				 /* journal job id, != 0: the idempotency key */
	char imsi[JITSIM_PROV_IMSI_MAX + 1];	 /* 5..15 digits */
	char msisdn[JITSIM_PROV_MSISDN_MAX + 1]; /* digits, "" none (data only) */
	char iccid[JITSIM_PROV_ICCID_MAX + 1];	 /* digits, "" unknown */
	uint16_t region;
	char hlr[JITSIM_PROV_NAME_MAX + 1];    /* hlr name (rules.h) */
	char tariff[JITSIM_PROV_NAME_MAX + 1]; /* tariff/profile name, "" none */
	uint8_t flow;			       /* JITSIM_PROV_FLOW_*, 0 unspecified */
	struct jitsim_prov_secret_ref secret;
	/* A notification rather than an order (billing/CRM: "activated",
	 * "slept", "woken"), sent as an update; "" for orders. [a-z] only. */
	char event[JITSIM_PROV_EVENT_MAX + 1];
};

/*
 * Completion: @status 0 or negative errno (-ETIMEDOUT, -ECANCELED at
 * free, or the backend's); @msg a short reason for logs (never NULL,
 * never a secret). @o is valid only during the call.
 */
typedef void (*jitsim_prov_done_fn)(const struct jitsim_prov_order *o, enum jitsim_prov_op op,
				    int status, const char *msg, void *arg);

/* One order inside a backend; completed with jitsim_adapter_complete(). */
struct jitsim_adapter_call;

/*
 * A backend. provision/deprovision/update start the order: return 0 and
 * complete @c once (now or later, any thread), or return a negative errno
 * without completing (the runner completes with it). health: 0 or a
 * negative errno with a reason in @msg; called from the caller's thread,
 * must be quick. destroy: after the last order completed.
 */
struct jitsim_adapter_ops {
	const char *name;
	int (*provision)(void *ctx, const struct jitsim_prov_order *o,
			 struct jitsim_adapter_call *c);
	int (*deprovision)(void *ctx, const struct jitsim_prov_order *o,
			   struct jitsim_adapter_call *c);
	int (*update)(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c);
	int (*health)(void *ctx, char *msg, size_t msglen);
	void (*destroy)(void *ctx);
	/* Optional: start @n (2..batch_max) orders in one call, each of any
	 * op (jitsim_adapter_call_op/_order); each is completed exactly once
	 * as above, or the call returns a negative errno having completed
	 * none (the runner completes them all with it). NULL: one order per
	 * call through the ops above. */
	int (*start_many)(void *ctx, struct jitsim_adapter_call *const *c, unsigned int n);
	unsigned int batch_max; /* 2..JITSIM_ADAPTER_BATCH_MAX with start_many */
};

#define JITSIM_ADAPTER_BATCH_MAX 256

struct jitsim_adapter_cfg {
	unsigned int max_inflight; /* 1..256, default 8 */
	unsigned int queue_max;	   /* waiting orders, default 4096 */
	unsigned int timeout_ms;   /* from submit, default 10000 */
};

struct jitsim_adapter_stats {
	uint64_t submitted, ok, failed, timed_out, late; /* late: answers after a timeout */
	/* inflight, max_inflight_seen: slots (an order, or a start_many batch) */
	unsigned int queued, inflight, max_inflight_seen;
};

struct jitsim_adapter;

/*
 * Start a runner over @ops/@ctx (the adapter owns @ctx from now on: on
 * failure, too, ops->destroy is called). @cfg NULL: defaults. NULL on
 * failure with a message in @err.
 */
struct jitsim_adapter *jitsim_adapter_new(const struct jitsim_adapter_ops *ops, void *ctx,
					  const struct jitsim_adapter_cfg *cfg, char *err,
					  size_t errlen);

/*
 * Stop: queued orders complete with -ECANCELED, the pool waits for the
 * orders inside the backend to complete (a backend bounds its own calls),
 * then ops->destroy.
 */
void jitsim_adapter_free(struct jitsim_adapter *a);

/*
 * Queue @o (copied) for @op. 0: @done will be called exactly once.
 * -EINVAL invalid order (the field named in @err), -EAGAIN queue full,
 * -ESHUTDOWN the adapter is stopping, -ENOMEM. On error @done is not
 * called.
 */
int jitsim_adapter_submit(struct jitsim_adapter *a, enum jitsim_prov_op op,
			  const struct jitsim_prov_order *o, jitsim_prov_done_fn done, void *arg,
			  char *err, size_t errlen);

/* Validate an order (what submit checks). 0 or -EINVAL naming the field. */
int jitsim_prov_order_check(const struct jitsim_prov_order *o, char *err, size_t errlen);

/* The backend's health. */
int jitsim_adapter_health(struct jitsim_adapter *a, char *msg, size_t msglen);

void jitsim_adapter_stats(struct jitsim_adapter *a, struct jitsim_adapter_stats *st);

/* Backend side: report the end of @c (exactly once per started call);
 * @msg may be NULL. @c is freed here or soon after. */
void jitsim_adapter_complete(struct jitsim_adapter_call *c, int status, const char *msg);

/* The order and operation of @c (for start_many); valid until @c is
 * completed. */
const struct jitsim_prov_order *jitsim_adapter_call_order(const struct jitsim_adapter_call *c);
enum jitsim_prov_op jitsim_adapter_call_op(const struct jitsim_adapter_call *c);

/* Deadline of @c (CLOCK_MONOTONIC ns): a backend bounds its I/O by it. */
uint64_t jitsim_adapter_call_deadline_ns(const struct jitsim_adapter_call *c);

/* "provision", "deprovision", "update"; "invalid" out of range. */
const char *jitsim_prov_op_name(unsigned int op);

#endif /* JITSIM_ADAPTER_H */
