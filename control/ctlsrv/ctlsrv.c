/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/epoll.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <unistd.h>

#include "ctlsrv.h"
#include "ctlsrv_sock.h"

/* Error text a handler may write; longer texts are cut. */
#define CTLSRV_ERRLEN 256
/* Input buffers start small (most requests are tens of bytes) and grow to
 * one maximal line plus its newline; idle buffers above this are freed. */
#define CTLSRV_IN_INIT 4096
#define CTLSRV_KEEP_CAP (64 * 1024)
/* Events per epoll_wait and connections accepted per wakeup: bounds the
 * time before the loop comes back to requests already queued. */
#define CTLSRV_EVENTS 64
#define CTLSRV_ACCEPT_BURST 64

struct ctlsrv_cmd {
	char name[JITSIM_CTLSRV_NAME_MAX];
	jitsim_ctlsrv_handler_t handler;
	void *arg;
	char *help;
	bool change;
};

/* One client. Owned by the loop thread. While output is pending the
 * connection is not read (EPOLLOUT only): a client that pipelines requests
 * without reading answers is slowed down by its own socket buffer before
 * its output can reach max_output. */
struct ctlsrv_conn {
	struct ctlsrv_conn *prev, *next;
	int fd;
	struct ucred cred;
	uint32_t events; /* interest registered with epoll */
	bool discarding; /* inside a line that was too long */
	bool eof;	 /* peer shut down its writing side: flush, then close */
	bool dropped;	 /* over the output bound: the server drops it */
	char *in;
	size_t in_len, in_cap;
	char *out;
	size_t out_off, out_len, out_cap;
};

struct jitsim_ctlsrv {
	char *path;
	bool have_group;
	gid_t group;
	unsigned int max_clients;
	size_t max_output;
	struct jitsim_ctlsrv_sock_log log;

	int lfd, efd, epfd;
	int spare_fd; /* given up to accept-and-close when out of fds */
	dev_t dev;
	ino_t ino;

	struct ctlsrv_cmd *cmds; /* sorted by name */
	size_t ncmds, cmds_cap;
	jitsim_ctlsrv_audit_t audit_fn;
	void *audit_arg;

	struct ctlsrv_conn *conns;
	unsigned int nconns;
	atomic_bool running;

	/* Written by the loop thread only, read anywhere. */
	_Atomic uint64_t n_clients, n_accepted, n_refused, n_requests, n_errors, n_dropped;
};

/* epoll tags for the two fds that are not clients. */
static char ctlsrv_tag_listen, ctlsrv_tag_stop;

static const struct {
	int err;
	const char *name;
} ctlsrv_reasons[] = {
/* clang-format off */
#define R(e) {e, #e}
	R(EPERM), R(ENOENT), R(ESRCH), R(EINTR), R(EIO), R(E2BIG), R(EBADF),
	R(EAGAIN), R(ENOMEM), R(EACCES), R(EBUSY), R(EEXIST), R(ENODEV),
	R(ENOTDIR), R(EISDIR), R(EINVAL), R(ENFILE), R(EMFILE), R(EFBIG),
	R(ENOSPC), R(EROFS), R(ERANGE), R(EDOM), R(EDEADLK), R(ENAMETOOLONG),
	R(ENOSYS), R(ENOTEMPTY), R(ENODATA), R(EPROTO), R(EBADMSG),
	R(EOVERFLOW), R(EILSEQ), R(EMSGSIZE), R(EOPNOTSUPP) /* = ENOTSUP */,
	R(EADDRINUSE), R(ECONNREFUSED), R(ECONNRESET), R(ETIMEDOUT),
	R(EALREADY), R(EINPROGRESS), R(ESTALE), R(EDQUOT), R(ECANCELED),
	R(ENOTCONN), R(EHOSTUNREACH), R(ENETUNREACH), R(ENOLCK), R(ESHUTDOWN),
	R(EPIPE),
#undef R
	/* clang-format on */
};

const char *
jitsim_ctlsrv_reason_str(int err)
{
	if (err < 0)
		err = -err;
	for (size_t i = 0; i < sizeof(ctlsrv_reasons) / sizeof(ctlsrv_reasons[0]); i++)
		if (ctlsrv_reasons[i].err == err)
			return ctlsrv_reasons[i].name;
	return "EUNKNOWN";
}

static void ctlsrv_log(const struct jitsim_ctlsrv *srv, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
ctlsrv_log(const struct jitsim_ctlsrv *srv, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	srv->log.fn(srv->log.arg, level, msg);
}

static void
ctlsrv_log_stderr(void *arg, int level, const char *msg)
{
	(void)arg;
	if (level <= LOG_INFO)
		fprintf(stderr, "jitsim-ctlsrv: %s\n", msg);
}

/* Single writer (the loop thread): a relaxed load and store is enough. */
static inline void
ctlsrv_add(_Atomic uint64_t *c, int64_t d)
{
	atomic_store_explicit(c, atomic_load_explicit(c, memory_order_relaxed) + (uint64_t)d,
			      memory_order_relaxed);
}

/* ---- commands ---- */

static int
ctlsrv_cmd_cmp(const void *key, const void *elem)
{
	return strcmp(key, ((const struct ctlsrv_cmd *)elem)->name);
}

static const struct ctlsrv_cmd *
ctlsrv_cmd_find(const struct jitsim_ctlsrv *srv, const char *name)
{
	if (srv->ncmds == 0)
		return NULL;
	return bsearch(name, srv->cmds, srv->ncmds, sizeof(srv->cmds[0]), ctlsrv_cmd_cmp);
}

static bool
ctlsrv_name_ok(const char *name)
{
	size_t n = 0;

	for (const char *p = name; *p != '\0'; p++, n++) {
		if (n + 1 >= JITSIM_CTLSRV_NAME_MAX)
			return false;
		if (!((*p >= 'a' && *p <= 'z') || (*p >= '0' && *p <= '9') || *p == '.' ||
		      *p == '_' || *p == '-'))
			return false;
	}
	return n > 0;
}

static int
ctlsrv_add_cmd(struct jitsim_ctlsrv *srv, const char *name, jitsim_ctlsrv_handler_t handler,
	       void *arg, const char *help, bool change)
{
	struct ctlsrv_cmd *c;
	size_t pos;

	if (srv == NULL || name == NULL || handler == NULL || help == NULL || !ctlsrv_name_ok(name))
		return -EINVAL;
	if (atomic_load(&srv->running))
		return -EBUSY;
	for (pos = 0; pos < srv->ncmds; pos++) {
		int d = strcmp(name, srv->cmds[pos].name);

		if (d == 0)
			return -EEXIST;
		if (d < 0)
			break;
	}
	if (srv->ncmds == srv->cmds_cap) {
		size_t cap = srv->cmds_cap ? srv->cmds_cap * 2 : 16;

		c = realloc(srv->cmds, cap * sizeof(*c));
		if (c == NULL)
			return -ENOMEM;
		srv->cmds = c;
		srv->cmds_cap = cap;
	}
	c = &srv->cmds[pos];
	memmove(c + 1, c, (srv->ncmds - pos) * sizeof(*c));
	memset(c, 0, sizeof(*c));
	c->help = strdup(help);
	if (c->help == NULL) {
		memmove(c, c + 1, (srv->ncmds - pos) * sizeof(*c));
		return -ENOMEM;
	}
	snprintf(c->name, sizeof(c->name), "%s", name);
	c->handler = handler;
	c->arg = arg;
	c->change = change;
	srv->ncmds++;
	return 0;
}

int
jitsim_ctlsrv_register(struct jitsim_ctlsrv *srv, const char *name, jitsim_ctlsrv_handler_t handler,
		       void *arg, const char *help)
{
	return ctlsrv_add_cmd(srv, name, handler, arg, help, false);
}

int
jitsim_ctlsrv_register_change(struct jitsim_ctlsrv *srv, const char *name,
			      jitsim_ctlsrv_handler_t handler, void *arg, const char *help)
{
	return ctlsrv_add_cmd(srv, name, handler, arg, help, true);
}

int
jitsim_ctlsrv_set_audit(struct jitsim_ctlsrv *srv, jitsim_ctlsrv_audit_t fn, void *arg)
{
	if (atomic_load(&srv->running))
		return -EBUSY;
	srv->audit_fn = fn;
	srv->audit_arg = arg;
	return 0;
}

/* help [command=NAME]: [{"command":..,"help":..}, ...] in name order. */
static int
ctlsrv_help(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	const struct jitsim_ctlsrv *srv = req->arg;
	json_t *want = json_object_get(req->args, "command");
	json_t *list;

	if (want != NULL && !json_is_string(want)) {
		snprintf(err, errlen, "\"command\" must be a string");
		return -EINVAL;
	}
	list = json_array();
	if (list == NULL)
		return -ENOMEM;
	for (size_t i = 0; i < srv->ncmds; i++) {
		const struct ctlsrv_cmd *c = &srv->cmds[i];

		if (want != NULL && strcmp(json_string_value(want), c->name) != 0)
			continue;
		if (json_array_append_new(list, json_pack("{s:s, s:s}", "command", c->name, "help",
							  c->help)) != 0) {
			json_decref(list);
			return -ENOMEM;
		}
	}
	if (want != NULL && json_array_size(list) == 0) {
		json_decref(list);
		snprintf(err, errlen, "unknown command \"%.*s\"", JITSIM_CTLSRV_NAME_MAX,
			 json_string_value(want));
		return -ENOENT;
	}
	*result = list;
	return 0;
}

static int
ctlsrv_ping(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	(void)req;
	(void)err;
	(void)errlen;
	*result = json_pack("{s:b}", "pong", 1);
	return *result != NULL ? 0 : -ENOMEM;
}

/* ---- output ---- */

struct ctlsrv_dump {
	struct ctlsrv_conn *c;
	size_t limit, size;
	bool over;
};

static int
ctlsrv_grow_out(struct ctlsrv_conn *c, size_t need, size_t limit)
{
	size_t cap;
	char *p;

	if (c->out_len + need <= c->out_cap)
		return 0;
	cap = c->out_cap ? c->out_cap : 4096;
	while (cap < c->out_len + need)
		cap *= 2;
	if (cap > limit)
		cap = limit;
	p = realloc(c->out, cap);
	if (p == NULL)
		return -ENOMEM;
	c->out = p;
	c->out_cap = cap;
	return 0;
}

/* json_dump_callback sink: appends to the output buffer until max_output,
 * then only counts, so that the caller learns the full response size. */
static int
ctlsrv_dump_cb(const char *buf, size_t size, void *data)
{
	struct ctlsrv_dump *d = data;
	struct ctlsrv_conn *c = d->c;

	d->size += size;
	if (d->over)
		return 0;
	if (c->out_len + size + 1 > d->limit) {
		d->over = true;
		return 0;
	}
	if (ctlsrv_grow_out(c, size + 1, d->limit) != 0)
		return -1;
	memcpy(c->out + c->out_len, buf, size);
	c->out_len += size;
	return 0;
}

/* Append one response line. false: the client must be dropped (its
 * output is over the bound, or memory ran out). */
static bool
ctlsrv_send(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, json_t *resp)
{
	struct ctlsrv_dump d = {.c = c, .limit = srv->max_output};
	size_t start, pending;

	/* Compact first: @start must stay valid while the dump appends. */
	if (c->out_off > 0) {
		memmove(c->out, c->out + c->out_off, c->out_len - c->out_off);
		c->out_len -= c->out_off;
		c->out_off = 0;
	}
	start = pending = c->out_len;

	if (json_dump_callback(resp, ctlsrv_dump_cb, &d, JSON_COMPACT) != 0) {
		c->out_len = start;
		return false;
	}
	if (d.over) {
		c->out_len = start;
		if (d.size + 1 <= srv->max_output) {
			ctlsrv_log(srv, LOG_WARNING,
				   "client uid %u pid %d: dropped, %zu bytes unread (limit %zu)",
				   (unsigned int)c->cred.uid, (int)c->cred.pid, pending,
				   srv->max_output);
			c->dropped = true;
			return false;
		}
		/* The response alone is too big: say so instead. Small enough
		 * to fit unless the client is also a slow reader. */
		json_t *e = json_pack("{s:b, s:s, s:s}", "ok", 0, "error",
				      "response larger than the output limit", "reason", "E2BIG");
		json_t *id = json_object_get(resp, "id");
		bool ok;

		if (e == NULL || (id != NULL && json_object_set(e, "id", id) != 0)) {
			json_decref(e);
			return false;
		}
		ctlsrv_add(&srv->n_errors, 1);
		ok = ctlsrv_send(srv, c, e);
		json_decref(e);
		return ok;
	}
	c->out[c->out_len++] = '\n';
	return true;
}

static bool ctlsrv_reply_err(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, json_t *id, int rc,
			     const char *fmt, ...) __attribute__((format(printf, 5, 6)));

static bool
ctlsrv_reply_err(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, json_t *id, int rc,
		 const char *fmt, ...)
{
	char msg[CTLSRV_ERRLEN + 64];
	json_t *resp, *text;
	size_t len;
	va_list ap;
	bool ok;

	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	/* A text cut by snprintf may end inside a UTF-8 sequence (up to 3
	 * bytes to drop); one with other invalid bytes is replaced rather
	 * than sent as invalid JSON. */
	len = strlen(msg);
	text = json_stringn(msg, len);
	for (int i = 0; text == NULL && i < 3 && len > 0; i++)
		text = json_stringn(msg, --len);
	if (text == NULL)
		text = json_string("(error text is not valid UTF-8)");
	/* "o" takes @text, also when packing fails; "O" adds a reference. */
	if (text == NULL)
		resp = NULL;
	else if (id != NULL)
		resp = json_pack("{s:b, s:O, s:o, s:s}", "ok", 0, "id", id, "error", text, "reason",
				 jitsim_ctlsrv_reason_str(rc));
	else
		resp = json_pack("{s:b, s:o, s:s}", "ok", 0, "error", text, "reason",
				 jitsim_ctlsrv_reason_str(rc));
	if (resp == NULL)
		return false;
	ctlsrv_add(&srv->n_errors, 1);
	ok = ctlsrv_send(srv, c, resp);
	json_decref(resp);
	return ok;
}

/* ---- requests ---- */

static bool
ctlsrv_blank(const char *p, size_t len)
{
	for (size_t i = 0; i < len; i++)
		if (p[i] != ' ' && p[i] != '\t' && p[i] != '\r')
			return false;
	return true;
}

/* Handle one request line (without its newline). false: drop the client. */
static bool
ctlsrv_line(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, const char *line, size_t len)
{
	char err[CTLSRV_ERRLEN];
	const struct ctlsrv_cmd *cmd;
	struct jitsim_ctl_req req;
	json_t *msg, *id, *jcmd, *result = NULL, *resp;
	json_error_t je;
	bool ok;
	int rc;

	if (ctlsrv_blank(line, len))
		return true;
	ctlsrv_add(&srv->n_requests, 1);
	msg = json_loadb(line, len, JSON_REJECT_DUPLICATES | JSON_DECODE_ANY, &je);
	if (msg == NULL)
		return ctlsrv_reply_err(srv, c, NULL, -EBADMSG, "malformed JSON at column %d: %s",
					je.column, je.text);
	if (!json_is_object(msg)) {
		json_decref(msg);
		return ctlsrv_reply_err(srv, c, NULL, -EINVAL, "request is not a JSON object");
	}
	id = json_object_get(msg, "id");
	jcmd = json_object_get(msg, "cmd");
	if (!json_is_string(jcmd)) {
		ok = ctlsrv_reply_err(srv, c, id, -EINVAL, "request has no \"cmd\" string");
		json_decref(msg);
		return ok;
	}
	cmd = ctlsrv_cmd_find(srv, json_string_value(jcmd));
	if (cmd == NULL) {
		ok = ctlsrv_reply_err(srv, c, id, -ENOSYS, "unknown command \"%.*s\"",
				      JITSIM_CTLSRV_NAME_MAX, json_string_value(jcmd));
		json_decref(msg);
		return ok;
	}

	req = (struct jitsim_ctl_req){
		.cmd = cmd->name,
		.args = msg,
		.uid = c->cred.uid,
		.gid = c->cred.gid,
		.pid = c->cred.pid,
		.arg = cmd->arg,
	};
	err[0] = '\0';
	rc = cmd->handler(&req, &result, err, sizeof(err));
	err[sizeof(err) - 1] = '\0';
	if (rc != 0) {
		json_decref(result);
		if (rc > 0) {
			ctlsrv_log(srv, LOG_ERR, "command %s: handler returned %d", cmd->name, rc);
			snprintf(err, sizeof(err), "internal error");
			rc = -EIO;
		}
		ok = ctlsrv_reply_err(srv, c, id, rc, "%s", err[0] ? err : strerror(-rc));
		json_decref(msg);
		return ok;
	}
	if (result == NULL)
		result = json_null();
	if (cmd->change && srv->audit_fn != NULL)
		srv->audit_fn(srv->audit_arg, &req, result);

	resp = json_object();
	if (resp == NULL || json_object_set_new(resp, "ok", json_true()) != 0 ||
	    (id != NULL && json_object_set(resp, "id", id) != 0) ||
	    json_object_set(resp, "result", result) != 0)
		ok = false;
	else
		ok = ctlsrv_send(srv, c, resp);
	json_decref(resp);
	json_decref(result);
	json_decref(msg);
	return ok;
}

/* ---- connections ---- */

static void
ctlsrv_conn_close(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, bool dropped)
{
	epoll_ctl(srv->epfd, EPOLL_CTL_DEL, c->fd, NULL);
	close(c->fd);
	if (c->prev != NULL)
		c->prev->next = c->next;
	else
		srv->conns = c->next;
	if (c->next != NULL)
		c->next->prev = c->prev;
	srv->nconns--;
	ctlsrv_add(&srv->n_clients, -1);
	if (dropped)
		ctlsrv_add(&srv->n_dropped, 1);
	free(c->in);
	free(c->out);
	free(c);
}

static bool
ctlsrv_conn_want(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, uint32_t events)
{
	struct epoll_event ev = {.events = events, .data.ptr = c};

	if (c->events == events)
		return true;
	if (epoll_ctl(srv->epfd, EPOLL_CTL_MOD, c->fd, &ev) != 0)
		return false;
	c->events = events;
	return true;
}

/* Write what the socket takes; then read again only once all is sent.
 * false: the client is gone or done (close it). */
static bool
ctlsrv_flush(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c)
{
	while (c->out_off < c->out_len) {
		ssize_t n = send(c->fd, c->out + c->out_off, c->out_len - c->out_off,
				 MSG_NOSIGNAL | MSG_DONTWAIT);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EAGAIN)
				return ctlsrv_conn_want(srv, c, EPOLLOUT);
			return false; /* EPIPE, ECONNRESET: gone mid-response */
		}
		c->out_off += (size_t)n;
	}
	c->out_off = c->out_len = 0;
	if (c->out_cap > CTLSRV_KEEP_CAP) {
		free(c->out);
		c->out = NULL;
		c->out_cap = 0;
	}
	if (c->eof)
		return false;
	return ctlsrv_conn_want(srv, c, EPOLLIN);
}

/* Handle every complete line in the input buffer, keep the rest; a rest
 * that fills the buffer is a line over the limit. false: drop. */
static bool
ctlsrv_conn_lines(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c)
{
	size_t start = 0, rest;
	char *nl;

	while (start < c->in_len && (nl = memchr(c->in + start, '\n', c->in_len - start)) != NULL) {
		if (!ctlsrv_line(srv, c, c->in + start, (size_t)(nl - (c->in + start))))
			return false;
		start = (size_t)(nl - c->in) + 1;
	}
	rest = c->in_len - start;
	if (start > 0 && rest > 0)
		memmove(c->in, c->in + start, rest);
	c->in_len = rest;
	if (rest == JITSIM_CTLSRV_MAX_LINE + 1) {
		c->in_len = 0;
		c->discarding = true;
		ctlsrv_add(&srv->n_requests, 1);
		if (!ctlsrv_reply_err(srv, c, NULL, -E2BIG, "request line longer than %u bytes",
				      (unsigned int)JITSIM_CTLSRV_MAX_LINE))
			return false;
	}
	if (c->in_len == 0 && c->in_cap > CTLSRV_IN_INIT) {
		free(c->in);
		c->in = NULL;
		c->in_cap = 0;
	}
	return true;
}

static bool
ctlsrv_conn_read(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c)
{
	ssize_t n;

	if (c->in_len == c->in_cap) {
		size_t cap = c->in_cap ? c->in_cap * 2 : CTLSRV_IN_INIT;
		char *p;

		if (cap > JITSIM_CTLSRV_MAX_LINE + 1)
			cap = JITSIM_CTLSRV_MAX_LINE + 1;
		p = realloc(c->in, cap);
		if (p == NULL)
			return false;
		c->in = p;
		c->in_cap = cap;
	}
	n = read(c->fd, c->in + c->in_len, c->in_cap - c->in_len);
	if (n < 0)
		return errno == EAGAIN || errno == EINTR;
	if (n == 0) {
		/* Shut down for writing: answer a last line without newline,
		 * send what is pending, then close. */
		c->eof = true;
		if (c->in_len > 0 && !c->discarding && !ctlsrv_line(srv, c, c->in, c->in_len))
			return false;
		c->in_len = 0;
		return ctlsrv_flush(srv, c);
	}
	if (c->discarding) {
		/* The buffer is empty while discarding: the data is at c->in. */
		char *nl = memchr(c->in, '\n', (size_t)n);

		if (nl == NULL)
			return true;
		c->in_len = (size_t)n - (size_t)(nl - c->in) - 1;
		memmove(c->in, nl + 1, c->in_len);
		c->discarding = false;
	} else {
		c->in_len += (size_t)n;
	}
	if (!ctlsrv_conn_lines(srv, c))
		return false;
	return ctlsrv_flush(srv, c);
}

static void
ctlsrv_conn_event(struct jitsim_ctlsrv *srv, struct ctlsrv_conn *c, uint32_t events)
{
	bool keep;

	if (events & (EPOLLERR | EPOLLHUP)) {
		/* Gone (closed, mid-line or mid-response): nothing to answer. */
		ctlsrv_conn_close(srv, c, false);
		return;
	}
	if (events & EPOLLOUT)
		keep = ctlsrv_flush(srv, c);
	else
		keep = ctlsrv_conn_read(srv, c);
	if (!keep)
		ctlsrv_conn_close(srv, c, c->dropped);
}

/* One error line to a connection we will not serve, then close. The
 * socket is new and empty, so the line fits its buffer. */
static void
ctlsrv_refuse(int fd, const char *error, const char *reason)
{
	char line[160];
	int n = snprintf(line, sizeof(line), "{\"ok\":false,\"error\":\"%s\",\"reason\":\"%s\"}\n",
			 error, reason);

	if (send(fd, line, (size_t)n, MSG_NOSIGNAL | MSG_DONTWAIT) < 0) {
		/* Nothing to do: the peer is gone or will see EOF. */
	}
	shutdown(fd, SHUT_WR);
	close(fd);
}

static void
ctlsrv_accept(struct jitsim_ctlsrv *srv)
{
	for (int i = 0; i < CTLSRV_ACCEPT_BURST; i++) {
		struct epoll_event ev = {.events = EPOLLIN};
		struct ctlsrv_conn *c;
		struct ucred cred;
		int fd, rc;

		fd = accept4(srv->lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);
		if (fd < 0) {
			if (errno == EINTR || errno == ECONNABORTED)
				continue;
			if ((errno == EMFILE || errno == ENFILE) && srv->spare_fd >= 0) {
				/* Level-triggered epoll would spin on a backlog
				 * we cannot accept: free one fd, take the
				 * connection and close it. */
				ctlsrv_log(srv, LOG_ERR, "%s: out of file descriptors, refusing",
					   srv->path);
				close(srv->spare_fd);
				fd = accept4(srv->lfd, NULL, NULL, SOCK_CLOEXEC);
				if (fd >= 0) {
					ctlsrv_refuse(fd, "server out of file descriptors",
						      "EMFILE");
					ctlsrv_add(&srv->n_refused, 1);
				}
				srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
				continue;
			}
			if (errno != EAGAIN)
				ctlsrv_log(srv, LOG_ERR, "%s: accept: %s", srv->path,
					   strerror(errno));
			return;
		}
		rc = jitsim_ctlsrv_sock_peer(fd, srv->have_group, srv->group, &cred);
		if (rc <= 0) {
			if (rc < 0)
				ctlsrv_log(srv, LOG_WARNING,
					   "%s: refused a peer: cannot read its credentials: %s",
					   srv->path, strerror(-rc));
			else
				ctlsrv_log(srv, LOG_WARNING,
					   "%s: refused uid %u gid %u pid %d: not root, not uid "
					   "%u%s",
					   srv->path, (unsigned int)cred.uid,
					   (unsigned int)cred.gid, (int)cred.pid,
					   (unsigned int)geteuid(),
					   srv->have_group ? ", not in the control group" : "");
			ctlsrv_refuse(fd, "permission denied", "EPERM");
			ctlsrv_add(&srv->n_refused, 1);
			continue;
		}
		if (srv->nconns >= srv->max_clients) {
			ctlsrv_log(srv, LOG_WARNING,
				   "%s: refused uid %u pid %d: %u clients already", srv->path,
				   (unsigned int)cred.uid, (int)cred.pid, srv->nconns);
			ctlsrv_refuse(fd, "too many clients", "EBUSY");
			ctlsrv_add(&srv->n_refused, 1);
			continue;
		}
		c = calloc(1, sizeof(*c));
		ev.data.ptr = c;
		if (c == NULL || epoll_ctl(srv->epfd, EPOLL_CTL_ADD, fd, &ev) != 0) {
			ctlsrv_log(srv, LOG_ERR, "%s: cannot add a client: %s", srv->path,
				   c == NULL ? "out of memory" : strerror(errno));
			free(c);
			ctlsrv_refuse(fd, "server out of resources", "ENOMEM");
			ctlsrv_add(&srv->n_refused, 1);
			continue;
		}
		c->fd = fd;
		c->cred = cred;
		c->events = EPOLLIN;
		c->next = srv->conns;
		if (c->next != NULL)
			c->next->prev = c;
		srv->conns = c;
		srv->nconns++;
		ctlsrv_add(&srv->n_clients, 1);
		ctlsrv_add(&srv->n_accepted, 1);
		ctlsrv_log(srv, LOG_DEBUG, "client uid %u pid %d connected", (unsigned int)cred.uid,
			   (int)cred.pid);
	}
}

/* ---- lifetime ---- */

struct jitsim_ctlsrv *
jitsim_ctlsrv_create(const struct jitsim_ctlsrv_opts *opts)
{
	char err[512] = "";
	struct jitsim_ctlsrv *srv;
	struct epoll_event ev;
	int rc;

	if (opts == NULL || opts->path == NULL) {
		errno = EINVAL;
		return NULL;
	}
	srv = calloc(1, sizeof(*srv));
	if (srv == NULL)
		return NULL;
	srv->lfd = srv->efd = srv->epfd = srv->spare_fd = -1;
	srv->log.fn = opts->log != NULL ? opts->log : ctlsrv_log_stderr;
	srv->log.arg = opts->log_arg;
	srv->max_clients = opts->max_clients ? opts->max_clients : JITSIM_CTLSRV_MAX_CLIENTS;
	srv->max_output = opts->max_output ? opts->max_output : JITSIM_CTLSRV_MAX_OUTPUT;
	if (srv->max_output < 1024) {
		snprintf(err, sizeof(err), "%s: max_output %zu is below 1024 bytes", opts->path,
			 srv->max_output);
		rc = -EINVAL;
		goto fail;
	}
	srv->path = strdup(opts->path);
	if (srv->path == NULL) {
		rc = -ENOMEM;
		goto fail;
	}
	if (opts->group != NULL) {
		rc = jitsim_ctlsrv_sock_group(opts->group, &srv->group, err, sizeof(err));
		if (rc < 0)
			goto fail;
		srv->have_group = true;
	}
	if (jitsim_ctlsrv_register(srv, "help", ctlsrv_help, srv,
				   "list the commands with their help (command=NAME: one)") != 0 ||
	    jitsim_ctlsrv_register(srv, "ping", ctlsrv_ping, NULL,
				   "answer {\"pong\":true}: the server is alive") != 0) {
		rc = -ENOMEM;
		goto fail;
	}

	srv->efd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	srv->epfd = epoll_create1(EPOLL_CLOEXEC);
	srv->spare_fd = open("/dev/null", O_RDONLY | O_CLOEXEC);
	if (srv->efd < 0 || srv->epfd < 0 || srv->spare_fd < 0) {
		rc = -errno;
		snprintf(err, sizeof(err), "eventfd/epoll: %s", strerror(errno));
		goto fail;
	}
	rc = jitsim_ctlsrv_sock_listen(srv->path, srv->have_group, srv->group, &srv->log, &srv->dev,
				       &srv->ino, err, sizeof(err));
	if (rc < 0)
		goto fail;
	srv->lfd = rc;
	ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &ctlsrv_tag_listen};
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->lfd, &ev) != 0)
		goto fail_epoll;
	ev = (struct epoll_event){.events = EPOLLIN, .data.ptr = &ctlsrv_tag_stop};
	if (epoll_ctl(srv->epfd, EPOLL_CTL_ADD, srv->efd, &ev) != 0)
		goto fail_epoll;
	ctlsrv_log(srv, LOG_INFO, "listening on %s", srv->path);
	return srv;

fail_epoll:
	rc = -errno;
	snprintf(err, sizeof(err), "epoll_ctl: %s", strerror(errno));
fail:
	if (err[0] != '\0')
		ctlsrv_log(srv, LOG_ERR, "%s", err);
	jitsim_ctlsrv_destroy(srv);
	errno = -rc;
	return NULL;
}

int
jitsim_ctlsrv_run(struct jitsim_ctlsrv *srv)
{
	struct epoll_event evs[CTLSRV_EVENTS];
	bool idle = false, quit = false;
	int rc = 0;

	if (!atomic_compare_exchange_strong(&srv->running, &idle, true))
		return -EBUSY;
	while (!quit) {
		int n = epoll_wait(srv->epfd, evs, CTLSRV_EVENTS, -1);

		if (n < 0) {
			if (errno == EINTR)
				continue;
			rc = -errno;
			ctlsrv_log(srv, LOG_ERR, "%s: epoll_wait: %s", srv->path, strerror(errno));
			break;
		}
		/* Each fd appears once per batch and only its own event closes
		 * a connection, so no event below refers to a freed one. */
		for (int i = 0; i < n; i++) {
			void *p = evs[i].data.ptr;

			if (p == &ctlsrv_tag_stop) {
				uint64_t v;

				if (read(srv->efd, &v, sizeof(v)) < 0) {
					/* EAGAIN: another wakeup consumed it */
				}
				quit = true;
			} else if (p == &ctlsrv_tag_listen) {
				ctlsrv_accept(srv);
			} else {
				ctlsrv_conn_event(srv, p, evs[i].events);
			}
		}
	}
	atomic_store(&srv->running, false);
	return rc;
}

void
jitsim_ctlsrv_stop(struct jitsim_ctlsrv *srv)
{
	uint64_t one = 1;

	/* write(2) is async-signal-safe; a full counter (impossible in
	 * practice) still leaves the loop woken. */
	if (write(srv->efd, &one, sizeof(one)) < 0) {
	}
}

void
jitsim_ctlsrv_destroy(struct jitsim_ctlsrv *srv)
{
	struct stat st;

	if (srv == NULL)
		return;
	while (srv->conns != NULL)
		ctlsrv_conn_close(srv, srv->conns, false);
	if (srv->lfd >= 0) {
		/* Only our own socket file: a newer server may have replaced
		 * it after we were declared stale. */
		if (stat(srv->path, &st) == 0 && st.st_dev == srv->dev && st.st_ino == srv->ino)
			unlink(srv->path);
		close(srv->lfd);
	}
	if (srv->epfd >= 0)
		close(srv->epfd);
	if (srv->efd >= 0)
		close(srv->efd);
	if (srv->spare_fd >= 0)
		close(srv->spare_fd);
	for (size_t i = 0; i < srv->ncmds; i++)
		free(srv->cmds[i].help);
	free(srv->cmds);
	free(srv->path);
	free(srv);
}

void
jitsim_ctlsrv_stats(const struct jitsim_ctlsrv *srv, struct jitsim_ctlsrv_stats *st)
{
	st->clients = atomic_load_explicit(&srv->n_clients, memory_order_relaxed);
	st->accepted = atomic_load_explicit(&srv->n_accepted, memory_order_relaxed);
	st->refused = atomic_load_explicit(&srv->n_refused, memory_order_relaxed);
	st->requests = atomic_load_explicit(&srv->n_requests, memory_order_relaxed);
	st->errors = atomic_load_explicit(&srv->n_errors, memory_order_relaxed);
	st->dropped = atomic_load_explicit(&srv->n_dropped, memory_order_relaxed);
}
