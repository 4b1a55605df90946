#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# jitsim-dp as an M3UA ASP behind osmo-stp ([ss7] section, no NIC at all):
# the test VLR (ss7peer vlr, PC 0.23.1) sends MAP to jitsim (PC 0.23.2),
# a stand-in HLR (ss7peer hlr, PC 0.23.3) is region 0's HLR. Checks:
#  - jitsim-dp's ASP becomes ACTIVE in osmo-stp (its VTY) and in its log;
#  - SAI v3 (2 vectors) of an ACTIVE SIM is relayed by the worker to the HLR, the
#    HLR's answer relayed back to the VLR: both vectors verified by the VLR
#    with the HLR's keys; the SIM's ACTIVITY event is raised (detect runs
#    on SS7 traffic as on NIC traffic);
#  - SAI of a LOCKED SIM is answered by jitsim itself with ReturnError
#    unknownSubscriber (1), nothing reaches the HLR; BLOCKED_ATTEMPT event;
#  - SIGTERM: jitsim-dp sends ASPIA and ASPDN (tshark), exits 0, and its
#    final summary counts the relays and the answer;
#  - tshark on lo decodes everything with no malformed packet.
# (osmo-stp restarts: t_dp_restart.sh.)
source "$(dirname "$0")/lib.sh"

need_prog JITSIM_SS7PEER "needs dataplane/sigtran"
need_prog JITSIM_DP "jitsim-dp"
need_prog JITSIM_SHM "jitsim-shm"
PEER=$JITSIM_SS7PEER

# TS 35.208 Test Set 1: ss7peer hlr's default keys.
K=465b5ce8b199b49faa5f0a2ee238a6bc
OPC=cd63cb71954a9f4e48a5994e37a02baf
IMSI_ACTIVE=001010000000001
IMSI_LOCKED=001010000000002
GT_VLR=491770000001
GT_JITSIM=491770000002
GT_HLR=491770000003
INST=sctprelay$$
pc_num() { python3 -c "a,b,c=map(int,'$1'.split('.'));print(a<<11|b<<3|c)"; }

sctp_clean_on_exit "/dev/shm/jitsim.$INST" "/var/run/dpdk/jitsim-$INST"

# jitsim-dp first: its EAL start is the slowest under TCG, and its ASP
# retries with backoff until osmo-stp is there (what is tested below).
step "jitsim-dp with [ss7] only"
cat >"$OUT/dp.conf" <<EOF
[instance]
name = $INST
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 128
lcores = 0-1
[ss7]
own_pc = $PC_JITSIM
own_gt = $GT_JITSIM
ni = 2
hlr = 0 $PC_HLR $GT_HLR
asp = stp $SCTP_IP:$PORT_JITSIM $SCTP_IP:$STP_PORT rc=2 mode=override
EOF
"$JITSIM_DP" -c "$OUT/dp.conf" --no-store --check-config >"$OUT/dp-effective.conf" ||
	fail "jitsim-dp --check-config refused the scenario's [ss7] section"
sctp_bg dp "$JITSIM_DP" -c "$OUT/dp.conf" --no-store
DP_PID=$BG_PID
step "tshark on lo"
tshark_start "$OUT/relay.pcapng"
step "osmo-stp on $SCTP_IP:$STP_PORT"
stp_start

step "stand-in HLR"
# shellcheck disable=SC2046
sctp_bg hlr "$PEER" hlr $(peer_args hlr) --own "pc=$PC_HLR,ssn=6,gt=$GT_HLR"
HLR_PID=$BG_PID
wait_log 60 "$OUT/hlr.log" '"ev":"active"'

wait_log 120 "$OUT/dp.log" 'ready: 1 workers'
wait_log 60 "$OUT/dp.log" 'ss7 asp stp .*: ACTIVE'
wait_for 20 "osmo-stp sees ASP jitsim ASP_ACTIVE" stp_asp_is jitsim ASP_ACTIVE

# The events consumer runs from here to the end (reading them afterwards
# would cost a tool start under TCG).
sctp_bg events "$JITSIM_SHM" events --instance "$INST" -t 600
EV_PID=$BG_PID

step "the SIMs: $IMSI_ACTIVE ACTIVE in region 0, $IMSI_LOCKED LOCKED"
printf 'put %s active region=0\nput %s locked region=0\n' "$IMSI_ACTIVE" "$IMSI_LOCKED" |
	"$JITSIM_SHM" update --instance "$INST" -t 60 - >"$OUT/update.log" 2>&1 ||
	fail "jitsim-shm update (see update.log)"

vlr() {
	# shellcheck disable=SC2046
	"$PEER" vlr $(peer_args vlr) --dpc "$PC_JITSIM" --own "pc=$PC_VLR,ssn=7,gt=$GT_VLR" \
		--key-k "$K" --key-opc "$OPC" --step-timeout 30 "$@"
}

step "VLR: SAI of the ACTIVE SIM (relayed) and of the LOCKED SIM (answered)"
vlr --imsi "$IMSI_ACTIVE" sai:2 >"$OUT/vlr-active.out" 2>"$OUT/vlr-active.log" ||
	{ cat "$OUT/vlr-active.out"; fail "SAI of the ACTIVE SIM not answered as expected"; }
vlr --imsi "$IMSI_LOCKED" sai@error=1 >"$OUT/vlr-locked.out" 2>"$OUT/vlr-locked.log" ||
	{ cat "$OUT/vlr-locked.out"; fail "SAI of the LOCKED SIM not answered with error 1"; }
cat "$OUT/vlr-active.out" "$OUT/vlr-locked.out"
expect_json "$OUT/vlr-active.out" 'j["ev"]=="step" and j["step"].startswith("sai") and j["result"]=="ok" and j["vectors"]==2 and j["verified"]==2' \
	"relayed SAI: 2 vectors verified with the HLR's keys"
# The HLR's answer came back through jitsim: OPC is jitsim's PC, the
# called party is still the VLR's GT.
expect_json "$OUT/vlr-active.out" "j['ev']=='rx' and j['opc']==$(pc_num "$PC_JITSIM") and j['tcap']=='end' and 'gt=$GT_VLR' in j['called']" \
	"the HLR's End relayed back to the VLR by jitsim"
expect_json "$OUT/vlr-locked.out" 'j["ev"]=="step" and j["result"]=="error" and j["error"]==1' \
	"LOCKED SIM answered with unknownSubscriber"
expect_json "$OUT/vlr-locked.out" "j['ev']=='rx' and j['opc']==$(pc_num "$PC_JITSIM") and j['tcap']=='end'" \
	"the answer is a TCAP End from jitsim's PC"

step "SIGTERM: ASPIA, ASPDN, exit 0"
sctp_stop "$DP_PID" 20 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
grep -E 'ss7 final:' "$OUT/dp.log" >"$OUT/dp-final.txt" || fail "no ss7 final summary in dp.log"
cat "$OUT/dp-final.txt"
# The SAI relayed to the HLR, its End relayed back, 1 answer for the
# LOCKED SIM; nothing dropped.
grep -Eq 'rx=3 relayed_hlr=1 relayed_back=1 answered_locked=1 to_cp=0 from_cp=0 sent=3 fta_drops=0 ring_drops=0 sigio_drops=0' \
	"$OUT/dp-final.txt" || fail "ss7 final counters not as expected"
wait_for 20 "osmo-stp sees ASP jitsim down" stp_asp_not jitsim ASP_ACTIVE

step "events raised by the workers' detect pipeline"
sctp_stop "$EV_PID" 10 || fail "jitsim-shm events exit $? (see events.log)"
cat "$OUT/events.log"
expect_json "$OUT/events.log" "j['type']=='activity' and j['imsi']=='$IMSI_ACTIVE' and j['op']==56" \
	"ACTIVITY for the relayed SIM"
expect_json "$OUT/events.log" "j['type']=='blocked_attempt' and j['imsi']=='$IMSI_LOCKED' and j['op']==56" \
	"BLOCKED_ATTEMPT for the LOCKED SIM"
sctp_stop "$HLR_PID" 10 || fail "ss7peer hlr exit $? on SIGTERM"
expect_json "$OUT/hlr.log" 'j["ev"]=="summary" and j["sai"]==1 and j["bad"]==0' \
	"the stand-in HLR saw the relayed SAI and not the LOCKED SIM's"

step "tshark decode"
tshark_stop
# One pass (a tshark start costs ~15 s under TCG): every packet, with
# a last column saying malformed/error when it is.
tshark -n -r "$OUT/relay.pcapng" -T fields -e sctp.srcport -e m3ua.message_class \
	-e m3ua.message_type -e gsm_old.localValue -e _ws.malformed -e _ws.expert.severity \
	>"$OUT/tshark-all.txt" 2>"$OUT/tshark-read.log" || fail "tshark cannot read the capture"
# Expert severity "error" is 8388608 (0x00800000; PI_ERROR in epan/proto.h).
malformed=$(awk -F'\t' '$5 != "" || $6 ~ /8388608/' "$OUT/tshark-all.txt" | wc -l)
[ "$malformed" = 0 ] || {
	awk -F'\t' '$5 != "" || $6 ~ /8388608/' "$OUT/tshark-all.txt" | head -20
	fail "$malformed malformed/error packets in the capture"
}
awk -F'\t' '$2 != ""' "$OUT/tshark-all.txt" >"$OUT/tshark-fields.txt"
# From jitsim's port: ASPUP (3/1), ASPAC (4/1), DATA (1/1) with SAI (56),
# and on SIGTERM ASPIA (4/2) and ASPDN (3/2).
for ct in '3\t1' '4\t1' '1\t1\t.*\b56\b' '4\t2' '3\t2'; do
	grep -Pq "^$PORT_JITSIM\t$ct" "$OUT/tshark-fields.txt" ||
		fail "no message $ct from jitsim's port $PORT_JITSIM decoded by tshark"
done
step "ok: $(grep -c . "$OUT/tshark-fields.txt") M3UA messages decoded, none malformed"
