/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "adapter.h"
#include "hlrs.h"
#include "http.h"
#include "osmohlr.h"
#include "outbox.h"
#include "record.h"
#include "store.h"

#define HLRS_MAX 256

struct hlrs_entry {
	uint16_t id;
	uint8_t kind;
	char address[JITSIM_RULES_ADDR_MAX + 1];
	struct jitsim_adapter *a;
	bool owned; /* not the shared default outbox */
};

struct jitsim_cp_hlrs {
	struct jitsim_cp_hlrs_cfg cfg;
	struct jitsim_cp_hlr_tls *tls;
	pthread_mutex_t lock; /* entries: added by the workflow thread, read by any */
	unsigned int n;
	struct hlrs_entry e[HLRS_MAX];
};

struct jitsim_cp_hlrs *
jitsim_cp_hlrs_new(const struct jitsim_cp_hlrs_cfg *cfg)
{
	struct jitsim_cp_hlrs *h = calloc(1, sizeof(*h));

	if (h == NULL)
		return NULL;
	h->cfg = *cfg;
	if (cfg->n_tls > 0) {
		h->tls = calloc(cfg->n_tls, sizeof(*h->tls));
		if (h->tls == NULL) {
			free(h);
			return NULL;
		}
		memcpy(h->tls, cfg->tls, cfg->n_tls * sizeof(*h->tls));
	}
	h->cfg.tls = h->tls;
	pthread_mutex_init(&h->lock, NULL);
	return h;
}

void
jitsim_cp_hlrs_free(struct jitsim_cp_hlrs *h)
{
	if (h == NULL)
		return;
	for (unsigned int i = 0; i < h->n; i++)
		if (h->e[i].owned)
			jitsim_adapter_free(h->e[i].a);
	pthread_mutex_destroy(&h->lock);
	free(h->tls);
	free(h);
}

/* osmo-hlr's key callback: the SIM's Ki and OPc from the store. */
static int
hlrs_keys(void *arg, const struct jitsim_prov_secret_ref *ref, uint8_t ki[16], uint8_t opc[16],
	  unsigned int *have)
{
	struct jitsim_cp_hlrs *h = arg;
	struct jitsim_rec_secrets s;
	struct jitsim_rec r;
	char err[256];
	int rc;

	rc = jitsim_store_sim_get(h->cfg.store, ref->imsi_key, &r, err, sizeof(err));
	if (rc != 0)
		return rc;
	rc = jitsim_rec_open(&r, jitsim_store_kek(h->cfg.store), &s);
	if (rc != 0)
		return rc;
	memcpy(ki, s.ki, 16);
	memcpy(opc, s.opc, 16);
	*have = s.mask & (JITSIM_REC_S_KI | JITSIM_REC_S_OPC);
	jitsim_rec_secrets_wipe(&s);
	return 0;
}

static const struct jitsim_cp_hlr_tls *
hlrs_tls(const struct jitsim_cp_hlrs *h, const char *name)
{
	for (unsigned int i = 0; i < h->cfg.n_tls; i++)
		if (strcmp(h->tls[i].name, name) == 0)
			return &h->tls[i];
	return NULL;
}

static const char *
hlrs_opt(const char *s)
{
	return s != NULL && s[0] != '\0' ? s : NULL;
}

/* Start the adapter of @d. NULL with @err. */
static struct jitsim_adapter *
hlrs_start(struct jitsim_cp_hlrs *h, const struct jitsim_rules_hlr *d, char *err, size_t errlen)
{
	struct jitsim_adapter_cfg ac = {.max_inflight = h->cfg.inflight,
					.timeout_ms = h->cfg.timeout_ms};
	char host[JITSIM_RULES_ADDR_MAX + 1];
	int rc;

	if (d->kind == JITSIM_HLR_OSMO) {
		struct jitsim_osmohlr_opts o = {.host = host, .keys = hlrs_keys, .keys_arg = h};
		struct jitsim_osmohlr *oh;
		char *colon;

		snprintf(host, sizeof(host), "%s", d->address);
		colon = strrchr(host, ':');
		/* host:port, but not a bare IPv6 address ("::1"). */
		if (colon != NULL && strchr(host, ':') == colon) {
			char *end;
			unsigned long p = strtoul(colon + 1, &end, 10);

			if (*end != '\0' || p == 0 || p > 65535) {
				snprintf(err, errlen, "hlr %s: address %s: bad port", d->name,
					 d->address);
				return NULL;
			}
			*colon = '\0';
			o.port = (uint16_t)p;
		}
		rc = jitsim_osmohlr_open(&o, &oh, err, errlen);
		return rc == 0 ? jitsim_adapter_new(&jitsim_osmohlr_ops, oh, &ac, err, errlen)
			       : NULL;
	}
	if (d->kind == JITSIM_HLR_HTTP) {
		const struct jitsim_cp_hlr_tls *t = hlrs_tls(h, d->name);
		struct jitsim_http_opts o = {.url = d->address};
		struct jitsim_http *hh;

		if (t != NULL) {
			o.token_file = hlrs_opt(t->token_file);
			o.ca_file = hlrs_opt(t->ca_file);
			o.client_cert = hlrs_opt(t->client_cert);
			o.client_key = hlrs_opt(t->client_key);
			o.insecure = t->insecure;
		}
		rc = jitsim_http_open(&o, &hh, err, errlen);
		return rc == 0 ? jitsim_adapter_new(&jitsim_http_ops, hh, &ac, err, errlen) : NULL;
	}
	{
		struct jitsim_outbox_opts o = {.path = d->address};
		struct jitsim_outbox *ob;

		rc = jitsim_outbox_open(&o, &ob, err, errlen);
		return rc == 0 ? jitsim_adapter_new(&jitsim_outbox_ops, ob, &ac, err, errlen)
			       : NULL;
	}
}

struct jitsim_adapter *
jitsim_cp_hlrs_adapter(struct jitsim_cp_hlrs *h, uint16_t id, char *err, size_t errlen)
{
	struct jitsim_rules_hlr all[JITSIM_RULES_HLR_MAX], *d = NULL;
	struct hlrs_entry *e;
	unsigned int n;

	for (unsigned int i = 0; i < h->n; i++)
		if (h->e[i].id == id)
			return h->e[i].a;
	n = jitsim_rules_hlr_list(h->cfg.rules, all, JITSIM_RULES_HLR_MAX);
	for (unsigned int i = 0; i < n && i < JITSIM_RULES_HLR_MAX; i++)
		if (all[i].id == id)
			d = &all[i];
	if (d == NULL) {
		snprintf(err, errlen, "no HLR with id %u", id);
		return NULL;
	}
	if (h->n == HLRS_MAX) {
		snprintf(err, errlen, "more than %u HLR adapters", HLRS_MAX);
		return NULL;
	}
	e = &h->e[h->n];
	memset(e, 0, sizeof(*e));
	e->id = id;
	e->kind = d->kind;
	snprintf(e->address, sizeof(e->address), "%s", d->address);
	if (d->kind == JITSIM_HLR_OUTBOX &&
	    (d->address[0] == '\0' ||
	     (h->cfg.outbox != NULL && strcmp(d->address, h->cfg.outbox) == 0))) {
		e->a = h->cfg.outbox_adapter;
	} else {
		e->a = hlrs_start(h, d, err, errlen);
		e->owned = true;
	}
	if (e->a == NULL)
		return NULL;
	pthread_mutex_lock(&h->lock);
	h->n++;
	pthread_mutex_unlock(&h->lock);
	return e->a;
}

int
jitsim_cp_hlrs_health(struct jitsim_cp_hlrs *h, uint16_t id, char *msg, size_t msglen)
{
	struct jitsim_adapter *a = NULL;
	unsigned int n;

	pthread_mutex_lock(&h->lock);
	n = h->n;
	for (unsigned int i = 0; i < n; i++)
		if (h->e[i].id == id)
			a = h->e[i].a;
	pthread_mutex_unlock(&h->lock);
	if (a == NULL) {
		snprintf(msg, msglen, "no order sent yet");
		return -ENOENT;
	}
	return jitsim_adapter_health(a, msg, msglen);
}
