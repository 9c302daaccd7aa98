// The SQLite store's entry operations (see sqlite_store.h).
#include <algorithm>
#include <vector>

#include "store/sqlite_store.h"

namespace chainbreak::store::internal {

Entry read_entry(const SqliteStmt& s) {
  Entry e;
  e.id = s.i64(0);
  e.bank_id = s.i64(1);
  e.type = static_cast<SignalType>(s.i64(2));
  e.value = bytes_to_hex(s.text(3));
  e.external_id = s.text(4);
  e.source_org = s.text(5);
  e.classification = s.text(6);
  e.legal_basis = s.text(7);
  e.added_at = s.i64(8);
  e.expires_at = s.i64(9);
  e.confidence = s.f64(10);
  e.up_votes = static_cast<int32_t>(s.i64(11));
  e.down_votes = static_cast<int32_t>(s.i64(12));
  e.removed = s.i64(13) != 0;
  e.removed_at = s.i64(14);
  e.disabled = s.i64(15) != 0;
  e.metadata_json = s.text(16);
  return e;
}

Result<std::vector<int64_t>> SqliteStore::add_entries(int64_t bank_id, std::span<const Entry> entries) {
  constexpr std::string_view op = "add_entries";
  // Validate and decode everything first: raw values back to back in one
  // buffer (their lengths follow from their types).
  std::string raws;
  if (Status s = validate_entries(entries, op, &raws); !s.ok()) return s;
  if (entries.empty()) {
    if (Status s = check_bank(bank_id, op); !s.ok()) return s;
    return std::vector<int64_t>{};
  }
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  // Ids are given explicitly, consecutive from the next unused one: no
  // other writer can run inside this BEGIN IMMEDIATE transaction.
  int64_t first_id;
  {
    StmtUse use(next_entry_id_);
    if (step(next_entry_id_) != SQLITE_ROW) return error(op);
    first_id = next_entry_id_.i64(0);
  }
  const int64_t now = now_seconds();
  const size_t n = entries.size();
  // first_id - 1 bounds the rows in the table from above. A bulk import
  // keeps the index dropped from its first large batch to end_bulk().
  auto present = value_index_present(op);
  if (!present.ok()) return present.status();
  const bool rebuild =
      !present.value() || (n >= kRebuildMin && static_cast<int64_t>(n) >= kRebuildFactor * (first_id - 1));
  if (rebuild && present.value()) {
    if (Status s = sqlite_exec(db_, "DROP INDEX IF EXISTS entries_by_value", op); !s.ok()) return s;
  }
  // Rows go in ordered by (type, value): the value index then takes them
  // as a merge (each of its pages touched once per batch) instead of one
  // random descent per row, which dominates once it outgrows the cache.
  // Ids still follow input order.
  std::vector<std::string_view> raw_of(n);
  std::vector<uint32_t> order(n);
  for (size_t i = 0, off = 0; i < n; ++i) {
    raw_of[i] = std::string_view(raws).substr(off, value_bytes(entries[i].type));
    off += raw_of[i].size();
    order[i] = static_cast<uint32_t>(i);
  }
  // Without the index (dropped for a rebuild), id order instead: the rows
  // are then appends to the table, and the index is built by one sort.
  if (!rebuild) {
    std::sort(order.begin(), order.end(), [&](uint32_t a, uint32_t b) {
      if (entries[a].type != entries[b].type) return entries[a].type < entries[b].type;
      return raw_of[a] < raw_of[b];
    });
  }
  for (uint32_t i : order) {
    StmtUse use(entry_insert_);
    bind_entry(first_id + static_cast<int64_t>(i), bank_id, entries[i], raw_of[i], now);
    if (step(entry_insert_) != SQLITE_DONE) return error(op);
  }
  if (rebuild && !bulk_) {
    if (Status s = sqlite_exec(db_, kCreateValueIndex, op); !s.ok()) return s;
  }
  const int64_t last_id = first_id + static_cast<int64_t>(n) - 1;
  {
    StmtUse use(changes_for_range_);
    changes_for_range_.bind(1, bank_id);
    changes_for_range_.bind(2, first_id);
    changes_for_range_.bind(3, last_id);
    if (step(changes_for_range_) != SQLITE_DONE) return error(op);
  }
  {
    StmtUse use(set_entry_high_water_);
    set_entry_high_water_.bind(1, last_id);
    if (step(set_entry_high_water_) != SQLITE_DONE) return error(op);
  }
  if (Status s = t.commit(op); !s.ok()) return s;
  std::vector<int64_t> ids(n);
  for (size_t k = 0; k < n; ++k) ids[k] = first_id + static_cast<int64_t>(k);
  return ids;
}

void SqliteStore::bind_entry(int64_t id, int64_t bank_id, const Entry& e, std::string_view raw, int64_t now) {
  SqliteStmt& st = entry_insert_;
  st.bind(1, id);
  st.bind(2, bank_id);
  st.bind(3, static_cast<int64_t>(e.type));
  st.bind_blob(4, raw);
  st.bind_text(5, e.external_id);
  st.bind_text(6, e.source_org);
  st.bind_text(7, e.classification);
  st.bind_text(8, e.legal_basis);
  st.bind(9, e.added_at == 0 ? now : e.added_at);
  st.bind(10, e.expires_at);
  st.bind(11, e.confidence);
  st.bind(12, int64_t{e.up_votes});
  st.bind(13, int64_t{e.down_votes});
  st.bind(14, int64_t{e.disabled});
  st.bind_text(15, e.metadata_json);
}

Result<int64_t> SqliteStore::remove_entries(std::span<const int64_t> entry_ids) {
  constexpr std::string_view op = "remove_entries";
  if (entry_ids.empty()) return int64_t{0};
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  const int64_t now = now_seconds();
  int64_t changed = 0;
  for (int64_t id : entry_ids) {
    int64_t bank_id = 0;
    {
      StmtUse use(entry_remove_);
      entry_remove_.bind(1, id);
      entry_remove_.bind(2, now);
      int rc = step(entry_remove_);
      if (step_failed(rc)) return error(op);
      if (rc == SQLITE_DONE) continue;  // unknown or already removed
      bank_id = entry_remove_.i64(0);
      if (step(entry_remove_) != SQLITE_DONE) return error(op);
    }
    if (Status s = log_change(ChangeKind::kEntryRemoved, bank_id, id, op); !s.ok()) return s;
    ++changed;
  }
  if (Status s = t.commit(op); !s.ok()) return s;
  return changed;
}

Result<int64_t> SqliteStore::remove_by_value(int64_t bank_id, SignalType type, std::span<const std::string> values) {
  constexpr std::string_view op = "remove_by_value";
  std::vector<std::string> raws(values.size());
  for (size_t i = 0; i < values.size(); ++i) {
    if (Status s = hex_to_bytes(type, values[i], raws[i]); !s.ok()) {
      return with_context(s, std::string(op) + ": value " + std::to_string(i));
    }
  }
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  // The value index, if a bulk import left it dropped (a lookup by value
  // would otherwise scan the table).
  if (Status s = sqlite_exec(db_, kCreateValueIndex, op); !s.ok()) return s;
  const int64_t now = now_seconds();
  std::vector<int64_t> removed;
  for (const std::string& raw : raws) {
    StmtUse use(entry_remove_value_);
    entry_remove_value_.bind(1, bank_id);
    entry_remove_value_.bind(2, static_cast<int64_t>(type));
    entry_remove_value_.bind_blob(3, raw);
    entry_remove_value_.bind(4, now);
    int rc;
    while ((rc = step(entry_remove_value_)) == SQLITE_ROW) removed.push_back(entry_remove_value_.i64(0));
    if (rc != SQLITE_DONE) return error(op);
  }
  for (int64_t id : removed) {
    if (Status s = log_change(ChangeKind::kEntryRemoved, bank_id, id, op); !s.ok()) return s;
  }
  if (Status s = t.commit(op); !s.ok()) return s;
  return static_cast<int64_t>(removed.size());
}

Status SqliteStore::set_entry_disabled(int64_t entry_id, bool disabled) {
  constexpr std::string_view op = "set_entry_disabled";
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  int64_t bank_id;
  {
    StmtUse use(entry_state_);
    entry_state_.bind(1, entry_id);
    int rc = step(entry_state_);
    if (rc == SQLITE_DONE) return InvalidInput(std::string(op) + ": unknown entry id " + std::to_string(entry_id));
    if (rc != SQLITE_ROW) return error(op);
    if ((entry_state_.i64(1) != 0) == disabled) return Status::Ok();  // already so: nothing to log
    bank_id = entry_state_.i64(0);
  }
  {
    StmtUse use(entry_set_disabled_);
    entry_set_disabled_.bind(1, entry_id);
    entry_set_disabled_.bind(2, int64_t{disabled});
    if (step(entry_set_disabled_) != SQLITE_DONE) return error(op);
  }
  ChangeKind kind = disabled ? ChangeKind::kEntryDisabled : ChangeKind::kEntryEnabled;
  if (Status s = log_change(kind, bank_id, entry_id, op); !s.ok()) return s;
  return t.commit(op);
}

Status SqliteStore::vote(int64_t entry_id, int up, int down) {
  constexpr std::string_view op = "vote";
  if (Status s = validate_votes(up, down); !s.ok()) return with_context(s, op);
  StmtUse use(entry_vote_);  // one statement: its own transaction
  entry_vote_.bind(1, entry_id);
  entry_vote_.bind(2, int64_t{up});
  entry_vote_.bind(3, int64_t{down});
  if (step(entry_vote_) != SQLITE_DONE) return error(op);
  if (sqlite3_changes(db_) == 0) {
    return InvalidInput(std::string(op) + ": unknown entry id " + std::to_string(entry_id));
  }
  return Status::Ok();
}

Result<std::optional<Entry>> SqliteStore::get_entry(int64_t entry_id) {
  StmtUse use(entry_get_);
  entry_get_.bind(1, entry_id);
  int rc = step(entry_get_);
  if (rc == SQLITE_ROW) return std::optional<Entry>(read_entry(entry_get_));
  if (rc == SQLITE_DONE) return std::optional<Entry>();
  return error("get_entry");
}

Status SqliteStore::scan_entries(int64_t bank_id, bool include_removed, const std::function<bool(const Entry&)>& fn) {
  constexpr std::string_view op = "scan_entries";
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  SqliteStmt& q = include_removed ? scan_all_ : scan_live_;
  StmtUse use(q);  // one statement: one consistent read snapshot
  q.bind(1, bank_id);
  int rc;
  while ((rc = step(q)) == SQLITE_ROW) {
    if (!fn(read_entry(q))) return Status::Ok();
  }
  return rc == SQLITE_DONE ? Status::Ok() : error(op);
}

Result<int64_t> SqliteStore::count_entries(int64_t bank_id, bool include_removed) {
  constexpr std::string_view op = "count_entries";
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  SqliteStmt& q = include_removed ? count_all_ : count_live_;
  StmtUse use(q);
  q.bind(1, bank_id);
  if (step(q) != SQLITE_ROW) return error(op);
  return q.i64(0);
}

Result<bool> SqliteStore::value_index_present(std::string_view op) {
  SqliteStmt q;
  if (Status s =
          q.prepare(db_, "SELECT count(*) FROM sqlite_master WHERE type = 'index' AND name = 'entries_by_value'");
      !s.ok()) {
    return s;
  }
  StmtUse use(q);
  if (step(q) != SQLITE_ROW) return error(op);
  return q.i64(0) > 0;
}

Status SqliteStore::end_bulk() {
  constexpr std::string_view op = "end_bulk";
  bulk_ = false;
  auto present = value_index_present(op);
  if (!present.ok()) return present.status();
  if (present.value()) return Status::Ok();
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = sqlite_exec(db_, kCreateValueIndex, op); !s.ok()) return s;
  return t.commit(op);
}

}  // namespace chainbreak::store::internal
