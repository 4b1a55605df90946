/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_REASON_H
#define JITSIM_PROTO_REASON_H

/**
 * @file
 * One reason code for every outcome of every codec function.
 *
 * The list is an X-macro so that the enum, its symbolic names, its
 * human-readable texts and the per-lcore drop counters of the dataplane all
 * come from one place and can never disagree. Add new reasons at the end of
 * a group; never reuse a value for another meaning (counters are exported).
 *
 * Thread-safety: all functions are pure and may be called from any thread.
 */

#define JITSIM_REASONS(X)                                                       \
	X(OK, "success")                                                        \
	X(END, "no more messages in this frame")                                \
	X(TRUNCATED, "input shorter than its header or length field says")     \
	X(BAD_LENGTH, "length field inconsistent with the data")                \
	X(BAD_PARAM, "invalid argument to a codec function")                    \
	X(NOSPACE, "encoder output buffer too small")                           \
	/* link and network layers */                                          \
	X(LINK_UNSUPPORTED, "unsupported pcap link type")                       \
	X(LINK_NOT_IP, "link payload is neither IP nor SS7")                    \
	X(VLAN_TOO_DEEP, "more VLAN tags than supported")                       \
	X(IP_BAD_VERSION, "IP version is neither 4 nor 6")                      \
	X(IP_BAD_HEADER, "malformed IPv4 or IPv6 header")                       \
	X(IP_FRAGMENT, "IP fragment (not reassembled)")                         \
	X(IP_EXT_TOO_MANY, "too many IPv6 extension headers")                   \
	X(L4_UNSUPPORTED, "transport is neither SCTP nor TCP")                  \
	/* transport */                                                        \
	X(SCTP_BAD_HEADER, "malformed SCTP common header")                      \
	X(SCTP_BAD_CHUNK, "malformed SCTP chunk")                               \
	X(SCTP_BAD_CRC, "SCTP CRC32c mismatch")                                 \
	X(SCTP_NOT_DATA, "SCTP control chunk (not DATA)")                       \
	X(SCTP_FRAGMENT, "fragment of an SCTP user message (not reassembled)")  \
	X(SCTP_PPID_UNKNOWN, "SCTP payload protocol not a signaling one")       \
	X(TCP_BAD_HEADER, "malformed TCP header")                               \
	X(TCP_NO_PAYLOAD, "TCP segment without payload")                        \
	X(TCP_PARTIAL, "message continues in another TCP segment")              \
	X(TCP_PORT_UNKNOWN, "TCP port not a signaling one")                     \
	/* SS7 */                                                              \
	X(MTP3_BAD, "malformed MTP3 routing label")                             \
	X(MTP3_NOT_SCCP, "MTP3 service indicator is not SCCP")                  \
	X(M2PA_BAD, "malformed M2PA message")                                   \
	X(M2PA_NOT_DATA, "M2PA link status message (not user data)")            \
	X(M2UA_BAD, "malformed M2UA message")                                   \
	X(M2UA_NOT_DATA, "M2UA management message (not data)")                  \
	X(M3UA_BAD, "malformed M3UA message")                                   \
	X(M3UA_BAD_VERSION, "M3UA version is not 1")                            \
	X(M3UA_NOT_DATA, "M3UA message other than Transfer DATA")               \
	X(M3UA_NO_PROTOCOL_DATA, "M3UA DATA without Protocol Data")             \
	X(SCCP_BAD, "malformed SCCP message")                                   \
	X(SCCP_UNSUPPORTED, "SCCP message type not carrying TCAP")             \
	X(SCCP_BAD_ADDRESS, "malformed SCCP party address")                     \
	X(SCCP_SEGMENTED, "segment of a segmented SCCP message")                \
	X(BER_BAD, "malformed BER tag or length")                               \
	X(BER_TOO_DEEP, "BER nesting deeper than supported")                    \
	X(TCAP_BAD, "malformed TCAP message")                                   \
	X(TCAP_UNSUPPORTED, "TCAP message type not supported (ANSI?)")          \
	X(TCAP_NO_COMPONENTS, "TCAP message without components")               \
	X(TCAP_TOO_MANY_COMPONENTS, "more TCAP components than supported")      \
	X(TCAP_NOT_MAP, "TCAP dialogue is not MAP")                             \
	X(MAP_BAD, "malformed MAP argument")                                    \
	X(MAP_BAD_DIGITS, "malformed TBCD digits")                              \
	/* Diameter */                                                         \
	X(DIAM_BAD_HEADER, "malformed Diameter header")                         \
	X(DIAM_BAD_VERSION, "Diameter version is not 1")                        \
	X(DIAM_BAD_AVP, "malformed Diameter AVP")                               \
	X(DIAM_TOO_DEEP, "grouped AVPs nested deeper than supported")

enum jitsim_reason {
#define JITSIM_REASON_ENUM_(name, text) JITSIM_R_##name,
	JITSIM_REASONS(JITSIM_REASON_ENUM_)
#undef JITSIM_REASON_ENUM_
		JITSIM_R_MAX
};

/** Human-readable text for a reason, never NULL ("unknown reason" if out of range). */
const char *jitsim_proto_strerror(enum jitsim_reason r);

/** Symbolic name of a reason ("TRUNCATED"), never NULL. Used for counters. */
const char *jitsim_reason_str(enum jitsim_reason r);

#endif /* JITSIM_PROTO_REASON_H */
