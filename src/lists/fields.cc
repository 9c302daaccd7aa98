#include "lists/fields.h"

#include <algorithm>
#include <array>
#include <charconv>
#include <cmath>
#include <nlohmann/json.hpp>

#include "util/civil_time.h"

namespace chainbreak::lists {
namespace {

// Lowercase digit for each hex byte, 0 for anything else.
constexpr std::array<char, 256> kHexLower = [] {
  std::array<char, 256> t{};
  for (int c = '0'; c <= '9'; ++c) t[c] = static_cast<char>(c);
  for (int c = 'a'; c <= 'f'; ++c) t[c] = static_cast<char>(c);
  for (int c = 'A'; c <= 'F'; ++c) t[c] = static_cast<char>(c - 'A' + 'a');
  return t;
}();

char lower(char c) { return (c >= 'A' && c <= 'Z') ? static_cast<char>(c - 'A' + 'a') : c; }

void civil_from_days(int64_t z, int64_t* y, unsigned* m, unsigned* d) {
  z += 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  *d = doy - (153 * mp + 2) / 5 + 1;
  *m = mp < 10 ? mp + 3 : mp - 9;
  *y = static_cast<int64_t>(yoe) + era * 400 + (*m <= 2);
}

// Reads exactly n digits at s[*i]; false otherwise.
bool digits(std::string_view s, size_t* i, size_t n, unsigned* out) {
  if (*i + n > s.size()) return false;
  unsigned v = 0;
  for (size_t k = 0; k < n; ++k) {
    const char c = s[*i + k];
    if (c < '0' || c > '9') return false;
    v = v * 10 + static_cast<unsigned>(c - '0');
  }
  *i += n;
  *out = v;
  return true;
}

bool expect(std::string_view s, size_t* i, char c) {
  if (*i >= s.size() || lower(s[*i]) != lower(c)) return false;
  ++*i;
  return true;
}

void append_2(unsigned v, std::string* out) {
  out->push_back(static_cast<char>('0' + v / 10));
  out->push_back(static_cast<char>('0' + v % 10));
}

bool is_leap(int64_t y) { return (y % 4 == 0 && y % 100 != 0) || y % 400 == 0; }

}  // namespace

size_t hex_length(store::SignalType t) {
  switch (t) {
    case store::SignalType::kPdq: return 64;
    case store::SignalType::kMd5: return 32;
    case store::SignalType::kSha1: return 40;
    case store::SignalType::kSha256: return 64;
  }
  return 0;
}

const char* type_name(store::SignalType t) {
  switch (t) {
    case store::SignalType::kPdq: return "pdq";
    case store::SignalType::kMd5: return "md5";
    case store::SignalType::kSha1: return "sha1";
    case store::SignalType::kSha256: return "sha256";
  }
  return "unknown";
}

std::optional<store::SignalType> parse_type_name(std::string_view name) {
  for (store::SignalType t :
       {store::SignalType::kPdq, store::SignalType::kMd5, store::SignalType::kSha1, store::SignalType::kSha256})
    if (iequals(name, type_name(t))) return t;
  return std::nullopt;
}

bool normalize_hex(std::string_view in, store::SignalType t, std::string* out, std::string* reason) {
  const size_t want = hex_length(t);
  if (in.size() != want) {
    *reason = "expected " + std::to_string(want) + " hex digits for " + type_name(t) + ", got " +
              std::to_string(in.size()) + " characters";
    return false;
  }
  out->resize(want);
  char* o = out->data();
  unsigned bad = 0;
  for (size_t i = 0; i < want; ++i) {
    const char c = kHexLower[static_cast<unsigned char>(in[i])];
    bad |= (c == 0);
    o[i] = c;
  }
  if (bad) {
    for (size_t i = 0; i < want; ++i) {
      if (kHexLower[static_cast<unsigned char>(in[i])] == 0) {
        const unsigned char c = static_cast<unsigned char>(in[i]);
        std::string shown = (c >= 0x20 && c < 0x7f) ? std::string(1, static_cast<char>(c)) : "\\x" + [c] {
          static const char* h = "0123456789abcdef";
          return std::string{h[c >> 4], h[c & 15]};
        }();
        *reason = "not a hex digit: '" + shown + "' at position " + std::to_string(i + 1);
        return false;
      }
    }
  }
  return true;
}

bool is_canonical_hex(std::string_view in, store::SignalType t) {
  if (in.size() != hex_length(t)) return false;
  for (char c : in)
    if (kHexLower[static_cast<unsigned char>(c)] != c) return false;
  return true;
}

bool parse_time(std::string_view s, int64_t* out) {
  if (s.empty()) return false;
  if (s.size() < 11 || s[4] != '-') return parse_int64(s, out);  // unix seconds
  size_t i = 0;
  unsigned year, month, day, hour, minute, second;
  if (!digits(s, &i, 4, &year) || !expect(s, &i, '-') || !digits(s, &i, 2, &month) || !expect(s, &i, '-') ||
      !digits(s, &i, 2, &day))
    return false;
  if (i >= s.size() || (lower(s[i]) != 't' && s[i] != ' ')) return false;
  ++i;
  if (!digits(s, &i, 2, &hour) || !expect(s, &i, ':') || !digits(s, &i, 2, &minute) || !expect(s, &i, ':') ||
      !digits(s, &i, 2, &second))
    return false;
  static constexpr unsigned kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (month < 1 || month > 12 || day < 1 || day > kDays[month - 1] || (month == 2 && day == 29 && !is_leap(year)) ||
      hour > 23 || minute > 59 || second > 60)
    return false;
  if (i < s.size() && s[i] == '.') {
    ++i;
    const size_t start = i;
    while (i < s.size() && s[i] >= '0' && s[i] <= '9') ++i;
    if (i == start) return false;
  }
  int64_t offset = 0;
  if (i < s.size() && lower(s[i]) == 'z') {
    ++i;
  } else if (i < s.size() && (s[i] == '+' || s[i] == '-')) {
    const int sign = s[i] == '-' ? -1 : 1;
    ++i;
    unsigned oh, om;
    if (!digits(s, &i, 2, &oh)) return false;
    if (i < s.size() && s[i] == ':') ++i;
    if (!digits(s, &i, 2, &om) || oh > 23 || om > 59) return false;
    offset = sign * static_cast<int64_t>(oh * 3600 + om * 60);
  } else {
    return false;  // RFC 3339 requires an offset
  }
  if (i != s.size()) return false;
  *out = days_from_civil(year, month, day) * 86400 + hour * 3600 + minute * 60 + second - offset;
  return true;
}

void append_time(int64_t t, std::string* out) {
  // 0000-01-01T00:00:00Z .. 9999-12-31T23:59:59Z
  constexpr int64_t kMin = -62167219200, kMax = 253402300799;
  if (t < kMin || t > kMax) {
    *out += std::to_string(t);
    return;
  }
  int64_t days = t / 86400, rem = t % 86400;
  if (rem < 0) rem += 86400, --days;
  int64_t y;
  unsigned m, d;
  civil_from_days(days, &y, &m, &d);
  const unsigned yy = static_cast<unsigned>(y);
  out->push_back(static_cast<char>('0' + yy / 1000));
  out->push_back(static_cast<char>('0' + yy / 100 % 10));
  append_2(yy % 100, out);
  out->push_back('-');
  append_2(m, out);
  out->push_back('-');
  append_2(d, out);
  out->push_back('T');
  append_2(static_cast<unsigned>(rem / 3600), out);
  out->push_back(':');
  append_2(static_cast<unsigned>(rem / 60 % 60), out);
  out->push_back(':');
  append_2(static_cast<unsigned>(rem % 60), out);
  out->push_back('Z');
}

bool parse_int64(std::string_view s, int64_t* out) {
  if (s.empty() || s[0] == '+') return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_int32(std::string_view s, int32_t* out) {
  if (s.empty() || s[0] == '+') return false;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), *out);
  return ec == std::errc() && p == s.data() + s.size();
}

bool parse_confidence(std::string_view s, double* out) {
  if (s.empty() || s[0] == '+') return false;
  double v = 0;
  const auto [p, ec] = std::from_chars(s.data(), s.data() + s.size(), v);
  if (ec != std::errc() || p != s.data() + s.size() || !std::isfinite(v) || v < 0 || v > 1) return false;
  *out = v;
  return true;
}

void append_double(double v, std::string* out) {
  char buf[32];
  const auto [p, ec] = std::to_chars(buf, buf + sizeof(buf), v);
  out->append(buf, ec == std::errc() ? p : buf);
}

void reset_entry(store::Entry* e) {
  e->id = 0;
  e->bank_id = 0;
  e->type = store::SignalType::kPdq;
  e->value.clear();
  e->external_id.clear();
  e->source_org.clear();
  e->classification.clear();
  e->legal_basis.clear();
  e->added_at = 0;
  e->expires_at = 0;
  e->confidence = 1.0;
  e->up_votes = 0;
  e->down_votes = 0;
  e->removed = false;
  e->removed_at = 0;
  e->disabled = false;
  e->metadata_json.clear();
}

std::string_view trim(std::string_view s) {
  while (!s.empty() && (s.front() == ' ' || s.front() == '\t')) s.remove_prefix(1);
  while (!s.empty() && (s.back() == ' ' || s.back() == '\t')) s.remove_suffix(1);
  return s;
}

bool iequals(std::string_view a, std::string_view b) {
  if (a.size() != b.size()) return false;
  for (size_t i = 0; i < a.size(); ++i)
    if (lower(a[i]) != lower(b[i])) return false;
  return true;
}

void append_json_string(std::string_view s, std::string* out) {
  static const char* kHex = "0123456789abcdef";
  out->push_back('"');
  for (char ch : s) {
    const unsigned char c = static_cast<unsigned char>(ch);
    switch (c) {
      case '"': *out += "\\\""; break;
      case '\\': *out += "\\\\"; break;
      case '\b': *out += "\\b"; break;
      case '\f': *out += "\\f"; break;
      case '\n': *out += "\\n"; break;
      case '\r': *out += "\\r"; break;
      case '\t': *out += "\\t"; break;
      default:
        if (c < 0x20) {
          *out += "\\u00";
          out->push_back(kHex[c >> 4]);
          out->push_back(kHex[c & 15]);
        } else {
          out->push_back(ch);
        }
    }
  }
  out->push_back('"');
}

void MetadataBuilder::clear() {
  count_ = 0;
  merged_.clear();
}

bool MetadataBuilder::add(std::string_view key, std::string_view value) {
  for (size_t i = 0; i < count_; ++i)
    if (pairs_[i].first == key) return false;
  if (count_ == pairs_.size()) pairs_.emplace_back();
  pairs_[count_].first.assign(key);
  pairs_[count_].second.assign(value);
  ++count_;
  return true;
}

bool MetadataBuilder::merge(std::string_view json, std::string* reason) {
  const nlohmann::json j = nlohmann::json::parse(json, nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) {
    *reason = "not valid JSON";
    return false;
  }
  if (!j.is_object()) {
    *reason = "not a JSON object";
    return false;
  }
  merged_.emplace_back(json);
  return true;
}

bool MetadataBuilder::finish(std::string* out, std::string* reason) {
  out->clear();
  if (empty()) return true;
  bool ascii = merged_.empty();
  for (size_t i = 0; i < count_ && ascii; ++i)
    for (const std::string* s : {&pairs_[i].first, &pairs_[i].second})
      for (char c : *s) ascii = ascii && static_cast<unsigned char>(c) < 0x80;
  if (ascii) {  // the common case, without building a JSON tree
    order_.resize(count_);
    for (size_t i = 0; i < count_; ++i) order_[i] = i;
    std::sort(order_.begin(), order_.end(), [&](size_t a, size_t b) { return pairs_[a].first < pairs_[b].first; });
    out->push_back('{');
    for (size_t k = 0; k < count_; ++k) {
      if (k) out->push_back(',');
      append_json_string(pairs_[order_[k]].first, out);
      out->push_back(':');
      append_json_string(pairs_[order_[k]].second, out);
    }
    out->push_back('}');
    return true;
  }
  nlohmann::json obj = nlohmann::json::object();
  for (size_t i = 0; i < count_; ++i) obj[pairs_[i].first] = pairs_[i].second;
  for (const std::string& text : merged_) {
    nlohmann::json j = nlohmann::json::parse(text, nullptr, false);
    for (auto it = j.begin(); it != j.end(); ++it) {
      if (obj.contains(it.key())) {
        *reason = "metadata key '" + it.key() + "' given twice";
        return false;
      }
      obj[it.key()] = std::move(it.value());
    }
  }
  *out = obj.dump(-1, ' ', false, nlohmann::json::error_handler_t::replace);
  return true;
}

}  // namespace chainbreak::lists
