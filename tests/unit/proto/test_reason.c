/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <cmocka.h>

#include <jitsim/proto/reason.h>

/* Every reason has a distinct symbolic name and a non-empty text. */
static void
test_names_unique(void **state)
{
	(void)state;
	for (int i = 0; i < JITSIM_R_MAX; i++) {
		assert_true(strlen(jitsim_proto_strerror(i)) > 0);
		for (int j = i + 1; j < JITSIM_R_MAX; j++)
			assert_string_not_equal(jitsim_reason_str(i), jitsim_reason_str(j));
	}
	assert_string_equal(jitsim_reason_str(JITSIM_R_TRUNCATED), "TRUNCATED");
}

static void
test_out_of_range(void **state)
{
	(void)state;
	assert_string_equal(jitsim_proto_strerror(JITSIM_R_MAX), "unknown reason");
	assert_string_equal(jitsim_reason_str((enum jitsim_reason) - 1), "UNKNOWN");
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names_unique),
		cmocka_unit_test(test_out_of_range),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
