#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-cp's SIM commands, job.retry, stats and audit.tail, end to end.

Real processes (tests/dp/harness.py): jitsim-pktgen basic.ini -> a store in
the trace's states -> jitsim-cp alone (it creates the segment), driven
through its socket and through the jitsimctl binary; then jitsim-dp replays
the trace. jitsim-cp is configured with the scenario's first region only
and no default region, so the other region's first attaches fail ("no
region") and give job.retry something to retry.

Checked:
  sim.list   paging with a small limit covers every SIM of the store exactly
             once, in IMSI order; state/tenant/region/from/to filters give
             what the store holds; every bad argument names its key.
  sim.*      lock/unlock, block/unblock (nested: a SLEEPING SIM locked,
             blocked, unblocked, unlocked is SLEEPING again with its MSISDN),
             retire (MSISDN to quarantine, refused for an ACTIVE SIM),
             the errors (EALREADY, EPERM, EOPNOTSUPP, ENOENT, EINVAL).
  dataplane  a blocked and a locked SIM whose first attach is in the trace
             get no job and stay as they are; the dataplane reports them
             (blocked_attempt audit lines); a blocked SLEEPING SIM is not
             woken.
  job.retry  a job failed for want of a region, retried with --region, ends
             ACTIVE with a number of that region's pool and an outbox
             order; the refusals (not failed, not latest, no region).
  stats      structure and figures (pool totals, quarantine, rings).
  audit.tail newest last, every socket change with who = uid:<our uid>,
             limits.
  jitsimctl  human table, --json, exit codes 0/1/2, --help.
Exit status 0 when every check holds, 1 otherwise.
"""

import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
HERE = os.path.dirname(os.path.abspath(__file__))
sys.path.insert(0, os.path.join(HERE, "..", "dp"))
sys.path.insert(0, HERE)
import harness  # noqa: E402
from harness import Failure  # noqa: E402
import cp_check  # noqa: E402
import cptest  # noqa: E402
from cptest import log  # noqa: E402
from cp_check import Cp, store_list, outbox_lines  # noqa: E402

# Numbers of the population's SLEEPING SIMs (basic.ini msisdn_sleeping):
# a pool over them makes a retired SIM's number go to quarantine.
LEGACY_FIRST, LEGACY_LAST = 447700500000, 447700509999


def write_config(path, run, store, kek, tmp, scenario):
    regions = cp_check.regions_of(scenario)
    name, prefixes, plmns = regions[0]
    first, last = cp_check.pool_range(1)
    with open(path, "w") as f:
        f.write(f"""[instance]
name = {run.instance}
store = {store}
kek = {kek}
socket = {tmp}/run/cp.sock
[outbox]
path = {tmp}/outbox.jsonl
inflight = 4
[shm]
rings = 4
event_ring = 4096
update_ring = 4096
[flow]
retries = 1
backoff = 20
[hlr hlr-main]
id = 7
[region 1]
name = {name}
hlr = hlr-main
pool = p1
gt_prefix = {','.join(prefixes)}
plmn = {','.join(plmns)}
[pool p1]
id = 1
tenant = 0
region = 1
first = {first}
last = {last}
[pool legacy]
id = 3
tenant = 0
region = 3
first = {LEGACY_FIRST}
last = {LEGACY_LAST}
quarantine = 3600
""")
    return regions


class Checker:
    def __init__(self, cp):
        self.cp = cp
        self.errors = []
        self.n = 0

    def ok(self, cond, msg):
        self.n += 1
        if not cond:
            self.errors.append(msg)
        return cond

    def result(self, cmd, **args):
        return self.cp.result(cmd, **args)

    def refused(self, cmd, reason, key=None, **args):
        """cmd must fail with @reason and an error naming @key."""
        r = self.cp.cmd(cmd, **args)
        self.ok(r.get("ok") is False and r.get("reason") == reason and
                (key is None or key in r.get("error", "")),
                f"{cmd} {args}: wanted {reason} naming '{key}', got {r}")
        return r


def imsi_key(imsi):
    """Store order: digit count, then value."""
    return (len(imsi), int(imsi))


def list_all(ck, **flt):
    """Every page of sim.list with a small limit; the rows in order."""
    rows, after, pages = [], None, 0
    while True:
        args = dict(flt, limit="7")
        if after:
            args["after"] = after
        r = ck.result("sim.list", **args)
        rows += r["sims"]
        pages += 1
        if r["next"] is None:
            return rows, pages
        if pages > 1000:
            raise Failure("sim.list: more than 1000 pages")
        after = r["next"]


def check_list(ck, recs):
    rows, pages = list_all(ck)
    imsis = [x["imsi"] for x in rows]
    ck.ok(sorted(imsis, key=imsi_key) == imsis, "sim.list: not in IMSI order")
    ck.ok(len(imsis) == len(set(imsis)), "sim.list: an IMSI twice")
    ck.ok(set(imsis) == set(recs), f"sim.list: {len(imsis)} SIMs, the store has {len(recs)}")
    for x in rows:
        r = recs.get(x["imsi"])
        if r is None:
            continue
        ck.ok(x["state"] == r["state"] and (x["msisdn"] or "-") == r["msisdn"] and
              str(x["region"]) == r["region"] and str(x["tenant"]) == r["tenant"] and
              x["iccid"] == r["iccid"],
              f"sim.list row {x} != store {r}")
        bad = [k for k in x if k in ("ki", "opc", "kic", "kid", "sealed", "secrets")]
        ck.ok(not bad, f"sim.list shows {bad}")
    for state in ("inventory", "active", "sleeping", "locked"):
        got = {x["imsi"] for x in list_all(ck, state=state)[0]}
        want = {i for i, r in recs.items() if r["state"] == state}
        ck.ok(got == want and want, f"sim.list state={state}: {len(got)}, store {len(want)}")
    got = {x["imsi"] for x in list_all(ck, tenant="0", region="0")[0]}
    want = {i for i, r in recs.items() if r["tenant"] == "0" and r["region"] == "0"}
    ck.ok(got == want, f"sim.list tenant=0 region=0: {len(got)}, store {len(want)}")
    order = sorted(recs, key=imsi_key)
    lo, hi = order[10], order[30]
    got = [x["imsi"] for x in list_all(ck, **{"from": lo, "to": hi})[0]]
    ck.ok(got == order[10:31], f"sim.list from {lo} to {hi}: {len(got)} SIMs, wanted 21")
    r = ck.result("sim.list", limit="1000")
    ck.ok(len(r["sims"]) == len(recs) and r["next"] is None,
          f"sim.list limit 1000: {len(r['sims'])} SIMs, next {r['next']}")
    r = ck.result("sim.list")
    ck.ok(len(r["sims"]) == min(100, len(recs)), f"sim.list default limit: {len(r['sims'])}")
    for args, key in (({"limit": "1001"}, "limit"), ({"limit": "0"}, "limit"),
                      ({"limit": "x"}, "limit"), ({"state": "awake"}, "state"),
                      ({"from": "12"}, "from"), ({"to": "00101abc"}, "to"),
                      ({"after": "1234567890123456"}, "after"), ({"tenant": "70000"}, "tenant"),
                      ({"region": "-1"}, "region"), ({"from": hi, "to": lo}, "from")):
        ck.refused("sim.list", "EINVAL", key, **args)
    log(f"sim.list: {len(rows)} SIMs in {pages} pages of 7")


def pick(recs, sims, state, event=None, region=None, n=1, exclude=()):
    out = []
    for imsi in sorted(recs, key=imsi_key):
        s = sims.get(imsi, {})
        ev = s.get("event")
        if imsi in exclude or recs[imsi]["state"] != state:
            continue
        if event == "none" and ev not in (None, "none"):
            continue
        if event not in (None, "none") and ev not in (event if isinstance(event, tuple)
                                                     else (event,)):
            continue
        if region is not None and s.get("region") != region:
            continue
        out.append(imsi)
        if len(out) == n:
            return out
    raise Failure(f"no SIM in state {state} with event {event} region {region}")


def check_changes(ck, recs, sims, regions, ib):
    """Socket changes before the dataplane starts; the SIMs used, by role."""
    uid = f"uid:{os.getuid()}"
    eu = regions[0][0]
    used = {ib}
    a, b = pick(recs, sims, "inventory", "first_attach", eu, n=2)
    used |= {a, b}
    c = pick(recs, sims, "sleeping", ("reattach", "wakeup"), exclude=used)[0]
    used.add(c)
    d = pick(recs, sims, "sleeping", "none", exclude=used)[0]
    used.add(d)
    e = pick(recs, sims, "inventory", "none", exclude=used)[0]
    used.add(e)
    f = pick(recs, sims, "sleeping", "none", exclude=used)[0]
    used.add(f)
    h = pick(recs, sims, "active", exclude=used)[0]
    used.add(h)
    lk = pick(recs, sims, "locked", "none", exclude=used | {i for i, r in recs.items()
                                                           if r["msisdn"] != "-"})[0]
    used.add(lk)
    rv = pick(recs, sims, "inventory", "none", exclude=used)[0]
    used.add(rv)

    r = ck.result("sim.block", imsi=a)
    ck.ok(r["from"] == "inventory" and r["state"] == "blocked" and r["imsi"] == a,
          f"sim.block {a}: {r}")
    last = ck.result("audit.tail", limit="1")
    ck.ok(len(last) == 1 and last[0]["what"] == "sim.block" and last[0]["who"] == uid and
          last[0]["fields"].get("imsi") == a and last[0]["fields"].get("from") == "inventory",
          f"audit.tail after sim.block: {last}")
    ck.refused("sim.block", "EALREADY", a, imsi=a)
    r = ck.result("sim.lock", imsi=b)
    ck.ok(r["from"] == "inventory" and r["state"] == "locked", f"sim.lock {b}: {r}")
    ck.refused("sim.lock", "EALREADY", b, imsi=b)
    ck.refused("sim.unblock", "EPERM", b, imsi=b)

    # C: SLEEPING, blocked then unblocked: SLEEPING with its number, then
    # blocked again for the dataplane run (its reattach must not wake it).
    r = ck.result("sim.block", imsi=c)
    ck.ok(r["from"] == "sleeping" and r["msisdn"] == recs[c]["msisdn"], f"sim.block {c}: {r}")
    r = ck.result("sim.unblock", imsi=c)
    ck.ok(r["from"] == "blocked" and r["state"] == "sleeping" and
          r["msisdn"] == recs[c]["msisdn"], f"sim.unblock {c}: {r}")
    ck.result("sim.block", imsi=c)

    # D: SLEEPING -> locked -> blocked -> unblock (locked) -> unlock (sleeping).
    steps = [("sim.lock", "locked"), ("sim.block", "blocked"), ("sim.unlock", None),
             ("sim.unblock", "locked"), ("sim.unlock", "sleeping")]
    for cmd, want in steps:
        if want is None:
            ck.refused(cmd, "EPERM", "unblock it first", imsi=d)
            continue
        r = ck.result(cmd, imsi=d)
        ck.ok(r["state"] == want, f"{cmd} {d}: {r}, wanted {want}")
    s = ck.result("sim.show", imsi=d)
    ck.ok(s["state"] == "sleeping" and s["msisdn"] == recs[d]["msisdn"],
          f"sim.show {d} after lock/block/unblock/unlock: {s}")

    # E: INVENTORY retired; F: SLEEPING with a pool number retired (quarantine).
    before = ck.result("stats")["pools"]
    r = ck.result("sim.retire", imsi=e)
    ck.ok(r["state"] == "retired" and r["released"] is None, f"sim.retire {e}: {r}")
    ck.refused("sim.retire", "EALREADY", e, imsi=e)
    ck.refused("sim.block", "EPERM", e, imsi=e)
    ck.refused("sim.lock", "EPERM", e, imsi=e)
    r = ck.result("sim.retire", imsi=f)
    ck.ok(r["state"] == "retired" and r["released"] == recs[f]["msisdn"] and
          r["msisdn"] is None, f"sim.retire {f}: {r}")
    after = ck.result("stats")["pools"]
    ck.ok(after["quarantined"] == before["quarantined"] + 1 and
          after["taken"] == before["taken"] - 1,
          f"stats.pools before retire {before}, after {after}")

    # H: ACTIVE: no lock, no retire; blocked and unblocked back to ACTIVE.
    ck.refused("sim.retire", "EOPNOTSUPP", "deprovision", imsi=h)
    ck.refused("sim.lock", "EPERM", h, imsi=h)
    ck.refused("sim.unlock", "EPERM", h, imsi=h)
    ck.result("sim.block", imsi=h)
    ck.refused("sim.retire", "EOPNOTSUPP", "was active", imsi=h)
    ck.refused("sim.unblock", "EINVAL", "state", imsi=h, state="sleeping")
    r = ck.result("sim.unblock", imsi=h)
    ck.ok(r["state"] == "active" and r["msisdn"] == recs[h]["msisdn"], f"unblock {h}: {r}")

    # IB: ACTIVE, set BLOCKED offline (jitsim-store set) before jitsim-cp
    # started: the record does not say what to unblock into.
    ck.refused("sim.unblock", "EINVAL", "state", imsi=ib)
    ck.refused("sim.retire", "EOPNOTSUPP", "does not say", imsi=ib)
    r = ck.result("sim.unblock", imsi=ib, state="active")
    ck.ok(r["state"] == "active" and r["msisdn"] == recs[ib]["msisdn"], f"unblock {ib}: {r}")

    # RV: a number reserved for an INVENTORY SIM is freed when it retires.
    num = str(cp_check.pool_range(1)[1])
    ck.result("pool.reserve", msisdn=num, imsi=rv)
    r = ck.result("sim.retire", imsi=rv)
    ck.ok(r["state"] == "retired" and r["unreserved"] == num and r["released"] is None,
          f"sim.retire {rv} holding a reservation of {num}: {r}")
    ck.result("pool.reserve", msisdn=num, imsi=lk)

    # LK: imported LOCKED without a number: unlocked into INVENTORY.
    ck.refused("sim.unlock", "EINVAL", "state", imsi=lk, state="active")
    r = ck.result("sim.unlock", imsi=lk)
    ck.ok(r["state"] == "inventory", f"sim.unlock {lk} (imported locked): {r}")

    for cmd in ("sim.lock", "sim.unlock", "sim.block", "sim.unblock", "sim.retire"):
        ck.refused(cmd, "EINVAL", "imsi")
        ck.refused(cmd, "EINVAL", "imsi", imsi="1234")
        ck.refused(cmd, "EINVAL", "imsi", imsi="0010100001x0001")
        ck.refused(cmd, "EINVAL", "imsi", imsi="0010100001000012")
        ck.refused(cmd, "ENOENT", "001019999999999", imsi="001019999999999")
    ck.refused("sim.unblock", "EINVAL", "state", imsi=a, state="awake")
    ck.refused("sim.block", "EINVAL", "state", imsi=a, state="sleeping")

    lines = ck.result("audit.tail", limit="1000")
    mine = [x for x in lines if x["what"].startswith("sim.")]
    ck.ok(len(mine) == 16, f"audit: {len(mine)} sim.* lines, wanted 16 (the changes made)")
    ck.ok(all(x["who"] == uid and "pid" in x["fields"] for x in mine),
          f"audit: sim.* lines not all from {uid}: {mine[:2]}")
    ts = [x["ts"] for x in lines]
    ck.ok(ts == sorted(ts), "audit.tail: not oldest first")
    ck.ok(len(ck.result("audit.tail")) == min(20, len(lines)), "audit.tail default limit")
    for lim in ("0", "1001", "x"):
        ck.refused("audit.tail", "EINVAL", "limit", limit=lim)
    return {"blocked": a, "locked": b, "sleeping_blocked": c, "relocked": d, "retired": e,
            "retired_numbered": f, "active": h, "unlocked": lk}


def run_ctl(a, sock, *args):
    p = subprocess.run([a.ctl, "--socket", sock, *args], capture_output=True, text=True,
                       timeout=60)
    return p.returncode, p.stdout, p.stderr


def check_jitsimctl(ck, a, sock, roles):
    rc, out, err = run_ctl(a, sock, "sim", "list", "--limit", "5")
    lines = out.splitlines()
    ck.ok(rc == 0 and lines and lines[0].strip().startswith("sims:") and
          "IMSI" in lines[1] and "STATE" in lines[1] and "MSISDN" in lines[1] and
          len([x for x in lines if x.startswith("  0")]) == 5,
          f"jitsimctl sim list: exit {rc}\n{out}{err}")
    rc, out, err = run_ctl(a, sock, "--json", "sim", "list", "--state", "blocked")
    try:
        j = json.loads(out)
    except ValueError:
        j = None
    ck.ok(rc == 0 and j is not None and
          {x["imsi"] for x in j["sims"]} >= {roles["blocked"], roles["sleeping_blocked"]},
          f"jitsimctl --json sim list --state blocked: exit {rc}\n{out}{err}")
    rc, out, err = run_ctl(a, sock, "sim", "block", "12")
    ck.ok(rc == 1 and "imsi" in err, f"jitsimctl sim block 12: exit {rc} {err}")
    rc, out, err = run_ctl(a, sock, "sim", "block")
    ck.ok(rc == 2, f"jitsimctl sim block (no IMSI): exit {rc} {err}")
    rc, out, err = run_ctl(a, sock, "sim", "lock", roles["retired"])
    ck.ok(rc == 1 and "EPERM" in err + out, f"jitsimctl sim lock (retired): exit {rc} {err}")
    rc, out, err = run_ctl(a, sock, "sim", "retire", "--help")
    ck.ok(rc == 0 and "sim retire IMSI" in out + err, f"jitsimctl sim retire --help: {rc}")
    rc, out, err = run_ctl(a, sock, "stats")
    ck.ok(rc == 0 and "control_plane:" in out and "dataplane:" in out and "pools:" in out,
          f"jitsimctl stats: exit {rc}\n{out}{err}")
    rc, out, err = run_ctl(a, sock, "--json", "audit", "tail", "--limit", "3")
    ck.ok(rc == 0 and len(json.loads(out or "[]")) == 3, f"jitsimctl audit tail: {rc} {err}")
    rc, out, err = run_ctl(a, sock, "audit", "tail", "--limit", "1001")
    ck.ok(rc == 1 and "limit" in err, f"jitsimctl audit tail --limit 1001: exit {rc} {err}")
    rc, out, err = run_ctl(a, sock, "job", "retry", "999999")
    ck.ok(rc == 1 and "999999" in err, f"jitsimctl job retry 999999: exit {rc} {err}")
    rc, out, err = run_ctl(a, sock, "sim", "unblock", roles["relocked"])
    ck.ok(rc == 1 and "not blocked" in err, f"jitsimctl sim unblock (sleeping): {rc} {err}")


def wait_caught_up(cp, dp, totals, what):
    st = dp.wait_stats(lambda s: s["frames"] >= totals["frames"], "all frames")
    delivered = st["events_total"] - st["ring_drops_total"]
    end = time.time() + 60
    while True:
        s = cp.result("status")
        if sum(s["events"].values()) >= delivered and s["jobs"]["allocated"] == 0 and \
           s["dataplane"]["update_seq_applied"] == s["dataplane"]["update_seq_sent"]:
            return st
        if time.time() > end:
            raise Failure(f"{what}: cp never caught up: {delivered} events, status {s}")
        time.sleep(0.1)


def check_after_trace(ck, roles, sims, regions, before):
    eu = regions[0][0]
    lines = ck.result("audit.tail", limit="1000")
    attempts = {x["fields"].get("imsi") for x in lines if x["what"] == "blocked_attempt"}
    for role in ("blocked", "locked"):
        imsi = roles[role]
        s = ck.result("sim.show", imsi=imsi)
        ck.ok(s["state"] == role and "job" not in s and s["msisdn"] is None,
              f"{role} SIM {imsi} after its first attach: {s}")
        ck.ok(imsi in attempts, f"{role} SIM {imsi}: no blocked_attempt audit line")
    c = roles["sleeping_blocked"]
    s = ck.result("sim.show", imsi=c)
    ck.ok(s["state"] == "blocked" and "job" not in s and s["msisdn"] == before[c]["msisdn"],
          f"blocked SLEEPING SIM {c} after its {sims[c]['event']}: {s}")
    # The first attaches of the configured region, not blocked: ACTIVE.
    done = [i for i, x in sims.items() if x["event"] == "first_attach" and
            x.get("region") == eu and i not in roles.values()]
    act = [i for i in done if ck.result("sim.show", imsi=i)["state"] == "active"]
    ck.ok(done and len(act) == len(done), f"{len(act)} of {len(done)} {eu} SIMs active")
    return len(act)


def check_retry(ck, a, tmp, sims, regions, roles):
    other = regions[1][0]
    cands = [i for i, x in sims.items() if x["event"] == "first_attach" and
             x.get("region") == other and i not in roles.values()]
    if not ck.ok(cands, f"no first attach in region {other}"):
        return
    x = cands[0]
    s = ck.result("sim.show", imsi=x)
    if not ck.ok(s["state"] == "inventory" and s.get("job", {}).get("step") == "failed" and
                 "region" in s["job"]["reason"], f"SIM {x} of region {other}: {s}"):
        return
    old = s["job"]["job"]
    ck.refused("job.retry", "EINVAL", "region", job=str(old))
    ck.refused("job.retry", "ENOENT", "region", job=str(old), region="2")
    ck.refused("job.retry", "EINVAL", "region", job=str(old), region="0")
    ck.refused("job.retry", "EINVAL", "job", job="x1")
    ck.refused("job.retry", "EINVAL", "job")
    ck.refused("job.retry", "ENOENT", "999999", job="999999")
    done = ck.result("job.list", step="done", limit="1")
    if done:
        ck.refused("job.retry", "EPERM", "done", job=str(done[0]["job"]))
    earlier = [j for j in ck.result("job.list", step="failed", limit="1000")
               if j["imsi"] == x and j["job"] != old]
    if earlier:
        ck.refused("job.retry", "EPERM", "not the latest", job=str(earlier[0]["job"]))
    j = ck.result("job.retry", job=str(old), region="1")
    ck.ok(j["retry_of"] == old and j["job"] > old and j["region"] == 1 and
          j["hlr"] == "hlr-main" and j["imsi"] == x, f"job.retry {old}: {j}")
    end = time.time() + 30
    while True:
        s = ck.result("sim.show", imsi=x)
        if s["state"] == "active" or time.time() > end:
            break
        time.sleep(0.1)
    ck.ok(s["state"] == "active" and cp_check.in_pool(s["msisdn"], 1) and
          s["job"]["job"] == j["job"] and s["job"]["step"] == "done",
          f"SIM {x} after job.retry: {s}")
    ck.ok(any(o["imsi"] == x and o["job"] == j["job"] for o in outbox_lines(tmp)),
          f"no outbox order for job {j['job']}")
    ck.refused("job.retry", "EPERM", x, job=str(old))
    lines = ck.result("audit.tail", limit="50")
    ck.ok(any(y["what"] == "job.retry" and y["fields"].get("job") == old and
              y["fields"].get("new_job") == j["job"] and y["who"] == f"uid:{os.getuid()}"
              for y in lines), "no job.retry audit line")
    log(f"job.retry: job {old} of {x} -> job {j['job']}, {s['state']} {s['msisdn']}")


def check_stats(ck, after):
    st = ck.result("stats")
    cpst, pools, dp = st["control_plane"], st["pools"], st["dataplane"]
    in_pools = sum(1 for r in after.values() if r["msisdn"] != "-" and
                   (cp_check.in_pool(r["msisdn"], 1) or
                    LEGACY_FIRST <= int(r["msisdn"]) <= LEGACY_LAST))
    ck.ok(pools["count"] == 2 and pools["taken"] == in_pools and pools["quarantined"] == 1 and
          pools["reserved"] == 1 and
          pools["size"] == 20000 and
          pools["free"] == pools["size"] - pools["taken"] - pools["quarantined"] -
          pools["reserved"], f"stats.pools {pools}, {in_pools} numbers in use in the store")
    ck.ok(cpst["jobs"]["done_total"] >= 1 and cpst["jobs"]["live"] == 0 and
          cpst["events"]["blocked_attempt"] >= 2 and cpst["handling"]["no_region"] >= 1,
          f"stats.control_plane {cpst}")
    ck.ok(dp["ready"] is True and len(dp["event_rings"]) == 4 and
          dp["update_ring"]["capacity"] == 4095 and
          dp["update_seq_applied"] == dp["update_seq_sent"], f"stats.dataplane {dp}")
    ck.ok(st["control_socket"]["requests"] > 50 and st["control_socket"]["errors"] > 10,
          f"stats.control_socket {st['control_socket']}")


def check(a, tmp):
    out = os.path.join(tmp, "gen")
    store = harness.scenario_setup(a, a.scenario, out)
    kek = os.path.join(out, "kek")
    sims, _, totals = harness.load_truth(os.path.join(out, "expected.jsonl"))
    # One ACTIVE SIM set BLOCKED offline: a record that does not say what
    # it was blocked in.
    ib = pick(store_list(a, store), sims, "active", "none")[0]
    subprocess.run([a.store, "set", "--store", store, "--kek", kek, "-"], check=True,
                   input=f"{ib} blocked\n", capture_output=True, text=True)
    before = store_list(a, store)
    run = harness.Run(a, tmp)
    try:
        conf = os.path.join(tmp, "cp.conf")
        regions = write_config(conf, run, store, kek, tmp, a.scenario)
        sock = os.path.join(tmp, "run", "cp.sock")
        cp = Cp(run, a, conf, sock, 0)
        cp.wait_ready()
        ck = Checker(cp)
        check_list(ck, before)
        roles = check_changes(ck, before, sims, regions, ib)
        check_jitsimctl(ck, a, sock, roles)
        n0 = len(ck.errors)
        check_list(ck, store_list(a, store))
        ck.ok(len(ck.errors) == n0, "sim.list after the changes differs from the store")

        dp = run.dp(os.path.join(out, "trace.pcap"), opts=["--store", store])
        dp.wait_ready()
        wait_caught_up(cp, dp, totals, "trace")
        active = check_after_trace(ck, roles, sims, regions, before)
        check_retry(ck, a, tmp, sims, regions, roles)
        check_stats(ck, store_list(a, store))
        rows, _ = list_all(ck)
        ck.ok(len(rows) == len(before) and len({x["imsi"] for x in rows}) == len(before),
              f"sim.list at the end: {len(rows)} rows for {len(before)} SIMs")
        rc_dp, _ = dp.stop()
        rc_cp = cp.stop()
        ck.ok(rc_cp == 0, f"jitsim-cp exit status {rc_cp}:\n{cp.log()[-2000:]}")
        ck.ok(rc_dp == 0, f"jitsim-dp exit status {rc_dp}")
    finally:
        run.close()
    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    ck.ok(p.returncode == 0, f"jitsim-store check: exit {p.returncode}: {p.stderr[-1000:]}")
    log(f"cp-ctl-sim: {len(before)} SIMs, {active} activated, {ck.n} checks, "
        f"{len(ck.errors)} problems")
    return ck.errors


if __name__ == "__main__":
    sys.exit(cptest.harness_main(
        __doc__, ("cp", "dp", "shm", "store", "pktgen", "decoder", "ctl", "scenario"), check,
        "jitsim-ctlsim-"))
