#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# First Time Attach end to end through osmo-stp (issue 8): the test VLR
# (ss7peer vlr, PC 0.23.1) attaches an INVENTORY SIM through jitsim
# (jitsim-dp ASP + jitsim-cp FTA engine, PC 0.23.2); a real osmo-hlr is the
# region's provisioning target; a stand-in HLR (ss7peer hlr, PC 0.23.3) is
# the region's SS7 HLR. Checks:
#  - UL of INVENTORY SIM 1 (no SAI before: an SAI starts the activation
#    too, and once the SIM is ACTIVE the dataplane relays its UL to the
#    real HLR, so SAI-then-UL takes either path depending on the
#    activation's speed): jitsim sends InsertSubscriberData with the
#    MSISDN the workflow allocated (Continue), the VLR answers it, the End
#    carries the UL result with hlr-Number = jitsim's GT; then a
#    CancelLocation comes (handover), the VLR answers it;
#  - UpdateGprsLocation of INVENTORY SIM 3 from an SGSN: the same in a
#    gprsLocationUpdate dialogue (ISD, UGL result, CancelLocation);
#  - SIM 1 is in osmo-hlr (read back over CTRL) with that MSISDN;
#  - a UDT with a bad pointer and a truncated TC Begin are dropped: jitsim-dp
#    stays up and relays the next message;
#  - the next SAI of SIM 1 (now ACTIVE) is relayed to the stand-in HLR:
#    its vectors verify with the stand-in HLR's keys, not the SIM's;
#  - SAI of INVENTORY SIM 2, from a VLR of no region (its activation
#    fails, it stays INVENTORY), is answered by jitsim-cp: 2 quintuplets
#    the VLR verifies with SIM 2's own Ki/OPc (from the vendor file);
#    then it re-synchronises: AUTS made by the VLR with the SIM's keys
#    claiming SQN_MS 4096, the new vectors come after it;
#  - jitsim-dp and jitsim-cp stop with exit 0; no key of the SIMs in any
#    log; tshark on lo decodes every message, no malformed one, and shows
#    SAI, UL, ISD and CancelLocation from jitsim's port.
source "$(dirname "$0")/lib.sh"

need_prog JITSIM_SS7PEER "needs dataplane/sigtran"
need_prog JITSIM_DP "jitsim-dp"
need_prog JITSIM_CP "jitsim-cp"
need_prog JITSIM_STORE "jitsim-store"
command -v osmo-hlr >/dev/null || fail "osmo-hlr not installed (scripts/deps.sh)"
PEER=$JITSIM_SS7PEER

INST=sctpfta$$
# Store, osmo-hlr database and control socket on tmpfs: the out dir is 9p
# in the VM (no unix sockets, no reliable locks there).
W=$(mktemp -d /tmp/jitsim-fta.XXXXXX)
sctp_clean_on_exit "$W" "/dev/shm/jitsim.$INST" "/var/run/dpdk/jitsim-$INST"

hex16() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
luhn() {
	python3 -c "
d=[int(c) for c in '$1'][::-1]
s=sum(x if i%2 else (2*x if 2*x<10 else 2*x-9) for i,x in enumerate(d))
print('$1'+str((10-s%10)%10))"
}
pc_num() { python3 -c "a,b,c=map(int,'$1'.split('.'));print(a<<11|b<<3|c)"; }

IMSI=001010000000101
IMSI_RS=001010000000102
IMSI_G=001010000000103
IMSI_SU=001010000000104
K1=$(hex16) OPC1=$(hex16) K2=$(hex16) OPC2=$(hex16) K3=$(hex16) OPC3=$(hex16)
K4=$(hex16) OPC4=$(hex16)
# TS 35.208 Test Set 1: ss7peer hlr's default keys (the stand-in HLR).
K_HLR=465b5ce8b199b49faa5f0a2ee238a6bc
OPC_HLR=cd63cb71954a9f4e48a5994e37a02baf
GT_VLR=491770000001
# A VLR in no region: the activations it starts fail, its SIMs stay INVENTORY.
GT_VLR_ELSE=331770000001
GT_JITSIM=491770000002
GT_HLR=491770000003
HLR_IP=${SCTP_IP%.1}.2
POOL_FIRST=491701357900
POOL_LAST=491701357999

step "store with 4 INVENTORY SIMs"
{
	echo "iccid,imsi,ki,opc,batch"
	echo "$(luhn 8944010000000000101),$IMSI,$K1,$OPC1,B1"
	echo "$(luhn 8944010000000000102),$IMSI_RS,$K2,$OPC2,B1"
	echo "$(luhn 8944010000000000103),$IMSI_G,$K3,$OPC3,B1"
	echo "$(luhn 8944010000000000104),$IMSI_SU,$K4,$OPC4,B1"
} >"$W/sims.csv"
"$JITSIM_STORE" init --store "$W/store" --kek "$W/kek" --new-kek >"$OUT/store.log" 2>&1 ||
	fail "jitsim-store init (see store.log)"
"$JITSIM_STORE" import "$W/sims.csv" --store "$W/store" --kek "$W/kek" >>"$OUT/store.log" 2>&1 ||
	fail "jitsim-store import (see store.log)"
rm -f "$W/sims.csv"

step "osmo-hlr on $HLR_IP"
hlr_start

tshark_start "$OUT/fta.pcapng"
step "osmo-stp on $SCTP_IP:$STP_PORT"
stp_start

step "stand-in HLR (region 1's SS7 HLR)"
# shellcheck disable=SC2046
sctp_bg hlr "$PEER" hlr $(peer_args hlr) --own "pc=$PC_HLR,ssn=6,gt=$GT_HLR"
HLR_PID=$BG_PID
wait_log 60 "$OUT/hlr.log" '"ev":"active"'

step "jitsim-cp with [fta]"
cat >"$OUT/cp.conf" <<EOF
[instance]
name = $INST
store = $W/store
kek = $W/kek
socket = $W/cp.sock
[outbox]
path = $W/outbox.jsonl
[shm]
rings = 1
event_ring = 1024
update_ring = 1024
[flow]
default_profile = basic
[hlr h1]
id = 1
kind = osmo-hlr
address = $HLR_IP
[region 1]
name = r1
hlr = h1
pool = p1
gt_prefix = ${GT_VLR:0:7}
[pool p1]
id = 1
region = 1
first = $POOL_FIRST
last = $POOL_LAST
[fta]
own_pc = $PC_JITSIM
own_gt = $GT_JITSIM
ul_timeout = 30
handover_delay = 2
EOF
sctp_bg cp "$JITSIM_CP" -c "$OUT/cp.conf"
CP_PID=$BG_PID
wait_log 120 "$OUT/cp.log" 'jitsim-cp: ready:'
alive "$CP_PID" cp

step "jitsim-dp with [ss7] and the store"
cat >"$OUT/dp.conf" <<EOF
[instance]
name = $INST
store = $W/store
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 512
lcores = 0-1
[ss7]
own_pc = $PC_JITSIM
own_gt = $GT_JITSIM
ni = 2
hlr = 1 $PC_HLR $GT_HLR
asp = stp $SCTP_IP:$PORT_JITSIM $SCTP_IP:$STP_PORT rc=2 mode=override
EOF
sctp_bg dp "$JITSIM_DP" -c "$OUT/dp.conf"
DP_PID=$BG_PID
wait_log 120 "$OUT/dp.log" 'ready: 1 workers'
wait_log 60 "$OUT/dp.log" 'ss7 asp stp .*: ACTIVE'
wait_for 20 "osmo-stp sees ASP jitsim ASP_ACTIVE" stp_asp_is jitsim ASP_ACTIVE

# vlr GT ARGS...: ss7peer vlr as the VLR of global title GT.
vlr() {
	local gt=$1
	shift
	# shellcheck disable=SC2046
	"$PEER" vlr $(peer_args vlr) --dpc "$PC_JITSIM" --own "pc=$PC_VLR,ssn=7,gt=$gt" \
		--msc "$gt" --vlr "$gt" --step-timeout 40 "$@"
}

step "first attach of $IMSI: UL (ISD), CancelLocation"
vlr "$GT_VLR" --imsi "$IMSI" ul wait-cancel \
	>"$OUT/vlr-attach.out" 2>"$OUT/vlr-attach.log" ||
	{ cat "$OUT/vlr-attach.out"; fail "first attach not as expected"; }
cat "$OUT/vlr-attach.out"
expect_json "$OUT/vlr-attach.out" "j['ev']=='step' and j['step']=='ul' and j['result']=='ok' and j.get('hlr_number')=='$GT_JITSIM'" \
	"UL result with jitsim's GT as hlr-Number"
expect_json "$OUT/vlr-attach.out" "j['ev']=='rx' and j['tcap']=='continue' and any(c.get('op')=='insertSubscriberData' and '$POOL_FIRST'<=c.get('msisdn','')<='$POOL_LAST' for c in j['comps'])" \
	"ISD with an MSISDN of the pool"
expect_json "$OUT/vlr-attach.out" "j['ev']=='rx' and j['tcap']=='begin' and j['otid'].startswith('cf') and any(c.get('op')=='cancelLocation' and c.get('imsi')=='$IMSI' for c in j['comps'])" \
	"CancelLocation for the SIM from a jitsim-cp dialogue"
MSISDN=$(json_get "$OUT/vlr-attach.out" "j['ev']=='rx' and j['tcap']=='continue'" |
	python3 -c "import json,sys
for l in sys.stdin:
    for c in json.loads(l)['comps']:
        if c.get('msisdn'): print(c['msisdn']); sys.exit()")

step "first attach of $IMSI_G from an SGSN: UGL (ISD), CancelLocation"
vlr "$GT_VLR" --imsi "$IMSI_G" --sgsn "${GT_VLR%1}9" ugl wait-cancel \
	>"$OUT/vlr-ugl.out" 2>"$OUT/vlr-ugl.log" ||
	{ cat "$OUT/vlr-ugl.out"; fail "GPRS first attach not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-ugl.out"
expect_json "$OUT/vlr-ugl.out" "j['ev']=='step' and j['step']=='ugl' and j['result']=='ok' and j.get('hlr_number')=='$GT_JITSIM'" \
	"UGL result with jitsim's GT as hlr-Number"
expect_json "$OUT/vlr-ugl.out" "j['ev']=='rx' and j['tcap']=='continue' and j.get('acn')=='32.3' and any(c.get('op')=='insertSubscriberData' and '$POOL_FIRST'<=c.get('msisdn','')<='$POOL_LAST' for c in j['comps'])" \
	"ISD in the gprsLocationUpdate dialogue with an MSISDN of the pool"

step "the SIM in osmo-hlr with MSISDN $MSISDN"
# "info", not "info-all": the latter carries the SIM's Ki and OPc.
wait_for 30 "subscriber $IMSI in osmo-hlr" bash -c "$(declare -f hlr_get); HLR_IP=$HLR_IP; hlr_get subscriber.by-imsi-$IMSI.info | grep -q msisdn"
hlr_get "subscriber.by-imsi-$IMSI.info" >"$OUT/hlr-sub.txt"
grep -E '^(imsi|msisdn)' "$OUT/hlr-sub.txt" || true
grep -Eq "msisdn[[:space:]]+$MSISDN" "$OUT/hlr-sub.txt" || fail "osmo-hlr has not the MSISDN of the ISD"

step "first attach of $IMSI_SU as a handset does it: SAI, then UL"
# The SAI starts the activation (docs/fta.md); whether the UL then finds
# the job running (jitsim-cp answers: ISD, result with jitsim's GT) or
# finished (the worker relays it to the region's HLR, which answers with
# its own GT) depends on provisioning speed. Either way the attach succeeds
# and the SIM ends ACTIVE, provisioned in osmo-hlr.
vlr "$GT_VLR" --imsi "$IMSI_SU" --key-k "$K4" --key-opc "$OPC4" sai:2 ul \
	>"$OUT/vlr-saiul.out" 2>"$OUT/vlr-saiul.log" ||
	{ cat "$OUT/vlr-saiul.out"; fail "SAI then UL not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-saiul.out"
expect_json "$OUT/vlr-saiul.out" "j['ev']=='step' and j['step']=='sai:2' and j['result']=='ok' and j['vectors']==2 and j['verified']==2" \
	"SAI answered by jitsim-cp with 2 vectors of the SIM's own keys"
expect_json "$OUT/vlr-saiul.out" "j['ev']=='step' and j['step']=='ul' and j['result']=='ok' and j.get('hlr_number') in ('$GT_JITSIM', '$GT_HLR')" \
	"UL result (from jitsim-cp or, relayed, from the region's HLR)"
wait_for 30 "subscriber $IMSI_SU in osmo-hlr" bash -c "$(declare -f hlr_get); HLR_IP=$HLR_IP; hlr_get subscriber.by-imsi-$IMSI_SU.info | grep -q msisdn"
if grep -q "\"hlr_number\":\"$GT_JITSIM\"" "$OUT/vlr-saiul.out"; then
	echo "UL answered by jitsim-cp (activation still running at the UL)"
	expect_json "$OUT/vlr-saiul.out" "j['ev']=='rx' and j['tcap']=='continue' and any(c.get('op')=='insertSubscriberData' and '$POOL_FIRST'<=c.get('msisdn','')<='$POOL_LAST' for c in j['comps'])" \
		"ISD with an MSISDN of the pool"
else
	echo "UL relayed to the region's HLR (activation finished before the UL)"
fi

step "malformed SCCP and TCAP to jitsim: dropped, jitsim-dp goes on"
vlr "$GT_VLR" --imsi "$IMSI" junk-sccp junk-tcap >"$OUT/vlr-junk.out" 2>"$OUT/vlr-junk.log" ||
	{ cat "$OUT/vlr-junk.out"; fail "could not send the malformed messages"; }
sleep 2
alive "$DP_PID" dp

step "next SAI of the now ACTIVE SIM: relayed to the stand-in HLR"
vlr "$GT_VLR" --imsi "$IMSI" --key-k "$K_HLR" --key-opc "$OPC_HLR" sai:1 \
	>"$OUT/vlr-relay.out" 2>"$OUT/vlr-relay.log" ||
	{ cat "$OUT/vlr-relay.out"; fail "SAI of the ACTIVE SIM not relayed"; }
expect_json "$OUT/vlr-relay.out" 'j["ev"]=="step" and j["result"]=="ok" and j["vectors"]==1 and j["verified"]==1' \
	"relayed SAI answered with the stand-in HLR's vectors"

step "SAI and re-synchronisation of INVENTORY SIM $IMSI_RS, answered by jitsim-cp"
vlr "$GT_VLR_ELSE" --imsi "$IMSI_RS" --key-k "$K2" --key-opc "$OPC2" sai:2 resync:4096 \
	>"$OUT/vlr-resync.out" 2>"$OUT/vlr-resync.log" ||
	{ cat "$OUT/vlr-resync.out"; fail "SAI/re-synchronisation not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-resync.out"
expect_json "$OUT/vlr-resync.out" "j['ev']=='step' and j['step']=='sai:2' and j['result']=='ok' and j['vectors']==2 and j['verified']==2" \
	"SAI answered by jitsim-cp with 2 vectors of the SIM's own keys"
expect_json "$OUT/vlr-resync.out" "j['ev']=='rx' and j['tcap']=='end' and 'gt=$GT_JITSIM' in j['calling']" \
	"the SAI answer comes from jitsim's GT"
expect_json "$OUT/vlr-resync.out" 'j["ev"]=="step" and j["step"]=="resync:4096" and j["result"]=="ok" and j["verified"]==j["vectors"]>=1 and min(j["sqn"])>4096' \
	"vectors after the resync start past SQN_MS 4096"

step "stop: jitsim-dp and jitsim-cp exit 0"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
grep -E 'ss7 final:' "$OUT/dp.log" || true
sctp_stop "$CP_PID" 30 || fail "jitsim-cp exit $? on SIGTERM (see cp.log)"
sctp_stop "$HLR_PID" 10 || fail "ss7peer hlr exit $? on SIGTERM"
expect_json "$OUT/hlr.log" 'j["ev"]=="summary" and j["sai"]==1 and j["bad"]==0' \
	"the stand-in HLR saw exactly the relayed SAI"
for k in "$K1" "$OPC1" "$K2" "$OPC2" "$K3" "$OPC3"; do
	! grep -rqi "$k" "$OUT" || fail "a SIM key is in $(grep -rli "$k" "$OUT" | head -1)"
done

step "tshark decode"
tshark_stop
# The junk of the VLR (and osmo-stp passing it on) is malformed on purpose.
TSHARK_MALFORMED_FROM="$PORT_VLR $STP_PORT" tshark_decode "$OUT/fta.pcapng" "$OUT/tshark.tsv"
[ "$(grep -c . "$OUT/tshark.tsv.malformed")" -ge 2 ] ||
	fail "tshark did not see the junk as malformed: was it junk?"
# From jitsim's port: ASPUP, ASPAC, DATA with SAI (56) answered, ISD (7),
# UL result (2), CancelLocation (3).
for op in 56 7 2 3; do
	m3ua_seen "$OUT/tshark.tsv" "$PORT_JITSIM" 1 1 "$op" ||
		fail "no MAP operation $op from jitsim's port decoded by tshark"
done
step "ok: $(awk -F'\t' '$5 != ""' "$OUT/tshark.tsv" | wc -l) M3UA messages decoded, none malformed but the junk"
