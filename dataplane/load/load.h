/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Bulk load of the dataplane tables from the store at start (docs/tables.md).
 *
 * jitsim-dp opens the control plane's RocksDB as a read-only secondary
 * instance (it never disturbs the primary, which may be running) and puts
 * every SIM of the `dp` column family (the 16-byte projection of each
 * record, record.h) into the IMSI table, and every SIM with an MSISDN
 * into the MSISDN table. Damaged entries are counted and skipped, never fatal:
 * the dataplane must come up and serve the SIMs it can read.
 *
 * Thread-safety: call before the workers start, from the thread that will
 * be the tables' updater (the tables' single-updater rule): the inserts
 * happen on it; a scanner thread of the loader only reads the store.
 */

#ifndef JITSIM_LOAD_H
#define JITSIM_LOAD_H

#include <stddef.h>
#include <stdint.h>

#include "table.h"

struct jitsim_load_stats {
	uint64_t sims;		   /* entries put into the IMSI table */
	uint64_t msisdns;	   /* entries put into the MSISDN table */
	uint64_t damaged;	   /* records skipped: did not decode */
	uint64_t retired;	   /* RETIRED SIMs, not loaded */
	uint64_t msisdn_conflicts; /* an MSISDN claimed by two records: first kept */
	double seconds;
};

/* Called for each damaged entry with a message naming its key, from the
 * loader's scanner thread (one call at a time). */
typedef void (*jitsim_load_log_fn)(void *arg, const char *msg);

/*
 * Fill @imsi and @msisdn (empty tables; created by the caller, or NULL
 * pointers to have them created here sized from the store's estimate)
 * from the store at @store_path. 0, or negative errno with @err set
 * (store cannot be opened, out of memory).
 */
int jitsim_load_tables(const char *store_path, struct jitsim_table_imsi **imsi,
		       struct jitsim_table_msisdn **msisdn, struct jitsim_load_stats *st,
		       jitsim_load_log_fn log, void *log_arg, char *err, size_t errlen);

#endif /* JITSIM_LOAD_H */
