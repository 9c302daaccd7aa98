// Generators for index tests: random hashes and near-duplicates.
#pragma once

#include <algorithm>
#include <numeric>
#include <random>
#include <vector>

#include "index/mih_segment.h"
#include "signals/pdq/hash256.h"

namespace chainbreak::index::test {

inline pdq::Hash256 random_hash(std::mt19937_64& rng) {
  pdq::Hash256 h;
  for (auto& w : h.words) w = rng();
  return h;
}

// h with exactly k distinct bits flipped.
inline pdq::Hash256 flip_bits(pdq::Hash256 h, int k, std::mt19937_64& rng) {
  std::vector<int> bits(256);
  std::iota(bits.begin(), bits.end(), 0);
  for (int i = 0; i < k; ++i) {
    const int j = i + static_cast<int>(rng() % static_cast<uint64_t>(256 - i));
    std::swap(bits[i], bits[j]);
    h.words[bits[i] >> 6] ^= uint64_t{1} << (bits[i] & 63);
  }
  return h;
}

inline std::vector<Hit> sorted(std::vector<Hit> v) {
  std::sort(v.begin(), v.end(),
            [](const Hit& a, const Hit& b) { return a.id != b.id ? a.id < b.id : a.distance < b.distance; });
  return v;
}

}  // namespace chainbreak::index::test
