#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# First Time Attach over Diameter S6a end to end (issue 9), host, TCP:
# a test MME (diampeer mme) attaches INVENTORY SIMs through jitsim-dp
# ([diameter]: the MME's peer, region 1's HSS) and jitsim-cp ([fta]); a
# real osmo-hlr is region 1's provisioning target and a stand-in HSS
# (diampeer hss, TS 35.208 Test Set 1 keys) its S6a HSS. Checks:
#  - ULR of INVENTORY SIM U (no AIR before: an AIR starts the activation
#    too, and once the SIM is ACTIVE the dataplane proxies its ULR to the
#    HSS, so AIR-then-ULR takes either path depending on the activation's
#    speed): ULA 2001 from jitsim with the MSISDN the workflow allocated,
#    then a CLR (SUBSCRIPTION_WITHDRAWAL) after handover_delay, answered;
#  - SIM U ACTIVE (jitsimctl) and in osmo-hlr (CTRL) with that MSISDN;
#  - AIR then ULR of INVENTORY SIM A: the AIA comes from jitsim with
#    vectors that verify with SIM A's own Ki/OPc (the vendor file's), the
#    ULR gets 2001 from jitsim (pool MSISDN) or, proxied, from the HSS;
#    SIM A ends ACTIVE in osmo-hlr;
#  - the next AIR of SIM U is proxied to the stand-in HSS: its vectors
#    verify with the HSS's keys and not with the SIM's, the HSS saw
#    Route-Record = the MME's host;
#  - a LOCKED SIM: Experimental-Result 5001 from jitsim, and jitsim-cp
#    counts a BLOCKED_ATTEMPT event (and audits it);
#  - jitsim-dp restarted with redirect = yes: the AIR of ACTIVE SIM U is
#    answered 3006 with Redirect-Host aaa://HSS;
#  - jitsim-dp and jitsim-cp exit 0 on SIGTERM; no SIM key in any log;
#  - tshark decodes every Diameter message on lo, none malformed, and shows
#    the AVPs above (User-Name, Visited-PLMN-Id, vectors, MSISDN, CLR,
#    Route-Record, Experimental-Result, Redirect-Host, DPR).
source "$(dirname "$0")/lib_diam.sh"

IMSI_U=001010000000201
IMSI_A=001010000000202
IMSI_L=001010000000203
MME_PORT=$(diam_port)
HSS_PORT=$(diam_port)
DP_PEERS=("peer = mme listen $DIAM_TR $IP:$MME_PORT host=$MME_HOST"
	"hss = 1 hss1 $DIAM_TR $IP:$HSS_PORT host=$HSS_HOST realm=$HSS_REALM")

step "store with 3 INVENTORY SIMs"
diam_store "$IMSI_U" "$IMSI_A" "$IMSI_L"
step "osmo-hlr on $HLR_IP"
hlr_start
cap_start "$OUT/diam.pcapng" "tcp port $MME_PORT or tcp port $HSS_PORT"
step "stand-in HSS of region 1 on $IP:$HSS_PORT"
hss_bg hss "$IP:$HSS_PORT"
step "jitsim-cp with [fta], region 1 = PLMN $PLMN -> osmo-hlr"
cp_start osmo-hlr "$HLR_IP"
step "jitsim-dp with [diameter]: peer mme $IP:$MME_PORT, hss1 $IP:$HSS_PORT"
dp_start dp "${DP_PEERS[@]}"
wait_log 30 "$OUT/dp.log" "diameter: peer hss1 open"

step "first attach of $IMSI_U: ULR -> ULA from jitsim, then CLR"
mme attach-u "$IP:$MME_PORT" --imsi "$IMSI_U" --steps ulr --wait-clr 30 ||
	{ cat "$OUT/attach-u.out"; fail "ULR/CLR of $IMSI_U not as expected"; }
cat "$OUT/attach-u.out"
expect_json "$OUT/attach-u.out" "j['step']=='ulr' and j['result_code']==2001 and j['origin_host']=='$J_HOST' and '$POOL_FIRST'<=(j['msisdn'] or '')<='$POOL_LAST'" \
	"ULA 2001 from jitsim with an MSISDN of the pool"
expect_json "$OUT/attach-u.out" "j['step']=='clr-in'" "CLR from jitsim after handover_delay"
MSISDN=$(json_get "$OUT/attach-u.out" "j['step']=='ulr'" | python3 -c "import json,sys; print(json.loads(sys.stdin.readline())['msisdn'])")

step "$IMSI_U ACTIVE with MSISDN $MSISDN, and in osmo-hlr"
sim_is "$IMSI_U" active || fail "$IMSI_U is not ACTIVE in jitsim-cp"
[ "$(ctl_get 'r["msisdn"]' sim show "$IMSI_U")" = "$MSISDN" ] || fail "jitsim-cp's MSISDN of $IMSI_U is not the ULA's"
# "info", not "info-all": the latter carries the SIM's Ki and OPc.
wait_for 30 "subscriber $IMSI_U in osmo-hlr" bash -c "$(declare -f hlr_get); HLR_IP=$HLR_IP; hlr_get subscriber.by-imsi-$IMSI_U.info | grep -q msisdn"
hlr_get "subscriber.by-imsi-$IMSI_U.info" >"$OUT/hlr-sub.txt"
grep -Eq "msisdn[[:space:]]+$MSISDN" "$OUT/hlr-sub.txt" || fail "osmo-hlr has not the MSISDN of the ULA"

step "first attach of $IMSI_A as an MME does it: AIR (SIM's keys), ULR"
mme attach-a "$IP:$MME_PORT" --imsi "$IMSI_A" --steps air,ulr --vectors 2 \
	--ki "${KI[$IMSI_A]}" --opc "${OPC[$IMSI_A]}" ||
	{ cat "$OUT/attach-a.out"; fail "AIR/ULR of $IMSI_A not as expected"; }
cat "$OUT/attach-a.out"
expect_json "$OUT/attach-a.out" "j['step']=='air' and j['result_code']==2001 and j['vectors']==2 and j['verified'] is True and j['origin_host']=='$J_HOST'" \
	"AIA from jitsim with 2 vectors of the SIM's own keys"
expect_json "$OUT/attach-a.out" "j['step']=='ulr' and j['result_code']==2001 and ((j['origin_host']=='$J_HOST' and '$POOL_FIRST'<=(j['msisdn'] or '')<='$POOL_LAST') or (j['origin_host']=='$HSS_HOST' and j['msisdn']=='$HSS_MSISDN'))" \
	"ULA 2001 (from jitsim-cp with a pool MSISDN or, proxied, from the HSS)"
wait_for 30 "subscriber $IMSI_A in osmo-hlr" bash -c "$(declare -f hlr_get); HLR_IP=$HLR_IP; hlr_get subscriber.by-imsi-$IMSI_A.info | grep -q msisdn"
wait_for 30 "$IMSI_A ACTIVE" sim_is "$IMSI_A" active

step "next AIR of ACTIVE $IMSI_U: proxied to the stand-in HSS"
wait_for 30 "jitsim-dp has jitsim-cp's table updates" dp_synced
mme proxy-hss "$IP:$MME_PORT" --imsi "$IMSI_U" --steps air --ki "$K_HSS" --opc "$OPC_HSS" ||
	{ cat "$OUT/proxy-hss.out"; fail "proxied AIR not answered"; }
cat "$OUT/proxy-hss.out"
expect_json "$OUT/proxy-hss.out" "j['step']=='air' and j['result_code']==2001 and j['vectors']>=1 and j['verified'] is True and j['origin_host']=='$HSS_HOST'" \
	"AIA from the stand-in HSS, vectors of its keys"
mme proxy-sim "$IP:$MME_PORT" --imsi "$IMSI_U" --steps air --ki "${KI[$IMSI_U]}" --opc "${OPC[$IMSI_U]}" ||
	{ cat "$OUT/proxy-sim.out"; fail "proxied AIR not answered"; }
expect_json "$OUT/proxy-sim.out" "j['step']=='air' and j['result_code']==2001 and j['verified'] is False and j['origin_host']=='$HSS_HOST'" \
	"proxied AIA vectors do not verify with the SIM's keys"

step "LOCKED SIM $IMSI_L: Experimental-Result 5001, BLOCKED_ATTEMPT"
ctl sim lock "$IMSI_L" >"$OUT/lock.json" || fail "jitsimctl sim lock $IMSI_L"
wait_for 30 "jitsim-dp has the lock" dp_synced
mme locked "$IP:$MME_PORT" --imsi "$IMSI_L" --steps air ||
	{ cat "$OUT/locked.out"; fail "AIR of the LOCKED SIM not answered"; }
cat "$OUT/locked.out"
expect_json "$OUT/locked.out" "j['step']=='air' and j['exp_result']==5001 and j['result_code'] is None and j['vectors']==0 and j['origin_host']=='$J_HOST'" \
	"Experimental-Result 5001 from jitsim for the LOCKED SIM"
blocked_counted() { [ "$(ctl_get 'r["events"]["blocked_attempt"]' status)" -ge 1 ]; }
wait_for 30 "BLOCKED_ATTEMPT counted by jitsim-cp" blocked_counted
ctl audit tail --limit 50 >"$OUT/audit.json"
grep -q "blocked_attempt" "$OUT/audit.json" || fail "no blocked_attempt in jitsim-cp's audit"
grep -q "$IMSI_L" "$OUT/audit.json" || fail "the blocked_attempt audit does not name $IMSI_L"
sim_is "$IMSI_L" locked || fail "$IMSI_L is no longer LOCKED"

step "jitsim-dp stops with exit 0 (DPR to the HSS)"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"

step "jitsim-dp with redirect = yes: AIR of ACTIVE $IMSI_U -> 3006"
dp_start dp-redirect "${DP_PEERS[@]}" "redirect = yes"
mme redirect "$IP:$MME_PORT" --imsi "$IMSI_U" --steps air ||
	{ cat "$OUT/redirect.out"; fail "AIR not answered with a redirect"; }
cat "$OUT/redirect.out"
expect_json "$OUT/redirect.out" "j['step']=='air' and j['result_code']==3006 and j['origin_host']=='$J_HOST' and 'aaa://$HSS_HOST' in str(j['redirect_host'])" \
	"3006 DIAMETER_REDIRECT_INDICATION with Redirect-Host aaa://$HSS_HOST"

step "stop: jitsim-dp, the stand-in HSS and jitsim-cp exit 0"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp (redirect) exit $? on SIGTERM (see dp-redirect.log)"
sctp_stop "$HSS_PID" 10 || fail "diampeer hss exit $? on SIGTERM (see hss.log)"
sctp_stop "$CP_PID" 30 || fail "jitsim-cp exit $? on SIGTERM (see cp.log)"
cat "$OUT/hss.stats.json" 2>/dev/null || fail "the stand-in HSS wrote no stats"
python3 - "$OUT/hss.stats.json" "$MME_HOST" <<'PY' || fail "the stand-in HSS did not see Route-Record = $MME_HOST"
import json, sys
s = json.load(open(sys.argv[1]))
sys.exit(0 if sys.argv[2] in json.dumps(s.get("route_record", s)) else 1)
PY
no_keys_in_logs

step "tshark decode"
cap_stop
diam_decode "$OUT/diam.pcapng" "$OUT/diam.jsonl" "$MME_PORT" "$HSS_PORT"
M=$MME_PORT H=$HSS_PORT
pdu "$OUT/diam.jsonl" "j['dst']==$M and j['cmd']==318 and j['req'] and f('diameter.User-Name')==['$IMSI_A'] and f('diameter.Visited-PLMN-Id')" \
	"AIR of $IMSI_A with User-Name and Visited-PLMN-Id"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==318 and not j['req'] and f('diameter.Result-Code')==['2001'] and len(f('diameter.E-UTRAN-Vector'))==2 and f('diameter.Origin-Host')==['$J_HOST']" \
	"AIA from jitsim with 2 E-UTRAN vectors"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==316 and not j['req'] and f('diameter.Result-Code')==['2001'] and '$MSISDN' in f('e164.msisdn') and 'm2m.jitsim.test' in f('diameter.Service-Selection')" \
	"ULA from jitsim with MSISDN $MSISDN and the APN of the SIM's tariff (7)"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==317 and j['req'] and f('diameter.Cancellation-Type')==['2'] and f('diameter.Destination-Host')==['$MME_HOST'] and f('diameter.User-Name')==['$IMSI_U']" \
	"CLR (SUBSCRIPTION_WITHDRAWAL) from jitsim to the MME"
pdu "$OUT/diam.jsonl" "j['dst']==$M and j['cmd']==317 and not j['req'] and f('diameter.Result-Code')==['2001']" \
	"CLA from the MME"
pdu "$OUT/diam.jsonl" "j['dst']==$H and j['cmd']==318 and j['req'] and f('diameter.User-Name')==['$IMSI_U'] and '$MME_HOST' in f('diameter.Route-Record') and f('diameter.Origin-Host')==['$MME_HOST']" \
	"proxied AIR to the HSS with Route-Record = the MME"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==318 and not j['req'] and f('diameter.Origin-Host')==['$HSS_HOST'] and f('diameter.Result-Code')==['2001']" \
	"the HSS's AIA mapped back to the MME"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==318 and not j['req'] and f('diameter.Experimental-Result-Code')==['5001']" \
	"Experimental-Result 5001 for the LOCKED SIM"
pdu "$OUT/diam.jsonl" "j['src']==$M and j['cmd']==318 and j['err'] and f('diameter.Result-Code')==['3006'] and any('$HSS_HOST' in h for h in f('diameter.Redirect-Host'))" \
	"3006 with Redirect-Host"
pdu "$OUT/diam.jsonl" "j['src']==$H and j['cmd']==282 and not j['req']" "DPA from the HSS (jitsim-dp's DPR answered)"
pdu "$OUT/diam.jsonl" "j['dst']==$H and j['cmd']==282 and j['req'] and f('diameter.Disconnect-Cause')==['0']" \
	"DPR (REBOOTING) from jitsim-dp to the HSS"
step "ok: $(wc -l <"$OUT/diam.jsonl") Diameter messages decoded, none malformed"
