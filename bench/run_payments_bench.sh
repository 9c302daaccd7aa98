#!/usr/bin/env bash
# Payment screening benchmark (issue 6), on one synthetic labelled stream over
# 1M accounts (chainbreak-gen-payments, cached under BUILD_DIR/bench-payments).
#   bench/run_payments_bench.sh [BUILD_DIR] [eval|speed|both|http]
# speed: `chainbreak pay screen` decisions/s on one core (taskset -c 0, median
#        of 3) side by side in the same run with `jq -c .id` merely parsing the
#        same stream, and the ratio.
# http:  POST /v1/payments/screen on `chainbreak serve` (SQLite data
#        directory, journaled payment state), one transaction per request,
#        the stream's first 200,000 lines in order, with wrk (HTTP_CONNECTIONS,
#        default 8; HTTP_DURATION, default 15s): requests/s and p50/p99 latency.
# eval:  screens the stream and runs bench/eval_payments.py: per typology
#        recall and position of the first hold, false holds on benign payments
#        and look-alikes, block precision (report in BUILD_DIR/bench-payments).
# Environment: PAY_SEED (1), PAY_ACCOUNTS (1000000), PAY_DAYS (30),
# PAY_EPISODES (2000 per typology), PAY_RULES (rules file; default: the
# engine's built-in rules), PAY_RUNS (3).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
mode=${2:-both}
case "$mode" in eval | speed | both | http) ;; *)
  echo "usage: bench/run_payments_bench.sh [BUILD_DIR] [eval|speed|both|http]" >&2
  exit 2
  ;;
esac
seed=${PAY_SEED:-1} accounts=${PAY_ACCOUNTS:-1000000} days=${PAY_DAYS:-30} episodes=${PAY_EPISODES:-2000}
runs=${PAY_RUNS:-3}
rules=()
[ -z "${PAY_RULES:-}" ] || rules=(--rules "$PAY_RULES")

scripts/install-deps.sh --bench
command -v jq >/dev/null || {
  echo "jq is missing: scripts/install-deps.sh --test installs it" >&2
  exit 1
}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j2 --target chainbreak chainbreak-gen-payments >/dev/null
cli="$build/chainbreak"
gen="$build/chainbreak-gen-payments"

dir="$build/bench-payments"
mkdir -p "$dir"
stream="$dir/stream-s$seed-a$accounts-d$days-k$episodes.jsonl"
if [ ! -s "$stream" ] || [ "$gen" -nt "$stream" ]; then
  echo "generating $stream ..." >&2
  "$gen" --seed "$seed" --accounts "$accounts" --days "$days" --episodes-per-typology "$episodes" --stats \
    >"$stream.tmp" 2>"$dir/generator.txt"
  mv "$stream.tmp" "$stream"
  cat "$dir/generator.txt" >&2
fi
lines=$(wc -l <"$stream")
size=$(du -h "$stream" | cut -f1)
cpu=$(sed -n 's/^model name[^:]*: //p' /proc/cpuinfo | head -1)
echo "Stream: \`chainbreak-gen-payments --seed $seed --accounts $accounts --days $days" \
  "--episodes-per-typology $episodes\`: $lines lines, $size. Machine: $cpu, $(nproc) cores; $(date -u +%Y-%m-%d)."
echo

# Wall time of one command in seconds, stdin from the stream, stdout discarded.
seconds() {
  local start end
  start=$(date +%s%N)
  "$@" <"$stream" >/dev/null
  end=$(date +%s%N)
  echo "$(((end - start) / 1000000))" | awk '{printf "%.3f\n", $1 / 1000}'
}
median() { sort -g | awk '{a[NR] = $1} END {print a[int((NR + 1) / 2)]}'; }

if [ "$mode" = speed ] || [ "$mode" = both ]; then
  : >"$dir/speed-chainbreak.txt"
  : >"$dir/speed-state.txt"
  : >"$dir/speed-jq.txt"
  for _ in $(seq "$runs"); do
    # Alternate them so that all see the same page cache and machine load.
    seconds taskset -c 0 "$cli" pay screen "${rules[@]}" >>"$dir/speed-chainbreak.txt"
    rm -rf "$dir/state"
    seconds taskset -c 0 "$cli" pay screen "${rules[@]}" --state "$dir/state" >>"$dir/speed-state.txt"
    seconds taskset -c 0 jq -c .id >>"$dir/speed-jq.txt"
  done
  rm -rf "$dir/state"
  cb=$(median <"$dir/speed-chainbreak.txt")
  cbs=$(median <"$dir/speed-state.txt")
  jqs=$(median <"$dir/speed-jq.txt")
  echo "### Payment screening throughput, one core (taskset -c 0), median of $runs"
  echo
  echo "| command | median wall time | rate | runs (s) |"
  echo "|---|---|---|---|"
  awk -v t="$cb" -v n="$lines" -v r="$(paste -sd' ' "$dir/speed-chainbreak.txt")" -v rl="${PAY_RULES:-built-in rules}" \
    'BEGIN {printf "| `chainbreak pay screen` (%s) | %.2f s | %.0f decisions/s | %s |\n", rl, t, n / t, r}'
  awk -v t="$cbs" -v n="$lines" -v r="$(paste -sd' ' "$dir/speed-state.txt")" \
    'BEGIN {printf "| `chainbreak pay screen --state DIR` (journaled, fdatasync per batch) | %.2f s | %.0f decisions/s | %s |\n", t, n / t, r}'
  awk -v t="$jqs" -v n="$lines" -v r="$(paste -sd' ' "$dir/speed-jq.txt")" \
    'BEGIN {printf "| `jq -c .id` (parse only) | %.2f s | %.0f lines/s | %s |\n", t, n / t, r}'
  echo
  awk -v a="$cb" -v b="$jqs" 'BEGIN {printf "chainbreak / jq rate ratio: %.2fx (target: at least 3x and 500,000 decisions/s)\n", b / a}'
  echo
fi

if [ "$mode" = eval ] || [ "$mode" = both ]; then
  decisions="$dir/decisions.jsonl"
  "$cli" pay screen "${rules[@]}" <"$stream" >"$decisions"
  python3 bench/eval_payments.py "$stream" "$decisions" --out "$dir/report.md" --json "$dir/summary.json" \
    --title "Payment screening effectiveness ($lines payments, $accounts accounts, seed $seed)"
  echo
  echo "Report: $dir/report.md, summary: $dir/summary.json"
fi

if [ "$mode" = http ]; then
  command -v wrk >/dev/null || {
    echo "wrk is missing: scripts/install-deps.sh --bench installs it" >&2
    exit 1
  }
  conns=${HTTP_CONNECTIONS:-8} duration=${HTTP_DURATION:-15s}
  hd="$dir/http"
  rm -rf "$hd"
  mkdir -p "$hd"
  head -200000 "$stream" >"$hd/requests.jsonl"
  "$cli" serve --data "$hd/data" --listen 127.0.0.1:0 --threads "${HTTP_SERVE_THREADS:-2}" --no-alarm "${rules[@]/--rules/--pay-rules}" \
    2>"$hd/serve.log" &
  serve_pid=$!
  trap 'kill $serve_pid 2>/dev/null || true' EXIT
  for _ in $(seq 300); do grep -q "listening on" "$hd/serve.log" && break; sleep 0.2; done
  port=$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' "$hd/serve.log")
  [ -n "$port" ] || {
    cat "$hd/serve.log" >&2
    exit 1
  }
  tok=$("$cli" token create "pay-bench-$$" --role matcher --data "$hd/data")
  cat >"$hd/screen.lua" <<LUA
local bodies = {}
for line in io.lines("$hd/requests.jsonl") do bodies[#bodies + 1] = line end
local i = 0
request = function()
  i = i % #bodies + 1
  return wrk.format("POST", "/v1/payments/screen",
    {["Authorization"] = "Bearer $tok", ["Content-Type"] = "application/json"}, bodies[i])
end
LUA
  first=$(head -1 "$hd/requests.jsonl")
  curl -sf -H "Authorization: Bearer $tok" -H "Content-Type: application/json" --data-binary "$first" \
    "http://127.0.0.1:$port/v1/payments/screen" >"$hd/check.json"
  echo "sample answer: $(head -c 200 "$hd/check.json")" >&2
  out=$(wrk -t1 -c"$conns" -d"$duration" --latency -s "$hd/screen.lua" "http://127.0.0.1:$port/")
  echo "$out" >"$hd/wrk.txt"
  rps=$(echo "$out" | awk '/Requests\/sec/{print $2}')
  p50=$(echo "$out" | awk '$1=="50%"{print $2}')
  p99=$(echo "$out" | awk '$1=="99%"{print $2}')
  bad=$(echo "$out" | awk '/Non-2xx/{print $5}')
  echo "### POST /v1/payments/screen, one transaction per request (journaled, fdatasync before each answer)"
  echo
  echo "wrk -t1 -c$conns -d$duration on loopback, chainbreak serve --threads ${HTTP_SERVE_THREADS:-2}, 2-core machine"
  echo
  echo "| requests/s | p50 | p99 | non-2xx |"
  echo "|---|---|---|---|"
  echo "| $rps | $p50 | $p99 | ${bad:-0} |"
fi
