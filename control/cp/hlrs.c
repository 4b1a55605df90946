/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <time.h>

#include "adapter.h"
#include "hlrs.h"
#include "http.h"
#include "osmohlr.h"
#include "outbox.h"
#include "record.h"
#include "store.h"

#define HLRS_MAX 256
#define HLRS_BAD_MAX 16
/* How often the workflow thread compares its adapters with the HLR
 * definitions (hlrs_recheck()): one copy of the definitions a second. */
#define HLRS_RECHECK_NS 1000000000ull

struct hlrs_entry {
	uint16_t id;
	uint8_t kind;
	char address[JITSIM_RULES_ADDR_MAX + 1];
	struct jitsim_adapter *a;
	bool owned; /* not the shared default outbox */
	/* Its HLR was redefined (kind or address) or removed: no new orders;
	 * the adapter finishes those it has and is freed with the table. */
	bool stale;
};

struct jitsim_cp_hlrs {
	struct jitsim_cp_hlrs_cfg cfg;
	struct jitsim_cp_hlr_tls *tls;
	pthread_mutex_t lock; /* entries: added by the workflow thread, read by any */
	unsigned int n;
	uint64_t checked_ns; /* last hlrs_recheck() from the workflow thread */
	struct hlrs_entry e[HLRS_MAX];
	/* Adapters that could not start (bad address, unreadable token):
	 * the last reason per HLR, for hlr.list; guarded by lock. */
	struct {
		uint16_t id;
		char why[120];
	} bad[HLRS_BAD_MAX];
};

/* Remember (@why != NULL) or forget why HLR @id's adapter cannot start. */
static void
hlrs_set_bad(struct jitsim_cp_hlrs *h, uint16_t id, const char *why)
{
	unsigned int i, slot = HLRS_BAD_MAX;

	pthread_mutex_lock(&h->lock);
	for (i = 0; i < HLRS_BAD_MAX; i++) {
		if (h->bad[i].id == id) {
			slot = i;
			break;
		}
		if (h->bad[i].id == 0 && slot == HLRS_BAD_MAX)
			slot = i;
	}
	if (slot == HLRS_BAD_MAX)
		slot = id % HLRS_BAD_MAX; /* full: replace one */
	if (why != NULL) {
		h->bad[slot].id = id;
		snprintf(h->bad[slot].why, sizeof(h->bad[slot].why), "%s", why);
	} else if (h->bad[slot].id == id) {
		h->bad[slot].id = 0;
	}
	pthread_mutex_unlock(&h->lock);
}

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

static uint64_t
hlrs_mono_ns(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (uint64_t)ts.tv_sec * 1000000000ull + (uint64_t)ts.tv_nsec;
}

/* The live entry of HLR @id, or NULL. Lock held. */
static struct hlrs_entry *
hlrs_find(struct jitsim_cp_hlrs *h, uint16_t id)
{
	for (unsigned int i = 0; i < h->n; i++)
		if (h->e[i].id == id && !h->e[i].stale)
			return &h->e[i];
	return NULL;
}

/* Mark stale the entries whose HLR is no longer defined as when their
 * adapter started (hlr.add replacing its kind or address, hlr.remove), so
 * that the next order starts an adapter on the new definition instead of
 * going to the old address until a restart. Definitions in @all (@n). */
static void
hlrs_mark_stale(struct jitsim_cp_hlrs *h, const struct jitsim_rules_hlr *all, unsigned int n)
{
	pthread_mutex_lock(&h->lock);
	for (unsigned int i = 0; i < h->n; i++) {
		struct hlrs_entry *e = &h->e[i];
		bool same = false;

		for (unsigned int k = 0; k < n && !e->stale && !same; k++)
			same = all[k].id == e->id && all[k].kind == e->kind &&
			       strcmp(all[k].address, e->address) == 0;
		if (!same)
			e->stale = true;
	}
	pthread_mutex_unlock(&h->lock);
}

/* The HLR definitions (at most JITSIM_RULES_HLR_MAX) into @all, their
 * number returned; entries that no longer match them marked stale. */
static unsigned int
hlrs_recheck(struct jitsim_cp_hlrs *h, struct jitsim_rules_hlr *all)
{
	unsigned int n = jitsim_rules_hlr_list(h->cfg.rules, all, JITSIM_RULES_HLR_MAX);

	if (n > JITSIM_RULES_HLR_MAX)
		n = JITSIM_RULES_HLR_MAX;
	hlrs_mark_stale(h, all, n);
	return n;
}

struct jitsim_adapter *
jitsim_cp_hlrs_adapter(struct jitsim_cp_hlrs *h, uint16_t id, char *err, size_t errlen)
{
	struct jitsim_rules_hlr all[JITSIM_RULES_HLR_MAX];
	const struct jitsim_rules_hlr *d = NULL;
	const uint64_t now = hlrs_mono_ns();
	struct hlrs_entry *e;
	unsigned int n = 0;
	bool listed = false;

	/* A redefined HLR is seen within a second here (and at once by
	 * jitsim_cp_hlrs_health(), i.e. hlr.list), without copying the
	 * definitions for every order. */
	if (now - h->checked_ns >= HLRS_RECHECK_NS) {
		h->checked_ns = now;
		n = hlrs_recheck(h, all);
		listed = true;
	}
	/* Locked: jitsim_cp_hlrs_health() may mark entries stale meanwhile. */
	pthread_mutex_lock(&h->lock);
	e = hlrs_find(h, id);
	pthread_mutex_unlock(&h->lock);
	if (e != NULL)
		return e->a;
	if (!listed)
		n = hlrs_recheck(h, all);
	for (unsigned int i = 0; i < n; i++)
		if (all[i].id == id)
			d = &all[i];
	if (d == NULL) {
		snprintf(err, errlen, "no HLR with id %u", id);
		return NULL;
	}
	if (h->n == HLRS_MAX) {
		snprintf(err, errlen, "more than %u HLR adapters (redefinitions count)", HLRS_MAX);
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
	if (e->a == NULL) {
		hlrs_set_bad(h, id, err);
		return NULL;
	}
	hlrs_set_bad(h, id, NULL);
	pthread_mutex_lock(&h->lock);
	h->n++;
	pthread_mutex_unlock(&h->lock);
	return e->a;
}

int
jitsim_cp_hlrs_health(struct jitsim_cp_hlrs *h, uint16_t id, char *msg, size_t msglen)
{
	struct jitsim_rules_hlr *all = malloc(JITSIM_RULES_HLR_MAX * sizeof(*all));
	struct jitsim_adapter *a = NULL;
	struct hlrs_entry *e;

	/* What hlr.list shows is the adapter the next order goes to. */
	if (all != NULL)
		hlrs_recheck(h, all);
	free(all);
	pthread_mutex_lock(&h->lock);
	e = hlrs_find(h, id);
	if (e != NULL)
		a = e->a;
	for (unsigned int i = 0; a == NULL && i < HLRS_BAD_MAX; i++)
		if (h->bad[i].id == id) {
			snprintf(msg, msglen, "cannot start: %s", h->bad[i].why);
			pthread_mutex_unlock(&h->lock);
			return -EHOSTUNREACH;
		}
	pthread_mutex_unlock(&h->lock);
	if (a == NULL) {
		snprintf(msg, msglen, "no order sent yet");
		return -ENOENT;
	}
	return jitsim_adapter_health(a, msg, msglen);
}
