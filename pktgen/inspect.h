/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_INSPECT_H
#define JITSIM_PKTGEN_INSPECT_H

/**
 * @file
 * The operator's quick look at a capture: every frame through the codec
 * library's frame iterator (with reassembly), then per-operation counts,
 * distinct IMSIs and decode errors by reason. Any link type the library
 * reads (Ethernet, SLL, SLL2, raw IP, MTP3), pcap or pcapng (libpcap).
 * Memory: the distinct-IMSI set (8 bytes per IMSI), nothing per frame.
 */

#include <stdbool.h>
#include <stdio.h>

/** @return 0, or -1 when the capture cannot be read (message on stderr). */
int jitsim_pktgen_inspect(const char *path, bool frames, FILE *out);

#endif /* JITSIM_PKTGEN_INSPECT_H */
