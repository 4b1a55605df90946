/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>

#include <jitsim/proto/bytes.h>
#include <jitsim/proto/m3ua.h>

enum jitsim_reason
jitsim_m3ua_decode(const uint8_t *p, size_t len, struct jitsim_m3ua *out)
{
	return jitsim_m3ua_decode_inline(p, len, out);
}

int
jitsim_m3ua_dump(const struct jitsim_m3ua *x, char *buf, size_t size)
{
	char rc[16] = "-", na[16] = "-";

	if (x->has_rc)
		snprintf(rc, sizeof(rc), "%u", (unsigned int)x->rc);
	if (x->has_na)
		snprintf(na, sizeof(na), "%u", (unsigned int)x->na);
	if (!x->has_pd)
		return snprintf(buf, size, "class=%u type=%u len=%u rc=%s na=%s",
				(unsigned int)x->msg_class, (unsigned int)x->msg_type,
				(unsigned int)x->length, rc, na);
	return snprintf(buf, size,
			"class=%u type=%u len=%u rc=%s na=%s opc=%u dpc=%u si=%u ni=%u mp=%u "
			"sls=%u data_len=%zu",
			(unsigned int)x->msg_class, (unsigned int)x->msg_type,
			(unsigned int)x->length, rc, na, (unsigned int)x->opc, (unsigned int)x->dpc,
			(unsigned int)x->si, (unsigned int)x->ni, (unsigned int)x->mp,
			(unsigned int)x->sls, x->data_len);
}
