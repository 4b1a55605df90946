/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The HTTP adapter against a local HTTP/1.1 server (http_peer.py, started
 * here; plain and TLS with a certificate made here by openssl): answers by
 * status class, 409 idempotency, timeouts, keep-alive, bearer token, TLS
 * verification on by default.
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "adapter.h"
#include "http.h"
#include "rmtree.h"

#ifndef HTTP_PEER
#error "HTTP_PEER: path of http_peer.py"
#endif

#define N_MAX 64

static char dir[64];
static pid_t peer_pid = -1, tls_pid = -1;
static unsigned int port, tls_port;

static pid_t
peer_start(const char *name, bool tls, unsigned int *portp)
{
	char pf[128], logp[128], cert[128], key[128], buf[16] = "";
	pid_t pid;

	snprintf(pf, sizeof(pf), "%s/%s.port", dir, name);
	snprintf(logp, sizeof(logp), "%s/%s.log", dir, name);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	snprintf(key, sizeof(key), "%s/key.pem", dir);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		if (tls)
			execlp("python3", "python3", HTTP_PEER, "--port-file", pf, "--log", logp,
			       "--tls", cert, key, (char *)NULL);
		else
			execlp("python3", "python3", HTTP_PEER, "--port-file", pf, "--log", logp,
			       (char *)NULL);
		_exit(127);
	}
	for (int i = 0; i < 200; i++) {
		FILE *f = fopen(pf, "r");

		if (f != NULL) {
			if (fgets(buf, sizeof(buf), f) != NULL)
				*portp = (unsigned int)atoi(buf);
			fclose(f);
			if (*portp != 0)
				return pid;
		}
		usleep(50 * 1000);
	}
	fail_msg("http_peer.py did not start");
	return -1;
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done;
	int status[N_MAX];
	char msg[N_MAX][200];
};

static struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, {0}, {{0}}};

static void
done_cb(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status, const char *msg,
	void *arg)
{
	unsigned int i = (unsigned int)(uintptr_t)arg;

	(void)o;
	(void)op;
	pthread_mutex_lock(&w.lock);
	w.status[i] = status;
	snprintf(w.msg[i], sizeof(w.msg[i]), "%s", msg);
	w.done++;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
}

static void
run_orders(struct jitsim_adapter *a, unsigned int n, const unsigned int *last_digit, uint64_t job0)
{
	char err[256];

	pthread_mutex_lock(&w.lock);
	w.done = 0;
	pthread_mutex_unlock(&w.lock);
	for (unsigned int i = 0; i < n; i++) {
		struct jitsim_prov_order o = {0};

		o.job = job0 + i;
		snprintf(o.imsi, sizeof(o.imsi), "00101000%06u%u", i, last_digit[i]);
		snprintf(o.msisdn, sizeof(o.msisdn), "4477%06u", i);
		snprintf(o.hlr, sizeof(o.hlr), "hlr-a");
		snprintf(o.tariff, sizeof(o.tariff), "iot");
		o.flow = JITSIM_PROV_FLOW_VOICE;
		o.region = 3;
		assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_PROVISION, &o, done_cb,
						       (void *)(uintptr_t)i, err, sizeof(err)),
				 0);
	}
	pthread_mutex_lock(&w.lock);
	while (w.done < n)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
}

static struct jitsim_adapter *
adapter_up(const struct jitsim_http_opts *ho, unsigned int timeout_ms)
{
	struct jitsim_adapter_cfg ac = {.max_inflight = 4, .timeout_ms = timeout_ms};
	struct jitsim_http *h;
	struct jitsim_adapter *a;
	char err[256];

	if (jitsim_http_open(ho, &h, err, sizeof(err)) != 0)
		fail_msg("http open: %s", err);
	a = jitsim_adapter_new(&jitsim_http_ops, h, &ac, err, sizeof(err));
	assert_non_null(a);
	return a;
}

static void
write_file(const char *path, const char *text, mode_t mode)
{
	int fd = open(path, O_WRONLY | O_CREAT | O_TRUNC, mode);

	assert_true(fd >= 0);
	assert_int_equal(write(fd, text, strlen(text)), (ssize_t)strlen(text));
	fchmod(fd, mode);
	close(fd);
}

static void
test_answers(void **state)
{
	unsigned int digits[40];
	char url[64], tok[128], logp[128], line[4096];
	struct jitsim_http_opts ho = {0};
	struct jitsim_adapter *a;
	unsigned int ports[64], nports = 0, nreq = 0;
	FILE *f;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/provision", port);
	snprintf(tok, sizeof(tok), "%s/token", dir);
	write_file(tok, "s3cret-token\n", 0600);
	ho.url = url;
	ho.token_file = tok;
	a = adapter_up(&ho, 2000);
	for (unsigned int i = 0; i < 40; i++)
		digits[i] = i % 9; /* 0..8: every answer but the slow one */
	run_orders(a, 40, digits, 100);
	for (unsigned int i = 0; i < 40; i++) {
		switch (digits[i]) {
		case 6:
			assert_int_equal(w.status[i], -EEXIST);
			assert_non_null(strstr(w.msg[i], "HTTP 409"));
			break;
		case 7:
			assert_int_equal(w.status[i], -EAGAIN);
			assert_non_null(strstr(w.msg[i], "HTTP 500: database busy"));
			break;
		case 8:
			assert_int_equal(w.status[i], -EREMOTEIO);
			assert_non_null(strstr(w.msg[i], "HTTP 400: unknown tariff"));
			break;
		default: /* 201, and 409 for the same subscriber */
			if (w.status[i] != 0)
				fail_msg("order %u: %d %s", i, w.status[i], w.msg[i]);
		}
	}
	/* The 500s again (same job ids): the server recovered. */
	run_orders(a, 40, digits, 100);
	for (unsigned int i = 0; i < 40; i++)
		if (digits[i] == 7)
			assert_int_equal(w.status[i], 0);
	jitsim_adapter_free(a);

	snprintf(logp, sizeof(logp), "%s/plain.log", dir);
	f = fopen(logp, "r");
	assert_non_null(f);
	while (fgets(line, sizeof(line), f) != NULL) {
		json_t *j = json_loads(line, 0, NULL);
		const json_t *b = json_object_get(j, "body");
		unsigned int p = (unsigned int)json_integer_value(json_object_get(j, "port"));
		char key[64];
		bool seen = false;

		assert_non_null(j);
		nreq++;
		assert_string_equal(json_string_value(json_object_get(j, "auth")),
				    "Bearer s3cret-token");
		snprintf(key, sizeof(key), "jitsim-%" PRId64 "-provision",
			 (int64_t)json_integer_value(json_object_get(b, "job")));
		assert_string_equal(json_string_value(json_object_get(j, "key")), key);
		assert_string_equal(json_string_value(json_object_get(b, "op")), "provision");
		assert_string_equal(json_string_value(json_object_get(b, "tariff")), "iot");
		assert_int_equal(json_integer_value(json_object_get(b, "region")), 3);
		/* Never key material. */
		assert_null(json_object_get(b, "ki"));
		assert_null(json_object_get(b, "opc"));
		for (unsigned int k = 0; k < nports; k++)
			seen |= ports[k] == p;
		if (!seen && nports < 64)
			ports[nports++] = p;
		json_decref(j);
	}
	fclose(f);
	assert_int_equal(nreq, 80);
	/* Keep-alive: a handful of connections, not one per request. */
	if (nports > 8)
		fail_msg("%u connections for %u requests", nports, nreq);
}

static void
test_timeout(void **state)
{
	unsigned int digits[1] = {9};
	char url[64];
	struct jitsim_http_opts ho = {0};
	struct jitsim_adapter *a;

	(void)state;
	snprintf(url, sizeof(url), "http://127.0.0.1:%u/provision", port);
	ho.url = url;
	a = adapter_up(&ho, 800);
	run_orders(a, 1, digits, 500);
	assert_int_equal(w.status[0], -ETIMEDOUT);
	jitsim_adapter_free(a);
}

static void
test_refused(void **state)
{
	unsigned int digits[1] = {0};
	struct jitsim_http_opts ho = {0};
	struct jitsim_adapter *a;

	(void)state;
	ho.url = "http://127.0.0.1:1/provision"; /* nobody listens on port 1 */
	a = adapter_up(&ho, 2000);
	run_orders(a, 1, digits, 600);
	assert_int_equal(w.status[0], -ECONNREFUSED);
	jitsim_adapter_free(a);
}

static void
test_tls(void **state)
{
	unsigned int digits[2] = {0, 1};
	char url[64], cert[128];
	struct jitsim_http_opts ho = {0};
	struct jitsim_adapter *a;

	(void)state;
	snprintf(url, sizeof(url), "https://127.0.0.1:%u/provision", tls_port);
	snprintf(cert, sizeof(cert), "%s/cert.pem", dir);
	ho.url = url;
	/* Verification is on by default: a self-signed server is refused. */
	a = adapter_up(&ho, 3000);
	run_orders(a, 1, digits, 700);
	assert_int_equal(w.status[0], -EACCES);
	jitsim_adapter_free(a);
	/* Trusting its certificate: accepted. */
	ho.ca_file = cert;
	a = adapter_up(&ho, 3000);
	run_orders(a, 2, digits, 710);
	assert_int_equal(w.status[0], 0);
	assert_int_equal(w.status[1], 0);
	jitsim_adapter_free(a);
	/* Explicitly insecure: accepted too. */
	ho.ca_file = NULL;
	ho.insecure = true;
	a = adapter_up(&ho, 3000);
	run_orders(a, 1, digits, 720);
	assert_int_equal(w.status[0], 0);
	jitsim_adapter_free(a);
}

static void
test_bad_opts(void **state)
{
	struct jitsim_http_opts ho = {0};
	struct jitsim_http *h;
	char err[256], tok[128];

	(void)state;
	assert_int_equal(jitsim_http_open(&ho, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "url"));
	ho.url = "ftp://example.org/";
	assert_int_equal(jitsim_http_open(&ho, &h, err, sizeof(err)), -EINVAL);
	ho.url = "http://127.0.0.1/";
	snprintf(tok, sizeof(tok), "%s/token.loose", dir);
	write_file(tok, "abc\n", 0644);
	ho.token_file = tok;
	assert_int_equal(jitsim_http_open(&ho, &h, err, sizeof(err)), -EPERM);
	assert_non_null(strstr(err, "mode 0644"));
	assert_null(strstr(err, "abc"));
	write_file(tok, "two words\n", 0600);
	assert_int_equal(jitsim_http_open(&ho, &h, err, sizeof(err)), -EINVAL);
	assert_null(strstr(err, "two"));
	ho.token_file = NULL;
	ho.client_cert = tok;
	assert_int_equal(jitsim_http_open(&ho, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "client_key"));
}

static int
setup(void **state)
{
	char cmd[512];

	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/jitsim-http.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	snprintf(cmd, sizeof(cmd),
		 "openssl req -x509 -newkey rsa:2048 -nodes -keyout %s/key.pem -out %s/cert.pem "
		 "-subj /CN=127.0.0.1 -addext subjectAltName=IP:127.0.0.1 -days 1 "
		 ">/dev/null 2>&1",
		 dir, dir);
	if (system(cmd) != 0)
		return -1;
	peer_pid = peer_start("plain", false, &port);
	tls_pid = peer_start("tls", true, &tls_port);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	if (peer_pid > 0) {
		kill(peer_pid, SIGKILL);
		waitpid(peer_pid, NULL, 0);
	}
	if (tls_pid > 0) {
		kill(tls_pid, SIGKILL);
		waitpid(tls_pid, NULL, 0);
	}
	jitsim_test_rmtree(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_opts), cmocka_unit_test(test_answers),
		cmocka_unit_test(test_timeout),	 cmocka_unit_test(test_refused),
		cmocka_unit_test(test_tls),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
