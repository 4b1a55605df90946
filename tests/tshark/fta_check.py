# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""What the First Time Attach tshark checks share (map_fta_check.py, s6a_fta_check.py).

Each check runs its generator, which writes a pcap and prints one JSON line
of intent per frame; reads the pcap with tshark (PDML) frame by frame; and
compares every frame with its intent. The protocol-specific parts are the
tshark options, what is collected of a frame and how a frame is checked;
the rest (the PDML walk, malformed and expert reports, field counts and
values, the driver) is here.
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


def tshark_packets(path, opts):
    """(frame number, <packet>, its <proto> elements) of each frame tshark decodes."""
    out = subprocess.run(["tshark", "-n", "-r", path, "-T", "pdml"] + opts + CHECKSUM_OPTS,
                         check=True, capture_output=True).stdout
    for _, pkt in ET.iterparse(io.BytesIO(out)):
        if pkt.tag != "packet":
            continue
        protos = list(pkt.iter("proto"))
        num = None
        for p in protos:
            if p.get("name") == "geninfo":
                num = int(first_show(p, "num"))
        yield num, pkt, protos
        pkt.clear()


def new_frame(**fields):
    """A frame record: field counts, first shown values, problems, and @p fields."""
    f = {"count": collections.Counter(), "values": {}, "broken": []}
    f.update(fields)
    return f


def note_proto(f, p):
    """Record a malformed-packet report; return the protocol's name."""
    name = p.get("name")
    if name == "_ws.malformed":
        f["broken"].append("malformed packet")
    return name


def note_field(f, x, expert_min, expert_what):
    """Count a field, keep its first value, record expert info of @p expert_min or above."""
    n = x.get("name") or ""
    f["count"][n] += 1
    f["values"].setdefault(n, x.get("show"))
    if n == "_ws.expert":
        sev = first_show(x, "_ws.expert.severity")
        if sev is not None and int(sev, 0) >= expert_min:
            f["broken"].append(x.get("showname") or expert_what)
    return n


def check_broken(t):
    return [f"tshark reports {t['broken']}"] if t["broken"] else []


def check_fields(want, t, keys):
    """The identities in @p keys, then the intended field counts and values."""
    errors = []
    for k in keys:
        w = {want[k]} if k in want else set()
        if t[k] != w:
            errors.append(f"{k} {sorted(t[k])}, intended {sorted(w)}")
    for field, n in want.get("count", {}).items():
        if t["count"][field] != n:
            errors.append(f"{field} appears {t['count'][field]} times, intended {n}")
    for field, v in want.get("values", {}).items():
        if t["values"].get(field) != v:
            errors.append(f"{field} = {t['values'].get(field)!r}, intended {v!r}")
    return errors


def run(doc, name, what, tshark_frames, check):
    """The command line of a check: generate, decode twice, compare; the exit status."""
    ap = argparse.ArgumentParser(description=doc,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--generate", required=True, metavar="GEN", help=f"path to gen_{name}")
    ap.add_argument("--decoder", help="path to jitsim-decode (optional second check)")
    a = ap.parse_args()
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, f"{name}.pcap")
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
        print(f"{name}: {e}")
    print(f"{name}: {len(intents)} frames {what}, {len(errors)} mismatches")
    return 1 if errors else 0
