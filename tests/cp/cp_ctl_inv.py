#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""inventory.import and inventory.status over jitsim-cp's control socket,
with a real jitsim-cp and a real jitsim-dp (tests/dp/harness.py).

The store starts empty and jitsim-dp starts on it (0 SIMs loaded),
replaying basic.ini's trace forever. Then, over the socket:

  * status before any import, and of an unknown id: ENOENT; a missing
    file: ENOENT naming it; a directory, a relative path, bad options:
    EINVAL naming the key.
  * the vendor file (inventory.out + transport.key; SST ingest: the
    import's JITSIM_INV_BULK_MIN is set low) is imported while the import
    is held at its first commit (JITSIM_INV_PROGRESS_FD, a pipe this test
    fills, then drains): status says running, a second import gets EBUSY
    naming the first. Once released: done, every SIM committed and PUT on
    the update ring, the dataplane's IMSI table holds them all, and every
    first_attach SIM of the trace's truth turns ACTIVE (the dataplane
    detected it: it learned the SIMs without a restart).
  * a CSV with an MSISDN column (WriteBatch path): the dataplane's table
    grows by its SIMs.
  * jitsimctl: a relative FILE (resolved by jitsimctl), --json, the
    table, exit status 1 for an unknown id and a missing file.
  * a CSV with a bad line: failed, EINVAL, the error names file:line and
    the field; the same with --partial: done, 1 rejected, a reject file.
  * as uid 65534 (a member of the socket's group): a file it may not read
    is refused (EACCES), one it may read is imported and its audit line's
    who is uid:65534; the root imports' is uid:0.
  * with jitsim-dp stopped, an import larger than half the update ring:
    the rest is left to the next dataplane's load (left_to_load); a new
    jitsim-dp holds every SIM.
  * SIGTERM while an import is held: jitsim-cp stops it once released
    (ECANCELED after its first commit, with an audit line saying so) and
    exits 0.
Exit status 0 when every check holds, 1 otherwise.
"""

import configparser
import json
import os
import select
import signal
import subprocess
import sys
import threading
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, HERE)
sys.path.insert(0, os.path.join(HERE, "..", "dp"))
import cp_check  # noqa: E402
import cptest  # noqa: E402
from cptest import log, luhn  # noqa: E402
import harness  # noqa: E402
from harness import Failure  # noqa: E402

NOBODY = 65534  # uid and gid (Debian: nobody, nogroup)
WAIT_S = 60


class InvCp(cp_check.Cp):
    """jitsim-cp with the import's test knobs in its environment and the
    progress pipe's write end inherited."""

    def __init__(self, run, a, conf, sock, env, fds):
        self.sock = sock
        self.err_path = os.path.join(run.tmp, "cp.err")
        self.errf = open(self.err_path, "w")
        self.p = run.spawn([a.cp, "-c", conf], stdout=self.errf, stderr=subprocess.STDOUT,
                           env={**os.environ, **env}, pass_fds=fds)
        run.shm_made = True


def population(scenario):
    """SIMs of the scenario's vendor file (all of its population)."""
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    cp.read(scenario)
    return int(cp["population"]["count"])


def expect_error(errors, what, r, reason, *needles):
    if r.get("ok") is not False or r.get("reason") != reason or \
       not all(n in r.get("error", "") for n in needles):
        errors.append(f"{what}: wanted {reason} naming {needles}, got {r}")


def wait_import(cp, iid, timeout=WAIT_S):
    end = time.time() + timeout
    while True:
        s = cp.result("inventory.status", **{"import": str(iid)})
        if s["state"] != "running":
            return s
        if time.time() > end:
            raise Failure(f"import {iid} still running after {timeout} s: {s}")
        time.sleep(0.05)


def wait_entries(dp, n, what):
    return dp.wait_stats(lambda s: s["imsi_entries"] >= n, what, timeout=WAIT_S)


def fill_pipe(w):
    """Fill the pipe so that the next write to it blocks."""
    os.set_blocking(w, False)
    try:
        while True:
            os.write(w, b"x" * 4096)
    except BlockingIOError:
        pass
    try:
        while True:
            os.write(w, b"x")
    except BlockingIOError:
        pass
    os.set_blocking(w, True)


class Drainer(threading.Thread):
    """Reads the progress pipe unless paused."""

    def __init__(self, r):
        super().__init__(daemon=True)
        self.r = r
        self.paused = threading.Event()
        self.idle = threading.Event()
        self.quit = False

    def run(self):
        while not self.quit:
            if self.paused.is_set():
                self.idle.set()
                time.sleep(0.01)
                continue
            if select.select([self.r], [], [], 0.05)[0] and not os.read(self.r, 65536):
                return

    def pause(self):
        self.idle.clear()
        self.paused.set()
        self.idle.wait(10)

    def resume(self):
        self.paused.clear()


def csv_sims(path, first, n, bad_line=None):
    """n SIMs (IMSIs 0010199xxxxxxxx, never in the trace) with MSISDNs;
    bad_line: that file line gets an IMSI of 4 digits."""
    lines = ["iccid,imsi,ki,opc,msisdn"]
    for i in range(first, first + n):
        body = f"8944019{i:012d}"
        imsi = f"0010199{i:08d}"
        if bad_line == len(lines) + 1:
            imsi = "0010"
        lines.append(f"{body}{luhn(body)},{imsi},{i:032X},{i + 7:032X},4479{i:08d}")
    with open(path, "w") as f:
        f.write("\n".join(lines) + "\n")


def ctl(a, sock, cwd, *args):
    return subprocess.run([a.ctl, "--socket", sock, *args], capture_output=True, text=True,
                          cwd=cwd, timeout=30)


def as_nobody(sock, req):
    """One request sent by a child process running as uid/gid 65534 (a
    fork, not an exec: no interpreter path it would have to reach)."""
    r, w = os.pipe()
    pid = os.fork()
    if pid == 0:
        status = 1
        try:
            os.close(r)
            os.setgroups([])
            os.setgid(NOBODY)
            os.setuid(NOBODY)
            os.write(w, cptest.ask(sock, {"id": 1, **req}, timeout=10))
            status = 0
        except BaseException as e:  # noqa: B036 - the child must always exit
            os.write(w, f"child: {e!r}".encode())
        finally:
            os._exit(status)
    os.close(w)
    out = b""
    while True:
        chunk = os.read(r, 65536)
        if not chunk:
            break
        out += chunk
    os.close(r)
    _, st = os.waitpid(pid, 0)
    if st != 0:
        raise Failure(f"client as uid {NOBODY}: {out.decode(errors='replace')}")
    return json.loads(out)


def check(a, tmp):
    errors = []
    os.chmod(tmp, 0o711)  # uid 65534 reaches the socket and its files
    out = os.path.join(tmp, "gen")
    subprocess.run([a.pktgen, "generate", "--scenario", a.scenario, "--seed", "1", "--out", out,
                    "--quiet"], check=True)
    store, kek = os.path.join(out, "store"), os.path.join(out, "kek")
    subprocess.run([a.store, "init", "--store", store, "--kek", kek, "--new-kek"], check=True,
                   capture_output=True)
    sims, _, _ = harness.load_truth(os.path.join(out, "expected.jsonl"))
    first = sorted(i for i, s in sims.items() if s["event"] == "first_attach")
    if not first:
        raise Failure("the trace has no first attach")
    vendor, tkey = os.path.join(out, "inventory.out"), os.path.join(out, "transport.key")
    run = harness.Run(a, tmp)
    pr, pw = os.pipe()
    drainer = None
    left = None
    try:
        conf = os.path.join(tmp, "cp.conf")
        cp_check.cp_config(conf, run, store, kek, tmp, a.scenario)
        with open(conf) as f:
            text = f.read().replace("[instance]\n", f"[instance]\ngroup = {NOBODY}\n", 1)
        with open(conf, "w") as f:
            f.write(text)
        sock = os.path.join(tmp, "run", "cp.sock")
        fill_pipe(pw)
        cp = InvCp(run, a, conf, sock, {"JITSIM_INV_BULK_MIN": "100",
                                        "JITSIM_INV_PROGRESS_FD": str(pw)}, [pw])
        cp.wait_ready()
        dp = run.dp(os.path.join(out, "trace.pcap"), opts=["--store", store, "--lease", "2"],
                    infinite=True)
        dp.wait_ready()
        st = dp.stats()
        if st["sims_loaded"] != 0 or st["imsi_entries"] != 0:
            errors.append(f"dataplane started with SIMs: {st['sims_loaded']} loaded, "
                          f"{st['imsi_entries']} entries")

        # Errors answered at once.
        expect_error(errors, "status before any import", cp.cmd("inventory.status"),
                     "ENOENT", "no import")
        missing = os.path.join(tmp, "no-such.csv")
        expect_error(errors, "missing file", cp.cmd("inventory.import", file=missing),
                     "ENOENT", "file", missing)
        expect_error(errors, "a directory", cp.cmd("inventory.import", file=tmp), "EINVAL",
                     "file", "not a regular file")
        expect_error(errors, "relative path", cp.cmd("inventory.import", file="inv.csv"),
                     "EINVAL", "file", "absolute")
        expect_error(errors, "relative key", cp.cmd("inventory.import", file=vendor,
                                                    transport_key="t.key"),
                     "EINVAL", "transport_key", "absolute")
        expect_error(errors, "bad format", cp.cmd("inventory.import", file=vendor,
                                                  format="xml"), "EINVAL", "format")
        expect_error(errors, "bad state", cp.cmd("inventory.import", file=vendor,
                                                 state="active"), "EINVAL", "state")
        expect_error(errors, "bad tenant", cp.cmd("inventory.import", file=vendor,
                                                  tenant="70000"), "EINVAL", "tenant")
        expect_error(errors, "no file", cp.cmd("inventory.import"), "EINVAL", "file")

        # The vendor file, held at its first commit by the full pipe.
        r = cp.result("inventory.import", file=vendor, transport_key=tkey)
        iid = r["import"]
        if r["state"] != "running" or r["who"] != "uid:0":
            errors.append(f"import answer: {r}")
        s = cp.result("inventory.status", **{"import": str(iid)})
        if s["state"] != "running" or "imported" in s:
            errors.append(f"status while held: {s}")
        expect_error(errors, "second import", cp.cmd("inventory.import", file=vendor,
                                                     transport_key=tkey),
                     "EBUSY", f"import {iid}", vendor)
        drainer = Drainer(pr)
        drainer.start()
        s = wait_import(cp, iid)
        n = population(a.scenario)
        if s["state"] != "done" or s["lines"] != n or s["imported"] != n or \
           s["rejected"] != 0 or s["bulk"] is not True or s["error"] is not None or \
           s["dataplane"] != {"committed": n, "sent": n, "left_to_load": 0}:
            errors.append(f"vendor import status: {s}, wanted {n} imported in bulk and sent")
        wait_entries(dp, n, f"{n} IMSI entries after the vendor import")
        # The dataplane learned them: its first attaches are detected and
        # activated.
        end = time.time() + WAIT_S
        while True:
            todo = [i for i in first if cp.result("sim.show", imsi=i)["state"] != "active"]
            if not todo:
                break
            if time.time() > end:
                errors.append(f"{len(todo)} of {len(first)} first_attach SIMs not ACTIVE "
                              f"after {WAIT_S} s, e.g. {todo[:3]}")
                break
            time.sleep(0.2)
        expect_error(errors, "status of an unknown id",
                     cp.cmd("inventory.status", **{"import": "99"}), "ENOENT", "99")
        expect_error(errors, "status of a bad id",
                     cp.cmd("inventory.status", **{"import": "x1"}), "EINVAL", "import")
        # The same file again: nothing new.
        s = wait_import(cp, cp.result("inventory.import", file=vendor,
                                      transport_key=tkey)["import"])
        if s["state"] != "done" or s["unchanged"] != n or s["imported"] != 0 or \
           s["dataplane"]["committed"] != 0:
            errors.append(f"re-import: {s}")

        # WriteBatch path (an MSISDN column), then a bad line.
        good = os.path.join(tmp, "good.csv")
        csv_sims(good, 0, 5)
        s = wait_import(cp, cp.result("inventory.import", file=good, state="locked",
                                      tenant="3", region="2")["import"])
        if s["state"] != "done" or s["imported"] != 5 or s["bulk"] is not False or \
           s["dataplane"]["sent"] != 5:
            errors.append(f"CSV import: {s}")
        wait_entries(dp, n + 5, f"{n + 5} IMSI entries after the CSV import")
        sim = cp.result("sim.show", imsi="001019900000003")
        if sim["state"] != "locked" or sim["tenant"] != 3 or sim["region"] != 2:
            errors.append(f"imported CSV SIM: {sim}")
        bad = os.path.join(tmp, "bad.csv")
        csv_sims(bad, 10, 5, bad_line=4)
        s = wait_import(cp, cp.result("inventory.import", file=bad)["import"])
        if s["state"] != "failed" or s["reason"] != "EINVAL" or \
           f"{bad}:4: field imsi" not in (s["error"] or "") or s["dataplane"]["committed"]:
            errors.append(f"bad CSV: {s}, wanted EINVAL naming {bad}:4: field imsi")
        s = wait_import(cp, cp.result("inventory.import", file=bad, partial="yes")["import"])
        if s["state"] != "done" or s["imported"] != 4 or s["rejected"] != 1 or \
           f"{bad}:4: field imsi" not in (s["error"] or "") or \
           s.get("reject_file") != bad + ".rej" or not os.path.exists(bad + ".rej"):
            errors.append(f"bad CSV, partial: {s}")
        wait_entries(dp, n + 9, f"{n + 9} IMSI entries after the partial import")

        # jitsimctl: a relative FILE is the caller's, exit codes, --json.
        csv_sims(os.path.join(tmp, "ctl.csv"), 40, 2)
        p = ctl(a, sock, tmp, "--json", "inventory", "import", "ctl.csv")
        if p.returncode != 0:
            errors.append(f"jitsimctl inventory import: exit {p.returncode}: {p.stderr}")
        else:
            iid = json.loads(p.stdout)["import"]
            wait_import(cp, iid)
            p = ctl(a, sock, tmp, "--json", "inventory", "status", str(iid))
            s = json.loads(p.stdout) if p.returncode == 0 else {}
            if s.get("state") != "done" or s.get("imported") != 2 or \
               s.get("file") != os.path.join(tmp, "ctl.csv"):
                errors.append(f"jitsimctl inventory status: exit {p.returncode}: {p.stdout}")
            p = ctl(a, sock, tmp, "inventory", "status")
            if p.returncode != 0 or "state" not in p.stdout or "done" not in p.stdout:
                errors.append(f"jitsimctl inventory status (table): exit {p.returncode}: "
                              f"{p.stdout}{p.stderr}")
        p = ctl(a, sock, tmp, "inventory", "status", "999")
        if p.returncode != 1 or "999" not in p.stderr:
            errors.append(f"jitsimctl inventory status 999: exit {p.returncode}: {p.stderr}")
        p = ctl(a, sock, tmp, "inventory", "import", "nothere.csv")
        if p.returncode != 1 or os.path.join(tmp, "nothere.csv") not in p.stderr:
            errors.append(f"jitsimctl inventory import of no file: exit {p.returncode}: "
                          f"{p.stderr}")
        wait_entries(dp, n + 11, f"{n + 11} IMSI entries after the jitsimctl import")

        # A peer other than root: only files it may read itself.
        pdir = os.path.join(tmp, "peer")
        os.mkdir(pdir)
        os.chmod(pdir, 0o755)
        secret, mine = os.path.join(pdir, "secret.csv"), os.path.join(pdir, "mine.csv")
        csv_sims(secret, 20, 2)
        os.chmod(secret, 0o600)
        csv_sims(mine, 30, 3)
        os.chmod(mine, 0o644)
        expect_error(errors, "file the peer may not read",
                     as_nobody(sock, {"cmd": "inventory.import", "file": secret}), "EACCES",
                     secret, f"uid {NOBODY}")
        expect_error(errors, "partial where the peer may not write",
                     as_nobody(sock, {"cmd": "inventory.import", "file": mine,
                                      "partial": "yes"}), "EACCES", "reject file")
        r = as_nobody(sock, {"cmd": "inventory.import", "file": mine})
        if r.get("ok") is not True:
            errors.append(f"import as uid {NOBODY}: {r}")
        else:
            s = wait_import(cp, r["result"]["import"])
            if s["state"] != "done" or s["imported"] != 3 or s["who"] != f"uid:{NOBODY}":
                errors.append(f"import as uid {NOBODY}: {s}")
        wait_entries(dp, n + 14, f"{n + 14} IMSI entries after the import as uid {NOBODY}")
        st = dp.stats()
        if st["updates_failed_total"] != 0:
            errors.append(f"dataplane: {st['updates_failed_total']} updates failed")

        # No dataplane: what does not fit in half the update ring (4096
        # slots here) is left to the next dataplane's load, which finds
        # every SIM.
        rc_dp, _ = dp.stop()
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp}")
        gone = os.path.join(tmp, "gone.csv")
        csv_sims(gone, 1000, 3000)
        s = wait_import(cp, cp.result("inventory.import", file=gone)["import"])
        d = s["dataplane"]
        left = d["left_to_load"]
        if s["state"] != "done" or d["committed"] != 3000 or d["left_to_load"] == 0 or \
           d["sent"] + d["left_to_load"] != 3000:
            errors.append(f"import without a dataplane: {s}")
        total = n + 14 + 3000
        dp = run.dp(os.path.join(out, "trace.pcap"), opts=["--store", store])
        dp.wait_ready()
        st = wait_entries(dp, total, f"{total} IMSI entries in a restarted dataplane")
        if st["sims_loaded"] != total or st["imsi_entries"] != total:
            errors.append(f"restarted dataplane: {st['sims_loaded']} SIMs loaded, "
                          f"{st['imsi_entries']} entries, wanted {total}")

        # SIGTERM while an import is held at its first commit: it stops
        # once released, after that commit, with an audit line for it.
        drainer.pause()
        fill_pipe(pw)
        stop = os.path.join(tmp, "stop.csv")
        csv_sims(stop, 100, 50)
        iid = cp.result("inventory.import", file=stop)["import"]
        rc_dp, _ = dp.stop()
        cp.p.send_signal(signal.SIGTERM)
        end = time.time() + WAIT_S
        while f"import {iid} of {stop}: stopping" not in cp.log():
            if time.time() > end or cp.p.poll() is not None:
                raise Failure(f"jitsim-cp did not stop import {iid}:\n{cp.log()[-2000:]}")
            time.sleep(0.05)
        drainer.resume()
        rc_cp = cp.stop()
        if rc_cp != 0:
            errors.append(f"jitsim-cp exit status {rc_cp} after SIGTERM:\n{cp.log()[-2000:]}")
        if rc_dp != 0:
            errors.append(f"jitsim-dp exit status {rc_dp}")
    finally:
        run.close()
        os.close(pw)
        if drainer is not None:
            drainer.quit = True
            drainer.resume()
            drainer.join(5)
        os.close(pr)

    # The audit: who imported what.
    p = subprocess.run([a.store, "audit", "--store", store], capture_output=True, text=True)
    if p.returncode != 0:
        raise Failure(f"jitsim-store audit: exit {p.returncode}: {p.stderr}")
    imports = [json.loads(x) for x in p.stdout.splitlines() if "inventory.import" in x]
    whos = [(x.get("who"), x.get("file"), x.get("imported")) for x in imports]
    want = [("uid:0", "inventory.out", population(a.scenario)), ("uid:0", "good.csv", 5),
            ("uid:0", "bad.csv", 4), ("uid:0", "ctl.csv", 2), (f"uid:{NOBODY}", "mine.csv", 3),
            ("uid:0", "gone.csv", 3000), ("uid:0", "stop.csv", 50)]
    if whos != want or imports[-1].get("stopped") != "ECANCELED":
        errors.append(f"audit lines of the imports: {whos}, wanted {want}, the last one "
                      f"stopped: {imports[-1:]}")
    log(f"inventory: {population(a.scenario)} SIMs of the vendor file imported over the "
        f"socket, {len(first)} first attaches activated, {left} of 3000 SIMs left to a "
        f"dataplane's load, {len(imports)} audit lines, {len(errors)} problems")
    return errors


if __name__ == "__main__":
    sys.exit(cptest.harness_main(__doc__, ("cp", "dp", "shm", "store", "pktgen", "ctl", "scenario"),
                                 check, "jitsim-cpinv-", abspath=True))
