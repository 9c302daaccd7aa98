// Durable storage of banks and bank entries behind one interface, with two
// implementations: SQLite (WAL, the embedded default, a file in the data
// directory) and PostgreSQL (libpq, for several replicas sharing one
// database). The store knows nothing about indexes or hashing: it keeps rows,
// and a monotonically increasing change sequence that lets every replica
// follow additions, removals and setting changes without full reloads.
//
// Thread-safety: one Store object is used by one thread at a time (callers
// that share it lock around it); open one Store per thread otherwise. Both
// implementations are safe across processes (SQLite WAL locking, PostgreSQL
// transactions).
//
// Errors: every call returns Status/Result; kInvalidInput for a bad argument
// (unknown bank, duplicate bank name, bad signal type), kIo for a database
// failure (message names the database operation), never an exception.
#pragma once

#include <cstdint>
#include <functional>
#include <memory>
#include <optional>
#include <span>
#include <string>
#include <vector>

#include "util/result.h"

namespace chainbreak::store {

// Signal types a bank entry can hold. Values cross this interface as hex of
// the raw bytes: pdq 64 chars, md5 32, sha1 40, sha256 64 (either case in,
// lowercase out); the databases keep the raw bytes.
enum class SignalType : uint8_t { kPdq = 1, kMd5 = 2, kSha1 = 3, kSha256 = 4 };
// "pdq", "md5", "sha1", "sha256".
const char* signal_type_name(SignalType t);
// Parses a name as above (case-insensitive); nullopt when unknown.
std::optional<SignalType> parse_signal_type(std::string_view name);

// Per-bank settings.
struct Bank {
  int64_t id = 0;    // assigned by the store on create
  std::string name;  // unique; [A-Za-z0-9_.-]{1,64}
  std::string description;
  bool allowlist = false;  // a match here suppresses matches elsewhere
  int pdq_threshold = 31;  // 0..63; per-query default for this bank
  bool enabled = true;
  int64_t disabled_until = 0;  // unix seconds; 0 = not temporarily disabled
  int64_t created_at = 0;      // unix seconds, set by the store
  // Set by the service's match-rate alarm (or a curator): the bank still
  // matches, but no action is taken on its matches until a curator clears
  // it. reason says why ("" when not quarantined).
  bool quarantined = false;
  std::string quarantine_reason;
};

// One signal in a bank with its provenance.
struct Entry {
  int64_t id = 0;  // assigned by the store on add; unique across banks
  int64_t bank_id = 0;
  SignalType type = SignalType::kPdq;
  std::string value;           // lowercase hex, length fixed by type
  std::string external_id;     // id in the source list (NCMEC entry id, ...)
  std::string source_org;      // who supplied it
  std::string classification;  // e.g. A1, A2, B1, B2 (free text otherwise)
  std::string legal_basis;     // e.g. "baseline", a statute reference
  int64_t added_at = 0;        // unix seconds; 0 on add = now
  int64_t expires_at = 0;      // unix seconds; 0 = never
  double confidence = 1.0;     // 0..1
  int32_t up_votes = 0;
  int32_t down_votes = 0;
  bool removed = false;  // tombstone: kept for audit and replicas
  int64_t removed_at = 0;
  bool disabled = false;      // disabled entries never match, can come back
  std::string metadata_json;  // anything else from the source list ("" or a JSON object)
};

// One row of the change log. Every mutation appends exactly one change (or
// one per entry for batch adds/removals) in the same transaction as the
// mutation, with a sequence strictly greater than every earlier one, in
// commit order (a reader that has seen seq N never later finds a new change
// below N). Seqs may have gaps. Calls that change nothing (disabling a
// disabled entry, removing a removed one) append nothing; votes are not
// logged (no kind for them; replicas do not need them to match).
enum class ChangeKind : uint8_t {
  kEntryAdded = 1,     // entry_id set
  kEntryRemoved = 2,   // entry_id set (tombstoned)
  kEntryDisabled = 3,  // entry_id set
  kEntryEnabled = 4,   // entry_id set
  kBankCreated = 5,    // bank_id set
  kBankUpdated = 6,    // bank_id set (settings changed)
  kBankDeleted = 7,    // bank_id set (bank and its entries gone)
};
struct Change {
  int64_t seq = 0;
  ChangeKind kind = ChangeKind::kEntryAdded;
  int64_t bank_id = 0;
  int64_t entry_id = 0;  // 0 for bank-level changes
};

class Store {
 public:
  virtual ~Store() = default;

  // Banks. Settings are validated first (name, pdq_threshold 0..63,
  // disabled_until >= 0, UTF-8 description): kInvalidInput, also for a
  // duplicate name or an unknown id. created_at is set by create_bank and
  // kept by update_bank.
  virtual Result<Bank> create_bank(const Bank& settings) = 0;  // returns it with id, created_at
  virtual Result<std::vector<Bank>> list_banks() = 0;          // ordered by name
  virtual Result<std::optional<Bank>> find_bank(std::string_view name) = 0;
  virtual Status update_bank(const Bank& bank) = 0;  // by id; name may change if unique
  virtual Status delete_bank(int64_t bank_id) = 0;   // removes its entries too

  // Entries. add_entries writes all rows or none (one transaction) and
  // returns their ids in input order. Values are validated (type, hex,
  // length) before anything is written. kInvalidInput names the first bad
  // entry ("entry 12: ..."): bad type/hex/length, confidence outside 0..1,
  // negative timestamps or votes, removed=true, text that is not UTF-8 or
  // holds NUL, metadata_json neither "" nor an object; also unknown bank.
  // Of each Entry, id, bank_id, removed and removed_at are not read; the
  // rest is stored as given (added_at 0 = now).
  virtual Result<std::vector<int64_t>> add_entries(int64_t bank_id, std::span<const Entry> entries) = 0;
  // Tombstones the entries (removed=true, removed_at=now); unknown ids or
  // ids already removed are ignored; returns how many changed.
  virtual Result<int64_t> remove_entries(std::span<const int64_t> entry_ids) = 0;
  // Removes the entries of a bank whose (type, value) is in the list (an
  // NCMEC deletion names the fingerprint, not our id); returns the count.
  // Tombstones like remove_entries. kInvalidInput (nothing removed) for a
  // bad value or an unknown bank.
  virtual Result<int64_t> remove_by_value(int64_t bank_id, SignalType type, std::span<const std::string> values) = 0;
  // A bulk import brackets its add_entries calls with these: in between, a
  // store may leave out work that only pays once at the end (SQLite keeps
  // its value index dropped while the import is large next to the table,
  // and builds it once in end_bulk). Every add_entries stays one atomic,
  // durable transaction, and reads stay correct throughout (only lookups by
  // value may be slower meanwhile; remove_by_value rebuilds what it needs).
  // A process that dies in between leaves nothing inconsistent: the next
  // end_bulk or remove_by_value rebuilds it. end_bulk's errors are the
  // store's (kIo naming the operation). Defaults: nothing to do.
  virtual void begin_bulk() {}
  virtual Status end_bulk() { return Status::Ok(); }
  // kInvalidInput for an unknown id; no change logged when already so.
  virtual Status set_entry_disabled(int64_t entry_id, bool disabled) = 0;
  // Adds to the counters (saturating at INT32_MAX). kInvalidInput when up or
  // down is negative or the id unknown.
  virtual Status vote(int64_t entry_id, int up, int down) = 0;
  virtual Result<std::optional<Entry>> get_entry(int64_t entry_id) = 0;
  // Streams a bank's entries in id order (removed ones only when asked).
  // The callback returns false to stop early. Memory stays bounded. The rows
  // come from one consistent snapshot (a read transaction held while the
  // scan runs); the callback must not call this Store. count_entries and
  // scan_entries return kInvalidInput for an unknown bank.
  virtual Status scan_entries(int64_t bank_id, bool include_removed, const std::function<bool(const Entry&)>& fn) = 0;
  virtual Result<int64_t> count_entries(int64_t bank_id, bool include_removed) = 0;

  // Change log, for replicas and snapshots.
  virtual Result<int64_t> last_change_seq() = 0;  // 0 when empty
  // Changes with seq > after, in seq order, at most limit (>= 1, else
  // kInvalidInput).
  virtual Result<std::vector<Change>> changes_since(int64_t after, int64_t limit) = 0;
};

// Opens (creating if needed) the SQLite database at path in WAL mode with
// the schema applied. kIo naming the path when it cannot.
Result<std::unique_ptr<Store>> open_sqlite(const std::string& path);
// Connects to PostgreSQL (a libpq connection string or postgresql:// URI)
// and applies the schema if missing. kIo with libpq's message otherwise.
Result<std::unique_ptr<Store>> open_postgres(const std::string& conninfo);
// "postgresql://..." or "postgres://..." or "host=..." -> open_postgres,
// anything else is a SQLite file path.
Result<std::unique_ptr<Store>> open_store(const std::string& location);

}  // namespace chainbreak::store
