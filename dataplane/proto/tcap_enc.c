/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * TCAP Begin / Continue / End writer (ITU-T Q.773 4.2), built back to front
 * in the wbuf: components, component portion, dialogue portion, transaction
 * IDs, message tag. Definite lengths only.
 */

#include <jitsim/proto/ber.h>
#include <jitsim/proto/tcap.h>

/* dialogue-as-id 0.0.17.773.1.1.1 (Q.773 4.2.2). */
static const uint8_t oid_dialogue_as_id[] = {0x00, 0x11, 0x86, 0x05, 0x01, 0x01, 0x01};
/* protocol-version [0] BIT STRING { version1 } (Q.773 Table 49). */
static const uint8_t proto_version1[] = {0x07, 0x80};
/* AARE result accepted(0) and result-source-diagnostic dialogue-service-user null(0). */
static const uint8_t aare_result_accepted[] = {0xa2, 0x03, 0x02, 0x01, 0x00};
static const uint8_t aare_diag_null[] = {0xa3, 0x05, 0xa1, 0x03, 0x02, 0x01, 0x00};

/* Prepend raw octets. */
static enum jitsim_reason
put_raw(struct jitsim_wbuf *w, const void *p, size_t n)
{
	uint8_t *d = jitsim_wbuf_prepend(w, n);

	if (d == NULL)
		return JITSIM_R_NOSPACE;
	memcpy(d, p, n);
	return JITSIM_R_OK;
}

/* Prepend a shortest two's-complement INTEGER (X.690 8.3.2) of 0..255 or -128..127. */
static enum jitsim_reason
put_int(struct jitsim_wbuf *w, uint8_t id, int v)
{
	uint8_t o[2];

	if (v > 127) {
		o[0] = 0;
		o[1] = (uint8_t)v;
		return jitsim_ber_prepend_tlv(w, id, o, 2);
	}
	o[0] = (uint8_t)v;
	return jitsim_ber_prepend_tlv(w, id, o, 1);
}

/* Close the constructed value whose contents start at the head and end at @p mark. */
static enum jitsim_reason
put_hdr(struct jitsim_wbuf *w, uint8_t id, size_t mark)
{
	return jitsim_ber_prepend_hdr(w, id, mark - w->head);
}

static enum jitsim_reason
put_param(struct jitsim_wbuf *w, const struct jitsim_tcap_component *c)
{
	if (c->param == NULL)
		return JITSIM_R_OK;
	return put_raw(w, c->param, c->param_len);
}

/* One component (Q.773 Table 14-20). */
static enum jitsim_reason
put_component(struct jitsim_wbuf *w, const struct jitsim_tcap_component *c)
{
	size_t mark = w->head;
	enum jitsim_reason r;

	if (c->param != NULL && c->param_len == 0)
		return JITSIM_R_BAD_PARAM;
	switch (c->type) {
	case JITSIM_TCAP_INVOKE:
		if (!c->has_invoke_id || !c->has_opcode)
			return JITSIM_R_BAD_PARAM;
		r = put_param(w, c);
		if (r == JITSIM_R_OK)
			r = put_int(w, 0x02, c->opcode);
		if (r == JITSIM_R_OK && c->has_linked_id)
			r = put_int(w, 0x80, c->linked_id);
		break;
	case JITSIM_TCAP_RESULT_LAST:
	case JITSIM_TCAP_RESULT_NOT_LAST:
		if (!c->has_invoke_id || (c->param != NULL && !c->has_opcode))
			return JITSIM_R_BAD_PARAM;
		r = JITSIM_R_OK;
		if (c->has_opcode) {
			size_t seq = w->head;

			r = put_param(w, c);
			if (r == JITSIM_R_OK)
				r = put_int(w, 0x02, c->opcode);
			if (r == JITSIM_R_OK)
				r = put_hdr(w, 0x30, seq);
		}
		break;
	case JITSIM_TCAP_ERROR:
		if (!c->has_invoke_id || !c->has_error)
			return JITSIM_R_BAD_PARAM;
		r = put_param(w, c);
		if (r == JITSIM_R_OK)
			r = put_int(w, 0x02, c->error);
		break;
	case JITSIM_TCAP_REJECT:
		if (!c->has_problem || c->problem_type > 3 || c->param != NULL)
			return JITSIM_R_BAD_PARAM;
		r = put_int(w, (uint8_t)(0x80 | c->problem_type), c->problem);
		/* Q.773 Table 19: NULL when the invoke ID is not derivable. */
		if (r == JITSIM_R_OK && !c->has_invoke_id)
			r = jitsim_ber_prepend_tlv(w, 0x05, NULL, 0);
		break;
	default:
		return JITSIM_R_BAD_PARAM;
	}
	if (r == JITSIM_R_OK && c->has_invoke_id)
		r = put_int(w, 0x02, c->invoke_id);
	if (r == JITSIM_R_OK)
		r = put_hdr(w, c->type, mark);
	return r;
}

/* Dialogue portion (Q.773 4.2.2) with a MAP application context name. */
static enum jitsim_reason
put_dialogue(struct jitsim_wbuf *w, const struct jitsim_tcap *t)
{
	const uint8_t acn[] = {0x04, 0x00, 0x00, 0x01, 0x00, t->map_ac, t->map_version};
	size_t mark = w->head, pdu;
	enum jitsim_reason r = JITSIM_R_OK;

	/* Single-octet OID arcs only (X.690 8.19.2). */
	if (t->map_ac == 0 || t->map_ac > 127 || t->map_version == 0 || t->map_version > 127)
		return JITSIM_R_BAD_PARAM;
	pdu = w->head;
	if (t->type != JITSIM_TCAP_BEGIN) {
		r = put_raw(w, aare_diag_null, sizeof(aare_diag_null));
		if (r == JITSIM_R_OK)
			r = put_raw(w, aare_result_accepted, sizeof(aare_result_accepted));
	}
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x06, acn, sizeof(acn));
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_hdr(w, 0xa1, sizeof(acn) + 2);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x80, proto_version1, sizeof(proto_version1));
	if (r == JITSIM_R_OK)
		r = put_hdr(w, t->type == JITSIM_TCAP_BEGIN ? JITSIM_TCAP_AARQ : JITSIM_TCAP_AARE,
			    pdu);
	if (r == JITSIM_R_OK)
		r = put_hdr(w, 0xa0, mark);
	if (r == JITSIM_R_OK)
		r = jitsim_ber_prepend_tlv(w, 0x06, oid_dialogue_as_id, sizeof(oid_dialogue_as_id));
	if (r == JITSIM_R_OK)
		r = put_hdr(w, 0x28, mark);
	if (r == JITSIM_R_OK)
		r = put_hdr(w, 0x6b, mark);
	return r;
}

/* Transaction ID: @p len octets (0 means 4), big-endian, value must fit. */
static enum jitsim_reason
put_tid(struct jitsim_wbuf *w, uint8_t id, uint32_t v, uint8_t len)
{
	uint8_t o[4];

	if (len == 0)
		len = 4;
	if (len > 4 || (len < 4 && v >> (8 * len) != 0))
		return JITSIM_R_BAD_PARAM;
	for (unsigned int i = 0; i < len; i++)
		o[i] = (uint8_t)(v >> (8 * (len - 1 - i)));
	return jitsim_ber_prepend_tlv(w, id, o, len);
}

enum jitsim_reason
jitsim_tcap_encode(struct jitsim_wbuf *w, const struct jitsim_tcap *t)
{
	size_t saved = w->head, mark;
	enum jitsim_reason r = JITSIM_R_OK;
	bool need_otid, need_dtid;

	switch (t->type) {
	case JITSIM_TCAP_BEGIN:
		need_otid = true;
		need_dtid = false;
		break;
	case JITSIM_TCAP_CONTINUE:
		need_otid = need_dtid = true;
		break;
	case JITSIM_TCAP_END:
		need_otid = false;
		need_dtid = true;
		break;
	default:
		return JITSIM_R_BAD_PARAM;
	}
	if (t->has_otid != need_otid || t->has_dtid != need_dtid ||
	    t->n_comp > JITSIM_TCAP_MAX_COMPONENTS)
		return JITSIM_R_BAD_PARAM;
	mark = w->head;
	if (t->n_comp > 0) {
		for (unsigned int i = t->n_comp; i-- > 0 && r == JITSIM_R_OK;)
			r = put_component(w, &t->comp[i]);
		if (r == JITSIM_R_OK)
			r = put_hdr(w, 0x6c, mark);
	}
	if (r == JITSIM_R_OK && t->has_dialogue)
		r = put_dialogue(w, t);
	if (r == JITSIM_R_OK && need_dtid)
		r = put_tid(w, 0x49, t->dtid, t->dtid_len);
	if (r == JITSIM_R_OK && need_otid)
		r = put_tid(w, 0x48, t->otid, t->otid_len);
	if (r == JITSIM_R_OK)
		r = put_hdr(w, t->type, mark);
	if (r != JITSIM_R_OK)
		w->head = saved;
	return r;
}
