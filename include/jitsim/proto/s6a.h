/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_S6A_H
#define JITSIM_PROTO_S6A_H

/**
 * @file
 * S6a/S6d (3GPP TS 29.272) view of a Diameter message: the command, and the
 * AVPs the detection path needs. Works on any Diameter application (so a Gx
 * or Cx message is summarised too, and the caller filters on app_id).
 *
 * Zero-copy for strings (Session-Id, hosts, realms); digits decoded into the
 * struct. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_S6A_APP_ID 16777251

/* Command codes (TS 29.272 7.2.2, RFC 6733 3.1) */
#define JITSIM_DIAM_CMD_CER 257
#define JITSIM_DIAM_CMD_DWR 280
#define JITSIM_DIAM_CMD_DPR 282
#define JITSIM_S6A_CMD_ULR 316
#define JITSIM_S6A_CMD_CLR 317
#define JITSIM_S6A_CMD_AIR 318
#define JITSIM_S6A_CMD_IDR 319
#define JITSIM_S6A_CMD_DSR 320
#define JITSIM_S6A_CMD_PUR 321
#define JITSIM_S6A_CMD_RSR 322
#define JITSIM_S6A_CMD_NOR 323

/* AVP codes (RFC 6733 4.5, TS 29.272 7.3, TS 29.212, TS 29.229) */
#define JITSIM_AVP_USER_NAME 1
#define JITSIM_AVP_HOST_IP_ADDRESS 257
#define JITSIM_AVP_AUTH_APPLICATION_ID 258
#define JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID 260
#define JITSIM_AVP_SESSION_ID 263
#define JITSIM_AVP_ORIGIN_HOST 264
#define JITSIM_AVP_VENDOR_ID 266
#define JITSIM_AVP_RESULT_CODE 268
#define JITSIM_AVP_PRODUCT_NAME 269
#define JITSIM_AVP_AUTH_SESSION_STATE 277
#define JITSIM_AVP_ORIGIN_STATE_ID 278
#define JITSIM_AVP_DESTINATION_REALM 283
#define JITSIM_AVP_DESTINATION_HOST 293
#define JITSIM_AVP_ORIGIN_REALM 296
#define JITSIM_AVP_EXPERIMENTAL_RESULT 297
#define JITSIM_AVP_EXPERIMENTAL_RESULT_CODE 298
#define JITSIM_AVP_RAT_TYPE 1032	     /* 3GPP, TS 29.212 5.3.31 */
#define JITSIM_AVP_TERMINAL_INFORMATION 1401 /* 3GPP, grouped */
#define JITSIM_AVP_IMEI 1402
#define JITSIM_AVP_SOFTWARE_VERSION 1403
#define JITSIM_AVP_ULR_FLAGS 1405
#define JITSIM_AVP_ULA_FLAGS 1406
#define JITSIM_AVP_VISITED_PLMN_ID 1407
#define JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO 1408
#define JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS 1410
#define JITSIM_AVP_SUBSCRIPTION_DATA 1400
#define JITSIM_AVP_MSISDN 701 /* 3GPP, TS 29.329 */

/** Longest Diameter identity kept by pointer (longer ones are truncated in dumps only). */
struct jitsim_s6a_str {
	const uint8_t *p; /**< points into the message; NULL if absent */
	uint16_t len;
};

struct jitsim_s6a {
	struct jitsim_diam_hdr hdr;
	bool is_request;
	struct jitsim_s6a_str session_id;
	struct jitsim_s6a_str origin_host;
	struct jitsim_s6a_str origin_realm;
	struct jitsim_s6a_str dest_host;
	struct jitsim_s6a_str dest_realm;
	bool has_user_name;
	struct jitsim_digits user_name; /**< IMSI digits (TS 29.272 7.3.x: User-Name = IMSI) */
	bool user_name_not_digits;	/**< User-Name present but not a digit string */
	uint64_t user_name_key;		/**< jitsim_digits_key(&user_name), found in the same
					 *   pass (valid when has_user_name) */
	bool has_visited_plmn;
	uint8_t visited_plmn[3]; /**< TS 24.008 10.5.1.13 encoding */
	char visited_mcc_mnc[8]; /**< "MCCMNC" decoded, e.g. "00101", NUL-padded */
	bool has_rat_type;
	uint32_t rat_type;
	bool has_ulr_flags;
	uint32_t ulr_flags;
	bool has_imei;
	struct jitsim_digits imei;
	bool has_sv;
	struct jitsim_digits sv; /**< Software-Version */
	bool has_msisdn;
	struct jitsim_digits msisdn; /**< MSISDN AVP (TBCD) inside Subscription-Data or top level */
	bool has_result_code;
	uint32_t result_code;
	bool has_exp_result;
	uint32_t exp_vendor;
	uint32_t exp_result_code;
	bool has_n_vectors;
	uint32_t n_vectors; /**< Number-Of-Requested-Vectors (AIR) */
};

/**
 * Decode a whole Diameter message into its S6a view.
 * @return JITSIM_R_OK, or the errors of jitsim_diam_decode_hdr() and
 *   jitsim_diam_avp_next() (JITSIM_R_DIAM_BAD_AVP), JITSIM_R_DIAM_TOO_DEEP.
 *   JITSIM_R_DIAM_BAD_AVP also when an AVP the view reads has a value of the
 *   wrong format: Unsigned32 not 4 octets, Visited-PLMN-Id not 3 octets of
 *   BCD, IMEI/Software-Version not 1..JITSIM_DIGITS_MAX digits, MSISDN not
 *   TBCD, a string longer than 65535. A User-Name that is not 1..32 digits
 *   is not an error (user_name_not_digits). The first occurrence of an AVP
 *   wins. MSISDN is searched in Subscription-Data level by level, and
 *   JITSIM_R_DIAM_TOO_DEEP is returned only if the search has to go below
 *   JITSIM_DIAM_MAX_DEPTH (top-level AVPs are depth 1).
 *   Only the has_* flags and the string pointers are reset: a value is
 *   valid when its flag is set, a string when its pointer is not NULL.
 *   On an error the view is partly filled.
 */
enum jitsim_reason jitsim_s6a_decode(const uint8_t *p, size_t len, struct jitsim_s6a *out);

/**
 * Decode a 3-octet PLMN identity (TS 24.008 10.5.1.13: MCC digit 2|1,
 * MNC digit 3|MCC digit 3, MNC digit 2|1) into "MCCMNC" (5 or 6 digits),
 * NUL-padded to the 8 bytes of @p out.
 * @return JITSIM_R_OK or JITSIM_R_MAP_BAD_DIGITS (@p out set to "").
 */
enum jitsim_reason jitsim_plmn_decode(const uint8_t p[3], char out[8]);

/** Encode "MCCMNC" (5 or 6 digits) as a PLMN identity; 0 or -1. */
int jitsim_plmn_encode(const char *mcc_mnc, uint8_t out[3]);

/** Parameters of an S6a request or answer built by jitsim_s6a_encode(). */
struct jitsim_s6a_msg {
	uint32_t cmd; /**< JITSIM_S6A_CMD_* */
	bool is_request;
	uint32_t hbh;
	uint32_t e2e;
	const char *session_id;
	const char *origin_host;
	const char *origin_realm;
	const char *dest_host;	    /**< NULL to omit */
	const char *dest_realm;	    /**< NULL to omit */
	const char *imsi;	    /**< User-Name, NULL to omit */
	const char *visited_plmn;   /**< "MCCMNC", NULL to omit */
	uint32_t rat_type;	    /**< 0 to omit; 1004 = EUTRAN */
	uint32_t ulr_flags;	    /**< ULR only */
	const char *imei;	    /**< Terminal-Information/IMEI, NULL to omit */
	const char *msisdn;	    /**< ULA/IDR Subscription-Data/MSISDN, NULL to omit */
	uint32_t result_code;	    /**< answers: 0 to omit */
	uint32_t exp_result_code;   /**< answers: Experimental-Result (3GPP), 0 to omit */
	uint32_t n_vectors;	    /**< AIR: Requested-EUTRAN-Authentication-Info, 0 to omit */
	uint32_t cancellation_type; /**< CLR: mandatory Cancellation-Type (TS 29.272 7.3.24),
				     *   always sent; 0 = MME_UPDATE_PROCEDURE */
};

/**
 * Encoder: append a whole S6a message (Auth-Session-State NO_STATE_MAINTAINED,
 * Vendor-Specific-Application-Id 10415/16777251) to the wbuf.
 * Commands: AIR, ULR, PUR, CLR, IDR, NOR, requests and answers. Fields the
 * command does not carry are ignored. JITSIM_R_BAD_PARAM (nothing written)
 * for another command, a missing mandatory AVP of TS 29.272 7.2 (session_id,
 * origin_*; requests: dest_realm, imsi; CLR/IDR: dest_host; AIR/ULR:
 * visited_plmn; ULR: rat_type), answers without exactly one of result_code
 * and exp_result_code, or a malformed value (IMSI/MSISDN of 1..15 digits,
 * IMEI of 14..15 digits, PLMN of 5..6 digits).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE (wbuf length unchanged), JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_s6a_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_s6a_dump(const struct jitsim_s6a *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_S6A_H */
