/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The control socket server on real sockets: a test server with a few
 * commands runs jitsim_ctlsrv_run() in a thread; clients are raw sockets
 * in this process, forked children with another uid (when root), and the
 * jitsimctl binary ($JITSIMCTL) for the end-to-end cases.
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stdatomic.h>
#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/time.h>
#include <sys/un.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "ctlsrv.h"
#include "rmtree.h"

#define NOBODY 65534
/* Waits for an event the server will produce: a bound so that a broken
 * server fails the test instead of hanging it, not a performance limit. */
#define WAIT_MS 20000

static char base[64]; /* per-run temporary directory */

/* ---- the test server ---- */

struct tsrv {
	struct jitsim_ctlsrv *srv;
	pthread_t th;
	char path[256];
	pthread_mutex_t lock;
	char log[16384]; /* every log line, for checks */
	size_t loglen;
	int rc; /* of jitsim_ctlsrv_run() */
	atomic_int audits;
	atomic_uint audit_uid;
	char audit_cmd[64];
};

static void
tsrv_log(void *arg, int level, const char *msg)
{
	struct tsrv *t = arg;

	(void)level;
	pthread_mutex_lock(&t->lock);
	t->loglen += (size_t)snprintf(t->log + t->loglen, sizeof(t->log) - t->loglen, "%s\n", msg);
	if (t->loglen >= sizeof(t->log))
		t->loglen = sizeof(t->log) - 1;
	pthread_mutex_unlock(&t->lock);
}

static bool
tsrv_logged(struct tsrv *t, const char *what)
{
	bool found;

	pthread_mutex_lock(&t->lock);
	found = strstr(t->log, what) != NULL;
	pthread_mutex_unlock(&t->lock);
	return found;
}

static void
tsrv_audit(void *arg, const struct jitsim_ctl_req *req, const json_t *result)
{
	struct tsrv *t = arg;

	assert_non_null(result);
	pthread_mutex_lock(&t->lock);
	snprintf(t->audit_cmd, sizeof(t->audit_cmd), "%s", req->cmd);
	pthread_mutex_unlock(&t->lock);
	atomic_store(&t->audit_uid, (unsigned int)req->uid);
	atomic_fetch_add(&t->audits, 1);
}

static int
h_echo(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	(void)err;
	(void)errlen;
	*result = json_deep_copy(req->args);
	return 0;
}

static int
check_imsi(const struct jitsim_ctl_req *req, const char **imsi, char *err, size_t errlen)
{
	const char *s = json_string_value(json_object_get(req->args, "imsi"));
	size_t n;

	if (s == NULL) {
		snprintf(err, errlen, "imsi: missing");
		return -EINVAL;
	}
	n = strspn(s, "0123456789");
	if (n < 5 || n > 15 || s[n] != '\0') {
		snprintf(err, errlen, "imsi: 5 to 15 digits");
		return -EINVAL;
	}
	*imsi = s;
	return 0;
}

static int
h_sim_show(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	const char *imsi;
	int rc = check_imsi(req, &imsi, err, errlen);

	if (rc < 0)
		return rc;
	if (strcmp(imsi, "001010000000001") != 0) {
		snprintf(err, errlen, "no SIM with IMSI %s", imsi);
		return -ENOENT;
	}
	*result = json_pack("{s:s, s:s, s:s, s:i}", "imsi", imsi, "state", "ACTIVE", "msisdn",
			    "447700900001", "tenant", 3);
	return 0;
}

static int
h_sim_block(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	const char *imsi;
	int rc = check_imsi(req, &imsi, err, errlen);

	if (rc < 0)
		return rc;
	*result = json_pack("{s:s, s:s}", "imsi", imsi, "state", "BLOCKED");
	return 0;
}

static int
h_sim_list(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	(void)req;
	(void)err;
	(void)errlen;
	*result = json_pack("[{s:s, s:s, s:s}, {s:s, s:s, s:n}, {s:s, s:s, s:s}]", "imsi",
			    "001010000000001", "state", "ACTIVE", "msisdn", "447700900001", "imsi",
			    "001010000000002", "state", "INVENTORY", "msisdn", "imsi",
			    "001010000000003", "state", "BLOCKED", "msisdn", "447700900003");
	return 0;
}

static int
h_status(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	(void)req;
	(void)err;
	(void)errlen;
	*result = json_pack("{s:s, s:{s:b, s:i}, s:[{s:s, s:i}, {s:s, s:i}], s:s}", "version",
			    "0.1.0", "dataplane", "up", 1, "lcores", 2, "rings", "name", "ev0",
			    "used", 3, "name", "upd", "used", 0, "note", "a\x1b[2Jb");
	return 0;
}

/* big n=N: a string of N bytes, to fill output buffers. */
static int
h_big(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	json_int_t n = json_integer_value(json_object_get(req->args, "n"));
	char *s;

	if (n <= 0 || n > 16 * 1024 * 1024) {
		snprintf(err, errlen, "n: 1 to 16 MiB");
		return -EINVAL;
	}
	s = malloc((size_t)n);
	if (s == NULL)
		return -ENOMEM;
	memset(s, 'x', (size_t)n);
	*result = json_stringn(s, (size_t)n);
	free(s);
	return 0;
}

static int
h_positive(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	(void)req;
	(void)errlen;
	*result = json_true(); /* released by the server: an error wins */
	err[0] = '\0';
	return 5;
}

/* utf8: an error text cut inside a UTF-8 sequence (mode "cut"), or with a
 * byte that is not UTF-8 at all. */
static int
h_utf8(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	const char *mode = json_string_value(json_object_get(req->args, "mode"));
	size_t n = 0;

	(void)result;
	if (mode != NULL && strcmp(mode, "cut") == 0) {
		while (n + 2 < errlen) { /* 2-byte characters over an odd length */
			memcpy(err + n, "\xc3\xa9", 2);
			n += 2;
		}
		err[errlen - 2] = '\xc3';
		err[errlen - 1] = '\0';
	} else {
		snprintf(err, errlen, "bad \xff byte");
	}
	return -EINVAL;
}

static void *
tsrv_thread(void *arg)
{
	struct tsrv *t = arg;

	t->rc = jitsim_ctlsrv_run(t->srv);
	return NULL;
}

/* Create (not start) a server at @path (relative to base). */
static struct tsrv *
tsrv_new(const char *path, const char *group, size_t max_output, unsigned int max_clients)
{
	struct tsrv *t = calloc(1, sizeof(*t));
	struct jitsim_ctlsrv_opts o = {
		.group = group,
		.max_output = max_output,
		.max_clients = max_clients,
		.log = tsrv_log,
	};

	assert_non_null(t);
	pthread_mutex_init(&t->lock, NULL);
	snprintf(t->path, sizeof(t->path), "%s/%s", base, path);
	o.path = t->path;
	o.log_arg = t;
	t->srv = jitsim_ctlsrv_create(&o);
	return t;
}

static struct tsrv *
tsrv_start(const char *path, const char *group, size_t max_output, unsigned int max_clients)
{
	struct tsrv *t = tsrv_new(path, group, max_output, max_clients);

	if (t->srv == NULL)
		fail_msg("create %s: %s\n%s", t->path, strerror(errno), t->log);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "echo", h_echo, NULL, "echo the request"),
			 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "sim.show", h_sim_show, NULL, "one SIM"),
			 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "sim.list", h_sim_list, NULL, "SIMs"), 0);
	assert_int_equal(
		jitsim_ctlsrv_register_change(t->srv, "sim.block", h_sim_block, NULL, "block"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "status", h_status, NULL, "health"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "big", h_big, NULL, "n bytes"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "positive", h_positive, NULL, "bug"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "job.show", h_echo, NULL, "job"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "utf8", h_utf8, NULL, "bad text"), 0);
	assert_int_equal(
		jitsim_ctlsrv_register_change(t->srv, "inventory.import", h_echo, NULL, "import"),
		0);
	assert_int_equal(jitsim_ctlsrv_set_audit(t->srv, tsrv_audit, t), 0);
	assert_int_equal(pthread_create(&t->th, NULL, tsrv_thread, t), 0);
	return t;
}

static void
tsrv_free(struct tsrv *t)
{
	if (t->srv != NULL) {
		jitsim_ctlsrv_stop(t->srv);
		assert_int_equal(pthread_join(t->th, NULL), 0);
		assert_int_equal(t->rc, 0);
		jitsim_ctlsrv_destroy(t->srv);
	}
	pthread_mutex_destroy(&t->lock);
	free(t);
}

static struct jitsim_ctlsrv_stats
tsrv_stats(struct tsrv *t)
{
	struct jitsim_ctlsrv_stats st;

	jitsim_ctlsrv_stats(t->srv, &st);
	return st;
}

static void
wait_ms(unsigned int ms)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = (long)ms * 1000000};

	nanosleep(&ts, NULL);
}

#define WAIT_FOR(cond)                                             \
	do {                                                       \
		int waited_ = 0;                                   \
		while (!(cond)) {                                  \
			if (++waited_ > WAIT_MS)                   \
				fail_msg("never true: %s", #cond); \
			wait_ms(1);                                \
		}                                                  \
	} while (0)

/* ---- raw clients ---- */

static int
cl_connect(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv = {.tv_sec = WAIT_MS / 1000};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	assert_true(fd >= 0);
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		fail_msg("connect %s: %s", path, strerror(errno));
	setsockopt(fd, SOL_SOCKET, SO_RCVTIMEO, &tv, sizeof(tv));
	return fd;
}

static void
cl_write(int fd, const char *buf, size_t len)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL);

		if (n < 0)
			fail_msg("send: %s", strerror(errno));
		buf += n;
		len -= (size_t)n;
	}
}

/* One response line, parsed. MSG_PEEK finds the newline so that nothing
 * of the next response is consumed. */
static json_t *
cl_read(int fd)
{
	static __thread char line[1 << 16];
	json_error_t je;
	char *nl = NULL;
	size_t len = 0;
	json_t *j;

	while (nl == NULL) {
		ssize_t n = recv(fd, line, sizeof(line), MSG_PEEK);

		if (n <= 0) {
			fail_msg("recv: %s", n == 0 ? "EOF" : strerror(errno));
			return NULL;
		}
		nl = memchr(line, '\n', (size_t)n);
		if (nl == NULL && (size_t)n == sizeof(line))
			fail_msg("response line too long");
		if (nl == NULL)
			wait_ms(1); /* the rest of the line is on its way */
	}
	len = (size_t)(nl - line);
	if (recv(fd, line, len + 1, 0) != (ssize_t)(len + 1))
		fail_msg("recv: short");
	j = json_loadb(line, len, 0, &je);
	if (j == NULL)
		fail_msg("bad response \"%.*s\": %s", (int)len, line, je.text);
	return j;
}

static json_t *
cl_call(int fd, const char *req)
{
	cl_write(fd, req, strlen(req));
	cl_write(fd, "\n", 1);
	return cl_read(fd);
}

/* Assert an error response with @reason whose text contains @text. */
static void
assert_err(json_t *r, const char *reason, const char *text)
{
	const char *e = json_string_value(json_object_get(r, "error"));

	assert_true(json_is_false(json_object_get(r, "ok")));
	assert_string_equal(json_string_value(json_object_get(r, "reason")), reason);
	assert_non_null(e);
	if (text != NULL && strstr(e, text) == NULL)
		fail_msg("error \"%s\" lacks \"%s\"", e, text);
	json_decref(r);
}

static void
assert_pong(json_t *r)
{
	assert_true(json_is_true(json_object_get(r, "ok")));
	assert_true(json_is_true(json_object_get(json_object_get(r, "result"), "pong")));
	json_decref(r);
}

/* ---- tests ---- */

static void
test_ping_help(void **state)
{
	struct tsrv *t = tsrv_start("a/ctl.sock", NULL, 0, 0);
	int fd = cl_connect(t->path);
	json_t *r, *res;
	size_t i;
	bool seen = false;

	(void)state;
	r = cl_call(fd, "{\"cmd\":\"ping\",\"id\":\"abc\"}");
	assert_string_equal(json_string_value(json_object_get(r, "id")), "abc");
	assert_pong(r);
	r = cl_call(fd, "{\"cmd\":\"ping\",\"id\":42}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 42);
	assert_pong(r);
	r = cl_call(fd, "{\"cmd\":\"ping\"}");
	assert_null(json_object_get(r, "id"));
	assert_pong(r);

	r = cl_call(fd, "{\"cmd\":\"help\"}");
	res = json_object_get(r, "result");
	assert_true(json_array_size(res) >= 9);
	for (i = 0; i < json_array_size(res); i++) {
		json_t *e = json_array_get(res, i);

		if (strcmp(json_string_value(json_object_get(e, "command")), "sim.show") == 0) {
			assert_string_equal(json_string_value(json_object_get(e, "help")),
					    "one SIM");
			seen = true;
		}
		if (i > 0) /* sorted by name */
			assert_true(strcmp(json_string_value(json_object_get(
						   json_array_get(res, i - 1), "command")),
					   json_string_value(json_object_get(e, "command"))) < 0);
	}
	assert_true(seen);
	json_decref(r);
	r = cl_call(fd, "{\"cmd\":\"help\",\"command\":\"ping\"}");
	assert_int_equal(json_array_size(json_object_get(r, "result")), 1);
	json_decref(r);
	assert_err(cl_call(fd, "{\"cmd\":\"help\",\"command\":\"nope\"}"), "ENOENT", "nope");
	assert_err(cl_call(fd, "{\"cmd\":\"help\",\"command\":1}"), "EINVAL", "command");

	close(fd);
	tsrv_free(t);
}

/* A line of @len bytes (without newline) that is a valid ping. */
static char *
padded_ping(size_t len)
{
	const char *head = "{\"cmd\":\"ping\",\"id\":7,\"pad\":\"";
	char *s = malloc(len + 2);

	assert_non_null(s);
	memset(s, 'p', len);
	memcpy(s, head, strlen(head));
	s[len - 2] = '"';
	s[len - 1] = '}';
	s[len] = '\n';
	s[len + 1] = '\0';
	return s;
}

static void
test_bad_requests(void **state)
{
	struct tsrv *t = tsrv_start("b/ctl.sock", NULL, 0, 0);
	int fd = cl_connect(t->path);
	struct jitsim_ctlsrv_stats st0 = tsrv_stats(t), st;
	char *line;
	json_t *r;

	(void)state;
	assert_err(cl_call(fd, "{\"cmd\":\"ping\","), "EBADMSG", "column");
	assert_err(cl_call(fd, "{\"cmd\":\"ping\"} x"), "EBADMSG", "column");
	assert_err(cl_call(fd, "{\"cmd\":\"ping\",\"cmd\":\"help\"}"), "EBADMSG", "duplicate");
	assert_err(cl_call(fd, "[1,2]"), "EINVAL", "not a JSON object");
	assert_err(cl_call(fd, "\"ping\""), "EINVAL", "not a JSON object");
	r = cl_call(fd, "{\"id\":7}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
	assert_err(r, "EINVAL", "\"cmd\"");
	assert_err(cl_call(fd, "{\"cmd\":5}"), "EINVAL", "\"cmd\"");
	r = cl_call(fd, "{\"cmd\":\"frob.nicate\",\"id\":3}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 3);
	assert_err(r, "ENOSYS", "frob.nicate");
	/* Handler errors: bad arguments name the key. */
	assert_err(cl_call(fd, "{\"cmd\":\"sim.show\",\"imsi\":\"12x\"}"), "EINVAL", "imsi");
	assert_err(cl_call(fd, "{\"cmd\":\"sim.show\"}"), "EINVAL", "imsi: missing");
	assert_err(cl_call(fd, "{\"cmd\":\"sim.show\",\"imsi\":\"001019999999999\"}"), "ENOENT",
		   "001019999999999");
	assert_err(cl_call(fd, "{\"cmd\":\"positive\"}"), "EIO", "internal");
	r = cl_call(fd, "{\"cmd\":\"utf8\",\"mode\":\"cut\"}");
	assert_int_equal(strlen(json_string_value(json_object_get(r, "error"))), 254);
	assert_err(r, "EINVAL", "\xc3\xa9\xc3\xa9");
	assert_err(cl_call(fd, "{\"cmd\":\"utf8\"}"), "EINVAL", "not valid UTF-8");
	assert_true(tsrv_logged(t, "positive: handler returned 5"));

	/* 64 KiB is allowed, 64 KiB + 1 is not; the connection stays usable. */
	line = padded_ping(JITSIM_CTLSRV_MAX_LINE);
	cl_write(fd, line, strlen(line));
	r = cl_read(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 7);
	assert_pong(r);
	free(line);
	line = padded_ping(JITSIM_CTLSRV_MAX_LINE + 1);
	cl_write(fd, line, strlen(line));
	assert_err(cl_read(fd), "E2BIG", "65536");
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));
	free(line);
	/* Much longer (several buffers discarded): one error, then service. */
	line = padded_ping(5 * JITSIM_CTLSRV_MAX_LINE + 17);
	cl_write(fd, line, strlen(line));
	assert_err(cl_read(fd), "E2BIG", NULL);
	r = cl_call(fd, "{\"cmd\":\"ping\",\"id\":8}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 8);
	assert_pong(r);
	free(line);

	/* Blank lines are skipped; pipelined requests answered in order. */
	cl_write(fd, "\n \r\n{\"cmd\":\"ping\",\"id\":1}\n{\"cmd\":\"ping\",\"id\":2}\r\n", 50);
	r = cl_read(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 1);
	assert_pong(r);
	r = cl_read(fd);
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 2);
	assert_pong(r);

	st = tsrv_stats(t);
	assert_int_equal(st.errors - st0.errors, 16);
	assert_int_equal(st.requests - st0.requests, 21);
	close(fd);
	tsrv_free(t);
}

static void
test_disconnects(void **state)
{
	struct tsrv *t = tsrv_start("c/ctl.sock", NULL, 0, 0);
	int keep = cl_connect(t->path), fd;
	const char *big = "{\"cmd\":\"big\",\"n\":3000000}\n";

	(void)state;
	assert_pong(cl_call(keep, "{\"cmd\":\"ping\"}"));
	/* Mid-line. */
	fd = cl_connect(t->path);
	cl_write(fd, "{\"cmd\":\"pi", 10);
	close(fd);
	/* Mid-response: 3 MB asked for, never read. */
	fd = cl_connect(t->path);
	cl_write(fd, big, strlen(big));
	close(fd);
	/* Shut down for writing: the last request, without newline, is answered. */
	fd = cl_connect(t->path);
	cl_write(fd, "{\"cmd\":\"ping\",\"id\":5}", 21);
	shutdown(fd, SHUT_WR);
	assert_pong(cl_read(fd));
	close(fd);

	WAIT_FOR(tsrv_stats(t).clients == 1);
	assert_int_equal(tsrv_stats(t).accepted, 4);
	assert_pong(cl_call(keep, "{\"cmd\":\"ping\"}"));
	close(keep);
	tsrv_free(t);
}

static void
test_slow_reader(void **state)
{
	struct tsrv *t = tsrv_start("d/ctl.sock", NULL, 256 * 1024, 0);
	int slow = cl_connect(t->path), fd = cl_connect(t->path);
	char req[8192] = "";
	char buf[65536];
	json_t *r;

	(void)state;
	/* Bigger than the bound by itself: an error instead. */
	r = cl_call(fd, "{\"cmd\":\"big\",\"n\":300000,\"id\":4}");
	assert_int_equal(json_integer_value(json_object_get(r, "id")), 4);
	assert_err(r, "E2BIG", "output limit");

	/* 40 responses of 20 kB asked for at once, none read: dropped. */
	for (int i = 0; i < 40; i++)
		strcat(req, "{\"cmd\":\"big\",\"n\":20000}\n");
	cl_write(slow, req, strlen(req));
	WAIT_FOR(tsrv_stats(t).dropped == 1);
	assert_true(tsrv_logged(t, "dropped"));
	/* What was sent is readable, then EOF. */
	for (;;) {
		ssize_t n = recv(slow, buf, sizeof(buf), 0);

		assert_true(n >= 0);
		if (n == 0)
			break;
	}
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));
	close(slow);
	close(fd);
	tsrv_free(t);
}

static void
test_max_clients(void **state)
{
	struct tsrv *t = tsrv_start("e/ctl.sock", NULL, 0, 2);
	int a = cl_connect(t->path), b = cl_connect(t->path), c = cl_connect(t->path);

	(void)state;
	assert_err(cl_read(c), "EBUSY", "too many");
	assert_pong(cl_call(a, "{\"cmd\":\"ping\"}"));
	assert_pong(cl_call(b, "{\"cmd\":\"ping\"}"));
	assert_int_equal(tsrv_stats(t).refused, 1);
	close(a);
	close(b);
	close(c);
	tsrv_free(t);
}

struct worker {
	pthread_t th;
	const char *path;
	int index, nreq, ok;
};

static void *
worker_main(void *arg)
{
	struct worker *w = arg;
	int fd = cl_connect(w->path);
	char req[128];

	for (int i = 0; i < w->nreq; i++) {
		json_t *r, *res;

		snprintf(req, sizeof(req), "{\"cmd\":\"echo\",\"id\":%d,\"w\":%d,\"i\":%d}", i,
			 w->index, i);
		r = cl_call(fd, req);
		res = json_object_get(r, "result");
		if (json_is_true(json_object_get(r, "ok")) &&
		    json_integer_value(json_object_get(r, "id")) == i &&
		    json_integer_value(json_object_get(res, "w")) == w->index &&
		    json_integer_value(json_object_get(res, "i")) == i)
			w->ok++;
		json_decref(r);
	}
	close(fd);
	return NULL;
}

static double
now_s(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* 64 clients at once, 100 requests each ($JITSIM_CTLSRV_REQS to change it,
 * for measurements). The rate is printed, never checked. */
static void
test_concurrent(void **state)
{
	struct tsrv *t = tsrv_start("f/ctl.sock", NULL, 0, 0);
	const char *env = getenv("JITSIM_CTLSRV_REQS");
	int nreq = env != NULL ? atoi(env) : 100;
	struct worker w[64];
	uint64_t req0 = tsrv_stats(t).requests;
	double t0, dt;

	(void)state;
	if (nreq <= 0)
		nreq = 100;
	t0 = now_s();
	for (int i = 0; i < 64; i++) {
		w[i] = (struct worker){.path = t->path, .index = i, .nreq = nreq};
		assert_int_equal(pthread_create(&w[i].th, NULL, worker_main, &w[i]), 0);
	}
	for (int i = 0; i < 64; i++) {
		assert_int_equal(pthread_join(w[i].th, NULL), 0);
		assert_int_equal(w[i].ok, nreq);
	}
	dt = now_s() - t0;
	assert_int_equal(tsrv_stats(t).requests - req0, 64 * (uint64_t)nreq);
	assert_int_equal(tsrv_stats(t).accepted, 64);
	print_message("64 clients x %d requests: %.0f requests/s\n", nreq, 64 * nreq / dt);
	tsrv_free(t);
}

/* Run @fn in a child with uid 65534, gid @gid and supplementary groups
 * @groups; its exit status. The child uses no malloc (threads exist). */
static int
as_nobody(gid_t gid, const gid_t *groups, size_t ngroups, int (*fn)(const char *), const char *path)
{
	int status;
	pid_t pid = fork();

	assert_true(pid >= 0);
	if (pid == 0) {
		if (setgroups(ngroups, groups) != 0 || setgid(gid) != 0 || setuid(NOBODY) != 0)
			_exit(90);
		_exit(fn(path));
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

/* Child side: connect, ping, 0 if answered pong, 1 if refused with EPERM. */
static int
child_ping(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	const char *req = "{\"cmd\":\"ping\"}\n";
	char buf[256];
	size_t len = 0;
	int fd = socket(AF_UNIX, SOCK_STREAM, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	if (fd < 0 || connect(fd, (struct sockaddr *)&sa, sizeof(sa)) != 0)
		return 91;
	if (send(fd, req, strlen(req), MSG_NOSIGNAL) < 0 && errno != EPIPE)
		return 92;
	while (len < sizeof(buf) - 1) {
		ssize_t n = recv(fd, buf + len, sizeof(buf) - 1 - len, 0);

		if (n <= 0)
			break;
		len += (size_t)n;
		if (memchr(buf, '\n', len) != NULL)
			break;
	}
	buf[len] = '\0';
	if (strstr(buf, "\"pong\":true") != NULL)
		return 0;
	if (strcmp(buf, "{\"ok\":false,\"error\":\"permission denied\",\"reason\":\"EPERM\"}\n") ==
	    0)
		return 1;
	return 93;
}

static void
test_peer_credentials(void **state)
{
	char dir[160];
	gid_t supp = NOBODY;
	struct tsrv *t;

	(void)state;
	if (geteuid() != 0) {
		print_message("skipped: needs root to run a client as uid %d\n", NOBODY);
		skip();
	}
	assert_int_equal(chmod(base, 0711), 0);

	/* No group: uid 65534 is refused. The mode is opened up on purpose
	 * (a careless deployment) to show the credential check holds alone. */
	t = tsrv_start("g/ctl.sock", NULL, 0, 0);
	snprintf(dir, sizeof(dir), "%s/g", base);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(chmod(t->path, 0666), 0);
	assert_int_equal(as_nobody(NOBODY, NULL, 0, child_ping, t->path), 1);
	WAIT_FOR(tsrv_stats(t).refused == 1);
	assert_true(tsrv_logged(t, "refused uid 65534 gid 65534 pid"));
	assert_int_equal(tsrv_stats(t).accepted, 0);
	tsrv_free(t);

	/* Group 65534: its members get in through the 0750/0660 modes, by
	 * primary or by supplementary group; others are still refused. */
	t = tsrv_start("h/ctl.sock", "65534", 0, 0);
	assert_int_equal(as_nobody(NOBODY, NULL, 0, child_ping, t->path), 0);
	assert_int_equal(as_nobody(NOBODY - 1, &supp, 1, child_ping, t->path), 0);
	assert_int_equal(tsrv_stats(t).accepted, 2);
	snprintf(dir, sizeof(dir), "%s/h", base);
	assert_int_equal(chmod(dir, 0711), 0);
	assert_int_equal(chmod(t->path, 0666), 0);
	assert_int_equal(as_nobody(NOBODY - 1, NULL, 0, child_ping, t->path), 1);
	WAIT_FOR(tsrv_stats(t).refused == 1);
	tsrv_free(t);
	assert_int_equal(chmod(base, 0700), 0);
}

static void
test_modes(void **state)
{
	gid_t gid = geteuid() == 0 ? NOBODY : getegid();
	char group[16], path[200];
	struct tsrv *t;
	struct stat st;
	int fd;

	(void)state;
	snprintf(group, sizeof(group), "%u", (unsigned int)gid);
	t = tsrv_start("m/ctl.sock", group, 0, 0);
	snprintf(path, sizeof(path), "%s/m", base);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0750);
	assert_int_equal(st.st_gid, gid);
	assert_int_equal(lstat(t->path, &st), 0);
	assert_true(S_ISSOCK(st.st_mode));
	assert_int_equal(st.st_mode & 07777, 0660);
	assert_int_equal(st.st_gid, gid);
	assert_true(tsrv_logged(t, "created directory"));
	tsrv_free(t);
	/* destroy removed its socket */
	snprintf(path, sizeof(path), "%s/m/ctl.sock", base);
	assert_int_equal(lstat(path, &st), -1);

	/* Existing directory: kept as it is (0700 here). */
	snprintf(path, sizeof(path), "%s/n", base);
	assert_int_equal(mkdir(path, 0700), 0);
	t = tsrv_start("n/ctl.sock", NULL, 0, 0);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 07777, 0700);
	tsrv_free(t);

	/* World-writable parent. */
	assert_int_equal(chmod(path, 0777), 0);
	t = tsrv_new("n/ctl.sock", NULL, 0, 0);
	assert_null(t->srv);
	assert_int_equal(errno, EPERM);
	assert_true(tsrv_logged(t, "/n: directory is world-writable"));
	tsrv_free(t);
	assert_int_equal(chmod(path, 0750), 0);

	/* Parent owned by someone else (root can make one). */
	if (geteuid() == 0) {
		assert_int_equal(chown(path, NOBODY, NOBODY), 0);
		t = tsrv_new("n/ctl.sock", NULL, 0, 0);
		assert_null(t->srv);
		assert_int_equal(errno, EPERM);
		assert_true(tsrv_logged(t, "owned by uid 65534"));
		tsrv_free(t);
		assert_int_equal(chown(path, 0, 0), 0);
	}

	/* Not a socket: left alone. */
	snprintf(path, sizeof(path), "%s/n/file", base);
	fd = open(path, O_CREAT | O_WRONLY, 0600);
	assert_true(fd >= 0);
	close(fd);
	t = tsrv_new("n/file", NULL, 0, 0);
	assert_null(t->srv);
	assert_int_equal(errno, EEXIST);
	assert_true(tsrv_logged(t, "not a socket"));
	tsrv_free(t);
	assert_int_equal(lstat(path, &st), 0);

	/* Only one level is created. */
	t = tsrv_new("x/y/ctl.sock", NULL, 0, 0);
	assert_null(t->srv);
	assert_int_equal(errno, ENOENT);
	tsrv_free(t);

	/* Too long for sun_path; unknown group. */
	t = tsrv_new("ppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppppp"
		     "ppppppppppppppppppppppppppppppppppppppppp/ctl.sock",
		     NULL, 0, 0);
	assert_null(t->srv);
	assert_int_equal(errno, ENAMETOOLONG);
	tsrv_free(t);
	t = tsrv_new("n/ctl.sock", "no-such-group-jitsim", 0, 0);
	assert_null(t->srv);
	assert_int_equal(errno, EINVAL);
	assert_true(tsrv_logged(t, "no-such-group-jitsim"));
	tsrv_free(t);
}

static void
test_stale_socket(void **state)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct tsrv *t, *u;
	char path[200];
	int fd;

	(void)state;
	snprintf(path, sizeof(path), "%s/s", base);
	assert_int_equal(mkdir(path, 0750), 0);
	/* A socket file nobody listens on (a crashed server). */
	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s/s/ctl.sock", base);
	fd = socket(AF_UNIX, SOCK_STREAM, 0);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	close(fd);
	t = tsrv_start("s/ctl.sock", NULL, 0, 0);
	assert_true(tsrv_logged(t, "removed stale socket"));
	fd = cl_connect(t->path);
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));

	/* A live one is not taken over, and keeps serving. */
	u = tsrv_new("s/ctl.sock", NULL, 0, 0);
	assert_null(u->srv);
	assert_int_equal(errno, EADDRINUSE);
	assert_true(tsrv_logged(u, "another server is listening"));
	tsrv_free(u);
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));
	close(fd);
	fd = cl_connect(t->path);
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));
	close(fd);
	tsrv_free(t);
}

static void
test_api(void **state)
{
	struct tsrv *t = tsrv_new("api/ctl.sock", NULL, 0, 0);
	char name[JITSIM_CTLSRV_NAME_MAX + 1];
	int fd;

	(void)state;
	assert_non_null(t->srv);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "Sim.show", h_echo, NULL, "x"), -EINVAL);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "", h_echo, NULL, "x"), -EINVAL);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "a b", h_echo, NULL, "x"), -EINVAL);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "a", NULL, NULL, "x"), -EINVAL);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "a", h_echo, NULL, NULL), -EINVAL);
	memset(name, 'a', JITSIM_CTLSRV_NAME_MAX);
	name[JITSIM_CTLSRV_NAME_MAX] = '\0';
	assert_int_equal(jitsim_ctlsrv_register(t->srv, name, h_echo, NULL, "x"), -EINVAL);
	name[JITSIM_CTLSRV_NAME_MAX - 1] = '\0';
	assert_int_equal(jitsim_ctlsrv_register(t->srv, name, h_echo, NULL, "x"), 0);
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "ping", h_echo, NULL, "x"), -EEXIST);
	assert_int_equal(jitsim_ctlsrv_register_change(t->srv, "help", h_echo, NULL, "x"), -EEXIST);
	assert_string_equal(jitsim_ctlsrv_reason_str(-EINVAL), "EINVAL");
	assert_string_equal(jitsim_ctlsrv_reason_str(E2BIG), "E2BIG");
	assert_string_equal(jitsim_ctlsrv_reason_str(-4095), "EUNKNOWN");

	/* A stop before run makes run return at once. */
	jitsim_ctlsrv_stop(t->srv);
	assert_int_equal(jitsim_ctlsrv_run(t->srv), 0);

	/* While running (a ping answered proves it), no registration. */
	assert_int_equal(pthread_create(&t->th, NULL, tsrv_thread, t), 0);
	fd = cl_connect(t->path);
	assert_pong(cl_call(fd, "{\"cmd\":\"ping\"}"));
	assert_int_equal(jitsim_ctlsrv_register(t->srv, "late", h_echo, NULL, "x"), -EBUSY);
	assert_int_equal(jitsim_ctlsrv_set_audit(t->srv, NULL, NULL), -EBUSY);
	assert_int_equal(jitsim_ctlsrv_run(t->srv), -EBUSY);
	close(fd);
	tsrv_free(t);
}

/* ---- jitsimctl end to end ---- */

struct run {
	int status;
	char out[8192], err[4096];
};

static void
read_all(int fd, char *buf, size_t size)
{
	size_t len = 0;
	ssize_t n;

	while ((n = read(fd, buf + len, size - 1 - len)) > 0)
		len += (size_t)n;
	buf[len] = '\0';
	close(fd);
}

/* jitsimctl @args (NULL-terminated), stdin /dev/null. */
static void
ctl(struct run *r, const char *const *args)
{
	const char *bin = getenv("JITSIMCTL");
	char *argv[32];
	int out[2], err[2], status, n = 0;
	pid_t pid;

	if (bin == NULL)
		fail_msg("JITSIMCTL is not set");
	argv[n++] = (char *)(uintptr_t)bin;
	for (; *args != NULL; args++)
		argv[n++] = (char *)(uintptr_t)*args;
	argv[n] = NULL;
	assert_int_equal(pipe(out), 0);
	assert_int_equal(pipe(err), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		dup2(out[1], 1);
		dup2(err[1], 2);
		close(out[0]);
		close(err[0]);
		execv(bin, argv);
		_exit(127);
	}
	close(out[1]);
	close(err[1]);
	/* Outputs here are a few kB: no deadlock reading one after the other. */
	read_all(out[0], r->out, sizeof(r->out));
	read_all(err[0], r->err, sizeof(r->err));
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	r->status = WEXITSTATUS(status);
}

#define CTL(r, ...) ctl(r, (const char *const[]){__VA_ARGS__, NULL})

static void
expect(const struct run *r, int status, const char *out, const char *err)
{
	if (r->status != status)
		fail_msg("exit %d, expected %d; stdout:\n%s\nstderr:\n%s", r->status, status,
			 r->out, r->err);
	if (out != NULL && strcmp(r->out, out) != 0)
		fail_msg("stdout:\n%s\nexpected:\n%s", r->out, out);
	if (err != NULL && strstr(r->err, err) == NULL)
		fail_msg("stderr:\n%s\nlacks: %s", r->err, err);
}

/* A fake server for protocol errors: answers @reply to one connection. */
struct fake {
	int lfd;
	const char *reply;
	pthread_t th;
};

static void *
fake_main(void *arg)
{
	struct fake *f = arg;
	char buf[4096];
	int fd = accept(f->lfd, NULL, NULL);

	if (fd >= 0) {
		if (recv(fd, buf, sizeof(buf), 0) < 0) {
		}
		cl_write(fd, f->reply, strlen(f->reply));
		close(fd);
	}
	return NULL;
}

static int
fake_listen(const char *path)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	int fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);

	snprintf(sa.sun_path, sizeof(sa.sun_path), "%s", path);
	unlink(path);
	assert_int_equal(bind(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	assert_int_equal(listen(fd, 4), 0);
	return fd;
}

static void
test_jitsimctl(void **state)
{
	struct tsrv *t = tsrv_start("j/ctl.sock", NULL, 0, 0);
	const char *p = t->path;
	char fpath[200];
	struct fake f;
	struct run r;
	json_t *j;

	(void)state;
	CTL(&r, "--socket", p, "ping");
	expect(&r, 0, "pong: true\n", NULL);
	CTL(&r, "sim", "list", "--socket", p);
	expect(&r, 0,
	       "IMSI             STATE      MSISDN\n"
	       "001010000000001  ACTIVE     447700900001\n"
	       "001010000000002  INVENTORY  -\n"
	       "001010000000003  BLOCKED    447700900003\n",
	       NULL);
	CTL(&r, "--socket", p, "--json", "sim", "list");
	expect(&r, 0, NULL, NULL);
	j = json_loads(r.out, 0, NULL);
	assert_int_equal(json_array_size(j), 3);
	assert_true(json_is_null(json_object_get(json_array_get(j, 1), "msisdn")));
	json_decref(j);
	CTL(&r, "--socket", p, "sim", "show", "001010000000001");
	expect(&r, 0,
	       "imsi:   001010000000001\n"
	       "state:  ACTIVE\n"
	       "msisdn: 447700900001\n"
	       "tenant: 3\n",
	       NULL);
	/* Nested objects and tables; a terminal escape is defused. */
	CTL(&r, "--socket", p, "status");
	expect(&r, 0,
	       "version:   0.1.0\n"
	       "dataplane:\n"
	       "  up:     true\n"
	       "  lcores: 2\n"
	       "rings:\n"
	       "  NAME  USED\n"
	       "  ev0   3\n"
	       "  upd   0\n"
	       "note:      a?[2Jb\n",
	       NULL);
	/* --key value options and positional arguments as strings. */
	CTL(&r, "--socket", p, "--json", "echo", "--state", "active", "--imsi-from=00101");
	expect(&r, 0, NULL, NULL);
	j = json_loads(r.out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "cmd")), "echo");
	assert_string_equal(json_string_value(json_object_get(j, "state")), "active");
	assert_string_equal(json_string_value(json_object_get(j, "imsi_from")), "00101");
	json_decref(j);
	/* The socket name directly; a relative FILE goes out absolute. */
	CTL(&r, "--socket", p, "--json", "sim.show", "001010000000001");
	expect(&r, 0, NULL, NULL);
	assert_non_null(strstr(r.out, "\"state\": \"ACTIVE\""));
	CTL(&r, "--socket", p, "--json", "inventory", "import", "rel.csv");
	expect(&r, 0, NULL, NULL);
	j = json_loads(r.out, 0, NULL);
	assert_non_null(getcwd(fpath, sizeof(fpath) - 8));
	strcat(fpath, "/rel.csv");
	assert_string_equal(json_string_value(json_object_get(j, "file")), fpath);
	json_decref(j);

	/* A positional argument never takes the protocol's "id". */
	CTL(&r, "--socket", p, "--json", "job", "show", "5");
	expect(&r, 0, NULL, NULL);
	j = json_loads(r.out, 0, NULL);
	assert_string_equal(json_string_value(json_object_get(j, "job")), "5");
	assert_int_equal(json_integer_value(json_object_get(j, "id")), 1);
	json_decref(j);

	/* Changes reach the audit hook with the peer uid; failures do not. */
	CTL(&r, "--socket", p, "sim", "block", "001010000000001");
	expect(&r, 0, "imsi:  001010000000001\nstate: BLOCKED\n", NULL);
	CTL(&r, "--socket", p, "sim", "block", "x");
	expect(&r, 1, "", "jitsimctl: imsi: 5 to 15 digits (EINVAL)\n");
	assert_int_equal(atomic_load(&t->audits), 2); /* and inventory.import */
	assert_int_equal(atomic_load(&t->audit_uid), geteuid());
	pthread_mutex_lock(&t->lock);
	assert_string_equal(t->audit_cmd, "sim.block");
	pthread_mutex_unlock(&t->lock);

	/* Server errors: exit 1, "jitsimctl: <error> (<reason>)". */
	CTL(&r, "--socket", p, "sim", "show", "001019999999999");
	expect(&r, 1, "", "jitsimctl: no SIM with IMSI 001019999999999 (ENOENT)\n");
	CTL(&r, "--socket", p, "frob");
	expect(&r, 1, "", "jitsimctl: unknown command \"frob\" (ENOSYS)\n");
	CTL(&r, "--socket", p, "sim", "frob");
	expect(&r, 1, "", "sim.frob");

	/* Usage: exit 2. */
	CTL(&r, "--socket", p, "sim", "show");
	expect(&r, 2, "", "missing arguments");
	CTL(&r, "--socket", p, "sim", "show", "1", "2");
	expect(&r, 2, "", "too many arguments");
	CTL(&r, "--socket", p, "sim");
	expect(&r, 2, "", "which one?");
	CTL(&r, "--socket", p, "frob", "x");
	expect(&r, 2, "", "--key value");
	CTL(&r, "--socket", p, "Frob!");
	expect(&r, 2, "", "bad command name");
	CTL(&r, "--socket", p, "ping", "--x");
	expect(&r, 2, "", "--x needs a value");
	CTL(&r, "--socket", p, "ping", "--id", "4");
	expect(&r, 2, "", "reserved");
	CTL(&r, "--socket", p, "echo", "--a", "1", "--a", "2");
	expect(&r, 2, "", "twice");
	CTL(&r, "--socket", p, "--timeout", "soon", "ping");
	expect(&r, 2, "", "--timeout");
	CTL(&r, "-x");
	expect(&r, 2, "", "unknown option");
	CTL(&r, "--json");
	expect(&r, 2, "", "usage:");

	/* Help: exit 0 on stdout. */
	CTL(&r, "--help");
	expect(&r, 0, NULL, NULL);
	assert_non_null(strstr(r.out, "exit status"));
	assert_non_null(strstr(r.out, "jitsimctl pool reserve MSISDN IMSI"));
	CTL(&r, "sim", "show", "--help");
	expect(&r, 0, "usage:\n  jitsimctl sim show IMSI\n      show one SIM\n", NULL);
	CTL(&r, "pool", "--help");
	expect(&r, 0, NULL, NULL);
	assert_non_null(strstr(r.out, "jitsimctl pool add NAME"));
	assert_null(strstr(r.out, "jitsimctl sim"));

	/* Cannot connect: exit 3, the path named. */
	snprintf(fpath, sizeof(fpath), "%s/j/none.sock", base);
	CTL(&r, "--socket", fpath, "ping");
	expect(&r, 3, "", fpath);

	/* JITSIM_SOCKET is the default socket. */
	setenv("JITSIM_SOCKET", p, 1);
	CTL(&r, "ping");
	unsetenv("JITSIM_SOCKET");
	expect(&r, 0, "pong: true\n", NULL);

	/* Timeout: a listener that never answers. */
	snprintf(fpath, sizeof(fpath), "%s/j/mute.sock", base);
	f.lfd = fake_listen(fpath);
	CTL(&r, "--socket", fpath, "--timeout", "0.2", "ping");
	expect(&r, 4, "", "timeout");
	close(f.lfd);

	/* Protocol errors: not JSON, a wrong id, silence then EOF. */
	const char *replies[] = {"hello\n", "{\"ok\":true,\"id\":2,\"result\":1}\n", "",
				 "{\"ok\":\"yes\",\"id\":1}\n"};
	const char *says[] = {"not JSON", "not a jitsim control response", "without answering",
			      "not a jitsim control response"};

	for (size_t i = 0; i < sizeof(replies) / sizeof(replies[0]); i++) {
		snprintf(fpath, sizeof(fpath), "%s/j/fake.sock", base);
		f.lfd = fake_listen(fpath);
		f.reply = replies[i];
		assert_int_equal(pthread_create(&f.th, NULL, fake_main, &f), 0);
		CTL(&r, "--socket", fpath, "ping");
		assert_int_equal(pthread_join(f.th, NULL), 0);
		close(f.lfd);
		expect(&r, 4, "", says[i]);
	}
	tsrv_free(t);
}

static int
setup(void **state)
{
	(void)state;
	snprintf(base, sizeof(base), "/tmp/jitsim-ctlsrv-XXXXXX");
	return mkdtemp(base) != NULL ? 0 : -1;
}

static int
teardown(void **state)
{
	(void)state;
	return jitsim_test_rmtree(base);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_api),	     cmocka_unit_test(test_ping_help),
		cmocka_unit_test(test_bad_requests), cmocka_unit_test(test_disconnects),
		cmocka_unit_test(test_slow_reader),  cmocka_unit_test(test_max_clients),
		cmocka_unit_test(test_concurrent),   cmocka_unit_test(test_peer_credentials),
		cmocka_unit_test(test_modes),	     cmocka_unit_test(test_stale_socket),
		cmocka_unit_test(test_jitsimctl),
	};

	return cmocka_run_group_tests(tests, setup, teardown);
}
