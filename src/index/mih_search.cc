// MihSegment searches, in stages so that memory latency overlaps:
//   buckets: every bucket to visit, its directory entry prefetched;
//   ranges:  bucket ranges read, the first partners of each prefetched;
//   verify:  partners filtered (survivors' positions prefetched), then the
//            survivors' hashes fetched and compared in full.
// search() runs the stages back to back; search_many() pipelines them
// across consecutive queries (buckets of i+2, ranges of i+1, verify of i).
#include <algorithm>

#include "index/mih_internal.h"
#include "index/mih_segment.h"

namespace chainbreak::index {
using namespace internal;

struct MihSegment::Work {
  struct Probe {
    uint32_t start, len;  // bucket value, then range in the table
    uint16_t qp;          // the query's partner sub-key
    int8_t limit, k;      // partner distance allowed; table
  };
  struct Candidate {
    uint32_t pos;  // index into the table's arrays, then entry position
    int k;
  };
  std::vector<Probe> probes;
  std::vector<uint32_t> hits;
  std::vector<Candidate> cands;
};

void MihSegment::stage_buckets(const pdq::Hash256& q, const SearchPlan& plan, Work& w) const {
  w.probes.clear();
  w.cands.clear();
  for (int c = 0; c < 8; ++c) {
    const int tau = plan.tau[c];
    if (tau < 0) continue;
    for (int k = 2 * c; k <= 2 * c + 1; ++k) {
      const int r = plan.r[k];
      if (r < 0) continue;
      const uint32_t* dir = dir_.data() + size_t(k) * (kBuckets + 1);
      const uint32_t qk = sub_key(q, k);
      const auto qp = static_cast<uint16_t>(sub_key(q, k ^ 1));
      for (int j = 0; j <= r; ++j) {
        for (uint16_t mask : masks().by_weight[j]) {
          const uint32_t v = qk ^ mask;
          __builtin_prefetch(dir + v);
          w.probes.push_back({v, 0, qp, static_cast<int8_t>(tau - j), static_cast<int8_t>(k)});
        }
      }
    }
  }
}

void MihSegment::stage_ranges(Work& w) const {
  const size_t n = size();
  size_t kept = 0;
  for (const Work::Probe& pr : w.probes) {
    const uint32_t* dir = dir_.data() + size_t(pr.k) * (kBuckets + 1);
    const uint32_t s = dir[pr.start], e = dir[pr.start + 1];
    if (s == e) continue;
    const uint16_t* first = partner_.data() + size_t(pr.k) * n + s;
    // Into L2 only (prefetcht2): the partners are read once, a stage
    // later, and keeping them out of L1 leaves its fill buffers to the
    // directory and candidate loads (bench_index at 10M, alternating
    // runs: 40-45k lookups/s with prefetcht0, 46-51k with prefetcht2).
    for (uint32_t off = 0; off < std::min<uint32_t>(e - s, kPrefetchPartners); off += 32)
      __builtin_prefetch(first + off, 0, 1);
    w.probes[kept++] = {s, e - s, pr.qp, pr.limit, pr.k};
  }
  w.probes.resize(kept);
}

void MihSegment::stage_verify(const pdq::Hash256& q, int t, const SearchPlan& plan, Work& w,
                              std::vector<Hit>* out) const {
  const size_t n = size();
  for (const Work::Probe& pr : w.probes) {
    const size_t base = size_t(pr.k) * n + pr.start;
    w.hits.clear();
    filter_partners(partner_.data() + base, pr.len, pr.qp, pr.limit, &w.hits);
    for (uint32_t h : w.hits) {
      __builtin_prefetch(pos_.data() + base + h);
      w.cands.push_back({static_cast<uint32_t>(base + h), pr.k});
    }
  }
  for (Work::Candidate& c : w.cands) {
    c.pos = pos_[c.pos];
    __builtin_prefetch(hashes_.data() + c.pos);
  }
  for (const Work::Candidate& c : w.cands) {
    const int d = pdq::hamming_distance(hashes_[c.pos], q);
    if (d > t || is_removed(c.pos) || first_finder(hashes_[c.pos], q, plan) != c.k) continue;
    out->push_back({ids_[c.pos], d});
  }
}

void MihSegment::search(const pdq::Hash256& q, int t, std::vector<Hit>* out, Mode mode) const {
  if (t < 0) return;
  const SearchPlan& plan = plan_for(t);
  if (t > 256 || !has_tables_ || mode == Mode::kScan || (mode == Mode::kAuto && use_scan(plan))) {
    return search_scan(q, t, out);
  }
  thread_local Work w;
  stage_buckets(q, plan, w);
  stage_ranges(w);
  stage_verify(q, t, plan, w, out);
}

void MihSegment::search_many(std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
                             std::vector<std::vector<Hit>>* out) const {
  // Queries answered by scanning (or not at all) go first; the rest through
  // the pipeline.
  thread_local std::vector<uint32_t> piped;
  piped.clear();
  for (size_t i = 0; i < queries.size(); ++i) {
    const int t = thresholds[i];
    if (t < 0) continue;
    if (t > 256 || !has_tables_ || use_scan(plan_for(t))) {
      search_scan(queries[i], t, &(*out)[i]);
    } else {
      piped.push_back(static_cast<uint32_t>(i));
    }
  }
  thread_local Work ring[3];
  const size_t m = piped.size();
  for (size_t step = 0; step < m + 2; ++step) {
    if (step < m) {
      const uint32_t i = piped[step];
      stage_buckets(queries[i], plan_for(thresholds[i]), ring[step % 3]);
    }
    if (step >= 1 && step - 1 < m) stage_ranges(ring[(step - 1) % 3]);
    if (step >= 2) {
      const uint32_t i = piped[step - 2];
      stage_verify(queries[i], thresholds[i], plan_for(thresholds[i]), ring[(step - 2) % 3], &(*out)[i]);
    }
  }
}

}  // namespace chainbreak::index
