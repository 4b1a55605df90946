/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-decode: run jitsim's codec library over a capture and print one
 * line per signaling message, exactly as the dataplane sees them. Used by
 * the tshark cross-check tests and by operators to see what jitsim makes of
 * their own traces.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <jitsim/proto/frame.h>

static const char usage_text[] =
	"Usage: jitsim-decode [OPTIONS] CAPTURE...\n"
	"\n"
	"Decode every SS7 (MAP over M3UA/M2PA/M2UA/MTP3) and Diameter message in\n"
	"pcap or pcapng captures with jitsim's codecs and print one line per\n"
	"message.\n"
	"\n"
	"Options:\n"
	"  -j, --json       one JSON object per message (default: key=value text)\n"
	"  -d, --drops      also print every skipped unit with its reason\n"
	"  -s, --stats      print per-reason counts to stderr at the end\n"
	"  -c, --crc        verify SCTP CRC32c and drop packets that fail\n"
	"  -n, --no-reasm   do not reassemble SCTP fragments or SCCP segments\n"
	"  -h, --help       show this text\n"
	"\n"
	"Exit status: 0 on success, 1 if a capture cannot be read, 2 on usage errors.\n";

struct opts {
	bool json;
	bool drops;
	bool stats;
	uint32_t flags;
	bool reasm;
};

static void
json_str(const char *key, const uint8_t *p, size_t n)
{
	printf(",\"%s\":\"", key);
	for (size_t i = 0; i < n; i++) {
		if (p[i] == '"' || p[i] == '\\')
			printf("\\%c", p[i]);
		else if (p[i] >= 0x20 && p[i] < 0x7f)
			putchar(p[i]);
		else
			printf("\\u%04x", p[i]);
	}
	putchar('"');
}

static void
json_digits(const char *key, bool has, const struct jitsim_digits *d)
{
	if (has)
		json_str(key, (const uint8_t *)d->d, d->n);
}

static const char *const carrier_names[] = {
	[JITSIM_CARRIER_M3UA] = "m3ua", [JITSIM_CARRIER_M2PA] = "m2pa",
	[JITSIM_CARRIER_M2UA] = "m2ua", [JITSIM_CARRIER_MTP3] = "mtp3",
	[JITSIM_CARRIER_SCTP] = "sctp", [JITSIM_CARRIER_TCP] = "tcp",
};

static void
print_map_json(const struct jitsim_msg *m)
{
	const struct jitsim_msg_map *s = &m->map;

	printf(",\"tcap\":%u,\"comp\":%u", s->tcap_type, s->comp->type);
	if (s->comp->has_error)
		printf(",\"err\":%u", s->comp->error);
	else if (s->comp->has_opcode)
		printf(",\"op\":%u", s->comp->opcode);
	printf(",\"opc\":%u,\"dpc\":%u,\"sccp\":%u", s->opc, s->dpc, s->sccp_type);
	if (s->called->has_ssn)
		printf(",\"called_ssn\":%u", s->called->ssn);
	if (s->calling->has_ssn)
		printf(",\"calling_ssn\":%u", s->calling->ssn);
	json_digits("called_gt", s->called->digits.n > 0, &s->called->digits);
	json_digits("calling_gt", s->calling->digits.n > 0, &s->calling->digits);
	if (s->acn_map)
		printf(",\"acn\":\"0.4.0.0.1.0.%u.%u\"", s->map_ac, s->map_version);
	if (s->reassembled)
		printf(",\"reassembled\":true");
	if (s->ids.has_vlr || s->ids.has_msc || s->ids.has_sgsn) {
		const char *sep = "";

		printf(",\"nodes\":[");
		if (s->ids.has_vlr) {
			printf("\"%s\"", s->ids.vlr.d);
			sep = ",";
		}
		if (s->ids.has_msc) {
			printf("%s\"%s\"", sep, s->ids.msc.d);
			sep = ",";
		}
		if (s->ids.has_sgsn)
			printf("%s\"%s\"", sep, s->ids.sgsn.d);
		printf("]");
	}
}

static void
print_diam_json(const struct jitsim_msg *m)
{
	const struct jitsim_s6a *d = &m->diam;

	printf(",\"cmd\":%u,\"app\":%u,\"hbh\":%u,\"e2e\":%u", d->hdr.cmd, d->hdr.app_id,
	       d->hdr.hbh, d->hdr.e2e);
	if (d->origin_host.p)
		json_str("origin_host", d->origin_host.p, d->origin_host.len);
	if (d->has_user_name && d->user_name_not_digits)
		printf(",\"user_name_not_digits\":true");
	if (d->has_rat_type)
		printf(",\"rat\":%u", d->rat_type);
	json_digits("imei", d->has_imei, &d->imei);
	if (d->has_result_code)
		printf(",\"result\":%u", d->result_code);
	if (d->has_exp_result)
		printf(",\"exp_result\":%u", d->exp_result_code);
}

static void
print_msg(unsigned int frame_no, const struct jitsim_msg *m, const struct opts *o)
{
	char line[1024];

	if (!o->json) {
		jitsim_msg_dump(m, line, sizeof(line));
		printf("frame=%u %s\n", frame_no, line);
		return;
	}
	printf("{\"frame\":%u,\"msg\":%u,\"proto\":\"%s\",\"carrier\":\"%s\",\"req\":%s", frame_no,
	       m->index, m->proto == JITSIM_MSG_MAP ? "map" : "diameter",
	       m->carrier < sizeof(carrier_names) / sizeof(carrier_names[0]) &&
			       carrier_names[m->carrier]
		       ? carrier_names[m->carrier]
		       : "?",
	       m->is_request ? "true" : "false");
	json_digits("imsi", m->has_imsi, m->imsi);
	json_digits("msisdn", m->has_msisdn, m->msisdn);
	json_digits("visited", m->has_visited, m->visited);
	if (m->proto == JITSIM_MSG_MAP)
		print_map_json(m);
	else
		print_diam_json(m);
	printf("}\n");
}

static int
decode_file(const char *path, const struct opts *o, uint64_t *counts,
	    struct jitsim_frame_reasm *reasm)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int frame_no = 0;
	pcap_t *pc;
	int dlt, rc;

	pc = pcap_open_offline(path, err);
	if (pc == NULL) {
		fprintf(stderr, "jitsim-decode: %s: %s\n", path, err);
		return -1;
	}
	dlt = pcap_datalink(pc);
	if (reasm)
		jitsim_frame_reasm_init(reasm);
	while ((rc = pcap_next_ex(pc, &h, &data)) == 1) {
		struct jitsim_frame_iter it;
		struct jitsim_msg m;
		enum jitsim_reason r;

		frame_no++;
		jitsim_frame_iter_init(&it, (uint32_t)dlt, data, h->caplen, reasm, o->flags);
		while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
			counts[r]++;
			if (r == JITSIM_R_OK)
				print_msg(frame_no, &m, o);
			else if (o->drops && o->json)
				printf("{\"frame\":%u,\"drop\":\"%s\"}\n", frame_no,
				       jitsim_reason_str(r));
			else if (o->drops)
				printf("frame=%u drop=%s\n", frame_no, jitsim_reason_str(r));
		}
	}
	if (rc == PCAP_ERROR)
		fprintf(stderr, "jitsim-decode: %s: frame %u: %s\n", path, frame_no + 1,
			pcap_geterr(pc));
	pcap_close(pc);
	return rc == PCAP_ERROR ? -1 : 0;
}

int
main(int argc, char **argv)
{
	static const struct option longopts[] = {
		{"json", no_argument, NULL, 'j'},
		{"drops", no_argument, NULL, 'd'},
		{"stats", no_argument, NULL, 's'},
		{"crc", no_argument, NULL, 'c'},
		{"no-reasm", no_argument, NULL, 'n'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	struct opts o = {.reasm = true};
	static struct jitsim_frame_reasm reasm;
	uint64_t counts[JITSIM_R_MAX] = {0};
	int c, status = 0;

	while ((c = getopt_long(argc, argv, "jdscnh", longopts, NULL)) != -1) {
		switch (c) {
		case 'j':
			o.json = true;
			break;
		case 'd':
			o.drops = true;
			break;
		case 's':
			o.stats = true;
			break;
		case 'c':
			o.flags |= JITSIM_FRAME_F_VERIFY_CRC;
			break;
		case 'n':
			o.reasm = false;
			break;
		case 'h':
			fputs(usage_text, stdout);
			return 0;
		default:
			fputs(usage_text, stderr);
			return 2;
		}
	}
	if (optind >= argc) {
		fprintf(stderr, "jitsim-decode: no capture given\n\n%s", usage_text);
		return 2;
	}
	for (int i = optind; i < argc; i++)
		if (decode_file(argv[i], &o, counts, o.reasm ? &reasm : NULL) != 0)
			status = 1;
	if (o.stats)
		for (int r = 0; r < JITSIM_R_MAX; r++)
			if (counts[r])
				fprintf(stderr, "%-28s %llu\n", jitsim_reason_str(r),
					(unsigned long long)counts[r]);
	fflush(stdout);
	return status;
}
