/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * A stand-in dataplane and VLR for the FTA dialogue tests of jitsim-cp
 * (tests/cp/cp_fta.py). It attaches to the segment as the dataplane and
 * plays, through sig_up and sig_down, the VLR side of MAP dialogues built
 * with the codec library, as jitsim-dp's workers would forward them; it
 * also puts the FIRST_ATTACH event jitsim-dp's detect stage raises for a
 * UL of an INVENTORY SIM. Everything jitsim-cp answers is decoded with the
 * codec and checked; vectors are verified with MILENAGE from the SIM's
 * keys (read from --keys, a file of "IMSI KI OPC" lines the test wrote;
 * never printed).
 *
 * Commands, run in order, one JSON line of results each on stdout:
 *   sai IMSI N          SAI v3 for N vectors: "sqn" list, "autn_ok"
 *                       (MAC-A verifies, XRES = f2), "n"; or "error"
 *   sai2 IMSI           SAI v2: triplets, "sres_ok" (c2/c3 of TS 33.102)
 *   resync IMSI SEQ     SAI v3 with AUTS for SQN_MS = SEQ << 5 (a USIM
 *                       ahead of the network): "sqn" of the new vectors
 *   badresync IMSI      the same with a wrong MAC-S: "error"
 *   attach IMSI         FIRST_ATTACH event + UL v3 Begin; answers the ISD
 *                       Continue with its result; "msisdn" (from the ISD),
 *                       "hlr" (UL result hlr-Number), "ms"; with
 *                       --handover waits for the CancelLocation Begin,
 *                       checks its IMSI, answers End: "cl"
 *   ugl IMSI            the same with UpdateGprsLocation: "apn_seen"
 *   isderr IMSI         attach, the ISD answered with ReturnError
 *   abort IMSI          attach, the ISD answered with a TC-Abort: "msisdn"
 *   returned IMSI       attach, the ISD returned to jitsim-cp as an UDTS
 *   other IMSI          PurgeMS Begin: "error" (the answer's error code)
 * S6a (JITSIM_SIG_DIAM_IN records from dp peer FK_ASSOC, as a worker hands
 * them; every answer must come back as JITSIM_SIG_DIAM_SEND on FK_ASSOC
 * with the request's hop-by-hop id; "result"/"exp": Result-Code or
 * Experimental-Result-Code, null when absent):
 *   air IMSI N          AIR for N E-UTRAN vectors from --plmn: "n", "sqn",
 *                       "ok" (XRES = f2, MAC-A in AUTN, AMF separation
 *                       bit, KASME = KDF over CK||IK, the PLMN, SQN^AK)
 *   airdup IMSI N       the same AIR twice, the second flagged
 *                       JITSIM_SIG_F_DUP with another hop-by-hop id:
 *                       "same" (both answers byte for byte but the hbh)
 *   airresync IMSI SEQ  AIR with Re-Synchronization-Info (RAND || AUTS
 *                       of a USIM at SEQ << 5): "sqn" of the new vectors
 *   ulr IMSI            FIRST_ATTACH event (Diameter, --plmn) + ULR; ULA:
 *                       "msisdn" (Subscription-Data), "ms"; with
 *                       --handover waits for the CLR (0xCF hbh,
 *                       Destination-Host = ours, Cancellation-Type 2) and
 *                       answers it with a CLA 2001: "clr"
 *   ulrdup IMSI         the same, the ULR sent twice while waiting (one
 *                       ULA, to the latest copy) and once after the ULA:
 *                       "same" (that one gets the ULA's bytes)
 *   pur IMSI, nor IMSI  PUR / NOR: "result"
 *   idr IMSI            an IDR (a request no MME sends to an HSS): "result"
 * A protocol problem prints "problem" and exits 1.
 *
 * usage: fta_fakedp --instance NAME --keys FILE --own-pc PC [--wait SEC]
 *        [--handover] [--apn APN] [--event-visited GT | --no-event] [--plmn MCCMNC]
 *        [--cla-skip N]
 *        CMD ARGS... [CMD ARGS...]
 * --event-visited: the VLR number the FIRST_ATTACH event names (a region
 * miss); --no-event: no event at all (the UL waits for nothing).
 */

#include <errno.h>
#include <getopt.h>
#include <inttypes.h>
#include <stdarg.h>
#include <stdbool.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>
#include <sys/random.h>
#include <time.h>

#include <jitsim/proto/ber.h>
#include <jitsim/proto/digits.h>
#include <jitsim/proto/map.h>
#include <jitsim/proto/bytes.h>
#include <jitsim/proto/diameter.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/s6a.h>
#include <jitsim/proto/s6a_fta.h>
#include <jitsim/proto/sccp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/wbuf.h>
#include <jitsim/shm.h>
#include <jitsim/sim.h>

#include "milenage.h"

#define FK_VLR_PC 100
#define FK_VLR_GT "447700900001"
#define FK_MSC_GT "447700900002"
#define FK_SGSN_GT "447700900003"
#define FK_SLS 5
#define FK_KEYS_MAX 64
/* S6a: the dp peer index the requests come on, and the MME. */
#define FK_ASSOC 3
#define FK_MME_HOST "mme1.fakedp.example"
#define FK_MME_REALM "fakedp.example"
#define FK_HSS_REALM "jitsim.example"

struct fk_key {
	char imsi[16];
	uint8_t ki[16], opc[16];
};

static struct jitsim_shm fk_shm;
static struct jitsim_milenage *fk_mil;
static struct fk_key fk_keys[FK_KEYS_MAX];
static unsigned int fk_nkeys;
static double fk_wait = 20;
static uint16_t fk_own_pc;
static bool fk_handover;
/* --cla-skip N: the first N CLRs of an attach go unanswered (lost), the
 * next one is answered: jitsim-cp must send it again. */
static int fk_cla_skip;
static const char *fk_apn = "";
static const char *fk_ev_visited = FK_VLR_GT;
static bool fk_no_event;
static uint32_t fk_tid = 0x11000000, fk_tid_base;
static uint32_t fk_seq;
static const char *fk_plmn = "00101";
static uint32_t fk_e2e;

static void __attribute__((format(printf, 1, 2), noreturn)) fk_fail(const char *fmt, ...)
{
	char buf[512];
	va_list ap;

	va_start(ap, fmt);
	vsnprintf(buf, sizeof(buf), fmt, ap);
	va_end(ap);
	printf("{\"problem\":\"%s\"}\n", buf);
	fflush(stdout);
	jitsim_shm_close(&fk_shm);
	exit(1);
}

static double
fk_now(void)
{
	struct timespec ts;

	clock_gettime(CLOCK_MONOTONIC, &ts);
	return (double)ts.tv_sec + (double)ts.tv_nsec / 1e9;
}

static int
fk_hex(const char *s, uint8_t *out, size_t n)
{
	if (strlen(s) != 2 * n)
		return -1;
	for (size_t i = 0; i < n; i++) {
		unsigned int b;

		if (sscanf(s + 2 * i, "%2x", &b) != 1)
			return -1;
		out[i] = (uint8_t)b;
	}
	return 0;
}

static void
fk_load_keys(const char *path)
{
	char line[256], imsi[32], ki[64], opc[64];
	FILE *f = fopen(path, "r");

	if (f == NULL)
		fk_fail("cannot open the keys file");
	while (fgets(line, sizeof(line), f) != NULL && fk_nkeys < FK_KEYS_MAX) {
		struct fk_key *k = &fk_keys[fk_nkeys];

		if (sscanf(line, "%31s %63s %63s", imsi, ki, opc) != 3)
			continue;
		if (strlen(imsi) >= sizeof(k->imsi) || fk_hex(ki, k->ki, 16) != 0 ||
		    fk_hex(opc, k->opc, 16) != 0)
			fk_fail("bad line in the keys file");
		snprintf(k->imsi, sizeof(k->imsi), "%s", imsi);
		fk_nkeys++;
	}
	fclose(f);
}

static const struct fk_key *
fk_key_of(const char *imsi)
{
	for (unsigned int i = 0; i < fk_nkeys; i++)
		if (strcmp(fk_keys[i].imsi, imsi) == 0)
			return &fk_keys[i];
	return NULL;
}

/* --- building what a VLR sends --- */

static void
fk_addr_gt(struct jitsim_sccp_addr *a, const char *gt, uint8_t ssn)
{
	memset(a, 0, sizeof(*a));
	a->has_ssn = true;
	a->ssn = ssn;
	a->gti = 4;
	a->np = 1;
	a->nai = 4;
	jitsim_digits_set(&a->digits, gt);
}

/* A whole SCCP message onto sig_up, as from the VLR. */
static void
fk_put_raw(const uint8_t *p, size_t n, const char *imsi)
{
	struct jitsim_sig_msg m;

	if (n > JITSIM_SIG_DATA_MAX)
		fk_fail("message of %zu octets", n);
	memset(&m, 0, sizeof(m));
	m.kind = JITSIM_SIG_FTA_IN;
	m.sim_state = JITSIM_SIM_INVENTORY;
	m.len = (uint16_t)n;
	m.opc = FK_VLR_PC;
	m.dpc = fk_own_pc;
	m.si = 3;
	m.ni = 2;
	m.sls = FK_SLS;
	m.seq = ++fk_seq;
	m.ts_s = (uint32_t)time(NULL);
	m.imsi = jitsim_digits_key_str(imsi);
	memcpy(m.data, p, n);
	if (jitsim_shm_sig_up_put(&fk_shm, &m, 1) != 1)
		fk_fail("sig_up full");
}

/* SCCP UDT around the TC message in @w, VLR -> HLR (called: the IMSI's
 * E.214 number would do; the engine does not look), onto sig_up. */
static void
fk_put_up(struct jitsim_wbuf *w, const char *imsi)
{
	struct jitsim_sccp s;

	memset(&s, 0, sizeof(s));
	s.msg_type = JITSIM_SCCP_UDT;
	s.pclass = 0x81; /* class 1, return on error */
	fk_addr_gt(&s.called, "447700000100", JITSIM_SSN_HLR);
	fk_addr_gt(&s.calling, FK_VLR_GT, JITSIM_SSN_VLR);
	if (jitsim_sccp_encode(w, &s) != JITSIM_R_OK)
		fk_fail("SCCP does not encode");
	fk_put_raw(jitsim_wbuf_data(w), jitsim_wbuf_len(w), imsi);
}

/* A TC message of @type with one component; @ac 0: no dialogue portion. */
static void
fk_send_tc(uint8_t type, uint32_t otid, uint32_t dtid, uint8_t ac, uint8_t version,
	   const struct jitsim_tcap_component *c, const char *imsi)
{
	uint8_t buf[1024];
	struct jitsim_wbuf w;
	struct jitsim_tcap t;

	memset(&t, 0, sizeof(t));
	t.type = type;
	t.has_otid = type != JITSIM_TCAP_END;
	t.otid = otid;
	t.otid_len = 4;
	t.has_dtid = type != JITSIM_TCAP_BEGIN;
	t.dtid = dtid;
	t.dtid_len = 4;
	t.has_dialogue = ac != 0;
	t.map_ac = ac;
	t.map_version = version;
	t.n_comp = c != NULL ? 1 : 0;
	if (c != NULL)
		t.comp[0] = *c;
	jitsim_wbuf_init(&w, buf, sizeof(buf), 512);
	if (jitsim_tcap_encode(&w, &t) != JITSIM_R_OK)
		fk_fail("TCAP does not encode");
	fk_put_up(&w, imsi);
}

/* --- reading what jitsim-cp sends --- */

struct fk_in {
	struct jitsim_sig_msg m;
	struct jitsim_sccp s;
	struct jitsim_tcap t;
};

static void
fk_recv(struct fk_in *in, const char *what)
{
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};

	in->m.kind = JITSIM_SIG_NONE;
	for (double end = fk_now() + fk_wait; fk_now() < end;) {
		jitsim_shm_heartbeat(&fk_shm);
		if (jitsim_shm_sig_down_get(&fk_shm, &in->m, 1) != 1) {
			nanosleep(&pause, NULL);
			continue;
		}
		/* An answer to an earlier run's request (one a killed jitsim-cp
		 * left in sig_up, answered by its successor): not ours. */
		if (jitsim_sccp_decode(in->m.data, in->m.len, &in->s) == JITSIM_R_OK &&
		    jitsim_tcap_decode(in->s.data, in->s.data_len, &in->t) == JITSIM_R_OK &&
		    in->t.has_dtid && (in->t.dtid <= fk_tid_base || in->t.dtid > fk_tid)) {
			in->m.kind = JITSIM_SIG_NONE;
			continue;
		}
		break;
	}
	if (in->m.kind != JITSIM_SIG_SEND)
		fk_fail("%s: nothing on sig_down within %.0f s", what, fk_wait);
	/* The MTP3 label answers ours: to the VLR, from jitsim, same SLS. */
	if (in->m.dpc != FK_VLR_PC || in->m.opc != fk_own_pc || in->m.sls != FK_SLS ||
	    in->m.si != 3 || in->m.assoc != JITSIM_SIG_ASSOC_ROUTE)
		fk_fail("%s: label opc %u dpc %u sls %u si %u assoc %u", what, in->m.opc, in->m.dpc,
			in->m.sls, in->m.si, in->m.assoc);
	if (jitsim_sccp_decode(in->m.data, in->m.len, &in->s) != JITSIM_R_OK ||
	    in->s.msg_type != JITSIM_SCCP_UDT)
		fk_fail("%s: SCCP does not decode", what);
	if (strcmp(in->s.called.digits.d, FK_VLR_GT) != 0 || in->s.called.ssn != JITSIM_SSN_VLR)
		fk_fail("%s: called party %s/%u, not the VLR's", what, in->s.called.digits.d,
			in->s.called.ssn);
	if (jitsim_tcap_decode(in->s.data, in->s.data_len, &in->t) != JITSIM_R_OK)
		fk_fail("%s: TCAP does not decode", what);
}

/* The one component of @in of @type, or a failure. */
static const struct jitsim_tcap_component *
fk_comp(const struct fk_in *in, uint8_t type, const char *what)
{
	if (in->t.n_comp != 1 || in->t.comp[0].type != type)
		fk_fail("%s: %u components, first of type 0x%02x", what, in->t.n_comp,
			in->t.n_comp > 0 ? in->t.comp[0].type : 0);
	return &in->t.comp[0];
}

/* An End with ReturnError: its error code, or -1 when it is not one. */
static int
fk_error_of(const struct fk_in *in)
{
	if (in->t.type == JITSIM_TCAP_END && in->t.n_comp == 1 &&
	    in->t.comp[0].type == JITSIM_TCAP_ERROR && in->t.comp[0].has_error)
		return in->t.comp[0].error;
	return -1;
}

/* --- SAI --- */

struct fk_set {
	const uint8_t *f[5];
	size_t n[5];
	unsigned int nf;
};

/* The authentication sets of a SAI result parameter. */
static unsigned int
fk_sets(const uint8_t *p, size_t len, struct fk_set *sets, unsigned int max, bool *quint)
{
	struct jitsim_ber_tlv top, list, set, f;
	struct jitsim_ber_iter it, is;
	unsigned int n = 0;

	if (jitsim_ber_read(p, len, &top) != JITSIM_R_OK)
		fk_fail("SAI result: bad BER");
	if (top.id == 0xa3) {
		/* v3: [3] { tripletList [0] | quintupletList [1] } */
		if (jitsim_ber_read(top.val, top.len, &list) != JITSIM_R_OK ||
		    (list.id != 0xa0 && list.id != 0xa1))
			fk_fail("SAI result: no authenticationSetList");
		*quint = list.id == 0xa1;
	} else if (top.id == 0x30) {
		list = top; /* v2: SEQUENCE OF AuthenticationTriplet */
		*quint = false;
	} else {
		fk_fail("SAI result: tag 0x%02x", top.id);
	}
	jitsim_ber_iter_init(&it, list.val, list.len);
	while (n < max && jitsim_ber_next(&it, &set) == JITSIM_R_OK) {
		sets[n].nf = 0;
		jitsim_ber_iter_init(&is, set.val, set.len);
		while (sets[n].nf < 5 && jitsim_ber_next(&is, &f) == JITSIM_R_OK) {
			sets[n].f[sets[n].nf] = f.val;
			sets[n].n[sets[n].nf++] = f.len;
		}
		n++;
	}
	return n;
}

static void
fk_put_imsi_tlv(uint8_t *o, size_t *n, uint8_t tag, const char *imsi)
{
	int l = jitsim_tbcd_encode(imsi, o + *n + 2, 8);

	if (l < 0)
		fk_fail("IMSI does not encode");
	o[*n] = tag;
	o[*n + 1] = (uint8_t)l;
	*n += 2 + (size_t)l;
}

/* SAI v3 argument: imsi [0], numberOfRequestedVectors, [resync]. */
static size_t
fk_sai_arg(uint8_t *o, const char *imsi, unsigned int nv, const uint8_t *rand, const uint8_t *auts)
{
	size_t n = 2;

	fk_put_imsi_tlv(o, &n, 0x80, imsi);
	o[n++] = 0x02;
	o[n++] = 0x01;
	o[n++] = (uint8_t)nv;
	if (rand != NULL) {
		o[n++] = 0x30;
		o[n++] = 2 + 16 + 2 + 14;
		o[n++] = 0x04;
		o[n++] = 16;
		memcpy(o + n, rand, 16);
		n += 16;
		o[n++] = 0x04;
		o[n++] = 14;
		memcpy(o + n, auts, 14);
		n += 14;
	}
	o[0] = 0x30;
	o[1] = (uint8_t)(n - 2);
	return n;
}

static void
fk_sai_common(const char *imsi, unsigned int nv, int version, const uint8_t *rand,
	      const uint8_t *auts, const char *op)
{
	const struct fk_key *k = fk_key_of(imsi);
	uint8_t arg[128];
	size_t alen;
	struct jitsim_tcap_component c;
	const struct jitsim_tcap_component *r;
	struct fk_set sets[5];
	struct fk_in in;
	unsigned int n;
	uint32_t otid = ++fk_tid;
	bool quint = false, ok = true;
	int err;

	if (version == 2) {
		size_t l = 0;

		fk_put_imsi_tlv(arg, &l, 0x04, imsi);
		alen = l;
	} else {
		alen = fk_sai_arg(arg, imsi, nv, rand, auts);
	}
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO, arg, alen);
	fk_send_tc(JITSIM_TCAP_BEGIN, otid, 0, JITSIM_MAP_AC_INFO_RETRIEVAL, (uint8_t)version, &c,
		   imsi);
	fk_recv(&in, op);
	if (in.t.type != JITSIM_TCAP_END || !in.t.has_dtid || in.t.dtid != otid)
		fk_fail("%s: not an End to our otid", op);
	err = fk_error_of(&in);
	if (err >= 0) {
		printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"error\":%d}\n", op, imsi, err);
		return;
	}
	/* The AARE answers our AARQ with our context. */
	if (!in.t.has_dialogue || in.t.dialogue_pdu != JITSIM_TCAP_AARE ||
	    in.t.map_ac != JITSIM_MAP_AC_INFO_RETRIEVAL || in.t.map_version != version)
		fk_fail("%s: no AARE for infoRetrieval v%d", op, version);
	r = fk_comp(&in, JITSIM_TCAP_RESULT_LAST, op);
	if (!r->has_opcode || r->opcode != JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO ||
	    r->invoke_id != 1 || r->param == NULL)
		fk_fail("%s: result without SAI parameter", op);
	if (k == NULL)
		fk_fail("%s: no keys for %s", op, imsi);
	n = fk_sets(r->param, r->param_len, sets, 5, &quint);
	printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"n\":%u,\"quintuplets\":%s,\"sqn\":[", op, imsi, n,
	       quint ? "true" : "false");
	for (unsigned int i = 0; i < n; i++) {
		uint8_t res[8], ck[16], ik[16], ak[6], aks[6], mac_a[8], mac_s[8], sqn[6];
		const uint8_t *rnd = sets[i].f[0];
		uint64_t s = 0;

		if (sets[i].nf != (quint ? 5u : 3u) || sets[i].n[0] != 16)
			fk_fail("%s: set %u has %u fields", op, i, sets[i].nf);
		if (jitsim_milenage_f2345(fk_mil, k->ki, k->opc, rnd, res, ck, ik, ak, aks) != 0)
			fk_fail("milenage");
		if (quint) {
			const uint8_t *autn = sets[i].f[4];

			if (sets[i].n[1] != 8 || memcmp(sets[i].f[1], res, 8) != 0 ||
			    memcmp(sets[i].f[2], ck, 16) != 0 ||
			    memcmp(sets[i].f[3], ik, 16) != 0 || sets[i].n[4] != 16)
				ok = false;
			for (unsigned int b = 0; b < 6; b++) {
				sqn[b] = autn[b] ^ ak[b];
				s = s << 8 | sqn[b];
			}
			if (jitsim_milenage_f1(fk_mil, k->ki, k->opc, rnd, sqn, autn + 6, mac_a,
					       mac_s) != 0 ||
			    memcmp(mac_a, autn + 8, 8) != 0)
				ok = false;
		} else {
			struct jitsim_milenage_vector v;
			uint8_t sres[4], kc[8];

			memcpy(v.res, res, 8);
			memcpy(v.ck, ck, 16);
			memcpy(v.ik, ik, 16);
			jitsim_milenage_gsm(&v, sres, kc);
			if (sets[i].n[1] != 4 || memcmp(sets[i].f[1], sres, 4) != 0 ||
			    sets[i].n[2] != 8 || memcmp(sets[i].f[2], kc, 8) != 0)
				ok = false;
		}
		printf("%s%" PRIu64, i > 0 ? "," : "", s);
	}
	printf("],\"%s\":%s}\n", quint ? "autn_ok" : "sres_ok", ok ? "true" : "false");
}

/* AUTS of a USIM whose SQN is @seq_ms << 5, for @rand (TS 33.102 6.3.3):
 * (SQN_MS xor AK*) || MAC-S, MAC-S = f1*(SQN_MS, AMF 0000). */
static void
fk_auts(const char *imsi, uint64_t seq_ms, const uint8_t rand[16], uint8_t auts[14], bool bad)
{
	const struct fk_key *k = fk_key_of(imsi);
	uint8_t res[8], ck[16], ik[16], ak[6], aks[6], mac_a[8], mac_s[8], sqn[6];
	const uint8_t amf[2] = {0, 0};
	const uint64_t s = seq_ms << 5;

	if (k == NULL)
		fk_fail("no keys for %s", imsi);
	for (unsigned int b = 0; b < 6; b++)
		sqn[b] = (uint8_t)(s >> (8 * (5 - b)));
	if (jitsim_milenage_f2345(fk_mil, k->ki, k->opc, rand, res, ck, ik, ak, aks) != 0 ||
	    jitsim_milenage_f1(fk_mil, k->ki, k->opc, rand, sqn, amf, mac_a, mac_s) != 0)
		fk_fail("milenage");
	for (unsigned int b = 0; b < 6; b++)
		auts[b] = sqn[b] ^ aks[b];
	memcpy(auts + 6, mac_s, 8);
	if (bad)
		auts[13] ^= 0x01;
}

/* --- UL / UGL and the handover --- */

static void
fk_event(const char *imsi)
{
	struct jitsim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.proto = JITSIM_EV_PROTO_MAP;
	ev.op = JITSIM_MAP_OP_UPDATE_LOCATION;
	ev.visited_kind = JITSIM_EV_VIS_VLR;
	ev.map_version = 3;
	ev.prev_state = JITSIM_SIM_INVENTORY;
	ev.rat_type = 0xffff;
	ev.seq = jitsim_shm_event_last_seq(&fk_shm, 0) + 1;
	ev.lease_until = (uint32_t)time(NULL) + 60;
	ev.ts_s = (uint32_t)time(NULL);
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.visited = jitsim_digits_key_str(fk_ev_visited);
	if (jitsim_shm_event_put(&fk_shm, 0, &ev, 1) != 1)
		fk_fail("event ring 0 full");
}

enum fk_isd_answer {
	FK_ISD_RESULT, /* ReturnResultLast, as a VLR that took the profile */
	FK_ISD_ERROR,  /* ReturnError: the UL must succeed all the same */
	FK_ISD_ABORT,  /* TC-Abort instead of an answer: nothing comes back */
	FK_ISD_RETURN, /* the ISD comes back as an UDTS (not delivered) */
};

static void
fk_attach(const char *imsi, bool gprs, enum fk_isd_answer how, const char *op)
{
	const uint8_t opcode =
		gprs ? JITSIM_MAP_OP_UPDATE_GPRS_LOCATION : JITSIM_MAP_OP_UPDATE_LOCATION;
	const uint8_t ac = gprs ? JITSIM_MAP_AC_GPRS_LOCATION_UPDATE : JITSIM_MAP_AC_NETWORK_LOC_UP;
	uint8_t abuf[256];
	struct jitsim_wbuf aw;
	struct jitsim_map_ids ids, got;
	struct jitsim_tcap_component c;
	const struct jitsim_tcap_component *r;
	struct fk_in in;
	uint32_t otid = ++fk_tid, own;
	double t0;
	bool apn_seen = false;
	int err;

	memset(&ids, 0, sizeof(ids));
	ids.has_imsi = true;
	jitsim_digits_set(&ids.imsi, imsi);
	if (gprs) {
		ids.has_sgsn = true;
		jitsim_digits_set(&ids.sgsn, FK_SGSN_GT);
	} else {
		ids.has_msc = ids.has_vlr = true;
		jitsim_digits_set(&ids.msc, FK_MSC_GT);
		jitsim_digits_set(&ids.vlr, FK_VLR_GT);
	}
	jitsim_wbuf_init(&aw, abuf, sizeof(abuf), sizeof(abuf));
	if (jitsim_map_encode_invoke(&aw, opcode, 3, &ids) != JITSIM_R_OK)
		fk_fail("%s: argument does not encode", op);
	/* As jitsim-dp does: the event to the workflow, the UL to the engine. */
	if (!fk_no_event)
		fk_event(imsi);
	t0 = fk_now();
	c = jitsim_map_fta_comp_invoke(1, opcode, jitsim_wbuf_data(&aw), jitsim_wbuf_len(&aw));
	fk_send_tc(JITSIM_TCAP_BEGIN, otid, 0, ac, 3, &c, imsi);

	fk_recv(&in, op);
	err = fk_error_of(&in);
	if (err >= 0) {
		printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"error\":%d}\n", op, imsi, err);
		return;
	}
	if (in.t.type != JITSIM_TCAP_CONTINUE || !in.t.has_otid || !in.t.has_dtid ||
	    in.t.dtid != otid || in.t.otid >> 24 != JITSIM_FTA_TID_TAG)
		fk_fail("%s: not a Continue from a 0xCF otid to ours", op);
	if (!in.t.has_dialogue || in.t.dialogue_pdu != JITSIM_TCAP_AARE || in.t.map_ac != ac)
		fk_fail("%s: the Continue has no AARE for our context", op);
	own = in.t.otid;
	r = fk_comp(&in, JITSIM_TCAP_INVOKE, op);
	if (r->opcode != JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA ||
	    jitsim_map_decode_invoke(r->opcode, r->param, r->param_len, &got) != JITSIM_R_OK)
		fk_fail("%s: the Continue has no ISD", op);
	if (fk_apn[0] != '\0') {
		/* The APN's first label as it is on the wire (TS 23.003 9.1). */
		size_t l = strcspn(fk_apn, ".");

		for (size_t i = 0; i + l < r->param_len; i++)
			if (r->param[i] == l && memcmp(r->param + i + 1, fk_apn, l) == 0)
				apn_seen = true;
	}
	if (how == FK_ISD_RETURN) {
		/* UDTS has the UDT's layout (Q.713 4.10, 4.11): type, return
		 * cause (subsystem failure) in place of the class, the same
		 * pointers, and the returned message's data. */
		in.m.data[0] = JITSIM_SCCP_UDTS;
		in.m.data[1] = 0x03;
		fk_put_raw(in.m.data, in.m.len, imsi);
		printf("{\"op\":\"%s\",\"imsi\":\"%s\"}\n", op, imsi);
		return;
	}
	if (how == FK_ISD_ABORT) {
		struct jitsim_map_fta_dialogue d = {
			.own_tid = otid, .peer_tid = own, .peer_tid_len = 4};
		uint8_t buf[256];
		struct jitsim_wbuf w;

		jitsim_wbuf_init(&w, buf, sizeof(buf), 128);
		if (jitsim_map_fta_tc_abort(&w, &d, false,
					    JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION) !=
		    JITSIM_R_OK)
			fk_fail("abort does not encode");
		fk_put_up(&w, imsi);
		printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"msisdn\":\"%s\"}\n", op, imsi,
		       got.has_msisdn ? got.msisdn.d : "");
		return;
	}
	/* The ISD's answer, as a VLR gives it. */
	if (how == FK_ISD_ERROR)
		c = jitsim_map_fta_comp_error(r->invoke_id, JITSIM_MAP_ERR_UNEXPECTED_DATA_VALUE);
	else
		c = jitsim_map_fta_comp_result(r->invoke_id, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
					       NULL, 0);
	fk_send_tc(JITSIM_TCAP_CONTINUE, otid, own, 0, 0, &c, imsi);

	fk_recv(&in, op);
	if (in.t.type != JITSIM_TCAP_END || in.t.dtid != otid)
		fk_fail("%s: not an End of the UL dialogue", op);
	err = fk_error_of(&in);
	if (err >= 0) {
		printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"isd\":true,\"error\":%d}\n", op, imsi,
		       err);
		return;
	}
	r = fk_comp(&in, JITSIM_TCAP_RESULT_LAST, op);
	{
		struct jitsim_map_ids res;

		if (r->invoke_id != 1 || r->opcode != opcode ||
		    jitsim_map_decode_result(opcode, r->param, r->param_len, &res) != JITSIM_R_OK ||
		    !res.has_hlr)
			fk_fail("%s: the End has no UL result with hlr-Number", op);
		printf("{\"op\":\"%s\",\"imsi\":\"%s\",\"msisdn\":\"%s\",\"hlr\":\"%s\",\"ms\":%."
		       "0f,"
		       "\"apn_seen\":%s",
		       op, imsi, got.has_msisdn ? got.msisdn.d : "", res.hlr.d,
		       (fk_now() - t0) * 1000, apn_seen ? "true" : "false");
	}
	if (fk_handover) {
		struct jitsim_map_ids cl;

		fk_recv(&in, "cancelLocation");
		if (in.t.type != JITSIM_TCAP_BEGIN || !in.t.has_otid ||
		    in.t.otid >> 24 != JITSIM_FTA_TID_TAG || in.t.otid == own)
			fk_fail("cancelLocation: not a Begin from a new 0xCF otid");
		if (!in.t.has_dialogue || in.t.dialogue_pdu != JITSIM_TCAP_AARQ ||
		    in.t.map_ac != JITSIM_MAP_AC_LOCATION_CANCELLATION || in.t.map_version != 3)
			fk_fail("cancelLocation: no AARQ for locationCancellation v3");
		r = fk_comp(&in, JITSIM_TCAP_INVOKE, "cancelLocation");
		if (r->opcode != JITSIM_MAP_OP_CANCEL_LOCATION ||
		    jitsim_map_decode_invoke(r->opcode, r->param, r->param_len, &cl) !=
			    JITSIM_R_OK ||
		    !cl.has_imsi || strcmp(cl.imsi.d, imsi) != 0)
			fk_fail("cancelLocation: not for IMSI %s", imsi);
		c = jitsim_map_fta_comp_result(r->invoke_id, JITSIM_MAP_OP_CANCEL_LOCATION, NULL,
					       0);
		fk_send_tc(JITSIM_TCAP_END, 0, in.t.otid, 0, 0, &c, imsi);
		printf(",\"cl\":true");
	}
	printf("}\n");
}

/* An operation the engine does not serve: PurgeMS. */
static void
fk_other(const char *imsi)
{
	uint8_t abuf[128];
	struct jitsim_wbuf aw;
	struct jitsim_map_ids ids;
	struct jitsim_tcap_component c;
	struct fk_in in;
	uint32_t otid = ++fk_tid;

	memset(&ids, 0, sizeof(ids));
	ids.has_imsi = ids.has_vlr = true;
	jitsim_digits_set(&ids.imsi, imsi);
	jitsim_digits_set(&ids.vlr, FK_VLR_GT);
	jitsim_wbuf_init(&aw, abuf, sizeof(abuf), sizeof(abuf));
	if (jitsim_map_encode_invoke(&aw, JITSIM_MAP_OP_PURGE_MS, 3, &ids) != JITSIM_R_OK)
		fk_fail("purgeMS does not encode");
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_PURGE_MS, jitsim_wbuf_data(&aw),
				       jitsim_wbuf_len(&aw));
	fk_send_tc(JITSIM_TCAP_BEGIN, otid, 0, 27 /* msPurgingContext */, 3, &c, imsi);
	fk_recv(&in, "other");
	if (in.t.type != JITSIM_TCAP_END || in.t.dtid != otid)
		fk_fail("other: not an End to our otid");
	printf("{\"op\":\"other\",\"imsi\":\"%s\",\"error\":%d}\n", imsi, fk_error_of(&in));
}

/* --- S6a --- */

/* A Diameter request onto sig_up as a worker hands it to jitsim-cp. */
static void
fk_diam_up(const uint8_t *p, size_t n, const char *imsi, uint8_t flags)
{
	struct jitsim_sig_msg m;

	if (n > JITSIM_SIG_DATA_MAX)
		fk_fail("Diameter message of %zu octets", n);
	memset(&m, 0, sizeof(m));
	m.kind = JITSIM_SIG_DIAM_IN;
	m.sim_state = JITSIM_SIM_INVENTORY;
	m.len = (uint16_t)n;
	m.assoc = FK_ASSOC;
	m.flags = flags;
	m.seq = ++fk_seq;
	m.ts_s = (uint32_t)time(NULL);
	m.imsi = imsi != NULL ? jitsim_digits_key_str(imsi) : 0;
	memcpy(m.data, p, n);
	if (jitsim_shm_sig_up_put(&fk_shm, &m, 1) != 1)
		fk_fail("sig_up full");
}

/* The next Diameter record jitsim-cp sends: on our peer, with @hbh when
 * @answer (an answer to our request), else a request of its own. */
static void
fk_diam_recv(struct jitsim_sig_msg *m, struct jitsim_diam_hdr *h, bool answer, uint32_t hbh,
	     const char *what)
{
	const struct timespec pause = {.tv_sec = 0, .tv_nsec = 1000000};

	for (double end = fk_now() + fk_wait; fk_now() < end;) {
		jitsim_shm_heartbeat(&fk_shm);
		if (jitsim_shm_sig_down_get(&fk_shm, m, 1) != 1) {
			nanosleep(&pause, NULL);
			continue;
		}
		if (m->kind != JITSIM_SIG_DIAM_SEND)
			continue; /* an SS7 record: not for this command */
		if (m->assoc != FK_ASSOC)
			fk_fail("%s: sent on dp peer %u, not %u", what, m->assoc, FK_ASSOC);
		if (jitsim_diam_decode_hdr(m->data, m->len, h) != JITSIM_R_OK ||
		    h->length != m->len)
			fk_fail("%s: not one whole Diameter message", what);
		if (answer && (h->flags & JITSIM_DIAM_FLAG_R) == 0 && h->hbh == hbh)
			return;
		if (!answer && (h->flags & JITSIM_DIAM_FLAG_R) != 0)
			return;
		fk_fail("%s: unexpected %s %u (hbh %08x)", what,
			(h->flags & JITSIM_DIAM_FLAG_R) != 0 ? "request" : "answer", h->cmd,
			h->hbh);
	}
	fk_fail("%s: nothing on sig_down within %.0f s", what, fk_wait);
}

/* Result-Code / Experimental-Result-Code of an answer as JSON. */
static void
fk_print_result(const struct jitsim_s6a *a)
{
	if (a->has_result_code)
		printf(",\"result\":%u", a->result_code);
	else
		printf(",\"result\":null");
	if (a->has_exp_result)
		printf(",\"exp\":%u", a->exp_result_code);
	else
		printf(",\"exp\":null");
}

/* An AIR for @n vectors (with RAND || AUTS when @rand). */
static size_t
fk_air_build(uint8_t *buf, size_t cap, const char *imsi, unsigned int n, uint32_t hbh, uint32_t e2e,
	     const uint8_t *rand, const uint8_t *auts)
{
	static const struct jitsim_s6a_fta_origin mme = {FK_MME_HOST, FK_MME_REALM};
	char sid[96];
	struct jitsim_digits d;
	struct jitsim_s6a_fta_air_req q;
	struct jitsim_wbuf w;

	snprintf(sid, sizeof(sid), "%s;%u;%u", FK_MME_HOST, fk_tid_base, e2e);
	jitsim_digits_set(&d, imsi);
	memset(&q, 0, sizeof(q));
	q.hbh = hbh;
	q.e2e = e2e;
	q.session_id = sid;
	q.dest_realm = FK_HSS_REALM;
	q.imsi = &d;
	q.visited_plmn = fk_plmn;
	q.eutran.present = true;
	q.eutran.n_requested = n;
	if (rand != NULL) {
		q.eutran.has_resync = true;
		memcpy(q.eutran.rand, rand, 16);
		memcpy(q.eutran.auts, auts, 14);
	}
	jitsim_wbuf_init(&w, buf, cap, 0);
	if (jitsim_s6a_fta_air_encode(&w, &mme, &q) != JITSIM_R_OK)
		fk_fail("AIR does not encode");
	return jitsim_wbuf_len(&w);
}

/* The E-UTRAN vectors of an AIA, each checked with the SIM's keys:
 * prints ,"n":N,"sqn":[...],"ok":bool. */
static void
fk_aia_vectors(const uint8_t *p, size_t len, const char *imsi, const char *what)
{
	const struct fk_key *k = fk_key_of(imsi);
	struct jitsim_diam_hdr h;
	struct jitsim_diam_avp ai, v, f;
	struct jitsim_diam_avp_iter it, iv;
	uint8_t plmn[3];
	unsigned int n = 0;
	bool ok = true;

	if (k == NULL)
		fk_fail("%s: no keys for %s", what, imsi);
	if (jitsim_plmn_encode(fk_plmn, plmn) != 0)
		fk_fail("bad --plmn");
	if (jitsim_diam_decode_hdr(p, len, &h) != JITSIM_R_OK ||
	    jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_AUTHENTICATION_INFO,
				 JITSIM_DIAM_VENDOR_3GPP, &ai) != JITSIM_R_OK)
		fk_fail("%s: AIA without Authentication-Info", what);
	printf(",\"sqn\":[");
	jitsim_diam_avp_iter_init(&it, ai.data, ai.data_len);
	while (jitsim_diam_avp_next(&it, &v) == JITSIM_R_OK) {
		const uint8_t *rand = NULL, *xres = NULL, *autn = NULL, *kasme = NULL;
		size_t xres_len = 0;
		uint8_t res[8], ck[16], ik[16], ak[6], aks[6], mac_a[8], mac_s[8], sqn[6], kk[32];
		uint64_t sq = 0;

		if (v.code != JITSIM_AVP_E_UTRAN_VECTOR) {
			ok = false;
			continue;
		}
		jitsim_diam_avp_iter_init(&iv, v.data, v.data_len);
		while (jitsim_diam_avp_next(&iv, &f) == JITSIM_R_OK) {
			if (f.code == JITSIM_AVP_RAND && f.data_len == 16)
				rand = f.data;
			else if (f.code == JITSIM_AVP_XRES)
				xres = f.data, xres_len = f.data_len;
			else if (f.code == JITSIM_AVP_AUTN && f.data_len == 16)
				autn = f.data;
			else if (f.code == JITSIM_AVP_KASME && f.data_len == 32)
				kasme = f.data;
		}
		if (rand == NULL || xres == NULL || autn == NULL || kasme == NULL)
			fk_fail("%s: an E-UTRAN-Vector lacks RAND, XRES, AUTN or KASME", what);
		if (jitsim_milenage_f2345(fk_mil, k->ki, k->opc, rand, res, ck, ik, ak, aks) != 0)
			fk_fail("milenage");
		for (unsigned int b = 0; b < 6; b++) {
			sqn[b] = autn[b] ^ ak[b];
			sq = sq << 8 | sqn[b];
		}
		/* TS 33.401 6.1.1: the AMF separation bit is set for E-UTRAN. */
		if (xres_len != 8 || memcmp(xres, res, 8) != 0 || (autn[6] & 0x80) == 0)
			ok = false;
		if (jitsim_milenage_f1(fk_mil, k->ki, k->opc, rand, sqn, autn + 6, mac_a, mac_s) !=
			    0 ||
		    memcmp(mac_a, autn + 8, 8) != 0)
			ok = false;
		/* KASME = KDF(CK || IK, serving network id, SQN xor AK). */
		if (jitsim_kasme(ck, ik, plmn, autn, kk) != 0 || memcmp(kk, kasme, 32) != 0)
			ok = false;
		printf("%s%" PRIu64, n > 0 ? "," : "", sq);
		n++;
	}
	printf("],\"n\":%u,\"ok\":%s", n, ok && n > 0 ? "true" : "false");
}

/* One AIR and its answer: "result", "exp", and the vectors when 2001. */
static void
fk_air(const char *imsi, unsigned int n, const char *op, bool dup, const uint8_t *rand,
       const uint8_t *auts)
{
	uint8_t req[1024], first[JITSIM_SIG_DATA_MAX];
	struct jitsim_sig_msg m;
	struct jitsim_diam_hdr h;
	struct jitsim_s6a a;
	const uint32_t hbh = ++fk_tid, e2e = ++fk_e2e;
	size_t len = fk_air_build(req, sizeof(req), imsi, n, hbh, e2e, rand, auts), flen = 0;
	bool same = false;

	fk_diam_up(req, len, imsi, 0);
	fk_diam_recv(&m, &h, true, hbh, op);
	if (h.cmd != JITSIM_S6A_CMD_AIR || h.e2e != e2e)
		fk_fail("%s: answer of command %u, e2e %08x", op, h.cmd, h.e2e);
	if (dup) {
		/* The MME's retransmission (RFC 6733 5.5.4): same bytes, T bit,
		 * new hop-by-hop id; the worker flags it. */
		const uint32_t hbh2 = ++fk_tid;
		struct jitsim_sig_msg m2;
		struct jitsim_diam_hdr h2;

		flen = m.len;
		memcpy(first, m.data, m.len);
		req[4] |= JITSIM_DIAM_FLAG_T;
		jitsim_put_be32(req + 12, hbh2);
		fk_diam_up(req, len, imsi, JITSIM_SIG_F_DUP);
		fk_diam_recv(&m2, &h2, true, hbh2, op);
		jitsim_put_be32(m2.data + 12, hbh);
		same = m2.len == flen && memcmp(m2.data, first, flen) == 0;
	}
	if (jitsim_s6a_decode(m.data, m.len, &a) != JITSIM_R_OK)
		fk_fail("%s: the answer does not decode", op);
	printf("{\"op\":\"%s\",\"imsi\":\"%s\"", op, imsi);
	fk_print_result(&a);
	if (a.has_result_code && a.result_code == JITSIM_DIAM_SUCCESS)
		fk_aia_vectors(m.data, m.len, imsi, op);
	if (dup)
		printf(",\"same\":%s", same ? "true" : "false");
	printf("}\n");
}

static void
fk_diam_event(const char *imsi)
{
	struct jitsim_event ev;

	memset(&ev, 0, sizeof(ev));
	ev.type = JITSIM_EV_FIRST_ATTACH;
	ev.proto = JITSIM_EV_PROTO_DIAMETER;
	ev.op = JITSIM_S6A_CMD_ULR;
	ev.visited_kind = JITSIM_EV_VIS_PLMN;
	ev.prev_state = JITSIM_SIM_INVENTORY;
	ev.rat_type = JITSIM_S6A_RAT_EUTRAN;
	ev.seq = jitsim_shm_event_last_seq(&fk_shm, 0) + 1;
	ev.lease_until = (uint32_t)time(NULL) + 60;
	ev.ts_s = (uint32_t)time(NULL);
	ev.imsi = jitsim_digits_key_str(imsi);
	ev.visited = jitsim_digits_key_str(fk_plmn);
	if (jitsim_shm_event_put(&fk_shm, 0, &ev, 1) != 1)
		fk_fail("event ring 0 full");
}

/* A ULR, PUR or NOR from the MME, as jitsim_s6a_encode() builds them. */
static size_t
fk_s6a_req(uint8_t *buf, size_t cap, uint32_t cmd, const char *imsi, uint32_t hbh, uint32_t e2e)
{
	char sid[96];
	struct jitsim_s6a_msg q;
	struct jitsim_wbuf w;

	snprintf(sid, sizeof(sid), "%s;%u;%u", FK_MME_HOST, fk_tid_base, e2e);
	memset(&q, 0, sizeof(q));
	q.cmd = cmd;
	q.is_request = true;
	q.hbh = hbh;
	q.e2e = e2e;
	q.session_id = sid;
	q.origin_host = FK_MME_HOST;
	q.origin_realm = FK_MME_REALM;
	q.dest_host = "hss.jitsim.example";
	q.dest_realm = FK_HSS_REALM;
	q.imsi = imsi;
	q.visited_plmn = fk_plmn;
	q.rat_type = JITSIM_S6A_RAT_EUTRAN;
	q.ulr_flags = JITSIM_S6A_ULR_S6A_S6D_INDICATOR | JITSIM_S6A_ULR_INITIAL_ATTACH_IND;
	jitsim_wbuf_init(&w, buf, cap, 0);
	if (jitsim_s6a_encode(&w, &q) != JITSIM_R_OK)
		fk_fail("S6a request %u does not encode", cmd);
	return jitsim_wbuf_len(&w);
}

/* PUR or NOR: "result", "exp". */
static void
fk_simple(const char *imsi, uint32_t cmd, const char *op)
{
	uint8_t req[1024];
	struct jitsim_sig_msg m;
	struct jitsim_diam_hdr h;
	struct jitsim_s6a a;
	const uint32_t hbh = ++fk_tid, e2e = ++fk_e2e;
	size_t len = fk_s6a_req(req, sizeof(req), cmd, imsi, hbh, e2e);

	fk_diam_up(req, len, imsi, 0);
	fk_diam_recv(&m, &h, true, hbh, op);
	if (h.cmd != cmd || jitsim_s6a_decode(m.data, m.len, &a) != JITSIM_R_OK)
		fk_fail("%s: not an answer to it", op);
	printf("{\"op\":\"%s\",\"imsi\":\"%s\"", op, imsi);
	fk_print_result(&a);
	printf("}\n");
}

/* FIRST_ATTACH + ULR -> ULA, then (--handover) CLR -> CLA. With @dup,
 * the MME's retransmission goes up while the first ULR waits (before the
 * event that starts the activation, so it cannot be answered yet), and
 * once more after the ULA: "same" (that one gets the ULA's bytes). */
static void
fk_ulr(const char *imsi, bool dup)
{
	uint8_t req[1024];
	struct jitsim_sig_msg m;
	struct jitsim_diam_hdr h;
	struct jitsim_s6a a;
	const uint32_t hbh1 = ++fk_tid, e2e = ++fk_e2e;
	size_t len = fk_s6a_req(req, sizeof(req), JITSIM_S6A_CMD_ULR, imsi, hbh1, e2e);
	uint32_t hbh = hbh1;
	double t0;

	t0 = fk_now();
	if (dup) {
		fk_diam_up(req, len, imsi, 0);
		req[4] |= JITSIM_DIAM_FLAG_T;
		/* The ULA answers the latest copy (its peer, its hop-by-hop id:
		 * after a failover the first one's connection may be gone). */
		hbh = ++fk_tid;
		jitsim_put_be32(req + 12, hbh);
		fk_diam_up(req, len, imsi, JITSIM_SIG_F_DUP);
		if (!fk_no_event)
			fk_diam_event(imsi);
	} else {
		/* As jitsim-dp does: the event to the workflow, the ULR to the
		 * engine. */
		if (!fk_no_event)
			fk_diam_event(imsi);
		fk_diam_up(req, len, imsi, 0);
	}
	/* Only one answer may come (fk_diam_recv fails on any other
	 * hop-by-hop id). */
	fk_diam_recv(&m, &h, true, hbh, "ulr");
	if (h.cmd != JITSIM_S6A_CMD_ULR || jitsim_s6a_decode(m.data, m.len, &a) != JITSIM_R_OK)
		fk_fail("ulr: not a ULA");
	printf("{\"op\":\"%s\",\"imsi\":\"%s\"", dup ? "ulrdup" : "ulr", imsi);
	fk_print_result(&a);
	if (dup) {
		const uint32_t hbh3 = ++fk_tid;
		struct jitsim_sig_msg m3;
		struct jitsim_diam_hdr h3;

		jitsim_put_be32(req + 12, hbh3);
		fk_diam_up(req, len, imsi, JITSIM_SIG_F_DUP);
		fk_diam_recv(&m3, &h3, true, hbh3, "ulrdup");
		jitsim_put_be32(m3.data + 12, hbh);
		printf(",\"same\":%s",
		       m3.len == m.len && memcmp(m3.data, m.data, m.len) == 0 ? "true" : "false");
	}
	if (!a.has_result_code || a.result_code != JITSIM_DIAM_SUCCESS) {
		printf("}\n");
		return;
	}
	printf(",\"msisdn\":\"%s\",\"ms\":%.0f", a.has_msisdn ? a.msisdn.d : "",
	       (fk_now() - t0) * 1000);
	if (fk_handover) {
		struct jitsim_diam_avp ct;
		uint32_t type = 0;
		uint8_t cla[512];
		struct jitsim_wbuf w;
		struct jitsim_s6a_msg q;
		char sid[256];

		for (int skip = 0; skip <= fk_cla_skip; skip++) {
			fk_diam_recv(&m, &h, false, 0, "clr");
			if (skip < fk_cla_skip && h.cmd == JITSIM_S6A_CMD_CLR)
				printf(",\"clr_skipped\":%d", skip + 1);
		}
		if (h.cmd != JITSIM_S6A_CMD_CLR || h.hbh >> 24 != JITSIM_DIAM_HBH_TAG ||
		    jitsim_s6a_decode(m.data, m.len, &a) != JITSIM_R_OK)
			fk_fail("clr: not a CLR with a 0xCF hop-by-hop id");
		if (a.dest_host.p == NULL || a.dest_host.len != strlen(FK_MME_HOST) ||
		    memcmp(a.dest_host.p, FK_MME_HOST, a.dest_host.len) != 0 ||
		    a.dest_realm.p == NULL || a.dest_realm.len != strlen(FK_MME_REALM) ||
		    memcmp(a.dest_realm.p, FK_MME_REALM, a.dest_realm.len) != 0)
			fk_fail("clr: Destination-Host/Realm are not the ULR's origin");
		if (!a.has_user_name || strcmp(a.user_name.d, imsi) != 0)
			fk_fail("clr: not for IMSI %s", imsi);
		if (jitsim_diam_avp_find(h.avps, h.avps_len, JITSIM_AVP_CANCELLATION_TYPE,
					 JITSIM_DIAM_VENDOR_3GPP, &ct) != JITSIM_R_OK ||
		    jitsim_diam_avp_u32(&ct, &type) != JITSIM_R_OK ||
		    type != JITSIM_S6A_CANCEL_SUBSCRIPTION_WITHDRAWAL)
			fk_fail("clr: Cancellation-Type %u, not SUBSCRIPTION_WITHDRAWAL", type);
		if (a.session_id.p == NULL || a.session_id.len >= sizeof(sid))
			fk_fail("clr: no Session-Id");
		memcpy(sid, a.session_id.p, a.session_id.len);
		sid[a.session_id.len] = '\0';
		/* The MME's CLA, handed back by diamio as an answer. */
		memset(&q, 0, sizeof(q));
		q.cmd = JITSIM_S6A_CMD_CLR;
		q.hbh = h.hbh;
		q.e2e = h.e2e;
		q.session_id = sid;
		q.origin_host = FK_MME_HOST;
		q.origin_realm = FK_MME_REALM;
		q.result_code = JITSIM_DIAM_SUCCESS;
		jitsim_wbuf_init(&w, cla, sizeof(cla), 0);
		if (jitsim_s6a_encode(&w, &q) != JITSIM_R_OK)
			fk_fail("CLA does not encode");
		fk_diam_up(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), imsi, JITSIM_SIG_F_ANSWER);
		printf(",\"clr\":true");
	}
	printf("}\n");
}

int
main(int argc, char **argv)
{
	static const struct option opts[] = {
		{"instance", required_argument, NULL, 'i'},
		{"keys", required_argument, NULL, 'k'},
		{"own-pc", required_argument, NULL, 'p'},
		{"wait", required_argument, NULL, 'w'},
		{"handover", no_argument, NULL, 'h'},
		{"apn", required_argument, NULL, 'a'},
		{"event-visited", required_argument, NULL, 'v'},
		{"no-event", no_argument, NULL, 'n'},
		{"plmn", required_argument, NULL, 'P'},
		{"cla-skip", required_argument, NULL, 'S'},
		{NULL, 0, NULL, 0},
	};
	const char *instance = NULL, *keys = NULL;
	char err[256];
	int o;

	while ((o = getopt_long(argc, argv, "", opts, NULL)) != -1) {
		if (o == 'i')
			instance = optarg;
		else if (o == 'k')
			keys = optarg;
		else if (o == 'p')
			fk_own_pc = (uint16_t)atoi(optarg);
		else if (o == 'w')
			fk_wait = atof(optarg);
		else if (o == 'h')
			fk_handover = true;
		else if (o == 'a')
			fk_apn = optarg;
		else if (o == 'v')
			fk_ev_visited = optarg;
		else if (o == 'n')
			fk_no_event = true;
		else if (o == 'P')
			fk_plmn = optarg;
		else if (o == 'S')
			fk_cla_skip = atoi(optarg);
		else
			return 2;
	}
	if (instance == NULL || keys == NULL || fk_own_pc == 0 || optind >= argc) {
		fprintf(stderr, "usage: fta_fakedp --instance NAME --keys FILE --own-pc PC "
				"[--wait SEC] [--handover] [--apn APN] CMD ARGS...\n");
		return 2;
	}
	fk_mil = jitsim_milenage_new();
	if (fk_mil == NULL)
		return 1;
	if (jitsim_shm_open(&fk_shm, instance, JITSIM_SHM_ROLE_DP, NULL, 2000, err, sizeof(err)) !=
	    0) {
		fprintf(stderr, "fta_fakedp: %s\n", err);
		return 1;
	}
	fk_load_keys(keys);
	/* A random otid range of 256 per run: answers to another run's
	 * requests are told apart (fk_recv). */
	if (getrandom(&fk_tid_base, sizeof(fk_tid_base), 0) != sizeof(fk_tid_base))
		fk_fail("getrandom");
	fk_tid_base = 0x10000000u | (fk_tid_base & 0xfffffu) << 8;
	fk_tid = fk_tid_base;
	fk_e2e = fk_tid_base;
	for (int i = optind; i < argc;) {
		const char *cmd = argv[i];
		const char *imsi = i + 1 < argc ? argv[i + 1] : NULL;

		if (imsi == NULL)
			fk_fail("%s: IMSI missing", cmd);
		if (strcmp(cmd, "sai") == 0 && i + 2 < argc) {
			fk_sai_common(imsi, (unsigned int)atoi(argv[i + 2]), 3, NULL, NULL, "sai");
			i += 3;
		} else if (strcmp(cmd, "sai2") == 0) {
			fk_sai_common(imsi, 1, 2, NULL, NULL, "sai2");
			i += 2;
		} else if ((strcmp(cmd, "resync") == 0 && i + 2 < argc) ||
			   strcmp(cmd, "badresync") == 0) {
			const bool bad = cmd[0] == 'b';
			uint8_t rand[16], auts[14];

			for (unsigned int b = 0; b < 16; b++)
				rand[b] = (uint8_t)(0x5a ^ b * 7);
			fk_auts(imsi, bad ? 4096 : strtoull(argv[i + 2], NULL, 10), rand, auts,
				bad);
			fk_sai_common(imsi, 2, 3, rand, auts, cmd);
			i += bad ? 2 : 3;
		} else if (strcmp(cmd, "attach") == 0 || strcmp(cmd, "ugl") == 0 ||
			   strcmp(cmd, "isderr") == 0 || strcmp(cmd, "abort") == 0 ||
			   strcmp(cmd, "returned") == 0) {
			fk_attach(imsi, cmd[0] == 'u',
				  cmd[0] == 'i'	  ? FK_ISD_ERROR
				  : cmd[0] == 'r' ? FK_ISD_RETURN
				  : cmd[1] == 'b' ? FK_ISD_ABORT
						  : FK_ISD_RESULT,
				  cmd);
			i += 2;
		} else if (strcmp(cmd, "other") == 0) {
			fk_other(imsi);
			i += 2;
		} else if ((strcmp(cmd, "air") == 0 || strcmp(cmd, "airdup") == 0) &&
			   i + 2 < argc) {
			fk_air(imsi, (unsigned int)atoi(argv[i + 2]), cmd, cmd[3] == 'd', NULL,
			       NULL);
			i += 3;
		} else if (strcmp(cmd, "airresync") == 0 && i + 2 < argc) {
			uint8_t rand[16], auts[14];

			for (unsigned int b = 0; b < 16; b++)
				rand[b] = (uint8_t)(0xa5 ^ b * 11);
			fk_auts(imsi, strtoull(argv[i + 2], NULL, 10), rand, auts, false);
			fk_air(imsi, 2, cmd, false, rand, auts);
			i += 3;
		} else if (strcmp(cmd, "ulr") == 0 || strcmp(cmd, "ulrdup") == 0) {
			fk_ulr(imsi, cmd[3] == 'd');
			i += 2;
		} else if (strcmp(cmd, "pur") == 0 || strcmp(cmd, "nor") == 0 ||
			   strcmp(cmd, "idr") == 0) {
			fk_simple(imsi,
				  cmd[0] == 'p'	  ? JITSIM_S6A_CMD_PUR
				  : cmd[0] == 'n' ? JITSIM_S6A_CMD_NOR
						  : JITSIM_S6A_CMD_IDR,
				  cmd);
			i += 2;
		} else {
			fk_fail("bad command '%s'", cmd);
		}
		fflush(stdout);
	}
	jitsim_shm_close(&fk_shm);
	jitsim_milenage_free(fk_mil);
	return 0;
}
