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
  crash      about 680 first attaches and 80 wake-ups in a trace fed to
             jitsim-dp through a FIFO at 500 packets/s, looped (lease
             2 s, so attaches repeat); jitsim-cp killed with SIGKILL 5
             times, each 0.05..1.5 s after it was ready (then up to 0.2 s
             more until status shows a job between its two commits), and
             restarted; then the verification below, and the dataplane
             (never restarted) applied every update.
  crashloop  the crash check at scale: about 2,650 first attaches and 300
             wake-ups (8,000 SIMs, 24,000 packets at 700 packets/s: the
             first pass lasts about as long as the kills), jitsim-cp
             killed 20 times; the same checks.
  crashsleep the crash check's trace with sleeping SIMs ([sleep] idle 2 s,
             a sweep every second, release = no): activated SIMs fall
             asleep (deprovision order, SLEEPING) and the looping trace
             wakes them (REATTACH, WAKEUP_MT) while jitsim-cp is killed 16
             times, every other kill preferably while sleep jobs are live
             (at least one must be; a restart delays the periodic sweep by
             an interval, so each run of jitsim-cp also gets a sleep.sweep
             at once). Then a quiet period (trace paused,
             jitsim-cp restarted with sleeping off): no job unfinished or
             failed; each SIM's jobs are DONE activations and sleep jobs in
             turn, and the SIM is ACTIVE or SLEEPING as its latest job
             says; one MSISDN per SIM across every sleep and wake (the one
             it had, or its first activation's), on no other SIM or job;
             the outbox holds one provision order per activation and one
             deprovision order per sleep job, repeats identical by (job,
             op); the audit log has allocate + activate and sleep_start +
             sleep for each; other SIMs unchanged. Then the trace again:
             exactly the SLEEPING SIMs wake, and one more whole pass
             raises no attach event and starts no job (the dataplane's
             table has every SIM ACTIVE, as the store has); the same
             checks once more, and jitsim-store check.
  dprestart  jitsim-dp killed with SIGKILL, restarted, then stopped with
             SIGTERM and restarted, while jitsim-cp runs and activations
             are in flight: every detected SIM is ACTIVE exactly once, the
             event sequence of every ring carries on across the restarts
             (jitsim-cp saw no gap and no repeat, and consumed as many
             events as the rings' sequences count), status shows each
             new dataplane generation, the last dataplane applied every
             update; it outlives jitsim-cp, and an update it cannot
             apply (jitsim-shm update: SET_STATE of an IMSI in no table)
             is acknowledged and counted in the header's
             dp_update_failed with its seq.
  badconfig  unknown key, bad number, missing key: exit 1, stderr names
             the file, line and key; --help exits 0.

The crash, crashloop and dprestart checks end with the same verification
(check_outcome): every detected SIM ACTIVE exactly once with a number of
the pools (a wake-up keeps its number), no MSISDN on two SIMs or on the
DONE jobs of two SIMs, no job left unfinished or failed, exactly one DONE
job per detected SIM and none for the others; the outbox, de-duplicated by
job id, has one provision per SIM, every repeat of an order identical, and
only orders of existing jobs; the audit log is consistent with the
journal: every DONE job has exactly one allocate line followed by exactly
one activate line, naming the job's IMSI and MSISDN (the SIM's number),
every activate_failed line a FAILED job, and no line names a job that
does not exist; jitsim-store check passes.
Exit status 0 when the check holds, 1 otherwise.
"""

import argparse
import collections
import configparser
import errno
import json
import os
import random
import re
import select
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import threading
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


def cp_config(path, run, store, kek, tmp, scenario, inflight=4, event_ring=4096):
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
event_ring = {event_ring}
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
        if imsi in first or imsi in wake:
            continue
        got = dict(after[imsi])
        if sims.get(imsi, {}).get("event") == "activity":
            # An ACTIVE SIM's activity is recorded (sleep.h), nothing else.
            if got.get("last_activity", "0") == "0":
                errors.append(f"activity SIM {imsi}: last_activity not recorded")
            got["last_activity"] = r.get("last_activity")
        if got != r:
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


# --- crash, crashloop, dprestart ---

CRASH_SCENARIO = {"count": "2000", "inventory": "0.85", "active": "0.05", "sleeping": "0.05",
                  "locked": "0.05", "packets": "6000", "rate": "1500"}
# A few thousand activations: about 2,700 first attaches and 300 wake-ups.
LOOP_SCENARIO = dict(CRASH_SCENARIO, count="8000", packets="24000")


def crash_scenario(src, dst, values=None):
    """basic.ini with a larger INVENTORY population and more traffic."""
    values = CRASH_SCENARIO if values is None else values
    out = []
    with open(src) as f:
        for line in f:
            k = line.split("=", 1)[0].strip()
            if k in values and "=" in line:
                line = f"{k} = {values[k]}\n"
            out.append(line)
    with open(dst, "w") as f:
        f.writelines(out)


def read_pcap(path):
    """(file header, [records with their headers]) of a little-endian pcap."""
    with open(path, "rb") as f:
        data = f.read()
    if data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        raise Failure(f"{path}: not a little-endian pcap file")
    recs, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack("<I", data[off + 8:off + 12])[0]
        recs.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return data[:24], recs


class Pacer:
    """A trace fed to jitsim-dp through a FIFO at @rate packets/s, looped.

    net_pcap's rx_pcap reads the FIFO as an endless pcap file, so the
    attaches arrive over time instead of all in the first milliseconds of
    an infinite_rx replay: jitsim-cp is killed while it activates. A new
    jitsim-dp (a new reader) gets the trace from where the last one was;
    records lost in the pipe with a dead reader come round in the next
    pass, like the attaches a device repeats. close() ends the stream
    (EOF), so that a jitsim-dp stops cleanly."""

    def __init__(self, trace, path, rate):
        self.hdr, self.recs = read_pcap(trace)
        self.path = path
        os.mkfifo(path, 0o600)
        self.rate = rate
        self.sent = 0
        self.passes = 0
        self.lock = threading.Lock()
        self.stopping = threading.Event()
        self.error = None
        self.t = threading.Thread(target=self._run, daemon=True)
        self.t.start()

    def set_rate(self, rate):
        with self.lock:
            self.rate = rate

    def _connect(self):
        while not self.stopping.is_set():
            try:
                return os.open(self.path, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:  # no reader yet
                    raise
            time.sleep(0.01)
        return None

    def _write(self, fd, buf):
        view = memoryview(buf)
        while view and not self.stopping.is_set():
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                select.select([], [fd], [], 0.05)

    def _run(self):
        i = 0
        try:
            while not self.stopping.is_set():
                fd = self._connect()
                if fd is None:
                    return
                try:
                    self._write(fd, self.hdr)
                    rate = None
                    while not self.stopping.is_set():
                        with self.lock:
                            if rate != self.rate:
                                rate, t0, base = self.rate, time.monotonic(), 0
                        due = min(int((time.monotonic() - t0) * rate) - base, 512)
                        if due <= 0:
                            time.sleep(0.005)
                            continue
                        chunk = []
                        for _ in range(due):
                            chunk.append(self.recs[i])
                            i += 1
                            if i == len(self.recs):
                                i = 0
                                self.passes += 1
                        self._write(fd, b"".join(chunk))
                        base += due
                        self.sent += due
                except BrokenPipeError:
                    pass  # the reader died: wait for the next one
                finally:
                    os.close(fd)
        except OSError as e:
            self.error = e

    def close(self):
        self.stopping.set()
        self.t.join(10)
        if self.error:
            raise Failure(f"pacer: {self.error}")


def all_jobs(cp):
    """Every job of the journal (job.list, paged)."""
    jobs, after = [], 0
    while True:
        page = cp.result("job.list", limit=1000, after=str(after))
        if not page:
            return jobs
        jobs += page
        after = page[-1]["job"]


def audit_lines(a, store):
    p = subprocess.run([a.store, "audit", "--store", store], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"jitsim-store audit: exit {p.returncode}: {p.stderr}")
    return [json.loads(x) for x in p.stdout.splitlines() if x.strip()]


def check_outcome(a, tmp, store, kek, sims, before, jobs, errors):
    """The verification shared by crash, crashloop and dprestart (see the
    module's text); returns a one-line summary."""
    first = {i for i, s in sims.items() if s["event"] == "first_attach"}
    wake = {i for i, s in sims.items() if s["event"] in ("reattach", "wakeup")}
    with open(os.path.join(tmp, "jobs.json"), "w") as f:
        json.dump(jobs, f)  # for --keep
    recs = store_list(a, store)
    for imsi in first:
        if recs[imsi]["state"] != "active" or not in_pool(recs[imsi]["msisdn"]):
            errors.append(f"SIM {imsi}: {recs[imsi]['state']} msisdn {recs[imsi]['msisdn']}")
    for imsi in wake:
        if recs[imsi]["state"] != "active" or recs[imsi]["msisdn"] != before[imsi]["msisdn"]:
            errors.append(f"wake-up SIM {imsi}: {recs[imsi]['state']} msisdn "
                          f"{recs[imsi]['msisdn']}, had {before[imsi]['msisdn']}")
    for imsi, r in before.items():
        got = dict(recs[imsi])
        # Activity of an ACTIVE SIM is recorded (sleep.h); nothing else may change.
        if r["state"] == "active":
            got["last_activity"] = r.get("last_activity")
        if imsi not in first and imsi not in wake and got != r:
            errors.append(f"SIM {imsi} changed without an attach: {r} -> {recs[imsi]}")
    check_unique_msisdns(recs, errors)

    # The journal: one DONE job per detected SIM, nothing unfinished.
    by_id = {}
    done_of = collections.defaultdict(list)
    imsis_of_msisdn = collections.defaultdict(set)
    for j in jobs:
        if j["job"] in by_id:
            errors.append(f"job.list: job {j['job']} twice")
        by_id[j["job"]] = j
        if j["step"] == "done":
            done_of[j["imsi"]].append(j["job"])
            imsis_of_msisdn[j["msisdn"]].add(j["imsi"])
        elif j["step"] == "allocated":
            errors.append(f"job {j['job']} unfinished: {j}")
        else:
            errors.append(f"job {j['job']} {j['step']}: {j['reason']}")
    for imsi in first | wake:
        js = done_of.get(imsi, [])
        if len(js) != 1:
            errors.append(f"SIM {imsi}: DONE jobs {js}, wanted exactly one")
        elif by_id[js[0]]["msisdn"] != recs[imsi]["msisdn"]:
            errors.append(f"SIM {imsi}: job {js[0]} msisdn {by_id[js[0]]['msisdn']}, store "
                          f"{recs[imsi]['msisdn']}")
    for imsi in set(done_of) - first - wake:
        errors.append(f"SIM {imsi} activated (jobs {done_of[imsi]}) without an attach")
    for m, imsis in imsis_of_msisdn.items():
        if len(imsis) > 1:
            errors.append(f"MSISDN {m} on the DONE jobs of {sorted(imsis)}")

    # The outbox: orders of existing jobs only; repeats identical.
    lines = outbox_lines(tmp)
    order_of = {}
    jobs_of = collections.defaultdict(set)
    for x in lines:
        if x["op"] != "provision":
            errors.append(f"outbox: {x['op']} order: {x}")
            continue
        j = by_id.get(x["job"])
        if j is None:
            errors.append(f"outbox: order of job {x['job']}, which is not in the journal")
            continue
        if x["imsi"] != j["imsi"] or x["msisdn"] != j["msisdn"] or x["region"] != j["region"]:
            errors.append(f"outbox: job {x['job']} order {x} does not match the job {j}")
        key = {k: v for k, v in x.items() if k != "ts"}
        if order_of.setdefault(x["job"], key) != key:
            errors.append(f"outbox: job {x['job']} repeated with other fields: "
                          f"{order_of[x['job']]} then {key}")
        jobs_of[x["imsi"]].add(x["job"])
    for imsi in first | wake:
        if jobs_of.get(imsi, set()) != set(done_of.get(imsi, [])):
            errors.append(f"outbox: SIM {imsi}: orders of jobs {sorted(jobs_of.get(imsi, ()))}, "
                          f"DONE jobs {done_of.get(imsi)}")

    # The audit log against the journal.
    audit = audit_lines(a, store)
    per_job = collections.defaultdict(list)
    for n, x in enumerate(audit):
        if x.get("who") != "jitsim-cp" or x["what"] not in (
                "allocate", "activate", "activate_failed"):
            continue
        j = by_id.get(x.get("job"))
        if j is None:
            errors.append(f"audit: {x['what']} line of job {x.get('job')}, which does not "
                          f"exist: {x}")
            continue
        per_job[j["job"]].append((n, x["what"]))
        if x["imsi"] != j["imsi"] or (x["msisdn"] or None) != j["msisdn"]:
            errors.append(f"audit: {x['what']} line {x} does not match job {j}")
    for j in jobs:
        whats = [w for _, w in per_job.get(j["job"], [])]
        want = {"done": ["allocate", "activate"], "failed": None,
                "allocated": ["allocate"]}[j["step"]]
        if want is None:
            if whats.count("activate_failed") != 1 or whats.count("activate") != 0 or \
               whats.count("allocate") > 1:
                errors.append(f"audit: FAILED job {j['job']} has lines {whats}")
        elif whats != want:
            errors.append(f"audit: {j['step']} job {j['job']} has lines {whats}, wanted {want}")
    for imsi, js in done_of.items():
        if len(js) == 1 and by_id[js[0]]["msisdn"] != recs[imsi]["msisdn"]:
            errors.append(f"audit/store: SIM {imsi} has {recs[imsi]['msisdn']}, its activate "
                          f"line {by_id[js[0]]['msisdn']}")

    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"jitsim-store check: exit {p.returncode}: {p.stderr[-1000:]}")
    dups = len(lines) - len(order_of)
    return (f"{len(first)} first attaches, {len(wake)} wake-ups, {len(jobs)} jobs, "
            f"{len(lines)} outbox lines ({dups} repeated by job id), {len(audit)} audit lines")


class Activation:
    """The common setup of crash, crashloop and dprestart: a scenario's
    store, jitsim-cp, and jitsim-dp reading a paced FIFO."""

    def __init__(self, a, tmp, values, rate, inflight=1, event_ring=4096):
        self.a, self.tmp = a, tmp
        out = os.path.join(tmp, "gen")
        os.makedirs(out)
        scen = os.path.join(tmp, "scenario.ini")
        crash_scenario(a.scenario, scen, values)
        self.store = harness.scenario_setup(a, scen, out)
        self.kek = os.path.join(out, "kek")
        self.sims, _, _ = harness.load_truth(os.path.join(out, "expected.jsonl"))
        self.want = {i for i, s in self.sims.items()
                     if s["event"] in ("first_attach", "reattach", "wakeup")}
        self.before = store_list(a, self.store)
        self.run = harness.Run(a, tmp)
        self.conf = os.path.join(tmp, "cp.conf")
        # One order at a time: jobs wait between their two commits, where
        # some of the kills find them.
        cp_config(self.conf, self.run, self.store, self.kek, tmp, scen, inflight=inflight,
                  event_ring=event_ring)
        self.sock = os.path.join(tmp, "run", "cp.sock")
        self.n_cp = 0
        self.pacer = None
        self.trace = os.path.join(out, "trace.pcap")
        self.rate = rate

    def start_cp(self):
        self.cp = Cp(self.run, self.a, self.conf, self.sock, self.n_cp)
        self.n_cp += 1
        self.cp.wait_ready()
        return self.cp

    def start_dp(self):
        if self.pacer is None:
            self.pacer = Pacer(self.trace, os.path.join(self.tmp, "trace.fifo"), self.rate)
        dp = self.run.dp(self.pacer.path, opts=["--store", self.store, "--lease", "2"])
        dp.wait_ready()
        return dp

    def wait_all_active(self, timeout=120):
        """Until every detected SIM is ACTIVE and no job is live."""
        end = time.time() + timeout
        while True:
            recs = store_list(self.a, self.store)
            todo = [i for i in self.want if recs[i]["state"] != "active"]
            s = self.cp.result("status")
            if not todo and s["jobs"]["allocated"] == 0:
                return s
            if time.time() > end:
                raise Failure(f"{len(todo)} SIMs not active after {timeout} s, e.g. "
                              f"{todo[:3]}; status {s}")
            time.sleep(0.3)

    def wait_updates(self, timeout=30):
        """Until the dataplane applied every update jitsim-cp sent."""
        end = time.time() + timeout
        while True:
            d = self.cp.result("status")["dataplane"]
            if d["update_seq_applied"] == d["update_seq_sent"]:
                return d
            if time.time() > end:
                raise Failure(f"dataplane never applied update {d['update_seq_sent']}: {d}")
            time.sleep(0.1)

    def close(self):
        try:
            if self.pacer is not None:
                self.pacer.close()
        finally:
            self.run.close()


def check_crash(a, tmp, kills=5, values=None, rate=500):
    """crash (5 kills, ~760 activations) and crashloop (20, ~3000)."""
    errors = []
    t0 = time.time()
    act = Activation(a, tmp, values or CRASH_SCENARIO, rate)
    rnd = random.Random(int.from_bytes(os.urandom(4), "little"))
    busy = resumed = 0
    try:
        cp = act.start_cp()
        dp = act.start_dp()
        for n in range(kills):
            time.sleep(rnd.uniform(0.05, 1.5))
            # Preferably while jobs are between their two commits, for up to
            # 0.2 s more (a measure of the check, not a condition of it).
            until = time.time() + 0.2
            while True:
                try:
                    s = cp.result("status")["jobs"]
                except (OSError, ValueError, Failure):
                    break
                if s["allocated"] > 0 or time.time() > until:
                    busy += s["allocated"] > 0 or s["done"] < len(act.want)
                    break
                time.sleep(0.002)
            cp.kill9()
            cp = act.start_cp()
            m = re.search(r"(\d+) jobs resumed", cp.log())
            resumed += int(m.group(1)) if m else 0
        t_kills = time.time() - t0
        act.pacer.set_rate(rate * 5)
        act.wait_all_active()
        act.wait_updates()
        _, failed, failed_seq = shm_dp_update(act.run)
        if failed != 0:
            errors.append(f"the dataplane could not apply {failed} updates (the last: seq "
                          f"{failed_seq})")
        jobs = all_jobs(cp)
        if dp.p.poll() is not None:
            errors.append(f"jitsim-dp died during the kills: exit {dp.p.returncode}")
        act.pacer.close()
        rc_dp, _ = dp.stop()
        rc = cp.stop()
        if rc != 0:
            errors.append(f"jitsim-cp exit status {rc} after SIGTERM:\n{cp.log()[-2000:]}")
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp} after SIGTERM:\n{dp.log()[-2000:]}")
    finally:
        act.close()
    summary = check_outcome(a, tmp, act.store, act.kek, act.sims, act.before, jobs, errors)
    log(f"{a.check}: {kills} kills ({busy} while activations ran, kill phase "
        f"{t_kills:.1f} s), {resumed} jobs resumed, {summary}, {time.time() - t0:.1f} s, "
        f"{len(errors)} problems")
    return errors


def check_crashloop(a, tmp):
    return check_crash(a, tmp, kills=20, values=LOOP_SCENARIO, rate=700)


# --- crashsleep ---

# Sleep settings of the crashsleep check: SIMs idle for 2 s after their
# activation fall asleep in a sweep once a second, while the looping trace
# (12 s a pass) repeats their attaches and wakes them. Sleep jobs trickle
# (rate), so that the kills find some of them live.
SLEEP_ON = "[sleep]\nidle = 2s\nrelease = no\ninterval = 1s\nrate = 100\ninflight = 8\nflush = 1s\n"
# The quiet period: nobody falls asleep any more.
SLEEP_OFF = "[sleep]\nidle = 0\nrelease = no\ninterval = 0\n"


def sleep_config(act, sleep):
    cp_config(act.conf, act.run, act.store, act.kek, act.tmp,
              os.path.join(act.tmp, "scenario.ini"), inflight=1)
    with open(act.conf, "a") as f:
        f.write(sleep)


def wait_settled(act, cp, timeout=60):
    """Until no job is live, no sleep sweep runs, every event of the rings
    is consumed and the dataplane applied every update: the state of a
    quiet period. Returns status."""
    end = time.time() + timeout
    while True:
        s = cp.result("status")
        z = cp.result("sleep.status")
        d = s["dataplane"]
        fill = sum(d["event_ring_fill"]) + d["update_ring_fill"]
        if s["jobs"]["allocated"] == 0 and z["sweep"]["live"] == 0 and \
           not z["sweep"]["running"] and fill == 0 and \
           d["update_seq_applied"] == d["update_seq_sent"]:
            return s
        if time.time() > end:
            raise Failure(f"not settled after {timeout} s: status {s}, sleep {z}")
        time.sleep(0.2)


def check_sleep_outcome(a, act, jobs, errors, phase):
    """The state after a quiet period of the crashsleep check (see its
    text); returns (SIMs ACTIVE, SIMs SLEEPING, DONE sleep jobs, wakes)."""
    first = {i for i, s in act.sims.items() if s["event"] == "first_attach"}
    wake = {i for i, s in act.sims.items() if s["event"] in ("reattach", "wakeup")}
    recs = store_list(a, act.store)
    by_id = {}
    of_imsi = collections.defaultdict(list)
    for j in sorted(jobs, key=lambda j: j["job"]):
        if j["job"] in by_id:
            errors.append(f"{phase}: job.list: job {j['job']} twice")
        by_id[j["job"]] = j
        of_imsi[j["imsi"]].append(j)
        if j["step"] != "done":
            errors.append(f"{phase}: job {j['job']} ({j['kind']}) {j['step']}: {j['reason']}")
    n_active = n_sleeping = n_sleeps = n_wakes = 0
    for imsi in first | wake:
        r, js = recs[imsi], of_imsi.get(imsi, [])
        if not js:
            errors.append(f"{phase}: SIM {imsi} ({act.sims[imsi]['event']}) has no job")
            continue
        # Activate, sleep, activate, ...: never two of a kind in a row.
        kinds = [j["kind"] for j in js]
        want = ["activate" if n % 2 == 0 else "sleep" for n in range(len(js))]
        if kinds != want:
            errors.append(f"{phase}: SIM {imsi}: jobs {[(j['job'], j['kind']) for j in js]}, "
                          f"not activate and sleep in turn")
        latest = js[-1]
        state = {"activate": "active", "sleep": "sleeping"}[latest["kind"]]
        if r["state"] != state:
            errors.append(f"{phase}: SIM {imsi} is {r['state']}, its latest job "
                          f"{latest['job']} is a DONE {latest['kind']} job")
        n_active += r["state"] == "active"
        n_sleeping += r["state"] == "sleeping"
        # release = no: one number for life, the pool's (a wake-up SIM's own).
        want_m = before_m = act.before[imsi]["msisdn"]
        if imsi in first:
            want_m = js[0]["msisdn"]
            if not in_pool(want_m) or before_m != "-":
                errors.append(f"{phase}: SIM {imsi}: first number {want_m}, had {before_m}")
        ms = {j["msisdn"] for j in js} | {r["msisdn"]}
        if ms != {want_m}:
            errors.append(f"{phase}: SIM {imsi}: numbers {sorted(map(str, ms))} across its "
                          f"jobs {[j['job'] for j in js]} and the store, wanted only {want_m}")
        for n, j in enumerate(js):
            woke = imsi in wake or n > 0
            ev = ("reattach", "wakeup_mt") if woke else ("first_attach",)
            prev = ("sleeping",) if woke else ("inventory",)
            if j["kind"] == "sleep":
                ev, prev = None, ("active",)
                n_sleeps += 1
            elif woke:
                n_wakes += 1
            if j["prev_state"] not in prev or (ev and j["event"] not in ev):
                errors.append(f"{phase}: SIM {imsi}: job {j['job']} ({j['kind']}) event "
                              f"{j['event']}, prev_state {j['prev_state']}")
    for imsi, r in act.before.items():
        if imsi in first or imsi in wake:
            continue
        got = dict(recs[imsi])
        if r["state"] == "active":
            got["last_activity"] = r.get("last_activity")
        if got != r:
            errors.append(f"{phase}: SIM {imsi} changed without an attach: {r} -> "
                          f"{recs[imsi]}")
        if imsi in of_imsi:
            errors.append(f"{phase}: SIM {imsi} without an attach has jobs "
                          f"{[j['job'] for j in of_imsi[imsi]]}")
    check_unique_msisdns(recs, errors)
    owners = collections.defaultdict(set)
    for j in jobs:
        owners[j["msisdn"]].add(j["imsi"])
    for m, imsis in owners.items():
        if len(imsis) > 1:
            errors.append(f"{phase}: MSISDN {m} on the jobs of {sorted(imsis)}")

    # The outbox: a provision order per DONE activation, a deprovision
    # order per DONE sleep job; repeats (a job resumed after a kill)
    # identical by (job, op).
    op_of = {"activate": "provision", "sleep": "deprovision"}
    order_of = {}
    ordered = collections.defaultdict(set)
    lines = outbox_lines(act.tmp)
    for x in lines:
        j = by_id.get(x["job"])
        if j is None:
            errors.append(f"{phase}: outbox: order of job {x['job']}, not in the journal: {x}")
            continue
        if x["op"] != op_of[j["kind"]] or x["imsi"] != j["imsi"] or \
           x.get("msisdn") != j["msisdn"] or x["region"] != j["region"]:
            errors.append(f"{phase}: outbox: order {x} does not match job {j}")
        key = {k: v for k, v in x.items() if k != "ts"}
        if order_of.setdefault((x["job"], x["op"]), key) != key:
            errors.append(f"{phase}: outbox: job {x['job']} {x['op']} repeated with other "
                          f"fields: {order_of[(x['job'], x['op'])]} then {key}")
        ordered[x["job"]].add(x["op"])
    for j in jobs:
        if ordered.get(j["job"]) != {op_of[j["kind"]]}:
            errors.append(f"{phase}: outbox: job {j['job']} ({j['kind']}, {j['step']}) has "
                          f"orders {sorted(ordered.get(j['job'], ()))}")

    # The audit log: allocate + activate per DONE activation, sleep_start
    # + sleep per DONE sleep job, each once, in that order.
    audit = audit_lines(a, act.store)
    per_job = collections.defaultdict(list)
    whats = ("allocate", "activate", "activate_failed", "sleep_start", "sleep", "sleep_failed")
    for x in audit:
        if x.get("who") != "jitsim-cp" or x["what"] not in whats:
            continue
        j = by_id.get(x.get("job"))
        if j is None:
            errors.append(f"{phase}: audit: {x['what']} line of job {x.get('job')}, which "
                          f"does not exist: {x}")
            continue
        per_job[j["job"]].append(x["what"])
        if x["imsi"] != j["imsi"] or (x["msisdn"] or None) != j["msisdn"]:
            errors.append(f"{phase}: audit: {x['what']} line {x} does not match job {j}")
    for j in jobs:
        want = {"activate": ["allocate", "activate"], "sleep": ["sleep_start", "sleep"]}
        if j["step"] == "done" and per_job.get(j["job"], []) != want[j["kind"]]:
            errors.append(f"{phase}: audit: DONE {j['kind']} job {j['job']} has lines "
                          f"{per_job.get(j['job'], [])}, wanted {want[j['kind']]}")
    return n_active, n_sleeping, n_sleeps, n_wakes


def check_crashsleep(a, tmp, kills=16, rate=500):
    """jitsim-cp killed while SIMs fall asleep and wake (see the module's
    text)."""
    errors = []
    t0 = time.time()
    act = Activation(a, tmp, CRASH_SCENARIO, rate)
    sleep_config(act, SLEEP_ON)
    rnd = random.Random(int.from_bytes(os.urandom(4), "little"))
    in_sleep = in_jobs = resumed = swept = 0
    try:
        cp = act.start_cp()
        dp = act.start_dp()
        for n in range(kills):
            time.sleep(rnd.uniform(0.05, 1.5))
            # Preferably while sleep jobs (even kills) or any jobs (odd
            # ones) are live, for up to 0.5 s more.
            until = time.time() + 0.5
            live = busy = 0
            while True:
                try:
                    live = cp.result("sleep.status")["sweep"]["live"]
                    busy = cp.result("status")["jobs"]["allocated"]
                except (OSError, ValueError, Failure):
                    break
                if (live if n % 2 == 0 else busy) > 0 or time.time() > until:
                    break
                time.sleep(0.002)
            in_sleep += live > 0
            in_jobs += busy > 0
            cp.kill9()
            cp = act.start_cp()
            m = re.search(r"(\d+) jobs resumed", cp.log())
            resumed += int(m.group(1)) if m else 0
            # A restart puts the next periodic sweep one interval away,
            # often after the next kill: a sweep on command at once, so
            # that every run of jitsim-cp has SIMs falling asleep.
            swept += cp.result("sleep.sweep")["started"] is True
        t_kills = time.time() - t0
        # An event consumed by a jitsim-cp killed before its allocate
        # commit is lost by design (workflow.md, "Crash safety"): the SIM
        # stays INVENTORY and its next attach after the lease starts over.
        # So the trace goes round once more after the last kill, past the
        # lease, before the quiet period: without it a SIM whose event the
        # last kill took waits for an attach that never comes.
        time.sleep(2.5)
        sent = act.pacer.sent
        end = time.time() + 60
        while act.pacer.sent < sent + len(act.pacer.recs) + 1:
            if time.time() > end:
                raise Failure(f"the pacer sent {act.pacer.sent - sent} packets in 60 s")
            time.sleep(0.1)
        # Quiet period: no more attaches, nobody falls asleep.
        act.pacer.set_rate(0)
        rc = cp.stop()
        if rc != 0:
            errors.append(f"jitsim-cp exit status {rc} after SIGTERM:\n{cp.log()[-2000:]}")
        sleep_config(act, SLEEP_OFF)
        cp = act.start_cp()
        time.sleep(2.5)  # past the lease: a retaken attach raised its event
        wait_settled(act, cp)
        _, failed, failed_seq = shm_dp_update(act.run)
        if failed != 0:
            errors.append(f"the dataplane could not apply {failed} updates (the last: seq "
                          f"{failed_seq})")
        jobs = all_jobs(cp)
        quiet = check_sleep_outcome(a, act, jobs, errors, "quiet")
        asleep = {j["imsi"] for j in jobs} - {
            i for i, r in store_list(a, act.store).items() if r["state"] != "sleeping"}
        # The trace again: every SLEEPING SIM wakes, through an event the
        # dataplane raises only if its table has the SIM SLEEPING.
        n_jobs = len(jobs)
        act.pacer.set_rate(rate * 5)
        act.wait_all_active()
        wait_settled(act, cp)
        jobs = all_jobs(cp)
        woken = {j["imsi"] for j in jobs[n_jobs:] if j["kind"] == "activate" and
                 j["prev_state"] == "sleeping"}
        if woken != asleep or len(jobs) - n_jobs != len(asleep):
            errors.append(f"after the quiet period: {len(asleep)} SLEEPING SIMs, "
                          f"{len(jobs) - n_jobs} new jobs, {len(woken)} wakes; not woken "
                          f"{sorted(asleep - woken)[:5]}, woken but not asleep "
                          f"{sorted(woken - asleep)[:5]}")
        # And once more, whole: the dataplane's table has every SIM as the
        # store has it (ACTIVE), so no pass raises an attach event.
        ev0 = dp.stats()["events"]
        sent = act.pacer.sent
        end = time.time() + 60
        while act.pacer.sent < sent + len(act.pacer.recs) + 1:
            if time.time() > end:
                raise Failure(f"the pacer sent {act.pacer.sent - sent} packets in 60 s")
            time.sleep(0.1)
        act.pacer.set_rate(0)
        time.sleep(2.5)  # past the lease, as above
        wait_settled(act, cp)
        ev = dp.stats()["events"]
        for t in ("first_attach", "reattach", "wakeup_mt"):
            if ev.get(t, 0) != ev0.get(t, 0):
                errors.append(f"a pass of the trace with every SIM ACTIVE in the store: the "
                              f"dataplane raised {ev.get(t, 0) - ev0.get(t, 0)} {t} events")
        jobs2 = all_jobs(cp)
        if len(jobs2) != len(jobs):
            errors.append(f"a pass of the trace with every SIM ACTIVE: jobs "
                          f"{[j['job'] for j in jobs2[len(jobs):]][:5]} started")
        final = check_sleep_outcome(a, act, jobs2, errors, "final")
        if final[1] != 0:
            errors.append(f"final: {final[1]} SIMs still SLEEPING")
        if dp.p.poll() is not None:
            errors.append(f"jitsim-dp died: exit {dp.p.returncode}")
        act.pacer.close()
        rc_dp, _ = dp.stop()
        rc = cp.stop()
        if rc != 0:
            errors.append(f"jitsim-cp exit status {rc} after SIGTERM:\n{cp.log()[-2000:]}")
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp} after SIGTERM:\n{dp.log()[-2000:]}")
    finally:
        act.close()
    p = subprocess.run([a.store, "check", "--store", act.store, "--kek", act.kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"jitsim-store check: exit {p.returncode}: {p.stderr[-1000:]}")
    # A check that never killed jitsim-cp during a sleep job did not test
    # what it is for.
    if in_sleep == 0:
        errors.append(f"none of the {kills} kills landed while sleep jobs were live")
    log(f"crashsleep: {kills} kills ({in_sleep} while sleep jobs were live, {in_jobs} while "
        f"jobs were live; kill phase {t_kills:.1f} s), {swept} "
        f"sweeps on command, {resumed} jobs resumed; quiet period: "
        f"{quiet[0]} ACTIVE, {quiet[1]} SLEEPING, {quiet[2]} sleep jobs and {quiet[3]} wakes "
        f"done; after it {len(asleep)} woken; final {final[0]} ACTIVE, {len(jobs2)} jobs, "
        f"{len(outbox_lines(tmp))} outbox lines, {time.time() - t0:.1f} s, "
        f"{len(errors)} problems")
    return errors


def shm_dp_update(run):
    """(dp_update_seq, dp_update_failed, dp_update_failed_seq) read from the
    segment's header (include/jitsim/shm.h: the dataplane's line at 192)."""
    with open(f"/dev/shm/jitsim.{run.instance}", "rb") as f:
        h = f.read(232)
    seq, = struct.unpack_from("<I", h, 212)
    failed, failed_seq = struct.unpack_from("<II", h, 224)
    return seq, failed, failed_seq


def check_update_failed(act, errors):
    """With jitsim-cp gone, jitsim-shm update sends a SET_STATE for an IMSI
    that is in no table, then one that applies: both acknowledged, the
    first counted as failed with its seq. Returns the header's
    (dp_update_failed, dp_update_failed_seq)."""
    active = next(i for i in sorted(act.want) if act.sims[i]["event"] == "first_attach")
    seq0, failed0, failed_seq = shm_dp_update(act.run)
    if failed0 != 0:
        errors.append(f"the dataplane could not apply {failed0} of jitsim-cp's updates (the "
                      f"last: seq {failed_seq})")
    act.run.update(f"set 001019999999999 active\nset {active} active\n")
    seq, failed, failed_seq = shm_dp_update(act.run)
    if (seq, failed, failed_seq) != (seq0 + 2, failed0 + 1, seq0 + 1):
        errors.append(f"updates {seq0 + 1} (IMSI in no table) and {seq0 + 2}: header has "
                      f"dp_update_seq {seq}, dp_update_failed {failed} (was {failed0}), "
                      f"dp_update_failed_seq {failed_seq}")
    return failed, failed_seq


def check_dprestart(a, tmp):
    errors = []
    t0 = time.time()
    # Rings far larger than the events of the run: no drop, so every gap
    # in a ring's sequence would be an event lost by a restart.
    act = Activation(a, tmp, CRASH_SCENARIO, rate=600, event_ring=16384)
    restarts = []
    try:
        cp = act.start_cp()
        dp = act.start_dp()
        gen = cp.result("status")["dataplane"]["generation"]
        for how in ("SIGKILL", "SIGTERM"):
            # Activations in flight: some done, and more to come.
            end = time.time() + 60
            s = cp.result("status")
            start = s["jobs"]["done"]
            while s["jobs"]["done"] < start + 100 and s["jobs"]["done"] < len(act.want) // 2:
                if time.time() > end:
                    raise Failure(f"no activations before the {how}: status {s}")
                time.sleep(0.05)
                s = cp.result("status")
            done_at_kill = s["jobs"]["done"]
            if how == "SIGKILL":
                dp.p.kill()
                dp.p.wait(10)
                dp.errf.close()
            else:
                rc, _ = dp.stop()
                if rc != 0:
                    errors.append(f"jitsim-dp exit status {rc} after SIGTERM:\n"
                                  f"{dp.log()[-2000:]}")
            # jitsim-cp goes on without a dataplane: it answers, and it
            # finishes what it has.
            time.sleep(0.5)
            s = cp.result("status")
            if cp.p.poll() is not None:
                raise Failure(f"jitsim-cp exited after the dataplane's {how}:\n"
                              f"{cp.log()[-2000:]}")
            if how == "SIGTERM" and s["dataplane"]["ready"]:
                errors.append(f"status after the dataplane's SIGTERM: ready {s['dataplane']}")
            dp = act.start_dp()
            s = cp.result("status")
            d = s["dataplane"]
            if d["generation"] != gen + 1 or d["pid"] != dp.p.pid or not d["ready"]:
                errors.append(f"status after the restart ({how}): dataplane {d}, wanted "
                              f"generation {gen + 1}, pid {dp.p.pid}, ready")
            gen = d["generation"]
            restarts.append(f"{how} at {done_at_kill} done")
        act.pacer.set_rate(3000)
        s = act.wait_all_active()
        act.wait_updates()
        s = cp.result("status")
        seq = s.get("event_seq")
        consumed = sum(s["events"].values())
        if seq is None:
            errors.append("status has no event_seq")
        elif seq["gaps"] != 0 or seq["repeats"] != 0 or sum(seq["last"]) != consumed:
            errors.append(f"event sequence across the restarts: {seq}, {consumed} events "
                          f"consumed")
        jobs = all_jobs(cp)
        rc = cp.stop()
        if rc != 0:
            errors.append(f"jitsim-cp exit status {rc} after SIGTERM:\n{cp.log()[-2000:]}")
        # The dataplane survives the control plane's exit; an update it
        # cannot apply is acknowledged and reported as failed.
        failed = check_update_failed(act, errors)
        cp = act.start_cp()
        d = cp.result("status")["dataplane"]
        if d.get("update_failed") != {"count": failed[0], "last_seq": failed[1]}:
            errors.append(f"status of the next jitsim-cp: dataplane {d}, wanted update_failed "
                          f"count {failed[0]}, last_seq {failed[1]}")
        cp.stop()
        act.pacer.close()
        rc_dp, _ = dp.stop()
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp} after SIGTERM")
    finally:
        act.close()
    summary = check_outcome(a, tmp, act.store, act.kek, act.sims, act.before, jobs, errors)
    log(f"dprestart: {', '.join(restarts)}; {consumed} events, sequence {seq}; {summary}, "
        f"{time.time() - t0:.1f} s, {len(errors)} problems")
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
    ap.add_argument("--check", required=True,
                    choices=["e2e", "crash", "crashloop", "crashsleep", "dprestart",
                             "badconfig"])
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix="jitsim-cp-")
    try:
        errors = {"e2e": check_e2e, "crash": check_crash, "crashloop": check_crashloop,
                  "crashsleep": check_crashsleep, "dprestart": check_dprestart,
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
