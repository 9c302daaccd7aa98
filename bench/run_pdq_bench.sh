#!/usr/bin/env bash
# PDQ hashing benchmark (issue 2): 200 generated 1024x768 JPEGs, single
# thread, each mode side by side with a plain libjpeg-turbo decode of the
# same files in the same run; then the CLI over the folder with 1 and 2 jobs.
# Prints medians of repeated runs and the ratios docs/BENCHMARKS.md records.
#   bench/run_pdq_bench.sh [BUILD_DIR]   (default: build)
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
reps=${CHAINBREAK_BENCH_REPS:-7}
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCHAINBREAK_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target bench_pdq chainbreak chainbreak-gen-fixtures >/dev/null
images="$build/bench-images"
[ -f "$images/bench-0199.jpg" ] || "$build/chainbreak-gen-fixtures" bench "$images" 200 1024 768
json=$(CHAINBREAK_BENCH_DIR="$images" "$build/bench/bench_pdq" --benchmark_repetitions="$reps" \
  --benchmark_report_aggregates_only=true --benchmark_format=json 2>/dev/null)
med() { jq -r --arg n "$1_median" '.benchmarks[] | select(.name == $n) | .cpu_time' <<<"$json"; }
full=$(med BM_DecodeOnlyFull); scaled=$(med BM_DecodeOnlyFastScale)
def=$(med BM_HashDefault); fast=$(med BM_HashFast); ref=$(med BM_HashReferenceIo); core=$(med BM_PdqCore1024x768)
scale=$(jq -r '.benchmarks[] | select(.name == "BM_DecodeOnlyFastScale_median") | .label' <<<"$json")
echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs); median of $reps runs, ms per image"
printf '| %-44s | %8s | %-30s |\n' "run" "ms/image" "ratio"
printf '| %-44s | %8.3f | %-30s |\n' "libjpeg-turbo decode only, full scale (peer)" "$full" "1.00"
printf '| %-44s | %8.3f | %-30s |\n' "libjpeg-turbo decode only, $scale (peer)" "$scaled" \
  "$(awk -v a="$scaled" -v b="$full" 'BEGIN{printf "%.2f x full", a/b}')"
printf '| %-44s | %8.3f | %-30s |\n' "chainbreak pdq default" "$def" \
  "$(awk -v a="$def" -v b="$full" 'BEGIN{printf "%.2f x full decode (<= 1.3)", a/b}')"
printf '| %-44s | %8.3f | %-30s |\n' "chainbreak pdq --fast" "$fast" \
  "$(awk -v a="$fast" -v b="$scaled" -v c="$full" 'BEGIN{printf "%.2f x same-scale (<= 1.2), %.2f x full (< 0.8)", a/b, a/c}')"
printf '| %-44s | %8.3f | %-30s |\n' "chainbreak pdq --reference-io" "$ref" \
  "$(awk -v a="$ref" -v b="$full" 'BEGIN{printf "%.2f x full decode", a/b}')"
printf '| %-44s | %8.3f | %-30s |\n' "PDQ algorithm alone on 1024x768 luma" "$core" ""
echo
if command -v hyperfine >/dev/null; then
  echo "CLI over the 200 files (hyperfine, median):"
  hyperfine -N --runs 5 --warmup 1 --export-json "$build/cli-bench.json" \
    "$build/chainbreak hash pdq --jobs 1 $images" "$build/chainbreak hash pdq --jobs 2 $images" \
    "$build/chainbreak hash pdq --fast --jobs 2 $images" >/dev/null
  jq -r '.results[] | "  \(.command | sub(".*chainbreak "; "chainbreak ")): \(.median | . * 1000 | round) ms = \(200 / .median | round) images/s"' \
    "$build/cli-bench.json"
fi
