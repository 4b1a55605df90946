#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Diameter S6a benchmark (issue 9): proxied AIRs/s through ONE jitsim-dp
# worker over loopback SCTP, next to the same AIRs sent straight to an echo
# peer in the same run; then first attaches (AIR + ULR) per second through
# jitsim-dp + jitsim-cp's FTA engine. Needs kernel SCTP and root: run it
# through scripts/sctp-run.sh (directly, or in the SCTP VM):
#
#   scripts/sctp-run.sh -o OUT tests/bench/bench_diam.sh BUILD_DIR
#
# The load side is tests/diam/diampeer (mme: N requests, W in flight,
# --quiet: one summary line with per_s and every answer's result code and
# Origin-Host counted; hss and echo: the far ends).
# 1. baseline: diampeer mme -> diampeer echo (SCTP, PPID 46): N AIRs of
#    IMSIS distinct IMSIs, W in flight, each answered 2001.
# 2. proxy: diampeer mme -> jitsim-dp [diameter] peer (sctp, one worker, no
#    store; IMSIS SIMs put ACTIVE in region 0 with jitsim-shm update) ->
#    worker verdict PROXY -> the region's HSS peer = a second diampeer echo
#    -> back through jitsim-dp (hop-by-hop restored) to the mme. Every
#    answer must be 2001 from the echo's Origin-Host.
#    Baseline and proxy alternate ROUNDS times; the figure is the median of
#    the rounds' proxy/baseline ratios.
# 3. fta: jitsim-cp ([fta], outbox adapter) and jitsim-dp on a store of
#    ATTACHES INVENTORY SIMs; diampeer mme runs AIR then ULR (after the
#    AIA, as an MME does) per SIM, FTA_W at a time: attaches/s, AIR and ULR
#    latency p50/p99; ULRs that reach a SIM already ACTIVE are proxied to
#    the region's HSS (diampeer hss) and counted by Origin-Host. Every
#    attach must end with a 2001 ULA and one outbox order.
#
# Environment: DIAM_MSGS (N, 200000; 10000 in the VM), DIAM_WINDOW (W, 32),
# DIAM_IMSIS (1000), DIAM_ROUNDS (3), DIAM_ATTACHES (300), DIAM_FTA_WINDOW
# (16), DIAM_PEER_BIN (another diampeer, e.g. an ASan one), DIAM_TR (sctp;
# tcp runs the same over TCP on any host, with JITSIM_SCTP_OUT set by hand:
# a check of the script, not the benchmark).
# Everything started here is stopped on exit, shm and DPDK files removed.
set -euo pipefail

build=$(cd "${1:?usage: bench_diam.sh BUILD_DIR (through scripts/sctp-run.sh)}" && pwd)
out=${JITSIM_SCTP_OUT:?run through scripts/sctp-run.sh}
# A plain system PATH: under TCG every exec goes over 9p (see tests/sctp/suite.sh).
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

PEER=${DIAM_PEER_BIN:-$build/tests/diam/diampeer}
DP=$build/dataplane/dp/jitsim-dp
CP=$build/control/cp/jitsim-cp
SHM=$build/tools/jitsim-shm
STORE=$build/tools/jitsim-store
for p in "$PEER" "$DP" "$CP" "$SHM" "$STORE"; do
	[ -x "$p" ] || { echo "bench_diam: $p not built" >&2; exit 2; }
done

# Under TCG (the SCTP VM) a message costs ~1000x a real host's: fewer of them.
if [ "${JITSIM_SCTP_VM:-}" = inside ]; then
	N=${DIAM_MSGS:-10000}
else
	N=${DIAM_MSGS:-200000}
fi
WIN=${DIAM_WINDOW:-32}
IMSIS=${DIAM_IMSIS:-1000}
ROUNDS=${DIAM_ROUNDS:-3}
ATTACHES=${DIAM_ATTACHES:-300}
FTA_W=${DIAM_FTA_WINDOW:-16}
TR=${DIAM_TR:-sctp}
[ "$TR" = sctp ] || [ "$TR" = tcp ] || { echo "bench_diam: DIAM_TR is sctp or tcp" >&2; exit 2; }

J_HOST=hss.jitsim.example J_REALM=jitsim.example
MME_HOST=mme.bench.test HSS_HOST=hss0.bench.test REALM=bench.test
IMSI_FIRST=001010000000001
FTA_FIRST=001010000200001
PLMN=00101
# One loopback address per run (127.0.0.0/8 is all loopback): parallel runs
# on a host with SCTP do not collide.
IP=127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).1
PORT_DP=3868 PORT_ECHO=3869 PORT_FAR=3870 PORT_HSS=3871
INST=diamb$$
W=$(mktemp -d /tmp/jitsim-diambench.XXXXXX)

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
	echo "bench_diam: '$3' not in $(basename "$2") within $1 s:" >&2
	tail -n 20 "$2" >&2
	exit 1
}
# summary FILE EXPR: a python expression over `s`, the mme's summary line.
summary() {
	python3 -c 'import json,sys
s=[json.loads(l) for l in open(sys.argv[1]) if l.startswith("{")]
s=[j for j in s if j.get("step")=="summary"][-1]
print(eval(sys.argv[2]))' "$1" "$2"
}
# check FILE EXPR WHAT: fail unless EXPR holds for the mme summary in FILE.
check() {
	[ "$(summary "$1" "bool($2)")" = True ] || {
		cat "$1" >&2
		echo "bench_diam: $3" >&2
		exit 1
	}
}
mme() { # OUTFILE ADDR:PORT ARGS...: diampeer mme over SCTP, --quiet
	local f=$1 to=$2
	shift 2
	"$PEER" mme "--$TR" --connect "$to" --origin-host "$MME_HOST" --origin-realm "$REALM" \
		--dest-realm "$J_REALM" --plmn "$PLMN" --quiet --step-timeout 60 "$@" >"$f" 2>"$f.log"
}
dp_conf() { # FILE INSTANCE HSS_REGION HSS_PORT [STORE]
	cat >"$1" <<EOF
[instance]
name = $2
${5:+store = $5}
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 512
lcores = 0-1
[diameter]
origin_host = $J_HOST
origin_realm = $J_REALM
host_ip = $IP
peer = mme listen $TR $IP:$PORT_DP host=$MME_HOST
hss = $3 hss$3 $TR $IP:$4 host=$HSS_HOST realm=$REALM
EOF
}

echo "== bench_diam ($(date -u +%F), $(nproc) cpus, $(uname -r), $TR, ${JITSIM_SCTP_MODE:-direct}${JITSIM_SCTP_VM:+ (VM, TCG)})"
echo "   $N AIRs per round, window $WIN, $IMSIS IMSIs, $ROUNDS rounds; $ATTACHES attaches, window $FTA_W"

# ---- 1 + 2: echo baseline and proxy, alternated ---------------------------------
# Two echoes: a responder serves one connection, and jitsim-dp's HSS peer
# holds the second one's for the whole run.
bg echo "$PEER" echo "--$TR" --listen "$IP:$PORT_ECHO" --origin-host "$HSS_HOST" \
	--origin-realm "$REALM"
wait_log 60 "$out/echo.log" '"listening"'
bg far "$PEER" echo "--$TR" --listen "$IP:$PORT_FAR" --origin-host "$HSS_HOST" \
	--origin-realm "$REALM"
wait_log 60 "$out/far.log" '"listening"'
dp_conf "$out/dp-proxy.conf" "$INST" 0 "$PORT_FAR"
bg dp-proxy "$DP" -c "$out/dp-proxy.conf" --no-store
DP_PID=$BG
wait_log 300 "$out/dp-proxy.log" 'ready: 1 workers'
wait_log 60 "$out/dp-proxy.log" 'diameter: peer hss0 open'
python3 -c "
for i in range($IMSIS):
    print('put %015d active region=0' % ($((10#$IMSI_FIRST)) + i))" >"$W/put.txt"
"$SHM" update --instance "$INST" -t 60 "$W/put.txt" >"$out/update.log" 2>&1 || {
	cat "$out/update.log" >&2
	exit 1
}

common=(--imsi-first "$IMSI_FIRST" --imsis "$IMSIS" --count "$N" --window "$WIN" --steps air)
ok="s['done'] == $N and s['results'] == {'2001': $N} and s['origin_hosts'] == {'$HSS_HOST': $N}"
ratios=()
for ((r = 1; r <= ROUNDS; r++)); do
	mme "$out/echo-$r.out" "$IP:$PORT_ECHO" "${common[@]}" ||
		{ cat "$out/echo-$r.out.log" >&2; echo "bench_diam: echo round $r failed" >&2; exit 1; }
	check "$out/echo-$r.out" "$ok" "echo round $r: not every AIR answered 2001"
	mme "$out/proxy-$r.out" "$IP:$PORT_DP" "${common[@]}" ||
		{ cat "$out/proxy-$r.out.log" >&2; echo "bench_diam: proxy round $r failed (see dp-proxy.log)" >&2; exit 1; }
	check "$out/proxy-$r.out" "$ok" "proxy round $r: not every AIR answered 2001 by the HSS"
	e=$(summary "$out/echo-$r.out" "s['per_s']")
	x=$(summary "$out/proxy-$r.out" "s['per_s']")
	ratio=$(awk -v x="$x" -v e="$e" 'BEGIN { printf "%.3f", x / e }')
	ratios+=("$ratio")
	printf 'round %d: echo %.0f AIR/s, proxy %.0f AIR/s, ratio %s (AIR p50/p99: echo %s/%s ms, proxy %s/%s ms)\n' \
		"$r" "$e" "$x" "$ratio" \
		"$(summary "$out/echo-$r.out" "s['latency']['0:air']['p50_ms']")" \
		"$(summary "$out/echo-$r.out" "s['latency']['0:air']['p99_ms']")" \
		"$(summary "$out/proxy-$r.out" "s['latency']['0:air']['p50_ms']")" \
		"$(summary "$out/proxy-$r.out" "s['latency']['0:air']['p99_ms']")"
done
stop_pid "$DP_PID" || { echo "bench_diam: jitsim-dp (proxy) exit $?" >&2; exit 1; }
grep -E 'diameter.*final|final:' "$out/dp-proxy.log" || true
med=$(printf '%s\n' "${ratios[@]}" | sort -g | awk '{ v[NR] = $1 } END { print v[int((NR + 1) / 2)] }')
# The round whose ratio is the median gives the absolute figures.
for ((r = 1; r <= ROUNDS; r++)); do
	[ "${ratios[$((r - 1))]}" = "$med" ] && break
done
printf 'proxy %.0f AIR/s = %s x echo baseline (%.0f AIR/s; median of %d rounds: %s)\n' \
	"$(summary "$out/proxy-$r.out" "s['per_s']")" "$med" \
	"$(summary "$out/echo-$r.out" "s['per_s']")" "$ROUNDS" "${ratios[*]}"

# ---- 3: first attaches through jitsim-cp's FTA engine ------------------------------
python3 - "$W/sims.csv" "$ATTACHES" "$((10#$FTA_FIRST))" <<'PY'
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
plmn = $PLMN
[pool p1]
id = 1
region = 1
first = 491701300000
last = 491701399999
[fta]
own_pc = 0.23.2
own_gt = 491770000002
ul_timeout = 30
handover_delay = 1
EOF
bg cp "$CP" -c "$out/cp.conf"
CP_PID=$BG
wait_log 120 "$out/cp.log" 'jitsim-cp: ready:'
bg hss "$PEER" hss "--$TR" --listen "$IP:$PORT_HSS" --origin-host "$HSS_HOST" \
	--origin-realm "$REALM" --stats "$out/hss.stats.json"
HSS_PID=$BG
wait_log 60 "$out/hss.log" '"listening"'
dp_conf "$out/dp-fta.conf" "${INST}f" 1 "$PORT_HSS" "$W/store"
bg dp-fta "$DP" -c "$out/dp-fta.conf"
DPF_PID=$BG
wait_log 300 "$out/dp-fta.log" 'ready: 1 workers'
wait_log 60 "$out/dp-fta.log" 'diameter: peer hss1 open'
mme "$out/fta.out" "$IP:$PORT_DP" --imsi-first "$FTA_FIRST" --imsis "$ATTACHES" \
	--count "$ATTACHES" --window "$FTA_W" --steps air,ulr || {
	cat "$out/fta.out" "$out/fta.out.log" >&2
	echo "bench_diam: first attaches failed (see cp.log, dp-fta.log)" >&2
	exit 1
}
stop_pid "$DPF_PID" || { echo "bench_diam: jitsim-dp (fta) exit $?" >&2; exit 1; }
stop_pid "$HSS_PID" || { echo "bench_diam: diampeer hss exit $?" >&2; exit 1; }
stop_pid "$CP_PID" || { echo "bench_diam: jitsim-cp exit $?" >&2; exit 1; }
provisioned=$(grep -c . "$W/outbox.jsonl" || true)
f=$out/fta.out
printf 'fta: %.1f attaches/s (AIR + ULR, %d in flight); answers by Origin-Host %s; results %s; AIR p50/p99 %s/%s ms, ULR p50/p99/max %s/%s/%s ms; %s CLRs answered\n' \
	"$(summary "$f" "s['per_s']")" "$FTA_W" "$(summary "$f" "s['origin_hosts']")" \
	"$(summary "$f" "s['results']")" \
	"$(summary "$f" "s['latency']['0:air']['p50_ms']")" "$(summary "$f" "s['latency']['0:air']['p99_ms']")" \
	"$(summary "$f" "s['latency']['1:ulr']['p50_ms']")" "$(summary "$f" "s['latency']['1:ulr']['p99_ms']")" \
	"$(summary "$f" "s['latency']['1:ulr']['max_ms']")" "$(summary "$f" "s['clr_in']")"
echo "fta: $provisioned outbox orders for $ATTACHES attaches; stand-in HSS: $(cat "$out/hss.stats.json")"
check "$f" "s['done'] == $ATTACHES and s['results'] == {'2001': 2 * $ATTACHES}" \
	"not every AIR and ULR answered 2001"
[ "$provisioned" = "$ATTACHES" ] || { echo "bench_diam: outbox orders missing" >&2; exit 1; }
