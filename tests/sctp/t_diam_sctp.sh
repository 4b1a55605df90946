#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Diameter S6a over SCTP (issue 9; RFC 6733 2.1: PPID 46), in the SCTP VM
# or on a host with SCTP: jitsim-dp ([diameter]: peer mme listening on
# SCTP, region 1's stand-in HSS over SCTP, Tw 2 s) and jitsim-cp ([fta],
# an outbox HLR); diampeer --sctp as MME and stand-in HSS. Checks:
#  - CER/CEA with the MME and with the HSS over SCTP; DWR/DWA on the HSS
#    association (Tw 2 s);
#  - first attach of INVENTORY SIM U over SCTP: AIR answered by jitsim
#    with vectors of the SIM's own keys, then ULR: 2001 (from jitsim-cp
#    with a pool MSISDN, or proxied to the HSS when the activation the AIR
#    started was faster); the SIM ends ACTIVE;
#  - the next AIR of U is proxied to the stand-in HSS over SCTP: vectors
#    of the HSS's keys, Route-Record = the MME;
#  - jitsim-dp (DPR) and jitsim-cp exit 0; no SIM key in any log;
#  - tshark: every Diameter message decodes, none malformed, all in SCTP
#    DATA with PPID 46.
source "$(dirname "$0")/lib.sh"
DIAM_TR=sctp
source "$SRC/tests/diam/lib_diam.sh"

IMSI_U=001010000000501
MME_PORT=$(diam_port)
HSS_PORT=$(diam_port)

step "store with 1 INVENTORY SIM"
diam_store "$IMSI_U"
cap_start "$OUT/diam-sctp.pcapng" sctp
step "stand-in HSS of region 1 on SCTP $IP:$HSS_PORT"
hss_bg hss "$IP:$HSS_PORT"
wait_log 60 "$OUT/hss.log" '"ev":"listening"'
step "jitsim-cp with [fta], region 1 -> an outbox HLR"
cp_start outbox "$W/outbox-h1.jsonl"
step "jitsim-dp with [diameter] over SCTP (Tw 2 s)"
DP_TW=2 dp_start dp "peer = mme listen sctp $IP:$MME_PORT host=$MME_HOST" \
	"hss = 1 hss1 sctp $IP:$HSS_PORT host=$HSS_HOST realm=$HSS_REALM"
wait_log 60 "$OUT/dp.log" "diameter: peer hss1 open"

step "first attach of $IMSI_U over SCTP: AIR, ULR"
mme attach "$IP:$MME_PORT" --imsi "$IMSI_U" --steps air,ulr --vectors 2 \
	--ki "${KI[$IMSI_U]}" --opc "${OPC[$IMSI_U]}" --step-timeout 60 --connect-timeout 60 ||
	{ cat "$OUT/attach.out" "$OUT/attach.log"; fail "AIR/ULR over SCTP not as expected"; }
cat "$OUT/attach.out"
expect_lines "$OUT/attach.out" "j.get('step')=='air' and j['result_code']==2001 and j['vectors']==2 and j['verified'] is True and j['origin_host']=='$J_HOST'" \
	"AIA from jitsim with 2 vectors of the SIM's own keys" \
	"j.get('step')=='ulr' and j['result_code']==2001 and ((j['origin_host']=='$J_HOST' and '$POOL_FIRST'<=(j['msisdn'] or '')<='$POOL_LAST') or (j['origin_host']=='$HSS_HOST' and j['msisdn']=='$HSS_MSISDN'))" \
	"ULA 2001 (from jitsim-cp with a pool MSISDN or, proxied, from the HSS)"
wait_for 60 "$IMSI_U ACTIVE" sim_is "$IMSI_U" active

step "next AIR of ACTIVE $IMSI_U: proxied to the HSS over SCTP"
wait_for 60 "jitsim-dp has jitsim-cp's table updates" dp_synced
mme proxy "$IP:$MME_PORT" --imsi "$IMSI_U" --steps air --ki "$K_HSS" --opc "$OPC_HSS" \
	--step-timeout 60 --connect-timeout 60 ||
	{ cat "$OUT/proxy.out" "$OUT/proxy.log"; fail "proxied AIR over SCTP not answered"; }
cat "$OUT/proxy.out"
expect_lines "$OUT/proxy.out" "j.get('step')=='air' and j['result_code']==2001 and j['verified'] is True and j['origin_host']=='$HSS_HOST'" \
	"AIA from the stand-in HSS, vectors of its keys"
# A DWR from jitsim-dp on the HSS association: Tw 2 s of silence.
sleep 6

step "stop: jitsim-dp (DPR), jitsim-cp, the stand-in HSS exit 0"
sctp_stop "$DP_PID" 30 || fail "jitsim-dp exit $? on SIGTERM (see dp.log)"
sctp_stop "$CP_PID" 30 || fail "jitsim-cp exit $? on SIGTERM (see cp.log)"
sctp_stop "$HSS_PID" 10 || fail "diampeer hss exit $? on SIGTERM (see hss.log)"
python3 - "$OUT/hss.stats.json" "$MME_HOST" <<'PY' || fail "the stand-in HSS did not see Route-Record = $MME_HOST"
import json, sys
s = json.load(open(sys.argv[1]))
print(s)
sys.exit(0 if sys.argv[2] in s.get("route_record", {}) else 1)
PY
no_keys_in_logs

step "tshark decode"
cap_stop
diam_decode "$OUT/diam-sctp.pcapng" "$OUT/diam-sctp.jsonl" "$MME_PORT" "$HSS_PORT"
python3 - "$OUT/diam-sctp.jsonl" <<'PY' || fail "a Diameter message not in SCTP DATA with PPID 46"
import json, sys
bad = [l for l in open(sys.argv[1]) if not json.loads(l)["ppid"] or any(p != 46 for p in json.loads(l)["ppid"])]
sys.exit(1 if bad else 0)
PY
M=$MME_PORT H=$HSS_PORT
pdu "$OUT/diam-sctp.jsonl" \
	"$M in (j['src'], j['dst']) and j['cmd']==257 and j['req']" "CER over SCTP with the MME" \
	"$M in (j['src'], j['dst']) and j['cmd']==257 and not j['req'] and f('diameter.Result-Code')==['2001']" "CEA 2001 over SCTP with the MME" \
	"$H in (j['src'], j['dst']) and j['cmd']==257 and j['req']" "CER over SCTP with the HSS" \
	"$H in (j['src'], j['dst']) and j['cmd']==257 and not j['req'] and f('diameter.Result-Code')==['2001']" "CEA 2001 over SCTP with the HSS" \
	"j['dst']==$H and j['cmd']==280 and j['req']" "DWR from jitsim-dp to the HSS" \
	"j['src']==$H and j['cmd']==280 and not j['req'] and f('diameter.Result-Code')==['2001']" "DWA from the HSS" \
	"j['dst']==$M and j['cmd']==318 and j['req'] and f('diameter.User-Name')==['$IMSI_U'] and f('diameter.Visited-PLMN-Id')" "AIR over SCTP" \
	"j['src']==$M and j['cmd']==318 and not j['req'] and len(f('diameter.E-UTRAN-Vector'))==2 and f('diameter.Origin-Host')==['$J_HOST']" "AIA from jitsim over SCTP" \
	"j['src']==$M and j['cmd']==316 and not j['req'] and f('diameter.Result-Code')==['2001']" "ULA over SCTP" \
	"j['dst']==$H and j['cmd']==318 and j['req'] and '$MME_HOST' in f('diameter.Route-Record')" "proxied AIR to the HSS over SCTP with Route-Record" \
	"j['dst']==$H and j['cmd']==282 and j['req'] and f('diameter.Disconnect-Cause')==['0']" "DPR (REBOOTING) from jitsim-dp to the HSS"
step "ok: $(wc -l <"$OUT/diam-sctp.jsonl") Diameter messages decoded over SCTP, PPID 46, none malformed"
