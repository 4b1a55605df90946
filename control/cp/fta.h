/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The First Time Attach dialogue engine of jitsim-cp (issue 8; docs/fta.md
 * "jitsim-cp FTA dialogues").
 *
 * jitsim-dp forwards to jitsim-cp, over the shm ring sig_up, the MAP
 * requests of INVENTORY/SLEEPING SIMs and every TCAP Continue/End/Abort
 * whose dtid carries JITSIM_FTA_TID_TAG. This engine answers them as the
 * subscriber's HLR would until the real HLR is provisioned:
 *   SendAuthenticationInfo -> vectors (control/auth: Milenage, SQN kept
 *     durable per SIM) in a TCAP End;
 *   UpdateLocation / UpdateGprsLocation -> waits until the SIM's workflow
 *     job is DONE (SIM ACTIVE), then InsertSubscriberData in a Continue,
 *     then on the VLR's ISD result the UL result in an End (hlr-Number =
 *     [fta] hlr_number), then after [fta] handover_delay CancelLocation in
 *     a new Begin, so that the VLR's next UL goes through the dataplane's
 *     relay to the real HLR.
 * Everything it sends goes back as sig_down records (kind SEND).
 *
 * Threads: the engine runs on its own thread (jitsim_cp_fta_start()),
 * which is the only consumer of sig_up and the only producer of sig_down
 * and owns the dialogue table. Why not the workflow thread: an SAI commits
 * the SIM's new SQN with sync before it answers, and a workflow burst
 * commits up to 256 jobs with one sync; on one thread each would wait for
 * the other, and the VLR's timers (a few seconds, the goal p99 < 1 s)
 * should not depend on the activation burst size. What the engine needs
 * from the workflow (a job finished) arrives through
 * jitsim_cp_fta_job_done(), which only queues under a mutex.
 * The store is shared (RocksDB is thread-safe; the SQN keys are written
 * by this thread only).
 *
 * Lifetime: cfg_init/cfg_set/cfg_check (config load) -> new -> start ->
 * (job_done from the workflow thread, stats from any thread) -> stop ->
 * free. stop() joins the thread; open dialogues are dropped (the peers'
 * TCAP timers end them; an SQN already handed out stays used).
 */

#ifndef JITSIM_CP_FTA_H
#define JITSIM_CP_FTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct jitsim_auth;
struct jitsim_store;
struct jitsim_shm;

#define JITSIM_CP_FTA_GT_MAX 16	       /* E.164 digits of own_gt, hlr_number */
#define JITSIM_CP_FTA_APN_MAX 62       /* TS 23.003 9.1: APN network identifier */
#define JITSIM_CP_FTA_DLG_MAX 1048576u /* max_dialogues upper bound (20 bits of otid) */
#define JITSIM_CP_FTA_DIAM_ID_MAX 127  /* s6a_origin_host/realm (DiameterIdentity) */
#define JITSIM_CP_FTA_PROFILE_MAX 64   /* tariffs with their own S6a subscription keys */

/* Fields of a per-tariff S6a profile (struct jitsim_cp_fta_s6a_profile.set). */
enum {
	JITSIM_CP_FTA_P_APN,
	JITSIM_CP_FTA_P_AMBR_UL,
	JITSIM_CP_FTA_P_AMBR_DL,
	JITSIM_CP_FTA_P_QCI,
	JITSIM_CP_FTA_P_PDN_TYPE
};

/* [fta] of jitsim-cp's configuration (docs/operator-guide.md). Read-only
 * once loaded. */
struct jitsim_cp_fta_cfg {
	bool enable;				   /* default: true when the section exists */
	bool present;				   /* the section was seen */
	bool enable_set;			   /* enable given explicitly */
	uint16_t own_pc;			   /* ITU 14-bit point code: OPC of what we send */
	uint8_t own_ssn;			   /* SSN of our SCCP calling address (6, HLR) */
	char own_gt[JITSIM_CP_FTA_GT_MAX + 1];	   /* "" : calling address on PC+SSN */
	char hlr_number[JITSIM_CP_FTA_GT_MAX + 1]; /* UL result hlr-Number; default own_gt */
	unsigned int ul_timeout_s;     /* UL waiting for the activation (and for ISD result) */
	unsigned int handover_delay_s; /* UL result -> CancelLocation; 0: none */
	unsigned int max_dialogues;    /* open dialogues at most */
	uint8_t isd_category;	       /* TS 29.002 17.7.1 category; 10 = ordinary subscriber */
	char apn[JITSIM_CP_FTA_APN_MAX + 1]; /* GPRS data for UGL; "" : wildcard "*" */
	/* S6a (fta_s6a.c): who answers, and the Subscription-Data of a ULA. */
	char s6a_origin_host[JITSIM_CP_FTA_DIAM_ID_MAX + 1]; /* = jitsim-dp's [diameter] */
	char s6a_origin_realm[JITSIM_CP_FTA_DIAM_ID_MAX + 1];
	char s6a_apn[JITSIM_CP_FTA_APN_MAX + 1]; /* Service-Selection of the one APN */
	uint32_t s6a_ambr_ul, s6a_ambr_dl;	 /* UE-AMBR and APN-AMBR, bit/s */
	uint32_t s6a_qci;			 /* QoS-Class-Identifier 1..254 */
	uint32_t s6a_pdn_type;			 /* PDN-Type (TS 29.272 7.3.62) */
	uint32_t s6a_nam;			 /* Network-Access-Mode (7.3.21) */
	/* Per tariff (the SIM record's, set by the device rules):
	 * s6a_apn.T, s6a_ambr_ul.T, s6a_ambr_dl.T, s6a_qci.T, s6a_pdn_type.T
	 * override the keys above for SIMs of tariff T. */
	unsigned int n_s6a_profile;
	struct jitsim_cp_fta_s6a_profile {
		uint16_t tariff;
		uint8_t set; /* 1 << JITSIM_CP_FTA_P_*: the keys given */
		char apn[JITSIM_CP_FTA_APN_MAX + 1];
		uint32_t ambr_ul, ambr_dl, qci, pdn_type;
	} s6a_profile[JITSIM_CP_FTA_PROFILE_MAX];
};

/* Defaults: disabled, own_ssn 6, ul_timeout 10, handover_delay 2,
 * max_dialogues 65536, isd_category 10, apn ""; S6a: origin
 * hss.jitsim.example / jitsim.example, APN "internet", AMBR 50 Mbit/s up
 * and 100 Mbit/s down, QCI 9, IPv4, PACKET_AND_CIRCUIT. */
void jitsim_cp_fta_cfg_init(struct jitsim_cp_fta_cfg *c);
/* One key of [fta]. 0, or -EINVAL with "[fta] key: why" in @err (the
 * config loader prefixes file and line). */
int jitsim_cp_fta_cfg_set(struct jitsim_cp_fta_cfg *c, const char *k, const char *v, char *err,
			  size_t errlen);
/* After loading: an enabled engine needs own_pc and own_gt (or at least
 * hlr_number; without own_gt the calling address is PC + SSN). 0 or
 * -EINVAL with @err. */
int jitsim_cp_fta_cfg_check(const struct jitsim_cp_fta_cfg *c, char *err, size_t errlen);

/* The S6a subscription of a SIM of @tariff: the global s6a_* keys with
 * the tariff's own keys over them. Pure. */
void jitsim_cp_fta_s6a_profile_of(const struct jitsim_cp_fta_cfg *c, uint16_t tariff,
				  struct jitsim_cp_fta_s6a_profile *out);
/* "0.23.2" (ITU 3-8-3) or "186": 0 and @pc, or -EINVAL. */
int jitsim_cp_fta_parse_pc(const char *v, uint16_t *pc);

/* Decode errors by reason (counted, the message dropped). */
enum jitsim_cp_fta_bad {
	JITSIM_CP_FTA_BAD_SCCP,	  /* not a UDT/XUDT or malformed */
	JITSIM_CP_FTA_BAD_TCAP,	  /* malformed TCAP */
	JITSIM_CP_FTA_BAD_MAP,	  /* malformed MAP argument/result */
	JITSIM_CP_FTA_BAD_OP,	  /* Begin with an operation we do not serve */
	JITSIM_CP_FTA_BAD_DTID,	  /* Continue/End/Abort for no open dialogue */
	JITSIM_CP_FTA_BAD_STATE,  /* message the dialogue's state does not expect */
	JITSIM_CP_FTA_BAD_RECORD, /* sig record: wrong kind or length */
	JITSIM_CP_FTA_BAD_NO_SS7, /* an SS7 record for an S6a-only endpoint (no own_pc) */
	JITSIM_CP_FTA_BAD_MAX
};

/* S6a requests by command (fta_s6a.c). */
enum jitsim_cp_fta_s6a_cmd {
	JITSIM_CP_FTA_S6A_AIR,
	JITSIM_CP_FTA_S6A_ULR,
	JITSIM_CP_FTA_S6A_PUR,
	JITSIM_CP_FTA_S6A_NOR,
	JITSIM_CP_FTA_S6A_OTHER, /* answered 3001 */
	JITSIM_CP_FTA_S6A_CMD_MAX
};

/* S6a answers sent, by Result-Code or (exp_*) Experimental-Result-Code. */
enum jitsim_cp_fta_s6a_code {
	JITSIM_CP_FTA_S6A_2001,
	JITSIM_CP_FTA_S6A_3001,
	JITSIM_CP_FTA_S6A_3004,
	JITSIM_CP_FTA_S6A_5004,
	JITSIM_CP_FTA_S6A_5005,
	JITSIM_CP_FTA_S6A_5009,
	JITSIM_CP_FTA_S6A_5012,
	JITSIM_CP_FTA_S6A_5014,
	JITSIM_CP_FTA_S6A_5015,
	JITSIM_CP_FTA_S6A_EXP_5001, /* DIAMETER_ERROR_USER_UNKNOWN */
	JITSIM_CP_FTA_S6A_EXP_4181, /* DIAMETER_AUTHENTICATION_DATA_UNAVAILABLE */
	JITSIM_CP_FTA_S6A_CODE_OTHER,
	JITSIM_CP_FTA_S6A_CODE_MAX
};

/* Counters; each exact, the set not one instant (relaxed atomics). */
struct jitsim_cp_fta_stats {
	uint64_t received;	   /* sig_up records */
	uint64_t sent, send_drops; /* sig_down records / ring full */
	uint64_t returned;	   /* UDTS/XUDTS of ours: the dialogue ended */
	uint64_t dlg_open;	   /* dialogues in the table now */
	uint64_t dlg_opened, dlg_completed, dlg_aborted, dlg_timeouts;
	uint64_t dlg_full; /* Begin refused: table full (TC-Abort sent) */
	uint64_t sai_answered, sai_errors, vectors, resyncs;
	uint64_t ul_completed, ul_failed, isd_sent, cl_sent, cl_done;
	uint64_t bad[JITSIM_CP_FTA_BAD_MAX];
	uint64_t job_notes, job_note_drops; /* workflow notifications queued / queue full */
	/* S6a (docs/fta.md "jitsim-cp S6a answers") */
	uint64_t s6a_requests[JITSIM_CP_FTA_S6A_CMD_MAX];
	uint64_t s6a_answers[JITSIM_CP_FTA_S6A_CODE_MAX];
	uint64_t s6a_vectors, s6a_resyncs;
	/* ULAs sent / ULRs refused (5001, 5012) / of those, at ul_timeout */
	uint64_t s6a_ula, s6a_ulr_failed, s6a_ulr_timeouts;
	uint64_t s6a_pending, s6a_full; /* ULRs and CLRs in the table now / refused: table full */
	uint64_t s6a_clr_sent, s6a_cla_ok, s6a_cla_error, s6a_cla_timeouts;
	uint64_t s6a_clr_resent;		  /* CLRs sent again: no CLA within ul_timeout */
	uint64_t s6a_dup_resent, s6a_dup_pending; /* duplicate: cached answer again / ignored */
	uint64_t s6a_bad;   /* records that do not decode as a Diameter request or answer */
	uint64_t s6a_stray; /* answers for no CLR of ours */
	uint64_t s6a_send_drops;
};

struct jitsim_cp_fta;

/* The engine (not started). NULL with @err on a bad configuration or
 * out of memory. @shm must have the sig rings (ABI 2). @store, @auth
 * (control/auth/auth.h: the store's one vector context, shared with any
 * other user, thread-safe) and @shm are the caller's and outlive it. */
struct jitsim_cp_fta *jitsim_cp_fta_new(const struct jitsim_cp_fta_cfg *cfg,
					struct jitsim_store *store, struct jitsim_auth *auth,
					struct jitsim_shm *shm, char *err, size_t errlen);
/* Start the engine's thread. 0 or negative errno. */
int jitsim_cp_fta_start(struct jitsim_cp_fta *e);
/* Stop and join the thread (idempotent). */
void jitsim_cp_fta_stop(struct jitsim_cp_fta *e);
void jitsim_cp_fta_free(struct jitsim_cp_fta *e);

/*
 * Workflow thread (flow.c's job hook): the activation job of @imsi has
 * finished, @active true when the SIM is ACTIVE now with @msisdn (compact
 * key), false when the job FAILED. Only queues (bounded; a full queue is
 * counted and the waiting dialogue falls back to reading the store on its
 * next check). Safe with @e NULL.
 */
void jitsim_cp_fta_job_done(struct jitsim_cp_fta *e, uint64_t imsi, uint64_t msisdn, bool active);

/* Any thread. */
void jitsim_cp_fta_stats(const struct jitsim_cp_fta *e, struct jitsim_cp_fta_stats *st);
/* The counters as `jitsimctl status` shows them (object "fta",
 * docs/control-socket.md); NULL on allocation failure. Any thread. */
json_t *jitsim_cp_fta_status_json(const struct jitsim_cp_fta *e);
/* Name of a decode-error reason ("sccp", "tcap", ...). */
const char *jitsim_cp_fta_bad_name(unsigned int bad);

#endif /* JITSIM_CP_FTA_H */
