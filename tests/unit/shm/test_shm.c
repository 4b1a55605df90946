/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The shared-memory library: create and attach (same process and a forked
 * peer), record exchange both ways, corrupt or hostile headers, restart
 * after a producer or consumer died half-way, ring full. The program never
 * calls rte_eal_init(): the library must work without the EAL.
 */

#include <errno.h>
#include <fcntl.h>
#include <sched.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>
#include <sys/mman.h>
#include <sys/stat.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <rte_ring.h>

#include <jitsim/shm.h>

static char inst[32];
static char err[256];

static const struct jitsim_shm_geometry small = {
	.n_event_rings = 4,
	.event_ring_count = 8,
	.update_ring_count = 16,
};

/* A fresh instance name per test: tests never see each other's segment. */
static int
setup(void **state)
{
	static unsigned int n;

	(void)state;
	snprintf(inst, sizeof(inst), "t%d_%u", (int)getpid(), n++);
	jitsim_shm_unlink(inst);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	jitsim_shm_unlink(inst);
	return 0;
}

static struct jitsim_event
mk_event(unsigned int ring, uint32_t seq)
{
	struct jitsim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.proto = JITSIM_EV_PROTO_MAP;
	ev.op = 56;
	ev.lcore = (uint16_t)ring;
	ev.seq = seq;
	ev.imsi = 0x0f00000000000000ull + ring * 1000000ull + seq;
	ev.ts_s = seq * 3;
	return ev;
}

static bool
event_ok(const struct jitsim_event *ev, unsigned int ring, uint32_t seq)
{
	struct jitsim_event want = mk_event(ring, seq);

	return memcmp(ev, &want, sizeof(want)) == 0;
}

static struct jitsim_update
mk_update(uint32_t seq)
{
	struct jitsim_update u;

	memset(&u, 0, sizeof(u));
	u.op = (uint8_t)(1 + seq % 4);
	u.state = (uint8_t)(seq % 8);
	u.seq = seq;
	u.imsi = 0x0f00000000000000ull + seq;
	u.msisdn = seq * 7ull;
	return u;
}

static bool
update_ok(const struct jitsim_update *u, uint32_t seq)
{
	struct jitsim_update want = mk_update(seq);

	return memcmp(u, &want, sizeof(want)) == 0;
}

static void
test_names(void **state)
{
	(void)state;
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_FIRST_ATTACH), "first_attach");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_REATTACH), "reattach");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_ACTIVITY), "activity");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_BLOCKED_ATTEMPT), "blocked_attempt");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_UNKNOWN_IMSI), "unknown_imsi");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_WAKEUP_MT), "wakeup_mt");
	assert_string_equal(jitsim_event_type_name(JITSIM_EV_TYPE_MAX), "invalid");
	assert_string_equal(jitsim_update_op_name(JITSIM_UPD_PUT), "put");
	assert_string_equal(jitsim_update_op_name(JITSIM_UPD_DEL), "del");
	assert_string_equal(jitsim_update_op_name(JITSIM_UPD_SET_STATE), "set_state");
	assert_string_equal(jitsim_update_op_name(JITSIM_UPD_SYNC), "sync");
	assert_string_equal(jitsim_update_op_name(999), "invalid");
}

static void
test_bad_args(void **state)
{
	static const char *const bad[] = {
		"", "a/b", "a.b", "a b", "../x", "abcdefghijklmnopqrstuvwxyz0123456", "é",
	};
	struct jitsim_shm s;
	struct jitsim_shm_geometry g;
	struct stat st;
	char path[96];

	(void)state;
	for (size_t i = 0; i < sizeof(bad) / sizeof(bad[0]); i++) {
		assert_int_equal(jitsim_shm_open(&s, bad[i], JITSIM_SHM_ROLE_CP, &small, 0, err,
						 sizeof(err)),
				 -EINVAL);
		assert_non_null(strstr(err, "instance name"));
		assert_int_equal(jitsim_shm_unlink(bad[i]), -EINVAL);
	}
	assert_int_equal(jitsim_shm_open(&s, NULL, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)),
			 -EINVAL);
	/* 31 characters is the longest name. */
	assert_int_equal(jitsim_shm_open(&s, "abcdefghijklmnopqrstuvwxyz01234", 7, &small, 0, err,
					 sizeof(err)),
			 -EINVAL); /* bad role, name accepted */
	assert_non_null(strstr(err, "role"));

	g = small;
	g.n_event_rings = 0;
	assert_int_equal(jitsim_shm_open(&s, inst, JITSIM_SHM_ROLE_CP, &g, 0, err, sizeof(err)),
			 -EINVAL);
	g.n_event_rings = JITSIM_SHM_MAX_RINGS + 1;
	assert_int_equal(jitsim_shm_open(&s, inst, JITSIM_SHM_ROLE_CP, &g, 0, err, sizeof(err)),
			 -EINVAL);
	g = small;
	g.event_ring_count = 12;
	assert_int_equal(jitsim_shm_open(&s, inst, JITSIM_SHM_ROLE_CP, &g, 0, err, sizeof(err)),
			 -EINVAL);
	assert_non_null(strstr(err, "event_ring_count 12"));
	g = small;
	g.update_ring_count = 1;
	assert_int_equal(jitsim_shm_open(&s, inst, JITSIM_SHM_ROLE_CP, &g, 0, err, sizeof(err)),
			 -EINVAL);
	/* Nothing was created by any of these. */
	snprintf(path, sizeof(path), "/dev/shm/jitsim.%s", inst);
	assert_int_equal(stat(path, &st), -1);
	assert_int_equal(jitsim_shm_unlink(inst), -ENOENT);
}

static void
test_create_attach(void **state)
{
	struct jitsim_shm cp, dp;
	struct jitsim_event ev[8];
	struct jitsim_update u[4];
	struct stat st;
	char path[96];

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	assert_true(cp.created);
	assert_int_equal(cp.hdr->magic, JITSIM_SHM_MAGIC);
	assert_int_equal(cp.hdr->n_event_rings, 4);
	assert_string_equal(cp.hdr->instance, inst);
	assert_int_equal(cp.hdr->cp_generation, 1);
	assert_int_equal(cp.hdr->cp_pid, getpid());
	assert_int_equal(cp.hdr->dp_generation, 0);
	assert_true(jitsim_shm_peer_age_ns(&cp) == UINT64_MAX);
	for (unsigned int i = 0; i < 4; i++)
		assert_int_equal(cp.hdr->event_ring[i].offset % 64, 0);
	assert_int_equal(cp.hdr->event_ring[0].offset, JITSIM_SHM_HDR_SIZE);
	assert_null(cp.event[4]);
	snprintf(path, sizeof(path), "/dev/shm/jitsim.%s", inst);
	assert_int_equal(stat(path, &st), 0);
	assert_int_equal(st.st_mode & 0777, 0660);
	assert_int_equal((uint64_t)st.st_size, cp.hdr->seg_size);

	/* The attacher ignores its own geometry: the segment's wins. */
	assert_int_equal(
		jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 100, err, sizeof(err)), 0);
	assert_false(dp.created);
	assert_int_equal(dp.size, cp.size);
	assert_int_equal(cp.hdr->dp_generation, 1);
	assert_int_equal(cp.hdr->dp_pid, getpid());
	assert_true(jitsim_shm_peer_age_ns(&cp) < UINT64_MAX);
	assert_true(jitsim_shm_peer_age_ns(&dp) < UINT64_MAX);
	cp.hdr->dp_ready = 1;

	for (unsigned int r = 0; r < 4; r++) {
		struct jitsim_event e = mk_event(r, 1);

		assert_int_equal(jitsim_shm_event_put(&dp, r, &e, 1), 1);
	}
	assert_int_equal(jitsim_shm_event_put(&dp, 4, ev, 1), 0); /* no such ring */
	assert_int_equal(jitsim_shm_event_get(&cp, JITSIM_SHM_MAX_RINGS, ev, 1), 0);
	for (unsigned int r = 0; r < 4; r++) {
		assert_int_equal(jitsim_shm_event_get(&cp, r, ev, 8), 1);
		assert_true(event_ok(&ev[0], r, 1));
	}
	u[0] = mk_update(1);
	u[1] = mk_update(2);
	assert_int_equal(jitsim_shm_update_put(&cp, u, 2), 2);
	memset(u, 0, sizeof(u));
	assert_int_equal(jitsim_shm_update_get(&dp, u, 4), 2);
	assert_true(update_ok(&u[0], 1));
	assert_true(update_ok(&u[1], 2));

	/* A leaving dataplane is no longer ready. */
	jitsim_shm_close(&dp);
	assert_null(dp.hdr);
	assert_int_equal(cp.hdr->dp_ready, 0);
	jitsim_shm_close(&cp);
	assert_int_equal(jitsim_shm_unlink(inst), 0);
}

enum { N_MSG = 2000 };

/* The forked dataplane: N_MSG events per ring out, N_MSG updates in. */
static int
child_dp(void)
{
	struct jitsim_shm dp;
	uint32_t next_ev[4] = {1, 1, 1, 1}, next_upd = 1;
	struct jitsim_update u[16];
	char cerr[256];
	bool done = false;

	if (jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 5000, cerr, sizeof(cerr)) != 0) {
		fprintf(stderr, "child: %s\n", cerr);
		return 1;
	}
	while (!done) {
		unsigned int n, i, r;
		bool moved = false;

		for (r = 0; r < 4; r++) {
			struct jitsim_event ev[3];

			for (i = 0; i < 3 && next_ev[r] + i <= N_MSG; i++)
				ev[i] = mk_event(r, next_ev[r] + i);
			n = jitsim_shm_event_put(&dp, r, ev, i);
			next_ev[r] += n;
			moved |= n > 0;
		}
		n = jitsim_shm_update_get(&dp, u, 16);
		for (i = 0; i < n; i++) {
			if (!update_ok(&u[i], next_upd)) {
				fprintf(stderr, "child: update %u wrong\n", next_upd);
				return 1;
			}
			next_upd++;
		}
		if (n > 0)
			__atomic_store_n(&dp.hdr->dp_update_seq, next_upd - 1, __ATOMIC_RELEASE);
		moved |= n > 0;
		done = next_upd > N_MSG;
		for (r = 0; r < 4; r++)
			done = done && next_ev[r] > N_MSG;
		if (!moved)
			sched_yield();
	}
	jitsim_shm_close(&dp);
	return 0;
}

static void
test_fork_exchange(void **state)
{
	struct jitsim_shm cp;
	uint32_t next_ev[4] = {1, 1, 1, 1}, next_upd = 1;
	int status;
	pid_t pid;
	bool done = false;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0)
		_exit(child_dp());

	while (!done) {
		struct jitsim_event ev[5];
		struct jitsim_update u[5];
		unsigned int n, i, r;
		bool moved = false;

		for (r = 0; r < 4; r++) {
			n = jitsim_shm_event_get(&cp, r, ev, 5);
			for (i = 0; i < n; i++) {
				assert_true(event_ok(&ev[i], r, next_ev[r]));
				next_ev[r]++;
			}
			moved |= n > 0;
		}
		for (i = 0; i < 5 && next_upd + i <= N_MSG; i++)
			u[i] = mk_update(next_upd + i);
		n = jitsim_shm_update_put(&cp, u, i);
		next_upd += n;
		moved |= n > 0;
		done = next_upd > N_MSG;
		for (r = 0; r < 4; r++)
			done = done && next_ev[r] > N_MSG;
		if (!moved) {
			/* A dead child would leave us spinning: check it. */
			if (waitpid(pid, &status, WNOHANG) == pid)
				fail_msg("child exited early, status %#x", status);
			sched_yield();
		}
	}
	assert_int_equal(waitpid(pid, &status, 0), pid);
	assert_true(WIFEXITED(status));
	assert_int_equal(WEXITSTATUS(status), 0);
	assert_int_equal(cp.hdr->dp_update_seq, N_MSG);
	assert_int_equal(cp.hdr->dp_generation, 1);
	assert_int_equal(cp.hdr->dp_pid, 0); /* closed cleanly: the role is free */
	jitsim_shm_close(&cp);
}

/*
 * One control plane per segment: a second jitsim-cp attaching while the
 * first is alive (pid exists, heartbeat fresh) is refused with -EBUSY; once
 * the first is killed, the successor takes over (after its heartbeat goes
 * stale, even while it is an unreaped zombie).
 */
static void
test_single_owner(void **state)
{
	struct jitsim_shm cp, me;
	int pfd[2], status;
	pid_t pid;
	char c;

	(void)state;
	assert_int_equal(pipe(pfd), 0);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		char cerr[256];

		close(pfd[0]);
		if (jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, cerr, sizeof(cerr)) !=
		    0)
			_exit(2);
		if (write(pfd[1], "r", 1) != 1)
			_exit(3);
		for (;;) {
			jitsim_shm_heartbeat(&cp);
			usleep(20 * 1000);
		}
	}
	close(pfd[1]);
	assert_int_equal(read(pfd[0], &c, 1), 1);
	close(pfd[0]);
	assert_int_equal(
		jitsim_shm_open(&me, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)),
		-EBUSY);
	assert_non_null(strstr(err, "control plane"));
	assert_null(me.hdr);
	/* The dataplane role is free: it attaches beside the live cp. */
	assert_int_equal(jitsim_shm_open(&me, inst, JITSIM_SHM_ROLE_DP, NULL, 5, err, sizeof(err)),
			 0);
	jitsim_shm_close(&me);
	/* Killed but not reaped yet: a zombie whose heartbeat goes stale. */
	assert_int_equal(kill(pid, SIGKILL), 0);
	assert_int_equal(
		jitsim_shm_open(&me, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	assert_int_equal(me.hdr->cp_pid, (uint32_t)getpid());
	jitsim_shm_close(&me);
	assert_int_equal(waitpid(pid, &status, 0), pid);
}

/* Attach as dp to @inst and expect -EPROTO with @what in the message. */
static void
expect_eproto(const char *what)
{
	struct jitsim_shm dp;
	int rc = jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 5, err, sizeof(err));

	if (rc != -EPROTO)
		fail_msg("%s: got %d (%s)", what, rc, rc == 0 ? "attached" : err);
	if (strstr(err, what) == NULL)
		fail_msg("message \"%s\" does not mention \"%s\"", err, what);
	assert_null(dp.hdr);
}

static void
test_corrupt(void **state)
{
	struct jitsim_shm cp;
	struct jitsim_shm_hdr save;
	struct jitsim_shm_hdr *h;
	struct rte_ring *r;
	uint32_t v;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	h = cp.hdr;
	save = *h;

#define CORRUPT(stmt, what)          \
	do {                         \
		stmt;                \
		expect_eproto(what); \
		*h = save;           \
	} while (0)

	CORRUPT(h->magic = 0x1122334455667788ull, "magic");
	CORRUPT(h->abi_version = 99, "ABI version 99");
	CORRUPT(h->hdr_size = 8192, "header size 8192");
	CORRUPT(h->rec_size = 128, "record size 128");
	CORRUPT(h->seg_size = 1ull << 40, "header says");
	CORRUPT(h->n_event_rings = 0, "n_event_rings 0");
	CORRUPT(h->n_event_rings = JITSIM_SHM_MAX_RINGS + 1, "n_event_rings 65");
	CORRUPT(h->event_ring[2].offset = h->seg_size, "event ring 2");
	CORRUPT(h->event_ring[1].offset = UINT64_MAX - 63, "outside the segment");
	CORRUPT(h->update_ring.offset += 8, "update ring");
	CORRUPT(h->event_ring[0].offset = 0, "event ring 0");
	CORRUPT(h->event_ring[3].count = 6, "count 6");
	CORRUPT(h->event_ring[3].count = 0, "count 0");
	CORRUPT(h->event_ring[3].count = 1u << 31, "event ring 3");
	CORRUPT(h->event_ring[1].offset = h->event_ring[0].offset, "overlap");
	/* Rings not yet counted as present are not looked at. */
	h->event_ring[5].offset = UINT64_MAX;
	{
		struct jitsim_shm dp;

		assert_int_equal(
			jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 5, err, sizeof(err)),
			0);
		jitsim_shm_close(&dp);
	}
	*h = save;
	/* A descriptor that is fine but does not match the rte_ring in place. */
	CORRUPT(h->event_ring[3].count = 4, "does not match");
	r = cp.event[1];
	v = r->mask;
	r->mask = 0xffff;
	expect_eproto("mask 0xffff");
	r->mask = v;
	v = r->prod.head;
	r->prod.head = v + 100;
	expect_eproto("indexes inconsistent");
	r->prod.head = v;
#undef CORRUPT

	/* After all that, the intact segment still attaches. */
	{
		struct jitsim_shm dp;

		assert_int_equal(
			jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 5, err, sizeof(err)),
			0);
		jitsim_shm_close(&dp);
	}
	jitsim_shm_close(&cp);
}

static void
test_truncated(void **state)
{
	struct jitsim_shm cp, dp;
	char name[64];
	size_t size;
	int fd;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	size = cp.size;
	jitsim_shm_close(&cp);
	snprintf(name, sizeof(name), "/jitsim.%s", inst);
	fd = shm_open(name, O_RDWR, 0);
	assert_true(fd >= 0);

	/* Cut off the update ring. */
	assert_int_equal(ftruncate(fd, (off_t)(size - 64)), 0);
	expect_eproto("the segment has");
	/* Less than a header, magic and all gone. */
	assert_int_equal(ftruncate(fd, 100), 0);
	expect_eproto("smaller than the 4096-byte header");
	/* An empty segment is a creator still at work, or dead: time out. */
	assert_int_equal(ftruncate(fd, 0), 0);
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 3, err, sizeof(err)),
			 -ETIMEDOUT);
	assert_non_null(strstr(err, "did not publish"));
	/* A header page without magic: same. */
	assert_int_equal(ftruncate(fd, (off_t)size), 0);
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_CP, NULL, 3, err, sizeof(err)),
			 -ETIMEDOUT);
	close(fd);
}

/*
 * A dataplane dies between reserving slots and publishing them; its
 * successor must discard the reservation and keep what was published.
 * Then the same for the control plane as the update producer, and as the
 * event consumer (claimed but not released: delivered again).
 */
static void
test_restart(void **state)
{
	struct jitsim_shm cp, dp;
	struct jitsim_event ev[8];
	struct jitsim_update u[8];
	struct rte_ring *r;
	unsigned int i;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 0, err, sizeof(err)),
			 0);
	for (i = 0; i < 3; i++)
		ev[i] = mk_event(2, i + 1);
	assert_int_equal(jitsim_shm_event_put(&dp, 2, ev, 3), 3);
	r = dp.event[2];
	r->prod.head += 2; /* "crash" in the middle of an enqueue */
	jitsim_shm_close(&dp);
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 0, err, sizeof(err)),
			 0);
	assert_int_equal(cp.hdr->dp_generation, 2);
	assert_int_equal(r->prod.head, r->prod.tail);
	for (i = 0; i < 4; i++)
		ev[i] = mk_event(2, i + 4);
	assert_int_equal(jitsim_shm_event_put(&dp, 2, ev, 4), 4); /* capacity 7 */
	memset(ev, 0, sizeof(ev));
	assert_int_equal(jitsim_shm_event_get(&cp, 2, ev, 8), 7);
	for (i = 0; i < 7; i++)
		assert_true(event_ok(&ev[i], 2, i + 1));

	/* Control plane dies mid-enqueue of updates. */
	u[0] = mk_update(1);
	assert_int_equal(jitsim_shm_update_put(&cp, u, 1), 1);
	cp.update->prod.head += 5;
	jitsim_shm_close(&cp);
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	assert_false(cp.created);
	assert_int_equal(cp.hdr->cp_generation, 2);
	u[0] = mk_update(2);
	assert_int_equal(jitsim_shm_update_put(&cp, u, 1), 1);
	memset(u, 0, sizeof(u));
	assert_int_equal(jitsim_shm_update_get(&dp, u, 8), 2);
	assert_true(update_ok(&u[0], 1));
	assert_true(update_ok(&u[1], 2));

	/* Control plane dies mid-dequeue of events: they come again. */
	for (i = 0; i < 2; i++)
		ev[i] = mk_event(0, i + 1);
	assert_int_equal(jitsim_shm_event_put(&dp, 0, ev, 2), 2);
	cp.event[0]->cons.head += 2;
	jitsim_shm_close(&cp);
	assert_int_equal(jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, NULL, 0, err, sizeof(err)),
			 0);
	memset(ev, 0, sizeof(ev));
	assert_int_equal(jitsim_shm_event_get(&cp, 0, ev, 8), 2);
	assert_true(event_ok(&ev[0], 0, 1));
	assert_true(event_ok(&ev[1], 0, 2));
	jitsim_shm_close(&dp);
	jitsim_shm_close(&cp);
}

/*
 * An updater (jitsim-shm update) beside an events consumer: it must not
 * take the event rings' consumer halves (a reset there would deliver again
 * what the consumer is reading) nor pass for a control-plane restart.
 * The seq of the last event published stays readable after consumption.
 */
static void
test_updater_role(void **state)
{
	struct jitsim_shm cp, dp, up;
	struct jitsim_event ev[4];
	struct jitsim_update u;
	unsigned int i;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, &small, 0, err, sizeof(err)), 0);
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 0, err, sizeof(err)),
			 0);
	assert_int_equal(jitsim_shm_event_last_seq(&dp, 1), 0);
	for (i = 0; i < 3; i++)
		ev[i] = mk_event(1, i + 1);
	assert_int_equal(jitsim_shm_event_put(&dp, 1, ev, 3), 3);
	cp.event[1]->cons.head += 1; /* the consumer is in the middle of a dequeue */
	assert_int_equal(
		jitsim_shm_open(&up, inst, JITSIM_SHM_ROLE_UPDATER, NULL, 0, err, sizeof(err)), 0);
	assert_int_equal(cp.event[1]->cons.head, cp.event[1]->cons.tail + 1);
	assert_int_equal(cp.hdr->cp_generation, 1);
	assert_int_equal(cp.hdr->cp_pid, (uint32_t)getpid());
	cp.event[1]->cons.head -= 1;
	u = mk_update(9);
	assert_int_equal(jitsim_shm_update_put(&up, &u, 1), 1);
	memset(&u, 0, sizeof(u));
	assert_int_equal(jitsim_shm_update_get(&dp, &u, 1), 1);
	assert_true(update_ok(&u, 9));
	assert_int_equal(jitsim_shm_event_get(&cp, 1, ev, 4), 3);
	assert_int_equal(jitsim_shm_event_last_seq(&dp, 1), 3);
	jitsim_shm_close(&up);
	jitsim_shm_close(&dp);
	jitsim_shm_close(&cp);
}

static void
test_ring_full(void **state)
{
	struct jitsim_shm cp, dp;
	struct jitsim_event ev[10];
	struct jitsim_update u[20];
	unsigned int i;

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, &small, 0, err, sizeof(err)), 0);
	assert_true(dp.created); /* either side may create */
	assert_int_equal(jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, NULL, 0, err, sizeof(err)),
			 0);
	for (i = 0; i < 10; i++)
		ev[i] = mk_event(3, i + 1);
	assert_int_equal(jitsim_shm_event_put(&dp, 3, ev, 10), 7);
	assert_int_equal(jitsim_shm_event_put(&dp, 3, &ev[7], 3), 0);
	memset(ev, 0, sizeof(ev));
	assert_int_equal(jitsim_shm_event_get(&cp, 3, ev, 10), 7);
	for (i = 0; i < 7; i++)
		assert_true(event_ok(&ev[i], 3, i + 1));
	assert_int_equal(jitsim_shm_event_get(&cp, 3, ev, 10), 0);

	for (i = 0; i < 20; i++)
		u[i] = mk_update(i + 1);
	assert_int_equal(jitsim_shm_update_put(&cp, u, 20), 15);
	assert_int_equal(jitsim_shm_update_put(&cp, u, 1), 0);
	assert_int_equal(jitsim_shm_update_get(&dp, u, 20), 15);
	jitsim_shm_close(&cp);
	jitsim_shm_close(&dp);
}

/* sig_up: several workers put at once (MP), one consumer sees every record
 * whole and each producer's records in order; sig_down the other way. */
#define SIG_PRODUCERS 4
#define SIG_PER_PRODUCER 2000

struct sig_prod {
	struct jitsim_shm *s;
	unsigned int id;
};

static void *
sig_producer(void *arg)
{
	struct sig_prod *p = arg;
	struct jitsim_sig_msg m;
	unsigned int i;

	memset(&m, 0, sizeof(m));
	m.kind = JITSIM_SIG_FTA_IN;
	m.lcore = (uint16_t)p->id;
	for (i = 0; i < SIG_PER_PRODUCER;) {
		m.seq = i + 1;
		m.len = (uint16_t)(i % JITSIM_SIG_DATA_MAX);
		memset(m.data, (int)(p->id * 16 + (i & 15)), sizeof(m.data));
		if (jitsim_shm_sig_up_put(p->s, &m, 1) == 1)
			i++;
		else
			sched_yield(); /* full: let the consumer (2 cores, 5 threads) run */
	}
	return NULL;
}

static void
test_sig_rings(void **state)
{
	struct {
		struct jitsim_shm_geometry g;
	} w = {.g = small};
	struct jitsim_shm cp, dp;
	struct sig_prod prod[SIG_PRODUCERS];
	pthread_t th[SIG_PRODUCERS];
	static struct jitsim_sig_msg m[64];
	uint32_t next[SIG_PRODUCERS] = {0};
	unsigned int i, got = 0, n, k;

	(void)state;
	w.g.sig_ring_count = 16;
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, &w.g, 0, err, sizeof(err)),
			 0);
	assert_int_equal(dp.hdr->sig_up.count, 16);
	assert_int_equal(jitsim_shm_open(&cp, inst, JITSIM_SHM_ROLE_CP, NULL, 0, err, sizeof(err)),
			 0);
	for (i = 0; i < SIG_PRODUCERS; i++) {
		prod[i].s = &dp;
		prod[i].id = i;
		assert_int_equal(pthread_create(&th[i], NULL, sig_producer, &prod[i]), 0);
	}
	while (got < SIG_PRODUCERS * SIG_PER_PRODUCER) {
		n = jitsim_shm_sig_up_get(&cp, m, 64);
		if (n == 0)
			sched_yield();
		for (i = 0; i < n; i++) {
			unsigned int id = m[i].lcore;

			assert_int_equal(m[i].kind, JITSIM_SIG_FTA_IN);
			assert_true(id < SIG_PRODUCERS);
			assert_int_equal(m[i].seq, next[id] + 1);
			next[id] = m[i].seq;
			for (k = 0; k < JITSIM_SIG_DATA_MAX; k++)
				assert_int_equal(m[i].data[k], id * 16 + ((m[i].seq - 1) & 15));
		}
		got += n;
	}
	for (i = 0; i < SIG_PRODUCERS; i++)
		pthread_join(th[i], NULL);

	/* sig_down: capacity count - 1, FIFO, whole records. */
	for (i = 0; i < 20; i++) {
		memset(&m[i], 0, sizeof(m[i]));
		m[i].kind = JITSIM_SIG_SEND;
		m[i].seq = i + 1;
		m[i].assoc = JITSIM_SIG_ASSOC_ROUTE;
	}
	assert_int_equal(jitsim_shm_sig_down_put(&cp, m, 20), 15);
	memset(m, 0, sizeof(m));
	assert_int_equal(jitsim_shm_sig_down_get(&dp, m, 64), 15);
	for (i = 0; i < 15; i++)
		assert_int_equal(m[i].seq, i + 1);
	/* The wrong sides of the rings are not this role's to use, but the
	 * segment stays consistent for a successor. */
	jitsim_shm_close(&cp);
	jitsim_shm_close(&dp);
}

int
main(void)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test(test_names),
		cmocka_unit_test_setup_teardown(test_bad_args, setup, teardown),
		cmocka_unit_test_setup_teardown(test_create_attach, setup, teardown),
		cmocka_unit_test_setup_teardown(test_fork_exchange, setup, teardown),
		cmocka_unit_test_setup_teardown(test_single_owner, setup, teardown),
		cmocka_unit_test_setup_teardown(test_corrupt, setup, teardown),
		cmocka_unit_test_setup_teardown(test_truncated, setup, teardown),
		cmocka_unit_test_setup_teardown(test_restart, setup, teardown),
		cmocka_unit_test_setup_teardown(test_ring_full, setup, teardown),
		cmocka_unit_test_setup_teardown(test_updater_role, setup, teardown),
		cmocka_unit_test_setup_teardown(test_sig_rings, setup, teardown),
	};

	return cmocka_run_group_tests(tests, NULL, NULL);
}
