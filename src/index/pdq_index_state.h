// PdqIndex's internal state, shared by pdq_index.cc and pdq_snapshot.cc.
// Not part of the public interface.
#pragma once

#include <atomic>
#include <memory>
#include <vector>

#include "index/pdq_index.h"
#include "index/pdq_scan.h"

namespace chainbreak::index {

// Recent additions: written by the (single) writer, read by searches up to
// the published count.
struct PdqIndex::Tail {
  explicit Tail(size_t cap)
      : hashes(new pdq::Hash256[cap]), ids(new uint64_t[cap]), tomb(new std::atomic<bool>[cap]), capacity(cap) {
    for (size_t i = 0; i < cap; ++i) tomb[i].store(false, std::memory_order_relaxed);
  }
  std::unique_ptr<pdq::Hash256[]> hashes;
  std::unique_ptr<uint64_t[]> ids;
  std::unique_ptr<std::atomic<bool>[]> tomb;
  size_t capacity;
  std::atomic<size_t> count{0};

  // Calls fn(query index, hit) for every live published entry within the
  // query's threshold (the batched SIMD scan).
  template <class Fn>
  void search(std::span<const pdq::Hash256> queries, std::span<const int> thresholds, Fn&& fn) const {
    thread_local std::vector<ScanHit> raw;
    raw.clear();
    scan(std::span<const pdq::Hash256>(hashes.get(), count.load(std::memory_order_acquire)), queries, thresholds, &raw);
    for (const ScanHit& h : raw) {
      if (!tomb[h.pos].load(std::memory_order_acquire)) fn(h.query, Hit{ids[h.pos], h.distance});
    }
  }
};

struct PdqIndex::State {
  std::vector<std::shared_ptr<MihSegment>> segments;  // oldest (largest) first
  std::shared_ptr<Tail> tail;
};

}  // namespace chainbreak::index
