/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */
/*
 * pktgen's frame templates (pktgen/ftpl.h) against the layered encoders
 * (jitsim_pktgen_enc_map() + jitsim_pktgen_enc_sctp()): a template taken
 * from one frame gives, byte for byte, the frames of later messages of the
 * kind (other transaction ids, SLS, visited address, parameter, sequence
 * numbers, on IPv4 and IPv6 links with VLAN tags); a message of another
 * layout is refused; a frame that differs retires the template.
 */
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include <jitsim/proto/sctp.h>
#include <jitsim/proto/tcap.h>
#include <jitsim/proto/wbuf.h>

#include "encode.h"
#include "ftpl.h"

static int failures;

#define CHECK(c)                                                                \
	do {                                                                    \
		if (!(c)) {                                                     \
			fprintf(stderr, "%s:%d: %s\n", __FILE__, __LINE__, #c); \
			failures++;                                             \
		}                                                               \
	} while (0)

static void
link_make(struct jitsim_pktgen_link *l, bool ipv6, unsigned int n_vlans)
{
	memset(l, 0, sizeof(*l));
	l->ipv6 = ipv6;
	l->n_vlans = (uint8_t)n_vlans;
	l->vlans[0] = 100;
	l->vlans[1] = 200;
	for (int d = 0; d < 2; d++) {
		uint8_t mac[6] = {0x02, 0, 0, 0, 0, (uint8_t)(d + 1)};

		memcpy(l->mac[d], mac, 6);
		l->ip[d][0] = ipv6 ? 0x20 : 192;
		l->ip[d][15] = (uint8_t)(d + 1);
		l->ip[d][3] = (uint8_t)(d + 1);
		l->vtag[d] = 0x1234567u + (uint32_t)d;
		l->tsn[d] = 0xfffffff0u; /* wraps during the test */
		l->ip_id[d] = 0xfff0;
	}
	l->port[0] = 2905;
	l->port[1] = 2905;
	l->n_streams = 16;
}

static size_t
addr(const char *gt, uint8_t ssn, uint8_t out[JITSIM_PKTGEN_SCCP_ADDR_MAX])
{
	struct jitsim_sccp_addr a;

	memset(&a, 0, sizeof(a));
	a.has_ssn = true;
	a.ssn = ssn;
	a.gti = 4;
	a.np = 1;
	a.nai = 4;
	jitsim_digits_set(&a.digits, gt);
	return (size_t)jitsim_pktgen_sccp_addr_enc(&a, out);
}

/* A Begin with an Invoke whose parameter is @p plen octets of @p fill. */
static void
msg_make(struct jitsim_pktgen_map_msg *m, struct jitsim_pktgen_tcap_tpls *tpls, uint8_t *param,
	 size_t plen, uint8_t fill, uint32_t otid, const uint8_t *vaddr, size_t vlen,
	 const uint8_t *haddr, size_t hlen)
{
	memset(m, 0, sizeof(*m));
	memset(param, fill, plen);
	param[0] = 0x30; /* a SEQUENCE of plen - 2 octets */
	param[1] = (uint8_t)(plen - 2);
	m->tcap_type = JITSIM_TCAP_BEGIN;
	m->has_otid = true;
	m->otid = otid;
	m->dialogue = true;
	m->ac = 14;
	m->version = 3;
	m->comp_type = JITSIM_TCAP_INVOKE;
	m->invoke_id = 1;
	m->code = 56;
	m->param = param;
	m->param_len = plen;
	m->calling_enc = vaddr;
	m->calling_enc_len = (uint8_t)vlen;
	m->called_enc = haddr;
	m->called_enc_len = (uint8_t)hlen;
	m->tcap_tpls = tpls;
	m->kind = 1ull << 63 | plen;
	m->opc = 100;
	m->dpc = 200;
	m->rc = 3;
	m->sls = (uint8_t)(otid & 15);
}

/* The layered frame of @p m; the link advances. */
static size_t
layered(struct jitsim_pktgen_link *l, const struct jitsim_pktgen_map_msg *m, uint16_t stream,
	uint8_t *f)
{
	uint8_t buf[1024];
	struct jitsim_wbuf w;
	struct jitsim_pktgen_chunk c;
	size_t len = 0;

	jitsim_wbuf_init(&w, buf, sizeof(buf), sizeof(buf) - 8);
	if (jitsim_pktgen_enc_map(&w, m) != JITSIM_R_OK)
		return 0;
	c.p = jitsim_wbuf_data(&w);
	c.len = jitsim_wbuf_len(&w);
	c.stream = stream;
	c.ppid = JITSIM_PPID_M3UA;
	if (jitsim_pktgen_enc_sctp(f, JITSIM_PKTGEN_FRAME_MAX, l, 0, &c, 1, true, &len) !=
	    JITSIM_R_OK)
		return 0;
	return len;
}

static void
run(bool ipv6, unsigned int n_vlans)
{
	static struct jitsim_pktgen_tcap_tpls tpls;
	struct jitsim_pktgen_link l;
	struct jitsim_pktgen_ftpl t;
	struct jitsim_pktgen_map_msg m;
	uint8_t f[JITSIM_PKTGEN_FRAME_MAX], g[JITSIM_PKTGEN_FRAME_MAX], param[64];
	uint8_t v1[JITSIM_PKTGEN_SCCP_ADDR_MAX], v2[JITSIM_PKTGEN_SCCP_ADDR_MAX],
		h[JITSIM_PKTGEN_SCCP_ADDR_MAX];
	size_t vl1 = addr("447700100001", 7, v1), vl2 = addr("819000200999", 7, v2),
	       hl = addr("447700900001", 6, h), len;
	uint32_t tsn;
	uint16_t ssn, id;

	memset(&tpls, 0, sizeof(tpls));
	memset(&t, 0, sizeof(t));
	link_make(&l, ipv6, n_vlans);
	CHECK(vl1 == vl2 && vl1 > 0 && hl > 0);
	/* The first frame makes the link's header template; the template comes from the second. */
	msg_make(&m, &tpls, param, 20, 0x11, 0x01020304, v1, vl1, h, hl);
	CHECK(layered(&l, &m, 3, f) > 0);
	CHECK(jitsim_pktgen_sctp_tpl_ok(&l, 0));
	msg_make(&m, &tpls, param, 20, 0x22, 0x0a0b0c0d, v1, vl1, h, hl);
	tsn = l.tsn[0];
	ssn = l.ssn[0][3];
	id = l.ip_id[0];
	len = layered(&l, &m, 3, f);
	CHECK(len > 0);
	jitsim_pktgen_ftpl_build(&t, f, len, &m, &l, 0, tsn, 3, ssn, id);
	CHECK(t.state == 1 && t.checks == JITSIM_PKTGEN_FTPL_CHECKS);
	/* Every variable part changed: the template gives the layered bytes. */
	for (uint32_t i = 0; i < 40; i++) {
		uint16_t stream = (uint16_t)(1 + i % 15);

		msg_make(&m, &tpls, param, 20, (uint8_t)(0x30 + i), 0xdead0000u + i * 7919u,
			 i & 1 ? v2 : v1, vl1, h, hl);
		tsn = l.tsn[0];
		ssn = l.ssn[0][stream];
		id = l.ip_id[0];
		len = layered(&l, &m, stream, f);
		CHECK(len == t.len);
		CHECK(jitsim_pktgen_ftpl_fill(&t, g, &m, &l, 0, tsn, stream, ssn, id));
		CHECK(memcmp(f, g, len) == 0);
		if (t.checks > 0)
			jitsim_pktgen_ftpl_check(&t, f, len, &m, &l, 0, tsn, stream, ssn, id);
	}
	CHECK(jitsim_pktgen_ftpl_ready(&t));
	/* Another layout: a longer parameter, the other address swapped in. */
	msg_make(&m, &tpls, param, 24, 0x44, 1, v1, vl1, h, hl);
	CHECK(!jitsim_pktgen_ftpl_fill(&t, g, &m, &l, 0, 0, 1, 0, 0));
	msg_make(&m, &tpls, param, 20, 0x44, 1, h, hl - 1, h, hl);
	CHECK(!jitsim_pktgen_ftpl_fill(&t, g, &m, &l, 0, 0, 1, 0, 0));
	/* A frame that the template does not give retires it. */
	msg_make(&m, &tpls, param, 20, 0x55, 2, v1, vl1, h, hl);
	tsn = l.tsn[0];
	ssn = l.ssn[0][1];
	id = l.ip_id[0];
	len = layered(&l, &m, 1, f);
	f[len - 1] ^= 0x01;
	t.checks = 1;
	jitsim_pktgen_ftpl_check(&t, f, len, &m, &l, 0, tsn, 1, ssn, id);
	CHECK(t.state == 2 && !jitsim_pktgen_ftpl_ready(&t));
}

int
main(void)
{
	run(false, 0);
	run(false, 2);
	run(true, 1);
	if (failures)
		fprintf(stderr, "test_ftpl: %d failures\n", failures);
	else
		printf("test_ftpl: ok\n");
	return failures ? 1 : 0;
}
