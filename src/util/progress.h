// A progress bar on standard error for long runs: files done, files per
// second and, when the total is known, a bar and the time left. Draws only
// when enabled (the CLI enables it when standard error is a terminal), not
// before half a second has passed, and at most ten times a second.
#pragma once

#include <chrono>
#include <cstdint>
#include <cstdio>

namespace chainbreak {

class Progress {
 public:
  // total == 0 means unknown (paths streamed from standard input). unit
  // names what is counted ("files", "hashes", "bytes"); not owned, must
  // outlive the bar (a string literal).
  Progress(bool enabled, uint64_t total, std::FILE* out = stderr, const char* unit = "files");
  ~Progress() { finish(); }
  Progress(const Progress&) = delete;
  Progress& operator=(const Progress&) = delete;

  void set_total(uint64_t total) { total_ = total; }
  // Records that `done` items are finished; redraws when due. Single thread.
  void update(uint64_t done);
  // Erases the bar (if drawn). Idempotent.
  void finish();

 private:
  using Clock = std::chrono::steady_clock;
  bool enabled_;
  bool drawn_ = false;
  uint64_t total_;
  std::FILE* out_;
  const char* unit_;
  Clock::time_point start_ = Clock::now();
  Clock::time_point last_draw_{};
};

}  // namespace chainbreak
