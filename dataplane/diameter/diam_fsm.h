/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_DIAMETER_DIAM_FSM_H
#define JITSIM_DIAMETER_DIAM_FSM_H

/**
 * @file
 * The state machine of one Diameter peer connection (RFC 6733 5.6,
 * simplified for one-to-one connections: no election, one transport
 * connection per peer) with the transport watchdog of RFC 3539 3.4.
 *
 * States:
 *   CLOSED        no connection. Initiator: a connect is due at t_conn
 *                 (backoff). Responder: waiting for the peer to connect.
 *   WAIT_CONN_ACK initiator: connect in progress (I-Snd-Conn-Req).
 *   WAIT_I_CEA    initiator: connected, CER sent.
 *   WAIT_CER      responder: connection accepted, no CER yet (RFC 6733
 *                 R-Conn-CER arrives together with the connection; here
 *                 the two are separate events).
 *   I_OPEN/R_OPEN capabilities exchanged; application messages flow.
 *   CLOSING       DPR sent, waiting for the DPA.
 *   STOPPED       jitsim_diam_fsm_stop() finished: no more connections.
 *
 * Watchdog (RFC 3539 3.4.1), in the open states: Tw (jittered) after the
 * last message received, a DWR is sent; after another Tw without any
 * message the peer is SUSPECT (JITSIM_DIAM_EV_FAILOVER: the owner moves
 * pending requests elsewhere); after a third Tw the connection is closed.
 * Any message received in SUSPECT fails back (JITSIM_DIAM_EV_FAILBACK).
 * RFC 3539's REOPEN state (three DWAs before traffic after a reconnect) is
 * not kept: on a one-to-one connection the CER/CEA just exchanged is the
 * same proof of liveness, and there is no alternate peer to prefer.
 *
 * The initiator reconnects after a failure with exponential backoff from
 * tc_min_ms to tc_ms (RFC 6733 2.1 Tc, default 30 s), reset by an open
 * connection; after a DPR it waits tc_ms (tc_min_ms for REBOOTING).
 *
 * Received messages in the open states: CER -> CEA again, DWR -> DWA,
 * DWA -> watchdog, DPR -> DPA then close; an application request is
 * validated (header bits, AVP structure, Origin-Host/Realm) and handed to
 * the owner (JITSIM_DIAM_IN_APP) unless its application is not ours (3007
 * DIAMETER_APPLICATION_UNSUPPORTED) or its command is not one of the
 * application's (3001 DIAMETER_COMMAND_UNSUPPORTED); a base-protocol
 * request other than CER/DWR/DPR is 3001 too. Malformed requests are
 * answered with the Result-Code and Failed-AVP of jitsim_diam_validate().
 * Answers are never answered: malformed ones are dropped and counted.
 * Duplicate requests (same Origin-Host and End-to-End id within the
 * lifetime of the jitsim_diam_dup table) are handed over flagged
 * JITSIM_DIAM_IN_APP_DUP: the application answers them as it answered the
 * first (RFC 6733 6.1.4), the peer has no copy of that answer.
 *
 * Pure: no sockets, no clock, no allocation. Driven by the transport
 * (start/conn_up/conn_fail/conn_down), received messages (input) and time
 * (tick); every call may emit messages into a caller-owned struct
 * jitsim_diam_out and returns events the owner acts on (connect, close).
 * Times are caller-supplied milliseconds of a monotonic clock.
 *
 * Thread-safety: a struct jitsim_diam_fsm belongs to one thread, as does
 * the jitsim_diam_dup table it points to.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/reason.h>

#include "diam_base.h"

enum jitsim_diam_role {
	JITSIM_DIAM_INITIATOR = 0, /**< connects, sends CER */
	JITSIM_DIAM_RESPONDER = 1, /**< accepts, answers CER */
};

enum jitsim_diam_state {
	JITSIM_DIAM_CLOSED = 0,
	JITSIM_DIAM_WAIT_CONN_ACK,
	JITSIM_DIAM_WAIT_I_CEA,
	JITSIM_DIAM_WAIT_CER,
	JITSIM_DIAM_I_OPEN,
	JITSIM_DIAM_R_OPEN,
	JITSIM_DIAM_CLOSING,
	JITSIM_DIAM_STOPPED,
};

/** RFC 3539 3.4.1 watchdog states, meaningful in the open states. */
enum jitsim_diam_wd {
	JITSIM_DIAM_WD_OKAY = 0,
	JITSIM_DIAM_WD_SUSPECT,
};

/* Events (bit set) returned by the calls. */
#define JITSIM_DIAM_EV_CONNECT (1u << 0)  /**< open a transport connection now */
#define JITSIM_DIAM_EV_CLOSE (1u << 1)	  /**< close the connection (after sending out) */
#define JITSIM_DIAM_EV_OPEN (1u << 2)	  /**< capabilities exchanged: traffic may flow */
#define JITSIM_DIAM_EV_DOWN (1u << 3)	  /**< left the open state */
#define JITSIM_DIAM_EV_FAILOVER (1u << 4) /**< watchdog: peer SUSPECT */
#define JITSIM_DIAM_EV_FAILBACK (1u << 5) /**< watchdog: peer OKAY again */
#define JITSIM_DIAM_EV_STOPPED (1u << 6)  /**< orderly stop finished */
#define JITSIM_DIAM_EV_RESTART (1u << 7)  /**< peer's Origin-State-Id changed (RFC 6733 8.16) */

/** What jitsim_diam_fsm_input() did with a message. */
enum jitsim_diam_in {
	JITSIM_DIAM_IN_CONSUMED = 0, /**< base protocol message, handled */
	JITSIM_DIAM_IN_APP,	     /**< application message for the owner */
	JITSIM_DIAM_IN_APP_DUP,	     /**< application request seen before */
	JITSIM_DIAM_IN_ANSWERED,     /**< refused with an error answer (in out) */
	JITSIM_DIAM_IN_DROPPED,	     /**< dropped (counted), nothing sent */
};

#define JITSIM_DIAM_MAX_APPS 4
#define JITSIM_DIAM_MAX_CMDS 16
#define JITSIM_DIAM_MAX_HOST_IP 4

/** One application the node supports (RFC 6733 2.4), e.g. S6a. */
struct jitsim_diam_app {
	uint32_t app_id;		     /**< Auth-Application-Id */
	uint32_t vendor;		     /**< 0: plain Auth-Application-Id, else inside VSAI */
	uint32_t cmds[JITSIM_DIAM_MAX_CMDS]; /**< command codes accepted */
	unsigned int n_cmds;
};

#define JITSIM_DIAM_DEFAULT_TW_MS 30000u
#define JITSIM_DIAM_DEFAULT_TW_JITTER_MS 2000u
#define JITSIM_DIAM_DEFAULT_TC_MS 30000u
#define JITSIM_DIAM_DEFAULT_TC_MIN_MS 1000u
#define JITSIM_DIAM_DEFAULT_CE_TIMEOUT_MS 10000u
#define JITSIM_DIAM_DEFAULT_DPA_TIMEOUT_MS 5000u

struct jitsim_diam_fsm_conf {
	enum jitsim_diam_role role;
	struct jitsim_diam_ident id; /**< Origin-Host/-Realm/-State-Id (strings not copied) */
	const char *product_name;    /**< Product-Name */
	uint32_t vendor_id;	     /**< Vendor-Id of CER/CEA (0 = IETF) */
	uint32_t firmware_revision;  /**< 0 = not sent */
	/** Host-IP-Address: 4 or 16 octets each; none = the connection's local address. */
	struct {
		uint8_t b[16];
		uint8_t len;
	} host_ip[JITSIM_DIAM_MAX_HOST_IP];
	unsigned int n_host_ip;
	uint32_t supported_vendor[2]; /**< Supported-Vendor-Id, 0 entries skipped */
	struct jitsim_diam_app apps[JITSIM_DIAM_MAX_APPS];
	unsigned int n_apps;
	/** When set, a CER/CEA from another Origin-Host is refused (3010). */
	const char *peer_host;
	uint32_t tw_ms;		/**< watchdog interval Tw */
	uint32_t tw_jitter_ms;	/**< +- jitter of Tw (RFC 3539: 2 s); < tw_ms / 2 */
	uint32_t tc_ms;		/**< longest reconnect backoff */
	uint32_t tc_min_ms;	/**< first reconnect backoff */
	uint32_t ce_timeout_ms; /**< connect, CER and CEA wait */
	uint32_t dpa_timeout_ms;
	uint32_t seed;		     /**< jitter and the first hop-by-hop id */
	uint32_t e2e_seed;	     /**< first End-to-End id: jitsim_diam_e2e_seed() */
	struct jitsim_diam_dup *dup; /**< duplicate table, NULL = no detection */
};

/** Defaults for everything except identities, apps and role. */
void jitsim_diam_fsm_conf_defaults(struct jitsim_diam_fsm_conf *c);

/*
 * Messages out: bytes one after another in buf. The largest single output
 * is an error answer (Session-Id, up to JITSIM_DIAM_FAILED_AVP_MAX_DATA of
 * Failed-AVP, a nested group) or a CEA with every option: well under 2 KiB;
 * a call emits at most two messages.
 */
#define JITSIM_DIAM_OUT_MSGS 4
#define JITSIM_DIAM_OUT_BYTES 8192
struct jitsim_diam_out {
	unsigned int n;
	size_t used;
	struct {
		uint32_t off;
		uint32_t len;
	} msg[JITSIM_DIAM_OUT_MSGS];
	uint8_t buf[JITSIM_DIAM_OUT_BYTES];
};

static inline void
jitsim_diam_out_reset(struct jitsim_diam_out *o)
{
	o->n = 0;
	o->used = 0;
}

/* Counters by base command, in and out. */
enum jitsim_diam_cnt {
	JITSIM_DIAM_C_CER = 0,
	JITSIM_DIAM_C_CEA,
	JITSIM_DIAM_C_DWR,
	JITSIM_DIAM_C_DWA,
	JITSIM_DIAM_C_DPR,
	JITSIM_DIAM_C_DPA,
	JITSIM_DIAM_C_APP_REQ,
	JITSIM_DIAM_C_APP_ANS,
	JITSIM_DIAM_C_ERR_ANS, /**< error answers (ours out, E-bit ones in) */
	JITSIM_DIAM_C_MAX,
};

struct jitsim_diam_fsm_stats {
	uint64_t rx[JITSIM_DIAM_C_MAX];
	uint64_t tx[JITSIM_DIAM_C_MAX];
	uint64_t err_3001, err_3007, err_3008, err_3009, err_3010;
	uint64_t err_5xxx;     /**< malformed requests answered 5xxx */
	uint64_t drop_bad;     /**< undecodable or malformed answers dropped */
	uint64_t drop_state;   /**< messages wrong for the state */
	uint64_t dup;	       /**< duplicate requests */
	uint64_t ce_fail;      /**< capability exchanges failed (either side) */
	uint64_t dwr_timeouts; /**< Tw expired with a DWR pending */
	uint64_t failovers, failbacks;
	uint64_t connects, conn_fail, conn_down;
	uint64_t out_full; /**< messages lost: out buffer full (a bug if not 0) */
};

struct jitsim_diam_fsm {
	struct jitsim_diam_fsm_conf conf;
	enum jitsim_diam_state state;
	enum jitsim_diam_wd wd;
	bool dwr_pending;
	bool stopping;
	uint64_t t_wd;	     /**< watchdog deadline (open states) */
	uint64_t t_state;    /**< timeout of WAIT_*, CLOSING; connect time in CLOSED */
	uint32_t backoff_ms; /**< next reconnect delay (initiator) */
	uint32_t rnd;	     /**< xorshift state for the jitter */
	uint32_t hbh, e2e;   /**< last identifiers used */
	uint32_t dwr_hbh;    /**< hop-by-hop id of the pending DWR */
	/* Local address of the connection, for Host-IP-Address when none configured. */
	uint8_t local_ip[16];
	uint8_t local_ip_len;
	/* The peer, from its CER/CEA. */
	char peer_host[JITSIM_DIAM_IDENT_MAX + 1];
	char peer_realm[JITSIM_DIAM_IDENT_MAX + 1];
	bool peer_has_osi;
	uint32_t peer_osi;
	bool peer_relay; /**< peer advertised the Relay application */
	struct jitsim_diam_fsm_stats st;
};

/** Set up @p f from @p c (copied; 0 timers get the defaults). CLOSED. */
void jitsim_diam_fsm_init(struct jitsim_diam_fsm *f, const struct jitsim_diam_fsm_conf *c);

/** Begin. Initiator: JITSIM_DIAM_EV_CONNECT. Responder: nothing (wait for conn_up). */
unsigned int jitsim_diam_fsm_start(struct jitsim_diam_fsm *f, uint64_t now_ms);

/**
 * The transport connection is up; @p local_ip (4 or 16 octets, may be
 * NULL) is its local address. Initiator: sends CER. Responder: waits for
 * CER (ce_timeout_ms).
 */
unsigned int jitsim_diam_fsm_conn_up(struct jitsim_diam_fsm *f, uint64_t now_ms,
				     const uint8_t *local_ip, size_t local_ip_len,
				     struct jitsim_diam_out *out);

/** The connect failed (initiator), or the connection is gone: CLOSED, backoff. */
unsigned int jitsim_diam_fsm_conn_down(struct jitsim_diam_fsm *f, uint64_t now_ms);

/**
 * One received message, complete (@p len bytes, as framed by its length).
 * @param ev events (ORed in).
 * @return what was done with it (enum jitsim_diam_in).
 */
enum jitsim_diam_in jitsim_diam_fsm_input(struct jitsim_diam_fsm *f, const uint8_t *p, size_t len,
					  uint64_t now_ms, struct jitsim_diam_out *out,
					  unsigned int *ev);

/**
 * A message longer than the transport accepts was skipped; @p hdr20 is its
 * first 20 bytes. A request is answered 5015 DIAMETER_INVALID_MESSAGE_LENGTH
 * (RFC 6733 gives no code for "too long"; 5015 names the field at fault)
 * so the peer does not wait for it; an answer is dropped.
 */
unsigned int jitsim_diam_fsm_oversize(struct jitsim_diam_fsm *f, const uint8_t hdr20[20],
				      uint64_t now_ms, struct jitsim_diam_out *out);

/** Timers: connect, CER/CEA/DPA waits, watchdog. @return events. */
unsigned int jitsim_diam_fsm_tick(struct jitsim_diam_fsm *f, uint64_t now_ms,
				  struct jitsim_diam_out *out);

/** Earliest time jitsim_diam_fsm_tick() has work, UINT64_MAX if none. */
uint64_t jitsim_diam_fsm_next_ms(const struct jitsim_diam_fsm *f);

/**
 * Orderly stop (RFC 6733 5.4): open -> DPR with @p cause, CLOSING, then
 * EV_CLOSE|EV_STOPPED when the DPA arrives or dpa_timeout_ms passes.
 * Other states: EV_CLOSE|EV_STOPPED at once.
 */
unsigned int jitsim_diam_fsm_stop(struct jitsim_diam_fsm *f, uint64_t now_ms, uint32_t cause,
				  struct jitsim_diam_out *out);

/** Application traffic may flow (I_OPEN or R_OPEN). */
static inline bool
jitsim_diam_fsm_is_open(const struct jitsim_diam_fsm *f)
{
	return f->state == JITSIM_DIAM_I_OPEN || f->state == JITSIM_DIAM_R_OPEN;
}

/** Identifiers for a new request of the owner (RFC 6733 3). */
uint32_t jitsim_diam_fsm_next_hbh(struct jitsim_diam_fsm *f);
uint32_t jitsim_diam_fsm_next_e2e(struct jitsim_diam_fsm *f);

const char *jitsim_diam_state_name(enum jitsim_diam_state s);

/** One line "state=... wd=... peer=... rx_cer=..." (snprintf semantics). */
int jitsim_diam_fsm_dump(const struct jitsim_diam_fsm *f, char *buf, size_t size);

#endif /* JITSIM_DIAMETER_DIAM_FSM_H */
