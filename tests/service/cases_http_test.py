#!/usr/bin/env python3
"""Public reports and cases through real HTTP on a real `chainbreak serve`
(docs/CASES.md), on SQLite or, given a conninfo, on PostgreSQL:

- the portal page is served with the negotiated language (Arabic right to
  left), its assets are ours, unknown ones are 404;
- reports by JSON and by multipart upload get a receipt; the same URL or the
  same file joins one case and is counted; the receipt shows the status;
  contact details can be withdrawn; bad input is a 400 naming the field;
- nothing about the client (its address) is stored (SQLite: the database
  files are scanned for it);
- the console routes: queue order, an audited case read, transitions with
  their rules, routing to a partner with a deadline, reveals and the daily
  exposure figure, roles enforced;
- kill -9 while 1,000 reports are submitted concurrently: every report that
  got a receipt is there after the restart;
- reports to authorities from a case: the CyberTipline export (XML read
  back with ElementTree: incident type, URL, the file's MD5, fileViewedByEsp
  after a reveal), refused before the case is assessed illegal or without a
  configured reporter, audit-logged; then submitted to the real local fake
  (chainbreak-fake-cybertip), which received the file with the right MD5.
Report texts are plainly synthetic; the images are a generated fixture and
random noise.

usage: cases_http_test.py CHAINBREAK FIXTURES_DIR FAKE_CYBERTIP [POSTGRES_CONNINFO]"""
import base64
import concurrent.futures
import glob
import hashlib
import json
import os
import random
import re
import signal
import struct
import subprocess
import sys
import tempfile
import threading
import time
import urllib.request
import xml.etree.ElementTree as ET
import zlib

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Failure, Server, check, expect, expect_error, main, request, token  # noqa: E402

if len(sys.argv) < 4 or not os.access(sys.argv[3], os.X_OK):
    print("FAIL: usage: cases_http_test.py CHAINBREAK FIXTURES_DIR FAKE_CYBERTIP [POSTGRES_CONNINFO]; "
          "FAKE_CYBERTIP (build/chainbreak-fake-cybertip) is missing or not executable: %r"
          % (sys.argv[3] if len(sys.argv) > 3 else None), file=sys.stderr)
    sys.exit(1)
BINARY = sys.argv[1]
FIXTURES = sys.argv[2]
FAKE = sys.argv[3]
PG = sys.argv[4] if len(sys.argv) > 4 else None


def form(fields, file_bytes=None, file_type="image/png"):
    boundary = "----chainbreak-cases-%d" % int(time.time() * 1e6)
    body = b""
    for k, v in fields.items():
        body += ("--%s\r\nContent-Disposition: form-data; name=\"%s\"\r\n\r\n%s\r\n" % (boundary, k, v)).encode()
    if file_bytes is not None:
        body += ("--%s\r\nContent-Disposition: form-data; name=\"file\"; filename=\"upload.png\"\r\n"
                 "Content-Type: %s\r\n\r\n" % (boundary, file_type)).encode() + file_bytes + b"\r\n"
    body += ("--%s--\r\n" % boundary).encode()
    return body, {"Content-Type": "multipart/form-data; boundary=" + boundary}


def portal(base):
    status, page, h = request(base, "GET", "/report", headers={"Accept-Language": "es-MX,es;q=0.9,en;q=0.5"})
    check(status == 200 and '<html lang="es" dir="ltr">' in page, "portal in Spanish: %d %r" % (status, page[:200]))
    check(h.get("Content-Language") == "es", "Content-Language %r" % h.get("Content-Language"))
    check("default-src 'self'" in h.get("Content-Security-Policy", ""), "no CSP on the portal")
    status, page, _ = request(base, "GET", "/report?lang=ar", headers={"Accept-Language": "en"})
    check('<html lang="ar" dir="rtl">' in page, "?lang=ar is not right to left: %r" % page[:200])
    status, page, _ = request(base, "GET", "/report", headers={"Accept-Language": "de-DE"})
    check('<html lang="en" dir="ltr">' in page, "an unsupported language falls back to English")
    # Every script and stylesheet the page names is ours and is served.
    for asset in ("/report/assets/portal.js", "/report/assets/portal.css", "/report/assets/i18n/ar.json"):
        status, body, h = request(base, "GET", asset)
        check(status == 200 and len(body) > 0, "%s: %d" % (asset, status))
    expect_error(base, "GET", "/report/assets/no-such.js", 404, "path")
    expect_error(base, "GET", "/report/assets/..%2F..%2Fetc", 404, "path")
    status, page, _ = request(base, "GET", "/console")
    check(status == 200 and "<html" in page, "console page: %d" % status)


def count_201(base):
    """chainbreak_http_requests_total{code="201"} from /metrics (0 when absent)."""
    metrics = expect(base, "GET", "/metrics", 200)
    prefix = 'chainbreak_http_requests_total{code="201"} '
    return sum(int(ln[len(prefix):]) for ln in metrics.splitlines() if ln.startswith(prefix))


def intake(base, reviewer, curator, auditor, data_dir):
    # pylint: disable=too-many-statements
    created_before = count_201(base)
    r1 = expect(base, "POST", "/v1/reports", 201,
                {"category": "other", "url": "https://Example.org/page/", "description": "Synthetic test report 1",
                 "contact": "synthetic@example.org", "country": "gb"})
    check(len(r1["receipt"]) == 19 and r1["receipt"].count("-") == 3, "receipt %r" % r1["receipt"])
    r2 = expect(base, "POST", "/v1/reports", 201,
                {"category": "other", "url": "https://example.org/page", "live_harm": True})
    pngs = sorted(p for p in glob.glob(os.path.join(FIXTURES, "**", "*.png"), recursive=True)
                  if not os.path.basename(p).startswith("bad-"))
    check(pngs, "no generated PNG fixture under %s" % FIXTURES)
    image = open(pngs[0], "rb").read()
    body, h = form({"category": "csam", "description": "Synthetic upload 1", "language": "fr"}, image)
    r3 = expect(base, "POST", "/v1/reports", 201, raw=body, headers=h)
    body, h = form({"category": "csam", "description": "Synthetic upload 2"}, image)
    r4 = expect(base, "POST", "/v1/reports", 201, raw=body, headers=h)
    # Receipt status, typed loosely.
    st = expect(base, "GET", "/v1/reports/status?receipt=" + r1["receipt"].lower().replace("-", ""), 200)
    check(st["status"] == "received", "status %r" % st)
    expect_error(base, "GET", "/v1/reports/status?receipt=0000-0000-0000-0000", 404, "receipt")
    expect_error(base, "GET", "/v1/reports/status", 400, "receipt")
    # Bad input names the field.
    expect_error(base, "POST", "/v1/reports", 400, "category", {"category": "bad", "url": "https://example.org"})
    expect_error(base, "POST", "/v1/reports", 400, "url", {"category": "other", "url": "ftp://example.org"})
    expect_error(base, "POST", "/v1/reports", 400, "url", {"category": "other"})
    expect_error(base, "POST", "/v1/reports", 400, "live_harm", {"category": "other", "url": "https://e.org",
                                                                  "live_harm": "maybe"})
    expect_error(base, "POST", "/v1/reports", 400, "country", {"category": "other", "url": "https://e.org",
                                                                "country": "GBR"})
    expect_error(base, "POST", "/v1/reports", 400, "contact", {"category": "other", "url": "https://e.org",
                                                                "contact": "x" * 300})
    expect_error(base, "POST", "/v1/reports", 400, "body", raw=b"{not json",
                 headers={"Content-Type": "application/json"})
    # The four reports were answered after their commit (a deferred answer):
    # /metrics counts them with the status they were sent with.
    created = count_201(base) - created_before
    check(created == 4, "metrics count the 4 deferred 201s: %d" % created)

    # The queue: the two URL reports joined one case (live harm first), the
    # two uploads another.
    q = expect(base, "GET", "/v1/cases", 200, token=reviewer)["cases"]
    check(len(q) == 2, "two cases expected: %r" % q)
    check(q[0]["report_count"] == 2 and q[0]["live_harm"] and q[0]["url"] == "https://example.org/page",
          "URL case: %r" % q[0])
    check(q[0]["country"] == "GB", "country %r" % q[0]["country"])
    check(q[1]["report_count"] == 2 and q[1]["category"] == "csam", "file case: %r" % q[1])
    url_case, file_case = q[0]["id"], q[1]["id"]
    c = expect(base, "GET", "/v1/cases/%d" % file_case, 200, token=reviewer)
    f = c["reports"][0]["file"]
    check(len(f["sha256"]) == 64 and len(f["md5"]) == 32 and len(f["pdq"]) == 64, "file hashes %r" % f)
    check(c["reports"][0]["language"] == "fr", "language %r" % c["reports"][0]["language"])
    c = expect(base, "GET", "/v1/cases/%d" % url_case, 200, token=reviewer)
    check("contact" not in c["reports"][0] and c["reports"][0]["has_contact"], "contact shown without asking")
    c = expect(base, "GET", "/v1/cases/%d?contact=true" % url_case, 200, token=reviewer)
    check(c["reports"][0]["contact"] == "synthetic@example.org", "contact %r" % c["reports"][0])
    expect(base, "POST", "/v1/reports/withdraw-contact", 200, {"receipt": r1["receipt"]})
    c = expect(base, "GET", "/v1/cases/%d?contact=true" % url_case, 200, token=reviewer)
    check(c["reports"][0]["contact"] == "" and c["reports"][0]["contact_withdrawn"], "contact not withdrawn")
    expect_error(base, "POST", "/v1/reports/withdraw-contact", 404, "receipt", {"receipt": "ZZZZ-ZZZZ-ZZZZ-ZZZZ"})

    # Redaction: the text leaves the report, the audit entry names the field only.
    c = expect(base, "GET", "/v1/cases/%d" % url_case, 200, token=reviewer)
    rid = c["reports"][0]["id"]
    expect_error(base, "POST", "/v1/cases/%d/redact" % url_case, 400, "fields",
                 {"report": rid, "fields": ["url"]}, token=reviewer)
    expect_error(base, "POST", "/v1/cases/%d/redact" % url_case, 404, "report",
                 {"report": 999999, "fields": ["description"]}, token=reviewer)
    expect(base, "POST", "/v1/cases/%d/redact" % url_case, 200,
           {"report": rid, "fields": ["description"], "reason": "synthetic request"}, token=reviewer)
    c = expect(base, "GET", "/v1/cases/%d" % url_case, 200, token=reviewer)
    check(c["reports"][0]["description"] == "" and c["reports"][0]["redacted"] == ["description"],
          "redaction: %r" % c["reports"][0])

    # Roles: no token 401, a curator cannot read cases, an auditor cannot move them.
    expect(base, "GET", "/v1/cases", 401)
    expect(base, "GET", "/v1/cases", 403, token=curator)
    expect(base, "POST", "/v1/cases/%d/transition" % url_case, 403, {"to": "triage"}, token=auditor)

    # Transitions and their rules.
    expect_error(base, "POST", "/v1/cases/%d/transition" % url_case, 400, "to", {"to": "assessed",
                                                                                  "assessment": "not_illegal"},
                 token=reviewer)
    expect(base, "POST", "/v1/cases/%d/transition" % url_case, 200, {"to": "triage"}, token=reviewer)
    expect_error(base, "POST", "/v1/cases/%d/transition" % url_case, 400, "assessment", {"to": "assessed"},
                 token=reviewer)
    a = expect(base, "POST", "/v1/cases/%d/transition" % url_case, 200,
               {"to": "assessed", "assessment": "illegal_baseline", "note": "synthetic"}, token=reviewer)
    check(a["state"] == "assessed" and a["seconds_to"]["assessment"] is not None, "assessed: %r" % a)
    check(expect(base, "GET", "/v1/reports/status?receipt=" + r2["receipt"], 200)["status"] == "assessed",
          "reporter status after assessment")
    expect_error(base, "POST", "/v1/cases/%d/transition" % url_case, 400, "partner", {"to": "referred"},
                 token=reviewer)
    expect(base, "POST", "/v1/partners", 403, {"country": "GB", "name": "x", "kind": "hotline", "contact": "c"},
           token=reviewer)
    expect_error(base, "POST", "/v1/partners", 400, "kind",
                 {"country": "GB", "name": "x", "kind": "police", "contact": "c"}, token=curator)
    p = expect(base, "POST", "/v1/partners", 201,
               {"country": "GB", "name": "Synthetic Hotline GB", "kind": "hotline",
                "contact": "notices@example.org", "deadline_hours": 48}, token=curator)
    expect(base, "POST", "/v1/partners", 409,
           {"country": "GB", "name": "Synthetic Hotline GB", "kind": "hotline", "contact": "c"}, token=curator)
    c = expect(base, "GET", "/v1/cases/%d" % url_case, 200, token=reviewer)
    check([x["id"] for x in c["suggested_partners"]] == [p["id"]], "suggested partners %r" % c["suggested_partners"])
    ref = expect(base, "POST", "/v1/cases/%d/transition" % url_case, 200, {"to": "referred", "partner": p["id"]},
                 token=reviewer)
    check(ref["partner_id"] == p["id"] and ref["notice_deadline"], "referral %r" % ref)
    for to in ("notice_sent", "removed", "closed"):
        expect(base, "POST", "/v1/cases/%d/transition" % url_case, 200, {"to": to}, token=reviewer)
    c = expect(base, "GET", "/v1/cases/%d" % url_case, 200, token=reviewer)
    check([t["to"] for t in c["transitions"]] == ["triage", "assessed", "referred", "notice_sent", "removed",
                                                   "closed"], "transitions %r" % c["transitions"])
    check(all(t["actor"] == "analyst" for t in c["transitions"]), "transition actors")
    check(c["seconds_to"]["removal"] is not None, "time to removal missing")
    check(expect(base, "GET", "/v1/reports/status?receipt=" + r1["receipt"], 200)["status"] == "closed",
          "reporter status after closing")
    expect_error(base, "POST", "/v1/cases/999999/transition", 404, "id", {"to": "triage"}, token=reviewer)

    # Evidence: both uploads are in the vault, readable by a reviewer only.
    c = expect(base, "GET", "/v1/cases/%d" % file_case, 200, token=reviewer)
    check(len(c["evidence"]) == 2, "evidence of the file case: %r" % c["evidence"])
    eid = c["evidence"][0]["id"]
    status, got, h = request(base, "GET", "/v1/cases/%d/evidence/%d" % (file_case, eid), token=reviewer, raw=None)
    check(status == 200 and h.get("Content-Type") == "image/png", "evidence: %d %r" % (status, h.get("Content-Type")))
    req = urllib.request.Request(base + "/v1/cases/%d/evidence/%d" % (file_case, eid),
                                 headers={"Authorization": "Bearer " + reviewer})
    with urllib.request.urlopen(req, timeout=30) as r:
        check(r.read() == image, "the evidence bytes differ from the upload")
    expect(base, "GET", "/v1/cases/%d/evidence/%d" % (file_case, eid), 403, token=auditor)
    expect_error(base, "GET", "/v1/cases/%d/evidence/%d" % (url_case, eid), 404, "eid", token=reviewer)

    # Reveals and exposure.
    e0 = expect(base, "GET", "/v1/reviewers/me/exposure", 200, token=reviewer)
    expect(base, "POST", "/v1/cases/%d/reveal" % file_case, 201, {"evidence_id": eid, "duration_ms": 1500},
           token=reviewer)
    expect_error(base, "POST", "/v1/cases/%d/reveal" % file_case, 400, "duration_ms",
                 {"evidence_id": eid, "duration_ms": -5}, token=reviewer)
    expect_error(base, "POST", "/v1/cases/%d/reveal" % file_case, 404, "evidence_id",
                 {"evidence_id": 999999, "duration_ms": 5}, token=reviewer)
    e1 = expect(base, "GET", "/v1/reviewers/me/exposure", 200, token=reviewer)
    check(e1["reveals"] == e0["reveals"] + 1 and abs(e1["seconds"] - e0["seconds"] - 1.5) < 1e-9,
          "exposure %r -> %r" % (e0, e1))

    # Audit: case reads, transitions, reveals, the withdrawal are entries.
    audit = expect(base, "GET", "/v1/audit?limit=1000", 200, token=auditor)
    actions = [e["action"] for e in audit["entries"]]
    for want in ("case.read", "case.transition", "case.redact", "evidence.add", "evidence.view", "evidence.reveal",
                 "partner.create", "report.withdraw_contact"):
        check(want in actions, "no %s audit entry in %r" % (want, sorted(set(actions))))
    withdrawal = [e for e in audit["entries"] if e["action"] == "report.withdraw_contact"][0]
    check("synthetic@example.org" not in json.dumps(withdrawal), "the withdrawal entry repeats the contact")
    check("Synthetic test report 1" not in json.dumps(audit), "an audit entry repeats a report's text")

    if data_dir:  # SQLite: nothing about the client is stored anywhere, the file only encrypted.
        for path in glob.glob(os.path.join(data_dir, "**", "*"), recursive=True):
            if os.path.isfile(path):
                blob = open(path, "rb").read()
                check(b"127.0.0.1" not in blob, "%s holds the client's address" % path)
                check(image[16:80] not in blob, "%s holds the uploaded file in clear" % path)


def noise_png(seed, side=64):
    """A PNG of random grey noise: plainly synthetic, and far (in PDQ) from
    every other image, so its report opens a case of its own."""
    rng = random.Random(seed)
    raw = b"".join(b"\x00" + bytes(rng.randrange(256) for _ in range(side)) for _ in range(side))

    def chunk(kind, data):
        return struct.pack(">I", len(data)) + kind + data + struct.pack(">I", zlib.crc32(kind + data) & 0xffffffff)
    return (b"\x89PNG\r\n\x1a\n" + chunk(b"IHDR", struct.pack(">IIBBBBB", side, side, 8, 0, 0, 0, 0))
            + chunk(b"IDAT", zlib.compress(raw)) + chunk(b"IEND", b""))


class FakeCybertip:
    """The real chainbreak-fake-cybertip on a free loopback port."""

    def __init__(self, user, password):
        self.auth = "Basic " + base64.b64encode(("%s:%s" % (user, password)).encode()).decode()
        self.proc = subprocess.Popen([FAKE, "--port", "0", "--user", user, "--password", password],
                                     stdout=subprocess.PIPE, stderr=subprocess.PIPE, text=True)
        line = self.proc.stdout.readline()
        m = re.match(r"listening on ([0-9.]+):(\d+)", line)
        if not m:
            self.proc.kill()
            raise Failure("the fake CyberTipline did not start: %r %s" % (line, self.proc.stderr.read()))
        self.base = "http://%s:%s" % (m.group(1), m.group(2))

    def report(self, report_id):
        """What the fake holds for a report (its test-only route)."""
        req = urllib.request.Request(self.base + "/_fake/report/" + report_id, headers={"Authorization": self.auth})
        with urllib.request.urlopen(req, timeout=30) as r:
            return json.loads(r.read())

    def stop(self):
        self.proc.terminate()
        self.proc.wait(timeout=30)


def cybertip(base, reviewer, auditor, fake):
    """A case's CyberTipline report: export, refusals, audit, submission."""
    # pylint: disable=too-many-locals,too-many-statements
    image = noise_png(int(time.time()))
    url = "https://example.net/synthetic/cybertip-%d" % os.getpid()
    body, h = form({"category": "csam", "url": url, "description": "Synthetic report for a CyberTipline test"},
                   image)
    expect(base, "POST", "/v1/reports", 201, raw=body, headers=h)
    mine = [c for c in expect(base, "GET", "/v1/cases?limit=1000", 200, token=reviewer)["cases"] if c["url"] == url]
    check(len(mine) == 1, "the CyberTipline test report opened no case of its own: %r" % mine)
    case_id = mine[0]["id"]
    c = expect(base, "GET", "/v1/cases/%d" % case_id, 200, token=reviewer)
    check(len(c["evidence"]) == 1, "evidence of the CyberTipline case: %r" % c["evidence"])
    eid = c["evidence"][0]["id"]
    path = "/v1/cases/%d/cybertip" % case_id

    # Not assessed illegal yet: nothing to report, nothing sent.
    expect_error(base, "GET", path, 409, "case", token=reviewer)
    expect_error(base, "POST", path + "/submit", 409, "case", token=reviewer)
    expect_error(base, "GET", "/v1/cases/999999/cybertip", 404, "id", token=reviewer)
    expect(base, "GET", path, 401)
    expect(base, "GET", path, 403, token=auditor)

    expect(base, "POST", "/v1/cases/%d/reveal" % case_id, 201, {"evidence_id": eid, "duration_ms": 800},
           token=reviewer)
    expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200, {"to": "triage"}, token=reviewer)
    expect(base, "POST", "/v1/cases/%d/transition" % case_id, 200,
           {"to": "assessed", "assessment": "illegal_baseline"}, token=reviewer)

    status, text, rh = request(base, "GET", path, token=reviewer)
    check(status == 200 and rh.get("Content-Type", "").startswith("application/xml"),
          "export: %d %r %r" % (status, rh.get("Content-Type"), text[:300]))
    root = ET.fromstring(text.encode())
    check(root.tag == "cybertipCase" and root.get("caseId") == str(case_id), "export root %r %r" % (root.tag,
                                                                                                    root.attrib))
    check(root.findtext("report/incidentSummary/incidentType")
          == "Child Pornography (possession, manufacture, and distribution)",
          "incidentType %r" % root.findtext("report/incidentSummary/incidentType"))
    urls = [u.text for u in root.findall("report/internetDetails/webPageIncident/url")]
    check(url in urls, "the reported URL is not in webPageIncident: %r" % urls)
    check(root.findtext("report/reporter/reportingPerson/email") == "reports@example.org",
          "reporter e-mail %r" % root.findtext("report/reporter/reportingPerson/email"))
    check("Synthetic report for a CyberTipline test" not in text, "the report's description went into the export")
    files = root.findall("fileDetails")
    check(len(files) == 1 and files[0].get("evidenceId") == str(eid), "fileDetails %r" % [f.attrib for f in files])
    md5 = hashlib.md5(image).hexdigest()
    hashes = {x.get("hashType"): x.text for x in files[0].findall("originalFileHash")}
    check(hashes.get("MD5") == md5, "MD5 in the export %r, uploaded %s" % (hashes, md5))
    check(hashes.get("SHA256") == hashlib.sha256(image).hexdigest(), "SHA256 in the export %r" % hashes)
    check(files[0].findtext("fileViewedByEsp") == "true", "fileViewedByEsp after a reveal: %r"
          % files[0].findtext("fileViewedByEsp"))
    check(files[0].findtext("fileRelevance") == "Reported", "fileRelevance")

    # Submission to the real fake: the file arrives with its MD5; the case's
    # state is left alone.
    sent = expect(base, "POST", path + "/submit", 200, token=reviewer)
    check(re.fullmatch(r"\d+", sent["report_id"] or "") and len(sent["files"]) == 1, "submit answer %r" % sent)
    check(sent["files"][0]["evidence_id"] == eid and sent["files"][0]["md5"] == md5, "submitted file %r" % sent)
    held = fake.report(sent["report_id"])
    check(held["state"] == "finished", "the fake's report state %r" % held["state"])
    check(len(held["files"]) == 1 and held["files"][0]["md5"] == md5 and held["files"][0]["size"] == len(image),
          "the fake received %r, uploaded MD5 %s size %d" % (held["files"], md5, len(image)))
    check("<fileViewedByEsp>true</fileViewedByEsp>" in held["files"][0]["fileDetailsXml"],
          "fileinfo sent: %r" % held["files"][0]["fileDetailsXml"])
    check(url in held["reportXml"], "the submitted report lacks the URL")
    after = expect(base, "GET", "/v1/cases/%d" % case_id, 200, token=reviewer)
    check(after["state"] == "assessed", "submission changed the case's state")
    # One report per case: the id is on the case, and a second submission
    # (another reviewer, a reload) is refused, also with ?retake=true.
    check(after["cybertip_report"] == sent["report_id"], "case's cybertip_report %r" % after["cybertip_report"])
    expect_error(base, "POST", path + "/submit", 409, "case", token=reviewer)
    expect_error(base, "POST", path + "/submit?retake=true", 409, "case", token=reviewer)

    entries = expect(base, "GET", "/v1/audit?limit=1000", 200, token=auditor)["entries"]
    mine = [e for e in entries if e["target"] == "case:%d" % case_id]
    acts = [e["action"] for e in mine]
    for want in ("case.cybertip_export", "case.cybertip_submit", "case.cybertip_submitted"):
        check(want in acts, "no %s audit entry for case %d: %r" % (want, case_id, acts))
    done = [e for e in mine if e["action"] == "case.cybertip_submitted"][0]
    check(done["detail"]["report_id"] == sent["report_id"] and done["actor"] == "analyst",
          "submitted entry %r" % done)
    check(any(e["action"] == "evidence.export" and e["target"] == "evidence:%d" % eid for e in entries),
          "the evidence sent is not an evidence.export entry")
    print("CyberTipline: case %d exported and submitted as report %s" % (case_id, sent["report_id"]))


def crash(loc, data_dir):
    """kill -9 while 1,000 reports are submitted on 16 connections."""
    srv = Server(BINARY, loc)
    acked, lock = [], threading.Lock()
    stop = threading.Event()

    def submit(i):
        if stop.is_set():
            return
        body = json.dumps({"category": "other", "url": "https://example.org/crash/%d" % i,
                           "description": "Synthetic crash report %d" % i}).encode()
        req = urllib.request.Request(srv.base + "/v1/reports", data=body, method="POST",
                                     headers={"Content-Type": "application/json"})
        try:
            with urllib.request.urlopen(req, timeout=30) as r:
                if r.status == 201:
                    with lock:
                        acked.append(json.loads(r.read())["receipt"])
        except Exception:
            pass  # the server died under us: not acknowledged

    def killer():
        while len(acked) < 300:
            time.sleep(0.005)
        srv.proc.send_signal(signal.SIGKILL)
        stop.set()

    k = threading.Thread(target=killer)
    k.start()
    with concurrent.futures.ThreadPoolExecutor(16) as pool:
        list(pool.map(submit, range(1000)))
    k.join()
    srv.proc.wait()
    got = list(acked)
    check(len(got) >= 300, "only %d reports acknowledged before the kill" % len(got))
    srv = Server(BINARY, loc)
    try:
        for code in got:
            status, _, _ = request(srv.base, "GET", "/v1/reports/status?receipt=" + code)
            check(status == 200, "receipt %s acknowledged before kill -9 is lost (HTTP %d)" % (code, status))
    finally:
        check(srv.stop() == 0, "serve did not stop cleanly")
    print("kill -9: %d of 1000 reports acknowledged, all present after restart" % len(got))


def run():
    tmp = tempfile.mkdtemp(prefix="chainbreak-cases-")
    data_dir = None if PG else os.path.join(tmp, "data")
    loc = ["--db", PG] if PG else ["--data", data_dir]
    reviewer = token(BINARY, loc, "analyst", ["reviewer"])
    curator = token(BINARY, loc, "curator", ["curator"])
    auditor = token(BINARY, loc, "auditor", ["auditor"])
    # With PostgreSQL the custody keys live apart from the database.
    serve_args = loc + (["--key-dir", os.path.join(tmp, "keys")] if PG else [])
    srv = Server(BINARY, serve_args)
    try:
        portal(srv.base)
        intake(srv.base, reviewer, curator, auditor, data_dir)
        # This server has no reporter: reports to authorities say so.
        e = expect_error(srv.base, "GET", "/v1/cases/1/cybertip", 409, "reporter", token=reviewer)
        check("--reporter-name" in e["error"]["message"], "not-configured message %r" % e)
        expect_error(srv.base, "POST", "/v1/cases/1/cybertip/submit", 409, "reporter", token=reviewer)
    finally:
        check(srv.stop() == 0, "serve did not stop cleanly: " + "".join(srv.log[-5:]))
    # The chain of custody as the service left it: intact, its head signed at
    # shutdown, both uploads in the vault and decrypting to their hashes.
    key_args = ["--key-dir", os.path.join(tmp, "keys")] if PG else []
    out = subprocess.run([BINARY, "audit", "verify", "--json"] + loc + key_args, capture_output=True, text=True)
    check(out.returncode == 0, "audit verify: %s %s" % (out.stdout, out.stderr))
    v = json.loads(out.stdout)
    check(v["ok"] and v["last_checkpoint_seq"] == v["head_seq"] and v["checkpoints"] >= 1,
          "the head is not signed: %r" % v)
    check(v["evidence_items"] == 2 and v["decrypted"] == 2, "evidence in the vault: %r" % v)

    fake = FakeCybertip("esp", "synthetic-password")
    try:
        pw = os.path.join(tmp, "cybertip-password")
        with open(pw, "w") as f:
            f.write("synthetic-password\n")
        srv = Server(BINARY, serve_args + ["--reporter-name", "Synthetic Hotline", "--reporter-email",
                                           "reports@example.org", "--cybertip-url", fake.base, "--cybertip-user",
                                           "esp", "--cybertip-password-file", pw])
        try:
            cybertip(srv.base, reviewer, auditor, fake)
        finally:
            check(srv.stop() == 0, "serve did not stop cleanly: " + "".join(srv.log[-5:]))
    finally:
        fake.stop()
    crash(serve_args, data_dir)


if __name__ == "__main__":
    main(run)
