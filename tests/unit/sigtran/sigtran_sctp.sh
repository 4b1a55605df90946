#!/usr/bin/env bash
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# usage: sigtran_sctp.sh TEST_SIG_LINK STP_E2E_BINARY STP_E2E_CFG STP_ASP_CFG
# Runs where kernel SCTP works (scripts/sctp-run.sh: the host or the VM;
# one VM boot for both parts):
# 1. test_sig_link with JITSIM_SIGTRAN_NEED_SCTP=1: the link over a real
#    loopback association (it fails rather than pass without SCTP);
# 2. captures the loopback with tshark, starts osmo-stp with the config, runs
# the two-ASP check against it, stops osmo-stp, then checks the capture:
# every M3UA message decodes without a malformed packet, all with PPID 3,
# DATA never on stream 0, management always on stream 0, and the whole
# life of an ASP is there (ASPUP .. ASPDN_ACK, BEAT/BEAT_ACK, NTFY, DATA);
# 3. osmo-stp configured as a client ASP (STP_ASP_CFG) connecting to a
#    server link of ours (jitsim as the SG): ACTIVE, BEATs answered, no ERR.
# The osmo-stp log and the capture go to $JITSIM_SCTP_OUT (or a temp dir).
set -euo pipefail
# A plain system PATH: in the VM every exec goes over 9p under TCG, and a
# wrapper like a pyenv shim costs tens of seconds per call there.
export PATH=/usr/local/sbin:/usr/local/bin:/usr/sbin:/usr/bin:/sbin:/bin

link_test=$1
bin=$2
cfg=$3
asp_cfg=$4
out=${JITSIM_SCTP_OUT:-$(mktemp -d)}
log=$out/stp_e2e.osmo-stp.log
cap=$out/stp_e2e.pcap
work=$(mktemp -d)
stp_pid=
ts_pid=
sgp_pid=

cleanup() {
	for p in $stp_pid $ts_pid $sgp_pid; do
		kill "$p" 2>/dev/null || true
		wait "$p" 2>/dev/null || true
	done
	rm -rf "$work"
}
trap cleanup EXIT

echo "== test_sig_link over kernel SCTP"
JITSIM_SIGTRAN_NEED_SCTP=1 "$link_test"

echo "== two ASPs against osmo-stp"
command -v tshark >/dev/null || { echo "sigtran_sctp: tshark not installed" >&2; exit 1; }
# Only this test's M3UA port; the capture goes to the (VM-)local work dir first.
tshark -n -i lo -f 'sctp port 12915' -w "$work/cap.pcap" >"$work/tshark.log" 2>&1 &
ts_pid=$!
for _ in $(seq 1 150); do
	grep -q 'Capturing on' "$work/tshark.log" 2>/dev/null && break
	kill -0 "$ts_pid" 2>/dev/null || { cat "$work/tshark.log" >&2; exit 1; }
	sleep 0.2
done

command -v osmo-stp >/dev/null || { echo "sigtran_sctp: osmo-stp not installed" >&2; exit 1; }
cp "$cfg" "$work/osmo-stp.cfg"
(cd "$work" && exec osmo-stp -c osmo-stp.cfg) >"$log" 2>&1 &
stp_pid=$!
# Ready when the M3UA server listens (the VTY line comes after the cs7 setup).
for _ in $(seq 1 150); do
	grep -q 'Available via telnet' "$log" 2>/dev/null && break
	kill -0 "$stp_pid" 2>/dev/null || { cat "$log" >&2; echo "sigtran_sctp: osmo-stp exited" >&2; exit 1; }
	sleep 0.2
done
rc=0
"$bin" 127.0.0.1:12915 12916 12917 || rc=$?
if [ $rc -ne 0 ]; then
	echo "---- osmo-stp log ----" >&2
	tail -n 60 "$log" >&2
	exit $rc
fi
kill "$stp_pid"
wait "$stp_pid" 2>/dev/null || true
stp_pid=
sleep 1 # let tshark write the last frames
kill -INT "$ts_pid"
wait "$ts_pid" 2>/dev/null || true
ts_pid=
cp "$work/cap.pcap" "$cap"

# One line per M3UA message: class, type, stream, PPID, malformed.
tshark -n -r "$cap" -Y m3ua -T fields -E occurrence=f \
	-e m3ua.message_class -e m3ua.message_type -e sctp.data_sid \
	-e sctp.data_payload_proto_id -e _ws.malformed >"$work/m3ua.txt"
python3 - "$work/m3ua.txt" <<'PY'
import sys
names = {(0, 0): "ERR", (0, 1): "NTFY", (1, 1): "DATA", (3, 1): "ASPUP", (3, 2): "ASPDN",
         (3, 3): "BEAT", (3, 4): "ASPUP_ACK", (3, 5): "ASPDN_ACK", (3, 6): "BEAT_ACK",
         (4, 1): "ASPAC", (4, 2): "ASPIA", (4, 3): "ASPAC_ACK", (4, 4): "ASPIA_ACK",
         (2, 1): "DUNA", (2, 2): "DAVA", (2, 3): "DAUD", (2, 4): "SCON", (2, 5): "DUPU"}
seen, bad = {}, []
for line in open(sys.argv[1]):
    cl, ty, sid, ppid, malformed = (line.rstrip("\n").split("\t") + [""] * 5)[:5]
    n = names.get((int(cl), int(ty)), f"{cl}/{ty}")
    seen[n] = seen.get(n, 0) + 1
    if malformed:
        bad.append(f"{n}: malformed")
    if int(ppid, 0) != 3:
        bad.append(f"{n}: PPID {ppid}")
    if (n == "DATA") != (int(sid, 0) != 0):
        bad.append(f"{n} on stream {sid}")
for n in ("ASPUP", "ASPUP_ACK", "ASPAC", "ASPAC_ACK", "NTFY", "DATA", "BEAT", "BEAT_ACK",
          "ASPIA", "ASPIA_ACK", "ASPDN", "ASPDN_ACK"):
    if n not in seen:
        bad.append(f"no {n} in the capture")
if "ERR" in seen:
    bad.append("ERR in the capture")
print("capture:", " ".join(f"{k}={v}" for k, v in sorted(seen.items())))
for b in bad:
    print("sigtran_sctp: capture:", b, file=sys.stderr)
sys.exit(1 if bad else 0)
PY
echo "STP E2E CAPTURE OK"

echo "== osmo-stp as an ASP connecting to our SGP"
sgp_log=$out/stp_e2e.osmo-stp-asp.log
"$bin" sgp 127.0.0.1:12925 >"$work/sgp.out" 2>&1 &
sgp_pid=$!
sleep 0.5 # listening before osmo-stp's first connect (it retries anyway)
cp "$asp_cfg" "$work/osmo-stp-asp.cfg"
(cd "$work" && exec osmo-stp -c osmo-stp-asp.cfg) >"$sgp_log" 2>&1 &
stp_pid=$!
rc=0
wait "$sgp_pid" || rc=$?
sgp_pid=
cat "$work/sgp.out"
if [ $rc -ne 0 ]; then
	echo "---- osmo-stp (ASP) log ----" >&2
	tail -n 60 "$sgp_log" >&2
fi
exit $rc
