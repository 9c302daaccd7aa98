// Access control: API tokens with roles. A token is a random secret shown
// once at creation ("cbt_" + 48 hex digits); the store keeps only its
// SHA-256. Requests carry it as "Authorization: Bearer <secret>".
//
// Thread-safety: Authenticator may be used from any thread. It caches
// verified tokens for cache_ttl, so a revocation takes effect on every
// replica within that time.
#pragma once

#include <chrono>
#include <cstdint>
#include <mutex>
#include <shared_mutex>
#include <string>
#include <unordered_map>

#include "pipeline/engine.h"

namespace chainbreak::pipeline {

struct Principal {
  std::string name;  // token name, or "anonymous"
  uint32_t roles = 0;
  bool anonymous = true;
  // True when the principal has role r (admin has every role).
  bool has(uint32_t r) const { return (roles & store::kRoleAdmin) != 0 || (roles & r) != 0; }
};

// A fresh token secret from the OS's CSPRNG (OpenSSL RAND_bytes).
std::string new_token_secret();
// Lowercase hex SHA-256 of the secret, as stored.
std::string token_secret_hash(std::string_view secret);

class Authenticator {
 public:
  // anonymous_roles: roles of requests without a token (0 = none; the serve
  // command's --anonymous-roles, for deployments like HMA's that run
  // behind their own access control).
  Authenticator(Engine& engine, uint32_t anonymous_roles, std::chrono::seconds cache_ttl = std::chrono::seconds(5))
      : engine_(engine), anonymous_roles_(anonymous_roles), ttl_(cache_ttl) {}

  // authorization: the Authorization header value, nullptr when absent.
  // Errors: kInvalidInput "malformed Authorization header" or "unknown or
  // revoked token"; kIo when the store fails.
  Result<Principal> authenticate(const std::string* authorization);

 private:
  struct Cached {
    Principal principal;
    std::chrono::steady_clock::time_point until;
  };
  Engine& engine_;
  uint32_t anonymous_roles_;
  std::chrono::seconds ttl_;
  std::shared_mutex mu_;
  // By the presented secret itself (hashing it on every request costs more
  // than the lookup); bounded, cleared when full.
  std::unordered_map<std::string, Cached> cache_;
};

}  // namespace chainbreak::pipeline
