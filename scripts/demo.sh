#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# make demo: a generated signaling trace through the real dataplane.
#   scripts/demo.sh BUILD_DIR
#
# 1. jitsim-pktgen makes a trace (MAP over M3UA and Diameter S6a as seen
#    beside an STP and a DRA), the SIM vendor file of its population and the
#    ground truth (expected.jsonl);
# 2. jitsim-store creates a store, imports the vendor file and puts the SIMs
#    that the scenario says are active, sleeping or locked in those states;
# 3. jitsim-shm stands for the control plane and collects the events;
# 4. jitsim-dp replays the trace through a net_pcap port (no hugepages, no
#    NIC) and raises the events;
# 5. the events are printed and compared with the ground truth.
# The activation itself (numbers, HLR, tariff: jitsim-cp) joins the demo with
# issues 6 and 7. Work files go to DEMO_DIR (default /tmp/jitsim-demo).
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${DEMO_DIR:-/tmp/jitsim-demo}
inst=demo$$
prefix=jitsim-demo$$
scenario=$top/pktgen/scenarios/basic.ini

cleanup() {
	[ -n "${dp_pid:-}" ] && kill "$dp_pid" 2>/dev/null || true
	[ -n "${ev_pid:-}" ] && kill "$ev_pid" 2>/dev/null || true
	wait 2>/dev/null || true
	"$build/tools/jitsim-shm" unlink --instance "$inst" 2>/dev/null || true
	rm -rf "/var/run/dpdk/$prefix"
}
trap cleanup EXIT

rm -rf "$dir" && mkdir -p "$dir"
echo "== 1. trace, SIM vendor file and ground truth from $scenario"
"$build/pktgen/jitsim-pktgen" generate --scenario "$scenario" --seed 1 --out "$dir" --quiet
"$build/pktgen/jitsim-pktgen" population --scenario "$scenario" --seed 1 --out "$dir" >/dev/null
echo "   $(grep -c . "$dir/population.csv") lines of population, trace of" \
	"$(python3 -c 'import json,sys; print(json.loads(open(sys.argv[1]).readlines()[-1])["frames"])' \
		"$dir/expected.jsonl") frames"

echo "== 2. store: import the vendor file, set the scenario's states"
"$build/tools/jitsim-store" init --store "$dir/store" --kek "$dir/kek" --new-kek
"$build/tools/jitsim-store" import "$dir/inventory.out" --store "$dir/store" --kek "$dir/kek" \
	--transport-key "$dir/transport.key"
"$build/tools/jitsim-store" set "$dir/population.csv" --store "$dir/store" --kek "$dir/kek" | tail -1
"$build/tools/jitsim-store" stats --store "$dir/store" | sed 's/^/   /'

echo "== 3-4. jitsim-dp on the trace (net_pcap, --no-huge --no-pci), events collected"
"$build/tools/jitsim-shm" events --instance "$inst" --idle 5 >"$dir/events.jsonl" \
	2>"$dir/events.log" &
ev_pid=$!
sleep 0.5
"$build/dataplane/dp/jitsim-dp" --instance "$inst" --store "$dir/store" --stats-interval 0 -- \
	--no-huge --no-pci -m 256 -l 0-1 --file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$dir/trace.pcap" 2>"$dir/dp.log" &
dp_pid=$!
wait "$ev_pid" || true
ev_pid=
kill -TERM "$dp_pid"
wait "$dp_pid" || true
dp_pid=
grep "jitsim-dp:" "$dir/dp.log" | sed 's/^/   /' | tail -4

echo "== 5. what the dataplane detected"
python3 - "$dir/events.jsonl" "$dir/expected.jsonl" <<'PY'
import collections, json, sys
events = [json.loads(l) for l in open(sys.argv[1]) if l.strip()]
truth = [json.loads(l) for l in open(sys.argv[2])]
want = collections.Counter(t["event"] for t in truth if t["type"] == "sim")
name = {"first_attach": "first_attach", "reattach": "reattach", "activity": "activity",
        "blocked_attempt": "blocked", "wakeup_mt": "wakeup"}
got = collections.Counter(name.get(e["type"], e["type"]) for e in events)
print("   first attaches (would be activated by jitsim-cp):")
for e in [e for e in events if e["type"] == "first_attach"][:10]:
    vis = f'{e["visited_kind"]} {e["visited"]}' if e["visited"] else "-"
    print(f'     IMSI {e["imsi"]}  op {e["op"]:>3} ({e["proto"]})  visited {vis}')
n = got["first_attach"]
if n > 10:
    print(f"     ... and {n - 10} more")
print("   event            detected  ground truth")
ok = True
for k in ["first_attach", "reattach", "wakeup", "activity", "blocked"]:
    print(f"   {k:<16} {got[k]:>8}  {want[k]:>12}")
    ok &= got[k] == want[k]
print("   result: " + ("every SIM of the ground truth reported once" if ok else "MISMATCH"))
sys.exit(0 if ok else 1)
PY
echo "Files: $dir (trace.pcap, expected.jsonl, events.jsonl, dp.log)"
