// What the stores keep on disk, read back with the databases' own clients:
// values as raw bytes (not hex), the value index in place after a bulk load
// (which may rebuild it), the schema version recorded for migrations.
#include <gtest/gtest.h>
#include <libpq-fe.h>
#include <sqlite3.h>

#include <filesystem>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

// The first column of the first row of sql, as text ("" when no row).
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

TEST_P(StoreTest, StoredFormat) {
  const Backend b = GetParam();
  Bank bank = make_bank("format");
  // Large enough for the bulk path that rebuilds the SQLite value index.
  std::vector<Entry> in = make_entries(30000);
  in[0].value = "00ff" + std::string(60, 'a');
  std::vector<int64_t> ids = add(bank.id, in);
  ASSERT_EQ(ids.size(), in.size());
  const std::string id = std::to_string(ids[0]);

  if (b == Backend::kSqlite) {
    EXPECT_EQ(query_one(b, location_, "SELECT typeof(value) FROM entries WHERE id = " + id), "blob");
    EXPECT_EQ(query_one(b, location_, "SELECT length(value) FROM entries WHERE id = " + id), "32");
    EXPECT_EQ(query_one(b, location_, "SELECT hex(substr(value, 1, 3)) FROM entries WHERE id = " + id), "00FFAA");
    EXPECT_EQ(query_one(b, location_, "SELECT count(*) FROM sqlite_master WHERE name = 'entries_by_value'"), "1");
    EXPECT_EQ(query_one(b, location_, "PRAGMA user_version"), "1");
    EXPECT_EQ(query_one(b, location_, "PRAGMA journal_mode"), "wal");
  } else {
    EXPECT_EQ(query_one(b, location_, "SELECT pg_typeof(value)::text FROM entries WHERE id = " + id), "bytea");
    EXPECT_EQ(query_one(b, location_, "SELECT octet_length(value) FROM entries WHERE id = " + id), "32");
    EXPECT_EQ(query_one(b, location_, "SELECT encode(substr(value, 1, 3), 'hex') FROM entries WHERE id = " + id),
              "00ffaa");
    EXPECT_EQ(query_one(b, location_, "SELECT count(*) FROM pg_indexes WHERE indexname = 'entries_by_value'"), "1");
    EXPECT_EQ(query_one(b, location_, "SELECT max(version) FROM schema_version"), "1");
  }
  // The index serves remove_by_value after the bulk load.
  EXPECT_EQ(store_->remove_by_value(bank.id, SignalType::kPdq, std::vector<std::string>{in[29999].value}).value(), 1);
  // A smaller batch into the now larger table keeps the index too.
  add(bank.id, make_entries(100));
  if (b == Backend::kSqlite) {
    EXPECT_EQ(query_one(b, location_, "SELECT count(*) FROM sqlite_master WHERE name = 'entries_by_value'"), "1");
  }
}

TEST(StoreSqlite, RefusesNewerSchema) {
  std::string dir = (std::filesystem::temp_directory_path() / "chainbreak-store-XXXXXX").string();
  ASSERT_NE(mkdtemp(dir.data()), nullptr);
  const std::string path = dir + "/future.db";
  {
    auto s = open_sqlite(path);
    ASSERT_TRUE(s.ok()) << s.status().message();
  }
  sqlite3* db = nullptr;
  ASSERT_EQ(sqlite3_open(path.c_str(), &db), SQLITE_OK);
  EXPECT_EQ(sqlite3_exec(db, "PRAGMA user_version = 99", nullptr, nullptr, nullptr), SQLITE_OK);
  sqlite3_close(db);
  auto again = open_sqlite(path);
  EXPECT_EQ(again.status().code(), ErrorCode::kIo);
  EXPECT_NE(again.status().message().find("schema version 99"), std::string::npos) << again.status().message();
  std::filesystem::remove_all(dir);
}

}  // namespace
}  // namespace chainbreak::store::testing
