// Sequential binary I/O for index snapshots with a running XXH3-64 checksum
// over every byte, so a reader can verify the whole file at its end.
// Errors: kIo for the operating system, kInvalidInput for a file that ends
// early. The path is part of every message.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <string>

#include "util/result.h"

namespace chainbreak::index {

class SnapshotWriter {
 public:
  // Creates path (truncating). Check status() before use.
  explicit SnapshotWriter(const std::string& path);
  ~SnapshotWriter();
  SnapshotWriter(const SnapshotWriter&) = delete;
  SnapshotWriter& operator=(const SnapshotWriter&) = delete;

  const Status& status() const { return status_; }
  // Appends bytes (no-op once an error happened).
  void write(const void* data, size_t n);
  template <class T>
  void put(const T& v) {
    write(&v, sizeof v);
  }
  // Appends the checksum of everything written, fsyncs and closes.
  Status finish();

 private:
  std::string path_;
  int fd_ = -1;
  Status status_;
  XXH3_state_t* sum_;
  char buf_[1 << 16];
  size_t used_ = 0;
  void flush();
};

class SnapshotReader {
 public:
  explicit SnapshotReader(const std::string& path);
  ~SnapshotReader();
  SnapshotReader(const SnapshotReader&) = delete;
  SnapshotReader& operator=(const SnapshotReader&) = delete;

  const Status& status() const { return status_; }
  const std::string& path() const { return path_; }
  uint64_t file_size() const { return size_; }
  uint64_t remaining() const { return size_ - offset_; }
  // Reads exactly n bytes; on a short file sets an error and zero-fills.
  void read(void* data, size_t n);
  template <class T>
  T get() {
    T v{};
    read(&v, sizeof v);
    return v;
  }
  // Reads the trailing checksum and compares it with the bytes read; the
  // file must end there.
  Status verify_end();
  void fail(Status s) {
    if (status_.ok()) status_ = std::move(s);
  }

 private:
  std::string path_;
  int fd_ = -1;
  Status status_;
  XXH3_state_t* sum_;
  uint64_t size_ = 0, offset_ = 0;
};

}  // namespace chainbreak::index
