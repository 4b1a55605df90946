/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include <jitsim/proto/digits.h>

#include "config.h"

struct cp_ini_ctx {
	struct jitsim_cp_config *c;
	char msg[256];
	bool failed;
};

static int __attribute__((format(printf, 3, 4)))
cp_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
jitsim_cp_config_init(struct jitsim_cp_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->name, sizeof(c->name), "default");
	c->inflight = 8;
	c->timeout_ms = 10000;
	jitsim_shm_geometry_default(&c->geom);
	c->retries = 3;
	c->notify_retries = 5;
	c->backoff_ms = 200;
	jitsim_cp_sleep_cfg_init(&c->sleep);
	jitsim_cp_fta_cfg_init(&c->fta);
}

void
jitsim_cp_config_free(struct jitsim_cp_config *c)
{
	free(c->store);
	free(c->kek);
	free(c->socket);
	free(c->group);
	free(c->outbox);
	free(c->notify_url);
	c->store = c->kek = c->socket = c->group = c->outbox = c->notify_url = NULL;
}

/* Decimal in [lo, hi], nothing else on the value. */
static int
cp_parse_u64(const char *v, uint64_t lo, uint64_t hi, uint64_t *out)
{
	char *end;
	unsigned long long x;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	x = strtoull(v, &end, 10);
	if (errno != 0 || *end != '\0' || x < lo || x > hi)
		return -EINVAL;
	*out = x;
	return 0;
}

static bool
cp_name_ok(const char *s, size_t max)
{
	size_t n = strlen(s);

	if (n == 0 || n > max)
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = s[i];

		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '_' || ch == '-' || ch == '.'))
			return false;
	}
	return true;
}

static int
cp_set_str(char **dst, const char *v, const char *key, char *err, size_t errlen)
{
	if (*v == '\0' || strlen(v) > 4095)
		return cp_errf(err, errlen, "%s: empty or longer than 4095 characters", key);
	free(*dst);
	*dst = strdup(v);
	if (*dst == NULL)
		return cp_errf(err, errlen, "%s: out of memory", key);
	return 0;
}

static int
cp_u(const char *v, uint64_t lo, uint64_t hi, uint64_t *out, const char *sec, const char *key,
     char *err, size_t errlen)
{
	if (cp_parse_u64(v, lo, hi, out) != 0)
		return cp_errf(err, errlen,
			       "[%s] %s: '%s' is not a number in %" PRIu64 "..%" PRIu64, sec, key,
			       v, lo, hi);
	return 0;
}

static int
cp_pow2(const char *v, const char *key, uint32_t *out, char *err, size_t errlen)
{
	uint64_t x = 0;

	if (cp_parse_u64(v, 2, 1u << 24, &x) != 0 || (x & (x - 1)) != 0)
		return cp_errf(err, errlen, "[shm] %s: '%s' is not a power of two in 2..16777216",
			       key, v);
	*out = (uint32_t)x;
	return 0;
}

static int
cp_set_instance(struct jitsim_cp_config *c, const char *k, const char *v, char *err, size_t el)
{
	if (strcmp(k, "name") == 0) {
		if (!cp_name_ok(v, sizeof(c->name) - 1) || strchr(v, '.') != NULL)
			return cp_errf(err, el, "[instance] name: 1..24 of A-Z a-z 0-9 _ -");
		snprintf(c->name, sizeof(c->name), "%s", v);
		return 0;
	}
	if (strcmp(k, "store") == 0)
		return cp_set_str(&c->store, v, "[instance] store", err, el);
	if (strcmp(k, "kek") == 0)
		return cp_set_str(&c->kek, v, "[instance] kek", err, el);
	if (strcmp(k, "socket") == 0) {
		if (strlen(v) >= 108)
			return cp_errf(err, el, "[instance] socket: path of 108 bytes or more");
		return cp_set_str(&c->socket, v, "[instance] socket", err, el);
	}
	if (strcmp(k, "group") == 0)
		return cp_set_str(&c->group, v, "[instance] group", err, el);
	return cp_errf(err, el, "unknown key '%s' in section [instance]", k);
}

static int
cp_set_outbox(struct jitsim_cp_config *c, const char *k, const char *v, char *err, size_t el)
{
	uint64_t x = 0;
	int rc;

	if (strcmp(k, "path") == 0)
		return cp_set_str(&c->outbox, v, "[outbox] path", err, el);
	if (strcmp(k, "inflight") == 0) {
		rc = cp_u(v, 1, 256, &x, "outbox", k, err, el);
		c->inflight = (unsigned int)x;
		return rc;
	}
	if (strcmp(k, "timeout") == 0) {
		rc = cp_u(v, 100, 600000, &x, "outbox", k, err, el);
		c->timeout_ms = (unsigned int)x;
		return rc;
	}
	return cp_errf(err, el, "unknown key '%s' in section [outbox]", k);
}

static int
cp_set_shm(struct jitsim_cp_config *c, const char *k, const char *v, char *err, size_t el)
{
	uint64_t x = 0;
	int rc;

	if (strcmp(k, "rings") == 0) {
		rc = cp_u(v, 1, JITSIM_SHM_MAX_RINGS, &x, "shm", k, err, el);
		c->geom.n_event_rings = (uint32_t)x;
		return rc;
	}
	if (strcmp(k, "event_ring") == 0)
		return cp_pow2(v, k, &c->geom.event_ring_count, err, el);
	if (strcmp(k, "update_ring") == 0)
		return cp_pow2(v, k, &c->geom.update_ring_count, err, el);
	return cp_errf(err, el, "unknown key '%s' in section [shm]", k);
}

static int
cp_set_flow(struct jitsim_cp_config *c, const char *k, const char *v, char *err, size_t el)
{
	uint64_t x = 0;
	int rc;

	if (strcmp(k, "retries") == 0) {
		rc = cp_u(v, 0, 100, &x, "flow", k, err, el);
		c->retries = (unsigned int)x;
		return rc;
	}
	if (strcmp(k, "backoff") == 0) {
		rc = cp_u(v, 1, 3600000, &x, "flow", k, err, el);
		c->backoff_ms = (unsigned int)x;
		return rc;
	}
	if (strcmp(k, "default_region") == 0) {
		rc = cp_u(v, 0, UINT16_MAX, &x, "flow", k, err, el);
		c->default_region = (uint16_t)x;
		return rc;
	}
	if (strcmp(k, "default_tariff") == 0) {
		rc = cp_u(v, 0, UINT16_MAX, &x, "flow", k, err, el);
		c->default_tariff = (uint16_t)x;
		return rc;
	}
	if (strcmp(k, "default_profile") == 0) {
		if (!cp_name_ok(v, JITSIM_RULES_NAME_MAX))
			return cp_errf(err, el,
				       "[flow] default_profile: 1..32 of A-Z a-z 0-9 . _ -");
		snprintf(c->default_profile, sizeof(c->default_profile), "%s", v);
		return 0;
	}
	return cp_errf(err, el, "unknown key '%s' in section [flow]", k);
}

/* The http HLR's local files (hlrs.h): token_file, ca_file, client_cert,
 * client_key, insecure. */
static int
cp_set_hlr_tls(struct jitsim_cp_hlr_tls *t, const char *name, const char *k, const char *v,
	       char *err, size_t el)
{
	char *dst = NULL;

	snprintf(t->name, sizeof(t->name), "%s", name);
	if (strcmp(k, "token_file") == 0)
		dst = t->token_file;
	else if (strcmp(k, "ca_file") == 0)
		dst = t->ca_file;
	else if (strcmp(k, "client_cert") == 0)
		dst = t->client_cert;
	else if (strcmp(k, "client_key") == 0)
		dst = t->client_key;
	if (dst != NULL) {
		if (v[0] != '/' || strlen(v) >= JITSIM_CP_PATH_MAX)
			return cp_errf(err, el, "[hlr %s] %s: an absolute path under %u bytes",
				       name, k, JITSIM_CP_PATH_MAX);
		snprintf(dst, JITSIM_CP_PATH_MAX, "%s", v);
		return 0;
	}
	if (strcmp(k, "insecure") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return cp_errf(err, el, "[hlr %s] insecure: yes or no", name);
		t->insecure = strcmp(v, "yes") == 0;
		return 0;
	}
	return cp_errf(err, el, "unknown key '%s' in section [hlr %s]", k, name);
}

static int
cp_set_hlr(struct jitsim_cp_config *c, const char *name, const char *k, const char *v, char *err,
	   size_t el)
{
	struct jitsim_rules_hlr *h = NULL;
	uint64_t x = 0;
	int rc;

	if (!cp_name_ok(name, JITSIM_RULES_NAME_MAX))
		return cp_errf(err, el, "[hlr %s]: name: 1..32 of A-Z a-z 0-9 . _ -", name);
	for (unsigned int i = 0; i < c->n_hlr; i++)
		if (strcmp(c->hlr[i].name, name) == 0)
			h = &c->hlr[i];
	if (h == NULL) {
		if (c->n_hlr == JITSIM_CP_CFG_HLR_MAX)
			return cp_errf(err, el, "[hlr %s]: more than %u [hlr] sections", name,
				       JITSIM_CP_CFG_HLR_MAX);
		h = &c->hlr[c->n_hlr++];
		snprintf(h->name, sizeof(h->name), "%s", name);
		h->kind = JITSIM_HLR_OUTBOX;
	}
	if (strcmp(k, "id") == 0) {
		rc = cp_u(v, 1, UINT16_MAX, &x, "hlr", k, err, el);
		h->id = (uint16_t)x;
		return rc;
	}
	if (strcmp(k, "kind") == 0) {
		if (strcmp(v, "outbox") == 0)
			h->kind = JITSIM_HLR_OUTBOX;
		else if (strcmp(v, "osmo-hlr") == 0)
			h->kind = JITSIM_HLR_OSMO;
		else if (strcmp(v, "http") == 0)
			h->kind = JITSIM_HLR_HTTP;
		else
			return cp_errf(err, el, "[hlr %s] kind: '%s' (outbox, osmo-hlr, http)",
				       name, v);
		return 0;
	}
	if (strcmp(k, "address") == 0) {
		if (strlen(v) > JITSIM_RULES_ADDR_MAX)
			return cp_errf(err, el, "[hlr %s] address: longer than %u", name,
				       JITSIM_RULES_ADDR_MAX);
		snprintf(h->address, sizeof(h->address), "%s", v);
		return 0;
	}
	return cp_set_hlr_tls(&c->hlr_tls[h - c->hlr], name, k, v, err, el);
}

/* A comma-separated list of digit strings (GT prefixes 1..16 digits,
 * PLMNs MCC+MNC 5..6 digits), appended to the region's visited rules. */
static int
cp_set_visited(struct jitsim_cp_config *c, uint16_t region, const char *k, const char *v, char *err,
	       size_t el)
{
	const bool plmn = strcmp(k, "plmn") == 0;
	const size_t lo = plmn ? 5 : 1, hi = plmn ? 6 : JITSIM_RULES_PREFIX_MAX;
	const char *p = v;

	while (*p != '\0') {
		size_t n = strcspn(p, ",");
		struct jitsim_rules_visited *x;

		while (n > 0 && *p == ' ') {
			p++;
			n--;
		}
		if (n < lo || n > hi || strspn(p, "0123456789") < n)
			return cp_errf(err, el, "[region %u] %s: '%.*s' is not %zu..%zu digits",
				       region, k, (int)n, p, lo, hi);
		if (c->n_visited == JITSIM_CP_CFG_VISITED_MAX)
			return cp_errf(err, el, "[region %u] %s: more than %u entries in all",
				       region, k, JITSIM_CP_CFG_VISITED_MAX);
		x = &c->visited[c->n_visited++];
		x->match = plmn ? JITSIM_RULES_M_PLMN : JITSIM_RULES_M_GT_PREFIX;
		x->region = region;
		memcpy(x->value, p, n);
		x->value[n] = '\0';
		p += n;
		if (*p == ',')
			p++;
	}
	return 0;
}

static int
cp_set_region(struct jitsim_cp_config *c, const char *ids, const char *k, const char *v, char *err,
	      size_t el)
{
	struct jitsim_rules_region *g = NULL;
	uint64_t id;

	if (cp_parse_u64(ids, 1, UINT16_MAX, &id) != 0)
		return cp_errf(err, el, "[region %s]: the region id must be 1..65535", ids);
	for (unsigned int i = 0; i < c->n_region; i++)
		if (c->region[i].id == id)
			g = &c->region[i];
	if (g == NULL) {
		if (c->n_region == JITSIM_CP_CFG_REGION_MAX)
			return cp_errf(err, el, "[region %s]: more than %u [region] sections", ids,
				       JITSIM_CP_CFG_REGION_MAX);
		g = &c->region[c->n_region++];
		g->id = (uint16_t)id;
	}
	if (strcmp(k, "gt_prefix") == 0 || strcmp(k, "plmn") == 0)
		return cp_set_visited(c, g->id, k, v, err, el);
	if (strcmp(k, "name") != 0 && strcmp(k, "hlr") != 0 && strcmp(k, "pool") != 0)
		return cp_errf(err, el, "unknown key '%s' in section [region %s]", k, ids);
	if (!cp_name_ok(v, JITSIM_RULES_NAME_MAX))
		return cp_errf(err, el, "[region %s] %s: 1..32 of A-Z a-z 0-9 . _ -", ids, k);
	if (strcmp(k, "name") == 0)
		snprintf(g->name, sizeof(g->name), "%s", v);
	else if (strcmp(k, "hlr") == 0)
		snprintf(g->hlr, sizeof(g->hlr), "%s", v);
	else
		snprintf(g->pool, sizeof(g->pool), "%s", v);
	return 0;
}

static int
cp_digits_key(const char *v, uint64_t *out)
{
	size_t n = strlen(v);

	if (n == 0 || n > JITSIM_POOL_DIGITS_MAX)
		return -EINVAL;
	for (size_t i = 0; i < n; i++)
		if (v[i] < '0' || v[i] > '9')
			return -EINVAL;
	*out = jitsim_digits_key_str(v);
	return 0;
}

static int
cp_set_pool(struct jitsim_cp_config *c, const char *name, const char *k, const char *v, char *err,
	    size_t el)
{
	struct jitsim_pool_def *p = NULL;
	uint64_t x = 0;
	int rc;

	if (!cp_name_ok(name, JITSIM_POOL_NAME_MAX - 1))
		return cp_errf(err, el, "[pool %s]: name: 1..31 of A-Z a-z 0-9 . _ -", name);
	for (unsigned int i = 0; i < c->n_pool; i++)
		if (strcmp(c->pool[i].name, name) == 0)
			p = &c->pool[i];
	if (p == NULL) {
		if (c->n_pool == JITSIM_CP_CFG_POOL_MAX)
			return cp_errf(err, el, "[pool %s]: more than %u [pool] sections", name,
				       JITSIM_CP_CFG_POOL_MAX);
		p = &c->pool[c->n_pool++];
		snprintf(p->name, sizeof(p->name), "%s", name);
		p->nranges = 1;
	}
	if (strcmp(k, "id") == 0) {
		rc = cp_u(v, 1, UINT32_MAX - 1, &x, "pool", k, err, el);
		p->id = (uint32_t)x;
		return rc;
	}
	if (strcmp(k, "tenant") == 0) {
		rc = cp_u(v, 0, UINT16_MAX, &x, "pool", k, err, el);
		p->tenant = (uint16_t)x;
		return rc;
	}
	if (strcmp(k, "region") == 0) {
		rc = cp_u(v, 0, UINT16_MAX, &x, "pool", k, err, el);
		p->region = (uint16_t)x;
		return rc;
	}
	if (strcmp(k, "quarantine") == 0) {
		rc = cp_u(v, 0, UINT32_MAX, &x, "pool", k, err, el);
		p->quarantine = (uint32_t)x;
		return rc;
	}
	if (strcmp(k, "first") == 0 || strcmp(k, "last") == 0) {
		if (cp_digits_key(v, strcmp(k, "first") == 0 ? &p->ranges[0].first
							     : &p->ranges[0].last) != 0)
			return cp_errf(err, el, "[pool %s] %s: '%s' is not 1..15 digits", name, k,
				       v);
		return 0;
	}
	return cp_errf(err, el, "unknown key '%s' in section [pool %s]", k, name);
}

/* [notify]: url, retries, and the http files (cp_set_hlr_tls). */
static int
cp_set_notify(struct jitsim_cp_config *c, const char *k, const char *v, char *err, size_t el)
{
	uint64_t x = 0;
	int rc;

	if (strcmp(k, "url") == 0) {
		if (strncmp(v, "http://", 7) != 0 && strncmp(v, "https://", 8) != 0)
			return cp_errf(err, el, "[notify] url: http://... or https://...");
		return cp_set_str(&c->notify_url, v, "[notify] url", err, el);
	}
	if (strcmp(k, "retries") == 0) {
		rc = cp_u(v, 0, 100, &x, "notify", k, err, el);
		c->notify_retries = (unsigned int)x;
		return rc;
	}
	if (strcmp(k, "token_file") != 0 && strcmp(k, "ca_file") != 0 &&
	    strcmp(k, "client_cert") != 0 && strcmp(k, "client_key") != 0 &&
	    strcmp(k, "insecure") != 0)
		return cp_errf(err, el, "unknown key '%s' in section [notify]", k);
	return cp_set_hlr_tls(&c->notify_tls, "notify", k, v, err, el);
}

static int
cp_config_set(struct jitsim_cp_config *c, const char *sec, const char *k, const char *v, char *err,
	      size_t el)
{
	if (strcmp(sec, "instance") == 0)
		return cp_set_instance(c, k, v, err, el);
	if (strcmp(sec, "outbox") == 0)
		return cp_set_outbox(c, k, v, err, el);
	if (strcmp(sec, "shm") == 0)
		return cp_set_shm(c, k, v, err, el);
	if (strcmp(sec, "flow") == 0)
		return cp_set_flow(c, k, v, err, el);
	if (strcmp(sec, "sleep") == 0)
		return jitsim_cp_sleep_cfg_set(&c->sleep, k, v, err, el);
	if (strcmp(sec, "notify") == 0)
		return cp_set_notify(c, k, v, err, el);
	if (strcmp(sec, "fta") == 0)
		return jitsim_cp_fta_cfg_set(&c->fta, k, v, err, el);
	if (strncmp(sec, "hlr ", 4) == 0)
		return cp_set_hlr(c, sec + 4, k, v, err, el);
	if (strncmp(sec, "region ", 7) == 0)
		return cp_set_region(c, sec + 7, k, v, err, el);
	if (strncmp(sec, "pool ", 5) == 0)
		return cp_set_pool(c, sec + 5, k, v, err, el);
	return cp_errf(err, el, "unknown section [%s] (key '%s')", sec, k);
}

static int
cp_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct cp_ini_ctx *x = user;

	/* inih goes on after an error and returns the first error's line. */
	if (x->failed)
		return 0;
	if (cp_config_set(x->c, section, name, value, x->msg, sizeof(x->msg)) != 0) {
		x->failed = true;
		return 0;
	}
	return 1;
}

int
jitsim_cp_config_load(struct jitsim_cp_config *c, const char *path, char *err, size_t errlen)
{
	struct cp_ini_ctx x = {.c = c};
	FILE *f;
	int rc;

	f = fopen(path, "r");
	if (f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
		return rc;
	}
	rc = ini_parse_file(f, cp_ini_handler, &x);
	fclose(f);
	if (rc == 0)
		return 0;
	if (rc < 0)
		return cp_errf(err, errlen, "%s: cannot read", path);
	if (x.failed)
		return cp_errf(err, errlen, "%s:%d: %s", path, rc, x.msg);
	return cp_errf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)", path,
		       rc);
}

int
jitsim_cp_config_check(const struct jitsim_cp_config *c, char *err, size_t el)
{
	if (c->store == NULL)
		return cp_errf(err, el, "[instance] store: required");
	if (c->kek == NULL)
		return cp_errf(err, el, "[instance] kek: required");
	if (c->socket == NULL)
		return cp_errf(err, el, "[instance] socket: required");
	if (c->outbox == NULL)
		return cp_errf(err, el, "[outbox] path: required");
	if (jitsim_cp_fta_cfg_check(&c->fta, err, el) != 0)
		return -EINVAL;
	for (unsigned int i = 0; i < c->n_hlr; i++)
		if (c->hlr[i].id == 0)
			return cp_errf(err, el, "[hlr %s] id: required", c->hlr[i].name);
	for (unsigned int i = 0; i < c->n_region; i++)
		if (c->region[i].name[0] == '\0' || c->region[i].hlr[0] == '\0')
			return cp_errf(err, el, "[region %u] name and hlr: required",
				       c->region[i].id);
	for (unsigned int i = 0; i < c->n_pool; i++) {
		const struct jitsim_pool_def *p = &c->pool[i];

		if (p->id == 0)
			return cp_errf(err, el, "[pool %s] id: required", p->name);
		if (p->ranges[0].first == 0 || p->ranges[0].last == 0)
			return cp_errf(err, el, "[pool %s] first and last: required", p->name);
		for (unsigned int j = 0; j < i; j++)
			if (c->pool[j].id == p->id)
				return cp_errf(err, el, "[pool %s] id: %u also used by [pool %s]",
					       p->name, p->id, c->pool[j].name);
	}
	return 0;
}
