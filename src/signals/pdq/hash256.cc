// Hex encoding and decoding of 256-bit PDQ hashes.
#include "signals/pdq/hash256.h"

#include <cstdio>

namespace chainbreak::pdq {

std::string Hash256::hex() const {
  static constexpr char kDigits[] = "0123456789abcdef";
  std::string out(64, '0');
  for (int i = 0; i < 64; ++i) {
    // Character i holds bits (255 - 4i) .. (252 - 4i).
    int nibble_index = 63 - i;
    uint64_t w = words[nibble_index / 16];
    out[i] = kDigits[(w >> ((nibble_index % 16) * 4)) & 0xf];
  }
  return out;
}

namespace {
// Hex digit values; 0xFF for anything else.
struct HexTable {
  uint8_t v[256];
  constexpr HexTable() : v() {
    for (int i = 0; i < 256; ++i) v[i] = 0xFF;
    for (int i = 0; i < 10; ++i) v['0' + i] = static_cast<uint8_t>(i);
    for (int i = 0; i < 6; ++i) v['a' + i] = v['A' + i] = static_cast<uint8_t>(10 + i);
  }
};
constexpr HexTable kHex;
}  // namespace

Result<Hash256> Hash256::from_hex(std::string_view hex) {
  if (hex.size() != 64) {
    return InvalidInput("a PDQ hash has 64 hex digits, got " + std::to_string(hex.size()));
  }
  // The string is the hash as one big-endian number: words[3] first.
  Hash256 h;
  uint8_t bad = 0;
  for (int w = 0; w < 4; ++w) {
    uint64_t word = 0;
    for (int i = 0; i < 16; ++i) {
      const uint8_t v = kHex.v[static_cast<unsigned char>(hex[16 * w + i])];
      bad |= v;
      word = word << 4 | (v & 0xF);
    }
    h.words[3 - w] = word;
  }
  if (bad & 0xF0) {
    for (size_t i = 0; i < 64; ++i) {
      if (kHex.v[static_cast<unsigned char>(hex[i])] == 0xFF) {
        return InvalidInput("invalid hex digit at position " + std::to_string(i + 1));
      }
    }
  }
  return h;
}

}  // namespace chainbreak::pdq
