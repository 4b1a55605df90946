/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp configuration: the INI file (libinih) and the command line,
 * checked completely before rte_eal_init() so that a bad value costs no
 * EAL start and touches no port (docs/jitsim-dp.md lists every key).
 *
 * DPDK-free on purpose: parsed and range-checked without the EAL, so it
 * can be unit-tested alone. What only the EAL can tell (does port 3
 * exist, are there enough lcores) is checked later by port.c and main.c.
 *
 * Thread-safety: filled by the main thread at start, read-only afterwards.
 * Ownership: jitsim_dp_config_free() releases the strings it holds.
 */

#ifndef JITSIM_DP_CONFIG_H
#define JITSIM_DP_CONFIG_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>

/* Port ids accepted in the configuration (DPDK's RTE_MAX_ETHPORTS is 32
 * in the Debian build; port.c rejects ids the EAL did not probe). */
#define JITSIM_DP_PORT_MAX 32
/* Workers at most: one event ring each (include/jitsim/shm.h). */
#define JITSIM_DP_WORKER_MAX 64
/* RX burst at most (per-worker arrays are sized with it). */
#define JITSIM_DP_BURST_MAX 512
/* Home IMSI prefixes at most (JITSIM_DETECT_HOME_MAX). */
#define JITSIM_DP_HOME_MAX 32
/* Instance name: shm segment "/jitsim.<name>" must fit in 32 bytes. */
#define JITSIM_DP_INSTANCE_MAX 24

/* Defaults (documented in docs/jitsim-dp.md and --help). */
#define JITSIM_DP_DEF_INSTANCE "default"
#define JITSIM_DP_DEF_STORE "/var/lib/jitsim/store"
#define JITSIM_DP_DEF_STATS_INTERVAL 10
#define JITSIM_DP_DEF_LEASE 30
#define JITSIM_DP_DEF_EPOCH 3600
#define JITSIM_DP_DEF_UNKNOWN_RATE 10
#define JITSIM_DP_DEF_RXQ 1
#define JITSIM_DP_DEF_RXD 1024
#define JITSIM_DP_DEF_BURST 32
#define JITSIM_DP_DEF_MBUFS 8191
#define JITSIM_DP_DEF_MBUF_SIZE 2176 /* RTE_MBUF_DEFAULT_BUF_SIZE: 2048 + 128 headroom */
#define JITSIM_DP_DEF_SHM_RINGS 16
#define JITSIM_DP_DEF_SHM_SLOTS 65536

enum jitsim_dp_rss {
	JITSIM_DP_RSS_AUTO = 0, /* on when the port supports it and rxq > 1 */
	JITSIM_DP_RSS_ON,	/* required: error if the port cannot */
	JITSIM_DP_RSS_OFF,
};

/* [ss7] (issue 8, the First Time Attach endpoint on M3UA): limits. */
#define JITSIM_DP_SS7_LINK_MAX 16    /* asp + listen lines */
#define JITSIM_DP_SS7_REGION_MAX 256 /* hlr lines: region ids 0..255 */
#define JITSIM_DP_SS7_GT_MAX 15	     /* E.164 digits at most (ITU-T E.164 6.1) */
#define JITSIM_DP_SS7_NAME_MAX 31    /* asp names */
#define JITSIM_DP_SS7_PC_MAX 0x3fffu /* ITU 14-bit point codes (the SCCP codec is ITU-only) */
#define JITSIM_DP_SS7_DEF_NI 2	     /* national network (Q.704 14.2.2): what osmo-stp tests use */
#define JITSIM_DP_SS7_DEF_SSN 6	     /* HLR (3GPP TS 23.003 8.2) */
#define JITSIM_DP_SS7_DEF_LOCKED_ERROR 1 /* MAP unknownSubscriber (TS 29.002 17.6.1) */
#define JITSIM_DP_SS7_DEF_RING_SLOTS 1024

enum jitsim_dp_ss7_role {
	JITSIM_DP_SS7_ASP = 1, /* client: connects to an SGP/STP ("asp =") */
	JITSIM_DP_SS7_SGP,     /* server: an STP or IPSP connects to us ("listen =") */
};

enum jitsim_dp_ss7_mode {
	JITSIM_DP_SS7_OVERRIDE = 1, /* RFC 4666 3.8.1 Traffic Mode Type 1 */
	JITSIM_DP_SS7_LOADSHARE = 2,
};

/* An IP endpoint as written in the file ("127.0.0.1:2905", "[::1]:2905"). */
struct jitsim_dp_ss7_ep {
	int family;	/* AF_INET or AF_INET6 */
	uint8_t ip[16]; /* network order, 4 bytes used for AF_INET */
	uint16_t port;	/* host order; 0 for a client's local endpoint: any */
};

/* One association: "asp = NAME LOCAL REMOTE [rc=N] [mode=...]" or
 * "listen = LOCAL [rc=N] [mode=...]". */
struct jitsim_dp_ss7_link {
	char name[JITSIM_DP_SS7_NAME_MAX + 1]; /* "listen-N" for a listener */
	uint8_t role;			       /* enum jitsim_dp_ss7_role */
	uint8_t mode;			       /* enum jitsim_dp_ss7_mode */
	bool has_rc;
	uint32_t rc; /* routing context (RFC 4666 3.3.1) */
	struct jitsim_dp_ss7_ep local;
	struct jitsim_dp_ss7_ep remote; /* ASP only */
};

/* The HLR of one region: "hlr = REGION PC [GT] [ssn=N]". */
struct jitsim_dp_ss7_hlr {
	bool set;
	uint8_t ssn;
	uint32_t pc;
	char gt[JITSIM_DP_SS7_GT_MAX + 1]; /* "" : route on PC/SSN */
};

struct jitsim_dp_ss7_config {
	bool enabled; /* an [ss7] section was given */
	bool has_own_pc;
	uint32_t own_pc;
	char own_gt[JITSIM_DP_SS7_GT_MAX + 1]; /* "" : none */
	uint8_t own_ssn;
	uint8_t ni;
	uint8_t locked_error;
	bool has_default_route;
	uint32_t default_route; /* DPC of a GT-only called party that is not ours (the STP) */
	struct jitsim_dp_ss7_hlr default_hlr; /* regions without an HLR, unknown IMSIs */
	bool unknown_relay;		      /* unknown IMSIs to default_hlr (else dropped) */
	uint32_t ring_slots;		      /* per worker, each direction, power of two */
	uint16_t workers;		      /* SS7-only workers when no port is in use */
	unsigned int n_links;
	struct jitsim_dp_ss7_link link[JITSIM_DP_SS7_LINK_MAX];
	unsigned int n_hlr; /* regions with an HLR */
	struct jitsim_dp_ss7_hlr hlr[JITSIM_DP_SS7_REGION_MAX];
};

/*
 * A point code as written: "0.23.2" (ITU 3-8-3, as osmo-stp prints it)
 * or a plain decimal number up to JITSIM_DP_SS7_PC_MAX. 0 or -1.
 * (dataplane/fta has the same rules in jitsim_fta_pc_parse(); this one
 * keeps config.c free of the FTA library.)
 */
int jitsim_dp_ss7_parse_pc(const char *s, uint32_t *pc);

/* [diameter] (issue 9, the First Time Attach endpoint on S6a): limits. */
#define JITSIM_DP_DIAM_PEER_MAX 32	      /* peer + hss lines */
#define JITSIM_DP_DIAM_REGION_MAX 256	      /* hss lines: region ids 0..255 */
#define JITSIM_DP_DIAM_NAME_MAX 31	      /* peer names */
#define JITSIM_DP_DIAM_HOST_MAX 127	      /* DiameterIdentity kept (fta_diam's limit) */
#define JITSIM_DP_DIAM_DEF_WATCHDOG 30	      /* Tw, s (RFC 3539 3.4.1 default) */
#define JITSIM_DP_DIAM_DEF_LOCKED_RESULT 5001 /* DIAMETER_ERROR_USER_UNKNOWN (TS 29.272 7.4.3) */
#define JITSIM_DP_DIAM_DEF_RING_SLOTS 1024

enum jitsim_dp_diam_kind {
	JITSIM_DP_DIAM_CLIENT = 1, /* "peer =": an MME, DRA or relay; requests come in */
	JITSIM_DP_DIAM_HSS,	   /* "hss =": the real HSS of a region; we connect */
};

enum jitsim_dp_diam_transport {
	JITSIM_DP_DIAM_TCP = 1,
	JITSIM_DP_DIAM_SCTP, /* PPID 46 (RFC 6733 2.1) */
};

/* "peer = NAME listen|connect tcp|sctp ADDR:PORT [host=H] [local=ADDR:PORT]" or
 * "hss = REGION NAME tcp|sctp ADDR:PORT host=H realm=R [local=ADDR:PORT]".
 * The index in jitsim_dp_diam_config.peer[] is the dp peer index (sig assoc). */
struct jitsim_dp_diam_peer {
	char name[JITSIM_DP_DIAM_NAME_MAX + 1];
	uint8_t kind;		      /* enum jitsim_dp_diam_kind */
	uint8_t transport;	      /* enum jitsim_dp_diam_transport */
	bool listen;		      /* client peer that connects to us */
	uint16_t region;	      /* HSS only */
	struct jitsim_dp_ss7_ep addr; /* listen: local address; else the remote one */
	bool has_local;		      /* initiator: bind first */
	struct jitsim_dp_ss7_ep local;
	char host[JITSIM_DP_DIAM_HOST_MAX + 1];	 /* "" : any (client peers only) */
	char realm[JITSIM_DP_DIAM_HOST_MAX + 1]; /* HSS only */
};

struct jitsim_dp_diam_config {
	bool enabled; /* a [diameter] section was given */
	char origin_host[JITSIM_DP_DIAM_HOST_MAX + 1];
	char origin_realm[JITSIM_DP_DIAM_HOST_MAX + 1];
	bool has_host_ip;
	struct jitsim_dp_ss7_ep host_ip; /* port unused */
	int32_t default_hss;		 /* region, -1 none */
	bool unknown_proxy;		 /* unknown IMSIs to default_hss (else answered 5001) */
	uint32_t locked_result;		 /* Experimental-Result-Code for LOCKED/BLOCKED */
	bool redirect;			 /* ACTIVE: 3006 instead of proxying */
	uint32_t watchdog_s;		 /* Tw */
	uint16_t workers;		 /* Diameter-only workers when no port and no [ss7] */
	uint32_t ring_slots;		 /* per worker, each direction, power of two */
	unsigned int n_peers;
	unsigned int n_clients;
	unsigned int n_hss;
	struct jitsim_dp_diam_peer peer[JITSIM_DP_DIAM_PEER_MAX];
};

/* Per-port overrides ([port N]); 0 means "use the [ports] value". */
struct jitsim_dp_port_override {
	uint16_t rxq;
	uint32_t dlt;
};

struct jitsim_dp_config {
	/* [instance] */
	char instance[JITSIM_DP_INSTANCE_MAX + 1];
	char *store;   /* malloc'd */
	bool no_store; /* --no-store: start with empty tables */
	uint32_t stats_interval;

	/* [eal] */
	char *eal_args;	     /* malloc'd, whitespace-separated, may be NULL */
	char *eal_lcores;    /* malloc'd, value for -l, may be NULL */
	int cli_eal_argc;    /* EAL arguments after "--" on the command line */
	char **cli_eal_argv; /* points into main()'s argv */

	/* [detect] */
	uint32_t lease_s;
	uint32_t epoch_s;
	uint32_t unknown_rate;
	unsigned int n_home;
	char home[JITSIM_DP_HOME_MAX][16]; /* digit prefixes, checked */

	/* [ports] */
	bool ports_all; /* every probed port (the default) */
	unsigned int n_ports;
	uint16_t ports[JITSIM_DP_PORT_MAX];
	uint16_t rxq;
	uint16_t rxd;
	uint16_t burst;
	uint32_t mbufs;
	uint16_t mbuf_size;
	enum jitsim_dp_rss rss;
	bool promisc;
	uint32_t dlt; /* enum jitsim_dlt */
	struct jitsim_dp_port_override port[JITSIM_DP_PORT_MAX];

	/* [shm] (used only when jitsim-dp creates the segment) */
	uint32_t shm_rings;
	uint32_t shm_event_slots;
	uint32_t shm_update_slots;

	/* [ss7] */
	struct jitsim_dp_ss7_config ss7;

	/* [diameter] */
	struct jitsim_dp_diam_config diam;
};

/* Defaults everywhere. */
void jitsim_dp_config_default(struct jitsim_dp_config *c);

/* Release what the config holds (it can be reused after _default()). */
void jitsim_dp_config_free(struct jitsim_dp_config *c);

/*
 * Read the INI file @path into @c (on top of what is there). 0, or -1
 * with a message in @err naming FILE:LINE, the section, the key and the
 * bad value (or the syntax error, or why the file cannot be read).
 * Unknown sections and keys are errors.
 */
int jitsim_dp_config_load(struct jitsim_dp_config *c, const char *path, char *err, size_t errlen);

/*
 * Set one key as the file would ("detect", "lease", "30"): the command
 * line uses it so that both get the same checks. @where names the source
 * for messages ("--lease"). 0 or -1 with @err set.
 */
int jitsim_dp_config_set(struct jitsim_dp_config *c, const char *section, const char *key,
			 const char *value, const char *where, char *err, size_t errlen);

/* Cross-field checks once everything is read. 0 or -1 with @err set. */
int jitsim_dp_config_check(const struct jitsim_dp_config *c, char *err, size_t errlen);

/* Write the effective configuration as an INI file (every key, defaults
 * included) to @f: what --check-config prints. */
void jitsim_dp_config_dump(const struct jitsim_dp_config *c, FILE *f);

/* Queues of port @port_id: its [port N] rxq, else [ports] rxq. */
uint16_t jitsim_dp_config_rxq(const struct jitsim_dp_config *c, uint16_t port_id);
/* Link type of port @port_id: its [port N] link, else [ports] link. */
uint32_t jitsim_dp_config_dlt(const struct jitsim_dp_config *c, uint16_t port_id);
/* Name of a link type as written in the file ("ethernet"), "?" if none. */
const char *jitsim_dp_config_dlt_name(uint32_t dlt);

#endif /* JITSIM_DP_CONFIG_H */
