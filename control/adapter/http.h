/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The HTTP adapter backend (docs/adapters.md): each order is POSTed as
 * one JSON object to a configured URL, for operators whose provisioning
 * system has a REST API; the same backend sends notifications (activated,
 * slept, woken) to billing/CRM.
 *
 *   POST <url>
 *   Content-Type: application/json
 *   Authorization: Bearer <token>          (when a token file is set)
 *   Idempotency-Key: jitsim-<job>-<op>
 *
 *   {"job":42,"op":"provision","imsi":"001010000000001","msisdn":"447700900001",
 *    "iccid":"8944...","region":3,"hlr":"hlr-uk","tariff":"iot-basic","flow":"voice"}
 *
 * No key material is ever sent or logged.
 *
 * Answers:
 *   2xx                 success
 *   409 on provision    success if the body is a JSON object whose "imsi"
 *                       and "msisdn" are the order's (the server has it
 *                       already: an idempotent retry); else -EEXIST
 *   other 4xx           -EREMOTEIO, permanent: the message carries the
 *                       server's text ("HTTP 400: unknown tariff")
 *   5xx                 -EAGAIN: transient, the workflow retries
 *   timeout             -ETIMEDOUT; connection refused -ECONNREFUSED;
 *                       TLS verification failure -EACCES; other transport
 *                       errors -EIO (curl's message)
 *
 * Transport: libcurl, one easy handle per concurrent order kept in a pool
 * so connections are reused (keep-alive); the adapter runner bounds the
 * concurrency and each request's time by the order's deadline. TLS
 * peer and host verification are on unless `insecure` is set explicitly.
 *
 * Thread-safety: through jitsim_adapter_new(&jitsim_http_ops, h, ...).
 * jitsim_http_open() calls curl_global_init() once per process (it is not
 * thread-safe itself: open the first HTTP adapter before starting other
 * threads that use libcurl).
 */

#ifndef JITSIM_HTTP_H
#define JITSIM_HTTP_H

#include <stdbool.h>
#include <stddef.h>

#include "adapter.h"

struct jitsim_http_opts {
	const char *url;		 /* http:// or https://; required */
	const char *token_file;		 /* bearer token (first line), mode 0600; NULL: none */
	const char *ca_file;		 /* PEM CA bundle; NULL: the system's */
	const char *client_cert;	 /* PEM client certificate; NULL: none */
	const char *client_key;		 /* PEM key of client_cert, mode 0600 */
	bool insecure;			 /* do not verify the server (logged at open) */
	unsigned int connect_timeout_ms; /* 0: 3000 */
	void (*log)(void *arg, const char *msg);
	void *log_arg;
};

struct jitsim_http;

/* 0, or -EINVAL (@err names the option), -EPERM (a secret file readable
 * by others), -ENOENT/-EACCES (a file), -ENOMEM. */
int jitsim_http_open(const struct jitsim_http_opts *o, struct jitsim_http **out, char *err,
		     size_t errlen);
void jitsim_http_close(struct jitsim_http *h);

/* The JSON body of @o for @op into @buf; length or -ENOSPC. */
int jitsim_http_body(const struct jitsim_prov_order *o, enum jitsim_prov_op op, char *buf,
		     size_t cap);

extern const struct jitsim_adapter_ops jitsim_http_ops;

#endif /* JITSIM_HTTP_H */
