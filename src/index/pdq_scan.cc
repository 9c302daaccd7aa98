#include "index/pdq_scan.h"

#include <algorithm>

#if defined(__AVX512F__) && defined(__AVX512VPOPCNTDQ__)
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// undefined-vector idiom (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define CHAINBREAK_SCAN_AVX512 1
#endif

namespace chainbreak::index {
namespace {

// Hashes per block: 256 x 32 bytes = 8 KiB, which stays in L1 while every
// query of the batch passes over it.
constexpr size_t kBlock = 256;

#ifdef CHAINBREAK_SCAN_AVX512
// Appends the hits of q among h[0..n) (positions offset by base).
inline void scan_block(const pdq::Hash256* h, size_t n, const pdq::Hash256& q, int t, uint32_t qi, uint32_t base,
                       std::vector<ScanHit>* out) {
  const __m512i qq = _mm512_broadcast_i64x4(_mm256_loadu_si256(reinterpret_cast<const __m256i*>(q.words.data())));
  size_t i = 0;
  // Eight hashes per step: four registers of two hashes, popcounts summed
  // per 256-bit half with a horizontal reduction done by permutes.
  for (; i + 8 <= n; i += 8) {
    const auto* p = reinterpret_cast<const __m512i*>(h + i);
    __m512i c0 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 0), qq));
    __m512i c1 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 1), qq));
    __m512i c2 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 2), qq));
    __m512i c3 = _mm512_popcnt_epi64(_mm512_xor_si512(_mm512_loadu_si512(p + 3), qq));
    // Per-hash sums of the four word popcounts. With hashes h0..h7 and
    // c0 = [h0 words | h1 words], c1 = [h2 | h3], c2 = [h4 | h5], c3 = [h6 | h7]:
    //   s01 = [h0w01 h2w01 h0w23 h2w23 | h1w01 h3w01 h1w23 h3w23] (unpack within 128-bit lanes)
    //   s23 = the same for h4..h7
    //   lo  = [h0w01 h4w01 h0w23 h4w23 | h1w01 h5w01 h1w23 h5w23], hi likewise for h2,h6,h3,h7
    //   swapping 128-bit halves and adding gives [h0 h4 h0 h4 | h1 h5 h1 h5] and [h2 h6 h2 h6 | h3 h7 h3 h7]
    //   a two-source permute keeps lanes 0,1,4,5 of each: [h0 h4 h1 h5 h2 h6 h3 h7].
    const __m512i s01 = _mm512_add_epi64(_mm512_unpacklo_epi64(c0, c1), _mm512_unpackhi_epi64(c0, c1));
    const __m512i s23 = _mm512_add_epi64(_mm512_unpacklo_epi64(c2, c3), _mm512_unpackhi_epi64(c2, c3));
    const __m512i lo = _mm512_unpacklo_epi64(s01, s23);
    const __m512i hi = _mm512_unpackhi_epi64(s01, s23);
    const __m512i t_lo = _mm512_add_epi64(lo, _mm512_shuffle_i64x2(lo, lo, _MM_SHUFFLE(2, 3, 0, 1)));
    const __m512i t_hi = _mm512_add_epi64(hi, _mm512_shuffle_i64x2(hi, hi, _MM_SHUFFLE(2, 3, 0, 1)));
    const __m512i tot = _mm512_permutex2var_epi64(t_lo, _mm512_setr_epi64(0, 1, 4, 5, 8, 9, 12, 13), t_hi);
    const __mmask8 m = _mm512_cmple_epi64_mask(tot, _mm512_set1_epi64(t));
    if (m) {
      alignas(64) int64_t d[8];
      _mm512_store_si512(reinterpret_cast<__m512i*>(d), tot);
      static constexpr uint32_t kLaneHash[8] = {0, 4, 1, 5, 2, 6, 3, 7};
      static constexpr int kHashLane[8] = {0, 2, 4, 6, 1, 3, 5, 7};
      for (uint32_t j = 0; j < 8; ++j) {  // in position order
        const int lane = kHashLane[j];
        if (m & (1u << lane)) out->push_back({qi, base + static_cast<uint32_t>(i) + kLaneHash[lane], int(d[lane])});
      }
    }
  }
  for (; i < n; ++i) {
    const int d = pdq::hamming_distance(h[i], q);
    if (d <= t) out->push_back({qi, base + static_cast<uint32_t>(i), d});
  }
}
#else
inline void scan_block(const pdq::Hash256* h, size_t n, const pdq::Hash256& q, int t, uint32_t qi, uint32_t base,
                       std::vector<ScanHit>* out) {
  for (size_t i = 0; i < n; ++i) {
    const int d = pdq::hamming_distance(h[i], q);
    if (d <= t) out->push_back({qi, base + static_cast<uint32_t>(i), d});
  }
}
#endif

}  // namespace

void scan(std::span<const pdq::Hash256> hashes, std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
          std::vector<ScanHit>* out) {
  const size_t first = out->size();
  for (size_t b = 0; b < hashes.size(); b += kBlock) {
    const size_t n = std::min(kBlock, hashes.size() - b);
    for (size_t q = 0; q < queries.size(); ++q) {
      if (thresholds[q] < 0) continue;
      scan_block(hashes.data() + b, n, queries[q], thresholds[q], static_cast<uint32_t>(q), static_cast<uint32_t>(b),
                 out);
    }
  }
  // Blocks visit queries in turn; restore (query, pos) order.
  if (queries.size() > 1) {
    std::stable_sort(out->begin() + static_cast<std::ptrdiff_t>(first), out->end(),
                     [](const ScanHit& a, const ScanHit& b) { return a.query < b.query; });
  }
}

void scan_reference(std::span<const pdq::Hash256> hashes, std::span<const pdq::Hash256> queries,
                    std::span<const int> thresholds, std::vector<ScanHit>* out) {
  for (size_t q = 0; q < queries.size(); ++q) {
    for (size_t i = 0; i < hashes.size(); ++i) {
      int d = 0;
      for (int k = 0; k < 256; ++k) d += hashes[i].bit(k) != queries[q].bit(k);
      if (d <= thresholds[q]) out->push_back({static_cast<uint32_t>(q), static_cast<uint32_t>(i), d});
    }
  }
}

}  // namespace chainbreak::index
