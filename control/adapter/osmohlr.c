/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The osmo-hlr CTRL backend (osmohlr.h). One I/O thread owns the TCP
 * connection: it takes orders from a queue (filled by the adapter's pool
 * threads), sends their commands within the window, and completes each
 * order when the last of its answers is in.
 */

#include <errno.h>
#include <inttypes.h>
#include <netdb.h>
#include <netinet/in.h>
#include <netinet/tcp.h>
#include <poll.h>
#include <pthread.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/eventfd.h>
#include <sys/socket.h>
#include <time.h>
#include <unistd.h>

#include "osmohlr.h"

#define OH_CMDS_MAX 5
/* "subscriber.by-imsi-<15>.aud3g milenage,<32>,opc,<32>" is 91 bytes. */
#define OH_CMD_MAX 128
#define OH_WINDOW_DEFAULT 64
#define OH_WINDOW_MAX 1024
#define OH_BACKOFF_MIN_MS 100
#define OH_BACKOFF_MAX_MS 5000
#define OH_CONNECT_TIMEOUT_MS 2000
#define OH_POLL_MS 100
/* IPA: 2-byte length, protocol byte; CTRL is extension 0x00 of 0xEE. */
#define OH_IPA_HDR 3
#define OH_IPA_PROTO_OSMO 0xee
#define OH_IPA_PROTO_CCM 0xfe
#define OH_IPA_EXT_CTRL 0x00
#define OH_IPA_CCM_PING 0x00
#define OH_IPA_CCM_PONG 0x01
#define OH_MSG_MAX 4096 /* answers to our SETs are short; longer frames are skipped */
#define OH_WBUF (OH_WINDOW_MAX * (OH_CMD_MAX + 32))

enum oh_kind { OH_CREATE, OH_DELETE, OH_SET };

struct oh_order {
	struct oh_order *next; /* queue */
	struct jitsim_adapter_call *call;
	uint64_t deadline_ns;
	unsigned int ncmds, nsent, nanswered;
	bool queued;
	int status;
	char msg[160];
	uint8_t kind[OH_CMDS_MAX];
	char cmd[OH_CMDS_MAX][OH_CMD_MAX]; /* "<var> <value>" */
};

struct oh_pending {
	uint32_t id;
	uint8_t idx;
	struct oh_order *o;
};

struct jitsim_osmohlr {
	char *host;
	char port[8];
	unsigned int window;
	jitsim_osmohlr_keys_fn keys;
	void *keys_arg;
	void (*log)(void *arg, const char *msg);
	void *log_arg;

	pthread_t thr;
	bool thr_started;
	int evfd;
	pthread_mutex_t lock; /* queue, stop, stats */
	bool stop;
	struct oh_order *qhead, *qtail;
	struct oh_order *done; /* finished, to complete outside the lock */
	bool connected;
	struct jitsim_osmohlr_stats st;

	/* I/O thread only. */
	int fd;
	uint64_t next_connect_ns;
	unsigned int backoff_ms;
	uint32_t next_id;
	struct oh_pending *pend;
	unsigned int pend_head, pend_n;
	uint8_t rbuf[OH_IPA_HDR + 65536];
	size_t rlen;
	uint8_t wbuf[OH_WBUF];
	size_t wlen, woff;
};

static void __attribute__((format(printf, 2, 3)))
oh_log(const struct jitsim_osmohlr *h, const char *fmt, ...)
{
	char buf[320];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	if (h->log != NULL)
		h->log(h->log_arg, buf);
	else
		fprintf(stderr, "osmo-hlr %s:%s: %s\n", h->host, h->port, buf);
}

static uint64_t
oh_now_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

static void
oh_wake(struct jitsim_osmohlr *h)
{
	uint64_t one = 1;

	if (write(h->evfd, &one, sizeof(one)) < 0) {
		/* EAGAIN: the counter is already non-zero, the thread wakes. */
	}
}

/* --- orders --- */

static void
oh_order_free(struct oh_order *o)
{
	explicit_bzero(o->cmd, sizeof(o->cmd));
	free(o);
}

/* The variable of command @i, for messages (never the value: aud3g's is a
 * key), without its "subscriber.by-imsi-IMSI." prefix: the order names the
 * IMSI, and the job's reason that quotes this message holds 96 characters,
 * which osmo-hlr's own text must fit in. */
static void
oh_cmd_var(const struct oh_order *o, unsigned int i, char *buf, size_t len)
{
	static const char pfx[] = "subscriber.by-imsi-";
	const char *v = o->cmd[i], *sp = strchr(v, ' ');
	size_t n = sp != NULL ? (size_t)(sp - v) : strlen(v);
	const char *dot;

	if (n > sizeof(pfx) - 1 && strncmp(v, pfx, sizeof(pfx) - 1) == 0 &&
	    (dot = memchr(v + sizeof(pfx) - 1, '.', n - (sizeof(pfx) - 1))) != NULL) {
		n -= (size_t)(dot + 1 - v);
		v = dot + 1;
	}
	snprintf(buf, len, "%.*s", (int)n, v);
}

static void oh_order_fail(struct oh_order *o, int status, const char *fmt, ...)
	__attribute__((format(printf, 3, 4)));

static void
oh_order_fail(struct oh_order *o, int status, const char *fmt, ...)
{
	va_list ap;

	if (o->status != 0)
		return; /* the first reason is the one reported */
	o->status = status;
	va_start(ap, fmt);
	vsnprintf(o->msg, sizeof(o->msg), fmt, ap);
	va_end(ap);
}

/* Move @o to the done list if nothing of it is outstanding any more.
 * Lock held. */
static void
oh_try_finish(struct jitsim_osmohlr *h, struct oh_order *o)
{
	if (o->queued || o->nanswered < o->nsent)
		return;
	if (o->status == 0 && o->nsent < o->ncmds)
		return;
	if (o->status == 0)
		h->st.orders_ok++;
	else
		h->st.orders_failed++;
	o->next = h->done;
	h->done = o;
}

/* Complete the finished orders: outside our lock, since a completion
 * callback may submit again (and so call into this backend). */
static void
oh_flush(struct jitsim_osmohlr *h)
{
	struct oh_order *o, *n;

	pthread_mutex_lock(&h->lock);
	o = h->done;
	h->done = NULL;
	pthread_mutex_unlock(&h->lock);
	for (; o != NULL; o = n) {
		n = o->next;
		jitsim_adapter_complete(o->call, o->status,
					o->status == 0 ? "osmo-hlr: ok" : o->msg);
		oh_order_free(o);
	}
}

/* Remove the head order from the queue (lock held). */
static void
oh_queue_pop(struct jitsim_osmohlr *h)
{
	struct oh_order *o = h->qhead;

	h->qhead = o->next;
	if (h->qhead == NULL)
		h->qtail = NULL;
	o->next = NULL;
	o->queued = false;
}

/* Orders that never got a command out before their deadline. Lock held. */
static void
oh_expire(struct jitsim_osmohlr *h, uint64_t now)
{
	struct oh_order **pp = &h->qhead, *o, *prev = NULL;

	while ((o = *pp) != NULL) {
		if (o->nsent == 0 && now >= o->deadline_ns) {
			*pp = o->next;
			if (h->qtail == o)
				h->qtail = prev;
			o->queued = false;
			oh_order_fail(o, -ETIMEDOUT, "osmo-hlr %s:%s unreachable", h->host,
				      h->port);
			oh_try_finish(h, o);
			continue;
		}
		prev = o;
		pp = &o->next;
	}
}

/* --- connection --- */

static void
oh_disconnect(struct jitsim_osmohlr *h, const char *why)
{
	if (h->fd < 0)
		return;
	close(h->fd);
	h->fd = -1;
	oh_log(h, "connection lost: %s", why);
	pthread_mutex_lock(&h->lock);
	h->connected = false;
	h->st.disconnects++;
	/* Commands in flight may or may not have been applied: their orders
	 * fail, and the workflow's retry is idempotent. */
	while (h->pend_n > 0) {
		struct oh_pending *p = &h->pend[h->pend_head];

		h->pend_head = (h->pend_head + 1) % h->window;
		h->pend_n--;
		explicit_bzero(p->o->cmd[p->idx], OH_CMD_MAX);
		p->o->nanswered++;
		oh_order_fail(p->o, -ECONNRESET, "connection to osmo-hlr %s:%s lost: %s", h->host,
			      h->port, why);
		if (p->o->queued && p->o == h->qhead && p->o->status != 0)
			oh_queue_pop(h);
		oh_try_finish(h, p->o);
	}
	/* A half-sent head order cannot be finished on a new connection in
	 * the right order: fail it too. */
	if (h->qhead != NULL && h->qhead->nsent > 0) {
		struct oh_order *o = h->qhead;

		oh_queue_pop(h);
		oh_order_fail(o, -ECONNRESET, "connection to osmo-hlr %s:%s lost: %s", h->host,
			      h->port, why);
		oh_try_finish(h, o);
	}
	pthread_mutex_unlock(&h->lock);
	explicit_bzero(h->wbuf, h->wlen);
	h->wlen = h->woff = 0;
	h->rlen = 0;
	h->next_connect_ns = oh_now_ns() + (uint64_t)h->backoff_ms * 1000000ull;
}

static int
oh_connect_one(const struct addrinfo *ai)
{
	struct pollfd pfd;
	int fd, one = 1, soerr = 0;
	socklen_t sl = sizeof(soerr);

	fd = socket(ai->ai_family, ai->ai_socktype | SOCK_NONBLOCK | SOCK_CLOEXEC, ai->ai_protocol);
	if (fd < 0)
		return -errno;
	setsockopt(fd, IPPROTO_TCP, TCP_NODELAY, &one, sizeof(one));
	if (connect(fd, ai->ai_addr, ai->ai_addrlen) < 0 && errno != EINPROGRESS) {
		int rc = -errno;

		close(fd);
		return rc;
	}
	pfd.fd = fd;
	pfd.events = POLLOUT;
	if (poll(&pfd, 1, OH_CONNECT_TIMEOUT_MS) != 1) {
		close(fd);
		return -ETIMEDOUT;
	}
	if (getsockopt(fd, SOL_SOCKET, SO_ERROR, &soerr, &sl) < 0 || soerr != 0) {
		close(fd);
		return soerr != 0 ? -soerr : -EIO;
	}
	return fd;
}

static void
oh_connect(struct jitsim_osmohlr *h, uint64_t now)
{
	struct addrinfo hints = {.ai_socktype = SOCK_STREAM}, *res = NULL, *ai;
	int rc, fd = -EHOSTUNREACH;

	if (now < h->next_connect_ns)
		return;
	rc = getaddrinfo(h->host, h->port, &hints, &res);
	if (rc != 0) {
		oh_log(h, "cannot resolve: %s", gai_strerror(rc));
	} else {
		for (ai = res; ai != NULL; ai = ai->ai_next) {
			fd = oh_connect_one(ai);
			if (fd >= 0)
				break;
		}
		freeaddrinfo(res);
	}
	if (fd < 0) {
		pthread_mutex_lock(&h->lock);
		h->st.disconnects++;
		pthread_mutex_unlock(&h->lock);
		/* Logged on the first failure of a series only. */
		if (h->backoff_ms == OH_BACKOFF_MIN_MS)
			oh_log(h, "cannot connect: %s; retrying", strerror(-fd));
		h->next_connect_ns = oh_now_ns() + (uint64_t)h->backoff_ms * 1000000ull;
		h->backoff_ms = h->backoff_ms * 2 > OH_BACKOFF_MAX_MS ? OH_BACKOFF_MAX_MS
								      : h->backoff_ms * 2;
		return;
	}
	h->fd = fd;
	h->backoff_ms = OH_BACKOFF_MIN_MS;
	pthread_mutex_lock(&h->lock);
	h->connected = true;
	h->st.connects++;
	pthread_mutex_unlock(&h->lock);
	oh_log(h, "connected");
}

/* --- sending --- */

static bool
oh_frame(struct jitsim_osmohlr *h, uint8_t proto, const void *payload, size_t n)
{
	size_t len = n + (proto == OH_IPA_PROTO_OSMO ? 1 : 0);

	if (h->wlen + OH_IPA_HDR + len > sizeof(h->wbuf))
		return false;
	h->wbuf[h->wlen++] = (uint8_t)(len >> 8);
	h->wbuf[h->wlen++] = (uint8_t)len;
	h->wbuf[h->wlen++] = proto;
	if (proto == OH_IPA_PROTO_OSMO)
		h->wbuf[h->wlen++] = OH_IPA_EXT_CTRL;
	memcpy(h->wbuf + h->wlen, payload, n);
	h->wlen += n;
	return true;
}

/* Move commands of queued orders into the write buffer, within the window. */
static void
oh_fill(struct jitsim_osmohlr *h)
{
	char line[OH_CMD_MAX + 24];

	pthread_mutex_lock(&h->lock);
	while (h->qhead != NULL && h->pend_n < h->window) {
		struct oh_order *o = h->qhead;
		struct oh_pending *p;
		int n;

		if (o->status != 0) {
			oh_queue_pop(h);
			oh_try_finish(h, o);
			continue;
		}
		h->next_id = h->next_id == UINT32_MAX ? 1 : h->next_id + 1;
		n = snprintf(line, sizeof(line), "SET %" PRIu32 " %s", h->next_id,
			     o->cmd[o->nsent]);
		if (n < 0 || (size_t)n >= sizeof(line) ||
		    !oh_frame(h, OH_IPA_PROTO_OSMO, line, (size_t)n))
			break; /* write buffer full: after the next write */
		explicit_bzero(line, sizeof(line));
		p = &h->pend[(h->pend_head + h->pend_n) % h->window];
		p->id = h->next_id;
		p->idx = (uint8_t)o->nsent;
		p->o = o;
		h->pend_n++;
		o->nsent++;
		h->st.commands++;
		if (o->nsent == o->ncmds)
			oh_queue_pop(h);
	}
	pthread_mutex_unlock(&h->lock);
}

static int
oh_write(struct jitsim_osmohlr *h)
{
	while (h->woff < h->wlen) {
		ssize_t n = send(h->fd, h->wbuf + h->woff, h->wlen - h->woff, MSG_NOSIGNAL);

		if (n < 0) {
			if (errno == EAGAIN || errno == EINTR)
				break;
			return -errno;
		}
		h->woff += (size_t)n;
	}
	/* Key material leaves the buffer as soon as it is on the wire. */
	explicit_bzero(h->wbuf, h->woff);
	if (h->woff == h->wlen) {
		h->wlen = h->woff = 0;
	} else if (h->woff > sizeof(h->wbuf) / 2) {
		memmove(h->wbuf, h->wbuf + h->woff, h->wlen - h->woff);
		explicit_bzero(h->wbuf + h->wlen - h->woff, h->woff);
		h->wlen -= h->woff;
		h->woff = 0;
	}
	return 0;
}

/* --- answers --- */

/* "ERROR <id> <text>" for an answer osmo-hlr gives when the state is
 * already what we want. */
static bool
oh_benign(uint8_t kind, const char *text)
{
	if (kind == OH_CREATE)
		return strstr(text, "already exists") != NULL;
	if (kind == OH_DELETE)
		return strstr(text, "doesn't exist") != NULL ||
		       strstr(text, "No such subscriber") != NULL;
	return false;
}

/* One CTRL message. Negative errno: protocol broken, drop the connection. */
static int
oh_answer(struct jitsim_osmohlr *h, char *msg)
{
	char *sp, *idp, *rest = "", *end;
	struct oh_pending *p;
	unsigned long id;
	unsigned int k;

	sp = strchr(msg, ' ');
	if (sp == NULL)
		return -EPROTO;
	*sp = '\0';
	idp = sp + 1;
	sp = strchr(idp, ' ');
	if (sp != NULL) {
		*sp = '\0';
		rest = sp + 1;
	}
	if (strcmp(msg, "TRAP") == 0)
		return 0; /* unsolicited: nothing to match */
	errno = 0;
	id = strtoul(idp, &end, 10);
	if (errno != 0 || *end != '\0' || id > UINT32_MAX)
		return -EPROTO;
	/* Answers come in request order: the match is at the front. */
	for (k = 0; k < h->pend_n; k++)
		if (h->pend[(h->pend_head + k) % h->window].id == (uint32_t)id)
			break;
	if (k != 0 || k == h->pend_n) {
		oh_log(h, "answer %lu does not match the oldest command: resynchronising", id);
		return -EPROTO;
	}
	p = &h->pend[h->pend_head];
	pthread_mutex_lock(&h->lock);
	if (strcmp(msg, "SET_REPLY") != 0) {
		h->st.errors++;
		if (strcmp(msg, "ERROR") != 0 || !oh_benign(p->o->kind[p->idx], rest)) {
			char var[64];

			oh_cmd_var(p->o, p->idx, var, sizeof(var));
			for (char *c = rest; *c != '\0'; c++)
				if (*c < 0x20 || *c > 0x7e)
					*c = '_';
			oh_order_fail(p->o, -EPROTO, "osmo-hlr: %s: %s %.100s", var, msg, rest);
		}
	}
	explicit_bzero(p->o->cmd[p->idx], OH_CMD_MAX);
	p->o->nanswered++;
	h->pend_head = (h->pend_head + 1) % h->window;
	h->pend_n--;
	if (p->o->status != 0 && p->o->queued && p->o == h->qhead)
		oh_queue_pop(h);
	oh_try_finish(h, p->o);
	pthread_mutex_unlock(&h->lock);
	return 0;
}

static int
oh_read(struct jitsim_osmohlr *h)
{
	ssize_t n = recv(h->fd, h->rbuf + h->rlen, sizeof(h->rbuf) - h->rlen, 0);
	size_t off = 0;

	if (n == 0)
		return -ECONNRESET;
	if (n < 0)
		return errno == EAGAIN || errno == EINTR ? 0 : -errno;
	h->rlen += (size_t)n;
	while (h->rlen - off >= OH_IPA_HDR) {
		const uint8_t *f = h->rbuf + off;
		size_t len = (size_t)f[0] << 8 | f[1];

		if (h->rlen - off < OH_IPA_HDR + len)
			break;
		/* An answer too long to be one to our SETs cannot be matched
		 * safely: skipping it would leave its command pending and
		 * shift every later answer. Resynchronise instead (counted in
		 * disconnects, logged). */
		if (f[2] == OH_IPA_PROTO_OSMO && len >= 1 && f[3] == OH_IPA_EXT_CTRL &&
		    len - 1 >= OH_MSG_MAX) {
			oh_log(h, "CTRL message of %zu bytes: longer than any answer expected",
			       len);
			return -EPROTO;
		}
		if (f[2] == OH_IPA_PROTO_OSMO && len >= 1 && f[3] == OH_IPA_EXT_CTRL) {
			char msg[OH_MSG_MAX];
			int rc;

			memcpy(msg, f + 4, len - 1);
			msg[len - 1] = '\0';
			rc = oh_answer(h, msg);
			if (rc < 0)
				return rc;
		} else if (f[2] == OH_IPA_PROTO_CCM && len >= 1 && f[3] == OH_IPA_CCM_PING) {
			const uint8_t pong = OH_IPA_CCM_PONG;

			oh_frame(h, OH_IPA_PROTO_CCM, &pong, 1);
		}
		off += OH_IPA_HDR + len;
	}
	memmove(h->rbuf, h->rbuf + off, h->rlen - off);
	h->rlen -= off;
	return 0;
}

/* --- the I/O thread --- */

static void *
oh_thread(void *arg)
{
	struct jitsim_osmohlr *h = arg;

	for (;;) {
		struct pollfd pfd[2];
		uint64_t now = oh_now_ns();
		bool stop;
		int rc = 0, np = 1;

		pthread_mutex_lock(&h->lock);
		stop = h->stop;
		oh_expire(h, now);
		pthread_mutex_unlock(&h->lock);
		if (stop)
			break;
		if (h->fd < 0)
			oh_connect(h, now);
		if (h->fd >= 0)
			oh_fill(h);
		pfd[0].fd = h->evfd;
		pfd[0].events = POLLIN;
		if (h->fd >= 0) {
			pfd[1].fd = h->fd;
			pfd[1].events = POLLIN | (h->wlen > h->woff ? POLLOUT : 0);
			np = 2;
		}
		if (poll(pfd, (nfds_t)np, OH_POLL_MS) < 0 && errno != EINTR)
			break;
		if (pfd[0].revents & POLLIN) {
			uint64_t v;

			if (read(h->evfd, &v, sizeof(v)) < 0) {
				/* EAGAIN: someone else drained it */
			}
		}
		if (np == 2 && (pfd[1].revents & (POLLERR | POLLHUP)) && !(pfd[1].revents & POLLIN))
			rc = -ECONNRESET;
		if (rc == 0 && np == 2 && (pfd[1].revents & POLLIN))
			rc = oh_read(h);
		if (rc == 0 && h->fd >= 0 && h->wlen > h->woff)
			rc = oh_write(h);
		if (rc < 0)
			oh_disconnect(h, rc == -EPROTO ? "protocol error" : strerror(-rc));
		oh_flush(h);
	}
	return NULL;
}

/* --- backend ops --- */

static int
oh_hex(const uint8_t *k, char *out)
{
	static const char x[] = "0123456789abcdef";

	for (unsigned int i = 0; i < JITSIM_OSMOHLR_KEY_LEN; i++) {
		out[2 * i] = x[k[i] >> 4];
		out[2 * i + 1] = x[k[i] & 15];
	}
	out[2 * JITSIM_OSMOHLR_KEY_LEN] = '\0';
	return 0;
}

static int
oh_build_set(struct jitsim_osmohlr *h, struct oh_order *o, const struct jitsim_prov_order *po)
{
	uint8_t ki[JITSIM_OSMOHLR_KEY_LEN], opc[JITSIM_OSMOHLR_KEY_LEN];
	char kh[2 * JITSIM_OSMOHLR_KEY_LEN + 1], oh[2 * JITSIM_OSMOHLR_KEY_LEN + 1];
	unsigned int have = 0;
	const bool data_only = po->flow == JITSIM_PROV_FLOW_DATA_ONLY;
	int rc;

	if (h->keys == NULL)
		return -ENOKEY;
	rc = h->keys(h->keys_arg, &po->secret, ki, opc, &have);
	if (rc == 0 && (have & (JITSIM_OSMOHLR_HAVE_KI | JITSIM_OSMOHLR_HAVE_OPC)) !=
			       (JITSIM_OSMOHLR_HAVE_KI | JITSIM_OSMOHLR_HAVE_OPC))
		rc = -ENOKEY; /* Milenage needs both; no 2G-only SIMs here */
	if (rc == 0) {
		oh_hex(ki, kh);
		oh_hex(opc, oh);
		if (!data_only && po->msisdn[0] != '\0') {
			o->kind[o->ncmds] = OH_SET;
			snprintf(o->cmd[o->ncmds++], OH_CMD_MAX, "subscriber.by-imsi-%s.msisdn %s",
				 po->imsi, po->msisdn);
		}
		o->kind[o->ncmds] = OH_SET;
		snprintf(o->cmd[o->ncmds++], OH_CMD_MAX,
			 "subscriber.by-imsi-%s.aud3g milenage,%s,opc,%s", po->imsi, kh, oh);
		o->kind[o->ncmds] = OH_SET;
		snprintf(o->cmd[o->ncmds++], OH_CMD_MAX, "subscriber.by-imsi-%s.cs-enabled %d",
			 po->imsi, data_only ? 0 : 1);
		o->kind[o->ncmds] = OH_SET;
		snprintf(o->cmd[o->ncmds++], OH_CMD_MAX, "subscriber.by-imsi-%s.ps-enabled 1",
			 po->imsi);
	}
	explicit_bzero(ki, sizeof(ki));
	explicit_bzero(opc, sizeof(opc));
	explicit_bzero(kh, sizeof(kh));
	explicit_bzero(oh, sizeof(oh));
	return rc;
}

static int
oh_start(void *ctx, enum jitsim_prov_op op, const struct jitsim_prov_order *po,
	 struct jitsim_adapter_call *c)
{
	struct jitsim_osmohlr *h = ctx;
	struct oh_order *o = calloc(1, sizeof(*o));
	int rc = 0;

	if (o == NULL)
		return -ENOMEM;
	o->call = c;
	o->deadline_ns = jitsim_adapter_call_deadline_ns(c);
	if (op == JITSIM_PROV_DEPROVISION) {
		o->kind[o->ncmds] = OH_DELETE;
		snprintf(o->cmd[o->ncmds++], OH_CMD_MAX, "subscriber.delete %s", po->imsi);
	} else {
		if (op == JITSIM_PROV_PROVISION) {
			o->kind[o->ncmds] = OH_CREATE;
			snprintf(o->cmd[o->ncmds++], OH_CMD_MAX, "subscriber.create %s", po->imsi);
		}
		rc = oh_build_set(h, o, po);
	}
	if (rc != 0) {
		oh_order_free(o);
		return rc;
	}
	pthread_mutex_lock(&h->lock);
	if (h->stop) {
		pthread_mutex_unlock(&h->lock);
		oh_order_free(o);
		return -ESHUTDOWN;
	}
	o->queued = true;
	if (h->qtail != NULL)
		h->qtail->next = o;
	else
		h->qhead = o;
	h->qtail = o;
	pthread_mutex_unlock(&h->lock);
	oh_wake(h);
	return 0;
}

static int
oh_provision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return oh_start(ctx, JITSIM_PROV_PROVISION, o, c);
}

static int
oh_deprovision(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return oh_start(ctx, JITSIM_PROV_DEPROVISION, o, c);
}

static int
oh_update(void *ctx, const struct jitsim_prov_order *o, struct jitsim_adapter_call *c)
{
	return oh_start(ctx, JITSIM_PROV_UPDATE, o, c);
}

static int
oh_health(void *ctx, char *msg, size_t msglen)
{
	struct jitsim_osmohlr *h = ctx;
	struct jitsim_osmohlr_stats st;
	bool up;

	pthread_mutex_lock(&h->lock);
	st = h->st;
	up = h->connected;
	pthread_mutex_unlock(&h->lock);
	snprintf(msg, msglen, "osmo-hlr %s:%s %s (%" PRIu64 " connects, %" PRIu64 " disconnects)",
		 h->host, h->port, up ? "connected" : "not connected", st.connects, st.disconnects);
	return up ? 0 : -ENOTCONN;
}

static void
oh_destroy(void *ctx)
{
	jitsim_osmohlr_close(ctx);
}

const struct jitsim_adapter_ops jitsim_osmohlr_ops = {
	.name = "osmo-hlr",
	.provision = oh_provision,
	.deprovision = oh_deprovision,
	.update = oh_update,
	.health = oh_health,
	.destroy = oh_destroy,
};

/* --- life cycle --- */

int
jitsim_osmohlr_open(const struct jitsim_osmohlr_opts *o, struct jitsim_osmohlr **out, char *err,
		    size_t errlen)
{
	struct jitsim_osmohlr *h;
	int rc;

	*out = NULL;
	if (o == NULL || o->host == NULL || o->host[0] == '\0') {
		snprintf(err, errlen, "osmo-hlr: host: required");
		return -EINVAL;
	}
	if (o->window > OH_WINDOW_MAX) {
		snprintf(err, errlen, "osmo-hlr: window: %u is more than %u", o->window,
			 OH_WINDOW_MAX);
		return -EINVAL;
	}
	h = calloc(1, sizeof(*h));
	if (h == NULL)
		return -ENOMEM;
	h->fd = -1;
	h->evfd = -1;
	h->window = o->window != 0 ? o->window : OH_WINDOW_DEFAULT;
	h->backoff_ms = OH_BACKOFF_MIN_MS;
	h->keys = o->keys;
	h->keys_arg = o->keys_arg;
	h->log = o->log;
	h->log_arg = o->log_arg;
	snprintf(h->port, sizeof(h->port), "%u", o->port != 0 ? o->port : JITSIM_OSMOHLR_PORT);
	h->host = strdup(o->host);
	h->pend = calloc(h->window, sizeof(*h->pend));
	h->evfd = eventfd(0, EFD_NONBLOCK | EFD_CLOEXEC);
	if (h->host == NULL || h->pend == NULL || h->evfd < 0) {
		rc = h->evfd < 0 && h->host != NULL && h->pend != NULL ? -errno : -ENOMEM;
		snprintf(err, errlen, "osmo-hlr: %s", strerror(-rc));
		jitsim_osmohlr_close(h);
		return rc;
	}
	rc = pthread_mutex_init(&h->lock, NULL);
	if (rc == 0) {
		rc = pthread_create(&h->thr, NULL, oh_thread, h);
		if (rc != 0)
			pthread_mutex_destroy(&h->lock);
	}
	if (rc != 0) {
		snprintf(err, errlen, "osmo-hlr: cannot start its thread: %s", strerror(rc));
		close(h->evfd);
		free(h->pend);
		free(h->host);
		free(h);
		return -rc;
	}
	h->thr_started = true;
	*out = h;
	return 0;
}

void
jitsim_osmohlr_close(struct jitsim_osmohlr *h)
{
	if (h == NULL)
		return;
	if (h->thr_started) {
		pthread_mutex_lock(&h->lock);
		h->stop = true;
		pthread_mutex_unlock(&h->lock);
		oh_wake(h);
		pthread_join(h->thr, NULL);
		if (h->fd >= 0)
			oh_disconnect(h, "closing");
		pthread_mutex_lock(&h->lock);
		while (h->qhead != NULL) {
			struct oh_order *o = h->qhead;

			oh_queue_pop(h);
			oh_order_fail(o, -ECANCELED, "osmo-hlr adapter stopping");
			/* Sent commands were failed by the disconnect above. */
			o->nanswered = o->nsent;
			oh_try_finish(h, o);
		}
		pthread_mutex_unlock(&h->lock);
		oh_flush(h);
		pthread_mutex_destroy(&h->lock);
	}
	if (h->evfd >= 0)
		close(h->evfd);
	explicit_bzero(h->wbuf, sizeof(h->wbuf));
	free(h->pend);
	free(h->host);
	free(h);
}

void
jitsim_osmohlr_stats(struct jitsim_osmohlr *h, struct jitsim_osmohlr_stats *st)
{
	pthread_mutex_lock(&h->lock);
	*st = h->st;
	pthread_mutex_unlock(&h->lock);
}
