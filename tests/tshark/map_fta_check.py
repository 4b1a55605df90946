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
import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import EXPERT_ERROR, first_show, map_components  # noqa: E402
from fta_check import (check_broken, check_fields, new_frame, note_field, note_proto,  # noqa: E402
                       run, tshark_packets)

TCAP_TYPES = ("begin", "continue", "end", "abort")
MAP_ACN_PREFIX = "0.4.0.0.1.0."


def tshark_frames(path):
    frames = {}
    for num, pkt, protos in tshark_packets(path, []):
        f = new_frame(map=[], tcap=[], acn=[], imsi=set(), msisdn=set(), hlr=set())
        for p in protos:
            if note_proto(f, p) == "gsm_map":
                f["map"] += map_components(p)
        for x in pkt.iter("field"):
            n = note_field(f, x, EXPERT_ERROR, "expert error")
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
        frames[num] = f
    return frames


def check(want, t, ours):
    errors = check_broken(t)
    if t["tcap"] != [want["tcap"]]:
        errors.append(f"TCAP {t['tcap']}, intended {want['tcap']}")
    want_acn = [want["acn"]] if "acn" in want else []
    if t["acn"] != want_acn:
        errors.append(f"application context {t['acn']}, intended {want_acn}")
    want_map = [(want["comp"], want["code"])] if "comp" in want else []
    if t["map"] != want_map:
        errors.append(f"MAP components {t['map']}, intended {want_map}")
    errors += check_fields(want, t, ("imsi", "msisdn", "hlr"))
    if ours is not None and "comp" in want:
        got = [(m["comp"], m.get("err", m.get("op"))) for m in ours if m.get("proto") == "map"]
        if got != want_map:
            errors.append(f"jitsim-decode {got}, intended {want_map}")
    return errors


if __name__ == "__main__":
    sys.exit(run(__doc__, "map_fta", "built by the FTA builders", tshark_frames, check))
