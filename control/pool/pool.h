/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Number pools: the MSISDNs jitsim-cp hands out (docs/pools.md).
 *
 * A pool is one or more ranges of E.164 numbers of one digit count, owned
 * by a tenant and a region, with a quarantine period and class rules
 * (standard, gold, platinum, vanity) compiled with hyperscan.
 *
 * Truth and memory: the store's `msisdn` column family (MSISDN -> IMSI)
 * says which numbers are taken; it is written in the same WriteBatch as
 * whatever takes the number, so a number is never given twice, even
 * across a kill -9. The `pool` column family holds the definitions, the
 * quarantine and the reservations:
 *   "def/" + id (BE32)          -> definition (version byte 1, binary)
 *   "q/" + MSISDN key (BE64)    -> release-until time (BE32, seconds)
 *   "r/" + MSISDN key (BE64)    -> IMSI key (BE64) the number is held for
 * In memory: one bitmap per range (1 bit per number: taken, quarantined
 * or reserved), rebuilt at open from those three sources; 100 million
 * numbers cost 12.5 MB. Allocation walks the bitmap from a per-range,
 * per-class cursor 64 numbers at a time: amortised O(1).
 *
 * Batches and in-memory state: every call that changes something puts
 * its writes into the caller's batch @b and changes the in-memory state
 * at once (so several allocations in one batch, or in batches not yet
 * committed, never collide), recording each change in an undo journal
 * under @b. After the commit of @b the caller calls
 * jitsim_pool_commit_done(set, b): the journal entries of @b are dropped.
 * After a failed commit (or when @b is thrown away) the caller calls
 * jitsim_pool_abort(set, b): the changes of @b are undone, newest first,
 * and the set is again what the store holds. A number (or a pool) changed
 * by one uncommitted batch cannot be changed by another batch until that
 * one is done or aborted (-EBUSY), which is what makes per-batch undo
 * exact. A pool added by @b is used for nothing but overlap checks until
 * commit_done(b).
 *
 * Thread-safety: none. One thread (jitsim-cp's workflow thread) owns the
 * set; others (the control socket) reach it only through that thread:
 * the caller serialises. The store itself may be shared.
 * Ownership: the set holds a pointer to @st, which must outlive it.
 * Errors: 0 (or a count) or negative errno, with a message in @err naming
 * the pool, the number, the field or the pattern.
 */

#ifndef JITSIM_POOL_H
#define JITSIM_POOL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitsim_store;
struct jitsim_store_batch;
struct jitsim_pool_set;

/* Ranked: the class of a number is the highest one whose rule matches. */
enum jitsim_pool_class {
	JITSIM_POOL_STANDARD,
	JITSIM_POOL_GOLD,
	JITSIM_POOL_PLATINUM,
	JITSIM_POOL_VANITY,
	JITSIM_POOL_CLASS_COUNT
};

const char *jitsim_pool_class_str(enum jitsim_pool_class c);
/* 0 or -EINVAL. */
int jitsim_pool_class_parse(const char *s, enum jitsim_pool_class *out);

#define JITSIM_POOL_NAME_MAX 32 /* with the NUL */
#define JITSIM_POOL_RANGES_MAX 16
#define JITSIM_POOL_RULES_MAX 16
#define JITSIM_POOL_PATTERN_MAX 128 /* with the NUL */
/* E.164 (ITU-T E.164 6.1): at most 15 digits. */
#define JITSIM_POOL_DIGITS_MAX 15
/* Numbers in one pool: 10^9 is a 125 MB bitmap, the most one appliance
 * should be asked to hold for one tenant and region. */
#define JITSIM_POOL_SIZE_MAX 1000000000ull
/* Pool id meaning "every pool" (search); not a valid id. */
#define JITSIM_POOL_ALL UINT32_MAX

/* Both ends are compact digit keys (jitsim_digits_key_str()) of the same
 * digit count, first <= last. */
struct jitsim_pool_range {
	uint64_t first;
	uint64_t last;
};

struct jitsim_pool_rule {
	enum jitsim_pool_class cls; /* gold, platinum or vanity */
	char pattern[JITSIM_POOL_PATTERN_MAX];
};

struct jitsim_pool_def {
	uint32_t id;
	char name[JITSIM_POOL_NAME_MAX];
	uint16_t tenant;
	uint16_t region;
	uint32_t quarantine; /* seconds a released number waits */
	unsigned int nranges;
	struct jitsim_pool_range ranges[JITSIM_POOL_RANGES_MAX];
	/* None: the default rules (docs/pools.md). */
	unsigned int nrules;
	struct jitsim_pool_rule rules[JITSIM_POOL_RULES_MAX];
};

struct jitsim_pool_stats {
	uint64_t size;
	uint64_t taken;
	uint64_t free;
	uint64_t quarantined;
	uint64_t reserved;
	bool by_class; /* free_by_class filled (a scan of every free number) */
	uint64_t free_by_class[JITSIM_POOL_CLASS_COUNT];
};

/* Load the pools and rebuild their bitmaps from @st. -EBADMSG (damaged
 * definition: @err names the key and the field), -EINVAL (definitions
 * that overlap), -ENOMEM, -EIO. */
int jitsim_pool_set_open(struct jitsim_store *st, struct jitsim_pool_set **out, char *err,
			 size_t errlen);
/* Frees the set (uncommitted changes are simply forgotten). */
void jitsim_pool_set_close(struct jitsim_pool_set *set);

/* @b was committed: its changes are final. */
void jitsim_pool_commit_done(struct jitsim_pool_set *set, struct jitsim_store_batch *b);
/* @b was not (or could not be) committed: undo its changes. */
void jitsim_pool_abort(struct jitsim_pool_set *set, struct jitsim_store_batch *b);

/* Define a pool (its "def/" entry into @b). -EINVAL (bad field, range
 * overlapping another pool's, mixed digit counts, too large, bad rule
 * pattern), -EEXIST (id in use), -ENOMEM. */
int jitsim_pool_add(struct jitsim_pool_set *set, const struct jitsim_pool_def *def,
		    struct jitsim_store_batch *b, char *err, size_t errlen);

/*
 * A number for @imsi: the one reserved for @imsi if there is one (whatever
 * @tenant/@region/@cls), else a free number of class @cls from the pools
 * of @tenant and @region, in pool order. Standard allocation never returns
 * a premium number. Puts MSISDN -> IMSI (and the reservation's removal)
 * into @b. -ENOENT (no pool for tenant/region), -ENOSPC (exhausted: @err
 * names the pools, tenant, region and class), -EBUSY, -ENOMEM.
 * @now: seconds (same clock as release()); expired quarantine is swept
 * into @b when a cursor wraps.
 */
int jitsim_pool_alloc(struct jitsim_pool_set *set, uint16_t tenant, uint16_t region,
		      enum jitsim_pool_class cls, uint64_t imsi, uint32_t now, uint64_t *msisdn,
		      struct jitsim_store_batch *b, char *err, size_t errlen);
/* A number chosen by the operator: must be free, or reserved for @imsi.
 * -ENOENT (in no pool), -EEXIST (taken), -EBUSY (quarantined, reserved
 * for another IMSI, or changed by another uncommitted batch). */
int jitsim_pool_take(struct jitsim_pool_set *set, uint64_t msisdn, uint64_t imsi,
		     struct jitsim_store_batch *b, char *err, size_t errlen);
/* A taken number goes back: its MSISDN entry is deleted and it waits in
 * quarantine until @now + the pool's period (at once free if 0).
 * -ENOENT (in no pool, or not taken), -EBUSY. */
int jitsim_pool_release(struct jitsim_pool_set *set, uint64_t msisdn, uint32_t now,
			struct jitsim_store_batch *b, char *err, size_t errlen);
/* Hold a free number for @imsi (one reservation per IMSI).
 * -ENOENT, -EEXIST (number not free, or @imsi already holds one), -EBUSY. */
int jitsim_pool_reserve(struct jitsim_pool_set *set, uint64_t msisdn, uint64_t imsi,
			struct jitsim_store_batch *b, char *err, size_t errlen);
/* Drop a reservation; the number is free again. -ENOENT (not reserved), -EBUSY. */
int jitsim_pool_unreserve(struct jitsim_pool_set *set, uint64_t msisdn,
			  struct jitsim_store_batch *b, char *err, size_t errlen);
/* The number reserved for @imsi: 0 or -ENOENT. */
int jitsim_pool_reserved_for(const struct jitsim_pool_set *set, uint64_t imsi, uint64_t *msisdn);
/* Free at most @max numbers whose quarantine ended by @now (their "q/"
 * entries deleted in @b). Returns how many, or -ENOMEM. */
int jitsim_pool_sweep(struct jitsim_pool_set *set, uint32_t now, unsigned int max,
		      struct jitsim_store_batch *b);

/*
 * Free numbers of pool @id (JITSIM_POOL_ALL: every pool, in id order)
 * matching @pattern (hyperscan syntax, unanchored, over the ASCII digits),
 * in increasing order, at most @limit into @out; *n gets the count.
 * -EINVAL (bad pattern: @err names it and says why), -ENOENT (no pool @id).
 */
int jitsim_pool_search(struct jitsim_pool_set *set, uint32_t id, const char *pattern, size_t limit,
		       uint64_t *out, size_t *n, char *err, size_t errlen);

/* As jitsim_pool_search(), keeping only numbers of class @cls under their
 * pool's rules (JITSIM_POOL_CLASS_COUNT: any class). -EINVAL also for a
 * @cls out of range. */
int jitsim_pool_search_class(struct jitsim_pool_set *set, uint32_t id, const char *pattern,
			     enum jitsim_pool_class cls, size_t limit, uint64_t *out, size_t *n,
			     char *err, size_t errlen);

/* The committed pools in id order: up to @cap pointers into @out (valid
 * until the next call that changes the set). Returns the number of pools. */
size_t jitsim_pool_list(const struct jitsim_pool_set *set, const struct jitsim_pool_def **out,
			size_t cap);
/* Counters of pool @id; @by_class also counts free numbers per class
 * (a scan of every free number: slow on large pools). 0 or -ENOENT. */
int jitsim_pool_stats(struct jitsim_pool_set *set, uint32_t id, bool by_class,
		      struct jitsim_pool_stats *out);
/* Class of @msisdn under its pool's rules; *id (may be NULL) gets the
 * pool. 0 or -ENOENT (in no pool). */
int jitsim_pool_class_of(struct jitsim_pool_set *set, uint64_t msisdn, enum jitsim_pool_class *cls,
			 uint32_t *id);
/* Bytes of memory the set holds (bitmaps, maps, definitions), for sizing. */
size_t jitsim_pool_mem_bytes(const struct jitsim_pool_set *set);

#endif /* JITSIM_POOL_H */
