#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""`make demo`, step 7: what jitsim did with the trace, for an operator,
checked against the scenario's ground truth.

  demo_report.py --dir DIR --build BUILD --ctl JITSIMCTL --http-url URL
                 --hlr NAME=HLR_DB=ADDRESS ...

Reads, in DIR: expected.jsonl and population.csv (jitsim-pktgen),
offered.json (demo_replay.py), stats-before.txt (jitsim-store stats before
the run), pools-before.json (`jitsimctl --json pool show` of each pool
before the run, one after the other), dp-final.txt (jitsim-dp's final
line), outbox.jsonl, cp.conf, hlr-jp.token. Asks jitsim-cp (jitsimctl, JITSIM_SOCKET) for the
regions, HLRs, rules and pools, reads the store's audit log and SIM
records (jitsim-store, a read-only secondary while jitsim-cp runs), the
osmo-hlr databases (SQLite, read-only) and CTRL interfaces, and the HTTP
API's /stats.

Latency, "detection to provisioned": for each SIM activated in the run,
from the moment the replay offered its first triggering frame to
jitsim-dp's port (offered.json) to the moment jitsim-cp committed the SIM
ACTIVE (the `activate` line of the audit log, microseconds, written in
the commit that follows the HLR's confirmation). It includes the
dataplane's decode and lookup, the event ring, the job's journal commit,
the HLR's round trip and the final commit. It is split at the job's
journal commit (audit `allocate`).

It writes what the HLRs hold and how many SIMs sleep to DIR/report.json.
With --after-sweep it reports a sleep sweep run since: the SIMs it put to
sleep (audit `sleep` lines) against what each HLR lost and the sleeping
count gained.

Exit status 0 when the outcome matches the ground truth: every SIM that
attached or was called is ACTIVE, the sleeping ones with the number they
had, no number on two SIMs, nothing failed, locked SIMs untouched, no
premium number handed out; 1 otherwise (the mismatches are listed).
"""
import argparse
import collections
import configparser
import datetime
import json
import os
import socket
import sqlite3
import struct
import subprocess
import sys
import urllib.request

EVENTS_ACT = ("first_attach", "reattach", "wakeup")


def fail(msg):
    sys.exit(f"demo_report: {msg}")


def run(args):
    p = subprocess.run(args, capture_output=True, text=True)
    if p.returncode != 0:
        fail(f"{' '.join(args[:3])}...: exit {p.returncode}: {p.stderr.strip()[:300]}")
    return p.stdout


def ctl_json(a, *args):
    return json.loads(run([a.ctl, "--json", *args]))


def ts_of(s):
    """Audit timestamp 2026-11-26T10:00:28.576267Z -> Unix seconds."""
    d = datetime.datetime.strptime(s, "%Y-%m-%dT%H:%M:%S.%fZ")
    return d.replace(tzinfo=datetime.timezone.utc).timestamp()


def pct(xs, p):
    """Nearest-rank percentile of a sorted list."""
    if not xs:
        return None
    k = max(0, min(len(xs) - 1, -(-len(xs) * p // 100) - 1))
    return xs[int(k)]


def ms(x):
    if x is None:
        return "-"
    return f"{x * 1000:,.0f} ms" if x < 10 else f"{x:,.1f} s"


def table(rows, indent="   "):
    """rows[0] is the header; numbers right-aligned."""
    w = [max(len(str(r[i])) for r in rows) for i in range(len(rows[0]))]
    for r in rows:
        cells = []
        for i, c in enumerate(r):
            s = str(c)
            num = isinstance(c, int) or (s[:1].isdigit() and i > 0)
            cells.append(s.rjust(w[i]) if num else s.ljust(w[i]))
        print(indent + "  ".join(cells).rstrip())


def n(x):
    return f"{x:,}"


class Ctrl:
    """osmo-hlr CTRL (IPA: 2-byte length, 0xEE, 0x00, ASCII)."""

    def __init__(self, host):
        self.s = socket.create_connection((host, 4259), 5)
        self.buf = b""

    def get(self, var):
        txt = f"GET 1 {var}".encode()
        self.s.sendall(struct.pack(">HBB", len(txt) + 1, 0xEE, 0x00) + txt)
        while True:
            while len(self.buf) < 3 or len(self.buf) < 3 + struct.unpack(">H", self.buf[:2])[0]:
                d = self.s.recv(65536)
                if not d:
                    raise EOFError("osmo-hlr closed the CTRL connection")
                self.buf += d
            ln = struct.unpack(">H", self.buf[:2])[0]
            proto, msg = self.buf[2], self.buf[3:3 + ln]
            self.buf = self.buf[3 + ln:]
            if proto == 0xEE and msg[:1] == b"\x00":
                return msg[1:].decode(errors="replace")

    def close(self):
        self.s.close()


def osmo_count(db):
    """Subscribers in an osmo-hlr database (read-only; osmo-hlr may run)."""
    con = sqlite3.connect(f"file:{db}?mode=ro", uri=True, timeout=10)
    try:
        return con.execute("SELECT count(*) FROM subscriber").fetchone()[0]
    finally:
        con.close()


def http_stats(a):
    token = open(os.path.join(a.dir, "hlr-jp.token")).read().strip()
    url = a.http_url.rsplit("/", 1)[0] + "/stats"
    req = urllib.request.Request(url, headers={"Authorization": f"Bearer {token}"})
    with urllib.request.urlopen(req, timeout=10) as r:
        return json.load(r)


def outbox_orders(path):
    """{op: {job ids}} of the outbox file."""
    ops = collections.defaultdict(set)
    for line in open(path):
        o = json.loads(line)
        ops[o["op"]].add(o["job"])
    return ops


def count_sleeping(a):
    """What `jitsimctl sim list --state sleeping` gives, page by page."""
    total, after = 0, None
    while True:
        args = ["sim", "list", "--state", "sleeping", "--limit", "1000"]
        page = ctl_json(a, *args, *(["--after", after] if after else []))
        total += len(page["sims"])
        after = page.get("next")
        if not after:
            return total


def after_sweep(a):
    """The sleep sweep: what each HLR holds now against report.json."""
    before = json.load(open(os.path.join(a.dir, "report.json")))
    st = ctl_json(a, "sleep", "status")
    sw = st["sweep"]
    slept, failed = collections.Counter(), []
    out = run([os.path.join(a.build, "tools", "jitsim-store"), "audit", "--store",
               os.path.join(a.dir, "store")])
    for line in out.splitlines():
        x = json.loads(line)
        if x.get("who") == "jitsim-cp" and x.get("what") == "sleep":
            slept[x["hlr"]] += 1
        elif x.get("who") == "jitsim-cp" and x.get("what") == "sleep_failed":
            failed.append(x)
    problems = [f"sleep job {x['job']} failed: {x['reason']}" for x in failed]
    skipped = (f" ({n(sw['no_hlr'])} skipped: active before jitsim, no HLR job to undo)"
               if sw.get("no_hlr") else "")
    print(f"   The sweep picked {n(sw['picked'])} SIMs and put {n(sum(slept.values()))} "
          f"to sleep{skipped}.")
    for spec in a.hlr:
        name, db, _ = spec.split("=", 2)
        now = osmo_count(db)
        print(f"   {name} (osmo-hlr): {n(before['osmo'][name])} -> {n(now)} subscribers "
              f"({n(slept[name])} slept)")
        if before["osmo"][name] - now != slept[name]:
            problems.append(f"{name}: {before['osmo'][name]} -> {now} subscribers, "
                            f"{slept[name]} slept")
    hs = http_stats(a)
    http_now = sum(hs["subscribers"].values())
    for name, kind in before["kinds"].items():
        if kind == "http":
            print(f"   {name} (HTTP API): {n(before['http'])} -> {n(http_now)} subscribers "
                  f"({n(slept[name])} slept)")
            if before["http"] - http_now != slept[name]:
                problems.append(f"{name}: {before['http']} -> {http_now}, {slept[name]} slept")
        elif kind == "outbox":
            dep = len(outbox_orders(os.path.join(a.dir, "outbox.jsonl"))["deprovision"])
            print(f"   {name} (outbox): {n(dep)} deprovision orders ({n(slept[name])} slept)")
            if dep != slept[name]:
                problems.append(f"{name}: {dep} deprovision orders, {slept[name]} slept")
    sleeping = count_sleeping(a)
    print(f"   Sleeping SIMs: {n(before['sleeping'])} -> {n(sleeping)} "
          f"(jitsimctl sim list --state sleeping); their numbers are kept for their wake-up.")
    if sleeping - before["sleeping"] != sum(slept.values()):
        problems.append(f"sleeping {before['sleeping']} -> {sleeping}, "
                        f"{sum(slept.values())} slept")
    notes = hs.get("notifications", {})
    if notes:
        print("   Billing/CRM notifications received so far: "
              + ", ".join(f"{k} {n(v)}" for k, v in sorted(notes.items())))
    if problems:
        print(f"   result: {len(problems)} MISMATCHES:")
        for p in problems[:20]:
            print(f"     {p}")
        sys.exit(1)
    print("   result: every HLR lost exactly the subscribers jitsim put to sleep")


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--dir", required=True)
    ap.add_argument("--build", required=True)
    ap.add_argument("--ctl", required=True)
    ap.add_argument("--http-url", required=True)
    ap.add_argument("--hlr", action="append", default=[], help="NAME=SQLITE_DB=CTRL_ADDRESS")
    ap.add_argument("--after-sweep", action="store_true",
                    help="what a sleep sweep did since the report (report.json)")
    a = ap.parse_args()
    if a.after_sweep:
        return after_sweep(a)
    d = a.dir
    P = lambda f: os.path.join(d, f)  # noqa: E731
    store_bin = os.path.join(a.build, "tools", "jitsim-store")
    problems = []

    # --- ground truth and the run's inputs ---
    truth, pop = {}, {}
    for line in open(P("expected.jsonl")):
        t = json.loads(line)
        if t["type"] == "sim":
            truth[t["imsi"]] = t
        elif t["type"] == "totals":
            totals = t
    with open(P("population.csv")) as f:
        next(f)
        for line in f:
            imsi, _, state, msisdn = line.rstrip("\n").split(",")
            pop[imsi] = (state, msisdn)
    offered = {int(k): v for k, v in json.load(open(P("offered.json")))["offered"].items()}
    conf = configparser.ConfigParser(inline_comment_prefixes=("#", ";"))
    conf.read(P("cp.conf"))
    default_tariff = (int(conf["flow"]["default_tariff"]), conf["flow"]["default_profile"])

    regions = {r["id"]: r for r in ctl_json(a, "region", "list")}
    hlrs = {h["name"]: h for h in ctl_json(a, "hlr", "list")}
    tariffs = {r["tariff"]: r["profile"] for r in ctl_json(a, "rule", "list")}
    tariffs.setdefault(default_tariff[0], default_tariff[1])

    # --- the audit log: what jitsim-cp did, with microsecond times ---
    alloc, act, failed_lines = {}, {}, []
    out = run([store_bin, "audit", "--store", P("store")])
    for line in out.splitlines():
        x = json.loads(line)
        if x.get("who") != "jitsim-cp":
            continue
        what = x.get("what")
        if what == "allocate":
            alloc.setdefault(x["imsi"], ts_of(x["ts"]))
        elif what == "activate":
            act.setdefault(x["imsi"], (ts_of(x["ts"]), x))
        elif what == "activate_failed":
            failed_lines.append(x)

    # --- SIM records now ---
    now = {}
    for line in run([store_bin, "list", "--store", P("store")]).splitlines():
        f = dict(kv.split("=", 1) for kv in line.split())
        now[f["imsi"]] = f
    before_states = collections.Counter(s for s, _ in pop.values())
    after_states = collections.Counter(f["state"] for f in now.values())

    # === 1. activations by region and tariff ===
    print("   SIMs activated at their first attach, by region (its HLR) and tariff:")
    by = collections.defaultdict(collections.Counter)
    woken = collections.Counter()
    for imsi, (t, x) in act.items():
        ev = truth.get(imsi, {}).get("event")
        if ev == "first_attach":
            by[x["region"]][x["tariff"]] += 1
        elif ev in ("reattach", "wakeup"):
            woken[(x["region"], ev)] += 1
    tcols = sorted({t for c in by.values() for t in c})
    rows = [["REGION", "HLR"] + [f"{tariffs.get(t, '?')} ({t})" for t in tcols] + ["TOTAL"]]
    for rid in sorted(by):
        r = regions.get(rid, {"name": f"region {rid}", "hlr": "?"})
        h = hlrs.get(r["hlr"], {})
        rows.append([r["name"], f"{r['hlr']} ({h.get('kind', '?')})"] +
                    [n(by[rid][t]) for t in tcols] + [n(sum(by[rid].values()))])
    rows.append(["total", ""] + [n(sum(by[r][t] for r in by)) for t in tcols] +
                [n(sum(sum(c.values()) for c in by.values()))])
    table(rows)
    print("   (tariff: device rule lte-smartphone = IMEI TAC 35209900-35209999 on LTE, as S6a ULR")
    print(f"    carries it; {default_tariff[1]} = the default: MAP and S6a AIR carry no IMEI)")

    # === 2. sleeping SIMs ===
    n_re = sum(v for (r, e), v in woken.items() if e == "reattach")
    n_mt = sum(v for (r, e), v in woken.items() if e == "wakeup")
    kept = sum(1 for imsi in act if truth.get(imsi, {}).get("event") in ("reattach", "wakeup")
               and now[imsi]["msisdn"] == pop[imsi][1])
    print(f"\n   Sleeping SIMs woken: {n(n_re + n_mt)} ({n(n_re)} attached again, {n(n_mt)} "
          f"called: MT wake-up by SRI/SRI-SM);\n   {n(kept)} of them kept the number they had.")
    sleeping_ctl = count_sleeping(a)
    print(f"   Sleeping SIMs: {n(before_states['sleeping'])} before the run, "
          f"{n(sleeping_ctl)} now (jitsimctl sim list --state sleeping).")

    # === 3. numbers per pool ===
    print("\n   Numbers per pool (premium = gold/platinum classes: never handed out automatically):")
    pb, text, dec, at = {}, open(P("pools-before.json")).read(), json.JSONDecoder(), 0
    while True:  # one indented JSON object per pool, one after the other
        while at < len(text) and text[at].isspace():
            at += 1
        if at == len(text):
            break
        p, at = dec.raw_decode(text, at)
        pb[p["name"]] = p
    rows = [["POOL", "REGION", "SIZE", "TAKEN BEFORE", "TAKEN NOW", "FREE",
             "GOLD FREE", "PLATINUM FREE"]]
    for name in pb:
        p = ctl_json(a, "pool", "show", name, "--by-class", "yes")
        fb, fa = pb[name]["free_by_class"], p["free_by_class"]
        r = regions.get(p["region"], {"name": str(p["region"])})
        rows.append([name, r["name"], n(p["size"]), n(pb[name]["taken"]), n(p["taken"]),
                     n(p["free"]), f"{n(fa['gold'])} of {n(fb['gold'])}",
                     f"{n(fa['platinum'])} of {n(fb['platinum'])}"])
        for c in ("gold", "platinum", "vanity"):
            if fa.get(c, 0) != fb.get(c, 0):
                problems.append(f"pool {name}: free {c} numbers {fb.get(c)} -> {fa.get(c)}")
    table(rows)
    if not any("free gold" in p or "free platinum" in p for p in problems):
        print("   Premium numbers untouched: every gold and platinum number is still free.")

    # === 4. the HLRs: what each one holds now ===
    print("\n   What the HLRs hold now (asked from each of them):")
    per_hlr = collections.Counter(x["hlr"] for _, x in act.values())
    osmo_subs = {}
    for spec in a.hlr:
        name, db, addr = spec.split("=", 2)
        subs = osmo_subs[name] = osmo_count(db)
        line = (f"   {name} (osmo-hlr, CTRL {addr}): {n(subs)} subscribers in its database, "
                f"{n(per_hlr[name])} activations by jitsim")
        sample = next((i for i, (_, x) in act.items() if x["hlr"] == name), None)
        if sample is not None:
            c = Ctrl(addr)
            try:
                info = c.get(f"subscriber.by-imsi-{sample}.info")
            finally:
                c.close()
            # `info` (not info-all): identity and flags only, no key material.
            kv = dict(ln.split("\t", 1) for ln in info.split("\n")[0:] if "\t" in ln)
            ok = kv.get("msisdn") == now[sample]["msisdn"]
            line += (f"\n     CTRL GET subscriber.by-imsi-{sample}.info: msisdn "
                     f"{kv.get('msisdn', '?')}, nam_cs {kv.get('nam_cs', '?')}, nam_ps "
                     f"{kv.get('nam_ps', '?')} ({'as jitsim says' if ok else 'MISMATCH'})")
            if not ok:
                problems.append(f"{name}: {sample} has msisdn {kv.get('msisdn')} in osmo-hlr, "
                                f"{now[sample]['msisdn']} in jitsim")
        if subs != per_hlr[name]:
            problems.append(f"{name}: {subs} subscribers in osmo-hlr, "
                            f"{per_hlr[name]} activations")
        print(line)
    hs = http_stats(a)
    http_subs = sum(hs["subscribers"].values())
    for name, h in hlrs.items():
        if h["kind"] == "http":
            print(f"   {name} (HTTP API {h['address']}): {n(http_subs)} subscribers, "
                  f"{n(per_hlr[name])} activations by jitsim; answers "
                  + ", ".join(f"{k}: {n(v)}" for k, v in sorted(hs["answers"].items())))
            if http_subs != per_hlr[name]:
                problems.append(f"{name}: {http_subs} subscribers in the HTTP API, "
                                f"{per_hlr[name]} activations")
    orders = set()
    for line in open(P("outbox.jsonl")):
        o = json.loads(line)
        if o["op"] == "provision":
            orders.add((o["job"], o["hlr"]))
    for name, h in hlrs.items():
        if h["kind"] == "outbox":
            k = sum(1 for _, hn in orders if hn == name)
            print(f"   {name} (outbox {P('outbox.jsonl')}): {n(k)} provisioning orders "
                  f"(distinct jobs), {n(per_hlr[name])} activations by jitsim")
            if k != per_hlr[name]:
                problems.append(f"{name}: {k} outbox orders, {per_hlr[name]} activations")

    notes = hs.get("notifications", {})
    if notes:
        print("   Billing/CRM notifications received by HTTP so far ([notify]; sent in the "
              "background): " + ", ".join(f"{k} {n(v)}" for k, v in sorted(notes.items())))
    with open(P("report.json"), "w") as fo:
        json.dump({"osmo": osmo_subs, "http": http_subs, "sleeping": sleeping_ctl,
                   "kinds": {k: h["kind"] for k, h in hlrs.items()}}, fo)

    # === 5. latency ===
    print("\n   Detection to provisioned (first triggering frame offered to jitsim-dp's port ->")
    print("   SIM ACTIVE committed after the HLR's answer; split at the job's journal commit):")
    lat = collections.defaultdict(lambda: ([], [], []))
    for imsi, (t, x) in act.items():
        tr = truth.get(imsi)
        if tr is None or tr["event"] not in EVENTS_ACT or tr["frame"] not in offered:
            continue
        t0 = offered[tr["frame"]]
        kind = hlrs.get(x["hlr"], {}).get("kind", "?")
        for key in (kind, "all"):
            lat[key][0].append(t - t0)
            if imsi in alloc:
                lat[key][1].append(alloc[imsi] - t0)
                lat[key][2].append(t - alloc[imsi])
    rows = [["HLR KIND", "SIMS", "p50", "p99", "max", "to journal p50/p99",
             "journal to ACTIVE p50/p99"]]
    for key in ["outbox", "http", "osmo-hlr", "all"]:
        if key not in lat:
            continue
        e2e, det, prov = (sorted(v) for v in lat[key])
        rows.append([key, n(len(e2e)), ms(pct(e2e, 50)), ms(pct(e2e, 99)), ms(e2e[-1]),
                     f"{ms(pct(det, 50))} / {ms(pct(det, 99))}",
                     f"{ms(pct(prov, 50))} / {ms(pct(prov, 99))}"])
    table(rows)
    print("   (osmo-hlr writes each subscriber to SQLite: its share is the slow one; a FIFO")
    print("    replay adds up to one 4-frame burst of waiting in jitsim-dp's port)")

    # === 6. the dataplane ===
    try:
        final = open(P("dp-final.txt")).read()
    except OSError:
        final = ""
    f = dict(kv.split("=", 1) for kv in final.split() if "=" in kv)
    if f:
        print(f"\n   jitsim-dp read {n(int(f['frames']))} frames, {n(int(f['msgs']))} "
              f"MAP/Diameter messages; events: first_attach {n(int(f['first_attach']))}, "
              f"reattach {n(int(f['reattach']))}, wakeup_mt {n(int(f['wakeup_mt']))}, "
              f"activity {n(int(f['activity']))}, blocked_attempt "
              f"{n(int(f['blocked_attempt']))}; ring drops {n(int(f['ring_drops']))};")
        print(f"   {n(int(f['decode_errors']))} decode errors (the trace has "
              f"{n(totals['malformed'])} malformed frames on purpose: each is counted by "
              f"reason, none raises an event)")
        if int(f["frames"]) != totals["frames"]:
            problems.append(f"jitsim-dp read {f['frames']} frames of {totals['frames']}")
        if int(f["ring_drops"]) != 0:
            problems.append(f"jitsim-dp dropped {f['ring_drops']} events (ring full)")
    else:
        problems.append("no final line from jitsim-dp")

    # === 7. the check against the ground truth ===
    for imsi, t in truth.items():
        st = now[imsi]["state"]
        if t["event"] in EVENTS_ACT and st != "active":
            problems.append(f"{imsi} ({t['event']}) is {st}, not active")
        if t["event"] in ("reattach", "wakeup") and now[imsi]["msisdn"] != pop[imsi][1]:
            problems.append(f"{imsi} woke with {now[imsi]['msisdn']}, had {pop[imsi][1]}")
    for imsi, (state, _) in pop.items():
        if state == "locked" and now[imsi]["state"] != "locked":
            problems.append(f"locked SIM {imsi} is {now[imsi]['state']}")
    numbers = collections.Counter(f["msisdn"] for f in now.values() if f["msisdn"] != "-")
    problems += [f"MSISDN {m} on {c} SIMs" for m, c in numbers.items() if c > 1]
    problems += [f"job {x['job']} failed: {x['reason']}" for x in failed_lines]
    want = sum(1 for t in truth.values() if t["event"] in EVENTS_ACT)
    print(f"\n   SIMs by state: " + ", ".join(
        f"{s} {n(before_states[s])} -> {n(after_states[s])}"
        for s in ("inventory", "active", "sleeping", "locked")))
    if problems:
        print(f"   result: {len(problems)} MISMATCHES with the ground truth:")
        for p in problems[:20]:
            print(f"     {p}")
        sys.exit(1)
    print(f"   result: as the ground truth says: all {n(want)} SIMs that attached or were called "
          f"are ACTIVE, each number on one SIM, no job failed, locked SIMs untouched")


if __name__ == "__main__":
    main()
