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
