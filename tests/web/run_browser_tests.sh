#!/usr/bin/env bash
# Browser tests of the reporting portal and the review console against a
# real `chainbreak serve` (headless Debian chromium + playwright-core).
#
#   tests/web/run_browser_tests.sh CHAINBREAK_BINARY FAKE_CYBERTIP_BINARY
#
# Creates a throwaway data directory, a reviewer, a curator and an admin
# token, starts the local fake NCMEC CyberTipline (chainbreak-fake-cybertip,
# built beside chainbreak) and the server on free loopback ports (serve with
# a reporter and the fake as its CyberTipline service), adds the partner the
# test refers to, runs tests/web/portal_test.mjs, stops the server (SIGTERM,
# must exit 0) and the fake. Screenshots: $ARTIFACTS_DIR (default
# tests/web/artifacts).
# Needs node >= 18, npm (only when tests/web/node_modules is missing) and
# /usr/bin/chromium (or $CHROMIUM). Works without a terminal (CI=true).
set -euo pipefail

if [ $# -lt 2 ]; then
  echo "usage: $0 CHAINBREAK_BINARY FAKE_CYBERTIP_BINARY" >&2
  exit 2
fi
BIN=$(cd "$(dirname "$1")" && pwd)/$(basename "$1")
FAKE=$2
case "$FAKE" in /*) ;; *) FAKE=$PWD/$FAKE ;; esac
HERE=$(cd "$(dirname "$0")" && pwd)
export ARTIFACTS_DIR=${ARTIFACTS_DIR:-$HERE/artifacts}
CHROMIUM=${CHROMIUM:-/usr/bin/chromium}
export CHROMIUM

fail() { echo "FAIL: $*" >&2; exit 1; }

[ -x "$BIN" ] || fail "$BIN is not an executable"
[ -x "$FAKE" ] || fail "$2 is not an executable: build the fake NCMEC service (cmake --build BUILD --target chainbreak-fake-cybertip)"
command -v node >/dev/null || fail "node is not installed"
[ -x "$CHROMIUM" ] || fail "$CHROMIUM not found (apt-get install -y chromium)"

WORK=$(mktemp -d "${TMPDIR:-/tmp}/chainbreak-web.XXXXXX")
DATA=$WORK/data
LOG=$WORK/serve.log
mkdir -p "$DATA"
SERVER_PID=
FAKE_PID=

cleanup() {
  status=$?
  if [ -n "$SERVER_PID" ] && kill -0 "$SERVER_PID" 2>/dev/null; then
    kill -TERM "$SERVER_PID" 2>/dev/null || true
    wait "$SERVER_PID" 2>/dev/null || true
  fi
  if [ -n "$FAKE_PID" ] && kill -0 "$FAKE_PID" 2>/dev/null; then
    kill -TERM "$FAKE_PID" 2>/dev/null || true
    wait "$FAKE_PID" 2>/dev/null || true
  fi
  if [ $status -ne 0 ] && [ -f "$LOG" ]; then
    echo "---- last lines of the server log ($LOG) ----" >&2
    tail -n 40 "$LOG" >&2 || true
    mkdir -p "$ARTIFACTS_DIR" && cp "$LOG" "$ARTIFACTS_DIR/serve.log" 2>/dev/null || true
  fi
  rm -rf "$WORK"
  exit $status
}
trap cleanup EXIT
trap 'exit 130' INT TERM

# Tokens (the secret is the only line printed on stdout).
REVIEWER=$("$BIN" token create browser-reviewer --role reviewer --data "$DATA") || fail "token create (reviewer) failed"
CURATOR=$("$BIN" token create browser-curator --role curator --data "$DATA") || fail "token create (curator) failed"
ADMIN=$("$BIN" token create browser-admin --role admin --data "$DATA") || fail "token create (admin) failed"
case "$REVIEWER" in cbt_*) ;; *) fail "token create printed '$REVIEWER', expected a cbt_ secret" ;; esac

# The local fake NCMEC CyberTipline (not the real service) on a free port:
# it prints "listening on HOST:PORT" once accepting.
FAKE_USER=synthetic-esp
FAKE_PASSWORD=synthetic-password-$$
printf '%s\n' "$FAKE_PASSWORD" >"$WORK/cybertip-password"
"$FAKE" --port 0 --user "$FAKE_USER" --password "$FAKE_PASSWORD" >"$WORK/fake.out" 2>"$WORK/fake.err" &
FAKE_PID=$!
FAKE_PORT=
for _ in $(seq 1 300); do
  FAKE_PORT=$(sed -n 's/^listening on .*:\([0-9][0-9]*\)$/\1/p' "$WORK/fake.out" | head -n 1)
  [ -n "$FAKE_PORT" ] && break
  kill -0 "$FAKE_PID" 2>/dev/null || fail "chainbreak-fake-cybertip exited before listening: $(cat "$WORK/fake.err")"
  sleep 0.1
done
[ -n "$FAKE_PORT" ] || fail "chainbreak-fake-cybertip did not report 'listening on HOST:PORT' within 30 s"
FAKE_URL=http://127.0.0.1:$FAKE_PORT
echo "fake CyberTipline: $FAKE_URL"

# Start the server on a free port; its log names it. Reports to NCMEC go
# to the fake.
"$BIN" serve --data "$DATA" --listen 127.0.0.1:0 \
  --reporter-name "Synthetic Hotline" --reporter-email hotline@example.org \
  --cybertip-url "$FAKE_URL" --cybertip-user "$FAKE_USER" --cybertip-password-file "$WORK/cybertip-password" \
  >"$WORK/serve.out" 2>"$LOG" &
SERVER_PID=$!
PORT=
for _ in $(seq 1 1200); do
  PORT=$(sed -n 's#.*listening on http://127\.0\.0\.1:\([0-9][0-9]*\).*#\1#p' "$LOG" | head -n 1)
  [ -n "$PORT" ] && break
  kill -0 "$SERVER_PID" 2>/dev/null || fail "chainbreak serve exited before listening"
  sleep 0.1
done
[ -n "$PORT" ] || fail "chainbreak serve did not report 'listening on http://127.0.0.1:PORT' within 120 s"
BASE=http://127.0.0.1:$PORT
echo "server: $BASE (data in $DATA)"

# The routing table: one partner for the case's country.
node -e '
const [base, token] = process.argv.slice(1);
fetch(base + "/v1/partners", {
  method: "POST",
  headers: { "Content-Type": "application/json", Authorization: "Bearer " + token },
  body: JSON.stringify({ country: "GB", name: "Synthetic Hotline GB", kind: "hotline",
                         contact: "notices@example.org", deadline_hours: 48 })
}).then(async (r) => {
  const text = await r.text();
  if (r.status !== 201 && r.status !== 200) { console.error("POST /v1/partners answered " + r.status + ": " + text); process.exit(1); }
}).catch((e) => { console.error("POST /v1/partners: " + e.message); process.exit(1); });
' "$BASE" "$CURATOR" || fail "could not create the partner"

if [ ! -d "$HERE/node_modules/playwright-core" ]; then
  npm ci --prefix "$HERE" --no-audit --no-fund --loglevel=error || fail "npm ci in $HERE failed"
fi

set +e
CI=${CI:-true} FAKE_CYBERTIP_URL=$FAKE_URL FAKE_CYBERTIP_USER=$FAKE_USER FAKE_CYBERTIP_PASSWORD=$FAKE_PASSWORD \
  node "$HERE/portal_test.mjs" "$BASE" "$REVIEWER" "$ADMIN"
TEST_STATUS=$?
set -e

# Graceful stop: SIGTERM, exit status 0.
kill -TERM "$SERVER_PID"
set +e
wait "$SERVER_PID"
SERVE_STATUS=$?
set -e
SERVER_PID=
[ $TEST_STATUS -eq 0 ] || exit $TEST_STATUS
[ $SERVE_STATUS -eq 0 ] || fail "chainbreak serve exited with status $SERVE_STATUS after SIGTERM"
echo "PASS: browser tests (artifacts in $ARTIFACTS_DIR)"
