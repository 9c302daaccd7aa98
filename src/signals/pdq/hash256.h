// Hash256: a 256-bit PDQ hash, its hex form and Hamming distance.
//
// Bit k (0..255) is DCT coefficient (k / 16, k % 16); the hex form prints the
// sixteen 16-bit words from word 15 down to word 0, as Meta's reference does,
// so the hex string is the hash as one big-endian 256-bit number.
#pragma once

#include <array>
#include <bit>
#include <cstdint>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::pdq {

struct Hash256 {
  // words[0] holds bits 0..63, words[3] bits 192..255.
  std::array<uint64_t, 4> words{};

  void set_bit(int k) { words[k >> 6] |= uint64_t{1} << (k & 63); }
  bool bit(int k) const { return (words[k >> 6] >> (k & 63)) & 1; }
  bool operator==(const Hash256&) const = default;

  // 64 lowercase hex digits.
  std::string hex() const;
  // Parses 64 hex digits (either case). Errors: kInvalidInput naming the
  // offending character or the wrong length.
  static Result<Hash256> from_hex(std::string_view hex);
};

inline int hamming_distance(const Hash256& a, const Hash256& b) {
  return std::popcount(a.words[0] ^ b.words[0]) + std::popcount(a.words[1] ^ b.words[1]) +
         std::popcount(a.words[2] ^ b.words[2]) + std::popcount(a.words[3] ^ b.words[3]);
}

}  // namespace chainbreak::pdq
