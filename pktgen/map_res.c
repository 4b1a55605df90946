/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/map.h>

#include "encode.h"
#include "map_res.h"
#include "rng.h"

/* AddressString: international number, ISDN/E.164 plan (TS 29.002 17.7.8). */
#define ADDR_INTL_E164 0x91

/*
 * jitsim_tbcd_encode(), with the digit strings pktgen makes (all of them)
 * packed inline: this runs for most answers.
 */
static int
tbcd(const char *digits, uint8_t *o, size_t cap)
{
	size_t n = strlen(digits);

	if ((n + 1) / 2 <= cap && jitsim_pktgen_tbcd(o, digits, n))
		return (int)((n + 1) / 2);
	return jitsim_tbcd_encode(digits, o, cap);
}

static enum jitsim_reason
put_addr(struct jitsim_wbuf *w, uint8_t id, const char *digits)
{
	uint8_t o[1 + JITSIM_DIGITS_MAX / 2];
	int n;

	if (digits == NULL)
		return JITSIM_R_BAD_PARAM;
	o[0] = ADDR_INTL_E164;
	n = tbcd(digits, o + 1, sizeof(o) - 1);
	if (n <= 0)
		return JITSIM_R_BAD_PARAM;
	return jitsim_ber_prepend_tlv(w, id, o, (size_t)n + 1);
}

static enum jitsim_reason
put_imsi(struct jitsim_wbuf *w, uint8_t id, const char *imsi)
{
	uint8_t o[8];
	int n;

	if (imsi == NULL)
		return JITSIM_R_BAD_PARAM;
	n = tbcd(imsi, o, sizeof(o));
	/* TS 29.002 17.7.2: IMSI is 3..8 octets. */
	if (n < 3)
		return JITSIM_R_BAD_PARAM;
	return jitsim_ber_prepend_tlv(w, id, o, (size_t)n);
}

static enum jitsim_reason
close_seq(struct jitsim_wbuf *w, uint8_t id, size_t mark)
{
	return jitsim_ber_prepend_hdr(w, id, mark - w->head);
}

/*
 * SendAuthenticationInfoRes with one AuthenticationTriplet ::= SEQUENCE {
 * rand (16), sres (4), kc (8) } (TS 29.002 17.7.3): v2 a SEQUENCE OF
 * triplets, v3 [3] SEQUENCE { authenticationSetList: tripletList [0] }.
 * Every length is below 128, so each BER header is two octets (X.690
 * 8.1.3.4) and the layout is fixed: written in one piece, the bytes that
 * jitsim_ber_prepend_tlv()/_hdr() would lay out one by one.
 */
static enum jitsim_reason
put_sai_res(struct jitsim_wbuf *w, uint8_t version, uint64_t seed)
{
	size_t hdr = version < 3 ? 2 : 4;
	uint8_t v[28], *o = jitsim_wbuf_prepend(w, hdr + 36), *t;

	if (o == NULL)
		return JITSIM_R_NOSPACE;
	for (int i = 0; i < 28; i += 7) {
		uint64_t x = jitsim_pktgen_hash2(seed, (uint64_t)i);

		memcpy(v + i, &x, 7);
	}
	if (version < 3) {
		o[0] = 0x30;
		o[1] = 36;
	} else {
		o[0] = 0xa3;
		o[1] = 38;
		o[2] = 0xa0;
		o[3] = 36;
	}
	t = o + hdr;
	t[0] = 0x30;
	t[1] = 34;
	t[2] = 0x04;
	t[3] = 16;
	memcpy(t + 4, v, 16);
	t[20] = 0x04;
	t[21] = 4;
	memcpy(t + 22, v + 16, 4);
	t[26] = 0x04;
	t[27] = 8;
	memcpy(t + 28, v + 20, 8);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_map_result(struct jitsim_wbuf *w, uint8_t opcode, uint8_t version,
			 const struct jitsim_pktgen_map_res *res)
{
	size_t mark = w->head;
	enum jitsim_reason r;

	switch (opcode) {
	case JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO:
		return put_sai_res(w, version, res->vector_seed);
	case JITSIM_MAP_OP_UPDATE_LOCATION:
	case JITSIM_MAP_OP_UPDATE_GPRS_LOCATION:
		/* UpdateLocationRes / UpdateGprsLocationRes ::= SEQUENCE { hlr-Number, ... } */
		r = put_addr(w, 0x04, res->number);
		return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_SEND_ROUTING_INFO:
		/* v3 SendRoutingInfoRes ::= [3] SEQUENCE { imsi [9], extendedRoutingInfo
		 * (routingInfo: roamingNumber), ... } */
		r = put_addr(w, 0x04, res->number);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x89, res->imsi);
		return r == JITSIM_R_OK ? close_seq(w, 0xa3, mark) : r;
	case JITSIM_MAP_OP_SEND_ROUTING_INFO_FOR_SM:
		/* RoutingInfoForSM-Res ::= SEQUENCE { imsi, locationInfoWithLMSI [0] SEQUENCE {
		 * networkNode-Number [1], ... } } */
		r = put_addr(w, 0x81, res->number);
		if (r == JITSIM_R_OK)
			r = close_seq(w, 0xa0, mark);
		if (r == JITSIM_R_OK)
			r = put_imsi(w, 0x04, res->imsi);
		return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
	case JITSIM_MAP_OP_PURGE_MS:
	case JITSIM_MAP_OP_CANCEL_LOCATION:
	case JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA:
	case JITSIM_MAP_OP_MO_FORWARD_SM:
	case JITSIM_MAP_OP_MT_FORWARD_SM:
		/* v3 results whose every element is OPTIONAL: an empty SEQUENCE. */
		return jitsim_ber_prepend_hdr(w, 0x30, 0);
	case JITSIM_PKTGEN_MAP_OP_ATI:
		/* AnyTimeInterrogationRes ::= SEQUENCE { subscriberInfo SEQUENCE {...} } */
		r = jitsim_ber_prepend_hdr(w, 0x30, 0);
		return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
	}
	return JITSIM_R_BAD_PARAM;
}

enum jitsim_reason
jitsim_pktgen_map_ati_arg(struct jitsim_wbuf *w, const char *msisdn, const char *gsmscf)
{
	static const uint8_t location_info[] = {0x80, 0x00}; /* locationInformation [0] NULL */
	size_t mark = w->head, inner;
	enum jitsim_reason r;

	/* SEQUENCE { subscriberIdentity [0] { msisdn [1] }, requestedInfo [1], gsmSCF [3] } */
	r = put_addr(w, 0x83, gsmscf);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0xa1, location_info, sizeof(location_info));
	inner = w->head;
	if (r == JITSIM_R_OK)
		r = put_addr(w, 0x81, msisdn);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xa0, inner);
	return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
}
