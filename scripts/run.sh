#!/usr/bin/env bash
# The main job on a small bundled sample: installs the dependencies, builds
# chainbreak, generates sample images (synthetic patterns, made by our own
# generator) and hashes them: PDQ (TSV, then JSON) and SHA-256.
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHAINBREAK_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target chainbreak chainbreak-gen-fixtures
build/chainbreak-gen-fixtures sample build/sample
echo "== chainbreak hash pdq build/sample"
build/chainbreak hash pdq build/sample
echo "== chainbreak hash pdq --format json build/sample"
build/chainbreak hash pdq --format json build/sample
echo "== chainbreak hash sha256 build/sample"
build/chainbreak hash sha256 build/sample
