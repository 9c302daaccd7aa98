#include "store/pg_db.h"

#include <charconv>
#include <cstdlib>
#include <cstring>

#include "store/store_internal.h"

namespace chainbreak::store::internal {
namespace {

std::string trimmed(const char* m) {
  std::string s = m ? m : "";
  while (!s.empty() && (s.back() == '\n' || s.back() == ' ')) s.pop_back();
  return s.empty() ? "unknown error" : s;
}

void ignore_notice(void*, const char*) {}

// Session settings the result parsing relies on, whatever the server's
// defaults: hex bytea output, shortest exact float output.
// jit off: our statements are short OLTP ones, but a batch statement's
// estimated cost (unnest's 100 assumed rows times its subplans) passes
// jit_above_cost, and compiling it took 45 ms per execution.
constexpr const char* kSession = "SET bytea_output = 'hex'; SET extra_float_digits = 3; SET jit = off";

}  // namespace

Status PgConn::connect(const std::string& conninfo) {
  PQfinish(conn_);
  conn_ = PQconnectdb(conninfo.c_str());
  if (!conn_) return IoError("postgres connect: out of memory");
  if (PQstatus(conn_) != CONNECTION_OK) return IoError("postgres connect: " + trimmed(PQerrorMessage(conn_)));
  return setup_session();
}

Status PgConn::setup_session() {
  PQsetNoticeProcessor(conn_, ignore_notice, nullptr);
  if (PQsetClientEncoding(conn_, "UTF8") != 0) {
    return IoError("postgres connect: cannot set client encoding UTF8: " + trimmed(PQerrorMessage(conn_)));
  }
  return exec(kSession, "connect").status();
}

Status PgConn::prepare(std::span<const PgStatement> statements) {
  statements_.assign(statements.begin(), statements.end());
  return prepare_all();
}

Status PgConn::prepare_all() {
  for (const PgStatement& s : statements_) {
    PgResult r(PQprepare(conn_, s.name, s.sql, 0, nullptr));
    if (!r || PQresultStatus(r.get()) != PGRES_COMMAND_OK) {
      return error(r.get(), std::string("prepare ") + s.name);
    }
  }
  return Status::Ok();
}

Status PgConn::ensure_ready() {
  if (PQstatus(conn_) != CONNECTION_OK) {
    PQreset(conn_);
    if (PQstatus(conn_) != CONNECTION_OK) return IoError("postgres reconnect: " + trimmed(PQerrorMessage(conn_)));
    if (Status s = setup_session(); !s.ok()) return s;
    return prepare_all();
  }
  if (PQtransactionStatus(conn_) != PQTRANS_IDLE) {
    if (Result<PgResult> r = exec("ROLLBACK", "rollback"); !r.ok()) return r.status();
  }
  return Status::Ok();
}

Status PgConn::error(const PGresult* r, std::string_view op) const {
  std::string m = "postgres " + std::string(op) + ": " + trimmed(r ? PQresultErrorMessage(r) : PQerrorMessage(conn_));
  const char* state = r ? PQresultErrorField(r, PG_DIAG_SQLSTATE) : nullptr;
  // 23505 unique_violation, 23503 foreign_key_violation: a bad argument
  // (duplicate name, unknown bank) that slipped past the checks.
  if (state && (std::strcmp(state, "23505") == 0 || std::strcmp(state, "23503") == 0)) {
    return InvalidInput(std::move(m));
  }
  return IoError(std::move(m));
}

Result<PgResult> PgConn::exec(const char* sql, std::string_view op) {
  PgResult r(PQexec(conn_, sql));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error(r.get(), op);
  return r;
}

Result<PgResult> PgConn::run(const char* name, std::span<const std::string> params, std::string_view op) {
  const char* values[16];
  if (params.size() > std::size(values)) return Internal("postgres " + std::string(op) + ": too many parameters");
  for (size_t i = 0; i < params.size(); ++i) values[i] = params[i].c_str();
  PgResult r(PQexecPrepared(conn_, name, static_cast<int>(params.size()), values, nullptr, nullptr, 0));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return error(r.get(), op);
  return r;
}

Result<std::vector<PgResult>> PgConn::run_pipelined(const char* name, std::span<const std::vector<std::string>> params,
                                                    std::string_view op, size_t* failed_at) {
  *failed_at = params.size();
  if (PQenterPipelineMode(conn_) != 1) return error(nullptr, op);
  Status sent = Status::Ok();
  for (const auto& set : params) {
    const char* values[20];
    if (set.size() > std::size(values)) {
      sent = Internal("postgres " + std::string(op) + ": too many parameters");
      break;
    }
    for (size_t i = 0; i < set.size(); ++i) values[i] = set[i].c_str();
    if (PQsendQueryPrepared(conn_, name, static_cast<int>(set.size()), values, nullptr, nullptr, 0) != 1) {
      sent = error(nullptr, op);
      break;
    }
  }
  if (PQpipelineSync(conn_) != 1 && sent.ok()) sent = error(nullptr, op);
  // Read every result up to the sync, whatever happened, so the connection
  // leaves pipeline mode clean.
  std::vector<PgResult> out;
  Status st = sent;
  bool after_null = false;
  for (;;) {
    PGresult* raw = PQgetResult(conn_);
    if (!raw) {  // the end of one statement's results; twice in a row: nothing more will come
      if (after_null || PQstatus(conn_) == CONNECTION_BAD) {
        if (st.ok()) st = error(nullptr, op);
        break;
      }
      after_null = true;
      continue;
    }
    after_null = false;
    PgResult r(raw);
    const ExecStatusType t = PQresultStatus(raw);
    if (t == PGRES_PIPELINE_SYNC) break;
    if (t == PGRES_TUPLES_OK || t == PGRES_COMMAND_OK) {
      out.push_back(std::move(r));
    } else if (st.ok()) {
      *failed_at = out.size();
      st = t == PGRES_PIPELINE_ABORTED ? IoError("postgres " + std::string(op) + ": pipeline aborted") : error(raw, op);
    }
  }
  if (PQexitPipelineMode(conn_) != 1 && st.ok()) st = error(nullptr, op);
  if (!st.ok()) return st;
  return out;
}

Status PgConn::begin_copy(const char* sql, std::string_view op) {
  PgResult r(PQexec(conn_, sql));
  if (!r || PQresultStatus(r.get()) != PGRES_COPY_IN) return error(r.get(), op);
  copy_buf_.clear();
  return Status::Ok();
}

Status PgConn::copy_flush(std::string_view op) {
  if (!copy_buf_.empty() && PQputCopyData(conn_, copy_buf_.data(), static_cast<int>(copy_buf_.size())) != 1) {
    return error(nullptr, op);
  }
  copy_buf_.clear();
  return Status::Ok();
}

Status PgConn::end_copy(std::string_view op) {
  Status s = copy_flush(op);
  if (PQputCopyEnd(conn_, s.ok() ? nullptr : "client error") != 1 && s.ok()) s = error(nullptr, op);
  // Collect every result so the connection is ready for the next command.
  while (PGresult* raw = PQgetResult(conn_)) {
    PgResult r(raw);
    if (s.ok() && PQresultStatus(raw) != PGRES_COMMAND_OK) s = error(raw, op);
  }
  if (copy_buf_.capacity() > 4 * kCopyBlock) std::string().swap(copy_buf_);
  return s;
}

PgTxn::~PgTxn() {
  if (active_) PgResult(PQexec(c_.get(), "ROLLBACK"));
}

Status PgTxn::begin(const char* sql, std::string_view op) {
  if (Status s = c_.ensure_ready(); !s.ok()) return s;
  active_ = true;  // also when sql fails after its BEGIN: roll back then
  return c_.exec(sql, op).status();
}

Status PgTxn::commit(std::string_view op) {
  active_ = false;
  auto r = c_.exec("COMMIT", op);
  if (!r.ok()) return r.status();
  // A COMMIT of a failed transaction reports ROLLBACK instead of an error.
  if (std::string_view(PQcmdStatus(r.value().get())) != "COMMIT") {
    return IoError("postgres " + std::string(op) + ": transaction rolled back");
  }
  return Status::Ok();
}

void copy_text(std::string& out, std::string_view s) {
  for (char c : s) {
    switch (c) {
      case '\\': out += "\\\\"; break;
      case '\t': out += "\\t"; break;
      case '\n': out += "\\n"; break;
      case '\r': out += "\\r"; break;
      default: out.push_back(c);
    }
  }
}

void copy_bytea(std::string& out, std::string_view raw) {
  out += "\\\\x";  // the bytea input "\x..." with its backslash escaped for COPY
  append_hex(raw, out);
}

void copy_int(std::string& out, int64_t v) {
  char buf[24];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

void copy_double(std::string& out, double v) {
  char buf[32];
  auto res = std::to_chars(buf, buf + sizeof buf, v);
  out.append(buf, res.ptr);
}

int64_t pg_i64(const PGresult* r, int row, int col) {
  const char* p = PQgetvalue(r, row, col);
  int64_t v = 0;
  std::from_chars(p, p + PQgetlength(r, row, col), v);
  return v;
}

double pg_f64(const PGresult* r, int row, int col) {
  const char* p = PQgetvalue(r, row, col);
  double v = 0;
  std::from_chars(p, p + PQgetlength(r, row, col), v);
  return v;
}

bool pg_bool(const PGresult* r, int row, int col) { return PQgetvalue(r, row, col)[0] == 't'; }

std::string pg_text(const PGresult* r, int row, int col) {
  return std::string(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
}

std::string pg_bytea_hex(const PGresult* r, int row, int col) {
  std::string_view v(PQgetvalue(r, row, col), static_cast<size_t>(PQgetlength(r, row, col)));
  if (v.starts_with("\\x")) v.remove_prefix(2);
  return std::string(v);
}

Status pg_migrate(PgConn& db, std::string_view name, std::span<const SchemaStep> steps, std::string_view op) {
  // The name goes into the SQL text (the statements are not prepared yet):
  // only schema names of this code, never input.
  if (name.empty() || name.find_first_not_of("abcdefghijklmnopqrstuvwxyz_") != std::string_view::npos) {
    return IoError(std::string(op) + ": bad schema name");
  }
  std::string quoted(1, '\'');  // (not "'" + std::string: GCC 12 bug 105329 warns)
  quoted.append(name).push_back('\'');
  auto have = db.exec("SELECT to_regclass('schema_versions') IS NOT NULL", op);
  if (!have.ok()) return have.status();
  if (std::string_view(PQgetvalue(have.value().get(), 0, 0)) != "t") {
    if (auto r = db.exec(kSchemaVersionsTable, op); !r.ok()) return r.status();
  }
  auto got = db.exec(("SELECT version FROM schema_versions WHERE name = " + quoted).c_str(), op);
  if (!got.ok()) return got.status();
  int64_t version = 0;
  if (PQntuples(got.value().get()) > 0) version = std::strtoll(PQgetvalue(got.value().get(), 0, 0), nullptr, 10);
  auto todo = steps_after(name, version, steps, op);
  if (!todo.ok()) return todo.status();
  if (todo.value().empty()) return Status::Ok();
  for (const SchemaStep& st : todo.value()) {
    if (auto r = db.exec(st.sql, op); !r.ok()) return r.status();
  }
  const std::string up = "INSERT INTO schema_versions (name, version) VALUES (" + quoted + ", " +
                         std::to_string(latest_version(steps)) +
                         ") ON CONFLICT (name) DO UPDATE SET version = EXCLUDED.version";
  return db.exec(up.c_str(), op).status();
}

Status pg_open_with_schema(PgConn& db, const std::string& conninfo, std::string_view name,
                           std::span<const SchemaStep> steps, std::span<const PgStatement> statements,
                           std::string_view op) {
  if (Status s = db.connect(conninfo); !s.ok()) return s;
  {
    PgTxn txn(db);
    if (Status s = txn.begin("BEGIN; SELECT pg_advisory_xact_lock(4242170707)", op); !s.ok()) return s;
    if (Status s = pg_migrate(db, name, steps, op); !s.ok()) return s;
    if (Status s = txn.commit(op); !s.ok()) return s;
  }
  return db.prepare(statements);
}

}  // namespace chainbreak::store::internal
