/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The provisioning adapter of each HLR/HSS (docs/adapters.md): the job of a
 * SIM goes to the adapter of the HLR its region names. Kinds (rules.h):
 *   outbox    the address is a file (empty: the [outbox] file); one
 *             adapter per file
 *   osmo-hlr  the address is "host" or "host:port" (CTRL, default 4259)
 *   http      the address is the URL; token, CA and client certificate
 *             from the [hlr NAME] section of the configuration
 *
 * Adapters are created on first use, so an HLR added through the control
 * socket works at once. An HLR redefined (hlr.add with another kind or
 * address) or removed gets a new adapter: its old one takes no new order
 * (seen within a second by the workflow, at once by hlr.list), finishes
 * those it has and is freed with the table. osmo-hlr needs the SIM's keys: they are read from
 * the store and opened with the KEK when an order starts (hlrs_keys()).
 *
 * Threads: jitsim_cp_hlrs_adapter() on the workflow thread;
 * jitsim_cp_hlrs_health() from any thread (a mutex guards the table).
 */

#ifndef JITSIM_CP_HLRS_H
#define JITSIM_CP_HLRS_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

#include "rules.h"

struct jitsim_store;
struct jitsim_rules;
struct jitsim_adapter;

#define JITSIM_CP_PATH_MAX 256

/* Options of an http HLR that are not part of its stored definition
 * (files on this host), from the [hlr NAME] section. */
struct jitsim_cp_hlr_tls {
	char name[JITSIM_RULES_NAME_MAX + 1];
	char token_file[JITSIM_CP_PATH_MAX];
	char ca_file[JITSIM_CP_PATH_MAX];
	char client_cert[JITSIM_CP_PATH_MAX];
	char client_key[JITSIM_CP_PATH_MAX];
	bool insecure;
};

struct jitsim_cp_hlrs_cfg {
	struct jitsim_store *store;
	struct jitsim_rules *rules;
	const char *outbox;		       /* the default outbox file */
	struct jitsim_adapter *outbox_adapter; /* its adapter (not owned) */
	unsigned int inflight;		       /* per adapter */
	unsigned int timeout_ms;	       /* per order */
	const struct jitsim_cp_hlr_tls *tls;   /* n_tls entries, copied */
	unsigned int n_tls;
};

struct jitsim_cp_hlrs;

struct jitsim_cp_hlrs *jitsim_cp_hlrs_new(const struct jitsim_cp_hlrs_cfg *cfg);
/* Free the adapters created here (orders in them complete -ECANCELED
 * into their callbacks: free before the flow). */
void jitsim_cp_hlrs_free(struct jitsim_cp_hlrs *h);

/* The adapter of HLR @id: NULL with the reason in @err when there is no
 * such HLR or its adapter cannot start (bad address, unreadable token). */
struct jitsim_adapter *jitsim_cp_hlrs_adapter(struct jitsim_cp_hlrs *h, uint16_t id, char *err,
					      size_t errlen);

/* Health of HLR @id's adapter: 0 healthy, negative errno otherwise, and a
 * line in @msg; -ENOENT when no order went to it yet. */
int jitsim_cp_hlrs_health(struct jitsim_cp_hlrs *h, uint16_t id, char *msg, size_t msglen);

#endif /* JITSIM_CP_HLRS_H */
