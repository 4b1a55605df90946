/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP Invoke argument writer (3GPP TS 29.002 17.6), for the operations the
 * appliance and its traffic generator exchange. Only the mandatory fields
 * and the identities of struct jitsim_map_ids are written.
 */

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map.h>

#include "map_addr.h"

/* AddressString first octet: no extension, international number, ISDN/E.164 (TS 29.002 17.7.8). */
#define ADDR_INTL_E164 0x91
/* IMSI ::= TBCD-STRING (SIZE (3..8)): at most 15 digits are meaningful, 16 fit. */
#define IMSI_DIGITS_MAX 16
#define IMSI_OCTETS_MIN 3
/*
 * GSN-Address (TS 23.003 / TS 29.060 7.7.32): type IPv4 + length 4, then the
 * address. struct jitsim_map_ids has no SGSN IP address, so UGL carries
 * 0.0.0.0 in this mandatory field.
 */
static const uint8_t gsn_address_unspec[] = {0x04, 0x00, 0x00, 0x00, 0x00};
/*
 * sm-RP-UI is mandatory and the ids carry no short message: an empty one is
 * sent, as a well-formed TPDU so that the SMS layer of the far end (and
 * tshark) accepts it. 3GPP TS 23.040 9.2.2.2 SMS-SUBMIT: MTI 01, MR 0,
 * TP-DA "12345" (unknown TON, ISDN plan), PID 0, DCS 0, UDL 0.
 */
static const uint8_t tpdu_submit_empty[] = {0x01, 0x00, 0x05, 0x81, 0x21, 0x43, 0xf5,
					    0x00, 0x00, 0x00};
/*
 * 9.2.2.1 SMS-DELIVER: MTI 00 with TP-MMS (no more messages), TP-OA
 * "12345", PID 0, DCS 0, TP-SCTS 2026-11-26 01:00:00 UTC (semi-octets,
 * 9.2.3.11), UDL 0.
 */
static const uint8_t tpdu_deliver_empty[] = {0x04, 0x05, 0x81, 0x21, 0x43, 0xf5, 0x00, 0x00,
					     0x62, 0x11, 0x62, 0x10, 0x00, 0x00, 0x00, 0x00};
/* sm-RP-PRI FALSE (BOOLEAN, X.690 8.2.2). */
static const uint8_t bool_false[] = {0x00};
/* interrogationType basicCall(0) (TS 29.002 17.7.4). */
static const uint8_t interrogation_basic_call[] = {0x00};

/* TBCD digits of @p d (NUL-terminated within the struct) into @p o. */
static int
tbcd(const struct jitsim_digits *d, size_t max_digits, uint8_t *o, size_t cap)
{
	int n;

	if (d->n == 0 || d->n > max_digits || memchr(d->d, '\0', sizeof(d->d)) == NULL)
		return -1;
	n = jitsim_tbcd_encode(d->d, o, cap);
	if (n != (d->n + 1) / 2)
		return -1;
	return n;
}

enum jitsim_reason
jitsim_map_prepend_imsi(struct jitsim_wbuf *w, uint8_t id, const struct jitsim_digits *d)
{
	uint8_t o[IMSI_DIGITS_MAX / 2];
	int n = tbcd(d, IMSI_DIGITS_MAX, o, sizeof(o));

	/* TS 29.002 17.7.2: at least 3 octets. */
	if (n < IMSI_OCTETS_MIN)
		return JITSIM_R_BAD_PARAM;
	return jitsim_ber_prepend_tlv(w, id, o, (size_t)n);
}

enum jitsim_reason
jitsim_map_prepend_addr(struct jitsim_wbuf *w, uint8_t id, const struct jitsim_digits *d,
			size_t max_digits)
{
	uint8_t o[1 + JITSIM_DIGITS_MAX / 2];
	int n;

	if (max_digits > JITSIM_DIGITS_MAX)
		return JITSIM_R_BAD_PARAM;
	o[0] = ADDR_INTL_E164;
	n = tbcd(d, max_digits, o + 1, sizeof(o) - 1);
	if (n < 0)
		return JITSIM_R_BAD_PARAM;
	return jitsim_ber_prepend_tlv(w, id, o, (size_t)n + 1);
}

/* The identities of struct jitsim_map_ids carry a presence flag: absent is BAD_PARAM. */
static enum jitsim_reason
put_imsi(struct jitsim_wbuf *w, uint8_t id, bool has, const struct jitsim_digits *d)
{
	return has ? jitsim_map_prepend_imsi(w, id, d) : JITSIM_R_BAD_PARAM;
}

static enum jitsim_reason
put_addr(struct jitsim_wbuf *w, uint8_t id, bool has, const struct jitsim_digits *d)
{
	return has ? jitsim_map_prepend_addr(w, id, d, JITSIM_DIGITS_MAX) : JITSIM_R_BAD_PARAM;
}

/* Close a SEQUENCE (or [3] SEQUENCE) whose contents run from the head to @p mark. */
static enum jitsim_reason
put_seq(struct jitsim_wbuf *w, uint8_t id, size_t mark)
{
	return jitsim_ber_prepend_hdr(w, id, mark - w->head);
}

/* The argument of @p opcode, elements prepended last to first. */
static enum jitsim_reason
map_arg(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version, const struct jitsim_map_ids *ids)
{
	size_t mark = w->head;
	enum jitsim_reason r;
	uint8_t n;

	switch (opcode) {
	case JITSIM_MAP_OP_UPDATE_LOCATION:
		/* UpdateLocationArg ::= SEQUENCE { imsi, msc-Number [1], vlr-Number, ... } */
		r = put_addr(w, 0x04, ids->has_vlr, &ids->vlr);
		if (r == JITSIM_R_OK)
			r = put_addr(w, 0x81, ids->has_msc, &ids->msc);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_CANCEL_LOCATION:
		/* v1/v2: Identity (imsi); v3: [3] SEQUENCE { identity, ... } */
		r = put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
		if (r != JITSIM_R_OK || version < 3)
			return r;
		return put_seq(w, 0xa3, mark);
	case JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA:
		/* InsertSubscriberDataArg ::= SEQUENCE { imsi [0] OPT, msisdn [1] OPT, ... } */
		if (!ids->has_imsi && !ids->has_msisdn)
			return JITSIM_R_BAD_PARAM;
		r = JITSIM_R_OK;
		if (ids->has_msisdn)
			r = put_addr(w, 0x81, true, &ids->msisdn);
		if (r == JITSIM_R_OK && ids->has_imsi)
			r = put_imsi(w, 0x80, true, &ids->imsi);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_SEND_ROUTING_INFO:
		/*
		 * v3 SendRoutingInfoArg ::= SEQUENCE { msisdn [0], ...,
		 * interrogationType [3], ..., gmsc-OrGsmSCF-Address [6] (from
		 * ids->msc), ... }; v1/v2 only require msisdn [0].
		 */
		r = JITSIM_R_OK;
		if (version >= 3) {
			r = put_addr(w, 0x86, ids->has_msc, &ids->msc);
			if (r == JITSIM_R_OK)
				r = jitsim_ber_prepend_tlv(w, 0x83, interrogation_basic_call,
							   sizeof(interrogation_basic_call));
		}
		if (r == JITSIM_R_OK)
			r = put_addr(w, 0x80, ids->has_msisdn, &ids->msisdn);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		/* UpdateGprsLocationArg ::= SEQUENCE { imsi, sgsn-Number, sgsn-Address, ... } */
		r = jitsim_ber_prepend_tlv(w, 0x04, gsn_address_unspec, sizeof(gsn_address_unspec));
		if (r == JITSIM_R_OK)
			r = put_addr(w, 0x04, ids->has_sgsn, &ids->sgsn);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		/* RoutingInfoForSM-Arg ::= SEQUENCE { msisdn [0], sm-RP-PRI [1],
		 * serviceCentreAddress [2], ... } */
		r = put_addr(w, 0x82, ids->has_sc, &ids->sc);
		if (r == JITSIM_R_OK)
			r = jitsim_ber_prepend_tlv(w, 0x81, bool_false, sizeof(bool_false));
		if (r == JITSIM_R_OK)
			r = put_addr(w, 0x80, ids->has_msisdn, &ids->msisdn);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_MT_FORWARD_SM:
	case JITSIM_MAP_OP_MO_FORWARD_SM:
		/*
		 * SEQUENCE { sm-RP-DA, sm-RP-OA, sm-RP-UI, ... }. Mobile
		 * originated (46 with an msisdn): DA = SC address [4], OA =
		 * msisdn [2]. Mobile terminated (44, or v1/v2 forwardSM 46
		 * without msisdn): DA = imsi [0], OA = SC address [4].
		 */
		if (opcode == JITSIM_MAP_OP_MO_FORWARD_SM && ids->has_msisdn)
			r = jitsim_ber_prepend_tlv(w, 0x04, tpdu_submit_empty,
						   sizeof(tpdu_submit_empty));
		else
			r = jitsim_ber_prepend_tlv(w, 0x04, tpdu_deliver_empty,
						   sizeof(tpdu_deliver_empty));
		if (r != JITSIM_R_OK)
			return r;
		if (opcode == JITSIM_MAP_OP_MO_FORWARD_SM && ids->has_msisdn) {
			r = put_addr(w, 0x82, true, &ids->msisdn);
			if (r == JITSIM_R_OK)
				r = put_addr(w, 0x84, ids->has_sc, &ids->sc);
		} else {
			r = put_addr(w, 0x84, ids->has_sc, &ids->sc);
			if (r == JITSIM_R_OK)
				r = put_imsi(w, 0x80, ids->has_imsi, &ids->imsi);
		}
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		/* v2: IMSI; v3: SEQUENCE { imsi [0], numberOfRequestedVectors (1..5), ... } */
		if (version < 3)
			return put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
		n = ids->n_vectors;
		if (n < 1 || n > 5)
			return JITSIM_R_BAD_PARAM;
		r = jitsim_ber_prepend_tlv(w, 0x02, &n, 1);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x80, ids->has_imsi, &ids->imsi);
		return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_PURGE_MS:
		/* v3: [3] SEQUENCE { imsi, vlr-Number [0] OPT, sgsn-Number [1] OPT }; v2: SEQUENCE
		 * { imsi, vlr-Number } */
		if (version < 3) {
			r = put_addr(w, 0x04, ids->has_vlr, &ids->vlr);
			if (r == JITSIM_R_OK)
				r = put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
			return r == JITSIM_R_OK ? put_seq(w, 0x30, mark) : r;
		}
		r = JITSIM_R_OK;
		if (ids->has_sgsn)
			r = put_addr(w, 0x81, true, &ids->sgsn);
		if (r == JITSIM_R_OK && ids->has_vlr)
			r = put_addr(w, 0x80, true, &ids->vlr);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x04, ids->has_imsi, &ids->imsi);
		return r == JITSIM_R_OK ? put_seq(w, 0xa3, mark) : r;
	default:
		return JITSIM_R_BAD_PARAM;
	}
}

enum jitsim_reason
jitsim_map_encode_invoke(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
			 const struct jitsim_map_ids *ids)
{
	size_t saved = w->head;
	enum jitsim_reason r = map_arg(w, opcode, version, ids);

	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}
