// The PostgreSQL CustodyStore: one libpq connection to the service's
// database, its tables created if missing (under the schema advisory lock
// the other stores take; its last statement creates the index evidence_due,
// whose presence means the schema is complete), statements prepared at
// connect. The ciphertext travels as a binary parameter / binary result
// (no hex doubling of up to 256 MiB) and is stored EXTERNAL (TOAST without
// compression: ciphertext does not compress). Evidence ids come from the
// sequence evidence_ids.
#include <libpq-fe.h>

#include <iterator>

#include "store/custody_internal.h"
#include "store/custody_store.h"
#include "store/pg_db.h"
#include "store/postgres_store.h"  // str()
#include "store/store_internal.h"

namespace chainbreak::store::internal {
namespace {

constexpr const char* kCustodySchema = R"sql(
CREATE SEQUENCE IF NOT EXISTS evidence_ids;
CREATE TABLE IF NOT EXISTS evidence (
  id BIGINT PRIMARY KEY,
  case_ref TEXT NOT NULL,
  name TEXT NOT NULL,
  media_type TEXT NOT NULL,
  size BIGINT NOT NULL,
  sha256 TEXT NOT NULL,
  md5 TEXT NOT NULL,
  ciphertext_sha256 TEXT NOT NULL,
  key_id TEXT NOT NULL,
  created_at BIGINT NOT NULL,
  retain_until BIGINT NOT NULL,
  legal_hold BOOLEAN NOT NULL,
  purged_at BIGINT,
  ciphertext BYTEA
);
ALTER TABLE evidence ALTER COLUMN ciphertext SET STORAGE EXTERNAL;
CREATE INDEX IF NOT EXISTS evidence_by_case ON evidence (case_ref, id);
CREATE TABLE IF NOT EXISTS audit_checkpoints (
  seq BIGINT NOT NULL,
  hash TEXT NOT NULL,
  signed_at BIGINT NOT NULL,
  public_key TEXT NOT NULL,
  signature TEXT NOT NULL,
  PRIMARY KEY (seq, public_key)
);
CREATE INDEX IF NOT EXISTS evidence_due ON evidence (retain_until, id) WHERE purged_at IS NULL AND NOT legal_hold;
)sql";
// The schema's history (schema_steps.h): add steps, never edit one.
constexpr SchemaStep kCustodySteps[] = {{1, kCustodySchema}};

const PgStatement kStatements[] = {
    {"ev_reserve", "SELECT nextval('evidence_ids')"},
    {"ev_insert", "INSERT INTO evidence (" EVIDENCE_COLS
                  ", ciphertext) VALUES ($1, $2, $3, $4, $5, $6, $7, $8, $9, $10, $11, $12, NULL, $13)"},
    {"ev_get", "SELECT " EVIDENCE_COLS " FROM evidence WHERE id = $1"},
    {"ev_cipher", "SELECT ciphertext FROM evidence WHERE id = $1"},
    {"ev_list", "SELECT " EVIDENCE_COLS " FROM evidence WHERE id > $1 ORDER BY id LIMIT $2"},
    {"ev_due",
     "SELECT " EVIDENCE_COLS " FROM evidence WHERE purged_at IS NULL AND NOT legal_hold AND retain_until <= $1 "
     "ORDER BY id LIMIT $2"},
    {"ev_hold", "UPDATE evidence SET legal_hold = $2 WHERE id = $1 RETURNING id"},
    {"ev_retain", "UPDATE evidence SET retain_until = $2 WHERE id = $1 AND purged_at IS NULL RETURNING id"},
    {"ev_purge",
     "UPDATE evidence SET ciphertext = NULL, purged_at = $2 "
     "WHERE id = $1 AND purged_at IS NULL AND NOT legal_hold AND retain_until <= $2 RETURNING id"},
    {"cp_insert", "INSERT INTO audit_checkpoints (" CHECKPOINT_COLS ") VALUES ($1, $2, $3, $4, $5) "
                  "ON CONFLICT DO NOTHING"},
    {"cp_last", "SELECT " CHECKPOINT_COLS " FROM audit_checkpoints ORDER BY seq DESC, signed_at DESC LIMIT 1"},
    {"cp_since", "SELECT " CHECKPOINT_COLS " FROM audit_checkpoints WHERE seq > $1 ORDER BY seq, signed_at LIMIT $2"},
};

EvidenceRecord read_evidence(const PGresult* r, int i) {
  EvidenceRecord e;
  e.id = pg_i64(r, i, 0);
  e.case_ref = pg_text(r, i, 1);
  e.name = pg_text(r, i, 2);
  e.media_type = pg_text(r, i, 3);
  e.size = pg_i64(r, i, 4);
  e.sha256 = pg_text(r, i, 5);
  e.md5 = pg_text(r, i, 6);
  e.ciphertext_sha256 = pg_text(r, i, 7);
  e.key_id = pg_text(r, i, 8);
  e.created_at = pg_i64(r, i, 9);
  e.retain_until = pg_i64(r, i, 10);
  e.legal_hold = pg_bool(r, i, 11);
  e.purged_at = PQgetisnull(r, i, 12) ? 0 : pg_i64(r, i, 12);
  return e;
}

AuditCheckpoint read_checkpoint(const PGresult* r, int i) {
  AuditCheckpoint c;
  c.seq = pg_i64(r, i, 0);
  c.hash = pg_text(r, i, 1);
  c.signed_at = pg_i64(r, i, 2);
  c.public_key = pg_text(r, i, 3);
  c.signature = pg_text(r, i, 4);
  return c;
}

template <class T, class F>
std::vector<T> all_rows(const PGresult* r, F read) {
  std::vector<T> out;
  out.reserve(static_cast<size_t>(PQntuples(r)));
  for (int i = 0; i < PQntuples(r); ++i) out.push_back(read(r, i));
  return out;
}

class PostgresCustodyStore final : public CustodyStore {
 public:
  Status init(const std::string& conninfo);

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
  Result<PgResult> run1(const char* name, std::initializer_list<std::string> params, std::string_view op) {
    if (Status s = db_.ensure_ready(); !s.ok()) return s;
    return db_.run(name, params, op);
  }
  // A prepared statement whose last parameter is raw bytes (binary format)
  // or whose result is binary: PgConn::run speaks text only.
  Result<PgResult> run_binary(const char* name, std::span<const std::string> text_params, std::string_view bytes,
                              bool with_bytes, int result_format, std::string_view op);

  PgConn db_;
};

Status PostgresCustodyStore::init(const std::string& conninfo) {
  return pg_open_with_schema(db_, conninfo, "custody", kCustodySteps,
                             std::span<const PgStatement>(std::begin(kStatements), std::end(kStatements)),
                             "apply custody schema");
}

Result<PgResult> PostgresCustodyStore::run_binary(const char* name, std::span<const std::string> text_params,
                                                  std::string_view bytes, bool with_bytes, int result_format,
                                                  std::string_view op) {
  if (Status s = db_.ensure_ready(); !s.ok()) return s;
  std::vector<const char*> values;
  std::vector<int> lengths, formats;
  for (const std::string& p : text_params) {
    values.push_back(p.c_str());
    lengths.push_back(0);
    formats.push_back(0);
  }
  if (with_bytes) {
    values.push_back(bytes.data() ? bytes.data() : "");
    lengths.push_back(static_cast<int>(bytes.size()));
    formats.push_back(1);
  }
  PgResult r(PQexecPrepared(db_.get(), name, static_cast<int>(values.size()), values.data(), lengths.data(),
                            formats.data(), result_format));
  ExecStatusType st = r ? PQresultStatus(r.get()) : PGRES_FATAL_ERROR;
  if (st != PGRES_COMMAND_OK && st != PGRES_TUPLES_OK) return db_.error(r.get(), op);
  return r;
}

Result<int64_t> PostgresCustodyStore::reserve_evidence_id() {
  auto r = run1("ev_reserve", {}, "reserve_evidence_id");
  if (!r.ok()) return r.status();
  return pg_i64(r.value().get(), 0, 0);
}

Status PostgresCustodyStore::insert_evidence(const EvidenceRecord& rec, std::string_view ciphertext) {
  constexpr std::string_view op = "insert_evidence";
  EvidenceRecord r;
  if (Status s = validate_evidence(rec, ciphertext, &r); !s.ok()) return with_context(s, op);
  const std::string params[] = {
      str(r.id), r.case_ref,          r.name,   r.media_type,      str(r.size),         r.sha256,
      r.md5,     r.ciphertext_sha256, r.key_id, str(r.created_at), str(r.retain_until), str(r.legal_hold)};
  auto res = run_binary("ev_insert", params, ciphertext, true, 0, op);
  if (!res.ok()) {
    if (res.status().code() == ErrorCode::kInvalidInput) {
      return InvalidInput(std::string(op) + ": evidence id " + std::to_string(r.id) + " already exists");
    }
    return res.status();
  }
  return Status::Ok();
}

Result<std::optional<EvidenceRecord>> PostgresCustodyStore::get_evidence(int64_t id) {
  auto r = run1("ev_get", {str(id)}, "get_evidence");
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) return std::optional<EvidenceRecord>();
  return std::optional<EvidenceRecord>(read_evidence(r.value().get(), 0));
}

Result<std::optional<std::string>> PostgresCustodyStore::read_ciphertext(int64_t id) {
  const std::string params[] = {str(id)};
  auto r = run_binary("ev_cipher", params, {}, false, 1, "read_ciphertext");
  if (!r.ok()) return r.status();
  const PGresult* res = r.value().get();
  if (PQntuples(res) == 0 || PQgetisnull(res, 0, 0)) return std::optional<std::string>();
  return std::optional<std::string>(std::string(PQgetvalue(res, 0, 0), static_cast<size_t>(PQgetlength(res, 0, 0))));
}

Result<std::vector<EvidenceRecord>> PostgresCustodyStore::list_evidence(int64_t after, int64_t limit) {
  if (limit < 1) return InvalidInput("list_evidence: limit must be >= 1");
  auto r = run1("ev_list", {str(after), str(limit)}, "list_evidence");
  if (!r.ok()) return r.status();
  return all_rows<EvidenceRecord>(r.value().get(), read_evidence);
}

Result<std::vector<EvidenceRecord>> PostgresCustodyStore::due_for_purge(int64_t now, int64_t limit) {
  if (limit < 1) return InvalidInput("due_for_purge: limit must be >= 1");
  auto r = run1("ev_due", {str(now), str(limit)}, "due_for_purge");
  if (!r.ok()) return r.status();
  return all_rows<EvidenceRecord>(r.value().get(), read_evidence);
}

Status PostgresCustodyStore::set_legal_hold(int64_t id, bool hold) {
  constexpr std::string_view op = "set_legal_hold";
  auto r = run1("ev_hold", {str(id), str(hold)}, op);
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) {
    return InvalidInput(std::string(op) + ": unknown evidence id " + std::to_string(id));
  }
  return Status::Ok();
}

Status PostgresCustodyStore::set_retention(int64_t id, int64_t retain_until) {
  constexpr std::string_view op = "set_retention";
  if (retain_until < 1) return InvalidInput("retain_until: must be >= 1");
  auto r = run1("ev_retain", {str(id), str(retain_until)}, op);
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) {
    return InvalidInput(std::string(op) + ": unknown or purged evidence id " + std::to_string(id));
  }
  return Status::Ok();
}

Result<bool> PostgresCustodyStore::purge_evidence(int64_t id, int64_t now) {
  auto r = run1("ev_purge", {str(id), str(now)}, "purge_evidence");
  if (!r.ok()) return r.status();
  return PQntuples(r.value().get()) == 1;
}

Status PostgresCustodyStore::insert_checkpoint(const AuditCheckpoint& c) {
  constexpr std::string_view op = "insert_checkpoint";
  AuditCheckpoint x;
  if (Status s = validate_checkpoint(c, &x); !s.ok()) return with_context(s, op);
  return run1("cp_insert", {str(x.seq), x.hash, str(x.signed_at), x.public_key, x.signature}, op).status();
}

Result<std::optional<AuditCheckpoint>> PostgresCustodyStore::last_checkpoint() {
  auto r = run1("cp_last", {}, "last_checkpoint");
  if (!r.ok()) return r.status();
  if (PQntuples(r.value().get()) == 0) return std::optional<AuditCheckpoint>();
  return std::optional<AuditCheckpoint>(read_checkpoint(r.value().get(), 0));
}

Result<std::vector<AuditCheckpoint>> PostgresCustodyStore::checkpoints_since(int64_t after, int64_t limit) {
  if (limit < 1) return InvalidInput("checkpoints_since: limit must be >= 1");
  auto r = run1("cp_since", {str(after), str(limit)}, "checkpoints_since");
  if (!r.ok()) return r.status();
  return all_rows<AuditCheckpoint>(r.value().get(), read_checkpoint);
}

}  // namespace

Result<std::unique_ptr<CustodyStore>> open_postgres_custody(const std::string& conninfo) {
  auto store = std::make_unique<PostgresCustodyStore>();
  if (Status s = store->init(conninfo); !s.ok()) return s;
  return std::unique_ptr<CustodyStore>(std::move(store));
}

}  // namespace chainbreak::store::internal
