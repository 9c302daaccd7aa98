// Thin RAII over libpq for postgres_store.cc: an owned connection, owned
// results, prepared statements run with text parameters, and COPY FROM STDIN
// streamed in blocks. Internal to src/store.
#pragma once

#include <libpq-fe.h>

#include <cstdint>
#include <memory>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "store/schema_steps.h"
#include "util/result.h"

namespace chainbreak::store::internal {

struct PgResultFree {
  void operator()(PGresult* r) const { PQclear(r); }
};
// A query result, cleared on destruction.
using PgResult = std::unique_ptr<PGresult, PgResultFree>;

// One named prepared statement: applied at connect and after a reconnect.
struct PgStatement {
  const char* name;
  const char* sql;
};

// A connection, finished on destruction. Not copyable.
class PgConn {
 public:
  PgConn() = default;
  PgConn(const PgConn&) = delete;
  PgConn& operator=(const PgConn&) = delete;
  ~PgConn() { PQfinish(conn_); }

  // Connects (UTF-8 client encoding, session settings, notices silenced).
  // kIo with libpq's message.
  Status connect(const std::string& conninfo);
  // Prepares the statements, and again after every reconnect. kIo.
  Status prepare(std::span<const PgStatement> statements);
  // Before each operation: reconnects (and prepares again) when the
  // connection was lost, and rolls back a transaction left open. kIo.
  Status ensure_ready();
  PGconn* get() const { return conn_; }

  // Runs SQL text without parameters (one or more statements); the result
  // of the last one, which must be a success. kIo.
  Result<PgResult> exec(const char* sql, std::string_view op);
  // Runs a prepared statement with text parameters. kIo, or kInvalidInput
  // for a unique or foreign key violation.
  Result<PgResult> run(const char* name, std::span<const std::string> params, std::string_view op);
  Result<PgResult> run(const char* name, std::initializer_list<std::string> params, std::string_view op) {
    return run(name, std::span<const std::string>(params.begin(), params.size()), op);
  }

  // Runs the prepared statement once per parameter set, all in one libpq
  // pipeline (one round trip for the lot), inside the caller's
  // transaction. Returns every result in order. On the first statement
  // that fails: its error (as run()), *failed_at set to its index, and the
  // transaction aborted (the caller rolls back).
  Result<std::vector<PgResult>> run_pipelined(const char* name, std::span<const std::vector<std::string>> params,
                                              std::string_view op, size_t* failed_at);

  // COPY ... FROM STDIN in text format: begin_copy(sql), then rows appended
  // to copy_buffer() (flushed by copy_flush_if_full()), then end_copy().
  Status begin_copy(const char* sql, std::string_view op);
  std::string& copy_buffer() { return copy_buf_; }
  Status copy_flush_if_full(std::string_view op) {
    return copy_buf_.size() >= kCopyBlock ? copy_flush(op) : Status::Ok();
  }
  Status end_copy(std::string_view op);

  // "postgres <op>: <message>", kIo or kInvalidInput by SQLSTATE.
  Status error(const PGresult* r, std::string_view op) const;

 private:
  static constexpr size_t kCopyBlock = 1 << 20;
  Status setup_session();
  Status prepare_all();
  Status copy_flush(std::string_view op);

  PGconn* conn_ = nullptr;
  std::vector<PgStatement> statements_;
  std::string copy_buf_;
};

// A transaction: begin() runs its BEGIN (and whatever follows it in the
// same text, such as a LOCK); the destructor rolls back unless commit()
// succeeded, so no error path leaves locks held.
class PgTxn;
// Brings schema `name` ([a-z_]+) to the last of its steps
// (schema_steps.h) inside the caller's transaction, which must hold the
// stores' schema advisory lock: reads the version recorded in
// schema_versions, runs only the later steps (none when up to date, so an
// up-to-date database takes no table locks: CREATE INDEX IF NOT EXISTS
// would lock its table even when there is nothing to do) and records the
// new version. kIo naming op: the failing step's error, or a database newer
// than the steps; the caller's transaction then rolls back.
Status pg_migrate(PgConn& db, std::string_view name, std::span<const SchemaStep> steps, std::string_view op);
// Connects db to conninfo, migrates schema `name` (pg_migrate) in its own
// transaction under the stores' schema advisory lock (replicas starting
// together take turns), then prepares the statements. kIo naming op.
Status pg_open_with_schema(PgConn& db, const std::string& conninfo, std::string_view name,
                           std::span<const SchemaStep> steps, std::span<const PgStatement> statements,
                           std::string_view op);

class PgTxn {
 public:
  explicit PgTxn(PgConn& c) : c_(c) {}
  PgTxn(const PgTxn&) = delete;
  PgTxn& operator=(const PgTxn&) = delete;
  ~PgTxn();

  // Readies the connection (PgConn::ensure_ready) and runs sql. kIo.
  Status begin(const char* sql, std::string_view op);
  // kIo when COMMIT fails or reports that the transaction rolled back.
  Status commit(std::string_view op);

 private:
  PgConn& c_;
  bool active_ = false;
};

// Appends s to a COPY text row, escaping backslash, tab, newline and CR.
void copy_text(std::string& out, std::string_view s);
// Appends a bytea field (raw bytes) to a COPY text row.
void copy_bytea(std::string& out, std::string_view raw);
// Appends an integer / a double (shortest round-trip form).
void copy_int(std::string& out, int64_t v);
void copy_double(std::string& out, double v);

// Field accessors for text-format results.
int64_t pg_i64(const PGresult* r, int row, int col);
double pg_f64(const PGresult* r, int row, int col);
bool pg_bool(const PGresult* r, int row, int col);
std::string pg_text(const PGresult* r, int row, int col);
// A bytea column in hex output form ("\x0a1b...") as lowercase hex.
std::string pg_bytea_hex(const PGresult* r, int row, int col);

}  // namespace chainbreak::store::internal
