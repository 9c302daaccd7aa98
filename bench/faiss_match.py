#!/usr/bin/python3
"""The peer for bench/run_index_bench.sh: Debian's FAISS (python3-faiss)
matching a file of query hashes against a hash list, the way Meta's HMA does
(IndexBinaryMultiHash, 16 substrings of 16 bits, nflip = threshold // 16),
or with IndexBinaryFlat (exhaustive) for comparison.

usage: faiss_match.py LIST QUERIES THRESHOLD [multihash|flat] [MAX_QUERIES]
Prints `<query line>\t<list line>\t<distance>` per match (as `chainbreak
match pdq --hashes`) and a last line on stderr:
`stats build_s=<s> query_s=<s> queries=<n> matches=<m>`.
Assumes the files hold one hash per line (no comments), as the benchmark
generator writes them."""
import sys
import time

import faiss
import numpy as np


def load(path, limit=None):
    with open(path, "r") as f:
        lines = f.read().split()
    if limit is not None:
        lines = lines[:limit]
    # PDQ hex is the hash as one big-endian number; FAISS only needs a
    # consistent byte order for both sides.
    return np.frombuffer(bytes.fromhex("".join(lines)), dtype=np.uint8).reshape(len(lines), 32)


def main():
    list_path, query_path, t = sys.argv[1], sys.argv[2], int(sys.argv[3])
    kind = sys.argv[4] if len(sys.argv) > 4 else "multihash"
    limit = int(sys.argv[5]) if len(sys.argv) > 5 else None
    faiss.omp_set_num_threads(1)
    t0 = time.perf_counter()
    data = load(list_path)
    if kind == "multihash":
        index = faiss.IndexBinaryMultiHash(256, 16, 16)
        index.nflip = t // 16
    else:
        index = faiss.IndexBinaryFlat(256)
    index.add(data)
    build_s = time.perf_counter() - t0
    queries = load(query_path, limit)
    t0 = time.perf_counter()
    lims, dist, ids = index.range_search(queries, t + 1)  # FAISS: distance < radius
    query_s = time.perf_counter() - t0
    out = []
    for q in range(len(queries)):
        hits = sorted(zip(ids[lims[q]:lims[q + 1]].tolist(), dist[lims[q]:lims[q + 1]].tolist()))
        out.extend(f"{q}\t{i}\t{int(d)}\n" for i, d in hits)
    sys.stdout.write("".join(out))
    sys.stdout.flush()
    print(f"stats build_s={build_s:.3f} query_s={query_s:.3f} queries={len(queries)} matches={len(out)}",
          file=sys.stderr)


if __name__ == "__main__":
    main()
