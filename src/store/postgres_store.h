// The PostgreSQL store's class and what its two files share:
// postgres_store.cc (connect, schema, banks, change log) and
// postgres_entries.cc (entries). Internal to src/store.
#pragma once

#include <span>
#include <string>

#include "store/pg_db.h"
#include "store/store.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {

// Opens every writing transaction: holds the change log lock until commit
// (see postgres_store.cc).
inline constexpr const char* kBeginWrite = "BEGIN; LOCK TABLE changes IN EXCLUSIVE MODE";

#define PG_ENTRY_COLS                                                                                      \
  "id, bank_id, type, value, external_id, source_org, classification, legal_basis, added_at, expires_at, " \
  "confidence, up_votes, down_votes, removed, removed_at, disabled, metadata_json"

// Text parameters.
inline std::string str(int64_t v) { return std::to_string(v); }
inline std::string str(bool v) { return v ? "t" : "f"; }

class PostgresStore final : public Store {
 public:
  Status init(const std::string& conninfo);

  Result<Bank> create_bank(const Bank& settings) override;
  Result<std::vector<Bank>> list_banks() override;
  Result<std::optional<Bank>> find_bank(std::string_view name) override;
  Status update_bank(const Bank& bank) override;
  Status delete_bank(int64_t bank_id) override;
  Result<std::vector<int64_t>> add_entries(int64_t bank_id, std::span<const Entry> entries) override;
  Result<int64_t> remove_entries(std::span<const int64_t> entry_ids) override;
  Result<int64_t> remove_by_value(int64_t bank_id, SignalType type, std::span<const std::string> values) override;
  Status set_entry_disabled(int64_t entry_id, bool disabled) override;
  Status vote(int64_t entry_id, int up, int down) override;
  Result<std::optional<Entry>> get_entry(int64_t entry_id) override;
  Status scan_entries(int64_t bank_id, bool include_removed, const std::function<bool(const Entry&)>& fn) override;
  Result<int64_t> count_entries(int64_t bank_id, bool include_removed) override;
  Result<int64_t> last_change_seq() override;
  Result<std::vector<Change>> changes_since(int64_t after, int64_t limit) override;

 private:
  // kInvalidInput when no bank has this id.
  Status check_bank(int64_t bank_id, std::string_view op);
  // Appends one change row per entry id (in order) with COPY, or one INSERT.
  Status log_changes(ChangeKind kind, std::span<const int64_t> bank_ids, std::span<const int64_t> entry_ids,
                     std::string_view op);
  Status log_change(ChangeKind kind, int64_t bank_id, int64_t entry_id, std::string_view op) {
    return log_changes(kind, std::span(&bank_id, 1), std::span(&entry_id, 1), op);
  }

  PgConn db_;
};

}  // namespace chainbreak::store::internal
