// Background traffic of chainbreak-gen-payments: everyday payments of all
// customers (card purchases, bills, salaries, subscriptions, P2P between
// friends, wallet top-ups, gift cards, allowances, teenagers' purchases).
// Generated one UTC day at a time from a random source of its own, so the
// stream never has to be held in memory.
#include "gen_payments.h"

namespace paygen {

namespace {

// Relative activity by local hour: quiet at night, but never zero.
const double kHourWeight[24] = {0.15, 0.08, 0.05, 0.04, 0.04, 0.08, 0.25, 0.5,  0.8, 0.9, 1.0, 1.0,
                                1.0,  0.95, 0.9,  0.9,  0.95, 1.0,  1.0,  0.95, 0.8, 0.6, 0.4, 0.25};
const char* const kFriendMemos[] = {"dinner", "thanks!",     "gas money",       "🍕",     "movie", "coffee",
                                    "lunch",  "concert tix", "happy birthday!", "beers", "taxi",  "groceries"};
const double kInApp[] = {0.99, 1.99, 2.99, 4.99, 9.99, 19.99};
const double kSubscriptions[] = {4.99, 7.99, 9.99, 12.99, 15.49, 19.99};

// A UTC second of the day whose local hour follows kHourWeight.
int64_t draw_time(Rng& r, int day, int country) {
  for (;;) {
    const int64_t s = static_cast<int64_t>(r.below(86400));
    const int local = static_cast<int>(((s / 3600 + kCountries[country].utc_offset_hours) % 24 + 24) % 24);
    if (r.unit() < kHourWeight[local]) return static_cast<int64_t>(day) * 86400 + s;
  }
}

}  // namespace

void add_background(const World& w, int day, std::vector<Event>& out) {
  Rng r(mix(w.opt.seed, 0xb000u + static_cast<uint64_t>(day)));
  const bool weekend = day % 7 == 0 || day % 7 == 6;  // day 0, 2026-03-01, is a Sunday
  const double per_account = 0.2 * w.opt.scale_benign * (weekend ? 0.9 : 1.0);
  const uint64_t n = static_cast<uint64_t>(w.opt.accounts * per_account);
  out.reserve(out.size() + n);
  for (uint64_t i = 0; i < n; ++i) {
    const uint32_t a = static_cast<uint32_t>(r.below(w.opt.accounts));
    const int c = w.cust_country(a);
    Event e;
    e.t = draw_time(r, day, c);
    e.order = i;
    e.payer = a;
    e.kind = kBenign;
    if (w.cust_band(a) == kMinor) {
      switch (r.weighted({45, 30, 25})) {
        case 0:
          e.pattern = kTeenPurchase;
          e.payee = r.chance(0.7) ? w.merchant(c, kGames, mix(a, r.below(3))) : w.foreign_merchant(kGames, mix(a, 9));
          e.channel = r.chance(0.8) ? kCard : kGiftCard;
          e.cents = e.channel == kCard ? cents_of(r.pick(kInApp)) : round_amount(r, {10, 15, 25, 50});
          break;
        case 1:
          e.pattern = kP2pFriends;
          e.payee = w.friend_of(a, r.below(8));
          e.channel = kP2p;
          e.cents = r.chance(0.7) ? round_amount(r, {5, 10, 10, 15, 20}) : cents_of(r.log_uniform(2, 40));
          if (r.chance(0.3)) e.memo = r.pick(kFriendMemos);
          break;
        default:
          e.pattern = kCardPurchase;
          e.payee = w.merchant(c, kRetail, r.next());
          e.channel = kCard;
          e.cents = cents_of(r.log_uniform(2, 40));
      }
    } else {
      switch (r.weighted({55, 11, 9, 6, 6, 4, 2, 2})) {
        case 0:
          e.pattern = kCardPurchase;
          e.payee = r.chance(0.92) ? w.merchant(c, kRetail, r.next()) : w.foreign_merchant(kRetail, r.next());
          e.channel = kCard;
          e.cents = cents_of(r.log_uniform(2, 300));
          break;
        case 1:
          e.pattern = kP2pFriends;
          e.payee = w.friend_of(a, r.below(8));
          e.channel = kP2p;
          e.cents = r.chance(0.55) ? round_amount(r, {5, 10, 15, 20, 25, 30, 40, 50, 60, 80, 100, 150, 200})
                                   : cents_of(r.log_uniform(3, 150));
          if (r.chance(0.35)) e.memo = r.pick(kFriendMemos);
          break;
        case 2:
          e.pattern = kBillPayment;
          e.payee = w.merchant(c, kBiller, mix(a, r.below(3)));
          e.channel = kBankTransfer;
          e.cents = cents_of(r.uniform(30, 250));
          break;
        case 3:  // inbound: the employer pays the customer
          e.pattern = kSalary;
          e.payer = w.merchant(c, kRetail, mix(a, 77));
          e.payee = a;
          e.channel = kBankTransfer;
          e.cents = cents_of(r.uniform(1200, 5000));
          break;
        case 4:
          e.pattern = kSubscription;
          e.payee = w.merchant(c, kStreaming, mix(a, r.below(2)));
          e.channel = kCard;
          e.cents = cents_of(r.pick(kSubscriptions));
          break;
        case 5:
          e.pattern = kWalletTopup;
          e.payee = w.merchant(c, kWalletProvider, mix(a, 5));
          e.channel = kWallet;
          e.cents = round_amount(r, {20, 50, 100, 200});
          break;
        case 6:
          e.pattern = kGiftCardPurchase;
          e.payee = w.merchant(c, kGiftShop, r.next());
          e.channel = kGiftCard;
          e.cents = round_amount(r, {25, 50, 100});
          break;
        default:  // a parent's allowance, P2P to a child nearby (or to a friend)
          e.pattern = kAllowance;
          e.payee = w.friend_of(a, 99);
          e.channel = kP2p;
          e.cents = round_amount(r, {10, 20, 25, 50});
          if (r.chance(0.3)) e.memo = "allowance";
      }
    }
    out.push_back(e);
  }
}

}  // namespace paygen
