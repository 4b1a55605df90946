#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Profile-guided build of jitsim-pktgen (and bench_pktgen) in an optimised
# meson build directory, in three steps in that directory:
#   1. -Dpktgen_pgo=generate: pktgen's library instrumented, built;
#   2. training: the instrumented jitsim-pktgen writes bench.ini's mix at
#      another seed (1 M frames) and every example scenario once;
#   3. -Dpktgen_pgo=use: pktgen's library rebuilt from that profile.
# Then the optimised binary must write, byte for byte, what the
# instrumented one wrote for basic.ini. If that or any step fails, the
# directory goes back to the plain build and this exits non-zero.
# Only pktgen's own code is profiled (pktgen/meson.build says why); the
# directory stays in 'use' mode, so later ninja runs keep the profile.
#
#   scripts/pktgen-pgo.sh BUILD_DIR
set -euo pipefail

usage() {
	echo "usage: pktgen-pgo.sh BUILD_DIR" >&2
	echo "  BUILD_DIR: a meson build directory (make bench uses build-release)" >&2
	exit 2
}

[ $# -eq 1 ] || usage
case $1 in -h | --help) usage ;; esac
build=$1
top=$(cd "$(dirname "$0")/.." && pwd)
if [ ! -f "$build/build.ninja" ]; then
	echo "pktgen-pgo.sh: $build: not a meson build directory (meson setup it first)" >&2
	exit 2
fi
targets=(pktgen/jitsim-pktgen tests/pktgen/bench_pktgen)
pktgen=$build/pktgen/jitsim-pktgen
tmp=$(mktemp -d "${TMPDIR:-/tmp}/pktgen-pgo.XXXXXX")
trap 'rm -rf "$tmp"' EXIT

# The plain build again: an instrumented or unchecked generator is never
# left behind for the benchmarks or the demo to use.
plain() {
	meson configure "$build" -Dpktgen_pgo=off >>"$tmp/log" 2>&1 &&
		ninja -C "$build" "${targets[@]}" >>"$tmp/log" 2>&1 ||
		echo "pktgen-pgo: could not go back to the plain build in $build" >&2
}

# A step's output goes to a log, its end shown if the step fails; then the plain build.
run() {
	"$@" >>"$tmp/log" 2>&1 || {
		tail -n 30 "$tmp/log" >&2
		echo "pktgen-pgo: failed: $*; back to the plain build" >&2
		plain
		exit 1
	}
}

# The output of a run, as one hash over its files.
digest() {
	(cd "$1" && find . -type f | LC_ALL=C sort | xargs sha256sum) | sha256sum | cut -d' ' -f1
}

echo "pktgen-pgo: instrumented build in $build"
run meson configure "$build" -Dpktgen_pgo=generate
find "$build/pktgen" -name '*.gcda' -delete
run ninja -C "$build" "${targets[@]}"

echo "pktgen-pgo: training run"
run "$pktgen" generate --scenario "$top/pktgen/scenarios/bench.ini" --seed 11 \
	--packets 1000000 --out "$tmp/bench"
for sc in "$top"/pktgen/scenarios/*.ini; do
	name=$(basename "$sc" .ini)
	[ "$name" = bench ] && continue
	run "$pktgen" generate --scenario "$sc" --seed 11 --out "$tmp/train-$name"
done
run "$pktgen" generate --scenario "$top/pktgen/scenarios/basic.ini" --seed 5 --out "$tmp/ref"

echo "pktgen-pgo: profile-guided build"
run meson configure "$build" -Dpktgen_pgo=use
run ninja -C "$build" "${targets[@]}"
run "$pktgen" generate --scenario "$top/pktgen/scenarios/basic.ini" --seed 5 --out "$tmp/check"
if [ "$(digest "$tmp/ref")" != "$(digest "$tmp/check")" ]; then
	echo "pktgen-pgo: the profile-guided jitsim-pktgen wrote other bytes than the" \
		"instrumented one for basic.ini, seed 5: back to the plain build" >&2
	plain
	exit 1
fi
echo "pktgen-pgo: done, same bytes as the instrumented build ($build/pktgen/jitsim-pktgen)"
