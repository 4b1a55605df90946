#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-dp's [diameter] section on this host, over TCP (the SCTP transport
is exercised in the SCTP VM by the end-to-end tests). No NIC port, no store:
every IMSI is unknown to the tables.

  badconfig  bad [diameter] values: exit 1 before the EAL, the message names
             FILE:LINE and the key; a good section survives --check-config
             unchanged (its output parses back to itself).
  answer     a test MME (this script) connects over TCP: CER/CEA, an AIR for
             an unknown IMSI is answered by a worker with Experimental-Result
             5001, a duplicate of it too (flagged, same answer), a request
             over a ring record is answered 5012 by diamio; /jitsim/diameter
             counts it all; an sctp peer without kernel SCTP logs that once
             and is retried. SIGTERM: DPR (REBOOTING) to the MME, exit 0.
  proxy      unknown = proxy to a stand-in HSS (this script too): the AIR
             reaches the HSS with a Route-Record naming the MME, a new
             hop-by-hop id and the Destination-Host naming jitsim replaced by
             the HSS's; the AIA comes back to the MME with the MME's id. A CLR
             from the HSS reaches the MME (Route-Record of the HSS) and its
             CLA goes back. SIGTERM: DPR to both, exit 0.
  reconnect  answers stay on their connection: an MME's AIR waits at a slow
             stand-in HSS while the MME reconnects; the HSS's late answer
             does not reach the new connection (whose next AIR reuses the
             same hop-by-hop id: the first answer there is its own). An AIR
             waiting when the HSS's connection drops is answered 3002.
  both       [ss7] beside [diameter] (shm sig_down then has one consumer,
             the Diameter thread, which passes SS7 records on): both start,
             an AIR is answered, SIGTERM ends both with their final lines.
With --transport sctp (a host with kernel SCTP, or the SCTP VM:
scripts/sctp-vm.sh) the MME and the HSS of answer, proxy and both use SCTP.
Exit status 0 when every check holds, 1 otherwise.
"""

import argparse
import os
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Failure  # noqa: E402

S6A = 16777251
V3GPP = 10415
CER, DWR, DPR = 257, 280, 282
ULR, CLR, AIR = 316, 317, 318
JITSIM_HOST = "hss.jitsim.example"
TR = ["tcp"]  # --transport: of the MME and HSS this script plays

# --- a small Diameter codec: enough to play an MME and an HSS ---


def avp(code, data, vendor=0, flags=0x40):
    if isinstance(data, str):
        data = data.encode()
    if vendor:
        flags |= 0x80
        hdr = struct.pack("!IB3sI", code, flags, (12 + len(data)).to_bytes(3, "big"), vendor)
    else:
        hdr = struct.pack("!IB3s", code, flags, (8 + len(data)).to_bytes(3, "big"))
    return hdr + data + b"\0" * (-len(data) % 4)


def u32(code, v, vendor=0, flags=0x40):
    return avp(code, struct.pack("!I", v), vendor, flags)


def msg(cmd, flags, app, hbh, e2e, avps):
    body = b"".join(avps)
    return struct.pack("!B3sB3sIII", 1, (20 + len(body)).to_bytes(3, "big"), flags,
                       cmd.to_bytes(3, "big"), app, hbh, e2e) + body


def parse_avps(b):
    out = []
    while len(b) >= 8:
        code, flags, ln = struct.unpack("!IB3s", b[:8])
        ln = int.from_bytes(ln, "big")
        hl = 12 if flags & 0x80 else 8
        vendor = struct.unpack("!I", b[8:12])[0] if flags & 0x80 else 0
        out.append((code, vendor, b[hl:ln]))
        b = b[(ln + 3) & ~3:]
    return out


def parse(m):
    flags = m[4]
    cmd = int.from_bytes(m[5:8], "big")
    app, hbh, e2e = struct.unpack("!III", m[8:20])
    return {"cmd": cmd, "flags": flags, "app": app, "hbh": hbh, "e2e": e2e,
            "avps": parse_avps(m[20:]), "raw": m}


def find(m, code, vendor=0):
    return [d for c, v, d in m["avps"] if c == code and v == vendor]


def result_code(m):
    r = find(m, 268)
    return struct.unpack("!I", r[0])[0] if r else None


def exp_result(m):
    g = find(m, 297)
    if not g:
        return None
    inner = parse_avps(g[0])
    codes = [d for c, v, d in inner if c == 298]
    return struct.unpack("!I", codes[0])[0] if codes else None


def ident(host, realm):
    return [avp(264, host), avp(296, realm)]


def cap_avps(host, realm):
    return ident(host, realm) + [
        avp(257, b"\x00\x01" + socket.inet_aton("127.0.0.1")), u32(266, 0),
        avp(269, "dp_diam.py", flags=0), u32(265, V3GPP),
        avp(260, u32(266, V3GPP) + u32(258, S6A))]


class Peer:
    """One Diameter connection played by this script."""

    def __init__(self, sock, host, realm):
        self.s = sock
        self.s.settimeout(10)
        self.host, self.realm = host, realm
        self.buf = b""
        self.hbh = 0x1000
        self.e2e = 0x2000

    def send(self, m):
        self.s.sendall(m)

    def recv(self, timeout=20, auto=True):
        """Next message; DWR answered on the way when @auto."""
        end = time.time() + timeout
        while True:
            if len(self.buf) >= 4:
                ln = int.from_bytes(self.buf[1:4], "big")
                if len(self.buf) >= ln:
                    m, self.buf = parse(self.buf[:ln]), self.buf[ln:]
                    if auto and m["cmd"] == DWR and m["flags"] & 0x80:
                        self.answer(m, [u32(268, 2001)] + ident(self.host, self.realm))
                        continue
                    return m
            left = end - time.time()
            if left <= 0:
                raise Failure(f"{self.host}: no message within {timeout} s")
            r, _, _ = select.select([self.s], [], [], left)
            if r:
                d = self.s.recv(65536)
                if not d:
                    raise Failure(f"{self.host}: connection closed by jitsim-dp")
                self.buf += d

    def answer(self, req, avps, flags=0):
        self.send(msg(req["cmd"], flags | (req["flags"] & 0x40), req["app"], req["hbh"],
                      req["e2e"], avps))

    def request(self, cmd, avps, app=S6A):
        self.hbh += 1
        self.e2e += 1
        m = msg(cmd, 0xc0, app, self.hbh, self.e2e, avps)
        self.send(m)
        return self.hbh, self.e2e, m


def air(p, imsi, sid, dest_host=None):
    avps = [avp(263, sid), u32(277, 1)] + ident(p.host, p.realm)
    if dest_host:
        avps.append(avp(293, dest_host))
    avps += [avp(283, "jitsim.example"), avp(1, imsi),
             avp(1407, b"\x00\xf1\x10", V3GPP, 0xc0),
             avp(1408, u32(1410, 1, V3GPP, 0xc0), V3GPP, 0xc0)]
    return avps


# --- processes ---


def log(msg_):
    print(msg_, flush=True)


def free_port():
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def kernel_sctp():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
        return True
    except OSError:
        return False


class DpProc:
    def __init__(self, a, r, tmp, section):
        self.prefix = r.new_prefix()
        conf = os.path.join(tmp, f"{self.prefix}.conf")
        with open(conf, "w") as f:
            f.write(f"[instance]\nname = {r.instance}\nstats_interval = 0\n{section}")
        r.shm_made = True
        self.err_path = os.path.join(tmp, f"{self.prefix}.err")
        self.errf = open(self.err_path, "w")
        self.p = r.spawn([a.dp, "-c", conf, "--no-store", "--", "--no-huge", "--no-pci",
                          "-m", "256", "--file-prefix", self.prefix, "-l", "0-1",
                          "--log-level", "lib.eal:error"],
                         stdout=self.errf, stderr=subprocess.STDOUT)

    def text(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait_for(self, pred, what, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            v = pred()
            if v:
                return v
            if self.p.poll() is not None:
                raise Failure(f"jitsim-dp exited with {self.p.returncode} waiting for "
                              f"{what}:\n{self.text()[-3000:]}")
            time.sleep(0.05)
        raise Failure(f"{what}: not within {timeout} s:\n{self.text()[-3000:]}")

    def tel(self):
        return harness.telemetry(self.prefix, "/jitsim/diameter")

    def sigterm(self):
        self.p.send_signal(signal.SIGTERM)

    def wait_exit(self, errors):
        try:
            rc = self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.errf.close()
        if rc != 0:
            errors.append(f"SIGTERM: exit status {rc}, wants 0:\n{self.text()[-3000:]}")
        for want in ("jitsim-dp: diameter final:", "jitsim-dp: stopped"):
            if want not in self.text():
                errors.append(f"no {want!r} line:\n{self.text()[-3000:]}")


def new_socket():
    if TR[0] == "sctp":
        return socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP)
    return socket.socket()


def connect(port, host, realm):
    end = time.time() + 30
    while True:
        s = new_socket()
        try:
            s.settimeout(5)
            s.connect(("127.0.0.1", port))
            break
        except OSError:
            s.close()
            if time.time() > end:
                raise Failure(f"cannot connect to jitsim-dp on port {port}")
            time.sleep(0.1)
    return Peer(s, host, realm)


def mme_up(dp, port, errors):
    mme = connect(port, "mme.test", "epc.test")
    mme.request(CER, cap_avps(mme.host, mme.realm), app=0)
    cea = mme.recv()
    if cea["cmd"] != CER or result_code(cea) != 2001:
        raise Failure(f"CEA: {cea}")
    if find(cea, 264) != [JITSIM_HOST.encode()]:
        errors.append(f"CEA Origin-Host {find(cea, 264)}")
    dp.wait_for(lambda: "diameter: peer mme open (host mme.test)" in dp.text(), "open log")
    return mme


def expect_dpr(p, errors):
    m = p.recv()
    if m["cmd"] != DPR or not m["flags"] & 0x80:
        errors.append(f"{p.host}: {m['cmd']} instead of DPR")
        return
    cause = find(m, 273)
    if cause != [b"\0\0\0\0"]:
        errors.append(f"{p.host}: DPR Disconnect-Cause {cause}, wants REBOOTING (0)")
    p.answer(m, [u32(268, 2001)] + ident(p.host, p.realm))


# --- checks ---

GOOD = """[diameter]
origin_host = hss.jitsim.example
origin_realm = jitsim.example
host_ip = 127.0.0.1
peer = mme listen tcp 127.0.0.1:3868 host=mme.test
peer = dra connect sctp 10.0.0.1:3868 local=10.0.0.2:0
peer = v6 listen tcp [::1]:3868
hss = 0 hss0 tcp 127.0.0.1:3869 host=hss0.test realm=hss.test
hss = 3 hss3 sctp [::1]:3869 host=hss3.test realm=hss.test local=[::1]:0
default_hss = 3
unknown = proxy
locked_result = 5420
redirect = yes
watchdog = 6
workers = 2
ring_slots = 256
"""

BASE = ("[diameter]\norigin_host = hss.jitsim.example\norigin_realm = jitsim.example\n"
        "peer = mme listen tcp 127.0.0.1:3868\n")
BAD = [
    ("[diameter]\norigin_realm = r\npeer = m listen tcp 127.0.0.1:1\n", "origin_host", None),
    ("[diameter]\norigin_host = h\norigin_realm = r\n", "no client peer", None),
    (BASE + "origin_host = bad host\n", "origin_host", 5),
    (BASE + "host_ip = 1.2.3\n", "host_ip", 5),
    (BASE + "peer = mme listen tcp 127.0.0.1:3870\n", "used twice", 5),
    (BASE + "peer = b accept tcp 127.0.0.1:1\n", "listen or connect", 5),
    (BASE + "peer = b listen udp 127.0.0.1:1\n", "transport", 5),
    (BASE + "peer = b connect tcp 127.0.0.1:0\n", "bad address", 5),
    (BASE + "peer = b listen tcp 127.0.0.1:1 local=127.0.0.1:2\n", "local=", 5),
    (BASE + "peer = b connect tcp 127.0.0.1:1 color=red\n", "color=red", 5),
    (BASE + "peer = b listen tcp 127.0.0.1:3868\n", "same address", None),
    (BASE + "hss = 256 h tcp 127.0.0.1:1 host=h realm=r\n", "region", 5),
    (BASE + "hss = 1 h tcp 127.0.0.1:1 host=h\n", "expected REGION", 5),
    (BASE + "hss = 1 h tcp 127.0.0.1:1 host=h realm=r\n"
     "hss = 1 i tcp 127.0.0.1:2 host=i realm=r\n", "region 1 given twice", 6),
    (BASE + "default_hss = 2\n", "no hss line for region 2", None),
    (BASE + "unknown = proxy\n", "needs default_hss", None),
    (BASE + "unknown = maybe\n", "unknown", 5),
    (BASE + "locked_result = 2001\n", "locked_result", 5),
    (BASE + "redirect = perhaps\n", "redirect", 5),
    (BASE + "watchdog = 1\n", "watchdog", 5),
    (BASE + "workers = 0\n", "workers", 5),
    (BASE + "ring_slots = 100\n", "ring_slots", 5),
    (BASE + "colour = blue\n", "colour", 5),
]


def run(args, timeout=30):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def check_badconfig(a, tmp):
    errors = []
    for i, (text, want, line) in enumerate(BAD):
        conf = os.path.join(tmp, f"bad{i}.conf")
        with open(conf, "w") as f:
            f.write(text)
        pre = f"jt{os.getpid()}dbad{i}"
        p = run([a.dp, "-c", conf, "--no-store", "--", "--no-huge", "--no-pci",
                 "--file-prefix", pre])
        what = text.strip().splitlines()[-1]
        if p.returncode != 1:
            errors.append(f"{what!r}: exit status {p.returncode}, wants 1")
        if want not in p.stderr:
            errors.append(f"{what!r}: stderr does not say {want!r}: {p.stderr!r}")
        if line is not None and f"{conf}:{line}:" not in p.stderr:
            errors.append(f"{what!r}: stderr does not name {conf}:{line}: {p.stderr!r}")
        if "EAL:" in p.stderr + p.stdout or os.path.exists(os.path.join(harness.RUN_DIR, pre)):
            errors.append(f"{what!r}: EAL started: {p.stderr!r}")
    good = os.path.join(tmp, "good.conf")
    with open(good, "w") as f:
        f.write(GOOD)
    p1 = run([a.dp, "-c", good, "--no-store", "--check-config"])
    if p1.returncode != 0:
        errors.append(f"good [diameter]: exit {p1.returncode}: {p1.stderr!r}")
    else:
        again = os.path.join(tmp, "again.conf")
        with open(again, "w") as f:
            f.write(p1.stdout)
        p2 = run([a.dp, "-c", again, "--no-store", "--check-config"])
        if p2.returncode != 0 or p2.stdout != p1.stdout:
            errors.append(f"--check-config output does not parse back to itself:\n"
                          f"{p1.stdout}\n---\n{p2.stdout}{p2.stderr}")
        for line in GOOD.splitlines()[1:]:
            if line not in p1.stdout:
                errors.append(f"--check-config output lacks {line!r}:\n{p1.stdout}")
    log(f"badconfig: {len(BAD)} bad files, one good, {len(errors)} problems")
    return errors


def check_answer(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    port, sport, lport = free_port(), free_port(), free_port()
    try:
        dp = DpProc(a, r, tmp, "[diameter]\norigin_host = hss.jitsim.example\n"
                    "origin_realm = jitsim.example\n"
                    f"peer = mme listen {TR[0]} 127.0.0.1:{port} host=mme.test\n"
                    f"peer = dra connect sctp 127.0.0.1:{sport}\n"
                    f"peer = stp listen sctp 127.0.0.1:{lport}\n")
        dp.wait_for(lambda: "jitsim-dp: ready: 1 workers" in dp.text(), "ready")
        if "worker 0: lcore 1, diameter only" not in dp.text():
            errors.append(f"no Diameter-only worker line:\n{dp.text()}")
        mme = mme_up(dp, port, errors)
        imsi = "001010000000001"
        hbh, e2e, req = mme.request(AIR, air(mme, imsi, "mme.test;1;1"))
        aia = mme.recv()
        if (aia["cmd"], aia["hbh"], aia["e2e"]) != (AIR, hbh, e2e) or aia["flags"] & 0x80:
            errors.append(f"AIA header {aia['cmd']} {aia['hbh']:#x} {aia['e2e']:#x} "
                          f"flags {aia['flags']:#x}, wants {AIR} {hbh:#x} {e2e:#x}")
        if exp_result(aia) != 5001:
            errors.append(f"AIA Experimental-Result {exp_result(aia)}, wants 5001")
        if find(aia, 263) != [b"mme.test;1;1"] or find(aia, 264) != [JITSIM_HOST.encode()]:
            errors.append(f"AIA Session-Id {find(aia, 263)} Origin-Host {find(aia, 264)}")
        # The same request again (T bit: a retransmission): a duplicate, answered alike.
        mme.send(req[:4] + bytes([req[4] | 0x10]) + req[5:])
        dup = mme.recv()
        if exp_result(dup) != 5001 or dup["hbh"] != hbh:
            errors.append(f"duplicate AIR: Experimental-Result {exp_result(dup)}")
        # Longer than a ring record (976 bytes): diamio answers 5012 itself.
        big = air(mme, imsi, "mme.test;1;2") + [avp(9999, b"x" * 1000, flags=0)]
        hbh2, _, _ = mme.request(AIR, big)
        ans = mme.recv()
        if result_code(ans) != 5012 or ans["hbh"] != hbh2:
            errors.append(f"oversize AIR: Result-Code {result_code(ans)}, wants 5012")
        st = dp.wait_for(lambda: (lambda s: s if s.get("peer", {}).get("dra", {})
                                  .get("connect_fail", 0) >= 2 else None)(dp.tel()),
                         "2 failed connects of peer dra")
        want = {"rx_requests": 3, "rx_dup": 1, "rx_to_worker": 2, "rx_oversize": 1,
                "answered_5012": 1, "tx_answers": 2, "worker_rx": 2, "peers_open": 1,
                "detect_msgs": 2}
        for k, v in want.items():
            if st.get(k) != v:
                errors.append(f"/jitsim/diameter {k} = {st.get(k)}, wants {v}")
        if st.get("verdicts", {}).get("ANSWER") != 2:
            errors.append(f"/jitsim/diameter verdicts {st.get('verdicts')}, wants ANSWER 2")
        pm = st.get("peer", {}).get("mme", {})
        if (pm.get("state"), pm.get("role"), pm.get("transport"), pm.get("rx_msgs"),
                pm.get("tx_msgs")) != ("R-Open", "client_listen", TR[0], 3, 3):
            errors.append(f"/jitsim/diameter peer mme {pm}")
        text = dp.text()
        if not kernel_sctp():
            if text.count("diameter: SCTP is unavailable in this kernel") != 1:
                errors.append(f"no SCTP: not logged exactly once:\n{text}")
            if text.count("diameter: peer stp: cannot listen on sctp") != 1:
                errors.append(f"sctp listener failure not logged exactly once:\n{text}")
        if text.count("diameter: peer dra: cannot connect to sctp 127.0.0.1:") != 1:
            errors.append(f"dra's failures not logged exactly once:\n{text}")
        dp.sigterm()
        expect_dpr(mme, errors)
        dp.wait_exit(errors)
        if "diameter: peer mme closed (DPR sent)" not in dp.text():
            errors.append(f"no close log line for mme:\n{dp.text()[-2000:]}")
    finally:
        r.close()
    log(f"answer: {len(errors)} problems")
    return errors


def check_proxy(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    port, hport = free_port(), free_port()
    lsock = new_socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", hport))
    lsock.listen(1)
    lsock.settimeout(30)
    try:
        dp = DpProc(a, r, tmp, "[diameter]\norigin_host = hss.jitsim.example\n"
                    "origin_realm = jitsim.example\nunknown = proxy\ndefault_hss = 0\n"
                    f"peer = mme listen {TR[0]} 127.0.0.1:{port}\n"
                    f"hss = 0 hss0 {TR[0]} 127.0.0.1:{hport} host=hss0.test realm=hss.test\n")
        dp.wait_for(lambda: "jitsim-dp: ready:" in dp.text(), "ready")
        conn, _ = lsock.accept()
        hss = Peer(conn, "hss0.test", "hss.test")
        cer = hss.recv()
        if cer["cmd"] != CER or find(cer, 264) != [JITSIM_HOST.encode()]:
            raise Failure(f"HSS side: {cer}")
        hss.answer(cer, [u32(268, 2001)] + cap_avps(hss.host, hss.realm)[2:]
                   + ident(hss.host, hss.realm))
        dp.wait_for(lambda: "diameter: peer hss0 open (host hss0.test)" in dp.text(), "hss")
        mme = mme_up(dp, port, errors)
        hbh, e2e, _ = mme.request(AIR, air(mme, "001010000000002", "mme.test;2;1",
                                           dest_host=JITSIM_HOST))
        fwd = hss.recv()
        if fwd["cmd"] != AIR or fwd["hbh"] == hbh or fwd["e2e"] != e2e:
            errors.append(f"proxied AIR: hbh {fwd['hbh']:#x} (MME's {hbh:#x}) "
                          f"e2e {fwd['e2e']:#x}")
        if fwd["hbh"] >> 24 == 0xCF:
            errors.append(f"proxied AIR: hbh {fwd['hbh']:#x} has jitsim-cp's tag")
        if find(fwd, 282) != [b"mme.test"]:
            errors.append(f"proxied AIR: Route-Record {find(fwd, 282)}, wants mme.test")
        if find(fwd, 293) != [b"hss0.test"] or find(fwd, 283) != [b"hss.test"]:
            errors.append(f"proxied AIR: Destination-Host {find(fwd, 293)} -Realm "
                          f"{find(fwd, 283)}, wants hss0.test, hss.test")
        if find(fwd, 1) != [b"001010000000002"] or find(fwd, 263) != [b"mme.test;2;1"]:
            errors.append(f"proxied AIR: User-Name {find(fwd, 1)} Session-Id {find(fwd, 263)}")
        hss.answer(fwd, [avp(263, "mme.test;2;1"), u32(268, 2001), u32(277, 1)]
                   + ident(hss.host, hss.realm))
        aia = mme.recv()
        if (aia["cmd"], aia["hbh"], result_code(aia), find(aia, 264)) != \
                (AIR, hbh, 2001, [b"hss0.test"]):
            errors.append(f"AIA at the MME: hbh {aia['hbh']:#x} (wants {hbh:#x}) "
                          f"Result-Code {result_code(aia)} Origin-Host {find(aia, 264)}")
        # A CLR from the HSS reaches the MME; its CLA goes back.
        chbh, ce2e, _ = hss.request(CLR, [avp(263, "hss0.test;9"), u32(277, 1)]
                                    + ident(hss.host, hss.realm)
                                    + [avp(293, "mme.test"), avp(283, "epc.test"),
                                       avp(1, "001010000000002"),
                                       u32(1420, 2, V3GPP, 0xc0)])
        clr = mme.recv()
        if clr["cmd"] != CLR or find(clr, 282) != [b"hss0.test"] or clr["e2e"] != ce2e:
            errors.append(f"CLR at the MME: cmd {clr['cmd']} Route-Record {find(clr, 282)}")
        mme.answer(clr, [avp(263, "hss0.test;9"), u32(268, 2001), u32(277, 1)]
                   + ident(mme.host, mme.realm))
        cla = hss.recv()
        if (cla["cmd"], cla["hbh"], result_code(cla)) != (CLR, chbh, 2001):
            errors.append(f"CLA at the HSS: hbh {cla['hbh']:#x} (wants {chbh:#x}) "
                          f"Result-Code {result_code(cla)}")
        st = dp.tel()
        want = {"tx_proxied": 1, "hss_answers": 1, "hss_requests": 1, "client_answers": 1,
                "map_used": 0, "peers_open": 2}
        for k, v in want.items():
            if st.get(k) != v:
                errors.append(f"/jitsim/diameter {k} = {st.get(k)}, wants {v}")
        if st.get("proxied_by_region") != {"0": 1} or st.get("verdicts", {}).get("PROXY") != 1:
            errors.append(f"/jitsim/diameter proxied_by_region {st.get('proxied_by_region')}"
                          f" verdicts {st.get('verdicts')}")
        dp.sigterm()
        expect_dpr(mme, errors)
        expect_dpr(hss, errors)
        dp.wait_exit(errors)
    finally:
        lsock.close()
        r.close()
    log(f"proxy: {len(errors)} problems")
    return errors


def hss_up(dp, lsock):
    conn, _ = lsock.accept()
    hss = Peer(conn, "hss0.test", "hss.test")
    cer = hss.recv()
    if cer["cmd"] != CER or find(cer, 264) != [JITSIM_HOST.encode()]:
        raise Failure(f"HSS side: {cer}")
    hss.answer(cer, [u32(268, 2001)] + cap_avps(hss.host, hss.realm)[2:]
               + ident(hss.host, hss.realm))
    return hss


def check_reconnect(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    port, hport = free_port(), free_port()
    lsock = new_socket()
    lsock.setsockopt(socket.SOL_SOCKET, socket.SO_REUSEADDR, 1)
    lsock.bind(("127.0.0.1", hport))
    lsock.listen(1)
    lsock.settimeout(30)
    try:
        dp = DpProc(a, r, tmp, "[diameter]\norigin_host = hss.jitsim.example\n"
                    "origin_realm = jitsim.example\nunknown = proxy\ndefault_hss = 0\n"
                    f"peer = mme listen {TR[0]} 127.0.0.1:{port}\n"
                    f"hss = 0 hss0 {TR[0]} 127.0.0.1:{hport} host=hss0.test realm=hss.test\n")
        dp.wait_for(lambda: "jitsim-dp: ready:" in dp.text(), "ready")
        hss = hss_up(dp, lsock)
        dp.wait_for(lambda: "diameter: peer hss0 open (host hss0.test)" in dp.text(), "hss")
        mme = mme_up(dp, port, errors)
        hbh, _, _ = mme.request(AIR, air(mme, "001010000000004", "mme.test;4;1"))
        old = hss.recv()
        # The MME goes away without DPR and comes back: a new connection.
        mme.s.close()
        dp.wait_for(lambda: dp.text().count("diameter: peer mme closed") == 1, "mme closed")
        opens = dp.text().count("diameter: peer mme open")
        mme = connect(port, "mme.test", "epc.test")
        mme.request(CER, cap_avps(mme.host, mme.realm), app=0)
        if result_code(mme.recv()) != 2001:
            raise Failure("second CEA not 2001")
        dp.wait_for(lambda: dp.text().count("diameter: peer mme open") == opens + 1,
                    "mme open again")
        # The late answer to the first connection's AIR, then a new AIR
        # with the same hop-by-hop id (the MME's counter restarted).
        hss.answer(old, [avp(263, "mme.test;4;1"), u32(268, 2001), u32(277, 1)]
                   + ident(hss.host, hss.realm))
        hbh2, _, _ = mme.request(AIR, air(mme, "001010000000004", "mme.test;4;2"))
        if hbh2 != hbh:
            errors.append(f"test: hop-by-hop {hbh2:#x} not reused ({hbh:#x})")
        fwd = hss.recv()
        hss.answer(fwd, [avp(263, "mme.test;4;2"), u32(268, 2001), u32(277, 1)]
                   + ident(hss.host, hss.realm))
        aia = mme.recv()
        if find(aia, 263) != [b"mme.test;4;2"] or result_code(aia) != 2001:
            errors.append(f"new connection: first answer Session-Id {find(aia, 263)} "
                          f"Result-Code {result_code(aia)}, wants mme.test;4;2 2001 "
                          f"(the old connection's answer leaked)")
        # An AIR waits at the HSS, whose connection then drops: 3002 at once.
        hbh3, e2e3, _ = mme.request(AIR, air(mme, "001010000000004", "mme.test;4;3"))
        hss.recv()
        hss.s.close()
        ans = mme.recv()
        if (ans["cmd"], ans["hbh"], ans["e2e"], result_code(ans)) != (AIR, hbh3, e2e3, 3002) \
                or not ans["flags"] & 0x20 or ans["flags"] & 0x80:
            errors.append(f"AIR whose HSS connection dropped: cmd {ans['cmd']} hbh "
                          f"{ans['hbh']:#x} flags {ans['flags']:#x} Result-Code "
                          f"{result_code(ans)}, wants {AIR} {hbh3:#x} E bit 3002")
        st = dp.tel()
        drops = st.get("diamio_drops", {})
        want = {"origin_gone": 1, "answer_unknown": 1, "answer_lost": 1, "stale_conn": 0}
        for k, v in want.items():
            if drops.get(k, 0) != v:  # zeros are left out
                errors.append(f"/jitsim/diameter diamio_drops {k} = {drops.get(k)}, wants {v}")
        for k, v in {"hss_answers": 1, "tx_proxied": 3, "answered_3002": 1,
                     "map_used": 0}.items():
            if st.get(k) != v:
                errors.append(f"/jitsim/diameter {k} = {st.get(k)}, wants {v}")
        dp.sigterm()
        expect_dpr(mme, errors)
        dp.wait_exit(errors)
    finally:
        lsock.close()
        r.close()
    log(f"reconnect: {len(errors)} problems")
    return errors


def check_both(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    port = free_port()
    try:
        dp = DpProc(a, r, tmp, "[ss7]\nown_pc = 0.23.2\n"
                    f"asp = stp 127.0.0.1:0 127.0.0.1:{free_port()}\n"
                    "[diameter]\norigin_host = hss.jitsim.example\n"
                    "origin_realm = jitsim.example\nworkers = 1\n"
                    f"peer = mme listen {TR[0]} 127.0.0.1:{port}\n")
        dp.wait_for(lambda: "jitsim-dp: ready: 1 workers" in dp.text(), "ready")
        if "worker 0: lcore 1, ss7 and diameter only" not in dp.text():
            errors.append(f"no SS7 and Diameter worker line:\n{dp.text()}")
        mme = mme_up(dp, port, errors)
        mme.request(AIR, air(mme, "001010000000003", "mme.test;3;1"))
        aia = mme.recv()
        if exp_result(aia) != 5001:
            errors.append(f"AIA Experimental-Result {exp_result(aia)}, wants 5001")
        if harness.telemetry(dp.prefix, "/jitsim/ss7").get("ready") != 1:
            errors.append("/jitsim/ss7 not ready")
        dp.sigterm()
        expect_dpr(mme, errors)
        dp.wait_exit(errors)
        if "jitsim-dp: ss7 final:" not in dp.text():
            errors.append(f"no 'ss7 final:' line:\n{dp.text()[-2000:]}")
    finally:
        r.close()
    log(f"both: {len(errors)} problems")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dp", required=True)
    ap.add_argument("--shm", required=True)
    ap.add_argument("--transport", choices=["tcp", "sctp"], default="tcp")
    ap.add_argument("--check", action="append",
                    choices=["badconfig", "answer", "proxy", "reconnect", "both"])
    a = ap.parse_args()
    TR[0] = a.transport
    errs = []
    for check in a.check or ["badconfig", "answer", "proxy", "reconnect", "both"]:
        t0 = time.time()
        with tempfile.TemporaryDirectory(prefix="jitsim-dp-diam.") as tmp:
            try:
                e = globals()["check_" + check](a, tmp)
            except Failure as x:
                e = [str(x)]
        errs += [f"{check}: {x}" for x in e]
        print(f"{check}: {time.time() - t0:.1f} s")
    for e in errs[:50]:
        print(e)
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
