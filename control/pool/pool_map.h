/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * A small u64 -> u64 hash map for the pool module's sparse state
 * (quarantined and reserved numbers, numbers changed by an uncommitted
 * batch). Open addressing with linear probing and backward-shift
 * deletion (no tombstones, so a map that sees many add/del cycles does
 * not degrade). Key 0 is the empty slot: compact digit keys and IMSI keys
 * are never 0.
 *
 * Ownership: the caller embeds the struct; jitsim_pool_map_fini() frees
 * the slots. Thread-safety: none (the pool set's owner thread only).
 */

#ifndef JITSIM_POOL_MAP_H
#define JITSIM_POOL_MAP_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitsim_pool_map_slot {
	uint64_t key;
	uint64_t val;
};

struct jitsim_pool_map {
	struct jitsim_pool_map_slot *slot;
	size_t mask; /* capacity - 1 (capacity a power of two), 0 when empty */
	size_t n;
};

void jitsim_pool_map_fini(struct jitsim_pool_map *m);
/* Insert or replace. 0, -EINVAL for key 0, -ENOMEM. */
int jitsim_pool_map_put(struct jitsim_pool_map *m, uint64_t key, uint64_t val);
/* true and *val (when @val is not NULL) if present. */
bool jitsim_pool_map_get(const struct jitsim_pool_map *m, uint64_t key, uint64_t *val);
/* true if @key was present (and is removed). */
bool jitsim_pool_map_del(struct jitsim_pool_map *m, uint64_t key);
/* Bytes held by the slots. */
size_t jitsim_pool_map_bytes(const struct jitsim_pool_map *m);

#endif /* JITSIM_POOL_MAP_H */
