/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * SIM states and flags, shared by the dataplane tables, the store records
 * and (later) the shared-memory ABI. The numeric values are part of the
 * on-disk record format and of the ABI: never renumber, only append.
 *
 *  INVENTORY --(first attach)--> ACTIVATING --(provisioned)--> ACTIVE
 *      ^                             | (failed: retry/backoff)    | idle
 *   (import)                      INVENTORY                    SLEEPING --(attach)--> REACTIVATING
 * -> ACTIVE LOCKED (not yet distributed)   BLOCKED (fraud/stolen)       RETIRED
 */

#ifndef JITSIM_SIM_H
#define JITSIM_SIM_H

#include <stdbool.h>
#include <stdint.h>
#include <string.h>

enum jitsim_sim_state {
	JITSIM_SIM_NONE = 0, /* no such SIM; never stored */
	JITSIM_SIM_INVENTORY = 1,
	JITSIM_SIM_ACTIVATING = 2,
	JITSIM_SIM_ACTIVE = 3,
	JITSIM_SIM_SLEEPING = 4,
	JITSIM_SIM_REACTIVATING = 5,
	JITSIM_SIM_LOCKED = 6,
	JITSIM_SIM_BLOCKED = 7,
	JITSIM_SIM_RETIRED = 8,
	JITSIM_SIM_STATE_MAX /* first invalid value */
};

/* Per-SIM flags (8 bits in the dataplane entry and in the record). */
#define JITSIM_SIM_F_DATA_ONLY 0x01u /* no MSISDN from the voice pool */
#define JITSIM_SIM_F_TEST 0x02u	     /* operator test SIM */
#define JITSIM_SIM_F_ESIM 0x04u	     /* profile downloaded via ES2+ */

static inline const char *
jitsim_sim_state_name(unsigned int s)
{
	static const char *const names[JITSIM_SIM_STATE_MAX] = {
		"none",		"inventory", "activating", "active",  "sleeping",
		"reactivating", "locked",    "blocked",	   "retired",
	};
	return s < JITSIM_SIM_STATE_MAX ? names[s] : "invalid";
}

/* Inverse of jitsim_sim_state_name(); JITSIM_SIM_NONE when unknown. */
static inline enum jitsim_sim_state
jitsim_sim_state_parse(const char *name)
{
	for (unsigned int s = 1; s < JITSIM_SIM_STATE_MAX; s++)
		if (strcmp(name, jitsim_sim_state_name(s)) == 0)
			return (enum jitsim_sim_state)s;
	return JITSIM_SIM_NONE;
}

/* States in which an attach is the trigger for (re)activation. */
static inline bool
jitsim_sim_state_activatable(unsigned int s)
{
	return s == JITSIM_SIM_INVENTORY || s == JITSIM_SIM_SLEEPING;
}

#endif /* JITSIM_SIM_H */
