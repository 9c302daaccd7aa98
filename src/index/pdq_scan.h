// Brute-force PDQ range search: compares a query with every hash of an
// array. Two roles: the oracle the index is tested against (scan_reference:
// the plainest possible loop), and the fallback for large thresholds and the
// small unsealed tail of an index (scan: SIMD popcount, several queries per
// pass over the data so that the data is read from memory once per batch).
//
// Thread-safety: pure functions over caller-owned memory.
#pragma once

#include <cstddef>
#include <cstdint>
#include <span>
#include <vector>

#include "signals/pdq/hash256.h"

namespace chainbreak::index {

// One hit of a range search: the position in the searched array (or, at the
// index level, the caller's id) and the Hamming distance.
struct ScanHit {
  uint32_t query = 0;  // position of the query in the batch
  uint32_t pos = 0;    // position in the hash array
  int distance = 0;
};

// Appends to *out every (query, pos) with distance(queries[q], hashes[pos])
// <= thresholds[q] (thresholds 0..256; a negative threshold matches
// nothing), ordered by query then pos. thresholds.size() == queries.size().
void scan(std::span<const pdq::Hash256> hashes, std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
          std::vector<ScanHit>* out);

// The same result from the plainest loop (for tests).
void scan_reference(std::span<const pdq::Hash256> hashes, std::span<const pdq::Hash256> queries,
                    std::span<const int> thresholds, std::vector<ScanHit>* out);

}  // namespace chainbreak::index
