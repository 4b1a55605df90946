/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * gen_encoded: write the sample mix (every MAP and S6a message the encoders
 * build, see tests/common/sample.h) to a pcap file, so that tshark can say
 * whether the encoders produce what they claim. Prints one JSON line per
 * frame with the intent, for compare.py --intent.
 *   gen_encoded OUT.pcap [ROUNDS]
 */

#include <stdio.h>
#include <stdlib.h>

#include <pcap/pcap.h>

#include "sample.h"

int
main(int argc, char **argv)
{
	unsigned int rounds = argc > 2 ? (unsigned int)atoi(argv[2]) : 3;
	unsigned int n = rounds * jitsim_sample_kinds();
	pcap_t *pc;
	pcap_dumper_t *d;
	uint8_t buf[4096];

	if (argc < 2) {
		fprintf(stderr, "usage: gen_encoded OUT.pcap [ROUNDS]\n");
		return 2;
	}
	pc = pcap_open_dead(DLT_EN10MB, 65535);
	d = pcap_dump_open(pc, argv[1]);
	if (d == NULL) {
		fprintf(stderr, "gen_encoded: %s: %s\n", argv[1], pcap_geterr(pc));
		return 1;
	}
	for (unsigned int i = 0; i < n; i++) {
		struct jitsim_sample_info info;
		struct pcap_pkthdr h = {.ts = {.tv_sec = 1767225600 + i}};
		size_t len;
		enum jitsim_reason r = jitsim_sample_frame(i, buf, sizeof(buf), &len, &info);

		if (r != JITSIM_R_OK) {
			fprintf(stderr, "gen_encoded: sample %u: %s\n", i,
				jitsim_proto_strerror(r));
			return 1;
		}
		h.caplen = h.len = (bpf_u_int32)len;
		pcap_dump((u_char *)d, &h, buf);
		printf("{\"frame\":%u,\"proto\":\"%s\",\"req\":%s,\"op\":%u,\"comp\":%u,"
		       "\"imsi\":\"%s\",\"msisdn\":\"%s\",\"visited\":\"%s\"}\n",
		       i + 1, info.proto == 1 ? "map" : "diameter",
		       info.is_request ? "true" : "false", info.op, info.comp_type, info.imsi,
		       info.msisdn, info.visited);
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return 0;
}
