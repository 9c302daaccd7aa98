// Buffer<T>: a fixed-size, zero-initialised array for the index's large
// tables, allocated with mmap and marked for transparent huge pages
// (MADV_HUGEPAGE) when it spans at least one 2 MiB page. Random lookups over
// gigabytes of tables otherwise miss the TLB on nearly every access.
//
// Ownership: move-only; frees its memory on destruction. Allocation failure
// throws std::bad_alloc, as std::vector would.
#pragma once

#include <sys/mman.h>

#include <cstddef>
#include <new>
#include <span>
#include <type_traits>
#include <utility>

namespace chainbreak::index {

template <class T>
class Buffer {
  static_assert(std::is_trivially_copyable_v<T>);

 public:
  Buffer() = default;
  explicit Buffer(size_t n) : n_(n) {
    if (n == 0) return;
    constexpr size_t kHuge = size_t{2} << 20;
    bytes_ = n * sizeof(T);
    bytes_ = bytes_ >= kHuge ? (bytes_ + kHuge - 1) / kHuge * kHuge : (bytes_ + 4095) / 4096 * 4096;
    void* p = ::mmap(nullptr, bytes_, PROT_READ | PROT_WRITE, MAP_PRIVATE | MAP_ANONYMOUS, -1, 0);
    if (p == MAP_FAILED) throw std::bad_alloc();
    if (bytes_ >= kHuge) ::madvise(p, bytes_, MADV_HUGEPAGE);
    p_ = static_cast<T*>(p);
  }
  ~Buffer() { release(); }
  Buffer(Buffer&& o) noexcept { *this = std::move(o); }
  Buffer& operator=(Buffer&& o) noexcept {
    if (this != &o) {
      release();
      p_ = std::exchange(o.p_, nullptr);
      n_ = std::exchange(o.n_, 0);
      bytes_ = std::exchange(o.bytes_, 0);
    }
    return *this;
  }
  Buffer(const Buffer&) = delete;
  Buffer& operator=(const Buffer&) = delete;

  T* data() { return p_; }
  const T* data() const { return p_; }
  size_t size() const { return n_; }
  size_t bytes() const { return bytes_; }
  T& operator[](size_t i) { return p_[i]; }
  const T& operator[](size_t i) const { return p_[i]; }
  std::span<T> span() { return {p_, n_}; }
  std::span<const T> span() const { return {p_, n_}; }

 private:
  void release() {
    if (p_) ::munmap(p_, bytes_);
    p_ = nullptr;
    n_ = bytes_ = 0;
  }
  T* p_ = nullptr;
  size_t n_ = 0;
  size_t bytes_ = 0;
};

}  // namespace chainbreak::index
