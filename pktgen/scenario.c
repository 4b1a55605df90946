/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * Scenario parser. Table-driven: every plain key is one row of keys[] with
 * its type, destination and bounds, so validation is data and every error
 * message has the same shape. Weights of operations, background kinds and
 * malformed kinds are matched by the names of their X-macro lists.
 */
#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <ini.h>

#include "scenario.h"

static const char *const state_names[] = {
#define X(a, b) b,
	JITSIM_PKTGEN_STATES(X)
#undef X
};
static const char *const op_names[] = {
#define X(a, b) b,
	JITSIM_PKTGEN_OPS(X)
#undef X
};
static const char *const bg_names[] = {
#define X(a, b) b,
	JITSIM_PKTGEN_BGS(X)
#undef X
};
static const char *const mal_names[] = {
#define X(a, b) b,
	JITSIM_PKTGEN_MALS(X)
#undef X
};

const char *
jitsim_pktgen_state_name(unsigned int st)
{
	return st < JITSIM_PKTGEN_ST_MAX ? state_names[st] : "?";
}

const char *
jitsim_pktgen_op_name(unsigned int op)
{
	return op < JITSIM_PKTGEN_OP_MAX ? op_names[op] : "?";
}

const char *
jitsim_pktgen_bg_name(unsigned int bg)
{
	return bg < JITSIM_PKTGEN_BG_MAX ? bg_names[bg] : "?";
}

const char *
jitsim_pktgen_mal_name(unsigned int mal)
{
	return mal < JITSIM_PKTGEN_MAL_MAX ? mal_names[mal] : "?";
}

enum kind {
	K_U64, /* decimal integer */
	K_U32,
	K_UINT,
	K_PPM,	  /* share: "0.25" or "25%" */
	K_DUR,	  /* duration: "20ms", "1.5s", "250us", "100ns" */
	K_STR,	  /* printable text without ';' (the vendor file separator) */
	K_DIGITS, /* decimal digits, as text */
	K_BOOL,
	K_VLANS, /* comma-separated VLAN ids */
};

struct key {
	const char *section;
	const char *name;
	uint8_t kind;
	size_t off;
	size_t size; /* K_STR/K_DIGITS: buffer size */
	uint64_t min;
	uint64_t max;
};

#define SC(f) offsetof(struct jitsim_pktgen_scenario, f)
#define SZ(f) sizeof(((struct jitsim_pktgen_scenario *)0)->f)

static const struct key keys[] = {
	{"population", "count", K_U64, SC(count), 0, 1, JITSIM_PKTGEN_MAX_SIMS},
	{"population", "mcc", K_DIGITS, SC(mcc), SZ(mcc), 3, 3},
	{"population", "mnc", K_DIGITS, SC(mnc), SZ(mnc), 2, 3},
	{"population", "msin_first", K_U64, SC(msin_first), 0, 0, 9999999999ull},
	{"population", "inventory", K_PPM, SC(share[JITSIM_PKTGEN_ST_INVENTORY]), 0, 0, 1000000},
	{"population", "active", K_PPM, SC(share[JITSIM_PKTGEN_ST_ACTIVE]), 0, 0, 1000000},
	{"population", "sleeping", K_PPM, SC(share[JITSIM_PKTGEN_ST_SLEEPING]), 0, 0, 1000000},
	{"population", "locked", K_PPM, SC(share[JITSIM_PKTGEN_ST_LOCKED]), 0, 0, 1000000},
	{"population", "msisdn_active", K_U64, SC(msisdn_active), 0, 100000, 999999999999999ull},
	{"population", "msisdn_sleeping", K_U64, SC(msisdn_sleeping), 0, 100000,
	 999999999999999ull},
	{"population", "iccid_prefix", K_DIGITS, SC(iccid_prefix), SZ(iccid_prefix), 4, 10},
	{"network", "hlr_gt", K_DIGITS, SC(hlr_gt), SZ(hlr_gt), 5, 15},
	{"network", "smsc_gt", K_DIGITS, SC(smsc_gt), SZ(smsc_gt), 5, 15},
	{"network", "gsmscf_gt", K_DIGITS, SC(gsmscf_gt), SZ(gsmscf_gt), 5, 15},
	{"network", "hss_realm", K_STR, SC(hss_realm), SZ(hss_realm), 1, 0},
	{"network", "hlr_pc", K_U32, SC(hlr_pc), 0, 1, 16383},
	{"network", "stp_pc", K_U32, SC(stp_pc), 0, 1, 16383},
	{"traffic", "packets", K_U64, SC(packets), 0, 1, 4000000000ull},
	{"traffic", "rate", K_U64, SC(rate), 0, 1, 100000000},
	{"traffic", "start", K_U64, SC(start_ns), 0, 0, 4102444800ull},
	{"traffic", "answer_delay", K_DUR, SC(answer_delay_ns), 0, 0, 60000000000ull},
	{"traffic", "retry_share", K_PPM, SC(retry_share), 0, 0, 1000000},
	{"traffic", "retry_max", K_U32, SC(retry_max), 0, 0, 10},
	{"traffic", "retry_delay_min", K_DUR, SC(retry_min_ns), 0, 0, 3600000000000ull},
	{"traffic", "retry_delay_max", K_DUR, SC(retry_max_ns), 0, 0, 3600000000000ull},
	{"background", "rate", K_U64, SC(bg_rate), 0, 0, 100000000},
	{"packaging", "vlans", K_VLANS, SC(vlans), 0, 1, 4094},
	{"packaging", "qinq", K_BOOL, SC(qinq), 0, 0, 1},
	{"packaging", "ipv6", K_PPM, SC(ipv6_share), 0, 0, 1000000},
	{"packaging", "m3ua_assocs", K_UINT, SC(m3ua_assocs), 0, 1, JITSIM_PKTGEN_MAX_LINKS / 2},
	{"packaging", "sctp_streams", K_UINT, SC(sctp_streams), 0, 2, JITSIM_PKTGEN_MAX_STREAMS},
	{"packaging", "bundle", K_PPM, SC(bundle_share), 0, 0, 1000000},
	{"packaging", "bundle_max", K_UINT, SC(bundle_max), 0, 2, 8},
	{"packaging", "diameter_peers", K_UINT, SC(diameter_peers), 0, 1,
	 JITSIM_PKTGEN_MAX_LINKS / 2},
	{"packaging", "diameter_tcp", K_PPM, SC(diameter_tcp_share), 0, 0, 1000000},
	{"malformed", "share", K_PPM, SC(mal_share), 0, 0, 500000},
	{"vendor", "customer", K_STR, SC(customer), SZ(customer), 1, 0},
	{"vendor", "type", K_STR, SC(card_type), SZ(card_type), 1, 0},
	{"vendor", "profile", K_STR, SC(profile), SZ(profile), 1, 0},
	{"vendor", "batch", K_STR, SC(batch), SZ(batch), 1, 0},
	{"vendor", "transport_key_index", K_U32, SC(transport_key_index), 0, 1, 255},
};
#define N_KEYS (sizeof(keys) / sizeof(keys[0]))

/* Which section each group of weights lives in. */
enum wgroup { W_OP, W_BG, W_MAL };

struct parse {
	struct jitsim_pktgen_scenario *sc;
	const char *path;
	FILE *f;
	unsigned int line;
	unsigned int key_line[N_KEYS];
	unsigned int region_line[JITSIM_PKTGEN_MAX_REGIONS];
	unsigned int rkey_line[JITSIM_PKTGEN_MAX_REGIONS][5]; /* weight vlr msc sgsn plmn */
	unsigned int weight_line[3];
	uint32_t region_seen[JITSIM_PKTGEN_MAX_REGIONS]; /* bit per region key */
	char *err;
	size_t errlen;
	bool failed;
	unsigned int fail_line;
};

static void fail(struct parse *ps, unsigned int line, const char *section, const char *key,
		 const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static void
fail(struct parse *ps, unsigned int line, const char *section, const char *key, const char *fmt,
     ...)
{
	char msg[192];
	va_list ap;

	if (ps->failed)
		return;
	ps->failed = true;
	ps->fail_line = line;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (line)
		snprintf(ps->err, ps->errlen, "%s:%u: [%s] %s: %s", ps->path, line, section, key,
			 msg);
	else
		snprintf(ps->err, ps->errlen, "%s: [%s] %s: %s", ps->path, section, key, msg);
}

static int
parse_u64(const char *v, uint64_t *out)
{
	uint64_t x = 0;

	if (*v == '\0')
		return -1;
	for (; *v; v++) {
		if (*v < '0' || *v > '9' || x > (UINT64_MAX - 9) / 10)
			return -1;
		x = x * 10 + (uint64_t)(*v - '0');
	}
	*out = x;
	return 0;
}

/*
 * Decimal with up to 9 fraction digits, scaled by 10^9, then by @p unit_div:
 * exact, so "0.1" is 100000 ppm on every platform.
 */
static int
parse_fixed(const char *v, uint64_t scale, const char **end, uint64_t *out)
{
	uint64_t ip = 0, fp = 0, fdiv = 1;
	bool any = false;

	for (; *v >= '0' && *v <= '9'; v++, any = true) {
		if (ip > UINT64_MAX / 10 / scale)
			return -1;
		ip = ip * 10 + (uint64_t)(*v - '0');
	}
	if (*v == '.') {
		for (v++; *v >= '0' && *v <= '9'; v++, any = true) {
			if (fdiv >= 1000000000ull)
				return -1;
			fp = fp * 10 + (uint64_t)(*v - '0');
			fdiv *= 10;
		}
	}
	if (!any)
		return -1;
	*end = v;
	*out = ip * scale + fp * scale / fdiv;
	return 0;
}

static int
parse_ppm(const char *v, uint64_t *out)
{
	const char *e;
	uint64_t x;

	if (parse_fixed(v, 1000000, &e, &x) != 0)
		return -1;
	if (*e == '%') {
		x /= 100;
		e++;
	}
	if (*e != '\0')
		return -1;
	*out = x;
	return 0;
}

static int
parse_dur(const char *v, uint64_t *out)
{
	static const struct {
		const char *suffix;
		uint64_t ns;
	} units[] = {{"ns", 1}, {"us", 1000}, {"ms", 1000000}, {"s", 1000000000ull}};
	const char *e;
	uint64_t x;

	for (size_t i = 0; i < sizeof(units) / sizeof(units[0]); i++) {
		if (parse_fixed(v, units[i].ns, &e, &x) == 0 && strcmp(e, units[i].suffix) == 0) {
			*out = x;
			return 0;
		}
	}
	return -1;
}

static int
parse_bool(const char *v, bool *out)
{
	if (!strcmp(v, "yes") || !strcmp(v, "true") || !strcmp(v, "1"))
		*out = true;
	else if (!strcmp(v, "no") || !strcmp(v, "false") || !strcmp(v, "0"))
		*out = false;
	else
		return -1;
	return 0;
}

static bool
all_digits(const char *v)
{
	if (*v == '\0')
		return false;
	for (; *v; v++)
		if (*v < '0' || *v > '9')
			return false;
	return true;
}

static bool
printable_text(const char *v)
{
	for (; *v; v++)
		if ((unsigned char)*v < 0x20 || (unsigned char)*v > 0x7e || *v == ';')
			return false;
	return true;
}

/* One plain key. */
static int
set_key(struct parse *ps, const struct key *k, const char *v)
{
	uint8_t *dst = (uint8_t *)ps->sc + k->off;
	uint64_t x = 0;
	bool b;
	size_t n;

	switch (k->kind) {
	case K_U64:
	case K_U32:
	case K_UINT:
		if (parse_u64(v, &x) != 0) {
			fail(ps, ps->line, k->section, k->name, "'%s' is not a decimal integer", v);
			return -1;
		}
		break;
	case K_PPM:
		if (parse_ppm(v, &x) != 0) {
			fail(ps, ps->line, k->section, k->name,
			     "'%s' is not a share (0.25 or 25%%)", v);
			return -1;
		}
		break;
	case K_DUR:
		if (parse_dur(v, &x) != 0) {
			fail(ps, ps->line, k->section, k->name,
			     "'%s' is not a duration (e.g. 20ms, 1.5s, 250us)", v);
			return -1;
		}
		break;
	case K_BOOL:
		if (parse_bool(v, &b) != 0) {
			fail(ps, ps->line, k->section, k->name, "'%s' is not yes/no", v);
			return -1;
		}
		memcpy(dst, &b, sizeof(b));
		return 0;
	case K_STR:
	case K_DIGITS:
		n = strlen(v);
		if (k->kind == K_DIGITS && !all_digits(v)) {
			fail(ps, ps->line, k->section, k->name, "'%s' is not a digit string", v);
			return -1;
		}
		if (k->kind == K_STR && !printable_text(v)) {
			fail(ps, ps->line, k->section, k->name,
			     "text must be printable ASCII without ';'");
			return -1;
		}
		if (n < k->min || n >= k->size || (k->max && n > k->max)) {
			fail(ps, ps->line, k->section, k->name,
			     "length %zu out of range %" PRIu64 "..%zu", n, k->min,
			     k->max ? (size_t)k->max : k->size - 1);
			return -1;
		}
		memcpy(dst, v, n + 1);
		return 0;
	case K_VLANS: {
		struct jitsim_pktgen_scenario *sc = ps->sc;
		const char *p = v;

		sc->n_vlans = 0;
		if (*p == '\0')
			return 0;
		for (;;) {
			char *e;
			unsigned long id;

			errno = 0;
			id = strtoul(p, &e, 10);
			if (e == p || errno || id < 1 || id > 4094 ||
			    sc->n_vlans == JITSIM_PKTGEN_MAX_VLANS || (*e != ',' && *e != '\0')) {
				fail(ps, ps->line, k->section, k->name,
				     "want up to %d VLAN ids 1..4094 separated by commas",
				     JITSIM_PKTGEN_MAX_VLANS);
				return -1;
			}
			sc->vlans[sc->n_vlans++] = (uint16_t)id;
			if (*e == '\0')
				return 0;
			p = e + 1;
		}
	}
	}
	if (x < k->min || x > k->max) {
		fail(ps, ps->line, k->section, k->name, "%s out of range %" PRIu64 "..%" PRIu64, v,
		     k->min, k->max);
		return -1;
	}
	if (k->kind == K_U64 || k->kind == K_PPM || k->kind == K_DUR) {
		if (k->kind == K_PPM) {
			uint32_t y = (uint32_t)x;

			memcpy(dst, &y, sizeof(y));
		} else {
			memcpy(dst, &x, sizeof(x));
		}
	} else if (k->kind == K_U32) {
		uint32_t y = (uint32_t)x;

		memcpy(dst, &y, sizeof(y));
	} else {
		unsigned int y = (unsigned int)x;

		memcpy(dst, &y, sizeof(y));
	}
	return 0;
}

static int
find_name(const char *const *names, unsigned int n, const char *name)
{
	for (unsigned int i = 0; i < n; i++)
		if (strcmp(names[i], name) == 0)
			return (int)i;
	return -1;
}

/* Comma-separated list of "MCCMNC" PLMN ids. */
static int
set_plmns(struct parse *ps, struct jitsim_pktgen_region *r, const char *section, const char *v)
{
	const char *p = v;

	r->n_plmn = 0;
	for (;;) {
		size_t n = strcspn(p, ",");

		if ((n != 5 && n != 6) || r->n_plmn == JITSIM_PKTGEN_MAX_PLMNS) {
			fail(ps, ps->line, section, "plmn",
			     "want up to %d PLMN ids of 5 or 6 digits (MCCMNC) separated by commas",
			     JITSIM_PKTGEN_MAX_PLMNS);
			return -1;
		}
		for (size_t i = 0; i < n; i++)
			if (p[i] < '0' || p[i] > '9') {
				fail(ps, ps->line, section, "plmn", "'%s' is not digits", v);
				return -1;
			}
		memcpy(r->plmn[r->n_plmn], p, n);
		r->plmn[r->n_plmn++][n] = '\0';
		if (p[n] == '\0')
			return 0;
		p += n + 1;
	}
}

static int
region_key(struct parse *ps, const char *section, const char *rname, const char *name,
	   const char *v)
{
	static const char *const rkeys[] = {"weight", "vlr", "msc", "sgsn", "plmn"};
	struct jitsim_pktgen_scenario *sc = ps->sc;
	struct jitsim_pktgen_region *r = NULL;
	unsigned int i;
	int k;

	for (i = 0; i < sc->n_regions; i++)
		if (strcmp(sc->region[i].name, rname) == 0)
			break;
	if (i == sc->n_regions) {
		if (sc->n_regions == JITSIM_PKTGEN_MAX_REGIONS) {
			fail(ps, ps->line, section, name, "more than %d regions",
			     JITSIM_PKTGEN_MAX_REGIONS);
			return -1;
		}
		if (strlen(rname) == 0 || strlen(rname) >= sizeof(r->name) ||
		    !printable_text(rname) || strchr(rname, '"') || strchr(rname, '\\')) {
			fail(ps, ps->line, section, name,
			     "region name must be 1..31 printable "
			     "characters without quotes");
			return -1;
		}
		sc->n_regions++;
		snprintf(sc->region[i].name, sizeof(sc->region[i].name), "%s", rname);
		ps->region_line[i] = ps->line;
	}
	r = &sc->region[i];
	k = find_name(rkeys, 5, name);
	if (k < 0) {
		fail(ps, ps->line, section, name,
		     "unknown key (want weight, vlr, msc, sgsn, plmn)");
		return -1;
	}
	if (ps->region_seen[i] & (1u << k)) {
		fail(ps, ps->line, section, name, "set twice");
		return -1;
	}
	ps->region_seen[i] |= 1u << k;
	ps->rkey_line[i][k] = ps->line;
	if (k == 0) {
		uint64_t w;

		if (parse_u64(v, &w) != 0 || w > 1000000) {
			fail(ps, ps->line, section, name, "'%s' is not a weight 0..1000000", v);
			return -1;
		}
		r->weight = (uint32_t)w;
		return 0;
	}
	if (k == 4)
		return set_plmns(ps, r, section, v);
	if (!all_digits(v) || strlen(v) < 2 || strlen(v) > 10) {
		fail(ps, ps->line, section, name,
		     "'%s' is not a global-title prefix of 2..10 digits", v);
		return -1;
	}
	snprintf(k == 1 ? r->vlr : k == 2 ? r->msc : r->sgsn, sizeof(r->vlr), "%s", v);
	return 0;
}

static int
handler(void *user, const char *section, const char *name, const char *value)
{
	struct parse *ps = user;
	struct jitsim_pktgen_scenario *sc = ps->sc;
	int i;

	if (ps->failed)
		return 0;
	if (name == NULL) /* inih: section start with INI_CALL_HANDLER_ON_NEW_SECTION */
		return 1;
	if (strncmp(section, "region ", 7) == 0)
		return region_key(ps, section, section + 7, name, value) == 0;
	if (strcmp(section, "traffic") == 0 &&
	    (i = find_name(op_names, JITSIM_PKTGEN_OP_MAX, name)) >= 0) {
		uint64_t w;

		if (parse_u64(value, &w) != 0 || w > 1000000) {
			fail(ps, ps->line, section, name, "'%s' is not a weight 0..1000000", value);
			return 0;
		}
		sc->weight[i] = (uint32_t)w;
		ps->weight_line[W_OP] = ps->line;
		return 1;
	}
	if (strcmp(section, "background") == 0 &&
	    (i = find_name(bg_names, JITSIM_PKTGEN_BG_MAX, name)) >= 0) {
		uint64_t w;

		if (parse_u64(value, &w) != 0 || w > 1000000) {
			fail(ps, ps->line, section, name, "'%s' is not a weight 0..1000000", value);
			return 0;
		}
		sc->bg_weight[i] = (uint32_t)w;
		ps->weight_line[W_BG] = ps->line;
		return 1;
	}
	if (strcmp(section, "malformed") == 0 &&
	    (i = find_name(mal_names, JITSIM_PKTGEN_MAL_MAX, name)) >= 0) {
		uint64_t w;

		if (parse_u64(value, &w) != 0 || w > 1000000) {
			fail(ps, ps->line, section, name, "'%s' is not a weight 0..1000000", value);
			return 0;
		}
		sc->mal_weight[i] = (uint32_t)w;
		ps->weight_line[W_MAL] = ps->line;
		return 1;
	}
	for (size_t k = 0; k < N_KEYS; k++) {
		if (strcmp(keys[k].section, section) != 0 || strcmp(keys[k].name, name) != 0)
			continue;
		if (ps->key_line[k]) {
			fail(ps, ps->line, section, name, "set twice (first on line %u)",
			     ps->key_line[k]);
			return 0;
		}
		ps->key_line[k] = ps->line;
		return set_key(ps, &keys[k], value) == 0;
	}
	fail(ps, ps->line, section, name, "unknown key");
	return 0;
}

/* inih reader that counts lines, so that every message can name one. */
static char *
reader(char *str, int num, void *stream)
{
	struct parse *ps = stream;
	char *s = fgets(str, num, ps->f);

	if (s != NULL)
		ps->line++;
	return s;
}

static unsigned int
line_of(const struct parse *ps, const char *section, const char *name)
{
	for (size_t k = 0; k < N_KEYS; k++)
		if (!strcmp(keys[k].section, section) && !strcmp(keys[k].name, name))
			return ps->key_line[k];
	return 0;
}

static void
defaults(struct jitsim_pktgen_scenario *sc)
{
	memset(sc, 0, sizeof(*sc));
	strcpy(sc->mcc, "001");
	strcpy(sc->mnc, "01");
	sc->share[JITSIM_PKTGEN_ST_INVENTORY] = 1000000;
	sc->msisdn_active = 447700100000ull;
	sc->msisdn_sleeping = 447700500000ull;
	strcpy(sc->iccid_prefix, "894401");
	strcpy(sc->hlr_gt, "447700900001");
	strcpy(sc->smsc_gt, "447700900200");
	strcpy(sc->gsmscf_gt, "447700900300");
	strcpy(sc->hss_realm, "epc.mnc001.mcc001.3gppnetwork.org");
	sc->hlr_pc = 0x0101;
	sc->stp_pc = 0x0202;
	sc->packets = 10000;
	sc->rate = 1000;
	sc->start_ns = 1767225600; /* 2026-01-01T00:00:00Z, seconds until scaled */
	sc->answer_delay_ns = 20000000;
	sc->retry_share = 800000;
	sc->retry_max = 2;
	sc->retry_min_ns = 5000000000ull;
	sc->retry_max_ns = 30000000000ull;
	sc->m3ua_assocs = 2;
	sc->sctp_streams = 4;
	sc->bundle_max = 3;
	sc->diameter_peers = 2;
	sc->mal_weight[JITSIM_PKTGEN_MAL_TRUNCATED] = 1;
	sc->mal_weight[JITSIM_PKTGEN_MAL_LENGTH] = 1;
	sc->mal_weight[JITSIM_PKTGEN_MAL_BER] = 1;
	sc->mal_weight[JITSIM_PKTGEN_MAL_BITFLIP] = 1;
	strcpy(sc->customer, "jitsim test operator");
	strcpy(sc->card_type, "USIM");
	strcpy(sc->profile, "jitsim-generic-4G");
	strcpy(sc->batch, "B0001");
	sc->transport_key_index = 1;
}

static bool
prefix_overlap(const char *a, const char *b)
{
	size_t n = strlen(a) < strlen(b) ? strlen(a) : strlen(b);

	return n > 0 && strncmp(a, b, n) == 0;
}

/* Checks across keys, after the whole file was read. */
static void
cross_checks(struct parse *ps)
{
	struct jitsim_pktgen_scenario *sc = ps->sc;
	uint64_t sum = 0, wsum = 0, msin_cap = 1;
	size_t plen = strlen(sc->mcc) + strlen(sc->mnc);

	for (unsigned int s = 0; s < JITSIM_PKTGEN_ST_MAX; s++)
		sum += sc->share[s];
	/* Inventory, when not given, takes what the other states leave. */
	if (!line_of(ps, "population", "inventory") && sum - 1000000 <= 1000000) {
		sum -= sc->share[JITSIM_PKTGEN_ST_INVENTORY];
		sc->share[JITSIM_PKTGEN_ST_INVENTORY] = (uint32_t)(1000000 - sum);
		sum = 1000000;
	}
	if (sum != 1000000) {
		fail(ps, line_of(ps, "population", "inventory"), "population",
		     "inventory/active/sleeping/locked", "shares add up to %" PRIu64 " ppm, not 1",
		     sum);
		return;
	}
	/* TS 23.003 2.2: IMSI = MCC + MNC + MSIN, at most 15 digits. */
	sc->msin_digits = (uint8_t)(15 - plen);
	for (unsigned int i = 0; i < sc->msin_digits; i++)
		msin_cap *= 10;
	if (sc->msin_first + sc->count > msin_cap) {
		fail(ps, line_of(ps, "population", "count"), "population", "count",
		     "msin_first + count exceeds the %u-digit MSIN range", sc->msin_digits);
		return;
	}
	for (unsigned int st = JITSIM_PKTGEN_ST_ACTIVE; st <= JITSIM_PKTGEN_ST_SLEEPING; st++) {
		uint64_t first =
			st == JITSIM_PKTGEN_ST_ACTIVE ? sc->msisdn_active : sc->msisdn_sleeping;
		uint64_t n = jitsim_pktgen_scenario_state_count(sc, st);
		uint64_t ofirst =
			st == JITSIM_PKTGEN_ST_ACTIVE ? sc->msisdn_sleeping : sc->msisdn_active;
		uint64_t on = jitsim_pktgen_scenario_state_count(
			sc, st == JITSIM_PKTGEN_ST_ACTIVE ? JITSIM_PKTGEN_ST_SLEEPING
							  : JITSIM_PKTGEN_ST_ACTIVE);
		const char *key =
			st == JITSIM_PKTGEN_ST_ACTIVE ? "msisdn_active" : "msisdn_sleeping";
		char a[24], b[24];

		snprintf(a, sizeof(a), "%" PRIu64, first);
		snprintf(b, sizeof(b), "%" PRIu64, first + (n ? n - 1 : 0));
		/* E.164: at most 15 digits, and the range must keep its length. */
		if (strlen(a) != strlen(b) || strlen(b) > 15) {
			fail(ps, line_of(ps, "population", key), "population", key,
			     "range of %" PRIu64 " numbers from %s changes length or exceeds 15 "
			     "digits",
			     n, a);
			return;
		}
		if (st == JITSIM_PKTGEN_ST_SLEEPING && n && on && first < ofirst + on &&
		    ofirst < first + n) {
			fail(ps, line_of(ps, "population", key), "population", key,
			     "active and sleeping MSISDN ranges overlap");
			return;
		}
	}
	if (sc->n_regions == 0) {
		fail(ps, 0, "region NAME", "vlr", "at least one [region NAME] section is needed");
		return;
	}
	for (unsigned int i = 0; i < sc->n_regions; i++) {
		struct jitsim_pktgen_region *r = &sc->region[i];
		char sec[48];

		snprintf(sec, sizeof(sec), "region %s", r->name);
		wsum += r->weight;
		if (!r->vlr[0] || !r->msc[0] || !r->sgsn[0] || r->n_plmn == 0) {
			fail(ps, ps->region_line[i], sec,
			     !r->vlr[0]	   ? "vlr"
			     : !r->msc[0]  ? "msc"
			     : !r->sgsn[0] ? "sgsn"
					   : "plmn",
			     "missing (a region needs vlr, msc, sgsn and plmn)");
			return;
		}
		/* Regions are told apart by prefix: no prefix may cover another. */
		for (unsigned int j = 0; j < sc->n_regions; j++) {
			const struct jitsim_pktgen_region *o = &sc->region[j];
			const char *mine[] = {r->vlr, r->msc, r->sgsn};
			const char *theirs[] = {o->vlr, o->msc, o->sgsn};

			for (int x = 0; x < 3; x++)
				for (int y = 0; y < 3; y++)
					if ((i != j || x != y) &&
					    prefix_overlap(mine[x], theirs[y])) {
						fail(ps, ps->rkey_line[i][x + 1], sec,
						     x == 0   ? "vlr"
						     : x == 1 ? "msc"
							      : "sgsn",
						     "prefix %s overlaps %s of [region %s]",
						     mine[x], theirs[y], o->name);
						return;
					}
			for (unsigned int x = 0; x < r->n_plmn; x++)
				for (unsigned int y = 0; y < o->n_plmn; y++)
					if ((i != j || x != y) && !strcmp(r->plmn[x], o->plmn[y])) {
						fail(ps, ps->rkey_line[i][4], sec, "plmn",
						     "PLMN %s listed twice", r->plmn[x]);
						return;
					}
		}
	}
	if (wsum == 0) {
		fail(ps, ps->region_line[0], "region", "weight", "all region weights are 0");
		return;
	}
	wsum = 0;
	for (unsigned int i = 0; i < JITSIM_PKTGEN_OP_MAX; i++)
		wsum += sc->weight[i];
	if (wsum == 0) {
		fail(ps, ps->weight_line[W_OP], "traffic", "sai_v3...",
		     "no operation has a weight: nothing to generate");
		return;
	}
	{
		/*
		 * Operations that need an active SIM (or, for SRI / SRI-SM, an
		 * active or sleeping one): without any, the generator could
		 * never write a frame.
		 */
		uint64_t act = jitsim_pktgen_scenario_state_count(sc, JITSIM_PKTGEN_ST_ACTIVE);
		uint64_t slp = jitsim_pktgen_scenario_state_count(sc, JITSIM_PKTGEN_ST_SLEEPING);
		uint64_t feasible = 0;

		for (unsigned int i = 0; i < JITSIM_PKTGEN_OP_MAX; i++) {
			bool any = i == JITSIM_PKTGEN_OP_SAI_V2 || i == JITSIM_PKTGEN_OP_SAI_V3 ||
				   i == JITSIM_PKTGEN_OP_UL || i == JITSIM_PKTGEN_OP_UGL ||
				   i == JITSIM_PKTGEN_OP_AIR || i == JITSIM_PKTGEN_OP_ULR;
			bool by_msisdn = i == JITSIM_PKTGEN_OP_SRI || i == JITSIM_PKTGEN_OP_SRI_SM;

			if (any || (by_msisdn && act + slp) || act)
				feasible += sc->weight[i];
		}
		if (feasible == 0) {
			fail(ps, ps->weight_line[W_OP], "traffic", "weights",
			     "every weighted operation needs active or sleeping SIMs, and the "
			     "population has none");
			return;
		}
	}
	if (sc->retry_min_ns > sc->retry_max_ns) {
		fail(ps, line_of(ps, "traffic", "retry_delay_min"), "traffic", "retry_delay_min",
		     "greater than retry_delay_max");
		return;
	}
	if (sc->qinq && sc->n_vlans == 0) {
		fail(ps, line_of(ps, "packaging", "qinq"), "packaging", "qinq",
		     "needs at least one VLAN id in vlans");
		return;
	}
	if (sc->bundle_share && sc->sctp_streams < 2) {
		fail(ps, line_of(ps, "packaging", "bundle"), "packaging", "bundle",
		     "needs sctp_streams >= 2");
		return;
	}
	wsum = 0;
	for (unsigned int i = 0; i < JITSIM_PKTGEN_MAL_MAX; i++)
		wsum += sc->mal_weight[i];
	if (sc->mal_share && wsum == 0) {
		fail(ps, ps->weight_line[W_MAL], "malformed", "share",
		     "a share is set but every kind has weight 0");
		return;
	}
	wsum = 0;
	for (unsigned int i = 0; i < JITSIM_PKTGEN_BG_MAX; i++)
		wsum += sc->bg_weight[i];
	if (sc->bg_rate && wsum == 0) {
		fail(ps, line_of(ps, "background", "rate"), "background", "rate",
		     "a rate is set but every kind has weight 0");
		return;
	}
	if (strlen(sc->iccid_prefix) < 4 || strncmp(sc->iccid_prefix, "89", 2) != 0) {
		fail(ps, line_of(ps, "population", "iccid_prefix"), "population", "iccid_prefix",
		     "must start with 89 (ITU-T E.118 telecommunication MII)");
		return;
	}
	sc->start_ns *= 1000000000ull;
}

int
jitsim_pktgen_scenario_load(const char *path, struct jitsim_pktgen_scenario *sc, char *err,
			    size_t errlen)
{
	struct parse ps;
	int rc;

	defaults(sc);
	memset(&ps, 0, sizeof(ps));
	ps.sc = sc;
	ps.path = path;
	ps.err = err;
	ps.errlen = errlen;
	snprintf(sc->path, sizeof(sc->path), "%s", path);
	ps.f = fopen(path, "r");
	if (ps.f == NULL) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return rc;
	}
	rc = ini_parse_stream(reader, &ps, handler, &ps);
	fclose(ps.f);
	/* inih goes on after a syntax error: report whichever came first. */
	if (rc > 0 && ps.failed && (unsigned int)rc < ps.fail_line)
		ps.failed = false;
	if (rc > 0 && !ps.failed)
		fail(&ps, (unsigned int)rc, "?", "?",
		     "syntax error (want [section] or key = value)");
	if (rc < 0 && !ps.failed)
		fail(&ps, 0, "?", "?", "cannot read the file");
	if (!ps.failed)
		cross_checks(&ps);
	return ps.failed ? -EINVAL : 0;
}

uint64_t
jitsim_pktgen_scenario_state_count(const struct jitsim_pktgen_scenario *sc, unsigned int st)
{
	uint64_t n[JITSIM_PKTGEN_ST_MAX], rest = sc->count;

	/* Floors for all but inventory, which takes the rounding remainder. */
	for (unsigned int s = 1; s < JITSIM_PKTGEN_ST_MAX; s++) {
		n[s] = (uint64_t)(((unsigned __int128)sc->count * sc->share[s]) / 1000000);
		rest -= n[s];
	}
	n[0] = rest;
	return st < JITSIM_PKTGEN_ST_MAX ? n[st] : 0;
}
