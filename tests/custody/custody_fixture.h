// One fixture for the custody tests, instantiated once per backend:
//   Sqlite/CustodyTest.*    a fresh database file in a temporary directory;
//   Postgres/CustodyTest.*  the server named by CHAINBREAK_TEST_PG, emptied
//                           first (scripts/with-postgres.sh starts a
//                           throwaway one); skipped when unset.
// Keys live in a temporary directory in both cases. Evidence bytes are
// synthetic (seeded random bytes), never real material.
#pragma once

#include <gtest/gtest.h>

#include <memory>
#include <random>
#include <string>
#include <vector>

#include "custody/keys.h"
#include "custody/vault.h"
#include "custody/verify.h"
#include "store/custody_store.h"
#include "store/service_store.h"

namespace chainbreak::custody::testing {

enum class Backend { kSqlite, kPostgres };

class CustodyTest : public ::testing::TestWithParam<Backend> {
 protected:
  void SetUp() override;
  void TearDown() override;

  // Synthetic evidence: n seeded random bytes.
  std::string synthetic_bytes(size_t n);
  // add_evidence that must succeed (retain_until defaults to far ahead).
  store::EvidenceRecord add(const std::string& bytes, int64_t retain_until = 4'000'000'000, bool hold = false);
  // Every audit entry (asserts the call succeeds).
  std::vector<store::AuditEntry> audit_log();
  // The seq of the first entry with this action and target; 0 when none.
  int64_t audit_seq(const std::string& action, const std::string& target);
  // verify() that must run; the report.
  VerifyReport verify_now(VerifyOptions o = {});

  // Runs SQL directly on the database (sqlite3 / libpq); fails the test on
  // error.
  void raw_exec(const std::string& sql);
  // A literal for raw bytes in this backend's SQL (X'..' / '\x..'::bytea).
  std::string bytes_literal(const std::string& raw) const;
  // Replaces an item's stored ciphertext with raw, directly in the database.
  void set_ciphertext(int64_t id, const std::string& raw);
  // The stored ciphertext (asserts it is there).
  std::string ciphertext(int64_t id);

  // Runs `chainbreak ARGS 2>&1`; returns the exit status and fills *out.
  int run_cli(const std::vector<std::string>& args, std::string* out);
  // The CLI's location arguments for this database.
  std::vector<std::string> cli_location() const;

  std::string location_;  // SQLite file or PostgreSQL conninfo
  std::string dir_;       // temporary directory (keys, SQLite file)
  std::string key_dir_;
  std::unique_ptr<store::ServiceStore> svc_;
  std::unique_ptr<store::CustodyStore> custody_;
  std::unique_ptr<Vault> vault_;
  std::mt19937_64 rng_{20240611};
};

// Name of a backend for test names: "Sqlite", "Postgres".
std::string backend_name(const ::testing::TestParamInfo<Backend>& info);

}  // namespace chainbreak::custody::testing
