// PdqIndex: the exact PDQ range index (every live entry within the
// threshold is returned, nothing else), incremental and safe to read while
// it is written.
//
// Structure (a log-structured merge of immutable segments):
//   - a tail of at most Options::tail_capacity recent additions, scanned;
//   - immutable MihSegments (see mih_segment.h), sizes decreasing by at
//     least a factor of four from oldest to newest. When the tail fills it is
//     sealed into a segment; a segment at least a quarter of its elder's
//     size is merged into it. Entries are rebuilt O(log n) times in all,
//     never the whole index per change.
//   - removals are tombstone bits, effective for every search that starts
//     after remove() returns; merges drop tombstoned entries.
//
// Thread-safety: search()/search_batch()/size()/stats()/save() may run on
// any number of threads concurrently with one another and with writers;
// add()/remove()/build()/compact() serialise among themselves. A search sees
// a consistent set of segments (taken at its start) plus every tail entry
// published before it reads the tail.
#pragma once

#include <cstdint>
#include <memory>
#include <mutex>
#include <span>
#include <string>
#include <vector>

#include "index/mih_segment.h"
#include "signals/pdq/hash256.h"
#include "util/result.h"

namespace chainbreak::index {

class PdqIndex {
 public:
  struct Options {
    size_t tail_capacity = 4096;  // additions scanned before being sealed
    int build_threads = 1;        // threads for building large segments
  };
  struct Stats {
    size_t live = 0;      // entries not removed
    size_t removed = 0;   // tombstoned entries still held
    size_t segments = 0;  // sealed segments
    size_t tail = 0;      // entries in the tail
    size_t memory_bytes = 0;
  };

  PdqIndex() : PdqIndex(Options{}) {}
  explicit PdqIndex(Options options);
  ~PdqIndex();
  PdqIndex(const PdqIndex&) = delete;
  PdqIndex& operator=(const PdqIndex&) = delete;

  // Replaces the whole contents with these entries (one segment). ids may
  // repeat (the index does not interpret them).
  void build(std::span<const pdq::Hash256> hashes, std::span<const uint64_t> ids);
  // Adds entries; searches see each one as soon as it is added.
  void add(uint64_t id, const pdq::Hash256& hash);
  void add(std::span<const uint64_t> ids, std::span<const pdq::Hash256> hashes);
  // Tombstones the live entries with this id and hash; returns how many.
  size_t remove(uint64_t id, const pdq::Hash256& hash);
  // Merges every segment and the tail into one segment without tombstones.
  void compact();

  // Appends (id, distance) of every live entry within t (0..256) of q, in
  // no particular order.
  void search(const pdq::Hash256& q, int t, std::vector<Hit>* out) const;
  // out->at(i) receives the hits of queries[i] within thresholds[i].
  void search_batch(std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
                    std::vector<std::vector<Hit>>* out) const;

  Stats stats() const;

  // Writes the live entries to path atomically (temporary file, fsync,
  // rename), with a caller tag (e.g. the store change sequence it reflects).
  // Errors: kIo naming the operation.
  Status save(const std::string& path, uint64_t tag = 0) const;
  // Reads a snapshot written by save() and builds the index from it.
  // Errors: kIo when unreadable, kInvalidInput when it is not a snapshot,
  // truncated, or fails its checksum. *tag receives the tag when not null.
  static Result<std::unique_ptr<PdqIndex>> load(const std::string& path, Options options, uint64_t* tag = nullptr);

 private:
  struct Tail;
  struct State;
  std::shared_ptr<const State> state() const;
  void publish(std::shared_ptr<const State> s);
  void seal_tail_locked();
  // Appends the live entries of the current state, oldest first.
  void live_entries(std::vector<pdq::Hash256>* hashes, std::vector<uint64_t>* ids) const;
  std::shared_ptr<MihSegment> merge(std::span<const std::shared_ptr<MihSegment>> parts) const;

  Options options_;
  std::mutex write_mu_;
  mutable std::mutex state_mu_;
  std::shared_ptr<const State> state_;
};

}  // namespace chainbreak::index
