#include "index/exact_index.h"

#include <cstring>
#include <mutex>

namespace chainbreak::index {

size_t ExactIndex::KeyHash::operator()(const Key& k) const {
  // Digests are already uniformly distributed: their first bytes will do.
  uint64_t h;
  std::memcpy(&h, k.bytes.data() + 1, sizeof h);
  return static_cast<size_t>(h ^ (uint64_t{k.bytes[0]} * 0x9E3779B97F4A7C15ull));
}

bool ExactIndex::make_key(std::span<const uint8_t> digest, Key* key) {
  if (digest.size() > 32) return false;
  key->bytes[0] = static_cast<uint8_t>(digest.size());
  std::memcpy(key->bytes.data() + 1, digest.data(), digest.size());
  return true;
}

bool ExactIndex::add(std::span<const uint8_t> digest, uint64_t id) {
  Key key;
  if (!make_key(digest, &key)) return false;
  std::unique_lock lock(mu_);
  map_.emplace(key, id);
  return true;
}

bool ExactIndex::remove(std::span<const uint8_t> digest, uint64_t id) {
  Key key;
  if (!make_key(digest, &key)) return false;
  std::unique_lock lock(mu_);
  auto [b, e] = map_.equal_range(key);
  for (auto it = b; it != e; ++it) {
    if (it->second == id) {
      map_.erase(it);
      return true;
    }
  }
  return false;
}

void ExactIndex::lookup(std::span<const uint8_t> digest, std::vector<uint64_t>* out) const {
  Key key;
  if (!make_key(digest, &key)) return;
  std::shared_lock lock(mu_);
  auto [b, e] = map_.equal_range(key);
  for (auto it = b; it != e; ++it) out->push_back(it->second);
}

size_t ExactIndex::size() const {
  std::shared_lock lock(mu_);
  return map_.size();
}

}  // namespace chainbreak::index
