/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * jitsim-dp telemetry commands (telemetry.h).
 */

#include <errno.h>
#include <pthread.h>
#include <stdio.h>
#include <string.h>

#include <rte_cycles.h>
#include <rte_telemetry.h>

#include <urcu/urcu-qsbr.h>

#include <jitsim/proto/map.h>
#include <jitsim/sim.h>

#include "diam_fsm.h"
#include "m3ua_asp.h"
#include "telemetry.h"

static pthread_mutex_t dp_tel_lock = PTHREAD_MUTEX_INITIALIZER;
static struct jitsim_dp *dp_tel_dp;
static bool dp_tel_registered;

#define RD(x) jitsim_dp_cnt_read(&(x))

/* DPDK telemetry refuses names with characters other than A-Z a-z 0-9
 * _ / (the entry would silently be missing): "mt-ForwardSM" becomes
 * "mt_ForwardSM". @key has room for 64 bytes. */
static const char *
dp_tel_key(const char *name, char *key)
{
	size_t i;

	for (i = 0; i < 63 && name[i] != '\0'; i++) {
		char c = name[i];

		key[i] = (c >= '0' && c <= '9') || (c >= 'A' && c <= 'Z') ||
					 (c >= 'a' && c <= 'z') || c == '/'
				 ? c
				 : '_';
	}
	key[i] = '\0';
	return key;
}

/* A nested dict of the non-zero entries of @v[0..n), named by @name_fn;
 * an empty dict when all are zero (the key is always there: scripts can
 * rely on it). */
static void
dp_tel_sub(struct rte_tel_data *d, const char *key, const uint64_t *v, unsigned int n,
	   const char *(*name_fn)(unsigned int i, char *buf, size_t len))
{
	struct rte_tel_data *sub = rte_tel_data_alloc();

	if (sub == NULL)
		return;
	rte_tel_data_start_dict(sub);
	for (unsigned int i = 0; i < n; i++) {
		char buf[64], kb[64];

		if (v[i] != 0)
			rte_tel_data_add_dict_u64(sub, dp_tel_key(name_fn(i, buf, sizeof(buf)), kb),
						  v[i]);
	}
	if (rte_tel_data_add_dict_container(d, key, sub, 0) != 0)
		rte_tel_data_free(sub);
}

static const char *
dp_name_map_op(unsigned int i, char *buf, size_t len)
{
	const char *n = jitsim_map_op_name((uint8_t)i);

	if (n != NULL)
		return n;
	snprintf(buf, len, "op%u", i);
	return buf;
}

static const char *
dp_name_map_err(unsigned int i, char *buf, size_t len)
{
	const char *n = jitsim_map_err_name((uint8_t)i);

	if (n != NULL)
		return n;
	snprintf(buf, len, "error%u", i);
	return buf;
}

static const char *
dp_name_map_result(unsigned int i, char *buf, size_t len)
{
	/* Slot 0: ReturnResult without an operation code (no parameter). */
	if (i == 0)
		return "no_opcode";
	return dp_name_map_op(i, buf, len);
}

static const char *
dp_name_diam(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_detect_diam_name(i);
}

static const char *
dp_name_reason(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_reason_str((enum jitsim_reason)i);
}

static const char *
dp_name_event(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_event_type_name(i);
}

static const char *
dp_name_upd(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_update_op_name(i);
}

static void
dp_tel_stats(const struct jitsim_dp *dp, struct rte_tel_data *d)
{
	struct jitsim_dp_totals t;
	struct jitsim_detect_stats s;
	struct jitsim_table_stats ts;
	uint64_t upd_applied[JITSIM_UPD_OP_MAX], upd_failed[JITSIM_UPD_OP_MAX];

	jitsim_dp_totals(dp, &t, &s);
	rte_tel_data_add_dict_u64(d, "ready", 1);
	rte_tel_data_add_dict_u64(d, "workers", dp->n_workers);
	rte_tel_data_add_dict_u64(d, "uptime_s", (rte_rdtsc() - dp->start_tsc) / dp->tsc_hz);
	rte_tel_data_add_dict_u64(d, "frames", t.w.frames);
	rte_tel_data_add_dict_u64(d, "bytes", t.w.bytes);
	rte_tel_data_add_dict_u64(d, "frames_with_msgs", t.w.frames_with_msgs);
	rte_tel_data_add_dict_u64(d, "frames_no_msg", t.w.frames_no_msg);
	rte_tel_data_add_dict_u64(d, "multiseg", t.w.multiseg);
	rte_tel_data_add_dict_u64(d, "oversize", t.w.oversize);
	rte_tel_data_add_dict_u64(d, "msgs", t.msgs_map + t.msgs_diameter);
	rte_tel_data_add_dict_u64(d, "msgs_map", t.msgs_map);
	rte_tel_data_add_dict_u64(d, "msgs_diameter", t.msgs_diameter);
	dp_tel_sub(d, "map_invoke", s.map_invoke, 256, dp_name_map_op);
	dp_tel_sub(d, "map_result", s.map_result, 256, dp_name_map_result);
	dp_tel_sub(d, "map_error", s.map_error, 256, dp_name_map_err);
	rte_tel_data_add_dict_u64(d, "map_reject", s.map_reject);
	rte_tel_data_add_dict_u64(d, "map_returned", s.map_returned);
	dp_tel_sub(d, "diameter_req", s.diam_req, JITSIM_DETECT_DIAM_MAX, dp_name_diam);
	dp_tel_sub(d, "diameter_ans", s.diam_ans, JITSIM_DETECT_DIAM_MAX, dp_name_diam);
	rte_tel_data_add_dict_u64(d, "decode_errors", t.decode_errors);
	dp_tel_sub(d, "errors", t.w.reason, JITSIM_R_MAX, dp_name_reason);
	rte_tel_data_add_dict_u64(d, "events_total", t.events_total);
	dp_tel_sub(d, "events", t.events, JITSIM_EV_TYPE_MAX, dp_name_event);
	rte_tel_data_add_dict_u64(d, "ring_drops_total", t.drops_total);
	dp_tel_sub(d, "ring_drops", t.drops, JITSIM_EV_TYPE_MAX, dp_name_event);
	rte_tel_data_add_dict_u64(d, "triggers", s.triggers);
	rte_tel_data_add_dict_u64(d, "trig_no_id", s.trig_no_id);
	rte_tel_data_add_dict_u64(d, "lookups", s.lookups);
	rte_tel_data_add_dict_u64(d, "hits", s.hits);
	rte_tel_data_add_dict_u64(d, "msisdn_lookups", s.msisdn_lookups);
	rte_tel_data_add_dict_u64(d, "msisdn_hits", s.msisdn_hits);
	rte_tel_data_add_dict_u64(d, "lease_held", s.lease_held);
	rte_tel_data_add_dict_u64(d, "lease_retaken", s.lease_retaken);
	rte_tel_data_add_dict_u64(d, "epoch_repeat", s.epoch_repeat);
	rte_tel_data_add_dict_u64(d, "race_lost", s.race_lost);
	rte_tel_data_add_dict_u64(d, "no_action", s.no_action);
	rte_tel_data_add_dict_u64(d, "unknown_home", s.unknown_home);
	rte_tel_data_add_dict_u64(d, "unknown_suppressed", s.unknown_suppressed);
	rte_tel_data_add_dict_u64(d, "unknown_foreign", s.unknown_foreign);
	rte_tel_data_add_dict_u64(d, "unwind_failed", s.unwind_failed);
	for (unsigned int op = 0; op < JITSIM_UPD_OP_MAX; op++) {
		upd_applied[op] = RD(dp->updater.st.applied[op]);
		upd_failed[op] = RD(dp->updater.st.failed[op]);
	}
	rte_tel_data_add_dict_u64(d, "updates_applied_total", t.updates_applied);
	dp_tel_sub(d, "updates_applied", upd_applied, JITSIM_UPD_OP_MAX, dp_name_upd);
	rte_tel_data_add_dict_u64(d, "updates_failed_total", t.updates_failed);
	dp_tel_sub(d, "updates_failed", upd_failed, JITSIM_UPD_OP_MAX, dp_name_upd);
	rte_tel_data_add_dict_u64(d, "updates_bad", t.updates_bad);
	rte_tel_data_add_dict_u64(d, "update_seq",
				  __atomic_load_n(&dp->shm.hdr->dp_update_seq, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "sims_loaded", dp->sims_loaded);
	/* The table stats read the current array, which the updater may
	 * replace: this thread (one per telemetry client) is an RCU reader
	 * for the moment. Registration takes liburcu's registry lock: fine
	 * here, never on a worker. */
	urcu_qsbr_register_thread();
	jitsim_table_imsi_stats(dp->imsi, &ts);
	rte_tel_data_add_dict_u64(d, "imsi_entries", ts.entries);
	rte_tel_data_add_dict_u64(d, "imsi_tombstones", ts.tombstones);
	rte_tel_data_add_dict_u64(d, "imsi_slots", ts.slots);
	rte_tel_data_add_dict_u64(d, "imsi_bytes", ts.bytes);
	jitsim_table_msisdn_stats(dp->msisdn, &ts);
	urcu_qsbr_unregister_thread();
	rte_tel_data_add_dict_u64(d, "msisdn_entries", ts.entries);
	rte_tel_data_add_dict_u64(d, "msisdn_slots", ts.slots);
	rte_tel_data_add_dict_u64(d, "msisdn_bytes", ts.bytes);
}

static void
dp_tel_lcore(const struct jitsim_dp_worker *w, struct rte_tel_data *d)
{
	const struct jitsim_detect_stats *s = &w->det.st;
	uint64_t frames = RD(w->st.frames), ev = 0, drops = 0;

	for (unsigned int e = 0; e < JITSIM_EV_TYPE_MAX; e++) {
		ev += RD(s->events[e]);
		drops += RD(s->ring_drops[e]);
	}
	rte_tel_data_start_dict(d);
	rte_tel_data_add_dict_u64(d, "worker", w->index);
	rte_tel_data_add_dict_u64(d, "lcore", w->lcore);
	rte_tel_data_add_dict_u64(d, "port", w->port);
	rte_tel_data_add_dict_u64(d, "queue", w->queue);
	rte_tel_data_add_dict_u64(d, "running", __atomic_load_n(&w->running, __ATOMIC_RELAXED));
	rte_tel_data_add_dict_u64(d, "frames", frames);
	rte_tel_data_add_dict_u64(d, "bytes", RD(w->st.bytes));
	rte_tel_data_add_dict_u64(d, "msgs", RD(s->msgs_map) + RD(s->msgs_diameter));
	rte_tel_data_add_dict_u64(d, "events", ev);
	rte_tel_data_add_dict_u64(d, "drops", drops);
	rte_tel_data_add_dict_u64(d, "bursts", RD(w->st.bursts));
	rte_tel_data_add_dict_u64(d, "cycles", RD(w->st.cycles));
	rte_tel_data_add_dict_u64(d, "cycles_per_frame", frames ? RD(w->st.cycles) / frames : 0);
	if (w->sig_rx != NULL) {
		rte_tel_data_add_dict_u64(d, "ss7_rx", RD(w->sig.rx));
		rte_tel_data_add_dict_u64(d, "ss7_tx", RD(w->sig.tx));
		rte_tel_data_add_dict_u64(d, "ss7_to_cp", RD(w->sig.to_cp));
		rte_tel_data_add_dict_u64(d, "ss7_cycles", RD(w->sig.cycles));
	}
	if (w->diam_rx != NULL) {
		rte_tel_data_add_dict_u64(d, "diameter_rx", RD(w->diam.rx));
		rte_tel_data_add_dict_u64(d, "diameter_tx", RD(w->diam.tx));
		rte_tel_data_add_dict_u64(d, "diameter_to_cp", RD(w->diam.to_cp));
		rte_tel_data_add_dict_u64(d, "diameter_cycles", RD(w->diam.cycles));
	}
}

static const char *
dp_name_fta_verdict(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_fta_verdict_str((enum jitsim_fta_verdict)i);
}

static const char *
dp_name_fta_drop(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_fta_drop_str((enum jitsim_fta_drop)i);
}

static const char *
dp_name_sigio_drop(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_dp_sigio_drop_name(i);
}

static const char *
dp_name_index(unsigned int i, char *buf, size_t len)
{
	snprintf(buf, len, "%u", i);
	return buf;
}

static const char *
dp_name_sim_state(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_sim_state_name(i);
}

/* /jitsim/ss7: associations, the sigio thread, the workers' SS7 path. */
/* The workers' side of an SS7 or Diameter section (same counters). */
static void
dp_tel_worker_sig(struct rte_tel_data *d, const struct jitsim_dp_worker_sig_stats *w)
{
	rte_tel_data_add_dict_u64(d, "worker_rx", w->rx);
	rte_tel_data_add_dict_u64(d, "worker_tx", w->tx);
	rte_tel_data_add_dict_u64(d, "worker_tx_full", w->tx_full);
	rte_tel_data_add_dict_u64(d, "to_cp", w->to_cp);
	rte_tel_data_add_dict_u64(d, "to_cp_full", w->to_cp_full);
	rte_tel_data_add_dict_u64(d, "detect_msgs", w->detect_msgs);
	rte_tel_data_add_dict_u64(d, "detect_wrap_failed", w->detect_wrap);
	rte_tel_data_add_dict_u64(d, "cycles", w->cycles);
}

static void
dp_tel_ss7(const struct jitsim_dp *dp, struct rte_tel_data *d)
{
	const struct jitsim_dp_sigio *s = &dp->sigio;
	const struct jitsim_dp_sigio_stats *st = &s->st;
	struct jitsim_dp_ss7_totals t;
	struct rte_tel_data *links;
	uint64_t drops[JITSIM_DP_SIGIO_DROP_MAX];

	rte_tel_data_add_dict_u64(d, "associations", s->n_links);
	rte_tel_data_add_dict_u64(d, "associations_up", RD(st->assoc_up));
	links = rte_tel_data_alloc();
	if (links != NULL) {
		rte_tel_data_start_dict(links);
		for (unsigned int i = 0; i < s->n_links; i++) {
			const struct jitsim_dp_sigio_link *l = &s->links[i];
			struct rte_tel_data *x = rte_tel_data_alloc();
			char kb[64];

			if (x == NULL)
				break;
			rte_tel_data_start_dict(x);
			rte_tel_data_add_dict_string(
				x, "role", l->cfg->role == JITSIM_DP_SS7_ASP ? "asp" : "sgp");
			rte_tel_data_add_dict_string(
				x, "state",
				jitsim_asp_state_name((enum jitsim_asp_state)__atomic_load_n(
					&l->state, __ATOMIC_RELAXED)));
			rte_tel_data_add_dict_u64(x, "transport",
						  __atomic_load_n(&l->tstate, __ATOMIC_RELAXED));
			rte_tel_data_add_dict_u64(x, "data_in", RD(l->data_in));
			rte_tel_data_add_dict_u64(x, "data_out", RD(l->data_out));
			rte_tel_data_add_dict_u64(x, "reconnects", RD(l->reconnects));
			rte_tel_data_add_dict_u64(x, "connect_fail", RD(l->connect_fail));
			if (rte_tel_data_add_dict_container(links, dp_tel_key(l->cfg->name, kb), x,
							    0) != 0)
				rte_tel_data_free(x);
		}
		if (rte_tel_data_add_dict_container(d, "links", links, 0) != 0)
			rte_tel_data_free(links);
	}
	rte_tel_data_add_dict_u64(d, "rx_data", RD(st->rx_data));
	rte_tel_data_add_dict_u64(d, "rx_to_worker", RD(st->rx_to_worker));
	rte_tel_data_add_dict_u64(d, "tx_from_workers", RD(st->tx_worker));
	rte_tel_data_add_dict_u64(d, "tx_from_cp", RD(st->tx_cp));
	rte_tel_data_add_dict_u64(d, "tx_sent", RD(st->tx_sent));
	rte_tel_data_add_dict_u64(d, "became_active", RD(st->connects));
	rte_tel_data_add_dict_u64(d, "lost", RD(st->losses));
	for (unsigned int i = 0; i < JITSIM_DP_SIGIO_DROP_MAX; i++)
		drops[i] = RD(st->drops[i]);
	dp_tel_sub(d, "sigio_drops", drops, JITSIM_DP_SIGIO_DROP_MAX, dp_name_sigio_drop);

	jitsim_dp_ss7_totals(dp, &t);
	dp_tel_worker_sig(d, &t.w);
	dp_tel_sub(d, "verdicts", t.fta.verdict, JITSIM_FTA_VERDICT_MAX, dp_name_fta_verdict);
	dp_tel_sub(d, "fta_drops", t.fta.drop, JITSIM_FTA_DROP_MAX, dp_name_fta_drop);
	dp_tel_sub(d, "fta_codec_errors", t.fta.codec, JITSIM_R_MAX, dp_name_reason);
	dp_tel_sub(d, "relayed_by_region", t.fta.region, JITSIM_FTA_REGIONS, dp_name_index);
	rte_tel_data_add_dict_u64(d, "relayed_default_hlr", t.fta.to_default_hlr);
	dp_tel_sub(d, "to_cp_by_state", t.fta.to_cp_state, JITSIM_SIM_STATE_MAX, dp_name_sim_state);
	rte_tel_data_add_dict_u64(d, "to_cp_dialogue", t.fta.to_cp_dialogue);
	dp_tel_sub(d, "answered_by_state", t.fta.locked_state, JITSIM_SIM_STATE_MAX,
		   dp_name_sim_state);
	rte_tel_data_add_dict_u64(d, "back_pc", t.fta.back_pc);
	rte_tel_data_add_dict_u64(d, "back_hlr_gt", t.fta.back_hlr_gt);
	rte_tel_data_add_dict_u64(d, "back_default", t.fta.back_default);
	rte_tel_data_add_dict_u64(d, "pc_inserted", t.fta.pc_inserted);
	rte_tel_data_add_dict_u64(d, "returned", t.fta.returned);
}

static const char *
dp_name_diam_verdict(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_fta_diam_verdict_name(i);
}

static const char *
dp_name_diam_drop(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_fta_diam_drop_name(i);
}

static const char *
dp_name_diamio_drop(unsigned int i, char *buf, size_t len)
{
	(void)buf;
	(void)len;
	return jitsim_dp_diamio_drop_name(i);
}

/* /jitsim/diameter: peers, the diamio thread, the workers' S6a path. */
static void
dp_tel_diam(const struct jitsim_dp *dp, struct rte_tel_data *d)
{
	const struct jitsim_dp_diamio *io = &dp->diamio;
	const struct jitsim_dp_diamio_stats *st = &io->st;
	struct jitsim_dp_diam_totals t;
	struct rte_tel_data *peers;
	uint64_t v[JITSIM_DP_DIAM_REGION_MAX];

	rte_tel_data_add_dict_string(d, "origin_host", dp->cfg.diam.origin_host);
	rte_tel_data_add_dict_u64(d, "peers", io->n_peers);
	rte_tel_data_add_dict_u64(d, "peers_open", RD(st->peers_open));
	peers = rte_tel_data_alloc();
	if (peers != NULL) {
		rte_tel_data_start_dict(peers);
		for (unsigned int i = 0; i < io->n_peers; i++) {
			const struct jitsim_dp_diamio_peer *p = &io->peers[i];
			const uint32_t state = __atomic_load_n(&p->state, __ATOMIC_RELAXED);
			struct rte_tel_data *x = rte_tel_data_alloc();
			char kb[64];

			if (x == NULL)
				break;
			rte_tel_data_start_dict(x);
			rte_tel_data_add_dict_u64(x, "index", i);
			rte_tel_data_add_dict_string(x, "role",
						     p->cfg->kind == JITSIM_DP_DIAM_HSS ? "hss"
						     : p->cfg->listen ? "client_listen"
								      : "client_connect");
			rte_tel_data_add_dict_string(
				x, "transport",
				p->cfg->transport == JITSIM_DP_DIAM_SCTP ? "sctp" : "tcp");
			rte_tel_data_add_dict_string(
				x, "state", jitsim_diam_state_name((enum jitsim_diam_state)state));
			rte_tel_data_add_dict_u64(x, "open",
						  state == JITSIM_DIAM_I_OPEN ||
							  state == JITSIM_DIAM_R_OPEN);
			rte_tel_data_add_dict_u64(x, "suspect",
						  __atomic_load_n(&p->wd, __ATOMIC_RELAXED) ==
							  JITSIM_DIAM_WD_SUSPECT);
			if (p->cfg->kind == JITSIM_DP_DIAM_HSS)
				rte_tel_data_add_dict_u64(x, "region", p->cfg->region);
			rte_tel_data_add_dict_u64(x, "rx_msgs", RD(p->app_rx));
			rte_tel_data_add_dict_u64(x, "tx_msgs", RD(p->app_tx));
			rte_tel_data_add_dict_u64(x, "opens", RD(p->opens));
			rte_tel_data_add_dict_u64(x, "connect_fail", RD(p->connect_fail));
			if (rte_tel_data_add_dict_container(peers, dp_tel_key(p->cfg->name, kb), x,
							    0) != 0)
				rte_tel_data_free(x);
		}
		if (rte_tel_data_add_dict_container(d, "peer", peers, 0) != 0)
			rte_tel_data_free(peers);
	}
	rte_tel_data_add_dict_u64(d, "rx_requests", RD(st->rx_requests));
	rte_tel_data_add_dict_u64(d, "rx_dup", RD(st->rx_dup));
	rte_tel_data_add_dict_u64(d, "rx_to_worker", RD(st->rx_to_worker));
	rte_tel_data_add_dict_u64(d, "rx_oversize", RD(st->rx_oversize));
	rte_tel_data_add_dict_u64(d, "rx_ring_full", RD(st->rx_ring_full));
	rte_tel_data_add_dict_u64(d, "rx_cp_answers", RD(st->rx_cp_answers));
	rte_tel_data_add_dict_u64(d, "hss_answers", RD(st->hss_answers));
	rte_tel_data_add_dict_u64(d, "hss_requests", RD(st->hss_requests));
	rte_tel_data_add_dict_u64(d, "client_answers", RD(st->client_answers));
	rte_tel_data_add_dict_u64(d, "tx_from_workers", RD(st->tx_worker));
	rte_tel_data_add_dict_u64(d, "tx_answers", RD(st->tx_answers));
	rte_tel_data_add_dict_u64(d, "tx_proxied", RD(st->tx_proxied));
	rte_tel_data_add_dict_u64(d, "tx_default_hss", RD(st->tx_default_hss));
	rte_tel_data_add_dict_u64(d, "tx_from_cp", RD(st->tx_cp));
	rte_tel_data_add_dict_u64(d, "tx_cp_sent", RD(st->tx_cp_sent));
	rte_tel_data_add_dict_u64(d, "ss7_passed", RD(st->ss7_passed));
	rte_tel_data_add_dict_u64(d, "answered_3002", RD(st->ans_no_route));
	rte_tel_data_add_dict_u64(d, "answered_3004", RD(st->ans_busy));
	rte_tel_data_add_dict_u64(d, "answered_3005", RD(st->ans_loop));
	rte_tel_data_add_dict_u64(d, "answered_5012", RD(st->rx_oversize));
	rte_tel_data_add_dict_u64(d, "map_used", RD(st->map_used));
	rte_tel_data_add_dict_u64(d, "map_full", RD(st->map_full));
	rte_tel_data_add_dict_u64(d, "map_expired", RD(st->map_expired));
	rte_tel_data_add_dict_u64(d, "opens", RD(st->opens));
	rte_tel_data_add_dict_u64(d, "closes", RD(st->closes));
	rte_tel_data_add_dict_u64(d, "failovers", RD(st->failovers));
	rte_tel_data_add_dict_u64(d, "failbacks", RD(st->failbacks));
	rte_tel_data_add_dict_u64(d, "restarts", RD(st->restarts));
	for (unsigned int r = 0; r < JITSIM_DP_DIAM_REGION_MAX; r++)
		v[r] = RD(st->proxied_region[r]);
	dp_tel_sub(d, "proxied_by_region", v, JITSIM_DP_DIAM_REGION_MAX, dp_name_index);
	for (unsigned int r = 0; r < JITSIM_DP_DIAMIO_DROP_MAX; r++)
		v[r] = RD(st->drops[r]);
	dp_tel_sub(d, "diamio_drops", v, JITSIM_DP_DIAMIO_DROP_MAX, dp_name_diamio_drop);

	jitsim_dp_diam_totals(dp, &t);
	dp_tel_worker_sig(d, &t.w);
	dp_tel_sub(d, "verdicts", t.fta.verdict, JITSIM_FTA_DIAM_VERDICT_MAX, dp_name_diam_verdict);
	dp_tel_sub(d, "verdict_drops", t.fta.drop, JITSIM_FTA_DIAM_DROP_MAX, dp_name_diam_drop);
	dp_tel_sub(d, "proxy_verdicts_by_region", t.fta.proxy_region, JITSIM_FTA_REGIONS,
		   dp_name_index);
	dp_tel_sub(d, "to_cp_by_state", t.fta.to_cp_state, JITSIM_SIM_STATE_MAX, dp_name_sim_state);
}

/* A signaling section's answer: {"ready": 1, counters...} while its I/O
 * thread runs, {"ready": 0} otherwise. */
static int
dp_tel_section(struct rte_tel_data *d, bool diam)
{
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&dp_tel_lock);
	if (dp_tel_dp != NULL && (diam ? dp_tel_dp->diamio_on : dp_tel_dp->sigio_on)) {
		rte_tel_data_add_dict_u64(d, "ready", 1);
		(diam ? dp_tel_diam : dp_tel_ss7)(dp_tel_dp, d);
	} else {
		rte_tel_data_add_dict_u64(d, "ready", 0);
	}
	pthread_mutex_unlock(&dp_tel_lock);
	return 0;
}

static int
dp_tel_cmd_diam(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return dp_tel_section(d, true);
}

static int
dp_tel_cmd_ss7(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	return dp_tel_section(d, false);
}

static int
dp_tel_cmd_stats(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&dp_tel_lock);
	if (dp_tel_dp != NULL)
		dp_tel_stats(dp_tel_dp, d);
	else
		rte_tel_data_add_dict_u64(d, "ready", 0);
	pthread_mutex_unlock(&dp_tel_lock);
	return 0;
}

static int
dp_tel_cmd_lcores(const char *cmd, const char *params, struct rte_tel_data *d)
{
	(void)cmd;
	(void)params;
	rte_tel_data_start_dict(d);
	pthread_mutex_lock(&dp_tel_lock);
	if (dp_tel_dp != NULL) {
		for (unsigned int i = 0; i < dp_tel_dp->n_workers; i++) {
			struct rte_tel_data *sub = rte_tel_data_alloc();
			char key[16];

			if (sub == NULL)
				break;
			dp_tel_lcore(dp_tel_dp->workers[i], sub);
			snprintf(key, sizeof(key), "%u", i);
			if (rte_tel_data_add_dict_container(d, key, sub, 0) != 0)
				rte_tel_data_free(sub);
		}
	}
	pthread_mutex_unlock(&dp_tel_lock);
	return 0;
}

int
jitsim_dp_telemetry_attach(struct jitsim_dp *dp)
{
	int rc;

	pthread_mutex_lock(&dp_tel_lock);
	dp_tel_dp = dp;
	pthread_mutex_unlock(&dp_tel_lock);
	if (dp_tel_registered)
		return 0;
	rc = rte_telemetry_register_cmd("/jitsim/stats", dp_tel_cmd_stats,
					"jitsim-dp totals: frames, messages, errors, events, "
					"drops, lookups, updates, tables. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/jitsim/lcores", dp_tel_cmd_lcores,
			"jitsim-dp workers: lcore, port, queue, frames, "
			"msgs, events, drops, cycles per frame. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/jitsim/ss7", dp_tel_cmd_ss7,
			"jitsim-dp [ss7]: associations, messages in and out, verdicts, "
			"relays per region, drops. No parameters");
	if (rc == 0)
		rc = rte_telemetry_register_cmd(
			"/jitsim/diameter", dp_tel_cmd_diam,
			"jitsim-dp [diameter]: peers, requests in, answers and proxied "
			"requests out, verdicts, drops. No parameters");
	dp_tel_registered = rc == 0;
	return rc;
}

void
jitsim_dp_telemetry_detach(void)
{
	pthread_mutex_lock(&dp_tel_lock);
	dp_tel_dp = NULL;
	pthread_mutex_unlock(&dp_tel_lock);
}
