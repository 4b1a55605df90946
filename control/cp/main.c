/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp: the control plane (docs/jitsim-cp.md). Threads: main (the
 * workflow: event rings, journal, update ring, heartbeat), the control
 * socket loop, and the adapter's pool.
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <pthread.h>
#include <signal.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>
#include <unistd.h>

#include <jitsim/shm.h>

#include "adapter.h"
#include "auth.h"
#include "config.h"
#include "cpctl.h"
#include "cpctl_inv.h"
#include "ctlsrv.h"
#include "flow.h"
#include "fta.h"
#include "hlrs.h"
#include "notify.h"
#include "mbox.h"
#include "rate.h"
#include "outbox.h"
#include "pool.h"
#include "rules.h"
#include "sleep.h"
#include "store.h"

#ifndef JITSIM_VERSION
#define JITSIM_VERSION "unknown"
#endif

/* Events of one loop turn, from every ring together: the flow stages them
 * into one commit (FLOW_BURST), so that one sync serves them all. The
 * first ring read turns round, so that busy rings cannot starve the
 * others. */
#define CP_TURN_MAX 256
/* The dataplane reads our heartbeat; the ABI asks for at least every
 * 100 ms (shm.h). */
#define CP_HEARTBEAT_NS (50ull * 1000 * 1000)
/* Sleep when a loop turn found nothing to do. */
#define CP_IDLE_NS (200ull * 1000)
#define CP_SHM_WAIT_MS 2000

static volatile sig_atomic_t cp_quit;
static struct jitsim_ctlsrv *cp_srv;

static const char cp_usage[] =
	"Usage: jitsim-cp -c FILE [--check-config]\n"
	"       jitsim-cp --help | --version\n"
	"\n"
	"The jitsim control plane: consumes the dataplane's events from the\n"
	"shared-memory segment /jitsim.<instance>, turns each first attach into a\n"
	"journaled activation (number from a pool, provisioning through the outbox\n"
	"adapter, SIM ACTIVE in the store) and sends the result to the dataplane.\n"
	"Serves status, sim.show, job.list and job.show on its control socket\n"
	"(jitsimctl).\n"
	"\n"
	"Options:\n"
	"  -c, --config FILE   configuration (INI); required\n"
	"      --check-config  check the configuration, print nothing, exit 0 or 1\n"
	"  -h, --help          this text\n"
	"  -V, --version       version\n"
	"\n"
	"Configuration keys (docs/jitsim-cp.md):\n"
	"  [instance] name store kek socket group\n"
	"  [outbox]   path inflight timeout\n"
	"  [shm]      rings event_ring update_ring   (used when jitsim-cp creates it)\n"
	"  [flow]     retries backoff default_region default_tariff default_profile\n"
	"  [hlr NAME]    id kind address token_file ca_file client_cert client_key insecure\n"
	"  [notify]      url retries token_file ca_file client_cert client_key insecure\n"
	"  [sleep]       idle idle.TARIFF release interval rate inflight flush\n"
	"  [region ID]   name hlr pool gt_prefix plmn\n"
	"  [pool NAME]   id tenant region first last quarantine\n"
	"  [fta]         enable own_pc own_gt own_ssn hlr_number ul_timeout\n"
	"                handover_delay max_dialogues isd_category apn\n"
	"                s6a_origin_host s6a_origin_realm s6a_apn s6a_ambr_ul\n"
	"                s6a_ambr_dl s6a_qci s6a_pdn_type s6a_network_access_mode\n"
	"\n"
	"Exit status: 0 after SIGTERM/SIGINT, 1 on a configuration or start-up\n"
	"error (the message names the file, line and key, or the path).\n";

static uint64_t
cp_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
cp_on_signal(int sig)
{
	(void)sig;
	cp_quit = 1;
	if (cp_srv != NULL)
		jitsim_ctlsrv_stop(cp_srv);
}

/* flow.h's job hook -> the FTA engine (a UL waiting for its activation). */
static void
cp_fta_job_done(void *arg, uint64_t imsi, uint64_t msisdn, bool active)
{
	jitsim_cp_fta_job_done(arg, imsi, msisdn, active);
}

static void *
cp_ctl_thread(void *arg)
{
	int rc = jitsim_ctlsrv_run(arg);

	if (rc != 0)
		fprintf(stderr, "jitsim-cp: control socket loop: %s\n", strerror(-rc));
	return NULL;
}

/* Configured HLRs and regions are added in memory over the stored ones. */
static int
cp_rules_setup(struct jitsim_rules *r, struct jitsim_store *st, const struct jitsim_cp_config *c,
	       char *err, size_t errlen)
{
	int rc = jitsim_rules_load(r, st, err, errlen);

	for (unsigned int i = 0; rc == 0 && i < c->n_hlr; i++) {
		struct jitsim_rules_hlr h = c->hlr[i];

		if (h.address[0] == '\0' && h.kind == JITSIM_HLR_OUTBOX)
			snprintf(h.address, sizeof(h.address), "%s", c->outbox);
		rc = jitsim_rules_hlr_add(r, &h, NULL, err, errlen);
	}
	for (unsigned int i = 0; rc == 0 && i < c->n_region; i++)
		rc = jitsim_rules_region_add(r, &c->region[i], NULL, err, errlen);
	for (unsigned int i = 0; rc == 0 && i < c->n_visited; i++)
		rc = jitsim_rules_visited_add(r, &c->visited[i], NULL, err, errlen);
	if (rc == 0 && c->default_region != 0)
		rc = jitsim_rules_set_default_region(r, c->default_region, err, errlen);
	return rc;
}

/* Configured pools missing from the store are added (one batch each). */
static int
cp_pools_setup(struct jitsim_pool_set *ps, struct jitsim_store *st,
	       const struct jitsim_cp_config *c, char *err, size_t errlen)
{
	const struct jitsim_pool_def *have[256];
	size_t n = jitsim_pool_list(ps, have, 256);
	struct jitsim_store_batch *b;
	int rc = 0;

	b = jitsim_store_batch_new(st);
	if (b == NULL)
		return -ENOMEM;
	for (unsigned int i = 0; rc == 0 && i < c->n_pool; i++) {
		bool found = false;

		for (size_t k = 0; k < n && k < 256; k++)
			if (have[k]->id == c->pool[i].id) {
				found = true;
				if (strcmp(have[k]->name, c->pool[i].name) != 0) {
					snprintf(err, errlen,
						 "[pool %s] id: %u is pool '%s' in the store",
						 c->pool[i].name, c->pool[i].id, have[k]->name);
					rc = -EEXIST;
				}
			}
		if (found)
			continue;
		jitsim_store_batch_clear(b);
		rc = jitsim_pool_add(ps, &c->pool[i], b, err, errlen);
		if (rc == 0) {
			jitsim_store_batch_audit(b, "jitsim-cp", "pool.add", NULL);
			rc = jitsim_store_commit(b, err, errlen);
			if (rc == 0)
				jitsim_pool_commit_done(ps, b);
		}
		if (rc != 0)
			jitsim_pool_abort(ps, b);
	}
	jitsim_store_batch_free(b);
	return rc;
}

static void
cp_rate_sample(struct jitsim_cp_rate *rate, struct jitsim_cp_flow *flow, uint64_t now)
{
	struct jitsim_cp_flow_stats st;
	uint64_t v[JITSIM_CP_RATE_N], ev = 0;

	jitsim_cp_flow_stats(flow, &st);
	for (unsigned int t = 0; t < JITSIM_EV_TYPE_MAX; t++)
		ev += st.events[t];
	v[JITSIM_CP_RATE_EVENTS] = ev;
	v[JITSIM_CP_RATE_STARTED] = st.started;
	v[JITSIM_CP_RATE_DONE] = st.done;
	v[JITSIM_CP_RATE_FAILED] = st.failed;
	jitsim_cp_rate_tick(rate, now, v);
}

static void
cp_loop(struct jitsim_shm *shm, struct jitsim_cp_flow *flow, struct jitsim_cp_mbox *mb,
	struct jitsim_cp_rate *rate, struct jitsim_cp_sleep *sleep)
{
	struct jitsim_event ev[CP_TURN_MAX];
	unsigned int first = 0;
	uint64_t last_hb = 0;
	const struct timespec idle = {.tv_sec = 0, .tv_nsec = CP_IDLE_NS};

	while (!cp_quit) {
		const uint64_t now = cp_mono_ns();
		const unsigned int nrings = shm->hdr->n_event_rings;
		unsigned int work = 0, n = 0;

		for (unsigned int i = 0; i < nrings && n < CP_TURN_MAX; i++) {
			const unsigned int r = (first + i) % nrings;
			const unsigned int m =
				jitsim_shm_event_get(shm, r, ev + n, CP_TURN_MAX - n);

			jitsim_cp_flow_ring_seq(flow, r, ev + n, m);
			n += m;
		}
		first = nrings > 0 ? (first + 1) % nrings : 0;
		/* Events, completions and due retries: new and finished jobs
		 * share their commits. */
		work += jitsim_cp_flow_turn(flow, ev, n, now);
		/* Control socket commands that touch the workflow's state. */
		work += (unsigned int)jitsim_cp_mbox_run(mb);
		/* Last-activity writes and a slice of a running sleep sweep,
		 * bounded per turn (sleep.h). */
		work += jitsim_cp_sleep_turn(sleep, now);
		if (now - last_hb >= CP_HEARTBEAT_NS) {
			jitsim_shm_heartbeat(shm);
			/* Samples once a second (rate.h). */
			cp_rate_sample(rate, flow, now);
			last_hb = now;
		}
		if (work == 0)
			nanosleep(&idle, NULL);
	}
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"config", required_argument, NULL, 'c'},
		{"check-config", no_argument, NULL, 'C'},
		{"help", no_argument, NULL, 'h'},
		{"version", no_argument, NULL, 'V'},
		{NULL, 0, NULL, 0},
	};
	struct jitsim_cp_config cfg;
	struct jitsim_store_opts so = {0};
	struct jitsim_store *st = NULL;
	struct jitsim_rules *rules = NULL;
	struct jitsim_pool_set *pools = NULL;
	struct jitsim_outbox *ob = NULL;
	struct jitsim_adapter *ad = NULL;
	struct jitsim_cp_hlrs *hlrs = NULL;
	struct jitsim_cp_notify *notify = NULL;
	struct jitsim_auth *auth = NULL;
	struct jitsim_cp_fta *fta = NULL;
	struct jitsim_shm shm;
	bool shm_open = false, ctl_running = false, check = false;
	struct jitsim_cp_flow *flow = NULL;
	struct jitsim_cp_sleep *sleep = NULL;
	struct jitsim_cp_flow_cfg fc = {0};
	struct jitsim_cpctl ctl = {0};
	struct jitsim_cp_mbox mbox;
	struct jitsim_cp_rate rate;
	bool mbox_ok = false;
	struct jitsim_ctlsrv_opts co = {0};
	struct jitsim_outbox_opts oo = {0};
	struct jitsim_adapter_cfg ac = {0};
	struct sigaction sa;
	pthread_t ctl_tid;
	const char *path = NULL;
	char err[512];
	int c, rc, status = 1;

	while ((c = getopt_long(argc, argv, "c:hV", opts, NULL)) != -1) {
		switch (c) {
		case 'c':
			path = optarg;
			break;
		case 'C':
			check = true;
			break;
		case 'h':
			fputs(cp_usage, stdout);
			return 0;
		case 'V':
			printf("jitsim-cp %s\n", JITSIM_VERSION);
			return 0;
		default:
			fputs(cp_usage, stderr);
			return 1;
		}
	}
	if (optind != argc || path == NULL) {
		fprintf(stderr, "jitsim-cp: %s\n%s",
			path == NULL ? "-c FILE is required" : "unexpected argument", cp_usage);
		return 1;
	}
	jitsim_cp_config_init(&cfg);
	if (jitsim_cp_config_load(&cfg, path, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-cp: %s\n", err);
		jitsim_cp_config_free(&cfg);
		return 1;
	}
	if (jitsim_cp_config_check(&cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-cp: %s: %s\n", path, err);
		jitsim_cp_config_free(&cfg);
		return 1;
	}
	if (check) {
		jitsim_cp_config_free(&cfg);
		return 0;
	}

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = cp_on_signal;
	sigemptyset(&sa.sa_mask);
	sigaction(SIGTERM, &sa, NULL);
	sigaction(SIGINT, &sa, NULL);
	signal(SIGPIPE, SIG_IGN);

	so.path = cfg.store;
	so.kek_path = cfg.kek;
	rc = jitsim_store_open(&so, &st, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-cp: store %s: %s\n", cfg.store, err);
		goto out_cfg;
	}
	rules = jitsim_rules_new();
	if (rules == NULL || cp_rules_setup(rules, st, &cfg, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-cp: rules: %s\n", rules == NULL ? "out of memory" : err);
		goto out_store;
	}
	rc = jitsim_pool_set_open(st, &pools, err, sizeof(err));
	if (rc == 0)
		rc = cp_pools_setup(pools, st, &cfg, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-cp: pools: %s\n", err);
		goto out_rules;
	}
	rc = jitsim_shm_open(&shm, cfg.name, JITSIM_SHM_ROLE_CP, &cfg.geom, CP_SHM_WAIT_MS, err,
			     sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-cp: shm: %s\n", err);
		goto out_pools;
	}
	shm_open = true;

	fc.store = st;
	fc.pools = pools;
	fc.rules = rules;
	fc.shm = &shm;
	fc.retries = cfg.retries;
	fc.backoff_ms = cfg.backoff_ms;
	fc.default_tariff = cfg.default_tariff;
	fc.default_profile = cfg.default_profile;
	flow = jitsim_cp_flow_new(&fc);
	if (flow == NULL) {
		fprintf(stderr, "jitsim-cp: out of memory\n");
		goto out_shm;
	}
	sleep = jitsim_cp_sleep_new(&cfg.sleep, flow, st);
	if (sleep == NULL) {
		fprintf(stderr, "jitsim-cp: out of memory\n");
		goto out_flow;
	}
	jitsim_cp_flow_set_sleep(flow, sleep);
	oo.path = cfg.outbox;
	rc = jitsim_outbox_open(&oo, &ob, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-cp: outbox: %s\n", err);
		goto out_flow;
	}
	ac.max_inflight = cfg.inflight;
	ac.timeout_ms = cfg.timeout_ms;
	ad = jitsim_adapter_new(&jitsim_outbox_ops, ob, &ac, err, sizeof(err));
	ob = NULL; /* the adapter owns it now, even when it failed */
	if (ad == NULL) {
		fprintf(stderr, "jitsim-cp: outbox adapter: %s\n", err);
		goto out_flow;
	}
	jitsim_cp_flow_set_adapter(flow, ad);
	{
		struct jitsim_cp_hlrs_cfg hc = {.store = st,
						.rules = rules,
						.outbox = cfg.outbox,
						.outbox_adapter = ad,
						.inflight = cfg.inflight,
						.timeout_ms = cfg.timeout_ms,
						.tls = cfg.hlr_tls,
						.n_tls = cfg.n_hlr};

		hlrs = jitsim_cp_hlrs_new(&hc);
		if (hlrs == NULL) {
			fprintf(stderr, "jitsim-cp: out of memory\n");
			goto out_adapter;
		}
		jitsim_cp_flow_set_hlrs(flow, hlrs);
	}
	if (cfg.fta.enable) {
		/* The store's one vector context (auth.h): SQN reservations. */
		auth = jitsim_auth_new(st, NULL, err, sizeof(err));
		if (auth != NULL)
			fta = jitsim_cp_fta_new(&cfg.fta, st, auth, &shm, err, sizeof(err));
		if (fta == NULL) {
			fprintf(stderr, "jitsim-cp: [fta]: %s\n", err);
			goto out_adapter;
		}
		jitsim_cp_flow_set_job_hook(flow, cp_fta_job_done, fta);
	}
	if (cfg.notify_url != NULL) {
		const struct jitsim_cp_hlr_tls *t = &cfg.notify_tls;
		struct jitsim_cp_notify_opts no = {
			.url = cfg.notify_url,
			.token_file = t->token_file[0] != '\0' ? t->token_file : NULL,
			.ca_file = t->ca_file[0] != '\0' ? t->ca_file : NULL,
			.client_cert = t->client_cert[0] != '\0' ? t->client_cert : NULL,
			.client_key = t->client_key[0] != '\0' ? t->client_key : NULL,
			.insecure = t->insecure,
			.timeout_ms = cfg.timeout_ms,
			.retries = cfg.notify_retries};

		notify = jitsim_cp_notify_new(&no, err, sizeof(err));
		if (notify == NULL) {
			fprintf(stderr, "jitsim-cp: [notify]: %s\n", err);
			goto out_adapter;
		}
		jitsim_cp_flow_set_notify(flow, notify);
	}

	co.path = cfg.socket;
	co.group = cfg.group;
	cp_srv = jitsim_ctlsrv_create(&co);
	if (cp_srv == NULL) {
		fprintf(stderr, "jitsim-cp: control socket %s: %s\n", cfg.socket, strerror(errno));
		goto out_adapter;
	}
	if (jitsim_cp_mbox_init(&mbox) != 0 || jitsim_cp_rate_init(&rate) != 0) {
		fprintf(stderr, "jitsim-cp: out of memory\n");
		goto out_ctl;
	}
	mbox_ok = true;
	ctl.store = st;
	ctl.flow = flow;
	ctl.shm = &shm;
	ctl.pools = pools;
	ctl.rules = rules;
	ctl.mbox = &mbox;
	ctl.rate = &rate;
	ctl.hlrs = hlrs;
	ctl.notify = notify;
	ctl.sleep = sleep;
	ctl.fta = fta;
	ctl.instance = cfg.name;
	ctl.started_ns = cp_mono_ns();
	if (jitsim_cpctl_register(cp_srv, &ctl) != 0) {
		fprintf(stderr, "jitsim-cp: control socket: cannot register the commands\n");
		goto out_ctl;
	}
	rc = jitsim_cp_flow_resume(flow, err, sizeof(err));
	if (rc != 0) {
		fprintf(stderr, "jitsim-cp: journal: %s\n", err);
		goto out_ctl;
	}
	if (pthread_create(&ctl_tid, NULL, cp_ctl_thread, cp_srv) != 0) {
		fprintf(stderr, "jitsim-cp: cannot start the control socket thread\n");
		goto out_ctl;
	}
	ctl_running = true;
	if (fta != NULL && jitsim_cp_fta_start(fta) != 0) {
		fprintf(stderr, "jitsim-cp: cannot start the FTA thread\n");
		goto out_ctl;
	}
	{
		struct jitsim_cp_flow_stats fs;

		jitsim_cp_flow_stats(flow, &fs);
		fprintf(stderr,
			"jitsim-cp: ready: instance %s, %s segment, %u event rings, %" PRIu64
			" jobs resumed, socket %s\n",
			cfg.name, shm.created ? "created the" : "attached to the",
			shm.hdr->n_event_rings, fs.resumed, cfg.socket);
	}
	cp_loop(&shm, flow, &mbox, &rate, sleep);
	/* What the dataplane reported lately is kept across a clean stop. */
	if (jitsim_cp_sleep_flush(sleep) != 0)
		fprintf(stderr, "jitsim-cp: last activity not written at stop\n");
	status = 0;

out_ctl:
	/* A handler waiting for the workflow thread gets ESHUTDOWN, so the
	 * control socket thread can be joined. */
	if (mbox_ok)
		jitsim_cp_mbox_close(&mbox);
	jitsim_ctlsrv_stop(cp_srv);
	if (ctl_running)
		pthread_join(ctl_tid, NULL);
	/* A running import stops (its calls get ESHUTDOWN) before the call box
	 * and the store go. */
	jitsim_cpctl_inv_stop(&ctl);
	jitsim_ctlsrv_destroy(cp_srv);
	cp_srv = NULL;
	if (mbox_ok) {
		jitsim_cp_mbox_destroy(&mbox);
		jitsim_cp_rate_destroy(&rate);
	}
out_adapter:
	/* Its dialogues are dropped (the peers' timers end them); the SQNs
	 * it handed out stay used. */
	jitsim_cp_fta_free(fta);
	jitsim_auth_free(auth);
	/* Before the flow: cancelled orders complete into it. Their jobs stay
	 * ALLOCATED in the journal and resume at the next start. */
	/* The HLR adapters first: their cancelled orders complete into the
	 * flow, like the outbox's. */
	jitsim_cp_notify_free(notify);
	jitsim_cp_hlrs_free(hlrs);
	jitsim_adapter_free(ad);
out_flow:
	if (ob != NULL)
		jitsim_outbox_close(ob);
	jitsim_cp_flow_free(flow);
	jitsim_cp_sleep_free(sleep);
out_shm:
	if (shm_open)
		jitsim_shm_close(&shm);
out_pools:
	jitsim_pool_set_close(pools);
out_rules:
	jitsim_rules_free(rules);
out_store:
	jitsim_store_close(st);
out_cfg:
	jitsim_cp_config_free(&cfg);
	return status;
}
