#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""The provisioning API that `make demo` puts behind its HTTP-provisioned
region: a stand-in for an operator's HSS front end or provisioning
gateway, speaking what jitsim's HTTP adapter sends (docs/adapters.md).

  demo_http_hlr.py --port-file F --token-file T

Listens on 127.0.0.1 (port chosen by the kernel, written to --port-file
once listening), HTTP/1.1 with keep-alive. Every request must carry
`Authorization: Bearer <the token in --token-file>` (401 otherwise).
POST with a JSON order:
  provision    201 when new; 200 when the same IMSI already has the same
               MSISDN (a retry); 409 with the stored record otherwise
  update       200 (the record takes the order's MSISDN and tariff)
  deprovision  200, also for an IMSI it does not hold
Anything else is 400 with {"error": ...} naming the member. POST to
/notify is jitsim-cp's billing/CRM notification instead ([notify] url:
the same body with "event" -- activated, woken, slept -- in place of
"op"): 200, counted once per Idempotency-Key. GET /stats (same token) answers {"subscribers":
{region: n}, "requests": {op: n}, "notifications": {event: n},
"answers": {code: n} (to the orders)}: what the report of `make demo`
shows. The orders
carry no key material (the adapter never sends keys), and nothing of the
requests is logged. SIGTERM or SIGINT: exit 0.
"""
import argparse
import hmac
import http.server
import json
import os
import signal
import sys
import threading

LOCK = threading.Lock()
SUBS = {}
REQUESTS = {}
NOTES = {}
ANSWERS = {}
OPS = ("provision", "update", "deprovision")
EVENTS = ("activated", "woken", "slept")


def digits(v, lo, hi):
    return isinstance(v, str) and lo <= len(v) <= hi and v.isdigit()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"
    token = b""

    def log_message(self, fmt, *args):
        pass  # requests name subscribers: not for a log

    def answer(self, code, obj, order=False):
        data = json.dumps(obj).encode()
        if order:  # the answers to provisioning orders are the ones shown
            with LOCK:
                ANSWERS[str(code)] = ANSWERS.get(str(code), 0) + 1
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def authorized(self):
        auth = self.headers.get("Authorization", "").encode()
        if hmac.compare_digest(auth, b"Bearer " + self.token):
            return True
        self.answer(401, {"error": "Authorization: bearer token required"})
        return False

    def do_GET(self):
        if self.path != "/stats":
            return self.answer(404, {"error": "GET /stats, or POST an order"})
        if not self.authorized():
            return None
        with LOCK:
            regions = {}
            for rec in SUBS.values():
                r = str(rec["region"])
                regions[r] = regions.get(r, 0) + 1
            out = {"subscribers": regions, "requests": dict(REQUESTS),
                   "notifications": {k: len(v) for k, v in NOTES.items()},
                   "answers": dict(ANSWERS)}
        return self.answer(200, out)

    def do_POST(self):
        try:
            n = int(self.headers.get("Content-Length", "0"))
        except ValueError:
            n = -1
        if n < 0 or n > 65536:
            self.close_connection = True
            return self.answer(400, {"error": "Content-Length: 0..65536 required"})
        body = self.rfile.read(n)
        if not self.authorized():
            return None
        try:
            o = json.loads(body)
        except ValueError as e:
            return self.answer(400, {"error": f"body: not JSON ({e.msg})"})
        if not isinstance(o, dict):
            return self.answer(400, {"error": "body: not a JSON object"})
        op, imsi, msisdn = o.get("op"), o.get("imsi"), o.get("msisdn")
        if self.path == "/notify":
            ev = o.get("event")
            if ev not in EVENTS:
                return self.answer(400, {"error": f"event: one of {', '.join(EVENTS)}"})
            if not digits(imsi, 5, 15):
                return self.answer(400, {"error": "imsi: 5..15 digits"})
            key = self.headers.get("Idempotency-Key") or f"{ev}-{imsi}-{o.get('job')}"
            with LOCK:  # a retried notification counts once, as billing would
                NOTES.setdefault(ev, set()).add(key)
            return self.answer(200, {"imsi": imsi, "event": ev})
        if op not in OPS:
            return self.answer(400, {"error": f"op: one of {', '.join(OPS)}"}, True)
        if not digits(imsi, 5, 15):
            return self.answer(400, {"error": "imsi: 5..15 digits"}, True)
        if msisdn is not None and not digits(msisdn, 1, 15):
            return self.answer(400, {"error": "msisdn: 1..15 digits or null"}, True)
        with LOCK:
            REQUESTS[op] = REQUESTS.get(op, 0) + 1
            have = SUBS.get(imsi)
            rec = {"msisdn": msisdn, "tariff": o.get("tariff"), "region": o.get("region")}
            if op == "deprovision":
                SUBS.pop(imsi, None)
                code, out = 200, {"imsi": imsi}
            elif op == "update":
                SUBS[imsi] = rec
                code, out = 200, {"imsi": imsi, "msisdn": msisdn}
            elif have is None:
                SUBS[imsi] = rec
                code, out = 201, {"imsi": imsi, "msisdn": msisdn}
            elif have["msisdn"] == msisdn:
                code, out = 200, {"imsi": imsi, "msisdn": msisdn}
            else:
                code, out = 409, {"imsi": imsi, "msisdn": have["msisdn"]}
        self.answer(code, out, True)


class Server(http.server.ThreadingHTTPServer):
    daemon_threads = True

    def handle_error(self, request, client_address):
        # A client that goes away mid-request (jitsim-cp stopping) is normal.
        if isinstance(sys.exc_info()[1], ConnectionError):
            return
        super().handle_error(request, client_address)


def main():
    ap = argparse.ArgumentParser(description=__doc__.split("\n\n")[0])
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--token-file", required=True)
    a = ap.parse_args()
    with open(a.token_file, "rb") as f:
        Handler.token = f.read().strip()
    if not Handler.token:
        sys.exit(f"demo_http_hlr: {a.token_file}: empty token")
    srv = Server(("127.0.0.1", 0), Handler)

    def stop(signum, frame):
        threading.Thread(target=srv.shutdown, daemon=True).start()

    signal.signal(signal.SIGTERM, stop)
    signal.signal(signal.SIGINT, stop)
    tmp = a.port_file + ".tmp"
    with open(tmp, "w") as f:
        f.write(f"{srv.server_address[1]}\n")
    os.replace(tmp, a.port_file)  # whole or absent: the caller polls for it
    srv.serve_forever()


if __name__ == "__main__":
    main()
