#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-dp benchmark: a jitsim-pktgen trace replayed through net_pcap with
infinite_rx=1 into jitsim-dp (one worker) and, in the same run, into
dpdk-testpmd --forward-mode=io on the same vdev arguments, the same trace
and the same mbuf count. Prints one table row per case: packets/s of both,
their ratio, messages/s and cycles per frame of jitsim-dp (DPDK TSC).

Cases: table sizes (SIMs in the store, --sims) and shares of inventory SIMs
in the trace's population (--inventory: the share of first attaches).

    scripts/bench_dp.py BUILD_DIR [--work DIR] [--sims 1000000,10000000]
                        [--inventory 0.3,0.0,0.9] [--seconds 10] [--frames 65536]
                        [--rounds 3] [--keep]
"""

import argparse
import json
import os
import re
import shutil
import signal
import socket
import statistics
import subprocess
import sys
import time

TOP = os.path.dirname(os.path.dirname(os.path.abspath(__file__)))


def log(msg):
    print(msg, file=sys.stderr, flush=True)


def run(cmd, **kw):
    log("+ " + " ".join(cmd))
    return subprocess.run(cmd, check=True, **kw)


def scenario(work, sims, inv):
    """bench.ini with @sims SIMs and an inventory share of @inv (the rest in
    bench.ini's proportions), MSISDN ranges far enough apart for 10 M SIMs."""
    src = open(os.path.join(TOP, "pktgen", "scenarios", "bench.ini")).read()
    rest = 1.0 - inv
    shares = {"inventory": round(inv, 6), "active": round(0.5 / 0.7 * rest, 6),
              "sleeping": round(0.15 / 0.7 * rest, 6)}
    # pktgen wants the shares to add up to 1 exactly (in ppm).
    shares["locked"] = round(1.0 - sum(shares.values()), 6)
    out = []
    for line in src.splitlines():
        key = line.split("=")[0].strip()
        if key == "count":
            line = f"count = {sims}"
        elif key in shares:
            line = f"{key} = {shares[key]:.6f}"
        elif key == "msisdn_sleeping":
            line = "msisdn_sleeping = 447720000000"
        out.append(line)
    path = os.path.join(work, f"bench-{sims}-{inv}.ini")
    with open(path, "w") as f:
        f.write("\n".join(out) + "\n")
    return path


def prepare(build, work, sims, inv, frames):
    """Trace + store in the population's states; cached in @work."""
    d = os.path.join(work, f"s{sims}-i{inv}")
    if os.path.exists(os.path.join(d, "ok")):
        return d
    shutil.rmtree(d, ignore_errors=True)
    os.makedirs(d)
    ini = scenario(work, sims, inv)
    pg = os.path.join(build, "pktgen", "jitsim-pktgen")
    st = os.path.join(build, "tools", "jitsim-store")
    run([pg, "generate", "--scenario", ini, "--seed", "3", "--packets", str(frames),
         "--out", d, "--quiet"])
    run([pg, "population", "--scenario", ini, "--seed", "3", "--out", d])
    db, kek = os.path.join(d, "store"), os.path.join(d, "kek")
    run([st, "init", "--store", db, "--kek", kek, "--new-kek"], stdout=subprocess.DEVNULL)
    run([st, "import", os.path.join(d, "inventory.out"), "--store", db, "--kek", kek,
         "--transport-key", os.path.join(d, "transport.key")], stdout=subprocess.DEVNULL)
    run([st, "set", os.path.join(d, "population.csv"), "--store", db, "--kek", kek],
        stdout=subprocess.DEVNULL)
    os.remove(os.path.join(d, "inventory.out"))  # 200 B per SIM, not needed any more
    open(os.path.join(d, "ok"), "w").close()
    return d


def telemetry(prefix, cmd):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.connect(path)
    s.recv(16384)
    s.send(cmd.encode())
    reply = json.loads(s.recv(1 << 20).decode())
    s.close()
    return reply[cmd]


def wait_socket(prefix, proc, timeout):
    path = f"/var/run/dpdk/{prefix}/dpdk_telemetry.v2"
    end = time.time() + timeout
    while time.time() < end:
        if proc.poll() is not None:
            raise RuntimeError(f"process exited with {proc.returncode}")
        if os.path.exists(path):
            try:
                telemetry(prefix, "/")
                return
            except OSError:
                pass
        time.sleep(0.2)
    raise RuntimeError("telemetry socket never appeared")


def eal(prefix, trace, mem):
    return ["--no-huge", "--no-pci", "-m", str(mem), "-l", "0-1", "--file-prefix", prefix,
            "--vdev", f"net_pcap0,rx_pcap={trace},infinite_rx=1"]


def stop(proc):
    if proc.poll() is None:
        proc.send_signal(signal.SIGINT)
        try:
            proc.wait(30)
        except subprocess.TimeoutExpired:
            proc.kill()
            proc.wait()


def cleanup(prefix):
    shutil.rmtree(f"/var/run/dpdk/{prefix}", ignore_errors=True)


def bench_testpmd(trace, mbufs, mem, secs):
    """(packets/s: median of the per-second rates after warm-up, cycles per
    packet of the forwarding lcore from --record-core-cycles)."""
    prefix = f"jtbtp{os.getpid()}"
    cmd = ["dpdk-testpmd"] + eal(prefix, trace, mem) + [
        "--", "--forward-mode=io", f"--total-num-mbufs={mbufs}", "--stats-period", "1",
        "--no-lsc-interrupt", "--record-core-cycles"]
    log("+ " + " ".join(cmd))
    p = subprocess.Popen(cmd, stdout=subprocess.PIPE, stderr=subprocess.STDOUT, text=True)
    rates, cpp = [], None
    start = time.time()
    try:
        for line in p.stdout:
            m = re.search(r"Rx-pps:\s+(\d+)", line)
            if m:
                rates.append(int(m.group(1)))
            if time.time() - start > secs + 5:
                p.send_signal(signal.SIGINT)  # stops forwarding, prints cycles/packet
            m = re.search(r"CPU cycles/packet=([\d.]+)", line)
            if m:
                cpp = float(m.group(1))
    finally:
        stop(p)
        cleanup(prefix)
    rates = [r for r in rates if r > 0][3:]  # warm-up: trace loaded, first passes
    if not rates:
        raise RuntimeError("testpmd printed no rate")
    return statistics.median(rates), cpp


def bench_dp(build, d, trace, mbufs, mem, secs):
    prefix = f"jtbdp{os.getpid()}"
    inst = f"bench{os.getpid()}"
    shm = os.path.join(build, "tools", "jitsim-shm")
    dp = os.path.join(build, "dataplane", "dp", "jitsim-dp")
    conf = os.path.join(d, "dp.conf")
    with open(conf, "w") as f:
        f.write(f"[instance]\nname = {inst}\nstore = {os.path.join(d, 'store')}\n"
                f"stats_interval = 0\n[ports]\nmbufs = {mbufs}\n")
    subprocess.run([shm, "unlink", "--instance", inst], stderr=subprocess.DEVNULL)
    # A consumer drains the events as jitsim-cp would.
    cons = subprocess.Popen([shm, "events", "--instance", inst], stdout=subprocess.DEVNULL,
                            stderr=subprocess.DEVNULL)
    cmd = [dp, "-c", conf, "--"] + eal(prefix, trace, mem)
    log("+ " + " ".join(cmd))
    p = subprocess.Popen(cmd, stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, text=True)
    try:
        for line in p.stderr:
            if "ready" in line:
                break
        else:
            raise RuntimeError("jitsim-dp exited before ready")
        wait_socket(prefix, p, 30)
        time.sleep(3)  # warm-up: the first passes raise the events
        a, ta = telemetry(prefix, "/jitsim/stats"), time.time()
        time.sleep(secs)
        b, tb = telemetry(prefix, "/jitsim/stats"), time.time()
        lc = telemetry(prefix, "/jitsim/lcores")
    finally:
        stop(p)
        cons.send_signal(signal.SIGTERM)
        cons.wait()
        subprocess.run([shm, "unlink", "--instance", inst], stderr=subprocess.DEVNULL)
        cleanup(prefix)
    dt = tb - ta
    workers = lc if isinstance(lc, list) else list(lc.values())
    cpf = workers[0].get("cycles_per_frame") if workers else None
    return {
        "fps": (b["frames"] - a["frames"]) / dt,
        "mps": (b["msgs"] - a["msgs"]) / dt,
        "eps": (b["events_total"] - a["events_total"]) / dt,
        "cpf": cpf,
        "hits": (b["hits"] - a["hits"]) / max(1, b["lookups"] - a["lookups"]),
    }


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("build")
    ap.add_argument("--work", default=os.environ.get("DP_BENCH_DIR", "/var/tmp/jitsim-bench-dp"))
    ap.add_argument("--sims", default="1000000,10000000")
    ap.add_argument("--inventory", default="0.3,0.0,0.9",
                    help="inventory shares; the first at every size, the others at the smallest")
    ap.add_argument("--seconds", type=int, default=10)
    ap.add_argument("--frames", type=int, default=65536)
    ap.add_argument("--rounds", type=int, default=3, help="testpmd/jitsim-dp pairs per case")
    ap.add_argument("--keep", action="store_true", help="keep the stores for the next run")
    a = ap.parse_args()
    os.makedirs(a.work, exist_ok=True)
    mbufs = a.frames + 8192  # infinite_rx keeps every frame in an mbuf, plus RX ring and cache
    mem = 1024
    rows = []
    # Every table size at the first inventory share; the other shares at
    # the smallest size only (a 10 M store takes minutes to prepare).
    sizes = [int(x) for x in a.sims.split(",")]
    shares = [float(x) for x in a.inventory.split(",")]
    cases = [(n, shares[0]) for n in sizes] + [(min(sizes), i) for i in shares[1:]]
    for sims, inv in cases:
        d = prepare(a.build, a.work, sims, inv, a.frames)
        trace = os.path.join(d, "trace.pcap")
        # Rounds of (testpmd, jitsim-dp) back to back: on a shared machine
        # the load changes from one minute to the next, and a ratio of two
        # runs made seconds apart is what means something.
        tps, dps, ratios = [], [], []
        for _ in range(a.rounds):
            tp = bench_testpmd(trace, mbufs, mem, a.seconds)
            r = bench_dp(a.build, d, trace, mbufs, mem, a.seconds)
            tps.append(tp)
            dps.append(r)
            ratios.append(r["fps"] / tp[0])
            log(f"{sims} SIMs, inventory {inv}: testpmd {tp[0] / 1e6:.2f} Mpps "
                f"({tp[1]} cycles/packet), jitsim-dp {r['fps'] / 1e6:.2f} Mpps "
                f"({r['cpf']} cycles/frame), ratio {ratios[-1]:.2f}")
        rows.append((sims, inv, tps, dps, ratios))
        if not a.keep:
            shutil.rmtree(d, ignore_errors=True)
    med = statistics.median
    print("| SIMs | inventory share | testpmd io Mpps | jitsim-dp Mpps | ratio (median of "
          f"{a.rounds}) | ratios seen | jitsim-dp M msgs/s | testpmd cycles/pkt | "
          "jitsim-dp cycles/frame |")
    print("|---:|---:|---:|---:|---:|---|---:|---:|---:|")
    for sims, inv, tps, dps, ratios in rows:
        cpp = [t[1] for t in tps if t[1]]
        cpf = [r["cpf"] for r in dps if r["cpf"]]
        print(f"| {sims:,} | {inv} | {med([t[0] for t in tps]) / 1e6:.2f} | "
              f"{med([r['fps'] for r in dps]) / 1e6:.2f} | {med(ratios):.2f} | "
              f"{' '.join(f'{x:.2f}' for x in ratios)} | "
              f"{med([r['mps'] for r in dps]) / 1e6:.2f} | "
              f"{f'{med(cpp):.0f}' if cpp else '-'} | {f'{med(cpf):.0f}' if cpf else '-'} |")

if __name__ == "__main__":
    main()
