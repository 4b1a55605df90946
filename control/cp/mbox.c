/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>

#include "mbox.h"

int
jitsim_cp_mbox_init(struct jitsim_cp_mbox *mb)
{
	int rc;

	*mb = (struct jitsim_cp_mbox){0};
	rc = pthread_mutex_init(&mb->lock, NULL);
	if (rc != 0)
		return -rc;
	rc = pthread_cond_init(&mb->cond, NULL);
	if (rc != 0) {
		pthread_mutex_destroy(&mb->lock);
		return -rc;
	}
	return 0;
}

void
jitsim_cp_mbox_destroy(struct jitsim_cp_mbox *mb)
{
	pthread_cond_destroy(&mb->cond);
	pthread_mutex_destroy(&mb->lock);
}

int
jitsim_cp_mbox_call(struct jitsim_cp_mbox *mb, jitsim_cp_mbox_fn_t fn, void *arg)
{
	unsigned long ticket;
	int rc;

	pthread_mutex_lock(&mb->lock);
	while (mb->busy && !mb->closed)
		pthread_cond_wait(&mb->cond, &mb->lock);
	if (mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		return -ESHUTDOWN;
	}
	mb->busy = true;
	mb->arg = arg;
	mb->rc = -ESHUTDOWN;
	ticket = ++mb->posted;
	/* Published last: the owner's unlocked peek sees fn only once the
	 * rest is in place (it takes the lock before using any of it). */
	__atomic_store_n(&mb->fn, fn, __ATOMIC_RELEASE);
	while (mb->finished != ticket && !mb->closed)
		pthread_cond_wait(&mb->cond, &mb->lock);
	rc = mb->finished == ticket ? mb->rc : -ESHUTDOWN;
	/* Closed while pending: the closure never runs, its arguments (on
	 * our stack) are forgotten with the slot. */
	__atomic_store_n(&mb->fn, NULL, __ATOMIC_RELAXED);
	mb->busy = false;
	pthread_cond_broadcast(&mb->cond);
	pthread_mutex_unlock(&mb->lock);
	return rc;
}

int
jitsim_cp_mbox_run(struct jitsim_cp_mbox *mb)
{
	jitsim_cp_mbox_fn_t fn;
	void *arg;
	int rc;

	if (__atomic_load_n(&mb->fn, __ATOMIC_ACQUIRE) == NULL)
		return 0;
	pthread_mutex_lock(&mb->lock);
	fn = mb->fn;
	arg = mb->arg;
	if (fn == NULL || mb->finished == mb->posted || mb->closed) {
		pthread_mutex_unlock(&mb->lock);
		return 0;
	}
	/* The caller waits for this ticket, so fn and arg stay valid while
	 * the lock is released around the call. */
	pthread_mutex_unlock(&mb->lock);
	rc = fn(arg);
	pthread_mutex_lock(&mb->lock);
	mb->rc = rc;
	mb->finished = mb->posted;
	__atomic_store_n(&mb->fn, NULL, __ATOMIC_RELAXED);
	pthread_cond_broadcast(&mb->cond);
	pthread_mutex_unlock(&mb->lock);
	return 1;
}

void
jitsim_cp_mbox_close(struct jitsim_cp_mbox *mb)
{
	pthread_mutex_lock(&mb->lock);
	mb->closed = true;
	pthread_cond_broadcast(&mb->cond);
	pthread_mutex_unlock(&mb->lock);
}
