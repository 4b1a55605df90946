/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_MTP3_H
#define JITSIM_PROTO_MTP3_H

/**
 * @file
 * SS7 MTP3 (ITU-T Q.704 14.2 service information octet, 2.2 routing label:
 * 14-bit DPC, 14-bit OPC, 4-bit SLS, little-endian bit order), and the
 * SIGTRAN links that carry MTP3 MSUs between STPs:
 * M2PA (RFC 4165) and M2UA (RFC 3331).
 *
 * Only the ITU variant is decoded (ANSI 24-bit point codes are not: the
 * captures and the target networks are ITU).
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>

#define JITSIM_MTP3_SI_SNM 0
#define JITSIM_MTP3_SI_SCCP 3

struct jitsim_mtp3 {
	uint8_t sio;            /**< whole service information octet */
	uint8_t si;             /**< service indicator (low nibble) */
	uint8_t ni;             /**< network indicator (top 2 bits) */
	uint8_t prio;           /**< national spare/priority bits */
	uint16_t dpc;           /**< 14 bits */
	uint16_t opc;           /**< 14 bits */
	uint8_t sls;            /**< 4 bits */
	const uint8_t *payload; /**< SIF after the routing label */
	size_t payload_len;
};

/**
 * Decode an MSU starting at the SIO (pcap link type 141, M2PA user data,
 * M2UA Protocol Data 1).
 * @return JITSIM_R_OK, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_mtp3_decode(const uint8_t *p, size_t len, struct jitsim_mtp3 *out);

/** M2PA message (RFC 4165 2.1 common header, 2.2 M2PA header, 2.3.1 User Data). */
struct jitsim_m2pa {
	uint8_t version;        /**< 1 */
	uint8_t msg_class;      /**< 11 = M2PA */
	uint8_t msg_type;       /**< 1 User Data, 2 Link Status */
	uint32_t length;
	uint32_t bsn;           /**< 24 bits */
	uint32_t fsn;           /**< 24 bits */
	uint8_t priority;       /**< first octet of User Data (RFC 4165 2.3.1) */
	const uint8_t *msu;     /**< MTP3 MSU starting at the SIO; NULL if none */
	size_t msu_len;
};

/**
 * @return JITSIM_R_OK (User Data with an MSU), JITSIM_R_M2PA_NOT_DATA (Link
 *   Status, or User Data with no MSU: an acknowledgement), JITSIM_R_M2PA_BAD,
 *   JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_m2pa_decode(const uint8_t *p, size_t len, struct jitsim_m2pa *out);

/** M2UA message (RFC 3331 3.1 common header, 3.3.1.1 Data message). */
struct jitsim_m2ua {
	uint8_t version;
	uint8_t msg_class;      /**< 6 = MAUP */
	uint8_t msg_type;       /**< 1 = Data */
	uint32_t length;
	bool has_iid;
	uint32_t iid;           /**< Interface Identifier (integer form) */
	const uint8_t *msu;     /**< Protocol Data 1 (tag 0x0300): MSU from the SIO */
	size_t msu_len;
};

/**
 * @return JITSIM_R_OK (MAUP Data with Protocol Data 1), JITSIM_R_M2UA_NOT_DATA,
 *   JITSIM_R_M2UA_BAD, JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_m2ua_decode(const uint8_t *p, size_t len, struct jitsim_m2ua *out);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_mtp3_dump(const struct jitsim_mtp3 *x, char *buf, size_t size);
int jitsim_m2pa_dump(const struct jitsim_m2pa *x, char *buf, size_t size);
int jitsim_m2ua_dump(const struct jitsim_m2ua *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_MTP3_H */
