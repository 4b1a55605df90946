/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_ENCODE_H
#define JITSIM_PKTGEN_ENCODE_H

/**
 * @file
 * Frame builders that the codec library does not have, on top of its public
 * per-layer encoders: an SCTP packet bundling several DATA chunks (RFC 9260
 * 6.10), TCP segments of a connection, M3UA ASPSM heartbeats (RFC 4666
 * 3.5.5-3.5.6), SCCP management (ITU-T Q.713 5.3), ICMP echo as
 * non-signaling traffic, and the MAP message (M3UA/SCCP/TCAP/MAP) as a
 * DATA chunk payload.
 *
 * A link is one SCTP association or TCP connection seen on the mirror, with
 * both directions' sequence state (TSN, SSN per stream, TCP seq), so that
 * consecutive frames are a coherent association and not unrelated copies.
 *
 * Thread-safety: a link belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#include "scenario.h"

/** Largest frame pktgen builds (bundles of 8 MAP messages fit). */
#define JITSIM_PKTGEN_FRAME_MAX 4096

/** Ethernet, two VLAN tags and an IPv6 header (the longest IP header made). */
#define JITSIM_PKTGEN_LOWER_MAX (14 + 2 * 4 + 40)
/** Room of a header template: copied whole, a constant size the compiler inlines. */
#define JITSIM_PKTGEN_LOWER_TPL 64

struct jitsim_pktgen_link {
	bool ipv6;
	bool tcp;
	uint8_t n_vlans;
	uint16_t vlans[2];
	uint8_t mac[2][6];
	uint8_t ip[2][16];
	uint16_t port[2];
	uint32_t vtag[2]; /**< tag the packets of direction d carry */
	uint32_t tsn[2];  /**< next TSN sent in direction d */
	uint32_t seq[2];  /**< next TCP sequence number */
	uint16_t ip_id[2];
	uint16_t n_streams;
	uint16_t ssn[2][JITSIM_PKTGEN_MAX_STREAMS];
	/*
	 * IP + Ethernet header template per direction (encode.c): 0 not
	 * built yet, 1 in use, 2 not reproducing the library (encode fully).
	 */
	uint8_t hdr_state[2];
	uint8_t tcp_state[2]; /**< the same for the TCP header */
	uint32_t hdr_sum[2];  /**< IPv4 header sum without length, id, protocol */
	uint64_t addr_sum;    /**< sum of both addresses (TCP pseudo-header), 0: not yet */
	uint8_t hdr[2][JITSIM_PKTGEN_LOWER_TPL];
};

struct jitsim_pktgen_chunk {
	const uint8_t *p;
	size_t len;
	uint16_t stream;
	uint32_t ppid;
};

/** A MAP message for jitsim_pktgen_enc_map(). */
struct jitsim_pktgen_map_msg {
	uint8_t tcap_type; /**< JITSIM_TCAP_BEGIN, ... */
	bool has_otid, has_dtid;
	uint32_t otid, dtid;
	bool dialogue;	     /**< AARQ (Begin) / AARE (first backward message) */
	uint8_t ac, version; /**< MAP application context (TS 29.002 17.3.3) */
	uint8_t comp_type;   /**< JITSIM_TCAP_INVOKE, _RESULT_LAST, _ERROR */
	int8_t invoke_id;
	uint8_t code;	      /**< operation, or error for ReturnError */
	const uint8_t *param; /**< complete TLV, NULL for none */
	size_t param_len;
	const struct jitsim_sccp_addr *called;
	const struct jitsim_sccp_addr *calling;
	/**
	 * Optional: @c called and @c calling already encoded by
	 * jitsim_pktgen_sccp_addr_enc(); used instead of them when both are set.
	 */
	const uint8_t *called_enc, *calling_enc;
	uint8_t called_enc_len, calling_enc_len;
	/** Optional: TCAP templates to reuse (jitsim_pktgen_tcap_tpls), NULL: none. */
	struct jitsim_pktgen_tcap_tpls *tcap_tpls;
	/**
	 * Optional, with @c tcap_tpls: the caller's number for the kind of
	 * TCAP message (not 0); two messages with the same number must be of
	 * the same kind (types, code, context, version, invoke id, which ids,
	 * parameter length). 0: the kind is worked out from the fields.
	 */
	uint64_t kind;
	uint32_t opc, dpc, rc;
	uint8_t sls;
};

/** Longest TCAP message kept as a template. */
#define JITSIM_PKTGEN_TCAP_TPL_MAX 320
#define JITSIM_PKTGEN_TCAP_TPLS 256
/** Entries of the memo of caller-named kinds (a power of two). */
#define JITSIM_PKTGEN_TCAP_MEMO 1024

/**
 * A TCAP message of one kind (everything but the transaction ids and the
 * parameter bytes) as the codec library encodes it, with where those go.
 */
struct jitsim_pktgen_tcap_tpl {
	uint64_t key;  /**< the kind (encode.c), compared as one word */
	uint8_t state; /**< 0: free, 1: template, 2: encode every time */
	uint8_t tcap_type, comp_type, code, ac, version;
	int8_t invoke_id;
	bool has_otid, has_dtid, dialogue, has_param;
	uint16_t param_len;
	uint16_t len, otid_at, dtid_at, param_at;
	uint8_t b[JITSIM_PKTGEN_TCAP_TPL_MAX];
};

/** The TCAP templates of a run, built on first use (zero-initialise). */
struct jitsim_pktgen_tcap_tpls {
	struct jitsim_pktgen_tcap_tpl t[JITSIM_PKTGEN_TCAP_TPLS];
	/** Kinds the caller names by a number (jitsim_pktgen_map_msg.kind). */
	struct {
		uint64_t kind;				/**< 0: empty */
		const struct jitsim_pktgen_tcap_tpl *t; /**< NULL: encode it */
	} memo[JITSIM_PKTGEN_TCAP_MEMO];
	/*
	 * M3UA DATA + SCCP UDT + TCAP template written in one pass (encode.c):
	 * 0 not compared with the library yet, 1 in use, 2 layer by layer.
	 */
	uint8_t one_pass;
};

/**
 * Where two encodings of @p len octets differ, for building templates: one
 * run of exactly @p n octets (its offset in @p at), or none when @p n is 0.
 * @return false for anything else.
 */
bool jitsim_pktgen_diff_run(const uint8_t *a, const uint8_t *b, size_t len, size_t n, uint16_t *at);

#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
#define JITSIM_PKTGEN_SWAR 1

/* Eight ASCII characters at @p d are all '0'-'9' (high nibble 3, low nibble + 6 below 16). */
static inline bool
jitsim_pktgen_digits8(const char *d)
{
	uint64_t v;

	memcpy(&v, d, 8);
	return (v & 0xf0f0f0f0f0f0f0f0ull) == 0x3030303030303030ull &&
	       (((v & 0x0f0f0f0f0f0f0f0full) + 0x0606060606060606ull) & 0x1010101010101010ull) == 0;
}

/* Eight digits at @p d as four TBCD octets at @p o (checked by the caller). */
static inline void
jitsim_pktgen_tbcd8(uint8_t *o, const char *d)
{
	uint64_t v;
	uint32_t x;

	memcpy(&v, d, 8);
	/* Byte k is digit k (little-endian): digit 2j+1 over digit 2j, even bytes kept. */
	v &= 0x0f0f0f0f0f0f0f0full;
	v = (v | v >> 4) & 0x00ff00ff00ff00ffull;
	v = (v | v >> 8) & 0x0000ffff0000ffffull;
	x = (uint32_t)(v | v >> 16);
	memcpy(o, &x, 4);
}
#endif

/**
 * @p n octets from @p s to @p d, as memcpy(): for 8 to 16 of them two
 * overlapping words, with no call and no size branch of a general memcpy()
 * (which the mix of lengths of identities and addresses mispredicts).
 */
static inline void
jitsim_pktgen_copy_small(uint8_t *d, const void *s, size_t n)
{
	uint64_t a, b;

	if (n < 8 || n > 16) {
		memcpy(d, s, n);
		return;
	}
	memcpy(&a, s, 8);
	memcpy(&b, (const uint8_t *)s + n - 8, 8);
	memcpy(d, &a, 8);
	memcpy(d + n - 8, &b, 8);
}

/**
 * @p n octets from @p s to @p d where both have room for
 * max(@p n, 256): the first 256 always (a fixed size is inlined as plain
 * vector moves, where memcpy() picks its method by the size, a branch the
 * mix of frame lengths mispredicts), the rest only when @p n is larger.
 * Octets past @p n are overwritten with whatever follows @p s.
 */
static inline void
jitsim_pktgen_copy_wide(uint8_t *d, const uint8_t *s, size_t n)
{
	memcpy(d, s, 256);
	if (n > 256)
		memcpy(d + 256, s + 256, n - 256);
}

/** The @p n characters at @p d are all '0'-'9'. */
static inline bool
jitsim_pktgen_digits_ok(const char *d, size_t n)
{
#ifdef JITSIM_PKTGEN_SWAR
	/* 8..16 characters: two overlapping words cover them. */
	if (n >= 8 && n <= 16)
		return jitsim_pktgen_digits8(d) && jitsim_pktgen_digits8(d + n - 8);
#endif
	for (size_t i = 0; i < n; i++)
		if ((unsigned int)(d[i] - '0') > 9)
			return false;
	return true;
}

/**
 * TBCD octets (TS 29.002 17.7.8: two digits per octet, the first in the low
 * nibble, 0xF filling an odd count) of the @p n digits at @p d into @p o,
 * as jitsim_tbcd_encode() writes digit strings. Inline: templates patch
 * identities with it per frame. Reads only d[0 .. n).
 * @return false for anything but '0'-'9'.
 */
static inline bool
jitsim_pktgen_tbcd(uint8_t *o, const char *d, size_t n)
{
	size_t i = 0, even = n & ~(size_t)1;

	if (!jitsim_pktgen_digits_ok(d, n))
		return false;
#ifdef JITSIM_PKTGEN_SWAR
	/* Eight digits at a time; the last eight (at an even place) may overlap, same octets. */
	if (even >= 8) {
		for (; i + 8 <= even; i += 8)
			jitsim_pktgen_tbcd8(o + i / 2, d + i);
		if (i < even)
			jitsim_pktgen_tbcd8(o + (even - 8) / 2, d + even - 8);
		i = even;
	}
#endif
	for (; i < even; i += 2)
		o[i / 2] = (uint8_t)((d[i + 1] - '0') << 4 | (d[i] - '0'));
	if (n & 1)
		o[n / 2] = (uint8_t)(0xf0 | (d[n - 1] - '0'));
	return true;
}

/** Longest SCCP address jitsim_pktgen_sccp_addr_enc() returns. */
#define JITSIM_PKTGEN_SCCP_ADDR_MAX 30

/**
 * The called/calling party address @p a as the codec library encodes it in
 * a UDT (Q.713 3.4), without its length octet, into @p out: a template the
 * MAP frames reuse. @return its length (1..JITSIM_PKTGEN_SCCP_ADDR_MAX), or
 * -1 when the encoder refuses @p a or it is longer.
 */
int jitsim_pktgen_sccp_addr_enc(const struct jitsim_sccp_addr *a,
				uint8_t out[JITSIM_PKTGEN_SCCP_ADDR_MAX]);

/**
 * Ethernet/VLAN/IP/SCTP packet of direction @p dir carrying the @p n chunks
 * in order, built at @p buf (the frame starts at buf[0]). TSNs and SSNs of
 * the link advance when @p advance (a malformed copy does not advance them).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_pktgen_enc_sctp(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l,
					  unsigned int dir, const struct jitsim_pktgen_chunk *c,
					  unsigned int n, bool advance, size_t *len);

/** Ethernet/VLAN/IP/TCP segment with @p plen bytes of payload. */
enum jitsim_reason jitsim_pktgen_enc_tcp(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l,
					 unsigned int dir, const uint8_t *payload, size_t plen,
					 bool advance, size_t *len);

/** ICMP (IPv4) or ICMPv6 echo request (@p reply false) or reply on link @p l. */
enum jitsim_reason jitsim_pktgen_enc_echo(uint8_t *buf, size_t cap, struct jitsim_pktgen_link *l,
					  unsigned int dir, bool reply, uint16_t id, uint16_t seq,
					  size_t *len);

/**
 * M3UA DATA carrying SCCP UDT / TCAP / MAP, written in front of the (empty)
 * wbuf @p w, which needs about 512 bytes of headroom.
 */
enum jitsim_reason jitsim_pktgen_enc_map(struct jitsim_wbuf *w,
					 const struct jitsim_pktgen_map_msg *m);

/** No such field in a layout. */
#define JITSIM_PKTGEN_AT_NONE 0xffff

/**
 * Where jitsim_pktgen_enc_map() puts the parts of a message of one kind,
 * counted from the first octet of its M3UA message, when it writes it in
 * one pass (M3UA DATA, SCCP UDT, TCAP template): what a frame template
 * (ftpl.h) patches. Offsets of absent parts are JITSIM_PKTGEN_AT_NONE.
 */
struct jitsim_pktgen_map_layout {
	uint16_t len;			 /**< the M3UA message, padding included */
	uint16_t sls_at;		 /**< M3UA Protocol Data SLS octet */
	uint16_t called_at, calling_at;	 /**< SCCP party addresses (after their length) */
	uint8_t called_len, calling_len; /**< their lengths */
	uint16_t otid_at, dtid_at;	 /**< TCAP transaction ids (4 octets) */
	uint16_t param_at, param_len;	 /**< the component's parameter */
};

/**
 * The layout of @p m's kind, when jitsim_pktgen_enc_map() writes @p m in
 * one pass from templates (pre-encoded addresses, TCAP template in use, the
 * one-pass writer checked). false: it is encoded some other way.
 */
bool jitsim_pktgen_map_layout(const struct jitsim_pktgen_map_msg *m,
			      struct jitsim_pktgen_map_layout *lo);

/** Octets in front of the transport header of @p l: Ethernet, VLAN tags, IP. */
size_t jitsim_pktgen_lower_len(const struct jitsim_pktgen_link *l);

/**
 * The SCTP packet of one DATA chunk in the @p len octets at @p f, laid out
 * as jitsim_pktgen_enc_sctp() does with the link's header template in use
 * (jitsim_pktgen_sctp_tpl_ok()), made current: TSN, stream and stream
 * sequence number of the chunk, IP identification, lengths and checksum,
 * and the CRC32c over the packet. Link state is not advanced.
 */
void jitsim_pktgen_sctp_one_finish(uint8_t *f, size_t len, const struct jitsim_pktgen_link *l,
				   unsigned int dir, uint32_t tsn, uint16_t stream, uint16_t ssn,
				   uint16_t ip_id);

/** The link's header template for @p dir is in use (jitsim_pktgen_enc_sctp()'s fast path). */
static inline bool
jitsim_pktgen_sctp_tpl_ok(const struct jitsim_pktgen_link *l, unsigned int dir)
{
	return dir < 2 && l->hdr_state[dir] == 1;
}

/** M3UA ASPSM BEAT (@p ack false) or BEAT Ack with 8 bytes of heartbeat data. */
enum jitsim_reason jitsim_pktgen_enc_beat(struct jitsim_wbuf *w, bool ack, uint64_t data);

/**
 * M3UA DATA with an SCCP management message (UDT between SSN 1 and SSN 1):
 * Subsystem-Status-Test (@p allowed false) or Subsystem-Allowed for
 * @p ssn at @p pc (Q.713 5.3.2).
 */
enum jitsim_reason jitsim_pktgen_enc_scmg(struct jitsim_wbuf *w, bool allowed, uint8_t ssn,
					  uint32_t opc, uint32_t dpc, uint32_t rc);

#endif /* JITSIM_PKTGEN_ENCODE_H */
