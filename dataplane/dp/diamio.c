/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp Diameter I/O thread (diamio.h).
 *
 * Loop: poll(2) on every peer's sockets with a short timeout (the worker
 * tx rings and shm sig_down have no file descriptor: while traffic flows
 * the timeout is 0, when idle DP_DIAMIO_IDLE_MS bounds how late a worker's
 * or jitsim-cp's message goes out) -> every peer polled (its messages
 * handled in the receive callback) -> workers' tx rings and sig_down
 * drained to the peers -> a slice of the hop-by-hop map swept for expired
 * entries -> peer states published and their changes logged.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <inttypes.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <strings.h>
#include <sys/random.h>
#include <time.h>

#include <rte_errno.h>
#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <jitsim/proto/diameter.h>
#include <jitsim/proto/s6a.h>

#include "diam_base.h"
#include "diam_fsm.h"
#include "diam_peer.h"
#include "diamio.h"
#include "log.h"
#include "sctp_sock.h"
#include "worker.h"

/* Idle poll timeout: the latency bound of a message a worker or jitsim-cp
 * queued while the thread slept, and the wake-ups per second when idle. */
#define DP_DIAMIO_IDLE_MS 1
/* A client that keeps failing to connect is logged again this often. */
#define DP_DIAMIO_FAIL_LOG_MS 30000
/* Listener restart backoff. */
#define DP_DIAMIO_LISTEN_MIN_MS 100
#define DP_DIAMIO_LISTEN_MAX_MS 5000
/* State-change lines per peer per window: a flapping peer is counted, not
 * logged line after line. */
#define DP_DIAMIO_LOG_WINDOW_MS 60000
#define DP_DIAMIO_LOG_PER_WINDOW 10
/* Map entries looked at per round by the expiry sweep: the whole map in
 * 64 rounds, well within the TTL even at one round per millisecond. */
#define DP_DIAMIO_SWEEP 1024
/* Room a rewrite adds: a Route-Record of an identity (8 + 255 + pad) and a
 * Destination-Host/-Realm grown to JITSIM_DP_DIAM_HOST_MAX each. */
#define DP_DIAMIO_REWRITE_ROOM 1024
/* RFC 6733 7.1.3: a request that names us in a Route-Record went round. */
#define DP_DIAM_LOOP_DETECTED 3005
/* A failing poll(2) is logged at most this often (with the count). */
#define DP_DIAMIO_POLL_LOG_MS 10000

/*
 * One proxied request awaiting its answer. The connection numbers
 * (jitsim_diam_peer_conn) tie it to the connections it travelled on: an
 * answer goes back only on the connection the request came on, and only
 * from the one it went to. The request's command, application, end-to-end
 * id and P bit let diamio answer it 3002 itself when the connection it
 * went to closes (RFC 6733 7.2: Session-Id is optional in such an answer).
 */
struct dp_diamio_map_ent {
	uint64_t t_ms;	    /* when sent */
	uint32_t hbh;	    /* ours, as sent */
	uint32_t orig_hbh;  /* the requester's */
	uint32_t e2e;	    /* the request's End-to-End id */
	uint32_t app_id;    /* and Application-Id */
	uint32_t cmd;	    /* and command code */
	uint32_t from_conn; /* connection number of @from the request came on */
	uint32_t to_conn;   /* connection number of @to it went on */
	uint16_t from;	    /* peer the request came from (the answer goes there) */
	uint16_t to;	    /* peer it went to (the answer must come from there) */
	uint16_t gen;	    /* generation of the slot: the high half of hbh */
	uint8_t req_flags;  /* the request's P bit */
	uint8_t used;
};

static const char *const dp_diamio_drop_names[] = {
#define DP_DIAMIO_DROP_NAME(e, s) s,
	JITSIM_DP_DIAMIO_DROPS(DP_DIAMIO_DROP_NAME)
#undef DP_DIAMIO_DROP_NAME
};

const char *
jitsim_dp_diamio_drop_name(unsigned int d)
{
	return d < JITSIM_DP_DIAMIO_DROP_MAX ? dp_diamio_drop_names[d] : "?";
}

static inline void
cnt_add(uint64_t *c, uint64_t v)
{
	__atomic_store_n(c, *c + v, __ATOMIC_RELAXED);
}

static inline void
diamio_drop(struct jitsim_dp_diamio *d, enum jitsim_dp_diamio_drop r)
{
	cnt_add(&d->st.drops[r], 1);
}

static uint64_t
diamio_now_ms(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000u + (uint64_t)ts.tv_nsec / 1000000u;
}

static uint32_t
diamio_random(void)
{
	uint32_t r = 0;

	/* Seeds only (jitter, first identifiers): the clock is a fine fallback. */
	if (getrandom(&r, sizeof(r), GRND_NONBLOCK) != (ssize_t)sizeof(r))
		r = (uint32_t)diamio_now_ms() * 2654435761u;
	return r;
}

static void
diamio_sockaddr(const struct jitsim_dp_ss7_ep *ep, struct sockaddr_storage *ss, socklen_t *len)
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

static void
diamio_ep_str(const struct jitsim_dp_ss7_ep *ep, char *buf, size_t len)
{
	char ip[INET6_ADDRSTRLEN];

	if (inet_ntop(ep->family, ep->ip, ip, sizeof(ip)) == NULL)
		snprintf(ip, sizeof(ip), "?");
	snprintf(buf, len, ep->family == AF_INET6 ? "[%s]:%u" : "%s:%u", ip, ep->port);
}

static const char *
diamio_tp_name(const struct jitsim_dp_diam_peer *c)
{
	return c->transport == JITSIM_DP_DIAM_SCTP ? "sctp" : "tcp";
}

static int
diamio_peer_create(struct jitsim_dp_diamio *d, unsigned int i, char *err, size_t errlen)
{
	static const uint32_t s6a_cmds[] = {
		JITSIM_S6A_CMD_ULR, JITSIM_S6A_CMD_CLR, JITSIM_S6A_CMD_AIR, JITSIM_S6A_CMD_IDR,
		JITSIM_S6A_CMD_DSR, JITSIM_S6A_CMD_PUR, JITSIM_S6A_CMD_RSR, JITSIM_S6A_CMD_NOR,
	};
	const struct jitsim_dp_diam_config *cfg = d->cfg;
	const struct jitsim_dp_diam_peer *pc = &cfg->peer[i];
	struct jitsim_dp_diamio_peer *dp = &d->peers[i];
	struct jitsim_diam_peer_conf c;
	struct jitsim_diam_fsm_conf *f = &c.fsm;
	char ep[80];

	_Static_assert(sizeof(s6a_cmds) / sizeof(s6a_cmds[0]) <= JITSIM_DIAM_MAX_CMDS, "S6a cmds");
	memset(&c, 0, sizeof(c));
	jitsim_diam_fsm_conf_defaults(f);
	f->role = pc->listen ? JITSIM_DIAM_RESPONDER : JITSIM_DIAM_INITIATOR;
	f->id.host = cfg->origin_host;
	f->id.realm = cfg->origin_realm;
	f->id.origin_state_id = d->origin_state_id;
	f->product_name = "jitsim";
	f->firmware_revision = 1;
	if (cfg->has_host_ip) {
		f->host_ip[0].len = cfg->host_ip.family == AF_INET6 ? 16 : 4;
		memcpy(f->host_ip[0].b, cfg->host_ip.ip, f->host_ip[0].len);
		f->n_host_ip = 1;
	}
	f->supported_vendor[0] = JITSIM_DIAM_VENDOR_3GPP;
	f->apps[0].app_id = JITSIM_S6A_APP_ID;
	f->apps[0].vendor = JITSIM_DIAM_VENDOR_3GPP;
	memcpy(f->apps[0].cmds, s6a_cmds, sizeof(s6a_cmds));
	f->apps[0].n_cmds = sizeof(s6a_cmds) / sizeof(s6a_cmds[0]);
	f->n_apps = 1;
	f->peer_host = pc->host[0] != '\0' ? pc->host : NULL;
	f->tw_ms = cfg->watchdog_s * 1000u;
	/* RFC 3539 3.4.1 jitters Tw by +-2 s; a short test Tw gets less, the
	 * state machine wants it under Tw / 2. */
	f->tw_jitter_ms = f->tw_ms / 4 < JITSIM_DIAM_DEFAULT_TW_JITTER_MS
				  ? f->tw_ms / 4
				  : JITSIM_DIAM_DEFAULT_TW_JITTER_MS;
	f->seed = diamio_random();
	f->e2e_seed = jitsim_diam_e2e_seed((uint64_t)time(NULL), diamio_random());
	f->dup = d->dup;
	c.tp = pc->transport == JITSIM_DP_DIAM_SCTP ? &jitsim_diam_sctp : &jitsim_diam_tcp;
	diamio_sockaddr(&pc->addr, &c.addr, &c.addr_len);
	if (pc->has_local)
		diamio_sockaddr(&pc->local, &c.local, &c.local_len);
	dp->cfg = pc;
	dp->listen_backoff_ms = DP_DIAMIO_LISTEN_MIN_MS;
	dp->peer = jitsim_diam_peer_create(&c);
	if (dp->peer == NULL) {
		diamio_ep_str(&pc->addr, ep, sizeof(ep));
		snprintf(err, errlen,
			 "[diameter] %s %s (%s %s): cannot create the peer (no memory)",
			 pc->kind == JITSIM_DP_DIAM_HSS ? "hss" : "peer", pc->name,
			 diamio_tp_name(pc), ep);
		return -ENOMEM;
	}
	return 0;
}

int
jitsim_dp_diamio_init(struct jitsim_dp_diamio *d, const struct jitsim_dp_diam_config *cfg,
		      struct jitsim_shm *shm, unsigned int n_workers, int socket,
		      uint32_t origin_state_id, char *err, size_t errlen)
{
	uint32_t rnd;
	int rc;

	memset(d, 0, sizeof(*d));
	d->cfg = cfg;
	d->shm = shm;
	d->origin_state_id = origin_state_id;
	for (unsigned int r = 0; r < JITSIM_DP_DIAM_REGION_MAX; r++)
		d->hss_of_region[r] = -1;
	if (n_workers == 0 || n_workers > JITSIM_DP_WORKER_MAX) {
		snprintf(err, errlen, "[diameter]: %u workers (expected 1..%u)", n_workers,
			 JITSIM_DP_WORKER_MAX);
		return -EINVAL;
	}
	for (unsigned int w = 0; w < n_workers; w++) {
		char name[RTE_RING_NAMESIZE];

		/* Single producer and consumer each way, as sigio's. */
		snprintf(name, sizeof(name), "jitsim_diam_rx%u", w);
		d->rx[w] =
			rte_ring_create_elem(name, sizeof(struct jitsim_sig_msg), cfg->ring_slots,
					     socket, RING_F_SP_ENQ | RING_F_SC_DEQ);
		snprintf(name, sizeof(name), "jitsim_diam_tx%u", w);
		if (d->rx[w] != NULL)
			d->tx[w] = rte_ring_create_elem(name, sizeof(struct jitsim_sig_msg),
							cfg->ring_slots, socket,
							RING_F_SP_ENQ | RING_F_SC_DEQ);
		d->n_workers = w + 1;
		if (d->rx[w] == NULL || d->tx[w] == NULL) {
			snprintf(err, errlen,
				 "[diameter] ring_slots = %u: cannot create the rings of worker %u "
				 "(%u x %zu bytes each): %s",
				 cfg->ring_slots, w, cfg->ring_slots, sizeof(struct jitsim_sig_msg),
				 rte_strerror(rte_errno));
			jitsim_dp_diamio_free(d);
			return -ENOMEM;
		}
	}
	d->dup = malloc(sizeof(*d->dup));
	d->map = calloc(JITSIM_DP_DIAMIO_MAP_SLOTS, sizeof(*d->map));
	d->map_free = malloc(JITSIM_DP_DIAMIO_MAP_SLOTS * sizeof(*d->map_free));
	d->scratch_cap = JITSIM_DIAM_DEFAULT_MAX_MSG + DP_DIAMIO_REWRITE_ROOM;
	d->scratch = malloc(d->scratch_cap);
	if (d->dup == NULL || d->map == NULL || d->map_free == NULL || d->scratch == NULL) {
		snprintf(err, errlen, "[diameter]: out of memory for the hop-by-hop map");
		jitsim_dp_diamio_free(d);
		return -ENOMEM;
	}
	jitsim_diam_dup_init(d->dup, JITSIM_DIAM_DUP_DEFAULT_LIFETIME_MS);
	/* A queue of free slots, taken from the head and freed to the tail: a
	 * slot is reused as late as possible, and each one's generation starts
	 * at random, so an answer that comes after its entry expired (or one
	 * meant for a previous run of jitsim-dp) finds no live entry with its
	 * id rather than someone else's. */
	rnd = diamio_random() | 1u;
	for (uint32_t i = 0; i < JITSIM_DP_DIAMIO_MAP_SLOTS; i++) {
		d->map_free[i] = (uint16_t)i;
		rnd ^= rnd << 13; /* xorshift32 */
		rnd ^= rnd >> 17;
		rnd ^= rnd << 5;
		d->map[i].gen = (uint16_t)rnd;
	}
	d->map_free_head = 0;
	d->map_n_free = JITSIM_DP_DIAMIO_MAP_SLOTS;
	for (unsigned int i = 0; i < cfg->n_peers; i++) {
		rc = diamio_peer_create(d, i, err, errlen);
		d->n_peers = i + 1;
		if (rc != 0) {
			jitsim_dp_diamio_free(d);
			return rc;
		}
		if (cfg->peer[i].kind == JITSIM_DP_DIAM_HSS)
			d->hss_of_region[cfg->peer[i].region] = (int16_t)i;
	}
	return 0;
}

/* ---- helpers on peers ---- */

static inline bool
diamio_open(struct jitsim_dp_diamio *d, unsigned int i)
{
	return i < d->n_peers && jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(d->peers[i].peer));
}

/*
 * Number of peer @i's open connection, or of its last one when it is
 * closed (0 before the first): what diamio stamps into the records
 * (jitsim_sig_msg.dpc) and the map, so that nothing meant for one
 * connection goes out on the next.
 */
static inline uint32_t
diamio_conn(const struct jitsim_dp_diamio *d, unsigned int i)
{
	return jitsim_diam_peer_conn(d->peers[i].peer);
}

/* Whether connection @conn of peer @i is the open one. */
static inline bool
diamio_conn_open(struct jitsim_dp_diamio *d, unsigned int i, uint32_t conn)
{
	return diamio_open(d, i) && diamio_conn(d, i) == conn;
}

/* A record's dpc names another connection of peer @i than the last one
 * (dpc 0: unchecked). */
static inline bool
diamio_stale(const struct jitsim_dp_diamio *d, unsigned int i, uint32_t dpc)
{
	return dpc != 0 && dpc != diamio_conn(d, i);
}

/* Queue a whole message on peer @i, nothing counted but app_tx: 0 when
 * queued, else -ENOTCONN (not open, or lost while sending), -ENOBUFS,
 * -EINVAL (jitsim_diam_peer_send). */
static int
diamio_xmit(struct jitsim_dp_diamio *d, unsigned int i, const uint8_t *m, size_t len)
{
	int rc;

	if (!diamio_open(d, i))
		return -ENOTCONN;
	rc = jitsim_diam_peer_send(d->peers[i].peer, m, len);
	if (rc == 0)
		cnt_add(&d->peers[i].app_tx, 1);
	return rc;
}

/* Send a whole message on peer @i; a failure is counted by its reason.
 * 0 when queued, else the negative errno of diamio_xmit(). */
static int
diamio_send(struct jitsim_dp_diamio *d, unsigned int i, const uint8_t *m, size_t len)
{
	int rc = diamio_xmit(d, i, m, len);

	if (rc == -ENOTCONN)
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_PEER_DOWN);
	else if (rc == -EINVAL)
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_BAD);
	else if (rc != 0)
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_SEND_FAILED);
	return rc;
}

/* Answer request @h of peer @i ourselves with Result-Code @code. */
static void
diamio_answer(struct jitsim_dp_diamio *d, unsigned int i, const struct jitsim_diam_hdr *h,
	      uint32_t code, const char *text)
{
	const struct jitsim_diam_ident id = {d->cfg->origin_host, d->cfg->origin_realm,
					     d->origin_state_id};
	struct jitsim_diam_err e;
	struct jitsim_wbuf w;

	memset(&e, 0, sizeof(e));
	e.result_code = code;
	e.text = text;
	jitsim_wbuf_init(&w, d->ans, sizeof(d->ans), 0);
	if (jitsim_diam_encode_error_answer(&w, h, &id, &e) != JITSIM_R_OK) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ANSWER_FAILED);
		return;
	}
	(void)diamio_send(d, i, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w));
}

/* ---- the hop-by-hop map ---- */

static void
diamio_map_free(struct jitsim_dp_diamio *d, uint32_t slot)
{
	struct dp_diamio_map_ent *e = &d->map[slot];

	e->used = 0;
	d->map_refs[e->from]--;
	d->map_refs[e->to]--;
	d->map_free[(d->map_free_head + d->map_n_free++) & (JITSIM_DP_DIAMIO_MAP_SLOTS - 1)] =
		(uint16_t)slot;
	cnt_add(&d->st.map_used, (uint64_t)-1);
}

/*
 * A new entry for a request of peer @from (its connection now) relayed to
 * peer @to (likewise); its hop-by-hop id in *hbh. NULL when the map is full.
 */
static struct dp_diamio_map_ent *
diamio_map_alloc(struct jitsim_dp_diamio *d, unsigned int from, unsigned int to, uint64_t now_ms,
		 uint32_t *hbh)
{
	struct dp_diamio_map_ent *e;
	uint32_t slot;

	if (d->map_n_free == 0)
		return NULL;
	slot = d->map_free[d->map_free_head++ & (JITSIM_DP_DIAMIO_MAP_SLOTS - 1)];
	d->map_n_free--;
	e = &d->map[slot];
	/* A new generation per use, so a late answer to the previous user of
	 * the slot does not match; the top octet of (gen << 16) is gen >> 8,
	 * never JITSIM_DIAM_HBH_TAG (jitsim-cp's requests). */
	e->gen++;
	if ((e->gen >> 8) == JITSIM_DIAM_HBH_TAG)
		e->gen = (uint16_t)((JITSIM_DIAM_HBH_TAG + 1) << 8);
	e->hbh = (uint32_t)e->gen << 16 | slot;
	e->t_ms = now_ms;
	e->used = 1;
	e->from = (uint16_t)from;
	e->to = (uint16_t)to;
	e->from_conn = diamio_conn(d, from);
	e->to_conn = diamio_conn(d, to);
	d->map_refs[from]++;
	d->map_refs[to]++;
	*hbh = e->hbh;
	cnt_add(&d->st.map_used, 1);
	return e;
}

/*
 * Peer @k left the open state: its entries whose connection is not the
 * open one now end. Those of requests it sent can never be answered
 * (counted origin_gone); those of requests it was to answer are answered
 * 3002 DIAMETER_UNABLE_TO_DELIVER to their requester when that one is still
 * on the connection they came on (counted answer_lost either way).
 */
static void
diamio_map_peer_down(struct jitsim_dp_diamio *d, unsigned int k)
{
	const struct jitsim_diam_ident id = {d->cfg->origin_host, d->cfg->origin_realm,
					     d->origin_state_id};

	for (uint32_t slot = 0; slot < JITSIM_DP_DIAMIO_MAP_SLOTS && d->map_refs[k] > 0; slot++) {
		const struct dp_diamio_map_ent *e = &d->map[slot];
		struct jitsim_diam_hdr h;
		struct jitsim_diam_err er;
		struct jitsim_wbuf w;

		if (!e->used || (e->from != k && e->to != k))
			continue;
		if (!diamio_conn_open(d, e->from, e->from_conn)) {
			diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ORIGIN_GONE);
			diamio_map_free(d, slot);
			continue;
		}
		if (diamio_conn_open(d, e->to, e->to_conn))
			continue;
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ANSWER_LOST);
		memset(&h, 0, sizeof(h));
		h.version = JITSIM_DIAM_VERSION;
		h.flags = JITSIM_DIAM_FLAG_R | e->req_flags;
		h.cmd = e->cmd;
		h.app_id = e->app_id;
		h.hbh = e->orig_hbh;
		h.e2e = e->e2e;
		memset(&er, 0, sizeof(er));
		er.result_code = JITSIM_DIAM_UNABLE_TO_DELIVER;
		er.text = "the connection the request went on closed before its answer";
		jitsim_wbuf_init(&w, d->ans, sizeof(d->ans), 0);
		if (jitsim_diam_encode_error_answer(&w, &h, &id, &er) != JITSIM_R_OK)
			diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ANSWER_FAILED);
		else if (diamio_send(d, e->from, jitsim_wbuf_data(&w), jitsim_wbuf_len(&w)) == 0)
			cnt_add(&d->st.ans_no_route, 1);
		diamio_map_free(d, slot);
	}
}

static void
diamio_map_sweep(struct jitsim_dp_diamio *d, uint64_t now_ms)
{
	for (unsigned int k = 0; k < DP_DIAMIO_SWEEP; k++) {
		uint32_t slot = d->map_sweep++ & (JITSIM_DP_DIAMIO_MAP_SLOTS - 1);
		const struct dp_diamio_map_ent *e = &d->map[slot];

		if (e->used && now_ms - e->t_ms >= JITSIM_DP_DIAMIO_MAP_TTL_MS) {
			diamio_map_free(d, slot);
			cnt_add(&d->st.map_expired, 1);
		}
	}
}

/* ---- proxying ---- */

static bool
diamio_avp_is(const struct jitsim_diam_avp *a, const char *s)
{
	size_t n = strlen(s);

	/* DiameterIdentity compares case-insensitively (RFC 6733 4.3.1: an FQDN). */
	return a->data_len == n && strncasecmp((const char *)a->data, s, n) == 0;
}

/*
 * Relay request @h / @m of peer @from to peer @to (RFC 6733 6.1.9): a
 * Route-Record with @from's identity appended, a hop-by-hop id of ours,
 * and, toward an HSS (@hss not NULL), a Destination-Host naming us
 * replaced by the HSS's host and realm. Every request that is not sent is
 * answered to @from itself: 3005 (loop), 3004 (map or send queue full),
 * 3002 (@to's connection lost while sending), 5012 (too long once
 * rewritten). 0 when sent.
 */
static int
diamio_proxy(struct jitsim_dp_diamio *d, unsigned int from, unsigned int to,
	     const struct jitsim_diam_hdr *h, const uint8_t *m, size_t len,
	     const struct jitsim_dp_diam_peer *hss, uint64_t now_ms)
{
	const char *from_host = jitsim_diam_peer_fsm(d->peers[from].peer)->peer_host;
	struct jitsim_diam_avp_iter it;
	struct jitsim_diam_avp a;
	struct dp_diamio_map_ent *e;
	struct jitsim_wbuf w;
	bool redest = false;
	uint32_t hbh;
	uint8_t *p;
	int rc;

	if (!diamio_open(d, from) || from_host[0] == '\0') {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ORIGIN_GONE);
		return -1;
	}
	if (len + DP_DIAMIO_REWRITE_ROOM > d->scratch_cap)
		goto too_long;
	/* One pass before anything is built: loops, and whether the
	 * destination names us. */
	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	while (jitsim_diam_avp_next_inline(&it, &a) == JITSIM_R_OK) {
		if (a.vendor != 0)
			continue;
		if (a.code == JITSIM_AVP_ROUTE_RECORD && diamio_avp_is(&a, d->cfg->origin_host)) {
			cnt_add(&d->st.ans_loop, 1);
			diamio_answer(d, from, h, DP_DIAM_LOOP_DETECTED,
				      "jitsim relayed this request before (Route-Record)");
			return -1;
		}
		if (hss != NULL && a.code == JITSIM_AVP_DESTINATION_HOST &&
		    diamio_avp_is(&a, d->cfg->origin_host))
			redest = true;
	}
	e = diamio_map_alloc(d, from, to, now_ms, &hbh);
	if (e == NULL) {
		cnt_add(&d->st.map_full, 1);
		cnt_add(&d->st.ans_busy, 1);
		diamio_answer(d, from, h, JITSIM_DIAM_TOO_BUSY,
			      "too many requests in flight toward the HSS");
		return -1;
	}
	e->orig_hbh = h->hbh;
	e->e2e = h->e2e;
	e->app_id = h->app_id;
	e->cmd = h->cmd;
	e->req_flags = h->flags & JITSIM_DIAM_FLAG_P;

	jitsim_wbuf_init(&w, d->scratch, d->scratch_cap, 0);
	p = jitsim_wbuf_append(&w, JITSIM_DIAM_HDR_LEN);
	memcpy(p, m, JITSIM_DIAM_HDR_LEN);
	jitsim_put_be32(p + 12, hbh);
	jitsim_diam_avp_iter_init(&it, h->avps, h->avps_len);
	for (;;) {
		const uint8_t *start = it.p;
		enum jitsim_reason r = jitsim_diam_avp_next_inline(&it, &a);
		enum jitsim_reason wr = JITSIM_R_OK;

		if (r != JITSIM_R_OK)
			break;
		if (redest && a.vendor == 0 && a.code == JITSIM_AVP_DESTINATION_HOST)
			wr = jitsim_diam_encode_avp_str(&w, a.code, a.flags, 0, hss->host);
		else if (redest && a.vendor == 0 && a.code == JITSIM_AVP_DESTINATION_REALM)
			wr = jitsim_diam_encode_avp_str(&w, a.code, a.flags, 0, hss->realm);
		else if ((p = jitsim_wbuf_append(&w, (size_t)(it.p - start))) != NULL)
			memcpy(p, start, (size_t)(it.p - start)); /* as received, padding too */
		else
			wr = JITSIM_R_NOSPACE;
		if (wr != JITSIM_R_OK)
			goto too_long_ent;
	}
	if (jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ROUTE_RECORD, JITSIM_DIAM_AVP_M, 0,
				       from_host) != JITSIM_R_OK)
		goto too_long_ent;
	p = jitsim_wbuf_data(&w);
	jitsim_put_be24(p + 1, (uint32_t)jitsim_wbuf_len(&w));
	rc = diamio_xmit(d, to, p, jitsim_wbuf_len(&w));
	if (rc == 0)
		return 0;
	diamio_map_free(d, hbh & 0xffffu);
	if (rc == -EINVAL)
		goto too_long; /* over the peer's max_msg with the Route-Record */
	if (rc == -ENOTCONN) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_PEER_DOWN);
		cnt_add(&d->st.ans_no_route, 1);
		diamio_answer(d, from, h, JITSIM_DIAM_UNABLE_TO_DELIVER,
			      "the connection toward the destination was lost");
		return -1;
	}
	diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_SEND_FAILED);
	cnt_add(&d->st.ans_busy, 1);
	diamio_answer(d, from, h, JITSIM_DIAM_TOO_BUSY,
		      "the destination's connection is congested");
	return -1;
too_long_ent:
	diamio_map_free(d, hbh & 0xffffu);
too_long:
	diamio_drop(d, JITSIM_DP_DIAMIO_DROP_PROXY_TOO_LONG);
	diamio_answer(d, from, h, JITSIM_DIAM_UNABLE_TO_COMPLY,
		      "request too long to relay with a Route-Record added");
	return -1;
}

/* An answer on peer @i to a request diamio relayed: back on the connection
 * it came on. */
static void
diamio_answer_back(struct jitsim_dp_diamio *d, unsigned int i, const struct jitsim_diam_hdr *h,
		   const uint8_t *m, size_t len)
{
	uint32_t slot = h->hbh & 0xffffu;
	struct dp_diamio_map_ent *e = &d->map[slot];
	unsigned int from;

	if (!e->used || e->hbh != h->hbh) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ANSWER_UNKNOWN);
		return;
	}
	if (e->to != i) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_ANSWER_WRONG_PEER);
		return;
	}
	from = e->from;
	/* Either connection of the request is gone (their EV_DOWN not yet
	 * seen): the requester, if it came back, never sent this one. */
	if (e->to_conn != diamio_conn(d, i) || e->from_conn != diamio_conn(d, from)) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_STALE_CONN);
		diamio_map_free(d, slot);
		return;
	}
	memcpy(d->scratch, m, len);
	jitsim_put_be32(d->scratch + 12, e->orig_hbh);
	diamio_map_free(d, slot);
	if (diamio_send(d, from, d->scratch, len) != 0)
		return;
	if (d->peers[from].cfg->kind == JITSIM_DP_DIAM_HSS)
		cnt_add(&d->st.client_answers, 1);
	else
		cnt_add(&d->st.hss_answers, 1);
}

/* An answer to one of jitsim-cp's requests (a CLR): to jitsim-cp. */
static void
diamio_to_cp(struct jitsim_dp_diamio *d, unsigned int i, const uint8_t *m, size_t len)
{
	struct jitsim_sig_msg *r = &d->rec;

	if (len > JITSIM_SIG_DATA_MAX) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TO_CP_OVERSIZE);
		return;
	}
	memset(r, 0, JITSIM_SIG_HDR_SIZE);
	r->kind = JITSIM_SIG_DIAM_IN;
	r->sim_state = 0xff;
	r->flags = JITSIM_SIG_F_ANSWER;
	r->len = (uint16_t)len;
	r->assoc = (uint16_t)i;
	r->dpc = diamio_conn(d, i);
	r->lcore = UINT16_MAX; /* not a worker's */
	r->seq = (uint32_t)d->st.rx_cp_answers;
	r->ts_s = (uint32_t)time(NULL);
	memcpy(r->data, m, len);
	if (jitsim_shm_sig_up_put(d->shm, r, 1) != 1) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TO_CP_FULL);
		return;
	}
	cnt_add(&d->st.rx_cp_answers, 1);
}

/*
 * The worker of a request: a hash of its User-Name, else its Session-Id,
 * else its End-to-End id (diamio.h), spread by multiply-shift.
 */
static unsigned int
diamio_worker_of(const struct jitsim_dp_diamio *d, const struct jitsim_diam_hdr *h)
{
	struct jitsim_diam_avp a;
	uint64_t x = 1469598103934665603ull; /* FNV-1a 64 */

	if (d->n_workers == 1)
		return 0;
	if (jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_USER_NAME, 0, &a) ==
		    JITSIM_R_OK ||
	    jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_SESSION_ID, 0, &a) ==
		    JITSIM_R_OK) {
		for (size_t k = 0; k < a.data_len; k++)
			x = (x ^ a.data[k]) * 1099511628211ull;
	} else {
		x = (uint64_t)h->e2e * 0x9e3779b97f4a7c15ull;
	}
	return (unsigned int)(((x >> 32) * d->n_workers) >> 32);
}

/* A request from a client peer: to a worker. */
static void
diamio_client_request(struct jitsim_dp_diamio *d, unsigned int i, const struct jitsim_diam_hdr *h,
		      const uint8_t *m, size_t len, unsigned int flags)
{
	struct jitsim_sig_msg *r = &d->rec;
	unsigned int w;

	cnt_add(&d->st.rx_requests, 1);
	if (flags & JITSIM_DIAM_RX_DUP)
		cnt_add(&d->st.rx_dup, 1);
	if (len > JITSIM_SIG_DATA_MAX) {
		cnt_add(&d->st.rx_oversize, 1);
		diamio_answer(d, i, h, JITSIM_DIAM_UNABLE_TO_COMPLY,
			      "request longer than the dataplane handles");
		return;
	}
	memset(r, 0, JITSIM_SIG_HDR_SIZE);
	r->kind = JITSIM_SIG_DIAM_IN;
	r->sim_state = 0xff;
	r->len = (uint16_t)len;
	r->assoc = (uint16_t)i;
	r->dpc = diamio_conn(d, i); /* the worker's verdict carries it back */
	r->flags = (flags & JITSIM_DIAM_RX_DUP) ? JITSIM_SIG_F_DUP : 0;
	r->seq = (uint32_t)d->st.rx_requests;
	memcpy(r->data, m, len);
	w = diamio_worker_of(d, h);
	if (rte_ring_sp_enqueue_elem(d->rx[w], r, sizeof(*r)) != 0) {
		cnt_add(&d->st.rx_ring_full, 1);
		cnt_add(&d->st.ans_busy, 1);
		diamio_answer(d, i, h, JITSIM_DIAM_TOO_BUSY, "dataplane worker busy");
		return;
	}
	cnt_add(&d->st.rx_to_worker, 1);
}

/* A request from an HSS (CLR, IDR, DSR, RSR): to the client peer named by
 * its Destination-Host, else the first open one. */
static void
diamio_hss_request(struct jitsim_dp_diamio *d, unsigned int i, const struct jitsim_diam_hdr *h,
		   const uint8_t *m, size_t len, uint64_t now_ms)
{
	struct jitsim_diam_avp a;
	int to = -1, first = -1;
	bool has_dest;

	cnt_add(&d->st.hss_requests, 1);
	has_dest = jitsim_diam_avp_find(h->avps, h->avps_len, JITSIM_AVP_DESTINATION_HOST, 0, &a) ==
		   JITSIM_R_OK;
	for (unsigned int k = 0; k < d->n_peers && to < 0; k++) {
		if (d->peers[k].cfg->kind != JITSIM_DP_DIAM_CLIENT || !diamio_open(d, k))
			continue;
		if (first < 0)
			first = (int)k;
		if (has_dest &&
		    diamio_avp_is(&a, jitsim_diam_peer_fsm(d->peers[k].peer)->peer_host))
			to = (int)k;
	}
	if (to < 0)
		to = first;
	if (to < 0) {
		cnt_add(&d->st.ans_no_route, 1);
		diamio_answer(d, i, h, JITSIM_DIAM_UNABLE_TO_DELIVER, "no client peer is open");
		return;
	}
	(void)diamio_proxy(d, i, (unsigned int)to, h, m, len, NULL, now_ms);
}

struct diamio_rx_ctx {
	struct jitsim_dp_diamio *d;
	unsigned int peer;
	uint64_t now_ms;
};

/* jitsim_diam_rx_cb: every application message of peer ctx->peer. */
static void
diamio_on_msg(void *arg, struct jitsim_diam_peer *p, const struct jitsim_diam_hdr *h,
	      const uint8_t *m, size_t len, unsigned int flags)
{
	struct diamio_rx_ctx *x = arg;
	struct jitsim_dp_diamio *d = x->d;
	const unsigned int i = x->peer;
	const bool client = d->peers[i].cfg->kind == JITSIM_DP_DIAM_CLIENT;

	(void)p;
	d->work++;
	cnt_add(&d->peers[i].app_rx, 1);
	if (h->flags & JITSIM_DIAM_FLAG_R) {
		if (client)
			diamio_client_request(d, i, h, m, len, flags);
		else
			diamio_hss_request(d, i, h, m, len, x->now_ms);
	} else if (client && (h->hbh >> 24) == JITSIM_DIAM_HBH_TAG) {
		diamio_to_cp(d, i, m, len);
	} else {
		diamio_answer_back(d, i, h, m, len);
	}
}

/* ---- the workers' and jitsim-cp's messages ---- */

/*
 * A worker's output (diamio.h): a verdict (kind DIAM_SEND: an answer to
 * send, or a request to proxy), or a request it could not hand to
 * jitsim-cp (kind DIAM_IN, sig_up full: answered 3004).
 */
static void
diamio_send_worker(struct jitsim_dp_diamio *d, const struct jitsim_sig_msg *r, uint64_t now_ms)
{
	struct jitsim_diam_hdr h;
	unsigned int from = r->assoc;
	bool dflt = false;
	int to = -1;

	if ((r->kind != JITSIM_SIG_DIAM_SEND && r->kind != JITSIM_SIG_DIAM_IN) ||
	    r->len > JITSIM_SIG_DATA_MAX ||
	    jitsim_diam_decode_hdr(r->data, r->len, &h) != JITSIM_R_OK || h.length != r->len ||
	    (r->kind == JITSIM_SIG_DIAM_IN && !(h.flags & JITSIM_DIAM_FLAG_R))) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_BAD);
		return;
	}
	if (from >= d->n_peers || d->peers[from].cfg->kind != JITSIM_DP_DIAM_CLIENT) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_BAD_PEER);
		return;
	}
	/* The request came on a connection that has closed since: its peer,
	 * if back, does not wait for this answer and must not see it. */
	if (diamio_stale(d, from, r->dpc)) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_STALE_CONN);
		return;
	}
	if (r->kind == JITSIM_SIG_DIAM_IN) {
		cnt_add(&d->st.ans_busy, 1);
		diamio_answer(d, from, &h, JITSIM_DIAM_TOO_BUSY, "control plane busy");
		return;
	}
	if (!(h.flags & JITSIM_DIAM_FLAG_R)) {
		if (diamio_send(d, from, r->data, r->len) == 0)
			cnt_add(&d->st.tx_answers, 1);
		return;
	}
	/* PROXY: the region's HSS, else the default one. */
	if (r->region < JITSIM_DP_DIAM_REGION_MAX && d->hss_of_region[r->region] >= 0 &&
	    diamio_open(d, (unsigned int)d->hss_of_region[r->region])) {
		to = d->hss_of_region[r->region];
	} else if (d->cfg->default_hss >= 0 && d->hss_of_region[d->cfg->default_hss] >= 0 &&
		   diamio_open(d, (unsigned int)d->hss_of_region[d->cfg->default_hss])) {
		to = d->hss_of_region[d->cfg->default_hss];
		dflt = true;
	}
	if (to < 0) {
		cnt_add(&d->st.ans_no_route, 1);
		diamio_answer(d, from, &h, JITSIM_DIAM_UNABLE_TO_DELIVER,
			      "the subscriber's HSS is not reachable");
		return;
	}
	if (diamio_proxy(d, from, (unsigned int)to, &h, r->data, r->len, d->peers[to].cfg,
			 now_ms) == 0) {
		cnt_add(&d->st.tx_proxied, 1);
		cnt_add(&d->st.proxied_region[d->peers[to].cfg->region], 1);
		if (dflt)
			cnt_add(&d->st.tx_default_hss, 1);
	}
}

/* A record of jitsim-cp: a Diameter message for peer assoc, or (with
 * [ss7]) an SS7 one for sigio. */
static void
diamio_send_cp(struct jitsim_dp_diamio *d, struct jitsim_sig_msg *r)
{
	struct jitsim_diam_hdr h;

	if (r->kind == JITSIM_SIG_SEND && d->ss7_down != NULL) {
		if (rte_ring_sp_enqueue_elem(d->ss7_down, r, sizeof(*r)) != 0)
			diamio_drop(d, JITSIM_DP_DIAMIO_DROP_SS7_DOWN_FULL);
		else
			cnt_add(&d->st.ss7_passed, 1);
		return;
	}
	if (r->kind != JITSIM_SIG_DIAM_SEND || r->len > JITSIM_SIG_DATA_MAX ||
	    jitsim_diam_decode_hdr(r->data, r->len, &h) != JITSIM_R_OK || h.length != r->len) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_BAD);
		return;
	}
	if (r->assoc >= d->n_peers) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_TX_BAD_PEER);
		return;
	}
	if (diamio_stale(d, r->assoc, r->dpc)) {
		diamio_drop(d, JITSIM_DP_DIAMIO_DROP_STALE_CONN);
		return;
	}
	if (diamio_send(d, r->assoc, r->data, r->len) == 0)
		cnt_add(&d->st.tx_cp_sent, 1);
}

/* Workers' tx rings and sig_down to the peers. Returns records moved. */
static unsigned int
diamio_tx(struct jitsim_dp_diamio *d, uint64_t now_ms)
{
	unsigned int moved = 0, n;

	for (unsigned int w = 0; w < d->n_workers; w++) {
		n = rte_ring_sc_dequeue_burst_elem(d->tx[w], d->batch, sizeof(d->batch[0]),
						   JITSIM_DP_DIAMIO_BURST, NULL);
		cnt_add(&d->st.tx_worker, n);
		for (unsigned int i = 0; i < n; i++)
			diamio_send_worker(d, &d->batch[i], now_ms);
		moved += n;
	}
	n = jitsim_shm_sig_down_get(d->shm, d->batch, JITSIM_DP_DIAMIO_BURST);
	cnt_add(&d->st.tx_cp, n);
	/* jitsim-cp's AIAs carry vectors (XRES, KASME): nothing of them stays
	 * in this process once sent (docs/fta.md on the segment's mode). */
	for (unsigned int i = 0; i < n; i++) {
		diamio_send_cp(d, &d->batch[i]);
		explicit_bzero(d->batch[i].data, sizeof(d->batch[i].data));
	}
	return moved + n;
}

/* ---- peer states, logs ---- */

/* Rate limit of state-change lines: true when this one may be logged. */
static bool
diamio_log_ok(struct jitsim_dp_diamio_peer *dp, uint64_t now_ms)
{
	if (now_ms - dp->log_window_ms >= DP_DIAMIO_LOG_WINDOW_MS) {
		if (dp->log_count > DP_DIAMIO_LOG_PER_WINDOW)
			jitsim_dp_log("diameter: peer %s: %u more state changes in the last "
				      "minute, counted, not logged",
				      dp->cfg->name, dp->log_count - DP_DIAMIO_LOG_PER_WINDOW);
		dp->log_window_ms = now_ms;
		dp->log_count = 0;
	}
	if (++dp->log_count == DP_DIAMIO_LOG_PER_WINDOW + 1)
		jitsim_dp_log("diameter: peer %s: state changes too frequent, counting them "
			      "for a minute",
			      dp->cfg->name);
	return dp->log_count <= DP_DIAMIO_LOG_PER_WINDOW;
}

/* Act on a peer's events: counters and logs; publish its state. */
static void
diamio_publish(struct jitsim_dp_diamio *d, struct jitsim_dp_diamio_peer *dp, unsigned int ev,
	       uint64_t now_ms)
{
	struct jitsim_diam_fsm *f = jitsim_diam_peer_fsm(dp->peer);
	char ep[80];

	if (ev & JITSIM_DIAM_EV_OPEN) {
		cnt_add(&d->st.opens, 1);
		cnt_add(&dp->opens, 1);
		if (diamio_log_ok(dp, now_ms))
			jitsim_dp_log("diameter: peer %s open (host %s)", dp->cfg->name,
				      f->peer_host);
	}
	if (ev & JITSIM_DIAM_EV_DOWN) {
		const char *why = "connection lost";

		if (f->st.rx[JITSIM_DIAM_C_DPR] != dp->seen_dpr)
			why = "DPR received";
		else if (f->st.dwr_timeouts != dp->seen_wd)
			why = "watchdog: no answer to DWR";
		else if (f->stopping)
			why = "DPR sent";
		cnt_add(&d->st.closes, 1);
		if (diamio_log_ok(dp, now_ms))
			jitsim_dp_log("diameter: peer %s closed (%s)", dp->cfg->name, why);
		diamio_map_peer_down(d, (unsigned int)(dp - d->peers));
	}
	dp->seen_dpr = f->st.rx[JITSIM_DIAM_C_DPR];
	dp->seen_wd = f->st.dwr_timeouts;
	if (ev & JITSIM_DIAM_EV_FAILOVER) {
		cnt_add(&d->st.failovers, 1);
		if (diamio_log_ok(dp, now_ms))
			jitsim_dp_log("diameter: peer %s failover (watchdog: silent for 2 Tw)",
				      dp->cfg->name);
	}
	if (ev & JITSIM_DIAM_EV_FAILBACK) {
		cnt_add(&d->st.failbacks, 1);
		if (diamio_log_ok(dp, now_ms))
			jitsim_dp_log("diameter: peer %s failback", dp->cfg->name);
	}
	if (ev & JITSIM_DIAM_EV_RESTART) {
		cnt_add(&d->st.restarts, 1);
		if (diamio_log_ok(dp, now_ms))
			jitsim_dp_log("diameter: peer %s restarted (Origin-State-Id changed)",
				      dp->cfg->name);
	}
	if (ev & JITSIM_DIAM_EV_STOPPED)
		dp->stopped = true;
	if (f->st.conn_fail != dp->logged_fail &&
	    (dp->logged_fail == 0 || now_ms - dp->logged_fail_ms >= DP_DIAMIO_FAIL_LOG_MS)) {
		diamio_ep_str(&dp->cfg->addr, ep, sizeof(ep));
		jitsim_dp_log("diameter: peer %s: cannot connect to %s %s (%" PRIu64
			      " attempts failed so far): retrying with backoff",
			      dp->cfg->name, diamio_tp_name(dp->cfg), ep, f->st.conn_fail);
		dp->logged_fail = f->st.conn_fail;
		dp->logged_fail_ms = now_ms;
	}
	__atomic_store_n(&dp->state, (uint32_t)f->state, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->wd, (uint32_t)f->wd, __ATOMIC_RELAXED);
	__atomic_store_n(&dp->connect_fail, f->st.conn_fail, __ATOMIC_RELAXED);
}

/* Start a responder; on failure log it (once per distinct error) and
 * schedule a retry with backoff. */
static void
diamio_listen(struct jitsim_dp_diamio_peer *dp, uint64_t now_ms)
{
	int rc = jitsim_diam_peer_start(dp->peer, now_ms);
	char ep[80];

	if (rc == 0 || rc == -EALREADY) {
		dp->listening = true;
		dp->listen_retry_ms = 0;
		dp->listen_backoff_ms = DP_DIAMIO_LISTEN_MIN_MS;
		if (dp->listen_errno != 0)
			jitsim_dp_log("diameter: peer %s: listening", dp->cfg->name);
		dp->listen_errno = 0;
		return;
	}
	if (-rc != dp->listen_errno) {
		diamio_ep_str(&dp->cfg->addr, ep, sizeof(ep));
		jitsim_dp_log("diameter: peer %s: cannot listen on %s %s: %s: retrying with "
			      "backoff up to %u ms",
			      dp->cfg->name, diamio_tp_name(dp->cfg), ep, strerror(-rc),
			      DP_DIAMIO_LISTEN_MAX_MS);
		dp->listen_errno = -rc;
	}
	dp->listen_retry_ms = now_ms + dp->listen_backoff_ms;
	dp->listen_backoff_ms = dp->listen_backoff_ms * 2 > DP_DIAMIO_LISTEN_MAX_MS
					? DP_DIAMIO_LISTEN_MAX_MS
					: dp->listen_backoff_ms * 2;
}

/* One round: poll(2), every peer, the tx side, the map. Returns the work done. */
static unsigned int
diamio_round(struct jitsim_dp_diamio *d, int timeout_ms, uint64_t *now_ms)
{
	struct pollfd pfd[2 * JITSIM_DP_DIAM_PEER_MAX];
	unsigned int npfd = 0, work;
	uint64_t open = 0;
	int rc, err;

	for (unsigned int i = 0; i < d->n_peers; i++) {
		uint64_t next = jitsim_diam_peer_next_ms(d->peers[i].peer);

		npfd += jitsim_diam_peer_pollfds(d->peers[i].peer, pfd + npfd, 2);
		if (next <= *now_ms)
			timeout_ms = 0;
		else if (next - *now_ms < (uint64_t)timeout_ms)
			timeout_ms = (int)(next - *now_ms);
	}
	rc = poll(pfd, npfd, timeout_ms);
	err = errno;
	*now_ms = diamio_now_ms();
	/* Cannot fail with valid descriptors; if it does, every round fails
	 * alike: logged once per DP_DIAMIO_POLL_LOG_MS, with the count. */
	if (rc < 0 && err != EINTR) {
		d->poll_errs++;
		if (d->poll_log_ms == 0 || *now_ms - d->poll_log_ms >= DP_DIAMIO_POLL_LOG_MS) {
			jitsim_dp_log("diameter: poll: %s (%" PRIu64 " failures so far)",
				      strerror(err), d->poll_errs);
			d->poll_log_ms = *now_ms;
		}
	}
	d->work = 0;
	for (unsigned int i = 0; i < d->n_peers; i++) {
		struct jitsim_dp_diamio_peer *dp = &d->peers[i];
		struct diamio_rx_ctx x = {.d = d, .peer = i, .now_ms = *now_ms};
		unsigned int ev;

		if (dp->listen_retry_ms != 0 && *now_ms >= dp->listen_retry_ms)
			diamio_listen(dp, *now_ms);
		ev = jitsim_diam_peer_poll(dp->peer, *now_ms, diamio_on_msg, &x);
		diamio_publish(d, dp, ev, *now_ms);
		open += jitsim_diam_fsm_is_open(jitsim_diam_peer_fsm(dp->peer));
	}
	work = d->work + diamio_tx(d, *now_ms);
	diamio_map_sweep(d, *now_ms);
	__atomic_store_n(&d->st.peers_open, open, __ATOMIC_RELAXED);
	return work;
}

static void *
diamio_main(void *arg)
{
	struct jitsim_dp_diamio *d = arg;
	uint64_t now_ms = diamio_now_ms(), deadline;
	unsigned int work = 0;
	bool all, sctp = false;
	int rc;

	for (unsigned int i = 0; i < d->n_peers; i++)
		sctp |= d->peers[i].cfg->transport == JITSIM_DP_DIAM_SCTP;
	if (sctp && (rc = jitsim_sctp_probe()) != 0)
		jitsim_dp_log("diameter: SCTP is unavailable in this kernel (%s): every sctp "
			      "peer is retried with backoff until it is; production kernels "
			      "have it (modprobe sctp)",
			      strerror(-rc));
	for (unsigned int i = 0; i < d->n_peers; i++) {
		struct jitsim_dp_diamio_peer *dp = &d->peers[i];

		if (dp->cfg->listen)
			diamio_listen(dp, now_ms);
		else
			(void)jitsim_diam_peer_start(dp->peer, now_ms);
		diamio_publish(d, dp, 0, now_ms);
	}
	while (!__atomic_load_n(&d->quit, __ATOMIC_RELAXED))
		work = diamio_round(d, work > 0 ? 0 : DP_DIAMIO_IDLE_MS, &now_ms);

	/* Orderly stop (RFC 6733 5.4): DPR, then the DPA or the deadline. */
	deadline = now_ms + JITSIM_DP_DIAMIO_STOP_MS;
	for (unsigned int i = 0; i < d->n_peers; i++) {
		struct jitsim_dp_diamio_peer *dp = &d->peers[i];

		dp->listen_retry_ms = 0;
		diamio_publish(d, dp,
			       jitsim_diam_peer_stop(dp->peer, now_ms, JITSIM_DIAM_DC_REBOOTING),
			       now_ms);
	}
	do {
		diamio_round(d, DP_DIAMIO_IDLE_MS, &now_ms);
		all = true;
		for (unsigned int i = 0; i < d->n_peers; i++)
			all &= d->peers[i].stopped;
	} while (!all && now_ms < deadline);
	if (!all)
		jitsim_dp_log("diameter: some peers did not answer DPR in %u ms: closed",
			      JITSIM_DP_DIAMIO_STOP_MS);
	/* Peers still Closing keep their socket until here (diamio.h: every
	 * socket is closed at stop). */
	for (unsigned int i = 0; i < d->n_peers; i++)
		if (!d->peers[i].stopped)
			diamio_publish(d, &d->peers[i],
				       jitsim_diam_peer_close(d->peers[i].peer, now_ms), now_ms);
	return NULL;
}

int
jitsim_dp_diamio_start(struct jitsim_dp_diamio *d)
{
	int rc;

	__atomic_store_n(&d->quit, false, __ATOMIC_RELAXED);
	/* Created from the main lcore, the thread inherits its CPU set: it
	 * shares the main lcore's CPU, never a worker's. */
	rc = pthread_create(&d->thread, NULL, diamio_main, d);
	if (rc != 0)
		return -rc;
	pthread_setname_np(d->thread, "jitsim-diamio");
	d->running = true;
	return 0;
}

void
jitsim_dp_diamio_stop(struct jitsim_dp_diamio *d)
{
	if (!d->running)
		return;
	__atomic_store_n(&d->quit, true, __ATOMIC_RELAXED);
	pthread_join(d->thread, NULL);
	d->running = false;
}

void
jitsim_dp_diamio_free(struct jitsim_dp_diamio *d)
{
	for (unsigned int i = 0; i < d->n_peers; i++) {
		jitsim_diam_peer_destroy(d->peers[i].peer);
		d->peers[i].peer = NULL;
	}
	d->n_peers = 0;
	for (unsigned int w = 0; w < d->n_workers; w++) {
		rte_ring_free(d->rx[w]);
		rte_ring_free(d->tx[w]);
		d->rx[w] = d->tx[w] = NULL;
	}
	d->n_workers = 0;
	free(d->dup);
	free(d->map);
	free(d->map_free);
	free(d->scratch);
	d->dup = NULL;
	d->map = NULL;
	d->map_free = NULL;
	d->scratch = NULL;
}
