/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The worker's verdict for one SS7 message of the First Time Attach
 * endpoint (issue 8, docs/fta.md "Relay and verdicts"). DPDK-free so
 * that it is unit-tested and fuzzed on its own; jitsim-dp's workers call
 * jitsim_fta_process() once per M3UA DATA message received by sigio.
 * No allocation, no syscalls, no logging, no locks: it runs on the
 * worker lcores, counts by verdict and reason instead.
 *
 * Input: the MTP3 routing label of the M3UA Protocol Data (RFC 4666
 * 3.3.1) and the SCCP message (UDT, XUDT, UDTS, XUDTS). Output: one
 * verdict and, except for DROP, one struct jitsim_sig_msg (include/
 * jitsim/shm.h) holding the label and the SCCP message to send:
 *
 *   RELAY_HLR     a TCAP Begin of an HLR operation (SAI, UL, UGL,
 *                 PurgeMS, SRI, ...) for an ACTIVE SIM: called party
 *                 rewritten to the HLR of the SIM's region (GT + SSN,
 *                 routed on GT, when the region has a GT; else PC + SSN,
 *                 routed on SSN), DPC = the HLR's PC, OPC = own PC.
 *                 Also to cfg.default_hlr: an ACTIVE SIM of a region
 *                 without an HLR; an IMSI not in the table (or RETIRED,
 *                 or no usable identity) when cfg.unknown is
 *                 JITSIM_FTA_UNKNOWN_RELAY; a Continue/End/Abort to our
 *                 own address whose dtid is not jitsim-cp's (a VLR
 *                 continuing a relayed dialogue).
 *   RELAY_BACK    a message whose called party is not ours: sent as
 *                 addressed, DPC = the called PC; for a GT-only called
 *                 party, the PC of the region whose HLR GT it is, else
 *                 cfg.default_route. OPC = own PC. This is how the HLR's
 *                 answers reach the VLR, and the VLR's to the HLR.
 *   ANSWER_LOCKED a Begin for a LOCKED or BLOCKED SIM: TCAP End (with an
 *                 AARE when the Begin had an AARQ) carrying ReturnError
 *                 cfg.locked_error for the first Invoke, addressed to
 *                 the calling party, DPC = the OPC it came from. The
 *                 BLOCKED_ATTEMPT event is the detect pipeline's, which
 *                 the worker runs on the same message.
 *   TO_CP         a Begin of an HLR operation for an INVENTORY, SLEEPING,
 *                 ACTIVATING or REACTIVATING SIM (the first attach: the
 *                 detect pipeline takes the lease on the SAI, so the UL
 *                 that follows finds ACTIVATING), or any Continue/End/
 *                 Abort addressed to us with a 4-octet dtid whose top
 *                 octet is JITSIM_FTA_TID_TAG: the message unchanged, as
 *                 received, for jitsim-cp's dialogue engine (sig_up).
 *   DROP          with a reason (enum jitsim_fta_drop).
 *
 * "Our address" (called party): routed on SSN without a PC (the MTP
 * DPC brought it here) or with PC == own_pc; routed on GT with the GT
 * == own_gt. A GT-routed called party that is not our GT and has no SSN
 * or the HLR SSN (an E.214 MGT of our IMSI ranges, or an HLR GT) is "the
 * HLR function": a Begin of an HLR operation to it is handled by the
 * SIM's state like one to our own address; a continuation to it is
 * relayed as addressed; anything else to it (a segment, bad TCAP, not an
 * HLR operation, an unknown IMSI) is relayed as addressed only when it is
 * a configured HLR's GT, else dropped (an unknown IMSI: the cfg.unknown
 * policy), never sent on the default route: the STP routes our ranges'
 * MGTs to us and would send it straight back.
 *
 * Relays keep the calling party; when it is routed on SSN without a PC,
 * the OPC of the label is inserted (as an SCCP relay node does, Q.714
 * 2.7.5), since the OPC the far end sees becomes ours. XUDT(S) hop
 * counters are decremented (Q.714 2.3.2) and a message whose counter is
 * used up is dropped (HOP_COUNTER), so a routing loop between jitsim and
 * a misconfigured STP dies out; UDT has no counter.
 *
 * Stateless dialogue routing, and its limit: a Continue/End/Abort from a
 * VLR that addresses our own GT/PC but not a jitsim-cp dialogue belongs
 * to a dialogue relayed to some HLR, and nothing in it says which; it
 * goes to cfg.default_hlr (DROP DIALOGUE_NO_ROUTE without one). It only
 * happens when an HLR puts our address as its calling party: the HLRs
 * answer with their own GT or PC (and the calling PC is inserted above),
 * so the VLR normally continues to the HLR directly or to an HLR GT,
 * which is matched against the regions' GTs.
 *
 * Segmented XUDT: relayed as addressed on its called party alone; a
 * segment for our own address (or an MGT) is dropped (SEGMENTED): the
 * TCAP is not complete and jitsim-cp's dialogues never need
 * segmentation. LUDT/LUDTS and SCCP management are not handled
 * (SCCP_UNSUPPORTED).
 *
 * Thread-safety: a struct jitsim_fta belongs to one worker thread, which
 * must be an online liburcu QSBR reader of the tables (lookups only: the
 * FTA path never changes a state word). The config is read-only once a
 * context uses it and must outlive it; several workers share one.
 */

#ifndef JITSIM_FTA_H
#define JITSIM_FTA_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "table.h"

/* Regions with their own HLR address (region ids 0 .. 255). */
#define JITSIM_FTA_REGIONS 256
/* sim_state of a result without a table entry. */
#define JITSIM_FTA_STATE_NONE 0xffu

#define JITSIM_FTA_VERDICTS(X)                                   \
	X(DROP, "drop")                                          \
	X(RELAY_HLR, "relay to the HLR of the SIM's region")     \
	X(RELAY_BACK, "relay as addressed by the called party")  \
	X(ANSWER_LOCKED, "answer with the configured MAP error") \
	X(TO_CP, "hand to jitsim-cp")

enum jitsim_fta_verdict {
#define JITSIM_FTA_VERDICT_ENUM_(name, text) JITSIM_FTA_##name,
	JITSIM_FTA_VERDICTS(JITSIM_FTA_VERDICT_ENUM_)
#undef JITSIM_FTA_VERDICT_ENUM_
		JITSIM_FTA_VERDICT_MAX
};

/*
 * Why a message was dropped (counters are exported by name: append only).
 * Codec failures also count the codec's own reason (stats.codec[]).
 */
#define JITSIM_FTA_DROPS(X)                                                             \
	X(NONE, "not dropped")                                                          \
	X(NOT_SCCP, "MTP3 service indicator is not SCCP")                               \
	X(SCCP, "malformed SCCP message")                                               \
	X(SCCP_UNSUPPORTED, "SCCP type not relayed (LUDT, LUDTS) or management SSN")    \
	X(SEGMENTED, "segment of a segmented XUDT addressed to us")                     \
	X(TCAP, "malformed or unsupported TCAP message")                                \
	X(MAP, "malformed MAP argument")                                                \
	X(NOT_HLR_OP, "Begin to our address without an HLR operation")                  \
	X(NO_IMSI, "HLR operation without an IMSI or known MSISDN (policy: drop)")      \
	X(UNKNOWN_IMSI, "IMSI not in the table or RETIRED (policy: drop)")              \
	X(NO_HLR, "no HLR configured for the SIM's region and no default HLR")          \
	X(NO_ROUTE, "GT-only called party, no matching HLR GT and no default route")    \
	X(DIALOGUE_NO_ROUTE, "continuation to us, not jitsim-cp's, and no default HLR") \
	X(RETURNED, "SCCP returned message addressed to us, not for jitsim-cp")         \
	X(HOP_COUNTER, "XUDT hop counter used up")                                      \
	X(LOOP, "destination point code would be our own")                              \
	X(TOO_BIG, "rewritten message larger than a record or an UDT")                  \
	X(UNIDIRECTIONAL, "TCAP Unidirectional addressed to us")                        \
	X(ANSWER_FAILED, "answer for a LOCKED/BLOCKED SIM could not be built")

enum jitsim_fta_drop {
#define JITSIM_FTA_DROP_ENUM_(name, text) JITSIM_FTA_DROP_##name,
	JITSIM_FTA_DROPS(JITSIM_FTA_DROP_ENUM_)
#undef JITSIM_FTA_DROP_ENUM_
		JITSIM_FTA_DROP_MAX
};

/* Symbolic names ("RELAY_HLR", "NO_ROUTE") and texts; never NULL. */
const char *jitsim_fta_verdict_str(enum jitsim_fta_verdict v);
const char *jitsim_fta_drop_str(enum jitsim_fta_drop d);
const char *jitsim_fta_drop_text(enum jitsim_fta_drop d);

/* An HLR's SCCP address. */
struct jitsim_fta_hlr {
	bool set;
	uint16_t pc;		 /* 14-bit ITU point code: the MTP3 DPC of what is relayed to it */
	uint8_t ssn;		 /* default JITSIM_SSN_HLR (6) */
	struct jitsim_digits gt; /* n = 0: address it by PC + SSN, routed on SSN */
};

/* What a Begin of an HLR operation for an IMSI not in the table does. */
enum jitsim_fta_unknown {
	JITSIM_FTA_UNKNOWN_DROP = 0,  /* DROP UNKNOWN_IMSI / NO_IMSI */
	JITSIM_FTA_UNKNOWN_RELAY = 1, /* RELAY_HLR to default_hlr */
};

/*
 * Configuration, shared read-only by all workers. Point codes are ITU
 * 14-bit (the SCCP codec is ITU-only). GTs are written with
 * GTI 4, translation type gt_tt, numbering plan gt_np, nature gt_nai.
 */
struct jitsim_fta_cfg {
	uint16_t own_pc;	     /* OPC of everything sent; required */
	uint8_t own_ssn;	     /* SSN of our HLR function (default 6) */
	uint8_t ni;		     /* network indicator of what is sent (default 2, national) */
	struct jitsim_digits own_gt; /* n = 0: none (answers use own PC + SSN) */
	uint8_t gt_tt;		     /* default 0 */
	uint8_t gt_np;		     /* default 1, E.164 */
	uint8_t gt_nai;		     /* default 4, international number */
	uint8_t locked_error;	     /* MAP error code, default unknownSubscriber (1) */
	uint8_t unknown;	     /* enum jitsim_fta_unknown, default DROP */
	bool has_default_route;	     /* GT-only called parties not matched */
	uint16_t default_route;	     /* DPC for them (normally the STP, which does GTT) */
	struct jitsim_fta_hlr default_hlr; /* unknown IMSIs (policy RELAY), regions without
					    * an HLR, continuations to us */
	struct jitsim_fta_hlr hlr[JITSIM_FTA_REGIONS]; /* by the table entry's region */
};

/* Defaults above; no own PC yet (own_pc 0 is refused by _check()). */
void jitsim_fta_cfg_default(struct jitsim_fta_cfg *c);

/*
 * Parse a point code: "a.b.c" in the ITU 3-8-3 format (zone.area.sp,
 * "0.23.2" = 186) or a plain decimal integer 0..16383. 0 or -EINVAL.
 */
int jitsim_fta_pc_parse(const char *s, uint16_t *pc);
/* "z.a.s" of a point code, snprintf semantics. */
int jitsim_fta_pc_format(uint16_t pc, char *buf, size_t size);

/*
 * Set an HLR address (region 0..JITSIM_FTA_REGIONS-1, or @dst =
 * &c->default_hlr through jitsim_fta_hlr_set()). @gt may be NULL or ""
 * (route on PC + SSN), else 1..JITSIM_DIGITS_MAX decimal digits; ssn 0
 * means 6. 0 or -EINVAL.
 */
int jitsim_fta_hlr_set(struct jitsim_fta_hlr *dst, uint16_t pc, uint8_t ssn, const char *gt);
int jitsim_fta_cfg_set_region(struct jitsim_fta_cfg *c, unsigned int region, uint16_t pc,
			      uint8_t ssn, const char *gt);
/* Set own_gt from decimal digits ("" clears it). 0 or -EINVAL. */
int jitsim_fta_cfg_set_own_gt(struct jitsim_fta_cfg *c, const char *gt);

/*
 * Validate before use: own_pc set, no HLR or route pointing at own_pc,
 * unknown == RELAY needs default_hlr. 0, or -EINVAL with a message
 * naming the field in @err (may be NULL).
 */
int jitsim_fta_cfg_check(const struct jitsim_fta_cfg *c, char *err, size_t errlen);

/* One message in: the label as M3UA Protocol Data gives it, and the SCCP
 * bytes (not copied; only read during the call). */
struct jitsim_fta_in {
	uint32_t opc;
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t mp;
	uint8_t sls;
	uint16_t assoc; /* association it came on (copied to a TO_CP record) */
	const uint8_t *data;
	size_t len;
};

/*
 * Counters of one worker. Written only by its worker; others read them
 * with relaxed loads (approximate while running, exact once it stopped).
 */
struct jitsim_fta_stats {
	uint64_t msgs;
	uint64_t verdict[JITSIM_FTA_VERDICT_MAX];
	uint64_t drop[JITSIM_FTA_DROP_MAX];
	uint64_t codec[JITSIM_R_MAX];		     /* codec reason of SCCP/TCAP/MAP failures */
	uint64_t region[JITSIM_FTA_REGIONS];	     /* sent to region r's HLR (RELAY_HLR by
						      * state, RELAY_BACK to its GT) */
	uint64_t to_default_hlr;		     /* RELAY_HLR to default_hlr */
	uint64_t to_cp_state[JITSIM_SIM_STATE_MAX];  /* TO_CP Begins by SIM state */
	uint64_t to_cp_dialogue;		     /* TO_CP continuations (dtid tag) */
	uint64_t locked_state[JITSIM_SIM_STATE_MAX]; /* ANSWER_LOCKED by SIM state */
	uint64_t back_pc;			     /* RELAY_BACK on the called PC */
	uint64_t back_hlr_gt;			     /* RELAY_BACK to a region's HLR GT */
	uint64_t back_default;			     /* RELAY_BACK on default_route */
	uint64_t pc_inserted;			     /* calling PC inserted (Q.714 2.7.5) */
	uint64_t returned;			     /* UDTS/XUDTS seen */
	uint64_t lookups;			     /* IMSI table lookups */
	uint64_t msisdn_lookups;		     /* MSISDN -> IMSI lookups */
};

/* An SCCP party address as written (Q.713 3.4): AI, PC, SSN, TT, NP/ES,
 * NAI and up to 32 BCD digits. */
#define JITSIM_FTA_ADDR_MAX 23
struct jitsim_fta_addr {
	uint8_t len;
	uint8_t b[JITSIM_FTA_ADDR_MAX];
};

/* A worker's context. */
struct jitsim_fta {
	const struct jitsim_fta_cfg *cfg;
	const struct jitsim_table_imsi *imsi;
	const struct jitsim_table_msisdn *msisdn; /* may be NULL: no MSISDN lookups */
	uint16_t lcore;
	uint32_t seq; /* seq of the last TO_CP record */
	/* Built by init from the config, so that the per-message path
	 * neither encodes a configured address nor scans the regions: the
	 * regions' HLR GTs by compact key, sorted; the encoded called party
	 * of each HLR, of the default HLR, and our own calling party. */
	unsigned int n_gt;
	uint64_t gt_key[JITSIM_FTA_REGIONS];
	uint16_t gt_region[JITSIM_FTA_REGIONS];
	struct jitsim_fta_addr hlr_addr[JITSIM_FTA_REGIONS];
	struct jitsim_fta_addr default_addr;
	struct jitsim_fta_addr own_addr;
	struct jitsim_fta_stats st;
};

/* Set up a worker's context (zeroes the counters). The tables and the
 * config must outlive it; @msisdn may be NULL. The config is copied in
 * part (addresses, GT index): init again after changing it. */
void jitsim_fta_init(struct jitsim_fta *f, const struct jitsim_fta_cfg *cfg,
		     const struct jitsim_table_imsi *imsi, const struct jitsim_table_msisdn *msisdn,
		     uint16_t lcore);

/*
 * The verdict for @in at time @now_s (CLOCK_REALTIME seconds, for the
 * record's ts_s). Except for DROP, @out is filled completely: kind
 * (JITSIM_SIG_FTA_IN for TO_CP, JITSIM_SIG_SEND otherwise), the label to
 * send with (si 3; sls and mp of the input; for TO_CP the label as
 * received), assoc (TO_CP: @in->assoc; ANSWER_LOCKED: @in->assoc, to
 * answer on the association it came on; relays: JITSIM_SIG_ASSOC_ROUTE),
 * lcore, seq (TO_CP: this context's next; else 0), ts_s, imsi (compact
 * key, 0 if none), region and sim_state (JITSIM_FTA_STATE_NONE without
 * an entry), len and data. On DROP, @out's contents are unspecified and
 * *@drop (when not NULL) says why; otherwise *@drop is DROP_NONE.
 * @in->data and @out->data must not overlap.
 */
enum jitsim_fta_verdict jitsim_fta_process(struct jitsim_fta *f, const struct jitsim_fta_in *in,
					   uint32_t now_s, struct jitsim_sig_msg *out,
					   enum jitsim_fta_drop *drop);

#endif /* JITSIM_FTA_H */
