/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * A call box: lets another thread run a function on jitsim-cp's workflow
 * thread and wait for its result.
 *
 * The pool set, the rules, the live jobs and the producer half of the
 * dataplane's update ring belong to the workflow thread (flow.h). The
 * control socket's handlers run on their own thread; a command that reads
 * or changes any of those hands a closure to jitsim_cp_mbox_call(), which
 * blocks until the workflow thread has run it between two loop turns.
 * That is at most one event burst (one commit) of waiting, and it keeps
 * every one of those structures single-threaded: no locks inside them.
 *
 * Threads: jitsim_cp_mbox_call() from any thread but the owner (calls are
 * serialised: one at a time is run, others wait their turn);
 * jitsim_cp_mbox_run() and jitsim_cp_mbox_close() from the owner only.
 * Lifetime: init -> (call | run)* -> close (wakes every waiter with
 * -ESHUTDOWN; later calls fail at once) -> destroy.
 */

#ifndef JITSIM_CP_MBOX_H
#define JITSIM_CP_MBOX_H

#include <pthread.h>
#include <stdbool.h>

/* A closure: runs on the owner thread, returns 0 or a negative errno. */
typedef int (*jitsim_cp_mbox_fn_t)(void *arg);

struct jitsim_cp_mbox {
	pthread_mutex_t lock;
	pthread_cond_t cond;
	jitsim_cp_mbox_fn_t fn; /* pending call, NULL when none */
	void *arg;
	int rc;
	unsigned long posted, finished; /* call tickets */
	bool busy;			/* a caller holds the slot */
	bool closed;
};

/* 0 or negative errno. */
int jitsim_cp_mbox_init(struct jitsim_cp_mbox *mb);
void jitsim_cp_mbox_destroy(struct jitsim_cp_mbox *mb);

/* Run @fn(@arg) on the owner thread and return its result; -ESHUTDOWN
 * when the box is (or gets) closed before the call ran. Blocks. */
int jitsim_cp_mbox_call(struct jitsim_cp_mbox *mb, jitsim_cp_mbox_fn_t fn, void *arg);

/* Owner thread: run the pending call if there is one. Returns 1 if a call
 * ran, 0 otherwise. Cheap when idle (one relaxed load). */
int jitsim_cp_mbox_run(struct jitsim_cp_mbox *mb);

/* Owner thread: refuse new calls and fail the pending one. */
void jitsim_cp_mbox_close(struct jitsim_cp_mbox *mb);

#endif /* JITSIM_CP_MBOX_H */
