/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Helpers shared by jitsim-cp's control socket commands (cpctl*.c):
 * argument parsing with errors that name the key, JSON of digit strings,
 * the audit identity of a peer, and running a closure on the workflow
 * thread.
 *
 * Arguments arrive as JSON values in the request object; jitsimctl sends
 * every option as a string, scripts may send numbers. All parsers accept
 * both where that makes sense. On error they fill @err ("key: why") and
 * return -EINVAL; absent optional arguments leave *out untouched.
 *
 * Threads: any (no state), except jitsim_cpctl_call() (see mbox.h).
 */

#ifndef JITSIM_CP_CPCTL_UTIL_H
#define JITSIM_CP_CPCTL_UTIL_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include <jansson.h>

struct jitsim_ctl_req;
struct jitsim_cpctl;
struct jitsim_store_batch;

/* Format @fmt into @err and return @rc. */
int jitsim_cpctl_err(char *err, size_t errlen, int rc, const char *fmt, ...)
	__attribute__((format(printf, 4, 5)));

/* Unsigned number at most @max. */
int jitsim_cpctl_arg_u64(const json_t *args, const char *key, uint64_t max, uint64_t *out,
			 char *err, size_t errlen);
/* A string of 1..@cap-1 bytes copied into @out (@cap bytes). Printable
 * ASCII only, no quote or backslash (it ends up in audit lines). */
int jitsim_cpctl_arg_str(const json_t *args, const char *key, bool required, char *out, size_t cap,
			 char *err, size_t errlen);
/* @min..@max decimal digits (IMSI 5..15, MSISDN 1..15) as a compact
 * digit key (jitsim_digits_key_str()). */
int jitsim_cpctl_arg_digits(const json_t *args, const char *key, bool required, unsigned int min,
			    unsigned int max, uint64_t *out, char *err, size_t errlen);
/* Required "imsi": 5..15 digits. */
int jitsim_cpctl_arg_imsi(const json_t *args, uint64_t *imsi, char *err, size_t errlen);
/* "yes"/"no"/"true"/"false"/JSON boolean. */
int jitsim_cpctl_arg_bool(const json_t *args, const char *key, bool *out, char *err, size_t errlen);

/* A digit key as a JSON string (null for 0). */
json_t *jitsim_cpctl_digits(uint64_t key);

/* "uid:N" of the peer, for the audit line's "who". */
void jitsim_cpctl_who(const struct jitsim_ctl_req *req, char *buf, size_t len);
/* An audit line for a socket change into @b: who = the peer's uid,
 * what = the command, plus @fields (`"k":v` pairs, may be NULL) and the
 * peer's pid; @fields at most 900 bytes). */
void jitsim_cpctl_audit(struct jitsim_store_batch *b, const struct jitsim_ctl_req *req,
			const char *fields);

/* Run @fn(@arg) on the workflow thread (mbox.h) and return its result. */
int jitsim_cpctl_call(struct jitsim_cpctl *c, int (*fn)(void *), void *arg);
/* jitsim_cpctl_call() of a command's closure: @fn(@arg) leaves its answer
 * in *@made, which goes to *@result when @fn returns 0 and is freed
 * otherwise (@fn may fail after making it). -ESHUTDOWN (jitsim-cp is
 * stopping: @fn never ran) gets that message in @err unless @err holds
 * one already. */
int jitsim_cpctl_call_json(struct jitsim_cpctl *c, int (*fn)(void *), void *arg, json_t **made,
			   json_t **result, char *err, size_t errlen);

#endif /* JITSIM_CP_CPCTL_UTIL_H */
