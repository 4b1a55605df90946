# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
# shellcheck shell=bash
#
# Helpers of the SCTP scenarios (sourced by tests/sctp/t_*.sh). A scenario
# runs as root with kernel SCTP (directly or in the SCTP VM), in its own
# out dir JITSIM_SCTP_OUT, under suite.sh. Everything it starts with
# sctp_bg is stopped on exit, and its /dev/shm and DPDK runtime files are
# removed, pass or fail.
#
# Conventions: `fail MSG` ends the scenario (exit 1), `skip MSG` too (exit
# 77, only for a piece that does not exist in this tree yet), `step MSG`
# prints progress. Addresses: one loopback address per run (SCTP_IP), so
# that scenarios of parallel runs on a host with SCTP do not collide; in
# the VM nothing else runs anyway.

set -euo pipefail

OUT=${JITSIM_SCTP_OUT:?JITSIM_SCTP_OUT not set (run through tests/sctp/suite.sh)}
SRC=${JITSIM_SRC:?JITSIM_SRC not set}
# shellcheck disable=SC2034 # for the scenarios
BUILD=${JITSIM_BUILD:?JITSIM_BUILD not set}
cd "$OUT"

# 127.A.B.1 with A, B from this run: 127.0.0.0/8 is all loopback on Linux.
SCTP_IP=${SCTP_IP:-127.$((RANDOM % 200 + 20)).$((RANDOM % 250 + 1)).1}
_T0=$(date +%s.%N)
_PIDS=()
_NAMES=()
_CLEAN_DIRS=()

step() {
	echo "[$(awk -v a="$_T0" -v b="$(date +%s.%N)" 'BEGIN { printf "%6.1f", b - a }')] $*"
}

fail() {
	echo "FAIL: $*" >&2
	exit 1
}

skip() {
	echo "SKIP: $*"
	exit 77
}

# sctp_bg NAME CMD...: start CMD in the background, output in $OUT/NAME.log.
# Sets BG_PID.
sctp_bg() {
	local name=$1
	shift
	"$@" >"$OUT/$name.log" 2>&1 &
	BG_PID=$!
	_PIDS+=("$BG_PID")
	_NAMES+=("$name")
}

# sctp_stop PID [SECONDS]: SIGTERM, wait up to SECONDS (default 10), SIGKILL.
# Returns the process's exit code (137 after SIGKILL).
sctp_stop() {
	local pid=$1 secs=${2:-10} i rc=0
	kill -TERM "$pid" 2>/dev/null || true
	for ((i = 0; i < secs * 10; i++)); do
		kill -0 "$pid" 2>/dev/null || break
		sleep 0.1
	done
	kill -KILL "$pid" 2>/dev/null || true
	wait "$pid" 2>/dev/null || rc=$?
	return "$rc"
}

# Remove a directory (shm files, DPDK runtime dir) on exit.
sctp_clean_on_exit() {
	_CLEAN_DIRS+=("$@")
}

_sctp_exit() {
	local rc=$? i
	set +e
	for ((i = ${#_PIDS[@]} - 1; i >= 0; i--)); do
		kill -0 "${_PIDS[$i]}" 2>/dev/null && sctp_stop "${_PIDS[$i]}" 5 >/dev/null 2>&1
	done
	for i in "${_CLEAN_DIRS[@]}"; do
		rm -rf -- "$i"
	done
	step "end (exit $rc)"
	exit "$rc"
}
trap _sctp_exit EXIT
trap 'exit 143' TERM
trap 'exit 130' INT

# wait_for SECONDS DESCRIPTION CMD...: poll CMD every 0.2 s until it succeeds.
wait_for() {
	local secs=$1 what=$2 i
	shift 2
	for ((i = 0; i < secs * 5; i++)); do
		"$@" >/dev/null 2>&1 && return 0
		sleep 0.2
	done
	fail "$what: not within $secs s"
}

# wait_log SECONDS FILE PATTERN: wait until FILE has a line matching PATTERN (ERE).
wait_log() {
	wait_for "$1" "'$3' in $(basename "$2")" grep -Eq -- "$3" "$2"
}

# alive PID NAME: fail if the process is gone.
alive() {
	kill -0 "$1" 2>/dev/null || fail "$2 exited early (see $2.log)"
}

# need_prog VAR: the program meson passed in $VAR, or skip.
need_prog() {
	local var=$1 v=${!1:-}
	[ -n "$v" ] && [ -x "$v" ] || skip "$var: not built in this tree (${2:-})"
}

# ---- osmo-stp ----------------------------------------------------------------
# Point codes of the scenarios (ITU 3-8-3 as osmo-stp writes them).
PC_VLR=0.23.1
PC_JITSIM=0.23.2
PC_HLR=0.23.3
STP_PORT=2905
# Source ports of the client ASPs: osmo-stp matches its pre-configured ASPs
# by remote address and port.
PORT_VLR=12906
PORT_JITSIM=12907
PORT_HLR=12908

# stp_config FILE: osmo-stp 1.6 config: M3UA on SCTP_IP:STP_PORT, VTY on
# SCTP_IP:4239 (fixed port), ASPs vlr (RC 1), jitsim (RC 2), hlr (RC 3),
# routes by point code only (osmo-stp does no GT translation).
stp_config() {
	cat >"$1" <<EOF
! osmo-stp for $(basename "$0") (tests/sctp/lib.sh)
log stderr
 logging filter all 1
 logging color 0
 logging print category 1
 logging print level 1
 logging timestamp 1
 logging level set-all notice
 logging level lss7 info
 logging level lm3ua info
 logging level linp info
line vty
 no login
 bind $SCTP_IP
cs7 instance 0
 xua rkm routing-key-allocation static-only
 listen m3ua $STP_PORT
  local-ip $SCTP_IP
  accept-asp-connections pre-configured
 asp vlr $PORT_VLR $STP_PORT m3ua
  remote-ip $SCTP_IP
  sctp-role server
  role sg
 asp jitsim $PORT_JITSIM $STP_PORT m3ua
  remote-ip $SCTP_IP
  sctp-role server
  role sg
 asp hlr $PORT_HLR $STP_PORT m3ua
  remote-ip $SCTP_IP
  sctp-role server
  role sg
 as vlr m3ua
  asp vlr
  routing-key 1 $PC_VLR
  traffic-mode override
 as jitsim m3ua
  asp jitsim
  routing-key 2 $PC_JITSIM
  traffic-mode override
 as hlr m3ua
  asp hlr
  routing-key 3 $PC_HLR
  traffic-mode override
 route-table system
  update route $PC_VLR 7.255.7 linkset vlr
  update route $PC_JITSIM 7.255.7 linkset jitsim
  update route $PC_HLR 7.255.7 linkset hlr
EOF
}

# stp_start: write the config, start osmo-stp, wait for its VTY. Sets STP_PID.
stp_start() {
	command -v osmo-stp >/dev/null || fail "osmo-stp not installed (scripts/deps.sh)"
	stp_config "$OUT/osmo-stp.cfg"
	sctp_bg stp osmo-stp -c "$OUT/osmo-stp.cfg"
	STP_PID=$BG_PID
	wait_for 60 "osmo-stp VTY on $SCTP_IP:4239" vty "show cs7 instance 0 asp"
	alive "$STP_PID" stp
}

# vty CMD...: run osmo-stp VTY commands, print the answers.
vty() {
	python3 "$SRC/tests/sctp/vty.py" "$SCTP_IP" 4239 "$@"
}

# stp_asp_state NAME: the ASP's state in osmo-stp (ASP_ACTIVE, ASP_DOWN, ...).
# osmo-stp 1.6 prints: ASP Name, AS Name, State, Type, Remote IP:port, ...
stp_asp_state() {
	vty "show cs7 instance 0 asp" | awk -v n="$1" '$1 == n { print $3; exit }'
}

# stp_asp_is NAME STATE: true when osmo-stp shows ASP NAME in STATE.
stp_asp_is() {
	[ "$(stp_asp_state "$1")" = "$2" ]
}

# stp_asp_not NAME STATE: true when osmo-stp shows ASP NAME in another state.
stp_asp_not() {
	[ "$(stp_asp_state "$1")" != "$2" ]
}

# ---- ss7peer -------------------------------------------------------------------
# peer_args ROLE: the M3UA/SCCP options of ss7peer for vlr, hlr or jitsim.
peer_args() {
	case $1 in
	vlr) echo "--local $SCTP_IP:$PORT_VLR --remote $SCTP_IP:$STP_PORT --rc 1 --opc $PC_VLR" ;;
	hlr) echo "--local $SCTP_IP:$PORT_HLR --remote $SCTP_IP:$STP_PORT --rc 3 --opc $PC_HLR" ;;
	jitsim) echo "--local $SCTP_IP:$PORT_JITSIM --remote $SCTP_IP:$STP_PORT --rc 2 --opc $PC_JITSIM" ;;
	esac
}

# json_get FILE FILTER: python expression over each JSON line `j`; prints
# the matching lines (FILTER true). Example: json_get vlr.out 'j["ev"]=="step"'
json_get() {
	python3 - "$1" "$2" <<'PY'
import json, sys
for line in open(sys.argv[1], errors="replace"):
    line = line.strip()
    if not line.startswith("{"):
        continue
    try:
        j = json.loads(line)
    except ValueError:
        continue
    if eval(sys.argv[2], {}, {"j": j}):
        print(line)
PY
}

# expect_json FILE FILTER DESCRIPTION: at least one line matches, else fail.
expect_json() {
	[ -n "$(json_get "$1" "$2")" ] || fail "$3 (no line of $(basename "$1") with $2)"
}

# ---- tshark ----------------------------------------------------------------------
# tshark_start FILE: capture loopback SCTP into FILE (on tmpfs first: the
# out dir is 9p in the VM), wait until it captures. Sets TSHARK_PID.
# dumpcap (tshark's capture engine) captures: it starts in a second where
# tshark, loading every dissector, takes 30-40 s under TCG.
tshark_start() {
	command -v tshark >/dev/null || fail "tshark not installed"
	local cap=tshark
	command -v dumpcap >/dev/null && cap=dumpcap
	_TSHARK_TMP=$(mktemp -d /tmp/jitsim-sctp-cap.XXXXXX)
	sctp_clean_on_exit "$_TSHARK_TMP"
	_TSHARK_OUT=$1
	sctp_bg tshark "$cap" -n -i lo -f sctp -w "$_TSHARK_TMP/cap.pcapng"
	TSHARK_PID=$BG_PID
	wait_log 120 "$OUT/tshark.log" '^File: |Capture started'
	# The file is named just before the capture opens: give it a moment.
	sleep 1
}

tshark_stop() {
	sleep 1
	sctp_stop "$TSHARK_PID" 20 || true
	cp "$_TSHARK_TMP/cap.pcapng" "$_TSHARK_OUT"
}

# tshark_decode PCAP OUT [FIELD...]: one pass of tshark over PCAP (each run
# costs seconds under TCG) writing a TSV to OUT: frame number, malformed,
# expert severity, SCTP source port, M3UA class, M3UA type, MAP operation
# codes, then FIELDs. Fails when a packet is malformed or has an expert
# error (severity 0x800000 and up), printing those lines; except, when
# TSHARK_MALFORMED_FROM is a list of source ports, those packets (the
# scenario's own junk and the STP forwarding it), listed in OUT.malformed.
tshark_decode() {
	local pcap=$1 out=$2
	shift 2
	local args=() f bad
	for f in frame.number _ws.malformed _ws.expert.severity sctp.srcport \
		m3ua.message_class m3ua.message_type gsm_old.localValue "$@"; do
		args+=(-e "$f")
	done
	tshark -n -r "$pcap" -T fields -E separator=/t -E occurrence=a -E aggregator=, \
		"${args[@]}" >"$out" 2>"$OUT/tshark-read.log" ||
		fail "tshark cannot read $(basename "$pcap") (see tshark-read.log)"
	awk -F'\t' '$2 != "" || $3 ~ /(^|,)([89][0-9]{6}|[0-9]{8,})(,|$)/' "$out" >"$out.malformed"
	bad=$(awk -F'\t' -v ok=" ${TSHARK_MALFORMED_FROM:-} " 'index(ok, " " $4 " ") == 0' \
		"$out.malformed")
	if [ -n "$bad" ]; then
		echo "$bad" | head -20
		fail "malformed or expert-error packets in $(basename "$pcap")"
	fi
}

# m3ua_seen TSV PORT CLASS TYPE [MAP_OPCODE]: the decode has such a message
# from source port PORT (any port when PORT is empty).
m3ua_seen() {
	awk -F'\t' -v p="$2" -v c="$3" -v t="$4" -v o="${5:-}" '
		(p == "" || $4 == p) && $5 ~ "(^|,)" c "(,|$)" && $6 ~ "(^|,)" t "(,|$)" &&
		(o == "" || $7 ~ "(^|,)" o "(,|$)") { found = 1 }
		END { exit !found }' "$1"
}

# ---- osmo-hlr ------------------------------------------------------------------
# hlr_start: osmo-hlr on $HLR_IP (VTY, CTRL 4259, GSUP) with its config and
# database in $W; sets OSMO_HLR_PID. hlr_get VAR: a CTRL GET. Shared by the FTA
# scenarios and tests/diam.
hlr_start() {
	command -v osmo-hlr >/dev/null || fail "osmo-hlr not installed (scripts/deps.sh)"
	cat >"$W/hlr.cfg" <<EOF
log stderr
 logging filter all 1
 logging color 0
 logging level main notice
 logging level ctrl notice
line vty
 bind $HLR_IP
ctrl
 bind $HLR_IP
hlr
 gsup
  bind ip $HLR_IP
EOF
	sctp_bg osmo-hlr osmo-hlr -c "$W/hlr.cfg" -l "$W/hlr.db"
	# shellcheck disable=SC2034 # for the scenarios
	OSMO_HLR_PID=$BG_PID
	wait_for 60 "osmo-hlr CTRL on $HLR_IP:4259" bash -c "exec 3<>/dev/tcp/$HLR_IP/4259"
}

# hlr_get VAR: GET over osmo-hlr's CTRL (IPA framing: length, 0xEE, 0x00).
hlr_get() {
	python3 - "$HLR_IP" "$1" <<'PY'
import socket, struct, sys
s = socket.create_connection((sys.argv[1], 4259), timeout=10)
msg = b"\x00" + f"GET 1 {sys.argv[2]}".encode()
s.sendall(struct.pack(">HB", len(msg), 0xEE) + msg)
buf = b""
while len(buf) < 3 or len(buf) < 3 + struct.unpack(">H", buf[:2])[0]:
    d = s.recv(65536)
    if not d:
        break
    buf += d
print(buf[4:].decode(errors="replace"))
PY
}
