/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/frame.h>
#include <jitsim/proto/ip.h>
#include <jitsim/proto/tcp.h>

#include "encode.h"
#include "malform.h"

#define TRIES 32

/* Where the layers of a well-formed frame start (0 = absent). */
struct layers {
	size_t ip, l4, end; /* end: end of the IP payload */
	bool ipv6, sctp;
	size_t chunk; /* first DATA chunk */
	size_t m3ua, sccp, tcap, tcap_len;
	size_t diam;
};

static void
find_layers(const uint8_t *f, size_t len, struct layers *o)
{
	struct jitsim_link l;
	struct jitsim_ip ip;

	memset(o, 0, sizeof(*o));
	if (jitsim_link_decode(JITSIM_DLT_EN10MB, f, len, &l) != JITSIM_R_OK ||
	    jitsim_ip_decode(l.payload, l.payload_len, &ip) != JITSIM_R_OK)
		return;
	o->ip = (size_t)(l.payload - f);
	o->ipv6 = ip.version == 6;
	o->l4 = (size_t)(ip.payload - f);
	o->end = o->l4 + ip.payload_len;
	if (ip.proto == JITSIM_IPPROTO_SCTP) {
		struct jitsim_sctp s;
		struct jitsim_sctp_chunk_iter it;
		struct jitsim_sctp_chunk c;
		struct jitsim_sctp_data d;
		struct jitsim_m3ua m;
		struct jitsim_sccp sc;

		o->sctp = true;
		if (jitsim_sctp_decode(ip.payload, ip.payload_len, &s) != JITSIM_R_OK)
			return;
		jitsim_sctp_chunk_iter_init(&it, &s);
		if (jitsim_sctp_chunk_next(&it, &c) != JITSIM_R_OK ||
		    jitsim_sctp_data_decode(&c, &d) != JITSIM_R_OK)
			return;
		o->chunk = (size_t)(c.value - 4 - f);
		if (d.ppid == JITSIM_PPID_DIAMETER) {
			o->diam = (size_t)(d.payload - f);
			return;
		}
		o->m3ua = (size_t)(d.payload - f);
		if (jitsim_m3ua_decode(d.payload, d.payload_len, &m) != JITSIM_R_OK)
			return;
		o->sccp = (size_t)(m.data - f);
		if (jitsim_sccp_decode(m.data, m.data_len, &sc) != JITSIM_R_OK)
			return;
		o->tcap = (size_t)(sc.data - f);
		o->tcap_len = sc.data_len;
	} else if (ip.proto == JITSIM_IPPROTO_TCP) {
		struct jitsim_tcp t;

		if (jitsim_tcp_decode(ip.payload, ip.payload_len, &t) == JITSIM_R_OK &&
		    t.payload_len)
			o->diam = (size_t)(t.payload - f);
	}
}

int
jitsim_pktgen_rejected(const uint8_t *f, size_t len, const char **reason)
{
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;
	int ok = 1;

	*reason = "END";
	jitsim_frame_iter_init(&it, JITSIM_DLT_EN10MB, f, len, NULL, 0);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		if (r == JITSIM_R_OK || r == JITSIM_R_SCTP_FRAGMENT || r == JITSIM_R_SCCP_SEGMENTED)
			ok = 0;
		else if (!strcmp(*reason, "END"))
			*reason = jitsim_reason_str(r);
	}
	return ok;
}

/* A sender's bug, not line noise: the checksums are right for the wrong bytes. */
static void
fix_checksums(uint8_t *f, const struct layers *ly)
{
	if (!ly->ipv6 && ly->ip) {
		uint8_t *h = f + ly->ip;
		size_t ihl = (size_t)(h[0] & 15) * 4;

		h[10] = h[11] = 0;
		jitsim_put_be16(h + 10, jitsim_ip_csum_fold(jitsim_ip_csum_partial(h, ihl, 0)));
	}
	if (ly->sctp && ly->end > ly->l4 + 12) {
		uint8_t *s = f + ly->l4;
		uint32_t crc;

		memset(s + 8, 0, 4);
		crc = jitsim_crc32c(s, ly->end - ly->l4);
		s[8] = (uint8_t)crc;
		s[9] = (uint8_t)(crc >> 8);
		s[10] = (uint8_t)(crc >> 16);
		s[11] = (uint8_t)(crc >> 24);
	}
}

static uint32_t
delta(struct jitsim_pktgen_rng *r)
{
	/* A non-zero change, small (off by a few) or large (garbage). */
	uint32_t d = (uint32_t)jitsim_pktgen_rng_range(r, 1, 64);

	if (jitsim_pktgen_rng_chance(r, 250000))
		d = (uint32_t)jitsim_pktgen_rng_range(r, 1000, 60000);
	return jitsim_pktgen_rng_below(r, 2) ? d : (uint32_t)-d;
}

static void
add16(uint8_t *p, uint32_t d)
{
	jitsim_put_be16(p, (uint16_t)(jitsim_get_be16(p) + d));
}

static void
add24(uint8_t *p, uint32_t d)
{
	uint32_t v = (((uint32_t)p[0] << 16) | ((uint32_t)p[1] << 8) | p[2]) + d;

	p[0] = (uint8_t)(v >> 16);
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)v;
}

/* One wrong length field, at a layer drawn among those the frame has. */
static void
wrong_length(struct jitsim_pktgen_rng *r, uint8_t *f, size_t len, const struct layers *ly)
{
	size_t cand[8];
	unsigned int n = 0, pick;

	cand[n++] = 0; /* IP */
	if (ly->chunk)
		cand[n++] = 1; /* SCTP chunk */
	if (ly->m3ua)
		cand[n++] = 2; /* M3UA message / parameter */
	if (ly->sccp)
		cand[n++] = 3; /* SCCP pointers */
	if (ly->tcap)
		cand[n++] = 4; /* TCAP outer length */
	if (ly->diam && ly->diam + 28 <= len) {
		cand[n++] = 5; /* Diameter message length */
		cand[n++] = 6; /* first AVP length */
	}
	pick = (unsigned int)cand[jitsim_pktgen_rng_below(r, n)];
	switch (pick) {
	case 0:
		add16(f + ly->ip + (ly->ipv6 ? 4 : 2), delta(r));
		break;
	case 1:
		add16(f + ly->chunk + 2, delta(r));
		break;
	case 2:
		/* Message length (RFC 4666 3.1.4) or the first parameter's length (3.2). */
		if (jitsim_pktgen_rng_below(r, 2))
			add16(f + ly->m3ua + 6, delta(r));
		else
			add16(f + ly->m3ua + 10, delta(r));
		break;
	case 3:
		/* UDT: pointers to called, calling, data (Q.713 4.10). */
		f[ly->sccp + 2 + jitsim_pktgen_rng_below(r, 3)] += (uint8_t)delta(r);
		break;
	case 4:
		f[ly->tcap + 1] += (uint8_t)delta(r);
		break;
	case 5:
		add24(f + ly->diam + 1, delta(r));
		break;
	default:
		add24(f + ly->diam + 20 + 5, delta(r));
		break;
	}
	fix_checksums(f, ly);
}

/* Bad BER: a tag or length octet inside TCAP replaced by an invalid one. */
static void
bad_ber(struct jitsim_pktgen_rng *r, uint8_t *f, const struct layers *ly)
{
	/*
	 * X.690 8.1.3.5: 0xff is a reserved length octet; 0x85+ asks for more
	 * length octets than remain; 0x80 (indefinite) inside a primitive;
	 * 0x1f starts a multi-byte tag that never ends; 0x00 a zero tag.
	 */
	static const uint8_t bad[] = {0xff, 0x85, 0x84, 0x80, 0x1f, 0x00, 0x7f};
	size_t pos;

	if (!ly->tcap || ly->tcap_len < 2)
		return;
	pos = ly->tcap + jitsim_pktgen_rng_below(r, ly->tcap_len);
	f[pos] = bad[jitsim_pktgen_rng_below(r, sizeof(bad))];
	fix_checksums(f, ly);
}

unsigned int
jitsim_pktgen_malform(struct jitsim_pktgen_rng *r, uint8_t *f, size_t *len, unsigned int kind,
		      const char **reason)
{
	uint8_t orig[JITSIM_PKTGEN_FRAME_MAX];
	size_t olen = *len;
	struct layers ly;

	memcpy(orig, f, olen);
	find_layers(orig, olen, &ly);
	for (int t = 0; t < TRIES && ly.ip; t++) {
		size_t n = olen;

		memcpy(f, orig, olen);
		switch (kind) {
		case JITSIM_PKTGEN_MAL_TRUNCATED:
			/* Cut anywhere after the link header: a short capture. */
			n = (size_t)jitsim_pktgen_rng_range(r, ly.ip, olen - 1);
			break;
		case JITSIM_PKTGEN_MAL_LENGTH:
			wrong_length(r, f, n, &ly);
			break;
		case JITSIM_PKTGEN_MAL_BER:
			bad_ber(r, f, &ly);
			break;
		default: {
			/* 1-3 bits flipped after the IP header; checksums left wrong. */
			unsigned int k = (unsigned int)jitsim_pktgen_rng_range(r, 1, 3);

			for (unsigned int i = 0; i < k; i++)
				f[jitsim_pktgen_rng_range(r, ly.l4, olen - 1)] ^=
					(uint8_t)(1u << jitsim_pktgen_rng_below(r, 8));
			break;
		}
		}
		if (jitsim_pktgen_rejected(f, n, reason)) {
			*len = n;
			return kind;
		}
	}
	memcpy(f, orig, olen);
	*len = ly.ip + 10;
	jitsim_pktgen_rejected(f, *len, reason);
	return JITSIM_PKTGEN_MAL_TRUNCATED;
}
