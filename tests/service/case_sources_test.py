#!/usr/bin/env python3
"""Where cases come from and how they join, through real HTTP on a real
`chainbreak serve` (docs/CASES.md), on SQLite or, given a conninfo, on
PostgreSQL:

- a rule with the "case" action opens a case for an automated decision
  (source pipeline, the decision's id, the severity of the gravest match),
  and /v1/match answers with its case_id only once the case is stored;
- a public report of a near-duplicate of that picture (re-encoded, resized:
  other bytes, a PDQ hash a few bits away) joins that case;
- a public report of a banked picture of a lower class opens a case whose
  priority follows the match; a picture that matches nothing has none;
- a closed case is never joined: the same near-duplicate then opens a new
  one;
- without a "case" rule, a match opens no case;
- a case closed as not illegal or a false positive loses its files at once
  (purged, audited), unless a legal hold keeps them; a released hold lets
  the next purge take them; `audit verify` stays intact throughout.
Every picture is a generated fixture or an ImageMagick re-encoding of one.

usage: case_sources_test.py CHAINBREAK FIXTURES_DIR [POSTGRES_CONNINFO]"""
import json
import os
import subprocess
import sys
import tempfile
import time

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Server, check, expect, expect_error, main, request, token  # noqa: E402

BINARY = sys.argv[1]
FIXTURES = sys.argv[2]
PG = sys.argv[3] if len(sys.argv) > 3 else None


def form(fields, file_bytes, file_type):
    boundary = "----chainbreak-sources-%d" % int(time.time() * 1e6)
    body = b""
    for k, v in fields.items():
        body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    body += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload\"\r\n"
             "Content-Type: %s\r\n\r\n" % (boundary, file_type)).encode() + file_bytes + b"\r\n"
    body += ("--%s--\r\n" % boundary).encode()
    return body, {"Content-Type": "multipart/form-data; boundary=" + boundary}


def report_file(base, data, file_type, description):
    body, h = form({"category": "csam", "description": description}, data, file_type)
    return expect(base, "POST", "/v1/reports", 201, raw=body, headers=h)


def pdq_of(base, token_, data, ctype):
    sigs = expect(base, "POST", "/v1/hash", 200, raw=data, token=token_, headers={"Content-Type": ctype})["signals"]
    return [s for s in sigs if s["signal_type"] == "pdq"][0]["signal"]


def sources(base, admin, platform, reviewer, tmp):
    # pylint: disable=too-many-locals
    banked = open(os.path.join(FIXTURES, "png-rgb8.png"), "rb").read()
    lower = open(os.path.join(FIXTURES, "jpeg-444.jpg"), "rb").read()
    unbanked = open(os.path.join(FIXTURES, "webp-lossy.webp"), "rb").read()
    # A near-duplicate of the banked picture: re-encoded as JPEG and resized.
    near_path = os.path.join(tmp, "near.jpg")
    subprocess.run(["convert", os.path.join(FIXTURES, "png-rgb8.png"), "-quality", "60", "-resize", "90%",
                    near_path], check=True)
    near = open(near_path, "rb").read()
    check(near != banked, "the near-duplicate has other bytes")
    d = bin(int(pdq_of(base, platform, banked, "image/png"), 16) ^ int(pdq_of(base, platform, near, "image/jpeg"),
                                                                        16)).count("1")
    check(0 < d <= 31, "the re-encoded picture is %d bits away (want 1..31)" % d)

    expect(base, "POST", "/v1/banks", 201, {"name": "known", "description": "synthetic test bank"}, token=admin)
    expect(base, "POST", "/v1/banks/known/entries", 201,
           {"entries": [{"signal_type": "pdq", "signal": pdq_of(base, platform, banked, "image/png"),
                         "classification": "A1", "external_id": "synthetic-1"},
                        {"signal_type": "pdq", "signal": pdq_of(base, platform, lower, "image/jpeg"),
                         "classification": "B1", "external_id": "synthetic-2"}]}, token=admin)
    # The matching upload without a case rule: blocked, no case.
    expect(base, "POST", "/v1/rules", 201, {"name": "block-known", "bank": "known", "action": "block"}, token=admin)
    res = expect(base, "POST", "/v1/match?content_id=u-0", 200, raw=banked, token=platform,
                 headers={"Content-Type": "image/png"})
    check(res["outcome"] == "block" and "case_id" not in res, "no case without a case rule: %r" % res)
    check(expect(base, "GET", "/v1/cases", 200, token=reviewer)["cases"] == [], "no case yet")

    # With a case rule: the decision opens a case.
    expect(base, "POST", "/v1/rules", 201,
           {"name": "case-a1", "bank": "known", "classification": "A1", "action": "case"}, token=admin)
    res = expect(base, "POST", "/v1/match?content_id=u-1", 200, raw=banked, token=platform,
                 headers={"Content-Type": "image/png"})
    check(isinstance(res.get("case_id"), int) and res["decision_id"] is not None, "case_id in the answer: %r" % res)
    case_id = res["case_id"]
    c = expect(base, "GET", "/v1/cases/%d" % case_id, 200, token=reviewer)
    check(c["source"] == "pipeline" and c["decision_id"] == res["decision_id"], "pipeline case: %r" % c)
    check(c["severity"] == 4 and c["category"] == "csam" and c["report_count"] == 1, "severity A1: %r" % c)

    # A second upload of the same picture joins the same case (same SHA-256).
    res2 = expect(base, "POST", "/v1/match?content_id=u-2", 200, raw=banked, token=platform,
                  headers={"Content-Type": "image/png"})
    check(res2["case_id"] == case_id, "the same picture joins its case: %r" % res2)

    # A public report of the re-encoded picture joins it by PDQ.
    report_file(base, near, "image/jpeg", "Synthetic report of a re-encoded picture")
    c = expect(base, "GET", "/v1/cases/%d" % case_id, 200, token=reviewer)
    check(c["report_count"] == 3, "the near-duplicate report joined the pipeline case: %r" % c)

    # A public report of the B1 picture: a new case with severity B1; an
    # unbanked picture: a new case with none.
    report_file(base, lower, "image/jpeg", "Synthetic report of a lower-class picture")
    report_file(base, unbanked, "image/webp", "Synthetic report of an unbanked picture")
    q = expect(base, "GET", "/v1/cases", 200, token=reviewer)["cases"]
    check(len(q) == 3, "three cases: %r" % q)
    check([x["severity"] for x in q] == [4, 2, 0] and q[0]["id"] == case_id, "queue by severity: %r" % q)

    # Closed cases are never joined.
    expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200, {"to": "closed", "note": "synthetic"},
           token=reviewer)
    report_file(base, near, "image/jpeg", "Synthetic report after closing")
    q = expect(base, "GET", "/v1/cases", 200, token=reviewer)["cases"]
    check(len(q) == 3 and case_id not in [x["id"] for x in q], "a new case, not the closed one: %r" % q)
    check(any(x["report_count"] == 1 and x["severity"] == 4 for x in q), "the new case keeps the A1 severity")


def case_of_new_report(base, reviewer, data, ctype, description):
    before = {c["id"] for c in expect(base, "GET", "/v1/cases?limit=100", 200, token=reviewer)["cases"]}
    report_file(base, data, ctype, description)
    after = expect(base, "GET", "/v1/cases?limit=100", 200, token=reviewer)["cases"]
    new = [c for c in after if c["id"] not in before]
    check(len(new) == 1, "one new case expected: %r" % new)
    c = expect(base, "GET", "/v1/cases/%d" % new[0]["id"], 200, token=reviewer)
    check(len(c["evidence"]) == 1, "the upload is the case's evidence: %r" % c["evidence"])
    return c["id"], c["evidence"][0]["id"]


def close_as(base, reviewer, case_id, assessment):
    expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200, {"to": "triage"}, token=reviewer)
    expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200, {"to": "assessed", "assessment": assessment},
           token=reviewer)
    return expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200, {"to": "closed", "note": "synthetic"},
                  token=reviewer)


def retention(base, reviewer):
    """Files of cases closed with nothing illegal are purged at once, unless
    a legal hold keeps them."""
    grey = open(os.path.join(FIXTURES, "png-grey8.png"), "rb").read()
    palette = open(os.path.join(FIXTURES, "png-palette.png"), "rb").read()
    c1, e1 = case_of_new_report(base, reviewer, grey, "image/png", "Synthetic report, not illegal")
    c2, e2 = case_of_new_report(base, reviewer, palette, "image/png", "Synthetic report, held")
    # A hold: validated, scoped to the case, audited by the vault.
    expect_error(base, "POST", "/v1/cases/%d/evidence/%d/legal-hold" % (c2, e2), 400, "hold", {"hold": "yes"},
                 token=reviewer)
    expect_error(base, "POST", "/v1/cases/%d/evidence/%d/legal-hold" % (c1, e2), 404, "eid", {"hold": True},
                 token=reviewer)
    held = expect(base, "POST", "/v1/cases/%d/evidence/%d/legal-hold" % (c2, e2), 200, {"hold": True},
                  token=reviewer)
    check(held == {"evidence_id": e2, "legal_hold": True}, "hold answer %r" % held)
    ev = expect(base, "GET", "/v1/cases/%d" % c2, 200, token=reviewer)["evidence"][0]
    check(ev["legal_hold"] is True and ev["purged"] is False and ev["retain_until"], "held item %r" % ev)

    closed = close_as(base, reviewer, c1, "not_illegal")
    check(closed.get("evidence_purged") == [e1], "not illegal: the file is purged at once: %r" % closed)
    status, _, _ = request(base, "GET", "/v1/cases/%d/evidence/%d" % (c1, e1), token=reviewer)
    check(status == 410, "a purged file answers 410, got %d" % status)
    check(expect(base, "GET", "/v1/cases/%d" % c1, 200, token=reviewer)["evidence"][0]["purged"] is True,
          "the case shows its file purged")
    expect_error(base, "POST", "/v1/cases/%d/evidence/%d/legal-hold" % (c1, e1), 410, "eid", {"hold": True},
                 token=reviewer)

    closed = close_as(base, reviewer, c2, "false_positive")
    check(closed.get("evidence_purged") == [], "a held file is kept: %r" % closed)
    status, body, _ = request(base, "GET", "/v1/cases/%d/evidence/%d" % (c2, e2), token=reviewer)
    check(status == 200, "the held file is readable: %d" % status)
    expect(base, "POST", "/v1/cases/%d/evidence/%d/legal-hold" % (c2, e2), 200, {"hold": False}, token=reviewer)
    ev = expect(base, "GET", "/v1/cases/%d" % c2, 200, token=reviewer)["evidence"][0]
    check(ev["legal_hold"] is False and ev["purged"] is False, "released, purged by the next purge: %r" % ev)


def run():
    tmp = tempfile.mkdtemp(prefix="chainbreak-sources-")
    loc = ["--db", PG] if PG else ["--data", os.path.join(tmp, "data")]
    admin = token(BINARY, loc, "admin", ["admin"])
    platform = token(BINARY, loc, "platform", ["hasher", "matcher"])
    reviewer = token(BINARY, loc, "analyst", ["reviewer"])
    srv = Server(BINARY, loc + ["--key-dir", os.path.join(tmp, "keys")])
    try:
        sources(srv.base, admin, platform, reviewer, tmp)
        retention(srv.base, reviewer)
    except BaseException:
        srv.stop()  # the failure above is the one to report
        raise
    check(srv.stop() == 0, "serve did not stop cleanly: " + "".join(srv.log[-5:]))
    # The chain of custody after holds, early retention and purges: intact,
    # the released item purged at the next start (serve purges at start).
    out = subprocess.run([BINARY, "audit", "verify", "--json"] + loc + ["--key-dir", os.path.join(tmp, "keys")],
                         capture_output=True, text=True)
    check(out.returncode == 0, "audit verify: %s %s" % (out.stdout, out.stderr))
    v = json.loads(out.stdout)
    check(v["ok"] and v["evidence_items"] >= 2 and v["purged_items"] == 1, "custody after purges: %r" % v)
    srv = Server(BINARY, loc + ["--key-dir", os.path.join(tmp, "keys")])
    check(srv.stop() == 0, "serve did not stop cleanly: " + "".join(srv.log[-5:]))
    out = subprocess.run([BINARY, "audit", "verify", "--json"] + loc + ["--key-dir", os.path.join(tmp, "keys")],
                         capture_output=True, text=True)
    v = json.loads(out.stdout)
    check(out.returncode == 0 and v["purged_items"] == 2, "the released item is purged at start: %r" % v)


if __name__ == "__main__":
    main(run)
