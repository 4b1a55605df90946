#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""Run Osmocom VTY commands (telnet, no login) and print their output.

usage: vty.py HOST PORT 'command' ['command' ...]

Reads up to the prompt ("NAME> " or "NAME# ") after each command instead of
sleeping, so it is as fast as the program answers and still correct on a
slow emulated machine. Exit 1 when the VTY cannot be reached or does not
answer within 20 s.
"""
import re
import socket
import sys
import time

PROMPT = re.compile(rb"[\r\n]?[\w.-]+(\([\w-]+\))?[>#] $")


def read_prompt(s, deadline):
    buf = b""
    while not PROMPT.search(buf):
        left = deadline - time.monotonic()
        if left <= 0:
            raise TimeoutError("no VTY prompt")
        s.settimeout(left)
        d = s.recv(65536)
        if not d:
            raise ConnectionError("VTY closed")
        buf += d
    return buf


def echoed(line, cmd):
    # The command as the VTY echoes it, alone or after its prompt.
    line = line.strip()
    return line == cmd or (line.endswith(cmd) and line[: -len(cmd)].rstrip().endswith((">", "#")))


def strip_telnet(b):
    # IAC sequences of the telnet negotiation (RFC 854): IAC cmd opt.
    return re.sub(rb"\xff[\xfb-\xfe].|\xff[\xf0-\xfa]", b"", b)


def main():
    if len(sys.argv) < 3:
        print(__doc__, file=sys.stderr)
        return 2
    host, port = sys.argv[1], int(sys.argv[2])
    deadline = time.monotonic() + 20
    try:
        s = socket.create_connection((host, port), timeout=20)
        read_prompt(s, deadline)
        for cmd in sys.argv[3:]:
            s.sendall(cmd.encode() + b"\r\n")
            out = strip_telnet(read_prompt(s, time.monotonic() + 20)).decode(errors="replace")
            lines = out.replace("\r", "").split("\n")
            # Drop the echoed command and the prompts (the VTY may send
            # one more after the telnet negotiation).
            lines = [x for x in lines if not PROMPT.search(x.encode()) and not echoed(x, cmd)]
            print("\n".join(lines))
        s.close()
    except (OSError, TimeoutError, ConnectionError) as e:
        print(f"vty.py: {host}:{port}: {e}", file=sys.stderr)
        return 1
    return 0


if __name__ == "__main__":
    sys.exit(main())
