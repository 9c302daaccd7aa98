#include "store/sqlite_db.h"

namespace chainbreak::store::internal {

Status SqliteStmt::prepare(sqlite3* db, const char* sql) {
  sqlite3_finalize(stmt_);
  stmt_ = nullptr;
  if (sqlite3_prepare_v3(db, sql, -1, SQLITE_PREPARE_PERSISTENT, &stmt_, nullptr) != SQLITE_OK) {
    return sqlite_error(db, "prepare");
  }
  return Status::Ok();
}

Status sqlite_error(sqlite3* db, std::string_view op) {
  const int rc = sqlite3_extended_errcode(db);
  std::string m = "sqlite " + std::string(op) + ": " + sqlite3_errmsg(db);
  if (rc == SQLITE_CONSTRAINT_UNIQUE || rc == SQLITE_CONSTRAINT_FOREIGNKEY) return InvalidInput(std::move(m));
  return IoError(std::move(m));
}

Status sqlite_exec(sqlite3* db, const char* sql, std::string_view op) {
  char* err = nullptr;
  if (sqlite3_exec(db, sql, nullptr, nullptr, &err) != SQLITE_OK) {
    std::string m = "sqlite " + std::string(op) + ": " + (err ? err : sqlite3_errmsg(db));
    sqlite3_free(err);
    return IoError(std::move(m));
  }
  return Status::Ok();
}

SqliteTxn::~SqliteTxn() {
  if (active_) {
    sqlite3_step(rollback_.get());
    sqlite3_reset(rollback_.get());
  }
}

Status SqliteTxn::begin(std::string_view op) {
  StmtUse use(begin_);
  if (step(begin_) != SQLITE_DONE) return sqlite_error(db_, op);
  active_ = true;
  return Status::Ok();
}

Status SqliteTxn::commit(std::string_view op) {
  StmtUse use(commit_);
  if (step(commit_) != SQLITE_DONE) return sqlite_error(db_, op);
  active_ = false;
  return Status::Ok();
}

Result<sqlite3*> sqlite_open_configured(const std::string& path) {
  sqlite3* db = nullptr;
  int rc =
      sqlite3_open_v2(path.c_str(), &db, SQLITE_OPEN_READWRITE | SQLITE_OPEN_CREATE | SQLITE_OPEN_NOMUTEX, nullptr);
  if (rc != SQLITE_OK) {
    std::string m = "sqlite open " + path + ": " + (db ? sqlite3_errmsg(db) : sqlite3_errstr(rc));
    sqlite3_close_v2(db);
    return IoError(std::move(m));
  }
  sqlite3_extended_result_codes(db, 1);
  sqlite3_busy_timeout(db, 10000);
  if (Status s = sqlite_exec(
          db, "PRAGMA journal_mode=WAL; PRAGMA synchronous=FULL; PRAGMA foreign_keys=ON; PRAGMA secure_delete=ON",
          "configure");
      !s.ok()) {
    sqlite3_close_v2(db);
    return IoError(path + ": " + s.message());
  }
  return db;
}

Status sqlite_migrate(sqlite3* db, std::string_view name, std::span<const SchemaStep> steps, std::string_view op) {
  if (Status s = sqlite_exec(db, "BEGIN IMMEDIATE", op); !s.ok()) return s;
  auto apply = [&]() -> Status {
    if (Status s = sqlite_exec(db, kSchemaVersionsTable, op); !s.ok()) return s;
    int64_t version = 0;
    {
      SqliteStmt q;
      if (Status s = q.prepare(db, "SELECT version FROM schema_versions WHERE name = ?1"); !s.ok()) return s;
      StmtUse use(q);
      q.bind_text(1, name);
      const int rc = step(q);
      if (step_failed(rc)) return sqlite_error(db, op);
      if (rc == SQLITE_ROW) version = q.i64(0);
    }
    auto todo = steps_after(name, version, steps, op);
    if (!todo.ok()) return todo.status();
    if (todo.value().empty()) return Status::Ok();
    for (const SchemaStep& st : todo.value()) {
      if (Status s = sqlite_exec(db, st.sql, op); !s.ok()) return s;
    }
    SqliteStmt up;
    if (Status s = up.prepare(db,
                              "INSERT INTO schema_versions (name, version) VALUES (?1, ?2) "
                              "ON CONFLICT (name) DO UPDATE SET version = excluded.version");
        !s.ok()) {
      return s;
    }
    StmtUse use(up);
    up.bind_text(1, name);
    up.bind(2, int64_t{latest_version(steps)});
    return step(up) == SQLITE_DONE ? Status::Ok() : sqlite_error(db, op);
  };
  if (Status s = apply(); !s.ok()) {
    sqlite_exec(db, "ROLLBACK", op);
    return s;
  }
  return sqlite_exec(db, "COMMIT", op);
}

}  // namespace chainbreak::store::internal
