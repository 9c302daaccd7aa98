#!/bin/sh
# CLI throughput of `chainbreak pay screen` (without and with --state) on a
# synthetic stream over 1M accounts, next to `jq -c .id` merely parsing the
# same stream. usage: bench/bench_payments.sh BUILD_DIR [LINES]
set -eu
build=${1:-build}
n=${2:-2000000}
here=$(cd "$(dirname "$0")/.." && pwd)
tmp=$(mktemp -d)
trap 'rm -rf "$tmp"' EXIT
python3 "$here/tests/payments/gen_stream.py" "$n" 1000000 > "$tmp/in.jsonl"
rate() { awk -v n="$n" -v s="$1" 'BEGIN { printf "%.0f decisions/s\n", n / s }'; }
t() { /usr/bin/time -f %e "$@" 2>&1 >/dev/null | tail -1; }
s=$(t sh -c "'$build/chainbreak' pay screen < '$tmp/in.jsonl'"); echo "pay screen:          ${s}s  $(rate "$s")"
s=$(t sh -c "'$build/chainbreak' pay screen --state '$tmp/st' < '$tmp/in.jsonl'"); echo "pay screen --state:  ${s}s  $(rate "$s")"
if command -v jq >/dev/null; then s=$(t sh -c "jq -c .id < '$tmp/in.jsonl'"); echo "jq -c .id:           ${s}s  $(rate "$s")"; fi
