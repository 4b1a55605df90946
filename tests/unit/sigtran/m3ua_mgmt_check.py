#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Check the M3UA management encoder (dataplane/sigtran/m3ua_mgmt.h) against tshark.

usage: m3ua_mgmt_check.py GEN_M3UA_MGMT

Runs the generator, which writes every management message into a pcap and
prints one JSON line per frame naming tshark fields and the values they must
show (lists comma-separated, in order); decodes the pcap with tshark (SCTP
CRC32c verified) and requires, for every frame, each of those values, no
malformed packet and no expert info of error severity. Exit 0 when all
agree, 1 otherwise.
"""

import json
import os
import subprocess
import sys
import tempfile

EXPERT_ERROR = 0x00800000


def main():
    if len(sys.argv) != 2:
        print(__doc__, file=sys.stderr)
        return 2
    with tempfile.TemporaryDirectory(prefix="jitsim-m3ua-mgmt-") as tmp:
        pcap = os.path.join(tmp, "m3ua_mgmt.pcap")
        gen = subprocess.run([sys.argv[1], pcap], check=True, capture_output=True, text=True)
        intents = [json.loads(line) for line in gen.stdout.splitlines() if line.strip()]
        fields = sorted({k for i in intents for k in i if k.startswith("m3ua.")})
        cols = ["frame.number", "_ws.malformed", "_ws.expert.severity"] + fields
        cmd = ["tshark", "-n", "-r", pcap, "-o", "sctp.checksum:crc32c", "-T", "fields",
               "-E", "occurrence=a", "-E", "aggregator=,"]
        for c in cols:
            cmd += ["-e", c]
        out = subprocess.run(cmd, check=True, capture_output=True, text=True).stdout
    rows = {}
    for line in out.splitlines():
        v = line.split("\t")
        rows[v[0]] = dict(zip(cols, v))
    bad = 0
    if len(rows) != len(intents):
        print(f"FAIL: {len(intents)} frames written, tshark shows {len(rows)}")
        bad += 1
    for i in intents:
        row = rows.get(i["frame"])
        what = f"frame {i['frame']} {i['name']}"
        if row is None:
            print(f"FAIL {what}: not decoded")
            bad += 1
            continue
        if row["_ws.malformed"]:
            print(f"FAIL {what}: malformed")
            bad += 1
        sev = [int(s, 0) for s in row["_ws.expert.severity"].split(",") if s]
        if any(s >= EXPERT_ERROR for s in sev):
            print(f"FAIL {what}: expert info at error severity")
            bad += 1
        for k, want in i.items():
            if not k.startswith("m3ua."):
                continue
            if row[k] != want:
                print(f"FAIL {what}: {k} is {row[k]!r}, want {want!r}")
                bad += 1
        if not bad:
            print(f"ok {what}: " + " ".join(f"{k[5:]}={row[k]}" for k in i if k.startswith("m3ua.")))
    print("m3ua_mgmt_check: %d frames, %s" % (len(intents), "OK" if not bad else f"{bad} failures"))
    return 1 if bad else 0


if __name__ == "__main__":
    sys.exit(main())
