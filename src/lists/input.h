// Byte input for the list readers: a file descriptor, a FILE* or memory,
// read in large blocks into one reusable buffer. Internal to lists/.
#pragma once

#include <cstddef>
#include <cstdint>
#include <cstdio>
#include <memory>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace chainbreak::lists {

// A source of bytes. read() returns how many bytes it put in buf (0 only at
// end of input) or kIo with the system's reason.
class Input {
 public:
  virtual ~Input() = default;
  virtual Result<size_t> read(char* buf, size_t n) = 0;
};

// Opens path for reading ("-" = standard input, not closed). kIo naming
// the reason when it cannot be opened or is a directory.
Result<std::unique_ptr<Input>> open_input(const std::string& path);
std::unique_ptr<Input> input_from_file(std::FILE* f);          // not owned
std::unique_ptr<Input> input_from_memory(std::string_view d);  // not copied

// A window [begin, end) of unconsumed bytes over an Input. refill() moves
// the unconsumed bytes to the front and reads at least one block more.
// Holds at most kBlock + the longest unconsumed tail the caller keeps
// (callers keep at most kMaxRecordBytes).
class Buffer {
 public:
  static constexpr size_t kBlock = 1 << 20;

  explicit Buffer(std::unique_ptr<Input> in);
  std::string_view view() const { return {data_.get() + begin_, end_ - begin_}; }
  const char* begin() const { return data_.get() + begin_; }
  const char* end() const { return data_.get() + end_; }
  void consume(size_t n) { begin_ += n; }
  void consume_to(const char* p) { begin_ = static_cast<size_t>(p - data_.get()); }
  // True once the input has reported its end (what is in view() is all).
  bool eof() const { return eof_; }
  // Reads more. Ok(true) when bytes were added, Ok(false) at end of input.
  Result<bool> refill();
  uint64_t bytes_read() const { return bytes_read_; }
  // Bytes consumed so far (bytes_read minus what is still in view()).
  uint64_t bytes_consumed() const { return bytes_read_ - (end_ - begin_); }

 private:
  std::unique_ptr<Input> in_;
  // Starts small (short lists, the fuzzer) and grows to kBlock plus the
  // longest tail once a read fills it. Not zero-filled.
  std::unique_ptr<char[]> data_;
  size_t capacity_ = 0;
  size_t begin_ = 0, end_ = 0;
  bool eof_ = false;
  uint64_t bytes_read_ = 0;
};

// Splits a Buffer into lines ("\n" or "\r\n" terminated; the last line may
// lack its terminator). A line longer than max_line is reported once as
// too long and skipped through its end.
class LineReader {
 public:
  enum class Kind { kLine, kTooLong, kEnd };
  LineReader(std::unique_ptr<Input> in, size_t max_line);
  // The next line (without its terminator and a trailing '\r'), valid until
  // the next call; *line_no is its 1-based number. Skips a UTF-8 byte order
  // mark at the very start.
  Result<Kind> next(std::string_view* line, uint64_t* line_no);
  uint64_t bytes_consumed() const { return buf_.bytes_consumed(); }

 private:
  Buffer buf_;
  size_t max_line_;
  uint64_t line_no_ = 0;
  bool started_ = false;
};

// Copies the rest of the file (after a block written elsewhere) to out;
// used by writers that buffer into temporary files. kIo on failure.
Status copy_stream(std::FILE* from, std::FILE* to);

}  // namespace chainbreak::lists
