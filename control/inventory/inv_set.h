/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Set of 64-bit keys, each remembering the line that inserted it first:
 * the in-file duplicate check of the inventory import (IMSI, ICCID and
 * MSISDN keys of a file of up to hundreds of millions of lines).
 *
 * Open addressing with linear probing, 12 bytes per slot and a load of up
 * to 0.9 (sized from an estimate of the line count, doubled when the
 * estimate was low): about 14 bytes per key, so two sets stay under the
 * 32 bytes per line the import may spend. Any key is allowed; line 0 is
 * reserved (it marks an empty slot), lines count from 1.
 *
 * Thread-safety: none; one thread owns a set.
 */

#ifndef JITSIM_INV_SET_H
#define JITSIM_INV_SET_H

#include <stddef.h>
#include <stdint.h>

struct jitsim_inv_set;

/* A set sized for about @expect keys; NULL when out of memory. */
struct jitsim_inv_set *jitsim_inv_set_new(uint64_t expect);
void jitsim_inv_set_free(struct jitsim_inv_set *set);

/* Insert @key for @line (not 0). Returns 0 when it is new, the line that
 * inserted it first when it was there already, or -ENOMEM (growing). */
int64_t jitsim_inv_set_insert(struct jitsim_inv_set *set, uint64_t key, uint32_t line);

/* Line that inserted @key, 0 when absent. */
uint32_t jitsim_inv_set_find(const struct jitsim_inv_set *set, uint64_t key);

uint64_t jitsim_inv_set_count(const struct jitsim_inv_set *set);

/* Start loading the slot of @key: an insert or find of it a few hundred
 * nanoseconds later then hits the cache. */
void jitsim_inv_set_prefetch(const struct jitsim_inv_set *set, uint64_t key);

#endif /* JITSIM_INV_SET_H */
