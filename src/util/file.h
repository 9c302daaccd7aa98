// Reading files whole or in blocks, with clear errors and size limits.
#pragma once

#include <cstdint>
#include <functional>
#include <span>
#include <string>
#include <vector>

#include "util/result.h"

namespace chainbreak {

// Reads the whole file at `path` into `out` (resized; its capacity is reused
// across calls). Errors: kIo with the system's reason ("No such file or
// directory", "Is a directory", ...), kLimitExceeded when the file is larger
// than max_bytes.
Status read_file(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out);

// Streams the file at `path` to `consume` in blocks of up to `block_bytes`,
// in order, without holding more than one block. Errors: kIo.
Status stream_file(const std::string& path, size_t block_bytes,
                   const std::function<void(std::span<const uint8_t>)>& consume);

}  // namespace chainbreak
