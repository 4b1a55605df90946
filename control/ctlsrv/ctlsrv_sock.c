/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <fcntl.h>
#include <grp.h>
#include <limits.h>
#include <stdarg.h>
#include <pwd.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <syslog.h>
#include <sys/socket.h>
#include <sys/stat.h>
#include <sys/un.h>
#include <unistd.h>

#include "ctlsrv_sock.h"

#ifndef SO_PEERGROUPS
#define SO_PEERGROUPS 59 /* Linux 4.13 */
#endif

/* Listen backlog: a burst of jitsimctl calls from scripts, not a web load. */
#define CTLSRV_BACKLOG 128

static void sock_log(const struct jitsim_ctlsrv_sock_log *log, int level, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
sock_log(const struct jitsim_ctlsrv_sock_log *log, int level, const char *fmt, ...)
{
	char msg[512];
	va_list ap;

	if (log == NULL || log->fn == NULL)
		return;
	va_start(ap, fmt);
	vsnprintf(msg, sizeof(msg), fmt, ap);
	va_end(ap);
	log->fn(log->arg, level, msg);
}

int
jitsim_ctlsrv_sock_group(const char *name, gid_t *gid, char *err, size_t errlen)
{
	struct group gr, *res = NULL;
	char *end, *buf;
	size_t buflen = 4096;
	unsigned long v;
	int rc;

	if (name[0] == '\0') {
		snprintf(err, errlen, "empty group name");
		return -EINVAL;
	}
	if (name[0] >= '0' && name[0] <= '9') {
		errno = 0;
		v = strtoul(name, &end, 10);
		if (errno != 0 || *end != '\0' || v >= (gid_t)-1) {
			snprintf(err, errlen, "group \"%.64s\": not a valid gid", name);
			return -EINVAL;
		}
		*gid = (gid_t)v;
		return 0;
	}
	/* getgrnam_r wants a caller buffer; grow it for groups with many members. */
	for (;;) {
		buf = malloc(buflen);
		if (buf == NULL)
			return -ENOMEM;
		rc = getgrnam_r(name, &gr, buf, buflen, &res);
		if (rc != ERANGE || buflen >= (1u << 20))
			break;
		free(buf);
		buflen *= 4;
	}
	if (res == NULL) {
		free(buf);
		snprintf(err, errlen, "group \"%.64s\": %s", name,
			 rc != 0 ? strerror(rc) : "no such group");
		return -EINVAL;
	}
	*gid = gr.gr_gid;
	free(buf);
	return 0;
}

/* The socket's directory: create it (one level, 0750, our group) if missing;
 * otherwise refuse one that someone else could replace the socket in. */
static int
sock_prepare_dir(const char *path, bool have_group, gid_t group,
		 const struct jitsim_ctlsrv_sock_log *log, char *err, size_t errlen)
{
	char dir[sizeof(((struct sockaddr_un *)NULL)->sun_path)];
	const char *slash = strrchr(path, '/');
	uid_t self = geteuid();
	struct stat st;

	if (slash == NULL) {
		snprintf(dir, sizeof(dir), ".");
	} else if (slash == path) {
		snprintf(dir, sizeof(dir), "/");
	} else {
		memcpy(dir, path, (size_t)(slash - path));
		dir[slash - path] = '\0';
	}

	if (stat(dir, &st) != 0) {
		if (errno != ENOENT) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -errno;
		}
		if (mkdir(dir, 0750) != 0 && errno != EEXIST) {
			snprintf(err, errlen, "%s: cannot create directory: %s", dir,
				 strerror(errno));
			return -errno;
		}
		/* mkdir's mode went through the umask; set it exactly. A
		 * directory that appeared meanwhile is checked below instead. */
		if (stat(dir, &st) != 0) {
			snprintf(err, errlen, "%s: %s", dir, strerror(errno));
			return -errno;
		}
		if (S_ISDIR(st.st_mode) && st.st_uid == self) {
			if (chmod(dir, 0750) != 0 ||
			    (have_group && chown(dir, (uid_t)-1, group) != 0)) {
				snprintf(err, errlen, "%s: cannot set mode 0750/group %u: %s", dir,
					 (unsigned int)group, strerror(errno));
				return -errno;
			}
			if (stat(dir, &st) != 0) {
				snprintf(err, errlen, "%s: %s", dir, strerror(errno));
				return -errno;
			}
			sock_log(log, LOG_INFO, "%s: created directory (mode 0750)", dir);
		}
	}
	if (!S_ISDIR(st.st_mode)) {
		snprintf(err, errlen, "%s: not a directory", dir);
		return -ENOTDIR;
	}
	if (st.st_uid != self && st.st_uid != 0) {
		snprintf(err, errlen,
			 "%s: directory owned by uid %u, not by us (uid %u) or root; refusing "
			 "to put the control socket there",
			 dir, (unsigned int)st.st_uid, (unsigned int)self);
		return -EPERM;
	}
	if (st.st_mode & S_IWOTH) {
		snprintf(err, errlen,
			 "%s: directory is world-writable (mode %04o); refusing to put the control "
			 "socket there",
			 dir, (unsigned int)(st.st_mode & 07777));
		return -EPERM;
	}
	return 0;
}

/* A socket file nobody accepts on is left by a crashed server: remove it.
 * A live one means a second instance on the same path: refuse. */
static int
sock_remove_stale(const char *path, const struct sockaddr_un *sa,
		  const struct jitsim_ctlsrv_sock_log *log, char *err, size_t errlen)
{
	struct stat st;
	int fd, rc, e;

	if (lstat(path, &st) != 0) {
		if (errno == ENOENT)
			return 0;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		return -errno;
	}
	if (!S_ISSOCK(st.st_mode)) {
		snprintf(err, errlen, "%s: exists and is not a socket; not removing it", path);
		return -EEXIST;
	}
	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	rc = connect(fd, (const struct sockaddr *)sa, sizeof(*sa));
	e = errno;
	close(fd);
	if (rc == 0 || e == EAGAIN || e == EINPROGRESS) {
		/* EAGAIN: its backlog is full, so someone is listening. */
		snprintf(err, errlen, "%s: another server is listening on this socket", path);
		return -EADDRINUSE;
	}
	if (e != ECONNREFUSED) {
		snprintf(err, errlen, "%s: cannot test the existing socket: %s", path, strerror(e));
		return -e;
	}
	if (unlink(path) != 0 && errno != ENOENT) {
		snprintf(err, errlen, "%s: cannot remove stale socket: %s", path, strerror(errno));
		return -errno;
	}
	sock_log(log, LOG_INFO, "%s: removed stale socket", path);
	return 0;
}

int
jitsim_ctlsrv_sock_listen(const char *path, bool have_group, gid_t group,
			  const struct jitsim_ctlsrv_sock_log *log, dev_t *dev, ino_t *ino,
			  char *err, size_t errlen)
{
	struct sockaddr_un sa = {.sun_family = AF_UNIX};
	size_t len = strlen(path);
	struct stat st;
	int fd, rc;

	if (len == 0) {
		snprintf(err, errlen, "empty socket path");
		return -EINVAL;
	}
	if (len >= sizeof(sa.sun_path)) {
		snprintf(err, errlen, "%.64s...: socket path longer than %zu bytes", path,
			 sizeof(sa.sun_path) - 1);
		return -ENAMETOOLONG;
	}
	memcpy(sa.sun_path, path, len + 1);

	rc = sock_prepare_dir(path, have_group, group, log, err, errlen);
	if (rc < 0)
		return rc;
	rc = sock_remove_stale(path, &sa, log, err, errlen);
	if (rc < 0)
		return rc;

	fd = socket(AF_UNIX, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, 0);
	if (fd < 0) {
		snprintf(err, errlen, "socket: %s", strerror(errno));
		return -errno;
	}
	if (bind(fd, (const struct sockaddr *)&sa, sizeof(sa)) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: bind: %s", path, strerror(errno));
		goto close_fd;
	}
	/* Mode and group before listen(): nobody can connect until then, and
	 * the 0750 directory keeps others out of the umask window. */
	if (chmod(path, 0660) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: chmod 0660: %s", path, strerror(errno));
		goto unlink_path;
	}
	if (have_group && chown(path, (uid_t)-1, group) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: chown to group %u: %s", path, (unsigned int)group,
			 strerror(errno));
		goto unlink_path;
	}
	if (stat(path, &st) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: %s", path, strerror(errno));
		goto unlink_path;
	}
	if (listen(fd, CTLSRV_BACKLOG) != 0) {
		rc = -errno;
		snprintf(err, errlen, "%s: listen: %s", path, strerror(errno));
		goto unlink_path;
	}
	*dev = st.st_dev;
	*ino = st.st_ino;
	return fd;

unlink_path:
	unlink(path);
close_fd:
	close(fd);
	return rc;
}

static bool
sock_in_groups(const gid_t *groups, size_t n, gid_t group)
{
	for (size_t i = 0; i < n; i++)
		if (groups[i] == group)
			return true;
	return false;
}

/* Supplementary groups from the user database, for kernels without
 * SO_PEERGROUPS (they are the groups the user would get at login, not
 * necessarily the peer's current ones). */
static bool
sock_user_in_group(uid_t uid, gid_t gid, gid_t group)
{
	struct passwd pw, *res = NULL;
	char buf[4096];
	gid_t groups[256];
	int n = (int)(sizeof(groups) / sizeof(groups[0]));

	if (getpwuid_r(uid, &pw, buf, sizeof(buf), &res) != 0 || res == NULL)
		return false;
	if (getgrouplist(pw.pw_name, gid, groups, &n) < 0)
		return false; /* more than 256 groups: refuse rather than guess */
	return sock_in_groups(groups, (size_t)n, group);
}

int
jitsim_ctlsrv_sock_peer(int fd, bool have_group, gid_t group, struct ucred *cred)
{
	socklen_t len = sizeof(*cred);
	gid_t small[64], *groups = small;
	bool found;

	if (getsockopt(fd, SOL_SOCKET, SO_PEERCRED, cred, &len) != 0)
		return -errno;
	if (len != sizeof(*cred))
		return -EPROTO;
	if (cred->uid == 0 || cred->uid == geteuid())
		return 1;
	if (!have_group)
		return 0;
	if (cred->gid == group)
		return 1;

	/* SO_PEERGROUPS: the groups the peer had at connect(), no /proc race. */
	len = sizeof(small);
	if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
		if (errno == ENOPROTOOPT)
			return sock_user_in_group(cred->uid, cred->gid, group) ? 1 : 0;
		if (errno != ERANGE)
			return -errno;
		/* @len now holds the size needed. */
		groups = malloc(len);
		if (groups == NULL)
			return -ENOMEM;
		if (getsockopt(fd, SOL_SOCKET, SO_PEERGROUPS, groups, &len) != 0) {
			int e = errno;

			free(groups);
			return -e;
		}
	}
	found = sock_in_groups(groups, len / sizeof(gid_t), group);
	if (groups != small)
		free(groups);
	return found ? 1 : 0;
}
