// Signal type names, validation and hex conversion shared by both backends,
// and open_store's dispatch on the location's form.
#include <array>
#include <ctime>

#include "store/store.h"
#include "store/store_internal.h"
#include "util/text.h"

namespace chainbreak::store {

const char* signal_type_name(SignalType t) {
  switch (t) {
    case SignalType::kPdq: return "pdq";
    case SignalType::kMd5: return "md5";
    case SignalType::kSha1: return "sha1";
    case SignalType::kSha256: return "sha256";
  }
  return "unknown";
}

std::optional<SignalType> parse_signal_type(std::string_view name) {
  auto lower = [](std::string_view s) {
    std::string out(s);
    for (char& c : out) {
      if (c >= 'A' && c <= 'Z') c = static_cast<char>(c - 'A' + 'a');
    }
    return out;
  };
  const std::string n = lower(name);
  for (SignalType t : {SignalType::kPdq, SignalType::kMd5, SignalType::kSha1, SignalType::kSha256}) {
    if (n == signal_type_name(t)) return t;
  }
  return std::nullopt;
}

Result<std::unique_ptr<Store>> open_store(const std::string& location) {
  std::string_view l(location);
  if (l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=")) {
    return open_postgres(location);
  }
  return open_sqlite(location);
}

namespace internal {
namespace {

// Value of each byte as a hex digit, or -1.
constexpr auto kHexValue = [] {
  std::array<int8_t, 256> t{};
  t.fill(-1);
  for (int c = 0; c < 10; ++c) t['0' + c] = static_cast<int8_t>(c);
  for (int c = 0; c < 6; ++c) t['a' + c] = t['A' + c] = static_cast<int8_t>(10 + c);
  return t;
}();

int hex_digit(char c) { return kHexValue[static_cast<unsigned char>(c)]; }

bool valid_name(std::string_view name) {
  if (name.empty() || name.size() > 64) return false;
  for (char c : name) {
    bool ok =
        (c >= 'a' && c <= 'z') || (c >= 'A' && c <= 'Z') || (c >= '0' && c <= '9') || c == '_' || c == '.' || c == '-';
    if (!ok) return false;
  }
  return true;
}

bool valid_metadata(std::string_view m) {
  size_t b = m.find_first_not_of(" \t\r\n");
  if (b == std::string_view::npos) return m.empty();
  size_t e = m.find_last_not_of(" \t\r\n");
  return m[b] == '{' && m[e] == '}' && e > b;
}

}  // namespace

size_t value_bytes(SignalType t) {
  switch (t) {
    case SignalType::kPdq: return 32;
    case SignalType::kMd5: return 16;
    case SignalType::kSha1: return 20;
    case SignalType::kSha256: return 32;
  }
  return 0;
}

Status hex_to_bytes(SignalType t, std::string_view hex, std::string& out) {
  const size_t n = value_bytes(t);
  if (n == 0) return InvalidInput("unknown signal type " + std::to_string(static_cast<int>(t)));
  if (hex.size() != 2 * n) {
    return InvalidInput(std::string(signal_type_name(t)) + " value must be " + std::to_string(2 * n) +
                        " hex characters, got " + std::to_string(hex.size()));
  }
  out.resize(n);
  for (size_t i = 0; i < n; ++i) {
    int hi = hex_digit(hex[2 * i]);
    int lo = hex_digit(hex[2 * i + 1]);
    if (hi < 0 || lo < 0) {
      return InvalidInput(std::string(signal_type_name(t)) + " value has a non-hex character at position " +
                          std::to_string(hi < 0 ? 2 * i : 2 * i + 1));
    }
    out[i] = static_cast<char>((hi << 4) | lo);
  }
  return Status::Ok();
}

void append_hex(std::string_view bytes, std::string& out) {
  static constexpr char kDigits[] = "0123456789abcdef";
  for (unsigned char b : bytes) {
    out.push_back(kDigits[b >> 4]);
    out.push_back(kDigits[b & 15]);
  }
}

std::string bytes_to_hex(std::string_view bytes) {
  std::string out;
  out.reserve(bytes.size() * 2);
  append_hex(bytes, out);
  return out;
}

bool valid_text(std::string_view s) { return valid_utf8(s); }

Status validate_bank(const Bank& bank) {
  if (!valid_name(bank.name)) {
    return InvalidInput("invalid bank name \"" + (valid_text(bank.name) ? bank.name : std::string("?")) +
                        "\": use 1 to 64 of A-Z a-z 0-9 _ . -");
  }
  if (!valid_text(bank.description)) return InvalidInput("bank description is not valid UTF-8 text");
  if (bank.pdq_threshold < 0 || bank.pdq_threshold > 63) {
    return InvalidInput("pdq_threshold must be within 0..63, got " + std::to_string(bank.pdq_threshold));
  }
  if (bank.disabled_until < 0) return InvalidInput("disabled_until must be >= 0");
  if (!valid_text(bank.quarantine_reason)) return InvalidInput("quarantine_reason is not valid UTF-8 text");
  size_t chars = 0;
  for (char c : bank.quarantine_reason) chars += (static_cast<unsigned char>(c) & 0xC0) != 0x80;
  if (chars > 1000) return InvalidInput("quarantine_reason is longer than 1000 characters");
  return Status::Ok();
}

Status validate_entries(std::span<const Entry> entries, std::string_view op, std::string* raws) {
  std::string raw;
  raws->clear();
  raws->reserve(entries.size() * 32);
  for (size_t i = 0; i < entries.size(); ++i) {
    if (Status s = validate_entry(entries[i], i, raw); !s.ok()) return with_context(s, op);
    *raws += raw;
  }
  return Status::Ok();
}

Status validate_entry(const Entry& e, size_t index, std::string& raw) {
  auto fail = [index](const std::string& m) { return InvalidInput("entry " + std::to_string(index) + ": " + m); };
  if (Status s = hex_to_bytes(e.type, e.value, raw); !s.ok()) return fail(s.message());
  if (!(e.confidence >= 0.0 && e.confidence <= 1.0)) return fail("confidence must be within 0..1");
  if (e.added_at < 0 || e.expires_at < 0) return fail("timestamps must be >= 0");
  if (e.up_votes < 0 || e.down_votes < 0) return fail("votes must be >= 0");
  if (e.removed) return fail("a removed entry cannot be added");
  if (!valid_text(e.external_id) || !valid_text(e.source_org) || !valid_text(e.classification) ||
      !valid_text(e.legal_basis) || !valid_text(e.metadata_json)) {
    return fail("text fields must be valid UTF-8 without NUL");
  }
  if (!valid_metadata(e.metadata_json)) return fail("metadata_json must be empty or a JSON object");
  return Status::Ok();
}

Status validate_votes(int up, int down) {
  if (up < 0 || down < 0) return InvalidInput("votes must be >= 0");
  return Status::Ok();
}

int64_t now_seconds() { return static_cast<int64_t>(std::time(nullptr)); }

Status with_context(const Status& s, std::string_view context) {
  if (s.ok()) return s;
  return Status(s.code(), std::string(context) + ": " + s.message());
}

}  // namespace internal
}  // namespace chainbreak::store
