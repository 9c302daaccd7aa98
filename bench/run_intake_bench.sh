#!/usr/bin/env bash
# Report intake benchmark (issue 5): durable public-report submissions per
# second through HTTP (POST /v1/reports, JSON, each answered only after its
# commit), on SQLite and on PostgreSQL, side by side in the same run with
# the peer: plain one-commit-per-row SQLite inserts (WAL, synchronous=FULL,
# the same row) on the same disk, which is what an intake without group
# commit costs. Alternating rounds; medians and the ratio to the peer.
#   bench/run_intake_bench.sh [BUILD_DIR]
# Environment: ROUNDS (3), DURATION (10s), CONNECTIONS (32), PEER_ROWS (3000),
# PG (1: also PostgreSQL through scripts/with-postgres.sh; 0: SQLite only).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
rounds=${ROUNDS:-3}
duration=${DURATION:-10s}
conns=${CONNECTIONS:-32}
peer_rows=${PEER_ROWS:-3000}
with_pg=${PG:-1}
if [ -z "${CHAINBREAK_INTAKE_INNER:-}" ]; then
  scripts/install-deps.sh --bench
  cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
  cmake --build "$build" -j"$(nproc)" --target chainbreak >/dev/null
  if [ "$with_pg" = 1 ]; then
    exec scripts/with-postgres.sh env CHAINBREAK_INTAKE_INNER=1 "$0" "$@"
  fi
fi
work="$build/bench-intake"
rm -rf "$work"
mkdir -p "$work"

# wrk: each request a new synthetic report (a distinct URL, so every one is
# a new case: the heavier path).
cat >"$work/report.lua" <<'LUA'
local n = 0
request = function()
  n = n + 1
  local body = string.format('{"category":"other","url":"https://example.org/bench/%d/%d","description":"Synthetic benchmark report %d"}', math.random(1, 1000000000), n, n)
  return wrk.format("POST", "/v1/reports", {["Content-Type"] = "application/json"}, body)
end
LUA

# The peer: one INSERT and one COMMIT per report, the same columns.
peer() {
  python3 - "$work/peer.db" "$peer_rows" <<'PY'
import os, sqlite3, sys, time
path, n = sys.argv[1], int(sys.argv[2])
for f in (path, path + "-wal", path + "-shm"):
    if os.path.exists(f):
        os.remove(f)
db = sqlite3.connect(path, isolation_level=None)
db.execute("PRAGMA journal_mode=WAL")
db.execute("PRAGMA synchronous=FULL")
db.execute("CREATE TABLE case_reports (id INTEGER PRIMARY KEY, case_id INTEGER, created_us INTEGER, "
           "receipt_hash TEXT UNIQUE, category TEXT, url TEXT, description TEXT)")
t0 = time.perf_counter()
for i in range(n):
    db.execute("BEGIN")
    db.execute("INSERT INTO case_reports (case_id, created_us, receipt_hash, category, url, description) "
               "VALUES (?, ?, ?, 'other', ?, ?)", (i, i, "%064x" % i, "https://example.org/%d" % i,
                                                   "Synthetic benchmark report %d" % i))
    db.execute("COMMIT")
print("%.0f" % (n / (time.perf_counter() - t0)))
PY
}

# One serve per backend; returns "acknowledged_per_s p99 non2xx" for one
# wrk round: only 201 answers (receipts handed out) count.
run_wrk() {
  local out total secs p99 bad
  out=$(wrk -t1 -c"$conns" -d"$duration" --latency -s "$work/report.lua" "$1")
  echo "$out" >>"$work/wrk.log"
  total=$(echo "$out" | awk '/requests in/{print $1}')
  secs=$(echo "$out" | awk '/requests in/{v=$4; sub(/,$/,"",v); if (v ~ /ms$/) {sub(/ms/,"",v); v/=1000} else sub(/s$/,"",v); print v}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
  bad=${bad:-0}
  [ "$bad" = 0 ] || echo "warning: $bad answers were not 201 (see $work/wrk.log)" >&2
  echo "$(awk -v t="$total" -v b="$bad" -v s="$secs" 'BEGIN{printf "%.0f", (t-b)/s}') $p99 $bad"
}
start_serve() {  # location args... -> sets port, pid
  "$build/chainbreak" serve "$@" --listen 127.0.0.1:0 --threads 2 2>"$work/serve.log" &
  pid=$!
  for _ in $(seq 300); do grep -q "listening on" "$work/serve.log" && break; sleep 0.1; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$work/serve.log")
  [ -n "$port" ] || { cat "$work/serve.log" >&2; exit 1; }
}

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
backends=("sqlite")
[ -n "${CHAINBREAK_TEST_PG:-}" ] && backends+=("postgres")
declare -A rps_of
peers=()
: >"$work/wrk.log"
for r in $(seq "$rounds"); do
  peers+=("$(peer)")
  for b in "${backends[@]}"; do
    if [ "$b" = sqlite ]; then
      start_serve --data "$work/data-$r"
    else
      start_serve --db "$CHAINBREAK_TEST_PG" --key-dir "$work/keys"
    fi
    res=$(run_wrk "http://127.0.0.1:$port/")
    kill "$pid"
    wait "$pid" || true
    rps_of[$b]="${rps_of[$b]:-} $res"
    echo "round $r: peer ${peers[-1]}/s | $b $res" >&2
  done
done
p=$(printf '%s\n' "${peers[@]}" | median)
echo "machine: $(nproc) cores; wrk -t1 -c$conns -d$duration, $rounds alternating rounds, medians; peer: $peer_rows rows"
echo "| path | reports/s (median) | p99 | non-2xx | vs peer |"
echo "|---|---|---|---|---|"
echo "| peer: SQLite, one INSERT + COMMIT per row (WAL, synchronous=FULL), same disk | $p | | | 1.00x |"
for b in "${backends[@]}"; do
  read -r -a v <<<"${rps_of[$b]}"
  rates=() p99s=() bads=()
  for ((i = 0; i < ${#v[@]}; i += 3)); do rates+=("${v[i]}"); p99s+=("${v[i + 1]}"); bads+=("${v[i + 2]}"); done
  m=$(printf '%s\n' "${rates[@]}" | median)
  echo "| chainbreak POST /v1/reports on $b (group commit) | $m | ${p99s[*]} | ${bads[*]} | $(awk -v a="$m" -v b="$p" 'BEGIN{printf "%.2fx", a/b}') |"
done
