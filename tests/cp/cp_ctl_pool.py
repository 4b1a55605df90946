#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""jitsim-cp's pool, number, region, hlr and rule commands, end to end.

A real jitsim-cp on a store of 40 INVENTORY SIMs (jitsim-store import of
a CSV; two SIMs come with an MSISDN), driven through its control socket
and through jitsimctl (tables, --json, exit codes, --help). First
attaches come from cp_fakedp, a stand-in dataplane that puts first_attach
events into the real event ring and reads the PUTs back from the update
ring. Checked:

  * every command, and its bad arguments: the error names the key,
    the reason is the errno a script can test;
  * references: an HLR a region uses, a region a pool serves, a match
    another region has, a data_pool that does not exist are refused;
  * pools, with real activations: exhaustion (job FAILED with the pool
    named, SIM back to INVENTORY, status.alerts.no_number); premium
    numbers never auto-allocated; a reservation honoured (a standard
    number, and a gold one found with number.search); a released number
    stays in quarantine for its period and is handed out after it; a
    number of an ACTIVE SIM cannot be released; a pool added over a
    number an imported SIM holds never hands it out;
  * the audit log: one line per change made, with the peer's uid, none
    for a refused change.
Exit status 0 when everything holds, 1 otherwise (each problem printed).
"""

import json
import os
import subprocess
import sys
import time

sys.dont_write_bytecode = True
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from cptest import Cp, check, fakedp, imsi_of, log, make_store, puts_of  # noqa: E402
import cptest  # noqa: E402

UID = os.getuid()

# Two SIMs come with an MSISDN, inside the ranges of p-q and p-qd.
PREASSIGNED = {39: "447704680300", 40: "447705791400"}


def attach(a, instance, prefix, imsis):
    """First attaches of @imsis from a VLR under @prefix; the PUTs they got."""
    return puts_of(fakedp(a, instance, imsis, prefix))


# --- the checks ---

def check_rules(cp, tmp):
    rc, out, err = cp.ctl("hlr", "add", "hlr-a", "--hlr-id", "7", "--address",
                          tmp + "/outbox.jsonl")
    check(rc == 0, f"jitsimctl hlr add: exit {rc} {out}{err}")
    cp.refused("EINVAL", ["hlr_id"], "hlr.add", name="hlr-b", address="x")
    cp.refused("EINVAL", ["kind"], "hlr.add", name="hlr-b", hlr_id="8", kind="smtp",
               address="x")
    cp.refused("EINVAL", ["name"], "hlr.add", name="bad name", hlr_id="9", address="x")
    cp.refused("EINVAL", ["hlr_id"], "hlr.add", name="hlr-b", hlr_id="70000", address="x")
    cp.refused("EINVAL", ["address"], "hlr.add", name="hlr-b", hlr_id="8")
    check([h["name"] for h in cp.ok("hlr.list")] == ["hlr-a"], "hlr.list")

    rc, out, err = cp.ctl("region", "add", "eu", "--region-id", "1", "--hlr", "hlr-a",
                          "--pool", "p-eu", "--match", "gt:4477001,plmn:23415")
    check(rc == 0, f"jitsimctl region add eu: exit {rc} {out}{err}")
    for name, pool, prefix in (("ex", "p-ex", "4477002"), ("pr", "p-pr", "4477003"),
                               ("qr", "p-q", "4477004"), ("qd", "p-qd", "4477005")):
        r = cp.ok("region.add", name=name, hlr="hlr-a", pool=pool, match="gt:" + prefix)
        check(r["match"] == "gt:" + prefix, f"region.add {name}: {r}")
    regs = {r["name"]: r for r in cp.ctl_json("region", "list")}
    check(sorted(r["id"] for r in regs.values()) == [1, 2, 3, 4, 5], f"region ids: {regs}")
    check(regs["eu"]["match"] == "gt:4477001,plmn:23415", f"region eu: {regs['eu']}")
    rc, out, _ = cp.ctl("region", "list")
    check(rc == 0 and "gt:4477001,plmn:23415" in out and "hlr-a" in out,
          f"region list table: {out}")
    cp.refused("ENOENT", ["hlr"], "region.add", name="zz", hlr="nohlr", pool="x")
    cp.refused("EEXIST", ["4477001", "region 1"], "region.add", name="zz", hlr="hlr-a",
               pool="x", match="gt:4477001")
    cp.refused("EINVAL", ["match"], "region.add", name="zz", hlr="hlr-a", pool="x",
               match="foo:1")
    cp.refused("EINVAL", ["match", "gt:44a"], "region.add", name="zz", hlr="hlr-a", pool="x",
               match="gt:44a")
    cp.refused("EINVAL", ["region_id"], "region.add", name="zz", region_id="0", hlr="hlr-a",
               pool="x")
    cp.refused("EINVAL", ["pool"], "region.add", name="zz", hlr="hlr-a")
    # --match replaces the region's matches; without it they stay.
    cp.ok("region.add", name="eu", hlr="hlr-a", pool="p-eu", match="gt:4477001")
    cp.ok("region.add", name="eu", hlr="hlr-a", pool="p-eu")
    eu = [r for r in cp.ok("region.list") if r["name"] == "eu"]
    check(len(eu) == 1 and eu[0]["match"] == "gt:4477001" and eu[0]["id"] == 1,
          f"region eu after replace: {eu}")
    cp.refused("EBUSY", ["hlr-a", "region"], "hlr.remove", name="hlr-a")
    # A region goes with its matches, which another region may then take.
    cp.ok("region.add", name="tmp1", hlr="hlr-a", pool="x", match="gt:4477009,plmn:99999")
    r = cp.ok("region.remove", name="tmp1")
    check(r["match"] == "gt:4477009,plmn:99999", f"region.remove answer: {r}")
    r = cp.ok("region.add", name="tmp2", hlr="hlr-a", pool="x", match="gt:4477009")
    cp.ok("region.remove", name=str(r["id"]))
    cp.refused("ENOENT", ["tmp2"], "region.remove", name="tmp2")
    check(sorted(x["name"] for x in cp.ok("region.list")) == ["eu", "ex", "pr", "qd", "qr"],
          "regions after removes")

    r = cp.ctl_json("rule", "add", "iot", "--tac", "35209900-35209999", "--rat", "nb-iot,unknown",
                    "--profile", "iot", "--tariff", "12", "--flow", "data_only")
    check(r["tac_from"] == 35209900 and r["rat"] == "nb-iot,unknown" and
          r["flow"] == "data_only", f"rule add: {r}")
    rules = cp.ok("rule.list")
    check([x["name"] for x in rules] == ["iot"] and rules[0]["priority"] == 100,
          f"rule.list: {rules}")
    cp.refused("EINVAL", ["tac"], "rule.add", name="r2", tac="3520-1", profile="p", tariff="1")
    cp.refused("ENOENT", ["data_pool", "nope"], "rule.add", name="r2", profile="p",
               tariff="1", flow="data_only", data_pool="nope")
    cp.refused("EINVAL", ["profile"], "rule.add", name="r2", tariff="1")
    cp.refused("EINVAL", ["rat"], "rule.add", name="r2", rat="bogus", profile="p", tariff="1")
    cp.refused("EINVAL", ["flow"], "rule.add", name="r2", profile="p", tariff="1", flow="fax")
    cp.ok("rule.remove", name="iot")
    cp.refused("ENOENT", ["iot"], "rule.remove", name="iot")
    check(cp.ok("rule.list") == [], "rule.list after remove")


POOLS = {  # name: (region, first, last, extra options)
    "p-eu": ("eu", "447701357900", "447701357919", {}),
    "p-ex": ("ex", "447702468100", "447702468102", {}),
    "p-pr": ("pr", "447703579200", "447703579209", {"gold": "[0-7]$"}),
    "p-q": ("qr", "447704680300", "447704680301", {"quarantine": "2"}),
    "p-qd": ("qd", "447705791400", "447705791400",
             {"quarantine": "1d", "rules": [{"class": "vanity", "pattern": "99999$"}]}),
}


def check_pools(cp):
    for name, (region, first, last, extra) in POOLS.items():
        if name == "p-eu":
            rc, out, err = cp.ctl("pool", "add", name, "--region", region, "--from", first,
                                  "--to", last)
            check(rc == 0 and "447701357900" in out, f"jitsimctl pool add: {rc} {out}{err}")
        elif name == "p-ex":  # ranges, as a script sends them
            r = cp.ok("pool.add", name=name, region="2", ranges=[f"{first}-{last}"])
        else:
            r = cp.ok("pool.add", name=name, region=region, **{"from": first, "to": last},
                      **extra)
            check(r["size"] == int(last) - int(first) + 1, f"pool.add {name}: {r}")
    shown = cp.ok("pool.show", name="p-eu")
    check(shown["free_by_class"]["standard"] == 20 and shown["rules"] == "default" and
          shown["ranges"] == [{"from": "447701357900", "to": "447701357919", "size": 20}],
          f"pool.show p-eu: {shown}")
    shown = cp.ok("pool.show", name="p-pr")
    check(shown["free_by_class"]["gold"] == 8 and shown["free_by_class"]["standard"] == 2 and
          shown["rules"] == [{"class": "gold", "pattern": "[0-7]$"}],
          f"pool.show p-pr: {shown}")
    # The imported SIM 39 holds 447704680300: the new pool counts it taken.
    shown = cp.ok("pool.show", name="p-q")
    check(shown["taken"] == 1 and shown["free"] == 1 and shown["quarantine"] == 2,
          f"pool.show p-q: {shown}")
    shown = cp.ok("pool.show", name="p-qd")
    check(shown["quarantine"] == 86400 and
          shown["rules"] == [{"class": "vanity", "pattern": "99999$"}], f"p-qd: {shown}")
    rows = {r["name"]: r for r in cp.ctl_json("pool", "list")}
    check(sorted(rows) == sorted(POOLS) and rows["p-ex"]["region"] == 2 and
          rows["p-ex"]["size"] == 3 and rows["p-ex"]["free"] == 3, f"pool list: {rows}")
    rc, out, _ = cp.ctl("pool", "list")
    check(rc == 0 and "quarantined" in out.splitlines()[0].lower() and "p-pr" in out,
          f"pool list table: {out}")

    cp.refused("EINVAL", [], "pool.add", name="p-bad", region="eu",
               **{"from": "12", "to": "1234"})
    cp.refused("EINVAL", ["overlap"], "pool.add", name="p-bad", region="eu",
               **{"from": "447701357910", "to": "447701357999"})
    cp.refused("ENOENT", ["region", "nowhere"], "pool.add", name="p-bad", region="nowhere",
               **{"from": "447709000000", "to": "447709000009"})
    cp.refused("EINVAL", ["quarantine"], "pool.add", name="p-bad", region="eu",
               quarantine="5x", **{"from": "447709000000", "to": "447709000009"})
    cp.refused("EINVAL", ["("], "pool.add", name="p-bad", region="eu", gold="(",
               **{"from": "447709000000", "to": "447709000009"})
    cp.refused("EEXIST", ["name"], "pool.add", name="p-eu", region="eu",
               **{"from": "447709000000", "to": "447709000009"})
    cp.refused("EINVAL", ["from"], "pool.add", name="p-bad", region="eu", to="447709000009")
    cp.refused("EINVAL", ["pool_id"], "pool.add", name="p-bad", region="eu", pool_id="0",
               **{"from": "447709000000", "to": "447709000009"})
    cp.refused("EINVAL", ["ranges"], "pool.add", name="p-bad", region="eu", ranges="1-")
    cp.refused("EBUSY", ["p-eu"], "region.remove", name="eu")

    cp.refused("EINVAL", ["pattern"], "number.search", pattern="(12")
    cp.refused("EINVAL", ["class"], "number.search", pattern="1", **{"class": "silver"})
    cp.refused("EINVAL", ["limit"], "number.search", pattern="1", limit="0")
    cp.refused("EINVAL", ["limit"], "number.search", pattern="1", limit="5000")
    cp.refused("ENOENT", ["nope"], "number.search", pattern="1", pool="nope")
    r = cp.ok("number.search", pattern="0[12]$", pool="p-eu")
    check([x["msisdn"] for x in r] == ["447701357901", "447701357902"] and
          all(x["pool"] == "p-eu" and x["class"] == "standard" for x in r),
          f"number.search 0[12]$: {r}")
    r = cp.ok("number.search", pattern="^4477", limit="3")
    check(len(r) == 3, f"number.search limit 3: {r}")
    r = cp.ok("number.search", pattern=".", pool="p-pr", **{"class": "standard"})
    check([x["msisdn"] for x in r] == ["447703579208", "447703579209"],
          f"number.search --class standard in p-pr: {r}")

    cp.refused("EINVAL", ["imsi"], "pool.reserve", msisdn="447701357910", imsi="12")
    cp.refused("ENOENT", ["001019999999999"], "pool.reserve", msisdn="447701357910",
               imsi="001019999999999")
    cp.refused("ENOENT", ["447799999999", "no pool"], "pool.reserve", msisdn="447799999999",
               imsi=imsi_of(1))
    cp.refused("EBUSY", [imsi_of(39), "447704680300"], "pool.reserve", msisdn="447704680301",
               imsi=imsi_of(39))
    cp.refused("ENOENT", ["447701357919", "neither"], "pool.release", msisdn="447701357919")
    cp.refused("ENOENT", ["447708000001", "no pool"], "pool.release", msisdn="447708000001")
    cp.refused("EINVAL", ["msisdn"], "pool.release", msisdn="44a")


def check_exhaustion(cp, a, instance):
    sims = [1, 2, 3, 4, 5]
    puts = attach(a, instance, "4477002", sims)
    got = {}
    for i in sims:
        s = cp.sim(i)
        if s["state"] == "active":
            got[i] = s["msisdn"]
            check(puts[imsi_of(i)]["state"] == "active" and
                  puts[imsi_of(i)]["msisdn"] == s["msisdn"], f"PUT of SIM {i}: {puts}")
        else:
            j = s.get("job", {})
            check(s["state"] == "inventory" and s["msisdn"] is None and
                  j.get("step") == "failed" and "no number" in j.get("reason", "") and
                  "p-ex" in j.get("reason", "") and "region 2" in j.get("reason", ""),
                  f"exhausted SIM {i}: {s}")
            check(puts[imsi_of(i)]["state"] == "inventory", f"PUT of failed SIM {i}: {puts}")
    check(sorted(got.values()) == ["447702468100", "447702468101", "447702468102"],
          f"exhaustion: numbers {got}")
    failed = cp.ok("job.list", step="failed")
    check(len([j for j in failed if "p-ex" in j["reason"]]) == 2, f"failed jobs: {failed}")
    st = cp.ok("status")
    check(st["alerts"]["no_number"] >= 2, f"status alerts: {st['alerts']}")
    log(f"exhaustion: 3 numbers for 5 SIMs -> {len(got)} active, "
        f"alerts {st['alerts']}")


def check_premium_and_reservation(cp, a, instance):
    # p-pr: 8 gold numbers, 2 standard. Four standard attaches: two get
    # the standard numbers, two fail; no gold number is handed out.
    puts = attach(a, instance, "4477003", [6, 7, 8, 9])
    got = sorted(cp.sim(i)["msisdn"] or "-" for i in (6, 7, 8, 9))
    check(got == ["-", "-", "447703579208", "447703579209"], f"premium pool: {got} {puts}")
    shown = cp.ok("pool.show", name="p-pr")
    check(shown["free_by_class"]["gold"] == 8 and shown["taken"] == 2,
          f"p-pr after: {shown}")
    # A gold number picked with number.search and reserved is honoured.
    r = cp.ok("number.search", pattern="0$", pool="p-pr", **{"class": "gold"})
    check([x["msisdn"] for x in r] == ["447703579200"], f"search gold: {r}")
    r = cp.ctl_json("pool", "reserve", "447703579200", imsi_of(10))
    check(r == {"msisdn": "447703579200", "imsi": imsi_of(10), "pool": "p-pr",
                "class": "gold"}, f"pool reserve: {r}")
    cp.refused("EEXIST", [], "pool.reserve", msisdn="447703579200", imsi=imsi_of(11))
    cp.refused("EEXIST", [], "pool.reserve", msisdn="447703579201", imsi=imsi_of(10))
    attach(a, instance, "4477003", [10])
    s = cp.sim(10)
    check(s["state"] == "active" and s["msisdn"] == "447703579200", f"reserved gold: {s}")

    # A standard reservation in p-eu: twelve other SIMs attach first and
    # the allocation skips it; then its SIM gets it.
    r = cp.ok("pool.reserve", msisdn="447701357905", imsi=imsi_of(12))
    check(cp.ok("pool.show", name="p-eu")["reserved"] == 1, "p-eu reserved count")
    others = list(range(13, 25))
    attach(a, instance, "4477001", others)
    nums = {i: cp.sim(i)["msisdn"] for i in others}
    check("447701357905" not in nums.values() and len(set(nums.values())) == 12 and
          all(n and n.startswith("4477013579") for n in nums.values()),
          f"p-eu numbers: {nums}")
    attach(a, instance, "4477001", [12])
    s = cp.sim(12)
    check(s["state"] == "active" and s["msisdn"] == "447701357905", f"reserved: {s}")
    # Releasing a reservation frees the number at once.
    cp.ok("pool.reserve", msisdn="447701357919", imsi=imsi_of(25))
    r = cp.ok("pool.release", msisdn="447701357919")
    check(r["was"] == "reserved" and r["imsi"] is None, f"release of a reservation: {r}")
    check(cp.ok("pool.show", name="p-eu")["reserved"] == 0, "p-eu reserved after release")
    # A number an ACTIVE SIM has cannot be released.
    cp.refused("EBUSY", [imsi_of(13), "active"], "pool.release", msisdn=nums[13])
    log(f"premium: {got}; reservations honoured (gold 447703579200, standard 447701357905)")


def check_quarantine(cp, a, instance):
    # p-qd (quarantine 1 day): SIM 40 came with its only number. Released,
    # the number is not handed out within its period.
    r = cp.ok("pool.release", msisdn="447705791400")
    check(r["was"] == "taken" and r["imsi"] == imsi_of(40) and
          r["free_at"] >= time.time() + 86000, f"release into a day of quarantine: {r}")
    attach(a, instance, "4477005", [30])
    s = cp.sim(30)
    check(s["state"] == "inventory" and "no number" in s["job"]["reason"],
          f"during quarantine: {s}")
    shown = cp.ok("pool.show", name="p-qd")
    check(shown["quarantined"] == 1 and shown["free"] == 0, f"p-qd in quarantine: {shown}")

    # p-q (quarantine 2 s): 447704680300 is SIM 39's, 447704680301 free.
    attach(a, instance, "4477004", [26])
    check(cp.sim(26)["msisdn"] == "447704680301", f"p-q first: {cp.sim(26)}")
    attach(a, instance, "4477004", [27])
    check(cp.sim(27)["state"] == "inventory", f"p-q exhausted: {cp.sim(27)}")
    # SIM 39 is INVENTORY: its number can go back (the record loses it).
    r = cp.ctl_json("pool", "release", "447704680300")
    check(r["was"] == "taken" and r["imsi"] == imsi_of(39) and r["pool"] == "p-q",
          f"release: {r}")
    check(cp.sim(39)["msisdn"] is None, f"SIM 39 after release: {cp.sim(39)}")
    shown = cp.ok("pool.show", name="p-q")
    check(shown["quarantined"] == 1 and shown["free"] == 0, f"p-q in quarantine: {shown}")
    # Once its period is over (free_at, the server's clock, whole seconds),
    # it is handed out again.
    while time.time() < r["free_at"] + 1:
        time.sleep(0.2)
    attach(a, instance, "4477004", [29])
    s = cp.sim(29)
    check(s["state"] == "active" and s["msisdn"] == "447704680300", f"after quarantine: {s}")
    log("quarantine: not handed out within a 1-day period; handed out after a 2 s one")


def check_ctl(cp):
    rc, _, err = cp.ctl("pool", "add")
    check(rc == 2, f"jitsimctl pool add without a name: exit {rc} {err}")
    rc, out, _ = cp.ctl("pool", "add", "--help")
    check(rc == 0 and "--quarantine" in out, f"pool add --help: {rc} {out}")
    rc, _, err = cp.ctl("pool", "show", "nope")
    check(rc == 1 and "ENOENT" in err, f"pool show nope: exit {rc} {err}")
    rc, out, _ = cp.ctl("number", "search", "1[5-9]$", "--pool", "p-eu")
    check(rc == 0 and "class" in out.splitlines()[0].lower() and "447701357919" in out,
          f"number search table: {out}")


def check_audit(a, store, kek):
    p = subprocess.run([a.store, "audit", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if not check(p.returncode == 0, f"jitsim-store audit: {p.returncode} {p.stderr}"):
        return
    lines = [json.loads(x) for x in p.stdout.splitlines() if x.strip()]
    ours = [x for x in lines if x.get("who") == f"uid:{UID}"]
    count = {}
    for x in ours:
        count[x["what"]] = count.get(x["what"], 0) + 1
    want = {"hlr.add": 1, "region.add": 9, "region.remove": 2, "rule.add": 1,
            "rule.remove": 1, "pool.add": 5, "pool.reserve": 3, "pool.release": 3}
    check(count == want, f"audit lines by command: {count}, wanted {want}")


def body(a, tmp):
    instance = f"ctlpool{os.getpid()}"
    store, kek, _ = make_store(a, tmp, 40, PREASSIGNED)
    cp = Cp(a, tmp, store, kek, instance)
    check_rules(cp, tmp)
    check_pools(cp)
    check_exhaustion(cp, a, instance)
    check_premium_and_reservation(cp, a, instance)
    check_quarantine(cp, a, instance)
    check_ctl(cp)
    cp.stop_ok()
    check_audit(a, store, kek)


if __name__ == "__main__":
    sys.exit(cptest.main("cp-ctl-pool", ("cp", "ctl", "fakedp", "store"), body))
