/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Subscriber tables of the dataplane: IMSI -> entry and MSISDN -> IMSI.
 *
 * Keys are the compact integer form of the codec library
 * (jitsim_digits_key(): digit count << 56 | decimal value), never 0.
 *
 * Why not cds_lfht: a node per entry costs ~61 B and a TLB miss per
 * lookup without huge pages (3.4 M lookups/s with 10 M keys, INTEROP.md).
 * These tables are flat open-addressing arrays of chunks of 31 slots
 * whose 16-bit tags and overflow count share one 64-byte line (so a
 * miss costs ~1.4 tag lines and a hit one tag line plus one entry line;
 * docs/tables.md), published with rcu_assign_pointer() and replaced as a
 * whole when they grow or are rehashed; the old array is unmapped once
 * synchronize_rcu() has seen every reader pass a quiescent state (the
 * updater is not a worker and may wait; a call_rcu() callback would only
 * keep the largest block mapped for a second grace period).
 *
 * Concurrency (liburcu QSBR flavour, urcu/urcu-qsbr.h):
 *  - Readers (dataplane workers): any number of threads, each registered
 *    with rcu_register_thread() and online; they call the lookup
 *    functions without locks and report rcu_quiescent_state() once per
 *    poll loop. A snapshot returned by a lookup is a consistent copy of
 *    the entry at one instant: every field from the same update (per-entry
 *    sequence counter written by the updater, retried by the reader).
 *  - Workers may also call jitsim_table_imsi_cas_state() and
 *    jitsim_table_imsi_touch(): lock-free compare-and-swap of the entry's
 *    state word; exactly one of many concurrent callers wins a transition.
 *  - Updater: exactly ONE thread (the table-updater thread, or the loader
 *    before workers start) calls add/replace/remove/set_state/resize;
 *    it must be a registered RCU thread too (call_rcu needs none, but
 *    lookups from the updater do). Calling updater functions from two
 *    threads at once is undefined.
 *  - Ownership: the table owns its arrays; jitsim_table_*_free() must be
 *    called after all readers stopped (it frees immediately).
 *
 * State word: state (8 bits), flags (8), spare (16), time (32). The time
 * holds the lease expiry (seconds, caller's clock) while ACTIVATING or
 * REACTIVATING, the last-activity epoch while ACTIVE, and the epoch of
 * the last BLOCKED_ATTEMPT report while LOCKED or BLOCKED; other states
 * keep whatever the updater set (normally 0). Keeping both in one word
 * lets one CAS take a lease or record an epoch, so "one event per SIM"
 * needs no lock.
 *
 * Memory: 32-byte IMSI entries, 16-byte MSISDN entries, 64/31 bytes of
 * tag line per slot; at the maximum load factor (JITSIM_TABLE_LOAD_MAX)
 * both tables together cost 61.4 bytes per SIM (61.7 measured at 10 M
 * SIMs, arrays rounded to 2 MiB pages). Arrays are allocated with mmap
 * and madvise(MADV_HUGEPAGE).
 */

#ifndef JITSIM_TABLE_H
#define JITSIM_TABLE_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/sim.h>

/* Tables grow (rebuild at a lower load) above this load, tombstones
 * included, in percent. */
#define JITSIM_TABLE_LOAD_MAX 85
/* Load after a growth rebuild, in percent. */
#define JITSIM_TABLE_LOAD_GROW 65

/* Largest burst accepted by the bulk lookups. */
#define JITSIM_TABLE_BULK_MAX 64

/* What an IMSI lookup returns (a copy; the table entry may change after). */
struct jitsim_table_sim {
	uint64_t imsi;	 /* compact key */
	uint64_t msisdn; /* compact key, 0 if none */
	uint64_t sw;	 /* state word, as given to jitsim_table_imsi_cas_state() */
	uint16_t tenant;
	uint16_t region;
};

/* State word accessors. */
static inline unsigned int
jitsim_table_sw_state(uint64_t sw)
{
	return (unsigned int)(sw & 0xff);
}
static inline unsigned int
jitsim_table_sw_flags(uint64_t sw)
{
	return (unsigned int)((sw >> 8) & 0xff);
}
static inline uint32_t
jitsim_table_sw_time(uint64_t sw)
{
	return (uint32_t)(sw >> 32);
}
static inline uint64_t
jitsim_table_sw_make(unsigned int state, unsigned int flags, uint32_t time)
{
	return (uint64_t)(state & 0xff) | (uint64_t)(flags & 0xff) << 8 | (uint64_t)time << 32;
}

struct jitsim_table_imsi;
struct jitsim_table_msisdn;

/* Counters; read by any thread (relaxed, approximate while updating). */
struct jitsim_table_stats {
	uint64_t entries;    /* live entries */
	uint64_t tombstones; /* removed slots not yet reclaimed by a rebuild */
	uint64_t slots;	     /* capacity of the current array */
	uint64_t bytes;	     /* memory of the current array(s), tags included */
	uint64_t rebuilds;   /* arrays built since creation (growth, rehash) */
};

/*
 * IMSI table.
 */

/* Create an empty table sized for @expected entries without growth
 * (0: small default). NULL on allocation failure (errno set). */
struct jitsim_table_imsi *jitsim_table_imsi_create(uint64_t expected);
/* Free immediately; no reader may use the table any more. NULL is ok. */
void jitsim_table_imsi_free(struct jitsim_table_imsi *t);

/* Updater only. Add a new entry, or replace every field of an existing
 * one (readers see the old or the new entry, never a mix). Grows the
 * table (rebuild + publish + call_rcu) when needed. 0 on success,
 * -EINVAL for key 0, -ENOMEM. */
int jitsim_table_imsi_put(struct jitsim_table_imsi *t, const struct jitsim_table_sim *e);
/* Updater only. jitsim_table_imsi_put() of @n entries, their home lines
 * prefetched first (bulk loads). Stops at the first error and returns it. */
int jitsim_table_imsi_put_bulk(struct jitsim_table_imsi *t, const struct jitsim_table_sim *s,
			       unsigned int n);
/* Updater only. Remove; 0 if removed, -ENOENT if absent. The slot
 * becomes a tombstone, reclaimed by the next rebuild (never reused in
 * place, so a reader in the middle of a lookup never sees another key's
 * data in it). */
int jitsim_table_imsi_del(struct jitsim_table_imsi *t, uint64_t imsi);
/* Updater only. Rebuild the array in place of the current one (drops
 * tombstones); readers keep going. 0 or -ENOMEM. */
int jitsim_table_imsi_rehash(struct jitsim_table_imsi *t);

/* Readers (and updater). true and a snapshot in *out if present. */
bool jitsim_table_imsi_lookup(const struct jitsim_table_imsi *t, uint64_t imsi,
			      struct jitsim_table_sim *out);
/* Readers. Look up @n (<= JITSIM_TABLE_BULK_MAX) keys at once, with
 * prefetching; hit[i] tells whether out[i] was filled. Returns the
 * number of hits. Keys may repeat; key 0 is a miss. */
unsigned int jitsim_table_imsi_lookup_bulk(const struct jitsim_table_imsi *t, const uint64_t *imsi,
					   unsigned int n, struct jitsim_table_sim *out, bool *hit);

/* Readers. Start fetching the cache line where @imsi's lookup begins, so
 * that a later bulk lookup finds it cached: a worker calls it as soon as
 * it has decoded a key and looks the key up with the rest of its burst
 * (the decoding of the frames in between hides the memory latency). */
void jitsim_table_imsi_prefetch(const struct jitsim_table_imsi *t, uint64_t imsi);

/* Readers (workers) and updater. Atomically replace the state word of
 * @imsi if it still equals @expect (as read in a snapshot).
 * 0 on success, -EAGAIN if it changed (*actual gets the current word when
 * not NULL), -ENOENT if absent. */
int jitsim_table_imsi_cas_state(struct jitsim_table_imsi *t, uint64_t imsi, uint64_t expect,
				uint64_t desired, uint64_t *actual);

/* Workers. Take the activation lease: move @imsi from INVENTORY or
 * SLEEPING to ACTIVATING / REACTIVATING (or retake an ACTIVATING /
 * REACTIVATING entry whose lease, the time field, is < @now), the time
 * field becoming @lease_until. Returns true for exactly one of many
 * concurrent callers; *prev gets the state word seen before (for the
 * event: which state it left). */
bool jitsim_table_imsi_take_lease(struct jitsim_table_imsi *t, uint64_t imsi, uint32_t now,
				  uint32_t lease_until, uint64_t *prev);

/* States whose time field jitsim_table_imsi_touch() moves: ACTIVE (the
 * last-activity epoch), LOCKED and BLOCKED (the epoch of the last report
 * of an attempt). */
static inline bool
jitsim_table_sw_touchable(unsigned int state)
{
	return state == JITSIM_SIM_ACTIVE || state == JITSIM_SIM_LOCKED ||
	       state == JITSIM_SIM_BLOCKED;
}

/* Workers. Record activity of an ACTIVE, LOCKED or BLOCKED SIM in epoch
 * @epoch: true for exactly one caller per SIM per epoch (the one that
 * moved the time field forward to @epoch), which then raises the ACTIVITY
 * (ACTIVE) or BLOCKED_ATTEMPT (LOCKED, BLOCKED) event. Only the time field
 * changes: the new word is (old & 0xffffffff) | (uint64_t)epoch << 32. */
bool jitsim_table_imsi_touch(struct jitsim_table_imsi *t, uint64_t imsi, uint32_t epoch);

void jitsim_table_imsi_stats(const struct jitsim_table_imsi *t, struct jitsim_table_stats *st);

/*
 * MSISDN table: MSISDN -> IMSI, both compact keys. Entries are immutable
 * pairs: changing a SIM's number is del(old) + put(new).
 */
struct jitsim_table_msisdn *jitsim_table_msisdn_create(uint64_t expected);
void jitsim_table_msisdn_free(struct jitsim_table_msisdn *t);
/* Updater only. 0, -EEXIST if @msisdn maps to another IMSI already
 * (the caller deletes first), -EINVAL for a 0 key, -ENOMEM. Putting the
 * same pair again is 0. */
int jitsim_table_msisdn_put(struct jitsim_table_msisdn *t, uint64_t msisdn, uint64_t imsi);
int jitsim_table_msisdn_del(struct jitsim_table_msisdn *t, uint64_t msisdn);
int jitsim_table_msisdn_rehash(struct jitsim_table_msisdn *t);
/* Readers. The IMSI or 0 when absent. */
uint64_t jitsim_table_msisdn_lookup(const struct jitsim_table_msisdn *t, uint64_t msisdn);
unsigned int jitsim_table_msisdn_lookup_bulk(const struct jitsim_table_msisdn *t,
					     const uint64_t *msisdn, unsigned int n,
					     uint64_t *imsi);
/* Readers. As jitsim_table_imsi_prefetch(). */
void jitsim_table_msisdn_prefetch(const struct jitsim_table_msisdn *t, uint64_t msisdn);
void jitsim_table_msisdn_stats(const struct jitsim_table_msisdn *t, struct jitsim_table_stats *st);

#endif /* JITSIM_TABLE_H */
