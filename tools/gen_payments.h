// Shared types of chainbreak-gen-payments, the generator of synthetic
// labelled payment streams (docs/PAYMENT_STREAMS.md): the random source,
// the world of accounts, merchants and foreign parties, and the event
// record every pattern appends to. Everything is deterministic for a seed.
#pragma once

#include <cstddef>
#include <cstdint>
#include <initializer_list>
#include <vector>

namespace paygen {

// xoshiro256** seeded by splitmix64: portable, so a seed gives the same
// stream on every platform and standard library.
class Rng {
 public:
  explicit Rng(uint64_t seed);
  uint64_t next();
  uint64_t below(uint64_t n) { return n == 0 ? 0 : next() % n; }
  double unit() { return static_cast<double>(next() >> 11) * 0x1.0p-53; }
  bool chance(double p) { return unit() < p; }
  int64_t range(int64_t lo, int64_t hi) { return lo + static_cast<int64_t>(below(static_cast<uint64_t>(hi - lo + 1))); }
  double uniform(double lo, double hi) { return lo + (hi - lo) * unit(); }
  double log_uniform(double lo, double hi);
  // Index drawn with the given relative weights.
  size_t weighted(std::initializer_list<double> w);
  template <class T, size_t N>
  const T& pick(const T (&a)[N]) {
    return a[below(N)];
  }

 private:
  uint64_t s_[4];
};

uint64_t mix(uint64_t a, uint64_t b);  // stateless hash of two values

enum Channel : uint8_t { kP2p, kCard, kBankTransfer, kRemittance, kCrypto, kGiftCard, kWallet };
enum Kind : uint8_t { kBenign, kSextortion, kLivestreamBuyer, kMule };
enum Role : uint8_t { kNoRole, kInbound, kOnward };
enum Band : uint8_t { kMinor, kAdult, kUnknown };

// Patterns: the "pattern" field of the label. Keep in step with kPatternNames.
enum Pattern : uint8_t {
  // background (no episode)
  kCardPurchase,
  kBillPayment,
  kSalary,
  kP2pFriends,
  kSubscription,
  kWalletTopup,
  kGiftCardPurchase,
  kTeenPurchase,
  kAllowance,
  // harmful
  kSextortionMinor,
  kLivestreamPattern,
  kMuleInbound,
  kMuleOnward,
  // benign look-alikes (episodes)
  kFamilyRemittance,
  kTeenGaming,
  kTeenForeignSeller,
  kFreelancerInstalments,
  kBillSplit,
  kSmallBusiness,
  kNewLandlord,
  kCryptoInvestor,
  kPatternCount
};
extern const char* const kPatternNames[kPatternCount];
extern const char* const kEpisodePrefix[kPatternCount];  // episode ids: "sx-000012"
extern const char* const kChannelNames[7];
extern const char* const kKindNames[4];
extern const char* const kBandNames[3];

// Countries: the four home countries of the provider's customers first.
struct Country {
  const char* code;
  int utc_offset_hours;  // fixed offset used for local hours (no DST)
  const char* currency;  // currency of payments made by its customers
};
extern const Country kCountries[];
extern const int kCountryCount;
constexpr int kHomeCountries = 4;
int country_index(const char* code);  // -1 when absent

// Party ids: customers are 0..accounts-1; the two top bits mark the others.
constexpr uint32_t kExternalBit = 1u << 30;  // foreign or outside persons, id "x…"
constexpr uint32_t kMerchantBit = 2u << 30;  // merchants and billers, id "m…"
constexpr uint32_t kIndexMask = (1u << 30) - 1;

struct Event {
  int64_t t = 0;       // seconds since the stream start (2026-03-01T00:00:00Z)
  uint64_t order = 0;  // creation order: breaks ties in time deterministically
  uint32_t payer = 0, payee = 0;
  int64_t cents = 0;
  uint64_t wallet = 0;  // 0: no "wallet" field; else the seed of the address
  const char* memo = nullptr;
  uint32_t episode = 0;  // 0: background, "episode": null
  uint16_t seq = 0;
  uint8_t channel = kCard, kind = kBenign, pattern = kCardPurchase, role = kNoRole;
};

struct Party {
  uint8_t country = 0;
  uint8_t band = kAdult;
  uint16_t age_days = 365;  // account age at the stream start
  uint16_t mcc = 0;         // merchants only
};

struct Options {
  uint64_t seed = 1;
  uint32_t accounts = 100000;
  int days = 30;
  uint32_t episodes = 1000;  // per harmful typology; look-alikes scale from it
  double scale_benign = 1.0;
};

// The population and the events of all episodes (harmful and look-alike).
class World {
 public:
  explicit World(const Options& o);
  const Options& opt;
  Rng rng;
  std::vector<Party> externals, merchants;
  std::vector<Event> episodes_events;

  // Customer attributes, derived from the seed and the index.
  int cust_country(uint32_t i) const;
  Band cust_band(uint32_t i) const;
  int cust_age_days(uint32_t i) const;
  const Party& party(uint32_t id) const {
    return id & kMerchantBit ? merchants[id & kIndexMask] : externals[id & kIndexMask];
  }
  int country_of(uint32_t id) const { return id < kExternalBit ? cust_country(id) : party(id).country; }

  // A customer with the band not yet used by an episode (marks it used),
  // optionally with an account at most max_age_days old; -1 when none is
  // found after many tries.
  int64_t take_customer(Band band, int max_age_days = -1);
  // A friend of i: a nearby index, usually in the same country.
  uint32_t friend_of(uint32_t i, uint64_t salt) const;
  uint32_t add_external(int country, Band band, int age_days);
  // A merchant of the pool for (country, category group), see kMerchantGroups.
  uint32_t merchant(int country, int group, uint64_t r) const;
  uint32_t foreign_merchant(int group, uint64_t r) const;
  uint32_t new_episode() { return ++episode_count_; }
  // Appends an event at local hour time (day, hour in the payer's country).
  Event& add(int64_t t, uint32_t payer, uint32_t payee, int64_t cents, Channel ch, Kind kind, Pattern p);
  int64_t local_to_t(int day, double local_hour, int country) const;
  uint64_t next_order() { return order_++; }

 private:
  std::vector<uint8_t> used_;
  std::vector<uint32_t> pool_start_;  // per (country, group): first merchant
  std::vector<uint32_t> pool_size_;
  uint32_t episode_count_ = 0;
  uint64_t order_ = 0;
};

// Merchant category groups (kMerchantGroups in gen_payments_world.cc).
enum MerchantGroup { kRetail, kBiller, kGames, kStreaming, kExchange, kGiftShop, kWalletProvider, kGroupCount };

// Amount helpers: a round amount from a list, or a free amount in cents.
int64_t cents_of(double units);
int64_t round_amount(Rng& r, std::initializer_list<int> units);

// The pattern families (each in its own file).
void add_harmful(World& w);
void add_lookalikes(World& w);
// Background traffic of one day, appended to out (not sorted).
void add_background(const World& w, int day, std::vector<Event>& out);

}  // namespace paygen
