#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Run the benchmarks of an optimised build; each prints its own baseline.
#   scripts/bench.sh BUILD_DIR [SECONDS]
set -euo pipefail
build=${1:?usage: bench.sh BUILD_DIR [SECONDS]}
secs=${2:-3}
top=$(cd "$(dirname "$0")/.." && pwd)
traces=${JITSIM_TRACES_DIR:-$top/../shared/traces}

echo "== bench_decode ($(date -u +%F), $(nproc) cores, $(uname -r))"
taskset -c 1 "$build/tests/bench/bench_decode" -t "$secs" "$traces"/*.pcap "$traces"/*.pcapng

# jitsim-pktgen: frames/s of the whole generator on bench.ini next to libpcap's
# pcap_dump() of as many fixed packets, both writing to the same directory.
# First into memory (/dev/shm: the generator's own speed, the rate the
# issue asks for), PKTGEN_RUNS times each alternately with the best and the
# median; then into a tmpfs with large folios (below); then once to
# PKTGEN_DIR on disk, where both pay the file system.
#
# On a VM with free page reporting (virtio-balloon), the guest hands the
# pages it freed back to the hypervisor about 2 s later, and the next write
# into one of them faults on the host. The runs here alternate and each
# unlinks its gigabyte when done, so a run shorter than that (the baseline)
# writes into pages the other side just freed, and a longer one (the
# generator, at 4 M frames) runs into pages already handed back: twice the
# kernel time for the same bytes (docs/benchmarks.md, eleventh follow-up).
# Where the guest kernel can keep freed pages for a while first
# (page_reporting's min_free_ms), these runs are made with it at 60 s and
# it is restored after; then a shorter series as the machine is, so that
# both figures are on record.
shm_dir=${PKTGEN_SHM_DIR:-/dev/shm}
min_free=/sys/module/page_reporting/parameters/min_free_ms
min_free_old=
restore_min_free() {
	if [ -n "$min_free_old" ]; then
		echo "$min_free_old" >"$min_free"
		min_free_old=
	fi
}
trap restore_min_free EXIT
trap 'exit 130' INT TERM HUP
# pktgen_mem DIR RUNS: the series into a RAM file system at DIR.
pktgen_mem() {
	taskset -c 1 "$build/tests/pktgen/bench_pktgen" -s "$top/pktgen/scenarios/bench.ini" \
		-n "${PKTGEN_SHM_PACKETS:-4000000}" -d "$1" -r "$2"
}
echo "== bench_pktgen ($(date -u +%F), $(nproc) cores, $(uname -r), output in $shm_dir)"
if [ -w "$min_free" ] && old=$(cat "$min_free") && echo 60000 2>/dev/null >"$min_free"; then
	min_free_old=$old
	echo "-- free page reporting held back: $min_free $min_free_old -> 60000 (restored after)"
	pktgen_mem "$shm_dir" "${PKTGEN_RUNS:-5}"
	restore_min_free
	echo "-- the same as the machine is ($min_free $(cat "$min_free")):"
	pktgen_mem "$shm_dir" 3
else
	pktgen_mem "$shm_dir" "${PKTGEN_RUNS:-5}"
fi

# Then into a tmpfs of its own mounted with large folios (huge=within_size),
# as the machine is: writing into 4 KiB pages, the kernel allocates and
# charges a page per 4 KiB and its part of each frame is 150-300 ns of the
# 500 a frame may cost at 2 M/s; with large folios it is a fraction of that
# (docs/benchmarks.md, thirteenth follow-up). This is the sink to write
# traces to at full speed (docs/pktgen.md). Needs root to mount; skipped
# otherwise.
huge_dir=
umount_huge() {
	if [ -n "$huge_dir" ]; then
		umount "$huge_dir" 2>/dev/null || true
		rmdir "$huge_dir" 2>/dev/null || true
		huge_dir=
	fi
}
trap 'restore_min_free; umount_huge' EXIT
huge_dir=$(mktemp -d "${TMPDIR:-/tmp}/jitsim-bench-huge.XXXXXX")
if mount -t tmpfs -o size=4g,huge=within_size,mode=0700 jitsim-bench-huge "$huge_dir" 2>/dev/null; then
	echo "== bench_pktgen ($(date -u +%F), $(nproc) cores, $(uname -r), output in a tmpfs with huge=within_size)"
	pktgen_mem "$huge_dir" "${PKTGEN_RUNS:-5}"
	umount_huge
else
	echo "-- no tmpfs with huge=within_size here (mounting needs root and THP): skipped"
	umount_huge
fi
# The rest of the script keeps the shell's own signal handling.
trap - EXIT INT TERM HUP
pktgen_dir=${PKTGEN_DIR:-${TMPDIR:-/tmp}}
echo "== bench_pktgen ($(date -u +%F), $(nproc) cores, $(uname -r), output in $pktgen_dir)"
taskset -c 1 "$build/tests/pktgen/bench_pktgen" -s "$top/pktgen/scenarios/bench.ini" \
	-n "${PKTGEN_PACKETS:-10000000}" -d "$pktgen_dir"

# Subscriber tables: lookups/s of bulk and single lookups next to
# rte_hash_lookup_bulk and cds_lfht with the same keys, memory per SIM.
echo "== bench_table ($(date -u +%F), $(nproc) cores, $(uname -r))"
taskset -c 1 "$build/tests/bench/bench_table" -n "${TABLE_KEYS:-10000000}"

# Store: group commit next to raw sync writes; the 10-million-SIM import
# (jitsim-store, vendor file from jitsim-pktgen) next to a bare SstFileWriter
# + ingest of as many records; the dataplane bulk load next to a bare scan.
store_dir=${STORE_DIR:-${TMPDIR:-/tmp}/jitsim-bench-store}
sims=${STORE_SIMS:-10000000}
echo "== bench_store ($(date -u +%F), $(nproc) cores, $(uname -r), in $store_dir)"
"$build/tests/bench/bench_store" commit "$secs"
rm -rf "$store_dir" && mkdir -p "$store_dir"
sed "s/^count = .*/count = $sims/" "$top/tests/bench/inventory-10m.ini" >"$store_dir/inv.ini"
"$build/pktgen/jitsim-pktgen" vendor-file --scenario "$store_dir/inv.ini" --seed 1 \
	--out "$store_dir/vendor" >/dev/null
"$build/tests/bench/bench_store" sst "$sims"
"$build/tools/jitsim-store" init --store "$store_dir/db" --kek "$store_dir/kek" --new-kek
/usr/bin/time -f "import: %e s wall, %U s user, %S s sys, %M KB max RSS" \
	"$build/tools/jitsim-store" import --store "$store_dir/db" --kek "$store_dir/kek" \
	--transport-key "$store_dir/vendor/transport.key" "$store_dir/vendor/inventory.out"
"$build/tests/bench/bench_store" load "$store_dir/db"
rm -rf "$store_dir"

# Number pools: allocations/s next to a bare bitmap scan, memory of a
# 100 M-number pool, regex search over free numbers.
echo "== bench_pool ($(date -u +%F), $(nproc) cores, $(uname -r))"
"$build/tests/bench/bench_pool"

# jitsim-cp: durable activations/s of a real jitsim-cp (outbox adapter) fed
# by bench_cp as the dataplane, next to raw sync RocksDB WriteBatches of 16
# records on the same disk (rounds of pairs, median ratio); event -> ACTIVE
# latency at 1,000 activations/s next to one raw sync write's.
cp_dir=${CP_DIR:-${TMPDIR:-/tmp}}
echo "== bench_cp ($(date -u +%F), $(nproc) cores, $(uname -r), in $cp_dir)"
"$build/tests/bench/bench_cp" --cp "$build/control/cp/jitsim-cp" -d "$cp_dir" -t "$secs" \
	-n "${CP_EVENTS:-50000}" -R "${CP_ROUNDS:-3}" -r "${CP_RATE:-1000}" -s "${CP_SECONDS:-5}"

# jitsim-dp: one worker on a net_pcap infinite_rx replay of a jitsim-pktgen
# trace, next to dpdk-testpmd io forwarding on the same vdev, trace and mbuf
# count; 1 M and 10 M SIMs, inventory shares 0.3 / 0.0 / 0.9 (1 M).
echo "== bench_dp ($(date -u +%F), $(nproc) cores, $(uname -r))"
python3 "$top/scripts/bench_dp.py" "$build" --sims "${DP_SIMS:-1000000,10000000}" \
	--seconds "${DP_SECONDS:-10}" ${DP_BENCH_KEEP:+--keep}

# SS7 (issue 8): relayed MAP messages/s through one jitsim-dp worker over a
# real SCTP association next to a plain SCTP echo of the same M3UA messages
# (rounds alternated, median ratio), then first attaches/s through jitsim-cp's
# FTA engine; needs kernel SCTP, so it runs in the SCTP VM on hosts without.
# Its logs stay in SS7_OUT when it fails (or with SS7_KEEP=1).
ss7_out=${SS7_OUT:-${TMPDIR:-/tmp}/jitsim-bench-ss7}
echo "== bench_ss7 ($(date -u +%F), $(nproc) cores, $(uname -r), logs in $ss7_out)"
JITSIM_SCTP_VM_TIMEOUT=${JITSIM_SCTP_VM_TIMEOUT:-1800} bash "$top/scripts/sctp-run.sh" \
	-o "$ss7_out" "$top/tests/bench/bench_ss7.sh" "$build"
[ -n "${SS7_KEEP:-}" ] || rm -rf "$ss7_out"
