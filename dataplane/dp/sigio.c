/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp SS7 I/O thread (sigio.h).
 *
 * Loop: poll(2) on every link's sockets with a short timeout (the worker
 * tx rings and shm sig_down have no file descriptor: while traffic flows
 * the timeout is 0, when idle DP_SIGIO_IDLE_MS bounds how late a worker's
 * or jitsim-cp's message goes out) -> every link polled (DATA -> a
 * worker's rx ring) -> workers' tx rings and sig_down drained to the
 * links -> link states published and their changes logged.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <string.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <jitsim/proto/mtp3.h>

#include "log.h"
#include "sctp_sock.h"
#include "sig_link.h"
#include "sigio.h"
#include "worker.h"

/* Idle poll timeout: the latency bound of a message a worker or jitsim-cp
 * queued while the thread slept, and the wake-ups per second when idle. */
#define DP_SIGIO_IDLE_MS 1
/* Orderly stop: ASPIA + ASPDN, T(ack) each, no more than this in all. */
#define DP_SIGIO_STOP_MS 1500
/* A client that keeps failing to connect is logged again this often. */
#define DP_SIGIO_FAIL_LOG_MS 30000
/* Listener restart backoff (a client's is sig_link's own). */
#define DP_SIGIO_LISTEN_MIN_MS 100
#define DP_SIGIO_LISTEN_MAX_MS 5000

static const char *const dp_sigio_drop_names[] = {
#define DP_SIGIO_DROP_NAME(e, s) s,
	JITSIM_DP_SIGIO_DROPS(DP_SIGIO_DROP_NAME)
#undef DP_SIGIO_DROP_NAME
};

const char *
jitsim_dp_sigio_drop_name(unsigned int d)
{
	return d < JITSIM_DP_SIGIO_DROP_MAX ? dp_sigio_drop_names[d] : "?";
}

static inline void
sigio_cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

static inline void
sigio_drop(struct jitsim_dp_sigio *s, enum jitsim_dp_sigio_drop d)
{
	sigio_cnt_add(&s->st.drops[d], 1);
}

static void
sigio_ep_sockaddr(const struct jitsim_dp_ss7_ep *ep, struct sockaddr_storage *ss, socklen_t *len)
{
	memset(ss, 0, sizeof(*ss));
	if (ep->family == AF_INET6) {
		struct sockaddr_in6 *a = (struct sockaddr_in6 *)ss;

		a->sin6_family = AF_INET6;
		a->sin6_port = htons(ep->port);
		memcpy(&a->sin6_addr, ep->ip, 16);
		*len = sizeof(*a);
	} else {
		struct sockaddr_in *a = (struct sockaddr_in *)ss;

		a->sin_family = AF_INET;
		a->sin_port = htons(ep->port);
		memcpy(&a->sin_addr, ep->ip, 4);
		*len = sizeof(*a);
	}
}

static int
sigio_link_create(struct jitsim_dp_sigio *s, const struct jitsim_dp_ss7_config *cfg,
		  const struct jitsim_dp_ss7_link *l, char *err, size_t errlen)
{
	struct jitsim_dp_sigio_link *sl = &s->links[s->n_links];
	struct jitsim_sig_link_conf c;
	char ep[80];

	memset(&c, 0, sizeof(c));
	c.asp.role = l->role == JITSIM_DP_SS7_SGP ? JITSIM_ASP_ROLE_SGP : JITSIM_ASP_ROLE_ASP;
	c.asp.has_rc = l->has_rc;
	c.asp.rc = l->rc;
	c.asp.traffic_mode = l->mode == JITSIM_DP_SS7_LOADSHARE ? JITSIM_M3UA_TMT_LOADSHARE
								: JITSIM_M3UA_TMT_OVERRIDE;
	/* An SGP answers DAUD with DAVA for what it serves: our own PC. */
	c.asp.known_pc[0] = cfg->own_pc;
	c.asp.n_known_pc = 1;
	c.asp.beat_ms = JITSIM_ASP_DEFAULT_BEAT_MS;
	/* A client binds its source only when one is given: an STP such as
	 * osmo-stp recognises its configured ASPs by source address and port. */
	if (l->role == JITSIM_DP_SS7_SGP || l->local.port != 0 ||
	    memcmp(l->local.ip, (const uint8_t[16]){0}, 16) != 0)
		sigio_ep_sockaddr(&l->local, &c.local, &c.local_len);
	if (l->role == JITSIM_DP_SS7_ASP)
		sigio_ep_sockaddr(&l->remote, &c.remote, &c.remote_len);
	snprintf(c.name, sizeof(c.name), "%s", l->name);
	sl->cfg = l;
	sl->link = jitsim_sig_link_create(&c);
	if (sl->link == NULL) {
		int e = errno;

		jitsim_sctp_addr_str((const struct sockaddr *)&c.local, ep, sizeof(ep));
		snprintf(err, errlen, "[ss7] %s %s (local %s): cannot create the link: %s",
			 l->role == JITSIM_DP_SS7_SGP ? "listen" : "asp", l->name, ep, strerror(e));
		return -e;
	}
	sl->listen_backoff_ms = DP_SIGIO_LISTEN_MIN_MS;
	s->n_links++;
	return 0;
}

int
jitsim_dp_sigio_init(struct jitsim_dp_sigio *s, const struct jitsim_dp_ss7_config *cfg,
		     struct jitsim_shm *shm, unsigned int n_workers, int socket, char *err,
		     size_t errlen)
{
	int rc;

	memset(s, 0, sizeof(*s));
	s->cfg = cfg;
	s->shm = shm;
	if (n_workers == 0 || n_workers > JITSIM_DP_WORKER_MAX) {
		snprintf(err, errlen, "[ss7]: %u workers (expected 1..%u)", n_workers,
			 JITSIM_DP_WORKER_MAX);
		return -EINVAL;
	}
	for (unsigned int w = 0; w < n_workers; w++) {
		char name[RTE_RING_NAMESIZE];

		/* Single producer and consumer each way: sigio on one side, the
		 * worker on the other. ring_slots is a power of two: slots - 1
		 * usable (RING_F_EXACT_SZ would double the memory for one). */
		snprintf(name, sizeof(name), "jitsim_sig_rx%u", w);
		s->rx[w] =
			rte_ring_create_elem(name, sizeof(struct jitsim_sig_msg), cfg->ring_slots,
					     socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "jitsim_sig_tx%u", w);
		if (s->rx[w] != NULL)
			s->tx[w] = rte_ring_create_elem(name, sizeof(struct jitsim_sig_msg),
							cfg->ring_slots, socket,
							RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (s->rx[w] == NULL || s->tx[w] == NULL) {
			snprintf(err, errlen,
				 "[ss7] ring_slots = %u: cannot create the rings of worker %u "
				 "(%u x %zu bytes each): %s",
				 cfg->ring_slots, w, cfg->ring_slots, sizeof(struct jitsim_sig_msg),
				 rte_strerror(rte_errno));
			s->n_workers = w + 1;
			jitsim_dp_sigio_free(s);
			return -ENOMEM;
		}
		s->n_workers = w + 1;
	}
	for (unsigned int i = 0; i < cfg->n_links; i++) {
		rc = sigio_link_create(s, cfg, &cfg->link[i], err, errlen);
		if (rc != 0) {
			jitsim_dp_sigio_free(s);
			return rc;
		}
	}
	return 0;
}

/*
 * The worker of a received message: a hash of (OPC, SLS) (sigio.h). The
 * multiplier spreads consecutive SLS values over the workers.
 */
static inline unsigned int
sigio_worker_of(const struct jitsim_dp_sigio *s, uint32_t opc, uint8_t sls)
{
	uint32_t h = (opc << 8 | sls) * 2654435761u;

	return (unsigned int)(((uint64_t)h * s->n_workers) >> 32);
}

struct sigio_rx_ctx {
	struct jitsim_dp_sigio *s;
	uint16_t assoc;
};

/* jitsim_sig_link_rx_fn: one DATA message from association ctx->assoc. */
static void
sigio_on_data(void *arg, struct jitsim_sig_link *l, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct sigio_rx_ctx *x = arg;
	struct jitsim_dp_sigio *s = x->s;
	struct jitsim_sig_msg *r = &s->batch[0];
	unsigned int w;

	(void)l;
	(void)stream;
	sigio_cnt_add(&s->st.rx_data, 1);
	if (m->si != JITSIM_MTP3_SI_SCCP) {
		sigio_drop(s, JITSIM_DP_SIGIO_DROP_RX_NOT_SCCP);
		return;
	}
	if (m->data_len > JITSIM_SIG_DATA_MAX) {
		sigio_drop(s, JITSIM_DP_SIGIO_DROP_RX_OVERSIZE);
		return;
	}
	/* The header only: the data copy is bounded by len. */
	memset(r, 0, JITSIM_SIG_HDR_SIZE);
	r->kind = JITSIM_SIG_FTA_IN;
	r->sim_state = 0xff;
	r->len = (uint16_t)m->data_len;
	r->opc = m->opc;
	r->dpc = m->dpc;
	r->si = m->si;
	r->ni = m->ni;
	r->mp = m->mp;
	r->sls = m->sls;
	r->assoc = x->assoc;
	r->seq = (uint32_t)s->st.rx_data;
	memcpy(r->data, m->data, m->data_len);
	w = sigio_worker_of(s, m->opc, m->sls);
	if (rte_ring_sp_enqueue_elem(s->rx[w], r, sizeof(*r)) != 0) {
		sigio_drop(s, JITSIM_DP_SIGIO_DROP_RX_RING_FULL);
		return;
	}
	sigio_cnt_add(&s->st.rx_to_worker, 1);
}

/*
 * Send one record. r->assoc names the association when it is a valid
 * index (an answer goes back where the request came from) and that one is
 * ACTIVE; otherwise, or if it refuses, the ACTIVE associations that can
 * reach the DPC share the traffic by SLS.
 */
static void
sigio_send(struct jitsim_dp_sigio *s, const struct jitsim_sig_msg *r)
{
	struct jitsim_sig_link *cand[JITSIM_DP_SS7_LINK_MAX];
	unsigned int n = 0, active = 0;
	int rc;

	if (r->kind != JITSIM_SIG_SEND || r->len == 0 || r->len > JITSIM_SIG_DATA_MAX) {
		sigio_drop(s, JITSIM_DP_SIGIO_DROP_TX_BAD);
		return;
	}
	if (r->assoc < s->n_links &&
	    jitsim_sig_link_state(s->links[r->assoc].link) == JITSIM_ASP_ACTIVE) {
		rc = jitsim_sig_link_send_data(s->links[r->assoc].link, r->opc, r->dpc, r->si,
					       r->ni, r->mp, r->sls, r->data, r->len);
		if (rc == 0) {
			sigio_cnt_add(&s->st.tx_sent, 1);
			return;
		}
	}
	for (unsigned int i = 0; i < s->n_links; i++) {
		struct jitsim_sig_link *l = s->links[i].link;

		if (jitsim_sig_link_state(l) != JITSIM_ASP_ACTIVE)
			continue;
		active++;
		if (jitsim_asp_dpc_available(jitsim_sig_link_asp(l), r->dpc))
			cand[n++] = l;
	}
	if (n == 0) {
		sigio_drop(s, active == 0 ? JITSIM_DP_SIGIO_DROP_TX_NO_ASSOC
					  : JITSIM_DP_SIGIO_DROP_TX_UNAVAILABLE);
		return;
	}
	/* Loadshare by SLS; a refusal (send buffer full, association going
	 * down) tries the next one once around. */
	for (unsigned int k = 0; k < n; k++) {
		rc = jitsim_sig_link_send_data(cand[(r->sls + k) % n], r->opc, r->dpc, r->si, r->ni,
					       r->mp, r->sls, r->data, r->len);
		if (rc == 0) {
			sigio_cnt_add(&s->st.tx_sent, 1);
			return;
		}
	}
	sigio_drop(s, JITSIM_DP_SIGIO_DROP_TX_SEND_FAILED);
}

/* Workers' tx rings and sig_down to the links. Returns records moved. */
static unsigned int
sigio_tx(struct jitsim_dp_sigio *s)
{
	unsigned int moved = 0, n;

	for (unsigned int w = 0; w < s->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst_elem(s->tx[w], s->batch, sizeof(s->batch[0]),
						   JITSIM_DP_SIGIO_BURST, NULL);
		sigio_cnt_add(&s->st.tx_worker, n);
		for (unsigned int i = 0; i < n; i++)
			sigio_send(s, &s->batch[i]);
		moved += n;
	}
	n = jitsim_shm_sig_down_get(s->shm, s->batch, JITSIM_DP_SIGIO_BURST);
	sigio_cnt_add(&s->st.tx_cp, n);
	/* jitsim-cp's records carry SAI results (CK, IK, XRES): nothing of
	 * them stays in this process once sent (their ring slots are
	 * jitsim-cp's to overwrite; see docs/fta.md on the segment's mode). */
	for (unsigned int i = 0; i < n; i++) {
		sigio_send(s, &s->batch[i]);
		explicit_bzero(s->batch[i].data, sizeof(s->batch[i].data));
	}
	return moved + n;
}

static const char *
sigio_tstate_name(uint32_t t)
{
	switch (t) {
	case JITSIM_SIG_LINK_T_IDLE:
		return "idle";
	case JITSIM_SIG_LINK_T_BACKOFF:
		return "waiting to reconnect";
	case JITSIM_SIG_LINK_T_CONNECTING:
		return "connecting";
	case JITSIM_SIG_LINK_T_LISTENING:
		return "listening";
	case JITSIM_SIG_LINK_T_UP:
		return "SCTP up";
	default:
		return "?";
	}
}

static void
sigio_remote_str(const struct jitsim_dp_sigio_link *sl, char *buf, size_t len)
{
	const struct jitsim_dp_ss7_ep *ep =
		sl->cfg->role == JITSIM_DP_SS7_ASP ? &sl->cfg->remote : &sl->cfg->local;
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(ep->family, ep->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, len, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, ep->port);
}

/* Publish a link's state and counters; log what changed. */
static void
sigio_publish(struct jitsim_dp_sigio *s, struct jitsim_dp_sigio_link *sl, uint64_t now_ms)
{
	const struct jitsim_sig_link_stats *ls = jitsim_sig_link_stats(sl->link);
	const uint32_t st = jitsim_sig_link_state(sl->link);
	const uint32_t ts = jitsim_sig_link_tstate(sl->link);
	const uint32_t both = st | ts << 8;
	char peer[80];

	__atomic_store_n(&sl->state, st, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->tstate, ts, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->data_in, ls->data_in, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->data_out, ls->data_out, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->reconnects, ls->reconnects, __ATOMIC_RELAXED);
	__atomic_store_n(&sl->connect_fail, ls->connect_fail, __ATOMIC_RELAXED);
	if (both != sl->logged_state) {
		uint32_t was = sl->logged_state & 0xff;

		sigio_remote_str(sl, peer, sizeof(peer));
		/* BACKOFF <-> CONNECTING flips on every retry: said by the
		 * failure log below, not here. */
		if (st != was || ts == JITSIM_SIG_LINK_T_UP || ts == JITSIM_SIG_LINK_T_LISTENING)
			jitsim_dp_log("ss7 %s %s (%s): %s, %s",
				      sl->cfg->role == JITSIM_DP_SS7_ASP ? "asp" : "listen",
				      sl->cfg->name, peer, jitsim_asp_state_name(st),
				      sigio_tstate_name(ts));
		if (st == JITSIM_ASP_ACTIVE && was != JITSIM_ASP_ACTIVE)
			sigio_cnt_add(&s->st.connects, 1);
		if (st != JITSIM_ASP_ACTIVE && was == JITSIM_ASP_ACTIVE)
			sigio_cnt_add(&s->st.losses, 1);
		sl->logged_state = both;
	}
	if (ls->connect_fail != sl->logged_fail &&
	    (sl->logged_fail == 0 || now_ms - sl->logged_fail_ms >= DP_SIGIO_FAIL_LOG_MS)) {
		sigio_remote_str(sl, peer, sizeof(peer));
		jitsim_dp_log("ss7 asp %s: cannot connect to %s (%" PRIu64
			      " attempts failed so far): retrying with backoff",
			      sl->cfg->name, peer, ls->connect_fail);
		sl->logged_fail = ls->connect_fail;
		sl->logged_fail_ms = now_ms;
	}
}

/* Start a listener; on failure log it (once per distinct error) and
 * schedule a retry with backoff. */
static void
sigio_listen(struct jitsim_dp_sigio_link *sl, uint64_t now_ms)
{
	int rc = jitsim_sig_link_start(sl->link, now_ms);
	char local[80];

	if (rc == 0) {
		sl->listen_retry_ms = 0;
		sl->listen_backoff_ms = DP_SIGIO_LISTEN_MIN_MS;
		sl->listen_errno = 0;
		return;
	}
	if (-rc != sl->listen_errno) {
		sigio_remote_str(sl, local, sizeof(local));
		jitsim_dp_log("ss7 listen %s (%s): %s: retrying with backoff up to %u ms",
			      sl->cfg->name, local, strerror(-rc), DP_SIGIO_LISTEN_MAX_MS);
		sl->listen_errno = -rc;
	}
	sl->listen_retry_ms = now_ms + sl->listen_backoff_ms;
	sl->listen_backoff_ms = sl->listen_backoff_ms * 2 > DP_SIGIO_LISTEN_MAX_MS
					? DP_SIGIO_LISTEN_MAX_MS
					: sl->listen_backoff_ms * 2;
}

/* One round: poll(2), every link, the tx side. Returns the work done. */
static unsigned int
sigio_round(struct jitsim_dp_sigio *s, int timeout_ms, uint64_t *now_ms)
{
	struct pollfd pfd[2 * JITSIM_DP_SS7_LINK_MAX];
	unsigned int npfd = 0, work = 0;
	uint32_t up = 0;

	for (unsigned int i = 0; i < s->n_links; i++) {
		int t = jitsim_sig_link_timeout_ms(s->links[i].link, *now_ms);

		npfd += jitsim_sig_link_pollfds(s->links[i].link, pfd + npfd, 2);
		if (t >= 0 && t < timeout_ms)
			timeout_ms = t;
	}
	if (poll(pfd, npfd, timeout_ms) < 0 && errno != EINTR)
		jitsim_dp_log("ss7: poll: %s", strerror(errno));
	*now_ms = jitsim_sig_link_now_ms();
	for (unsigned int i = 0; i < s->n_links; i++) {
		struct jitsim_dp_sigio_link *sl = &s->links[i];
		struct sigio_rx_ctx x = {.s = s, .assoc = (uint16_t)i};

		if (sl->listen_retry_ms != 0 && *now_ms >= sl->listen_retry_ms)
			sigio_listen(sl, *now_ms);
		work += jitsim_sig_link_poll(sl->link, *now_ms, sigio_on_data, &x);
		sigio_publish(s, sl, *now_ms);
		up += sl->state == JITSIM_ASP_ACTIVE;
	}
	work += sigio_tx(s);
	__atomic_store_n(&s->st.assoc_up, up, __ATOMIC_RELAXED);
	return work;
}

static void *
sigio_main(void *arg)
{
	struct jitsim_dp_sigio *s = arg;
	uint64_t now_ms = jitsim_sig_link_now_ms(), deadline;
	unsigned int work = 0;
	bool all;
	int rc;

	rc = jitsim_sctp_probe();
	if (rc != 0)
		jitsim_dp_log("ss7: SCTP is unavailable in this kernel (%s): every association "
			      "is retried with backoff (up to 5 s) until it is; production "
			      "kernels have it (modprobe sctp)",
			      strerror(-rc));
	for (unsigned int i = 0; i < s->n_links; i++) {
		struct jitsim_dp_sigio_link *sl = &s->links[i];

		if (sl->cfg->role == JITSIM_DP_SS7_SGP)
			sigio_listen(sl, now_ms);
		else
			jitsim_sig_link_start(sl->link, now_ms);
		sigio_publish(s, sl, now_ms);
	}
	while (!__atomic_load_n(&s->quit, __ATOMIC_RELAXED))
		work = sigio_round(s, work > 0 ? 0 : DP_SIGIO_IDLE_MS, &now_ms);

	/* Orderly stop (RFC 4666 4.3.4.4, 4.3.4.2): ASPIA, ASPDN, close. */
	deadline = now_ms + DP_SIGIO_STOP_MS;
	for (unsigned int i = 0; i < s->n_links; i++)
		jitsim_sig_link_stop(s->links[i].link, now_ms);
	do {
		sigio_round(s, DP_SIGIO_IDLE_MS, &now_ms);
		all = true;
		for (unsigned int i = 0; i < s->n_links; i++)
			all &= jitsim_sig_link_stopped(s->links[i].link);
	} while (!all && now_ms < deadline);
	if (!all)
		jitsim_dp_log("ss7: some associations did not finish ASPIA/ASPDN in %u ms: "
			      "closed",
			      DP_SIGIO_STOP_MS);
	return NULL;
}

int
jitsim_dp_sigio_start(struct jitsim_dp_sigio *s)
{
	int rc;

	__atomic_store_n(&s->quit, false, __ATOMIC_RELAXED);
	/* Created from the main lcore, the thread inherits its CPU set: it
	 * shares the main lcore's CPU, never a worker's. */
	rc = pthread_create(&s->thread, NULL, sigio_main, s);
	if (rc != 0)
		return -rc;
	pthread_setname_np(s->thread, "jitsim-sigio");
	s->running = true;
	return 0;
}

void
jitsim_dp_sigio_stop(struct jitsim_dp_sigio *s)
{
	if (!s->running)
		return;
	__atomic_store_n(&s->quit, true, __ATOMIC_RELAXED);
	pthread_join(s->thread, NULL);
	s->running = false;
}

void
jitsim_dp_sigio_free(struct jitsim_dp_sigio *s)
{
	for (unsigned int i = 0; i < s->n_links; i++) {
		jitsim_sig_link_destroy(s->links[i].link);
		s->links[i].link = NULL;
	}
	s->n_links = 0;
	for (unsigned int w = 0; w < s->n_workers; w++) {
		rte_ring_free(s->rx[w]);
		rte_ring_free(s->tx[w]);
		s->rx[w] = s->tx[w] = NULL;
	}
	s->n_workers = 0;
}
