/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/frame.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/mtp3.h>
#include <jitsim/proto/tcp.h>

void
jitsim_frame_reasm_init(struct jitsim_frame_reasm *r)
{
	jitsim_sctp_reasm_init(&r->sctp);
	jitsim_sccp_reasm_init(&r->sccp);
}

void
jitsim_frame_iter_init(struct jitsim_frame_iter *it, uint32_t dlt, const uint8_t *p, size_t len,
		       struct jitsim_frame_reasm *reasm, uint32_t flags)
{
	it->dlt = dlt;
	it->flags = flags;
	it->frame = p;
	it->len = len;
	it->reasm = reasm;
	it->state = JITSIM_FRAME_START;
	it->resume = JITSIM_FRAME_DONE;
	it->n_msgs = 0;
	it->sctp_stream = 0;
	it->sport = it->dport = 0;
	it->too_many_comp = false;
}

/* Subsystems that carry MAP (3GPP TS 23.003 8.2, ITU-T Q.713 3.4.2.2). */
static bool
ssn_is_map(const struct jitsim_sccp_addr *a)
{
	if (!a->has_ssn)
		return false;
	switch (a->ssn) {
	case 6:	  /* HLR */
	case 7:	  /* VLR */
	case 8:	  /* MSC */
	case 9:	  /* EIR */
	case 10:  /* AuC */
	case 145: /* GMLC */
	case 147: /* gsmSCF (MAP ATI, USSD) */
	case 149: /* SGSN */
	case 150: /* GGSN */
		return true;
	default:
		return false;
	}
}

/*
 * The application context decides when there is one (3GPP TS 29.002 17.3.3:
 * MAP ACNs are 0.4.0.0.1.0.x.y); CAP and other TC-users on MAP-looking
 * SSNs are thereby excluded. Without a dialogue portion (MAP v1, or a
 * Continue/End after the dialogue was agreed) the SSN decides, and with no
 * SSN at all (routing on global title) the local operation code does.
 */
static bool
tcap_is_map(const struct jitsim_frame_iter *it)
{
	const struct jitsim_tcap *t = &it->tcap;

	if (t->has_dialogue && t->acn != NULL)
		return t->is_map_acn;
	if (it->sccp.called.has_ssn || it->sccp.calling.has_ssn)
		return ssn_is_map(&it->sccp.called) || ssn_is_map(&it->sccp.calling);
	for (uint8_t i = 0; i < t->n_comp; i++)
		if (t->comp[i].has_opcode || t->comp[i].has_error)
			return true;
	return false;
}

/*
 * Internal: the current walker is exhausted, go on with the enclosing one.
 * Returned instead of recursing so that a hostile frame of many empty units
 * cannot grow the stack.
 */
#define FRAME_AGAIN JITSIM_R_MAX

static inline void
msg_common(struct jitsim_frame_iter *it, struct jitsim_msg *out, uint8_t proto, uint8_t carrier)
{
	out->proto = proto;
	out->carrier = carrier;
	out->index = it->n_msgs++;
	out->sctp_stream = it->sctp_stream;
}

/* Identities of a summary, with the keys the dataplane tables are looked up by. */
static inline void
set_ids(struct jitsim_msg *out, const struct jitsim_digits *imsi, uint64_t imsi_key,
	const struct jitsim_digits *msisdn, const struct jitsim_digits *visited)
{
	out->has_imsi = imsi != NULL;
	out->imsi = imsi;
	out->imsi_key = imsi_key;
	out->has_msisdn = msisdn != NULL;
	out->msisdn = msisdn;
	out->msisdn_key = msisdn ? jitsim_digits_key_inline(msisdn) : 0;
	out->has_visited = visited != NULL;
	out->visited = visited;
}

/*
 * Emit the component it->comp_i (< n_comp) of the current TCAP message. The
 * summary points at the component in it->tcap and at the addresses in
 * it->sccp rather than copying them: both stay put until the next call.
 */
static inline __attribute__((always_inline)) enum jitsim_reason
tcap_comp(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	const struct jitsim_tcap *t = &it->tcap;
	const struct jitsim_tcap_component *c;
	struct jitsim_msg_map *m = &out->map;
	const struct jitsim_digits *visited = NULL;
	enum jitsim_reason r;

	c = &t->comp[it->comp_i];
	m->comp_index = it->comp_i++;
	m->comp = c;
	/* The MAP decoders clear the ids first, also for an absent parameter. */
	if (c->has_opcode && c->type == JITSIM_TCAP_INVOKE)
		r = jitsim_map_decode_invoke(c->opcode, c->param, c->param ? c->param_len : 0,
					     &m->ids);
	else if (c->has_opcode &&
		 (c->type == JITSIM_TCAP_RESULT_LAST || c->type == JITSIM_TCAP_RESULT_NOT_LAST))
		r = jitsim_map_decode_result(c->opcode, c->param, c->param ? c->param_len : 0,
					     &m->ids);
	else
		r = jitsim_map_decode_invoke(0, NULL, 0, &m->ids);
	if (r != JITSIM_R_OK)
		return r;

	msg_common(it, out, JITSIM_MSG_MAP, it->ss7_carrier);
	out->is_request = c->type == JITSIM_TCAP_INVOKE;
	out->has_op = c->has_opcode || c->has_error;
	out->op = c->has_error ? c->error : c->opcode;
	m->opc = it->opc;
	m->dpc = it->dpc;
	m->si = it->si;
	m->ni = it->ni;
	m->sls = it->sls;
	m->sccp_type = it->sccp.msg_type;
	m->reassembled = it->reassembled;
	m->called = &it->sccp.called;
	m->calling = &it->sccp.calling;
	m->tcap_type = t->type;
	m->has_otid = t->has_otid;
	m->otid = t->otid;
	m->has_dtid = t->has_dtid;
	m->dtid = t->dtid;
	m->acn_map = t->has_dialogue && t->is_map_acn;
	m->map_ac = m->acn_map ? t->map_ac : 0;
	m->map_version = m->acn_map ? t->map_version : 0;

	/* Where the subscriber is: the node that asks for it. */
	if (m->ids.has_vlr)
		visited = &m->ids.vlr;
	else if (m->ids.has_sgsn)
		visited = &m->ids.sgsn;
	else if (m->ids.has_msc)
		visited = &m->ids.msc;
	else if (out->is_request && it->sccp.calling.digits.n > 0)
		visited = &it->sccp.calling.digits;
	if (m->ids.has_imsi)
		set_ids(out, &m->ids.imsi, jitsim_digits_key_inline(&m->ids.imsi),
			m->ids.has_msisdn ? &m->ids.msisdn : NULL, visited);
	else
		set_ids(out, NULL, 0, m->ids.has_msisdn ? &m->ids.msisdn : NULL, visited);
	return JITSIM_R_OK;
}

/* The components after the first, out of line like the other walkers (see step()). */
static __attribute__((noinline)) enum jitsim_reason
tcap_more(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	return tcap_comp(it, out);
}

/*
 * The walkers' end tests are kept apart from their bodies: every frame ends
 * with a call that only finds that the walks are over, and it should not pay
 * for the set-up of a whole decode.
 */
static inline enum jitsim_reason
tcap_next(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	if (it->comp_i >= it->tcap.n_comp) {
		it->state = it->resume;
		if (it->too_many_comp) {
			it->too_many_comp = false;
			return JITSIM_R_TCAP_TOO_MANY_COMPONENTS;
		}
		return FRAME_AGAIN;
	}
	return tcap_more(it, out);
}

/* SCCP user data onwards: SCCP -> (reassembly) -> TCAP -> components. */
static enum jitsim_reason
ss7_sccp(struct jitsim_frame_iter *it, const uint8_t *p, size_t len, struct jitsim_msg *out)
{
	const struct jitsim_sccp *s = &it->sccp;
	const uint8_t *data;
	size_t data_len;
	enum jitsim_reason r;

	r = jitsim_sccp_decode(p, len, &it->sccp);
	if (r != JITSIM_R_OK)
		return r;
	data = s->data;
	data_len = s->data_len;
	it->reassembled = false;
	/* Q.713 3.17: F set and nothing remaining is a whole message in one XUDT. */
	if (s->has_segmentation && !(s->seg_first && s->seg_remaining == 0)) {
		bool returned =
			s->msg_type == JITSIM_SCCP_XUDTS || s->msg_type == JITSIM_SCCP_LUDTS;

		if (it->reasm == NULL || returned)
			return JITSIM_R_SCCP_SEGMENTED;
		r = jitsim_sccp_reasm_add(&it->reasm->sccp, it->opc, s, &data, &data_len);
		if (r != JITSIM_R_OK)
			return r;
		it->reassembled = true;
	}

	r = jitsim_tcap_decode(data, data_len, &it->tcap);
	if (r == JITSIM_R_TCAP_TOO_MANY_COMPONENTS)
		it->too_many_comp = true;
	else if (r != JITSIM_R_OK)
		return r;
	if (!tcap_is_map(it)) {
		it->too_many_comp = false;
		return JITSIM_R_TCAP_NOT_MAP;
	}
	if (it->tcap.n_comp == 0)
		return JITSIM_R_TCAP_NO_COMPONENTS;
	it->comp_i = 0;
	it->state = JITSIM_FRAME_TCAP;
	return tcap_comp(it, out);
}

/* An MTP3 MSU starting at the SIO (raw MTP3, M2PA, M2UA). */
static enum jitsim_reason
ss7_msu(struct jitsim_frame_iter *it, const uint8_t *p, size_t len, uint8_t carrier,
	struct jitsim_msg *out)
{
	struct jitsim_mtp3 m;
	enum jitsim_reason r;

	r = jitsim_mtp3_decode(p, len, &m);
	if (r != JITSIM_R_OK)
		return r;
	if (m.si != JITSIM_MTP3_SI_SCCP)
		return JITSIM_R_MTP3_NOT_SCCP;
	it->ss7_carrier = carrier;
	it->opc = m.opc;
	it->dpc = m.dpc;
	it->si = m.si;
	it->ni = m.ni;
	it->sls = m.sls;
	return ss7_sccp(it, m.payload, m.payload_len, out);
}

static inline enum jitsim_reason
ss7_m3ua(struct jitsim_frame_iter *it, const uint8_t *p, size_t len, struct jitsim_msg *out)
{
	/* Initialised for the compiler, which cannot see that OK means has_pd. */
	struct jitsim_m3ua m = {0};
	enum jitsim_reason r;

	r = jitsim_m3ua_decode_inline(p, len, &m);
	if (r != JITSIM_R_OK)
		return r;
	if (m.si != JITSIM_MTP3_SI_SCCP)
		return JITSIM_R_MTP3_NOT_SCCP;
	it->ss7_carrier = JITSIM_CARRIER_M3UA;
	it->opc = m.opc;
	it->dpc = m.dpc;
	it->si = m.si;
	it->ni = m.ni;
	it->sls = m.sls;
	return ss7_sccp(it, m.data, m.data_len, out);
}

/* The next Diameter message of the payload. */
static inline __attribute__((always_inline)) enum jitsim_reason
diam_msg_body(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	struct jitsim_s6a *d = &out->diam;
	const struct jitsim_digits *imsi = NULL, *visited = NULL;
	const uint8_t *msg;
	size_t msg_len;
	enum jitsim_reason r;

	r = jitsim_diam_framer_next_inline(&it->framer, &msg, &msg_len);
	if (r != JITSIM_R_OK) {
		it->state = it->resume;
		return r == JITSIM_R_END ? FRAME_AGAIN : r;
	}
	r = jitsim_s6a_decode(msg, msg_len, d);
	if (r != JITSIM_R_OK)
		return r;
	msg_common(it, out, JITSIM_MSG_DIAMETER, it->diam_carrier);
	out->is_request = d->is_request;
	out->has_op = true;
	out->op = d->hdr.cmd;
	if (d->has_visited_plmn) {
		/* "MCCMNC" is 5 or 6 digits, NUL-padded to 8 bytes. */
		memcpy(it->visited.d, d->visited_mcc_mnc, sizeof(d->visited_mcc_mnc));
		it->visited.n = d->visited_mcc_mnc[5] != '\0' ? 6 : 5;
		visited = &it->visited;
	}
	if (d->has_user_name && !d->user_name_not_digits)
		imsi = &d->user_name;
	set_ids(out, imsi, imsi ? d->user_name_key : 0, d->has_msisdn ? &d->msisdn : NULL, visited);
	return JITSIM_R_OK;
}

/* The messages after the first, out of line like the other walkers (see step()). */
static __attribute__((noinline)) enum jitsim_reason
diam_msg(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	return diam_msg_body(it, out);
}

static inline enum jitsim_reason
diam_next(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	/* What jitsim_diam_framer_next() would say at the end of the payload. */
	if (it->framer.left == 0) {
		it->state = it->resume;
		return FRAME_AGAIN;
	}
	return diam_msg(it, out);
}

static inline void
diam_start(struct jitsim_frame_iter *it, const uint8_t *p, size_t len, uint8_t carrier,
	   uint8_t resume)
{
	jitsim_diam_framer_init(&it->framer, p, len);
	it->diam_carrier = carrier;
	it->resume = resume;
	it->state = JITSIM_FRAME_DIAM;
}

static inline bool
port_is(const struct jitsim_frame_iter *it, uint16_t port)
{
	return it->sport == port || it->dport == port;
}

/* One SCTP DATA chunk: dispatch on the PPID, or the port when the PPID is 0. */
static inline __attribute__((always_inline)) enum jitsim_reason
sctp_chunk_body(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	const uint8_t *payload;
	size_t payload_len;
	enum jitsim_reason r;
	uint32_t ppid;

	r = jitsim_sctp_chunk_next_inline(&it->chunks, &c);
	if (r != JITSIM_R_OK) {
		it->state = JITSIM_FRAME_DONE;
		return r;
	}
	r = jitsim_sctp_data_decode_inline(&c, &d);
	if (r != JITSIM_R_OK)
		return r;
	payload = d.payload;
	payload_len = d.payload_len;
	if (d.fragment) {
		/* Through copies, so that the common path keeps d in registers. */
		struct jitsim_sctp_data frag = d;
		const uint8_t *whole;
		size_t whole_len;

		if (it->reasm == NULL)
			return JITSIM_R_SCTP_FRAGMENT;
		r = jitsim_sctp_reasm_add(&it->reasm->sctp, &it->sctp, &frag, &whole, &whole_len);
		if (r != JITSIM_R_OK)
			return r;
		payload = whole;
		payload_len = whole_len;
	}
	it->sctp_stream = d.stream;
	it->resume = JITSIM_FRAME_SCTP;
	ppid = d.ppid;
	if (ppid == 0) {
		if (port_is(it, JITSIM_PORT_M3UA))
			ppid = JITSIM_PPID_M3UA;
		else if (port_is(it, JITSIM_PORT_M2PA))
			ppid = JITSIM_PPID_M2PA;
		else if (port_is(it, JITSIM_PORT_M2UA))
			ppid = JITSIM_PPID_M2UA;
		else if (port_is(it, JITSIM_PORT_DIAMETER))
			ppid = JITSIM_PPID_DIAMETER;
	}
	switch (ppid) {
	case JITSIM_PPID_M3UA:
		return ss7_m3ua(it, payload, payload_len, out);
	case JITSIM_PPID_M2PA: {
		struct jitsim_m2pa m;

		r = jitsim_m2pa_decode(payload, payload_len, &m);
		if (r != JITSIM_R_OK)
			return r;
		return ss7_msu(it, m.msu, m.msu_len, JITSIM_CARRIER_M2PA, out);
	}
	case JITSIM_PPID_M2UA: {
		struct jitsim_m2ua m;

		r = jitsim_m2ua_decode(payload, payload_len, &m);
		if (r != JITSIM_R_OK)
			return r;
		return ss7_msu(it, m.msu, m.msu_len, JITSIM_CARRIER_M2UA, out);
	}
	case JITSIM_PPID_DIAMETER:
	case JITSIM_PPID_DIAMETER_DTLS:
		diam_start(it, payload, payload_len, JITSIM_CARRIER_SCTP, JITSIM_FRAME_SCTP);
		return diam_msg_body(it, out);
	default:
		return JITSIM_R_SCTP_PPID_UNKNOWN;
	}
}

/* The chunks after the first, out of line like the other walkers (see step()). */
static __attribute__((noinline)) enum jitsim_reason
sctp_chunk(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	return sctp_chunk_body(it, out);
}

static inline enum jitsim_reason
sctp_next(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	/* What jitsim_sctp_chunk_next() would say after the last chunk. */
	if (it->chunks.left == 0) {
		it->state = JITSIM_FRAME_DONE;
		return JITSIM_R_END;
	}
	return sctp_chunk(it, out);
}

static inline enum jitsim_reason
transport(struct jitsim_frame_iter *it, const struct jitsim_ip *ip, struct jitsim_msg *out)
{
	enum jitsim_reason r;

	if (__builtin_expect(ip->proto == JITSIM_IPPROTO_SCTP, 1)) {
		/* Decoded in place: SCTP reassembly keys on the header. */
		r = jitsim_sctp_decode_inline(ip->payload, ip->payload_len, &it->sctp);
		if (r != JITSIM_R_OK)
			return r;
		if ((it->flags & JITSIM_FRAME_F_VERIFY_CRC) &&
		    !jitsim_sctp_crc_ok(ip->payload, ip->payload_len))
			return JITSIM_R_SCTP_BAD_CRC;
		it->sport = it->sctp.sport;
		it->dport = it->sctp.dport;
		jitsim_sctp_chunk_iter_init(&it->chunks, &it->sctp);
		it->state = JITSIM_FRAME_SCTP;
		/* The first chunk in line: one function set-up per frame, not two. */
		return sctp_chunk_body(it, out);
	}
	if (ip->proto == JITSIM_IPPROTO_TCP) {
		struct jitsim_tcp t;

		r = jitsim_tcp_decode_inline(ip->payload, ip->payload_len, &t);
		if (r != JITSIM_R_OK)
			return r;
		it->sport = t.sport;
		it->dport = t.dport;
		if (!port_is(it, JITSIM_PORT_DIAMETER))
			return JITSIM_R_TCP_PORT_UNKNOWN;
		if (t.payload_len == 0)
			return JITSIM_R_TCP_NO_PAYLOAD;
		diam_start(it, t.payload, t.payload_len, JITSIM_CARRIER_TCP, JITSIM_FRAME_DONE);
		return diam_msg_body(it, out);
	}
	return JITSIM_R_L4_UNSUPPORTED;
}

static __attribute__((noinline)) enum jitsim_reason
frame_start(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	struct jitsim_link l;
	struct jitsim_ip ip;
	enum jitsim_reason r;

	it->state = JITSIM_FRAME_DONE;
	it->resume = JITSIM_FRAME_DONE;
	r = jitsim_link_decode_inline(it->dlt, it->frame, it->len, &l);
	if (r != JITSIM_R_OK)
		return r;
	if (__builtin_expect(l.next == JITSIM_LINK_NEXT_MTP3, 0))
		return ss7_msu(it, l.payload, l.payload_len, JITSIM_CARRIER_MTP3, out);
	r = jitsim_ip_decode_inline(l.payload, l.payload_len, &ip);
	if (r != JITSIM_R_OK)
		return r;
	/* No reassembly: a fragment's transport payload is incomplete. */
	if (__builtin_expect(ip.fragment, 0))
		return JITSIM_R_IP_FRAGMENT;
	return transport(it, &ip, out);
}

/*
 * Every call goes through this dispatcher, and many only find that a walk
 * is over, so it stays small: the walkers are out of line (noinline above).
 * The first chunk of a packet, the first Diameter message of a payload and
 * the first component of a TCAP message are decoded in line with what holds
 * them (the always_inline functions), the following ones through the
 * out-of-line copies: fewer function set-ups per frame.
 */
static enum jitsim_reason
step(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	switch (it->state) {
	case JITSIM_FRAME_START:
		return frame_start(it, out);
	case JITSIM_FRAME_SCTP:
		return sctp_next(it, out);
	case JITSIM_FRAME_DIAM:
		return diam_next(it, out);
	case JITSIM_FRAME_TCAP:
		return tcap_next(it, out);
	default:
		return JITSIM_R_END;
	}
}

enum jitsim_reason
jitsim_frame_next(struct jitsim_frame_iter *it, struct jitsim_msg *out)
{
	enum jitsim_reason r;

	do
		r = step(it, out);
	while (r == FRAME_AGAIN);
	return r;
}

static const char *
tcap_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_UNI:
		return "uni";
	case JITSIM_TCAP_BEGIN:
		return "begin";
	case JITSIM_TCAP_CONTINUE:
		return "continue";
	case JITSIM_TCAP_END:
		return "end";
	case JITSIM_TCAP_ABORT:
		return "abort";
	default:
		return "?";
	}
}

static const char *
comp_type_name(uint8_t t)
{
	switch (t) {
	case JITSIM_TCAP_INVOKE:
		return "invoke";
	case JITSIM_TCAP_RESULT_LAST:
		return "rrl";
	case JITSIM_TCAP_RESULT_NOT_LAST:
		return "rrnl";
	case JITSIM_TCAP_ERROR:
		return "error";
	case JITSIM_TCAP_REJECT:
		return "reject";
	default:
		return "?";
	}
}

int
jitsim_msg_dump(const struct jitsim_msg *m, char *buf, size_t size)
{
	const char *imsi = m->has_imsi ? m->imsi->d : "";
	const char *msisdn = m->has_msisdn ? m->msisdn->d : "";
	const char *visited = m->has_visited ? m->visited->d : "";

	if (m->proto == JITSIM_MSG_MAP) {
		const struct jitsim_msg_map *s = &m->map;

		return snprintf(buf, size,
				"proto=map idx=%u opc=%u dpc=%u called=%s calling=%s tcap=%s "
				"acn=%u.%u comp=%s %s=%u imsi=%s msisdn=%s visited=%s",
				m->index, s->opc, s->dpc, s->called->digits.d, s->calling->digits.d,
				tcap_type_name(s->tcap_type), s->map_ac, s->map_version,
				comp_type_name(s->comp->type), s->comp->has_error ? "err" : "op",
				m->has_op ? m->op : 0, imsi, msisdn, visited);
	}
	return snprintf(buf, size,
			"proto=diameter idx=%u cmd=%u app=%u req=%d hbh=0x%08x e2e=0x%08x "
			"imsi=%s msisdn=%s visited=%s",
			m->index, m->diam.hdr.cmd, m->diam.hdr.app_id, m->is_request,
			m->diam.hdr.hbh, m->diam.hdr.e2e, imsi, msisdn, visited);
}
