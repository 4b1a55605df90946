/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * control/auth on a real RocksDB store in a temporary directory: vectors
 * checked against MILENAGE directly (as a USIM would check AUTN), SQN
 * strictly increasing and never reused across close/reopen and across a
 * kill -9, re-synchronisation with an AUTS built by a simulated USIM,
 * wrong MAC-S refused, GSM triplets = c2/c3 of the quintuplet, KASME, and
 * the error cases.
 */

#include <errno.h>
#include <pthread.h>
#include <setjmp.h>
#include <signal.h>
#include <stdarg.h>
#include <stddef.h>
#include <stdint.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/wait.h>
#include <unistd.h>

#include <cmocka.h>

#include <jitsim/proto/digits.h>
#include <jitsim/sim.h>

#include "auth.h"
#include "milenage.h"
#include "rmtree.h"
#include "store.h"

/* TS 35.208 test set 1 keys: any fixed pair does, a known one eases
 * debugging with osmo-auc-gen. */
static const uint8_t KI[16] = {0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f,
			       0xaa, 0x5f, 0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc};
static const uint8_t OPC[16] = {0xcd, 0x63, 0xcb, 0x71, 0x95, 0x4a, 0x9f, 0x4e,
				0x48, 0xa5, 0x99, 0x4e, 0x37, 0xa0, 0x2b, 0xaf};
static const char *const IMSI_A = "001010000000001";
static const char *const IMSI_B = "001010000000002";
static const char *const IMSI_C = "001010000000003";

struct env {
	char dir[64];
	char db[128];
	char kek[128];
	struct jitsim_store *s;
	struct jitsim_milenage *m;
};

static struct jitsim_store *
open_store(const struct env *e, bool create)
{
	struct jitsim_store_opts o = {.path = e->db, .kek_path = e->kek, .create = create};
	struct jitsim_store *s = NULL;
	char err[256];
	int rc = jitsim_store_open(&o, &s, err, sizeof(err));

	if (rc != 0)
		fail_msg("open: %d %s", rc, err);
	return s;
}

/* A SIM with the keys of @mask (Ki = KI with its last byte = @tweak). */
static void
put_sim(struct jitsim_store *s, const char *imsi, uint8_t mask, uint8_t tweak)
{
	struct jitsim_rec_secrets sec = {.mask = mask};
	struct jitsim_store_batch *b = jitsim_store_batch_new(s);
	struct jitsim_rec r;
	char err[256];

	memset(&r, 0, sizeof(r));
	r.imsi = jitsim_digits_key_str(imsi);
	r.state = JITSIM_SIM_INVENTORY;
	r.tenant = 1;
	r.created = r.updated = 1790000000;
	memcpy(sec.ki, KI, 16);
	sec.ki[15] ^= tweak;
	memcpy(sec.opc, OPC, 16);
	if (mask != 0)
		assert_int_equal(jitsim_rec_seal(&r, jitsim_store_kek(s), &sec), 0);
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
}

static int
setup(void **state)
{
	struct env *e = calloc(1, sizeof(*e));
	char err[256];

	snprintf(e->dir, sizeof(e->dir), "/tmp/jitsim-authsqn.XXXXXX");
	if (mkdtemp(e->dir) == NULL)
		return -1;
	snprintf(e->db, sizeof(e->db), "%s/db", e->dir);
	snprintf(e->kek, sizeof(e->kek), "%s/kek", e->dir);
	if (jitsim_kek_create(e->kek, err, sizeof(err)) != 0)
		return -1;
	e->s = open_store(e, true);
	put_sim(e->s, IMSI_A, JITSIM_REC_S_KI | JITSIM_REC_S_OPC, 0);
	put_sim(e->s, IMSI_B, JITSIM_REC_S_KI | JITSIM_REC_S_OPC, 1);
	put_sim(e->s, IMSI_C, JITSIM_REC_S_KI | JITSIM_REC_S_OPC, 2);
	e->m = jitsim_milenage_new();
	if (e->m == NULL)
		return -1;
	*state = e;
	return 0;
}

static int
teardown(void **state)
{
	struct env *e = *state;

	jitsim_milenage_free(e->m);
	jitsim_store_close(e->s);
	jitsim_test_rmtree(e->dir);
	free(e);
	return 0;
}

static struct jitsim_auth *
auth_new(struct jitsim_store *s, unsigned int block, unsigned int cache, uint16_t amf)
{
	struct jitsim_auth_opts o = {.amf = amf, .block = block, .cache = cache};
	char err[256];
	struct jitsim_auth *a = jitsim_auth_new(s, &o, err, sizeof(err));

	if (a == NULL)
		fail_msg("auth_new: %s", err);
	return a;
}

static void
get_vectors(struct jitsim_auth *a, const char *imsi, enum jitsim_auth_kind kind, unsigned int n,
	    struct jitsim_auth_vec *v)
{
	struct jitsim_auth_req rq = {.kind = kind, .n = n};
	char err[256];
	int rc = jitsim_auth_vectors(a, jitsim_digits_key_str(imsi), &rq, v, err, sizeof(err));

	if (rc != (int)n)
		fail_msg("vectors %s: %d %s", imsi, rc, err);
}

/* What a USIM does with RAND and AUTN (TS 33.102 6.3.3): AK from f5,
 * SQN = (SQN xor AK) xor AK, XMAC with f1 over the AMF of AUTN, compared
 * with MAC-A. Returns SQN; checks RES/CK/IK against @v when @quint. */
static uint64_t
usim_check(struct jitsim_milenage *m, const uint8_t ki[16], const struct jitsim_auth_vec *v,
	   bool quint, uint16_t amf_want)
{
	uint8_t res[8], ck[16], ik[16], ak[6], sqn[6], xmac[8];
	struct jitsim_milenage_vector mv;

	assert_int_equal(jitsim_milenage_f2345(m, ki, OPC, v->rand, res, ck, ik, ak, NULL), 0);
	for (int i = 0; i < 6; i++)
		sqn[i] = v->autn[i] ^ ak[i];
	assert_int_equal(v->autn[6] << 8 | v->autn[7], amf_want);
	assert_int_equal(jitsim_milenage_f1(m, ki, OPC, v->rand, sqn, v->autn + 6, xmac, NULL), 0);
	assert_memory_equal(xmac, v->autn + 8, 8);
	assert_memory_equal(res, v->xres, 8);
	if (quint) {
		assert_memory_equal(ck, v->ck, 16);
		assert_memory_equal(ik, v->ik, 16);
	}
	/* The whole vector once more through the library's one-call path. */
	assert_int_equal(jitsim_milenage_vector(m, ki, OPC, v->rand, sqn, v->autn + 6, &mv), 0);
	assert_memory_equal(mv.autn, v->autn, 16);
	assert_int_equal(jitsim_auth_sqn_parse(sqn), v->sqn);
	return v->sqn;
}

static void
assert_zero(const uint8_t *p, size_t n)
{
	for (size_t i = 0; i < n; i++)
		assert_int_equal(p[i], 0);
}

static void
test_umts(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 0, 0, 0);
	struct jitsim_auth_vec v[JITSIM_AUTH_VEC_MAX];
	uint64_t prev = 0;

	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 5, v);
	for (int i = 0; i < 5; i++) {
		uint64_t sqn = usim_check(e->m, KI, &v[i], true, 0x0000);
		uint64_t seq = sqn >> JITSIM_AUTH_IND_BITS;

		/* A fresh SIM starts at SEQ 1; IND = SEQ mod 32 cycles. */
		assert_int_equal(seq, (uint64_t)i + 1);
		assert_int_equal(sqn & 31, seq & 31);
		assert_true(sqn > prev);
		prev = sqn;
		assert_zero(v[i].kasme, sizeof(v[i].kasme));
		assert_zero(v[i].sres, sizeof(v[i].sres));
		assert_zero(v[i].kc, sizeof(v[i].kc));
	}
	/* Two vectors never share a RAND. */
	assert_memory_not_equal(v[0].rand, v[1].rand, 16);
	/* The operator's AMF bits pass; the separation bit is cleared for
	 * UMTS and set for EPS whatever the option says. */
	jitsim_auth_free(a);
	a = auth_new(e->s, 0, 0, 0x8123);
	get_vectors(a, IMSI_B, JITSIM_AUTH_UMTS, 1, v);
	usim_check(e->m,
		   (const uint8_t[16]){0x46, 0x5b, 0x5c, 0xe8, 0xb1, 0x99, 0xb4, 0x9f, 0xaa, 0x5f,
				       0x0a, 0x2e, 0xe2, 0x38, 0xa6, 0xbc ^ 1},
		   &v[0], true, 0x0123);
	jitsim_auth_vec_wipe(v, 5);
	assert_zero((const uint8_t *)v, sizeof(v));
	jitsim_auth_free(a);
}

static void
test_eps(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 0, 0, 0x0042);
	struct jitsim_auth_vec v[3];
	struct jitsim_auth_req rq = {.kind = JITSIM_AUTH_EPS, .n = 3};
	uint8_t res[8], ck[16], ik[16], ak[6], kasme[32];
	char err[256];

	assert_int_equal(jitsim_milenage_plmn_encode("262", "01", rq.plmn), 0);
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err, sizeof(err)), 3);
	for (int i = 0; i < 3; i++) {
		usim_check(e->m, KI, &v[i], false, 0x8042);
		/* TS 33.401 A.2: KASME from CK, IK, the PLMN and SQN xor AK. */
		assert_int_equal(
			jitsim_milenage_f2345(e->m, KI, OPC, v[i].rand, res, ck, ik, ak, NULL), 0);
		assert_int_equal(jitsim_kasme(ck, ik, rq.plmn, v[i].autn, kasme), 0);
		assert_memory_equal(kasme, v[i].kasme, 32);
		/* CK and IK stay in the HSS: an EPS vector does not carry them. */
		assert_zero(v[i].ck, 16);
		assert_zero(v[i].ik, 16);
	}
	/* Another serving network gives another KASME. */
	rq.plmn[0] ^= 0x10;
	rq.n = 1;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err, sizeof(err)), 1);
	assert_int_equal(jitsim_milenage_f2345(e->m, KI, OPC, v[0].rand, res, ck, ik, ak, NULL), 0);
	assert_int_equal(jitsim_kasme(ck, ik, rq.plmn, v[0].autn, kasme), 0);
	assert_memory_equal(kasme, v[0].kasme, 32);
	rq.plmn[0] ^= 0x10;
	assert_int_equal(jitsim_kasme(ck, ik, rq.plmn, v[0].autn, kasme), 0);
	assert_memory_not_equal(kasme, v[0].kasme, 32);
	jitsim_auth_free(a);
}

static void
test_gsm(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 0, 0, 0);
	struct jitsim_auth_vec v[4];
	struct jitsim_milenage_vector mv;
	uint64_t seq0, seq1;
	uint8_t sqn[6] = {0}, amf[2] = {0}, sres[4], kc[8];
	char err[256];

	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
	assert_int_equal(
		jitsim_auth_seq_next(a, jitsim_digits_key_str(IMSI_A), &seq0, err, sizeof(err)), 0);
	get_vectors(a, IMSI_A, JITSIM_AUTH_GSM, 4, v);
	for (int i = 0; i < 4; i++) {
		/* c2/c3 (TS 33.102 6.8.1.2) of the quintuplet of the same RAND. */
		assert_int_equal(jitsim_milenage_vector(e->m, KI, OPC, v[i].rand, sqn, amf, &mv),
				 0);
		jitsim_milenage_gsm(&mv, sres, kc);
		assert_memory_equal(sres, v[i].sres, 4);
		assert_memory_equal(kc, v[i].kc, 8);
		/* c2 by hand: SRES = RES[0..3] xor RES[4..7]. */
		for (int j = 0; j < 4; j++)
			assert_int_equal(v[i].sres[j], mv.res[j] ^ mv.res[j + 4]);
		assert_int_equal(v[i].sqn, 0);
		assert_zero(v[i].autn, 16);
		assert_zero(v[i].ck, 16);
		assert_zero(v[i].xres, 8);
	}
	/* Triplets use no SQN. */
	assert_int_equal(
		jitsim_auth_seq_next(a, jitsim_digits_key_str(IMSI_A), &seq1, err, sizeof(err)), 0);
	assert_int_equal(seq0, seq1);
	jitsim_auth_free(a);
}

/* Many calls on three SIMs, with a one-slot cache (every switch of SIM
 * evicts) and without: SQN strictly increasing per SIM; one commit per
 * block when the SIM stays cached. */
static void
test_increasing(void **state)
{
	struct env *e = *state;
	const char *imsis[3] = {IMSI_A, IMSI_B, IMSI_C};
	struct jitsim_auth_vec v[JITSIM_AUTH_VEC_MAX];
	struct jitsim_auth_stats st;
	uint64_t last[3] = {0, 0, 0};
	struct jitsim_auth *a = auth_new(e->s, 8, 1, 0);

	srand(7);
	for (int i = 0; i < 600; i++) {
		int k = rand() % 3;
		unsigned int n = 1 + (unsigned int)(rand() % JITSIM_AUTH_VEC_MAX);

		get_vectors(a, imsis[k], (i & 1) ? JITSIM_AUTH_UMTS : JITSIM_AUTH_EPS, n, v);
		for (unsigned int j = 0; j < n; j++) {
			assert_true(v[j].sqn > last[k]);
			last[k] = v[j].sqn;
		}
	}
	jitsim_auth_stats_get(a, &st);
	assert_int_equal(st.calls, 600);
	assert_true(st.evictions > 100);
	jitsim_auth_free(a);

	/* Cached: 200 single vectors with blocks of 32 = 7 commits (the
	 * first block starts where the evicting run left the SIM). */
	a = auth_new(e->s, 32, 0, 0);
	for (int i = 0; i < 200; i++) {
		get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
		assert_true(v[0].sqn > last[0]);
		if (i > 0)
			assert_int_equal(v[0].sqn >> 5, (last[0] >> 5) + 1);
		last[0] = v[0].sqn;
	}
	jitsim_auth_stats_get(a, &st);
	assert_int_equal(st.commits, 7);
	assert_int_equal(st.vectors, 200);
	assert_int_equal(st.evictions, 0);
	jitsim_auth_free(a);
}

/* Orderly close and reopen of the store: the next SQN is past every SQN
 * handed out, the unused rest of the block skipped. */
static void
test_reopen(void **state)
{
	struct env *e = *state;
	struct jitsim_auth_vec v[2];
	struct jitsim_auth *a = auth_new(e->s, 32, 0, 0);
	uint64_t last;

	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 2, v);
	last = v[1].sqn;
	jitsim_auth_free(a);
	jitsim_store_close(e->s);
	e->s = open_store(e, false);
	a = auth_new(e->s, 32, 0, 0);
	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
	assert_true(v[0].sqn > last);
	/* SEQ 1, 2 used; 3..32 skipped with the block; 33 next. */
	assert_int_equal(v[0].sqn >> 5, 33);
	jitsim_auth_free(a);
}

/*
 * The crash child (this program run again with --crash-child, so that
 * RocksDB starts from a clean process rather than a fork of one with its
 * threads): it opens the store, hands out @calls x 3 vectors, writes
 * their SQNs to stdout and kills itself with SIGKILL: no close, nothing
 * durable but what the commits made so.
 */
static int
crash_child(const char *dir, int calls)
{
	struct env e;
	struct jitsim_store_opts o = {.path = e.db, .kek_path = e.kek};
	struct jitsim_auth_req rq = {.kind = JITSIM_AUTH_UMTS, .n = 3};
	struct jitsim_auth_opts ao = {.block = 16};
	struct jitsim_auth_vec v[3];
	struct jitsim_store *s = NULL;
	struct jitsim_auth *a;
	char err[256];

	snprintf(e.db, sizeof(e.db), "%s/db", dir);
	snprintf(e.kek, sizeof(e.kek), "%s/kek", dir);
	if (jitsim_store_open(&o, &s, err, sizeof(err)) != 0)
		return 2;
	a = jitsim_auth_new(s, &ao, err, sizeof(err));
	if (a == NULL)
		return 2;
	for (int i = 0; i < calls; i++) {
		if (jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err,
					sizeof(err)) != 3)
			return 3;
		if (write(STDOUT_FILENO, &v[0].sqn, sizeof(v[0].sqn)) !=
			    (ssize_t)sizeof(v[0].sqn) ||
		    write(STDOUT_FILENO, &v[1].sqn, sizeof(v[1].sqn)) !=
			    (ssize_t)sizeof(v[1].sqn) ||
		    write(STDOUT_FILENO, &v[2].sqn, sizeof(v[2].sqn)) != (ssize_t)sizeof(v[2].sqn))
			return 4;
	}
	kill(getpid(), SIGKILL);
	return 5;
}

/* Each round the parent checks that the next child's SQNs are all above
 * every SQN seen so far; 3 + 4 * round calls of 3 vectors with blocks of
 * 16 put a block boundary in some rounds and not in others. */
static void
test_crash(void **state)
{
	struct env *e = *state;
	uint64_t max_seen = 0;

	jitsim_store_close(e->s);
	e->s = NULL;
	for (int round = 0; round < 4; round++) {
		uint64_t sqn, round_min = UINT64_MAX, prev = 0, count = 0;
		int fd[2], status, calls = 3 + round * 4;
		char arg[16];
		pid_t pid;

		assert_int_equal(pipe(fd), 0);
		snprintf(arg, sizeof(arg), "%d", calls);
		pid = fork();
		assert_true(pid >= 0);
		if (pid == 0) {
			dup2(fd[1], STDOUT_FILENO);
			close(fd[0]);
			close(fd[1]);
			execl("/proc/self/exe", "test_authsqn", "--crash-child", e->dir, arg,
			      (char *)NULL);
			_exit(127);
		}
		close(fd[1]);
		while (read(fd[0], &sqn, sizeof(sqn)) == (ssize_t)sizeof(sqn)) {
			if (sqn <= prev)
				break;
			prev = sqn;
			if (sqn < round_min)
				round_min = sqn;
			count++;
		}
		close(fd[0]);
		assert_int_equal(waitpid(pid, &status, 0), pid);
		if (!WIFSIGNALED(status) || WTERMSIG(status) != SIGKILL)
			fail_msg("crash child: status 0x%x", status);
		assert_int_equal(count, (uint64_t)calls * 3);
		assert_true(round_min > max_seen);
		max_seen = prev;
	}
	e->s = open_store(e, false);
}

/* A USIM's AUTS (TS 33.102 6.3.3): (SQN_MS xor AK*) || MAC-S with
 * AK* = f5*(RAND), MAC-S = f1*(SQN_MS, RAND, AMF 0). */
static void
usim_auts(struct jitsim_milenage *m, const uint8_t ki[16], const uint8_t rand[16], uint64_t sqn_ms,
	  uint8_t auts[14])
{
	static const uint8_t amf0[2] = {0, 0};
	uint8_t sqn[6], ak_star[6];

	jitsim_auth_sqn_bytes(sqn_ms, sqn);
	assert_int_equal(jitsim_milenage_f2345(m, ki, OPC, rand, NULL, NULL, NULL, NULL, ak_star),
			 0);
	for (int i = 0; i < 6; i++)
		auts[i] = sqn[i] ^ ak_star[i];
	assert_int_equal(jitsim_milenage_f1(m, ki, OPC, rand, sqn, amf0, NULL, auts + 6), 0);
}

static void
test_resync(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 32, 0, 0);
	struct jitsim_auth_resync rs;
	struct jitsim_auth_req rq = {.kind = JITSIM_AUTH_UMTS, .n = 2, .resync = &rs};
	struct jitsim_auth_vec v[2];
	struct jitsim_auth_stats st;
	uint64_t imsi = jitsim_digits_key_str(IMSI_A), seq;
	char err[256];

	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
	/* The USIM has seen SEQ 5000 (IND 7) from another AuC: it rejects
	 * our vector and answers with AUTS over that vector's RAND. */
	memcpy(rs.rand, v[0].rand, 16);
	usim_auts(e->m, KI, rs.rand, (UINT64_C(5000) << 5) | 7, rs.auts);
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), 2);
	assert_int_equal(v[0].sqn >> 5, 5001);
	assert_int_equal(v[1].sqn >> 5, 5002);
	usim_check(e->m, KI, &v[0], true, 0);
	jitsim_auth_stats_get(a, &st);
	assert_int_equal(st.resyncs, 1);

	/* Durable: after a reopen the SEQ stays past 5002. */
	jitsim_auth_free(a);
	jitsim_store_close(e->s);
	e->s = open_store(e, false);
	a = auth_new(e->s, 32, 0, 0);
	assert_int_equal(jitsim_auth_seq_next(a, imsi, &seq, err, sizeof(err)), 0);
	assert_true(seq > 5002);
	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
	assert_true(v[0].sqn >> 5 > 5002);

	/* An AUTS with an SQN_MS below SEQ_HE does not move SEQ back (that
	 * would reuse SQNs). */
	uint64_t before = v[0].sqn >> 5;
	usim_auts(e->m, KI, rs.rand, UINT64_C(100) << 5, rs.auts);
	rq.n = 1;
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), 1);
	assert_int_equal(v[0].sqn >> 5, before + 1);

	/* A resync jump beyond the block is persisted even for triplets. */
	usim_auts(e->m, KI, rs.rand, UINT64_C(90000) << 5, rs.auts);
	rq.kind = JITSIM_AUTH_GSM;
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), 1);
	jitsim_auth_free(a);
	a = auth_new(e->s, 32, 0, 0);
	assert_int_equal(jitsim_auth_seq_next(a, imsi, &seq, err, sizeof(err)), 0);
	/* SEQ_HE = 90000: 90001 onwards reserved with a block, all of it
	 * skipped by the restart. */
	assert_int_equal(seq, 90001 + 32);

	/* A USIM at the end of the SQN space: resync accepted as far as it
	 * goes, then no vector can be made (never wrap, never reuse). */
	usim_auts(e->m, KI, rs.rand, (UINT64_C(1) << 48) - 1, rs.auts);
	rq.kind = JITSIM_AUTH_UMTS;
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), -EOVERFLOW);
	assert_non_null(strstr(err, IMSI_A));
	assert_int_equal(jitsim_auth_seq_next(a, imsi, &seq, err, sizeof(err)), 0);
	assert_int_equal(seq, 90001 + 32);
	jitsim_auth_free(a);
}

static void
test_resync_bad(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 32, 0, 0);
	struct jitsim_auth_resync rs;
	struct jitsim_auth_req rq = {.kind = JITSIM_AUTH_UMTS, .n = 1, .resync = &rs};
	struct jitsim_auth_vec v[1];
	struct jitsim_auth_stats st;
	uint64_t imsi = jitsim_digits_key_str(IMSI_A), seq0, seq1;
	uint8_t other[16];
	char err[256];

	get_vectors(a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
	assert_int_equal(jitsim_auth_seq_next(a, imsi, &seq0, err, sizeof(err)), 0);
	memcpy(rs.rand, v[0].rand, 16);
	/* One bit of MAC-S flipped. */
	usim_auts(e->m, KI, rs.rand, UINT64_C(7000) << 5, rs.auts);
	rs.auts[13] ^= 0x01;
	memset(v, 0xee, sizeof(v));
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), -EKEYREJECTED);
	assert_non_null(strstr(err, IMSI_A));
	assert_non_null(strstr(err, "MAC-S"));
	/* An AUTS made with another SIM's key. */
	memcpy(other, KI, 16);
	other[0] ^= 0x80;
	usim_auts(e->m, other, rs.rand, UINT64_C(7000) << 5, rs.auts);
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), -EKEYREJECTED);
	/* A different RAND than the one the AUTS was made for. */
	usim_auts(e->m, KI, rs.rand, UINT64_C(7000) << 5, rs.auts);
	rs.rand[0] ^= 1;
	assert_int_equal(jitsim_auth_vectors(a, imsi, &rq, v, err, sizeof(err)), -EKEYREJECTED);
	/* Nothing moved. */
	assert_int_equal(jitsim_auth_seq_next(a, imsi, &seq1, err, sizeof(err)), 0);
	assert_int_equal(seq0, seq1);
	jitsim_auth_stats_get(a, &st);
	assert_int_equal(st.resync_bad, 3);
	assert_int_equal(st.resyncs, 0);
	jitsim_auth_free(a);
}

static bool
err_has_key_hex(const char *err)
{
	char hex[33];

	for (int i = 0; i < 16; i++)
		snprintf(hex + 2 * i, 3, "%02x", KI[i]);
	return strstr(err, hex) != NULL || strstr(err, "465b5c") != NULL;
}

static void
test_errors(void **state)
{
	struct env *e = *state;
	struct jitsim_auth *a = auth_new(e->s, 0, 0, 0);
	struct jitsim_auth_req rq = {.kind = JITSIM_AUTH_UMTS, .n = 1};
	struct jitsim_auth_vec v[JITSIM_AUTH_VEC_MAX + 1];
	struct jitsim_auth_opts o = {.cache = 1000};
	struct jitsim_auth_stats st;
	char err[256];
	uint8_t key[12], bad[9] = {1};

	/* Unknown IMSI. */
	assert_int_equal(jitsim_auth_vectors(a, jitsim_digits_key_str("001019999999999"), &rq, v,
					     err, sizeof(err)),
			 -ENOENT);
	assert_non_null(strstr(err, "001019999999999"));
	/* Records without keys, without OPc. */
	put_sim(e->s, "001010000000077", 0, 0);
	put_sim(e->s, "001010000000078", JITSIM_REC_S_KI, 0);
	assert_int_equal(jitsim_auth_vectors(a, jitsim_digits_key_str("001010000000077"), &rq, v,
					     err, sizeof(err)),
			 -ENOKEY);
	assert_non_null(strstr(err, "001010000000077"));
	assert_int_equal(jitsim_auth_vectors(a, jitsim_digits_key_str("001010000000078"), &rq, v,
					     err, sizeof(err)),
			 -ENOKEY);
	assert_non_null(strstr(err, "001010000000078"));
	assert_non_null(strstr(err, "OPc"));
	assert_false(err_has_key_hex(err));
	/* Bad requests. */
	rq.n = 0;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err, sizeof(err)),
		-EINVAL);
	rq.n = JITSIM_AUTH_VEC_MAX + 1;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err, sizeof(err)),
		-EINVAL);
	rq.n = 1;
	rq.kind = (enum jitsim_auth_kind)9;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_A), &rq, v, err, sizeof(err)),
		-EINVAL);
	assert_null(jitsim_auth_new(e->s, &o, err, sizeof(err)));
	assert_non_null(strstr(err, "power of two"));
	jitsim_auth_stats_get(a, &st);
	assert_int_equal(st.errors, 3);

	/* A damaged SQN entry, and one of a newer version. */
	struct jitsim_store_batch *b = jitsim_store_batch_new(e->s);
	memcpy(key, "sqn/", 4);
	jitsim_rec_key(jitsim_digits_key_str(IMSI_B), key + 4);
	jitsim_store_batch_put(b, JITSIM_CF_META, key, sizeof(key), bad, 3);
	jitsim_rec_key(jitsim_digits_key_str(IMSI_C), key + 4);
	bad[0] = 2;
	jitsim_store_batch_put(b, JITSIM_CF_META, key, sizeof(key), bad, sizeof(bad));
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
	rq.kind = JITSIM_AUTH_UMTS;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_B), &rq, v, err, sizeof(err)),
		-EBADMSG);
	assert_non_null(strstr(err, IMSI_B));
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_C), &rq, v, err, sizeof(err)),
		-ENOTSUP);
	assert_non_null(strstr(err, IMSI_C));
	/* Keys sealed under another KEK (a record copied from another
	 * store): they do not open. */
	struct jitsim_rec_secrets sec = {.mask = JITSIM_REC_S_KI | JITSIM_REC_S_OPC};
	struct jitsim_kek other;
	struct jitsim_rec r;

	memset(&other, 0x33, sizeof(other));
	memset(&r, 0, sizeof(r));
	r.imsi = jitsim_digits_key_str("001010000000079");
	r.state = JITSIM_SIM_INVENTORY;
	memcpy(sec.ki, KI, 16);
	memcpy(sec.opc, OPC, 16);
	assert_int_equal(jitsim_rec_seal(&r, &other, &sec), 0);
	b = jitsim_store_batch_new(e->s);
	assert_int_equal(jitsim_store_batch_put_sim(b, &r), 0);
	assert_int_equal(jitsim_store_commit(b, err, sizeof(err)), 0);
	jitsim_store_batch_free(b);
	assert_int_equal(jitsim_auth_vectors(a, r.imsi, &rq, v, err, sizeof(err)), -EBADMSG);
	assert_non_null(strstr(err, "001010000000079"));
	/* Triplets need no SQN: still served. */
	rq.kind = JITSIM_AUTH_GSM;
	assert_int_equal(
		jitsim_auth_vectors(a, jitsim_digits_key_str(IMSI_B), &rq, v, err, sizeof(err)), 1);
	jitsim_auth_free(a);
}

struct thr {
	struct jitsim_auth *a;
	uint64_t sqn[200];
};

static void *
thr_run(void *arg)
{
	struct thr *t = arg;
	struct jitsim_auth_vec v[1];

	for (int i = 0; i < 200; i++) {
		get_vectors(t->a, IMSI_A, JITSIM_AUTH_UMTS, 1, v);
		t->sqn[i] = v[0].sqn;
	}
	return NULL;
}

static int
cmp_u64(const void *x, const void *y)
{
	uint64_t a = *(const uint64_t *)x, b = *(const uint64_t *)y;

	return a < b ? -1 : a > b;
}

/* Two threads on one context and one SIM: no SQN handed out twice. */
static void
test_threads(void **state)
{
	struct env *e = *state;
	struct thr t[2];
	pthread_t th[2];
	uint64_t all[400];

	t[0].a = t[1].a = auth_new(e->s, 4, 0, 0);
	for (int i = 0; i < 2; i++)
		assert_int_equal(pthread_create(&th[i], NULL, thr_run, &t[i]), 0);
	for (int i = 0; i < 2; i++)
		pthread_join(th[i], NULL);
	memcpy(all, t[0].sqn, sizeof(t[0].sqn));
	memcpy(all + 200, t[1].sqn, sizeof(t[1].sqn));
	qsort(all, 400, sizeof(all[0]), cmp_u64);
	for (int i = 1; i < 400; i++)
		assert_true(all[i] > all[i - 1]);
	jitsim_auth_free(t[0].a);
}

int
main(int argc, char **argv)
{
	if (argc == 4 && strcmp(argv[1], "--crash-child") == 0)
		return crash_child(argv[2], atoi(argv[3]));

	const struct CMUnitTest tests[] = {
		cmocka_unit_test_setup_teardown(test_umts, setup, teardown),
		cmocka_unit_test_setup_teardown(test_eps, setup, teardown),
		cmocka_unit_test_setup_teardown(test_gsm, setup, teardown),
		cmocka_unit_test_setup_teardown(test_increasing, setup, teardown),
		cmocka_unit_test_setup_teardown(test_reopen, setup, teardown),
		cmocka_unit_test_setup_teardown(test_crash, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync, setup, teardown),
		cmocka_unit_test_setup_teardown(test_resync_bad, setup, teardown),
		cmocka_unit_test_setup_teardown(test_errors, setup, teardown),
		cmocka_unit_test_setup_teardown(test_threads, setup, teardown),
	};

	(void)argv;
	return cmocka_run_group_tests(tests, NULL, NULL);
}
