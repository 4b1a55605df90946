#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Runs every scenario tests/sctp/t_*.sh, as root where SCTP works (started
# by scripts/sctp-run.sh: directly, or inside the SCTP VM booted once for
# all of them). Each scenario runs in its own session with its own out dir
# JITSIM_SCTP_OUT/<name>/ (log: <name>/log) and a time limit; whatever it
# leaves running is killed. Prints PASS/FAIL/SKIP per scenario, the tail of
# the logs of a failed one, and exits 1 if any failed or was skipped (or
# none ran).
#
# Environment: JITSIM_SRC, JITSIM_BUILD (meson), JITSIM_SCTP_OUT (sctp-run),
# JITSIM_SCTP_ONLY (a glob: run only the matching scenarios),
# JITSIM_SCTP_SCENARIO_TIMEOUT (seconds each, default 420: the FTA end to
# end scenario takes about 290 s under TCG with an ASan build).
set -uo pipefail

src=${JITSIM_SRC:?JITSIM_SRC not set}
: "${JITSIM_BUILD:?JITSIM_BUILD not set}"
out=${JITSIM_SCTP_OUT:?JITSIM_SCTP_OUT not set}
only=${JITSIM_SCTP_ONLY:-*}
limit=${JITSIM_SCTP_SCENARIO_TIMEOUT:-420}
# A plain system PATH: in the VM every exec goes over 9p under TCG, and a
# wrapper like a pyenv shim costs tens of seconds per call there.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

t_all=$(date +%s.%N)
echo "sctp: mode ${JITSIM_SCTP_MODE:-?}, kernel $(uname -r), $(nproc) cpus, out $out"
passed=0 failed=0 skipped=0 names=()
for t in "$src"/tests/sctp/t_*.sh; do
	[ -f "$t" ] || continue
	name=$(basename "$t" .sh)
	# shellcheck disable=SC2254
	case $name in $only) ;; *) continue ;; esac
	d=$out/$name
	rm -rf "$d"
	mkdir -p "$d"
	t0=$(date +%s.%N)
	# Own session: the whole process group goes afterwards, whatever the
	# scenario forgot (osmo-stp, tshark, jitsim-dp, ...).
	JITSIM_SCTP_OUT=$d setsid timeout -k 10 "$limit" bash "$t" >"$d/log" 2>&1 </dev/null &
	pid=$!
	wait "$pid"
	rc=$?
	kill -TERM -- "-$pid" 2>/dev/null && sleep 1
	kill -KILL -- "-$pid" 2>/dev/null
	secs=$(awk -v a="$t0" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
	case $rc in
	0)
		echo "PASS $name (${secs} s)"
		passed=$((passed + 1))
		;;
	77)
		why=$(grep -a '^SKIP:' "$d/log" | tail -n 1)
		echo "SKIP $name (${secs} s): ${why#SKIP: }"
		skipped=$((skipped + 1))
		;;
	*)
		[ "$rc" = 124 ] && why="timeout after $limit s" || why="exit $rc"
		echo "FAIL $name (${secs} s, $why)"
		failed=$((failed + 1))
		names+=("$name")
		echo "---- $name/log (last 40 lines)"
		tail -n 40 "$d/log" | sed 's/^/  /'
		for f in "$d"/*.log; do
			[ -f "$f" ] || continue
			echo "---- $name/$(basename "$f") (last 15 lines)"
			tail -n 15 "$f" | sed 's/^/  /'
		done
		echo "----"
		;;
	esac
done
total=$(awk -v a="$t_all" -v b="$(date +%s.%N)" 'BEGIN { printf "%.1f", b - a }')
echo "sctp: $passed passed, $failed failed, $skipped skipped in ${total} s${names[*]:+ (failed: ${names[*]})}"
[ $((passed + failed + skipped)) -gt 0 ] || { echo "sctp: no scenario matched '$only'"; exit 1; }
# A skipped scenario proves nothing: it fails the test unless the caller
# says skips are fine (JITSIM_SCTP_ALLOW_SKIP=1, e.g. a partial build).
if [ "$skipped" -gt 0 ] && [ "${JITSIM_SCTP_ALLOW_SKIP:-0}" != 1 ]; then
	echo "sctp: $skipped scenario(s) skipped; set JITSIM_SCTP_ALLOW_SKIP=1 to accept that"
	exit 1
fi
[ "$failed" -eq 0 ]
