#include "pipeline/auth.h"

#include <openssl/evp.h>
#include <openssl/rand.h>

namespace chainbreak::pipeline {

namespace {
constexpr char kHex[] = "0123456789abcdef";
}

std::string new_token_secret() {
  unsigned char raw[24];
  if (RAND_bytes(raw, sizeof raw) != 1) std::abort();  // no entropy: refuse to make guessable tokens
  std::string s = "cbt_";
  for (unsigned char c : raw) {
    s += kHex[c >> 4];
    s += kHex[c & 15];
  }
  return s;
}

std::string token_secret_hash(std::string_view secret) {
  unsigned char md[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  EVP_Digest(secret.data(), secret.size(), md, &len, EVP_sha256(), nullptr);
  std::string out;
  for (unsigned i = 0; i < len; ++i) {
    out += kHex[md[i] >> 4];
    out += kHex[md[i] & 15];
  }
  return out;
}

Result<Principal> Authenticator::authenticate(const std::string* authorization) {
  if (authorization == nullptr) {
    Principal p;
    p.name = "anonymous";
    p.roles = anonymous_roles_;
    return p;
  }
  std::string_view v = *authorization;
  constexpr std::string_view kBearer = "Bearer ";
  if (v.size() <= kBearer.size() || v.substr(0, kBearer.size()) != kBearer) {
    return InvalidInput("malformed Authorization header (expected 'Bearer <token>')");
  }
  std::string secret(v.substr(kBearer.size()));
  auto now = std::chrono::steady_clock::now();
  {
    std::shared_lock lock(mu_);
    auto it = cache_.find(secret);
    if (it != cache_.end() && it->second.until > now) return it->second.principal;
  }
  std::string hash = token_secret_hash(secret);
  auto sv = engine_.service();
  if (!sv.ok()) return sv.status();
  auto t = sv.value()->find_token_by_hash(hash);
  if (!t.ok()) return t.status();
  if (!t.value() || t.value()->revoked) return InvalidInput("unknown or revoked token");
  Principal p;
  p.name = t.value()->name;
  p.roles = t.value()->roles;
  p.anonymous = false;
  std::lock_guard lock(mu_);
  if (cache_.size() > 10'000) cache_.clear();
  cache_[secret] = Cached{p, now + ttl_};
  return p;
}

}  // namespace chainbreak::pipeline
