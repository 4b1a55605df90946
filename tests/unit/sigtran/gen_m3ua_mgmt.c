/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * gen_m3ua_mgmt OUT.pcap: every M3UA management message the encoder of
 * m3ua_mgmt.h makes, with every parameter RFC 4666 allows in it, one per
 * frame (M3UA in SCTP DATA, stream 0, PPID 3, IPv4, Ethernet). Prints one
 * JSON line per frame with the tshark fields and the values they must show;
 * m3ua_mgmt_check.py compares.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <pcap/pcap.h>

#include <jitsim/proto/ip.h>
#include <jitsim/proto/link.h>
#include <jitsim/proto/sctp.h>

#include "m3ua_mgmt.h"

static const uint8_t hb[] = {0xde, 0xad, 0xbe, 0xef, 0x01}; /* odd: padding */
static const uint8_t diag[] = {0x01, 0x00, 0x07, 0x01, 0x00, 0x00, 0x00, 0x08};
static const char info[] = "jitsim test";

static void
die(const char *what, enum jitsim_reason r)
{
	fprintf(stderr, "gen_m3ua_mgmt: %s: %s\n", what, jitsim_proto_strerror(r));
	exit(1);
}

static void
emit(pcap_dumper_t *d, unsigned int n, struct jitsim_wbuf *w)
{
	static const uint8_t mac_a[6] = {0x02, 0, 0, 0, 0, 0x01},
			     mac_b[6] = {0x02, 0, 0, 0, 0, 0x02};
	static const uint8_t ip_a[4] = {192, 0, 2, 1}, ip_b[4] = {192, 0, 2, 2};
	struct jitsim_sctp s = {.sport = 2905, .dport = 2905, .vtag = 0x1234};
	struct jitsim_sctp_data dd = {
		.tsn = n + 1, .stream = 0, .ssn = (uint16_t)n, .ppid = JITSIM_PPID_M3UA};
	struct pcap_pkthdr h = {.ts = {.tv_sec = 1767225600 + n}};
	enum jitsim_reason r;

	r = jitsim_sctp_encode_data(w, &s, &dd);
	if (r == JITSIM_R_OK)
		r = jitsim_ipv4_encode(w, ip_a, ip_b, JITSIM_IPPROTO_SCTP, (uint16_t)n);
	if (r == JITSIM_R_OK)
		r = jitsim_eth_encode(w, mac_b, mac_a, NULL, 0, JITSIM_ETHERTYPE_IPV4);
	if (r != JITSIM_R_OK)
		die("lower layers", r);
	h.caplen = h.len = (bpf_u_int32)jitsim_wbuf_len(w);
	pcap_dump((u_char *)d, &h, jitsim_wbuf_data(w));
}

/* The parameters RFC 4666 lists per message (the encoder writes no others). */
static uint32_t
allowed(uint8_t cls, uint8_t type)
{
	const uint32_t ssnm = JITSIM_M3UA_P_NA | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_AFFECTED_PC |
			      JITSIM_M3UA_P_INFO_STRING;

	switch (cls << 8 | type) {
	case JITSIM_M3UA_CLASS_MGMT << 8 | JITSIM_M3UA_MGMT_ERR:
		return JITSIM_M3UA_P_ERROR_CODE | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_NA |
		       JITSIM_M3UA_P_AFFECTED_PC | JITSIM_M3UA_P_DIAGNOSTIC;
	case JITSIM_M3UA_CLASS_MGMT << 8 | JITSIM_M3UA_MGMT_NTFY:
		return JITSIM_M3UA_P_STATUS | JITSIM_M3UA_P_ASP_ID | JITSIM_M3UA_P_RC |
		       JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_SCON:
		return ssnm | JITSIM_M3UA_P_CONCERNED_DEST | JITSIM_M3UA_P_CONGESTION;
	case JITSIM_M3UA_CLASS_SSNM << 8 | JITSIM_M3UA_SSNM_DUPU:
		return ssnm | JITSIM_M3UA_P_USER_CAUSE;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPUP_ACK:
		return JITSIM_M3UA_P_ASP_ID | JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_ASPDN_ACK:
		return JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_BEAT:
	case JITSIM_M3UA_CLASS_ASPSM << 8 | JITSIM_M3UA_ASPSM_BEAT_ACK:
		return JITSIM_M3UA_P_HEARTBEAT;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC:
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPAC_ACK:
		return JITSIM_M3UA_P_TRAFFIC_MODE | JITSIM_M3UA_P_RC | JITSIM_M3UA_P_INFO_STRING;
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA:
	case JITSIM_M3UA_CLASS_ASPTM << 8 | JITSIM_M3UA_ASPTM_ASPIA_ACK:
		return JITSIM_M3UA_P_RC | JITSIM_M3UA_P_INFO_STRING;
	default:
		return ssnm;
	}
}

/* One "field":"value" pair of the intent line. */
static void
kv(const char *field, unsigned long v)
{
	printf(",\"%s\":\"%lu\"", field, v);
}

int
main(int argc, char **argv)
{
	static const uint8_t msgs[][2] = {
		{JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_ERR},
		{JITSIM_M3UA_CLASS_MGMT, JITSIM_M3UA_MGMT_NTFY},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUNA},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAVA},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DAUD},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_SCON},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DUPU},
		{JITSIM_M3UA_CLASS_SSNM, JITSIM_M3UA_SSNM_DRST},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPUP_ACK},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_ASPDN_ACK},
		{JITSIM_M3UA_CLASS_ASPSM, JITSIM_M3UA_ASPSM_BEAT_ACK},
		{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC},
		{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA},
		{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPAC_ACK},
		{JITSIM_M3UA_CLASS_ASPTM, JITSIM_M3UA_ASPTM_ASPIA_ACK},
	};
	pcap_dumper_t *d;
	pcap_t *pc;

	if (argc != 2) {
		fprintf(stderr, "usage: gen_m3ua_mgmt OUT.pcap\n");
		return 2;
	}
	pc = pcap_open_dead(DLT_EN10MB, 65535);
	d = pcap_dump_open(pc, argv[1]);
	if (d == NULL) {
		fprintf(stderr, "gen_m3ua_mgmt: %s: %s\n", argv[1], pcap_geterr(pc));
		return 1;
	}
	for (unsigned int i = 0; i < sizeof(msgs) / sizeof(msgs[0]); i++) {
		struct jitsim_m3ua_mgmt m;
		struct jitsim_wbuf w;
		uint8_t buf[1024];
		enum jitsim_reason r;
		uint32_t p;

		jitsim_m3ua_mgmt_init(&m, msgs[i][0], msgs[i][1]);
		p = m.present = allowed(m.msg_class, m.msg_type);
		m.n_rc = 2;
		m.rc[0] = 1;
		m.rc[1] = 70000 + i;
		m.na = 8;
		m.traffic_mode = JITSIM_M3UA_TMT_OVERRIDE + i % 2;
		m.asp_id = 0x01020304;
		m.error_code = JITSIM_M3UA_ERR_INVALID_RC;
		m.status_type = JITSIM_M3UA_NTFY_AS_STATE_CHANGE;
		m.status_info = JITSIM_M3UA_AS_ACTIVE;
		m.n_apc = 2;
		m.apc[0] = JITSIM_M3UA_APC(0, 185);
		m.apc[1] = JITSIM_M3UA_APC(8, 0x1700);
		m.concerned_dest = 186;
		m.cong_level = 2;
		m.cause = 2;
		m.user = 3;
		m.heartbeat = hb;
		m.heartbeat_len = sizeof(hb);
		m.diagnostic = diag;
		m.diagnostic_len = sizeof(diag);
		m.info = (const uint8_t *)info;
		m.info_len = sizeof(info) - 1;
		jitsim_wbuf_init(&w, buf, sizeof(buf), 128);
		r = jitsim_m3ua_mgmt_encode(&w, &m);
		if (r != JITSIM_R_OK)
			die("m3ua", r);
		emit(d, i, &w);

		printf("{\"frame\":\"%u\",\"name\":\"%s\"", i + 1,
		       jitsim_m3ua_msg_name(m.msg_class, m.msg_type));
		kv("m3ua.message_class", m.msg_class);
		kv("m3ua.message_type", m.msg_type);
		if (p & JITSIM_M3UA_P_RC)
			printf(",\"m3ua.routing_context\":\"1,%u\"", 70000 + i);
		if (p & JITSIM_M3UA_P_NA)
			kv("m3ua.network_appearance", m.na);
		if (p & JITSIM_M3UA_P_TRAFFIC_MODE)
			kv("m3ua.traffic_mode_type", m.traffic_mode);
		if (p & JITSIM_M3UA_P_ASP_ID)
			kv("m3ua.asp_identifier", m.asp_id);
		if (p & JITSIM_M3UA_P_ERROR_CODE)
			kv("m3ua.error_code", m.error_code);
		if (p & JITSIM_M3UA_P_STATUS) {
			kv("m3ua.status_type", m.status_type);
			kv("m3ua.status_info", m.status_info);
		}
		if (p & JITSIM_M3UA_P_AFFECTED_PC) {
			printf(",\"m3ua.affected_point_code_mask\":\"0,8\"");
			printf(",\"m3ua.affected_point_code_pc\":\"185,%u\"", 0x1700);
		}
		if (p & JITSIM_M3UA_P_CONCERNED_DEST)
			kv("m3ua.concerned_dpc", m.concerned_dest);
		if (p & JITSIM_M3UA_P_CONGESTION)
			kv("m3ua.congestion_level", m.cong_level);
		if (p & JITSIM_M3UA_P_USER_CAUSE) {
			kv("m3ua.unavailability_cause", m.cause);
			kv("m3ua.user_identity", m.user);
		}
		if (p & JITSIM_M3UA_P_HEARTBEAT)
			printf(",\"m3ua.heartbeat_data\":\"deadbeef01\"");
		if (p & JITSIM_M3UA_P_DIAGNOSTIC)
			printf(",\"m3ua.diagnostic_information\":\"0100070100000008\"");
		if (p & JITSIM_M3UA_P_INFO_STRING)
			printf(",\"m3ua.info_string\":\"%s\"", info);
		printf("}\n");
	}
	pcap_dump_close(d);
	pcap_close(pc);
	return 0;
}
