/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Totals over the workers (dp.h), for telemetry and the summary line.
 */

#include <string.h>

#include "dp.h"

#define RD(x) jitsim_dp_cnt_read(&(x))

static void
dp_sum_detect(struct jitsim_detect_stats *o, const struct jitsim_detect_stats *s)
{
	/* Every field is a uint64_t counter: sum them as an array so that a
	 * counter added to detect.h is never forgotten here. */
	const uint64_t *src = (const uint64_t *)s;
	uint64_t *dst = (uint64_t *)o;

	_Static_assert(sizeof(*s) % sizeof(uint64_t) == 0, "detect stats are u64 counters");
	for (size_t i = 0; i < sizeof(*s) / sizeof(uint64_t); i++)
		dst[i] += RD(src[i]);
}

/* Sum structs made only of uint64_t counters, as an array, so that a
 * counter added to them is never forgotten here. */
static void
dp_sum_u64(uint64_t *dst, const uint64_t *src, size_t n)
{
	for (size_t i = 0; i < n; i++)
		dst[i] += RD(src[i]);
}

void
jitsim_dp_ss7_totals(const struct jitsim_dp *dp, struct jitsim_dp_ss7_totals *t)
{
	_Static_assert(sizeof(t->w) % sizeof(uint64_t) == 0, "sig stats are u64 counters");
	_Static_assert(sizeof(t->fta) % sizeof(uint64_t) == 0, "fta stats are u64 counters");
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		const struct jitsim_dp_worker *w = dp->workers[i];

		if (w == NULL || w->sig_rx == NULL)
			continue;
		dp_sum_u64((uint64_t *)&t->w, (const uint64_t *)&w->sig,
			   sizeof(t->w) / sizeof(uint64_t));
		dp_sum_u64((uint64_t *)&t->fta, (const uint64_t *)&w->fta.st,
			   sizeof(t->fta) / sizeof(uint64_t));
	}
}

void
jitsim_dp_diam_totals(const struct jitsim_dp *dp, struct jitsim_dp_diam_totals *t)
{
	_Static_assert(sizeof(t->w) % sizeof(uint64_t) == 0, "sig stats are u64 counters");
	_Static_assert(sizeof(t->fta) % sizeof(uint64_t) == 0, "fta_diam stats are u64 counters");
	memset(t, 0, sizeof(*t));
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		const struct jitsim_dp_worker *w = dp->workers[i];

		if (w == NULL || w->diam_rx == NULL)
			continue;
		dp_sum_u64((uint64_t *)&t->w, (const uint64_t *)&w->diam,
			   sizeof(t->w) / sizeof(uint64_t));
		dp_sum_u64((uint64_t *)&t->fta, (const uint64_t *)&w->fdiam.st,
			   sizeof(t->fta) / sizeof(uint64_t));
	}
}

void
jitsim_dp_totals(const struct jitsim_dp *dp, struct jitsim_dp_totals *t,
		 struct jitsim_detect_stats *d_out)
{
	struct jitsim_detect_stats d;

	memset(t, 0, sizeof(*t));
	memset(&d, 0, sizeof(d));
	for (unsigned int i = 0; i < dp->n_workers; i++) {
		const struct jitsim_dp_worker *w = dp->workers[i];

		if (w == NULL)
			continue;
		t->w.frames += RD(w->st.frames);
		t->w.bytes += RD(w->st.bytes);
		t->w.frames_with_msgs += RD(w->st.frames_with_msgs);
		t->w.frames_no_msg += RD(w->st.frames_no_msg);
		t->w.multiseg += RD(w->st.multiseg);
		t->w.oversize += RD(w->st.oversize);
		t->w.bursts += RD(w->st.bursts);
		t->w.cycles += RD(w->st.cycles);
		for (unsigned int r = 0; r < JITSIM_R_MAX; r++)
			t->w.reason[r] += RD(w->st.reason[r]);
		dp_sum_detect(&d, &w->det.st);
	}
	for (unsigned int r = 0; r < JITSIM_R_MAX; r++)
		t->decode_errors += t->w.reason[r];
	t->msgs_map = d.msgs_map;
	t->msgs_diameter = d.msgs_diameter;
	for (unsigned int e = 0; e < JITSIM_EV_TYPE_MAX; e++) {
		t->events[e] = d.events[e];
		t->drops[e] = d.ring_drops[e];
		t->events_total += d.events[e];
		t->drops_total += d.ring_drops[e];
	}
	for (unsigned int op = 0; op < JITSIM_UPD_OP_MAX; op++) {
		t->updates_applied += RD(dp->updater.st.applied[op]);
		t->updates_failed += RD(dp->updater.st.failed[op]);
	}
	t->updates_bad = RD(dp->updater.st.bad);
	if (d_out != NULL)
		*d_out = d;
}
