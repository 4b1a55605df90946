#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# make demo: jitsim on a generated network, end to end, in a few minutes.
#   scripts/demo.sh BUILD_DIR
#
# 1. jitsim-pktgen makes the scenario pktgen/scenarios/demo.ini: 300,000
#    SIMs (88% still in the warehouse, 6% active, 5% sleeping, 1% locked)
#    roaming in four regions, and a trace of MAP and Diameter S6a as a
#    mirror port beside an STP and a DRA sees it: 23,927 first attaches,
#    3,766 sleeping SIMs coming back, activity, noise, malformed frames;
# 2. jitsim-store creates the store and imports the SIM vendor file;
# 3. one HLR per region: two real osmo-hlr processes (uk, germany), an
#    HTTP provisioning API (japan, scripts/demo_http_hlr.py) and the outbox
#    file (usa). osmo-hlr writes every subscriber to SQLite at ~1,500/s at
#    best (10-20x less on a busy machine), so the scenario sends it only the
#    ~2,500 first attaches (and ~400 wake-ups) of its two small regions;
# 4. jitsim-cp starts; number pools and device rules are added with jitsimctl;
# 5. jitsim-dp (net_pcap port, --no-huge unless hugepages are free) reads
#    the trace, replayed at DEMO_RATE frames/s (default 2000) through a FIFO
#    (scripts/demo_replay.py: progress line); jitsim-cp activates;
# 6. a short speed run of jitsim-dp alone on the same trace;
# 7. the report (scripts/demo_report.py), checked against the ground truth;
# 8. when jitsim-cp has sleeping SIMs: a sweep with a demo's 30 s threshold
#    for one tariff, and what it deprovisioned from each HLR;
# 9. a few jitsimctl commands; 10. everything is stopped and removed.
# Work files go to a new directory under /tmp (DEMO_DIR to choose it); it
# is removed at the end unless DEMO_KEEP=1.
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
build=$(cd "$build" && pwd)
scenario=$top/pktgen/scenarios/demo.ini
rate=${DEMO_RATE:-2000}
inst=demo$$
prefix=jitsim-demo$$
t_begin=$(date +%s)
pktgen=$build/pktgen/jitsim-pktgen
store=$build/tools/jitsim-store
shmtool=$build/tools/jitsim-shm
cpbin=$build/control/cp/jitsim-cp
dpbin=$build/dataplane/dp/jitsim-dp
ctlbin=$build/control/ctl/jitsimctl
for b in "$pktgen" "$store" "$shmtool" "$cpbin" "$dpbin" "$ctlbin"; do
	[ -x "$b" ] || { echo "demo: $b missing: build first (make demo does)" >&2; exit 1; }
done
command -v osmo-hlr >/dev/null || { echo "demo: osmo-hlr missing: run scripts/deps.sh" >&2; exit 1; }

if [ -n "${DEMO_DIR:-}" ]; then
	dir=$DEMO_DIR
	# Only ever empty a directory an earlier demo made (its marker file).
	if [ -e "$dir" ] && [ -n "$(ls -A "$dir")" ] && [ ! -e "$dir/.jitsim-demo" ]; then
		echo "demo: DEMO_DIR $dir is not empty and not a demo's: choose another" >&2
		exit 1
	fi
	rm -rf "$dir" && mkdir -p "$dir"
else
	dir=$(mktemp -d /tmp/jitsim-demo.XXXXXX)
fi
chmod 0700 "$dir"
: >"$dir/.jitsim-demo"

pids=()
stop_pid() { # PID: SIGTERM, up to 15 s, then SIGKILL
	local pid=$1
	kill -TERM "$pid" 2>/dev/null || return 0
	for _ in $(seq 150); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || true
}
cleanup() {
	local rc=$?
	trap - EXIT INT TERM
	for ((i = ${#pids[@]} - 1; i >= 0; i--)); do
		stop_pid "${pids[i]}"
	done
	for i in "$inst" "${inst}s"; do
		"$shmtool" unlink --instance "$i" >/dev/null 2>&1 || true
	done
	rm -rf "/var/run/dpdk/$prefix" "/var/run/dpdk/${prefix}s"
	[ "${finished:-0}" = 1 ] &&
		echo "   stopped osmo-hlr x2 and the HTTP API; removed /dev/shm/jitsim.$inst and" \
			"/dev/shm/jitsim.${inst}s, /var/run/dpdk/$prefix and /var/run/dpdk/${prefix}s"
	if [ "$rc" != 0 ]; then
		echo "demo: FAILED (exit $rc)" >&2
		for f in cp.log dp.log dp-speed.log http-hlr.log; do
			[ -s "$dir/$f" ] && { echo "--- last lines of $f:" >&2; tail -5 "$dir/$f" >&2; }
		done
	fi
	if [ "${DEMO_KEEP:-0}" = 1 ]; then
		echo "   work files kept in $dir"
	else
		rm -rf "$dir"
		[ "${finished:-0}" = 1 ] && echo "   removed the work files ($dir)"
	fi
	exit "$rc"
}
trap cleanup EXIT
trap 'exit 130' INT
trap 'exit 143' TERM

hr() { printf '\n== %s\n' "$*"; }

hr "1. scenario $(basename "$scenario"): SIM vendor file, trace and ground truth"
"$pktgen" generate --scenario "$scenario" --seed 1 --out "$dir" --quiet
"$pktgen" population --scenario "$scenario" --seed 1 --out "$dir" --quiet
python3 - "$dir/expected.jsonl" <<'PY'
import collections, json, sys
ev = collections.Counter()
for line in open(sys.argv[1]):
    t = json.loads(line)
    if t["type"] == "sim":
        ev[t["event"]] += 1
    elif t["type"] == "totals":
        tot = t
print(f"   trace: {tot['frames']:,} frames, {tot['messages']:,} MAP/Diameter messages, "
      f"{tot['malformed']:,} malformed frames on purpose, {tot['distinct_imsis']:,} IMSIs")
print(f"   in it: {ev['first_attach']:,} first attaches of warehouse SIMs, "
      f"{ev['reattach'] + ev['wakeup']:,} sleeping SIMs attaching or called, "
      f"{ev['activity']:,} active SIMs, {ev['blocked']:,} attaches of locked SIMs")
PY

hr "2. store: import the SIM vendor file (keys sealed under a new KEK)"
"$store" init --store "$dir/store" --kek "$dir/kek" --new-kek | sed 's/^/   /'
"$store" import "$dir/inventory.out" --store "$dir/store" --kek "$dir/kek" \
	--transport-key "$dir/transport.key" | sed 's/^/   /'
# The scenario's SIMs that are already in service (active, sleeping,
# locked) get those states, as an operator's existing base would have.
"$store" set "$dir/population.csv" --store "$dir/store" --kek "$dir/kek" | sed 's/^/   /'
"$store" stats --store "$dir/store" >"$dir/stats-before.txt"
grep -E '^(inventory|active|sleeping|locked) ' "$dir/stats-before.txt" | sed 's/^/   SIMs /'

hr "3. HLRs: osmo-hlr for uk and germany, an HTTP API for japan, the outbox for usa"
# osmo-hlr's ports are fixed (CTRL 4259), so each one gets a loopback
# address of its own, derived from our pid and checked to be free.
hlr_addrs=$(python3 - $$ <<'PY'
import socket, sys
pid = int(sys.argv[1])
found = []
for k in range(400):
    a = f"127.{200 + (pid + k) % 50}.{(pid // 50 + k) % 250 + 3}.{1 + k % 250}"
    s = socket.socket()
    try:
        s.bind((a, 4259))
        found.append(a)
    except OSError:
        pass
    finally:
        s.close()
    if len(found) == 2:
        break
print(" ".join(found))
PY
)
read -r addr_uk addr_de <<<"$hlr_addrs"
[ -n "${addr_de:-}" ] || { echo "demo: no free loopback address for osmo-hlr" >&2; exit 1; }
start_osmo_hlr() { # NAME ADDR
	local d=$dir/osmo-hlr-$1
	mkdir -p "$d"
	printf '%s\n' "log stderr" " logging filter all 1" " logging color 0" \
		" logging level main notice" " logging level ctrl notice" \
		"line vty" " bind $2" "ctrl" " bind $2" "hlr" " gsup" "  bind ip $2" >"$d/hlr.cfg"
	osmo-hlr -c "$d/hlr.cfg" -l "$d/hlr.db" >"$d/hlr.log" 2>&1 &
	pids+=($!)
	for _ in $(seq 200); do
		python3 -c 'import socket,sys; socket.create_connection((sys.argv[1], 4259), 0.2).close()' \
			"$2" 2>/dev/null && { echo "   osmo-hlr $1: CTRL at $2:4259 (pid ${pids[-1]})"; return 0; }
		kill -0 "${pids[-1]}" 2>/dev/null || break
		sleep 0.05
	done
	echo "demo: osmo-hlr $1 did not start on $2 (see $d/hlr.log)" >&2
	return 1
}
echo "   osmo-hlr writes each subscriber to SQLite: ~1,500/s at best, 10-20x less on a busy"
echo "   machine. So it gets the two small regions (~2,500 of the ~24,000 first attaches);"
echo "   the big one, usa, goes to the outbox file, japan to an HTTP provisioning API."
start_osmo_hlr uk "$addr_uk"
start_osmo_hlr de "$addr_de"
# The HTTP provisioning API wants a bearer token; jitsim reads it from a
# 0600 file (and refuses the file if others can read it).
(umask 077 && od -An -tx1 -N16 /dev/urandom | tr -d ' \n' >"$dir/hlr-jp.token")
python3 "$top/scripts/demo_http_hlr.py" --port-file "$dir/hlr-jp.port" \
	--token-file "$dir/hlr-jp.token" >"$dir/http-hlr.log" 2>&1 &
pids+=($!)
for _ in $(seq 100); do
	[ -s "$dir/hlr-jp.port" ] && break
	sleep 0.05
done
[ -s "$dir/hlr-jp.port" ] || { echo "demo: HTTP provisioning API did not start" >&2; exit 1; }
http_url="http://127.0.0.1:$(cat "$dir/hlr-jp.port")/provision"
echo "   HTTP API japan: $http_url (bearer token)"
echo "   outbox usa: $dir/outbox.jsonl (one JSON order per line, for batch pickup)"

hr "4. jitsim-cp: regions and their HLRs from the configuration file"
cat >"$dir/cp.conf" <<CONF
[instance]
name = $inst
store = $dir/store
kek = $dir/kek
socket = $dir/run/cp.sock
[outbox]
path = $dir/outbox.jsonl
# Orders in flight per HLR: keeps osmo-hlr's pipeline full.
inflight = 32
[flow]
default_region = 1
# The tariff of a SIM whose attach matches no device rule.
default_tariff = 10
default_profile = standard
[hlr hlr-us]
id = 1
kind = outbox
[hlr hlr-jp]
id = 2
kind = http
address = $http_url
token_file = $dir/hlr-jp.token
[hlr hlr-uk]
id = 3
kind = osmo-hlr
address = $addr_uk
[hlr hlr-de]
id = 4
kind = osmo-hlr
address = $addr_de
[region 1]
name = usa
hlr = hlr-us
pool = us-voice
gt_prefix = 1202001,1202002,1202003
plmn = 310410,310260
[region 2]
name = japan
hlr = hlr-jp
pool = jp-voice
gt_prefix = 8190001,8190002,8190003
plmn = 44010
[region 3]
name = uk
hlr = hlr-uk
pool = uk-voice
gt_prefix = 4477001,4477002,4477003
plmn = 23415
[region 4]
name = germany
hlr = hlr-de
pool = de-voice
gt_prefix = 4917201,4917202,4917203
plmn = 26201
CONF
# Sleeping SIMs and billing/CRM notifications are the newest sections:
# added when this jitsim-cp knows them (--check-config on a trial copy).
try_section() { # FILE-WITH-THE-SECTION: append it to cp.conf if jitsim-cp takes it
	cat "$dir/cp.conf" "$1" >"$dir/cp.try"
	if "$cpbin" -c "$dir/cp.try" --check-config 2>/dev/null; then
		cat "$1" >>"$dir/cp.conf"
		return 0
	fi
	return 1
}
cat >"$dir/cp.sleep" <<CONF
[sleep]
# A demo's threshold: SIMs of tariff 20 (lte-smartphone) idle for more than
# 30 s go to sleep, keeping their number; other tariffs never (idle = 0).
# In production: days. Sweeps only on command (interval = 0).
idle = 0
idle.20 = 30s
release = no
interval = 0
rate = 500
inflight = 64
CONF
cat >"$dir/cp.notify" <<CONF
[notify]
# Billing/CRM: one POST per activation, wake-up and sleep.
url = ${http_url%/provision}/notify
token_file = $dir/hlr-jp.token
CONF
sleep_on=0
notify_on=0
try_section "$dir/cp.sleep" && sleep_on=1
try_section "$dir/cp.notify" && notify_on=1
rm -f "$dir/cp.try" "$dir/cp.sleep" "$dir/cp.notify"
"$cpbin" -c "$dir/cp.conf" --check-config
"$cpbin" -c "$dir/cp.conf" 2>"$dir/cp.log" &
cp_pid=$!
pids+=("$cp_pid")
for _ in $(seq 300); do
	grep -q 'jitsim-cp: ready' "$dir/cp.log" 2>/dev/null && break
	kill -0 "$cp_pid" 2>/dev/null || { echo "demo: jitsim-cp exited at start" >&2; exit 1; }
	sleep 0.1
done
grep 'jitsim-cp: ready' "$dir/cp.log" | sed 's/^/   /'
export JITSIM_SOCKET=$dir/run/cp.sock
ctl() { "$ctlbin" "$@"; }
show() { # print a jitsimctl command line, then its output
	echo "   \$ jitsimctl $*"
	ctl "$@" | sed 's/^/     /'
}
quiet() { # print a jitsimctl command line, run it, keep the answer to ourselves
	echo "   \$ jitsimctl $*"
	ctl "$@" >/dev/null
}
echo "   number pools (premium numbers -- repeated digits, runs -- are classed"
echo "   gold/platinum by the default rules and never handed out automatically):"
quiet pool add us-voice --region usa --from 12025500000 --to 12025599999 --quarantine 90d
quiet pool add jp-voice --region japan --from 819020000000 --to 819020019999 --quarantine 90d
quiet pool add uk-voice --region uk --from 447720000000 --to 447720009999 --quarantine 90d
quiet pool add de-voice --region germany --from 491720000000 --to 491720009999 --quarantine 90d
echo "   a device rule: LTE smartphones (IMEI TAC range) get their own tariff:"
quiet rule add lte-smartphone --profile lte-smartphone --tariff 20 --tac 35209900-35209999 \
	--rat eutran --priority 10
show region list
show pool list
for p in us-voice jp-voice uk-voice de-voice; do
	ctl --json pool show "$p" --by-class yes
done >"$dir/pools-before.json"

hr "5. jitsim-dp reads the trace ($rate frames/s); jitsim-cp activates"
free_mb=$(awk '/^HugePages_Free/ {f=$2} /^Hugepagesize/ {s=$2} END {print int(f*s/1024)}' /proc/meminfo)
if [ "$free_mb" -ge 1024 ] && grep -q hugetlbfs /proc/mounts; then
	huge=(--huge-unlink)
	echo "   ${free_mb} MB of hugepages free: jitsim-dp uses them"
else
	huge=(--no-huge)
	echo "   no hugepages free: jitsim-dp runs with --no-huge (fine for a demo, not for line rate)"
fi
if [ "$(nproc)" -ge 2 ]; then lcores=(-l 0-1); else lcores=(--lcores 0@0,1@0); fi
cat >"$dir/dp.conf" <<CONF
[instance]
name = $inst
store = $dir/store
stats_interval = 0
[ports]
# A FIFO blocks a burst until it is full: small bursts keep the replay's
# frames from waiting for their neighbours.
burst = 4
CONF
mkfifo -m 0600 "$dir/trace.fifo"
"$dpbin" -c "$dir/dp.conf" -- "${huge[@]}" --no-pci -m 512 "${lcores[@]}" \
	--file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$dir/trace.fifo" >"$dir/dp.log" 2>&1 &
dp_pid=$!
pids+=("$dp_pid")
python3 "$top/scripts/demo_replay.py" --trace "$dir/trace.pcap" --fifo "$dir/trace.fifo" \
	--rate "$rate" --expected "$dir/expected.jsonl" --times "$dir/offered.json" \
	--ctl "$ctlbin" --socket "$JITSIM_SOCKET" --dp-log "$dir/dp.log" --dp-pid "$dp_pid" \
	--dp-prefix "$prefix"
grep 'jitsim-dp: ready' "$dir/dp.log" | sed 's/^/   /'
stop_pid "$dp_pid"
grep 'jitsim-dp: final' "$dir/dp.log" >"$dir/dp-final.txt" || true

hr "6. jitsim-dp alone: how fast one worker reads this traffic"
# The replay above ran at a chosen pace. Here the dataplane reads the
# trace's first 32,768 frames in a loop (net_pcap infinite_rx keeps them
# in memory) as fast as it can, against the same tables, for 5 s. Its own
# shared-memory segment: nobody consumes its events (counted as drops).
python3 - "$dir/trace.pcap" "$dir/head.pcap" 32768 <<'PY'
import struct, sys
d = open(sys.argv[1], "rb").read()
off, n = 24, 0
while off < len(d) and n < int(sys.argv[3]):
    off += 16 + struct.unpack_from("<I", d, off + 8)[0]
    n += 1
open(sys.argv[2], "wb").write(d[:off])
PY
cat >"$dir/dp-speed.conf" <<CONF
[instance]
name = ${inst}s
store = $dir/store
stats_interval = 1
[ports]
mbufs = 49152
[shm]
rings = 1
event_slots = 4096
update_slots = 1024
CONF
"$dpbin" -c "$dir/dp-speed.conf" -- "${huge[@]}" --no-pci -m 512 "${lcores[@]}" \
	--file-prefix "${prefix}s" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$dir/head.pcap,infinite_rx=1" >"$dir/dp-speed.log" 2>&1 &
speed_pid=$!
pids+=("$speed_pid")
for _ in $(seq 600); do
	grep -q 'jitsim-dp: ready' "$dir/dp-speed.log" && break
	kill -0 "$speed_pid" 2>/dev/null || break
	sleep 0.1
done
grep -q 'jitsim-dp: ready' "$dir/dp-speed.log" || { echo "demo: speed run did not start" >&2; exit 1; }
sleep 6
stop_pid "$speed_pid"
python3 - "$dir/dp-speed.log" <<'PY'
import os, re, statistics, sys
rates = []
for line in open(sys.argv[1], errors="replace"):
    if line.startswith("jitsim-dp: stats:"):
        f = dict(re.findall(r"(\w+)=(\d+)", line))
        rates.append((int(f["frames_per_s"]), int(f["msgs_per_s"])))
rates = rates[1:]  # the first second includes the start
if not rates:
    sys.exit("demo: the speed run printed no stats line")
fr = statistics.median(r[0] for r in rates)
ms = statistics.median(r[1] for r in rates)
load = open("/proc/loadavg").read().split()[0]
print(f"   one worker core, net_pcap from memory: {fr / 1e6:.2f} M frames/s, "
      f"{ms / 1e6:.2f} M MAP/Diameter messages/s (median of {len(rates)} seconds)")
print(f"   on this machine ({os.cpu_count()} CPUs, load average {load}); measured figures against")
print("   their baselines: docs/benchmarks.md")
PY

hr "7. report"
python3 "$top/scripts/demo_report.py" --dir "$dir" --build "$build" --ctl "$ctlbin" \
	--http-url "$http_url" --hlr "hlr-uk=$dir/osmo-hlr-uk/hlr.db=$addr_uk" \
	--hlr "hlr-de=$dir/osmo-hlr-de/hlr.db=$addr_de"

if [ "$sleep_on" = 1 ]; then
	hr "8. sleeping SIMs: lte-smartphone SIMs idle for 30 s go to sleep (a demo's threshold)"
	show sleep sweep --dry-run yes --limit 3
	show sleep sweep
	for _ in $(seq 600); do
		sleep 0.2
		ctl --json sleep status | python3 -c 'import json, sys
s = json.load(sys.stdin).get("sweep", {})
sys.exit(0 if not s.get("running", 1) and not s.get("live", 1) and s.get("sweeps") else 1)' &&
			break
	done
	show sleep status
	python3 "$top/scripts/demo_report.py" --dir "$dir" --build "$build" --ctl "$ctlbin" \
		--http-url "$http_url" --hlr "hlr-uk=$dir/osmo-hlr-uk/hlr.db=$addr_uk" \
		--hlr "hlr-de=$dir/osmo-hlr-de/hlr.db=$addr_de" --after-sweep
fi

hr "9. a few jitsimctl commands"
show status
imsi=$(python3 -c 'import json,sys
for l in open(sys.argv[1]):
    t = json.loads(l)
    if t["type"] == "sim" and t["event"] == "first_attach" and t["region"] == "uk":
        print(t["imsi"]); break' "$dir/expected.jsonl")
show sim show "$imsi"
show pool show uk-voice
show number search '7777$' --class gold --limit 3
show sim list --state sleeping --limit 3
show job list --step failed --limit 5
show audit tail --limit 2

hr "10. stop"
kill -TERM "$cp_pid"
cp_rc=0
wait "$cp_pid" || cp_rc=$?
echo "   jitsim-cp: SIGTERM, exit status $cp_rc (jitsim-dp was stopped after the replay)"
[ "$cp_rc" = 0 ] || exit 1
finished=1
echo "   done in $(($(date +%s) - t_begin)) s. More: docs/operator-guide.md; DEMO_RATE=N replays"
echo "   at N frames/s, DEMO_KEEP=1 keeps the work files."
