// Per-account rolling state of the screening engine (internal to
// payments/): fixed-capacity rings of recent transactions per account and
// direction, and binary snapshot I/O with an XXH3-64 checksum.
#pragma once

#include <xxhash.h>

#include <cstdint>
#include <cstring>
#include <memory>
#include <string>

#include "payments/features.h"
#include "util/result.h"

namespace chainbreak::payments {

// One transaction as an account remembers it: 16 bytes.
struct Event {
  uint32_t time = 0;   // unix seconds
  uint32_t cp = 0;     // counterparty index (28 bits) | flags << 28
  int64_t amount = 0;  // 1e-4 units
  static constexpr uint32_t kRound = 1u << 28, kNight = 2u << 28, kNewPair = 4u << 28,
                            kPersonalAbroad = 8u << 28;  // cross-border, no merchant category
  static constexpr uint32_t kIndexMask = (1u << 28) - 1;
  uint32_t counterparty() const { return cp & kIndexMask; }
};

// Oldest-first ring: two events inline, then on the heap, doubling up to
// kRingCapacity, then dropping the oldest. Memory is only allocated on
// growth beyond two events.
class Ring {
 public:
  Ring() : heap_(nullptr) {}
  Ring(const Ring&) = delete;
  Ring& operator=(const Ring&) = delete;
  Ring(Ring&& o) noexcept : heap_(nullptr) { *this = std::move(o); }
  Ring& operator=(Ring&& o) noexcept {
    if (this != &o) {
      release();
      std::memcpy(static_cast<void*>(this), &o, sizeof *this);
      o.cap_ = 2, o.size_ = 0, o.head_ = 0;
    }
    return *this;
  }
  ~Ring() { release(); }

  uint32_t size() const { return size_; }
  const Event& at(uint32_t i) const { return data()[(head_ + i) & (cap_ - 1)]; }  // 0 = oldest
  // Drops events with time <= cutoff from the old end.
  void prune(int64_t cutoff) {
    const Event* ev = data();
    while (size_ > 0 && static_cast<int64_t>(ev[head_].time) <= cutoff) {
      head_ = static_cast<uint16_t>((head_ + 1) & (cap_ - 1));
      --size_;
    }
  }
  void push(const Event& e) {
    if (size_ == cap_) {
      if (cap_ < kRingCapacity) {
        grow();
      } else {
        head_ = static_cast<uint16_t>((head_ + 1) & (cap_ - 1));
        --size_;
      }
    }
    data()[(head_ + size_) & (cap_ - 1)] = e;
    ++size_;
  }

 private:
  union {
    Event inl_[2];
    Event* heap_;
  };
  uint16_t head_ = 0, size_ = 0, cap_ = 2;

  Event* data() { return cap_ == 2 ? inl_ : heap_; }
  const Event* data() const { return cap_ == 2 ? inl_ : heap_; }
  void release() {
    if (cap_ > 2) delete[] heap_;
  }
  void grow() {
    uint16_t nc = static_cast<uint16_t>(cap_ * 2);
    Event* n = new Event[nc];
    for (uint32_t i = 0; i < size_; ++i) n[i] = at(i);
    release();
    heap_ = n;
    head_ = 0;
    cap_ = nc;
  }
};

struct Account {
  Ring out, in;
  uint8_t flags = 0;  // entity flags below
};

// Entity flags (per interned id).
enum : uint8_t {
  kRedList = 1,       // rules file
  kAmberList = 2,     // rules file
  kGreenList = 4,     // rules file
  kGreenRuntime = 8,  // redress: green-listed
  kHasSnooze = 16,    // some rule is snoozed for this entity
};

// Sequential binary output with a running XXH3-64 checksum.
class BinWriter {
 public:
  explicit BinWriter(const std::string& path);
  ~BinWriter();
  void write(const void* p, size_t n);
  template <class T>
  void put(const T& v) {
    write(&v, sizeof v);
  }
  void str(std::string_view s) {
    put<uint32_t>(static_cast<uint32_t>(s.size()));
    write(s.data(), s.size());
  }
  // Appends the checksum, fsyncs, closes, renames path.tmp to path.
  Status finish();

 private:
  std::string path_;
  int fd_ = -1;
  Status status_;
  XXH3_state_t* sum_;
  std::string buf_;
  void flush();
};

// Reads a whole file and verifies its trailing checksum.
class BinReader {
 public:
  static Result<BinReader> open(const std::string& path);
  bool ok() const { return ok_; }
  void read(void* p, size_t n) {
    if (pos_ + n > data_.size()) {
      ok_ = false;
      std::memset(p, 0, n);
      return;
    }
    std::memcpy(p, data_.data() + pos_, n);
    pos_ += n;
  }
  template <class T>
  T get() {
    T v{};
    read(&v, sizeof v);
    return v;
  }
  std::string str() {
    uint32_t n = get<uint32_t>();
    if (pos_ + n > data_.size()) return ok_ = false, std::string();
    std::string s = data_.substr(pos_, n);
    pos_ += n;
    return s;
  }
  bool at_end() const { return pos_ == data_.size(); }

 private:
  std::string data_;
  size_t pos_ = 0;
  bool ok_ = true;
};

}  // namespace chainbreak::payments
