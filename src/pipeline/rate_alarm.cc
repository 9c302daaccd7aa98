#include "pipeline/rate_alarm.h"

#include <algorithm>
#include <cstdio>

namespace chainbreak::pipeline {

// Closes every window that ended before now_us: each bank's rate in the
// closed window feeds its baseline (windows with no lookups are skipped).
void RateAlarm::roll(int64_t now_us) {
  if (window_start_ < 0) {
    window_start_ = now_us;
    return;
  }
  if (now_us < window_start_ + options_.window_us) return;
  if (lookups_ > 0) {
    for (auto& [name, b] : banks_) {
      double rate = static_cast<double>(b.matches) / static_cast<double>(lookups_);
      if (b.tripped) {
        // A tripped bank's window does not teach the baseline what a bad
        // list looks like.
      } else if (!b.has_baseline) {
        b.baseline = rate;
        b.has_baseline = true;
      } else {
        b.baseline = options_.ema_alpha * rate + (1 - options_.ema_alpha) * b.baseline;
      }
      b.matches = 0;
    }
  }
  int64_t windows = (now_us - window_start_) / options_.window_us;
  window_start_ += windows * options_.window_us;
  lookups_ = 0;
}

std::vector<AlarmTrip> RateAlarm::observe(int64_t now_us, std::span<const std::string> matched_banks) {
  std::vector<AlarmTrip> trips;
  std::lock_guard lock(mu_);
  roll(now_us);
  ++lookups_;
  for (size_t i = 0; i < matched_banks.size(); ++i) {
    const std::string& name = matched_banks[i];
    if (std::find(matched_banks.begin(), matched_banks.begin() + static_cast<ptrdiff_t>(i), name) !=
        matched_banks.begin() + static_cast<ptrdiff_t>(i)) {
      continue;  // counted already for this lookup
    }
    auto it = banks_.find(name);
    if (it == banks_.end()) it = banks_.emplace(name, BankState{}).first;
    BankState& b = it->second;
    ++b.matches;
    if (b.tripped || b.matches < options_.min_matches) continue;
    double rate = static_cast<double>(b.matches) / static_cast<double>(lookups_);
    double limit = std::max(options_.factor * b.baseline, options_.floor_rate);
    if (rate <= limit) continue;
    b.tripped = true;
    AlarmTrip t;
    t.bank = name;
    t.matches = b.matches;
    t.lookups = lookups_;
    t.rate = rate;
    t.baseline = b.baseline;
    char buf[256];
    std::snprintf(buf, sizeof buf,
                  "match rate %.2f%% (%lld of %lld lookups in the current %llds window) is over the limit %.2f%% "
                  "(usual rate %.4f%%)",
                  rate * 100, static_cast<long long>(b.matches), static_cast<long long>(lookups_),
                  static_cast<long long>(options_.window_us / 1'000'000), limit * 100, b.baseline * 100);
    t.reason = buf;
    trips.push_back(std::move(t));
  }
  return trips;
}

void RateAlarm::reset(const std::string& bank) {
  std::lock_guard lock(mu_);
  auto it = banks_.find(bank);
  if (it == banks_.end()) return;
  it->second.tripped = false;
  it->second.matches = 0;
}

double RateAlarm::baseline(const std::string& bank) const {
  std::lock_guard lock(mu_);
  auto it = banks_.find(bank);
  return it == banks_.end() ? 0.0 : it->second.baseline;
}

}  // namespace chainbreak::pipeline
