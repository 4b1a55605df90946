/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/map.h>

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
	memset(e, 0, sizeof(*e));
	e->pop = pop;
	e->out = out;
	e->sim = calloc(pop->sc->count, sizeof(*e->sim));
	e->seen_bits = calloc(pop->sc->count / 64 + 1, sizeof(uint64_t));
	e->trig_bits = calloc(pop->sc->count / 64 + 1, sizeof(uint64_t));
	e->pend = malloc(JITSIM_PKTGEN_EXPECT_PEND * sizeof(*e->pend));
	if (e->sim == NULL || e->seen_bits == NULL || e->trig_bits == NULL || e->pend == NULL) {
		jitsim_pktgen_expect_free(e);
		return -ENOMEM;
	}
	return 0;
}

void
jitsim_pktgen_expect_free(struct jitsim_pktgen_expect *e)
{
	free(e->sim);
	free(e->seen_bits);
	free(e->trig_bits);
	free(e->pend);
	e->sim = NULL;
	e->seen_bits = e->trig_bits = NULL;
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

/* @p v in decimal at @p o, as printf's %u; where it ends. */
static char *
put_u32(char *o, uint32_t v)
{
	char t[10];
	int n = 0;

	do {
		t[n++] = (char)('0' + v % 10);
		v /= 10;
	} while (v);
	while (n)
		*o++ = t[--n];
	return o;
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

int
jitsim_pktgen_expect_finish(struct jitsim_pktgen_expect *e)
{
	static const char *const kinds[] = {"invoke", "result", "error"};
	const struct jitsim_pktgen_scenario *sc = e->pop->sc;
	struct jitsim_pktgen_ofile *o = e->out;
	uint64_t ev[JITSIM_PKTGEN_EV_MAX] = {0}, distinct = 0, msgs = 0;
	const char *sep = "";
	char line[512], *p;

	jitsim_pktgen_expect_flush(e);
	/* One line per SIM the dataplane must report, in SIM order. */
	for (uint64_t i = 0; i < sc->count; i++) {
		const struct jitsim_pktgen_sim_truth *t = &e->sim[i];
		struct jitsim_pktgen_sim s;

		distinct += (e->seen_bits[i >> 6] >> (i & 63)) & 1;
		if (!((e->trig_bits[i >> 6] >> (i & 63)) & 1))
			continue;
		ev[t->event]++;
		jitsim_pktgen_pop_sim(e->pop, i, &s);
		/* Formatted by hand: a million lines through printf cost seconds. */
		p = put_str(line, "{\"type\":\"sim\",\"imsi\":\"");
		p = put_str(p, s.imsi);
		if (s.msisdn[0]) {
			p = put_str(p, "\",\"msisdn\":\"");
			p = put_str(p, s.msisdn);
		}
		p = put_str(p, "\",\"state\":\"");
		p = put_str(p, jitsim_pktgen_state_name(s.state));
		p = put_str(p, "\",\"event\":\"");
		p = put_str(p, jitsim_pktgen_event_name(t->event));
		p = put_str(p, "\",\"frame\":");
		p = put_u32(p, t->frame);
		if (t->region == JITSIM_PKTGEN_REGION_NONE) {
			p = put_str(p, ",\"region\":null}\n");
		} else {
			p = put_str(p, ",\"region\":\"");
			p = put_str(p, sc->region[t->region].name);
			p = put_str(p, "\"}\n");
		}
		jitsim_pktgen_ofile_write(o, line, (size_t)(p - line));
	}
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
