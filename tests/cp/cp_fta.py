#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""The FTA dialogue engine of jitsim-cp ([fta], control/cp/fta.h).

A real jitsim-cp on a store of INVENTORY SIMs with random keys; fta_fakedp
plays the dataplane and a VLR over the shm rings sig_up/sig_down and
decodes every answer with the codec library. Checks:
- SAI v3: the vectors verify with MILENAGE for the SIM's keys (MAC-A in
  AUTN, XRES, CK, IK), SQNs strictly increase; v2: triplets (c2/c3);
- re-synchronisation: the new SQNs are beyond the USIM's; a wrong MAC-S
  is refused (systemFailure); an unknown IMSI gets unknownSubscriber;
- UL: the FIRST_ATTACH event activates the SIM, the ISD carries the
  MSISDN the store holds, the UL result carries hlr-Number, then a
  CancelLocation Begin comes (handover) and is answered; UGL: the ISD
  carries the configured APN; a second UL of the now ACTIVE SIM is
  answered at once; an unserved operation gets unknownSubscriber;
- `jitsimctl status` shows the fta counters;
- after kill -9 of jitsim-cp, no SQN is handed out a second time;
- a bad [fta] key is refused with file, line and key.
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
OWN_GT = "447700000999"
APN = "internet.example"
UNKNOWN = "001019999999999"

SECTIONS = f"""[fta]
own_pc = 0.23.2
own_gt = {OWN_GT}
ul_timeout = 3
handover_delay = 1
apn = {APN}
[hlr h1]
id = 1
[region 1]
name = r1
hlr = h1
pool = p1
gt_prefix = 4477009
[pool p1]
id = 1
region = 1
first = 447709000000
last = 447709000999
"""


def fakedp(a, instance, keys, *cmds, handover=True, extra=()):
    """fta_fakedp with @cmds; its JSON lines, a Failure on a problem."""
    args = [a.fakedp, "--instance", instance, "--keys", keys, "--own-pc", str(OWN_PC),
            "--wait", "20", "--apn", APN] + (["--handover"] if handover else []) + \
        list(extra) + list(cmds)
    p = subprocess.run(args, capture_output=True, text=True, timeout=90)
    out = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    for o in out:
        if "problem" in o:
            raise Failure(f"fta_fakedp {' '.join(cmds)}: {o['problem']}")
    if p.returncode != 0:
        raise Failure(f"fta_fakedp {' '.join(cmds)}: exit {p.returncode}: {p.stdout}{p.stderr}")
    return out


def check_sai(r, what, quint=True):
    ok = r.get("autn_ok") if quint else r.get("sres_ok")
    check("error" not in r, f"{what}: error {r.get('error')}")
    check(r.get("n", 0) >= 1 and r.get("quintuplets") is quint, f"{what}: {r}")
    check(ok is True, f"{what}: vectors do not verify with the SIM's keys: {r}")
    return r.get("sqn", [])


def body(a, tmp):
    instance = f"fta{os.getpid()}"
    store, kek, keys = make_store(a, tmp, 9)
    keyfile = os.path.join(tmp, "keys.txt")
    with open(keyfile, "w") as f:
        for i, (ki, opc) in keys.items():
            f.write(f"{imsi_of(i)} {ki} {opc}\n")
    cp = Cp(a, tmp, store, kek, instance, SECTIONS)

    # Vectors, v3 then v2; resync; refusals.
    out = fakedp(a, instance, keyfile, "sai", imsi_of(1), "3", "sai", imsi_of(1), "5",
                 "sai2", imsi_of(1), "resync", imsi_of(2), "1000", "badresync", imsi_of(2),
                 "sai", UNKNOWN, "1")
    sqns = check_sai(out[0], "sai 3") + check_sai(out[1], "sai 5")
    check(out[0]["n"] >= 2, f"sai 3: only {out[0]['n']} vectors")
    log(f"SAI: {out[0]['n']} vectors for 3 asked, {out[1]['n']} for 5; SIM 1 SQNs {sqns}")
    check(sqns == sorted(set(sqns)) and all(s > 0 for s in sqns),
          f"SQNs of SIM 1 not strictly increasing: {sqns}")
    check_sai(out[2], "sai2", quint=False)
    rs = check_sai(out[3], "resync")
    check(all(s >> 5 > 1000 for s in rs), f"resync: SQNs {rs} not beyond SEQ_MS 1000")
    check(out[4].get("error") == 34, f"badresync: {out[4]} (wanted systemFailure 34)")
    check(out[5].get("error") == 1, f"unknown IMSI: {out[5]} (wanted unknownSubscriber 1)")

    # First attach: UL with ISD, UL result, CancelLocation; UGL; again.
    out = fakedp(a, instance, keyfile, "attach", imsi_of(1), "ugl", imsi_of(4), "attach",
                 imsi_of(1), "other", imsi_of(3))
    for r, i in ((out[0], 1), (out[1], 4), (out[2], 1)):
        s = cp.sim(i)
        check("error" not in r, f"{r['op']} {i}: error {r.get('error')}")
        check(s["state"] == "active", f"SIM {i} {s['state']} after the UL")
        check(r.get("msisdn") == s.get("msisdn") and r.get("msisdn"),
              f"{r['op']} {i}: ISD MSISDN {r.get('msisdn')} vs the store's {s.get('msisdn')}")
        check(r.get("hlr") == OWN_GT, f"{r['op']} {i}: hlr-Number {r.get('hlr')}")
        check(r.get("cl") is True, f"{r['op']} {i}: no CancelLocation")
    check(out[1].get("apn_seen") is True, f"ugl: APN {APN} not in the ISD")
    check(out[3].get("error") == 1, f"purgeMS: {out[3]} (wanted unknownSubscriber 1)")
    log(f"first attach UL -> UL result {out[0].get('ms')} ms, again {out[2].get('ms')} ms")

    st = cp.ok("status").get("fta")
    check(st is not None, "status has no fta object")
    if st is not None:
        check(st["ul"]["completed"] == 3 and st["ul"]["isd_sent"] == 3, f"status fta ul {st}")
        check(st["ul"]["cl_sent"] == 3 and st["ul"]["cl_done"] == 3, f"status fta cl {st}")
        check(st["sai"]["answered"] == 4 and st["sai"]["errors"] == 2 and st["sai"]["resyncs"] == 1,
              f"status fta sai {st['sai']}")
        check(st["dialogues"]["open"] == 0, f"status fta dialogues {st['dialogues']}")
        check(st["decode_errors"]["operation"] == 1, f"decode errors {st['decode_errors']}")
    check("first attach: IMSI " + imsi_of(1) in cp.log(), "no first-attach log line")

    # The activation fails (no region for the VLR): systemFailure from the
    # workflow's notification, not the timer. No activation at all: the
    # timer (ul_timeout) ends the UL with systemFailure.
    r = fakedp(a, instance, keyfile, "attach", imsi_of(5), extra=("--event-visited", "3312345"))
    check(r[0].get("error") == 34 and "isd" not in r[0], f"attach, no region: {r[0]}")
    r = fakedp(a, instance, keyfile, "attach", imsi_of(6), extra=("--no-event",))
    check(r[0].get("error") == 34 and "isd" not in r[0], f"attach, no event: {r[0]}")
    check(cp.sim(5)["state"] == "inventory" and cp.sim(6)["state"] == "inventory",
          "SIMs 5, 6 not back in inventory")
    # The VLR refuses the ISD: the UL succeeds all the same. It aborts
    # instead: the dialogue is freed (and the SIM stays provisioned).
    r = fakedp(a, instance, keyfile, "isderr", imsi_of(7), "abort", imsi_of(8), "returned",
               imsi_of(9))
    check("error" not in r[0] and r[0].get("hlr") == OWN_GT and r[0].get("cl") is True,
          f"isderr: {r[0]}")
    check(r[1].get("msisdn") == cp.sim(8).get("msisdn"), f"abort: {r[1]} vs {cp.sim(8)}")
    st2 = cp.ok("status")["fta"]
    # The UDTS (ISD not delivered) ends its dialogue at once.
    cptest.wait_for("no open dialogue", lambda: cp.ok("status")["fta"]["dialogues"]["open"] == 0)
    st2 = cp.ok("status")["fta"]
    check(st2["ul"]["failed"] == 4 and st2["dialogues"]["timeouts"] == 1 and
          st2["dialogues"]["aborted"] == 2 and st2["ul"]["completed"] == 4 and
          st2["messages"]["returned"] == 1,
          f"failed ULs: {st2['ul']}, {st2['dialogues']}, {st2['messages']} (wanted 4 failed, "
          "1 timeout, 2 aborted, 4 completed, 1 returned)")
    check(all(k[0] not in cp.log() and k[1] not in cp.log() for k in keys.values()),
          "a key is in jitsim-cp's log")

    # kill -9 while SAIs stream: no SQN a VLR got before is handed out
    # again after the restart.
    before = max(sqns)
    cp.kill9()
    cp = Cp(a, tmp, store, kek, instance, SECTIONS)
    cmds = []
    for _ in range(200):
        cmds += ["sai", imsi_of(2), "2"]
    p = cptest.spawn([a.fakedp, "--instance", instance, "--keys", keyfile, "--own-pc",
                      str(OWN_PC), "--wait", "3"] + cmds, stdout=subprocess.PIPE, text=True)
    seen = []
    for line in p.stdout:
        r = json.loads(line)
        seen += r.get("sqn", [])
        if len(seen) >= 20:
            break
    cp.kill9()
    rest, _ = p.communicate(timeout=60)
    for line in rest.splitlines():
        seen += json.loads(line).get("sqn", [])
    check(len(seen) >= 20 and seen == sorted(set(seen)),
          f"SQNs of SIM 2 before the kill: {len(seen)}, not increasing: {seen}")
    log(f"kill -9 after {len(seen)} vectors of SIM 2 (last SQN {max(seen, default=0)})")
    cp = Cp(a, tmp, store, kek, instance, SECTIONS)
    out = fakedp(a, instance, keyfile, "sai", imsi_of(1), "2", "sai", imsi_of(2), "2")
    after1 = check_sai(out[0], "sai after kill -9")
    after2 = check_sai(out[1], "sai after kill -9")
    check(min(after1) > before, f"SIM 1: SQN after kill -9 {after1} not beyond {before}")
    check(min(after2) > max(seen, default=0),
          f"SIM 2: SQN after kill -9 {after2} not beyond {max(seen, default=0)}")
    cp.stop_ok()

    # A bad [fta] key: file, line and key named.
    bad = os.path.join(tmp, "bad.conf")
    with open(bad, "w") as f:
        f.write(f"[instance]\nstore = {store}\nkek = {kek}\nsocket = {tmp}/x.sock\n"
                f"[outbox]\npath = {tmp}/o.jsonl\n[fta]\nown_pc = 0.300.1\n")
    p = subprocess.run([a.cp, "-c", bad, "--check-config"], capture_output=True, text=True)
    check(p.returncode == 1 and f"{bad}:8: [fta] own_pc" in p.stderr,
          f"bad own_pc: exit {p.returncode}: {p.stderr}")


if __name__ == "__main__":
    sys.exit(cptest.main("cp-fta", ("cp", "ctl", "fakedp", "store"), body))
