// Transaction parsing with simdjson On Demand: one reused parser, a padded
// copy of each line, fields matched in a single pass over the object.
#include "payments/transaction.h"

#include <simdjson.h>

#include <cstring>

#include "util/civil_time.h"

namespace chainbreak::payments {

namespace {
const char* const kChannelNames[kChannelCount] = {"p2p",    "card",      "bank_transfer", "remittance",
                                                  "crypto", "gift_card", "wallet"};
const char* const kBandNames[3] = {"unknown", "minor", "adult"};

bool digits(std::string_view s, size_t at, size_t n, int* out) {
  int v = 0;
  for (size_t i = 0; i < n; ++i) {
    char c = s[at + i];
    if (c < '0' || c > '9') return false;
    v = v * 10 + (c - '0');
  }
  *out = v;
  return true;
}
}  // namespace

const char* channel_name(Channel c) { return kChannelNames[static_cast<int>(c)]; }
const char* age_band_name(AgeBand b) { return kBandNames[static_cast<int>(b)]; }
bool parse_channel(std::string_view s, Channel* out) {
  for (int i = 0; i < kChannelCount; ++i)
    if (s == kChannelNames[i]) return *out = static_cast<Channel>(i), true;
  return false;
}
bool parse_age_band(std::string_view s, AgeBand* out) {
  for (int i = 0; i < 3; ++i)
    if (s == kBandNames[i]) return *out = static_cast<AgeBand>(i), true;
  return false;
}

bool parse_rfc3339(std::string_view s, int64_t* out) {
  int y, mo, d, h, mi, se;
  if (s.size() < 20 || s[4] != '-' || s[7] != '-' || (s[10] != 'T' && s[10] != 't' && s[10] != ' ') || s[13] != ':' ||
      s[16] != ':')
    return false;
  if (!digits(s, 0, 4, &y) || !digits(s, 5, 2, &mo) || !digits(s, 8, 2, &d) || !digits(s, 11, 2, &h) ||
      !digits(s, 14, 2, &mi) || !digits(s, 17, 2, &se))
    return false;
  static const int kDays[12] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (mo < 1 || mo > 12 || d < 1 || d > kDays[mo - 1] || h > 23 || mi > 59 || se > 60) return false;
  bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  if (mo == 2 && d == 29 && !leap) return false;
  size_t p = 19;
  if (p < s.size() && s[p] == '.') {
    ++p;
    size_t start = p;
    while (p < s.size() && s[p] >= '0' && s[p] <= '9') ++p;
    if (p == start) return false;
  }
  if (p >= s.size()) return false;
  int64_t offset = 0;
  if (s[p] == 'Z' || s[p] == 'z') {
    ++p;
  } else if (s[p] == '+' || s[p] == '-') {
    int oh, om;
    if (s.size() - p != 6 || s[p + 3] != ':' || !digits(s, p + 1, 2, &oh) || !digits(s, p + 4, 2, &om) || oh > 23 ||
        om > 59)
      return false;
    offset = (oh * 3600 + om * 60) * (s[p] == '+' ? 1 : -1);
    p += 6;
  } else {
    return false;
  }
  if (p != s.size()) return false;
  int64_t t = days_from_civil(y, mo, d) * 86400 + h * 3600 + mi * 60 + (se == 60 ? 59 : se) - offset;
  if (t < 0 || t > 4'294'967'295LL) return false;
  *out = t;
  return true;
}

std::string format_rfc3339(int64_t t) {
  int64_t days = t >= 0 ? t / 86400 : (t - 86399) / 86400;
  int64_t rem = t - days * 86400;
  // civil_from_days
  int64_t z = days + 719468;
  const int64_t era = (z >= 0 ? z : z - 146096) / 146097;
  const unsigned doe = static_cast<unsigned>(z - era * 146097);
  const unsigned yoe = (doe - doe / 1460 + doe / 36524 - doe / 146096) / 365;
  int64_t y = static_cast<int64_t>(yoe) + era * 400;
  const unsigned doy = doe - (365 * yoe + yoe / 4 - yoe / 100);
  const unsigned mp = (5 * doy + 2) / 153;
  const unsigned d = doy - (153 * mp + 2) / 5 + 1;
  const unsigned m = mp < 10 ? mp + 3 : mp - 9;
  y += m <= 2;
  char buf[64];
  std::snprintf(buf, sizeof buf, "%04lld-%02u-%02uT%02d:%02d:%02dZ", static_cast<long long>(y), m, d,
                static_cast<int>(rem / 3600), static_cast<int>(rem / 60 % 60), static_cast<int>(rem % 60));
  return buf;
}

Status parse_amount(std::string_view s, int64_t* out) {
  if (s.empty()) return InvalidInput("empty amount");
  if (s[0] == '-') return InvalidInput("negative amount");
  int64_t whole = 0, frac = 0;
  size_t i = 0, nwhole = 0, nfrac = 0;
  for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++nwhole) {
    if (nwhole >= 14) return InvalidInput("more than 14 integer digits");
    whole = whole * 10 + (s[i] - '0');
  }
  if (nwhole == 0) return InvalidInput("not a decimal number");
  if (i < s.size() && s[i] == '.') {
    ++i;
    for (; i < s.size() && s[i] >= '0' && s[i] <= '9'; ++i, ++nfrac) {
      if (nfrac >= 4) return InvalidInput("more than 4 decimal places");
      frac = frac * 10 + (s[i] - '0');
    }
    if (nfrac == 0) return InvalidInput("not a decimal number");
  }
  if (i != s.size()) return InvalidInput("not a decimal number");
  for (size_t k = nfrac; k < 4; ++k) frac *= 10;
  *out = whole * kAmountScale + frac;
  return Status::Ok();
}

void append_amount(std::string& out, int64_t units) {
  if (units < 0) {
    out.push_back('-');
    units = -units;
  }
  char buf[32];
  int n = std::snprintf(buf, sizeof buf, "%lld", static_cast<long long>(units / kAmountScale));
  out.append(buf, static_cast<size_t>(n));
  int64_t frac = units % kAmountScale;
  if (frac == 0) return;
  char f[5] = {static_cast<char>('0' + frac / 1000), static_cast<char>('0' + frac / 100 % 10),
               static_cast<char>('0' + frac / 10 % 10), static_cast<char>('0' + frac % 10), 0};
  int len = 4;
  while (f[len - 1] == '0') --len;
  out.push_back('.');
  out.append(f, static_cast<size_t>(len));
}

static bool letter(char c) { return (c >= 'A' && c <= 'Z') || (c >= 'a' && c <= 'z'); }
static char upper(char c) { return c >= 'a' && c <= 'z' ? static_cast<char>(c - 32) : c; }

bool parse_country(std::string_view s, uint16_t* out) {
  if (s.size() != 2 || !letter(s[0]) || !letter(s[1])) return false;
  *out = static_cast<uint16_t>(upper(s[0]) << 8 | upper(s[1]));
  return true;
}
std::string country_text(uint16_t c) {
  if (c == 0) return "";
  return {static_cast<char>(c >> 8), static_cast<char>(c & 0xff)};
}
bool parse_currency(std::string_view s, uint32_t* out) {
  if (s.size() != 3 || !letter(s[0]) || !letter(s[1]) || !letter(s[2])) return false;
  *out = static_cast<uint32_t>(upper(s[0])) << 16 | static_cast<uint32_t>(upper(s[1])) << 8 | upper(s[2]);
  return true;
}
std::string currency_text(uint32_t c) {
  return {static_cast<char>(c >> 16), static_cast<char>(c >> 8 & 0xff), static_cast<char>(c & 0xff)};
}

// ---------------------------------------------------------------------------

using namespace simdjson;

struct TxParser::Impl {
  ondemand::parser parser;
  std::string buf;
};

TxParser::TxParser() : impl_(std::make_unique<Impl>()) { impl_->buf.reserve(4096); }
TxParser::~TxParser() = default;

namespace {
bool fail(FieldError* e, const char* field, const char* msg) {
  e->field = field;
  e->message = msg;
  return false;
}

// Reads an optional string (null = absent).
bool opt_string(ondemand::value& v, std::string_view* out, bool* present) {
  if (v.is_null()) return *present = false, true;
  if (v.get_string().get(*out) != SUCCESS) return false;
  *present = true;
  return true;
}

bool parse_party(ondemand::value& v, Party* p, bool payer, FieldError* e) {
  const char* fid = payer ? "payer.id" : "payee.id";
  const char* fco = payer ? "payer.country" : "payee.country";
  const char* fab = payer ? "payer.age_band" : "payee.age_band";
  const char* fad = payer ? "payer.account_age_days" : "payee.account_age_days";
  ondemand::object o;
  if (v.get_object().get(o) != SUCCESS) return fail(e, payer ? "payer" : "payee", "must be an object");
  bool have_id = false;
  for (auto f : o) {
    ondemand::field field;
    std::string_view key;
    if (std::move(f).get(field) != SUCCESS || field.unescaped_key().get(key) != SUCCESS)
      return fail(e, payer ? "payer" : "payee", "malformed JSON object");
    ondemand::value fv = field.value();
    std::string_view s;
    if (key == "id") {
      if (fv.get_string().get(s) != SUCCESS) return fail(e, fid, "must be a string");
      if (s.empty() || s.size() > 256) return fail(e, fid, "must be 1 to 256 characters");
      p->id = s;
      have_id = true;
    } else if (key == "country") {
      if (fv.is_null()) continue;
      if (fv.get_string().get(s) != SUCCESS || !parse_country(s, &p->country))
        return fail(e, fco, "must be an ISO 3166-1 alpha-2 code (two letters)");
    } else if (key == "age_band") {
      if (fv.is_null()) continue;
      if (fv.get_string().get(s) != SUCCESS || !parse_age_band(s, &p->age_band))
        return fail(e, fab, "must be minor, adult or unknown");
    } else if (key == "account_age_days") {
      if (fv.is_null()) continue;
      int64_t d;
      if (fv.get_int64().get(d) != SUCCESS || d < 0 || d > 1'000'000)
        return fail(e, fad, "must be an integer from 0 to 1000000");
      p->account_age_days = static_cast<int32_t>(d);
    }
  }
  if (!have_id) return fail(e, fid, "missing");
  return true;
}
}  // namespace

bool TxParser::parse(std::string_view line, Transaction* tx, FieldError* e) {
  has_err_id_ = false;
  std::string& buf = impl_->buf;
  buf.assign(line.data(), line.size());
  buf.append(SIMDJSON_PADDING, '\0');
  *tx = Transaction{};
  ondemand::document doc;
  ondemand::object obj;
  bool ok = [&] {
    size_t last = line.find_last_not_of(" \t\r");
    if (last == std::string_view::npos || line[last] != '}')
      return fail(e, "", "not a JSON object (or trailing content)");
    if (impl_->parser.iterate(buf.data(), line.size(), buf.size()).get(doc) != SUCCESS)
      return fail(e, "", "not valid JSON");
    if (doc.get_object().get(obj) != SUCCESS) return fail(e, "", "not a JSON object");
    enum : unsigned { kId = 1, kTime = 2, kAmount = 4, kCurrency = 8, kChannel = 16, kPayer = 32, kPayee = 64 };
    unsigned seen = 0;
    for (auto f : obj) {
      ondemand::field field;
      std::string_view key;
      if (std::move(f).get(field) != SUCCESS || field.unescaped_key().get(key) != SUCCESS)
        return fail(e, "", "malformed JSON object");
      ondemand::value v = field.value();
      std::string_view s;
      if (key == "id") {
        if (v.get_string().get(s) != SUCCESS) return fail(e, "id", "must be a string");
        if (s.empty() || s.size() > 256) return fail(e, "id", "must be 1 to 256 characters");
        tx->id = s;
        seen |= kId;
      } else if (key == "time") {
        if (v.get_string().get(s) != SUCCESS || !parse_rfc3339(s, &tx->time))
          return fail(e, "time", "must be an RFC 3339 time between 1970 and 2105");
        seen |= kTime;
      } else if (key == "amount") {
        ondemand::json_type t;
        if (v.type().get(t) != SUCCESS) return fail(e, "amount", "malformed JSON value");
        if (t == ondemand::json_type::string) {
          if (v.get_string().get(s) != SUCCESS) return fail(e, "amount", "malformed string");
        } else if (t == ondemand::json_type::number) {
          s = v.raw_json_token();
          while (!s.empty() && (s.back() == ' ' || s.back() == '\t' || s.back() == '\r' || s.back() == '\n'))
            s.remove_suffix(1);
        } else {
          return fail(e, "amount", "must be a decimal string");
        }
        Status st = parse_amount(s, &tx->amount);
        if (!st.ok()) {
          e->field = "amount";
          e->message = st.message();
          return false;
        }
        seen |= kAmount;
      } else if (key == "currency") {
        if (v.get_string().get(s) != SUCCESS || !parse_currency(s, &tx->currency))
          return fail(e, "currency", "must be an ISO 4217 code (three letters)");
        seen |= kCurrency;
      } else if (key == "channel") {
        if (v.get_string().get(s) != SUCCESS || !parse_channel(s, &tx->channel))
          return fail(e, "channel", "must be p2p, card, bank_transfer, remittance, crypto, gift_card or wallet");
        seen |= kChannel;
      } else if (key == "payer") {
        if (!parse_party(v, &tx->payer, true, e)) return false;
        seen |= kPayer;
      } else if (key == "payee") {
        if (!parse_party(v, &tx->payee, false, e)) return false;
        seen |= kPayee;
      } else if (key == "memo") {
        if (!opt_string(v, &tx->memo, &tx->has_memo)) return fail(e, "memo", "must be a string");
      } else if (key == "merchant_category") {
        if (!opt_string(v, &tx->merchant_category, &tx->has_merchant_category))
          return fail(e, "merchant_category", "must be a string");
      } else if (key == "wallet") {
        if (!opt_string(v, &tx->wallet, &tx->has_wallet)) return fail(e, "wallet", "must be a string");
      }
    }
    static const struct {
      unsigned bit;
      const char* name;
    } kRequired[] = {{kId, "id"},           {kTime, "time"},   {kAmount, "amount"}, {kCurrency, "currency"},
                     {kChannel, "channel"}, {kPayer, "payer"}, {kPayee, "payee"}};
    for (const auto& r : kRequired)
      if (!(seen & r.bit)) return fail(e, r.name, "missing");
    return true;
  }();
  if (ok) return true;
  // The id for the error decision: what was read, else a second look.
  if (!tx->id.empty()) {
    err_id_.assign(tx->id);
    has_err_id_ = true;
  } else if (e->field != "id") {
    ondemand::document d2;
    std::string_view s;
    if (impl_->parser.iterate(buf.data(), line.size(), buf.size()).get(d2) == SUCCESS &&
        d2.find_field_unordered("id").get_string().get(s) == SUCCESS) {
      err_id_.assign(s);
      has_err_id_ = true;
    }
  }
  return false;
}

}  // namespace chainbreak::payments
