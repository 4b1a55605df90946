/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Sleeping SIMs (docs/workflow.md "Sleeping SIMs"): an ACTIVE SIM idle
 * for longer than its tariff's threshold is deprovisioned from its HLR and
 * becomes SLEEPING; its next attach (REATTACH) or MT contact (WAKEUP_MT)
 * reactivates it through the normal activation path (flow.c).
 *
 * Last activity: ACTIVITY events (once per SIM per dataplane epoch) are
 * logged in memory and written into the SIM records' last_activity field
 * (record.h) in one WriteBatch every flush interval or every
 * SLEEP_FLUSH_MAX events, not one sync per event. A crash loses at most
 * one interval of activity, which can only put a SIM to sleep early if
 * its threshold is shorter than that interval plus the dataplane's epoch
 * (keep thresholds at days in production); a sleeping SIM wakes at its
 * next attach anyway. The record already has the field (record.h, since
 * version 1): no new record version is needed, and writing it costs one
 * record rewrite per SIM per flush, none per event.
 *
 * Sweep: walks the `sim` column family from a cursor, a bounded slice per
 * loop turn (the event path never waits for it); an ACTIVE SIM without a
 * live job whose max(activated, last_activity) is older than its
 * threshold gets a sleep job (job.h, JITSIM_JOB_F_SLEEP), journaled
 * before anything is ordered, at most `rate` per second and at most
 * `inflight` live at once, so an HLR never sees more than that. The job
 * orders JITSIM_PROV_DEPROVISION from the SIM's HLR (the adapter of its
 * latest job's HLR) and, on success, commits SLEEPING (+ the MSISDN
 * released to quarantine when the job says so) and its audit line in one
 * batch, then PUTs the record to the dataplane: the same steps, retries
 * and restart rules as an activation (flow.c does them). A sweep runs
 * every `interval` and on jitsim_cp_sleep_sweep_start().
 *
 * Threads: everything on the workflow thread, except
 * jitsim_cp_sleep_stats() (any thread, relaxed atomics) and
 * jitsim_cp_sleep_dry_run() (any thread: store reads only).
 */

#ifndef JITSIM_CP_SLEEP_H
#define JITSIM_CP_SLEEP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitsim_cp_flow;
struct jitsim_rec;
struct jitsim_store;

#define JITSIM_CP_SLEEP_TARIFF_MAX 64

struct jitsim_cp_sleep_cfg {
	uint32_t idle_s;     /* threshold of tariffs not listed; 0: they never sleep */
	bool release;	     /* the MSISDN goes to quarantine when the SIM sleeps */
	uint32_t interval_s; /* periodic sweep; 0: only on command */
	uint32_t rate;	     /* sleep jobs started per second, at most */
	uint32_t inflight;   /* sleep jobs live at once, at most */
	uint32_t flush_s;    /* last activity written to the store at least this often */
	unsigned int n_tariff;
	struct {
		uint16_t tariff;
		uint32_t idle_s; /* 0: this tariff never sleeps */
	} tariff[JITSIM_CP_SLEEP_TARIFF_MAX];
};

/* Defaults: idle 0 (off), keep numbers, interval 3600 s, rate 50/s,
 * inflight 64, flush 5 s. */
void jitsim_cp_sleep_cfg_init(struct jitsim_cp_sleep_cfg *c);
/* One key of the [sleep] section (docs/jitsim-cp.md). 0 or -EINVAL with
 * "[sleep] key: why" in @err. */
int jitsim_cp_sleep_cfg_set(struct jitsim_cp_sleep_cfg *c, const char *key, const char *val,
			    char *err, size_t errlen);
/* The threshold of @tariff (0: never sleeps). */
uint32_t jitsim_cp_sleep_idle_of(const struct jitsim_cp_sleep_cfg *c, uint16_t tariff);
/* When @r (ACTIVE) last showed life: max(activated, last_activity). */
uint64_t jitsim_cp_sleep_last_seen(const struct jitsim_rec *r);

struct jitsim_cp_sleep_stats {
	uint64_t activity;	       /* ACTIVITY events logged */
	uint64_t activity_pending;     /* logged, not yet written */
	uint64_t activity_written;     /* records whose last_activity was written */
	uint64_t activity_dropped;     /* SIM not ACTIVE, or with a live job, at the write */
	uint64_t flush_errors;	       /* failed commits (the entries are kept) */
	uint64_t sweeps;	       /* sweeps finished */
	uint64_t running;	       /* 1 while a sweep walks the store */
	uint64_t scanned;	       /* records looked at by the current/last sweep */
	uint64_t picked;	       /* sleep jobs started by the current/last sweep */
	uint64_t started;	       /* sleep jobs started since the start */
	uint64_t live;		       /* sleep jobs live now */
	uint64_t no_hlr;	       /* idle SIMs skipped: no job names their HLR */
	uint64_t last_start, last_end; /* Unix seconds of the last sweep, 0 none */
};

struct jitsim_cp_sleep;

/* NULL on allocation failure. @cfg is copied. */
struct jitsim_cp_sleep *jitsim_cp_sleep_new(const struct jitsim_cp_sleep_cfg *cfg,
					    struct jitsim_cp_flow *f, struct jitsim_store *s);
void jitsim_cp_sleep_free(struct jitsim_cp_sleep *z);
const struct jitsim_cp_sleep_cfg *jitsim_cp_sleep_cfg(const struct jitsim_cp_sleep *z);

/* An ACTIVITY event of @imsi seen at @ts_s (Unix s; 0 or later than now:
 * now). Called by the flow's event path. */
void jitsim_cp_sleep_activity(struct jitsim_cp_sleep *z, uint64_t imsi, uint32_t ts_s);

/* One loop turn: the activity write when due, the periodic sweep's start,
 * a slice of the running sweep. @now_ns CLOCK_MONOTONIC. Returns the
 * number of things done (0: idle). */
unsigned int jitsim_cp_sleep_turn(struct jitsim_cp_sleep *z, uint64_t now_ns);

/* Start a sweep now. -EALREADY when one runs (it goes on), -ENODATA when
 * no tariff has a threshold. */
int jitsim_cp_sleep_sweep_start(struct jitsim_cp_sleep *z);
/* Write every logged activity now (before a dry run reads the store).
 * 0 or -EIO. */
int jitsim_cp_sleep_flush(struct jitsim_cp_sleep *z);

/* The SIMs a sweep would put to sleep now (ignoring live jobs, which the
 * sweep skips): @fn for each of them (stops at a nonzero return, which is
 * returned), counts in *@scanned. Any thread (reads the store). 0, the
 * return of @fn, or -EIO/-ENOMEM with @err. */
int jitsim_cp_sleep_dry_run(struct jitsim_store *s, const struct jitsim_cp_sleep_cfg *cfg,
			    uint32_t now,
			    int (*fn)(const struct jitsim_rec *r, uint64_t idle_s, void *arg),
			    void *arg, uint64_t *scanned, char *err, size_t errlen);

void jitsim_cp_sleep_stats(const struct jitsim_cp_sleep *z, struct jitsim_cp_sleep_stats *st);

#endif /* JITSIM_CP_SLEEP_H */
