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
