/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Inventory import: SIM vendor output files (docs/formats.md) and plain
 * CSV files into the store (docs/inventory.md).
 *
 * Validation errors name the file, the line and the field. A file with
 * errors imports nothing unless @partial is set: then the valid lines are
 * imported and every rejected line is written with its reason to the
 * reject file. Importing the same file twice changes nothing the second
 * time (SIMs whose stored record matches are counted as unchanged). Every
 * import that writes anything is recorded in the `audit` column family
 * with its counts. Ki/OPc/KIc/KID are decrypted with the transport key
 * (vendor files, AES-128-ECB per 16-byte key) and sealed under the
 * store's KEK; they never appear in errors, logs or the reject file.
 *
 * Thread-safety: one import at a time per store (the caller serialises);
 * the store may serve other readers and writers meanwhile.
 */

#ifndef JITSIM_INVENTORY_H
#define JITSIM_INVENTORY_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "store.h"

enum jitsim_inv_format {
	JITSIM_INV_AUTO = 0, /* vendor file if it starts with the banner, else CSV */
	JITSIM_INV_VENDOR,
	JITSIM_INV_CSV,
};

/* A SIM the import wrote, as the dataplane's tables hold it (record.h). */
struct jitsim_inv_written {
	uint64_t imsi; /* compact key */
	struct jitsim_rec_dp dp;
};

/*
 * Told of the SIMs an import wrote, once they are committed (after each
 * WriteBatch commit, or after each chunk's SST ingest for a bulk import),
 * in commit order, each SIM exactly once; never for a dry run or for SIMs
 * found unchanged. Called on the importing thread or on one of the
 * import's own threads, never two calls at once. @w is valid during the
 * call only. Returns 0, or a negative errno that stops the import with
 * that error (what was committed stays: importing the file again
 * finishes it).
 */
typedef int (*jitsim_inv_written_fn)(void *arg, const struct jitsim_inv_written *w, size_t n);

struct jitsim_inv_opts {
	const char *path; /* file to import */
	enum jitsim_inv_format format;
	const char *transport_key; /* transport.key file (vendor files; CSV
				    * files only if their keys are encrypted) */
	bool partial;		   /* import valid lines, reject the others */
	const char *reject_path;   /* default: <path>.rej (only with @partial) */
	unsigned int state;	   /* JITSIM_SIM_INVENTORY (default if 0) or LOCKED */
	uint16_t tenant;
	uint16_t region;
	const char *who; /* audit: who imported (default "import") */
	bool dry_run;	 /* validate only, write nothing */
	/* Told of the SIMs written (NULL: not told), with @written_arg. */
	jitsim_inv_written_fn written;
	void *written_arg;
	/* Set to nonzero (any thread, e.g. at shutdown) to stop the import
	 * at its next line with -ECANCELED; NULL: never. */
	const int *cancel;
};

struct jitsim_inv_report {
	uint64_t lines;	    /* SIM lines read */
	uint64_t imported;  /* new SIMs written */
	uint64_t unchanged; /* already in the store, identical */
	uint64_t rejected;  /* invalid lines */
	bool bulk;	    /* written with SST ingest rather than batches */
	bool staged;	    /* bulk, files written while validating (one pass) */
};

/* Import. 0 when everything valid was written (report filled), -EINVAL
 * when the file has errors and nothing was written (first error in @err,
 * all of them counted in the report), -EEXIST never (duplicates are
 * validation errors), -EIO on store errors, -ENOENT/-EACCES for files,
 * -ECANCELED (o->cancel), or the error of o->written. */
int jitsim_inv_import(struct jitsim_store *s, const struct jitsim_inv_opts *o,
		      struct jitsim_inv_report *rep, char *err, size_t errlen);

#endif /* JITSIM_INVENTORY_H */
