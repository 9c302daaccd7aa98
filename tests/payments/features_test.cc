// Every rolling feature of the engine against a brute-force oracle that
// recomputes it from the full history of the stream.
#include "payments/features.h"

#include <gtest/gtest.h>

#include <map>
#include <random>
#include <set>

#include "pay_test_support.h"
#include "payments/transaction.h"

namespace chainbreak::payments {
namespace {

// One always-true probe rule per feature, so that each decision reports
// every feature value.
std::string probe_rules(std::vector<F>* order) {
  std::string s = R"(version: 1
settings: {utc_offsets: {PH: 8, US: -5}, mule_min_payers: 2, mule_window_s: 7200, round_unit: "5"}
typologies:
  - {id: probe, alert: 1000000, hold: 1000000, block: 1000000}
rules:
)";
  for (int i = 0; i < kFeatureCount; ++i) {
    F f = static_cast<F>(i);
    const FeatureInfo& fi = feature_info(f);
    const char* tail;
    if (fi.kind == Kind::kMoney)
      tail = ", op: ne, value: \"99999999999\"}";
    else if (fi.kind == Kind::kInt)
      tail = ", op: ne, value: -123456789}";
    else if (fi.kind == Kind::kBool)
      tail = ", op: in, value: [true, false]}";
    else
      continue;
    std::string cond = "{feature: ";
    cond.append(fi.name).append(tail);
    if (fi.group == Group::kBankPayee || fi.group == Group::kBankWallet) continue;
    order->push_back(f);
    s.append("  - {id: p")
        .append(std::to_string(i))
        .append(", typology: probe, weight: 1, source: s, reason: r, when: [");
    s.append(cond).append("]}\n");
  }
  return s;
}

struct Ev {
  int64_t t;
  int payer, payee;
  int64_t amount;
  bool round, night;
};

std::map<F, int64_t> oracle(const std::vector<Ev>& h, size_t i, bool payer_ph) {
  const Ev& c = h[i];
  const int64_t t = c.t;
  const int P = c.payer, Q = c.payee;
  auto in = [&](const Ev& e, int64_t w) { return e.t > t - w && e.t <= t; };
  std::map<F, int64_t> m;
  int64_t local = t + (payer_ph ? 8 : -5) * 3600;
  m[F::kHour] = ((local % 86400) + 86400) % 86400 / 3600;
  m[F::kNight] = m[F::kHour] >= 23 || m[F::kHour] < 5;
  m[F::kRound] = c.amount > 0 && c.amount % 50000 == 0;
  m[F::kAmount] = c.amount;
  int64_t prior = 0, first = -1, reverse = 0;
  for (size_t j = 0; j < i; ++j) {
    if (h[j].payer == P && h[j].payee == Q) {
      ++prior;
      if (first < 0) first = h[j].t;
    }
    if (h[j].payer == Q && h[j].payee == P) ++reverse;
  }
  m[F::kPairPrior] = prior;
  m[F::kPairFirstAge] = first < 0 ? 0 : t - first;
  m[F::kPairReverse] = reverse;
  int64_t oc1 = 0, oc24 = 0, os1 = 0, os24 = 0, round = 0, night = 0, fresh = 0, pc = 0, ps = 0;
  std::set<int> payees, payers, fan, mule_payers;
  int64_t ic = 0, is = 0, last_in = -1, last_out = -1, pin1 = 0, pin24 = 0, pins = 0, pout = 0;
  bool payee_paid_in = false;
  for (size_t j = 0; j <= i; ++j) {
    const Ev& e = h[j];
    if (e.payer == P && in(e, 86400)) {
      ++oc24, os24 += e.amount, round += e.round, night += e.night;
      if (in(e, 3600)) ++oc1, os1 += e.amount;
      bool is_new = true;
      for (size_t k = 0; k < j; ++k) is_new &= !(h[k].payer == P && h[k].payee == e.payee);
      fresh += is_new;
      payees.insert(e.payee);
      if (e.payee == Q) ++pc, ps += e.amount;
      if (j < i) last_out = std::max(last_out, e.t);
    }
    if (e.payee == P && in(e, 86400)) {
      ++ic, is += e.amount, payers.insert(e.payer), last_in = std::max(last_in, e.t);
      if (in(e, 7200)) {
        mule_payers.insert(e.payer);
        if (e.payer == Q) payee_paid_in = true;
      }
    }
    if (e.payee == Q && in(e, 86400)) {
      ++pin24, pins += e.amount, fan.insert(e.payer);
      if (in(e, 3600)) ++pin1;
    }
    if (e.payer == Q && in(e, 86400)) ++pout;
  }
  m[F::kOutCount1] = oc1, m[F::kOutCount24] = oc24, m[F::kOutSum1] = os1, m[F::kOutSum24] = os24;
  m[F::kOutDistinct24] = static_cast<int64_t>(payees.size());
  m[F::kOutRound24] = round, m[F::kOutNight24] = night, m[F::kOutNew24] = fresh;
  m[F::kSinceOut] = last_out < 0 ? kNever : t - last_out;
  m[F::kPairCount24] = pc, m[F::kPairSum24] = ps;
  m[F::kInCount24] = ic, m[F::kInSum24] = is, m[F::kInDistinct24] = static_cast<int64_t>(payers.size());
  m[F::kMule] = mule_payers.size() >= 2 && last_in >= 0 && t - last_in < 7200 && !payee_paid_in;
  m[F::kPeIn1] = pin1, m[F::kPeIn24] = pin24, m[F::kPeInSum24] = pins;
  m[F::kFanIn24] = static_cast<int64_t>(fan.size());
  m[F::kPeOut24] = pout;
  m[F::kHasMemo] = 0, m[F::kHasWallet] = 0, m[F::kCrossBorder] = -1;  // checked below
  // Seven-day windows, and relations: "X paid Y at or before i".
  auto paid = [&](int x, int y) {
    for (size_t j = 0; j <= i; ++j)
      if (h[j].payer == x && h[j].payee == y) return true;
    return false;
  };
  const int64_t week = 7 * 86400;
  int64_t oc7 = 0, pc7 = 0, pair_last = -1, ic7 = 0, is7 = 0, pin7 = 0, abroad7 = 0, last_in7 = -1;
  auto ph = [](int account) { return account % 3 == 0; };  // run_oracle's countries
  std::set<int> payees7, payers7, fan7;
  for (size_t j = 0; j <= i; ++j) {
    const Ev& e = h[j];
    if (e.payer == P && in(e, week)) {
      ++oc7, payees7.insert(e.payee);
      abroad7 += ph(e.payer) != ph(e.payee);
      if (e.payee == Q) {
        ++pc7;
        if (j < i) pair_last = std::max(pair_last, e.t);
      }
    }
    if (e.payee == P && in(e, week))
      ++ic7, is7 += e.amount, payers7.insert(e.payer), last_in7 = std::max(last_in7, e.t);
    if (e.payee == Q && in(e, week)) ++pin7, fan7.insert(e.payer);
  }
  int64_t unrelated_in = 0, unrelated_fan = 0;
  for (int x : payers7) unrelated_in += !paid(P, x);
  for (int x : fan7) unrelated_fan += !paid(Q, x);
  m[F::kOutCount7] = oc7, m[F::kOutDistinct7] = static_cast<int64_t>(payees7.size()), m[F::kPairCount7] = pc7;
  m[F::kPairSince] = pair_last < 0 ? kNever : t - pair_last;
  m[F::kInCount7] = ic7, m[F::kInSum7] = is7, m[F::kInDistinct7] = static_cast<int64_t>(payers7.size());
  m[F::kInUnrelated7] = unrelated_in;
  m[F::kOutAbroad7] = abroad7;
  m[F::kSinceIn] = last_in7 < 0 ? kNever : t - last_in7;
  m[F::kHasMerchant] = 0;
  m[F::kPeIn7] = pin7, m[F::kFanIn7] = static_cast<int64_t>(fan7.size()), m[F::kUnrelatedFanIn7] = unrelated_fan;
  return m;
}

void run_oracle(uint32_t seed, int accounts, int n, int max_gap) {
  std::vector<F> order;
  auto s = testing::screener(probe_rules(&order));
  std::mt19937 rng(seed);
  std::vector<Ev> hist;
  TxParser parser;
  int64_t t = 1772323200;
  const char* amounts[] = {"5", "10", "12.5", "25", "7.77", "100", "0.01", "40"};
  size_t checked = 0;
  for (int i = 0; i < n; ++i) {
    t += static_cast<int64_t>(rng() % static_cast<uint32_t>(max_gap));
    int a = static_cast<int>(rng() % static_cast<uint32_t>(accounts));
    int b = static_cast<int>(rng() % static_cast<uint32_t>(accounts - 1));
    if (b >= a) ++b;  // no self-payments
    testing::TxSpec sp;
    sp.id = std::string("t").append(std::to_string(i));
    sp.time = format_rfc3339(t);
    sp.amount = amounts[rng() % 8];
    sp.payer = std::string("acc").append(std::to_string(a));
    sp.payee = std::string("acc").append(std::to_string(b));
    bool ph = a % 3 == 0;
    sp.payer_country = ph ? "PH" : "US";
    sp.payee_country = b % 3 == 0 ? "PH" : "US";
    std::string l = testing::line(sp);
    Transaction tx;
    FieldError e;
    ASSERT_TRUE(parser.parse(l, &tx, &e)) << e.message;
    int64_t local = t + (ph ? 8 : -5) * 3600;
    int hour = static_cast<int>(((local % 86400) + 86400) % 86400 / 3600);
    hist.push_back({t, a, b, tx.amount, tx.amount % 50000 == 0, hour >= 23 || hour < 5});
    const Decision& d = s->screen(tx);
    std::map<F, int64_t> want = oracle(hist, hist.size() - 1, ph);
    ASSERT_EQ(d.fired.size(), order.size()) << "every probe fires";
    for (const FiredRule& f : d.fired) {
      const ReasonValue& v = d.values[f.first_value];
      if (v.feature == F::kCrossBorder) {
        EXPECT_EQ(v.value, sp.payer_country != sp.payee_country);
        continue;
      }
      auto it = want.find(v.feature);
      if (it == want.end()) continue;
      if (it->second == -1) continue;
      EXPECT_EQ(v.value, it->second) << feature_info(v.feature).name << " at tx " << i;
      ++checked;
    }
    if (::testing::Test::HasFailure()) return;
  }
  EXPECT_GT(checked, static_cast<size_t>(n) * 20);
}

TEST(PayFeatures, MatchBruteForceOracleDense) { run_oracle(1, 12, 1500, 600); }
TEST(PayFeatures, MatchBruteForceOracleSparse) { run_oracle(2, 40, 1500, 4000); }
TEST(PayFeatures, MatchBruteForceOracleBursty) { run_oracle(3, 6, 800, 30); }
// Gaps of up to two days: the seven-day windows slide past old events.
TEST(PayFeatures, MatchBruteForceOracleWeekly) { run_oracle(4, 10, 1200, 2 * 86400); }

TEST(PayFeatures, CatalogueNamesAreUnique) {
  std::set<std::string> names;
  for (int i = 0; i < kFeatureCount; ++i) {
    F f;
    const char* n = feature_info(static_cast<F>(i)).name;
    EXPECT_TRUE(names.insert(n).second) << n;
    ASSERT_TRUE(find_feature(n, &f));
    EXPECT_EQ(static_cast<int>(f), i);
  }
}

}  // namespace
}  // namespace chainbreak::payments
