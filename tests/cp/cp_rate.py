#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Rough activation rate of jitsim-cp (not a meson test, not a benchmark).

A 20,000-SIM population (95 % INVENTORY) and a 60,000-packet trace at
30,000 packets/s replayed once through jitsim-dp into jitsim-cp (outbox
adapter, tests/cp/cp_check.py's configuration); prints the jobs done per
second from the first finished job until jitsim-cp caught up. The event
rings overflow on purpose (jitsim-cp is the bottleneck): the rate is what
jitsim-cp sustains. Usage: cp_rate.py BUILD_DIR (a release build).
"""

import os
import sys
import tempfile
import time
import types

sys.dont_write_bytecode = True
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dp"))
import cp_check  # noqa: E402
import harness  # noqa: E402


def main():
    b = os.path.abspath(sys.argv[1])
    a = types.SimpleNamespace(
        cp=b + "/control/cp/jitsim-cp", dp=b + "/dataplane/dp/jitsim-dp",
        shm=b + "/tools/jitsim-shm", store=b + "/tools/jitsim-store",
        pktgen=b + "/pktgen/jitsim-pktgen", decoder=b + "/tools/jitsim-decode")
    tmp = tempfile.mkdtemp(prefix="jitsim-cp-rate-")
    out = tmp + "/gen"
    os.makedirs(out)
    cp_check.CRASH_SCENARIO.update({"count": "20000", "inventory": "0.95", "active": "0.02",
                                    "sleeping": "0.01", "locked": "0.02", "packets": "60000",
                                    "rate": "30000"})
    scen = tmp + "/s.ini"
    cp_check.crash_scenario(os.path.join(HERE, "..", "..", "pktgen", "scenarios", "basic.ini"),
                            scen)
    store = harness.scenario_setup(a, scen, out)
    _, _, totals = harness.load_truth(out + "/expected.jsonl")
    run = harness.Run(a, tmp)
    try:
        conf = tmp + "/cp.conf"
        cp_check.cp_config(conf, run, store, out + "/kek", tmp, scen)
        cp = cp_check.Cp(run, a, conf, tmp + "/run/cp.sock", 0)
        cp.wait_ready()
        dp = run.dp(out + "/trace.pcap", opts=["--store", store])
        dp.wait_ready()
        first = None
        while True:
            s = cp.result("status")
            done = s["jobs"]["done"]
            if first is None and done > 0:
                first = (time.time(), done)
            st = dp.stats()
            if st["frames"] >= totals["frames"] and s["jobs"]["allocated"] == 0 and \
               sum(s["events"].values()) >= st["events_total"] - st["ring_drops_total"]:
                break
            time.sleep(0.2)
        secs = time.time() - first[0]
        print(f"{done} activations, {(done - first[1]) / secs:.0f}/s over {secs:.2f} s "
              f"(event ring drops {st['ring_drops_total']})")
        dp.stop()
        cp.stop()
    finally:
        run.close()
        os.system(f"rm -rf '{tmp}'")


if __name__ == "__main__":
    main()
