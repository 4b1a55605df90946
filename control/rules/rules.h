/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Regions and device rules of jitsim-cp (docs/rules.md).
 *
 * Definitions:
 *   hlr      an HLR/HSS the provisioning adapters talk to: name, id (the
 *            u16 kept in the SIM record), kind, address/params
 *   region   id (u16), name, the hlr it provisions to, its number pool
 *   visited  a region rule: visited network -> region. Three matches:
 *              gt_prefix    VLR/MSC/SGSN number or SCCP calling GT digit
 *                           prefix; the longest prefix wins
 *              plmn         S6a Visited-PLMN-Id, MCCMNC digits, exact
 *              origin_host  Diameter Origin-Host, exact, compared as the
 *                           32-bit FNV-1a hash the dataplane puts in
 *                           event.origin_hash (the dataplane hashes the
 *                           Origin-Host, not the Origin-Realm: a realm
 *                           cannot be matched from an event)
 *   device   IMEI TAC range and RAT types -> profile (tariff) and flow;
 *            the first matching rule in priority order wins
 * A default region and a default device result come from the
 * configuration (not persisted) and answer when nothing matches.
 *
 * Persistence: column family `meta` of the store, keys
 *   "hlr/<name>", "region/<id, 5 decimal digits>", "rule/v/gt/<digits>",
 *   "rule/v/plmn/<mccmnc>", "rule/v/host/<origin host>", "rule/d/<name>"
 * each value a versioned binary encoding (rules.c). add/remove stage the
 * change in a batch the caller commits (NULL: memory only) and change the
 * in-memory set at once; if the commit fails, the caller reloads with
 * jitsim_rules_load() (or discards the set). jitsim_rules_load() reads
 * everything back and checks that every reference resolves.
 *
 * Thread-safety: one writer at a time (add/remove/load/set_default take a
 * write lock), any number of concurrent lookups and lists (read lock).
 * Lookups never allocate: they walk a digit trie (O(prefix length)) or
 * binary-search sorted arrays rebuilt at each change, and copy their
 * answer into the caller's struct.
 * Errors: 0 or negative errno with a message in @err naming the field
 * (and the key when it comes from the store).
 */

#ifndef JITSIM_RULES_H
#define JITSIM_RULES_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct jitsim_event;
struct jitsim_store;
struct jitsim_store_batch;

#define JITSIM_RULES_NAME_MAX 32   /* names: [A-Za-z0-9._-], 1..32 */
#define JITSIM_RULES_ADDR_MAX 255  /* hlr address/params */
#define JITSIM_RULES_HOST_MAX 255  /* Diameter Origin-Host (FQDN) */
#define JITSIM_RULES_PREFIX_MAX 16 /* GT prefix digits (event keys hold 16) */
#define JITSIM_RULES_RAT_MAX 8	   /* RAT types per device rule */
#define JITSIM_RULES_HLR_MAX 256   /* definitions at most, per kind */
#define JITSIM_RULES_REGION_MAX 4096
#define JITSIM_RULES_VISITED_MAX 65536
#define JITSIM_RULES_DEVICE_MAX 4096

/* S6a RAT-Type (TS 29.212 5.3.31), and what a MAP event carries. */
#define JITSIM_RAT_WLAN 0
#define JITSIM_RAT_VIRTUAL 1
#define JITSIM_RAT_UTRAN 1000
#define JITSIM_RAT_GERAN 1001
#define JITSIM_RAT_GAN 1002
#define JITSIM_RAT_HSPA_EVOLUTION 1003
#define JITSIM_RAT_EUTRAN 1004
#define JITSIM_RAT_EUTRAN_NB_IOT 1005
#define JITSIM_RAT_NR 1006
#define JITSIM_RAT_LTE_M 1007
#define JITSIM_RAT_UNKNOWN 0xffff /* absent (MAP): jitsim_event.rat_type */

enum jitsim_hlr_kind {
	JITSIM_HLR_OSMO = 1,   /* osmo-hlr CTRL: address "host:port" */
	JITSIM_HLR_HTTP = 2,   /* HTTP webhook: address = URL */
	JITSIM_HLR_OUTBOX = 3, /* outbox adapter: address = file path */
};

enum jitsim_rules_match {
	JITSIM_RULES_M_GT_PREFIX = 1,
	JITSIM_RULES_M_PLMN = 2,
	JITSIM_RULES_M_ORIGIN_HOST = 3,
	JITSIM_RULES_M_DEFAULT = 4, /* only in a lookup answer */
};

enum jitsim_rules_flow {
	JITSIM_FLOW_VOICE = 1,	   /* MSISDN from the region's (voice) pool */
	JITSIM_FLOW_DATA_ONLY = 2, /* no MSISDN, or one from data_pool */
};

struct jitsim_rules_hlr {
	char name[JITSIM_RULES_NAME_MAX + 1];
	uint16_t id;  /* 1..65535, unique; what the SIM record keeps */
	uint8_t kind; /* enum jitsim_hlr_kind */
	char address[JITSIM_RULES_ADDR_MAX + 1];
};

struct jitsim_rules_region {
	uint16_t id;			      /* 1..65535 */
	char name[JITSIM_RULES_NAME_MAX + 1]; /* unique */
	char hlr[JITSIM_RULES_NAME_MAX + 1];  /* an hlr's name */
	char pool[JITSIM_RULES_NAME_MAX + 1]; /* number pool name (pool module) */
};

struct jitsim_rules_visited {
	uint8_t match; /* enum jitsim_rules_match, not DEFAULT */
	/* gt_prefix: 1..16 digits; plmn: MCC+MNC, 5 or 6 digits; origin_host:
	 * 1..255 printable characters, compared exactly (case-sensitive) */
	char value[JITSIM_RULES_HOST_MAX + 1];
	uint16_t region; /* a region's id */
};

struct jitsim_rules_device {
	char name[JITSIM_RULES_NAME_MAX + 1]; /* unique */
	uint32_t priority;		      /* lower first; ties by name */
	bool has_tac;			      /* false: any device */
	uint32_t tac_from, tac_to;	      /* 8-digit TACs, from <= to */
	uint8_t n_rat;			      /* 0: any RAT */
	uint16_t rat[JITSIM_RULES_RAT_MAX];   /* JITSIM_RAT_* (UNKNOWN matches MAP) */
	char profile[JITSIM_RULES_NAME_MAX + 1];
	uint16_t tariff; /* tariff id kept in the SIM record */
	uint8_t flow;	 /* enum jitsim_rules_flow */
	/* data_only: pool the MSISDN comes from, "" = no MSISDN; voice: "" */
	char data_pool[JITSIM_RULES_NAME_MAX + 1];
};

/* Answer of a region lookup (copies: valid after the rules change). */
struct jitsim_rules_region_match {
	uint8_t how;	    /* enum jitsim_rules_match */
	uint8_t prefix_len; /* gt_prefix: digits matched */
	uint8_t hlr_kind;   /* enum jitsim_hlr_kind */
	uint16_t region;    /* region id */
	uint16_t hlr_id;
	char name[JITSIM_RULES_NAME_MAX + 1]; /* region name */
	char hlr[JITSIM_RULES_NAME_MAX + 1];
	char pool[JITSIM_RULES_NAME_MAX + 1];
};

/* Answer of a device lookup. */
struct jitsim_rules_device_match {
	bool is_default;		      /* no rule matched: the configured default */
	char rule[JITSIM_RULES_NAME_MAX + 1]; /* "" for the default */
	char profile[JITSIM_RULES_NAME_MAX + 1];
	uint16_t tariff;
	uint8_t flow;
	char data_pool[JITSIM_RULES_NAME_MAX + 1];
};

struct jitsim_rules;

/* An empty rule set. NULL on allocation failure. */
struct jitsim_rules *jitsim_rules_new(void);
void jitsim_rules_free(struct jitsim_rules *r);

/*
 * Replace the set with the definitions stored in @s (`meta`). On error
 * the set is left as it was. -EBADMSG damaged value, -ENOTSUP newer
 * encoding, -EINVAL a stored definition is invalid or a reference does
 * not resolve (the message names the key and the field), -ENOMEM, -EIO.
 */
int jitsim_rules_load(struct jitsim_rules *r, struct jitsim_store *s, char *err, size_t errlen);

/*
 * Add or replace (same key: hlr name, region id, visited match+value,
 * device name). -EINVAL invalid field, -EEXIST a unique field (hlr id,
 * region name) taken by another definition, -ENOENT a reference (region's
 * hlr, visited rule's region) not defined, -ENOSPC too many definitions.
 * @b may be NULL (memory only, e.g. from the configuration).
 */
int jitsim_rules_hlr_add(struct jitsim_rules *r, const struct jitsim_rules_hlr *h,
			 struct jitsim_store_batch *b, char *err, size_t errlen);
int jitsim_rules_region_add(struct jitsim_rules *r, const struct jitsim_rules_region *g,
			    struct jitsim_store_batch *b, char *err, size_t errlen);
int jitsim_rules_visited_add(struct jitsim_rules *r, const struct jitsim_rules_visited *v,
			     struct jitsim_store_batch *b, char *err, size_t errlen);
int jitsim_rules_device_add(struct jitsim_rules *r, const struct jitsim_rules_device *d,
			    struct jitsim_store_batch *b, char *err, size_t errlen);

/* Remove. -ENOENT not defined, -EBUSY still referenced (an hlr by a
 * region, a region by a visited rule or as the default region). */
int jitsim_rules_hlr_remove(struct jitsim_rules *r, const char *name, struct jitsim_store_batch *b,
			    char *err, size_t errlen);
int jitsim_rules_region_remove(struct jitsim_rules *r, uint16_t id, struct jitsim_store_batch *b,
			       char *err, size_t errlen);
int jitsim_rules_visited_remove(struct jitsim_rules *r, uint8_t match, const char *value,
				struct jitsim_store_batch *b, char *err, size_t errlen);
int jitsim_rules_device_remove(struct jitsim_rules *r, const char *name,
			       struct jitsim_store_batch *b, char *err, size_t errlen);

/* Copy up to @cap definitions (hlrs by name, regions by id, visited rules
 * by match then value, device rules in priority order) into @out;
 * return how many there are in all. */
unsigned int jitsim_rules_hlr_list(struct jitsim_rules *r, struct jitsim_rules_hlr *out,
				   unsigned int cap);
unsigned int jitsim_rules_region_list(struct jitsim_rules *r, struct jitsim_rules_region *out,
				      unsigned int cap);
unsigned int jitsim_rules_visited_list(struct jitsim_rules *r, struct jitsim_rules_visited *out,
				       unsigned int cap);
unsigned int jitsim_rules_device_list(struct jitsim_rules *r, struct jitsim_rules_device *out,
				      unsigned int cap);

/* Configuration defaults. Region 0 clears it; -ENOENT region not defined.
 * Device: NULL clears it; -EINVAL as for a rule (its name, TAC and RAT
 * fields are ignored). */
int jitsim_rules_set_default_region(struct jitsim_rules *r, uint16_t id, char *err, size_t errlen);
int jitsim_rules_set_default_device(struct jitsim_rules *r, const struct jitsim_rules_device *d,
				    char *err, size_t errlen);

/*
 * Region of the visited network of @ev: origin_host (event.origin_hash),
 * then plmn (visited_kind PLMN), then gt_prefix (visited_kind VLR, SGSN
 * or GT), then the default region. 0, or -ENOENT (no match, no default).
 */
int jitsim_rules_region_lookup(struct jitsim_rules *r, const struct jitsim_event *ev,
			       struct jitsim_rules_region_match *out);

/*
 * Device rule for @ev: TAC from the IMEI key (event.imei; no TAC when the
 * IMEI is absent or shorter than 8 digits: only rules without a TAC range
 * match), RAT from event.rat_type. 0, or -ENOENT (no match, no default).
 */
int jitsim_rules_device_lookup(struct jitsim_rules *r, const struct jitsim_event *ev,
			       struct jitsim_rules_device_match *out);

/* FNV-1a 32 of @host, the same as the dataplane's event.origin_hash. */
uint32_t jitsim_rules_host_hash(const char *host, size_t len);

/*
 * JSON forms (the control socket, jitsimctl). from_json: unknown members
 * are refused; -EINVAL with the member named in @err. to_json: a new
 * object, NULL on allocation failure.
 *   hlr     {"name","id","kind":"osmo-hlr"|"http"|"outbox","address"}
 *   region  {"id","name","hlr","pool"}
 *   visited {"match":"gt_prefix"|"plmn"|"origin_host","value","region"}
 *   device  {"name","priority","tac_from"?,"tac_to"?,"rat"?:[..],
 *            "profile","tariff","flow":"voice"|"data_only","data_pool"?}
 *           rat entries: a number or "wlan","utran","geran","eutran",
 *           "nb-iot","nr","lte-m","unknown"
 */
int jitsim_rules_hlr_from_json(const json_t *j, struct jitsim_rules_hlr *h, char *err,
			       size_t errlen);
int jitsim_rules_region_from_json(const json_t *j, struct jitsim_rules_region *g, char *err,
				  size_t errlen);
int jitsim_rules_visited_from_json(const json_t *j, struct jitsim_rules_visited *v, char *err,
				   size_t errlen);
int jitsim_rules_device_from_json(const json_t *j, struct jitsim_rules_device *d, char *err,
				  size_t errlen);
json_t *jitsim_rules_hlr_to_json(const struct jitsim_rules_hlr *h);
json_t *jitsim_rules_region_to_json(const struct jitsim_rules_region *g);
json_t *jitsim_rules_visited_to_json(const struct jitsim_rules_visited *v);
json_t *jitsim_rules_device_to_json(const struct jitsim_rules_device *d);

/* Names for logs and JSON; "invalid" when out of range. */
const char *jitsim_hlr_kind_name(unsigned int kind);
const char *jitsim_rules_match_name(unsigned int match);
const char *jitsim_rules_flow_name(unsigned int flow);

#endif /* JITSIM_RULES_H */
