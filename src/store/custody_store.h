// Durable state of the evidence vault and of the audit log's signatures:
// evidence rows (metadata, hashes and the encrypted bytes) and signed
// audit checkpoints. Same two implementations and conventions as
// service_store.h (SQLite in the data directory, PostgreSQL for replicas);
// open it on the same location as the ServiceStore. The store keeps rows
// only: it never sees a key, encrypts, signs or audits anything (that is
// src/custody, which writes the audit entries through the ServiceStore).
//
// The ciphertext is kept in the database (BLOB / bytea), so replicas on one
// PostgreSQL database share it; purging deletes it and keeps every hash and
// the metadata.
//
// Thread-safety: one CustodyStore object per thread at a time; safe across
// processes and replicas (each call is one transaction or one statement).
// Errors: Status/Result, kInvalidInput for bad arguments (message names the
// field), kLimitExceeded for a ciphertext over kMaxCiphertextBytes, kIo for
// database failures; never an exception.
#pragma once

#include <cstdint>
#include <memory>
#include <optional>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace chainbreak::store {

// Largest ciphertext stored (nonce + encrypted bytes + tag).
inline constexpr int64_t kMaxCiphertextBytes = int64_t{256} << 20;

// One evidence item. Hashes are lowercase hex.
struct EvidenceRecord {
  int64_t id = 0;                 // from reserve_evidence_id(); never reused
  std::string case_ref;           // opaque to the store, e.g. "case:12"; 1..128 bytes of UTF-8
  std::string name;               // original file name as received; 1..255 bytes of UTF-8
  std::string media_type;         // e.g. "image/jpeg"; 1..127 bytes of UTF-8
  int64_t size = 0;               // bytes of the original
  std::string sha256;             // SHA-256 of the original (64 hex)
  std::string md5;                // MD5 of the original (32 hex)
  std::string ciphertext_sha256;  // SHA-256 of the stored ciphertext (64 hex)
  std::string key_id;             // which evidence key encrypted it (16 hex; see custody/keys.h)
  int64_t created_at = 0;         // unix seconds, set by the caller
  int64_t retain_until = 0;       // unix seconds (> 0): purge_evidence allowed from then on
  bool legal_hold = false;        // true: never purged, whatever retain_until says
  int64_t purged_at = 0;          // unix seconds; 0 = not purged (NULL in the database)
};

// One signed audit checkpoint: an Ed25519 signature over the audit entry
// seq's hash, i.e. over the whole chain up to seq.
struct AuditCheckpoint {
  int64_t seq = 0;         // the audit entry signed (>= 1)
  std::string hash;        // that entry's hash (64 lowercase hex)
  int64_t signed_at = 0;   // unix seconds
  std::string public_key;  // Ed25519 public key (64 lowercase hex)
  std::string signature;   // Ed25519 detached signature of checkpoint_message (128 lowercase hex)
};

// The exact bytes an audit checkpoint signature covers. Pure.
//   F("chainbreak-audit-checkpoint-v1") F(seq) F(hash)
// where F(x) is the byte length of x as 8 bytes big-endian followed by the
// bytes of x (as in audit_entry_hash), seq is decimal ASCII without leading
// zeros ("-" for a negative number) and hash is the 64 lowercase hex
// characters of the entry's hash as stored. Example: seq 7 gives
//   00 00 00 00 00 00 00 1e "chainbreak-audit-checkpoint-v1"
//   00 00 00 00 00 00 00 01 "7"  00 00 00 00 00 00 00 40 "<64 hex>".
std::string checkpoint_message(int64_t seq, std::string_view hash);

class CustodyStore {
 public:
  virtual ~CustodyStore() = default;

  // A fresh evidence id (1, 2, ...), never handed out twice, even when the
  // row is never inserted (the vault binds the id into the ciphertext and
  // the audit entry before the row exists). kIo.
  virtual Result<int64_t> reserve_evidence_id() = 0;
  // Inserts a row with rec.id from reserve_evidence_id() and its
  // ciphertext. Every field but purged_at is stored as given (legal_hold
  // too); purged_at must be 0. kInvalidInput naming the field: id < 1,
  // text empty/too long/not UTF-8/holding NUL, size < 0, a hash not of its
  // hex length, created_at < 0, retain_until < 1, a duplicate id;
  // kLimitExceeded for a ciphertext over kMaxCiphertextBytes.
  virtual Status insert_evidence(const EvidenceRecord& rec, std::string_view ciphertext) = 0;
  // The row without its ciphertext; nullopt for an unknown id.
  virtual Result<std::optional<EvidenceRecord>> get_evidence(int64_t id) = 0;
  // The stored ciphertext as it is; nullopt for an unknown id or a purged
  // item (its ciphertext is gone).
  virtual Result<std::optional<std::string>> read_ciphertext(int64_t id) = 0;
  // Rows with id > after, by id, at most limit (>= 1, else kInvalidInput).
  virtual Result<std::vector<EvidenceRecord>> list_evidence(int64_t after, int64_t limit) = 0;
  // Rows due for purging at now: 0 < retain_until <= now, no legal hold,
  // not purged; by id, at most limit (>= 1).
  virtual Result<std::vector<EvidenceRecord>> due_for_purge(int64_t now, int64_t limit) = 0;
  // Sets the legal hold. kInvalidInput for an unknown id.
  virtual Status set_legal_hold(int64_t id, bool hold) = 0;
  // Sets retain_until (unix seconds, >= 1) of an item not purged yet.
  // kInvalidInput for an unknown or purged id.
  virtual Status set_retention(int64_t id, int64_t retain_until) = 0;
  // Deletes the ciphertext and sets purged_at = now, in one statement, only
  // if the item is still due (retain_until <= now, no legal hold, not
  // purged): true when it was purged, false when it was not due (a hold set
  // meanwhile) or unknown.
  virtual Result<bool> purge_evidence(int64_t id, int64_t now) = 0;

  // Checkpoints. insert: kInvalidInput for seq < 1 or a hash, key or
  // signature not of its hex length (lowercase hex is stored); inserting the
  // same (seq, public_key) twice keeps the first and is not an error.
  virtual Status insert_checkpoint(const AuditCheckpoint& c) = 0;
  // The checkpoint with the highest seq (the latest signed one at that seq);
  // nullopt when there is none.
  virtual Result<std::optional<AuditCheckpoint>> last_checkpoint() = 0;
  // Checkpoints with seq > after, by seq then signed_at, at most limit (>= 1).
  virtual Result<std::vector<AuditCheckpoint>> checkpoints_since(int64_t after, int64_t limit) = 0;
};

// Same location rules as open_service_store: "postgresql://...",
// "postgres://..." or "host=..." is PostgreSQL, anything else a SQLite file
// (the tables are created if missing). kIo naming the location otherwise.
Result<std::unique_ptr<CustodyStore>> open_custody_store(const std::string& location);

}  // namespace chainbreak::store
