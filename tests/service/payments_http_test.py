#!/usr/bin/env python3
"""POST /v1/payments/screen and the redress routes through real HTTP on a
real `chainbreak serve`: single, JSON batch and JSON-lines requests give the
same decisions as `chainbreak pay screen` on the same stream, in order;
errors name the field; a hold is released through the API (audited) and
counted; decisions answered before a kill -9 are in the journal after the
restart. Transactions are synthetic.

usage: payments_http_test.py CHAINBREAK"""
import json
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Server, check, expect, expect_error, main, request, token  # noqa: E402

BINARY = sys.argv[1]


def tx(i, payer, payee, amount, country="NG", minor=True, memo=None, hour=23):
    t = {"id": "t%d" % i, "time": "2026-03-01T%02d:%02d:00Z" % (hour, i % 60), "amount": amount,
         "currency": "USD", "channel": "p2p",
         "payer": {"id": payer, "country": "US", "age_band": "minor" if minor else "adult",
                   "account_age_days": 200},
         "payee": {"id": payee, "country": country, "age_band": "unknown", "account_age_days": 3},
         "label": {"note": "synthetic: unknown fields are ignored"}}
    if memo:
        t["memo"] = memo
    return t


def run():
    tmp = tempfile.mkdtemp(prefix="chainbreak-pay-http-")
    loc = ["--data", os.path.join(tmp, "data")]
    platform = token(BINARY, loc, "psp", ["matcher"])
    reviewer = token(BINARY, loc, "analyst", ["reviewer"])
    stream = [tx(1, "minor-1", "x-9", "50.00", memo="please stop"), tx(2, "minor-1", "x-9", "100.00"),
              tx(3, "adult-7", "shop-2", "23.17", country="US", minor=False, hour=10),
              tx(4, "minor-2", "x-9", "40.00", memo="delete"), tx(5, "minor-2", "x-9", "60.00")]
    lines = "".join(json.dumps(t) + "\n" for t in stream)
    # The oracle: the CLI on the same stream.
    cli = subprocess.run([BINARY, "pay", "screen"], input=lines, capture_output=True, text=True, check=True)
    want = [json.loads(x) for x in cli.stdout.splitlines()]
    check(len(want) == 5 and any(d["decision"] != "allow" for d in want), "CLI oracle: %r" % want)

    srv = Server(BINARY, loc)
    try:
        base = srv.base
        one = expect(base, "POST", "/v1/payments/screen", 200, stream[0], token=platform)
        check(one == want[0], "single: %r != %r" % (one, want[0]))
        batch = expect(base, "POST", "/v1/payments/screen", 200, {"transactions": stream[1:3]}, token=platform)
        check(batch["decisions"] == want[1:3], "batch: %r" % batch)
        nd = "".join(json.dumps(t) + "\n" for t in stream[3:]).encode()
        rest = expect(base, "POST", "/v1/payments/screen", 200, raw=nd, token=platform,
                      headers={"Content-Type": "application/x-ndjson"})
        check(rest["decisions"] == want[3:], "ndjson: %r" % rest)

        # Errors: bad JSON 400; a malformed transaction an error decision naming the field.
        expect_error(base, "POST", "/v1/payments/screen", 400, "body", raw=b"{\"id\":", token=platform,
                     headers={"Content-Type": "application/json"})
        bad = dict(stream[2], id="bad-1", time="yesterday")
        got = expect(base, "POST", "/v1/payments/screen", 200, {"transactions": [bad]}, token=platform)
        check(got["decisions"][0]["decision"] == "error" and got["decisions"][0]["error"]["field"] == "time",
              "error decision names the field: %r" % got)
        expect_error(base, "POST", "/v1/payments/screen", 401, "Authorization", stream[0])
        expect_error(base, "POST", "/v1/payments/redress", 403, None, {"event": "release", "tx": "t1"},
                     token=platform)

        # Redress: release the first stopped payment; it is counted.
        stopped = [d for d in want if d["decision"] in ("hold", "block")]
        first = stopped[0]
        event = "release" if first["decision"] == "hold" else "appeal"
        body = {"event": event, "tx": first["id"], "note": "customer confirmed a family payment (synthetic)"}
        if event == "appeal":
            body["outcome"] = "reversed"
        expect(base, "POST", "/v1/payments/redress", 200, body, token=reviewer)
        expect_error(base, "POST", "/v1/payments/redress", 400, "tx", {"event": "release", "tx": "no-such"},
                     token=reviewer)
        expect_error(base, "POST", "/v1/payments/redress", 400, "at", {"event": "release", "tx": "t1", "at": "x"},
                     token=reviewer)
        stats = expect(base, "GET", "/v1/payments/stats", 200, token=reviewer)
        check(stats["screened"] == 5 and stats["released"] == 1, "stats (the error decision is not screened): %r" % stats)
        admin = token(BINARY, loc, "auditor", ["auditor"])
        audit = expect(base, "GET", "/v1/audit?limit=1000", 200, token=admin)["entries"]
        check(any(e["action"] == "payment." + event and e["actor"] == "analyst" for e in audit), "redress audited")

        # kill -9 after acknowledged decisions: the journal has them.
        expect(base, "POST", "/v1/payments/screen", 200, tx(9, "minor-3", "x-9", "20.00"), token=platform)
        srv.proc.kill()
        srv.proc.wait()
        srv = Server(BINARY, loc)
        stats = expect(srv.base, "GET", "/v1/payments/stats", 200, token=reviewer)
        check(stats["screened"] == 6 and stats["released"] == 1, "after kill -9: %r" % stats)
    finally:
        code = srv.stop()
    check(code == 0, "serve exited %d" % code)
    # The journal replays to the same decisions.
    rep = subprocess.run([BINARY, "pay", "replay", "--state", os.path.join(tmp, "data", "payments")],
                         capture_output=True, text=True)
    check(rep.returncode == 0, "pay replay: %s %s" % (rep.stdout, rep.stderr))


main(run)
