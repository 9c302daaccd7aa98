#!/usr/bin/env bash
# Exact-hash benchmark (issue 2): one 1 GiB file, `chainbreak hash md5|sha256`
# side by side with coreutils' md5sum and sha256sum in the same run
# (hyperfine, medians; the file stays in the page cache across runs).
#   bench/run_exact_bench.sh [BUILD_DIR]
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build "$build" -j"$(nproc)" --target chainbreak >/dev/null
file="$build/exact-bench-1GiB.bin"
[ -f "$file" ] || head -c $((1 << 30)) /dev/urandom >"$file"
hyperfine -N --runs 5 --warmup 1 --export-json "$build/exact-bench.json" \
  "md5sum $file" "$build/chainbreak hash md5 $file" \
  "sha256sum $file" "$build/chainbreak hash sha256 $file" >/dev/null
jq -r '.results[] | "\(.command | sub(" .*"; "") | sub(".*/"; "")) \(.command | split(" ")[1:-1] | join(" ")): median \(.median * 1000 | round) ms = \(1.073741824 / .median * 100 | round / 100) GB/s"' \
  "$build/exact-bench.json"
jq -r '[.results[].median] as $m | "ratios: md5 coreutils/chainbreak = \($m[0] / $m[1] * 100 | round / 100), sha256 coreutils/chainbreak = \($m[2] / $m[3] * 100 | round / 100)"' \
  "$build/exact-bench.json"
