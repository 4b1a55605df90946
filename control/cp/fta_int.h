/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Internals of the FTA dialogue engine shared by its files (fta.c: the
 * thread, the dialogue table, timers and sending; fta_dlg.c: the MAP
 * operations). Everything here belongs to the engine's thread except
 * the note queue (guarded by note_lock) and the counters (relaxed
 * atomics, read by any thread).
 */

#ifndef JITSIM_CP_FTA_INT_H
#define JITSIM_CP_FTA_INT_H

#include <pthread.h>
#include <stdbool.h>
#include <stdint.h>

#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/shm.h>

#include "fta.h"

struct jitsim_auth;
struct jitsim_store;

/* sig_up records taken per loop turn. */
#define FTA_BURST 32
/* Idle sleep of the thread when a turn found nothing. */
#define FTA_IDLE_NS (200ull * 1000)
/* Workflow notifications queued at most between two turns (a burst of
 * FLOW_BURST jobs finishing fits many times). */
#define FTA_NOTE_MAX 4096
/* A dialogue waiting for its activation re-reads the store this often:
 * a notification lost to a full queue costs at most this delay (a
 * failure lost so stays unseen: the UL's timer ends it). */
#define FTA_RECHECK_NS (500ull * 1000 * 1000)
/* Recent job failures kept for a UL that comes just after (FTA_FAILED_NS). */
#define FTA_FAILED_MAX 256
#define FTA_FAILED_NS (2000ull * 1000 * 1000)
/* Waiting dialogues by IMSI. */
#define FTA_WAIT_HASH_BITS 12
#define FTA_WAIT_HASH_SIZE (1u << FTA_WAIT_HASH_BITS)
#define FTA_NIL UINT32_MAX
/* Invoke id of the engine's own invokes (ISD, CL): one per dialogue. */
#define FTA_OWN_INVOKE_ID 1

/* Dialogue states. Each state but FREE has its own timer list: a list's
 * entries share one timeout length and are appended when they enter it,
 * so each list is in deadline order and only its head is checked. */
enum fta_state {
	FTA_FREE = 0,
	FTA_WAIT_ACTIVE, /* UL received; waiting for the SIM's activation */
	FTA_WAIT_ISD,	 /* ISD sent in a Continue; waiting for its result */
	FTA_HANDOVER,	 /* UL result sent; CancelLocation after handover_delay */
	FTA_WAIT_CL,	 /* CL Begin sent; waiting for the VLR's End */
	FTA_STATE_MAX
};

/* Where answers go: the request's MTP3 label reversed and its SCCP
 * header (message type, class, calling party) kept to answer it. */
struct fta_peer {
	uint32_t opc; /* the peer's point code (our dpc) */
	uint8_t ni, mp, sls;
	uint8_t sccp_type, pclass;
	struct jitsim_sccp_addr addr; /* the request's calling party */
};

struct fta_dlg {
	uint8_t state;			   /* enum fta_state */
	uint8_t op;			   /* MAP op of the request: UL or UGL */
	int8_t invoke_id;		   /* of the UL/UGL Invoke */
	bool isd_error;			   /* the VLR answered the ISD with an error */
	struct jitsim_map_fta_dialogue tc; /* tc.own_tid 0 when FREE */
	uint64_t imsi;			   /* compact key */
	uint64_t msisdn;		   /* compact key, once known */
	uint64_t deadline_ns;
	uint64_t recheck_ns; /* FTA_WAIT_ACTIVE: next store read */
	uint64_t t0_ns;	     /* UL received */
	struct fta_peer peer;
	uint32_t prev, next; /* timer list of its state / free list (next) */
	uint32_t hnext;	     /* FTA_WAIT_ACTIVE: IMSI hash chain */
	uint32_t gen;	     /* otid generation of the slot */
};

struct fta_note {
	uint64_t imsi, msisdn;
	bool active;
};

struct fta_list {
	uint32_t head, tail;
};

struct jitsim_cp_fta {
	struct jitsim_cp_fta_cfg cfg;
	struct jitsim_store *store;
	struct jitsim_auth *auth;
	struct jitsim_shm *shm;
	pthread_t tid;
	bool running;
	volatile int quit;

	/* Dialogue table: slot index in the otid's low idx_bits, a
	 * generation above it, JITSIM_FTA_TID_TAG on top. */
	struct fta_dlg *dlg;
	uint32_t n_dlg, idx_bits;
	uint32_t free_head;
	struct fta_list timers[FTA_STATE_MAX];
	uint32_t wait_hash[FTA_WAIT_HASH_SIZE];

	/* Our SCCP calling address. */
	struct jitsim_sccp_addr own_addr;
	uint32_t down_seq;

	pthread_mutex_t note_lock; /* guards notes/n_notes */
	unsigned int n_notes;
	struct fta_note notes[FTA_NOTE_MAX];
	struct fta_note notes_work[FTA_NOTE_MAX]; /* engine thread's copy */
	/* Failures nobody waited for yet (engine thread): a UL processed just
	 * after the failure of the job its own attach started finds it here,
	 * as the store alone cannot tell a failed job from one not started. */
	struct fta_failed {
		uint64_t imsi, at_ns;
	} failed[FTA_FAILED_MAX];
	unsigned int failed_next;

	/* Error logs a peer can provoke (a wrong AUTS): one a second. */
	uint64_t log_next_ns;
	uint64_t log_suppressed;

	/* S6a first attaches in progress and the duplicate cache (fta_s6a.c). */
	struct fta_s6a *s6a;

	struct jitsim_cp_fta_stats st;
};

#define FTA_ST_ADD(e, field, n) __atomic_fetch_add(&(e)->st.field, (n), __ATOMIC_RELAXED)
#define FTA_ST_SUB(e, field, n) __atomic_fetch_sub(&(e)->st.field, (n), __ATOMIC_RELAXED)

uint64_t fta_mono_ns(void);
void fta_log(const char *fmt, ...) __attribute__((format(printf, 1, 2)));
/* A log line a peer can cause: at most one a second, the rest counted
 * (engine thread). */
void fta_log_limited(struct jitsim_cp_fta *e, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/* --- table (fta.c) --- */
/* A new dialogue in @state with a fresh otid and the state's deadline
 * (NULL: table full). */
struct fta_dlg *fta_dlg_new(struct jitsim_cp_fta *e, enum fta_state state, uint64_t imsi,
			    uint64_t now);
/* The open dialogue whose otid is @tid, or NULL. */
struct fta_dlg *fta_dlg_find(struct jitsim_cp_fta *e, uint32_t tid);
/* Move @d to @state (its timer restarts); a new otid when @new_tid (a
 * new TCAP dialogue in the same slot: CancelLocation). */
void fta_dlg_set_state(struct jitsim_cp_fta *e, struct fta_dlg *d, enum fta_state state,
		       bool new_tid, uint64_t now);
void fta_dlg_free(struct jitsim_cp_fta *e, struct fta_dlg *d);

/* --- sending (fta.c) --- */
/* The TC message in @w (written by the map_fta builders) wrapped in the
 * SCCP answer to @peer and put on sig_down. 0, or -ENOSPC (ring full,
 * counted), -EINVAL (does not encode, counted as a send drop too). */
int fta_send(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi,
	     struct jitsim_wbuf *w);
/* A whole SCCP message onto sig_down toward @peer. Same returns. */
int fta_put_down(struct jitsim_cp_fta *e, const struct fta_peer *peer, uint64_t imsi,
		 const uint8_t *sccp, size_t n);

/* --- MAP operations (fta_dlg.c) --- */
/* One sig_up record. */
void fta_dlg_input(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint64_t now);
/* A FTA_WAIT_ACTIVE dialogue whose activation finished (@active) or
 * whose store record says so; @msisdn when active. */
void fta_dlg_activated(struct jitsim_cp_fta *e, struct fta_dlg *d, bool active, uint64_t msisdn,
		       uint64_t now);
/* True when a job of @imsi failed less than FTA_FAILED_NS before @now
 * with no dialogue waiting for it. */
bool fta_failed_recently(const struct jitsim_cp_fta *e, uint64_t imsi, uint64_t now);
/* Re-read the store for a waiting dialogue: true when it was resolved. */
bool fta_dlg_recheck(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now);
/* The deadline of @d passed. */
void fta_dlg_expired(struct jitsim_cp_fta *e, struct fta_dlg *d, uint64_t now);

/* --- S6a (fta_s6a.c): the engine's Diameter side, docs/fta.md --- */
struct fta_s6a;
/* Its tables, sized from the configuration. 0 or -ENOMEM with @err. */
int fta_s6a_new(struct jitsim_cp_fta *e, char *err, size_t errlen);
void fta_s6a_free(struct jitsim_cp_fta *e);
/* One JITSIM_SIG_DIAM_IN record: a request, or an answer to our CLR. */
void fta_s6a_input(struct jitsim_cp_fta *e, const struct jitsim_sig_msg *m, uint64_t now);
/* The activation job of @imsi finished: ULRs waiting for it are answered.
 * True when one was waiting. */
bool fta_s6a_note(struct jitsim_cp_fta *e, uint64_t imsi, uint64_t msisdn, bool active,
		  uint64_t now);
/* Expired timers (bounded per call) / waiting ULRs that read the store
 * again (the fallback of a lost note). The work done. */
unsigned int fta_s6a_timers(struct jitsim_cp_fta *e, uint64_t now);
unsigned int fta_s6a_recheck(struct jitsim_cp_fta *e, uint64_t now);
/* Object "s6a" of the status (docs/control-socket.md). */
json_t *fta_s6a_status_json(const struct jitsim_cp_fta_stats *st);

#endif /* JITSIM_CP_FTA_INT_H */
