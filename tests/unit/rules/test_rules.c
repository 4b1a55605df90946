/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Regions and device rules (control/rules): GT longest prefix, PLMN
 * exact, Origin-Host hash, default region, TAC ranges and RAT types,
 * priorities, persistence through a real store, and bad definitions
 * refused with the field named.
 */

#include <errno.h>
#include <pthread.h>
#include <sched.h>
#include <setjmp.h>
#include <stdatomic.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>

#include "rmtree.h"
#include "rules.h"
#include "store.h"

/* The dataplane's hash of this host, as tests/unit/detect has it
 * (computed apart from both implementations). */
#define ORIGIN_HOST "mme1.epc.example.org"
#define ORIGIN_HASH 0x779af695u
#define IMEI_A "352099001761482" /* TAC 35209900 */
#define IMEI_B "490154203237518" /* TAC 49015420 */

struct env {
	char dir[64];
	char db[128];
	char kek[128];
	struct jitsim_rules *r;
	char err[512];
};

#define EXPECT_BAD(call, rc_want, field)                                    \
	do {                                                                \
		e->err[0] = '\0';                                           \
		assert_int_equal((call), (rc_want));                        \
		if (strstr(e->err, (field)) == NULL)                        \
			fail_msg("'%s' does not name %s", e->err, (field)); \
	} while (0)

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-rules.XXXXXX");
	if (e == NULL || mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/db", e->dir);
	snprintf(e->kek, sizeof(e->kek), "%s/kek", e->dir);
	if (jitsim_kek_create(e->kek, e->err, sizeof(e->err)) != 0)
		return -1;
	e->r = jitsim_rules_new();
	if (e->r == NULL)
		return -1;
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	jitsim_rules_free(e->r);
	jitsim_test_rmtree(e->dir);
	free(e);
	return 0;
}

static struct jitsim_store *
open_store(struct env *e)
{
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek, .create = true};
	struct jitsim_store *s = NULL;
	int rc = jitsim_store_open(&o, &s, e->err, sizeof(e->err));

	if (rc != 0)
		fail_msg("store open: %d %s", rc, e->err);
	return s;
}

static void
add_hlr(struct env *e, const char *name, uint16_t id, struct jitsim_store_batch *b)
{
	struct jitsim_rules_hlr h = {.id = id, .kind = JITSIM_HLR_OUTBOX};

	snprintf(h.name, sizeof(h.name), "%s", name);
	snprintf(h.address, sizeof(h.address), "/var/spool/jitsim/%s.jsonl", name);
	if (jitsim_rules_hlr_add(e->r, &h, b, e->err, sizeof(e->err)) != 0)
		fail_msg("hlr add: %s", e->err);
}

static void
add_region(struct env *e, uint16_t id, const char *name, const char *hlr,
	   struct jitsim_store_batch *b)
{
	struct jitsim_rules_region g = {.id = id};

	snprintf(g.name, sizeof(g.name), "%s", name);
	snprintf(g.hlr, sizeof(g.hlr), "%s", hlr);
	snprintf(g.pool, sizeof(g.pool), "pool-%s", name);
	if (jitsim_rules_region_add(e->r, &g, b, e->err, sizeof(e->err)) != 0)
		fail_msg("region add: %s", e->err);
}

static void
add_visited(struct env *e, uint8_t match, const char *value, uint16_t region,
	    struct jitsim_store_batch *b)
{
	struct jitsim_rules_visited v = {.match = match, .region = region};

	snprintf(v.value, sizeof(v.value), "%s", value);
	if (jitsim_rules_visited_add(e->r, &v, b, e->err, sizeof(e->err)) != 0)
		fail_msg("visited add: %s", e->err);
}

/* hlr-a (1), hlr-b (2); regions 1 uk -> hlr-a, 2 london -> hlr-b, 3 intl -> hlr-a. */
static void
base(struct env *e, struct jitsim_store_batch *b)
{
	add_hlr(e, "hlr-a", 1, b);
	add_hlr(e, "hlr-b", 2, b);
	add_region(e, 1, "uk", "hlr-a", b);
	add_region(e, 2, "london", "hlr-b", b);
	add_region(e, 3, "intl", "hlr-a", b);
}

static struct jitsim_event
ev_visited(uint8_t kind, const char *digits)
{
	struct jitsim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.visited_kind = kind;
	ev.visited = digits ? jitsim_digits_key_str(digits) : 0;
	ev.rat_type = JITSIM_RAT_UNKNOWN;
	return ev;
}

static void
test_gt_longest_prefix(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_region_match m;
	struct jitsim_event ev;

	base(e, NULL);
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "44", 1, NULL);
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "4477", 2, NULL);
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "4477009", 3, NULL);

	ev = ev_visited(JITSIM_EV_VIS_VLR, "447700200");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 2);
	assert_int_equal(m.how, JITSIM_RULES_M_GT_PREFIX);
	assert_int_equal(m.prefix_len, 4);
	assert_string_equal(m.name, "london");
	assert_string_equal(m.hlr, "hlr-b");
	assert_int_equal(m.hlr_id, 2);
	assert_int_equal(m.hlr_kind, JITSIM_HLR_OUTBOX);
	assert_string_equal(m.pool, "pool-london");

	/* A longer prefix further down the same branch wins. */
	ev = ev_visited(JITSIM_EV_VIS_SGSN, "4477009123");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 3);
	assert_int_equal(m.prefix_len, 7);

	/* Only the short prefix matches. */
	ev = ev_visited(JITSIM_EV_VIS_GT, "441234567");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 1);
	assert_int_equal(m.prefix_len, 2);

	/* The digits equal to a prefix match it. */
	ev = ev_visited(JITSIM_EV_VIS_GT, "4477");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 2);

	/* No prefix, no default: nothing. */
	ev = ev_visited(JITSIM_EV_VIS_VLR, "3361234");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);
	/* GT digits are never compared to the PLMN table and vice versa. */
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "44770");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);

	/* Removing the 4-digit prefix falls back to "44". */
	assert_int_equal(jitsim_rules_visited_remove(e->r, JITSIM_RULES_M_GT_PREFIX, "4477", NULL,
						     e->err, sizeof(e->err)),
			 0);
	ev = ev_visited(JITSIM_EV_VIS_VLR, "447700200");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 1);
	assert_int_equal(m.prefix_len, 2);
}

static void
test_plmn_exact_and_default(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_region_match m;
	struct jitsim_event ev;

	base(e, NULL);
	add_visited(e, JITSIM_RULES_M_PLMN, "23415", 2, NULL);
	add_visited(e, JITSIM_RULES_M_PLMN, "310410", 3, NULL);

	ev = ev_visited(JITSIM_EV_VIS_PLMN, "23415");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 2);
	assert_int_equal(m.how, JITSIM_RULES_M_PLMN);
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "310410");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 3);
	/* Exact: neither a longer nor a shorter code matches. */
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "234150");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "2341");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);

	/* The default region answers what nothing else does. */
	assert_int_equal(jitsim_rules_set_default_region(e->r, 9, e->err, sizeof(e->err)), -ENOENT);
	assert_non_null(strstr(e->err, "default_region"));
	assert_int_equal(jitsim_rules_set_default_region(e->r, 1, e->err, sizeof(e->err)), 0);
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "234150");
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 1);
	assert_int_equal(m.how, JITSIM_RULES_M_DEFAULT);
	ev = ev_visited(JITSIM_EV_VIS_NONE, NULL);
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.how, JITSIM_RULES_M_DEFAULT);
	/* The default region cannot be removed from under the config. */
	assert_int_equal(jitsim_rules_region_remove(e->r, 1, NULL, e->err, sizeof(e->err)), -EBUSY);
	assert_non_null(strstr(e->err, "default"));
	assert_int_equal(jitsim_rules_set_default_region(e->r, 0, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);
}

static void
test_origin_host(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_region_match m;
	struct jitsim_event ev;

	/* The same hash as the dataplane's, fixed apart from both. */
	assert_int_equal(jitsim_rules_host_hash(ORIGIN_HOST, strlen(ORIGIN_HOST)), ORIGIN_HASH);
	base(e, NULL);
	add_visited(e, JITSIM_RULES_M_ORIGIN_HOST, ORIGIN_HOST, 3, NULL);
	add_visited(e, JITSIM_RULES_M_PLMN, "23415", 2, NULL);

	ev = ev_visited(JITSIM_EV_VIS_NONE, NULL);
	ev.proto = JITSIM_EV_PROTO_DIAMETER;
	ev.origin_hash = ORIGIN_HASH;
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 3);
	assert_int_equal(m.how, JITSIM_RULES_M_ORIGIN_HOST);

	/* The host (one MME) is more specific than the PLMN. */
	ev = ev_visited(JITSIM_EV_VIS_PLMN, "23415");
	ev.origin_hash = ORIGIN_HASH;
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 3);
	/* Another host: the PLMN decides. */
	ev.origin_hash = jitsim_rules_host_hash("mme2.epc.example.org", 20);
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 2);
	assert_int_equal(m.how, JITSIM_RULES_M_PLMN);
	/* Exact, case included: the hash of another spelling differs. */
	ev = ev_visited(JITSIM_EV_VIS_NONE, NULL);
	ev.origin_hash = jitsim_rules_host_hash("MME1.epc.example.org", 20);
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), -ENOENT);
}

/* Two hosts with one 32-bit hash cannot be told apart in an event: the
 * second is refused. The pair was found apart (a search over
 * "mme<N>.epc.example.org"); both hash to 0xc84f107e. */
static void
test_origin_host_collision(void **state)
{
	struct env *e = *state;
	static const char a[] = "mme579599.epc.example.org", b[] = "mme762382.epc.example.org";
	struct jitsim_rules_visited v = {.match = JITSIM_RULES_M_ORIGIN_HOST, .region = 1};
	struct jitsim_rules_region_match m;
	struct jitsim_event ev;

	assert_int_equal(jitsim_rules_host_hash(a, strlen(a)), 0xc84f107eu);
	assert_int_equal(jitsim_rules_host_hash(b, strlen(b)), 0xc84f107eu);
	base(e, NULL);
	add_visited(e, JITSIM_RULES_M_ORIGIN_HOST, a, 1, NULL);
	snprintf(v.value, sizeof(v.value), "%s", b);
	v.region = 2;
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, e->err, sizeof(e->err)), -EEXIST,
		   "same hash");
	/* The set is as before: one rule, still matching region 1. */
	assert_int_equal(jitsim_rules_visited_list(e->r, NULL, 0), 1);
	ev = ev_visited(JITSIM_EV_VIS_NONE, NULL);
	ev.origin_hash = 0xc84f107eu;
	assert_int_equal(jitsim_rules_region_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.region, 1);
}

static struct jitsim_rules_device
dev(const char *name, uint32_t prio, const char *profile, uint8_t flow)
{
	struct jitsim_rules_device d;

	memset(&d, 0, sizeof(d));
	snprintf(d.name, sizeof(d.name), "%s", name);
	snprintf(d.profile, sizeof(d.profile), "%s", profile);
	d.priority = prio;
	d.flow = flow;
	d.tariff = (uint16_t)prio;
	return d;
}

static struct jitsim_event
ev_device(const char *imei, uint16_t rat)
{
	struct jitsim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.imei = imei ? jitsim_digits_key_str(imei) : 0;
	ev.rat_type = rat;
	return ev;
}

static void
expect_device(struct env *e, const char *imei, uint16_t rat, const char *rule)
{
	struct jitsim_rules_device_match m;
	struct jitsim_event ev = ev_device(imei, rat);
	int rc = jitsim_rules_device_lookup(e->r, &ev, &m);

	if (rule == NULL) {
		assert_int_equal(rc, -ENOENT);
		return;
	}
	assert_int_equal(rc, 0);
	assert_string_equal(m.rule, rule);
}

static void
test_tac_and_rat(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_device d;
	struct jitsim_rules_device_match m;
	struct jitsim_event ev;

	/* NB-IoT modules of one TAC range: data only, no MSISDN. */
	d = dev("nbiot", 10, "iot-data", JITSIM_FLOW_DATA_ONLY);
	d.has_tac = true;
	d.tac_from = 35209900;
	d.tac_to = 35209999;
	d.n_rat = 2;
	d.rat[0] = JITSIM_RAT_EUTRAN_NB_IOT;
	d.rat[1] = JITSIM_RAT_UNKNOWN;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	/* The same range on LTE: voice. */
	d = dev("lte", 20, "lte-voice", JITSIM_FLOW_VOICE);
	d.has_tac = true;
	d.tac_from = 35209900;
	d.tac_to = 35209999;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);

	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN_NB_IOT, "nbiot");
	expect_device(e, IMEI_A, JITSIM_RAT_UNKNOWN, "nbiot"); /* MAP: no RAT */
	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN, "lte");
	/* Range bounds are inclusive. */
	expect_device(e, "352099990000000", JITSIM_RAT_EUTRAN, "lte");
	expect_device(e, "352100000000000", JITSIM_RAT_EUTRAN, NULL);
	expect_device(e, "352098990000000", JITSIM_RAT_EUTRAN, NULL);
	/* IMEISV (16 digits): the same TAC. */
	expect_device(e, "3520990017614801", JITSIM_RAT_EUTRAN, "lte");
	/* Another TAC, no IMEI, too short an IMEI: no TAC rule matches. */
	expect_device(e, IMEI_B, JITSIM_RAT_EUTRAN, NULL);
	expect_device(e, NULL, JITSIM_RAT_EUTRAN, NULL);
	expect_device(e, "3520990", JITSIM_RAT_EUTRAN, NULL);

	/* The data-only answer carries its flow and profile. */
	ev = ev_device(IMEI_A, JITSIM_RAT_EUTRAN_NB_IOT);
	assert_int_equal(jitsim_rules_device_lookup(e->r, &ev, &m), 0);
	assert_int_equal(m.flow, JITSIM_FLOW_DATA_ONLY);
	assert_string_equal(m.profile, "iot-data");
	assert_int_equal(m.tariff, 10);
	assert_false(m.is_default);

	/* A RAT-only rule. */
	d = dev("nr-any", 30, "5g", JITSIM_FLOW_VOICE);
	d.n_rat = 1;
	d.rat[0] = JITSIM_RAT_NR;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	expect_device(e, IMEI_B, JITSIM_RAT_NR, "nr-any");
	expect_device(e, NULL, JITSIM_RAT_NR, "nr-any");
	expect_device(e, IMEI_B, JITSIM_RAT_EUTRAN, NULL);

	/* The configured default when nothing matches. */
	d = dev("", 0, "standard", JITSIM_FLOW_VOICE);
	d.tariff = 7;
	assert_int_equal(jitsim_rules_set_default_device(e->r, &d, e->err, sizeof(e->err)), 0);
	ev = ev_device(IMEI_B, JITSIM_RAT_EUTRAN);
	assert_int_equal(jitsim_rules_device_lookup(e->r, &ev, &m), 0);
	assert_true(m.is_default);
	assert_string_equal(m.rule, "");
	assert_string_equal(m.profile, "standard");
	assert_int_equal(m.tariff, 7);
}

static void
test_priorities(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_device d, list[4];

	/* Added in the wrong order on purpose. */
	d = dev("catch-all", 100, "standard", JITSIM_FLOW_VOICE);
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	d = dev("wide", 50, "wide", JITSIM_FLOW_VOICE);
	d.has_tac = true;
	d.tac_from = 35000000;
	d.tac_to = 35999999;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	d = dev("narrow", 40, "narrow", JITSIM_FLOW_VOICE);
	d.has_tac = true;
	d.tac_from = 35209900;
	d.tac_to = 35209900;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);

	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN, "narrow");
	expect_device(e, "351234560000000", JITSIM_RAT_EUTRAN, "wide");
	expect_device(e, IMEI_B, JITSIM_RAT_EUTRAN, "catch-all");

	/* Replacing "narrow" with a lower priority (higher number) moves it
	 * behind "wide". */
	d.priority = 60;
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN, "wide");
	assert_int_equal(jitsim_rules_device_list(e->r, list, 4), 3);
	assert_string_equal(list[0].name, "wide");
	assert_string_equal(list[1].name, "narrow");
	assert_string_equal(list[2].name, "catch-all");

	/* Equal priorities: by name. */
	d = dev("a-first", 50, "x", JITSIM_FLOW_VOICE);
	assert_int_equal(jitsim_rules_device_add(e->r, &d, NULL, e->err, sizeof(e->err)), 0);
	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN, "a-first");

	assert_int_equal(jitsim_rules_device_remove(e->r, "a-first", NULL, e->err, sizeof(e->err)),
			 0);
	assert_int_equal(jitsim_rules_device_remove(e->r, "a-first", NULL, e->err, sizeof(e->err)),
			 -ENOENT);
	expect_device(e, IMEI_A, JITSIM_RAT_EUTRAN, "wide");
}

static void
commit(struct env *e, struct jitsim_store_batch *b)
{
	if (jitsim_store_commit(b, e->err, sizeof(e->err)) != 0)
		fail_msg("commit: %s", e->err);
	jitsim_store_batch_clear(b);
}

static void
put_meta(struct jitsim_store *s, const char *key, const void *val, size_t len)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	char err[256];

	jitsim_store_batch_put(b, JITSIM_CF_META, key, strlen(key), val, len);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static void
del_meta(struct jitsim_store *s, const char *key)
{
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	char err[256];

	jitsim_store_batch_del(b, JITSIM_CF_META, key, strlen(key));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static void
test_persistence(void **state)
{
	struct env *e = *state;
	struct jitsim_store *s = open_store(e);
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	struct jitsim_rules_device d, dl[4], dl2[4];
	struct jitsim_rules_visited vl[8];
	struct jitsim_rules_region gl[4];
	struct jitsim_rules_hlr hl[4];
	struct jitsim_rules_region_match m;
	struct jitsim_rules *r2;
	struct jitsim_event ev;
	uint8_t val[600];
	size_t vlen;

	base(e, b);
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "4477", 2, b);
	add_visited(e, JITSIM_RULES_M_PLMN, "23415", 1, b);
	add_visited(e, JITSIM_RULES_M_ORIGIN_HOST, ORIGIN_HOST, 3, b);
	d = dev("nbiot", 10, "iot-data", JITSIM_FLOW_DATA_ONLY);
	d.has_tac = true;
	d.tac_from = 35209900;
	d.tac_to = 35209999;
	d.n_rat = 1;
	d.rat[0] = JITSIM_RAT_EUTRAN_NB_IOT;
	snprintf(d.data_pool, sizeof(d.data_pool), "data-uk");
	assert_int_equal(jitsim_rules_device_add(e->r, &d, b, e->err, sizeof(e->err)), 0);
	commit(e, b);
	/* The documented keys. */
	assert_int_equal(
		jitsim_store_get(s, JITSIM_CF_META, "hlr/hlr-a", 9, val, sizeof(val), &vlen), 0);
	assert_int_equal(
		jitsim_store_get(s, JITSIM_CF_META, "region/00002", 12, val, sizeof(val), &vlen),
		0);
	assert_int_equal(
		jitsim_store_get(s, JITSIM_CF_META, "rule/v/gt/4477", 14, val, sizeof(val), &vlen),
		0);
	assert_int_equal(
		jitsim_store_get(s, JITSIM_CF_META, "rule/d/nbiot", 12, val, sizeof(val), &vlen),
		0);

	/* Reopen the store; a fresh set loads the same definitions. */
	jitsim_store_batch_free(b);
	jitsim_store_close(s);
	s = open_store(e);
	r2 = jitsim_rules_new();
	assert_non_null(r2);
	if (jitsim_rules_load(r2, s, e->err, sizeof(e->err)) != 0)
		fail_msg("load: %s", e->err);
	assert_int_equal(jitsim_rules_hlr_list(r2, hl, 4), 2);
	assert_string_equal(hl[0].name, "hlr-a");
	assert_string_equal(hl[1].address, "/var/spool/jitsim/hlr-b.jsonl");
	assert_int_equal(hl[1].id, 2);
	assert_int_equal(jitsim_rules_region_list(r2, gl, 4), 3);
	assert_string_equal(gl[1].name, "london");
	assert_string_equal(gl[1].pool, "pool-london");
	assert_int_equal(jitsim_rules_visited_list(r2, vl, 8), 3);
	assert_int_equal(jitsim_rules_device_list(r2, dl, 4), 1);
	assert_int_equal(jitsim_rules_device_list(e->r, dl2, 4), 1);
	assert_memory_equal(&dl[0], &dl2[0], sizeof(dl[0]));
	ev = ev_visited(JITSIM_EV_VIS_GT, "447712");
	assert_int_equal(jitsim_rules_region_lookup(r2, &ev, &m), 0);
	assert_int_equal(m.region, 2);
	ev = ev_visited(JITSIM_EV_VIS_NONE, NULL);
	ev.origin_hash = ORIGIN_HASH;
	assert_int_equal(jitsim_rules_region_lookup(r2, &ev, &m), 0);
	assert_int_equal(m.region, 3);

	/* Removals persist too. */
	b = jitsim_store_batch_new(s);
	assert_int_equal(jitsim_rules_visited_remove(r2, JITSIM_RULES_M_GT_PREFIX, "4477", b,
						     e->err, sizeof(e->err)),
			 0);
	assert_int_equal(jitsim_rules_region_remove(r2, 2, b, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_rules_hlr_remove(r2, "hlr-b", b, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_rules_device_remove(r2, "nbiot", b, e->err, sizeof(e->err)), 0);
	commit(e, b);
	jitsim_store_batch_free(b);
	assert_int_equal(jitsim_rules_load(e->r, s, e->err, sizeof(e->err)), 0);
	assert_int_equal(jitsim_rules_hlr_list(e->r, NULL, 0), 1);
	assert_int_equal(jitsim_rules_region_list(e->r, NULL, 0), 2);
	assert_int_equal(jitsim_rules_visited_list(e->r, NULL, 0), 2);
	assert_int_equal(jitsim_rules_device_list(e->r, NULL, 0), 0);

	/* Damaged values: refused with the key and the field, the set
	 * unchanged. */
	assert_int_equal(
		jitsim_store_get(s, JITSIM_CF_META, "region/00003", 12, val, sizeof(val), &vlen),
		0);
	put_meta(s, "region/00003", val, vlen - 3); /* cut inside "pool" */
	assert_int_equal(jitsim_rules_load(r2, s, e->err, sizeof(e->err)), -EBADMSG);
	assert_non_null(strstr(e->err, "region/00003"));
	assert_non_null(strstr(e->err, "pool"));
	assert_int_equal(jitsim_rules_region_list(r2, NULL, 0), 2);
	val[0] = 9; /* a newer encoding */
	put_meta(s, "region/00003", val, vlen);
	assert_int_equal(jitsim_rules_load(r2, s, e->err, sizeof(e->err)), -ENOTSUP);
	assert_non_null(strstr(e->err, "region/00003"));
	val[0] = 1;
	put_meta(s, "region/00003", val, vlen);
	/* A definition stored under another key. */
	put_meta(s, "region/00004", val, vlen);
	assert_int_equal(jitsim_rules_load(r2, s, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "region/00004"));
	del_meta(s, "region/00004");
	assert_int_equal(jitsim_rules_load(r2, s, e->err, sizeof(e->err)), 0);
	/* A dangling reference: a region whose hlr is gone. */
	del_meta(s, "hlr/hlr-a");
	assert_int_equal(jitsim_rules_load(r2, s, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "field hlr"));
	assert_non_null(strstr(e->err, "hlr-a"));
	assert_int_equal(jitsim_rules_hlr_list(r2, NULL, 0), 1);

	jitsim_rules_free(r2);
	jitsim_store_close(s);
}

static void
test_bad_definitions(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_hlr h = {.id = 5, .kind = JITSIM_HLR_HTTP};
	struct jitsim_rules_region g = {.id = 7};
	struct jitsim_rules_visited v = {.match = JITSIM_RULES_M_GT_PREFIX, .region = 1};
	struct jitsim_rules_device d;
	char *err = e->err;
	size_t el = sizeof(e->err);

	base(e, NULL);
	snprintf(h.name, sizeof(h.name), "bad name");
	snprintf(h.address, sizeof(h.address), "http://hlr/");
	EXPECT_BAD(jitsim_rules_hlr_add(e->r, &h, NULL, err, el), -EINVAL, "field name");
	snprintf(h.name, sizeof(h.name), "hlr-c");
	h.id = 0;
	EXPECT_BAD(jitsim_rules_hlr_add(e->r, &h, NULL, err, el), -EINVAL, "field id");
	h.id = 1; /* hlr-a's */
	EXPECT_BAD(jitsim_rules_hlr_add(e->r, &h, NULL, err, el), -EEXIST, "field id");
	h.id = 5;
	h.kind = 9;
	EXPECT_BAD(jitsim_rules_hlr_add(e->r, &h, NULL, err, el), -EINVAL, "field kind");
	h.kind = JITSIM_HLR_HTTP;
	snprintf(h.address, sizeof(h.address), "http://a b/");
	EXPECT_BAD(jitsim_rules_hlr_add(e->r, &h, NULL, err, el), -EINVAL, "field address");

	snprintf(g.name, sizeof(g.name), "eu");
	snprintf(g.hlr, sizeof(g.hlr), "nope");
	snprintf(g.pool, sizeof(g.pool), "pool-eu");
	EXPECT_BAD(jitsim_rules_region_add(e->r, &g, NULL, err, el), -ENOENT, "field hlr");
	snprintf(g.hlr, sizeof(g.hlr), "hlr-a");
	snprintf(g.name, sizeof(g.name), "uk"); /* region 1's */
	EXPECT_BAD(jitsim_rules_region_add(e->r, &g, NULL, err, el), -EEXIST, "field name");
	snprintf(g.name, sizeof(g.name), "eu");
	g.pool[0] = '\0';
	EXPECT_BAD(jitsim_rules_region_add(e->r, &g, NULL, err, el), -EINVAL, "field pool");

	snprintf(v.value, sizeof(v.value), "44a");
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -EINVAL, "field value");
	snprintf(v.value, sizeof(v.value), "12345678901234567"); /* 17 digits */
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -EINVAL, "field value");
	snprintf(v.value, sizeof(v.value), "44");
	v.region = 99;
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -ENOENT, "field region");
	v.region = 1;
	v.match = JITSIM_RULES_M_PLMN;
	snprintf(v.value, sizeof(v.value), "2341");
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -EINVAL, "field value");
	v.match = 7;
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -EINVAL, "field match");
	v.match = JITSIM_RULES_M_ORIGIN_HOST;
	snprintf(v.value, sizeof(v.value), "mme\x01.x");
	EXPECT_BAD(jitsim_rules_visited_add(e->r, &v, NULL, err, el), -EINVAL, "field value");

	d = dev("r1", 1, "p", JITSIM_FLOW_VOICE);
	d.has_tac = true;
	d.tac_from = 35209999;
	d.tac_to = 35209900;
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field tac_to");
	d.tac_from = 100000000;
	d.tac_to = 100000001;
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field tac_from");
	d.has_tac = false;
	d.n_rat = JITSIM_RULES_RAT_MAX + 1;
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field rat");
	d.n_rat = 0;
	d.flow = 3;
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field flow");
	d.flow = JITSIM_FLOW_VOICE;
	snprintf(d.data_pool, sizeof(d.data_pool), "data");
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field data_pool");
	d.data_pool[0] = '\0';
	d.profile[0] = '\0';
	EXPECT_BAD(jitsim_rules_device_add(e->r, &d, NULL, err, el), -EINVAL, "field profile");

	/* References hold: an hlr in use, a region in use. */
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "44", 1, NULL);
	EXPECT_BAD(jitsim_rules_hlr_remove(e->r, "hlr-b", NULL, err, el), -EBUSY, "region 2");
	EXPECT_BAD(jitsim_rules_region_remove(e->r, 1, NULL, err, el), -EBUSY, "gt_prefix 44");
	EXPECT_BAD(jitsim_rules_region_remove(e->r, 42, NULL, err, el), -ENOENT, "field id");

	/* Nothing of the above got in. */
	assert_int_equal(jitsim_rules_hlr_list(e->r, NULL, 0), 2);
	assert_int_equal(jitsim_rules_region_list(e->r, NULL, 0), 3);
	assert_int_equal(jitsim_rules_visited_list(e->r, NULL, 0), 1);
	assert_int_equal(jitsim_rules_device_list(e->r, NULL, 0), 0);
}

static void
json_bad(struct env *e, const char *text, int which, const char *field)
{
	json_error_t je;
	json_t *j = json_loads(text, 0, &je);
	union {
		struct jitsim_rules_hlr h;
		struct jitsim_rules_region g;
		struct jitsim_rules_visited v;
		struct jitsim_rules_device d;
	} u;
	int rc;

	if (j == NULL)
		fail_msg("test JSON: %s", je.text);
	e->err[0] = '\0';
	switch (which) {
	case 0:
		rc = jitsim_rules_hlr_from_json(j, &u.h, e->err, sizeof(e->err));
		break;
	case 1:
		rc = jitsim_rules_region_from_json(j, &u.g, e->err, sizeof(e->err));
		break;
	case 2:
		rc = jitsim_rules_visited_from_json(j, &u.v, e->err, sizeof(e->err));
		break;
	default:
		rc = jitsim_rules_device_from_json(j, &u.d, e->err, sizeof(e->err));
		break;
	}
	json_decref(j);
	assert_int_equal(rc, -EINVAL);
	if (strstr(e->err, field) == NULL)
		fail_msg("%s: '%s' does not name %s", text, e->err, field);
}

static void
test_json(void **state)
{
	struct env *e = *state;
	struct jitsim_rules_device d, d2;
	struct jitsim_rules_visited v;
	json_error_t je;
	json_t *j, *j2;

	j = json_loads("{\"name\":\"iot\",\"priority\":5,\"tac_from\":35209900,"
		       "\"tac_to\":35209999,\"rat\":[\"nb-iot\",1004,\"unknown\"],"
		       "\"profile\":\"iot-data\",\"tariff\":12,\"flow\":\"data_only\","
		       "\"data_pool\":\"data-uk\"}",
		       0, &je);
	assert_non_null(j);
	assert_int_equal(jitsim_rules_device_from_json(j, &d, e->err, sizeof(e->err)), 0);
	json_decref(j);
	assert_true(d.has_tac);
	assert_int_equal(d.tac_to, 35209999);
	assert_int_equal(d.n_rat, 3);
	assert_int_equal(d.rat[0], JITSIM_RAT_EUTRAN_NB_IOT);
	assert_int_equal(d.rat[1], JITSIM_RAT_EUTRAN);
	assert_int_equal(d.rat[2], JITSIM_RAT_UNKNOWN);
	assert_int_equal(d.flow, JITSIM_FLOW_DATA_ONLY);
	/* Round trip. */
	j2 = jitsim_rules_device_to_json(&d);
	assert_non_null(j2);
	assert_int_equal(jitsim_rules_device_from_json(j2, &d2, e->err, sizeof(e->err)), 0);
	json_decref(j2);
	assert_memory_equal(&d, &d2, sizeof(d));

	j = json_loads("{\"match\":\"origin_host\",\"value\":\"" ORIGIN_HOST "\",\"region\":3}", 0,
		       &je);
	assert_int_equal(jitsim_rules_visited_from_json(j, &v, e->err, sizeof(e->err)), 0);
	json_decref(j);
	assert_int_equal(v.match, JITSIM_RULES_M_ORIGIN_HOST);

	json_bad(e, "{\"name\":\"h\",\"id\":1,\"kind\":\"smtp\",\"address\":\"x\"}", 0, "kind");
	json_bad(e, "{\"name\":\"h\",\"id\":70000,\"kind\":\"http\",\"address\":\"x\"}", 0,
		 "field id");
	json_bad(e, "{\"name\":\"h\",\"id\":1,\"kind\":\"http\"}", 0, "field address: missing");
	json_bad(e, "{\"name\":\"h\",\"id\":1,\"kind\":\"http\",\"address\":\"x\",\"pw\":1}", 0,
		 "field pw: unknown");
	json_bad(e, "{\"id\":1,\"name\":7,\"hlr\":\"a\",\"pool\":\"p\"}", 1,
		 "field name: not a string");
	json_bad(e, "{\"id\":-1,\"name\":\"r\",\"hlr\":\"a\",\"pool\":\"p\"}", 1, "field id");
	json_bad(e, "{\"match\":\"gt\",\"value\":\"44\",\"region\":1}", 2, "field match");
	json_bad(e, "{\"match\":\"plmn\",\"value\":\"2341x\",\"region\":1}", 2, "field value");
	json_bad(e,
		 "{\"name\":\"d\",\"priority\":1,\"tac_from\":1,\"profile\":\"p\",\"tariff\":1,"
		 "\"flow\":\"voice\"}",
		 3, "tac_to");
	json_bad(e,
		 "{\"name\":\"d\",\"priority\":1,\"rat\":[\"lte\"],\"profile\":\"p\",\"tariff\":1,"
		 "\"flow\":\"voice\"}",
		 3, "field rat");
	json_bad(e,
		 "{\"name\":\"d\",\"priority\":1,\"profile\":\"p\",\"tariff\":1,\"flow\":\"sms\"}",
		 3, "field flow");
	json_bad(e, "[1,2]", 3, "object");
}

struct reader {
	struct jitsim_rules *r;
	atomic_bool stop;
	atomic_uint bad, lookups;
};

static void *
reader_main(void *arg)
{
	struct reader *rd = arg;
	struct jitsim_event ev = ev_visited(JITSIM_EV_VIS_VLR, "447700123");

	while (!atomic_load(&rd->stop)) {
		struct jitsim_rules_region_match m;
		int rc = jitsim_rules_region_lookup(rd->r, &ev, &m);

		/* Either rule "44" (region 1) or a longer one (2), never torn. */
		if (rc != 0 || (m.region != 1 && m.region != 2) ||
		    (m.region == 2 && strcmp(m.name, "london") != 0))
			atomic_fetch_add(&rd->bad, 1);
		atomic_fetch_add(&rd->lookups, 1);
	}
	return NULL;
}

/* Lookups from other threads while rules come and go. */
static void
test_concurrent_lookups(void **state)
{
	struct env *e = *state;
	struct reader rd = {.r = e->r};
	pthread_t thr[2];
	char prefix[16];

	base(e, NULL);
	add_visited(e, JITSIM_RULES_M_GT_PREFIX, "44", 1, NULL);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&thr[i], NULL, reader_main, &rd), 0);
	/* Readers running before the first change. */
	while (atomic_load(&rd.lookups) == 0)
		sched_yield();
	for (unsigned int i = 0; i < 1000; i++) {
		snprintf(prefix, sizeof(prefix), "4477%03u", i % 500);
		if (i < 500)
			add_visited(e, JITSIM_RULES_M_GT_PREFIX, prefix, 2, NULL);
		else
			assert_int_equal(jitsim_rules_visited_remove(e->r, JITSIM_RULES_M_GT_PREFIX,
								     prefix, NULL, e->err,
								     sizeof(e->err)),
					 0);
	}
	atomic_store(&rd.stop, true);
	for (int i = 0; i < 2; i++)
		pthread_join(thr[i], NULL);
	assert_int_equal(atomic_load(&rd.bad), 0);
	assert_int_equal(jitsim_rules_visited_list(e->r, NULL, 0), 1);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_gt_longest_prefix, setup, teardown),
		cmocka_unit_test_setup_teardown(test_plmn_exact_and_default, setup, teardown),
		cmocka_unit_test_setup_teardown(test_origin_host, setup, teardown),
		cmocka_unit_test_setup_teardown(test_origin_host_collision, setup, teardown),
		cmocka_unit_test_setup_teardown(test_tac_and_rat, setup, teardown),
		cmocka_unit_test_setup_teardown(test_priorities, setup, teardown),
		cmocka_unit_test_setup_teardown(test_persistence, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bad_definitions, setup, teardown),
		cmocka_unit_test_setup_teardown(test_json, setup, teardown),
		cmocka_unit_test_setup_teardown(test_concurrent_lookups, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
