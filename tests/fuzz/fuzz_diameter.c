/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/* Fuzz Diameter framing, the AVP walk and the S6a view. */

#include <jitsim/proto/s6a.h>

#include "fuzz_main.h"

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jitsim_diam_framer f;
	const uint8_t *msg;
	size_t msg_len;
	struct jitsim_s6a s;
	struct jitsim_diam_hdr h;
	char line[1024];

	if (jitsim_s6a_decode(data, size, &s) == JITSIM_R_OK)
		jitsim_s6a_dump(&s, line, sizeof(line));
	if (jitsim_diam_decode_hdr(data, size, &h) == JITSIM_R_OK) {
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp a;

		jitsim_diam_hdr_dump(&h, line, sizeof(line));
		jitsim_diam_avp_iter_init(&it, h.avps, h.avps_len);
		while (jitsim_diam_avp_next(&it, &a) == JITSIM_R_OK) {
			uint32_t v;

			(void)jitsim_diam_avp_u32(&a, &v);
		}
	}
	jitsim_diam_framer_init(&f, data, size);
	while (jitsim_diam_framer_next(&f, &msg, &msg_len) == JITSIM_R_OK)
		(void)jitsim_s6a_decode(msg, msg_len, &s);
	return 0;
}
