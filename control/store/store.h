/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The store: RocksDB, the source of truth of jitsim-cp (docs/store.md).
 *
 * Column families:
 *   sim     IMSI key (record.h) -> SIM record (secrets sealed)
 *   dp      IMSI key -> the dataplane's 16-byte projection of the record
 *           (record.h), written with it; what jitsim-dp loads
 *   msisdn  MSISDN key -> IMSI key
 *   iccid   ICCID digits -> IMSI key (duplicate check at import)
 *   pool    number pools (issue 6)
 *   job     activation journal (issue 6)
 *   audit   u64 BE nanoseconds + u32 BE sequence -> one JSON line
 *   meta    "schema" -> u32 BE schema version; "kek_check" -> sealed
 *           constant proving the KEK belongs to this store
 *
 * The `sim` record is the commit point: an index entry (msisdn, iccid, dp)
 * whose IMSI has no record, or a record naming another MSISDN, is stale
 * and is ignored/overwritten. (The dataplane loads `dp` without looking
 * at `sim`: a stale dp entry, left by a bulk import killed between its
 * ingests, makes the dataplane report an attach the control plane then
 * finds no SIM for; a record is never without its dp entry.) Every state change is written as ONE
 * WriteBatch with sync=true, so the record and its index entries change
 * together or not at all.
 *
 * Thread-safety: a primary store may be used by several threads at once
 * (RocksDB is thread-safe); concurrent jitsim_store_commit() calls share
 * one WAL sync (RocksDB's write group: "group commit"). Batches, iterators
 * and SST writers belong to one thread. A secondary store is read-only.
 * Ownership: the caller frees what it creates (batch, iter, sst).
 * Errors: 0 or negative errno; a message for operators in @err (naming
 * the path or the key, never a secret).
 */

#ifndef JITSIM_STORE_H
#define JITSIM_STORE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "record.h"
#include "secret.h"

/* Schema version written in `meta`; a store with a newer one is refused. */
#define JITSIM_STORE_SCHEMA 1

enum jitsim_store_cf {
	JITSIM_CF_SIM,
	JITSIM_CF_MSISDN,
	JITSIM_CF_ICCID,
	JITSIM_CF_POOL,
	JITSIM_CF_JOB,
	JITSIM_CF_AUDIT,
	JITSIM_CF_META,
	JITSIM_CF_DP,
	JITSIM_CF_COUNT
};

const char *jitsim_store_cf_name(enum jitsim_store_cf cf);

struct jitsim_store_opts {
	const char *path;	    /* RocksDB directory */
	const char *kek_path;	    /* KEK file; required for a primary */
	bool create;		    /* create the store (and its meta) if missing */
	bool secondary;		    /* open as a read-only RocksDB secondary */
	const char *secondary_path; /* secondary's own directory (default: a
				     * fresh directory under /tmp, removed at close) */
};

struct jitsim_store;
struct jitsim_store_batch;
struct jitsim_store_iter;
struct jitsim_store_sst;

/* Open. Errors: -ENOENT (no store and !create), -ENOTSUP (schema newer
 * than this build), -EPERM/-EINVAL from the KEK file, -EKEYREJECTED (KEK
 * does not match the store), -EIO (RocksDB, message in @err). */
int jitsim_store_open(const struct jitsim_store_opts *o, struct jitsim_store **out, char *err,
		      size_t errlen);
void jitsim_store_close(struct jitsim_store *s);
/* The store's KEK (NULL for a secondary opened without one). */
const struct jitsim_kek *jitsim_store_kek(const struct jitsim_store *s);
/* Secondary only: follow the primary's latest writes. */
int jitsim_store_catch_up(struct jitsim_store *s, char *err, size_t errlen);

/* Point reads. 0, -ENOENT, -EBADMSG (damaged record: @err names the IMSI
 * and the field), -ENOTSUP (record of a newer version), -EIO. */
int jitsim_store_sim_get(struct jitsim_store *s, uint64_t imsi, struct jitsim_rec *r, char *err,
			 size_t errlen);
int jitsim_store_msisdn_get(struct jitsim_store *s, uint64_t msisdn, uint64_t *imsi);
int jitsim_store_iccid_get(struct jitsim_store *s, const char *iccid, uint64_t *imsi);
/* Generic read of one value into @val (@cap bytes); *vlen gets the full
 * length (may exceed @cap: then only @cap bytes were copied). */
int jitsim_store_get(struct jitsim_store *s, enum jitsim_store_cf cf, const void *key, size_t klen,
		     void *val, size_t cap, size_t *vlen);

/* Write batches (one thread each), for the store @s they are committed to. */
struct jitsim_store_batch *jitsim_store_batch_new(struct jitsim_store *s);
void jitsim_store_batch_free(struct jitsim_store_batch *b);
void jitsim_store_batch_clear(struct jitsim_store_batch *b);
unsigned int jitsim_store_batch_count(const struct jitsim_store_batch *b);
/* Encode and put @r (its secrets already sealed) and its dp entry;
 * -EINVAL if a field is out of range. */
int jitsim_store_batch_put_sim(struct jitsim_store_batch *b, const struct jitsim_rec *r);
/* Delete a record and its dp entry. */
void jitsim_store_batch_del_sim(struct jitsim_store_batch *b, uint64_t imsi);
void jitsim_store_batch_put_msisdn(struct jitsim_store_batch *b, uint64_t msisdn, uint64_t imsi);
void jitsim_store_batch_del_msisdn(struct jitsim_store_batch *b, uint64_t msisdn);
void jitsim_store_batch_put_iccid(struct jitsim_store_batch *b, const char *iccid, uint64_t imsi);
void jitsim_store_batch_put(struct jitsim_store_batch *b, enum jitsim_store_cf cf, const void *key,
			    size_t klen, const void *val, size_t vlen);
void jitsim_store_batch_del(struct jitsim_store_batch *b, enum jitsim_store_cf cf, const void *key,
			    size_t klen);
/* Append an audit line {"ts":...,"who":@who,"what":@what,...@json_fields}
 * (@json_fields: extra `"k":v` pairs, may be NULL). */
void jitsim_store_batch_audit(struct jitsim_store_batch *b, const char *who, const char *what,
			      const char *json_fields);
/* Write @b atomically and durably (sync=true). Thread-safe. 0 or -EIO. */
int jitsim_store_commit(struct jitsim_store_batch *b, char *err, size_t errlen);

/* Iteration over one column family in key order (a consistent snapshot).
 * next: 1 and pointers valid until the next call, 0 at the end, -EIO. */
struct jitsim_store_iter *jitsim_store_iter_new(struct jitsim_store *s, enum jitsim_store_cf cf);
/* Same, over the keys k with @lo <= k < @hi (bytewise; NULL: unbounded).
 * The bounds are copied. */
struct jitsim_store_iter *jitsim_store_iter_new_range(struct jitsim_store *s,
						      enum jitsim_store_cf cf, const void *lo,
						      size_t lolen, const void *hi, size_t hilen);
/* The first and the last key of a column family (copied into @first and
 * @last, 8 bytes each: for the 8-byte-key families sim, dp, msisdn).
 * 0, -ENOENT when empty, -EINVAL when a key is not 8 bytes. */
int jitsim_store_key_span(struct jitsim_store *s, enum jitsim_store_cf cf, uint8_t first[8],
			  uint8_t last[8]);
int jitsim_store_iter_next(struct jitsim_store_iter *it, const uint8_t **key, size_t *klen,
			   const uint8_t **val, size_t *vlen);
void jitsim_store_iter_free(struct jitsim_store_iter *it);
/* RocksDB's performance counters off for the calling thread (they are
 * per thread): a scan of millions of keys otherwise pays thread-local
 * lookups per key for counters nobody reads. For scanning threads. */
void jitsim_store_thread_counters_off(void);

/* Bulk load: write strictly increasing keys of one column family into
 * an SST file, then ingest it (atomic per file; ingest the index files
 * first and the `sim` file last, the record being the commit point). */
struct jitsim_store_sst *jitsim_store_sst_new(struct jitsim_store *s, enum jitsim_store_cf cf,
					      char *err, size_t errlen);
/* 0, -EINVAL when @key is not greater than the previous one, -EIO. */
int jitsim_store_sst_add(struct jitsim_store_sst *w, const void *key, size_t klen, const void *val,
			 size_t vlen);
uint64_t jitsim_store_sst_count(const struct jitsim_store_sst *w);
/* Complete the file of @w (index and filter blocks) without ingesting
 * it: an import may write its files first and ingest them only once the
 * whole input is known to be valid. The file stays until ingested or
 * freed. 0 or -EIO. Thread-safety: as _add(), one thread at a time. */
int jitsim_store_sst_finish(struct jitsim_store_sst *w, char *err, size_t errlen);
/* Finish (unless done), ingest (when it holds keys) and free @w. 0 or -EIO. */
int jitsim_store_sst_ingest(struct jitsim_store *s, struct jitsim_store_sst *w, char *err,
			    size_t errlen);
/* Abandon @w (file removed). */
void jitsim_store_sst_free(struct jitsim_store_sst *w);

/* Bulk mode: background compactions of @cf off (true) or on again
 * (false). A bulk import ingests overlapping SST files; compacting them
 * while the import still writes only competes with it for the CPU, and
 * the work is done once, later, when the mode is left. 0 or -EIO. */
int jitsim_store_bulk_mode(struct jitsim_store *s, enum jitsim_store_cf cf, bool on, char *err,
			   size_t errlen);

/* RocksDB's estimate of the number of keys of a column family (cheap;
 * exact after a compaction, used for sizing). */
uint64_t jitsim_store_estimate(struct jitsim_store *s, enum jitsim_store_cf cf);

/* Count the keys of a column family (full scan). */
int jitsim_store_count(struct jitsim_store *s, enum jitsim_store_cf cf, uint64_t *n);

#endif /* JITSIM_STORE_H */
