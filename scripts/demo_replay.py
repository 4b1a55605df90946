#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""`make demo`, step 5: replay the trace into jitsim-dp at a steady pace,
show progress, and wait until jitsim-cp has finished what it started.

  demo_replay.py --trace PCAP --fifo PATH --rate FRAMES_PER_S
                 --expected expected.jsonl --times OUT.json
                 --ctl JITSIMCTL --socket SOCK --dp-log LOG --dp-pid PID
                 --dp-prefix FILE_PREFIX [--timeout SEC]

jitsim-dp's net_pcap port reads PATH, a FIFO, as an endless pcap file.
The replay writes the pcap header at once (jitsim-dp opens the port
during start-up), waits for `jitsim-dp: ready` in LOG, then offers the
frames at RATE frames/s: the attaches arrive over a minute, as they do
in a network, instead of all in the first 50 ms of a file read at full
speed, so that what is measured afterwards is the time each activation
takes, not the time it waited behind ten thousand others.

A frame's offer time is when the replay handed it to the FIFO (with the
dataplane waiting on the other end, it is read within a burst). The
offer times of the frames that trigger an activation (expected.jsonl:
first_attach, reattach, wakeup) go to OUT.json as {"frame": unix time}
for the report's latency figures.

While it runs, one progress line per second (rewritten in place on a
terminal): frames offered, frames the dataplane counted (telemetry),
events jitsim-cp consumed, activations done and in flight. After the last
frame it closes the FIFO (end of file: jitsim-dp goes idle, its tables
stay) and waits until jitsim-cp is quiet: nothing in flight, no new event
for 2 s, every table update applied by the dataplane. Exit status 0 when
done, 1 on a timeout or when jitsim-dp died (the message says which).
"""
import argparse
import errno
import json
import os
import select
import socket
import struct
import subprocess
import sys
import threading
import time

TELEMETRY_DIR = "/var/run/dpdk"


def read_pcap(path):
    """(24-byte global header, [record bytes]) of a little-endian pcap
    (microsecond or nanosecond timestamps: jitsim-pktgen writes the latter)."""
    with open(path, "rb") as f:
        data = f.read()
    if len(data) < 24 or data[:4] not in (b"\xd4\xc3\xb2\xa1", b"\x4d\x3c\xb2\xa1"):
        sys.exit(f"demo_replay: {path}: not a little-endian pcap file")
    recs, off = [], 24
    while off + 16 <= len(data):
        caplen = struct.unpack_from("<I", data, off + 8)[0]
        if off + 16 + caplen > len(data):
            sys.exit(f"demo_replay: {path}: record {len(recs) + 1} cut short")
        recs.append(data[off:off + 16 + caplen])
        off += 16 + caplen
    return data[:24], recs


class Replay(threading.Thread):
    """Writes the trace into the FIFO at a steady rate, once."""

    def __init__(self, fifo, hdr, recs, rate, wanted):
        super().__init__(daemon=True)
        self.fifo, self.hdr, self.recs, self.rate = fifo, hdr, recs, rate
        self.wanted = wanted  # frame numbers (from 1) whose offer time is kept
        self.times = {}
        self.sent = 0
        self.go = threading.Event()
        self.stop = threading.Event()
        self.error = None
        self.finished = False

    def _open(self):
        # A non-blocking open fails with ENXIO until jitsim-dp opened its end.
        while not self.stop.is_set():
            try:
                return os.open(self.fifo, os.O_WRONLY | os.O_NONBLOCK)
            except OSError as e:
                if e.errno != errno.ENXIO:
                    raise
            time.sleep(0.01)
        return None

    def _write(self, fd, buf):
        view = memoryview(buf)
        while view and not self.stop.is_set():
            try:
                view = view[os.write(fd, view):]
            except BlockingIOError:
                select.select([], [fd], [], 0.05)

    def run(self):
        fd = None
        try:
            fd = self._open()
            if fd is None:
                return
            self._write(fd, self.hdr)
            while not self.go.wait(0.05):
                if self.stop.is_set():
                    return
            t0, n = time.monotonic(), len(self.recs)
            while self.sent < n and not self.stop.is_set():
                due = min(int((time.monotonic() - t0) * self.rate), n) - self.sent
                if due <= 0:
                    time.sleep(0.002)
                    continue
                first, last = self.sent, self.sent + due
                now = time.time()
                for k in range(first + 1, last + 1):
                    if k in self.wanted:
                        self.times[k] = now
                self._write(fd, b"".join(self.recs[first:last]))
                self.sent = last
            self.finished = self.sent == n
        except OSError as e:
            self.error = e  # EPIPE: jitsim-dp went away; the caller says so
        finally:
            if fd is not None:
                os.close(fd)  # end of file for jitsim-dp


def telemetry(prefix, cmd):
    s = socket.socket(socket.AF_UNIX, socket.SOCK_SEQPACKET)
    s.settimeout(2)
    try:
        s.connect(os.path.join(TELEMETRY_DIR, prefix, "dpdk_telemetry.v2"))
        hello = json.loads(s.recv(4096).decode())
        s.send(cmd.encode())
        return json.loads(s.recv(int(hello.get("max_output_len", 16384))).decode()).get(cmd)
    except (OSError, ValueError):
        return None
    finally:
        s.close()


def alive(pid):
    try:
        os.kill(pid, 0)
    except ProcessLookupError:
        return False
    # A zombie (the shell has not reaped it yet) is dead too.
    try:
        with open(f"/proc/{pid}/stat") as f:
            return f.read().rsplit(")", 1)[1].split()[0] != "Z"
    except OSError:
        return False


def status(ctl, sock):
    p = subprocess.run([ctl, "--socket", sock, "--json", "--timeout", "5", "status"],
                       capture_output=True, text=True)
    if p.returncode != 0:
        return None
    try:
        return json.loads(p.stdout)
    except ValueError:
        return None


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--trace", required=True)
    ap.add_argument("--fifo", required=True)
    ap.add_argument("--rate", type=int, required=True)
    ap.add_argument("--expected", required=True)
    ap.add_argument("--times", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--socket", required=True)
    ap.add_argument("--dp-log", required=True)
    ap.add_argument("--dp-pid", type=int, required=True)
    ap.add_argument("--dp-prefix", required=True)
    ap.add_argument("--timeout", type=int, default=600)
    a = ap.parse_args()
    if not 1 <= a.rate <= 10_000_000:
        sys.exit("demo_replay: --rate: 1..10000000 frames/s")

    hdr, recs = read_pcap(a.trace)
    wanted = set()
    with open(a.expected) as f:
        for line in f:
            t = json.loads(line)
            if t.get("type") == "sim" and t["event"] in ("first_attach", "reattach", "wakeup"):
                wanted.add(t["frame"])
    rp = Replay(a.fifo, hdr, recs, a.rate, wanted)
    rp.start()

    deadline = time.time() + 120
    while True:
        try:
            with open(a.dp_log, errors="replace") as f:
                if "jitsim-dp: ready:" in f.read():
                    break
        except FileNotFoundError:
            pass
        if not alive(a.dp_pid):
            rp.stop.set()
            sys.exit(f"demo_replay: jitsim-dp exited during start-up (see {a.dp_log})")
        if time.time() > deadline:
            rp.stop.set()
            sys.exit("demo_replay: jitsim-dp not ready after 120 s")
        time.sleep(0.05)
    t_start = time.time()
    rp.go.set()

    tty = sys.stdout.isatty()
    total = len(recs)
    last_events, quiet_since, last_print = None, None, 0.0
    end = t_start + a.timeout
    st = None
    while True:
        time.sleep(0.25)
        dp_ok = alive(a.dp_pid)
        s = status(a.ctl, a.socket)
        if s is not None:
            st = s
        if st is None:
            continue
        events = sum(st["events"].values())
        jobs = st["jobs"]
        dpst = st["dataplane"]
        now = time.time()
        if now - last_print >= (1.0 if tty else 5.0):
            dps = telemetry(a.dp_prefix, "/jitsim/stats") if dp_ok else None
            frames = dps.get("frames", 0) if isinstance(dps, dict) else 0
            line = (f"   replay {rp.sent * 100 // total:3d}%  {rp.sent:,}/{total:,} frames"
                    f" | jitsim-dp read {frames:,} | events {events:,}"
                    f" | activated {jobs.get('done', 0):,}, in flight {jobs.get('allocated', 0):,}"
                    f", failed {jobs.get('failed', 0):,}")
            print(("\r" + line + "\033[K") if tty else line, end="" if tty else "\n",
                  flush=True)
            last_print = now
        if rp.error is not None or (not dp_ok and not rp.finished):
            if tty:
                print()
            sys.exit(f"demo_replay: jitsim-dp stopped reading the trace "
                     f"({rp.error or 'process exited'}); see {a.dp_log}")
        if rp.finished:
            busy = jobs.get("allocated", 0) != 0 or \
                dpst.get("update_seq_applied") != dpst.get("update_seq_sent")
            if events != last_events or busy:
                quiet_since = None if busy else now
                last_events = events
            elif quiet_since is None:
                quiet_since = now
            elif now - quiet_since >= 2.0:
                break
        if now > end:
            if tty:
                print()
            sys.exit(f"demo_replay: not finished after {a.timeout} s: "
                     f"{jobs.get('allocated', 0)} activations in flight")
    if tty:
        print()
    took = time.time() - t_start
    with open(a.times, "w") as f:
        json.dump({"start": t_start, "seconds": took, "rate": a.rate, "frames": total,
                   "offered": {str(k): v for k, v in rp.times.items()}}, f)
    print(f"   replay done: {total:,} frames at {a.rate:,}/s; everything settled "
          f"{took:.1f} s after the first frame")


if __name__ == "__main__":
    main()
