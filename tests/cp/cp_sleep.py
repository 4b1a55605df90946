#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Sleeping SIMs in jitsim-cp, end to end (docs/workflow.md "Sleeping SIMs").

A real jitsim-cp on a store of 20 INVENTORY SIMs, one HLR of kind outbox
(its deprovision orders are lines in a file) and cp_fakedp as the
dataplane (events into the real event ring, PUTs read from the update
ring). The idle threshold is a few seconds (per tariff: `idle.3`).

  1. keep policy: SIMs 1..12 activate; 1..4 then report ACTIVITY, which
     jitsim-cp writes as their last_activity; the dry run lists exactly
     5..12 and changes nothing; the sweep puts exactly 5..12 to SLEEPING
     with their MSISDNs kept, one deprovision line each in the outbox,
     one SLEEPING PUT each to the dataplane, a DONE sleep job each;
     REATTACH (5..8) and WAKEUP_MT (9) bring them back ACTIVE with the
     same MSISDN.
  2. release policy and kill -9: jitsim-cp restarted with release = yes
     and rate 1/s; a sweep starts, jitsim-cp is killed -9 once it has
     started sleep jobs, restarted, and the sweep run again: afterwards
     no job is left ALLOCATED, every SIM is ACTIVE, SLEEPING or
     INVENTORY, each SLEEPING SIM's latest job is a DONE sleep job and
     has a deprovision line, the ones slept under this policy have no
     MSISDN any more, and a REATTACH gives them a new one (the old one is
     in quarantine).
  3. a real osmo-hlr (when installed; its helpers from cptest.py, on a
     loopback address derived from our pid): six SIMs activate into it,
     two report ACTIVITY, the sweep removes exactly the four others from
     osmo-hlr (CTRL info-all: no such subscriber), and their REATTACH
     puts them back with the same MSISDN.
Exit status 0 when everything holds, 1 otherwise (each problem printed).
"""

import json
import os
import shutil
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cptest  # noqa: E402
from cptest import Cp, Ctrl, Failure, Hlr, check, imsi_of, log, make_store, pick_net  # noqa: E402

IDLE_S = 5


class SleepCp(Cp):
    """jitsim-cp with hlr-a (an outbox file of its own, or the osmo-hlr at
    @osmo), one region and pool, [sleep] with a short idle threshold for
    tariff 3 (the default tariff) and the given policy and rate."""

    def __init__(self, a, tmp, store, kek, instance, release, rate, osmo=None):
        self.outbox = os.path.join(tmp, "hlr-a.jsonl")
        kind, addr = ("osmo-hlr", osmo) if osmo else ("outbox", self.outbox)
        super().__init__(a, tmp, store, kek, instance, flow_keys="default_tariff = 3\n",
                         sections=f"""[hlr hlr-a]
id = 7
kind = {kind}
address = {addr}
[region 1]
name = eu
hlr = hlr-a
pool = p-eu
gt_prefix = 4477001
[pool p-eu]
id = 1
region = 1
first = 447701357900
last = 447701357979
quarantine = 86400
[sleep]
idle = 0
idle.3 = {IDLE_S}s
release = {"yes" if release else "no"}
interval = 0
rate = {rate}
inflight = 4
flush = 1s
""")


def fakedp(a, instance, event, imsis, wait=30):
    """@event for SIMs @imsis; the PUTs read back, by IMSI (the last one)."""
    return cptest.puts_of(cptest.fakedp(a, instance, imsis, event=event, wait=wait,
                                        timeout=wait + 30))


def drain(a, instance):
    """Every update waiting in the ring (read for a second): a later
    fakedp() then sees only the answers to its own events."""
    p = subprocess.run([a.fakedp, "--instance", instance, "--event", "none", "--wait", "1",
                        imsi_of(99)], capture_output=True, text=True, timeout=30)
    return [json.loads(x) for x in p.stdout.splitlines()]


def sims(cp, rng):
    return {i: cp.ok("sim.show", imsi=imsi_of(i)) for i in rng}


def deprov_lines(cp):
    try:
        with open(cp.outbox) as f:
            return [json.loads(x) for x in f if x.strip()]
    except FileNotFoundError:
        return []


def wait_sweep_done(cp, timeout=60):
    end = time.time() + timeout
    while True:
        st = cp.ok("sleep.status")
        if not st["sweep"]["running"] and st["sweep"]["live"] == 0:
            return st
        if time.time() > end:
            raise Failure(f"sweep not finished after {timeout} s: {st}")
        time.sleep(0.1)


def wait_idle(t0):
    """Until SIMs last seen at @t0 (Unix s) are past the threshold."""
    while time.time() < t0 + IDLE_S + 1.5:
        time.sleep(0.1)


def phase_keep(cp, a, instance):
    t0 = time.time()
    puts = fakedp(a, instance, "first_attach", range(1, 13))
    check(all(puts.get(imsi_of(i), {}).get("state") == "active" for i in range(1, 13)),
          f"first attaches: {puts}")
    before = sims(cp, range(1, 13))
    wait_idle(t0)
    # 1..4 are seen again: written as last_activity within a flush.
    t1 = int(time.time())
    fakedp(a, instance, "activity", range(1, 5), wait=0)
    end = time.time() + 30
    while cp.ok("sleep.status")["activity"]["written"] < 4 and time.time() < end:
        time.sleep(0.1)
    st = cp.ok("sleep.status")
    check(st["activity"]["events"] == 4 and st["activity"]["written"] == 4,
          f"activity: {st['activity']}")
    for i, s in sims(cp, range(1, 5)).items():
        check(s["last_activity"] >= t1, f"SIM {i} last_activity {s['last_activity']} < {t1}")

    dry = cp.ctl_json("sleep", "sweep", "--dry-run", "yes")
    got = sorted(x["imsi"] for x in dry["sims"])
    check(dry["dry_run"] is True and dry["count"] == 8 and
          got == [imsi_of(i) for i in range(5, 13)], f"dry run: {dry}")
    n_lines = len(deprov_lines(cp))
    check(not [x for x in deprov_lines(cp) if x.get("op") == "deprovision"] and
          all(s["state"] == "active" for s in sims(cp, range(1, 13)).values()),
          "the dry run changed something")

    r = cp.ctl_json("sleep", "sweep")
    check(r["started"] is True, f"sleep sweep: {r}")
    st = wait_sweep_done(cp)
    check(st["sweep"]["picked"] == 8 and st["sweep"]["sweeps"] == 1, f"sweep: {st['sweep']}")
    after = sims(cp, range(1, 21))
    for i in range(1, 21):
        want = "inventory" if i > 12 else "sleeping" if i >= 5 else "active"
        check(after[i]["state"] == want, f"SIM {i}: {after[i]['state']}, wanted {want}")
    for i in range(5, 13):
        check(after[i]["msisdn"] == before[i]["msisdn"] and after[i]["msisdn"],
              f"SIM {i} kept no number: {before[i]['msisdn']} -> {after[i]['msisdn']}")
        j = after[i].get("job", {})
        check(j.get("kind") == "sleep" and j.get("step") == "done",
              f"SIM {i}: latest job {j}")
    lines = deprov_lines(cp)
    dep = sorted(x["imsi"] for x in lines if x.get("op") == "deprovision")
    check(dep == [imsi_of(i) for i in range(5, 13)], f"deprovision lines: {dep}")
    puts = fakedp(a, instance, "none", range(5, 13))
    check(all(puts.get(imsi_of(i), {}).get("state") == "sleeping" for i in range(5, 13)),
          f"SLEEPING PUTs: {puts}")
    check(all(puts[imsi_of(i)]["msisdn"] == before[i]["msisdn"] for i in range(5, 13)),
          f"SLEEPING PUTs keep the MSISDN: {puts}")

    puts = fakedp(a, instance, "reattach", range(5, 9))
    puts.update(fakedp(a, instance, "wakeup_mt", [9]))
    woken = sims(cp, range(5, 10))
    for i in range(5, 10):
        check(woken[i]["state"] == "active" and woken[i]["msisdn"] == before[i]["msisdn"],
              f"SIM {i} after wake: {woken[i]['state']} {woken[i]['msisdn']}, wanted "
              f"active {before[i]['msisdn']}")
        check(puts.get(imsi_of(i), {}).get("state") == "active", f"wake PUT of {i}: {puts}")
    prov = [x for x in deprov_lines(cp)[n_lines:] if x.get("op") == "provision"]
    check(sorted(x["imsi"] for x in prov) == [imsi_of(i) for i in range(5, 10)] and
          all(x["msisdn"] == before[int(x["imsi"][5:])]["msisdn"] for x in prov),
          f"wake provision lines: {prov}")
    return before


def phase_release_crash(a, tmp, store, kek, instance, before):
    cp = SleepCp(a, tmp, store, kek, instance, release=True, rate=1)
    n_lines = len(deprov_lines(cp))
    # 1..9 are ACTIVE (1..4 seen a while ago, 5..9 just woken).
    wait_idle(time.time())
    r = cp.ok("sleep.sweep")
    check(r["started"] is True, f"sleep.sweep: {r}")
    end = time.time() + 30
    while cp.ok("sleep.status")["sweep"]["picked"] < 2:
        if time.time() > end:
            raise Failure("no sleep job started in 30 s")
        time.sleep(0.02)
    cp.kill9()
    cp = SleepCp(a, tmp, store, kek, instance, release=True, rate=5)
    log("jitsim-cp killed -9 during the sweep; restarted: " +
        [x for x in cp.log().splitlines() if "ready:" in x][0])
    # Resumed sleep jobs finish; the sweep then does the rest.
    wait_sweep_done(cp)
    r = cp.ok("sleep.sweep")
    check(r["started"] is True, f"sleep.sweep after restart: {r}")
    wait_sweep_done(cp)
    allocated = cp.ok("job.list", step="allocated")
    check(allocated == [], f"jobs left: {allocated}")
    after = sims(cp, range(1, 21))
    lines = deprov_lines(cp)
    deprov = {x["imsi"] for x in lines[n_lines:] if x.get("op") == "deprovision"}
    for i in range(1, 21):
        s = after[i]
        want = "inventory" if i > 12 else "sleeping"
        check(s["state"] == want, f"after the crash: SIM {i} {s['state']}, wanted {want}")
        if i > 12:
            continue
        j = s.get("job", {})
        check(j.get("kind") == "sleep" and j.get("step") == "done",
              f"SIM {i}: latest job {j}")
        if i <= 9:
            check(s["msisdn"] is None, f"SIM {i} slept under release but has {s['msisdn']}")
            check(imsi_of(i) in deprov, f"SIM {i}: no deprovision line after the restart")
        else:
            check(s["msisdn"] == before[i]["msisdn"], f"SIM {i} lost its kept number")
    # Each SIM slept here got its SLEEPING PUT, before the kill or at the
    # restart (recent DONE jobs are re-sent).
    ups = drain(a, instance)
    for i in range(1, 10):
        check(any(u["imsi"] == imsi_of(i) and u["state"] == "sleeping" and u["msisdn"] == ""
                  for u in ups), f"SIM {i}: no SLEEPING PUT without a number: {ups}")
    puts = fakedp(a, instance, "reattach", [1, 2, 10])
    woken = sims(cp, [1, 2, 10])
    for i in (1, 2):
        check(woken[i]["state"] == "active" and woken[i]["msisdn"] and
              woken[i]["msisdn"] != before[i]["msisdn"],
              f"SIM {i} after wake (released): {woken[i]['msisdn']} (was "
              f"{before[i]['msisdn']})")
    check(woken[10]["state"] == "active" and woken[10]["msisdn"] == before[10]["msisdn"],
          f"SIM 10 after wake (kept): {woken[10]['msisdn']}")
    check(all(puts.get(imsi_of(i), {}).get("state") == "active" for i in (1, 2, 10)),
          f"wake PUTs: {puts}")
    cp.stop_ok()


def phase_osmo(a, tmp):
    """Sleep and wake against a real osmo-hlr (skipped when not installed)."""
    if shutil.which("osmo-hlr") is None:
        log("osmo-hlr not installed: the osmo-hlr phase is skipped")
        return
    d = os.path.join(tmp, "osmo")
    os.makedirs(d)
    instance = f"sleepo{os.getpid()}"
    ctrl = None
    try:
        addr = pick_net()[0]
        Hlr("a", addr, os.path.join(d, "hlr"))
        ctrl = Ctrl(addr)
        store, kek, _ = make_store(a, d, 6, {})
        cp = SleepCp(a, d, store, kek, instance, release=False, rate=5, osmo=addr)
        t0 = time.time()
        fakedp(a, instance, "first_attach", range(1, 7))
        before = sims(cp, range(1, 7))
        for i in range(1, 7):
            info = ctrl.info(imsi_of(i))
            check(info is not None and info.get("msisdn") == before[i]["msisdn"],
                  f"osmo-hlr: SIM {i} after activation: {info and info.get('msisdn')}")
        wait_idle(t0)
        fakedp(a, instance, "activity", [1, 2], wait=0)
        end = time.time() + 30
        while cp.ok("sleep.status")["activity"]["written"] < 2 and time.time() < end:
            time.sleep(0.1)
        check(cp.ok("sleep.sweep")["started"] is True, "osmo-hlr: sweep not started")
        st = wait_sweep_done(cp)
        check(st["sweep"]["picked"] == 4, f"osmo-hlr: sweep {st['sweep']}")
        for i in range(1, 7):
            info = ctrl.info(imsi_of(i))
            state = cp.ok("sim.show", imsi=imsi_of(i))["state"]
            if i <= 2:
                check(info is not None and state == "active",
                      f"osmo-hlr: SIM {i} (seen) {state}, in osmo-hlr: {info is not None}")
            else:
                check(info is None and state == "sleeping",
                      f"osmo-hlr: SIM {i} (idle) {state}, in osmo-hlr: {info is not None}")
        drain(a, instance)
        fakedp(a, instance, "reattach", range(3, 7))
        for i in range(3, 7):
            s = cp.ok("sim.show", imsi=imsi_of(i))
            info = ctrl.info(imsi_of(i))
            check(s["state"] == "active" and s["msisdn"] == before[i]["msisdn"] and
                  info is not None and info.get("msisdn") == before[i]["msisdn"],
                  f"osmo-hlr: SIM {i} after wake: {s['state']} {s['msisdn']}, osmo-hlr "
                  f"{info and info.get('msisdn')}, was {before[i]['msisdn']}")
        rc = cp.stop()
        check(rc == 0, f"jitsim-cp (osmo-hlr) exit {rc}:\n{cp.log()[-2000:]}")
        log(f"osmo-hlr phase: osmo-hlr on {addr}, 4 SIMs slept and woken")
    except Failure as e:
        raise Failure(f"osmo-hlr phase: {e}") from e
    finally:
        if ctrl is not None:
            ctrl.close()


def body(a, tmp):
    instance = f"sleep{os.getpid()}"
    store, kek, _ = make_store(a, tmp, 20, {})
    cp = SleepCp(a, tmp, store, kek, instance, release=False, rate=5)
    before = phase_keep(cp, a, instance)
    log("keep phase done")
    cp.stop_ok()
    phase_release_crash(a, tmp, store, kek, instance, before)
    phase_osmo(a, tmp)


if __name__ == "__main__":
    sys.exit(cptest.main("cp-sleep", ("cp", "ctl", "fakedp", "store"), body))
