// What both CustodyStore backends share: argument validation (done before
// anything is written) and the backends' open functions. Internal to
// src/store; not part of the public interface.
#pragma once

#include <memory>
#include <string>
#include <string_view>

#include "store/custody_store.h"
#include "util/result.h"

// Column lists shared by the SQLite and PostgreSQL statements (the readers
// of both backends take the columns in this order).
#define EVIDENCE_COLS                                                                                        \
  "id, case_ref, name, media_type, size, sha256, md5, ciphertext_sha256, key_id, created_at, retain_until, " \
  "legal_hold, purged_at"
#define CHECKPOINT_COLS "seq, hash, signed_at, public_key, signature"

namespace chainbreak::store::internal {

// The backends (sqlite_custody.cc, postgres_custody.cc).
Result<std::unique_ptr<CustodyStore>> open_sqlite_custody(const std::string& path);
Result<std::unique_ptr<CustodyStore>> open_postgres_custody(const std::string& conninfo);

// Checks a row for insert_evidence (see custody_store.h) and returns it
// with its hashes lowercased in *out. kInvalidInput naming the field.
Status validate_evidence(const EvidenceRecord& rec, std::string_view ciphertext, EvidenceRecord* out);
// Checks a checkpoint for insert_checkpoint; *out has lowercase hex.
Status validate_checkpoint(const AuditCheckpoint& c, AuditCheckpoint* out);

}  // namespace chainbreak::store::internal
