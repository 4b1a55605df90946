/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_S6A_TPL_H
#define JITSIM_PKTGEN_S6A_TPL_H

/**
 * @file
 * S6a messages (TS 29.272) from templates: each kind of message is encoded
 * once by the codec library (jitsim_s6a_encode()), then later messages of
 * the kind copy its bytes and patch what changes from one message to the
 * next: Session-Id, hop-by-hop and end-to-end identifiers, User-Name,
 * Visited-PLMN-Id, IMEI and MSISDN. Where those go is found by encoding the
 * kind again with each of them changed and comparing; a template is kept
 * only if it then reproduces the library's own encoding of two messages of
 * the kind (the first one and one with every variable part changed),
 * otherwise the kind is encoded by the library every time.
 *
 * The kind is everything else in struct jitsim_s6a_msg: command, flags,
 * result codes, numbers, the lengths of the variable strings, and the host
 * and realm strings, which are told apart by address (comparing them per
 * message would cost what the template saves): they must not change while
 * a cache uses them.
 *
 * Thread-safety: a cache belongs to one thread.
 */

#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/wbuf.h>

/** Longest message kept as a template (header and AVPs, without the Session-Id). */
#define JITSIM_PKTGEN_S6A_TPL_MAX 480
#define JITSIM_PKTGEN_S6A_TPLS 256

/** What makes two messages the same kind (zero-initialised: compared as bytes). */
struct jitsim_pktgen_s6a_key {
	const char *origin_host, *origin_realm, *dest_host, *dest_realm;
	uint32_t cmd, result_code, exp_result_code, n_vectors, rat_type, ulr_flags,
		cancellation_type;
	uint8_t is_request;
	/* Lengths of the variable strings plus one, 0 when absent. */
	uint8_t imsi_len, plmn_len, imei_len, msisdn_len;
};

/** Where a variable part goes in a template, 0xffff: not in this kind. */
#define JITSIM_PKTGEN_S6A_NONE 0xffff

struct jitsim_pktgen_s6a_tpl {
	uint8_t state; /**< 0: free, 1: template, 2: encode every time */
	struct jitsim_pktgen_s6a_key key;
	uint16_t len; /**< header (20) + the AVPs after the Session-Id */
	/* Offsets in b[]: below 20 in the header, else after the Session-Id. */
	uint16_t hbh_at, e2e_at, imsi_at, plmn_at, imei_at, msisdn_at;
	uint8_t b[JITSIM_PKTGEN_S6A_TPL_MAX];
};

/** Entries of the memo of caller-named kinds (a power of two). */
#define JITSIM_PKTGEN_S6A_MEMO 1024

/** The S6a templates of a run, built on first use (zero-initialise). */
struct jitsim_pktgen_s6a_tpls {
	struct jitsim_pktgen_s6a_tpl t[JITSIM_PKTGEN_S6A_TPLS];
	/**
	 * Kinds the caller names by a number (jitsim_pktgen_enc_s6a_kind()):
	 * its template, found without building and comparing the full key.
	 */
	struct {
		uint64_t kind;			       /**< 0: empty */
		const struct jitsim_pktgen_s6a_tpl *t; /**< NULL: the library encodes it */
	} memo[JITSIM_PKTGEN_S6A_MEMO];
};

/**
 * Append the S6a message @p m to @p w, as jitsim_s6a_encode() does (same
 * bytes, same returns), from the template of its kind in @p c when there
 * is one. @p c may be NULL (then it is jitsim_s6a_encode()).
 */
enum jitsim_reason jitsim_pktgen_enc_s6a(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m,
					 struct jitsim_pktgen_s6a_tpls *c);

/**
 * jitsim_pktgen_enc_s6a() for a caller that knows the kind of @p m: @p kind
 * (not 0) is the caller's number for it, and two messages with the same
 * number must be of the same kind (see above: everything but the variable
 * parts, and the lengths of those but the Session-Id's). @p session_len is
 * strlen(m->session_id). Saves building, hashing and comparing the key of
 * the kind for every message.
 */
enum jitsim_reason jitsim_pktgen_enc_s6a_kind(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m,
					      size_t session_len, struct jitsim_pktgen_s6a_tpls *c,
					      uint64_t kind);

#endif /* JITSIM_PKTGEN_S6A_TPL_H */
