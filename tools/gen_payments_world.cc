// The world of chainbreak-gen-payments: random source, name tables,
// customers (derived from the seed and their index), merchant pools and
// foreign parties. See docs/PAYMENT_STREAMS.md.
#include <cmath>
#include <cstring>

#include "gen_payments.h"

namespace paygen {

namespace {
uint64_t splitmix(uint64_t& x) {
  uint64_t z = (x += 0x9e3779b97f4a7c15ULL);
  z = (z ^ (z >> 30)) * 0xbf58476d1ce4e5b9ULL;
  z = (z ^ (z >> 27)) * 0x94d049bb133111ebULL;
  return z ^ (z >> 31);
}
uint64_t rotl(uint64_t x, int k) { return (x << k) | (x >> (64 - k)); }
}  // namespace

Rng::Rng(uint64_t seed) {
  for (auto& v : s_) v = splitmix(seed);
}

uint64_t Rng::next() {
  const uint64_t result = rotl(s_[1] * 5, 7) * 9;
  const uint64_t t = s_[1] << 17;
  s_[2] ^= s_[0];
  s_[3] ^= s_[1];
  s_[1] ^= s_[2];
  s_[0] ^= s_[3];
  s_[2] ^= t;
  s_[3] = rotl(s_[3], 45);
  return result;
}

double Rng::log_uniform(double lo, double hi) { return std::exp(uniform(std::log(lo), std::log(hi))); }

size_t Rng::weighted(std::initializer_list<double> w) {
  double total = 0;
  for (double v : w) total += v;
  double x = unit() * total;
  size_t i = 0;
  for (double v : w) {
    if (x < v) return i;
    x -= v;
    ++i;
  }
  return w.size() - 1;
}

uint64_t mix(uint64_t a, uint64_t b) {
  uint64_t x = a ^ (b * 0x9e3779b97f4a7c15ULL);
  return splitmix(x);
}

const char* const kPatternNames[kPatternCount] = {
    "card_purchase",       "bill_payment",           "salary",        "p2p_friends",       "subscription",
    "wallet_topup",        "gift_card_purchase",     "teen_purchase", "allowance",         "sextortion_minor",
    "livestream_buyer",    "mule_inbound",           "mule_onward",   "family_remittance", "teen_gaming",
    "teen_foreign_seller", "freelancer_instalments", "bill_split",    "small_business",    "new_landlord",
    "crypto_investor"};
const char* const kEpisodePrefix[kPatternCount] = {"",   "",   "",   "",   "",   "",   "",   "",   "",   "sx", "ls",
                                                   "mu", "mu", "fr", "tg", "ts", "fl", "bs", "sb", "ll", "ci"};
const char* const kChannelNames[7] = {"p2p", "card", "bank_transfer", "remittance", "crypto", "gift_card", "wallet"};
const char* const kKindNames[4] = {"benign", "sextortion", "livestream_buyer", "mule"};
const char* const kBandNames[3] = {"minor", "adult", "unknown"};

const Country kCountries[] = {
    {"US", -5, "USD"}, {"CA", -5, "CAD"}, {"GB", 0, "GBP"},  {"AU", 10, "AUD"}, {"NG", 1, "NGN"}, {"CI", 0, "XOF"},
    {"PH", 8, "PHP"},  {"GH", 0, "GHS"},  {"KE", 3, "KES"},  {"IN", 5, "INR"},  {"CM", 1, "XAF"}, {"TH", 7, "THB"},
    {"DO", -4, "DOP"}, {"CO", -5, "COP"}, {"MX", -6, "MXN"}, {"KH", 7, "KHR"},  {"VN", 7, "VND"}, {"ID", 7, "IDR"},
    {"PK", 5, "PKR"},  {"UA", 2, "UAH"},  {"BR", -3, "BRL"}, {"BD", 6, "BDT"},  {"EG", 2, "EGP"}, {"CN", 8, "CNY"},
    {"JP", 9, "JPY"},  {"KR", 9, "KRW"},  {"DE", 1, "EUR"},  {"IE", 0, "EUR"},  {"SE", 1, "SEK"}, {"FR", 1, "EUR"},
    {"ES", 1, "EUR"},  {"PL", 1, "PLN"},  {"NL", 1, "EUR"},  {"RO", 2, "RON"},  {"ZA", 2, "ZAR"}, {"NZ", 12, "NZD"},
};
const int kCountryCount = sizeof(kCountries) / sizeof(kCountries[0]);

int country_index(const char* code) {
  for (int i = 0; i < kCountryCount; ++i)
    if (std::strcmp(kCountries[i].code, code) == 0) return i;
  return -1;
}

namespace {
// Merchant pools per home country and group: size and categories (MCC).
struct GroupSpec {
  uint32_t per_country;
  std::initializer_list<int> mcc;
};
const GroupSpec kGroups[kGroupCount] = {
    {4000, {5411, 5812, 5814, 5541, 5311, 5691, 5912, 5999, 4121, 5732}},  // retail
    {120, {4900, 4814, 6300, 4899}},                                       // billers
    {40, {5816, 5815, 5818}},                                              // games, in-app
    {20, {4899, 5815}},                                                    // streaming, subscriptions
    {8, {6051}},                                                           // crypto exchanges
    {30, {5947, 5311}},                                                    // gift-card sellers
    {10, {6540}},                                                          // wallet top-up
};
// Foreign merchants: the countries online shops and game stores sit in.
const char* const kForeignShops[] = {"IE", "SE", "JP", "KR", "CN", "DE", "NL", "FR", "US", "GB"};
constexpr uint32_t kForeignPerGroup = 300;

// Customer home country by block of indices: 55% US, 15% CA, 15% GB, 15% AU.
const double kHomeShare[kHomeCountries] = {0.55, 0.15, 0.15, 0.15};
}  // namespace

World::World(const Options& o) : opt(o), rng(mix(o.seed, 0x5eed)), used_(o.accounts, 0) {
  Rng r(mix(o.seed, 0x3e7c));
  // Home pools first, then one foreign pool per group.
  for (int c = 0; c <= kHomeCountries; ++c) {
    for (int g = 0; g < kGroupCount; ++g) {
      pool_start_.push_back(static_cast<uint32_t>(merchants.size()));
      const uint32_t n = c < kHomeCountries ? kGroups[g].per_country : kForeignPerGroup;
      pool_size_.push_back(n);
      for (uint32_t k = 0; k < n; ++k) {
        Party m;
        m.country = static_cast<uint8_t>(c < kHomeCountries ? c : country_index(r.pick(kForeignShops)));
        m.band = kUnknown;
        m.age_days = static_cast<uint16_t>(r.range(200, 6000));
        const auto& l = kGroups[g].mcc;
        m.mcc = static_cast<uint16_t>(l.begin()[r.below(l.size())]);
        merchants.push_back(m);
      }
    }
  }
}

int World::cust_country(uint32_t i) const {
  double f = (i + 0.5) / opt.accounts, acc = 0;
  for (int c = 0; c < kHomeCountries; ++c) {
    acc += kHomeShare[c];
    if (f < acc) return c;
  }
  return kHomeCountries - 1;
}

Band World::cust_band(uint32_t i) const {
  const uint64_t h = mix(opt.seed, i) % 1000;
  return h < 80 ? kMinor : h < 120 ? kUnknown : kAdult;  // 8% minors, 4% unknown
}

int World::cust_age_days(uint32_t i) const {
  const uint64_t h = mix(opt.seed ^ 0xa9e, i);
  if (cust_band(i) == kMinor) return 30 + static_cast<int>(h % 1500);
  if (h % 100 < 5) return static_cast<int>(h % 60);  // 5% recently opened
  return 60 + static_cast<int>((h >> 8) % 5000);
}

int64_t World::take_customer(Band band, int max_age_days) {
  for (int tries = 0; tries < 100000; ++tries) {
    const uint32_t i = static_cast<uint32_t>(rng.below(opt.accounts));
    if (used_[i] || cust_band(i) != band) continue;
    if (max_age_days >= 0 && cust_age_days(i) > max_age_days) continue;
    used_[i] = 1;
    return i;
  }
  return -1;
}

uint32_t World::friend_of(uint32_t i, uint64_t salt) const {
  const uint64_t h = mix(i, salt);
  const int64_t off = 1 + static_cast<int64_t>(h % 30);
  int64_t j = (h & 1u << 20) ? i + off : static_cast<int64_t>(i) - off;
  if (j < 0) j = i + off;
  if (j >= static_cast<int64_t>(opt.accounts)) j = static_cast<int64_t>(i) - off;
  if (j < 0) j = (i + 1) % opt.accounts;
  return static_cast<uint32_t>(j);
}

uint32_t World::add_external(int country, Band band, int age_days) {
  Party p;
  p.country = static_cast<uint8_t>(country);
  p.band = band;
  p.age_days = static_cast<uint16_t>(age_days < 0 ? 0 : age_days);
  externals.push_back(p);
  return kExternalBit | static_cast<uint32_t>(externals.size() - 1);
}

uint32_t World::merchant(int country, int group, uint64_t r) const {
  const size_t pool = static_cast<size_t>(country) * kGroupCount + static_cast<size_t>(group);
  return kMerchantBit | (pool_start_[pool] + static_cast<uint32_t>(r % pool_size_[pool]));
}

uint32_t World::foreign_merchant(int group, uint64_t r) const { return merchant(kHomeCountries, group, r); }

int64_t World::local_to_t(int day, double local_hour, int country) const {
  int64_t t = static_cast<int64_t>(day) * 86400 +
              static_cast<int64_t>((local_hour - kCountries[country].utc_offset_hours) * 3600.0);
  if (t < 0) t += 86400;
  return t;
}

Event& World::add(int64_t t, uint32_t payer, uint32_t payee, int64_t cents, Channel ch, Kind kind, Pattern p) {
  Event e;
  e.t = t;
  e.order = order_++;
  e.payer = payer;
  e.payee = payee;
  e.cents = cents < 1 ? 1 : cents;
  e.channel = ch;
  e.kind = kind;
  e.pattern = p;
  episodes_events.push_back(e);
  return episodes_events.back();
}

int64_t cents_of(double units) { return static_cast<int64_t>(std::llround(units * 100.0)); }

int64_t round_amount(Rng& r, std::initializer_list<int> units) {
  return static_cast<int64_t>(units.begin()[r.below(units.size())]) * 100;
}

}  // namespace paygen
