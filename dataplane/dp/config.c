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
#include <arpa/inet.h>
#include <sys/socket.h>
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
	DP_K_U8,   /* decimal, [min, max] */
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
	DP_K_SS7,  /* parsed by dp_set_ss7(); listed for the unknown-key message */
	DP_K_DIAM, /* parsed by dp_set_diam(); listed likewise */
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
	/* ni: the 2-bit network indicator (ITU-T Q.704 14.2.2); locked_error:
	 * a MAP local error code (3GPP TS 29.002 17.6.1). The other [ss7] keys
	 * are parsed by dp_set_ss7(). */
	{"ss7", "own_ssn", DP_K_U8, DP_OFF(ss7.own_ssn), 1, 255},
	{"ss7", "ni", DP_K_U8, DP_OFF(ss7.ni), 0, 3},
	{"ss7", "locked_error", DP_K_U8, DP_OFF(ss7.locked_error), 1, 127},
	{"ss7", "workers", DP_K_U16, DP_OFF(ss7.workers), 1, JITSIM_DP_WORKER_MAX},
	{"ss7", "ring_slots", DP_K_POW2, DP_OFF(ss7.ring_slots), 64, 65536},
	{"ss7", "own_pc", DP_K_SS7, 0, 0, 0},
	{"ss7", "own_gt", DP_K_SS7, 0, 0, 0},
	{"ss7", "default_route", DP_K_SS7, 0, 0, 0},
	{"ss7", "default_hlr", DP_K_SS7, 0, 0, 0},
	{"ss7", "unknown", DP_K_SS7, 0, 0, 0},
	{"ss7", "hlr", DP_K_SS7, 0, 0, 0},
	{"ss7", "asp", DP_K_SS7, 0, 0, 0},
	{"ss7", "listen", DP_K_SS7, 0, 0, 0},
	/* watchdog: Tw in seconds (RFC 3539 3.4.1: at least 6 s recommended,
	 * 2 s allowed for tests); locked_result: an Experimental-Result-Code
	 * error (TS 29.272 7.4.3: 4xxx transient, 5xxx permanent). */
	{"diameter", "watchdog", DP_K_U32, DP_OFF(diam.watchdog_s), 2, 300},
	{"diameter", "locked_result", DP_K_U32, DP_OFF(diam.locked_result), 4000, 5999},
	{"diameter", "redirect", DP_K_BOOL, DP_OFF(diam.redirect), 0, 0},
	{"diameter", "workers", DP_K_U16, DP_OFF(diam.workers), 1, JITSIM_DP_WORKER_MAX},
	{"diameter", "ring_slots", DP_K_POW2, DP_OFF(diam.ring_slots), 64, 65536},
	{"diameter", "origin_host", DP_K_DIAM, 0, 0, 0},
	{"diameter", "origin_realm", DP_K_DIAM, 0, 0, 0},
	{"diameter", "host_ip", DP_K_DIAM, 0, 0, 0},
	{"diameter", "peer", DP_K_DIAM, 0, 0, 0},
	{"diameter", "hss", DP_K_DIAM, 0, 0, 0},
	{"diameter", "default_hss", DP_K_DIAM, 0, 0, 0},
	{"diameter", "unknown", DP_K_DIAM, 0, 0, 0},
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
	c->ss7.own_ssn = JITSIM_DP_SS7_DEF_SSN;
	c->ss7.ni = JITSIM_DP_SS7_DEF_NI;
	c->ss7.locked_error = JITSIM_DP_SS7_DEF_LOCKED_ERROR;
	c->ss7.ring_slots = JITSIM_DP_SS7_DEF_RING_SLOTS;
	c->ss7.workers = 1;
	c->diam.default_hss = -1;
	c->diam.locked_result = JITSIM_DP_DIAM_DEF_LOCKED_RESULT;
	c->diam.watchdog_s = JITSIM_DP_DIAM_DEF_WATCHDOG;
	c->diam.workers = 1;
	c->diam.ring_slots = JITSIM_DP_DIAM_DEF_RING_SLOTS;
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

/* ---- [ss7] ---- */

int
jitsim_dp_ss7_parse_pc(const char *s, uint32_t *pc)
{
	uint64_t a, b, d;
	char buf[16];
	const char *p1, *p2;

	p1 = strchr(s, '.');
	if (p1 == NULL) {
		if (dp_parse_u64(s, &a) != 0 || a > JITSIM_DP_SS7_PC_MAX)
			return -1;
		*pc = (uint32_t)a;
		return 0;
	}
	/* ITU-T Q.708 3-8-3 notation: zone.area.signalling point. */
	p2 = strchr(p1 + 1, '.');
	if (p2 == NULL || strlen(s) >= sizeof(buf))
		return -1;
	memcpy(buf, s, strlen(s) + 1);
	buf[p1 - s] = '\0';
	buf[p2 - s] = '\0';
	if (dp_parse_u64(buf, &a) != 0 || dp_parse_u64(buf + (p1 - s) + 1, &b) != 0 ||
	    dp_parse_u64(buf + (p2 - s) + 1, &d) != 0 || a > 7 || b > 255 || d > 7)
		return -1;
	*pc = (uint32_t)(a << 11 | b << 3 | d);
	return 0;
}

/* "1.2.3.4:2905" or "[::1]:2905"; @port_min 0 lets the port be "any". */
static int
dp_ss7_ep(const char *s, struct jitsim_dp_ss7_ep *ep, unsigned int port_min)
{
	char host[64];
	const char *colon, *h = s;
	size_t hl;
	uint64_t port;

	memset(ep, 0, sizeof(*ep));
	if (*s == '[') {
		const char *close = strchr(s, ']');

		if (close == NULL || close[1] != ':')
			return -1;
		h = s + 1;
		hl = (size_t)(close - h);
		colon = close + 1;
		ep->family = AF_INET6;
	} else {
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -1;
		hl = (size_t)(colon - s);
		ep->family = AF_INET;
	}
	if (hl == 0 || hl >= sizeof(host))
		return -1;
	memcpy(host, h, hl);
	host[hl] = '\0';
	if (inet_pton(ep->family, host, ep->ip) != 1)
		return -1;
	if (dp_parse_u64(colon + 1, &port) != 0 || port < port_min || port > 65535)
		return -1;
	ep->port = (uint16_t)port;
	return 0;
}

/* Words of a value, blank-separated, in place in @buf. */
static unsigned int
dp_words(char *buf, char **w, unsigned int max)
{
	unsigned int n = 0;
	char *save = NULL, *t;

	for (t = strtok_r(buf, " \t", &save); t != NULL; t = strtok_r(NULL, " \t", &save)) {
		if (n == max)
			return max + 1;
		w[n++] = t;
	}
	return n;
}

static int
dp_ss7_digits(const char *s, char *out)
{
	size_t n = strlen(s);

	if (n == 0 || n > JITSIM_DP_SS7_GT_MAX || strspn(s, "0123456789") != n)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

/* rc=N and mode=override|loadshare after the endpoints of asp/listen. */
static int
dp_ss7_link_opts(struct jitsim_dp_ss7_link *l, char **w, unsigned int n, const char *key,
		 const char *where, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++) {
		uint64_t v;

		if (strncmp(w[i], "rc=", 3) == 0) {
			if (dp_parse_u64(w[i] + 3, &v) != 0 || v > UINT32_MAX)
				return dp_errf(
					err, errlen,
					"%s: [ss7] %s: '%s': expected rc=N, a routing context "
					"0..4294967295",
					where, key, w[i]);
			l->has_rc = true;
			l->rc = (uint32_t)v;
		} else if (strcmp(w[i], "mode=override") == 0) {
			l->mode = JITSIM_DP_SS7_OVERRIDE;
		} else if (strcmp(w[i], "mode=loadshare") == 0) {
			l->mode = JITSIM_DP_SS7_LOADSHARE;
		} else {
			return dp_errf(err, errlen,
				       "%s: [ss7] %s: unknown option '%s' (expected rc=N, "
				       "mode=override or mode=loadshare)",
				       where, key, w[i]);
		}
	}
	return 0;
}

static int
dp_ss7_link(struct jitsim_dp_config *c, bool listen, const char *value, const char *where,
	    char *err, size_t errlen)
{
	struct jitsim_dp_ss7_config *s = &c->ss7;
	struct jitsim_dp_ss7_link *l;
	const char *key = listen ? "listen" : "asp";
	char buf[256], *w[8];
	unsigned int n, first;

	if (s->n_links >= JITSIM_DP_SS7_LINK_MAX)
		return dp_errf(err, errlen, "%s: [ss7] %s: more than %u asp and listen lines",
			       where, key, JITSIM_DP_SS7_LINK_MAX);
	if (strlen(value) >= sizeof(buf))
		return dp_errf(err, errlen, "%s: [ss7] %s: value too long", where, key);
	memcpy(buf, value, strlen(value) + 1);
	n = dp_words(buf, w, 6);
	l = &s->link[s->n_links];
	memset(l, 0, sizeof(*l));
	l->mode = JITSIM_DP_SS7_OVERRIDE;
	if (listen) {
		if (n < 1 || n > 3)
			return dp_errf(err, errlen,
				       "%s: [ss7] listen = '%s': expected LOCAL_IP:PORT [rc=N] "
				       "[mode=override|loadshare]",
				       where, value);
		l->role = JITSIM_DP_SS7_SGP;
		snprintf(l->name, sizeof(l->name), "listen-%u", s->n_links);
		if (dp_ss7_ep(w[0], &l->local, 1) != 0)
			return dp_errf(err, errlen,
				       "%s: [ss7] listen: bad local endpoint '%s' (expected "
				       "IPv4:PORT or [IPv6]:PORT, port 1..65535)",
				       where, w[0]);
		first = 1;
	} else {
		size_t nl;

		if (n < 3 || n > 5)
			return dp_errf(err, errlen,
				       "%s: [ss7] asp = '%s': expected NAME LOCAL_IP:PORT "
				       "REMOTE_IP:PORT [rc=N] [mode=override|loadshare]",
				       where, value);
		nl = strlen(w[0]);
		if (nl > JITSIM_DP_SS7_NAME_MAX ||
		    strspn(w[0], "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ"
				 "0123456789_-") != nl)
			return dp_errf(err, errlen,
				       "%s: [ss7] asp: bad name '%s' (1..%u of A-Z a-z 0-9 _ -)",
				       where, w[0], JITSIM_DP_SS7_NAME_MAX);
		for (unsigned int i = 0; i < s->n_links; i++)
			if (strcmp(s->link[i].name, w[0]) == 0)
				return dp_errf(err, errlen, "%s: [ss7] asp: name '%s' used twice",
					       where, w[0]);
		memcpy(l->name, w[0], nl + 1);
		l->role = JITSIM_DP_SS7_ASP;
		/* Port 0: any; STPs such as osmo-stp match a configured ASP by
		 * its source port, so a fixed one is usual. */
		if (dp_ss7_ep(w[1], &l->local, 0) != 0)
			return dp_errf(err, errlen,
				       "%s: [ss7] asp %s: bad local endpoint '%s' (expected "
				       "IPv4:PORT or [IPv6]:PORT, port 0..65535)",
				       where, l->name, w[1]);
		if (dp_ss7_ep(w[2], &l->remote, 1) != 0)
			return dp_errf(err, errlen,
				       "%s: [ss7] asp %s: bad remote endpoint '%s' (expected "
				       "IPv4:PORT or [IPv6]:PORT, port 1..65535)",
				       where, l->name, w[2]);
		if (l->local.family != l->remote.family)
			return dp_errf(err, errlen,
				       "%s: [ss7] asp %s: local and remote endpoints of different "
				       "address families",
				       where, l->name);
		first = 3;
	}
	if (dp_ss7_link_opts(l, w + first, n - first, key, where, err, errlen) != 0)
		return -1;
	s->n_links++;
	return 0;
}

/* "PC [GT] [ssn=N]" of an HLR into @h; @what names it in messages. */
static int
dp_ss7_hlr_addr(struct jitsim_dp_ss7_hlr *h, char **w, unsigned int n, const char *what,
		const char *where, char *err, size_t errlen)
{
	uint64_t v;

	memset(h, 0, sizeof(*h));
	h->ssn = JITSIM_DP_SS7_DEF_SSN;
	if (n < 1 || n > 3)
		return dp_errf(err, errlen, "%s: [ss7] %s: expected PC [GT] [ssn=N]", where, what);
	if (jitsim_dp_ss7_parse_pc(w[0], &h->pc) != 0)
		return dp_errf(err, errlen,
			       "%s: [ss7] %s: bad point code '%s' (expected Z.A.S (3-8-3) or "
			       "0..%u)",
			       where, what, w[0], JITSIM_DP_SS7_PC_MAX);
	for (unsigned int i = 1; i < n; i++) {
		if (strncmp(w[i], "ssn=", 4) == 0) {
			if (dp_parse_u64(w[i] + 4, &v) != 0 || v < 1 || v > 255)
				return dp_errf(err, errlen,
					       "%s: [ss7] %s: bad '%s' (expected ssn=1..255)",
					       where, what, w[i]);
			h->ssn = (uint8_t)v;
		} else if (h->gt[0] != '\0' || dp_ss7_digits(w[i], h->gt) != 0) {
			return dp_errf(err, errlen,
				       "%s: [ss7] %s: bad global title '%s' (expected 1..%u "
				       "digits, once)",
				       where, what, w[i], JITSIM_DP_SS7_GT_MAX);
		}
	}
	h->set = true;
	return 0;
}

/* hlr = REGION PC [GT] [ssn=N], default_hlr = PC [GT] [ssn=N] */
static int
dp_ss7_hlr(struct jitsim_dp_config *c, bool dflt, const char *value, const char *where, char *err,
	   size_t errlen)
{
	struct jitsim_dp_ss7_hlr h;
	char buf[128], what[32], *w[6];
	unsigned int n;
	uint64_t region;

	if (strlen(value) >= sizeof(buf))
		return dp_errf(err, errlen, "%s: [ss7] %s: value too long", where,
			       dflt ? "default_hlr" : "hlr");
	memcpy(buf, value, strlen(value) + 1);
	n = dp_words(buf, w, 4);
	if (dflt) {
		if (dp_ss7_hlr_addr(&h, w, n, "default_hlr", where, err, errlen) != 0)
			return -1;
		c->ss7.default_hlr = h;
		return 0;
	}
	if (n < 2 || n > 4)
		return dp_errf(err, errlen, "%s: [ss7] hlr = '%s': expected REGION PC [GT] [ssn=N]",
			       where, value);
	if (dp_parse_u64(w[0], &region) != 0 || region >= JITSIM_DP_SS7_REGION_MAX)
		return dp_errf(err, errlen, "%s: [ss7] hlr: bad region '%s' (expected 0..%u)",
			       where, w[0], JITSIM_DP_SS7_REGION_MAX - 1);
	if (c->ss7.hlr[region].set)
		return dp_errf(err, errlen, "%s: [ss7] hlr: region %s given twice", where, w[0]);
	snprintf(what, sizeof(what), "hlr %u", (unsigned int)region);
	if (dp_ss7_hlr_addr(&h, w + 1, n - 1, what, where, err, errlen) != 0)
		return -1;
	c->ss7.hlr[region] = h;
	c->ss7.n_hlr++;
	return 0;
}

/* The [ss7] keys that are not plain numbers: 0, -1 with @err set, or 1
 * when @key is not one of them. */
static int
dp_set_ss7(struct jitsim_dp_config *c, const char *key, const char *value, const char *where,
	   char *err, size_t errlen)
{
	struct jitsim_dp_ss7_config *s = &c->ss7;

	s->enabled = true;
	if (strcmp(key, "own_pc") == 0 || strcmp(key, "default_route") == 0) {
		uint32_t pc;

		if (jitsim_dp_ss7_parse_pc(value, &pc) != 0)
			return dp_errf(err, errlen,
				       "%s: [ss7] %s = '%s': expected a point code Z.A.S (3-8-3) "
				       "or 0..%u",
				       where, key, value, JITSIM_DP_SS7_PC_MAX);
		if (key[0] == 'o') {
			s->has_own_pc = true;
			s->own_pc = pc;
		} else {
			s->has_default_route = true;
			s->default_route = pc;
		}
		return 0;
	}
	if (strcmp(key, "own_gt") == 0) {
		if (dp_ss7_digits(value, s->own_gt) != 0)
			return dp_errf(err, errlen,
				       "%s: [ss7] own_gt = '%s': expected 1..%u digits", where,
				       value, JITSIM_DP_SS7_GT_MAX);
		return 0;
	}
	if (strcmp(key, "asp") == 0)
		return dp_ss7_link(c, false, value, where, err, errlen);
	if (strcmp(key, "listen") == 0)
		return dp_ss7_link(c, true, value, where, err, errlen);
	if (strcmp(key, "hlr") == 0 || strcmp(key, "default_hlr") == 0)
		return dp_ss7_hlr(c, key[0] == 'd', value, where, err, errlen);
	if (strcmp(key, "unknown") == 0) {
		if (strcmp(value, "drop") == 0)
			s->unknown_relay = false;
		else if (strcmp(value, "relay") == 0)
			s->unknown_relay = true;
		else
			return dp_errf(err, errlen,
				       "%s: [ss7] unknown = '%s': expected drop or relay (to "
				       "default_hlr)",
				       where, value);
		return 0;
	}
	return 1; /* a plain number: dp_keys[] */
}

/* ---- [diameter] ---- */

/* A DiameterIdentity as configured: an FQDN (RFC 6733 4.3.1), letters,
 * digits, '.', '-', '_', at most JITSIM_DP_DIAM_HOST_MAX octets. */
static int
dp_diam_ident(const char *s, char *out)
{
	size_t n = strlen(s);

	if (n == 0 || n > JITSIM_DP_DIAM_HOST_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789.-_") != n)
		return -1;
	memcpy(out, s, n + 1);
	return 0;
}

static int
dp_diam_name(struct jitsim_dp_diam_config *d, const char *s, const char *key, const char *where,
	     char *err, size_t errlen)
{
	size_t nl = strlen(s);

	if (nl == 0 || nl > JITSIM_DP_DIAM_NAME_MAX ||
	    strspn(s, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789_-") != nl)
		return dp_errf(err, errlen,
			       "%s: [diameter] %s: bad name '%s' (1..%u of A-Z a-z 0-9 _ -)", where,
			       key, s, JITSIM_DP_DIAM_NAME_MAX);
	for (unsigned int i = 0; i < d->n_peers; i++)
		if (strcmp(d->peer[i].name, s) == 0)
			return dp_errf(err, errlen,
				       "%s: [diameter] %s: name '%s' used twice (peer and hss "
				       "names share one space)",
				       where, key, s);
	return 0;
}

static int
dp_diam_transport(const char *s, uint8_t *t)
{
	if (strcmp(s, "tcp") == 0)
		*t = JITSIM_DP_DIAM_TCP;
	else if (strcmp(s, "sctp") == 0)
		*t = JITSIM_DP_DIAM_SCTP;
	else
		return -1;
	return 0;
}

/* host=, realm=, local= after the address of a peer or hss line. */
static int
dp_diam_opts(struct jitsim_dp_diam_peer *p, char **w, unsigned int n, const char *key,
	     const char *where, char *err, size_t errlen)
{
	for (unsigned int i = 0; i < n; i++) {
		if (strncmp(w[i], "host=", 5) == 0 && p->host[0] == '\0') {
			if (dp_diam_ident(w[i] + 5, p->host) != 0)
				return dp_errf(
					err, errlen,
					"%s: [diameter] %s %s: bad '%s' (expected host=FQDN, "
					"1..%u of A-Z a-z 0-9 . - _)",
					where, key, p->name, w[i], JITSIM_DP_DIAM_HOST_MAX);
		} else if (strncmp(w[i], "realm=", 6) == 0 && p->kind == JITSIM_DP_DIAM_HSS &&
			   p->realm[0] == '\0') {
			if (dp_diam_ident(w[i] + 6, p->realm) != 0)
				return dp_errf(
					err, errlen,
					"%s: [diameter] %s %s: bad '%s' (expected realm=FQDN)",
					where, key, p->name, w[i]);
		} else if (strncmp(w[i], "local=", 6) == 0 && !p->listen && !p->has_local) {
			/* Port 0: any. */
			if (dp_ss7_ep(w[i] + 6, &p->local, 0) != 0 ||
			    p->local.family != p->addr.family)
				return dp_errf(err, errlen,
					       "%s: [diameter] %s %s: bad '%s' (expected "
					       "local=IPv4:PORT or local=[IPv6]:PORT of the remote "
					       "address's family, port 0..65535)",
					       where, key, p->name, w[i]);
			p->has_local = true;
		} else {
			return dp_errf(err, errlen,
				       "%s: [diameter] %s %s: unknown or repeated option '%s' "
				       "(expected %s)",
				       where, key, p->name, w[i],
				       p->kind == JITSIM_DP_DIAM_HSS ? "host=, realm=, local="
				       : p->listen		     ? "host="
								     : "host=, local=");
		}
	}
	return 0;
}

/* peer = NAME listen|connect tcp|sctp ADDR:PORT [host=H] [local=ADDR:PORT]
 * hss = REGION NAME tcp|sctp ADDR:PORT host=H realm=R [local=ADDR:PORT] */
static int
dp_diam_peer(struct jitsim_dp_config *c, bool hss, const char *value, const char *where, char *err,
	     size_t errlen)
{
	struct jitsim_dp_diam_config *d = &c->diam;
	const char *key = hss ? "hss" : "peer";
	struct jitsim_dp_diam_peer p;
	char buf[256], *w[8];
	unsigned int n, i = 0;
	uint64_t region;

	if (d->n_peers >= JITSIM_DP_DIAM_PEER_MAX)
		return dp_errf(err, errlen, "%s: [diameter] %s: more than %u peer and hss lines",
			       where, key, JITSIM_DP_DIAM_PEER_MAX);
	if (strlen(value) >= sizeof(buf))
		return dp_errf(err, errlen, "%s: [diameter] %s: value too long", where, key);
	memcpy(buf, value, strlen(value) + 1);
	n = dp_words(buf, w, 7);
	memset(&p, 0, sizeof(p));
	if (hss) {
		if (n < 6 || n > 7)
			return dp_errf(err, errlen,
				       "%s: [diameter] hss = '%s': expected REGION NAME tcp|sctp "
				       "ADDR:PORT host=HSS_HOST realm=HSS_REALM [local=ADDR:PORT]",
				       where, value);
		if (dp_parse_u64(w[0], &region) != 0 || region >= JITSIM_DP_DIAM_REGION_MAX)
			return dp_errf(err, errlen,
				       "%s: [diameter] hss: bad region '%s' (expected 0..%u)",
				       where, w[0], JITSIM_DP_DIAM_REGION_MAX - 1);
		for (unsigned int k = 0; k < d->n_peers; k++)
			if (d->peer[k].kind == JITSIM_DP_DIAM_HSS && d->peer[k].region == region)
				return dp_errf(err, errlen,
					       "%s: [diameter] hss: region %s given twice", where,
					       w[0]);
		p.kind = JITSIM_DP_DIAM_HSS;
		p.region = (uint16_t)region;
		i = 1;
	} else {
		if (n < 4 || n > 6)
			return dp_errf(err, errlen,
				       "%s: [diameter] peer = '%s': expected NAME listen|connect "
				       "tcp|sctp ADDR:PORT [host=PEER_HOST] [local=ADDR:PORT]",
				       where, value);
		p.kind = JITSIM_DP_DIAM_CLIENT;
	}
	if (dp_diam_name(d, w[i], key, where, err, errlen) != 0)
		return -1;
	memcpy(p.name, w[i], strlen(w[i]) + 1);
	i++;
	if (!hss) {
		if (strcmp(w[i], "listen") == 0)
			p.listen = true;
		else if (strcmp(w[i], "connect") != 0)
			return dp_errf(err, errlen,
				       "%s: [diameter] peer %s: '%s': expected listen or connect",
				       where, p.name, w[i]);
		i++;
	}
	if (dp_diam_transport(w[i], &p.transport) != 0)
		return dp_errf(err, errlen,
			       "%s: [diameter] %s %s: transport '%s': expected tcp or sctp", where,
			       key, p.name, w[i]);
	i++;
	if (dp_ss7_ep(w[i], &p.addr, 1) != 0)
		return dp_errf(err, errlen,
			       "%s: [diameter] %s %s: bad address '%s' (expected IPv4:PORT or "
			       "[IPv6]:PORT, port 1..65535)",
			       where, key, p.name, w[i]);
	i++;
	if (dp_diam_opts(&p, w + i, n - i, key, where, err, errlen) != 0)
		return -1;
	if (hss && (p.host[0] == '\0' || p.realm[0] == '\0'))
		return dp_errf(err, errlen,
			       "%s: [diameter] hss %s: host= and realm= are required (the HSS's "
			       "Origin-Host, checked in its CEA, and its realm)",
			       where, p.name);
	d->peer[d->n_peers++] = p;
	if (hss)
		d->n_hss++;
	else
		d->n_clients++;
	return 0;
}

/* The [diameter] keys that are not plain numbers: 0, -1 with @err set, or
 * 1 when @key is not one of them. */
static int
dp_set_diam(struct jitsim_dp_config *c, const char *key, const char *value, const char *where,
	    char *err, size_t errlen)
{
	struct jitsim_dp_diam_config *d = &c->diam;

	d->enabled = true;
	if (strcmp(key, "origin_host") == 0 || strcmp(key, "origin_realm") == 0) {
		if (dp_diam_ident(value, key[7] == 'h' ? d->origin_host : d->origin_realm) != 0)
			return dp_errf(err, errlen,
				       "%s: [diameter] %s = '%s': expected an FQDN (1..%u of A-Z "
				       "a-z 0-9 . - _)",
				       where, key, value, JITSIM_DP_DIAM_HOST_MAX);
		return 0;
	}
	if (strcmp(key, "host_ip") == 0) {
		char tmp[80];

		/* An address without a port: reuse the endpoint parser. */
		if (strlen(value) > 60)
			return dp_errf(err, errlen, "%s: [diameter] host_ip: value too long",
				       where);
		snprintf(tmp, sizeof(tmp), strchr(value, ':') ? "[%s]:1" : "%s:1", value);
		if (dp_ss7_ep(tmp, &d->host_ip, 1) != 0)
			return dp_errf(err, errlen,
				       "%s: [diameter] host_ip = '%s': expected an IPv4 or IPv6 "
				       "address",
				       where, value);
		d->host_ip.port = 0;
		d->has_host_ip = true;
		return 0;
	}
	if (strcmp(key, "peer") == 0 || strcmp(key, "hss") == 0)
		return dp_diam_peer(c, key[0] == 'h', value, where, err, errlen);
	if (strcmp(key, "default_hss") == 0) {
		uint64_t r;

		if (strcmp(value, "none") == 0) {
			d->default_hss = -1;
			return 0;
		}
		if (dp_parse_u64(value, &r) != 0 || r >= JITSIM_DP_DIAM_REGION_MAX)
			return dp_errf(err, errlen,
				       "%s: [diameter] default_hss = '%s': expected a region 0..%u "
				       "with an hss line, or none",
				       where, value, JITSIM_DP_DIAM_REGION_MAX - 1);
		d->default_hss = (int32_t)r;
		return 0;
	}
	if (strcmp(key, "unknown") == 0) {
		if (strcmp(value, "reject") == 0)
			d->unknown_proxy = false;
		else if (strcmp(value, "proxy") == 0)
			d->unknown_proxy = true;
		else
			return dp_errf(
				err, errlen,
				"%s: [diameter] unknown = '%s': expected reject or proxy (to "
				"default_hss)",
				where, value);
		return 0;
	}
	return 1; /* a plain number or on/off: dp_keys[] */
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
	case DP_K_U8:
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
		else if (k->type == DP_K_U8)
			*(uint8_t *)(base + k->off) = (uint8_t)v;
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
	case DP_K_SS7:
	case DP_K_DIAM:
		break;
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
	if (strcmp(section, "ss7") == 0) {
		int rc = dp_set_ss7(c, key, value, where, err, errlen);

		if (rc <= 0)
			return rc;
	}
	if (strcmp(section, "diameter") == 0) {
		int rc = dp_set_diam(c, key, value, where, err, errlen);

		if (rc <= 0)
			return rc;
	}
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
			       "port N, shm, ss7, diameter)",
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

static bool
dp_ep_equal(const struct jitsim_dp_ss7_ep *a, const struct jitsim_dp_ss7_ep *b)
{
	return a->family == b->family && a->port == b->port &&
	       memcmp(a->ip, b->ip, a->family == AF_INET6 ? 16 : 4) == 0;
}

static int
dp_check_diam(const struct jitsim_dp_diam_config *d, char *err, size_t errlen)
{
	if (d->origin_host[0] == '\0' || d->origin_realm[0] == '\0')
		return dp_errf(err, errlen,
			       "[diameter]: origin_host and origin_realm are required (jitsim's "
			       "Diameter identity, e.g. origin_host = hss.jitsim.example)");
	if (d->n_clients == 0)
		return dp_errf(err, errlen,
			       "[diameter]: no client peer: give at least one 'peer = NAME "
			       "listen|connect tcp|sctp ADDR:PORT' line");
	if (d->default_hss >= 0) {
		bool found = false;

		for (unsigned int i = 0; i < d->n_peers; i++)
			found |= d->peer[i].kind == JITSIM_DP_DIAM_HSS &&
				 d->peer[i].region == (uint16_t)d->default_hss;
		if (!found)
			return dp_errf(err, errlen,
				       "[diameter] default_hss = %d: no hss line for region %d",
				       (int)d->default_hss, (int)d->default_hss);
	}
	if (d->unknown_proxy && d->default_hss < 0)
		return dp_errf(err, errlen,
			       "[diameter] unknown = proxy: needs default_hss (where to proxy "
			       "unknown IMSIs)");
	for (unsigned int i = 0; i < d->n_peers; i++)
		for (unsigned int j = 0; j < i; j++) {
			const struct jitsim_dp_diam_peer *a = &d->peer[i], *b = &d->peer[j];

			if (a->listen && b->listen && a->transport == b->transport &&
			    dp_ep_equal(&a->addr, &b->addr))
				return dp_errf(err, errlen,
					       "[diameter]: peers %s and %s listen on the same "
					       "address and port",
					       b->name, a->name);
		}
	return 0;
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
	if (c->ss7.enabled) {
		if (!c->ss7.has_own_pc)
			return dp_errf(err, errlen,
				       "[ss7]: own_pc is required (jitsim's point code, e.g. "
				       "own_pc = 0.23.2)");
		if (c->ss7.unknown_relay && !c->ss7.default_hlr.set)
			return dp_errf(err, errlen,
				       "[ss7] unknown = relay: needs default_hlr (where to relay "
				       "unknown IMSIs)");
		if (c->ss7.n_links == 0)
			return dp_errf(err, errlen,
				       "[ss7]: no association: give at least one 'asp = NAME "
				       "LOCAL REMOTE' or 'listen = LOCAL' line");
		for (unsigned int i = 0; i < c->ss7.n_links; i++)
			for (unsigned int j = 0; j < i; j++) {
				const struct jitsim_dp_ss7_ep *a = &c->ss7.link[i].local;
				const struct jitsim_dp_ss7_ep *b = &c->ss7.link[j].local;

				if (a->port != 0 && a->port == b->port && a->family == b->family &&
				    memcmp(a->ip, b->ip, sizeof(a->ip)) == 0)
					return dp_errf(err, errlen,
						       "[ss7]: %s and %s bind the same local "
						       "address and port",
						       c->ss7.link[j].name, c->ss7.link[i].name);
			}
	}
	if (c->diam.enabled && dp_check_diam(&c->diam, err, errlen) != 0)
		return -1;
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

static void
dp_dump_ep(const struct jitsim_dp_ss7_ep *ep, FILE *f)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(ep->family, ep->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	if (ep->family == AF_INET6)
		fprintf(f, " [%s]:%u", ip, ep->port);
	else
		fprintf(f, " %s:%u", ip, ep->port);
}

/* A point code in the 3-8-3 notation (config.h: 14 bits). */
static const char *
dp_pc_str(uint32_t pc, char *buf, size_t len)
{
	snprintf(buf, len, "%u.%u.%u", (pc >> 11) & 7, (pc >> 3) & 0xff, pc & 7);
	return buf;
}

static void
dp_dump_pc(const char *key, uint32_t pc, FILE *f)
{
	char b[16];

	fprintf(f, "%s = %s\n", key, dp_pc_str(pc, b, sizeof(b)));
}

static void
dp_dump_hlr(const char *key, const char *region, const struct jitsim_dp_ss7_hlr *h, FILE *f)
{
	char b[16];

	fprintf(f, "%s =%s %s%s%s ssn=%u\n", key, region, dp_pc_str(h->pc, b, sizeof(b)),
		h->gt[0] ? " " : "", h->gt, h->ssn);
}

static void
dp_dump_ss7(const struct jitsim_dp_ss7_config *s, FILE *f)
{
	fprintf(f, "\n[ss7]\n");
	dp_dump_pc("own_pc", s->own_pc, f);
	fprintf(f, "%sown_gt = %s\n", s->own_gt[0] ? "" : "# ",
		s->own_gt[0] ? s->own_gt : "(none)");
	fprintf(f, "own_ssn = %u\nni = %u\nlocked_error = %u\n", s->own_ssn, s->ni,
		s->locked_error);
	if (s->has_default_route)
		dp_dump_pc("default_route", s->default_route, f);
	else
		fprintf(f, "# default_route = (none)\n");
	if (s->default_hlr.set)
		dp_dump_hlr("default_hlr", "", &s->default_hlr, f);
	else
		fprintf(f, "# default_hlr = (none)\n");
	fprintf(f, "unknown = %s\n", s->unknown_relay ? "relay" : "drop");
	fprintf(f, "workers = %u\nring_slots = %u\n", s->workers, s->ring_slots);
	for (unsigned int r = 0; r < JITSIM_DP_SS7_REGION_MAX; r++) {
		char rb[8];

		if (!s->hlr[r].set)
			continue;
		snprintf(rb, sizeof(rb), " %u", r);
		dp_dump_hlr("hlr", rb, &s->hlr[r], f);
	}
	for (unsigned int i = 0; i < s->n_links; i++) {
		const struct jitsim_dp_ss7_link *l = &s->link[i];

		if (l->role == JITSIM_DP_SS7_ASP) {
			fprintf(f, "asp = %s", l->name);
			dp_dump_ep(&l->local, f);
			dp_dump_ep(&l->remote, f);
		} else {
			fprintf(f, "listen =");
			dp_dump_ep(&l->local, f);
		}
		if (l->has_rc)
			fprintf(f, " rc=%u", l->rc);
		fprintf(f, " mode=%s\n",
			l->mode == JITSIM_DP_SS7_LOADSHARE ? "loadshare" : "override");
	}
}

static void
dp_dump_diam(const struct jitsim_dp_diam_config *d, FILE *f)
{
	static const char *const tp[] = {"?", "tcp", "sctp"};

	fprintf(f, "\n[diameter]\norigin_host = %s\norigin_realm = %s\n", d->origin_host,
		d->origin_realm);
	if (d->has_host_ip) {
		char ip[INET6_ADDRSTRLEN];

		if (inet_ntop(d->host_ip.family, d->host_ip.ip, ip, sizeof(ip)) == NULL)
			snprintf(ip, sizeof(ip), "?");
		fprintf(f, "host_ip = %s\n", ip);
	} else {
		fprintf(f, "# host_ip = (the connection's local address)\n");
	}
	for (unsigned int i = 0; i < d->n_peers; i++) {
		const struct jitsim_dp_diam_peer *p = &d->peer[i];

		if (p->kind == JITSIM_DP_DIAM_HSS)
			fprintf(f, "hss = %u %s %s", p->region, p->name, tp[p->transport % 3]);
		else
			fprintf(f, "peer = %s %s %s", p->name, p->listen ? "listen" : "connect",
				tp[p->transport % 3]);
		dp_dump_ep(&p->addr, f);
		if (p->host[0] != '\0')
			fprintf(f, " host=%s", p->host);
		if (p->realm[0] != '\0')
			fprintf(f, " realm=%s", p->realm);
		if (p->has_local) {
			char ip[INET6_ADDRSTRLEN];

			if (inet_ntop(p->local.family, p->local.ip, ip, sizeof(ip)) == NULL)
				snprintf(ip, sizeof(ip), "?");
			fprintf(f, p->local.family == AF_INET6 ? " local=[%s]:%u" : " local=%s:%u",
				ip, p->local.port);
		}
		fputc('\n', f);
	}
	if (d->default_hss >= 0)
		fprintf(f, "default_hss = %d\n", (int)d->default_hss);
	else
		fprintf(f, "default_hss = none\n");
	fprintf(f,
		"unknown = %s\nlocked_result = %u\nredirect = %s\nwatchdog = %u\nworkers = %u\n"
		"ring_slots = %u\n",
		d->unknown_proxy ? "proxy" : "reject", d->locked_result, d->redirect ? "yes" : "no",
		d->watchdog_s, d->workers, d->ring_slots);
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
	if (c->ss7.enabled)
		dp_dump_ss7(&c->ss7, f);
	if (c->diam.enabled)
		dp_dump_diam(&c->diam, f);
}
