/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp configuration (config.h). Keys are described by one table;
 * every value is parsed in full (no trailing garbage) and range-checked,
 * and the first error is reported with the file, line, section and key.
 */

#include <errno.h>
#include <ini.h>
#include <limits.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/stat.h>

#include <jitsim/proto/link.h>

#include "config.h"

/* libinih is built with INI_MAX_LINE 200: a longer line would be cut
 * and its tail parsed as another line, so such lines are refused first. */
#define DP_CFG_LINE_MAX 199
/* A configuration file is small; anything bigger is a mistake. */
#define DP_CFG_FILE_MAX (1u << 20)

enum dp_key_type {
	DP_K_U32,  /* decimal, [min, max] */
	DP_K_U16,  /* decimal, [min, max] */
	DP_K_POW2, /* power of two, [min, max] */
	DP_K_BOOL, /* on/off, yes/no, true/false, 1/0 */
	DP_K_INSTANCE,
	DP_K_PATH,     /* malloc'd string */
	DP_K_EAL_ARGS, /* appended: continuation lines and repeats add to it */
	DP_K_LCORES,
	DP_K_HOME,  /* comma list, appended */
	DP_K_PORTS, /* "all" or a list of port ids */
	DP_K_RSS,   /* auto/on/off */
	DP_K_LINK,
};

struct dp_key {
	const char *section;
	const char *name;
	enum dp_key_type type;
	size_t off;
	uint32_t min;
	uint32_t max;
};

#define DP_OFF(f) offsetof(struct jitsim_dp_config, f)

static const struct dp_key dp_keys[] = {
	{"instance", "name", DP_K_INSTANCE, DP_OFF(instance), 0, 0},
	{"instance", "store", DP_K_PATH, DP_OFF(store), 0, 0},
	{"instance", "stats_interval", DP_K_U32, DP_OFF(stats_interval), 0, 86400},
	{"eal", "args", DP_K_EAL_ARGS, DP_OFF(eal_args), 0, 0},
	{"eal", "lcores", DP_K_LCORES, DP_OFF(eal_lcores), 0, 0},
	{"detect", "lease", DP_K_U32, DP_OFF(lease_s), 1, 86400},
	{"detect", "epoch", DP_K_U32, DP_OFF(epoch_s), 1, 366u * 86400u},
	{"detect", "unknown_rate", DP_K_U32, DP_OFF(unknown_rate), 0, 1000000},
	{"detect", "home_imsi", DP_K_HOME, 0, 0, 0},
	{"ports", "ports", DP_K_PORTS, 0, 0, 0},
	{"ports", "rxq", DP_K_U16, DP_OFF(rxq), 1, JITSIM_DP_WORKER_MAX},
	{"ports", "rxd", DP_K_U16, DP_OFF(rxd), 32, 16384},
	{"ports", "burst", DP_K_U16, DP_OFF(burst), 1, JITSIM_DP_BURST_MAX},
	{"ports", "mbufs", DP_K_U32, DP_OFF(mbufs), 511, 1u << 26},
	{"ports", "mbuf_size", DP_K_U16, DP_OFF(mbuf_size), 1024, 65535},
	{"ports", "rss", DP_K_RSS, DP_OFF(rss), 0, 0},
	{"ports", "promisc", DP_K_BOOL, DP_OFF(promisc), 0, 0},
	{"ports", "link", DP_K_LINK, DP_OFF(dlt), 0, 0},
	{"shm", "rings", DP_K_U32, DP_OFF(shm_rings), 1, JITSIM_DP_WORKER_MAX},
	{"shm", "event_slots", DP_K_POW2, DP_OFF(shm_event_slots), 2, 1u << 24},
	{"shm", "update_slots", DP_K_POW2, DP_OFF(shm_update_slots), 2, 1u << 24},
};

static const struct {
	const char *name;
	uint32_t dlt;
} dp_links[] = {
	{"ethernet", JITSIM_DLT_EN10MB}, {"sll", JITSIM_DLT_LINUX_SLL},
	{"sll2", JITSIM_DLT_LINUX_SLL2}, {"raw", JITSIM_DLT_RAW},
	{"mtp3", JITSIM_DLT_MTP3},
};

void
jitsim_dp_config_default(struct jitsim_dp_config *c)
{
	memset(c, 0, sizeof(*c));
	snprintf(c->instance, sizeof(c->instance), "%s", JITSIM_DP_DEF_INSTANCE);
	c->stats_interval = JITSIM_DP_DEF_STATS_INTERVAL;
	c->lease_s = JITSIM_DP_DEF_LEASE;
	c->epoch_s = JITSIM_DP_DEF_EPOCH;
	c->unknown_rate = JITSIM_DP_DEF_UNKNOWN_RATE;
	c->ports_all = true;
	c->rxq = JITSIM_DP_DEF_RXQ;
	c->rxd = JITSIM_DP_DEF_RXD;
	c->burst = JITSIM_DP_DEF_BURST;
	c->mbufs = JITSIM_DP_DEF_MBUFS;
	c->mbuf_size = JITSIM_DP_DEF_MBUF_SIZE;
	c->rss = JITSIM_DP_RSS_AUTO;
	c->promisc = true;
	c->dlt = JITSIM_DLT_EN10MB;
	c->shm_rings = JITSIM_DP_DEF_SHM_RINGS;
	c->shm_event_slots = JITSIM_DP_DEF_SHM_SLOTS;
	c->shm_update_slots = JITSIM_DP_DEF_SHM_SLOTS;
}

void
jitsim_dp_config_free(struct jitsim_dp_config *c)
{
	free(c->store);
	free(c->eal_args);
	free(c->eal_lcores);
	c->store = NULL;
	c->eal_args = NULL;
	c->eal_lcores = NULL;
}

static int dp_errf(char *err, size_t errlen, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static int
dp_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -1;
}

/* A whole decimal number, no sign, no trailing characters. */
static int
dp_parse_u64(const char *s, uint64_t *out)
{
	char *end;
	unsigned long long v;

	if (*s < '0' || *s > '9')
		return -1;
	errno = 0;
	v = strtoull(s, &end, 10);
	if (errno != 0 || *end != '\0')
		return -1;
	*out = v;
	return 0;
}

static int
dp_parse_bool(const char *s, bool *out)
{
	static const char *const yes[] = {"on", "yes", "true", "1"};
	static const char *const no[] = {"off", "no", "false", "0"};

	for (size_t i = 0; i < sizeof(yes) / sizeof(yes[0]); i++) {
		if (strcasecmp(s, yes[i]) == 0) {
			*out = true;
			return 0;
		}
		if (strcasecmp(s, no[i]) == 0) {
			*out = false;
			return 0;
		}
	}
	return -1;
}

/* Append @v to the malloc'd string *@dst with a space between. */
static int
dp_append(char **dst, const char *v)
{
	size_t old = *dst ? strlen(*dst) : 0;
	size_t add = strlen(v);
	char *n;

	if (add == 0)
		return 0;
	n = realloc(*dst, old + add + 2);
	if (n == NULL)
		return -1;
	if (old > 0)
		n[old++] = ' ';
	memcpy(n + old, v, add + 1);
	*dst = n;
	return 0;
}

static int
dp_set_home(struct jitsim_dp_config *c, const char *value, const char *where, char *err,
	    size_t errlen)
{
	const char *p = value;

	while (*p != '\0') {
		size_t n = strcspn(p, ", \t");

		if (n > 0) {
			if (n > 15)
				return dp_errf(err, errlen,
					       "%s: home IMSI prefix '%.*s' longer than 15 digits",
					       where, (int)n, p);
			for (size_t i = 0; i < n; i++)
				if (p[i] < '0' || p[i] > '9')
					return dp_errf(err, errlen,
						       "%s: home IMSI prefix '%.*s' is not digits",
						       where, (int)n, p);
			if (c->n_home >= JITSIM_DP_HOME_MAX)
				return dp_errf(err, errlen, "%s: more than %u home IMSI prefixes",
					       where, JITSIM_DP_HOME_MAX);
			memcpy(c->home[c->n_home], p, n);
			c->home[c->n_home][n] = '\0';
			c->n_home++;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	return 0;
}

static int
dp_set_ports(struct jitsim_dp_config *c, const char *value, const char *where, char *err,
	     size_t errlen)
{
	const char *p = value;
	unsigned int n_ports = 0;
	uint16_t ports[JITSIM_DP_PORT_MAX];

	if (strcasecmp(value, "all") == 0) {
		c->ports_all = true;
		c->n_ports = 0;
		return 0;
	}
	while (*p != '\0') {
		size_t n = strcspn(p, ", \t");

		if (n > 0) {
			char tok[16];
			uint64_t v;

			if (n >= sizeof(tok))
				return dp_errf(err, errlen, "%s: bad port id '%.*s'", where, (int)n,
					       p);
			memcpy(tok, p, n);
			tok[n] = '\0';
			if (dp_parse_u64(tok, &v) != 0 || v >= JITSIM_DP_PORT_MAX)
				return dp_errf(err, errlen,
					       "%s: bad port id '%s' (expected 0..%u or 'all')",
					       where, tok, JITSIM_DP_PORT_MAX - 1);
			for (unsigned int i = 0; i < n_ports; i++)
				if (ports[i] == v)
					return dp_errf(err, errlen, "%s: port %s listed twice",
						       where, tok);
			ports[n_ports++] = (uint16_t)v;
		}
		p += n;
		if (*p != '\0')
			p++;
	}
	if (n_ports == 0)
		return dp_errf(err, errlen, "%s: empty port list (use 'all' or port ids)", where);
	c->ports_all = false;
	c->n_ports = n_ports;
	memcpy(c->ports, ports, n_ports * sizeof(ports[0]));
	return 0;
}

static int
dp_parse_link(const char *value, uint32_t *dlt)
{
	for (size_t i = 0; i < sizeof(dp_links) / sizeof(dp_links[0]); i++)
		if (strcasecmp(value, dp_links[i].name) == 0) {
			*dlt = dp_links[i].dlt;
			return 0;
		}
	return -1;
}

const char *
jitsim_dp_config_dlt_name(uint32_t dlt)
{
	for (size_t i = 0; i < sizeof(dp_links) / sizeof(dp_links[0]); i++)
		if (dp_links[i].dlt == dlt)
			return dp_links[i].name;
	return "?";
}

/* [port N] keys. */
static int
dp_set_port_section(struct jitsim_dp_config *c, const char *section, const char *key,
		    const char *value, const char *where, char *err, size_t errlen)
{
	uint64_t id, v;
	struct jitsim_dp_port_override *o;

	if (dp_parse_u64(section + 5, &id) != 0 || id >= JITSIM_DP_PORT_MAX)
		return dp_errf(err, errlen, "%s: bad section [%s] (expected [port 0] .. [port %u])",
			       where, section, JITSIM_DP_PORT_MAX - 1);
	o = &c->port[id];
	if (strcmp(key, "rxq") == 0) {
		if (dp_parse_u64(value, &v) != 0 || v < 1 || v > JITSIM_DP_WORKER_MAX)
			return dp_errf(err, errlen,
				       "%s: [%s] rxq = '%s': expected a number in 1..%u", where,
				       section, value, JITSIM_DP_WORKER_MAX);
		o->rxq = (uint16_t)v;
		return 0;
	}
	if (strcmp(key, "link") == 0) {
		if (dp_parse_link(value, &o->dlt) != 0)
			return dp_errf(err, errlen,
				       "%s: [%s] link = '%s': expected ethernet, sll, sll2, raw "
				       "or mtp3",
				       where, section, value);
		return 0;
	}
	return dp_errf(err, errlen, "%s: unknown key '%s' in section [%s] (known: rxq, link)",
		       where, key, section);
}

static int
dp_set_key(struct jitsim_dp_config *c, const struct dp_key *k, const char *value, const char *where,
	   char *err, size_t errlen)
{
	char *base = (char *)c;
	uint64_t v;

	switch (k->type) {
	case DP_K_U32:
	case DP_K_U16:
	case DP_K_POW2:
		if (dp_parse_u64(value, &v) != 0 || v < k->min || v > k->max)
			return dp_errf(err, errlen,
				       "%s: [%s] %s = '%s': expected a number in %u..%u", where,
				       k->section, k->name, value, k->min, k->max);
		if (k->type == DP_K_POW2 && (v & (v - 1)) != 0)
			return dp_errf(err, errlen, "%s: [%s] %s = '%s': not a power of two", where,
				       k->section, k->name, value);
		if (k->type == DP_K_U16)
			*(uint16_t *)(base + k->off) = (uint16_t)v;
		else
			*(uint32_t *)(base + k->off) = (uint32_t)v;
		return 0;
	case DP_K_BOOL:
		if (dp_parse_bool(value, (bool *)(base + k->off)) != 0)
			return dp_errf(err, errlen, "%s: [%s] %s = '%s': expected on or off", where,
				       k->section, k->name, value);
		return 0;
	case DP_K_INSTANCE: {
		size_t n = strlen(value);

		if (n == 0 || n > JITSIM_DP_INSTANCE_MAX ||
		    strspn(value, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				  "0123456789_-") != n)
			return dp_errf(err, errlen,
				       "%s: [%s] %s = '%s': expected 1..%u characters among "
				       "A-Z a-z 0-9 _ -",
				       where, k->section, k->name, value, JITSIM_DP_INSTANCE_MAX);
		memcpy(c->instance, value, n + 1);
		return 0;
	}
	case DP_K_PATH:
	case DP_K_LCORES: {
		char **dst = (char **)(base + k->off);
		char *dup;

		if (value[0] == '\0' || strlen(value) >= PATH_MAX)
			return dp_errf(err, errlen, "%s: [%s] %s: empty or too long", where,
				       k->section, k->name);
		if (k->type == DP_K_LCORES && strspn(value, "0123456789,-@()") != strlen(value))
			return dp_errf(err, errlen,
				       "%s: [%s] %s = '%s': expected an EAL lcore list such as "
				       "'0-2' or '0,2,4'",
				       where, k->section, k->name, value);
		dup = strdup(value);
		if (dup == NULL)
			return dp_errf(err, errlen, "%s: out of memory", where);
		free(*dst);
		*dst = dup;
		return 0;
	}
	case DP_K_EAL_ARGS:
		if (dp_append(&c->eal_args, value) != 0)
			return dp_errf(err, errlen, "%s: out of memory", where);
		return 0;
	case DP_K_HOME:
		return dp_set_home(c, value, where, err, errlen);
	case DP_K_PORTS:
		return dp_set_ports(c, value, where, err, errlen);
	case DP_K_RSS:
		if (strcasecmp(value, "auto") == 0)
			c->rss = JITSIM_DP_RSS_AUTO;
		else if (strcasecmp(value, "on") == 0)
			c->rss = JITSIM_DP_RSS_ON;
		else if (strcasecmp(value, "off") == 0)
			c->rss = JITSIM_DP_RSS_OFF;
		else
			return dp_errf(err, errlen, "%s: [%s] %s = '%s': expected auto, on or off",
				       where, k->section, k->name, value);
		return 0;
	case DP_K_LINK:
		if (dp_parse_link(value, &c->dlt) != 0)
			return dp_errf(err, errlen,
				       "%s: [%s] %s = '%s': expected ethernet, sll, sll2, raw or "
				       "mtp3",
				       where, k->section, k->name, value);
		return 0;
	}
	return dp_errf(err, errlen, "%s: internal error", where);
}

int
jitsim_dp_config_set(struct jitsim_dp_config *c, const char *section, const char *key,
		     const char *value, const char *where, char *err, size_t errlen)
{
	bool section_known = false;

	if (strncmp(section, "port ", 5) == 0)
		return dp_set_port_section(c, section, key, value, where, err, errlen);
	for (size_t i = 0; i < sizeof(dp_keys) / sizeof(dp_keys[0]); i++) {
		if (strcmp(dp_keys[i].section, section) != 0)
			continue;
		section_known = true;
		if (strcmp(dp_keys[i].name, key) == 0)
			return dp_set_key(c, &dp_keys[i], value, where, err, errlen);
	}
	if (!section_known)
		return dp_errf(err, errlen,
			       "%s: unknown section [%s] (known: instance, eal, detect, ports, "
			       "port N, shm)",
			       where, section);
	return dp_errf(err, errlen, "%s: unknown key '%s' in section [%s]", where, key, section);
}

struct dp_ini_ctx {
	struct jitsim_dp_config *c;
	const char *path;
	const char *next; /* reader position in the file's text */
	int line;	  /* lines handed to inih so far */
	int fail_line;	  /* line of the first key error, 0 if none */
	char msg[512];
};

/* fgets over the file's text, counting lines so that a key error gets
 * its own line number (inih reports only the first error's line, which
 * may be an earlier syntax error). */
static char *
dp_ini_reader(char *str, int num, void *stream)
{
	struct dp_ini_ctx *x = stream;
	int n = 0;

	if (*x->next == '\0' || num < 2)
		return NULL;
	while (n < num - 1 && x->next[n] != '\0' && x->next[n] != '\n')
		n++;
	if (x->next[n] == '\n' && n < num - 1)
		n++;
	memcpy(str, x->next, (size_t)n);
	str[n] = '\0';
	x->next += n;
	x->line++;
	return str;
}

static int
dp_ini_handler(void *user, const char *section, const char *name, const char *value)
{
	struct dp_ini_ctx *x = user;

	/* inih goes on after an error; only the first one is reported. */
	if (x->fail_line != 0)
		return 0;
	if (jitsim_dp_config_set(x->c, section, name, value, x->path, x->msg, sizeof(x->msg)) !=
	    0) {
		x->fail_line = x->line;
		return 0;
	}
	return 1;
}

int
jitsim_dp_config_load(struct jitsim_dp_config *c, const char *path, char *err, size_t errlen)
{
	struct dp_ini_ctx x = {.c = c, .path = path};
	FILE *f;
	char *buf;
	size_t n, line = 1, col = 0;
	struct stat sb;
	int rc;

	f = fopen(path, "r");
	if (f == NULL)
		return dp_errf(err, errlen, "%s: cannot open: %s", path, strerror(errno));
	if (fstat(fileno(f), &sb) != 0 || !S_ISREG(sb.st_mode) || sb.st_size > DP_CFG_FILE_MAX) {
		fclose(f);
		return dp_errf(err, errlen, "%s: not a regular file of at most %u bytes", path,
			       DP_CFG_FILE_MAX);
	}
	buf = malloc((size_t)sb.st_size + 1);
	if (buf == NULL) {
		fclose(f);
		return dp_errf(err, errlen, "%s: out of memory", path);
	}
	n = fread(buf, 1, (size_t)sb.st_size, f);
	fclose(f);
	buf[n] = '\0';
	for (size_t i = 0; i < n; i++) {
		if (buf[i] == '\0') {
			free(buf);
			return dp_errf(err, errlen, "%s:%zu: NUL byte in the file", path, line);
		}
		if (buf[i] == '\n') {
			line++;
			col = 0;
		} else if (++col > DP_CFG_LINE_MAX) {
			free(buf);
			return dp_errf(err, errlen,
				       "%s:%zu: line longer than %u characters (continue a value "
				       "on the next line, indented)",
				       path, line, DP_CFG_LINE_MAX);
		}
	}
	x.next = buf;
	rc = ini_parse_stream(dp_ini_reader, &x, dp_ini_handler, &x);
	free(buf);
	if (rc == 0)
		return 0;
	if (x.fail_line == rc) {
		/* The message starts with "PATH: "; put the line in. */
		size_t pl = strlen(path);
		const char *m = x.msg;

		if (strncmp(m, path, pl) == 0 && m[pl] == ':' && m[pl + 1] == ' ')
			m += pl + 2;
		return dp_errf(err, errlen, "%s:%d: %s", path, rc, m);
	}
	return dp_errf(err, errlen, "%s:%d: syntax error (expected [section] or key = value)", path,
		       rc);
}

int
jitsim_dp_config_check(const struct jitsim_dp_config *c, char *err, size_t errlen)
{
	unsigned int workers = 0;

	if (!c->ports_all) {
		for (unsigned int i = 0; i < c->n_ports; i++)
			workers += jitsim_dp_config_rxq(c, c->ports[i]);
		if (workers > JITSIM_DP_WORKER_MAX)
			return dp_errf(err, errlen,
				       "[ports]: %u RX queues in all, one worker each: at most %u",
				       workers, JITSIM_DP_WORKER_MAX);
	}
	/* Every queue needs its descriptors filled, and every worker a burst
	 * in flight; the pool is per socket, so this is a lower bound. */
	if ((uint64_t)c->rxd + c->burst > c->mbufs)
		return dp_errf(err, errlen,
			       "[ports] mbufs = %u: fewer than rxd (%u) + burst (%u) for one queue",
			       c->mbufs, c->rxd, c->burst);
	if (c->mbuf_size < 128 + 256)
		return dp_errf(err, errlen, "[ports] mbuf_size = %u: too small", c->mbuf_size);
	if (!c->no_store) {
		struct stat sb;
		const char *store = c->store ? c->store : JITSIM_DP_DEF_STORE;

		if (stat(store, &sb) != 0)
			return dp_errf(err, errlen,
				       "[instance] store = '%s': %s (create it with jitsim-store "
				       "init, or run with --no-store)",
				       store, strerror(errno));
		if (!S_ISDIR(sb.st_mode))
			return dp_errf(err, errlen, "[instance] store = '%s': not a directory",
				       store);
	}
	return 0;
}

uint16_t
jitsim_dp_config_rxq(const struct jitsim_dp_config *c, uint16_t port_id)
{
	if (port_id < JITSIM_DP_PORT_MAX && c->port[port_id].rxq != 0)
		return c->port[port_id].rxq;
	return c->rxq;
}

uint32_t
jitsim_dp_config_dlt(const struct jitsim_dp_config *c, uint16_t port_id)
{
	if (port_id < JITSIM_DP_PORT_MAX && c->port[port_id].dlt != 0)
		return c->port[port_id].dlt;
	return c->dlt;
}

void
jitsim_dp_config_dump(const struct jitsim_dp_config *c, FILE *f)
{
	static const char *const rss[] = {"auto", "on", "off"};

	fprintf(f, "[instance]\nname = %s\nstore = %s%s\nstats_interval = %u\n", c->instance,
		c->store ? c->store : JITSIM_DP_DEF_STORE,
		c->no_store ? " ; not used: --no-store" : "", c->stats_interval);
	/* Unset keys are printed as comments so that the output parses. */
	if (c->eal_args != NULL) {
		/* Long values go on indented continuation lines: the file's
		 * lines are limited to DP_CFG_LINE_MAX characters. */
		const char *p = c->eal_args;
		size_t col = strlen("args =");

		fprintf(f, "\n[eal]\nargs =");
		while (*p != '\0') {
			size_t n = strcspn(p, " ");

			if (n > 0 && col + n + 1 > 150 && col > 2) {
				fprintf(f, "\n ");
				col = 1;
			}
			if (n > 0)
				col += (size_t)fprintf(f, " %.*s", (int)n, p);
			p += n;
			p += strspn(p, " ");
		}
		fputc('\n', f);
	} else {
		fprintf(f, "\n[eal]\n# args = (none)\n");
	}
	fprintf(f, "%slcores = %s\n", c->eal_lcores ? "" : "# ",
		c->eal_lcores ? c->eal_lcores : "(EAL default: every CPU)");
	fprintf(f, "\n[detect]\nlease = %u\nepoch = %u\nunknown_rate = %u\nhome_imsi =", c->lease_s,
		c->epoch_s, c->unknown_rate);
	for (unsigned int i = 0; i < c->n_home; i++)
		fprintf(f, "%s%s", i ? ", " : " ", c->home[i]);
	fprintf(f, "\n\n[ports]\nports =");
	if (c->ports_all)
		fprintf(f, " all");
	for (unsigned int i = 0; i < c->n_ports; i++)
		fprintf(f, "%s%u", i ? ", " : " ", c->ports[i]);
	fprintf(f,
		"\nrxq = %u\nrxd = %u\nburst = %u\nmbufs = %u\nmbuf_size = %u\nrss = %s\n"
		"promisc = %s\nlink = %s\n",
		c->rxq, c->rxd, c->burst, c->mbufs, c->mbuf_size, rss[c->rss],
		c->promisc ? "on" : "off", jitsim_dp_config_dlt_name(c->dlt));
	for (unsigned int p = 0; p < JITSIM_DP_PORT_MAX; p++) {
		const struct jitsim_dp_port_override *o = &c->port[p];

		if (o->rxq == 0 && o->dlt == 0)
			continue;
		fprintf(f, "\n[port %u]\n", p);
		if (o->rxq != 0)
			fprintf(f, "rxq = %u\n", o->rxq);
		if (o->dlt != 0)
			fprintf(f, "link = %s\n", jitsim_dp_config_dlt_name(o->dlt));
	}
	fprintf(f, "\n[shm]\nrings = %u\nevent_slots = %u\nupdate_slots = %u\n", c->shm_rings,
		c->shm_event_slots, c->shm_update_slots);
}
