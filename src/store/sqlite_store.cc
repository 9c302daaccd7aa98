// The SQLite store: one connection, statements prepared once at open and
// reused, every mutation in one BEGIN IMMEDIATE transaction together with
// its change rows. SQLite serialises writers (one write transaction at a time
// per database file), so change sequence numbers are assigned in commit order.
//
// Durability: WAL with synchronous=FULL. With NORMAL a committed transaction
// survives a crash of the process (kill -9) but the last commits can be lost
// on power failure or an OS crash, because the WAL is only synced at
// checkpoints. FULL syncs the WAL on every commit. Our writes come in few,
// batched transactions (a list import is one add_entries call), so the sync
// per commit costs little, and an acknowledged removal of a wrongly listed
// hash must not come back after a power cut.
#include "store/sqlite_store.h"

namespace chainbreak::store {
namespace internal {
namespace {

constexpr int kSchemaVersion = 1;

// Schema version 1. Ids and seqs are never reused after deletions (replicas
// and audit records refer to them): banks and changes by AUTOINCREMENT;
// entries, whose ids add_entries assigns itself (one consecutive range per
// batch, so that each row is one plain INSERT without AUTOINCREMENT's
// per-statement bookkeeping), by the high-water mark kept in high_water.
// The value index is created separately (kCreateValueIndex).
constexpr const char* kSchema = R"sql(
CREATE TABLE IF NOT EXISTS banks (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  description TEXT NOT NULL,
  allowlist INTEGER NOT NULL,
  pdq_threshold INTEGER NOT NULL,
  enabled INTEGER NOT NULL,
  disabled_until INTEGER NOT NULL,
  created_at INTEGER NOT NULL,
  quarantined INTEGER NOT NULL DEFAULT 0,
  quarantine_reason TEXT NOT NULL DEFAULT ''
);
CREATE TABLE IF NOT EXISTS entries (
  id INTEGER PRIMARY KEY,
  bank_id INTEGER NOT NULL REFERENCES banks(id) ON DELETE CASCADE,
  type INTEGER NOT NULL,
  value BLOB NOT NULL,
  external_id TEXT NOT NULL,
  source_org TEXT NOT NULL,
  classification TEXT NOT NULL,
  legal_basis TEXT NOT NULL,
  added_at INTEGER NOT NULL,
  expires_at INTEGER NOT NULL,
  confidence REAL NOT NULL,
  up_votes INTEGER NOT NULL,
  down_votes INTEGER NOT NULL,
  removed INTEGER NOT NULL,
  removed_at INTEGER NOT NULL,
  disabled INTEGER NOT NULL,
  metadata_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS entries_by_bank ON entries(bank_id);
CREATE TABLE IF NOT EXISTS high_water (
  name TEXT PRIMARY KEY,
  value INTEGER NOT NULL
) WITHOUT ROWID;
CREATE TABLE IF NOT EXISTS changes (
  seq INTEGER PRIMARY KEY AUTOINCREMENT,
  kind INTEGER NOT NULL,
  bank_id INTEGER NOT NULL,
  entry_id INTEGER NOT NULL
);
)sql";

// Added to version 1 without a version change (older builds, which name
// their columns, still read and write these databases): banks gained the
// quarantine columns, with defaults, added on open where missing.
constexpr const char* kAddQuarantine =
    "ALTER TABLE banks ADD COLUMN quarantined INTEGER NOT NULL DEFAULT 0; "
    "ALTER TABLE banks ADD COLUMN quarantine_reason TEXT NOT NULL DEFAULT ''";

#define BANK_COLS                                                                                       \
  "id, name, description, allowlist, pdq_threshold, enabled, disabled_until, created_at, quarantined, " \
  "quarantine_reason"

Bank read_bank(const SqliteStmt& s) {
  Bank b;
  b.id = s.i64(0);
  b.name = s.text(1);
  b.description = s.text(2);
  b.allowlist = s.i64(3) != 0;
  b.pdq_threshold = static_cast<int>(s.i64(4));
  b.enabled = s.i64(5) != 0;
  b.disabled_until = s.i64(6);
  b.created_at = s.i64(7);
  b.quarantined = s.i64(8) != 0;
  b.quarantine_reason = s.text(9);
  return b;
}

// True when the banks table has a column of this name.
Result<bool> has_column(sqlite3* db, const char* column) {
  SqliteStmt s;
  if (Status st = s.prepare(db, "SELECT count(*) FROM pragma_table_info('banks') WHERE name = ?1"); !st.ok()) {
    return st;
  }
  StmtUse use(s);
  s.bind_text(1, column);
  if (step(s) != SQLITE_ROW) return sqlite_error(db, "apply schema");
  return s.i64(0) > 0;
}

}  // namespace

Status SqliteStore::init(const std::string& path) {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);
  {
    SqliteStmt wal;
    if (Status s = wal.prepare(db_, "PRAGMA journal_mode=WAL"); !s.ok()) return s;
    StmtUse use(wal);
    if (step(wal) != SQLITE_ROW) return error("enable WAL");
    std::string mode = wal.text(0);
    if (mode != "wal" && path != ":memory:") return IoError("sqlite enable WAL: journal mode stays " + mode);
  }
  // A 1 GiB page cache (grown only as used) keeps the value index of a few
  // million entries in memory during bulk adds; temporary structures (the
  // sort of an index rebuild) stay in memory too. Reads go through a memory
  // map of the database file (up to SQLite's compiled limit): the service
  // reads an entry per match, and a page in the map costs no system call.
  if (Status s = sqlite_exec(db_,
                             "PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA cache_size=-1048576; "
                             "PRAGMA temp_store=MEMORY; PRAGMA mmap_size=68719476736",
                             "configure");
      !s.ok()) {
    return s;
  }
  if (Status s = sqlite_exec(db_, "BEGIN IMMEDIATE", "apply schema"); !s.ok()) return s;
  int version = -1;
  {
    SqliteStmt v;
    if (Status s = v.prepare(db_, "PRAGMA user_version"); !s.ok()) return s;
    StmtUse use(v);
    if (step(v) == SQLITE_ROW) version = static_cast<int>(v.i64(0));
  }
  Status s;
  if (version < 0 || version > kSchemaVersion) {
    s = IoError("sqlite apply schema: database schema version " + std::to_string(version) +
                " is not supported by this build (knows " + std::to_string(kSchemaVersion) + ")");
  } else if (version < kSchemaVersion) {
    s = sqlite_exec(db_, kSchema, "apply schema");
    if (s.ok()) s = sqlite_exec(db_, kCreateValueIndex, "apply schema");
    if (s.ok()) s = sqlite_exec(db_, "PRAGMA user_version=1", "apply schema");
  }
  if (s.ok()) {
    Result<bool> has = has_column(db_, "quarantined");
    if (!has.ok()) {
      s = has.status();
    } else if (!has.value()) {
      s = sqlite_exec(db_, kAddQuarantine, "add quarantine columns");
    }
  }
  if (!s.ok()) {
    sqlite_exec(db_, "ROLLBACK", "apply schema");
    return s;
  }
  if (Status c = sqlite_exec(db_, "COMMIT", "apply schema"); !c.ok()) return c;

  struct P {
    SqliteStmt* stmt;
    const char* sql;
  };
  const P prepared[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&bank_insert_,
       "INSERT INTO banks (name, description, allowlist, pdq_threshold, enabled, disabled_until, created_at, "
       "quarantined, quarantine_reason) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9)"},
      {&bank_by_name_, "SELECT " BANK_COLS " FROM banks WHERE name = ?1"},
      {&bank_by_id_, "SELECT " BANK_COLS " FROM banks WHERE id = ?1"},
      {&bank_list_, "SELECT " BANK_COLS " FROM banks ORDER BY name"},
      {&bank_update_,
       "UPDATE banks SET name = ?2, description = ?3, allowlist = ?4, pdq_threshold = ?5, enabled = ?6, "
       "disabled_until = ?7, quarantined = ?8, quarantine_reason = ?9 WHERE id = ?1"},
      {&bank_delete_, "DELETE FROM banks WHERE id = ?1"},
      {&change_insert_, "INSERT INTO changes (kind, bank_id, entry_id) VALUES (?1, ?2, ?3)"},
      {&last_seq_, "SELECT coalesce(max(seq), 0) FROM changes"},
      {&changes_since_, "SELECT seq, kind, bank_id, entry_id FROM changes WHERE seq > ?1 ORDER BY seq LIMIT ?2"},
      // One row per statement: a multi-row INSERT makes SQLite journal every
      // page it touches so as to undo that statement alone (measured slower).
      {&entry_insert_, "INSERT INTO entries (" SQLITE_ENTRY_COLS
                       ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, ?13, 0, 0, ?14, ?15)"},
      {&next_entry_id_,
       "SELECT max(coalesce((SELECT value FROM high_water WHERE name = 'entries'), 0), "
       "coalesce((SELECT max(id) FROM entries), 0)) + 1"},
      {&set_entry_high_water_,
       "INSERT INTO high_water (name, value) VALUES ('entries', ?1) "
       "ON CONFLICT (name) DO UPDATE SET value = excluded.value"},
      // The change rows of an add, one per id in ?2..?3, in id order.
      {&changes_for_range_,
       "WITH RECURSIVE ids(x) AS (SELECT ?2 UNION ALL SELECT x + 1 FROM ids WHERE x < ?3) "
       "INSERT INTO changes (kind, bank_id, entry_id) SELECT 1, ?1, x FROM ids ORDER BY x"},
      {&entry_remove_,
       "UPDATE entries SET removed = 1, removed_at = ?2 WHERE id = ?1 AND removed = 0 RETURNING bank_id"},
      {&entry_remove_value_,
       "UPDATE entries SET removed = 1, removed_at = ?4 "
       "WHERE bank_id = ?1 AND type = ?2 AND value = ?3 AND removed = 0 RETURNING id"},
      {&entry_state_, "SELECT bank_id, disabled FROM entries WHERE id = ?1"},
      {&entry_set_disabled_, "UPDATE entries SET disabled = ?2 WHERE id = ?1"},
      {&entry_vote_,
       "UPDATE entries SET up_votes = min(up_votes + ?2, 2147483647), down_votes = min(down_votes + ?3, 2147483647) "
       "WHERE id = ?1"},
      {&entry_get_, "SELECT " SQLITE_ENTRY_COLS " FROM entries WHERE id = ?1"},
      {&scan_all_, "SELECT " SQLITE_ENTRY_COLS " FROM entries WHERE bank_id = ?1 ORDER BY id"},
      {&scan_live_, "SELECT " SQLITE_ENTRY_COLS " FROM entries WHERE bank_id = ?1 AND removed = 0 ORDER BY id"},
      {&count_all_, "SELECT count(*) FROM entries WHERE bank_id = ?1"},
      {&count_live_, "SELECT count(*) FROM entries WHERE bank_id = ?1 AND removed = 0"},
  };
  for (const P& p : prepared) {
    if (Status st = p.stmt->prepare(db_, p.sql); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteStore::check_bank(int64_t bank_id, std::string_view op) {
  StmtUse use(bank_by_id_);
  bank_by_id_.bind(1, bank_id);
  int rc = step(bank_by_id_);
  if (rc == SQLITE_ROW) return Status::Ok();
  if (rc == SQLITE_DONE) return InvalidInput(std::string(op) + ": unknown bank id " + std::to_string(bank_id));
  return error(op);
}

Status SqliteStore::check_name_free(const std::string& name, int64_t except_id, std::string_view op) {
  StmtUse use(bank_by_name_);
  bank_by_name_.bind_text(1, name);
  int rc = step(bank_by_name_);
  if (rc == SQLITE_ROW && bank_by_name_.i64(0) != except_id) {
    return InvalidInput(std::string(op) + ": a bank named \"" + name + "\" already exists");
  }
  return step_failed(rc) ? error(op) : Status::Ok();
}

Status SqliteStore::log_change(ChangeKind kind, int64_t bank_id, int64_t entry_id, std::string_view op) {
  StmtUse use(change_insert_);
  change_insert_.bind(1, static_cast<int64_t>(kind));
  change_insert_.bind(2, bank_id);
  change_insert_.bind(3, entry_id);
  return step(change_insert_) == SQLITE_DONE ? Status::Ok() : error(op);
}

Result<Bank> SqliteStore::create_bank(const Bank& settings) {
  constexpr std::string_view op = "create_bank";
  if (Status s = validate_bank(settings); !s.ok()) return with_context(s, op);
  Bank b = settings;
  b.created_at = now_seconds();
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = check_name_free(b.name, 0, op); !s.ok()) return s;
  {
    StmtUse use(bank_insert_);
    bank_insert_.bind_text(1, b.name);
    bank_insert_.bind_text(2, b.description);
    bank_insert_.bind(3, int64_t{b.allowlist});
    bank_insert_.bind(4, int64_t{b.pdq_threshold});
    bank_insert_.bind(5, int64_t{b.enabled});
    bank_insert_.bind(6, b.disabled_until);
    bank_insert_.bind(7, b.created_at);
    bank_insert_.bind(8, int64_t{b.quarantined});
    bank_insert_.bind_text(9, b.quarantine_reason);
    if (step(bank_insert_) != SQLITE_DONE) return error(op);
  }
  b.id = sqlite3_last_insert_rowid(db_);
  if (Status s = log_change(ChangeKind::kBankCreated, b.id, 0, op); !s.ok()) return s;
  if (Status s = t.commit(op); !s.ok()) return s;
  return b;
}

Result<std::vector<Bank>> SqliteStore::list_banks() {
  StmtUse use(bank_list_);
  std::vector<Bank> out;
  int rc;
  while ((rc = step(bank_list_)) == SQLITE_ROW) out.push_back(read_bank(bank_list_));
  if (rc != SQLITE_DONE) return error("list_banks");
  return out;
}

Result<std::optional<Bank>> SqliteStore::find_bank(std::string_view name) {
  StmtUse use(bank_by_name_);
  bank_by_name_.bind_text(1, name);
  int rc = step(bank_by_name_);
  if (rc == SQLITE_ROW) return std::optional<Bank>(read_bank(bank_by_name_));
  if (rc == SQLITE_DONE) return std::optional<Bank>();
  return error("find_bank");
}

Status SqliteStore::update_bank(const Bank& bank) {
  constexpr std::string_view op = "update_bank";
  if (Status s = validate_bank(bank); !s.ok()) return with_context(s, op);
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = check_bank(bank.id, op); !s.ok()) return s;
  if (Status s = check_name_free(bank.name, bank.id, op); !s.ok()) return s;
  {
    StmtUse use(bank_update_);
    bank_update_.bind(1, bank.id);
    bank_update_.bind_text(2, bank.name);
    bank_update_.bind_text(3, bank.description);
    bank_update_.bind(4, int64_t{bank.allowlist});
    bank_update_.bind(5, int64_t{bank.pdq_threshold});
    bank_update_.bind(6, int64_t{bank.enabled});
    bank_update_.bind(7, bank.disabled_until);
    bank_update_.bind(8, int64_t{bank.quarantined});
    bank_update_.bind_text(9, bank.quarantine_reason);
    if (step(bank_update_) != SQLITE_DONE) return error(op);
  }
  if (Status s = log_change(ChangeKind::kBankUpdated, bank.id, 0, op); !s.ok()) return s;
  return t.commit(op);
}

Status SqliteStore::delete_bank(int64_t bank_id) {
  constexpr std::string_view op = "delete_bank";
  SqliteTxn t = txn();
  if (Status s = t.begin(op); !s.ok()) return s;
  if (Status s = check_bank(bank_id, op); !s.ok()) return s;
  {
    StmtUse use(bank_delete_);  // entries go with it (ON DELETE CASCADE)
    bank_delete_.bind(1, bank_id);
    if (step(bank_delete_) != SQLITE_DONE) return error(op);
  }
  if (Status s = log_change(ChangeKind::kBankDeleted, bank_id, 0, op); !s.ok()) return s;
  return t.commit(op);
}

Result<int64_t> SqliteStore::last_change_seq() {
  StmtUse use(last_seq_);
  if (step(last_seq_) != SQLITE_ROW) return error("last_change_seq");
  return last_seq_.i64(0);
}

Result<std::vector<Change>> SqliteStore::changes_since(int64_t after, int64_t limit) {
  constexpr std::string_view op = "changes_since";
  if (limit < 1) return InvalidInput(std::string(op) + ": limit must be >= 1");
  StmtUse use(changes_since_);
  changes_since_.bind(1, after);
  changes_since_.bind(2, limit);
  std::vector<Change> out;
  int rc;
  while ((rc = step(changes_since_)) == SQLITE_ROW) {
    out.push_back(Change{changes_since_.i64(0), static_cast<ChangeKind>(changes_since_.i64(1)), changes_since_.i64(2),
                         changes_since_.i64(3)});
  }
  if (rc != SQLITE_DONE) return error(op);
  return out;
}

}  // namespace internal

Result<std::unique_ptr<Store>> open_sqlite(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = "sqlite open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return IoError(std::move(m));
  }
  auto store = std::make_unique<internal::SqliteStore>(db);
  if (Status s = store->init(path); !s.ok()) return IoError(path + ": " + s.message());
  return std::unique_ptr<Store>(std::move(store));
}

}  // namespace chainbreak::store
