/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
#include <stdio.h>
#include <string.h>

#include <jitsim/proto/frame.h>

#include "sample.h"

struct map_kind {
	uint8_t comp; /* component type */
	uint8_t tcap; /* TCAP message type */
	uint8_t op;   /* operation, or error code for ReturnError */
	uint8_t ac;   /* MAP application context (TS 29.002 17.3.3) */
	uint8_t version;
	const char *ids; /* identities carried: i imsi, m msisdn, c msc, v vlr, g sgsn, s sc, n
			    vectors */
};

static const struct map_kind map_kinds[] = {
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 56, 14, 2, "i"},    /* SAI v2 */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 56, 14, 3, "in"},   /* SAI v3 */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 2, 1, 3, "icv"},    /* UpdateLocation */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 23, 32, 3, "ig"},   /* UpdateGprsLocation */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 3, 2, 3, "i"},	    /* CancelLocation */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_CONTINUE, 7, 16, 3, "im"}, /* InsertSubscriberData */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 67, 27, 3, "iv"},   /* PurgeMS */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 22, 5, 3, "mc"},    /* SendRoutingInfo */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 45, 20, 3, "ms"},   /* SendRoutingInfoForSM */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 46, 21, 3, "ms"},   /* MO-ForwardSM */
	{JITSIM_TCAP_INVOKE, JITSIM_TCAP_BEGIN, 44, 25, 3, "is"},   /* MT-ForwardSM */
	{JITSIM_TCAP_ERROR, JITSIM_TCAP_END, 1, 14, 3, ""},	    /* unknownSubscriber */
	{JITSIM_TCAP_RESULT_LAST, JITSIM_TCAP_END, 2, 1, 3, ""},    /* UL result, empty */
};

struct s6a_kind {
	uint32_t cmd;
	bool request;
	bool tcp;
	bool ipv6;
	uint32_t result;
	uint32_t exp_result;
	bool msisdn;
};

static const struct s6a_kind s6a_kinds[] = {
	{JITSIM_S6A_CMD_AIR, true, false, false, 0, 0, false},
	{JITSIM_S6A_CMD_AIR, false, false, true, 0, 5001, false},
	{JITSIM_S6A_CMD_ULR, true, true, false, 0, 0, false},
	{JITSIM_S6A_CMD_ULR, false, true, false, 2001, 0, true},
	{JITSIM_S6A_CMD_PUR, true, false, true, 0, 0, false},
	{JITSIM_S6A_CMD_PUR, false, false, false, 2001, 0, false},
	{JITSIM_S6A_CMD_CLR, true, false, false, 0, 0, false},
	{JITSIM_S6A_CMD_IDR, true, false, false, 0, 0, true},
	{JITSIM_S6A_CMD_NOR, true, true, true, 0, 0, false},
};

#define N_MAP (sizeof(map_kinds) / sizeof(map_kinds[0]))
#define N_S6A (sizeof(s6a_kinds) / sizeof(s6a_kinds[0]))

unsigned int
jitsim_sample_kinds(void)
{
	return N_MAP + N_S6A;
}

static void
fill_addr(struct jitsim_frame_addr *a, unsigned int i, bool ipv6, bool tcp, uint16_t port)
{
	static const uint8_t v6_src[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 1};
	static const uint8_t v6_dst[16] = {0x20, 0x01, 0x0d, 0xb8, [15] = 2};

	memset(a, 0, sizeof(*a));
	memcpy(a->eth_dst, (uint8_t[6]){0x02, 0, 0, 0, 0, 0x01}, 6);
	memcpy(a->eth_src, (uint8_t[6]){0x02, 0, 0, 0, 0, 0x02}, 6);
	a->n_vlans = (uint8_t)(i % 3);
	a->vlans[0] = 100;
	a->vlans[1] = 200;
	a->ipv6 = ipv6;
	if (ipv6) {
		memcpy(a->ip_src, v6_src, 16);
		memcpy(a->ip_dst, v6_dst, 16);
	} else {
		memcpy(a->ip_src, (uint8_t[4]){192, 0, 2, 1}, 4);
		memcpy(a->ip_dst, (uint8_t[4]){192, 0, 2, 2}, 4);
	}
	a->sport = port;
	a->dport = port;
	a->vtag = 0x1234u + i;
	a->tsn = i;
	a->stream = (uint16_t)(1 + i % 4); /* RFC 4666 1.4.7: not stream 0 for DATA */
	a->ssn = (uint16_t)i;
	a->tcp = tcp;
	a->tcp_seq = 1000u * i;
}

static void
set_digits(struct jitsim_digits *d, bool *has, const char *s)
{
	*has = true;
	jitsim_digits_set(d, s);
}

static enum jitsim_reason
map_frame(unsigned int i, const struct map_kind *k, uint8_t *buf, size_t cap, size_t *len,
	  struct jitsim_sample_info *info)
{
	struct jitsim_frame_map_spec s;
	char imsi[16], msisdn[16];
	const char *visited = "";

	memset(&s, 0, sizeof(s));
	fill_addr(&s.addr, i, i % 5 == 4, false, 2905);
	s.m3ua = (struct jitsim_m3ua){.opc = 0x0101,
				      .dpc = 0x0202,
				      .si = 3,
				      .ni = 2,
				      .sls = (uint8_t)(i & 15),
				      .has_rc = i % 2,
				      .rc = 7};
	s.sccp.msg_type = i % 4 == 3 ? JITSIM_SCCP_XUDT : JITSIM_SCCP_UDT;
	s.sccp.pclass = 0x80;
	s.sccp.hop_counter = 15;
	s.sccp.called = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = 6, .gti = 4, .np = 1, .es = 2, .nai = 4};
	jitsim_digits_set(&s.sccp.called.digits, "447700900000");
	s.sccp.calling = (struct jitsim_sccp_addr){
		.has_ssn = true, .ssn = 7, .gti = 4, .np = 1, .es = 1, .nai = 4};
	jitsim_digits_set(&s.sccp.calling.digits, "44770012345");
	s.tcap.type = k->tcap;
	s.tcap.has_otid = k->tcap != JITSIM_TCAP_END;
	s.tcap.otid = 0x10000u + i;
	s.tcap.otid_len = 4;
	s.tcap.has_dtid = k->tcap != JITSIM_TCAP_BEGIN;
	s.tcap.dtid = 0x20000u + i;
	s.tcap.dtid_len = 4;
	s.tcap.has_dialogue = true;
	s.tcap.map_ac = k->ac;
	s.tcap.map_version = k->version;
	s.comp_type = k->comp;
	s.invoke_id = (int8_t)(i & 0x7f);
	s.opcode = k->op;
	s.error = k->op;

	snprintf(imsi, sizeof(imsi), "00101%010u", i);
	snprintf(msisdn, sizeof(msisdn), "4477009%05u", i % 100000);
	for (const char *c = k->ids; *c; c++) {
		switch (*c) {
		case 'i':
			set_digits(&s.ids.imsi, &s.ids.has_imsi, imsi);
			break;
		case 'm':
			set_digits(&s.ids.msisdn, &s.ids.has_msisdn, msisdn);
			break;
		case 'c':
			set_digits(&s.ids.msc, &s.ids.has_msc, "447700100");
			break;
		case 'v':
			set_digits(&s.ids.vlr, &s.ids.has_vlr, "447700200");
			break;
		case 'g':
			set_digits(&s.ids.sgsn, &s.ids.has_sgsn, "447700300");
			break;
		case 's':
			set_digits(&s.ids.sc, &s.ids.has_sc, "447700400");
			break;
		case 'n':
			s.ids.n_vectors = 3;
			break;
		}
	}
	/* Same rule as the frame iterator: the node that asks for the subscriber. */
	if (s.ids.has_vlr)
		visited = s.ids.vlr.d;
	else if (s.ids.has_sgsn)
		visited = s.ids.sgsn.d;
	else if (s.ids.has_msc && k->op == JITSIM_MAP_OP_UPDATE_LOCATION)
		visited = s.ids.msc.d;
	else if (k->comp == JITSIM_TCAP_INVOKE)
		visited = s.sccp.calling.digits.d;

	memset(info, 0, sizeof(*info));
	info->proto = JITSIM_MSG_MAP;
	info->is_request = k->comp == JITSIM_TCAP_INVOKE;
	info->op = k->op;
	info->comp_type = k->comp;
	if (s.ids.has_imsi)
		snprintf(info->imsi, sizeof(info->imsi), "%s", imsi);
	if (s.ids.has_msisdn)
		snprintf(info->msisdn, sizeof(info->msisdn), "%s", msisdn);
	snprintf(info->visited, sizeof(info->visited), "%s", visited);
	return jitsim_frame_encode_map(buf, cap, &s, len);
}

static enum jitsim_reason
s6a_frame(unsigned int i, const struct s6a_kind *k, uint8_t *buf, size_t cap, size_t *len,
	  struct jitsim_sample_info *info)
{
	struct jitsim_frame_addr a;
	struct jitsim_s6a_msg m;
	char imsi[16], msisdn[16], session[64];

	fill_addr(&a, i, k->ipv6, k->tcp, 3868);
	snprintf(imsi, sizeof(imsi), "00101%010u", i);
	snprintf(msisdn, sizeof(msisdn), "4477009%05u", i % 100000);
	snprintf(session, sizeof(session), "mme1.epc.example.org;%u;%u", i / 7, i);
	memset(&m, 0, sizeof(m));
	m.cmd = k->cmd;
	m.is_request = k->request;
	m.hbh = 0x1000u + i;
	m.e2e = 0x2000u + i;
	m.session_id = session;
	m.origin_host = k->request ? "mme1.epc.example.org" : "hss1.epc.example.org";
	m.origin_realm = "epc.example.org";
	if (k->request) {
		m.dest_realm = "epc.example.org";
		m.dest_host = k->cmd == JITSIM_S6A_CMD_AIR ? NULL : "hss1.epc.example.org";
		m.imsi = imsi;
		if (k->cmd == JITSIM_S6A_CMD_AIR || k->cmd == JITSIM_S6A_CMD_ULR)
			m.visited_plmn = i % 2 ? "00101" : "310410";
		if (k->cmd == JITSIM_S6A_CMD_ULR) {
			m.rat_type = 1004;
			m.ulr_flags = 0x22;
			m.imei = "352099001761482";
		}
		if (k->cmd == JITSIM_S6A_CMD_AIR)
			m.n_vectors = 1;
	}
	m.result_code = k->result;
	m.exp_result_code = k->exp_result;
	if (k->msisdn)
		m.msisdn = msisdn;

	memset(info, 0, sizeof(*info));
	info->proto = JITSIM_MSG_DIAMETER;
	info->is_request = k->request;
	info->op = k->cmd;
	if (m.imsi)
		snprintf(info->imsi, sizeof(info->imsi), "%s", imsi);
	if (m.msisdn)
		snprintf(info->msisdn, sizeof(info->msisdn), "%s", msisdn);
	if (m.visited_plmn)
		snprintf(info->visited, sizeof(info->visited), "%s", m.visited_plmn);
	return jitsim_frame_encode_s6a(buf, cap, &a, &m, len);
}

enum jitsim_reason
jitsim_sample_frame(unsigned int i, uint8_t *buf, size_t cap, size_t *len,
		    struct jitsim_sample_info *info)
{
	unsigned int k = i % (N_MAP + N_S6A);

	if (k < N_MAP)
		return map_frame(i, &map_kinds[k], buf, cap, len, info);
	return s6a_frame(i, &s6a_kinds[k - N_MAP], buf, cap, len, info);
}
