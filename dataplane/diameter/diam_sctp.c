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
 * them) are consumed here, each whole within one call: the end of the
 * association, and a restart of the peer (SCTP_RESTART: its Diameter state
 * is gone, the capabilities exchange must be redone), read as end of
 * stream; anything else is skipped. The PPID of received data is not
 * checked: peers are seen sending 0, and the Diameter framing refuses
 * anything that is not Diameter.
 *
 * Without SCTP in the kernel every call fails with -EPROTONOSUPPORT: the
 * owner logs it and the state machine retries with its backoff.
 */

#include <errno.h>
#include <netinet/in.h>
#include <netinet/sctp.h>
#include <string.h>
#include <unistd.h>

#include "diam_peer.h"
#include "sctp_sock.h"

/** RFC 6733 2.1 / IANA: SCTP payload protocol identifier of Diameter. */
#define DIAM_SCTP_PPID 46u
/* Notifications consumed per recv() before giving the peer a turn. */
#define DIAM_SCTP_NOTIF_MAX 8

static int
diam_sctp_connect(const struct sockaddr *local, socklen_t local_len, const struct sockaddr *remote,
		  socklen_t remote_len)
{
	return jitsim_sctp_connect(local, local_len, remote, remote_len, 0, 0);
}

static int
diam_sctp_listen(const struct sockaddr *local, socklen_t local_len, int backlog)
{
	return jitsim_sctp_listen(local, local_len, backlog, 0, 0);
}

static int
diam_sctp_accept(int lfd)
{
	return jitsim_sctp_accept(lfd, NULL, NULL);
}

static ssize_t
diam_sctp_send(int fd, const void *p, size_t len)
{
	int r = jitsim_sctp_send(fd, p, len, 0, DIAM_SCTP_PPID);

	return r == 0 ? (ssize_t)len : r;
}

/*
 * Whether a notification ends the Diameter connection: the association is
 * gone (COMM_LOST, SHUTDOWN_COMP, CANT_STR_ASSOC, SHUTDOWN_EVENT) or the
 * peer restarted it (RESTART). @p b / @p n is its head, as much as was read.
 */
static bool
diam_sctp_note_ends(const uint8_t *b, size_t n)
{
	union sctp_notification sn;

	memset(&sn, 0, sizeof(sn));
	memcpy(&sn, b, n < sizeof(sn) ? n : sizeof(sn));
	if (n < sizeof(sn.sn_header))
		return false;
	if (sn.sn_header.sn_type == SCTP_SHUTDOWN_EVENT)
		return true;
	if (sn.sn_header.sn_type != SCTP_ASSOC_CHANGE || n < sizeof(sn.sn_assoc_change))
		return false;
	switch (sn.sn_assoc_change.sac_state) {
	case SCTP_COMM_LOST:
	case SCTP_SHUTDOWN_COMP:
	case SCTP_CANT_STR_ASSOC:
	case SCTP_RESTART:
		return true;
	default:
		return false;
	}
}

static ssize_t
diam_sctp_recv(int fd, void *p, size_t cap)
{
	struct jitsim_sctp_rx rx;
	uint8_t head[256], rest[256];
	size_t have;
	int n;

	for (int i = 0; i < DIAM_SCTP_NOTIF_MAX; i++) {
		n = jitsim_sctp_recv(fd, p, cap, &rx);
		if (n <= 0 || rx.kind == JITSIM_SCTP_RX_DATA)
			return n;
		/* A notification, its head in the peer's free buffer space (not
		 * data: nothing is counted). The kernel keeps the rest of a
		 * notification at the head of the queue, so it is read here,
		 * whole: the next call starts at a message boundary, and the
		 * head is interpreted once complete, however little of it fit. */
		have = (size_t)n < sizeof(head) ? (size_t)n : sizeof(head);
		memcpy(head, p, have);
		while (!rx.eor) {
			bool in_head = have < sizeof(head);

			n = in_head ? jitsim_sctp_recv(fd, head + have, sizeof(head) - have, &rx)
				    : jitsim_sctp_recv(fd, rest, sizeof(rest), &rx);
			if (n == 0)
				return 0;
			/* Never seen: the rest missing, or data in its place. The
			 * stream's boundaries are lost: end the connection. */
			if (n < 0 || rx.kind != JITSIM_SCTP_RX_NOTIF)
				return n < 0 && n != -EAGAIN ? n : -EIO;
			if (in_head)
				have += (size_t)n;
		}
		if (diam_sctp_note_ends(head, have))
			return 0;
	}
	return -EAGAIN;
}

static void
diam_sctp_close(int fd)
{
	/* Graceful SHUTDOWN: a DPA or an error CEA queued last still leaves. */
	close(fd);
}

const struct jitsim_diam_transport jitsim_diam_sctp = {
	.name = "sctp",
	.msg_oriented = true,
	.connect = diam_sctp_connect,
	.connect_result = jitsim_sctp_connect_result,
	.listen = diam_sctp_listen,
	.accept = diam_sctp_accept,
	.send = diam_sctp_send,
	.recv = diam_sctp_recv,
	.close = diam_sctp_close,
};
