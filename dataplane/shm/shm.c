/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The shared-memory segment between jitsim-dp and jitsim-cp
 * (include/jitsim/shm.h, docs/shm.md).
 *
 * Only rte_ring's in-place functions are used (rte_ring_init() on mapped
 * memory, the _elem burst calls): they touch neither the EAL nor hugepages,
 * so a process that never calls rte_eal_init() can be either side.
 *
 * The peer is not trusted: everything in the header is checked before any
 * ring is used, so a corrupt or hostile segment gives -EPROTO, not a crash.
 */

#include <jitsim/errmsg.h>
#include <errno.h>
#include <fcntl.h>
#include <stdarg.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <signal.h>
#include <sys/stat.h>
#include <time.h>
#include <unistd.h>

#include <rte_ring.h>
#include <rte_ring_elem.h>

#include <jitsim/shm.h>

/*
 * Largest ring accepted (records): 16 Mi records are 1 GiB, far above any
 * sensible configuration; the bound keeps every size computation below
 * 2^63 and rejects absurd counts from a corrupt header early.
 */
#define SHM_RING_COUNT_MAX (1u << 24)
/* sig_up / sig_down slots when the geometry leaves it 0: 1 MiB each. */
#define SHM_SIG_RING_DEFAULT 1024u

/* Ring ids of shm_ring_list(): >= 0 event ring index, else one of these. */
#define SHM_ID_UPDATE (-1)
#define SHM_ID_SIG_UP (-2)
#define SHM_ID_SIG_DOWN (-3)
/* Every ring of a segment: the event rings, update, sig_up, sig_down. */
#define SHM_RINGS_MAX (JITSIM_SHM_MAX_RINGS + 3)

/* Record size of the ring @id. */
static uint32_t
shm_esize(int id)
{
	return id >= SHM_ID_UPDATE ? JITSIM_SHM_REC_SIZE : JITSIM_SIG_REC_SIZE;
}

static uint64_t
shm_clock_ns(clockid_t id)
{
	struct timespec ts;

	clock_gettime(id, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static bool
shm_pow2(uint32_t v)
{
	return v >= 2 && (v & (v - 1)) == 0;
}

static int
shm_check_instance(const char *instance, char *err, size_t errlen)
{
	size_t n;

	if (instance == NULL) {
		jitsim_errmsg(err, errlen, "instance name missing");
		return -EINVAL;
	}
	for (n = 0; instance[n] != '\0'; n++) {
		char c = instance[n];

		if (n >= 31)
			break;
		if (!((c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z') || (c >= '0' && c <= '9') ||
		      c == '_' || c == '-')) {
			jitsim_errmsg(err, errlen,
				      "instance name: character %zu is not one of [A-Za-z0-9_-]",
				      n + 1);
			return -EINVAL;
		}
	}
	if (n == 0 || instance[n] != '\0') {
		jitsim_errmsg(err, errlen, "instance name: must be 1 to 31 characters");
		return -EINVAL;
	}
	return 0;
}

static int
shm_check_geometry(const struct jitsim_shm_geometry *g, char *err, size_t errlen)
{
	if (g->n_event_rings < 1 || g->n_event_rings > JITSIM_SHM_MAX_RINGS) {
		jitsim_errmsg(err, errlen, "geometry: n_event_rings %u not in 1..%u",
			      g->n_event_rings, JITSIM_SHM_MAX_RINGS);
		return -EINVAL;
	}
	if (!shm_pow2(g->event_ring_count) || g->event_ring_count > SHM_RING_COUNT_MAX) {
		jitsim_errmsg(err, errlen,
			      "geometry: event_ring_count %u not a power of two in 2..%u",
			      g->event_ring_count, SHM_RING_COUNT_MAX);
		return -EINVAL;
	}
	if (g->sig_ring_count != 0 &&
	    (!shm_pow2(g->sig_ring_count) || g->sig_ring_count > SHM_RING_COUNT_MAX)) {
		jitsim_errmsg(err, errlen,
			      "geometry: sig_ring_count %u not a power of two in 2..%u",
			      g->sig_ring_count, SHM_RING_COUNT_MAX);
		return -EINVAL;
	}
	if (!shm_pow2(g->update_ring_count) || g->update_ring_count > SHM_RING_COUNT_MAX) {
		jitsim_errmsg(err, errlen,
			      "geometry: update_ring_count %u not a power of two in 2..%u",
			      g->update_ring_count, SHM_RING_COUNT_MAX);
		return -EINVAL;
	}
	return 0;
}

void
jitsim_shm_geometry_default(struct jitsim_shm_geometry *g)
{
	g->n_event_rings = 16;
	g->event_ring_count = 65536;
	g->update_ring_count = 65536;
	g->sig_ring_count = SHM_SIG_RING_DEFAULT;
}

/* Bytes of one ring of @count records of ring @id (rte_ring header included). */
static uint64_t
shm_ring_bytes(uint32_t count, int id)
{
	ssize_t sz = rte_ring_get_memsize_elem(shm_esize(id), count);

	return sz < 0 ? 0 : (uint64_t)sz;
}

static uint64_t
shm_align64(uint64_t v)
{
	return (v + 63) & ~(uint64_t)63;
}

/* Fill the ring descriptors of @h from @g; returns the segment size. */
static uint64_t
shm_layout(struct jitsim_shm_hdr *h, const struct jitsim_shm_geometry *g)
{
	uint64_t off = JITSIM_SHM_HDR_SIZE;
	uint32_t i;

	for (i = 0; i < g->n_event_rings; i++) {
		off = shm_align64(off);
		h->event_ring[i].offset = off;
		h->event_ring[i].count = g->event_ring_count;
		off += shm_ring_bytes(g->event_ring_count, (int)i);
	}
	off = shm_align64(off);
	h->update_ring.offset = off;
	h->update_ring.count = g->update_ring_count;
	off += shm_ring_bytes(g->update_ring_count, SHM_ID_UPDATE);
	off = shm_align64(off);
	h->sig_up.offset = off;
	h->sig_up.count = g->sig_ring_count != 0 ? g->sig_ring_count : SHM_SIG_RING_DEFAULT;
	off += shm_ring_bytes(h->sig_up.count, SHM_ID_SIG_UP);
	off = shm_align64(off);
	h->sig_down.offset = off;
	h->sig_down.count = h->sig_up.count;
	off += shm_ring_bytes(h->sig_down.count, SHM_ID_SIG_DOWN);
	return shm_align64(off);
}

/* The descriptors of every ring of @h (@n event rings) with their ids. */
static uint32_t
shm_ring_list(const struct jitsim_shm_hdr *h, uint32_t n, const struct jitsim_shm_ring_desc **d,
	      int *id)
{
	uint32_t i;

	for (i = 0; i < n && i < JITSIM_SHM_MAX_RINGS; i++) {
		d[i] = &h->event_ring[i];
		id[i] = (int)i;
	}
	d[i] = &h->update_ring;
	id[i++] = SHM_ID_UPDATE;
	d[i] = &h->sig_up;
	id[i++] = SHM_ID_SIG_UP;
	d[i] = &h->sig_down;
	id[i++] = SHM_ID_SIG_DOWN;
	return i;
}

static struct rte_ring *
shm_ring_at(const struct jitsim_shm *s, uint64_t offset)
{
	return (struct rte_ring *)((uint8_t *)s->hdr + offset);
}

static void
shm_ring_name(char *buf, size_t len, int i)
{
	if (i == SHM_ID_UPDATE)
		snprintf(buf, len, "update ring");
	else if (i == SHM_ID_SIG_UP)
		snprintf(buf, len, "sig_up ring");
	else if (i == SHM_ID_SIG_DOWN)
		snprintf(buf, len, "sig_down ring");
	else
		snprintf(buf, len, "event ring %d", i);
}

/*
 * One ring descriptor: inside the segment, aligned, not overlapping the
 * header, and its rte_ring header agreeing with the descriptor. @i is the
 * ring id (event ring index or SHM_ID_*).
 */
static int
shm_check_ring(const struct jitsim_shm *s, const struct jitsim_shm_ring_desc *d, int i, char *err,
	       size_t errlen)
{
	const struct rte_ring *r;
	char what[32];
	uint64_t bytes;
	uint32_t prod_head, cons_tail;

	shm_ring_name(what, sizeof(what), i);
	if (!shm_pow2(d->count) || d->count > SHM_RING_COUNT_MAX) {
		jitsim_errmsg(err, errlen, "%s: %s: count %u is not a power of two in 2..%u",
			      s->name, what, d->count, SHM_RING_COUNT_MAX);
		return -EPROTO;
	}
	bytes = shm_ring_bytes(d->count, i);
	if (d->offset % 64 != 0 || d->offset < JITSIM_SHM_HDR_SIZE || d->offset > s->size ||
	    s->size - d->offset < bytes) {
		jitsim_errmsg(
			err, errlen,
			"%s: %s: offset %llu + %llu bytes is outside the segment (%zu bytes) or "
			"not 64-byte aligned after the header",
			s->name, what, (unsigned long long)d->offset, (unsigned long long)bytes,
			s->size);
		return -EPROTO;
	}
	r = shm_ring_at(s, d->offset);
	if (r->size != d->count || r->mask != d->count - 1 || r->capacity != d->count - 1) {
		jitsim_errmsg(err, errlen,
			      "%s: %s: rte_ring header (size %u, mask %#x, capacity %u) does not "
			      "match the descriptor count %u",
			      s->name, what, r->size, r->mask, r->capacity, d->count);
		return -EPROTO;
	}
	/*
	 * A consistent ring never holds more than its capacity, even with
	 * a reservation in progress. prod.head first, then cons.tail: both
	 * only grow, so a live peer can only make the difference smaller.
	 */
	prod_head = __atomic_load_n(&r->prod.head, __ATOMIC_ACQUIRE);
	cons_tail = __atomic_load_n(&r->cons.tail, __ATOMIC_ACQUIRE);
	if (prod_head - cons_tail > r->capacity) {
		jitsim_errmsg(err, errlen,
			      "%s: %s: indexes inconsistent (producer head %u, consumer tail %u, "
			      "capacity %u)",
			      s->name, what, prod_head, cons_tail, r->capacity);
		return -EPROTO;
	}
	return 0;
}

static bool
shm_overlap(const struct jitsim_shm_ring_desc *a, int ia, const struct jitsim_shm_ring_desc *b,
	    int ib)
{
	uint64_t ea = a->offset + shm_ring_bytes(a->count, ia);
	uint64_t eb = b->offset + shm_ring_bytes(b->count, ib);

	return a->offset < eb && b->offset < ea;
}

/* Everything of a published header, before any ring is touched. */
static int
shm_check_hdr(struct jitsim_shm *s, char *err, size_t errlen)
{
	const struct jitsim_shm_hdr *h = s->hdr;
	const struct jitsim_shm_ring_desc *d[SHM_RINGS_MAX];
	int id[SHM_RINGS_MAX];
	uint32_t n, i, j, nr;
	int rc;

	if (h->abi_version != JITSIM_SHM_ABI_VERSION) {
		jitsim_errmsg(err, errlen, "%s: ABI version %u, this program speaks %u", s->name,
			      h->abi_version, JITSIM_SHM_ABI_VERSION);
		return -EPROTO;
	}
	if (h->hdr_size != JITSIM_SHM_HDR_SIZE) {
		jitsim_errmsg(err, errlen, "%s: header size %u, expected %u", s->name, h->hdr_size,
			      JITSIM_SHM_HDR_SIZE);
		return -EPROTO;
	}
	if (h->rec_size != JITSIM_SHM_REC_SIZE) {
		jitsim_errmsg(err, errlen, "%s: record size %u, expected %u", s->name, h->rec_size,
			      JITSIM_SHM_REC_SIZE);
		return -EPROTO;
	}
	if (h->seg_size != s->size) {
		jitsim_errmsg(err, errlen, "%s: header says %llu bytes, the segment has %zu",
			      s->name, (unsigned long long)h->seg_size, s->size);
		return -EPROTO;
	}
	n = h->n_event_rings;
	if (n < 1 || n > JITSIM_SHM_MAX_RINGS) {
		jitsim_errmsg(err, errlen, "%s: n_event_rings %u not in 1..%u", s->name, n,
			      JITSIM_SHM_MAX_RINGS);
		return -EPROTO;
	}
	nr = shm_ring_list(h, n, d, id);
	for (i = 0; i < nr; i++) {
		rc = shm_check_ring(s, d[i], id[i], err, errlen);
		if (rc < 0)
			return rc;
	}
	/* Two rings sharing memory would corrupt each other silently. */
	for (i = 0; i < nr; i++) {
		for (j = i + 1; j < nr; j++) {
			if (shm_overlap(d[i], id[i], d[j], id[j])) {
				char wa[32], wb[32];

				shm_ring_name(wa, sizeof(wa), id[i]);
				shm_ring_name(wb, sizeof(wb), id[j]);
				jitsim_errmsg(err, errlen, "%s: %s and %s overlap", s->name, wa,
					      wb);
				return -EPROTO;
			}
		}
	}
	return 0;
}

static int
shm_create(struct jitsim_shm *s, int fd, const struct jitsim_shm_geometry *g, const char *instance,
	   char *err, size_t errlen)
{
	struct jitsim_shm_hdr layout;
	const struct jitsim_shm_ring_desc *d[SHM_RINGS_MAX];
	int id[SHM_RINGS_MAX];
	uint64_t size;
	void *p;
	uint32_t i, nr;
	int rc;

	memset(&layout, 0, sizeof(layout));
	size = shm_layout(&layout, g);
	/* The umask may have removed group bits from shm_open's mode. */
	if (fchmod(fd, 0660) < 0 || ftruncate(fd, (off_t)size) < 0) {
		rc = -errno;
		jitsim_errmsg(err, errlen, "%s: sizing to %llu bytes: %s", s->name,
			      (unsigned long long)size, strerror(-rc));
		return rc;
	}
	p = mmap(NULL, size, PROT_READ | PROT_WRITE, MAP_SHARED, fd, 0);
	if (p == MAP_FAILED) {
		rc = -errno;
		jitsim_errmsg(err, errlen, "%s: mmap of %llu bytes: %s", s->name,
			      (unsigned long long)size, strerror(-rc));
		return rc;
	}
	s->hdr = p;
	s->size = size;
	memcpy(s->hdr->event_ring, layout.event_ring, sizeof(layout.event_ring));
	s->hdr->update_ring = layout.update_ring;
	s->hdr->sig_up = layout.sig_up;
	s->hdr->sig_down = layout.sig_down;
	s->hdr->abi_version = JITSIM_SHM_ABI_VERSION;
	s->hdr->hdr_size = JITSIM_SHM_HDR_SIZE;
	s->hdr->seg_size = size;
	s->hdr->rec_size = JITSIM_SHM_REC_SIZE;
	s->hdr->n_event_rings = g->n_event_rings;
	snprintf(s->hdr->instance, sizeof(s->hdr->instance), "%s", instance);
	s->hdr->created_ns = shm_clock_ns(CLOCK_REALTIME);
	nr = shm_ring_list(&layout, g->n_event_rings, d, id);
	for (i = 0; i < nr; i++) {
		char rname[16];

		if (id[i] >= 0)
			snprintf(rname, sizeof(rname), "jsev%d", id[i]);
		else
			snprintf(rname, sizeof(rname), "%s",
				 id[i] == SHM_ID_UPDATE	  ? "jsupd"
				 : id[i] == SHM_ID_SIG_UP ? "jssigup"
							  : "jssigdn");
		/* sig_up has several producers (the workers); every other
		 * ring one of each. rte_ring_elem's size must be given at
		 * each call; the flags only pick the default calls' sync. */
		rc = rte_ring_init(shm_ring_at(s, d[i]->offset), rname, d[i]->count,
				   id[i] == SHM_ID_SIG_UP ? RING_F_SC_DEQ
							  : RING_F_SP_ENQ | RING_F_SC_DEQ);
		if (rc < 0) {
			jitsim_errmsg(err, errlen, "%s: rte_ring_init(%s, %u): %s", s->name, rname,
				      d[i]->count, strerror(-rc));
			return rc;
		}
	}
	/* Everything above is visible to whoever sees the magic. */
	__atomic_store_n(&s->hdr->magic, JITSIM_SHM_MAGIC, __ATOMIC_RELEASE);
	s->created = true;
	return 0;
}

static void
shm_sleep_1ms(void)
{
	struct timespec ts = {.tv_sec = 0, .tv_nsec = 1000000};

	nanosleep(&ts, NULL);
}

/*
 * Map an existing segment once its creator has published the magic. A
 * size of 0 or a magic of 0 means the creator is still at work: wait.
 */
static int
shm_attach(struct jitsim_shm *s, int fd, int prot, unsigned int wait_ms, char *err, size_t errlen)
{
	unsigned int waited = 0;
	struct stat st;
	uint64_t magic;
	void *p;
	int rc;

	for (;; waited++, shm_sleep_1ms()) {
		if (fstat(fd, &st) < 0) {
			rc = -errno;
			jitsim_errmsg(err, errlen, "%s: fstat: %s", s->name, strerror(-rc));
			return rc;
		}
		if (st.st_size >= (off_t)JITSIM_SHM_HDR_SIZE) {
			p = mmap(NULL, (size_t)st.st_size, prot, MAP_SHARED, fd, 0);
			if (p == MAP_FAILED) {
				rc = -errno;
				jitsim_errmsg(err, errlen, "%s: mmap of %lld bytes: %s", s->name,
					      (long long)st.st_size, strerror(-rc));
				return rc;
			}
			magic = __atomic_load_n(&((struct jitsim_shm_hdr *)p)->magic,
						__ATOMIC_ACQUIRE);
			if (magic != 0) {
				s->hdr = p;
				s->size = (size_t)st.st_size;
				break;
			}
			munmap(p, (size_t)st.st_size);
		}
		if (waited >= wait_ms) {
			if (st.st_size > 0 && st.st_size < (off_t)JITSIM_SHM_HDR_SIZE) {
				jitsim_errmsg(err, errlen,
					      "%s: segment is %lld bytes, smaller than the %u-byte "
					      "header",
					      s->name, (long long)st.st_size, JITSIM_SHM_HDR_SIZE);
				return -EPROTO;
			}
			jitsim_errmsg(
				err, errlen,
				"%s: creator did not publish the segment within %u ms (remove it "
				"with `jitsim-shm unlink` if its creator died)",
				s->name, wait_ms);
			return -ETIMEDOUT;
		}
	}
	if (magic != JITSIM_SHM_MAGIC) {
		jitsim_errmsg(err, errlen, "%s: magic %#llx, expected %#llx", s->name,
			      (unsigned long long)magic, (unsigned long long)JITSIM_SHM_MAGIC);
		return -EPROTO;
	}
	return shm_check_hdr(s, err, errlen);
}

/*
 * Take ownership of this role's halves: a predecessor that died between
 * reserving (head) and publishing (tail) left records nobody will ever
 * publish; head back to tail discards them and keeps the published ones.
 */
static void
shm_reset_halves(struct jitsim_shm *s)
{
	uint32_t i;

	if (s->role == JITSIM_SHM_ROLE_UPDATER) {
		__atomic_store_n(&s->update->prod.head, s->update->prod.tail, __ATOMIC_RELEASE);
		return;
	}
	for (i = 0; i < JITSIM_SHM_MAX_RINGS && s->event[i] != NULL; i++) {
		struct rte_ring *r = s->event[i];

		if (s->role == JITSIM_SHM_ROLE_DP)
			__atomic_store_n(&r->prod.head, r->prod.tail, __ATOMIC_RELEASE);
		else
			__atomic_store_n(&r->cons.head, r->cons.tail, __ATOMIC_RELEASE);
	}
	if (s->role == JITSIM_SHM_ROLE_DP) {
		__atomic_store_n(&s->update->cons.head, s->update->cons.tail, __ATOMIC_RELEASE);
		__atomic_store_n(&s->sig_up->prod.head, s->sig_up->prod.tail, __ATOMIC_RELEASE);
		__atomic_store_n(&s->sig_down->cons.head, s->sig_down->cons.tail, __ATOMIC_RELEASE);
	} else {
		__atomic_store_n(&s->update->prod.head, s->update->prod.tail, __ATOMIC_RELEASE);
		__atomic_store_n(&s->sig_up->cons.head, s->sig_up->cons.tail, __ATOMIC_RELEASE);
		__atomic_store_n(&s->sig_down->prod.head, s->sig_down->prod.tail, __ATOMIC_RELEASE);
	}
}

/* A predecessor in our role whose heartbeat is older than this is gone
 * (or hung: either way its rings are ours to take over). Heartbeats come
 * at least every 100 ms (shm.h). */
#define SHM_STALE_NS (500ull * 1000 * 1000)
/* How long to wait for a predecessor that is still alive to go away (a
 * SIGKILLed process stays a zombie, "alive", until its parent reaps it;
 * its heartbeat goes stale meanwhile). */
#define SHM_OWNER_WAIT_MS 1500u

static bool
shm_pid_alive(uint32_t pid)
{
	return pid != 0 && (kill((pid_t)pid, 0) == 0 || errno == EPERM);
}

/*
 * Two jitsim-cp (or two jitsim-dp) on one segment would both produce into
 * SPSC rings and corrupt them. Refuse while the other one is alive: its pid
 * exists and its heartbeat is fresh. A dead or hung predecessor is taken
 * over, which is what makes a restart after kill -9 work.
 */
static int
shm_check_owner(const struct jitsim_shm *s, char *err, size_t errlen)
{
	const struct jitsim_shm_hdr *h = s->hdr;
	const bool dp = s->role == JITSIM_SHM_ROLE_DP;
	uint64_t deadline = shm_clock_ns(CLOCK_MONOTONIC) + SHM_OWNER_WAIT_MS * 1000000ull;
	const struct timespec nap = {.tv_sec = 0, .tv_nsec = 20 * 1000 * 1000};

	if (s->role != JITSIM_SHM_ROLE_DP && s->role != JITSIM_SHM_ROLE_CP)
		return 0;
	for (;;) {
		uint32_t pid = __atomic_load_n(dp ? &h->dp_pid : &h->cp_pid, __ATOMIC_RELAXED);
		uint64_t hb = __atomic_load_n(dp ? &h->dp_heartbeat_ns : &h->cp_heartbeat_ns,
					      __ATOMIC_RELAXED);
		uint64_t now = shm_clock_ns(CLOCK_MONOTONIC);

		if (pid == (uint32_t)getpid() || !shm_pid_alive(pid) || hb == 0 ||
		    (now > hb && now - hb > SHM_STALE_NS))
			return 0;
		if (now >= deadline) {
			jitsim_errmsg(
				err, errlen,
				"%s: another %s (pid %u) is attached and alive (heartbeat %llu "
				"ms ago); stop it first",
				s->name, dp ? "dataplane" : "control plane", pid,
				(unsigned long long)(now > hb ? (now - hb) / 1000000 : 0));
			return -EBUSY;
		}
		nanosleep(&nap, NULL);
	}
}

int
jitsim_shm_open(struct jitsim_shm *s, const char *instance, enum jitsim_shm_role role,
		const struct jitsim_shm_geometry *geom, unsigned int wait_ms, char *err,
		size_t errlen)
{
	struct jitsim_shm_geometry g;
	struct jitsim_shm_hdr *h;
	uint32_t i;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	rc = shm_check_instance(instance, err, errlen);
	if (rc < 0)
		return rc;
	if (role != JITSIM_SHM_ROLE_DP && role != JITSIM_SHM_ROLE_CP &&
	    role != JITSIM_SHM_ROLE_UPDATER) {
		jitsim_errmsg(err, errlen, "shm role %d is neither dp, cp nor updater", (int)role);
		return -EINVAL;
	}
	if (geom != NULL)
		g = *geom;
	else
		jitsim_shm_geometry_default(&g);
	rc = shm_check_geometry(&g, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(s->name, sizeof(s->name), "/jitsim.%s", instance);
	s->role = role;

	fd = shm_open(s->name, O_CREAT | O_EXCL | O_RDWR, 0660);
	if (fd >= 0) {
		rc = shm_create(s, fd, &g, instance, err, errlen);
		if (rc < 0)
			shm_unlink(s->name); /* half-made: an attacher would only time out */
	} else if (errno == EEXIST) {
		fd = shm_open(s->name, O_RDWR, 0);
		if (fd < 0) {
			rc = -errno;
			jitsim_errmsg(err, errlen, "%s: shm_open: %s", s->name, strerror(-rc));
			return rc;
		}
		rc = shm_attach(s, fd, PROT_READ | PROT_WRITE, wait_ms, err, errlen);
	} else {
		rc = -errno;
		jitsim_errmsg(err, errlen, "%s: shm_open: %s", s->name, strerror(-rc));
		return rc;
	}
	close(fd); /* the mapping keeps the segment */
	if (rc < 0) {
		if (s->hdr != NULL)
			munmap(s->hdr, s->size);
		s->hdr = NULL;
		return rc;
	}

	h = s->hdr;
	rc = shm_check_owner(s, err, errlen);
	if (rc < 0) {
		munmap(s->hdr, s->size);
		memset(s, 0, sizeof(*s));
		return rc;
	}
	/* Bounded again: a peer may rewrite the header after the check. */
	for (i = 0; i < h->n_event_rings && i < JITSIM_SHM_MAX_RINGS; i++)
		s->event[i] = shm_ring_at(s, h->event_ring[i].offset);
	s->update = shm_ring_at(s, h->update_ring.offset);
	s->sig_up = shm_ring_at(s, h->sig_up.offset);
	s->sig_down = shm_ring_at(s, h->sig_down.offset);
	shm_reset_halves(s);
	if (role == JITSIM_SHM_ROLE_DP) {
		/* A new dataplane has no tables yet, whatever its predecessor said. */
		__atomic_store_n(&h->dp_ready, 0, __ATOMIC_RELAXED);
		__atomic_store_n(&h->dp_pid, (uint32_t)getpid(), __ATOMIC_RELAXED);
		__atomic_fetch_add(&h->dp_generation, 1, __ATOMIC_RELEASE);
	} else if (role == JITSIM_SHM_ROLE_CP) {
		__atomic_store_n(&h->cp_pid, (uint32_t)getpid(), __ATOMIC_RELAXED);
		__atomic_fetch_add(&h->cp_generation, 1, __ATOMIC_RELEASE);
	}
	jitsim_shm_heartbeat(s);
	return 0;
}

int
jitsim_shm_open_ro(struct jitsim_shm *s, const char *instance, char *err, size_t errlen)
{
	uint32_t i;
	int fd, rc;

	memset(s, 0, sizeof(*s));
	rc = shm_check_instance(instance, err, errlen);
	if (rc < 0)
		return rc;
	snprintf(s->name, sizeof(s->name), "/jitsim.%s", instance);
	fd = shm_open(s->name, O_RDONLY, 0);
	if (fd < 0) {
		rc = -errno;
		jitsim_errmsg(err, errlen, "%s: shm_open: %s", s->name, strerror(-rc));
		return rc;
	}
	rc = shm_attach(s, fd, PROT_READ, 0, err, errlen);
	close(fd);
	if (rc < 0) {
		if (s->hdr != NULL)
			munmap(s->hdr, s->size);
		s->hdr = NULL;
		return rc;
	}
	for (i = 0; i < s->hdr->n_event_rings && i < JITSIM_SHM_MAX_RINGS; i++)
		s->event[i] = shm_ring_at(s, s->hdr->event_ring[i].offset);
	s->update = shm_ring_at(s, s->hdr->update_ring.offset);
	s->sig_up = shm_ring_at(s, s->hdr->sig_up.offset);
	s->sig_down = shm_ring_at(s, s->hdr->sig_down.offset);
	return 0;
}

void
jitsim_shm_close(struct jitsim_shm *s)
{
	if (s->hdr == NULL)
		return;
	/* Nobody should wait for updates to be applied by a dataplane that left. */
	if (s->role == JITSIM_SHM_ROLE_DP)
		__atomic_store_n(&s->hdr->dp_ready, 0, __ATOMIC_RELEASE);
	/* A clean exit frees the role at once for a successor. */
	if (s->role == JITSIM_SHM_ROLE_DP)
		__atomic_compare_exchange_n(&s->hdr->dp_pid, &(uint32_t){(uint32_t)getpid()}, 0,
					    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	else if (s->role == JITSIM_SHM_ROLE_CP)
		__atomic_compare_exchange_n(&s->hdr->cp_pid, &(uint32_t){(uint32_t)getpid()}, 0,
					    false, __ATOMIC_RELAXED, __ATOMIC_RELAXED);
	munmap(s->hdr, s->size);
	memset(s, 0, sizeof(*s));
}

int
jitsim_shm_unlink(const char *instance)
{
	char name[JITSIM_SHM_NAME_MAX];

	if (shm_check_instance(instance, NULL, 0) < 0)
		return -EINVAL;
	snprintf(name, sizeof(name), "/jitsim.%s", instance);
	return shm_unlink(name) < 0 ? -errno : 0;
}

void
jitsim_shm_heartbeat(struct jitsim_shm *s)
{
	uint64_t now = shm_clock_ns(CLOCK_MONOTONIC);

	if (s->role == JITSIM_SHM_ROLE_DP)
		__atomic_store_n(&s->hdr->dp_heartbeat_ns, now, __ATOMIC_RELAXED);
	else if (s->role == JITSIM_SHM_ROLE_CP)
		__atomic_store_n(&s->hdr->cp_heartbeat_ns, now, __ATOMIC_RELAXED);
	/* An observer (jitsim_shm_open_ro()) has no heartbeat, nor the right to write. */
}

uint64_t
jitsim_shm_peer_age_ns(const struct jitsim_shm *s)
{
	uint64_t gen, hb, now;

	if (s->role == JITSIM_SHM_ROLE_DP) {
		gen = __atomic_load_n(&s->hdr->cp_generation, __ATOMIC_RELAXED);
		hb = __atomic_load_n(&s->hdr->cp_heartbeat_ns, __ATOMIC_RELAXED);
	} else {
		gen = __atomic_load_n(&s->hdr->dp_generation, __ATOMIC_RELAXED);
		hb = __atomic_load_n(&s->hdr->dp_heartbeat_ns, __ATOMIC_RELAXED);
	}
	if (gen == 0 || hb == 0)
		return UINT64_MAX;
	now = shm_clock_ns(CLOCK_MONOTONIC);
	return now > hb ? now - hb : 0;
}

unsigned int
jitsim_shm_event_put(struct jitsim_shm *s, unsigned int ring, const struct jitsim_event *ev,
		     unsigned int n)
{
	if (ring >= JITSIM_SHM_MAX_RINGS || s->event[ring] == NULL)
		return 0;
	return rte_ring_sp_enqueue_burst_elem(s->event[ring], ev, JITSIM_SHM_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_event_get(struct jitsim_shm *s, unsigned int ring, struct jitsim_event *ev,
		     unsigned int n)
{
	if (ring >= JITSIM_SHM_MAX_RINGS || s->event[ring] == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(s->event[ring], ev, JITSIM_SHM_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_update_put(struct jitsim_shm *s, const struct jitsim_update *u, unsigned int n)
{
	if (s->update == NULL)
		return 0;
	return rte_ring_sp_enqueue_burst_elem(s->update, u, JITSIM_SHM_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_update_get(struct jitsim_shm *s, struct jitsim_update *u, unsigned int n)
{
	if (s->update == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(s->update, u, JITSIM_SHM_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_sig_up_put(struct jitsim_shm *s, const struct jitsim_sig_msg *m, unsigned int n)
{
	if (s->sig_up == NULL)
		return 0;
	return rte_ring_mp_enqueue_burst_elem(s->sig_up, m, JITSIM_SIG_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_sig_up_get(struct jitsim_shm *s, struct jitsim_sig_msg *m, unsigned int n)
{
	if (s->sig_up == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(s->sig_up, m, JITSIM_SIG_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_sig_down_put(struct jitsim_shm *s, const struct jitsim_sig_msg *m, unsigned int n)
{
	if (s->sig_down == NULL)
		return 0;
	return rte_ring_sp_enqueue_burst_elem(s->sig_down, m, JITSIM_SIG_REC_SIZE, n, NULL);
}

unsigned int
jitsim_shm_sig_down_get(struct jitsim_shm *s, struct jitsim_sig_msg *m, unsigned int n)
{
	if (s->sig_down == NULL)
		return 0;
	return rte_ring_sc_dequeue_burst_elem(s->sig_down, m, JITSIM_SIG_REC_SIZE, n, NULL);
}

const char *
jitsim_event_type_name(unsigned int type)
{
	static const char *const names[JITSIM_EV_TYPE_MAX] = {
		[JITSIM_EV_NONE] = "none",
		[JITSIM_EV_FIRST_ATTACH] = "first_attach",
		[JITSIM_EV_REATTACH] = "reattach",
		[JITSIM_EV_ACTIVITY] = "activity",
		[JITSIM_EV_BLOCKED_ATTEMPT] = "blocked_attempt",
		[JITSIM_EV_UNKNOWN_IMSI] = "unknown_imsi",
		[JITSIM_EV_WAKEUP_MT] = "wakeup_mt",
	};

	return type < JITSIM_EV_TYPE_MAX ? names[type] : "invalid";
}

const char *
jitsim_update_op_name(unsigned int op)
{
	static const char *const names[JITSIM_UPD_OP_MAX] = {
		[JITSIM_UPD_NONE] = "none", [JITSIM_UPD_PUT] = "put",
		[JITSIM_UPD_DEL] = "del",   [JITSIM_UPD_SET_STATE] = "set_state",
		[JITSIM_UPD_SYNC] = "sync",
	};

	return op < JITSIM_UPD_OP_MAX ? names[op] : "invalid";
}

/*
 * Slots follow the struct rte_ring header, JITSIM_SHM_REC_SIZE bytes each
 * (the rte_ring_*_elem layout). A ring never written has tail 0 and
 * zeroed slots; a record that does not look like an event gives 0.
 */
uint32_t
jitsim_shm_event_last_seq(const struct jitsim_shm *s, unsigned int ring)
{
	const struct rte_ring *r;
	const struct jitsim_event *ev;
	uint32_t tail;

	if (ring >= JITSIM_SHM_MAX_RINGS || s->event[ring] == NULL)
		return 0;
	r = s->event[ring];
	tail = __atomic_load_n(&r->prod.tail, __ATOMIC_ACQUIRE);
	if (tail == 0)
		return 0;
	ev = (const struct jitsim_event *)((const uint8_t *)&r[1] +
					   (size_t)((tail - 1) & r->mask) * JITSIM_SHM_REC_SIZE);
	if (ev->type == JITSIM_EV_NONE || ev->type >= JITSIM_EV_TYPE_MAX)
		return 0;
	return ev->seq;
}
