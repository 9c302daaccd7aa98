// BankSet: the in-memory indexes of every bank in a store, kept in step
// with the store's change log, and matching with bank rules applied:
//   - per-bank threshold (PDQ), enabled flag and disabled-until time;
//   - entries removed, disabled or expired never match;
//   - allowlist banks: a signal that matches an allowlist entry has its other
//     matches reported as suppressed (the allowlist matches are reported too).
//
// Snapshots: with a snapshot directory, each bank's indexes are saved there
// (PDQ index snapshot plus the exact digests, tagged with the change
// sequence they reflect) and loaded on open, so opening a large bank costs
// a file read plus the changes made since, not a full rebuild.
//
// Thread-safety: match_*() may run concurrently with each other; refresh()
// and save_snapshots() must not run concurrently with anything else on the
// same BankSet (the service serialises them; the index itself tolerates
// readers during writes).
// Ownership: the BankSet does not keep the Store; callers pass it in.
#pragma once

#include <cstdint>
#include <map>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "banks/entry_cache.h"
#include "index/exact_index.h"
#include "index/pdq_index.h"
#include "store/store.h"
#include "util/result.h"

namespace chainbreak::banks {

struct Match {
  int64_t bank_id = 0;
  std::string bank;
  bool allowlist = false;    // the match is on an allowlist bank
  bool suppressed = false;   // a match whose signal also matched an allowlist entry
  bool quarantined = false;  // the bank is quarantined: report, do not act
  int64_t entry_id = 0;
  int distance = 0;    // 0 for exact digests
  store::Entry entry;  // the entry's provenance (value, external id, classification, ...)
};

class BankSet {
 public:
  // Builds (or loads from snapshot_dir when given and non-empty) the indexes
  // of every bank, then applies the changes made since. Errors: the store's.
  static Result<std::unique_ptr<BankSet>> open(store::Store& store, const std::string& snapshot_dir = "");

  // Applies the store's changes since the last refresh (or open).
  Status refresh(store::Store& store);
  // Saves every bank's indexes to the snapshot directory given to open(),
  // when anything was built or changed since open() or the last save (a
  // read-only run writes nothing).
  Status save_snapshots();

  // PDQ matches of q in the named banks (all enabled banks when empty), plus
  // every enabled allowlist bank. threshold overrides the banks' own when
  // set. now: unix seconds, for expiry and disabled-until. Errors: unknown
  // bank name (kInvalidInput), store errors.
  Result<std::vector<Match>> match_pdq(store::Store& store, const pdq::Hash256& q, std::span<const std::string> banks,
                                       std::optional<int> threshold, int64_t now) const;
  // Exact-digest matches (md5, sha1, sha256 as raw bytes), same rules.
  Result<std::vector<Match>> match_exact(store::Store& store, store::SignalType type, std::span<const uint8_t> digest,
                                         std::span<const std::string> banks, int64_t now) const;

  int64_t seq() const { return seq_; }
  // Live PDQ entries of a bank's index (0 for an unknown bank).
  size_t pdq_size(int64_t bank_id) const;

 private:
  struct BankIndex {
    store::Bank bank;
    int64_t seq = 0;  // change sequence this bank's indexes reflect
    std::unique_ptr<index::PdqIndex> pdq;
    index::ExactIndex exact;
  };
  BankSet() = default;
  Status build_bank(store::Store& store, const store::Bank& bank, int64_t seq);
  Status apply(store::Store& store, const store::Change& change);
  void add_entry(BankIndex& b, const store::Entry& e);
  void remove_entry(BankIndex& b, const store::Entry& e);
  bool load_snapshot(const store::Bank& bank);
  static bool usable(const store::Bank& b, int64_t now);
  Result<std::vector<const BankIndex*>> select(std::span<const std::string> names, int64_t now) const;
  Result<std::vector<Match>> finish(store::Store& store, std::vector<Match> raw, int64_t now) const;

  std::string snapshot_dir_;
  int64_t seq_ = 0;
  bool modified_ = false;                                // indexes differ from the snapshots on disk
  std::map<int64_t, std::unique_ptr<BankIndex>> banks_;  // by bank id
  // Entries read while matching (see entry_cache.h); mutable: a cache, not
  // state (match_* are const and concurrent).
  mutable EntryCache entries_;
};

}  // namespace chainbreak::banks
