/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_SCENARIO_H
#define JITSIM_PKTGEN_SCENARIO_H

/**
 * @file
 * Scenario files (INI, see docs/pktgen.md): what population, which regions,
 * which traffic and how it is packaged. Parsed once at start-up with libinih;
 * every error names the file, the line and the key. Shares are kept in parts
 * per million and intervals in nanoseconds so that everything downstream is
 * integer arithmetic (same bytes on every platform).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JITSIM_PKTGEN_MAX_REGIONS 16
#define JITSIM_PKTGEN_MAX_PLMNS 8
#define JITSIM_PKTGEN_MAX_VLANS 8
#define JITSIM_PKTGEN_MAX_LINKS 64
#define JITSIM_PKTGEN_MAX_STREAMS 64
/** Largest population: per-SIM ground-truth state is 8 bytes. */
#define JITSIM_PKTGEN_MAX_SIMS 100000000ull

/* SIM states (the inventory the dataplane is loaded with). */
#define JITSIM_PKTGEN_STATES(X)   \
	X(INVENTORY, "inventory") \
	X(ACTIVE, "active")       \
	X(SLEEPING, "sleeping")   \
	X(LOCKED, "locked")

enum jitsim_pktgen_state {
#define X(a, b) JITSIM_PKTGEN_ST_##a,
	JITSIM_PKTGEN_STATES(X)
#undef X
		JITSIM_PKTGEN_ST_MAX
};

/*
 * Traffic operations: INI key of the weight in [traffic], name. MAP ones
 * first (TS 29.002), then S6a (TS 29.272).
 */
#define JITSIM_PKTGEN_OPS(X)    \
	X(SAI_V2, "sai_v2")     \
	X(SAI_V3, "sai_v3")     \
	X(UL, "ul")             \
	X(UGL, "ugl")           \
	X(PURGE_MS, "purge_ms") \
	X(CL, "cl")             \
	X(ISD, "isd")           \
	X(SRI, "sri")           \
	X(SRI_SM, "sri_sm")     \
	X(MO_FSM, "mo_fsm")     \
	X(MT_FSM, "mt_fsm")     \
	X(AIR, "air")           \
	X(ULR, "ulr")           \
	X(PUR, "pur")           \
	X(NOR, "nor")           \
	X(CLR, "clr")           \
	X(IDR, "idr")

enum jitsim_pktgen_op {
#define X(a, b) JITSIM_PKTGEN_OP_##a,
	JITSIM_PKTGEN_OPS(X)
#undef X
		JITSIM_PKTGEN_OP_MAX
};
#define JITSIM_PKTGEN_OP_FIRST_DIAM JITSIM_PKTGEN_OP_AIR

/* Background traffic kinds: [background] weights. */
#define JITSIM_PKTGEN_BGS(X)      \
	X(BEAT, "beat")           \
	X(SCMG, "scmg")           \
	X(OTHER_MAP, "other_map") \
	X(IP, "ip")

enum jitsim_pktgen_bg {
#define X(a, b) JITSIM_PKTGEN_BG_##a,
	JITSIM_PKTGEN_BGS(X)
#undef X
		JITSIM_PKTGEN_BG_MAX
};

/* Malformed frame kinds: [malformed] weights. */
#define JITSIM_PKTGEN_MALS(X)     \
	X(TRUNCATED, "truncated") \
	X(LENGTH, "length")       \
	X(BER, "ber")             \
	X(BITFLIP, "bitflip")

enum jitsim_pktgen_mal {
#define X(a, b) JITSIM_PKTGEN_MAL_##a,
	JITSIM_PKTGEN_MALS(X)
#undef X
		JITSIM_PKTGEN_MAL_MAX
};

const char *jitsim_pktgen_state_name(unsigned int st);
const char *jitsim_pktgen_op_name(unsigned int op);
const char *jitsim_pktgen_bg_name(unsigned int bg);
const char *jitsim_pktgen_mal_name(unsigned int mal);

/** A region: where visited networks are, and how much traffic comes from there. */
struct jitsim_pktgen_region {
	char name[32];
	uint32_t weight;
	char vlr[16];  /**< VLR global-title prefix (E.164 digits) */
	char msc[16];  /**< MSC/GMSC/SMS-GMSC prefix */
	char sgsn[16]; /**< SGSN prefix */
	uint8_t n_plmn;
	char plmn[JITSIM_PKTGEN_MAX_PLMNS][8]; /**< Visited-PLMN-Ids, "MCCMNC" */
};

struct jitsim_pktgen_scenario {
	char path[256];

	/* [population] */
	uint64_t count;
	char mcc[4];
	char mnc[4];
	uint64_t msin_first;
	uint8_t msin_digits;		      /**< 15 - len(mcc) - len(mnc) (TS 23.003 2.2) */
	uint32_t share[JITSIM_PKTGEN_ST_MAX]; /**< ppm, sum 1e6 */
	uint64_t msisdn_active;		      /**< first MSISDN of the active SIMs */
	uint64_t msisdn_sleeping;	      /**< first MSISDN of the sleeping SIMs */
	char iccid_prefix[20];		      /**< "89" + country code + issuer (ITU-T E.118) */

	/* [region NAME] */
	unsigned int n_regions;
	struct jitsim_pktgen_region region[JITSIM_PKTGEN_MAX_REGIONS];

	/* [network] */
	char hlr_gt[16];
	char smsc_gt[16];
	char gsmscf_gt[16];
	char hss_realm[64];
	uint32_t hlr_pc;
	uint32_t stp_pc;

	/* [traffic] */
	uint64_t packets;  /**< frames in the trace */
	uint64_t rate;	   /**< new dialogues per second */
	uint64_t start_ns; /**< timestamp of the first frame (Unix ns) */
	uint32_t weight[JITSIM_PKTGEN_OP_MAX];
	uint64_t answer_delay_ns; /**< mean HLR/HSS answer delay */
	uint32_t retry_share;	  /**< ppm of rejected attaches retried */
	uint32_t retry_max;	  /**< attempts after the first */
	uint64_t retry_min_ns;
	uint64_t retry_max_ns;

	/* [background] */
	uint64_t bg_rate; /**< background frames per second */
	uint32_t bg_weight[JITSIM_PKTGEN_BG_MAX];

	/* [packaging] */
	unsigned int n_vlans;
	uint16_t vlans[JITSIM_PKTGEN_MAX_VLANS];
	bool qinq;	     /**< two tags: outer 802.1ad + inner 802.1Q */
	uint32_t ipv6_share; /**< ppm of links on IPv6 */
	unsigned int m3ua_assocs;
	unsigned int sctp_streams; /**< per association, stream 0 is ASPSM-only */
	uint32_t bundle_share;	   /**< ppm of MAP request frames that bundle */
	unsigned int bundle_max;   /**< DATA chunks per bundled packet */
	unsigned int diameter_peers;
	uint32_t diameter_tcp_share; /**< ppm of Diameter peers on TCP */

	/* [malformed] */
	uint32_t mal_share; /**< ppm of frames that are malformed */
	uint32_t mal_weight[JITSIM_PKTGEN_MAL_MAX];

	/* [vendor] */
	char customer[64];
	char card_type[32];
	char profile[64];
	char batch[32];
	uint32_t transport_key_index;
};

/**
 * Load @p path into @p sc (defaults first, then the file, then the
 * cross-key checks). On error, writes "FILE:LINE: [section] key: reason"
 * to @p err and returns -EINVAL (-errno when the file cannot be read).
 */
int jitsim_pktgen_scenario_load(const char *path, struct jitsim_pktgen_scenario *sc, char *err,
				size_t errlen);

/** Number of SIMs in state @p st (exact, from the shares; the rest goes to inventory). */
uint64_t jitsim_pktgen_scenario_state_count(const struct jitsim_pktgen_scenario *sc,
					    unsigned int st);

#endif /* JITSIM_PKTGEN_SCENARIO_H */
