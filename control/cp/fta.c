/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The FTA engine's thread, its dialogue table, timers and sending
 * (fta.h). The MAP operations are in fta_dlg.c.
 */

#include <errno.h>
#include <stddef.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/wbuf.h>

#include "auth.h"
#include "fta.h"
#include "fta_int.h"

uint64_t
fta_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

void
fta_log(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	fprintf(stderr, "jitsim-cp: fta: %s\n", buf);
}

static const char *const fta_bad_names[JITSIM_CP_FTA_BAD_MAX] = {
	[JITSIM_CP_FTA_BAD_SCCP] = "sccp",     [JITSIM_CP_FTA_BAD_TCAP] = "tcap",
	[JITSIM_CP_FTA_BAD_MAP] = "map",       [JITSIM_CP_FTA_BAD_OP] = "operation",
	[JITSIM_CP_FTA_BAD_DTID] = "dtid",     [JITSIM_CP_FTA_BAD_STATE] = "state",
	[JITSIM_CP_FTA_BAD_RECORD] = "record", [JITSIM_CP_FTA_BAD_NO_SS7] = "no_ss7",
};

const char *
jitsim_cp_fta_bad_name(unsigned int bad)
{
	return bad < JITSIM_CP_FTA_BAD_MAX ? fta_bad_names[bad] : "invalid";
}

/* --- dialogue table --- */

/* Timeout of each state (its timer list's common length). */
static uint64_t
fta_state_timeout_ns(const struct jitsim_cp_fta *e, enum fta_state s)
{
	const uint64_t sec = 1000000000ull;

	switch (s) {
	case FTA_HANDOVER:
		return e->cfg.handover_delay_s * sec;
	case FTA_WAIT_ACTIVE:
	case FTA_WAIT_ISD:
	case FTA_WAIT_CL:
		return e->cfg.ul_timeout_s * sec;
	default:
		return 0;
	}
}

static uint32_t
fta_idx(const struct jitsim_cp_fta *e, const struct fta_dlg *d)
{
	return (uint32_t)(d - e->dlg);
}

static void
fta_list_append(struct jitsim_cp_fta *e, struct fta_list *l, struct fta_dlg *d)
{
	const uint32_t i = fta_idx(e, d);

	d->next = FTA_NIL;
	d->prev = l->tail;
	if (l->tail == FTA_NIL)
		l->head = i;
	else
		e->dlg[l->tail].next = i;
	l->tail = i;
}

static void
fta_list_unlink(struct jitsim_cp_fta *e, struct fta_list *l, struct fta_dlg *d)
{
	if (d->prev == FTA_NIL)
		l->head = d->next;
	else
		e->dlg[d->prev].next = d->next;
	if (d->next == FTA_NIL)
		l->tail = d->prev;
	else
		e->dlg[d->next].prev = d->prev;
	d->prev = d->next = FTA_NIL;
}

static unsigned int
fta_wait_hash(uint64_t imsi)
{
	return (unsigned int)((imsi * 0x9e3779b97f4a7c15ull) >> (64 - FTA_WAIT_HASH_BITS));
}

static void
fta_wait_unlink(struct jitsim_cp_fta *e, struct fta_dlg *d)
{
	uint32_t *pp = &e->wait_hash[fta_wait_hash(d->imsi)];
	const uint32_t i = fta_idx(e, d);

	while (*pp != FTA_NIL && *pp != i)
		pp = &e->dlg[*pp].hnext;
	if (*pp == i)
		*pp = d->hnext;
	d->hnext = FTA_NIL;
}

static uint32_t
fta_new_tid(struct jitsim_cp_fta *e, struct fta_dlg *d)
{
	const uint32_t gen_mask = (1u << (24 - e->idx_bits)) - 1;

	/* A new generation per dialogue: an answer to an older dialogue of
	 * the same slot finds no match instead of the wrong dialogue. */
	d->gen = (d->gen + 1) & gen_mask;
	return (uint32_t)JITSIM_FTA_TID_TAG << 24 | d->gen << e->idx_bits | fta_idx(e, d);
}

struct fta_dlg *
fta_dlg_new(struct jitsim_cp_fta *e, enum fta_state state, uint64_t imsi, uint64_t now)
{
	struct fta_dlg *d;
	uint32_t gen;

	if (e->free_head == FTA_NIL)
		return NULL;
	d = &e->dlg[e->free_head];
	e->free_head = d->next;
	gen = d->gen;
	memset(d, 0, sizeof(*d));
	d->gen = gen;
	d->prev = d->next = d->hnext = FTA_NIL;
	d->tc.own_tid = fta_new_tid(e, d);
	d->imsi = imsi;
	d->state = (uint8_t)state;
	d->deadline_ns = now + fta_state_timeout_ns(e, state);
	fta_list_append(e, &e->timers[state], d);
	if (state == FTA_WAIT_ACTIVE) {
		const unsigned int h = fta_wait_hash(imsi);

		d->hnext = e->wait_hash[h];
		e->wait_hash[h] = fta_idx(e, d);
	}
	FTA_ST_ADD(e, dlg_open, 1);
	FTA_ST_ADD(e, dlg_opened, 1);
	return d;
}

struct fta_dlg *
fta_dlg_find(struct jitsim_cp_fta *e, uint32_t tid)
{
	const uint32_t i = tid & ((1u << e->idx_bits) - 1);
	struct fta_dlg *d;

	if (tid >> 24 != JITSIM_FTA_TID_TAG || i >= e->n_dlg)
		return NULL;
	d = &e->dlg[i];
	return d->state != FTA_FREE && d->tc.own_tid == tid ? d : NULL;
}

void
fta_dlg_set_state(struct jitsim_cp_fta *e, struct fta_dlg *d, enum fta_state state, bool new_tid,
		  uint64_t now)
{
	if (d->state == FTA_WAIT_ACTIVE)
		fta_wait_unlink(e, d);
	fta_list_unlink(e, &e->timers[d->state], d);
	d->state = (uint8_t)state;
	d->deadline_ns = now + fta_state_timeout_ns(e, state);
	fta_list_append(e, &e->timers[state], d);
	if (new_tid)
		d->tc.own_tid = fta_new_tid(e, d);
	if (state == FTA_WAIT_ACTIVE) {
		const unsigned int h = fta_wait_hash(d->imsi);

		d->hnext = e->wait_hash[h];
		e->wait_hash[h] = fta_idx(e, d);
	}
}

void
fta_dlg_free(struct jitsim_cp_fta *e, struct fta_dlg *d)
{
	if (d->state == FTA_FREE)
		return;
	if (d->state == FTA_WAIT_ACTIVE)
		fta_wait_unlink(e, d);
	fta_list_unlink(e, &e->timers[d->state], d);
	d->state = FTA_FREE;
	d->tc.own_tid = 0;
	d->next = e->free_head;
	e->free_head = fta_idx(e, d);
	FTA_ST_SUB(e, dlg_open, 1);
}

/* --- sending --- */

int
fta_put_down(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi,
	     const uint8_t *sccp, size_t n)
{
	struct jitsim_sig_msg m;
	int rc;

	if (n == 0 || n > JITSIM_SIG_DATA_MAX) {
		FTA_ST_ADD(e, send_drops, 1);
		return -EINVAL;
	}
	memset(&m, 0, offsetof(struct jitsim_sig_msg, data));
	m.kind = JITSIM_SIG_SEND;
	m.sim_state = 0xff;
	m.len = (uint16_t)n;
	m.opc = e->cfg.own_pc;
	m.dpc = peer->opc;
	m.si = 3; /* SCCP (Q.704 14.2.1) */
	m.ni = peer->ni;
	m.mp = peer->mp;
	m.sls = peer->sls;
	m.assoc = JITSIM_SIG_ASSOC_ROUTE;
	m.seq = ++e->down_seq;
	m.ts_s = (uint32_t)time(NULL);
	m.imsi = imsi;
	memcpy(m.data, sccp, n);
	rc = jitsim_shm_sig_down_put(e->shm, &m, 1) == 1 ? 0 : -ENOSPC;
	/* An SAI answer holds vectors (CK, IK, XRES): no copy left behind. */
	explicit_bzero(m.data, n);
	if (rc != 0) {
		/* The peer's TCAP timer ends the dialogue; ours frees it. */
		FTA_ST_ADD(e, send_drops, 1);
		return rc;
	}
	FTA_ST_ADD(e, sent, 1);
	return 0;
}

int
fta_send(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi, struct jitsim_wbuf *w)
{
	struct jitsim_sccp req;
	enum jitsim_reason r;

	/* The request as jitsim_map_fta_sccp_answer() wants it: only its
	 * type, class and calling party are used. */
	memset(&req, 0, sizeof(req));
	req.msg_type = peer->sccp_type;
	req.pclass = peer->pclass;
	req.calling = peer->addr;
	req.called = e->own_addr;
	r = jitsim_map_fta_sccp_answer(w, &req, &e->own_addr);
	if (r != JITSIM_R_OK) {
		FTA_ST_ADD(e, send_drops, 1);
		fta_log("message does not encode: %s", jitsim_reason_str(r));
		return -EINVAL;
	}
	return fta_put_down(e, peer, imsi, jitsim_wbuf_data(w), jitsim_wbuf_len(w));
}

/* --- workflow notifications --- */

void
jitsim_cp_fta_job_done(struct jitsim_cp_fta *e, uint64_t imsi, uint64_t msisdn, bool active)
{
	if (e == NULL)
		return;
	pthread_mutex_lock(&e->note_lock);
	if (e->n_notes < FTA_NOTE_MAX) {
		e->notes[e->n_notes] =
			(struct fta_note){.imsi = imsi, .msisdn = msisdn, .active = active};
		/* Read without the lock by the engine's idle check. */
		__atomic_store_n(&e->n_notes, e->n_notes + 1, __ATOMIC_RELAXED);
		FTA_ST_ADD(e, job_notes, 1);
	} else {
		FTA_ST_ADD(e, job_note_drops, 1);
	}
	pthread_mutex_unlock(&e->note_lock);
}

/* Notifications to the dialogues waiting for them. A note for an IMSI
 * nobody waits for is dropped: a UL that comes later reads the store,
 * which the workflow committed before it notified. */
static unsigned int
fta_notes_run(struct jitsim_cp_fta *e, uint64_t now)
{
	unsigned int n;

	if (__atomic_load_n(&e->n_notes, __ATOMIC_RELAXED) == 0)
		return 0;
	pthread_mutex_lock(&e->note_lock);
	n = e->n_notes;
	memcpy(e->notes_work, e->notes, n * sizeof(e->notes[0]));
	__atomic_store_n(&e->n_notes, 0, __ATOMIC_RELAXED);
	pthread_mutex_unlock(&e->note_lock);
	for (unsigned int i = 0; i < n; i++) {
		const struct fta_note *x = &e->notes_work[i];
		uint32_t k = e->wait_hash[fta_wait_hash(x->imsi)];
		bool waited = false;

		while (k != FTA_NIL) {
			struct fta_dlg *d = &e->dlg[k];

			/* Resolving unlinks it from the chain. */
			k = d->hnext;
			if (d->imsi == x->imsi) {
				fta_dlg_activated(e, d, x->active, x->msisdn, now);
				waited = true;
			}
		}
		if (fta_s6a_note(e, x->imsi, x->msisdn, x->active, now))
			waited = true;
		if (!waited && !x->active) {
			e->failed[e->failed_next] =
				(struct fta_failed){.imsi = x->imsi, .at_ns = now};
			e->failed_next = (e->failed_next + 1) % FTA_FAILED_MAX;
		}
	}
	return n;
}

bool
fta_failed_recently(const struct jitsim_cp_fta *e, uint64_t imsi, uint64_t now)
{
	for (unsigned int i = 0; i < FTA_FAILED_MAX; i++)
		if (e->failed[i].imsi == imsi && e->failed[i].at_ns + FTA_FAILED_NS > now)
			return true;
	return false;
}

/* --- timers --- */

static unsigned int
fta_timers_run(struct jitsim_cp_fta *e, uint64_t now)
{
	unsigned int work = 0;

	for (unsigned int s = FTA_WAIT_ACTIVE; s < FTA_STATE_MAX; s++) {
		/* Bounded per turn, so that a mass expiry does not stall the
		 * input ring. */
		for (unsigned int k = 0; k < 256; k++) {
			const uint32_t i = e->timers[s].head;

			if (i == FTA_NIL || e->dlg[i].deadline_ns > now)
				break;
			fta_dlg_expired(e, &e->dlg[i], now);
			work++;
		}
	}
	return work + fta_s6a_timers(e, now);
}

/* The fallback for a lost notification: waiting dialogues read the
 * store (a few hundred at most: the activations in flight). */
static unsigned int
fta_recheck_run(struct jitsim_cp_fta *e, uint64_t now)
{
	uint32_t i = e->timers[FTA_WAIT_ACTIVE].head;
	unsigned int work = 0;

	while (i != FTA_NIL) {
		struct fta_dlg *d = &e->dlg[i];

		i = d->next;
		if (d->recheck_ns > now)
			continue;
		d->recheck_ns = now + FTA_RECHECK_NS;
		if (fta_dlg_recheck(e, d, now))
			work++;
	}
	return work + fta_s6a_recheck(e, now);
}

/* --- the thread --- */

static void *
fta_thread(void *arg)
{
	struct jitsim_cp_fta *e = arg;
	struct jitsim_sig_msg *in;
	const struct timespec idle = {.tv_sec = 0, .tv_nsec = FTA_IDLE_NS};
	uint64_t last_recheck = 0;

	/* 32 KiB: off the stack. */
	in = malloc(FTA_BURST * sizeof(*in));
	if (in == NULL) {
		fta_log("out of memory: the FTA endpoint does not run");
		return NULL;
	}
	while (!__atomic_load_n(&e->quit, __ATOMIC_RELAXED)) {
		uint64_t now = fta_mono_ns();
		unsigned int work = 0, n;

		/* Notifications first: a UL and the end of its activation in
		 * the same turn resolve at once. */
		work += fta_notes_run(e, now);
		n = jitsim_shm_sig_up_get(e->shm, in, FTA_BURST);
		for (unsigned int i = 0; i < n; i++) {
			FTA_ST_ADD(e, received, 1);
			fta_dlg_input(e, &in[i], now);
		}
		work += n;
		now = fta_mono_ns();
		work += fta_timers_run(e, now);
		if (now - last_recheck >= FTA_RECHECK_NS / 4) {
			work += fta_recheck_run(e, now);
			last_recheck = now;
		}
		if (work == 0)
			nanosleep(&idle, NULL);
	}
	free(in);
	return NULL;
}

/* --- lifecycle --- */

struct jitsim_cp_fta *
jitsim_cp_fta_new(const struct jitsim_cp_fta_cfg *cfg, struct jitsim_store *store,
		  struct jitsim_auth *auth, struct jitsim_shm *shm, char *err, size_t errlen)
{
	struct jitsim_cp_fta *e;

	if (jitsim_cp_fta_cfg_check(cfg, err, errlen) != 0)
		return NULL;
	if (shm == NULL || shm->sig_up == NULL || shm->sig_down == NULL) {
		snprintf(err, errlen, "the shm segment has no signaling rings (ABI %u needed)",
			 JITSIM_SHM_ABI_VERSION);
		return NULL;
	}
	e = calloc(1, sizeof(*e));
	if (e == NULL)
		goto nomem;
	e->cfg = *cfg;
	if (e->cfg.hlr_number[0] == '\0')
		memcpy(e->cfg.hlr_number, e->cfg.own_gt, sizeof(e->cfg.hlr_number));
	e->store = store;
	e->auth = auth;
	e->shm = shm;
	e->n_dlg = cfg->max_dialogues;
	while ((1u << e->idx_bits) < e->n_dlg)
		e->idx_bits++;
	e->dlg = calloc(e->n_dlg, sizeof(*e->dlg));
	if (e->dlg == NULL || pthread_mutex_init(&e->note_lock, NULL) != 0) {
		free(e->dlg);
		free(e);
		goto nomem;
	}
	for (uint32_t i = 0; i < e->n_dlg; i++) {
		e->dlg[i].next = i + 1 < e->n_dlg ? i + 1 : FTA_NIL;
		e->dlg[i].prev = e->dlg[i].hnext = FTA_NIL;
	}
	e->free_head = 0;
	for (unsigned int s = 0; s < FTA_STATE_MAX; s++)
		e->timers[s].head = e->timers[s].tail = FTA_NIL;
	for (unsigned int h = 0; h < FTA_WAIT_HASH_SIZE; h++)
		e->wait_hash[h] = FTA_NIL;
	if (fta_s6a_new(e, err, errlen) != 0) {
		pthread_mutex_destroy(&e->note_lock);
		free(e->dlg);
		free(e);
		return NULL;
	}
	/* Our calling address: routed on our GT (what an HLR says in its
	 * answers, E.164 international) when we have one, else on PC + SSN. */
	e->own_addr.has_ssn = true;
	e->own_addr.ssn = cfg->own_ssn;
	if (cfg->own_gt[0] != '\0') {
		e->own_addr.route_on_ssn = false;
		e->own_addr.gti = 4;
		e->own_addr.tt = 0;
		e->own_addr.np = 1;  /* ISDN/telephony, E.164 */
		e->own_addr.nai = 4; /* international number */
		jitsim_digits_set(&e->own_addr.digits, cfg->own_gt);
	} else {
		e->own_addr.route_on_ssn = true;
		e->own_addr.has_pc = true;
		e->own_addr.pc = cfg->own_pc;
	}
	return e;
nomem:
	snprintf(err, errlen, "out of memory (%u dialogues)", cfg->max_dialogues);
	return NULL;
}

int
jitsim_cp_fta_start(struct jitsim_cp_fta *e)
{
	int rc;

	if (e->running)
		return 0;
	e->quit = 0;
	rc = pthread_create(&e->tid, NULL, fta_thread, e);
	if (rc != 0)
		return -rc;
	e->running = true;
	if (e->cfg.own_pc == 0)
		fta_log("on: S6a only (no own_pc: MAP dialogues off) as %s (%s)",
			e->cfg.s6a_origin_host, e->cfg.s6a_origin_realm);
	else
		fta_log("on: PC %u, GT %s, SSN %u, hlr-Number %s, up to %u dialogues; S6a as %s "
			"(%s)",
			e->cfg.own_pc, e->cfg.own_gt[0] != '\0' ? e->cfg.own_gt : "none",
			e->cfg.own_ssn, e->cfg.hlr_number, e->n_dlg, e->cfg.s6a_origin_host,
			e->cfg.s6a_origin_realm);
	return 0;
}

void
jitsim_cp_fta_stop(struct jitsim_cp_fta *e)
{
	if (e == NULL || !e->running)
		return;
	__atomic_store_n(&e->quit, 1, __ATOMIC_RELAXED);
	pthread_join(e->tid, NULL);
	e->running = false;
}

void
jitsim_cp_fta_free(struct jitsim_cp_fta *e)
{
	if (e == NULL)
		return;
	jitsim_cp_fta_stop(e);
	fta_s6a_free(e);
	pthread_mutex_destroy(&e->note_lock);
	free(e->dlg);
	free(e);
}

void
jitsim_cp_fta_stats(const struct jitsim_cp_fta *e, struct jitsim_cp_fta_stats *st)
{
	const uint64_t *src = (const uint64_t *)&e->st;
	uint64_t *dst = (uint64_t *)st;

	_Static_assert(sizeof(*st) % sizeof(uint64_t) == 0, "stats of u64 only");
	for (size_t i = 0; i < sizeof(*st) / sizeof(uint64_t); i++)
		dst[i] = __atomic_load_n(&src[i], __ATOMIC_RELAXED);
}

json_t *
jitsim_cp_fta_status_json(const struct jitsim_cp_fta *e)
{
	struct jitsim_cp_fta_stats st;
	json_t *o, *bad = json_object();

	jitsim_cp_fta_stats(e, &st);
	if (bad == NULL)
		return NULL;
	for (unsigned int i = 0; i < JITSIM_CP_FTA_BAD_MAX; i++)
		json_object_set_new(bad, jitsim_cp_fta_bad_name(i),
				    json_integer((json_int_t)st.bad[i]));
	o = json_pack(
		"{s:{s:I,s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I},"
		"s:{s:I,s:I,s:I,s:I,s:I},s:{s:I,s:I,s:I,s:I,s:I,s:I},s:o}",
		"dialogues", "open", (json_int_t)st.dlg_open, "opened", (json_int_t)st.dlg_opened,
		"completed", (json_int_t)st.dlg_completed, "aborted", (json_int_t)st.dlg_aborted,
		"timeouts", (json_int_t)st.dlg_timeouts, "full", (json_int_t)st.dlg_full, "sai",
		"answered", (json_int_t)st.sai_answered, "errors", (json_int_t)st.sai_errors,
		"vectors", (json_int_t)st.vectors, "resyncs", (json_int_t)st.resyncs, "ul",
		"completed", (json_int_t)st.ul_completed, "failed", (json_int_t)st.ul_failed,
		"isd_sent", (json_int_t)st.isd_sent, "cl_sent", (json_int_t)st.cl_sent, "cl_done",
		(json_int_t)st.cl_done, "messages", "received", (json_int_t)st.received, "sent",
		(json_int_t)st.sent, "send_drops", (json_int_t)st.send_drops, "returned",
		(json_int_t)st.returned, "job_notes", (json_int_t)st.job_notes, "job_note_drops",
		(json_int_t)st.job_note_drops, "decode_errors", bad);
	if (o != NULL)
		json_object_set_new(o, "s6a", fta_s6a_status_json(&st));
	return o;
}
