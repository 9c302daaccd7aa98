#include "util/line_reader.h"

#include <sys/stat.h>

#include <cerrno>
#include <cstring>

namespace chainbreak {

namespace {
constexpr size_t kBlock = size_t{1} << 20;
}

LineReader::LineReader(const std::string& path, size_t max_line) : path_(path), max_line_(max_line) {
  if (path == "-") {
    f_ = stdin;
  } else {
    f_ = std::fopen(path.c_str(), "rb");
    owns_ = true;
    if (!f_) {
      status_ = IoError("cannot open " + path + ": " + std::strerror(errno));
      return;
    }
    struct stat sb {};
    if (::fstat(fileno(f_), &sb) == 0 && S_ISREG(sb.st_mode)) size_ = static_cast<uint64_t>(sb.st_size);
  }
  buf_.resize(kBlock * 2);
}

LineReader::~LineReader() {
  if (f_ && owns_) std::fclose(f_);
}

// Moves the unread bytes to the front and reads more; false at end of input.
bool LineReader::fill() {
  if (eof_) return false;
  if (begin_ > 0) {
    std::memmove(buf_.data(), buf_.data() + begin_, end_ - begin_);
    end_ -= begin_;
    begin_ = 0;
  }
  if (buf_.size() - end_ < kBlock) buf_.resize(end_ + kBlock);
  const size_t got = std::fread(buf_.data() + end_, 1, buf_.size() - end_, f_);
  if (got == 0) {
    if (std::ferror(f_)) status_ = IoError("read " + path_ + ": " + std::strerror(errno));
    eof_ = true;
    return false;
  }
  end_ += got;
  bytes_ += got;
  return true;
}

bool LineReader::too_long() {
  status_ = LimitExceeded(path_ + ":" + std::to_string(line_no_ + 1) + ": line longer than " +
                          std::to_string(max_line_) + " bytes");
  return false;
}

bool LineReader::next(std::string_view* line) {
  if (!status_.ok() || !f_) return false;
  size_t scan_from = begin_;
  for (;;) {
    const char* start = buf_.data() + scan_from;
    const void* nl = std::memchr(start, '\n', end_ - scan_from);
    if (nl) {
      const size_t at = static_cast<size_t>(static_cast<const char*>(nl) - buf_.data());
      size_t len = at - begin_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      if (len > max_line_) return too_long();
      *line = std::string_view(buf_.data() + begin_, len);
      begin_ = at + 1;
      ++line_no_;
      return true;
    }
    if (end_ - begin_ > max_line_) return too_long();
    const size_t scanned = end_ - begin_;
    if (!fill()) {
      if (!status_.ok() || begin_ == end_) return false;
      // Last line without a newline.
      size_t len = end_ - begin_;
      if (len > 0 && buf_[begin_ + len - 1] == '\r') --len;
      if (len > max_line_) return too_long();
      *line = std::string_view(buf_.data() + begin_, len);
      begin_ = end_;
      ++line_no_;
      return true;
    }
    scan_from = begin_ + scanned;
  }
}

}  // namespace chainbreak
