#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Billing/CRM notifications of jitsim-cp ([notify], control/cp/notify.h).

A real jitsim-cp with [notify] url pointing at http_peer.py (a local HTTP/1.1
server whose answer depends on the IMSI's last digit), first attaches from
cp_fakedp. Checks: one POST per activation with "event":"activated", the
SIM's IMSI and MSISDN as the store has them, the Idempotency-Key
jitsim-<job>-activated; a 500 (IMSI ending in 7) is retried and then
accepted; a 400 (ending in 8) is given up; status counts them.
Exit 0 when all holds, 1 otherwise.
"""

import argparse
import json
import os
import shutil
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
import cp_ctl_pool as cpp  # noqa: E402
from cp_ctl_pool import Failure, check, log, ERRORS  # noqa: E402

SIMS = [1, 2, 3, 7, 8]  # IMSI 00101000000000N: last digit = N


def peer_start(peer, tmp):
    pf, lg = os.path.join(tmp, "peer.port"), os.path.join(tmp, "peer.log")
    p = subprocess.Popen([sys.executable, peer, "--port-file", pf, "--log", lg])
    end = time.time() + 20
    while not os.path.exists(pf):
        if time.time() > end or p.poll() is not None:
            raise Failure("http_peer.py did not start")
        time.sleep(0.05)
    with open(pf) as f:
        return p, int(f.read()), lg


def requests(lg):
    if not os.path.exists(lg):
        return []
    with open(lg) as f:
        return [json.loads(x) for x in f if x.strip()]


def main():
    ap = argparse.ArgumentParser()
    for o in ("cp", "ctl", "fakedp", "store", "http_peer"):
        ap.add_argument("--" + o.replace("_", "-"), dest=o, required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="jitsim-notify-")
    instance = f"notify{os.getpid()}"
    cp = peer = None
    try:
        store, kek = cpp.make_store(a, tmp)
        peer, port, lg = peer_start(a.http_peer, tmp)
        extra = f"""[notify]
url = http://127.0.0.1:{port}/events
retries = 3
[hlr h1]
id = 1
[region 1]
name = r1
hlr = h1
pool = p1
gt_prefix = 4477001
[pool p1]
id = 1
region = 1
first = 447709000000
last = 447709000999
"""
        cp = cpp.Cp(a, tmp, store, kek, instance, extra)
        puts = cpp.attach(a, instance, "4477001", SIMS)
        check(len(puts) == len(SIMS), f"{len(puts)} PUTs for {len(SIMS)} attaches")
        # Wait for the deliveries: 5 first POSTs, 1 retry of the 500 (after 1 s).
        end = time.time() + 30
        while time.time() < end:
            st = cp.ok("status").get("notify", {})
            if st.get("ok", 0) + st.get("failed", 0) >= len(SIMS):
                break
            time.sleep(0.2)
        st = cp.ok("status")["notify"]
        check(st == {"sent": 6, "ok": 4, "retried": 1, "failed": 1}, f"notify status {st}")
        reqs = requests(lg)
        check(len(reqs) == 6, f"{len(reqs)} POSTs, wanted 6: {reqs}")
        for i in SIMS:
            s = cpp.sim(cp, i)
            mine = [r for r in reqs if r["body"].get("imsi") == s["imsi"]]
            check(len(mine) == (2 if i == 7 else 1), f"IMSI {s['imsi']}: {len(mine)} POSTs")
            for r in mine:
                b = r["body"]
                check(r["path"] == "/events", f"path {r['path']}")
                check(b.get("event") == "activated" and "op" not in b, f"body {b}")
                check(b.get("msisdn") == s["msisdn"], f"msisdn {b.get('msisdn')} vs {s}")
                check(r["key"] == f"jitsim-{b['job']}-activated", f"key {r['key']}")
                check(b["job"] == s["job"]["job"], f"job {b['job']} vs {s['job']}")
        rc = cp.stop()
        check(rc == 0, f"jitsim-cp exit {rc}:\n{cp.log()[-2000:]}")
        cp = None
    except (Failure, subprocess.TimeoutExpired, OSError, KeyError, TypeError) as e:
        ERRORS.append(f"{type(e).__name__}: {e}")
        log(f"PROBLEM: {type(e).__name__}: {e}")
        if cp is not None:
            log(cp.log()[-3000:])
    finally:
        if cp is not None:
            cp.p.kill()
            cp.p.wait()
        if peer is not None:
            peer.kill()
            peer.wait()
        try:
            os.unlink(f"/dev/shm/jitsim.{instance}")
        except FileNotFoundError:
            pass
        shutil.rmtree(tmp, ignore_errors=True)
    log(f"cp-notify: {len(ERRORS)} problems")
    return 1 if ERRORS else 0


if __name__ == "__main__":
    sys.exit(main())
