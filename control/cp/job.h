/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * The activation journal: the `job` column family of the store
 * (docs/workflow.md).
 *
 * Keys:
 *   "j" + job id (BE64)  -> job record (below)
 *   "i" + IMSI key (BE64) -> job id (BE64) of the IMSI's latest job
 * and in `meta`: "cp/job_next" -> BE64 next job id, written in the batch
 * of every new job, so an id is never given twice, even after kill -9.
 *
 * Record, version 2 (big-endian; version 1 has the same layout and is
 * still decoded: version 2 only adds the flag JITSIM_JOB_F_SLEEP, so that
 * a jitsim-cp that does not know sleep jobs refuses the journal instead
 * of provisioning a SIM it was meant to deprovision):
 *   u8 version, u8 step, u8 event type, u8 prev_state, u8 flags, u8 flow,
 *   u16 tenant, u16 region, u16 hlr id, u16 tariff, u16 attempts,
 *   u64 imsi, u64 msisdn, u64 created, u64 updated (Unix seconds),
 *   u8 len + hlr name, u8 len + profile name, u8 len + reason text
 * A decoder refuses a newer version (-ENOTSUP) and a damaged record
 * (-EBADMSG, @err naming the job and the field).
 *
 * Thread-safety: encoding and decoding are pure; the store calls are
 * as thread-safe as the store (store.h).
 */

#ifndef JITSIM_CP_JOB_H
#define JITSIM_CP_JOB_H

#include <stdbool.h>
#include <stddef.h>
#include <stdint.h>

struct jitsim_store;
struct jitsim_store_batch;

#define JITSIM_JOB_VERSION 2
#define JITSIM_JOB_NAME_MAX 32
#define JITSIM_JOB_REASON_MAX 96
#define JITSIM_JOB_KEY_LEN 9
#define JITSIM_JOB_REC_MAX (64 + 3 * 1 + 2 * JITSIM_JOB_NAME_MAX + JITSIM_JOB_REASON_MAX)

enum jitsim_job_step {
	JITSIM_JOB_NONE = 0,
	JITSIM_JOB_ALLOCATED = 1, /* number taken, SIM ACTIVATING, provisioning not confirmed */
	JITSIM_JOB_DONE = 2,	  /* SIM ACTIVE */
	JITSIM_JOB_FAILED = 3,	  /* SIM back in its previous state, number released */
	JITSIM_JOB_STEP_MAX
};

/* The job took its MSISDN from a pool (and gives it back on failure). */
#define JITSIM_JOB_F_ALLOCATED 0x01u
/* A sleep job (sleep.h): ALLOCATED = deprovisioning ordered, SIM still
 * ACTIVE; DONE = SIM SLEEPING; FAILED = SIM left ACTIVE. */
#define JITSIM_JOB_F_SLEEP 0x02u
/* Sleep job: the MSISDN goes to quarantine when the SIM falls asleep
 * (decided when the job starts, so a restart does what was journaled). */
#define JITSIM_JOB_F_RELEASE 0x04u

struct jitsim_job {
	uint64_t id;
	uint8_t step;
	uint8_t event;	    /* enum jitsim_event_type that started it */
	uint8_t prev_state; /* SIM state before the job */
	uint8_t flags;	    /* JITSIM_JOB_F_* */
	uint8_t flow;	    /* enum jitsim_rules_flow */
	uint16_t tenant;
	uint16_t region;
	uint16_t hlr_id;
	uint16_t tariff;
	uint16_t attempts; /* provisioning attempts that failed */
	uint64_t imsi;	   /* compact key */
	uint64_t msisdn;   /* compact key, 0 none */
	uint64_t created;
	uint64_t updated;
	char hlr[JITSIM_JOB_NAME_MAX + 1];
	char profile[JITSIM_JOB_NAME_MAX + 1];
	char reason[JITSIM_JOB_REASON_MAX + 1]; /* why it failed, "" otherwise */
};

/* "allocated", "done", "failed"; "invalid" out of range. */
const char *jitsim_job_step_name(unsigned int step);
/* Inverse; JITSIM_JOB_NONE when unknown. */
enum jitsim_job_step jitsim_job_step_parse(const char *name);

/* Length of the encoding into @out, or -EINVAL (field out of range). */
int jitsim_job_encode(const struct jitsim_job *j, uint8_t *out, size_t cap);
/* 0, -EBADMSG (@err: job id and field), -ENOTSUP (newer version). */
int jitsim_job_decode(uint64_t id, const uint8_t *p, size_t len, struct jitsim_job *j, char *err,
		      size_t errlen);

void jitsim_job_key(uint64_t id, uint8_t out[JITSIM_JOB_KEY_LEN]);
void jitsim_job_imsi_key(uint64_t imsi, uint8_t out[JITSIM_JOB_KEY_LEN]);

/* Put the job and its IMSI index entry into @b. -EINVAL (encoding). */
int jitsim_job_put(struct jitsim_store_batch *b, const struct jitsim_job *j);
/* Put only the job record: for a later step of a job whose IMSI index
 * entry jitsim_job_put() already wrote (one memtable insert less per
 * step). -EINVAL (encoding). */
int jitsim_job_put_step(struct jitsim_store_batch *b, const struct jitsim_job *j);
/* Put meta "cp/job_next" = @next into @b. */
void jitsim_job_put_next(struct jitsim_store_batch *b, uint64_t next);
/* The next free job id (1 for a new store). 0 or -EIO/-EBADMSG. */
int jitsim_job_next_get(struct jitsim_store *s, uint64_t *next);

/* Read job @id. 0, -ENOENT, -EBADMSG, -ENOTSUP, -EIO. */
int jitsim_job_get(struct jitsim_store *s, uint64_t id, struct jitsim_job *j, char *err,
		   size_t errlen);
/* The latest job of @imsi. 0, -ENOENT, or as jitsim_job_get(). */
int jitsim_job_get_by_imsi(struct jitsim_store *s, uint64_t imsi, struct jitsim_job *j, char *err,
			   size_t errlen);

/* Call @fn for every job in id order (stops at a nonzero return, which
 * is returned). A job that does not decode (-EBADMSG, -ENOTSUP; a key of
 * the wrong size: id 0, -EBADMSG): @bad is called with the error and its
 * message, and the walk goes on if it returns 0; without @bad the walk
 * stops with that error and the message in @err. */
int jitsim_job_foreach(struct jitsim_store *s, int (*fn)(const struct jitsim_job *j, void *arg),
		       int (*bad)(uint64_t id, int rc, const char *msg, void *arg), void *arg,
		       char *err, size_t errlen);

/* One line, for logs and the CLI. */
int jitsim_job_dump(const struct jitsim_job *j, char *buf, size_t size);

#endif /* JITSIM_CP_JOB_H */
