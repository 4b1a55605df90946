/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp: the program's state, shared by main.c (which owns it), the
 * telemetry callbacks and the summary line, and the totals over all
 * workers.
 *
 * Thread-safety: main.c fills the struct before the workers start and
 * tears it down after they stopped; the telemetry thread reads it only
 * between jitsim_dp_telemetry_attach() and _detach() (telemetry.h).
 * Counters inside are single-writer, read relaxed.
 */

#ifndef JITSIM_DP_DP_H
#define JITSIM_DP_DP_H

#include <stdint.h>

#include <jitsim/shm.h>

#include "config.h"
#include "detect.h"
#include "diamio.h"
#include "fta.h"
#include "fta_diam.h"
#include "port.h"
#include "sigio.h"
#include "table.h"
#include "updater.h"
#include "worker.h"

struct jitsim_dp {
	struct jitsim_dp_config cfg;
	struct jitsim_detect_cfg detect_cfg;
	struct jitsim_shm shm;
	bool shm_open;
	struct jitsim_table_imsi *imsi;
	struct jitsim_table_msisdn *msisdn;
	uint64_t sims_loaded;
	struct jitsim_dp_ports ports;
	unsigned int n_workers;
	struct jitsim_dp_worker *workers[JITSIM_DP_WORKER_MAX];
	struct jitsim_dp_updater updater;
	unsigned int n_launched; /* workers launched on their lcores */
	bool quit;		 /* workers leave their loop (atomic) */
	uint64_t start_tsc;
	uint64_t tsc_hz;
	/* [ss7] (cfg.ss7.enabled): the workers' verdict configuration and
	 * the SS7 I/O thread. */
	struct jitsim_fta_cfg fta_cfg;
	bool sigio_on; /* sigio initialised (rings and links exist) */
	struct jitsim_dp_sigio sigio;
	/* [diameter] (cfg.diam.enabled): the workers' S6a verdict
	 * configuration and the Diameter I/O thread. */
	struct jitsim_fta_diam_cfg fta_diam_cfg;
	bool diamio_on; /* diamio initialised (rings and peers exist) */
	struct jitsim_dp_diamio diamio;
	/* [ss7] and [diameter] both: shm sig_down has one consumer, diamio;
	 * it passes the SS7 records to sigio through ss7_down, which sigio
	 * sees as the sig_down of sigio_shm (a copy of shm otherwise). */
	struct rte_ring *ss7_down;
	struct jitsim_shm sigio_shm;
};

/* Sums over the workers (and the updater), for telemetry and the log. */
struct jitsim_dp_totals {
	struct jitsim_dp_worker_stats w; /* frame-level counters, summed */
	uint64_t msgs_map;
	uint64_t msgs_diameter;
	uint64_t events[JITSIM_EV_TYPE_MAX];
	uint64_t drops[JITSIM_EV_TYPE_MAX];
	uint64_t events_total;
	uint64_t drops_total;
	uint64_t decode_errors; /* sum of w.reason[] */
	uint64_t updates_applied;
	uint64_t updates_failed;
	uint64_t updates_bad;
};

/* Sum the counters (relaxed reads; exact once the workers stopped).
 * @d_out (may be NULL) gets the detect counters summed. */
void jitsim_dp_totals(const struct jitsim_dp *dp, struct jitsim_dp_totals *t,
		      struct jitsim_detect_stats *d_out);

/* The workers' SS7 counters summed (relaxed reads). */
struct jitsim_dp_ss7_totals {
	struct jitsim_dp_worker_sig_stats w;
	struct jitsim_fta_stats fta;
};
void jitsim_dp_ss7_totals(const struct jitsim_dp *dp, struct jitsim_dp_ss7_totals *t);

/* The workers' Diameter counters summed (relaxed reads). */
struct jitsim_dp_diam_totals {
	struct jitsim_dp_worker_sig_stats w;
	struct jitsim_fta_diam_stats fta;
};
void jitsim_dp_diam_totals(const struct jitsim_dp *dp, struct jitsim_dp_diam_totals *t);

#endif /* JITSIM_DP_DP_H */
