/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <string.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/sctp.h>

#include "ftpl.h"

/* Where the M3UA message starts: after the lower headers, the SCTP common and DATA headers. */
static size_t
payload_at(const struct jitsim_pktgen_link *l)
{
	return jitsim_pktgen_lower_len(l) + JITSIM_SCTP_HDR_LEN + JITSIM_SCTP_DATA_HDR_LEN;
}

_Static_assert(JITSIM_PKTGEN_FTPL_MAX >= 256 && JITSIM_PKTGEN_FRAME_MAX >= 256,
	       "jitsim_pktgen_copy_wide() copies 256 octets");

bool
jitsim_pktgen_ftpl_fill(const struct jitsim_pktgen_ftpl *t, uint8_t *f,
			const struct jitsim_pktgen_map_msg *m, const struct jitsim_pktgen_link *l,
			unsigned int dir, uint32_t tsn, uint16_t stream, uint16_t ssn,
			uint16_t ip_id)
{
	const struct jitsim_pktgen_map_layout *lo = &t->lo;
	uint8_t *p = f + t->pay;

	if (m->called_enc == NULL || m->calling_enc == NULL ||
	    m->called_enc_len != lo->called_len || m->calling_enc_len != lo->calling_len ||
	    (lo->param_at != JITSIM_PKTGEN_AT_NONE &&
	     (m->param == NULL || m->param_len != lo->param_len)))
		return false;
	jitsim_pktgen_copy_wide(f, t->b, t->len);
	p[lo->sls_at] = m->sls;
	jitsim_pktgen_copy_small(p + lo->called_at, m->called_enc, lo->called_len);
	jitsim_pktgen_copy_small(p + lo->calling_at, m->calling_enc, lo->calling_len);
	if (lo->otid_at != JITSIM_PKTGEN_AT_NONE)
		jitsim_put_be32(p + lo->otid_at, m->otid);
	if (lo->dtid_at != JITSIM_PKTGEN_AT_NONE)
		jitsim_put_be32(p + lo->dtid_at, m->dtid);
	if (lo->param_at != JITSIM_PKTGEN_AT_NONE)
		memcpy(p + lo->param_at, m->param, lo->param_len);
	jitsim_pktgen_sctp_one_finish(f, t->len, l, dir, tsn, stream, ssn, ip_id);
	return true;
}

/* Filling @p t for @p m with these numbers gives the @p len octets at @p f. */
static bool
gives(const struct jitsim_pktgen_ftpl *t, const uint8_t *f, size_t len,
      const struct jitsim_pktgen_map_msg *m, const struct jitsim_pktgen_link *l, unsigned int dir,
      uint32_t tsn, uint16_t stream, uint16_t ssn, uint16_t ip_id)
{
	uint8_t again[JITSIM_PKTGEN_FTPL_MAX];

	return len == t->len &&
	       jitsim_pktgen_ftpl_fill(t, again, m, l, dir, tsn, stream, ssn, ip_id) &&
	       memcmp(again, f, len) == 0;
}

void
jitsim_pktgen_ftpl_build(struct jitsim_pktgen_ftpl *t, const uint8_t *f, size_t len,
			 const struct jitsim_pktgen_map_msg *m, const struct jitsim_pktgen_link *l,
			 unsigned int dir, uint32_t tsn, uint16_t stream, uint16_t ssn,
			 uint16_t ip_id)
{
	t->state = 2;
	if (len > JITSIM_PKTGEN_FTPL_MAX || !jitsim_pktgen_sctp_tpl_ok(l, dir) ||
	    !jitsim_pktgen_map_layout(m, &t->lo))
		return;
	t->pay = (uint16_t)payload_at(l);
	/* One DATA chunk holding exactly the M3UA message and its padding. */
	if (t->pay + t->lo.len != len)
		return;
	memcpy(t->b, f, len);
	t->len = (uint16_t)len;
	if (!gives(t, f, len, m, l, dir, tsn, stream, ssn, ip_id))
		return;
	t->checks = JITSIM_PKTGEN_FTPL_CHECKS;
	t->state = 1;
}

void
jitsim_pktgen_ftpl_check(struct jitsim_pktgen_ftpl *t, const uint8_t *f, size_t len,
			 const struct jitsim_pktgen_map_msg *m, const struct jitsim_pktgen_link *l,
			 unsigned int dir, uint32_t tsn, uint16_t stream, uint16_t ssn,
			 uint16_t ip_id)
{
	if (!gives(t, f, len, m, l, dir, tsn, stream, ssn, ip_id)) {
		t->state = 2;
		return;
	}
	t->checks--;
}
