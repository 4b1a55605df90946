/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_TEST_SAMPLE_H
#define JITSIM_TEST_SAMPLE_H

/*
 * A deterministic mix of encoded signaling frames for tests and benchmarks:
 * frame i is built with the codec library's encoders and comes with what it
 * was meant to carry, so a decoder (ours or tshark) can be checked against
 * the intent. The mix cycles through every MAP operation the encoders
 * support (v2 and v3 where both exist, Begin/Continue/End, ReturnResult and
 * ReturnError), every S6a command (request and answer) over SCTP and TCP,
 * IPv4 and IPv6, 0-2 VLAN tags.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>

struct jitsim_sample_info {
	uint8_t proto; /**< JITSIM_MSG_MAP or JITSIM_MSG_DIAMETER */
	bool is_request;
	uint32_t op;			     /**< MAP opcode / error code, or Diameter command */
	uint8_t comp_type;		     /**< MAP component type */
	char imsi[16];			     /**< "" when the message carries none */
	char msisdn[16];		     /**< "" when none */
	char visited[JITSIM_DIGITS_MAX + 1]; /**< VLR/SGSN number or MCCMNC, "" when none */
};

/** Number of distinct kinds in the mix (frame i and i + N differ only in ids). */
unsigned int jitsim_sample_kinds(void);

/** Build sample frame @p i into @p buf (Ethernet link type). */
enum jitsim_reason jitsim_sample_frame(unsigned int i, uint8_t *buf, size_t cap, size_t *len,
				       struct jitsim_sample_info *info);

#endif /* JITSIM_TEST_SAMPLE_H */
