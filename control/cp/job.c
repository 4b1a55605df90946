/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

#include <errno.h>
#include <inttypes.h>
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/digits.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "job.h"
#include "store.h"

#define JOB_META_NEXT "cp/job_next"
/* Fixed part: 6 x u8, 5 x u16, 4 x u64. */
#define JOB_FIXED (6 + 5 * 2 + 4 * 8)

static const char *const job_step_names[JITSIM_JOB_STEP_MAX] = {"none", "allocated", "done",
								"failed"};

const char *
jitsim_job_step_name(unsigned int step)
{
	return step < JITSIM_JOB_STEP_MAX ? job_step_names[step] : "invalid";
}

enum jitsim_job_step
jitsim_job_step_parse(const char *name)
{
	for (unsigned int i = 1; i < JITSIM_JOB_STEP_MAX; i++)
		if (strcmp(name, job_step_names[i]) == 0)
			return (enum jitsim_job_step)i;
	return JITSIM_JOB_NONE;
}

static void
put16(uint8_t *p, uint16_t v)
{
	p[0] = (uint8_t)(v >> 8);
	p[1] = (uint8_t)v;
}

static void
put64(uint8_t *p, uint64_t v)
{
	for (int i = 7; i >= 0; i--) {
		p[i] = (uint8_t)v;
		v >>= 8;
	}
}

static uint16_t
get16(const uint8_t *p)
{
	return (uint16_t)((unsigned int)p[0] << 8 | p[1]);
}

static uint64_t
get64(const uint8_t *p)
{
	uint64_t v = 0;

	for (int i = 0; i < 8; i++)
		v = v << 8 | p[i];
	return v;
}

void
jitsim_job_key(uint64_t id, uint8_t out[JITSIM_JOB_KEY_LEN])
{
	out[0] = 'j';
	put64(out + 1, id);
}

void
jitsim_job_imsi_key(uint64_t imsi, uint8_t out[JITSIM_JOB_KEY_LEN])
{
	out[0] = 'i';
	put64(out + 1, imsi);
}

static int
job_put_str(uint8_t *out, size_t cap, size_t *off, const char *s, size_t max)
{
	size_t n = strnlen(s, max + 1);

	if (n > max || cap - *off < 1 + n)
		return -EINVAL;
	out[(*off)++] = (uint8_t)n;
	memcpy(out + *off, s, n);
	*off += n;
	return 0;
}

int
jitsim_job_encode(const struct jitsim_job *j, uint8_t *out, size_t cap)
{
	size_t off = 0;

	if (cap < JOB_FIXED || j->step == JITSIM_JOB_NONE || j->step >= JITSIM_JOB_STEP_MAX ||
	    j->event >= JITSIM_EV_TYPE_MAX || j->prev_state >= JITSIM_SIM_STATE_MAX)
		return -EINVAL;
	out[off++] = JITSIM_JOB_VERSION;
	out[off++] = j->step;
	out[off++] = j->event;
	out[off++] = j->prev_state;
	out[off++] = j->flags;
	out[off++] = j->flow;
	put16(out + off, j->tenant);
	put16(out + off + 2, j->region);
	put16(out + off + 4, j->hlr_id);
	put16(out + off + 6, j->tariff);
	put16(out + off + 8, j->attempts);
	off += 10;
	put64(out + off, j->imsi);
	put64(out + off + 8, j->msisdn);
	put64(out + off + 16, j->created);
	put64(out + off + 24, j->updated);
	off += 32;
	if (job_put_str(out, cap, &off, j->hlr, JITSIM_JOB_NAME_MAX) != 0 ||
	    job_put_str(out, cap, &off, j->profile, JITSIM_JOB_NAME_MAX) != 0 ||
	    job_put_str(out, cap, &off, j->reason, JITSIM_JOB_REASON_MAX) != 0)
		return -EINVAL;
	return (int)off;
}

static int
job_get_str(const uint8_t *p, size_t len, size_t *off, char *dst, size_t max, uint64_t id,
	    const char *field, char *err, size_t errlen)
{
	size_t n;

	if (len - *off < 1) {
		snprintf(err, errlen, "job %" PRIu64 ": field %s: record ends at offset %zu", id,
			 field, *off);
		return -EBADMSG;
	}
	n = p[(*off)++];
	if (n > max || len - *off < n) {
		snprintf(err, errlen,
			 "job %" PRIu64
			 ": field %s: length %zu at offset %zu (at most %zu, %zu left)",
			 id, field, n, *off - 1, max, len - *off);
		return -EBADMSG;
	}
	memcpy(dst, p + *off, n);
	dst[n] = '\0';
	for (size_t i = 0; i < n; i++)
		if (dst[i] < 0x20 || dst[i] > 0x7e) {
			snprintf(err, errlen, "job %" PRIu64 ": field %s: byte %zu not printable",
				 id, field, i);
			return -EBADMSG;
		}
	*off += n;
	return 0;
}

int
jitsim_job_decode(uint64_t id, const uint8_t *p, size_t len, struct jitsim_job *j, char *err,
		  size_t errlen)
{
	size_t off = 0;
	int rc;

	memset(j, 0, sizeof(*j));
	j->id = id;
	if (len < 1) {
		snprintf(err, errlen, "job %" PRIu64 ": empty record", id);
		return -EBADMSG;
	}
	if (p[0] > JITSIM_JOB_VERSION) {
		snprintf(err, errlen, "job %" PRIu64 ": record version %u is newer than %u", id,
			 p[0], JITSIM_JOB_VERSION);
		return -ENOTSUP;
	}
	if (p[0] < 1 || len < JOB_FIXED) {
		snprintf(err, errlen, "job %" PRIu64 ": field version: %u, %zu bytes", id, p[0],
			 len);
		return -EBADMSG;
	}
	j->step = p[1];
	j->event = p[2];
	j->prev_state = p[3];
	j->flags = p[4];
	j->flow = p[5];
	off = 6;
	j->tenant = get16(p + off);
	j->region = get16(p + off + 2);
	j->hlr_id = get16(p + off + 4);
	j->tariff = get16(p + off + 6);
	j->attempts = get16(p + off + 8);
	off += 10;
	j->imsi = get64(p + off);
	j->msisdn = get64(p + off + 8);
	j->created = get64(p + off + 16);
	j->updated = get64(p + off + 24);
	off += 32;
	if (j->step == JITSIM_JOB_NONE || j->step >= JITSIM_JOB_STEP_MAX) {
		snprintf(err, errlen, "job %" PRIu64 ": field step: %u", id, j->step);
		return -EBADMSG;
	}
	if (p[0] == 1 && (j->flags & (JITSIM_JOB_F_SLEEP | JITSIM_JOB_F_RELEASE))) {
		snprintf(err, errlen, "job %" PRIu64 ": field flags: 0x%02x in a version 1 record",
			 id, j->flags);
		return -EBADMSG;
	}
	if (j->event >= JITSIM_EV_TYPE_MAX || j->prev_state >= JITSIM_SIM_STATE_MAX) {
		snprintf(err, errlen, "job %" PRIu64 ": field event/prev_state: %u/%u", id,
			 j->event, j->prev_state);
		return -EBADMSG;
	}
	rc = job_get_str(p, len, &off, j->hlr, JITSIM_JOB_NAME_MAX, id, "hlr", err, errlen);
	if (rc == 0)
		rc = job_get_str(p, len, &off, j->profile, JITSIM_JOB_NAME_MAX, id, "profile", err,
				 errlen);
	if (rc == 0)
		rc = job_get_str(p, len, &off, j->reason, JITSIM_JOB_REASON_MAX, id, "reason", err,
				 errlen);
	if (rc == 0 && off != len) {
		snprintf(err, errlen, "job %" PRIu64 ": %zu bytes after the last field", id,
			 len - off);
		rc = -EBADMSG;
	}
	return rc;
}

int
jitsim_job_put(struct jitsim_store_batch *b, const struct jitsim_job *j)
{
	uint8_t key[JITSIM_JOB_KEY_LEN], val[JITSIM_JOB_REC_MAX], id[8];
	int n = jitsim_job_encode(j, val, sizeof(val));

	if (n < 0)
		return n;
	jitsim_job_key(j->id, key);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), val, (size_t)n);
	jitsim_job_imsi_key(j->imsi, key);
	put64(id, j->id);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), id, sizeof(id));
	return 0;
}

int
jitsim_job_put_step(struct jitsim_store_batch *b, const struct jitsim_job *j)
{
	uint8_t key[JITSIM_JOB_KEY_LEN], val[JITSIM_JOB_REC_MAX];
	int n = jitsim_job_encode(j, val, sizeof(val));

	if (n < 0)
		return n;
	jitsim_job_key(j->id, key);
	jitsim_store_batch_put(b, JITSIM_CF_JOB, key, sizeof(key), val, (size_t)n);
	return 0;
}

void
jitsim_job_put_next(struct jitsim_store_batch *b, uint64_t next)
{
	uint8_t v[8];

	put64(v, next);
	jitsim_store_batch_put(b, JITSIM_CF_META, JOB_META_NEXT, strlen(JOB_META_NEXT), v,
			       sizeof(v));
}

int
jitsim_job_next_get(struct jitsim_store *s, uint64_t *next)
{
	uint8_t v[8];
	size_t len = 0;
	int rc = jitsim_store_get(s, JITSIM_CF_META, JOB_META_NEXT, strlen(JOB_META_NEXT), v,
				  sizeof(v), &len);

	if (rc == -ENOENT) {
		*next = 1;
		return 0;
	}
	if (rc != 0)
		return rc;
	if (len != sizeof(v))
		return -EBADMSG;
	*next = get64(v);
	return *next == 0 ? -EBADMSG : 0;
}

int
jitsim_job_get(struct jitsim_store *s, uint64_t id, struct jitsim_job *j, char *err, size_t errlen)
{
	uint8_t key[JITSIM_JOB_KEY_LEN], val[JITSIM_JOB_REC_MAX];
	size_t len = 0;
	int rc;

	jitsim_job_key(id, key);
	rc = jitsim_store_get(s, JITSIM_CF_JOB, key, sizeof(key), val, sizeof(val), &len);
	if (rc == -EIO)
		snprintf(err, errlen, "job %" PRIu64 ": store read error", id);
	if (rc != 0)
		return rc;
	if (len > sizeof(val)) {
		snprintf(err, errlen, "job %" PRIu64 ": %zu bytes, more than a job can hold", id,
			 len);
		return -EBADMSG;
	}
	return jitsim_job_decode(id, val, len, j, err, errlen);
}

int
jitsim_job_get_by_imsi(struct jitsim_store *s, uint64_t imsi, struct jitsim_job *j, char *err,
		       size_t errlen)
{
	uint8_t key[JITSIM_JOB_KEY_LEN], v[8];
	size_t len = 0;
	int rc;

	jitsim_job_imsi_key(imsi, key);
	rc = jitsim_store_get(s, JITSIM_CF_JOB, key, sizeof(key), v, sizeof(v), &len);
	if (rc != 0)
		return rc;
	if (len != sizeof(v)) {
		snprintf(err, errlen, "job index of IMSI key %" PRIx64 ": %zu bytes", imsi, len);
		return -EBADMSG;
	}
	return jitsim_job_get(s, get64(v), j, err, errlen);
}

int
jitsim_job_foreach(struct jitsim_store *s, int (*fn)(const struct jitsim_job *j, void *arg),
		   int (*bad)(uint64_t id, int rc, const char *msg, void *arg), void *arg,
		   char *err, size_t errlen)
{
	const uint8_t lo[1] = {'j'}, hi[1] = {'j' + 1};
	struct jitsim_store_iter *it = jitsim_store_iter_new_range(s, JITSIM_CF_JOB, lo, 1, hi, 1);
	const uint8_t *k, *v;
	size_t kl, vl;
	struct jitsim_job j;
	int rc;

	if (it == NULL) {
		snprintf(err, errlen, "job journal: cannot iterate");
		return -ENOMEM;
	}
	while ((rc = jitsim_store_iter_next(it, &k, &kl, &v, &vl)) == 1) {
		if (kl != JITSIM_JOB_KEY_LEN) {
			snprintf(err, errlen, "job journal: key of %zu bytes", kl);
			rc = -EBADMSG;
		} else {
			rc = jitsim_job_decode(get64(k + 1), v, vl, &j, err, errlen);
		}
		if (rc != 0) {
			if (bad == NULL)
				break;
			rc = bad(kl == JITSIM_JOB_KEY_LEN ? get64(k + 1) : 0, rc, err, arg);
			if (rc != 0)
				break;
			continue;
		}
		rc = fn(&j, arg);
		if (rc != 0)
			break;
	}
	if (rc == -EIO)
		snprintf(err, errlen, "job journal: read error");
	jitsim_store_iter_free(it);
	return rc;
}

int
jitsim_job_dump(const struct jitsim_job *j, char *buf, size_t size)
{
	char imsi[JITSIM_DIGITS_MAX + 1] = "", msisdn[JITSIM_DIGITS_MAX + 1] = "-";

	jitsim_digits_key_format(j->imsi, imsi, sizeof(imsi));
	if (j->msisdn != 0)
		jitsim_digits_key_format(j->msisdn, msisdn, sizeof(msisdn));
	return snprintf(buf, size,
			"job %" PRIu64 " %s imsi=%s msisdn=%s event=%s tenant=%u region=%u "
			"hlr=%s tariff=%u attempts=%u%s%s%s",
			j->id, jitsim_job_step_name(j->step), imsi, msisdn,
			jitsim_event_type_name(j->event), j->tenant, j->region, j->hlr, j->tariff,
			j->attempts, (j->flags & JITSIM_JOB_F_SLEEP) ? " kind=sleep" : "",
			j->reason[0] ? " reason=" : "", j->reason);
}
