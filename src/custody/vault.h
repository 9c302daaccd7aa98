// The evidence vault: evidence files encrypted at rest, with the SHA-256
// and MD5 of the original, retention with purge, legal holds, and an audit
// entry for every addition, view, export, hold change and purge.
//
// Encryption: XChaCha20-Poly1305 (libsodium crypto_aead_xchacha20poly1305_
// ietf) under the evidence key (keys.h), a fresh random 24-byte nonce per
// item stored in front of the ciphertext; the associated data binds the
// item's id, SHA-256, MD5 and size (crypto.h evidence_ad), so a ciphertext
// copied into another row, or a row whose hashes were edited, does not
// decrypt.
//
// Ordering (audit first, as the rest of the service): every write appends
// its audit entry *before* it changes a row, so no change is ever
// unaudited; when the write then fails, "<action>.failed" is appended
// (best effort) naming the error. add_evidence: reserve the id, encrypt,
// append "evidence.add" (target "evidence:<id>", detail {sha256, md5,
// ciphertext_sha256, size, case_ref, media_type, key_id, retain_until,
// legal_hold}; never the file name, which may be personal data), then
// insert the row. A crash between the two leaves an "evidence.add" entry
// without a row and without ".failed": verify (verify.h) reports it, which
// is the honest answer (the chain says an item was being added that is not
// there).
//
// Audit actions: evidence.add, evidence.view, evidence.export,
// evidence.legal_hold ({"legal_hold": bool}), evidence.purge
// ({"retain_until", "sha256"}), each with ".failed" on failure. Reads of an
// unknown or purged id fail before anything is audited.
//
// Ownership and threads: a Vault borrows its two stores (opened on the same
// database; they must outlive it) and keeps a copy of the key. One Vault per
// thread at a time, like the stores. Errors: kInvalidInput naming the field
// or the item ("evidence 9: ..."), kLimitExceeded for files over
// kMaxEvidenceBytes, kIo for database failures and for stored data that
// fails its checks (ciphertext altered, original hash differs), never an
// exception.
#pragma once

#include <cstdint>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "custody/keys.h"
#include "store/custody_store.h"
#include "store/service_store.h"
#include "util/result.h"

namespace chainbreak::custody {

// Largest original accepted (the ciphertext adds 40 bytes).
inline constexpr int64_t kMaxEvidenceBytes = store::kMaxCiphertextBytes - 64;

struct Retention {
  int64_t retain_until = 0;  // unix seconds, >= 1: purge_expired deletes the bytes from then on
  bool legal_hold = false;   // held items are never purged until the hold is released
};

// An item with its decrypted bytes (checked against its SHA-256 and MD5).
struct Evidence {
  store::EvidenceRecord record;
  std::string bytes;
};

class Vault {
 public:
  Vault(store::ServiceStore& audit, store::CustodyStore& custody, EvidenceKey key)
      : audit_(audit), custody_(custody), key_(std::move(key)) {}

  // Stores bytes encrypted and returns the row (id, hashes, created_at =
  // now). kInvalidInput naming the field: name (1..255 bytes), media_type
  // (1..127), case_ref (1..128), actor (1..128; UTF-8 without NUL each),
  // retention.retain_until < 1; kLimitExceeded over kMaxEvidenceBytes.
  // Empty files are accepted (their hashes are the well-known ones).
  Result<store::EvidenceRecord> add_evidence(std::string_view bytes, std::string_view name, std::string_view media_type,
                                             std::string_view case_ref, const Retention& retention,
                                             std::string_view actor);
  // Decrypts item id for actor and checks the original SHA-256 and MD5;
  // audited as "evidence.view". kInvalidInput for an unknown or purged id;
  // kUnsupported when the item was encrypted under a key this vault does
  // not hold ("encrypted with key <id>, not with <id>": a configuration
  // problem, the item itself is intact); kIo when the ciphertext differs
  // from its row's hash, does not decrypt, or decrypts to other hashes.
  Result<Evidence> read_evidence(int64_t id, std::string_view actor);
  // The same for handing the file on (to an authority, a partner hotline);
  // audited as "evidence.export" with the recipient (1..256 bytes) and the
  // SHA-256.
  Result<Evidence> export_evidence(int64_t id, std::string_view actor, std::string_view recipient);
  // Deletes the ciphertext of every item past retain_until (<= now) without
  // a legal hold, keeping its hashes and metadata; each audited as
  // "evidence.purge" before it happens. An item held meanwhile is skipped
  // ("evidence.purge.failed"). Returns the ids purged, in order; stops at
  // the first database error.
  Result<std::vector<int64_t>> purge_expired(int64_t now, std::string_view actor = "system");
  // The same for these items only (unknown, purged, held or not yet due
  // ones are left alone): a closed case's files, without touching other
  // cases' items that happen to be due. Returns the ids purged, in the
  // order given.
  Result<std::vector<int64_t>> purge_items(std::span<const int64_t> ids, int64_t now,
                                           std::string_view actor = "system");
  // Sets or releases the legal hold (audited as "evidence.legal_hold").
  // kInvalidInput for an unknown or purged id.
  Status set_legal_hold(int64_t id, bool hold, std::string_view actor);
  // Moves an item's retention to retain_until (unix seconds, >= 1), e.g. to
  // now when its case closed with nothing illegal found (audited as
  // "evidence.retention" with the reason, 1..256 bytes). A legal hold still
  // keeps the bytes; purge_expired deletes them once due. kInvalidInput for
  // an unknown or purged id or a bad argument (naming it).
  Status set_retention(int64_t id, int64_t retain_until, std::string_view reason, std::string_view actor);

  const EvidenceKey& key() const { return key_; }

 private:
  Result<Evidence> open_item(int64_t id, std::string_view actor, std::string_view action, std::string_view extra);
  // The row of id, or kInvalidInput for an unknown or purged one.
  Result<store::EvidenceRecord> live_row(int64_t id);
  // Audits "evidence.purge" and deletes rec's ciphertext if still due:
  // true when purged, false when a hold was set meanwhile (audited as
  // "evidence.purge.failed").
  Result<bool> purge_one(const store::EvidenceRecord& rec, int64_t now, std::string_view actor);
  // Appends "<action>.failed" naming the error (best effort) and returns s.
  Status failed(std::string_view actor, std::string_view action, int64_t id, const Status& s);

  store::ServiceStore& audit_;
  store::CustodyStore& custody_;
  EvidenceKey key_;
};

// "evidence:<id>", the audit target of an item.
std::string evidence_target(int64_t id);

}  // namespace chainbreak::custody
