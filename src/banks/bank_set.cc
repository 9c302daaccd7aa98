#include "banks/bank_set.h"

#include <algorithm>
#include <cstring>
#include <filesystem>

#include "banks/hex.h"
#include "index/snapshot_io.h"

namespace chainbreak::banks {
namespace {

// More pending changes than this and a bank is rebuilt from a scan instead
// of replaying them one by one.
constexpr int64_t kReplayLimit = 200000;
constexpr char kExactMagic[8] = {'C', 'B', 'E', 'X', 'A', 'C', 'T', '1'};

std::string pdq_path(const std::string& dir, int64_t bank_id) {
  return dir + "/bank-" + std::to_string(bank_id) + ".pdq";
}
std::string exact_path(const std::string& dir, int64_t bank_id) {
  return dir + "/bank-" + std::to_string(bank_id) + ".exact";
}

}  // namespace

Result<std::unique_ptr<BankSet>> BankSet::open(store::Store& store, const std::string& snapshot_dir) {
  std::unique_ptr<BankSet> set(new BankSet());
  set->snapshot_dir_ = snapshot_dir;
  auto last = store.last_change_seq();
  if (!last.ok()) return last.status();
  auto banks = store.list_banks();
  if (!banks.ok()) return banks.status();
  set->seq_ = last.value();
  for (const auto& bank : banks.value()) {
    if (!set->load_snapshot(bank)) {
      if (Status st = set->build_bank(store, bank, last.value()); !st.ok()) return st;
    }
    set->seq_ = std::min(set->seq_, set->banks_[bank.id]->seq);
  }
  if (Status st = set->refresh(store); !st.ok()) return st;
  return set;
}

void BankSet::add_entry(BankIndex& b, const store::Entry& e) {
  if (e.removed || e.disabled) return;
  if (e.type == store::SignalType::kPdq) {
    auto h = pdq::Hash256::from_hex(e.value);
    if (!h.ok()) return;  // the store validates values; nothing to index otherwise
    std::vector<index::Hit> hits;
    b.pdq->search(h.value(), 0, &hits);
    for (const auto& hit : hits) {
      if (hit.id == static_cast<uint64_t>(e.id)) return;  // already there (change replayed)
    }
    b.pdq->add(static_cast<uint64_t>(e.id), h.value());
  } else {
    const auto bytes = hex_bytes(e.value);
    std::vector<uint64_t> ids;
    b.exact.lookup(bytes, &ids);
    if (std::find(ids.begin(), ids.end(), static_cast<uint64_t>(e.id)) != ids.end()) return;
    b.exact.add(bytes, static_cast<uint64_t>(e.id));
  }
}

void BankSet::remove_entry(BankIndex& b, const store::Entry& e) {
  if (e.type == store::SignalType::kPdq) {
    auto h = pdq::Hash256::from_hex(e.value);
    if (h.ok()) b.pdq->remove(static_cast<uint64_t>(e.id), h.value());
  } else {
    b.exact.remove(hex_bytes(e.value), static_cast<uint64_t>(e.id));
  }
}

Status BankSet::build_bank(store::Store& store, const store::Bank& bank, int64_t seq) {
  auto b = std::make_unique<BankIndex>();
  b->bank = bank;
  b->seq = seq;
  b->pdq = std::make_unique<index::PdqIndex>();
  std::vector<pdq::Hash256> hashes;
  std::vector<uint64_t> ids;
  Status st = store.scan_entries(bank.id, false, [&](const store::Entry& e) {
    if (e.disabled) return true;
    if (e.type == store::SignalType::kPdq) {
      auto h = pdq::Hash256::from_hex(e.value);
      if (h.ok()) {
        hashes.push_back(h.value());
        ids.push_back(static_cast<uint64_t>(e.id));
      }
    } else {
      b->exact.add(hex_bytes(e.value), static_cast<uint64_t>(e.id));
    }
    return true;
  });
  if (!st.ok()) return st;
  b->pdq->build(hashes, ids);
  banks_[bank.id] = std::move(b);
  modified_ = true;
  return Status::Ok();
}

Status BankSet::apply(store::Store& store, const store::Change& c) {
  auto it = banks_.find(c.bank_id);
  if (it != banks_.end() && c.seq <= it->second->seq) return Status::Ok();  // already in its snapshot
  modified_ = true;
  switch (c.kind) {
    case store::ChangeKind::kBankCreated:
    case store::ChangeKind::kBankUpdated: {
      auto banks = store.list_banks();
      if (!banks.ok()) return banks.status();
      for (const auto& bank : banks.value()) {
        if (bank.id != c.bank_id) continue;
        if (it == banks_.end()) return build_bank(store, bank, c.seq);
        it->second->bank = bank;
      }
      return Status::Ok();
    }
    case store::ChangeKind::kBankDeleted: banks_.erase(c.bank_id); return Status::Ok();
    default: break;
  }
  entries_.erase(c.entry_id);                   // its state changed: the next match reads it again
  if (it == banks_.end()) return Status::Ok();  // bank gone since
  auto entry = store.get_entry(c.entry_id);
  if (!entry.ok()) return entry.status();
  if (!entry.value()) return Status::Ok();
  const store::Entry& e = *entry.value();
  if (c.kind == store::ChangeKind::kEntryAdded || c.kind == store::ChangeKind::kEntryEnabled) {
    add_entry(*it->second, e);
  } else {
    remove_entry(*it->second, e);
  }
  return Status::Ok();
}

Status BankSet::refresh(store::Store& store) {
  auto last = store.last_change_seq();
  if (!last.ok()) return last.status();
  if (last.value() - seq_ > kReplayLimit) {
    // Too many to replay: rebuild every bank from a scan.
    auto banks = store.list_banks();
    if (!banks.ok()) return banks.status();
    banks_.clear();
    entries_.clear();
    for (const auto& bank : banks.value()) {
      if (Status st = build_bank(store, bank, last.value()); !st.ok()) return st;
    }
    seq_ = last.value();
    return Status::Ok();
  }
  for (;;) {
    auto changes = store.changes_since(seq_, 10000);
    if (!changes.ok()) return changes.status();
    if (changes.value().empty()) break;
    for (const auto& c : changes.value()) {
      if (Status st = apply(store, c); !st.ok()) return st;
      seq_ = c.seq;
    }
  }
  for (auto& [id, b] : banks_) b->seq = std::max(b->seq, seq_);
  return Status::Ok();
}

Status BankSet::save_snapshots() {
  if (snapshot_dir_.empty() || !modified_) return Status::Ok();
  std::error_code ec;
  std::filesystem::create_directories(snapshot_dir_, ec);
  if (ec) return IoError("cannot create " + snapshot_dir_ + ": " + ec.message());
  for (const auto& [id, b] : banks_) {
    if (Status st = b->pdq->save(pdq_path(snapshot_dir_, id), static_cast<uint64_t>(b->seq)); !st.ok()) return st;
    const std::string path = exact_path(snapshot_dir_, id);
    index::SnapshotWriter w(path + ".tmp");
    w.write(kExactMagic, 8);
    w.put(static_cast<uint64_t>(b->seq));
    b->exact.for_each([&](std::span<const uint8_t> digest, uint64_t entry_id) {
      w.put(static_cast<uint8_t>(digest.size()));
      w.write(digest.data(), digest.size());
      w.put(entry_id);
    });
    w.put(uint8_t{0xFF});  // end marker
    if (Status st = w.finish(); !st.ok()) return st;
    std::filesystem::rename(path + ".tmp", path, ec);
    if (ec) return IoError("cannot rename " + path + ".tmp: " + ec.message());
  }
  modified_ = false;
  return Status::Ok();
}

// Loads a bank's snapshot pair when both exist, agree and are intact.
bool BankSet::load_snapshot(const store::Bank& bank) {
  if (snapshot_dir_.empty()) return false;
  uint64_t tag = 0;
  auto pdq = index::PdqIndex::load(pdq_path(snapshot_dir_, bank.id), {}, &tag);
  if (!pdq.ok()) return false;
  auto b = std::make_unique<BankIndex>();
  index::SnapshotReader r(exact_path(snapshot_dir_, bank.id));
  char magic[8];
  r.read(magic, 8);
  if (!r.status().ok() || std::memcmp(magic, kExactMagic, 8) != 0 || r.get<uint64_t>() != tag) return false;
  for (;;) {
    const auto len = r.get<uint8_t>();
    if (!r.status().ok()) return false;
    if (len == 0xFF) break;
    if (len > 32) return false;
    uint8_t digest[32];
    r.read(digest, len);
    const auto id = r.get<uint64_t>();
    if (!r.status().ok()) return false;
    b->exact.add(std::span(digest, len), id);
  }
  if (!r.verify_end().ok()) return false;
  b->bank = bank;
  b->seq = static_cast<int64_t>(tag);
  b->pdq = std::move(pdq).value();
  banks_[bank.id] = std::move(b);
  return true;
}

size_t BankSet::pdq_size(int64_t bank_id) const {
  auto it = banks_.find(bank_id);
  return it == banks_.end() ? 0 : it->second->pdq->stats().live;
}

}  // namespace chainbreak::banks
