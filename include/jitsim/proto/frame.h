/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_FRAME_H
#define JITSIM_PROTO_FRAME_H

/**
 * @file
 * The detection path's entry point: a whole captured frame in, one summary
 * per signaling message out.
 *
 * A frame can carry several messages: SCTP bundles several DATA chunks,
 * a TCAP message several components, a TCP segment several Diameter
 * messages. jitsim_frame_next() yields them one at a time:
 *
 *     struct jitsim_frame_iter it;
 *     struct jitsim_msg m;
 *     enum jitsim_reason r;
 *
 *     jitsim_frame_iter_init(&it, JITSIM_DLT_EN10MB, pkt, len, NULL, 0);
 *     while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END)
 *             if (r == JITSIM_R_OK)
 *                     handle(&m);
 *             else
 *                     drops[r]++;
 *
 * Every call makes progress: a unit that cannot be decoded (a SACK chunk,
 * an ASPSM message, a non-MAP dialogue, a malformed AVP) is reported once
 * with its reason and the walk goes on with the next unit; JITSIM_R_END
 * comes after the last one. Nothing is allocated; summaries point into the
 * frame, the iterator or the reassembly context, and are valid until the
 * next call.
 *
 * Protocol stacks walked:
 *   link (Ethernet/VLAN, SLL, SLL2, raw IP, MTP3) -> IPv4/IPv6 ->
 *   SCTP: PPID 3 (or port 2905) M3UA -> SCCP -> TCAP -> MAP
 *         PPID 5 (or port 3565) M2PA -> MTP3 -> SCCP -> ...
 *         PPID 2 (or port 2904) M2UA -> MTP3 -> SCCP -> ...
 *         PPID 46/47 (or port 3868) Diameter
 *   TCP port 3868: Diameter (several per segment, partial ones flagged)
 *   DLT 141: MTP3 -> SCCP -> ...
 *
 * "Is it MAP?": a component is reported as MAP when the dialogue's
 * application context is 0.4.0.0.1.0.x.y; without a dialogue portion, when
 * the called or calling SSN is a MAP one (6-10, 142, 145, 147-150), or, with
 * no SSN at all (routing on GT), when the component carries a local
 * operation/error code. A dialogue with any other application context (for
 * example CAP on SSN 146) is not MAP, whatever the SSN says.
 *
 * A message returned by SCCP (UDTS, XUDTS, LUDTS: the original message with
 * a return cause) is reported like the original, as tshark does, with
 * map.sccp_type saying so: the detection path must not act on it.
 *
 * Thread-safety: an iterator and a reassembly context belong to one thread.
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/digits.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/reason.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/sccp_reasm.h>
#include <jitsim/proto/sctp.h>
#include <jitsim/proto/sctp_reasm.h>
#include <jitsim/proto/tcap.h>

enum jitsim_msg_proto {
	JITSIM_MSG_MAP = 1,
	JITSIM_MSG_DIAMETER = 2,
};

/** What carried the message (for counters and relay decisions). */
enum jitsim_carrier {
	JITSIM_CARRIER_M3UA = 1,
	JITSIM_CARRIER_M2PA,
	JITSIM_CARRIER_M2UA,
	JITSIM_CARRIER_MTP3, /**< raw MTP3 (DLT 141) */
	JITSIM_CARRIER_SCTP, /**< Diameter over SCTP */
	JITSIM_CARRIER_TCP,  /**< Diameter over TCP */
};

/** Iterator flags. */
#define JITSIM_FRAME_F_VERIFY_CRC 0x1 /**< drop SCTP packets whose CRC32c is wrong */

/** SS7 part of a summary (valid when proto == JITSIM_MSG_MAP). */
struct jitsim_msg_map {
	uint32_t opc;
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t sls;
	uint8_t sccp_type;		       /**< JITSIM_SCCP_UDT, ... */
	bool reassembled;		       /**< user data came from several XUDT segments */
	const struct jitsim_sccp_addr *called; /**< points into the iterator */
	const struct jitsim_sccp_addr *calling;
	uint8_t tcap_type; /**< JITSIM_TCAP_BEGIN, ... */
	bool has_otid;
	uint32_t otid;
	bool has_dtid;
	uint32_t dtid;
	bool acn_map; /**< dialogue carried a MAP ACN */
	uint8_t map_ac;
	uint8_t map_version;			  /**< 0 when unknown (no dialogue portion) */
	uint8_t comp_index;			  /**< component number within the TCAP message */
	const struct jitsim_tcap_component *comp; /**< points into the iterator */
	struct jitsim_map_ids ids;
};

/** One signaling message. */
struct jitsim_msg {
	uint8_t proto;	 /**< enum jitsim_msg_proto */
	uint8_t carrier; /**< enum jitsim_carrier */
	uint16_t index;	 /**< message number within the frame, from 0 */
	bool is_request; /**< MAP Invoke / Diameter R flag */
	/*
	 * The operation: MAP operation code (Invoke, ReturnResult with an
	 * opcode), MAP error code (ReturnError) or Diameter command code.
	 */
	bool has_op;
	uint32_t op;
	/* Identities, from whichever protocol. */
	bool has_imsi;
	const struct jitsim_digits *imsi;
	uint64_t imsi_key;
	bool has_msisdn;
	const struct jitsim_digits *msisdn;
	uint64_t msisdn_key;
	/*
	 * Where the subscriber is: VLR number (UpdateLocation), SGSN number
	 * (UpdateGprsLocation), calling GT (other MAP requests), or the
	 * Visited-PLMN-Id as MCCMNC (S6a).
	 */
	bool has_visited;
	const struct jitsim_digits *visited;
	uint16_t sctp_stream;
	struct jitsim_msg_map map;
	struct jitsim_s6a diam; /**< valid when proto == JITSIM_MSG_DIAMETER */
};

/**
 * Reassembly state kept across frames by one caller (one per worker lcore):
 * fragmented SCTP user messages and segmented SCCP XUDT/LUDT messages.
 */
struct jitsim_frame_reasm {
	struct jitsim_sctp_reasm sctp;
	struct jitsim_sccp_reasm sccp;
};

/** Empty a reassembly context. */
void jitsim_frame_reasm_init(struct jitsim_frame_reasm *r);

enum jitsim_frame_state {
	JITSIM_FRAME_START = 0,
	JITSIM_FRAME_SCTP, /**< walking SCTP chunks */
	JITSIM_FRAME_DIAM, /**< walking Diameter messages in a payload */
	JITSIM_FRAME_TCAP, /**< walking the components of a TCAP message */
	JITSIM_FRAME_DONE,
};

struct jitsim_frame_iter {
	uint32_t dlt;
	uint32_t flags;
	const uint8_t *frame;
	size_t len;
	struct jitsim_frame_reasm *reasm; /**< optional, caller-owned */
	uint8_t state;
	uint8_t resume; /**< state to return to after TCAP/DIAM */
	uint8_t diam_carrier;
	uint16_t n_msgs;
	uint16_t sctp_stream;
	uint16_t sport;
	uint16_t dport;
	struct jitsim_sctp sctp; /**< common header of the packet */
	struct jitsim_sctp_chunk_iter chunks;
	struct jitsim_diam_framer framer;
	/* SS7 context shared by the components of one TCAP message */
	uint8_t ss7_carrier;
	uint32_t opc;
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t sls;
	bool reassembled;
	struct jitsim_sccp sccp;
	struct jitsim_tcap tcap;
	uint8_t comp_i;
	bool too_many_comp;	      /**< report TCAP_TOO_MANY_COMPONENTS after the last */
	struct jitsim_digits visited; /**< S6a Visited-PLMN-Id as digits */
};

/**
 * Start walking a frame of pcap link type @p dlt.
 * @p reasm (may be NULL) enables reassembly across frames of fragmented SCTP
 * user messages and segmented SCCP messages; without it they are reported
 * as JITSIM_R_SCTP_FRAGMENT / JITSIM_R_SCCP_SEGMENTED.
 */
void jitsim_frame_iter_init(struct jitsim_frame_iter *it, uint32_t dlt, const uint8_t *p,
			    size_t len, struct jitsim_frame_reasm *reasm, uint32_t flags);

/**
 * Next message of the frame.
 * @return JITSIM_R_OK (@p out filled), JITSIM_R_END (no more), or the reason
 *   the current unit was skipped (call again to go on).
 */
enum jitsim_reason jitsim_frame_next(struct jitsim_frame_iter *it, struct jitsim_msg *out);

/** One-line dump of a summary (key=value), snprintf semantics. */
int jitsim_msg_dump(const struct jitsim_msg *m, char *buf, size_t size);

/* ---- Whole-frame encoders (test traffic, pktgen, the FTA endpoint) ---- */

/** Largest frame the whole-frame encoders build. */
#define JITSIM_FRAME_ENC_MAX 4096

/** Addressing of an encoded frame. */
struct jitsim_frame_addr {
	uint8_t eth_dst[6];
	uint8_t eth_src[6];
	uint16_t vlans[JITSIM_LINK_MAX_VLANS];
	uint8_t n_vlans;
	bool ipv6;
	uint8_t ip_src[16]; /**< 4 bytes used for IPv4 */
	uint8_t ip_dst[16];
	uint16_t sport;
	uint16_t dport;
	uint32_t vtag;	  /**< SCTP verification tag */
	uint32_t tsn;	  /**< SCTP TSN */
	uint16_t stream;  /**< SCTP stream */
	uint16_t ssn;	  /**< SCTP stream sequence number */
	uint32_t tcp_seq; /**< Diameter over TCP */
	bool tcp;	  /**< Diameter over TCP instead of SCTP */
};

/** A MAP message in one frame: Ethernet/IP/SCTP/M3UA/SCCP/TCAP/MAP. */
struct jitsim_frame_map_spec {
	struct jitsim_frame_addr addr;
	struct jitsim_m3ua m3ua; /**< opc, dpc, si(3), ni, mp, sls, rc */
	struct jitsim_sccp sccp; /**< msg_type UDT/XUDT, called, calling */
	struct jitsim_tcap tcap; /**< type, ids, dialogue; components are built below */
	uint8_t comp_type;	 /**< JITSIM_TCAP_INVOKE, _RESULT_LAST or _ERROR */
	int8_t invoke_id;
	uint8_t opcode;		   /**< Invoke/ReturnResult operation */
	uint8_t error;		   /**< ReturnError code */
	struct jitsim_map_ids ids; /**< argument of an Invoke */
};

/**
 * Build a whole MAP frame into @p buf (@p cap bytes); @p cap may be exactly
 * the frame's size. A frame larger than JITSIM_FRAME_ENC_MAX cannot be built.
 * @return JITSIM_R_OK with *@p out_len set, JITSIM_R_NOSPACE (@p cap too
 *   small), JITSIM_R_BAD_PARAM (invalid spec, or frame over the maximum).
 */
enum jitsim_reason jitsim_frame_encode_map(uint8_t *buf, size_t cap,
					   const struct jitsim_frame_map_spec *spec,
					   size_t *out_len);

/**
 * Build a whole Diameter frame (Ethernet/IP/SCTP or TCP/Diameter) into @p buf.
 * @return JITSIM_R_OK with *@p out_len set, JITSIM_R_NOSPACE, JITSIM_R_BAD_PARAM.
 */
enum jitsim_reason jitsim_frame_encode_s6a(uint8_t *buf, size_t cap,
					   const struct jitsim_frame_addr *addr,
					   const struct jitsim_s6a_msg *msg, size_t *out_len);

#endif /* JITSIM_PROTO_FRAME_H */
