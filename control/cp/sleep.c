/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "flow.h"
#include "flow_int.h"
#include "job.h"
#include "pool.h"
#include "record.h"
#include "sleep.h"
#include "store.h"

/* Activity entries written per commit (one sync), and the most a turn
 * writes: one commit per turn at most, so the event path waits for at
 * most one extra sync. */
#define SLEEP_FLUSH_MAX 4096
/* The activity log never holds more: when full, it is written at once
 * (16 bytes an entry: 16 MiB). ACTIVITY comes once per SIM per epoch, so
 * this is a million SIMs seen within one flush interval. */
#define SLEEP_LOG_MAX (1u << 20)
/* Records a sweep slice reads per loop turn: a few milliseconds of
 * RocksDB reads, so the event path is not held up by a sweep of
 * millions of SIMs. */
#define SLEEP_SCAN_MAX 2048
/* Sleep jobs staged into one commit at most. */
#define SLEEP_PICK_MAX 256

struct sleep_act {
	uint64_t imsi;
	uint32_t ts;
};

struct jitsim_cp_sleep {
	struct jitsim_cp_sleep_cfg cfg;
	struct jitsim_cp_flow *f;
	struct jitsim_store *s;
	struct jitsim_store_batch *b; /* the activity writes */
	struct sleep_act *log;
	size_t n_log, cap_log;
	uint64_t log_since_ns; /* when the oldest entry of the log came */
	/* The sweep. */
	bool running;
	bool cursor_set;
	uint64_t cursor; /* IMSI key of the last record looked at */
	uint64_t next_sweep_ns;
	double tokens;
	uint64_t tokens_ns;
	struct jitsim_cp_sleep_stats st;
};

#define SL_ADD(z, field, n) __atomic_fetch_add(&(z)->st.field, (n), __ATOMIC_RELAXED)
#define SL_SET(z, field, v) __atomic_store_n(&(z)->st.field, (v), __ATOMIC_RELAXED)

static uint64_t
sleep_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --- configuration --- */

void
jitsim_cp_sleep_cfg_init(struct jitsim_cp_sleep_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->interval_s = 3600;
	c->rate = 50;
	c->inflight = 64;
	c->flush_s = 5;
}

/* "N", "Ns", "Nm", "Nh", "Nd" -> seconds in [lo, hi]. */
static int
sleep_parse_duration(const char *v, uint32_t lo, uint32_t hi, uint32_t *out)
{
	unsigned long long x, mul = 1;
	char *end;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0)
		return -EINVAL;
	if (*end != '\0') {
		if (end[1] != '\0')
			return -EINVAL;
		switch (*end) {
		case 's':
			mul = 1;
			break;
		case 'm':
			mul = 60;
			break;
		case 'h':
			mul = 3600;
			break;
		case 'd':
			mul = 86400;
			break;
		default:
			return -EINVAL;
		}
	}
	if (x > hi || x * mul > hi || x * mul < lo)
		return -EINVAL;
	*out = (uint32_t)(x * mul);
	return 0;
}

static int __attribute__((format(printf, 3, 4)))
sleep_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

/* Longest threshold: ten years, so that now - threshold never wraps. */
#define SLEEP_IDLE_MAX (3650u * 86400u)

int
jitsim_cp_sleep_cfg_set(struct jitsim_cp_sleep_cfg *c, const char *k, const char *v, char *err,
			size_t el)
{
	uint32_t x = 0;

	if (strcmp(k, "idle") == 0) {
		if (sleep_parse_duration(v, 0, SLEEP_IDLE_MAX, &c->idle_s) != 0)
			return sleep_errf(err, el,
					  "[sleep] idle: '%s' is not a duration (N, Ns, Nm, Nh, "
					  "Nd) up to 3650d; 0: never",
					  v);
		return 0;
	}
	if (strncmp(k, "idle.", 5) == 0) {
		const char *t = k + 5;
		char *end;
		unsigned long tariff;
		unsigned int i;

		errno = 0;
		tariff = strtoul(t, &end, 10);
		if (*t < '0' || *t > '9' || *end != '\0' || errno != 0 || tariff > UINT16_MAX)
			return sleep_errf(err, el,
					  "[sleep] %s: the tariff after 'idle.' must be "
					  "0..65535",
					  k);
		if (sleep_parse_duration(v, 0, SLEEP_IDLE_MAX, &x) != 0)
			return sleep_errf(err, el,
					  "[sleep] %s: '%s' is not a duration (N, Ns, Nm, Nh, Nd) "
					  "up to 3650d; 0: never",
					  k, v);
		for (i = 0; i < c->n_tariff; i++)
			if (c->tariff[i].tariff == tariff)
				break;
		if (i == c->n_tariff) {
			if (c->n_tariff == JITSIM_CP_SLEEP_TARIFF_MAX)
				return sleep_errf(err, el, "[sleep] %s: more than %u tariffs", k,
						  JITSIM_CP_SLEEP_TARIFF_MAX);
			c->n_tariff++;
		}
		c->tariff[i].tariff = (uint16_t)tariff;
		c->tariff[i].idle_s = x;
		return 0;
	}
	if (strcmp(k, "release") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return sleep_errf(err, el, "[sleep] release: yes or no, not '%s'", v);
		c->release = strcmp(v, "yes") == 0;
		return 0;
	}
	if (strcmp(k, "interval") == 0) {
		if (sleep_parse_duration(v, 0, 30u * 86400u, &c->interval_s) != 0)
			return sleep_errf(err, el,
					  "[sleep] interval: '%s' is not a duration up to 30d; 0: "
					  "only on command",
					  v);
		return 0;
	}
	if (strcmp(k, "flush") == 0) {
		if (sleep_parse_duration(v, 1, 3600, &c->flush_s) != 0)
			return sleep_errf(err, el,
					  "[sleep] flush: '%s' is not a duration of 1s..1h", v);
		return 0;
	}
	if (strcmp(k, "rate") == 0 || strcmp(k, "inflight") == 0) {
		char *end;
		unsigned long n;

		errno = 0;
		n = strtoul(v, &end, 10);
		if (*v < '0' || *v > '9' || *end != '\0' || errno != 0 || n < 1 || n > 100000)
			return sleep_errf(err, el, "[sleep] %s: '%s' is not a number in 1..100000",
					  k, v);
		if (k[0] == 'r')
			c->rate = (uint32_t)n;
		else
			c->inflight = (uint32_t)n;
		return 0;
	}
	return sleep_errf(err, el, "unknown key '%s' in section [sleep]", k);
}

uint32_t
jitsim_cp_sleep_idle_of(const struct jitsim_cp_sleep_cfg *c, uint16_t tariff)
{
	for (unsigned int i = 0; i < c->n_tariff; i++)
		if (c->tariff[i].tariff == tariff)
			return c->tariff[i].idle_s;
	return c->idle_s;
}

uint64_t
jitsim_cp_sleep_last_seen(const struct jitsim_rec *r)
{
	return r->last_activity > r->activated ? r->last_activity : r->activated;
}

static bool
sleep_any_idle(const struct jitsim_cp_sleep_cfg *c)
{
	if (c->idle_s != 0)
		return true;
	for (unsigned int i = 0; i < c->n_tariff; i++)
		if (c->tariff[i].idle_s != 0)
			return true;
	return false;
}

/* @r should sleep at @now: its threshold, 0 otherwise. */
static uint32_t
sleep_due(const struct jitsim_cp_sleep_cfg *c, const struct jitsim_rec *r, uint32_t now)
{
	uint32_t idle;

	if (r->state != JITSIM_SIM_ACTIVE)
		return 0;
	idle = jitsim_cp_sleep_idle_of(c, r->tariff);
	/* A last activity in the future (a clock step back) is not idle. */
	if (idle == 0 || jitsim_cp_sleep_last_seen(r) + idle > now)
		return 0;
	return idle;
}

/* --- life --- */

struct jitsim_cp_sleep *
jitsim_cp_sleep_new(const struct jitsim_cp_sleep_cfg *cfg, struct jitsim_cp_flow *f,
		    struct jitsim_store *s)
{
	struct jitsim_cp_sleep *z = calloc(1, sizeof(*z));

	if (z == NULL)
		return NULL;
	z->cfg = *cfg;
	z->f = f;
	z->s = s;
	z->b = jitsim_store_batch_new(s);
	if (z->b == NULL) {
		free(z);
		return NULL;
	}
	return z;
}

void
jitsim_cp_sleep_free(struct jitsim_cp_sleep *z)
{
	if (z == NULL)
		return;
	jitsim_store_batch_free(z->b);
	free(z->log);
	free(z);
}

const struct jitsim_cp_sleep_cfg *
jitsim_cp_sleep_cfg(const struct jitsim_cp_sleep *z)
{
	return &z->cfg;
}

void
jitsim_cp_sleep_stats(const struct jitsim_cp_sleep *z, struct jitsim_cp_sleep_stats *st)
{
	const uint64_t *src = (const uint64_t *)&z->st;
	uint64_t *dst = (uint64_t *)st;

	_Static_assert(sizeof(*st) % sizeof(uint64_t) == 0, "stats of u64 only");
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

/* --- last activity --- */

/* Write up to SLEEP_FLUSH_MAX of the oldest log entries in one commit.
 * 0 or -EIO (the entries stay for the next try). */
static int
sleep_flush_some(struct jitsim_cp_sleep *z)
{
	const size_t n = z->n_log < SLEEP_FLUSH_MAX ? z->n_log : SLEEP_FLUSH_MAX;
	size_t written = 0, dropped = 0;
	struct jitsim_rec r;
	char err[256];
	int rc;

	if (n == 0)
		return 0;
	jitsim_store_batch_clear(z->b);
	for (size_t i = 0; i < n; i++) {
		const struct sleep_act *a = &z->log[i];

		/* A live job rewrites the record from its own copy; its SIM
		 * is attaching or falling asleep, either way no longer idle
		 * by this entry's measure (activated, or SLEEPING). */
		if (flow_find(z->f, a->imsi) != NULL ||
		    jitsim_store_sim_get(z->s, a->imsi, &r, err, sizeof(err)) != 0) {
			dropped++;
			continue;
		}
		if (r.state != JITSIM_SIM_ACTIVE) {
			/* The dataplane saw it ACTIVE: its table is behind the
			 * store (a lost PUT of a sleep): send the record. */
			flow_dp_put(z->f, &r);
			dropped++;
			continue;
		}
		if (a->ts <= r.last_activity)
			continue;
		r.last_activity = a->ts;
		if (jitsim_store_batch_put_sim(z->b, &r) != 0) {
			dropped++;
			continue;
		}
		written++;
	}
	if (jitsim_store_batch_count(z->b) > 0) {
		rc = jitsim_store_commit(z->b, err, sizeof(err));
		jitsim_store_batch_clear(z->b);
		if (rc != 0) {
			SL_ADD(z, flush_errors, 1);
			flow_log(
				"last activity of %zu SIMs not written (kept for the next try): %s",
				n, err);
			return rc;
		}
	}
	memmove(z->log, z->log + n, (z->n_log - n) * sizeof(*z->log));
	z->n_log -= n;
	z->log_since_ns = z->n_log > 0 ? sleep_mono_ns() : 0;
	SL_SET(z, activity_pending, z->n_log);
	SL_ADD(z, activity_written, written);
	SL_ADD(z, activity_dropped, dropped);
	return 0;
}

int
jitsim_cp_sleep_flush(struct jitsim_cp_sleep *z)
{
	while (z->n_log > 0)
		if (sleep_flush_some(z) != 0)
			return -EIO;
	return 0;
}

void
jitsim_cp_sleep_activity(struct jitsim_cp_sleep *z, uint64_t imsi, uint32_t ts_s)
{
	const uint32_t now = flow_now_s();

	SL_ADD(z, activity, 1);
	/* The dataplane's clock, or a damaged event: never later than ours,
	 * which would keep a SIM awake for ever. */
	if (ts_s == 0 || ts_s > now)
		ts_s = now;
	if (z->n_log == z->cap_log) {
		size_t cap = z->cap_log == 0 ? 1024 : z->cap_log * 2;
		struct sleep_act *p = NULL;

		if (cap <= SLEEP_LOG_MAX)
			p = realloc(z->log, cap * sizeof(*p));
		if (p != NULL) {
			z->log = p;
			z->cap_log = cap;
		} else if (sleep_flush_some(z) != 0 || z->n_log == z->cap_log) {
			/* Neither room nor a store to write to: this activity is
			 * lost, which only makes the SIM look idle longer; its
			 * next epoch brings another. */
			SL_ADD(z, activity_dropped, 1);
			return;
		}
	}
	if (z->n_log == 0)
		z->log_since_ns = sleep_mono_ns();
	z->log[z->n_log].imsi = imsi;
	z->log[z->n_log].ts = ts_s;
	z->n_log++;
	SL_SET(z, activity_pending, z->n_log);
}

/* --- the sweep --- */

int
jitsim_cp_sleep_sweep_start(struct jitsim_cp_sleep *z)
{
	if (z->running)
		return -EALREADY;
	if (!sleep_any_idle(&z->cfg))
		return -ENODATA;
	z->running = true;
	z->cursor_set = false;
	z->cursor = 0;
	z->tokens = 0;
	z->tokens_ns = sleep_mono_ns();
	SL_SET(z, running, 1);
	SL_SET(z, scanned, 0);
	SL_SET(z, picked, 0);
	SL_SET(z, last_start, flow_now_s());
	flow_log("sleep sweep started");
	return 0;
}

static void
sleep_sweep_end(struct jitsim_cp_sleep *z, const char *why)
{
	struct jitsim_cp_sleep_stats st;

	z->running = false;
	SL_SET(z, running, 0);
	SL_ADD(z, sweeps, 1);
	SL_SET(z, last_end, flow_now_s());
	jitsim_cp_sleep_stats(z, &st);
	flow_log("sleep sweep %s: %" PRIu64 " SIMs looked at, %" PRIu64 " sleep jobs started", why,
		 st.scanned, st.picked);
}

/* Stage a sleep job of @r (ACTIVE, idle, no live job) into f->b; the live
 * job into @out. 0, -ENOENT (no job names its HLR), -EINVAL, -ENOMEM. */
static int
sleep_stage_job(struct jitsim_cp_sleep *z, const struct jitsim_rec *r, uint32_t now,
		struct flow_live **out)
{
	struct jitsim_cp_flow *f = z->f;
	uint8_t scratch[JITSIM_JOB_REC_MAX];
	struct jitsim_job last, j;
	struct flow_live *l;
	char err[256];

	/* The HLR's name and the subscriber's profile and flow are in the
	 * job that activated the SIM (the record keeps only the HLR id). */
	if (jitsim_job_get_by_imsi(z->s, r->imsi, &last, err, sizeof(err)) != 0 ||
	    last.hlr[0] == '\0' || last.hlr_id != r->hlr) {
		SL_ADD(z, no_hlr, 1);
		return -ENOENT;
	}
	memset(&j, 0, sizeof(j));
	j.id = f->next_id;
	j.step = JITSIM_JOB_ALLOCATED;
	j.event = JITSIM_EV_NONE;
	j.prev_state = JITSIM_SIM_ACTIVE;
	j.flags = JITSIM_JOB_F_SLEEP;
	if (z->cfg.release && r->msisdn != 0)
		j.flags |= JITSIM_JOB_F_RELEASE;
	j.flow = last.flow;
	j.tenant = r->tenant;
	j.region = r->region;
	j.hlr_id = r->hlr;
	j.tariff = r->tariff;
	j.imsi = r->imsi;
	j.msisdn = r->msisdn;
	j.created = j.updated = now;
	memcpy(j.hlr, last.hlr, sizeof(j.hlr));
	memcpy(j.profile, last.profile, sizeof(j.profile));
	if (jitsim_job_encode(&j, scratch, sizeof(scratch)) < 0)
		return -EINVAL;
	l = flow_live_new(f);
	if (l == NULL)
		return -ENOMEM;
	jitsim_job_put(f->b, &j);
	flow_audit(f, "sleep_start", &j);
	f->next_id = j.id + 1;
	l->job = j;
	l->rec = *r;
	l->have_rec = true;
	snprintf(l->iccid, sizeof(l->iccid), "%s", r->iccid);
	flow_insert(f, l);
	*out = l;
	return 0;
}

/* One slice of the running sweep: at most SLEEP_SCAN_MAX records read,
 * at most @budget jobs started (one commit). Returns the records read. */
static unsigned int
sleep_sweep_slice(struct jitsim_cp_sleep *z, unsigned int budget)
{
	struct jitsim_cp_flow *f = z->f;
	struct flow_live *picked[SLEEP_PICK_MAX];
	const uint64_t id0 = f->next_id;
	const uint32_t now = flow_now_s();
	struct jitsim_store_iter *it;
	unsigned int n = 0, m = 0;
	uint8_t lo[8];
	const uint8_t *k, *v;
	size_t kl, vl;
	struct jitsim_rec r;
	char err[256];
	int rc = 1;

	if (budget > SLEEP_PICK_MAX)
		budget = SLEEP_PICK_MAX;
	/* Keys order IMSIs by digit count, then value (record.h): the key
	 * after the cursor is where the walk goes on. */
	jitsim_rec_key(z->cursor + 1, lo);
	it = jitsim_store_iter_new_range(z->s, JITSIM_CF_SIM, z->cursor_set ? lo : NULL,
					 z->cursor_set ? sizeof(lo) : 0, NULL, 0);
	if (it == NULL)
		return 0;
	jitsim_store_batch_clear(f->b);
	while (n < SLEEP_SCAN_MAX && m < budget &&
	       (rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		const uint64_t imsi = jitsim_rec_key_parse(k, kl);

		n++;
		if (imsi == 0)
			continue;
		z->cursor = imsi;
		z->cursor_set = true;
		if (jitsim_rec_decode(imsi, v, vl, &r, err, sizeof(err)) != 0)
			continue;
		if (sleep_due(&z->cfg, &r, now) == 0 || flow_find(f, imsi) != NULL)
			continue;
		if (sleep_stage_job(z, &r, now, &picked[m]) == 0)
			m++;
	}
	jitsim_store_iter_free(it);
	SL_ADD(z, scanned, n);
	if (m > 0) {
		jitsim_job_put_next(f->b, f->next_id);
		if (flow_commit(f, "sleep", id0) != 0) {
			/* The jobs never existed; the next sweep finds the SIMs
			 * again. */
			f->next_id = id0;
			for (unsigned int i = 0; i < m; i++) {
				flow_remove(f, picked[i]);
				free(picked[i]);
			}
			sleep_sweep_end(z, "stopped (store commit failed)");
			return n;
		}
		SL_ADD(z, picked, m);
		SL_ADD(z, started, m);
		ST_ADD(f, started, m);
		z->tokens -= m;
		/* After the commit: a refused order fails its job (f->b is
		 * empty again). */
		for (unsigned int i = 0; i < m; i++)
			flow_submit(f, picked[i]);
	}
	jitsim_store_batch_clear(f->b);
	if (rc == 0)
		sleep_sweep_end(z, "done");
	else if (rc < 0)
		sleep_sweep_end(z, "stopped (store read error)");
	return n;
}

unsigned int
jitsim_cp_sleep_turn(struct jitsim_cp_sleep *z, uint64_t now_ns)
{
	struct jitsim_cp_flow_stats fs;
	unsigned int work = 0, budget;
	double cap;

	/* @now_ns is taken at the start of the loop turn: the entries logged
	 * in the same turn are stamped later than it. */
	if (z->n_log > 0 &&
	    (z->n_log >= SLEEP_FLUSH_MAX || z->running ||
	     (now_ns > z->log_since_ns &&
	      now_ns - z->log_since_ns >= (uint64_t)z->cfg.flush_s * 1000000000ull))) {
		if (sleep_flush_some(z) != 0)
			z->log_since_ns = now_ns; /* the next try one interval later */
		work++;
	}
	if (z->next_sweep_ns == 0)
		z->next_sweep_ns = now_ns + (uint64_t)z->cfg.interval_s * 1000000000ull;
	if (!z->running && z->cfg.interval_s > 0 && now_ns >= z->next_sweep_ns) {
		z->next_sweep_ns = now_ns + (uint64_t)z->cfg.interval_s * 1000000000ull;
		if (jitsim_cp_sleep_sweep_start(z) == 0)
			work++;
	}
	/* The sweep decides on written activity only. */
	if (!z->running || z->n_log > 0)
		return work;
	cap = z->cfg.rate;
	if (now_ns > z->tokens_ns) {
		z->tokens += (double)(now_ns - z->tokens_ns) * z->cfg.rate / 1e9;
		z->tokens_ns = now_ns;
	}
	if (z->tokens > cap)
		z->tokens = cap;
	jitsim_cp_flow_stats(z->f, &fs);
	if (z->tokens < 1 || fs.sleep_live >= z->cfg.inflight)
		return work;
	budget = (unsigned int)z->tokens;
	if (budget > z->cfg.inflight - fs.sleep_live)
		budget = (unsigned int)(z->cfg.inflight - fs.sleep_live);
	SL_SET(z, live, fs.sleep_live);
	return work + sleep_sweep_slice(z, budget);
}

/* --- dry run --- */

int
jitsim_cp_sleep_dry_run(struct jitsim_store *s, const struct jitsim_cp_sleep_cfg *cfg, uint32_t now,
			int (*fn)(const struct jitsim_rec *r, uint64_t idle_s, void *arg),
			void *arg, uint64_t *scanned, char *err, size_t errlen)
{
	struct jitsim_store_iter *it = jitsim_store_iter_new(s, JITSIM_CF_SIM);
	const uint8_t *k, *v;
	size_t kl, vl;
	struct jitsim_rec r;
	char derr[256];
	int rc;

	*scanned = 0;
	if (it == NULL) {
		snprintf(err, errlen, "sim records: cannot iterate");
		return -ENOMEM;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		const uint64_t imsi = jitsim_rec_key_parse(k, kl);
		uint32_t idle;

		(*scanned)++;
		if (imsi == 0 || jitsim_rec_decode(imsi, v, vl, &r, derr, sizeof(derr)) != 0)
			continue;
		idle = sleep_due(cfg, &r, now);
		if (idle == 0)
			continue;
		rc = fn(&r, idle, arg);
		if (rc != 0)
			break;
	}
	if (rc == -EIO)
		snprintf(err, errlen, "sim records: read error");
	jitsim_store_iter_free(it);
	return rc;
}

/* --- flow's DONE step of a sleep job (flow_int.h) --- */

int
flow_sleep_stage(struct jitsim_cp_flow *f, struct jitsim_job *j, struct jitsim_rec *r, uint32_t now)
{
	uint8_t scratch[JITSIM_REC_MAX > JITSIM_JOB_REC_MAX ? JITSIM_REC_MAX : JITSIM_JOB_REC_MAX];
	const uint64_t msisdn = r->msisdn;
	char err[256];
	int rc;

	r->state = JITSIM_SIM_SLEEPING;
	r->updated = now;
	/* Checked with the number gone before the pool writes into the
	 * shared batch: staged whole or not at all. */
	if ((j->flags & JITSIM_JOB_F_RELEASE) && msisdn != 0)
		r->msisdn = 0;
	if (jitsim_rec_encode(r, scratch, sizeof(scratch)) < 0 ||
	    jitsim_job_encode(j, scratch, sizeof(scratch)) < 0) {
		flow_log("job %" PRIu64 ": record out of range: job left for restart", j->id);
		return -EINVAL;
	}
	if (!(j->flags & JITSIM_JOB_F_RELEASE) || msisdn == 0)
		return 0;
	rc = jitsim_pool_release(f->cfg.pools, msisdn, now, f->b, err, sizeof(err));
	/* -ENOENT: in no pool (an imported number) or not taken: nothing to
	 * give back, the SIM still loses it. Otherwise (-EBUSY, -ENOMEM) it
	 * keeps its number, and the job says so. */
	if (rc == -ENOENT) {
		jitsim_store_batch_del_msisdn(f->b, msisdn);
	} else if (rc != 0) {
		flow_log("job %" PRIu64 ": release of its number: %s: the SIM keeps it", j->id,
			 err);
		r->msisdn = msisdn;
		j->flags &= (uint8_t)~JITSIM_JOB_F_RELEASE;
	}
	return 0;
}
