#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Integration tests of jitsim-cp, one per --check mode (each a meson test).

Real processes, through tests/dp/harness.py: jitsim-pktgen (trace, truth,
population) -> jitsim-store (the store) -> jitsim-dp (net_pcap vdev) ->
jitsim-cp (journal, outbox adapter, update ring) -> jitsim-dp.

  e2e        basic.ini replayed once: every SIM of expected.jsonl with a
             first_attach is ACTIVE exactly once with its own MSISDN from
             the pool of the region of its visited network (the
             scenario's regions, configured as [region] sections with
             their GT prefixes and PLMNs); every reattach/wakeup SIM (SLEEPING) is
             ACTIVE with the MSISDN it had; every other SIM is unchanged;
             one outbox line per job, one job per activated SIM; the
             dataplane applied every update; the socket answers status,
             sim.show (no key material), job.list, job.show.
  crash      a trace of about a thousand first attaches replayed forever
             (lease 2 s, so attaches repeat); jitsim-cp killed with
             SIGKILL 5 times at random moments and restarted; at the end
             every detected SIM is ACTIVE exactly once, no MSISDN is on
             two SIMs, no job is left unfinished, and the outbox,
             de-duplicated by job id, has one provision per SIM.
  badconfig  unknown key, bad number, missing key: exit 1, stderr names
             the file, line and key; --help exits 0.
Exit status 0 when the check holds, 1 otherwise.
"""

import argparse
import collections
import configparser
import json
import os
import random
import re
import signal
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dp"))
import harness  # noqa: E402
from harness import Failure  # noqa: E402


def log(msg):
    print(msg, flush=True)


# --- helpers ---

def regions_of(scenario):
    """[(name, GT prefixes, PLMNs)] of the scenario's [region NAME] sections, in
    order; region i + 1 gets the pool 4477(i+1:02)000000..4477(i+1:02)009999."""
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    cp.read(scenario)
    regs = []
    for sec in cp.sections():
        if sec.startswith("region "):
            r = cp[sec]
            regs.append((sec[7:], [r["vlr"], r["msc"], r["sgsn"]],
                         [x.strip() for x in r["plmn"].split(",")]))
    return regs


def pool_range(rid):
    first = 447700000000 + rid * 1000000
    return first, first + 9999


def in_pool(m, rid=None):
    if m in (None, "-"):
        return False
    ids = [rid] if rid else range(1, 65)
    return any(pool_range(i)[0] <= int(m) <= pool_range(i)[1] for i in ids)


def cp_config(path, run, store, kek, tmp, scenario, inflight=4):
    """Every region of the scenario with its visited networks and a pool;
    region 1 is the default."""
    regions = ""
    for i, (name, prefixes, plmns) in enumerate(regions_of(scenario), 1):
        first, last = pool_range(i)
        regions += (f"[region {i}]\nname = {name}\nhlr = hlr-main\npool = p{i}\n"
                    f"gt_prefix = {','.join(prefixes)}\nplmn = {','.join(plmns)}\n"
                    f"[pool p{i}]\nid = {i}\ntenant = 0\nregion = {i}\nfirst = {first}\n"
                    f"last = {last}\n")
    with open(path, "w") as f:
        f.write(f"""[instance]
name = {run.instance}
store = {store}
kek = {kek}
socket = {tmp}/run/cp.sock
[outbox]
path = {tmp}/outbox.jsonl
inflight = {inflight}
[shm]
rings = 4
event_ring = 4096
update_ring = 4096
[flow]
retries = 2
backoff = 20
default_region = 1
[hlr hlr-main]
id = 7
{regions}""")


class Cp:
    """A jitsim-cp process, its log file and its control socket."""

    def __init__(self, run, a, conf, sock, n):
        self.sock = sock
        self.err_path = os.path.join(run.tmp, f"cp{n}.err")
        self.errf = open(self.err_path, "w")
        self.p = run.spawn([a.cp, "-c", conf], stdout=self.errf, stderr=subprocess.STDOUT)
        run.shm_made = True

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if "jitsim-cp: ready:" in self.log():
                return
            if self.p.poll() is not None:
                raise Failure(f"jitsim-cp exited with {self.p.returncode} before ready:\n"
                              f"{self.log()[-3000:]}")
            time.sleep(0.05)
        raise Failure(f"jitsim-cp not ready after {timeout} s:\n{self.log()[-3000:]}")

    def cmd(self, cmd, **args):
        s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
        s.settimeout(10)
        try:
            s.connect(self.sock)
            s.sendall((json.dumps({"cmd": cmd, "id": 1, **args}) + "\n").encode())
            buf = b""
            while not buf.endswith(b"\n"):
                chunk = s.recv(65536)
                if not chunk:
                    break
                buf += chunk
        finally:
            s.close()
        return json.loads(buf)

    def result(self, cmd, **args):
        r = self.cmd(cmd, **args)
        if r.get("ok") is not True:
            raise Failure(f"{cmd} {args}: {r}")
        return r.get("result")

    def kill9(self):
        self.p.send_signal(signal.SIGKILL)
        self.p.wait(10)
        self.errf.close()

    def stop(self, timeout=20):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.errf.close()
        return rc


def store_list(a, store):
    """IMSI -> {field: value} of every SIM (jitsim-store list, a secondary)."""
    p = subprocess.run([a.store, "list", "--store", store], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"jitsim-store list: exit {p.returncode}: {p.stderr}")
    out = {}
    for line in p.stdout.splitlines():
        f = dict(kv.split("=", 1) for kv in line.split())
        out[f["imsi"]] = f
    return out


def outbox_lines(tmp):
    path = os.path.join(tmp, "outbox.jsonl")
    if not os.path.exists(path):
        return []
    with open(path) as f:
        return [json.loads(x) for x in f if x.strip()]


def check_unique_msisdns(recs, errors):
    by = collections.defaultdict(list)
    for imsi, r in recs.items():
        if r["msisdn"] != "-":
            by[r["msisdn"]].append(imsi)
    for m, imsis in by.items():
        if len(imsis) > 1:
            errors.append(f"MSISDN {m} on {len(imsis)} SIMs: {imsis}")


# --- e2e ---

def check_e2e(a, tmp):
    errors = []
    out = os.path.join(tmp, "gen")
    store = harness.scenario_setup(a, a.scenario, out)
    kek = os.path.join(out, "kek")
    sims, _, totals = harness.load_truth(os.path.join(out, "expected.jsonl"))
    before = store_list(a, store)
    run = harness.Run(a, tmp)
    try:
        conf = os.path.join(tmp, "cp.conf")
        cp_config(conf, run, store, kek, tmp, a.scenario)
        cp = Cp(run, a, conf, os.path.join(tmp, "run", "cp.sock"), 0)
        cp.wait_ready()
        dp = run.dp(os.path.join(out, "trace.pcap"), opts=["--store", store])
        dp.wait_ready()
        st = dp.wait_stats(lambda s: s["frames"] >= totals["frames"], "all frames")
        delivered = st["events_total"] - st["ring_drops_total"]
        end = time.time() + 60
        while True:
            s = cp.result("status")
            consumed = sum(s["events"].values())
            if consumed >= delivered and s["jobs"]["allocated"] == 0 and \
               s["dataplane"]["update_seq_applied"] == s["dataplane"]["update_seq_sent"]:
                break
            if time.time() > end:
                raise Failure(f"cp never caught up: {delivered} events delivered, status {s}")
            time.sleep(0.1)
        # Socket commands.
        jobs = cp.result("job.list", step="done", limit=1000)
        failed = cp.result("job.list", step="failed")
        if failed:
            errors.append(f"failed jobs: {failed[:3]}")
        if jobs:
            j = cp.result("job.show", job=str(jobs[0]["job"]))
            if j != jobs[0]:
                errors.append(f"job.show {jobs[0]['job']}: {j}, job.list has {jobs[0]}")
            sim = cp.result("sim.show", imsi=jobs[0]["imsi"])
            if sim["state"] != "active" or sim["msisdn"] != jobs[0]["msisdn"] or \
               sim.get("job", {}).get("job") != jobs[0]["job"]:
                errors.append(f"sim.show {jobs[0]['imsi']}: {sim}")
            bad = [k for k in sim if k in ("ki", "opc", "kic", "kid", "sealed", "secrets")]
            if bad:
                errors.append(f"sim.show shows {bad}")
        r = cp.cmd("sim.show", imsi="12")
        if r.get("ok") is not False or r.get("reason") != "EINVAL" or "imsi" not in r["error"]:
            errors.append(f"sim.show with a bad IMSI: {r}")
        r = cp.cmd("job.show", job="999999")
        if r.get("ok") is not False or r.get("reason") != "ENOENT":
            errors.append(f"job.show of no job: {r}")
        rc_dp, _ = dp.stop()
        rc_cp = cp.stop()
        if rc_cp != 0:
            errors.append(f"jitsim-cp exit status {rc_cp} after SIGTERM:\n{cp.log()[-2000:]}")
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp}")
    finally:
        run.close()

    after = store_list(a, store)
    first = {i for i, s in sims.items() if s["event"] == "first_attach"}
    wake = {i for i, s in sims.items() if s["event"] in ("reattach", "wakeup")}
    rid = {name: i for i, (name, _, _) in enumerate(regions_of(a.scenario), 1)}
    for imsi in first:
        r, want = after[imsi], rid.get(sims[imsi]["region"])
        if r["state"] != "active" or not in_pool(r["msisdn"], want) or \
           r["region"] != str(want):
            errors.append(f"first_attach SIM {imsi}: state {r['state']} msisdn {r['msisdn']} "
                          f"region {r['region']}, wanted region {sims[imsi]['region']} "
                          f"({want}) and a number from its pool")
    for imsi in wake:
        r = after[imsi]
        if r["state"] != "active" or r["msisdn"] != before[imsi]["msisdn"]:
            errors.append(f"reattach SIM {imsi}: state {r['state']} msisdn {r['msisdn']}, "
                          f"had {before[imsi]['msisdn']}")
    for imsi, r in before.items():
        if imsi not in first and imsi not in wake and after[imsi] != r:
            errors.append(f"SIM {imsi} changed: {r} -> {after[imsi]}")
    check_unique_msisdns(after, errors)
    lines = outbox_lines(tmp)
    ids = collections.Counter(x["job"] for x in lines)
    per_imsi = collections.Counter(x["imsi"] for x in lines)
    for j, n in ids.items():
        if n != 1:
            errors.append(f"outbox: job {j} has {n} lines")
    for imsi in first | wake:
        if per_imsi.get(imsi) != 1:
            errors.append(f"outbox: SIM {imsi} has {per_imsi.get(imsi, 0)} lines")
    for imsi in set(per_imsi) - first - wake:
        errors.append(f"outbox: SIM {imsi} provisioned without an attach in the truth")
    for x in lines:
        if x["msisdn"] != after[x["imsi"]]["msisdn"]:
            errors.append(f"outbox: job {x['job']} msisdn {x['msisdn']}, store has "
                          f"{after[x['imsi']]['msisdn']}")
    if len(jobs) != len(lines):
        errors.append(f"job.list: {len(jobs)} done jobs, outbox {len(lines)} lines")
    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"jitsim-store check: exit {p.returncode}: {p.stderr[-1000:]}")
    per_region = collections.Counter(after[i]["region"] for i in first)
    log(f"e2e: {len(first)} first attaches (by region id {dict(per_region)}), {len(wake)} "
        f"reattach/wakeup, {len(lines)} outbox lines, {len(errors)} problems")
    return errors


# --- crash ---

CRASH_SCENARIO = {"count": "2000", "inventory": "0.85", "active": "0.05", "sleeping": "0.05",
                  "locked": "0.05", "packets": "6000", "rate": "1500"}


def crash_scenario(src, dst):
    """basic.ini with a larger INVENTORY population and more traffic."""
    out = []
    with open(src) as f:
        for line in f:
            k = line.split("=", 1)[0].strip()
            if k in CRASH_SCENARIO and "=" in line:
                line = f"{k} = {CRASH_SCENARIO[k]}\n"
            out.append(line)
    with open(dst, "w") as f:
        f.writelines(out)


def check_crash(a, tmp):
    errors = []
    out = os.path.join(tmp, "gen")
    os.makedirs(out)
    scen = os.path.join(tmp, "crash.ini")
    crash_scenario(a.scenario, scen)
    store = harness.scenario_setup(a, scen, out)
    kek = os.path.join(out, "kek")
    sims, _, _ = harness.load_truth(os.path.join(out, "expected.jsonl"))
    first = {i for i, s in sims.items() if s["event"] == "first_attach"}
    wake = {i for i, s in sims.items() if s["event"] in ("reattach", "wakeup")}
    rnd = random.Random(int.from_bytes(os.urandom(4), "little"))
    run = harness.Run(a, tmp)
    kills = 0
    resumed = 0
    try:
        conf = os.path.join(tmp, "cp.conf")
        # One order at a time: provisioning is the slow step, so jobs wait
        # between their two commits and the kills find some there.
        cp_config(conf, run, store, kek, tmp, scen, inflight=1)
        sock = os.path.join(tmp, "run", "cp.sock")
        cp = Cp(run, a, conf, sock, 0)
        cp.wait_ready()
        dp = run.dp(os.path.join(out, "trace.pcap"), opts=["--store", store, "--lease", "2"],
                    infinite=True)
        dp.wait_ready()
        for n in range(1, 6):
            time.sleep(rnd.uniform(0.0, 0.3))
            # Preferably while jobs are between their two commits (not a
            # condition of the check: after 2 s it kills anyway).
            until = time.time() + 2
            while time.time() < until:
                try:
                    if cp.result("status")["jobs"]["allocated"] > 0:
                        break
                except (OSError, ValueError, Failure):
                    pass
                time.sleep(0.002)
            cp.kill9()
            kills += 1
            cp = Cp(run, a, conf, sock, n)
            cp.wait_ready()
            m = re.search(r"(\d+) jobs resumed", cp.log())
            resumed += int(m.group(1)) if m else 0
        # The last one runs until every detected SIM is active.
        end = time.time() + 120
        while True:
            recs = store_list(a, store)
            todo = [i for i in first | wake if recs[i]["state"] != "active"]
            s = cp.result("status")
            if not todo and s["jobs"]["allocated"] == 0:
                break
            if time.time() > end:
                raise Failure(f"{len(todo)} SIMs not active after 120 s, e.g. "
                              f"{todo[:3]}; status {s}")
            time.sleep(0.2)
        left = cp.result("job.list", step="allocated")
        if left:
            errors.append(f"unfinished jobs: {left[:3]}")
        failed = cp.result("job.list", step="failed")
        if failed:
            errors.append(f"failed jobs: {failed[:3]}")
        dp.stop()
        rc = cp.stop()
        if rc != 0:
            errors.append(f"jitsim-cp exit status {rc} after SIGTERM:\n{cp.log()[-2000:]}")
    finally:
        run.close()
    recs = store_list(a, store)
    for imsi in first:
        if recs[imsi]["state"] != "active" or not in_pool(recs[imsi]["msisdn"]):
            errors.append(f"SIM {imsi}: {recs[imsi]['state']} msisdn {recs[imsi]['msisdn']}")
    check_unique_msisdns(recs, errors)
    lines = outbox_lines(tmp)
    jobs_of = collections.defaultdict(set)
    msisdn_of_job = {}
    for x in lines:
        if x["op"] != "provision":
            continue
        jobs_of[x["imsi"]].add(x["job"])
        if msisdn_of_job.setdefault(x["job"], x["msisdn"]) != x["msisdn"]:
            errors.append(f"outbox: job {x['job']} with two MSISDNs")
    for imsi in first | wake:
        if len(jobs_of.get(imsi, ())) != 1:
            errors.append(f"outbox: SIM {imsi}: jobs {sorted(jobs_of.get(imsi, ()))}")
    for imsi, js in jobs_of.items():
        j = next(iter(js))
        if msisdn_of_job[j] != recs[imsi]["msisdn"]:
            errors.append(f"outbox: SIM {imsi} job {j} msisdn {msisdn_of_job[j]}, store "
                          f"{recs[imsi]['msisdn']}")
    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"jitsim-store check: exit {p.returncode}: {p.stderr[-1000:]}")
    dups = len(lines) - len({x["job"] for x in lines})
    log(f"crash: {kills} kills, {resumed} jobs resumed, {len(first)} first attaches, "
        f"{len(wake)} reattach/wakeup, {len(lines)} outbox lines ({dups} repeated by job id), "
        f"{len(errors)} problems")
    return errors


# --- badconfig ---

def check_badconfig(a, tmp):
    errors = []
    cases = [
        ("[instance]\nstore = /x\nkek = /y\nsocket = /z\n[outbox]\npath = /o\n[flow]\n"
         "retrys = 3\n", ":8:", "retrys"),
        ("[instance]\nstore = /x\nkek = /y\nsocket = /z\n[outbox]\npath = /o\n[flow]\n"
         "backoff = ten\n", ":8:", "backoff"),
        ("[instance]\nstore = /x\nkek = /y\nsocket = /z\n", "", "[outbox] path"),
        ("[instance]\nstore = /x\nkek = /y\nsocket = /z\n[outbox]\npath = /o\n"
         "[pool p]\nid = 1\nfirst = 12x\n", ":9:", "first"),
    ]
    for i, (text, line, key) in enumerate(cases):
        path = os.path.join(tmp, f"bad{i}.conf")
        with open(path, "w") as f:
            f.write(text)
        p = subprocess.run([a.cp, "-c", path, "--check-config"], capture_output=True,
                           text=True)
        if p.returncode != 1 or key not in p.stderr or (path + line) not in p.stderr:
            errors.append(f"case {i}: exit {p.returncode}, stderr {p.stderr!r}, wanted "
                          f"'{path}{line}' and '{key}'")
    p = subprocess.run([a.cp, "--help"], capture_output=True, text=True)
    if p.returncode != 0 or "[pool NAME]" not in p.stdout:
        errors.append(f"--help: exit {p.returncode}")
    log(f"badconfig: {len(cases)} cases, {len(errors)} problems")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    for o in ("cp", "dp", "shm", "store", "pktgen", "decoder"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--scenario")
    ap.add_argument("--check", required=True, choices=["e2e", "crash", "badconfig"])
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="jitsim-cp-")
    try:
        errors = {"e2e": check_e2e, "crash": check_crash,
                  "badconfig": check_badconfig}[a.check](a, tmp)
    except Failure as e:
        errors = [str(e)]
    finally:
        if not a.keep:
            subprocess.run(["rm", "-rf", tmp])
    for e in errors[:50]:
        log(f"FAIL: {e}")
    if len(errors) > 50:
        log(f"... and {len(errors) - 50} more")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
