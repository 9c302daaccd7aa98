// The Screener's internals, shared by engine*.cc (not a public header).
#pragma once

#include <string>
#include <unordered_map>
#include <vector>

#include "payments/engine.h"
#include "payments/flat_map.h"
#include "payments/state.h"

namespace chainbreak::payments {

struct PairInfo {
  uint32_t first_time = 0;
  uint32_t count = 0;
};

struct HoldRecord {
  int64_t time = 0;  // transaction time
  Outcome outcome = Outcome::kHold;
  uint32_t payer = 0;
  enum Status : uint8_t { kOpen, kReleased, kConfirmed, kAppealed, kUpheld } status = kOpen;
  std::vector<uint32_t> rule_names;  // fired rules (name ids)
};

struct Counters {
  uint64_t fired = 0, held = 0, released = 0, confirmed = 0, snoozed = 0;
};

inline uint64_t pair_key(uint32_t a, uint32_t b) { return (static_cast<uint64_t>(a) + 1) << 32 | (b + 1u); }

struct Screener::Impl {
  RuleSet rules;
  std::vector<Digest> payment_ids;  // sorted
  std::vector<uint32_t> rule_name;  // rule index -> name id

  // State.
  Interner ids;                   // accounts and listed entities
  std::vector<Account> accounts;  // parallel to ids
  U64Map<PairInfo> pairs;
  U64Map<int64_t> snoozes;  // pair_key(entity, rule name) -> until
  Interner rule_names;
  std::vector<Counters> counters;  // by rule name id
  std::unordered_map<std::string, HoldRecord> holds;
  std::vector<int64_t> release_seconds;
  uint64_t screened = 0, held = 0, blocked = 0;

  // Per-transaction scratch (reused).
  const Transaction* tx = nullptr;
  uint32_t payer = 0, payee = 0;
  uint32_t computed = 0;  // group bits
  int64_t iv[kFeatureCount];
  std::string_view sv[kFeatureCount];
  std::string memo_norm;
  bool memo_done = false;
  std::vector<FiredRule> fired;
  std::vector<ReasonValue> values;
  std::vector<uint32_t> snoozed;
  std::vector<int> typ_score, typ_count;
  std::string corridor;
  char cur[3] = {};
  Decision decision;
  uint32_t scratch_gen = 0;
  uint32_t scratch_stamp[1024] = {};
  uint32_t scratch_key[1024] = {};
  uint8_t scratch_windows[1024] = {};

  explicit Impl(size_t expected) : ids(expected), pairs(expected * 2) {}

  uint32_t prepared[2 * Screener::kBatch];
  uint32_t account(std::string_view id) { return account(id, Interner::hash(id)); }
  uint32_t account(std::string_view id, uint64_t h) {
    uint32_t i = ids.intern(id, h);
    if (i >= accounts.size()) {
      accounts.emplace_back();
    }
    return i;
  }
  uint32_t name_id(std::string_view rule_id) {
    uint32_t i = rule_names.intern(rule_id);
    if (i >= counters.size()) counters.emplace_back();
    return i;
  }
  void apply_rules();  // entity lists and rule names
  void compute(Group g);
  bool test(const Condition& c, std::string_view* matched);
  // Distinct-count scratch set over several windows at once: a key counts
  // once per window bit.
  void distinct_reset() {
    if (++scratch_gen == 0) {
      std::fill(std::begin(scratch_stamp), std::end(scratch_stamp), 0);
      scratch_gen = 1;
    }
  }
  // The window bits of `windows` in which key was not seen before (and is now).
  uint8_t distinct_add(uint32_t key, uint8_t windows = 1) {
    for (uint32_t p = static_cast<uint32_t>(mix64(key)) & 1023;; p = (p + 1) & 1023) {
      if (scratch_stamp[p] != scratch_gen) {
        scratch_stamp[p] = scratch_gen;
        scratch_key[p] = key;
        scratch_windows[p] = windows;
        return windows;
      }
      if (scratch_key[p] == key) {
        const uint8_t fresh = windows & ~scratch_windows[p];
        scratch_windows[p] |= windows;
        return fresh;
      }
    }
  }
  bool snoozed_for(uint32_t name, int64_t t) const;
  const Decision& screen(const Transaction& tx, uint32_t payer, uint32_t payee);
};

}  // namespace chainbreak::payments
