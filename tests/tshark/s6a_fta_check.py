#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Check the S6a First Time Attach parsers and builders (s6a_fta.h) against tshark.

Runs gen_s6a_fta, which writes the test MME's requests (each parsed by the
FTA parsers) and every answer the builders make into a pcap (Diameter over
TCP port 3868) and prints one JSON line of intent per frame, then decodes
the pcap with tshark (PDML, checksums verified) and, when given, with
jitsim-decode. For every frame:
  - no malformed packet and no expert info at warning severity or above;
  - exactly one Diameter message, of the intended command code, request or
    answer as intended, S6a application;
  - the User-Name (IMSI), Result-Code, Experimental-Result-Code and MSISDN
    tshark shows are the intended ones (none when none is intended);
  - "count": how many times each named field appears (vectors, APN
    configurations, Failed-AVP, ...); "values": a field's first shown value;
  - jitsim-decode reports the same command, direction, identifiers, IMSI,
    result and MSISDN.

Exit status 0 when everything agrees, 1 otherwise, 2 on usage errors.
"""

import argparse
import collections
import io
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import CHECKSUM_OPTS, first_show, jitsim_frames  # noqa: E402

# epan/proto.h PI_WARN: a Diameter AVP of the wrong length or value is a warning.
EXPERT_WARN = 0x00600000
S6A_APP_ID = 16777251


def tshark_frames(path):
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "pdml",
                          "-d", "tcp.port==3868,diameter"] + CHECKSUM_OPTS,
                         check=True, capture_output=True).stdout
    frames = {}
    for _, pkt in ET.iterparse(io.BytesIO(out)):
        if pkt.tag != "packet":
            continue
        protos = list(pkt.iter("proto"))
        num = None
        for p in protos:
            if p.get("name") == "geninfo":
                num = int(first_show(p, "num"))
        f = {"count": collections.Counter(), "values": {}, "diam": [], "broken": [],
             "imsi": set(), "result": set(), "exp_result": set(), "msisdn": set()}
        for p in protos:
            name = p.get("name")
            if name == "_ws.malformed":
                f["broken"].append("malformed packet")
            elif name == "diameter":
                f["diam"].append((int(first_show(p, "diameter.cmd.code")),
                                  first_show(p, "diameter.flags.request") == "1",
                                  int(first_show(p, "diameter.applicationId")),
                                  int(first_show(p, "diameter.hopbyhopid"), 16),
                                  int(first_show(p, "diameter.endtoendid"), 16)))
        for x in pkt.iter("field"):
            n = x.get("name") or ""
            f["count"][n] += 1
            f["values"].setdefault(n, x.get("show"))
            if n == "diameter.User-Name":
                f["imsi"].add(x.get("show"))
            elif n == "diameter.Result-Code":
                f["result"].add(int(x.get("show")))
            elif n == "diameter.Experimental-Result-Code":
                f["exp_result"].add(int(x.get("show")))
            elif n == "e164.msisdn":
                f["msisdn"].add(x.get("show"))
            elif n == "_ws.expert":
                sev = first_show(x, "_ws.expert.severity")
                if sev is not None and int(sev, 0) >= EXPERT_WARN:
                    f["broken"].append(x.get("showname") or "expert info")
        frames[num] = f
        pkt.clear()
    return frames


def check(want, t, ours):
    errors = []
    if t["broken"]:
        errors.append(f"tshark reports {t['broken']}")
    got = [(c, r, a) for c, r, a, _, _ in t["diam"]]
    if got != [(want["cmd"], want["req"], S6A_APP_ID)]:
        errors.append(f"tshark Diameter {got}, intended {(want['cmd'], want['req'])}")
    for k in ("imsi", "result", "exp_result", "msisdn"):
        w = {want[k]} if k in want else set()
        if t[k] != w:
            errors.append(f"{k} {sorted(t[k])}, intended {sorted(w)}")
    for field, n in want.get("count", {}).items():
        if t["count"][field] != n:
            errors.append(f"{field} appears {t['count'][field]} times, intended {n}")
    for field, v in want.get("values", {}).items():
        if t["values"].get(field) != v:
            errors.append(f"{field} = {t['values'].get(field)!r}, intended {v!r}")
    if ours is not None:
        mine = [m for m in ours if m.get("proto") == "diameter"]
        got = [(m["cmd"], m["req"], m["app"], m["hbh"], m["e2e"]) for m in mine]
        if got != t["diam"]:
            errors.append(f"jitsim-decode {got}, tshark {t['diam']}")
        for m in mine:
            for k in ("imsi", "result", "exp_result", "msisdn"):
                if m.get(k) != want.get(k):
                    errors.append(f"jitsim-decode {k} {m.get(k)!r}, intended {want.get(k)!r}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generate", required=True, metavar="GEN", help="path to gen_s6a_fta")
    ap.add_argument("--decoder", help="path to jitsim-decode (optional second check)")
    a = ap.parse_args()
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "s6a_fta.pcap")
        out = subprocess.run([a.generate, pcap], check=True, capture_output=True,
                             text=True).stdout
        intents = {j["frame"]: j for j in map(json.loads, out.splitlines())}
        ts = tshark_frames(pcap)
        ours = jitsim_frames(a.decoder, pcap) if a.decoder else None
    if not intents:
        errors.append("the generator wrote no frames")
    if sorted(ts) != sorted(intents):
        errors.append(f"tshark frames {sorted(ts)}, generated {sorted(intents)}")
    for num, want in sorted(intents.items()):
        if num not in ts:
            continue
        for e in check(want, ts[num], None if ours is None else ours.get(num, [])):
            errors.append(f"frame {num} ({want['what']}): {e}")
    for e in errors:
        print(f"s6a_fta: {e}")
    print(f"s6a_fta: {len(intents)} frames from the S6a FTA parsers and builders, "
          f"{len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
