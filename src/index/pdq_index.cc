#include "index/pdq_index.h"

#include <algorithm>
#include <atomic>
#include <thread>

#include "index/pdq_index_state.h"

namespace chainbreak::index {

PdqIndex::PdqIndex(Options options) : options_(options) {
  options_.tail_capacity = std::max<size_t>(options_.tail_capacity, 1);
  auto s = std::make_shared<State>();
  s->tail = std::make_shared<Tail>(options_.tail_capacity);
  state_ = std::move(s);
}

PdqIndex::~PdqIndex() = default;

std::shared_ptr<const PdqIndex::State> PdqIndex::state() const {
  std::lock_guard lock(state_mu_);
  return state_;
}

void PdqIndex::publish(std::shared_ptr<const State> s) {
  std::lock_guard lock(state_mu_);
  state_ = std::move(s);
}

void PdqIndex::build(std::span<const pdq::Hash256> hashes, std::span<const uint64_t> ids) {
  std::lock_guard lock(write_mu_);
  auto s = std::make_shared<State>();
  if (!hashes.empty()) s->segments.push_back(MihSegment::build(hashes, ids, options_.build_threads));
  s->tail = std::make_shared<Tail>(options_.tail_capacity);
  publish(std::move(s));
}

std::shared_ptr<MihSegment> PdqIndex::merge(std::span<const std::shared_ptr<MihSegment>> parts) const {
  size_t total = 0;
  for (const auto& p : parts) total += p->size() - p->removed();
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> ids;
  hashes.reserve(total);
  ids.reserve(total);
  for (const auto& p : parts) {
    for (size_t i = 0; i < p->size(); ++i) {
      if (p->is_removed(i)) continue;
      hashes.push_back(p->hashes()[i]);
      ids.push_back(p->ids()[i]);
    }
  }
  return MihSegment::build(hashes, ids, options_.build_threads);
}

// Seals the full tail into a segment and restores the size invariant.
// Caller holds write_mu_.
void PdqIndex::seal_tail_locked() {
  const auto old = state();
  const Tail& tail = *old->tail;
  const size_t n = tail.count.load(std::memory_order_relaxed);
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> ids;
  hashes.reserve(n);
  ids.reserve(n);
  for (size_t i = 0; i < n; ++i) {
    if (tail.tomb[i].load(std::memory_order_relaxed)) continue;
    hashes.push_back(tail.hashes[i]);
    ids.push_back(tail.ids[i]);
  }
  auto s = std::make_shared<State>();
  s->segments = old->segments;
  if (!hashes.empty()) s->segments.push_back(MihSegment::build(hashes, ids, 1));
  // Merge while the newest segment is at least a quarter of the one before
  // it (live sizes), so sizes fall geometrically.
  while (s->segments.size() >= 2) {
    const auto& a = s->segments[s->segments.size() - 2];
    const auto& b = s->segments.back();
    const size_t la = a->size() - a->removed(), lb = b->size() - b->removed();
    if (lb * 4 < la) break;
    auto merged = merge(std::span(s->segments).last(2));
    s->segments.pop_back();
    s->segments.back() = std::move(merged);
  }
  s->tail = std::make_shared<Tail>(options_.tail_capacity);
  publish(std::move(s));
}

void PdqIndex::add(uint64_t id, const pdq::Hash256& hash) { add(std::span(&id, 1), std::span(&hash, 1)); }

void PdqIndex::add(std::span<const uint64_t> ids, std::span<const pdq::Hash256> hashes) {
  std::lock_guard lock(write_mu_);
  for (size_t i = 0; i < hashes.size(); ++i) {
    std::shared_ptr<const State> s = state();
    Tail* tail = s->tail.get();
    size_t n = tail->count.load(std::memory_order_relaxed);
    if (n == tail->capacity) {
      seal_tail_locked();
      s = state();
      tail = s->tail.get();
      n = 0;
    }
    tail->hashes[n] = hashes[i];
    tail->ids[n] = ids[i];
    tail->count.store(n + 1, std::memory_order_release);
  }
}

size_t PdqIndex::remove(uint64_t id, const pdq::Hash256& hash) {
  std::lock_guard lock(write_mu_);
  const auto s = state();
  size_t count = 0;
  for (const auto& seg : s->segments) count += seg->remove(id, hash);
  const Tail& tail = *s->tail;
  const size_t n = tail.count.load(std::memory_order_relaxed);
  for (size_t i = 0; i < n; ++i) {
    if (tail.ids[i] == id && tail.hashes[i] == hash && !tail.tomb[i].exchange(true, std::memory_order_acq_rel)) {
      ++count;
    }
  }
  return count;
}

void PdqIndex::compact() {
  std::lock_guard lock(write_mu_);
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> ids;
  live_entries(&hashes, &ids);
  auto s = std::make_shared<State>();
  if (!hashes.empty()) s->segments.push_back(MihSegment::build(hashes, ids, options_.build_threads));
  s->tail = std::make_shared<Tail>(options_.tail_capacity);
  publish(std::move(s));
}

void PdqIndex::live_entries(std::vector<pdq::Hash256>* hashes, std::vector<uint64_t>* ids) const {
  const auto s = state();
  for (const auto& seg : s->segments) {
    for (size_t i = 0; i < seg->size(); ++i) {
      if (seg->is_removed(i)) continue;
      hashes->push_back(seg->hashes()[i]);
      ids->push_back(seg->ids()[i]);
    }
  }
  const Tail& tail = *s->tail;
  const size_t n = tail.count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (tail.tomb[i].load(std::memory_order_acquire)) continue;
    hashes->push_back(tail.hashes[i]);
    ids->push_back(tail.ids[i]);
  }
}

void PdqIndex::search(const pdq::Hash256& q, int t, std::vector<Hit>* out) const {
  if (t < 0) return;
  const auto s = state();
  for (const auto& seg : s->segments) seg->search(q, t, out);
  s->tail->search(std::span(&q, 1), std::span(&t, 1), [out](size_t, Hit h) { out->push_back(h); });
}

void PdqIndex::search_batch(std::span<const pdq::Hash256> queries, std::span<const int> thresholds,
                            std::vector<std::vector<Hit>>* out) const {
  out->resize(queries.size());
  for (auto& v : *out) v.clear();
  const auto s = state();
  for (const auto& seg : s->segments) seg->search_many(queries, thresholds, out);
  s->tail->search(queries, thresholds, [out](size_t q, Hit h) { (*out)[q].push_back(h); });
}

PdqIndex::Stats PdqIndex::stats() const {
  const auto s = state();
  Stats st;
  for (const auto& seg : s->segments) {
    st.live += seg->size() - seg->removed();
    st.removed += seg->removed();
    st.memory_bytes += seg->memory_bytes();
  }
  st.segments = s->segments.size();
  const Tail& tail = *s->tail;
  const size_t n = tail.count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (tail.tomb[i].load(std::memory_order_relaxed)) {
      ++st.removed;
    } else {
      ++st.live;
    }
  }
  st.tail = n;
  st.memory_bytes += tail.capacity * (sizeof(pdq::Hash256) + sizeof(uint64_t) + sizeof(std::atomic<bool>));
  return st;
}

}  // namespace chainbreak::index
