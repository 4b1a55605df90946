/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <arpa/inet.h>
#include <errno.h>
#include <fcntl.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/uio.h>
#include <unistd.h>

#include "sctp_sock.h"

int
jitsim_sctp_probe(void)
{
	int fd = socket(AF_INET, SOCK_STREAM, IPPROTO_SCTP);

	if (fd < 0)
		return -errno;
	close(fd);
	return 0;
}

int
jitsim_sctp_parse_addr(const char *s, struct sockaddr_storage *ss, socklen_t *len)
{
	char host[INET6_ADDRSTRLEN + 1];
	const char *colon, *hs, *he;
	unsigned long port;
	char *end;

	if (s == NULL)
		return -EINVAL;
	memset(ss, 0, sizeof(*ss));
	if (s[0] == '[') {
		hs = s + 1;
		he = strchr(hs, ']');
		if (he == NULL || he[1] != ':')
			return -EINVAL;
		colon = he + 1;
	} else {
		hs = s;
		colon = strrchr(s, ':');
		if (colon == NULL)
			return -EINVAL;
		he = colon;
	}
	if ((size_t)(he - hs) == 0 || (size_t)(he - hs) >= sizeof(host))
		return -EINVAL;
	memcpy(host, hs, (size_t)(he - hs));
	host[he - hs] = '\0';
	errno = 0;
	port = strtoul(colon + 1, &end, 10);
	if (colon[1] == '\0' || *end != '\0' || errno != 0 || port > 65535)
		return -EINVAL;
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

int
jitsim_sctp_addr_str(const struct sockaddr *sa, char *buf, size_t size)
{
	char host[INET6_ADDRSTRLEN];

	if (sa->sa_family == AF_INET) {
		const struct sockaddr_in *in = (const struct sockaddr_in *)(const void *)sa;

		inet_ntop(AF_INET, &in->sin_addr, host, sizeof(host));
		return snprintf(buf, size, "%s:%u", host, (unsigned int)ntohs(in->sin_port));
	}
	if (sa->sa_family == AF_INET6) {
		const struct sockaddr_in6 *in6 = (const struct sockaddr_in6 *)(const void *)sa;

		inet_ntop(AF_INET6, &in6->sin6_addr, host, sizeof(host));
		return snprintf(buf, size, "[%s]:%u", host, (unsigned int)ntohs(in6->sin6_port));
	}
	return snprintf(buf, size, "?");
}

static int
set_nonblock(int fd)
{
	int fl = fcntl(fd, F_GETFL);

	if (fl < 0 || fcntl(fd, F_SETFL, fl | O_NONBLOCK) < 0)
		return -errno;
	return 0;
}

/* Options every association socket gets before bind/connect/listen. */
static int
setup_socket(int fd, uint16_t ostreams, uint16_t istreams)
{
	struct sctp_initmsg init;
	struct sctp_event_subscribe evs;
	int one = 1;

	memset(&init, 0, sizeof(init));
	init.sinit_num_ostreams = ostreams ? ostreams : JITSIM_SCTP_DEFAULT_STREAMS;
	init.sinit_max_instreams = istreams ? istreams : JITSIM_SCTP_DEFAULT_STREAMS;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_INITMSG, &init, sizeof(init)) < 0)
		return -errno;
	/* Signalling is latency-bound; M3UA messages are small. */
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_NODELAY, &one, sizeof(one)) < 0)
		return -errno;
	memset(&evs, 0, sizeof(evs));
	evs.sctp_data_io_event = 1; /* stream and PPID in sctp_recvmsg's sinfo */
	evs.sctp_association_event = 1;
	evs.sctp_shutdown_event = 1;
	if (setsockopt(fd, IPPROTO_SCTP, SCTP_EVENTS, &evs, sizeof(evs)) < 0)
		return -errno;
	return set_nonblock(fd);
}

static int
new_socket(int family, uint16_t ostreams, uint16_t istreams)
{
	int fd = socket(family, SOCK_STREAM | SOCK_CLOEXEC, IPPROTO_SCTP);
	int r;

	if (fd < 0)
		return -errno;
	r = setup_socket(fd, ostreams, istreams);
	if (r < 0) {
		close(fd);
		return r;
	}
	return fd;
}

int
jitsim_sctp_connect(const struct sockaddr *local, socklen_t local_len,
		    const struct sockaddr *remote, socklen_t remote_len, uint16_t ostreams,
		    uint16_t istreams)
{
	int fd, r, one = 1;

	if (remote == NULL || remote_len == 0)
		return -EINVAL;
	fd = new_socket(remote->sa_family, ostreams, istreams);
	if (fd < 0)
		return fd;
	if (local != NULL && local_len != 0) {
		/*
		 * A fixed source port must be reusable at once after a loss:
		 * the STP identifies this ASP by it.
		 */
		if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
		    bind(fd, local, local_len) < 0) {
			r = -errno;
			close(fd);
			return r;
		}
	}
	if (connect(fd, remote, remote_len) < 0 && errno != EINPROGRESS) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
jitsim_sctp_connect_result(int fd)
{
	int err = 0;
	socklen_t len = sizeof(err);

	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &err, &len) < 0)
		return -errno;
	return -err;
}

int
jitsim_sctp_listen(const struct sockaddr *local, socklen_t local_len, int backlog,
		   uint16_t ostreams, uint16_t istreams)
{
	int fd, r, one = 1;

	if (local == NULL || local_len == 0)
		return -EINVAL;
	fd = new_socket(local->sa_family, ostreams, istreams);
	if (fd < 0)
		return fd;
	if (setsockopt(fd, SOL_SOCKET, SO_REUSEADDR, &one, sizeof(one)) < 0 ||
	    bind(fd, local, local_len) < 0 || listen(fd, backlog) < 0) {
		r = -errno;
		close(fd);
		return r;
	}
	return fd;
}

int
jitsim_sctp_accept(int lfd, struct sockaddr_storage *peer, socklen_t *peer_len)
{
	struct sockaddr_storage ss;
	socklen_t sl = sizeof(ss);
	int fd, r;

	fd = accept4(lfd, (struct sockaddr *)&ss, &sl, SOCK_NONBLOCK | SOCK_CLOEXEC);
	if (fd < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* Inherited from the listener on Linux, but say so explicitly. */
	r = set_nonblock(fd);
	if (r < 0) {
		close(fd);
		return r;
	}
	if (peer != NULL) {
		*peer = ss;
		*peer_len = sl;
	}
	return fd;
}

int
jitsim_sctp_streams(int fd, uint16_t *ostreams, uint16_t *istreams)
{
	struct sctp_status st;
	socklen_t len = sizeof(st);

	memset(&st, 0, sizeof(st));
	if (getsockopt(fd, IPPROTO_SCTP, SCTP_STATUS, &st, &len) < 0)
		return -errno;
	*ostreams = st.sstat_outstrms;
	*istreams = st.sstat_instrms;
	return 0;
}

int
jitsim_sctp_send(int fd, const void *p, size_t len, uint16_t stream, uint32_t ppid)
{
	union {
		struct cmsghdr align;
		char buf[CMSG_SPACE(sizeof(struct sctp_sndrcvinfo))];
	} ctl;
	struct iovec iov = {.iov_base = (void *)(uintptr_t)p, .iov_len = len};
	struct msghdr mh;
	struct cmsghdr *cm;
	struct sctp_sndrcvinfo *si;
	ssize_t n;

	/*
	 * sendmsg(2) with the SCTP_SNDRCV ancillary data, not sctp_sendmsg():
	 * that one takes SCTP flags only, and MSG_NOSIGNAL is needed so that a
	 * lost association is an errno here, not a SIGPIPE.
	 */
	memset(&ctl, 0, sizeof(ctl));
	memset(&mh, 0, sizeof(mh));
	mh.msg_iov = &iov;
	mh.msg_iovlen = 1;
	mh.msg_control = ctl.buf;
	mh.msg_controllen = sizeof(ctl.buf);
	cm = CMSG_FIRSTHDR(&mh);
	cm->cmsg_level = IPPROTO_SCTP;
	cm->cmsg_type = SCTP_SNDRCV;
	cm->cmsg_len = CMSG_LEN(sizeof(struct sctp_sndrcvinfo));
	si = (struct sctp_sndrcvinfo *)(void *)CMSG_DATA(cm);
	si->sinfo_stream = stream;
	si->sinfo_ppid = htonl(ppid);
	n = sendmsg(fd, &mh, MSG_NOSIGNAL);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	/* One-to-one SCTP sends a user message whole or not at all. */
	return (size_t)n == len ? 0 : -EIO;
}

static enum jitsim_sctp_event
interpret(const void *buf, size_t n)
{
	const union sctp_notification *sn = buf;

	if (n < sizeof(sn->sn_header))
		return JITSIM_SCTP_EV_OTHER;
	switch (sn->sn_header.sn_type) {
	case SCTP_ASSOC_CHANGE:
		if (n < sizeof(sn->sn_assoc_change))
			return JITSIM_SCTP_EV_OTHER;
		switch (sn->sn_assoc_change.sac_state) {
		case SCTP_COMM_UP:
			return JITSIM_SCTP_EV_UP;
		case SCTP_RESTART:
			return JITSIM_SCTP_EV_RESTART;
		case SCTP_COMM_LOST:
		case SCTP_SHUTDOWN_COMP:
		case SCTP_CANT_STR_ASSOC:
			return JITSIM_SCTP_EV_DOWN;
		default:
			return JITSIM_SCTP_EV_OTHER;
		}
	case SCTP_SHUTDOWN_EVENT:
		return JITSIM_SCTP_EV_DOWN;
	default:
		return JITSIM_SCTP_EV_OTHER;
	}
}

int
jitsim_sctp_recv(int fd, void *buf, size_t cap, struct jitsim_sctp_rx *rx)
{
	struct sctp_sndrcvinfo sinfo;
	int flags = 0;
	ssize_t n;

	memset(&sinfo, 0, sizeof(sinfo));
	memset(rx, 0, sizeof(*rx));
	n = sctp_recvmsg(fd, buf, cap, NULL, NULL, &sinfo, &flags);
	if (n < 0)
		return errno == EWOULDBLOCK ? -EAGAIN : -errno;
	if (n == 0)
		return 0;
	rx->eor = (flags & MSG_EOR) != 0;
	if (flags & MSG_NOTIFICATION) {
		rx->kind = JITSIM_SCTP_RX_NOTIF;
		rx->event = interpret(buf, (size_t)n);
		return (int)n;
	}
	rx->kind = JITSIM_SCTP_RX_DATA;
	rx->stream = sinfo.sinfo_stream;
	rx->ppid = ntohl(sinfo.sinfo_ppid);
	return (int)n;
}

void
jitsim_sctp_abort_close(int fd)
{
	struct linger l = {.l_onoff = 1, .l_linger = 0};

	if (fd < 0)
		return;
	/* SO_LINGER 0 makes close() send ABORT instead of a graceful SHUTDOWN. */
	(void)setsockopt(fd, SOL_SOCKET, SO_LINGER, &l, sizeof(l));
	close(fd);
}
