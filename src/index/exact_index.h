// ExactIndex: exact-digest lookup (md5, sha1, sha256 or any byte string up
// to 32 bytes) from the digest to the ids of the entries holding it.
//
// Thread-safety: lookups may run concurrently with one another and with one
// writer (a reader-writer lock; writes are short).
#pragma once

#include <array>
#include <cstdint>
#include <shared_mutex>
#include <span>
#include <string_view>
#include <unordered_map>
#include <vector>

namespace chainbreak::index {

class ExactIndex {
 public:
  // Adds (digest, id); a digest may have several ids. Digests longer than
  // 32 bytes are rejected (returns false).
  bool add(std::span<const uint8_t> digest, uint64_t id);
  // Removes that (digest, id) pair; returns whether it was there.
  bool remove(std::span<const uint8_t> digest, uint64_t id);
  // Appends the ids holding digest to out.
  void lookup(std::span<const uint8_t> digest, std::vector<uint64_t>* out) const;
  size_t size() const;
  // Calls fn(digest, id) for every pair, under the read lock (fn must not
  // call back into the index).
  template <class Fn>
  void for_each(Fn&& fn) const {
    std::shared_lock lock(mu_);
    for (const auto& [key, id] : map_) fn(std::span<const uint8_t>(key.bytes.data() + 1, key.bytes[0]), id);
  }

 private:
  struct Key {
    std::array<uint8_t, 33> bytes{};  // length, then the digest
    bool operator==(const Key&) const = default;
  };
  struct KeyHash {
    size_t operator()(const Key& k) const;
  };
  static bool make_key(std::span<const uint8_t> digest, Key* key);

  mutable std::shared_mutex mu_;
  std::unordered_multimap<Key, uint64_t, KeyHash> map_;
};

}  // namespace chainbreak::index
