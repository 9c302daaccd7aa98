// Internals shared by the MihSegment build and search code: sub-key
// extraction, the masks of each weight, the partner filter. Not a public
// interface.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <vector>

#if defined(__AVX512BW__) && defined(__AVX512BITALG__)
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// undefined-vector idiom (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define CHAINBREAK_MIH_AVX512 1
#endif

#include "index/mih_segment.h"

namespace chainbreak::index::internal {

constexpr int kTables = 16;
constexpr uint32_t kBuckets = 65536;

inline uint32_t sub_key(const pdq::Hash256& h, int k) {
  return static_cast<uint32_t>(h.words[k >> 2] >> ((k & 3) * 16)) & 0xFFFF;
}
inline int chunk_distance(const pdq::Hash256& a, const pdq::Hash256& b, int c) {
  const uint64_t x = (a.words[c >> 1] ^ b.words[c >> 1]) >> ((c & 1) * 32);
  return std::popcount(static_cast<uint32_t>(x));
}

// All 16-bit masks grouped by popcount.
struct MaskTable {
  std::array<std::vector<uint16_t>, 17> by_weight;
  MaskTable() {
    for (uint32_t m = 0; m < kBuckets; ++m) by_weight[std::popcount(m)].push_back(static_cast<uint16_t>(m));
  }
};
inline const MaskTable& masks() {
  static const MaskTable table;
  return table;
}

// Partners prefetched per bucket before filtering: the whole bucket in
// practice (about 150 entries at 10M). Prefetching only the first 64 and
// leaving the rest to the hardware prefetcher cost ~10% of the lookup
// rate at 10M (bench_index, alternating runs: 24,200 vs 27,200 lookups/s).
constexpr uint32_t kPrefetchPartners = 512;

// The first (chunk, sub-key) of the plan that finds x: the one allowed to
// report it.
inline int first_finder(const pdq::Hash256& x, const pdq::Hash256& q, const SearchPlan& plan) {
  for (int c = 0; c < 8; ++c) {
    if (plan.tau[c] < 0 || chunk_distance(x, q, c) > plan.tau[c]) continue;
    for (int k = 2 * c; k <= 2 * c + 1; ++k) {
      if (plan.r[k] >= 0 && std::popcount(sub_key(x, k) ^ sub_key(q, k)) <= plan.r[k]) return k;
    }
  }
  return -1;
}

// Positions i in [0, n) with popcount(partner[i] ^ qp) <= limit, appended to hits.
inline void filter_partners(const uint16_t* partner, uint32_t n, uint16_t qp, int limit, std::vector<uint32_t>* hits) {
#ifdef CHAINBREAK_MIH_AVX512
  const __m512i vq = _mm512_set1_epi16(static_cast<short>(qp));
  const __m512i vl = _mm512_set1_epi16(static_cast<short>(limit));
  uint32_t i = 0;
  for (; i < n; i += 32) {
    const uint32_t left = n - i;
    const __mmask32 load = left >= 32 ? ~__mmask32{0} : static_cast<__mmask32>((uint64_t{1} << left) - 1);
    const __m512i v = _mm512_maskz_loadu_epi16(load, partner + i);
    const __m512i pc = _mm512_popcnt_epi16(_mm512_xor_si512(v, vq));
    uint32_t m = _mm512_mask_cmple_epu16_mask(load, pc, vl);
    while (m) {
      hits->push_back(i + static_cast<uint32_t>(std::countr_zero(m)));
      m &= m - 1;
    }
  }
#else
  for (uint32_t i = 0; i < n; ++i) {
    if (std::popcount(static_cast<uint32_t>(partner[i] ^ qp)) <= limit) hits->push_back(i);
  }
#endif
}

}  // namespace chainbreak::index::internal
