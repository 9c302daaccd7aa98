// The SQLite store's class, shared by sqlite_store.cc (open, schema, banks,
// change log) and sqlite_entries.cc (entries). Internal to src/store.
#pragma once

#include <sqlite3.h>

#include "store/sqlite_db.h"
#include "store/store.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {

// The index remove_by_value uses; add_entries may drop and rebuild it.
#define VALUE_INDEX "entries_by_value ON entries(bank_id, type, value)"
inline constexpr const char* kCreateValueIndex = "CREATE INDEX IF NOT EXISTS " VALUE_INDEX;
// A batch at least this large and kRebuildFactor times larger than the
// table (a first import) goes in without the value index, rebuilt by
// sorting at the end of the batch, or of the bulk import (begin_bulk):
// random inserts into that index are half the cost.
inline constexpr size_t kRebuildMin = 20000;
inline constexpr int64_t kRebuildFactor = 4;

#define SQLITE_ENTRY_COLS                                                                                  \
  "id, bank_id, type, value, external_id, source_org, classification, legal_basis, added_at, expires_at, " \
  "confidence, up_votes, down_votes, removed, removed_at, disabled, metadata_json"

// An entry from a row of SELECT SQLITE_ENTRY_COLS.
Entry read_entry(const SqliteStmt& s);

class SqliteStore final : public Store {
 public:
  explicit SqliteStore(sqlite3* db) : db_(db) {}
  ~SqliteStore() override {
    // Statements are finalized by their members' destructors, which run
    // after this body: close_v2 defers the close until they are gone.
    sqlite3_close_v2(db_);
  }

  Status init(const std::string& path);

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
  void begin_bulk() override { bulk_ = true; }
  Status end_bulk() override;

 private:
  Status error(std::string_view op) const { return sqlite_error(db_, op); }
  SqliteTxn txn() { return SqliteTxn(db_, begin_, commit_, rollback_); }
  // kInvalidInput when no bank has this id.
  Status check_bank(int64_t bank_id, std::string_view op);
  // Whether the value index exists (add_entries may have dropped it).
  Result<bool> value_index_present(std::string_view op);
  bool bulk_ = false;  // between begin_bulk and end_bulk
  // kInvalidInput when another bank (id != except_id) has this name.
  Status check_name_free(const std::string& name, int64_t except_id, std::string_view op);
  Status log_change(ChangeKind kind, int64_t bank_id, int64_t entry_id, std::string_view op);
  // Binds the parameters of entry_insert_.
  void bind_entry(int64_t id, int64_t bank_id, const Entry& e, std::string_view raw, int64_t now);

  sqlite3* db_;
  SqliteStmt begin_, commit_, rollback_;
  SqliteStmt bank_insert_, bank_by_name_, bank_by_id_, bank_list_, bank_update_, bank_delete_;
  SqliteStmt change_insert_, last_seq_, changes_since_;
  SqliteStmt entry_insert_, next_entry_id_, set_entry_high_water_, changes_for_range_, entry_remove_,
      entry_remove_value_, entry_state_, entry_set_disabled_, entry_vote_;
  SqliteStmt entry_get_, scan_all_, scan_live_, count_all_, count_live_;
};

}  // namespace chainbreak::store::internal
