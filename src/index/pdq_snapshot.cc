// PdqIndex snapshots: every segment as it is in memory (entries, tables,
// tombstones) plus the live tail entries, read back with plain read() into
// fresh buffers, so loading costs about as much as reading the file.
//
// File layout (little-endian), checksum XXH3-64 over all preceding bytes:
//   magic "CBPDQIX2" | u32 version (2) | u32 segments | u64 tag
//   segment*         (see MihSegment::write_to)
//   u64 tail count | tail hashes (32 bytes each) | tail ids (u64 each)
//   u64 checksum
#include <unistd.h>

#include <cstring>

#include "index/pdq_index.h"
#include "index/pdq_index_state.h"
#include "index/snapshot_io.h"

namespace chainbreak::index {
namespace {

constexpr char kMagic[8] = {'C', 'B', 'P', 'D', 'Q', 'I', 'X', '2'};
constexpr uint32_t kVersion = 2;

}  // namespace

Status PdqIndex::save(const std::string& path, uint64_t tag) const {
  const auto s = state();
  const std::string tmp = path + ".tmp";
  SnapshotWriter w(tmp);
  w.write(kMagic, 8);
  w.put(kVersion);
  w.put(static_cast<uint32_t>(s->segments.size()));
  w.put(tag);
  for (const auto& seg : s->segments) {
    if (Status st = seg->write_to(w); !st.ok()) break;
  }
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> ids;
  const Tail& tail = *s->tail;
  const size_t n = tail.count.load(std::memory_order_acquire);
  for (size_t i = 0; i < n; ++i) {
    if (tail.tomb[i].load(std::memory_order_acquire)) continue;
    hashes.push_back(tail.hashes[i]);
    ids.push_back(tail.ids[i]);
  }
  w.put(static_cast<uint64_t>(hashes.size()));
  w.write(hashes.data(), hashes.size() * sizeof(pdq::Hash256));
  w.write(ids.data(), ids.size() * sizeof(uint64_t));
  Status st = w.finish();
  if (st.ok() && ::rename(tmp.c_str(), path.c_str()) != 0) {
    st = IoError("cannot rename " + tmp + " to " + path + ": " + std::strerror(errno));
  }
  if (!st.ok()) ::unlink(tmp.c_str());
  return st;
}

Result<std::unique_ptr<PdqIndex>> PdqIndex::load(const std::string& path, Options options, uint64_t* tag) {
  SnapshotReader r(path);
  if (!r.status().ok()) return r.status();
  char magic[8];
  r.read(magic, 8);
  if (!r.status().ok() || std::memcmp(magic, kMagic, 8) != 0) {
    return InvalidInput(path + ": not a chainbreak PDQ index snapshot");
  }
  const auto version = r.get<uint32_t>();
  if (version != kVersion) return InvalidInput(path + ": unsupported snapshot version " + std::to_string(version));
  const auto segments = r.get<uint32_t>();
  const auto file_tag = r.get<uint64_t>();
  auto state = std::make_shared<State>();
  for (uint32_t i = 0; i < segments && r.status().ok(); ++i) {
    auto seg = MihSegment::read_from(r);
    if (!seg.ok()) return seg.status();
    state->segments.push_back(std::move(seg).value());
  }
  const auto tail_count = r.get<uint64_t>();
  if (tail_count > r.remaining() / (sizeof(pdq::Hash256) + sizeof(uint64_t))) {
    return InvalidInput(path + ": truncated snapshot (tail of " + std::to_string(tail_count) + " entries)");
  }
  std::vector<pdq::Hash256> hashes(tail_count);
  std::vector<uint64_t> ids(tail_count);
  r.read(hashes.data(), tail_count * sizeof(pdq::Hash256));
  r.read(ids.data(), tail_count * sizeof(uint64_t));
  if (Status st = r.verify_end(); !st.ok()) return st;
  auto index = std::make_unique<PdqIndex>(options);
  state->tail = std::make_shared<Tail>(index->options_.tail_capacity);
  index->publish(std::move(state));
  index->add(ids, hashes);
  if (tag) *tag = file_tag;
  return index;
}

}  // namespace chainbreak::index
