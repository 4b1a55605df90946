/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_MAP_FTA_H
#define JITSIM_PROTO_MAP_FTA_H

/**
 * @file
 * MAP (3GPP TS 29.002) and TCAP (ITU-T Q.773) pieces the First Time Attach
 * endpoint needs to play the HLR toward a VLR/SGSN: parsers for the
 * arguments it receives (SendAuthenticationInfo, UpdateLocation,
 * UpdateGprsLocation) and the results the VLR returns (InsertSubscriberData,
 * CancelLocation); builders for the results it sends (SendAuthentication-
 * InfoRes, UpdateLocationRes, UpdateGprsLocationRes), for the operations it
 * invokes (InsertSubscriberData, CancelLocation), for whole TC messages
 * (Begin/Continue/End/Abort of one dialogue) and for the SCCP answer UDT.
 *
 * Users: jitsim-cp's FTA engine (whole dialogues), the jitsim-dp worker
 * (jitsim_map_fta_answer_error() for a LOCKED/BLOCKED SIM), the test VLR.
 *
 * Conventions (as the rest of the codec):
 * - builders write in front of the current wbuf content, back to front
 *   (wbuf.h); the parameter builders expect an empty wbuf with enough
 *   headroom; on failure the wbuf is left as it was;
 * - the TC builders copy each component's parameter: build the MAP
 *   parameter in a scratch wbuf (stack, 512 octets is plenty), then the TC
 *   message into another one;
 * - parsers take the parameter TLV as jitsim_tcap_decode() gives it
 *   (comp[i].param, comp[i].param_len), never allocate, copy digits and
 *   octet strings into the output struct (which owns them: nothing points
 *   into the input after return), reset the whole output first;
 * - every function returns enum jitsim_reason and lists its values.
 *
 * Secrets: the vector structs hold CK/IK/Kc/XRES. Nothing here logs; the
 * dump functions print counts only, never vector contents.
 *
 * Thread-safety: pure; every function may be called from any thread on its
 * own buffers.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/wbuf.h>

/*
 * MAP application contexts 0.4.0.0.1.0.<ac>.<version> (TS 29.002 17.3.3),
 * the <ac> arc of the ones the FTA endpoint uses or answers.
 */
#define JITSIM_MAP_AC_NETWORK_LOC_UP 1	      /**< networkLocUpContext (UL, ISD inside) */
#define JITSIM_MAP_AC_LOCATION_CANCELLATION 2 /**< locationCancellationContext */
#define JITSIM_MAP_AC_INFO_RETRIEVAL 14	      /**< infoRetrievalContext (SAI) */
#define JITSIM_MAP_AC_SUBSCRIBER_DATA_MNGT 16 /**< subscriberDataMngtContext (stand-alone ISD) */
#define JITSIM_MAP_AC_GPRS_LOCATION_UPDATE 32 /**< gprsLocationUpdateContext (UGL, ISD inside) */

/* Octet lengths of the authentication parameters (TS 29.002 17.7.3, TS 33.102 6.3). */
#define JITSIM_MAP_FTA_RAND_LEN 16
#define JITSIM_MAP_FTA_AUTS_LEN 14
#define JITSIM_MAP_FTA_SRES_LEN 4
#define JITSIM_MAP_FTA_KC_LEN 8
#define JITSIM_MAP_FTA_CK_LEN 16
#define JITSIM_MAP_FTA_IK_LEN 16
#define JITSIM_MAP_FTA_AUTN_LEN 16
#define JITSIM_MAP_FTA_XRES_MIN 4
#define JITSIM_MAP_FTA_XRES_MAX 16
/** NumberOfRequestedVectors ::= INTEGER (1..5) (TS 29.002 17.7.3). */
#define JITSIM_MAP_FTA_VECTORS_MAX 5

/*
 * SCCP UDT/XUDT carry at most 255 octets of user data (one length octet,
 * Q.713 4.10, 4.18); jitsim_sccp_encode() refuses more with NOSPACE. A v3
 * quintuplet takes 92 octets with a 16-octet XRES, so an SAI answer of 5
 * does not fit: the HLR may return fewer vectors than requested (TS 29.002
 * 8.5.2), and the caller retries the whole message with one vector less
 * until it fits (jitsim_map_fta_sai_res_size() tells in advance).
 */
#define JITSIM_MAP_FTA_UDT_DATA_MAX 255

/* RequestingNodeType (TS 29.002 17.7.3), values as on the wire. */
#define JITSIM_MAP_FTA_NODE_VLR 0
#define JITSIM_MAP_FTA_NODE_SGSN 1
#define JITSIM_MAP_FTA_NODE_MME 16
#define JITSIM_MAP_FTA_NODE_MME_SGSN 17

/* Category (TS 29.002 17.7.1 -> ITU-T Q.763 3.11): ordinary calling subscriber. */
#define JITSIM_MAP_FTA_CATEGORY_ORDINARY 0x0a
/* SubscriberStatus ::= ENUMERATED (TS 29.002 17.7.1). */
#define JITSIM_MAP_FTA_STATUS_SERVICE_GRANTED 0
#define JITSIM_MAP_FTA_STATUS_ODB 1
/* Ext-TeleserviceCode values (TS 29.002 17.7.9, MAP-TS-Code). */
#define JITSIM_MAP_FTA_TS_TELEPHONY 0x11
#define JITSIM_MAP_FTA_TS_EMERGENCY 0x12
#define JITSIM_MAP_FTA_TS_SMS_MT_PP 0x21
#define JITSIM_MAP_FTA_TS_SMS_MO_PP 0x22
/* CancellationType ::= ENUMERATED (TS 29.002 17.7.1). */
#define JITSIM_MAP_FTA_CANCEL_UPDATE_PROCEDURE 0
#define JITSIM_MAP_FTA_CANCEL_SUBSCRIPTION_WITHDRAW 1
#define JITSIM_MAP_FTA_CANCEL_INITIAL_ATTACH 2
/* NetworkAccessMode ::= ENUMERATED (TS 29.002 17.7.1). */
#define JITSIM_MAP_FTA_NAM_PACKET_AND_CIRCUIT 0

/* TCAP P-AbortCause (Q.773 Table 50). */
#define JITSIM_MAP_FTA_PABORT_UNRECOGNIZED_MESSAGE_TYPE 0
#define JITSIM_MAP_FTA_PABORT_UNRECOGNIZED_TID 1
#define JITSIM_MAP_FTA_PABORT_BAD_FORMATTED_TP 2
#define JITSIM_MAP_FTA_PABORT_INCORRECT_TP 3
#define JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION 4

/* Service lists kept by the ISD builder and parser. */
#define JITSIM_MAP_FTA_SERVICES_MAX 8
/* APN ::= OCTET STRING (SIZE (2..63)) (TS 29.002 17.7.1): text form is one shorter. */
#define JITSIM_MAP_FTA_APN_MAX 62

/**
 * SendAuthenticationInfoArg (TS 29.002 17.7.3, 8.5.2). v3:
 *   SEQUENCE { imsi [0] IMSI, numberOfRequestedVectors INTEGER (1..5),
 *     segmentationProhibitedIndicator NULL OPT, immediateResponsePreferred
 *     [1] NULL OPT, re-synchronisationInfo SEQUENCE { rand, auts } OPT,
 *     extensionContainer [2] OPT, ..., requestingNodeType [3] OPT,
 *     requestingPLMN-Id [4] OPT, numberOfRequestedAdditional-Vectors [5] OPT,
 *     additionalVectorsAreForEPS [6] OPT, ... }
 * v2: IMSI (bare OCTET STRING, one triplet set wanted).
 */
struct jitsim_map_fta_sai_arg {
	struct jitsim_digits imsi;
	uint8_t version;     /**< 2 (bare IMSI) or 3 (SEQUENCE), from the tag */
	uint8_t n_requested; /**< numberOfRequestedVectors as received, 0 if absent */
	uint8_t n_vectors;   /**< what to return: n_requested clamped to 1..5, 1 if absent */
	bool segmentation_prohibited;
	bool immediate_response_preferred;
	bool has_resync; /**< re-synchronisationInfo present: rand + auts valid */
	uint8_t rand[JITSIM_MAP_FTA_RAND_LEN];
	uint8_t auts[JITSIM_MAP_FTA_AUTS_LEN];
	bool has_requesting_node_type;
	uint8_t requesting_node_type; /**< JITSIM_MAP_FTA_NODE_* */
	bool has_requesting_plmn;
	uint8_t requesting_plmn[3]; /**< PLMN-Id, TS 24.008 10.5.1.13 order */
};

/**
 * Parse a SendAuthenticationInfo Invoke parameter (v2 or v3, told by the
 * outer tag: 0x04 bare IMSI, 0x30 SEQUENCE). Unknown extension elements
 * are skipped. A v3 Invoke without a parameter (@p len 0, the follow-up of
 * a segmented SAI, TS 29.002 8.5.2) is JITSIM_R_MAP_BAD: the FTA endpoint
 * never segments, so it never asks for one.
 * @return JITSIM_R_OK; JITSIM_R_MAP_BAD (no parameter, other outer tag,
 *   imsi missing or not 3..8 octets, rand/auts of the wrong length,
 *   numberOfRequestedVectors or requestingNodeType not an INTEGER of
 *   0..255, a NULL with contents, requestingPLMN-Id not 3 octets, the
 *   parameter followed by more octets);
 *   JITSIM_R_MAP_BAD_DIGITS; JITSIM_R_BER_BAD; JITSIM_R_BER_TOO_DEEP;
 *   JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_map_fta_sai_arg_decode(const uint8_t *param, size_t len,
						 struct jitsim_map_fta_sai_arg *out);

/** AuthenticationQuintuplet (TS 29.002 17.7.3), from MILENAGE f1-f5 (TS 33.102 6.3.2). */
struct jitsim_map_fta_quintuplet {
	uint8_t rand[JITSIM_MAP_FTA_RAND_LEN];
	uint8_t xres[JITSIM_MAP_FTA_XRES_MAX];
	uint8_t xres_len; /**< 4..16 */
	uint8_t ck[JITSIM_MAP_FTA_CK_LEN];
	uint8_t ik[JITSIM_MAP_FTA_IK_LEN];
	uint8_t autn[JITSIM_MAP_FTA_AUTN_LEN];
};

/** AuthenticationTriplet (TS 29.002 17.7.3), e.g. derived per TS 33.102 6.8.1.2 (c2, c3). */
struct jitsim_map_fta_triplet {
	uint8_t rand[JITSIM_MAP_FTA_RAND_LEN];
	uint8_t sres[JITSIM_MAP_FTA_SRES_LEN];
	uint8_t kc[JITSIM_MAP_FTA_KC_LEN];
};

/**
 * Build SendAuthenticationInfoRes v3 with quintuplets:
 *   [3] SEQUENCE { authenticationSetList: quintupletList [1] SEQUENCE
 *     SIZE (1..5) OF AuthenticationQuintuplet }.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (@p n not 1..5,
 *   an xres_len not 4..16).
 */
enum jitsim_reason jitsim_map_fta_sai_res_quintuplets(struct jitsim_wbuf *w,
						      const struct jitsim_map_fta_quintuplet *q,
						      unsigned int n);

/**
 * Build SendAuthenticationInfoRes with triplets: @p version 3 gives
 *   [3] SEQUENCE { authenticationSetList: tripletList [0] SEQUENCE SIZE
 *     (1..5) OF AuthenticationTriplet },
 * @p version 2 the v2 form SEQUENCE SIZE (1..5) OF AuthenticationTriplet.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (@p n not 1..5,
 *   @p version not 2 or 3).
 */
enum jitsim_reason jitsim_map_fta_sai_res_triplets(struct jitsim_wbuf *w, uint8_t version,
						   const struct jitsim_map_fta_triplet *t,
						   unsigned int n);

/**
 * Octets the SendAuthenticationInfoRes parameter takes: @p n quintuplets
 * with XRES of @p xres_len (@p quintuplets true, v3), or @p n triplets
 * (@p version 2 or 3). 0 for arguments the builders refuse. With
 * jitsim_map_fta_tc_size() it tells how many vectors fit one UDT.
 */
size_t jitsim_map_fta_sai_res_size(bool quintuplets, uint8_t version, unsigned int n,
				   uint8_t xres_len);

/**
 * Parse an UpdateLocation (opcode 2: imsi, msc-Number [1], vlr-Number) or
 * UpdateGprsLocation (opcode 23: imsi, sgsn-Number, sgsn-Address) Invoke
 * parameter: jitsim_map_decode_invoke() plus the check that the mandatory
 * identities are there, so @p out has imsi and vlr (UL) or sgsn (UGL).
 * @return JITSIM_R_OK; JITSIM_R_BAD_PARAM (another opcode); JITSIM_R_MAP_BAD
 *   (a mandatory identity missing, or no parameter); and the values of
 *   jitsim_map_decode_invoke().
 */
enum jitsim_reason jitsim_map_fta_ul_arg_decode(uint8_t opcode, const uint8_t *param, size_t len,
						struct jitsim_map_ids *out);

/**
 * Initial subscriber profile sent in InsertSubscriberDataArg (TS 29.002
 * 17.7.1, 8.8.1). jitsim_map_fta_isd_init() fills the defaults; the
 * caller sets imsi/msisdn and, for an SGSN, gprs.
 */
struct jitsim_map_fta_isd {
	bool has_imsi; /**< imsi [0] (optional in ISD; sent stand-alone) */
	struct jitsim_digits imsi;
	bool has_msisdn; /**< msisdn [1] ISDN-AddressString, international E.164 */
	struct jitsim_digits msisdn;
	bool has_category; /**< category [2] */
	uint8_t category;
	bool has_status; /**< subscriberStatus [3] */
	uint8_t status;
	uint8_t n_bearer; /**< bearerServiceList [4], omitted when 0 */
	uint8_t bearer[JITSIM_MAP_FTA_SERVICES_MAX];
	uint8_t n_tele; /**< teleserviceList [6], omitted when 0 */
	uint8_t tele[JITSIM_MAP_FTA_SERVICES_MAX];
	/*
	 * gprsSubscriptionData [16] { gprsDataList [1] { PDP-Context {
	 * pdp-ContextId, pdp-Type [16], qos-Subscribed [18], apn [20] } } }
	 * with one PDP context and completeDataListIncluded (the SGSN
	 * replaces what it had), and networkAccessMode [24]. The layout is
	 * the one a real HLR sends (map_pcapr_gprs_attach_sai_ugl frame 11).
	 */
	bool gprs;
	uint8_t pdp_context_id;		      /**< ContextId 1..50 */
	uint8_t pdp_type[2];		      /**< TS 29.060 7.7.27: f1 21 = IETF IPv4 */
	uint8_t qos[3];			      /**< QoS-Subscribed, TS 24.008 10.5.6.5 octets 3-5 */
	char apn[JITSIM_MAP_FTA_APN_MAX + 1]; /**< dotted text ("internet", "*"), NUL-terminated */
	bool has_network_access_mode;
	uint8_t network_access_mode;
};

/**
 * Defaults: category ordinary (0x0a), serviceGranted, no bearer services,
 * teleservices telephony, shortMessageMT-PP, shortMessageMO-PP; when
 * @p gprs: PDP context 1, IPv4 (f1 21), QoS 23 92 1f (delay class 4,
 * reliability 3, peak 256 kB/s, normal precedence, best-effort mean), APN
 * "*" (wildcard, TS 23.003 9.2), networkAccessMode packetAndCircuit.
 * No imsi, no msisdn.
 */
void jitsim_map_fta_isd_init(struct jitsim_map_fta_isd *isd, bool gprs);

/**
 * Build InsertSubscriberDataArg (TS 29.002 17.7.1):
 *   SEQUENCE { imsi [0] OPT, msisdn [1] OPT, category [2] OPT,
 *     subscriberStatus [3] OPT, bearerServiceList [4] OPT,
 *     teleserviceList [6] OPT, ..., gprsSubscriptionData [16] OPT,
 *     networkAccessMode [24] OPT }.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (digits not
 *   encodable, IMSI not 3..8 octets, service counts above the max, APN
 *   empty, a label empty or over 63 octets, pdp_context_id not 1..50).
 */
enum jitsim_reason jitsim_map_fta_isd_arg_encode(struct jitsim_wbuf *w,
						 const struct jitsim_map_fta_isd *isd);

/**
 * InsertSubscriberDataRes (TS 29.002 17.7.1): what the VLR/SGSN says it
 * does not support. Every element is OPTIONAL and the result itself may
 * be absent.
 */
struct jitsim_map_fta_isd_res {
	uint8_t n_tele; /**< teleserviceList [1] entries (first ones kept) */
	uint8_t tele[JITSIM_MAP_FTA_SERVICES_MAX];
	uint8_t n_bearer; /**< bearerServiceList [2] entries */
	uint8_t bearer[JITSIM_MAP_FTA_SERVICES_MAX];
	bool has_ss_list;	    /**< ss-List [3] */
	bool has_odb_general;	    /**< odb-GeneralData [4] */
	bool has_regional_response; /**< regionalSubscriptionResponse [5] */
	uint8_t regional_response;
};

/**
 * Parse an InsertSubscriberData ReturnResult parameter; @p len 0 (no
 * result, allowed) is OK with an empty @p out. Lists longer than
 * JITSIM_MAP_FTA_SERVICES_MAX keep their first entries.
 * @return JITSIM_R_OK, JITSIM_R_MAP_BAD (not a SEQUENCE, a list entry not
 *   an OCTET STRING of 1..5), JITSIM_R_BER_BAD, JITSIM_R_BER_TOO_DEEP,
 *   JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_map_fta_isd_res_decode(const uint8_t *param, size_t len,
						 struct jitsim_map_fta_isd_res *out);

/**
 * Build UpdateLocationRes / UpdateGprsLocationRes (TS 29.002 17.7.1):
 *   SEQUENCE { hlr-Number ISDN-AddressString, ... }
 * (the same form for both operations and for v2 and v3), @p hlr_number
 * written as an international E.164 number.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (no digits,
 *   more than 20, not encodable).
 */
enum jitsim_reason jitsim_map_fta_ul_res_encode(struct jitsim_wbuf *w,
						const struct jitsim_digits *hlr_number);

/**
 * Build CancelLocationArg (TS 29.002 17.7.1, 8.1.3): @p version 3
 *   [3] SEQUENCE { identity: imsi, cancellationType ENUMERATED }
 * with @p cancellation_type (JITSIM_MAP_FTA_CANCEL_*); @p version 2 (and 1)
 * the bare Identity: imsi (no cancellation type in those versions).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (IMSI not 3..8
 *   octets, @p version not 1..3, @p cancellation_type above 2).
 */
enum jitsim_reason jitsim_map_fta_cancel_arg_encode(struct jitsim_wbuf *w, uint8_t version,
						    const struct jitsim_digits *imsi,
						    uint8_t cancellation_type);

/**
 * Parse a CancelLocation ReturnResult parameter: v3 CancelLocationRes ::=
 * SEQUENCE { extensionContainer OPT, ... }; v1/v2 have none. @p len 0 is OK.
 * @return JITSIM_R_OK, JITSIM_R_MAP_BAD (not a SEQUENCE), JITSIM_R_BER_BAD,
 *   JITSIM_R_BER_TOO_DEEP, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_map_fta_cancel_res_decode(const uint8_t *param, size_t len);

/**
 * One TCAP dialogue as the FTA endpoint keeps it between messages (plain
 * values, nothing pointing into a received buffer, so it can be stored).
 */
struct jitsim_map_fta_dialogue {
	uint32_t own_tid;     /**< our transaction ID (4 octets; jitsim-cp tags its top octet) */
	uint32_t peer_tid;    /**< the peer's transaction ID, 0 until known */
	uint8_t peer_tid_len; /**< 1..4, 0 until known */
	uint8_t map_ac;	      /**< MAP application context, 0 = no dialogue portion (MAP v1) */
	uint8_t map_version;  /**< 1..127 */
	/**
	 * The peer's Begin carried an AARQ that has not been answered: the
	 * next Continue/End carries the AARE (Q.773 3.2.2, TS 29.002 15.6).
	 * Cleared by jitsim_map_fta_tc_encode() once written.
	 */
	bool aare_pending;
};

/**
 * Start the answering side of a dialogue from a received Begin @p begin:
 * peer tid = its otid, ACN and aare_pending from its AARQ (none when it
 * has no dialogue portion), own tid @p own_tid.
 * @return JITSIM_R_OK, JITSIM_R_BAD_PARAM (@p begin is not a Begin or has
 *   no otid), JITSIM_R_TCAP_NOT_MAP (an AARQ whose ACN is not MAP).
 */
enum jitsim_reason jitsim_map_fta_dialogue_answer(struct jitsim_map_fta_dialogue *d,
						  const struct jitsim_tcap *begin,
						  uint32_t own_tid);

/**
 * Start the initiating side: own tid @p own_tid, MAP ACN
 * 0.4.0.0.1.0.@p map_ac.@p map_version (map_ac 0: no dialogue portion).
 * The peer tid is learnt from its first answer (jitsim_map_fta_dialogue_peer()).
 */
void jitsim_map_fta_dialogue_begin(struct jitsim_map_fta_dialogue *d, uint32_t own_tid,
				   uint8_t map_ac, uint8_t map_version);

/**
 * Take the peer's otid from its first answer (Continue) to our Begin.
 * @return JITSIM_R_OK, JITSIM_R_BAD_PARAM (no otid, or dtid is not our tid).
 */
enum jitsim_reason jitsim_map_fta_dialogue_peer(struct jitsim_map_fta_dialogue *d,
						const struct jitsim_tcap *answer);

/* Components for jitsim_map_fta_tc_encode(); @p param is a whole TLV or NULL. */
static inline struct jitsim_tcap_component
jitsim_map_fta_comp_invoke(int8_t invoke_id, uint8_t opcode, const uint8_t *param, size_t len)
{
	struct jitsim_tcap_component c = {.type = JITSIM_TCAP_INVOKE,
					  .has_invoke_id = true,
					  .invoke_id = invoke_id,
					  .has_opcode = true,
					  .opcode = opcode,
					  .param = param,
					  .param_len = len};

	return c;
}

/** ReturnResultLast; with @p param NULL it carries no result (no opcode either, Q.773). */
static inline struct jitsim_tcap_component
jitsim_map_fta_comp_result(int8_t invoke_id, uint8_t opcode, const uint8_t *param, size_t len)
{
	struct jitsim_tcap_component c = {.type = JITSIM_TCAP_RESULT_LAST,
					  .has_invoke_id = true,
					  .invoke_id = invoke_id,
					  .has_opcode = param != NULL,
					  .opcode = opcode,
					  .param = param,
					  .param_len = len};

	return c;
}

/** ReturnError with a local error code (TS 29.002 17.6.6) and no parameter. */
static inline struct jitsim_tcap_component
jitsim_map_fta_comp_error(int8_t invoke_id, uint8_t error)
{
	struct jitsim_tcap_component c = {.type = JITSIM_TCAP_ERROR,
					  .has_invoke_id = true,
					  .invoke_id = invoke_id,
					  .has_error = true,
					  .error = error};

	return c;
}

/**
 * Write a whole TC message of dialogue @p d: @p type JITSIM_TCAP_BEGIN
 * (otid, AARQ when d->map_ac), JITSIM_TCAP_CONTINUE (otid + dtid, AARE
 * "accepted" echoing the ACN when d->aare_pending) or JITSIM_TCAP_END
 * (dtid, AARE when pending), with @p n components @p comp (0..8, each
 * parameter copied). Clears d->aare_pending on success.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (type, a
 *   Continue/End before the peer tid is known, n > 8, a bad component).
 */
enum jitsim_reason jitsim_map_fta_tc_encode(struct jitsim_wbuf *w,
					    struct jitsim_map_fta_dialogue *d, uint8_t type,
					    const struct jitsim_tcap_component *comp,
					    unsigned int n);

/**
 * Octets jitsim_map_fta_tc_encode() would write around components whose
 * parameters take @p params_len octets in total (@p n components of
 * dialogue @p d, with opcodes and invoke IDs of one octet), including the
 * parameters: an upper bound (a few octets over), for sizing the vectors
 * of an answer before building it.
 */
size_t jitsim_map_fta_tc_size(const struct jitsim_map_fta_dialogue *d, uint8_t type, unsigned int n,
			      size_t params_len);

/**
 * Write a TC Abort to the peer of @p d (dtid = peer tid; Q.773 3.2.3):
 * a P-Abort with @p p_abort_cause (JITSIM_MAP_FTA_PABORT_*) when
 * @p refuse_acn is false; when true, a U-Abort whose dialogue portion is
 * an AARE "reject-permanent" with diagnostic application-context-name-
 * not-supported (Q.773 4.2.2) echoing the ACN of @p d, which tells a MAP
 * peer to retry with a lower version (TS 29.002 15.6.x).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (peer tid
 *   unknown, @p refuse_acn without an ACN).
 */
enum jitsim_reason jitsim_map_fta_tc_abort(struct jitsim_wbuf *w,
					   const struct jitsim_map_fta_dialogue *d, bool refuse_acn,
					   uint8_t p_abort_cause);

/**
 * Wrap the current wbuf content (a TC message) in the SCCP answer to
 * @p req: same message type (UDT, or XUDT for an XUDT/LUDT request) and
 * protocol class, called = req's calling, calling = @p own (NULL: req's
 * called, i.e. answer as the address that was called).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE (also data over 255 octets),
 *   JITSIM_R_BAD_PARAM (also a request from SSN 1, SCCP management,
 *   Q.713 5.1: it gets no TCAP).
 */
enum jitsim_reason jitsim_map_fta_sccp_answer(struct jitsim_wbuf *w, const struct jitsim_sccp *req,
					      const struct jitsim_sccp_addr *own);

/**
 * The worker's answer to a request it refuses (LOCKED/BLOCKED SIM): the
 * whole SCCP message answering @p req_sccp / @p req_tcap (a Begin with an
 * Invoke at @p comp_index): TC End (dtid = its otid, AARE when it had an
 * AARQ) with ReturnError(invoke id, @p error) (TS 29.002 17.6.6; e.g.
 * JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER), in the SCCP answer from @p own
 * (NULL: from req's called). Written into an empty @p w; nothing is
 * allocated; about 80 octets plus the two addresses.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM (not a Begin
 *   with otid, component not an Invoke with an invoke ID),
 *   JITSIM_R_TCAP_NOT_MAP.
 */
enum jitsim_reason jitsim_map_fta_answer_error(struct jitsim_wbuf *w,
					       const struct jitsim_sccp *req_sccp,
					       const struct jitsim_tcap *req_tcap,
					       unsigned int comp_index, uint8_t error,
					       const struct jitsim_sccp_addr *own);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics. No key material: RAND/AUTS are printed as present or
 * not, never their value.
 */
int jitsim_map_fta_sai_arg_dump(const struct jitsim_map_fta_sai_arg *x, char *buf, size_t size);
int jitsim_map_fta_isd_res_dump(const struct jitsim_map_fta_isd_res *x, char *buf, size_t size);
int jitsim_map_fta_dialogue_dump(const struct jitsim_map_fta_dialogue *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_MAP_FTA_H */
