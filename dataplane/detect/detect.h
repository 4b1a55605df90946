/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Detection: the state rules of the dataplane (ARCHITECTURE.md "SIM
 * states", docs/dataplane.md). DPDK-free so that it is unit-tested and
 * fuzzed on its own; jitsim-dp's workers call it once per message and
 * once per burst.
 *
 * Two steps per burst, so that the table lookups of a whole burst are
 * done together with prefetching (jitsim_table_*_lookup_bulk):
 *
 *   1. jitsim_detect_classify() for every decoded message: counts it
 *      (per protocol and operation) and, if it is a trigger, copies what
 *      the event needs into a candidate (the message summary points into
 *      the frame and is only valid until the next decode).
 *   2. jitsim_detect_apply() on up to JITSIM_DETECT_BURST candidates:
 *      bulk lookups, then the rules, producing events.
 *
 * Triggers (requests only; ReturnResult/ReturnError and Diameter answers
 * are counted, never acted on; a message returned by SCCP, UDTS/XUDTS/
 * LUDTS, is counted as returned and never acted on):
 *
 *   attach   MAP SendAuthenticationInfo (56), UpdateLocation (2),
 *            UpdateGprsLocation (23); S6a AIR (318), ULR (316)  - by IMSI
 *   other    MAP PurgeMS (67); S6a PUR (321), NOR (323)       - by IMSI
 *   mt       MAP SendRoutingInfo (22), SendRoutingInfoForSM (45) - by MSISDN
 *
 * Rules (state of the entry found):
 *
 *   INVENTORY  + attach -> take lease (ACTIVATING)   -> FIRST_ATTACH
 *   SLEEPING   + attach -> take lease (REACTIVATING) -> REATTACH
 *   SLEEPING   + mt     -> take lease (REACTIVATING) -> WAKEUP_MT
 *   ACTIVE     + attach/other -> touch epoch         -> ACTIVITY (once per epoch)
 *   LOCKED, BLOCKED + attach -> touch epoch          -> BLOCKED_ATTEMPT (once per epoch)
 *   (RE)ACTIVATING, lease running -> nothing (counted: lease_held);
 *                   lease expired -> taken again, event as for the state it left
 *   RETIRED, other combinations -> nothing
 *   IMSI absent + attach, in a configured home range -> UNKNOWN_IMSI,
 *                   at most unknown_per_s per second per worker (the rest counted)
 *   MSISDN absent -> nothing
 *
 * Ring full: the caller puts the events into its ring and calls
 * jitsim_detect_unwind() for those that did not fit: the state word each
 * of them changed is put back (compare-and-swap from the value this
 * worker wrote), so the SIM's next attach raises the event again.
 *
 * Thread-safety: a jitsim_detect context belongs to one worker thread,
 * which must be an online liburcu QSBR reader of the tables. The config
 * is read-only after jitsim_detect_init().
 */

#ifndef JITSIM_DETECT_H
#define JITSIM_DETECT_H

#include <stdbool.h>
#include <stdint.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/reason.h>
#include <jitsim/shm.h>

#include "table.h"

/* Largest burst of candidates jitsim_detect_apply() takes. */
#define JITSIM_DETECT_BURST 64
/* Home IMSI ranges (prefixes) at most. */
#define JITSIM_DETECT_HOME_MAX 32

struct jitsim_detect_cfg {
	uint32_t lease_s;	/* activation lease, seconds (default 30) */
	uint32_t epoch_s;	/* activity epoch, seconds (default 3600) */
	uint32_t unknown_per_s; /* UNKNOWN_IMSI events per second per worker (default 10) */
	unsigned int n_home;	/* home IMSI prefixes */
	uint64_t home_value[JITSIM_DETECT_HOME_MAX]; /* prefix digits as a decimal value */
	uint8_t home_len[JITSIM_DETECT_HOME_MAX];    /* prefix digit count, 1..15 */
};

/* Defaults above, no home range. */
void jitsim_detect_cfg_default(struct jitsim_detect_cfg *c);
/* Add a home IMSI prefix ("00101", digits only, 1..15). 0, -EINVAL, -ENOSPC. */
int jitsim_detect_cfg_add_home(struct jitsim_detect_cfg *c, const char *prefix);

/* Candidate kinds. */
enum jitsim_detect_kind {
	JITSIM_DETECT_ATTACH = 1,
	JITSIM_DETECT_OTHER = 2,
	JITSIM_DETECT_MT = 3,
};

/* What a trigger message leaves for jitsim_detect_apply(). */
struct jitsim_detect_cand {
	uint64_t key;	  /* IMSI key (ATTACH, OTHER) or MSISDN key (MT) */
	uint64_t msisdn;  /* MSISDN key carried by the message, 0 if none */
	uint64_t visited; /* compact key of the visited address, 0 if none */
	uint64_t imei;	  /* compact key, 0 if none */
	uint32_t origin_hash;
	uint16_t op;
	uint16_t rat_type; /* 0xffff if absent */
	uint8_t kind;	   /* enum jitsim_detect_kind */
	uint8_t proto;	   /* JITSIM_EV_PROTO_* */
	uint8_t visited_kind;
	uint8_t map_version;
	uint32_t spare;
};

/* Diameter commands counted one by one (index of diam_req/diam_ans);
 * any other command counts in slot 0. */
enum jitsim_detect_diam_idx {
	JITSIM_DETECT_DIAM_OTHER = 0,
	JITSIM_DETECT_DIAM_CER, /* 257 */
	JITSIM_DETECT_DIAM_DWR, /* 280 */
	JITSIM_DETECT_DIAM_DPR, /* 282 */
	JITSIM_DETECT_DIAM_ULR, /* 316 */
	JITSIM_DETECT_DIAM_CLR, /* 317 */
	JITSIM_DETECT_DIAM_AIR, /* 318 */
	JITSIM_DETECT_DIAM_IDR, /* 319 */
	JITSIM_DETECT_DIAM_DSR, /* 320 */
	JITSIM_DETECT_DIAM_PUR, /* 321 */
	JITSIM_DETECT_DIAM_RSR, /* 322 */
	JITSIM_DETECT_DIAM_NOR, /* 323 */
	JITSIM_DETECT_DIAM_MAX
};

/* Diameter command code of an index (0 for OTHER), and its short name
 * ("ULR"; "other"). */
uint32_t jitsim_detect_diam_code(unsigned int idx);
const char *jitsim_detect_diam_name(unsigned int idx);

/*
 * Counters of one worker. Written only by its worker; others read them
 * with relaxed loads (approximate while running, exact once it stopped).
 */
struct jitsim_detect_stats {
	uint64_t msgs_map;
	uint64_t msgs_diameter;
	uint64_t map_invoke[256]; /* by operation code */
	uint64_t map_result[256]; /* ReturnResult by operation code (0: without) */
	uint64_t map_error[256];  /* ReturnError by error code */
	uint64_t map_reject;	  /* Reject components */
	uint64_t map_returned;	  /* returned by SCCP (UDTS/XUDTS/LUDTS): ignored */
	uint64_t diam_req[JITSIM_DETECT_DIAM_MAX];
	uint64_t diam_ans[JITSIM_DETECT_DIAM_MAX];
	uint64_t triggers;   /* candidates produced by classify */
	uint64_t trig_no_id; /* trigger operation without IMSI/MSISDN */
	uint64_t lookups;    /* IMSI lookups */
	uint64_t hits;	     /* IMSI lookups that found the SIM */
	uint64_t msisdn_lookups;
	uint64_t msisdn_hits;
	uint64_t events[JITSIM_EV_TYPE_MAX];	 /* events produced */
	uint64_t ring_drops[JITSIM_EV_TYPE_MAX]; /* of those, not enqueued (unwound) */
	uint64_t lease_held;			 /* trigger on a SIM whose lease is running */
	uint64_t lease_retaken;			 /* expired lease taken again */
	uint64_t epoch_repeat;	     /* ACTIVE/LOCKED/BLOCKED SIM already reported this epoch */
	uint64_t race_lost;	     /* another worker changed the entry first */
	uint64_t no_action;	     /* SIM found, nothing to do in its state */
	uint64_t unknown_home;	     /* attach of an absent IMSI in a home range */
	uint64_t unknown_suppressed; /* of those, over the rate limit */
	uint64_t unknown_foreign;    /* absent IMSI outside the home ranges */
	uint64_t unwind_failed;	     /* state changed again before it could be put back */
};

struct jitsim_detect {
	const struct jitsim_detect_cfg *cfg;
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	uint16_t lcore;
	uint32_t seq; /* last event seq */
	/* UNKNOWN_IMSI token bucket */
	uint32_t tb_sec;
	uint32_t tb_left;
	/* What apply() changed, per event index, for unwind(). */
	uint64_t ev_old_sw[JITSIM_DETECT_BURST];
	uint64_t ev_new_sw[JITSIM_DETECT_BURST];
	struct jitsim_detect_stats st;
};

/* Set up a worker's context (zeroes the counters). The tables and config
 * must outlive it. */
void jitsim_detect_init(struct jitsim_detect *d, const struct jitsim_detect_cfg *cfg,
			struct jitsim_table_imsi *imsi, struct jitsim_table_msisdn *msisdn,
			uint16_t lcore);

/* Count @m and, if it is a trigger, fill @c and return true. */
bool jitsim_detect_classify(struct jitsim_detect *d, const struct jitsim_msg *m,
			    struct jitsim_detect_cand *c);

/*
 * Apply the rules to @n (<= JITSIM_DETECT_BURST) candidates at time
 * @now_s (CLOCK_REALTIME seconds). Events go to @ev (room for @n); returns
 * how many. Each event carries the next seq of this context.
 */
unsigned int jitsim_detect_apply(struct jitsim_detect *d, const struct jitsim_detect_cand *c,
				 unsigned int n, uint32_t now_s, struct jitsim_event *ev);

/*
 * Events ev[from..n) of the last apply() could not be enqueued: put the
 * SIMs' state words back and count ring_drops. Their seq numbers are not
 * reused: a drop leaves a gap the consumer can see and count.
 */
void jitsim_detect_unwind(struct jitsim_detect *d, const struct jitsim_event *ev, unsigned int from,
			  unsigned int n);

#endif /* JITSIM_DETECT_H */
