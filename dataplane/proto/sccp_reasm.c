/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdbool.h>
#include <string.h>

#include <jitsim/proto/sccp_reasm.h>

void
jitsim_sccp_reasm_init(struct jitsim_sccp_reasm *r)
{
	r->clock = 0;
	r->completed = 0;
	r->evicted = 0;
	r->out_of_order = 0;
	for (unsigned int i = 0; i < JITSIM_SCCP_REASM_SLOTS; i++)
		r->slot[i].used = false;
}

/*
 * Q.714 4.1.1.2.3: segments of one message are recognised by the calling
 * party address and the segmentation local reference. The calling address
 * is reduced to the parts that identify the sender (PC, SSN, GT digits).
 */
static uint8_t
calling_key(const struct jitsim_sccp_addr *a, uint8_t key[40])
{
	uint8_t n = 0;

	key[n++] = (uint8_t)(a->has_pc | a->has_ssn << 1);
	key[n++] = (uint8_t)(a->pc >> 8);
	key[n++] = (uint8_t)a->pc;
	key[n++] = a->ssn;
	key[n++] = a->digits.n;
	for (uint8_t i = 0; i < a->digits.n && n < 40; i++)
		key[n++] = (uint8_t)a->digits.d[i];
	return n;
}

static struct jitsim_sccp_reasm_slot *
slot_find(struct jitsim_sccp_reasm *r, uint32_t opc, uint32_t slr, const uint8_t *key,
	  uint8_t key_len)
{
	for (unsigned int i = 0; i < JITSIM_SCCP_REASM_SLOTS; i++) {
		struct jitsim_sccp_reasm_slot *s = &r->slot[i];

		if (s->used && s->opc == opc && s->slr == slr && s->calling_key_len == key_len &&
		    memcmp(s->calling_key, key, key_len) == 0)
			return s;
	}
	return NULL;
}

static struct jitsim_sccp_reasm_slot *
slot_alloc(struct jitsim_sccp_reasm *r)
{
	struct jitsim_sccp_reasm_slot *oldest = &r->slot[0];

	for (unsigned int i = 0; i < JITSIM_SCCP_REASM_SLOTS; i++) {
		struct jitsim_sccp_reasm_slot *s = &r->slot[i];

		if (!s->used)
			return s;
		if (s->age < oldest->age)
			oldest = s;
	}
	r->evicted++;
	return oldest;
}

enum jitsim_reason
jitsim_sccp_reasm_add(struct jitsim_sccp_reasm *r, uint32_t opc, const struct jitsim_sccp *s,
		      const uint8_t **data, size_t *len)
{
	struct jitsim_sccp_reasm_slot *slot;
	uint8_t key[40];
	uint8_t key_len;

	if (!s->has_segmentation)
		return JITSIM_R_BAD_PARAM;
	key_len = calling_key(&s->calling, key);
	slot = slot_find(r, opc, s->seg_local_ref, key, key_len);

	if (s->seg_first) {
		if (slot == NULL)
			slot = slot_alloc(r);
		else
			r->out_of_order++; /* a new first segment restarts the message */
		slot->used = true;
		slot->opc = opc;
		slot->slr = s->seg_local_ref;
		memcpy(slot->calling_key, key, key_len);
		slot->calling_key_len = key_len;
		slot->age = r->clock++;
		slot->len = 0;
	} else if (slot == NULL || slot->expect_remaining != s->seg_remaining) {
		/* A middle segment without its start, or one missing in between. */
		if (slot != NULL)
			slot->used = false;
		r->out_of_order++;
		return JITSIM_R_SCCP_SEGMENTED;
	}

	if (s->data_len > JITSIM_SCCP_REASM_MAX - slot->len) {
		slot->used = false;
		return JITSIM_R_BAD_LENGTH;
	}
	memcpy(slot->data + slot->len, s->data, s->data_len);
	slot->len += s->data_len;

	if (s->seg_remaining != 0) {
		slot->expect_remaining = (uint8_t)(s->seg_remaining - 1);
		return JITSIM_R_SCCP_SEGMENTED;
	}
	slot->used = false; /* data stays readable until the slot is reused */
	r->completed++;
	*data = slot->data;
	*len = slot->len;
	return JITSIM_R_OK;
}
