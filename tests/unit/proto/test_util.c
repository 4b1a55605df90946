/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>

#include <cmocka.h>
#include <pcap/pcap.h>

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/sctp.h>

#include "test_util.h"

static int
hexval(char c)
{
	if (c >= '0' && c <= '9')
		return c - '0';
	if (c >= 'a' && c <= 'f')
		return c - 'a' + 10;
	if (c >= 'A' && c <= 'F')
		return c - 'A' + 10;
	return -1;
}

size_t
test_hex(const char *hex, uint8_t *out, size_t cap)
{
	size_t n = 0;
	int hi = -1;

	for (; *hex; hex++) {
		int v;

		if (*hex == ' ' || *hex == '\n' || *hex == '\t' || *hex == ':')
			continue;
		v = hexval(*hex);
		if (v < 0)
			fail_msg("bad hex character '%c'", *hex);
		if (hi < 0) {
			hi = v;
			continue;
		}
		if (n >= cap)
			fail_msg("hex string longer than %zu bytes", cap);
		out[n++] = (uint8_t)(hi << 4 | v);
		hi = -1;
	}
	if (hi >= 0)
		fail_msg("odd number of hex digits");
	return n;
}

enum jitsim_reason
test_decode_exact(const uint8_t *msg, size_t len, test_decode_fn fn, void *ctx)
{
	/* malloc(0) may return NULL; keep one byte but pass the true length. */
	uint8_t *copy = malloc(len ? len : 1);
	enum jitsim_reason r;

	assert_non_null(copy);
	if (len)
		memcpy(copy, msg, len);
	r = fn(copy, len, ctx);
	free(copy);
	return r;
}

void
test_truncations(const uint8_t *msg, size_t len, test_decode_fn fn, void *ctx,
		 bool (*allow_ok)(size_t prefix_len, void *ctx))
{
	for (size_t i = 0; i < len; i++) {
		enum jitsim_reason r = test_decode_exact(msg, i, fn, ctx);

		if (r == JITSIM_R_OK && allow_ok != NULL && allow_ok(i, ctx))
			continue;
		if (r == JITSIM_R_OK)
			fail_msg("prefix of %zu of %zu bytes decoded as OK", i, len);
	}
}

const char *
test_traces_dir(void)
{
	const char *d = getenv("JITSIM_TRACES_DIR");
	struct stat st;

	if (d == NULL || stat(d, &st) != 0 || !S_ISDIR(st.st_mode))
		fail_msg("JITSIM_TRACES_DIR (%s) is not a directory: the reference "
			 "captures (../shared/traces) are required",
			 d ? d : "unset");
	return d;
}

unsigned int
test_pcap_foreach(const char *path, test_pcap_cb cb, void *ctx)
{
	char err[PCAP_ERRBUF_SIZE];
	struct pcap_pkthdr *h;
	const u_char *data;
	unsigned int n = 0;
	pcap_t *pc;
	int dlt;

	pc = pcap_open_offline(path, err);
	if (pc == NULL)
		fail_msg("cannot open %s: %s", path, err);
	dlt = pcap_datalink(pc);
	while (pcap_next_ex(pc, &h, &data) == 1) {
		/* Hand over an exact-size copy so ASan sees reads past the frame. */
		uint8_t *copy = malloc(h->caplen ? h->caplen : 1);

		assert_non_null(copy);
		memcpy(copy, data, h->caplen);
		cb(++n, dlt, copy, h->caplen, ctx);
		free(copy);
	}
	pcap_close(pc);
	return n;
}

struct pick {
	unsigned int want;
	uint8_t *buf;
	size_t len;
	int dlt;
};

static void
pick_cb(unsigned int no, int dlt, const uint8_t *p, size_t len, void *ctx)
{
	struct pick *pk = ctx;

	if (no != pk->want)
		return;
	pk->buf = malloc(len ? len : 1);
	assert_non_null(pk->buf);
	memcpy(pk->buf, p, len);
	pk->len = len;
	pk->dlt = dlt;
}

unsigned int
test_capture_foreach(const char *file, test_pcap_cb cb, void *ctx)
{
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", test_traces_dir(), file);
	return test_pcap_foreach(path, cb, ctx);
}

uint8_t *
test_pcap_frame(const char *file, unsigned int no, size_t *len, int *dlt)
{
	struct pick pk = {.want = no};
	char path[4096];

	snprintf(path, sizeof(path), "%s/%s", test_traces_dir(), file);
	test_pcap_foreach(path, pick_cb, &pk);
	if (pk.buf == NULL)
		fail_msg("%s has no frame %u", file, no);
	*len = pk.len;
	if (dlt != NULL)
		*dlt = pk.dlt;
	return pk.buf;
}

const uint8_t *
test_sctp_user_data(int dlt, const uint8_t *p, size_t len, size_t *out_len, uint32_t *ppid)
{
	struct jitsim_sctp_chunk_iter it;
	struct jitsim_sctp_chunk c;
	struct jitsim_sctp_data d;
	const uint8_t *r = NULL;
	struct jitsim_sctp s;
	struct jitsim_link l;
	struct jitsim_ip ip;

	if (jitsim_link_decode((uint32_t)dlt, p, len, &l) != JITSIM_R_OK ||
	    jitsim_ip_decode(l.payload, l.payload_len, &ip) != JITSIM_R_OK ||
	    ip.proto != JITSIM_IPPROTO_SCTP ||
	    jitsim_sctp_decode(ip.payload, ip.payload_len, &s) != JITSIM_R_OK)
		return NULL;
	jitsim_sctp_chunk_iter_init(&it, &s);
	while (jitsim_sctp_chunk_next(&it, &c) == JITSIM_R_OK)
		if (jitsim_sctp_data_decode(&c, &d) == JITSIM_R_OK) {
			r = d.payload;
			*out_len = d.payload_len;
			*ppid = d.ppid;
		}
	return r;
}
