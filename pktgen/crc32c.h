/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_CRC32C_H
#define JITSIM_PKTGEN_CRC32C_H

/**
 * @file
 * The SCTP checksum (CRC32c, RFC 9260 Appendix A) of every SCTP packet
 * pktgen writes, the same value as the codec library's jitsim_crc32c().
 *
 * With SSE4.2 the CRC32 instruction takes 8 bytes a step, but each step
 * waits for the one before (3 cycles): a 600-byte Diameter packet is a
 * chain of 75. With PCLMULQDQ too, a packet of 192 bytes or more is cut
 * into three equal runs computed side by side, the first two then moved
 * to their place by a carry-less multiplication by x^(8n) mod P (the CRC
 * is linear: crc(A || B) = crc(A) x^(8|B|) + crc0(B)). The constants are
 * made and checked against the plain loop on first use; if the check
 * fails the plain loop is used.
 *
 * Thread-safety: the first call fills process-wide tables; make it from
 * one thread before any other (pktgen has one thread).
 */

#include <stddef.h>
#include <stdint.h>

/** CRC32c of @p len bytes at @p p, as the SCTP header carries it (before byte order). */
uint32_t jitsim_pktgen_crc32c(const uint8_t *p, size_t len);

/** The way in use: 0 the library's table, 1 SSE4.2, 2 SSE4.2 in three runs (tests, bench). */
int jitsim_pktgen_crc32c_way(void);

#endif /* JITSIM_PKTGEN_CRC32C_H */
