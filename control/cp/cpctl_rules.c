/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "cpctl.h"
#include "cpctl_pool.h"
#include "cpctl_rules.h"
#include "cpctl_util.h"
#include "hlrs.h"
#include "ctlsrv.h"
#include "rules.h"
#include "store.h"

/* Visited-network matches one region.add may give. The list replaces the
 * region's matches, so it has to fit one request: 256 entries of up to
 * 255 bytes stay under the socket's 64 KiB line. */
#define RL_MATCH_MAX 256

/* --- lists of the rules, copied out (workflow thread) ---
 * One copier per definition type (the listers differ only in their
 * element type); the count and the copy agree because this thread is the
 * rules' only writer. */

#define RL_LIST_FN(fn, type, lister)                             \
	static type *fn(struct jitsim_rules *r, unsigned int *n) \
	{                                                        \
		unsigned int k = lister(r, NULL, 0);             \
		type *a = calloc(k > 0 ? k : 1, sizeof(*a));     \
                                                                 \
		*n = 0;                                          \
		if (a != NULL) {                                 \
			unsigned int m = lister(r, a, k);        \
			*n = m < k ? m : k;                      \
		}                                                \
		return a;                                        \
	}

RL_LIST_FN(rl_hlrs, struct jitsim_rules_hlr, jitsim_rules_hlr_list)
RL_LIST_FN(rl_regions, struct jitsim_rules_region, jitsim_rules_region_list)
RL_LIST_FN(rl_visited, struct jitsim_rules_visited, jitsim_rules_visited_list)
RL_LIST_FN(rl_devices, struct jitsim_rules_device, jitsim_rules_device_list)

int
jitsim_cpctl_region_resolve(struct jitsim_rules *r, const char *key, const char *s,
			    struct jitsim_rules_region *out, char *err, size_t errlen)
{
	struct jitsim_rules_region *g;
	unsigned int n;
	size_t len = strlen(s);
	bool by_id = len > 0 && len <= 5 && strspn(s, "0123456789") == len;
	unsigned long id = by_id ? strtoul(s, NULL, 10) : 0;
	int rc = -ENOENT;

	if (len == 0 || len > JITSIM_RULES_NAME_MAX || (by_id && (id == 0 || id > UINT16_MAX)))
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"%s: a region id (1..65535) or a region name", key);
	g = rl_regions(r, &n);
	if (g == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && rc != 0; i++)
		if ((by_id && g[i].id == id) || (!by_id && strcmp(g[i].name, s) == 0)) {
			*out = g[i];
			rc = 0;
		}
	free(g);
	if (rc != 0)
		jitsim_cpctl_err(err, errlen, rc, "%s: no region %s", key, s);
	return rc;
}

/* --- arguments: jitsimctl sends strings, the rules' JSON wants types --- */

/* Copy the unsigned number @key of @args into @o as an integer @as. */
static int
rl_int_as(const json_t *args, const char *key, const char *as, bool required, uint64_t max,
	  json_t *o, char *err, size_t errlen)
{
	uint64_t v = UINT64_MAX;
	int rc = jitsim_cpctl_arg_u64(args, key, max, &v, err, errlen);

	if (rc != 0)
		return rc;
	if (v == UINT64_MAX) {
		if (required)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: required, 0..%" PRIu64,
						key, max);
		return 0;
	}
	return json_object_set_new(o, as, json_integer((json_int_t)v)) == 0 ? 0 : -ENOMEM;
}

/* Copy the unsigned number @key of @args into @o as an integer. */
static int
rl_int(const json_t *args, const char *key, bool required, uint64_t max, json_t *o, char *err,
       size_t errlen)
{
	return rl_int_as(args, key, key, required, max, o, err, errlen);
}

/* Copy the string @key of @args (checked: printable, no quotes) into @o;
 * @dflt when absent (NULL: required, or left out when !@required). */
static int
rl_str(const json_t *args, const char *key, bool required, const char *dflt, json_t *o, char *err,
       size_t errlen)
{
	char buf[JITSIM_RULES_ADDR_MAX + 2] = "";
	int rc = jitsim_cpctl_arg_str(args, key, required && dflt == NULL, buf, sizeof(buf), err,
				      errlen);

	if (rc != 0)
		return rc;
	if (buf[0] == '\0') {
		if (dflt == NULL)
			return 0;
		snprintf(buf, sizeof(buf), "%s", dflt);
	}
	return json_object_set_new(o, key, json_string(buf)) == 0 ? 0 : -ENOMEM;
}

/* A definition's JSON, or -ENOMEM. */
static int
rl_set(json_t **result, json_t *o)
{
	*result = o;
	return o != NULL ? 0 : -ENOMEM;
}

/* Commit @b (the change and its audit line). */
static int
rl_commit(struct jitsim_store_batch *b, char *err, size_t errlen)
{
	char serr[200];
	int rc = jitsim_store_commit(b, serr, sizeof(serr));

	if (rc != 0)
		jitsim_cpctl_err(err, errlen, rc, "store commit failed, nothing changed: %s", serr);
	return rc;
}

/* The state of one command's closure. */
struct rl_call {
	struct jitsim_cpctl *c;
	const struct jitsim_ctl_req *req;
	char *err;
	size_t errlen;
	json_t *result;
	/* inputs, by command */
	struct jitsim_rules_hlr hlr;
	struct jitsim_rules_region region;
	struct jitsim_rules_device dev;
	char name[JITSIM_RULES_NAME_MAX + 1];
	bool has_match;
	unsigned int nmatch;
	struct jitsim_rules_visited *match;
};

/* @fn(@k) on the workflow thread; its k->result is the answer when it
 * returns 0, freed otherwise (so a failed @fn may leave it made). */
static int
rl_run(struct rl_call *k, int (*fn)(void *), json_t **result)
{
	return jitsim_cpctl_call_json(k->c, fn, k, &k->result, result, k->err, k->errlen);
}

/* A command without arguments (a list): @fn on a closure of @req. */
static int
rl_run_req(const struct jitsim_ctl_req *req, int (*fn)(void *), json_t **result, char *err,
	   size_t errlen)
{
	struct rl_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};

	return rl_run(&k, fn, result);
}

/* A command whose one argument is the required "name" (a remove). */
static int
rl_run_named(const struct jitsim_ctl_req *req, int (*fn)(void *), json_t **result, char *err,
	     size_t errlen)
{
	struct rl_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	int rc = jitsim_cpctl_arg_str(req->args, "name", true, k.name, sizeof(k.name), err, errlen);

	if (rc != 0)
		return rc;
	return rl_run(&k, fn, result);
}

/* =====================================================================
 * hlr.add, hlr.list, hlr.remove
 * ===================================================================== */

static int
rl_hlr_find(struct jitsim_rules *r, const char *name, struct jitsim_rules_hlr *out)
{
	unsigned int n;
	struct jitsim_rules_hlr *h = rl_hlrs(r, &n);
	int rc = -ENOENT;

	if (h == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && rc != 0; i++)
		if (strcmp(h[i].name, name) == 0) {
			*out = h[i];
			rc = 0;
		}
	free(h);
	return rc;
}

static int
rl_hlr_add_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_hlr old;
	struct jitsim_store_batch *b;
	char fields[160];
	bool had;
	int rc;

	rc = rl_hlr_find(r, k->hlr.name, &old);
	if (rc == -ENOMEM)
		return rc;
	had = rc == 0;
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_rules_hlr_add(r, &k->hlr, b, k->err, k->errlen);
	if (rc == 0) {
		snprintf(fields, sizeof(fields), "\"name\":\"%s\",\"id\":%u,\"kind\":\"%s\"",
			 k->hlr.name, k->hlr.id, jitsim_hlr_kind_name(k->hlr.kind));
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
		if (rc != 0) {
			char e2[128];

			if (had)
				jitsim_rules_hlr_add(r, &old, NULL, e2, sizeof(e2));
			else
				jitsim_rules_hlr_remove(r, k->hlr.name, NULL, e2, sizeof(e2));
		}
	}
	jitsim_store_batch_free(b);
	if (rc == 0)
		rc = rl_set(&k->result, jitsim_rules_hlr_to_json(&k->hlr));
	return rc;
}

static int
rl_hlr_add(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct rl_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	json_t *o = json_object();
	int rc;

	if (o == NULL)
		return -ENOMEM;
	rc = rl_str(req->args, "name", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = rl_int_as(req->args, "hlr_id", "id", true, UINT16_MAX, o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "kind", false, "outbox", o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "address", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = jitsim_rules_hlr_from_json(o, &k.hlr, err, errlen);
	json_decref(o);
	if (rc != 0)
		return rc;
	return rl_run(&k, rl_hlr_add_fn, result);
}

static int
rl_hlr_list_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	unsigned int nh, ng;
	struct jitsim_rules_hlr *h = rl_hlrs(r, &nh);
	struct jitsim_rules_region *g = rl_regions(r, &ng);
	json_t *arr = json_array();
	int rc = 0;

	if (h == NULL || g == NULL || arr == NULL)
		rc = -ENOMEM;
	for (unsigned int i = 0; rc == 0 && i < nh; i++) {
		json_t *o = jitsim_rules_hlr_to_json(&h[i]);
		json_int_t used = 0;

		for (unsigned int j = 0; j < ng; j++)
			used += strcmp(g[j].hlr, h[i].name) == 0;
		if (o == NULL || json_object_set_new(o, "regions", json_integer(used)) != 0 ||
		    json_array_append_new(arr, o) != 0)
			rc = -ENOMEM;
		if (rc == 0 && k->c->hlrs != NULL) {
			char msg[200];
			int hr = jitsim_cp_hlrs_health(k->c->hlrs, h[i].id, msg, sizeof(msg));

			json_object_set_new(o, "health",
					    json_string(hr == 0		? "ok"
							: hr == -ENOENT ? "idle"
									: "down"));
			json_object_set_new(o, "adapter", json_string(msg));
		}
	}
	free(h);
	free(g);
	k->result = arr;
	return rc;
}

static int
rl_hlr_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_req(req, rl_hlr_list_fn, result, err, errlen);
}

static int
rl_hlr_remove_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_hlr old;
	struct jitsim_store_batch *b;
	char fields[80];
	int rc;

	rc = rl_hlr_find(r, k->name, &old);
	if (rc == -ENOENT)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "name: no hlr %s", k->name);
	if (rc != 0)
		return rc;
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_rules_hlr_remove(r, k->name, b, k->err, k->errlen);
	if (rc == 0) {
		snprintf(fields, sizeof(fields), "\"name\":\"%s\",\"id\":%u", old.name, old.id);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
		if (rc != 0) {
			char e2[128];

			jitsim_rules_hlr_add(r, &old, NULL, e2, sizeof(e2));
		}
	}
	jitsim_store_batch_free(b);
	if (rc == 0)
		rc = rl_set(&k->result, jitsim_rules_hlr_to_json(&old));
	return rc;
}

static int
rl_hlr_remove(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_named(req, rl_hlr_remove_fn, result, err, errlen);
}

/* =====================================================================
 * region.add, region.list, region.remove
 * ===================================================================== */

static const struct {
	const char *word;
	uint8_t match;
} rl_match_words[] = {
	{"gt", JITSIM_RULES_M_GT_PREFIX},
	{"gt_prefix", JITSIM_RULES_M_GT_PREFIX},
	{"plmn", JITSIM_RULES_M_PLMN},
	{"host", JITSIM_RULES_M_ORIGIN_HOST},
	{"origin_host", JITSIM_RULES_M_ORIGIN_HOST},
};

/* The short word of a match kind, as region.list shows it. */
static const char *
rl_match_word(uint8_t m)
{
	return m == JITSIM_RULES_M_GT_PREFIX ? "gt" : m == JITSIM_RULES_M_PLMN ? "plmn" : "host";
}

/* One "kind:value" entry (@s, @len bytes) of the match list. */
static int
rl_match_one(const char *s, size_t len, struct jitsim_rules_visited *v, char *err, size_t errlen)
{
	const char *colon = memchr(s, ':', len);
	size_t wl = colon != NULL ? (size_t)(colon - s) : 0;

	memset(v, 0, sizeof(*v));
	for (size_t i = 0; colon != NULL && i < sizeof(rl_match_words) / sizeof(rl_match_words[0]);
	     i++)
		if (strlen(rl_match_words[i].word) == wl &&
		    strncmp(s, rl_match_words[i].word, wl) == 0)
			v->match = rl_match_words[i].match;
	if (v->match == 0)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"match: entry '%.*s' is not gt:DIGITS, plmn:MCCMNC or "
					"host:ORIGIN-HOST",
					(int)(len > 40 ? 40 : len), s);
	len -= wl + 1;
	if (len == 0 || len > JITSIM_RULES_HOST_MAX)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"match: entry %.*s: empty or too long", (int)wl, s);
	memcpy(v->value, colon + 1, len);
	v->value[len] = '\0';
	return 0;
}

/* "match": a string "kind:value,kind:value" (or "none": no matches), or a
 * JSON array of "kind:value" strings. */
static int
rl_matches(const json_t *args, struct rl_call *k, char *err, size_t errlen)
{
	const json_t *m = json_object_get(args, "match");
	char buf[JITSIM_RULES_HOST_MAX + 32];
	int rc = 0;

	if (m == NULL || json_is_null(m))
		return 0;
	k->has_match = true;
	k->match = calloc(RL_MATCH_MAX, sizeof(*k->match));
	if (k->match == NULL)
		return -ENOMEM;
	if (json_is_array(m)) {
		size_t i;
		const json_t *e;

		json_array_foreach(m, i, e)
		{
			if (k->nmatch == RL_MATCH_MAX)
				return jitsim_cpctl_err(err, errlen, -EINVAL,
							"match: more than %d entries",
							RL_MATCH_MAX);
			if (!json_is_string(e))
				return jitsim_cpctl_err(err, errlen, -EINVAL,
							"match: entry %zu is not a string", i + 1);
			rc = rl_match_one(json_string_value(e), json_string_length(e),
					  &k->match[k->nmatch++], err, errlen);
			if (rc != 0)
				return rc;
		}
		return 0;
	}
	if (!json_is_string(m))
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"match: a string kind:value,... or an array of them");
	if (strcmp(json_string_value(m), "none") == 0)
		return 0;
	for (const char *p = json_string_value(m), *end;; p = end + 1) {
		size_t len;

		end = strchr(p, ',');
		len = end != NULL ? (size_t)(end - p) : strlen(p);
		if (len >= sizeof(buf))
			return jitsim_cpctl_err(err, errlen, -EINVAL, "match: entry too long");
		if (k->nmatch == RL_MATCH_MAX)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "match: more than %d entries",
						RL_MATCH_MAX);
		rc = rl_match_one(p, len, &k->match[k->nmatch++], err, errlen);
		if (rc != 0 || end == NULL)
			return rc;
	}
}

static bool
rl_same_match(const struct jitsim_rules_visited *a, const struct jitsim_rules_visited *b)
{
	return a->match == b->match && strcmp(a->value, b->value) == 0;
}

/* A region with its matches (and the pools that serve it) as one flat
 * object: lists are comma-separated strings so that region.list prints as
 * a table. */
static json_t *
rl_region_json(const struct jitsim_rules_region *g, const struct jitsim_rules_visited *v,
	       unsigned int nv, const struct jitsim_pool_def *const *pools, size_t np)
{
	json_t *o = jitsim_rules_region_to_json(g);
	size_t cap = 256, len = 0;
	char *s = malloc(cap);
	int rc = o != NULL && s != NULL ? 0 : -ENOMEM;

	if (s != NULL)
		s[0] = '\0';
	for (unsigned int i = 0; rc == 0 && i < nv; i++) {
		size_t need;

		if (v[i].region != g->id)
			continue;
		need = len + strlen(v[i].value) + 8;
		if (need > cap) {
			char *t = realloc(s, need * 2);

			if (t == NULL) {
				rc = -ENOMEM;
				break;
			}
			s = t;
			cap = need * 2;
		}
		len += (size_t)snprintf(s + len, cap - len, "%s%s:%s", len > 0 ? "," : "",
					rl_match_word(v[i].match), v[i].value);
	}
	if (rc == 0 && json_object_set_new(o, "match", json_string(s)) != 0)
		rc = -ENOMEM;
	len = 0;
	for (size_t i = 0; rc == 0 && i < np; i++) {
		size_t need;

		if (pools[i]->region != g->id)
			continue;
		need = len + JITSIM_POOL_NAME_MAX + 2;
		if (need > cap) {
			char *t = realloc(s, need * 2);

			if (t == NULL) {
				rc = -ENOMEM;
				break;
			}
			s = t;
			cap = need * 2;
		}
		len += (size_t)snprintf(s + len, cap - len, "%s%s", len > 0 ? "," : "",
					pools[i]->name);
	}
	if (rc == 0 && json_object_set_new(o, "pools", json_string(len > 0 ? s : "")) != 0)
		rc = -ENOMEM;
	free(s);
	if (rc != 0) {
		json_decref(o);
		return NULL;
	}
	return o;
}

/* The result of region.add / region.remove: the region as region.list
 * shows it, @v being the matches it has (had). */
static int
rl_region_result(struct rl_call *k, const struct jitsim_rules_region *g,
		 const struct jitsim_rules_visited *v, unsigned int nv)
{
	size_t np;
	const struct jitsim_pool_def **pools = jitsim_cpctl_pool_all(k->c->pools, &np);

	if (np == SIZE_MAX)
		return -ENOMEM;
	k->result = rl_region_json(g, v, nv, pools, np);
	free(pools);
	return k->result != NULL ? 0 : -ENOMEM;
}

/* Undo of region.add in memory (its commit failed or a step refused). */
static void
rl_region_undo(struct jitsim_rules *r, uint16_t id, const struct jitsim_rules_region *old,
	       const struct jitsim_rules_visited *added, unsigned int nadded,
	       const struct jitsim_rules_visited *removed, unsigned int nremoved, bool region_done)
{
	char e2[128];

	for (unsigned int i = nadded; i-- > 0;)
		jitsim_rules_visited_remove(r, added[i].match, added[i].value, NULL, e2,
					    sizeof(e2));
	if (region_done) {
		if (old != NULL)
			jitsim_rules_region_add(r, old, NULL, e2, sizeof(e2));
		else
			jitsim_rules_region_remove(r, id, NULL, e2, sizeof(e2));
	}
	for (unsigned int i = 0; i < nremoved; i++)
		jitsim_rules_visited_add(r, &removed[i], NULL, e2, sizeof(e2));
}

static int
rl_region_add_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_region *regs, old;
	struct jitsim_rules_visited *vis = NULL, *added = NULL, *removed = NULL;
	unsigned int ng, nv = 0, nadded = 0, nremoved = 0, maxid = 0;
	struct jitsim_store_batch *b = NULL;
	bool had = false;
	char fields[200];
	int rc = 0;

	regs = rl_regions(r, &ng);
	if (regs == NULL)
		return -ENOMEM;
	/* Without --id, a region of that name is replaced; a new one gets the
	 * next id. */
	for (unsigned int i = 0; i < ng; i++) {
		if (k->region.id == 0 && strcmp(regs[i].name, k->region.name) == 0)
			k->region.id = regs[i].id;
		if (regs[i].id > maxid)
			maxid = regs[i].id;
	}
	if (k->region.id == 0) {
		if (maxid >= UINT16_MAX)
			rc = jitsim_cpctl_err(k->err, k->errlen, -ENOSPC,
					      "region_id: region 65535 exists, give one");
		k->region.id = (uint16_t)(maxid + 1);
	}
	for (unsigned int i = 0; rc == 0 && i < ng; i++)
		if (regs[i].id == k->region.id) {
			old = regs[i];
			had = true;
		}
	free(regs);
	if (rc == 0) {
		vis = rl_visited(r, &nv);
		added = calloc(k->nmatch + 1, sizeof(*added));
		removed = calloc(nv + 1, sizeof(*removed));
		b = jitsim_store_batch_new(k->c->store);
		if (vis == NULL || added == NULL || removed == NULL || b == NULL)
			rc = -ENOMEM;
	}
	/* A match another region has is refused, not moved: moving a visited
	 * network between regions is a remove then an add, on purpose. */
	for (unsigned int i = 0; rc == 0 && i < k->nmatch; i++) {
		for (unsigned int j = 0; j < i && rc == 0; j++)
			if (rl_same_match(&k->match[i], &k->match[j]))
				rc = jitsim_cpctl_err(
					k->err, k->errlen, -EINVAL, "match: %s:%s given twice",
					rl_match_word(k->match[i].match), k->match[i].value);
		for (unsigned int j = 0; j < nv && rc == 0; j++)
			if (rl_same_match(&k->match[i], &vis[j]) && vis[j].region != k->region.id)
				rc = jitsim_cpctl_err(k->err, k->errlen, -EEXIST,
						      "match: %s:%s belongs to region %u",
						      rl_match_word(vis[j].match), vis[j].value,
						      vis[j].region);
		k->match[i].region = k->region.id;
	}
	if (rc == 0)
		rc = jitsim_rules_region_add(r, &k->region, b, k->err, k->errlen);
	if (rc != 0)
		goto out;
	if (k->has_match) {
		for (unsigned int j = 0; rc == 0 && j < nv; j++) {
			bool keep = false;

			if (vis[j].region != k->region.id)
				continue;
			for (unsigned int i = 0; i < k->nmatch && !keep; i++)
				keep = rl_same_match(&k->match[i], &vis[j]);
			if (keep)
				continue;
			rc = jitsim_rules_visited_remove(r, vis[j].match, vis[j].value, b, k->err,
							 k->errlen);
			if (rc == 0)
				removed[nremoved++] = vis[j];
		}
		for (unsigned int i = 0; rc == 0 && i < k->nmatch; i++) {
			bool have = false;

			for (unsigned int j = 0; j < nv && !have; j++)
				have = rl_same_match(&k->match[i], &vis[j]);
			if (have)
				continue;
			rc = jitsim_rules_visited_add(r, &k->match[i], b, k->err, k->errlen);
			if (rc == 0) {
				added[nadded++] = k->match[i];
			} else {
				char e[200];

				snprintf(e, sizeof(e), "%s", k->err);
				jitsim_cpctl_err(k->err, k->errlen, rc, "match %s:%s: %s",
						 rl_match_word(k->match[i].match),
						 k->match[i].value, e);
			}
		}
	}
	if (rc == 0) {
		snprintf(fields, sizeof(fields),
			 "\"id\":%u,\"name\":\"%s\",\"hlr\":\"%s\",\"pool\":\"%s\",\"match_added\":"
			 "%u,"
			 "\"match_removed\":%u",
			 k->region.id, k->region.name, k->region.hlr, k->region.pool, nadded,
			 nremoved);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
	}
	if (rc != 0) {
		rl_region_undo(r, k->region.id, had ? &old : NULL, added, nadded, removed, nremoved,
			       true);
		goto out;
	}
	free(vis);
	vis = rl_visited(r, &nv);
	rc = vis != NULL ? rl_region_result(k, &k->region, vis, nv) : -ENOMEM;
out:
	jitsim_store_batch_free(b);
	free(vis);
	free(added);
	free(removed);
	return rc;
}

static int
rl_region_add(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct rl_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	json_t *o = json_object();
	uint64_t id = 0;
	int rc;

	if (o == NULL)
		return -ENOMEM;
	/* "id" is the protocol's request id: the region's is "region_id". */
	rc = jitsim_cpctl_arg_u64(req->args, "region_id", UINT16_MAX, &id, err, errlen);
	if (rc == 0 && id == 0 && json_object_get(req->args, "region_id") != NULL)
		rc = jitsim_cpctl_err(err, errlen, -EINVAL, "region_id: 1..65535");
	/* Without an id the closure picks one; the checks of the other
	 * fields run with a stand-in. */
	if (rc == 0 && json_object_set_new(o, "id", json_integer(id != 0 ? (json_int_t)id : 1)))
		rc = -ENOMEM;
	if (rc == 0)
		rc = rl_str(req->args, "name", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "hlr", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "pool", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = jitsim_rules_region_from_json(o, &k.region, err, errlen);
	k.region.id = (uint16_t)id;
	json_decref(o);
	if (rc == 0)
		rc = rl_matches(req->args, &k, err, errlen);
	if (rc == 0)
		rc = rl_run(&k, rl_region_add_fn, result);
	free(k.match);
	return rc;
}

static int
rl_region_list_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	unsigned int ng, nv;
	struct jitsim_rules_region *g = rl_regions(r, &ng);
	struct jitsim_rules_visited *v = rl_visited(r, &nv);
	size_t np;
	const struct jitsim_pool_def **pools = jitsim_cpctl_pool_all(k->c->pools, &np);
	json_t *arr = json_array();
	int rc = 0;

	if (g == NULL || v == NULL || np == SIZE_MAX || arr == NULL)
		rc = -ENOMEM;
	for (unsigned int i = 0; rc == 0 && i < ng; i++)
		if (json_array_append_new(arr, rl_region_json(&g[i], v, nv, pools, np)) != 0)
			rc = -ENOMEM;
	free(g);
	free(v);
	free(pools);
	k->result = arr;
	return rc;
}

static int
rl_region_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_req(req, rl_region_list_fn, result, err, errlen);
}

static int
rl_region_remove_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_region g;
	struct jitsim_rules_visited *vis = NULL, *removed = NULL;
	unsigned int nv = 0, nremoved = 0;
	const struct jitsim_pool_def **pools;
	struct jitsim_store_batch *b = NULL;
	char fields[120];
	size_t np;
	int rc;

	rc = jitsim_cpctl_region_resolve(r, "name", k->name, &g, k->err, k->errlen);
	if (rc != 0)
		return rc;
	/* A pool serves the SIMs of one region: without the region its
	 * numbers could never be handed out again. */
	pools = jitsim_cpctl_pool_all(k->c->pools, &np);
	if (np == SIZE_MAX)
		return -ENOMEM;
	for (size_t i = 0; i < np && rc == 0; i++)
		if (pools[i]->region == g.id)
			rc = jitsim_cpctl_err(k->err, k->errlen, -EBUSY,
					      "name: region %u (%s) is used by pool %s", g.id,
					      g.name, pools[i]->name);
	free(pools);
	if (rc != 0)
		return rc;
	vis = rl_visited(r, &nv);
	removed = calloc(nv + 1, sizeof(*removed));
	b = jitsim_store_batch_new(k->c->store);
	if (vis == NULL || removed == NULL || b == NULL)
		rc = -ENOMEM;
	/* The region's own matches go with it. */
	for (unsigned int j = 0; rc == 0 && j < nv; j++) {
		if (vis[j].region != g.id)
			continue;
		rc = jitsim_rules_visited_remove(r, vis[j].match, vis[j].value, b, k->err,
						 k->errlen);
		if (rc == 0)
			removed[nremoved++] = vis[j];
	}
	if (rc == 0) {
		rc = jitsim_rules_region_remove(r, g.id, b, k->err, k->errlen);
		if (rc != 0) {
			char e[200];

			snprintf(e, sizeof(e), "%s", k->err);
			jitsim_cpctl_err(k->err, k->errlen, rc, "name: %s", e);
		}
	}
	if (rc == 0) {
		snprintf(fields, sizeof(fields), "\"id\":%u,\"name\":\"%s\",\"match_removed\":%u",
			 g.id, g.name, nremoved);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
		if (rc != 0) {
			char e2[128];

			jitsim_rules_region_add(r, &g, NULL, e2, sizeof(e2));
		}
	}
	if (rc != 0)
		rl_region_undo(r, g.id, NULL, NULL, 0, removed, nremoved, false);
	else
		rc = rl_region_result(k, &g, vis, nv);
	jitsim_store_batch_free(b);
	free(vis);
	free(removed);
	return rc;
}

static int
rl_region_remove(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_named(req, rl_region_remove_fn, result, err, errlen);
}

/* =====================================================================
 * rule.add, rule.list, rule.remove (device rules)
 * ===================================================================== */

static int
rl_dev_find(struct jitsim_rules *r, const char *name, struct jitsim_rules_device *out)
{
	unsigned int n;
	struct jitsim_rules_device *d = rl_devices(r, &n);
	int rc = -ENOENT;

	if (d == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n && rc != 0; i++)
		if (strcmp(d[i].name, name) == 0) {
			*out = d[i];
			rc = 0;
		}
	free(d);
	return rc;
}

/* A device rule as one flat object (rule.list prints a table). */
static json_t *
rl_dev_json(const struct jitsim_rules_device *d)
{
	json_t *o = jitsim_rules_device_to_json(d);
	const json_t *rat;
	char buf[JITSIM_RULES_RAT_MAX * 12 + 1] = "";
	size_t len = 0, i;
	const json_t *e;

	if (o == NULL)
		return NULL;
	rat = json_object_get(o, "rat");
	json_array_foreach(rat, i, e)
	{
		if (json_is_string(e))
			len += (size_t)snprintf(buf + len, sizeof(buf) - len, "%s%s",
						len > 0 ? "," : "", json_string_value(e));
		else
			len += (size_t)snprintf(buf + len, sizeof(buf) - len,
						"%s%" JSON_INTEGER_FORMAT, len > 0 ? "," : "",
						json_integer_value(e));
	}
	if (json_object_set_new(o, "rat", json_string(len > 0 ? buf : "any")) != 0 ||
	    (!d->has_tac && (json_object_set_new(o, "tac_from", json_null()) != 0 ||
			     json_object_set_new(o, "tac_to", json_null()) != 0)) ||
	    (d->data_pool[0] == '\0' && json_object_set_new(o, "data_pool", json_null()) != 0)) {
		json_decref(o);
		return NULL;
	}
	return o;
}

static int
rl_rule_add_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_device old;
	struct jitsim_pool_def pd;
	struct jitsim_store_batch *b;
	char fields[200];
	bool had;
	int rc;

	if (k->dev.data_pool[0] != '\0') {
		rc = jitsim_cpctl_pool_find(k->c->pools, k->dev.data_pool, &pd);
		if (rc == -ENOENT)
			return jitsim_cpctl_err(k->err, k->errlen, rc, "data_pool: no pool %s",
						k->dev.data_pool);
		if (rc != 0)
			return rc;
	}
	rc = rl_dev_find(r, k->dev.name, &old);
	if (rc == -ENOMEM)
		return rc;
	had = rc == 0;
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_rules_device_add(r, &k->dev, b, k->err, k->errlen);
	if (rc == 0) {
		snprintf(fields, sizeof(fields),
			 "\"name\":\"%s\",\"priority\":%" PRIu32
			 ",\"profile\":\"%s\",\"tariff\":%u,\"flow\":\"%s\"",
			 k->dev.name, k->dev.priority, k->dev.profile, k->dev.tariff,
			 jitsim_rules_flow_name(k->dev.flow));
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
		if (rc != 0) {
			char e2[128];

			if (had)
				jitsim_rules_device_add(r, &old, NULL, e2, sizeof(e2));
			else
				jitsim_rules_device_remove(r, k->dev.name, NULL, e2, sizeof(e2));
		}
	}
	jitsim_store_batch_free(b);
	if (rc == 0)
		rc = rl_set(&k->result, rl_dev_json(&k->dev));
	return rc;
}

/* "tac": "FROM-TO" (8-digit TACs) into tac_from/tac_to of @o. */
static int
rl_tac(const json_t *args, json_t *o, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, "tac");
	unsigned long long from, to;
	char tail;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_object_get(args, "tac_from") != NULL || json_object_get(args, "tac_to") != NULL)
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"tac: give tac or tac_from/tac_to, not both");
	if (!json_is_string(v) || strlen(json_string_value(v)) > 17 ||
	    sscanf(json_string_value(v), "%8llu-%8llu%c", &from, &to, &tail) != 2 ||
	    strspn(json_string_value(v), "0123456789-") != strlen(json_string_value(v)))
		return jitsim_cpctl_err(err, errlen, -EINVAL, "tac: FROM-TO, 8-digit TACs");
	if (json_object_set_new(o, "tac_from", json_integer((json_int_t)from)) != 0 ||
	    json_object_set_new(o, "tac_to", json_integer((json_int_t)to)) != 0)
		return -ENOMEM;
	return 0;
}

/* "rat": a JSON array (as the rules take it) or "eutran,nb-iot,1004". */
static int
rl_rat(const json_t *args, json_t *o, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, "rat");
	json_t *arr;
	char buf[256];

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_array(v))
		return json_object_set(o, "rat", (json_t *)(uintptr_t)v) == 0 ? 0 : -ENOMEM;
	if (!json_is_string(v) || json_string_length(v) >= sizeof(buf))
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"rat: a comma-separated list of RAT types");
	arr = json_array();
	if (arr == NULL || json_object_set_new(o, "rat", arr) != 0)
		return -ENOMEM;
	if (strcmp(json_string_value(v), "any") == 0)
		return 0;
	snprintf(buf, sizeof(buf), "%s", json_string_value(v));
	for (char *save = NULL, *t = strtok_r(buf, ",", &save); t != NULL;
	     t = strtok_r(NULL, ",", &save)) {
		size_t n = strlen(t);
		json_t *e = n > 0 && n <= 5 && strspn(t, "0123456789") == n
				    ? json_integer(strtol(t, NULL, 10))
				    : json_string(t);

		if (json_array_append_new(arr, e) != 0)
			return -ENOMEM;
	}
	return 0;
}

static int
rl_rule_add(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct rl_call k = {.c = req->arg, .req = req, .err = err, .errlen = errlen};
	json_t *o = json_object();
	int rc;

	if (o == NULL)
		return -ENOMEM;
	rc = rl_str(req->args, "name", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = rl_int(req->args, "priority", false, UINT32_MAX, o, err, errlen);
	if (rc == 0 && json_object_get(o, "priority") == NULL)
		rc = json_object_set_new(o, "priority", json_integer(100)) == 0 ? 0 : -ENOMEM;
	if (rc == 0)
		rc = rl_tac(req->args, o, err, errlen);
	if (rc == 0)
		rc = rl_int(req->args, "tac_from", false, 99999999, o, err, errlen);
	if (rc == 0)
		rc = rl_int(req->args, "tac_to", false, 99999999, o, err, errlen);
	if (rc == 0)
		rc = rl_rat(req->args, o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "profile", true, NULL, o, err, errlen);
	if (rc == 0)
		rc = rl_int(req->args, "tariff", true, UINT16_MAX, o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "flow", false, "voice", o, err, errlen);
	if (rc == 0)
		rc = rl_str(req->args, "data_pool", false, NULL, o, err, errlen);
	if (rc == 0)
		rc = jitsim_rules_device_from_json(o, &k.dev, err, errlen);
	json_decref(o);
	if (rc != 0)
		return rc;
	return rl_run(&k, rl_rule_add_fn, result);
}

static int
rl_rule_list_fn(void *arg)
{
	struct rl_call *k = arg;
	unsigned int n;
	struct jitsim_rules_device *d = rl_devices(k->c->rules, &n);
	json_t *arr = json_array();
	int rc = d != NULL && arr != NULL ? 0 : -ENOMEM;

	for (unsigned int i = 0; rc == 0 && i < n; i++)
		if (json_array_append_new(arr, rl_dev_json(&d[i])) != 0)
			rc = -ENOMEM;
	free(d);
	k->result = arr;
	return rc;
}

static int
rl_rule_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_req(req, rl_rule_list_fn, result, err, errlen);
}

static int
rl_rule_remove_fn(void *arg)
{
	struct rl_call *k = arg;
	struct jitsim_rules *r = k->c->rules;
	struct jitsim_rules_device old;
	struct jitsim_store_batch *b;
	char fields[80];
	int rc;

	rc = rl_dev_find(r, k->name, &old);
	if (rc == -ENOENT)
		return jitsim_cpctl_err(k->err, k->errlen, rc, "name: no device rule %s", k->name);
	if (rc != 0)
		return rc;
	b = jitsim_store_batch_new(k->c->store);
	if (b == NULL)
		return -ENOMEM;
	rc = jitsim_rules_device_remove(r, k->name, b, k->err, k->errlen);
	if (rc == 0) {
		snprintf(fields, sizeof(fields), "\"name\":\"%s\"", old.name);
		jitsim_cpctl_audit(b, k->req, fields);
		rc = rl_commit(b, k->err, k->errlen);
		if (rc != 0) {
			char e2[128];

			jitsim_rules_device_add(r, &old, NULL, e2, sizeof(e2));
		}
	}
	jitsim_store_batch_free(b);
	if (rc == 0)
		rc = rl_set(&k->result, rl_dev_json(&old));
	return rc;
}

static int
rl_rule_remove(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	return rl_run_named(req, rl_rule_remove_fn, result, err, errlen);
}

int
jitsim_cpctl_rules_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	static const struct {
		const char *name;
		jitsim_ctlsrv_handler_t fn;
		bool change;
		const char *help;
	} cmds[] = {
		{"hlr.add", rl_hlr_add, true,
		 "add or replace an HLR/HSS (name, hlr_id, [kind], address)"},
		{"hlr.list", rl_hlr_list, false, "HLR/HSS definitions and the regions using each"},
		{"hlr.remove", rl_hlr_remove, true, "remove an HLR/HSS no region uses (name)"},
		{"region.add", rl_region_add, true,
		 "add or replace a region (name, [region_id], hlr, pool, [match])"},
		{"region.list", rl_region_list, false, "regions, their matches and pools"},
		{"region.remove", rl_region_remove, true,
		 "remove a region no pool serves, with its matches (name: name or id)"},
		{"rule.add", rl_rule_add, true,
		 "add or replace a device rule (name, [priority], [tac], [rat], profile, tariff, "
		 "[flow], [data_pool])"},
		{"rule.list", rl_rule_list, false, "device rules in priority order"},
		{"rule.remove", rl_rule_remove, true, "remove a device rule (name)"},
	};
	int rc = 0;

	for (size_t i = 0; rc == 0 && i < sizeof(cmds) / sizeof(cmds[0]); i++)
		rc = cmds[i].change ? jitsim_ctlsrv_register_change(srv, cmds[i].name, cmds[i].fn,
								    c, cmds[i].help)
				    : jitsim_ctlsrv_register(srv, cmds[i].name, cmds[i].fn, c,
							     cmds[i].help);
	return rc;
}
