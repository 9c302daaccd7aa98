// Small text helpers shared by the stores, the custody code and the report
// writers: strict UTF-8 decoding, the length-prefixed field encoding that
// every hashed or signed record uses, and UTC timestamps. Header-only, no
// allocation beyond the strings returned or appended to.
#pragma once

#include <cstddef>
#include <cstdint>
#include <ctime>
#include <string>
#include <string_view>

namespace chainbreak {

// Decodes the code point that starts at s[*i] and advances *i past it.
// Returns -1 (and leaves *i alone) for anything that is not strict UTF-8:
// a stray continuation byte, a truncated sequence, an overlong form, a
// surrogate or a value past U+10FFFF. Requires *i < s.size().
inline int32_t decode_utf8(std::string_view s, size_t* i) {
  const auto c = static_cast<unsigned char>(s[*i]);
  if (c < 0x80) return ++*i, c;
  size_t len;
  uint32_t cp;
  if ((c & 0xE0) == 0xC0) {
    len = 2, cp = c & 0x1F;
  } else if ((c & 0xF0) == 0xE0) {
    len = 3, cp = c & 0x0F;
  } else if ((c & 0xF8) == 0xF0) {
    len = 4, cp = c & 0x07;
  } else {
    return -1;
  }
  if (*i + len > s.size()) return -1;
  for (size_t k = 1; k < len; ++k) {
    const auto d = static_cast<unsigned char>(s[*i + k]);
    if ((d & 0xC0) != 0x80) return -1;
    cp = cp << 6 | (d & 0x3F);
  }
  static constexpr uint32_t kMin[] = {0, 0, 0x80, 0x800, 0x10000};
  if (cp < kMin[len] || cp > 0x10FFFF || (cp >= 0xD800 && cp <= 0xDFFF)) return -1;
  *i += len;
  return static_cast<int32_t>(cp);
}

// Whether s is strict UTF-8 (decode_utf8) without NUL.
inline bool valid_utf8(std::string_view s) {
  for (size_t i = 0; i < s.size();) {
    if (decode_utf8(s, &i) <= 0) return false;
  }
  return true;
}

// Appends one field of the canonical encoding used by hashed and signed
// records (audit entries, checkpoints, the evidence associated data): its
// length as 8 bytes big endian, then its bytes.
inline void append_length_prefixed(std::string& out, std::string_view field) {
  uint64_t n = field.size();
  char len[8];
  for (int i = 7; i >= 0; --i, n >>= 8) len[i] = static_cast<char>(n & 0xff);
  out.append(len, sizeof len);
  out.append(field);
}

// "YYYY-MM-DDTHH:MM:SSZ" for microseconds since the epoch (UTC, seconds
// truncated).
inline std::string iso_utc_seconds(int64_t us) {
  const auto t = static_cast<std::time_t>(us / 1'000'000);
  std::tm tm{};
  gmtime_r(&t, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace chainbreak
