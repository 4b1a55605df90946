/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/tcp.h>

/* Room kept after the innermost payload for M3UA and SCTP padding. */
#define TAILROOM 8
/*
 * Frames are built in a scratch buffer and copied out, so that the caller's
 * buffer needs exactly the frame's size (encoders leave head- and tailroom).
 * MAP and S6a messages built from these specs are a few hundred bytes.
 */
#define SCRATCH JITSIM_FRAME_ENC_MAX
/* Largest MAP argument the encoders produce (a few identities). */
#define MAP_ARG_MAX 512

/* Transport, IP and Ethernet around the payload already in @p w. */
static enum jitsim_reason
wrap_lower(struct jitsim_wbuf *w, const struct jitsim_frame_addr *a, uint32_t ppid)
{
	uint8_t ipproto;
	enum jitsim_reason r;
	size_t alen = a->ipv6 ? 16 : 4;

	if (a->tcp) {
		struct jitsim_tcp t = {
			.sport = a->sport,
			.dport = a->dport,
			.seq = a->tcp_seq,
			.ack = 1,
			.flags = 0x18,
		};

		r = jitsim_tcp_encode(w, &t, a->ip_src, a->ip_dst, alen);
		ipproto = JITSIM_IPPROTO_TCP;
	} else {
		struct jitsim_sctp s = {.sport = a->sport, .dport = a->dport, .vtag = a->vtag};
		struct jitsim_sctp_data d = {
			.flags = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E,
			.tsn = a->tsn,
			.stream = a->stream,
			.ssn = a->ssn,
			.ppid = ppid,
		};

		r = jitsim_sctp_encode_data(w, &s, &d);
		ipproto = JITSIM_IPPROTO_SCTP;
	}
	if (r != JITSIM_R_OK)
		return r;
	if (a->ipv6)
		r = jitsim_ipv6_encode(w, a->ip_src, a->ip_dst, ipproto);
	else
		r = jitsim_ipv4_encode(w, a->ip_src, a->ip_dst, ipproto, (uint16_t)a->tsn);
	if (r != JITSIM_R_OK)
		return r;
	return jitsim_eth_encode(w, a->eth_dst, a->eth_src, a->vlans, a->n_vlans,
				 a->ipv6 ? JITSIM_ETHERTYPE_IPV6 : JITSIM_ETHERTYPE_IPV4);
}

/* Copy the finished frame to the caller's buffer. */
static enum jitsim_reason
finish(const struct jitsim_wbuf *w, uint8_t *buf, size_t cap, size_t *out_len)
{
	size_t n = jitsim_wbuf_len(w);

	if (n > cap)
		return JITSIM_R_NOSPACE;
	memcpy(buf, jitsim_wbuf_data(w), n);
	*out_len = n;
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_frame_encode_map(uint8_t *buf, size_t cap, const struct jitsim_frame_map_spec *spec,
			size_t *out_len)
{
	uint8_t arg[MAP_ARG_MAX], scratch[SCRATCH];
	struct jitsim_wbuf aw, w;
	struct jitsim_tcap t;
	struct jitsim_tcap_component *c;
	enum jitsim_reason r;

	if (spec->comp_type != JITSIM_TCAP_INVOKE && spec->comp_type != JITSIM_TCAP_RESULT_LAST &&
	    spec->comp_type != JITSIM_TCAP_ERROR)
		return JITSIM_R_BAD_PARAM;

	t = spec->tcap;
	t.n_comp = 1;
	c = &t.comp[0];
	memset(c, 0, sizeof(*c));
	c->type = spec->comp_type;
	c->has_invoke_id = true;
	c->invoke_id = spec->invoke_id;
	if (spec->comp_type == JITSIM_TCAP_ERROR) {
		c->has_error = true;
		c->error = spec->error;
	} else {
		c->has_opcode = true;
		c->opcode = spec->opcode;
	}
	if (spec->comp_type == JITSIM_TCAP_INVOKE) {
		jitsim_wbuf_init(&aw, arg, sizeof(arg), sizeof(arg));
		r = jitsim_map_encode_invoke(&aw, spec->opcode, spec->tcap.map_version, &spec->ids);
		if (r != JITSIM_R_OK)
			return r == JITSIM_R_NOSPACE ? JITSIM_R_BAD_PARAM : r;
		c->param = jitsim_wbuf_data(&aw);
		c->param_len = jitsim_wbuf_len(&aw);
	}

	jitsim_wbuf_init(&w, scratch, sizeof(scratch), sizeof(scratch) - TAILROOM);
	r = jitsim_tcap_encode(&w, &t);
	if (r == JITSIM_R_OK)
		r = jitsim_sccp_encode(&w, &spec->sccp);
	if (r == JITSIM_R_OK)
		r = jitsim_m3ua_encode_data(&w, &spec->m3ua);
	if (r == JITSIM_R_OK)
		r = wrap_lower(&w, &spec->addr, JITSIM_PPID_M3UA);
	if (r != JITSIM_R_OK)
		return r == JITSIM_R_NOSPACE ? JITSIM_R_BAD_PARAM : r;
	return finish(&w, buf, cap, out_len);
}

/* Ethernet + 3 tags + IPv6 + SCTP common header and DATA chunk header. */
#define DIAM_HEADROOM (14 + 4 * JITSIM_LINK_MAX_VLANS + 40 + 12 + 16)

enum jitsim_reason
jitsim_frame_encode_s6a(uint8_t *buf, size_t cap, const struct jitsim_frame_addr *addr,
			const struct jitsim_s6a_msg *msg, size_t *out_len)
{
	uint8_t scratch[SCRATCH];
	struct jitsim_wbuf w;
	enum jitsim_reason r;

	jitsim_wbuf_init(&w, scratch, sizeof(scratch), DIAM_HEADROOM);
	r = jitsim_s6a_encode(&w, msg);
	if (r == JITSIM_R_OK)
		r = wrap_lower(&w, addr, JITSIM_PPID_DIAMETER);
	if (r != JITSIM_R_OK)
		return r == JITSIM_R_NOSPACE ? JITSIM_R_BAD_PARAM : r;
	return finish(&w, buf, cap, out_len);
}
