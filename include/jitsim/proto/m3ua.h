/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_M3UA_H
#define JITSIM_PROTO_M3UA_H

/**
 * @file
 * M3UA (RFC 4666): common header (3.1), Transfer DATA (3.3.1) with Protocol
 * Data (OPC, DPC, SI, NI, MP, SLS) and Routing Context. Other message classes
 * (MGMT, SSNM, ASPSM, ASPTM, RKM) are recognised and reported as such so the
 * dataplane can count them.
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_M3UA_HDR_LEN 8
#define JITSIM_M3UA_VERSION 1

/* Message classes (RFC 4666 3.1.3) */
#define JITSIM_M3UA_CLASS_MGMT 0
#define JITSIM_M3UA_CLASS_XFER 1
#define JITSIM_M3UA_CLASS_SSNM 2
#define JITSIM_M3UA_CLASS_ASPSM 3
#define JITSIM_M3UA_CLASS_ASPTM 4
#define JITSIM_M3UA_CLASS_RKM 9
#define JITSIM_M3UA_XFER_DATA 1

/* Parameter tags (RFC 4666 3.2) */
#define JITSIM_M3UA_TAG_NETWORK_APPEARANCE 0x0200
#define JITSIM_M3UA_TAG_ROUTING_CONTEXT 0x0006
#define JITSIM_M3UA_TAG_PROTOCOL_DATA 0x0210
#define JITSIM_M3UA_TAG_CORRELATION_ID 0x0013

struct jitsim_m3ua {
	uint8_t version; /**< 1 */
	uint8_t msg_class;
	uint8_t msg_type;
	uint32_t length; /**< from the header */
	bool has_rc;
	uint32_t rc; /**< first routing context */
	bool has_na;
	uint32_t na; /**< network appearance */
	bool has_pd;
	uint32_t opc; /**< Protocol Data (RFC 4666 3.3.1) */
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t mp;
	uint8_t sls;
	const uint8_t *data; /**< user protocol data (SCCP for SI 3) */
	size_t data_len;
};

/**
 * Decode one M3UA message. The header length bounds the parameters; bytes
 * after it are ignored (the caller handles several messages if any).
 * @return JITSIM_R_OK (Transfer DATA with Protocol Data),
 *   JITSIM_R_M3UA_NOT_DATA (another class/type: header fields are valid),
 *   JITSIM_R_M3UA_NO_PROTOCOL_DATA, JITSIM_R_M3UA_BAD_VERSION,
 *   JITSIM_R_M3UA_BAD (parameter length < 4 or past the message),
 *   JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_m3ua_decode(const uint8_t *p, size_t len, struct jitsim_m3ua *out);

/* RFC 4666 3.2 parameter header: tag(2) length(2), value padded to 4. */
#define JITSIM_M3UA_PARAM_HDR_LEN 4
/* RFC 4666 3.3.1: OPC(4) DPC(4) SI NI MP SLS, then user protocol data. */
#define JITSIM_M3UA_PD_FIXED_LEN 12

/** Same as jitsim_m3ua_decode(), inlined for the per-frame fast path. */
static inline enum jitsim_reason
jitsim_m3ua_decode_inline(const uint8_t *p, size_t len, struct jitsim_m3ua *out)
{
	const uint8_t *q;
	size_t left;
	uint32_t w;

	out->has_rc = out->has_na = out->has_pd = false;
	out->data = NULL;
	out->data_len = 0;
	if (__builtin_expect(len < JITSIM_M3UA_HDR_LEN, 0))
		return JITSIM_R_TRUNCATED;
	/* RFC 4666 3.1: version, reserved, class, type, length(4). */
	w = jitsim_get_be32(p);
	out->version = (uint8_t)(w >> 24);
	out->msg_class = (uint8_t)(w >> 8);
	out->msg_type = (uint8_t)w;
	out->length = jitsim_get_be32(p + 4);
	if (__builtin_expect(out->version != JITSIM_M3UA_VERSION, 0))
		return JITSIM_R_M3UA_BAD_VERSION;
	/* HDR_LEN <= length <= len in one comparison (len >= HDR_LEN here). */
	if (__builtin_expect((size_t)out->length - JITSIM_M3UA_HDR_LEN > len - JITSIM_M3UA_HDR_LEN,
			     0))
		return out->length < JITSIM_M3UA_HDR_LEN ? JITSIM_R_M3UA_BAD : JITSIM_R_TRUNCATED;
	if ((w & 0xffff) != (JITSIM_M3UA_CLASS_XFER << 8 | JITSIM_M3UA_XFER_DATA))
		return JITSIM_R_M3UA_NOT_DATA;

	q = p + JITSIM_M3UA_HDR_LEN;
	left = out->length - JITSIM_M3UA_HDR_LEN;
	while (left > 0) {
		const uint8_t *v = q + JITSIM_M3UA_PARAM_HDR_LEN;
		size_t plen, vlen, adv;

		if (__builtin_expect(left < JITSIM_M3UA_PARAM_HDR_LEN, 0))
			return JITSIM_R_M3UA_BAD;
		w = jitsim_get_be32(q);
		plen = w & 0xffff;
		/* PARAM_HDR_LEN <= plen <= left, now that left >= PARAM_HDR_LEN. */
		if (__builtin_expect(
			    plen - JITSIM_M3UA_PARAM_HDR_LEN > left - JITSIM_M3UA_PARAM_HDR_LEN, 0))
			return JITSIM_R_M3UA_BAD;
		vlen = plen - JITSIM_M3UA_PARAM_HDR_LEN;
		switch (w >> 16) {
		case JITSIM_M3UA_TAG_ROUTING_CONTEXT:
			/*
			 * RFC 4666 3.3.1: a list of 32-bit contexts; a DATA
			 * message belongs to exactly one, so keep the first.
			 */
			if (vlen < 4 || (vlen & 3) != 0)
				return JITSIM_R_M3UA_BAD;
			if (!out->has_rc) {
				out->has_rc = true;
				out->rc = jitsim_get_be32(v);
			}
			break;
		case JITSIM_M3UA_TAG_NETWORK_APPEARANCE:
			if (vlen != 4)
				return JITSIM_R_M3UA_BAD;
			out->has_na = true;
			out->na = jitsim_get_be32(v);
			break;
		case JITSIM_M3UA_TAG_PROTOCOL_DATA:
			if (vlen < JITSIM_M3UA_PD_FIXED_LEN)
				return JITSIM_R_M3UA_BAD;
			if (out->has_pd)
				break;
			out->has_pd = true;
			out->opc = jitsim_get_be32(v);
			out->dpc = jitsim_get_be32(v + 4);
			out->si = v[8];
			out->ni = v[9];
			out->mp = v[10];
			out->sls = v[11];
			/* The parameter length, not the message, bounds the user data. */
			out->data = v + JITSIM_M3UA_PD_FIXED_LEN;
			out->data_len = vlen - JITSIM_M3UA_PD_FIXED_LEN;
			break;
		default:
			/* Correlation Id and unknown optional parameters: skipped. */
			break;
		}
		/*
		 * RFC 4666 3.2: the length excludes the padding, which the
		 * message length includes; tolerate a last one left out.
		 */
		adv = (plen + 3) & ~(size_t)3;
		if (adv > left)
			adv = left;
		q += adv;
		left -= adv;
	}
	return out->has_pd ? JITSIM_R_OK : JITSIM_R_M3UA_NO_PROTOCOL_DATA;
}

/**
 * Encoder: wrap the current wbuf content as Protocol Data in a Transfer DATA
 * message (with Routing Context when m->has_rc, Network Appearance when
 * m->has_na), padded to 4 bytes. Parameters are written in the RFC 4666
 * 3.3.1 order NA, RC, Protocol Data; the class, type, length, has_pd and
 * data fields of @p m are ignored.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_LENGTH (content longer
 *   than the 16-bit Protocol Data length allows: 65519 bytes).
 */
enum jitsim_reason jitsim_m3ua_encode_data(struct jitsim_wbuf *w, const struct jitsim_m3ua *m);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_m3ua_dump(const struct jitsim_m3ua *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_M3UA_H */
