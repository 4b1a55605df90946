/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_SCTP_H
#define JITSIM_PROTO_SCTP_H

/**
 * @file
 * SCTP (RFC 9260): common header, chunk walk over bundled chunks, DATA chunk
 * (RFC 9260 3.3.1). Many real captures bundle a SACK before the DATA, and a
 * packet may carry several DATA chunks: callers walk every chunk.
 *
 * Zero-copy. Thread-safety: pure; an iterator belongs to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_SCTP_HDR_LEN 12
#define JITSIM_SCTP_CHUNK_DATA 0
#define JITSIM_SCTP_CHUNK_SACK 3
#define JITSIM_SCTP_DATA_HDR_LEN 16

/* DATA chunk flags (RFC 9260 3.3.1) */
#define JITSIM_SCTP_DATA_E 0x01
#define JITSIM_SCTP_DATA_B 0x02
#define JITSIM_SCTP_DATA_U 0x04
#define JITSIM_SCTP_DATA_I 0x08

/* Payload protocol identifiers (IANA) */
#define JITSIM_PPID_M2UA 2
#define JITSIM_PPID_M3UA 3
#define JITSIM_PPID_SUA 4
#define JITSIM_PPID_M2PA 5
#define JITSIM_PPID_DIAMETER 46
#define JITSIM_PPID_DIAMETER_DTLS 47

/* Well-known ports used when the PPID is 0 (unspecified) */
#define JITSIM_PORT_M2UA 2904
#define JITSIM_PORT_M3UA 2905
#define JITSIM_PORT_M2PA 3565
#define JITSIM_PORT_DIAMETER 3868

struct jitsim_sctp {
	uint16_t sport;
	uint16_t dport;
	uint32_t vtag;
	uint32_t csum;	       /**< as carried (little-endian CRC32c on the wire) */
	const uint8_t *chunks; /**< first chunk */
	size_t chunks_len;
};

struct jitsim_sctp_chunk {
	uint8_t type;
	uint8_t flags;
	uint16_t length;      /**< chunk length field (without padding) */
	const uint8_t *value; /**< after the 4-byte chunk header */
	size_t value_len;     /**< length - 4 */
};

struct jitsim_sctp_data {
	uint8_t flags; /**< JITSIM_SCTP_DATA_* */
	bool fragment; /**< not both B and E: part of a larger message */
	uint32_t tsn;
	uint16_t stream;
	uint16_t ssn;
	uint32_t ppid;
	const uint8_t *payload;
	size_t payload_len;
};

/** Chunk walk state; initialise with jitsim_sctp_chunk_iter_init(). */
struct jitsim_sctp_chunk_iter {
	const uint8_t *p;
	size_t left;
};

/**
 * Decode the SCTP common header. Does not verify the checksum (see
 * jitsim_sctp_crc_ok(); mirrors often carry offloaded, unset checksums).
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_sctp_decode(const uint8_t *p, size_t len, struct jitsim_sctp *out);

/** Same as jitsim_sctp_decode(), inlined for the per-frame fast path. */
static inline enum jitsim_reason
jitsim_sctp_decode_inline(const uint8_t *p, size_t len, struct jitsim_sctp *out)
{
	/* RFC 9260 3.1: sport(2) dport(2) verification tag(4) checksum(4). */
	if (__builtin_expect(len < JITSIM_SCTP_HDR_LEN, 0))
		return JITSIM_R_TRUNCATED;
	out->sport = jitsim_get_be16(p);
	out->dport = jitsim_get_be16(p + 2);
	out->vtag = jitsim_get_be32(p + 4);
	out->csum = jitsim_get_be32(p + 8);
	out->chunks = p + JITSIM_SCTP_HDR_LEN;
	out->chunks_len = len - JITSIM_SCTP_HDR_LEN;
	return JITSIM_R_OK;
}

static inline void
jitsim_sctp_chunk_iter_init(struct jitsim_sctp_chunk_iter *it, const struct jitsim_sctp *s)
{
	it->p = s->chunks;
	it->left = s->chunks_len;
}

/**
 * Next chunk. Chunks are padded to 4 bytes; the padding of the last chunk
 * may be missing.
 * @return JITSIM_R_OK, JITSIM_R_END (no more chunks),
 *   JITSIM_R_SCTP_BAD_CHUNK (length < 4 or past the packet: the walk stops,
 *   the next call returns JITSIM_R_END).
 */
enum jitsim_reason jitsim_sctp_chunk_next(struct jitsim_sctp_chunk_iter *it,
					  struct jitsim_sctp_chunk *c);

/* RFC 9260 3.2: type(1) flags(1) length(2), then the value. */
#define JITSIM_SCTP_CHUNK_HDR_LEN 4

/** Same as jitsim_sctp_chunk_next(), inlined for the per-frame fast path. */
static inline enum jitsim_reason
jitsim_sctp_chunk_next_inline(struct jitsim_sctp_chunk_iter *it, struct jitsim_sctp_chunk *c)
{
	const uint8_t *p = it->p;
	size_t left = it->left;
	size_t clen, adv;
	uint32_t w;

	if (left == 0)
		return JITSIM_R_END;
	if (__builtin_expect(left < JITSIM_SCTP_CHUNK_HDR_LEN, 0))
		goto bad;
	w = jitsim_get_be32(p);
	clen = w & 0xffff;
	/* CHUNK_HDR_LEN <= clen <= left, now that left >= CHUNK_HDR_LEN. */
	if (__builtin_expect(clen - JITSIM_SCTP_CHUNK_HDR_LEN > left - JITSIM_SCTP_CHUNK_HDR_LEN,
			     0))
		goto bad;
	c->type = (uint8_t)(w >> 24);
	c->flags = (uint8_t)(w >> 16);
	c->length = (uint16_t)clen;
	c->value = p + JITSIM_SCTP_CHUNK_HDR_LEN;
	c->value_len = clen - JITSIM_SCTP_CHUNK_HDR_LEN;
	/*
	 * RFC 9260 3.2: the length excludes the padding to a multiple of 4;
	 * some stacks omit the padding of the last chunk, so accept a short
	 * tail here.
	 */
	adv = (clen + 3) & ~(size_t)3;
	if (adv > left)
		adv = left;
	it->p = p + adv;
	it->left = left - adv;
	return JITSIM_R_OK;
bad:
	/* Nothing after a bad length can be trusted: end the walk. */
	it->left = 0;
	return JITSIM_R_SCTP_BAD_CHUNK;
}

/**
 * Decode a DATA chunk (RFC 9260 3.3.1). I-DATA (RFC 8260) is not supported.
 * @return JITSIM_R_OK, JITSIM_R_SCTP_NOT_DATA, JITSIM_R_SCTP_BAD_CHUNK.
 *   A fragment still returns OK with d->fragment set.
 */
enum jitsim_reason jitsim_sctp_data_decode(const struct jitsim_sctp_chunk *c,
					   struct jitsim_sctp_data *d);

/** Same as jitsim_sctp_data_decode(), inlined for the per-frame fast path. */
static inline enum jitsim_reason
jitsim_sctp_data_decode_inline(const struct jitsim_sctp_chunk *c, struct jitsim_sctp_data *d)
{
	const uint8_t *v = c->value;
	const size_t fixed = JITSIM_SCTP_DATA_HDR_LEN - JITSIM_SCTP_CHUNK_HDR_LEN;
	const uint8_t be = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E;

	if (c->type != JITSIM_SCTP_CHUNK_DATA)
		return JITSIM_R_SCTP_NOT_DATA;
	/*
	 * RFC 9260 3.3.1: TSN(4) stream(2) SSN(2) PPID(4), then user data;
	 * 6.2: a DATA chunk without user data is a protocol violation.
	 */
	if (__builtin_expect(c->value_len <= fixed, 0))
		return JITSIM_R_SCTP_BAD_CHUNK;
	d->flags = c->flags;
	d->fragment = (c->flags & be) != be;
	d->tsn = jitsim_get_be32(v);
	d->stream = jitsim_get_be16(v + 4);
	d->ssn = jitsim_get_be16(v + 6);
	d->ppid = jitsim_get_be32(v + 8);
	d->payload = v + fixed;
	d->payload_len = c->value_len - fixed;
	return JITSIM_R_OK;
}

/** CRC32c (Castagnoli) over @p len bytes, as used by SCTP (RFC 9260 Appendix A). */
uint32_t jitsim_crc32c(const uint8_t *p, size_t len);

/** True when the packet's checksum field matches its CRC32c. */
bool jitsim_sctp_crc_ok(const uint8_t *p, size_t len);

/**
 * Encoder: wrap the current wbuf content as one DATA chunk (with padding) and
 * prepend the SCTP common header; computes the CRC32c.
 * The chunk flags are B|E plus the U and I bits of @p d->flags; TSN, stream,
 * SSN and PPID come from @p d, ports and tag from @p hdr (its csum, chunks
 * and the payload fields of @p d are ignored).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, or JITSIM_R_BAD_LENGTH when the
 *   content is empty or longer than a chunk can hold (65519 bytes).
 */
enum jitsim_reason jitsim_sctp_encode_data(struct jitsim_wbuf *w, const struct jitsim_sctp *hdr,
					   const struct jitsim_sctp_data *d);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_sctp_data_dump(const struct jitsim_sctp_data *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_SCTP_H */
