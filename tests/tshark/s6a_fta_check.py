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

import os
import sys

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from compare import first_show  # noqa: E402
from fta_check import (check_broken, check_fields, new_frame, note_field, note_proto,  # noqa: E402
                       run, tshark_packets)

# epan/proto.h PI_WARN: a Diameter AVP of the wrong length or value is a warning.
EXPERT_WARN = 0x00600000
S6A_APP_ID = 16777251


def tshark_frames(path):
    frames = {}
    for num, pkt, protos in tshark_packets(path, ["-d", "tcp.port==3868,diameter"]):
        f = new_frame(diam=[], imsi=set(), result=set(), exp_result=set(), msisdn=set())
        for p in protos:
            if note_proto(f, p) == "diameter":
                f["diam"].append((int(first_show(p, "diameter.cmd.code")),
                                  first_show(p, "diameter.flags.request") == "1",
                                  int(first_show(p, "diameter.applicationId")),
                                  int(first_show(p, "diameter.hopbyhopid"), 16),
                                  int(first_show(p, "diameter.endtoendid"), 16)))
        for x in pkt.iter("field"):
            n = note_field(f, x, EXPERT_WARN, "expert info")
            if n == "diameter.User-Name":
                f["imsi"].add(x.get("show"))
            elif n == "diameter.Result-Code":
                f["result"].add(int(x.get("show")))
            elif n == "diameter.Experimental-Result-Code":
                f["exp_result"].add(int(x.get("show")))
            elif n == "e164.msisdn":
                f["msisdn"].add(x.get("show"))
        frames[num] = f
    return frames


def check(want, t, ours):
    errors = check_broken(t)
    got = [(c, r, a) for c, r, a, _, _ in t["diam"]]
    if got != [(want["cmd"], want["req"], S6A_APP_ID)]:
        errors.append(f"tshark Diameter {got}, intended {(want['cmd'], want['req'])}")
    errors += check_fields(want, t, ("imsi", "result", "exp_result", "msisdn"))
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


if __name__ == "__main__":
    sys.exit(run(__doc__, "s6a_fta", "from the S6a FTA parsers and builders", tshark_frames,
                 check))
