/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * A stand-in dataplane for jitsim-cp tests that need attaches of chosen
 * SIMs at chosen moments (tests/cp/cp_ctl_pool.py): it attaches to the
 * segment as the dataplane (the real ring halves, the real ABI), puts one
 * first_attach event per IMSI given into event ring 0, as jitsim-dp's
 * detect stage would for a MAP UpdateLocation from the VLR --visited, then
 * reads the update ring until each of those IMSIs got a PUT or --wait
 * seconds passed, and prints every update read as a JSON line
 * {"imsi","state","msisdn"}.
 *
 * --event picks another event (tests/cp/cp_sleep.py): reattach and
 * wakeup_mt (a SLEEPING SIM), activity (an ACTIVE SIM: no PUT awaited),
 * none (no event: only read the PUTs of the IMSIs, e.g. after a sweep).
 *
 * usage: cp_fakedp --instance NAME [--visited DIGITS] [--wait SEC]
 *        [--event first_attach|reattach|wakeup_mt|activity|none] IMSI...
 * Exit: 0 every IMSI got a PUT, 1 some did not (or a failure), 2 usage.
 */

#include <getopt.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#define FAKEDP_MAX 1024

static double
fakedp_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"visited", required_argument, NULL, 'v'},
		{"wait", required_argument, NULL, 'w'},
		{"event", required_argument, NULL, 'e'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = NULL, *visited = "4477001";
	double wait_s = 20;
	const char *event = "first_attach";
	uint8_t type = JITSIM_EV_FIRST_ATTACH, prev = JITSIM_SIM_INVENTORY;
	uint64_t imsi[FAKEDP_MAX];
	bool got[FAKEDP_MAX] = {false};
	unsigned int n = 0, left;
	struct jitsim_shm shm;
	char err[256];
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'i')
			instance = optarg;
		else if (o == 'v')
			visited = optarg;
		else if (o == 'w')
			wait_s = atof(optarg);
		else if (o == 'e')
			event = optarg;
		else
			return 2;
	}
	if (instance == NULL || optind >= argc || jitsim_digits_key_str(visited) == 0) {
		fprintf(stderr, "usage: cp_fakedp --instance NAME [--visited DIGITS] [--wait SEC] "
				"IMSI...\n");
		return 2;
	}
	if (strcmp(event, "reattach") == 0 || strcmp(event, "wakeup_mt") == 0) {
		type = event[0] == 'r' ? JITSIM_EV_REATTACH : JITSIM_EV_WAKEUP_MT;
		prev = JITSIM_SIM_SLEEPING;
	} else if (strcmp(event, "activity") == 0) {
		type = JITSIM_EV_ACTIVITY;
		prev = JITSIM_SIM_ACTIVE;
	} else if (strcmp(event, "none") == 0) {
		type = JITSIM_EV_NONE;
	} else if (strcmp(event, "first_attach") != 0) {
		fprintf(stderr, "cp_fakedp: bad --event '%s'\n", event);
		return 2;
	}
	for (; optind < argc && n < FAKEDP_MAX; optind++) {
		imsi[n] = jitsim_digits_key_str(argv[optind]);
		if (imsi[n] == 0) {
			fprintf(stderr, "cp_fakedp: bad IMSI '%s'\n", argv[optind]);
			return 2;
		}
		n++;
	}
	if (jitsim_shm_open(&shm, instance, JITSIM_SHM_ROLE_DP, NULL, 2000, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "cp_fakedp: %s\n", err);
		return 1;
	}
	for (unsigned int i = 0; i < n && type != JITSIM_EV_NONE; i++) {
		struct jitsim_event ev;

		memset(&ev, 0, sizeof(ev));
		ev.type = type;
		ev.proto = JITSIM_EV_PROTO_MAP;
		ev.op = 2; /* MAP updateLocation (TS 29.002 17.5) */
		ev.visited_kind = JITSIM_EV_VIS_VLR;
		ev.map_version = 3;
		ev.prev_state = prev;
		ev.rat_type = 0xffff;
		ev.seq = jitsim_shm_event_last_seq(&shm, 0) + 1;
		ev.lease_until = type == JITSIM_EV_ACTIVITY ? 0 : (uint32_t)time(NULL) + 60;
		ev.ts_s = (uint32_t)time(NULL);
		ev.imsi = imsi[i];
		ev.visited = jitsim_digits_key_str(visited);
		if (jitsim_shm_event_put(&shm, 0, &ev, 1) != 1) {
			fprintf(stderr, "cp_fakedp: event ring 0 full\n");
			jitsim_shm_close(&shm);
			return 1;
		}
	}
	/* ACTIVITY gets no answer. */
	left = type == JITSIM_EV_ACTIVITY ? 0 : n;
	for (double end = fakedp_now() + wait_s; left > 0 && fakedp_now() < end;) {
		struct jitsim_update u[32];
		unsigned int k = jitsim_shm_update_get(&shm, u, 32);
		const struct timespec pause = {.tv_sec = 0, .tv_nsec = 2000000};

		jitsim_shm_heartbeat(&shm);
		if (k == 0)
			nanosleep(&pause, NULL);
		for (unsigned int j = 0; j < k; j++) {
			char a[JITSIM_DIGITS_MAX + 1] = "", m[JITSIM_DIGITS_MAX + 1] = "";

			jitsim_digits_key_format(u[j].imsi, a, sizeof(a));
			if (u[j].msisdn != 0)
				jitsim_digits_key_format(u[j].msisdn, m, sizeof(m));
			printf("{\"imsi\":\"%s\",\"op\":\"%s\",\"state\":\"%s\",\"msisdn\":\"%s\"}"
			       "\n",
			       a, jitsim_update_op_name(u[j].op), jitsim_sim_state_name(u[j].state),
			       m);
			for (unsigned int i = 0; i < n; i++)
				if (!got[i] && imsi[i] == u[j].imsi && u[j].op == JITSIM_UPD_PUT &&
				    u[j].state != JITSIM_SIM_ACTIVATING) {
					got[i] = true;
					left--;
				}
		}
	}
	fflush(stdout);
	jitsim_shm_close(&shm);
	return left == 0 ? 0 : 1;
}
