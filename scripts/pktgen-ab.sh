#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Compare two or more builds of bench_pktgen on this machine: their runs
# alternate (A B A B ...), so that a shared machine's slow spells fall on
# all of them alike, and each build's user and kernel CPU time per frame is
# summarised (min, lower quartile, median). A single run here scatters by a
# third; a difference smaller than the spread of the quartiles is noise.
#
#   scripts/pktgen-ab.sh [-n RUNS] [-f FRAMES] [-s SCENARIO] [-d DIR] BENCH_PKTGEN...
#
# BENCH_PKTGEN: paths of bench_pktgen binaries (e.g. a build of the old
# commit and build-release/tests/pktgen/bench_pktgen). Defaults: 10 runs of
# 2000000 frames of pktgen/scenarios/bench.ini into /dev/shm, on CPU 1.
set -euo pipefail

runs=10 frames=2000000 dir=/dev/shm
scenario=$(cd "$(dirname "$0")/.." && pwd)/pktgen/scenarios/bench.ini
usage() { sed -n '5,15p' "$0" | sed 's/^# \{0,1\}//' >&2; exit 2; }
while getopts "n:f:s:d:h" o; do
	case $o in
	n) runs=$OPTARG ;;
	f) frames=$OPTARG ;;
	s) scenario=$OPTARG ;;
	d) dir=$OPTARG ;;
	*) usage ;;
	esac
done
shift $((OPTIND - 1))
[ $# -ge 1 ] || usage
for b in "$@"; do
	[ -x "$b" ] || { echo "pktgen-ab: $b: not an executable" >&2; exit 2; }
done
raw=$(mktemp)
trap 'rm -f "$raw"' EXIT
for ((i = 0; i < runs; i++)); do
	for b in "$@"; do
		# First line: "... CPU <total> s: ... (<kernel> s in the kernel)"
		line=$(taskset -c 1 "$b" -s "$scenario" -n "$frames" -d "$dir" | head -1)
		cpu=$(sed -n 's/.*CPU *\([0-9.]*\) s.*/\1/p' <<<"$line")
		sys=$(sed -n 's/.*(\([0-9.]*\) s in the kernel).*/\1/p' <<<"$line")
		[ -n "$cpu" ] && [ -n "$sys" ] || { echo "pktgen-ab: $b: unexpected output: $line" >&2; exit 1; }
		echo "$b $cpu $sys" >>"$raw"
	done
done
python3 - "$frames" "$raw" <<'PY'
import statistics, sys
frames = int(sys.argv[1])
user, kern = {}, {}
for line in open(sys.argv[2]):
    b, cpu, sys_s = line.split()
    user.setdefault(b, []).append((float(cpu) - float(sys_s)) / frames * 1e9)
    kern.setdefault(b, []).append(float(sys_s) / frames * 1e9)
for b in user:
    u = sorted(user[b])
    q = statistics.quantiles(u, n=4, method='inclusive') if len(u) > 1 else [u[0], u[0], u[0]]
    k = statistics.median(kern[b])
    print(f"{b}: user ns/frame min {u[0]:.0f} p25 {q[0]:.0f} median {q[1]:.0f}; "
          f"kernel median {k:.0f}; CPU-time rate from the medians {1e3 / (q[1] + k):.2f} Mpps "
          f"({len(u)} runs)")
PY
