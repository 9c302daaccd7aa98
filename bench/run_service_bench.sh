#!/usr/bin/env bash
# Service load benchmark (issue 4), side by side in one run with nginx:
#   wrk on loopback against `chainbreak serve` answering GET /v1/lookup on a
#   bank of N random PDQ hashes (default 10M), queries half planted 0..31
#   bits from banked hashes, half random (so about half the answers carry a
#   match), each request with a token; and against nginx serving a small
#   static JSON file, the ceiling for this machine. Alternating rounds; the
#   script prints each tool's median requests/s, p50/p99 latency and the
#   ratio, then this machine's memory ceiling (bench_memory: random-line
#   latency and lines/s with 16 and 32 in flight), which bounds a 10M lookup
#   (about 2,000 random lines) and so the ratio.
#   bench/run_service_bench.sh [BUILD_DIR] [HASHES]     (default: build 10000000)
# Environment: ROUNDS (3), DURATION (15s), CONNECTIONS (32), WRK_THREADS (1),
# SERVE_THREADS (2).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
n=${2:-10000000}
rounds=${ROUNDS:-3}
duration=${DURATION:-15s}
conns=${CONNECTIONS:-32}
wrk_threads=${WRK_THREADS:-1}
serve_threads=${SERVE_THREADS:-2}
scripts/install-deps.sh --bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCHAINBREAK_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target chainbreak chainbreak-gen-hashes bench_memory >/dev/null
data="$build/bench-service"
mkdir -p "$data"
list="$build/bench-hashes/list-$n.txt"
queries="$build/bench-hashes/queries-$n.txt"
mkdir -p "$build/bench-hashes"
[ -s "$queries" ] || "$build/chainbreak-gen-hashes" "$n" 20000 20261123 "$list" "$queries"
bank="$data/bank-$n"
if [ ! -f "$bank/ready" ]; then
  rm -rf "$bank"
  "$build/chainbreak" bank create bench --data "$bank" >/dev/null
  echo "importing $n hashes into a SQLite bank (once)..." >&2
  "$build/chainbreak" bank import bench "$list" --data "$bank" --no-progress >&2
  touch "$bank/ready"
fi
tok=$("$build/chainbreak" token create "bench-$$-$RANDOM" --role matcher --data "$bank")

# wrk script: each request the next query hash, with the token.
cat >"$data/lookup.lua" <<LUA
local hashes = {}
for line in io.lines("$queries") do hashes[#hashes + 1] = line end
local i = 0
request = function()
  i = i % #hashes + 1
  return wrk.format("GET", "/v1/lookup?signal_type=pdq&signal=" .. hashes[i], {["Authorization"] = "Bearer $tok"})
end
LUA

# nginx: a small static JSON file (the size of a typical lookup answer).
ng="$data/nginx"
mkdir -p "$ng/www" "$ng/tmp"
head -c 300 /dev/zero | tr '\0' 'x' | awk '{printf "{\"matches\":[],\"pad\":\"%s\"}", $0}' >"$ng/www/lookup.json"
ng_port=18481
cat >"$ng/nginx.conf" <<CONF
worker_processes $serve_threads;
daemon off;
pid $PWD/$ng/nginx.pid;
error_log $PWD/$ng/error.log;
events { worker_connections 1024; }
http {
  access_log off;
  client_body_temp_path $PWD/$ng/tmp; proxy_temp_path $PWD/$ng/tmp; fastcgi_temp_path $PWD/$ng/tmp;
  uwsgi_temp_path $PWD/$ng/tmp; scgi_temp_path $PWD/$ng/tmp;
  keepalive_requests 1000000;
  server { listen 127.0.0.1:$ng_port; root $PWD/$ng/www; default_type application/json;
           location / { try_files /lookup.json =404; } }
}
CONF
/usr/sbin/nginx -c "$PWD/$ng/nginx.conf" -p "$PWD/$ng" &
ng_pid=$!
"$build/chainbreak" serve --data "$bank" --listen 127.0.0.1:0 --threads "$serve_threads" --no-alarm \
  2>"$data/serve.log" &
serve_pid=$!
trap 'kill $ng_pid $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 600); do grep -q "listening on" "$data/serve.log" && break; sleep 0.2; done
port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$data/serve.log")
[ -n "$port" ] || { cat "$data/serve.log" >&2; exit 1; }
sleep 1
# Check the answers before measuring: a planted query must match.
first=$(head -1 "$queries")
curl -sf -H "Authorization: Bearer $tok" "http://127.0.0.1:$port/v1/lookup?signal=$first" >"$data/check.json"
echo "sample answer: $(head -c 200 "$data/check.json")..." >&2

median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
to_ms() { awk '{v=$1; if (v ~ /us$/) {sub(/us/,"",v); v/=1000} else if (v ~ /ms$/) {sub(/ms/,"",v)} else if (v ~ /s$/) {sub(/s/,"",v); v*=1000}; printf "%.3f", v}'; }
run_wrk() {  # url [script] -> "rps p50_ms p99_ms non2xx"
  local out
  if [ -n "${2:-}" ]; then
    out=$(wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency -s "$2" "$1")
  else
    out=$(wrk -t"$wrk_threads" -c"$conns" -d"$duration" --latency "$1")
  fi
  echo "$out" >>"$data/wrk.log"
  local rps p50 p99 bad
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}' | to_ms)
  p99=$(echo "$out" | awk '$1=="99%"{print $2}' | to_ms)
  bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
  echo "$rps $p50 $p99 ${bad:-0}"
}
: >"$data/wrk.log"
# Warm-up, not counted: the first seconds after a start fault in the index's
# pages and the entries' database pages (a first round's p99 was 3x the rest).
run_wrk "http://127.0.0.1:$port/" "$data/lookup.lua" >/dev/null
run_wrk "http://127.0.0.1:$ng_port/lookup.json" >/dev/null
: >"$data/wrk.log"
ours=() theirs=()
for r in $(seq "$rounds"); do
  ours+=("$(run_wrk "http://127.0.0.1:$port/" "$data/lookup.lua")")
  theirs+=("$(run_wrk "http://127.0.0.1:$ng_port/lookup.json")")
  echo "round $r: chainbreak ${ours[-1]} | nginx ${theirs[-1]}" >&2
done
col() { printf '%s\n' "${@:2}" | awk -v c="$1" '{print $c}' | median; }
ratios=()
for i in "${!ours[@]}"; do
  ratios+=("$(awk -v a="$(echo "${ours[$i]}" | cut -d' ' -f1)" -v b="$(echo "${theirs[$i]}" | cut -d' ' -f1)" 'BEGIN{printf "%.3f", a/b}')")
done
o_rps=$(col 1 "${ours[@]}") o_p50=$(col 2 "${ours[@]}") o_p99=$(col 3 "${ours[@]}") o_bad=$(col 4 "${ours[@]}")
n_rps=$(col 1 "${theirs[@]}") n_p50=$(col 2 "${theirs[@]}") n_p99=$(col 3 "${theirs[@]}")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); wrk -t$wrk_threads -c$conns -d$duration, $rounds alternating rounds, medians"
echo "| server | bank | requests/s | p50 ms | p99 ms | non-2xx |"
echo "|---|---|---|---|---|---|"
echo "| chainbreak serve --threads $serve_threads, GET /v1/lookup (t=31) | $n PDQ | $o_rps | $o_p50 | $o_p99 | $o_bad |"
echo "| nginx $serve_threads workers, static 300-byte JSON (ceiling) | - | $n_rps | $n_p50 | $n_p99 | 0 |"
echo "ratio chainbreak/nginx per round: ${ratios[*]}; median $(printf '%s\n' "${ratios[@]}" | median | awk '{printf "%.0f%%", 100*$1}')"
# The memory ceiling, measured after the rounds (nothing else running).
kill $ng_pid $serve_pid 2>/dev/null || true
wait $ng_pid $serve_pid 2>/dev/null || true
"$build/bench/bench_memory" --chains 1,16,32 |
  awk '/chains=/{sub(/^memory /, ""); printf "%s%s", sep, $0; sep="; "} END{print ""}' |
  sed 's/^/memory ceiling (random 64-byte lines over 1 GiB, huge pages): /'
