/* SPDX-License-Identifier: BSD-3-Clause
 * Copyright (c) 2026 The jitsim authors
 */

/*
 * Two jitsim_sig_link client ASPs against a real osmo-stp (sigtran_sctp.sh
 * starts it with stp_e2e.cfg): "vlr" (RC 1, PC 0.23.1) and "jitsim" (RC 2,
 * PC 0.23.2), each from its pre-configured source port. Both must become
 * ACTIVE; DATA vlr -> jitsim and back is routed by point code through the
 * STP and arrives intact on a DATA stream; a BEAT is answered; the orderly
 * stop (ASPIA, ASPDN) completes without a give-up; no ERR is received at
 * any point. Prints one line per check and "STP E2E OK" at the end.
 *
 * With "sgp LISTEN_ADDR:PORT" it is the other way round: a server link
 * (jitsim as the SG) that osmo-stp, configured as a client ASP
 * (stp_asp.cfg), connects to; it must become ACTIVE (osmo-stp takes our
 * ASPUP_ACK, ASPAC_ACK and NTFYs) and its own BEATs must be answered,
 * without any ERR or unexpected message.
 *
 * usage: stp_e2e STP_ADDR:PORT VLR_SRC_PORT JITSIM_SRC_PORT
 *        stp_e2e sgp LISTEN_ADDR:PORT
 */
#include <errno.h>
#include <poll.h>
#include <stdio.h>
#include <stdlib.h>
#include <string.h>

#include "sctp_sock.h"
#include "sig_link.h"

/* ITU 3-8-3 point codes as osmo-stp prints them. */
#define PC_VLR (0u << 11 | 23u << 3 | 1u)
#define PC_JITSIM (0u << 11 | 23u << 3 | 2u)

struct got {
	unsigned int n;
	uint32_t opc, dpc;
	uint8_t si, sls;
	uint16_t stream;
	size_t len;
	uint8_t data[128];
};

static void
on_data(void *arg, struct jitsim_sig_link *l, const struct jitsim_m3ua *m, uint16_t stream)
{
	struct got *g = arg;

	(void)l;
	g->n++;
	g->opc = m->opc;
	g->dpc = m->dpc;
	g->si = m->si;
	g->sls = m->sls;
	g->stream = stream;
	g->len = m->data_len < sizeof(g->data) ? m->data_len : sizeof(g->data);
	memcpy(g->data, m->data, g->len);
}

static int
fail(const char *what)
{
	fprintf(stderr, "stp_e2e: FAILED: %s\n", what);
	return 1;
}

static struct jitsim_sig_link *
mk(const char *name, const char *stp, const char *src_port, uint32_t rc)
{
	struct jitsim_sig_link_conf c;
	char local[64];

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "%s", name);
	snprintf(local, sizeof(local), "127.0.0.1:%s", src_port);
	if (jitsim_sctp_parse_addr(local, &c.local, &c.local_len) < 0 ||
	    jitsim_sctp_parse_addr(stp, &c.remote, &c.remote_len) < 0)
		return NULL;
	c.asp.role = JITSIM_ASP_ROLE_ASP;
	c.asp.has_rc = true;
	c.asp.rc = rc;
	c.asp.traffic_mode = JITSIM_M3UA_TMT_OVERRIDE;
	c.asp.has_asp_id = true;
	c.asp.asp_id = rc;
	c.asp.beat_ms = 300;
	return jitsim_sig_link_create(&c);
}

/* Poll both links for up to @p rounds x 20 ms or until @p cond holds. */
#define RUN(cond, rounds)                                                    \
	do {                                                                 \
		for (int i_ = 0; i_ < (rounds) && !(cond); i_++) {           \
			struct pollfd p_[4];                                 \
			unsigned int n_ = jitsim_sig_link_pollfds(v, p_, 2); \
			uint64_t now_;                                       \
                                                                             \
			n_ += jitsim_sig_link_pollfds(j, p_ + n_, 2);        \
			poll(p_, n_, 20);                                    \
			now_ = jitsim_sig_link_now_ms();                     \
			jitsim_sig_link_poll(v, now_, on_data, &gv);         \
			jitsim_sig_link_poll(j, now_, on_data, &gj);         \
		}                                                            \
	} while (0)

static uint64_t
errs(const struct jitsim_sig_link *l)
{
	const struct jitsim_asp *a = jitsim_sig_link_asp(l);
	uint64_t n = 0;

	for (unsigned int i = 0; i < JITSIM_M3UA_ERR_MAX; i++)
		n += a->st.err_rx[i];
	return n;
}

/* jitsim as the server, osmo-stp as the ASP connecting to it. */
static int
sgp(const char *listen_addr)
{
	struct jitsim_sig_link_conf c;
	const struct jitsim_asp *a;
	struct jitsim_sig_link *l;

	memset(&c, 0, sizeof(c));
	snprintf(c.name, sizeof(c.name), "sgp");
	if (jitsim_sctp_parse_addr(listen_addr, &c.local, &c.local_len) < 0)
		return fail("bad address");
	c.asp.role = JITSIM_ASP_ROLE_SGP;
	c.asp.has_rc = true;
	c.asp.rc = 2;
	c.asp.beat_ms = 300;
	l = jitsim_sig_link_create(&c);
	if (l == NULL || jitsim_sig_link_start(l, jitsim_sig_link_now_ms()) != 0)
		return fail("listen");
	a = jitsim_sig_link_asp(l);
	for (int i = 0;
	     i < 3000 && !(jitsim_sig_link_state(l) == JITSIM_ASP_ACTIVE &&
			   a->st.beat_ack_rx >= 2 && a->st.msgs_in[JITSIM_M3UA_CLASS_ASPSM] >= 3);
	     i++) {
		struct pollfd p[2];
		unsigned int n = jitsim_sig_link_pollfds(l, p, 2);

		poll(p, n, 20);
		jitsim_sig_link_poll(l, jitsim_sig_link_now_ms(), NULL, NULL);
	}
	printf("SGP state=%s accepts=%llu in ASPSM=%llu ASPTM=%llu out MGMT=%llu beat_ack=%llu\n",
	       jitsim_asp_state_name(jitsim_sig_link_state(l)),
	       (unsigned long long)jitsim_sig_link_stats(l)->accepts,
	       (unsigned long long)a->st.msgs_in[JITSIM_M3UA_CLASS_ASPSM],
	       (unsigned long long)a->st.msgs_in[JITSIM_M3UA_CLASS_ASPTM],
	       (unsigned long long)a->st.msgs_out[JITSIM_M3UA_CLASS_MGMT],
	       (unsigned long long)a->st.beat_ack_rx);
	if (jitsim_sig_link_state(l) != JITSIM_ASP_ACTIVE)
		return fail("osmo-stp's ASP ACTIVE on our SGP");
	if (a->st.beat_ack_rx < 2)
		return fail("our BEATs answered");
	/* ASPUP and the BEAT_ACKs (osmo-stp sends no BEAT of its own). */
	if (a->st.msgs_in[JITSIM_M3UA_CLASS_ASPSM] < 3)
		return fail("ASPSM from osmo-stp");
	if (errs(l) || a->st.unexpected || a->st.drop[JITSIM_R_M3UA_BAD])
		return fail("no ERR, nothing unexpected");
	jitsim_sig_link_stop(l, jitsim_sig_link_now_ms());
	if (!jitsim_sig_link_stopped(l))
		return fail("SGP stop");
	jitsim_sig_link_destroy(l);
	printf("STP SGP OK\n");
	return 0;
}

int
main(int argc, char **argv)
{
	static const uint8_t udt[] = {0x09, 0x00, 0x03, 0x05, 0x07, 0x02, 0x42, 0x06, 0x02,
				      0x42, 0x07, 0x05, 'h',  'e',  'l',  'l',	'o'};
	struct jitsim_sig_link *v, *j;
	struct got gv, gj;
	int r;

	if (argc == 3 && strcmp(argv[1], "sgp") == 0)
		return sgp(argv[2]);
	if (argc != 4) {
		fprintf(stderr, "usage: stp_e2e STP_ADDR:PORT VLR_SRC_PORT JITSIM_SRC_PORT\n"
				"       stp_e2e sgp LISTEN_ADDR:PORT\n");
		return 2;
	}
	memset(&gv, 0, sizeof(gv));
	memset(&gj, 0, sizeof(gj));
	v = mk("vlr", argv[1], argv[2], 1);
	j = mk("jitsim", argv[1], argv[3], 2);
	if (v == NULL || j == NULL)
		return fail("bad addresses");
	jitsim_sig_link_start(v, jitsim_sig_link_now_ms());
	jitsim_sig_link_start(j, jitsim_sig_link_now_ms());
	RUN(jitsim_sig_link_state(v) == JITSIM_ASP_ACTIVE &&
		    jitsim_sig_link_state(j) == JITSIM_ASP_ACTIVE,
	    1500);
	if (jitsim_sig_link_state(v) != JITSIM_ASP_ACTIVE ||
	    jitsim_sig_link_state(j) != JITSIM_ASP_ACTIVE)
		return fail("both ASPs ACTIVE");
	printf("ACTIVE vlr ostreams=%u jitsim ostreams=%u as_state=%u/%u\n",
	       (unsigned int)jitsim_sig_link_stats(v)->ostreams,
	       (unsigned int)jitsim_sig_link_stats(j)->ostreams,
	       (unsigned int)jitsim_sig_link_asp(v)->as_state,
	       (unsigned int)jitsim_sig_link_asp(j)->as_state);

	r = jitsim_sig_link_send_data(v, PC_VLR, PC_JITSIM, 3, 2, 0, 5, udt, sizeof(udt));
	if (r != 0)
		return fail("send vlr -> jitsim");
	RUN(gj.n > 0, 500);
	if (gj.n != 1 || gj.opc != PC_VLR || gj.dpc != PC_JITSIM || gj.si != 3 ||
	    gj.len != sizeof(udt) || memcmp(gj.data, udt, sizeof(udt)) != 0 || gj.stream == 0)
		return fail("DATA vlr -> jitsim through the STP");
	printf("DATA vlr->jitsim opc=%u dpc=%u sls=%u stream=%u len=%zu\n", gj.opc, gj.dpc, gj.sls,
	       gj.stream, gj.len);
	r = jitsim_sig_link_send_data(j, PC_JITSIM, PC_VLR, 3, 2, 0, 9, udt, sizeof(udt));
	if (r != 0)
		return fail("send jitsim -> vlr");
	RUN(gv.n > 0, 500);
	if (gv.n != 1 || gv.opc != PC_JITSIM || gv.dpc != PC_VLR || gv.len != sizeof(udt))
		return fail("DATA jitsim -> vlr through the STP");
	printf("DATA jitsim->vlr opc=%u dpc=%u sls=%u stream=%u len=%zu\n", gv.opc, gv.dpc, gv.sls,
	       gv.stream, gv.len);

	/* Idle for a while: BEATs go out (300 ms idle) and the STP answers them. */
	RUN(jitsim_sig_link_asp(v)->st.beat_ack_rx >= 2, 1500);
	if (jitsim_sig_link_asp(v)->st.beat_ack_rx < 2)
		return fail("BEAT answered");
	printf("BEAT tx=%llu ack=%llu lost=%llu\n",
	       (unsigned long long)jitsim_sig_link_asp(v)->st.beat_tx,
	       (unsigned long long)jitsim_sig_link_asp(v)->st.beat_ack_rx,
	       (unsigned long long)jitsim_sig_link_asp(v)->st.beat_lost);

	jitsim_sig_link_stop(v, jitsim_sig_link_now_ms());
	jitsim_sig_link_stop(j, jitsim_sig_link_now_ms());
	RUN(jitsim_sig_link_stopped(v) && jitsim_sig_link_stopped(j), 1500);
	if (!jitsim_sig_link_stopped(v) || !jitsim_sig_link_stopped(j))
		return fail("orderly stop");
	if (jitsim_sig_link_asp(v)->st.giveups || jitsim_sig_link_asp(j)->st.giveups)
		return fail("orderly stop without give-up (ASPIA_ACK, ASPDN_ACK)");
	printf("STOPPED vlr msgs_in ASPSM=%llu ASPTM=%llu MGMT=%llu\n",
	       (unsigned long long)jitsim_sig_link_asp(v)->st.msgs_in[JITSIM_M3UA_CLASS_ASPSM],
	       (unsigned long long)jitsim_sig_link_asp(v)->st.msgs_in[JITSIM_M3UA_CLASS_ASPTM],
	       (unsigned long long)jitsim_sig_link_asp(v)->st.msgs_in[JITSIM_M3UA_CLASS_MGMT]);
	if (errs(v) || errs(j))
		return fail("no ERR from the STP");
	jitsim_sig_link_destroy(v);
	jitsim_sig_link_destroy(j);
	printf("STP E2E OK\n");
	return 0;
}
