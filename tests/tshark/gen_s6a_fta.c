/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * gen_s6a_fta: the requests a test MME sends (AIR with re-synchronisation,
 * ULR, PUR, NOR), each parsed by the First Time Attach parsers (s6a_fta.h),
 * and every answer the builders make from them (AIA with E-UTRAN, UTRAN
 * and GERAN vectors, ULA with Subscription-Data, PUA, NOA, error answers
 * with Experimental-Result, Result-Code and Failed-AVP), plus a CLR; each
 * in TCP port 3868, IPv4, Ethernet, into a pcap file; one JSON line per
 * frame with the intent (command, request or answer, IMSI, result, fields
 * and how many of each tshark must show), for s6a_fta_check.py.
 *   gen_s6a_fta OUT.pcap
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/s6a_fta.h>
#include <jitsim/proto/tcp.h>

#define FRAME_MAX 4096
#define HEADROOM 64
#define M JITSIM_DIAM_AVP_M
#define V3 JITSIM_DIAM_VENDOR_3GPP

static const char imsi_s[] = "262019876543210";
static const struct jitsim_s6a_fta_origin hss = {"hss.jitsim.test", "jitsim.test"};

struct gen {
	pcap_dumper_t *d;
	unsigned int n;
	uint32_t seq[2]; /* per direction: 0 MME -> HSS, 1 HSS -> MME */
};

static void
die(const char *what, enum jitsim_reason r)
{
	fprintf(stderr, "gen_s6a_fta: %s: %s\n", what, jitsim_proto_strerror(r));
	exit(1);
}

static void
check(const char *what, enum jitsim_reason r)
{
	if (r != JITSIM_R_OK)
		die(what, r);
}

/* TCP + IPv4 + Ethernet around the Diameter message in @p w, then into the pcap. */
static void
emit(struct gen *g, struct jitsim_wbuf *w, bool to_hss, const char *intent)
{
	static const uint8_t mac_mme[6] = {0x02, 0, 0, 0, 0, 0x01},
			     mac_hss[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t ip_mme[4] = {192, 0, 2, 1}, ip_hss[4] = {192, 0, 2, 2};
	struct jitsim_tcp t = {.sport = to_hss ? 40000 : 3868, .dport = to_hss ? 3868 : 40000};
	struct pcap_pkthdr h = {.ts = {.tv_sec = 1767225600 + g->n}};
	size_t len = jitsim_wbuf_len(w);
	enum jitsim_reason r;

	/* Consecutive segments of one connection, so tshark sees no gap. */
	t.seq = g->seq[to_hss ? 0 : 1];
	t.ack = g->seq[to_hss ? 1 : 0];
	g->seq[to_hss ? 0 : 1] += (uint32_t)len;
	r = jitsim_tcp_encode(w, &t, to_hss ? ip_mme : ip_hss, to_hss ? ip_hss : ip_mme, 4);
	if (r == JITSIM_R_OK)
		r = jitsim_ipv4_encode(w, to_hss ? ip_mme : ip_hss, to_hss ? ip_hss : ip_mme,
				       JITSIM_IPPROTO_TCP, (uint16_t)g->n);
	if (r == JITSIM_R_OK)
		r = jitsim_eth_encode(w, to_hss ? mac_hss : mac_mme, to_hss ? mac_mme : mac_hss,
				      NULL, 0, JITSIM_ETHERTYPE_IPV4);
	check("lower layers", r);
	h.caplen = h.len = (bpf_u_int32)jitsim_wbuf_len(w);
	pcap_dump((u_char *)g->d, &h, jitsim_wbuf_data(w));
	g->n++;
	printf("{\"frame\":%u,%s}\n", g->n, intent);
}

/* The AIR of a test MME: every AVP the parser reads, resync, one Proxy-Info. */
static size_t
build_air(uint8_t *buf, size_t cap)
{
	struct jitsim_diam_hdr h = {.flags = JITSIM_DIAM_FLAG_R | JITSIM_DIAM_FLAG_P,
				    .cmd = JITSIM_S6A_CMD_AIR,
				    .app_id = JITSIM_S6A_APP_ID,
				    .hbh = 0x11223344,
				    .e2e = 0x55667788};
	struct jitsim_wbuf w;
	size_t start, grp;
	uint8_t plmn[3], rs[JITSIM_S6A_RESYNC_LEN];

	for (size_t i = 0; i < sizeof(rs); i++)
		rs[i] = (uint8_t)(0xa0 + i);
	jitsim_plmn_encode("26201", plmn);
	jitsim_wbuf_init(&w, buf, cap, HEADROOM);
	check("air", jitsim_diam_encode_hdr(&w, &h, &start));
	check("air", jitsim_diam_encode_avp_str(&w, JITSIM_AVP_SESSION_ID, M, 0,
						"mme.visited.test;1767225600;1"));
	check("air", jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_AUTH_SESSION_STATE, M, 0, 1));
	check("air",
	      jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_HOST, M, 0, "mme.visited.test"));
	check("air", jitsim_diam_encode_avp_str(&w, JITSIM_AVP_ORIGIN_REALM, M, 0, "visited.test"));
	check("air",
	      jitsim_diam_encode_avp_str(&w, JITSIM_AVP_DESTINATION_REALM, M, 0, "jitsim.test"));
	check("air", jitsim_diam_encode_avp_str(&w, JITSIM_AVP_USER_NAME, M, 0, imsi_s));
	check("air", jitsim_diam_encode_group_begin(&w, JITSIM_AVP_REQUESTED_EUTRAN_AUTH_INFO, M,
						    V3, &grp));
	check("air",
	      jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3, 3));
	check("air",
	      jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_IMMEDIATE_RESPONSE_PREFERRED, M, V3, 0));
	check("air", jitsim_diam_encode_avp(&w, JITSIM_AVP_RE_SYNCHRONIZATION_INFO, M, V3, rs,
					    sizeof(rs)));
	jitsim_diam_encode_group_end(&w, grp);
	check("air", jitsim_diam_encode_group_begin(&w, JITSIM_AVP_REQUESTED_UTRAN_GERAN_AUTH_INFO,
						    M, V3, &grp));
	check("air",
	      jitsim_diam_encode_avp_u32(&w, JITSIM_AVP_NUMBER_OF_REQUESTED_VECTORS, M, V3, 2));
	jitsim_diam_encode_group_end(&w, grp);
	check("air", jitsim_diam_encode_avp(&w, JITSIM_AVP_VISITED_PLMN_ID, M, V3, plmn, 3));
	check("air", jitsim_diam_encode_group_begin(&w, JITSIM_AVP_PROXY_INFO, M, 0, &grp));
	check("air", jitsim_diam_encode_avp_str(&w, 280 /* Proxy-Host */, M, 0, "dra.test"));
	check("air", jitsim_diam_encode_avp_str(&w, 33 /* Proxy-State */, M, 0, "s1"));
	jitsim_diam_encode_group_end(&w, grp);
	jitsim_diam_encode_finish(&w, start);
	return jitsim_wbuf_len(&w);
}

/* Emit the request built in @p buf (from HEADROOM, @p len octets). */
static void
emit_req(struct gen *g, uint8_t *buf, size_t len, const char *intent)
{
	struct jitsim_wbuf w = {
		.buf = buf, .cap = FRAME_MAX, .head = HEADROOM, .tail = HEADROOM + len};

	emit(g, &w, true, intent);
}

static void
vectors(struct jitsim_s6a_fta_eutran_vector *e, struct jitsim_s6a_fta_utran_vector *u,
	struct jitsim_s6a_fta_geran_vector *gv)
{
	for (int i = 0; i < JITSIM_S6A_FTA_VECTORS_MAX; i++) {
		for (int k = 0; k < 16; k++) {
			e[i].rand[k] = u[i].rand[k] = gv[i].rand[k] = (uint8_t)(i * 16 + k);
			e[i].xres[k] = u[i].xres[k] = (uint8_t)(0x40 + k);
			e[i].autn[k] = u[i].autn[k] = (uint8_t)(0xc0 + k);
			u[i].ck[k] = (uint8_t)(0x80 + k);
			u[i].ik[k] = (uint8_t)(0x90 + k);
		}
		for (int k = 0; k < 32; k++)
			e[i].kasme[k] = (uint8_t)(0xe0 + k);
		e[i].xres_len = 8;
		u[i].xres_len = 16;
		memset(gv[i].sres, 0x55, sizeof(gv[i].sres));
		memset(gv[i].kc, 0x66, sizeof(gv[i].kc));
	}
}

static void
air_frames(struct gen *g)
{
	struct jitsim_s6a_fta_eutran_vector ev[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_utran_vector uv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_geran_vector gv[JITSIM_S6A_FTA_VECTORS_MAX];
	struct jitsim_s6a_fta_auth_info ai = {ev, 3, NULL, 0, NULL, 0};
	uint8_t req[FRAME_MAX], bad[FRAME_MAX], buf[FRAME_MAX];
	struct jitsim_s6a_fta_air a;
	struct jitsim_wbuf w;
	size_t n;

	vectors(ev, uv, gv);
	n = build_air(req, sizeof(req));
	check("air parse", jitsim_s6a_fta_air_decode(req + HEADROOM, n, &a));
	if (!a.eutran.has_resync || a.utran_geran.n_requested != 2 || a.req.n_proxy_info != 1)
		die("air parse", JITSIM_R_BAD_PARAM);
	emit_req(g, req, n,
		 "\"what\":\"AIR of the test MME\",\"cmd\":318,\"req\":true,"
		 "\"imsi\":\"262019876543210\",\"count\":{\"diameter.Re-Synchronization-Info\":1,"
		 "\"diameter.Number-Of-Requested-Vectors\":2,\"diameter.Proxy-Info\":1}");

	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("aia", jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai));
	emit(g, &w, false,
	     "\"what\":\"AIA, 3 E-UTRAN vectors\",\"cmd\":318,\"req\":false,\"result\":2001,"
	     "\"count\":{\"diameter.E-UTRAN-Vector\":3,\"diameter.Item-Number\":3,"
	     "\"diameter.RAND\":3,\"diameter.XRES\":3,\"diameter.AUTN\":3,\"diameter.KASME\":3,"
	     "\"diameter.Proxy-Info\":1,\"diameter.Auth-Session-State\":1},"
	     "\"values\":{\"diameter.Session-Id\":\"mme.visited.test;1767225600;1\","
	     "\"diameter.Origin-Host\":\"hss.jitsim.test\",\"diameter.Auth-Session-State\":\"1\"}");

	ai.n_eutran = JITSIM_S6A_FTA_VECTORS_MAX;
	ai.utran = uv;
	ai.n_utran = 2;
	ai.geran = gv;
	ai.n_geran = 2;
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("aia", jitsim_s6a_fta_aia_encode(&w, &a.req, &hss, &ai));
	emit(g, &w, false,
	     "\"what\":\"AIA, 5 E-UTRAN, 2 UTRAN, 2 GERAN vectors\",\"cmd\":318,\"req\":false,"
	     "\"result\":2001,\"count\":{\"diameter.E-UTRAN-Vector\":5,\"diameter.UTRAN-Vector\":2,"
	     "\"diameter.GERAN-Vector\":2,\"diameter.Item-Number\":9,\"diameter.RAND\":9,"
	     "\"diameter.Confidentiality-Key\":2,\"diameter.Integrity-Key\":2,"
	     "\"diameter.SRES\":2,\"diameter.Kc\":2}");

	/* LOCKED/BLOCKED SIM and unknown EPS subscription. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("aia 5001", jitsim_s6a_fta_answer_error(&w, &a.req, &hss, 0,
						      JITSIM_S6A_ERROR_USER_UNKNOWN, NULL));
	emit(g, &w, false,
	     "\"what\":\"AIA, Experimental-Result 5001\",\"cmd\":318,\"req\":false,"
	     "\"exp_result\":5001,\"count\":{\"diameter.Experimental-Result\":1,"
	     "\"diameter.Result-Code\":0,\"diameter.Authentication-Info\":0},"
	     "\"values\":{\"diameter.Vendor-Id\":\"10415\"}");
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("aia 5420",
	      jitsim_s6a_fta_answer_error(&w, &a.req, &hss, 0,
					  JITSIM_S6A_ERROR_UNKNOWN_EPS_SUBSCRIPTION, NULL));
	emit(g, &w, false,
	     "\"what\":\"AIA, Experimental-Result 5420\",\"cmd\":318,\"req\":false,"
	     "\"exp_result\":5420");

	/* An AIR without Visited-PLMN-Id: 5005 with an example in Failed-AVP. */
	memcpy(bad, req, HEADROOM + n);
	{
		/* Visited-PLMN-Id is the 15-octet (16 padded) AVP before Proxy-Info: cut it. */
		struct jitsim_diam_avp_iter it;
		struct jitsim_diam_avp av;
		uint8_t *m = bad + HEADROOM;
		size_t off = JITSIM_DIAM_HDR_LEN, k = n;

		jitsim_diam_avp_iter_init(&it, m + off, n - off);
		for (;;) {
			const uint8_t *at = it.p;

			check("walk", jitsim_diam_avp_next(&it, &av));
			if (av.code == JITSIM_AVP_VISITED_PLMN_ID) {
				size_t skip = (size_t)(it.p - at);

				memmove((uint8_t *)(uintptr_t)at, it.p, (size_t)(m + n - it.p));
				k -= skip;
				break;
			}
		}
		m[1] = (uint8_t)(k >> 16);
		m[2] = (uint8_t)(k >> 8);
		m[3] = (uint8_t)k;
		if (jitsim_s6a_fta_air_decode(m, k, &a) != JITSIM_R_DIAM_BAD_AVP ||
		    a.req.err.result_code != JITSIM_DIAM_MISSING_AVP)
			die("air without plmn", JITSIM_R_BAD_PARAM);
		emit_req(g, bad, k,
			 "\"what\":\"AIR without Visited-PLMN-Id\",\"cmd\":318,\"req\":true,"
			 "\"imsi\":\"262019876543210\",\"count\":{\"diameter.Visited-PLMN-Id\":0}");
		jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
		check("aia 5005", jitsim_s6a_fta_answer_error(
					  &w, &a.req, &hss, a.req.err.result_code, 0, &a.req.err));
		emit(g, &w, false,
		     "\"what\":\"AIA, 5005 with Failed-AVP\",\"cmd\":318,\"req\":false,"
		     "\"result\":5005,\"count\":{\"diameter.Failed-AVP\":1,"
		     "\"diameter.Visited-PLMN-Id\":1,\"diameter.Proxy-Info\":1}");
	}
}

/* The AIR builder of the test MME: resync in both requested-info groups. */
static void
air_builder_frames(struct gen *g)
{
	static const struct jitsim_s6a_fta_origin mme = {"mme.visited.test", "visited.test"};
	struct jitsim_digits imsi;
	struct jitsim_s6a_fta_air_req m = {.hbh = 0x41,
					   .e2e = 0x42,
					   .session_id = "mme.visited.test;1767225600;5",
					   .dest_host = "hss.jitsim.test",
					   .dest_realm = "jitsim.test",
					   .imsi = &imsi,
					   .visited_plmn = "310410",
					   .eutran = {.n_requested = 1,
						      .immediate_response_preferred = true,
						      .has_resync = true},
					   .utran_geran = {.n_requested = 1, .has_resync = true}};
	uint8_t req[FRAME_MAX];
	struct jitsim_s6a_fta_air a;
	struct jitsim_wbuf w;

	jitsim_digits_set(&imsi, imsi_s);
	memset(m.eutran.rand, 0x11, sizeof(m.eutran.rand));
	memset(m.eutran.auts, 0x22, sizeof(m.eutran.auts));
	memset(m.utran_geran.rand, 0x33, sizeof(m.utran_geran.rand));
	memset(m.utran_geran.auts, 0x44, sizeof(m.utran_geran.auts));
	jitsim_wbuf_init(&w, req, sizeof(req), HEADROOM);
	check("air builder", jitsim_s6a_fta_air_encode(&w, &mme, &m));
	check("air builder parse",
	      jitsim_s6a_fta_air_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &a));
	emit(g, &w, true,
	     "\"what\":\"AIR of jitsim_s6a_fta_air_encode\",\"cmd\":318,\"req\":true,"
	     "\"imsi\":\"262019876543210\",\"count\":{\"diameter.Re-Synchronization-Info\":2,"
	     "\"diameter.Immediate-Response-Preferred\":1,"
	     "\"diameter.Requested-UTRAN-GERAN-Authentication-Info\":1},"
	     "\"values\":{\"diameter.Destination-Host\":\"hss.jitsim.test\","
	     "\"e212.mcc\":\"262\"}");
}

static void
ulr_frames(struct gen *g)
{
	struct jitsim_s6a_msg m = {.cmd = JITSIM_S6A_CMD_ULR,
				   .is_request = true,
				   .hbh = 0x0a0b0c0d,
				   .e2e = 0x01020304,
				   .session_id = "mme.visited.test;1767225600;2",
				   .origin_host = "mme.visited.test",
				   .origin_realm = "visited.test",
				   .dest_realm = "jitsim.test",
				   .imsi = imsi_s,
				   .visited_plmn = "26201",
				   .rat_type = JITSIM_S6A_RAT_EUTRAN,
				   .ulr_flags = JITSIM_S6A_ULR_S6A_S6D_INDICATOR |
						JITSIM_S6A_ULR_INITIAL_ATTACH_IND,
				   .imei = "35609204079301"};
	struct jitsim_s6a_fta_subscription sub;
	uint8_t req[FRAME_MAX], buf[FRAME_MAX];
	struct jitsim_s6a_fta_ulr u;
	struct jitsim_wbuf w;

	jitsim_wbuf_init(&w, req, sizeof(req), HEADROOM);
	check("ulr", jitsim_s6a_encode(&w, &m));
	check("ulr parse",
	      jitsim_s6a_fta_ulr_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w), &u));
	emit_req(g, req, jitsim_wbuf_len(&w),
		 "\"what\":\"ULR of the test MME\",\"cmd\":316,\"req\":true,"
		 "\"imsi\":\"262019876543210\"");

	/* The tariff: MSISDN, UE-AMBR, the default APN with its own AMBR, and IMS. */
	jitsim_s6a_fta_subscription_init(&sub);
	jitsim_digits_set(&sub.msisdn, "491700000001");
	sub.ambr_ul = 50000000;
	sub.ambr_dl = 150000000;
	sub.apn[0].ambr_ul = 20000000;
	sub.apn[0].ambr_dl = 100000000;
	sub.n_apn = 2;
	sub.apn[1] = sub.apn[0];
	sub.apn[1].context_id = 2;
	snprintf(sub.apn[1].name, sizeof(sub.apn[1].name), "ims");
	sub.apn[1].qci = 5;
	sub.apn[1].priority_level = 1;
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("ula", jitsim_s6a_fta_ula_encode(&w, &u.req, &hss,
					       JITSIM_S6A_ULA_SEPARATION_INDICATION, &sub));
	emit(g, &w, false,
	     "\"what\":\"ULA with Subscription-Data\",\"cmd\":316,\"req\":false,\"result\":2001,"
	     "\"msisdn\":\"491700000001\",\"count\":{\"diameter.APN-Configuration\":2,"
	     "\"diameter.AMBR\":3,\"diameter.EPS-Subscribed-QoS-Profile\":2,"
	     "\"diameter.Allocation-Retention-Priority\":2,\"diameter.Service-Selection\":2,"
	     "\"diameter.ULA-Flags\":1,\"diameter.Subscription-Data\":1},"
	     "\"values\":{\"diameter.Service-Selection\":\"internet\","
	     "\"diameter.Subscriber-Status\":\"0\",\"diameter.Network-Access-Mode\":\"2\","
	     "\"diameter.QoS-Class-Identifier\":\"9\",\"diameter.PDN-Type\":\"0\","
	     "\"diameter.Max-Requested-Bandwidth-UL\":\"50000000\","
	     "\"diameter.All-APN-Configurations-Included-Indicator\":\"0\","
	     "\"diameter.Priority-Level\":\"8\"}");

	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("ula", jitsim_s6a_fta_ula_encode(&w, &u.req, &hss, 0, NULL));
	emit(g, &w, false,
	     "\"what\":\"ULA without Subscription-Data\",\"cmd\":316,\"req\":false,"
	     "\"result\":2001,\"count\":{\"diameter.Subscription-Data\":0,"
	     "\"diameter.ULA-Flags\":1}");

	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("ula 5004", jitsim_s6a_fta_answer_error(&w, &u.req, &hss, 0,
						      JITSIM_S6A_ERROR_ROAMING_NOT_ALLOWED, NULL));
	emit(g, &w, false,
	     "\"what\":\"ULA, Experimental-Result 5004\",\"cmd\":316,\"req\":false,"
	     "\"exp_result\":5004");
}

static void
other_frames(struct gen *g)
{
	struct jitsim_s6a_msg m = {.is_request = true,
				   .hbh = 0x21,
				   .e2e = 0x22,
				   .session_id = "mme.visited.test;1767225600;3",
				   .origin_host = "mme.visited.test",
				   .origin_realm = "visited.test",
				   .dest_realm = "jitsim.test",
				   .imsi = imsi_s};
	struct jitsim_digits imsi;
	struct jitsim_s6a_fta_clr clr = {.hbh = 0x31,
					 .e2e = 0x32,
					 .session_id = "hss.jitsim.test;1767225600;4",
					 .dest_host = "mme.visited.test",
					 .dest_realm = "visited.test",
					 .imsi = &imsi,
					 .cancellation_type =
						 JITSIM_S6A_CANCEL_SUBSCRIPTION_WITHDRAWAL,
					 .clr_flags = JITSIM_S6A_CLR_REATTACH_REQUIRED};
	uint8_t req[FRAME_MAX], buf[FRAME_MAX];
	struct jitsim_s6a_fta_req q;
	struct jitsim_wbuf w;

	m.cmd = JITSIM_S6A_CMD_PUR;
	jitsim_wbuf_init(&w, req, sizeof(req), HEADROOM);
	check("pur", jitsim_s6a_encode(&w, &m));
	check("pur parse", jitsim_s6a_fta_req_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
						     JITSIM_S6A_CMD_PUR, &q));
	emit_req(g, req, jitsim_wbuf_len(&w),
		 "\"what\":\"PUR\",\"cmd\":321,\"req\":true,\"imsi\":\"262019876543210\"");
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("pua", jitsim_s6a_fta_pua_encode(&w, &q, &hss, JITSIM_S6A_PUA_FREEZE_M_TMSI));
	emit(g, &w, false,
	     "\"what\":\"PUA\",\"cmd\":321,\"req\":false,\"result\":2001,"
	     "\"values\":{\"diameter.PUA-Flags\":\"1\"}");
	/* The base node's answer to a command it does not support: E bit. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("3001",
	      jitsim_s6a_fta_answer_error(&w, &q, &hss, JITSIM_DIAM_COMMAND_UNSUPPORTED, 0, NULL));
	emit(g, &w, false,
	     "\"what\":\"PUA, 3001 (E bit)\",\"cmd\":321,\"req\":false,\"result\":3001,"
	     "\"values\":{\"diameter.flags.error\":\"1\"}");

	m.cmd = JITSIM_S6A_CMD_NOR;
	m.hbh = 0x23;
	jitsim_wbuf_init(&w, req, sizeof(req), HEADROOM);
	check("nor", jitsim_s6a_encode(&w, &m));
	check("nor parse", jitsim_s6a_fta_req_decode(jitsim_wbuf_data(&w), jitsim_wbuf_len(&w),
						     JITSIM_S6A_CMD_NOR, &q));
	emit_req(g, req, jitsim_wbuf_len(&w),
		 "\"what\":\"NOR\",\"cmd\":323,\"req\":true,\"imsi\":\"262019876543210\"");
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("noa", jitsim_s6a_fta_noa_encode(&w, &q, &hss));
	emit(g, &w, false, "\"what\":\"NOA\",\"cmd\":323,\"req\":false,\"result\":2001");

	jitsim_digits_set(&imsi, imsi_s);
	jitsim_wbuf_init(&w, buf, sizeof(buf), HEADROOM);
	check("clr", jitsim_s6a_fta_clr_encode(&w, &hss, &clr));
	emit(g, &w, false,
	     "\"what\":\"CLR\",\"cmd\":317,\"req\":true,\"imsi\":\"262019876543210\","
	     "\"values\":{\"diameter.Cancellation-Type\":\"2\",\"diameter.CLR-Flags\":\"2\","
	     "\"diameter.Destination-Host\":\"mme.visited.test\"}");
}

int
main(int argc, char **argv)
{
	struct gen g;
	pcap_t *pc;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_s6a_fta OUT.pcap\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.seq[0] = 1000;
	g.seq[1] = 5000;
	pc = pcap_open_dead(DLT_EN10MB, 65535);
	g.d = pcap_dump_open(pc, argv[1]);
	if (g.d == NULL) {
		fprintf(stderr, "gen_s6a_fta: %s: %s\n", argv[1], pcap_geterr(pc));
		return 1;
	}
	air_frames(&g);
	air_builder_frames(&g);
	ulr_frames(&g);
	other_frames(&g);
	pcap_dump_close(g.d);
	pcap_close(pc);
	return 0;
}
