/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Hyperscan databases of the pool module: one per pool for its class
 * rules (pattern ids = classes, HS_FLAG_SINGLEMATCH: one report per class
 * is all we need), and one per search for the operator's pattern. Block
 * mode over the number's ASCII digits.
 *
 * Ownership: the caller frees each database and its scratch; one scratch
 * (grown by every compile) serves all databases of a pool set.
 * Thread-safety: a database may be shared; a scratch belongs to one thread.
 */

#ifndef JITSIM_POOL_CLASS_H
#define JITSIM_POOL_CLASS_H

#include <stddef.h>

#include <hs.h>

#include "pool.h"

/* The rules of a pool without its own: docs/pools.md says why. */
extern const struct jitsim_pool_rule jitsim_pool_default_rules[];
extern const unsigned int jitsim_pool_default_nrules;

/* Check one rule (class, pattern characters and length) without
 * compiling it: 0 or -EINVAL with @err naming rule @i of @pool. */
int jitsim_pool_rule_check(const struct jitsim_pool_rule *r, unsigned int i, const char *pool,
			   char *err, size_t errlen);

/* Compile @n rules (n > 0) of pool @pool; grow *@scratch for them.
 * 0, -EINVAL (@err names the rule and hyperscan's reason), -ENOMEM. */
int jitsim_pool_class_compile(const struct jitsim_pool_rule *rules, unsigned int n,
			      const char *pool, hs_database_t **db, hs_scratch_t **scratch,
			      char *err, size_t errlen);

/* Class of the @n digits at @s (standard when no rule matches). */
enum jitsim_pool_class jitsim_pool_class_match(const hs_database_t *db, hs_scratch_t *scratch,
					       const char *s, unsigned int n);

/* Compile an operator's search pattern (at most JITSIM_POOL_PATTERN_MAX - 1
 * characters). 0, -EINVAL (@err quotes the pattern and says why), -ENOMEM. */
int jitsim_pool_search_compile(const char *pattern, hs_database_t **db, hs_scratch_t **scratch,
			       char *err, size_t errlen);

/* true if the @n digits at @s match the search database. */
bool jitsim_pool_search_match(const hs_database_t *db, hs_scratch_t *scratch, const char *s,
			      unsigned int n);

#endif /* JITSIM_POOL_CLASS_H */
