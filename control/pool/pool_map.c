/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <stdlib.h>

#include "pool_map.h"

/* Fibonacci hashing: compact keys differ in their low decimal digits,
 * i.e. in low bits; the multiply spreads them over the top bits. */
static inline size_t
map_hash(const struct jitsim_pool_map *m, uint64_t key)
{
	return (size_t)((key * 0x9e3779b97f4a7c15ull) >> 17) & m->mask;
}

void
jitsim_pool_map_fini(struct jitsim_pool_map *m)
{
	free(m->slot);
	m->slot = NULL;
	m->mask = 0;
	m->n = 0;
}

static int
map_grow(struct jitsim_pool_map *m)
{
	size_t cap = m->mask ? 2 * (m->mask + 1) : 64;
	struct jitsim_pool_map old = *m;

	m->slot = calloc(cap, sizeof(*m->slot));
	if (m->slot == NULL) {
		*m = old;
		return -ENOMEM;
	}
	m->mask = cap - 1;
	m->n = 0;
	for (size_t i = 0; old.mask && i <= old.mask; i++)
		if (old.slot[i].key != 0)
			(void)jitsim_pool_map_put(m, old.slot[i].key, old.slot[i].val);
	free(old.slot);
	return 0;
}

int
jitsim_pool_map_put(struct jitsim_pool_map *m, uint64_t key, uint64_t val)
{
	size_t i;

	if (key == 0)
		return -EINVAL;
	/* Load factor at most 1/2: probes stay short with linear probing. */
	if (2 * (m->n + 1) > m->mask + 1 || m->mask == 0) {
		int rc = map_grow(m);

		if (rc != 0)
			return rc;
	}
	for (i = map_hash(m, key);; i = (i + 1) & m->mask) {
		if (m->slot[i].key == key) {
			m->slot[i].val = val;
			return 0;
		}
		if (m->slot[i].key == 0)
			break;
	}
	m->slot[i].key = key;
	m->slot[i].val = val;
	m->n++;
	return 0;
}

bool
jitsim_pool_map_get(const struct jitsim_pool_map *m, uint64_t key, uint64_t *val)
{
	if (m->n == 0 || key == 0)
		return false;
	for (size_t i = map_hash(m, key);; i = (i + 1) & m->mask) {
		if (m->slot[i].key == key) {
			if (val != NULL)
				*val = m->slot[i].val;
			return true;
		}
		if (m->slot[i].key == 0)
			return false;
	}
}

bool
jitsim_pool_map_del(struct jitsim_pool_map *m, uint64_t key)
{
	size_t i, j;

	if (m->n == 0 || key == 0)
		return false;
	for (i = map_hash(m, key);; i = (i + 1) & m->mask) {
		if (m->slot[i].key == key)
			break;
		if (m->slot[i].key == 0)
			return false;
	}
	/* Backward shift: move later members of the probe run into the hole
	 * when their home slot does not lie cyclically in (hole, j]. */
	for (j = (i + 1) & m->mask; m->slot[j].key != 0; j = (j + 1) & m->mask) {
		size_t home = map_hash(m, m->slot[j].key);

		if (((j - home) & m->mask) >= ((j - i) & m->mask)) {
			m->slot[i] = m->slot[j];
			i = j;
		}
	}
	m->slot[i].key = 0;
	m->slot[i].val = 0;
	m->n--;
	return true;
}

size_t
jitsim_pool_map_bytes(const struct jitsim_pool_map *m)
{
	return m->mask ? (m->mask + 1) * sizeof(*m->slot) : 0;
}
