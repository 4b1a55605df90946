#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# First Time Attach failure cases (issue 8, Tests -> Failure cases), the
# set of t_fta_e2e.sh without the stand-in HLR (nothing is relayed here):
# osmo-stp, osmo-hlr, jitsim-cp [fta] (ul_timeout 3 s), jitsim-dp [ss7]
# with its ASP to osmo-stp and a `listen` SGP association of its own.
# Checks:
#  - association lost mid-dialogue: the VLR sends the UL of INVENTORY SIM
#    A and aborts its association (SCTP ABORT, no ASPDN) when the ISD
#    comes, unanswered: jitsim-cp closes the dialogue (fta dialogues open
#    0, one more timeout or abort) within ul_timeout; SIM A is ACTIVE in
#    jitsim-cp with the MSISDN of the ISD and in osmo-hlr with the same
#    one (the activation is done before the ISD: never half);
#  - a new VLR association then attaches INVENTORY SIM B normally (ISD,
#    UL result with jitsim's GT, CancelLocation);
#  - malformed M3UA (bad version, length past the message, unknown class,
#    unknown ASPTM type, parameter past the message) straight onto
#    jitsim-dp's own SGP association: 5 ERRs back, the association stays
#    ACTIVE, jitsim-dp stays up;
#  - the same through the VLR's association to osmo-stp: osmo-stp stays
#    up and keeps the association ACTIVE, and the SAI of INVENTORY SIM C
#    right after it on that association is answered by jitsim-cp with 2
#    vectors of C's own keys;
#  - jitsim-dp and jitsim-cp stop with exit 0; no key of the SIMs in any log.
source "$(dirname "$0")/lib.sh"

need_prog JITSIM_SS7PEER "needs dataplane/sigtran"
need_prog JITSIM_DP "jitsim-dp"
need_prog JITSIM_CP "jitsim-cp"
need_prog JITSIM_STORE "jitsim-store"
need_prog JITSIMCTL "jitsimctl"
command -v osmo-hlr >/dev/null || fail "osmo-hlr not installed (scripts/deps.sh)"
PEER=$JITSIM_SS7PEER

INST=sctpftaf$$
# Store, osmo-hlr database and control socket on tmpfs: the out dir is 9p
# in the VM (no unix sockets, no reliable locks there).
W=$(mktemp -d /tmp/jitsim-ftaf.XXXXXX)
sctp_clean_on_exit "$W" "/dev/shm/jitsim.$INST" "/var/run/dpdk/jitsim-$INST"

hex16() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }
luhn() {
	python3 -c "
d=[int(c) for c in '$1'][::-1]
s=sum(x if i%2 else (2*x if 2*x<10 else 2*x-9) for i,x in enumerate(d))
print('$1'+str((10-s%10)%10))"
}

IMSI_A=001010000000201
IMSI_B=001010000000202
IMSI_C=001010000000203
KA=$(hex16) OPCA=$(hex16) KB=$(hex16) OPCB=$(hex16) KC=$(hex16) OPCC=$(hex16)
GT_VLR=491770000001
GT_JITSIM=491770000002
GT_HLR=491770000003
HLR_IP=${SCTP_IP%.1}.2
POOL_FIRST=491701357900
POOL_LAST=491701357999
# jitsim-dp's own SGP association (listen) and the VLR's port towards it.
PORT_DP_LISTEN=12910
PORT_VLR_DIRECT=12911
UL_TIMEOUT=3

step "store with 3 INVENTORY SIMs"
{
	echo "iccid,imsi,ki,opc,batch"
	echo "$(luhn 8944010000000000201),$IMSI_A,$KA,$OPCA,B1"
	echo "$(luhn 8944010000000000202),$IMSI_B,$KB,$OPCB,B1"
	echo "$(luhn 8944010000000000203),$IMSI_C,$KC,$OPCC,B1"
} >"$W/sims.csv"
"$JITSIM_STORE" init --store "$W/store" --kek "$W/kek" --new-kek >"$OUT/store.log" 2>&1 ||
	fail "jitsim-store init (see store.log)"
"$JITSIM_STORE" import "$W/sims.csv" --store "$W/store" --kek "$W/kek" >>"$OUT/store.log" 2>&1 ||
	fail "jitsim-store import (see store.log)"
rm -f "$W/sims.csv"

step "osmo-hlr on $HLR_IP"
hlr_start

step "osmo-stp on $SCTP_IP:$STP_PORT"
stp_start

step "jitsim-cp with [fta], ul_timeout $UL_TIMEOUT s"
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
ul_timeout = $UL_TIMEOUT
handover_delay = 1
EOF
sctp_bg cp "$JITSIM_CP" -c "$OUT/cp.conf"
CP_PID=$BG_PID
wait_log 120 "$OUT/cp.log" 'jitsim-cp: ready:'
alive "$CP_PID" cp

ctl() { "$JITSIMCTL" --socket "$W/cp.sock" --json "$@"; }
# fta_get EXPR: a python expression over `f`, jitsim-cp's status object fta.
fta_get() {
	ctl status | python3 -c "
import json, sys
def find(o):
    if isinstance(o, dict):
        if 'fta' in o and isinstance(o['fta'], dict) and 'dialogues' in o['fta']:
            return o['fta']
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
f = find(json.load(sys.stdin))
print($1)"
}
# sim_field IMSI KEY: a field of `jitsimctl sim show` (searched at any depth).
sim_field() {
	ctl sim show "$1" | python3 -c "
import json, sys
def find(o):
    if isinstance(o, dict):
        if '$2' in o:
            return o['$2']
        for v in o.values():
            r = find(v)
            if r is not None:
                return r
print(find(json.load(sys.stdin)))"
}

step "jitsim-dp with [ss7]: ASP to osmo-stp, SGP on $SCTP_IP:$PORT_DP_LISTEN"
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
listen = $SCTP_IP:$PORT_DP_LISTEN rc=9
EOF
sctp_bg dp "$JITSIM_DP" -c "$OUT/dp.conf"
DP_PID=$BG_PID
wait_log 120 "$OUT/dp.log" 'ready: 1 workers'
wait_log 60 "$OUT/dp.log" 'ss7 asp stp .*: ACTIVE'
wait_for 20 "osmo-stp sees ASP jitsim ASP_ACTIVE" stp_asp_is jitsim ASP_ACTIVE

# vlr GT ARGS...: ss7peer vlr (through osmo-stp) as the VLR of global title GT.
vlr() {
	local gt=$1
	shift
	# shellcheck disable=SC2046
	"$PEER" vlr $(peer_args vlr) --dpc "$PC_JITSIM" --own "pc=$PC_VLR,ssn=7,gt=$gt" \
		--msc "$gt" --vlr "$gt" --step-timeout 40 "$@"
}

step "UL of $IMSI_A, the VLR's association aborted at the ISD"
T_DLG0=$(fta_get "f['dialogues']['timeouts'] + f['dialogues']['aborted']")
vlr "$GT_VLR" --imsi "$IMSI_A" ul-drop >"$OUT/vlr-drop.out" 2>"$OUT/vlr-drop.log" ||
	{ cat "$OUT/vlr-drop.out"; fail "UL then drop not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-drop.out"
expect_json "$OUT/vlr-drop.out" "j['ev']=='step' and j['step']=='ul-drop' and j['result']=='ok' and j.get('dropped')=='at-isd'" \
	"association dropped at the ISD"
MSISDN_A=$(json_get "$OUT/vlr-drop.out" "j['ev']=='rx' and j['tcap']=='continue'" |
	python3 -c "import json,sys
for l in sys.stdin:
    for c in json.loads(l)['comps']:
        if c.get('msisdn'): print(c['msisdn']); sys.exit()")
[ -n "$MSISDN_A" ] || fail "no MSISDN in the ISD for $IMSI_A"
T_DROP=$(date +%s)
# ul_timeout after the ISD, plus the dialogue sweep: 3 * ul_timeout is slack
# for TCG, not a measured threshold.
dlg_closed() {
	[ "$(fta_get "f['dialogues']['open'] == 0 and f['dialogues']['timeouts'] + f['dialogues']['aborted'] > $T_DLG0")" = True ]
}
wait_for $((3 * UL_TIMEOUT + 10)) "jitsim-cp closes the dialogue of the lost VLR" dlg_closed
echo "dialogue closed $(($(date +%s) - T_DROP)) s after the drop; fta: $(fta_get "f['dialogues'], f['ul']")"
grep -E 'jitsim-cp: .*(fta|dialogue)' "$OUT/cp.log" | tail -n 5 || true
alive "$CP_PID" cp
alive "$DP_PID" dp
STATE_A=$(sim_field "$IMSI_A" state)
SIM_MSISDN_A=$(sim_field "$IMSI_A" msisdn)
echo "SIM $IMSI_A: $STATE_A $SIM_MSISDN_A (ISD: $MSISDN_A)"
[ "${STATE_A^^}" = ACTIVE ] || fail "SIM $IMSI_A is $STATE_A after its ISD was sent, not ACTIVE"
[ "$SIM_MSISDN_A" = "$MSISDN_A" ] || fail "SIM $IMSI_A has MSISDN $SIM_MSISDN_A, the ISD carried $MSISDN_A"
wait_for 30 "subscriber $IMSI_A in osmo-hlr" bash -c "$(declare -f hlr_get); HLR_IP=$HLR_IP; hlr_get subscriber.by-imsi-$IMSI_A.info | grep -q msisdn"
hlr_get "subscriber.by-imsi-$IMSI_A.info" >"$OUT/hlr-sub-a.txt"
grep -E '^(imsi|msisdn)' "$OUT/hlr-sub-a.txt" || true
grep -Eq "msisdn[[:space:]]+$MSISDN_A\$" "$OUT/hlr-sub-a.txt" ||
	fail "osmo-hlr has not the MSISDN $MSISDN_A of SIM $IMSI_A"

step "new VLR association: first attach of $IMSI_B (UL, ISD, CancelLocation)"
wait_for 30 "osmo-stp sees ASP vlr gone" stp_asp_not vlr ASP_ACTIVE
vlr "$GT_VLR" --imsi "$IMSI_B" ul wait-cancel >"$OUT/vlr-attach.out" 2>"$OUT/vlr-attach.log" ||
	{ cat "$OUT/vlr-attach.out"; fail "attach after the lost association not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-attach.out"
expect_json "$OUT/vlr-attach.out" "j['ev']=='step' and j['step']=='ul' and j['result']=='ok' and j.get('hlr_number')=='$GT_JITSIM'" \
	"UL result with jitsim's GT as hlr-Number"
expect_json "$OUT/vlr-attach.out" "j['ev']=='rx' and j['tcap']=='continue' and any(c.get('op')=='insertSubscriberData' and '$POOL_FIRST'<=c.get('msisdn','')<='$POOL_LAST' and c.get('msisdn')!='$MSISDN_A' for c in j['comps'])" \
	"ISD with another MSISDN of the pool"
STATE_B=$(sim_field "$IMSI_B" state)
[ "${STATE_B^^}" = ACTIVE ] || fail "SIM $IMSI_B not ACTIVE after its attach"

step "malformed M3UA straight to jitsim-dp's SGP association"
# shellcheck disable=SC2046
"$PEER" vlr --local "$SCTP_IP:$PORT_VLR_DIRECT" --remote "$SCTP_IP:$PORT_DP_LISTEN" --rc 9 \
	--opc "$PC_VLR" --dpc "$PC_JITSIM" --own "pc=$PC_VLR,ssn=7,gt=$GT_VLR" --imsi "$IMSI_C" \
	junk-m3ua >"$OUT/vlr-m3ua-dp.out" 2>"$OUT/vlr-m3ua-dp.log" ||
	{ cat "$OUT/vlr-m3ua-dp.out"; fail "could not send the malformed M3UA to jitsim-dp"; }
grep -v '"ev":"rx"' "$OUT/vlr-m3ua-dp.out"
expect_json "$OUT/vlr-m3ua-dp.out" "j['ev']=='step' and j['step']=='junk-m3ua' and j['errs']==5 and j['active']" \
	"jitsim-dp answers each malformed M3UA message with an ERR and keeps the association"
alive "$DP_PID" dp

step "malformed M3UA to osmo-stp, then SAI of INVENTORY SIM $IMSI_C on that association"
vlr "$GT_VLR" --imsi "$IMSI_C" --key-k "$KC" --key-opc "$OPCC" junk-m3ua sai:2 \
	>"$OUT/vlr-m3ua-stp.out" 2>"$OUT/vlr-m3ua-stp.log" ||
	{ cat "$OUT/vlr-m3ua-stp.out"; fail "malformed M3UA to osmo-stp, then SAI: not as expected"; }
grep -v '"ev":"rx"' "$OUT/vlr-m3ua-stp.out"
expect_json "$OUT/vlr-m3ua-stp.out" "j['ev']=='step' and j['step']=='junk-m3ua' and j['active']" \
	"osmo-stp keeps the VLR's association ACTIVE after the malformed M3UA"
expect_json "$OUT/vlr-m3ua-stp.out" "j['ev']=='step' and j['step']=='sai:2' and j['result']=='ok' and j['vectors']==2 and j['verified']==2" \
	"SAI answered by jitsim-cp with 2 vectors of the SIM's own keys"
alive "$STP_PID" stp
alive "$DP_PID" dp

step "stop: jitsim-dp and jitsim-cp exit 0"
echo "fta: $(fta_get "f")"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
grep -E 'ss7 final:' "$OUT/dp.log" || fail "no 'ss7 final:' line in dp.log"
sctp_stop "$CP_PID" 30 || fail "jitsim-cp exit $? on SIGTERM (see cp.log)"
for k in "$KA" "$OPCA" "$KB" "$OPCB" "$KC" "$OPCC"; do
	! grep -rqi "$k" "$OUT" || fail "a SIM key is in $(grep -rli "$k" "$OUT" | head -1)"
done
step "ok"
