// Exact file hashes (md5, sha1, sha256) through OpenSSL, streamed: files of
// any size hash in constant memory.
#pragma once

#include <memory>
#include <span>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::exact {

enum class DigestType { kMd5, kSha1, kSha256 };
// "md5", "sha1", "sha256".
const char* digest_name(DigestType t);
// Parses a name as printed by digest_name; false when unknown.
bool parse_digest_type(std::string_view name, DigestType* out);

// Incremental digest. Not copyable; one per thread.
class Digester {
 public:
  explicit Digester(DigestType type);
  ~Digester();
  Digester(const Digester&) = delete;
  Digester& operator=(const Digester&) = delete;

  void update(std::span<const uint8_t> data);
  // Lowercase hex of the digest of everything passed to update() since
  // construction or the last finish(); resets the digester for reuse.
  std::string finish();

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
};

// The hex digest of the file at `path`. Errors: kIo with the system's reason.
Result<std::string> digest_file(const std::string& path, DigestType type);

}  // namespace chainbreak::exact
