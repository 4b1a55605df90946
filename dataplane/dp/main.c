/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp: the DPDK dataplane (docs/dataplane.md, docs/jitsim-dp.md).
 *
 * Start: configuration and command line checked in full -> rte_eal_init
 * -> shm segment (role DP) -> ports resolved, workers counted against
 * the event rings and the lcores -> tables loaded from the store on this
 * thread (the tables' updater until the updater thread takes over) ->
 * ports set up -> updater thread -> ports started -> workers launched
 * on their lcores -> dp_ready = 1 -> this thread (the main lcore) keeps
 * the heartbeat, writes the summary line and waits for SIGINT/SIGTERM.
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

#include <rte_common.h>
#include <rte_cycles.h>
#include <rte_eal.h>
#include <rte_errno.h>
#include <rte_ethdev.h>
#include <rte_launch.h>
#include <rte_lcore.h>
#include <rte_malloc.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>
#include <rte_version.h>

#include <urcu/urcu-qsbr.h>

#include "dp.h"
#include "load.h"
#include "log.h"
#include "telemetry.h"

#ifndef JITSIM_VERSION
#define JITSIM_VERSION "unknown"
#endif

/* Exit status (docs/jitsim-dp.md). */
#define DP_EXIT_OK 0
#define DP_EXIT_FAIL 1	/* bad configuration, or start-up failure */
#define DP_EXIT_USAGE 2 /* bad command line */

/* Heartbeat period: the ABI asks for at most 100 ms. */
#define DP_HEARTBEAT_MS 50
/* How long jitsim_shm_open waits for a jitsim-cp creating the segment. */
#define DP_SHM_WAIT_MS 5000
/* Damaged store entries logged one by one at load, then only counted. */
#define DP_LOAD_LOG_MAX 20

static volatile sig_atomic_t dp_signal;

static const char dp_usage[] =
	"Usage: jitsim-dp [OPTIONS] [-- EAL-ARGS...]\n"
	"\n"
	"The jitsim dataplane: reads signaling traffic (MAP over SS7/SIGTRAN, Diameter\n"
	"S6a) from DPDK ports, detects first attaches, re-attaches, wake-ups, activity\n"
	"and blocked attempts of the SIMs in its tables, and raises events to jitsim-cp\n"
	"through the shared-memory segment /jitsim.<instance>.\n"
	"\n"
	"Options (they override the configuration file):\n"
	"  -c, --config FILE      INI configuration file (keys below)\n"
	"      --instance NAME    instance name: shm segment /jitsim.NAME, default EAL\n"
	"                         file prefix jitsim-NAME ([instance] name, default\n"
	"                         \"default\")\n"
	"      --store DIR        store to load the tables from, opened as a RocksDB\n"
	"                         secondary ([instance] store, default\n"
	"                         " JITSIM_DP_DEF_STORE ")\n"
	"      --no-store         start with empty tables (smoke tests)\n"
	"      --stats-interval S summary line every S seconds, 0: none\n"
	"                         ([instance] stats_interval, default 10)\n"
	"      --lease S          activation lease in seconds ([detect] lease, default 30)\n"
	"      --epoch S          activity epoch in seconds ([detect] epoch, default 3600)\n"
	"      --home-imsi PREFIX home IMSI prefix, repeatable, added to [detect] home_imsi\n"
	"      --check-config     check the configuration and options, print the\n"
	"                         effective settings (INI, defaults included), exit\n"
	"                         0; the EAL is not started\n"
	"  -h, --help             this text\n"
	"      --version          program and DPDK versions\n"
	"\n"
	"EAL arguments: [eal] args (split on blanks), then [eal] lcores as -l LIST\n"
	"(--lcores MAP) unless an lcore option is given, then\n"
	"--file-prefix=jitsim-NAME unless one is given, then the arguments after\n"
	"\"--\". One worker runs per (port, RX queue) on its own lcore, plus the main\n"
	"lcore: 1 port x 1 queue needs -l 0-1. A net_pcap vdev with infinite_rx=1\n"
	"keeps its whole trace in mbufs: add its frame count to [ports] mbufs.\n"
	"\n"
	"Configuration file (INI; '#' or ';' comments; an indented line continues the\n"
	"value above; lines of at most 199 characters; unknown keys are errors):\n"
	"  [instance]\n"
	"    name = default             instance name (A-Z a-z 0-9 _ -, 1..24)\n"
	"    store = " JITSIM_DP_DEF_STORE "\n"
	"    stats_interval = 10        seconds between summary lines, 0..86400\n"
	"  [eal]\n"
	"    args =                     EAL arguments, e.g. --no-huge --no-pci -m 512\n"
	"                               --vdev net_pcap0,rx_pcap=trace.pcap\n"
	"                               (repeats and continuation lines append)\n"
	"    lcores =                   EAL lcore list (-l), e.g. 0-2, or map (--lcores),\n"
	"                               e.g. 0@0,1@1,2@1; default: every CPU\n"
	"  [detect]\n"
	"    lease = 30                 activation lease, s, 1..86400\n"
	"    epoch = 3600               activity epoch, s, 1..31622400\n"
	"    unknown_rate = 10          UNKNOWN_IMSI events per second per worker\n"
	"    home_imsi =                comma list of home IMSI prefixes (1..15 digits,\n"
	"                               at most 32)\n"
	"  [ports]\n"
	"    ports = all                all probed ports, or a list of port ids\n"
	"    rxq = 1                    RX queues per port (one worker each), 1..64\n"
	"    rxd = 1024                 RX descriptors per queue, 32..16384\n"
	"    burst = 32                 RX burst, 1..512\n"
	"    mbufs = 8191               mbufs per NUMA socket (net_pcap infinite_rx=1\n"
	"                               keeps the whole trace in mbufs: add its frames)\n"
	"    mbuf_size = 2176           mbuf data room incl. 128 headroom, 1024..65535\n"
	"    rss = auto                 auto (when rxq > 1 and supported), on, off\n"
	"    promisc = on               promiscuous mode (on/off)\n"
	"    link = ethernet            ethernet, sll, sll2, raw, mtp3\n"
	"  [port N]                     overrides for port N (0..31): rxq, link\n"
	"  [shm]                        used only if jitsim-dp creates the segment\n"
	"    rings = 16                 event rings (max workers), 1..64\n"
	"    event_slots = 65536        slots per event ring, power of two\n"
	"    update_slots = 65536       slots of the update ring, power of two\n"
	"  [ss7]                        M3UA endpoint (First Time Attach), absent: off\n"
	"    own_pc =                   jitsim's point code, 0.23.2 (3-8-3) or 0..16383\n"
	"    own_gt =                   jitsim's global title (digits)\n"
	"    own_ssn = 6                ni = 2 (0..3)   locked_error = 1 (MAP error)\n"
	"    hlr = REGION PC [GT] [ssn=N]   repeatable: the HLR of a region\n"
	"    default_hlr = PC [GT] [ssn=N]  unknown = drop|relay  default_route = PC\n"
	"    asp = NAME LOCAL_IP:PORT REMOTE_IP:PORT [rc=N] [mode=override|loadshare]\n"
	"                               repeatable: client toward an STP\n"
	"    listen = LOCAL_IP:PORT [rc=N] [mode=...]   repeatable: server side\n"
	"    workers = 1                SS7-only workers when there is no port\n"
	"    ring_slots = 1024          per worker SS7 ring, power of two\n"
	"  [diameter]                   S6a endpoint (First Time Attach), absent: off\n"
	"    origin_host =  origin_realm =   jitsim's Diameter identity (required)\n"
	"    host_ip =                  Host-IP-Address (default: the local address)\n"
	"    peer = NAME listen|connect tcp|sctp ADDR:PORT [host=H] [local=ADDR:PORT]\n"
	"                               repeatable: MMEs, DRAs, relays (at least one)\n"
	"    hss = REGION NAME tcp|sctp ADDR:PORT host=H realm=R [local=ADDR:PORT]\n"
	"                               repeatable: the real HSS of a region\n"
	"    default_hss = none         unknown = reject|proxy   locked_result = 5001\n"
	"    redirect = no              watchdog = 30 (Tw, s, 2..300)\n"
	"    workers = 1                Diameter-only workers when no port, no [ss7]\n"
	"    ring_slots = 1024          per worker Diameter ring, power of two\n"
	"\n"
	"Telemetry (dpdk-telemetry.py -f FILE_PREFIX, default jitsim-NAME):\n"
	"  /jitsim/stats    totals: frames, messages by protocol and operation,\n"
	"                   decode errors by reason, events and ring drops by type,\n"
	"                   lookups, leases, updates, table sizes, uptime\n"
	"  /jitsim/lcores   per worker: lcore, port, queue, frames, msgs, events,\n"
	"                   drops, cycles per frame\n"
	"  /jitsim/ss7      [ss7]: associations, messages in and out, verdicts,\n"
	"                   relays per region, drops by reason\n"
	"  /jitsim/diameter [diameter]: peers (state, role, transport, messages),\n"
	"                   verdicts, proxied per region, answers, drops\n"
	"\n"
	"Log lines go to stderr and start with \"jitsim-dp: \"; \"jitsim-dp: ready: N\n"
	"workers, M SIMs loaded\" says the workers run.\n"
	"\n"
	"Signals: SIGINT, SIGTERM: stop RX, let the workers finish their burst, write\n"
	"the final summary, close the ports, leave the shm segment (never removed),\n"
	"exit 0.\n"
	"\n"
	"Exit status: 0 stopped by a signal, 1 bad configuration (reported before the\n"
	"EAL starts) or start-up failure, 2 bad command line.\n";

enum {
	DP_OPT_INSTANCE = 256,
	DP_OPT_STORE,
	DP_OPT_NO_STORE,
	DP_OPT_STATS_INTERVAL,
	DP_OPT_LEASE,
	DP_OPT_EPOCH,
	DP_OPT_HOME_IMSI,
	DP_OPT_VERSION,
	DP_OPT_CHECK_CONFIG,
};

static const struct option dp_longopts[] = {
	{"config", required_argument, NULL, 'c'},
	{"instance", required_argument, NULL, DP_OPT_INSTANCE},
	{"store", required_argument, NULL, DP_OPT_STORE},
	{"no-store", no_argument, NULL, DP_OPT_NO_STORE},
	{"stats-interval", required_argument, NULL, DP_OPT_STATS_INTERVAL},
	{"lease", required_argument, NULL, DP_OPT_LEASE},
	{"epoch", required_argument, NULL, DP_OPT_EPOCH},
	{"home-imsi", required_argument, NULL, DP_OPT_HOME_IMSI},
	{"help", no_argument, NULL, 'h'},
	{"version", no_argument, NULL, DP_OPT_VERSION},
	{"check-config", no_argument, NULL, DP_OPT_CHECK_CONFIG},
	{NULL, 0, NULL, 0},
};

/* Command-line settings, applied after the file so they override it. */
struct dp_cli_set {
	const char *section;
	const char *key;
	const char *value;
	const char *opt;
};

static void
dp_on_signal(int sig)
{
	dp_signal = sig;
}

static void
dp_signals(void)
{
	struct sigaction sa;

	memset(&sa, 0, sizeof(sa));
	sa.sa_handler = dp_on_signal;
	sigemptyset(&sa.sa_mask);
	/* No SA_RESTART: the main loop's sleep returns at once. */
	sigaction(SIGINT, &sa, NULL);
	sigaction(SIGTERM, &sa, NULL);
	sa.sa_handler = SIG_IGN;
	sigaction(SIGPIPE, &sa, NULL);
}

/* Parse the command line into @c. Returns -1 to exit 0 (help, version),
 * DP_EXIT_USAGE or DP_EXIT_FAIL on error, 0 to go on. */
static int
dp_parse_args(struct jitsim_dp_config *c, int argc, char **argv)
{
	struct dp_cli_set set[64];
	unsigned int nset = 0;
	const char *config = NULL;
	bool check_only = false;
	char err[512];
	int opt;

	while ((opt = getopt_long(argc, argv, "+c:h", dp_longopts, NULL)) != -1) {
		struct dp_cli_set *s = nset < RTE_DIM(set) ? &set[nset] : NULL;

		if (s == NULL && opt != 'c' && opt != 'h' && opt != DP_OPT_VERSION &&
		    opt != DP_OPT_NO_STORE && opt != DP_OPT_CHECK_CONFIG) {
			fprintf(stderr, "jitsim-dp: too many options\n");
			return DP_EXIT_USAGE;
		}
		switch (opt) {
		case 'c':
			config = optarg;
			break;
		case 'h':
			fputs(dp_usage, stdout);
			return -1;
		case DP_OPT_VERSION:
			printf("jitsim-dp %s (%s)\n", JITSIM_VERSION, rte_version());
			return -1;
		case DP_OPT_NO_STORE:
			c->no_store = true;
			break;
		case DP_OPT_CHECK_CONFIG:
			check_only = true;
			break;
		case DP_OPT_INSTANCE:
			*s = (struct dp_cli_set){"instance", "name", optarg, "--instance"};
			nset++;
			break;
		case DP_OPT_STORE:
			*s = (struct dp_cli_set){"instance", "store", optarg, "--store"};
			nset++;
			break;
		case DP_OPT_STATS_INTERVAL:
			*s = (struct dp_cli_set){"instance", "stats_interval", optarg,
						 "--stats-interval"};
			nset++;
			break;
		case DP_OPT_LEASE:
			*s = (struct dp_cli_set){"detect", "lease", optarg, "--lease"};
			nset++;
			break;
		case DP_OPT_EPOCH:
			*s = (struct dp_cli_set){"detect", "epoch", optarg, "--epoch"};
			nset++;
			break;
		case DP_OPT_HOME_IMSI:
			*s = (struct dp_cli_set){"detect", "home_imsi", optarg, "--home-imsi"};
			nset++;
			break;
		default:
			fprintf(stderr, "jitsim-dp: see jitsim-dp --help\n");
			return DP_EXIT_USAGE;
		}
	}
	/* getopt stopped at "--" (consumed) or at the first non-option. */
	if (optind > 0 && optind <= argc && strcmp(argv[optind - 1], "--") != 0 && optind < argc) {
		fprintf(stderr,
			"jitsim-dp: unexpected argument '%s' (EAL arguments go after \"--\")\n",
			argv[optind]);
		return DP_EXIT_USAGE;
	}
	c->cli_eal_argc = argc - optind;
	c->cli_eal_argv = argv + optind;

	if (config != NULL && jitsim_dp_config_load(c, config, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-dp: %s\n", err);
		return DP_EXIT_FAIL;
	}
	for (unsigned int i = 0; i < nset; i++)
		if (jitsim_dp_config_set(c, set[i].section, set[i].key, set[i].value, set[i].opt,
					 err, sizeof(err)) != 0) {
			fprintf(stderr, "jitsim-dp: %s\n", err);
			return DP_EXIT_FAIL;
		}
	if (jitsim_dp_config_check(c, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-dp: %s\n", err);
		return DP_EXIT_FAIL;
	}
	if (check_only) {
		jitsim_dp_config_dump(c, stdout);
		return -1;
	}
	return 0;
}

static bool
dp_eal_has(const char *const *argv, int argc, const char *const *names)
{
	for (int i = 0; i < argc; i++)
		for (const char *const *n = names; *n != NULL; n++) {
			size_t l = strlen(*n);

			if (strncmp(argv[i], *n, l) == 0 &&
			    (argv[i][l] == '\0' || argv[i][l] == '='))
				return true;
		}
	return false;
}

/*
 * EAL argv: [eal] args, then -l from [eal] lcores, then the default
 * file prefix, then the command line's. Returns argc, -1 on ENOMEM.
 * The strings point into @buf (a copy of [eal] args) and the CLI argv.
 */
static int
dp_eal_argv(const struct jitsim_dp_config *c, char **buf, char ***out, char *prefix_opt,
	    size_t prefix_len)
{
	static const char *const lcore_opts[] = {"-l", "-c", "--lcores", NULL};
	static const char *const prefix_opts[] = {"--file-prefix", NULL};
	size_t cap = 6 + (size_t)c->cli_eal_argc + (c->eal_args ? strlen(c->eal_args) / 2 + 1 : 0);
	char **v = calloc(cap, sizeof(*v));
	int n = 0;

	*buf = NULL;
	if (v == NULL)
		return -1;
	v[n++] = (char *)(uintptr_t) "jitsim-dp";
	if (c->eal_args != NULL) {
		char *save = NULL, *tok;

		*buf = strdup(c->eal_args);
		if (*buf == NULL) {
			free(v);
			return -1;
		}
		for (tok = strtok_r(*buf, " \t\r\n", &save); tok != NULL;
		     tok = strtok_r(NULL, " \t\r\n", &save))
			v[n++] = tok;
	}
	/* -l as two separate words and "-l0-2" are both valid EAL syntax. */
	if (c->eal_lcores != NULL && !dp_eal_has((const char *const *)v, n, lcore_opts) &&
	    !dp_eal_has((const char *const *)c->cli_eal_argv, c->cli_eal_argc, lcore_opts)) {
		/* A map to CPUs ("0@0,1@1,2@1") is --lcores syntax, not -l's. */
		v[n++] = (char *)(uintptr_t)(strpbrk(c->eal_lcores, "@(") ? "--lcores" : "-l");
		v[n++] = c->eal_lcores;
	}
	if (!dp_eal_has((const char *const *)v, n, prefix_opts) &&
	    !dp_eal_has((const char *const *)c->cli_eal_argv, c->cli_eal_argc, prefix_opts)) {
		snprintf(prefix_opt, prefix_len, "--file-prefix=jitsim-%s", c->instance);
		v[n++] = prefix_opt;
	}
	for (int i = 0; i < c->cli_eal_argc; i++)
		v[n++] = c->cli_eal_argv[i];
	*out = v;
	return n;
}

static void
dp_load_log(void *arg, const char *msg)
{
	unsigned int *n = arg;

	if (++*n <= DP_LOAD_LOG_MAX)
		jitsim_dp_log("load: %s", msg);
	else if (*n == DP_LOAD_LOG_MAX + 1)
		jitsim_dp_log("load: more damaged entries: counted, not logged");
}

static int
dp_tables(struct jitsim_dp *dp)
{
	struct jitsim_load_stats ls;
	unsigned int logged = 0;
	char err[512];
	int rc;

	if (dp->cfg.no_store) {
		dp->imsi = jitsim_table_imsi_create(0);
		dp->msisdn = jitsim_table_msisdn_create(0);
		if (dp->imsi == NULL || dp->msisdn == NULL) {
			jitsim_dp_log("cannot create the tables: %s", strerror(errno));
			return -ENOMEM;
		}
		jitsim_dp_log("no store: empty tables");
		return 0;
	}
	/* The loader's inserts run on this thread: it is the tables' only
	 * updater until the updater thread starts, after the load. */
	urcu_qsbr_register_thread();
	memset(&ls, 0, sizeof(ls));
	rc = jitsim_load_tables(dp->cfg.store ? dp->cfg.store : JITSIM_DP_DEF_STORE, &dp->imsi,
				&dp->msisdn, &ls, dp_load_log, &logged, err, sizeof(err));
	urcu_qsbr_unregister_thread();
	if (rc != 0) {
		jitsim_dp_log("[instance] store: %s", err);
		return rc;
	}
	dp->sims_loaded = ls.sims;
	jitsim_dp_log("loaded %" PRIu64 " SIMs, %" PRIu64 " MSISDNs in %.2f s (%" PRIu64
		      " damaged, %" PRIu64 " retired skipped, %" PRIu64 " MSISDN conflicts)",
		      ls.sims, ls.msisdns, ls.seconds, ls.damaged, ls.retired, ls.msisdn_conflicts);
	return 0;
}

/* Allocate a worker on the next lcore; its port is set by the caller. */
static struct jitsim_dp_worker *
dp_worker_new(struct jitsim_dp *dp, unsigned int *lcore)
{
	const unsigned int n = dp->n_workers;
	struct jitsim_dp_worker *w;
	unsigned int sock;

	/* Wrap: the main lcore need not be the lowest id (--main-lcore);
	 * dp_start checked there are enough. */
	*lcore = rte_get_next_lcore(*lcore, 1, 1);
	sock = rte_lcore_to_socket_id(*lcore);
	w = rte_zmalloc_socket("jitsim_worker", sizeof(*w), 64, (int)sock);
	if (w == NULL) {
		jitsim_dp_log("worker %u: out of memory (%zu bytes on socket %u)", n, sizeof(*w),
			      sock);
		return NULL;
	}
	w->index = n;
	w->lcore = *lcore;
	w->burst = dp->cfg.burst;
	w->shm = &dp->shm;
	w->quit = &dp->quit;
	if (dp->sigio_on) {
		w->sig_rx = dp->sigio.rx[n];
		w->sig_tx = dp->sigio.tx[n];
		w->fta_cfg = &dp->fta_cfg;
	}
	if (dp->diamio_on) {
		w->diam_rx = dp->diamio.rx[n];
		w->diam_tx = dp->diamio.tx[n];
		w->fta_diam_cfg = &dp->fta_diam_cfg;
	}
	return w;
}

/*
 * Assign (port, queue) pairs to worker lcores and allocate the workers;
 * without ports (SS7 only) @n_ss7 workers serve the SS7 rings alone.
 */
static int
dp_workers_create(struct jitsim_dp *dp, unsigned int n_ss7)
{
	unsigned int lcore = rte_get_main_lcore();
	struct jitsim_dp_worker *w;

	for (unsigned int p = 0; p < dp->ports.n; p++) {
		const struct jitsim_dp_port *pt = &dp->ports.port[p];

		for (uint16_t q = 0; q < pt->n_rxq; q++) {
			w = dp_worker_new(dp, &lcore);
			if (w == NULL)
				return -ENOMEM;
			if ((int)rte_lcore_to_socket_id(lcore) != pt->socket)
				jitsim_dp_log("worker %u: lcore %u on socket %u reads port %u on "
					      "socket %d: every frame crosses the interconnect",
					      w->index, lcore, rte_lcore_to_socket_id(lcore),
					      pt->port_id, pt->socket);
			w->has_port = true;
			w->port = pt->port_id;
			w->queue = q;
			w->dlt = pt->dlt;
			jitsim_dp_worker_init(w, &dp->detect_cfg, dp->imsi, dp->msisdn);
			dp->workers[dp->n_workers++] = w;
		}
	}
	for (unsigned int i = 0; dp->ports.n == 0 && i < n_ss7; i++) {
		w = dp_worker_new(dp, &lcore);
		if (w == NULL)
			return -ENOMEM;
		w->has_port = false;
		w->port = UINT16_MAX;
		w->queue = UINT16_MAX;
		jitsim_dp_worker_init(w, &dp->detect_cfg, dp->imsi, dp->msisdn);
		dp->workers[dp->n_workers++] = w;
	}
	return 0;
}

/* The SS7 line of the summary: associations, sigio, verdicts. */
static void
dp_summary_ss7(const struct jitsim_dp *dp, const char *what)
{
	const struct jitsim_dp_sigio_stats *st = &dp->sigio.st;
	struct jitsim_dp_ss7_totals t;
	uint64_t sig_drops = 0;

	jitsim_dp_ss7_totals(dp, &t);
	for (unsigned int d = 0; d < JITSIM_DP_SIGIO_DROP_MAX; d++)
		sig_drops += jitsim_dp_cnt_read(&st->drops[d]);
	jitsim_dp_log("ss7 %s: assoc_up=%" PRIu64 "/%u rx=%" PRIu64 " relayed_hlr=%" PRIu64
		      " relayed_back=%" PRIu64 " answered_locked=%" PRIu64 " to_cp=%" PRIu64
		      " from_cp=%" PRIu64 " sent=%" PRIu64 " fta_drops=%" PRIu64
		      " ring_drops=%" PRIu64 " sigio_drops=%" PRIu64,
		      what, jitsim_dp_cnt_read(&st->assoc_up), dp->sigio.n_links,
		      jitsim_dp_cnt_read(&st->rx_data), t.fta.verdict[JITSIM_FTA_RELAY_HLR],
		      t.fta.verdict[JITSIM_FTA_RELAY_BACK], t.fta.verdict[JITSIM_FTA_ANSWER_LOCKED],
		      t.w.to_cp, jitsim_dp_cnt_read(&st->tx_cp), jitsim_dp_cnt_read(&st->tx_sent),
		      t.fta.verdict[JITSIM_FTA_DROP], t.w.tx_full + t.w.to_cp_full, sig_drops);
}

/* The Diameter line of the summary: peers, diamio, verdicts. */
static void
dp_summary_diam(const struct jitsim_dp *dp, const char *what)
{
	const struct jitsim_dp_diamio_stats *st = &dp->diamio.st;
	struct jitsim_dp_diam_totals t;
	uint64_t drops = 0;

	jitsim_dp_diam_totals(dp, &t);
	for (unsigned int d = 0; d < JITSIM_DP_DIAMIO_DROP_MAX; d++)
		drops += jitsim_dp_cnt_read(&st->drops[d]);
	jitsim_dp_log("diameter %s: peers_open=%" PRIu64 "/%u requests=%" PRIu64 " proxied=%" PRIu64
		      " answered=%" PRIu64 " to_cp=%" PRIu64 " from_cp=%" PRIu64
		      " hss_answers=%" PRIu64 " verdict_drops=%" PRIu64 " ring_drops=%" PRIu64
		      " busy=%" PRIu64 " no_route=%" PRIu64 " diamio_drops=%" PRIu64,
		      what, jitsim_dp_cnt_read(&st->peers_open), dp->diamio.n_peers,
		      jitsim_dp_cnt_read(&st->rx_requests), jitsim_dp_cnt_read(&st->tx_proxied),
		      t.fta.verdict[JITSIM_FTA_DIAM_ANSWER], t.w.to_cp,
		      jitsim_dp_cnt_read(&st->tx_cp_sent), jitsim_dp_cnt_read(&st->hss_answers),
		      t.fta.verdict[JITSIM_FTA_DIAM_DROP], t.w.tx_full + t.w.to_cp_full,
		      jitsim_dp_cnt_read(&st->ans_busy), jitsim_dp_cnt_read(&st->ans_no_route),
		      drops);
}

static void
dp_summary(const struct jitsim_dp *dp, const char *what, struct jitsim_dp_totals *prev,
	   uint64_t *prev_tsc)
{
	struct jitsim_dp_totals t;
	uint64_t now = rte_rdtsc();
	double dt = (double)(now - *prev_tsc) / (double)dp->tsc_hz;
	uint64_t msgs, pmsgs;

	jitsim_dp_totals(dp, &t, NULL);
	msgs = t.msgs_map + t.msgs_diameter;
	pmsgs = prev->msgs_map + prev->msgs_diameter;
	if (dt <= 0)
		dt = 1;
	jitsim_dp_log("%s: frames=%" PRIu64 " frames_per_s=%.0f msgs=%" PRIu64
		      " msgs_per_s=%.0f first_attach=%" PRIu64 " reattach=%" PRIu64
		      " activity=%" PRIu64 " blocked_attempt=%" PRIu64 " unknown_imsi=%" PRIu64
		      " wakeup_mt=%" PRIu64 " events=%" PRIu64 " ring_drops=%" PRIu64
		      " decode_errors=%" PRIu64 " updates=%" PRIu64 " updates_failed=%" PRIu64,
		      what, t.w.frames, (double)(t.w.frames - prev->w.frames) / dt, msgs,
		      (double)(msgs - pmsgs) / dt, t.events[JITSIM_EV_FIRST_ATTACH],
		      t.events[JITSIM_EV_REATTACH], t.events[JITSIM_EV_ACTIVITY],
		      t.events[JITSIM_EV_BLOCKED_ATTEMPT], t.events[JITSIM_EV_UNKNOWN_IMSI],
		      t.events[JITSIM_EV_WAKEUP_MT], t.events_total, t.drops_total, t.decode_errors,
		      t.updates_applied, t.updates_failed + t.updates_bad);
	*prev = t;
	*prev_tsc = now;
	if (dp->sigio_on)
		dp_summary_ss7(dp, what);
	if (dp->diamio_on)
		dp_summary_diam(dp, what);
}

static void
dp_main_loop(struct jitsim_dp *dp)
{
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = DP_HEARTBEAT_MS * 1000000L};
	const uint64_t every = (uint64_t)dp->cfg.stats_interval * dp->tsc_hz;
	uint64_t last = rte_rdtsc();
	struct jitsim_dp_totals prev;

	memset(&prev, 0, sizeof(prev));
	while (dp_signal == 0) {
		nanosleep(&tick, NULL);
		jitsim_shm_heartbeat(&dp->shm);
		if (every != 0 && rte_rdtsc() - last >= every)
			dp_summary(dp, "stats", &prev, &last);
	}
}

_Static_assert(JITSIM_DP_HOME_MAX <= JITSIM_DETECT_HOME_MAX, "home prefixes fit detect's");
_Static_assert(JITSIM_DP_WORKER_MAX <= JITSIM_SHM_MAX_RINGS, "one event ring per worker");

static int
dp_detect_cfg(struct jitsim_dp *dp)
{
	struct jitsim_detect_cfg *d = &dp->detect_cfg;

	jitsim_detect_cfg_default(d);
	d->lease_s = dp->cfg.lease_s;
	d->epoch_s = dp->cfg.epoch_s;
	d->unknown_per_s = dp->cfg.unknown_rate;
	/* config.c checked the prefixes with the same rules; detect has the
	 * last word all the same. */
	for (unsigned int i = 0; i < dp->cfg.n_home; i++)
		if (jitsim_detect_cfg_add_home(d, dp->cfg.home[i]) != 0) {
			fprintf(stderr, "jitsim-dp: [detect] home_imsi: prefix '%s' refused\n",
				dp->cfg.home[i]);
			return -1;
		}
	return 0;
}

/* [ss7] -> the workers' verdict configuration (dataplane/fta), checked
 * by its own rules before the EAL starts. */
static int
dp_fta_cfg(struct jitsim_dp *dp)
{
	const struct jitsim_dp_ss7_config *s = &dp->cfg.ss7;
	struct jitsim_fta_cfg *f = &dp->fta_cfg;
	char err[256];

	jitsim_fta_cfg_default(f);
	if (!s->enabled)
		return 0;
	f->own_pc = (uint16_t)s->own_pc;
	f->own_ssn = s->own_ssn;
	f->ni = s->ni;
	f->locked_error = s->locked_error;
	f->unknown = s->unknown_relay ? JITSIM_FTA_UNKNOWN_RELAY : JITSIM_FTA_UNKNOWN_DROP;
	f->has_default_route = s->has_default_route;
	f->default_route = (uint16_t)s->default_route;
	if (s->own_gt[0] != '\0' && jitsim_fta_cfg_set_own_gt(f, s->own_gt) != 0) {
		fprintf(stderr, "jitsim-dp: [ss7] own_gt = %s: refused\n", s->own_gt);
		return -1;
	}
	if (s->default_hlr.set && jitsim_fta_hlr_set(&f->default_hlr, (uint16_t)s->default_hlr.pc,
						     s->default_hlr.ssn, s->default_hlr.gt) != 0) {
		fprintf(stderr, "jitsim-dp: [ss7] default_hlr: refused\n");
		return -1;
	}
	for (unsigned int r = 0; r < JITSIM_DP_SS7_REGION_MAX; r++) {
		const struct jitsim_dp_ss7_hlr *h = &s->hlr[r];

		if (h->set &&
		    jitsim_fta_cfg_set_region(f, r, (uint16_t)h->pc, h->ssn, h->gt) != 0) {
			fprintf(stderr, "jitsim-dp: [ss7] hlr %u: refused\n", r);
			return -1;
		}
	}
	if (jitsim_fta_cfg_check(f, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-dp: [ss7]: %s\n", err);
		return -1;
	}
	return 0;
}

_Static_assert(JITSIM_DP_SS7_REGION_MAX <= JITSIM_FTA_REGIONS, "[ss7] regions fit fta's");
_Static_assert(JITSIM_DP_DIAM_REGION_MAX <= JITSIM_FTA_REGIONS, "[diameter] regions fit");
_Static_assert(JITSIM_DP_DIAM_HOST_MAX <= JITSIM_FTA_DIAM_HOST_MAX, "[diameter] hosts fit");

/* [diameter] -> the workers' S6a verdict configuration (fta_diam.h). The
 * Origin-State-Id is the start time: it changes with every restart, as
 * RFC 6733 8.16 wants, and peers learn that our state was lost. */
static int
dp_fta_diam_cfg(struct jitsim_dp *dp)
{
	const struct jitsim_dp_diam_config *c = &dp->cfg.diam;
	struct jitsim_fta_diam_cfg *f = &dp->fta_diam_cfg;
	char err[256];

	jitsim_fta_diam_cfg_init(f);
	if (!c->enabled)
		return 0;
	/* config.c kept them within JITSIM_DP_DIAM_HOST_MAX (asserted above). */
	memcpy(f->origin_host, c->origin_host, sizeof(c->origin_host));
	memcpy(f->origin_realm, c->origin_realm, sizeof(c->origin_realm));
	f->origin_state_id = (uint32_t)time(NULL);
	f->locked_result = c->locked_result;
	f->unknown =
		c->unknown_proxy ? JITSIM_FTA_DIAM_UNKNOWN_PROXY : JITSIM_FTA_DIAM_UNKNOWN_REJECT;
	f->redirect = c->redirect;
	f->default_hss = c->default_hss;
	for (unsigned int i = 0; i < c->n_peers; i++) {
		const struct jitsim_dp_diam_peer *p = &c->peer[i];

		if (p->kind != JITSIM_DP_DIAM_HSS)
			continue;
		f->has_hss[p->region] = true;
		memcpy(f->hss_host[p->region], p->host, sizeof(p->host));
		f->hss_port[p->region] = p->addr.port;
		f->hss_sctp[p->region] = p->transport == JITSIM_DP_DIAM_SCTP;
	}
	if (jitsim_fta_diam_cfg_check(f, err, sizeof(err)) != 0) {
		fprintf(stderr, "jitsim-dp: [diameter]: %s\n", err);
		return -1;
	}
	return 0;
}

/*
 * The ABI wants the heartbeat refreshed at least every 100 ms from the
 * attach on; loading millions of SIMs takes seconds. A helper thread keeps
 * it during start-up, until the main loop takes over.
 */
struct dp_hb {
	struct jitsim_shm *shm;
	pthread_t thread;
	bool stop; /* atomic */
	bool running;
};

static void *
dp_hb_thread(void *arg)
{
	struct dp_hb *hb = arg;
	const struct timespec tick = {.tv_sec = 0, .tv_nsec = DP_HEARTBEAT_MS * 1000000L};

	while (!__atomic_load_n(&hb->stop, __ATOMIC_RELAXED)) {
		jitsim_shm_heartbeat(hb->shm);
		nanosleep(&tick, NULL);
	}
	return NULL;
}

static void
dp_hb_start(struct dp_hb *hb, struct jitsim_shm *shm)
{
	hb->shm = shm;
	hb->stop = false;
	hb->running = pthread_create(&hb->thread, NULL, dp_hb_thread, hb) == 0;
}

static void
dp_hb_stop(struct dp_hb *hb)
{
	if (!hb->running)
		return;
	__atomic_store_n(&hb->stop, true, __ATOMIC_RELAXED);
	pthread_join(hb->thread, NULL);
	hb->running = false;
}

/* Workers when no port is in use: [ss7] workers, [diameter] workers, the
 * larger when both sections are there. */
static unsigned int
dp_sig_workers(const struct jitsim_dp *dp)
{
	unsigned int n = dp->cfg.ss7.enabled ? dp->cfg.ss7.workers : 0;

	if (dp->cfg.diam.enabled && dp->cfg.diam.workers > n)
		n = dp->cfg.diam.workers;
	return n;
}

/*
 * [ss7] and [diameter] both: shm sig_down is single-consumer and diamio
 * consumes it; the SS7 records reach sigio through an in-process ring that
 * sigio sees as the sig_down of its own copy of the segment handle (sigio
 * uses the handle for sig_down only).
 */
static int
dp_ss7_down(struct jitsim_dp *dp)
{
	dp->ss7_down = rte_ring_create_elem("jitsim_ss7_down", sizeof(struct jitsim_sig_msg),
					    dp->cfg.ss7.ring_slots, (int)rte_socket_id(),
					    RING_F_SP_ENQ | RING_F_SC_DEQ);
	if (dp->ss7_down == NULL) {
		jitsim_dp_log("[ss7] ring_slots = %u: cannot create the ring of jitsim-cp's SS7 "
			      "messages: %s",
			      dp->cfg.ss7.ring_slots, rte_strerror(rte_errno));
		return -ENOMEM;
	}
	dp->sigio_shm = dp->shm;
	dp->sigio_shm.sig_down = dp->ss7_down;
	dp->sigio.shm = &dp->sigio_shm;
	dp->diamio.ss7_down = dp->ss7_down;
	return 0;
}

static int
dp_start_steps(struct jitsim_dp *dp)
{
	char err[512];
	unsigned int need, have;
	int rc;

	if ((dp->cfg.ss7.enabled || dp->cfg.diam.enabled) && dp->cfg.ports_all &&
	    rte_eth_dev_count_avail() == 0) {
		/* Signaling only: no NIC is required when the traffic comes
		 * over the [ss7] associations or the [diameter] peers. */
		memset(&dp->ports, 0, sizeof(dp->ports));
		jitsim_dp_log("no ports: %s only, %u worker(s) (%s workers)",
			      dp->cfg.ss7.enabled ? "SS7 associations" : "Diameter peers",
			      dp_sig_workers(dp), dp->cfg.ss7.enabled ? "[ss7]" : "[diameter]");
	} else {
		rc = jitsim_dp_ports_resolve(&dp->ports, &dp->cfg, err, sizeof(err));
		if (rc != 0) {
			jitsim_dp_log("%s", err);
			return rc;
		}
	}
	need = jitsim_dp_ports_queues(&dp->ports);
	if (need == 0)
		need = dp_sig_workers(dp);
	if (need > dp->shm.hdr->n_event_rings || need > JITSIM_DP_WORKER_MAX) {
		jitsim_dp_log("%u workers (ports x RX queues) but the shm segment has %u event "
			      "rings (one per worker): fewer queues, or a segment made with "
			      "more rings ([shm] rings, or jitsim-cp's)",
			      need, dp->shm.hdr->n_event_rings);
		return -ENOSPC;
	}
	have = rte_lcore_count() - 1;
	if (need > have) {
		jitsim_dp_log("%u worker(s) (ports x RX queues) need %u worker lcore(s) plus the "
			      "main one, the EAL has %u worker lcore(s): give -l 0-%u ([eal] "
			      "lcores), or on a small test machine --lcores with several lcores "
			      "per CPU (e.g. --lcores 0@0,1@1,2@1)",
			      need, need, have, need);
		return -ENOSPC;
	}

	rc = dp_tables(dp);
	if (rc != 0)
		return rc;
	rc = jitsim_dp_ports_setup(&dp->ports, &dp->cfg, err, sizeof(err));
	if (rc != 0) {
		jitsim_dp_log("%s", err);
		return rc;
	}
	if (dp->cfg.ss7.enabled) {
		rc = jitsim_dp_sigio_init(&dp->sigio, &dp->cfg.ss7, &dp->shm, need,
					  (int)rte_socket_id(), err, sizeof(err));
		if (rc != 0) {
			jitsim_dp_log("%s", err);
			return rc;
		}
		dp->sigio_on = true;
	}
	if (dp->cfg.diam.enabled) {
		rc = jitsim_dp_diamio_init(&dp->diamio, &dp->cfg.diam, &dp->shm, need,
					   (int)rte_socket_id(), dp->fta_diam_cfg.origin_state_id,
					   err, sizeof(err));
		if (rc != 0) {
			jitsim_dp_log("%s", err);
			return rc;
		}
		dp->diamio_on = true;
		if (dp->sigio_on) {
			rc = dp_ss7_down(dp);
			if (rc != 0)
				return rc;
		}
	}
	rc = dp_workers_create(dp, need);
	if (rc != 0)
		return rc;
	rc = jitsim_dp_updater_start(&dp->updater, &dp->shm, dp->imsi, dp->msisdn);
	if (rc != 0) {
		jitsim_dp_log("updater thread: %s", strerror(-rc));
		return rc;
	}
	rc = jitsim_dp_ports_start(&dp->ports, &dp->cfg, err, sizeof(err));
	if (rc == 0)
		rc = jitsim_dp_ports_check_pools(&dp->ports, &dp->cfg, err, sizeof(err));
	if (rc != 0) {
		jitsim_dp_log("%s", err);
		return rc;
	}
	rc = jitsim_dp_telemetry_attach(dp);
	if (rc != 0)
		jitsim_dp_log("telemetry commands not registered: %s", strerror(-rc));

	for (unsigned int i = 0; i < dp->n_workers; i++) {
		struct jitsim_dp_worker *w = dp->workers[i];
		const struct jitsim_dp_port *pt = NULL;

		for (unsigned int p = 0; p < dp->ports.n; p++)
			if (dp->ports.port[p].port_id == w->port)
				pt = &dp->ports.port[p];
		rc = rte_eal_remote_launch(jitsim_dp_worker_main, w, w->lcore);
		if (rc != 0) {
			jitsim_dp_log("worker %u: cannot launch on lcore %u: %s", i, w->lcore,
				      strerror(-rc));
			return rc;
		}
		dp->n_launched++;
		if (w->has_port)
			jitsim_dp_log("worker %u: lcore %u, port %u (%s) queue %u, link %s%s%s%s",
				      i, w->lcore, w->port, pt ? pt->name : "?", w->queue,
				      jitsim_dp_config_dlt_name(w->dlt),
				      pt && pt->rss ? ", rss" : "", w->sig_rx ? ", ss7" : "",
				      w->diam_rx ? ", diameter" : "");
		else
			jitsim_dp_log("worker %u: lcore %u, %s only", i, w->lcore,
				      w->sig_rx && w->diam_rx ? "ss7 and diameter"
				      : w->sig_rx	      ? "ss7"
							      : "diameter");
	}
	if (dp->sigio_on) {
		rc = jitsim_dp_sigio_start(&dp->sigio);
		if (rc != 0) {
			jitsim_dp_log("ss7 I/O thread: %s", strerror(-rc));
			return rc;
		}
		jitsim_dp_log("ss7: own pc %u, %u association(s), %u region HLR(s), %u ring "
			      "slots per worker",
			      dp->cfg.ss7.own_pc, dp->cfg.ss7.n_links, dp->cfg.ss7.n_hlr,
			      dp->cfg.ss7.ring_slots);
	}
	if (dp->diamio_on) {
		rc = jitsim_dp_diamio_start(&dp->diamio);
		if (rc != 0) {
			jitsim_dp_log("diameter I/O thread: %s", strerror(-rc));
			return rc;
		}
		jitsim_dp_log("diameter: origin-host %s, %u client peer(s), %u region HSS(s), "
			      "%u ring slots per worker",
			      dp->cfg.diam.origin_host, dp->cfg.diam.n_clients, dp->cfg.diam.n_hss,
			      dp->cfg.diam.ring_slots);
	}
	__atomic_store_n(&dp->shm.hdr->dp_n_workers, dp->n_workers, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->shm.hdr->dp_ready, 1, __ATOMIC_RELEASE);
	jitsim_dp_log("ready: %u workers, %" PRIu64 " SIMs loaded", dp->n_workers, dp->sims_loaded);
	return 0;
}

static int
dp_start(struct jitsim_dp *dp)
{
	struct jitsim_shm_geometry g = {
		.n_event_rings = dp->cfg.shm_rings,
		.event_ring_count = dp->cfg.shm_event_slots,
		.update_ring_count = dp->cfg.shm_update_slots,
	};
	struct dp_hb hb;
	char err[512];
	int rc;

	rc = jitsim_shm_open(&dp->shm, dp->cfg.instance, JITSIM_SHM_ROLE_DP, &g, DP_SHM_WAIT_MS,
			     err, sizeof(err));
	if (rc != 0) {
		jitsim_dp_log("shm /jitsim.%s: %s", dp->cfg.instance, err);
		return rc;
	}
	dp->shm_open = true;
	jitsim_dp_log("shm %s: %s, %u event rings, generation %" PRIu64, dp->shm.name,
		      dp->shm.created ? "created" : "attached", dp->shm.hdr->n_event_rings,
		      dp->shm.hdr->dp_generation);
	dp_hb_start(&hb, &dp->shm);
	rc = dp_start_steps(dp);
	dp_hb_stop(&hb);
	return rc;
}

static void
dp_stop(struct jitsim_dp *dp)
{
	struct jitsim_dp_totals prev;
	uint64_t last = dp->start_tsc;

	/* Not ready any more as soon as we stop: jitsim-cp must not count on
	 * events or update acknowledgements from here on. */
	if (dp->shm_open)
		__atomic_store_n(&dp->shm.hdr->dp_ready, 0, __ATOMIC_RELEASE);
	/* The associations first (ASPIA, ASPDN: the STP reroutes), while the
	 * workers still drain their rings; the rings go once they stopped. */
	jitsim_dp_sigio_stop(&dp->sigio);
	/* DPR on every open Diameter peer (RFC 6733 5.4: the DRA moves
	 * traffic elsewhere at once), DPAs awaited up to 2 s. */
	jitsim_dp_diamio_stop(&dp->diamio);
	__atomic_store_n(&dp->quit, true, __ATOMIC_RELAXED);
	rte_eal_mp_wait_lcore();
	jitsim_dp_updater_stop(&dp->updater);
	if (dp->n_launched > 0) {
		memset(&prev, 0, sizeof(prev));
		dp_summary(dp, "final", &prev, &last);
	}
	jitsim_dp_telemetry_detach();
	if (dp->shm_open) {
		jitsim_shm_close(&dp->shm);
		dp->shm_open = false;
	}
	jitsim_dp_ports_close(&dp->ports);
	if (dp->sigio_on) {
		jitsim_dp_sigio_free(&dp->sigio);
		dp->sigio_on = false;
	}
	if (dp->diamio_on) {
		jitsim_dp_diamio_free(&dp->diamio);
		dp->diamio_on = false;
	}
	rte_ring_free(dp->ss7_down);
	dp->ss7_down = NULL;
	for (unsigned int i = 0; i < dp->n_workers; i++)
		rte_free(dp->workers[i]);
	dp->n_workers = 0;
	jitsim_table_imsi_free(dp->imsi);
	jitsim_table_msisdn_free(dp->msisdn);
	dp->imsi = NULL;
	dp->msisdn = NULL;
}

int
main(int argc, char **argv)
{
	static struct jitsim_dp dp;
	char prefix_opt[64];
	char *eal_buf = NULL;
	char **eal_argv = NULL;
	int eal_argc, rc, status = DP_EXIT_OK;

	jitsim_dp_config_default(&dp.cfg);
	rc = dp_parse_args(&dp.cfg, argc, argv);
	if (rc != 0) {
		jitsim_dp_config_free(&dp.cfg);
		return rc < 0 ? DP_EXIT_OK : rc;
	}
	if (dp_detect_cfg(&dp) != 0 || dp_fta_cfg(&dp) != 0 || dp_fta_diam_cfg(&dp) != 0) {
		jitsim_dp_config_free(&dp.cfg);
		return DP_EXIT_FAIL;
	}
	eal_argc = dp_eal_argv(&dp.cfg, &eal_buf, &eal_argv, prefix_opt, sizeof(prefix_opt));
	if (eal_argc < 0) {
		fprintf(stderr, "jitsim-dp: out of memory\n");
		jitsim_dp_config_free(&dp.cfg);
		return DP_EXIT_FAIL;
	}
	dp_signals();

	/* rte_eal_init permutes argv; the array is ours. */
	rc = rte_eal_init(eal_argc, eal_argv);
	if (rc < 0) {
		jitsim_dp_log("EAL initialisation failed: %s (EAL arguments: [eal] args and "
			      "after \"--\")",
			      rte_strerror(rte_errno));
		free(eal_argv);
		free(eal_buf);
		jitsim_dp_config_free(&dp.cfg);
		return DP_EXIT_FAIL;
	}
	dp.tsc_hz = rte_get_tsc_hz();
	if (dp.tsc_hz == 0)
		dp.tsc_hz = 1;
	dp.start_tsc = rte_rdtsc();

	if (dp_start(&dp) != 0)
		status = DP_EXIT_FAIL;
	else if (dp_signal == 0)
		dp_main_loop(&dp);
	if (status == DP_EXIT_OK)
		jitsim_dp_log("%s: stopping", dp_signal == SIGINT ? "SIGINT" : "SIGTERM");
	dp_stop(&dp);
	rte_eal_cleanup();
	free(eal_argv);
	free(eal_buf);
	jitsim_dp_config_free(&dp.cfg);
	if (status == DP_EXIT_OK)
		jitsim_dp_log("stopped");
	return status;
}
