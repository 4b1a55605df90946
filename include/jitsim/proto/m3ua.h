/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_M3UA_H
#define JITSIM_PROTO_M3UA_H

/**
 * @file
 * M3UA (RFC 4666): common header (3.1), Transfer DATA (3.3.1) with Protocol
 * Data (OPC, DPC, SI, NI, MP, SLS) and Routing Context. Other message classes
 * (MGMT, SSNM, ASPSM, ASPTM, RKM) are recognised and reported as such so the
 * dataplane can count them.
 *
 * Zero-copy. Thread-safety: pure.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>
#include <jitsim/proto/wbuf.h>

#define JITSIM_M3UA_HDR_LEN 8

/* Message classes (RFC 4666 3.1.3) */
#define JITSIM_M3UA_CLASS_MGMT 0
#define JITSIM_M3UA_CLASS_XFER 1
#define JITSIM_M3UA_CLASS_SSNM 2
#define JITSIM_M3UA_CLASS_ASPSM 3
#define JITSIM_M3UA_CLASS_ASPTM 4
#define JITSIM_M3UA_CLASS_RKM 9
#define JITSIM_M3UA_XFER_DATA 1

/* Parameter tags (RFC 4666 3.2) */
#define JITSIM_M3UA_TAG_NETWORK_APPEARANCE 0x0200
#define JITSIM_M3UA_TAG_ROUTING_CONTEXT 0x0006
#define JITSIM_M3UA_TAG_PROTOCOL_DATA 0x0210
#define JITSIM_M3UA_TAG_CORRELATION_ID 0x0013

struct jitsim_m3ua {
	uint8_t version;        /**< 1 */
	uint8_t msg_class;
	uint8_t msg_type;
	uint32_t length;        /**< from the header */
	bool has_rc;
	uint32_t rc;            /**< first routing context */
	bool has_na;
	uint32_t na;            /**< network appearance */
	bool has_pd;
	uint32_t opc;           /**< Protocol Data (RFC 4666 3.3.1) */
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t mp;
	uint8_t sls;
	const uint8_t *data;    /**< user protocol data (SCCP for SI 3) */
	size_t data_len;
};

/**
 * Decode one M3UA message. The header length bounds the parameters; bytes
 * after it are ignored (the caller handles several messages if any).
 * @return JITSIM_R_OK (Transfer DATA with Protocol Data),
 *   JITSIM_R_M3UA_NOT_DATA (another class/type: header fields are valid),
 *   JITSIM_R_M3UA_NO_PROTOCOL_DATA, JITSIM_R_M3UA_BAD_VERSION,
 *   JITSIM_R_M3UA_BAD (parameter length < 4 or past the message),
 *   JITSIM_R_TRUNCATED.
 */
enum jitsim_reason jitsim_m3ua_decode(const uint8_t *p, size_t len, struct jitsim_m3ua *out);

/**
 * Encoder: wrap the current wbuf content as Protocol Data in a Transfer DATA
 * message (with Routing Context when m->has_rc, Network Appearance when
 * m->has_na), padded to 4 bytes. Parameters are written in the RFC 4666
 * 3.3.1 order NA, RC, Protocol Data; the class, type, length, has_pd and
 * data fields of @p m are ignored.
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE, JITSIM_R_BAD_LENGTH (content longer
 *   than the 16-bit Protocol Data length allows: 65519 bytes).
 */
enum jitsim_reason jitsim_m3ua_encode_data(struct jitsim_wbuf *w, const struct jitsim_m3ua *m);

/*
 * Dumps: one line of "key=value" text for tests, the CLI and logs,
 * snprintf semantics (returns the length it wanted, output NUL-terminated).
 */
int jitsim_m3ua_dump(const struct jitsim_m3ua *x, char *buf, size_t size);

#endif /* JITSIM_PROTO_M3UA_H */
