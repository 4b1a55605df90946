/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-cp configuration (INI, libinih; docs/jitsim-cp.md lists every
 * key). Loaded once by main() before anything starts; read-only afterwards,
 * so any thread may read it without locking. Strings are owned by the
 * struct (jitsim_cp_config_free()).
 */

#ifndef JITSIM_CP_CONFIG_H
#define JITSIM_CP_CONFIG_H

#include <stddef.h>
#include <stdint.h>

#include <jitsim/shm.h>

#include "fta.h"
#include "hlrs.h"
#include "pool.h"
#include "rules.h"
#include "sleep.h"

#define JITSIM_CP_CFG_HLR_MAX 16
#define JITSIM_CP_CFG_REGION_MAX 64
#define JITSIM_CP_CFG_POOL_MAX 64
#define JITSIM_CP_CFG_VISITED_MAX 256

struct jitsim_cp_config {
	/* [instance] */
	char name[25];
	char *store;
	char *kek;
	char *socket;
	char *group; /* NULL: only root and our uid */
	/* [outbox] */
	char *outbox;
	unsigned int inflight;
	unsigned int timeout_ms;
	/* [notify]: billing/CRM notifications (notify.h); NULL url: none */
	char *notify_url;
	struct jitsim_cp_hlr_tls notify_tls;
	unsigned int notify_retries;
	/* [shm] */
	struct jitsim_shm_geometry geom;
	/* [flow] */
	unsigned int retries;	 /* provisioning attempts after the first */
	unsigned int backoff_ms; /* first retry delay, doubled each time */
	uint16_t default_region; /* 0: none */
	uint16_t default_tariff;
	char default_profile[JITSIM_RULES_NAME_MAX + 1];
	/* [sleep] (sleep.h) */
	struct jitsim_cp_sleep_cfg sleep;
	/* [fta]: the First Time Attach dialogue engine (fta.h) */
	struct jitsim_cp_fta_cfg fta;
	/* [hlr NAME], [region ID], [pool NAME]: memory-only rules and pools
	 * created in the store at start when missing. */
	unsigned int n_hlr, n_region, n_pool, n_visited;
	struct jitsim_rules_hlr hlr[JITSIM_CP_CFG_HLR_MAX];
	struct jitsim_cp_hlr_tls hlr_tls[JITSIM_CP_CFG_HLR_MAX]; /* same index as hlr[] */
	struct jitsim_rules_region region[JITSIM_CP_CFG_REGION_MAX];
	struct jitsim_pool_def pool[JITSIM_CP_CFG_POOL_MAX];
	/* [region ID] gt_prefix / plmn lists: visited network -> region. */
	struct jitsim_rules_visited visited[JITSIM_CP_CFG_VISITED_MAX];
};

/* Defaults (docs/jitsim-cp.md). */
void jitsim_cp_config_init(struct jitsim_cp_config *c);
/* Parse @path into @c. 0, or -EINVAL / -errno with "PATH:LINE: key: why"
 * in @err. */
int jitsim_cp_config_load(struct jitsim_cp_config *c, const char *path, char *err, size_t errlen);
/* Cross-key checks after loading (required keys, references). */
int jitsim_cp_config_check(const struct jitsim_cp_config *c, char *err, size_t errlen);
void jitsim_cp_config_free(struct jitsim_cp_config *c);

#endif /* JITSIM_CP_CONFIG_H */
