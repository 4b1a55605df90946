#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-cp answering S6a for inventory SIMs (control/cp/fta_s6a.c).

A real jitsim-cp (real store of INVENTORY SIMs with random keys, real
workflow provisioning into the outbox adapter); fta_fakedp plays the
dataplane and an MME over the shm rings sig_up/sig_down with
JITSIM_SIG_DIAM_IN/DIAM_SEND records and decodes every answer with the
codec library. Checks:
- AIR: E-UTRAN vectors verify with the SIM's keys (XRES = f2, MAC-A,
  AMF separation bit, KASME = KDF over CK||IK and the Visited-PLMN-Id);
- a duplicate AIR (JITSIM_SIG_F_DUP, new hop-by-hop id) gets the same
  bytes and takes no SQN; resync moves the SQN past the USIM's;
- unknown and LOCKED SIMs: Experimental-Result 5001;
- ULR after the FIRST_ATTACH event (once retransmitted while it waits:
  one ULA; once after: the same bytes): ULA 2001 with the MSISDN the store
  holds in Subscription-Data, then after handover_delay a CLR
  (SUBSCRIPTION_WITHDRAWAL, to the ULR's Origin-Host), answered with a
  CLA through the fake dataplane and counted; a ULR with no activation:
  5012 at ul_timeout;
- PUR and NOR: 2001; an IDR (no MME sends one to an HSS): 3001;
- `jitsimctl status` shows the s6a counters; no key in the log;
- a bad S6a key of [fta] is refused with file, line and key.
Exit 0 when all holds, 1 otherwise.
"""

import json
import os
import subprocess
import sys

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cptest  # noqa: E402
from cptest import Cp, Failure, check, imsi_of, log, make_store  # noqa: E402

OWN_PC = 0 << 11 | 23 << 3 | 2  # "0.23.2"
UNKNOWN = "001019999999999"

# S6a keys at their defaults: the test runs on what an operator gets.
SECTIONS = """[fta]
own_pc = 0.23.2
own_gt = 447700000999
ul_timeout = 3
handover_delay = 1
[hlr h1]
id = 1
[region 1]
name = r1
hlr = h1
pool = p1
plmn = 00101
[pool p1]
id = 1
region = 1
first = 447709000000
last = 447709000999
"""


def fakedp(a, instance, keys, *cmds, handover=True, extra=()):
    """fta_fakedp with @cmds; its JSON lines, a Failure on a problem."""
    args = [a.fakedp, "--instance", instance, "--keys", keys, "--own-pc", str(OWN_PC),
            "--wait", "20", "--plmn", "00101"] + (["--handover"] if handover else []) + \
        list(extra) + list(cmds)
    p = subprocess.run(args, capture_output=True, text=True, timeout=90)
    out = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    for o in out:
        if "problem" in o:
            raise Failure(f"fta_fakedp {' '.join(cmds)}: {o['problem']}")
    if p.returncode != 0:
        raise Failure(f"fta_fakedp {' '.join(cmds)}: exit {p.returncode}: {p.stdout}{p.stderr}")
    return out


def vectors(r, what, n=None):
    check(r.get("result") == 2001 and r.get("exp") is None, f"{what}: {r}")
    check(r.get("ok") is True, f"{what}: vectors do not verify with the SIM's keys: {r}")
    if n is not None:
        check(r.get("n") == n, f"{what}: {r.get('n')} vectors, wanted {n}")
    return r.get("sqn", [])


def body(a, tmp):
    instance = f"fs6a{os.getpid()}"
    store, kek, keys = make_store(a, tmp, 7)
    keyfile = os.path.join(tmp, "keys.txt")
    with open(keyfile, "w") as f:
        for i, (ki, opc) in keys.items():
            f.write(f"{imsi_of(i)} {ki} {opc}\n")
    cp = Cp(a, tmp, store, kek, instance, SECTIONS)

    # AIR, its duplicate, the next AIR: the duplicate took no SQN.
    out = fakedp(a, instance, keyfile, "air", imsi_of(1), "3", "airdup", imsi_of(1), "2",
                 "air", imsi_of(1), "1", "airresync", imsi_of(2), "1000",
                 "air", UNKNOWN, "1")
    s1 = vectors(out[0], "air 3", 3)
    s2 = vectors(out[1], "airdup 2", 2)
    s3 = vectors(out[2], "air 1", 1)
    check(out[1].get("same") is True, f"duplicate AIR: not the same answer: {out[1]}")
    seqs = [s >> 5 for s in s1 + s2 + s3]
    check(seqs == list(range(seqs[0], seqs[0] + 6)) if seqs else False,
          f"SEQs of SIM 1 {seqs}: not 6 consecutive (the duplicate took SQNs?)")
    rs = vectors(out[3], "airresync", 2)
    check(all(s >> 5 > 1000 for s in rs), f"resync: SQNs {rs} not beyond SEQ_MS 1000")
    check(out[4].get("exp") == 5001 and out[4].get("result") is None,
          f"unknown IMSI: {out[4]} (wanted Experimental-Result 5001)")
    log(f"AIR: SIM 1 SEQs {seqs}, resync {[s >> 5 for s in rs]}")

    # First attach: ULR after FIRST_ATTACH -> ULA with the MSISDN, CLR, CLA.
    # A ULR retransmitted while it waits, and after: SIM 6.
    out = fakedp(a, instance, keyfile, "ulr", imsi_of(1), "pur", imsi_of(3), "nor", imsi_of(3),
                 "ulrdup", imsi_of(6), "idr", imsi_of(3))
    for r, i in ((out[0], 1), (out[3], 6)):
        s = cp.sim(i)
        check(s["state"] == "active", f"SIM {i} {s['state']} after the ULR")
        check(r.get("result") == 2001 and r.get("msisdn") == s.get("msisdn") and
              s.get("msisdn"), f"ULA {r} vs the store's MSISDN {s.get('msisdn')}")
        check(r.get("clr") is True, f"no CLR after the ULA: {r}")
    check(out[1].get("result") == 2001, f"pur: {out[1]}")
    check(out[2].get("result") == 2001, f"nor: {out[2]}")
    check(out[4].get("result") == 3001, f"idr: {out[4]} (wanted 3001)")
    check(out[3].get("same") is True, f"ulrdup: the late duplicate got another answer: {out[3]}")
    s = cp.sim(1)
    log(f"first attach over S6a: ULA after {out[0].get('ms')} ms, MSISDN {s.get('msisdn')}")

    # LOCKED SIM: 5001 for AIR and ULR. No activation at all: 5012 at
    # ul_timeout.
    cp.ok("sim.lock", imsi=imsi_of(4))
    out = fakedp(a, instance, keyfile, "air", imsi_of(4), "1", "ulr", imsi_of(4), "ulr",
                 imsi_of(5), extra=("--no-event",))
    check(out[0].get("exp") == 5001, f"AIR of a LOCKED SIM: {out[0]} (wanted 5001)")
    check(out[1].get("exp") == 5001, f"ULR of a LOCKED SIM: {out[1]} (wanted 5001)")
    check(out[2].get("result") == 5012, f"ULR without activation: {out[2]} (wanted 5012)")
    check(cp.sim(5)["state"] == "inventory", "SIM 5 not in inventory")

    # The CLA is counted once it is through the engine.
    cptest.wait_for("CLAs counted",
                    lambda: cp.ok("status")["fta"]["s6a"]["clr"]["answered"] == 2, 10)
    st = cp.ok("status")["fta"]["s6a"]
    log(f"status fta.s6a: {json.dumps(st, sort_keys=True)}")
    want_req = {"air": 6, "ulr": 4, "pur": 1, "nor": 1, "other": 1}
    check(st["requests"] == want_req, f"s6a requests {st['requests']}, wanted {want_req}")
    want_ans = {"2001": 8, "exp_5001": 3, "5012": 1, "3001": 1}
    check(all(st["answers"][k] == v for k, v in want_ans.items()) and
          sum(st["answers"].values()) == 13, f"s6a answers {st['answers']}, wanted {want_ans}")
    check(st["vectors"] == 8 and st["resyncs"] == 1, f"s6a vectors {st}")
    check(st["duplicates"] == {"resent": 2, "pending": 1}, f"s6a duplicates {st['duplicates']}")
    check(st["ulr"]["completed"] == 2 and st["ulr"]["failed"] == 2 and
          st["ulr"]["timeouts"] == 1 and st["ulr"]["pending"] == 0,
          f"s6a ulr {st['ulr']} (wanted 2 completed, 2 failed, 1 timeout, 0 pending)")
    check(st["clr"] == {"sent": 2, "answered": 2, "refused": 0, "timeouts": 0, "resent": 0},
          f"s6a clr {st['clr']}")
    check(st["bad"] == 0 and st["stray"] == 0 and st["send_drops"] == 0, f"s6a errors {st}")

    # A CLR lost on the way: no CLA within ul_timeout (3 s), sent again.
    out = fakedp(a, instance, keyfile, "ulr", imsi_of(7), extra=("--cla-skip", "1"))
    check(out[0].get("result") == 2001 and out[0].get("clr_skipped") == 1 and
          out[0].get("clr") is True, f"ULR of SIM 7 with the first CLR lost: {out[0]}")
    cptest.wait_for("the second CLA counted",
                    lambda: cp.ok("status")["fta"]["s6a"]["clr"]["answered"] == 3, 10)
    clr = cp.ok("status")["fta"]["s6a"]["clr"]
    check(clr["sent"] == 4 and clr["resent"] == 1 and clr["timeouts"] == 0,
          f"s6a clr after a lost CLR: {clr} (wanted 4 sent, 1 resent, 0 timeouts)")
    check("first attach (S6a): IMSI " + imsi_of(1) in cp.log(), "no first-attach log line")
    check(all(k[0] not in cp.log() and k[1] not in cp.log() for k in keys.values()),
          "a key is in jitsim-cp's log")
    cp.stop_ok()

    # A bad S6a key: file, line and key named.
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write(f"[instance]\nstore = {store}\nkek = {kek}\nsocket = {tmp}/x.sock\n"
                f"[outbox]\npath = {tmp}/o.jsonl\n[fta]\nown_pc = 0.23.2\ns6a_qci = 0\n")
    p = subprocess.run([a.cp, "-c", bad, "--check-config"], capture_output=True, text=True)
    check(p.returncode == 1 and f"{bad}:9: [fta] s6a_qci" in p.stderr,
          f"bad s6a_qci: exit {p.returncode}: {p.stderr}")


if __name__ == "__main__":
    sys.exit(cptest.main("cp-fta-s6a", ("cp", "ctl", "fakedp", "store"), body))
