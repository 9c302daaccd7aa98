#include "custody_fixture.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>
#include <sys/wait.h>

#include <cstdio>
#include <filesystem>

#include "custody/crypto.h"

namespace chainbreak::custody::testing {
namespace {

void pg_exec(const std::string& conninfo, const std::string& sql) {
  PGconn* c = PQconnectdb(conninfo.c_str());
  ASSERT_EQ(PQstatus(c), CONNECTION_OK) << PQerrorMessage(c);
  PQsetNoticeProcessor(
      c, [](void*, const char*) {}, nullptr);
  PGresult* r = PQexec(c, sql.c_str());
  const bool ok = PQresultStatus(r) == PGRES_COMMAND_OK || PQresultStatus(r) == PGRES_TUPLES_OK;
  std::string err = PQresultErrorMessage(r);
  PQclear(r);
  PQfinish(c);
  ASSERT_TRUE(ok) << err << " in: " << sql;
}

std::string shell_quote(const std::string& s) {
  std::string q = "'";
  for (char c : s) q += c == '\'' ? std::string("'\\''") : std::string(1, c);
  return q + "'";
}

}  // namespace

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

void CustodyTest::SetUp() {
  unsetenv("CHAINBREAK_KEY_DIR");
  std::string tmpl = (std::filesystem::temp_directory_path() / "chainbreak-custody-XXXXXX").string();
  ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
  dir_ = tmpl;
  key_dir_ = dir_ + "/keys";
  if (GetParam() == Backend::kPostgres) {
    const char* pg = std::getenv("CHAINBREAK_TEST_PG");
    if (pg == nullptr || *pg == '\0') {
      GTEST_SKIP() << "PostgreSQL custody tests need a server: CHAINBREAK_TEST_PG is not set. Run them with "
                      "scripts/with-postgres.sh <this test binary> (ctest runs them as custody_postgres).";
    }
    location_ = pg;
    ASSERT_NO_FATAL_FAILURE(
        pg_exec(location_,
                "DROP TABLE IF EXISTS evidence, audit_checkpoints, schema_versions, api_tokens, audit_log, rules, "
                "webhook_deliveries, decisions CASCADE; DROP SEQUENCE IF EXISTS evidence_ids"));
  } else {
    location_ = dir_ + "/chainbreak.db";
  }
  auto s = store::open_service_store(location_);
  ASSERT_TRUE(s.ok()) << s.status().message();
  svc_ = std::move(s).value();
  auto c = store::open_custody_store(location_);
  ASSERT_TRUE(c.ok()) << c.status().message();
  custody_ = std::move(c).value();
  auto k = load_or_create_evidence_key(key_dir_);
  ASSERT_TRUE(k.ok()) << k.status().message();
  vault_ = std::make_unique<Vault>(*svc_, *custody_, k.value());
}

void CustodyTest::TearDown() {
  vault_.reset();
  custody_.reset();
  svc_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::string CustodyTest::synthetic_bytes(size_t n) {
  std::string s(n, '\0');
  for (size_t i = 0; i < n; ++i) s[i] = static_cast<char>(rng_() & 0xff);
  return s;
}

store::EvidenceRecord CustodyTest::add(const std::string& bytes, int64_t retain_until, bool hold) {
  Retention r;
  r.retain_until = retain_until;
  r.legal_hold = hold;
  auto rec = vault_->add_evidence(bytes, "upload.bin", "application/octet-stream", "case:12", r, "analyst-1");
  EXPECT_TRUE(rec.ok()) << rec.status().message();
  return rec.ok() ? rec.value() : store::EvidenceRecord{};
}

std::vector<store::AuditEntry> CustodyTest::audit_log() {
  auto r = svc_->audit_since(0, 1 << 30);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : std::vector<store::AuditEntry>{};
}

int64_t CustodyTest::audit_seq(const std::string& action, const std::string& target) {
  for (const auto& e : audit_log()) {
    if (e.action == action && e.target == target) return e.seq;
  }
  return 0;
}

VerifyReport CustodyTest::verify_now(VerifyOptions o) {
  o.in_flight_us = 0;
  auto r = verify(*svc_, *custody_, o);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : VerifyReport{};
}

void CustodyTest::raw_exec(const std::string& sql) {
  if (GetParam() == Backend::kPostgres) {
    ASSERT_NO_FATAL_FAILURE(pg_exec(location_, sql));
    return;
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(location_.c_str(), &db), SQLITE_OK);
  sqlite3_busy_timeout(db, 10000);
  char* err = nullptr;
  const int rc = sqlite3_exec(db, sql.c_str(), nullptr, nullptr, &err);
  const std::string msg = err ? err : "";
  sqlite3_free(err);
  sqlite3_close(db);
  ASSERT_EQ(rc, SQLITE_OK) << msg << " in: " << sql;
}

std::string CustodyTest::bytes_literal(const std::string& raw) const {
  const std::string hex = hex_encode(raw);
  return GetParam() == Backend::kPostgres ? "'\\x" + hex + "'::bytea" : "X'" + hex + "'";
}

void CustodyTest::set_ciphertext(int64_t id, const std::string& raw) {
  ASSERT_NO_FATAL_FAILURE(
      raw_exec("UPDATE evidence SET ciphertext = " + bytes_literal(raw) + " WHERE id = " + std::to_string(id)));
}

std::string CustodyTest::ciphertext(int64_t id) {
  auto c = custody_->read_ciphertext(id);
  EXPECT_TRUE(c.ok() && c.value()) << (c.ok() ? "purged" : c.status().message());
  return c.ok() && c.value() ? *c.value() : std::string();
}

std::vector<std::string> CustodyTest::cli_location() const { return {"--db", location_, "--key-dir", key_dir_}; }

int CustodyTest::run_cli(const std::vector<std::string>& args, std::string* out) {
  std::string cmd = shell_quote(CHAINBREAK_BIN);
  for (const auto& a : args) {
    cmd += ' ';  // appended piecewise: GCC 12 -O2 misreads " " + x (-Wrestrict)
    cmd += shell_quote(a);
  }
  cmd += " 2>&1";
  FILE* p = popen(cmd.c_str(), "r");
  if (!p) return -1;
  out->clear();
  char buf[4096];
  size_t n;
  while ((n = fread(buf, 1, sizeof buf, p)) > 0) out->append(buf, n);
  const int status = pclose(p);
  return WIFEXITED(status) ? WEXITSTATUS(status) : -1;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CustodyTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, CustodyTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace chainbreak::custody::testing
