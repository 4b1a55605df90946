#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# make demo: a generated signaling trace through the real dataplane and
# control plane.
#   scripts/demo.sh BUILD_DIR
#
# 1. jitsim-pktgen makes a trace (MAP over M3UA and Diameter S6a as seen
#    beside an STP and a DRA), the SIM vendor file of its population and the
#    ground truth (expected.jsonl);
# 2. jitsim-store creates a store, imports the vendor file and puts the SIMs
#    that the scenario says are active, sleeping or locked in those states;
# 3. jitsim-cp starts with a number pool and an HLR per region (outbox
#    adapter: provisioning orders as JSON lines in outbox.jsonl);
# 4. jitsim-dp replays the trace through a net_pcap port (no hugepages, no
#    NIC) and raises the events; jitsim-cp activates the SIMs;
# 5. the activations are printed and checked against the ground truth.
# Work files go to DEMO_DIR (default /tmp/jitsim-demo).
set -euo pipefail
build=${1:?usage: demo.sh BUILD_DIR}
top=$(cd "$(dirname "$0")/.." && pwd)
dir=${DEMO_DIR:-/tmp/jitsim-demo}
inst=demo$$
prefix=jitsim-demo$$
scenario=$top/pktgen/scenarios/basic.ini

cleanup() {
	[ -n "${dp_pid:-}" ] && kill "$dp_pid" 2>/dev/null || true
	[ -n "${cp_pid:-}" ] && kill "$cp_pid" 2>/dev/null || true
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

echo "== 3. jitsim-cp: a number pool and an HLR per region, outbox adapter"
cat >"$dir/cp.conf" <<CONF
[instance]
name = $inst
store = $dir/store
kek = $dir/kek
socket = $dir/run/cp.sock
[outbox]
path = $dir/outbox.jsonl
[flow]
default_region = 1
[hlr hlr-main]
id = 1
[region 1]
name = europe
hlr = hlr-main
pool = europe
gt_prefix = 4477001,4477002,4477003
plmn = 23415,26201
[pool europe]
id = 1
region = 1
first = 447712000000
last = 447712009999
[region 2]
name = asia
hlr = hlr-main
pool = asia
gt_prefix = 8190001,8190002,8190003
plmn = 44010
[pool asia]
id = 2
region = 2
first = 819012000000
last = 819012009999
CONF
"$build/control/cp/jitsim-cp" -c "$dir/cp.conf" 2>"$dir/cp.log" &
cp_pid=$!
for _ in $(seq 100); do
	[ -S "$dir/run/cp.sock" ] && break
	sleep 0.1
done
ctl() { "$build/control/ctl/jitsimctl" --socket "$dir/run/cp.sock" "$@"; }

echo "== 4. jitsim-dp on the trace (net_pcap, --no-huge --no-pci); jitsim-cp activates"
"$build/dataplane/dp/jitsim-dp" --instance "$inst" --store "$dir/store" --stats-interval 0 -- \
	--no-huge --no-pci -m 256 -l 0-1 --file-prefix "$prefix" --log-level '*:warning' \
	--vdev "net_pcap0,rx_pcap=$dir/trace.pcap" 2>"$dir/dp.log" &
dp_pid=$!
# Done when jitsim-cp has consumed events, none arrived for two seconds and
# no activation is in flight.
quiet=0
last_n=x
for _ in $(seq 120); do
	sleep 0.5
	st=$(ctl --json status 2>/dev/null) || continue
	read -r n busy < <(python3 -c 'import json,sys; s=json.load(sys.stdin)
print(sum(s["events"].values()), s["jobs"].get("allocated", 0))' <<<"$st")
	if [ "$n" != 0 ] && [ "$busy" = 0 ] && [ "$n" = "$last_n" ]; then
		quiet=$((quiet + 1))
		[ $quiet -ge 4 ] && break
	else
		quiet=0
	fi
	last_n=$n
done
ctl status | sed 's/^/   /' | head -24
kill -TERM "$dp_pid"
wait "$dp_pid" || true
dp_pid=
kill -TERM "$cp_pid"
wait "$cp_pid" || true
cp_pid=

echo "== 5. what was activated"
"$build/tools/jitsim-store" list --store "$dir/store" --state active >"$dir/active.txt"
python3 - "$dir/active.txt" "$dir/expected.jsonl" "$dir/outbox.jsonl" <<'PY'
import collections, json, sys
active = {}
for line in open(sys.argv[1]):
    f = dict(kv.split("=", 1) for kv in line.split())
    active[f["imsi"]] = f
sims = {t["imsi"]: t for t in map(json.loads, open(sys.argv[2])) if t["type"] == "sim"}
orders = [json.loads(l) for l in open(sys.argv[3]) if l.strip()]
new = [i for i, t in sims.items() if t["event"] == "first_attach"]
woken = [i for i, t in sims.items() if t["event"] in ("reattach", "wakeup")]
print(f"   {len(orders)} provisioning orders in outbox.jsonl; SIMs activated at first attach:")
for i in new[:10]:
    a = active.get(i, {})
    print(f"     IMSI {i} -> MSISDN {a.get('msisdn', '-')}, region {a.get('region', '-')}"
          f" (attached in {sims[i]['region']})")
if len(new) > 10:
    print(f"     ... and {len(new) - 10} more")
missing = [i for i in new + woken if i not in active]
numbers = collections.Counter(a["msisdn"] for a in active.values() if a["msisdn"] != "-")
dups = [n for n, c in numbers.items() if c > 1]
print(f"   first attaches: {len(new)}, sleeping SIMs woken: {len(woken)}; "
      f"ACTIVE now: {len(new) + len(woken) - len(missing)} of {len(new) + len(woken)}")
ok = not missing and not dups
print("   result: " + ("every attaching SIM is ACTIVE with a number of its own" if ok else
                       f"MISMATCH: not active {missing[:5]}, numbers on two SIMs {dups[:5]}"))
sys.exit(0 if ok else 1)
PY
echo "Files: $dir (trace.pcap, expected.jsonl, outbox.jsonl, cp.log, dp.log)"
