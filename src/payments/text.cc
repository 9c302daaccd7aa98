#include "payments/text.h"

#include <openssl/sha.h>

namespace chainbreak::payments {

namespace {
// Base letters of U+00C0..U+017F (lower case), "" for non-letters.
const char* const kLatin[192] = {
    // U+00C0..U+00FF
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "ss",  //
    "a", "a", "a", "a", "a", "a", "ae", "c", "e", "e", "e", "e", "i", "i", "i", "i",  //
    "d", "n", "o", "o", "o", "o", "o", "", "o", "u", "u", "u", "u", "y", "th", "y",   //
    // U+0100..U+017F
    "a", "a", "a", "a", "a", "a", "c", "c", "c", "c", "c", "c", "c", "c", "d", "d",    //
    "d", "d", "e", "e", "e", "e", "e", "e", "e", "e", "e", "e", "g", "g", "g", "g",    //
    "g", "g", "g", "g", "h", "h", "h", "h", "i", "i", "i", "i", "i", "i", "i", "i",    //
    "i", "i", "ij", "ij", "j", "j", "k", "k", "k", "l", "l", "l", "l", "l", "l", "l",  //
    "l", "l", "l", "n", "n", "n", "n", "n", "n", "n", "n", "n", "o", "o", "o", "o",    //
    "o", "o", "oe", "oe", "r", "r", "r", "r", "r", "r", "s", "s", "s", "s", "s", "s",  //
    "s", "s", "t", "t", "t", "t", "t", "t", "u", "u", "u", "u", "u", "u", "u", "u",    //
    "u", "u", "u", "u", "w", "w", "y", "y", "y", "z", "z", "z", "z", "z", "z", "s",    //
};

void space(std::string& out) {
  if (out.back() != ' ') out.push_back(' ');
}
}  // namespace

void normalize_memo(std::string_view in, std::string& out) {
  out.clear();
  out.push_back(' ');
  const auto* s = reinterpret_cast<const unsigned char*>(in.data());
  size_t n = in.size();
  for (size_t i = 0; i < n;) {
    unsigned c = s[i];
    if (c < 0x80) {
      if (c >= 'A' && c <= 'Z')
        out.push_back(static_cast<char>(c + 32));
      else if ((c >= 'a' && c <= 'z') || (c >= '0' && c <= '9'))
        out.push_back(static_cast<char>(c));
      else
        space(out);
      ++i;
      continue;
    }
    size_t len = c >= 0xf0 ? 4 : c >= 0xe0 ? 3 : c >= 0xc0 ? 2 : 1;
    if (i + len > n) len = n - i;
    uint32_t cp = 0;
    if (len == 2) cp = (c & 0x1f) << 6 | (s[i + 1] & 0x3f);
    if (len == 3) cp = (c & 0x0f) << 12 | (s[i + 1] & 0x3f) << 6 | (s[i + 2] & 0x3f);
    if (cp >= 0xc0 && cp <= 0x17f) {
      const char* base = kLatin[cp - 0xc0];
      if (*base)
        out.append(base);
      else
        space(out);
    } else if (cp >= 0xa0 && cp < 0xc0) {
      space(out);  // Latin-1 punctuation and symbols (NBSP, ¡, «, ...)
    } else if (cp >= 0x2000 && cp <= 0x206f) {
      space(out);
    } else if (cp >= 0x410 && cp <= 0x42f) {  // Cyrillic capitals
      uint32_t lc = cp + 0x20;
      out.push_back(static_cast<char>(0xc0 | lc >> 6));
      out.push_back(static_cast<char>(0x80 | (lc & 0x3f)));
    } else if (cp >= 0x391 && cp <= 0x3a9) {  // Greek capitals
      uint32_t lc = cp + 0x20;
      out.push_back(static_cast<char>(0xc0 | lc >> 6));
      out.push_back(static_cast<char>(0x80 | (lc & 0x3f)));
    } else {
      out.append(in.data() + i, len);
    }
    i += len;
  }
  space(out);
}

void normalize_payment_id(std::string_view in, std::string& out) {
  out.clear();
  for (char c : in) {
    if (c == ' ' || c == '\t' || c == '\n' || c == '\r') continue;
    if (c == '@' && out.empty()) continue;
    out.push_back(c >= 'A' && c <= 'Z' ? static_cast<char>(c + 32) : c);
  }
}

Digest payment_id_digest(std::string_view raw_id) {
  thread_local std::string norm;
  normalize_payment_id(raw_id, norm);
  Digest d;
  SHA256(reinterpret_cast<const unsigned char*>(norm.data()), norm.size(), d.data());
  return d;
}

std::string digest_hex(const Digest& d) {
  static const char* kHex = "0123456789abcdef";
  std::string s(64, '0');
  for (size_t i = 0; i < 32; ++i) {
    s[2 * i] = kHex[d[i] >> 4];
    s[2 * i + 1] = kHex[d[i] & 15];
  }
  return s;
}

bool parse_digest_hex(std::string_view hex, Digest* out) {
  if (hex.size() != 64) return false;
  auto nib = [](char c) -> int {
    if (c >= '0' && c <= '9') return c - '0';
    if (c >= 'a' && c <= 'f') return c - 'a' + 10;
    if (c >= 'A' && c <= 'F') return c - 'A' + 10;
    return -1;
  };
  for (size_t i = 0; i < 32; ++i) {
    int a = nib(hex[2 * i]), b = nib(hex[2 * i + 1]);
    if (a < 0 || b < 0) return false;
    (*out)[i] = static_cast<uint8_t>(a << 4 | b);
  }
  return true;
}

}  // namespace chainbreak::payments
