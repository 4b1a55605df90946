/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The control socket server that jitsim-cp embeds (protocol:
 * docs/control-socket.md; client: jitsimctl, docs/jitsimctl.md).
 *
 * A Unix stream socket, one JSON object per line each way. Modules register
 * their commands with a handler and a help text, as DPDK modules register
 * telemetry commands; "help" and "ping" are built in. Peers are checked with
 * SO_PEERCRED at accept: uid 0, our own uid, or a member (primary or
 * supplementary group) of the configured group.
 *
 * Threading: one thread runs jitsim_ctlsrv_run(), an epoll loop over
 * non-blocking sockets (no thread per client). Handlers and the audit hook
 * are called on that thread, one at a time, so they need no locking among
 * themselves, but every client waits while one runs: a handler must answer
 * from memory or the store in well under a millisecond and hand anything
 * longer (provisioning, imports) to another thread, answering with a job id.
 *
 * Per-function thread rules are given on each function. Lifetime: create,
 * register, run (until stop), destroy.
 */

#ifndef JITSIM_CTLSRV_H
#define JITSIM_CTLSRV_H

#include <stddef.h>
#include <stdint.h>
#include <sys/types.h>

#include <jansson.h>

/* Request line limit (bytes, without the newline): longer lines get E2BIG
 * and are discarded up to their newline; the connection stays usable. */
#define JITSIM_CTLSRV_MAX_LINE (64 * 1024)
/* Default bound on a client's unsent output; a client that lets it grow
 * past this (reads too slowly) is dropped, and a single response larger
 * than this is replaced by an E2BIG error. */
#define JITSIM_CTLSRV_MAX_OUTPUT (4u * 1024 * 1024)
#define JITSIM_CTLSRV_MAX_CLIENTS 256
/* Command names: 1..JITSIM_CTLSRV_NAME_MAX-1 characters of [a-z0-9._-]. */
#define JITSIM_CTLSRV_NAME_MAX 64

struct jitsim_ctlsrv;

/* One request as a handler sees it. Valid only during the handler call. */
struct jitsim_ctl_req {
	const char *cmd; /* registered name */
	json_t *args;	 /* the whole request object (borrowed; has "cmd", maybe "id") */
	uid_t uid;	 /* peer credentials from SO_PEERCRED at accept */
	gid_t gid;
	pid_t pid;
	void *arg; /* the arg given at registration */
};

/*
 * Command handler. Returns 0 and may set *@result to a new reference (the
 * server owns it afterwards; NULL becomes JSON null), or a negative errno
 * with a human message in @err (NUL-terminated, @errlen bytes at most); the
 * errno becomes the "reason" name (jitsim_ctlsrv_reason_str()). Typical:
 * -EINVAL bad arguments (name the key), -ENOENT no such object, -EBUSY,
 * -EEXIST. A *@result set together with an error is released. Runs on the
 * loop thread; must not block (see above) and must not call run/stop/destroy.
 */
typedef int (*jitsim_ctlsrv_handler_t)(const struct jitsim_ctl_req *req, json_t **result, char *err,
				       size_t errlen);

/* Audit hook: called on the loop thread after every successful command
 * registered with jitsim_ctlsrv_register_change(), with the request (peer
 * uid inside) and the result it answered (borrowed, may be JSON null). */
typedef void (*jitsim_ctlsrv_audit_t)(void *arg, const struct jitsim_ctl_req *req,
				      const json_t *result);

/* Log sink; @level is a syslog level (LOG_ERR .. LOG_DEBUG). Called from
 * create (errors) and from the loop thread. Never given request contents. */
typedef void (*jitsim_ctlsrv_log_t)(void *arg, int level, const char *msg);

struct jitsim_ctlsrv_opts {
	const char *path;	  /* socket path (< 108 bytes); its parent is created 0750 */
	const char *group;	  /* group name or number allowed to connect, or NULL */
	unsigned int max_clients; /* 0: JITSIM_CTLSRV_MAX_CLIENTS */
	size_t max_output;	  /* 0: JITSIM_CTLSRV_MAX_OUTPUT */
	jitsim_ctlsrv_log_t log;  /* NULL: stderr, LOG_INFO and more urgent */
	void *log_arg;
};

/* Counters, written by the loop thread, readable from any thread. */
struct jitsim_ctlsrv_stats {
	uint64_t clients;  /* connected now */
	uint64_t accepted; /* connections allowed */
	uint64_t refused;  /* connections refused (credentials, too many) */
	uint64_t requests; /* request lines handled */
	uint64_t errors;   /* error responses sent */
	uint64_t dropped;  /* clients dropped by the server (slow reader, I/O error) */
};

/*
 * Create the socket (parent directory 0750 if missing, socket 0660, both
 * group-owned by @group when given) and listen. A stale socket file is
 * removed only if nobody accepts on it. Refuses a parent directory that is
 * world-writable or owned by another user than us or root. NULL with errno
 * set on failure (EINVAL bad options or unknown group, ENAMETOOLONG path,
 * EPERM unsafe parent, EADDRINUSE a server listens, EEXIST path is not a
 * socket, others from the system); the reason is logged, naming the path.
 * Any thread; not concurrently with other calls on the same path.
 */
struct jitsim_ctlsrv *jitsim_ctlsrv_create(const struct jitsim_ctlsrv_opts *opts);

/* Register a read-only command. 0, -EINVAL (bad name, NULL handler or
 * help), -EEXIST (name taken, "help" and "ping" included), -ENOMEM, -EBUSY
 * (the loop is running: register everything before jitsim_ctlsrv_run()). */
int jitsim_ctlsrv_register(struct jitsim_ctlsrv *srv, const char *name,
			   jitsim_ctlsrv_handler_t handler, void *arg, const char *help);

/* Register a command that changes state: as above, and every successful
 * call is passed to the audit hook. */
int jitsim_ctlsrv_register_change(struct jitsim_ctlsrv *srv, const char *name,
				  jitsim_ctlsrv_handler_t handler, void *arg, const char *help);

/* Set the audit hook (NULL: none). 0 or -EBUSY while the loop runs. */
int jitsim_ctlsrv_set_audit(struct jitsim_ctlsrv *srv, jitsim_ctlsrv_audit_t fn, void *arg);

/* Serve until jitsim_ctlsrv_stop(). One thread at a time (-EBUSY
 * otherwise). A stop requested before the call makes it return at once.
 * Clients stay connected (unserved) after it returns, until destroy or the
 * next run. 0 after a stop, negative errno if epoll fails. */
int jitsim_ctlsrv_run(struct jitsim_ctlsrv *srv);

/* Ask the loop to return. Any thread, and async-signal-safe (one write to
 * an eventfd), so a SIGTERM handler may call it. */
void jitsim_ctlsrv_stop(struct jitsim_ctlsrv *srv);

/* Close every client and the socket; remove the socket file if it is still
 * the one we created. Not while jitsim_ctlsrv_run() runs. NULL is a no-op. */
void jitsim_ctlsrv_destroy(struct jitsim_ctlsrv *srv);

/* Snapshot of the counters. Any thread (relaxed reads: each counter is
 * exact, the set is not one instant). */
void jitsim_ctlsrv_stats(const struct jitsim_ctlsrv *srv, struct jitsim_ctlsrv_stats *st);

/* Reason name of a negative (or positive) errno: "EINVAL", "ENOENT", ...;
 * "EUNKNOWN" for values outside the table in ctlsrv.c. Never NULL. */
const char *jitsim_ctlsrv_reason_str(int err);

#endif /* JITSIM_CTLSRV_H */
