/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <ctype.h>
#include <errno.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdlib.h>
#include <string.h>

#include "ctl_print.h"

/* Replace C0 controls and DEL: terminal escapes must not pass through. */
static void
ctl_sanitize(char *s)
{
	for (; *s != '\0'; s++)
		if ((unsigned char)*s < 0x20 || *s == 0x7f)
			*s = '?';
}

/* Display width in code points (UTF-8 continuation bytes do not count;
 * wide characters count as one, an accepted misalignment). */
static size_t
ctl_width(const char *s)
{
	size_t w = 0;

	for (; *s != '\0'; s++)
		if (((unsigned char)*s & 0xc0) != 0x80)
			w++;
	return w;
}

/* Text of one value: strings as they are, null as "-", the rest as
 * compact JSON. NULL on allocation failure. */
static char *
ctl_cell(const json_t *v)
{
	char *s;

	if (v == NULL || json_is_null(v))
		s = strdup("-");
	else if (json_is_string(v))
		s = strdup(json_string_value(v));
	else
		s = json_dumps(v, JSON_COMPACT | JSON_ENCODE_ANY);
	if (s != NULL)
		ctl_sanitize(s);
	return s;
}

static bool
ctl_is_flat(const json_t *o)
{
	/* jansson's iteration macros take non-const objects; nothing is changed. */
	json_t *obj = (json_t *)(uintptr_t)o;
	const char *k;
	json_t *v;

	if (!json_is_object(o) || json_object_size(o) == 0)
		return false;
	json_object_foreach(obj, k, v)
	{
		(void)k;
		if (json_is_object(v) || json_is_array(v))
			return false;
	}
	return true;
}

static bool
ctl_is_table(const json_t *a)
{
	size_t i;
	json_t *v;

	if (!json_is_array(a) || json_array_size(a) == 0)
		return false;
	json_array_foreach(a, i, v)
	{
		if (!ctl_is_flat(v))
			return false;
	}
	return true;
}

static void
ctl_pad(FILE *f, size_t n)
{
	while (n-- > 0)
		fputc(' ', f);
}

/* Columns are the first row's keys, in its order; keys only later rows
 * have are not shown (the --json output has everything). */
static int
ctl_table(FILE *f, const json_t *rows, int indent)
{
	const json_t *first = json_array_get(rows, 0);
	size_t nrows = json_array_size(rows), ncols = json_object_size(first);
	const char **keys = calloc(ncols, sizeof(*keys));
	size_t *width = calloc(ncols, sizeof(*width));
	char **cells = calloc(nrows * ncols, sizeof(*cells));
	json_t *obj = (json_t *)(uintptr_t)first;
	int rc = -ENOMEM;
	size_t c = 0, r;
	const char *k;
	json_t *v;

	if (keys == NULL || width == NULL || cells == NULL)
		goto free_all;
	json_object_foreach(obj, k, v)
	{
		(void)v;
		keys[c] = k;
		width[c] = ctl_width(k);
		c++;
	}
	for (r = 0; r < nrows; r++) {
		const json_t *row = json_array_get(rows, r);

		for (c = 0; c < ncols; c++) {
			char *s = ctl_cell(json_object_get(row, keys[c]));

			if (s == NULL)
				goto free_all;
			cells[r * ncols + c] = s;
			if (ctl_width(s) > width[c])
				width[c] = ctl_width(s);
		}
	}
	ctl_pad(f, (size_t)indent);
	for (c = 0; c < ncols; c++) {
		for (const char *p = keys[c]; *p != '\0'; p++)
			fputc((unsigned char)*p < 0x20 ? '?' : toupper((unsigned char)*p), f);
		if (c + 1 < ncols)
			ctl_pad(f, width[c] - ctl_width(keys[c]) + 2);
	}
	fputc('\n', f);
	for (r = 0; r < nrows; r++) {
		ctl_pad(f, (size_t)indent);
		for (c = 0; c < ncols; c++) {
			const char *s = cells[r * ncols + c];

			fputs(s, f);
			if (c + 1 < ncols)
				ctl_pad(f, width[c] - ctl_width(s) + 2);
		}
		fputc('\n', f);
	}
	rc = 0;
free_all:
	if (cells != NULL)
		for (size_t i = 0; i < nrows * ncols; i++)
			free(cells[i]);
	free(cells);
	free(width);
	free(keys);
	return rc;
}

static int
ctl_object(FILE *f, const json_t *o, int indent)
{
	json_t *obj = (json_t *)(uintptr_t)o;
	size_t kw = 0;
	const char *k;
	json_t *v;
	int rc;

	json_object_foreach(obj, k, v)
	{
		if (ctl_width(k) > kw)
			kw = ctl_width(k);
	}
	json_object_foreach(obj, k, v)
	{
		char *key = strdup(k), *s;

		if (key == NULL)
			return -ENOMEM;
		ctl_sanitize(key);
		ctl_pad(f, (size_t)indent);
		if (ctl_is_table(v) || (json_is_object(v) && json_object_size(v) > 0)) {
			fprintf(f, "%s:\n", key);
			free(key);
			rc = json_is_object(v) ? ctl_object(f, v, indent + 2)
					       : ctl_table(f, v, indent + 2);
			if (rc < 0)
				return rc;
			continue;
		}
		s = ctl_cell(v);
		if (s == NULL) {
			free(key);
			return -ENOMEM;
		}
		fprintf(f, "%s:", key);
		ctl_pad(f, kw - ctl_width(key) + 1);
		fprintf(f, "%s\n", s);
		free(key);
		free(s);
	}
	return 0;
}

int
jitsim_ctl_print_human(FILE *f, const json_t *result)
{
	size_t i;
	json_t *v;
	int rc = 0;

	if (result == NULL || json_is_null(result))
		return 0;
	if (ctl_is_table(result)) {
		rc = ctl_table(f, result, 0);
	} else if (json_is_object(result)) {
		rc = ctl_object(f, result, 0);
	} else if (json_is_array(result)) {
		if (json_array_size(result) == 0)
			fputs("(none)\n", f);
		json_array_foreach(result, i, v)
		{
			if (json_is_object(v) && json_object_size(v) > 0) {
				if (i > 0)
					fputc('\n', f);
				rc = ctl_object(f, v, 0);
			} else {
				char *s = ctl_cell(v);

				if (s == NULL)
					return -ENOMEM;
				fprintf(f, "%s\n", s);
				free(s);
			}
			if (rc < 0)
				break;
		}
	} else {
		char *s = ctl_cell(result);

		if (s == NULL)
			return -ENOMEM;
		fprintf(f, "%s\n", s);
		free(s);
	}
	if (rc == 0 && ferror(f))
		rc = -EIO;
	return rc;
}

int
jitsim_ctl_print_json(FILE *f, const json_t *result)
{
	if (json_dumpf(result, f, JSON_INDENT(2) | JSON_ENCODE_ANY) != 0)
		return -EIO;
	fputc('\n', f);
	return ferror(f) ? -EIO : 0;
}
