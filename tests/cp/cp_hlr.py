#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-cp provisioning real osmo-hlr processes and an HTTP API, end to end.

A real jitsim-cp on a store of 98 INVENTORY SIMs whose Ki/OPc the test
knows (a CSV import with clear keys), two real osmo-hlr processes (one per
region, each on its own loopback address: their ports are fixed) and
tests/unit/adapter/http_peer.py as the HTTP provisioning API of a third
region. First attaches come from cp_fakedp (a stand-in dataplane on the
real rings). Everything is read back from osmo-hlr itself over CTRL
(GET subscriber.by-imsi-IMSI.info-all). Checked:

  * regions: every activated SIM is in the osmo-hlr of its region with
    its MSISDN (none for data-only), aud3g K and OPc, nam_cs 1/0 and
    nam_ps 1 per flow, and in no other HLR;
  * outage: osmo-hlr is frozen while 30 activations are in flight, then
    killed (SIGKILL): the jobs wait (status shows them live, retries
    grow, none FAILED), `jitsimctl hlr list` says down; osmo-hlr restarted
    on the same database: every job completes, each SIM exactly once
    (one DONE job each, one subscriber each), the HLR is ok again;
  * refusal: an MSISDN already held by a subscriber the test created
    through CTRL: the job is FAILED with osmo-hlr's reason, shown by
    `jitsimctl job show`; the SIM is INVENTORY again, its number in
    quarantine;
  * http: the provisioned SIMs were POSTed with the right body and
    idempotency key; a 400 fails the job with the server's message;
  * `jitsimctl hlr list`: idle before any order, ok, down, ok again;
  * an HLR given a new address (hlr add): its next orders go there.
Exit status 0 when everything holds, 1 otherwise (each problem printed),
77 (skipped) when osmo-hlr is not installed.
"""

import os
import shutil
import signal
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
import cptest  # noqa: E402
from cptest import (Cp, Ctrl, Failure, Hlr, HttpPeer, check, fakedp, iccid_of,  # noqa: E402
                    imsi_of, log, make_store, pick_net, puts_of, spawn, wait_for)

# --- the SIMs ---

N_SIMS = 98
A_VOICE, A_DATA = list(range(1, 21)), list(range(21, 26))     # region a -> hlr-a
B_VOICE, B_DATA = list(range(31, 46)), list(range(46, 51))    # region b -> hlr-b
OUTAGE = list(range(51, 81))                                  # region a, hlr-a killed
READDRESSED = list(range(26, 29))                             # region b, hlr-b moved to a
REFUSED = 90                                                  # region e -> hlr-a
# http_peer.py answers by the IMSI's last digit: 0-4 created, 8 a 400.
HTTP_OK, HTTP_400 = [91, 92], 98                              # region h -> hlr-h
ERR_MSISDN = "447704680300"          # pool p-err's only number
SQUATTER = "001019999999990"         # holds ERR_MSISDN in hlr-a, created by the test


# --- jitsim-cp ---

class HlrCp(Cp):
    """jitsim-cp with hlr-a, hlr-b (osmo-hlr) and hlr-h (http); health()
    reads `jitsimctl hlr list`."""

    def __init__(self, a, tmp, store, kek, instance, hlr_a, hlr_b, http_port):
        # timeout 2 s: an order to a dead osmo-hlr times out and is tried
        # again (backoff 100 ms doubling) while the test waits.
        super().__init__(a, tmp, store, kek, instance, outbox_keys="timeout = 2000\n",
                         flow_keys="default_profile = basic\n", backoff=100,
                         sections=f"""[hlr hlr-a]
id = 11
kind = osmo-hlr
address = {hlr_a}
[hlr hlr-b]
id = 12
kind = osmo-hlr
address = {hlr_b}:4259
[hlr hlr-h]
id = 13
kind = http
address = http://127.0.0.1:{http_port}/provision
[region 1]
name = a
hlr = hlr-a
pool = p-a
gt_prefix = 4477001
[region 2]
name = b
hlr = hlr-b
pool = p-b
gt_prefix = 4477002
[region 3]
name = h
hlr = hlr-h
pool = p-h
gt_prefix = 4477003
[region 4]
name = e
hlr = hlr-a
pool = p-err
gt_prefix = 4477004
[pool p-a]
id = 1
region = 1
first = 447701357900
last = 447701357999
[pool p-b]
id = 2
region = 2
first = 447702468100
last = 447702468199
[pool p-h]
id = 3
region = 3
first = 447703579200
last = 447703579209
[pool p-err]
id = 4
region = 4
first = {ERR_MSISDN}
last = {ERR_MSISDN}
quarantine = 86400
""")

    def health(self):
        """{hlr name: health} from `jitsimctl --json hlr list`; the table
        of `jitsimctl hlr list` must say the same in its HEALTH column."""
        def js():
            return {h["name"]: h.get("health") for h in self.ctl_json("hlr", "list")}
        while True:
            before = js()
            rc, out, err = self.ctl("hlr", "list")
            lines = out.splitlines()
            if rc != 0 or not lines or "HEALTH" not in lines[0].split():
                raise Failure(f"jitsimctl hlr list: exit {rc}: {out}{err}")
            col = lines[0].split().index("HEALTH")
            table = {f[0]: f[col] for f in (ln.split() for ln in lines[1:]) if len(f) > col}
            # Compared only when nothing changed meanwhile.
            if js() == before:
                check(table == before, f"hlr list: table {table}, --json {before}")
                return before


def attach(a, instance, prefix, sims):
    """First attaches of @sims from a VLR under @prefix; {imsi: last update}."""
    return puts_of(fakedp(a, instance, sims, prefix, wait=40), final=True)


# --- the checks ---

def check_in_hlr(cp, ctrls, keys, sims, home, flow, puts=None):
    """@sims ACTIVE, in osmo-hlr @home as @flow wants, in no other."""
    for i in sims:
        imsi = imsi_of(i)
        s = cp.ok("sim.show", imsi=imsi)
        if not check(s["state"] == "active", f"SIM {i}: {s}"):
            continue
        if puts is not None:
            check(imsi in puts and puts[imsi]["state"] == "active" and
                  puts[imsi]["msisdn"] == (s["msisdn"] or ""),
                  f"SIM {i}: dataplane update {puts.get(imsi)} for {s}")
        info = ctrls[home].info(imsi)
        if not check(info is not None, f"SIM {i}: not in osmo-hlr {home}"):
            continue
        ki, opc = keys[i]
        if flow == "voice":
            check(s["msisdn"] is not None and info.get("msisdn") == s["msisdn"],
                  f"SIM {i}: msisdn {info.get('msisdn')} in osmo-hlr {home}, "
                  f"{s['msisdn']} in the store")
        else:
            check(s["msisdn"] is None and "msisdn" not in info,
                  f"SIM {i} (data only): msisdn {info.get('msisdn')} / {s['msisdn']}")
        # Compared, never printed: the keys are secrets even in a test log.
        check(info.get("aud3g.algo") == "MILENAGE" and info.get("aud3g.k") == ki and
              info.get("aud3g.opc") == opc, f"SIM {i}: aud3g in osmo-hlr {home} differs")
        want_cs = "1" if flow == "voice" else "0"
        check(info.get("nam_cs") == want_cs and info.get("nam_ps") == "1",
              f"SIM {i} ({flow}): nam_cs {info.get('nam_cs')} nam_ps {info.get('nam_ps')}")
        for other, c in ctrls.items():
            if other != home:
                check(c.info(imsi) is None, f"SIM {i}: also in osmo-hlr {other}")


def check_regions(cp, a, instance, ctrls, keys):
    h = cp.health()
    check(h == {"hlr-a": "idle", "hlr-b": "idle", "hlr-h": "idle"},
          f"hlr list before any order: {h}")
    puts = attach(a, instance, "4477001", A_VOICE)
    puts.update(attach(a, instance, "4477002", B_VOICE))
    # Data-only devices: a rule that matches what cp_fakedp sends (no
    # IMEI, RAT unknown) for the time of their attaches.
    cp.ok("rule.add", name="data", profile="iot", tariff="12", flow="data_only",
          rat="unknown")
    puts.update(attach(a, instance, "4477001", A_DATA))
    puts.update(attach(a, instance, "4477002", B_DATA))
    cp.ok("rule.remove", name="data")
    check_in_hlr(cp, ctrls, keys, A_VOICE, "a", "voice", puts)
    check_in_hlr(cp, ctrls, keys, A_DATA, "a", "data", puts)
    check_in_hlr(cp, ctrls, keys, B_VOICE, "b", "voice", puts)
    check_in_hlr(cp, ctrls, keys, B_DATA, "b", "data", puts)
    for i in A_VOICE + A_DATA + B_VOICE + B_DATA:
        s = cp.ok("sim.show", imsi=imsi_of(i))
        want = (11, "hlr-a") if i < 30 else (12, "hlr-b")
        check((s["hlr_id"], s["job"]["hlr"]) == want, f"SIM {i}: hlr {s}")
    h = cp.health()
    check(h == {"hlr-a": "ok", "hlr-b": "ok", "hlr-h": "idle"}, f"hlr list after: {h}")
    log(f"regions: {len(A_VOICE + A_DATA)} SIMs in osmo-hlr a, "
        f"{len(B_VOICE + B_DATA)} in osmo-hlr b, {len(A_DATA + B_DATA)} of them data only")


def check_outage(cp, a, instance, hlrs, ctrls, keys):
    st0 = cp.ok("status")["jobs"]
    ctrls["a"].close()
    # Frozen first, so that the activations are surely in flight (commands
    # sent, unanswered) when it dies.
    hlrs["a"].p.send_signal(signal.SIGSTOP)
    fdp = spawn([a.fakedp, "--instance", instance, "--visited", "447700100001", "--wait", "90",
                 *[imsi_of(i) for i in OUTAGE]],
                stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
    try:
        wait_for("outage jobs allocated",
                 lambda: cp.ok("status")["jobs"]["started"] - st0["started"] == len(OUTAGE),
                 30)
        hlrs["a"].kill()
        wait_for("hlr-a down in hlr list", lambda: cp.health()["hlr-a"] == "down", 20)
        # The orders in flight fail at once (connection reset); the next
        # ones time out (2 s) in the adapter: each job is tried at least
        # twice while osmo-hlr is down.
        wait_for("retries while osmo-hlr a is down",
                 lambda: cp.ok("status")["jobs"]["retries"] - st0["retries"] >=
                 2 * len(OUTAGE), 40)
        st = cp.ok("status")["jobs"]
        check(st["allocated"] == len(OUTAGE) and st["failed"] == st0["failed"] and
              st["done"] == st0["done"], f"jobs while osmo-hlr a is down: {st} (before {st0})")
        s = cp.ok("sim.show", imsi=imsi_of(OUTAGE[0]))
        check(s["state"] == "activating" and s["job"]["step"] == "allocated",
              f"SIM {OUTAGE[0]} while down: {s}")
        h = cp.health()
        check(h["hlr-a"] == "down" and h["hlr-b"] == "ok", f"hlr list while down: {h}")
        hlrs["a"].start()
        out, err = fdp.communicate(timeout=120)
    finally:
        if fdp.poll() is None:
            fdp.kill()
            fdp.wait()
    check(fdp.returncode == 0, f"cp_fakedp after the restart: exit {fdp.returncode} {err}")
    ctrls["a"] = Ctrl(hlrs["a"].addr)
    wait_for("hlr-a ok again", lambda: cp.health()["hlr-a"] == "ok", 20)
    st = cp.ok("status")["jobs"]
    check(st["allocated"] == 0 and st["failed"] == st0["failed"] and
          st["done"] - st0["done"] == len(OUTAGE), f"jobs after the restart: {st}")
    check_in_hlr(cp, ctrls, keys, OUTAGE, "a", "voice", puts_of(out, final=True))
    # Each SIM exactly once: one DONE job, one number, one subscriber.
    jobs = cp.ok("job.list", step="done", limit="1000")
    per = {}
    for j in jobs:
        per[j["imsi"]] = per.get(j["imsi"], 0) + 1
    check(all(per.get(imsi_of(i)) == 1 for i in OUTAGE), f"DONE jobs per SIM: {per}")
    check(not cp.ok("job.list", step="failed"), "failed jobs after the outage")
    nums = [cp.ok("sim.show", imsi=imsi_of(i))["msisdn"] for i in A_VOICE + OUTAGE]
    check(len(set(nums)) == len(nums), f"numbers handed out twice: {sorted(nums)}")
    log(f"outage: {len(OUTAGE)} jobs waited through the kill "
        f"({st['retries'] - st0['retries']} retries), all done after the restart")


def check_refused(cp, a, instance, ctrls):
    c = ctrls["a"]
    for var, val in (("subscriber.create", SQUATTER),
                     (f"subscriber.by-imsi-{SQUATTER}.msisdn", ERR_MSISDN)):
        ans = c.cmd("SET", var, val)
        if not ans.startswith("SET_REPLY"):
            raise Failure(f"CTRL SET {var}: {ans}")
    puts = attach(a, instance, "4477004", [REFUSED])
    imsi = imsi_of(REFUSED)
    s = cp.ok("sim.show", imsi=imsi)
    j = s["job"]
    check(s["state"] == "inventory" and s["msisdn"] is None and j["step"] == "failed" and
          j["reason"].endswith("msisdn: ERROR Update MSISDN failed") and
          j["msisdn"] == ERR_MSISDN, f"refused SIM: {s}")
    check(puts.get(imsi, {}).get("state") == "inventory", f"dataplane update: {puts}")
    rc, out, err = cp.ctl("job", "show", str(j["job"]))
    check(rc == 0 and "Update MSISDN failed" in out, f"jitsimctl job show: {rc} {out}{err}")
    pool = cp.ok("pool.show", name="p-err")
    check(pool["quarantined"] == 1 and pool["free"] == 0 and pool["taken"] == 0,
          f"p-err after the refusal: {pool}")
    check(c.info(SQUATTER).get("msisdn") == ERR_MSISDN, "the squatter lost its MSISDN")
    # What osmo-hlr accepted before the refusal (the subscriber, its keys)
    # is deleted again: the SIM is in inventory, so in no HLR.
    end = time.time() + 20
    while c.info(imsi) is not None and time.time() < end:
        time.sleep(0.1)
    check(c.info(imsi) is None, f"refused SIM {imsi} still in osmo-hlr: {c.info(imsi)}")
    log(f"refused: job {j['job']} FAILED: {j['reason']}")


def check_http(cp, a, instance, peer):
    puts = attach(a, instance, "4477003", HTTP_OK + [HTTP_400])
    reqs = {r["body"].get("imsi"): r for r in peer.requests()}
    for i in HTTP_OK:
        imsi = imsi_of(i)
        s = cp.ok("sim.show", imsi=imsi)
        check(s["state"] == "active" and puts.get(imsi, {}).get("state") == "active",
              f"http SIM {i}: {s}")
        r = reqs.get(imsi)
        if not check(r is not None, f"http SIM {i}: never POSTed"):
            continue
        want = {"job": s["job"]["job"], "op": "provision", "imsi": imsi,
                "msisdn": s["msisdn"], "iccid": iccid_of(i), "region": 3, "hlr": "hlr-h",
                "tariff": "basic", "flow": "voice"}
        check(r["path"] == "/provision" and r["body"] == want and
              r["key"] == f"jitsim-{s['job']['job']}-provision",
              f"http SIM {i}: POST {r}, wanted body {want}")
    s = cp.ok("sim.show", imsi=imsi_of(HTTP_400))
    j = s["job"]
    check(s["state"] == "inventory" and j["step"] == "failed" and
          "unknown tariff" in j["reason"] and "400" in j["reason"], f"http 400 SIM: {s}")
    rc, out, err = cp.ctl("job", "show", str(j["job"]))
    check(rc == 0 and "unknown tariff" in out, f"jitsimctl job show: {rc} {out}{err}")
    h = cp.health()
    check(h == {"hlr-a": "ok", "hlr-b": "ok", "hlr-h": "ok"}, f"hlr list at the end: {h}")
    log(f"http: {len(HTTP_OK)} POSTed and active; 400: {j['reason']}")


def check_readdress(cp, a, instance, hlrs, ctrls, keys):
    """hlr-b pointed at osmo-hlr a through the socket: the next orders of
    region b go there, without a restart."""
    rc, out, err = cp.ctl("hlr", "add", "hlr-b", "--hlr-id", "12", "--kind", "osmo-hlr",
                          "--address", hlrs["a"].addr)
    check(rc == 0, f"jitsimctl hlr add hlr-b: exit {rc} {out}{err}")
    h = cp.health()
    check(h["hlr-b"] == "idle" and h["hlr-a"] == "ok", f"hlr list after hlr add: {h}")
    puts = attach(a, instance, "4477002", READDRESSED)
    check_in_hlr(cp, ctrls, keys, READDRESSED, "a", "voice", puts)
    rows = {x["name"]: x for x in cp.ctl_json("hlr", "list")}
    check(rows["hlr-b"].get("health") == "ok" and
          hlrs["a"].addr + ":" in rows["hlr-b"].get("adapter", ""),
          f"hlr-b after its new address: {rows['hlr-b']}")
    log(f"readdress: {len(READDRESSED)} SIMs of region b went to osmo-hlr a")


def body(a, tmp):
    instance = f"cphlr{os.getpid()}"
    hlrs, ctrls = {}, {}
    try:
        store, kek, keys = make_store(a, tmp, N_SIMS)
        addrs = pick_net()
        for name, addr in zip(("a", "b"), addrs):
            hlrs[name] = Hlr(name, addr, os.path.join(tmp, "hlr-" + name))
            ctrls[name] = Ctrl(addr)
        peer = HttpPeer(a.http_peer, tmp)
        cp = HlrCp(a, tmp, store, kek, instance, addrs[0], addrs[1], peer.port)
        check_regions(cp, a, instance, ctrls, keys)
        check_outage(cp, a, instance, hlrs, ctrls, keys)
        check_refused(cp, a, instance, ctrls)
        check_http(cp, a, instance, peer)
        check_readdress(cp, a, instance, hlrs, ctrls, keys)
        cp.stop_ok()
        log_text = cp.log()
        for i in range(1, N_SIMS + 1):
            for k in keys[i]:
                check(k not in log_text, f"a key of SIM {i} is in jitsim-cp's log")
    finally:
        for c in ctrls.values():
            try:
                c.close()
            except OSError:
                pass


def main():
    if shutil.which("osmo-hlr") is None:
        log("cp-hlr: osmo-hlr is not installed (scripts/deps.sh): skipped")
        return 77
    return cptest.main("cp-hlr", ("cp", "ctl", "fakedp", "store", "http-peer"), body)


if __name__ == "__main__":
    sys.exit(main())
