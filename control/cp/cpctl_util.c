/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/digits.h>

#include "cpctl.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "mbox.h"
#include "store.h"

int
jitsim_cpctl_err(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

int
jitsim_cpctl_arg_u64(const json_t *args, const char *key, uint64_t max, uint64_t *out, char *err,
		     size_t errlen)
{
	const json_t *v = json_object_get(args, key);
	uint64_t x = 0;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_integer(v) && json_integer_value(v) >= 0) {
		x = (uint64_t)json_integer_value(v);
	} else if (json_is_string(v)) {
		const char *s = json_string_value(v);
		size_t n = strlen(s);

		if (n == 0 || n > 19 || strspn(s, "0123456789") != n)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: not a decimal number",
						key);
		x = strtoull(s, NULL, 10);
	} else {
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: not a number", key);
	}
	if (x > max)
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: more than %" PRIu64, key, max);
	*out = x;
	return 0;
}

int
jitsim_cpctl_arg_str(const json_t *args, const char *key, bool required, char *out, size_t cap,
		     char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, key);
	const char *s;
	size_t n;

	if (v == NULL || json_is_null(v)) {
		if (required)
			return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: required", key);
		return 0;
	}
	if (!json_is_string(v))
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: not a string", key);
	s = json_string_value(v);
	n = json_string_length(v);
	if (n == 0 || n >= cap)
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: 1..%zu characters", key,
					cap - 1);
	for (size_t i = 0; i < n; i++)
		if (s[i] < 0x20 || s[i] > 0x7e || s[i] == '"' || s[i] == '\\')
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"%s: printable ASCII without quotes or backslashes",
						key);
	memcpy(out, s, n + 1);
	return 0;
}

int
jitsim_cpctl_arg_digits(const json_t *args, const char *key, bool required, unsigned int min,
			unsigned int max, uint64_t *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, key);
	const char *s;
	size_t n;

	if (v == NULL || json_is_null(v)) {
		if (required)
			return jitsim_cpctl_err(err, errlen, -EINVAL,
						"%s: required, a string of digits", key);
		return 0;
	}
	if (!json_is_string(v))
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: a string of digits", key);
	s = json_string_value(v);
	n = strlen(s);
	if (n < min || n > max || strspn(s, "0123456789") != n)
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: %u..%u digits", key, min, max);
	*out = jitsim_digits_key_str(s);
	return 0;
}

int
jitsim_cpctl_arg_imsi(const json_t *args, uint64_t *imsi, char *err, size_t errlen)
{
	return jitsim_cpctl_arg_digits(args, "imsi", true, 5, 15, imsi, err, errlen);
}

int
jitsim_cpctl_arg_bool(const json_t *args, const char *key, bool *out, char *err, size_t errlen)
{
	const json_t *v = json_object_get(args, key);
	const char *s;

	if (v == NULL || json_is_null(v))
		return 0;
	if (json_is_boolean(v)) {
		*out = json_is_true(v);
		return 0;
	}
	s = json_is_string(v) ? json_string_value(v) : "";
	if (strcmp(s, "yes") == 0 || strcmp(s, "true") == 0) {
		*out = true;
		return 0;
	}
	if (strcmp(s, "no") == 0 || strcmp(s, "false") == 0) {
		*out = false;
		return 0;
	}
	return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: yes or no", key);
}

json_t *
jitsim_cpctl_digits(uint64_t key)
{
	char buf[JITSIM_DIGITS_MAX + 1];

	if (key == 0 || jitsim_digits_key_format(key, buf, sizeof(buf)) < 0)
		return json_null();
	return json_string(buf);
}

void
jitsim_cpctl_who(const struct jitsim_ctl_req *req, char *buf, size_t len)
{
	snprintf(buf, len, "uid:%u", (unsigned int)req->uid);
}

void
jitsim_cpctl_audit(struct jitsim_store_batch *b, const struct jitsim_ctl_req *req,
		   const char *fields)
{
	char who[32], all[1024];

	jitsim_cpctl_who(req, who, sizeof(who));
	snprintf(all, sizeof(all), "\"pid\":%d,\"gid\":%u%s%s", (int)req->pid,
		 (unsigned int)req->gid, fields != NULL && fields[0] != '\0' ? "," : "",
		 fields != NULL ? fields : "");
	jitsim_store_batch_audit(b, who, req->cmd, all);
}

int
jitsim_cpctl_call(struct jitsim_cpctl *c, int (*fn)(void *), void *arg)
{
	return jitsim_cp_mbox_call(c->mbox, fn, arg);
}

int
jitsim_cpctl_call_json(struct jitsim_cpctl *c, int (*fn)(void *), void *arg, json_t **made,
		       json_t **result, char *err, size_t errlen)
{
	int rc = jitsim_cpctl_call(c, fn, arg);

	if (rc == -ESHUTDOWN && err[0] == '\0')
		jitsim_cpctl_err(err, errlen, rc, "jitsim-cp is stopping");
	if (rc == 0)
		*result = *made;
	else
		json_decref(*made);
	*made = NULL;
	return rc;
}
