/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * gen_map_fta: every message the First Time Attach builders (map_fta.h)
 * make, each in its SCCP answer UDT, M3UA DATA, SCTP, IPv4, Ethernet, into
 * a pcap file; one JSON line per frame with the intent (component kind,
 * operation or error code, identities, fields and how many of each tshark
 * must show), for map_fta_check.py.
 *   gen_map_fta OUT.pcap
 */

#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/m3ua.h>
#include <jitsim/proto/map_fta.h>
#include <jitsim/proto/sctp.h>

#define FRAME_MAX 2048
#define PARAM_MAX 512

static const char imsi_s[] = "262019876543210";
static const char msisdn_s[] = "491700000001";
static const char hlr_s[] = "491700000000";

struct gen {
	pcap_dumper_t *d;
	unsigned int n;
	/* The request every answer answers: SCCP from the VLR to the HLR GT. */
	struct jitsim_sccp req;
};

static void
die(const char *what, enum jitsim_reason r)
{
	fprintf(stderr, "gen_map_fta: %s: %s\n", what, jitsim_proto_strerror(r));
	exit(1);
}

/* M3UA DATA + SCTP + IPv4 + Ethernet around the SCCP message in @p w, then into the pcap. */
static void
emit(struct gen *g, struct jitsim_wbuf *w, const char *intent)
{
	static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x01},
			     mac_b[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t ip_a[4] = {192, 0, 2, 1}, ip_b[4] = {192, 0, 2, 2};
	struct jitsim_m3ua m = {.opc = 0x0202, .dpc = 0x0101, .si = 3, .ni = 2, .sls = 1};
	struct jitsim_sctp s = {.sport = 2905, .dport = 2905, .vtag = 0x1234};
	struct jitsim_sctp_data d = {
		.tsn = g->n + 1, .stream = 1, .ssn = (uint16_t)g->n, .ppid = JITSIM_PPID_M3UA};
	struct pcap_pkthdr h = {.ts = {.tv_sec = 1767225600 + g->n}};
	enum jitsim_reason r;

	r = jitsim_m3ua_encode_data(w, &m);
	if (r == JITSIM_R_OK)
		r = jitsim_sctp_encode_data(w, &s, &d);
	if (r == JITSIM_R_OK)
		r = jitsim_ipv4_encode(w, ip_a, ip_b, JITSIM_IPPROTO_SCTP, (uint16_t)g->n);
	if (r == JITSIM_R_OK)
		r = jitsim_eth_encode(w, mac_b, mac_a, NULL, 0, JITSIM_ETHERTYPE_IPV4);
	if (r != JITSIM_R_OK)
		die("lower layers", r);
	h.caplen = h.len = (bpf_u_int32)jitsim_wbuf_len(w);
	pcap_dump((u_char *)g->d, &h, jitsim_wbuf_data(w));
	g->n++;
	printf("{\"frame\":%u,%s}\n", g->n, intent);
}

/* One TC message of dialogue @p d with one component, in the SCCP answer. */
static void
tc_frame(struct gen *g, struct jitsim_map_fta_dialogue *d, uint8_t type,
	 const struct jitsim_tcap_component *c, const char *intent)
{
	uint8_t buf[FRAME_MAX];
	struct jitsim_wbuf w;
	enum jitsim_reason r;

	/* Headroom for everything; 8 octets of tailroom for the chunk padding. */
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - 8);
	r = jitsim_map_fta_tc_encode(&w, d, type, c, c != NULL ? 1 : 0);
	if (r == JITSIM_R_OK)
		r = jitsim_map_fta_sccp_answer(&w, &g->req, NULL);
	if (r != JITSIM_R_OK)
		die(intent, r);
	emit(g, &w, intent);
}

/* A Begin from the VLR as jitsim_tcap_decode() would give it, for the answers. */
static void
vlr_begin(struct jitsim_map_fta_dialogue *d, uint8_t ac, uint8_t version, uint32_t vlr_tid)
{
	struct jitsim_tcap b;

	memset(&b, 0, sizeof(b));
	b.type = JITSIM_TCAP_BEGIN;
	b.has_otid = true;
	b.otid = vlr_tid;
	b.otid_len = 4;
	b.has_dialogue = true;
	b.dialogue_pdu = JITSIM_TCAP_AARQ;
	b.is_map_acn = true;
	b.map_ac = ac;
	b.map_version = version;
	if (jitsim_map_fta_dialogue_answer(d, &b, 0xcf000000u | vlr_tid) != JITSIM_R_OK)
		die("dialogue", JITSIM_R_BAD_PARAM);
}

static void
vectors(struct jitsim_map_fta_quintuplet *q, struct jitsim_map_fta_triplet *t)
{
	for (int i = 0; i < JITSIM_MAP_FTA_VECTORS_MAX; i++) {
		for (int k = 0; k < 16; k++) {
			q[i].rand[k] = (uint8_t)(i * 16 + k);
			q[i].xres[k] = (uint8_t)(0x40 + k);
			q[i].ck[k] = (uint8_t)(0x80 + k);
			q[i].ik[k] = (uint8_t)(0xa0 + k);
			q[i].autn[k] = (uint8_t)(0xc0 + k);
			t[i].rand[k] = (uint8_t)(0x10 * i + k);
		}
		q[i].xres_len = 8;
		memset(t[i].sres, 0x55, sizeof(t[i].sres));
		memset(t[i].kc, 0x66, sizeof(t[i].kc));
	}
}

static void
sai_frames(struct gen *g)
{
	struct jitsim_map_fta_quintuplet q[JITSIM_MAP_FTA_VECTORS_MAX];
	struct jitsim_map_fta_triplet t[JITSIM_MAP_FTA_VECTORS_MAX];
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap_component c;
	uint8_t p[PARAM_MAX];
	struct jitsim_wbuf pw;
	enum jitsim_reason r;

	vectors(q, t);
	vlr_begin(&d, JITSIM_MAP_AC_INFO_RETRIEVAL, 3, 0x101);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_sai_res_quintuplets(&pw, q, 2);
	if (r != JITSIM_R_OK)
		die("quintuplets", r);
	c = jitsim_map_fta_comp_result(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_END, &c,
		 "\"what\":\"SAI v3 result, 2 quintuplets\",\"tcap\":\"end\",\"acn\":\"14.3\","
		 "\"comp\":162,\"code\":56,\"count\":{\"gsm_map.ms.rand\":2,\"gsm_map.ms.xres\":2,"
		 "\"gsm_map.ms.ck\":2,\"gsm_map.ms.ik\":2,\"gsm_map.ms.autn\":2}");

	vlr_begin(&d, JITSIM_MAP_AC_INFO_RETRIEVAL, 3, 0x102);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_sai_res_triplets(&pw, 3, t, 4);
	if (r != JITSIM_R_OK)
		die("triplets v3", r);
	c = jitsim_map_fta_comp_result(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_END, &c,
		 "\"what\":\"SAI v3 result, 4 triplets\",\"tcap\":\"end\",\"acn\":\"14.3\","
		 "\"comp\":162,\"code\":56,\"count\":{\"gsm_map.ms.rand\":4,\"gsm_map.ms.sres\":4,"
		 "\"gsm_map.ms.kc\":4}");

	vlr_begin(&d, JITSIM_MAP_AC_INFO_RETRIEVAL, 2, 0x103);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_sai_res_triplets(&pw, 2, t, 3);
	if (r != JITSIM_R_OK)
		die("triplets v2", r);
	c = jitsim_map_fta_comp_result(1, JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_END, &c,
		 "\"what\":\"SAI v2 result, 3 triplets\",\"tcap\":\"end\",\"acn\":\"14.2\","
		 "\"comp\":162,\"code\":56,\"count\":{\"gsm_old.rand\":3,\"gsm_old.sres\":3,"
		 "\"gsm_old.kc\":3}");
}

static void
ul_frames(struct gen *g)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_map_fta_isd isd;
	struct jitsim_tcap_component c;
	struct jitsim_digits hlr;
	uint8_t p[PARAM_MAX];
	struct jitsim_wbuf pw;
	enum jitsim_reason r;

	/* UL: Continue (AARE, ISD), then End (UL result). */
	vlr_begin(&d, JITSIM_MAP_AC_NETWORK_LOC_UP, 3, 0x201);
	jitsim_map_fta_isd_init(&isd, false);
	isd.has_msisdn = true;
	jitsim_digits_set(&isd.msisdn, msisdn_s);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_isd_arg_encode(&pw, &isd);
	if (r != JITSIM_R_OK)
		die("isd", r);
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_CONTINUE, &c,
		 "\"what\":\"ISD in the UL dialogue\",\"tcap\":\"continue\",\"acn\":\"1.3\","
		 "\"comp\":161,\"code\":7,\"msisdn\":\"491700000001\","
		 "\"count\":{\"gsm_map.ms.subscriberStatus\":1,\"gsm_map.ms.Ext_TeleserviceCode\":"
		 "3},"
		 "\"values\":{\"gsm_map.ms.category\":\"0a\"}");

	jitsim_digits_set(&hlr, hlr_s);
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_ul_res_encode(&pw, &hlr);
	if (r != JITSIM_R_OK)
		die("ul res", r);
	c = jitsim_map_fta_comp_result(2, JITSIM_MAP_OP_UPDATE_LOCATION, jitsim_wbuf_data(&pw),
				       jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_END, &c,
		 "\"what\":\"UL result\",\"tcap\":\"end\",\"comp\":162,\"code\":2,"
		 "\"hlr\":\"491700000000\"");

	/* UGL: Continue (AARE, ISD with GPRS data), then End (UGL result). */
	vlr_begin(&d, JITSIM_MAP_AC_GPRS_LOCATION_UPDATE, 3, 0x301);
	jitsim_map_fta_isd_init(&isd, true);
	isd.has_imsi = true;
	jitsim_digits_set(&isd.imsi, imsi_s);
	isd.has_msisdn = true;
	jitsim_digits_set(&isd.msisdn, msisdn_s);
	strcpy(isd.apn, "internet.example");
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_isd_arg_encode(&pw, &isd);
	if (r != JITSIM_R_OK)
		die("isd gprs", r);
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(
		g, &d, JITSIM_TCAP_CONTINUE, &c,
		"\"what\":\"ISD with GPRS data in the UGL dialogue\",\"tcap\":\"continue\","
		"\"acn\":\"32.3\",\"comp\":161,\"code\":7,\"imsi\":\"262019876543210\","
		"\"msisdn\":\"491700000001\",\"count\":{\"gsm_map.ms.pdp_ContextId\":1,"
		"\"gsm_map.ms.pdp_Type\":1,\"gsm_map.ms.qos_Subscribed\":1,\"gsm_map.ms.apn\":1,"
		"\"gsm_map.ms.completeDataListIncluded_element\":1,"
		"\"gsm_map.ms.networkAccessMode\":1},\"values\":{\"gsm_map.ms.pdp_Type\":\"f1:21\","
		"\"gsm_map.ms.qos_Subscribed\":\"23:92:1f\",\"gsm_map.apn_str\":\"internet."
		"example\"}");

	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_ul_res_encode(&pw, &hlr);
	if (r != JITSIM_R_OK)
		die("ugl res", r);
	c = jitsim_map_fta_comp_result(2, JITSIM_MAP_OP_UPDATE_GPRS_LOCATION, jitsim_wbuf_data(&pw),
				       jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_END, &c,
		 "\"what\":\"UGL result\",\"tcap\":\"end\",\"comp\":162,\"code\":23,"
		 "\"hlr\":\"491700000000\"");
}

static void
begin_frames(struct gen *g)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_map_fta_isd isd;
	struct jitsim_tcap_component c;
	struct jitsim_digits imsi;
	uint8_t p[PARAM_MAX];
	struct jitsim_wbuf pw;
	enum jitsim_reason r;

	jitsim_digits_set(&imsi, imsi_s);
	for (uint8_t v = 3; v >= 2; v--) {
		jitsim_map_fta_dialogue_begin(&d, 0xcf000400u + v,
					      JITSIM_MAP_AC_LOCATION_CANCELLATION, v);
		jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
		r = jitsim_map_fta_cancel_arg_encode(&pw, v, &imsi,
						     JITSIM_MAP_FTA_CANCEL_UPDATE_PROCEDURE);
		if (r != JITSIM_R_OK)
			die("cancel", r);
		c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_CANCEL_LOCATION,
					       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
		tc_frame(g, &d, JITSIM_TCAP_BEGIN, &c,
			 v == 3 ? "\"what\":\"CancelLocation "
				  "v3\",\"tcap\":\"begin\",\"acn\":\"2.3\","
				  "\"comp\":161,\"code\":3,\"imsi\":\"262019876543210\","
				  "\"count\":{\"gsm_map.ms.cancellationType\":1}"
				: "\"what\":\"CancelLocation "
				  "v2\",\"tcap\":\"begin\",\"acn\":\"2.2\","
				  "\"comp\":161,\"code\":3,\"imsi\":\"262019876543210\"");
	}
	/* Stand-alone ISD (subscriberDataMngtContext-v3). */
	jitsim_map_fta_dialogue_begin(&d, 0xcf000500u, JITSIM_MAP_AC_SUBSCRIBER_DATA_MNGT, 3);
	jitsim_map_fta_isd_init(&isd, false);
	isd.has_imsi = true;
	isd.imsi = imsi;
	jitsim_wbuf_init(&pw, p, sizeof(p), sizeof(p));
	r = jitsim_map_fta_isd_arg_encode(&pw, &isd);
	if (r != JITSIM_R_OK)
		die("isd begin", r);
	c = jitsim_map_fta_comp_invoke(1, JITSIM_MAP_OP_INSERT_SUBSCRIBER_DATA,
				       jitsim_wbuf_data(&pw), jitsim_wbuf_len(&pw));
	tc_frame(g, &d, JITSIM_TCAP_BEGIN, &c,
		 "\"what\":\"stand-alone ISD\",\"tcap\":\"begin\",\"acn\":\"16.3\",\"comp\":161,"
		 "\"code\":7,\"imsi\":\"262019876543210\"");
}

static void
error_and_abort_frames(struct gen *g)
{
	struct jitsim_map_fta_dialogue d;
	struct jitsim_tcap req;
	uint8_t buf[FRAME_MAX];
	struct jitsim_wbuf w;
	enum jitsim_reason r;

	/* The worker's refusal of a LOCKED SIM's SAI v3. */
	memset(&req, 0, sizeof(req));
	req.type = JITSIM_TCAP_BEGIN;
	req.has_otid = true;
	req.otid = 0x601;
	req.otid_len = 4;
	req.has_dialogue = true;
	req.dialogue_pdu = JITSIM_TCAP_AARQ;
	req.is_map_acn = true;
	req.map_ac = JITSIM_MAP_AC_INFO_RETRIEVAL;
	req.map_version = 3;
	req.n_comp = 1;
	req.comp[0].type = JITSIM_TCAP_INVOKE;
	req.comp[0].has_invoke_id = true;
	req.comp[0].invoke_id = 3;
	req.comp[0].has_opcode = true;
	req.comp[0].opcode = JITSIM_MAP_OP_SEND_AUTHENTICATION_INFO;
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - 8);
	r = jitsim_map_fta_answer_error(&w, &g->req, &req, 0, JITSIM_MAP_ERR_UNKNOWN_SUBSCRIBER,
					NULL);
	if (r != JITSIM_R_OK)
		die("answer error", r);
	emit(g, &w,
	     "\"what\":\"unknownSubscriber\",\"tcap\":\"end\",\"acn\":\"14.3\",\"comp\":163,"
	     "\"code\":1");

	vlr_begin(&d, JITSIM_MAP_AC_NETWORK_LOC_UP, 3, 0x701);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - 8);
	r = jitsim_map_fta_tc_abort(&w, &d, false, JITSIM_MAP_FTA_PABORT_RESOURCE_LIMITATION);
	if (r == JITSIM_R_OK)
		r = jitsim_map_fta_sccp_answer(&w, &g->req, NULL);
	if (r != JITSIM_R_OK)
		die("p-abort", r);
	emit(g, &w,
	     "\"what\":\"P-Abort resourceLimitation\",\"tcap\":\"abort\","
	     "\"values\":{\"tcap.p_abortCause\":\"4\"}");

	vlr_begin(&d, JITSIM_MAP_AC_NETWORK_LOC_UP, 4, 0x702);
	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - 8);
	r = jitsim_map_fta_tc_abort(&w, &d, true, 0);
	if (r == JITSIM_R_OK)
		r = jitsim_map_fta_sccp_answer(&w, &g->req, NULL);
	if (r != JITSIM_R_OK)
		die("refusal", r);
	emit(g, &w,
	     "\"what\":\"dialogue refused, ACN not supported\",\"tcap\":\"abort\","
	     "\"acn\":\"1.4\",\"values\":{\"tcap.result\":\"1\","
	     "\"tcap.dialogue_service_user\":\"2\"}");
}

int
main(int argc, char **argv)
{
	struct gen g;
	pcap_t *pc;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_map_fta OUT.pcap\n");
		return 2;
	}
	memset(&g, 0, sizeof(g));
	g.req.msg_type = JITSIM_SCCP_UDT;
	g.req.pclass = 0x80;
	g.req.called = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = JITSIM_SSN_HLR, .gti = 4, .np = 7, .es = 1, .nai = 4};
	jitsim_digits_set(&g.req.called.digits, "26201987654321");
	g.req.calling = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = JITSIM_SSN_VLR, .gti = 4, .np = 1, .es = 2, .nai = 4};
	jitsim_digits_set(&g.req.calling.digits, "4917000099");
	pc = pcap_open_dead(DLT_EN10MB, 65535);
	g.d = pcap_dump_open(pc, argv[1]);
	if (g.d == NULL) {
		fprintf(stderr, "gen_map_fta: %s: %s\n", argv[1], pcap_geterr(pc));
		return 1;
	}
	sai_frames(&g);
	ul_frames(&g);
	begin_frames(&g);
	error_and_abort_frames(&g);
	pcap_dump_close(g.d);
	pcap_close(pc);
	return 0;
}
