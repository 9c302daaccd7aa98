// The custody keys: a 32-byte evidence key (XChaCha20-Poly1305, encrypts
// evidence at rest) and an Ed25519 key pair (signs audit checkpoints), each
// in its own file in a key directory, created on first use:
//   KEYDIR/evidence.key        64 hex + newline, mode 0600
//   KEYDIR/audit-signing.key   the Ed25519 seed, 64 hex + newline, mode 0600
//   KEYDIR/audit-signing.pub   its public key, 64 hex + newline, mode 0644
//                              (hand it to verifiers: --public-key)
// KEYDIR itself is created with mode 0700.
//
// Why not in the database: the database holds the ciphertexts, their
// hashes and the audit log, and is shared by every replica, backed up and
// handled by database administrators. With the keys elsewhere, a stolen
// database (or backup) reveals no evidence, and whoever can write the
// database still cannot forge a checkpoint signature: rewriting the audit
// log is detected by `chainbreak audit verify --public-key`. Keep KEYDIR on
// the service's hosts only (or in a secrets mount) and back it up apart
// from the database; losing evidence.key makes the evidence unreadable.
//
// Key files readable by group or others are refused (as ssh does). Two
// processes creating a key at once agree on one (the file is written to a
// temporary name and linked into place; the loser loads the winner's).
// Thread-safety: the key objects are immutable after construction; the
// functions are safe to call from several threads.
#pragma once

#include <array>
#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::custody {

// The key directory for a store location: key_dir when not empty, else
// $CHAINBREAK_KEY_DIR when set, else for a SQLite file DIR/chainbreak.db
// the directory DIR/keys. kInvalidInput for PostgreSQL without either
// ("a key directory is required with PostgreSQL: pass --key-dir or set
// CHAINBREAK_KEY_DIR"): the keys must not end up beside a shared database.
Result<std::string> resolve_key_dir(const std::string& location, const std::string& key_dir);

// A 32-byte secret key; wiped from memory on destruction.
class EvidenceKey {
 public:
  static constexpr size_t kBytes = 32;
  // kInvalidInput unless raw is exactly 32 bytes.
  static Result<EvidenceKey> from_bytes(std::string_view raw);
  // A fresh random key (libsodium's CSPRNG).
  static EvidenceKey generate();
  EvidenceKey(const EvidenceKey& other) = default;
  EvidenceKey& operator=(const EvidenceKey& other) = default;
  ~EvidenceKey();

  const unsigned char* data() const { return key_.data(); }
  // 16 lowercase hex: BLAKE2b-64 of "chainbreak-evidence-key-id" and the
  // key. Stored with each item, so a wrong key is told apart from a
  // tampered ciphertext; reveals nothing about the key.
  const std::string& id() const { return id_; }

 private:
  EvidenceKey() = default;
  std::array<unsigned char, kBytes> key_{};
  std::string id_;
};

// An Ed25519 key pair; the secret half is wiped on destruction.
class SigningKey {
 public:
  // From a 32-byte seed. kInvalidInput for another length.
  static Result<SigningKey> from_seed(std::string_view seed);
  static SigningKey generate();
  SigningKey(const SigningKey& other) = default;
  SigningKey& operator=(const SigningKey& other) = default;
  ~SigningKey();

  // 64 lowercase hex.
  const std::string& public_key_hex() const { return public_hex_; }
  // The detached Ed25519 signature of message, 128 lowercase hex.
  std::string sign(std::string_view message) const;

 private:
  SigningKey() = default;
  std::array<unsigned char, 64> secret_{};  // libsodium's form: seed then public key
  std::string public_hex_;
};

// True when signature_hex (128 hex) is a valid Ed25519 signature of message
// by public_key_hex (64 hex); false for malformed hex too.
bool verify_signature(std::string_view public_key_hex, std::string_view message, std::string_view signature_hex);
// True when s is 64 hex characters (a public key), either case.
bool is_public_key_hex(std::string_view s);

// KEYDIR/evidence.key, created (with KEYDIR) when missing. kIo when the
// directory or file cannot be made or read; kInvalidInput for a file that
// is not 64 hex or is readable by group or others (the message names it).
Result<EvidenceKey> load_or_create_evidence_key(const std::string& key_dir);
// The same without creating: nullopt when the file does not exist.
Result<std::optional<EvidenceKey>> load_evidence_key(const std::string& key_dir);
// KEYDIR/audit-signing.key (and .pub), created when missing; errors as above.
Result<SigningKey> load_or_create_signing_key(const std::string& key_dir);
Result<std::optional<SigningKey>> load_signing_key(const std::string& key_dir);

}  // namespace chainbreak::custody
