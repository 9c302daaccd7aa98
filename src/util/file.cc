// File reading with POSIX calls: errno becomes the error message.
#include "util/file.h"

#include <fcntl.h>
#include <sys/stat.h>
#include <unistd.h>

#include <cerrno>
#include <cstring>
#include <memory>

namespace chainbreak {
namespace {

struct Fd {
  int fd;
  ~Fd() {
    if (fd >= 0) ::close(fd);
  }
};

Status errno_status() { return IoError(std::strerror(errno)); }

Status open_regular(const std::string& path, Fd& fd, struct stat& st) {
  fd.fd = ::open(path.c_str(), O_RDONLY | O_CLOEXEC);
  if (fd.fd < 0) return errno_status();
  if (::fstat(fd.fd, &st) != 0) return errno_status();
  if (S_ISDIR(st.st_mode)) return IoError(std::strerror(EISDIR));
  return Status::Ok();
}

}  // namespace

Status read_file(const std::string& path, uint64_t max_bytes, std::vector<uint8_t>& out) {
  Fd fd{-1};
  struct stat st;
  if (Status s = open_regular(path, fd, st); !s.ok()) return s;
  if (S_ISREG(st.st_mode) && static_cast<uint64_t>(st.st_size) > max_bytes) {
    return LimitExceeded("file is " + std::to_string(st.st_size) + " bytes, over the limit of " +
                         std::to_string(max_bytes) + " (--max-file-size)");
  }
  out.clear();
  size_t size = 0;
  out.resize(S_ISREG(st.st_mode) ? static_cast<size_t>(st.st_size) + 1 : 1 << 16);
  for (;;) {
    if (size == out.size()) {
      if (out.size() > max_bytes) {
        return LimitExceeded("file is over the limit of " + std::to_string(max_bytes) + " bytes (--max-file-size)");
      }
      out.resize(out.size() * 2);
    }
    ssize_t n = ::read(fd.fd, out.data() + size, out.size() - size);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status();
    }
    if (n == 0) break;
    size += static_cast<size_t>(n);
  }
  if (size > max_bytes) {
    return LimitExceeded("file is over the limit of " + std::to_string(max_bytes) + " bytes (--max-file-size)");
  }
  out.resize(size);
  return Status::Ok();
}

Status stream_file(const std::string& path, size_t block_bytes,
                   const std::function<void(std::span<const uint8_t>)>& consume) {
  Fd fd{-1};
  struct stat st;
  if (Status s = open_regular(path, fd, st); !s.ok()) return s;
  ::posix_fadvise(fd.fd, 0, 0, POSIX_FADV_SEQUENTIAL);
  std::unique_ptr<uint8_t[]> block(new uint8_t[block_bytes]);
  for (;;) {
    ssize_t n = ::read(fd.fd, block.get(), block_bytes);
    if (n < 0) {
      if (errno == EINTR) continue;
      return errno_status();
    }
    if (n == 0) return Status::Ok();
    consume(std::span<const uint8_t>(block.get(), static_cast<size_t>(n)));
  }
}

}  // namespace chainbreak
