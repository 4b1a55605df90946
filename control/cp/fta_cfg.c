/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * [fta] of jitsim-cp's configuration (fta.h; docs/operator-guide.md).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "fta.h"

static int __attribute__((format(printf, 3, 4)))
fta_errf(char *err, size_t errlen, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return -EINVAL;
}

void
jitsim_cp_fta_cfg_init(struct jitsim_cp_fta_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->own_ssn = 6; /* HLR (TS 23.003 annex C) */
	c->ul_timeout_s = 10;
	c->handover_delay_s = 2;
	c->max_dialogues = 65536;
	c->isd_category = 10; /* ordinary calling subscriber (ITU-T Q.763 3.11) */
}

/* Decimal 0..@max, nothing else. */
static int
fta_uint(const char *v, unsigned long max, unsigned long *out)
{
	char *end;
	unsigned long x;

	if (*v < '0' || *v > '9')
		return -EINVAL;
	errno = 0;
	x = strtoul(v, &end, 10);
	if (errno != 0 || *end != '\0' || x > max)
		return -EINVAL;
	*out = x;
	return 0;
}

int
jitsim_cp_fta_parse_pc(const char *v, uint16_t *pc)
{
	unsigned long a, b, c;
	char buf[16];
	char *p1, *p2;

	if (strchr(v, '.') == NULL) {
		if (fta_uint(v, 0x3fff, &a) != 0)
			return -EINVAL;
		*pc = (uint16_t)a;
		return 0;
	}
	/* ITU 3-8-3: zone.area.signalling point (Q.708). */
	if (strlen(v) >= sizeof(buf))
		return -EINVAL;
	snprintf(buf, sizeof(buf), "%s", v);
	p1 = strchr(buf, '.');
	*p1++ = '\0';
	p2 = strchr(p1, '.');
	if (p2 == NULL)
		return -EINVAL;
	*p2++ = '\0';
	if (fta_uint(buf, 7, &a) != 0 || fta_uint(p1, 255, &b) != 0 || fta_uint(p2, 7, &c) != 0)
		return -EINVAL;
	*pc = (uint16_t)(a << 11 | b << 3 | c);
	return 0;
}

/* E.164 digits, 1..JITSIM_CP_FTA_GT_MAX. */
static int
fta_set_digits(char *dst, const char *v, const char *k, char *err, size_t el)
{
	size_t n = strlen(v);

	if (n == 0 || n > JITSIM_CP_FTA_GT_MAX || strspn(v, "0123456789") != n)
		return fta_errf(err, el, "[fta] %s: '%s' is not 1..%u digits", k, v,
				JITSIM_CP_FTA_GT_MAX);
	memcpy(dst, v, n + 1);
	return 0;
}

/* APN network identifier (TS 23.003 9.1): labels of A-Z a-z 0-9 -,
 * separated by dots, or "*" (wildcard). */
static bool
fta_apn_ok(const char *v)
{
	size_t n = strlen(v), label = 0;

	if (strcmp(v, "*") == 0)
		return true;
	if (n == 0 || n > JITSIM_CP_FTA_APN_MAX || v[0] == '.' || v[n - 1] == '.')
		return false;
	for (size_t i = 0; i < n; i++) {
		char ch = v[i];

		if (ch == '.') {
			if (label == 0)
				return false;
			label = 0;
			continue;
		}
		if (!((ch >= 'a' && ch <= 'z') || (ch >= 'A' && ch <= 'Z') ||
		      (ch >= '0' && ch <= '9') || ch == '-') ||
		    ++label > 63)
			return false;
	}
	return true;
}

int
jitsim_cp_fta_cfg_set(struct jitsim_cp_fta_cfg *c, const char *k, const char *v, char *err,
		      size_t el)
{
	unsigned long x = 0;

	if (!c->present) {
		c->present = true;
		if (!c->enable_set)
			c->enable = true;
	}
	if (strcmp(k, "enable") == 0) {
		if (strcmp(v, "yes") != 0 && strcmp(v, "no") != 0)
			return fta_errf(err, el, "[fta] enable: '%s' (yes or no)", v);
		c->enable = strcmp(v, "yes") == 0;
		c->enable_set = true;
		return 0;
	}
	if (strcmp(k, "own_pc") == 0) {
		if (jitsim_cp_fta_parse_pc(v, &c->own_pc) != 0)
			return fta_errf(err, el,
					"[fta] own_pc: '%s' is not an ITU point code (0..16383 or "
					"zone.area.point as 0-7.0-255.0-7)",
					v);
		return 0;
	}
	if (strcmp(k, "own_gt") == 0)
		return fta_set_digits(c->own_gt, v, k, err, el);
	if (strcmp(k, "hlr_number") == 0)
		return fta_set_digits(c->hlr_number, v, k, err, el);
	if (strcmp(k, "own_ssn") == 0) {
		/* 0 is "unknown", 1 SCCP management (Q.713 3.4.2.2). */
		if (fta_uint(v, 254, &x) != 0 || x < 2)
			return fta_errf(err, el, "[fta] own_ssn: '%s' is not a number in 2..254",
					v);
		c->own_ssn = (uint8_t)x;
		return 0;
	}
	if (strcmp(k, "ul_timeout") == 0) {
		/* Below the VLR's own UL timer (TS 29.002 17.6.1: medium, 30 s). */
		if (fta_uint(v, 30, &x) != 0 || x < 1)
			return fta_errf(err, el, "[fta] ul_timeout: '%s' is not seconds in 1..30",
					v);
		c->ul_timeout_s = (unsigned int)x;
		return 0;
	}
	if (strcmp(k, "handover_delay") == 0) {
		if (fta_uint(v, 3600, &x) != 0)
			return fta_errf(err, el,
					"[fta] handover_delay: '%s' is not seconds in 0..3600", v);
		c->handover_delay_s = (unsigned int)x;
		return 0;
	}
	if (strcmp(k, "max_dialogues") == 0) {
		if (fta_uint(v, JITSIM_CP_FTA_DLG_MAX, &x) != 0 || x < 16)
			return fta_errf(err, el,
					"[fta] max_dialogues: '%s' is not a number in 16..%u", v,
					JITSIM_CP_FTA_DLG_MAX);
		c->max_dialogues = (unsigned int)x;
		return 0;
	}
	if (strcmp(k, "isd_category") == 0) {
		if (fta_uint(v, 255, &x) != 0)
			return fta_errf(err, el,
					"[fta] isd_category: '%s' is not a number in 0..255", v);
		c->isd_category = (uint8_t)x;
		return 0;
	}
	if (strcmp(k, "apn") == 0) {
		if (!fta_apn_ok(v))
			return fta_errf(err, el,
					"[fta] apn: '%s' is not an APN (labels of A-Z a-z 0-9 - "
					"joined by dots, at most %u characters) or *",
					v, JITSIM_CP_FTA_APN_MAX);
		snprintf(c->apn, sizeof(c->apn), "%s", v);
		return 0;
	}
	return fta_errf(err, el, "unknown key '%s' in section [fta]", k);
}

int
jitsim_cp_fta_cfg_check(const struct jitsim_cp_fta_cfg *c, char *err, size_t el)
{
	if (!c->enable)
		return 0;
	if (c->own_pc == 0)
		return fta_errf(err, el, "[fta] own_pc: required when the FTA endpoint is enabled");
	if (c->own_gt[0] == '\0' && c->hlr_number[0] == '\0')
		return fta_errf(err, el,
				"[fta] own_gt: required (or hlr_number): the UL result names "
				"the HLR number");
	return 0;
}
