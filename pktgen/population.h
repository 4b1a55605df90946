/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_POPULATION_H
#define JITSIM_PKTGEN_POPULATION_H

/**
 * @file
 * The SIM population of a scenario, computed on demand: nothing is stored
 * per SIM. SIM number i (0..count-1) has its state by block (inventory,
 * active, sleeping, locked, in that order, sizes from the shares), its IMSI
 * from a bijective affine permutation of the MSIN range (so the states are
 * interleaved across the IMSI range, as in a real batch), its MSISDN by rank
 * within its state's range, and its secrets and region from a keyed hash of
 * (seed, i). Every function is O(1), so a population of 100 million costs
 * no memory here.
 *
 * Thread-safety: a population is read-only after init.
 */

#include <stdint.h>

#include "scenario.h"

struct jitsim_pktgen_pop {
	const struct jitsim_pktgen_scenario *sc;
	uint64_t seed;
	uint64_t n[JITSIM_PKTGEN_ST_MAX];     /**< SIMs per state */
	uint64_t first[JITSIM_PKTGEN_ST_MAX]; /**< first SIM number of each state */
	uint64_t perm_a;		      /**< permutation: (a * i + b) mod count */
	uint64_t perm_b;
	/* Width of the MSISDNs of each state, and the numbers of that width: [lo, hi). */
	uint8_t msisdn_w[JITSIM_PKTGEN_ST_MAX];
	uint64_t msisdn_lo[JITSIM_PKTGEN_ST_MAX], msisdn_hi[JITSIM_PKTGEN_ST_MAX];
	uint64_t region_wsum;
	char prefix[8]; /**< MCC + MNC, the IMSI's fixed digits */
	uint8_t prefix_len;
};

struct jitsim_pktgen_sim {
	uint64_t index;
	uint8_t state;	/**< enum jitsim_pktgen_state */
	uint8_t region; /**< where the SIM roams (index into sc->region) */
	char imsi[16];
	char msisdn[16]; /**< "" for inventory and locked SIMs */
};

/** What the vendor file carries for a card (TS 31.102, ETSI TS 102 225). */
struct jitsim_pktgen_card {
	char iccid[21]; /**< 19 digits + Luhn check digit (ITU-T E.118) */
	char pin1[5], pin2[5];
	char puk1[9], puk2[9];
	char adm1[9];
	uint8_t ki[16];
	uint8_t opc[16];
	uint8_t kic[16]; /**< OTA ciphering key (ETSI TS 102 225 5.1) */
	uint8_t kid[16]; /**< OTA signature key */
};

void jitsim_pktgen_pop_init(struct jitsim_pktgen_pop *p, const struct jitsim_pktgen_scenario *sc,
			    uint64_t seed);

/** Identity and state of SIM @p index. */
void jitsim_pktgen_pop_sim(const struct jitsim_pktgen_pop *p, uint64_t index,
			   struct jitsim_pktgen_sim *out);

/** State of SIM @p index (enum jitsim_pktgen_state): the block it falls in. */
static inline unsigned int
jitsim_pktgen_pop_state(const struct jitsim_pktgen_pop *p, uint64_t index)
{
	unsigned int s = JITSIM_PKTGEN_ST_MAX - 1;

	while (s > 0 && index < p->first[s])
		s--;
	return s;
}

/*
 * The parts of jitsim_pktgen_pop_sim(), for callers that need one of them:
 * a frame usually carries one identity, and each costs a decimal conversion.
 */

/** IMSI of SIM @p index, NUL-terminated (15 digits). @return its length. */
unsigned int jitsim_pktgen_pop_imsi(const struct jitsim_pktgen_pop *p, uint64_t index,
				    char out[16]);

/**
 * MSISDN of SIM @p index in state @p state, "" for inventory and locked SIMs.
 * @return its length.
 */
unsigned int jitsim_pktgen_pop_msisdn(const struct jitsim_pktgen_pop *p, uint64_t index,
				      unsigned int state, char out[16]);

/** Region of SIM @p index (what jitsim_pktgen_pop_sim() sets, without the identities). */
unsigned int jitsim_pktgen_pop_region(const struct jitsim_pktgen_pop *p, uint64_t index);

/** Card data (secrets included) of SIM @p index. */
void jitsim_pktgen_pop_card(const struct jitsim_pktgen_pop *p, uint64_t index,
			    struct jitsim_pktgen_card *out);

/** Luhn check digit (ITU-T E.118 Annex B, ISO/IEC 7812-1) of a digit string. */
char jitsim_pktgen_luhn(const char *digits);

#endif /* JITSIM_PKTGEN_POPULATION_H */
