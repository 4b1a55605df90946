/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Diameter base protocol encoding (RFC 6733 3 and 4.1). Messages are built by
 * appending to a jitsim_wbuf; lengths of the message and of grouped AVPs are
 * patched once their content is known. Offsets handed back to the caller are
 * indices into w->buf, which stay valid when outer layers are prepended.
 *
 * Each append is all-or-nothing: on JITSIM_R_NOSPACE the wbuf is unchanged.
 */

#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>
/* The AVP code book (RFC 6733 4.5 codes included). */
#include <jitsim/proto/s6a.h>

/* RFC 6733 3 and 4.1: Message Length and AVP Length are 24-bit fields. */
#define DIAM_MAX_LEN 0xffffffu

enum jitsim_reason
jitsim_diam_encode_hdr(struct jitsim_wbuf *w, const struct jitsim_diam_hdr *h, size_t *start)
{
	size_t off = w->tail;
	uint8_t *p = jitsim_wbuf_append(w, JITSIM_DIAM_HDR_LEN);

	if (p == NULL)
		return JITSIM_R_NOSPACE;
	/* Version is always 1 and the length is set by jitsim_diam_encode_finish(). */
	p[0] = 1;
	jitsim_put_be24(p + 1, JITSIM_DIAM_HDR_LEN);
	p[4] = h->flags;
	jitsim_put_be24(p + 5, h->cmd);
	jitsim_put_be32(p + 8, h->app_id);
	jitsim_put_be32(p + 12, h->hbh);
	jitsim_put_be32(p + 16, h->e2e);
	*start = off;
	return JITSIM_R_OK;
}

/*
 * Write an AVP header. The V flag follows @p vendor (RFC 6733 4.1: the
 * Vendor-ID field is present exactly when V is set; vendor 0 is IETF, which
 * never uses it), so callers cannot produce a header that disagrees with itself.
 * Returns the header length.
 */
static size_t
put_avp_hdr(uint8_t *p, uint32_t code, uint8_t flags, uint32_t vendor, size_t avp_len)
{
	jitsim_put_be32(p, code);
	if (vendor != 0) {
		p[4] = flags | JITSIM_DIAM_AVP_V;
		jitsim_put_be24(p + 5, (uint32_t)avp_len);
		jitsim_put_be32(p + 8, vendor);
		return JITSIM_DIAM_AVP_VHDR_LEN;
	}
	p[4] = flags & (uint8_t)~JITSIM_DIAM_AVP_V;
	jitsim_put_be24(p + 5, (uint32_t)avp_len);
	return JITSIM_DIAM_AVP_HDR_LEN;
}

enum jitsim_reason
jitsim_diam_encode_avp(struct jitsim_wbuf *w, uint32_t code, uint8_t flags, uint32_t vendor,
		       const void *data, size_t len)
{
	size_t hlen = vendor != 0 ? JITSIM_DIAM_AVP_VHDR_LEN : JITSIM_DIAM_AVP_HDR_LEN;
	size_t alen, padded;
	uint8_t *p;

	if (len > DIAM_MAX_LEN - hlen)
		return JITSIM_R_BAD_PARAM;
	alen = hlen + len;
	/* RFC 6733 4.1: pad with zeros to a 32-bit boundary, not counted in the length. */
	padded = (alen + 3) & ~(size_t)3;
	p = jitsim_wbuf_append(w, padded);
	if (p == NULL)
		return JITSIM_R_NOSPACE;
	put_avp_hdr(p, code, flags, vendor, alen);
	if (len)
		memcpy(p + hlen, data, len);
	if (padded > alen)
		memset(p + alen, 0, padded - alen);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_diam_encode_avp_u32(struct jitsim_wbuf *w, uint32_t code, uint8_t flags, uint32_t vendor,
			   uint32_t v)
{
	uint8_t b[4];

	jitsim_put_be32(b, v);
	return jitsim_diam_encode_avp(w, code, flags, vendor, b, sizeof(b));
}

enum jitsim_reason
jitsim_diam_encode_avp_str(struct jitsim_wbuf *w, uint32_t code, uint8_t flags, uint32_t vendor,
			   const char *s)
{
	if (s == NULL)
		return JITSIM_R_BAD_PARAM;
	return jitsim_diam_encode_avp(w, code, flags, vendor, s, strlen(s));
}

enum jitsim_reason
jitsim_diam_encode_group_begin(struct jitsim_wbuf *w, uint32_t code, uint8_t flags, uint32_t vendor,
			       size_t *start)
{
	size_t hlen = vendor != 0 ? JITSIM_DIAM_AVP_VHDR_LEN : JITSIM_DIAM_AVP_HDR_LEN;
	size_t off = w->tail;
	uint8_t *p = jitsim_wbuf_append(w, hlen);

	if (p == NULL)
		return JITSIM_R_NOSPACE;
	put_avp_hdr(p, code, flags, vendor, hlen);
	*start = off;
	return JITSIM_R_OK;
}

void
jitsim_diam_encode_group_end(struct jitsim_wbuf *w, size_t start)
{
	/*
	 * RFC 6733 4.4: the data of a grouped AVP is a sequence of AVPs, each
	 * padded, so the length is a multiple of 4 and no padding follows.
	 */
	if (start > w->tail || w->tail - start < JITSIM_DIAM_AVP_HDR_LEN)
		return;
	jitsim_put_be24(w->buf + start + 5, (uint32_t)(w->tail - start));
}

void
jitsim_diam_encode_finish(struct jitsim_wbuf *w, size_t start)
{
	if (start > w->tail || w->tail - start < JITSIM_DIAM_HDR_LEN)
		return;
	jitsim_put_be24(w->buf + start + 1, (uint32_t)(w->tail - start));
}

/* A grouped AVP of two Unsigned32 members, all M and base-protocol (vendor 0) AVPs. */
static enum jitsim_reason
encode_u32_pair(struct jitsim_wbuf *w, uint32_t group, uint32_t code1, uint32_t v1, uint32_t code2,
		uint32_t v2)
{
	size_t save = w->tail, g;

	if (jitsim_diam_encode_group_begin(w, group, JITSIM_DIAM_AVP_M, 0, &g) ||
	    jitsim_diam_encode_avp_u32(w, code1, JITSIM_DIAM_AVP_M, 0, v1) ||
	    jitsim_diam_encode_avp_u32(w, code2, JITSIM_DIAM_AVP_M, 0, v2)) {
		w->tail = save;
		return JITSIM_R_NOSPACE;
	}
	jitsim_diam_encode_group_end(w, g);
	return JITSIM_R_OK;
}

enum jitsim_reason
jitsim_diam_encode_vsai(struct jitsim_wbuf *w, uint32_t vendor, uint32_t auth_app_id)
{
	return encode_u32_pair(w, JITSIM_AVP_VENDOR_SPECIFIC_APPLICATION_ID, JITSIM_AVP_VENDOR_ID,
			       vendor, JITSIM_AVP_AUTH_APPLICATION_ID, auth_app_id);
}

enum jitsim_reason
jitsim_diam_encode_exp_result(struct jitsim_wbuf *w, uint32_t vendor, uint32_t code)
{
	return encode_u32_pair(w, JITSIM_AVP_EXPERIMENTAL_RESULT, JITSIM_AVP_VENDOR_ID, vendor,
			       JITSIM_AVP_EXPERIMENTAL_RESULT_CODE, code);
}
