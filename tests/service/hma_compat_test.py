#!/usr/bin/python3
"""Drives chainbreak serve's HMA 2.0 compatible routes as an HMA client (and
HMA's own tests) do, asserting exact values; exits non-zero with a message on
the first failure.

usage: hma_compat_test.py BASE_URL IMAGE1 IMAGE2
  BASE_URL  e.g. http://127.0.0.1:8080 (a running `chainbreak serve`)
  IMAGE1/2  two different photos (PDQ distance > 31, PDQ quality >= 50)
If the server needs a token, put it in CHAINBREAK_TOKEN (roles hasher,
matcher and curator, or admin); HMA clients normally run against
--anonymous-roles.

Standard library only. See docs/HMA.md.
"""

import hashlib
import json
import os
import random
import sys
import urllib.error
import urllib.parse
import urllib.request

BASE = ""
CHECKS = 0


def fail(msg):
    print(f"FAIL: {msg}", file=sys.stderr)
    sys.exit(1)


def check(cond, msg):
    global CHECKS
    CHECKS += 1
    if not cond:
        fail(msg)


def eq(got, want, what):
    check(got == want, f"{what}: got {got!r}, want {want!r}")


def request(method, path, *, query=None, json_body=None, files=None, fields=None):
    """Returns (status, parsed JSON or raw bytes)."""
    url = BASE + path
    if query:
        url += "?" + urllib.parse.urlencode(query)
    headers = {}
    data = None
    if json_body is not None:
        data = json.dumps(json_body).encode()
        headers["Content-Type"] = "application/json"
    elif files is not None or fields is not None:
        boundary = "chainbreak%016x" % random.getrandbits(64)
        parts = []
        for name, value in (fields or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"\r\n\r\n'.encode()
                + value.encode()
                + b"\r\n"
            )
        for name, (filename, content) in (files or {}).items():
            parts.append(
                f'--{boundary}\r\nContent-Disposition: form-data; name="{name}"; filename="{filename}"\r\n'
                "Content-Type: application/octet-stream\r\n\r\n".encode()
                + content
                + b"\r\n"
            )
        data = b"".join(parts) + f"--{boundary}--\r\n".encode()
        headers["Content-Type"] = f"multipart/form-data; boundary={boundary}"
    token = os.environ.get("CHAINBREAK_TOKEN")
    if token:
        headers["Authorization"] = f"Bearer {token}"
    req = urllib.request.Request(url, data=data, headers=headers, method=method)
    try:
        with urllib.request.urlopen(req, timeout=60) as resp:
            status, body, ctype = resp.status, resp.read(), resp.headers.get("Content-Type", "")
    except urllib.error.HTTPError as e:
        status, body, ctype = e.code, e.read(), e.headers.get("Content-Type", "")
    except OSError as e:
        fail(f"{method} {path}: cannot reach the server: {e}")
    if ctype.startswith("application/json"):
        try:
            return status, json.loads(body)
        except ValueError:
            fail(f"{method} {path}: invalid JSON body {body[:200]!r}")
    return status, body


def expect(method, path, status, what=None, **kw):
    got_status, body = request(method, path, **kw)
    check(
        got_status == status,
        f"{what or method + ' ' + path}: status {got_status}, want {status}; body {str(body)[:300]}",
    )
    return body


def expect_error(method, path, status, message=None, prefix=None, **kw):
    """An HMA error: the status and a JSON {"message": ...} body."""
    body = expect(method, path, status, **kw)
    check(isinstance(body, dict) and isinstance(body.get("message"), str), f"{method} {path}: body {body!r}")
    if message is not None:
        eq(body["message"], message, f"{method} {path} message")
    if prefix is not None:
        check(body["message"].startswith(prefix), f"{method} {path}: message {body['message']!r}")
    return body


def hamming(a, b):
    return bin(int(a, 16) ^ int(b, 16)).count("1")


def flip_bits(h, bits):
    v = int(h, 16)
    for b in bits:
        v ^= 1 << b
    return "%064x" % v


def main():
    global BASE
    if len(sys.argv) != 4:
        fail("usage: hma_compat_test.py BASE_URL IMAGE1 IMAGE2")
    BASE = sys.argv[1].rstrip("/")
    img1 = open(sys.argv[2], "rb").read()
    img2 = open(sys.argv[3], "rb").read()
    check(img1 != img2, "the two images must differ")
    suffix = "%08X" % random.getrandbits(32)
    bank = "HMA_COMPAT_" + suffix
    renamed = "HMA_COMPAT_RENAMED_" + suffix

    # Core
    status, body = request("GET", "/status")
    eq((status, body), (200, b"I-AM-ALIVE"), "GET /status")
    site_map = expect("GET", "/site-map", 200)
    for route in ("/m/lookup", "/m/raw_lookup", "/h/hash", "/c/banks", "/c/bank/<bank_name>/signal"):
        check(route in site_map, f"/site-map lacks {route}: {site_map!r}")
    eq(site_map, sorted(site_map), "/site-map is sorted")
    signal_types = expect("GET", "/c/signal_type", 200)
    check({"enabled_ratio": 1.0, "name": "pdq"} in signal_types, f"/c/signal_type: {signal_types!r}")
    check({"enabled_ratio": 1.0, "name": "video_md5"} in signal_types, f"/c/signal_type: {signal_types!r}")
    content_types = expect("GET", "/c/content_type", 200)
    check({"enabled": True, "name": "photo"} in content_types, f"/c/content_type: {content_types!r}")
    index = expect("GET", "/m/index/status", 200)
    eq(index["pdq"]["present"], True, "/m/index/status pdq present")
    eq(set(expect("GET", "/m/index/status", 200, query={"signal_type": "pdq"})), {"pdq"}, "index status keys")
    expect_error("GET", "/m/index/status", 400, "No such signal type 'nope'", query={"signal_type": "nope"})

    # Banks (test_api_banks.py)
    expect_error("POST", "/c/banks", 400, "Bank names must be UPPER_WITH_UNDERSCORE", json_body={"name": "01_TEST"})
    expect_error("POST", "/c/banks", 400, "Bank names must be UPPER_WITH_UNDERSCORE", json_body={"name": "my_bank"})
    expect("POST", "/c/banks", 422, "POST /c/banks without name", json_body={})
    created = expect("POST", "/c/banks", 201, json_body={"name": bank})
    eq(created, {"matching_enabled_ratio": 1.0, "name": bank}, "created bank")
    expect_error("POST", "/c/banks", 403, "Bank already exists", json_body={"name": bank})
    check(created in expect("GET", "/c/banks", 200), "the new bank is listed by GET /c/banks")
    eq(expect("GET", f"/c/bank/{bank}", 200), created, "GET /c/bank/<name>")
    expect_error("GET", f"/c/bank/NO_SUCH_{suffix}", 404, f"bank 'NO_SUCH_{suffix}' not found")

    # Hashing
    h1 = expect("POST", "/h/hash", 200, files={"photo": ("one.jpg", img1)})
    eq(set(h1), {"pdq"}, "POST /h/hash signal types of a photo")
    pdq1 = h1["pdq"]
    check(len(pdq1) == 64 and pdq1 == pdq1.lower(), f"PDQ of image 1 {pdq1!r} (quality under 50 gives '')")
    pdq2 = expect("POST", "/h/hash", 200, files={"photo": ("two.jpg", img2)})["pdq"]
    check(len(pdq2) == 64, f"PDQ of image 2 {pdq2!r} (quality under 50 gives '')")
    check(hamming(pdq1, pdq2) > 31, f"images too similar (PDQ distance {hamming(pdq1, pdq2)}); pass two others")
    all_types = expect("POST", "/h/hash", 200, query={"types": "pdq,md5,sha256"}, files={"photo": ("one.jpg", img1)})
    eq(
        all_types,
        {"pdq": pdq1, "md5": hashlib.md5(img1).hexdigest(), "sha256": hashlib.sha256(img1).hexdigest()},
        "POST /h/hash?types=pdq,md5,sha256",
    )
    video = expect("POST", "/h/hash", 200, files={"video": ("two.mp4", img2)})
    eq(video, {"video_md5": hashlib.md5(img2).hexdigest()}, "POST /h/hash video")
    expect_error("POST", "/h/hash", 400, "no such content_type: 'file'", files={"file": ("x.jpg", img1)})
    expect_error("POST", "/h/hash", 400, "Missing multipart/form-data file upload", fields={"a": "b"})
    expect_error("GET", "/h/hash", 400, prefix="chainbreak does not fetch URLs", query={"url": "http://example.org/a.jpg"})

    # Banking content: an upload and a signal
    added = expect(
        "POST", f"/c/bank/{bank}/content", 200, files={"photo": ("one.jpg", img1)}, fields={"note": "compat test"}
    )
    check(isinstance(added.get("id"), int), f"content id {added!r}")
    id1 = added["id"]
    eq(added, {"id": id1, "signals": {"pdq": pdq1}}, "POST /c/bank/<name>/content")
    content = expect("GET", f"/c/bank/{bank}/content/{id1}", 200)
    eq(
        content,
        {"bank": created, "disable_until_ts": 1, "id": id1, "original_media_uri": None, "note": "compat test"},
        "GET content",
    )
    with_sigs = expect("GET", f"/c/bank/{bank}/content/{id1}", 200, query={"include_signals": "true"})
    eq(with_sigs.get("signals"), {"pdq": pdq1}, "GET content?include_signals=true")
    md5_2 = hashlib.md5(img2).hexdigest()
    added2 = expect("POST", f"/c/bank/{bank}/signal", 200, json_body={"video_md5": md5_2.upper()})
    id2 = added2["id"]
    eq(added2, {"id": id2, "signals": {"video_md5": md5_2}}, "POST /c/bank/<name>/signal")
    check(id2 != id1, "content ids differ")
    expect_error("POST", f"/c/bank/{bank}/signal", 400, "Invalid pdq signal: invalid PDQ hash", json_body={"pdq": "zz"})
    expect_error("POST", f"/c/bank/{bank}/signal", 400, "No such signal type nope", json_body={"nope": "00"})
    expect_error("POST", f"/c/bank/{bank}/signal", 400, "No signals given", json_body={})
    expect_error("POST", f"/c/bank/NO_SUCH_{suffix}/signal", 404, json_body={"pdq": pdq1})
    expect_error("POST", f"/c/bank/{bank}/content", 400, prefix="chainbreak does not fetch URLs",
                 query={"url": "http://example.org/a.jpg"}, json_body={})
    expect_error("GET", f"/c/bank/{bank}/content/999999999999", 404, "content '999999999999' not found")

    # Lookups by signal: exact, near, far
    only = {"banks": bank}
    hit1 = [{"bank_content_id": id1, "distance": "0"}]
    resp = expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq1})
    eq(resp.get(bank), hit1, "GET /m/lookup exact")
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq1, **only}), {bank: hit1},
       "GET /m/lookup exact, banks=")
    near = flip_bits(pdq1, [0, 77, 200])
    eq(
        expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": near, **only}),
        {bank: [{"bank_content_id": id1, "distance": "3"}]},
        "GET /m/lookup near (3 bits flipped)",
    )
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq2, **only}), {},
       "GET /m/lookup of the other image")
    eq(
        expect("GET", "/m/lookup", 200, query={"signal_type": "video_md5", "signal": md5_2, **only}),
        {bank: [{"bank_content_id": id2, "distance": "-"}]},
        "GET /m/lookup video_md5",
    )
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq1, "banks": "NO_SUCH_BANK"}), {},
       "GET /m/lookup with an unknown bank filter")
    eq(expect("GET", "/m/raw_lookup", 200, query={"signal_type": "pdq", "signal": pdq1, **only}), {"matches": [id1]},
       "GET /m/raw_lookup")
    eq(
        expect("GET", "/m/raw_lookup", 200,
               query={"signal_type": "pdq", "signal": near, "include_distance": "true", **only}),
        {"matches": [{"bank_content_id": id1, "distance": "3"}]},
        "GET /m/raw_lookup include_distance",
    )
    eq(
        expect("POST", "/m/compare", 200, json_body={"pdq": [pdq1, near]}),
        {"pdq": [True, {"distance": 3}]},
        "POST /m/compare",
    )

    # Hash and match in one call
    resp = expect("POST", "/m/lookup", 200, query=only, files={"photo": ("one.jpg", img1)})
    eq(resp.get("pdq"), {bank: hit1}, "POST /m/lookup photo")
    check(all(isinstance(v, dict) for v in resp.values()), f"POST /m/lookup shape {resp!r}")
    eq(expect("POST", "/m/lookup", 200, query={"types": "pdq", **only}, files={"photo": ("one.jpg", img1)}),
       {"pdq": {bank: hit1}}, "POST /m/lookup?types=pdq")
    eq(expect("POST", "/m/lookup", 200, query=only, files={"photo": ("two.jpg", img2)}).get("pdq"), {},
       "POST /m/lookup of the other photo")
    eq(
        expect("POST", "/m/lookup", 200, query=only, files={"video": ("two.mp4", img2)}),
        {"video_md5": {bank: [{"bank_content_id": id2, "distance": "-"}]}},
        "POST /m/lookup video",
    )

    # Errors as HMA answers them
    expect_error("GET", "/m/lookup", 400, "No such SignalType 'nope'", query={"signal_type": "nope", "signal": pdq1})
    expect_error("GET", "/m/lookup", 400, "invalid signal: invalid PDQ hash", query={"signal_type": "pdq", "signal": "xyz"})
    expect_error("GET", "/m/lookup", 400, "invalid signal: invalid PDQ hash",
                 query={"signal_type": "pdq", "signal": pdq1.upper() if pdq1 != pdq1.upper() else "G" * 64})
    expect_error("GET", "/m/lookup", 400, "Either url or both signal and signal_type are required")
    expect_error("GET", "/m/lookup", 400, prefix="chainbreak does not fetch URLs", query={"url": "http://example.org/"})
    expect_error("GET", "/m/raw_lookup", 400, "No such SignalType 'nope'", query={"signal_type": "nope", "signal": "00"})
    expect("GET", "/m/raw_lookup", 422, "GET /m/raw_lookup without signal", query={"signal_type": "pdq"})
    expect_error("POST", "/m/compare", 400, "Comparison hash list length must be exactly 2", json_body={"pdq": [pdq1]})

    # Disabling content (disable_until_ts) and banks (enabled / enabled_ratio)
    query = {"signal_type": "pdq", "signal": pdq1, **only}
    upd = expect("PUT", f"/c/bank/{bank}/content/{id1}", 200, json_body={"disable_until_ts": 0})
    eq((upd["id"], upd["disable_until_ts"], upd["bank"]), (id1, 0, created), "PUT content disable")
    eq(expect("GET", "/m/lookup", 200, query=query), {}, "lookup of disabled content")
    eq(expect("GET", f"/c/bank/{bank}/content/{id1}", 200)["disable_until_ts"], 0, "GET disabled content")
    eq(expect("PUT", f"/c/bank/{bank}/content/{id1}", 200, json_body={"disable_until_ts": 1})["disable_until_ts"], 1,
       "PUT content enable")
    eq(expect("GET", "/m/lookup", 200, query=query), {bank: hit1}, "lookup of re-enabled content")
    expect_error("PUT", f"/c/bank/{bank}/content/{id1}", 400,
                 "disable_until_ts must be less than 5 years in the future", json_body={"disable_until_ts": 9999999999})
    expect_error("PUT", f"/c/bank/{bank}/content/{id1}", 400, "disable_until_ts must be a non-negative integer",
                 json_body={"disable_until_ts": -5})
    eq(expect("PUT", f"/c/bank/{bank}", 200, json_body={"enabled": False}), {"matching_enabled_ratio": 0.0, "name": bank},
       "PUT bank enabled=false")
    eq(expect("GET", "/m/lookup", 200, query=query), {}, "lookup in a disabled bank")
    eq(expect("PUT", f"/c/bank/{bank}", 200, json_body={"enabled_ratio": 1.0}),
       {"matching_enabled_ratio": 1.0, "name": bank}, "PUT bank enabled_ratio=1")
    eq(expect("GET", "/m/lookup", 200, query=query), {bank: hit1}, "lookup in a re-enabled bank")
    expect_error("PUT", f"/c/bank/{bank}", 400, "Bank names must be UPPER_WITH_UNDERSCORE", json_body={"name": "1_bad"})
    expect_error("PUT", f"/c/bank/NO_SUCH_{suffix}", 404, "Bank not found", json_body={"enabled": True})

    # Rename
    eq(expect("PUT", f"/c/bank/{bank}", 200, json_body={"name": renamed}),
       {"matching_enabled_ratio": 1.0, "name": renamed}, "PUT bank rename")
    expect_error("GET", f"/c/bank/{bank}", 404, f"bank '{bank}' not found")
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq1, "banks": renamed}),
       {renamed: hit1}, "lookup after rename")

    # Deleting content, then the bank
    eq(expect("DELETE", f"/c/bank/{renamed}/content/{id1}", 200), {"deleted": 1}, "DELETE content")
    eq(expect("DELETE", f"/c/bank/{renamed}/content/{id1}", 200), {"deleted": 0}, "DELETE content again")
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "pdq", "signal": pdq1, "banks": renamed}), {},
       "lookup of deleted content")
    expect_error("GET", f"/c/bank/{renamed}/content/{id1}", 404, f"content '{id1}' not found")
    eq(expect("DELETE", f"/c/bank/{renamed}", 200), {"message": "Done"}, "DELETE bank")
    eq(expect("DELETE", f"/c/bank/{renamed}", 200), {"message": "Done"}, "DELETE missing bank")
    expect_error("GET", f"/c/bank/{renamed}", 404, f"bank '{renamed}' not found")
    check(all(b["name"] != renamed for b in expect("GET", "/c/banks", 200)), "deleted bank still listed")
    eq(expect("GET", "/m/lookup", 200, query={"signal_type": "video_md5", "signal": md5_2, "banks": renamed}), {},
       "lookup in a deleted bank")

    print(f"hma_compat_test: OK ({CHECKS} checks)")


if __name__ == "__main__":
    main()
