#include "index/mih_segment.h"

#include <algorithm>
#include <array>
#include <bit>
#include <thread>

#include "index/mih_internal.h"
#include "index/pdq_scan.h"

namespace chainbreak::index {
using namespace internal;
namespace {

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
  thread_local std::vector<ScanHit> raw;
  raw.clear();
  scan(hashes_.span(), std::span(&q, 1), std::span(&t, 1), &raw);
  for (const ScanHit& h : raw) {
    if (!is_removed(h.pos)) out->push_back({ids_[h.pos], h.distance});
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
