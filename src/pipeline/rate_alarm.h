// Per-bank match-rate alarm: a bad list (a hash of a blank frame, a logo,
// a mistaken import) shows up as a bank that suddenly matches far more
// content than usual. The alarm trips for a bank when, within the current
// window, it has at least min_matches matches and its match rate
// (matches / lookups in the window) exceeds max(factor * baseline,
// floor_rate), where baseline is the bank's usual rate (an exponential
// moving average over closed windows). The caller quarantines a tripped
// bank (it keeps matching, but no action is taken on it) until a curator
// clears it and calls reset().
//
// Thread-safety: all members may be called concurrently (internal mutex).
#pragma once

#include <cstdint>
#include <map>
#include <mutex>
#include <span>
#include <string>
#include <vector>

namespace chainbreak::pipeline {

struct AlarmOptions {
  int64_t window_us = 60'000'000;  // one minute
  int64_t min_matches = 50;
  double factor = 10.0;
  double floor_rate = 0.01;  // 1% of all lookups, whatever the baseline
  double ema_alpha = 0.2;    // weight of the newest closed window in the baseline
};

struct AlarmTrip {
  std::string bank;
  int64_t matches = 0;  // in the current window
  int64_t lookups = 0;  // in the current window
  double rate = 0;
  double baseline = 0;
  std::string reason;  // human-readable, names the figures
};

class RateAlarm {
 public:
  explicit RateAlarm(AlarmOptions options = {}) : options_(options) {}

  // Records one lookup at now_us that matched the given banks (each bank
  // once, duplicates ignored; empty for no match). Returns the banks that
  // trip now; a bank trips once, then stays silent until reset().
  std::vector<AlarmTrip> observe(int64_t now_us, std::span<const std::string> matched_banks);
  // Forgets the trip (and the current window's counts) for bank.
  void reset(const std::string& bank);
  // The bank's baseline rate (0 before any window closed).
  double baseline(const std::string& bank) const;

 private:
  struct BankState {
    int64_t matches = 0;  // in the current window
    double baseline = 0;
    bool has_baseline = false;
    bool tripped = false;
  };
  void roll(int64_t now_us);

  AlarmOptions options_;
  mutable std::mutex mu_;
  int64_t window_start_ = -1;
  int64_t lookups_ = 0;
  std::map<std::string, BankState, std::less<>> banks_;
};

}  // namespace chainbreak::pipeline
