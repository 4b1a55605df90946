/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * population.csv (see popfile.h). The rows come from the same O(1)
 * functions that `generate` and the vendor file use, so they agree with
 * expected.jsonl and inventory.out for the same scenario and seed.
 */
#include <string.h>

#include <openssl/crypto.h>

#include "popfile.h"

int
jitsim_pktgen_popfile_write(const struct jitsim_pktgen_pop *pop, struct jitsim_pktgen_ofile *f)
{
	uint64_t count = pop->sc->count;
	int rc;

	rc = jitsim_pktgen_ofile_printf(f, "imsi,iccid,state,msisdn\n");
	for (uint64_t i = 0; i < count && rc == 0; i++) {
		struct jitsim_pktgen_card card;
		struct jitsim_pktgen_sim sim;

		jitsim_pktgen_pop_sim(pop, i, &sim);
		/*
		 * The ICCID comes with the card's secrets (one derivation);
		 * only the ICCID leaves this function, the rest is wiped.
		 */
		jitsim_pktgen_pop_card(pop, i, &card);
		rc = jitsim_pktgen_ofile_printf(f, "%s,%s,%s,%s\n", sim.imsi, card.iccid,
						jitsim_pktgen_state_name(sim.state), sim.msisdn);
		OPENSSL_cleanse(&card, sizeof(card));
	}
	return rc;
}
