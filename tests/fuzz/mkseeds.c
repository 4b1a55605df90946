/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * mkseeds: turn captures into seed corpora for the fuzz targets.
 *   mkseeds OUTDIR CAPTURE...
 * writes OUTDIR/frame/<n> (link-type byte + length + frame),
 * OUTDIR/diameter/<n> (one Diameter message: also the seeds of s6a_fta and
 * diam), OUTDIR/tcap/<n> (the TCAP message of an SCCP message: also the
 * seeds of map_fta) and OUTDIR/fta/<n> (the 6-octet routing label of
 * fuzz_fta.c, then the SCCP message, re-encoded), deduplicated by content
 * hash. The m3ua target has no capture seeds (the captures hold DATA
 * only): its seeds are in tests/fuzz/regress/m3ua.
 */

#include <errno.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <pcap/pcap.h>

#include <jitsim/proto/frame.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/wbuf.h>

static const uint32_t dlts[] = {JITSIM_DLT_EN10MB, JITSIM_DLT_LINUX_SLL, JITSIM_DLT_LINUX_SLL2,
				JITSIM_DLT_RAW,	   JITSIM_DLT_MTP3,	 JITSIM_DLT_IPV4,
				JITSIM_DLT_IPV6};

static uint64_t
fnv1a(const uint8_t *p, size_t n, uint64_t h)
{
	for (size_t i = 0; i < n; i++)
		h = (h ^ p[i]) * 0x100000001b3ULL;
	return h;
}

static int
write_seed(const char *dir, const char *target, const uint8_t *hdr, size_t hlen, const uint8_t *p,
	   size_t n)
{
	char path[4096];
	uint64_t h = fnv1a(p, n, fnv1a(hdr, hlen, 0xcbf29ce484222325ULL));
	FILE *f;

	snprintf(path, sizeof(path), "%s/%s/%016llx", dir, target, (unsigned long long)h);
	f = fopen(path, "wb");
	if (f == NULL) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, strerror(errno));
		return -1;
	}
	fwrite(hdr, 1, hlen, f);
	fwrite(p, 1, n, f);
	fclose(f);
	return 0;
}

/* The label as fuzz_fta.c reads it, then the SCCP message around the TCAP. */
static void
seed_fta(const char *dir, const struct jitsim_frame_iter *it)
{
	uint8_t buf[1024];
	const uint8_t label[6] = {(uint8_t)(it->opc >> 8),
				  (uint8_t)it->opc,
				  (uint8_t)(it->dpc >> 8),
				  (uint8_t)it->dpc,
				  it->si,
				  (uint8_t)((it->ni & 3) | (it->sls & 0xf) << 2)};
	struct jitsim_sccp s = it->sccp;
	struct jitsim_wbuf w;

	if (it->sccp.data_len > 512 || it->sccp.has_segmentation)
		return;
	/* The codec writes UDT and XUDT only (LUDT is relayed by no one here). */
	if (s.msg_type != JITSIM_SCCP_UDT && s.msg_type != JITSIM_SCCP_XUDT)
		return;
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - it->sccp.data_len);
	if (jitsim_wbuf_put(&w, it->sccp.data, it->sccp.data_len) != 0 ||
	    jitsim_sccp_encode(&w, &s) != JITSIM_R_OK)
		return;
	write_seed(dir, "fta", label, sizeof(label), jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
}

static int
seed_capture(const char *dir, const char *path)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	uint8_t hdr[3] = {0};
	pcap_t *pc = pcap_open_offline(path, err);
	int dlt;

	if (pc == NULL) {
		fprintf(stderr, "mkseeds: %s: %s\n", path, err);
		return -1;
	}
	dlt = pcap_datalink(pc);
	for (unsigned int i = 0; i < sizeof(dlts) / sizeof(dlts[0]); i++)
		if (dlts[i] == (uint32_t)dlt)
			hdr[0] = (uint8_t)i;
	while (pcap_next_ex(pc, &h, &data) == 1) {
		struct jitsim_frame_iter it;
		struct jitsim_msg m;
		enum jitsim_reason r;

		hdr[1] = (uint8_t)(h->caplen >> 8);
		hdr[2] = (uint8_t)h->caplen;
		if (write_seed(dir, "frame", hdr, 3, data, h->caplen) != 0)
			break;
		jitsim_frame_iter_init(&it, (uint32_t)dlt, data, h->caplen, NULL, 0);
		while ((r = jitsim_frame_next(&it, &m)) != JITSIM_R_END) {
			if (r != JITSIM_R_OK)
				continue;
			if (m.proto == JITSIM_MSG_DIAMETER)
				write_seed(dir, "diameter", hdr, 0,
					   m.diam.hdr.avps - JITSIM_DIAM_HDR_LEN,
					   m.diam.hdr.length);
			else if (m.map.comp_index == 0 && !m.map.reassembled) {
				write_seed(dir, "tcap", hdr, 0, it.sccp.data, it.sccp.data_len);
				seed_fta(dir, &it);
			}
		}
	}
	pcap_close(pc);
	return 0;
}

int
main(int argc, char **argv)
{
	static const char *const targets[] = {"frame", "diameter", "tcap", "fta"};

	if (argc < 3) {
		fprintf(stderr, "usage: mkseeds OUTDIR CAPTURE...\n");
		return 2;
	}
	mkdir(argv[1], 0755);
	for (unsigned int i = 0; i < sizeof(targets) / sizeof(targets[0]); i++) {
		char path[4096];

		snprintf(path, sizeof(path), "%s/%s", argv[1], targets[i]);
		mkdir(path, 0755);
	}
	for (int i = 2; i < argc; i++)
		if (seed_capture(argv[1], argv[i]) != 0)
			return 1;
	return 0;
}
