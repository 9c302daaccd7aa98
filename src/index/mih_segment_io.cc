// MihSegment in a snapshot:
//   u64 n | u32 has_tables | u32 reserved | n hashes | n ids |
//   tombstone words ((n + 63) / 64 + 1 u64) |
//   if has_tables: 16 x 65537 u32 bucket starts | 16n u16 partners | 16n u32 positions
// Tables are checked on load (bucket starts ascending to n, positions < n)
// so that even a file with a valid checksum cannot make a search read out
// of bounds.
#include <algorithm>

#include "index/mih_segment.h"
#include "index/snapshot_io.h"

namespace chainbreak::index {
namespace {
constexpr uint32_t kBuckets = 65536;
constexpr int kTables = 16;
}  // namespace

Status MihSegment::write_to(SnapshotWriter& w) const {
  const uint64_t n = size();
  w.put(n);
  w.put(static_cast<uint32_t>(has_tables_));
  w.put(uint32_t{0});
  w.write(hashes_.data(), n * sizeof(pdq::Hash256));
  w.write(ids_.data(), n * sizeof(uint64_t));
  for (size_t i = 0; i < (n + 63) / 64 + 1; ++i) w.put(tomb_[i].load(std::memory_order_acquire));
  if (has_tables_) {
    w.write(dir_.data(), dir_.size() * sizeof(uint32_t));
    w.write(partner_.data(), partner_.size() * sizeof(uint16_t));
    w.write(pos_.data(), pos_.size() * sizeof(uint32_t));
  }
  return w.status();
}

Result<std::shared_ptr<MihSegment>> MihSegment::read_from(SnapshotReader& r) {
  const auto n = r.get<uint64_t>();
  const auto has_tables = r.get<uint32_t>();
  r.get<uint32_t>();
  // Every entry takes at least 40 bytes: refuse sizes the file cannot hold
  // before allocating.
  if (!r.status().ok()) return r.status();
  if (n > r.remaining() / 40) {
    return InvalidInput(r.path() + ": truncated snapshot (segment of " + std::to_string(n) + " entries)");
  }
  if (n > UINT32_MAX || has_tables > 1 || (has_tables && n < kMinTableSize)) {
    return InvalidInput(r.path() + ": corrupt snapshot (segment header)");
  }
  std::shared_ptr<MihSegment> s(new MihSegment());
  s->hashes_ = Buffer<pdq::Hash256>(n);
  s->ids_ = Buffer<uint64_t>(n);
  r.read(s->hashes_.data(), n * sizeof(pdq::Hash256));
  r.read(s->ids_.data(), n * sizeof(uint64_t));
  s->init_tombstones();
  size_t removed = 0;
  for (size_t i = 0; i < (n + 63) / 64 + 1; ++i) {
    const auto word = r.get<uint64_t>();
    s->tomb_[i].store(word, std::memory_order_relaxed);
    removed += static_cast<size_t>(std::popcount(word));
  }
  s->removed_.store(removed, std::memory_order_relaxed);
  if (has_tables) {
    if (r.remaining() / 6 < n * kTables) return InvalidInput(r.path() + ": truncated snapshot (segment tables)");
    s->has_tables_ = true;
    s->dir_ = Buffer<uint32_t>(size_t{kTables} * (kBuckets + 1));
    s->partner_ = Buffer<uint16_t>(size_t{kTables} * n);
    s->pos_ = Buffer<uint32_t>(size_t{kTables} * n);
    r.read(s->dir_.data(), s->dir_.size() * sizeof(uint32_t));
    r.read(s->partner_.data(), s->partner_.size() * sizeof(uint16_t));
    r.read(s->pos_.data(), s->pos_.size() * sizeof(uint32_t));
    if (!r.status().ok()) return r.status();
    for (int k = 0; k < kTables; ++k) {
      const uint32_t* dir = s->dir_.data() + size_t(k) * (kBuckets + 1);
      if (dir[0] != 0 || dir[kBuckets] != n || !std::is_sorted(dir, dir + kBuckets + 1)) {
        return InvalidInput(r.path() + ": corrupt snapshot (bucket starts of table " + std::to_string(k) + ")");
      }
    }
    const uint32_t* pos = s->pos_.data();
    uint32_t max_pos = 0;
    for (size_t i = 0; i < s->pos_.size(); ++i) max_pos = std::max(max_pos, pos[i]);
    if (n > 0 && max_pos >= n) return InvalidInput(r.path() + ": corrupt snapshot (entry position out of range)");
  }
  if (!r.status().ok()) return r.status();
  return s;
}

}  // namespace chainbreak::index
