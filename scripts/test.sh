#!/usr/bin/env bash
# Installs, builds and passes every test:
#  1. Release build: unit tests, PDQ compatibility tests (on
#     ../shared/data/pdq-reference when present), decoder tests against
#     ImageMagick, the CLI contract test;
#  2. the same tests built with AddressSanitizer and UBSan;
#  3. the decoder, hash-list and multipart fuzzers (libFuzzer, clang) for a
#     bounded time.
# Store, bank and CLI tests start a throwaway PostgreSQL server
# (scripts/with-postgres.sh) besides using SQLite; the browser tests drive
# Debian's Chromium with playwright-core (tests/web).
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh --test
# playwright-core for the browser tests, pinned by tests/web/package-lock.json.
npm ci --prefix tests/web --no-audit --no-fund --loglevel=error
jobs=$(nproc)
fuzz_seconds=${CHAINBREAK_FUZZ_SECONDS:-60}

echo "== release build and tests"
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release >/dev/null
cmake --build build -j"$jobs"
ctest --test-dir build --output-on-failure -j"$jobs"

echo "== ASan/UBSan build and tests"
cmake -S . -B build-asan -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAINBREAK_SANITIZE=ON -DCHAINBREAK_BENCHMARKS=OFF >/dev/null
cmake --build build-asan -j"$jobs"
ASAN_OPTIONS=detect_leaks=1 UBSAN_OPTIONS=print_stacktrace=1 ctest --test-dir build-asan --output-on-failure -j"$jobs"

echo "== decoder fuzzer (${fuzz_seconds}s)"
CC=clang CXX=clang++ cmake -S . -B build-fuzz -DCMAKE_BUILD_TYPE=RelWithDebInfo -DCHAINBREAK_FUZZ=ON \
  -DCHAINBREAK_TESTS=OFF -DCHAINBREAK_BENCHMARKS=OFF >/dev/null
cmake --build build-fuzz -j"$jobs" --target decode_fuzzer list_fuzzer multipart_fuzzer chainbreak-gen-fixtures
rm -rf build-fuzz/corpus && mkdir -p build-fuzz/corpus
build-fuzz/chainbreak-gen-fixtures formats build-fuzz/seeds >/dev/null
build-fuzz/fuzz/decode_fuzzer -max_total_time="$fuzz_seconds" -max_len=200000 -rss_limit_mb=2048 \
  -print_final_stats=1 build-fuzz/corpus build-fuzz/seeds 2>&1 | tail -n 12
echo "== list fuzzer (${fuzz_seconds}s)"
rm -rf build-fuzz/list-corpus && mkdir -p build-fuzz/list-corpus
build-fuzz/fuzz/list_fuzzer -max_total_time="$fuzz_seconds" -max_len=20000 -rss_limit_mb=2048 \
  -print_final_stats=1 build-fuzz/list-corpus 2>&1 | tail -n 12
echo "== multipart fuzzer (${fuzz_seconds}s)"
rm -rf build-fuzz/multipart-corpus && mkdir -p build-fuzz/multipart-corpus
build-fuzz/fuzz/multipart_fuzzer -max_total_time="$fuzz_seconds" -max_len=20000 -rss_limit_mb=2048 \
  -print_final_stats=1 build-fuzz/multipart-corpus 2>&1 | tail -n 12
echo "== all tests passed"
