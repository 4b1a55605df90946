# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""What the jitsim-cp process tests share (tests/cp/cp_*.py).

The problem list and its printing (ERRORS, log, check), a store of
INVENTORY SIMs imported from a CSV, jitsim-cp started on a config and
driven through its control socket and jitsimctl (Cp), cp_fakedp as the
dataplane (fakedp, puts_of), real osmo-hlr processes and their CTRL
interface (Hlr, Ctrl, pick_net), tests/unit/adapter/http_peer.py
(HttpPeer), and a main() that runs a test body and always cleans up:
every process started here is killed, every shm segment of an instance
a Cp used unlinked, the temporary directory removed.

tests/cp/cp_check.py keeps its own copies (it drives jitsim-dp through
tests/dp/harness.py); Failure is harness's, so that one except clause
catches the failures of both.
"""

import argparse
import json
import os
import secrets
import shutil
import signal
import socket
import struct
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "dp"))
from harness import Failure  # noqa: E402,F401  (re-exported)

ERRORS = []
PROCS = []      # every process started here, killed by cleanup() if still alive
INSTANCES = set()  # every instance a Cp ran: /dev/shm/jitsim.<instance> unlinked
CPS = []        # every Cp started: the last one's log is printed on a failure


def log(msg):
    print(msg, flush=True)


def check(cond, msg):
    if not cond:
        ERRORS.append(msg)
        log("PROBLEM: " + msg)
    return cond


def wait_for(what, fn, limit=30.0):
    """Poll @fn until it returns a true value; Failure after @limit s
    (a bound on a hang, not a speed requirement)."""
    end = time.time() + limit
    while True:
        v = fn()
        if v:
            return v
        if time.time() > end:
            raise Failure(f"{what}: not within {limit:.0f} s")
        time.sleep(0.1)


def spawn(args, **kw):
    """subprocess.Popen, remembered for cleanup()."""
    p = subprocess.Popen(args, **kw)
    PROCS.append(p)
    return p


# --- the SIMs ---

def luhn(digits):
    total = 0
    for i, d in enumerate(reversed(digits)):
        n = int(d)
        if i % 2 == 0:
            n *= 2
            if n > 9:
                n -= 9
        total += n
    return str((10 - total % 10) % 10)


def imsi_of(i):
    return f"00101{i:010d}"


def iccid_of(i):
    body = f"89440100000000{i:05d}"
    return body + luhn(body)


def make_store(a, tmp, n, msisdns=None):
    """A new store of SIMs 1..@n, INVENTORY, with random Ki/OPc; an msisdn
    column when @msisdns ({i: MSISDN}, others empty) is given. The CSV
    (clear keys) is removed once imported. Returns (store, kek, {i: (ki,
    opc)})."""
    keys = {}
    csv = os.path.join(tmp, "sims.csv")
    with open(csv, "w") as f:
        f.write("iccid,imsi,ki,opc" + (",msisdn" if msisdns is not None else "") + ",batch\n")
        for i in range(1, n + 1):
            keys[i] = (secrets.token_hex(16), secrets.token_hex(16))
            col = f",{msisdns.get(i, '')}" if msisdns is not None else ""
            f.write(f"{iccid_of(i)},{imsi_of(i)},{keys[i][0]},{keys[i][1]}{col},B1\n")
    store, kek = os.path.join(tmp, "store"), os.path.join(tmp, "kek")
    for args in ([a.store, "init", "--store", store, "--kek", kek, "--new-kek"],
                 [a.store, "import", csv, "--store", store, "--kek", kek]):
        p = subprocess.run(args, capture_output=True, text=True)
        if p.returncode != 0:
            raise Failure(f"{' '.join(args)}: exit {p.returncode}\n{p.stdout}{p.stderr}")
    os.unlink(csv)
    return store, kek, keys


# --- jitsim-cp and its socket ---

def ask(path, req, timeout=30):
    """One JSON request line to the control socket at @path; the answer
    line as bytes (b"" when the server closed without one)."""
    s = socket.socket(socket.AF_UNIX, socket.SOCK_STREAM)
    s.settimeout(timeout)
    try:
        s.connect(path)
        s.sendall((json.dumps(req) + "\n").encode())
        buf = b""
        while not buf.endswith(b"\n"):
            chunk = s.recv(65536)
            if not chunk:
                break
            buf += chunk
    finally:
        s.close()
    return buf


class Cp:
    """jitsim-cp in the foreground on @tmp/cp.conf: [instance], [outbox],
    one small ring each way, no retries (backoff @backoff ms), then
    @sections. @outbox_keys and @flow_keys are added to those sections.
    Its output goes to @tmp/cp.err, appended to across restarts; log()
    is this run's part."""

    def __init__(self, a, tmp, store, kek, instance, sections="", outbox_keys="",
                 flow_keys="", backoff=20):
        self.a = a
        self.sock = os.path.join(tmp, "run", "cp.sock")
        conf = os.path.join(tmp, "cp.conf")
        with open(conf, "w") as f:
            f.write(f"""[instance]
name = {instance}
store = {store}
kek = {kek}
socket = {self.sock}
[outbox]
path = {tmp}/outbox.jsonl
{outbox_keys}[shm]
rings = 1
event_ring = 1024
update_ring = 1024
[flow]
retries = 0
backoff = {backoff}
{flow_keys}""" + sections)
        self.err_path = os.path.join(tmp, "cp.err")
        self.errf = open(self.err_path, "a")
        self.mark = os.path.getsize(self.err_path)
        INSTANCES.add(instance)
        CPS.append(self)
        self.p = spawn([a.cp, "-c", conf], stdout=self.errf, stderr=subprocess.STDOUT)

        def ready():
            if self.p.poll() is not None:
                raise Failure(f"jitsim-cp exited {self.p.returncode} at start:\n"
                              f"{self.log()[-3000:]}")
            return "jitsim-cp: ready:" in self.log()
        wait_for("jitsim-cp ready", ready, 60)

    def log(self):
        with open(self.err_path, errors="replace") as f:
            f.seek(self.mark)
            return f.read()

    def cmd(self, cmd, **args):
        return json.loads(ask(self.sock, {"cmd": cmd, "id": 1, **args}))

    def ok(self, cmd, **args):
        r = self.cmd(cmd, **args)
        if r.get("ok") is not True:
            raise Failure(f"{cmd} {args}: {r}")
        return r.get("result")

    def refused(self, reason, words, cmd, **args):
        """The command fails with @reason and an error holding every word."""
        r = self.cmd(cmd, **args)
        good = r.get("ok") is False and r.get("reason") == reason and \
            all(w in r.get("error", "") for w in words)
        check(good, f"{cmd} {args}: wanted {reason} naming {words}, got {r}")
        return r

    def sim(self, i):
        return self.ok("sim.show", imsi=imsi_of(i))

    def ctl(self, *args):
        p = subprocess.run([self.a.ctl, "--socket", self.sock, *args], capture_output=True,
                           text=True, timeout=60)
        return p.returncode, p.stdout, p.stderr

    def ctl_json(self, *args):
        rc, out, err = self.ctl("--json", *args)
        if rc != 0:
            raise Failure(f"jitsimctl {' '.join(args)}: exit {rc}: {out}{err}")
        return json.loads(out)

    def stop(self):
        if self.p.poll() is None:
            self.p.send_signal(signal.SIGTERM)
        try:
            rc = self.p.wait(20)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()
            rc = None
        self.errf.close()
        return rc

    def kill9(self):
        self.p.kill()
        self.p.wait()
        self.errf.close()

    def stop_ok(self):
        """SIGTERM; exit status 0 is checked."""
        rc = self.stop()
        check(rc == 0, f"jitsim-cp exit {rc}:\n{self.log()[-2000:]}")


# --- cp_fakedp, the stand-in dataplane ---

def fakedp(a, instance, imsis, prefix="4477001", event=None, wait=30, timeout=60):
    """@event (cp_fakedp's default: first_attach) for SIMs @imsis from a
    VLR under @prefix; cp_fakedp's stdout, the updates it read back."""
    p = subprocess.run([a.fakedp, "--instance", instance, "--visited", prefix + "00001",
                        *(["--event", event] if event else []), "--wait", str(wait),
                        *[imsi_of(i) for i in imsis]],
                       capture_output=True, text=True, timeout=timeout)
    if p.returncode != 0:
        raise Failure(f"cp_fakedp {event or ''} {list(imsis)}: exit {p.returncode}: "
                      f"{p.stdout}{p.stderr}")
    return p.stdout


def puts_of(out, final=False):
    """{IMSI: its last PUT} of cp_fakedp's output; @final: not counting
    ACTIVATING ones."""
    puts = {}
    for line in out.splitlines():
        u = json.loads(line)
        if u["op"] == "put" and not (final and u["state"] == "activating"):
            puts[u["imsi"]] = u
    return puts


# --- osmo-hlr ---

def ctrl_open(addr):
    """A TCP connection to osmo-hlr's CTRL port, or None."""
    try:
        return socket.create_connection((addr, 4259), timeout=2)
    except OSError:
        return None


class Ctrl:
    """Osmocom CTRL over IPA: 2-byte length, 0xEE, 0x00, then the text."""

    def __init__(self, addr):
        self.s = socket.create_connection((addr, 4259), timeout=20)
        self.buf = b""
        self.id = 0

    def close(self):
        self.s.close()

    def cmd(self, verb, var, value=None):
        self.id += 1
        txt = f"{verb} {self.id} {var}" + (f" {value}" if value is not None else "")
        b = txt.encode()
        self.s.sendall(struct.pack(">HBB", len(b) + 1, 0xEE, 0x00) + b)
        while True:
            while len(self.buf) >= 3:
                ln, proto = struct.unpack(">HB", self.buf[:3])
                if len(self.buf) < 3 + ln:
                    break
                msg, self.buf = self.buf[3:3 + ln], self.buf[3 + ln:]
                if proto == 0xEE and msg[:1] == b"\x00":
                    return msg[1:].decode(errors="replace")
            d = self.s.recv(65536)
            if not d:
                raise Failure("osmo-hlr closed the CTRL connection")
            self.buf += d

    def info(self, imsi):
        """info-all as a dict, or None when osmo-hlr has no such subscriber."""
        ans = self.cmd("GET", f"subscriber.by-imsi-{imsi}.info-all")
        if ans.startswith("ERROR") and "No such subscriber" in ans:
            return None
        if not ans.startswith("GET_REPLY"):
            raise Failure(f"info-all {imsi}: {ans}")
        out = {}
        for line in ans.split("\n")[1:]:
            k, _, v = line.partition("\t")
            out[k] = v
        return out


class Hlr:
    """One osmo-hlr in the foreground, its config and database in @d."""

    def __init__(self, name, addr, d):
        self.name, self.addr, self.d = name, addr, d
        os.makedirs(d, exist_ok=True)
        self.cfg = os.path.join(d, "hlr.cfg")
        with open(self.cfg, "w") as f:
            f.write("log stderr\n logging filter all 1\n logging color 0\n"
                    " logging level main notice\n logging level ctrl notice\n"
                    f"line vty\n bind {addr}\nctrl\n bind {addr}\n"
                    f"hlr\n gsup\n  bind ip {addr}\n")
        self.p = None
        self.start()

    def start(self):
        self.logf = open(os.path.join(self.d, "hlr.log"), "a")
        self.p = spawn(["osmo-hlr", "-c", self.cfg, "-l", os.path.join(self.d, "hlr.db")],
                       stdout=self.logf, stderr=subprocess.STDOUT)

        def up():
            if self.p.poll() is not None:
                raise Failure(f"osmo-hlr {self.name} exited {self.p.returncode} at start:\n"
                              f"{self.log()[-1500:]}")
            s = ctrl_open(self.addr)
            if s is not None:
                s.close()
            return s is not None
        wait_for(f"osmo-hlr {self.name} CTRL on {self.addr}", up, 20)

    def log(self):
        with open(os.path.join(self.d, "hlr.log"), errors="replace") as f:
            return f.read()

    def kill(self):
        if self.p is not None and self.p.poll() is None:
            self.p.kill()
        if self.p is not None:
            self.p.wait()
            self.logf.close()
        self.p = None


def pick_net():
    """127.X.Y.0/24 for this test's osmo-hlrs, derived from our pid, never
    127.0.0.x; moved on while some osmo-hlr answers there already."""
    pid = os.getpid()
    for k in range(20):
        x, y = 100 + (pid + k) % 150, 1 + (pid // 150 + 7 * k) % 250
        addrs = [f"127.{x}.{y}.{z}" for z in (1, 2)]
        busy = [s for s in map(ctrl_open, addrs) if s is not None]
        for s in busy:
            s.close()
        if not busy:
            return addrs
    raise Failure("no free loopback addresses for osmo-hlr")


# --- http_peer.py ---

class HttpPeer:
    """tests/unit/adapter/http_peer.py on a free port; requests() is its
    log of what it was sent."""

    def __init__(self, script, tmp):
        self.log_path = os.path.join(tmp, "http.log")
        port_file = os.path.join(tmp, "http.port")
        self.p = spawn([sys.executable, script, "--port-file", port_file,
                        "--log", self.log_path])
        wait_for("http_peer.py port", lambda: os.path.exists(port_file) or
                 self.p.poll() is not None, 20)
        if self.p.poll() is not None:
            raise Failure(f"http_peer.py exited {self.p.returncode}")
        with open(port_file) as f:
            self.port = int(f.read())

    def requests(self):
        if not os.path.exists(self.log_path):
            return []
        with open(self.log_path) as f:
            return [json.loads(x) for x in f if x.strip()]

    def stop(self):
        if self.p.poll() is None:
            self.p.terminate()
        try:
            self.p.wait(10)
        except subprocess.TimeoutExpired:
            self.p.kill()
            self.p.wait()


# --- running a test ---

def cleanup(tmp):
    for p in PROCS:
        if p.poll() is None:
            p.kill()
            p.wait()
    for instance in INSTANCES:
        try:
            os.unlink(f"/dev/shm/jitsim.{instance}")
        except FileNotFoundError:
            pass
    shutil.rmtree(tmp, ignore_errors=True)


def main(name, opts, body):
    """Parse --@opts (all required), run body(a, tmp) in a new temporary
    directory, then clean up (also on meson's SIGTERM); print the count
    of problems. Exit status 0 when there are none, 1 otherwise."""
    signal.signal(signal.SIGTERM, lambda *_: sys.exit(1))
    ap = argparse.ArgumentParser()
    for o in opts:
        ap.add_argument("--" + o, dest=o.replace("-", "_"), required=True)
    a = ap.parse_args()
    tmp = tempfile.mkdtemp(prefix=f"jitsim-{name}-")
    t0 = time.time()
    try:
        body(a, tmp)
    except (Failure, subprocess.TimeoutExpired, OSError, KeyError, TypeError,
            ValueError) as e:
        ERRORS.append(f"{type(e).__name__}: {e}")
        log(f"PROBLEM: {type(e).__name__}: {e}")
        if CPS:
            log(CPS[-1].log()[-3000:])
    finally:
        cleanup(tmp)
    log(f"{name}: {len(ERRORS)} problems in {time.time() - t0:.1f} s")
    return 1 if ERRORS else 0


def harness_main(doc, opts, check_fn, prefix, abspath=False):
    """main() of the tests on tests/dp/harness.py (real jitsim-dp): every
    --@opts required, --keep; check_fn(a, tmp) returns the problems.
    @abspath: the programs' paths made absolute (they run elsewhere)."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    for o in opts:
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--keep", action="store_true", help="keep the temporary directory")
    a = ap.parse_args()
    if abspath:
        for o in opts:
            if o != "scenario":
                setattr(a, o, os.path.abspath(getattr(a, o)))
    tmp = tempfile.mkdtemp(prefix=prefix)
    try:
        errors = check_fn(a, tmp)
    except Failure as e:
        errors = [str(e)]
    finally:
        if a.keep:
            log(f"kept {tmp}")
        else:
            shutil.rmtree(tmp, ignore_errors=True)
    for e in errors[:50]:
        log(f"FAIL: {e}")
    if len(errors) > 50:
        log(f"... and {len(errors) - 50} more")
    return 1 if errors else 0
