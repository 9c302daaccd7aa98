// Intake of case reports on PostgreSQL (CaseStore::intake): the set-based
// path, a handful of statements per batch (one lookup over the whole batch,
// one insert of the new cases, one update of the joined ones, one insert of
// the reports) instead of one statement per report, whose executor
// start-up dominated the server's time (perf: ~85 us of backend CPU per
// report); and the per-report path it falls back to, which names the
// report at fault. Internal to src/store; used by postgres_cases.cc.
//
// Semantics are exactly those of intake() one report after another (the
// SQLite backend): each report joins, in this order, the open case
// join_case names, else the lowest-numbered open case with its URL key,
// else with its file SHA-256, else with its MD5, where "open cases" include
// those this batch opened or joined before it; else it opens a new case.
// tests/store/case_intake_oracle_test.cc compares the two backends on
// random batches.
#pragma once

#include <span>
#include <vector>

#include "store/case_store.h"
#include "store/pg_db.h"

namespace chainbreak::store::internal {

// The prepared statements the intake runs, for the connection's list.
extern const std::span<const PgStatement> kPgIntakeStatements;

// CaseStore::intake on db: validates every report, then stores them all in
// one transaction or none (kInvalidInput naming "reports[i].<field>"; kIo
// for the database).
Result<std::vector<IntakeResult>> pg_intake(PgConn& db, std::span<const NewReport> reports);

}  // namespace chainbreak::store::internal
