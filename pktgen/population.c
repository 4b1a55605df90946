/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include "population.h"
#include "rng.h"

/* Hash domains, so that a SIM's region, secrets and PINs are independent. */
#define DOM_PERM 0x7065726dull
#define DOM_REGION 0x72656769ull
#define DOM_CARD 0x63617264ull

static uint64_t
gcd(uint64_t a, uint64_t b)
{
	while (b) {
		uint64_t t = a % b;

		a = b;
		b = t;
	}
	return a;
}

static unsigned int dec_width(uint64_t v);

void
jitsim_pktgen_pop_init(struct jitsim_pktgen_pop *p, const struct jitsim_pktgen_scenario *sc,
		       uint64_t seed)
{
	uint64_t first = 0;

	memset(p, 0, sizeof(*p));
	p->sc = sc;
	p->seed = seed;
	for (unsigned int s = 0; s < JITSIM_PKTGEN_ST_MAX; s++) {
		p->n[s] = jitsim_pktgen_scenario_state_count(sc, s);
		p->first[s] = first;
		first += p->n[s];
	}
	/* Multiplier coprime with count: the map i -> (a i + b) mod count is a bijection. */
	p->perm_a = sc->count > 1 ? jitsim_pktgen_hash2(seed, DOM_PERM) % sc->count : 1;
	while (sc->count > 1 && (p->perm_a == 0 || gcd(p->perm_a, sc->count) != 1))
		p->perm_a = (p->perm_a + 1) % sc->count;
	p->perm_b = jitsim_pktgen_hash2(seed, DOM_PERM + 1) % sc->count;
	/* The MSISDN ranges keep their length (scenario.c): their width, worked out once. */
	for (unsigned int s = JITSIM_PKTGEN_ST_ACTIVE; s <= JITSIM_PKTGEN_ST_SLEEPING; s++) {
		uint64_t m = s == JITSIM_PKTGEN_ST_ACTIVE ? sc->msisdn_active : sc->msisdn_sleeping;
		unsigned int w = dec_width(m);

		p->msisdn_w[s] = (uint8_t)w;
		p->msisdn_lo[s] = 1;
		for (unsigned int i = 1; i < w; i++)
			p->msisdn_lo[s] *= 10;
		p->msisdn_hi[s] = w < 20 ? p->msisdn_lo[s] * 10 : UINT64_MAX;
		if (w == 1)
			p->msisdn_lo[s] = 0;
	}
	for (unsigned int i = 0; i < sc->n_regions; i++)
		p->region_wsum += sc->region[i].weight;
	{
		size_t mcc = strlen(sc->mcc), mnc = strlen(sc->mnc);

		memcpy(p->prefix, sc->mcc, mcc);
		memcpy(p->prefix + mcc, sc->mnc, mnc);
		p->prefix_len = (uint8_t)(mcc + mnc);
	}
}

/*
 * Decimal, zero-padded to @p width (<= 17: what is above the low eight digits
 * fits 32 bits; IMSIs and MSISDNs have at most 15): snprintf cost 40 % of a frame
 * here. 32-bit halves and two digits per step: 64-bit divisions are slow.
 */
static char *
put_dec(char *o, uint64_t v, unsigned int width)
{
	static const char pairs[] = "00010203040506070809101112131415161718192021222324"
				    "25262728293031323334353637383940414243444546474849"
				    "50515253545556575859606162636465666768697071727374"
				    "75767778798081828384858687888990919293949596979899";
	uint32_t lo = (uint32_t)(v % 100000000u), hi = (uint32_t)(v / 100000000u);
	char *q = o + width;

	/* Right to left, straight into @p o: the last @p width digits of @p v. */
	if (width < 8) {
		while (q - o >= 2) {
			q -= 2;
			memcpy(q, pairs + 2 * (lo % 100), 2);
			lo /= 100;
		}
		if (q > o)
			*--q = (char)('0' + lo % 10);
		return o + width;
	}
	/* The low eight digits as two independent halves, without a loop. */
	{
		uint32_t a = lo / 10000, b = lo % 10000;

		memcpy(q - 2, pairs + 2 * (b % 100), 2);
		memcpy(q - 4, pairs + 2 * (b / 100), 2);
		memcpy(q - 6, pairs + 2 * (a % 100), 2);
		memcpy(q - 8, pairs + 2 * (a / 100), 2);
		q -= 8;
	}
	while (q - o >= 2) {
		q -= 2;
		memcpy(q, pairs + 2 * (hi % 100), 2);
		hi /= 100;
	}
	if (q > o)
		*--q = (char)('0' + hi % 10);
	return o + width;
}

static unsigned int
dec_width(uint64_t v)
{
	static const uint64_t pow10[] = {
		10ull,
		100ull,
		1000ull,
		10000ull,
		100000ull,
		1000000ull,
		10000000ull,
		100000000ull,
		1000000000ull,
		10000000000ull,
		100000000000ull,
		1000000000000ull,
		10000000000000ull,
		100000000000000ull,
		1000000000000000ull,
		10000000000000000ull,
		100000000000000000ull,
		1000000000000000000ull,
		10000000000000000000ull,
	};
	unsigned int n = 1;

	while (n < 20 && v >= pow10[n - 1])
		n++;
	return n;
}

unsigned int
jitsim_pktgen_pop_imsi(const struct jitsim_pktgen_pop *p, uint64_t index, char out[16])
{
	const struct jitsim_pktgen_scenario *sc = p->sc;
	/* a * index < 2^64: both are below JITSIM_PKTGEN_MAX_SIMS (1e8). */
	uint64_t msin = sc->msin_first + (p->perm_a * index + p->perm_b) % sc->count;

	/* MCC (3) + MNC (2-3) + MSIN: 15 digits (scenario.c checks). */
	memcpy(out, p->prefix, sizeof(p->prefix));
	*put_dec(out + p->prefix_len, msin, sc->msin_digits) = '\0';
	return p->prefix_len + sc->msin_digits;
}

unsigned int
jitsim_pktgen_pop_msisdn(const struct jitsim_pktgen_pop *p, uint64_t index, unsigned int state,
			 char out[16])
{
	const struct jitsim_pktgen_scenario *sc = p->sc;
	unsigned int w;
	uint64_t m;

	out[0] = '\0';
	if (state != JITSIM_PKTGEN_ST_ACTIVE && state != JITSIM_PKTGEN_ST_SLEEPING)
		return 0;
	/* The ranges keep their length (scenario.c), at most 15 digits. */
	m = (state == JITSIM_PKTGEN_ST_ACTIVE ? sc->msisdn_active : sc->msisdn_sleeping) + index -
	    p->first[state];
	w = p->msisdn_w[state];
	/* A scenario that skipped scenario.c's checks: the width of this very number. */
	if (m < p->msisdn_lo[state] || m >= p->msisdn_hi[state])
		w = dec_width(m);
	*put_dec(out, m, w) = '\0';
	return w;
}

void
jitsim_pktgen_pop_sim(const struct jitsim_pktgen_pop *p, uint64_t index,
		      struct jitsim_pktgen_sim *out)
{
	unsigned int st = jitsim_pktgen_pop_state(p, index);

	out->index = index;
	out->state = (uint8_t)st;
	jitsim_pktgen_pop_imsi(p, index, out->imsi);
	jitsim_pktgen_pop_msisdn(p, index, st, out->msisdn);
	out->region = (uint8_t)jitsim_pktgen_pop_region(p, index);
}

unsigned int
jitsim_pktgen_pop_region(const struct jitsim_pktgen_pop *p, uint64_t index)
{
	const struct jitsim_pktgen_scenario *sc = p->sc;
	uint64_t x;

	if (sc->n_regions <= 1)
		return 0; /* what the weighted pick below gives */
	x = p->region_wsum ? jitsim_pktgen_hash2(p->seed ^ DOM_REGION, index) % p->region_wsum : 0;
	for (unsigned int i = 0; i < sc->n_regions; i++) {
		if (x < sc->region[i].weight)
			return i;
		x -= sc->region[i].weight;
	}
	return 0;
}

char
jitsim_pktgen_luhn(const char *digits)
{
	size_t n = strlen(digits);
	unsigned int sum = 0;

	/* From the right, every second digit (starting with the last) is doubled. */
	for (size_t i = 0; i < n; i++) {
		unsigned int d = (unsigned int)(digits[n - 1 - i] - '0');

		if (i % 2 == 0) {
			d *= 2;
			if (d > 9)
				d -= 9;
		}
		sum += d;
	}
	return (char)('0' + (10 - sum % 10) % 10);
}

static void
digits_from(struct jitsim_pktgen_rng *r, char *out, unsigned int n)
{
	for (unsigned int i = 0; i < n; i++)
		out[i] = (char)('0' + jitsim_pktgen_rng_below(r, 10));
	out[n] = '\0';
}

static void
bytes_from(struct jitsim_pktgen_rng *r, uint8_t *out, size_t n)
{
	for (size_t i = 0; i < n; i += 8) {
		uint64_t v = jitsim_pktgen_rng_next(r);

		memcpy(out + i, &v, n - i < 8 ? n - i : 8);
	}
}

void
jitsim_pktgen_pop_card(const struct jitsim_pktgen_pop *p, uint64_t index,
		       struct jitsim_pktgen_card *out)
{
	const struct jitsim_pktgen_scenario *sc = p->sc;
	struct jitsim_pktgen_rng r;
	size_t plen = strlen(sc->iccid_prefix);

	/*
	 * ITU-T E.118: 89 (telecom MII), country code, issuer, serial, then the
	 * Luhn check digit; 20 digits fill EF_ICCID (TS 102 221 13.2).
	 */
	snprintf(out->iccid, sizeof(out->iccid), "%s%0*" PRIu64, sc->iccid_prefix, (int)(19 - plen),
		 index + 1);
	out->iccid[19] = jitsim_pktgen_luhn(out->iccid);
	out->iccid[20] = '\0';
	/*
	 * Secrets are derived from (seed, SIM number) so that the same seed
	 * gives the same vendor file; they are test keys, never real ones.
	 */
	jitsim_pktgen_rng_seed(&r, p->seed ^ DOM_CARD, index);
	digits_from(&r, out->pin1, 4);
	digits_from(&r, out->puk1, 8);
	digits_from(&r, out->pin2, 4);
	digits_from(&r, out->puk2, 8);
	digits_from(&r, out->adm1, 8);
	bytes_from(&r, out->ki, 16);
	bytes_from(&r, out->opc, 16);
	bytes_from(&r, out->kic, 16);
	bytes_from(&r, out->kid, 16);
}
