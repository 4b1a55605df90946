#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# S6a through a real Diameter relay (issue 9), host, TCP: the test MME
# (diampeer mme) talks to freeDiameterd 1.2.1 (Debian freediameterd) acting
# as a relay agent, which dials jitsim-dp (ConnectPeer) and routes by
# Destination-Realm; jitsim-cp answers. The relay's configuration and TLS
# certificate (required in its configuration even with No_TLS peers) are
# made here (the recipe of docs/diameter.md, tests/unit/diam/diam_interop.py).
# Checks:
#  - AIR of INVENTORY SIM A through the relay: AIA 2001 from jitsim with 2
#    vectors that verify with the SIM's keys;
#  - ULR of INVENTORY SIM U: ULA 2001 with a pool MSISDN, and jitsim-cp's
#    CLR reaches the MME through the relay by Destination-Host;
#  - AIR of a LOCKED SIM: Experimental-Result 5001 through the relay;
#  - jitsim-dp's DPR reaches freeDiameterd on stop; exit 0 everywhere;
#  - tshark: every Diameter message on both legs decodes, none malformed;
#    on the relay -> jitsim leg the requests carry the Route-Record
#    freeDiameterd added (the MME's host) and the AVPs (User-Name,
#    Visited-PLMN-Id), the answers the Result-Code/Experimental-Result,
#    vectors and MSISDN, the same on the relay -> MME leg.
source "$(dirname "$0")/lib_diam.sh"

command -v freeDiameterd >/dev/null || fail "freeDiameterd not installed (scripts/deps.sh)"
command -v openssl >/dev/null || fail "openssl not installed"
FD_HOST=fd.relay.test
IMSI_A=001010000000301
IMSI_U=001010000000302
IMSI_L=001010000000303
FD_PORT=$(diam_port)
DP_PORT=$(diam_port)

step "store with 3 INVENTORY SIMs"
diam_store "$IMSI_A" "$IMSI_U" "$IMSI_L"

step "freeDiameterd relay configuration and certificate"
openssl req -x509 -newkey rsa:2048 -nodes -keyout "$W/fd.key" -out "$W/fd.crt" -days 2 \
	-subj "/CN=$FD_HOST" >"$OUT/openssl.log" 2>&1 || fail "openssl (see openssl.log)"
# freeDiameterd listens on every address (ListenOn is ignored by 1.2.1):
# instances are told apart by port. The packaged dictionaries know no S6a;
# a relay forwards the application as it is.
cat >"$OUT/fd.conf" <<EOF
Identity = "$FD_HOST";
Realm = "relay.test";
Port = $FD_PORT;
SecPort = 0;
No_SCTP;
No_IPv6;
TcTimer = 3;
TwTimer = 30;
AppServThreads = 2;
TLS_Cred = "$W/fd.crt", "$W/fd.key";
TLS_CA = "$W/fd.crt";
LoadExtension = "/usr/lib/freeDiameter/dict_nasreq.fdx";
LoadExtension = "/usr/lib/freeDiameter/dict_dcca.fdx";
LoadExtension = "/usr/lib/freeDiameter/dict_dcca_3gpp.fdx";
LoadExtension = "/usr/lib/freeDiameter/acl_wl.fdx" : "$OUT/acl_wl.conf";
ConnectPeer = "$J_HOST" { ConnectTo = "$IP"; Port = $DP_PORT; No_TLS; No_SCTP; };
EOF
# The MME is not configured in freeDiameterd: the whitelist lets it in, no TLS asked.
echo "ALLOW_OLD_TLS ALLOW_IPSEC $MME_HOST" >"$OUT/acl_wl.conf"

cap_start "$OUT/relay.pcapng" "tcp port $FD_PORT or tcp port $DP_PORT"
step "jitsim-cp with [fta], region 1 -> an outbox HLR"
cp_start outbox "$W/outbox-h1.jsonl"
step "jitsim-dp with [diameter]: peer dra listens on $IP:$DP_PORT for $FD_HOST"
dp_start dp "peer = dra listen tcp $IP:$DP_PORT host=$FD_HOST"
step "freeDiameterd on port $FD_PORT dials jitsim-dp"
sctp_bg fd freeDiameterd -c "$OUT/fd.conf"
FD_PID=$BG_PID
wait_log 60 "$OUT/dp.log" "diameter: peer dra open"
wait_for 30 "freeDiameterd listening on $FD_PORT" bash -c "ss -Hltn 'sport = :$FD_PORT' | grep -q LISTEN"

step "AIR of INVENTORY $IMSI_A through the relay"
mme air "127.0.0.1:$FD_PORT" --imsi "$IMSI_A" --steps air --vectors 2 \
	--ki "${KI[$IMSI_A]}" --opc "${OPC[$IMSI_A]}" ||
	{ cat "$OUT/air.out"; fail "AIR through freeDiameterd not answered"; }
cat "$OUT/air.out"
expect_json "$OUT/air.out" "j['step']=='air' and j['result_code']==2001 and j['vectors']==2 and j['verified'] is True and j['origin_host']=='$J_HOST'" \
	"AIA from jitsim through the relay, 2 vectors of the SIM's keys"

step "ULR of INVENTORY $IMSI_U through the relay, CLR back through it"
mme ulr "127.0.0.1:$FD_PORT" --imsi "$IMSI_U" --steps ulr --wait-clr 30 ||
	{ cat "$OUT/ulr.out"; fail "ULR/CLR through freeDiameterd not as expected"; }
cat "$OUT/ulr.out"
expect_json "$OUT/ulr.out" "j['step']=='ulr' and j['result_code']==2001 and j['origin_host']=='$J_HOST' and '$POOL_FIRST'<=(j['msisdn'] or '')<='$POOL_LAST'" \
	"ULA 2001 from jitsim with a pool MSISDN"
expect_json "$OUT/ulr.out" "j['step']=='clr-in'" "jitsim-cp's CLR through the relay"
MSISDN=$(json_get "$OUT/ulr.out" "j['step']=='ulr'" | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['msisdn'])")

step "LOCKED $IMSI_L through the relay: Experimental-Result 5001"
ctl sim lock "$IMSI_L" >"$OUT/lock.json" || fail "jitsimctl sim lock $IMSI_L"
wait_for 30 "jitsim-dp has the lock" dp_synced
mme locked "127.0.0.1:$FD_PORT" --imsi "$IMSI_L" --steps air ||
	{ cat "$OUT/locked.out"; fail "AIR of the LOCKED SIM not answered"; }
cat "$OUT/locked.out"
expect_json "$OUT/locked.out" "j['step']=='air' and j['exp_result']==5001 and j['origin_host']=='$J_HOST'" \
	"Experimental-Result 5001 through the relay"

step "stop: jitsim-dp (DPR to freeDiameterd), jitsim-cp, freeDiameterd"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
wait_log 10 "$OUT/fd.log" "Peer '$J_HOST' sent a DPR"
sctp_stop "$CP_PID" 30 || fail "jitsim-cp exit $? on SIGTERM (see cp.log)"
sctp_stop "$FD_PID" 10 || true
no_keys_in_logs

step "tshark decode of both legs"
cap_stop
diam_decode "$OUT/relay.pcapng" "$OUT/relay.jsonl" "$FD_PORT" "$DP_PORT"
D=$DP_PORT F=$FD_PORT
for imsi in "$IMSI_A" "$IMSI_U" "$IMSI_L"; do
	pdu "$OUT/relay.jsonl" "j['dst']==$D and j['cmd'] in (316, 318) and j['req'] and f('diameter.User-Name')==['$imsi'] and f('diameter.Route-Record')==['$MME_HOST'] and f('diameter.Origin-Host')==['$MME_HOST'] and f('diameter.Visited-PLMN-Id')" \
		"request of $imsi from the relay to jitsim with Route-Record $MME_HOST, User-Name and Visited-PLMN-Id"
	pdu "$OUT/relay.jsonl" "j['dst']==$F and j['cmd'] in (316, 318) and j['req'] and f('diameter.User-Name')==['$imsi'] and not f('diameter.Route-Record')" \
		"request of $imsi from the MME to the relay, no Route-Record"
done
# jitsim -> relay, then relay -> MME.
for leg in "j['src']==$D" "j['src']==$F and j['dst']!=$D"; do
	pdu "$OUT/relay.jsonl" "$leg and j['cmd']==318 and not j['req'] and f('diameter.Result-Code')==['2001'] and len(f('diameter.E-UTRAN-Vector'))==2 and f('diameter.Origin-Host')==['$J_HOST']" \
		"AIA with 2 E-UTRAN vectors ($leg)"
	pdu "$OUT/relay.jsonl" "$leg and j['cmd']==316 and not j['req'] and f('diameter.Result-Code')==['2001'] and '$MSISDN' in f('e164.msisdn')" \
		"ULA with MSISDN $MSISDN ($leg)"
	pdu "$OUT/relay.jsonl" "$leg and j['cmd']==318 and not j['req'] and f('diameter.Experimental-Result-Code')==['5001']" \
		"Experimental-Result 5001 ($leg)"
done
pdu "$OUT/relay.jsonl" "j['src']==$D and j['cmd']==317 and j['req'] and f('diameter.Destination-Host')==['$MME_HOST'] and f('diameter.Cancellation-Type')==['2']" \
	"CLR from jitsim to the relay"
pdu "$OUT/relay.jsonl" "j['src']==$F and j['dst']!=$D and j['cmd']==317 and j['req'] and f('diameter.User-Name')==['$IMSI_U']" \
	"CLR from the relay to the MME"
pdu "$OUT/relay.jsonl" "j['src']==$D and j['cmd']==282 and j['req'] and f('diameter.Disconnect-Cause')==['0']" \
	"DPR (REBOOTING) from jitsim-dp"
step "ok: $(wc -l <"$OUT/relay.jsonl") Diameter messages decoded, none malformed"
