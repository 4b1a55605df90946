/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <stdbool.h>
#include <stdio.h>
#include <string.h>

#include "pool_class.h"

/*
 * Defaults. Hyperscan has no back-references, so "a digit repeated" is
 * spelled out per digit. Repeats count only within the last seven digits
 * (the trailing \d{0,k}$): those are the subscriber part of most national
 * plans, and a range prefix such as 4917000 must not make every number
 * after it gold.
 */
#define REP(k)                                                                                   \
	"(0{" #k "}|1{" #k "}|2{" #k "}|3{" #k "}|4{" #k "}|5{" #k "}|6{" #k "}|7{" #k "}|8{" #k \
	"}|9{" #k "})"
const struct jitsim_pool_rule jitsim_pool_default_rules[] = {
	/* platinum: 6+ repeated digits, or a 7-digit ascending/descending run at the end */
	{JITSIM_POOL_PLATINUM, REP(6) "\\d?$"},
	{JITSIM_POOL_PLATINUM,
	 "(0123456|1234567|2345678|3456789|9876543|8765432|7654321|6543210)$"},
	/* gold: 4+ repeated digits, or a 4-digit ascending run at the end */
	{JITSIM_POOL_GOLD, REP(4) "\\d{0,3}$"},
	{JITSIM_POOL_GOLD, "(0123|1234|2345|3456|4567|5678|6789)$"},
};
#undef REP
const unsigned int jitsim_pool_default_nrules =
	sizeof(jitsim_pool_default_rules) / sizeof(jitsim_pool_default_rules[0]);

/* A pattern quoted in a message: bounded and printable (it comes from
 * outside and ends up in logs and JSON replies). */
static const char *
quote(const char *p, char *buf, size_t size)
{
	size_t i;

	for (i = 0; i + 1 < size && p[i] != '\0'; i++)
		buf[i] = (p[i] >= 0x20 && p[i] < 0x7f) ? p[i] : '?';
	buf[i] = '\0';
	return buf;
}

static int
pattern_check(const char *p, char *why, size_t size)
{
	size_t len = strnlen(p, JITSIM_POOL_PATTERN_MAX);

	if (len == 0) {
		snprintf(why, size, "empty");
		return -EINVAL;
	}
	if (len >= JITSIM_POOL_PATTERN_MAX) {
		snprintf(why, size, "longer than %d characters", JITSIM_POOL_PATTERN_MAX - 1);
		return -EINVAL;
	}
	for (size_t i = 0; i < len; i++)
		if (p[i] < 0x20 || p[i] >= 0x7f) {
			snprintf(why, size, "control or non-ASCII character at offset %zu", i);
			return -EINVAL;
		}
	return 0;
}

int
jitsim_pool_rule_check(const struct jitsim_pool_rule *r, unsigned int i, const char *pool,
		       char *err, size_t errlen)
{
	char why[96], q[JITSIM_POOL_PATTERN_MAX];

	if (r->cls <= JITSIM_POOL_STANDARD || r->cls >= JITSIM_POOL_CLASS_COUNT) {
		snprintf(err, errlen, "pool %s: rule %u: class must be gold, platinum or vanity",
			 pool, i);
		return -EINVAL;
	}
	if (pattern_check(r->pattern, why, sizeof(why)) != 0) {
		/* The pattern may not be NUL-terminated here: quote a bounded copy. */
		char copy[JITSIM_POOL_PATTERN_MAX];

		memcpy(copy, r->pattern, sizeof(copy) - 1);
		copy[sizeof(copy) - 1] = '\0';
		snprintf(err, errlen, "pool %s: rule %u pattern '%s': %s", pool, i,
			 quote(copy, q, 48), why);
		return -EINVAL;
	}
	return 0;
}

static int
compile(const char *const *pats, const unsigned int *flags, const unsigned int *ids, unsigned int n,
	hs_database_t **db, hs_scratch_t **scratch, hs_compile_error_t **cerr)
{
	hs_error_t rc;

	*cerr = NULL;
	rc = hs_compile_multi(pats, flags, ids, n, HS_MODE_BLOCK, NULL, db, cerr);
	if (rc != HS_SUCCESS)
		return rc == HS_COMPILER_ERROR ? -EINVAL : -ENOMEM;
	if (hs_alloc_scratch(*db, scratch) != HS_SUCCESS) {
		hs_free_database(*db);
		*db = NULL;
		return -ENOMEM;
	}
	return 0;
}

int
jitsim_pool_class_compile(const struct jitsim_pool_rule *rules, unsigned int n, const char *pool,
			  hs_database_t **db, hs_scratch_t **scratch, char *err, size_t errlen)
{
	const char *pats[JITSIM_POOL_RULES_MAX];
	unsigned int flags[JITSIM_POOL_RULES_MAX], ids[JITSIM_POOL_RULES_MAX];
	hs_compile_error_t *cerr;
	char q[64];
	int rc;

	if (n == 0 || n > JITSIM_POOL_RULES_MAX) {
		snprintf(err, errlen, "pool %s: %u rules (1..%d)", pool, n, JITSIM_POOL_RULES_MAX);
		return -EINVAL;
	}
	for (unsigned int i = 0; i < n; i++) {
		rc = jitsim_pool_rule_check(&rules[i], i, pool, err, errlen);
		if (rc != 0)
			return rc;
		pats[i] = rules[i].pattern;
		flags[i] = HS_FLAG_SINGLEMATCH;
		ids[i] = (unsigned int)rules[i].cls;
	}
	rc = compile(pats, flags, ids, n, db, scratch, &cerr);
	if (rc == -EINVAL) {
		int i = cerr->expression;

		if (i >= 0 && (unsigned int)i < n)
			snprintf(err, errlen, "pool %s: rule %d (%s) pattern '%s': %s", pool, i,
				 jitsim_pool_class_str(rules[i].cls),
				 quote(rules[i].pattern, q, sizeof(q)), cerr->message);
		else
			snprintf(err, errlen, "pool %s: rules: %s", pool, cerr->message);
	} else if (rc != 0) {
		snprintf(err, errlen, "pool %s: rules: out of memory", pool);
	}
	if (cerr != NULL)
		hs_free_compile_error(cerr);
	return rc;
}

static int
on_class(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	 void *ctx)
{
	(void)from;
	(void)to;
	(void)flags;
	*(unsigned int *)ctx |= 1u << id;
	return 0;
}

enum jitsim_pool_class
jitsim_pool_class_match(const hs_database_t *db, hs_scratch_t *scratch, const char *s,
			unsigned int n)
{
	unsigned int mask = 0;

	(void)hs_scan(db, s, n, 0, scratch, on_class, &mask);
	if (mask == 0)
		return JITSIM_POOL_STANDARD;
	return (enum jitsim_pool_class)(31 - __builtin_clz(mask));
}

int
jitsim_pool_search_compile(const char *pattern, hs_database_t **db, hs_scratch_t **scratch,
			   char *err, size_t errlen)
{
	/* ALLOWEMPTY: "" or ".*" list every free number, as grep would. */
	const unsigned int flags = HS_FLAG_SINGLEMATCH | HS_FLAG_ALLOWEMPTY, id = 0;
	hs_compile_error_t *cerr;
	char why[96], q[64];
	int rc;

	rc = pattern_check(pattern, why, sizeof(why));
	if (rc != 0) {
		char copy[JITSIM_POOL_PATTERN_MAX];

		snprintf(copy, sizeof(copy), "%s", pattern);
		snprintf(err, errlen, "search pattern '%s': %s", quote(copy, q, sizeof(q)), why);
		return rc;
	}
	rc = compile(&pattern, &flags, &id, 1, db, scratch, &cerr);
	if (rc == -EINVAL)
		snprintf(err, errlen, "search pattern '%s': %s", quote(pattern, q, sizeof(q)),
			 cerr->message);
	else if (rc != 0)
		snprintf(err, errlen, "search pattern '%s': out of memory",
			 quote(pattern, q, sizeof(q)));
	if (cerr != NULL)
		hs_free_compile_error(cerr);
	return rc;
}

static int
on_search(unsigned int id, unsigned long long from, unsigned long long to, unsigned int flags,
	  void *ctx)
{
	(void)id;
	(void)from;
	(void)to;
	(void)flags;
	*(bool *)ctx = true;
	return 1; /* one match is enough: stop the scan */
}

bool
jitsim_pool_search_match(const hs_database_t *db, hs_scratch_t *scratch, const char *s,
			 unsigned int n)
{
	bool hit = false;

	(void)hs_scan(db, s, n, 0, scratch, on_search, &hit);
	return hit;
}
