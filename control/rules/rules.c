/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Regions and device rules (rules.h, docs/rules.md).
 *
 * The definitions live in four arrays kept sorted by their identity
 * (hlr name, region id, visited match+value, device priority+name). After
 * each change the visited rules are compiled into lookup structures
 * (a digit trie for GT prefixes, sorted key arrays for PLMNs and host
 * hashes), built into fresh buffers and swapped in only once complete, so
 * that a failed allocation leaves the previous set intact.
 */

#include <jitsim/errmsg.h>
#include <errno.h>
#include <inttypes.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>

#include "rules.h"
#include "store.h"

#define RULES_ENC_VERSION 1
#define RULES_KEY_MAX (16 + JITSIM_RULES_HOST_MAX)
#define RULES_VAL_MAX 1024
/* Every encoding holds at most four strings of at most 255 bytes plus a
 * few integers (the largest, an hlr, is under 300 bytes): the encoders
 * below can never run out of room. */
_Static_assert(RULES_VAL_MAX >= 4 * (JITSIM_RULES_ADDR_MAX + 1), "rules encodings fit");

struct rules_vec {
	void *v;
	unsigned int n, cap;
	size_t size;
};

struct rules_trie_node {
	int32_t child[10];
	uint16_t region; /* 0: no rule ends here */
	uint8_t depth;
};

struct rules_plmn {
	uint64_t key;
	uint16_t region;
};

struct rules_host {
	uint32_t hash;
	uint16_t region;
	uint32_t idx; /* visited rule index, for collision messages */
};

struct rules_set {
	struct rules_vec hlr;	  /* struct jitsim_rules_hlr, by name */
	struct rules_vec region;  /* struct jitsim_rules_region, by id */
	struct rules_vec visited; /* struct jitsim_rules_visited, by match, value */
	struct rules_vec device;  /* struct jitsim_rules_device, by priority, name */
	/* compiled from `visited` */
	struct rules_trie_node *trie; /* node 0 is the root */
	unsigned int n_trie;
	struct rules_plmn *plmn;
	unsigned int n_plmn;
	struct rules_host *host;
	unsigned int n_host;
};

struct jitsim_rules {
	pthread_rwlock_t lock;
	struct rules_set set;
	uint16_t default_region;
	bool has_default_device;
	struct jitsim_rules_device default_device;
};

/* ---- names ---- */

static const char *const rules_kind_names[] = {
	[JITSIM_HLR_OSMO] = "osmo-hlr",
	[JITSIM_HLR_HTTP] = "http",
	[JITSIM_HLR_OUTBOX] = "outbox",
};

static const char *const rules_match_names[] = {
	[JITSIM_RULES_M_GT_PREFIX] = "gt_prefix",
	[JITSIM_RULES_M_PLMN] = "plmn",
	[JITSIM_RULES_M_ORIGIN_HOST] = "origin_host",
	[JITSIM_RULES_M_DEFAULT] = "default",
};

/* Key segment of each match in "rule/v/<seg>/<value>". */
static const char *const rules_match_keyseg[] = {
	[JITSIM_RULES_M_GT_PREFIX] = "gt",
	[JITSIM_RULES_M_PLMN] = "plmn",
	[JITSIM_RULES_M_ORIGIN_HOST] = "host",
};

static const char *const rules_flow_names[] = {
	[JITSIM_FLOW_VOICE] = "voice",
	[JITSIM_FLOW_DATA_ONLY] = "data_only",
};

static const struct {
	const char *name;
	uint16_t value;
} rules_rat_names[] = {
	{"wlan", JITSIM_RAT_WLAN},	 {"virtual", JITSIM_RAT_VIRTUAL},
	{"utran", JITSIM_RAT_UTRAN},	 {"geran", JITSIM_RAT_GERAN},
	{"gan", JITSIM_RAT_GAN},	 {"hspa-evolution", JITSIM_RAT_HSPA_EVOLUTION},
	{"eutran", JITSIM_RAT_EUTRAN},	 {"nb-iot", JITSIM_RAT_EUTRAN_NB_IOT},
	{"nr", JITSIM_RAT_NR},		 {"lte-m", JITSIM_RAT_LTE_M},
	{"unknown", JITSIM_RAT_UNKNOWN},
};

#define RULES_NAME(tab, i) \
	((i) < sizeof(tab) / sizeof((tab)[0]) && (tab)[i] != NULL ? (tab)[i] : "invalid")

const char *
jitsim_hlr_kind_name(unsigned int kind)
{
	return RULES_NAME(rules_kind_names, kind);
}

const char *
jitsim_rules_match_name(unsigned int match)
{
	return RULES_NAME(rules_match_names, match);
}

const char *
jitsim_rules_flow_name(unsigned int flow)
{
	return RULES_NAME(rules_flow_names, flow);
}

uint32_t
jitsim_rules_host_hash(const char *host, size_t len)
{
	/* Must stay the dataplane's detect_fnv1a() (dataplane/detect). */
	uint32_t h = 0x811c9dc5u;

	for (size_t i = 0; i < len; i++) {
		h ^= (uint8_t)host[i];
		h *= 0x01000193u;
	}
	return h;
}

/* ---- validation (shared by add, load and JSON) ---- */

/* A NUL-terminated string inside its array. */
static bool
rules_terminated(const char *s, size_t size)
{
	return memchr(s, '\0', size) != NULL;
}

static int
rules_check_name(const char *s, size_t size, bool may_be_empty, const char *field, char *err,
		 size_t errlen)
{
	size_t n;

	if (!rules_terminated(s, size)) {
		jitsim_errmsg(err, errlen, "field %s: longer than %zu characters", field, size - 1);
		return -EINVAL;
	}
	n = strlen(s);
	if (n == 0 && !may_be_empty) {
		jitsim_errmsg(err, errlen, "field %s: empty", field);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		char c = s[i];

		if (!((c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') ||
		      c == '.' || c == '_' || c == '-')) {
			jitsim_errmsg(err, errlen,
				      "field %s: character %zu is not one of [A-Za-z0-9._-]", field,
				      i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

/* Printable ASCII, no spaces (addresses, hosts). */
static int
rules_check_text(const char *s, size_t size, const char *field, char *err, size_t errlen)
{
	size_t n;

	if (!rules_terminated(s, size)) {
		jitsim_errmsg(err, errlen, "field %s: longer than %zu characters", field, size - 1);
		return -EINVAL;
	}
	n = strlen(s);
	if (n == 0) {
		jitsim_errmsg(err, errlen, "field %s: empty", field);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] <= ' ' || s[i] > '~') {
			jitsim_errmsg(err, errlen, "field %s: character %zu is not printable",
				      field, i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int
rules_check_digits(const char *s, size_t size, size_t min, size_t max, const char *field, char *err,
		   size_t errlen)
{
	size_t n;

	if (!rules_terminated(s, size)) {
		jitsim_errmsg(err, errlen, "field %s: too long", field);
		return -EINVAL;
	}
	n = strlen(s);
	if (n < min || n > max) {
		jitsim_errmsg(err, errlen, "field %s: %zu digits, want %zu..%zu", field, n, min,
			      max);
		return -EINVAL;
	}
	for (size_t i = 0; i < n; i++) {
		if (s[i] < '0' || s[i] > '9') {
			jitsim_errmsg(err, errlen, "field %s: character %zu is not a digit", field,
				      i + 1);
			return -EINVAL;
		}
	}
	return 0;
}

static int
rules_check_hlr(const struct jitsim_rules_hlr *h, char *err, size_t errlen)
{
	int rc = rules_check_name(h->name, sizeof(h->name), false, "name", err, errlen);

	if (rc)
		return rc;
	if (h->id == 0) {
		jitsim_errmsg(err, errlen, "field id: 0 is not an hlr id (1..65535)");
		return -EINVAL;
	}
	if (h->kind < JITSIM_HLR_OSMO || h->kind > JITSIM_HLR_OUTBOX) {
		jitsim_errmsg(err, errlen, "field kind: %u is not osmo-hlr, http or outbox",
			      h->kind);
		return -EINVAL;
	}
	return rules_check_text(h->address, sizeof(h->address), "address", err, errlen);
}

static int
rules_check_region(const struct jitsim_rules_region *g, char *err, size_t errlen)
{
	int rc;

	if (g->id == 0) {
		jitsim_errmsg(err, errlen, "field id: 0 is not a region id (1..65535)");
		return -EINVAL;
	}
	rc = rules_check_name(g->name, sizeof(g->name), false, "name", err, errlen);
	if (rc == 0)
		rc = rules_check_name(g->hlr, sizeof(g->hlr), false, "hlr", err, errlen);
	if (rc == 0)
		rc = rules_check_name(g->pool, sizeof(g->pool), false, "pool", err, errlen);
	return rc;
}

static int
rules_check_visited(const struct jitsim_rules_visited *v, char *err, size_t errlen)
{
	int rc;

	switch (v->match) {
	case JITSIM_RULES_M_GT_PREFIX:
		rc = rules_check_digits(v->value, sizeof(v->value), 1, JITSIM_RULES_PREFIX_MAX,
					"value", err, errlen);
		break;
	case JITSIM_RULES_M_PLMN:
		/* TS 23.003 2.2: MCC 3 digits, MNC 2 or 3. */
		rc = rules_check_digits(v->value, sizeof(v->value), 5, 6, "value", err, errlen);
		break;
	case JITSIM_RULES_M_ORIGIN_HOST:
		rc = rules_check_text(v->value, sizeof(v->value), "value", err, errlen);
		/* The dataplane writes 0 for "no Origin-Host": such a host
		 * could never be told apart. */
		if (rc == 0 && jitsim_rules_host_hash(v->value, strlen(v->value)) == 0) {
			jitsim_errmsg(err, errlen, "field value: origin host hashes to 0");
			rc = -EINVAL;
		}
		break;
	default:
		jitsim_errmsg(err, errlen, "field match: %u is not gt_prefix, plmn or origin_host",
			      v->match);
		return -EINVAL;
	}
	if (rc == 0 && v->region == 0) {
		jitsim_errmsg(err, errlen, "field region: 0 is not a region id");
		rc = -EINVAL;
	}
	return rc;
}

#define RULES_TAC_MAX 99999999u

/* @whole: a rule (false: the default device, whose name/TAC/RAT do not count). */
static int
rules_check_device(const struct jitsim_rules_device *d, bool whole, char *err, size_t errlen)
{
	int rc;

	if (whole) {
		rc = rules_check_name(d->name, sizeof(d->name), false, "name", err, errlen);
		if (rc)
			return rc;
		if (d->has_tac && d->tac_from > RULES_TAC_MAX) {
			jitsim_errmsg(err, errlen, "field tac_from: more than 8 digits");
			return -EINVAL;
		}
		if (d->has_tac && d->tac_to > RULES_TAC_MAX) {
			jitsim_errmsg(err, errlen, "field tac_to: more than 8 digits");
			return -EINVAL;
		}
		if (d->has_tac && d->tac_from > d->tac_to) {
			jitsim_errmsg(err, errlen,
				      "field tac_to: %08" PRIu32 " is below tac_from %08" PRIu32,
				      d->tac_to, d->tac_from);
			return -EINVAL;
		}
		if (d->n_rat > JITSIM_RULES_RAT_MAX) {
			jitsim_errmsg(err, errlen, "field rat: %u entries, at most %u", d->n_rat,
				      JITSIM_RULES_RAT_MAX);
			return -EINVAL;
		}
	}
	rc = rules_check_name(d->profile, sizeof(d->profile), false, "profile", err, errlen);
	if (rc)
		return rc;
	if (d->flow != JITSIM_FLOW_VOICE && d->flow != JITSIM_FLOW_DATA_ONLY) {
		jitsim_errmsg(err, errlen, "field flow: %u is not voice or data_only", d->flow);
		return -EINVAL;
	}
	rc = rules_check_name(d->data_pool, sizeof(d->data_pool), true, "data_pool", err, errlen);
	if (rc)
		return rc;
	if (d->flow == JITSIM_FLOW_VOICE && d->data_pool[0] != '\0') {
		jitsim_errmsg(err, errlen, "field data_pool: only for flow data_only");
		return -EINVAL;
	}
	return 0;
}

/* ---- sorted arrays ---- */

static int
rules_cmp_hlr(const void *a, const void *b)
{
	return strcmp(((const struct jitsim_rules_hlr *)a)->name,
		      ((const struct jitsim_rules_hlr *)b)->name);
}

static int
rules_cmp_region(const void *a, const void *b)
{
	const struct jitsim_rules_region *x = a, *y = b;

	return (x->id > y->id) - (x->id < y->id);
}

static int
rules_cmp_visited(const void *a, const void *b)
{
	const struct jitsim_rules_visited *x = a, *y = b;

	if (x->match != y->match)
		return x->match < y->match ? -1 : 1;
	return strcmp(x->value, y->value);
}

static int
rules_cmp_device(const void *a, const void *b)
{
	const struct jitsim_rules_device *x = a, *y = b;

	if (x->priority != y->priority)
		return x->priority < y->priority ? -1 : 1;
	return strcmp(x->name, y->name);
}

static void *
rules_at(const struct rules_vec *a, unsigned int i)
{
	return (char *)a->v + (size_t)i * a->size;
}

/* Index of an element equal to @key under @cmp, or the insertion point
 * with *found false. */
static unsigned int
rules_find(const struct rules_vec *a, const void *key, int (*cmp)(const void *, const void *),
	   bool *found)
{
	unsigned int lo = 0, hi = a->n;

	while (lo < hi) {
		unsigned int mid = lo + (hi - lo) / 2;
		int c = cmp(rules_at(a, mid), key);

		if (c == 0) {
			*found = true;
			return mid;
		}
		if (c < 0)
			lo = mid + 1;
		else
			hi = mid;
	}
	*found = false;
	return lo;
}

static int
rules_reserve(struct rules_vec *a, unsigned int n)
{
	void *v;
	unsigned int cap;

	if (n <= a->cap)
		return 0;
	cap = a->cap ? a->cap * 2 : 16;
	while (cap < n)
		cap *= 2;
	v = realloc(a->v, (size_t)cap * a->size);
	if (v == NULL)
		return -ENOMEM;
	a->v = v;
	a->cap = cap;
	return 0;
}

/* Insert at @pos; room was reserved. */
static void
rules_insert_at(struct rules_vec *a, unsigned int pos, const void *e)
{
	memmove(rules_at(a, pos + 1), rules_at(a, pos), (size_t)(a->n - pos) * a->size);
	memcpy(rules_at(a, pos), e, a->size);
	a->n++;
}

static void
rules_remove_at(struct rules_vec *a, unsigned int pos)
{
	memmove(rules_at(a, pos), rules_at(a, pos + 1), (size_t)(a->n - pos - 1) * a->size);
	a->n--;
}

static void
rules_set_init(struct rules_set *s)
{
	memset(s, 0, sizeof(*s));
	s->hlr.size = sizeof(struct jitsim_rules_hlr);
	s->region.size = sizeof(struct jitsim_rules_region);
	s->visited.size = sizeof(struct jitsim_rules_visited);
	s->device.size = sizeof(struct jitsim_rules_device);
}

static void
rules_set_fini(struct rules_set *s)
{
	free(s->hlr.v);
	free(s->region.v);
	free(s->visited.v);
	free(s->device.v);
	free(s->trie);
	free(s->plmn);
	free(s->host);
	memset(s, 0, sizeof(*s));
}

static const struct jitsim_rules_hlr *
rules_hlr_by_name(const struct rules_set *s, const char *name)
{
	struct jitsim_rules_hlr key;
	bool found;
	unsigned int i;

	snprintf(key.name, sizeof(key.name), "%s", name);
	i = rules_find(&s->hlr, &key, rules_cmp_hlr, &found);
	return found ? rules_at(&s->hlr, i) : NULL;
}

static const struct jitsim_rules_region *
rules_region_by_id(const struct rules_set *s, uint16_t id)
{
	struct jitsim_rules_region key = {.id = id};
	bool found;
	unsigned int i = rules_find(&s->region, &key, rules_cmp_region, &found);

	return found ? rules_at(&s->region, i) : NULL;
}

static int
rules_device_by_name(const struct rules_set *s, const char *name)
{
	for (unsigned int i = 0; i < s->device.n; i++) {
		const struct jitsim_rules_device *d = rules_at(&s->device, i);

		if (strcmp(d->name, name) == 0)
			return (int)i;
	}
	return -1;
}

/* ---- compile ---- */

static int
rules_cmp_plmn(const void *a, const void *b)
{
	const struct rules_plmn *x = a, *y = b;

	return (x->key > y->key) - (x->key < y->key);
}

static int
rules_cmp_host(const void *a, const void *b)
{
	const struct rules_host *x = a, *y = b;

	return (x->hash > y->hash) - (x->hash < y->hash);
}

/* Rebuild the lookup structures from s->visited. -ENOMEM (set unchanged)
 * or -EEXIST for two origin hosts with one hash. */
static int
rules_compile(struct rules_set *s, char *err, size_t errlen)
{
	struct rules_trie_node *trie;
	struct rules_plmn *plmn;
	struct rules_host *host;
	unsigned int n_nodes = 1, n_plmn = 0, n_host = 0, used = 1;

	for (unsigned int i = 0; i < s->visited.n; i++) {
		const struct jitsim_rules_visited *v = rules_at(&s->visited, i);

		if (v->match == JITSIM_RULES_M_GT_PREFIX)
			n_nodes += (unsigned int)strlen(v->value);
		else if (v->match == JITSIM_RULES_M_PLMN)
			n_plmn++;
		else
			n_host++;
	}
	trie = malloc((size_t)n_nodes * sizeof(*trie));
	plmn = malloc((size_t)(n_plmn ? n_plmn : 1) * sizeof(*plmn));
	host = malloc((size_t)(n_host ? n_host : 1) * sizeof(*host));
	if (trie == NULL || plmn == NULL || host == NULL) {
		free(trie);
		free(plmn);
		free(host);
		jitsim_errmsg(err, errlen, "out of memory");
		return -ENOMEM;
	}
	memset(&trie[0], 0xff, sizeof(trie[0].child));
	trie[0].region = 0;
	trie[0].depth = 0;
	n_plmn = n_host = 0;
	for (unsigned int i = 0; i < s->visited.n; i++) {
		const struct jitsim_rules_visited *v = rules_at(&s->visited, i);

		if (v->match == JITSIM_RULES_M_GT_PREFIX) {
			int32_t cur = 0;

			for (const char *c = v->value; *c; c++) {
				int d = *c - '0';

				if (trie[cur].child[d] < 0) {
					memset(&trie[used], 0xff, sizeof(trie[used].child));
					trie[used].region = 0;
					trie[used].depth = (uint8_t)(trie[cur].depth + 1);
					trie[cur].child[d] = (int32_t)used++;
				}
				cur = trie[cur].child[d];
			}
			trie[cur].region = v->region;
		} else if (v->match == JITSIM_RULES_M_PLMN) {
			plmn[n_plmn].key = jitsim_digits_key_str(v->value);
			plmn[n_plmn++].region = v->region;
		} else {
			host[n_host].hash = jitsim_rules_host_hash(v->value, strlen(v->value));
			host[n_host].region = v->region;
			host[n_host++].idx = i;
		}
	}
	qsort(plmn, n_plmn, sizeof(*plmn), rules_cmp_plmn);
	qsort(host, n_host, sizeof(*host), rules_cmp_host);
	for (unsigned int i = 1; i < n_host; i++) {
		if (host[i].hash == host[i - 1].hash) {
			const struct jitsim_rules_visited *a =
				rules_at(&s->visited, host[i - 1].idx);
			const struct jitsim_rules_visited *b = rules_at(&s->visited, host[i].idx);

			jitsim_errmsg(err, errlen,
				      "field value: origin hosts '%s' and '%s' have the same hash",
				      a->value, b->value);
			free(trie);
			free(plmn);
			free(host);
			return -EEXIST;
		}
	}
	free(s->trie);
	free(s->plmn);
	free(s->host);
	s->trie = trie;
	s->n_trie = used;
	s->plmn = plmn;
	s->n_plmn = n_plmn;
	s->host = host;
	s->n_host = n_host;
	return 0;
}

/* ---- set mutations (no locking, no references checked) ---- */

/*
 * Put @e into @a (replacing an equal element). When @compile, rebuild
 * the lookup structures, undoing the put on failure.
 */
static int
rules_put(struct rules_set *s, struct rules_vec *a, const void *e,
	  int (*cmp)(const void *, const void *), unsigned int max, bool compile, char *err,
	  size_t errlen)
{
	union {
		struct jitsim_rules_hlr h;
		struct jitsim_rules_region g;
		struct jitsim_rules_visited v;
		struct jitsim_rules_device d;
	} old;
	bool found;
	unsigned int pos = rules_find(a, e, cmp, &found);
	int rc;

	if (found) {
		memcpy(&old, rules_at(a, pos), a->size);
		memcpy(rules_at(a, pos), e, a->size);
	} else {
		if (a->n >= max) {
			jitsim_errmsg(err, errlen, "too many definitions (at most %u)", max);
			return -ENOSPC;
		}
		if (rules_reserve(a, a->n + 1) != 0) {
			jitsim_errmsg(err, errlen, "out of memory");
			return -ENOMEM;
		}
		rules_insert_at(a, pos, e);
	}
	if (!compile)
		return 0;
	rc = rules_compile(s, err, errlen);
	if (rc != 0) {
		if (found)
			memcpy(rules_at(a, pos), &old, a->size);
		else
			rules_remove_at(a, pos);
	}
	return rc;
}

static int
rules_set_put_hlr(struct rules_set *s, const struct jitsim_rules_hlr *h, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < s->hlr.n; i++) {
		const struct jitsim_rules_hlr *o = rules_at(&s->hlr, i);

		if (o->id == h->id && strcmp(o->name, h->name) != 0) {
			jitsim_errmsg(err, errlen, "field id: %u already used by hlr '%s'", h->id,
				      o->name);
			return -EEXIST;
		}
	}
	return rules_put(s, &s->hlr, h, rules_cmp_hlr, JITSIM_RULES_HLR_MAX, false, err, errlen);
}

static int
rules_set_put_region(struct rules_set *s, const struct jitsim_rules_region *g, char *err,
		     size_t errlen)
{
	for (unsigned int i = 0; i < s->region.n; i++) {
		const struct jitsim_rules_region *o = rules_at(&s->region, i);

		if (o->id != g->id && strcmp(o->name, g->name) == 0) {
			jitsim_errmsg(err, errlen, "field name: '%s' already used by region %u",
				      g->name, o->id);
			return -EEXIST;
		}
	}
	return rules_put(s, &s->region, g, rules_cmp_region, JITSIM_RULES_REGION_MAX, false, err,
			 errlen);
}

/* Device rules are sorted by priority: a replaced rule may move. */
static int
rules_set_put_device(struct rules_set *s, const struct jitsim_rules_device *d, char *err,
		     size_t errlen)
{
	int old = rules_device_by_name(s, d->name);
	bool found;
	unsigned int pos;

	if (old < 0 && s->device.n >= JITSIM_RULES_DEVICE_MAX) {
		jitsim_errmsg(err, errlen, "too many definitions (at most %u)",
			      JITSIM_RULES_DEVICE_MAX);
		return -ENOSPC;
	}
	if (old < 0 && rules_reserve(&s->device, s->device.n + 1) != 0) {
		jitsim_errmsg(err, errlen, "out of memory");
		return -ENOMEM;
	}
	if (old >= 0)
		rules_remove_at(&s->device, (unsigned int)old);
	pos = rules_find(&s->device, d, rules_cmp_device, &found);
	rules_insert_at(&s->device, pos, d);
	return 0;
}

/* ---- encodings ---- */

struct rules_enc {
	uint8_t *p;
	size_t n, cap;
	bool full; /* a write did not fit: the encoder reports cap + 1 */
};

static void
rules_enc_bytes(struct rules_enc *e, const void *p, size_t n)
{
	/* Every encoding is far below RULES_VAL_MAX (strings <= 255 bytes). */
	if (e->full || e->cap - e->n < n) {
		e->full = true;
		return;
	}
	memcpy(e->p + e->n, p, n);
	e->n += n;
}

static void
rules_enc_u8(struct rules_enc *e, uint8_t v)
{
	rules_enc_bytes(e, &v, 1);
}

static void
rules_enc_u16(struct rules_enc *e, uint16_t v)
{
	uint8_t b[2] = {(uint8_t)(v >> 8), (uint8_t)v};

	rules_enc_bytes(e, b, 2);
}

static void
rules_enc_u32(struct rules_enc *e, uint32_t v)
{
	uint8_t b[4] = {(uint8_t)(v >> 24), (uint8_t)(v >> 16), (uint8_t)(v >> 8), (uint8_t)v};

	rules_enc_bytes(e, b, 4);
}

static void
rules_enc_str(struct rules_enc *e, const char *s)
{
	size_t n = strlen(s);

	rules_enc_u8(e, (uint8_t)n);
	rules_enc_bytes(e, s, n);
}

struct rules_dec {
	const uint8_t *p;
	size_t n, off;
	const char *bad; /* first field that did not decode */
};

static bool
rules_dec_bytes(struct rules_dec *d, const char *field, void *out, size_t n)
{
	if (d->bad != NULL)
		return false;
	if (d->n - d->off < n) {
		d->bad = field;
		return false;
	}
	memcpy(out, d->p + d->off, n);
	d->off += n;
	return true;
}

static uint8_t
rules_dec_u8(struct rules_dec *d, const char *field)
{
	uint8_t b = 0;

	rules_dec_bytes(d, field, &b, 1);
	return b;
}

static uint16_t
rules_dec_u16(struct rules_dec *d, const char *field)
{
	uint8_t b[2] = {0, 0};

	rules_dec_bytes(d, field, b, 2);
	return (uint16_t)(b[0] << 8 | b[1]);
}

static uint32_t
rules_dec_u32(struct rules_dec *d, const char *field)
{
	uint8_t b[4] = {0, 0, 0, 0};

	rules_dec_bytes(d, field, b, 4);
	return (uint32_t)b[0] << 24 | (uint32_t)b[1] << 16 | (uint32_t)b[2] << 8 | b[3];
}

static void
rules_dec_str(struct rules_dec *d, const char *field, char *out, size_t size)
{
	uint8_t n = rules_dec_u8(d, field);

	out[0] = '\0';
	if (d->bad != NULL)
		return;
	if ((size_t)n >= size) {
		d->bad = field;
		return;
	}
	if (rules_dec_bytes(d, field, out, n))
		out[n] = '\0';
}

static size_t
rules_enc_hlr(const struct jitsim_rules_hlr *h, uint8_t *buf, size_t cap)
{
	struct rules_enc e = {buf, 0, cap};

	rules_enc_u8(&e, RULES_ENC_VERSION);
	rules_enc_str(&e, h->name);
	rules_enc_u16(&e, h->id);
	rules_enc_u8(&e, h->kind);
	rules_enc_str(&e, h->address);
	return e.full ? e.cap + 1 : e.n;
}

static void
rules_dec_hlr(struct rules_dec *d, struct jitsim_rules_hlr *h)
{
	rules_dec_str(d, "name", h->name, sizeof(h->name));
	h->id = rules_dec_u16(d, "id");
	h->kind = rules_dec_u8(d, "kind");
	rules_dec_str(d, "address", h->address, sizeof(h->address));
}

static size_t
rules_enc_region(const struct jitsim_rules_region *g, uint8_t *buf, size_t cap)
{
	struct rules_enc e = {buf, 0, cap};

	rules_enc_u8(&e, RULES_ENC_VERSION);
	rules_enc_u16(&e, g->id);
	rules_enc_str(&e, g->name);
	rules_enc_str(&e, g->hlr);
	rules_enc_str(&e, g->pool);
	return e.full ? e.cap + 1 : e.n;
}

static void
rules_dec_region(struct rules_dec *d, struct jitsim_rules_region *g)
{
	g->id = rules_dec_u16(d, "id");
	rules_dec_str(d, "name", g->name, sizeof(g->name));
	rules_dec_str(d, "hlr", g->hlr, sizeof(g->hlr));
	rules_dec_str(d, "pool", g->pool, sizeof(g->pool));
}

static size_t
rules_enc_visited(const struct jitsim_rules_visited *v, uint8_t *buf, size_t cap)
{
	struct rules_enc e = {buf, 0, cap};

	rules_enc_u8(&e, RULES_ENC_VERSION);
	rules_enc_u8(&e, v->match);
	rules_enc_str(&e, v->value);
	rules_enc_u16(&e, v->region);
	return e.full ? e.cap + 1 : e.n;
}

static void
rules_dec_visited(struct rules_dec *d, struct jitsim_rules_visited *v)
{
	v->match = rules_dec_u8(d, "match");
	rules_dec_str(d, "value", v->value, sizeof(v->value));
	v->region = rules_dec_u16(d, "region");
}

static size_t
rules_enc_device(const struct jitsim_rules_device *r, uint8_t *buf, size_t cap)
{
	struct rules_enc e = {buf, 0, cap};

	rules_enc_u8(&e, RULES_ENC_VERSION);
	rules_enc_str(&e, r->name);
	rules_enc_u32(&e, r->priority);
	rules_enc_u8(&e, r->has_tac);
	rules_enc_u32(&e, r->tac_from);
	rules_enc_u32(&e, r->tac_to);
	rules_enc_u8(&e, r->n_rat);
	for (unsigned int i = 0; i < r->n_rat && i < JITSIM_RULES_RAT_MAX; i++)
		rules_enc_u16(&e, r->rat[i]);
	rules_enc_str(&e, r->profile);
	rules_enc_u16(&e, r->tariff);
	rules_enc_u8(&e, r->flow);
	rules_enc_str(&e, r->data_pool);
	return e.full ? e.cap + 1 : e.n;
}

static void
rules_dec_device(struct rules_dec *d, struct jitsim_rules_device *r)
{
	uint8_t has_tac;

	rules_dec_str(d, "name", r->name, sizeof(r->name));
	r->priority = rules_dec_u32(d, "priority");
	has_tac = rules_dec_u8(d, "has_tac");
	if (has_tac > 1 && d->bad == NULL)
		d->bad = "has_tac";
	r->has_tac = has_tac == 1;
	r->tac_from = rules_dec_u32(d, "tac_from");
	r->tac_to = rules_dec_u32(d, "tac_to");
	r->n_rat = rules_dec_u8(d, "rat");
	if (r->n_rat > JITSIM_RULES_RAT_MAX && d->bad == NULL)
		d->bad = "rat";
	for (unsigned int i = 0; i < r->n_rat && i < JITSIM_RULES_RAT_MAX; i++)
		r->rat[i] = rules_dec_u16(d, "rat");
	rules_dec_str(d, "profile", r->profile, sizeof(r->profile));
	r->tariff = rules_dec_u16(d, "tariff");
	r->flow = rules_dec_u8(d, "flow");
	rules_dec_str(d, "data_pool", r->data_pool, sizeof(r->data_pool));
}

/* Keys of the `meta` column family. */

static int
rules_key_hlr(const char *name, char *key, size_t size)
{
	return snprintf(key, size, "hlr/%s", name);
}

static int
rules_key_region(uint16_t id, char *key, size_t size)
{
	return snprintf(key, size, "region/%05u", id);
}

static int
rules_key_visited(uint8_t match, const char *value, char *key, size_t size)
{
	return snprintf(key, size, "rule/v/%s/%s", RULES_NAME(rules_match_keyseg, match), value);
}

static int
rules_key_device(const char *name, char *key, size_t size)
{
	return snprintf(key, size, "rule/d/%s", name);
}

static void
rules_stage(struct jitsim_store_batch *b, const char *key, const uint8_t *val, size_t vlen)
{
	if (b != NULL && vlen <= RULES_VAL_MAX)
		jitsim_store_batch_put(b, JITSIM_CF_META, key, strlen(key), val, vlen);
}

static void
rules_stage_del(struct jitsim_store_batch *b, const char *key)
{
	if (b != NULL)
		jitsim_store_batch_del(b, JITSIM_CF_META, key, strlen(key));
}

/* ---- public: lifecycle ---- */

struct jitsim_rules *
jitsim_rules_new(void)
{
	struct jitsim_rules *r = calloc(1, sizeof(*r));
	pthread_rwlockattr_t ra;
	int rc;

	if (r == NULL)
		return NULL;
	rules_set_init(&r->set);
	/* Lookups run all the time (every activation): glibc's default
	 * rwlock would let them starve an operator's add for ever. */
	pthread_rwlockattr_init(&ra);
	pthread_rwlockattr_setkind_np(&ra, PTHREAD_RWLOCK_PREFER_WRITER_NONRECURSIVE_NP);
	rc = pthread_rwlock_init(&r->lock, &ra);
	pthread_rwlockattr_destroy(&ra);
	if (rc != 0 || rules_compile(&r->set, NULL, 0) != 0) {
		rules_set_fini(&r->set);
		free(r);
		return NULL;
	}
	return r;
}

void
jitsim_rules_free(struct jitsim_rules *r)
{
	if (r == NULL)
		return;
	rules_set_fini(&r->set);
	pthread_rwlock_destroy(&r->lock);
	free(r);
}

/* ---- public: add / remove ---- */

int
jitsim_rules_hlr_add(struct jitsim_rules *r, const struct jitsim_rules_hlr *h,
		     struct jitsim_store_batch *b, char *err, size_t errlen)
{
	uint8_t val[RULES_VAL_MAX];
	char key[RULES_KEY_MAX];
	size_t n;
	int rc = rules_check_hlr(h, err, errlen);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&r->lock);
	rc = rules_set_put_hlr(&r->set, h, err, errlen);
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		return rc;
	rules_key_hlr(h->name, key, sizeof(key));
	n = rules_enc_hlr(h, val, sizeof(val));
	rules_stage(b, key, val, n);
	return 0;
}

int
jitsim_rules_region_add(struct jitsim_rules *r, const struct jitsim_rules_region *g,
			struct jitsim_store_batch *b, char *err, size_t errlen)
{
	uint8_t val[RULES_VAL_MAX];
	char key[RULES_KEY_MAX];
	size_t n;
	int rc = rules_check_region(g, err, errlen);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&r->lock);
	if (rules_hlr_by_name(&r->set, g->hlr) == NULL) {
		jitsim_errmsg(err, errlen, "field hlr: no hlr '%s'", g->hlr);
		rc = -ENOENT;
	} else {
		rc = rules_set_put_region(&r->set, g, err, errlen);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		return rc;
	rules_key_region(g->id, key, sizeof(key));
	n = rules_enc_region(g, val, sizeof(val));
	rules_stage(b, key, val, n);
	return 0;
}

int
jitsim_rules_visited_add(struct jitsim_rules *r, const struct jitsim_rules_visited *v,
			 struct jitsim_store_batch *b, char *err, size_t errlen)
{
	uint8_t val[RULES_VAL_MAX];
	char key[RULES_KEY_MAX];
	size_t n;
	int rc = rules_check_visited(v, err, errlen);

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&r->lock);
	if (rules_region_by_id(&r->set, v->region) == NULL) {
		jitsim_errmsg(err, errlen, "field region: no region %u", v->region);
		rc = -ENOENT;
	} else {
		rc = rules_put(&r->set, &r->set.visited, v, rules_cmp_visited,
			       JITSIM_RULES_VISITED_MAX, true, err, errlen);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		return rc;
	rules_key_visited(v->match, v->value, key, sizeof(key));
	n = rules_enc_visited(v, val, sizeof(val));
	rules_stage(b, key, val, n);
	return 0;
}

int
jitsim_rules_device_add(struct jitsim_rules *r, const struct jitsim_rules_device *d,
			struct jitsim_store_batch *b, char *err, size_t errlen)
{
	struct jitsim_rules_device c = *d;
	uint8_t val[RULES_VAL_MAX];
	char key[RULES_KEY_MAX];
	size_t n;
	int rc = rules_check_device(d, true, err, errlen);

	if (rc)
		return rc;
	/* Unused RAT slots zeroed: lists and encodings compare equal. */
	for (unsigned int i = c.n_rat; i < JITSIM_RULES_RAT_MAX; i++)
		c.rat[i] = 0;
	if (!c.has_tac)
		c.tac_from = c.tac_to = 0;
	pthread_rwlock_wrlock(&r->lock);
	rc = rules_set_put_device(&r->set, &c, err, errlen);
	pthread_rwlock_unlock(&r->lock);
	if (rc)
		return rc;
	rules_key_device(c.name, key, sizeof(key));
	n = rules_enc_device(&c, val, sizeof(val));
	rules_stage(b, key, val, n);
	return 0;
}

int
jitsim_rules_hlr_remove(struct jitsim_rules *r, const char *name, struct jitsim_store_batch *b,
			char *err, size_t errlen)
{
	struct jitsim_rules_hlr key;
	char skey[RULES_KEY_MAX];
	unsigned int pos;
	bool found;
	int rc = 0;

	if (snprintf(key.name, sizeof(key.name), "%s", name) >= (int)sizeof(key.name)) {
		jitsim_errmsg(err, errlen, "field name: no hlr '%.32s...'", name);
		return -ENOENT;
	}
	pthread_rwlock_wrlock(&r->lock);
	pos = rules_find(&r->set.hlr, &key, rules_cmp_hlr, &found);
	if (!found) {
		jitsim_errmsg(err, errlen, "field name: no hlr '%s'", name);
		rc = -ENOENT;
	}
	for (unsigned int i = 0; rc == 0 && i < r->set.region.n; i++) {
		const struct jitsim_rules_region *g = rules_at(&r->set.region, i);

		if (strcmp(g->hlr, name) == 0) {
			jitsim_errmsg(err, errlen, "field name: hlr '%s' is used by region %u",
				      name, g->id);
			rc = -EBUSY;
		}
	}
	if (rc == 0)
		rules_remove_at(&r->set.hlr, pos);
	pthread_rwlock_unlock(&r->lock);
	if (rc == 0) {
		rules_key_hlr(key.name, skey, sizeof(skey));
		rules_stage_del(b, skey);
	}
	return rc;
}

int
jitsim_rules_region_remove(struct jitsim_rules *r, uint16_t id, struct jitsim_store_batch *b,
			   char *err, size_t errlen)
{
	struct jitsim_rules_region key = {.id = id};
	char skey[RULES_KEY_MAX];
	unsigned int pos;
	bool found;
	int rc = 0;

	pthread_rwlock_wrlock(&r->lock);
	pos = rules_find(&r->set.region, &key, rules_cmp_region, &found);
	if (!found) {
		jitsim_errmsg(err, errlen, "field id: no region %u", id);
		rc = -ENOENT;
	} else if (r->default_region == id) {
		jitsim_errmsg(err, errlen, "field id: region %u is the default region", id);
		rc = -EBUSY;
	}
	for (unsigned int i = 0; rc == 0 && i < r->set.visited.n; i++) {
		const struct jitsim_rules_visited *v = rules_at(&r->set.visited, i);

		if (v->region == id) {
			jitsim_errmsg(err, errlen, "field id: region %u is used by rule %s %s", id,
				      jitsim_rules_match_name(v->match), v->value);
			rc = -EBUSY;
		}
	}
	if (rc == 0)
		rules_remove_at(&r->set.region, pos);
	pthread_rwlock_unlock(&r->lock);
	if (rc == 0) {
		rules_key_region(id, skey, sizeof(skey));
		rules_stage_del(b, skey);
	}
	return rc;
}

int
jitsim_rules_visited_remove(struct jitsim_rules *r, uint8_t match, const char *value,
			    struct jitsim_store_batch *b, char *err, size_t errlen)
{
	struct jitsim_rules_visited key = {.match = match};
	char skey[RULES_KEY_MAX];
	unsigned int pos;
	bool found;
	int rc = 0;

	if (snprintf(key.value, sizeof(key.value), "%s", value) >= (int)sizeof(key.value)) {
		jitsim_errmsg(err, errlen, "field value: too long");
		return -ENOENT;
	}
	pthread_rwlock_wrlock(&r->lock);
	pos = rules_find(&r->set.visited, &key, rules_cmp_visited, &found);
	if (!found) {
		jitsim_errmsg(err, errlen, "field value: no %s rule '%s'",
			      jitsim_rules_match_name(match), key.value);
		rc = -ENOENT;
	} else {
		struct jitsim_rules_visited old;

		memcpy(&old, rules_at(&r->set.visited, pos), sizeof(old));
		rules_remove_at(&r->set.visited, pos);
		rc = rules_compile(&r->set, err, errlen);
		if (rc != 0)
			rules_insert_at(&r->set.visited, pos, &old);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc == 0) {
		rules_key_visited(match, key.value, skey, sizeof(skey));
		rules_stage_del(b, skey);
	}
	return rc;
}

int
jitsim_rules_device_remove(struct jitsim_rules *r, const char *name, struct jitsim_store_batch *b,
			   char *err, size_t errlen)
{
	char skey[RULES_KEY_MAX];
	int pos, rc = 0;

	pthread_rwlock_wrlock(&r->lock);
	pos = rules_device_by_name(&r->set, name);
	if (pos < 0) {
		jitsim_errmsg(err, errlen, "field name: no device rule '%.32s'", name);
		rc = -ENOENT;
	} else {
		rules_remove_at(&r->set.device, (unsigned int)pos);
	}
	pthread_rwlock_unlock(&r->lock);
	if (rc == 0) {
		rules_key_device(name, skey, sizeof(skey));
		rules_stage_del(b, skey);
	}
	return rc;
}

/* ---- public: lists and defaults ---- */

static unsigned int
rules_list(struct jitsim_rules *r, const struct rules_vec *a, void *out, unsigned int cap)
{
	unsigned int n;

	pthread_rwlock_rdlock(&r->lock);
	n = a->n;
	if (out != NULL && cap > 0)
		memcpy(out, a->v, (size_t)(n < cap ? n : cap) * a->size);
	pthread_rwlock_unlock(&r->lock);
	return n;
}

unsigned int
jitsim_rules_hlr_list(struct jitsim_rules *r, struct jitsim_rules_hlr *out, unsigned int cap)
{
	return rules_list(r, &r->set.hlr, out, cap);
}

unsigned int
jitsim_rules_region_list(struct jitsim_rules *r, struct jitsim_rules_region *out, unsigned int cap)
{
	return rules_list(r, &r->set.region, out, cap);
}

unsigned int
jitsim_rules_visited_list(struct jitsim_rules *r, struct jitsim_rules_visited *out,
			  unsigned int cap)
{
	return rules_list(r, &r->set.visited, out, cap);
}

unsigned int
jitsim_rules_device_list(struct jitsim_rules *r, struct jitsim_rules_device *out, unsigned int cap)
{
	return rules_list(r, &r->set.device, out, cap);
}

int
jitsim_rules_set_default_region(struct jitsim_rules *r, uint16_t id, char *err, size_t errlen)
{
	int rc = 0;

	pthread_rwlock_wrlock(&r->lock);
	if (id != 0 && rules_region_by_id(&r->set, id) == NULL) {
		jitsim_errmsg(err, errlen, "field default_region: no region %u", id);
		rc = -ENOENT;
	} else {
		r->default_region = id;
	}
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

int
jitsim_rules_set_default_device(struct jitsim_rules *r, const struct jitsim_rules_device *d,
				char *err, size_t errlen)
{
	int rc = d != NULL ? rules_check_device(d, false, err, errlen) : 0;

	if (rc)
		return rc;
	pthread_rwlock_wrlock(&r->lock);
	r->has_default_device = d != NULL;
	if (d != NULL)
		r->default_device = *d;
	pthread_rwlock_unlock(&r->lock);
	return 0;
}

/* ---- public: lookups ---- */

static uint16_t
rules_lookup_gt(const struct rules_set *s, uint64_t key, uint8_t *len)
{
	char digits[24];
	int32_t cur = 0;
	uint16_t region = 0;
	int n = jitsim_digits_key_format(key, digits, sizeof(digits));

	for (int i = 0; i < n && cur >= 0; i++) {
		cur = s->trie[cur].child[digits[i] - '0'];
		if (cur >= 0 && s->trie[cur].region != 0) {
			region = s->trie[cur].region;
			*len = s->trie[cur].depth;
		}
	}
	return region;
}

static uint16_t
rules_lookup_plmn(const struct rules_set *s, uint64_t key)
{
	struct rules_plmn k = {.key = key};
	const struct rules_plmn *p = bsearch(&k, s->plmn, s->n_plmn, sizeof(k), rules_cmp_plmn);

	return p != NULL ? p->region : 0;
}

static uint16_t
rules_lookup_host(const struct rules_set *s, uint32_t hash)
{
	struct rules_host k = {.hash = hash};
	const struct rules_host *p = bsearch(&k, s->host, s->n_host, sizeof(k), rules_cmp_host);

	return p != NULL ? p->region : 0;
}

int
jitsim_rules_region_lookup(struct jitsim_rules *r, const struct jitsim_event *ev,
			   struct jitsim_rules_region_match *out)
{
	const struct rules_set *s = &r->set;
	const struct jitsim_rules_region *g;
	const struct jitsim_rules_hlr *h;
	uint16_t region = 0;
	uint8_t how = 0, len = 0;
	int rc = -ENOENT;

	pthread_rwlock_rdlock(&r->lock);
	if (ev->origin_hash != 0 && (region = rules_lookup_host(s, ev->origin_hash)) != 0)
		how = JITSIM_RULES_M_ORIGIN_HOST;
	if (region == 0 && ev->visited != 0) {
		if (ev->visited_kind == JITSIM_EV_VIS_PLMN) {
			region = rules_lookup_plmn(s, ev->visited);
			how = JITSIM_RULES_M_PLMN;
		} else if (ev->visited_kind == JITSIM_EV_VIS_VLR ||
			   ev->visited_kind == JITSIM_EV_VIS_SGSN ||
			   ev->visited_kind == JITSIM_EV_VIS_GT) {
			region = rules_lookup_gt(s, ev->visited, &len);
			how = JITSIM_RULES_M_GT_PREFIX;
		}
	}
	if (region == 0) {
		region = r->default_region;
		how = JITSIM_RULES_M_DEFAULT;
		len = 0;
	}
	g = region != 0 ? rules_region_by_id(s, region) : NULL;
	h = g != NULL ? rules_hlr_by_name(s, g->hlr) : NULL;
	if (h != NULL) {
		memset(out, 0, sizeof(*out));
		out->how = how;
		out->prefix_len = len;
		out->region = g->id;
		out->hlr_kind = h->kind;
		out->hlr_id = h->id;
		memcpy(out->name, g->name, sizeof(out->name));
		memcpy(out->hlr, g->hlr, sizeof(out->hlr));
		memcpy(out->pool, g->pool, sizeof(out->pool));
		rc = 0;
	}
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

/* TAC: the first 8 digits of the IMEI key, -1 when there are fewer. */
static int64_t
rules_tac(uint64_t imei)
{
	static const uint64_t pow10[9] = {1,	  10,	   100,	     1000,     10000,
					  100000, 1000000, 10000000, 100000000};
	unsigned int n = (unsigned int)(imei >> 56);
	uint64_t v = imei & ((1ull << 56) - 1);

	if (imei == 0 || n < 8 || n > 16)
		return -1;
	return (int64_t)(v / pow10[n - 8]);
}

static bool
rules_device_matches(const struct jitsim_rules_device *d, int64_t tac, uint16_t rat)
{
	bool rat_ok = d->n_rat == 0;

	if (d->has_tac && (tac < 0 || (uint64_t)tac < d->tac_from || (uint64_t)tac > d->tac_to))
		return false;
	for (unsigned int i = 0; i < d->n_rat && !rat_ok; i++)
		rat_ok = d->rat[i] == rat;
	return rat_ok;
}

int
jitsim_rules_device_lookup(struct jitsim_rules *r, const struct jitsim_event *ev,
			   struct jitsim_rules_device_match *out)
{
	const struct jitsim_rules_device *d = NULL;
	int64_t tac = rules_tac(ev->imei);
	int rc = 0;

	pthread_rwlock_rdlock(&r->lock);
	for (unsigned int i = 0; i < r->set.device.n && d == NULL; i++) {
		const struct jitsim_rules_device *c = rules_at(&r->set.device, i);

		if (rules_device_matches(c, tac, ev->rat_type))
			d = c;
	}
	memset(out, 0, sizeof(*out));
	if (d == NULL && r->has_default_device) {
		d = &r->default_device;
		out->is_default = true;
	}
	if (d != NULL) {
		if (!out->is_default)
			memcpy(out->rule, d->name, sizeof(out->rule));
		memcpy(out->profile, d->profile, sizeof(out->profile));
		out->tariff = d->tariff;
		out->flow = d->flow;
		memcpy(out->data_pool, d->data_pool, sizeof(out->data_pool));
	} else {
		rc = -ENOENT;
	}
	pthread_rwlock_unlock(&r->lock);
	return rc;
}

/* ---- load ---- */

enum rules_kind { RULES_K_HLR, RULES_K_REGION, RULES_K_VISITED, RULES_K_DEVICE };

/* Decode and check one stored value into @set; the key must be the one
 * the definition would be stored under. */
static int
rules_load_one(struct rules_set *set, enum rules_kind kind, const uint8_t *key, size_t klen,
	       const uint8_t *val, size_t vlen, char *err, size_t errlen)
{
	union {
		struct jitsim_rules_hlr h;
		struct jitsim_rules_region g;
		struct jitsim_rules_visited v;
		struct jitsim_rules_device d;
	} u;
	struct rules_dec d = {val, vlen, 0, NULL};
	char skey[RULES_KEY_MAX + 1], want[RULES_KEY_MAX], msg[320];
	uint8_t version;
	int rc;

	/* Keys are ours, but a damaged store may hold anything: print only
	 * a bounded, printable form. */
	if (klen >= sizeof(skey))
		klen = sizeof(skey) - 1;
	for (size_t i = 0; i < klen; i++)
		skey[i] = key[i] > ' ' && key[i] <= '~' ? (char)key[i] : '?';
	skey[klen] = '\0';
	memset(&u, 0, sizeof(u));
	version = rules_dec_u8(&d, "version");
	if (d.bad == NULL && version > RULES_ENC_VERSION) {
		jitsim_errmsg(err, errlen, "meta key '%s': encoding version %u is newer than %u",
			      skey, version, RULES_ENC_VERSION);
		return -ENOTSUP;
	}
	if (d.bad == NULL && version == 0)
		d.bad = "version";
	switch (kind) {
	case RULES_K_HLR:
		rules_dec_hlr(&d, &u.h);
		break;
	case RULES_K_REGION:
		rules_dec_region(&d, &u.g);
		break;
	case RULES_K_VISITED:
		rules_dec_visited(&d, &u.v);
		break;
	case RULES_K_DEVICE:
		rules_dec_device(&d, &u.d);
		break;
	}
	if (d.bad != NULL) {
		jitsim_errmsg(err, errlen, "meta key '%s': field %s: damaged", skey, d.bad);
		return -EBADMSG;
	}
	if (d.off != d.n) {
		jitsim_errmsg(err, errlen, "meta key '%s': %zu bytes after the last field", skey,
			      d.n - d.off);
		return -EBADMSG;
	}
	switch (kind) {
	case RULES_K_HLR:
		rc = rules_check_hlr(&u.h, msg, sizeof(msg));
		rules_key_hlr(u.h.name, want, sizeof(want));
		break;
	case RULES_K_REGION:
		rc = rules_check_region(&u.g, msg, sizeof(msg));
		rules_key_region(u.g.id, want, sizeof(want));
		break;
	case RULES_K_VISITED:
		rc = rules_check_visited(&u.v, msg, sizeof(msg));
		rules_key_visited(u.v.match, u.v.value, want, sizeof(want));
		break;
	default:
		rc = rules_check_device(&u.d, true, msg, sizeof(msg));
		rules_key_device(u.d.name, want, sizeof(want));
		break;
	}
	if (rc == 0 && strcmp(want, skey) != 0) {
		snprintf(msg, sizeof(msg), "the definition belongs under key '%s'", want);
		rc = -EINVAL;
	}
	if (rc == 0) {
		switch (kind) {
		case RULES_K_HLR:
			rc = rules_set_put_hlr(set, &u.h, msg, sizeof(msg));
			break;
		case RULES_K_REGION:
			rc = rules_set_put_region(set, &u.g, msg, sizeof(msg));
			break;
		case RULES_K_VISITED:
			rc = rules_put(set, &set->visited, &u.v, rules_cmp_visited,
				       JITSIM_RULES_VISITED_MAX, false, msg, sizeof(msg));
			break;
		default:
			rc = rules_set_put_device(set, &u.d, msg, sizeof(msg));
			break;
		}
	}
	if (rc != 0) {
		jitsim_errmsg(err, errlen, "meta key '%s': %s", skey, msg);
		return rc == -EEXIST ? -EINVAL : rc;
	}
	return 0;
}

static int
rules_load_prefix(struct jitsim_store *s, struct rules_set *set, enum rules_kind kind,
		  const char *prefix, char *err, size_t errlen)
{
	char hi[32];
	size_t n = strlen(prefix);
	struct jitsim_store_iter *it;
	const uint8_t *k, *v;
	size_t klen, vlen;
	int rc;

	/* Upper bound: the prefix with its last byte ('/') plus one. */
	memcpy(hi, prefix, n);
	hi[n - 1]++;
	it = jitsim_store_iter_new_range(s, JITSIM_CF_META, prefix, n, hi, n);
	if (it == NULL) {
		jitsim_errmsg(err, errlen, "out of memory");
		return -ENOMEM;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &klen, &v, &vlen)) == 1) {
		rc = rules_load_one(set, kind, k, klen, v, vlen, err, errlen);
		if (rc != 0)
			break;
	}
	jitsim_store_iter_free(it);
	if (rc == -EIO)
		jitsim_errmsg(err, errlen, "store: read error in meta under '%s'", prefix);
	return rc < 0 ? rc : 0;
}

int
jitsim_rules_load(struct jitsim_rules *r, struct jitsim_store *s, char *err, size_t errlen)
{
	struct rules_set set;
	int rc;

	rules_set_init(&set);
	rc = rules_load_prefix(s, &set, RULES_K_HLR, "hlr/", err, errlen);
	if (rc == 0)
		rc = rules_load_prefix(s, &set, RULES_K_REGION, "region/", err, errlen);
	if (rc == 0)
		rc = rules_load_prefix(s, &set, RULES_K_VISITED, "rule/v/", err, errlen);
	if (rc == 0)
		rc = rules_load_prefix(s, &set, RULES_K_DEVICE, "rule/d/", err, errlen);
	for (unsigned int i = 0; rc == 0 && i < set.region.n; i++) {
		const struct jitsim_rules_region *g = rules_at(&set.region, i);

		if (rules_hlr_by_name(&set, g->hlr) == NULL) {
			jitsim_errmsg(err, errlen, "meta key 'region/%05u': field hlr: no hlr '%s'",
				      g->id, g->hlr);
			rc = -EINVAL;
		}
	}
	for (unsigned int i = 0; rc == 0 && i < set.visited.n; i++) {
		const struct jitsim_rules_visited *v = rules_at(&set.visited, i);

		if (rules_region_by_id(&set, v->region) == NULL) {
			jitsim_errmsg(
				err, errlen, "meta key 'rule/v/%s/%s': field region: no region %u",
				RULES_NAME(rules_match_keyseg, v->match), v->value, v->region);
			rc = -EINVAL;
		}
	}
	if (rc == 0) {
		char msg[320];

		rc = rules_compile(&set, msg, sizeof(msg));
		if (rc != 0) {
			jitsim_errmsg(err, errlen, "meta rule/v/host: %s", msg);
			rc = rc == -EEXIST ? -EINVAL : rc;
		}
	}
	if (rc != 0) {
		rules_set_fini(&set);
		return rc;
	}
	pthread_rwlock_wrlock(&r->lock);
	rules_set_fini(&r->set);
	r->set = set;
	pthread_rwlock_unlock(&r->lock);
	return 0;
}

/* ---- JSON ---- */

/* Refuse members not in @allowed (NULL-terminated). */
static int
rules_json_members(const json_t *j, const char *const *allowed, char *err, size_t errlen)
{
	const char *k;
	json_t *v;

	if (!json_is_object(j)) {
		jitsim_errmsg(err, errlen, "not a JSON object");
		return -EINVAL;
	}
	/* json_object_foreach takes a non-const object; nothing is changed. */
	json_object_foreach((json_t *)(uintptr_t)j, k, v)
	{
		bool ok = false;

		(void)v;
		for (const char *const *a = allowed; *a && !ok; a++)
			ok = strcmp(*a, k) == 0;
		if (!ok) {
			jitsim_errmsg(err, errlen, "field %.64s: unknown", k);
			return -EINVAL;
		}
	}
	return 0;
}

static int
rules_json_str(const json_t *j, const char *field, bool required, char *out, size_t size, char *err,
	       size_t errlen)
{
	const json_t *v = json_object_get(j, field);

	out[0] = '\0';
	if (v == NULL) {
		if (!required)
			return 0;
		jitsim_errmsg(err, errlen, "field %s: missing", field);
		return -EINVAL;
	}
	if (!json_is_string(v)) {
		jitsim_errmsg(err, errlen, "field %s: not a string", field);
		return -EINVAL;
	}
	if (json_string_length(v) >= size ||
	    strlen(json_string_value(v)) != json_string_length(v)) {
		jitsim_errmsg(err, errlen, "field %s: longer than %zu characters or has a NUL",
			      field, size - 1);
		return -EINVAL;
	}
	memcpy(out, json_string_value(v), json_string_length(v) + 1);
	return 0;
}

static int
rules_json_uint(const json_t *j, const char *field, bool required, uint64_t max, uint64_t *out,
		char *err, size_t errlen)
{
	const json_t *v = json_object_get(j, field);

	*out = 0;
	if (v == NULL) {
		if (!required)
			return 1;
		jitsim_errmsg(err, errlen, "field %s: missing", field);
		return -EINVAL;
	}
	if (!json_is_integer(v) || json_integer_value(v) < 0 ||
	    (uint64_t)json_integer_value(v) > max) {
		jitsim_errmsg(err, errlen, "field %s: not an integer in 0..%" PRIu64, field, max);
		return -EINVAL;
	}
	*out = (uint64_t)json_integer_value(v);
	return 0;
}

/* A string member that must be one of @names[lo..hi]: its index. */
static int
rules_json_enum(const json_t *j, const char *field, const char *const *names, unsigned int lo,
		unsigned int hi, unsigned int *out, char *err, size_t errlen)
{
	char s[32];
	int rc = rules_json_str(j, field, true, s, sizeof(s), err, errlen);

	if (rc)
		return rc;
	for (unsigned int i = lo; i <= hi; i++) {
		if (names[i] != NULL && strcmp(names[i], s) == 0) {
			*out = i;
			return 0;
		}
	}
	jitsim_errmsg(err, errlen, "field %s: '%s' is not one of the known values", field, s);
	return -EINVAL;
}

int
jitsim_rules_hlr_from_json(const json_t *j, struct jitsim_rules_hlr *h, char *err, size_t errlen)
{
	static const char *const allowed[] = {"name", "id", "kind", "address", NULL};
	unsigned int kind = 0;
	uint64_t id;
	int rc;

	memset(h, 0, sizeof(*h));
	rc = rules_json_members(j, allowed, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "name", true, h->name, sizeof(h->name), err, errlen);
	if (rc == 0)
		rc = rules_json_uint(j, "id", true, UINT16_MAX, &id, err, errlen);
	if (rc == 0)
		rc = rules_json_enum(j, "kind", rules_kind_names, JITSIM_HLR_OSMO,
				     JITSIM_HLR_OUTBOX, &kind, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "address", true, h->address, sizeof(h->address), err,
				    errlen);
	if (rc)
		return rc;
	h->id = (uint16_t)id;
	h->kind = (uint8_t)kind;
	return rules_check_hlr(h, err, errlen);
}

int
jitsim_rules_region_from_json(const json_t *j, struct jitsim_rules_region *g, char *err,
			      size_t errlen)
{
	static const char *const allowed[] = {"id", "name", "hlr", "pool", NULL};
	uint64_t id;
	int rc;

	memset(g, 0, sizeof(*g));
	rc = rules_json_members(j, allowed, err, errlen);
	if (rc == 0)
		rc = rules_json_uint(j, "id", true, UINT16_MAX, &id, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "name", true, g->name, sizeof(g->name), err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "hlr", true, g->hlr, sizeof(g->hlr), err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "pool", true, g->pool, sizeof(g->pool), err, errlen);
	if (rc)
		return rc;
	g->id = (uint16_t)id;
	return rules_check_region(g, err, errlen);
}

int
jitsim_rules_visited_from_json(const json_t *j, struct jitsim_rules_visited *v, char *err,
			       size_t errlen)
{
	static const char *const allowed[] = {"match", "value", "region", NULL};
	unsigned int match = 0;
	uint64_t region;
	int rc;

	memset(v, 0, sizeof(*v));
	rc = rules_json_members(j, allowed, err, errlen);
	if (rc == 0)
		rc = rules_json_enum(j, "match", rules_match_names, JITSIM_RULES_M_GT_PREFIX,
				     JITSIM_RULES_M_ORIGIN_HOST, &match, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "value", true, v->value, sizeof(v->value), err, errlen);
	if (rc == 0)
		rc = rules_json_uint(j, "region", true, UINT16_MAX, &region, err, errlen);
	if (rc)
		return rc;
	v->match = (uint8_t)match;
	v->region = (uint16_t)region;
	return rules_check_visited(v, err, errlen);
}

static int
rules_json_rat(const json_t *j, struct jitsim_rules_device *d, char *err, size_t errlen)
{
	const json_t *a = json_object_get(j, "rat"), *e;
	size_t i;

	if (a == NULL)
		return 0;
	if (!json_is_array(a) || json_array_size(a) > JITSIM_RULES_RAT_MAX) {
		jitsim_errmsg(err, errlen, "field rat: not an array of at most %u entries",
			      JITSIM_RULES_RAT_MAX);
		return -EINVAL;
	}
	json_array_foreach(a, i, e)
	{
		bool ok = false;

		if (json_is_integer(e) && json_integer_value(e) >= 0 &&
		    json_integer_value(e) <= UINT16_MAX) {
			d->rat[i] = (uint16_t)json_integer_value(e);
			ok = true;
		}
		for (size_t k = 0; json_is_string(e) && !ok &&
				   k < sizeof(rules_rat_names) / sizeof(rules_rat_names[0]);
		     k++) {
			if (strcmp(json_string_value(e), rules_rat_names[k].name) == 0) {
				d->rat[i] = rules_rat_names[k].value;
				ok = true;
			}
		}
		if (!ok) {
			jitsim_errmsg(err, errlen, "field rat: entry %zu is not a RAT type", i + 1);
			return -EINVAL;
		}
	}
	d->n_rat = (uint8_t)json_array_size(a);
	return 0;
}

int
jitsim_rules_device_from_json(const json_t *j, struct jitsim_rules_device *d, char *err,
			      size_t errlen)
{
	static const char *const allowed[] = {"name",	 "priority", "tac_from", "tac_to",    "rat",
					      "profile", "tariff",   "flow",	 "data_pool", NULL};
	unsigned int flow = 0;
	uint64_t prio, from, to, tariff;
	int rc, has_from, has_to;

	memset(d, 0, sizeof(*d));
	rc = rules_json_members(j, allowed, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "name", true, d->name, sizeof(d->name), err, errlen);
	if (rc == 0)
		rc = rules_json_uint(j, "priority", true, UINT32_MAX, &prio, err, errlen);
	if (rc)
		return rc;
	has_from = rules_json_uint(j, "tac_from", false, RULES_TAC_MAX, &from, err, errlen);
	if (has_from < 0)
		return has_from;
	has_to = rules_json_uint(j, "tac_to", false, RULES_TAC_MAX, &to, err, errlen);
	if (has_to < 0)
		return has_to;
	if (has_from != has_to) {
		jitsim_errmsg(err, errlen, "field %s: missing (give tac_from and tac_to together)",
			      has_from ? "tac_from" : "tac_to");
		return -EINVAL;
	}
	rc = rules_json_rat(j, d, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "profile", true, d->profile, sizeof(d->profile), err,
				    errlen);
	if (rc == 0)
		rc = rules_json_uint(j, "tariff", true, UINT16_MAX, &tariff, err, errlen);
	if (rc == 0)
		rc = rules_json_enum(j, "flow", rules_flow_names, JITSIM_FLOW_VOICE,
				     JITSIM_FLOW_DATA_ONLY, &flow, err, errlen);
	if (rc == 0)
		rc = rules_json_str(j, "data_pool", false, d->data_pool, sizeof(d->data_pool), err,
				    errlen);
	if (rc)
		return rc;
	d->priority = (uint32_t)prio;
	d->has_tac = has_from == 0;
	d->tac_from = (uint32_t)from;
	d->tac_to = (uint32_t)to;
	d->tariff = (uint16_t)tariff;
	d->flow = (uint8_t)flow;
	return rules_check_device(d, true, err, errlen);
}

json_t *
jitsim_rules_hlr_to_json(const struct jitsim_rules_hlr *h)
{
	return json_pack("{s:s, s:i, s:s, s:s}", "name", h->name, "id", (int)h->id, "kind",
			 jitsim_hlr_kind_name(h->kind), "address", h->address);
}

json_t *
jitsim_rules_region_to_json(const struct jitsim_rules_region *g)
{
	return json_pack("{s:i, s:s, s:s, s:s}", "id", (int)g->id, "name", g->name, "hlr", g->hlr,
			 "pool", g->pool);
}

json_t *
jitsim_rules_visited_to_json(const struct jitsim_rules_visited *v)
{
	return json_pack("{s:s, s:s, s:i}", "match", jitsim_rules_match_name(v->match), "value",
			 v->value, "region", (int)v->region);
}

static const char *
rules_rat_name(uint16_t rat)
{
	for (size_t k = 0; k < sizeof(rules_rat_names) / sizeof(rules_rat_names[0]); k++)
		if (rules_rat_names[k].value == rat)
			return rules_rat_names[k].name;
	return NULL;
}

json_t *
jitsim_rules_device_to_json(const struct jitsim_rules_device *d)
{
	json_t *o = json_pack("{s:s, s:I, s:s, s:i, s:s}", "name", d->name, "priority",
			      (json_int_t)d->priority, "profile", d->profile, "tariff",
			      (int)d->tariff, "flow", jitsim_rules_flow_name(d->flow));
	json_t *rat;

	if (o == NULL)
		return NULL;
	if (d->has_tac && (json_object_set_new(o, "tac_from", json_integer(d->tac_from)) != 0 ||
			   json_object_set_new(o, "tac_to", json_integer(d->tac_to)) != 0))
		goto fail;
	if (d->data_pool[0] != '\0' &&
	    json_object_set_new(o, "data_pool", json_string(d->data_pool)) != 0)
		goto fail;
	if (d->n_rat > 0) {
		rat = json_array();
		if (rat == NULL || json_object_set_new(o, "rat", rat) != 0)
			goto fail;
		for (unsigned int i = 0; i < d->n_rat && i < JITSIM_RULES_RAT_MAX; i++) {
			const char *n = rules_rat_name(d->rat[i]);

			if (json_array_append_new(rat,
						  n ? json_string(n) : json_integer(d->rat[i])))
				goto fail;
		}
	}
	return o;
fail:
	json_decref(o);
	return NULL;
}
