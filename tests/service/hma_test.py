#!/usr/bin/env python3
"""Runs the HMA 2.0 compatibility contract (hma_compat_test.py) against a
real `chainbreak serve`: once as HMA deployments run it (no tokens,
--anonymous-roles), once with a bearer token and no anonymous access.

usage: hma_test.py CHAINBREAK FIXTURES_DIR [POSTGRES_CONNINFO]"""
import os
import subprocess
import sys
import tempfile

sys.path.insert(0, os.path.dirname(os.path.abspath(__file__)))
from service_support import Server, check, expect_error, main, token  # noqa: E402

BINARY, FIXTURES = sys.argv[1], sys.argv[2]
PG = sys.argv[3] if len(sys.argv) > 3 else ""
HERE = os.path.dirname(os.path.abspath(__file__))


def contract(base, env):
    img1 = os.path.join(FIXTURES, "jpeg-444.jpg")
    img2 = os.path.join(FIXTURES, "png-rgb8.png")
    r = subprocess.run([sys.executable, os.path.join(HERE, "hma_compat_test.py"), base, img1, img2], env=env,
                       capture_output=True, text=True)
    sys.stderr.write(r.stdout[-2000:] + r.stderr[-4000:])
    check(r.returncode == 0, "HMA contract failed against %s" % base)


def run():
    for mode in ("anonymous", "token"):
        tmp = tempfile.mkdtemp(prefix="chainbreak-hma-")
        loc = ["--db", PG] if PG else ["--data", tmp]
        env = os.environ.copy()
        env.pop("CHAINBREAK_TOKEN", None)
        if mode == "anonymous":
            srv = Server(BINARY, loc + ["--anonymous-roles", "hasher,matcher,curator"])
        else:
            env["CHAINBREAK_TOKEN"] = token(BINARY, loc, "hma-client-%d" % os.getpid(),
                                            ["hasher", "matcher", "curator"])
            srv = Server(BINARY, loc)
        try:
            if mode == "token":
                expect_error(srv.base, "GET", "/c/banks", 401, "Authorization")
            contract(srv.base, env)
        finally:
            code = srv.stop()
        check(code == 0, "serve exited %d" % code)


main(run)
