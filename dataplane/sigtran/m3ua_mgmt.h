/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_SIGTRAN_M3UA_MGMT_H
#define JITSIM_SIGTRAN_M3UA_MGMT_H

/**
 * @file
 * M3UA (RFC 4666) messages other than Transfer DATA: Management (3.8: ERR,
 * NTFY), SS7 Signalling Network Management (3.4: DUNA, DAVA, DAUD, SCON,
 * DUPU, DRST), ASP State Maintenance (3.5: ASPUP, ASPDN, BEAT and their
 * acknowledgements) and ASP Traffic Maintenance (3.7: ASPAC, ASPIA and
 * their acknowledgements). Transfer DATA stays in <jitsim/proto/m3ua.h>.
 *
 * One struct for every message: a bit in @c present per parameter seen.
 * The decoder is zero-copy (Heartbeat Data, Diagnostic Information and
 * INFO String point into the input), never allocates and never reads past
 * @p len; lists longer than the fixed arrays are refused (JITSIM_R_M3UA_BAD
 * with err_code 0x11 Invalid Parameter Value), never silently cut.
 *
 * Thread-safety: pure; any thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/* Message types per class (RFC 4666 3.1.3). */
#define JITSIM_M3UA_MGMT_ERR 0
#define JITSIM_M3UA_MGMT_NTFY 1
#define JITSIM_M3UA_SSNM_DUNA 1
#define JITSIM_M3UA_SSNM_DAVA 2
#define JITSIM_M3UA_SSNM_DAUD 3
#define JITSIM_M3UA_SSNM_SCON 4
#define JITSIM_M3UA_SSNM_DUPU 5
#define JITSIM_M3UA_SSNM_DRST 6
#define JITSIM_M3UA_ASPSM_ASPUP 1
#define JITSIM_M3UA_ASPSM_ASPDN 2
#define JITSIM_M3UA_ASPSM_BEAT 3
#define JITSIM_M3UA_ASPSM_ASPUP_ACK 4
#define JITSIM_M3UA_ASPSM_ASPDN_ACK 5
#define JITSIM_M3UA_ASPSM_BEAT_ACK 6
#define JITSIM_M3UA_ASPTM_ASPAC 1
#define JITSIM_M3UA_ASPTM_ASPIA 2
#define JITSIM_M3UA_ASPTM_ASPAC_ACK 3
#define JITSIM_M3UA_ASPTM_ASPIA_ACK 4

/* Parameter tags (RFC 4666 3.2) beyond those of <jitsim/proto/m3ua.h>. */
#define JITSIM_M3UA_TAG_INFO_STRING 0x0004
#define JITSIM_M3UA_TAG_DIAGNOSTIC 0x0007
#define JITSIM_M3UA_TAG_HEARTBEAT_DATA 0x0009
#define JITSIM_M3UA_TAG_TRAFFIC_MODE 0x000b
#define JITSIM_M3UA_TAG_ERROR_CODE 0x000c
#define JITSIM_M3UA_TAG_STATUS 0x000d
#define JITSIM_M3UA_TAG_ASP_ID 0x0011
#define JITSIM_M3UA_TAG_AFFECTED_PC 0x0012
#define JITSIM_M3UA_TAG_USER_CAUSE 0x0204
#define JITSIM_M3UA_TAG_CONGESTION 0x0205
#define JITSIM_M3UA_TAG_CONCERNED_DEST 0x0206

/* Traffic Mode Type (RFC 4666 3.7.1). */
#define JITSIM_M3UA_TMT_OVERRIDE 1
#define JITSIM_M3UA_TMT_LOADSHARE 2
#define JITSIM_M3UA_TMT_BROADCAST 3

/* Error Code (RFC 4666 3.8.1). */
#define JITSIM_M3UA_ERR_INVALID_VERSION 0x01
#define JITSIM_M3UA_ERR_UNSUPP_CLASS 0x03
#define JITSIM_M3UA_ERR_UNSUPP_TYPE 0x04
#define JITSIM_M3UA_ERR_UNSUPP_TRAFFIC_MODE 0x05
#define JITSIM_M3UA_ERR_UNEXPECTED_MSG 0x06
#define JITSIM_M3UA_ERR_PROTOCOL_ERROR 0x07
#define JITSIM_M3UA_ERR_INVALID_STREAM 0x09
#define JITSIM_M3UA_ERR_REFUSED_MGMT_BLOCKING 0x0d
#define JITSIM_M3UA_ERR_ASP_ID_REQUIRED 0x0e
#define JITSIM_M3UA_ERR_INVALID_ASP_ID 0x0f
#define JITSIM_M3UA_ERR_INVALID_PARAM_VALUE 0x11
#define JITSIM_M3UA_ERR_PARAM_FIELD_ERROR 0x12
#define JITSIM_M3UA_ERR_UNEXPECTED_PARAM 0x13
#define JITSIM_M3UA_ERR_DEST_STATUS_UNKNOWN 0x14
#define JITSIM_M3UA_ERR_INVALID_NA 0x15
#define JITSIM_M3UA_ERR_MISSING_PARAM 0x16
#define JITSIM_M3UA_ERR_INVALID_RC 0x19
#define JITSIM_M3UA_ERR_NO_CONFIGURED_AS 0x1a
/** Counters indexed by error code stop here (larger codes share the last slot). */
#define JITSIM_M3UA_ERR_MAX 0x1b

/* Notify Status Type / Information (RFC 4666 3.8.2). */
#define JITSIM_M3UA_NTFY_AS_STATE_CHANGE 1
#define JITSIM_M3UA_NTFY_OTHER 2
#define JITSIM_M3UA_AS_INACTIVE 2
#define JITSIM_M3UA_AS_ACTIVE 3
#define JITSIM_M3UA_AS_PENDING 4
#define JITSIM_M3UA_NTFY_INSUFF_ASP 1
#define JITSIM_M3UA_NTFY_ALT_ASP_ACTIVE 2
#define JITSIM_M3UA_NTFY_ASP_FAILURE 3

/* Bits of jitsim_m3ua_mgmt.present, one per parameter. */
#define JITSIM_M3UA_P_RC (1u << 0)
#define JITSIM_M3UA_P_NA (1u << 1)
#define JITSIM_M3UA_P_TRAFFIC_MODE (1u << 2)
#define JITSIM_M3UA_P_ASP_ID (1u << 3)
#define JITSIM_M3UA_P_ERROR_CODE (1u << 4)
#define JITSIM_M3UA_P_STATUS (1u << 5)
#define JITSIM_M3UA_P_AFFECTED_PC (1u << 6)
#define JITSIM_M3UA_P_CONCERNED_DEST (1u << 7)
#define JITSIM_M3UA_P_CONGESTION (1u << 8)
#define JITSIM_M3UA_P_USER_CAUSE (1u << 9)
#define JITSIM_M3UA_P_HEARTBEAT (1u << 10)
#define JITSIM_M3UA_P_DIAGNOSTIC (1u << 11)
#define JITSIM_M3UA_P_INFO_STRING (1u << 12)

/* Sizing: one AS per association in jitsim; SGPs send one DUNA per PC. */
#define JITSIM_M3UA_MGMT_MAX_RC 8
#define JITSIM_M3UA_MGMT_MAX_APC 32
/** INFO String is at most 255 octets (RFC 4666 3.2). */
#define JITSIM_M3UA_INFO_MAX 255

/** Affected Point Code entry (RFC 4666 3.4.1): mask(8) and PC(24). */
#define JITSIM_M3UA_APC(mask, pc) ((uint32_t)(mask) << 24 | ((pc)&0xffffffu))
#define JITSIM_M3UA_APC_MASK(e) ((uint8_t)((e) >> 24))
#define JITSIM_M3UA_APC_PC(e) ((e)&0xffffffu)

struct jitsim_m3ua_mgmt {
	uint8_t msg_class; /**< JITSIM_M3UA_CLASS_{MGMT,SSNM,ASPSM,ASPTM} */
	uint8_t msg_type;
	/** Decoder: RFC 4666 error code to answer with when it fails, else 0. */
	uint8_t err_code;
	uint32_t present; /**< JITSIM_M3UA_P_* */
	uint8_t n_rc;
	uint8_t n_apc;
	uint32_t rc[JITSIM_M3UA_MGMT_MAX_RC];
	uint32_t na;
	uint32_t traffic_mode;
	uint32_t asp_id;
	uint32_t error_code;
	uint16_t status_type;
	uint16_t status_info;
	uint32_t apc[JITSIM_M3UA_MGMT_MAX_APC]; /**< JITSIM_M3UA_APC(mask, pc) */
	uint32_t concerned_dest;		/**< 24-bit PC */
	uint8_t cong_level;			/**< Congestion Indications, 0..3 */
	uint16_t cause;				/**< User/Cause: unavailability cause */
	uint16_t user;				/**< User/Cause: MTP3 user (SI) */
	const uint8_t *heartbeat;		/**< opaque, echoed in BEAT_ACK */
	uint16_t heartbeat_len;
	const uint8_t *diagnostic; /**< ERR: the offending message (part of it) */
	uint16_t diagnostic_len;
	const uint8_t *info; /**< INFO String, not NUL-terminated */
	uint16_t info_len;
};

/** Reset @p m and set class and type; the encoder's starting point. */
void jitsim_m3ua_mgmt_init(struct jitsim_m3ua_mgmt *m, uint8_t msg_class, uint8_t msg_type);

/**
 * Decode one non-DATA M3UA message. Unknown optional parameters are
 * skipped; a parameter not allowed in the message is not an error either
 * (RFC 4666 does not require refusing it) but its value is not kept.
 * @return JITSIM_R_OK;
 *   JITSIM_R_TRUNCATED (shorter than the header, or the header length says
 *     more than @p len);
 *   JITSIM_R_M3UA_BAD_VERSION (err_code 0x01);
 *   JITSIM_R_M3UA_NOT_DATA is never returned; a Transfer message gives
 *     JITSIM_R_BAD_PARAM (use jitsim_m3ua_decode());
 *   JITSIM_R_M3UA_BAD with out->err_code set: 0x03/0x04 unsupported class
 *     or type (RKM included: jitsim does not register routing keys), 0x12
 *     parameter length wrong for its tag, 0x11 too many list entries,
 *     0x16 a mandatory parameter missing (ERR: Error Code; NTFY: Status;
 *     every SSNM message: Affected Point Code; DUPU also User/Cause),
 *     0x07 a header length below 8.
 * The header fields msg_class/msg_type are valid for every result but
 * TRUNCATED and BAD_VERSION.
 */
enum jitsim_reason jitsim_m3ua_mgmt_decode(const uint8_t *p, size_t len,
					   struct jitsim_m3ua_mgmt *out);

/**
 * Encode @p m at the tail of @p w (headroom not needed): the parameters set
 * in m->present that RFC 4666 lists for the message, in its order; others
 * are ignored. Variable-length values are padded to 4 octets.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE (w unchanged in length),
 *   JITSIM_R_BAD_PARAM (unknown class/type, n_rc or n_apc over the array,
 *   a mandatory parameter missing, info_len > 255, a value too long for the
 *   16-bit parameter length).
 */
enum jitsim_reason jitsim_m3ua_mgmt_encode(struct jitsim_wbuf *w, const struct jitsim_m3ua_mgmt *m);

/** Name of a message ("ASPUP_ACK", "DUNA", "DATA", "?"), never NULL. */
const char *jitsim_m3ua_msg_name(uint8_t msg_class, uint8_t msg_type);

/** Name of an RFC 4666 error code ("Invalid Routing Context"), never NULL. */
const char *jitsim_m3ua_err_name(uint32_t code);

/** One "key=value" line, snprintf semantics. */
int jitsim_m3ua_mgmt_dump(const struct jitsim_m3ua_mgmt *m, char *buf, size_t size);

#endif /* JITSIM_SIGTRAN_M3UA_MGMT_H */
