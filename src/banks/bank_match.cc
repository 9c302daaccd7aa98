// BankSet matching: which banks take part, and the rules applied to raw
// index hits (entry state, expiry, allowlist suppression).
#include <algorithm>

#include "banks/bank_set.h"

namespace chainbreak::banks {

// The named banks (all when none are named) that are enabled now, plus every
// enabled allowlist bank.
Result<std::vector<const BankSet::BankIndex*>> BankSet::select(std::span<const std::string> names, int64_t now) const {
  std::vector<const BankIndex*> out;
  for (const auto& name : names) {
    const BankIndex* found = nullptr;
    for (const auto& [id, b] : banks_) {
      if (b->bank.name == name) found = b.get();
    }
    if (!found) return InvalidInput("no bank named '" + name + "'");
    if (usable(found->bank, now)) out.push_back(found);
  }
  for (const auto& [id, b] : banks_) {
    if (!usable(b->bank, now)) continue;
    if ((names.empty() || b->bank.allowlist) && std::find(out.begin(), out.end(), b.get()) == out.end()) {
      out.push_back(b.get());
    }
  }
  return out;
}

bool BankSet::usable(const store::Bank& b, int64_t now) { return b.enabled && b.disabled_until <= now; }

// Looks up each hit's entry, drops entries that must not match, applies
// allowlist suppression and orders the result (bank, distance, entry).
Result<std::vector<Match>> BankSet::finish(store::Store& store, std::vector<Match> raw, int64_t now) const {
  std::vector<Match> out;
  bool allowlisted = false;
  for (auto& m : raw) {
    std::optional<store::Entry> cached = entries_.get(m.entry_id);
    if (!cached) {
      auto e = store.get_entry(m.entry_id);
      if (!e.ok()) return e.status();
      if (!e.value()) continue;
      cached = std::move(*e.value());
      entries_.put(*cached);
    }
    const store::Entry& entry = *cached;
    if (entry.removed || entry.disabled || (entry.expires_at != 0 && entry.expires_at <= now)) continue;
    m.entry = entry;
    allowlisted |= m.allowlist;
    out.push_back(std::move(m));
  }
  for (auto& m : out) m.suppressed = allowlisted && !m.allowlist;
  std::sort(out.begin(), out.end(), [](const Match& a, const Match& b) {
    if (a.bank != b.bank) return a.bank < b.bank;
    if (a.distance != b.distance) return a.distance < b.distance;
    return a.entry_id < b.entry_id;
  });
  return out;
}

Result<std::vector<Match>> BankSet::match_pdq(store::Store& store, const pdq::Hash256& q,
                                              std::span<const std::string> banks, std::optional<int> threshold,
                                              int64_t now) const {
  auto selected = select(banks, now);
  if (!selected.ok()) return selected.status();
  std::vector<Match> raw;
  std::vector<index::Hit> hits;
  for (const BankIndex* b : selected.value()) {
    hits.clear();
    b->pdq->search(q, threshold.value_or(b->bank.pdq_threshold), &hits);
    for (const auto& h : hits) {
      Match m;
      m.bank_id = b->bank.id;
      m.bank = b->bank.name;
      m.allowlist = b->bank.allowlist;
      m.quarantined = b->bank.quarantined;
      m.entry_id = static_cast<int64_t>(h.id);
      m.distance = h.distance;
      raw.push_back(std::move(m));
    }
  }
  return finish(store, std::move(raw), now);
}

Result<std::vector<Match>> BankSet::match_exact(store::Store& store, store::SignalType type,
                                                std::span<const uint8_t> digest, std::span<const std::string> banks,
                                                int64_t now) const {
  auto selected = select(banks, now);
  if (!selected.ok()) return selected.status();
  std::vector<Match> raw;
  std::vector<uint64_t> ids;
  for (const BankIndex* b : selected.value()) {
    ids.clear();
    b->exact.lookup(digest, &ids);
    for (uint64_t id : ids) {
      Match m;
      m.bank_id = b->bank.id;
      m.bank = b->bank.name;
      m.allowlist = b->bank.allowlist;
      m.quarantined = b->bank.quarantined;
      m.entry_id = static_cast<int64_t>(id);
      raw.push_back(std::move(m));
    }
  }
  auto out = finish(store, std::move(raw), now);
  if (!out.ok()) return out;
  // Digest lengths tell md5 from sha1 from sha256, but not a truncated
  // digest from another type: keep entries of the asked type only.
  std::erase_if(out.value(), [type](const Match& m) { return m.entry.type != type; });
  return out;
}

}  // namespace chainbreak::banks
