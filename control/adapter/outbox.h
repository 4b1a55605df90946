/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The outbox adapter backend (docs/adapters.md): every order becomes one
 * JSON line appended to a file, for batch pickup by operators without a
 * provisioning API:
 *
 *   {"job":42,"op":"provision","imsi":"001010000000001","msisdn":"447700900001",
 *    "iccid":"8944...","region":3,"hlr":"hlr-uk","tariff":"iot-basic",
 *    "flow":"voice","ts":1764115200123}
 *
 * (one line; "msisdn" and "iccid" are null when absent, "flow" null when
 * unspecified, "ts" is CLOCK_REALTIME in milliseconds.) No secret and no
 * secret handle is ever written.
 *
 * Durability: the line is written (one write(2), O_APPEND) and the file
 * fdatasync'ed before the order completes with 0; the orders of a batch
 * (adapter.h start_many) go in one write(2), and concurrent writers share
 * one fdatasync (group commit). A failed write is cut off again
 * (ftruncate to the previous size); a failed fdatasync makes the outbox
 * fail every later order with -EIO and report unhealthy (the state of the
 * page cache is unknown after it), until reopened.
 *
 * Crash: a final line without '\n' (a write cut short) is truncated away
 * at open and logged.
 *
 * Duplicates: the same order twice gives two lines with the same "job"
 * and "op"; the consumer de-duplicates on (job, op).
 *
 * Rotation (optional): when the file exceeds rotate_bytes after a line,
 * it is synced, renamed to FILE.N (N = 1, 2, ...: the first free number)
 * and a new FILE is created.
 *
 * Thread-safety: the backend serialises its own writers; use it through
 * jitsim_adapter_new(&jitsim_outbox_ops, ob, ...).
 */

#ifndef JITSIM_OUTBOX_H
#define JITSIM_OUTBOX_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"

struct jitsim_outbox_opts {
	const char *path;      /* the file (created 0640 if missing) */
	uint64_t rotate_bytes; /* 0: never rotate */
	/* Log sink for operator messages (repairs, rotation, errors); NULL:
	 * stderr. */
	void (*log)(void *arg, const char *msg);
	void *log_arg;
	/* fdatasync(2) replacement for tests (NULL: fdatasync). */
	int (*sync)(int fd);
};

struct jitsim_outbox_stats {
	uint64_t lines;		 /* lines written */
	uint64_t syncs;		 /* fdatasync calls that succeeded */
	uint64_t repaired_bytes; /* cut off at open */
	uint64_t rotations;
	uint64_t size; /* current file size */
};

struct jitsim_outbox;

extern const struct jitsim_adapter_ops jitsim_outbox_ops;

/*
 * Open (create) the outbox file, repair a partial last line. 0 or
 * negative errno with @err naming the file: -errno of open/fstat/
 * ftruncate/fdatasync, -EINVAL no path.
 */
int jitsim_outbox_open(const struct jitsim_outbox_opts *o, struct jitsim_outbox **out, char *err,
		       size_t errlen);

/* Close (what jitsim_outbox_ops.destroy does). */
void jitsim_outbox_close(struct jitsim_outbox *ob);

void jitsim_outbox_stats(struct jitsim_outbox *ob, struct jitsim_outbox_stats *st);

/*
 * The line of @o for @op (without '\n') into @buf, at time @ts_ms.
 * Length, or -ENOSPC when @size is too small, -ENOMEM.
 */
int jitsim_outbox_format(const struct jitsim_prov_order *o, enum jitsim_prov_op op, uint64_t ts_ms,
			 char *buf, size_t size);

#endif /* JITSIM_OUTBOX_H */
