/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PKTGEN_PCAPW_H
#define JITSIM_PKTGEN_PCAPW_H

/**
 * @file
 * Output files that appear whole or not at all, and the pcap writer on top.
 *
 * A file is written to "DIR/.NAME.XXXXXX" (mkstemp) through a large
 * user-space buffer (one write(2) per buffer, no stdio) and renamed to
 * DIR/NAME by jitsim_pktgen_ofile_commit(): a failed or interrupted run
 * leaves no partial NAME behind (rename(2) is atomic within a directory).
 *
 * pcap: the classic format with nanosecond timestamps (magic 0xa1b23c4d),
 * written little-endian whatever the host, so the same seed gives the same
 * bytes everywhere. Frames can be encoded straight into the buffer
 * (jitsim_pktgen_pcapw_reserve() + _put()), saving a copy per packet.
 *
 * Thread-safety: a file belongs to one thread.
 */

#include <errno.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <string.h>

/**
 * Default buffer: big enough that write(2) costs nothing per packet (a
 * thousand frames a call), small enough to stay in the core's L2 cache:
 * frames are written into warm lines and the kernel copies them out from
 * there. 4 MiB (out of cache by the time they were written again) cost
 * about a tenth more CPU time.
 */
#define JITSIM_PKTGEN_OFILE_BUF (256u << 10)
/** pcap record header size (ts_sec, ts_nsec, caplen, len). */
#define JITSIM_PKTGEN_PCAP_REC_HDR 16
#define JITSIM_PKTGEN_PCAP_SNAPLEN 65535

struct jitsim_pktgen_ofile {
	int fd;
	int err; /**< first error (negative errno), sticky */
	uint8_t *buf;
	size_t cap;
	size_t len;
	uint64_t written; /**< bytes handed to write(2) */
	char tmp[4096];
	char path[4096];
};

/**
 * Create the temporary file for DIR/NAME, mode @p mode (applied before any
 * byte is written: the key file is never world-readable).
 * @return 0 or negative errno.
 */
int jitsim_pktgen_ofile_open(struct jitsim_pktgen_ofile *f, const char *dir, const char *name,
			     size_t bufsize, unsigned int mode);

/** Flush the buffer; 0 or the sticky negative errno. */
int jitsim_pktgen_ofile_flush(struct jitsim_pktgen_ofile *f);

/** Append @p n bytes. @return 0 or negative errno (sticky). */
int jitsim_pktgen_ofile_write(struct jitsim_pktgen_ofile *f, const void *p, size_t n);

/**
 * Room for up to @p max bytes at the end of the buffer: where to write them
 * in place. NULL on a write error, or when @p max exceeds the whole buffer
 * (then -ENOSPC, sticky).
 */
static inline char *
jitsim_pktgen_ofile_reserve(struct jitsim_pktgen_ofile *f, size_t max)
{
	if (max > f->cap) {
		if (f->err == 0)
			f->err = -ENOSPC;
		return NULL;
	}
	if (f->cap - f->len < max && jitsim_pktgen_ofile_flush(f) != 0)
		return NULL;
	return (char *)f->buf + f->len;
}

/** Keep the @p n bytes written at the place jitsim_pktgen_ofile_reserve() gave. */
static inline void
jitsim_pktgen_ofile_advance(struct jitsim_pktgen_ofile *f, size_t n)
{
	f->len += n;
}

/** printf into the file (lines up to 4 KiB). */
int jitsim_pktgen_ofile_printf(struct jitsim_pktgen_ofile *f, const char *fmt, ...)
	__attribute__((format(printf, 2, 3)));

/** Flush, fsync, close, rename into place. On failure the temporary is removed. */
int jitsim_pktgen_ofile_commit(struct jitsim_pktgen_ofile *f);

/** Close and remove the temporary (safe after a failed open or a commit). */
void jitsim_pktgen_ofile_abort(struct jitsim_pktgen_ofile *f);

/** Open DIR/NAME as a pcap file (link type @p dlt) and write its global header. */
int jitsim_pktgen_pcapw_open(struct jitsim_pktgen_ofile *f, const char *dir, const char *name,
			     uint32_t dlt);

static inline void
jitsim_pktgen_le32(uint8_t *p, uint32_t v)
{
#if defined(__BYTE_ORDER__) && __BYTE_ORDER__ == __ORDER_LITTLE_ENDIAN__
	/* One store: the compiler does not always merge the four below. */
	memcpy(p, &v, 4);
#else
	p[0] = (uint8_t)v;
	p[1] = (uint8_t)(v >> 8);
	p[2] = (uint8_t)(v >> 16);
	p[3] = (uint8_t)(v >> 24);
#endif
}

/**
 * Room for a frame of up to @p max bytes: returns where to encode it
 * (after the record header), or NULL as jitsim_pktgen_ofile_reserve().
 */
static inline uint8_t *
jitsim_pktgen_pcapw_reserve(struct jitsim_pktgen_ofile *f, size_t max)
{
	char *p = jitsim_pktgen_ofile_reserve(f, JITSIM_PKTGEN_PCAP_REC_HDR + max);

	return p == NULL ? NULL : (uint8_t *)p + JITSIM_PKTGEN_PCAP_REC_HDR;
}

/** Commit the frame of @p len bytes encoded at the reserved place. */
static inline void
jitsim_pktgen_pcapw_put(struct jitsim_pktgen_ofile *f, uint64_t ts_ns, size_t len)
{
	uint8_t *h = f->buf + f->len;

	jitsim_pktgen_le32(h, (uint32_t)(ts_ns / 1000000000u));
	jitsim_pktgen_le32(h + 4, (uint32_t)(ts_ns % 1000000000u));
	jitsim_pktgen_le32(h + 8, (uint32_t)len);
	jitsim_pktgen_le32(h + 12, (uint32_t)len);
	f->len += JITSIM_PKTGEN_PCAP_REC_HDR + len;
}

/** Copy a whole frame in. @return 0 or negative errno. */
static inline int
jitsim_pktgen_pcapw_frame(struct jitsim_pktgen_ofile *f, uint64_t ts_ns, const uint8_t *p,
			  size_t len)
{
	uint8_t *d = jitsim_pktgen_pcapw_reserve(f, len);

	if (d == NULL)
		return f->err;
	memcpy(d, p, len);
	jitsim_pktgen_pcapw_put(f, ts_ns, len);
	return 0;
}

#endif /* JITSIM_PKTGEN_PCAPW_H */
