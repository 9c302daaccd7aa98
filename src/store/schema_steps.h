// Versioned schemas of the service, case and custody stores, on SQLite and
// PostgreSQL alike: a schema is a list of steps, and the database records
// in its table schema_versions (name, version) the last step applied to
// each named schema. Opening a store applies the missing steps in order in
// one transaction (all or none), and refuses a database whose recorded
// version is newer than this build knows, before changing anything. (The
// bank store predates this and keeps its own version: PRAGMA user_version
// on SQLite, table schema_version on PostgreSQL.) Internal to src/store.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::store::internal {

// One step of a schema's history: the statements that take it from the
// previous version to `version` (1, 2, ... in order). Step 1 creates the
// schema with CREATE ... IF NOT EXISTS, so that a database made before
// versions were recorded is adopted as version 1 unchanged. A later step
// that adds a column or an index is a new step, never an edit of an old one.
struct SchemaStep {
  int version;
  const char* sql;
};

// The schema_versions table both backends keep.
inline constexpr const char* kSchemaVersionsTable =
    "CREATE TABLE IF NOT EXISTS schema_versions (name TEXT PRIMARY KEY, version INTEGER NOT NULL)";

// The version the steps lead to (the last one's; 0 for none).
inline int latest_version(std::span<const SchemaStep> steps) { return steps.empty() ? 0 : steps.back().version; }

// The steps a database at version `recorded` still needs (empty when up to
// date); kIo naming op, the schema and both versions when the database is
// newer than this build knows.
inline Result<std::span<const SchemaStep>> steps_after(std::string_view name, int64_t recorded,
                                                       std::span<const SchemaStep> steps, std::string_view op) {
  if (recorded <= latest_version(steps)) {
    size_t i = 0;
    while (i < steps.size() && steps[i].version <= recorded) ++i;
    return steps.subspan(i);
  }
  return IoError(std::string(op) + ": the database's " + std::string(name) + " schema is at version " +
                 std::to_string(recorded) + ", newer than this build knows (" + std::to_string(latest_version(steps)) +
                 "); run a newer chainbreak");
}

}  // namespace chainbreak::store::internal
