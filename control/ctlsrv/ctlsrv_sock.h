/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Socket plumbing of the control server (internal to control/ctlsrv): the
 * listening socket with its directory checks and stale-file cleanup, group
 * lookup, and the peer-credential check. No state; any thread.
 */

#ifndef JITSIM_CTLSRV_SOCK_H
#define JITSIM_CTLSRV_SOCK_H

#include <stdbool.h>
#include <stddef.h>
#include <sys/socket.h>
#include <sys/types.h>

#include "ctlsrv.h"

struct jitsim_ctlsrv_sock_log {
	jitsim_ctlsrv_log_t fn;
	void *arg;
};

/* Resolve a group name, or a decimal gid. 0, -EINVAL (unknown; message in
 * @err), -ENOMEM. */
int jitsim_ctlsrv_sock_group(const char *name, gid_t *gid, char *err, size_t errlen);

/* Prepare the parent directory, remove a stale socket, bind, chmod 0660,
 * chown to @group if @have_group, listen. Returns the non-blocking listening
 * fd and the socket file's identity in @dev/@ino, or a negative errno with
 * the reason in @err (the path named). */
int jitsim_ctlsrv_sock_listen(const char *path, bool have_group, gid_t group,
			      const struct jitsim_ctlsrv_sock_log *log, dev_t *dev, ino_t *ino,
			      char *err, size_t errlen);

/* Read the peer's credentials and decide: 1 allowed (uid 0, our euid, or
 * @group among its primary and supplementary groups when @have_group), 0
 * refused, negative errno if the credentials cannot be read. */
int jitsim_ctlsrv_sock_peer(int fd, bool have_group, gid_t group, struct ucred *cred);

#endif /* JITSIM_CTLSRV_SOCK_H */
