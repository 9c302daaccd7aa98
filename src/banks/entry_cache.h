// EntryCache: bank entries (provenance and state) by id, so that matching
// does not read the store for every hit. Kept coherent by BankSet: every
// entry change in the store's change log (added, removed, disabled,
// enabled) evicts that id when BankSet applies it, and a full rebuild
// clears everything. So a change made through this BankSet's process is
// seen at once (the service refreshes after each write) and one made by
// another replica within that replica's follow interval.
//
// Thread-safety: all members may be called concurrently (sharded mutexes).
// Memory: at most `capacity` entries; a full shard is emptied (the hot
// entries come back at the next matches).
#pragma once

#include <array>
#include <cstdint>
#include <mutex>
#include <optional>
#include <unordered_map>

#include "store/store.h"

namespace chainbreak::banks {

class EntryCache {
 public:
  explicit EntryCache(size_t capacity = 1 << 20) : per_shard_(capacity / kShards + 1) {}

  // A copy of the cached entry, or nullopt.
  std::optional<store::Entry> get(int64_t id) const {
    const Shard& s = shard(id);
    std::lock_guard lock(s.mu);
    auto it = s.map.find(id);
    if (it == s.map.end()) return std::nullopt;
    return it->second;
  }
  void put(const store::Entry& e) {
    Shard& s = shard(e.id);
    std::lock_guard lock(s.mu);
    if (s.map.size() >= per_shard_) s.map.clear();
    s.map.insert_or_assign(e.id, e);
  }
  void erase(int64_t id) {
    Shard& s = shard(id);
    std::lock_guard lock(s.mu);
    s.map.erase(id);
  }
  void clear() {
    for (Shard& s : shards_) {
      std::lock_guard lock(s.mu);
      s.map.clear();
    }
  }

 private:
  static constexpr size_t kShards = 16;
  struct Shard {
    mutable std::mutex mu;
    std::unordered_map<int64_t, store::Entry> map;
  };
  Shard& shard(int64_t id) { return shards_[static_cast<uint64_t>(id) % kShards]; }
  const Shard& shard(int64_t id) const { return shards_[static_cast<uint64_t>(id) % kShards]; }

  size_t per_shard_;
  std::array<Shard, kShards> shards_;
};

}  // namespace chainbreak::banks
