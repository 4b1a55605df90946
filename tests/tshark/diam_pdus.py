#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Every Diameter message of a loopback capture, as tshark decodes it.

usage: diam_pdus.py PCAP OUT [--port P]... [--lenient-port P]...

One tshark pass (PDML; Diameter on the given TCP and SCTP ports besides
3868 and SCTP PPID 46) writes OUT: one JSON line per Diameter message,
{"frame", "src", "dst" (transport ports), "cmd", "req", "err", "app",
"hbh", "e2e", "ppid" (SCTP payload protocol ids of the frame's DATA
chunks, [] over TCP), "broken" (malformed or expert items at warning or above),
"f": {field name: [shown values]}} with the Diameter fields of that
message (diameter.* but the raw AVP and flag items, e164.msisdn, e212.*).

Exit status 1 when a frame is malformed, or a Diameter message has an
expert item at warning severity or above, unless the frame's source or
destination port is a --lenient-port (the scenario's deliberate junk and
the answers that quote it); those lines are still written, with
"lenient": true. Exit 1 too when the capture holds no Diameter message.
Errors name the frame; the report goes to stderr.
"""

import argparse
import json
import subprocess
import sys
import xml.etree.ElementTree as ET

# epan/proto.h: PI_WARN. A Diameter AVP of a wrong length or value is a warning.
EXPERT_WARN = 0x00600000


def first_show(node, name):
    for f in node.iter("field"):
        if f.get("name") == name:
            return f.get("show")
    return None


def ports(pkt):
    for proto in ("tcp", "sctp"):
        p = next((x for x in pkt.iter("proto") if x.get("name") == proto), None)
        if p is not None:
            s, d = first_show(p, proto + ".srcport"), first_show(p, proto + ".dstport")
            if s is not None and d is not None:
                return int(s), int(d)
    return None, None


def expert_items(node):
    out = []
    for x in node.iter("field"):
        if x.get("name") != "_ws.expert":
            continue
        sev = first_show(x, "_ws.expert.severity")
        if sev is not None and int(sev, 0) >= EXPERT_WARN:
            out.append(x.get("showname") or "expert info")
    return out


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n")[0])
    ap.add_argument("pcap")
    ap.add_argument("out")
    ap.add_argument("--port", type=int, action="append", default=[])
    ap.add_argument("--lenient-port", type=int, action="append", default=[])
    a = ap.parse_args()
    args = ["tshark", "-n", "-r", a.pcap, "-T", "pdml"]
    for p in a.port:
        args += ["-d", "tcp.port==%d,diameter" % p, "-d", "sctp.port==%d,diameter" % p]
    r = subprocess.run(args, capture_output=True, text=True)
    if r.returncode != 0:
        print("tshark failed on %s: %s" % (a.pcap, r.stderr.strip()[:500]), file=sys.stderr)
        return 1
    bad = []
    n = 0
    with open(a.out, "w") as out:
        for pkt in ET.fromstring(r.stdout).iter("packet"):
            num = int(first_show(pkt, "frame.number") or 0)
            src, dst = ports(pkt)
            lenient = src in a.lenient_port or dst in a.lenient_port
            protos = list(pkt.iter("proto"))
            malformed = [p.get("showname") or "malformed" for p in protos
                         if p.get("name") == "_ws.malformed"]
            diams = [p for p in protos if p.get("name") == "diameter"]
            ppid = [int(f.get("show")) for f in pkt.iter("field")
                    if f.get("name") == "sctp.data_payload_proto_id"]
            if malformed and not diams and not lenient:
                bad.append("frame %d (%s -> %s): %s" % (num, src, dst, malformed))
            for i, d in enumerate(diams):
                fields = {}
                for f in d.iter("field"):
                    name = f.get("name") or ""
                    # The raw AVP bytes and bits are left out: the lines stay short.
                    if name.startswith(("diameter.avp", "diameter.flags")):
                        continue
                    if name.startswith(("diameter.", "e164.", "e212.")):
                        fields.setdefault(name, []).append(f.get("show"))
                broken = expert_items(d) + (malformed if i == len(diams) - 1 else [])
                j = {"frame": num, "src": src, "dst": dst,
                     "cmd": int(first_show(d, "diameter.cmd.code") or -1),
                     "req": first_show(d, "diameter.flags.request") in ("1", "True"),
                     "err": first_show(d, "diameter.flags.error") in ("1", "True"),
                     "app": int(first_show(d, "diameter.applicationId") or -1),
                     "hbh": first_show(d, "diameter.hopbyhopid"),
                     "e2e": first_show(d, "diameter.endtoendid"),
                     "ppid": ppid, "broken": broken, "f": fields}
                if lenient:
                    j["lenient"] = True
                elif broken:
                    bad.append("frame %d (%s -> %s) cmd %s: %s" % (num, src, dst, j["cmd"], broken))
                out.write(json.dumps(j, separators=(",", ":")) + "\n")
                n += 1
    for b in bad[:20]:
        print("tshark: " + b, file=sys.stderr)
    if bad:
        print("tshark: %d malformed or expert-warning Diameter messages" % len(bad), file=sys.stderr)
        return 1
    if n == 0:
        print("tshark: no Diameter message in %s" % a.pcap, file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
