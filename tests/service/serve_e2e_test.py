#!/usr/bin/env python3
"""End-to-end test of `chainbreak serve` through real HTTP on loopback:
upload a banked benign picture and an unbanked one, check block and allow,
the decision record, the signed webhook call, the audit entries, access
control, allowlists and the bad-input contract (4xx naming the field, never
a 5xx, nothing half applied).

usage: serve_e2e_test.py CHAINBREAK FIXTURES_DIR [POSTGRES_CONNINFO]
With a conninfo the service runs on PostgreSQL, else on SQLite in a
temporary data directory. The pictures are the fixture generator's
synthetic patterns."""
import hashlib
import hmac
import http.server
import json
import os
import socket
import ssl
import subprocess
import sys
import tempfile
import threading
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import (Server, check, expect, expect_error, main, multipart, request, token)  # noqa: E402

BINARY, FIXTURES = sys.argv[1], sys.argv[2]
PG = sys.argv[3] if len(sys.argv) > 3 else ""


class Hook(http.server.BaseHTTPRequestHandler):
    received = []

    def do_POST(self):
        n = int(self.headers.get("Content-Length", "0"))
        body = self.rfile.read(n)
        Hook.received.append((dict(self.headers), body))
        self.send_response(200)
        self.send_header("Content-Length", "0")
        self.end_headers()

    def log_message(self, *a):
        pass


def run():
    tmp = tempfile.mkdtemp(prefix="chainbreak-e2e-")
    loc = ["--db", PG] if PG else ["--data", tmp]
    admin = token(BINARY, loc, "admin", ["admin"])
    matcher = token(BINARY, loc, "platform", ["hasher", "matcher"])
    auditor = token(BINARY, loc, "auditor", ["auditor"])

    hook_server = http.server.ThreadingHTTPServer(("127.0.0.1", 0), Hook)
    threading.Thread(target=hook_server.serve_forever, daemon=True).start()
    hook_url = "http://127.0.0.1:%d/hook" % hook_server.server_address[1]

    srv = Server(BINARY, loc + ["--max-body", str(2 << 20), "--read-timeout-ms", "2000"])
    base = srv.base
    try:
        banked = open(os.path.join(FIXTURES, "jpeg-444.jpg"), "rb").read()
        other = open(os.path.join(FIXTURES, "png-rgb8.png"), "rb").read()

        # Health and readiness need no token.
        check(expect(base, "GET", "/v1/health", 200)["status"] == "ok", "health")
        check(expect(base, "GET", "/v1/ready", 200)["ready"] is True, "ready")

        # Hash the benign picture and bank it.
        sigs = expect(base, "POST", "/v1/hash", 200, raw=banked, token=matcher,
                      headers={"Content-Type": "image/jpeg"})["signals"]
        pdq = [s for s in sigs if s["signal_type"] == "pdq"][0]["signal"]
        md5 = [s for s in sigs if s["signal_type"] == "md5"][0]["signal"]
        check(md5 == hashlib.md5(banked).hexdigest(), "md5 of the upload")
        expect(base, "POST", "/v1/banks", 201, {"name": "known", "description": "synthetic test bank"}, token=admin)
        ids = expect(base, "POST", "/v1/banks/known/entries", 201,
                     {"entries": [{"signal_type": "pdq", "signal": pdq, "classification": "A1",
                                   "source_org": "test-hotline", "external_id": "x-1"}]}, token=admin)["ids"]
        check(len(ids) == 1, "one id")
        rule = expect(base, "POST", "/v1/rules", 201,
                      {"name": "block-known", "bank": "known", "max_distance": 31, "action": "block"}, token=admin)
        expect(base, "POST", "/v1/rules", 201,
               {"name": "notify", "bank": "known", "action": "webhook", "webhook_url": hook_url,
                "webhook_secret": "e2e-secret"}, token=admin)

        # Lookup by signal: exact, and a near duplicate (4 bits flipped).
        near = "%064x" % (int(pdq, 16) ^ 0xF)
        got = expect(base, "GET", "/v1/lookup?signal_type=pdq&signal=" + near, 200, token=matcher)
        check(len(got["matches"]) == 1 and got["matches"][0]["distance"] == 4, "near lookup: %r" % got)
        check(got["matches"][0]["bank_content_id"] == ids[0] and got["outcome"] == "block", "lookup outcome")
        batch = expect(base, "POST", "/v1/lookup", 200,
                       {"signals": [{"signal_type": "pdq", "signal": pdq}, {"signal_type": "md5", "signal": md5}]},
                       token=matcher)["results"]
        check([len(r["matches"]) for r in batch] == [1, 0], "batch lookup: %r" % batch)

        # Upload the banked picture: blocked, one decision, webhook sent.
        res = expect(base, "POST", "/v1/match?content_id=upload-1", 200, raw=banked, token=matcher,
                     headers={"Content-Type": "image/jpeg"})
        check(res["outcome"] == "block", "banked upload blocked: %r" % res)
        check(res["decision_id"] is not None and res["matches"][0]["distance"] == 0, "decision id")
        # Multipart upload of the unbanked picture: allowed, no record.
        body, ctype = multipart("photo", "other.png", other, "image/png")
        res2 = expect(base, "POST", "/v1/match?content_id=upload-2", 200, raw=body, token=matcher,
                      headers={"Content-Type": ctype})
        check(res2["outcome"] == "allow" and res2["matches"] == [] and res2["decision_id"] is None,
              "unbanked upload allowed: %r" % res2)

        dec = expect(base, "GET", "/v1/decisions/%d" % res["decision_id"], 200, token=auditor)
        check(dec["outcome"] == "block" and dec["content_id"] == "upload-1" and dec["automated"] is True,
              "decision record: %r" % dec)
        check(dec["actor"] == "platform" and dec["rules"][0]["name"] in ("block-known", "notify"), "decision rules")
        check(dec["matches"][0]["classification"] == "A1" and dec["signals"][0]["signal"] == pdq, "decision matches")

        deadline = time.time() + 10
        while not Hook.received and time.time() < deadline:
            time.sleep(0.05)
        check(len(Hook.received) == 1, "one webhook call, got %d" % len(Hook.received))
        headers, payload = Hook.received[0]
        sig = headers.get("X-Chainbreak-Signature", "")
        t = sig.split(",")[0][2:]
        want = hmac.new(b"e2e-secret", (t + ".").encode() + payload, hashlib.sha256).hexdigest()
        check(sig == "t=%s,v1=%s" % (t, want), "webhook signature %r" % sig)
        check(json.loads(payload)["outcome"] == "block", "webhook body")
        deadline = time.time() + 10
        while time.time() < deadline:
            dec = expect(base, "GET", "/v1/decisions/%d" % res["decision_id"], 200, token=auditor)
            if dec["webhooks"] and dec["webhooks"][0]["state"] == "delivered":
                break
            time.sleep(0.1)
        check(dec["webhooks"][0]["state"] == "delivered", "delivery recorded: %r" % dec["webhooks"])

        # Allowlist: the same picture in an allowlist bank suppresses the block.
        expect(base, "POST", "/v1/banks", 201, {"name": "benign", "allowlist": True}, token=admin)
        expect(base, "POST", "/v1/banks/benign/entries", 201, {"entries": [{"signal": pdq}]}, token=admin)
        res3 = expect(base, "POST", "/v1/match?content_id=upload-3", 200, raw=banked, token=matcher,
                      headers={"Content-Type": "image/jpeg"})
        check(res3["outcome"] == "allow", "allowlisted upload allowed: %r" % res3)
        check(any(m["suppressed"] for m in res3["matches"]), "suppressed match reported")
        expect(base, "DELETE", "/v1/banks/benign", 200, token=admin)

        # Disabling the entry takes effect at once.
        expect(base, "POST", "/v1/entries/%d/disable" % ids[0], 200, token=admin)
        got = expect(base, "GET", "/v1/lookup?signal=" + pdq, 200, token=matcher)
        check(got["matches"] == [], "disabled entry no longer matches")
        expect(base, "POST", "/v1/entries/%d/enable" % ids[0], 200, token=admin)

        # Access control.
        expect_error(base, "GET", "/v1/lookup?signal=" + pdq, 401, "Authorization")
        expect_error(base, "GET", "/v1/lookup?signal=" + pdq, 401, "Authorization", token="cbt_" + "0" * 48)
        expect_error(base, "POST", "/v1/banks", 403, None, {"name": "x"}, token=matcher)
        expect_error(base, "GET", "/v1/decisions/1", 403, None, token=matcher)

        # Bad input: 4xx naming the field, nothing applied.
        expect_error(base, "GET", "/v1/lookup?signal_type=pdq&signal=zz", 400, "signal", token=matcher)
        expect_error(base, "GET", "/v1/lookup?signal_type=vpdq&signal=" + pdq, 400, "signal_type", token=matcher)
        expect_error(base, "GET", "/v1/lookup?signal=" + pdq + "&threshold=99x", 400, "threshold", token=matcher)
        expect_error(base, "POST", "/v1/banks", 400, "body", raw=b"{\"name\": ", token=admin,
                     headers={"Content-Type": "application/json"})
        expect_error(base, "POST", "/v1/banks/known/entries", 400, "entries[1].signal",
                     {"entries": [{"signal": pdq}, {"signal": pdq[:-1]}]}, token=admin)
        n_before = expect(base, "GET", "/v1/banks/known", 200, token=admin)["entries"]
        check(n_before == 1, "the bad batch added nothing (%d entries)" % n_before)
        expect_error(base, "POST", "/v1/lookup", 400, "signals[0].signal",
                     {"signals": [{"signal": "abc"}]}, token=matcher)
        expect_error(base, "POST", "/v1/match", 400, "content", raw=b"not an image at all", token=matcher,
                     headers={"Content-Type": "image/jpeg"})
        expect_error(base, "POST", "/v1/rules", 400, "action", {"name": "r", "action": "explode"}, token=admin)
        expect_error(base, "POST", "/v1/banks/nosuch/entries", 404, None, {"entries": [{"signal": pdq}]},
                     token=admin)
        expect_error(base, "POST", "/v1/banks/known/import?format=plain", 400, "hash",
                     raw=(pdq + "\n" + "12" * 31 + "\n").encode(), token=admin)
        check(expect(base, "GET", "/v1/banks/known", 200, token=admin)["entries"] == 1, "bad import added nothing")
        status, payload, _ = request(base, "POST", "/v1/hash", raw=b"\0" * (3 << 20), token=matcher,
                                     headers={"Content-Type": "image/jpeg"})
        check(status == 413 and "error" in payload, "oversized upload: %d %r" % (status, payload))
        # A truncated upload: Content-Length promises more than is sent.
        s = socket.create_connection(("127.0.0.1", srv.port))
        s.sendall(b"POST /v1/hash HTTP/1.1\r\nHost: x\r\nAuthorization: Bearer " + matcher.encode() +
                  b"\r\nContent-Length: 100000\r\n\r\n" + banked[:1000])
        s.shutdown(socket.SHUT_WR)
        s.settimeout(10)
        try:
            answer = s.recv(4096)
        except socket.timeout:
            answer = b""
        s.close()
        check(not answer.startswith(b"HTTP/1.1 5"), "truncated upload answered %r" % answer[:40])
        # Slow client: half a request line, then silence: the server closes.
        slow = socket.create_connection(("127.0.0.1", srv.port))
        slow.sendall(b"GET /v1/heal")
        slow.settimeout(10)
        t0 = time.time()
        try:
            got_bytes = slow.recv(4096)
        except socket.timeout:
            got_bytes = None
        check(got_bytes is not None and time.time() - t0 < 9, "slow client not cut off")
        slow.close()
        check(srv.alive(), "server alive after bad input")

        # Audit: writes and decision reads are there, chained.
        entries = expect(base, "GET", "/v1/audit?limit=1000", 200, token=auditor)["entries"]
        actions = [(e["actor"], e["action"]) for e in entries]
        for want in [("admin", "bank.create"), ("admin", "entries.add"), ("admin", "rule.create"),
                     ("auditor", "decision.read"), ("admin", "entry.disable")]:
            check(want in actions, "audit has %r" % (want,))
        for a, b in zip(entries, entries[1:]):
            check(b["prev_hash"] == a["hash"] and b["seq"] == a["seq"] + 1, "audit chain at %d" % b["seq"])

        metrics = expect(base, "GET", "/metrics", 200)
        check("chainbreak_decisions_total 1" in metrics, "metrics count the decision")
        check('chainbreak_http_requests_total{code="400"}' in metrics, "metrics by status")
        openapi = expect(base, "GET", "/v1/openapi.json", 200)
        check("/v1/lookup" in openapi["paths"], "openapi lists /v1/lookup")

        # kill -9 right after acknowledged writes: nothing acknowledged is lost.
        late = "%064x" % (int(pdq, 16) ^ (0xFF << 100))
        late_id = expect(base, "POST", "/v1/banks/known/entries", 201, {"entries": [{"signal": late}]},
                         token=admin)["ids"][0]
        res4 = expect(base, "POST", "/v1/match", 200, {"content_id": "upload-4", "signals": [{"signal": late}]},
                      token=matcher)
        check(res4["outcome"] == "block" and res4["decision_id"] is not None, "late entry blocks: %r" % res4)
        srv.proc.kill()
        srv.proc.wait()
        srv = Server(BINARY, loc)
        base = srv.base
        got = expect(base, "GET", "/v1/lookup?signal=" + late, 200, token=matcher)
        check([m["distance"] for m in got["matches"] if m["bank_content_id"] == late_id] == [0],
              "entry survived kill -9: %r" % got)
        dec = expect(base, "GET", "/v1/decisions/%d" % res4["decision_id"], 200, token=auditor)
        check(dec["content_id"] == "upload-4", "decision survived kill -9")
        entries = expect(base, "GET", "/v1/audit?limit=1000", 200, token=auditor)["entries"]
        for a, b in zip(entries, entries[1:]):
            check(b["prev_hash"] == a["hash"], "audit chain intact after kill -9 at %d" % b["seq"])
    finally:
        code = srv.stop()
        hook_server.shutdown()
    check(code == 0, "serve exited %d after SIGTERM:\n%s" % (code, "".join(srv.log)))


def run_tls():
    """The same service over HTTPS (a throwaway self-signed certificate)."""
    tmp = tempfile.mkdtemp(prefix="chainbreak-tls-")
    cert, key = os.path.join(tmp, "cert.pem"), os.path.join(tmp, "key.pem")
    subprocess.run(["openssl", "req", "-x509", "-newkey", "rsa:2048", "-nodes", "-keyout", key, "-out", cert,
                    "-days", "1", "-subj", "/CN=localhost", "-addext", "subjectAltName=IP:127.0.0.1"],
                   check=True, capture_output=True)
    srv = Server(BINARY, ["--data", os.path.join(tmp, "data"), "--tls-cert", cert, "--tls-key", key])
    try:
        check(any("listening on https://" in line for line in srv.log), "serve says it listens on https")
        ctx = ssl.create_default_context(cafile=cert)
        import urllib.request
        with urllib.request.urlopen("https://127.0.0.1:%d/v1/health" % srv.port, context=ctx, timeout=10) as r:
            check(r.status == 200 and json.loads(r.read())["status"] == "ok", "health over TLS")
        # Plain HTTP to the TLS port is refused, not answered.
        status = None
        try:
            request("http://127.0.0.1:%d" % srv.port, "GET", "/v1/health", timeout=5)
        except Exception:  # noqa: BLE001: any failure is the expected outcome
            status = "refused"
        check(status == "refused", "plain HTTP on the TLS port must not be served")
    finally:
        code = srv.stop()
    check(code == 0, "TLS serve exited %d" % code)


def run_all():
    run()
    if not PG:
        run_tls()


main(run_all)
