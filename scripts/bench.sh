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
# pcap_dump() of as many fixed packets; both write to PKTGEN_DIR.
pktgen_dir=${PKTGEN_DIR:-${TMPDIR:-/tmp}}
echo "== bench_pktgen ($(date -u +%F), $(nproc) cores, $(uname -r), output in $pktgen_dir)"
taskset -c 1 "$build/tests/pktgen/bench_pktgen" -s "$top/pktgen/scenarios/bench.ini" \
	-n "${PKTGEN_PACKETS:-10000000}" -d "$pktgen_dir"
