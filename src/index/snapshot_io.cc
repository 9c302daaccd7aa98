#include "index/snapshot_io.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>

namespace chainbreak::index {

SnapshotWriter::SnapshotWriter(const std::string& path) : path_(path), sum_(XXH3_createState()) {
  XXH3_64bits_reset(sum_);
  fd_ = ::open(path.c_str(), O_WRONLY | O_CREAT | O_TRUNC | O_CLOEXEC, 0600);
  if (fd_ < 0) status_ = IoError("cannot create " + path + ": " + std::strerror(errno));
}

SnapshotWriter::~SnapshotWriter() {
  if (fd_ >= 0) ::close(fd_);
  XXH3_freeState(sum_);
}

void SnapshotWriter::flush() {
  const char* p = buf_;
  size_t n = used_;
  used_ = 0;
  while (n > 0 && status_.ok()) {
    const ssize_t w = ::write(fd_, p, n);
    if (w < 0) {
      if (errno == EINTR) continue;
      status_ = IoError("write " + path_ + ": " + std::strerror(errno));
      return;
    }
    p += w;
    n -= static_cast<size_t>(w);
  }
}

void SnapshotWriter::write(const void* data, size_t n) {
  if (!status_.ok()) return;
  XXH3_64bits_update(sum_, data, n);
  const char* p = static_cast<const char*>(data);
  while (n > 0 && status_.ok()) {
    const size_t take = std::min(n, sizeof buf_ - used_);
    std::memcpy(buf_ + used_, p, take);
    used_ += take;
    p += take;
    n -= take;
    if (used_ == sizeof buf_) flush();
  }
}

Status SnapshotWriter::finish() {
  const uint64_t sum = XXH3_64bits_digest(sum_);
  write(&sum, sizeof sum);
  flush();
  if (status_.ok() && ::fsync(fd_) != 0) status_ = IoError("fsync " + path_ + ": " + std::strerror(errno));
  if (fd_ >= 0 && ::close(fd_) != 0 && status_.ok()) status_ = IoError("close " + path_ + ": " + std::strerror(errno));
  fd_ = -1;
  return status_;
}

SnapshotReader::SnapshotReader(const std::string& path) : path_(path), sum_(XXH3_createState()) {
  XXH3_64bits_reset(sum_);
  fd_ = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd_ < 0) {
    status_ = IoError("cannot open " + path + ": " + std::strerror(errno));
    return;
  }
  struct stat sb {};
  if (::fstat(fd_, &sb) != 0) {
    status_ = IoError("cannot stat " + path + ": " + std::strerror(errno));
    return;
  }
  size_ = static_cast<uint64_t>(sb.st_size);
}

SnapshotReader::~SnapshotReader() {
  if (fd_ >= 0) ::close(fd_);
  XXH3_freeState(sum_);
}

void SnapshotReader::read(void* data, size_t n) {
  if (!status_.ok() || n > remaining()) {
    fail(InvalidInput(path_ + ": truncated snapshot (ends at byte " + std::to_string(size_) + ")"));
    std::memset(data, 0, n);
    return;
  }
  char* p = static_cast<char*>(data);
  size_t left = n;
  while (left > 0) {
    const ssize_t r = ::read(fd_, p, std::min<size_t>(left, size_t{1} << 30));
    if (r < 0 && errno == EINTR) continue;
    if (r <= 0) {
      fail(IoError("read " + path_ + ": " + (r < 0 ? std::strerror(errno) : "unexpected end of file")));
      std::memset(data, 0, n);
      return;
    }
    p += r;
    left -= static_cast<size_t>(r);
  }
  offset_ += n;
  XXH3_64bits_update(sum_, data, n);
}

Status SnapshotReader::verify_end() {
  if (!status_.ok()) return status_;
  const uint64_t want = XXH3_64bits_digest(sum_);
  uint64_t got = 0;
  read(&got, sizeof got);
  if (!status_.ok()) return status_;
  if (got != want) return InvalidInput(path_ + ": snapshot checksum mismatch (corrupt file)");
  if (remaining() != 0) return InvalidInput(path_ + ": trailing bytes after the snapshot checksum");
  return Status::Ok();
}

}  // namespace chainbreak::index
