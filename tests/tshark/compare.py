#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Cross-check jitsim's codecs against tshark, frame by frame.

For one capture, run tshark (PDML) and jitsim-decode (JSON lines) and
compare, for every frame:
  MAP      the multiset of components (kind, operation or error code), the
           IMSIs, the MSISDNs, the SCCP called/calling GT digits, and the
           VLR/SGSN/MSC numbers;
  Diameter the multiset of messages (command, request flag, application,
           hop-by-hop, end-to-end), User-Name, Visited-PLMN-Id, RAT-Type,
           IMEI, Result-Code, Experimental-Result-Code.
A frame that tshark decodes as MAP or Diameter and jitsim misses fails, and
so does a message jitsim reports where tshark sees none.

Known tshark limitations are not papered over: they are listed in
EXPECTATIONS below, each with the reason from ../shared/traces/README.md,
and checked to still hold (so a changed capture or tshark is noticed).

Exit status 0 when everything agrees, 1 on a mismatch, 2 on usage errors.
"""

import argparse
import collections
import json
import os
import subprocess
import sys
import xml.etree.ElementTree as ET

# Per-capture tshark options and deviations (see ../shared/traces/README.md).
TSHARK_OPTS = {
    # SCCP addresses without an SSN: tshark needs to be told the payload is TCAP.
    "map_wswiki_sai_ul_cl_nossn.pcap": ["-o", "sccp.default_payload:tcap"],
}
EXPECTATIONS = {
    # tshark reassembles the 3-segment XUDT and then decodes a TCAP dialogue
    # whose application context (1.2.826.0.1249.51.1.1.1.0.1) is not MAP as
    # if it were MAP ("BoundErrorUnreassembled Packet", 5 nonsense invokes).
    # The README says: a correct decoder reports no MAP here at all.
    "map_pcapr_xudt_segmented_nonmap_acn.pcap": {
        "tshark_bogus_map_frames": {3, 16},
    },
}

# Expert info at this severity or above means the frame is broken
# (epan/proto.h: PI_ERROR is 0x00800000).
EXPERT_ERROR = 0x00800000
# tshark does not check these by default; for our own frames it must.
CHECKSUM_OPTS = ["-o", "ip.check_checksum:TRUE", "-o", "tcp.check_checksum:TRUE",
                 "-o", "sctp.checksum:crc32c",
                 # generated TCP segments are independent, not one stream
                 "-o", "tcp.analyze_sequence_numbers:FALSE"]

# MAP operations whose VLR/MSC/SGSN numbers jitsim must extract.
NODE_OPS = {2, 23, 67}

COMP_KINDS = {
    "gsm_old.invoke_element": 0xA1,
    "gsm_old.returnResultLast_element": 0xA2,
    "gsm_old.returnError_element": 0xA3,
    "gsm_old.reject_element": 0xA4,
    "gsm_old.returnResultNotLast_element": 0xA7,
}


def find_all(elem, name):
    return [f for f in elem.iter("field") if f.get("name") == name]


def first_show(elem, name):
    for f in elem.iter("field"):
        if f.get("name") == name:
            return f.get("show")
    return None


def map_components(proto):
    comps = []
    for comp in find_all(proto, "gsm_map.old.Component"):
        kind = None
        for child in comp:
            if child.get("name") in COMP_KINDS:
                kind = COMP_KINDS[child.get("name")]
                body = child
                break
        if kind is None:
            continue
        code = None
        tag = "gsm_old.errorCode" if kind == 0xA3 else "gsm_old.opCode"
        for f in body.iter("field"):
            if f.get("name") == tag:
                v = first_show(f, "gsm_old.localValue")
                code = int(v) if v is not None else None
                break
        comps.append((kind, code))
    return comps


def digits_of(field):
    """The digits of an AddressString field: its e164.msisdn child, else its show."""
    v = first_show(field, "e164.msisdn")
    if v is None:
        v = first_show(field, "gsm_map.address.digits")
    return v


def tshark_frames(path, opts):
    cmd = ["tshark", "-n", "-r", path, "-T", "pdml"] + opts
    out = subprocess.run(cmd, check=True, capture_output=True).stdout
    frames = {}
    for _, pkt in ET.iterparse(__import__("io").BytesIO(out)):
        if pkt.tag != "packet":
            continue
        num = None
        protos = list(pkt.iter("proto"))
        for p in protos:
            if p.get("name") == "geninfo":
                num = int(first_show(p, "num"))
        f = {"map": [], "imsi": set(), "msisdn": set(), "gt": set(),
             "nodes": set(), "diam": [], "diam_fields": set()}
        has_map = False
        for p in protos:
            name = p.get("name")
            if name == "sccp":
                for tag in ("sccp.called.digits", "sccp.calling.digits"):
                    v = first_show(p, tag)
                    if v:
                        f["gt"].add((tag.split(".")[1], v))
            elif name == "gsm_map":
                has_map = True
                f["map"] += map_components(p)
                for x in p.iter("field"):
                    n = x.get("name") or ""
                    if n == "e212.imsi":
                        f["imsi"].add(x.get("show"))
                    elif n.startswith("gsm_map.") and n.endswith(".msisdn"):
                        d = digits_of(x)
                        if d:
                            f["msisdn"].add(d)
                    elif n in ("gsm_map.ms.vlr_Number", "gsm_map.ms.msc_Number",
                               "gsm_map.ms.sgsn_Number"):
                        d = digits_of(x)
                        if d:
                            f["nodes"].add((n.split(".")[-1], d))
            elif name == "diameter":
                d = {k: first_show(p, "diameter." + k) for k in
                     ("cmd.code", "flags.request", "applicationId", "hopbyhopid",
                      "endtoendid")}
                if None in d.values():
                    # A header tshark could not read whole (a truncated
                    # frame): a decode error, not a message to compare.
                    f.setdefault("partial", []).append("diameter header incomplete")
                    continue
                f["diam"].append((int(d["cmd.code"]), d["flags.request"] == "1",
                                  int(d["applicationId"]), int(d["hopbyhopid"], 16),
                                  int(d["endtoendid"], 16)))
                f["diam_fields"] |= diameter_fields(p)
        f["has_map"] = has_map
        f["malformed"] = f.pop("partial", [])
        for p in protos:
            if p.get("name") == "_ws.malformed":
                f["malformed"].append("malformed packet")
        for x in pkt.iter("field"):
            if x.get("name") == "_ws.expert":
                sev = first_show(x, "_ws.expert.severity")
                if sev is not None and int(sev, 0) >= EXPERT_ERROR:
                    f["malformed"].append(x.get("showname") or "expert error")
        frames[num] = f
        pkt.clear()
    return frames


def diameter_fields(proto):
    s = set()
    for avp in find_all(proto, "diameter.avp"):
        code = first_show(avp, "diameter.avp.code")
        if code == "1":
            # TS 29.272 7.3.x: User-Name is the IMSI in S6a; other
            # applications (Cx: "alice@open-ims.test") carry NAIs, which
            # jitsim flags as not being an IMSI.
            v = first_show(avp, "diameter.User-Name")
            s.add(("imsi", v) if v.isdigit() else ("user_name_not_digits", True))
        elif code == "1407":
            # tshark shows MCC/MNC as numbers ("1" for MNC 01): compare values.
            mcc, mnc = first_show(avp, "e212.mcc"), first_show(avp, "e212.mnc")
            if mcc and mnc:
                s.add(("visited", (int(mcc), int(mnc))))
        elif code == "1032":
            s.add(("rat", int(first_show(avp, "diameter.RAT-Type"))))
        elif code == "1402":
            s.add(("imei", first_show(avp, "diameter.IMEI")))
        elif code == "268":
            s.add(("result", int(first_show(avp, "diameter.Result-Code"))))
        elif code == "298":
            s.add(("exp_result", int(first_show(avp, "diameter.Experimental-Result-Code"))))
    return s


def jitsim_frames(decoder, path):
    out = subprocess.run([decoder, "--json", path], check=True, capture_output=True,
                         text=True).stdout
    frames = collections.defaultdict(list)
    for line in out.splitlines():
        m = json.loads(line)
        frames[m["frame"]].append(m)
    return frames


def ours_summary(msgs):
    f = {"map": [], "imsi": set(), "msisdn": set(), "gt": set(), "nodes": set(),
         "diam": [], "diam_fields": set()}
    for m in msgs:
        if m["proto"] == "map":
            f["map"].append((m["comp"], m.get("err", m.get("op"))))
            if "imsi" in m:
                f["imsi"].add(m["imsi"])
            if "msisdn" in m:
                f["msisdn"].add(m["msisdn"])
            for k in ("called", "calling"):
                if k + "_gt" in m:
                    f["gt"].add((k, m[k + "_gt"]))
        else:
            f["diam"].append((m["cmd"], m["req"], m["app"], m["hbh"], m["e2e"]))
            for k in ("imsi", "rat", "imei", "result", "exp_result", "user_name_not_digits"):
                if k in m:
                    f["diam_fields"].add((k, m[k]))
            if "visited" in m:
                f["diam_fields"].add(("visited", (int(m["visited"][:3]), int(m["visited"][3:]))))
    return f


def compare(name, ts, ours, decoder_nodes):
    errors = []
    exp = EXPECTATIONS.get(name, {})
    bogus = exp.get("tshark_bogus_map_frames", set())
    seen_bogus = {n for n, f in ts.items() if f["has_map"]} & bogus
    if bogus and seen_bogus != bogus:
        errors.append(f"expected tshark's bogus MAP decode in frames {sorted(bogus)}, "
                      f"saw it in {sorted(seen_bogus)}: re-check the README note")
    stats = collections.Counter()
    for num in sorted(set(ts) | set(ours)):
        t = ts.get(num)
        o = ours_summary(ours.get(num, []))
        if t is None:
            errors.append(f"frame {num}: jitsim reports messages but tshark has no such frame")
            continue
        if num in bogus:
            if o["map"]:
                errors.append(f"frame {num}: jitsim reports MAP {o['map']} in a non-MAP dialogue")
            continue
        if not t["has_map"]:
            t_map = []
        else:
            t_map = t["map"]
        if sorted(t_map, key=str) != sorted(o["map"], key=str):
            errors.append(f"frame {num}: MAP components tshark={sorted(t_map, key=str)} "
                          f"jitsim={sorted(o['map'], key=str)}")
        if t["has_map"] or o["map"]:
            stats["map_frames"] += 1
            stats["map_components"] += len(o["map"])
            for k in ("imsi", "msisdn", "gt"):
                if t[k] != o[k]:
                    errors.append(f"frame {num}: {k} tshark={sorted(t[k])} jitsim={sorted(o[k])}")
            # Node addresses are extracted from the operations that say where
            # a subscriber attaches (UL, UGL, PurgeMS), not from every result.
            t_nodes = {d for _, d in t["nodes"]}
            o_nodes = decoder_nodes.get(num, set())
            if any(k == 0xA1 and op in NODE_OPS for k, op in t_map) and t_nodes - o_nodes:
                errors.append(f"frame {num}: VLR/MSC/SGSN numbers tshark={sorted(t_nodes)} "
                              f"jitsim={sorted(o_nodes)}")
        if sorted(t["diam"]) != sorted(o["diam"]):
            errors.append(f"frame {num}: Diameter messages tshark={sorted(t['diam'])} "
                          f"jitsim={sorted(o['diam'])}")
        if t["diam"] or o["diam"]:
            stats["diameter_frames"] += 1
            stats["diameter_messages"] += len(o["diam"])
            if t["diam_fields"] != o["diam_fields"]:
                errors.append(f"frame {num}: Diameter AVPs tshark={sorted(t['diam_fields'], key=str)} "
                              f"jitsim={sorted(o['diam_fields'], key=str)}")
    return errors, stats


def check_generated(decoder, gen):
    """Encoders: tshark and jitsim-decode must both see the intended messages."""
    import tempfile
    errors = []
    with tempfile.TemporaryDirectory() as tmp:
        pcap = os.path.join(tmp, "encoded.pcap")
        out = subprocess.run([gen, pcap], check=True, capture_output=True, text=True).stdout
        intents = {j["frame"]: j for j in map(json.loads, out.splitlines())}
        ts = tshark_frames(pcap, CHECKSUM_OPTS)
        ours = jitsim_frames(decoder, pcap)
        nodes = {n: {d for m in msgs for d in m.get("nodes", [])} for n, msgs in ours.items()}
        errors, stats = compare("encoded.pcap", ts, ours, nodes)
    for num, want in sorted(intents.items()):
        t = ts.get(num)
        o = ours.get(num, [])
        if t is None:
            errors.append(f"frame {num}: missing in tshark's output")
            continue
        if t["malformed"]:
            errors.append(f"frame {num}: tshark reports {t['malformed']}")
        if len(o) != 1:
            errors.append(f"frame {num}: jitsim decodes {len(o)} messages, wants 1")
            continue
        m = o[0]
        if want["proto"] == "map":
            code = want["op"]
            if t["map"] != [(want["comp"], code if want["comp"] != 0xA2 or code else None)] and \
               t["map"] != [(want["comp"], code)]:
                errors.append(f"frame {num}: tshark MAP {t['map']}, intended {(want['comp'], code)}")
            got = (m["proto"], m["comp"], m.get("err", m.get("op")))
            if got != ("map", want["comp"], code):
                errors.append(f"frame {num}: jitsim MAP {got}, intended {want}")
        else:
            if [(c, r) for c, r, *_ in t["diam"]] != [(want["op"], want["req"])]:
                errors.append(f"frame {num}: tshark Diameter {t['diam']}, intended {want}")
            if (m["proto"], m["cmd"], m["req"]) != ("diameter", want["op"], want["req"]):
                errors.append(f"frame {num}: jitsim Diameter {m}, intended {want}")
        for k in ("imsi", "msisdn", "visited"):
            if m.get(k, "") != want[k]:
                errors.append(f"frame {num}: jitsim {k}={m.get(k, '')!r}, intended {want[k]!r}")
        if want["imsi"] and want["imsi"] not in t["imsi"] and \
           ("imsi", want["imsi"]) not in t["diam_fields"]:
            errors.append(f"frame {num}: tshark does not show IMSI {want['imsi']}")
    for e in errors:
        print(f"encoded: {e}")
    print(f"encoded: {len(intents)} frames built by the encoders, {stats['map_frames']} MAP, "
          f"{stats['diameter_frames']} Diameter, {len(errors)} mismatches")
    return 1 if errors else 0


def main():
    ap = argparse.ArgumentParser(description=__doc__,
                                 formatter_class=argparse.RawDescriptionHelpFormatter)
    ap.add_argument("--decoder", help="path to jitsim-decode")
    ap.add_argument("--list", metavar="DIR", help="print the captures in DIR and exit")
    ap.add_argument("--generate", metavar="GEN",
                    help="check the encoders: run GEN (gen_encoded) and compare")
    ap.add_argument("trace", nargs="?", help="capture to check")
    a = ap.parse_args()
    if a.generate:
        return check_generated(a.decoder, a.generate)
    if a.list:
        for n in sorted(os.listdir(a.list)):
            if n.endswith((".pcap", ".pcapng")):
                print(n)
        return 0
    if not a.decoder or not a.trace:
        ap.error("--decoder and a capture are required")
    if not os.path.exists(a.trace):
        print(f"compare: {a.trace}: no such capture (../shared/traces is required)",
              file=sys.stderr)
        return 1
    name = os.path.basename(a.trace)
    ts = tshark_frames(a.trace, TSHARK_OPTS.get(name, []))
    ours = jitsim_frames(a.decoder, a.trace)
    nodes = {n: {d for m in msgs for d in m.get("nodes", [])} for n, msgs in ours.items()}
    errors, stats = compare(name, ts, ours, nodes)
    for e in errors:
        print(f"{name}: {e}")
    print(f"{name}: {len(ts)} frames, {stats['map_frames']} MAP frames "
          f"({stats['map_components']} components), {stats['diameter_frames']} Diameter "
          f"frames ({stats['diameter_messages']} messages), {len(errors)} mismatches")
    return 1 if errors else 0


if __name__ == "__main__":
    sys.exit(main())
