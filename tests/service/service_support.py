"""Shared helpers for the service tests: start `chainbreak serve` on a free
loopback port, talk JSON over real HTTP, stop it gracefully. Standard
library only."""
import json
import os
import re
import select
import signal
import subprocess
import sys
import time
import urllib.error
import urllib.request


class Failure(Exception):
    pass


def check(cond, what):
    if not cond:
        raise Failure(what)


class Server:
    """A `chainbreak serve` child process."""

    def __init__(self, binary, args, env=None):
        self.binary = binary
        # Unbuffered: select() below watches the pipe, so no line may wait
        # in a Python-side buffer (two lines written at once would hide the
        # second from select).
        self.proc = subprocess.Popen([binary, "serve", "--listen", "127.0.0.1:0"] + args,
                                     stdout=subprocess.DEVNULL, stderr=subprocess.PIPE, bufsize=0,
                                     env=env or os.environ.copy())
        self.log = []
        deadline = time.time() + 120
        self.port = None
        while time.time() < deadline and self.port is None:
            r, _, _ = select.select([self.proc.stderr], [], [], 1)
            if r:
                line = self.proc.stderr.readline().decode(errors="replace")
                if not line:
                    break
                self.log.append(line)
                m = re.search(r"listening on https?://[0-9.]+:(\d+)", line)
                if m:
                    self.port = int(m.group(1))
        if self.port is None:
            self.proc.kill()
            raise Failure("serve did not start: " + "".join(self.log))
        self.base = "http://127.0.0.1:%d" % self.port

    def stop(self):
        """SIGTERM, then the exit status (must be 0: graceful stop)."""
        if self.proc.poll() is None:
            self.proc.send_signal(signal.SIGTERM)
        try:
            rest = self.proc.communicate(timeout=30)[1].decode(errors="replace")
        except subprocess.TimeoutExpired:
            self.proc.kill()
            raise Failure("serve did not stop within 30 s of SIGTERM")
        self.log.append(rest)
        return self.proc.returncode

    def alive(self):
        return self.proc.poll() is None


def request(base, method, path, body=None, token=None, headers=None, raw=None, timeout=30):
    """Returns (status, parsed JSON or text, headers)."""
    h = dict(headers or {})
    data = None
    if raw is not None:
        data = raw
    elif body is not None:
        data = json.dumps(body).encode()
        h.setdefault("Content-Type", "application/json")
    if token:
        h["Authorization"] = "Bearer " + token
    req = urllib.request.Request(base + path, data=data, method=method, headers=h)
    try:
        with urllib.request.urlopen(req, timeout=timeout) as r:
            status, payload, rh = r.status, r.read(), r.headers
    except urllib.error.HTTPError as e:
        status, payload, rh = e.code, e.read(), e.headers
    ctype = rh.get("Content-Type", "")
    if ctype.startswith("application/json"):
        try:
            return status, json.loads(payload), rh
        except ValueError:
            raise Failure("%s %s: invalid JSON in response: %r" % (method, path, payload[:200]))
    return status, payload.decode(errors="replace"), rh


def expect(base, method, path, status, body=None, token=None, **kw):
    got, payload, _ = request(base, method, path, body=body, token=token, **kw)
    if got != status:
        raise Failure("%s %s: expected HTTP %d, got %d: %s" % (method, path, status, got, payload))
    return payload


def expect_error(base, method, path, status, field, body=None, token=None, **kw):
    payload = expect(base, method, path, status, body=body, token=token, **kw)
    check(isinstance(payload, dict) and "error" in payload, "%s %s: no JSON error: %r" % (method, path, payload))
    if field is not None:
        check(payload["error"].get("field") == field,
              "%s %s: error names field %r, expected %r (%s)" % (method, path, payload["error"].get("field"),
                                                                 field, payload["error"].get("message")))
    return payload


def multipart(field, filename, data, content_type="application/octet-stream"):
    boundary = "----chainbreak-test-%d" % int(time.time() * 1e6)
    body = (("--%s\r\nContent-Disposition: form-data; name=\"%s\"; filename=\"%s\"\r\n"
             "Content-Type: %s\r\n\r\n") % (boundary, field, filename, content_type)).encode()
    body += data + ("\r\n--%s--\r\n" % boundary).encode()
    return body, "multipart/form-data; boundary=" + boundary


def token(binary, location_args, name, roles):
    out = subprocess.run([binary, "token", "create", name, "--role", ",".join(roles)] + location_args,
                         check=True, capture_output=True, text=True)
    secret = out.stdout.strip()
    check(secret.startswith("cbt_"), "token create printed %r" % secret)
    return secret


def main(fn):
    try:
        fn()
    except Failure as e:
        print("FAIL: %s" % e, file=sys.stderr)
        sys.exit(1)
    print("PASS")
