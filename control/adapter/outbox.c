/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The outbox backend (outbox.h): JSON lines, durable before acknowledged.
 *
 * Group commit: writers append under the lock and take a sequence
 * number; one of them at a time runs fdatasync outside the lock for
 * everything written so far, the others wait for the synced sequence to
 * pass theirs. The fd is only replaced (rotation) while no sync runs.
 */

#include <jitsim/errmsg.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <libgen.h>
#include <limits.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include "outbox.h"

#define OUTBOX_LINE_MAX 512 /* every field is bounded: a line is < 300 bytes */
#define OUTBOX_SCAN_CHUNK 4096
#define OUTBOX_ROTATE_MAX 100000 /* FILE.N numbers tried */

struct jitsim_outbox {
	char *path;
	int fd;
	uint64_t rotate_bytes;
	void (*log)(void *arg, const char *msg);
	void *log_arg;
	int (*sync)(int fd);

	pthread_mutex_t lock;
	pthread_cond_t synced;
	uint64_t written_seq, synced_seq;
	bool syncing;
	int failed; /* sticky negative errno after a failed sync */
	struct jitsim_outbox_stats st;
};

static void __attribute__((format(printf, 2, 3)))
outbox_log(const struct jitsim_outbox *ob, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	if (ob->log != NULL)
		ob->log(ob->log_arg, msg);
	else
		fprintf(stderr, "%s\n", msg);
}

static int
outbox_sync(const struct jitsim_outbox *ob, int fd)
{
	int r = ob->sync != NULL ? ob->sync(fd) : fdatasync(fd);

	if (r == 0)
		return 0;
	return errno != 0 ? -errno : -EIO;
}

/* Make a creation or rename in the file's directory durable. */
static int
outbox_sync_dir(const char *path)
{
	char buf[PATH_MAX];
	int fd, r;

	if (snprintf(buf, sizeof(buf), "%s", path) >= (int)sizeof(buf))
		return -ENAMETOOLONG;
	fd = open(dirname(buf), O_RDONLY | O_DIRECTORY | O_CLOEXEC);
	if (fd < 0)
		return -errno;
	r = fsync(fd) == 0 ? 0 : -errno;
	close(fd);
	return r;
}

/* ---- line format ---- */

static const char *const outbox_flow_names[] = {NULL, "voice", "data_only"};

static int
outbox_put_opt(char *buf, size_t size, const char *key, const char *v)
{
	return v[0] != '\0' ? snprintf(buf, size, ",\"%s\":\"%s\"", key, v)
			    : snprintf(buf, size, ",\"%s\":null", key);
}

int
jitsim_outbox_format(const struct jitsim_prov_order *o, enum jitsim_prov_op op, uint64_t ts_ms,
		     char *buf, size_t size)
{
	size_t n = 0;
	int w;

	/* The checks make every string digits or [A-Za-z0-9._-]: nothing
	 * to escape. */
	if (jitsim_prov_order_check(o, NULL, 0) != 0 || op < JITSIM_PROV_PROVISION ||
	    op >= JITSIM_PROV_OP_MAX)
		return -EINVAL;
#define OUTBOX_APPEND(expr)                         \
	do {                                        \
		w = (expr);                         \
		if (w < 0 || (size_t)w >= size - n) \
			return -ENOSPC;             \
		n += (size_t)w;                     \
	} while (0)
	if (size == 0)
		return -ENOSPC;
	OUTBOX_APPEND(snprintf(buf + n, size - n,
			       "{\"job\":%" PRIu64 ",\"op\":\"%s\",\"imsi\":\"%s\"", o->job,
			       jitsim_prov_op_name(op), o->imsi));
	OUTBOX_APPEND(outbox_put_opt(buf + n, size - n, "msisdn", o->msisdn));
	OUTBOX_APPEND(outbox_put_opt(buf + n, size - n, "iccid", o->iccid));
	OUTBOX_APPEND(
		snprintf(buf + n, size - n, ",\"region\":%u,\"hlr\":\"%s\"", o->region, o->hlr));
	OUTBOX_APPEND(outbox_put_opt(buf + n, size - n, "tariff", o->tariff));
	OUTBOX_APPEND(outbox_put_opt(buf + n, size - n, "flow",
				     o->flow ? outbox_flow_names[o->flow] : ""));
	OUTBOX_APPEND(snprintf(buf + n, size - n, ",\"ts\":%" PRIu64 "}", ts_ms));
#undef OUTBOX_APPEND
	return (int)n;
}

/* ---- open and repair ---- */

/* Cut a final line without '\n' (a write cut short by a crash). */
static int
outbox_repair(struct jitsim_outbox *ob, uint64_t size, char *err, size_t errlen)
{
	char buf[OUTBOX_SCAN_CHUNK];
	uint64_t end = size, keep = 0;
	ssize_t r;
	int rc;

	if (size == 0)
		return 0;
	r = pread(ob->fd, buf, 1, (off_t)(size - 1));
	if (r != 1) {
		jitsim_errmsg(err, errlen, "outbox %s: cannot read its last byte", ob->path);
		return r < 0 ? -errno : -EIO;
	}
	if (buf[0] == '\n')
		return 0;
	while (end > 0 && keep == 0) {
		size_t n = end > sizeof(buf) ? sizeof(buf) : (size_t)end;

		r = pread(ob->fd, buf, n, (off_t)(end - n));
		if (r != (ssize_t)n) {
			jitsim_errmsg(err, errlen, "outbox %s: read error at offset %" PRIu64,
				      ob->path, end - n);
			return r < 0 ? -errno : -EIO;
		}
		for (size_t i = n; i > 0; i--) {
			if (buf[i - 1] == '\n') {
				keep = end - n + i;
				break;
			}
		}
		end -= n;
	}
	if (ftruncate(ob->fd, (off_t)keep) != 0) {
		rc = -errno;
		jitsim_errmsg(err, errlen, "outbox %s: cannot cut the partial last line: %s",
			      ob->path, strerror(-rc));
		return rc;
	}
	rc = outbox_sync(ob, ob->fd);
	if (rc != 0) {
		jitsim_errmsg(err, errlen, "outbox %s: fdatasync: %s", ob->path, strerror(-rc));
		return rc;
	}
	ob->st.repaired_bytes = size - keep;
	outbox_log(ob,
		   "outbox %s: cut off a partial last line of %" PRIu64 " bytes at offset %" PRIu64
		   " (a write interrupted by a crash; its order was never acknowledged)",
		   ob->path, size - keep, keep);
	return 0;
}

static int
outbox_open_file(const char *path, int *fd)
{
	*fd = open(path, O_RDWR | O_APPEND | O_CREAT | O_CLOEXEC, 0640);
	return *fd < 0 ? -errno : 0;
}

int
jitsim_outbox_open(const struct jitsim_outbox_opts *o, struct jitsim_outbox **out, char *err,
		   size_t errlen)
{
	struct jitsim_outbox *ob;
	struct stat sb;
	int rc;

	*out = NULL;
	if (o == NULL || o->path == NULL || o->path[0] == '\0') {
		jitsim_errmsg(err, errlen, "outbox: no file given");
		return -EINVAL;
	}
	ob = calloc(1, sizeof(*ob));
	if (ob == NULL || (ob->path = strdup(o->path)) == NULL) {
		free(ob);
		jitsim_errmsg(err, errlen, "outbox %s: out of memory", o->path);
		return -ENOMEM;
	}
	ob->rotate_bytes = o->rotate_bytes;
	ob->log = o->log;
	ob->log_arg = o->log_arg;
	ob->sync = o->sync;
	rc = outbox_open_file(ob->path, &ob->fd);
	if (rc != 0) {
		jitsim_errmsg(err, errlen, "outbox %s: open: %s", ob->path, strerror(-rc));
		free(ob->path);
		free(ob);
		return rc;
	}
	if (fstat(ob->fd, &sb) != 0) {
		rc = -errno;
		jitsim_errmsg(err, errlen, "outbox %s: fstat: %s", ob->path, strerror(-rc));
		goto fail;
	}
	if (!S_ISREG(sb.st_mode)) {
		rc = -EINVAL;
		jitsim_errmsg(err, errlen, "outbox %s: not a regular file", ob->path);
		goto fail;
	}
	rc = outbox_repair(ob, (uint64_t)sb.st_size, err, errlen);
	if (rc != 0)
		goto fail;
	ob->st.size = (uint64_t)sb.st_size - ob->st.repaired_bytes;
	rc = outbox_sync_dir(ob->path);
	if (rc != 0) {
		jitsim_errmsg(err, errlen, "outbox %s: fsync of its directory: %s", ob->path,
			      strerror(-rc));
		goto fail;
	}
	pthread_mutex_init(&ob->lock, NULL);
	pthread_cond_init(&ob->synced, NULL);
	*out = ob;
	return 0;
fail:
	close(ob->fd);
	free(ob->path);
	free(ob);
	return rc;
}

void
jitsim_outbox_close(struct jitsim_outbox *ob)
{
	if (ob == NULL)
		return;
	close(ob->fd);
	pthread_cond_destroy(&ob->synced);
	pthread_mutex_destroy(&ob->lock);
	free(ob->path);
	free(ob);
}

void
jitsim_outbox_stats(struct jitsim_outbox *ob, struct jitsim_outbox_stats *st)
{
	pthread_mutex_lock(&ob->lock);
	*st = ob->st;
	pthread_mutex_unlock(&ob->lock);
}

/* ---- append ---- */

/* Under the lock, with no sync running: everything written is synced. */
static void
outbox_rotate(struct jitsim_outbox *ob)
{
	char name[PATH_MAX];
	struct stat sb;
	int fd, rc = outbox_sync(ob, ob->fd);
	unsigned int n;

	if (rc != 0) {
		ob->failed = rc;
		outbox_log(ob, "outbox %s: fdatasync before rotation: %s", ob->path, strerror(-rc));
		return;
	}
	ob->synced_seq = ob->written_seq;
	pthread_cond_broadcast(&ob->synced);
	for (n = 1; n <= OUTBOX_ROTATE_MAX; n++) {
		if (snprintf(name, sizeof(name), "%s.%u", ob->path, n) >= (int)sizeof(name))
			return;
		if (lstat(name, &sb) != 0 && errno == ENOENT)
			break;
	}
	if (n > OUTBOX_ROTATE_MAX || rename(ob->path, name) != 0) {
		outbox_log(ob, "outbox %s: cannot rotate, going on in the same file", ob->path);
		return;
	}
	rc = outbox_open_file(ob->path, &fd);
	if (rc != 0) {
		/* The old fd still works, under its new name: keep it. */
		outbox_log(ob, "outbox %s: cannot create a new file after rotation: %s", ob->path,
			   strerror(-rc));
		return;
	}
	close(ob->fd);
	ob->fd = fd;
	ob->st.size = 0;
	ob->st.rotations++;
	if (outbox_sync_dir(ob->path) != 0)
		outbox_log(ob, "outbox %s: fsync of its directory failed after rotation", ob->path);
	outbox_log(ob, "outbox %s: rotated to %s", ob->path, name);
}

/* @n bytes holding @lines whole lines: one write(2), then the group
 * commit. */
static int
outbox_append(struct jitsim_outbox *ob, const char *line, size_t n, unsigned int lines)
{
	uint64_t seq;
	ssize_t w;
	int rc = 0;

	pthread_mutex_lock(&ob->lock);
	if (ob->failed != 0) {
		rc = ob->failed;
		goto out;
	}
	do {
		w = write(ob->fd, line, n);
	} while (w < 0 && errno == EINTR);
	if (w != (ssize_t)n) {
		rc = w < 0 ? -errno : -EIO;
		/* Cut a partial line at once: a later line must not be glued
		 * to it. If even that fails, stop writing. */
		if (w > 0 && ftruncate(ob->fd, (off_t)ob->st.size) != 0) {
			ob->failed = -EIO;
			outbox_log(ob, "outbox %s: cannot cut a partial line; outbox stopped",
				   ob->path);
		}
		outbox_log(ob, "outbox %s: write: %s", ob->path, strerror(-rc));
		goto out;
	}
	ob->st.size += n;
	ob->st.lines += lines;
	seq = ++ob->written_seq;
	while (ob->synced_seq < seq && ob->failed == 0) {
		if (ob->syncing) {
			pthread_cond_wait(&ob->synced, &ob->lock);
			continue;
		}
		uint64_t target = ob->written_seq;
		int fd = ob->fd;

		ob->syncing = true;
		pthread_mutex_unlock(&ob->lock);
		rc = outbox_sync(ob, fd);
		pthread_mutex_lock(&ob->lock);
		ob->syncing = false;
		if (rc == 0) {
			ob->synced_seq = target;
			ob->st.syncs++;
		} else {
			ob->failed = rc;
			outbox_log(ob,
				   "outbox %s: fdatasync: %s; outbox stopped (lines since the last "
				   "sync may be lost)",
				   ob->path, strerror(-rc));
		}
		pthread_cond_broadcast(&ob->synced);
	}
	rc = ob->synced_seq >= seq ? 0 : ob->failed;
	if (rc == 0 && ob->rotate_bytes != 0 && ob->st.size >= ob->rotate_bytes && !ob->syncing)
		outbox_rotate(ob);
out:
	pthread_mutex_unlock(&ob->lock);
	return rc;
}

static uint64_t
outbox_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_REALTIME, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static int
outbox_run(void *ctx, enum jitsim_prov_op op, const struct jitsim_prov_order *o,
	   struct jitsim_adapter_call *c)
{
	struct jitsim_outbox *ob = ctx;
	char line[OUTBOX_LINE_MAX];
	int n, rc;

	n = jitsim_outbox_format(o, op, outbox_now_ms(), line, sizeof(line) - 1);
	if (n < 0)
		return n;
	line[n++] = '\n';
	rc = outbox_append(ob, line, (size_t)n, 1);
	jitsim_adapter_complete(c, rc, rc == 0 ? "written to the outbox" : "outbox write failed");
	return 0;
}

/* A batch from the runner: its lines in one write and one fdatasync, so
 * that the sync cost is shared by up to batch_max orders instead of the
 * max_inflight orders that one line per call allows. An order the format
 * refuses (cannot happen after the runner's check) fails alone. */
static int
outbox_start_many(void *ctx, struct jitsim_adapter_call *const *c, unsigned int n)
{
	struct jitsim_outbox *ob = ctx;
	const uint64_t ts = outbox_now_ms();
	char *buf = malloc((size_t)n * OUTBOX_LINE_MAX);
	int bad[JITSIM_ADAPTER_BATCH_MAX];
	unsigned int lines = 0;
	size_t len = 0;
	int rc;

	if (buf == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; i < n; i++) {
		int w = jitsim_outbox_format(jitsim_adapter_call_order(c[i]),
					     jitsim_adapter_call_op(c[i]), ts, buf + len,
					     OUTBOX_LINE_MAX - 1);

		bad[i] = w < 0 ? w : 0;
		if (w < 0)
			continue;
		len += (size_t)w;
		buf[len++] = '\n';
		lines++;
	}
	rc = lines > 0 ? outbox_append(ob, buf, len, lines) : 0;
	free(buf);
	for (unsigned int i = 0; i < n; i++) {
		if (bad[i] != 0)
			jitsim_adapter_complete(c[i], bad[i], "order not formattable");
		else
			jitsim_adapter_complete(c[i], rc,
						rc == 0 ? "written to the outbox"
							: "outbox write failed");
	}
	return 0;
}

static int
outbox_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return outbox_run(ctx, JITSIM_PROV_PROVISION, o, c);
}

static int
outbox_deprovision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return outbox_run(ctx, JITSIM_PROV_DEPROVISION, o, c);
}

static int
outbox_update(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return outbox_run(ctx, JITSIM_PROV_UPDATE, o, c);
}

static int
outbox_health(void *ctx, char *msg, size_t msglen)
{
	struct jitsim_outbox *ob = ctx;
	struct stat sb;
	int rc;

	pthread_mutex_lock(&ob->lock);
	rc = ob->failed;
	if (rc != 0) {
		jitsim_errmsg(msg, msglen, "outbox %s: stopped after a failed write or sync: %s",
			      ob->path, strerror(-rc));
	} else if (fstat(ob->fd, &sb) != 0 || sb.st_nlink == 0) {
		rc = -ENOENT;
		jitsim_errmsg(msg, msglen, "outbox %s: the file was removed", ob->path);
	} else if (access(ob->path, W_OK) != 0) {
		rc = -errno;
		jitsim_errmsg(msg, msglen, "outbox %s: not writable: %s", ob->path, strerror(-rc));
	} else {
		jitsim_errmsg(msg, msglen, "outbox %s: ok, %" PRIu64 " bytes", ob->path,
			      ob->st.size);
	}
	pthread_mutex_unlock(&ob->lock);
	return rc;
}

static void
outbox_destroy(void *ctx)
{
	jitsim_outbox_close(ctx);
}

const struct jitsim_adapter_ops jitsim_outbox_ops = {
	.name = "outbox",
	.provision = outbox_provision,
	.deprovision = outbox_deprovision,
	.update = outbox_update,
	.health = outbox_health,
	.destroy = outbox_destroy,
	.start_many = outbox_start_many,
	.batch_max = JITSIM_ADAPTER_BATCH_MAX,
};
