/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_DIAMETER_DIAM_BASE_H
#define JITSIM_DIAMETER_DIAM_BASE_H

/**
 * @file
 * Diameter base protocol (RFC 6733) beyond the codec library's header and
 * AVP walk (jitsim/proto/diameter.h): the constants of the base commands,
 * AVP encoders for the types the base protocol needs (Address, grouped
 * Vendor-Specific-Application-Id, Result-Code / Experimental-Result,
 * Failed-AVP), table-driven validation of received messages that yields the
 * Result-Code and Failed-AVP of RFC 6733 7.1 to answer with, the error
 * answer itself, and the duplicate-request table (RFC 6733 6.1.4 / 9.4).
 *
 * Pure: no sockets, no clock, no allocation. Validation is zero-copy: the
 * error it reports points into the message it was given, so the answer must
 * be built before that message buffer is reused.
 *
 * Thread-safety: the functions are pure; a struct jitsim_diam_dup belongs to
 * one thread (the one that owns the peers sharing it).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/wbuf.h>

/* Base AVP codes (RFC 6733 4.5) not already in jitsim/proto/s6a.h. */
#define JITSIM_AVP_ACCT_APPLICATION_ID 259
#define JITSIM_AVP_SUPPORTED_VENDOR_ID 265
#define JITSIM_AVP_FIRMWARE_REVISION 267
#define JITSIM_AVP_DISCONNECT_CAUSE 273
#define JITSIM_AVP_FAILED_AVP 279
#define JITSIM_AVP_ERROR_MESSAGE 281
#define JITSIM_AVP_ROUTE_RECORD 282
#define JITSIM_AVP_PROXY_INFO 284
#define JITSIM_AVP_ERROR_REPORTING_HOST 294
#define JITSIM_AVP_INBAND_SECURITY_ID 299

/** RFC 6733 2.4: the Relay application, advertised by relays and proxies. */
#define JITSIM_DIAM_APP_RELAY 0xffffffffu
/** RFC 6733 2.4: Diameter common messages (CER, DWR, DPR). */
#define JITSIM_DIAM_APP_BASE 0u

/* Result-Code values (RFC 6733 7.1). */
#define JITSIM_DIAM_SUCCESS 2001
#define JITSIM_DIAM_COMMAND_UNSUPPORTED 3001
#define JITSIM_DIAM_UNABLE_TO_DELIVER 3002
#define JITSIM_DIAM_TOO_BUSY 3004
#define JITSIM_DIAM_APPLICATION_UNSUPPORTED 3007
#define JITSIM_DIAM_INVALID_HDR_BITS 3008
#define JITSIM_DIAM_INVALID_AVP_BITS 3009
#define JITSIM_DIAM_UNKNOWN_PEER 3010
#define JITSIM_DIAM_AVP_UNSUPPORTED 5001
#define JITSIM_DIAM_INVALID_AVP_VALUE 5004
#define JITSIM_DIAM_MISSING_AVP 5005
#define JITSIM_DIAM_AVP_OCCURS_TOO_MANY_TIMES 5009
#define JITSIM_DIAM_NO_COMMON_APPLICATION 5010
#define JITSIM_DIAM_UNSUPPORTED_VERSION 5011
#define JITSIM_DIAM_UNABLE_TO_COMPLY 5012
#define JITSIM_DIAM_INVALID_BIT_IN_HEADER 5013
#define JITSIM_DIAM_INVALID_AVP_LENGTH 5014
#define JITSIM_DIAM_INVALID_MESSAGE_LENGTH 5015
#define JITSIM_DIAM_NO_COMMON_SECURITY 5017

/* Disconnect-Cause (RFC 6733 5.4.3). */
#define JITSIM_DIAM_DC_REBOOTING 0
#define JITSIM_DIAM_DC_BUSY 1
#define JITSIM_DIAM_DC_DO_NOT_WANT_TO_TALK_TO_YOU 2

/* Inband-Security-Id (RFC 6733 6.10). */
#define JITSIM_DIAM_SEC_NONE 0
#define JITSIM_DIAM_SEC_TLS 1

/* Header flag bits RFC 6733 3 leaves reserved ("r"): must be zero. */
#define JITSIM_DIAM_FLAGS_RSVD 0x0f
/* AVP flag bits RFC 6733 4.1 leaves reserved: an unknown bit is an error. */
#define JITSIM_DIAM_AVP_FLAGS_RSVD 0x1f

/** DiameterIdentity is an FQDN (RFC 6733 4.3.1): at most 255 octets. */
#define JITSIM_DIAM_IDENT_MAX 255

/*
 * Failed-AVP carries a copy of the offending AVP. Its data is cut to this
 * many octets (with the AVP Length rewritten to match) so that an error
 * answer always fits a small fixed buffer; the code, flags and vendor that
 * identify the AVP are never cut.
 */
#define JITSIM_DIAM_FAILED_AVP_MAX_DATA 256

/* AVP data types the validator knows (RFC 6733 4.2, 4.3). */
enum jitsim_diam_type {
	JITSIM_DIAM_T_OCTETS = 0, /**< OctetString: any length */
	JITSIM_DIAM_T_UTF8,	  /**< UTF8String: any length (not decoded) */
	JITSIM_DIAM_T_IDENT,	  /**< DiameterIdentity: 1..255 octets */
	JITSIM_DIAM_T_U32,	  /**< Unsigned32/Integer32/Enumerated: 4 octets */
	JITSIM_DIAM_T_ADDRESS,	  /**< Address: family 1 + 4 or family 2 + 16 octets */
	JITSIM_DIAM_T_VSAI,	  /**< Vendor-Specific-Application-Id (6.11) */
	JITSIM_DIAM_T_GROUPED,	  /**< Grouped: only the inner AVP walk is checked */
};

/** One AVP of a command ABNF: how often it may occur and its type. */
struct jitsim_diam_rule {
	uint32_t code;
	uint32_t vendor;
	uint8_t type; /**< enum jitsim_diam_type */
	uint8_t min;  /**< 1 for {AVP} */
	uint8_t max;  /**< 0 = unbounded (*[AVP]) */
};

/**
 * The rules of one command direction. Every base command ends with *[AVP]:
 * AVPs not listed are accepted when their M bit is clear or they are base
 * protocol AVPs (RFC 6733 4.5) and, when @c strict, refused with 5001
 * DIAMETER_AVP_UNSUPPORTED otherwise (RFC 6733 4.1). The application rules are not strict: the base
 * node does not know the application's AVPs, the application checks them.
 */
struct jitsim_diam_cmd_rules {
	const struct jitsim_diam_rule *rules;
	unsigned int n;
	bool strict;
};

/* Rules of the base messages (RFC 6733 5.3.1, 5.3.2, 5.4.1, 5.4.2, 5.5.1, 5.5.2) */
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_cer;
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_cea;
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_dwr;
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_dwa;
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_dpr;
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_dpa;
/** Any request of an application: Origin-Host and Origin-Realm (RFC 6733 6.1). */
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_app_req;
/** Any answer, and every answer with the E bit (answer-message, RFC 6733 7.2). */
extern const struct jitsim_diam_cmd_rules jitsim_diam_rules_answer;

/**
 * What is wrong with a message: the Result-Code to answer with and the
 * Failed-AVP to put in the answer (RFC 6733 7.5), all pointing into the
 * message.
 */
struct jitsim_diam_err {
	uint32_t result_code; /**< JITSIM_DIAM_* or 0 = the message is fine */
	const char *text;     /**< Error-Message (static), NULL for none */
	/*
	 * Failed-AVP content. When @c avp is set it points at the offending
	 * AVP header in the message and @c avp_len bytes of it are trusted
	 * (its data may be shorter than its AVP Length says). Otherwise an
	 * AVP (@c code, @c vendor) with @c zero_len zero octets is synthesised
	 * (a missing AVP, RFC 6733 7.1.5 DIAMETER_MISSING_AVP).
	 */
	bool has_failed;
	const uint8_t *avp;
	size_t avp_len;
	uint32_t code;
	uint32_t vendor;
	uint8_t flags;
	uint32_t zero_len;
	/* The grouped AVP that contains the offending one, NULL at top level. */
	const uint8_t *outer;
};

/**
 * Check the header of a complete message against RFC 6733 3: reserved
 * flag bits (5013 DIAMETER_INVALID_BIT_IN_HEADER), a request with the E
 * bit (3008 DIAMETER_INVALID_HDR_BITS: E is for answers only, 3). The
 * length (a multiple of 4, at least 20) was already checked by
 * jitsim_diam_decode_hdr(). @p hdr is the decoded header.
 * @return true when fine; otherwise @p err is filled.
 */
bool jitsim_diam_check_hdr(const struct jitsim_diam_hdr *hdr, struct jitsim_diam_err *err);

/**
 * Validate the AVPs of a message (@p avps / @p len: after the header)
 * against @p r: AVP lengths (5014, 5015 for trailing bytes that cannot be
 * an AVP), reserved AVP flag bits (3009), values of the listed types (5014
 * for a length the type forbids, 5004 for a bad value: an empty or too long
 * DiameterIdentity, an unknown address family), occurrences (5005 missing,
 * 5009 too many), and, for strict rules, unknown AVPs with the M bit (5001). The first error
 * in message order wins, then missing AVPs in rule order.
 * Vendor-Specific-Application-Id is checked inside: { Vendor-Id } and
 * exactly one of Auth-/Acct-Application-Id (RFC 6733 6.11).
 * @return true when fine; otherwise @p err is filled.
 */
bool jitsim_diam_validate(const uint8_t *avps, size_t len, const struct jitsim_diam_cmd_rules *r,
			  struct jitsim_diam_err *err);

/**
 * One line "result=5005 name=DIAMETER_MISSING_AVP failed=264/0 text=..."
 * (snprintf semantics) for tests, the CLI and logs.
 */
int jitsim_diam_err_dump(const struct jitsim_diam_err *err, char *buf, size_t size);

/* ---- AVP encoders (append to a wbuf; all-or-nothing like diameter.h's) ---- */

/** Address AVP (RFC 6733 4.3.1) from an IPv4 (4 octets) or IPv6 (16) address. */
enum jitsim_reason jitsim_diam_encode_avp_addr(struct jitsim_wbuf *w, uint32_t code, uint8_t flags,
					       const uint8_t *ip, size_t ip_len);

/** Failed-AVP (RFC 6733 7.5) from a validation error (nothing if !has_failed). */
enum jitsim_reason jitsim_diam_encode_failed_avp(struct jitsim_wbuf *w,
						 const struct jitsim_diam_err *err);

/** The identity of the local node, put in every message it sends. */
struct jitsim_diam_ident {
	const char *host;	  /**< Origin-Host */
	const char *realm;	  /**< Origin-Realm */
	uint32_t origin_state_id; /**< 0 = do not send Origin-State-Id */
};

/**
 * The answer to @p req (a request) for @p err: same command, application,
 * hop-by-hop and end-to-end identifiers, P bit copied, E bit set for the
 * protocol errors (3xxx, RFC 6733 7.2). AVPs: Session-Id (copied first when
 * the request has one), Origin-Host, Origin-Realm, Result-Code,
 * Origin-State-Id, Error-Message, Failed-AVP. Error-Reporting-Host is never
 * sent: the error is always ours, and Origin-Host says so (RFC 6733 6.13).
 * @return JITSIM_R_OK, JITSIM_R_NOSPACE (wbuf length unchanged), JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_diam_encode_error_answer(struct jitsim_wbuf *w,
						   const struct jitsim_diam_hdr *req,
						   const struct jitsim_diam_ident *id,
						   const struct jitsim_diam_err *err);

/** Result-Code name ("DIAMETER_MISSING_AVP"), "?" when unknown. */
const char *jitsim_diam_result_name(uint32_t code);

/* ---- Duplicate detection (RFC 6733 6.1.4 and 9.4) ---- */

/*
 * Sets x ways: a request is remembered by (Origin-Host, End-to-End id) for
 * lifetime_ms; a set full of live entries evicts its oldest one, so under a
 * flood older entries are forgotten early (counted in evicted) rather than
 * memory growing. 4096 entries hold about 17 requests/s for the RFC's 4
 * minutes, far beyond one-to-one S6a first attaches; size is a compile-time
 * constant so the table lives in the owner's memory, never malloc'd per
 * message.
 */
#define JITSIM_DIAM_DUP_SETS 1024
#define JITSIM_DIAM_DUP_WAYS 4
/** RFC 6733 6.1.4 asks for at least 4 minutes. */
#define JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS 240000u

struct jitsim_diam_dup_entry {
	uint64_t host_hash; /**< FNV-1a of Origin-Host; 0 = free */
	uint64_t t_ms;	    /**< when first seen */
	uint32_t e2e;
};

struct jitsim_diam_dup {
	uint32_t lifetime_ms;
	uint64_t lookups, dups, evicted;
	struct jitsim_diam_dup_entry e[JITSIM_DIAM_DUP_SETS][JITSIM_DIAM_DUP_WAYS];
};

void jitsim_diam_dup_init(struct jitsim_diam_dup *d, uint32_t lifetime_ms);

/**
 * Look up (host, e2e) and remember it. Both are compared in full except the
 * host, which is compared by 64-bit hash.
 * @return true when seen within the lifetime (a duplicate), false when new.
 */
bool jitsim_diam_dup_check(struct jitsim_diam_dup *d, const uint8_t *host, size_t host_len,
			   uint32_t e2e, uint64_t now_ms);

/**
 * First End-to-End identifier (RFC 6733 3): the low 12 bits of the time in
 * seconds in the high 12 bits, random low 20 bits. Later ones increment.
 */
uint32_t jitsim_diam_e2e_seed(uint64_t unix_s, uint32_t random);

#endif /* JITSIM_DIAMETER_DIAM_BASE_H */
