// Calendar arithmetic shared by the parsers of RFC 3339 / ISO 8601 times
// (hash lists, payment transactions). Header-only, no time zone database.
#pragma once

#include <cstdint>

namespace chainbreak {

// Days since 1970-01-01 of a proleptic Gregorian date (H. Hinnant's
// algorithm); m 1..12, d 1..31 (not validated here).
inline int64_t days_from_civil(int64_t y, unsigned m, unsigned d) {
  y -= m <= 2;
  const int64_t era = (y >= 0 ? y : y - 399) / 400;
  const unsigned yoe = static_cast<unsigned>(y - era * 400);
  const unsigned doy = (153 * (m > 2 ? m - 3 : m + 9) + 2) / 5 + d - 1;
  const unsigned doe = yoe * 365 + yoe / 4 - yoe / 100 + doy;
  return era * 146097 + static_cast<int64_t>(doe) - 719468;
}

}  // namespace chainbreak
