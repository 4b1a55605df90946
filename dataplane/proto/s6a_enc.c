/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * S6a/S6d message encoder (3GPP TS 29.272 7.2): AIR/AIA, ULR/ULA, PUR/PUA,
 * CLR/CLA, IDR/IDA and NOR/NOA, with the AVPs of struct jitsim_s6a_msg in the
 * order of the command ABNF. Fields that the command does not carry are
 * ignored; AVPs the ABNF marks mandatory ({...}) must be given, otherwise the
 * result is JITSIM_R_BAD_PARAM. Parameters are all checked before the first
 * byte is written, and on JITSIM_R_NOSPACE the wbuf is restored.
 */

#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/s6a.h>

/* AVP flags of TS 29.272 Table 7.3.1/1 (3GPP AVPs) and RFC 6733 4.5 (base AVPs). */
#define M JITSIM_DIAM_AVP_M
#define V3 JITSIM_DIAM_VENDOR_3GPP

/* TS 29.272 7.3.24 Cancellation-Type, 7.3.2 Subscription-Data, RFC 6733 8.11 */
#define AVP_CANCELLATION_TYPE 1420
#define AUTH_SESSION_STATE_NO_STATE_MAINTAINED 1

/* Longest E.164 number and IMSI (ITU-T E.164 6, TS 23.003 2.2). */
#define E164_MAX_DIGITS 15
#define IMSI_MAX_DIGITS 15

/* What each command carries (TS 29.272 7.2.3 - 7.2.18). */
enum {
	HAS_DEST_HOST_REQ = 1 << 0, /* { Destination-Host } (CLR, IDR) */
	HAS_VISITED_PLMN = 1 << 1,  /* { Visited-PLMN-Id } (AIR, ULR) */
	HAS_ULR_FIELDS = 1 << 2,    /* { RAT-Type } { ULR-Flags } (ULR) */
	HAS_TERMINAL = 1 << 3,	    /* [ Terminal-Information ] (ULR, NOR) */
	HAS_EUTRAN_INFO = 1 << 4,   /* [ Requested-EUTRAN-Authentication-Info ] (AIR) */
	HAS_CANCEL_TYPE = 1 << 5,   /* { Cancellation-Type } (CLR) */
	HAS_SUBDATA_REQ = 1 << 6,   /* { Subscription-Data } (IDR) */
	HAS_SUBDATA_ANS = 1 << 7,   /* [ Subscription-Data ] (ULA) */
};

static int
cmd_fields(uint32_t cmd, bool req)
{
	switch (cmd) {
	case JITSIM_S6A_CMD_AIR:
		return req ? HAS_VISITED_PLMN | HAS_EUTRAN_INFO : 0;
	case JITSIM_S6A_CMD_ULR:
		return req ? HAS_VISITED_PLMN | HAS_ULR_FIELDS | HAS_TERMINAL : HAS_SUBDATA_ANS;
	case JITSIM_S6A_CMD_CLR:
		return req ? HAS_DEST_HOST_REQ | HAS_CANCEL_TYPE : 0;
	case JITSIM_S6A_CMD_IDR:
		return req ? HAS_DEST_HOST_REQ | HAS_SUBDATA_REQ : 0;
	case JITSIM_S6A_CMD_NOR:
		return req ? HAS_TERMINAL : 0;
	case JITSIM_S6A_CMD_PUR:
		return 0;
	default:
		return -1;
	}
}

static bool
all_digits(const char *s, size_t min, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n < min || n > max)
		return false;
	for (size_t i = 0; i < n; i++)
		if ((unsigned int)(s[i] - '0') > 9)
			return false;
	return true;
}

/* Parameters checked up front so that BAD_PARAM never leaves half a message. */
static enum jitsim_reason
check_params(const struct jitsim_s6a_msg *m, int f, uint8_t plmn[3], uint8_t *msisdn,
	     size_t *msisdn_len)
{
	if (m->session_id == NULL || m->origin_host == NULL || m->origin_realm == NULL)
		return JITSIM_R_BAD_PARAM;
	if (m->is_request) {
		/* Every S6a request: { Destination-Realm } { User-Name } */
		if (m->dest_realm == NULL || m->imsi == NULL ||
		    !all_digits(m->imsi, 1, IMSI_MAX_DIGITS))
			return JITSIM_R_BAD_PARAM;
		if ((f & HAS_DEST_HOST_REQ) && m->dest_host == NULL)
			return JITSIM_R_BAD_PARAM;
	} else {
		/* TS 29.272 7.2.x answers: Result-Code or Experimental-Result, one of them. */
		if ((m->result_code != 0) == (m->exp_result_code != 0))
			return JITSIM_R_BAD_PARAM;
	}
	if (f & HAS_VISITED_PLMN) {
		if (m->visited_plmn == NULL || jitsim_plmn_encode(m->visited_plmn, plmn) != 0)
			return JITSIM_R_BAD_PARAM;
	}
	/* RAT-Type 0 is WLAN (TS 29.212 5.3.31) but here means "not given". */
	if ((f & HAS_ULR_FIELDS) && m->rat_type == 0)
		return JITSIM_R_BAD_PARAM;
	/* TS 29.272 7.3.4: 14 digits (TAC + SNR), optionally a 15th. */
	if ((f & HAS_TERMINAL) && m->imei != NULL && !all_digits(m->imei, 14, 15))
		return JITSIM_R_BAD_PARAM;
	*msisdn_len = 0;
	if ((f & (HAS_SUBDATA_REQ | HAS_SUBDATA_ANS)) && m->msisdn != NULL) {
		int n;

		if (!all_digits(m->msisdn, 1, E164_MAX_DIGITS))
			return JITSIM_R_BAD_PARAM;
		n = jitsim_tbcd_encode(m->msisdn, msisdn, (E164_MAX_DIGITS + 1) / 2);
		if (n < 0)
			return JITSIM_R_BAD_PARAM;
		*msisdn_len = (size_t)n;
	}
	return JITSIM_R_OK;
}

/* Bail out of jitsim_s6a_encode() on the first failed append. */
#define TRY(expr)                     \
	do {                          \
		r = (expr);           \
		if (r != JITSIM_R_OK) \
			goto fail;    \
	} while (0)

enum jitsim_reason
jitsim_s6a_encode(struct jitsim_wbuf *w, const struct jitsim_s6a_msg *m)
{
	const size_t tail0 = w->tail;
	uint8_t plmn[3], msisdn[(E164_MAX_DIGITS + 1) / 2];
	size_t msisdn_len, start, grp;
	struct jitsim_diam_hdr h;
	enum jitsim_reason r;
	int f;

	if (m == NULL)
		return JITSIM_R_BAD_PARAM;
	f = cmd_fields(m->cmd, m->is_request);
	if (f < 0)
		return JITSIM_R_BAD_PARAM;
	r = check_params(m, f, plmn, msisdn, &msisdn_len);
	if (r != JITSIM_R_OK)
		return r;

	/*
	 * TS 29.272 7.2.x: every S6a command has the PXY flag; RFC 6733 7.1.3:
	 * protocol errors (3xxx) are answered with the E bit.
	 */
	memset(&h, 0, sizeof(h));
	h.flags = JITSIM_DIAM_FLAG_P;
	if (m->is_request)
		h.flags |= JITSIM_DIAM_FLAG_R;
	else if (m->result_code >= 3000 && m->result_code < 4000)
		h.flags |= JITSIM_DIAM_FLAG_E;
	h.cmd = m->cmd;
	h.app_id = JITSIM_S6A_APP_ID;
	h.hbh = m->hbh;
	h.e2e = m->e2e;
	TRY(jitsim_diam_encode_hdr(w, &h, &start));

	/* RFC 6733 8.8: Session-Id comes first in the message. */
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_SESSION_ID, M, 0, m->session_id));
	TRY(jitsim_diam_encode_vsai(w, V3, JITSIM_S6A_APP_ID));

	if (!m->is_request) {
		if (m->result_code != 0) {
			TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_RESULT_CODE, M, 0,
						       m->result_code));
		} else {
			/* RFC 6733 7.6, TS 29.272 7.4.3: 3GPP result codes. */
			TRY(jitsim_diam_encode_exp_result(w, V3, m->exp_result_code));
		}
	}

	/* TS 29.272 7.1: stateless sessions, NO_STATE_MAINTAINED. */
	TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_AUTH_SESSION_STATE, M, 0,
				       AUTH_SESSION_STATE_NO_STATE_MAINTAINED));
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_HOST, M, 0, m->origin_host));
	TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_ORIGIN_REALM, M, 0, m->origin_realm));

	if (m->is_request) {
		if (m->dest_host != NULL)
			TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_HOST, M, 0,
						       m->dest_host));
		TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_DESTINATION_REALM, M, 0,
					       m->dest_realm));
		TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_USER_NAME, M, 0, m->imsi));
	}

	if ((f & HAS_TERMINAL) && m->imei != NULL) {
		TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_TERMINAL_INFORMATION, M, V3,
						   &grp));
		TRY(jitsim_diam_encode_avp_str(w, JITSIM_AVP_IMEI, M, V3, m->imei));
		jitsim_diam_encode_group_end(w, grp);
	}
	if ((f & HAS_EUTRAN_INFO) && m->n_vectors != 0) {
		TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, M, V3,
						   &grp));
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3,
					       m->n_vectors));
		jitsim_diam_encode_group_end(w, grp);
	}
	if (f & HAS_ULR_FIELDS) {
		/* RAT-Type: M and V as TS 29.212 Table 5.3.1 lists them. */
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_RAT_TYPE, M, V3, m->rat_type));
		TRY(jitsim_diam_encode_avp_u32(w, JITSIM_AVP_ULR_FLAGS, M, V3, m->ulr_flags));
	}
	if (f & HAS_VISITED_PLMN)
		TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_VISITED_PLMN_ID, M, V3, plmn, 3));
	if (f & HAS_CANCEL_TYPE)
		TRY(jitsim_diam_encode_avp_u32(w, AVP_CANCELLATION_TYPE, M, V3,
					       m->cancellation_type));
	if ((f & HAS_SUBDATA_REQ) || ((f & HAS_SUBDATA_ANS) && m->msisdn != NULL)) {
		TRY(jitsim_diam_encode_group_begin(w, JITSIM_AVP_SUBSCRIPTION_DATA, M, V3, &grp));
		if (msisdn_len != 0)
			TRY(jitsim_diam_encode_avp(w, JITSIM_AVP_MSISDN, M, V3, msisdn,
						   msisdn_len));
		jitsim_diam_encode_group_end(w, grp);
	}

	jitsim_diam_encode_finish(w, start);
	return JITSIM_R_OK;
fail:
	w->tail = tail0;
	return r;
}
