/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <jitsim/proto/reason.h>

static const char *const reason_text[JITSIM_R_MAX] = {
#define JITSIM_REASON_TEXT_(name, text) [JITSIM_R_##name] = text,
	JITSIM_REASONS(JITSIM_REASON_TEXT_)
#undef JITSIM_REASON_TEXT_
};

static const char *const reason_name[JITSIM_R_MAX] = {
#define JITSIM_REASON_NAME_(name, text) [JITSIM_R_##name] = #name,
	JITSIM_REASONS(JITSIM_REASON_NAME_)
#undef JITSIM_REASON_NAME_
};

const char *
jitsim_proto_strerror(enum jitsim_reason r)
{
	if ((unsigned int)r >= JITSIM_R_MAX)
		return "unknown reason";
	return reason_text[r];
}

const char *
jitsim_reason_str(enum jitsim_reason r)
{
	if ((unsigned int)r >= JITSIM_R_MAX)
		return "UNKNOWN";
	return reason_name[r];
}
