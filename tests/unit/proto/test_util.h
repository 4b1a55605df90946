/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_TEST_UTIL_H
#define JITSIM_TEST_UTIL_H

/*
 * Helpers shared by the codec unit tests. Include after <cmocka.h>'s
 * prerequisites (stdarg, stddef, setjmp, stdint).
 */

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jitsim/proto/reason.h>

/** Parse hex ("0a 1b2c", spaces/newlines/colons ignored) into @p out; fails the test on bad input.
 */
size_t test_hex(const char *hex, uint8_t *out, size_t cap);

/** Decoder under test: returns a reason; ctx is free for the caller. */
typedef enum jitsim_reason (*test_decode_fn)(const uint8_t *p, size_t len, void *ctx);

/**
 * For every prefix length 0..len-1 of @p msg, copy the prefix into a heap
 * buffer of exactly that size (so ASan flags any read past it) and assert
 * that @p fn does not return JITSIM_R_OK. When @p allow_ok is non-NULL, it is
 * called for prefix lengths at which OK is legitimate (e.g. a valid shorter
 * message); it returns true to accept OK there.
 */
void test_truncations(const uint8_t *msg, size_t len, test_decode_fn fn, void *ctx,
		      bool (*allow_ok)(size_t prefix_len, void *ctx));

/** Copy into an exactly-sized heap buffer and decode (for ASan). */
enum jitsim_reason test_decode_exact(const uint8_t *msg, size_t len, test_decode_fn fn, void *ctx);

/** Directory of the reference captures; fails the test if unset or missing. */
const char *test_traces_dir(void);

/** Called for every packet of a capture: frame number (1-based), link type, data. */
typedef void (*test_pcap_cb)(unsigned int frame_no, int dlt, const uint8_t *p, size_t len,
			     void *ctx);

/** Read every packet of a pcap/pcapng file (libpcap); returns the packet count. */
unsigned int test_pcap_foreach(const char *path, test_pcap_cb cb, void *ctx);

/** test_pcap_foreach() over capture @p file of the traces directory. */
unsigned int test_capture_foreach(const char *file, test_pcap_cb cb, void *ctx);

/**
 * Frame @p no (1-based) of capture @p file (a name in the traces directory),
 * as a heap copy of exactly its size that the caller frees. Fails the test
 * when the capture has no such frame. @p dlt may be NULL.
 */
uint8_t *test_pcap_frame(const char *file, unsigned int no, size_t *len, int *dlt);

/**
 * User data of the last DATA chunk (after any SACK) of an IP/SCTP frame of
 * link type @p dlt, with its PPID; NULL when the frame has none.
 */
const uint8_t *test_sctp_user_data(int dlt, const uint8_t *p, size_t len, size_t *out_len,
				   uint32_t *ppid);

#endif /* JITSIM_TEST_UTIL_H */
