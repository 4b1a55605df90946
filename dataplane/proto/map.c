/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP argument / result identity extraction (3GPP TS 29.002 17.6-17.7).
 *
 * Each supported operation is described as data: which outer tags its
 * argument (or result) may have across MAP versions, and which child of
 * that SEQUENCE holds which identity. Everything else in the SEQUENCE
 * (extension containers, later-release fields after "...") is skipped, as
 * TS 29.002 17.1.2.1 requires of a receiver.
 */

#include <stdarg.h>
#include <stdio.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map.h>

#include "dump.h"

/*
 * What a matched element is. A rule matches the whole identifier octet, so
 * the primitive/constructed form is part of the match: F_IMSI .. F_NVEC
 * rules use primitive identifiers, F_COUNT and F_SUB constructed ones.
 */
enum map_field {
	F_IMSI,	  /* IMSI: TBCD-STRING SIZE (3..8) (TS 29.002 17.7.8) */
	F_MSISDN, /* ISDN-AddressString: nature/plan octet + TBCD */
	F_MSC,
	F_VLR,
	F_SGSN,
	F_SC,
	F_HLR,
	F_NVEC,	 /* INTEGER number of vectors */
	F_COUNT, /* constructed list: n_vectors = number of elements */
	F_SUB,	 /* constructed: walk it with rule->sub */
};

/* Match any position / any occurrence. */
#define ANY 0xff

struct map_rules;

struct map_rule {
	uint8_t id;    /* identifier octet of the element */
	uint8_t pos;   /* index among the SEQUENCE elements, or ANY */
	uint8_t nth;   /* for untagged OCTET STRING (0x04): which one, or ANY */
	uint8_t field; /* enum map_field */
	const struct map_rules *sub;
};

struct map_rules {
	uint8_t n;
	const struct map_rule *r;
};

/*
 * For the decode path: inlined whatever the size of the caller (see
 * map_decode()).
 */
#define HOT_INLINE inline __attribute__((always_inline))

#define RULES(name, ...)                                         \
	static const struct map_rule name##_r[] = {__VA_ARGS__}; \
	static const struct map_rules name = {sizeof(name##_r) / sizeof(name##_r[0]), name##_r}

/* clang-format off */
#define R(id, field) {(id), ANY, ANY, (field), NULL}
#define RP(id, pos, field) {(id), (pos), ANY, (field), NULL}
#define RN(nth, field) {0x04, ANY, (nth), (field), NULL}
#define RS(id, pos, sub) {(id), (pos), ANY, F_SUB, &(sub)}
/* clang-format on */

/* Identity ::= CHOICE { imsi IMSI, imsi-WithLMSI IMSI-WithLMSI } (TS 29.002 17.7.2). */
RULES(imsi_with_lmsi, RN(0, F_IMSI));

/* --- Invoke arguments --- */

/* UpdateLocationArg: imsi, msc-Number [1], vlr-Number, ... */
RULES(ul_arg, RN(0, F_IMSI), R(0x81, F_MSC), RN(1, F_VLR));
RULES(ul_top, RS(0x30, ANY, ul_arg));

/* CancelLocationArg v3: [3] SEQUENCE { identity, cancellationType, ... } */
RULES(cl_arg, RP(0x04, 0, F_IMSI), RS(0x30, 0, imsi_with_lmsi));
/* v1/v2: the Identity CHOICE itself; v3 the [3] SEQUENCE. */
RULES(cl_top, R(0x04, F_IMSI), RS(0x30, ANY, imsi_with_lmsi), RS(0xa3, ANY, cl_arg));

/* InsertSubscriberDataArg: imsi [0] OPT, COMPONENTS OF SubscriberData (msisdn [1] ...). */
RULES(isd_arg, R(0x80, F_IMSI), R(0x81, F_MSISDN));
RULES(isd_top, RS(0x30, ANY, isd_arg));

/* DeleteSubscriberDataArg ::= [3] SEQUENCE { imsi [0], ... } */
RULES(dsd_arg, R(0x80, F_IMSI));
RULES(dsd_top, RS(0xa3, ANY, dsd_arg), RS(0x30, ANY, dsd_arg));

/* SendRoutingInfoArg: msisdn [0], ... */
RULES(sri_arg, RP(0x80, 0, F_MSISDN));
RULES(sri_top, RS(0x30, ANY, sri_arg));

/* UpdateGprsLocationArg: imsi, sgsn-Number, sgsn-Address (GSN-Address), ... */
RULES(ugl_arg, RN(0, F_IMSI), RN(1, F_SGSN));
RULES(ugl_top, RS(0x30, ANY, ugl_arg));

/* RoutingInfoForSM-Arg: msisdn [0], sm-RP-PRI [1], serviceCentreAddress [2], ..., imsi [12] */
RULES(srism_arg, R(0x80, F_MSISDN), R(0x82, F_SC), R(0x8c, F_IMSI));
RULES(srism_top, RS(0x30, ANY, srism_arg));

/*
 * MO/MT-ForwardSM: SM-RP-DA then SM-RP-OA are the first two elements
 * (TS 29.002 7.6.8); later extension fields reuse [0], [2] and [4], so the
 * choices are matched by position.
 * SM-RP-DA ::= CHOICE { imsi [0], lmsi [1], serviceCentreAddressDA [4], noSM-RP-DA [5] }
 * SM-RP-OA ::= CHOICE { msisdn [2], serviceCentreAddressOA [4], noSM-RP-OA [5] }
 */
#define FSM_DA_OA RP(0x80, 0, F_IMSI), RP(0x84, 0, F_SC), RP(0x82, 1, F_MSISDN), RP(0x84, 1, F_SC)
RULES(mtfsm_arg, FSM_DA_OA);
RULES(mtfsm_top, RS(0x30, ANY, mtfsm_arg));
/* MO-ForwardSM-Arg v3 adds the sender's imsi IMSI after sm-RP-UI (2nd OCTET STRING). */
RULES(mofsm_arg, FSM_DA_OA, RN(1, F_IMSI));
RULES(mofsm_top, RS(0x30, ANY, mofsm_arg));

/* SendAuthenticationInfoArg v3: imsi [0], numberOfRequestedVectors, ... ; v2: IMSI. */
RULES(sai_arg, R(0x80, F_IMSI), R(0x02, F_NVEC));
RULES(sai_top, R(0x04, F_IMSI), RS(0x30, ANY, sai_arg));

/* Ussd-Arg: dcs, string, alertingPattern OPT, msisdn [0] OPT, ... */
RULES(ussd_arg, R(0x80, F_MSISDN));
RULES(ussd_top, RS(0x30, ANY, ussd_arg));

/*
 * PurgeMS-Arg v3: [3] SEQUENCE { imsi, vlr-Number [0], sgsn-Number [1] };
 * v2: SEQUENCE { imsi, vlr-Number }.
 */
RULES(purge_arg, RN(0, F_IMSI), RN(1, F_VLR), R(0x80, F_VLR), R(0x81, F_SGSN));
RULES(purge_top, RS(0xa3, ANY, purge_arg), RS(0x30, ANY, purge_arg));

/* AnyTimeInterrogationArg: subscriberIdentity [0] CHOICE { imsi [0], msisdn [1] }, ... */
RULES(ati_id, R(0x80, F_IMSI), R(0x81, F_MSISDN));
RULES(ati_arg, RS(0xa0, ANY, ati_id));
RULES(ati_top, RS(0x30, ANY, ati_arg));

/* --- ReturnResult results --- */

/* UpdateLocationRes / UpdateGprsLocationRes: hlr-Number first (bare in v1). */
RULES(ul_res, RN(0, F_HLR));
RULES(ul_res_top, R(0x04, F_HLR), RS(0x30, ANY, ul_res));

/*
 * SendRoutingInfoRes v3: [3] { imsi [9], ..., vmsc-Address [2], msisdn [12] };
 * v1/v2: SEQUENCE { imsi, routingInfo, ... }.
 */
RULES(sri_res3, R(0x89, F_IMSI), R(0x82, F_MSC), R(0x8c, F_MSISDN));
RULES(sri_res2, RN(0, F_IMSI));
RULES(sri_res_top, RS(0xa3, ANY, sri_res3), RS(0x30, ANY, sri_res2));

/* RoutingInfoForSM-Res: imsi, locationInfoWithLMSI [0] { networkNode-Number [1], ... } */
RULES(srism_loc, R(0x81, F_MSC));
RULES(srism_res, RN(0, F_IMSI), RS(0xa0, ANY, srism_loc));
RULES(srism_res_top, RS(0x30, ANY, srism_res));

/*
 * SendAuthenticationInfoRes v3: [3] { tripletList [0] | quintupletList [1],
 * ..., eps-AuthenticationSetList [2] }; v2: SEQUENCE OF AuthenticationSet.
 */
RULES(sai_res3, R(0xa0, F_COUNT), R(0xa1, F_COUNT), R(0xa2, F_COUNT));
RULES(sai_res_top, RS(0xa3, ANY, sai_res3), R(0x30, F_COUNT));

/*
 * SendIdentificationRes v3: [3] { imsi, authenticationSetList, ... };
 * v2: SEQUENCE { imsi, SEQUENCE OF AuthenticationSet }.
 */
RULES(sid_res3, RN(0, F_IMSI), R(0xa0, F_COUNT), R(0xa1, F_COUNT));
RULES(sid_res2, RN(0, F_IMSI), R(0x30, F_COUNT));
RULES(sid_res_top, RS(0xa3, ANY, sid_res3), RS(0x30, ANY, sid_res2));

/* IMSI ::= TBCD-STRING (SIZE (3..8)) (TS 29.002 17.7.2). */
static inline enum jitsim_reason
map_imsi(const uint8_t *val, size_t len, bool *has, struct jitsim_digits *d)
{
	/* Rules only ever match the primitive identifier here. */
	if (len < 3 || len > 8)
		return JITSIM_R_MAP_BAD;
	if (jitsim_tbcd_decode_inline(val, len, d) != JITSIM_R_OK)
		return JITSIM_R_MAP_BAD_DIGITS;
	*has = true;
	return JITSIM_R_OK;
}

/*
 * AddressString (TS 29.002 17.7.8): extension/nature/plan octet, then TBCD
 * digits. SIZE (1..20); 16 digit octets is what struct jitsim_digits holds.
 */
static inline enum jitsim_reason
map_addr(const uint8_t *val, size_t len, bool *has, struct jitsim_digits *d)
{
	if (len < 1 || len > 1 + JITSIM_DIGITS_MAX / 2)
		return JITSIM_R_MAP_BAD;
	if (jitsim_tbcd_decode_inline(val + 1, len - 1, d) != JITSIM_R_OK)
		return JITSIM_R_MAP_BAD_DIGITS;
	*has = true;
	return JITSIM_R_OK;
}

/* F_COUNT: number of elements in a constructed list (out of line: rare). */
static enum jitsim_reason __attribute__((noinline))
map_count(const uint8_t *val, size_t len, struct jitsim_map_ids *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv e;
	enum jitsim_reason r;
	unsigned int n = 0;

	jitsim_ber_iter_init(&it, val, len);
	while ((r = jitsim_ber_next(&it, &e)) == JITSIM_R_OK)
		n++;
	if (r != JITSIM_R_END)
		return r;
	out->n_vectors = n > 255 ? 255 : (uint8_t)n;
	return JITSIM_R_OK;
}

/*
 * A matched element other than F_SUB. Inline in the walker: it takes the
 * contents rather than the TLV so that the walker's TLV never escapes.
 */
static HOT_INLINE enum jitsim_reason
map_field(uint8_t field, const uint8_t *val, size_t len, struct jitsim_map_ids *out)
{
	int64_t v;

	switch (field) {
	case F_IMSI:
		return map_imsi(val, len, &out->has_imsi, &out->imsi);
	case F_MSISDN:
		return map_addr(val, len, &out->has_msisdn, &out->msisdn);
	case F_MSC:
		return map_addr(val, len, &out->has_msc, &out->msc);
	case F_VLR:
		return map_addr(val, len, &out->has_vlr, &out->vlr);
	case F_SGSN:
		return map_addr(val, len, &out->has_sgsn, &out->sgsn);
	case F_SC:
		return map_addr(val, len, &out->has_sc, &out->sc);
	case F_HLR:
		return map_addr(val, len, &out->has_hlr, &out->hlr);
	case F_NVEC:
		if (jitsim_ber_int(val, len, &v) != JITSIM_R_OK)
			return JITSIM_R_BER_BAD;
		if (v < 0 || v > 255)
			return JITSIM_R_MAP_BAD;
		out->n_vectors = (uint8_t)v;
		return JITSIM_R_OK;
	default: /* F_COUNT */
		return map_count(val, len, out);
	}
}

static enum jitsim_reason map_walk_any(const uint8_t *p, size_t len, const struct map_rules *rules,
				       struct jitsim_map_ids *out);

/* Whether some rule of @p rules tells OCTET STRINGs apart by their rank. */
static HOT_INLINE bool
map_uses_nth(const struct map_rules *rules)
{
	for (const struct map_rule *rule = rules->r; rule < rules->r + rules->n; rule++)
		if (rule->nth != ANY)
			return true;
	return false;
}

/*
 * Element @p id at index @p pos, the @p nth OCTET STRING so far: apply the
 * first rule that matches it, if any. The loop over a constant @p rules is
 * unrolled, and each rule's action is then known at compile time.
 */
static HOT_INLINE enum jitsim_reason
map_element(const struct map_rules *rules, uint8_t id, unsigned int pos, unsigned int nth,
	    const uint8_t *val, size_t len, struct jitsim_map_ids *out)
{
	for (const struct map_rule *rule = rules->r; rule < rules->r + rules->n; rule++) {
		if (rule->id != id || (rule->pos != ANY && rule->pos != pos))
			continue;
		if (rule->nth != ANY && rule->nth != nth)
			continue;
		if (rule->field == F_SUB)
			return map_walk_any(val, len, rule->sub, out);
		return map_field(rule->field, val, len, out);
	}
	return JITSIM_R_OK;
}

/*
 * Apply @p rules to each element found in @p p (first matching rule wins).
 * Inlined with a constant @p rules (see map_decode()); tables nested below
 * go through the out-of-line map_walk_any(), at most as deep as the rule
 * tables (3).
 */
static HOT_INLINE enum jitsim_reason
map_walk(const uint8_t *p, size_t len, const struct map_rules *rules, struct jitsim_map_ids *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;
	unsigned int pos = 0, octet_strings = 0;

	jitsim_ber_iter_init(&it, p, len);
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		r = map_element(rules, t.id, pos, octet_strings, t.val, t.len, out);
		if (r != JITSIM_R_OK)
			return r;
		if (map_uses_nth(rules))
			octet_strings += t.id == 0x04;
		pos++;
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

static enum jitsim_reason __attribute__((noinline))
map_walk_any(const uint8_t *p, size_t len, const struct map_rules *rules,
	     struct jitsim_map_ids *out)
{
	return map_walk(p, len, rules, out);
}

/*
 * Each identity's has flag, count and first character are adjacent bytes
 * (struct jitsim_digits is byte-aligned), which lets the compiler merge
 * these stores; the digit arrays themselves are not touched.
 */
static inline void
ids_clear(struct jitsim_map_ids *out)
{
#define CLEAR(f)                      \
	do {                          \
		out->has_##f = false; \
		out->f.n = 0;         \
		out->f.d[0] = '\0';   \
	} while (0)
	CLEAR(imsi);
	CLEAR(msisdn);
	CLEAR(msc);
	CLEAR(vlr);
	CLEAR(sgsn);
	CLEAR(sc);
	CLEAR(hlr);
#undef CLEAR
	out->n_vectors = 0;
}

/*
 * The argument/result is one TLV whose identifier says which version's
 * syntax it is; anything the rules do not expect there is malformed.
 *
 * Always inlined with a constant @p rules: the compiler then unrolls the
 * rule matching of this level and the next (map_walk()) into compares
 * against constants and folds the field dispatch, so each operation gets
 * straight-line code while the tables above stay its only description.
 */
static HOT_INLINE enum jitsim_reason
map_decode(const struct map_rules *rules, const uint8_t *param, size_t len,
	   struct jitsim_map_ids *out)
{
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	ids_clear(out);
	/* Unknown operation, or one sent without an argument (SAI v3 "more vectors"). */
	if (rules == NULL || len == 0)
		return JITSIM_R_OK;
	r = jitsim_ber_read(param, len, &t);
	if (r != JITSIM_R_OK)
		return r;
	for (const struct map_rule *rule = rules->r; rule < rules->r + rules->n; rule++) {
		if (rule->id != t.id)
			continue;
		if (rule->field == F_SUB)
			return map_walk(t.val, t.len, rule->sub, out);
		return map_field(rule->field, t.val, t.len, out);
	}
	return JITSIM_R_MAP_BAD;
}

enum jitsim_reason
jitsim_map_decode_invoke(uint8_t opcode, const uint8_t *param, size_t len,
			 struct jitsim_map_ids *out)
{
	switch (opcode) {
	case JITSIM_MAP_OP_UPDATE_LOCATION:
		return map_decode(&ul_top, param, len, out);
	case JITSIM_MAP_OP_CANCEL_LOCATION:
		return map_decode(&cl_top, param, len, out);
	case JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA:
		return map_decode(&isd_top, param, len, out);
	case JITSIM_MAP_OP_DELETE_SUBSCRIBER_DATA:
		return map_decode(&dsd_top, param, len, out);
	case JITSIM_MAP_OP_SEND_ROUTING_INFO:
		return map_decode(&sri_top, param, len, out);
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		return map_decode(&ugl_top, param, len, out);
	case JITSIM_MAP_OP_MT_FORWARD_SM:
		return map_decode(&mtfsm_top, param, len, out);
	case JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		return map_decode(&srism_top, param, len, out);
	case JITSIM_MAP_OP_MO_FORWARD_SM:
		return map_decode(&mofsm_top, param, len, out);
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		return map_decode(&sai_top, param, len, out);
	case JITSIM_MAP_OP_PROCESS_USS_REQUEST:
		return map_decode(&ussd_top, param, len, out);
	case JITSIM_MAP_OP_PURGE_MS:
		return map_decode(&purge_top, param, len, out);
	case JITSIM_MAP_OP_ANY_TIME_INTERROGATION:
		return map_decode(&ati_top, param, len, out);
	default:
		return map_decode(NULL, param, len, out);
	}
}

enum jitsim_reason
jitsim_map_decode_result(uint8_t opcode, const uint8_t *param, size_t len,
			 struct jitsim_map_ids *out)
{
	switch (opcode) {
	case JITSIM_MAP_OP_UPDATE_LOCATION:
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		return map_decode(&ul_res_top, param, len, out);
	case JITSIM_MAP_OP_SEND_ROUTING_INFO:
		return map_decode(&sri_res_top, param, len, out);
	case JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		return map_decode(&srism_res_top, param, len, out);
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		return map_decode(&sai_res_top, param, len, out);
	case JITSIM_MAP_OP_SEND_IDENTIFICATION:
		return map_decode(&sid_res_top, param, len, out);
	default:
		return map_decode(NULL, param, len, out);
	}
}

/* Operation names as in the TS 29.002 ASN.1 modules (17.5); v1-only ones included. */
static const char *const op_names[] = {
	[2] = "updateLocation",
	[3] = "cancelLocation",
	[4] = "provideRoamingNumber",
	[5] = "noteSubscriberDataModified",
	[6] = "resumeCallHandling",
	[7] = "insertSubscriberData",
	[8] = "deleteSubscriberData",
	[9] = "sendParameters",
	[10] = "registerSS",
	[11] = "eraseSS",
	[12] = "activateSS",
	[13] = "deactivateSS",
	[14] = "interrogateSS",
	[15] = "authenticationFailureReport",
	[17] = "registerPassword",
	[18] = "getPassword",
	[19] = "processUnstructuredSS-Data",
	[20] = "releaseResources",
	[21] = "mt-ForwardSM-VGCS",
	[22] = "sendRoutingInfo",
	[23] = "updateGprsLocation",
	[24] = "sendRoutingInfoForGprs",
	[25] = "failureReport",
	[26] = "noteMsPresentForGprs",
	[28] = "performHandover",
	[29] = "sendEndSignal",
	[30] = "performSubsequentHandover",
	[31] = "provideSIWFSNumber",
	[32] = "sIWFSSignallingModify",
	[33] = "processAccessSignalling",
	[34] = "forwardAccessSignalling",
	[35] = "noteInternalHandover",
	[36] = "cancelVcsgLocation",
	[37] = "reset",
	[38] = "forwardCheckSS-Indication",
	[39] = "prepareGroupCall",
	[40] = "sendGroupCallEndSignal",
	[41] = "processGroupCallSignalling",
	[42] = "forwardGroupCallSignalling",
	[43] = "checkIMEI",
	[44] = "mt-ForwardSM",
	[45] = "sendRoutingInfoForSM",
	[46] = "mo-ForwardSM",
	[47] = "reportSM-DeliveryStatus",
	[48] = "noteSubscriberPresent",
	[49] = "alertServiceCentreWithoutResult",
	[50] = "activateTraceMode",
	[51] = "deactivateTraceMode",
	[52] = "traceSubscriberActivity",
	[53] = "updateVcsgLocation",
	[54] = "beginSubscriberActivity",
	[55] = "sendIdentification",
	[56] = "sendAuthenticationInfo",
	[57] = "restoreData",
	[58] = "sendIMSI",
	[59] = "processUnstructuredSS-Request",
	[60] = "unstructuredSS-Request",
	[61] = "unstructuredSS-Notify",
	[62] = "anyTimeSubscriptionInterrogation",
	[63] = "informServiceCentre",
	[64] = "alertServiceCentre",
	[65] = "anyTimeModification",
	[66] = "readyForSM",
	[67] = "purgeMS",
	[68] = "prepareHandover",
	[69] = "prepareSubsequentHandover",
	[70] = "provideSubscriberInfo",
	[71] = "anyTimeInterrogation",
	[72] = "ss-InvocationNotification",
	[73] = "setReportingState",
	[74] = "statusReport",
	[75] = "remoteUserFree",
	[76] = "registerCC-Entry",
	[77] = "eraseCC-Entry",
	[78] = "secureTransportClass1",
	[79] = "secureTransportClass2",
	[80] = "secureTransportClass3",
	[81] = "secureTransportClass4",
	[83] = "provideSubscriberLocation",
	[84] = "sendGroupCallInfo",
	[85] = "sendRoutingInfoForLCS",
	[86] = "subscriberLocationReport",
	[87] = "ist-Alert",
	[88] = "ist-Command",
	[89] = "noteMM-Event",
};

/* Error names as in the TS 29.002 MAP-Errors module (17.6.6). */
static const char *const err_names[] = {
	[1] = "unknownSubscriber",
	[2] = "unknownBaseStation",
	[3] = "unknownMSC",
	[4] = "secureTransportError",
	[5] = "unidentifiedSubscriber",
	[6] = "absentSubscriberSM",
	[7] = "unknownEquipment",
	[8] = "roamingNotAllowed",
	[9] = "illegalSubscriber",
	[10] = "bearerServiceNotProvisioned",
	[11] = "teleserviceNotProvisioned",
	[12] = "illegalEquipment",
	[13] = "callBarred",
	[14] = "forwardingViolation",
	[15] = "cug-Reject",
	[16] = "illegalSS-Operation",
	[17] = "ss-ErrorStatus",
	[18] = "ss-NotAvailable",
	[19] = "ss-SubscriptionViolation",
	[20] = "ss-Incompatibility",
	[21] = "facilityNotSupported",
	[22] = "ongoingGroupCall",
	[23] = "invalidTargetBaseStation",
	[24] = "noRadioResourceAvailable",
	[25] = "noHandoverNumberAvailable",
	[26] = "subsequentHandoverFailure",
	[27] = "absentSubscriber",
	[28] = "incompatibleTerminal",
	[29] = "shortTermDenial",
	[30] = "longTermDenial",
	[31] = "subscriberBusyForMT-SMS",
	[32] = "sm-DeliveryFailure",
	[33] = "messageWaitingListFull",
	[34] = "systemFailure",
	[35] = "dataMissing",
	[36] = "unexpectedDataValue",
	[37] = "pw-RegistrationFailure",
	[38] = "negativePW-Check",
	[39] = "noRoamingNumberAvailable",
	[40] = "tracingBufferFull",
	[42] = "targetCellOutsideGroupCallArea",
	[43] = "numberOfPW-AttemptsViolation",
	[44] = "numberChanged",
	[45] = "busySubscriber",
	[46] = "noSubscriberReply",
	[47] = "forwardingFailed",
	[48] = "or-NotAllowed",
	[49] = "ati-NotAllowed",
	[50] = "noGroupCallNumberAvailable",
	[51] = "resourceLimitation",
	[52] = "unauthorizedRequestingNetwork",
	[53] = "unauthorizedLCSClient",
	[54] = "positionMethodFailure",
	[58] = "unknownOrUnreachableLCSClient",
	[59] = "mm-EventNotSupported",
	[60] = "atsi-NotAllowed",
	[61] = "atm-NotAllowed",
	[62] = "informationNotAvailable",
	[71] = "unknownAlphabet",
	[72] = "ussd-Busy",
};

const char *
jitsim_map_op_name(uint8_t opcode)
{
	return opcode < sizeof(op_names) / sizeof(op_names[0]) ? op_names[opcode] : NULL;
}

const char *
jitsim_map_err_name(uint8_t err)
{
	return err < sizeof(err_names) / sizeof(err_names[0]) ? err_names[err] : NULL;
}

int
jitsim_map_ids_dump(const struct jitsim_map_ids *x, char *buf, size_t size)
{
	const struct {
		const char *key;
		bool has;
		const struct jitsim_digits *d;
	} f[] = {
		{"imsi", x->has_imsi, &x->imsi}, {"msisdn", x->has_msisdn, &x->msisdn},
		{"msc", x->has_msc, &x->msc},	 {"vlr", x->has_vlr, &x->vlr},
		{"sgsn", x->has_sgsn, &x->sgsn}, {"sc", x->has_sc, &x->sc},
		{"hlr", x->has_hlr, &x->hlr},
	};
	size_t off = 0;

	if (size)
		buf[0] = '\0';
	for (size_t i = 0; i < sizeof(f) / sizeof(f[0]); i++)
		if (f[i].has)
			jitsim_dump_add(buf, size, &off, "%s%s=%s", off ? " " : "", f[i].key,
					f[i].d->d);
	if (x->n_vectors)
		jitsim_dump_add(buf, size, &off, "%svectors=%u", off ? " " : "", x->n_vectors);
	if (off == 0)
		jitsim_dump_add(buf, size, &off, "ids=none");
	return (int)off;
}
