// OpenSSL EVP digests: uses the CPU's SHA extensions where present.
#include "signals/exact/digest.h"

#include <openssl/evp.h>

#include <cstdlib>

#include "util/file.h"

namespace chainbreak::exact {

struct Digester::Impl {
  const EVP_MD* md = nullptr;
  EVP_MD_CTX* ctx = nullptr;
};

const char* digest_name(DigestType t) {
  switch (t) {
    case DigestType::kMd5: return "md5";
    case DigestType::kSha1: return "sha1";
    case DigestType::kSha256: return "sha256";
  }
  return "?";
}

bool parse_digest_type(std::string_view name, DigestType* out) {
  for (DigestType t : {DigestType::kMd5, DigestType::kSha1, DigestType::kSha256}) {
    if (name == digest_name(t)) {
      *out = t;
      return true;
    }
  }
  return false;
}

Digester::Digester(DigestType type) : impl_(new Impl) {
  impl_->md = type == DigestType::kMd5 ? EVP_md5() : type == DigestType::kSha1 ? EVP_sha1() : EVP_sha256();
  impl_->ctx = EVP_MD_CTX_new();
  // Allocation failure here is not recoverable in any caller.
  if (impl_->ctx == nullptr || EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr) != 1) std::abort();
}

Digester::~Digester() { EVP_MD_CTX_free(impl_->ctx); }

void Digester::update(std::span<const uint8_t> data) { EVP_DigestUpdate(impl_->ctx, data.data(), data.size()); }

std::string Digester::finish() {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_DigestFinal_ex(impl_->ctx, md, &len);
  EVP_DigestInit_ex(impl_->ctx, impl_->md, nullptr);
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string hex(2 * len, '0');
  for (unsigned i = 0; i < len; ++i) {
    hex[2 * i] = kDigits[md[i] >> 4];
    hex[2 * i + 1] = kDigits[md[i] & 0xf];
  }
  return hex;
}

Result<std::string> digest_file(const std::string& path, DigestType type) {
  Digester d(type);
  Status s = stream_file(path, 1 << 20, [&](std::span<const uint8_t> block) { d.update(block); });
  if (!s.ok()) return s;
  return d.finish();
}

}  // namespace chainbreak::exact
