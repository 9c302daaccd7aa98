#include "custody/crypto.h"

#include <openssl/evp.h>
#include <sodium.h>

#include <cstdio>
#include <cstdlib>
#include <memory>
#include <mutex>

namespace chainbreak::custody {
namespace {

std::string evp_hex(const EVP_MD* md, std::string_view data) {
  unsigned char digest[EVP_MAX_MD_SIZE];
  unsigned int len = 0;
  if (EVP_Digest(data.data(), data.size(), digest, &len, md, nullptr) != 1) return std::string();
  return hex_encode(std::string_view(reinterpret_cast<const char*>(digest), len));
}

void field(std::string& out, std::string_view f) { append_length_prefixed(out, f); }

static_assert(crypto_aead_xchacha20poly1305_ietf_NPUBBYTES + crypto_aead_xchacha20poly1305_ietf_ABYTES ==
              kSealOverhead);
static_assert(crypto_aead_xchacha20poly1305_ietf_KEYBYTES == EvidenceKey::kBytes);

}  // namespace

void ensure_sodium() {
  static std::once_flag once;
  std::call_once(once, [] {
    if (sodium_init() < 0) {
      std::fprintf(stderr, "chainbreak: libsodium cannot initialise\n");
      std::abort();
    }
  });
}

std::string hex_encode(std::string_view raw) {
  static constexpr char kHex[] = "0123456789abcdef";
  std::string out(raw.size() * 2, '0');
  for (size_t i = 0; i < raw.size(); ++i) {
    const auto b = static_cast<unsigned char>(raw[i]);
    out[2 * i] = kHex[b >> 4];
    out[2 * i + 1] = kHex[b & 15];
  }
  return out;
}

bool hex_decode(std::string_view hex, std::string* raw) {
  if (hex.size() % 2 != 0) return false;
  auto nibble = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  raw->resize(hex.size() / 2);
  for (size_t i = 0; i < raw->size(); ++i) {
    const int hi = nibble(hex[2 * i]), lo = nibble(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) return false;
    (*raw)[i] = static_cast<char>(hi << 4 | lo);
  }
  return true;
}

std::string sha256_hex(std::string_view data) { return evp_hex(EVP_sha256(), data); }
std::string md5_hex(std::string_view data) { return evp_hex(EVP_md5(), data); }

std::string evidence_ad(int64_t id, std::string_view sha256, std::string_view md5, int64_t size) {
  std::string ad;
  field(ad, "chainbreak-evidence-v1");
  field(ad, std::to_string(id));
  field(ad, sha256);
  field(ad, md5);
  field(ad, std::to_string(size));
  return ad;
}

std::string seal(const EvidenceKey& key, std::string_view plain, std::string_view ad) {
  ensure_sodium();
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  std::string out(kNonce + plain.size() + crypto_aead_xchacha20poly1305_ietf_ABYTES, '\0');
  auto* o = reinterpret_cast<unsigned char*>(out.data());
  randombytes_buf(o, kNonce);
  unsigned long long clen = 0;
  crypto_aead_xchacha20poly1305_ietf_encrypt(o + kNonce, &clen, reinterpret_cast<const unsigned char*>(plain.data()),
                                             plain.size(), reinterpret_cast<const unsigned char*>(ad.data()), ad.size(),
                                             nullptr, o, key.data());
  out.resize(kNonce + static_cast<size_t>(clen));
  return out;
}

std::optional<std::string> open_sealed(const EvidenceKey& key, std::string_view sealed, std::string_view ad) {
  ensure_sodium();
  constexpr size_t kNonce = crypto_aead_xchacha20poly1305_ietf_NPUBBYTES;
  if (sealed.size() < kSealOverhead) return std::nullopt;
  const auto* s = reinterpret_cast<const unsigned char*>(sealed.data());
  std::string plain(sealed.size() - kSealOverhead, '\0');
  unsigned long long plen = 0;
  if (crypto_aead_xchacha20poly1305_ietf_decrypt(
          reinterpret_cast<unsigned char*>(plain.data()), &plen, nullptr, s + kNonce, sealed.size() - kNonce,
          reinterpret_cast<const unsigned char*>(ad.data()), ad.size(), s, key.data()) != 0) {
    return std::nullopt;
  }
  plain.resize(static_cast<size_t>(plen));
  return plain;
}

}  // namespace chainbreak::custody
