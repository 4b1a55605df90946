/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_TCAP_H
#define JITSIM_PROTO_TCAP_H

/**
 * @file
 * ITU-T TCAP (Q.773) as used by MAP: Unidirectional, Begin, Continue, End,
 * Abort; OTID/DTID; the dialogue portion (Q.773 4.2.2 / X.227 AARQ, AARE,
 * ABRT) with its application-context name; the component portion with
 * Invoke, ReturnResultLast, ReturnResultNotLast, ReturnError and Reject.
 *
 * A MAP dialogue is recognised by its application context
 * 0.4.0.0.1.0.<ac>.<version> (3GPP TS 29.002 17.3.3); without a dialogue
 * portion (MAP v1, or a Continue/End that omits it) the caller decides from
 * the SSN or the operation.
 *
 * Zero-copy: parameters point into the input. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/* Message types (Q.773 Table 8) */
#define JITSIM_TCAP_UNI 0x61
#define JITSIM_TCAP_BEGIN 0x62
#define JITSIM_TCAP_END 0x64
#define JITSIM_TCAP_CONTINUE 0x65
#define JITSIM_TCAP_ABORT 0x67

/* Component types (Q.773 Table 14) */
#define JITSIM_TCAP_INVOKE 0xa1
#define JITSIM_TCAP_RESULT_LAST 0xa2
#define JITSIM_TCAP_ERROR 0xa3
#define JITSIM_TCAP_REJECT 0xa4
#define JITSIM_TCAP_RESULT_NOT_LAST 0xa7

/* Dialogue PDUs (Q.773 Table 49) */
#define JITSIM_TCAP_AARQ 0x60
#define JITSIM_TCAP_AARE 0x61
#define JITSIM_TCAP_ABRT 0x64

/** More components than this in one message: JITSIM_R_TCAP_TOO_MANY_COMPONENTS. */
#define JITSIM_TCAP_MAX_COMPONENTS 8

struct jitsim_tcap_component {
	uint8_t type;           /**< JITSIM_TCAP_INVOKE, ... */
	bool has_invoke_id;
	int8_t invoke_id;
	bool has_linked_id;
	int8_t linked_id;
	bool has_opcode;        /**< local operation code present */
	uint8_t opcode;         /**< MAP operation code (Invoke, ReturnResult) */
	bool has_error;
	uint8_t error;          /**< local error code (ReturnError) */
	bool has_problem;
	uint8_t problem;        /**< Reject problem code */
	uint8_t problem_type;   /**< Reject problem kind: 0 general, 1 invoke, 2 returnResult, 3 returnError */
	const uint8_t *param;   /**< parameter TLV (tag+length+value), NULL if absent */
	size_t param_len;
};

struct jitsim_tcap {
	uint8_t type;           /**< JITSIM_TCAP_BEGIN, ... */
	bool has_otid;
	uint32_t otid;          /**< up to 4 octets, big-endian */
	uint8_t otid_len;
	bool has_dtid;
	uint32_t dtid;
	uint8_t dtid_len;
	bool has_dialogue;
	uint8_t dialogue_pdu;   /**< JITSIM_TCAP_AARQ / AARE / ABRT */
	const uint8_t *acn;     /**< application-context-name OID contents */
	size_t acn_len;
	bool is_map_acn;        /**< acn is 0.4.0.0.1.0.x.y */
	uint8_t map_ac;         /**< x: MAP application context */
	uint8_t map_version;    /**< y: MAP version (1..4) */
	bool has_abort_cause;   /**< P-Abort cause in an Abort */
	uint8_t abort_cause;
	uint8_t n_comp;
	struct jitsim_tcap_component comp[JITSIM_TCAP_MAX_COMPONENTS];
};

/**
 * Decode a TCAP message.
 * @return JITSIM_R_OK, JITSIM_R_TCAP_UNSUPPORTED (not an ITU TCAP message
 *   tag, e.g. ANSI), JITSIM_R_TCAP_BAD, JITSIM_R_TCAP_TOO_MANY_COMPONENTS
 *   (the first JITSIM_TCAP_MAX_COMPONENTS are still filled in),
 *   JITSIM_R_BER_BAD, JITSIM_R_BER_TOO_DEEP, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_tcap_decode(const uint8_t *p, size_t len, struct jitsim_tcap *out);

/** True if @p p (OID contents) is a MAP application context; sets ac/version. */
bool jitsim_tcap_acn_is_map(const uint8_t *p, size_t len, uint8_t *ac, uint8_t *version);

/**
 * Encoder: write a whole TCAP message in front of the current wbuf content
 * (which should be empty). Uses t->type, otid/dtid (when has_*), a dialogue
 * portion when t->has_dialogue (AARQ for Begin, AARE "accepted" otherwise,
 * with the MAP ACN t->map_ac/t->map_version), and the components (each
 * component's param must be a complete TLV or NULL).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_tcap_encode(struct jitsim_wbuf *w, const struct jitsim_tcap *t);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_tcap_dump(const struct jitsim_tcap *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_TCAP_H */
