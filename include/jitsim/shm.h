/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The shared-memory ABI between jitsim-dp (dataplane) and jitsim-cp
 * (control plane): one POSIX shm segment per instance, "/jitsim.<instance>"
 * (ARCHITECTURE.md "Shared memory ABI"; docs/shm.md).
 *
 * Layout (every offset a multiple of 64, every ring an rte_ring initialised
 * in place with rte_ring_init(); elements are the fixed-size records below,
 * moved with the rte_ring_*_elem() calls and JITSIM_SHM_REC_SIZE):
 *
 *   struct jitsim_shm_hdr                       (one 4 KiB page)
 *   event ring 0 .. n_event_rings-1             dp worker i -> cp, SPSC
 *   update ring                                 cp -> dp updater thread, SPSC
 *
 * Who creates it: whichever process starts first (normally jitsim-cp)
 * creates the segment with O_EXCL, mode 0660, sizes it from its own
 * configuration, initialises header and rings and publishes the magic
 * last; the other side maps it, waits for the magic and refuses a wrong
 * magic, ABI version or size. Nobody ever unlinks it while running:
 * either side can restart and re-attach.
 *
 * Restart of one side: the rings are SPSC and each side owns one half of
 * each ring (producer or consumer). A process that attaches resets its
 * own halves (head back to tail: a record a crashed predecessor had
 * reserved but not published is discarded), bumps its generation and
 * keeps its heartbeat moving. Records already published survive the
 * restart of either side. A dropped or discarded event is harmless: the
 * SIM stays in its state and the device's next attach raises it again.
 *
 * Compatibility: the records and header fields are packed explicitly
 * (sizes asserted below); append fields only in spare bytes, and bump
 * JITSIM_SHM_ABI_VERSION for any change in meaning or layout.
 */

#ifndef JITSIM_SHM_H
#define JITSIM_SHM_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#define JITSIM_SHM_MAGIC 0x4d4853534d49544aULL /* "JITSIMSHM" little-endian, 8 bytes */
#define JITSIM_SHM_ABI_VERSION 3u	       /* 2: sig_up/sig_down rings; 3: Diameter kinds */
#define JITSIM_SHM_REC_SIZE 64u		       /* every record: one cache line */
#define JITSIM_SHM_MAX_RINGS 64u	       /* event rings (worker lcores) at most */
#define JITSIM_SHM_HDR_SIZE 4096u	       /* header page */
#define JITSIM_SHM_NAME_MAX 64u		       /* "/jitsim.<instance>" incl. NUL */

/* Event types (dp -> cp). */
enum jitsim_event_type {
	JITSIM_EV_NONE = 0,
	JITSIM_EV_FIRST_ATTACH = 1,    /* INVENTORY SIM attached; lease taken (ACTIVATING) */
	JITSIM_EV_REATTACH = 2,	       /* SLEEPING SIM attached; lease taken (REACTIVATING) */
	JITSIM_EV_ACTIVITY = 3,	       /* ACTIVE SIM seen, first time in this epoch */
	JITSIM_EV_BLOCKED_ATTEMPT = 4, /* LOCKED/BLOCKED SIM attached, first time in this epoch */
	JITSIM_EV_UNKNOWN_IMSI = 5,    /* home-range IMSI not in the table (rate-limited) */
	JITSIM_EV_WAKEUP_MT = 6,       /* SRI/SRI-SM to a SLEEPING SIM's MSISDN; lease taken */
	JITSIM_EV_TYPE_MAX
};

/* Protocol of the triggering message (event.proto): jitsim_msg_proto. */
#define JITSIM_EV_PROTO_MAP 1
#define JITSIM_EV_PROTO_DIAMETER 2

/* What event.visited holds. */
enum jitsim_ev_visited {
	JITSIM_EV_VIS_NONE = 0,
	JITSIM_EV_VIS_VLR = 1,	/* MAP VLR number (UpdateLocation, PurgeMS) */
	JITSIM_EV_VIS_SGSN = 2, /* MAP SGSN number (UpdateGprsLocation) */
	JITSIM_EV_VIS_GT = 3,	/* SCCP calling GT (SAI, SRI, SRI-SM, ...) */
	JITSIM_EV_VIS_PLMN = 4, /* S6a Visited-PLMN-Id as MCCMNC digits */
};

/*
 * One event, dp -> cp. Digit strings are compact keys
 * (jitsim_digits_key(): count << 56 | value), 0 when absent.
 */
struct jitsim_event {
	uint8_t type;	      /* enum jitsim_event_type */
	uint8_t proto;	      /* JITSIM_EV_PROTO_* */
	uint16_t op;	      /* MAP operation code or Diameter command code */
	uint8_t visited_kind; /* enum jitsim_ev_visited */
	uint8_t map_version;  /* MAP application-context version, 0 if unknown */
	uint8_t prev_state;   /* SIM state seen before the event (enum jitsim_sim_state) */
	uint8_t sim_flags;    /* the entry's flags */
	uint16_t lcore;	      /* worker that saw it */
	uint16_t tenant;
	uint16_t region;      /* the entry's region (from the store), not the visited one */
	uint16_t rat_type;    /* S6a RAT-Type (TS 29.212), 0xffff if absent */
	uint32_t seq;	      /* per-ring sequence number, from 1, gaps mean drops */
	uint32_t lease_until; /* lease expiry (s, CLOCK_REALTIME) for attach events, else 0 */
	uint64_t imsi;	      /* compact key */
	uint64_t msisdn;      /* compact key from the message or the entry, 0 if none */
	uint64_t visited;     /* compact key of the visited address (see visited_kind) */
	uint64_t imei;	      /* compact key of the IMEI (S6a Terminal-Information), 0 if absent */
	uint32_t origin_hash; /* FNV-1a of Diameter Origin-Host, 0 for MAP */
	uint32_t ts_s;	      /* CLOCK_REALTIME seconds when seen */
};

/* Update operations (cp -> dp). */
enum jitsim_update_op {
	JITSIM_UPD_NONE = 0,
	JITSIM_UPD_PUT = 1,	  /* add or replace the IMSI entry (all fields) and its MSISDN */
	JITSIM_UPD_DEL = 2,	  /* remove the IMSI entry and its MSISDN mapping */
	JITSIM_UPD_SET_STATE = 3, /* replace only the state word (state, flags, time) */
	JITSIM_UPD_SYNC = 4,	  /* no table change: dp acknowledges seq in the header */
	JITSIM_UPD_OP_MAX
};

/*
 * One table update, cp -> dp updater thread. PUT: if the IMSI already had
 * another MSISDN, the old mapping is removed; msisdn 0 removes it.
 */
struct jitsim_update {
	uint8_t op;    /* enum jitsim_update_op */
	uint8_t state; /* enum jitsim_sim_state */
	uint8_t flags; /* JITSIM_SIM_F_* */
	uint8_t spare0;
	uint16_t tenant;
	uint16_t region;
	uint32_t time;	 /* the state word's time field (lease expiry or epoch) */
	uint32_t seq;	 /* cp's sequence number, echoed in hdr.dp_update_seq */
	uint64_t imsi;	 /* compact key */
	uint64_t msisdn; /* compact key, 0 if none */
	uint8_t spare[32];
};

/*
 * Signaling messages of the First Time Attach endpoint (docs/fta.md):
 * one MTP3-routed SCCP message per record. dp -> cp (sig_up) carries what
 * the workers hand to jitsim-cp's dialogue engine (requests of INVENTORY
 * and SLEEPING SIMs, continuations of jitsim-cp's own TCAP dialogues);
 * cp -> dp (sig_down) carries what jitsim-cp wants sent on an association.
 */
#define JITSIM_SIG_REC_SIZE 1024u
#define JITSIM_SIG_HDR_SIZE 48u
#define JITSIM_SIG_DATA_MAX (JITSIM_SIG_REC_SIZE - JITSIM_SIG_HDR_SIZE) /* 976 */
/* Top octet of every 4-octet TCAP transaction id jitsim-cp allocates:
 * the workers forward continuations with this dtid to jitsim-cp. */
#define JITSIM_FTA_TID_TAG 0xCFu
/* sig.assoc of a cp -> dp record: let the dataplane pick the association. */
#define JITSIM_SIG_ASSOC_ROUTE 0xffffu

/* Top octet of the hop-by-hop id of every Diameter request jitsim-cp
 * originates (a CLR): jitsim-dp hands the answers with it to jitsim-cp. */
#define JITSIM_DIAM_HBH_TAG 0xCFu

/*
 * Kinds 1-2: SS7 (data = the SCCP message, opc..sls the MTP3 label).
 * Kinds 3-4 (ABI 3): Diameter (data = one whole Diameter message; opc,
 * si, ni, mp, sls unused and 0; assoc = jitsim-dp's Diameter peer index
 * and dpc = the number of that peer's connection (counted from 1 at each
 * open), both echoed by jitsim-cp in its answer: it leaves on the
 * connection the request came on, or is dropped when that connection is
 * gone; dpc 0 in a cp -> dp record: any connection of the peer).
 */
enum jitsim_sig_kind {
	JITSIM_SIG_NONE = 0,
	JITSIM_SIG_FTA_IN = 1,	  /* dp -> cp: SS7 message for the FTA endpoint */
	JITSIM_SIG_SEND = 2,	  /* cp -> dp: send this SS7 message */
	JITSIM_SIG_DIAM_IN = 3,	  /* dp -> cp: Diameter request (or answer to a cp request) */
	JITSIM_SIG_DIAM_SEND = 4, /* cp -> dp: send this Diameter message on peer assoc */
	JITSIM_SIG_KIND_MAX
};

/* jitsim_sig_msg.flags */
#define JITSIM_SIG_F_DUP 0x01u	  /* Diameter: request seen before (same Origin-Host, E2E id) */
#define JITSIM_SIG_F_ANSWER 0x02u /* Diameter: data is an answer (R bit clear) */

struct jitsim_sig_msg {
	uint8_t kind;	   /* enum jitsim_sig_kind */
	uint8_t sim_state; /* dp -> cp: table state seen (enum jitsim_sim_state), 0xff none */
	uint16_t len;	   /* bytes used in data[], <= JITSIM_SIG_DATA_MAX */
	uint32_t opc;	   /* MTP3 routing label as in M3UA Protocol Data (RFC 4666 3.3.1) */
	uint32_t dpc;
	uint8_t si;
	uint8_t ni;
	uint8_t mp;
	uint8_t sls;
	/* dp -> cp: association index it came on; cp -> dp: JITSIM_SIG_ASSOC_ROUTE */
	uint16_t assoc;
	uint16_t lcore;	 /* dp -> cp: worker */
	uint32_t seq;	 /* producer's sequence number */
	uint32_t ts_s;	 /* CLOCK_REALTIME seconds */
	uint16_t region; /* dp -> cp: the table entry's region */
	uint8_t flags;	 /* JITSIM_SIG_F_* (ABI 3) */
	uint8_t spare0;
	uint64_t imsi; /* compact key, 0 if the message carries none */
	uint8_t spare[8];
	uint8_t data[JITSIM_SIG_DATA_MAX]; /* the SCCP message (M3UA user protocol data) */
};

/* Per-ring descriptor in the header. */
struct jitsim_shm_ring_desc {
	uint64_t offset; /* from the start of the segment, multiple of 64 */
	uint32_t count;	 /* ring slots (power of two); capacity count - 1 */
	uint32_t spare;
};

/*
 * Segment header. Written by the creator before the magic; afterwards
 * each field has exactly one writer (dp_* by jitsim-dp, cp_* by
 * jitsim-cp), read with relaxed atomics by the other.
 */
struct jitsim_shm_hdr {
	uint64_t magic; /* JITSIM_SHM_MAGIC, stored last with release order */
	uint32_t abi_version;
	uint32_t hdr_size; /* JITSIM_SHM_HDR_SIZE */
	uint64_t seg_size; /* bytes of the whole segment */
	uint32_t rec_size; /* JITSIM_SHM_REC_SIZE */
	uint32_t n_event_rings;
	char instance[32];   /* instance name, NUL-terminated */
	uint64_t created_ns; /* CLOCK_REALTIME of creation */
	uint8_t pad0[56];

	/* jitsim-cp's half, own cache line. */
	uint64_t cp_generation;	  /* +1 at each attach of jitsim-cp */
	uint64_t cp_heartbeat_ns; /* CLOCK_MONOTONIC, refreshed at least every 100 ms */
	uint32_t cp_pid;
	uint32_t cp_update_seq; /* last update seq published */
	uint8_t pad1[40];

	/* jitsim-dp's half, own cache line. */
	uint64_t dp_generation;	  /* +1 at each attach of jitsim-dp */
	uint64_t dp_heartbeat_ns; /* CLOCK_MONOTONIC, refreshed at least every 100 ms */
	uint32_t dp_pid;
	uint32_t dp_update_seq; /* seq of the last update consumed (applied or failed) */
	uint32_t dp_n_workers;	/* event rings in use (worker i uses ring i) */
	uint32_t dp_ready;	/* 1 once the tables are loaded and workers run */
	/* Updates consumed but not applied (malformed; a PUT the tables
	 * could not hold; a SET_STATE of an IMSI not in the table or that
	 * never stuck), since the segment was created, and the seq of the
	 * last one; written before dp_update_seq. Appended in spare bytes:
	 * zero from older peers. */
	uint32_t dp_update_failed;
	uint32_t dp_update_failed_seq;
	uint8_t pad2[24];

	struct jitsim_shm_ring_desc event_ring[JITSIM_SHM_MAX_RINGS];
	struct jitsim_shm_ring_desc update_ring;
	/* ABI 2: FTA signaling, JITSIM_SIG_REC_SIZE-byte records. sig_up is
	 * multi-producer (the workers), single-consumer (jitsim-cp); sig_down
	 * single-producer (jitsim-cp), single-consumer (jitsim-dp's I/O thread). */
	struct jitsim_shm_ring_desc sig_up;
	struct jitsim_shm_ring_desc sig_down;
};

_Static_assert(sizeof(struct jitsim_event) == JITSIM_SHM_REC_SIZE, "event record size");
_Static_assert(sizeof(struct jitsim_update) == JITSIM_SHM_REC_SIZE, "update record size");
_Static_assert(sizeof(struct jitsim_sig_msg) == JITSIM_SIG_REC_SIZE, "sig record size");
_Static_assert(offsetof(struct jitsim_sig_msg, data) == JITSIM_SIG_HDR_SIZE, "sig header size");
_Static_assert(sizeof(struct jitsim_shm_hdr) <= JITSIM_SHM_HDR_SIZE, "shm header size");
_Static_assert(offsetof(struct jitsim_shm_hdr, cp_generation) % 64 == 0, "cp line");
_Static_assert(offsetof(struct jitsim_shm_hdr, dp_generation) % 64 == 0, "dp line");

/*
 * Library (dataplane/shm, linked by jitsim-dp, jitsim-cp and the tools).
 * Thread-safety: a jitsim_shm handle is used by one process; each ring
 * has one producer thread and one consumer thread (SPSC); header fields
 * as described above.
 */

struct rte_ring;

/* Which side this process is: decides which ring halves it owns. */
enum jitsim_shm_role {
	JITSIM_SHM_ROLE_DP = 1, /* produces events, consumes updates */
	JITSIM_SHM_ROLE_CP = 2, /* consumes events, produces updates */
	/* Produces updates only (jitsim-shm update beside an event consumer):
	 * resets only the update ring's producer half, and leaves the cp
	 * generation, pid and heartbeat alone. */
	JITSIM_SHM_ROLE_UPDATER = 3,
};

/* Sizes used when this process creates the segment. */
struct jitsim_shm_geometry {
	uint32_t n_event_rings;	    /* 1..JITSIM_SHM_MAX_RINGS */
	uint32_t event_ring_count;  /* slots per event ring, power of two >= 2 */
	uint32_t update_ring_count; /* slots of the update ring, power of two >= 2 */
	uint32_t sig_ring_count;    /* slots of sig_up and sig_down; 0: the default (1024) */
};

/* Defaults: 16 event rings of 65536 events, update ring of 65536. */
void jitsim_shm_geometry_default(struct jitsim_shm_geometry *g);

struct jitsim_shm {
	struct jitsim_shm_hdr *hdr;
	size_t size;
	int role;
	bool created; /* this process created the segment */
	char name[JITSIM_SHM_NAME_MAX];
	struct rte_ring *event[JITSIM_SHM_MAX_RINGS];
	struct rte_ring *update;
	struct rte_ring *sig_up;
	struct rte_ring *sig_down;
};

/*
 * Map the segment of @instance ("/jitsim.<instance>"), creating it with
 * @geom (NULL: defaults) and mode 0660 if it does not exist; attach to it
 * otherwise (waiting up to @wait_ms for a concurrent creator to publish
 * the magic). Resets this role's ring halves, bumps this role's
 * generation and heartbeat, records the pid; a dataplane's attach also
 * clears dp_ready (it has no tables yet).
 * Only one jitsim-dp and one jitsim-cp at a time: a DP or CP attach while
 * another process holds that role and is alive (its pid exists, its
 * heartbeat is under 500 ms old) waits up to 1.5 s for it to go, then
 * fails with -EBUSY; a dead or hung one is taken over. A clean close gives
 * the role back at once (pid 0).
 * 0, or negative errno with a message in @err: -EBUSY (above), -EPROTO wrong magic,
 * ABI version or sizes (the message says which and both values),
 * -ETIMEDOUT creator never finished, -EINVAL bad instance name or
 * geometry, or the errno of shm_open/ftruncate/mmap.
 */
int jitsim_shm_open(struct jitsim_shm *s, const char *instance, enum jitsim_shm_role role,
		    const struct jitsim_shm_geometry *geom, unsigned int wait_ms, char *err,
		    size_t errlen);

/*
 * Map the segment of @instance read-only, as an observer (jitsim-shm
 * status): the same checks as jitsim_shm_open(), but no role (role 0), no
 * wait, and nothing written: no ring half reset, generation, heartbeat or
 * pid. The rings may only be looked at (rte_ring_count()). Release with
 * jitsim_shm_close(). 0 or negative errno with a message in @err
 * (-ENOENT: no such segment, -ETIMEDOUT: magic not yet published).
 */
int jitsim_shm_open_ro(struct jitsim_shm *s, const char *instance, char *err, size_t errlen);

/* Unmap (never unlinks). A dataplane's close also clears dp_ready, so
 * that nobody waits for a dataplane that left. */
void jitsim_shm_close(struct jitsim_shm *s);

/* Remove the segment name (tests, `jitsim-cp --reset-shm`). 0 or -errno. */
int jitsim_shm_unlink(const char *instance);

/* Refresh this role's heartbeat (CLOCK_MONOTONIC now). */
void jitsim_shm_heartbeat(struct jitsim_shm *s);

/* Nanoseconds since the peer's last heartbeat, UINT64_MAX if it never
 * attached. */
uint64_t jitsim_shm_peer_age_ns(const struct jitsim_shm *s);

/* Enqueue/dequeue helpers over rte_ring_*_elem (inline in the caller's
 * build would need rte_ring.h; these are thin wrappers). Return the
 * number of records moved. */
unsigned int jitsim_shm_event_put(struct jitsim_shm *s, unsigned int ring,
				  const struct jitsim_event *ev, unsigned int n);
unsigned int jitsim_shm_event_get(struct jitsim_shm *s, unsigned int ring, struct jitsim_event *ev,
				  unsigned int n);
unsigned int jitsim_shm_update_put(struct jitsim_shm *s, const struct jitsim_update *u,
				   unsigned int n);
unsigned int jitsim_shm_update_get(struct jitsim_shm *s, struct jitsim_update *u, unsigned int n);

/* FTA signaling rings (ABI 2). sig_up_put is multi-producer safe (any
 * worker lcore of the dataplane); the other three are single-threaded on
 * their side. Return the number of records moved. */
unsigned int jitsim_shm_sig_up_put(struct jitsim_shm *s, const struct jitsim_sig_msg *m,
				   unsigned int n);
unsigned int jitsim_shm_sig_up_get(struct jitsim_shm *s, struct jitsim_sig_msg *m, unsigned int n);
unsigned int jitsim_shm_sig_down_put(struct jitsim_shm *s, const struct jitsim_sig_msg *m,
				     unsigned int n);
unsigned int jitsim_shm_sig_down_get(struct jitsim_shm *s, struct jitsim_sig_msg *m,
				     unsigned int n);

/* Seq of the last event published in event ring @ring (0 if none), read
 * from the ring's memory: the record before the producer tail stays there
 * even once consumed. A restarted dataplane goes on from it so that seq
 * gaps mean drops only. */
uint32_t jitsim_shm_event_last_seq(const struct jitsim_shm *s, unsigned int ring);

/* Names for logs and JSON ("first_attach", "put", ...); "invalid" if out of range. */
const char *jitsim_event_type_name(unsigned int type);
const char *jitsim_update_op_name(unsigned int op);

#endif /* JITSIM_SHM_H */
