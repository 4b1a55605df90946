#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Check the First Time Attach builders (map_fta.h) against tshark.

Runs gen_map_fta, which writes every message the builders make into a pcap
and prints one JSON line of intent per frame, then decodes the pcap with
tshark (PDML, checksums verified) and, when given, with jitsim-decode. For
every frame:
  - no malformed packet and no expert info at error severity;
  - the TCAP message type (begin/continue/end/abort) and, when a dialogue
    portion is intended, its MAP application context ("<ac>.<version>");
  - the one MAP component: kind (invoke 161, returnResultLast 162,
    returnError 163) with its operation or error code;
  - the IMSI, MSISDN and HLR number tshark shows;
  - "count": how many times each named field appears (vectors, services,
    PDP context fields); "values": a field's shown value;
  - jitsim-decode reports the same component.

Exit status 0 when everything agrees, 1 otherwise, 2 on usage errors.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import tempfile
import xml.etree.ElementTree as ET

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import CHECKSUM_OPTS, EXPERT_ERROR, first_show, jitsim_frames, map_components  # noqa: E402

TCAP_TYPES = ("begin", "continue", "end", "abort")
MAP_ACN_PREFIX = "0.4.0.0.1.0."


def tshark_frames(path):
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "pdml"] + CHECKSUM_OPTS,
                         check=True, capture_output=True).stdout
    frames = {}
    for _, pkt in ET.iterparse(__import__("io").BytesIO(out)):
        if pkt.tag != "packet":
            continue
        protos = list(pkt.iter("proto"))
        num = None
        for p in protos:
            if p.get("name") == "geninfo":
                num = int(first_show(p, "num"))
        f = {"count": collections.Counter(), "values": {}, "map": [], "tcap": [],
             "acn": [], "broken": [], "imsi": set(), "msisdn": set(), "hlr": set()}
        for p in protos:
            name = p.get("name")
            if name == "_ws.malformed":
                f["broken"].append("malformed packet")
            elif name == "gsm_map":
                f["map"] += map_components(p)
        for x in pkt.iter("field"):
            n = x.get("name") or ""
            f["count"][n] += 1
            f["values"].setdefault(n, x.get("show"))
            if n.startswith("tcap.") and n.endswith("_element") and \
               n[5:-8] in TCAP_TYPES:
                f["tcap"].append(n[5:-8])
            elif n == "tcap.application_context_name":
                v = x.get("show") or ""
                f["acn"].append(v[len(MAP_ACN_PREFIX):] if v.startswith(MAP_ACN_PREFIX) else v)
            elif n == "e212.imsi":
                f["imsi"].add(x.get("show"))
            elif n in ("gsm_map.ms.msisdn", "gsm_map.ms.hlr_Number"):
                d = first_show(x, "e164.msisdn")
                f["msisdn" if n.endswith("msisdn") else "hlr"].add(d)
            elif n == "_ws.expert":
                sev = first_show(x, "_ws.expert.severity")
                if sev is not None and int(sev, 0) >= EXPERT_ERROR:
                    f["broken"].append(x.get("showname") or "expert error")
        frames[num] = f
        pkt.clear()
    return frames


def check(want, t, ours):
    errors = []
    if t["broken"]:
        errors.append(f"tshark reports {t['broken']}")
    if t["tcap"] != [want["tcap"]]:
        errors.append(f"TCAP {t['tcap']}, intended {want['tcap']}")
    want_acn = [want["acn"]] if "acn" in want else []
    if t["acn"] != want_acn:
        errors.append(f"application context {t['acn']}, intended {want_acn}")
    want_map = [(want["comp"], want["code"])] if "comp" in want else []
    if t["map"] != want_map:
        errors.append(f"MAP components {t['map']}, intended {want_map}")
    for k in ("imsi", "msisdn", "hlr"):
        w = {want[k]} if k in want else set()
        if t[k] != w:
            errors.append(f"{k} {sorted(t[k])}, intended {sorted(w)}")
    for field, n in want.get("count", {}).items():
        if t["count"][field] != n:
            errors.append(f"{field} appears {t['count'][field]} times, intended {n}")
    for field, v in want.get("values", {}).items():
        if t["values"].get(field) != v:
            errors.append(f"{field} = {t['values'].get(field)!r}, intended {v!r}")
    if ours is not None and "comp" in want:
        got = [(m["comp"], m.get("err", m.get("op"))) for m in ours if m.get("proto") == "map"]
        if got != want_map:
            errors.append(f"jitsim-decode {got}, intended {want_map}")
    return errors


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generate", required=True, metavar="GEN", help="path to gen_map_fta")
    ap.add_argument("--decoder", help="path to jitsim-decode (optional second check)")
    a = ap.parse_args()
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "map_fta.pcap")
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
        print(f"map_fta: {e}")
    print(f"map_fta: {len(intents)} frames built by the FTA builders, {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
