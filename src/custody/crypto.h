// The primitives the vault is built from, over libsodium and OpenSSL EVP.
// Internal to src/custody. Every function is thread-safe.
#pragma once

#include <cstdint>
#include <optional>
#include <string>
#include <string_view>

#include "custody/keys.h"
#include "util/text.h"  // valid_utf8

namespace chainbreak::custody {

// sodium_init() once per process (idempotent, thread-safe). Aborts when
// libsodium cannot initialise (no usable randomness): nothing here may run
// without it.
void ensure_sodium();

// Lowercase hex of raw bytes; decoding accepts either case and needs an
// even number of hex digits (false otherwise).
std::string hex_encode(std::string_view raw);
bool hex_decode(std::string_view hex, std::string* raw);

// Lowercase hex SHA-256 / MD5 of data (OpenSSL EVP). Empty only if OpenSSL
// fails to allocate.
std::string sha256_hex(std::string_view data);
std::string md5_hex(std::string_view data);

// The associated data that binds a ciphertext to its item:
//   F("chainbreak-evidence-v1") F(id) F(sha256) F(md5) F(size)
// (F as in checkpoint_message: 8-byte big-endian length, then the bytes;
// numbers in decimal ASCII, hashes lowercase hex). A ciphertext moved to
// another row, or a row whose hashes or size were edited, fails to decrypt.
std::string evidence_ad(int64_t id, std::string_view sha256, std::string_view md5, int64_t size);

// Bytes a ciphertext adds to its plaintext: a 24-byte random nonce in front,
// a 16-byte Poly1305 tag behind.
inline constexpr size_t kSealOverhead = 24 + 16;

// nonce || crypto_aead_xchacha20poly1305_ietf_encrypt(plain, ad, nonce, key),
// with a fresh random nonce for every call.
std::string seal(const EvidenceKey& key, std::string_view plain, std::string_view ad);
// The plaintext, or nullopt when the ciphertext is too short or does not
// authenticate under key and ad (wrong key, altered bytes, another item's).
std::optional<std::string> open_sealed(const EvidenceKey& key, std::string_view sealed, std::string_view ad);

}  // namespace chainbreak::custody
