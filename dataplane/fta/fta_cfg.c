/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Configuration of the FTA verdict (contract in fta.h): defaults, point
 * code parsing, HLR addresses, validation. Setup code: runs before the
 * workers start, never on an lcore.
 */

#include <errno.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/sccp.h>

#include "fta.h"

/* ITU point code, Q.704 2.2.2: 14 bits, written 3-8-3 (zone.area.sp). */
#define FTA_PC_MAX 0x3fffu

void
jitsim_fta_cfg_default(struct jitsim_fta_cfg *c)
{
	memset(c, 0, sizeof(*c));
	c->own_ssn = JITSIM_SSN_HLR;
	c->ni = 2;
	c->gt_tt = 0;
	c->gt_np = 1;
	c->gt_nai = 4;
	c->locked_error = 1; /* unknownSubscriber, TS 29.002 17.6.6 */
	c->unknown = JITSIM_FTA_UNKNOWN_DROP;
}

/* Decimal 0..@max from [@s, @e), at least one digit. */
static int
parse_uint(const char *s, const char *e, unsigned int max, unsigned int *out)
{
	unsigned int v = 0;

	if (s == e)
		return -EINVAL;
	for (; s < e; s++) {
		if (*s < '0' || *s > '9')
			return -EINVAL;
		v = v * 10 + (unsigned int)(*s - '0');
		if (v > max)
			return -EINVAL;
	}
	*out = v;
	return 0;
}

int
jitsim_fta_pc_parse(const char *s, uint16_t *pc)
{
	const char *d1, *d2;
	unsigned int z, a, p;

	if (s == NULL)
		return -EINVAL;
	d1 = strchr(s, '.');
	if (d1 == NULL) {
		if (parse_uint(s, s + strlen(s), FTA_PC_MAX, &p) < 0)
			return -EINVAL;
		*pc = (uint16_t)p;
		return 0;
	}
	d2 = strchr(d1 + 1, '.');
	if (d2 == NULL || parse_uint(s, d1, 7, &z) < 0 || parse_uint(d1 + 1, d2, 255, &a) < 0 ||
	    parse_uint(d2 + 1, d2 + 1 + strlen(d2 + 1), 7, &p) < 0)
		return -EINVAL;
	*pc = (uint16_t)(z << 11 | a << 3 | p);
	return 0;
}

int
jitsim_fta_pc_format(uint16_t pc, char *buf, size_t size)
{
	return snprintf(buf, size, "%u.%u.%u", (pc >> 11) & 7u, (pc >> 3) & 0xffu, pc & 7u);
}

/* 1..JITSIM_DIGITS_MAX decimal digits (what a GT carries here). */
static int
gt_set(struct jitsim_digits *d, const char *gt)
{
	size_t n;

	if (gt == NULL || gt[0] == '\0') {
		memset(d, 0, sizeof(*d));
		return 0;
	}
	n = strlen(gt);
	if (n > JITSIM_DIGITS_MAX || strspn(gt, "0123456789") != n)
		return -EINVAL;
	jitsim_digits_set(d, gt);
	return 0;
}

int
jitsim_fta_hlr_set(struct jitsim_fta_hlr *dst, uint16_t pc, uint8_t ssn, const char *gt)
{
	struct jitsim_fta_hlr h;

	memset(&h, 0, sizeof(h));
	if (pc > FTA_PC_MAX || gt_set(&h.gt, gt) < 0)
		return -EINVAL;
	h.set = true;
	h.pc = pc;
	h.ssn = ssn != 0 ? ssn : JITSIM_SSN_HLR;
	*dst = h;
	return 0;
}

int
jitsim_fta_cfg_set_region(struct jitsim_fta_cfg *c, unsigned int region, uint16_t pc, uint8_t ssn,
			  const char *gt)
{
	if (region >= JITSIM_FTA_REGIONS)
		return -EINVAL;
	return jitsim_fta_hlr_set(&c->hlr[region], pc, ssn, gt);
}

int
jitsim_fta_cfg_set_own_gt(struct jitsim_fta_cfg *c, const char *gt)
{
	return gt_set(&c->own_gt, gt);
}

/* A GT as the workers write it: decimal digits only (a struct filled by
 * hand bypasses gt_set()). */
static bool
gt_ok(const struct jitsim_digits *d)
{
	if (d->n > JITSIM_DIGITS_MAX)
		return false;
	for (unsigned int i = 0; i < d->n; i++)
		if (d->d[i] < '0' || d->d[i] > '9')
			return false;
	return true;
}

static bool
gt_same(const struct jitsim_digits *a, const struct jitsim_digits *b)
{
	return a->n > 0 && a->n == b->n && memcmp(a->d, b->d, a->n) == 0;
}

static int
fail(char *err, size_t errlen, const char *msg, unsigned int region)
{
	if (err != NULL && errlen > 0) {
		if (region < JITSIM_FTA_REGIONS)
			snprintf(err, errlen, "fta: region %u: %s", region, msg);
		else
			snprintf(err, errlen, "fta: %s", msg);
	}
	return -EINVAL;
}

int
jitsim_fta_cfg_check(const struct jitsim_fta_cfg *c, char *err, size_t errlen)
{
	const unsigned int none = JITSIM_FTA_REGIONS;

	if (c->own_pc == 0 || c->own_pc > FTA_PC_MAX)
		return fail(err, errlen, "own_pc must be an ITU point code 1..16383", none);
	if (c->own_ssn == 0)
		return fail(err, errlen, "own_ssn must not be 0", none);
	if (c->ni > 3)
		return fail(err, errlen, "ni must be 0..3", none);
	if (c->gt_np > 15 || c->gt_nai > 127)
		return fail(err, errlen, "gt_np must be 0..15 and gt_nai 0..127", none);
	if (!gt_ok(&c->own_gt))
		return fail(err, errlen, "own_gt must be decimal digits", none);
	if (c->unknown != JITSIM_FTA_UNKNOWN_DROP && c->unknown != JITSIM_FTA_UNKNOWN_RELAY)
		return fail(err, errlen, "unknown must be drop or relay", none);
	if (c->unknown == JITSIM_FTA_UNKNOWN_RELAY && !c->default_hlr.set)
		return fail(err, errlen, "unknown = relay needs default_hlr", none);
	if (c->has_default_route &&
	    (c->default_route == c->own_pc || c->default_route > FTA_PC_MAX))
		return fail(err, errlen, "default_route must be a point code other than own_pc",
			    none);
	/* Relaying to ourselves would loop until the XUDT hop counter (or, for
	 * UDT, forever). */
	if (c->default_hlr.set &&
	    (c->default_hlr.pc == c->own_pc || c->default_hlr.pc > FTA_PC_MAX ||
	     c->default_hlr.ssn == 0 || !gt_ok(&c->default_hlr.gt) ||
	     gt_same(&c->default_hlr.gt, &c->own_gt)))
		return fail(err, errlen,
			    "default_hlr must have a pc other than own_pc, an ssn and a decimal gt "
			    "other than own_gt",
			    none);
	for (unsigned int r = 0; r < JITSIM_FTA_REGIONS; r++) {
		const struct jitsim_fta_hlr *h = &c->hlr[r];

		if (!h->set)
			continue;
		if (h->pc == c->own_pc || h->pc > FTA_PC_MAX)
			return fail(err, errlen, "hlr pc must be a point code other than own_pc",
				    r);
		if (h->ssn == 0 || !gt_ok(&h->gt))
			return fail(err, errlen, "hlr needs an ssn and a decimal gt", r);
		if (gt_same(&h->gt, &c->own_gt))
			return fail(err, errlen, "hlr gt is own_gt", r);
	}
	return 0;
}
