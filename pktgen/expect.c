/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/map.h>

#include "decimal.h"
#include "expect.h"

static const char *const event_names[] = {
#define X(a, b) b,
	JITSIM_PKTGEN_EVENTS(X)
#undef X
};

static const char *const diam_names[JITSIM_PKTGEN_DIAM_CMDS] = {
	"ULR/ULA", "CLR/CLA", "AIR/AIA", "IDR/IDA", "DSR/DSA", "PUR/PUA", "RSR/RSA", "NOR/NOA",
};

const char *
jitsim_pktgen_event_name(unsigned int ev)
{
	return ev < JITSIM_PKTGEN_EV_MAX ? event_names[ev] : "?";
}

int
jitsim_pktgen_expect_init(struct jitsim_pktgen_expect *e, const struct jitsim_pktgen_pop *pop,
			  struct jitsim_pktgen_ofile *out)
{
	size_t bits_size = ((pop->sc->count / 64 + 1) * 16 + 63) / 64 * 64;

	memset(e, 0, sizeof(*e));
	e->pop = pop;
	e->out = out;
	e->sim = calloc(pop->sc->count, sizeof(*e->sim));
	/* Both words of a pair on one line: a 16-byte pair never straddles two. */
	e->bits = aligned_alloc(64, bits_size);
	e->pend = malloc(JITSIM_PKTGEN_EXPECT_PEND * sizeof(*e->pend));
	if (e->sim == NULL || e->bits == NULL || e->pend == NULL) {
		jitsim_pktgen_expect_free(e);
		return -ENOMEM;
	}
	memset(e->bits, 0, bits_size);
	return 0;
}

void
jitsim_pktgen_expect_free(struct jitsim_pktgen_expect *e)
{
	free(e->sim);
	free(e->bits);
	free(e->pend);
	e->sim = NULL;
	e->bits = NULL;
	e->pend = NULL;
	e->n_pend = 0;
}

void
jitsim_pktgen_expect_flush(struct jitsim_pktgen_expect *e)
{
	for (unsigned int i = 0; i < e->n_pend; i++)
		e->sim[e->pend[i].sim] = e->pend[i].t;
	e->n_pend = 0;
}

static const char *
map_code_name(unsigned int kind, unsigned int code)
{
	const char *n = kind == JITSIM_PKTGEN_MAP_ERROR ? jitsim_map_err_name((uint8_t)code)
							: jitsim_map_op_name((uint8_t)code);

	if (n == NULL && code == 71)
		n = "anyTimeInterrogation";
	return n ? n : "?";
}

/* Copy the string @p s to @p o; where it ends. */
static char *
put_str(char *o, const char *s)
{
	size_t n = strlen(s);

	memcpy(o, s, n);
	return o + n;
}

/* @p v in decimal at @p o, as printf's PRIu64; where it ends. */
static char *
put_u64(char *o, uint64_t v)
{
	char t[20];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*o++ = t[--n];
	return o;
}

int
jitsim_pktgen_expect_malformed(struct jitsim_pktgen_expect *e, uint64_t frame, unsigned int kind,
			       const char *reason)
{
	const char *name = jitsim_pktgen_mal_name(kind);
	char line[512], *p;

	e->malformed++;
	e->mal_kind[kind]++;
	/* Formatted by hand, as the SIM lines: printf was a tenth of a malformed frame's cost. */
	if (strlen(name) + strlen(reason) > sizeof(line) - 96)
		return jitsim_pktgen_ofile_printf(e->out,
						  "{\"type\":\"malformed\",\"frame\":%" PRIu64
						  ",\"kind\":\"%s\",\"reason\":\"%s\"}\n",
						  frame, name, reason);
	p = put_str(line, "{\"type\":\"malformed\",\"frame\":");
	p = put_u64(p, frame);
	p = put_str(p, ",\"kind\":\"");
	p = put_str(p, name);
	p = put_str(p, "\",\"reason\":\"");
	p = put_str(p, reason);
	p = put_str(p, "\"}\n");
	return jitsim_pktgen_ofile_write(e->out, line, (size_t)(p - line));
}

/* Room a SIM line is written in, in place in the output buffer. */
#define LINE_ROOM 512

/* A piece of a SIM line that depends on a small number only: made once. */
struct frag {
	char s[64];
	uint8_t n;
};

static void
frag_set(struct frag *f, const char *a, const char *b, const char *c)
{
	char *o = put_str(put_str(put_str(f->s, a), b), c);

	f->n = (uint8_t)(o - f->s);
}

/*
 * One line per SIM the dataplane must report, in SIM order; the event
 * counts in @p ev and the distinct IMSIs seen in @p distinct. Up to a
 * million lines: built from pieces made once, never through printf or
 * strlen (this loop was a tenth of a benchmark run).
 */
static void
sim_lines(struct jitsim_pktgen_expect *e, uint64_t ev[JITSIM_PKTGEN_EV_MAX], uint64_t *distinct)
{
	static const char head[] = "{\"type\":\"sim\",\"imsi\":\"";
	static const char msisdn[] = "\",\"msisdn\":\"";
	const struct jitsim_pktgen_scenario *sc = e->pop->sc;
	struct frag st[JITSIM_PKTGEN_ST_MAX], evf[JITSIM_PKTGEN_EV_MAX];
	struct frag rg[JITSIM_PKTGEN_MAX_REGIONS + 1];
	uint64_t words = sc->count / 64 + 1;
	char *line, *p;

	/* The region names are at most 31 characters (scenario.h): every piece fits. */
	for (unsigned int s = 0; s < JITSIM_PKTGEN_ST_MAX; s++)
		frag_set(&st[s], "\",\"state\":\"", jitsim_pktgen_state_name(s), "\",\"event\":\"");
	for (unsigned int k = 0; k < JITSIM_PKTGEN_EV_MAX; k++)
		frag_set(&evf[k], jitsim_pktgen_event_name(k), "\",\"frame\":", "");
	for (unsigned int r = 0; r < sc->n_regions; r++)
		frag_set(&rg[r], ",\"region\":\"", sc->region[r].name, "\"}\n");
	frag_set(&rg[JITSIM_PKTGEN_MAX_REGIONS], ",\"region\":null}\n", "", "");
	*distinct = 0;
	for (uint64_t w = 0; w < words; w++) {
		uint64_t bits = *jitsim_pktgen_expect_word(e, w * 64, true);

		*distinct += (uint64_t)__builtin_popcountll(
			*jitsim_pktgen_expect_word(e, w * 64, false));
		while (bits) {
			uint64_t i = w * 64 + (uint64_t)__builtin_ctzll(bits);
			const struct jitsim_pktgen_sim_truth *t = &e->sim[i];
			unsigned int state = jitsim_pktgen_pop_state(e->pop, i);
			unsigned int k = t->event < JITSIM_PKTGEN_EV_MAX ? t->event : 0;
			unsigned int reg =
				t->region < sc->n_regions ? t->region : JITSIM_PKTGEN_MAX_REGIONS;

			bits &= bits - 1;
			ev[k]++;
			/* Under 200 characters a line, and pieces are copied whole past its end. */
			line = jitsim_pktgen_ofile_reserve(e->out, LINE_ROOM);
			if (line == NULL)
				return; /* the error is sticky: expect_finish() returns it */
			memcpy(line, head, sizeof(head) - 1);
			p = line + sizeof(head) - 1;
			p += jitsim_pktgen_pop_imsi(e->pop, i, p);
			if (state == JITSIM_PKTGEN_ST_ACTIVE ||
			    state == JITSIM_PKTGEN_ST_SLEEPING) {
				memcpy(p, msisdn, sizeof(msisdn) - 1);
				p += sizeof(msisdn) - 1;
				p += jitsim_pktgen_pop_msisdn(e->pop, i, state, p);
			}
			/* Whole pieces (the room allows), then on by their length. */
			memcpy(p, st[state].s, sizeof(st[state].s));
			p += st[state].n;
			memcpy(p, evf[k].s, sizeof(evf[k].s));
			p += evf[k].n;
			p = jitsim_pktgen_put_u32(p, t->frame);
			memcpy(p, rg[reg].s, sizeof(rg[reg].s));
			p += rg[reg].n;
			jitsim_pktgen_ofile_advance(e->out, (size_t)(p - line));
		}
	}
}

int
jitsim_pktgen_expect_finish(struct jitsim_pktgen_expect *e)
{
	static const char *const kinds[] = {"invoke", "result", "error"};
	struct jitsim_pktgen_ofile *o = e->out;
	uint64_t ev[JITSIM_PKTGEN_EV_MAX] = {0}, distinct = 0, msgs = 0;
	const char *sep = "";

	jitsim_pktgen_expect_flush(e);
	sim_lines(e, ev, &distinct);
	/* Totals: the keys are what tshark and jitsim-decode report. */
	jitsim_pktgen_ofile_printf(o,
				   "{\"type\":\"totals\",\"frames\":%" PRIu64
				   ",\"malformed\":%" PRIu64 ",\"malformed_kinds\":{",
				   e->frames, e->malformed);
	for (unsigned int k = 0; k < JITSIM_PKTGEN_MAL_MAX; k++)
		jitsim_pktgen_ofile_printf(o, "%s\"%s\":%" PRIu64, k ? "," : "",
					   jitsim_pktgen_mal_name(k), e->mal_kind[k]);
	jitsim_pktgen_ofile_printf(o, "},\"map\":{");
	for (unsigned int k = 0; k < 3; k++)
		for (unsigned int c = 0; c < 256; c++)
			if (e->map[k][c]) {
				jitsim_pktgen_ofile_printf(o, "%s\"%s:%u:%s\":%" PRIu64, sep,
							   kinds[k], c, map_code_name(k, c),
							   e->map[k][c]);
				sep = ",";
				msgs += e->map[k][c];
			}
	jitsim_pktgen_ofile_printf(o, "},\"diameter\":{");
	sep = "";
	for (unsigned int r = 0; r < 2; r++)
		for (unsigned int c = 0; c < JITSIM_PKTGEN_DIAM_CMDS; c++)
			if (e->diam[r][c]) {
				const char *n = diam_names[c];

				jitsim_pktgen_ofile_printf(o, "%s\"%s:%u:%.3s\":%" PRIu64, sep,
							   r ? "request" : "answer",
							   JITSIM_PKTGEN_DIAM_CMD_FIRST + c,
							   r ? n : n + 4, e->diam[r][c]);
				sep = ",";
				msgs += e->diam[r][c];
			}
	jitsim_pktgen_ofile_printf(o, "},\"messages\":%" PRIu64 ",\"background\":{", msgs);
	for (unsigned int k = 0; k < JITSIM_PKTGEN_BG_MAX; k++)
		jitsim_pktgen_ofile_printf(o, "%s\"%s\":%" PRIu64, k ? "," : "",
					   jitsim_pktgen_bg_name(k), e->bg[k]);
	jitsim_pktgen_ofile_printf(o, "},\"distinct_imsis\":%" PRIu64 ",\"events\":{", distinct);
	for (unsigned int k = 1; k < JITSIM_PKTGEN_EV_MAX; k++)
		jitsim_pktgen_ofile_printf(o, "%s\"%s\":%" PRIu64, k > 1 ? "," : "",
					   jitsim_pktgen_event_name(k), ev[k]);
	return jitsim_pktgen_ofile_printf(o, "}}\n");
}
