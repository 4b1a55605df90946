/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/* Fuzz BER, TCAP and the MAP argument decoders, and SCCP around them. */

#include <jitsim/proto/map.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>

#include "fuzz_main.h"

static void
tcap(const uint8_t *data, size_t size)
{
	struct jitsim_tcap t;
	enum jitsim_reason r;
	char line[1024];

	r = jitsim_tcap_decode(data, size, &t);
	if (r != JITSIM_R_OK && r != JITSIM_R_TCAP_TOO_MANY_COMPONENTS)
		return;
	jitsim_tcap_dump(&t, line, sizeof(line));
	for (uint8_t i = 0; i < t.n_comp; i++) {
		const struct jitsim_tcap_component *c = &t.comp[i];
		struct jitsim_map_ids ids;

		if (c->param == NULL)
			continue;
		/* Try every operation on every parameter: the argument decoders
		 * must survive a parameter meant for another operation. */
		for (unsigned int op = 0; op < 80; op++) {
			if (jitsim_map_decode_invoke((uint8_t)op, c->param, c->param_len, &ids) ==
			    JITSIM_R_OK)
				jitsim_map_ids_dump(&ids, line, sizeof(line));
			(void)jitsim_map_decode_result((uint8_t)op, c->param, c->param_len, &ids);
		}
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	struct jitsim_sccp s;
	char line[1024];

	tcap(data, size);
	if (jitsim_sccp_decode(data, size, &s) == JITSIM_R_OK) {
		jitsim_sccp_dump(&s, line, sizeof(line));
		tcap(s.data, s.data_len);
	}
	return 0;
}
