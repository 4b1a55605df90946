/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Provisioning adapters (control/adapter): the outbox backend (JSON
 * lines parsed back with jansson, durable before acknowledged, failed
 * fdatasync, duplicates, partial last line repaired at open, no secret
 * in the file, rotation, health) and the runner (bounded concurrency
 * with a slow asynchronous fake backend, timeouts, order checks).
 *
 * Callbacks run on adapter threads, where cmocka's asserts must not be
 * used: they record what they saw and the main thread asserts.
 */

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <cmocka.h>
#include <jansson.h>

#include "adapter.h"
#include "outbox.h"
#include "rmtree.h"

#define TEST_KI_HEX "000102030405060708090a0b0c0d0e0f"
#define N_ORDERS 64

struct env {
	char dir[64];
	char path[128];
	char err[256];

	pthread_mutex_t lock;
	pthread_cond_t cond;
	unsigned int done, ok, bad;
	int status[N_ORDERS + 1]; /* by job id */
	char log[1024];
};

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));

	if (e == NULL)
		return -1;
	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-adapter.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->path, sizeof(e->path), "%s/outbox.jsonl", e->dir);
	pthread_mutex_init(&e->lock, NULL);
	pthread_cond_init(&e->cond, NULL);
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	jitsim_test_rmtree(e->dir);
	pthread_cond_destroy(&e->cond);
	pthread_mutex_destroy(&e->lock);
	free(e);
	return 0;
}

static void
order(struct jitsim_prov_order *o, uint64_t job)
{
	memset(o, 0, sizeof(*o));
	o->job = job;
	snprintf(o->imsi, sizeof(o->imsi), "0010100000%05u", (unsigned int)(job % 100000));
	if (job % 3 != 0)
		snprintf(o->msisdn, sizeof(o->msisdn), "4477009%05u", (unsigned int)(job % 100000));
	if (job % 2 == 0)
		snprintf(o->iccid, sizeof(o->iccid), "89440000000000%05u",
			 (unsigned int)(job % 100000));
	o->region = (uint16_t)(job % 4 + 1);
	snprintf(o->hlr, sizeof(o->hlr), "hlr-%llu", (unsigned long long)(job % 2));
	snprintf(o->tariff, sizeof(o->tariff), "tariff.%llu", (unsigned long long)(job % 5));
	o->flow = job % 3 != 0 ? JITSIM_PROV_FLOW_VOICE : JITSIM_PROV_FLOW_DATA_ONLY;
	o->secret.imsi_key = 0x0f00000000000000ull | job;
	o->secret.mask = 3;
}

static void
on_done(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status, const char *msg,
	void *arg)
{
	struct env *e = arg;

	(void)op;
	(void)msg;
	pthread_mutex_lock(&e->lock);
	if (o->job <= N_ORDERS)
		e->status[o->job] = status;
	e->done++;
	if (status == 0)
		e->ok++;
	pthread_cond_broadcast(&e->cond);
	pthread_mutex_unlock(&e->lock);
}

static void
wait_done(struct env *e, unsigned int n)
{
	pthread_mutex_lock(&e->lock);
	while (e->done < n)
		pthread_cond_wait(&e->cond, &e->lock);
	pthread_mutex_unlock(&e->lock);
}

static void
submit(struct env *e, struct jitsim_adapter *a, enum jitsim_prov_op op, uint64_t job)
{
	struct jitsim_prov_order o;
	int rc;

	order(&o, job);
	rc = jitsim_adapter_submit(a, op, &o, on_done, e, e->err, sizeof(e->err));
	if (rc != 0)
		fail_msg("submit %llu: %d %s", (unsigned long long)job, rc, e->err);
}

static void
log_cb(void *arg, const char *msg)
{
	struct env *e = arg;

	snprintf(e->log, sizeof(e->log), "%s", msg);
}

static struct jitsim_adapter *
outbox_adapter(struct env *e, const struct jitsim_outbox_opts *o0, unsigned int inflight)
{
	struct jitsim_outbox_opts o = {.path = e->path, .log = log_cb, .log_arg = e};
	struct jitsim_adapter_cfg cfg = {.max_inflight = inflight, .timeout_ms = 60000};
	struct jitsim_outbox *ob;
	struct jitsim_adapter *a;

	if (o0 != NULL)
		o = *o0;
	if (jitsim_outbox_open(&o, &ob, e->err, sizeof(e->err)) != 0)
		fail_msg("outbox open: %s", e->err);
	a = jitsim_adapter_new(&jitsim_outbox_ops, ob, &cfg, e->err, sizeof(e->err));
	if (a == NULL)
		fail_msg("adapter: %s", e->err);
	return a;
}

static char *
slurp(const char *path, size_t *len)
{
	FILE *f = fopen(path, "rb");
	char *buf;
	long n;

	assert_non_null(f);
	fseek(f, 0, SEEK_END);
	n = ftell(f);
	rewind(f);
	buf = malloc((size_t)n + 1);
	assert_non_null(buf);
	assert_int_equal(fread(buf, 1, (size_t)n, f), (size_t)n);
	buf[n] = '\0';
	fclose(f);
	*len = (size_t)n;
	return buf;
}

/* Parse every line of @path; count lines per job in @seen. */
static unsigned int
parse_lines(const char *path, unsigned int seen[N_ORDERS + 1])
{
	size_t len;
	char *buf = slurp(path, &len), *line = buf, *nl;
	unsigned int n = 0;

	if (len > 0)
		assert_int_equal(buf[len - 1], '\n');
	while ((nl = strchr(line, '\n')) != NULL) {
		static const char *const keys[] = {"job",    "op",  "imsi",   "msisdn", "iccid",
						   "region", "hlr", "tariff", "flow",	"ts"};
		struct jitsim_prov_order o;
		json_error_t je;
		json_t *j;
		uint64_t job;

		*nl = '\0';
		j = json_loads(line, JSON_REJECT_DUPLICATES, &je);
		if (j == NULL)
			fail_msg("line %u is not JSON: %s (%s)", n + 1, je.text, line);
		/* Exactly the documented members: nothing else can leak. */
		assert_int_equal(json_object_size(j), sizeof(keys) / sizeof(keys[0]));
		for (size_t k = 0; k < sizeof(keys) / sizeof(keys[0]); k++)
			assert_non_null(json_object_get(j, keys[k]));
		job = (uint64_t)json_integer_value(json_object_get(j, "job"));
		assert_true(job >= 1 && job <= N_ORDERS);
		order(&o, job);
		assert_string_equal(json_string_value(json_object_get(j, "imsi")), o.imsi);
		if (o.msisdn[0])
			assert_string_equal(json_string_value(json_object_get(j, "msisdn")),
					    o.msisdn);
		else
			assert_true(json_is_null(json_object_get(j, "msisdn")));
		if (o.iccid[0])
			assert_string_equal(json_string_value(json_object_get(j, "iccid")),
					    o.iccid);
		else
			assert_true(json_is_null(json_object_get(j, "iccid")));
		assert_int_equal(json_integer_value(json_object_get(j, "region")), o.region);
		assert_string_equal(json_string_value(json_object_get(j, "hlr")), o.hlr);
		assert_string_equal(json_string_value(json_object_get(j, "tariff")), o.tariff);
		assert_string_equal(json_string_value(json_object_get(j, "flow")),
				    o.flow == JITSIM_PROV_FLOW_VOICE ? "voice" : "data_only");
		assert_true(json_integer_value(json_object_get(j, "ts")) > 1700000000000ll);
		seen[job]++;
		json_decref(j);
		n++;
		line = nl + 1;
	}
	assert_int_equal(*line, '\0'); /* no partial last line */
	free(buf);
	return n;
}

static void
test_outbox_json_lines(void **state)
{
	struct env *e = *state;
	unsigned int seen[N_ORDERS + 1] = {0};
	struct jitsim_adapter *a = outbox_adapter(e, NULL, 4);
	struct jitsim_adapter_stats st;
	struct stat sb;
	size_t len;
	char *buf;

	for (uint64_t j = 1; j <= N_ORDERS; j++)
		submit(e, a, (enum jitsim_prov_op)(j % 3 + 1), j);
	wait_done(e, N_ORDERS);
	assert_int_equal(e->ok, N_ORDERS);
	jitsim_adapter_stats(a, &st);
	assert_int_equal(st.ok, N_ORDERS);
	assert_true(st.max_inflight_seen <= 4);
	jitsim_adapter_free(a);

	assert_int_equal(parse_lines(e->path, seen), N_ORDERS);
	for (unsigned int j = 1; j <= N_ORDERS; j++)
		assert_int_equal(seen[j], 1);
	/* The op names. */
	buf = slurp(e->path, &len);
	assert_non_null(strstr(buf, "\"job\":3,\"op\":\"provision\""));
	assert_non_null(strstr(buf, "\"job\":1,\"op\":\"deprovision\""));
	assert_non_null(strstr(buf, "\"job\":2,\"op\":\"update\""));
	free(buf);
	assert_int_equal(stat(e->path, &sb), 0);
	assert_int_equal(sb.st_mode & 0777, 0640 & ~umask(022));
}

/* The sync hook: what the file held when it was last synced. */
static pthread_mutex_t sync_lock = PTHREAD_MUTEX_INITIALIZER;
static off_t synced_size;
static unsigned int sync_calls;
static bool sync_fail;

static int
sync_hook(int fd)
{
	struct stat sb;

	if (sync_fail) {
		errno = EIO;
		return -1;
	}
	if (fdatasync(fd) != 0 || fstat(fd, &sb) != 0)
		return -1;
	pthread_mutex_lock(&sync_lock);
	sync_calls++;
	synced_size = sb.st_size;
	pthread_mutex_unlock(&sync_lock);
	return 0;
}

struct durable {
	struct env *e;
	unsigned int not_durable;
};

/* At acknowledgement, the order's line must be in the file and inside
 * what was synced. */
static void
on_done_durable(const struct jitsim_prov_order *o, enum jitsim_prov_op op, int status,
		const char *msg, void *arg)
{
	struct durable *d = arg;
	char needle[64], *buf, *at;
	size_t len;
	FILE *f;
	long n;

	snprintf(needle, sizeof(needle), "{\"job\":%llu,", (unsigned long long)o->job);
	f = fopen(d->e->path, "rb");
	buf = malloc(1 << 16);
	n = f != NULL ? (long)fread(buf, 1, (1 << 16) - 1, f) : -1;
	if (f)
		fclose(f);
	len = n > 0 ? (size_t)n : 0;
	buf[len] = '\0';
	at = strstr(buf, needle);
	pthread_mutex_lock(&sync_lock);
	if (status != 0 || at == NULL || strchr(at, '\n') == NULL ||
	    (off_t)(strchr(at, '\n') - buf + 1) > synced_size)
		d->not_durable++;
	pthread_mutex_unlock(&sync_lock);
	free(buf);
	on_done(o, op, status, msg, d->e);
}

static void
test_outbox_fdatasync(void **state)
{
	struct env *e = *state;
	struct jitsim_outbox_opts o = {
		.path = e->path, .sync = sync_hook, .log = log_cb, .log_arg = e};
	struct jitsim_outbox_stats ost;
	struct durable d = {.e = e};
	struct jitsim_outbox *ob;
	struct jitsim_adapter *a;
	struct jitsim_adapter_cfg cfg = {.max_inflight = 8};
	struct jitsim_prov_order ord;
	char msg[256];

	sync_fail = false;
	sync_calls = 0;
	synced_size = 0;
	assert_int_equal(jitsim_outbox_open(&o, &ob, e->err, sizeof(e->err)), 0);
	a = jitsim_adapter_new(&jitsim_outbox_ops, ob, &cfg, e->err, sizeof(e->err));
	assert_non_null(a);
	for (uint64_t j = 1; j <= 32; j++) {
		order(&ord, j);
		assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_PROVISION, &ord,
						       on_done_durable, &d, e->err, sizeof(e->err)),
				 0);
	}
	wait_done(e, 32);
	assert_int_equal(e->ok, 32);
	assert_int_equal(d.not_durable, 0);
	jitsim_outbox_stats(ob, &ost);
	assert_int_equal(ost.lines, 32);
	assert_true(ost.syncs >= 1 && ost.syncs <= 32); /* shared syncs allowed */
	assert_int_equal(ost.syncs, sync_calls);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), 0);

	/* A failed fdatasync: the order fails, so do later ones, and the
	 * outbox reports it. */
	sync_fail = true;
	submit(e, a, JITSIM_PROV_PROVISION, 33);
	wait_done(e, 33);
	assert_int_equal(e->status[33], -EIO);
	sync_fail = false;
	submit(e, a, JITSIM_PROV_PROVISION, 34);
	wait_done(e, 34);
	assert_int_equal(e->status[34], -EIO);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), -EIO);
	assert_non_null(strstr(msg, e->path));
	assert_non_null(strstr(e->log, "fdatasync"));
	assert_non_null(strstr(e->log, e->path));
	jitsim_adapter_free(a);
}

static void
test_outbox_duplicate_job(void **state)
{
	struct env *e = *state;
	unsigned int seen[N_ORDERS + 1] = {0};
	struct jitsim_adapter *a = outbox_adapter(e, NULL, 2);

	/* A resubmission after a timeout or a restart: accepted again. */
	submit(e, a, JITSIM_PROV_PROVISION, 7);
	wait_done(e, 1);
	submit(e, a, JITSIM_PROV_PROVISION, 7);
	wait_done(e, 2);
	assert_int_equal(e->ok, 2);
	jitsim_adapter_free(a);
	/* Two lines, one job id: the consumer de-duplicates on it. */
	assert_int_equal(parse_lines(e->path, seen), 2);
	assert_int_equal(seen[7], 2);
}

static void
test_outbox_repair(void **state)
{
	struct env *e = *state;
	unsigned int seen[N_ORDERS + 1] = {0};
	const char *good =
		"{\"job\":1,\"op\":\"provision\",\"imsi\":\"001010000000001\","
		"\"msisdn\":\"447700900001\",\"iccid\":null,\"region\":2,\"hlr\":\"hlr-1\","
		"\"tariff\":\"tariff.1\",\"flow\":\"voice\",\"ts\":1764115200000}\n";
	const char *partial = "{\"job\":2,\"op\":\"provis";
	struct jitsim_outbox_opts o = {.path = e->path, .log = log_cb, .log_arg = e};
	struct jitsim_outbox_stats ost;
	struct jitsim_outbox *ob;
	struct jitsim_adapter *a;
	size_t len;
	char *buf;
	FILE *f;

	f = fopen(e->path, "w");
	assert_non_null(f);
	fputs(good, f);
	fputs(partial, f);
	fclose(f);
	assert_int_equal(jitsim_outbox_open(&o, &ob, e->err, sizeof(e->err)), 0);
	jitsim_outbox_stats(ob, &ost);
	assert_int_equal(ost.repaired_bytes, strlen(partial));
	assert_int_equal(ost.size, strlen(good));
	assert_non_null(strstr(e->log, "partial last line"));
	assert_non_null(strstr(e->log, e->path));
	buf = slurp(e->path, &len);
	assert_string_equal(buf, good);
	free(buf);
	/* New orders go after the last whole line. */
	a = jitsim_adapter_new(&jitsim_outbox_ops, ob, NULL, e->err, sizeof(e->err));
	assert_non_null(a);
	submit(e, a, JITSIM_PROV_PROVISION, 2);
	wait_done(e, 1);
	jitsim_adapter_free(a);
	assert_int_equal(parse_lines(e->path, seen), 2);

	/* Only a partial line: the file ends up empty. A whole file: left
	 * alone. */
	f = fopen(e->path, "w");
	assert_non_null(f);
	fputs(partial, f);
	fclose(f);
	assert_int_equal(jitsim_outbox_open(&o, &ob, e->err, sizeof(e->err)), 0);
	jitsim_outbox_stats(ob, &ost);
	assert_int_equal(ost.repaired_bytes, strlen(partial));
	assert_int_equal(ost.size, 0);
	jitsim_outbox_close(ob);
	f = fopen(e->path, "w");
	assert_non_null(f);
	fputs(good, f);
	fclose(f);
	assert_int_equal(jitsim_outbox_open(&o, &ob, e->err, sizeof(e->err)), 0);
	jitsim_outbox_stats(ob, &ost);
	assert_int_equal(ost.repaired_bytes, 0);
	jitsim_outbox_close(ob);
}

static void
test_outbox_no_secrets(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter *a = outbox_adapter(e, NULL, 2);
	static const uint8_t ki[16] = {0, 1, 2, 3, 4, 5, 6, 7, 8, 9, 10, 11, 12, 13, 14, 15};
	struct jitsim_prov_order o;
	char hex[40], *buf;
	size_t len;

	/* The order names the sealed secrets of a SIM whose Ki is the test
	 * Ki; nothing of it may reach the file. */
	order(&o, 5);
	memcpy(&o.secret.imsi_key, ki, sizeof(o.secret.imsi_key));
	assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_PROVISION, &o, on_done, e, e->err,
					       sizeof(e->err)),
			 0);
	wait_done(e, 1);
	jitsim_adapter_free(a);
	buf = slurp(e->path, &len);
	assert_true(len > 0);
	assert_null(strstr(buf, TEST_KI_HEX));
	assert_null(strcasestr(buf, "000102030405"));
	assert_null(memmem(buf, len, ki + 1, 8));
	snprintf(hex, sizeof(hex), "%llu", (unsigned long long)o.secret.imsi_key);
	assert_null(strstr(buf, hex));
	assert_null(strcasestr(buf, "secret"));
	assert_null(strcasestr(buf, "\"ki\""));
	assert_null(strcasestr(buf, "opc"));
	free(buf);
}

static void
test_outbox_rotation_and_health(void **state)
{
	struct env *e = *state;
	unsigned int seen[N_ORDERS + 1] = {0}, lines = 0;
	struct jitsim_outbox_opts o = {
		.path = e->path, .rotate_bytes = 600, .log = log_cb, .log_arg = e};
	struct jitsim_adapter *a = outbox_adapter(e, &o, 1);
	char name[160], msg[256];

	for (uint64_t j = 1; j <= 12; j++)
		submit(e, a, JITSIM_PROV_PROVISION, j);
	wait_done(e, 12);
	assert_int_equal(e->ok, 12);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), 0);
	/* Removed under our feet: unhealthy, with the file named. */
	assert_int_equal(unlink(e->path), 0);
	assert_int_equal(jitsim_adapter_health(a, msg, sizeof(msg)), -ENOENT);
	assert_non_null(strstr(msg, e->path));
	jitsim_adapter_free(a);

	/* Every line is in exactly one of FILE.1, FILE.2, ... */
	for (unsigned int n = 1;; n++) {
		snprintf(name, sizeof(name), "%s.%u", e->path, n);
		if (access(name, F_OK) != 0)
			break;
		lines += parse_lines(name, seen);
	}
	assert_int_equal(lines, 12);
	for (unsigned int j = 1; j <= 12; j++)
		assert_int_equal(seen[j], 1);
}

/* ---- runner, with a fake asynchronous backend ---- */

struct fake {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	struct jitsim_adapter_call *held[N_ORDERS];
	unsigned int n_held, in_backend, max_in_backend, started;
	/* start_many: calls, largest */
	unsigned int batches, max_batch;
	bool hold; /* keep calls until released (timeouts) */
	bool quit;
	pthread_t thr;
};

static int
fake_op(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	struct fake *f = ctx;

	(void)o;
	pthread_mutex_lock(&f->lock);
	f->held[f->n_held++] = c;
	f->started++;
	if (++f->in_backend > f->max_in_backend)
		f->max_in_backend = f->in_backend;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

/* Completes what it holds a little later, all at once: a backend that
 * would happily take every order at the same time. */
static void *
fake_main(void *arg)
{
	struct fake *f = arg;

	pthread_mutex_lock(&f->lock);
	while (!f->quit) {
		struct jitsim_adapter_call *c[N_ORDERS];
		unsigned int n;

		if (f->n_held == 0 || f->hold) {
			pthread_cond_wait(&f->cond, &f->lock);
			continue;
		}
		pthread_mutex_unlock(&f->lock);
		nanosleep(&(struct timespec){.tv_nsec = 2000000}, NULL);
		pthread_mutex_lock(&f->lock);
		n = f->n_held;
		memcpy(c, f->held, n * sizeof(c[0]));
		f->n_held = 0;
		f->in_backend -= n;
		pthread_mutex_unlock(&f->lock);
		for (unsigned int i = 0; i < n; i++)
			jitsim_adapter_complete(c[i], 0, NULL);
		pthread_mutex_lock(&f->lock);
	}
	pthread_mutex_unlock(&f->lock);
	return NULL;
}

static const struct jitsim_adapter_ops fake_ops = {
	.name = "fake",
	.provision = fake_op,
	.deprovision = fake_op,
	.update = fake_op,
};

static int
fake_many(void *ctx, struct jitsim_adapter_call *const *c, unsigned int n)
{
	struct fake *f = ctx;

	pthread_mutex_lock(&f->lock);
	for (unsigned int i = 0; i < n; i++)
		f->held[f->n_held++] = c[i];
	f->started += n;
	f->in_backend += n;
	f->batches++;
	if (n > f->max_batch)
		f->max_batch = n;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	return 0;
}

static const struct jitsim_adapter_ops fake_batch_ops = {
	.name = "fake-batch",
	.provision = fake_op,
	.deprovision = fake_op,
	.update = fake_op,
	.start_many = fake_many,
	.batch_max = 4,
};

static void
fake_start(struct fake *f, bool hold)
{
	memset(f, 0, sizeof(*f));
	pthread_mutex_init(&f->lock, NULL);
	pthread_cond_init(&f->cond, NULL);
	f->hold = hold;
	assert_int_equal(pthread_create(&f->thr, NULL, fake_main, f), 0);
}

static void
fake_stop(struct fake *f)
{
	pthread_mutex_lock(&f->lock);
	f->quit = true;
	pthread_cond_broadcast(&f->cond);
	pthread_mutex_unlock(&f->lock);
	pthread_join(f->thr, NULL);
	pthread_cond_destroy(&f->cond);
	pthread_mutex_destroy(&f->lock);
}

static void
test_bounded_concurrency(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter_cfg cfg = {.max_inflight = 3, .timeout_ms = 600000};
	struct jitsim_adapter_stats st;
	struct jitsim_adapter *a;
	struct fake f;

	fake_start(&f, false);
	a = jitsim_adapter_new(&fake_ops, &f, &cfg, e->err, sizeof(e->err));
	assert_non_null(a);
	for (uint64_t j = 1; j <= 40; j++)
		submit(e, a, JITSIM_PROV_PROVISION, j);
	wait_done(e, 40);
	assert_int_equal(e->ok, 40);
	assert_int_equal(f.started, 40);
	/* The backend took whatever it was given: the runner held it to 3. */
	assert_true(f.max_in_backend <= 3);
	assert_true(f.max_in_backend >= 1);
	jitsim_adapter_stats(a, &st);
	assert_true(st.max_inflight_seen <= 3);
	assert_int_equal(st.ok, 40);
	jitsim_adapter_free(a);
	fake_stop(&f);
}

static void
test_timeout(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter_cfg cfg = {.max_inflight = 2, .timeout_ms = 30};
	struct jitsim_adapter_stats st;
	struct jitsim_adapter *a;
	struct fake f;

	fake_start(&f, true);
	a = jitsim_adapter_new(&fake_ops, &f, &cfg, e->err, sizeof(e->err));
	assert_non_null(a);
	for (uint64_t j = 1; j <= 5; j++)
		submit(e, a, JITSIM_PROV_PROVISION, j);
	wait_done(e, 5);
	for (unsigned int j = 1; j <= 5; j++)
		assert_int_equal(e->status[j], -ETIMEDOUT);
	/* Two reached the backend and still hold their slots; the queued
	 * ones never started. */
	pthread_mutex_lock(&f.lock);
	assert_int_equal(f.started, 2);
	pthread_mutex_unlock(&f.lock);
	jitsim_adapter_stats(a, &st);
	assert_int_equal(st.timed_out, 5);
	assert_int_equal(st.inflight, 2);

	/* The late answers are dropped: no second callback. */
	pthread_mutex_lock(&f.lock);
	f.hold = false;
	pthread_cond_broadcast(&f.cond);
	pthread_mutex_unlock(&f.lock);
	jitsim_adapter_free(a); /* waits for the two */
	assert_int_equal(e->done, 5);
	assert_int_equal(e->ok, 0);
	fake_stop(&f);
}

/* Take the orders the fake holds (at least @min) into @c; their count. */
static unsigned int
fake_take(struct fake *f, unsigned int min, struct jitsim_adapter_call **c)
{
	unsigned int n;

	pthread_mutex_lock(&f->lock);
	while (f->n_held < min)
		pthread_cond_wait(&f->cond, &f->lock);
	n = f->n_held;
	memcpy(c, f->held, n * sizeof(c[0]));
	f->n_held = 0;
	f->in_backend -= n;
	pthread_mutex_unlock(&f->lock);
	return n;
}

/* A batching backend: up to batch_max queued orders in one call, which
 * holds its one in-flight slot until the last of its orders completes. */
static void
test_batch_slot(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter_cfg cfg = {.max_inflight = 1, .timeout_ms = 600000};
	struct jitsim_adapter_ops bad = fake_batch_ops;
	struct jitsim_adapter_call *c[N_ORDERS];
	struct jitsim_adapter_stats st;
	struct jitsim_adapter *a;
	struct fake f;

	bad.batch_max = 1;
	assert_null(jitsim_adapter_new(&bad, NULL, &cfg, e->err, sizeof(e->err)));
	assert_non_null(strstr(e->err, "batch_max"));

	fake_start(&f, true);
	a = jitsim_adapter_new(&fake_batch_ops, &f, &cfg, e->err, sizeof(e->err));
	assert_non_null(a);
	/* Order 1 alone takes the only slot; 2..10 queue behind it. */
	submit(e, a, JITSIM_PROV_PROVISION, 1);
	assert_int_equal(fake_take(&f, 1, c), 1);
	for (uint64_t j = 2; j <= 10; j++)
		submit(e, a, JITSIM_PROV_PROVISION, j);
	jitsim_adapter_stats(a, &st);
	assert_int_equal(st.queued, 9);
	assert_int_equal(st.inflight, 1);
	jitsim_adapter_complete(c[0], 0, NULL);
	/* The next call takes batch_max of the queued orders at once. */
	assert_int_equal(fake_take(&f, 1, c), 4);
	assert_int_equal(f.batches, 1);
	for (unsigned int i = 0; i < 3; i++)
		jitsim_adapter_complete(c[i], 0, NULL);
	wait_done(e, 4);
	/* Three of its four done: the slot is still taken, nothing left the
	 * queue. */
	jitsim_adapter_stats(a, &st);
	assert_int_equal(st.inflight, 1);
	assert_int_equal(st.queued, 5);
	jitsim_adapter_complete(c[3], 0, NULL);
	assert_int_equal(fake_take(&f, 1, c), 4);
	for (unsigned int i = 0; i < 4; i++)
		jitsim_adapter_complete(c[i], 0, NULL);
	/* The last one is alone in the queue: one order, the plain op. */
	assert_int_equal(fake_take(&f, 1, c), 1);
	jitsim_adapter_complete(c[0], 0, NULL);
	wait_done(e, 10);
	assert_int_equal(e->ok, 10);
	assert_int_equal(f.started, 10);
	assert_int_equal(f.batches, 2);
	assert_int_equal(f.max_batch, 4);
	jitsim_adapter_stats(a, &st);
	assert_int_equal(st.max_inflight_seen, 1);
	assert_int_equal(st.ok, 10);
	jitsim_adapter_free(a);
	fake_stop(&f);
}

static void *
free_main(void *arg)
{
	jitsim_adapter_free(arg);
	return NULL;
}

/* Stopping: queued orders are cancelled, the one in the backend is
 * waited for, and every order gets its one callback. */
static void
test_free_cancels_queued(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter_cfg cfg = {.max_inflight = 1, .timeout_ms = 600000};
	struct jitsim_adapter *a;
	struct fake f;
	pthread_t thr;

	fake_start(&f, true);
	a = jitsim_adapter_new(&fake_ops, &f, &cfg, e->err, sizeof(e->err));
	assert_non_null(a);
	for (uint64_t j = 1; j <= 3; j++)
		submit(e, a, JITSIM_PROV_PROVISION, j);
	pthread_mutex_lock(&f.lock);
	while (f.started < 1)
		pthread_cond_wait(&f.cond, &f.lock);
	pthread_mutex_unlock(&f.lock);
	assert_int_equal(pthread_create(&thr, NULL, free_main, a), 0);
	wait_done(e, 2); /* the two queued ones */
	assert_int_equal(e->status[2], -ECANCELED);
	assert_int_equal(e->status[3], -ECANCELED);
	pthread_mutex_lock(&f.lock);
	f.hold = false;
	pthread_cond_broadcast(&f.cond);
	pthread_mutex_unlock(&f.lock);
	pthread_join(thr, NULL);
	assert_int_equal(e->done, 3);
	assert_int_equal(e->status[1], 0);
	assert_int_equal(f.started, 1);
	fake_stop(&f);
}

static void
test_order_checks(void **state)
{
	struct env *e = *state;
	struct jitsim_adapter *a = outbox_adapter(e, NULL, 1);
	struct jitsim_prov_order o;
	char buf[512];

	order(&o, 0);
	assert_int_equal(jitsim_adapter_submit(a, JITSIM_PROV_PROVISION, &o, on_done, e, e->err,
					       sizeof(e->err)),
			 -EINVAL);
	assert_non_null(strstr(e->err, "field job"));
	order(&o, 1);
	snprintf(o.imsi, sizeof(o.imsi), "0010a");
	assert_int_equal(jitsim_prov_order_check(&o, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "field imsi"));
	order(&o, 1);
	snprintf(o.hlr, sizeof(o.hlr), "a\",\"x\":\"y");
	assert_int_equal(jitsim_prov_order_check(&o, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "field hlr"));
	order(&o, 1);
	snprintf(o.iccid, sizeof(o.iccid), "894412");
	assert_int_equal(jitsim_prov_order_check(&o, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "field iccid"));
	order(&o, 1);
	o.flow = 9;
	assert_int_equal(jitsim_prov_order_check(&o, e->err, sizeof(e->err)), -EINVAL);
	assert_non_null(strstr(e->err, "field flow"));
	order(&o, 1);
	assert_int_equal(jitsim_adapter_submit(a, (enum jitsim_prov_op)9, &o, on_done, e, e->err,
					       sizeof(e->err)),
			 -EINVAL);
	/* The line formatter refuses too small a buffer. */
	assert_int_equal(jitsim_outbox_format(&o, JITSIM_PROV_UPDATE, 1, buf, 20), -ENOSPC);
	assert_true(jitsim_outbox_format(&o, JITSIM_PROV_UPDATE, 1, buf, sizeof(buf)) > 0);
	jitsim_adapter_free(a);
	assert_int_equal(e->done, 0);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_outbox_json_lines, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_fdatasync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_duplicate_job, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_repair, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_no_secrets, setup, teardown),
		cmocka_unit_test_setup_teardown(test_outbox_rotation_and_health, setup, teardown),
		cmocka_unit_test_setup_teardown(test_bounded_concurrency, setup, teardown),
		cmocka_unit_test_setup_teardown(test_timeout, setup, teardown),
		cmocka_unit_test_setup_teardown(test_free_cancels_queued, setup, teardown),
		cmocka_unit_test_setup_teardown(test_batch_slot, setup, teardown),
		cmocka_unit_test_setup_teardown(test_order_checks, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
