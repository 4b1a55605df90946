/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Control-plane benchmark (make bench): a real jitsim-cp process (outbox
 * adapter) fed by this program, which attaches to the shared-memory
 * segment as the dataplane: it injects first-attach events into event
 * ring 0 and reads the update ring, where every activation ends as a PUT
 * of the SIM in state ACTIVE, sent only after the job's DONE commit
 * (sync), after the outbox line was fdatasync'ed. Each figure is printed
 * next to a baseline measured in the same run, in the same directory:
 *
 *   raw     rocksdb_write(sync=true) of WriteBatches of B records of
 *           JITSIM_REC_MAX bytes (records/s), and the latency of one such
 *           write (p50/p99): the floor of one durable step
 *   rate    N events as fast as the ring takes them: durable activations/s
 *           from the first event to the N-th ACTIVE PUT; jitsim-cp's CPU
 *           time per activation (utime + stime of the process). Rounds of
 *           (raw, rate) one after the other; the median ratio is the figure
 *           (a shared machine's disk and CPU change between rounds)
 *   latency R events/s for S seconds, paced: from each event's injection
 *           to its ACTIVE PUT read from the update ring, p50/p99/max |
 *           the same number of ticks at the same pace, each three raw sync
 *           writes in a row (the durable chain of one activation: allocate
 *           commit, outbox fdatasync, done commit), measured just before
 *
 * Afterwards every SIM must have come back ACTIVE exactly once and the
 * outbox must hold at least one line per activation; otherwise exit 1.
 *
 *   bench_cp --cp PATH [-n N] [-r R] [-s S] [-b B] [-i INFLIGHT] [-t SECS] [-R ROUNDS]
 *            [-d DIR] [-k]
 */

#include <errno.h>
#include <fcntl.h>
#include <getopt.h>
#include <inttypes.h>
#include <signal.h>
#include <stdarg.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/prctl.h>
#include <sys/random.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <time.h>
#include <unistd.h>

#include <rocksdb/c.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "rmtree.h"
#include "store.h"

/* IMSIs and MSISDNs of the benchmark's SIMs and pool (test ranges). */
#define BENCH_IMSI0 "001019000000000"
#define BENCH_MSISDN_FIRST "491770000000"
#define BENCH_MSISDN_LAST "491779999999"
#define BENCH_LOAD_BATCH 2048
#define BENCH_STALL_S 20.0 /* no ACTIVE PUT for this long: jitsim-cp is stuck */
#define BENCH_READY_S 30.0
#define BENCH_RING_SLOTS 65536u
#define BENCH_CHAIN_RECS 6 /* records per write of the latency floor: an activation's */

struct bench {
	const char *cp_path;
	uint64_t n_rate;    /* events of the rate phase */
	unsigned int rate;  /* events/s of the latency phase */
	double lat_secs;    /* seconds of the latency phase */
	unsigned int batch; /* raw baseline batch size */
	unsigned int inflight;
	double raw_secs;
	unsigned int rounds;
	const char *lat_out; /* per-event latencies of the latency phase, or NULL */
	bool keep;
	uint64_t raw_keys; /* keys written by the raw baseline so far */
	uint64_t *raw_lat; /* latency of every raw batch */
	size_t n_raw_lat, raw_lat_cap;

	char dir[512];
	char instance[32];
	pid_t cp;
	struct jitsim_shm shm;
	bool shm_open;
	uint64_t imsi0;
	uint64_t n_sims;
	uint32_t ev_seq;
	uint64_t *inject_ns; /* per SIM: when its event went into the ring */
	uint64_t *active_ns; /* per SIM: when its ACTIVE PUT came back */
	uint64_t puts_other; /* PUTs that were not a first ACTIVE of ours */
};

static struct bench *bench_cleanup_b;

static uint64_t
now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
bench_cleanup(void)
{
	struct bench *b = bench_cleanup_b;

	if (b == NULL)
		return;
	bench_cleanup_b = NULL;
	if (b->cp > 0) {
		kill(b->cp, SIGKILL);
		waitpid(b->cp, NULL, 0);
		b->cp = 0;
	}
	if (b->shm_open)
		jitsim_shm_close(&b->shm);
	if (b->instance[0] != '\0')
		jitsim_shm_unlink(b->instance);
	if (b->dir[0] != '\0' && !b->keep)
		jitsim_test_rmtree(b->dir);
}

static void __attribute__((noreturn, format(printf, 1, 2))) die(const char *fmt, ...)
{
	va_list ap;

	fputs("bench_cp: ", stderr);
	va_start(ap, fmt);
	vfprintf(stderr, fmt, ap);
	va_end(ap);
	fputc('\n', stderr);
	exit(1);
}

static void
on_signal(int sig)
{
	(void)sig;
	/* exit() runs bench_cleanup: the child and the segment go too. */
	exit(1);
}

static int
cmp_u64(const void *a, const void *b)
{
	uint64_t x = *(const uint64_t *)a, y = *(const uint64_t *)b;

	return x < y ? -1 : x > y;
}

static int
cmp_double(const void *a, const void *b)
{
	double x = *(const double *)a, y = *(const double *)b;

	return x < y ? -1 : x > y;
}

/* Nearest-rank percentile of sorted @v. */
static uint64_t
pct(const uint64_t *v, size_t n, double p)
{
	size_t k = (size_t)(p / 100.0 * (double)n + 0.999999);

	if (n == 0)
		return 0;
	if (k == 0)
		k = 1;
	if (k > n)
		k = n;
	return v[k - 1];
}

/* ---- raw baseline ---- */

/* A dataplane sleeps when idle too; a short sleep keeps this process off
 * the core jitsim-cp needs on a small machine. */
static void
bench_idle(void)
{
	const struct timespec ts = {.tv_sec = 0, .tv_nsec = 20000};

	nanosleep(&ts, NULL);
}

/* Records/s of raw sync WriteBatches for b->raw_secs; the latency of each
 * batch is appended to b->raw_lat. */
static double
bench_raw(struct bench *b)
{
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_writeoptions_t *w = rocksdb_writeoptions_create();
	char path[600], *rerr = NULL;
	uint8_t val[JITSIM_REC_MAX];
	uint64_t n = b->raw_keys, t0, until;
	double rate;
	rocksdb_t *db;

	if (getrandom(val, sizeof(val), 0) != (ssize_t)sizeof(val))
		die("getrandom: %s", strerror(errno));
	snprintf(path, sizeof(path), "%s/raw", b->dir);
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_writeoptions_set_sync(w, 1);
	db = rocksdb_open(o, path, &rerr);
	if (rerr != NULL)
		die("raw rocksdb_open %s: %s", path, rerr);
	t0 = now_ns();
	until = t0 + (uint64_t)(b->raw_secs * 1e9);
	for (uint64_t t = t0; t < until;) {
		rocksdb_writebatch_t *wb = rocksdb_writebatch_create();
		uint64_t t1;

		for (unsigned int i = 0; i < b->batch; i++, n++) {
			uint64_t k = __builtin_bswap64(n);

			rocksdb_writebatch_put(wb, (const char *)&k, sizeof(k), (const char *)val,
					       sizeof(val));
		}
		rocksdb_write(db, w, wb, &rerr);
		rocksdb_writebatch_destroy(wb);
		if (rerr != NULL)
			die("raw rocksdb_write: %s", rerr);
		t1 = now_ns();
		if (b->n_raw_lat == b->raw_lat_cap) {
			size_t cap = b->raw_lat_cap ? 2 * b->raw_lat_cap : 65536;
			uint64_t *nl = realloc(b->raw_lat, cap * sizeof(*nl));

			if (nl == NULL)
				die("out of memory");
			b->raw_lat = nl;
			b->raw_lat_cap = cap;
		}
		b->raw_lat[b->n_raw_lat++] = t1 - t;
		t = t1;
	}
	rate = (double)(n - b->raw_keys) / ((double)(now_ns() - t0) / 1e9);
	b->raw_keys = n;
	rocksdb_close(db);
	rocksdb_writeoptions_destroy(w);
	rocksdb_options_destroy(o);
	return rate;
}

/* Latency floor of an activation, paced like the latency phase: @n ticks
 * at b->rate/s, each jitsim-cp's durable chain done raw: a sync WriteBatch
 * of BENCH_CHAIN_RECS records (allocate commit), a line appended to a file
 * and fdatasync'ed (outbox), another sync WriteBatch (done commit); the
 * time of the three into @lat (sorted). */
static void
bench_raw_chain(struct bench *b, uint64_t n, uint64_t *lat)
{
	const uint64_t period = 1000000000ull / b->rate;
	rocksdb_options_t *o = rocksdb_options_create();
	rocksdb_writeoptions_t *w = rocksdb_writeoptions_create();
	char path[600], *rerr = NULL, line[256];
	uint8_t val[JITSIM_REC_MAX];
	uint64_t k = b->raw_keys, t0;
	rocksdb_t *db;
	int fd;

	if (getrandom(val, sizeof(val), 0) != (ssize_t)sizeof(val))
		die("getrandom: %s", strerror(errno));
	memset(line, 'x', sizeof(line) - 1);
	line[sizeof(line) - 1] = '\n';
	snprintf(path, sizeof(path), "%s/raw.jsonl", b->dir);
	fd = open(path, O_WRONLY | O_APPEND | O_CREAT | O_CLOEXEC, 0600);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	snprintf(path, sizeof(path), "%s/raw", b->dir);
	rocksdb_options_set_create_if_missing(o, 1);
	rocksdb_writeoptions_set_sync(w, 1);
	db = rocksdb_open(o, path, &rerr);
	if (rerr != NULL)
		die("raw rocksdb_open %s: %s", path, rerr);
	t0 = now_ns();
	for (uint64_t i = 0; i < n; i++) {
		uint64_t t;

		while ((t = now_ns()) < t0 + i * period)
			bench_idle();
		for (unsigned int step = 0; step < 3; step++) {
			rocksdb_writebatch_t *wb;

			if (step == 1) {
				if (write(fd, line, sizeof(line)) != (ssize_t)sizeof(line) ||
				    fdatasync(fd) != 0)
					die("raw outbox line: %s", strerror(errno));
				continue;
			}
			wb = rocksdb_writebatch_create();
			for (unsigned int r = 0; r < BENCH_CHAIN_RECS; r++, k++) {
				uint64_t key = __builtin_bswap64(k);

				rocksdb_writebatch_put(wb, (const char *)&key, sizeof(key),
						       (const char *)val, sizeof(val));
			}
			rocksdb_write(db, w, wb, &rerr);
			rocksdb_writebatch_destroy(wb);
			if (rerr != NULL)
				die("raw rocksdb_write: %s", rerr);
		}
		lat[i] = now_ns() - t;
	}
	b->raw_keys = k;
	qsort(lat, n, sizeof(*lat), cmp_u64);
	close(fd);
	rocksdb_close(db);
	rocksdb_writeoptions_destroy(w);
	rocksdb_options_destroy(o);
}

/* ---- setup: store, configuration, segment, jitsim-cp ---- */

/* n_sims INVENTORY SIMs with sealed (random, never printed) secrets, as an
 * import leaves them. */
static void
bench_store(struct bench *b)
{
	struct jitsim_store_opts so = {0};
	struct jitsim_store *st;
	struct jitsim_store_batch *wb;
	char db[600], kek[600], err[512];
	uint32_t now = (uint32_t)time(NULL);

	snprintf(db, sizeof(db), "%s/db", b->dir);
	snprintf(kek, sizeof(kek), "%s/kek", b->dir);
	if (jitsim_kek_create(kek, err, sizeof(err)) != 0)
		die("kek: %s", err);
	so.path = db;
	so.kek_path = kek;
	so.create = true;
	if (jitsim_store_open(&so, &st, err, sizeof(err)) != 0)
		die("store %s: %s", db, err);
	wb = jitsim_store_batch_new(st);
	if (wb == NULL)
		die("out of memory");
	for (uint64_t i = 0; i < b->n_sims; i++) {
		struct jitsim_rec_secrets sec = {.mask = JITSIM_REC_S_KI | JITSIM_REC_S_OPC};
		struct jitsim_rec r = {0};

		r.imsi = b->imsi0 + i;
		r.state = JITSIM_SIM_INVENTORY;
		r.created = r.updated = now;
		snprintf(r.iccid, sizeof(r.iccid), "894919%013" PRIu64,
			 (uint64_t)(i % 10000000000000ull));
		snprintf(r.batch, sizeof(r.batch), "bench");
		if (getrandom(sec.ki, sizeof(sec.ki), 0) != (ssize_t)sizeof(sec.ki) ||
		    getrandom(sec.opc, sizeof(sec.opc), 0) != (ssize_t)sizeof(sec.opc))
			die("getrandom: %s", strerror(errno));
		if (jitsim_rec_seal(&r, jitsim_store_kek(st), &sec) != 0)
			die("seal of SIM %" PRIu64 " failed", i);
		explicit_bzero(&sec, sizeof(sec));
		if (jitsim_store_batch_put_sim(wb, &r) != 0)
			die("SIM %" PRIu64 ": record out of range", i);
		jitsim_store_batch_put_iccid(wb, r.iccid, r.imsi);
		if ((i + 1) % BENCH_LOAD_BATCH == 0 || i + 1 == b->n_sims) {
			if (jitsim_store_commit(wb, err, sizeof(err)) != 0)
				die("store commit: %s", err);
			jitsim_store_batch_clear(wb);
		}
	}
	jitsim_store_batch_free(wb);
	jitsim_store_close(st);
}

static void
bench_config(struct bench *b, char *path, size_t size)
{
	FILE *f;

	snprintf(path, size, "%s/cp.conf", b->dir);
	f = fopen(path, "w");
	if (f == NULL)
		die("%s: %s", path, strerror(errno));
	fprintf(f,
		"[instance]\nname = %s\nstore = %s/db\nkek = %s/kek\nsocket = %s/cp.sock\n"
		"[outbox]\npath = %s/outbox.jsonl\ninflight = %u\n"
		"[flow]\nretries = 2\nbackoff = 20\ndefault_region = 1\n"
		"[hlr hlr-main]\nid = 7\n"
		"[region 1]\nname = bench\nhlr = hlr-main\npool = p1\n"
		"[pool p1]\nid = 1\ntenant = 0\nregion = 1\nfirst = %s\nlast = %s\n",
		b->instance, b->dir, b->dir, b->dir, b->dir, b->inflight, BENCH_MSISDN_FIRST,
		BENCH_MSISDN_LAST);
	if (fclose(f) != 0)
		die("%s: %s", path, strerror(errno));
}

/* The segment is ours (one event ring, as a dataplane with one worker);
 * jitsim-cp attaches to it. */
static void
bench_start(struct bench *b)
{
	struct jitsim_shm_geometry g = {.n_event_rings = 1,
					.event_ring_count = BENCH_RING_SLOTS,
					.update_ring_count = BENCH_RING_SLOTS};
	char conf[600], log[600], err[512], line[512];
	uint64_t t0;
	bool ready = false;
	FILE *f;

	if (jitsim_shm_open(&b->shm, b->instance, JITSIM_SHM_ROLE_DP, &g, 0, err, sizeof(err)) != 0)
		die("shm: %s", err);
	b->shm_open = true;
	b->ev_seq = jitsim_shm_event_last_seq(&b->shm, 0);
	__atomic_store_n(&b->shm.hdr->dp_n_workers, 1, __ATOMIC_RELAXED);
	__atomic_store_n(&b->shm.hdr->dp_ready, 1, __ATOMIC_RELEASE);
	bench_config(b, conf, sizeof(conf));
	snprintf(log, sizeof(log), "%s/cp.log", b->dir);
	b->cp = fork();
	if (b->cp < 0)
		die("fork: %s", strerror(errno));
	if (b->cp == 0) {
		int fd = open(log, O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);

		if (fd < 0 || dup2(fd, 1) < 0 || dup2(fd, 2) < 0)
			_exit(127);
		execl(b->cp_path, b->cp_path, "-c", conf, (char *)NULL);
		_exit(127);
	}
	/* Ready once it printed its ready line (after the journal's resume). */
	t0 = now_ns();
	while (!ready) {
		int status;

		if (waitpid(b->cp, &status, WNOHANG) == b->cp) {
			b->cp = 0;
			die("jitsim-cp exited at start (status 0x%x); its log: %s", status, log);
		}
		if ((double)(now_ns() - t0) / 1e9 > BENCH_READY_S)
			die("jitsim-cp not ready after %.0f s; its log: %s", BENCH_READY_S, log);
		f = fopen(log, "r");
		while (f != NULL && fgets(line, sizeof(line), f) != NULL)
			if (strstr(line, "jitsim-cp: ready") != NULL)
				ready = true;
		if (f != NULL)
			fclose(f);
		if (!ready)
			usleep(20000);
	}
}

static void
bench_stop(struct bench *b)
{
	int status;

	kill(b->cp, SIGTERM);
	if (waitpid(b->cp, &status, 0) != b->cp)
		die("waitpid: %s", strerror(errno));
	b->cp = 0;
	if (!WIFEXITED(status) || WEXITSTATUS(status) != 0)
		die("jitsim-cp ended with status 0x%x; its log: %s/cp.log", status, b->dir);
}

/* utime + stime of jitsim-cp in seconds. */
static double
bench_cp_cpu(const struct bench *b)
{
	char path[64], buf[2048], *p;
	unsigned long ut = 0, stime = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "/proc/%d/stat", (int)b->cp);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		return 0;
	n = read(fd, buf, sizeof(buf) - 1);
	close(fd);
	if (n <= 0)
		return 0;
	buf[n] = '\0';
	/* Fields after the command name (which may hold spaces): state is
	 * field 3, utime 14, stime 15. */
	p = strrchr(buf, ')');
	if (p == NULL ||
	    sscanf(p + 2, "%*c %*d %*d %*d %*d %*d %*u %*u %*u %*u %*u %lu %lu", &ut, &stime) != 2)
		return 0;
	return (double)(ut + stime) / (double)sysconf(_SC_CLK_TCK);
}

/* ---- event injection and update collection ---- */

static void
bench_event(struct bench *b, uint64_t i, struct jitsim_event *ev)
{
	memset(ev, 0, sizeof(*ev));
	ev->type = JITSIM_EV_FIRST_ATTACH;
	ev->proto = JITSIM_EV_PROTO_MAP;
	ev->op = 2; /* MAP UpdateLocation */
	ev->prev_state = JITSIM_SIM_INVENTORY;
	ev->rat_type = 0xffff;
	ev->seq = ++b->ev_seq;
	ev->ts_s = (uint32_t)time(NULL);
	ev->lease_until = ev->ts_s + 30;
	ev->imsi = b->imsi0 + i;
}

/* Drain the update ring; returns the ACTIVE PUTs of our SIMs seen for
 * the first time. */
static uint64_t
bench_collect(struct bench *b)
{
	struct jitsim_update u[64];
	uint64_t got = 0;
	unsigned int n;

	while ((n = jitsim_shm_update_get(&b->shm, u, 64)) > 0) {
		const uint64_t t = now_ns();

		for (unsigned int k = 0; k < n; k++) {
			uint64_t i = u[k].imsi - b->imsi0;

			if (u[k].op != JITSIM_UPD_PUT || u[k].state != JITSIM_SIM_ACTIVE ||
			    u[k].imsi < b->imsi0 || i >= b->n_sims || b->active_ns[i] != 0) {
				b->puts_other++;
				continue;
			}
			b->active_ns[i] = t;
			got++;
		}
		__atomic_store_n(&b->shm.hdr->dp_update_seq, u[n - 1].seq, __ATOMIC_RELEASE);
	}
	return got;
}

/* Events [first, first + n) as fast as the ring takes them; wait for all
 * their ACTIVE PUTs. */
static void
bench_rate(struct bench *b, uint64_t first, uint64_t n, double *rate, double *cpu_us)
{
	const uint64_t end = first + n;
	uint64_t next = first, done = 0, t0, last = 0, stall;
	double cpu0 = bench_cp_cpu(b);

	t0 = now_ns();
	stall = t0;
	while (done < n) {
		struct jitsim_event ev[32];
		unsigned int m = 0, put = 0;
		uint64_t got;

		while (next + m < end && m < 32) {
			bench_event(b, next + m, &ev[m]);
			m++;
		}
		if (m > 0) {
			const uint64_t t = now_ns();

			put = jitsim_shm_event_put(&b->shm, 0, ev, m);
			for (unsigned int k = 0; k < put; k++)
				b->inject_ns[next + k] = t;
			b->ev_seq -= m - put; /* not sent: their seqs are reused */
			next += put;
		}
		got = bench_collect(b);
		done += got;
		if (got > 0) {
			last = now_ns();
			stall = last;
		} else if ((double)(now_ns() - stall) / 1e9 > BENCH_STALL_S) {
			die("rate: no activation for %.0f s (%" PRIu64 " of %" PRIu64
			    " done); jitsim-cp log: %s/cp.log",
			    BENCH_STALL_S, done, n, b->dir);
		}
		if (put == 0 && got == 0)
			bench_idle();
		jitsim_shm_heartbeat(&b->shm);
	}
	*rate = (double)n / ((double)(last - t0) / 1e9);
	*cpu_us = (bench_cp_cpu(b) - cpu0) * 1e6 / (double)n;
}

/* Events [first, first + n) paced at b->rate/s; wait for every ACTIVE. */
static void
bench_latency(struct bench *b, uint64_t first, uint64_t n, uint64_t *p50, uint64_t *p99,
	      uint64_t *max)
{
	const uint64_t period = 1000000000ull / b->rate;
	uint64_t next = first, done = 0, t0 = now_ns(), stall = t0;
	uint64_t *lat = malloc(n * sizeof(*lat));

	if (lat == NULL)
		die("out of memory");
	while (done < n) {
		const uint64_t t = now_ns();
		bool sent = false;
		uint64_t got;

		if (next < first + n && t >= t0 + (next - first) * period) {
			struct jitsim_event ev;

			bench_event(b, next, &ev);
			if (jitsim_shm_event_put(&b->shm, 0, &ev, 1) != 1)
				die("latency: event ring full at %u events/s", b->rate);
			b->inject_ns[next++] = now_ns();
			sent = true;
		}
		got = bench_collect(b);
		done += got;
		if (got > 0)
			stall = now_ns();
		else if ((double)(now_ns() - stall) / 1e9 > BENCH_STALL_S)
			die("latency: no activation for %.0f s; jitsim-cp log: %s/cp.log",
			    BENCH_STALL_S, b->dir);
		if (!sent && got == 0)
			bench_idle();
		jitsim_shm_heartbeat(&b->shm);
	}
	for (uint64_t i = 0; i < n; i++)
		lat[i] = b->active_ns[first + i] - b->inject_ns[first + i];
	if (b->lat_out != NULL) {
		FILE *f = fopen(b->lat_out, "w");

		if (f == NULL)
			die("%s: %s", b->lat_out, strerror(errno));
		fprintf(f, "# event  sent_ms  latency_us\n");
		for (uint64_t i = 0; i < n; i++)
			fprintf(f, "%" PRIu64 " %.3f %.1f\n", i,
				(double)(b->inject_ns[first + i] - b->inject_ns[first]) / 1e6,
				(double)lat[i] / 1e3);
		if (fclose(f) != 0)
			die("%s: %s", b->lat_out, strerror(errno));
	}
	qsort(lat, n, sizeof(*lat), cmp_u64);
	*p50 = pct(lat, n, 50);
	*p99 = pct(lat, n, 99);
	*max = lat[n - 1];
	free(lat);
}

/* Lines of the outbox file. */
static uint64_t
bench_outbox_lines(const struct bench *b)
{
	char path[600], buf[65536];
	uint64_t lines = 0;
	ssize_t n;
	int fd;

	snprintf(path, sizeof(path), "%s/outbox.jsonl", b->dir);
	fd = open(path, O_RDONLY | O_CLOEXEC);
	if (fd < 0)
		die("%s: %s", path, strerror(errno));
	while ((n = read(fd, buf, sizeof(buf))) > 0)
		for (ssize_t i = 0; i < n; i++)
			lines += buf[i] == '\n';
	close(fd);
	return lines;
}

static const char usage[] =
	"Usage: bench_cp --cp PATH [-n N] [-r R] [-s S] [-b B] [-i INFLIGHT] [-t SECS]\n"
	"                [-R ROUNDS] [-d DIR] [-o FILE] [-k]\n"
	"  --cp PATH        the jitsim-cp binary (a release build)\n"
	"  -n, --events N   events of each rate phase (default 50000)\n"
	"  -r, --rate R     events/s of the latency phase (default 1000)\n"
	"  -s, --seconds S  seconds of the latency phase (default 5)\n"
	"  -b, --batch B    records per raw WriteBatch of the baseline (default 16)\n"
	"  -i, --inflight N jitsim-cp's [outbox] inflight (default 8)\n"
	"  -t, --raw SECS   seconds of the raw baseline per round (default 3)\n"
	"  -R, --rounds N   rounds of (raw baseline, rate phase); median ratio (default 3)\n"
	"  -d, --dir DIR    directory for the store, outbox and baseline (default /tmp)\n"
	"  -o, --latencies FILE  write each event's send time and latency (latency phase)\n"
	"  -k, --keep       keep the directory\n";

static unsigned long
arg_ul(const char *s, const char *name, unsigned long min, unsigned long max)
{
	char *end;
	unsigned long v;

	errno = 0;
	v = strtoul(s, &end, 10);
	if (errno != 0 || *end != '\0' || end == s || v < min || v > max)
		die("%s: '%s' is not in %lu..%lu", name, s, min, max);
	return v;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"cp", required_argument, NULL, 'c'},
		{"events", required_argument, NULL, 'n'},
		{"rate", required_argument, NULL, 'r'},
		{"seconds", required_argument, NULL, 's'},
		{"batch", required_argument, NULL, 'b'},
		{"inflight", required_argument, NULL, 'i'},
		{"raw", required_argument, NULL, 't'},
		{"rounds", required_argument, NULL, 'R'},
		{"dir", required_argument, NULL, 'd'},
		{"keep", no_argument, NULL, 'k'},
		{"latencies", required_argument, NULL, 'o'},
		{"help", no_argument, NULL, 'h'},
		{NULL, 0, NULL, 0},
	};
	static struct bench bb;
	struct bench *b = &bb;
	const char *parent = "/tmp";
	double raw_rate[16], rate[16], ratio[16], cpu_us[16];
	uint64_t raw50, raw99, p50, p99, max, n_lat, lines, missing = 0, *chain;
	struct sigaction sa;
	int c;

	b->n_rate = 50000;
	b->rate = 1000;
	b->lat_secs = 5;
	b->batch = 16;
	b->inflight = 8;
	b->raw_secs = 3;
	b->rounds = 3;
	while ((c = getopt_long(argc, argv, "c:n:r:s:b:i:t:R:d:o:kh", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			b->cp_path = optarg;
			break;
		case 'n':
			b->n_rate = arg_ul(optarg, "--events", 1, 10000000);
			break;
		case 'r':
			b->rate = (unsigned int)arg_ul(optarg, "--rate", 1, 100000);
			break;
		case 's':
			b->lat_secs = (double)arg_ul(optarg, "--seconds", 1, 3600);
			break;
		case 'b':
			b->batch = (unsigned int)arg_ul(optarg, "--batch", 1, 4096);
			break;
		case 'i':
			b->inflight = (unsigned int)arg_ul(optarg, "--inflight", 1, 256);
			break;
		case 't':
			b->raw_secs = (double)arg_ul(optarg, "--raw", 1, 600);
			break;
		case 'R':
			b->rounds = (unsigned int)arg_ul(optarg, "--rounds", 1, 15);
			break;
		case 'd':
			parent = optarg;
			break;
		case 'o':
			b->lat_out = optarg;
			break;
		case 'k':
			b->keep = true;
			break;
		case 'h':
			fputs(usage, stdout);
			return 0;
		default:
			fputs(usage, stderr);
			return 1;
		}
	}
	if (optind != argc || b->cp_path == NULL) {
		fputs(usage, stderr);
		return 1;
	}
	n_lat = (uint64_t)(b->rate * b->lat_secs);
	b->n_sims = b->n_rate * b->rounds + n_lat;
	b->imsi0 = jitsim_digits_key_str(BENCH_IMSI0);
	b->inject_ns = calloc(b->n_sims, sizeof(*b->inject_ns));
	b->active_ns = calloc(b->n_sims, sizeof(*b->active_ns));
	if (b->inject_ns == NULL || b->active_ns == NULL)
		die("out of memory");
	if (snprintf(b->dir, sizeof(b->dir), "%s/jitsim-bench-cp.XXXXXX", parent) >=
	    (int)sizeof(b->dir))
		die("--dir: too long");
	if (mkdtemp(b->dir) == NULL)
		die("mkdtemp %s: %s", b->dir, strerror(errno));
	snprintf(b->instance, sizeof(b->instance), "benchcp%d", (int)getpid());
	bench_cleanup_b = b;
	atexit(bench_cleanup);
	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = on_signal;
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	/* Sleeps of 20 us must not become 70 us. */
	prctl(PR_SET_TIMERSLACK, 1ul, 0, 0, 0);

	printf("cp: in %s; %" PRIu64 " SIMs, outbox inflight %u\n", b->dir, b->n_sims, b->inflight);
	bench_store(b);
	bench_start(b);
	/* Rounds of a raw baseline right before a rate phase on the same disk:
	 * the machine's load changes between rounds, the ratio less. */
	for (unsigned int r = 0; r < b->rounds; r++) {
		raw_rate[r] = bench_raw(b);
		bench_rate(b, r * b->n_rate, b->n_rate, &rate[r], &cpu_us[r]);
		ratio[r] = rate[r] / raw_rate[r];
		printf("cp: round %u: raw rocksdb_write(sync=true), %u records of %u B/batch: "
		       "%.0f records/s (baseline) | jitsim-cp, %" PRIu64
		       " events at once: %.0f durable activations/s (%.2fx baseline), "
		       "%.1f us CPU/activation\n",
		       r + 1, b->batch, (unsigned int)JITSIM_REC_MAX, raw_rate[r], b->n_rate,
		       rate[r], ratio[r], cpu_us[r]);
		fflush(stdout);
	}
	qsort(raw_rate, b->rounds, sizeof(double), cmp_double);
	qsort(rate, b->rounds, sizeof(double), cmp_double);
	qsort(ratio, b->rounds, sizeof(double), cmp_double);
	printf("cp: durable activations/s, median of %u rounds: %.0f (raw baseline median %.0f "
	       "records/s in batches of %u); median ratio %.2fx\n",
	       b->rounds, rate[b->rounds / 2], raw_rate[b->rounds / 2], b->batch,
	       ratio[b->rounds / 2]);
	qsort(b->raw_lat, b->n_raw_lat, sizeof(*b->raw_lat), cmp_u64);
	raw50 = pct(b->raw_lat, b->n_raw_lat, 50);
	raw99 = pct(b->raw_lat, b->n_raw_lat, 99);
	fflush(stdout);
	printf("cp: one raw batch of %u records, sync: p50 %.3f ms p99 %.3f ms\n", b->batch,
	       (double)raw50 / 1e6, (double)raw99 / 1e6);
	chain = malloc(n_lat * sizeof(*chain));
	if (chain == NULL)
		die("out of memory");
	bench_raw_chain(b, n_lat, chain);
	bench_latency(b, b->n_rate * b->rounds, n_lat, &p50, &p99, &max);
	printf("cp: event -> ACTIVE update at %u activations/s, %" PRIu64
	       " events: p50 %.3f ms p99 %.3f ms max %.3f ms (baseline: sync batch of %u "
	       "records + line fdatasync + sync batch, raw, at the same pace: p50 %.3f ms "
	       "p99 %.3f ms max %.3f ms)\n",
	       b->rate, n_lat, (double)p50 / 1e6, (double)p99 / 1e6, (double)max / 1e6,
	       BENCH_CHAIN_RECS, (double)pct(chain, n_lat, 50) / 1e6,
	       (double)pct(chain, n_lat, 99) / 1e6, (double)chain[n_lat - 1] / 1e6);
	free(chain);

	bench_stop(b);
	for (uint64_t i = 0; i < b->n_sims; i++)
		missing += b->active_ns[i] == 0;
	lines = bench_outbox_lines(b);
	if (missing != 0 || lines < b->n_sims)
		die("check: %" PRIu64 " SIMs never came back ACTIVE, outbox has %" PRIu64
		    " lines for %" PRIu64 " activations",
		    missing, lines, b->n_sims);
	printf("cp: check: %" PRIu64 " SIMs ACTIVE, %" PRIu64 " outbox lines, %" PRIu64
	       " other updates\n",
	       b->n_sims, lines, b->puts_other);
	free(b->raw_lat);
	free(b->inject_ns);
	free(b->active_ns);
	return 0;
}
