/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/sctp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/tcp.h>

#include "encode.h"

#define ETH_HDR 14
#define VLAN_TAG 4
#define IPV4_HDR 20
#define IPV6_HDR 40
#define TCP_HDR 20
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

#if defined(__x86_64__) && (defined(__GNUC__) || defined(__clang__))
#include <nmmintrin.h>

/*
 * CRC32c with the SSE4.2 CRC32 instruction (same Castagnoli polynomial as
 * RFC 9260 Appendix A), chosen at run time: the codec library is built for
 * the baseline ISA and its table version cost 4 % of a frame here.
 */
__attribute__((target("sse4.2"))) static uint32_t
crc32c_sse42(const uint8_t *p, size_t len)
{
	uint64_t c = 0xffffffffu;

	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		c = _mm_crc32_u64(c, v);
	}
	for (; len > 0; p++, len--)
		c = _mm_crc32_u8((uint32_t)c, *p);
	return ~(uint32_t)c;
}

static uint32_t
crc32c(const uint8_t *p, size_t len)
{
	static int have = -1;

	if (have < 0)
		have = __builtin_cpu_supports("sse4.2") ? 1 : 0;
	return have ? crc32c_sse42(p, len) : jitsim_crc32c(p, len);
}
#else
#define crc32c jitsim_crc32c
#endif

/* Bytes in front of the transport header: the frame starts exactly at buf[0]. */
static size_t
lower_len(const struct jitsim_pktgen_link *l)
{
	return ETH_HDR + VLAN_TAG * l->n_vlans + (l->ipv6 ? IPV6_HDR : IPV4_HDR);
}

static enum jitsim_reason
wrap_ip_eth(struct jitsim_wbuf *w, struct jitsim_pktgen_link *l, unsigned int dir, uint8_t proto,
	    bool advance)
{
	enum jitsim_reason r;

	if (l->ipv6)
		r = jitsim_ipv6_encode(w, l->ip[dir], l->ip[!dir], proto);
	else
		r = jitsim_ipv4_encode(w, l->ip[dir], l->ip[!dir], proto, l->ip_id[dir]);
	if (r != JITSIM_R_OK)
		return r;
	if (advance)
		l->ip_id[dir]++;
	return jitsim_eth_encode(w, l->mac[!dir], l->mac[dir], l->vlans, l->n_vlans,
				 l->ipv6 ? JITSIM_ETHERTYPE_IPV6 : JITSIM_ETHERTYPE_IPV4);
}

enum jitsim_reason
jitsim_pktgen_enc_sctp(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l, unsigned int dir,
		       const struct jitsim_pktgen_chunk *c, unsigned int n, bool advance,
		       size_t *len)
{
	struct jitsim_wbuf w;
	uint32_t tsn = l->tsn[dir], crc;
	size_t head = lower_len(l);
	uint8_t *h;

	if (n == 0 || dir > 1)
		return JITSIM_R_BAD_PARAM;
	jitsim_wbuf_init(&w, buf, cap, head);
	h = jitsim_wbuf_append(&w, JITSIM_SCTP_HDR_LEN);
	if (h == NULL)
		return JITSIM_R_NOSPACE;
	jitsim_put_be16(h, l->port[dir]);
	jitsim_put_be16(h + 2, l->port[!dir]);
	jitsim_put_be32(h + 4, l->vtag[dir]);
	memset(h + 8, 0, 4);
	for (unsigned int i = 0; i < n; i++) {
		/* RFC 9260 3.3.1: one whole user message per chunk, padded to 4. */
		size_t pad = (4 - (c[i].len & 3)) & 3;
		uint8_t *d;
		uint16_t *ssn;

		if (c[i].len == 0 || c[i].len > 65535 - JITSIM_SCTP_DATA_HDR_LEN ||
		    c[i].stream >= l->n_streams)
			return JITSIM_R_BAD_PARAM;
		d = jitsim_wbuf_append(&w, JITSIM_SCTP_DATA_HDR_LEN + c[i].len + pad);
		if (d == NULL)
			return JITSIM_R_NOSPACE;
		ssn = &l->ssn[dir][c[i].stream];
		d[0] = JITSIM_SCTP_CHUNK_DATA;
		d[1] = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E;
		jitsim_put_be16(d + 2, (uint16_t)(JITSIM_SCTP_DATA_HDR_LEN + c[i].len));
		jitsim_put_be32(d + 4, tsn++);
		jitsim_put_be16(d + 8, c[i].stream);
		jitsim_put_be16(d + 10, *ssn);
		jitsim_put_be32(d + 12, c[i].ppid);
		memcpy(d + JITSIM_SCTP_DATA_HDR_LEN, c[i].p, c[i].len);
		memset(d + JITSIM_SCTP_DATA_HDR_LEN + c[i].len, 0, pad);
		if (advance)
			(*ssn)++;
	}
	/*
	 * RFC 9260 3.2 allows the last chunk's padding to be dropped; it is
	 * kept (as Linux does). CRC32c over the packet with the field zeroed,
	 * stored least significant byte first (Appendix A).
	 */
	crc = crc32c(h, jitsim_wbuf_len(&w));
	h[8] = (uint8_t)crc;
	h[9] = (uint8_t)(crc >> 8);
	h[10] = (uint8_t)(crc >> 16);
	h[11] = (uint8_t)(crc >> 24);
	if (advance)
		l->tsn[dir] = tsn;
	if (wrap_ip_eth(&w, l, dir, JITSIM_IPPROTO_SCTP, advance) != JITSIM_R_OK || w.head != 0)
		return JITSIM_R_BAD_PARAM;
	*len = jitsim_wbuf_len(&w);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_tcp(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l, unsigned int dir,
		      const uint8_t *payload, size_t plen, bool advance, size_t *len)
{
	struct jitsim_wbuf w;
	struct jitsim_tcp t = {
		.sport = l->port[dir],
		.dport = l->port[!dir],
		.seq = l->seq[dir],
		.ack = l->seq[!dir],
	};
	enum jitsim_reason r;

	if (dir > 1)
		return JITSIM_R_BAD_PARAM;
	jitsim_wbuf_init(&w, buf, cap, lower_len(l) + TCP_HDR);
	if (jitsim_wbuf_put(&w, payload, plen) != 0)
		return JITSIM_R_NOSPACE;
	r = jitsim_tcp_encode(&w, &t, l->ip[dir], l->ip[!dir], l->ipv6 ? 16 : 4);
	if (r == JITSIM_R_OK)
		r = wrap_ip_eth(&w, l, dir, JITSIM_IPPROTO_TCP, advance);
	if (r != JITSIM_R_OK)
		return r;
	if (advance)
		l->seq[dir] += (uint32_t)plen;
	*len = jitsim_wbuf_len(&w);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_echo(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l, unsigned int dir,
		       bool reply, uint16_t id, uint16_t seq, size_t *len)
{
	/* RFC 792 / RFC 4443 4.1: type, code, checksum, identifier, sequence, data. */
	static const char pattern[] = "jitsim-pktgen background echo..";
	struct jitsim_wbuf w;
	uint8_t *p;
	uint32_t sum = 0;
	size_t n = 8 + sizeof(pattern) - 1;

	if (dir > 1)
		return JITSIM_R_BAD_PARAM;
	jitsim_wbuf_init(&w, buf, cap, lower_len(l));
	p = jitsim_wbuf_append(&w, n);
	if (p == NULL)
		return JITSIM_R_NOSPACE;
	p[0] = l->ipv6 ? (reply ? 129 : 128) : (reply ? 0 : 8);
	p[1] = 0;
	p[2] = p[3] = 0;
	jitsim_put_be16(p + 4, id);
	jitsim_put_be16(p + 6, seq);
	memcpy(p + 8, pattern, sizeof(pattern) - 1);
	if (l->ipv6) {
		/* RFC 8200 8.1: the ICMPv6 checksum covers a pseudo-header. */
		uint8_t ph[8] = {0, 0, (uint8_t)(n >> 8), (uint8_t)n, 0, 0, 0, IPPROTO_ICMPV6_};

		sum = jitsim_ip_csum_partial(l->ip[dir], 16, sum);
		sum = jitsim_ip_csum_partial(l->ip[!dir], 16, sum);
		sum = jitsim_ip_csum_partial(ph, sizeof(ph), sum);
	}
	jitsim_put_be16(p + 2, jitsim_ip_csum_fold(jitsim_ip_csum_partial(p, n, sum)));
	if (wrap_ip_eth(&w, l, dir, l->ipv6 ? IPPROTO_ICMPV6_ : IPPROTO_ICMP_, true) != JITSIM_R_OK)
		return JITSIM_R_NOSPACE;
	*len = jitsim_wbuf_len(&w);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_map(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m)
{
	struct jitsim_tcap t;
	struct jitsim_tcap_component *c = &t.comp[0];
	struct jitsim_sccp s;
	struct jitsim_m3ua m3 = {
		.opc = m->opc,
		.dpc = m->dpc,
		.si = 3, /* SCCP (Q.704 14.2.1) */
		.ni = 2, /* national network */
		.sls = m->sls,
		.has_rc = true,
		.rc = m->rc,
	};
	enum jitsim_reason r;

	memset(&t, 0, sizeof(t));
	t.type = m->tcap_type;
	t.has_otid = m->has_otid;
	t.otid = m->otid;
	t.otid_len = 4;
	t.has_dtid = m->has_dtid;
	t.dtid = m->dtid;
	t.dtid_len = 4;
	t.has_dialogue = m->dialogue;
	t.map_ac = m->ac;
	t.map_version = m->version;
	t.n_comp = 1;
	c->type = m->comp_type;
	c->has_invoke_id = true;
	c->invoke_id = m->invoke_id;
	if (m->comp_type == JITSIM_TCAP_ERROR) {
		c->has_error = true;
		c->error = m->code;
	} else {
		c->has_opcode = true;
		c->opcode = m->code;
	}
	c->param = m->param;
	c->param_len = m->param_len;
	r = jitsim_tcap_encode(w, &t);
	if (r != JITSIM_R_OK)
		return r;
	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = 0x80; /* class 0, return message on error (Q.713 3.6) */
	s.called = *m->called;
	s.calling = *m->calling;
	r = jitsim_sccp_encode(w, &s);
	if (r != JITSIM_R_OK)
		return r;
	return jitsim_m3ua_encode_data(w, &m3);
}

enum jitsim_reason
jitsim_pktgen_enc_beat(struct jitsim_wbuf *w, bool ack, uint64_t data)
{
	/* RFC 4666 3.5.5: BEAT (ASPSM type 3), 3.5.6 BEAT Ack (type 6), Heartbeat Data 0x0009. */
	uint8_t *p = jitsim_wbuf_append(w, 8 + 4 + 8);

	if (p == NULL)
		return JITSIM_R_NOSPACE;
	p[0] = 1;
	p[1] = 0;
	p[2] = JITSIM_M3UA_CLASS_ASPSM;
	p[3] = ack ? 6 : 3;
	jitsim_put_be32(p + 4, 20);
	jitsim_put_be16(p + 8, 0x0009);
	jitsim_put_be16(p + 10, 12);
	jitsim_put_be32(p + 12, (uint32_t)(data >> 32));
	jitsim_put_be32(p + 16, (uint32_t)data);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_pktgen_enc_scmg(struct jitsim_wbuf *w, bool allowed, uint8_t ssn, uint32_t opc, uint32_t dpc,
		       uint32_t rc)
{
	/*
	 * Q.713 5.3.1-5.3.2: format identifier (SSA 0x01, SST 0x03), affected
	 * SSN, affected PC (ITU 14 bits, least significant octet first),
	 * subsystem multiplicity indicator.
	 */
	uint8_t *p = jitsim_wbuf_append(w, 5);
	struct jitsim_sccp s;
	struct jitsim_m3ua m3 = {
		.opc = opc, .dpc = dpc, .si = 3, .ni = 2, .has_rc = true, .rc = rc};
	enum jitsim_reason r;

	if (p == NULL)
		return JITSIM_R_NOSPACE;
	p[0] = allowed ? 0x01 : 0x03;
	p[1] = ssn;
	p[2] = (uint8_t)dpc;
	p[3] = (uint8_t)((dpc >> 8) & 0x3f);
	p[4] = 0;
	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = 0;
	/* Q.714 5.3: SCMG is addressed to SSN 1, routed on PC + SSN. */
	s.called = (struct jitsim_sccp_addr){.route_on_ssn = true,
					     .has_pc = true,
					     .pc = (uint16_t)dpc,
					     .has_ssn = true,
					     .ssn = 1};
	s.calling = (struct jitsim_sccp_addr){.route_on_ssn = true,
					      .has_pc = true,
					      .pc = (uint16_t)opc,
					      .has_ssn = true,
					      .ssn = 1};
	r = jitsim_sccp_encode(w, &s);
	if (r != JITSIM_R_OK)
		return r;
	return jitsim_m3ua_encode_data(w, &m3);
}
