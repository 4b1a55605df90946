/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp ports: which ethdev ports are used, their mbuf pools (one per
 * NUMA socket), configuration (RX queues, RSS, descriptors), start, stop
 * and close.
 *
 * RX only: jitsim-dp in monitor mode never transmits (one TX queue is
 * configured where the PMD has one, because some PMDs refuse a port
 * without, and never used).
 *
 * RSS hashes on the IP addresses only (no ports): every packet of an
 * SCTP association, and of a TCP connection, lands on the same queue,
 * hence the same worker, whose reassembly context (SCTP fragments, SCCP
 * segments) must see all of them.
 *
 * Thread-safety: main thread only, before the workers start and after
 * they stopped.
 */

#ifndef JITSIM_DP_PORT_H
#define JITSIM_DP_PORT_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "config.h"

struct rte_mempool;

struct jitsim_dp_port {
	uint16_t port_id;
	uint16_t n_rxq;
	uint16_t rxd; /* after the PMD's adjustment */
	uint32_t dlt;
	int socket; /* NUMA socket of the port (0 if unknown) */
	bool rss;
	bool configured;
	bool started;
	char name[64]; /* ethdev name ("net_pcap0", PCI address) */
	char driver[32];
};

/* Max NUMA sockets handled (DPDK's RTE_MAX_NUMA_NODES in this build). */
#define JITSIM_DP_SOCKET_MAX 32

struct jitsim_dp_ports {
	unsigned int n;
	struct jitsim_dp_port port[JITSIM_DP_PORT_MAX];
	struct rte_mempool *pool[JITSIM_DP_SOCKET_MAX];
};

/*
 * After rte_eal_init: resolve the configured port list (every probed
 * port, or the listed ids, which must exist) and check each port's queue
 * count against what the PMD offers. Touches no port. 0 or -errno with
 * @err set (naming the port and the config key).
 */
int jitsim_dp_ports_resolve(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
			    size_t errlen);

/* Worker count: the sum of RX queues. */
unsigned int jitsim_dp_ports_queues(const struct jitsim_dp_ports *p);

/* Create the pools, configure each port and its RX queues. 0 or -errno. */
int jitsim_dp_ports_setup(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
			  size_t errlen);

/* Start every port (promiscuous mode per config). 0 or -errno. */
int jitsim_dp_ports_start(struct jitsim_dp_ports *p, const struct jitsim_dp_config *c, char *err,
			  size_t errlen);

/* After start: check that enough mbufs are left in each pool for the
 * workers to receive (a PMD may keep many: net_pcap's infinite_rx).
 * 0 or -ENOSPC with @err naming [ports] mbufs. */
int jitsim_dp_ports_check_pools(const struct jitsim_dp_ports *p, const struct jitsim_dp_config *c,
				char *err, size_t errlen);

/* Stop and close every configured port, free the pools. */
void jitsim_dp_ports_close(struct jitsim_dp_ports *p);

#endif /* JITSIM_DP_PORT_H */
