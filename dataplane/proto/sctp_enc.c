/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/sctp.h>

/* RFC 9260 3.2: the chunk length field is 16 bits and counts the header. */
#define SCTP_CHUNK_MAX_LEN 65535

enum jitsim_reason
jitsim_sctp_encode_data(struct jitsim_wbuf *w, const struct jitsim_sctp *hdr,
			const struct jitsim_sctp_data *d)
{
	size_t n = jitsim_wbuf_len(w);
	size_t pad = (4 - (n & 3)) & 3;
	uint8_t *c, *h, *t;
	uint32_t crc;

	/* RFC 9260 6.2: a DATA chunk must carry at least one byte. */
	if (n == 0 || n > SCTP_CHUNK_MAX_LEN - JITSIM_SCTP_DATA_HDR_LEN)
		return JITSIM_R_BAD_LENGTH;
	/* Check both ends first so a failure leaves the data untouched. */
	if (w->head < JITSIM_SCTP_HDR_LEN + JITSIM_SCTP_DATA_HDR_LEN || w->cap - w->tail < pad)
		return JITSIM_R_NOSPACE;

	/* RFC 9260 3.2: padding is zero and not counted in the chunk length. */
	t = jitsim_wbuf_append(w, pad);
	memset(t, 0, pad);

	/* RFC 9260 3.3.1: one complete (B|E) user message per chunk. */
	c = jitsim_wbuf_prepend(w, JITSIM_SCTP_DATA_HDR_LEN);
	c[0] = JITSIM_SCTP_CHUNK_DATA;
	c[1] = JITSIM_SCTP_DATA_B | JITSIM_SCTP_DATA_E |
	       (d->flags & (JITSIM_SCTP_DATA_U | JITSIM_SCTP_DATA_I));
	jitsim_put_be16(c + 2, (uint16_t)(JITSIM_SCTP_DATA_HDR_LEN + n));
	jitsim_put_be32(c + 4, d->tsn);
	jitsim_put_be16(c + 8, d->stream);
	jitsim_put_be16(c + 10, d->ssn);
	jitsim_put_be32(c + 12, d->ppid);

	h = jitsim_wbuf_prepend(w, JITSIM_SCTP_HDR_LEN);
	jitsim_put_be16(h, hdr->sport);
	jitsim_put_be16(h + 2, hdr->dport);
	jitsim_put_be32(h + 4, hdr->vtag);
	memset(h + 8, 0, 4);
	/*
	 * RFC 9260 6.8 and Appendix A: CRC32c over the whole packet with the
	 * field zeroed, stored least significant byte first.
	 */
	crc = jitsim_crc32c(h, jitsim_wbuf_len(w));
	h[8] = (uint8_t)crc;
	h[9] = (uint8_t)(crc >> 8);
	h[10] = (uint8_t)(crc >> 16);
	h[11] = (uint8_t)(crc >> 24);
	return JITSIM_R_OK;
}
