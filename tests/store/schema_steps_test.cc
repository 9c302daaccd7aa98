// Versioned schemas (store/schema_steps.h) on both backends: the migration
// runner applies only the missing steps, all or none; the service, case and
// custody stores record their versions, adopt a database made before
// versions were recorded, and refuse a newer one before changing anything.
#include <gtest/gtest.h>
#include <sqlite3.h>

#include <string>

#include "store/case_store.h"
#include "store/custody_store.h"
#include "store/pg_db.h"
#include "store/service_store.h"
#include "store/sqlite_db.h"
#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

using internal::SchemaStep;

class SchemaStepsTest : public StoreTest {
 protected:
  // Runs the migration runner of the backend for schema "steps_test".
  Status migrate(std::span<const SchemaStep> steps) {
    if (GetParam() == Backend::kSqlite) {
      sqlite3* db = nullptr;
      if (sqlite3_open(location_.c_str(), &db) != SQLITE_OK) {
        sqlite3_close(db);
        return IoError("cannot open " + location_);
      }
      Status s = internal::sqlite_migrate(db, "steps_test", steps, "test migrate");
      sqlite3_close(db);
      return s;
    }
    internal::PgConn db;
    return internal::pg_open_with_schema(db, location_, "steps_test", steps, {}, "test migrate");
  }
  // Whether a table of this name exists.
  bool has_table(const std::string& name) {
    const std::string sql = GetParam() == Backend::kSqlite
                                ? "SELECT count(*) FROM sqlite_master WHERE type = 'table' AND name = '" + name + "'"
                                : "SELECT count(*) FROM information_schema.tables WHERE table_schema = "
                                  "current_schema() AND table_name = '" +
                                      name + "'";
    return query_one(GetParam(), location_, sql) == "1";
  }
  std::string version_of(const std::string& schema) {
    return query_one(GetParam(), location_, "SELECT version FROM schema_versions WHERE name = '" + schema + "'");
  }
};

// Steps without IF NOT EXISTS: running one twice would fail, so a second
// success shows that only the missing steps ran.
constexpr SchemaStep kTwo[] = {{1, "CREATE TABLE steps_a (x INTEGER)"}, {2, "CREATE TABLE steps_b (x INTEGER)"}};
constexpr SchemaStep kThree[] = {{1, "CREATE TABLE steps_a (x INTEGER)"},
                                 {2, "CREATE TABLE steps_b (x INTEGER)"},
                                 {3, "CREATE TABLE steps_c (x INTEGER)"}};
// Step 4 fails (steps_a exists): step 3 must not stay applied either.
constexpr SchemaStep kFailing[] = {{1, "CREATE TABLE steps_a (x INTEGER)"},
                                   {2, "CREATE TABLE steps_b (x INTEGER)"},
                                   {3, "CREATE TABLE steps_c (x INTEGER)"},
                                   {4, "CREATE TABLE steps_a (x INTEGER)"}};

TEST_P(SchemaStepsTest, RunnerAppliesOnlyMissingStepsAllOrNone) {
  if (GetParam() == Backend::kPostgres) raw_exec("DROP TABLE IF EXISTS steps_a, steps_b, steps_c");
  ASSERT_TRUE(migrate(kTwo).ok());
  EXPECT_EQ(version_of("steps_test"), "2");
  EXPECT_TRUE(has_table("steps_a") && has_table("steps_b"));
  Status again = migrate(kTwo);
  EXPECT_TRUE(again.ok()) << again.message();

  Status bad = migrate(kFailing);
  EXPECT_EQ(bad.code(), ErrorCode::kIo);
  EXPECT_NE(bad.message().find("test migrate"), std::string::npos) << bad.message();
  EXPECT_FALSE(has_table("steps_c")) << "step 3 stayed applied after step 4 failed";
  EXPECT_EQ(version_of("steps_test"), "2");

  Status up = migrate(kThree);
  ASSERT_TRUE(up.ok()) << up.message();
  EXPECT_EQ(version_of("steps_test"), "3");
  EXPECT_TRUE(has_table("steps_c"));
  // An older build (knowing two steps) refuses the database now.
  Status old = migrate(kTwo);
  EXPECT_EQ(old.code(), ErrorCode::kIo);
  EXPECT_NE(old.message().find("steps_test schema is at version 3, newer than this build knows (2)"), std::string::npos)
      << old.message();
}

TEST_P(SchemaStepsTest, StoresRecordTheirVersions) {
  auto svc = open_service_store(location_);
  ASSERT_TRUE(svc.ok()) << svc.status().message();
  auto cases = open_case_store(location_);
  ASSERT_TRUE(cases.ok()) << cases.status().message();
  auto custody = open_custody_store(location_);
  ASSERT_TRUE(custody.ok()) << custody.status().message();
  EXPECT_EQ(version_of("service"), "1");
  EXPECT_EQ(version_of("cases"), "1");
  EXPECT_EQ(version_of("custody"), "1");
}

// A database written before versions were recorded (no schema_versions)
// is adopted as version 1 with its rows.
TEST_P(SchemaStepsTest, UnversionedDatabaseIsAdopted) {
  {
    auto svc = open_service_store(location_);
    ASSERT_TRUE(svc.ok()) << svc.status().message();
    ApiToken t;
    t.name = "kept";
    t.roles = kRoleAdmin;
    t.secret_hash = std::string(64, '2');
    ASSERT_TRUE(svc.value()->create_token(t).ok());
  }
  ASSERT_NO_FATAL_FAILURE(raw_exec("DROP TABLE schema_versions"));
  auto svc = open_service_store(location_);
  ASSERT_TRUE(svc.ok()) << svc.status().message();
  EXPECT_EQ(version_of("service"), "1");
  auto tokens = svc.value()->list_tokens();
  ASSERT_TRUE(tokens.ok()) << tokens.status().message();
  ASSERT_EQ(tokens.value().size(), 1u);
  EXPECT_EQ(tokens.value()[0].name, "kept");
}

// A database from a newer build: refused with a message naming the schema
// and the versions, and left as it was (no step ran: the dropped table is
// not recreated).
TEST_P(SchemaStepsTest, NewerDatabaseIsRefusedUnchanged) {
  {
    auto cases = open_case_store(location_);
    ASSERT_TRUE(cases.ok()) << cases.status().message();
  }
  ASSERT_NO_FATAL_FAILURE(raw_exec("UPDATE schema_versions SET version = 7 WHERE name = 'cases'"));
  ASSERT_NO_FATAL_FAILURE(raw_exec("DROP TABLE reveals"));
  auto again = open_case_store(location_);
  ASSERT_FALSE(again.ok());
  EXPECT_EQ(again.status().code(), ErrorCode::kIo);
  EXPECT_NE(again.status().message().find("cases schema is at version 7, newer than this build knows (1)"),
            std::string::npos)
      << again.status().message();
  EXPECT_FALSE(has_table("reveals"));
  EXPECT_EQ(version_of("cases"), "7");
}

INSTANTIATE_TEST_SUITE_P(Sqlite, SchemaStepsTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, SchemaStepsTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace
}  // namespace chainbreak::store::testing
