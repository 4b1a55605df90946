/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#ifndef JITSIM_PROTO_WBUF_H
#define JITSIM_PROTO_WBUF_H

/**
 * @file
 * Write buffer for the encoders: caller-owned memory with headroom, like an
 * rte_mbuf. Inner layers are written first; outer layers prepend their
 * headers (jitsim_wbuf_prepend) and append their trailers and padding
 * (jitsim_wbuf_append). Every encoder fails cleanly with JITSIM_R_NOSPACE
 * when the buffer is too small, leaving the data it had before unchanged in
 * length (contents of the free space are unspecified).
 *
 * Thread-safety: a wbuf belongs to one thread.
 */

#include <stddef.h>
#include <stdint.h>
#include <string.h>

#include <jitsim/proto/bytes.h>

struct jitsim_wbuf {
	uint8_t *buf; /**< caller memory */
	size_t cap;   /**< size of buf */
	size_t head;  /**< first byte of data */
	size_t tail;  /**< one past the last byte of data */
};

/** Start empty with @p headroom bytes free in front of the data. */
static inline void
jitsim_wbuf_init(struct jitsim_wbuf *w, uint8_t *buf, size_t cap, size_t headroom)
{
	w->buf = buf;
	w->cap = cap;
	w->head = w->tail = headroom <= cap ? headroom : cap;
}

static inline size_t
jitsim_wbuf_len(const struct jitsim_wbuf *w)
{
	return w->tail - w->head;
}

static inline uint8_t *
jitsim_wbuf_data(const struct jitsim_wbuf *w)
{
	return w->buf + w->head;
}

/** Reserve @p n bytes in front of the data; NULL if the headroom is too small. */
static inline uint8_t *
jitsim_wbuf_prepend(struct jitsim_wbuf *w, size_t n)
{
	if (n > w->head)
		return NULL;
	w->head -= n;
	return w->buf + w->head;
}

/** Reserve @p n bytes after the data; NULL if the tailroom is too small. */
static inline uint8_t *
jitsim_wbuf_append(struct jitsim_wbuf *w, size_t n)
{
	if (n > w->cap - w->tail)
		return NULL;
	w->tail += n;
	return w->buf + w->tail - n;
}

/** Append a copy of @p n bytes; 0 or -1 when there is no room. */
static inline int
jitsim_wbuf_put(struct jitsim_wbuf *w, const void *p, size_t n)
{
	uint8_t *d = jitsim_wbuf_append(w, n);

	if (d == NULL)
		return -1;
	if (n)
		memcpy(d, p, n);
	return 0;
}

#endif /* JITSIM_PROTO_WBUF_H */
