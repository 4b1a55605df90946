#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-dp's [ss7] section on any host, SCTP in the kernel or not (the
traffic itself is tested through osmo-stp by tests/sctp/t_dp_relay.sh).

  badconfig  every kind of bad [ss7] value: exit 1 before the EAL, the
             message names FILE:LINE and the key; a good section survives
             --check-config unchanged (its output parses back to itself).
  noport     [ss7] only, no port at all: jitsim-dp starts (one SS7-only
             worker), its client ASP and its listener fail and are retried
             with backoff (without kernel SCTP: logged as such, once), the
             process stays up, /jitsim/ss7 reports them DOWN with the
             failures counted; SIGTERM: exit 0 with the ss7 final line.
  nullport   [ss7] beside a net_null port: the port's worker serves the
             SS7 ring too (said in its start line); SIGTERM: exit 0.
Exit status 0 when the check holds, 1 otherwise.
"""

import argparse
import os
import socket
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import harness  # noqa: E402
from harness import Failure  # noqa: E402

GOOD = """[ss7]
own_pc = 0.23.2
own_gt = 491770000002
own_ssn = 6
ni = 2
locked_error = 1
default_route = 0.23.0
default_hlr = 0.23.5 491770000005
unknown = relay
hlr = 0 0.23.3 491770000003
hlr = 7 0.23.4 ssn=6
asp = stp1 127.0.0.1:12907 127.0.0.1:2905 rc=2 mode=loadshare
asp = stp2 127.0.0.1:0 127.0.0.2:2905
listen = [::1]:2905 rc=3
"""

# (file text after the good [ss7] lines that set own_pc, what must be named, line)
BASE = "[ss7]\nown_pc = 0.23.2\nasp = a 127.0.0.1:1 127.0.0.1:2905\n"
BAD = [
    ("[ss7]\nasp = a 127.0.0.1:1 127.0.0.1:2905\n", "own_pc", None),
    ("[ss7]\nown_pc = 0.23.2\n", "no association", None),
    (BASE + "own_pc = 8.0.0\n", "own_pc", 4),
    (BASE + "own_pc = 16384\n", "own_pc", 4),
    (BASE + "own_gt = 49177x\n", "own_gt", 4),
    (BASE + "own_ssn = 0\n", "own_ssn", 4),
    (BASE + "ni = 4\n", "ni", 4),
    (BASE + "locked_error = 200\n", "locked_error", 4),
    (BASE + "ring_slots = 1000\n", "ring_slots", 4),
    (BASE + "workers = 0\n", "workers", 4),
    (BASE + "hlr = 256 0.23.3\n", "hlr", 4),
    (BASE + "hlr = 1 0.23.3\nhlr = 1 0.23.4\n", "region 1 given twice", 5),
    (BASE + "hlr = 1 0.23.3 49x\n", "global title", 4),
    (BASE + "hlr = 1 0.23.3 ssn=0\n", "ssn", 4),
    (BASE + "default_hlr = x\n", "default_hlr", 4),
    (BASE + "unknown = maybe\n", "unknown", 4),
    (BASE + "unknown = relay\n", "default_hlr", None),
    (BASE + "asp = a 127.0.0.1:2 127.0.0.1:2905\n", "name 'a' used twice", 4),
    (BASE + "asp = b 127.0.0.1 127.0.0.1:2905\n", "local endpoint", 4),
    (BASE + "asp = b 127.0.0.1:3 127.0.0.1:0\n", "remote endpoint", 4),
    (BASE + "asp = b 127.0.0.1:3 [::1]:2905\n", "address families", 4),
    (BASE + "asp = b 127.0.0.1:3 127.0.0.1:2905 mode=broadcast\n", "mode=broadcast", 4),
    (BASE + "asp = b 127.0.0.1:3 127.0.0.1:2905 rc=x\n", "rc=x", 4),
    (BASE + "asp = b/c 127.0.0.1:3 127.0.0.1:2905\n", "bad name", 4),
    (BASE + "listen = 127.0.0.1:1\n", "same local address", None),
    (BASE + "listen = 127.0.0.1:0\n", "listen", 4),
    (BASE + "hlr = 0 0.23.2\n", "own", None),  # an HLR on our own PC: a loop
    (BASE + "color = blue\n", "color", 4),
]


def log(msg):
    print(msg, flush=True)


def run(args, timeout=30):
    return subprocess.run(args, capture_output=True, text=True, timeout=timeout)


def check_badconfig(a, tmp):
    errors = []
    for i, (text, want, line) in enumerate(BAD):
        conf = os.path.join(tmp, f"bad{i}.conf")
        with open(conf, "w") as f:
            f.write(text)
        pre = f"jt{os.getpid()}ss7bad{i}"
        p = run([a.dp, "-c", conf, "--no-store", "--", "--no-huge", "--no-pci",
                 "--file-prefix", pre])
        what = text.strip().splitlines()[-1]
        if p.returncode != 1:
            errors.append(f"{what!r}: exit status {p.returncode}, wants 1")
        if want not in p.stderr:
            errors.append(f"{what!r}: stderr does not say {want!r}: {p.stderr!r}")
        if line is not None and f"{conf}:{line}:" not in p.stderr:
            errors.append(f"{what!r}: stderr does not name {conf}:{line}: {p.stderr!r}")
        if "EAL" in p.stderr + p.stdout:
            errors.append(f"{what!r}: EAL started: {p.stderr!r}")
        if os.path.exists(os.path.join(harness.RUN_DIR, pre)):
            errors.append(f"{what!r}: EAL runtime directory created")
    good = os.path.join(tmp, "good.conf")
    with open(good, "w") as f:
        f.write(GOOD)
    p1 = run([a.dp, "-c", good, "--no-store", "--check-config"])
    if p1.returncode != 0:
        errors.append(f"good [ss7]: exit {p1.returncode}: {p1.stderr!r}")
    else:
        again = os.path.join(tmp, "again.conf")
        with open(again, "w") as f:
            f.write(p1.stdout)
        p2 = run([a.dp, "-c", again, "--no-store", "--check-config"])
        if p2.returncode != 0 or p2.stdout != p1.stdout:
            errors.append(f"--check-config output does not parse back to itself:\n"
                          f"{p1.stdout}\n---\n{p2.stdout}{p2.stderr}")
        for want in ("own_pc = 0.23.2", "hlr = 7 0.23.4 ssn=6", "unknown = relay",
                     "asp = stp1 127.0.0.1:12907 127.0.0.1:2905 rc=2 mode=loadshare",
                     "asp = stp2 127.0.0.1:0 127.0.0.2:2905 mode=override",
                     "listen = [::1]:2905 rc=3 mode=override",
                     "default_hlr = 0.23.5 491770000005 ssn=6"):
            if want not in p1.stdout:
                errors.append(f"--check-config output lacks {want!r}:\n{p1.stdout}")
    log(f"badconfig: {len(BAD)} bad files, one good, {len(errors)} problems")
    return errors


def kernel_sctp():
    try:
        socket.socket(socket.AF_INET, socket.SOCK_STREAM, socket.IPPROTO_SCTP).close()
        return True
    except OSError:
        return False


def free_port():
    """A TCP port nobody listens on now (SCTP connects to it fail too)."""
    s = socket.socket()
    s.bind(("127.0.0.1", 0))
    port = s.getsockname()[1]
    s.close()
    return port


def start_dp(a, r, tmp, ss7, eal):
    prefix = r.new_prefix()
    conf = os.path.join(tmp, f"{prefix}.conf")
    with open(conf, "w") as f:
        f.write(f"[instance]\nname = {r.instance}\nstats_interval = 0\n{ss7}")
    r.shm_made = True
    err_path = os.path.join(tmp, f"{prefix}.err")
    errf = open(err_path, "w")
    p = r.spawn([a.dp, "-c", conf, "--no-store", "--", "--no-huge", "--no-pci", "-m", "256",
                 "--file-prefix", prefix, "-l", "0-1", "--log-level", "lib.eal:error", *eal],
                stdout=errf, stderr=subprocess.STDOUT)

    def text():
        with open(err_path, errors="replace") as f:
            return f.read()
    return p, prefix, errf, text


def wait_for(pred, what, p, text, timeout):
    end = time.time() + timeout
    while time.time() < end:
        v = pred()
        if v:
            return v
        if p.poll() is not None:
            raise Failure(f"jitsim-dp exited with {p.returncode} waiting for {what}:\n"
                          f"{text()[-3000:]}")
        time.sleep(0.1)
    raise Failure(f"{what}: not within {timeout} s:\n{text()[-3000:]}")


def stop(p, errf, text, errors):
    p.send_signal(15)
    try:
        rc = p.wait(20)
    except subprocess.TimeoutExpired:
        p.kill()
        p.wait()
        rc = None
    errf.close()
    if rc != 0:
        errors.append(f"SIGTERM: exit status {rc}, wants 0:\n{text()[-3000:]}")
    if "jitsim-dp: ss7 final:" not in text():
        errors.append(f"no 'ss7 final:' line:\n{text()[-3000:]}")
    if "jitsim-dp: stopped" not in text():
        errors.append(f"no 'stopped' line:\n{text()[-3000:]}")


def check_noport(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    try:
        ss7 = ("[ss7]\nown_pc = 0.23.2\nhlr = 0 0.23.3\n"
               f"asp = stp 127.0.0.1:0 127.0.0.1:{free_port()} rc=2\n"
               f"listen = 127.0.0.1:{free_port()}\n")
        p, prefix, errf, text = start_dp(a, r, tmp, ss7, [])
        wait_for(lambda: "jitsim-dp: ready: 1 workers" in text(), "ready", p, text, 60)
        if "worker 0: lcore 1, ss7 only" not in text():
            errors.append(f"no SS7-only worker line:\n{text()}")
        # Three failed connects: the client retried with backoff (100, 200,
        # 400 ms ...) and the process is still there.
        st = wait_for(lambda: (lambda s: s if s.get("links", {}).get("stp", {})
                               .get("connect_fail", 0) >= 3 else None)(
                                   harness.telemetry(prefix, "/jitsim/ss7")),
                      "3 failed connects of asp stp", p, text, 60)
        for name in ("stp", "listen_1"):  # telemetry keys: "-" becomes "_"
            link = st["links"].get(name)
            if link is None or link.get("state") != "DOWN":
                errors.append(f"/jitsim/ss7 link {name}: {link}, wants state DOWN")
        if st.get("associations") != 2 or st.get("associations_up") != 0:
            errors.append(f"/jitsim/ss7: associations {st.get('associations')} "
                          f"up {st.get('associations_up')}, wants 2 and 0")
        log_text = text()
        if not kernel_sctp():
            if log_text.count("SCTP is unavailable in this kernel (Protocol not supported)") != 1:
                errors.append(f"EPROTONOSUPPORT not logged exactly once:\n{log_text}")
            if log_text.count("ss7 listen listen-1") != 1:
                errors.append(f"the listener's failure not logged exactly once:\n{log_text}")
        if "ss7 asp stp: cannot connect to 127.0.0.1:" not in log_text:
            errors.append(f"the client's failures not logged:\n{log_text}")
        stop(p, errf, text, errors)
    finally:
        r.close()
    log(f"noport: {len(errors)} problems")
    return errors


def check_nullport(a, tmp):
    errors = []
    r = harness.Run(a, tmp)
    try:
        ss7 = ("[ss7]\nown_pc = 0.23.2\n"
               f"asp = stp 127.0.0.1:0 127.0.0.1:{free_port()}\n")
        p, prefix, errf, text = start_dp(a, r, tmp, ss7, ["--vdev", "net_null0"])
        wait_for(lambda: "jitsim-dp: ready: 1 workers" in text(), "ready", p, text, 60)
        if "port 0 (net_null0) queue 0, link ethernet, ss7" not in text():
            errors.append(f"the port's worker does not serve SS7:\n{text()}")
        st = harness.telemetry(prefix, "/jitsim/lcores")
        if "ss7_rx" not in st.get("0", {}):
            errors.append(f"/jitsim/lcores worker 0 has no ss7 counters: {st}")
        stop(p, errf, text, errors)
    finally:
        r.close()
    log(f"nullport: {len(errors)} problems")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--dp", required=True)
    ap.add_argument("--shm", required=True)
    ap.add_argument("--check", required=True, choices=["badconfig", "noport", "nullport"])
    a = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="jitsim-dp-ss7.") as tmp:
        try:
            errs = globals()["check_" + a.check](a, tmp)
        except Failure as e:
            errs = [str(e)]
    for e in errs[:50]:
        print(f"{a.check}: {e}")
    print(f"{a.check}: {time.time() - t0:.1f} s")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
