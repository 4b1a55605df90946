#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
#
# diampeer-self: diampeer against itself over loopback TCP.
#   hss + mme with the hss's keys: AIR vectors verified, ULR -> the hss's
#     MSISDN, PUR, NOR, a resync AIR whose vectors restart above the SQN claimed;
#   mme with other keys: the same AIR verified false;
#   raw: an AIR without User-Name -> 5005 with Failed-AVP (its Route-Record
#     counted by the hss); a message with a bad version -> connection closed;
#   raw -> mme: a CLR answered 2001 and printed as clr-in;
#   echo + mme pipelined (--count/--window/--quiet): every answer 2001;
#   mme toward a closed port: exit 3.
# Each process is killed on the way out, whatever happens; the outputs'
# directory is removed when every check passed, kept (and named) otherwise.
#
#   diampeer_self.py PATH_TO_DIAMPEER

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

DP = sys.argv[1]
K1 = ("465b5ce8b199b49faa5f0a2ee238a6bc", "cd63cb71954a9f4e48a5994e37a02baf")
K2 = ("fec86ba6eb707ed08905757b1bb44b8f", "1006020f0a478bf6b699f15c062e42b3")
MSISDN = "491709876543"
IMSI = "001010000000042"
PROCS = []
FAILS = []
TMP = tempfile.mkdtemp(prefix="diampeer-self.")


def check(cond, what):
    print(("ok   " if cond else "FAIL ") + what, flush=True)
    if not cond:
        FAILS.append(what)


def start(args, out):
    p = subprocess.Popen([DP] + args, stdout=out, stderr=subprocess.PIPE, text=True)
    PROCS.append(p)
    return p


def listening(path, p):
    """Port of a diampeer --listen 127.0.0.1:0 from its first stdout line."""
    for _ in range(100):
        try:
            with open(path) as f:
                for line in f:
                    j = json.loads(line)
                    if j.get("ev") == "listening":
                        return j["port"]
        except (OSError, ValueError):
            pass
        if p.poll() is not None:
            break
        time.sleep(0.1)
    raise SystemExit("diampeer did not listen: " + p.stderr.read())


def run(args, timeout=60):
    r = subprocess.run([DP] + args, capture_output=True, text=True, timeout=timeout)
    lines = [json.loads(l) for l in r.stdout.splitlines() if l.startswith("{")]
    return r.returncode, lines, r.stderr


def steps(lines, name):
    return [j for j in lines if j.get("step") == name]


# ---- a few Diameter messages by hand (RFC 6733 3, 4.1) ----
def avp(code, data, vendor=0, m=True):
    flags = (0x40 if m else 0) | (0x80 if vendor else 0)
    hdr = 12 if vendor else 8
    if isinstance(data, str):
        data = data.encode()
    out = struct.pack(">II", code, (flags << 24) | (hdr + len(data)))
    if vendor:
        out += struct.pack(">I", vendor)
    out += data
    return out + b"\0" * (-len(out) % 4)


def u32(v):
    return struct.pack(">I", v)


def msg(cmd, avps, hbh=0x1234, flags=0xC0, app=16777251, version=1):
    body = b"".join(avps)
    return struct.pack(">II", (version << 24) | (20 + len(body)), (flags << 24) | cmd) + \
        struct.pack(">III", app, hbh, 0x5678) + body


def plmn(mccmnc):
    d = mccmnc + "F" * (6 - len(mccmnc))
    mcc, mnc = d[:3], mccmnc[3:]
    mnc3 = mnc[2] if len(mnc) == 3 else "F"
    return bytes.fromhex(mcc[1] + mcc[0] + mnc3 + mcc[2] + mnc[1] + mnc[0])


def main():
    tmp = TMP
    hss_out = os.path.join(tmp, "hss.out")
    stats = os.path.join(tmp, "hss.json")
    with open(hss_out, "w") as ho:
        hss = start(["hss", "--listen", "127.0.0.1:0", "--ki", K1[0], "--opc", K1[1],
                     "--msisdn", MSISDN, "--stats", stats, "--origin-host", "hss.self.test"],
                    ho)
    port = listening(hss_out, hss)
    addr = "127.0.0.1:%d" % port

    rc, out, err = run(["mme", "--connect", addr, "--imsi", IMSI, "--ki", K1[0], "--opc",
                        K1[1], "--steps", "air:3,ulr,pur,nor,resync:100000"])
    check(rc == 0, "mme with the hss's keys exits 0 (%d: %s)" % (rc, err.strip()[-200:]))
    air, ulr, pur, nor, rs = (steps(out, s) for s in ("air", "ulr", "pur", "nor", "resync"))
    check(len(air) == 1 and air[0]["result_code"] == 2001 and air[0]["vectors"] == 3 and
          air[0]["verified"] is True and air[0]["origin_host"] == "hss.self.test",
          "AIR: 3 vectors verified (%s)" % air)
    check(len(ulr) == 1 and ulr[0]["result_code"] == 2001 and ulr[0]["msisdn"] == MSISDN,
          "ULR: ULA with the MSISDN (%s)" % ulr)
    check(len(pur) == 1 and pur[0]["result_code"] == 2001, "PUR: PUA 2001")
    check(len(nor) == 1 and nor[0]["result_code"] == 2001, "NOR: NOA 2001")
    check(len(rs) == 1 and rs[0]["verified"] is True and rs[0]["sqn"][0] > 100000,
          "resync: vector verified, SQN above the USIM's (%s)" % rs)

    rc, out, err = run(["mme", "--connect", addr, "--imsi", IMSI, "--ki", K2[0], "--opc",
                        K2[1], "--steps", "air"])
    air = steps(out, "air")
    check(rc == 0 and len(air) == 1 and air[0]["vectors"] == 1 and
          air[0]["verified"] is False, "AIR with other keys: verified false (%s)" % air)

    # An AIR without User-Name (TS 29.272 7.2.5 { User-Name }), through a relay.
    bad_air = msg(318, [
        avp(263, "mme.self.test;1;raw"),
        avp(260, avp(266, u32(10415)) + avp(258, u32(16777251))),
        avp(277, u32(1)),
        avp(264, "mme.self.test"),
        avp(296, "self.test"),
        avp(283, "jitsim.example"),
        avp(1407, plmn("00101"), vendor=10415),
        avp(282, "relay.self.test"),
    ])
    rc, out, err = run(["raw", "--connect", addr, "--hex", bad_air.hex()])
    raw = steps(out, "raw")
    check(rc == 0 and len(raw) == 1 and raw[0]["result_code"] == 5005 and
          raw[0]["failed_avp"] is True, "AIR without User-Name: 5005 + Failed-AVP (%s)" % raw)
    rc, out, err = run(["raw", "--connect", addr, "--hex", msg(318, [], version=2).hex()])
    raw = steps(out, "raw")
    check(rc == 0 and raw == [{"step": "raw", "closed": True}],
          "bad version: connection closed (%s)" % raw)

    hss.send_signal(signal.SIGTERM)
    check(hss.wait(timeout=10) == 0, "hss stops cleanly on SIGTERM")
    with open(stats) as f:
        st = json.load(f)
    # AIRs: air, resync, other keys, the raw one; the bad-version one never framed.
    check(st["requests"] == {"air": 4, "ulr": 1, "pur": 1, "nor": 1, "other": 0} and
          st["bad"] == 1 and st["resync"] == 1 and st["resync_bad"] == 0,
          "hss stats: requests per command (%s)" % st)
    check(st["route_record"] == {"relay.self.test": 1}, "hss stats: Route-Record seen")

    # A CLR to an MME (listening): CLA 2001, printed as clr-in.
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    mport = s.getsockname()[1]
    s.close()
    mme_out = os.path.join(tmp, "mme.out")
    with open(mme_out, "w") as mo:
        mme = start(["mme", "--listen", "127.0.0.1:%d" % mport, "--imsi", IMSI,
                     "--steps", "sleep:1", "--wait-clr", "20"], mo)
    clr = msg(317, [
        avp(263, "hss.self.test;2;clr"),
        avp(277, u32(1)),
        avp(264, "hss.self.test"),
        avp(296, "self.test"),
        avp(293, "mme.diampeer.test"),
        avp(283, "diampeer.test"),
        avp(1, IMSI),
        avp(1420, u32(2), vendor=10415),
    ], hbh=0xCF000001)
    rc = None
    for _ in range(50):  # until the mme listens
        rc, out, err = run(["raw", "--connect", "127.0.0.1:%d" % mport, "--hex", clr.hex(),
                            "--connect-timeout", "1"])
        if rc != 3:
            break
        time.sleep(0.2)
    raw = steps(out, "raw")
    check(rc == 0 and len(raw) == 1 and raw[0]["result_code"] == 2001 and
          raw[0]["cmd"] == 317 and raw[0]["request"] is False, "CLR answered 2001 (%s)" % raw)
    check(mme.wait(timeout=30) == 0, "mme --wait-clr exits 0 once the CLR came")
    with open(mme_out) as f:
        lines = [json.loads(l) for l in f if l.startswith("{")]
    ci = steps(lines, "clr-in")
    check(len(ci) == 1 and ci[0]["imsi"] == IMSI and ci[0]["cancellation_type"] == 2 and
          ci[0]["hbh_tag"] == 0xCF and ci[0]["origin_host"] == "hss.self.test",
          "mme printed the CLR (%s)" % ci)

    echo_out = os.path.join(tmp, "echo.out")
    with open(echo_out, "w") as eo:
        echo = start(["echo", "--listen", "127.0.0.1:0"], eo)
    eport = listening(echo_out, echo)
    rc, out, err = run(["mme", "--connect", "127.0.0.1:%d" % eport, "--imsi-first",
                        "001010000000001", "--imsis", "100", "--count", "300", "--window",
                        "16", "--steps", "air", "--quiet"])
    summ = steps(out, "summary")
    check(rc == 0 and len(out) == 1 and summ[0]["done"] == 300 and
          summ[0]["results"] == {"2001": 300} and
          summ[0]["origin_hosts"] == {"echo.diampeer.test": 300},
          "echo: 300 pipelined AIRs, window 16, all 2001 (%s)" % summ)
    echo.send_signal(signal.SIGTERM)
    check(echo.wait(timeout=10) == 0, "echo stops cleanly")

    rc, out, err = run(["mme", "--connect", "127.0.0.1:%d" % mport, "--imsi", IMSI,
                        "--steps", "air", "--connect-timeout", "1"])
    check(rc == 3, "mme toward nobody: exit 3 (%d)" % rc)
    rc, out, err = run(["mme", "--connect", addr, "--steps", "air"])
    check(rc == 2 and "needs --imsi" in err, "mme without IMSI: usage error")


passed = False
try:
    main()
    passed = not FAILS
finally:
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    if passed:
        shutil.rmtree(TMP, ignore_errors=True)
    else:
        print("outputs kept in %s" % TMP)
if FAILS:
    print("%d check(s) failed" % len(FAILS))
    sys.exit(1)
print("all checks passed")
