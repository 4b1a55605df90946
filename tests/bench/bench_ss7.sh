#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# SS7 benchmark (issue 8): relayed MAP messages/s through ONE jitsim-dp
# worker over a real SCTP association, next to a plain SCTP echo of the
# same M3UA DATA messages measured in the same run; then first attaches/s
# through jitsim-dp + jitsim-cp's FTA engine. Needs kernel SCTP and root:
# run it through scripts/sctp-run.sh (directly, or in the SCTP VM):
#
#   scripts/sctp-run.sh -o OUT tests/bench/bench_ss7.sh BUILD_DIR
#
# 1. echo: tests/sctp/ss7peer echo, bench_ss7 echo sends N SAI Begins (M3UA
#    DATA, IMSIS distinct IMSIs) with W in flight and checks each echo.
# 2. relay: jitsim-dp ([ss7] only, one worker, no store; IMSIS SIMs put
#    ACTIVE in region 0 with jitsim-shm update) connects its ASP to
#    bench_ss7 relay (the SGP); the same N SAIs go to jitsim's PC and come
#    back relayed to the region's HLR PC/GT over the same association.
#    Echo and relay alternate ROUNDS times; the figure is the median of the
#    rounds' relay/echo ratios.
# 3. fta: jitsim-cp ([fta], outbox adapter) and jitsim-dp on a store of
#    2 x ATTACHES INVENTORY SIMs; bench_ss7 fta runs SAI, UL, ISD, UL result
#    per SIM, FTA_W at a time, in two passes (UL after the SAI's answer, UL
#    right behind the SAI; see below): attaches/s and UL -> UL result
#    p50/p99; every attach must end with its UL result and an outbox order.
#
# Environment: SS7_MSGS (N, 200000; 10000 in the VM), SS7_WINDOW (W, 32),
# SS7_IMSIS (1000), SS7_ROUNDS (3), SS7_ATTACHES (300 per pass),
# SS7_FTA_WINDOW (16), SS7_BENCH_BIN (another bench_ss7, e.g. an ASan one).
# Everything started here is stopped on exit, shm and DPDK files removed.
set -euo pipefail

build=$(cd "${1:?usage: bench_ss7.sh BUILD_DIR (through scripts/sctp-run.sh)}" && pwd)
out=${JITSIM_SCTP_OUT:?run through scripts/sctp-run.sh}
# A plain system PATH: under TCG every exec goes over 9p (see tests/sctp/suite.sh).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

BENCH=${SS7_BENCH_BIN:-$build/tests/bench/bench_ss7}
PEER=$build/tests/sctp/ss7peer
DP=$build/dataplane/dp/jitsim-dp
CP=$build/control/cp/jitsim-cp
SHM=$build/tools/jitsim-shm
STORE=$build/tools/jitsim-store
for p in "$BENCH" "$PEER" "$DP" "$CP" "$SHM" "$STORE"; do
	[ -x "$p" ] || { echo "bench_ss7: $p not built" >&2; exit 2; }
done

# Under TCG (the SCTP VM) a message costs ~1000x a real host's: fewer of them.
if [ "${JITSIM_SCTP_VM:-}" = inside ]; then
	N=${SS7_MSGS:-10000}
else
	N=${SS7_MSGS:-200000}
fi
WIN=${SS7_WINDOW:-32}
IMSIS=${SS7_IMSIS:-1000}
ROUNDS=${SS7_ROUNDS:-3}
ATTACHES=${SS7_ATTACHES:-300}
FTA_W=${SS7_FTA_WINDOW:-16}

PC_VLR=0.23.1 PC_JITSIM=0.23.2 PC_HLR=0.23.3
GT_VLR=491770000001 GT_JITSIM=491770000002 GT_HLR=491770000003
IMSI_FIRST=001010000000001
FTA_FIRST=001010000200001
# One loopback address per run (127.0.0.0/8 is all loopback): parallel runs
# on a host with SCTP do not collide.
IP=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).1
PORT_SGP=2905 PORT_ECHO=2906 PORT_ASP=12907
INST=ss7b$$
W=$(mktemp -d /tmp/jitsim-ss7bench.XXXXXX)

PIDS=()
stop_pid() { # PID: SIGTERM, up to 20 s, SIGKILL; returns its exit code
	local pid=$1 i rc=0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < 200; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}
cleanup() {
	local i
	set +e
	for ((i = ${#PIDS[@]} - 1; i >= 0; i--)); do
		kill -0 "${PIDS[$i]}" 2>/dev/null && stop_pid "${PIDS[$i]}"
	done
	rm -rf "$W" /dev/shm/jitsim."$INST"* /var/run/dpdk/jitsim-"$INST"*
}
trap cleanup EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

bg() { # NAME CMD...: start in the background, log in $out/NAME.log; sets BG
	local name=$1
	shift
	"$@" >"$out/$name.log" 2>&1 &
	BG=$!
	PIDS+=("$BG")
}
wait_log() { # SECONDS FILE ERE
	local i
	for ((i = 0; i < $1 * 5; i++)); do
		grep -Eq -- "$3" "$2" 2>/dev/null && return 0
		sleep 0.2
	done
	echo "bench_ss7: '$3' not in $(basename "$2") within $1 s:" >&2
	tail -n 20 "$2" >&2
	exit 1
}
# json FILE KEY [EV]: the value of KEY in the last line of FILE with "ev": EV (result).
json() {
	python3 -c 'import json,sys
r=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
print([j for j in r if j.get("ev")==sys.argv[3]][-1][sys.argv[2]])' "$1" "$2" "${3:-result}"
}
dp_conf() { # FILE INSTANCE HLR_REGION [STORE]
	cat >"$1" <<EOF
[instance]
name = $2
${4:+store = $4}
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 512
lcores = 0-1
[ss7]
own_pc = $PC_JITSIM
own_gt = $GT_JITSIM
ni = 2
hlr = $3 $PC_HLR $GT_HLR
asp = bench $IP:$PORT_ASP $IP:$PORT_SGP rc=2 mode=override
EOF
}

echo "== bench_ss7 ($(date -u +%F), $(nproc) cpus, $(uname -r), SCTP ${JITSIM_SCTP_MODE:-direct}${JITSIM_SCTP_VM:+ (VM, TCG)})"
echo "   $N SAI messages per round, window $WIN, $IMSIS IMSIs, $ROUNDS rounds; $ATTACHES attaches, window $FTA_W"

# ---- 1 + 2: echo baseline and relay, alternated ---------------------------------
dp_conf "$out/dp-relay.conf" "$INST" 0
bg dp-relay "$DP" -c "$out/dp-relay.conf" --no-store
DP_PID=$BG
wait_log 300 "$out/dp-relay.log" 'ready: 1 workers'
python3 -c "
for i in range($IMSIS):
    print('put %015d active region=0' % ($((10#$IMSI_FIRST)) + i))" >"$W/put.txt"
"$SHM" update --instance "$INST" -t 60 "$W/put.txt" >"$out/update.log" 2>&1 || {
	cat "$out/update.log" >&2
	exit 1
}
bg echo "$PEER" echo --listen "$IP:$PORT_ECHO"
wait_log 60 "$out/echo.log" '"listening"'

common=(-n "$N" -w "$WIN" --imsis "$IMSIS" --imsi-first "$IMSI_FIRST" --rc 2
	--opc "$PC_VLR" --dpc "$PC_JITSIM" --gt "$GT_VLR" --hlr-pc "$PC_HLR" --hlr-gt "$GT_HLR")
ratios=()
for ((r = 1; r <= ROUNDS; r++)); do
	"$BENCH" echo --remote "$IP:$PORT_ECHO" "${common[@]}" >"$out/echo-$r.out" ||
		{ cat "$out/echo-$r.out"; echo "bench_ss7: echo round $r failed" >&2; exit 1; }
	"$BENCH" relay --listen "$IP:$PORT_SGP" "${common[@]}" >"$out/relay-$r.out" ||
		{ cat "$out/relay-$r.out"; echo "bench_ss7: relay round $r failed (see dp-relay.log)" >&2; exit 1; }
	e=$(json "$out/echo-$r.out" per_s)
	x=$(json "$out/relay-$r.out" per_s)
	ratio=$(awk -v x="$x" -v e="$e" 'BEGIN { printf "%.3f", x / e }')
	ratios+=("$ratio")
	printf 'round %d: echo %.0f msg/s, relay %.0f msg/s, ratio %s\n' "$r" "$e" "$x" "$ratio"
done
stop_pid "$DP_PID" || { echo "bench_ss7: jitsim-dp (relay) exit $?" >&2; exit 1; }
grep -E 'ss7 final:' "$out/dp-relay.log" || true
med=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
# The round whose ratio is the median gives the absolute figures.
for ((r = 1; r <= ROUNDS; r++)); do
	[ "${ratios[$((r - 1))]}" = "$med" ] && break
done
printf 'relay %.0f msg/s = %s x echo baseline (%.0f msg/s; median of %d rounds: %s)\n' \
	"$(json "$out/relay-$r.out" per_s)" "$med" "$(json "$out/echo-$r.out" per_s)" \
	"$ROUNDS" "${ratios[*]}"

# ---- 3: first attaches through jitsim-cp's FTA engine ------------------------------
python3 - "$W/sims.csv" "$((2 * ATTACHES))" "$((10#$FTA_FIRST))" <<'PY'
import os, sys
def luhn(s):
    d = [int(c) for c in s][::-1]
    t = sum(x if i % 2 else (2 * x if 2 * x < 10 else 2 * x - 9) for i, x in enumerate(d))
    return s + str((10 - t % 10) % 10)
with open(sys.argv[1], "w") as f:
    f.write("iccid,imsi,ki,opc,batch\n")
    for i in range(int(sys.argv[2])):
        f.write("%s,%015d,%s,%s,B1\n" % (luhn("89440100%010d" % i), int(sys.argv[3]) + i,
                                          os.urandom(16).hex(), os.urandom(16).hex()))
PY
"$STORE" init --store "$W/store" --kek "$W/kek" --new-kek >"$out/store.log" 2>&1
"$STORE" import "$W/sims.csv" --store "$W/store" --kek "$W/kek" >>"$out/store.log" 2>&1
rm -f "$W/sims.csv"
cat >"$out/cp.conf" <<EOF
[instance]
name = ${INST}f
store = $W/store
kek = $W/kek
socket = $W/cp.sock
[outbox]
path = $W/outbox.jsonl
[shm]
rings = 1
[flow]
default_profile = basic
[hlr h1]
id = 1
[region 1]
name = r1
hlr = h1
pool = p1
gt_prefix = ${GT_VLR:0:7}
[pool p1]
id = 1
region = 1
first = 491701300000
last = 491701399999
[fta]
own_pc = $PC_JITSIM
own_gt = $GT_JITSIM
ul_timeout = 30
handover_delay = 1
EOF
bg cp "$CP" -c "$out/cp.conf"
CP_PID=$BG
wait_log 120 "$out/cp.log" 'jitsim-cp: ready:'
dp_conf "$out/dp-fta.conf" "${INST}f" 1 "$W/store"
bg dp-fta "$DP" -c "$out/dp-fta.conf"
DPF_PID=$BG
wait_log 300 "$out/dp-fta.log" 'ready: 1 workers'
# Two passes on fresh SIMs each: (a) as a VLR does it, UL after the SAI's
# answer; (b) UL right behind the SAI. In (a) the activation (outbox
# adapter: milliseconds) has mostly finished before the UL arrives, so the
# worker relays the UL to the region's HLR (bench_ss7 answers it as that
# HLR: ul_relayed); (b) is the path where jitsim-cp holds the UL until the
# SIM is ACTIVE and answers it with ISD.
fta_first=$((10#$FTA_FIRST))
for pass in seq at-once; do
	opt=()
	[ "$pass" = at-once ] && opt=(--ul-at-once)
	"$BENCH" fta --listen "$IP:$PORT_SGP" -n "$ATTACHES" -w "$FTA_W" \
		--imsi-first "$(printf '%015d' "$fta_first")" "${opt[@]}" \
		--rc 2 --opc "$PC_VLR" --dpc "$PC_JITSIM" --gt "$GT_VLR" --hlr-pc "$PC_HLR" \
		--hlr-gt "$GT_HLR" >"$out/fta-$pass.out" || {
		cat "$out/fta-$pass.out"
		echo "bench_ss7: first attaches ($pass) failed (see cp.log, dp-fta.log)" >&2
		exit 1
	}
	fta_first=$((fta_first + ATTACHES))
done
stop_pid "$DPF_PID" || { echo "bench_ss7: jitsim-dp (fta) exit $?" >&2; exit 1; }
stop_pid "$CP_PID" || { echo "bench_ss7: jitsim-cp exit $?" >&2; exit 1; }
grep -E 'ss7 final:' "$out/dp-fta.log" || true
provisioned=$(grep -c . "$W/outbox.jsonl" || true)
for pass in seq at-once; do
	f=$out/fta-$pass.out
	printf 'fta (UL %s): %.1f attaches/s, %s with ISD from jitsim-cp, %s UL relayed to the HLR (SIM already ACTIVE); UL -> UL result p50 %s ms, p99 %s ms, max %s ms; %s CancelLocations answered\n' \
		"$([ $pass = seq ] && echo 'after the SAI answer' || echo 'right behind the SAI')" \
		"$(json "$f" per_s)" "$(json "$f" isd)" "$(json "$f" ul_relayed)" "$(json "$f" ul_p50_ms)" \
		"$(json "$f" ul_p99_ms)" "$(json "$f" ul_max_ms)" "$(json "$f" cancels cancels)"
done
echo "fta: $provisioned outbox orders for $((2 * ATTACHES)) attaches"
[ "$provisioned" = "$((2 * ATTACHES))" ] || { echo "bench_ss7: outbox orders missing" >&2; exit 1; }
