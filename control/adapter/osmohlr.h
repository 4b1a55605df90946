/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The osmo-hlr adapter backend (docs/adapters.md): provisions subscribers
 * into a real osmo-hlr through its CTRL interface (Osmocom CTRL protocol
 * over IPA framing on TCP, port 4259).
 *
 * Wire format (what osmo-hlr 1.5 speaks, see docs/adapters.md): each
 * message is a 2-byte big-endian length (of what follows the third byte,
 * plus one), 0xEE (IPA "osmo" protocol), 0x00 (CTRL extension), then ASCII
 * "SET <id> <var> <value>" or "GET <id> <var>". Answers: "SET_REPLY <id>
 * <var> <value>", "GET_REPLY ...", "ERROR <id> <text>", in request order.
 *
 * Orders:
 *   provision:   SET subscriber.create IMSI ("already exists" is fine:
 *                the SETs that follow make the record match), then
 *                .msisdn (voice flow only), .aud3g milenage,K,opc,OPc,
 *                .cs-enabled (0 for data-only), .ps-enabled 1
 *   update:      the same without the create
 *   deprovision: SET subscriber.delete IMSI ("doesn't exist" is fine)
 * All commands of an order are pipelined; the order completes when the
 * last answer is in: 0, or -EPROTO with osmo-hlr's text when it answered
 * ERROR, or -ECONNRESET when the connection dropped with commands in
 * flight (osmo-hlr may or may not have applied them: a retry is
 * idempotent), or -ETIMEDOUT when the order's deadline passed before it
 * could be sent (osmo-hlr unreachable).
 *
 * One persistent connection, owned by an I/O thread: it reconnects with
 * backoff (100 ms doubling to 5 s), keeps at most `window` commands
 * outstanding, and matches answers to commands by id. Orders wait in a
 * queue while osmo-hlr is unreachable; the runner's timeout bounds that.
 *
 * Secrets: the Ki and OPc are fetched through the keys callback when the
 * order starts, formatted into the aud3g command, sent, and wiped from
 * memory when the command is answered. They are never logged: log lines
 * name the command's variable, never its value.
 *
 * Thread-safety: through jitsim_adapter_new(&jitsim_osmohlr_ops, h, ...)
 * only; the ops may be called from any thread.
 */

#ifndef JITSIM_OSMOHLR_H
#define JITSIM_OSMOHLR_H

#include <stddef.h>
#include <stdint.h>

#include "adapter.h"

#define JITSIM_OSMOHLR_PORT 4259
#define JITSIM_OSMOHLR_KEY_LEN 16
/* Which keys the callback found (same bits as the store's JITSIM_REC_S_*). */
#define JITSIM_OSMOHLR_HAVE_KI 0x01u
#define JITSIM_OSMOHLR_HAVE_OPC 0x02u

/*
 * Key lookup for @ref (the order's secret handle): fill @ki and @opc and
 * *@have; 0 or a negative errno (the order then fails with it). Called on
 * an adapter pool thread.
 */
typedef int (*jitsim_osmohlr_keys_fn)(void *arg, const struct jitsim_prov_secret_ref *ref,
				      uint8_t ki[JITSIM_OSMOHLR_KEY_LEN],
				      uint8_t opc[JITSIM_OSMOHLR_KEY_LEN], unsigned int *have);

struct jitsim_osmohlr_opts {
	const char *host;	     /* IPv4/IPv6 address or host name; required */
	uint16_t port;		     /* 0: JITSIM_OSMOHLR_PORT */
	unsigned int window;	     /* commands outstanding, 1..1024, 0: 64 */
	jitsim_osmohlr_keys_fn keys; /* required for provision/update */
	void *keys_arg;
	/* Log sink (NULL: stderr); never given a secret. */
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

struct jitsim_osmohlr_stats {
	uint64_t connects;    /* connections established */
	uint64_t disconnects; /* connections lost or refused */
	uint64_t commands;    /* sent */
	uint64_t errors;      /* ERROR answers, "already exists"/"doesn't exist" included */
	uint64_t orders_ok, orders_failed;
};

struct jitsim_osmohlr;

/* Start the I/O thread (it connects in the background). 0, -EINVAL (bad
 * option: @err names it), -ENOMEM, or a pthread error. */
int jitsim_osmohlr_open(const struct jitsim_osmohlr_opts *o, struct jitsim_osmohlr **out, char *err,
			size_t errlen);
/* Stop the thread and free (orders still queued complete -ECANCELED).
 * The adapter calls this through ops->destroy. */
void jitsim_osmohlr_close(struct jitsim_osmohlr *h);
void jitsim_osmohlr_stats(struct jitsim_osmohlr *h, struct jitsim_osmohlr_stats *st);

extern const struct jitsim_adapter_ops jitsim_osmohlr_ops;

#endif /* JITSIM_OSMOHLR_H */
