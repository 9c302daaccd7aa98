// The payment screening engine: per-account rolling state, rules and
// typologies (rules.h), red/amber/green entity lists, payment-identifier
// signals, decisions with reasons, and redress (release, confirm, appeal,
// snooze, green-list) feeding back into the state. docs/PAYMENTS.md
// describes the formats and the decision logic.
//
// Decision logic: a typology's score is the sum of the weights of its rules
// that fired; it holds at >= hold and blocks at >= block only when at least
// two distinct rules of it fired (a single weak indicator can at most hold).
// The decision is the strongest over typologies; the score the highest
// typology score. A red-listed payer, payee or wallet blocks; amber holds;
// green (rules file or redress) turns a rule-based hold into allow (never a
// block or a list hold). A rule snoozed for the payer, payee or wallet does
// not fire (it is reported under "snoozed").
//
// Time: the engine runs on transaction time (the "time" field); streams are
// expected in time order. Redress calls carry their own time.
//
// Thread-safety: a Screener is not thread-safe: one thread at a time (the
// HTTP adapter serialises calls with a mutex). Everything it returns by
// reference or view is valid until the next call that screens a
// transaction or changes the rules.
#pragma once

#include <algorithm>
#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "payments/rules.h"
#include "payments/text.h"
#include "payments/transaction.h"
#include "util/result.h"

namespace chainbreak::payments {

struct Options {
  RuleSet rules;
  // SHA-256 digests of normalised payment identifiers (text.h) from banks;
  // tx.wallet_in_bank and payee.id_in_bank look the transaction's up here.
  std::vector<Digest> payment_ids;
  size_t expected_accounts = 1024;  // sizes the tables (they grow as needed)
};

enum class Outcome : uint8_t { kAllow, kHold, kBlock };
const char* outcome_name(Outcome o);  // "allow", "hold", "block"

struct ReasonValue {
  F feature;
  int64_t value;          // kMissing never appears (a condition over it fails)
  std::string_view text;  // string kinds; memo: the list term that matched
};
struct FiredRule {
  uint32_t rule;                   // index into rules().rules
  uint32_t first_value, n_values;  // into Decision::values
};
enum class ListHit : uint8_t { kNone, kRed, kAmber, kGreen };

struct Decision {
  std::string_view id;
  Outcome outcome = Outcome::kAllow;
  int score = 0;
  std::span<const FiredRule> fired;
  std::span<const ReasonValue> values;
  std::span<const uint32_t> snoozed;  // rules that matched but are snoozed
  ListHit list = ListHit::kNone;
  std::string_view list_entity;  // the listed id
};

// Redress events (also the journal's record of them).
struct RedressEvent {
  enum class Kind : uint8_t { kRelease, kConfirm, kAppeal, kSnooze, kGreen };
  enum class Appeal : uint8_t { kPending, kUpheld, kReversed };
  Kind kind = Kind::kRelease;
  int64_t at = 0;     // unix seconds when it happened
  std::string tx_id;  // release, confirm, appeal
  Appeal appeal = Appeal::kPending;
  std::string rule, entity;  // snooze: rule id and entity; green: entity
  int64_t until = 0;         // snooze: unix seconds
  bool on = true;            // green: add (true) or remove
  std::string actor, note;   // free text, kept in the journal
};
std::string redress_to_json(const RedressEvent& e);
Result<RedressEvent> redress_from_json(std::string_view json);

struct RuleStats {
  std::string rule;
  uint64_t fired = 0;      // times it fired (snoozed matches excluded)
  uint64_t held = 0;       // ... in a decision that held or blocked
  uint64_t released = 0;   // false positives: holds released / appeals reversed
  uint64_t confirmed = 0;  // holds confirmed / appeals upheld
  uint64_t snoozed = 0;    // matches suppressed by a snooze
};
struct Stats {
  uint64_t screened = 0, held = 0, blocked = 0;
  uint64_t open_holds = 0, released = 0, confirmed = 0, appeals = 0;
  std::vector<RuleStats> rules;          // every rule id ever seen, by id
  std::vector<int64_t> release_seconds;  // hold (tx time) -> release time, each release
  int64_t median_release_seconds = -1;   // -1 when none
};

class Screener {
 public:
  // Errors: kInvalidInput when options.rules is empty (no typologies).
  static Result<std::unique_ptr<Screener>> open(Options options);
  ~Screener();

  // Screens one transaction and updates the state (the windows count every
  // screened transaction, whatever the decision). Never fails.
  const Decision& screen(const Transaction& tx);
  // Screens txs in order, calling fn(i, decision) after each; the same as
  // screen() one by one, but overlaps the memory accesses of neighbouring
  // transactions (use batches of about 16).
  template <class Fn>
  void screen_batch(std::span<const Transaction> txs, Fn&& fn) {
    for (size_t i = 0; i < txs.size(); i += kBatch) {
      size_t n = std::min(kBatch, txs.size() - i);
      prepare(txs.subspan(i, n));
      for (size_t k = 0; k < n; ++k) fn(i + k, screen_prepared(txs[i + k], k));
    }
  }
  static constexpr size_t kBatch = 32;
  // Appends the decision line ({"id","decision","score","reasons"}) without
  // a newline.
  void append_json(const Decision& d, std::string& out) const;
  // Appends an error decision line for a malformed input line; id may be
  // empty with has_id false (null).
  static void append_error_json(bool has_id, std::string_view id, uint64_t line, const FieldError& err,
                                std::string& out);

  const RuleSet& rules() const;
  // Replaces the rules (entity lists re-applied); state, snoozes, holds and
  // counters are kept (counters by rule id).
  void set_rules(RuleSet rules);
  void set_payment_ids(std::vector<Digest> ids);
  const std::vector<Digest>& payment_ids() const;

  // Redress. kInvalidInput: unknown transaction id, or a transaction not in
  // the state the event needs (release/confirm: an open hold or block;
  // appeal: a block), unknown rule id (snooze), empty entity.
  Status apply(const RedressEvent& e);

  Stats stats() const;

  // Snapshot of the whole state to path (written to path.tmp, fsynced,
  // renamed), tagged with a caller value (the journal offset it reflects).
  Status save(const std::string& path, uint64_t tag) const;
  // Replaces the state from a snapshot; returns its tag. kInvalidInput for a
  // corrupt or foreign file, kIo when unreadable. Rules are not part of the
  // state (the caller sets them).
  Result<uint64_t> load(const std::string& path);

 private:
  struct Impl;
  explicit Screener(std::unique_ptr<Impl> impl);
  void prepare(std::span<const Transaction> txs);  // interns ids, prefetches state
  const Decision& screen_prepared(const Transaction& tx, size_t k);
  std::unique_ptr<Impl> impl_;
};

}  // namespace chainbreak::payments
