/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The SCTP transport of a Diameter peer (RFC 6733 2.1): one-to-one style
 * sockets (one association per socket) from dataplane/sigtran/sctp_sock.h,
 * payload protocol identifier 46 (Diameter in clear text, IANA), every
 * message on stream 0. One stream is enough: a peer is one connection whose
 * messages are independent requests and answers, and RFC 6733 2.1.1 only
 * asks that a message not be split across streams.
 *
 * Message-oriented: the peer hands send() one whole message (msg_oriented),
 * and one-to-one SCTP sends a user message whole or not at all. recv()
 * hands the peer's reassembly the user data as it comes (a message larger
 * than the buffer comes in several reads, MSG_EOR on the last), so the
 * Length-based framing of diam_peer.c works on SCTP as on TCP.
 *
 * Notifications (association change, shutdown: sctp_sock.c subscribes to
 * them) are consumed here: the end of the association reads as end of
 * stream, anything else is skipped. The PPID of received data is not
 * checked: peers are seen sending 0, and the Diameter framing refuses
 * anything that is not Diameter.
 *
 * Without SCTP in the kernel every call fails with -EPROTONOSUPPORT: the
 * owner logs it and the state machine retries with its backoff.
 */

#include <errno.h>
#include <netinet/in.h>
#include <unistd.h>

#include "diam_peer.h"
#include "sctp_sock.h"

/** RFC 6733 2.1 / IANA: SCTP payload protocol identifier of Diameter. */
#define DIAM_SCTP_PPID 46u
/* Notifications skipped per recv() before giving the peer a turn. */
#define DIAM_SCTP_NOTIF_MAX 8

static int
sctp_connect(const struct sockaddr *local, socklen_t local_len, const struct sockaddr *remote,
	     socklen_t remote_len)
{
	return jitsim_sctp_connect(local, local_len, remote, remote_len, 0, 0);
}

static int
sctp_listen(const struct sockaddr *local, socklen_t local_len, int backlog)
{
	return jitsim_sctp_listen(local, local_len, backlog, 0, 0);
}

static int
sctp_accept(int lfd)
{
	return jitsim_sctp_accept(lfd, NULL, NULL);
}

static ssize_t
sctp_send(int fd, const void *p, size_t len)
{
	int r = jitsim_sctp_send(fd, p, len, 0, DIAM_SCTP_PPID);

	return r == 0 ? (ssize_t)len : r;
}

static ssize_t
sctp_recv(int fd, void *p, size_t cap)
{
	struct jitsim_sctp_rx rx;
	uint8_t rest[256];
	bool in_notif = false;
	int n;

	for (int i = 0; i < DIAM_SCTP_NOTIF_MAX; i++) {
		/* The tail of a notification longer than the buffer goes into
		 * scratch space, never into the peer's reassembly buffer. */
		n = in_notif ? jitsim_sctp_recv(fd, rest, sizeof(rest), &rx)
			     : jitsim_sctp_recv(fd, p, cap, &rx);
		if (n <= 0)
			return n;
		if (rx.kind == JITSIM_SCTP_RX_DATA)
			return n;
		if (!in_notif && rx.event == JITSIM_SCTP_EV_DOWN)
			return 0;
		in_notif = !rx.eor;
	}
	return -EAGAIN;
}

static void
sctp_close(int fd)
{
	/* Graceful SHUTDOWN: a DPA or an error CEA queued last still leaves. */
	close(fd);
}

const struct jitsim_diam_transport jitsim_diam_sctp = {
	.name = "sctp",
	.msg_oriented = true,
	.connect = sctp_connect,
	.connect_result = jitsim_sctp_connect_result,
	.listen = sctp_listen,
	.accept = sctp_accept,
	.send = sctp_send,
	.recv = sctp_recv,
	.close = sctp_close,
};
