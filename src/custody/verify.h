// The verifiable chain of custody: signing audit checkpoints and checking
// everything end to end.
//
// Thread-safety: these functions use the stores they are given (one thread
// at a time per store, as the stores require). Errors: Result/Status for
// failures to *run* (database unreachable, kIo); a broken chain is not an
// error but a report with ok = false.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <vector>

#include "custody/keys.h"
#include "store/custody_store.h"
#include "store/service_store.h"
#include "util/result.h"

namespace chainbreak::custody {

// Signs the current head of the audit log (its last entry) with key and
// stores the checkpoint (store::checkpoint_message says what is signed).
// Before signing, the entries since this key's last checkpoint are checked
// (hash, prev link, seq continuity, and that they extend the checkpointed
// hash); the whole log is checked when the key has no valid checkpoint
// yet. A broken chain is never signed: kInvalidInput naming the entry
// ("audit entry 57: hash mismatch; not signed"). Returns the checkpoint
// stored, the existing one when the head is already signed by this key, or
// nullopt when the log is empty. The service calls it periodically and on
// shutdown; a checkpoint is not itself an audit entry (it would move the
// head it signs). kIo for database failures.
Result<std::optional<store::AuditCheckpoint>> sign_checkpoint(store::ServiceStore& audit, store::CustodyStore& custody,
                                                              const SigningKey& key);

struct VerifyOptions {
  // The trusted signer (64 hex). When set, every checkpoint must be signed
  // by it. When empty, each checkpoint is checked against the public key in
  // its own row, which detects damage but not a forger who can write the
  // database (the report says so in a warning).
  std::string public_key;
  // When set, every stored ciphertext made with this key is also decrypted
  // and the original's SHA-256 and MD5 checked. Not needed for the rest:
  // ciphertexts are checked by their SHA-256.
  std::optional<EvidenceKey> evidence_key;
  int64_t page = 1000;  // audit entries / rows read per query
  // An "evidence.add" entry younger than this without its row is a warning
  // (the row may still be being written), older a problem.
  int64_t in_flight_us = 60'000'000;
};

struct VerifyReport {
  bool ok = true;
  // The first broken thing, in the order checked (the audit chain in seq
  // order with each checkpoint at its seq, then checkpoints past the end,
  // then evidence rows by id, then audited items without a row). Examples:
  //   "audit entry 1234: hash mismatch"
  //   "audit entry 57: prev_hash does not match entry 56"
  //   "audit entry 57: missing (entry 56 is followed by entry 58)"
  //   "checkpoint at seq 400: bad signature"
  //   "checkpoint at seq 400: signed by <key>, not by the trusted key"
  //   "checkpoint at seq 400: hash differs from audit entry 400"
  //   "checkpoint at seq 900: audit entry 900 is missing (the log ends at seq 850)"
  //   "evidence 9: ciphertext sha256 differs from its audit entry 311"
  //   "evidence 9: sha256 differs from its audit entry 311"
  //   "evidence 9: legal_hold is false but audit entry 512 set it to true"
  //   "evidence 9: purged without an evidence.purge audit entry"
  //   "evidence 9: no evidence.add audit entry"
  //   "evidence 9: does not decrypt (ciphertext altered or not this item's)"
  //   "audit entry 311: evidence 9 is missing"
  std::string problem;
  int64_t audit_entries = 0;  // entries checked
  int64_t head_seq = 0;       // last entry (0 for an empty log)
  std::string head_hash;      // its hash ("" for an empty log)
  int64_t checkpoints = 0;    // signatures checked
  int64_t last_checkpoint_seq = 0;
  bool signer_pinned = false;  // VerifyOptions::public_key was given
  int64_t evidence_items = 0;  // rows checked
  int64_t purged_items = 0;
  int64_t decrypted = 0;  // items decrypted and checked with the key
  // Things that are not broken but worth knowing: entries after the last
  // checkpoint (unsigned, so a truncation there would go unnoticed), no
  // trusted signer, items under another key, an audited purge not applied.
  std::vector<std::string> warnings;
};

// Walks the whole audit log in pages (audit_since), recomputing every
// entry's hash (store::audit_entry_hash), its prev link and seq continuity;
// verifies every checkpoint's signature and that its hash is its entry's;
// re-hashes every stored ciphertext and compares it with its row and with
// the "evidence.add" audit entry of the item (and compares the row's other
// fields with that entry, its legal hold with the last audited hold, its
// purge with an "evidence.purge" entry); with the evidence key, decrypts and
// checks the originals. Stops at the first broken thing. Read-only. kIo
// when a store cannot be read; kInvalidInput for a malformed public_key.
Result<VerifyReport> verify(store::ServiceStore& audit, store::CustodyStore& custody, const VerifyOptions& options);

}  // namespace chainbreak::custody
