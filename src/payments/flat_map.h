// Open-addressing hash tables for the screening hot path: an interner of
// account ids (string -> dense uint32 index, the strings kept in one arena)
// and a map from non-zero uint64 keys to small values. Linear probing, power
// of two capacity, grown at 70% load (the only allocations: growth is
// amortised and never happens on a lookup).
//
// Thread-safety: none; one owner (the Screener) uses them.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <string>
#include <string_view>
#include <vector>

namespace chainbreak::payments {

inline uint64_t mix64(uint64_t x) {
  x ^= x >> 33;
  x *= 0xff51afd7ed558ccdULL;
  x ^= x >> 33;
  x *= 0xc4ceb9fe1a85ec53ULL;
  x ^= x >> 33;
  return x;
}

class Interner {
 public:
  static constexpr uint32_t kNone = 0xffffffffu;
  explicit Interner(size_t expected = 1024) { rehash(capacity_for(expected)); }

  size_t size() const { return offsets_.size(); }
  std::string_view name(uint32_t i) const {
    size_t end = i + 1 < offsets_.size() ? offsets_[i + 1] : arena_.size();
    return {arena_.data() + offsets_[i], end - offsets_[i]};
  }
  // The index of s, or kNone.
  uint32_t find(std::string_view s) const {
    uint64_t h = XXH3_64bits(s.data(), s.size());
    for (size_t p = h & mask_;; p = (p + 1) & mask_) {
      const Slot& x = slots_[p];
      if (x.idx1 == 0) return kNone;
      if (matches(x, h, s)) return x.idx1 - 1;
    }
  }
  static uint64_t hash(std::string_view s) { return XXH3_64bits(s.data(), s.size()); }
  void prefetch(uint64_t h) const { __builtin_prefetch(&slots_[h & mask_]); }
  // The index of s (at most 65535 bytes), added when new.
  uint32_t intern(std::string_view s) { return intern(s, hash(s)); }
  uint32_t intern(std::string_view s, uint64_t h) {
    size_t p = h & mask_;
    for (;; p = (p + 1) & mask_) {
      const Slot& x = slots_[p];
      if (x.idx1 == 0) break;
      if (matches(x, h, s)) return x.idx1 - 1;
    }
    uint32_t idx = static_cast<uint32_t>(offsets_.size());
    offsets_.push_back(arena_.size());
    Slot& x = slots_[p];
    x.idx1 = idx + 1;
    x.len = static_cast<uint16_t>(s.size());
    x.tag = static_cast<uint16_t>(h >> 48);
    if (s.size() <= sizeof x.inl) {
      std::memcpy(x.inl, s.data(), s.size());
    } else {
      uint64_t off = arena_.size();
      std::memcpy(x.inl, &off, 8);
    }
    arena_.append(s);
    if (offsets_.size() * 10 > slots_.size() * 7) rehash(slots_.size() * 2);
    return idx;
  }

 private:
  // 32 bytes: names up to 24 bytes are compared in the slot itself (no
  // second cache miss); longer ones keep their arena offset there.
  struct Slot {
    uint32_t idx1 = 0;          // index + 1, 0 = empty
    uint16_t len = 0, tag = 0;  // tag: top 16 bits of the hash
    char inl[24] = {};
    const char* chars(const std::string& arena) const {
      if (len <= sizeof inl) return inl;
      uint64_t off;
      std::memcpy(&off, inl, 8);
      return arena.data() + off;
    }
  };
  std::string arena_;
  std::vector<uint64_t> offsets_;
  std::vector<Slot> slots_;
  size_t mask_ = 0;

  bool matches(const Slot& x, uint64_t h, std::string_view s) const {
    return x.tag == static_cast<uint16_t>(h >> 48) && x.len == s.size() &&
           std::memcmp(x.chars(arena_), s.data(), s.size()) == 0;
  }
  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (c * 7 < n * 10) c *= 2;
    return c;
  }
  void rehash(size_t cap) {
    std::vector<Slot> n(cap);
    mask_ = cap - 1;
    for (const Slot& x : slots_) {
      if (x.idx1 == 0) continue;
      uint64_t hh = XXH3_64bits(x.chars(arena_), x.len);
      size_t p = hh & mask_;
      while (n[p].idx1 != 0) p = (p + 1) & mask_;
      n[p] = x;
    }
    slots_.swap(n);
  }
};

// uint64 key (never 0) -> V (trivially copyable).
template <class V>
class U64Map {
 public:
  explicit U64Map(size_t expected = 1024) { rehash(capacity_for(expected)); }
  size_t size() const { return size_; }
  V* find(uint64_t key) {
    for (size_t p = mix64(key) & mask_;; p = (p + 1) & mask_) {
      if (slots_[p].key == key) return &slots_[p].value;
      if (slots_[p].key == 0) return nullptr;
    }
  }
  const V* find(uint64_t key) const { return const_cast<U64Map*>(this)->find(key); }
  void prefetch(uint64_t key) const { __builtin_prefetch(&slots_[mix64(key) & mask_]); }
  // The value for key, value-initialised when new; inserted reports which.
  V& get(uint64_t key, bool* inserted = nullptr) {
    size_t p = mix64(key) & mask_;
    for (;; p = (p + 1) & mask_) {
      if (slots_[p].key == key) {
        if (inserted) *inserted = false;
        return slots_[p].value;
      }
      if (slots_[p].key == 0) break;
    }
    if ((size_ + 1) * 10 > slots_.size() * 7) {
      rehash(slots_.size() * 2);
      return get(key, inserted);
    }
    ++size_;
    slots_[p].key = key;
    slots_[p].value = V{};
    if (inserted) *inserted = true;
    return slots_[p].value;
  }
  template <class F>
  void for_each(F&& f) const {
    for (const Slot& s : slots_)
      if (s.key != 0) f(s.key, s.value);
  }

 private:
  struct Slot {
    uint64_t key = 0;
    V value{};
  };
  std::vector<Slot> slots_;
  size_t mask_ = 0, size_ = 0;

  static size_t capacity_for(size_t n) {
    size_t c = 16;
    while (c * 7 < n * 10) c *= 2;
    return c;
  }
  void rehash(size_t cap) {
    std::vector<Slot> old(cap);
    old.swap(slots_);
    mask_ = cap - 1;
    for (const Slot& s : old) {
      if (s.key == 0) continue;
      size_t p = mix64(s.key) & mask_;
      while (slots_[p].key != 0) p = (p + 1) & mask_;
      slots_[p] = s;
    }
  }
};

}  // namespace chainbreak::payments
