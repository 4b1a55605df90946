/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <inttypes.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <jitsim/proto/frame.h>

#include "inspect.h"
#include "rng.h"

#define DIAM_SLOTS 64

struct keyset {
	uint64_t *k;
	size_t cap, n;
};

/* Open addressing, 0 is the empty slot (IMSI keys are never 0). */
static int
keyset_add(struct keyset *s, uint64_t key)
{
	size_t i;

	if (key == 0)
		return 0;
	if (2 * (s->n + 1) > s->cap) {
		struct keyset b = {.cap = s->cap ? s->cap * 2 : 1024};

		b.k = calloc(b.cap, sizeof(*b.k));
		if (b.k == NULL)
			return -1;
		for (size_t j = 0; j < s->cap; j++)
			if (s->k[j])
				keyset_add(&b, s->k[j]);
		free(s->k);
		*s = b;
	}
	for (i = jitsim_pktgen_mix64(key) & (s->cap - 1); s->k[i]; i = (i + 1) & (s->cap - 1))
		if (s->k[i] == key)
			return 0;
	s->k[i] = key;
	s->n++;
	return 0;
}

struct diam_count {
	uint32_t cmd;
	bool req;
	uint64_t n;
};

struct stats {
	uint64_t frames, msgs;
	uint64_t map[3][256];
	uint64_t map_other;
	struct diam_count diam[DIAM_SLOTS];
	unsigned int n_diam;
	uint64_t reasons[JITSIM_R_MAX];
	struct keyset imsis;
};

static void
count_msg(struct stats *st, const struct jitsim_msg *m)
{
	st->msgs++;
	/* IMSIs are at most 15 digits, so they always have a compact key. */
	if (m->has_imsi)
		keyset_add(&st->imsis, m->imsi_key);
	if (m->proto == JITSIM_MSG_MAP) {
		const struct jitsim_tcap_component *c = m->map.comp;
		unsigned int k = c->type == JITSIM_TCAP_INVOKE	? 0
				 : c->type == JITSIM_TCAP_ERROR ? 2
				 : c->type == JITSIM_TCAP_RESULT_LAST ||
						 c->type == JITSIM_TCAP_RESULT_NOT_LAST
					 ? 1
					 : 3;

		if (k < 3 && (k == 2 ? c->has_error : c->has_opcode))
			st->map[k][k == 2 ? c->error : c->opcode]++;
		else
			st->map_other++;
		return;
	}
	for (unsigned int i = 0; i < st->n_diam; i++)
		if (st->diam[i].cmd == m->diam.hdr.cmd && st->diam[i].req == m->is_request) {
			st->diam[i].n++;
			return;
		}
	if (st->n_diam < DIAM_SLOTS)
		st->diam[st->n_diam++] = (struct diam_count){m->diam.hdr.cmd, m->is_request, 1};
}

static const char *
diam_name(uint32_t cmd)
{
	switch (cmd) {
	case 257:
		return "Capabilities-Exchange";
	case 280:
		return "Device-Watchdog";
	case 282:
		return "Disconnect-Peer";
	case 316:
		return "Update-Location";
	case 317:
		return "Cancel-Location";
	case 318:
		return "Authentication-Information";
	case 319:
		return "Insert-Subscriber-Data";
	case 320:
		return "Delete-Subscriber-Data";
	case 321:
		return "Purge-UE";
	case 322:
		return "Reset";
	case 323:
		return "Notify";
	case 272:
		return "Credit-Control";
	case 265:
		return "AA";
	case 258:
		return "Re-Auth";
	case 275:
		return "Session-Termination";
	default:
		return "?";
	}
}

static void
report(const char *path, const struct stats *st, FILE *out)
{
	static const char *const kinds[] = {"invoke", "result", "error"};

	fprintf(out, "%s: %" PRIu64 " frames, %" PRIu64 " messages, %zu distinct IMSIs\n", path,
		st->frames, st->msgs, st->imsis.n);
	for (unsigned int k = 0; k < 3; k++)
		for (unsigned int c = 0; c < 256; c++) {
			const char *n;

			if (!st->map[k][c])
				continue;
			n = k == 2 ? jitsim_map_err_name((uint8_t)c)
				   : jitsim_map_op_name((uint8_t)c);
			fprintf(out, "  map %-7s %-28s %3u %10" PRIu64 "\n", kinds[k],
				n ? n : (c == 71 ? "anyTimeInterrogation" : "?"), c, st->map[k][c]);
		}
	if (st->map_other)
		fprintf(out, "  map %-7s %-28s %3s %10" PRIu64 "\n", "other",
			"(reject, or result without code)", "-", st->map_other);
	for (unsigned int i = 0; i < st->n_diam; i++)
		fprintf(out, "  diameter %-7s %-23s %3u %10" PRIu64 "\n",
			st->diam[i].req ? "request" : "answer", diam_name(st->diam[i].cmd),
			st->diam[i].cmd, st->diam[i].n);
	fprintf(out, "decode errors and skipped units by reason:\n");
	for (int r = 0; r < JITSIM_R_MAX; r++)
		if (r != JITSIM_R_OK && r != JITSIM_R_END && st->reasons[r])
			fprintf(out, "  %-26s %10" PRIu64 "  %s\n", jitsim_reason_str(r),
				st->reasons[r], jitsim_proto_strerror(r));
}

int
jitsim_pktgen_inspect(const char *path, bool frames, FILE *out)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	struct stats *st;
	struct jitsim_frame_reasm *reasm;
	pcap_t *pc;
	int dlt, rc;

	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		fprintf(stderr, "jitsim-pktgen: inspect: %s: %s\n", path, err);
		return -1;
	}
	st = calloc(1, sizeof(*st));
	reasm = malloc(sizeof(*reasm));
	if (st == NULL || reasm == NULL) {
		fprintf(stderr, "jitsim-pktgen: inspect: out of memory\n");
		free(st);
		free(reasm);
		pcap_close(pc);
		return -1;
	}
	jitsim_frame_reasm_init(reasm);
	dlt = pcap_datalink(pc);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct jitsim_frame_iter it;
		struct jitsim_msg m;
		enum jitsim_reason r;

		st->frames++;
		jitsim_frame_iter_init(&it, (uint32_t)dlt, data, h->caplen, reasm, 0);
		while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
			st->reasons[r]++;
			if (r != JITSIM_R_OK)
				continue;
			count_msg(st, &m);
			if (frames) {
				char line[1024];

				jitsim_msg_dump(&m, line, sizeof(line));
				fprintf(out, "frame=%" PRIu64 " %s\n", st->frames, line);
			}
		}
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "jitsim-pktgen: inspect: %s: frame %" PRIu64 ": %s\n", path,
			st->frames + 1, pcap_geterr(pc));
	report(path, st, out);
	pcap_close(pc);
	free(st->imsis.k);
	free(st);
	free(reasm);
	return rc == PCAP_ERROR ? -1 : 0;
}
