#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Checks of jitsim-pktgen, one per --check mode (each a meson test).

  tshark       an independent decoder: tshark decodes every non-malformed frame
               of the scenario with no malformed-packet or error expert info
               (IP/TCP/SCTP checksums verified), and its counts per MAP
               operation and Diameter command, and its distinct IMSIs, equal
               the totals of expected.jsonl; frames without MAP/Diameter are
               exactly the background ones; and frame by frame, tshark and
               jitsim-decode agree on every message (compare.py's rules).
  truth        the codec library (jitsim-decode): no message at all in any
               malformed frame; and the SIM events re-derived from what it
               decodes (first triggering request per SIM, its visited network
               mapped to a region) equal the sim lines of expected.jsonl.
  determinism  two runs with one seed give identical files; another seed
               gives another trace.
  errors       bad scenario files: exit status 1, a message naming file, line
               and key, and no output file left behind.
  vendor       the vendor file: header, Var_Out columns, one line per SIM,
               ICCID Luhn digits, IMSIs, encrypted keys that decrypt (openssl)
               under transport.key to values that are not the ciphertext.
  inspect      `inspect` agrees with the totals on our trace and reads every
               reference capture.
Exit status 0 when the check holds, 1 otherwise.
"""

import argparse
import collections
import configparser
import glob
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.join(os.path.dirname(os.path.abspath(__file__)), "..", "tshark"))
import compare  # noqa: E402  (tshark_frames, CHECKSUM_OPTS, EXPERT_ERROR)

KIND = {0xA1: "invoke", 0xA2: "result", 0xA3: "error"}
MAP_ATTACH = {56, 2, 23}
MAP_TRIGGER = MAP_ATTACH | {67}
MAP_WAKEUP = {22, 45}
DIAM_ATTACH = {316, 318}
DIAM_TRIGGER = DIAM_ATTACH | {321, 323}


def fail(errors, name):
    for e in errors[:50]:
        print(f"{name}: {e}")
    if len(errors) > 50:
        print(f"{name}: ... {len(errors) - 50} more")
    return 1 if errors else 0


def generate(pktgen, scenario, seed, out, extra=()):
    subprocess.run([pktgen, "generate", "--scenario", scenario, "--seed", str(seed),
                    "--out", out, "--quiet", *extra], check=True)


def load_truth(path):
    sims, malformed, totals = {}, {}, None
    with open(path) as f:
        for line in f:
            j = json.loads(line)
            if j["type"] == "sim":
                sims[j["imsi"]] = j
            elif j["type"] == "malformed":
                malformed[j["frame"]] = j
            else:
                totals = j
    return sims, malformed, totals


def check_tshark(a, out):
    errors = []
    sims, malformed, totals = load_truth(os.path.join(out, "expected.jsonl"))
    opts = compare.CHECKSUM_OPTS + ["-o", "tcp.desegment_tcp_streams:FALSE"]
    ts = compare.tshark_frames(os.path.join(out, "trace.pcap"), opts)
    if len(ts) != totals["frames"]:
        errors.append(f"tshark sees {len(ts)} frames, expected.jsonl says {totals['frames']}")
    mapc, diamc, imsis = collections.Counter(), collections.Counter(), set()
    silent = 0
    for num, f in sorted(ts.items()):
        if num in malformed:
            continue
        if f["malformed"]:
            errors.append(f"frame {num}: tshark reports {f['malformed']}")
        for kind, code in f["map"]:
            mapc[(KIND.get(kind, kind), code)] += 1
        for cmd, req, *_ in f["diam"]:
            diamc[("request" if req else "answer", cmd)] += 1
        imsis |= f["imsi"]
        imsis |= {v for k, v in f["diam_fields"] if k == "imsi"}
        if not f["map"] and not f["diam"]:
            silent += 1
    want_map = collections.Counter({(k.split(":")[0], int(k.split(":")[1])): v
                                    for k, v in totals["map"].items()})
    want_diam = collections.Counter({(k.split(":")[0], int(k.split(":")[1])): v
                                     for k, v in totals["diameter"].items()})
    if mapc != want_map:
        errors.append(f"MAP counts: tshark {sorted(mapc.items())} expected {sorted(want_map.items())}")
    if diamc != want_diam:
        errors.append(f"Diameter counts: tshark {sorted(diamc.items())} "
                      f"expected {sorted(want_diam.items())}")
    if len(imsis) != totals["distinct_imsis"]:
        errors.append(f"distinct IMSIs: tshark {len(imsis)} expected {totals['distinct_imsis']}")
    bg = totals["background"]
    if silent != bg["beat"] + bg["scmg"] + bg["ip"]:
        errors.append(f"{silent} frames without MAP/Diameter, background says "
                      f"{bg['beat'] + bg['scmg'] + bg['ip']}")
    # Frame by frame, tshark and the codec library must see the same
    # messages, identities, GTs and AVPs (compare.py's rules).
    if a.decoder:
        ours = compare.jitsim_frames(a.decoder, os.path.join(out, "trace.pcap"))
        good_ts = {n: f for n, f in ts.items() if n not in malformed}
        good_ours = {n: m for n, m in ours.items() if n not in malformed}
        nodes = {n: {d for m in msgs for d in m.get("nodes", [])} for n, msgs in good_ours.items()}
        errs, _ = compare.compare("trace.pcap", good_ts, good_ours, nodes)
        errors += errs
    print(f"tshark: {len(ts)} frames, {sum(mapc.values())} MAP components, "
          f"{sum(diamc.values())} Diameter messages, {len(imsis)} IMSIs, "
          f"{len(malformed)} malformed skipped, {len(errors)} mismatches")
    return errors


def regions_of(scenario):
    cp = configparser.ConfigParser(inline_comment_prefixes=(";", "#"))
    cp.read(scenario)
    regs = []
    for s in cp.sections():
        if s.startswith("region "):
            r = cp[s]
            regs.append((s[7:], [r["vlr"], r["msc"], r["sgsn"]],
                         [p.strip() for p in r["plmn"].split(",")]))
    return regs


def region_of(regs, visited):
    if not visited:
        return None
    for name, prefixes, plmns in regs:
        if visited in plmns or any(visited.startswith(p) for p in prefixes):
            return name
    return "?"


def check_truth(a, out):
    """Re-derive the ground truth from what the codec library decodes."""
    errors = []
    sims, malformed, totals = load_truth(os.path.join(out, "expected.jsonl"))
    pcap = os.path.join(out, "trace.pcap")
    lines = subprocess.run([a.decoder, "--json", pcap], check=True, capture_output=True,
                           text=True).stdout.splitlines()
    regs = regions_of(a.scenario)
    # Every SIM of the population that the trace could name: state by IMSI/MSISDN.
    state_by_imsi, imsi_by_msisdn = {}, {}
    with open(os.path.join(out, "inventory.out")) as f:
        pass  # the vendor file has no states; expected.jsonl names them below
    for s in sims.values():
        state_by_imsi[s["imsi"]] = s["state"]
        if "msisdn" in s:
            imsi_by_msisdn[s["msisdn"]] = s["imsi"]
    derived = {}
    for line in lines:
        m = json.loads(line)
        if m["frame"] in malformed:
            errors.append(f"frame {m['frame']}: malformed frame decoded as {line}")
            continue
        if not m["req"]:
            continue
        imsi, ev = m.get("imsi"), None
        if m["proto"] == "map":
            op = m.get("op")
            if op in MAP_TRIGGER and imsi:
                ev = ("attach" if op in MAP_ATTACH else "other", imsi)
            elif op in MAP_WAKEUP and m.get("msisdn") in imsi_by_msisdn:
                ev = ("wakeup", imsi_by_msisdn[m["msisdn"]])
        elif m["cmd"] in DIAM_TRIGGER and imsi:
            ev = ("attach" if m["cmd"] in DIAM_ATTACH else "other", imsi)
        if ev is None or ev[1] in derived:
            continue
        kind, who = ev
        st = state_by_imsi.get(who)
        if st is None:
            # Not listed: only right if this SIM must never be reported
            # (an active SIM reached by SRI). Unknown IMSIs are a mismatch.
            if kind == "attach":
                errors.append(f"frame {m['frame']}: attach of {who}, which expected.jsonl "
                              f"does not list")
            continue
        name = {"inventory": "first_attach", "sleeping": "reattach", "locked": "blocked",
                "active": "activity"}[st]
        if kind == "wakeup":
            name = "wakeup" if st == "sleeping" else None
        elif kind == "other" and st != "active":
            name = None
        if name is None:
            continue
        derived[who] = (name, m["frame"], region_of(regs, m.get("visited")))
    for imsi, s in sims.items():
        want = (s["event"], s["frame"], s["region"])
        got = derived.get(imsi)
        if got != want:
            errors.append(f"SIM {imsi}: expected.jsonl {want}, decoded trace gives {got}")
    for imsi in set(derived) - set(sims):
        errors.append(f"SIM {imsi}: decoded trace gives {derived[imsi]}, not in expected.jsonl")
    if len(malformed) != totals["malformed"]:
        errors.append(f"{len(malformed)} malformed lines, totals say {totals['malformed']}")
    print(f"truth: {len(sims)} SIM events and {len(malformed)} malformed frames "
          f"checked against jitsim-decode, {len(errors)} mismatches")
    return errors


def check_determinism(a, tmp):
    errors = []
    d = [os.path.join(tmp, x) for x in ("a", "b", "c")]
    generate(a.pktgen, a.scenario, 42, d[0])
    generate(a.pktgen, a.scenario, 42, d[1])
    generate(a.pktgen, a.scenario, 43, d[2])
    for name in ("trace.pcap", "expected.jsonl", "inventory.out", "transport.key"):
        x, y, z = (open(os.path.join(p, name), "rb").read() for p in d)
        if x != y:
            errors.append(f"{name}: two runs with seed 42 differ")
        if name == "trace.pcap" and x == z:
            errors.append(f"{name}: seeds 42 and 43 give the same trace")
    if sorted(os.listdir(d[0])) != ["expected.jsonl", "inventory.out", "trace.pcap",
                                    "transport.key"]:
        errors.append(f"unexpected files: {sorted(os.listdir(d[0]))}")
    if os.stat(os.path.join(d[0], "transport.key")).st_mode & 0o077:
        errors.append("transport.key is readable by others")
    print(f"determinism: {len(errors)} problems")
    return errors


BAD = [
    # (what, text replacing the match, expected fragment of the message)
    ("count = 200", "count = two hundred", ":{line}: [population] count:"),
    ("count = 200", "count = 0", ":{line}: [population] count:"),
    ("active = 0.35", "active = 0.95",
     ":{inventory}: [population] inventory/active/sleeping/locked: shares add up"),
    ("rate = 200", "rate = 200\nrate = 300", ":{line2}: [traffic] rate: set twice"),
    ("answer_delay = 15ms", "answer_delay = 15 parsecs", ":{line}: [traffic] answer_delay:"),
    ("vlans = 100,200", "vlans = 100,5000", ":{line}: [packaging] vlans:"),
    ("plmn = 44010", "plmn = 4401X", ":{line}: [region asia] plmn:"),
    ("vlr = 8190001", "vlr = 4477001",
     ":{europe}: [region europe] vlr: prefix 4477001 overlaps 4477001 of [region asia]"),
    ("sai_v2 = 2", "sai_v4 = 2", ":{line}: [traffic] sai_v4: unknown key"),
    ("[malformed]", "[malformed\n", ":{line}: [?] ?: syntax error"),
    ("customer = jitsim test operator", "customer = a;b", ":{line}: [vendor] customer:"),
    ("msisdn_sleeping = 447700500000", "msisdn_sleeping = 447700100010",
     ":{line}: [population] msisdn_sleeping: active and sleeping MSISDN ranges overlap"),
]


def line_of(text, what):
    return text[:text.index(what)].count("\n") + 1


def check_errors(a, tmp):
    errors = []
    base = open(a.scenario).read()
    for i, (old, new, frag) in enumerate(BAD):
        if old not in base:
            errors.append(f"case {i}: '{old}' not in {a.scenario}")
            continue
        text = base.replace(old, new, 1)
        line = base[:base.index(old)].count("\n") + 1
        path = os.path.join(tmp, f"bad{i}.ini")
        with open(path, "w") as f:
            f.write(text)
        out = os.path.join(tmp, f"out{i}")
        os.mkdir(out)
        with open(os.path.join(out, "trace.pcap"), "w") as f:
            f.write("older run")
        p = subprocess.run([a.pktgen, "generate", "--scenario", path, "--seed", "1",
                            "--out", out], capture_output=True, text=True)
        want = path + frag.format(line=line, line2=line + 1,
                                  inventory=line_of(base, "inventory ="),
                                  europe=line_of(base, "vlr = 4477001"))
        if p.returncode != 1:
            errors.append(f"case {i}: exit status {p.returncode}, wants 1")
        if want not in p.stderr:
            errors.append(f"case {i}: message {p.stderr.strip()!r} lacks {want!r}")
        if sorted(os.listdir(out)) != ["trace.pcap"] or \
           open(os.path.join(out, "trace.pcap")).read() != "older run":
            errors.append(f"case {i}: output dir touched: {sorted(os.listdir(out))}")
    # A write error half-way (file size limit): exit 1, no file, no new directory.
    def small_files():
        import resource
        import signal
        signal.signal(signal.SIGXFSZ, signal.SIG_IGN)
        resource.setrlimit(resource.RLIMIT_FSIZE, (50000, 50000))
    out = os.path.join(tmp, "full")
    p = subprocess.run([a.pktgen, "generate", "--scenario", a.scenario, "--seed", "1",
                        "--out", out], capture_output=True, text=True, preexec_fn=small_files)
    if p.returncode != 1 or os.path.exists(out):
        errors.append(f"write error: status {p.returncode}, output left: {os.path.exists(out)}")
    # Only operations on active SIMs, and no active SIM: nothing could be made.
    path = os.path.join(tmp, "infeasible.ini")
    with open(path, "w") as f:
        f.write("[population]\ncount = 10\n[region a]\nweight = 1\nvlr = 11\nmsc = 12\n"
                "sgsn = 13\nplmn = 00101\n[traffic]\ncl = 1\n")
    p = subprocess.run([a.pktgen, "generate", "--scenario", path, "--seed", "1",
                        "--out", os.path.join(tmp, "infeasible")], capture_output=True, text=True)
    if p.returncode != 1 or f"{path}:10: [traffic] weights:" not in p.stderr:
        errors.append(f"infeasible scenario: status {p.returncode}, {p.stderr.strip()!r}")
    for args in (["generate"], ["generate", "--scenario", a.scenario, "--seed", "x", "--out", tmp],
                 ["nonsense"], ["inspect"]):
        p = subprocess.run([a.pktgen, *args], capture_output=True, text=True)
        if p.returncode != 2:
            errors.append(f"{args}: exit status {p.returncode}, wants 2")
    p = subprocess.run([a.pktgen, "generate", "--scenario", os.path.join(tmp, "missing.ini"),
                        "--seed", "1", "--out", os.path.join(tmp, "never")],
                       capture_output=True, text=True)
    if p.returncode != 1 or os.path.exists(os.path.join(tmp, "never")):
        errors.append("missing scenario: wants exit 1 and no output directory")
    print(f"errors: {len(BAD)} bad scenarios, {len(errors)} problems")
    return errors


def luhn_ok(digits):
    total = 0
    for i, c in enumerate(reversed(digits)):
        d = int(c)
        if i % 2 == 1:
            d = d * 2 - 9 if d > 4 else d * 2
        total += d
    return total % 10 == 0


def check_vendor(a, tmp):
    errors = []
    out = os.path.join(tmp, "v")
    subprocess.run([a.pktgen, "vendor-file", "--scenario", a.scenario, "--seed", "7",
                    "--out", out, "--quiet"], check=True)
    if sorted(os.listdir(out)) != ["inventory.out", "transport.key"]:
        errors.append(f"vendor-file wrote {sorted(os.listdir(out))}")
    key = dict(line.split(": ", 1) for line in open(os.path.join(out, "transport.key"))
               if ": " in line and not line.startswith("#"))
    text = open(os.path.join(out, "inventory.out")).read().splitlines()
    hdr = dict(line.split(":", 1) for line in text if ":" in line and not line[0].isdigit())
    hdr = {k.strip(): v.strip() for k, v in hdr.items()}
    count = int(hdr.get("Quantity", "-1"))
    cols = hdr.get("Var_Out", "").split("/")
    if cols != ["ICCID", "IMSI", "PIN1", "PUK1", "PIN2", "PUK2", "KI", "OPC", "ADM1", "KIC1",
                "KID1"]:
        errors.append(f"Var_Out is {cols}")
    if hdr.get("Transport_key") != key.get("Transport_key_index", "").strip():
        errors.append("transport key index differs between the files")
    cards = [line.split() for line in text if line[:2] == "89"]
    if len(cards) != count:
        errors.append(f"{len(cards)} card lines, Quantity {count}")
    seen = set()
    for c in cards:
        if len(c) != len(cols):
            errors.append(f"card {c[0]}: {len(c)} columns")
            continue
        if len(c[0]) != 20 or not luhn_ok(c[0]):
            errors.append(f"ICCID {c[0]}: bad length or Luhn digit")
        if len(c[1]) != 15 or c[1] in seen:
            errors.append(f"IMSI {c[1]}: bad or repeated")
        seen.add(c[1])
        for i in (6, 7, 9, 10):
            if len(c[i]) != 32:
                errors.append(f"card {c[0]}: {cols[i]} is not 16 bytes of hex")
    if cards:
        k = key["Key"].strip()
        p = subprocess.run(["openssl", "enc", "-d", "-aes-128-ecb", "-nopad", "-K", k],
                           input=bytes.fromhex(cards[0][6]), capture_output=True)
        if p.returncode != 0 or len(p.stdout) != 16 or p.stdout == bytes.fromhex(cards[0][6]):
            errors.append("Ki does not decrypt under the transport key")
    print(f"vendor: {len(cards)} cards, {len(errors)} problems")
    return errors


def check_inspect(a, out):
    errors = []
    sims, malformed, totals = load_truth(os.path.join(out, "expected.jsonl"))
    p = subprocess.run([a.pktgen, "inspect", os.path.join(out, "trace.pcap")],
                       capture_output=True, text=True)
    head = p.stdout.splitlines()[0] if p.stdout else ""
    want = f"{totals['frames']} frames, {totals['messages']} messages, " \
           f"{totals['distinct_imsis']} distinct IMSIs"
    if p.returncode != 0 or want not in head:
        errors.append(f"inspect says {head!r}, wants {want!r}")
    p = subprocess.run([a.pktgen, "inspect", "--frames", os.path.join(out, "trace.pcap")],
                       capture_output=True, text=True)
    n = sum(1 for line in p.stdout.splitlines() if line.startswith("frame="))
    if n != totals["messages"]:
        errors.append(f"inspect --frames prints {n} messages, wants {totals['messages']}")
    caps = sorted(glob.glob(os.path.join(a.traces, "*.pcap*")))
    for c in caps:
        p = subprocess.run([a.pktgen, "inspect", c], capture_output=True, text=True)
        if p.returncode != 0 or "distinct IMSIs" not in p.stdout:
            errors.append(f"inspect {os.path.basename(c)}: status {p.returncode} {p.stderr}")
    print(f"inspect: our trace and {len(caps)} reference captures, {len(errors)} problems")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--pktgen", required=True)
    ap.add_argument("--decoder")
    ap.add_argument("--scenario", required=True)
    ap.add_argument("--traces", default="")
    ap.add_argument("--packets", help="override the scenario's packet count")
    ap.add_argument("--check", required=True,
                    choices=["tshark", "truth", "determinism", "errors", "vendor", "inspect"])
    a = ap.parse_args()
    with tempfile.TemporaryDirectory() as tmp:
        if a.check in ("tshark", "truth", "inspect"):
            out = os.path.join(tmp, "gen")
            generate(a.pktgen, a.scenario, 1, out,
                     ["--packets", a.packets] if a.packets else [])
            errs = {"tshark": check_tshark, "truth": check_truth,
                    "inspect": check_inspect}[a.check](a, out)
        else:
            errs = {"determinism": check_determinism, "errors": check_errors,
                    "vendor": check_vendor}[a.check](a, tmp)
    return fail(errs, a.check)


if __name__ == "__main__":
    sys.exit(main())
