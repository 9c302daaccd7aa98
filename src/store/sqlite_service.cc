// The SQLite ServiceStore: its own connection to the Store's database file
// (same pragmas: WAL, synchronous=FULL), its tables created if missing,
// statements prepared once, every write in one BEGIN IMMEDIATE transaction.
// BEGIN IMMEDIATE takes the database's write lock before the last audit
// entry is read, so appends from several connections or processes take
// turns and form one chain (seq = last + 1, prev_hash = last hash).
#include "store/sqlite_service.h"

#include <algorithm>

namespace chainbreak::store {
namespace internal {
namespace {

// Ids are never reused (AUTOINCREMENT): audit entries and decisions refer to
// them. Audit seqs are assigned by append_audit itself (last + 1).
constexpr const char* kServiceSchema = R"sql(
CREATE TABLE IF NOT EXISTS api_tokens (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  roles INTEGER NOT NULL,
  secret_hash TEXT NOT NULL UNIQUE,
  created_at INTEGER NOT NULL,
  revoked INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS audit_log (
  seq INTEGER PRIMARY KEY,
  time_us INTEGER NOT NULL,
  actor TEXT NOT NULL,
  action TEXT NOT NULL,
  target TEXT NOT NULL,
  detail_json TEXT NOT NULL,
  prev_hash TEXT NOT NULL,
  hash TEXT NOT NULL
);
CREATE TABLE IF NOT EXISTS rules (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  name TEXT NOT NULL UNIQUE,
  bank TEXT NOT NULL,
  classification TEXT NOT NULL,
  max_distance INTEGER NOT NULL,
  action INTEGER NOT NULL,
  webhook_url TEXT NOT NULL,
  webhook_secret TEXT NOT NULL,
  enabled INTEGER NOT NULL,
  priority INTEGER NOT NULL,
  created_at INTEGER NOT NULL
);
CREATE TABLE IF NOT EXISTS decisions (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  time_us INTEGER NOT NULL,
  content_id TEXT NOT NULL,
  outcome TEXT NOT NULL,
  signals_json TEXT NOT NULL,
  matches_json TEXT NOT NULL,
  rules_json TEXT NOT NULL,
  automated INTEGER NOT NULL,
  actor TEXT NOT NULL,
  detail_json TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS decisions_by_content ON decisions(content_id, id);
CREATE TABLE IF NOT EXISTS webhook_deliveries (
  id INTEGER PRIMARY KEY AUTOINCREMENT,
  decision_id INTEGER NOT NULL REFERENCES decisions(id) ON DELETE CASCADE,
  rule_id INTEGER NOT NULL,
  url TEXT NOT NULL,
  secret TEXT NOT NULL,
  body TEXT NOT NULL,
  attempts INTEGER NOT NULL,
  next_attempt_us INTEGER NOT NULL,
  state TEXT NOT NULL,
  last_error TEXT NOT NULL
);
CREATE INDEX IF NOT EXISTS deliveries_due ON webhook_deliveries(state, next_attempt_us, id);
CREATE INDEX IF NOT EXISTS deliveries_by_decision ON webhook_deliveries(decision_id, id);
)sql";
// The schema's history (schema_steps.h): add steps, never edit one.
constexpr SchemaStep kServiceSteps[] = {{1, kServiceSchema}};

ApiToken read_token(const SqliteStmt& s) {
  ApiToken t;
  t.id = s.i64(0);
  t.name = s.text(1);
  t.roles = static_cast<uint32_t>(s.i64(2));
  t.secret_hash = s.text(3);
  t.created_at = s.i64(4);
  t.revoked = s.i64(5) != 0;
  return t;
}

AuditEntry read_audit(const SqliteStmt& s) {
  AuditEntry e;
  e.seq = s.i64(0);
  e.time_us = s.i64(1);
  e.actor = s.text(2);
  e.action = s.text(3);
  e.target = s.text(4);
  e.detail_json = s.text(5);
  e.prev_hash = s.text(6);
  e.hash = s.text(7);
  return e;
}

Rule read_rule(const SqliteStmt& s) {
  Rule r;
  r.id = s.i64(0);
  r.name = s.text(1);
  r.bank = s.text(2);
  r.classification = s.text(3);
  r.max_distance = static_cast<int>(s.i64(4));
  r.action = static_cast<ActionKind>(s.i64(5));
  r.webhook_url = s.text(6);
  r.webhook_secret = s.text(7);
  r.enabled = s.i64(8) != 0;
  r.priority = static_cast<int>(s.i64(9));
  r.created_at = s.i64(10);
  return r;
}

// Binds a rule's settings to ?2..?11 of rule_insert_ / rule_update_.
void bind_rule(SqliteStmt& s, const Rule& r) {
  s.bind_text(2, r.name);
  s.bind_text(3, r.bank);
  s.bind_text(4, r.classification);
  s.bind(5, int64_t{r.max_distance});
  s.bind(6, static_cast<int64_t>(r.action));
  s.bind_text(7, r.webhook_url);
  s.bind_text(8, r.webhook_secret);
  s.bind(9, int64_t{r.enabled});
  s.bind(10, int64_t{r.priority});
}

}  // namespace

Status SqliteServiceStore::init() {
  sqlite3_extended_result_codes(db_, 1);
  sqlite3_busy_timeout(db_, 10000);
  if (Status s =
          sqlite_exec(db_, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON", "configure");
      !s.ok()) {
    return s;
  }
  if (Status s = sqlite_migrate(db_, "service", kServiceSteps, "apply service schema"); !s.ok()) return s;

  struct P {
    SqliteStmt* stmt;
    const char* sql;
  };
  const P prepared[] = {
      {&begin_, "BEGIN IMMEDIATE"},
      {&commit_, "COMMIT"},
      {&rollback_, "ROLLBACK"},
      {&token_insert_,
       "INSERT INTO api_tokens (name, roles, secret_hash, created_at, revoked) VALUES (?1, ?2, ?3, ?4, 0)"},
      {&token_by_name_, "SELECT id FROM api_tokens WHERE name = ?1"},
      {&token_by_hash_, "SELECT " TOKEN_COLS " FROM api_tokens WHERE secret_hash = ?1"},
      {&token_list_, "SELECT " TOKEN_COLS " FROM api_tokens ORDER BY id"},
      {&token_revoke_, "UPDATE api_tokens SET revoked = 1 WHERE name = ?1"},
      {&audit_last_, "SELECT seq, time_us, hash FROM audit_log ORDER BY seq DESC LIMIT 1"},
      {&audit_insert_, "INSERT INTO audit_log (" AUDIT_COLS ") VALUES (?1, ?2, ?3, ?4, ?5, ?6, ?7, ?8)"},
      {&audit_since_, "SELECT " AUDIT_COLS " FROM audit_log WHERE seq > ?1 ORDER BY seq LIMIT ?2"},
      {&rule_insert_, "INSERT INTO rules (" RULE_COLS ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10, ?11)"},
      {&rule_by_name_, "SELECT id FROM rules WHERE name = ?1"},
      {&rule_by_id_, "SELECT created_at FROM rules WHERE id = ?1"},
      {&rule_list_, "SELECT " RULE_COLS " FROM rules ORDER BY priority DESC, id"},
      {&rule_update_,
       "UPDATE rules SET name = ?2, bank = ?3, classification = ?4, max_distance = ?5, action = ?6, "
       "webhook_url = ?7, webhook_secret = ?8, enabled = ?9, priority = ?10 WHERE id = ?1"},
      {&rule_delete_, "DELETE FROM rules WHERE id = ?1"},
      {&decision_insert_,
       "INSERT INTO decisions (" SQLITE_DECISION_COLS ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, ?7, ?8, ?9, ?10)"},
      {&decision_get_, "SELECT " SQLITE_DECISION_COLS " FROM decisions WHERE id = ?1"},
      {&decision_list_, "SELECT " SQLITE_DECISION_COLS " FROM decisions WHERE id < ?1 ORDER BY id DESC LIMIT ?2"},
      {&decision_list_content_,
       "SELECT " SQLITE_DECISION_COLS " FROM decisions WHERE content_id = ?3 AND id < ?1 ORDER BY id DESC LIMIT ?2"},
      {&delivery_insert_, "INSERT INTO webhook_deliveries (" SQLITE_DELIVERY_COLS
                          ") VALUES (NULL, ?2, ?3, ?4, ?5, ?6, 0, ?7, 'pending', '')"},
      {&delivery_claim_,
       "UPDATE webhook_deliveries SET next_attempt_us = ?2 WHERE id IN (SELECT id FROM webhook_deliveries "
       "WHERE state = 'pending' AND next_attempt_us <= ?1 ORDER BY next_attempt_us, id LIMIT ?3) "
       "RETURNING " SQLITE_DELIVERY_COLS},
      {&delivery_done_,
       "UPDATE webhook_deliveries SET state = 'delivered', attempts = ?2, last_error = '' WHERE id = ?1"},
      {&delivery_failed_,
       "UPDATE webhook_deliveries SET state = ?2, attempts = ?3, next_attempt_us = ?4, last_error = ?5 "
       "WHERE id = ?1"},
      {&delivery_for_, "SELECT " SQLITE_DELIVERY_COLS " FROM webhook_deliveries WHERE decision_id = ?1 ORDER BY id"},
  };
  for (const P& p : prepared) {
    if (Status st = p.stmt->prepare(db_, p.sql); !st.ok()) return st;
  }
  return Status::Ok();
}

Status SqliteServiceStore::check_free(SqliteStmt& by_name, const std::string& name, int64_t except_id,
                                      std::string_view what, std::string_view op) {
  StmtUse use(by_name);
  by_name.bind_text(1, name);
  int rc = step(by_name);
  if (rc == SQLITE_ROW && by_name.i64(0) != except_id) {
    return InvalidInput(std::string(op) + ": a " + std::string(what) + " named \"" + name + "\" already exists");
  }
  return step_failed(rc) ? error(op) : Status::Ok();
}

Result<ApiToken> SqliteServiceStore::create_token(const ApiToken& token) {
  constexpr std::string_view op = "create_token";
  ApiToken t = token;
  if (Status s = validate_token(token, &t.secret_hash); !s.ok()) return with_context(s, op);
  t.created_at = now_seconds();
  t.revoked = false;
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  if (Status s = check_free(token_by_name_, t.name, 0, "token", op); !s.ok()) return s;
  {
    StmtUse use(token_by_hash_);
    token_by_hash_.bind_text(1, t.secret_hash);
    int rc = step(token_by_hash_);
    if (rc == SQLITE_ROW) return InvalidInput(std::string(op) + ": secret_hash is already used by another token");
    if (rc != SQLITE_DONE) return error(op);
  }
  {
    StmtUse use(token_insert_);
    token_insert_.bind_text(1, t.name);
    token_insert_.bind(2, int64_t{t.roles});
    token_insert_.bind_text(3, t.secret_hash);
    token_insert_.bind(4, t.created_at);
    if (Status s = run(token_insert_, op); !s.ok()) return s;
  }
  t.id = sqlite3_last_insert_rowid(db_);
  if (Status s = tx.commit(op); !s.ok()) return s;
  return t;
}

Result<std::optional<ApiToken>> SqliteServiceStore::find_token_by_hash(std::string_view secret_hash) {
  std::string hash;
  if (!normalize_hash(secret_hash, &hash)) return std::optional<ApiToken>();
  StmtUse use(token_by_hash_);
  token_by_hash_.bind_text(1, hash);
  int rc = step(token_by_hash_);
  if (rc == SQLITE_ROW) return std::optional<ApiToken>(read_token(token_by_hash_));
  if (rc == SQLITE_DONE) return std::optional<ApiToken>();
  return error("find_token_by_hash");
}

Result<std::vector<ApiToken>> SqliteServiceStore::list_tokens() {
  StmtUse use(token_list_);
  return rows<ApiToken>(token_list_, read_token, "list_tokens");
}

Status SqliteServiceStore::revoke_token(std::string_view name) {
  constexpr std::string_view op = "revoke_token";
  StmtUse use(token_revoke_);
  token_revoke_.bind_text(1, name);
  if (Status s = run(token_revoke_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return InvalidInput(std::string(op) + ": unknown token \"" + std::string(name) + "\"");
  return Status::Ok();
}

Result<AuditEntry> SqliteServiceStore::append_audit(std::string_view actor, std::string_view action,
                                                    std::string_view target, std::string_view detail_json) {
  constexpr std::string_view op = "append_audit";
  if (Status s = validate_audit(actor, action, target, detail_json); !s.ok()) return with_context(s, op);
  AuditEntry e;
  e.actor = actor;
  e.action = action;
  e.target = target;
  e.detail_json = detail_json;
  e.prev_hash = std::string(64, '0');
  e.seq = 1;
  e.time_us = now_micros();
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  {
    StmtUse use(audit_last_);
    int rc = step(audit_last_);
    if (rc == SQLITE_ROW) {
      e.seq = audit_last_.i64(0) + 1;
      e.time_us = std::max(e.time_us, audit_last_.i64(1));  // never earlier than the entry before
      e.prev_hash = audit_last_.text(2);
    } else if (rc != SQLITE_DONE) {
      return error(op);
    }
  }
  e.hash = audit_entry_hash(e);
  if (e.hash.empty()) return Internal(std::string(op) + ": SHA-256 failed");
  {
    StmtUse use(audit_insert_);
    audit_insert_.bind(1, e.seq);
    audit_insert_.bind(2, e.time_us);
    audit_insert_.bind_text(3, e.actor);
    audit_insert_.bind_text(4, e.action);
    audit_insert_.bind_text(5, e.target);
    audit_insert_.bind_text(6, e.detail_json);
    audit_insert_.bind_text(7, e.prev_hash);
    audit_insert_.bind_text(8, e.hash);
    if (Status s = run(audit_insert_, op); !s.ok()) return s;
  }
  if (Status s = tx.commit(op); !s.ok()) return s;
  return e;
}

Result<std::vector<AuditEntry>> SqliteServiceStore::audit_since(int64_t after, int64_t limit) {
  constexpr std::string_view op = "audit_since";
  if (limit < 1) return InvalidInput(std::string(op) + ": limit must be >= 1");
  StmtUse use(audit_since_);
  audit_since_.bind(1, after);
  audit_since_.bind(2, limit);
  return rows<AuditEntry>(audit_since_, read_audit, op);
}

Result<Rule> SqliteServiceStore::create_rule(const Rule& rule) {
  constexpr std::string_view op = "create_rule";
  if (Status s = validate_rule(rule); !s.ok()) return with_context(s, op);
  Rule r = rule;
  r.created_at = now_seconds();
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  if (Status s = check_free(rule_by_name_, r.name, 0, "rule", op); !s.ok()) return s;
  {
    StmtUse use(rule_insert_);
    bind_rule(rule_insert_, r);
    rule_insert_.bind(11, r.created_at);
    if (Status s = run(rule_insert_, op); !s.ok()) return s;
  }
  r.id = sqlite3_last_insert_rowid(db_);
  if (Status s = tx.commit(op); !s.ok()) return s;
  return r;
}

Result<std::vector<Rule>> SqliteServiceStore::list_rules() {
  StmtUse use(rule_list_);
  return rows<Rule>(rule_list_, read_rule, "list_rules");
}

Status SqliteServiceStore::update_rule(const Rule& rule) {
  constexpr std::string_view op = "update_rule";
  if (Status s = validate_rule(rule); !s.ok()) return with_context(s, op);
  SqliteTxn tx = txn();
  if (Status s = tx.begin(op); !s.ok()) return s;
  {
    StmtUse use(rule_by_id_);
    rule_by_id_.bind(1, rule.id);
    int rc = step(rule_by_id_);
    if (rc == SQLITE_DONE) return InvalidInput(std::string(op) + ": unknown rule id " + std::to_string(rule.id));
    if (rc != SQLITE_ROW) return error(op);
  }
  if (Status s = check_free(rule_by_name_, rule.name, rule.id, "rule", op); !s.ok()) return s;
  {
    StmtUse use(rule_update_);
    rule_update_.bind(1, rule.id);
    bind_rule(rule_update_, rule);
    if (Status s = run(rule_update_, op); !s.ok()) return s;
  }
  return tx.commit(op);
}

Status SqliteServiceStore::delete_rule(int64_t id) {
  constexpr std::string_view op = "delete_rule";
  StmtUse use(rule_delete_);
  rule_delete_.bind(1, id);
  if (Status s = run(rule_delete_, op); !s.ok()) return s;
  if (sqlite3_changes(db_) == 0) return InvalidInput(std::string(op) + ": unknown rule id " + std::to_string(id));
  return Status::Ok();
}

Result<std::unique_ptr<ServiceStore>> open_sqlite_service(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = "sqlite open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return IoError(std::move(m));
  }
  auto store = std::make_unique<SqliteServiceStore>(db);
  if (Status s = store->init(); !s.ok()) return IoError(path + ": " + s.message());
  return std::unique_ptr<ServiceStore>(std::move(store));
}

}  // namespace internal
}  // namespace chainbreak::store
