/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Fuzz the detection path's entry point. Input: one byte choosing the link
 * type, then frames each preceded by a 2-byte big-endian length (the last
 * one may omit it), so that SCCP reassembly across frames is reached too.
 */

#include <stdio.h>

#include <jitsim/proto/frame.h>

#include "fuzz_main.h"

static const uint32_t dlts[] = {
	JITSIM_DLT_EN10MB, JITSIM_DLT_LINUX_SLL, JITSIM_DLT_LINUX_SLL2, JITSIM_DLT_RAW,
	JITSIM_DLT_MTP3,   JITSIM_DLT_IPV4,	 JITSIM_DLT_IPV6,	0xdead,
};

static struct jitsim_frame_reasm reasm;

static void
walk(uint32_t dlt, const uint8_t *p, size_t len, uint32_t flags)
{
	struct jitsim_frame_iter it;
	struct jitsim_msg m;
	enum jitsim_reason r;
	char line[1024];
	unsigned int guard = 0;

	jitsim_frame_iter_init(&it, dlt, p, len, &reasm, flags);
	while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
		if (r >= JITSIM_R_MAX || ++guard > 100000)
			__builtin_trap(); /* an unknown reason or no progress is a bug */
		if (r == JITSIM_R_OK)
			jitsim_msg_dump(&m, line, sizeof(line));
	}
}

int
LLVMFuzzerTestOneInput(const uint8_t *data, size_t size)
{
	uint32_t dlt;

	if (size < 1)
		return 0;
	dlt = dlts[data[0] % (sizeof(dlts) / sizeof(dlts[0]))];
	jitsim_frame_reasm_init(&reasm);
	data++;
	size--;
	while (size > 0) {
		size_t n = size;

		if (size >= 2) {
			n = (size_t)data[0] << 8 | data[1];
			if (n <= size - 2) {
				data += 2;
				size -= 2;
			} else {
				n = size;
			}
		}
		walk(dlt, data, n, 0);
		walk(dlt, data, n, JITSIM_FRAME_F_VERIFY_CRC);
		data += n;
		size -= n;
	}
	return 0;
}
