// LineReader: reads a file (or standard input) line by line in 1 MiB
// blocks, without iostreams. Lines are returned without their "\n" or
// "\r\n"; memory is bounded by the longest line (refused past max_line).
//
// Ownership: the string_view returned by next() stays valid until the next
// call. Thread-safety: one thread per reader.
#pragma once

#include <cstdint>
#include <cstdio>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace chainbreak {

class LineReader {
 public:
  // path "-" reads standard input. Check status() after construction.
  explicit LineReader(const std::string& path, size_t max_line = size_t{1} << 20);
  ~LineReader();
  LineReader(const LineReader&) = delete;
  LineReader& operator=(const LineReader&) = delete;

  // The open/read error, if any (kIo naming the path).
  const Status& status() const { return status_; }
  // Next line: true and *line set; false at end of input or on error
  // (status() tells which). A line longer than max_line is an error
  // (kLimitExceeded naming the line number).
  bool next(std::string_view* line);
  // 1-based number of the line last returned.
  uint64_t line_number() const { return line_no_; }
  uint64_t bytes_read() const { return bytes_; }
  // Size of the file when known (0 for pipes).
  uint64_t file_size() const { return size_; }

 private:
  bool fill();
  bool too_long();  // sets the limit error, returns false
  std::string path_;
  std::FILE* f_ = nullptr;
  bool owns_ = false;
  Status status_;
  std::vector<char> buf_;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t line_no_ = 0, bytes_ = 0, size_ = 0;
  size_t max_line_;
};

}  // namespace chainbreak
