/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP parameters the First Time Attach endpoint sends as the HLR
 * (3GPP TS 29.002, ASN.1 of MAP-MS-DataTypes, 17.7.1 and 17.7.3): the
 * SendAuthenticationInfo, UpdateLocation and UpdateGprsLocation results,
 * the InsertSubscriberData and CancelLocation arguments. Written back to
 * front into the wbuf, definite lengths only (X.690 8.1.3, shortest form).
 */

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map_fta.h>

#include "map_addr.h"

/* ISDN-AddressString ::= AddressString (SIZE (1..9)): 16 digits after the nature octet. */
#define ISDN_DIGITS_MAX 16
/* ContextId ::= INTEGER (1..maxNumOfPDP-Contexts) with maxNumOfPDP-Contexts 50. */
#define PDP_CONTEXT_ID_MAX 50
/* APN label length (TS 23.003 9.1: DNS labels of at most 63 octets). */
#define APN_LABEL_MAX 63

static enum jitsim_reason
put_imsi(struct jitsim_wbuf *w, uint8_t id, const struct jitsim_digits *d)
{
	return jitsim_map_prepend_imsi(w, id, d);
}

static enum jitsim_reason
put_isdn(struct jitsim_wbuf *w, uint8_t id, const struct jitsim_digits *d)
{
	return jitsim_map_prepend_addr(w, id, d, ISDN_DIGITS_MAX);
}

/* Close the constructed value whose contents run from the head to @p mark. */
static enum jitsim_reason
close_seq(struct jitsim_wbuf *w, uint8_t id, size_t mark)
{
	return jitsim_ber_prepend_hdr(w, id, mark - w->head);
}

/* Identifier + length octets of a definite length (X.690 8.1.3). */
static size_t
hdr_size(size_t len)
{
	if (len < 0x80)
		return 2;
	if (len < 0x100)
		return 3;
	return 4;
}

/* AuthenticationQuintuplet ::= SEQUENCE { rand, xres, ck, ik, autn, ... } */
static enum jitsim_reason
put_quintuplet(struct jitsim_wbuf *w, const struct jitsim_map_fta_quintuplet *q)
{
	size_t mark = w->head;
	enum jitsim_reason r;

	if (q->xres_len < JITSIM_MAP_FTA_XRES_MIN || q->xres_len > JITSIM_MAP_FTA_XRES_MAX)
		return JITSIM_R_BAD_PARAM;
	r = jitsim_ber_prepend_tlv(w, 0x04, q->autn, sizeof(q->autn));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, q->ik, sizeof(q->ik));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, q->ck, sizeof(q->ck));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, q->xres, q->xres_len);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, q->rand, sizeof(q->rand));
	return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
}

/* AuthenticationTriplet ::= SEQUENCE { rand, sres, kc, ... } */
static enum jitsim_reason
put_triplet(struct jitsim_wbuf *w, const struct jitsim_map_fta_triplet *t)
{
	size_t mark = w->head;
	enum jitsim_reason r;

	r = jitsim_ber_prepend_tlv(w, 0x04, t->kc, sizeof(t->kc));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, t->sres, sizeof(t->sres));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x04, t->rand, sizeof(t->rand));
	return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
}

enum jitsim_reason
jitsim_map_fta_sai_res_quintuplets(struct jitsim_wbuf *w, const struct jitsim_map_fta_quintuplet *q,
				   unsigned int n)
{
	size_t saved = w->head;
	enum jitsim_reason r = JITSIM_R_OK;

	if (q == NULL || n < 1 || n > JITSIM_MAP_FTA_VECTORS_MAX)
		return JITSIM_R_BAD_PARAM;
	for (unsigned int i = n; i-- > 0 && r == JITSIM_R_OK;)
		r = put_quintuplet(w, &q[i]);
	/* authenticationSetList: quintupletList [1], inside [3] SEQUENCE (v3). */
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xa1, saved);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xa3, saved);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

enum jitsim_reason
jitsim_map_fta_sai_res_triplets(struct jitsim_wbuf *w, uint8_t version,
				const struct jitsim_map_fta_triplet *t, unsigned int n)
{
	size_t saved = w->head;
	enum jitsim_reason r = JITSIM_R_OK;

	if (t == NULL || n < 1 || n > JITSIM_MAP_FTA_VECTORS_MAX || (version != 2 && version != 3))
		return JITSIM_R_BAD_PARAM;
	for (unsigned int i = n; i-- > 0 && r == JITSIM_R_OK;)
		r = put_triplet(w, &t[i]);
	if (version == 2) {
		/* v2 SendAuthenticationInfoRes ::= SEQUENCE SIZE (1..5) OF AuthenticationSet */
		if (r == JITSIM_R_OK)
			r = close_seq(w, 0x30, saved);
	} else {
		/* tripletList [0] inside [3] SEQUENCE. */
		if (r == JITSIM_R_OK)
			r = close_seq(w, 0xa0, saved);
		if (r == JITSIM_R_OK)
			r = close_seq(w, 0xa3, saved);
	}
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

size_t
jitsim_map_fta_sai_res_size(bool quintuplets, uint8_t version, unsigned int n, uint8_t xres_len)
{
	size_t one, list;

	if (n < 1 || n > JITSIM_MAP_FTA_VECTORS_MAX)
		return 0;
	if (quintuplets) {
		if (version != 3 || xres_len < JITSIM_MAP_FTA_XRES_MIN ||
		    xres_len > JITSIM_MAP_FTA_XRES_MAX)
			return 0;
		/* rand, xres, ck, ik, autn: each a 2-octet header. */
		one = 2 + 16 + 2 + xres_len + 3 * (2 + 16);
	} else {
		if (version != 2 && version != 3)
			return 0;
		one = 2 + 16 + 2 + 4 + 2 + 8;
	}
	one += 2;
	list = n * one;
	list += hdr_size(list);
	if (version == 3)
		list += hdr_size(list);
	return list;
}

enum jitsim_reason
jitsim_map_fta_ul_res_encode(struct jitsim_wbuf *w, const struct jitsim_digits *hlr_number)
{
	size_t saved = w->head;
	enum jitsim_reason r;

	if (hlr_number == NULL)
		return JITSIM_R_BAD_PARAM;
	/* UpdateLocationRes ::= SEQUENCE { hlr-Number ISDN-AddressString, ... }; same for UGL. */
	r = put_isdn(w, 0x04, hlr_number);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0x30, saved);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

enum jitsim_reason
jitsim_map_fta_cancel_arg_encode(struct jitsim_wbuf *w, uint8_t version,
				 const struct jitsim_digits *imsi, uint8_t cancellation_type)
{
	size_t saved = w->head;
	enum jitsim_reason r;
	uint8_t ct = cancellation_type;

	if (imsi == NULL || version < 1 || version > 3 ||
	    cancellation_type > JITSIM_MAP_FTA_CANCEL_INITIAL_ATTACH)
		return JITSIM_R_BAD_PARAM;
	if (version < 3)
		/* v1/v2 CancelLocationArg ::= Identity, here its imsi alternative. */
		return put_imsi(w, 0x04, imsi);
	/* v3: [3] SEQUENCE { identity Identity, cancellationType ENUMERATED OPT, ... } */
	r = jitsim_ber_prepend_tlv(w, 0x0a, &ct, 1);
	if (r == JITSIM_R_OK)
		r = put_imsi(w, 0x04, imsi);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xa3, saved);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}

void
jitsim_map_fta_isd_init(struct jitsim_map_fta_isd *isd, bool gprs)
{
	memset(isd, 0, sizeof(*isd));
	isd->has_category = true;
	isd->category = JITSIM_MAP_FTA_CATEGORY_ORDINARY;
	isd->has_status = true;
	isd->status = JITSIM_MAP_FTA_STATUS_SERVICE_GRANTED;
	isd->n_tele = 3;
	isd->tele[0] = JITSIM_MAP_FTA_TS_TELEPHONY;
	isd->tele[1] = JITSIM_MAP_FTA_TS_SMS_MT_PP;
	isd->tele[2] = JITSIM_MAP_FTA_TS_SMS_MO_PP;
	if (!gprs)
		return;
	isd->gprs = true;
	isd->pdp_context_id = 1;
	/* PDP type organisation IETF (f1: spare bits 1111, 0001), number IPv4 (0x21). */
	isd->pdp_type[0] = 0xf1;
	isd->pdp_type[1] = 0x21;
	/*
	 * TS 24.008 10.5.6.5 octets 3-5: delay class 4 (best effort) and
	 * reliability class 3; peak throughput 9 (256 000 octet/s) and
	 * precedence 2 (normal); mean throughput 31 (best effort).
	 */
	isd->qos[0] = 0x23;
	isd->qos[1] = 0x92;
	isd->qos[2] = 0x1f;
	/* TS 23.003 9.2: the wildcard APN lets the subscriber use any. */
	isd->apn[0] = '*';
	isd->has_network_access_mode = true;
	isd->network_access_mode = JITSIM_MAP_FTA_NAM_PACKET_AND_CIRCUIT;
}

/*
 * APN ::= OCTET STRING (SIZE (2..63)), the APN Network Identifier as DNS
 * labels, each preceded by its length (TS 23.003 9.1), no root label;
 * labels of letters, digits and '-' only, or the wildcard "*" (9.2).
 */
static enum jitsim_reason
put_apn(struct jitsim_wbuf *w, const char *apn)
{
	uint8_t o[JITSIM_MAP_FTA_APN_MAX + 1];
	size_t n = 1, lp = 0;

	if (memchr(apn, '\0', JITSIM_MAP_FTA_APN_MAX + 1) == NULL)
		return JITSIM_R_BAD_PARAM;
	if (strcmp(apn, "*") == 0) {
		o[0] = 1;
		o[1] = '*';
		return jitsim_ber_prepend_tlv(w, 0x94, o, 2);
	}
	for (const char *p = apn;; p++) {
		char c = *p;

		if (c == '.' || c == '\0') {
			size_t l = n - lp - 1;

			if (l == 0 || l > APN_LABEL_MAX)
				return JITSIM_R_BAD_PARAM;
			o[lp] = (uint8_t)l;
			if (c == '\0')
				break;
			lp = n++;
		} else if ((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') ||
			   (c >= '0' && c <= '9') || c == '-') {
			o[n++] = (uint8_t)c;
		} else {
			return JITSIM_R_BAD_PARAM;
		}
		/* The string is at most APN_MAX characters: n stays within o. */
	}
	return jitsim_ber_prepend_tlv(w, 0x94, o, n);
}

/*
 * GPRSSubscriptionData ::= SEQUENCE { completeDataListIncluded NULL OPT,
 *   gprsDataList [1] SEQUENCE OF PDP-Context, ... }
 * PDP-Context ::= SEQUENCE { pdp-ContextId ContextId, pdp-Type [16],
 *   pdp-Address [17] OPT, qos-Subscribed [18], vplmnAddressAllowed [19]
 *   OPT, apn [20], ... }
 */
static enum jitsim_reason
put_gprs(struct jitsim_wbuf *w, const struct jitsim_map_fta_isd *isd)
{
	size_t mark = w->head, list;
	enum jitsim_reason r;
	uint8_t id = isd->pdp_context_id;

	if (id < 1 || id > PDP_CONTEXT_ID_MAX)
		return JITSIM_R_BAD_PARAM;
	r = put_apn(w, isd->apn);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x92, isd->qos, sizeof(isd->qos));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x90, isd->pdp_type, sizeof(isd->pdp_type));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x02, &id, 1);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0x30, mark);
	list = mark;
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xa1, list);
	/* The SGSN replaces whatever it had: this is the whole subscription. */
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x05, NULL, 0);
	if (r == JITSIM_R_OK)
		r = close_seq(w, 0xb0, mark);
	return r;
}

/* BearerServiceList [4] / TeleserviceList [6]: SEQUENCE OF Ext-...Code (OCTET STRING). */
static enum jitsim_reason
put_services(struct jitsim_wbuf *w, uint8_t id, const uint8_t *codes, unsigned int n)
{
	size_t mark = w->head;
	enum jitsim_reason r = JITSIM_R_OK;

	if (n == 0)
		return JITSIM_R_OK;
	for (unsigned int i = n; i-- > 0 && r == JITSIM_R_OK;)
		r = jitsim_ber_prepend_tlv(w, 0x04, &codes[i], 1);
	return r == JITSIM_R_OK ? close_seq(w, id, mark) : r;
}

static enum jitsim_reason
isd_arg(struct jitsim_wbuf *w, const struct jitsim_map_fta_isd *isd)
{
	size_t mark = w->head;
	enum jitsim_reason r = JITSIM_R_OK;

	if (isd->n_bearer > JITSIM_MAP_FTA_SERVICES_MAX ||
	    isd->n_tele > JITSIM_MAP_FTA_SERVICES_MAX)
		return JITSIM_R_BAD_PARAM;
	if (isd->has_network_access_mode)
		r = jitsim_ber_prepend_tlv(w, 0x98, &isd->network_access_mode, 1);
	if (r == JITSIM_R_OK && isd->gprs)
		r = put_gprs(w, isd);
	if (r == JITSIM_R_OK)
		r = put_services(w, 0xa6, isd->tele, isd->n_tele);
	if (r == JITSIM_R_OK)
		r = put_services(w, 0xa4, isd->bearer, isd->n_bearer);
	if (r == JITSIM_R_OK && isd->has_status)
		r = jitsim_ber_prepend_tlv(w, 0x83, &isd->status, 1);
	if (r == JITSIM_R_OK && isd->has_category)
		r = jitsim_ber_prepend_tlv(w, 0x82, &isd->category, 1);
	if (r == JITSIM_R_OK && isd->has_msisdn)
		r = put_isdn(w, 0x81, &isd->msisdn);
	if (r == JITSIM_R_OK && isd->has_imsi)
		r = put_imsi(w, 0x80, &isd->imsi);
	return r == JITSIM_R_OK ? close_seq(w, 0x30, mark) : r;
}

enum jitsim_reason
jitsim_map_fta_isd_arg_encode(struct jitsim_wbuf *w, const struct jitsim_map_fta_isd *isd)
{
	size_t saved = w->head;
	enum jitsim_reason r;

	if (isd == NULL)
		return JITSIM_R_BAD_PARAM;
	r = isd_arg(w, isd);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}
