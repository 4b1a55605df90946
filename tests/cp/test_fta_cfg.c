/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * [fta] of jitsim-cp (control/cp/fta_cfg.c): defaults, point codes in
 * both notations, every key's range, the cross-key check, and that each
 * refusal names the section and the key.
 */

#include <errno.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include "fta.h"

static void
test_fta_pc(void **state)
{
	uint16_t pc = 0;

	(void)state;
	assert_int_equal(jitsim_cp_fta_parse_pc("0.23.2", &pc), 0);
	assert_int_equal(pc, 186);
	assert_int_equal(jitsim_cp_fta_parse_pc("7.255.7", &pc), 0);
	assert_int_equal(pc, 16383);
	assert_int_equal(jitsim_cp_fta_parse_pc("186", &pc), 0);
	assert_int_equal(pc, 186);
	assert_int_equal(jitsim_cp_fta_parse_pc("16383", &pc), 0);
	assert_int_equal(pc, 16383);
	static const char *const bad[] = {
		"16384", "8.0.0", "0.256.0", "0.0.8", "0.23", "0.23.2.1", "",
		"-1",	 "a.b.c", "0..2",    "1e3",   " 186", "0.23.2 ",  "00000000000000000.1.1"};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++)
		assert_int_equal(jitsim_cp_fta_parse_pc(bad[i], &pc), -EINVAL);
}

static void
test_fta_cfg_keys(void **state)
{
	struct jitsim_cp_fta_cfg c;
	char err[256];

	(void)state;
	jitsim_cp_fta_cfg_init(&c);
	assert_false(c.enable);
	assert_int_equal(c.own_ssn, 6);
	assert_int_equal(c.ul_timeout_s, 10);
	assert_int_equal(c.handover_delay_s, 2);
	assert_int_equal(c.max_dialogues, 65536);
	assert_int_equal(c.isd_category, 10);
	/* Disabled: nothing is required. */
	assert_int_equal(jitsim_cp_fta_cfg_check(&c, err, sizeof(err)), 0);

	/* The section turns it on: with no SS7 identity at all, S6a only. */
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "handover_delay", "0", err, sizeof(err)), 0);
	assert_true(c.enable);
	assert_int_equal(c.handover_delay_s, 0);
	assert_int_equal(jitsim_cp_fta_cfg_check(&c, err, sizeof(err)), 0);
	/* One SS7 identity: own_pc and own_gt are then required. */
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "own_gt", "447700000999", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[fta] own_pc"));
	c.own_gt[0] = '\0';
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "own_pc", "0.23.2", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_check(&c, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[fta] own_gt"));
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "own_gt", "447700000999", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_check(&c, err, sizeof(err)), 0);
	assert_int_equal(c.own_pc, 186);

	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "own_ssn", "7", err, sizeof(err)), 0);
	assert_int_equal(c.own_ssn, 7);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "hlr_number", "4477000001", err, sizeof(err)),
			 0);
	assert_string_equal(c.hlr_number, "4477000001");
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "max_dialogues", "16", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "apn", "internet.example", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "apn", "*", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "enable", "no", err, sizeof(err)), 0);
	assert_false(c.enable);

	static const struct {
		const char *k, *v;
	} bad[] = {
		{"own_pc", "16384"},	 {"own_gt", "44a7"},
		{"own_gt", ""},		 {"own_gt", "12345678901234567"},
		{"own_ssn", "1"},	 {"own_ssn", "255"},
		{"hlr_number", "+44"},	 {"ul_timeout", "0"},
		{"ul_timeout", "31"},	 {"handover_delay", "3601"},
		{"max_dialogues", "15"}, {"max_dialogues", "1048577"},
		{"isd_category", "256"}, {"apn", "a..b"},
		{"apn", ".a"},		 {"apn", "a_b"},
		{"enable", "true"},	 {"bogus", "1"},
	};
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		err[0] = '\0';
		assert_int_equal(jitsim_cp_fta_cfg_set(&c, bad[i].k, bad[i].v, err, sizeof(err)),
				 -EINVAL);
		/* Each refusal names its key. */
		assert_non_null(strstr(err, bad[i].k));
		assert_non_null(strstr(err, "[fta]"));
	}
}

/* s6a_KEY.TARIFF: the tariff's own subscription keys over the global ones. */
static void
test_s6a_tariff(void **state)
{
	struct jitsim_cp_fta_cfg c;
	struct jitsim_cp_fta_s6a_profile p;
	char err[256];

	(void)state;
	jitsim_cp_fta_cfg_init(&c);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_apn", "internet", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_apn.7", "iot.example", err, sizeof(err)),
			 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_ambr_dl.7", "256000", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_qci.9", "7", err, sizeof(err)), 0);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_pdn_type.9", "ipv4v6", err, sizeof(err)),
			 0);
	assert_int_equal(c.n_s6a_profile, 2);

	jitsim_cp_fta_s6a_profile_of(&c, 7, &p);
	assert_string_equal(p.apn, "iot.example");
	assert_int_equal(p.ambr_dl, 256000);
	assert_int_equal(p.ambr_ul, c.s6a_ambr_ul); /* not given: the global one */
	assert_int_equal(p.qci, c.s6a_qci);
	jitsim_cp_fta_s6a_profile_of(&c, 9, &p);
	assert_string_equal(p.apn, "internet");
	assert_int_equal(p.qci, 7);
	assert_int_equal(p.pdn_type, 2);
	jitsim_cp_fta_s6a_profile_of(&c, 1, &p); /* no profile: the globals */
	assert_string_equal(p.apn, "internet");
	assert_int_equal(p.set, 0);

	/* Bad values and keys name the key. */
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_qci.7", "0", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "s6a_qci"));
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_apn.x", "a", err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "[fta] s6a_apn.x"));
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_apn.70000", "a", err, sizeof(err)),
			 -EINVAL);
	assert_int_equal(jitsim_cp_fta_cfg_set(&c, "s6a_origin_host.7", "h", err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "unknown key"));
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_s6a_tariff),
		cmocka_unit_test(test_fta_pc),
		cmocka_unit_test(test_fta_cfg_keys),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
