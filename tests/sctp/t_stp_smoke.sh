#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# osmo-stp between two M3UA ASPs built on dataplane/sigtran (ss7peer): the
# test VLR (PC 0.23.1) and a stand-in HLR (PC 0.23.3). Checks:
#  - osmo-stp starts with the scenario's config and shows both ASPs, then
#    both ASP_ACTIVE on its own VTY once they connected;
#  - DATA passes both ways by point code: SAI v3 (2 vectors, each verified
#    against the HLR's keys, SQN strictly increasing; 3 quintuplets do not
#    fit a UDT, so 5 asked give 2: TS 29.002 8.5.2), SAI v2 (triplets),
#    UpdateLocation (result with the HLR's number);
#  - tshark on lo decodes the whole exchange: M3UA ASPUP/ASPAC and DATA,
#    the MAP operations, no malformed packet;
#  - a VLR step that cannot be answered ends as "timeout" with exit 1 (the
#    tool's own failure path, so a broken peer cannot pass the others);
#  - ss7peer echo (the benchmark's baseline) returns 100 messages intact.
source "$(dirname "$0")/lib.sh"

# TS 35.208 Test Set 1: ss7peer hlr's default keys.
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
IMSI=001010000000001
GT_VLR=491770000001
GT_HLR=491770000003

step "tshark on lo"
tshark_start "$OUT/smoke.pcapng"
step "osmo-stp on $SCTP_IP:$STP_PORT"
stp_start
vty "show cs7 instance 0 asp" >"$OUT/vty-asp-before.txt"
for a in vlr hlr jitsim; do
	grep -q "^$a " "$OUT/vty-asp-before.txt" || fail "osmo-stp VTY does not list ASP $a"
done
[ "$(stp_asp_state vlr)" = ASP_DOWN ] || fail "ASP vlr not ASP_DOWN before anyone connected"

need_prog JITSIM_SS7PEER "needs dataplane/sigtran"
PEER=$JITSIM_SS7PEER

step "stand-in HLR"
# shellcheck disable=SC2046
sctp_bg hlr "$PEER" hlr $(peer_args hlr) --own "pc=$PC_HLR,ssn=6,gt=$GT_HLR"
HLR_PID=$BG_PID
wait_log 60 "$OUT/hlr.log" '"ev":"active"'
wait_for 20 "osmo-stp sees ASP hlr ASP_ACTIVE" stp_asp_is hlr ASP_ACTIVE

step "test VLR: sai:2 sai:5 sai2 ul"
# shellcheck disable=SC2046
if ! "$PEER" vlr $(peer_args vlr) --dpc "$PC_HLR" --own "pc=$PC_VLR,ssn=7,gt=$GT_VLR" \
	--imsi "$IMSI" --msc "$GT_VLR" --vlr "$GT_VLR" --key-k "$K" --key-opc "$OPC" \
	--step-timeout 30 sai:2 sai:5 sai2 ul >"$OUT/vlr.out" 2>"$OUT/vlr.log"; then
	cat "$OUT/vlr.out"
	fail "ss7peer vlr did not end every step as expected"
fi
cat "$OUT/vlr.out"
expect_json "$OUT/vlr.out" 'j["ev"]=="step" and j["step"]=="sai:2" and j["result"]=="ok" and j["vectors"]==2 and j["verified"]==2 and j["kind"]=="quintuplets" and j["sqn"]==sorted(set(j["sqn"])) and len(j["sqn"])==2' \
	"SAI v3: 2 quintuplets verified with SQN increasing"
expect_json "$OUT/vlr.out" 'j["ev"]=="step" and j["step"]=="sai:5" and j["result"]=="ok" and 1<=j["vectors"]<5 and j["verified"]==j["vectors"]' \
	"SAI v3 asking 5: as many as fit one UDT, verified"
# SQN never reused: the second SAI's vectors all come after the first's.
python3 - "$OUT/vlr.out" <<'PY' || fail "SQN not increasing from one SAI to the next"
import json, sys
steps = [json.loads(l) for l in open(sys.argv[1]) if '"ev":"step"' in l]
sqns = [q for s in steps if s.get("kind") == "quintuplets" for q in s["sqn"]]
sys.exit(0 if len(sqns) >= 3 and sqns == sorted(set(sqns)) else 1)
PY
expect_json "$OUT/vlr.out" 'j["ev"]=="step" and j["step"]=="sai2" and j["result"]=="ok" and j["kind"]=="triplets" and j["vectors"]>=1 and j["verified"]==j["vectors"]' \
	"SAI v2: triplets verified"
expect_json "$OUT/vlr.out" "j['ev']=='step' and j['step']=='ul' and j['result']=='ok' and j.get('hlr_number')=='$GT_HLR'" \
	"UL result with the HLR number"
# Every answer came from the HLR's point code to ours, to our calling GT.
expect_json "$OUT/vlr.out" "j['ev']=='rx' and j['opc']==$(python3 -c "a,b,c=map(int,'$PC_HLR'.split('.'));print(a<<11|b<<3|c)") and j['tcap']=='end' and 'gt=$GT_VLR' in j['called']" \
	"answers routed back by point code to the VLR's GT"

step "the VLR's failure path: a step nobody answers"
set +e
# shellcheck disable=SC2046
"$PEER" vlr $(peer_args vlr) --dpc 0.23.7 --own "pc=$PC_VLR,ssn=7,gt=$GT_VLR" \
	--imsi "$IMSI" --step-timeout 3 sai >"$OUT/vlr-timeout.out" 2>"$OUT/vlr-timeout.log"
rc=$?
set -e
[ "$rc" = 1 ] || fail "ss7peer vlr with an unanswered step: exit $rc, want 1"
expect_json "$OUT/vlr-timeout.out" 'j["ev"]=="step" and j["result"]=="timeout" and j["expected"]==False' \
	"unanswered SAI reported as timeout"

step "HLR counts"
sctp_stop "$HLR_PID" 10 || fail "ss7peer hlr exit $? on SIGTERM"
expect_json "$OUT/hlr.log" 'j["ev"]=="summary" and j["sai"]==3 and j["ul"]==1 and j["bad"]==0' \
	"stand-in HLR saw 3 SAI and 1 UL"

step "ss7peer echo: every message back on its stream"
sctp_bg echo "$PEER" echo --listen "$SCTP_IP:2915"
ECHO_PID=$BG_PID
wait_log 30 "$OUT/echo.log" '"ev":"listening"'
python3 - "$SCTP_IP" 2915 <<'PY' || fail "SCTP echo through ss7peer echo"
import socket, sys
s = socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)
s.settimeout(20)
s.connect((sys.argv[1], int(sys.argv[2])))
for i in range(100):
    m = b"jitsim-%03d" % i + bytes(range(i))
    s.sendall(m)
    got = s.recv(65536)
    if got != m:
        sys.exit(f"message {i}: sent {len(m)} octets, got {len(got)} back")
s.close()
PY
sctp_stop "$ECHO_PID" 10 || fail "ss7peer echo exit $? on SIGTERM"
expect_json "$OUT/echo.log" 'j["ev"]=="summary" and j["msgs"]==100 and j["drops"]==0' \
	"ss7peer echo counted the 100 messages"

step "tshark decode"
tshark_stop
tshark_decode "$OUT/smoke.pcapng" "$OUT/tshark.tsv"
# ASPUP (class 3 type 1) and ASPAC (4/1) from both ASPs, DATA (1/1) with
# SAI (56) and UL (2) from the VLR, and their answers from the HLR.
for port in $PORT_VLR $PORT_HLR; do
	m3ua_seen "$OUT/tshark.tsv" "$port" 3 1 || fail "no ASPUP from port $port decoded by tshark"
	m3ua_seen "$OUT/tshark.tsv" "$port" 4 1 || fail "no ASPAC from port $port decoded by tshark"
	m3ua_seen "$OUT/tshark.tsv" "$port" 1 1 56 || fail "no MAP SAI from port $port decoded by tshark"
	m3ua_seen "$OUT/tshark.tsv" "$port" 1 1 2 || fail "no MAP UL from port $port decoded by tshark"
done
step "ok: $(awk -F'\t' '$5 != ""' "$OUT/tshark.tsv" | wc -l) M3UA messages decoded, none malformed"
