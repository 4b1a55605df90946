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

#include "crc32c.h"
#include "encode.h"
#include "rng.h"

#define ETH_HDR 14
#define VLAN_TAG 4
#define IPV4_HDR 20
#define IPV6_HDR 40
#define TCP_HDR 20
#define IPPROTO_ICMP_ 1
#define IPPROTO_ICMPV6_ 58

/* Bytes in front of the transport header: the frame starts exactly at buf[0]. */
static size_t
lower_len(const struct jitsim_pktgen_link *l)
{
	return ETH_HDR + VLAN_TAG * l->n_vlans + (l->ipv6 ? IPV6_HDR : IPV4_HDR);
}

size_t
jitsim_pktgen_lower_len(const struct jitsim_pktgen_link *l)
{
	return lower_len(l);
}

/*
 * The IP and Ethernet headers of @p l in direction @p dir from its
 * template: IPv4 with total length, identification, protocol and the
 * checksum patched; IPv6 (no header checksum) with payload length and next
 * header.
 */
static void
hdr_patch(const struct jitsim_pktgen_link *l, unsigned int dir, uint8_t *h, size_t hl, size_t plen,
	  uint16_t id, uint8_t proto)
{
	uint8_t *ip;
	uint32_t tot;

	if (l->ipv6) {
		ip = h + hl - IPV6_HDR;
		jitsim_put_be16(ip + 4, (uint16_t)plen);
		ip[6] = proto;
		return;
	}
	ip = h + hl - IPV4_HDR;
	tot = (uint32_t)(IPV4_HDR + plen);
	jitsim_put_be16(ip + 2, (uint16_t)tot);
	jitsim_put_be16(ip + 4, id);
	ip[9] = proto;
	/* RFC 1624: the template's sum plus the fields that change. */
	jitsim_put_be16(ip + 10, jitsim_ip_csum_fold(l->hdr_sum[dir] + tot + id + proto));
}

static void
hdr_fill(const struct jitsim_pktgen_link *l, unsigned int dir, uint8_t *h, size_t hl, size_t plen,
	 uint16_t id, uint8_t proto)
{
	memcpy(h, l->hdr[dir], hl);
	hdr_patch(l, dir, h, hl, plen, id, proto);
}

/*
 * Keep the headers the library just laid out in front of @p plen bytes at
 * @p frame as the template of @p l in @p dir, if filling the template
 * reproduces them exactly.
 */
static void
hdr_build(struct jitsim_pktgen_link *l, unsigned int dir, const uint8_t *frame, size_t hl,
	  size_t plen, uint16_t id)
{
	uint8_t t[JITSIM_PKTGEN_LOWER_MAX], *ip;

	l->hdr_state[dir] = 2;
	if (hl > JITSIM_PKTGEN_LOWER_MAX)
		return;
	memcpy(l->hdr[dir], frame, hl);
	if (l->ipv6) {
		ip = l->hdr[dir] + hl - IPV6_HDR;
		memset(ip + 4, 0, 3);
		hdr_fill(l, dir, t, hl, plen, id, frame[hl - IPV6_HDR + 6]);
	} else {
		ip = l->hdr[dir] + hl - IPV4_HDR;
		memset(ip + 2, 0, 4);
		ip[9] = 0;
		memset(ip + 10, 0, 2);
		l->hdr_sum[dir] = jitsim_ip_csum_partial(ip, IPV4_HDR, 0);
		hdr_fill(l, dir, t, hl, plen, id, frame[hl - IPV4_HDR + 9]);
	}
	if (memcmp(t, frame, hl) == 0)
		l->hdr_state[dir] = 1;
}

static enum jitsim_reason
wrap_ip_eth(struct jitsim_wbuf *w, struct jitsim_pktgen_link *l, unsigned int dir, uint8_t proto,
	    bool advance)
{
	size_t plen = jitsim_wbuf_len(w), hl = lower_len(l);
	uint16_t id = l->ip_id[dir];
	enum jitsim_reason r;

	if (l->hdr_state[dir] == 1 && plen <= 65535 - IPV4_HDR) {
		uint8_t *h = jitsim_wbuf_prepend(w, hl);

		if (h != NULL) {
			hdr_fill(l, dir, h, hl, plen, id, proto);
			if (advance)
				l->ip_id[dir]++;
			return JITSIM_R_OK;
		}
	}
	if (l->ipv6)
		r = jitsim_ipv6_encode(w, l->ip[dir], l->ip[!dir], proto);
	else
		r = jitsim_ipv4_encode(w, l->ip[dir], l->ip[!dir], proto, id);
	if (r != JITSIM_R_OK)
		return r;
	if (advance)
		l->ip_id[dir]++;
	r = jitsim_eth_encode(w, l->mac[!dir], l->mac[dir], l->vlans, l->n_vlans,
			      l->ipv6 ? JITSIM_ETHERTYPE_IPV6 : JITSIM_ETHERTYPE_IPV4);
	if (r == JITSIM_R_OK && l->hdr_state[dir] == 0 && jitsim_wbuf_len(w) == hl + plen)
		hdr_build(l, dir, jitsim_wbuf_data(w), hl, plen, id);
	return r;
}

static void
put_crc(uint8_t *h, uint32_t crc)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	memcpy(h, &crc, 4);
#else
	h[0] = (uint8_t)crc;
	h[1] = (uint8_t)(crc >> 8);
	h[2] = (uint8_t)(crc >> 16);
	h[3] = (uint8_t)(crc >> 24);
#endif
}

/*
 * jitsim_pktgen_enc_sctp() once the link's header template is in use, the
 * same bytes written front to back: the template whole (a fixed-size copy,
 * its excess overwritten by what follows), the SCTP packet, then the IP
 * fields that depend on its length. false (nothing advanced) for anything
 * the general path has to judge.
 */
static bool
sctp_fast(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l, unsigned int dir,
	  const struct jitsim_pktgen_chunk *c, unsigned int n, bool advance, size_t *len)
{
	size_t hl = lower_len(l), total = hl + JITSIM_SCTP_HDR_LEN;
	uint32_t tsn = l->tsn[dir];
	uint8_t *h = buf + hl, *d;

	for (unsigned int i = 0; i < n; i++) {
		if (c[i].len == 0 || c[i].len > 65535 - JITSIM_SCTP_DATA_HDR_LEN ||
		    c[i].stream >= l->n_streams)
			return false;
		total += JITSIM_SCTP_DATA_HDR_LEN + ((c[i].len + 3) & ~(size_t)3);
	}
	if (total > cap || total < JITSIM_PKTGEN_LOWER_TPL || total - hl > 65535 - IPV4_HDR)
		return false;
	memcpy(buf, l->hdr[dir], JITSIM_PKTGEN_LOWER_TPL);
	jitsim_put_be16(h, l->port[dir]);
	jitsim_put_be16(h + 2, l->port[!dir]);
	jitsim_put_be32(h + 4, l->vtag[dir]);
	memset(h + 8, 0, 4);
	d = h + JITSIM_SCTP_HDR_LEN;
	for (unsigned int i = 0; i < n; i++) {
		size_t pad = (4 - (c[i].len & 3)) & 3;
		uint16_t *ssn = &l->ssn[dir][c[i].stream];

		d[0] = JITSIM_SCTP_CHUNK_DATA;
		d[1] = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E;
		jitsim_put_be16(d + 2, (uint16_t)(JITSIM_SCTP_DATA_HDR_LEN + c[i].len));
		jitsim_put_be32(d + 4, tsn++);
		jitsim_put_be16(d + 8, c[i].stream);
		jitsim_put_be16(d + 10, *ssn);
		jitsim_put_be32(d + 12, c[i].ppid);
		memcpy(d + JITSIM_SCTP_DATA_HDR_LEN, c[i].p, c[i].len);
		d += JITSIM_SCTP_DATA_HDR_LEN + c[i].len;
		memset(d, 0, pad);
		d += pad;
		if (advance)
			(*ssn)++;
	}
	put_crc(h + 8, jitsim_pktgen_crc32c(h, total - hl));
	hdr_patch(l, dir, buf, hl, total - hl, l->ip_id[dir], JITSIM_IPPROTO_SCTP);
	if (advance) {
		l->tsn[dir] = tsn;
		l->ip_id[dir]++;
	}
	*len = total;
	return true;
}

void
jitsim_pktgen_sctp_one_finish(uint8_t *f, size_t len, const struct jitsim_pktgen_link *l,
			      unsigned int dir, uint32_t tsn, uint16_t stream, uint16_t ssn,
			      uint16_t ip_id)
{
	size_t hl = lower_len(l);
	uint8_t *h = f + hl, *d = h + JITSIM_SCTP_HDR_LEN;

	/* RFC 9260 3.3.1: TSN, stream identifier, stream sequence number. */
	jitsim_put_be32(d + 4, tsn);
	jitsim_put_be16(d + 8, stream);
	jitsim_put_be16(d + 10, ssn);
	memset(h + 8, 0, 4);
	put_crc(h + 8, jitsim_pktgen_crc32c(h, len - hl));
	hdr_patch(l, dir, f, hl, len - hl, ip_id, JITSIM_IPPROTO_SCTP);
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
	if (l->hdr_state[dir] == 1 && sctp_fast(buf, cap, l, dir, c, n, advance, len))
		return JITSIM_R_OK;
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
	crc = jitsim_pktgen_crc32c(h, jitsim_wbuf_len(&w));
	put_crc(h + 8, crc);
	if (advance)
		l->tsn[dir] = tsn;
	if (wrap_ip_eth(&w, l, dir, JITSIM_IPPROTO_SCTP, advance) != JITSIM_R_OK || w.head != 0)
		return JITSIM_R_BAD_PARAM;
	*len = jitsim_wbuf_len(&w);
	return JITSIM_R_OK;
}

/*
 * RFC 1071 sum of @p len bytes at @p p onto @p s, congruent to
 * jitsim_ip_csum_partial()'s modulo 0xffff: a big-endian 32-bit word is its
 * two 16-bit words times 2^16 = 1 (mod 0xffff), so eight bytes are added as
 * two 32-bit words.
 */
static uint64_t
csum_add(const uint8_t *p, size_t len, uint64_t s)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/*
	 * Little-endian loads sum byte-swapped words: RFC 1071 2(B), the sum of
	 * swapped words is the swapped sum (x * 2^8 mod 0xffff).
	 */
	uint64_t n = 0, carry = 0;

	/*
	 * Whole 64-bit words, the carries out added back: 2^64 = 1
	 * (mod 0xffff), so each carry is worth one.
	 */
#if defined(__x86_64__)
	/*
	 * An add-with-carry chain, one instruction a word, the last carry
	 * added back at the end of each 64 bytes. GCC makes the loop below
	 * add/adc pairs (12 instructions a 32-byte block) and keeps
	 * _addcarry_u64()'s carry in memory from one iteration to the next.
	 * The block operand tells the compiler which bytes the asm reads.
	 */
	struct csum_block {
		uint8_t b[64];
	};

	for (; len >= 64; p += 64, len -= 64)
		__asm__("addq (%1), %0\n\t"
			"adcq 8(%1), %0\n\t"
			"adcq 16(%1), %0\n\t"
			"adcq 24(%1), %0\n\t"
			"adcq 32(%1), %0\n\t"
			"adcq 40(%1), %0\n\t"
			"adcq 48(%1), %0\n\t"
			"adcq 56(%1), %0\n\t"
			"adcq $0, %0"
			: "+r"(n)
			: "r"(p), "m"(*(const struct csum_block *)p)
			: "cc");
#else
	for (; len >= 32; p += 32, len -= 32) {
		for (int k = 0; k < 4; k++) {
			uint64_t v;

			memcpy(&v, p + 8 * k, 8);
			n += v;
			carry += n < v;
		}
	}
#endif
	for (; len >= 8; p += 8, len -= 8) {
		uint64_t v;

		memcpy(&v, p, 8);
		n += v;
		carry += n < v;
	}
	n = (n & 0xffffffffu) + (n >> 32) + carry;
	for (; len >= 2; p += 2, len -= 2) {
		uint16_t v;

		memcpy(&v, p, 2);
		n += v;
	}
	if (len)
		n += p[0];
	while (n >> 16)
		n = (n & 0xffff) + (n >> 16);
	return s + (((n & 0xff) << 8) | (n >> 8));
#else
	for (; len >= 8; p += 8, len -= 8)
		s += (uint64_t)jitsim_get_be32(p) + jitsim_get_be32(p + 4);
	for (; len >= 2; p += 2, len -= 2)
		s += jitsim_get_be16(p);
	if (len)
		s += (uint32_t)p[0] << 8;
	return s;
#endif
}

/* The TCP header of the segment of @p seglen octets at @p h, as jitsim_tcp_encode() does. */
static void
tcp_hdr(uint8_t *h, const struct jitsim_pktgen_link *l, unsigned int dir, uint32_t seglen)
{
	uint64_t s;

	jitsim_put_be16(h, l->port[dir]);
	jitsim_put_be16(h + 2, l->port[!dir]);
	jitsim_put_be32(h + 4, l->seq[dir]);
	jitsim_put_be32(h + 8, l->seq[!dir]);
	h[12] = (TCP_HDR / 4) << 4;
	h[13] = 0x18; /* PSH, ACK */
	jitsim_put_be16(h + 14, 65535);
	memset(h + 16, 0, 4);
	/* Pseudo-header (RFC 9293 3.1, RFC 8200 8.1): addresses, length, protocol. */
	s = l->addr_sum + (seglen >> 16) + (seglen & 0xffff) + JITSIM_IPPROTO_TCP;
	s = csum_add(h, seglen, s);
	while (s >> 32)
		s = (s & 0xffffffffu) + (s >> 32);
	jitsim_put_be16(h + 16, jitsim_ip_csum_fold((uint32_t)s));
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
	uint8_t *h;

	if (dir > 1)
		return JITSIM_R_BAD_PARAM;
	if (l->addr_sum == 0) {
		size_t al = l->ipv6 ? 16 : 4;

		l->addr_sum = csum_add(l->ip[1], al, csum_add(l->ip[0], al, 0));
	}
	if (l->hdr_state[dir] == 1 && l->tcp_state[dir] == 1 && plen <= 65535 - 60) {
		/* Both templates in use: front to back, as sctp_fast() does. */
		size_t hl = lower_len(l), total = hl + TCP_HDR + plen;

		if (total <= cap && total >= JITSIM_PKTGEN_LOWER_TPL) {
			memcpy(buf, l->hdr[dir], JITSIM_PKTGEN_LOWER_TPL);
			memcpy(buf + hl + TCP_HDR, payload, plen);
			tcp_hdr(buf + hl, l, dir, (uint32_t)(TCP_HDR + plen));
			hdr_patch(l, dir, buf, hl, TCP_HDR + plen, l->ip_id[dir],
				  JITSIM_IPPROTO_TCP);
			if (advance) {
				l->ip_id[dir]++;
				l->seq[dir] += (uint32_t)plen;
			}
			*len = total;
			return JITSIM_R_OK;
		}
	}
	jitsim_wbuf_init(&w, buf, cap, lower_len(l) + TCP_HDR);
	if (jitsim_wbuf_put(&w, payload, plen) != 0)
		return JITSIM_R_NOSPACE;
	if (l->tcp_state[dir] == 1 && plen <= 65535 - 60 &&
	    (h = jitsim_wbuf_prepend(&w, TCP_HDR))) {
		tcp_hdr(h, l, dir, (uint32_t)(TCP_HDR + plen));
		r = JITSIM_R_OK;
	} else {
		r = jitsim_tcp_encode(&w, &t, l->ip[dir], l->ip[!dir], l->ipv6 ? 16 : 4);
		if (r == JITSIM_R_OK && l->tcp_state[dir] == 0) {
			/* Use our header only if it reproduces the library's. */
			uint8_t *d = jitsim_wbuf_data(&w), o[TCP_HDR];

			memcpy(o, d, TCP_HDR);
			tcp_hdr(d, l, dir, (uint32_t)jitsim_wbuf_len(&w));
			l->tcp_state[dir] = memcmp(o, d, TCP_HDR) == 0 ? 1 : 2;
			memcpy(d, o, TCP_HDR);
		}
	}
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

int
jitsim_pktgen_sccp_addr_enc(const struct jitsim_sccp_addr *a,
			    uint8_t out[JITSIM_PKTGEN_SCCP_ADDR_MAX])
{
	uint8_t buf[2 * 256 + 16];
	struct jitsim_wbuf w;
	struct jitsim_sccp s;
	const uint8_t *o;

	/* A UDT with no data, both parties @p a: the called address is o[6 ..]. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = 0x80;
	s.called = *a;
	s.calling = *a;
	if (jitsim_sccp_encode(&w, &s) != JITSIM_R_OK)
		return -1;
	o = jitsim_wbuf_data(&w);
	if (jitsim_wbuf_len(&w) < 6 || o[5] == 0 || o[5] > JITSIM_PKTGEN_SCCP_ADDR_MAX ||
	    jitsim_wbuf_len(&w) < 6u + o[5])
		return -1;
	memcpy(out, o + 6, o[5]);
	return o[5];
}

/*
 * The UDT header in front of the user data in @p w from pre-encoded
 * addresses, as jitsim_sccp_encode() lays it out (Q.713 4.10): type,
 * protocol class, three pointers (each counting from its own octet), the
 * called and calling party addresses with their length octets, then the
 * data length octet.
 */
static enum jitsim_reason
sccp_udt_tpl(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m)
{
	size_t data_len = jitsim_wbuf_len(w), cl = m->called_enc_len, gl = m->calling_enc_len;
	size_t pos = 5;
	uint8_t *o;

	if (data_len > 255 || cl == 0 || gl == 0)
		return JITSIM_R_BAD_PARAM;
	o = jitsim_wbuf_prepend(w, 5 + 1 + cl + 1 + gl + 1);
	if (o == NULL)
		return JITSIM_R_NOSPACE;
	o[0] = JITSIM_SCCP_UDT;
	o[1] = 0x80; /* class 0, return message on error (Q.713 3.6) */
	o[2] = (uint8_t)(pos - 2);
	o[pos++] = (uint8_t)cl;
	memcpy(o + pos, m->called_enc, cl);
	pos += cl;
	o[3] = (uint8_t)(pos - 3);
	o[pos++] = (uint8_t)gl;
	memcpy(o + pos, m->calling_enc, gl);
	pos += gl;
	o[4] = (uint8_t)(pos - 4);
	o[pos] = (uint8_t)data_len;
	return JITSIM_R_OK;
}

/* The TCAP message of @p m with these transaction ids and parameter. */
static enum jitsim_reason
tcap_enc(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m, uint32_t otid, uint32_t dtid,
	 const uint8_t *param)
{
	struct jitsim_tcap t;
	struct jitsim_tcap_component *c = &t.comp[0];

	memset(&t, 0, sizeof(t));
	t.type = m->tcap_type;
	t.has_otid = m->has_otid;
	t.otid = otid;
	t.otid_len = 4;
	t.has_dtid = m->has_dtid;
	t.dtid = dtid;
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
	c->param = param;
	c->param_len = m->param_len;
	return jitsim_tcap_encode(w, &t);
}

/*
 * What makes two TCAP messages the same kind, in one word @p k: type,
 * component type, code, application context, version, invoke id (8 bits
 * each), the four flags and the parameter's length (12 bits). false for a
 * parameter too long for that (it is not templated).
 */
static bool
tpl_key(const struct jitsim_pktgen_map_msg *m, uint64_t *k)
{
	if (m->param_len > 0xfff)
		return false;
	*k = (uint64_t)m->tcap_type << 56 | (uint64_t)m->comp_type << 48 | (uint64_t)m->code << 40 |
	     (uint64_t)m->ac << 32 | (uint64_t)m->version << 24 |
	     (uint64_t)(uint8_t)m->invoke_id << 16 | (uint64_t)m->has_otid << 15 |
	     (uint64_t)m->has_dtid << 14 | (uint64_t)m->dialogue << 13 |
	     (uint64_t)(m->param != NULL) << 12 | m->param_len;
	return true;
}

bool
jitsim_pktgen_diff_run(const uint8_t *a, const uint8_t *b, size_t len, size_t n, uint16_t *at)
{
	size_t first = len, last = 0, count = 0;

	for (size_t i = 0; i < len; i++) {
		if (a[i] != b[i]) {
			if (first == len)
				first = i;
			last = i;
			count++;
		}
	}
	if (n == 0)
		return count == 0;
	if (count != n || last - first + 1 != n)
		return false;
	*at = (uint16_t)first;
	return true;
}

/* Encode with these variable parts into @p out; its length, 0 on failure. */
static size_t
tcap_sample(const struct jitsim_pktgen_map_msg *m, uint32_t otid, uint32_t dtid,
	    const uint8_t *param, uint8_t out[JITSIM_PKTGEN_TCAP_TPL_MAX])
{
	uint8_t buf[2 * JITSIM_PKTGEN_TCAP_TPL_MAX];
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf));
	if (tcap_enc(&w, m, otid, dtid, param) != JITSIM_R_OK ||
	    jitsim_wbuf_len(&w) > JITSIM_PKTGEN_TCAP_TPL_MAX)
		return 0;
	memcpy(out, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
	return jitsim_wbuf_len(&w);
}

static void
tpl_fill(const struct jitsim_pktgen_tcap_tpl *t, uint8_t *o, const struct jitsim_pktgen_map_msg *m)
{
	memcpy(o, t->b, t->len);
	if (t->has_otid)
		jitsim_put_be32(o + t->otid_at, m->otid);
	if (t->has_dtid)
		jitsim_put_be32(o + t->dtid_at, m->dtid);
	if (t->has_param)
		memcpy(o + t->param_at, m->param, m->param_len);
}

/*
 * Build the template of @p m's kind in @p t: the library encodes the kind
 * with all-zero and all-one transaction ids and parameter; the octets that
 * change are where those go. Kept only if it then reproduces the library's
 * encoding of @p m itself.
 */
static void
tpl_build(struct jitsim_pktgen_tcap_tpl *t, const struct jitsim_pktgen_map_msg *m)
{
	static const uint8_t zero[JITSIM_PKTGEN_TCAP_TPL_MAX];
	uint8_t ones[JITSIM_PKTGEN_TCAP_TPL_MAX], a[JITSIM_PKTGEN_TCAP_TPL_MAX],
		b[JITSIM_PKTGEN_TCAP_TPL_MAX], real[JITSIM_PKTGEN_TCAP_TPL_MAX];
	bool has_param = m->param != NULL;
	size_t len, n;

	memset(t, 0, sizeof(*t));
	tpl_key(m, &t->key);
	t->tcap_type = m->tcap_type;
	t->comp_type = m->comp_type;
	t->code = m->code;
	t->ac = m->ac;
	t->version = m->version;
	t->invoke_id = m->invoke_id;
	t->has_otid = m->has_otid;
	t->has_dtid = m->has_dtid;
	t->dialogue = m->dialogue;
	t->has_param = has_param;
	t->param_len = (uint16_t)m->param_len;
	t->state = 2;
	if (m->param_len > sizeof(ones) || (has_param && m->param_len == 0))
		return;
	memset(ones, 0xff, sizeof(ones));
	len = tcap_sample(m, 0, 0, has_param ? zero : NULL, a);
	if (len == 0)
		return;
	/* Each variable part on its own: all its octets change, nothing else. */
	n = tcap_sample(m, 0xffffffffu, 0, has_param ? zero : NULL, b);
	if (n != len || !jitsim_pktgen_diff_run(a, b, len, m->has_otid ? 4 : 0, &t->otid_at))
		return;
	n = tcap_sample(m, 0, 0xffffffffu, has_param ? zero : NULL, b);
	if (n != len || !jitsim_pktgen_diff_run(a, b, len, m->has_dtid ? 4 : 0, &t->dtid_at))
		return;
	if (has_param) {
		n = tcap_sample(m, 0, 0, ones, b);
		if (n != len || !jitsim_pktgen_diff_run(a, b, len, m->param_len, &t->param_at))
			return;
	}
	memcpy(t->b, a, len);
	t->len = (uint16_t)len;
	/* The check: the template gives the library's bytes for this message. */
	n = tcap_sample(m, m->otid, m->dtid, m->param, real);
	tpl_fill(t, b, m);
	if (n == len && memcmp(real, b, len) == 0)
		t->state = 1;
}

/* The template for @p m's kind, built on first use; NULL: encode it. */
static const struct jitsim_pktgen_tcap_tpl *
tpl_find(struct jitsim_pktgen_tcap_tpls *c, const struct jitsim_pktgen_map_msg *m)
{
	uint64_t k;
	unsigned int h;

	if (!tpl_key(m, &k))
		return NULL;
	h = (unsigned int)((k * 0x9e3779b97f4a7c15ull) >> 56);
	for (unsigned int i = 0; i < JITSIM_PKTGEN_TCAP_TPLS; i++) {
		struct jitsim_pktgen_tcap_tpl *t = &c->t[(h + i) % JITSIM_PKTGEN_TCAP_TPLS];

		if (t->state == 0)
			tpl_build(t, m);
		else if (t->key != k)
			continue;
		return t->state == 1 ? t : NULL;
	}
	return NULL;
}

/* M3UA DATA header: common header, Routing Context, Protocol Data header with its fixed part. */
#define M3UA_DATA_HDR                                                                      \
	(JITSIM_M3UA_HDR_LEN + JITSIM_M3UA_PARAM_HDR_LEN + 4 + JITSIM_M3UA_PARAM_HDR_LEN + \
	 JITSIM_M3UA_PD_FIXED_LEN)

/*
 * The whole message of @p m from its TCAP template and pre-encoded
 * addresses, front to back in one piece: what jitsim_m3ua_encode_data()
 * (RFC 4666 3.3.1: RC then Protocol Data, padded to 4), sccp_udt_tpl() and
 * tpl_fill() lay out one after the other, without their three passes over
 * the wbuf. false (nothing written) when the layered path has to judge.
 */
static bool
map_one_pass(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m,
	     const struct jitsim_pktgen_tcap_tpl *tpl)
{
	size_t cl = m->called_enc_len, gl = m->calling_enc_len, dl = tpl->len;
	size_t sccp = 5 + 1 + cl + 1 + gl + 1 + dl, pad = (4 - (sccp & 3)) & 3, pos = 5;
	uint8_t *o, *s;

	if (jitsim_wbuf_len(w) != 0 || dl > 255 || cl == 0 || gl == 0 ||
	    w->head < M3UA_DATA_HDR + sccp || w->cap - w->tail < pad)
		return false;
	o = jitsim_wbuf_prepend(w, M3UA_DATA_HDR + sccp);
	memset(jitsim_wbuf_append(w, pad), 0, pad);
	o[0] = JITSIM_M3UA_VERSION;
	o[1] = 0;
	o[2] = JITSIM_M3UA_CLASS_XFER;
	o[3] = JITSIM_M3UA_XFER_DATA;
	jitsim_put_be32(o + 4, (uint32_t)(M3UA_DATA_HDR + sccp + pad));
	jitsim_put_be16(o + 8, JITSIM_M3UA_TAG_ROUTING_CONTEXT);
	jitsim_put_be16(o + 10, JITSIM_M3UA_PARAM_HDR_LEN + 4);
	jitsim_put_be32(o + 12, m->rc);
	jitsim_put_be16(o + 16, JITSIM_M3UA_TAG_PROTOCOL_DATA);
	jitsim_put_be16(o + 18,
			(uint16_t)(JITSIM_M3UA_PARAM_HDR_LEN + JITSIM_M3UA_PD_FIXED_LEN + sccp));
	jitsim_put_be32(o + 20, m->opc);
	jitsim_put_be32(o + 24, m->dpc);
	o[28] = 3; /* SI: SCCP (Q.704 14.2.1) */
	o[29] = 2; /* NI: national network */
	o[30] = 0; /* MP */
	o[31] = m->sls;
	/* Q.713 4.10, as sccp_udt_tpl(). */
	s = o + M3UA_DATA_HDR;
	s[0] = JITSIM_SCCP_UDT;
	s[1] = 0x80;
	s[2] = (uint8_t)(pos - 2);
	s[pos++] = (uint8_t)cl;
	memcpy(s + pos, m->called_enc, cl);
	pos += cl;
	s[3] = (uint8_t)(pos - 3);
	s[pos++] = (uint8_t)gl;
	memcpy(s + pos, m->calling_enc, gl);
	pos += gl;
	s[4] = (uint8_t)(pos - 4);
	s[pos++] = (uint8_t)dl;
	tpl_fill(tpl, s + pos, m);
	return true;
}

static enum jitsim_reason enc_map_layers(struct jitsim_wbuf *w,
					 const struct jitsim_pktgen_map_msg *m,
					 const struct jitsim_pktgen_tcap_tpl *tpl);

/*
 * The first message written in one pass is also encoded layer by layer (the
 * library's M3UA encoder); the one-pass writer is used only if the bytes
 * are the same.
 */
static void
one_pass_check(struct jitsim_pktgen_tcap_tpls *c, const struct jitsim_pktgen_map_msg *m,
	       const struct jitsim_pktgen_tcap_tpl *tpl)
{
	uint8_t a[1024], b[1024];
	struct jitsim_wbuf wa, wb;

	c->one_pass = 2;
	jitsim_wbuf_init(&wa, a, sizeof(a), sizeof(a) - 8);
	jitsim_wbuf_init(&wb, b, sizeof(b), sizeof(b) - 8);
	if (map_one_pass(&wa, m, tpl) && enc_map_layers(&wb, m, tpl) == JITSIM_R_OK &&
	    jitsim_wbuf_len(&wa) == jitsim_wbuf_len(&wb) &&
	    memcmp(jitsim_wbuf_data(&wa), jitsim_wbuf_data(&wb), jitsim_wbuf_len(&wa)) == 0)
		c->one_pass = 1;
}

/* tpl_find() of a kind the caller numbered, remembered by its number. */
static const struct jitsim_pktgen_tcap_tpl *
tpl_memo(struct jitsim_pktgen_tcap_tpls *c, const struct jitsim_pktgen_map_msg *m)
{
	unsigned int i =
		(unsigned int)(jitsim_pktgen_mix64(m->kind) & (JITSIM_PKTGEN_TCAP_MEMO - 1));
	const struct jitsim_pktgen_tcap_tpl *t;

	if (c->memo[i].kind != m->kind) {
		c->memo[i].kind = m->kind;
		c->memo[i].t = tpl_find(c, m);
	}
	t = c->memo[i].t;
	/* A kind number that does not fit the message (the caller's mistake): no template. */
	if (t != NULL && (t->has_param != (m->param != NULL) || t->param_len != m->param_len))
		return NULL;
	return t;
}

enum jitsim_reason
jitsim_pktgen_enc_map(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m)
{
	const struct jitsim_pktgen_tcap_tpl *tpl = m->tcap_tpls == NULL ? NULL
						   : m->kind != 0	? tpl_memo(m->tcap_tpls, m)
									: tpl_find(m->tcap_tpls, m);

	if (tpl != NULL && m->called_enc != NULL && m->calling_enc != NULL) {
		if (m->tcap_tpls->one_pass == 0)
			one_pass_check(m->tcap_tpls, m, tpl);
		if (m->tcap_tpls->one_pass == 1 && map_one_pass(w, m, tpl))
			return JITSIM_R_OK;
	}
	return enc_map_layers(w, m, tpl);
}

bool
jitsim_pktgen_map_layout(const struct jitsim_pktgen_map_msg *m, struct jitsim_pktgen_map_layout *lo)
{
	const struct jitsim_pktgen_tcap_tpl *tpl;
	size_t cl = m->called_enc_len, gl = m->calling_enc_len, tcap, sccp;

	if (m->tcap_tpls == NULL || m->tcap_tpls->one_pass != 1 || m->called_enc == NULL ||
	    m->calling_enc == NULL || cl == 0 || gl == 0)
		return false;
	tpl = m->kind != 0 ? tpl_memo(m->tcap_tpls, m) : tpl_find(m->tcap_tpls, m);
	if (tpl == NULL || tpl->len > 255)
		return false;
	/* As map_one_pass() lays it out. */
	tcap = M3UA_DATA_HDR + 5 + 1 + cl + 1 + gl + 1;
	sccp = 5 + 1 + cl + 1 + gl + 1 + tpl->len;
	lo->len = (uint16_t)(M3UA_DATA_HDR + sccp + ((4 - (sccp & 3)) & 3));
	lo->sls_at = 31;
	lo->called_at = (uint16_t)(M3UA_DATA_HDR + 6);
	lo->calling_at = (uint16_t)(M3UA_DATA_HDR + 6 + cl + 1);
	lo->called_len = (uint8_t)cl;
	lo->calling_len = (uint8_t)gl;
	lo->otid_at = tpl->has_otid ? (uint16_t)(tcap + tpl->otid_at) : JITSIM_PKTGEN_AT_NONE;
	lo->dtid_at = tpl->has_dtid ? (uint16_t)(tcap + tpl->dtid_at) : JITSIM_PKTGEN_AT_NONE;
	lo->param_at = tpl->has_param ? (uint16_t)(tcap + tpl->param_at) : JITSIM_PKTGEN_AT_NONE;
	lo->param_len = tpl->has_param ? tpl->param_len : 0;
	return true;
}

/* The TCAP message (from @p tpl when not NULL), then SCCP and M3UA in front of it. */
static enum jitsim_reason
enc_map_layers(struct jitsim_wbuf *w, const struct jitsim_pktgen_map_msg *m,
	       const struct jitsim_pktgen_tcap_tpl *tpl)
{
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

	if (tpl != NULL) {
		uint8_t *o = jitsim_wbuf_prepend(w, tpl->len);

		if (o == NULL)
			return JITSIM_R_NOSPACE;
		tpl_fill(tpl, o, m);
	} else {
		r = tcap_enc(w, m, m->otid, m->dtid, m->param);
		if (r != JITSIM_R_OK)
			return r;
	}
	if (m->called_enc != NULL && m->calling_enc != NULL) {
		r = sccp_udt_tpl(w, m);
		if (r != JITSIM_R_OK)
			return r;
		return jitsim_m3ua_encode_data(w, &m3);
	}
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
