#include "cli/store_location.h"

#include <cstdio>
#include <cstdlib>
#include <ctime>
#include <filesystem>

#include "banks/bank_set.h"

namespace chainbreak::cli {

std::string resolve_data_dir(const StoreLocation& where) {
  if (!where.data_dir.empty()) return where.data_dir;
  if (const char* d = std::getenv("CHAINBREAK_DATA"); d && *d) return d;
  if (const char* x = std::getenv("XDG_DATA_HOME"); x && *x) return std::string(x) + "/chainbreak";
  const char* home = std::getenv("HOME");
  return std::string(home && *home ? home : ".") + "/.local/share/chainbreak";
}

std::string snapshot_dir(const StoreLocation& where) { return resolve_data_dir(where) + "/index"; }

Result<std::unique_ptr<store::Store>> open_cli_store(const StoreLocation& where) {
  if (!where.db.empty()) return store::open_store(where.db);
  const std::string dir = resolve_data_dir(where);
  std::error_code ec;
  std::filesystem::create_directories(dir, ec);
  if (ec) return IoError("cannot create data directory " + dir + ": " + ec.message());
  return store::open_sqlite(dir + "/chainbreak.db");
}

void update_snapshots(const StoreLocation& where, store::Store& st) {
  auto set = banks::BankSet::open(st, snapshot_dir(where));
  Status s = set.ok() ? set.value()->save_snapshots() : set.status();
  if (!s.ok()) std::fprintf(stderr, "chainbreak: warning: index snapshots not updated: %s\n", s.message().c_str());
}

Result<int64_t> parse_time(const std::string& text, int64_t now) {
  if (text.empty()) return InvalidInput("empty time");
  char* end = nullptr;
  if (text[0] == '+') {
    const long long n = std::strtoll(text.c_str() + 1, &end, 10);
    const std::string unit = end;
    const int64_t mult = unit == "s" ? 1 : unit == "m" ? 60 : unit == "h" ? 3600 : unit == "d" ? 86400 : 0;
    if (end == text.c_str() + 1 || mult == 0 || n < 0) {
      return InvalidInput("'" + text + "' is not +N followed by s, m, h or d");
    }
    return now + n * mult;
  }
  const long long v = std::strtoll(text.c_str(), &end, 10);
  if (*end == '\0') return static_cast<int64_t>(v);
  std::tm tm{};
  const char* rest = strptime(text.c_str(), "%Y-%m-%dT%H:%M:%S", &tm);
  if (!rest || (std::string(rest) != "Z" && std::string(rest) != "+00:00")) {
    return InvalidInput("'" + text + "' is not an RFC 3339 UTC time (2026-12-01T00:00:00Z), unix seconds or +N[smhd]");
  }
  return static_cast<int64_t>(timegm(&tm));
}

std::string format_time(int64_t t) {
  if (t == 0) return "";
  const std::time_t tt = static_cast<std::time_t>(t);
  std::tm tm{};
  gmtime_r(&tt, &tm);
  char buf[32];
  std::strftime(buf, sizeof buf, "%Y-%m-%dT%H:%M:%SZ", &tm);
  return buf;
}

}  // namespace chainbreak::cli
