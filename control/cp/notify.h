/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Notifications to billing/CRM (docs/jitsim-cp.md, [notify]): when a SIM
 * is activated, falls asleep or wakes up, jitsim-cp POSTs one JSON object
 * to a configured URL through the HTTP adapter (http.h), with
 * "event":"activated"|"slept"|"woken" in place of "op", and the
 * Idempotency-Key jitsim-<job>-<event>.
 *
 * Delivery: after the change is committed; a transient failure (timeout,
 * refused, 5xx) is retried with backoff (1 s doubling, up to `retries`
 * times; at most 100,000 held for retry at once), a permanent one (4xx)
 * is given up; both counted, the log rate-limited. Notifications are
 * not journaled: one pending when jitsim-cp is killed is lost (the audit
 * log and the outbox hold the authoritative record); the counters in
 * `status` say how many were given up.
 *
 * Threads: jitsim_cp_notify_job() and _poll() on the workflow thread;
 * completions arrive on adapter threads (queued under a mutex); _stats()
 * from any thread.
 */

#ifndef JITSIM_CP_NOTIFY_H
#define JITSIM_CP_NOTIFY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitsim_job;

struct jitsim_cp_notify_opts {
	const char *url;
	const char *token_file, *ca_file, *client_cert, *client_key; /* NULL: none */
	bool insecure;
	unsigned int inflight;	 /* concurrent POSTs, 0: 4 */
	unsigned int timeout_ms; /* per POST, 0: 10000 */
	unsigned int retries;	 /* after the first attempt, 0: none */
};

struct jitsim_cp_notify_stats {
	uint64_t sent, ok, retried, failed; /* failed: given up */
};

struct jitsim_cp_notify;

/* NULL with @err (a bad URL, a token file of the wrong mode, ...). */
struct jitsim_cp_notify *jitsim_cp_notify_new(const struct jitsim_cp_notify_opts *o, char *err,
					      size_t errlen);
/* Stops the adapter (pending POSTs are cancelled) and frees. */
void jitsim_cp_notify_free(struct jitsim_cp_notify *n);

/* Notify @event ("activated", "slept", "woken") for the SIM of @j. */
void jitsim_cp_notify_job(struct jitsim_cp_notify *n, const char *event,
			  const struct jitsim_job *j);

/* Resubmit the retries that are due; @now_ns CLOCK_MONOTONIC. Returns how
 * many. */
unsigned int jitsim_cp_notify_poll(struct jitsim_cp_notify *n, uint64_t now_ns);

void jitsim_cp_notify_stats(struct jitsim_cp_notify *n, struct jitsim_cp_notify_stats *st);

#endif /* JITSIM_CP_NOTIFY_H */
