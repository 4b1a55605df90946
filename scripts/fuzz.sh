#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Run every libFuzzer target for SECONDS each, seeded from the reference
# captures and from tests/fuzz/regress/ (every crash found so far).
#   scripts/fuzz.sh BUILD_FUZZ_DIR SECONDS
# A crash stops the run with the input saved under BUILD/fuzz-artifacts/;
# keep it forever by copying it into tests/fuzz/regress/<target>/ (the
# replay tests of `make test` then run it on every build).
set -euo pipefail

build=${1:?usage: fuzz.sh BUILD_FUZZ_DIR SECONDS}
secs=${2:?usage: fuzz.sh BUILD_FUZZ_DIR SECONDS}
top=$(cd "$(dirname "$0")/.." && pwd)
traces=${JITSIM_TRACES_DIR:-$top/../shared/traces}

if [ ! -d "$traces" ]; then
	echo "fuzz.sh: $traces: the reference captures are required for the seeds" >&2
	exit 1
fi

seeds=$build/fuzz-seeds
rm -rf "$seeds"
"$build/tests/fuzz/mkseeds" "$seeds" "$traces"/*.pcap "$traces"/*.pcapng
mkdir -p "$build/fuzz-artifacts"

# target:seed directory written by mkseeds (the FTA parsers read the same
# messages as the codec targets; m3ua has only its regress/ inputs).
targets="frame:frame diameter:diameter tcap:tcap map_fta:tcap s6a_fta:diameter
	diam:diameter m3ua: fta:fta fta_diam:diameter"

status=0
for ts in $targets; do
	t=${ts%%:*}
	s=${ts#*:}
	corpus=$build/fuzz-corpus/$t
	mkdir -p "$corpus"
	set -- "$corpus" "$top/tests/fuzz/regress/$t"
	if [ -n "$s" ]; then
		set -- "$@" "$seeds/$s"
	fi
	echo "fuzz.sh: $t: $(find "${@:2}" -type f | wc -l) seeds, ${secs}s"
	if ! "$build/tests/fuzz/fuzz_$t" -max_total_time="$secs" -timeout=10 \
		-rss_limit_mb=2048 -print_final_stats=1 \
		-artifact_prefix="$build/fuzz-artifacts/$t-" "$@" \
		>"$build/fuzz-$t.log" 2>&1; then
		echo "fuzz.sh: $t: FOUND A CRASH (log: $build/fuzz-$t.log)" >&2
		tail -40 "$build/fuzz-$t.log" >&2
		ls -l "$build"/fuzz-artifacts/$t-* >&2 || true
		status=1
		continue
	fi
	grep -E 'stat::number_of_executed_units|cov:' "$build/fuzz-$t.log" | tail -2 |
		sed "s/^/fuzz.sh: $t: /"
done
exit $status
