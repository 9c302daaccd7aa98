// An immutable block of PDQ hashes with a multi-index-hashing search
// structure: the exact range search inside PdqIndex.
//
// Layout. The 256 bits are cut into 16 sub-keys of 16 bits; sub-keys 2c and
// 2c+1 form chunk c (32 bits, c = 0..7). For every sub-key k there is a
// table: a directory of 65,536 buckets (one per sub-key value) listing the
// entries with that value, and for each listed entry its *partner* sub-key
// (k xor 1, the other half of the chunk) and its position. A search
// enumerates few buckets and filters them on the partner with 16-bit SIMD
// popcounts, so only a handful of entries per query are fetched and
// compared in full.
//
// Why it is exact (general pigeonhole principle, applied twice). Given a
// threshold t, the plan gives chunk budgets tau_c >= -1 with
// sum(tau_c) >= t - 7, and within chunk c sub-key radii r_a, r_b >= -1 with
// r_a + r_b >= tau_c - 1. If d(q, x) <= t then some chunk has
// d_c <= tau_c (otherwise d >= sum(tau_c + 1) >= t + 1), and in that chunk
// some half has d_k <= r_k (otherwise d_c >= r_a + r_b + 2 > tau_c). The
// search visits exactly the entries with d_k <= r_k and d_c <= tau_c for
// some (c, k), verifies each in full, and reports an entry only from the
// first (c, k) that finds it, so every entry within t is reported exactly
// once and nothing else is.
//
// Thread-safety: search() and contains() may run on any number of threads
// while remove() runs on another (tombstones are atomic bits).
#pragma once

#include <atomic>
#include <cstddef>
#include <cstdint>
#include <memory>
#include <span>
#include <vector>

#include "index/buffer.h"
#include "signals/pdq/hash256.h"
#include "util/result.h"

namespace chainbreak::index {

class SnapshotWriter;
class SnapshotReader;

// A match of a range search: the caller's id of the entry and its distance.
struct Hit {
  uint64_t id = 0;
  int distance = 0;
  bool operator==(const Hit&) const = default;
};

// Budgets of one search (see above). Chosen per threshold by plan_for().
struct SearchPlan {
  int tau[8];   // per chunk; -1 = chunk not searched
  int r[16];    // per sub-key; -1 = table not probed
  double cost;  // buckets probed per query (for the scan-or-tables estimate)
};
// The balanced plan for threshold t (0..256).
const SearchPlan& plan_for(int t);

class MihSegment {
 public:
  // Segments smaller than this are searched by scanning (no tables).
  static constexpr size_t kMinTableSize = 8192;

  // Builds a segment over copies of the hashes and their ids (same size).
  // threads > 1 builds the tables of different chunks in parallel.
  static std::shared_ptr<MihSegment> build(std::span<const pdq::Hash256> hashes, std::span<const uint64_t> ids,
                                           int threads = 1);

  // Writes the segment (entries, tables, tombstones) / reads one back.
  // Errors: those of the writer/reader (kIo, kInvalidInput for a corrupt
  // or inconsistent section).
  Status write_to(SnapshotWriter& w) const;
  static Result<std::shared_ptr<MihSegment>> read_from(SnapshotReader& r);

  size_t size() const { return hashes_.size(); }
  size_t removed() const { return removed_.load(std::memory_order_relaxed); }
  std::span<const pdq::Hash256> hashes() const { return hashes_.span(); }
  std::span<const uint64_t> ids() const { return ids_.span(); }
  bool is_removed(size_t pos) const { return (tomb_[pos >> 6].load(std::memory_order_acquire) >> (pos & 63)) & 1; }

  // How search() finds candidates: kAuto picks the cheaper of the tables
  // and a scan by a cost estimate; the others force one (for tests).
  enum class Mode { kAuto, kTables, kScan };
  // Appends the live entries within t of q (0..256; negative: nothing).
  void search(const pdq::Hash256& q, int t, std::vector<Hit>* out, Mode mode = Mode::kAuto) const;
  // search() for many queries at once (thresholds per query), appending to
  // (*out)[i]; out->size() must be queries.size(). The same results as
  // calling search() for each, but the memory accesses of consecutive
  // queries overlap (a three-stage software pipeline).
  void search_many(std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
                   std::vector<std::vector<Hit>>* out) const;
  // The same by scanning every entry (the oracle, and the fallback).
  void search_scan(const pdq::Hash256& q, int t, std::vector<Hit>* out) const;
  // Tombstones the live entries with this id and hash; returns how many.
  size_t remove(uint64_t id, const pdq::Hash256& h);
  // Bytes held by the segment (hashes, ids, tables, tombstones).
  size_t memory_bytes() const;

 private:
  MihSegment() = default;
  void build_chunk(int c, Buffer<uint64_t>* a, Buffer<uint64_t>* b);
  // The search stages (mih_search.cc): buckets to visit (directory
  // prefetched), bucket ranges (partners prefetched), filter and verify.
  struct Work;
  void stage_buckets(const pdq::Hash256& q, const SearchPlan& plan, Work& w) const;
  void stage_ranges(Work& w) const;
  void stage_verify(const pdq::Hash256& q, int t, const SearchPlan& plan, Work& w, std::vector<Hit>* out) const;
  bool use_scan(const SearchPlan& plan) const;
  void init_tombstones();

  Buffer<pdq::Hash256> hashes_;
  Buffer<uint64_t> ids_;
  bool has_tables_ = false;
  Buffer<uint32_t> dir_;      // 16 x 65537 bucket starts
  Buffer<uint16_t> partner_;  // 16 x n, table k at k*n
  Buffer<uint32_t> pos_;      // 16 x n
  std::unique_ptr<std::atomic<uint64_t>[]> tomb_;
  std::atomic<size_t> removed_{0};
};

}  // namespace chainbreak::index
