/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-shm against this process acting as the dataplane: the JSON of
 * `events` field by field and its gap summary, `update` records and its
 * wait for the dataplane's acknowledgement, bad update lines, status.
 * argv[1] is the jitsim-shm binary.
 */

#include <errno.h>
#include <fcntl.h>
#include <setjmp.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

static const char *tool;
static char inst[32];
static char err[256];
static char out_path[64], err_path[64], in_path[64];

static const struct jitsim_shm_geometry small = {
	.n_event_rings = 2,
	.event_ring_count = 16,
	.update_ring_count = 4,
};

static int
setup(void **state)
{
	static unsigned int n;

	(void)state;
	snprintf(inst, sizeof(inst), "tt%d_%u", (int)getpid(), n++);
	snprintf(out_path, sizeof(out_path), "/tmp/jitsim-shm-test.%d.out", (int)getpid());
	snprintf(err_path, sizeof(err_path), "/tmp/jitsim-shm-test.%d.err", (int)getpid());
	snprintf(in_path, sizeof(in_path), "/tmp/jitsim-shm-test.%d.in", (int)getpid());
	jitsim_shm_unlink(inst);
	return 0;
}

static int
teardown(void **state)
{
	(void)state;
	jitsim_shm_unlink(inst);
	unlink(out_path);
	unlink(err_path);
	unlink(in_path);
	return 0;
}

/* The whole of a small file, NUL-terminated, in a static buffer. */
static const char *
slurp(const char *path)
{
	static char buf[16384];
	FILE *f = fopen(path, "r");
	size_t n;

	assert_non_null(f);
	n = fread(buf, 1, sizeof(buf) - 1, f);
	buf[n] = '\0';
	fclose(f);
	return buf;
}

static void
write_file(const char *path, const char *text)
{
	FILE *f = fopen(path, "w");

	assert_non_null(f);
	fputs(text, f);
	fclose(f);
}

/*
 * Run the tool with stdout/stderr into out_path/err_path. With @dp, act
 * as the dataplane meanwhile: apply updates (into @got, at most @max) and
 * acknowledge them in the header, as jitsim-dp's updater does.
 */
static int
run_tool(const char *const *args, struct jitsim_shm *dp, struct jitsim_update *got,
	 unsigned int max, unsigned int *n_got)
{
	char *argv[16];
	unsigned int i;
	int status;
	pid_t pid;

	argv[0] = (char *)(uintptr_t)tool;
	for (i = 0; args[i] != NULL && i < 14; i++)
		argv[i + 1] = (char *)(uintptr_t)args[i];
	argv[i + 1] = NULL;
	fflush(NULL);
	pid = fork();
	assert_true(pid >= 0);
	if (pid == 0) {
		int o = open(out_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);
		int e = open(err_path, O_WRONLY | O_CREAT | O_TRUNC, 0600);

		if (o < 0 || e < 0 || dup2(o, 1) < 0 || dup2(e, 2) < 0)
			_exit(99);
		execv(tool, argv);
		_exit(98);
	}
	if (n_got != NULL)
		*n_got = 0;
	for (;;) {
		pid_t w = waitpid(pid, &status, dp != NULL ? WNOHANG : 0);

		assert_true(w >= 0);
		if (w == pid)
			break;
		if (dp != NULL) {
			struct jitsim_update u;

			if (jitsim_shm_update_get(dp, &u, 1) == 1) {
				assert_true(*n_got < max);
				got[(*n_got)++] = u;
				__atomic_store_n(&dp->hdr->dp_update_seq, u.seq, __ATOMIC_RELEASE);
			} else {
				usleep(500);
			}
		}
	}
	assert_true(WIFEXITED(status));
	return WEXITSTATUS(status);
}

static struct jitsim_event
base_event(uint32_t seq)
{
	struct jitsim_event e;

	memset(&e, 0, sizeof(e));
	e.type = JITSIM_EV_FIRST_ATTACH;
	e.proto = JITSIM_EV_PROTO_MAP;
	e.op = 56;
	e.imsi = jitsim_digits_key_str("001010000100078");
	e.msisdn = jitsim_digits_key_str("447700100001");
	e.visited_kind = JITSIM_EV_VIS_VLR;
	e.visited = jitsim_digits_key_str("4477001");
	e.map_version = 3;
	e.prev_state = JITSIM_SIM_INVENTORY;
	e.rat_type = 0xffff;
	e.seq = seq;
	e.lease_until = 1795000000;
	e.ts_s = 1794999700;
	e.lcore = 1;
	return e;
}

static void
test_events(void **state)
{
	struct jitsim_shm dp;
	struct jitsim_event e[3];
	const char *out;
	const char *args[] = {"events", "--instance", inst, "--count",
			      "4",	"--timeout",  "60", NULL};

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, &small, 0, err, sizeof(err)), 0);
	e[0] = base_event(1);
	e[1] = base_event(2);
	e[1].type = JITSIM_EV_UNKNOWN_IMSI;
	e[1].msisdn = 0;
	e[1].visited_kind = JITSIM_EV_VIS_NONE;
	e[1].visited = 0;
	e[1].prev_state = JITSIM_SIM_NONE;
	assert_int_equal(jitsim_shm_event_put(&dp, 0, e, 2), 2);
	e[0] = base_event(1);
	e[0].type = JITSIM_EV_REATTACH;
	e[0].proto = JITSIM_EV_PROTO_DIAMETER;
	e[0].op = 316;
	e[0].visited_kind = JITSIM_EV_VIS_PLMN;
	e[0].visited = jitsim_digits_key_str("00101");
	e[0].rat_type = 1004;
	e[0].imei = jitsim_digits_key_str("35345678901234");
	e[0].origin_hash = 0xdeadbeef;
	e[0].tenant = 7;
	e[0].region = 9;
	e[0].sim_flags = 4;
	e[0].map_version = 0;
	e[0].prev_state = JITSIM_SIM_SLEEPING;
	e[0].lcore = 2;
	e[1] = e[0];
	e[1].seq = 4; /* 2 and 3 were dropped */
	assert_int_equal(jitsim_shm_event_put(&dp, 1, e, 2), 2);

	assert_int_equal(run_tool(args, NULL, NULL, 0, NULL), 0);
	out = slurp(out_path);
	assert_string_equal(
		out,
		"{\"ring\":0,\"seq\":1,\"type\":\"first_attach\",\"proto\":\"map\",\"op\":56,"
		"\"imsi\":\"001010000100078\",\"msisdn\":\"447700100001\",\"visited_kind\":\"vlr\","
		"\"visited\":\"4477001\",\"map_version\":3,\"prev_state\":\"inventory\","
		"\"sim_flags\":0,\"tenant\":0,\"region\":0,\"rat_type\":null,\"imei\":null,"
		"\"origin_hash\":0,\"lease_until\":1795000000,\"ts\":1794999700,\"lcore\":1}\n"
		"{\"ring\":0,\"seq\":2,\"type\":\"unknown_imsi\",\"proto\":\"map\",\"op\":56,"
		"\"imsi\":\"001010000100078\",\"msisdn\":null,\"visited_kind\":null,"
		"\"visited\":null,\"map_version\":3,\"prev_state\":\"none\","
		"\"sim_flags\":0,\"tenant\":0,\"region\":0,\"rat_type\":null,\"imei\":null,"
		"\"origin_hash\":0,\"lease_until\":1795000000,\"ts\":1794999700,\"lcore\":1}\n"
		"{\"ring\":1,\"seq\":1,\"type\":\"reattach\",\"proto\":\"diameter\",\"op\":316,"
		"\"imsi\":\"001010000100078\",\"msisdn\":\"447700100001\",\"visited_kind\":"
		"\"plmn\","
		"\"visited\":\"00101\",\"map_version\":0,\"prev_state\":\"sleeping\","
		"\"sim_flags\":4,\"tenant\":7,\"region\":9,\"rat_type\":1004,"
		"\"imei\":\"35345678901234\",\"origin_hash\":3735928559,\"lease_until\":1795000000,"
		"\"ts\":1794999700,\"lcore\":2}\n"
		"{\"ring\":1,\"seq\":4,\"type\":\"reattach\",\"proto\":\"diameter\",\"op\":316,"
		"\"imsi\":\"001010000100078\",\"msisdn\":\"447700100001\",\"visited_kind\":"
		"\"plmn\","
		"\"visited\":\"00101\",\"map_version\":0,\"prev_state\":\"sleeping\","
		"\"sim_flags\":4,\"tenant\":7,\"region\":9,\"rat_type\":1004,"
		"\"imei\":\"35345678901234\",\"origin_hash\":3735928559,\"lease_until\":1795000000,"
		"\"ts\":1794999700,\"lcore\":2}\n");
	out = slurp(err_path);
	assert_non_null(strstr(out, "4 events, first_attach 1, reattach 2, unknown_imsi 1\n"));
	assert_non_null(strstr(out, "ring 0: 2 events, seq 1..2, 0 missing in gaps"));
	assert_non_null(strstr(out, "ring 1: 2 events, seq 1..4, 2 missing in gaps"));
	/* The tool attached as the control plane; the dataplane's halves are untouched. */
	assert_int_equal(dp.hdr->cp_generation, 1);
	assert_int_equal(jitsim_shm_event_put(&dp, 0, e, 1), 1);

	/* Nothing more than that one: --idle ends it. */
	{
		const char *idle[] = {"events", "-i", inst, "--idle", "0.05", NULL};

		assert_int_equal(run_tool(idle, NULL, NULL, 0, NULL), 0);
		assert_non_null(strstr(slurp(err_path), "1 events, reattach 1\n"));
	}
	jitsim_shm_close(&dp);
}

static void
test_update(void **state)
{
	struct jitsim_shm dp;
	struct jitsim_update got[16];
	unsigned int n;
	const char *args[] = {"update", "--instance", inst, in_path, NULL};

	(void)state;
	assert_int_equal(
		jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, &small, 0, err, sizeof(err)), 0);
	dp.hdr->dp_ready = 1;
	/* More lines than the update ring holds (3): the tool must wait for room. */
	write_file(in_path, "# provisioning\n"
			    "put 001010000000001 inventory 447700100001 tenant=3 region=4\n"
			    "\n"
			    "  set 001010000000001 ACTIVE time=1795000000 flags=0x2  # done\n"
			    "put 001010000000002 locked flags=1\n"
			    "del 001010000000001\n"
			    "sync\n");
	assert_int_equal(run_tool(args, &dp, got, 16, &n), 0);
	assert_int_equal(n, 5);
	assert_int_equal(got[0].op, JITSIM_UPD_PUT);
	assert_int_equal(got[0].seq, 1);
	assert_int_equal(got[0].imsi, jitsim_digits_key_str("001010000000001"));
	assert_int_equal(got[0].msisdn, jitsim_digits_key_str("447700100001"));
	assert_int_equal(got[0].state, JITSIM_SIM_INVENTORY);
	assert_int_equal(got[0].tenant, 3);
	assert_int_equal(got[0].region, 4);
	assert_int_equal(got[1].op, JITSIM_UPD_SET_STATE);
	assert_int_equal(got[1].state, JITSIM_SIM_ACTIVE);
	assert_int_equal(got[1].time, 1795000000);
	assert_int_equal(got[1].flags, 2);
	assert_int_equal(got[2].op, JITSIM_UPD_PUT);
	assert_int_equal(got[2].msisdn, 0);
	assert_int_equal(got[2].state, JITSIM_SIM_LOCKED);
	assert_int_equal(got[2].flags, 1);
	assert_int_equal(got[3].op, JITSIM_UPD_DEL);
	assert_int_equal(got[4].op, JITSIM_UPD_SYNC);
	assert_int_equal(got[4].seq, 5);
	assert_int_equal(dp.hdr->cp_update_seq, 5);
	assert_non_null(strstr(slurp(err_path), "5 updates sent (seq 1..5), applied"));

	/* Bad lines: named, skipped, the rest sent, exit 1; seq goes on from 5. */
	write_file(in_path, "put 001010000000003 active\n"
			    "put 001010000000004 awake\n"
			    "put 0010100000000045 active\n"
			    "set 001010000000003 sleeping tenant=1\n"
			    "put 001010000000003 active region=65536\n"
			    "frob 1\n"
			    "del\n"
			    "sync now\n"
			    "del 001010000000003\n");
	assert_int_equal(run_tool(args, &dp, got, 16, &n), 1);
	assert_int_equal(n, 2);
	assert_int_equal(got[0].seq, 6);
	assert_int_equal(got[1].op, JITSIM_UPD_DEL);
	assert_int_equal(got[1].seq, 7);
	{
		const char *e = slurp(err_path);
		char want[128];

		snprintf(want, sizeof(want), "%s:2: field 3 (state): 'awake'", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:3: field 2 (IMSI)", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:4: field 4: 'tenant'", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:5: field 4 (region): '65536'", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:6: field 1 (operation)", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:7: field 2 (IMSI): missing", in_path);
		assert_non_null(strstr(e, want));
		snprintf(want, sizeof(want), "%s:8: sync takes no fields", in_path);
		assert_non_null(strstr(e, want));
		assert_non_null(strstr(e, "7 bad lines not sent"));
	}
	jitsim_shm_close(&dp);
}

static void
test_status_usage(void **state)
{
	struct jitsim_shm dp;
	const char *status[] = {"status", "-i", inst, "--json", NULL};
	const char *no_inst[] = {"status", NULL};
	const char *bad_inst[] = {"status", "-i", "a/b", NULL};
	const char *bad_slots[] = {"create", "-i", inst, "--event-slots", "100", NULL};
	const char *create[] = {"create",	  "-i", inst, "--rings", "3", "--event-slots", "4",
				"--update-slots", "8",	NULL};
	const char *unl[] = {"unlink", "-i", inst, NULL};
	char want[96];

	(void)state;
	assert_int_equal(run_tool(status, NULL, NULL, 0, NULL), 1); /* no segment yet */
	assert_int_equal(run_tool(no_inst, NULL, NULL, 0, NULL), 2);
	assert_int_equal(run_tool(bad_inst, NULL, NULL, 0, NULL), 2);
	assert_int_equal(run_tool(bad_slots, NULL, NULL, 0, NULL), 2);
	assert_int_equal(run_tool(create, NULL, NULL, 0, NULL), 0);
	assert_int_equal(run_tool(create, NULL, NULL, 0, NULL), 1); /* exists */
	assert_int_equal(jitsim_shm_open(&dp, inst, JITSIM_SHM_ROLE_DP, NULL, 0, err, sizeof(err)),
			 0);
	{
		struct jitsim_event e = base_event(1);

		assert_int_equal(jitsim_shm_event_put(&dp, 2, &e, 1), 1);
	}
	dp.hdr->dp_n_workers = 3;
	assert_int_equal(run_tool(status, NULL, NULL, 0, NULL), 0);
	snprintf(want, sizeof(want), "{\"instance\":\"%s\"", inst);
	assert_non_null(strstr(slurp(out_path), want));
	snprintf(want, sizeof(want), "\"dp\":{\"generation\":1,\"pid\":%d,\"alive\":true",
		 (int)getpid());
	assert_non_null(strstr(slurp(out_path), want));
	assert_non_null(strstr(slurp(out_path), "\"ready\":0,\"workers\":3,"));
	assert_non_null(strstr(slurp(out_path), "{\"ring\":2,\"slots\":4,\"count\":1}],"
						"\"update_ring\":{\"slots\":8,\"count\":0},"
						"\"sig_up_ring\":{\"slots\":1024,\"count\":0},"
						"\"sig_down_ring\":{\"slots\":1024,\"count\":0}}"));
	/* status changed nothing: still one event, cp still at generation 1. */
	assert_int_equal(dp.hdr->cp_generation, 1);
	jitsim_shm_close(&dp);
	assert_int_equal(run_tool(unl, NULL, NULL, 0, NULL), 0);
	assert_int_equal(run_tool(unl, NULL, NULL, 0, NULL), 1);
}

int
main(int argc, char **argv)
{
	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_events, setup, teardown),
		cmocka_unit_test_setup_teardown(test_update, setup, teardown),
		cmocka_unit_test_setup_teardown(test_status_usage, setup, teardown),
	};

	if (argc != 2) {
		fprintf(stderr, "usage: %s PATH-TO-jitsim-shm\n", argv[0]);
		return 2;
	}
	tool = argv[1];
	return cmocka_run_group_tests(tests, NULL, NULL);
}
