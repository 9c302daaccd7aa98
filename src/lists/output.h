// Buffered output for the list writers: text accumulates in a string and
// goes to the FILE* in large writes. Internal to lists/.
#pragma once

#include <cerrno>
#include <cstdio>
#include <cstring>
#include <string>

#include "util/result.h"

namespace chainbreak::lists {

class Output {
 public:
  explicit Output(std::FILE* f) : f_(f) {}
  std::string& text() { return buf_; }
  // Writes the buffer out once it is large; kIo on failure.
  Status maybe_flush() { return buf_.size() >= kFlushBytes ? flush() : Status::Ok(); }
  // Writes everything buffered, then fflush; kIo with the system's reason.
  Status flush() {
    if (!buf_.empty() && std::fwrite(buf_.data(), 1, buf_.size(), f_) != buf_.size())
      return IoError(std::string("write: ") + std::strerror(errno));
    buf_.clear();
    if (std::fflush(f_) != 0) return IoError(std::string("write: ") + std::strerror(errno));
    return Status::Ok();
  }
  std::FILE* file() const { return f_; }

 private:
  static constexpr size_t kFlushBytes = 1 << 20;
  std::FILE* f_;
  std::string buf_;
};

}  // namespace chainbreak::lists
