/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "cpctl.h"
#include "cpctl_pool.h"
#include "cpctl_rules.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "flow_int.h"
#include "pool.h"
#include "rules.h"
#include "store.h"

#define PP_SEARCH_DEFAULT 100
#define PP_SEARCH_MAX 1000
/* pool.show counts the free numbers per class (a class check of each,
 * ~60 ns) by itself only up to this many free numbers: 60 ms of the
 * workflow thread. Beyond, only when asked (by_class yes). */
#define PP_BY_CLASS_AUTO 1000000

const struct jitsim_pool_def **
jitsim_cpctl_pool_all(const struct jitsim_pool_set *set, size_t *n)
{
	size_t k = jitsim_pool_list(set, NULL, 0);
	const struct jitsim_pool_def **a;

	*n = 0;
	if (k == 0)
		return NULL;
	a = calloc(k, sizeof(*a));
	if (a == NULL) {
		*n = SIZE_MAX;
		return NULL;
	}
	*n = jitsim_pool_list(set, a, k);
	return a;
}

int
jitsim_cpctl_pool_find(const struct jitsim_pool_set *set, const char *name,
		       struct jitsim_pool_def *out)
{
	size_t n;
	const struct jitsim_pool_def **a = jitsim_cpctl_pool_all(set, &n);
	int rc = -ENOENT;

	if (n == SIZE_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < n && rc != 0; i++)
		if (strcmp(a[i]->name, name) == 0) {
			*out = *a[i];
			rc = 0;
		}
	free(a);
	return rc;
}

static int
pp_find_id(const struct jitsim_pool_set *set, uint32_t id, struct jitsim_pool_def *out)
{
	size_t n;
	const struct jitsim_pool_def **a = jitsim_cpctl_pool_all(set, &n);
	int rc = -ENOENT;

	if (n == SIZE_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < n && rc != 0; i++)
		if (a[i]->id == id) {
			*out = *a[i];
			rc = 0;
		}
	free(a);
	return rc;
}

/* The state of one command's closure. */
struct pp_call {
	struct jitsim_cpctl *c;
	const struct jitsim_ctl_req *req;
	char *err;
	size_t errlen;
	json_t *result;
	/* inputs, by command */
	struct jitsim_pool_def def;
	char name[JITSIM_POOL_NAME_MAX];
	char region[JITSIM_RULES_NAME_MAX + 1];
	char pattern[JITSIM_POOL_PATTERN_MAX];
	enum jitsim_pool_class cls; /* JITSIM_POOL_CLASS_COUNT: any */
	uint64_t msisdn, imsi, limit;
	int by_class; /* -1: automatic */
};

/* @fn(@k) on the workflow thread; its k->result is the answer when it
 * returns 0, freed otherwise (so a failed @fn may leave it made). */
static int
pp_run(struct pp_call *k, int (*fn)(void *), json_t **result)
{
	return jitsim_cpctl_call_json(k->c, fn, k, &k->result, result, k->err, k->errlen);
}

/* Commit @b; the pool set follows (commit_done, or abort on failure). */
static int
pp_commit(struct jitsim_cpctl *c, struct jitsim_store_batch *b, char *err, size_t errlen)
{
	char serr[200];
	int rc = jitsim_store_commit(b, serr, sizeof(serr));

	if (rc == 0) {
		jitsim_pool_commit_done(c->pools, b);
		return 0;
	}
	jitsim_pool_abort(c->pools, b);
	return jitsim_cpctl_err(err, errlen, rc, "store commit failed, nothing changed: %s", serr);
}

static void
pp_digits(uint64_t key, char *buf, size_t len)
{
	if (jitsim_digits_key_format(key, buf, len) < 0)
		snprintf(buf, len, "?");
}

/* =====================================================================
 * Arguments
 * ===================================================================== */

/* A regular expression: printable ASCII (backslashes allowed, unlike
 * jitsim_cpctl_arg_str()), 1..@cap-1 characters. It never goes into an
 * audit line. */
static int
pp_arg_pattern(const json_t *args, const char *key, bool required, char *out, size_t cap, char *err,
	       size_t errlen)
{
	const json_t *v = json_object_get(args, key);
	size_t n;

	if (v == NULL || json_is_null(v)) {
		if (required)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: required, a pattern",
						key);
		return 0;
	}
	if (!json_is_string(v))
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: not a string", key);
	n = json_string_length(v);
	if (n == 0 || n >= cap)
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: 1..%zu characters", key,
					cap - 1);
	for (size_t i = 0; i < n; i++)
		if (json_string_value(v)[i] < 0x20 || json_string_value(v)[i] > 0x7e)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"%s: printable ASCII only (character %zu)", key,
						i + 1);
	memcpy(out, json_string_value(v), n + 1);
	return 0;
}

/* "quarantine": seconds, or a number with a unit s, m, h or d ("90d"). */
static int
pp_arg_quarantine(const json_t *args, uint32_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, "quarantine");
	static const struct {
		char unit;
		uint64_t mul;
	} units[] = {{'s', 1}, {'m', 60}, {'h', 3600}, {'d', 86400}};
	uint64_t x, mul = 1;
	const char *s;
	size_t n, digits;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0 &&
	    json_integer_value(v) <= UINT32_MAX) {
		*out = (uint32_t)json_integer_value(v);
		return 0;
	}
	s = json_is_string(v) ? json_string_value(v) : "";
	n = strlen(s);
	digits = strspn(s, "0123456789");
	if (digits > 0 && digits == n - 1) {
		mul = 0;
		for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++)
			if (s[n - 1] == units[i].unit)
				mul = units[i].mul;
	}
	if (digits == 0 || digits > 10 || mul == 0 || (digits != n && digits != n - 1))
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"quarantine: seconds, or a number with a unit s, m, h or d "
					"(e.g. 90d)");
	x = strtoull(s, NULL, 10);
	if (x * mul > UINT32_MAX)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"quarantine: at most %u seconds (about 136 years)",
					UINT32_MAX);
	*out = (uint32_t)(x * mul);
	return 0;
}

/* "FIRST-LAST" into a range. */
static int
pp_range_str(const char *s, unsigned int i, struct jitsim_pool_range *r, char *err, size_t errlen)
{
	const char *dash = strchr(s, '-');
	size_t a = dash != NULL ? (size_t)(dash - s) : 0, b = dash != NULL ? strlen(dash + 1) : 0;
	char buf[JITSIM_POOL_DIGITS_MAX + 1];

	if (a == 0 || b == 0 || a > JITSIM_POOL_DIGITS_MAX || b > JITSIM_POOL_DIGITS_MAX ||
	    strspn(s, "0123456789") != a || strspn(dash + 1, "0123456789") != b)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"ranges: entry %u is not FIRST-LAST (1..15 digits each)",
					i);
	memcpy(buf, s, a);
	buf[a] = '\0';
	r->first = jitsim_digits_key_str(buf);
	r->last = jitsim_digits_key_str(dash + 1);
	return 0;
}

/* The ranges: "from" and "to", or "ranges" ("F-L,F-L" or a JSON array of
 * "F-L" strings), not both. */
static int
pp_arg_ranges(const json_t *args, struct jitsim_pool_def *d, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, "ranges");
	char buf[JITSIM_POOL_RANGES_MAX * 32];
	int rc;

	if (v == NULL || json_is_null(v)) {
		rc = jitsim_cpctl_arg_digits(args, "from", true, 1, JITSIM_POOL_DIGITS_MAX,
					     &d->ranges[0].first, err, errlen);
		if (rc == 0)
			rc = jitsim_cpctl_arg_digits(args, "to", true, 1, JITSIM_POOL_DIGITS_MAX,
						     &d->ranges[0].last, err, errlen);
		if (rc == 0)
			d->nranges = 1;
		return rc;
	}
	if (json_object_get(args, "from") != NULL || json_object_get(args, "to") != NULL)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"ranges: give from/to or ranges, not both");
	if (json_is_array(v)) {
		size_t i;
		const json_t *e;

		if (json_array_size(v) == 0 || json_array_size(v) > JITSIM_POOL_RANGES_MAX)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "ranges: 1..%d entries",
						JITSIM_POOL_RANGES_MAX);
		json_array_foreach(v, i, e)
		{
			if (!json_is_string(e))
				return jitsim_cpctl_err(err, errlen, -EINVAL,
							"ranges: entry %zu is not a string", i + 1);
			rc = pp_range_str(json_string_value(e), (unsigned int)i + 1,
					  &d->ranges[d->nranges++], err, errlen);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (!json_is_string(v) || json_string_length(v) >= sizeof(buf))
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"ranges: FIRST-LAST[,FIRST-LAST...], at most %d",
					JITSIM_POOL_RANGES_MAX);
	snprintf(buf, sizeof(buf), "%s", json_string_value(v));
	for (char *p = buf, *end;; p = end + 1) {
		end = strchr(p, ',');
		if (end != NULL)
			*end = '\0';
		if (d->nranges == JITSIM_POOL_RANGES_MAX)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "ranges: more than %d",
						JITSIM_POOL_RANGES_MAX);
		rc = pp_range_str(p, d->nranges + 1, &d->ranges[d->nranges], err, errlen);
		if (rc != 0)
			return rc;
		d->nranges++;
		if (end == NULL)
			return 0;
	}
}

/* Class rules: "gold", "platinum", "vanity" (one pattern each: join
 * several with |), or "rules", a JSON array of {"class","pattern"}. */
static int
pp_arg_rules(const json_t *args, struct jitsim_pool_def *d, char *err, size_t errlen)
{
	static const enum jitsim_pool_class named[] = {JITSIM_POOL_GOLD, JITSIM_POOL_PLATINUM,
						       JITSIM_POOL_VANITY};
	const json_t *v = json_object_get(args, "rules"), *e;
	size_t i;
	int rc;

	for (i = 0; i < sizeof(named) / sizeof(named[0]); i++) {
		struct jitsim_pool_rule *r = &d->rules[d->nrules];
		const char *key = jitsim_pool_class_str(named[i]);

		if (json_object_get(args, key) == NULL)
			continue;
		rc = pp_arg_pattern(args, key, true, r->pattern, sizeof(r->pattern), err, errlen);
		if (rc != 0)
			return rc;
		r->cls = named[i];
		d->nrules++;
	}
	if (v == NULL || json_is_null(v))
		return 0;
	if (!json_is_array(v) || json_array_size(v) + d->nrules > JITSIM_POOL_RULES_MAX)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"rules: an array of at most %d {\"class\",\"pattern\"}",
					JITSIM_POOL_RULES_MAX);
	json_array_foreach(v, i, e)
	{
		struct jitsim_pool_rule *r = &d->rules[d->nrules];
		const json_t *cl = json_object_get(e, "class");

		if (!json_is_object(e) || json_object_size(e) != 2 || !json_is_string(cl) ||
		    jitsim_pool_class_parse(json_string_value(cl), &r->cls) != 0 ||
		    r->cls == JITSIM_POOL_STANDARD)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"rules: entry %zu: {\"class\": gold, platinum or "
						"vanity, \"pattern\"}",
						i + 1);
		rc = pp_arg_pattern(e, "pattern", true, r->pattern, sizeof(r->pattern), err,
				    errlen);
		if (rc != 0)
			return jitsim_cpctl_err(err, errlen, rc,
						"rules: entry %zu: pattern: 1..%d "
						"printable characters",
						i + 1, JITSIM_POOL_PATTERN_MAX - 1);
		d->nrules++;
	}
	return 0;
}

/* =====================================================================
 * JSON of a pool
 * ===================================================================== */

static json_t *
pp_pool_row(struct jitsim_pool_set *set, const struct jitsim_pool_def *d)
{
	struct jitsim_pool_stats st;

	if (jitsim_pool_stats(set, d->id, false, &st) != 0)
		memset(&st, 0, sizeof(st));
	return json_pack("{s:s,s:I,s:i,s:i,s:I,s:I,s:I,s:I,s:I,s:I}", "name", d->name, "id",
			 (json_int_t)d->id, "tenant", (int)d->tenant, "region", (int)d->region,
			 "size", (json_int_t)st.size, "taken", (json_int_t)st.taken, "free",
			 (json_int_t)st.free, "quarantined", (json_int_t)st.quarantined, "reserved",
			 (json_int_t)st.reserved, "quarantine", (json_int_t)d->quarantine);
}

/* pool.show: the row, the ranges, the rules, and free numbers by class
 * when @by_class (-1: when the pool is small enough). */
static json_t *
pp_pool_full(struct jitsim_pool_set *set, const struct jitsim_pool_def *d, int by_class)
{
	json_t *o = pp_pool_row(set, d), *ranges = json_array(), *rules = json_array();
	struct jitsim_pool_stats st;
	int rc = o != NULL && ranges != NULL && rules != NULL ? 0 : -ENOMEM;

	for (unsigned int i = 0; rc == 0 && i < d->nranges; i++) {
		char a[JITSIM_DIGITS_MAX + 1], b[JITSIM_DIGITS_MAX + 1];

		pp_digits(d->ranges[i].first, a, sizeof(a));
		pp_digits(d->ranges[i].last, b, sizeof(b));
		if (json_array_append_new(
			    ranges,
			    json_pack("{s:s,s:s,s:I}", "from", a, "to", b, "size",
				      (json_int_t)((d->ranges[i].last - d->ranges[i].first) +
						   1))) != 0)
			rc = -ENOMEM;
	}
	for (unsigned int i = 0; rc == 0 && i < d->nrules; i++)
		if (json_array_append_new(rules, json_pack("{s:s,s:s}", "class",
							   jitsim_pool_class_str(d->rules[i].cls),
							   "pattern", d->rules[i].pattern)) != 0)
			rc = -ENOMEM;
	if (rc == 0 &&
	    (json_object_set(o, "ranges", ranges) != 0 ||
	     json_object_set_new(o, "rules",
				 d->nrules > 0 ? json_incref(rules) : json_string("default")) != 0))
		rc = -ENOMEM;
	if (rc == 0 && jitsim_pool_stats(set, d->id, false, &st) == 0 &&
	    (by_class == 1 || (by_class == -1 && st.free <= PP_BY_CLASS_AUTO))) {
		json_t *fc = json_object();

		jitsim_pool_stats(set, d->id, true, &st);
		for (unsigned int c = 0; fc != NULL && c < JITSIM_POOL_CLASS_COUNT; c++)
			json_object_set_new(fc, jitsim_pool_class_str(c),
					    json_integer((json_int_t)st.free_by_class[c]));
		if (fc == NULL || json_object_set_new(o, "free_by_class", fc) != 0)
			rc = -ENOMEM;
	}
	json_decref(ranges);
	json_decref(rules);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* =====================================================================
 * pool.add
 * ===================================================================== */

static int
pp_add_fn(void *arg)
{
	struct pp_call *k = arg;
	struct jitsim_pool_set *set = k->c->pools;
	struct jitsim_rules_region g;
	struct jitsim_pool_def added;
	struct jitsim_store_batch *b;
	uint64_t size = 0;
	char fields[256];
	int rc;

	rc = jitsim_cpctl_region_resolve(k->c->rules, "region", k->region, &g, k->err, k->errlen);
	if (rc != 0)
		return rc;
	k->def.region = g.id;
	if (k->def.id == 0) {
		size_t n;
		const struct jitsim_pool_def **a = jitsim_cpctl_pool_all(set, &n);
		uint32_t max = 0;

		if (n == SIZE_MAX)
			return -ENOMEM;
		for (size_t i = 0; i < n; i++)
			if (a[i]->id > max)
				max = a[i]->id;
		free(a);
		if (max >= JITSIM_POOL_ALL - 1)
			return jitsim_cpctl_err(
				k->err, k->errlen, -ENOSPC,
				"pool_id: no free pool id after %" PRIu32 ", give one", max);
		k->def.id = max + 1;
	}
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_pool_add(set, &k->def, b, k->err, k->errlen);
	if (rc == 0) {
		for (unsigned int i = 0; i < k->def.nranges; i++)
			size += k->def.ranges[i].last - k->def.ranges[i].first + 1;
		/* The name is checked by jitsim_pool_add(): [A-Za-z0-9._-]. */
		snprintf(fields, sizeof(fields),
			 "\"pool\":\"%s\",\"id\":%" PRIu32 ",\"tenant\":%u,\"region\":%u,"
			 "\"size\":%" PRIu64 ",\"quarantine\":%" PRIu32 ",\"rules\":%u",
			 k->def.name, k->def.id, k->def.tenant, k->def.region, size,
			 k->def.quarantine, k->def.nrules);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = pp_commit(k->c, b, k->err, k->errlen);
	} else {
		jitsim_pool_abort(set, b);
	}
	jitsim_store_batch_free(b);
	if (rc != 0)
		return rc;
	rc = pp_find_id(set, k->def.id, &added);
	if (rc == 0)
		k->result = pp_pool_full(set, &added, -1);
	return rc != 0 ? rc : k->result != NULL ? 0 : -ENOMEM;
}

static int
pp_add(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	uint64_t id = 0, tenant = 0;
	int rc;

	rc = jitsim_cpctl_arg_str(req->args, "name", true, k.def.name, sizeof(k.def.name), err,
				  errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "pool_id", JITSIM_POOL_ALL - 1, &id, err,
					  errlen);
	if (rc == 0 && id == 0 && json_object_get(req->args, "pool_id") != NULL)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "pool_id: 1..%" PRIu32,
				      JITSIM_POOL_ALL - 1);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "tenant", UINT16_MAX, &tenant, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(req->args, "region", true, k.region, sizeof(k.region),
					  err, errlen);
	if (rc == 0)
		rc = pp_arg_ranges(req->args, &k.def, err, errlen);
	if (rc == 0)
		rc = pp_arg_quarantine(req->args, &k.def.quarantine, err, errlen);
	if (rc == 0)
		rc = pp_arg_rules(req->args, &k.def, err, errlen);
	if (rc != 0)
		return rc;
	k.def.id = (uint32_t)id;
	k.def.tenant = (uint16_t)tenant;
	return pp_run(&k, pp_add_fn, result);
}

/* =====================================================================
 * pool.list, pool.show
 * ===================================================================== */

static int
pp_list_fn(void *arg)
{
	struct pp_call *k = arg;
	size_t n;
	const struct jitsim_pool_def **a = jitsim_cpctl_pool_all(k->c->pools, &n);
	json_t *arr = json_array();
	int rc = n != SIZE_MAX && arr != NULL ? 0 : -ENOMEM;

	for (size_t i = 0; rc == 0 && i < n; i++)
		if (json_array_append_new(arr, pp_pool_row(k->c->pools, a[i])) != 0)
			rc = -ENOMEM;
	free(a);
	k->result = arr;
	return rc;
}

static int
pp_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};

	return pp_run(&k, pp_list_fn, result);
}

static int
pp_show_fn(void *arg)
{
	struct pp_call *k = arg;
	struct jitsim_pool_def d;
	int rc = jitsim_cpctl_pool_find(k->c->pools, k->name, &d);

	if (rc == -ENOENT)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "name: no pool %s", k->name);
	if (rc != 0)
		return rc;
	k->result = pp_pool_full(k->c->pools, &d, k->by_class);
	return k->result != NULL ? 0 : -ENOMEM;
}

static int
pp_show(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {
		.c = req->arg, .req = req, .err = err, .errlen = errlen, .by_class = -1};
	bool by_class = false;
	int rc;

	rc = jitsim_cpctl_arg_str(req->args, "name", true, k.name, sizeof(k.name), err, errlen);
	if (rc == 0 && json_object_get(req->args, "by_class") != NULL) {
		rc = jitsim_cpctl_arg_bool(req->args, "by_class", &by_class, err, errlen);
		k.by_class = by_class ? 1 : 0;
	}
	if (rc != 0)
		return rc;
	return pp_run(&k, pp_show_fn, result);
}

/* =====================================================================
 * pool.reserve, pool.release
 * ===================================================================== */

/* The pool of @msisdn: 0, or -ENOENT with @err naming the number. */
static int
pp_pool_of(struct pp_call *k, struct jitsim_pool_def *d, enum jitsim_pool_class *cls)
{
	char m[JITSIM_DIGITS_MAX + 1];
	uint32_t id = 0;
	int rc = jitsim_pool_class_of(k->c->pools, k->msisdn, cls, &id);

	if (rc == 0)
		rc = pp_find_id(k->c->pools, id, d);
	if (rc == -ENOENT) {
		pp_digits(k->msisdn, m, sizeof(m));
		jitsim_cpctl_err(k->err, k->errlen, rc, "msisdn: %s is in no pool", m);
	}
	return rc;
}

static int
pp_reserve_fn(void *arg)
{
	struct pp_call *k = arg;
	struct jitsim_pool_def d;
	enum jitsim_pool_class cls;
	struct jitsim_store_batch *b;
	struct jitsim_rec r;
	char m[JITSIM_DIGITS_MAX + 1], imsi[JITSIM_DIGITS_MAX + 1], serr[200], fields[160];
	int rc;

	pp_digits(k->msisdn, m, sizeof(m));
	pp_digits(k->imsi, imsi, sizeof(imsi));
	rc = pp_pool_of(k, &d, &cls);
	if (rc != 0)
		return rc;
	rc = jitsim_store_sim_get(k->c->store, k->imsi, &r, serr, sizeof(serr));
	if (rc == -ENOENT)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "imsi: IMSI %s is not in the store",
					imsi);
	if (rc != 0)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "imsi: IMSI %s: %s", imsi, serr);
	/* Allocation hands a reservation to its IMSI whatever the pool's
	 * tenant: a number of another tenant must not get that far. */
	if (r.tenant != d.tenant)
		return jitsim_cpctl_err(k->err, k->errlen, -EINVAL,
					"msisdn: %s is in pool %s of tenant %u, IMSI %s is of "
					"tenant %u",
					m, d.name, d.tenant, imsi, r.tenant);
	/* Only a SIM that will still be given a number can use one: not one
	 * that has a number, is being activated, or is retired. */
	if (flow_find(k->c->flow, k->imsi) != NULL)
		return jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
					"imsi: IMSI %s has an activation in progress", imsi);
	if (r.msisdn != 0) {
		char have[JITSIM_DIGITS_MAX + 1];

		pp_digits(r.msisdn, have, sizeof(have));
		return jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
					"imsi: IMSI %s already has MSISDN %s", imsi, have);
	}
	if (r.state != JITSIM_SIM_INVENTORY && r.state != JITSIM_SIM_LOCKED &&
	    r.state != JITSIM_SIM_BLOCKED)
		return jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
					"imsi: IMSI %s is %s: only a SIM not yet activated can "
					"hold a reservation",
					imsi, jitsim_sim_state_name(r.state));
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_pool_reserve(k->c->pools, k->msisdn, k->imsi, b, k->err, k->errlen);
	if (rc == 0) {
		snprintf(fields, sizeof(fields),
			 "\"msisdn\":\"%s\",\"imsi\":\"%s\",\"pool\":\"%s\"", m, imsi, d.name);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = pp_commit(k->c, b, k->err, k->errlen);
	} else {
		jitsim_pool_abort(k->c->pools, b);
	}
	jitsim_store_batch_free(b);
	if (rc != 0)
		return rc;
	k->result = json_pack("{s:s,s:s,s:s,s:s}", "msisdn", m, "imsi", imsi, "pool", d.name,
			      "class", jitsim_pool_class_str(cls));
	return k->result != NULL ? 0 : -ENOMEM;
}

static int
pp_reserve(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	int rc;

	rc = jitsim_cpctl_arg_digits(req->args, "msisdn", true, 1, JITSIM_POOL_DIGITS_MAX,
				     &k.msisdn, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_imsi(req->args, &k.imsi, err, errlen);
	if (rc != 0)
		return rc;
	return pp_run(&k, pp_reserve_fn, result);
}

/*
 * A taken number: refused while its IMSI has an activation in progress or
 * while a SIM that may use it in the network names it (ACTIVE, SLEEPING,
 * LOCKED, BLOCKED, ...); the record of an INVENTORY SIM (a number that
 * came with the import) or of a RETIRED one loses it in the same batch.
 * Then its MSISDN entry goes and it waits in quarantine. A reserved
 * number: the reservation is dropped and it is free at once (it was never
 * given to anyone).
 */
static int
pp_release_fn(void *arg)
{
	struct pp_call *k = arg;
	struct jitsim_pool_def d;
	enum jitsim_pool_class cls;
	struct jitsim_store_batch *b;
	struct jitsim_rec r;
	bool taken, unassign = false;
	uint64_t imsi = 0;
	uint32_t now = flow_now_s();
	char m[JITSIM_DIGITS_MAX + 1], im[JITSIM_DIGITS_MAX + 1] = "", serr[200], fields[160];
	int rc;

	pp_digits(k->msisdn, m, sizeof(m));
	rc = pp_pool_of(k, &d, &cls);
	if (rc != 0)
		return rc;
	rc = jitsim_store_msisdn_get(k->c->store, k->msisdn, &imsi);
	if (rc != 0 && rc != -ENOENT)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "msisdn %s: index read error", m);
	taken = rc == 0;
	if (taken) {
		pp_digits(imsi, im, sizeof(im));
		if (flow_find(k->c->flow, imsi) != NULL)
			return jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
						"msisdn: %s belongs to IMSI %s, whose activation "
						"is in progress",
						m, im);
		rc = jitsim_store_sim_get(k->c->store, imsi, &r, serr, sizeof(serr));
		if (rc != 0 && rc != -ENOENT)
			return jitsim_cpctl_err(k->err, k->errlen, rc, "msisdn %s: IMSI %s: %s", m,
						im, serr);
		/* An index entry whose record names another number is stale
		 * (store.h): releasing it is the cleanup. */
		if (rc == 0 && r.msisdn == k->msisdn) {
			if (r.state != JITSIM_SIM_INVENTORY && r.state != JITSIM_SIM_RETIRED)
				return jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
							"msisdn: %s belongs to IMSI %s (%s)", m, im,
							jitsim_sim_state_name(r.state));
			unassign = true;
		}
	}
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	if (taken) {
		rc = jitsim_pool_release(k->c->pools, k->msisdn, now, b, k->err, k->errlen);
		if (rc == 0 && unassign) {
			r.msisdn = 0;
			r.updated = now;
			rc = jitsim_store_batch_put_sim(b, &r);
			if (rc != 0)
				jitsim_cpctl_err(k->err, k->errlen, rc,
						 "IMSI %s: record out of range", im);
		}
	} else {
		rc = jitsim_pool_unreserve(k->c->pools, k->msisdn, b, k->err, k->errlen);
		if (rc == -ENOENT)
			jitsim_cpctl_err(k->err, k->errlen, rc,
					 "msisdn: %s is neither taken nor reserved (free, or in "
					 "quarantine)",
					 m);
	}
	if (rc == 0) {
		snprintf(fields, sizeof(fields),
			 "\"msisdn\":\"%s\",\"pool\":\"%s\",\"was\":\"%s\",\"imsi\":\"%s\"", m,
			 d.name, taken ? "taken" : "reserved", im);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = pp_commit(k->c, b, k->err, k->errlen);
	} else {
		jitsim_pool_abort(k->c->pools, b);
	}
	jitsim_store_batch_free(b);
	if (rc != 0)
		return rc;
	if (unassign)
		flow_dp_put(k->c->flow, &r);
	k->result = json_pack("{s:s,s:s,s:s,s:o,s:I}", "msisdn", m, "pool", d.name, "was",
			      taken ? "taken" : "reserved", "imsi",
			      taken ? json_string(im) : json_null(), "free_at",
			      (json_int_t)(taken ? (uint64_t)now + d.quarantine : now));
	return k->result != NULL ? 0 : -ENOMEM;
}

static int
pp_release(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	int rc;

	rc = jitsim_cpctl_arg_digits(req->args, "msisdn", true, 1, JITSIM_POOL_DIGITS_MAX,
				     &k.msisdn, err, errlen);
	if (rc != 0)
		return rc;
	return pp_run(&k, pp_release_fn, result);
}

/* =====================================================================
 * number.search
 * ===================================================================== */

static int
pp_search_fn(void *arg)
{
	struct pp_call *k = arg;
	struct jitsim_pool_set *set = k->c->pools;
	uint32_t id = JITSIM_POOL_ALL;
	struct jitsim_pool_def d = {.id = JITSIM_POOL_ALL};
	uint64_t *out;
	size_t n = 0;
	json_t *arr;
	int rc;

	if (k->name[0] != '\0') {
		rc = jitsim_cpctl_pool_find(set, k->name, &d);
		if (rc == -ENOENT)
			return jitsim_cpctl_err(k->err, k->errlen, rc, "pool: no pool %s", k->name);
		if (rc != 0)
			return rc;
		id = d.id;
	}
	out = calloc(k->limit > 0 ? k->limit : 1, sizeof(*out));
	arr = json_array();
	if (out == NULL || arr == NULL) {
		free(out);
		json_decref(arr);
		return -ENOMEM;
	}
	rc = jitsim_pool_search_class(set, id, k->pattern, k->cls, k->limit, out, &n, k->err,
				      k->errlen);
	for (size_t i = 0; rc == 0 && i < n; i++) {
		enum jitsim_pool_class cls = JITSIM_POOL_STANDARD;
		char m[JITSIM_DIGITS_MAX + 1];
		uint32_t pid = 0;

		pp_digits(out[i], m, sizeof(m));
		if (jitsim_pool_class_of(set, out[i], &cls, &pid) != 0 ||
		    (pid != d.id && pp_find_id(set, pid, &d) != 0))
			snprintf(d.name, sizeof(d.name), "?");
		d.id = pid;
		if (json_array_append_new(arr,
					  json_pack("{s:s,s:s,s:s}", "msisdn", m, "pool", d.name,
						    "class", jitsim_pool_class_str(cls))) != 0)
			rc = -ENOMEM;
	}
	free(out);
	k->result = arr;
	return rc;
}

static int
pp_search(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct pp_call k = {.c = req->arg,
			    .req = req,
			    .err = err,
			    .errlen = errlen,
			    .cls = JITSIM_POOL_CLASS_COUNT,
			    .limit = PP_SEARCH_DEFAULT};
	char cls[16] = "";
	int rc;

	rc = pp_arg_pattern(req->args, "pattern", true, k.pattern, sizeof(k.pattern), err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(req->args, "pool", false, k.name, sizeof(k.name), err,
					  errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(req->args, "class", false, cls, sizeof(cls), err, errlen);
	if (rc == 0 && cls[0] != '\0' && jitsim_pool_class_parse(cls, &k.cls) != 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL,
				      "class: standard, gold, platinum or vanity");
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(req->args, "limit", PP_SEARCH_MAX, &k.limit, err, errlen);
	if (rc == 0 && k.limit == 0)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "limit: 1..%d", PP_SEARCH_MAX);
	if (rc != 0)
		return rc;
	return pp_run(&k, pp_search_fn, result);
}

int
jitsim_cpctl_pool_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	static const struct {
		const char *name;
		jitsim_ctlsrv_handler_t fn;
		bool change;
		const char *help;
	} cmds[] = {
		{"pool.add", pp_add, true,
		 "add a number pool (name, region, from+to or ranges, [pool_id], [tenant], "
		 "[quarantine], [gold|platinum|vanity] or [rules])"},
		{"pool.list", pp_list, false, "pools with their counters"},
		{"pool.show", pp_show, false,
		 "one pool: ranges, rules, free numbers by class (name)"},
		{"pool.reserve", pp_reserve, true,
		 "hold a free number for a SIM's first attach (msisdn, imsi)"},
		{"pool.release", pp_release, true,
		 "release a taken number into quarantine, or drop a reservation (msisdn)"},
		{"number.search", pp_search, false,
		 "free numbers matching a pattern (pattern, [pool], [class], [limit])"},
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		rc = cmds[i].change ? jitsim_ctlsrv_register_change(srv, cmds[i].name, cmds[i].fn,
								    c, cmds[i].help)
				    : jitsim_ctlsrv_register(srv, cmds[i].name, cmds[i].fn, c,
							     cmds[i].help);
	return rc;
}
