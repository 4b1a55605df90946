/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsimctl: the command line client of jitsim-cp's control socket
 * (docs/jitsimctl.md, protocol in docs/control-socket.md). One request,
 * one response, exit code for scripts.
 */

#include <errno.h>
#include <limits.h>
#include <poll.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/time.h>
#include <sys/un.h>
#include <time.h>
#include <unistd.h>

#include <jansson.h>

#include "ctl_cmds.h"
#include "ctl_print.h"

enum {
	CTL_EXIT_OK = 0,
	CTL_EXIT_ERROR = 1,   /* the server answered with an error */
	CTL_EXIT_USAGE = 2,   /* bad command line */
	CTL_EXIT_CONNECT = 3, /* cannot connect to the socket */
	CTL_EXIT_PROTO = 4,   /* timeout, or an answer that is not the protocol */
};

#define CTL_DEFAULT_SOCKET "/run/jitsim/default.sock"
#define CTL_DEFAULT_TIMEOUT 30.0
/* The server refuses to send more than its output bound (4 MiB by
 * default); anything far beyond is not a jitsim server. */
#define CTL_MAX_RESPONSE (64u * 1024 * 1024)
#define CTL_MAX_ARGS 64
#define CTL_REQUEST_ID 1
#define CTL_NAME_MAX 64 /* as the server's JITSIM_CTLSRV_NAME_MAX */

struct ctl_opt {
	char key[64];
	const char *value;
};

struct ctl_args {
	const char *socket;
	bool json;
	bool help;
	double timeout;
	const char *pos[CTL_MAX_ARGS];
	unsigned int npos;
	struct ctl_opt opt[CTL_MAX_ARGS];
	unsigned int nopt;
};

static void
ctl_usage(FILE *f)
{
	fputs("usage: jitsimctl [--socket PATH] [--json] [--timeout SEC] COMMAND [SUBCOMMAND] "
	      "[ARGS] [--key value...]\n"
	      "       jitsimctl [COMMAND [SUBCOMMAND]] --help\n"
	      "\n"
	      "options (anywhere on the line):\n"
	      "  --socket PATH   control socket (default $JITSIM_SOCKET, else " CTL_DEFAULT_SOCKET
	      ")\n"
	      "  --json          print the result as JSON\n"
	      "  --timeout SEC   give up after SEC seconds (default 30, 0: never)\n"
	      "  --KEY VALUE     passed to the command as \"KEY\":\"VALUE\" (- becomes _)\n"
	      "\n"
	      "exit status: 0 ok, 1 the server answered an error, 2 usage, 3 cannot connect,\n"
	      "4 timeout or protocol error\n"
	      "\n"
	      "commands:\n",
	      f);
	jitsim_ctl_cmd_list(f, NULL);
	fputs("\nOther names are sent as they are (e.g. jitsimctl sim.frob --imsi 1);\n"
	      "\"jitsimctl help\" lists what the server knows.\n",
	      f);
}

static int ctl_usage_error(const char *fmt, ...) __attribute__((format(printf, 1, 2)));

static int
ctl_usage_error(const char *fmt, ...)
{
	va_list ap;

	fputs("jitsimctl: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputs("\n(jitsimctl --help for usage)\n", stderr);
	return CTL_EXIT_USAGE;
}

static bool
ctl_word_ok(const char *w, bool dots)
{
	if (*w == '\0')
		return false;
	for (; *w != '\0'; w++)
		if (!((*w >= 'a' && *w <= 'z') || (*w >= '0' && *w <= '9') || *w == '_' ||
		      *w == '-' || (dots && *w == '.')))
			return false;
	return true;
}

static int
ctl_add_opt(struct ctl_args *a, const char *key, size_t klen, const char *value)
{
	struct ctl_opt *o;
	char k[64];

	if (klen == 0 || klen >= sizeof(k))
		return ctl_usage_error("bad option \"%s\"", key);
	memcpy(k, key, klen);
	k[klen] = '\0';
	for (char *p = k; *p != '\0'; p++)
		if (*p == '-')
			*p = '_';
	if (!ctl_word_ok(k, false))
		return ctl_usage_error("bad option name \"%s\" (a-z 0-9 _ -)", k);
	if (strcmp(k, "cmd") == 0 || strcmp(k, "id") == 0)
		return ctl_usage_error("--%s is reserved by the protocol", k);
	for (unsigned int i = 0; i < a->nopt; i++)
		if (strcmp(a->opt[i].key, k) == 0)
			return ctl_usage_error("--%s given twice", k);
	if (a->nopt == CTL_MAX_ARGS)
		return ctl_usage_error("%s", "too many options");
	o = &a->opt[a->nopt++];
	memcpy(o->key, k, klen + 1);
	o->value = value;
	return CTL_EXIT_OK;
}

static int
ctl_parse(int argc, char **argv, struct ctl_args *a)
{
	const char *env = getenv("JITSIM_SOCKET");
	bool only_pos = false;

	a->socket = env != NULL && env[0] != '\0' ? env : CTL_DEFAULT_SOCKET;
	a->timeout = CTL_DEFAULT_TIMEOUT;
	for (int i = 1; i < argc; i++) {
		const char *s = argv[i], *eq, *val;
		size_t klen;

		if (only_pos || s[0] != '-' || s[1] == '\0') {
			if (a->npos == CTL_MAX_ARGS)
				return ctl_usage_error("%s", "too many arguments");
			a->pos[a->npos++] = s;
			continue;
		}
		if (strcmp(s, "--") == 0) {
			only_pos = true;
			continue;
		}
		if (strcmp(s, "-h") == 0 || strcmp(s, "--help") == 0) {
			a->help = true;
			continue;
		}
		if (strcmp(s, "--json") == 0) {
			a->json = true;
			continue;
		}
		if (s[1] != '-')
			return ctl_usage_error("unknown option \"%s\"", s);
		s += 2;
		eq = strchr(s, '=');
		klen = eq != NULL ? (size_t)(eq - s) : strlen(s);
		if (eq != NULL) {
			val = eq + 1;
		} else {
			if (i + 1 >= argc)
				return ctl_usage_error("--%s needs a value", s);
			val = argv[++i];
		}
		if (klen == 6 && strncmp(s, "socket", 6) == 0) {
			a->socket = val;
		} else if (klen == 7 && strncmp(s, "timeout", 7) == 0) {
			char *end;

			errno = 0;
			a->timeout = strtod(val, &end);
			if (errno != 0 || end == val || *end != '\0' || !(a->timeout >= 0) ||
			    a->timeout > 86400)
				return ctl_usage_error("--timeout \"%s\": seconds from 0 to 86400",
						       val);
		} else {
			int rc = ctl_add_opt(a, s, klen, val);

			if (rc != CTL_EXIT_OK)
				return rc;
		}
	}
	return CTL_EXIT_OK;
}

/* ---- the request ---- */

static int
ctl_set_str(json_t *req, const char *key, const char *value)
{
	json_t *v = json_string(value);

	if (v == NULL) {
		fprintf(stderr, "jitsimctl: the value of \"%s\" is not valid UTF-8\n", key);
		return CTL_EXIT_USAGE;
	}
	if (json_object_set_new(req, key, v) != 0) {
		fprintf(stderr, "jitsimctl: out of memory\n");
		return CTL_EXIT_PROTO;
	}
	return CTL_EXIT_OK;
}

/* A relative file name means the caller's directory, not jitsim-cp's. */
static int
ctl_set_path(json_t *req, const char *key, const char *path)
{
	char cwd[PATH_MAX], full[PATH_MAX + 1];

	if (path[0] == '/')
		return ctl_set_str(req, key, path);
	if (getcwd(cwd, sizeof(cwd)) == NULL) {
		fprintf(stderr, "jitsimctl: cannot resolve %s: %s\n", path, strerror(errno));
		return CTL_EXIT_USAGE;
	}
	if ((size_t)snprintf(full, sizeof(full), "%s/%s", cwd, path) >= sizeof(full)) {
		fprintf(stderr, "jitsimctl: %s: path too long\n", path);
		return CTL_EXIT_USAGE;
	}
	return ctl_set_str(req, key, full);
}

/* Build the request from the words: known commands map their positional
 * arguments to keys; other names are sent as they are. */
static int
ctl_build(const struct ctl_args *a, json_t **out)
{
	const struct jitsim_ctl_cmd *cmd = NULL;
	/* Names are checked against CTL_NAME_MAX; the buffers leave room for
	 * the checks to happen after formatting. */
	char name[2 * CTL_NAME_MAX + 2], group[CTL_NAME_MAX];
	const char *sub = NULL;
	unsigned int first = 1; /* index of the first positional argument */
	json_t *req;
	int rc;

	if (strlen(a->pos[0]) >= CTL_NAME_MAX || !ctl_word_ok(a->pos[0], true))
		return ctl_usage_error("bad command name \"%s\"", a->pos[0]);
	snprintf(group, sizeof(group), "%s", a->pos[0]);
	if (strchr(group, '.') != NULL) {
		/* "sim.show IMSI": the socket name given directly. */
		char *dot = strchr(group, '.');

		*dot = '\0';
		sub = dot + 1;
		if (strchr(sub, '.') != NULL || *sub == '\0' || group[0] == '\0')
			sub = NULL, cmd = NULL;
		else
			cmd = jitsim_ctl_cmd_find(group, sub);
		snprintf(name, sizeof(name), "%s", a->pos[0]);
	} else if (jitsim_ctl_cmd_is_group(group)) {
		if (a->npos < 2) {
			if (a->help) {
				printf("usage:\n");
				jitsim_ctl_cmd_list(stdout, group);
				return -1;
			}
			fprintf(stderr, "jitsimctl: %s: which one?\n", group);
			jitsim_ctl_cmd_list(stderr, group);
			return CTL_EXIT_USAGE;
		}
		sub = a->pos[1];
		if (strlen(group) + 1 + strlen(sub) >= CTL_NAME_MAX || !ctl_word_ok(sub, false))
			return ctl_usage_error("bad subcommand \"%s\"", sub);
		snprintf(name, sizeof(name), "%s.%s", group, sub);
		cmd = jitsim_ctl_cmd_find(group, sub);
		first = 2;
	} else {
		snprintf(name, sizeof(name), "%s", group);
		cmd = jitsim_ctl_cmd_find(group, NULL);
	}

	if (a->help) {
		if (cmd == NULL) {
			fprintf(stderr,
				"jitsimctl: %s: not a command jitsimctl knows; "
				"\"jitsimctl help\" lists the server's\n",
				name);
			return CTL_EXIT_USAGE;
		}
		printf("usage:\n");
		jitsim_ctl_cmd_usage(stdout, cmd);
		return -1;
	}

	req = json_pack("{s:s, s:i}", "cmd", cmd != NULL ? cmd->name : name, "id", CTL_REQUEST_ID);
	if (req == NULL) {
		fprintf(stderr, "jitsimctl: out of memory\n");
		return CTL_EXIT_PROTO;
	}
	if (cmd == NULL) {
		if (a->npos > first) {
			json_decref(req);
			fprintf(stderr,
				"jitsimctl: %s: unknown to jitsimctl, so arguments must be given "
				"as "
				"--key value\n",
				name);
			return CTL_EXIT_USAGE;
		}
	} else {
		unsigned int n = a->npos - first, max = 0;

		while (max < JITSIM_CTL_MAX_POS && cmd->pos[max] != NULL)
			max++;
		if (n < cmd->nreq || n > max) {
			json_decref(req);
			fprintf(stderr, "jitsimctl: %s: %s arguments\nusage:\n", name,
				n < cmd->nreq ? "missing" : "too many");
			jitsim_ctl_cmd_usage(stderr, cmd);
			return CTL_EXIT_USAGE;
		}
		for (unsigned int i = 0; i < n; i++) {
			if (i == 0 && cmd->path_arg)
				rc = ctl_set_path(req, cmd->pos[i], a->pos[first + i]);
			else
				rc = ctl_set_str(req, cmd->pos[i], a->pos[first + i]);
			if (rc != CTL_EXIT_OK) {
				json_decref(req);
				return rc;
			}
		}
	}
	for (unsigned int i = 0; i < a->nopt; i++) {
		if (json_object_get(req, a->opt[i].key) != NULL) {
			json_decref(req);
			return ctl_usage_error("--%s repeats a positional argument", a->opt[i].key);
		}
		/* Options that name a file jitsim-cp reads are made absolute
		 * like FILE arguments: relative to the caller's directory. */
		if (strcmp(a->opt[i].key, "transport_key") == 0)
			rc = ctl_set_path(req, a->opt[i].key, a->opt[i].value);
		else
			rc = ctl_set_str(req, a->opt[i].key, a->opt[i].value);
		if (rc != CTL_EXIT_OK) {
			json_decref(req);
			return rc;
		}
	}
	*out = req;
	return CTL_EXIT_OK;
}

/* ---- the exchange ---- */

static double
ctl_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

/* Milliseconds left before @deadline for poll(): -1 without a deadline,
 * 0 when it has passed. */
static int
ctl_left_ms(double deadline)
{
	double left;

	if (deadline == 0)
		return -1;
	left = deadline - ctl_now();
	if (left <= 0)
		return 0;
	return left > INT_MAX / 1000 ? INT_MAX : (int)(left * 1000) + 1;
}

static int
ctl_connect(const char *path, double timeout, int *fdp)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	struct timeval tv;
	int fd;

	if (strlen(path) >= sizeof(sa.sun_path)) {
		fprintf(stderr, "jitsimctl: cannot connect to %s: path too long\n", path);
		return CTL_EXIT_CONNECT;
	}
	memcpy(sa.sun_path, path, strlen(path) + 1);
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		fprintf(stderr, "jitsimctl: socket: %s\n", strerror(errno));
		return CTL_EXIT_CONNECT;
	}
	/* A Unix connect() blocks while the listener's backlog is full, for
	 * at most the send timeout. */
	if (timeout > 0) {
		tv.tv_sec = (time_t)timeout;
		tv.tv_usec = (suseconds_t)((timeout - (double)tv.tv_sec) * 1e6);
		if (tv.tv_sec == 0 && tv.tv_usec == 0)
			tv.tv_usec = 1;
		setsockopt(fd, SOL_SOCKET, SO_SNDTIMEO, &tv, sizeof(tv));
	}
	if (connect(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		int e = errno;

		close(fd);
		if (e == EAGAIN || e == EINPROGRESS) {
			fprintf(stderr, "jitsimctl: %s: timeout connecting (server busy)\n", path);
			return CTL_EXIT_PROTO;
		}
		fprintf(stderr, "jitsimctl: cannot connect to %s: %s\n", path, strerror(e));
		return CTL_EXIT_CONNECT;
	}
	*fdp = fd;
	return CTL_EXIT_OK;
}

static int
ctl_wait(int fd, short events, double deadline, const char *path)
{
	struct pollfd p = {.fd = fd, .events = events};

	for (;;) {
		int n = poll(&p, 1, ctl_left_ms(deadline));

		if (n > 0)
			return CTL_EXIT_OK;
		if (n == 0) {
			fprintf(stderr, "jitsimctl: %s: timeout waiting for the server\n", path);
			return CTL_EXIT_PROTO;
		}
		if (errno != EINTR) {
			fprintf(stderr, "jitsimctl: poll: %s\n", strerror(errno));
			return CTL_EXIT_PROTO;
		}
	}
}

static int
ctl_send(int fd, const char *buf, size_t len, double deadline, const char *path)
{
	while (len > 0) {
		ssize_t n = send(fd, buf, len, MSG_NOSIGNAL | MSG_DONTWAIT);
		int rc;

		if (n < 0) {
			if (errno == EINTR)
				continue;
			if (errno == EPIPE || errno == ECONNRESET)
				return CTL_EXIT_OK; /* refused: the reply line says why */
			if (errno != EAGAIN) {
				fprintf(stderr, "jitsimctl: %s: send: %s\n", path, strerror(errno));
				return CTL_EXIT_PROTO;
			}
			rc = ctl_wait(fd, POLLOUT, deadline, path);
			if (rc != CTL_EXIT_OK)
				return rc;
			continue;
		}
		buf += n;
		len -= (size_t)n;
	}
	return CTL_EXIT_OK;
}

/* Read one response line (the newline replaced by NUL) into *@out. */
static int
ctl_recv_line(int fd, double deadline, const char *path, char **out, size_t *outlen)
{
	size_t len = 0, cap = 0;
	char *buf = NULL;
	int rc;

	for (;;) {
		ssize_t n;
		char *nl;

		if (len == cap) {
			char *p;

			if (cap >= CTL_MAX_RESPONSE) {
				fprintf(stderr, "jitsimctl: %s: response over %u bytes\n", path,
					CTL_MAX_RESPONSE);
				free(buf);
				return CTL_EXIT_PROTO;
			}
			cap = cap ? cap * 2 : 65536;
			p = realloc(buf, cap + 1);
			if (p == NULL) {
				fprintf(stderr, "jitsimctl: out of memory\n");
				free(buf);
				return CTL_EXIT_PROTO;
			}
			buf = p;
		}
		rc = ctl_wait(fd, POLLIN, deadline, path);
		if (rc != CTL_EXIT_OK) {
			free(buf);
			return rc;
		}
		n = recv(fd, buf + len, cap - len, MSG_DONTWAIT);
		if (n < 0) {
			if (errno == EINTR || errno == EAGAIN)
				continue;
			fprintf(stderr, "jitsimctl: %s: %s\n", path, strerror(errno));
			free(buf);
			return CTL_EXIT_PROTO;
		}
		if (n == 0) {
			fprintf(stderr, "jitsimctl: %s: the server closed the connection %s\n",
				path, len ? "in the middle of a response" : "without answering");
			free(buf);
			return CTL_EXIT_PROTO;
		}
		nl = memchr(buf + len, '\n', (size_t)n);
		len += (size_t)n;
		if (nl != NULL) {
			*nl = '\0';
			*out = buf;
			*outlen = (size_t)(nl - buf);
			return CTL_EXIT_OK;
		}
	}
}

/* Check the response and print it. */
static int
ctl_answer(const struct ctl_args *a, const char *line, size_t len)
{
	json_t *resp, *ok, *id, *result;
	json_error_t je;
	int rc;

	resp = json_loadb(line, len, 0, &je);
	if (resp == NULL) {
		fprintf(stderr, "jitsimctl: %s: response is not JSON (column %d: %s)\n", a->socket,
			je.column, je.text);
		return CTL_EXIT_PROTO;
	}
	ok = json_object_get(resp, "ok");
	id = json_object_get(resp, "id");
	if (!json_is_boolean(ok) ||
	    (id != NULL && !(json_is_integer(id) && json_integer_value(id) == CTL_REQUEST_ID)) ||
	    (id == NULL && json_is_true(ok))) {
		fprintf(stderr, "jitsimctl: %s: response is not a jitsim control response\n",
			a->socket);
		json_decref(resp);
		return CTL_EXIT_PROTO;
	}
	if (json_is_false(ok)) {
		const char *err = json_string_value(json_object_get(resp, "error"));
		const char *reason = json_string_value(json_object_get(resp, "reason"));
		char *e = strdup(err != NULL ? err : "error"), *r;

		r = strdup(reason != NULL ? reason : "EUNKNOWN");
		for (char *p = e; p != NULL && *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		for (char *p = r; p != NULL && *p != '\0'; p++)
			if ((unsigned char)*p < 0x20 || *p == 0x7f)
				*p = '?';
		fprintf(stderr, "jitsimctl: %s (%s)\n", e != NULL ? e : "error",
			r != NULL ? r : "EUNKNOWN");
		free(e);
		free(r);
		json_decref(resp);
		return CTL_EXIT_ERROR;
	}
	result = json_object_get(resp, "result");
	rc = a->json ? jitsim_ctl_print_json(stdout, result != NULL ? result : json_null())
		     : jitsim_ctl_print_human(stdout, result);
	json_decref(resp);
	if (rc == 0 && fflush(stdout) != 0)
		rc = -EIO;
	if (rc < 0) {
		fprintf(stderr, "jitsimctl: cannot print the result: %s\n", strerror(-rc));
		return CTL_EXIT_PROTO;
	}
	return CTL_EXIT_OK;
}

int
main(int argc, char **argv)
{
	struct ctl_args a = {0};
	double deadline = 0;
	char *text, *line = NULL;
	size_t len;
	json_t *req = NULL;
	int fd = -1, rc;

	rc = ctl_parse(argc, argv, &a);
	if (rc != CTL_EXIT_OK)
		return rc;
	if (a.npos == 0) {
		if (a.help) {
			ctl_usage(stdout);
			return CTL_EXIT_OK;
		}
		ctl_usage(stderr);
		return CTL_EXIT_USAGE;
	}
	rc = ctl_build(&a, &req);
	if (rc < 0)
		return CTL_EXIT_OK; /* --help printed */
	if (rc != CTL_EXIT_OK)
		return rc;

	text = json_dumps(req, JSON_COMPACT);
	json_decref(req);
	if (text == NULL) {
		fprintf(stderr, "jitsimctl: out of memory\n");
		return CTL_EXIT_PROTO;
	}
	if (strlen(text) > 64 * 1024) {
		fprintf(stderr, "jitsimctl: request over 64 KiB\n");
		free(text);
		return CTL_EXIT_USAGE;
	}
	if (a.timeout > 0)
		deadline = ctl_now() + a.timeout;
	rc = ctl_connect(a.socket, a.timeout, &fd);
	if (rc == CTL_EXIT_OK) {
		size_t n = strlen(text);

		text[n] = '\n'; /* the NUL is not sent */
		rc = ctl_send(fd, text, n + 1, deadline, a.socket);
	}
	free(text);
	if (rc == CTL_EXIT_OK)
		rc = ctl_recv_line(fd, deadline, a.socket, &line, &len);
	if (fd >= 0)
		close(fd);
	if (rc == CTL_EXIT_OK)
		rc = ctl_answer(&a, line, len);
	free(line);
	return rc;
}
