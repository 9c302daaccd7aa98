// Hex <-> bytes for exact digests (lowercase out, either case in).
#pragma once

#include <cstdint>
#include <string>
#include <string_view>
#include <vector>

namespace chainbreak::banks {

// Decodes hex; returns an empty vector when the input is not hex of even
// length.
std::vector<uint8_t> hex_bytes(std::string_view hex);
std::string bytes_hex(const uint8_t* data, size_t n);

}  // namespace chainbreak::banks
