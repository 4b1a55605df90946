/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_TRAFFIC_H
#define JITSIM_PKTGEN_TRAFFIC_H

/**
 * @file
 * The timeline: dialogues (a request and the answers that follow it) start
 * as a Poisson process at the scenario's rate, background frames as another;
 * answers, retries after a rejection and follow-up procedures are pending
 * events taken out in (time, sequence number) order (evq.h). Frames are
 * written as they are taken out, so memory is bounded by what is in flight
 * (rate times the longest delay), never by the trace length.
 *
 * Thread-safety: one generator per thread.
 */

#include <stdint.h>

#include "encode.h"
#include "evq.h"
#include "expect.h"
#include "ftpl.h"
#include "map_tpl.h"
#include "pcapw.h"
#include "population.h"
#include "rng.h"
#include "s6a_tpl.h"

/** An SCCP party address encoded once (jitsim_pktgen_sccp_addr_enc), 0 length: not yet. */
struct jitsim_pktgen_sccp_tpl {
	uint8_t len;
	uint8_t ssn;
	uint8_t b[JITSIM_PKTGEN_SCCP_ADDR_MAX];
	char gt[16]; /**< the digits it was built from, "" when longer */
};

/**
 * The address of a visited node kind of a region: node 0's, encoded once,
 * into which a frame puts its node's last digits (traffic.c node_addr()).
 */
struct jitsim_pktgen_node_tpl {
	uint8_t state; /**< 0: not built yet, 1: in use, 2: refused (encode per frame) */
	uint8_t nd;    /**< how many of the 12 digits, at the end, are the node's */
	struct jitsim_pktgen_sccp_tpl a;
};

/* A message being built (traffic.c); JITSIM_PKTGEN_SCRATCH of them, one per chunk of a bundle. */
struct jitsim_pktgen_built;
#define JITSIM_PKTGEN_SCRATCH 8

struct jitsim_pktgen_gen {
	const struct jitsim_pktgen_scenario *sc;
	const struct jitsim_pktgen_pop *pop;
	struct jitsim_pktgen_expect *ex;
	struct jitsim_pktgen_ofile *pcap;
	struct jitsim_pktgen_rng rng;	  /**< traffic */
	struct jitsim_pktgen_rng mal_rng; /**< malformed frames */
	/* The scenario's weights, prepared once. */
	struct jitsim_pktgen_wtab w_op, w_bg, w_mal, w_region;
	struct jitsim_pktgen_evq evq; /**< pending answers, retries, follow-ups */
	/*
	 * The messages of the frame being made: one buffer for every frame
	 * instead of a new one on the stack of each caller (12 KiB for a
	 * bundle), so that its lines stay in the L1 cache.
	 */
	struct jitsim_pktgen_built *scratch;
	uint64_t now;
	uint64_t next_flow;
	uint64_t next_bg;
	uint64_t frame_no; /**< frames written */
	uint32_t tid;
	uint32_t hbh;
	uint32_t session;
	unsigned int n_map_links;
	unsigned int n_diam_links;
	struct jitsim_pktgen_link map_link[JITSIM_PKTGEN_MAX_LINKS / 2];
	struct jitsim_pktgen_link diam_link[JITSIM_PKTGEN_MAX_LINKS / 2];
	char mme_host[JITSIM_PKTGEN_MAX_LINKS / 2][96]; /**< per Diameter peer */
	char hss_host[96];
	size_t mme_host_len[JITSIM_PKTGEN_MAX_LINKS / 2], hss_host_len;
	unsigned int imei_tac_luhn; /**< the IMEI TAC's part of the Luhn sum */
	/** Visited node addresses by [region][node kind]. */
	struct jitsim_pktgen_node_tpl node_tpl[JITSIM_PKTGEN_MAX_REGIONS][3];
	struct jitsim_pktgen_sccp_tpl home_tpl[2]; /**< HLR, SMSC */
	struct jitsim_pktgen_sccp_tpl scf_tpl;	   /**< gsmSCF (background) */
	struct jitsim_pktgen_tcap_tpls *tcap_tpls; /**< NULL: TCAP encoded per frame */
	struct jitsim_pktgen_s6a_tpls *s6a_tpls;   /**< NULL: S6a encoded per frame */
	struct jitsim_pktgen_map_tpls *map_tpls;   /**< NULL: MAP arguments encoded per frame */
	/**
	 * Frame templates of MAP messages (ftpl.h) by operation, step, SIM
	 * state and link (zeroed: not built); NULL: none.
	 */
	struct jitsim_pktgen_ftpl *ftpl;
};

/** @return 0 or negative errno. */
int jitsim_pktgen_gen_init(struct jitsim_pktgen_gen *g, const struct jitsim_pktgen_scenario *sc,
			   const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_expect *ex,
			   struct jitsim_pktgen_ofile *pcap, uint64_t seed);

/** Write @p packets frames. @return 0 or negative errno (write error). */
int jitsim_pktgen_gen_run(struct jitsim_pktgen_gen *g, uint64_t packets);

void jitsim_pktgen_gen_free(struct jitsim_pktgen_gen *g);

#endif /* JITSIM_PKTGEN_TRAFFIC_H */
