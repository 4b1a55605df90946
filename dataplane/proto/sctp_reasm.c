/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/sctp_reasm.h>

void
jitsim_sctp_reasm_init(struct jitsim_sctp_reasm *r)
{
	r->clock = 0;
	r->completed = 0;
	r->evicted = 0;
	r->out_of_order = 0;
	for (unsigned int i = 0; i < JITSIM_SCTP_REASM_SLOTS; i++)
		r->slot[i].used = false;
}

static bool
slot_matches(const struct jitsim_sctp_reasm_slot *sl, const struct jitsim_sctp *s,
	     const struct jitsim_sctp_data *d)
{
	/* RFC 9260 6.9: unordered fragments carry no meaningful SSN, so the
	 * TSN sequence alone ties them together. */
	return sl->used && sl->vtag == s->vtag && sl->sport == s->sport && sl->dport == s->dport &&
	       sl->stream == d->stream && ((d->flags & JITSIM_SCTP_DATA_U) || sl->ssn == d->ssn);
}

static struct jitsim_sctp_reasm_slot *
slot_find(struct jitsim_sctp_reasm *r, const struct jitsim_sctp *s,
	  const struct jitsim_sctp_data *d)
{
	for (unsigned int i = 0; i < JITSIM_SCTP_REASM_SLOTS; i++)
		if (slot_matches(&r->slot[i], s, d) && r->slot[i].next_tsn == d->tsn)
			return &r->slot[i];
	return NULL;
}

static struct jitsim_sctp_reasm_slot *
slot_alloc(struct jitsim_sctp_reasm *r)
{
	struct jitsim_sctp_reasm_slot *oldest = &r->slot[0];

	for (unsigned int i = 0; i < JITSIM_SCTP_REASM_SLOTS; i++) {
		if (!r->slot[i].used)
			return &r->slot[i];
		if (r->slot[i].age < oldest->age)
			oldest = &r->slot[i];
	}
	r->evicted++;
	return oldest;
}

enum jitsim_reason
jitsim_sctp_reasm_add(struct jitsim_sctp_reasm *r, const struct jitsim_sctp *s,
		      const struct jitsim_sctp_data *d, const uint8_t **data, size_t *len)
{
	struct jitsim_sctp_reasm_slot *sl;

	if (!d->fragment)
		return JITSIM_R_BAD_PARAM;
	if (d->flags & JITSIM_SCTP_DATA_B) {
		sl = slot_alloc(r);
		sl->used = true;
		sl->vtag = s->vtag;
		sl->sport = s->sport;
		sl->dport = s->dport;
		sl->stream = d->stream;
		sl->ssn = d->ssn;
		sl->age = r->clock++;
		sl->len = 0;
	} else {
		sl = slot_find(r, s, d);
		if (sl == NULL) {
			/* Middle or last fragment without its start (lost, or
			 * captured before the mirror started). */
			r->out_of_order++;
			return JITSIM_R_SCTP_FRAGMENT;
		}
	}
	if (d->payload_len > JITSIM_SCTP_REASM_MAX - sl->len) {
		sl->used = false;
		return JITSIM_R_BAD_LENGTH;
	}
	memcpy(sl->data + sl->len, d->payload, d->payload_len);
	sl->len += d->payload_len;
	sl->next_tsn = d->tsn + 1; /* serial arithmetic: wraps like the TSN */
	if (!(d->flags & JITSIM_SCTP_DATA_E))
		return JITSIM_R_SCTP_FRAGMENT;
	sl->used = false; /* data stays readable until the slot is reused */
	r->completed++;
	*data = sl->data;
	*len = sl->len;
	return JITSIM_R_OK;
}
