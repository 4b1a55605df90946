#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Run the meson test suite of BUILD_DIR (extra arguments go to `meson test`)
# and close with one plain line of counts that any CI can read:
#   tests: N passed, N failed
# With TSAN_BUILD=DIR (a -Db_sanitize=thread build), the concurrency tests
# (suite 'table') run there first, and count in the same line.
set -uo pipefail
build=${1:?usage: test.sh BUILD_DIR [MESON_TEST_ARGS...]}
shift
logs=()
rc=0
if [ -n "${TSAN_BUILD:-}" ]; then
	echo "== ThreadSanitizer: suite 'table' in $TSAN_BUILD"
	meson test -C "$TSAN_BUILD" --no-rebuild --print-errorlogs --suite table || rc=1
	logs+=("$TSAN_BUILD/meson-logs/testlog.json")
fi
meson test -C "$build" --print-errorlogs --num-processes 2 "$@" || rc=1
logs+=("$build/meson-logs/testlog.json")
python3 - "${logs[@]}" <<'PY'
import json, sys
passed = failed = skipped = 0
for line in (l for f in sys.argv[1:] for l in open(f)):
    r = json.loads(line).get("result")
    if r in ("OK", "EXPECTEDFAIL"):
        passed += 1
    elif r == "SKIP":
        skipped += 1
    else:
        failed += 1
print(f"tests: {passed} passed, {failed} failed" + (f", {skipped} skipped" if skipped else ""))
PY
exit $rc
