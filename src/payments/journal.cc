#include "payments/journal.h"

#include <fcntl.h>
#include <sys/file.h>
#include <unistd.h>
#include <xxhash.h>

#include <cerrno>
#include <cstdio>
#include <cstring>

namespace chainbreak::payments {

namespace {
constexpr uint32_t kMaxPayload = 64u << 20;

}  // namespace

Result<JournalScan> scan_journal(const std::string& path, uint64_t from,
                                 const std::function<Status(RecordType, std::string_view, uint64_t)>& fn) {
  JournalScan scan;
  scan.valid_end = from;
  std::FILE* f = std::fopen(path.c_str(), "rb");
  if (!f) {
    if (errno == ENOENT && from == 0) return scan;
    return IoError("cannot open journal " + path + ": " + std::strerror(errno));
  }
  std::setvbuf(f, nullptr, _IOFBF, 8 << 20);
  if (std::fseek(f, static_cast<long>(from), SEEK_SET) != 0) {
    std::fclose(f);
    return IoError("cannot seek journal " + path);
  }
  std::string payload;
  uint64_t off = from;
  Status st;
  for (;;) {
    unsigned char hdr[5];
    size_t got = std::fread(hdr, 1, 5, f);
    if (got == 0) break;
    uint32_t len;
    std::memcpy(&len, hdr, 4);
    if (got < 5 || len > kMaxPayload || hdr[4] < 1 || hdr[4] > 3) {
      scan.torn = true;
      break;
    }
    payload.resize(5 + static_cast<size_t>(len));
    std::memcpy(payload.data(), hdr, 5);
    uint64_t sum = 0;
    if (std::fread(payload.data() + 5, 1, len, f) != len || std::fread(&sum, 1, 8, f) != 8 ||
        XXH3_64bits(payload.data(), payload.size()) != sum) {
      scan.torn = true;
      break;
    }
    off += 5 + len + 8;
    st = fn(static_cast<RecordType>(hdr[4]), std::string_view(payload).substr(5), off);
    if (!st.ok()) break;
    scan.valid_end = off;
    ++scan.records;
  }
  std::fclose(f);
  if (!st.ok()) return st;
  return scan;
}

Result<std::unique_ptr<JournalWriter>> JournalWriter::open(const std::string& path, uint64_t valid_end) {
  std::unique_ptr<JournalWriter> w(new JournalWriter());
  w->path_ = path;
  w->fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_CLOEXEC, 0644);
  if (w->fd_ < 0) return IoError("cannot open journal " + path + ": " + std::strerror(errno));
  if (::flock(w->fd_, LOCK_EX | LOCK_NB) != 0) return Unsupported("journal " + path + " is in use by another process");
  if (::ftruncate(w->fd_, static_cast<off_t>(valid_end)) != 0 ||
      ::lseek(w->fd_, static_cast<off_t>(valid_end), SEEK_SET) < 0 || ::fdatasync(w->fd_) != 0)
    return IoError("cannot truncate journal " + path + ": " + std::strerror(errno));
  w->committed_ = valid_end;
  w->buf_.reserve(8 << 20);
  return w;
}

JournalWriter::~JournalWriter() {
  if (fd_ >= 0) ::close(fd_);
}

void JournalWriter::append(RecordType type, std::string_view a, std::string_view b, std::string_view c) {
  uint32_t len = static_cast<uint32_t>(a.size() + b.size() + c.size());
  uint8_t t = static_cast<uint8_t>(type);
  size_t start = buf_.size();
  buf_.append(reinterpret_cast<const char*>(&len), 4);
  buf_.push_back(static_cast<char>(t));
  buf_.append(a);
  buf_.append(b);
  buf_.append(c);
  uint64_t sum = XXH3_64bits(buf_.data() + start, 5 + static_cast<size_t>(len));
  buf_.append(reinterpret_cast<const char*>(&sum), 8);
}

Status JournalWriter::commit() {
  if (buf_.empty()) return Status::Ok();
  Status st = write_durable(buf_);
  if (st.ok()) buf_.clear();
  return st;
}

void JournalWriter::take(std::string* into) {
  into->clear();
  into->swap(buf_);
  if (buf_.capacity() < (1u << 20)) buf_.reserve(8 << 20);
}

Status JournalWriter::write_durable(const std::string& batch) {
  if (batch.empty()) return Status::Ok();
  size_t off = 0;
  while (off < batch.size()) {
    ssize_t n = ::write(fd_, batch.data() + off, batch.size() - off);
    if (n < 0 && errno == EINTR) continue;
    if (n < 0) return IoError("cannot write journal " + path_ + ": " + std::strerror(errno));
    off += static_cast<size_t>(n);
  }
  if (::fdatasync(fd_) != 0) return IoError("cannot fdatasync journal " + path_ + ": " + std::strerror(errno));
  committed_ += batch.size();
  return Status::Ok();
}

}  // namespace chainbreak::payments
