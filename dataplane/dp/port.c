/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp ports (port.h).
 */

#include <errno.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>

#include <rte_ethdev.h>
#include <rte_lcore.h>
#include <rte_mbuf.h>
#include <rte_mempool.h>

#include "log.h"
#include "port.h"

/* Per-lcore mempool cache: DPDK's usual 256, smaller for small pools
 * (a cache may hold up to 1.5x its size, which must stay well below the
 * pool or the other lcores starve). */
#define DP_POOL_CACHE 256

_Static_assert(JITSIM_DP_DEF_MBUF_SIZE == RTE_MBUF_DEFAULT_BUF_SIZE,
	       "config.h's default mbuf_size is DPDK's default");

static int dp_perr(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

static int
dp_perr(char *err, size_t errlen, int rc, const char *fmt, ...)
{
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(err, errlen, fmt, ap);
	va_end(ap);
	return rc;
}

static int
dp_port_add(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, uint16_t id, char *err,
	    size_t errlen)
{
	struct jitsim_dp_port *pt = &p->port[p->n];
	struct rte_eth_dev_info info;
	int rc, sock;

	if (p->n >= JITSIM_DP_PORT_MAX)
		return dp_perr(err, errlen, -E2BIG, "[ports]: more than %u ports",
			       JITSIM_DP_PORT_MAX);
	rc = rte_eth_dev_info_get(id, &info);
	if (rc != 0)
		return dp_perr(err, errlen, rc, "port %u: cannot get device info: %s", id,
			       rte_strerror(-rc));
	memset(pt, 0, sizeof(*pt));
	pt->port_id = id;
	pt->n_rxq = jitsim_dp_config_rxq(c, id);
	pt->dlt = jitsim_dp_config_dlt(c, id);
	sock = rte_eth_dev_socket_id(id);
	pt->socket = sock >= 0 && sock < JITSIM_DP_SOCKET_MAX ? sock : 0;
	if (rte_eth_dev_get_name_by_port(id, pt->name) != 0)
		snprintf(pt->name, sizeof(pt->name), "port%u", id);
	snprintf(pt->driver, sizeof(pt->driver), "%s", info.driver_name ? info.driver_name : "?");
	if (pt->n_rxq > info.max_rx_queues)
		return dp_perr(err, errlen, -EINVAL,
			       "port %u (%s, %s): rxq = %u but the device has at most %u RX "
			       "queues (set [ports] rxq or [port %u] rxq; a net_pcap vdev has one "
			       "queue per rx_pcap argument)",
			       id, pt->name, pt->driver, pt->n_rxq, info.max_rx_queues, id);
	p->n++;
	return 0;
}

/* A [port N] section for a port that is not used is most likely a typo
 * or a configuration written for another machine: said, not fatal. */
static void
dp_ports_warn_unused(const struct jitsim_dp_ports *p, const struct jitsim_dp_config *c)
{
	for (uint16_t id = 0; id < JITSIM_DP_PORT_MAX; id++) {
		bool used = false;

		if (c->port[id].rxq == 0 && c->port[id].dlt == 0)
			continue;
		for (unsigned int i = 0; i < p->n; i++)
			used |= p->port[i].port_id == id;
		if (!used)
			jitsim_dp_log("[port %u]: port %u is not in use (%u port(s) used); its "
				      "settings are ignored",
				      id, id, p->n);
	}
}

static int
dp_ports_resolve(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
		 size_t errlen)
{
	uint16_t id;
	int rc;

	memset(p, 0, sizeof(*p));
	if (c->ports_all) {
		RTE_ETH_FOREACH_DEV(id)
		{
			rc = dp_port_add(p, c, id, err, errlen);
			if (rc != 0)
				return rc;
		}
		if (p->n == 0)
			return dp_perr(
				err, errlen, -ENODEV,
				"no ports: the EAL probed none (give a NIC, or a vdev such "
				"as --vdev net_pcap0,rx_pcap=FILE in [eal] args or after --)");
		return 0;
	}
	for (unsigned int i = 0; i < c->n_ports; i++) {
		id = c->ports[i];
		if (!rte_eth_dev_is_valid_port(id))
			return dp_perr(err, errlen, -ENODEV,
				       "[ports] ports: port %u does not exist (the EAL probed %u "
				       "port(s))",
				       id, rte_eth_dev_count_avail());
		rc = dp_port_add(p, c, id, err, errlen);
		if (rc != 0)
			return rc;
	}
	return 0;
}

int
jitsim_dp_ports_resolve(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
			size_t errlen)
{
	int rc = dp_ports_resolve(p, c, err, errlen);

	if (rc == 0)
		dp_ports_warn_unused(p, c);
	return rc;
}

unsigned int
jitsim_dp_ports_queues(const struct jitsim_dp_ports *p)
{
	unsigned int n = 0;

	for (unsigned int i = 0; i < p->n; i++)
		n += p->port[i].n_rxq;
	return n;
}

static int
dp_pools_create(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
		size_t errlen)
{
	unsigned int queues[JITSIM_DP_SOCKET_MAX] = {0};
	unsigned int cache = DP_POOL_CACHE;

	while (cache > 0 && (uint64_t)cache * 8 > c->mbufs)
		cache /= 2;
	for (unsigned int i = 0; i < p->n; i++)
		queues[p->port[i].socket] += p->port[i].n_rxq;
	for (int s = 0; s < JITSIM_DP_SOCKET_MAX; s++) {
		char name[RTE_MEMPOOL_NAMESIZE];
		uint64_t need;

		if (queues[s] == 0)
			continue;
		/* Each queue's ring full of mbufs, a burst in every worker's
		 * hands and every worker's cache (plus the main lcore's). */
		need = (uint64_t)queues[s] * (c->rxd + c->burst + cache) + cache;
		if (need > c->mbufs)
			return dp_perr(err, errlen, -ENOSPC,
				       "[ports] mbufs = %u: too few for socket %d: %u queue(s) x "
				       "(rxd %u + burst %u + cache %u) + %u = %" PRIu64 " at least",
				       c->mbufs, s, queues[s], c->rxd, c->burst, cache, cache,
				       need);
		snprintf(name, sizeof(name), "jitsim_mbuf_%d", s);
		p->pool[s] = rte_pktmbuf_pool_create(name, c->mbufs, cache, 0, c->mbuf_size, s);
		if (p->pool[s] == NULL)
			return dp_perr(
				err, errlen, -rte_errno,
				"socket %d: cannot create a pool of %u mbufs of %u bytes: %s "
				"(more memory: -m MB with --no-huge, or hugepages)",
				s, c->mbufs, c->mbuf_size, rte_strerror(rte_errno));
	}
	return 0;
}

static int
dp_port_configure(struct jitsim_dp_ports *p, struct jitsim_dp_port *pt,
		  const struct jitsim_dp_config *c, char *err, size_t errlen)
{
	struct rte_eth_conf conf;
	struct rte_eth_dev_info info;
	uint16_t rxd = c->rxd, txd = 64, ntx;
	int rc;

	rc = rte_eth_dev_info_get(pt->port_id, &info);
	if (rc != 0)
		return dp_perr(err, errlen, rc, "port %u: device info: %s", pt->port_id,
			       rte_strerror(-rc));
	memset(&conf, 0, sizeof(conf));
	if (pt->n_rxq > 1 && c->rss != JITSIM_DP_RSS_OFF) {
		uint64_t hf = RTE_ETH_RSS_IP & info.flow_type_rss_offloads;

		if (hf != 0) {
			conf.rxmode.mq_mode = RTE_ETH_MQ_RX_RSS;
			conf.rx_adv_conf.rss_conf.rss_hf = hf;
			pt->rss = true;
		} else if (c->rss == JITSIM_DP_RSS_ON) {
			return dp_perr(err, errlen, -ENOTSUP,
				       "port %u (%s): [ports] rss = on but the device cannot hash "
				       "on IP addresses",
				       pt->port_id, pt->name);
		} else {
			jitsim_dp_log("port %u (%s): no RSS; its %u queues get what the device "
				      "puts in each",
				      pt->port_id, pt->name, pt->n_rxq);
		}
	}
	/* Frames longer than an mbuf arrive chained when the PMD can; the
	 * worker linearises them. */
	if (info.rx_offload_capa & RTE_ETH_RX_OFFLOAD_SCATTER)
		conf.rxmode.offloads |= RTE_ETH_RX_OFFLOAD_SCATTER;
	ntx = info.max_tx_queues > 0 ? 1 : 0;
	rc = rte_eth_dev_configure(pt->port_id, pt->n_rxq, ntx, &conf);
	if (rc != 0)
		return dp_perr(err, errlen, rc, "port %u (%s): configure %u RX queue(s): %s",
			       pt->port_id, pt->name, pt->n_rxq, rte_strerror(-rc));
	pt->configured = true;
	rc = rte_eth_dev_adjust_nb_rx_tx_desc(pt->port_id, &rxd, &txd);
	if (rc != 0)
		return dp_perr(err, errlen, rc, "port %u (%s): descriptors: %s", pt->port_id,
			       pt->name, rte_strerror(-rc));
	pt->rxd = rxd;
	for (uint16_t q = 0; q < pt->n_rxq; q++) {
		rc = rte_eth_rx_queue_setup(pt->port_id, q, rxd, (unsigned int)pt->socket, NULL,
					    p->pool[pt->socket]);
		if (rc != 0)
			return dp_perr(err, errlen, rc,
				       "port %u (%s): RX queue %u (%u descriptors): %s (a net_pcap "
				       "vdev with infinite_rx=1 keeps every frame of the trace in "
				       "an mbuf: raise [ports] mbufs)",
				       pt->port_id, pt->name, q, rxd, rte_strerror(-rc));
	}
	for (uint16_t q = 0; q < ntx; q++) {
		rc = rte_eth_tx_queue_setup(pt->port_id, q, txd, (unsigned int)pt->socket, NULL);
		if (rc != 0)
			return dp_perr(err, errlen, rc, "port %u (%s): TX queue: %s", pt->port_id,
				       pt->name, rte_strerror(-rc));
	}
	return 0;
}

int
jitsim_dp_ports_setup(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
		      size_t errlen)
{
	int rc = dp_pools_create(p, c, err, errlen);

	for (unsigned int i = 0; rc == 0 && i < p->n; i++)
		rc = dp_port_configure(p, &p->port[i], c, err, errlen);
	return rc;
}

int
jitsim_dp_ports_start(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
		      size_t errlen)
{
	for (unsigned int i = 0; i < p->n; i++) {
		struct jitsim_dp_port *pt = &p->port[i];
		int rc = rte_eth_dev_start(pt->port_id);

		if (rc != 0)
			return dp_perr(err, errlen, rc, "port %u (%s): start: %s", pt->port_id,
				       pt->name, rte_strerror(-rc));
		pt->started = true;
		if (c->promisc) {
			rc = rte_eth_promiscuous_enable(pt->port_id);
			/* A mirror port must see frames for other MACs; a
			 * vdev that has no such mode receives everything. */
			if (rc != 0 && rc != -ENOTSUP)
				jitsim_dp_log("port %u (%s): promiscuous mode: %s", pt->port_id,
					      pt->name, rte_strerror(-rc));
		}
	}
	return 0;
}

int
jitsim_dp_ports_check_pools(const struct jitsim_dp_ports *p, const struct jitsim_dp_config *c,
			    char *err, size_t errlen)
{
	unsigned int queues[JITSIM_DP_SOCKET_MAX] = {0};

	for (unsigned int i = 0; i < p->n; i++)
		queues[p->port[i].socket] += p->port[i].n_rxq;
	for (int s = 0; s < JITSIM_DP_SOCKET_MAX; s++) {
		unsigned int avail, need;

		if (p->pool[s] == NULL)
			continue;
		/* Started ports hold their descriptors' mbufs already; what
		 * is left must let every worker receive bursts. net_pcap with
		 * infinite_rx=1 takes one mbuf per frame of its trace at
		 * start and otherwise receives nothing, silently. */
		avail = rte_mempool_avail_count(p->pool[s]);
		need = 2u * queues[s] * c->burst;
		if (avail < need)
			return dp_perr(err, errlen, -ENOSPC,
				       "[ports] mbufs = %u: only %u mbufs left on socket %d once "
				       "the ports started, %u needed for %u queue(s) to receive "
				       "(a net_pcap vdev with infinite_rx=1 keeps every frame of "
				       "its trace in an mbuf: add the trace's frame count)",
				       c->mbufs, avail, s, need, queues[s]);
	}
	return 0;
}

void
jitsim_dp_ports_close(struct jitsim_dp_ports *p)
{
	for (unsigned int i = 0; i < p->n; i++) {
		struct jitsim_dp_port *pt = &p->port[i];

		if (pt->started) {
			int rc = rte_eth_dev_stop(pt->port_id);

			if (rc != 0)
				jitsim_dp_log("port %u (%s): stop: %s", pt->port_id, pt->name,
					      rte_strerror(-rc));
			pt->started = false;
		}
		if (pt->configured) {
			rte_eth_dev_close(pt->port_id);
			pt->configured = false;
		}
	}
	for (int s = 0; s < JITSIM_DP_SOCKET_MAX; s++) {
		rte_mempool_free(p->pool[s]);
		p->pool[s] = NULL;
	}
}
