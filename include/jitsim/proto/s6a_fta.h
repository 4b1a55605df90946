/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_S6A_FTA_H
#define JITSIM_PROTO_S6A_FTA_H

/**
 * @file
 * S6a (3GPP TS 29.272) pieces the First Time Attach endpoint needs to play
 * the HSS toward an MME: strict parsers for the requests it answers
 * (Authentication-Information-Request 7.2.5, Update-Location-Request 7.2.3,
 * and the common part of any request, enough for Purge-UE 7.2.13 and
 * Notify 7.2.17), builders for its answers (AIA 7.2.6, ULA 7.2.4, PUA
 * 7.2.14, NOA 7.2.18, error answers of any command with Result-Code or
 * Experimental-Result and Failed-AVP, RFC 6733 7.2/7.5) and for the
 * Cancel-Location-Request (7.2.7) it sends.
 *
 * jitsim_s6a_decode() (s6a.h) is the lenient one-pass view of the
 * detection path; these parsers are for the endpoint that must answer, so
 * they check the command ABNF: mandatory AVPs present, single AVPs not
 * repeated, values of the right length and format. When a request is
 * refused, @c req.err says with which Result-Code to answer and which AVP
 * goes into Failed-AVP, and jitsim_s6a_fta_answer_error() writes that
 * answer.
 *
 * Users: the Diameter node (dataplane/diameter/) and jitsim-cp's FTA
 * engine; the test MME client builds AIR/ULR with jitsim_s6a_encode().
 *
 * Conventions:
 * - parsers are zero-copy for strings and raw AVPs (they point into the
 *   message, so the message must outlive the parsed struct: an answer built
 *   later, a ULA after the activation workflow, keeps the request bytes and
 *   parses them again), copy numbers, digits, RAND and AUTS; they never
 *   allocate; the whole output is reset first;
 * - builders append one whole Diameter message to the wbuf (as
 *   jitsim_s6a_encode()); every parameter is checked before the first byte
 *   is written; on failure the wbuf length is unchanged;
 * - answers copy the request's command code, Application-Id, hop-by-hop and
 *   end-to-end identifiers and P bit, echo its Session-Id and Proxy-Info
 *   AVPs in order (RFC 6733 6.2), and carry Auth-Session-State
 *   NO_STATE_MAINTAINED when the request is S6a (TS 29.272 7.1);
 * - every function returns enum jitsim_reason and lists its values.
 *
 * Secrets: vectors hold XRES, KASME, CK, IK, Kc. Nothing here logs; the
 * dumps print presence and counts, never RAND, AUTS or vector contents.
 *
 * Thread-safety: pure; every function may be called from any thread on
 * its own buffers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/wbuf.h>

/* Base protocol AVPs (RFC 6733 4.5) not in s6a.h. */
#define JITSIM_AVP_FAILED_AVP 279
#define JITSIM_AVP_PROXY_INFO 284
#define JITSIM_AVP_SERVICE_SELECTION 493 /* RFC 5778 6.2 */

/* 3GPP AVPs (TS 29.272 7.3.1, TS 29.212 5.3, TS 29.214 5.3, TS 29.229 6.3). */
#define JITSIM_AVP_MAX_REQUESTED_BANDWIDTH_DL 515	    /* TS 29.214 5.3.14 */
#define JITSIM_AVP_MAX_REQUESTED_BANDWIDTH_UL 516	    /* TS 29.214 5.3.15 */
#define JITSIM_AVP_CONFIDENTIALITY_KEY 625		    /* TS 29.229 6.3.27 */
#define JITSIM_AVP_INTEGRITY_KEY 626			    /* TS 29.229 6.3.28 */
#define JITSIM_AVP_QOS_CLASS_IDENTIFIER 1028		    /* TS 29.212 5.3.17 */
#define JITSIM_AVP_ALLOCATION_RETENTION_PRIORITY 1034	    /* TS 29.212 5.3.32 */
#define JITSIM_AVP_PRIORITY_LEVEL 1046			    /* TS 29.212 5.3.45 */
#define JITSIM_AVP_PRE_EMPTION_CAPABILITY 1047		    /* TS 29.212 5.3.46 */
#define JITSIM_AVP_PRE_EMPTION_VULNERABILITY 1048	    /* TS 29.212 5.3.47 */
#define JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO 1409	    /* 7.3.12 */
#define JITSIM_AVP_RE_SYNCHRONIZATION_INFO 1411		    /* 7.3.15 */
#define JITSIM_AVP_IMMEDIATE_RESPONSE_PREFERRED 1412	    /* 7.3.16 */
#define JITSIM_AVP_AUTHENTICATION_INFO 1413		    /* 7.3.17 */
#define JITSIM_AVP_E_UTRAN_VECTOR 1414			    /* 7.3.18 */
#define JITSIM_AVP_UTRAN_VECTOR 1415			    /* 7.3.19 */
#define JITSIM_AVP_GERAN_VECTOR 1416			    /* 7.3.20 */
#define JITSIM_AVP_NETWORK_ACCESS_MODE 1417		    /* 7.3.21 */
#define JITSIM_AVP_ITEM_NUMBER 1419			    /* 7.3.23 */
#define JITSIM_AVP_CANCELLATION_TYPE 1420		    /* 7.3.24 */
#define JITSIM_AVP_CONTEXT_IDENTIFIER 1423		    /* 7.3.27 */
#define JITSIM_AVP_SUBSCRIBER_STATUS 1424		    /* 7.3.29 */
#define JITSIM_AVP_ALL_APN_CONFIGURATIONS_INCLUDED_IND 1428 /* 7.3.33 */
#define JITSIM_AVP_APN_CONFIGURATION_PROFILE 1429	    /* 7.3.34 */
#define JITSIM_AVP_APN_CONFIGURATION 1430		    /* 7.3.35 */
#define JITSIM_AVP_EPS_SUBSCRIBED_QOS_PROFILE 1431	    /* 7.3.37 */
#define JITSIM_AVP_AMBR 1435				    /* 7.3.41 */
#define JITSIM_AVP_PUA_FLAGS 1442			    /* 7.3.48 */
#define JITSIM_AVP_RAND 1447				    /* 7.3.53 */
#define JITSIM_AVP_XRES 1448				    /* 7.3.54 */
#define JITSIM_AVP_AUTN 1449				    /* 7.3.55 */
#define JITSIM_AVP_KASME 1450				    /* 7.3.56 */
#define JITSIM_AVP_KC 1453				    /* 7.3.59 */
#define JITSIM_AVP_SRES 1454				    /* 7.3.60 */
#define JITSIM_AVP_PDN_TYPE 1456			    /* 7.3.62 */
#define JITSIM_AVP_CLR_FLAGS 1638			    /* 7.3.152 */

/* Result-Code values (RFC 6733 7.1). */
#define JITSIM_DIAM_SUCCESS 2001
#define JITSIM_DIAM_COMMAND_UNSUPPORTED 3001
#define JITSIM_DIAM_UNABLE_TO_DELIVER 3002
#define JITSIM_DIAM_TOO_BUSY 3004
#define JITSIM_DIAM_REDIRECT_INDICATION 3006
#define JITSIM_DIAM_APPLICATION_UNSUPPORTED 3007
#define JITSIM_DIAM_INVALID_HDR_BITS 3008
#define JITSIM_DIAM_INVALID_AVP_BITS 3009
#define JITSIM_DIAM_AVP_UNSUPPORTED 5001
#define JITSIM_DIAM_INVALID_AVP_VALUE 5004
#define JITSIM_DIAM_MISSING_AVP 5005
#define JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES 5009
#define JITSIM_DIAM_UNABLE_TO_COMPLY 5012
#define JITSIM_DIAM_INVALID_AVP_LENGTH 5014
#define JITSIM_DIAM_INVALID_MESSAGE_LENGTH 5015

/* Experimental-Result-Code values, vendor 10415 (TS 29.272 7.4.3, 7.4.4). */
#define JITSIM_S6A_ERROR_USER_UNKNOWN 5001
#define JITSIM_S6A_ERROR_ROAMING_NOT_ALLOWED 5004
#define JITSIM_S6A_ERROR_UNKNOWN_EPS_SUBSCRIPTION 5420
#define JITSIM_S6A_ERROR_RAT_NOT_ALLOWED 5421
#define JITSIM_S6A_ERROR_EQUIPMENT_UNKNOWN 5422
#define JITSIM_S6A_AUTHENTICATION_DATA_UNAVAILABLE 4181

/* Enumerated values (TS 29.272 7.3, TS 29.212 5.3). */
#define JITSIM_S6A_RAT_UTRAN 1000
#define JITSIM_S6A_RAT_GERAN 1001
#define JITSIM_S6A_RAT_EUTRAN 1004
#define JITSIM_S6A_SUBSCRIBER_STATUS_SERVICE_GRANTED 0 /* 7.3.29 */
#define JITSIM_S6A_SUBSCRIBER_STATUS_OPERATOR_DETERMINED_BARRING 1
#define JITSIM_S6A_NAM_PACKET_AND_CIRCUIT 0 /* 7.3.21 */
#define JITSIM_S6A_NAM_ONLY_PACKET 2
#define JITSIM_S6A_PDN_TYPE_IPV4 0 /* 7.3.62 */
#define JITSIM_S6A_PDN_TYPE_IPV6 1
#define JITSIM_S6A_PDN_TYPE_IPV4V6 2
#define JITSIM_S6A_PDN_TYPE_IPV4_OR_IPV6 3
#define JITSIM_S6A_ALL_APN_CONFIGURATIONS_INCLUDED 0 /* 7.3.33 */
#define JITSIM_S6A_MODIFIED_ADDED_APN_CONFIGURATIONS 1
#define JITSIM_S6A_PRE_EMPTION_CAPABILITY_ENABLED 0 /* TS 29.212 5.3.46 */
#define JITSIM_S6A_PRE_EMPTION_CAPABILITY_DISABLED 1
#define JITSIM_S6A_PRE_EMPTION_VULNERABILITY_ENABLED 0 /* TS 29.212 5.3.47 */
#define JITSIM_S6A_PRE_EMPTION_VULNERABILITY_DISABLED 1
#define JITSIM_S6A_CANCEL_MME_UPDATE_PROCEDURE 0 /* 7.3.24 */
#define JITSIM_S6A_CANCEL_SGSN_UPDATE_PROCEDURE 1
#define JITSIM_S6A_CANCEL_SUBSCRIPTION_WITHDRAWAL 2
#define JITSIM_S6A_CANCEL_UPDATE_PROCEDURE_IWF 3
#define JITSIM_S6A_CANCEL_INITIAL_ATTACH_PROCEDURE 4

/* ULR-Flags bits (7.3.7). */
#define JITSIM_S6A_ULR_SINGLE_REGISTRATION_IND (1u << 0)
#define JITSIM_S6A_ULR_S6A_S6D_INDICATOR (1u << 1)
#define JITSIM_S6A_ULR_SKIP_SUBSCRIBER_DATA (1u << 2)
#define JITSIM_S6A_ULR_GPRS_SUBSCRIPTION_DATA_IND (1u << 3)
#define JITSIM_S6A_ULR_NODE_TYPE_IND (1u << 4)
#define JITSIM_S6A_ULR_INITIAL_ATTACH_IND (1u << 5)
#define JITSIM_S6A_ULR_PS_LCS_NOT_SUPPORTED_BY_UE (1u << 6)
/* ULA-Flags bits (7.3.8). */
#define JITSIM_S6A_ULA_SEPARATION_INDICATION (1u << 0)
#define JITSIM_S6A_ULA_MME_REGISTERED_FOR_SMS (1u << 1)
/* PUA-Flags bits (7.3.48). */
#define JITSIM_S6A_PUA_FREEZE_M_TMSI (1u << 0)
#define JITSIM_S6A_PUA_FREEZE_P_TMSI (1u << 1)
/* CLR-Flags bits (7.3.152). */
#define JITSIM_S6A_CLR_S6A_S6D_INDICATOR (1u << 0)
#define JITSIM_S6A_CLR_REATTACH_REQUIRED (1u << 1)

/* Octet lengths (TS 29.272 7.3.15, 7.3.53-7.3.60; TS 33.102 6.3; TS 33.401 A.2). */
#define JITSIM_S6A_RAND_LEN 16
#define JITSIM_S6A_AUTS_LEN 14
#define JITSIM_S6A_RESYNC_LEN (JITSIM_S6A_RAND_LEN + JITSIM_S6A_AUTS_LEN)
#define JITSIM_S6A_AUTN_LEN 16
#define JITSIM_S6A_KASME_LEN 32
#define JITSIM_S6A_CK_LEN 16
#define JITSIM_S6A_IK_LEN 16
#define JITSIM_S6A_KC_LEN 8
#define JITSIM_S6A_SRES_LEN 4
#define JITSIM_S6A_XRES_MIN 4
#define JITSIM_S6A_XRES_MAX 16

/**
 * Vectors of one kind in an AIA. TS 29.272 5.2.3.1.3 lets the HSS return
 * fewer than requested; 5 is the MAP limit (TS 29.002 17.7.3) that MMEs
 * ask for at most, and keeps an AIA far below any peer's message limit.
 */
#define JITSIM_S6A_FTA_VECTORS_MAX 5
/** Proxy-Info AVPs kept to echo (RFC 6733 6.7.3: one per stateful proxy on the path). */
#define JITSIM_S6A_FTA_PROXY_INFO_MAX 4
/** APN-Configurations in one Subscription-Data. */
#define JITSIM_S6A_FTA_APN_MAX 4
/** APN Network Identifier, dotted text (TS 23.003 9.1: at most 63 octets). */
#define JITSIM_S6A_FTA_APN_NAME_MAX 63

/** What to answer a refused request with (RFC 6733 7.1, 7.5). */
struct jitsim_s6a_fta_err {
	uint32_t result_code; /**< JITSIM_DIAM_* (5004, 5005, 5009, 5012, 5014, 5015); 0: none */
	uint32_t code;	      /**< code of the failed (or missing) AVP */
	uint32_t vendor;      /**< its vendor, 0 for IETF */
	/**
	 * The failed AVP as received, header included, AVP Length octets
	 * (without padding). NULL when it cannot be copied: a missing AVP,
	 * or one whose length is what is wrong; Failed-AVP then holds an
	 * example with @c code, @c vendor and a zero value of
	 * @c missing_len octets (RFC 6733 7.5), or nothing when @c code is 0
	 * (5015: bytes after the last AVP that are not one).
	 */
	const uint8_t *avp;
	size_t avp_len;
	uint8_t missing_len;
};

/**
 * The part every request shares, and everything an answer needs from it.
 * Strings and Proxy-Info point into the message.
 */
struct jitsim_s6a_fta_req {
	uint32_t cmd;	 /**< command code */
	uint32_t app_id; /**< Application-Id of the header */
	uint8_t flags;	 /**< header flags as received (T: possible retransmission) */
	uint32_t hbh;	 /**< hop-by-hop identifier */
	uint32_t e2e;	 /**< end-to-end identifier (duplicate detection) */
	struct jitsim_s6a_str session_id;
	struct jitsim_s6a_str origin_host;
	struct jitsim_s6a_str origin_realm;
	struct jitsim_s6a_str dest_host; /**< NULL if absent */
	struct jitsim_s6a_str dest_realm;
	bool has_auth_session_state;
	uint32_t auth_session_state;
	bool has_imsi;
	struct jitsim_digits imsi; /**< User-Name (TS 29.272 7.3.x, TS 23.003 2.2: 5..15 digits) */
	uint8_t n_proxy_info;
	struct jitsim_s6a_str proxy_info[JITSIM_S6A_FTA_PROXY_INFO_MAX]; /**< whole AVPs */
	struct jitsim_s6a_fta_err err; /**< set when a parser returns JITSIM_R_DIAM_BAD_AVP */
};

/**
 * Requested-EUTRAN-Authentication-Info (7.3.11) or
 * Requested-UTRAN-GERAN-Authentication-Info (7.3.12):
 * { [ Number-Of-Requested-Vectors ] [ Immediate-Response-Preferred ]
 *   [ Re-Synchronization-Info ] }.
 */
struct jitsim_s6a_fta_req_auth {
	bool present;
	uint32_t n_requested;		   /**< as received, 0 if absent */
	bool immediate_response_preferred; /**< 7.3.16: meaningful by presence */
	bool has_resync;		   /**< Re-Synchronization-Info: RAND || AUTS (7.3.15) */
	uint8_t rand[JITSIM_S6A_RAND_LEN];
	uint8_t auts[JITSIM_S6A_AUTS_LEN];
};

/** Authentication-Information-Request (TS 29.272 7.2.5). */
struct jitsim_s6a_fta_air {
	struct jitsim_s6a_fta_req req;
	uint8_t visited_plmn[3]; /**< TS 24.008 10.5.1.13 order (KASME's SN id) */
	char visited_mcc_mnc[8]; /**< "MCCMNC" */
	struct jitsim_s6a_fta_req_auth eutran;
	struct jitsim_s6a_fta_req_auth utran_geran;
};

/** Update-Location-Request (TS 29.272 7.2.3). */
struct jitsim_s6a_fta_ulr {
	struct jitsim_s6a_fta_req req;
	uint8_t visited_plmn[3];
	char visited_mcc_mnc[8];
	uint32_t rat_type;  /**< JITSIM_S6A_RAT_* (TS 29.212 5.3.31) */
	uint32_t ulr_flags; /**< JITSIM_S6A_ULR_* */
	bool has_terminal;  /**< Terminal-Information (7.3.3) */
	bool has_imei;
	struct jitsim_digits imei; /**< 14..15 digits (7.3.4) */
	bool has_sv;
	struct jitsim_digits sv; /**< Software-Version, 2 digits (7.3.5) */
};

/**
 * Parse the common part of any Diameter request: header (the R bit must be
 * set) and { Session-Id } { Auth-Session-State } { Origin-Host }
 * { Origin-Realm } [ Destination-Host ] { Destination-Realm } { User-Name }
 * *[ Proxy-Info ], the ABNF every S6a request shares (PUR 7.2.13, NOR
 * 7.2.17, IDA/DSA/CLA are answers). Other AVPs are skipped whatever their M
 * bit: the set an MME sends grows with every release of TS 29.272, and an
 * HSS that refused them would fail attaches. @p cmd 0 takes any command.
 * @return JITSIM_R_OK; the values of jitsim_diam_decode_hdr()
 *   (JITSIM_R_TRUNCATED, JITSIM_R_DIAM_BAD_VERSION, JITSIM_R_DIAM_BAD_HEADER);
 *   JITSIM_R_BAD_PARAM (not a request, or @p cmd given and different);
 *   JITSIM_R_DIAM_BAD_AVP with @c out->err set: AVP framing broken (5014,
 *   the AVP at which it broke; 5015 when fewer octets than an AVP header
 *   are left), a mandatory AVP missing (5005), a single
 *   AVP repeated (5009), a value of the wrong length (5014: Unsigned32 not
 *   4 octets) or format (5004: empty identity, User-Name not 5..15
 *   digits), more than JITSIM_S6A_FTA_PROXY_INFO_MAX Proxy-Info (5012).
 *   The first error found is reported; the walk goes on after a value
 *   error so that Session-Id and Proxy-Info are known for the answer:
 *   on JITSIM_R_DIAM_BAD_AVP @p out is as complete as the bytes allow, so
 *   jitsim_s6a_fta_answer_error(..., &out->err) answers it. A grouped AVP
 *   whose inside is wrong is reported by the inner AVP (RFC 6733 7.5
 *   lets Failed-AVP hold either).
 */
enum jitsim_reason jitsim_s6a_fta_req_decode(const uint8_t *p, size_t len, uint32_t cmd,
					     struct jitsim_s6a_fta_req *out);

/**
 * Parse an AIR: the common part plus { Visited-PLMN-Id } (3 octets, BCD),
 * [ Requested-EUTRAN-Authentication-Info ],
 * [ Requested-UTRAN-GERAN-Authentication-Info ]. Inside those, unknown
 * AVPs are skipped, Unsigned32 values must be 4 octets and
 * Re-Synchronization-Info 30 octets (5014), and none may repeat (5009).
 * @return as jitsim_s6a_fta_req_decode(), with cmd 318 and app S6a
 *   (JITSIM_R_BAD_PARAM otherwise).
 */
enum jitsim_reason jitsim_s6a_fta_air_decode(const uint8_t *p, size_t len,
					     struct jitsim_s6a_fta_air *out);

/**
 * Parse a ULR: the common part plus { RAT-Type } { ULR-Flags }
 * { Visited-PLMN-Id } [ Terminal-Information { [IMEI] [Software-Version] } ]
 * (IMEI 14..15 digits, Software-Version 2 digits: 5004 otherwise).
 * @return as jitsim_s6a_fta_req_decode(), with cmd 316 and app S6a.
 */
enum jitsim_reason jitsim_s6a_fta_ulr_decode(const uint8_t *p, size_t len,
					     struct jitsim_s6a_fta_ulr *out);

/** Who answers: Origin-Host and Origin-Realm (DiameterIdentity, RFC 6733 4.3.1). */
struct jitsim_s6a_fta_origin {
	const char *host;
	const char *realm;
};

/** E-UTRAN-Vector (7.3.18), from MILENAGE (TS 33.102) and KDF (TS 33.401 A.2). */
struct jitsim_s6a_fta_eutran_vector {
	uint8_t rand[JITSIM_S6A_RAND_LEN];
	uint8_t xres[JITSIM_S6A_XRES_MAX];
	uint8_t xres_len; /**< 4..16 */
	uint8_t autn[JITSIM_S6A_AUTN_LEN];
	uint8_t kasme[JITSIM_S6A_KASME_LEN];
};

/** UTRAN-Vector (7.3.19). */
struct jitsim_s6a_fta_utran_vector {
	uint8_t rand[JITSIM_S6A_RAND_LEN];
	uint8_t xres[JITSIM_S6A_XRES_MAX];
	uint8_t xres_len; /**< 4..16 */
	uint8_t autn[JITSIM_S6A_AUTN_LEN];
	uint8_t ck[JITSIM_S6A_CK_LEN];
	uint8_t ik[JITSIM_S6A_IK_LEN];
};

/** GERAN-Vector (7.3.20). */
struct jitsim_s6a_fta_geran_vector {
	uint8_t rand[JITSIM_S6A_RAND_LEN];
	uint8_t sres[JITSIM_S6A_SRES_LEN];
	uint8_t kc[JITSIM_S6A_KC_LEN];
};

/** Authentication-Info (7.3.17): each list 0..JITSIM_S6A_FTA_VECTORS_MAX, Item-Number 1.. in order.
 */
struct jitsim_s6a_fta_auth_info {
	const struct jitsim_s6a_fta_eutran_vector *eutran;
	unsigned int n_eutran;
	const struct jitsim_s6a_fta_utran_vector *utran;
	unsigned int n_utran;
	const struct jitsim_s6a_fta_geran_vector *geran;
	unsigned int n_geran;
};

/**
 * Build a successful AIA (7.2.6) answering @p req:
 * < Session-Id > [ Vendor-Specific-Application-Id ] [ Result-Code 2001 ]
 * { Auth-Session-State } { Origin-Host } { Origin-Realm }
 * [ Authentication-Info { *[ E-UTRAN-Vector { Item-Number, RAND, XRES,
 *   AUTN, KASME } ] *[ UTRAN-Vector { Item-Number, RAND, XRES, AUTN,
 *   Confidentiality-Key, Integrity-Key } ] *[ GERAN-Vector { Item-Number,
 *   RAND, SRES, Kc } ] } ] *[ Proxy-Info ].
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (@p req
 *   without Session-Id, origin strings NULL or empty, no vector at all, a
 *   count above JITSIM_S6A_FTA_VECTORS_MAX, an xres_len not 4..16).
 */
enum jitsim_reason jitsim_s6a_fta_aia_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_req *req,
					     const struct jitsim_s6a_fta_origin *origin,
					     const struct jitsim_s6a_fta_auth_info *ai);

/** One APN-Configuration (7.3.35), from the tariff. */
struct jitsim_s6a_fta_apn {
	uint32_t context_id;			    /**< Context-Identifier, 1.. */
	uint32_t pdn_type;			    /**< JITSIM_S6A_PDN_TYPE_* */
	char name[JITSIM_S6A_FTA_APN_NAME_MAX + 1]; /**< Service-Selection: "internet", "*" */
	uint32_t qci;			    /**< QoS-Class-Identifier 1..254 (TS 23.203 6.1.7) */
	uint32_t priority_level;	    /**< ARP Priority-Level 1..15 */
	uint32_t pre_emption_capability;    /**< JITSIM_S6A_PRE_EMPTION_CAPABILITY_* */
	uint32_t pre_emption_vulnerability; /**< JITSIM_S6A_PRE_EMPTION_VULNERABILITY_* */
	uint32_t ambr_ul;		    /**< per-APN AMBR, bit/s; both 0: no AMBR in the APN */
	uint32_t ambr_dl;
};

/**
 * Subscription-Data of a ULA (7.3.2) as the FTA endpoint sends it:
 * { [ Subscriber-Status ] [ MSISDN ] [ Network-Access-Mode ] [ AMBR ]
 *   [ APN-Configuration-Profile { Context-Identifier,
 *     All-APN-Configurations-Included-Indicator, 1*APN-Configuration {
 *       Context-Identifier, PDN-Type, Service-Selection,
 *       EPS-Subscribed-QoS-Profile { QoS-Class-Identifier,
 *         Allocation-Retention-Priority { Priority-Level,
 *           Pre-emption-Capability, Pre-emption-Vulnerability } },
 *       [ AMBR ] } } ] }.
 */
struct jitsim_s6a_fta_subscription {
	struct jitsim_digits msisdn;  /**< E.164, 1..15 digits; n 0: omitted */
	uint32_t subscriber_status;   /**< JITSIM_S6A_SUBSCRIBER_STATUS_* */
	uint32_t network_access_mode; /**< JITSIM_S6A_NAM_* */
	uint32_t ambr_ul;	      /**< UE-AMBR, bit/s; both 0: no AMBR */
	uint32_t ambr_dl;
	uint32_t default_context_id; /**< APN-Configuration-Profile Context-Identifier */
	uint32_t all_apn_included;   /**< JITSIM_S6A_ALL_APN_* / MODIFIED_ADDED_* */
	uint8_t n_apn;		     /**< 0: no APN-Configuration-Profile */
	struct jitsim_s6a_fta_apn apn[JITSIM_S6A_FTA_APN_MAX];
};

/**
 * Defaults: SERVICE_GRANTED, ONLY_PACKET, no MSISDN, no UE-AMBR, one APN:
 * context 1 (the default), IPv4, "internet", QCI 9, ARP priority 8,
 * pre-emption capability disabled, vulnerability enabled (TS 29.212
 * 5.3.46/47 defaults), no APN-AMBR; all APN configurations included.
 */
void jitsim_s6a_fta_subscription_init(struct jitsim_s6a_fta_subscription *s);

/**
 * Build a successful ULA (7.2.4): Result-Code 2001, [ ULA-Flags ] (sent
 * always: the MME reads Separation Indication from it, 7.3.8),
 * [ Subscription-Data ] when @p sub is not NULL (NULL when the ULR asked
 * for Skip-Subscriber-Data).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (@p req
 *   without Session-Id, origin strings NULL or empty, MSISDN over 15
 *   digits or not decimal, n_apn above the max, an APN name empty, over
 *   63 octets, with an empty label or a character other than letters,
 *   digits and '-' (or "*" alone), a context_id 0 or repeated, the default
 *   context not among the APNs, priority_level not 1..15, qci not 1..254,
 *   pdn_type above 3, a pre-emption value above 1).
 */
enum jitsim_reason jitsim_s6a_fta_ula_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_req *req,
					     const struct jitsim_s6a_fta_origin *origin,
					     uint32_t ula_flags,
					     const struct jitsim_s6a_fta_subscription *sub);

/**
 * Build a successful PUA (7.2.14): Result-Code 2001, [ PUA-Flags ] when
 * @p pua_flags is not 0.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (as AIA).
 */
enum jitsim_reason jitsim_s6a_fta_pua_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_req *req,
					     const struct jitsim_s6a_fta_origin *origin,
					     uint32_t pua_flags);

/**
 * Build a successful NOA (7.2.18): Result-Code 2001.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (as AIA).
 */
enum jitsim_reason jitsim_s6a_fta_noa_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_req *req,
					     const struct jitsim_s6a_fta_origin *origin);

/**
 * Build an error answer to any request @p req (any command, any
 * application: also the base node's 3001/3007): with @p exp_result_code
 * not 0 an Experimental-Result { Vendor-Id 10415, Experimental-Result-Code }
 * (TS 29.272 7.4.3: e.g. JITSIM_S6A_ERROR_USER_UNKNOWN), otherwise
 * Result-Code @p result_code (3xxx sets the E bit, RFC 6733 7.2);
 * Session-Id when the request had one; [ Failed-AVP ] from @p failed when
 * it is not NULL and has a result code (RFC 6733 7.5: the received AVP, or
 * a zero-valued example of a missing one). The RFC 6733 7.2 form with the
 * command's answer AVPs: Auth-Session-State for S6a.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (both or
 *   neither code given, @p result_code not 3000..5999 or
 *   @p exp_result_code not 4000..5999 (errors only: successes have their
 *   builders), origin strings NULL or empty, @p failed with avp_len
 *   shorter than an AVP header or, for an example, missing_len over 16).
 */
enum jitsim_reason jitsim_s6a_fta_answer_error(struct jitsim_wbuf *w,
					       const struct jitsim_s6a_fta_req *req,
					       const struct jitsim_s6a_fta_origin *origin,
					       uint32_t result_code, uint32_t exp_result_code,
					       const struct jitsim_s6a_fta_err *failed);

/** Parameters of a Cancel-Location-Request (7.2.7). */
struct jitsim_s6a_fta_clr {
	uint32_t hbh;
	uint32_t e2e;
	const char *session_id;
	const char *dest_host; /**< the MME that holds the subscriber (mandatory) */
	const char *dest_realm;
	const struct jitsim_digits *imsi;
	uint32_t cancellation_type; /**< JITSIM_S6A_CANCEL_* */
	uint32_t clr_flags;	    /**< JITSIM_S6A_CLR_*, 0: omitted */
};

/**
 * Build a CLR (7.2.7): < Session-Id > [ Vendor-Specific-Application-Id ]
 * { Auth-Session-State } { Origin-Host } { Origin-Realm }
 * { Destination-Host } { Destination-Realm } { User-Name }
 * { Cancellation-Type } [ CLR-Flags ].
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (a string NULL
 *   or empty, IMSI not 5..15 digits, cancellation_type above 4).
 */
enum jitsim_reason jitsim_s6a_fta_clr_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_origin *origin,
					     const struct jitsim_s6a_fta_clr *clr);

/**
 * Parameters of an AIR as a test MME sends it (the requests jitsim_s6a_encode()
 * cannot build: re-synchronisation, UTRAN/GERAN vectors). @p origin of
 * jitsim_s6a_fta_air_encode() is the MME.
 */
struct jitsim_s6a_fta_air_req {
	uint32_t hbh;
	uint32_t e2e;
	const char *session_id;
	const char *dest_host; /**< NULL to omit */
	const char *dest_realm;
	const struct jitsim_digits *imsi;
	const char *visited_plmn; /**< "MCCMNC" */
	/** Requested-EUTRAN-Authentication-Info; n_requested 0 and no resync: omitted. */
	struct jitsim_s6a_fta_req_auth eutran;
	/** Requested-UTRAN-GERAN-Authentication-Info, same rule. */
	struct jitsim_s6a_fta_req_auth utran_geran;
};

/**
 * Build an AIR (7.2.5): < Session-Id > [ Vendor-Specific-Application-Id ]
 * { Auth-Session-State } { Origin-Host } { Origin-Realm }
 * [ Destination-Host ] { Destination-Realm } { User-Name }
 * [ Requested-EUTRAN-Authentication-Info { [ Number-Of-Requested-Vectors ]
 *   [ Immediate-Response-Preferred ] [ Re-Synchronization-Info ] } ]
 * [ Requested-UTRAN-GERAN-Authentication-Info { same } ]
 * { Visited-PLMN-Id }; header R and P.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (a mandatory
 *   string NULL or empty, IMSI not 5..15 digits, PLMN not 5..6 digits).
 */
enum jitsim_reason jitsim_s6a_fta_air_encode(struct jitsim_wbuf *w,
					     const struct jitsim_s6a_fta_origin *origin,
					     const struct jitsim_s6a_fta_air_req *m);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics. No key material: RAND/AUTS are printed as present.
 */
int jitsim_s6a_fta_req_dump(const struct jitsim_s6a_fta_req *x, char *buf, size_t size);
int jitsim_s6a_fta_air_dump(const struct jitsim_s6a_fta_air *x, char *buf, size_t size);
int jitsim_s6a_fta_ulr_dump(const struct jitsim_s6a_fta_ulr *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_S6A_FTA_H */
