// The SQLite CustodyStore: its own connection to the service's database
// file (same pragmas: WAL, synchronous=FULL, plus secure_delete so a purged
// ciphertext's pages are overwritten with zeros), its tables created if
// missing, statements prepared once.
//
// Evidence ids come from evidence_ids (AUTOINCREMENT: never reused, even
// after the reserving row is deleted), not from the evidence table, because
// the vault needs the id before the row exists.
#include <sqlite3.h>

#include "store/custody_internal.h"
#include "store/custody_store.h"
#include "store/sqlite_db.h"
#include "store/store_internal.h"

namespace chainbreak::store::internal {
namespace {

constexpr const char* kCustodySchema = R"sql(
CREATE TABLE IF NOT EXISTS evidence_ids (id INTEGER PRIMARY KEY AUTOINCREMENT);
CREATE TABLE IF NOT EXISTS evidence (
  id INTEGER PRIMARY KEY,
  case_ref TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size INTEGER NOT NULL,
  sha256 TEXT NOT NULL,
  md5 TEXT NOT NULL,
  ciphertext_sha256 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at INTEGER NOT NULL,
  retain_until INTEGER NOT NULL,
  legal_hold INTEGER NOT NULL,
  purged_at INTEGER,
  ciphertext BLOB
);
CREATE INDEX IF NOT EXISTS evidence_by_case ON evidence(case_ref, id);
CREATE INDEX IF NOT EXISTS evidence_due ON evidence(retain_until, id) WHERE purged_at IS NULL AND legal_hold = 0;
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq INTEGER NOT NULL,
  hash TEXT NOT NULL,
  signed_at INTEGER NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (seq, public_key)
);
)sql";
// The schema's history (schema_steps.h): add steps, never edit one.
constexpr SchemaStep kCustodySteps[] = {{1, kCustodySchema}};

EvidenceRecord read_evidence(const SqliteStmt& s) {
  EvidenceRecord e;
  e.id = s.i64(0);
  e.case_ref = s.text(1);
  e.name = s.text(2);
  e.media_type = s.text(3);
  e.size = s.i64(4);
  e.sha256 = s.text(5);
  e.md5 = s.text(6);
  e.ciphertext_sha256 = s.text(7);
  e.key_id = s.text(8);
  e.created_at = s.i64(9);
  e.retain_until = s.i64(10);
  e.legal_hold = s.i64(11) != 0;
  e.purged_at = s.i64(12);  // NULL reads as 0
  return e;
}

AuditCheckpoint read_checkpoint(const SqliteStmt& s) {
  AuditCheckpoint c;
  c.seq = s.i64(0);
  c.hash = s.text(1);
  c.signed_at = s.i64(2);
  c.public_key = s.text(3);
  c.signature = s.text(4);
  return c;
}

class SqliteCustodyStore final : public CustodyStore {
 public:
  explicit SqliteCustodyStore(sqlite3* db) : db_(db) {}
  ~SqliteCustodyStore() override { sqlite3_close_v2(db_); }

  Status init();

  Result<int64_t> reserve_evidence_id() override;
  Status insert_evidence(const EvidenceRecord& rec, std::string_view ciphertext) override;
  Result<std::optional<EvidenceRecord>> get_evidence(int64_t id) override;
  Result<std::optional<std::string>> read_ciphertext(int64_t id) override;
  Result<std::vector<EvidenceRecord>> list_evidence(int64_t after, int64_t limit) override;
  Result<std::vector<EvidenceRecord>> due_for_purge(int64_t now, int64_t limit) override;
  Status set_legal_hold(int64_t id, bool hold) override;
  Status set_retention(int64_t id, int64_t retain_until) override;
  Result<bool> purge_evidence(int64_t id, int64_t now) override;
  Status insert_checkpoint(const AuditCheckpoint& c) override;
  Result<std::optional<AuditCheckpoint>> last_checkpoint() override;
  Result<std::vector<AuditCheckpoint>> checkpoints_since(int64_t after, int64_t limit) override;

 private:
  Status error(std::string_view op) const { return sqlite_error(db_, op); }
  Status run(SqliteStmt& s, std::string_view op) { return step(s) == SQLITE_DONE ? Status::Ok() : error(op); }
  template <class T, class F>
  Result<std::vector<T>> rows(SqliteStmt& s, F read, std::string_view op) {
    std::vector<T> out;
    int rc;
    while ((rc = step(s)) == SQLITE_ROW) out.push_back(read(s));
    if (rc != SQLITE_DONE) return error(op);
    return out;
  }

  sqlite3* db_;
  SqliteStmt begin_, commit_, rollback_;
  SqliteStmt id_insert_, id_clear_, ev_insert_, ev_get_, ev_cipher_, ev_list_, ev_due_, ev_hold_, ev_retain_, ev_purge_;
  SqliteStmt cp_insert_, cp_last_, cp_since_;
};

Status SqliteCustodyStore::init() {
  if (Status s = sqlite_migrate(db_, "custody", kCustodySteps, "apply custody schema"); !s.ok()) return s;
  struct P {
    SqliteStmt* stmt;
    const char* sql;
  };
  const P prepared[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&id_insert_, "INSERT INTO evidence_ids DEFAULT VALUES"},
      {&id_clear_, "DELETE FROM evidence_ids"},
      {&ev_insert_, "INSERT INTO evidence (" EVIDENCE_COLS
                    ", ciphertext) VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11, ?12, NULL, ?13)"},
      {&ev_get_, "SELECT " EVIDENCE_COLS " FROM evidence WHERE id = ?1"},
      {&ev_cipher_, "SELECT ciphertext FROM evidence WHERE id = ?1"},
      {&ev_list_, "SELECT " EVIDENCE_COLS " FROM evidence WHERE id > ?1 ORDER BY id LIMIT ?2"},
      {&ev_due_,
       "SELECT " EVIDENCE_COLS " FROM evidence WHERE purged_at IS NULL AND legal_hold = 0 AND retain_until <= ?1 "
       "ORDER BY id LIMIT ?2"},
      {&ev_hold_, "UPDATE evidence SET legal_hold = ?2 WHERE id = ?1"},
      {&ev_retain_, "UPDATE evidence SET retain_until = ?2 WHERE id = ?1 AND purged_at IS NULL"},
      {&ev_purge_,
       "UPDATE evidence SET ciphertext = NULL, purged_at = ?2 "
       "WHERE id = ?1 AND purged_at IS NULL AND legal_hold = 0 AND retain_until <= ?2"},
      {&cp_insert_,
       "INSERT INTO audit_checkpoints (" CHECKPOINT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5) ON CONFLICT DO NOTHING"},
      {&cp_last_, "SELECT " CHECKPOINT_COLS " FROM audit_checkpoints ORDER BY seq DESC, signed_at DESC LIMIT 1"},
      {&cp_since_, "SELECT " CHECKPOINT_COLS " FROM audit_checkpoints WHERE seq > ?1 ORDER BY seq, signed_at LIMIT ?2"},
  };
  for (const P& p : prepared) {
    if (Status st = p.stmt->prepare(db_, p.sql); !st.ok()) return st;
  }
  return Status::Ok();
}

Result<int64_t> SqliteCustodyStore::reserve_evidence_id() {
  constexpr std::string_view op = "reserve_evidence_id";
  SqliteTxn tx(db_, begin_, commit_, rollback_);
  if (Status s = tx.begin(op); !s.ok()) return s;
  {
    StmtUse use(id_insert_);
    if (Status s = run(id_insert_, op); !s.ok()) return s;
  }
  const int64_t id = sqlite3_last_insert_rowid(db_);
  {
    // sqlite_sequence keeps the highest id handed out; the rows are not needed.
    StmtUse use(id_clear_);
    if (Status s = run(id_clear_, op); !s.ok()) return s;
  }
  if (Status s = tx.commit(op); !s.ok()) return s;
  return id;
}

Status SqliteCustodyStore::insert_evidence(const EvidenceRecord& rec, std::string_view ciphertext) {
  constexpr std::string_view op = "insert_evidence";
  EvidenceRecord r;
  if (Status s = validate_evidence(rec, ciphertext, &r); !s.ok()) return with_context(s, op);
  StmtUse use(ev_insert_);
  ev_insert_.bind(1, r.id);
  ev_insert_.bind_text(2, r.case_ref);
  ev_insert_.bind_text(3, r.name);
  ev_insert_.bind_text(4, r.media_type);
  ev_insert_.bind(5, r.size);
  ev_insert_.bind_text(6, r.sha256);
  ev_insert_.bind_text(7, r.md5);
  ev_insert_.bind_text(8, r.ciphertext_sha256);
  ev_insert_.bind_text(9, r.key_id);
  ev_insert_.bind(10, r.created_at);
  ev_insert_.bind(11, r.retain_until);
  ev_insert_.bind(12, int64_t{r.legal_hold});
  // A blob bound from a null pointer would be NULL (purged): bind a
  // zero-length one from "" instead.
  ev_insert_.bind_blob(13, ciphertext.data() ? ciphertext : std::string_view(""));
  if (step(ev_insert_) != SQLITE_DONE) {
    Status s = error(op);
    if (s.code() == ErrorCode::kInvalidInput) {
      return InvalidInput(std::string(op) + ": evidence id " + std::to_string(r.id) + " already exists");
    }
    return s;
  }
  return Status::Ok();
}

Result<std::optional<EvidenceRecord>> SqliteCustodyStore::get_evidence(int64_t id) {
  StmtUse use(ev_get_);
  ev_get_.bind(1, id);
  int rc = step(ev_get_);
  if (rc == SQLITE_DONE) return std::optional<EvidenceRecord>();
  if (rc != SQLITE_ROW) return error("get_evidence");
  return std::optional<EvidenceRecord>(read_evidence(ev_get_));
}

Result<std::optional<std::string>> SqliteCustodyStore::read_ciphertext(int64_t id) {
  StmtUse use(ev_cipher_);
  ev_cipher_.bind(1, id);
  int rc = step(ev_cipher_);
  if (rc == SQLITE_DONE) return std::optional<std::string>();
  if (rc != SQLITE_ROW) return error("read_ciphertext");
  if (sqlite3_column_type(ev_cipher_.get(), 0) == SQLITE_NULL) return std::optional<std::string>();
  return std::optional<std::string>(ev_cipher_.text(0));
}

Result<std::vector<EvidenceRecord>> SqliteCustodyStore::list_evidence(int64_t after, int64_t limit) {
  if (limit < 1) return InvalidInput("list_evidence: limit must be >= 1");
  StmtUse use(ev_list_);
  ev_list_.bind(1, after);
  ev_list_.bind(2, limit);
  return rows<EvidenceRecord>(ev_list_, read_evidence, "list_evidence");
}

Result<std::vector<EvidenceRecord>> SqliteCustodyStore::due_for_purge(int64_t now, int64_t limit) {
  if (limit < 1) return InvalidInput("due_for_purge: limit must be >= 1");
  StmtUse use(ev_due_);
  ev_due_.bind(1, now);
  ev_due_.bind(2, limit);
  return rows<EvidenceRecord>(ev_due_, read_evidence, "due_for_purge");
}

Status SqliteCustodyStore::set_legal_hold(int64_t id, bool hold) {
  constexpr std::string_view op = "set_legal_hold";
  StmtUse use(ev_hold_);
  ev_hold_.bind(1, id);
  ev_hold_.bind(2, int64_t{hold});
  if (Status s = run(ev_hold_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return InvalidInput(std::string(op) + ": unknown evidence id " + std::to_string(id));
  return Status::Ok();
}

Status SqliteCustodyStore::set_retention(int64_t id, int64_t retain_until) {
  constexpr std::string_view op = "set_retention";
  if (retain_until < 1) return InvalidInput("retain_until: must be >= 1");
  StmtUse use(ev_retain_);
  ev_retain_.bind(1, id);
  ev_retain_.bind(2, retain_until);
  if (Status s = run(ev_retain_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) {
    return InvalidInput(std::string(op) + ": unknown or purged evidence id " + std::to_string(id));
  }
  return Status::Ok();
}

Result<bool> SqliteCustodyStore::purge_evidence(int64_t id, int64_t now) {
  StmtUse use(ev_purge_);
  ev_purge_.bind(1, id);
  ev_purge_.bind(2, now);
  if (Status s = run(ev_purge_, "purge_evidence"); !s.ok()) return s;
  return sqlite3_changes(db_) == 1;
}

Status SqliteCustodyStore::insert_checkpoint(const AuditCheckpoint& c) {
  constexpr std::string_view op = "insert_checkpoint";
  AuditCheckpoint x;
  if (Status s = validate_checkpoint(c, &x); !s.ok()) return with_context(s, op);
  StmtUse use(cp_insert_);
  cp_insert_.bind(1, x.seq);
  cp_insert_.bind_text(2, x.hash);
  cp_insert_.bind(3, x.signed_at);
  cp_insert_.bind_text(4, x.public_key);
  cp_insert_.bind_text(5, x.signature);
  return run(cp_insert_, op);
}

Result<std::optional<AuditCheckpoint>> SqliteCustodyStore::last_checkpoint() {
  StmtUse use(cp_last_);
  int rc = step(cp_last_);
  if (rc == SQLITE_DONE) return std::optional<AuditCheckpoint>();
  if (rc != SQLITE_ROW) return error("last_checkpoint");
  return std::optional<AuditCheckpoint>(read_checkpoint(cp_last_));
}

Result<std::vector<AuditCheckpoint>> SqliteCustodyStore::checkpoints_since(int64_t after, int64_t limit) {
  if (limit < 1) return InvalidInput("checkpoints_since: limit must be >= 1");
  StmtUse use(cp_since_);
  cp_since_.bind(1, after);
  cp_since_.bind(2, limit);
  return rows<AuditCheckpoint>(cp_since_, read_checkpoint, "checkpoints_since");
}

}  // namespace

Result<std::unique_ptr<CustodyStore>> open_sqlite_custody(const std::string& path) {
  auto db = sqlite_open_configured(path);
  if (!db.ok()) return db.status();
  auto store = std::make_unique<SqliteCustodyStore>(db.value());
  if (Status s = store->init(); !s.ok()) return IoError(path + ": " + s.message());
  return std::unique_ptr<CustodyStore>(std::move(store));
}

}  // namespace chainbreak::store::internal
