#include "lists/input.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <algorithm>
#include <cerrno>
#include <cstring>

#include "lists/fields.h"

namespace chainbreak::lists {
namespace {

class FdInput : public Input {
 public:
  FdInput(int fd, bool owned) : fd_(fd), owned_(owned) {}
  ~FdInput() override {
    if (owned_) ::close(fd_);
  }
  Result<size_t> read(char* buf, size_t n) override {
    for (;;) {
      const ssize_t r = ::read(fd_, buf, n);
      if (r >= 0) return static_cast<size_t>(r);
      if (errno != EINTR) return IoError(std::string("read: ") + std::strerror(errno));
    }
  }

 private:
  int fd_;
  bool owned_;
};

class FileInput : public Input {
 public:
  explicit FileInput(std::FILE* f) : f_(f) {}
  Result<size_t> read(char* buf, size_t n) override {
    const size_t r = std::fread(buf, 1, n, f_);
    if (r == 0 && std::ferror(f_)) return IoError(std::string("read: ") + std::strerror(errno));
    return r;
  }

 private:
  std::FILE* f_;
};

class MemoryInput : public Input {
 public:
  explicit MemoryInput(std::string_view d) : d_(d) {}
  Result<size_t> read(char* buf, size_t n) override {
    const size_t k = std::min(n, d_.size());
    if (k) std::memcpy(buf, d_.data(), k);
    d_.remove_prefix(k);
    return k;
  }

 private:
  std::string_view d_;
};

}  // namespace

Result<std::unique_ptr<Input>> open_input(const std::string& path) {
  if (path == "-") return std::unique_ptr<Input>(new FdInput(STDIN_FILENO, false));
  const int fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd < 0) return IoError(std::strerror(errno));
  struct stat st;
  if (::fstat(fd, &st) == 0 && S_ISDIR(st.st_mode)) {
    ::close(fd);
    return IoError(std::strerror(EISDIR));
  }
  return std::unique_ptr<Input>(new FdInput(fd, true));
}

std::unique_ptr<Input> input_from_file(std::FILE* f) { return std::make_unique<FileInput>(f); }
std::unique_ptr<Input> input_from_memory(std::string_view d) { return std::make_unique<MemoryInput>(d); }

Buffer::Buffer(std::unique_ptr<Input> in) : in_(std::move(in)) {}

Result<bool> Buffer::refill() {
  if (eof_) return false;
  const size_t tail = end_ - begin_;
  size_t want = capacity_ == 0 ? kBlock / 16 : capacity_;
  if (capacity_ > 0 && end_ == capacity_) want = std::max(want, kBlock + kMaxRecordBytes);  // a large input
  want = std::max(want, tail + kBlock / 16);                                                // always room to read
  if (want != capacity_) {
    std::unique_ptr<char[]> bigger(new char[want]);
    if (tail) std::memcpy(bigger.get(), data_.get() + begin_, tail);
    data_ = std::move(bigger);
    capacity_ = want;
  } else if (begin_ > 0) {
    std::memmove(data_.get(), data_.get() + begin_, tail);
  }
  begin_ = 0;
  end_ = tail;
  Result<size_t> r = in_->read(data_.get() + end_, capacity_ - end_);
  if (!r.ok()) return r.status();
  if (r.value() == 0) {
    eof_ = true;
    return false;
  }
  end_ += r.value();
  bytes_read_ += r.value();
  return true;
}

LineReader::LineReader(std::unique_ptr<Input> in, size_t max_line) : buf_(std::move(in)), max_line_(max_line) {}

Result<LineReader::Kind> LineReader::next(std::string_view* line, uint64_t* line_no) {
  if (!started_) {
    started_ = true;
    while (buf_.view().size() < 3 && !buf_.eof()) {
      Result<bool> r = buf_.refill();
      if (!r.ok()) return r.status();
    }
    if (buf_.view().substr(0, 3) == "\xEF\xBB\xBF") buf_.consume(3);
  }
  bool too_long = false;
  for (;;) {
    const std::string_view v = buf_.view();
    const char* nl = v.empty() ? nullptr : static_cast<const char*>(std::memchr(v.data(), '\n', v.size()));
    if (nl != nullptr) {
      const char* start = buf_.begin();
      buf_.consume_to(nl + 1);
      *line_no = ++line_no_;
      if (too_long) return Kind::kTooLong;
      size_t len = static_cast<size_t>(nl - start);
      if (len > max_line_) return Kind::kTooLong;
      if (len > 0 && start[len - 1] == '\r') --len;
      *line = std::string_view(start, len);
      return Kind::kLine;
    }
    std::string_view rest = v;
    if (rest.size() > max_line_) {  // drop what we have, keep looking for the end
      too_long = true;
      buf_.consume(rest.size());
      rest = {};
    }
    if (buf_.eof()) {
      if (rest.empty()) {
        if (!too_long) return Kind::kEnd;
        *line_no = ++line_no_;
        return Kind::kTooLong;
      }
      buf_.consume(rest.size());
      *line_no = ++line_no_;
      if (too_long) return Kind::kTooLong;
      size_t len = rest.size();
      if (rest[len - 1] == '\r') --len;
      *line = rest.substr(0, len);
      return Kind::kLine;
    }
    Result<bool> r = buf_.refill();
    if (!r.ok()) return r.status();
  }
}

Status copy_stream(std::FILE* from, std::FILE* to) {
  if (std::fseek(from, 0, SEEK_SET) != 0) return IoError(std::string("seek: ") + std::strerror(errno));
  std::vector<char> buf(1 << 16);
  for (;;) {
    const size_t n = std::fread(buf.data(), 1, buf.size(), from);
    if (n == 0) {
      if (std::ferror(from)) return IoError(std::string("read: ") + std::strerror(errno));
      return Status::Ok();
    }
    if (std::fwrite(buf.data(), 1, n, to) != n) return IoError(std::string("write: ") + std::strerror(errno));
  }
}

}  // namespace chainbreak::lists
