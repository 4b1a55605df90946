/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The TCP transport of a Diameter peer (RFC 6733 2.1): non-blocking
 * sockets, TCP_NODELAY, SIGPIPE never raised (MSG_NOSIGNAL). Thin wrappers
 * that return -errno; nothing is logged here.
 */

#include <arpa/inet.h>
#include <errno.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <stdlib.h>
#include <string.h>
#include <sys/socket.h>
#include <unistd.h>

#include "diam_peer.h"

static void
set_nodelay(int fd)
{
	int one = 1;

	/* Best effort: without it latency suffers, nothing breaks. */
	(void)setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
}

static int
tcp_connect(const struct sockaddr *local, socklen_t local_len, const struct sockaddr *remote,
	    socklen_t remote_len)
{
	int fd = socket(remote->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	int one = 1, e;

	if (fd < 0)
		return -errno;
	set_nodelay(fd);
	if (local != NULL && local_len > 0) {
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
		    bind(fd, local, local_len) != 0)
			goto fail;
	}
	if (connect(fd, remote, remote_len) != 0 && errno != EINPROGRESS)
		goto fail;
	return fd;
fail:
	e = errno;
	close(fd);
	return -e;
}

static int
tcp_connect_result(int fd)
{
	int err = 0;
	socklen_t l = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &l) != 0)
		return -errno;
	return -err;
}

static int
tcp_listen(const struct sockaddr *local, socklen_t local_len, int backlog)
{
	int fd = socket(local->sa_family, SOCK_STREAM | SOCK_NONBLOCK | SOCK_CLOEXEC, IPPROTO_TCP);
	int one = 1, e;

	if (fd < 0)
		return -errno;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) != 0 ||
	    bind(fd, local, local_len) != 0 || listen(fd, backlog) != 0) {
		e = errno;
		close(fd);
		return -e;
	}
	return fd;
}

static int
tcp_accept(int lfd)
{
	int fd = accept4(lfd, NULL, NULL, SOCK_NONBLOCK | SOCK_CLOEXEC);

	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	set_nodelay(fd);
	return fd;
}

static ssize_t
tcp_send(int fd, const void *p, size_t len)
{
	ssize_t n = send(fd, p, len, MSG_NOSIGNAL);

	if (n < 0)
		return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static ssize_t
tcp_recv(int fd, void *p, size_t cap)
{
	ssize_t n = recv(fd, p, cap, 0);

	if (n < 0)
		return errno == EWOULDBLOCK || errno == EINTR ? -EAGAIN : -errno;
	return n;
}

static void
tcp_close(int fd)
{
	close(fd);
}

const struct jitsim_diam_transport jitsim_diam_tcp = {
	.name = "tcp",
	.msg_oriented = false,
	.connect = tcp_connect,
	.connect_result = tcp_connect_result,
	.listen = tcp_listen,
	.accept = tcp_accept,
	.send = tcp_send,
	.recv = tcp_recv,
	.close = tcp_close,
};

int
jitsim_diam_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 2];
	const char *colon, *h = s;
	size_t hl;
	char *end;
	unsigned long port;

	if (s == NULL)
		return -EINVAL;
	colon = strrchr(s, ':');
	if (colon == NULL || colon == s)
		return -EINVAL;
	hl = (size_t)(colon - s);
	if (s[0] == '[') {
		if (hl < 3 || s[hl - 1] != ']')
			return -EINVAL;
		h = s + 1;
		hl -= 2;
	}
	if (hl >= sizeof(host))
		return -EINVAL;
	memcpy(host, h, hl);
	host[hl] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (errno != 0 || *end != '\0' || end == colon + 1 || port > 65535)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (s[0] != '[') {
		struct sockaddr_in *in = (struct sockaddr_in *)ss;

		if (inet_pton(AF_INET, host, &in->sin_addr) != 1)
			return -EINVAL;
		in->sin_family = AF_INET;
		in->sin_port = htons((uint16_t)port);
		*len = sizeof(*in);
	} else {
		struct sockaddr_in6 *in6 = (struct sockaddr_in6 *)ss;

		if (inet_pton(AF_INET6, host, &in6->sin6_addr) != 1)
			return -EINVAL;
		in6->sin6_family = AF_INET6;
		in6->sin6_port = htons((uint16_t)port);
		*len = sizeof(*in6);
	}
	return 0;
}
