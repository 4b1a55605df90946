/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The worker's verdict for one Diameter S6a request of the First Time
 * Attach endpoint (issue 9, docs/diameter.md "S6a verdicts in the
 * workers"): the Diameter counterpart of fta.h. DPDK-free so that it is
 * unit-tested and fuzzed on its own; jitsim-dp's workers call
 * jitsim_fta_diam_process() once per request that diamio received on a
 * client-side peer (an MME, a DRA) and passed the base node's checks.
 * No allocation, no syscalls, no logging, no locks: it runs on the
 * worker lcores and counts by verdict and reason instead.
 *
 * Input: one whole Diameter message, as framed by the base node. Output:
 * one verdict and, except for DROP, one struct jitsim_sig_msg (include/
 * jitsim/shm.h):
 *
 *   PROXY   an S6a request whose User-Name (IMSI) is ACTIVE: to the HSS
 *           of the entry's region, or cfg.default_hss for a region without
 *           one; also an IMSI not in the table (or RETIRED) when
 *           cfg.unknown is PROXY (to cfg.default_hss). The record holds
 *           the request unchanged; diamio makes the relay's changes
 *           (Route-Record, its own hop-by-hop id, RFC 6733 6.1.9).
 *   ANSWER  an answer built here, to be sent on the peer the request came
 *           on (Origin-Host cfg.origin_host, Session-Id echoed, hop-by-hop
 *           and end-to-end ids copied, Proxy-Info echoed, RFC 6733 6.2):
 *           - what would be proxied, with cfg.redirect: Result-Code 3006
 *             DIAMETER_REDIRECT_INDICATION (E bit) with Redirect-Host
 *             "aaa://" + the HSS's host and Redirect-Host-Usage DONT_CACHE
 *             (RFC 6733 6.1.7, 6.12, 6.13);
 *           - what would be proxied with no HSS to send it to (a region
 *             without an HSS and no default): Result-Code 3002
 *             DIAMETER_UNABLE_TO_DELIVER (E bit, RFC 6733 7.1.3);
 *           - LOCKED or BLOCKED: Experimental-Result {10415,
 *             cfg.locked_result} (the BLOCKED_ATTEMPT event is the detect
 *             pipeline's, which the worker runs on the same request);
 *           - an IMSI not in the table (or RETIRED) with cfg.unknown
 *             REJECT: Experimental-Result {10415, 5001 USER_UNKNOWN}
 *             (TS 29.272 7.4.3);
 *           - a request jitsim_s6a_fta_req_decode() refuses (User-Name
 *             missing or not 5..15 digits, a mandatory AVP missing, a
 *             single one repeated, a broken AVP length, ...): its
 *             Result-Code (5004, 5005, 5009, 5012, 5014, 5015) with
 *             Failed-AVP (RFC 6733 7.5);
 *           - a request of a command the HSS never receives (CLR, IDR,
 *             DSR, RSR go from the HSS to the MME, TS 29.272 7.2.2):
 *             Result-Code 3001 DIAMETER_COMMAND_UNSUPPORTED (E bit).
 *           Every answer also carries Origin-State-Id when
 *           cfg.origin_state_id is not 0 (RFC 6733 8.16).
 *   TO_CP   an INVENTORY, SLEEPING, ACTIVATING or REACTIVATING SIM (the
 *           first attach: the detect pipeline takes the lease on the
 *           first request, so the ULR that follows the AIR finds
 *           ACTIVATING): the request unchanged, for jitsim-cp's S6a
 *           engine (shm sig_up, kind JITSIM_SIG_DIAM_IN).
 *   DROP    with a reason (enum jitsim_fta_diam_drop): no answer is
 *           possible or wanted (not a request, not S6a, a header the codec
 *           refuses, an answer or a record that does not fit).
 *
 * Stateless: a duplicate (JITSIM_SIG_F_DUP, set by diamio's duplicate
 * detection) is decided by the SIM's state now, like any request (a SIM
 * that became ACTIVE in between has its copy proxied); only a TO_CP
 * record carries the flag, so that jitsim-cp sends its cached answer again.
 *
 * Thread-safety: a struct jitsim_fta_diam belongs to one worker thread,
 * which must be an online liburcu QSBR reader of the IMSI table (lookups
 * only: this path never changes a state word). The config is read-only
 * once a context uses it and must outlive it; several workers share one.
 */

#ifndef JITSIM_FTA_DIAM_H
#define JITSIM_FTA_DIAM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "fta.h" /* JITSIM_FTA_REGIONS, JITSIM_FTA_STATE_NONE */
#include "table.h"

/* Longest DiameterIdentity kept (Origin-Host, Origin-Realm, HSS hosts). */
#define JITSIM_FTA_DIAM_HOST_MAX 127
/* S6a command codes 316 (ULR) .. 323 (NOR), TS 29.272 7.2.2: stats.cmd[cmd - 316]. */
#define JITSIM_FTA_DIAM_CMD_FIRST 316
#define JITSIM_FTA_DIAM_CMDS 8

/* What a request for an IMSI not in the table (or RETIRED) gets. */
enum jitsim_fta_diam_unknown {
	JITSIM_FTA_DIAM_UNKNOWN_REJECT = 0, /* ANSWER Experimental-Result 5001 */
	JITSIM_FTA_DIAM_UNKNOWN_PROXY = 1,  /* PROXY to default_hss */
};

/*
 * Configuration, shared read-only by all workers. Strings are
 * NUL-terminated; jitsim_fta_diam_cfg_check() validates it before use.
 */
struct jitsim_fta_diam_cfg {
	char origin_host[JITSIM_FTA_DIAM_HOST_MAX + 1]; /* ours, in every answer built */
	char origin_realm[JITSIM_FTA_DIAM_HOST_MAX + 1];
	uint32_t origin_state_id; /* 0: no Origin-State-Id in the answers */
	uint32_t locked_result;	  /* Experimental-Result-Code 4000..5999, default 5001 */
	enum jitsim_fta_diam_unknown unknown;
	bool redirect;			  /* 3006 instead of proxying (ACTIVE, unknown) */
	int32_t default_hss;		  /* region index used as default, -1 none */
	bool has_hss[JITSIM_FTA_REGIONS]; /* region r has an HSS peer */
	char hss_host[JITSIM_FTA_REGIONS][JITSIM_FTA_DIAM_HOST_MAX + 1]; /* for Redirect-Host */
	/* Where that HSS listens, for the Redirect-Host URI (RFC 6733 4.3.1):
	 * port 0 or 3868 over TCP are the URI's defaults and left out. */
	uint16_t hss_port[JITSIM_FTA_REGIONS];
	bool hss_sctp[JITSIM_FTA_REGIONS];
};

/* Defaults: no origin yet (refused by _check()), locked_result 5001,
 * unknown REJECT, no redirect, no HSS, default_hss -1. */
void jitsim_fta_diam_cfg_init(struct jitsim_fta_diam_cfg *c);

/*
 * Validate before use: origin_host and origin_realm non-empty, terminated
 * and printable without spaces (DiameterIdentity, RFC 6733 4.3.1), the
 * same for hss_host of every region with has_hss, locked_result
 * 4000..5999 (the Experimental-Result-Code of an error, TS 29.272 7.4),
 * unknown a known policy, default_hss -1 or a region with has_hss,
 * unknown PROXY needs a default_hss. 0, or -EINVAL with a message naming
 * the field in @err (may be NULL).
 */
int jitsim_fta_diam_cfg_check(const struct jitsim_fta_diam_cfg *c, char *err, size_t errlen);

#define JITSIM_FTA_DIAM_VERDICTS(X)                      \
	X(PROXY, "proxy to the HSS of the SIM's region") \
	X(ANSWER, "answer built by the worker")          \
	X(TO_CP, "hand to jitsim-cp")                    \
	X(DROP, "drop")

enum jitsim_fta_diam_verdict {
#define JITSIM_FTA_DIAM_VERDICT_ENUM_(name, text) JITSIM_FTA_DIAM_##name,
	JITSIM_FTA_DIAM_VERDICTS(JITSIM_FTA_DIAM_VERDICT_ENUM_)
#undef JITSIM_FTA_DIAM_VERDICT_ENUM_
		JITSIM_FTA_DIAM_VERDICT_MAX
};

/*
 * Why a request was dropped (counters are exported by name: append only).
 * Codec failures also count the codec's own reason (stats.codec[]).
 */
#define JITSIM_FTA_DIAM_DROPS(X)                                                     \
	X(NONE, "not dropped")                                                       \
	X(NOT_REQUEST, "an answer (R bit clear): diamio's business, not a worker's") \
	X(NOT_S6A, "not application 16777251 or not an S6a command (316..323)")      \
	X(BAD_MESSAGE, "header refused by the codec, or length not the input's")     \
	X(OVERSIZE, "answer or record larger than JITSIM_SIG_DATA_MAX")              \
	X(ANSWER_FAILED, "answer refused by the S6a builder (config not checked)")

enum jitsim_fta_diam_drop {
#define JITSIM_FTA_DIAM_DROP_ENUM_(name, text) JITSIM_FTA_DIAM_DROP_##name,
	JITSIM_FTA_DIAM_DROPS(JITSIM_FTA_DIAM_DROP_ENUM_)
#undef JITSIM_FTA_DIAM_DROP_ENUM_
		JITSIM_FTA_DIAM_DROP_MAX
};

/* Answers built, by what they say (stats.answer_code[]; append only). */
#define JITSIM_FTA_DIAM_ANSWERS(X)                                                        \
	X(REDIRECT, "Result-Code 3006 with Redirect-Host (redirect = yes)")               \
	X(NO_ROUTE, "Result-Code 3002: no HSS for the region and no default")             \
	X(LOCKED, "Experimental-Result locked_result: LOCKED or BLOCKED SIM")             \
	X(USER_UNKNOWN, "Experimental-Result 5001: IMSI not in the table or RETIRED")     \
	X(MISSING_AVP, "Result-Code 5005 with Failed-AVP: a mandatory AVP missing")       \
	X(INVALID_AVP_VALUE, "Result-Code 5004 with Failed-AVP: e.g. User-Name not IMSI") \
	X(MALFORMED, "Result-Code 5009/5012/5014/5015 with Failed-AVP")                   \
	X(COMMAND_UNSUPPORTED, "Result-Code 3001: CLR/IDR/DSR/RSR sent to the HSS")

enum jitsim_fta_diam_answer {
#define JITSIM_FTA_DIAM_ANSWER_ENUM_(name, text) JITSIM_FTA_DIAM_ANSWER_##name,
	JITSIM_FTA_DIAM_ANSWERS(JITSIM_FTA_DIAM_ANSWER_ENUM_)
#undef JITSIM_FTA_DIAM_ANSWER_ENUM_
		JITSIM_FTA_DIAM_ANSWER_MAX
};

/* Symbolic names ("PROXY", "OVERSIZE", "REDIRECT") and texts; never NULL. */
const char *jitsim_fta_diam_verdict_name(unsigned int v);
const char *jitsim_fta_diam_drop_name(unsigned int d);
const char *jitsim_fta_diam_drop_text(unsigned int d);
const char *jitsim_fta_diam_answer_name(unsigned int a);
const char *jitsim_fta_diam_answer_text(unsigned int a);

/* One request in: not copied, only read during the call. */
struct jitsim_fta_diam_in {
	const uint8_t *msg; /* one whole Diameter message */
	size_t len;	    /* its length: the header's Message Length */
	uint16_t peer;	    /* diamio's peer index it came on (copied to out->assoc) */
	uint8_t flags;	    /* JITSIM_SIG_F_* (DUP), copied to a TO_CP record */
	uint32_t conn;	    /* that peer's connection number (copied to out->dpc) */
};

/*
 * Counters of one worker. Written only by its worker; others read them
 * with relaxed loads (approximate while running, exact once it stopped).
 */
struct jitsim_fta_diam_stats {
	uint64_t msgs;
	uint64_t verdict[JITSIM_FTA_DIAM_VERDICT_MAX];
	uint64_t drop[JITSIM_FTA_DIAM_DROP_MAX];
	uint64_t answer_code[JITSIM_FTA_DIAM_ANSWER_MAX];
	uint64_t codec[JITSIM_R_MAX];		     /* codec reason of BAD_MESSAGE and refusals */
	uint64_t cmd[JITSIM_FTA_DIAM_CMDS];	     /* S6a requests by command (cmd - 316) */
	uint64_t proxy_region[JITSIM_FTA_REGIONS];   /* PROXY to region r's HSS (default too) */
	uint64_t proxy_default;			     /* ... of which to default_hss */
	uint64_t to_cp_state[JITSIM_SIM_STATE_MAX];  /* TO_CP by SIM state */
	uint64_t locked_state[JITSIM_SIM_STATE_MAX]; /* ANSWER LOCKED by SIM state */
	uint64_t dup;				     /* requests flagged JITSIM_SIG_F_DUP */
	uint64_t lookups;			     /* IMSI table lookups */
	uint64_t failed_avp_cut;		     /* refusals whose Failed-AVP became an empty
						      * example: the copy did not fit */
};

/* A worker's context. */
struct jitsim_fta_diam {
	const struct jitsim_fta_diam_cfg *cfg;
	const struct jitsim_table_imsi *imsi;
	uint16_t lcore;
	uint32_t seq; /* seq of the last TO_CP record */
	struct jitsim_fta_diam_stats st;
};

/* Set up a worker's context (zeroes the counters). The table and the
 * config must outlive it. */
void jitsim_fta_diam_init(struct jitsim_fta_diam *f, const struct jitsim_fta_diam_cfg *cfg,
			  const struct jitsim_table_imsi *imsi, uint16_t lcore);

/*
 * The verdict for @in at time @now_s (CLOCK_REALTIME seconds, for the
 * record's ts_s). Except for DROP, @out is filled completely; its header
 * is zeroed first (opc, si, ni, mp, sls stay 0), then:
 *   PROXY   kind JITSIM_SIG_DIAM_SEND, region = the HSS's region (the
 *           entry's, or default_hss), data = the request unchanged;
 *   ANSWER  kind JITSIM_SIG_DIAM_SEND, region = the entry's (0 without
 *           one), data = the answer;
 *   TO_CP   kind JITSIM_SIG_DIAM_IN, flags = @in->flags, seq = this
 *           context's next, region = the entry's, data = the request
 *           unchanged;
 * and for all three: assoc = @in->peer, dpc = @in->conn (diamio then
 * sends nothing on a later connection of the peer), lcore, ts_s = @now_s, imsi (the
 * User-Name's compact key, 0 if none), sim_state (JITSIM_FTA_STATE_NONE
 * without an entry), len. seq and flags are 0 except for TO_CP.
 * On DROP, @out's contents are unspecified and *@drop (when not NULL) is
 * the enum jitsim_fta_diam_drop; otherwise it is DROP_NONE.
 * @in->msg and @out->data must not overlap.
 */
enum jitsim_fta_diam_verdict jitsim_fta_diam_process(struct jitsim_fta_diam *f,
						     const struct jitsim_fta_diam_in *in,
						     uint32_t now_s, struct jitsim_sig_msg *out,
						     unsigned int *drop);

#endif /* JITSIM_FTA_DIAM_H */
