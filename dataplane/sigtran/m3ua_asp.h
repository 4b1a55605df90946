/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_SIGTRAN_M3UA_ASP_H
#define JITSIM_SIGTRAN_M3UA_ASP_H

/**
 * @file
 * The M3UA ASP state machine of one association (RFC 4666 4.3), both ends:
 *
 * - JITSIM_ASP_ROLE_ASP: the client toward an SGP/STP. On transport up it
 *   sends ASPUP, on ASPUP_ACK ASPAC (Traffic Mode Type, Routing Context),
 *   on ASPAC_ACK it is ACTIVE. ASPUP/ASPAC are retransmitted every T(ack)
 *   and after max_retx tries the machine gives up and asks for a reconnect.
 *   BEAT when nothing was received for beat_ms; no BEAT_ACK within T(ack)
 *   max_retx times running -> reconnect. NTFY Alternate ASP Active (override
 *   mode) and an unsolicited ASPIA_ACK take it back to INACTIVE, where it
 *   stays; an unsolicited ASPDN_ACK sends ASPUP again after T(ack). DATA
 *   is taken while ACTIVE, AC_SENT (the SGP's first DATA on stream 1 may
 *   overtake its ASPAC_ACK on stream 0) and IA_SENT. DUNA/DAVA maintain a
 *   small set of unavailable destinations consulted by
 *   jitsim_asp_dpc_available(); while the set is not empty a DAUD for it
 *   goes out every daud_ms (RFC 4666 4.5.3). jitsim_asp_stop() sends ASPIA
 *   then ASPDN.
 * - JITSIM_ASP_ROLE_SGP: the server side (SGP, or an IPSP in single
 *   exchange; jitsim is the SG): ASPUP -> ASPUP_ACK + NTFY AS-INACTIVE,
 *   ASPAC -> ASPAC_ACK + NTFY AS-ACTIVE (refused with ERR when the traffic
 *   mode is broadcast or the RC is not the configured one), ASPIA ->
 *   ASPIA_ACK + NTFY AS-INACTIVE, ASPDN -> ASPDN_ACK, DAUD -> DAVA for the
 *   configured known point codes, DUNA for the others.
 *
 * Both roles answer BEAT with BEAT_ACK echoing the Heartbeat Data, count
 * ERR by error code, and answer a message that is wrong in the state with
 * ERR Unexpected Message (RFC 4666 4.3.4), a malformed one with the error
 * code the decoder found.
 *
 * Pure: no sockets, no clock, no allocation. Driven by the transport
 * (jitsim_asp_up/down), received messages (jitsim_asp_input) and time
 * (jitsim_asp_tick); every call may emit messages into a caller-owned
 * struct jitsim_asp_out, all for SCTP stream 0 (RFC 4666 1.4.7: ASPSM,
 * ASPTM, MGMT and SSNM on stream 0). Times are caller-supplied
 * milliseconds of a monotonic clock.
 *
 * Thread-safety: a struct jitsim_asp belongs to one thread (the one that
 * owns the association); nothing is shared.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/reason.h>

#include "m3ua_mgmt.h"

enum jitsim_asp_role {
	JITSIM_ASP_ROLE_ASP = 0, /**< client: sends ASPUP/ASPAC */
	JITSIM_ASP_ROLE_SGP = 1, /**< server: answers them */
};

/** Coarse state, what the users see. */
enum jitsim_asp_state {
	JITSIM_ASP_DOWN = 0,	 /**< no transport, or ASPUP not acknowledged */
	JITSIM_ASP_INACTIVE = 1, /**< ASP-INACTIVE: up, no traffic */
	JITSIM_ASP_ACTIVE = 2,	 /**< ASP-ACTIVE: DATA may flow */
};

/* Events returned by the calls (bit set): what the owner must act on. */
#define JITSIM_ASP_EV_ACTIVE (1u << 0)	  /**< became ACTIVE */
#define JITSIM_ASP_EV_INACTIVE (1u << 1)  /**< left ACTIVE, still up */
#define JITSIM_ASP_EV_DOWN (1u << 2)	  /**< became DOWN (ASPDN, orderly stop done) */
#define JITSIM_ASP_EV_RECONNECT (1u << 3) /**< give up: abort the association, reconnect */
#define JITSIM_ASP_EV_CLOSE (1u << 4)	  /**< orderly stop finished: close, do not reconnect */
#define JITSIM_ASP_EV_DPC (1u << 5)	  /**< the unavailable-destination set changed */

#define JITSIM_ASP_DEFAULT_T_ACK_MS 2000u
#define JITSIM_ASP_DEFAULT_MAX_RETX 5u
#define JITSIM_ASP_DEFAULT_BEAT_MS 30000u
#define JITSIM_ASP_DEFAULT_DAUD_MS 10000u
#define JITSIM_ASP_MAX_KNOWN_PC 16
#define JITSIM_ASP_MAX_UNAVAIL 32

struct jitsim_asp_conf {
	enum jitsim_asp_role role;
	bool has_rc;
	uint32_t rc; /**< Routing Context of the AS (ASPAC, DATA) */
	bool has_na;
	uint32_t na; /**< Network Appearance (DATA, SSNM) */
	bool has_asp_id;
	uint32_t asp_id;       /**< ASP Identifier in ASPUP */
	uint32_t traffic_mode; /**< JITSIM_M3UA_TMT_*; 0 = leave it out of ASPAC */
	uint32_t t_ack_ms;     /**< 0 = JITSIM_ASP_DEFAULT_T_ACK_MS */
	uint32_t max_retx;     /**< 0 = JITSIM_ASP_DEFAULT_MAX_RETX */
	uint32_t beat_ms;      /**< 0 = no BEAT on idle */
	uint32_t daud_ms;      /**< 0 = JITSIM_ASP_DEFAULT_DAUD_MS */
	/** SGP: point codes reachable through us (DAUD -> DAVA), 24-bit. */
	uint32_t known_pc[JITSIM_ASP_MAX_KNOWN_PC];
	unsigned int n_known_pc;
};

/*
 * Messages out: the bytes one after another in buf, each one described by
 * msg[]. Sized for the worst case of one call: a DAUD answer (DAVA + DUNA)
 * or an echoed BEAT with its data (Heartbeat Data longer than
 * JITSIM_ASP_OUT_BYTES / 2 is not echoed but refused with ERR 0x11).
 */
#define JITSIM_ASP_OUT_MSGS 4
#define JITSIM_ASP_OUT_BYTES 4096
struct jitsim_asp_out {
	unsigned int n;
	size_t used;
	struct {
		uint32_t off;
		uint32_t len;
	} msg[JITSIM_ASP_OUT_MSGS];
	uint8_t buf[JITSIM_ASP_OUT_BYTES];
};

static inline void
jitsim_asp_out_reset(struct jitsim_asp_out *o)
{
	o->n = 0;
	o->used = 0;
}

/* Indexes of jitsim_asp_stats.msgs_in/out: the M3UA class, RKM folded to 5. */
#define JITSIM_ASP_NCLASS 6

struct jitsim_asp_stats {
	uint64_t msgs_in[JITSIM_ASP_NCLASS];  /**< by class (DATA included) */
	uint64_t msgs_out[JITSIM_ASP_NCLASS]; /**< by class, as emitted into out */
	uint64_t err_rx[JITSIM_M3UA_ERR_MAX]; /**< ERR received, by error code */
	uint64_t err_tx[JITSIM_M3UA_ERR_MAX]; /**< ERR sent, by error code */
	uint64_t drop[JITSIM_R_MAX];	      /**< input refused, by decode reason */
	uint64_t retx;			      /**< ASPUP/ASPAC/ASPIA/ASPDN retransmitted */
	uint64_t giveups;		      /**< reconnects asked after max_retx */
	uint64_t beat_tx, beat_ack_rx, beat_lost, beat_bad_ack;
	uint64_t ntfy_rx;
	uint64_t duna_rx, dava_rx, daud_tx, daud_rx;
	uint64_t scon_rx, dupu_rx, drst_rx; /**< counted, not acted on */
	uint64_t unavail_full;		    /**< DUNA entries not kept: the set was full */
	uint64_t data_unexpected; /**< DATA outside ACTIVE, on stream 0 or with a foreign RC */
	uint64_t unexpected;	  /**< management messages wrong for the role or state */
	uint64_t out_full;	  /**< answers lost: jitsim_asp_out full (a bug if not 0) */
};

/* Internal states (exposed for tests and dumps; use jitsim_asp_state()). */
enum jitsim_asp_fsm {
	JITSIM_ASP_FSM_DOWN = 0, /**< transport down */
	JITSIM_ASP_FSM_UP_SENT,	 /**< ASP: ASPUP sent; SGP: connected, waiting */
	JITSIM_ASP_FSM_INACTIVE, /**< ASP-INACTIVE (SGP: waiting for ASPAC) */
	JITSIM_ASP_FSM_AC_SENT,	 /**< ASP: ASPAC sent */
	JITSIM_ASP_FSM_ACTIVE,	 /**< ASP-ACTIVE */
	JITSIM_ASP_FSM_IA_SENT,	 /**< ASP: stopping, ASPIA sent */
	JITSIM_ASP_FSM_DN_SENT,	 /**< ASP: stopping, ASPDN sent */
	JITSIM_ASP_FSM_STOPPED,	 /**< orderly stop finished */
};

struct jitsim_asp {
	struct jitsim_asp_conf conf;
	enum jitsim_asp_fsm fsm;
	bool stopping;	     /**< jitsim_asp_stop() called */
	uint32_t tries;	     /**< sends of the pending request */
	uint64_t t_retx;     /**< deadline of the pending request, 0 none */
	uint64_t last_rx_ms; /**< anything received */
	uint64_t t_beat;     /**< next idle check / BEAT_ACK deadline */
	bool beat_pending;   /**< BEAT sent, its ACK not seen */
	uint32_t beats_lost; /**< in a row */
	uint64_t beat_seq;   /**< Heartbeat Data we sent last */
	uint64_t t_daud;     /**< next DAUD while unavailable set not empty */
	uint16_t as_state;   /**< last NTFY AS state (JITSIM_M3UA_AS_*), 0 none */
	unsigned int n_unavail;
	uint32_t unavail[JITSIM_ASP_MAX_UNAVAIL]; /**< JITSIM_M3UA_APC(mask, pc) */
	struct jitsim_asp_stats st;
};

/** Set up @p a from @p c (copied; defaults filled in). DOWN. */
void jitsim_asp_init(struct jitsim_asp *a, const struct jitsim_asp_conf *c);

/** The transport is up. ASP: sends ASPUP. @return events (none today). */
unsigned int jitsim_asp_up(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out);

/**
 * The transport is gone: DOWN, timers stopped, the unavailable set
 * cleared (an SGP re-announces unavailability after a new ASPAC).
 * @return JITSIM_ASP_EV_INACTIVE|JITSIM_ASP_EV_DOWN as applicable.
 */
unsigned int jitsim_asp_down(struct jitsim_asp *a);

/**
 * One received M3UA message (one SCTP user message) on @p stream.
 * @param data set for Transfer DATA to hand up (decoded, pointing into p).
 * @param ev events (ORed in).
 * @return JITSIM_R_OK: @p data holds a DATA message for the user;
 *   JITSIM_R_M3UA_NOT_DATA: a management message, consumed;
 *   anything else: refused and counted in stats.drop (an ERR may be in out):
 *   the jitsim_m3ua_decode()/jitsim_m3ua_mgmt_decode() reasons, and
 *   JITSIM_R_M3UA_BAD for DATA outside ACTIVE, on stream 0 or with a
 *   Routing Context other than ours.
 */
enum jitsim_reason jitsim_asp_input(struct jitsim_asp *a, const uint8_t *p, size_t len,
				    uint16_t stream, uint64_t now_ms, struct jitsim_asp_out *out,
				    struct jitsim_m3ua *data, unsigned int *ev);

/** Timers: retransmission, give-up, BEAT, DAUD. @return events. */
unsigned int jitsim_asp_tick(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out);

/**
 * The earliest time jitsim_asp_tick() has work, UINT64_MAX if none: for the
 * owner's poll timeout.
 */
uint64_t jitsim_asp_next_ms(const struct jitsim_asp *a);

/**
 * Orderly stop. ASP: ASPIA (if ACTIVE) then ASPDN; JITSIM_ASP_EV_CLOSE once
 * ASPDN_ACK arrives or the retransmissions run out. SGP (nothing to ask):
 * JITSIM_ASP_EV_CLOSE at once. @return events.
 */
unsigned int jitsim_asp_stop(struct jitsim_asp *a, uint64_t now_ms, struct jitsim_asp_out *out);

enum jitsim_asp_state jitsim_asp_state(const struct jitsim_asp *a);

/**
 * False when a DUNA (not yet cancelled by DAVA) covers @p dpc (24-bit).
 * Linear over at most JITSIM_ASP_MAX_UNAVAIL entries; fast when empty.
 */
bool jitsim_asp_dpc_available(const struct jitsim_asp *a, uint32_t dpc);

const char *jitsim_asp_state_name(enum jitsim_asp_state s);
const char *jitsim_asp_fsm_name(enum jitsim_asp_fsm s);

#endif /* JITSIM_SIGTRAN_M3UA_ASP_H */
