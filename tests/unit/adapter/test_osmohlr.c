/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The osmo-hlr adapter against a real osmo-hlr (Debian package osmo-hlr),
 * started here in the foreground with its own config and database in a
 * temporary directory, on its own loopback address (its ports are fixed).
 * Every check reads the result back from osmo-hlr itself over CTRL.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <netinet/in.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>

#include "adapter.h"
#include "osmohlr.h"
#include "rmtree.h"

#define N_SUBS 120

static char dir[64];
static char addr[32];
static pid_t hlr_pid = -1;

/* --- osmo-hlr process --- */

static void
hlr_start(void)
{
	char cfg[128], db[128], log[128];
	FILE *f;

	snprintf(cfg, sizeof(cfg), "%s/hlr.cfg", dir);
	snprintf(db, sizeof(db), "%s/hlr.db", dir);
	snprintf(log, sizeof(log), "%s/hlr.log", dir);
	f = fopen(cfg, "w");
	assert_non_null(f);
	fprintf(f,
		"log stderr\n logging filter all 1\n logging color 0\n"
		" logging level main notice\n logging level ctrl notice\n"
		"line vty\n bind %s\nctrl\n bind %s\nhlr\n gsup\n  bind ip %s\n",
		addr, addr, addr);
	fclose(f);
	hlr_pid = fork();
	assert_true(hlr_pid >= 0);
	if (hlr_pid == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_APPEND, 0600);

		dup2(fd, 1);
		dup2(fd, 2);
		execlp("osmo-hlr", "osmo-hlr", "-c", cfg, "-l", db, (char *)NULL);
		_exit(127);
	}
	/* Ready when CTRL accepts. */
	for (int i = 0; i < 200; i++) {
		struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(4259)};
		int fd = socket(AF_INET, SOCK_STREAM, 0);
		int st;

		inet_pton(AF_INET, addr, &sa.sin_addr);
		if (connect(fd, (struct sockaddr *)&sa, sizeof(sa)) == 0) {
			close(fd);
			return;
		}
		close(fd);
		if (waitpid(hlr_pid, &st, WNOHANG) == hlr_pid)
			fail_msg("osmo-hlr exited at start; see %s", log);
		usleep(50 * 1000);
	}
	fail_msg("osmo-hlr did not open CTRL on %s:4259 in 10 s", addr);
}

static void
hlr_kill(void)
{
	if (hlr_pid > 0) {
		kill(hlr_pid, SIGKILL);
		waitpid(hlr_pid, NULL, 0);
		hlr_pid = -1;
	}
}

/* --- a CTRL client of the test's own, to read back --- */

static int
ctrl_open(void)
{
	struct sockaddr_in sa = {.sin_family = AF_INET, .sin_port = htons(4259)};
	int fd = socket(AF_INET, SOCK_STREAM, 0);

	inet_pton(AF_INET, addr, &sa.sin_addr);
	assert_int_equal(connect(fd, (struct sockaddr *)&sa, sizeof(sa)), 0);
	return fd;
}

static void
read_full(int fd, void *buf, size_t n)
{
	size_t got = 0;

	while (got < n) {
		ssize_t r = read(fd, (char *)buf + got, n - got);

		assert_true(r > 0);
		got += (size_t)r;
	}
}

/* Send @req, return the CTRL answer text in @out. */
static void
ctrl_cmd(int fd, const char *req, char *out, size_t cap)
{
	uint8_t hdr[4];
	size_t n = strlen(req);

	hdr[0] = (uint8_t)((n + 1) >> 8);
	hdr[1] = (uint8_t)(n + 1);
	hdr[2] = 0xee;
	hdr[3] = 0x00;
	assert_int_equal(write(fd, hdr, 4), 4);
	assert_int_equal(write(fd, req, n), (ssize_t)n);
	for (;;) {
		uint8_t h[3];
		size_t len;
		char buf[4096];

		read_full(fd, h, 3);
		len = (size_t)h[0] << 8 | h[1];
		assert_true(len < sizeof(buf));
		read_full(fd, buf, len);
		if (h[2] == 0xee && len >= 1 && buf[0] == 0x00) {
			snprintf(out, cap, "%.*s", (int)(len - 1), buf + 1);
			return;
		}
	}
}

/* Value of @key in an info-all answer, or NULL. */
static const char *
info_get(const char *info, const char *key, char *val, size_t cap)
{
	size_t kl = strlen(key);

	for (const char *p = info; p != NULL; p = strchr(p, '\n')) {
		if (*p == '\n')
			p++;
		if (strncmp(p, key, kl) == 0 && p[kl] == '\t') {
			const char *e = strchr(p + kl + 1, '\n');
			size_t n = e != NULL ? (size_t)(e - p - kl - 1) : strlen(p + kl + 1);

			snprintf(val, cap, "%.*s", (int)n, p + kl + 1);
			return val;
		}
	}
	return NULL;
}

/* --- adapter side --- */

static void
key_of(uint64_t imsi_key, uint8_t salt, uint8_t k[16])
{
	for (unsigned int i = 0; i < 16; i++)
		k[i] = (uint8_t)((imsi_key >> (8 * (i % 8))) ^ (salt + 17 * i));
}

static int
keys_cb(void *arg, const struct jitsim_prov_secret_ref *ref, uint8_t ki[16], uint8_t opc[16],
	unsigned int *have)
{
	(void)arg;
	if (ref->imsi_key == 0)
		return -ENOKEY;
	key_of(ref->imsi_key, 1, ki);
	key_of(ref->imsi_key, 2, opc);
	*have = JITSIM_OSMOHLR_HAVE_KI | JITSIM_OSMOHLR_HAVE_OPC;
	return 0;
}

static pthread_mutex_t logs_lock = PTHREAD_MUTEX_INITIALIZER;
static char logs[16384];

static void
log_cb(void *arg, const char *msg)
{
	(void)arg;
	pthread_mutex_lock(&logs_lock);
	strncat(logs, msg, sizeof(logs) - strlen(logs) - 2);
	strcat(logs, "\n");
	pthread_mutex_unlock(&logs_lock);
}

struct waiter {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done, ok;
	int status[N_SUBS];
	char msg[N_SUBS][160];
};

static struct waiter w = {PTHREAD_MUTEX_INITIALIZER, PTHREAD_COND_INITIALIZER, 0, 0, {0}, {{0}}};

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
	if (status == 0)
		w.ok++;
	pthread_cond_broadcast(&w.cond);
	pthread_mutex_unlock(&w.lock);
}

static void
wait_all(unsigned int n)
{
	pthread_mutex_lock(&w.lock);
	while (w.done < n)
		pthread_cond_wait(&w.cond, &w.lock);
	pthread_mutex_unlock(&w.lock);
}

static void
reset_waiter(void)
{
	pthread_mutex_lock(&w.lock);
	w.done = w.ok = 0;
	memset(w.status, 0, sizeof(w.status));
	pthread_mutex_unlock(&w.lock);
}

static struct jitsim_adapter *
adapter_up(unsigned int timeout_ms)
{
	struct jitsim_osmohlr_opts o = {.host = addr, .keys = keys_cb, .log = log_cb, .window = 16};
	struct jitsim_adapter_cfg ac = {.max_inflight = 32, .timeout_ms = timeout_ms};
	struct jitsim_osmohlr *h;
	struct jitsim_adapter *a;
	char err[256];

	assert_int_equal(jitsim_osmohlr_open(&o, &h, err, sizeof(err)), 0);
	a = jitsim_adapter_new(&jitsim_osmohlr_ops, h, &ac, err, sizeof(err));
	assert_non_null(a);
	return a;
}

static void
order_of(unsigned int i, struct jitsim_prov_order *o)
{
	memset(o, 0, sizeof(*o));
	o->job = 1000 + i;
	snprintf(o->imsi, sizeof(o->imsi), "90170%010u", 5000 + i);
	snprintf(o->msisdn, sizeof(o->msisdn), "4977%07u", 100 + i);
	snprintf(o->hlr, sizeof(o->hlr), "hlr-test");
	o->flow = i % 10 == 9 ? JITSIM_PROV_FLOW_DATA_ONLY : JITSIM_PROV_FLOW_VOICE;
	o->secret.imsi_key = 0x1000 + i;
	o->secret.mask = 3;
}

static void
submit_range(struct jitsim_adapter *a, enum jitsim_prov_op op, unsigned int from, unsigned int n)
{
	char err[256];

	for (unsigned int i = from; i < from + n; i++) {
		struct jitsim_prov_order o;

		order_of(i, &o);
		while (jitsim_adapter_submit(a, op, &o, done_cb, (void *)(uintptr_t)i, err,
					     sizeof(err)) == -EAGAIN)
			usleep(1000);
	}
}

static void
hexs(const uint8_t k[16], char out[33])
{
	for (unsigned int i = 0; i < 16; i++)
		snprintf(out + 2 * i, 3, "%02x", k[i]);
}

/* osmo-hlr has subscriber @i exactly as ordered. */
static void
check_sub(int fd, unsigned int i)
{
	struct jitsim_prov_order o;
	char req[128], ans[4096], v[64], want[33];
	uint8_t k[16];

	order_of(i, &o);
	snprintf(req, sizeof(req), "GET 1 subscriber.by-imsi-%s.info-all", o.imsi);
	ctrl_cmd(fd, req, ans, sizeof(ans));
	if (strncmp(ans, "GET_REPLY", 9) != 0)
		fail_msg("subscriber %s: %s", o.imsi, ans);
	if (o.flow == JITSIM_PROV_FLOW_DATA_ONLY) {
		assert_null(info_get(ans, "msisdn", v, sizeof(v)));
		assert_string_equal(info_get(ans, "nam_cs", v, sizeof(v)), "0");
	} else {
		assert_string_equal(info_get(ans, "msisdn", v, sizeof(v)), o.msisdn);
		assert_string_equal(info_get(ans, "nam_cs", v, sizeof(v)), "1");
	}
	assert_string_equal(info_get(ans, "nam_ps", v, sizeof(v)), "1");
	assert_string_equal(info_get(ans, "aud3g.algo", v, sizeof(v)), "MILENAGE");
	key_of(o.secret.imsi_key, 1, k);
	hexs(k, want);
	assert_string_equal(info_get(ans, "aud3g.k", v, sizeof(v)), want);
	key_of(o.secret.imsi_key, 2, k);
	hexs(k, want);
	assert_string_equal(info_get(ans, "aud3g.opc", v, sizeof(v)), want);
	/* The key never reached a log line. */
	pthread_mutex_lock(&logs_lock);
	assert_null(strstr(logs, want));
	pthread_mutex_unlock(&logs_lock);
}

static void
check_gone(int fd, unsigned int i)
{
	struct jitsim_prov_order o;
	char req[128], ans[4096];

	order_of(i, &o);
	snprintf(req, sizeof(req), "GET 1 subscriber.by-imsi-%s.info-all", o.imsi);
	ctrl_cmd(fd, req, ans, sizeof(ans));
	if (strncmp(ans, "ERROR", 5) != 0)
		fail_msg("subscriber %s still there: %.60s", o.imsi, ans);
}

/* Provision, re-provision (idempotent), read back, deprovision twice. */
static void
test_provision(void **state)
{
	struct jitsim_adapter *a;
	char msg[256];
	int fd;

	(void)state;
	a = adapter_up(20000);
	reset_waiter();
	submit_range(a, JITSIM_PROV_PROVISION, 0, N_SUBS);
	wait_all(N_SUBS);
	for (unsigned int i = 0; i < N_SUBS; i++)
		if (w.status[i] != 0)
			fail_msg("order %u: %d %s", i, w.status[i], w.msg[i]);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "connected"));

	/* The same orders again: "already exists" is success. */
	reset_waiter();
	submit_range(a, JITSIM_PROV_PROVISION, 0, 20);
	wait_all(20);
	assert_int_equal(w.ok, 20);

	fd = ctrl_open();
	for (unsigned int i = 0; i < N_SUBS; i++)
		check_sub(fd, i);

	reset_waiter();
	submit_range(a, JITSIM_PROV_DEPROVISION, 0, 10);
	wait_all(10);
	assert_int_equal(w.ok, 10);
	reset_waiter();
	submit_range(a, JITSIM_PROV_DEPROVISION, 0, 10); /* already gone: success */
	wait_all(10);
	assert_int_equal(w.ok, 10);
	for (unsigned int i = 0; i < 10; i++)
		check_gone(fd, i);
	check_sub(fd, 10);
	close(fd);
	jitsim_adapter_free(a);
}

/* osmo-hlr answers ERROR: the order fails with its reason. */
static void
test_hlr_error(void **state)
{
	struct jitsim_adapter *a;
	struct jitsim_prov_order o;
	char err[256];

	(void)state;
	a = adapter_up(20000);
	reset_waiter();
	/* Subscriber 11 takes the MSISDN that subscriber 12 holds. */
	order_of(11, &o);
	o.job = 9001;
	snprintf(o.msisdn, sizeof(o.msisdn), "4977%07u", 100 + 12);
	assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_PROVISION, &o, done_cb,
					       (void *)(uintptr_t)0, err, sizeof(err)),
			 0);
	/* No keys for this one. */
	order_of(13, &o);
	o.secret.imsi_key = 0;
	assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_UPDATE, &o, done_cb,
					       (void *)(uintptr_t)1, err, sizeof(err)),
			 0);
	wait_all(2);
	assert_int_equal(w.status[0], -EPROTO);
	assert_non_null(strstr(w.msg[0], "msisdn"));
	assert_non_null(strstr(w.msg[0], "Update MSISDN failed"));
	assert_int_equal(w.status[1], -ENOKEY);
	jitsim_adapter_free(a);
}

/* osmo-hlr killed: orders time out, health says so; back: reconnect. */
static void
test_hlr_down(void **state)
{
	struct jitsim_adapter *a;
	struct jitsim_osmohlr_stats st;
	char msg[256];
	int fd;

	(void)state;
	a = adapter_up(1500);
	reset_waiter();
	submit_range(a, JITSIM_PROV_PROVISION, 0, 2);
	wait_all(2);
	assert_int_equal(w.ok, 2);
	hlr_kill();
	reset_waiter();
	submit_range(a, JITSIM_PROV_PROVISION, N_SUBS - 10, 10);
	wait_all(10);
	assert_int_equal(w.ok, 0);
	for (unsigned int i = N_SUBS - 10; i < N_SUBS; i++)
		assert_true(w.status[i] == -ETIMEDOUT || w.status[i] == -ECONNRESET);
	assert_int_not_equal(jitsim_adapter_health(a, msg, sizeof(msg)), 0);
	assert_non_null(strstr(msg, "not connected"));
	hlr_start();
	/* Reconnect within the backoff (at most 5 s); then the retry works. */
	for (int i = 0; i < 100 && jitsim_adapter_health(a, msg, sizeof(msg)) != 0; i++)
		usleep(100 * 1000);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), 0);
	reset_waiter();
	submit_range(a, JITSIM_PROV_PROVISION, N_SUBS - 10, 10);
	wait_all(10);
	assert_int_equal(w.ok, 10);
	fd = ctrl_open();
	for (unsigned int i = N_SUBS - 10; i < N_SUBS; i++)
		check_sub(fd, i);
	close(fd);
	jitsim_adapter_free(a);
	(void)st;
}

static void
test_bad_opts(void **state)
{
	struct jitsim_osmohlr_opts o = {0};
	struct jitsim_osmohlr *h;
	char err[256];

	(void)state;
	assert_int_equal(jitsim_osmohlr_open(&o, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "host"));
	o.host = "127.0.0.1";
	o.window = 5000;
	assert_int_equal(jitsim_osmohlr_open(&o, &h, err, sizeof(err)), -EINVAL);
	assert_non_null(strstr(err, "window"));
}

static int
setup(void **state)
{
	(void)state;
	snprintf(dir, sizeof(dir), "/tmp/jitsim-ohlr.XXXXXX");
	if (mkdtemp(dir) == NULL)
		return -1;
	/* A loopback address of our own: osmo-hlr's ports are fixed. */
	snprintf(addr, sizeof(addr), "127.0.%u.%u", 100 + (unsigned int)(getpid() >> 8) % 100,
		 2 + (unsigned int)getpid() % 250);
	hlr_start();
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	hlr_kill();
	jitsim_test_rmtree(dir);
	return 0;
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_bad_opts),
		cmocka_unit_test(test_provision),
		cmocka_unit_test(test_hlr_error),
		cmocka_unit_test(test_hlr_down),
	};

	signal(SIGPIPE, SIG_IGN);
	return cmocka_run_group_tests(tests, setup, teardown);
}
