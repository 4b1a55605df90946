/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * [fta] of jitsim-cp's configuration (fta.h; docs/operator-guide.md).
 */

#include <errno.h>
#include <stdint.h>
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
	/* The example identity of jitsim-dp's [diameter] (docs/diameter.md). */
	snprintf(c->s6a_origin_host, sizeof(c->s6a_origin_host), "hss.jitsim.example");
	snprintf(c->s6a_origin_realm, sizeof(c->s6a_origin_realm), "jitsim.example");
	snprintf(c->s6a_apn, sizeof(c->s6a_apn), "internet");
	c->s6a_ambr_ul = 50000000;
	c->s6a_ambr_dl = 100000000;
	c->s6a_qci = 9; /* TS 23.203 Table 6.1.7: best-effort default bearer */
	c->s6a_pdn_type = 0;
	c->s6a_nam = 0;
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

/* DiameterIdentity (RFC 6733 4.3.1, an FQDN): labels of A-Z a-z 0-9 -
 * joined by dots. */
static bool
fta_diam_id_ok(const char *v)
{
	size_t n = strlen(v);

	if (n == 0 || n > JITSIM_CP_FTA_DIAM_ID_MAX || v[0] == '.' || v[n - 1] == '.' ||
	    strstr(v, "..") != NULL)
		return false;
	return strspn(v, "abcdefghijklmnopqrstuvwxyzABCDEFGHIJKLMNOPQRSTUVWXYZ0123456789-.") == n;
}

static int fta_cfg_set_s6a(struct jitsim_cp_fta_cfg *c, const char *k, const char *v, char *err,
			   size_t el);

/* "s6a_KEY.TARIFF": the subscription key KEY for SIMs of that tariff
 * only. 1: not such a key. */
static int
fta_cfg_set_s6a_tariff(struct jitsim_cp_fta_cfg *c, const char *k, const char *v, char *err,
		       size_t el)
{
	static const char *const keys[] = {
		[JITSIM_CP_FTA_P_APN] = "s6a_apn",
		[JITSIM_CP_FTA_P_AMBR_UL] = "s6a_ambr_ul",
		[JITSIM_CP_FTA_P_AMBR_DL] = "s6a_ambr_dl",
		[JITSIM_CP_FTA_P_QCI] = "s6a_qci",
		[JITSIM_CP_FTA_P_PDN_TYPE] = "s6a_pdn_type",
	};
	const char *dot = strchr(k, '.');
	struct jitsim_cp_fta_s6a_profile *pr = NULL;
	struct jitsim_cp_fta_cfg tmp;
	unsigned long tariff;
	unsigned int f, i;
	char base[16];
	int rc;

	if (dot == NULL || (size_t)(dot - k) >= sizeof(base))
		return 1;
	memcpy(base, k, (size_t)(dot - k));
	base[dot - k] = '\0';
	for (f = 0; f < sizeof(keys) / sizeof(keys[0]); f++)
		if (strcmp(base, keys[f]) == 0)
			break;
	if (f == sizeof(keys) / sizeof(keys[0]))
		return 1;
	if (fta_uint(dot + 1, UINT16_MAX, &tariff) != 0)
		return fta_errf(err, el, "[fta] %s: '%s' after the dot is not a tariff (0..65535)",
				k, dot + 1);
	/* Parsed as the global key (same checks, same words), kept aside. */
	tmp = *c;
	rc = fta_cfg_set_s6a(&tmp, base, v, err, el);
	if (rc != 0)
		return rc;
	for (i = 0; i < c->n_s6a_profile; i++)
		if (c->s6a_profile[i].tariff == tariff)
			pr = &c->s6a_profile[i];
	if (pr == NULL) {
		if (c->n_s6a_profile == JITSIM_CP_FTA_PROFILE_MAX)
			return fta_errf(err, el, "[fta] %s: more than %u tariffs with S6a keys", k,
					JITSIM_CP_FTA_PROFILE_MAX);
		pr = &c->s6a_profile[c->n_s6a_profile++];
		memset(pr, 0, sizeof(*pr));
		pr->tariff = (uint16_t)tariff;
	}
	pr->set |= (uint8_t)(1u << f);
	switch (f) {
	case JITSIM_CP_FTA_P_APN:
		snprintf(pr->apn, sizeof(pr->apn), "%s", tmp.s6a_apn);
		break;
	case JITSIM_CP_FTA_P_AMBR_UL:
		pr->ambr_ul = tmp.s6a_ambr_ul;
		break;
	case JITSIM_CP_FTA_P_AMBR_DL:
		pr->ambr_dl = tmp.s6a_ambr_dl;
		break;
	case JITSIM_CP_FTA_P_QCI:
		pr->qci = tmp.s6a_qci;
		break;
	default:
		pr->pdn_type = tmp.s6a_pdn_type;
		break;
	}
	return 0;
}

void
jitsim_cp_fta_s6a_profile_of(const struct jitsim_cp_fta_cfg *c, uint16_t tariff,
			     struct jitsim_cp_fta_s6a_profile *out)
{
	const struct jitsim_cp_fta_s6a_profile *pr = NULL;

	memset(out, 0, sizeof(*out));
	out->tariff = tariff;
	snprintf(out->apn, sizeof(out->apn), "%s", c->s6a_apn);
	out->ambr_ul = c->s6a_ambr_ul;
	out->ambr_dl = c->s6a_ambr_dl;
	out->qci = c->s6a_qci;
	out->pdn_type = c->s6a_pdn_type;
	for (unsigned int i = 0; i < c->n_s6a_profile; i++)
		if (c->s6a_profile[i].tariff == tariff)
			pr = &c->s6a_profile[i];
	if (pr == NULL)
		return;
	out->set = pr->set;
	if (pr->set & (1u << JITSIM_CP_FTA_P_APN))
		snprintf(out->apn, sizeof(out->apn), "%s", pr->apn);
	if (pr->set & (1u << JITSIM_CP_FTA_P_AMBR_UL))
		out->ambr_ul = pr->ambr_ul;
	if (pr->set & (1u << JITSIM_CP_FTA_P_AMBR_DL))
		out->ambr_dl = pr->ambr_dl;
	if (pr->set & (1u << JITSIM_CP_FTA_P_QCI))
		out->qci = pr->qci;
	if (pr->set & (1u << JITSIM_CP_FTA_P_PDN_TYPE))
		out->pdn_type = pr->pdn_type;
}

/* The S6a keys (docs/fta.md "jitsim-cp S6a answers"). 1: not one of them. */
static int
fta_cfg_set_s6a(struct jitsim_cp_fta_cfg *c, const char *k, const char *v, char *err, size_t el)
{
	static const char *const pdn[] = {"ipv4", "ipv6", "ipv4v6", "ipv4_or_ipv6"};
	unsigned long x = 0;

	if (strcmp(k, "s6a_origin_host") == 0 || strcmp(k, "s6a_origin_realm") == 0) {
		if (!fta_diam_id_ok(v))
			return fta_errf(err, el,
					"[fta] %s: '%s' is not a Diameter identity (labels of "
					"A-Z a-z 0-9 - joined by dots, at most %u characters)",
					k, v, JITSIM_CP_FTA_DIAM_ID_MAX);
		snprintf(strcmp(k, "s6a_origin_host") == 0 ? c->s6a_origin_host
							   : c->s6a_origin_realm,
			 sizeof(c->s6a_origin_host), "%s", v);
		return 0;
	}
	if (strcmp(k, "s6a_apn") == 0) {
		if (!fta_apn_ok(v))
			return fta_errf(err, el,
					"[fta] s6a_apn: '%s' is not an APN (labels of A-Z a-z 0-9 "
					"- joined by dots, at most %u characters) or *",
					v, JITSIM_CP_FTA_APN_MAX);
		snprintf(c->s6a_apn, sizeof(c->s6a_apn), "%s", v);
		return 0;
	}
	if (strcmp(k, "s6a_ambr_ul") == 0 || strcmp(k, "s6a_ambr_dl") == 0) {
		if (fta_uint(v, UINT32_MAX, &x) != 0 || x == 0)
			return fta_errf(err, el, "[fta] %s: '%s' is not bit/s in 1..%u", k, v,
					UINT32_MAX);
		*(strcmp(k, "s6a_ambr_ul") == 0 ? &c->s6a_ambr_ul : &c->s6a_ambr_dl) = (uint32_t)x;
		return 0;
	}
	if (strcmp(k, "s6a_qci") == 0) {
		/* TS 23.203 6.1.7: 1..254 (0 and 255 reserved). */
		if (fta_uint(v, 254, &x) != 0 || x < 1)
			return fta_errf(err, el, "[fta] s6a_qci: '%s' is not a QCI in 1..254", v);
		c->s6a_qci = (uint32_t)x;
		return 0;
	}
	if (strcmp(k, "s6a_pdn_type") == 0) {
		for (unsigned int i = 0; i < sizeof(pdn) / sizeof(pdn[0]); i++)
			if (strcmp(v, pdn[i]) == 0) {
				c->s6a_pdn_type = i; /* TS 29.272 7.3.62 */
				return 0;
			}
		return fta_errf(err, el,
				"[fta] s6a_pdn_type: '%s' (ipv4, ipv6, ipv4v6 or ipv4_or_ipv6)", v);
	}
	if (strcmp(k, "s6a_network_access_mode") == 0) {
		/* TS 29.272 7.3.21: 1 is reserved. */
		if (strcmp(v, "packet_and_circuit") == 0)
			c->s6a_nam = 0;
		else if (strcmp(v, "only_packet") == 0)
			c->s6a_nam = 2;
		else
			return fta_errf(err, el,
					"[fta] s6a_network_access_mode: '%s' (packet_and_circuit "
					"or only_packet)",
					v);
		return 0;
	}
	return 1;
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
	if (strncmp(k, "s6a_", 4) == 0) {
		int rc = strchr(k, '.') != NULL ? fta_cfg_set_s6a_tariff(c, k, v, err, el)
						: fta_cfg_set_s6a(c, k, v, err, el);

		if (rc <= 0)
			return rc;
	}
	return fta_errf(err, el, "unknown key '%s' in section [fta]", k);
}

int
jitsim_cp_fta_cfg_check(const struct jitsim_cp_fta_cfg *c, char *err, size_t el)
{
	if (!c->enable)
		return 0;
	/* None of the SS7 identities: a Diameter-only endpoint (S6a answers;
	 * MAP records are dropped and counted as "no_ss7"). */
	if (c->own_pc == 0 && c->own_gt[0] == '\0' && c->hlr_number[0] == '\0')
		return 0;
	if (c->own_pc == 0)
		return fta_errf(err, el,
				"[fta] own_pc: required for the SS7 dialogues (own_gt or "
				"hlr_number is set); leave all three out for S6a only");
	if (c->own_gt[0] == '\0' && c->hlr_number[0] == '\0')
		return fta_errf(err, el,
				"[fta] own_gt: required (or hlr_number): the UL result names "
				"the HLR number");
	return 0;
}
