#!/usr/bin/env bash
# PDQ index benchmark (issue 3), side by side in one run with Debian's FAISS
# (python3-faiss, IndexBinaryMultiHash 16x16 with nflip = t/16, as HMA uses
# it). Random hash lists, queries half planted 0..31 bits from a listed hash
# and half random, single thread. Both tools read the same files and print
# the same `<query line>\t<list line>\t<distance>` lines; the script checks
# that the outputs are identical on the queries both ran (100% recall
# against an exact peer) and prints medians and ratios.
#   bench/run_index_bench.sh [BUILD_DIR] [SIZES...]   (default: build 1000000 10000000)
# Environment: CHAINBREAK_BENCH_REPS (3), QUERIES (20000), FAISS_QUERIES
# (1000 at <= 1M hashes, 200 above), THRESHOLDS ("31 48"), FAISS=0 to skip
# the peer (e.g. at 100M, where it would need hours).
set -euo pipefail
cd "$(dirname "$0")/.."
build=${1:-build}
shift || true
sizes=("$@")
[ ${#sizes[@]} -gt 0 ] || sizes=(1000000 10000000)
reps=${CHAINBREAK_BENCH_REPS:-3}
queries=${QUERIES:-20000}
thresholds=${THRESHOLDS:-31 48}
scripts/install-deps.sh --bench
cmake -S . -B "$build" -DCMAKE_BUILD_TYPE=Release -DCHAINBREAK_BENCHMARKS=ON >/dev/null
cmake --build "$build" -j"$(nproc)" --target chainbreak chainbreak-gen-hashes bench_index >/dev/null
data="$build/bench-hashes"
mkdir -p "$data"
median() { sort -g | awk '{a[NR]=$1} END{print (NR%2 ? a[(NR+1)/2] : (a[NR/2]+a[NR/2+1])/2)}'; }
stat() { sed -n "s/.*$1=\([0-9.]*\).*/\1/p" "$2" | tail -1; }

echo "machine: $(nproc) cores, $(grep -m1 'model name' /proc/cpuinfo | cut -d: -f2 | xargs), $(free -g | awk '/Mem:/{print $2}') GiB"
echo "| hashes | t | tool | build s | lookups/s (median of $reps) | max RSS MiB | ratio | outputs |"
echo "|---|---|---|---|---|---|---|---|"
for n in "${sizes[@]}"; do
  list="$data/list-$n.txt"
  qfile="$data/queries-$n.txt"
  [ -s "$qfile" ] || "$build/chainbreak-gen-hashes" "$n" "$queries" 20261123 "$list" "$qfile"
  fq=${FAISS_QUERIES:-$([ "$n" -le 1000000 ] && echo 1000 || echo 200)}
  head -n "$fq" "$qfile" >"$data/queries-$n-faiss.txt"
  for t in $thresholds; do
    rates=() builds=()
    for _ in $(seq "$reps"); do
      /usr/bin/time -f "rss_kb=%M" "$build/chainbreak" match pdq --hashes "$list" -t "$t" --jobs 1 --stats \
        --no-progress "$qfile" >"$data/ours.out" 2>"$data/ours.err"
      qs=$(stat query_s "$data/ours.err")
      rates+=("$(awk -v q="$queries" -v s="$qs" 'BEGIN{printf "%.0f", q/s}')")
      builds+=("$(stat build_s "$data/ours.err")")
    done
    ours=$(printf '%s\n' "${rates[@]}" | median)
    ours_build=$(printf '%s\n' "${builds[@]}" | median)
    ours_rss=$(( $(stat rss_kb "$data/ours.err") / 1024 ))
    echo "| $n | $t | chainbreak match | $ours_build | $ours | $ours_rss | | |"
    if [ "${FAISS:-1}" = 1 ]; then
      /usr/bin/time -f "rss_kb=%M" /usr/bin/python3 bench/faiss_match.py "$list" "$data/queries-$n-faiss.txt" "$t" \
        multihash >"$data/faiss.out" 2>"$data/faiss.err"
      fs=$(stat query_s "$data/faiss.err")
      faiss_rate=$(awk -v q="$fq" -v s="$fs" 'BEGIN{printf "%.1f", q/s}')
      faiss_rss=$(( $(stat rss_kb "$data/faiss.err") / 1024 ))
      awk -F'\t' -v k="$fq" '$1 < k' "$data/ours.out" >"$data/ours-common.out"
      same=$(cmp -s "$data/ours-common.out" "$data/faiss.out" && echo "identical ($(wc -l <"$data/faiss.out") matches on $fq queries)" || echo "DIFFER")
      echo "| $n | $t | FAISS MultiHash 16x16 (peer, $fq queries) | $(stat build_s "$data/faiss.err") | $faiss_rate | $faiss_rss | $(awk -v a="$ours" -v b="$faiss_rate" 'BEGIN{printf "%.0fx", a/b}') | $same |"
    fi
  done
done
echo
echo "index internals (bench_index: build, lookups, updates while a reader searches, snapshot):"
for n in "${sizes[@]}"; do
  "$build/bench/bench_index" --n "$n" --queries "$queries" --thresholds "31" --updates 300000 --snapshot "$data"
done
