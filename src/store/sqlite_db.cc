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

}  // namespace chainbreak::store::internal
