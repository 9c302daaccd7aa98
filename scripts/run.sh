#!/usr/bin/env bash
# The main job on a small bundled sample, on the embedded default (SQLite in
# a data directory, no server): installs the dependencies, builds chainbreak,
# generates sample images (synthetic patterns, made by our own generator),
# hashes them, lists two of them in a bank of "known" signals (benign
# stand-ins for a shared hash list), one in an allowlist bank, and matches
# the whole sample against the banks; then matches query hashes against a
# generated hash list without any database.
#   scripts/run.sh [DATA_DIR]   (default: build/demo-data, recreated)
set -euo pipefail
cd "$(dirname "$0")/.."
scripts/install-deps.sh
cmake -S . -B build -DCMAKE_BUILD_TYPE=Release -DCHAINBREAK_TESTS=OFF >/dev/null
cmake --build build -j"$(nproc)" --target chainbreak chainbreak-gen-fixtures chainbreak-gen-hashes
data=${1:-build/demo-data}
rm -rf "$data"
cb() { echo "\$ chainbreak $*" >&2; build/chainbreak "$@"; }
build/chainbreak-gen-fixtures sample build/sample >/dev/null
cb hash pdq build/sample
cb hash pdq build/sample | sed -n '1p;6p' | cut -f1 >build/known.txt
cb bank create known --data "$data" --description "demo list (synthetic images)"
cb bank create benign --allowlist --data "$data" --description "collision-prone benign images"
cb bank import known build/known.txt --data "$data" --source-org example-hotline --classification B1
cb hash pdq build/sample/sample-06.jpg | cut -f1 | cb bank import benign - --data "$data"
cb bank list --data "$data"
echo "== every sample image against the banks (--all also prints non-matches)" >&2
cb match pdq --all build/sample --data "$data"
echo "== 10,000 query hashes against a generated list of 1,000,000 (exact, threshold 31)" >&2
build/chainbreak-gen-hashes 1000000 10000 1 build/demo-list.txt build/demo-queries.txt
cb match pdq --hashes build/demo-list.txt -t 31 --stats build/demo-queries.txt >build/demo-matches.tsv
head -n 5 build/demo-matches.tsv
echo "... $(wc -l <build/demo-matches.tsv) matches in build/demo-matches.tsv (<query line>, <list line>, <distance>)"
echo "== the service: chainbreak serve on the same data directory, through real HTTP" >&2
tok=$(build/chainbreak token create "demo-admin-$$" --role admin --data "$data")
build/chainbreak serve --data "$data" --listen 127.0.0.1:0 2>build/serve.log &
serve_pid=$!
trap 'kill $serve_pid 2>/dev/null || true' EXIT
for _ in $(seq 300); do grep -q "listening on" build/serve.log && break; sleep 0.1; done
base="http://127.0.0.1:$(sed -n 's/.*listening on http:\/\/127.0.0.1:\([0-9]*\).*/\1/p' build/serve.log)"
api() { echo "\$ curl $1 $2" >&2; curl -sS -X "$1" -H "Authorization: Bearer $tok" "${@:3}" "$base$2"; echo; }
api POST /v1/rules -H 'Content-Type: application/json' \
  -d '{"name":"block-known","bank":"known","max_distance":31,"action":"block"}'
api POST "/v1/match?content_id=demo-01" -H 'Content-Type: image/jpeg' --data-binary @build/sample/sample-01.jpg
api POST "/v1/match?content_id=demo-02" -H "Content-Type: image/png" --data-binary @build/sample/sample-02.png
api POST "/v1/match?content_id=demo-06" -H 'Content-Type: image/jpeg' --data-binary @build/sample/sample-06.jpg
api GET "/v1/decisions?limit=5"
kill -TERM "$serve_pid"
wait "$serve_pid"
trap - EXIT
echo "service stopped; API reference: docs/openapi.json, HMA routes: docs/HMA.md" >&2
