#include "store_fixture.h"

#include <libpq-fe.h>
#include <sqlite3.h>
#include <stdlib.h>

#include <filesystem>

namespace chainbreak::store::testing {
namespace {

// Drops the store's and the service store's tables so each PostgreSQL test starts from nothing.
void empty_postgres(const std::string& conninfo) {
  ASSERT_NO_FATAL_FAILURE(
      pg_exec(conninfo,
              "DROP TABLE IF EXISTS changes, entries, banks, schema_version, schema_versions, api_tokens, audit_log, "
              "rules, webhook_deliveries, decisions, cases, case_reports, case_transitions, partners, reveals "
              "CASCADE"));
}

}  // namespace

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
  ASSERT_TRUE(ok) << err;
}

std::string query_one(Backend backend, const std::string& location, const std::string& sql) {
  std::string out;
  if (backend == Backend::kSqlite) {
    sqlite3* db = nullptr;
    EXPECT_EQ(sqlite3_open_v2(location.c_str(), &db, SQLITE_OPEN_READONLY, nullptr), SQLITE_OK);
    sqlite3_stmt* st = nullptr;
    EXPECT_EQ(sqlite3_prepare_v2(db, sql.c_str(), -1, &st, nullptr), SQLITE_OK) << sqlite3_errmsg(db);
    if (st && sqlite3_step(st) == SQLITE_ROW) {
      const unsigned char* t = sqlite3_column_text(st, 0);
      out = t ? reinterpret_cast<const char*>(t) : "";
    }
    sqlite3_finalize(st);
    sqlite3_close(db);
  } else {
    PGconn* c = PQconnectdb(location.c_str());
    PGresult* r = PQexec(c, sql.c_str());
    EXPECT_EQ(PQresultStatus(r), PGRES_TUPLES_OK) << PQresultErrorMessage(r);
    if (PQresultStatus(r) == PGRES_TUPLES_OK && PQntuples(r) > 0) out = PQgetvalue(r, 0, 0);
    PQclear(r);
    PQfinish(c);
  }
  return out;
}

std::string backend_name(const ::testing::TestParamInfo<Backend>& info) {
  return info.param == Backend::kSqlite ? "Sqlite" : "Postgres";
}

void StoreTest::SetUp() {
  if (GetParam() == Backend::kPostgres) {
    const char* pg = std::getenv("CHAINBREAK_TEST_PG");
    if (pg == nullptr || *pg == '\0') {
      GTEST_SKIP() << "PostgreSQL store tests need a server: CHAINBREAK_TEST_PG is not set. Run them with "
                      "scripts/with-postgres.sh <this test binary> (ctest runs them as store_postgres).";
    }
    location_ = pg;
    ASSERT_NO_FATAL_FAILURE(empty_postgres(location_));
  } else {
    std::string tmpl = (std::filesystem::temp_directory_path() / "chainbreak-store-XXXXXX").string();
    ASSERT_NE(mkdtemp(tmpl.data()), nullptr);
    dir_ = tmpl;
    location_ = dir_ + "/store.db";
  }
  store_ = open_again();
  ASSERT_NE(store_, nullptr);
}

void StoreTest::TearDown() {
  store_.reset();
  if (!dir_.empty()) std::filesystem::remove_all(dir_);
}

std::unique_ptr<Store> StoreTest::open_again() {
  auto r = open_store(location_);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

void StoreTest::reopen() {
  store_.reset();
  store_ = open_again();
  ASSERT_NE(store_, nullptr);
}

Bank StoreTest::make_bank(const std::string& name) {
  Bank b;
  b.name = name;
  auto r = store_->create_bank(b);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : Bank{};
}

std::string StoreTest::random_value(SignalType t) {
  size_t chars = t == SignalType::kMd5 ? 32 : t == SignalType::kSha1 ? 40 : 64;
  static constexpr char kHex[] = "0123456789abcdef";
  std::string s(chars, '0');
  for (size_t i = 0; i < chars; i += 16) {
    uint64_t v = rng_();
    for (size_t k = i; k < chars && k < i + 16; ++k, v >>= 4) s[k] = kHex[v & 15];
  }
  return s;
}

Entry StoreTest::make_entry(SignalType t) {
  Entry e;
  e.type = t;
  e.value = random_value(t);
  e.external_id = "ext-" + std::to_string(rng_() % 1000000);
  e.source_org = "test-org";
  e.classification = "A1";
  return e;
}

std::vector<Entry> StoreTest::make_entries(size_t n, SignalType t) {
  std::vector<Entry> v;
  v.reserve(n);
  for (size_t i = 0; i < n; ++i) v.push_back(make_entry(t));
  return v;
}

std::vector<int64_t> StoreTest::add(int64_t bank_id, const std::vector<Entry>& entries) {
  auto r = store_->add_entries(bank_id, entries);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : std::vector<int64_t>{};
}

std::vector<Change> StoreTest::all_changes() {
  auto r = store_->changes_since(0, 1 << 30);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : std::vector<Change>{};
}

int64_t StoreTest::last_seq() {
  auto r = store_->last_change_seq();
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? r.value() : -1;
}

void ServiceStoreTest::SetUp() {
  ASSERT_NO_FATAL_FAILURE(StoreTest::SetUp());
  if (IsSkipped()) return;
  svc_ = open_service();
  ASSERT_NE(svc_, nullptr);
}

void ServiceStoreTest::TearDown() {
  svc_.reset();
  StoreTest::TearDown();
}

std::unique_ptr<ServiceStore> ServiceStoreTest::open_service() {
  auto r = open_service_store(location_);
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : nullptr;
}

void StoreTest::raw_exec(const std::string& sql) {
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
  ASSERT_EQ(rc, SQLITE_OK) << msg;
}

INSTANTIATE_TEST_SUITE_P(Sqlite, StoreTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, StoreTest, ::testing::Values(Backend::kPostgres), backend_name);
INSTANTIATE_TEST_SUITE_P(Sqlite, ServiceStoreTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, ServiceStoreTest, ::testing::Values(Backend::kPostgres), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, PostgresStoreTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace chainbreak::store::testing
