// Terminal progress bar.
#include "util/progress.h"

#include <string>

namespace chainbreak {

Progress::Progress(bool enabled, uint64_t total, std::FILE* out, const char* unit)
    : enabled_(enabled), total_(total), out_(out), unit_(unit) {}

void Progress::update(uint64_t done) {
  if (!enabled_) return;
  const Clock::time_point now = Clock::now();
  const double elapsed = std::chrono::duration<double>(now - start_).count();
  if (elapsed < 0.5 || now - last_draw_ < std::chrono::milliseconds(100)) return;
  last_draw_ = now;
  const double rate = done / elapsed;
  char line[160];
  if (total_ > 0) {
    constexpr int kWidth = 30;
    const int filled = static_cast<int>(kWidth * std::min<double>(1.0, double(done) / double(total_)));
    std::string bar(filled, '#');
    bar.resize(kWidth, '.');
    const double eta = rate > 0 ? (double(total_) - double(done)) / rate : 0;
    const long eta_s = static_cast<long>(eta);
    std::snprintf(line, sizeof(line), "\r[%s] %llu/%llu %s  %.1f %s/s  ETA %ld:%02ld ", bar.c_str(),
                  static_cast<unsigned long long>(done), static_cast<unsigned long long>(total_), unit_, rate, unit_,
                  eta_s / 60, eta_s % 60);
  } else {
    std::snprintf(line, sizeof(line), "\r%llu %s  %.1f %s/s ", static_cast<unsigned long long>(done), unit_, rate,
                  unit_);
  }
  std::fputs(line, out_);
  std::fflush(out_);
  drawn_ = true;
}

void Progress::finish() {
  if (drawn_) {
    std::fputs("\r\033[K", out_);
    std::fflush(out_);
    drawn_ = false;
  }
}

}  // namespace chainbreak
