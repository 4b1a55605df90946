/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <fcntl.h>
#include <inttypes.h>
#include <limits.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>

#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "cpctl.h"
#include "cpctl_inv.h"
#include "cpctl_util.h"
#include "ctlsrv.h"
#include "flow_int.h"
#include "inventory.h"
#include "store.h"

/* SIMs sent to the dataplane per closure on the workflow thread: a few
 * tens of microseconds there, so events wait little behind it. */
#define CPCTL_INV_PUSH 1024
/* Wait between two tries while the update ring is half full. */
#define CPCTL_INV_WAIT_NS (1000 * 1000)
/* A dataplane whose heartbeat is this old is gone (it beats every 100 ms
 * at most, loading included): SIMs left for its next start's load. */
#define CPCTL_INV_DP_GONE_NS (1000ull * 1000 * 1000)

enum inv_state {
	INV_RUNNING = 1,
	INV_DONE,
	INV_FAILED,
};

static const char *const inv_state_names[] = {
	[INV_RUNNING] = "running",
	[INV_DONE] = "done",
	[INV_FAILED] = "failed",
};

/* One import. Set up by the handler before its thread starts, constant
 * while it runs except the atomic counters; the results are written by
 * the thread under inv->mu, and read under it. */
struct inv_run {
	struct jitsim_cpctl_inv *inv;
	uint64_t id; /* 0: slot never used */
	char path[PATH_MAX];
	char tkey[PATH_MAX];
	char reject[PATH_MAX + 8];
	char who[32];
	uid_t uid;
	gid_t gid;
	pid_t pid;
	struct jitsim_inv_opts o;
	uint64_t started_ns, ended_ns; /* CLOCK_MONOTONIC */
	uint64_t started_s;	       /* CLOCK_REALTIME */
	/* Atomics, written by the import's threads (the written callback). */
	uint64_t committed; /* SIMs committed (told by the import) */
	uint64_t sent;	    /* of them, PUT on the update ring */
	uint64_t to_load;   /* of them, left to a dataplane's next load */
	/* Results (under inv->mu). */
	enum inv_state state;
	struct jitsim_inv_report rep;
	int rc;
	char err[512];
};

struct jitsim_cpctl_inv {
	struct jitsim_cpctl *c;
	pthread_mutex_t mu;
	pthread_t th;
	bool joinable; /* a thread to join (running or ended) */
	int cancel;    /* atomic; jitsim_inv_opts.cancel */
	uint64_t last_id;
	struct inv_run runs[CPCTL_INV_KEEP]; /* import id i in runs[(i - 1) % KEEP] */
};

static uint64_t
inv_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* --- the dataplane (workflow thread) --- */

struct inv_push {
	struct jitsim_cpctl *c;
	const struct jitsim_inv_written *w;
	size_t n;
	size_t done; /* out: PUT on the ring */
	bool gone;   /* out: no dataplane attached */
};

static bool
inv_dp_gone(const struct jitsim_shm *shm)
{
	return __atomic_load_n(&shm->hdr->dp_pid, __ATOMIC_RELAXED) == 0 ||
	       jitsim_shm_peer_age_ns(shm) >= CPCTL_INV_DP_GONE_NS;
}

/* Runs on the workflow thread, the update ring's only producer: what it
 * finds free stays free until it has put. Half the ring is left to the
 * activations' updates, which would be dropped otherwise (flow_dp_put()). */
static int
inv_push(void *arg)
{
	struct inv_push *p = arg;
	struct jitsim_shm *shm = p->c->shm;
	unsigned int cap, avail, room;
	size_t i;

	if (shm == NULL) {
		p->done = p->n;
		return 0;
	}
	cap = rte_ring_get_capacity(shm->update);
	avail = rte_ring_free_count(shm->update);
	room = avail > cap / 2 ? avail - cap / 2 : 0;
	for (i = 0; i < p->n && i < room; i++) {
		struct jitsim_rec r;

		memset(&r, 0, sizeof(r));
		r.imsi = p->w[i].imsi;
		r.state = p->w[i].dp.state;
		r.flags = p->w[i].dp.flags;
		r.tenant = p->w[i].dp.tenant;
		r.region = p->w[i].dp.region;
		r.msisdn = p->w[i].dp.msisdn;
		if (!flow_dp_put(p->c->flow, &r))
			break;
	}
	p->done = i;
	p->gone = i < p->n && inv_dp_gone(shm);
	return 0;
}

/*
 * jitsim_inv_opts.written: SIMs just committed, sent to the dataplane
 * before the import goes on (it waits for room on the ring, so a large
 * import runs at the pace of the dataplane's updater at worst). Runs on
 * the import thread or the import's flusher thread.
 */
static int
inv_written(void *arg, const struct jitsim_inv_written *w, size_t n)
{
	struct inv_run *r = arg;
	const struct timespec wait = {.tv_sec = 0, .tv_nsec = CPCTL_INV_WAIT_NS};
	size_t i = 0;

	__atomic_fetch_add(&r->committed, n, __ATOMIC_RELAXED);
	while (i < n) {
		struct inv_push p = {.c = r->inv->c, .w = w + i};
		int rc;

		if (__atomic_load_n(&r->inv->cancel, __ATOMIC_RELAXED) != 0)
			return -ECANCELED;
		p.n = n - i < CPCTL_INV_PUSH ? n - i : CPCTL_INV_PUSH;
		rc = jitsim_cpctl_call(r->inv->c, inv_push, &p);
		if (rc != 0)
			return rc; /* -ESHUTDOWN: jitsim-cp is stopping */
		i += p.done;
		__atomic_fetch_add(&r->sent, p.done, __ATOMIC_RELAXED);
		if (p.gone) {
			/* Committed before any dataplane attached: the next
			 * one loads them from the store after attaching. */
			__atomic_fetch_add(&r->to_load, n - i, __ATOMIC_RELAXED);
			return 0;
		}
		if (p.done < p.n)
			nanosleep(&wait, NULL);
	}
	return 0;
}

/* --- the import thread --- */

/* An import stopped after some commits wrote SIMs without the import's
 * own audit line (it is written at the end): one for what was done. */
static void
inv_audit_stopped(struct jitsim_cpctl_inv *inv, const struct inv_run *r, int rc, uint64_t committed)
{
	const char *base = strrchr(r->path, '/');
	struct jitsim_store_batch *b = jitsim_store_batch_new(inv->c->store);
	char fields[PATH_MAX + 256], err[256];

	if (b == NULL)
		return;
	/* The path passed jitsim_cpctl_arg_str(): no quote, no backslash. */
	snprintf(fields, sizeof(fields),
		 "\"file\":\"%s\",\"imported\":%" PRIu64 ",\"stopped\":\"%s\",\"import\":%" PRIu64
		 ",\"pid\":%d",
		 base != NULL ? base + 1 : r->path, committed, jitsim_ctlsrv_reason_str(rc), r->id,
		 (int)r->pid);
	jitsim_store_batch_audit(b, r->who, "inventory.import", fields);
	if (jitsim_store_commit(b, err, sizeof(err)) != 0)
		flow_log("import %" PRIu64 ": audit line: %s", r->id, err);
	jitsim_store_batch_free(b);
}

static void *
inv_main(void *arg)
{
	struct inv_run *r = arg;
	struct jitsim_cpctl_inv *inv = r->inv;
	struct jitsim_inv_report rep;
	char err[sizeof(r->err)];
	uint64_t committed;
	int rc;

	rc = jitsim_inv_import(inv->c->store, &r->o, &rep, err, sizeof(err));
	/* jitsim-cp may run as root: the reject file (0600) goes to the
	 * peer who asked for it, not to root. */
	if (r->o.partial && !r->o.dry_run && geteuid() == 0 && r->uid != 0 &&
	    lchown(r->reject, r->uid, r->gid) != 0 && errno != ENOENT)
		flow_log("import %" PRIu64 ": reject file %s: chown: %s", r->id, r->reject,
			 strerror(errno));
	committed = __atomic_load_n(&r->committed, __ATOMIC_RELAXED);
	if (rc != 0 && committed > 0)
		inv_audit_stopped(inv, r, rc, committed);
	if (rc == 0)
		flow_log("import %" PRIu64 " (%s, %s): %" PRIu64 " lines, %" PRIu64
			 " imported, %" PRIu64 " unchanged, %" PRIu64 " rejected%s",
			 r->id, r->path, r->who, rep.lines, rep.imported, rep.unchanged,
			 rep.rejected, r->o.dry_run ? " (dry run)" : "");
	else
		flow_log("import %" PRIu64 " (%s, %s): failed (%s) after %" PRIu64
			 " SIMs committed: %s",
			 r->id, r->path, r->who, jitsim_ctlsrv_reason_str(rc), committed, err);
	/* Last: once it is not running, the next import's pthread_join()
	 * (on the control socket's thread) returns at once. */
	pthread_mutex_lock(&inv->mu);
	r->rep = rep;
	r->rc = rc;
	snprintf(r->err, sizeof(r->err), "%s", rc != 0 || rep.rejected > 0 ? err : "");
	r->ended_ns = inv_mono_ns();
	r->state = rc == 0 ? INV_DONE : INV_FAILED;
	pthread_mutex_unlock(&inv->mu);
	return NULL;
}

/* --- the peer's rights to the files --- */

/*
 * jitsim-cp may run with more rights than its peer (root): it opens only
 * files the peer could open itself, judged by the mode bits against the
 * peer's uid, gid and supplementary groups (ACLs and the search rights of
 * the directories above are not looked at).
 */
struct inv_peer {
	uid_t uid;
	gid_t gid;
	gid_t groups[64];
	unsigned int ngroups;
};

/* The peer's supplementary groups, from /proc (the process's own, no
 * name service): none if it is gone. */
static void
inv_peer_groups(struct inv_peer *p, pid_t pid)
{
	char path[64], line[1024];
	FILE *f;

	p->ngroups = 0;
	snprintf(path, sizeof(path), "/proc/%d/status", (int)pid);
	f = fopen(path, "re");
	if (f == NULL)
		return;
	while (fgets(line, sizeof(line), f) != NULL) {
		char *s = line + 7, *e;

		if (strncmp(line, "Groups:", 7) != 0)
			continue;
		while (p->ngroups < sizeof(p->groups) / sizeof(p->groups[0])) {
			unsigned long g = strtoul(s, &e, 10);

			if (e == s)
				break;
			p->groups[p->ngroups++] = (gid_t)g;
			s = e;
		}
		break;
	}
	fclose(f);
}

static bool
inv_peer_in(const struct inv_peer *p, gid_t g)
{
	if (g == p->gid)
		return true;
	for (unsigned int i = 0; i < p->ngroups; i++)
		if (p->groups[i] == g)
			return true;
	return false;
}

/* @bits of 4 (read), 2 (write), 1 (search). */
static bool
inv_peer_may(const struct inv_peer *p, const struct stat *st, unsigned int bits)
{
	unsigned int m = (unsigned int)st->st_mode;

	if (p->uid == 0)
		return true;
	if (st->st_uid == p->uid)
		return (m >> 6 & bits) == bits;
	if (inv_peer_in(p, st->st_gid))
		return (m >> 3 & bits) == bits;
	return (m & bits) == bits;
}

/* @path, an absolute path the peer names: a regular file it may read. */
static int
inv_check_file(const struct inv_peer *p, const char *key, const char *path, char *err,
	       size_t errlen)
{
	struct stat st;

	if (path[0] != '/')
		return jitsim_cpctl_err(err, errlen, -EINVAL,
					"%s: %s: an absolute path (jitsim-cp reads it, from its "
					"own working directory)",
					key, path);
	if (stat(path, &st) != 0)
		return jitsim_cpctl_err(err, errlen,
					errno == ENOENT || errno == ENOTDIR ? -ENOENT
					: errno == EACCES		    ? -EACCES
									    : -EIO,
					"%s: %s: %s", key, path, strerror(errno));
	if (!S_ISREG(st.st_mode))
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: %s: not a regular file", key,
					path);
	if (!inv_peer_may(p, &st, 4))
		return jitsim_cpctl_err(err, errlen, -EACCES,
					"%s: %s: not readable by uid %u (the caller)", key, path,
					(unsigned int)p->uid);
	return 0;
}

/* A partial import writes @rej (created or truncated, beside the file):
 * only where the peer could write it itself. */
static int
inv_check_reject(const struct inv_peer *p, const char *rej, char *err, size_t errlen)
{
	char dir[PATH_MAX];
	const char *slash = strrchr(rej, '/');
	struct stat st;

	snprintf(dir, sizeof(dir), "%.*s", slash == rej ? 1 : (int)(slash - rej), rej);
	if (lstat(rej, &st) == 0) {
		if (!S_ISREG(st.st_mode) || !inv_peer_may(p, &st, 2))
			return jitsim_cpctl_err(
				err, errlen, -EACCES,
				"partial: reject file %s: exists and uid %u may not "
				"write it",
				rej, (unsigned int)p->uid);
		return 0;
	}
	if (stat(dir, &st) != 0 || !inv_peer_may(p, &st, 2 | 1))
		return jitsim_cpctl_err(
			err, errlen, -EACCES,
			"partial: reject file %s: uid %u may not create files in %s", rej,
			(unsigned int)p->uid, dir);
	return 0;
}

/* --- inventory.import --- */

static int
inv_args(const struct jitsim_ctl_req *req, struct inv_run *r, char *err, size_t errlen)
{
	const json_t *a = req->args;
	char fmt[16] = "auto", state[16] = "inventory";
	uint64_t tenant = 0, region = 0;
	bool partial = false, dry = false;
	int rc;

	r->tkey[0] = '\0';
	rc = jitsim_cpctl_arg_str(a, "file", true, r->path, sizeof(r->path), err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(a, "transport_key", false, r->tkey, sizeof(r->tkey), err,
					  errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(a, "format", false, fmt, sizeof(fmt), err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_str(a, "state", false, state, sizeof(state), err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_bool(a, "partial", &partial, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_bool(a, "dry_run", &dry, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(a, "tenant", UINT16_MAX, &tenant, err, errlen);
	if (rc == 0)
		rc = jitsim_cpctl_arg_u64(a, "region", UINT16_MAX, &region, err, errlen);
	if (rc != 0)
		return rc;
	memset(&r->o, 0, sizeof(r->o));
	if (strcmp(fmt, "auto") == 0)
		r->o.format = JITSIM_INV_AUTO;
	else if (strcmp(fmt, "vendor") == 0)
		r->o.format = JITSIM_INV_VENDOR;
	else if (strcmp(fmt, "csv") == 0)
		r->o.format = JITSIM_INV_CSV;
	else
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: auto, vendor or csv", "format");
	if (strcmp(state, "inventory") == 0)
		r->o.state = JITSIM_SIM_INVENTORY;
	else if (strcmp(state, "locked") == 0)
		r->o.state = JITSIM_SIM_LOCKED;
	else
		return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: inventory or locked", "state");
	r->o.path = r->path;
	r->o.transport_key = r->tkey[0] != '\0' ? r->tkey : NULL;
	r->o.partial = partial;
	r->o.dry_run = dry;
	r->o.tenant = (uint16_t)tenant;
	r->o.region = (uint16_t)region;
	if (partial) {
		/* inventory.h's default, named here to check it and say it. */
		if ((size_t)snprintf(r->reject, sizeof(r->reject), "%s.rej", r->path) >=
		    sizeof(r->reject))
			return jitsim_cpctl_err(err, errlen, -EINVAL, "%s: path too long", "file");
		r->o.reject_path = r->reject;
	}
	return 0;
}

static json_t *inv_run_json(struct inv_run *r);

static int
inv_import(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct jitsim_cpctl_inv *inv = c->inv;
	struct inv_peer peer = {.uid = req->uid, .gid = req->gid};
	struct inv_run *r, tmp;
	int rc;

	memset(&tmp, 0, sizeof(tmp));
	rc = inv_args(req, &tmp, err, errlen);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&inv->mu);
	r = inv->last_id != 0 ? &inv->runs[(inv->last_id - 1) % CPCTL_INV_KEEP] : NULL;
	if (r != NULL && r->state == INV_RUNNING) {
		rc = jitsim_cpctl_err(err, errlen, -EBUSY,
				      "import %" PRIu64 " of %s is running: one at a time "
				      "(inventory status %" PRIu64 ")",
				      r->id, r->path, r->id);
		pthread_mutex_unlock(&inv->mu);
		return rc;
	}
	pthread_mutex_unlock(&inv->mu);
	/* Only this thread starts imports: none can start from here on. */
	if (inv->joinable) {
		pthread_join(inv->th, NULL); /* ended: returns at once */
		inv->joinable = false;
	}
	if (req->uid != 0)
		inv_peer_groups(&peer, req->pid);
	rc = inv_check_file(&peer, "file", tmp.path, err, errlen);
	if (rc == 0 && tmp.o.transport_key != NULL)
		rc = inv_check_file(&peer, "transport_key", tmp.tkey, err, errlen);
	if (rc == 0 && tmp.o.partial && !tmp.o.dry_run)
		rc = inv_check_reject(&peer, tmp.reject, err, errlen);
	if (rc != 0)
		return rc;

	pthread_mutex_lock(&inv->mu);
	r = &inv->runs[inv->last_id % CPCTL_INV_KEEP];
	*r = tmp;
	r->inv = inv;
	r->id = inv->last_id + 1;
	r->uid = req->uid;
	r->gid = req->gid;
	r->pid = req->pid;
	jitsim_cpctl_who(req, r->who, sizeof(r->who));
	r->o.path = r->path;
	r->o.transport_key = r->tkey[0] != '\0' ? r->tkey : NULL;
	r->o.reject_path = r->o.partial ? r->reject : NULL;
	r->o.who = r->who;
	r->o.written = inv_written;
	r->o.written_arg = r;
	r->o.cancel = &inv->cancel;
	r->started_ns = inv_mono_ns();
	r->started_s = (uint64_t)time(NULL);
	r->state = INV_RUNNING;
	if (pthread_create(&inv->th, NULL, inv_main, r) != 0) {
		r->id = 0;
		pthread_mutex_unlock(&inv->mu);
		return jitsim_cpctl_err(err, errlen, -EAGAIN, "cannot start the import thread");
	}
	inv->joinable = true;
	inv->last_id = r->id;
	*result = inv_run_json(r);
	pthread_mutex_unlock(&inv->mu);
	return *result != NULL ? 0 : -ENOMEM;
}

/* --- inventory.status --- */

/* Under inv->mu. */
static json_t *
inv_run_json(struct inv_run *r)
{
	uint64_t end = r->state == INV_RUNNING ? inv_mono_ns() : r->ended_ns;
	json_t *o;

	o = json_pack("{s:I,s:s,s:s,s:s,s:b,s:b,s:I,s:I,s:{s:I,s:I,s:I}}", "import",
		      (json_int_t)r->id, "state", inv_state_names[r->state], "file", r->path, "who",
		      r->who, "partial", r->o.partial, "dry_run", r->o.dry_run, "started",
		      (json_int_t)r->started_s, "duration_ms",
		      (json_int_t)((end - r->started_ns) / 1000000), "dataplane", "committed",
		      (json_int_t)__atomic_load_n(&r->committed, __ATOMIC_RELAXED), "sent",
		      (json_int_t)__atomic_load_n(&r->sent, __ATOMIC_RELAXED), "left_to_load",
		      (json_int_t)__atomic_load_n(&r->to_load, __ATOMIC_RELAXED));
	if (o == NULL)
		return NULL;
	/* The report is the import's only once it ended. */
	if (r->state != INV_RUNNING) {
		json_object_set_new(o, "lines", json_integer((json_int_t)r->rep.lines));
		json_object_set_new(o, "imported", json_integer((json_int_t)r->rep.imported));
		json_object_set_new(o, "unchanged", json_integer((json_int_t)r->rep.unchanged));
		json_object_set_new(o, "rejected", json_integer((json_int_t)r->rep.rejected));
		json_object_set_new(o, "bulk", json_boolean(r->rep.bulk));
	}
	json_object_set_new(o, "reason",
			    r->state == INV_FAILED ? json_string(jitsim_ctlsrv_reason_str(r->rc))
						   : json_null());
	json_object_set_new(o, "error",
			    r->err[0] != '\0' && r->state != INV_RUNNING ? json_string(r->err)
									 : json_null());
	if (r->o.partial && !r->o.dry_run)
		json_object_set_new(o, "reject_file", json_string(r->reject));
	return o;
}

static int
inv_status(const struct jitsim_ctl_req *req, json_t **result, char *err, size_t errlen)
{
	struct jitsim_cpctl *c = req->arg;
	struct jitsim_cpctl_inv *inv = c->inv;
	uint64_t id = 0;
	struct inv_run *r;
	int rc;

	rc = jitsim_cpctl_arg_u64(req->args, "import", UINT64_MAX - 1, &id, err, errlen);
	if (rc != 0)
		return rc;
	pthread_mutex_lock(&inv->mu);
	if (id == 0)
		id = inv->last_id;
	r = id != 0 ? &inv->runs[(id - 1) % CPCTL_INV_KEEP] : NULL;
	if (r == NULL || r->id != id) {
		if (inv->last_id == 0)
			rc = jitsim_cpctl_err(err, errlen, -ENOENT,
					      "no import since jitsim-cp started");
		else
			rc = jitsim_cpctl_err(err, errlen, -ENOENT,
					      "import: no import %" PRIu64 " (the last %d of this "
					      "jitsim-cp are kept: %" PRIu64 "..%" PRIu64 ")",
					      id, CPCTL_INV_KEEP,
					      inv->last_id > CPCTL_INV_KEEP
						      ? inv->last_id - CPCTL_INV_KEEP + 1
						      : 1,
					      inv->last_id);
		pthread_mutex_unlock(&inv->mu);
		return rc;
	}
	*result = inv_run_json(r);
	pthread_mutex_unlock(&inv->mu);
	return *result != NULL ? 0 : -ENOMEM;
}

/* --- lifetime --- */

int
jitsim_cpctl_inv_register(struct jitsim_ctlsrv *srv, struct jitsim_cpctl *c)
{
	struct jitsim_cpctl_inv *inv = calloc(1, sizeof(*inv));
	int rc;

	if (inv == NULL)
		return -ENOMEM;
	inv->c = c;
	pthread_mutex_init(&inv->mu, NULL);
	c->inv = inv;
	rc = jitsim_ctlsrv_register_change(
		srv, "inventory.import", inv_import, c,
		"import a SIM vendor or CSV file in the background, answers its import id (file, "
		"[format], [transport_key], [partial], [state], [tenant], [region], [dry_run])");
	if (rc == 0)
		rc = jitsim_ctlsrv_register(srv, "inventory.status", inv_status, c,
					    "an import's state and counts ([import]: the latest)");
	return rc;
}

void
jitsim_cpctl_inv_stop(struct jitsim_cpctl *c)
{
	struct jitsim_cpctl_inv *inv = c->inv;

	if (inv == NULL)
		return;
	__atomic_store_n(&inv->cancel, 1, __ATOMIC_RELAXED);
	pthread_mutex_lock(&inv->mu);
	if (inv->last_id != 0) {
		const struct inv_run *r = &inv->runs[(inv->last_id - 1) % CPCTL_INV_KEEP];

		if (r->state == INV_RUNNING)
			flow_log("import %" PRIu64 " of %s: stopping (what it committed stays; "
				 "import the file again to finish it)",
				 r->id, r->path);
	}
	pthread_mutex_unlock(&inv->mu);
	if (inv->joinable)
		pthread_join(inv->th, NULL);
	pthread_mutex_destroy(&inv->mu);
	free(inv);
	c->inv = NULL;
}
