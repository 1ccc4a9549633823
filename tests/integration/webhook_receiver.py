#!/usr/bin/env python3
"""webhook_receiver.py - a local HTTP receiver for the webhook tests (standard library only).

  webhook_receiver.py PORT_FILE LOG [--port P] [--fail-first N] [--secret-file F]
                      [--down-after K --down-for SECS]

Listens on loopback port P, or a free one (written to PORT_FILE once listening) and appends one JSON line
per request to LOG: {"status", "body", "headers", "why"}. It answers 500 to the first N tries of
each distinct body (--fail-first), 401 to a request whose X-L2A-Signature is not
sha256=HMAC-SHA256(secret, X-L2A-Timestamp + "." + body) or whose timestamp is more than 300 s
away (--secret-file), else 200. With --down-after K it closes its port after the K-th accepted
request for SECS seconds (connections refused), then listens again on the same port.
"""
import argparse
import hashlib
import hmac
import http.server
import json
import os
import sys
import time

tries = {}


def check_signature(secret, headers, body):
    ts = headers.get("X-L2A-Timestamp", "")
    sig = headers.get("X-L2A-Signature", "")
    if not ts.isdigit() or abs(time.time() - int(ts)) > 300:
        return "stale or missing timestamp"
    want = "sha256=" + hmac.new(secret, ts.encode() + b"." + body, hashlib.sha256).hexdigest()
    if not hmac.compare_digest(want, sig):
        return "bad signature"
    return ""


def make_handler(opts, secret, log, state):
    class Handler(http.server.BaseHTTPRequestHandler):
        def do_POST(self):
            body = self.rfile.read(int(self.headers.get("Content-Length", "0")))
            status, why = 200, ""
            if secret is not None:
                why = check_signature(secret, self.headers, body)
                status = 401 if why else 200
            n = tries.get(body, 0)
            tries[body] = n + 1
            if status == 200 and n < opts.fail_first:
                status, why = 500, "failing the first tries"
            self.send_response(status)
            self.send_header("Content-Length", "0")
            self.end_headers()
            log.write(json.dumps({"status": status, "why": why, "body": body.decode("utf-8", "replace"),
                                  "headers": dict(self.headers)}) + "\n")
            log.flush()
            if status == 200:
                state["accepted"] += 1

        def log_message(self, *args):
            pass

    return Handler


def main():
    ap = argparse.ArgumentParser()
    ap.add_argument("port_file")
    ap.add_argument("log")
    ap.add_argument("--port", type=int, default=0)
    ap.add_argument("--fail-first", type=int, default=0)
    ap.add_argument("--secret-file")
    ap.add_argument("--down-after", type=int, default=0)
    ap.add_argument("--down-for", type=float, default=10)
    opts = ap.parse_args()
    secret = None
    if opts.secret_file:
        with open(opts.secret_file, "rb") as f:
            secret = f.readline().rstrip(b"\r\n")
    state = {"accepted": 0}
    log = open(opts.log, "a", encoding="utf-8")
    handler = make_handler(opts, secret, log, state)
    http.server.HTTPServer.allow_reuse_address = True
    server = http.server.HTTPServer(("127.0.0.1", opts.port), handler)
    port = server.server_address[1]
    with open(opts.port_file + ".tmp", "w") as f:
        f.write("%d\n" % port)

    os.rename(opts.port_file + ".tmp", opts.port_file)
    went_down = False
    while True:
        server.handle_request()
        if opts.down_after and not went_down and state["accepted"] >= opts.down_after:
            went_down = True
            server.server_close()
            log.write(json.dumps({"down": time.time()}) + "\n")
            log.flush()
            time.sleep(opts.down_for)
            server = http.server.HTTPServer(("127.0.0.1", port), handler)
            log.write(json.dumps({"up": time.time()}) + "\n")
            log.flush()


if __name__ == "__main__":
    sys.exit(main())
