#!/usr/bin/env python3
"""docs/openapi.json against the running service and the C++ sources.

Usage: openapi_test.py CHAINBREAK_BINARY

- GET /v1/openapi.json serves exactly docs/openapi.json (parsed JSON);
- every documented path and method is routed: with an admin token, a request
  with placeholder path parameters and a minimal body is answered with
  neither the router's 404 for an unknown route nor a 405, never a 5xx, and
  with a status the operation documents;
- x-chainbreak-roles agrees with the code: without a token a role-protected
  operation is a 401 (an open one is not), and with a token holding a role
  the operation does not list it is a 403;
- every route the sources register (route("METHOD", "/v1/...") and /metrics
  in src/server/api/*.cc, the HMA routes in hma_*.cc and the web pages in
  web_routes.cc (HTML, docs/CASES.md) excepted) is
  documented, and nothing else under /v1 is.
"""
import glob
import json
import os
import re
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Failure, Server, check, expect, main, request, token  # noqa: E402

HERE = os.path.dirname(os.path.abspath(__file__))
DOC = os.path.join(HERE, "..", "..", "docs", "openapi.json")
API_SRC = os.path.join(HERE, "..", "..", "src", "server", "api")
METHODS = ("get", "post", "put", "patch", "delete")

# Placeholders for path parameters: names of things that do not exist.
PLACEHOLDERS = {
    ("/v1/banks/", "name"): "no-such-bank",
    ("/v1/tokens/", "name"): "no-such-token",
}


def fill_path(path):
    def sub(m):
        name = m.group(1)
        for (prefix, pname), value in PLACEHOLDERS.items():
            if path.startswith(prefix) and pname == name:
                return value
        return "999999" if name == "id" else "no-such-" + name
    return re.sub(r"\{([^}]+)\}", sub, path)


def operations(doc):
    for path, item in doc["paths"].items():
        for method, op in item.items():
            if method in METHODS:
                yield method.upper(), path, op


def source_routes():
    """(METHOD, pattern) registered by the /v1 route files. A route whose
    pattern is not a string literal (e.g. built in a loop) takes the
    "/v1/..." literals written since the previous route call."""
    found = set()
    files = sorted(f for f in glob.glob(os.path.join(API_SRC, "*.cc")) if not os.path.basename(f).startswith("hma_")
                   and os.path.basename(f) != "web_routes.cc")
    check(files, "no route sources under %s" % API_SRC)
    call = re.compile(r'\broute\(\s*"([A-Z]+)"\s*,\s*([^,]+?)\s*,')
    literal = re.compile(r'"(/v1/[^"]*|/metrics)"')
    for f in files:
        text = open(f, encoding="utf-8").read()
        prev = 0
        for m in call.finditer(text):
            method, arg = m.group(1), m.group(2)
            lit = re.fullmatch(r'"([^"]*)"', arg)
            if lit:
                patterns = [lit.group(1)]
            else:
                patterns = literal.findall(text[prev:m.start()])
                check(patterns, "%s: cannot tell the pattern of route(%s, %s)" % (os.path.basename(f), method, arg))
            for p in patterns:
                found.add((method, p))
            prev = m.end()
    return found


def is_unrouted(status, payload):
    """The router's own answers for a route that does not exist."""
    if status == 405:
        return True
    return (status == 404 and isinstance(payload, dict) and isinstance(payload.get("error"), dict)
            and payload["error"].get("code") == "not_found" and payload["error"].get("message") == "no such resource"
            and "field" not in payload["error"])


def minimal_request(method, path, op):
    """(path with query, kwargs for request()) for a minimal request."""
    query = []
    for p in op.get("parameters", []):
        if p.get("in") == "query" and p.get("required"):
            check("example" in p, "%s %s: required query parameter %s has no example" % (method, path, p["name"]))
            query.append("%s=%s" % (p["name"], p["example"]))
    target = fill_path(path) + ("?" + "&".join(query) if query else "")
    kw = {}
    body = op.get("requestBody")
    if body:
        content = body["content"]
        if "application/json" in content:
            kw["body"] = {}
        else:
            ctype = next(iter(content))
            kw["raw"] = b""
            kw["headers"] = {"Content-Type": "application/octet-stream" if "*" in ctype else ctype}
    return target, kw


def run():
    if len(sys.argv) != 2:
        print("usage: openapi_test.py CHAINBREAK_BINARY", file=sys.stderr)
        sys.exit(2)
    binary = sys.argv[1]
    with open(DOC, encoding="utf-8") as f:
        doc = json.load(f)
    check(doc.get("openapi") == "3.0.3", "docs/openapi.json is not OpenAPI 3.0.3")

    # The sources' routes and the document's operations are the same set.
    documented = {(m, p) for m, p, _ in operations(doc)}
    in_code = source_routes()
    missing = sorted(in_code - documented)
    check(not missing, "routes in src/server/api not in docs/openapi.json: %s" % missing)
    extra = sorted(documented - in_code)
    check(not extra, "operations in docs/openapi.json no route registers: %s" % extra)
    for m, p, op in operations(doc):
        check(p.startswith("/v1/") or p == "/metrics", "%s %s: not a /v1 route (HMA routes go in docs/HMA.md)" % (m, p))
        check(isinstance(op.get("x-chainbreak-roles"), list), "%s %s: no x-chainbreak-roles" % (m, p))
        check(isinstance(op.get("x-chainbreak-audited"), bool), "%s %s: no x-chainbreak-audited" % (m, p))

    with tempfile.TemporaryDirectory(prefix="chainbreak-openapi-") as tmp:
        where = ["--data", tmp]
        admin = token(binary, where, "admin", ["admin"])
        hasher = token(binary, where, "hasher-only", ["hasher"])
        server = Server(binary, where)
        try:
            served = expect(server.base, "GET", "/v1/openapi.json", 200, token=admin)
            check(served == doc, "/v1/openapi.json differs from docs/openapi.json (rebuild the binary?)")
            served_anon = expect(server.base, "GET", "/v1/openapi.json", 200)
            check(served_anon == doc, "/v1/openapi.json without a token differs from docs/openapi.json")

            for method, path, op in operations(doc):
                target, kw = minimal_request(method, path, op)
                what = "%s %s" % (method, target)
                documented_codes = set(op["responses"])

                status, payload, _ = request(server.base, method, target, token=admin, **kw)
                check(not is_unrouted(status, payload), "%s: not routed (HTTP %d %s)" % (what, status, payload))
                check(status < 500, "%s: HTTP %d %s" % (what, status, payload))
                check(str(status) in documented_codes or "default" in documented_codes,
                      "%s: HTTP %d is not among the documented responses %s (%s)"
                      % (what, status, sorted(documented_codes), payload))

                roles = op["x-chainbreak-roles"]
                status, payload, _ = request(server.base, method, target, **kw)
                if roles:
                    check(status == 401, "%s without a token: expected 401 (roles %s), got %d %s"
                          % (what, roles, status, payload))
                else:
                    check(status not in (401, 403), "%s is documented open but without a token got %d %s"
                          % (what, status, payload))
                status, payload, _ = request(server.base, method, target, token=hasher, **kw)
                if roles and "hasher" not in roles:
                    check(status == 403, "%s with a hasher-only token: expected 403 (roles %s), got %d %s"
                          % (what, roles, status, payload))
                else:
                    check(status not in (401, 403), "%s allows hasher (roles %s) but a hasher token got %d %s"
                          % (what, roles, status, payload))

            # The router's answers the checks above rely on.
            status, payload, _ = request(server.base, "GET", "/v1/no-such-route", token=admin)
            check(is_unrouted(status, payload), "an unknown route answered %d %s" % (status, payload))
            status, payload, _ = request(server.base, "PUT", "/v1/health", token=admin)
            check(status == 405 and payload["error"]["code"] == "method_not_allowed",
                  "PUT /v1/health answered %d %s" % (status, payload))
            check(server.alive(), "serve exited during the test")
        finally:
            rc = server.stop()
        check(rc == 0, "serve exited with %s; stderr:\n%s" % (rc, "".join(server.log)))
    print("%d operations documented and routed" % len(documented))


if __name__ == "__main__":
    main(run)
