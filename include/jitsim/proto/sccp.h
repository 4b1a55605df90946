/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_SCCP_H
#define JITSIM_PROTO_SCCP_H

/**
 * @file
 * SCCP connectionless messages (ITU-T Q.713 4.10-4.11, 4.18-4.19, 4.20-4.21):
 * UDT, UDTS, XUDT, XUDTS, LUDT, LUDTS; party addresses (Q.713 3.4) with point
 * code, SSN and global title indicators 1-4.
 *
 * An address without an SSN (routing on GT) still carries TCAP: the caller
 * decides by content (TCAP tag and MAP application context), not by SSN.
 *
 * Zero-copy except for the GT digits, which are decoded into the struct.
 * Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

/* Message types (Q.713 Table 1) */
#define JITSIM_SCCP_UDT 0x09
#define JITSIM_SCCP_UDTS 0x0a
#define JITSIM_SCCP_XUDT 0x11
#define JITSIM_SCCP_XUDTS 0x12
#define JITSIM_SCCP_LUDT 0x13
#define JITSIM_SCCP_LUDTS 0x14

/* Subsystem numbers (Q.713 3.4.2.2, 3GPP TS 23.003) */
#define JITSIM_SSN_SCMG 1
#define JITSIM_SSN_HLR 6
#define JITSIM_SSN_VLR 7
#define JITSIM_SSN_MSC 8
#define JITSIM_SSN_EIR 9
#define JITSIM_SSN_SGSN 149
#define JITSIM_SSN_GGSN 150
#define JITSIM_SSN_GMLC 145
#define JITSIM_SSN_GSMSCF 147

/* Optional parameter names (Q.713 3.1) */
#define JITSIM_SCCP_PARAM_EOP 0x00
#define JITSIM_SCCP_PARAM_SEGMENTATION 0x10
#define JITSIM_SCCP_PARAM_IMPORTANCE 0x12

struct jitsim_sccp_addr {
	uint8_t ai;             /**< address indicator octet as received */
	bool route_on_ssn;      /**< bit 7 of AI (ITU): 1 = route on SSN */
	bool has_pc;
	uint16_t pc;            /**< 14-bit ITU point code */
	bool has_ssn;
	uint8_t ssn;
	uint8_t gti;            /**< global title indicator 0..4 */
	uint8_t tt;             /**< translation type (GTI 2, 3, 4) */
	uint8_t np;             /**< numbering plan (GTI 3, 4) */
	uint8_t es;             /**< encoding scheme (GTI 3, 4): 1 BCD odd, 2 BCD even */
	uint8_t nai;            /**< nature of address (GTI 1, 4) */
	struct jitsim_digits digits; /**< GT digits (n = 0 when no GT) */
};

struct jitsim_sccp {
	uint8_t msg_type;
	uint8_t pclass;         /**< protocol class octet (UDT, XUDT, LUDT) */
	uint8_t cause;          /**< return cause (UDTS, XUDTS, LUDTS) */
	uint8_t hop_counter;    /**< XUDT(S), LUDT(S) */
	bool has_segmentation;  /**< XUDT/LUDT Segmentation parameter present */
	bool seg_first;         /**< F bit of the Segmentation parameter */
	uint8_t seg_remaining;  /**< remaining segments (0 = last or only) */
	uint32_t seg_local_ref; /**< 24-bit segmentation local reference */
	struct jitsim_sccp_addr called;
	struct jitsim_sccp_addr calling;
	const uint8_t *data;    /**< user data (TCAP), points into the input */
	size_t data_len;
};

/**
 * Decode a connectionless SCCP message. Mandatory variable parameters are
 * located through their pointers and bounds-checked; optional parameters of
 * XUDT/LUDT are walked until End Of Optional Parameters.
 * A segmented message (Segmentation parameter present and it is not a single
 * segment) still returns OK: out->has_segmentation tells the caller, which
 * decides (the codec does not reassemble).
 * @return JITSIM_R_OK, JITSIM_R_SCCP_UNSUPPORTED (connection-oriented or
 *   unknown type; or SCCP management, i.e. called SSN 1: then @p out is
 *   fully decoded), JITSIM_R_SCCP_BAD (pointer 0, into the header or
 *   outside the message, bad Segmentation/Importance length),
 *   JITSIM_R_SCCP_BAD_ADDRESS, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_sccp_decode(const uint8_t *p, size_t len, struct jitsim_sccp *out);

/** Decode one party address (Q.713 3.4) of @p len octets (without its length octet). */
enum jitsim_reason jitsim_sccp_addr_decode(const uint8_t *p, size_t len, struct jitsim_sccp_addr *out);

/**
 * Encoder: wrap the current wbuf content as the data of a UDT (s->msg_type
 * JITSIM_SCCP_UDT) or XUDT (JITSIM_SCCP_XUDT, no optional parameters).
 * Addresses: PC if has_pc, SSN if has_ssn, GT per gti (1..4; digits from
 * digits.d, odd/even derived). Route-on-SSN from route_on_ssn.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_sccp_encode(struct jitsim_wbuf *w, const struct jitsim_sccp *s);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_sccp_dump(const struct jitsim_sccp *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_SCCP_H */
