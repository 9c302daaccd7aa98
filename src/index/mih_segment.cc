#include "index/mih_segment.h"

#include <algorithm>
#include <array>
#include <bit>
#include <thread>

#if defined(__AVX512BW__) && defined(__AVX512BITALG__)
// GCC 12's AVX-512 headers trip -Wmaybe-uninitialized on their own
// undefined-vector idiom (GCC bug 105593).
#if defined(__GNUC__) && !defined(__clang__)
#pragma GCC diagnostic ignored "-Wmaybe-uninitialized"
#endif
#include <immintrin.h>
#define CHAINBREAK_MIH_AVX512 1
#endif

namespace chainbreak::index {
namespace {

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
const MaskTable& masks() {
  static const MaskTable table;
  return table;
}

// Estimated nanoseconds: a bucket probe (directory read, likely a cache
// miss), a partner check (SIMD, streamed), a full-hash scan step.
constexpr double kProbeNs = 12.0;
constexpr double kPartnerNs = 0.12;
constexpr double kScanNs = 0.5;

std::array<SearchPlan, 257> make_plans() {
  std::array<SearchPlan, 257> plans{};
  for (int t = 0; t <= 256; ++t) {
    SearchPlan& p = plans[t];
    const int total = t - 7;  // sum of chunk budgets needed
    if (total < 0) {
      // z chunks with budget 0, the rest skipped (-1): -(8 - z) >= t - 7.
      const int z = t + 1;
      for (int c = 0; c < 8; ++c) p.tau[c] = c < z ? 0 : -1;
    } else {
      for (int c = 0; c < 8; ++c) p.tau[c] = total / 8 + (c < total % 8 ? 1 : 0);
    }
    double probes = 0;
    for (int c = 0; c < 8; ++c) {
      int ra = -1, rb = -1;
      if (p.tau[c] >= 0) {
        const int s = p.tau[c] - 1;  // r_a + r_b >= s
        ra = s < 0 ? 0 : (s + 1) / 2;
        rb = s < 0 ? -1 : s - ra;
      }
      p.r[2 * c] = std::min(ra, 16);
      p.r[2 * c + 1] = std::min(rb, 16);
      for (int k = 2 * c; k <= 2 * c + 1; ++k) {
        for (int j = 0; j <= p.r[k]; ++j) probes += static_cast<double>(masks().by_weight[j].size());
      }
    }
    p.cost = probes;
  }
  return plans;
}

}  // namespace

const SearchPlan& plan_for(int t) {
  static const std::array<SearchPlan, 257> plans = make_plans();
  return plans[std::clamp(t, 0, 256)];
}

void MihSegment::init_tombstones() {
  const size_t words = (size() + 63) / 64 + 1;
  tomb_ = std::make_unique<std::atomic<uint64_t>[]>(words);
  for (size_t i = 0; i < words; ++i) tomb_[i].store(0, std::memory_order_relaxed);
}

std::shared_ptr<MihSegment> MihSegment::build(std::span<const pdq::Hash256> hashes, std::span<const uint64_t> ids,
                                              int threads) {
  std::shared_ptr<MihSegment> s(new MihSegment());
  const size_t n = hashes.size();
  s->hashes_ = Buffer<pdq::Hash256>(n);
  s->ids_ = Buffer<uint64_t>(n);
  std::copy(hashes.begin(), hashes.end(), s->hashes_.data());
  std::copy(ids.begin(), ids.end(), s->ids_.data());
  s->init_tombstones();
  if (n < kMinTableSize) return s;
  s->has_tables_ = true;
  s->dir_ = Buffer<uint32_t>(size_t{kTables} * (kBuckets + 1));
  s->partner_ = Buffer<uint16_t>(size_t{kTables} * n);
  s->pos_ = Buffer<uint32_t>(size_t{kTables} * n);
  threads = std::clamp(threads, 1, 8);
  std::vector<std::thread> pool;
  for (int w = 0; w < threads; ++w) {
    auto work = [&s, n, w, threads] {
      Buffer<uint64_t> a(n), b(n);  // radix scratch, per thread
      for (int c = w; c < 8; c += threads) s->build_chunk(c, &a, &b);
    };
    if (threads == 1) {
      work();
    } else {
      pool.emplace_back(work);
    }
  }
  for (auto& th : pool) th.join();
  return s;
}

// Tables 2c and 2c+1: the positions sorted by one half of chunk c, with the
// other half alongside. Each sort is two stable 8-bit LSD radix passes over
// (chunk value << 32 | position), which stream through memory instead of
// scattering into 65,536 buckets at once.
void MihSegment::build_chunk(int c, Buffer<uint64_t>* a, Buffer<uint64_t>* b) {
  const size_t n = size();
  for (int half = 0; half < 2; ++half) {
    const int k = 2 * c + half;
    const int shift = 32 + 16 * half;  // the key's bits in a tuple
    uint64_t* src = a->data();
    uint64_t* dst = b->data();
    std::vector<uint32_t> lo(257, 0), hi(257, 0);
    uint32_t* dir = dir_.data() + size_t(k) * (kBuckets + 1);
    std::fill(dir, dir + kBuckets + 1, 0);
    for (size_t i = 0; i < n; ++i) {
      const uint64_t chunk = static_cast<uint32_t>(hashes_[i].words[c >> 1] >> ((c & 1) * 32));
      const uint64_t tuple = chunk << 32 | i;
      src[i] = tuple;
      const uint32_t key = static_cast<uint32_t>(tuple >> shift) & 0xFFFF;
      ++lo[(key & 0xFF) + 1];
      ++hi[(key >> 8) + 1];
      ++dir[key + 1];
    }
    for (int v = 0; v < 256; ++v) {
      lo[v + 1] += lo[v];
      hi[v + 1] += hi[v];
    }
    for (uint32_t v = 0; v < kBuckets; ++v) dir[v + 1] += dir[v];
    for (size_t i = 0; i < n; ++i) dst[lo[(src[i] >> shift) & 0xFF]++] = src[i];
    for (size_t i = 0; i < n; ++i) src[hi[(dst[i] >> (shift + 8)) & 0xFF]++] = dst[i];
    uint16_t* partner = partner_.data() + size_t(k) * n;
    uint32_t* pos = pos_.data() + size_t(k) * n;
    const int other = 32 + 16 * (1 - half);
    for (size_t i = 0; i < n; ++i) {
      partner[i] = static_cast<uint16_t>(src[i] >> other);
      pos[i] = static_cast<uint32_t>(src[i]);
    }
  }
}

bool MihSegment::use_scan(const SearchPlan& plan) const {
  if (!has_tables_) return true;
  const double per_bucket = static_cast<double>(size()) / kBuckets;
  const double mih = plan.cost * (kProbeNs + per_bucket * kPartnerNs);
  return mih >= static_cast<double>(size()) * kScanNs;
}

void MihSegment::search_scan(const pdq::Hash256& q, int t, std::vector<Hit>* out) const {
  if (t < 0) return;
  for (size_t i = 0; i < size(); ++i) {
    const int d = pdq::hamming_distance(hashes_[i], q);
    if (d <= t && !is_removed(i)) out->push_back({ids_[i], d});
  }
}

namespace {

// The first (chunk, sub-key) of the plan that finds x: the one allowed to
// report it.
int first_finder(const pdq::Hash256& x, const pdq::Hash256& q, const SearchPlan& plan) {
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

}  // namespace

// Search in three passes so that memory latency overlaps: (1) read the
// directory for every probe and prefetch the partner lists, (2) filter the
// partner lists and prefetch the survivors' positions, (3) fetch the
// survivors' hashes and verify them.
void MihSegment::search(const pdq::Hash256& q, int t, std::vector<Hit>* out, Mode mode) const {
  if (t < 0) return;
  const SearchPlan& plan = plan_for(t);
  if (t > 256 || !has_tables_ || mode == Mode::kScan || (mode == Mode::kAuto && use_scan(plan))) {
    return search_scan(q, t, out);
  }
  struct Probe {
    uint32_t start, len;
    uint16_t qp;
    int8_t limit, k;
  };
  struct Candidate {
    uint32_t pos;
    int k;
  };
  thread_local std::vector<Probe> probes;
  thread_local std::vector<uint32_t> hits;
  thread_local std::vector<Candidate> cands;
  probes.clear();
  cands.clear();
  const size_t n = size();
  for (int c = 0; c < 8; ++c) {
    const int tau = plan.tau[c];
    if (tau < 0) continue;
    for (int k = 2 * c; k <= 2 * c + 1; ++k) {
      const int r = plan.r[k];
      if (r < 0) continue;
      const uint32_t* dir = dir_.data() + size_t(k) * (kBuckets + 1);
      const uint16_t* partner = partner_.data() + size_t(k) * n;
      const uint32_t qk = sub_key(q, k);
      const auto qp = static_cast<uint16_t>(sub_key(q, k ^ 1));
      for (int j = 0; j <= r; ++j) {
        for (uint16_t mask : masks().by_weight[j]) {
          const uint32_t v = qk ^ mask;
          const uint32_t s = dir[v], e = dir[v + 1];
          if (s == e) continue;
          __builtin_prefetch(partner + s);
          probes.push_back({s, e - s, qp, static_cast<int8_t>(tau - j), static_cast<int8_t>(k)});
        }
      }
    }
  }
  for (const Probe& pr : probes) {
    const size_t base = size_t(pr.k) * n + pr.start;
    hits.clear();
    filter_partners(partner_.data() + base, pr.len, pr.qp, pr.limit, &hits);
    for (uint32_t h : hits) {
      __builtin_prefetch(pos_.data() + base + h);
      cands.push_back({static_cast<uint32_t>(base + h), pr.k});
    }
  }
  for (Candidate& c : cands) {
    c.pos = pos_[c.pos];
    __builtin_prefetch(hashes_.data() + c.pos);
  }
  for (const Candidate& c : cands) {
    const int d = pdq::hamming_distance(hashes_[c.pos], q);
    if (d > t || is_removed(c.pos) || first_finder(hashes_[c.pos], q, plan) != c.k) continue;
    out->push_back({ids_[c.pos], d});
  }
}

size_t MihSegment::remove(uint64_t id, const pdq::Hash256& h) {
  size_t count = 0;
  auto try_pos = [&](size_t p) {
    if (ids_[p] != id || !(hashes_[p] == h)) return;
    const uint64_t bit = uint64_t{1} << (p & 63);
    if (!(tomb_[p >> 6].fetch_or(bit, std::memory_order_acq_rel) & bit)) {
      ++count;
      removed_.fetch_add(1, std::memory_order_relaxed);
    }
  };
  if (!has_tables_) {
    for (size_t p = 0; p < size(); ++p) try_pos(p);
    return count;
  }
  // Every copy of h has the same sub-key 0: one bucket.
  const uint32_t* dir = dir_.data();
  const uint32_t v = sub_key(h, 0);
  for (uint32_t i = dir[v]; i < dir[v + 1]; ++i) try_pos(pos_[i]);
  return count;
}

size_t MihSegment::memory_bytes() const {
  return hashes_.bytes() + ids_.bytes() + dir_.bytes() + partner_.bytes() + pos_.bytes() +
         ((size() + 63) / 64 + 1) * sizeof(uint64_t);
}

}  // namespace chainbreak::index
