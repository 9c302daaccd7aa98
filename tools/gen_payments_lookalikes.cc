// Benign look-alikes of chainbreak-gen-payments: legitimate behaviour that
// shares single indicators with the harmful typologies (docs/PAYMENT_STREAMS.md
// lists which). A screener must leave these alone while it stops the others.
#include <algorithm>
#include <vector>

#include "gen_payments.h"

namespace paygen {

namespace {

int pick_country(Rng& r, std::initializer_list<const char*> codes, std::initializer_list<double> weights) {
  return country_index(codes.begin()[r.weighted(weights)]);
}

Event& episode_event(World& w, uint32_t ep, int& seq, int64_t t, uint32_t payer, uint32_t payee, int64_t cents,
                     Channel ch, Pattern p) {
  Event& e = w.add(t, payer, payee, cents, ch, kBenign, p);
  e.episode = ep;
  e.seq = static_cast<uint16_t>(++seq);
  return e;
}

double day_hour(Rng& r, double p_evening) { return r.chance(p_evening) ? r.uniform(21, 23.5) : r.uniform(8, 21); }

void family_remittance(World& w) {
  Rng& r = w.rng;
  static const char* const memos[] = {"family support", "for mom",     "para mamá", "para la familia", "allowance",
                                      "tuition",        "school fees", "birthday",  "padala",          "groceries"};
  uint32_t last_payee = 0;
  for (uint32_t k = 0; k < 2 * w.opt.episodes; ++k) {
    const int64_t sender = w.take_customer(kAdult);
    if (sender < 0) break;
    const int sc = w.cust_country(static_cast<uint32_t>(sender));
    const uint32_t ep = w.new_episode();
    // 20%: a sibling already sends to the same relative.
    const uint32_t payee = last_payee && r.chance(0.2)
                               ? last_payee
                               : w.add_external(pick_country(r, {"PH", "MX", "IN", "TH", "CO", "DO", "NG", "VN", "GH"},
                                                             {35, 15, 10, 8, 8, 6, 8, 5, 5}),
                                                kAdult, static_cast<int>(r.range(100, 4000)));
    last_payee = payee;
    const bool small = r.chance(0.2);
    const int cadence = small ? 7 : std::initializer_list<int>{7, 14, 30}.begin()[r.weighted({30, 40, 30})];
    const double base = small ? r.uniform(20, 100) : r.uniform(80, 600);
    const bool round = r.chance(0.3);
    const bool memo = r.chance(0.5);
    const Channel ch =
        std::initializer_list<Channel>{kRemittance, kBankTransfer, kP2p}.begin()[r.weighted({80, 10, 10})];
    int seq = 0;
    for (int day = static_cast<int>(r.below(static_cast<uint64_t>(cadence))); day < w.opt.days;
         day += cadence + static_cast<int>(r.range(-1, 1))) {
      int64_t cents = cents_of(base * r.uniform(0.9, 1.1));
      if (round) cents = std::max<int64_t>(1, (cents + 2500) / 5000) * 5000;
      Event& e = episode_event(w, ep, seq, w.local_to_t(day, day_hour(r, 0.1), sc), static_cast<uint32_t>(sender),
                               payee, cents, ch, kFamilyRemittance);
      if (memo) e.memo = r.pick(memos);
    }
  }
}

void teen_gaming(World& w) {
  Rng& r = w.rng;
  static const double in_app[] = {0.99, 1.99, 2.99, 4.99, 9.99, 14.99, 19.99};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const int64_t teen = w.take_customer(kMinor);
    if (teen < 0) break;
    const int tc = w.cust_country(static_cast<uint32_t>(teen));
    const uint32_t ep = w.new_episode();
    int seq = 0;
    const int sessions = static_cast<int>(r.range(1, 5));
    std::vector<int> days;
    for (int s = 0; s < sessions; ++s) days.push_back(static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days))));
    std::sort(days.begin(), days.end());
    for (int day : days) {
      int64_t t = w.local_to_t(day, r.chance(0.3) ? r.uniform(22, 25) : r.uniform(15, 22), tc);
      const uint32_t shop = r.chance(0.6) ? w.merchant(tc, kGames, r.next()) : w.foreign_merchant(kGames, r.next());
      const int n = static_cast<int>(r.range(1, 6));
      for (int i = 0; i < n; ++i) {
        if (r.chance(0.7)) {
          episode_event(w, ep, seq, t, static_cast<uint32_t>(teen), shop, cents_of(r.pick(in_app)), kCard, kTeenGaming);
        } else {
          const uint32_t seller = r.chance(0.5) ? shop : w.merchant(tc, kGiftShop, r.next());
          episode_event(w, ep, seq, t, static_cast<uint32_t>(teen), seller, round_amount(r, {10, 15, 25, 50}),
                        kGiftCard, kTeenGaming);
        }
        t += static_cast<int64_t>(60 * r.log_uniform(2, 60));
      }
    }
  }
}

void teen_foreign_seller(World& w) {
  Rng& r = w.rng;
  static const char* const memos[] = {"sneakers", "skin",  "game account", "commission", "shipping incl",
                                      "jersey",   "cards", "figure",       "vintage tee"};
  static const Channel chans[] = {kP2p, kWallet, kGiftCard};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const int64_t teen = w.take_customer(kMinor);
    if (teen < 0) break;
    const int tc = w.cust_country(static_cast<uint32_t>(teen));
    const uint32_t ep = w.new_episode();
    const uint32_t seller =
        w.add_external(pick_country(r, {"CN", "GB", "US", "JP", "KR", "PH", "ID", "NG", "DE", "BR"},
                                    {20, 15, 10, 8, 8, 12, 7, 5, 8, 7}),
                       r.chance(0.5) ? kAdult : kUnknown, static_cast<int>(r.log_uniform(10, 3000)));
    const Channel ch = chans[r.weighted({50, 35, 15})];
    const int day = static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days)));
    int64_t t = w.local_to_t(day, r.chance(0.25) ? r.uniform(22, 25) : r.uniform(10, 22), tc);
    int seq = 0;
    const int64_t cents =
        r.chance(0.5) ? round_amount(r, {15, 20, 25, 30, 40, 50, 60, 80}) : cents_of(r.uniform(12, 90));
    Event& e = episode_event(w, ep, seq, t, static_cast<uint32_t>(teen), seller, cents, ch, kTeenForeignSeller);
    if (r.chance(0.6)) e.memo = r.pick(memos);
    if (r.chance(0.1)) {  // shipping paid separately, in the daytime
      t = w.local_to_t(day + 1, r.uniform(9, 20), tc);
      episode_event(w, ep, seq, t, static_cast<uint32_t>(teen), seller, cents_of(r.uniform(3, 15)), ch,
                    kTeenForeignSeller)
          .memo = "shipping";
    }
  }
}

void freelancer_instalments(World& w) {
  Rng& r = w.rng;
  static const char* const memos[] = {"invoice 1042",  "milestone 2", "logo design", "deposit",
                                      "final payment", "web dev",     "translation", "video edit"};
  static const Channel chans[] = {kBankTransfer, kRemittance, kP2p, kWallet};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const int64_t client = w.take_customer(kAdult);
    if (client < 0) break;
    const int cc = w.cust_country(static_cast<uint32_t>(client));
    const uint32_t ep = w.new_episode();
    const uint32_t worker = w.add_external(
        pick_country(r, {"IN", "PH", "PK", "UA", "NG", "BR", "BD", "KE", "EG"}, {25, 20, 10, 10, 8, 8, 7, 5, 7}),
        kAdult, static_cast<int>(r.log_uniform(30, 3000)));
    const Channel ch = chans[r.weighted({40, 30, 20, 10})];
    const int n = static_cast<int>(r.range(2, 5));
    const bool round = r.chance(0.7);
    const bool memo = r.chance(0.7);
    int day = static_cast<int>(r.below(static_cast<uint64_t>(std::max(1, w.opt.days - 10))));
    int seq = 0;
    for (int i = 0; i < n; ++i) {
      int64_t cents = cents_of(r.uniform(100, 1500));
      if (round) cents = std::max<int64_t>(1, cents / 5000) * 5000;
      Event& e = episode_event(w, ep, seq, w.local_to_t(day, day_hour(r, 0.15), cc), static_cast<uint32_t>(client),
                               worker, cents, ch, kFreelancerInstalments);
      if (memo) e.memo = r.pick(memos);
      day += static_cast<int>(r.range(2, 14));
    }
  }
}

void bill_split(World& w) {
  Rng& r = w.rng;
  static const char* const memos[] = {"pizza",     "dinner", "uber",    "tickets",    "drinks",
                                      "groceries", "🍕",      "concert", "rent share", "gas"};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const int64_t organiser = w.take_customer(kAdult);
    if (organiser < 0) break;
    const uint32_t ep = w.new_episode();
    const int oc = w.cust_country(static_cast<uint32_t>(organiser));
    std::vector<uint32_t> members;
    const int nm = static_cast<int>(r.range(2, 5));
    for (int m = 0; m < nm; ++m) members.push_back(w.friend_of(static_cast<uint32_t>(organiser), mix(ep, m)));
    int seq = 0;
    std::vector<int64_t> when;
    const int occasions = static_cast<int>(r.range(2, 5));
    for (int o = 0; o < occasions; ++o) {
      const int day = static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days)));
      const int64_t t0 = w.local_to_t(day, r.chance(0.85) ? r.uniform(18, 24) : r.uniform(24, 26), oc);
      when.push_back(t0);
    }
    std::sort(when.begin(), when.end());
    for (int64_t t0 : when) {
      const char* memo = r.chance(0.7) ? r.pick(memos) : nullptr;
      const bool round = r.chance(0.8);
      const int64_t share = round ? round_amount(r, {10, 15, 20, 25, 30, 40, 50, 60}) : cents_of(r.uniform(8, 60));
      int64_t t = t0;
      for (uint32_t m : members) {
        if (r.chance(0.15)) continue;  // someone paid in cash
        t += static_cast<int64_t>(60 * r.log_uniform(1, 60));
        episode_event(w, ep, seq, t, m, static_cast<uint32_t>(organiser), share, kP2p, kBillSplit).memo = memo;
      }
    }
  }
}

void small_business(World& w) {
  Rng& r = w.rng;
  static const int mccs[] = {5812, 5814, 7230, 5499, 7299, 5942, 5699};
  static const Channel chans[] = {kP2p, kCard, kWallet};
  for (uint32_t k = 0; k < std::max<uint32_t>(1, w.opt.episodes / 4); ++k) {
    const bool foreign = r.chance(0.15);  // online sellers in the corridors of concern
    Party p;
    p.country = static_cast<uint8_t>(foreign ? pick_country(r, {"PH", "TH", "MX"}, {60, 25, 15})
                                             : static_cast<int>(r.below(kHomeCountries)));
    p.band = kUnknown;
    p.age_days = static_cast<uint16_t>(r.range(90, 4000));
    p.mcc = static_cast<uint16_t>(r.pick(mccs));
    w.merchants.push_back(p);
    const uint32_t shop = kMerchantBit | static_cast<uint32_t>(w.merchants.size() - 1);
    const uint32_t ep = w.new_episode();
    const int n = static_cast<int>(r.range(20, 200));
    std::vector<int64_t> when;
    for (int i = 0; i < n; ++i) {
      const int day = static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days)));
      when.push_back(w.local_to_t(day, r.chance(0.15) ? r.uniform(22, 26) : r.uniform(8, 22), p.country));
    }
    std::sort(when.begin(), when.end());
    int seq = 0;
    const uint32_t base = static_cast<uint32_t>(r.below(w.opt.accounts));
    for (int64_t t : when) {
      // Regulars live nearby (same country block); foreign shops get anyone.
      uint32_t payer = foreign ? static_cast<uint32_t>(r.below(w.opt.accounts))
                               : static_cast<uint32_t>((base + r.below(5000)) % w.opt.accounts);
      const int64_t cents =
          r.chance(0.4) ? round_amount(r, {5, 10, 15, 20, 25, 30, 40, 50}) : cents_of(r.uniform(5, 80));
      episode_event(w, ep, seq, t, payer, shop, cents, chans[r.weighted({40, 40, 20})], kSmallBusiness);
    }
  }
}

void new_landlord(World& w) {
  Rng& r = w.rng;
  static const char* const memos[] = {"rent", "deposit", "rent march", "bond", "rent + deposit"};
  for (uint32_t k = 0; k < std::max<uint32_t>(1, w.opt.episodes / 2); ++k) {
    const int64_t tenant = w.take_customer(kAdult);
    if (tenant < 0) break;
    const int tc = w.cust_country(static_cast<uint32_t>(tenant));
    const uint32_t ep = w.new_episode();
    const uint32_t landlord = w.add_external(tc, kAdult, static_cast<int>(r.range(200, 6000)));
    const Channel ch = r.chance(0.8) ? kBankTransfer : kP2p;
    const int64_t rent = 5000 * r.range(16, 60);
    int seq = 0;
    int day = static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days)));
    Event& first = episode_event(w, ep, seq, w.local_to_t(day, day_hour(r, 0.1), tc), static_cast<uint32_t>(tenant),
                                 landlord, rent + 10000 * r.range(5, 30), ch, kNewLandlord);
    if (r.chance(0.6)) first.memo = r.pick(memos);
    for (day += 30; day < w.opt.days; day += 30)
      episode_event(w, ep, seq, w.local_to_t(day, day_hour(r, 0.1), tc), static_cast<uint32_t>(tenant), landlord, rent,
                    ch, kNewLandlord)
          .memo = r.chance(0.6) ? "rent" : nullptr;
  }
}

void crypto_investor(World& w) {
  Rng& r = w.rng;
  for (uint32_t k = 0; k < std::max<uint32_t>(1, w.opt.episodes / 2); ++k) {
    const int64_t investor = w.take_customer(kAdult);
    if (investor < 0) break;
    const int ic = w.cust_country(static_cast<uint32_t>(investor));
    const uint32_t ep = w.new_episode();
    const uint32_t exchange = w.merchant(ic, kExchange, r.next());
    const uint32_t own = w.add_external(ic, kUnknown, static_cast<int>(r.range(30, 2000)));  // their unhosted wallet
    const uint64_t wallet = mix(ep, own);
    const int buys = static_cast<int>(r.range(1, 4));
    std::vector<int> days;
    for (int b = 0; b < buys; ++b) days.push_back(static_cast<int>(r.below(static_cast<uint64_t>(w.opt.days))));
    std::sort(days.begin(), days.end());
    int seq = 0;
    int64_t last = -1;
    for (int day : days) {
      int64_t t = std::max(last + 60, w.local_to_t(day, day_hour(r, 0.3), ic));
      const int64_t cents = round_amount(r, {100, 200, 250, 500, 1000, 2000});
      episode_event(w, ep, seq, t, static_cast<uint32_t>(investor), exchange, cents,
                    r.chance(0.6) ? kCard : kBankTransfer, kCryptoInvestor);
      if (r.chance(0.6)) {  // withdraw to self-custody
        t += static_cast<int64_t>(60 * r.log_uniform(10, 120));
        episode_event(w, ep, seq, t, static_cast<uint32_t>(investor), own,
                      static_cast<int64_t>(static_cast<double>(cents) * r.uniform(0.95, 0.99)), kCrypto,
                      kCryptoInvestor)
            .wallet = wallet;
      }
      last = t;
    }
  }
}

}  // namespace

void add_lookalikes(World& w) {
  family_remittance(w);
  teen_gaming(w);
  teen_foreign_seller(w);
  freelancer_instalments(w);
  bill_split(w);
  small_business(w);
  new_landlord(w);
  crypto_investor(w);
}

}  // namespace paygen
