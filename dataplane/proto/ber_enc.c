/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * BER writer: definite lengths only, shortest form (X.690 8.1.3.2 b, which is
 * also what DER requires), so that every encoder output is canonical.
 */

#include <jitsim/proto/ber.h>

enum jitsim_reason
jitsim_ber_prepend_hdr(struct jitsim_wbuf *w, uint8_t id, size_t content_len)
{
	uint8_t hdr[6];
	size_t n = 0;
	uint8_t *d;

	hdr[n++] = id;
	if (content_len < 0x80) {
		hdr[n++] = (uint8_t)content_len;
	} else {
		/* X.690 8.1.3.5: 0x80 | number of length octets, big-endian. */
		unsigned int octets = 1;

		while (octets < sizeof(size_t) && (content_len >> (8 * octets)) != 0)
			octets++;
		if (octets > 4)
			return JITSIM_R_NOSPACE;
		hdr[n++] = (uint8_t)(0x80 | octets);
		while (octets--)
			hdr[n++] = (uint8_t)(content_len >> (8 * octets));
	}
	d = jitsim_wbuf_prepend(w, n);
	if (d == NULL)
		return JITSIM_R_NOSPACE;
	memcpy(d, hdr, n);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_ber_prepend_tlv(struct jitsim_wbuf *w, uint8_t id, const void *val, size_t len)
{
	uint8_t *d = jitsim_wbuf_prepend(w, len);

	if (d == NULL)
		return JITSIM_R_NOSPACE;
	if (len)
		memcpy(d, val, len);
	if (jitsim_ber_prepend_hdr(w, id, len) != JITSIM_R_OK) {
		/* Leave the buffer as it was (wbuf.h contract). */
		w->head += len;
		return JITSIM_R_NOSPACE;
	}
	return JITSIM_R_OK;
}
