// The transaction format (docs/PAYMENTS.md): one JSON object per line, and
// its parser. Amounts are exact fixed point (int64 in 1e-4 units), times
// unix seconds (UTC).
//
// Thread-safety: a TxParser is used by one thread at a time (it keeps its
// simdjson parser and buffers across calls); the free functions are pure.
#pragma once

#include <cstdint>
#include <memory>
#include <string>
#include <string_view>

#include "util/result.h"

namespace chainbreak::payments {

enum class Channel : uint8_t { kP2p, kCard, kBankTransfer, kRemittance, kCrypto, kGiftCard, kWallet };
enum class AgeBand : uint8_t { kUnknown, kMinor, kAdult };
constexpr int kChannelCount = 7;
const char* channel_name(Channel c);   // "p2p", ...
const char* age_band_name(AgeBand b);  // "unknown", "minor", "adult"
// Parses the names above; false when unknown.
bool parse_channel(std::string_view s, Channel* out);
bool parse_age_band(std::string_view s, AgeBand* out);

constexpr int64_t kAmountScale = 10000;  // 1e-4 units
constexpr int32_t kUnknownAge = -1;      // account_age_days absent

struct Party {
  std::string_view id;
  uint16_t country = 0;  // two upper-case letters packed ('U' << 8 | 'S'); 0 = absent
  AgeBand age_band = AgeBand::kUnknown;
  int32_t account_age_days = kUnknownAge;
};

// Views point into the parser's buffers: valid until its next parse().
struct Transaction {
  std::string_view id;
  int64_t time = 0;       // unix seconds, UTC (fractions of a second dropped)
  int64_t amount = 0;     // 1e-4 units of the currency, >= 0
  uint32_t currency = 0;  // three upper-case letters packed; 0 = absent
  Channel channel = Channel::kP2p;
  Party payer, payee;
  std::string_view memo, merchant_category, wallet;  // empty when absent
  bool has_memo = false, has_merchant_category = false, has_wallet = false;
};

// The field a malformed line is rejected for ("payer.country") and why.
struct FieldError {
  std::string field;
  std::string message;
};

class TxParser {
 public:
  TxParser();
  ~TxParser();
  TxParser(const TxParser&) = delete;
  TxParser& operator=(const TxParser&) = delete;

  // Parses one line (without its newline). Returns true and fills tx, or
  // false and fills err (field "" when the line is not a JSON object at all;
  // err_id is then the line's "id" when it could be read, else empty and
  // has_err_id false). Unknown fields are ignored. Never throws.
  bool parse(std::string_view line, Transaction* tx, FieldError* err);
  bool has_err_id() const { return has_err_id_; }
  std::string_view err_id() const { return err_id_; }

 private:
  struct Impl;
  std::unique_ptr<Impl> impl_;
  std::string err_id_;
  bool has_err_id_ = false;
};

// RFC 3339 ("2026-03-01T23:15:00Z", "...+05:30", fractions allowed) to unix
// seconds; false when malformed or before 1970 / after 2105.
bool parse_rfc3339(std::string_view s, int64_t* out);
// "2026-03-01T23:15:00Z".
std::string format_rfc3339(int64_t unix_seconds);
// A non-negative decimal ("25", "25.5", "0.0001"; at most 4 decimals and
// 14 integer digits) to 1e-4 units. kInvalidInput with the reason.
Status parse_amount(std::string_view s, int64_t* out);
// 1e-4 units back to the shortest exact decimal ("25", "25.5").
void append_amount(std::string& out, int64_t units);
// "US" -> packed code; false unless two ASCII letters (either case).
bool parse_country(std::string_view s, uint16_t* out);
std::string country_text(uint16_t code);
bool parse_currency(std::string_view s, uint32_t* out);
std::string currency_text(uint32_t code);

}  // namespace chainbreak::payments
