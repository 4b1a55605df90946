/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <errno.h>
#include <fcntl.h>
#include <stdio.h>
#include <stdlib.h>
#include <sys/stat.h>
#include <unistd.h>

#include "pcapw.h"

int
jitsim_pktgen_ofile_open(struct jitsim_pktgen_ofile *f, const char *dir, const char *name,
			 size_t bufsize, unsigned int mode)
{
	memset(f, 0, sizeof(*f));
	f->fd = -1;
	if ((size_t)snprintf(f->path, sizeof(f->path), "%s/%s", dir, name) >= sizeof(f->path) ||
	    (size_t)snprintf(f->tmp, sizeof(f->tmp), "%s/.%s.XXXXXX", dir, name) >= sizeof(f->tmp))
		return f->err = -ENAMETOOLONG;
	f->buf = malloc(bufsize);
	if (f->buf == NULL)
		return f->err = -ENOMEM;
	f->cap = bufsize;
	f->fd = mkstemp(f->tmp);
	if (f->fd < 0) {
		f->err = -errno;
		f->tmp[0] = '\0';
		return f->err;
	}
	if (fchmod(f->fd, (mode_t)mode) != 0)
		return f->err = -errno;
	return 0;
}

int
jitsim_pktgen_ofile_flush(struct jitsim_pktgen_ofile *f)
{
	size_t off = 0;

	if (f->err)
		return f->err;
	while (off < f->len) {
		ssize_t n = write(f->fd, f->buf + off, f->len - off);

		if (n < 0 && errno == EINTR)
			continue;
		if (n <= 0)
			return f->err = n < 0 ? -errno : -EIO;
		off += (size_t)n;
	}
	f->written += f->len;
	f->len = 0;
	return 0;
}

int
jitsim_pktgen_ofile_write(struct jitsim_pktgen_ofile *f, const void *p, size_t n)
{
	const uint8_t *s = p;

	while (n > 0) {
		size_t room;

		if (f->len == f->cap && jitsim_pktgen_ofile_flush(f) != 0)
			return f->err;
		room = f->cap - f->len < n ? f->cap - f->len : n;
		memcpy(f->buf + f->len, s, room);
		f->len += room;
		s += room;
		n -= room;
	}
	return f->err;
}

int
jitsim_pktgen_ofile_printf(struct jitsim_pktgen_ofile *f, const char *fmt, ...)
{
	char line[4096];
	va_list ap;
	int n;

	va_start(ap, fmt);
	n = vsnprintf(line, sizeof(line), fmt, ap);
	va_end(ap);
	if (n < 0 || (size_t)n >= sizeof(line))
		return f->err = f->err ? f->err : -EOVERFLOW;
	return jitsim_pktgen_ofile_write(f, line, (size_t)n);
}

int
jitsim_pktgen_ofile_commit(struct jitsim_pktgen_ofile *f)
{
	int rc = jitsim_pktgen_ofile_flush(f);

	/* Data before the name: a crash never exposes a renamed empty file. */
	if (rc == 0 && fsync(f->fd) != 0)
		rc = -errno;
	if (f->fd >= 0 && close(f->fd) != 0 && rc == 0)
		rc = -errno;
	f->fd = -1;
	if (rc == 0 && rename(f->tmp, f->path) != 0)
		rc = -errno;
	if (rc == 0)
		f->tmp[0] = '\0';
	else
		f->err = rc;
	jitsim_pktgen_ofile_abort(f);
	return rc;
}

void
jitsim_pktgen_ofile_abort(struct jitsim_pktgen_ofile *f)
{
	if (f->fd >= 0)
		close(f->fd);
	f->fd = -1;
	if (f->tmp[0])
		unlink(f->tmp);
	f->tmp[0] = '\0';
	free(f->buf);
	f->buf = NULL;
	f->cap = f->len = 0;
}

int
jitsim_pktgen_pcapw_open(struct jitsim_pktgen_ofile *f, const char *dir, const char *name,
			 uint32_t dlt)
{
	uint8_t h[24];
	int rc = jitsim_pktgen_ofile_open(f, dir, name, JITSIM_PKTGEN_OFILE_BUF, 0644);

	if (rc != 0)
		return rc;
	/* pcap global header: nanosecond magic, version 2.4, no zone, snaplen, link type. */
	jitsim_pktgen_le32(h, 0xa1b23c4du);
	h[4] = 2;
	h[5] = 0;
	h[6] = 4;
	h[7] = 0;
	jitsim_pktgen_le32(h + 8, 0);
	jitsim_pktgen_le32(h + 12, 0);
	jitsim_pktgen_le32(h + 16, JITSIM_PKTGEN_PCAP_SNAPLEN);
	jitsim_pktgen_le32(h + 20, dlt);
	return jitsim_pktgen_ofile_write(f, h, sizeof(h));
}
