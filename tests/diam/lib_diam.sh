# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
# shellcheck shell=bash
#
# Helpers of the Diameter S6a scenarios (issue 9): tests/diam/t_*.sh on the
# host over TCP (meson suite 'diam'), and tests/sctp/t_diam_sctp.sh in the
# SCTP VM. The process, cleanup and JSON helpers are those of
# tests/sctp/lib.sh (sourced here when the scenario has not done so):
# sctp_bg, sctp_stop, sctp_clean_on_exit, wait_for, wait_log, alive, fail,
# skip, step, json_get, expect_json. Everything started with sctp_bg is
# stopped on exit, pass or fail, and the scenario's work directory (store,
# keys, sockets), /dev/shm/jitsim.INST and /var/run/dpdk/jitsim-INST go.
#
# A host scenario keeps its logs in JITSIM_DIAM_OUT/<name>/ (default
# BUILD/tests/diam/out/<name>/), emptied at its start. Needs root (DPDK
# runtime directory, capture on lo).
#
# Environment (meson sets them): JITSIM_SRC, JITSIM_BUILD, JITSIM_DP,
# JITSIM_CP, JITSIM_STORE, JITSIMCTL, JITSIM_DIAMPEER (default
# BUILD/tests/diam/diampeer). DIAM_TR: tcp (default) or sctp.

if ! declare -F sctp_bg >/dev/null; then
	: "${JITSIM_BUILD:?JITSIM_BUILD not set (run through meson test)}"
	: "${JITSIM_SRC:?JITSIM_SRC not set (run through meson test)}"
	JITSIM_SCTP_OUT=${JITSIM_DIAM_OUT:-$JITSIM_BUILD/tests/diam/out}/$(basename "$0" .sh)
	rm -rf "$JITSIM_SCTP_OUT"
	mkdir -p "$JITSIM_SCTP_OUT"
	export JITSIM_SCTP_OUT
	# shellcheck source=../sctp/lib.sh
	source "$JITSIM_SRC/tests/sctp/lib.sh"
fi

DIAM_TR=${DIAM_TR:-tcp}
DIAMPEER=${JITSIM_DIAMPEER:-$BUILD/tests/diam/diampeer}
[ "$(id -u)" = 0 ] || skip "needs root (DPDK runtime directory, capture on lo)"
[ -x "$DIAMPEER" ] || skip "diampeer not built ($DIAMPEER)"
need_prog JITSIM_DP "jitsim-dp"
need_prog JITSIM_CP "jitsim-cp"
need_prog JITSIM_STORE "jitsim-store"
need_prog JITSIMCTL "jitsimctl"

# The addresses of this run: SCTP_IP (127.A.B.1, lib.sh) for jitsim and the
# test peers, .2 for osmo-hlr (its ports are fixed).
IP=$SCTP_IP
HLR_IP=${SCTP_IP%.1}.2
# Instance names are at most 24 characters.
INST=${INST:-d$(basename "$0" .sh | tr -cd 'a-z0-9' | cut -c1-12)$$}
W=$(mktemp -d /tmp/jitsim-diam.XXXXXX)
sctp_clean_on_exit "$W" "/dev/shm/jitsim.$INST" "/var/run/dpdk/jitsim-$INST"

# Identities. jitsim's are the [diameter] origin; the MME's realm is not
# jitsim's so that a relay routes by Destination-Realm.
J_HOST=hss.jitsim.example
J_REALM=jitsim.example
MME_HOST=mme1.epc.test
MME_REALM=epc.test
HSS_HOST=hss1.region1.test
HSS_REALM=region1.test
PLMN=00101
POOL_FIRST=491701358000
POOL_LAST=491701358099
# TS 35.208 Test Set 1: the stand-in HSS's keys (they are no SIM's).
K_HSS=465b5ce8b199b49faa5f0a2ee238a6bc
OPC_HSS=cd63cb71954a9f4e48a5994e37a02baf
HSS_MSISDN=491709999001

hex16() { od -An -tx1 -N16 /dev/urandom | tr -d ' \n'; }

# diam_port: a free TCP port on $IP (SCTP in the VM: nothing else runs there).
diam_port() {
	python3 -c "import socket; s = socket.socket(); s.bind(('$IP', 0)); print(s.getsockname()[1])"
}

luhn() {
	python3 -c "
d=[int(c) for c in '$1'][::-1]
s=sum(x if i%2 else (2*x if 2*x<10 else 2*x-9) for i,x in enumerate(d))
print('$1'+str((10-s%10)%10))"
}

# diam_store IMSI...: a store with these INVENTORY SIMs, random keys in
# KI[IMSI] / OPC[IMSI] (the vendor file is removed after the import).
declare -A KI OPC
diam_store() {
	local imsi n=0
	{
		echo "iccid,imsi,ki,opc,batch"
		for imsi in "$@"; do
			KI[$imsi]=$(hex16)
			OPC[$imsi]=$(hex16)
			n=$((n + 1))
			echo "$(luhn "89440100000000$(printf '%05d' "$n")"),$imsi,${KI[$imsi]},${OPC[$imsi]},B1"
		done
	} >"$W/sims.csv"
	"$JITSIM_STORE" init --store "$W/store" --kek "$W/kek" --new-kek >"$OUT/store.log" 2>&1 ||
		fail "jitsim-store init (see store.log)"
	"$JITSIM_STORE" import "$W/sims.csv" --store "$W/store" --kek "$W/kek" >>"$OUT/store.log" 2>&1 ||
		fail "jitsim-store import (see store.log)"
	rm -f "$W/sims.csv"
}

# no_keys_in_logs: no SIM key, in any case, in any file of the out dir.
no_keys_in_logs() {
	local k f
	for k in "${KI[@]}" "${OPC[@]}"; do
		f=$(grep -rli -- "$k" "$OUT" | head -1) || true
		[ -z "$f" ] || fail "a SIM key is in $f"
	done
}

# ---- osmo-hlr: hlr_start, hlr_get (tests/sctp/lib.sh) -------------------------

# ---- jitsim-cp --------------------------------------------------------------------
# cp_start KIND ADDRESS: jitsim-cp with [fta] and region 1 (PLMN $PLMN) whose
# HLR is KIND (osmo-hlr, outbox) at ADDRESS. CP_FTA_EXTRA: more [fta] lines.
cp_start() {
	cat >"$OUT/cp.conf" <<EOF
[instance]
name = $INST
store = $W/store
kek = $W/kek
socket = $W/cp.sock
[outbox]
path = $W/outbox.jsonl
[shm]
rings = 1
event_ring = 1024
update_ring = 1024
[flow]
default_profile = basic
# Tariff 7 has its own APN in the ULA ([fta] s6a_apn.7).
default_tariff = 7
[hlr h1]
id = 1
kind = $1
address = $2
[region 1]
name = r1
hlr = h1
pool = p1
plmn = $PLMN
[pool p1]
id = 1
region = 1
first = $POOL_FIRST
last = $POOL_LAST
[fta]
# No own_pc/own_gt: an S6a-only endpoint (MAP dialogues off).
ul_timeout = 30
handover_delay = 2
s6a_apn.7 = m2m.jitsim.test
${CP_FTA_EXTRA:-}
EOF
	sctp_bg cp "$JITSIM_CP" -c "$OUT/cp.conf"
	CP_PID=$BG_PID
	wait_log 120 "$OUT/cp.log" 'jitsim-cp: ready:'
	alive "$CP_PID" cp
}

# ctl ARGS...: jitsimctl on this run's jitsim-cp, JSON result.
ctl() {
	"$JITSIMCTL" --socket "$W/cp.sock" --json "$@"
}

# ctl_get PYEXPR ARGS...: one value of a jitsimctl answer (`r` is the result).
ctl_get() {
	local e=$1
	shift
	ctl "$@" | python3 -c "import json,sys; r=json.load(sys.stdin); print($e)"
}

# sim_is IMSI STATE: jitsim-cp has the SIM in STATE (no python: a loop of
# these is cheap in the VM too).
sim_is() {
	ctl sim show "$1" | grep -Eq "\"state\": ?\"$2\""
}

# dp_synced: jitsim-dp has applied every table update jitsim-cp sent.
dp_synced() {
	[ "$(ctl_get 'int(r["dataplane"]["update_seq_applied"] >= r["dataplane"]["update_seq_sent"])' status)" = 1 ]
}

# ---- jitsim-dp ---------------------------------------------------------------------
# dp_start NAME LINE...: jitsim-dp (log NAME.log) with a [diameter] section
# of jitsim's identity, watchdog DP_TW (default 30) and these lines (peer =,
# hss =, redirect =, ...). Waits until it is ready.
dp_start() {
	local name=$1 l
	shift
	{
		cat <<EOF
[instance]
name = $INST
store = $W/store
stats_interval = 0
[eal]
args = --no-huge --no-pci -m 512
lcores = 0-1
[diameter]
origin_host = $J_HOST
origin_realm = $J_REALM
host_ip = 127.0.0.1
watchdog = ${DP_TW:-30}
EOF
		for l in "$@"; do
			echo "$l"
		done
	} >"$OUT/$name.conf"
	sctp_bg "$name" "$JITSIM_DP" -c "$OUT/$name.conf"
	DP_PID=$BG_PID
	wait_log 120 "$OUT/$name.log" 'ready: [0-9]+ workers'
	alive "$DP_PID" "$name"
}

# peer_opens NAME LOG: how many times jitsim-dp logged peer NAME open.
peer_opens() {
	grep -c "diameter: peer $1 open" "$2" || true
}

# ---- diampeer ----------------------------------------------------------------------
# dpeer OUTNAME MODE ARGS...: diampeer in the foreground, its JSON lines in
# OUTNAME.out, its log in OUTNAME.log. Returns its exit status.
dpeer() {
	local name=$1
	shift
	"$DIAMPEER" "$@" >"$OUT/$name.out" 2>"$OUT/$name.log"
}

# mme OUTNAME ADDR:PORT ARGS...: diampeer mme from $MME_HOST to jitsim's realm.
mme() {
	local name=$1 to=$2
	shift 2
	dpeer "$name" mme "--$DIAM_TR" --connect "$to" --origin-host "$MME_HOST" \
		--origin-realm "$MME_REALM" --dest-realm "$J_REALM" --plmn "$PLMN" "$@"
}

# hss_bg NAME ADDR:PORT: the stand-in HSS of region 1 in the background
# (stats in NAME.stats.json on SIGTERM). Sets HSS_PID.
hss_bg() {
	sctp_bg "$1" "$DIAMPEER" hss "--$DIAM_TR" --listen "$2" --origin-host "$HSS_HOST" \
		--origin-realm "$HSS_REALM" --ki "$K_HSS" --opc "$OPC_HSS" --msisdn "$HSS_MSISDN" \
		--stats "$OUT/$1.stats.json"
	# shellcheck disable=SC2034 # for the scenarios
	HSS_PID=$BG_PID
}

# ---- capture -----------------------------------------------------------------------
# cap_start FILE FILTER: capture lo into FILE (through tmpfs: the out dir is
# 9p in the VM), wait until capturing. Sets CAP_PID.
cap_start() {
	command -v tshark >/dev/null || fail "tshark not installed"
	local prog=tshark
	command -v dumpcap >/dev/null && prog=dumpcap
	_CAP_TMP=$(mktemp -d /tmp/jitsim-diam-cap.XXXXXX)
	sctp_clean_on_exit "$_CAP_TMP"
	_CAP_OUT=$1
	sctp_bg capture "$prog" -n -i lo -f "$2" -w "$_CAP_TMP/cap.pcapng"
	CAP_PID=$BG_PID
	wait_log 120 "$OUT/capture.log" '^File: |Capture started'
	sleep 1
}

cap_stop() {
	sleep 1
	sctp_stop "$CAP_PID" 20 || true
	cp "$_CAP_TMP/cap.pcapng" "$_CAP_OUT"
}

# diam_decode PCAP OUT PORT... [-- LENIENT_PORT...]: every Diameter message
# as a JSON line (tests/tshark/diam_pdus.py); fails on a malformed one.
diam_decode() {
	local pcap=$1 out=$2 args=() lenient=0 p
	shift 2
	for p in "$@"; do
		if [ "$p" = -- ]; then
			lenient=1
		elif [ $lenient = 1 ]; then
			args+=(--lenient-port "$p" --port "$p")
		else
			args+=(--port "$p")
		fi
	done
	python3 "$SRC/tests/tshark/diam_pdus.py" "$pcap" "$out" "${args[@]}" 2>"$OUT/tshark-read.log" ||
		{ cat "$OUT/tshark-read.log"; fail "tshark: malformed Diameter in $(basename "$pcap")"; }
}

# pdu FILE FILTER DESCRIPTION [FILTER DESCRIPTION...]: for each FILTER, a
# decoded message matches (python over `j`; `f(name)` is the list of a
# field's values), else fail with its DESCRIPTION. One python for all: each
# start costs seconds in the VM.
pdu() {
	local file=$1 msg
	shift
	msg=$(python3 - "$file" "$@" <<'PY'
import json, sys
msgs = [json.loads(line) for line in open(sys.argv[1])]
args = sys.argv[2:]
for cond, what in zip(args[0::2], args[1::2]):
    if not any(eval(cond, {}, {"j": j, "f": lambda n, j=j: j["f"].get(n, [])}) for j in msgs):
        print("%s (no message with %s)" % (what, cond))
        sys.exit(1)
PY
	) || fail "$msg in $(basename "$file")"
}

# expect_lines FILE FILTER DESCRIPTION [FILTER DESCRIPTION...]: expect_json
# of lib.sh for several filters in one python.
expect_lines() {
	local file=$1 msg
	shift
	msg=$(python3 - "$file" "$@" <<'PY'
import json, sys
lines = []
for line in open(sys.argv[1], errors="replace"):
    try:
        lines.append(json.loads(line))
    except ValueError:
        pass
args = sys.argv[2:]
for cond, what in zip(args[0::2], args[1::2]):
    if not any(eval(cond, {}, {"j": j}) for j in lines if isinstance(j, dict)):
        print("%s (no line with %s)" % (what, cond))
        sys.exit(1)
PY
	) || fail "$msg in $(basename "$file")"
}

# diam_hex KIND [IMSI] [E2E] [PLMN]: one request from $MME_HOST as hex, for diampeer
# raw. Kinds: air (a valid AIR), air-no-user (User-Name absent: 5005),
# air-bad-len (User-Name's AVP Length shorter than its header: 5014),
# air-rsvd-flag (User-Name with a reserved flag bit: 3009), air-1200 and
# air-70000 (a valid AIR padded to that many octets with a non-M AVP:
# over a sig record's 976 octets, over the 64 KiB receive limit),
# unknown-app (a Cx UAR, application 16777216: 3007).
diam_hex() {
	python3 - "$1" "${2:-001010000000999}" "${3:-4660}" "$MME_HOST" "$MME_REALM" "$J_REALM" "${4:-$PLMN}" <<'PY'
import struct, sys
kind, imsi, e2e, host, realm, dest, plmn = sys.argv[1:8]
e2e = int(e2e)
F_M, F_V, V3GPP, S6A = 0x40, 0x80, 10415, 16777251

def avp(code, data, flags=F_M, vendor=0, length=None):
    if isinstance(data, int):
        data = struct.pack(">I", data)
    if isinstance(data, str):
        data = data.encode()
    if vendor:
        flags |= F_V
    n = 8 + (4 if vendor else 0) + len(data) if length is None else length
    h = struct.pack(">IB", code, flags) + n.to_bytes(3, "big")
    if vendor:
        h += struct.pack(">I", vendor)
    return h + data + b"\0" * ((-len(data)) % 4)

def msg(cmd, app, avps, e2e):
    body = b"".join(avps)
    return (bytes([1]) + (20 + len(body)).to_bytes(3, "big") + bytes([0xC0]) +
            cmd.to_bytes(3, "big") + struct.pack(">III", app, e2e, e2e) + body)

def plmn_id(d):
    mnc3 = d[5] if len(d) == 6 else "f"
    return bytes([int(d[1]) << 4 | int(d[0]), int(mnc3, 16) << 4 | int(d[2]),
                  int(d[4]) << 4 | int(d[3])])

sid = avp(263, "%s;raw;%d" % (host, e2e))
head = [sid, avp(277, 1), avp(264, host), avp(296, realm), avp(283, dest)]
user = avp(1, imsi)
tail = [avp(1408, avp(1410, 1, F_M, V3GPP) + avp(1412, 1, F_M, V3GPP), F_M, V3GPP),
        avp(1407, plmn_id(plmn), F_M, V3GPP)]
if kind == "air":
    m = msg(318, S6A, head + [user] + tail, e2e)
elif kind == "air-no-user":
    m = msg(318, S6A, head + tail, e2e)
elif kind == "air-bad-len":
    m = msg(318, S6A, head + [avp(1, imsi, length=6)] + tail, e2e)
elif kind == "air-rsvd-flag":
    m = msg(318, S6A, head + [avp(1, imsi, flags=F_M | 0x01)] + tail, e2e)
elif kind.startswith("air-") and kind[4:].isdigit():
    want = int(kind[4:])
    base = msg(318, S6A, head + [user] + tail, e2e)
    pad = want - len(base) - 8
    m = msg(318, S6A, head + [user] + tail + [avp(99999, b"\0" * pad, flags=0)], e2e)
elif kind == "unknown-app":
    m = msg(300, 16777216, [sid, avp(277, 1), avp(264, host), avp(296, realm), avp(283, dest), user], e2e)
else:
    sys.exit("diam_hex: unknown kind " + kind)
print(m.hex())
PY
}

# raw OUTNAME ADDR:PORT HEX|@FILE [ARGS...]: diampeer raw sends the message
# (hex, or the binary FILE: a 64 KiB message does not fit one argument),
# prints the answer.
raw() {
	local name=$1 to=$2 src
	src=(--hex "$3")
	[ "${3:0:1}" = @ ] && src=(--file "${3:1}")
	shift 3
	dpeer "$name" raw "--$DIAM_TR" --connect "$to" --origin-host "$MME_HOST" \
		--origin-realm "$MME_REALM" --dest-realm "$J_REALM" "${src[@]}" "$@"
}
