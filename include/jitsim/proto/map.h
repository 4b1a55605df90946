/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_MAP_H
#define JITSIM_PROTO_MAP_H

/**
 * @file
 * MAP (3GPP TS 29.002) arguments and results that jitsim acts on. Only the
 * identities are extracted: IMSI, MSISDN, and the network node addresses
 * that tell where the subscriber is (VLR, MSC, SGSN). Digits are decoded into
 * the struct; nothing is allocated.
 *
 * Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/* Operation codes (TS 29.002 17.5) */
#define JITSIM_MAP_OP_UPDATE_LOCATION 2
#define JITSIM_MAP_OP_CANCEL_LOCATION 3
#define JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA 7
#define JITSIM_MAP_OP_DELETE_SUBSCRIBER_DATA 8
#define JITSIM_MAP_OP_SEND_ROUTING_INFO 22
#define JITSIM_MAP_OP_UPDATE_GPRS_LOCATION 23
#define JITSIM_MAP_OP_MT_FORWARD_SM 44
#define JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM 45
#define JITSIM_MAP_OP_MO_FORWARD_SM 46
#define JITSIM_MAP_OP_SEND_IDENTIFICATION 55
#define JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO 56
#define JITSIM_MAP_OP_PROCESS_USS_REQUEST 59
#define JITSIM_MAP_OP_PURGE_MS 67
#define JITSIM_MAP_OP_ANY_TIME_INTERROGATION 71

/* Error codes (TS 29.002 17.6.6) */
#define JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER 1
#define JITSIM_MAP_ERR_UNIDENTIFIED_SUBSCRIBER 5
#define JITSIM_MAP_ERR_ROAMING_NOT_ALLOWED 8
#define JITSIM_MAP_ERR_ILLEGAL_SUBSCRIBER 9
#define JITSIM_MAP_ERR_SYSTEM_FAILURE 34
#define JITSIM_MAP_ERR_DATA_MISSING 35
#define JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE 36

/** Identities found in one MAP Invoke argument or ReturnResult result. */
struct jitsim_map_ids {
	bool has_imsi;
	struct jitsim_digits imsi;
	bool has_msisdn;
	struct jitsim_digits msisdn;      /**< without the nature/plan octet */
	bool has_msc;
	struct jitsim_digits msc;         /**< MSC number (UL) */
	bool has_vlr;
	struct jitsim_digits vlr;         /**< VLR number (UL) */
	bool has_sgsn;
	struct jitsim_digits sgsn;        /**< SGSN number (UGL) */
	bool has_sc;
	struct jitsim_digits sc;          /**< service centre address (SM ops) */
	uint8_t n_vectors;                /**< SAI requested/returned vectors, 0 if absent */
	bool has_hlr;
	struct jitsim_digits hlr;         /**< HLR number (UL / UGL result) */
};

/** Name of a MAP operation code ("updateLocation"), or NULL if unknown. */
const char *jitsim_map_op_name(uint8_t opcode);

/** Name of a MAP error code ("unknownSubscriber"), or NULL if unknown. */
const char *jitsim_map_err_name(uint8_t err);

/**
 * Extract identities from the parameter TLV of an Invoke of @p opcode.
 * SendAuthenticationInfo v2 carries a bare IMSI (OCTET STRING), v3 a
 * SEQUENCE; both are accepted. MO/MT-ForwardSM: SM-RP-DA/SM-RP-OA choice
 * (IMSI [0], LMSI [1], MSISDN [2], SC address [4]). Unknown operations,
 * and @p len 0 (a component without parameter, e.g. an SAI v3 Invoke asking
 * for more vectors), return OK with nothing set. Every field of @p out is
 * reset first, so it can be called for every component.
 * @return JITSIM_R_OK, JITSIM_R_MAP_BAD, JITSIM_R_MAP_BAD_DIGITS,
 *   JITSIM_R_BER_BAD, JITSIM_R_BER_TOO_DEEP, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_map_decode_invoke(uint8_t opcode, const uint8_t *param, size_t len,
					    struct jitsim_map_ids *out);

/**
 * Extract identities from the result TLV of a ReturnResult of @p opcode
 * (e.g. SendRoutingInfoForSM: IMSI; SendRoutingInfo: IMSI; UL: HLR number).
 * Same returns as jitsim_map_decode_invoke().
 */
enum jitsim_reason jitsim_map_decode_result(uint8_t opcode, const uint8_t *param, size_t len,
					    struct jitsim_map_ids *out);

/**
 * Encoder: write the Invoke argument TLV of @p opcode from @p ids (the
 * fields that operation carries) in front of the current wbuf content (which
 * should be empty). @p version selects SAI v2 (bare IMSI) or v3 (SEQUENCE).
 * Supported: 2, 3, 7, 22, 23, 44, 45, 46, 56, 67.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_map_encode_invoke(struct jitsim_wbuf *w, uint8_t opcode,
					    uint8_t version, const struct jitsim_map_ids *ids);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_map_ids_dump(const struct jitsim_map_ids *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_MAP_H */
