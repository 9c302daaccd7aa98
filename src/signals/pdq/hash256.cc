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

Result<Hash256> Hash256::from_hex(std::string_view hex) {
  if (hex.size() != 64) {
    return InvalidInput("a PDQ hash has 64 hex digits, got " + std::to_string(hex.size()));
  }
  Hash256 h;
  for (int i = 0; i < 64; ++i) {
    char c = hex[i];
    int v;
    if (c >= '0' && c <= '9')
      v = c - '0';
    else if (c >= 'a' && c <= 'f')
      v = c - 'a' + 10;
    else if (c >= 'A' && c <= 'F')
      v = c - 'A' + 10;
    else {
      return InvalidInput("invalid hex digit at position " + std::to_string(i + 1));
    }
    int nibble_index = 63 - i;
    h.words[nibble_index / 16] |= uint64_t(v) << ((nibble_index % 16) * 4);
  }
  return h;
}

}  // namespace chainbreak::pdq
