/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * MAP parameters the First Time Attach endpoint receives as the HLR
 * (3GPP TS 29.002, ASN.1 of MAP-MS-DataTypes 17.7.1 and 17.7.3): the
 * SendAuthenticationInfo, UpdateLocation and UpdateGprsLocation arguments,
 * the InsertSubscriberData and CancelLocation results. Unknown and
 * extension elements are skipped (the types are extensible, "..."), known
 * elements of the wrong size are refused.
 */

#include <stdio.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/map_fta.h>

/* IMSI ::= TBCD-STRING (SIZE (3..8)) (TS 29.002 17.7.2). */
#define IMSI_OCTETS_MIN 3
#define IMSI_OCTETS_MAX 8
/* Ext-TeleserviceCode / Ext-BearerServiceCode ::= OCTET STRING (SIZE (1..5)). */
#define EXT_CODE_MAX 5
/* PLMN-Id ::= OCTET STRING (SIZE (3)). */
#define PLMN_ID_LEN 3

static enum jitsim_reason
get_imsi(const struct jitsim_ber_tlv *t, struct jitsim_digits *d)
{
	if (t->constructed || t->len < IMSI_OCTETS_MIN || t->len > IMSI_OCTETS_MAX)
		return JITSIM_R_MAP_BAD;
	return jitsim_tbcd_decode(t->val, t->len, d);
}

/* A one-octet non-negative INTEGER or ENUMERATED (all the ones read here are small). */
static enum jitsim_reason
get_small(const struct jitsim_ber_tlv *t, uint8_t *v)
{
	int64_t x;

	if (t->constructed || jitsim_ber_int(t->val, t->len, &x) != JITSIM_R_OK || x < 0 || x > 255)
		return JITSIM_R_MAP_BAD;
	*v = (uint8_t)x;
	return JITSIM_R_OK;
}

static bool
is_null(const struct jitsim_ber_tlv *t)
{
	return !t->constructed && t->len == 0;
}

/* The outer TLV of a parameter: exactly one element filling @p len. */
static enum jitsim_reason
read_whole(const uint8_t *p, size_t len, struct jitsim_ber_tlv *t)
{
	enum jitsim_reason r = jitsim_ber_read(p, len, t);

	if (r != JITSIM_R_OK)
		return r;
	return t->total == len ? JITSIM_R_OK : JITSIM_R_MAP_BAD;
}

/*
 * An optional result parameter, absent or one whole SEQUENCE: @p it walks
 * the members of the SEQUENCE, or nothing when the parameter is absent.
 */
static enum jitsim_reason
open_res_seq(const uint8_t *param, size_t len, struct jitsim_ber_iter *it)
{
	struct jitsim_ber_tlv top;
	enum jitsim_reason r;

	jitsim_ber_iter_init(it, NULL, 0);
	if (param == NULL || len == 0)
		return JITSIM_R_OK;
	r = read_whole(param, len, &top);
	if (r != JITSIM_R_OK)
		return r;
	if (top.id != 0x30)
		return JITSIM_R_MAP_BAD;
	jitsim_ber_iter_init(it, top.val, top.len);
	return JITSIM_R_OK;
}

/* Re-synchronisationInfo ::= SEQUENCE { rand RAND, auts AUTS, ... } */
static enum jitsim_reason
sai_resync(const struct jitsim_ber_tlv *seq, struct jitsim_map_fta_sai_arg *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;
	unsigned int i = 0;

	jitsim_ber_iter_init(&it, seq->val, seq->len);
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		if (i == 0 || i == 1) {
			size_t want = i == 0 ? JITSIM_MAP_FTA_RAND_LEN : JITSIM_MAP_FTA_AUTS_LEN;

			if (t.id != 0x04 || t.len != want)
				return JITSIM_R_MAP_BAD;
			memcpy(i == 0 ? out->rand : out->auts, t.val, want);
		}
		i++;
	}
	if (r != JITSIM_R_END)
		return r;
	if (i < 2)
		return JITSIM_R_MAP_BAD;
	out->has_resync = true;
	return JITSIM_R_OK;
}

/* One element of SendAuthenticationInfoArg v3. */
static enum jitsim_reason
sai_elem(const struct jitsim_ber_tlv *t, struct jitsim_map_fta_sai_arg *out, bool *has_imsi)
{
	switch (t->id) {
	case 0x80: /* imsi [0] */
		if (*has_imsi)
			return JITSIM_R_MAP_BAD;
		*has_imsi = true;
		return get_imsi(t, &out->imsi);
	case 0x02: /* numberOfRequestedVectors */
		return get_small(t, &out->n_requested);
	case 0x05: /* segmentationProhibitedIndicator */
		if (!is_null(t))
			return JITSIM_R_MAP_BAD;
		out->segmentation_prohibited = true;
		return JITSIM_R_OK;
	case 0x81: /* immediateResponsePreferred [1] */
		if (!is_null(t))
			return JITSIM_R_MAP_BAD;
		out->immediate_response_preferred = true;
		return JITSIM_R_OK;
	case 0x30: /* re-synchronisationInfo */
		if (out->has_resync)
			return JITSIM_R_MAP_BAD;
		return sai_resync(t, out);
	case 0x83: /* requestingNodeType [3] */
		out->has_requesting_node_type = true;
		return get_small(t, &out->requesting_node_type);
	case 0x84: /* requestingPLMN-Id [4] */
		if (t->len != PLMN_ID_LEN)
			return JITSIM_R_MAP_BAD;
		memcpy(out->requesting_plmn, t->val, PLMN_ID_LEN);
		out->has_requesting_plmn = true;
		return JITSIM_R_OK;
	default: /* extensionContainer [2], [5].., later extensions */
		return JITSIM_R_OK;
	}
}

enum jitsim_reason
jitsim_map_fta_sai_arg_decode(const uint8_t *param, size_t len, struct jitsim_map_fta_sai_arg *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv top, t;
	enum jitsim_reason r;
	bool has_imsi = false;

	memset(out, 0, sizeof(*out));
	if (param == NULL || len == 0)
		return JITSIM_R_MAP_BAD;
	r = read_whole(param, len, &top);
	if (r != JITSIM_R_OK)
		return r;
	if (top.id == 0x04) {
		/* v2: SendAuthenticationInfoArg ::= IMSI (TS 29.002 17.7.3, 8.5.2). */
		out->version = 2;
		out->n_vectors = 1;
		return get_imsi(&top, &out->imsi);
	}
	if (top.id != 0x30)
		return JITSIM_R_MAP_BAD;
	out->version = 3;
	jitsim_ber_iter_init(&it, top.val, top.len);
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		r = sai_elem(&t, out, &has_imsi);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (r != JITSIM_R_END)
		return r;
	if (!has_imsi)
		return JITSIM_R_MAP_BAD;
	/* NumberOfRequestedVectors ::= INTEGER (1..5); a VLR asking for more gets 5. */
	out->n_vectors = out->n_requested == 0 ? 1 : out->n_requested;
	if (out->n_vectors > JITSIM_MAP_FTA_VECTORS_MAX)
		out->n_vectors = JITSIM_MAP_FTA_VECTORS_MAX;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_map_fta_ul_arg_decode(uint8_t opcode, const uint8_t *param, size_t len,
			     struct jitsim_map_ids *out)
{
	enum jitsim_reason r;

	if (opcode != JITSIM_MAP_OP_UPDATE_LOCATION &&
	    opcode != JITSIM_MAP_OP_UPDATE_GPRS_LOCATION) {
		memset(out, 0, sizeof(*out));
		return JITSIM_R_BAD_PARAM;
	}
	r = jitsim_map_decode_invoke(opcode, param, param == NULL ? 0 : len, out);
	if (r != JITSIM_R_OK)
		return r;
	if (!out->has_imsi)
		return JITSIM_R_MAP_BAD;
	if (opcode == JITSIM_MAP_OP_UPDATE_LOCATION ? !out->has_vlr : !out->has_sgsn)
		return JITSIM_R_MAP_BAD;
	return JITSIM_R_OK;
}

/* SEQUENCE OF Ext-...Code: keep the first octet of the first entries. */
static enum jitsim_reason
code_list(const struct jitsim_ber_tlv *list, uint8_t *codes, uint8_t *n)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	jitsim_ber_iter_init(&it, list->val, list->len);
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		if (t.id != 0x04 || t.len < 1 || t.len > EXT_CODE_MAX)
			return JITSIM_R_MAP_BAD;
		if (*n < JITSIM_MAP_FTA_SERVICES_MAX)
			codes[(*n)++] = t.val[0];
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

enum jitsim_reason
jitsim_map_fta_isd_res_decode(const uint8_t *param, size_t len, struct jitsim_map_fta_isd_res *out)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	memset(out, 0, sizeof(*out));
	r = open_res_seq(param, len, &it);
	if (r != JITSIM_R_OK)
		return r;
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK) {
		switch (t.id) {
		case 0xa1: /* teleserviceList [1] */
			r = code_list(&t, out->tele, &out->n_tele);
			break;
		case 0xa2: /* bearerServiceList [2] */
			r = code_list(&t, out->bearer, &out->n_bearer);
			break;
		case 0xa3: /* ss-List [3] */
			out->has_ss_list = true;
			break;
		case 0x84: /* odb-GeneralData [4] BIT STRING */
			out->has_odb_general = true;
			break;
		case 0x85: /* regionalSubscriptionResponse [5] ENUMERATED */
			out->has_regional_response = true;
			r = get_small(&t, &out->regional_response);
			break;
		default: /* supportedCamelPhases [6], extensions */
			break;
		}
		if (r != JITSIM_R_OK)
			return r;
	}
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

enum jitsim_reason
jitsim_map_fta_cancel_res_decode(const uint8_t *param, size_t len)
{
	struct jitsim_ber_iter it;
	struct jitsim_ber_tlv t;
	enum jitsim_reason r;

	/* CancelLocationRes ::= SEQUENCE { extensionContainer OPT, ... }: only well-formed. */
	r = open_res_seq(param, len, &it);
	if (r != JITSIM_R_OK)
		return r;
	while ((r = jitsim_ber_next(&it, &t)) == JITSIM_R_OK)
		;
	return r == JITSIM_R_END ? JITSIM_R_OK : r;
}

int
jitsim_map_fta_sai_arg_dump(const struct jitsim_map_fta_sai_arg *x, char *buf, size_t size)
{
	return snprintf(buf, size,
			"imsi=%s version=%u requested=%u vectors=%u seg_prohibited=%d "
			"immediate=%d resync=%d node=%d plmn=%d",
			x->imsi.d, x->version, x->n_requested, x->n_vectors,
			x->segmentation_prohibited, x->immediate_response_preferred, x->has_resync,
			x->has_requesting_node_type ? x->requesting_node_type : -1,
			x->has_requesting_plmn);
}

int
jitsim_map_fta_isd_res_dump(const struct jitsim_map_fta_isd_res *x, char *buf, size_t size)
{
	return snprintf(buf, size,
			"unsupported_tele=%u unsupported_bearer=%u ss_list=%d odb=%d regional=%d",
			x->n_tele, x->n_bearer, x->has_ss_list, x->has_odb_general,
			x->has_regional_response ? x->regional_response : -1);
}
