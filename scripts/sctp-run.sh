#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# Run a script as root where SCTP works: directly when this kernel has SCTP,
# otherwise inside the SCTP VM (scripts/sctp-vm.sh). Same output, same exit
# code either way, so a test written once runs on a production-like host and
# on the test machines (whose kernel has no SCTP).
set -euo pipefail

prog=sctp-run.sh
here=$(cd "$(dirname "$0")" && pwd)

usage() {
	cat <<'EOF'
usage: scripts/sctp-run.sh [-o OUT_DIR] SCRIPT [ARGS...]

Runs SCRIPT [ARGS...] as root with kernel SCTP: directly when
  python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)'
works here, else inside the VM of scripts/sctp-vm.sh (see its --help: the
host's file system is read-only there except OUT_DIR, /tmp, /run, /dev/shm).
SCRIPT runs directly if it is executable, else with bash; stdin is /dev/null.
Its exit code is returned.

SCRIPT gets the environment plus
  JITSIM_SCTP_OUT   OUT_DIR, writable (-o, else $JITSIM_SCTP_OUT, else a new
                    directory under ${TMPDIR:-/tmp}: removed after a run that
                    exits 0, kept and named on stderr after any other)
  JITSIM_SCTP_MODE  direct | vm

Environment:
  JITSIM_SCTP_USE_VM  auto (default) | 1: always the VM | 0: never the VM
                      (fail when this kernel has no SCTP)
  JITSIM_SCTP_VM_*    passed on to scripts/sctp-vm.sh

Exit codes besides SCRIPT's: 125 cannot run (no SCTP and no VM, not root),
124 the VM timed out.
EOF
}

die() {
	echo "$prog: $*" >&2
	[ -z "${own_out:-}" ] || rm -rf "$own_out"
	exit 125
}

out=${JITSIM_SCTP_OUT:-}
case ${1:-} in
--help | -h)
	usage
	exit 0
	;;
-o)
	[ $# -ge 2 ] || die "-o needs a directory"
	out=$2
	shift 2
	;;
esac
[ "${1:-}" = "--" ] && shift
if [ $# -eq 0 ]; then
	usage >&2
	exit 125
fi
script=$1
shift
[ -f "$script" ] || die "no such script: $script"
script=$(realpath "$script")
if [ -x "$script" ]; then
	cmd=("$script" "$@")
else
	cmd=(bash "$script" "$@")
fi

own_out=
if [ -z "$out" ]; then
	out=$(mktemp -d "${TMPDIR:-/tmp}/jitsim-sctp.XXXXXX")
	own_out=$out
fi
mkdir -p "$out" || die "cannot create the out dir $out"
out=$(realpath "$out")

have_sctp() {
	python3 -c 'import socket; socket.socket(socket.AF_INET, socket.SOCK_STREAM, 132)' \
		>/dev/null 2>&1
}

use_vm=${JITSIM_SCTP_USE_VM:-auto}
case $use_vm in
auto)
	if have_sctp; then
		use_vm=0
	else
		use_vm=1
	fi
	;;
0)
	have_sctp || die "this kernel has no SCTP (JITSIM_SCTP_USE_VM=0)"
	;;
1) ;;
*) die "JITSIM_SCTP_USE_VM must be auto, 0 or 1, not '$use_vm'" ;;
esac

rc=0
if [ "$use_vm" = 1 ]; then
	JITSIM_SCTP_MODE=vm bash "$here/sctp-vm.sh" -o "$out" -- "${cmd[@]}" || rc=$?
else
	# The scenarios start osmo-stp, DPDK and tshark on loopback: root, like
	# in the VM.
	[ "$(id -u)" -eq 0 ] || die "run as root: $script needs root (SCTP servers, DPDK, tshark)"
	JITSIM_SCTP_OUT=$out JITSIM_SCTP_MODE=direct "${cmd[@]}" </dev/null || rc=$?
fi
if [ -n "$own_out" ]; then
	if [ "$rc" -eq 0 ]; then
		rm -rf "$own_out"
	else
		echo "$prog: exit $rc, output kept in $own_out" >&2
	fi
fi
exit "$rc"
