# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Harness of the jitsim-dp integration tests (tests/dp/dp_check.py).

Runs the real programs: jitsim-pktgen (trace, ground truth, population),
jitsim-store (a store in the trace's states), jitsim-shm (the segment, an
event consumer standing for jitsim-cp, the update tool) and jitsim-dp on a
net_pcap vdev with --no-huge --no-pci. Every process started here is
killed at the end, the shm segment unlinked and the DPDK runtime directory
removed (Run.close(), called from a finally block).
"""

import json
import os
import shutil
import signal
import socket
import struct
import subprocess
import threading
import time

EVENT_OF_TRUTH = {"first_attach": "first_attach", "reattach": "reattach",
                  "activity": "activity", "blocked": "blocked_attempt",
                  "wakeup": "wakeup_mt"}

# pcap LINKTYPE -> jitsim-dp [ports] link name (include/jitsim/proto/link.h)
LINK_NAMES = {1: "ethernet", 113: "sll", 276: "sll2", 101: "raw", 12: "raw",
              228: "raw", 229: "raw", 141: "mtp3"}

RUN_DIR = "/var/run/dpdk"
_counter = [0]


class Failure(Exception):
    pass


def capture_info(path):
    """(link type, number of packets) of a pcap or pcapng file."""
    with open(path, "rb") as f:
        data = f.read()
    magic = data[:4]
    if magic in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1", b"\xa1\xb2\xc3\xd4",
                 b"\xa1\xb2\x3c\x4d"):
        end = "<" if magic[0] in (0xd4, 0x4d) else ">"
        link = struct.unpack(end + "I", data[20:24])[0] & 0x0fffffff
        off, n = 24, 0
        while off + 16 <= len(data):
            caplen = struct.unpack(end + "I", data[off + 8:off + 12])[0]
            off += 16 + caplen
            n += 1
        return link, n
    if magic == b"\x0a\x0d\x0d\x0a":
        end = "<" if data[8:12] == b"\x4d\x3c\x2b\x1a" else ">"
        off, n, links = 0, 0, []
        while off + 12 <= len(data):
            btype, blen = struct.unpack(end + "II", data[off:off + 8])
            if blen < 12:
                break
            if btype == 1:
                links.append(struct.unpack(end + "H", data[off + 8:off + 10])[0])
            elif btype in (3, 6):
                n += 1
            off += blen
        if len(set(links)) != 1:
            raise Failure(f"{path}: interfaces of link types {links}: one wanted")
        return links[0], n
    raise Failure(f"{path}: neither pcap nor pcapng")


def telemetry(prefix, cmd, timeout=5.0):
    """One DPDK telemetry v2 command; the reply's value."""
    path = os.path.join(RUN_DIR, prefix, "dpdk_telemetry.v2")
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(timeout)
    try:
        s.connect(path)
        hello = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        reply = json.loads(s.recv(int(hello.get("max_output_len", 16384))).decode())
    finally:
        s.close()
    return reply.get(cmd.split(",")[0])


class Consumer:
    """`jitsim-shm events`: the events it prints, parsed, as they come."""

    def __init__(self, run, args):
        self.events = []
        self.lock = threading.Lock()
        self.err_path = os.path.join(run.tmp, f"consumer{len(run.procs)}.err")
        self.errf = open(self.err_path, "w")
        self.p = run.spawn([run.a.shm, "events", "--instance", run.instance, *args],
                           stdout=subprocess.PIPE, stderr=self.errf)
        self.bad = []
        self.t = threading.Thread(target=self._read, daemon=True)
        self.t.start()

    def _read(self):
        for line in self.p.stdout:
            try:
                ev = json.loads(line)
            except ValueError:
                self.bad.append(line)
                continue
            with self.lock:
                self.events.append(ev)

    def snapshot(self):
        with self.lock:
            return list(self.events)

    def count(self):
        with self.lock:
            return len(self.events)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            rc = self.p.wait()
        self.t.join(5)
        self.errf.close()
        return rc


class Dp:
    """A jitsim-dp process: stderr to a file, telemetry by its file prefix."""

    def __init__(self, run, trace, opts=(), infinite=False, config=None, eal_extra=()):
        self.run = run
        self.prefix = run.new_prefix()
        self.err_path = os.path.join(run.tmp, f"{self.prefix}.err")
        vdev = f"net_pcap0,rx_pcap={trace}" + (",infinite_rx=1" if infinite else "")
        args = [run.a.dp, "--instance", run.instance]
        if config:
            args += ["-c", config]
        args += [*opts, "--", "--no-huge", "--no-pci", "-m", "256", "--file-prefix",
                 self.prefix, "-l", "0-1", "--log-level", "lib.eal:error",
                 "--vdev", vdev, *eal_extra]
        self.args = args
        self.errf = open(self.err_path, "w")
        self.p = run.spawn(args, stdout=self.errf, stderr=subprocess.STDOUT)

    def log(self):
        with open(self.err_path, errors="replace") as f:
            return f.read()

    def wait_ready(self, timeout=60):
        end = time.time() + timeout
        while time.time() < end:
            if "jitsim-dp: ready:" in self.log():
                sock = os.path.join(RUN_DIR, self.prefix, "dpdk_telemetry.v2")
                if os.path.exists(sock):
                    return
            if self.p.poll() is not None:
                raise Failure(f"jitsim-dp exited with {self.p.returncode} before ready:\n"
                              f"{self.log()[-3000:]}")
            time.sleep(0.05)
        raise Failure(f"jitsim-dp not ready after {timeout} s:\n{self.log()[-3000:]}")

    def stats(self):
        return telemetry(self.prefix, "/jitsim/stats")

    def wait_stats(self, pred, what, timeout=60):
        end = time.time() + timeout
        st = None
        while time.time() < end:
            if self.p.poll() is not None:
                raise Failure(f"jitsim-dp exited with {self.p.returncode} while waiting "
                              f"for {what}:\n{self.log()[-3000:]}")
            st = self.stats()
            if pred(st):
                return st
            time.sleep(0.05)
        raise Failure(f"timeout waiting for {what}; last stats {json.dumps(st)[:2000]}")

    def stop(self, timeout=10):
        """SIGTERM; (exit status, seconds it took)."""
        t0 = time.time()
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(timeout)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.errf.close()
        return rc, time.time() - t0


class Run:
    """One test's processes, files, shm instance and DPDK prefixes."""

    def __init__(self, a, tmp):
        self.a = a
        self.tmp = tmp
        self.procs = []
        self.prefixes = []
        _counter[0] += 1
        self.instance = f"jt{os.getpid()}i{_counter[0]}"
        self.shm_made = False

    def new_prefix(self):
        _counter[0] += 1
        p = f"jt{os.getpid()}{_counter[0]}"
        self.prefixes.append(p)
        return p

    def spawn(self, args, **kw):
        p = subprocess.Popen(args, text=True, **kw)
        self.procs.append(p)
        return p

    def tool(self, args, check=True, input=None):
        p = subprocess.run(args, capture_output=True, text=True, input=input)
        if check and p.returncode != 0:
            raise Failure(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
        return p

    def shm(self, *args, check=True, input=None):
        return self.tool([self.a.shm, *args], check=check, input=input)

    def shm_create(self, *geometry):
        self.shm_made = True
        self.shm("create", "--instance", self.instance, *geometry)

    def shm_status(self):
        return json.loads(self.shm("status", "--instance", self.instance, "--json").stdout)

    def update(self, lines):
        return self.shm("update", "--instance", self.instance, "-", input=lines)

    def consumer(self, *args):
        self.shm_made = True
        return Consumer(self, args)

    def dp(self, trace, **kw):
        self.shm_made = True
        return Dp(self, trace, **kw)

    def close(self):
        for p in self.procs:
            if p.poll() is None:
                p.kill()
                try:
                    p.wait(10)
                except subprocess.TimeoutExpired:
                    pass
        if self.shm_made:
            subprocess.run([self.a.shm, "unlink", "--instance", self.instance],
                           capture_output=True)
        for pre in self.prefixes:
            shutil.rmtree(os.path.join(RUN_DIR, pre), ignore_errors=True)


def make_store(a, out, store, kek, inventory, transport_key=None, population=None):
    """init --new-kek, import (vendor file or CSV), set population.csv."""
    def run(args):
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    run([a.store, "init", "--store", store, "--kek", kek, "--new-kek"])
    imp = [a.store, "import", inventory, "--store", store, "--kek", kek]
    if transport_key:
        imp += ["--transport-key", transport_key]
    run(imp)
    if population:
        run([a.store, "set", population, "--store", store, "--kek", kek])


def scenario_setup(a, scenario, out, seed=1):
    """Trace, truth, population and a store in the trace's states, in @out."""
    subprocess.run([a.pktgen, "generate", "--scenario", scenario, "--seed", str(seed),
                    "--out", out, "--quiet"], check=True)
    subprocess.run([a.pktgen, "population", "--scenario", scenario, "--seed", str(seed),
                    "--out", out, "--quiet"], check=True)
    store = os.path.join(out, "store")
    make_store(a, out, store, os.path.join(out, "kek"), os.path.join(out, "inventory.out"),
               os.path.join(out, "transport.key"), os.path.join(out, "population.csv"))
    return store


def load_truth(path):
    sims, malformed, totals = {}, {}, None
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if j["type"] == "sim":
                sims[j["imsi"]] = j
            elif j["type"] == "malformed":
                malformed[j["frame"]] = j
            else:
                totals = j
    return sims, malformed, totals


def decode(a, pcap, drops=False):
    """jitsim-decode --json [--drops] of a capture: list of dicts."""
    args = [a.decoder, "--json"] + (["--drops"] if drops else []) + [pcap]
    p = subprocess.run(args, check=True, capture_output=True, text=True)
    return [json.loads(x) for x in p.stdout.splitlines()]


def seq_gaps(events):
    """Per ring: seqs missing between 1 and the highest seen."""
    by_ring = {}
    for e in events:
        by_ring.setdefault(e["ring"], []).append(e["seq"])
    gaps = {}
    for r, seqs in by_ring.items():
        seqs.sort()
        gaps[r] = seqs[-1] - len(set(seqs))
    return gaps
