#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Integration tests of jitsim-dp, one per --check mode (each a meson test).

  truth      a pktgen scenario replayed once: the events a consumer reads
             from the shm rings equal expected.jsonl exactly (type, SIM,
             region of the visited address, operation of the trigger
             frame), nothing for other SIMs, no unknown_imsi; telemetry
             counts every frame, and its decode errors per reason equal
             jitsim-decode's for the trace.
  captures   every capture of the traces directory, its link type from the
             file header: with the IMSIs of its attach requests imported
             as INVENTORY, exactly one first_attach per such IMSI.
  ringfull   16-slot event rings and no consumer: drops counted; then a
             consumer (acting as the control plane: every SIM reported
             with a lease is set active) gets every first-attach SIM at
             last, and its seq gaps equal the drops telemetry reports.
  updates    `set IMSI active` through the update ring while traffic runs:
             no first_attach for those SIMs afterwards, activity instead;
             SIMs left alone raise first_attach again after each lease.
  restart    SIGTERM with traffic running: exit 0 quickly; a new jitsim-dp
             on the same segment: dp generation + 1, events flow again.
  badconfig  unknown key, bad number: exit 1, the key on stderr, no EAL.
  storeset   jitsim-store set: population.csv, MSISDN moves and refusals,
             errors naming file:line:field, nothing written from a bad line.
Exit status 0 when the check holds, 1 otherwise.
"""

import argparse
import collections
import csv
import glob
import json
import os
import secrets
import subprocess
import sys
import tempfile
import time

sys.dont_write_bytecode = True  # no __pycache__ in the source tree
sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "pktgen"))
import harness  # noqa: E402
from harness import Failure  # noqa: E402

MAP_ATTACH = {56, 2, 23}
DIAM_ATTACH = {316, 318}
SCCP_RETURNED = {0x0a, 0x12, 0x14}
LEASE_EVENTS = {"first_attach", "reattach", "wakeup_mt"}


def regions_of(scenario):
    # tests/pktgen/check.py's reading of [region] sections (imported lazily:
    # check.py pulls in the tshark helpers).
    import check
    return check.regions_of(scenario)


def region_of(regs, visited):
    import check
    return check.region_of(regs, visited)


# --- telemetry fields (/jitsim/stats) ---

def st_frames(st):
    return st["frames"]


def st_errors(st):
    return {k: v for k, v in st.get("errors", {}).items() if v}


def st_drops(st):
    return st["ring_drops_total"]


def st_delivered(st):
    """Events put into the rings: detect counts every event, drops too."""
    return st["events_total"] - st["ring_drops_total"]


def log(msg):
    print(msg, flush=True)


# --- truth ---

def check_truth(a, tmp):
    errors = []
    out = os.path.join(tmp, "gen")
    store = harness.scenario_setup(a, a.scenario, out)
    sims, malformed, totals = harness.load_truth(os.path.join(out, "expected.jsonl"))
    trace = os.path.join(out, "trace.pcap")
    msgs = harness.decode(a, trace, drops=True)
    run = harness.Run(a, tmp)
    try:
        run.shm_create()
        cons = run.consumer()
        dp = run.dp(trace, opts=["--store", store])
        dp.wait_ready()
        # Every frame read, then every event the dataplane put delivered.
        st = dp.wait_stats(lambda s: st_frames(s) >= totals["frames"], "all frames")
        st = dp.wait_stats(lambda s: st_frames(s) == totals["frames"] and
                           cons.count() >= st_delivered(s), "all events")
        rc, secs = dp.stop()
        if rc != 0:
            errors.append(f"jitsim-dp exit status {rc} after SIGTERM:\n{dp.log()[-2000:]}")
        events = cons.snapshot()
        crc = cons.stop()
    finally:
        run.close()
    if crc != 0 or cons.bad:
        errors.append(f"consumer: exit status {crc}, lines not JSON: {cons.bad[:3]}")
    if st_frames(st) != totals["frames"]:
        errors.append(f"telemetry frames {st_frames(st)}, expected.jsonl {totals['frames']}")
    if st_drops(st):
        errors.append(f"{st_drops(st)} ring drops with a consumer reading")
    # Events against the truth.
    regs = regions_of(a.scenario)
    by_frame = collections.defaultdict(list)
    for m in msgs:
        if "drop" not in m:
            by_frame[m["frame"]].append(m)
    seen = collections.Counter(e["imsi"] for e in events)
    for e in events:
        if e["type"] == "unknown_imsi":
            errors.append(f"unknown_imsi event: {e}")
    for imsi, n in seen.items():
        if n > 1:
            errors.append(f"SIM {imsi}: {n} events, wants 1")
    got = {e["imsi"]: e for e in events}
    for imsi, s in sims.items():
        e = got.get(imsi)
        want = harness.EVENT_OF_TRUTH[s["event"]]
        if e is None:
            errors.append(f"SIM {imsi}: no event, expected {want} (frame {s['frame']})")
            continue
        if e["type"] != want:
            errors.append(f"SIM {imsi}: event {e['type']}, expected {want}")
        reg = region_of(regs, e.get("visited"))
        if reg != s["region"]:
            errors.append(f"SIM {imsi}: visited {e.get('visited')} is region {reg}, "
                          f"expected {s['region']}")
        ops = {m.get("op") if m["proto"] == "map" else m.get("cmd")
               for m in by_frame.get(s["frame"], []) if m["req"] and
               (m.get("imsi") == imsi or (s["event"] == "wakeup" and
                                          m.get("msisdn") == s.get("msisdn")))}
        if e["op"] not in ops:
            errors.append(f"SIM {imsi}: op {e['op']}, the trigger frame {s['frame']} has {ops}")
        if s.get("msisdn") and e.get("msisdn") != s["msisdn"]:
            errors.append(f"SIM {imsi}: msisdn {e.get('msisdn')}, expected {s['msisdn']}")
    for imsi in set(got) - set(sims):
        errors.append(f"SIM {imsi}: event {got[imsi]['type']} not in expected.jsonl")
    # Decode errors: per reason as jitsim-decode reports them.
    want_err = collections.Counter(m["drop"] for m in msgs if "drop" in m)
    got_err = st_errors(st)
    if dict(want_err) != got_err:
        errors.append(f"decode errors: telemetry {sorted(got_err.items())}, jitsim-decode "
                      f"{sorted(want_err.items())}")
    for f, m in malformed.items():
        if m["reason"] not in got_err:
            errors.append(f"malformed frame {f}: reason {m['reason']} not in telemetry")
    want_types = collections.Counter(harness.EVENT_OF_TRUTH[s["event"]] for s in sims.values())
    log(f"truth: {totals['frames']} frames, {len(events)} events "
        f"({dict(collections.Counter(e['type'] for e in events))}, wanted "
        f"{dict(want_types)}), {sum(got_err.values())} decode errors, "
        f"{len(errors)} problems")
    return errors


# --- captures ---

def attach_imsis(msgs):
    out = set()
    for m in msgs:
        if "drop" in m or not m["req"] or "imsi" not in m:
            continue
        if m["proto"] == "map" and m.get("op") in MAP_ATTACH and \
           m.get("sccp") not in SCCP_RETURNED:
            out.add(m["imsi"])
        elif m["proto"] == "diameter" and m.get("cmd") in DIAM_ATTACH:
            out.add(m["imsi"])
    return out


def luhn(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 0:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return str((10 - total % 10) % 10)


def inventory_csv(path, imsis):
    with open(path, "w") as f:
        f.write("iccid,imsi,ki,opc\n")
        for i, imsi in enumerate(sorted(imsis)):
            iccid = f"8944{i + 1:015d}"
            f.write(f"{iccid}{luhn(iccid)},{imsi},{secrets.token_hex(16)},"
                    f"{secrets.token_hex(16)}\n")


def check_captures(a, tmp):
    errors = []
    caps = sorted(glob.glob(os.path.join(a.traces, "*.pcap")) +
                  glob.glob(os.path.join(a.traces, "*.pcapng")))
    if not caps:
        return [f"no captures in {a.traces}"]
    total = 0
    for i, cap in enumerate(caps):
        name = os.path.basename(cap)
        t0 = time.time()
        link, nframes = harness.capture_info(cap)
        msgs = harness.decode(a, cap, drops=True)
        imsis = attach_imsis(msgs)
        d = os.path.join(tmp, f"cap{i}")
        os.mkdir(d)
        conf = os.path.join(d, "dp.conf")
        with open(conf, "w") as f:
            f.write(f"[ports]\nlink = {harness.LINK_NAMES.get(link, str(link))}\n")
        opts = ["--no-store"]
        if imsis:
            inv = os.path.join(d, "inventory.csv")
            inventory_csv(inv, imsis)
            store = os.path.join(d, "store")
            harness.make_store(a, d, store, os.path.join(d, "kek"), inv)
            opts = ["--store", store]
        run = harness.Run(a, d)
        try:
            run.shm_create()
            cons = run.consumer()
            dp = run.dp(cap, opts=opts, config=conf)
            dp.wait_ready()
            st = dp.wait_stats(lambda s: st_frames(s) >= nframes, f"{name}: all frames")
            st = dp.wait_stats(lambda s: cons.count() >= st_delivered(s),
                               f"{name}: all events")
            rc, _ = dp.stop()
            events = cons.snapshot()
            cons.stop()
        except Failure as e:
            errors.append(f"{name}: {e}")
            continue
        finally:
            run.close()
        if rc != 0:
            errors.append(f"{name}: jitsim-dp exit status {rc}")
        if st_frames(st) != nframes:
            errors.append(f"{name}: telemetry frames {st_frames(st)}, the capture has "
                          f"{nframes}")
        fa = collections.Counter(e["imsi"] for e in events if e["type"] == "first_attach")
        for imsi in imsis:
            if fa[imsi] != 1:
                errors.append(f"{name}: IMSI {imsi}: {fa[imsi]} first_attach events, wants 1")
        for imsi in set(fa) - imsis:
            errors.append(f"{name}: first_attach for {imsi}, not an attaching IMSI")
        others = [e for e in events if e["type"] != "first_attach"]
        if others:
            errors.append(f"{name}: other events {others[:3]}")
        total += len(imsis)
        log(f"captures: {name}: link {link}, {nframes} frames, {len(imsis)} attaching IMSIs, "
            f"{len(events)} events, {time.time() - t0:.1f} s")
    log(f"captures: {len(caps)} captures, {total} attaching IMSIs, {len(errors)} problems")
    return errors


# --- ring full ---

def make_cp(run, cons, lease_events, sent):
    """Act as the control plane: SIMs reported with a lease become active."""
    new = [e["imsi"] for e in cons.snapshot() if e["type"] in lease_events and
           e["imsi"] not in sent]
    new = list(dict.fromkeys(new))
    if new:
        run.update("".join(f"set {i} active\n" for i in new))
        sent.update(new)
    return len(new)


def infinite_setup(a, tmp):
    """Scenario, store and a config whose pool holds the whole trace (net_pcap
    infinite_rx keeps every frame in an mbuf): (store, sims, totals, trace, conf)."""
    out = os.path.join(tmp, "gen")
    store = harness.scenario_setup(a, a.scenario, out)
    sims, _, totals = harness.load_truth(os.path.join(out, "expected.jsonl"))
    conf = os.path.join(tmp, "dp.conf")
    with open(conf, "w") as f:
        f.write(f"[ports]\nmbufs = {max(8191, 2 * totals['frames'] + 1024)}\n")
    return store, sims, totals, os.path.join(out, "trace.pcap"), conf


def check_ringfull(a, tmp):
    errors = []
    store, sims, _, trace, conf = infinite_setup(a, tmp)
    first = {i for i, s in sims.items() if s["event"] == "first_attach"}
    run = harness.Run(a, tmp)
    try:
        run.shm_create("--event-slots", "16")
        dp = run.dp(trace, opts=["--store", store, "--lease", "2"], config=conf,
                    infinite=True)
        dp.wait_ready()
        st = dp.wait_stats(lambda s: st_drops(s) > 0, "ring drops without a consumer")
        log(f"ringfull: {st_drops(st)} drops before the consumer started")
        cons = run.consumer()
        sent = set()
        # Until nothing more can come: every SIM of the truth delivered,
        # every SIM reported with a lease set active, and those that attach
        # (not the ones only reached by MT traffic) reported once as active
        # (epoch 3600 s: no second activity). Then no drop can trail the
        # last delivered event.
        end = time.time() + 120
        quiet = False
        while time.time() < end and not quiet:
            make_cp(run, cons, LEASE_EVENTS, sent)
            kinds = collections.defaultdict(set)
            for e in cons.snapshot():
                kinds[e["imsi"]].add(e["type"])
            st = dp.stats()
            quiet = all(i in kinds for i in sims) and \
                all("activity" in kinds[i] for i in sent
                    if kinds[i] & {"first_attach", "reattach"}) and \
                all(i in sent for i, k in kinds.items() if k & LEASE_EVENTS) and \
                cons.count() >= st_delivered(st)
            time.sleep(0.2)
        st = dp.stats()
        if not quiet:
            errors.append("the event flow never stopped: SIMs never delivered "
                          f"{sorted(set(sims) - set(kinds))[:5]}, set active without "
                          "activity "
                          f"{[i for i in sent if 'activity' not in kinds[i]][:5]}, "
                          f"{cons.count()} events read, {st_delivered(st)} put")
        events = cons.snapshot()
        drops = st_drops(st)
        rc, _ = dp.stop()
        cons.stop()
    finally:
        run.close()
    if rc != 0:
        errors.append(f"jitsim-dp exit status {rc}")
    got = {e["imsi"] for e in events if e["type"] == "first_attach"}
    for imsi in sorted(first - got):
        errors.append(f"SIM {imsi}: first_attach never delivered")
    gaps = sum(harness.seq_gaps(events).values())
    if gaps != drops:
        errors.append(f"seq gaps {gaps} != ring drops {drops} reported by telemetry")
    if drops == 0:
        errors.append("no ring drops")
    log(f"ringfull: {len(events)} events delivered, {drops} drops, {gaps} seq gaps, "
        f"{len(got & first)}/{len(first)} first-attach SIMs, {len(errors)} problems")
    return errors


# --- updates ---

def check_updates(a, tmp):
    errors = []
    store, sims, _, trace, conf = infinite_setup(a, tmp)
    first = sorted(i for i, s in sims.items() if s["event"] == "first_attach")
    run = harness.Run(a, tmp)
    try:
        run.shm_create()
        cons = run.consumer()
        dp = run.dp(trace, opts=["--store", store, "--lease", "1"], config=conf,
                    infinite=True)
        dp.wait_ready()
        end = time.time() + 60
        while time.time() < end:
            got = {e["imsi"] for e in cons.snapshot() if e["type"] == "first_attach"}
            if set(first) <= got:
                break
            time.sleep(0.05)
        # Half the first-attach SIMs become active; the others are the control.
        changed, control = set(first[::2]), set(first[1::2])
        run.update("".join(f"set {i} active\n" for i in sorted(changed)))
        t_ack = time.time()
        # Watch until each control SIM raised first_attach twice after the
        # ack (lease 1 s): long enough for a changed SIM to have raised it too.
        end = time.time() + 60
        while time.time() < end:
            ev = cons.snapshot()
            again = collections.Counter(e["imsi"] for e in ev if e["type"] == "first_attach"
                                        and e["ts"] > t_ack + 1 and e["imsi"] in control)
            act = {e["imsi"] for e in ev if e["type"] == "activity" and e["imsi"] in changed}
            if all(again[i] >= 2 for i in control) and act >= changed:
                break
            time.sleep(0.2)
        events = cons.snapshot()
        st = dp.stats()
        rc, _ = dp.stop()
        cons.stop()
    finally:
        run.close()
    if rc != 0:
        errors.append(f"jitsim-dp exit status {rc}")
    after = [e for e in events if e["ts"] > t_ack + 1]
    late = collections.Counter(e["imsi"] for e in after if e["type"] == "first_attach")
    for imsi in sorted(changed):
        if late[imsi]:
            errors.append(f"SIM {imsi}: {late[imsi]} first_attach after it was set active")
    act = {e["imsi"] for e in events if e["type"] == "activity"}
    for imsi in sorted(changed - act):
        errors.append(f"SIM {imsi}: set active, but no activity event")
    for imsi in sorted(control):
        if late[imsi] < 2:
            errors.append(f"control SIM {imsi}: {late[imsi]} first_attach after the update "
                          f"(lease 1 s: wants it raised again)")
    applied = st.get("updates_applied", {}).get("set_state", 0)
    if applied < len(changed) or st.get("updates_failed_total"):
        errors.append(f"telemetry: {applied} set_state updates applied, "
                      f"{st.get('updates_failed_total')} failed; {len(changed)} sent")
    log(f"updates: {len(changed)} SIMs set active, {len(control)} control SIMs, "
        f"{len(events)} events, {applied} set_state applied, {len(errors)} problems")
    return errors


# --- restart ---

def check_restart(a, tmp):
    errors = []
    store, _, totals, trace, conf = infinite_setup(a, tmp)
    run = harness.Run(a, tmp)
    try:
        run.shm_create()
        cons = run.consumer()
        dp = run.dp(trace, opts=["--store", store, "--lease", "1"], config=conf,
                    infinite=True)
        dp.wait_ready()
        gen1 = run.shm_status()
        dp.wait_stats(lambda s: st_frames(s) > 10 * totals["frames"], "traffic running")
        n1 = cons.count()
        rc, secs = dp.stop(timeout=10)
        if rc != 0:
            errors.append(f"SIGTERM with traffic running: exit status {rc} after {secs:.1f} s"
                          f" (None: still running after 10 s)\n{dp.log()[-2000:]}")
        if "jitsim-dp: " not in dp.log():
            errors.append("no jitsim-dp log line")
        n_before = cons.count()
        dp2 = run.dp(trace, opts=["--store", store, "--lease", "1"], config=conf,
                     infinite=True)
        dp2.wait_ready()
        gen2 = run.shm_status()
        end = time.time() + 60
        while time.time() < end and cons.count() <= n_before:
            time.sleep(0.05)
        events = cons.snapshot()
        rc2, _ = dp2.stop()
        cons.stop()
    finally:
        run.close()
    g1, g2 = dp_generation(gen1), dp_generation(gen2)
    if g2 != g1 + 1:
        errors.append(f"dp generation {g1} then {g2}, wants +1")
    new = events[n_before:]
    if not new:
        errors.append("no event after the restart")
    # The per-ring seq goes on from where the first run left it: a consumer
    # tells drops (gaps) from a restart only by the generation otherwise.
    last = {}
    for e in events[:n_before]:
        last[e["ring"]] = max(last.get(e["ring"], 0), e["seq"])
    first_new = {}
    for e in new:
        first_new.setdefault(e["ring"], e["seq"])
    for ring, seq in sorted(first_new.items()):
        if ring in last and seq <= last[ring]:
            errors.append(f"ring {ring}: seq {last[ring]} before the restart, then {seq}: "
                          f"the seq does not continue")
    if rc2 != 0:
        errors.append(f"second jitsim-dp: exit status {rc2}")
    log(f"restart: stop took {secs:.2f} s, {n1} events before, {len(new)} after the restart, "
        f"generation {g1} -> {g2}, last seq before {last}, first after {first_new}, "
        f"{len(errors)} problems")
    return errors


def dp_generation(status):
    for k in ("dp_generation", "dp.generation"):
        if k in status:
            return status[k]
    return status.get("dp", {}).get("generation")


# --- bad config ---

BAD_CONFIGS = [
    # (file text, key that must be named)
    ("[detect]\nleese = 30\n", "leese"),
    ("[detect]\nlease = 30x\n", "lease"),
    ("[ports]\nburst = 100000\n", "burst"),
    ("[instance]\nstats_interval = -1\n", "stats_interval"),
]


def check_badconfig(a, tmp):
    errors = []
    for i, (text, key) in enumerate(BAD_CONFIGS):
        conf = os.path.join(tmp, f"bad{i}.conf")
        with open(conf, "w") as f:
            f.write(text)
        pre = f"jt{os.getpid()}bad{i}"
        p = subprocess_run([a.dp, "-c", conf, "--no-store", "--", "--no-huge", "--no-pci",
                            "--file-prefix", pre])
        if p.returncode != 1:
            errors.append(f"{text.strip()!r}: exit status {p.returncode}, wants 1")
        if key not in p.stderr:
            errors.append(f"{text.strip()!r}: stderr does not name {key}: {p.stderr!r}")
        if "EAL" in p.stderr + p.stdout:
            errors.append(f"{text.strip()!r}: EAL log lines: {p.stderr!r}")
        if os.path.exists(os.path.join(harness.RUN_DIR, pre)):
            errors.append(f"{text.strip()!r}: EAL runtime directory created")
    p = subprocess_run([a.dp, "--lease", "abc", "--no-store"])
    if p.returncode == 0 or "lease" not in p.stderr:
        errors.append(f"--lease abc: exit status {p.returncode}, stderr {p.stderr!r}")
    log(f"badconfig: {len(BAD_CONFIGS)} files and one option, {len(errors)} problems")
    return errors


def subprocess_run(args):
    return subprocess.run(args, capture_output=True, text=True, timeout=30)


# --- jitsim-store set ---

def check_storeset(a, tmp):
    errors = []
    out = os.path.join(tmp, "gen")
    store = harness.scenario_setup(a, a.scenario, out)
    kek = os.path.join(out, "kek")
    pop = list(csv.DictReader(open(os.path.join(out, "population.csv"))))

    def show(imsi):
        p = subprocess.run([a.store, "show", "--store", store, imsi], capture_output=True,
                           text=True, check=True)
        return dict(kv.split("=", 1) for kv in p.stdout.split())

    def show_all():
        p = subprocess.run([a.store, "list", "--store", store], capture_output=True,
                           text=True, check=True)
        recs = [dict(kv.split("=", 1) for kv in line.split()) for line in p.stdout.splitlines()]
        return {r["imsi"]: r for r in recs}

    def setf(name, text):
        path = os.path.join(tmp, name)
        with open(path, "w") as f:
            f.write(text)
        return subprocess.run([a.store, "set", path, "--store", store, "--kek", kek],
                              capture_output=True, text=True), path

    # population.csv agrees with generate's files for the same seed: the
    # state and MSISDN of every SIM expected.jsonl lists, every card of
    # inventory.out (ICCID, IMSI, same order), no secret column.
    sims, _, _ = harness.load_truth(os.path.join(out, "expected.jsonl"))
    by_imsi = {r["imsi"]: r for r in pop}
    for imsi, sim in sims.items():
        r = by_imsi.get(imsi)
        if r is None or r["state"] != sim["state"] or r["msisdn"] != sim.get("msisdn", ""):
            errors.append(f"population.csv {r} disagrees with expected.jsonl {sim}")
    cards = [line.split()[:2] for line in open(os.path.join(out, "inventory.out"))
             if line[:2] == "89"]
    if cards != [[r["iccid"], r["imsi"]] for r in pop]:
        errors.append("population.csv: ICCIDs/IMSIs differ from inventory.out")
    if not sims or list(pop[0]) != ["imsi", "iccid", "state", "msisdn"]:
        errors.append(f"population.csv: columns {list(pop[0])}, {len(sims)} SIMs in the truth")
    # population.csv went in (scenario_setup): every SIM as the file says.
    all_ = show_all()
    if len(all_) != len(pop):
        errors.append(f"store has {len(all_)} SIMs, population {len(pop)}")
    for r in pop:
        s = all_.get(r["imsi"], {"state": None, "msisdn": None})
        if s["state"] != r["state"] or s["msisdn"] != (r["msisdn"] or "-"):
            errors.append(f"{r['imsi']}: store has {s['state']}/{s['msisdn']}, population "
                          f"{r['state']}/{r['msisdn']}")
    act = [r for r in pop if r["state"] == "active"]
    inv = [r for r in pop if r["state"] == "inventory"]
    a0, a1, i0, i1 = act[0], act[1], inv[0], inv[1]
    # Move a0's number: free the old one and map the new one.
    p, path = setf("move.txt", f"# move\n{a0['imsi']} active 447799000001\n\n"
                   f"{i0['imsi']} active {a0['msisdn']}\n")
    if p.returncode != 0:
        errors.append(f"move: exit {p.returncode}: {p.stderr}")
    if show(a0["imsi"])["msisdn"] != "447799000001" or \
       show(i0["imsi"])["msisdn"] != a0["msisdn"] or show(i0["imsi"])["state"] != "active":
        errors.append("move: MSISDNs not as set")
    # Bad lines: each names file:line:field; nothing from them is written;
    # the good line in the middle is applied.
    text = (f"{i1['imsi']} active {a1['msisdn']}\n"      # 1: number of another SIM
            f"{i1['imsi']} flying\n"                      # 2: state
            f"99999{i1['imsi'][5:]} active\n"             # 3: unknown IMSI (not in store)
            f"{i1['imsi'][:-1]}x active\n"                # 4: not an IMSI
            f"{a1['imsi']} sleeping\n"                    # 5: good
            f"{i1['imsi']} active 12ab\n")                # 6: msisdn
    p, path = setf("bad.txt", text)
    want = [f"{path}:1: msisdn: MSISDN {a1['msisdn']} belongs to IMSI {a1['imsi']}",
            f"{path}:2: state:", f"{path}:3: imsi:", f"{path}:4: imsi:", f"{path}:6: msisdn:"]
    if p.returncode != 1:
        errors.append(f"bad lines: exit status {p.returncode}, wants 1")
    for w in want:
        if w not in p.stderr:
            errors.append(f"bad lines: stderr lacks {w!r}: {p.stderr!r}")
    if show(i1["imsi"])["state"] != "inventory" or show(i1["imsi"])["msisdn"] != "-":
        errors.append(f"bad lines: {i1['imsi']} changed: {show(i1['imsi'])}")
    if show(a1["imsi"])["state"] != "sleeping":
        errors.append("bad lines: the good line 5 was not applied")
    # Audit and integrity.
    p = subprocess.run([a.store, "audit", "--store", store, "--limit", "3"],
                       capture_output=True, text=True, check=True)
    last = [json.loads(x) for x in p.stdout.splitlines()]
    if not last or last[-1].get("who") != "jitsim-store" or last[-1].get("what") != "set" \
       or last[-1].get("imsi") != a1["imsi"]:
        errors.append(f"audit: last lines {last}")
    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"check after set: exit {p.returncode}: {p.stdout}{p.stderr}")
    # More lines than a batch, every SIM several times: all applied in order.
    cycle = ["blocked", "retired", "locked", "sleeping", "blocked", "retired"]
    rows = [(r["imsi"], st) for st in cycle for r in pop]
    p, path = setf("big.csv", "imsi,iccid,state,msisdn\n" +
                   "".join(f"{i},,{st},\n" for i, st in rows))
    if p.returncode != 0 or f"{len(rows) + 1} lines, {len(rows)} changed" not in p.stdout:
        errors.append(f"big: exit {p.returncode}: {p.stdout}{p.stderr}")
    all_ = show_all()
    wrong = [i for i in all_ if all_[i]["state"] != cycle[-1]]
    if wrong:
        errors.append(f"big: {len(wrong)} SIMs not {cycle[-1]}, e.g. {all_[wrong[0]]}")
    p = subprocess.run([a.store, "check", "--store", store, "--kek", kek],
                       capture_output=True, text=True)
    if p.returncode != 0:
        errors.append(f"check after big: exit {p.returncode}: {p.stdout}{p.stderr}")
    log(f"storeset: {len(pop)} SIMs, {len(errors)} problems")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    for o in ("dp", "shm", "store", "pktgen", "decoder"):
        ap.add_argument("--" + o, required=True)
    ap.add_argument("--scenario")
    ap.add_argument("--traces", default="")
    ap.add_argument("--check", required=True,
                    choices=["truth", "captures", "ringfull", "updates", "restart",
                             "badconfig", "storeset"])
    a = ap.parse_args()
    t0 = time.time()
    with tempfile.TemporaryDirectory(prefix="jitsim-dp-test.") as tmp:
        try:
            errs = globals()["check_" + a.check](a, tmp)
        except Failure as e:
            errs = [str(e)]
    for e in errs[:50]:
        print(f"{a.check}: {e}")
    if len(errs) > 50:
        print(f"{a.check}: ... {len(errs) - 50} more")
    print(f"{a.check}: {time.time() - t0:.1f} s")
    return 1 if errs else 0


if __name__ == "__main__":
    sys.exit(main())
