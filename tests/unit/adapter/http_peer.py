#!/usr/bin/env python3
# SPDX-License-Identifier: BSD-3-Clause
# Copyright (c) 2026 The jitsim authors
"""A provisioning API for the HTTP adapter's tests (test_http.c).

Listens on 127.0.0.1 (port 0: the kernel picks; written to --port-file),
HTTP/1.1 with keep-alive, optionally TLS (--tls CERT KEY). Every request is
appended to --log as one JSON line: path, Authorization and Idempotency-Key
headers, the client's port (one per connection: keep-alive shows as few
ports), the body. The answer depends on the last digit of the IMSI:
  0-4  201 created
  5    409 with the same imsi/msisdn (the server has it already)
  6    409 with another msisdn
  7    500 the first time per Idempotency-Key, then 200
  8    400 {"error":"unknown tariff"}
  9    answers after 3 s (the client times out first)
"""
import argparse
import http.server
import json
import ssl
import threading
import time

seen = set()
lock = threading.Lock()


class Handler(http.server.BaseHTTPRequestHandler):
    protocol_version = "HTTP/1.1"

    def log_message(self, fmt, *args):
        pass

    def answer(self, code, obj):
        data = json.dumps(obj).encode()
        self.send_response(code)
        self.send_header("Content-Type", "application/json")
        self.send_header("Content-Length", str(len(data)))
        self.end_headers()
        self.wfile.write(data)

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = json.loads(self.rfile.read(n) or b"{}")
        key = self.headers.get("Idempotency-Key")
        with lock:
            with open(self.server.log, "a") as f:
                f.write(json.dumps({"path": self.path,
                                    "auth": self.headers.get("Authorization"),
                                    "key": key, "port": self.client_address[1],
                                    "body": body}) + "\n")
            first = key not in seen
            seen.add(key)
        d = body.get("imsi", "0")[-1]
        if d in "01234":
            self.answer(201, {"id": body.get("job")})
        elif d == "5":
            self.answer(409, {"imsi": body["imsi"], "msisdn": body.get("msisdn")})
        elif d == "6":
            self.answer(409, {"imsi": body["imsi"], "msisdn": "999"})
        elif d == "7":
            if first:
                self.answer(500, {"error": "database busy"})
            else:
                self.answer(200, {})
        elif d == "8":
            self.answer(400, {"error": "unknown tariff"})
        else:
            time.sleep(3)
            self.answer(200, {})


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("--port-file", required=True)
    ap.add_argument("--log", required=True)
    ap.add_argument("--tls", nargs=2, metavar=("CERT", "KEY"))
    a = ap.parse_args()
    srv = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Handler)
    srv.daemon_threads = True
    srv.log = a.log
    if a.tls:
        ctx = ssl.SSLContext(ssl.PROTOCOL_TLS_SERVER)
        ctx.load_cert_chain(a.tls[0], a.tls[1])
        srv.socket = ctx.wrap_socket(srv.socket, server_side=True)
    with open(a.port_file + ".tmp", "w") as f:
        f.write(str(srv.server_address[1]))
    import os
    os.rename(a.port_file + ".tmp", a.port_file)
    srv.serve_forever()


if __name__ == "__main__":
    main()
