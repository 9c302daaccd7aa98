// One fixture for every store test, instantiated once per backend:
//   Sqlite/StoreTest.*    a fresh database file in a temporary directory;
//   Postgres/StoreTest.*  the server named by CHAINBREAK_TEST_PG, emptied
//                         first (run through scripts/with-postgres.sh, which
//                         starts a throwaway server); skipped when unset.
// Test values are random hex from a seeded generator, never real hashes.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "store/service_store.h"
#include "store/store.h"

namespace chainbreak::store::testing {

enum class Backend { kSqlite, kPostgres };

class StoreTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Opens another Store on the same database (a second connection), or
  // fails the test.
  std::unique_ptr<Store> open_again();
  // Closes the fixture's store and opens it again.
  void reopen();

  // A bank with this name and default settings; fails the test otherwise.
  Bank make_bank(const std::string& name);
  // Random lowercase hex of the right length for the type.
  std::string random_value(SignalType t);
  // An entry with a random value and short provenance.
  Entry make_entry(SignalType t = SignalType::kPdq);
  std::vector<Entry> make_entries(size_t n, SignalType t = SignalType::kPdq);
  // add_entries that must succeed.
  std::vector<int64_t> add(int64_t bank_id, const std::vector<Entry>& entries);
  // Every change so far (asserts the call succeeds).
  std::vector<Change> all_changes();
  int64_t last_seq();
  // Runs SQL directly on the database (sqlite3 / libpq); fails the test on
  // error.
  void raw_exec(const std::string& sql);

  std::string location_;
  std::string dir_;
  std::unique_ptr<Store> store_;
  std::mt19937_64 rng_{20240611};
};

// The service store (service_store.h) on the same database as store_.
class ServiceStoreTest : public StoreTest {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Another ServiceStore on the same database, or fails the test.
  std::unique_ptr<ServiceStore> open_service();

  std::unique_ptr<ServiceStore> svc_;
};

// Tests of PostgreSQL-only concerns (instantiated for PostgreSQL only).
class PostgresStoreTest : public StoreTest {};

// Runs SQL on its own libpq connection; fails the test on error.
void pg_exec(const std::string& conninfo, const std::string& sql);

// The first column of the first row of sql run on the database with its own
// client (sqlite3 read-only / libpq), as text ("" when no row).
std::string query_one(Backend backend, const std::string& location, const std::string& sql);

// Name of a backend for test names: "Sqlite", "Postgres".
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace chainbreak::store::testing
