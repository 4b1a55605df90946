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

import os
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cptest  # noqa: E402
from cptest import Cp, HttpPeer, check, fakedp, make_store, puts_of  # noqa: E402

SIMS = [1, 2, 3, 7, 8]  # IMSI 00101000000000N: last digit = N


def body(a, tmp):
    instance = f"notify{os.getpid()}"
    store, kek, _ = make_store(a, tmp, 40)
    peer = HttpPeer(a.http_peer, tmp)
    extra = f"""[notify]
url = http://127.0.0.1:{peer.port}/events
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
    cp = Cp(a, tmp, store, kek, instance, extra)
    puts = puts_of(fakedp(a, instance, SIMS))
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
    reqs = peer.requests()
    check(len(reqs) == 6, f"{len(reqs)} POSTs, wanted 6: {reqs}")
    for i in SIMS:
        s = cp.sim(i)
        mine = [r for r in reqs if r["body"].get("imsi") == s["imsi"]]
        check(len(mine) == (2 if i == 7 else 1), f"IMSI {s['imsi']}: {len(mine)} POSTs")
        for r in mine:
            b = r["body"]
            check(r["path"] == "/events", f"path {r['path']}")
            check(b.get("event") == "activated" and "op" not in b, f"body {b}")
            check(b.get("msisdn") == s["msisdn"], f"msisdn {b.get('msisdn')} vs {s}")
            check(r["key"] == f"jitsim-{b['job']}-activated", f"key {r['key']}")
            check(b["job"] == s["job"]["job"], f"job {b['job']} vs {s['job']}")
    cp.stop_ok()


if __name__ == "__main__":
    sys.exit(cptest.main("cp-notify", ("cp", "ctl", "fakedp", "store", "http-peer"), body))
