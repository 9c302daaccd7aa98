// The set-based intake of a batch of reports on PostgreSQL: a handful of
// statements per batch (one lookup over the whole batch, one insert of the
// new cases, one update of the joined ones, one insert of the reports)
// instead of one statement per report, whose executor start-up dominated
// the server's time (perf: ~85 us of backend CPU per report). Internal to
// src/store; used by postgres_cases.cc inside its intake transaction.
//
// Semantics are exactly those of intake() one report after another (the
// SQLite backend and the per-report path): each report joins, in this
// order, the open case join_case names, else the lowest-numbered open case
// with its URL key, else with its file SHA-256, else with its MD5, where
// "open cases" include those this batch opened or joined before it; else
// it opens a new case. tests/store/case_store_test.cc compares the two
// backends on random batches.
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <vector>

#include "store/case_store.h"
#include "store/pg_db.h"

namespace chainbreak::store::internal {

// The prepared statements the batch intake runs (names "case_batch_*"),
// for the connection's statement list.
extern const PgStatement kPgBatchIntakeStatements[4];

// Runs the batch inside the caller's transaction (begun, the intake
// advisory lock held). Returns the results in input order; nullopt when
// the batch cannot be taken this way and the caller must roll back and
// take the per-report path (a case closed between lookup and update, a
// receipt hash already used, a value PostgreSQL refused): that path gives
// the precise error. kIo for a lost connection.
Result<std::optional<std::vector<IntakeResult>>> pg_intake_batch(PgConn& db, std::span<const NewReport> reports,
                                                                 int64_t now);

}  // namespace chainbreak::store::internal
