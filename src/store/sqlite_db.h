// Thin RAII over the SQLite C API for sqlite_store.cc: an owned connection,
// owned prepared statements that reset themselves after each use, binding
// and column helpers, and a transaction guard that rolls back unless
// committed. Internal to src/store.
#pragma once

#include <sqlite3.h>

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "store/schema_steps.h"
#include "util/result.h"

namespace chainbreak::store::internal {

// A prepared statement, finalized on destruction. Not copyable.
class SqliteStmt {
 public:
  SqliteStmt() = default;
  SqliteStmt(const SqliteStmt&) = delete;
  SqliteStmt& operator=(const SqliteStmt&) = delete;
  ~SqliteStmt() { sqlite3_finalize(stmt_); }

  // Compiles sql once for repeated use. kIo with SQLite's message.
  Status prepare(sqlite3* db, const char* sql);
  sqlite3_stmt* get() const { return stmt_; }

  // Binding, 1-based like SQLite. Text and blobs are bound without a copy:
  // they must stay alive until the statement is stepped and reset.
  void bind(int i, int64_t v) { sqlite3_bind_int64(stmt_, i, v); }
  void bind(int i, double v) { sqlite3_bind_double(stmt_, i, v); }
  void bind_text(int i, std::string_view v) {
    sqlite3_bind_text(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }
  void bind_blob(int i, std::string_view v) {
    sqlite3_bind_blob(stmt_, i, v.data(), static_cast<int>(v.size()), SQLITE_STATIC);
  }

  // Columns, 0-based.
  int64_t i64(int c) const { return sqlite3_column_int64(stmt_, c); }
  double f64(int c) const { return sqlite3_column_double(stmt_, c); }
  std::string text(int c) const {
    const auto* p = reinterpret_cast<const char*>(sqlite3_column_blob(stmt_, c));
    return p ? std::string(p, static_cast<size_t>(sqlite3_column_bytes(stmt_, c))) : std::string();
  }

 private:
  sqlite3_stmt* stmt_ = nullptr;
};

// Resets a statement when it leaves scope, so the next use starts clean and
// no read transaction stays open behind an unfinished SELECT.
class StmtUse {
 public:
  explicit StmtUse(SqliteStmt& s) : s_(s) {}
  StmtUse(const StmtUse&) = delete;
  StmtUse& operator=(const StmtUse&) = delete;
  ~StmtUse() { sqlite3_reset(s_.get()); }

 private:
  SqliteStmt& s_;
};

// Steps a statement: SQLITE_ROW or SQLITE_DONE on success, otherwise the
// error code (callers turn it into a Status with sqlite_error()).
inline int step(SqliteStmt& s) { return sqlite3_step(s.get()); }
inline bool step_failed(int rc) { return rc != SQLITE_ROW && rc != SQLITE_DONE; }

// kIo "sqlite <op>: <message>", or kInvalidInput for a uniqueness or
// foreign key violation (a bad argument that raced the checks).
Status sqlite_error(sqlite3* db, std::string_view op);

// Runs one or more statements without results. kIo.
Status sqlite_exec(sqlite3* db, const char* sql, std::string_view op);

// Opens (creating) the database file for one thread's use and configures
// it as the case and custody stores do: extended result codes, a 10 s busy
// timeout, WAL, synchronous=FULL, foreign keys, secure_delete (deleted
// evidence and withdrawn contact details are overwritten, not left in free
// pages). The caller owns the handle (sqlite3_close_v2). kIo naming the
// path.
Result<sqlite3*> sqlite_open_configured(const std::string& path);
// Brings schema `name` to the last of its steps (schema_steps.h): reads the
// version recorded in schema_versions, applies the later steps in order and
// records the new version, all in one BEGIN IMMEDIATE transaction (rolled
// back on any failure, so a database is at one version or the next). kIo
// naming op: the failing step's error, or a database newer than the steps.
Status sqlite_migrate(sqlite3* db, std::string_view name, std::span<const SchemaStep> steps, std::string_view op);

// BEGIN IMMEDIATE on construction (begin()), ROLLBACK on destruction unless
// commit() succeeded.
class SqliteTxn {
 public:
  SqliteTxn(sqlite3* db, SqliteStmt& begin, SqliteStmt& commit, SqliteStmt& rollback)
      : db_(db), begin_(begin), commit_(commit), rollback_(rollback) {}
  SqliteTxn(const SqliteTxn&) = delete;
  SqliteTxn& operator=(const SqliteTxn&) = delete;
  ~SqliteTxn();

  Status begin(std::string_view op);
  Status commit(std::string_view op);

 private:
  sqlite3* db_;
  SqliteStmt& begin_;
  SqliteStmt& commit_;
  SqliteStmt& rollback_;
  bool active_ = false;
};

}  // namespace chainbreak::store::internal
