// The harmful typologies of chainbreak-gen-payments: financial sextortion
// of a minor, the buyer of live-streamed abuse, and money mules. Each
// follows published indicators (numbers refer to the table in
// /work/shared/research/payment-indicators.md, cited again in
// docs/PAYMENT_STREAMS.md), with noise: some episodes lack one indicator.
#include <algorithm>
#include <cmath>
#include <vector>

#include "gen_payments.h"

namespace paygen {

namespace {

// Indicator 11: memos pleading to stop or delete, in several languages.
const char* const kPleas[] = {"please stop",          "delete the pictures", "pls delete",
                              "please dont post it",  "thats all i have",    "please leave me alone",
                              "delete it now",        "I paid, now delete",  "por favor borra las fotos",
                              "por favor para ya",    "bitte löschen",       "bitte hör auf",
                              "s'il te plaît arrête", "supprime les photos", "apaga as fotos por favor",
                              "PLEASE STOP"};
const char* const kPlain[] = {"gift", "for you", "ok", "here", "sent", "done", "pay"};
// Indicator 3: innocuous descriptions on small transfers.
const char* const kInnocuous[] = {"school fees", "uniform", "medical bills", "accommodation", "gift",    "birthday",
                                  "load",        "food",    "for you",       "allowance",     "tuition", "rent help"};
const char* const kExplicit[] = {"show", "private show", "cam", "vid", "live"};

// Indicator 10: jurisdictions of concern named for sextortion payees.
int sextortion_country(Rng& r) {
  static const char* const codes[] = {"NG", "CI", "PH", "GH", "KE", "CM", "IN"};
  return country_index(codes[r.weighted({35, 20, 15, 8, 4, 4, 4})]);
}
// Indicators 1, 7, 20: corridors of live-streamed abuse payments.
int livestream_country(Rng& r) {
  static const char* const codes[] = {"PH", "TH", "DO", "CO", "MX", "KH", "VN", "ID"};
  return country_index(codes[r.weighted({55, 10, 8, 8, 7, 5, 4, 3})]);
}
Channel sextortion_channel(Rng& r) {
  static const Channel c[] = {kP2p, kWallet, kGiftCard, kCrypto};
  return c[r.weighted({45, 20, 15, 20})];
}

void add_sextortion(World& w) {
  Rng& r = w.rng;
  const int lengths[] = {2, 3, 4, 5, 6, 7, 8};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const Band band = r.chance(0.75) ? kMinor : kUnknown;  // unknown: parent-co-signed account
    const int64_t victim = w.take_customer(band);
    if (victim < 0) break;
    const int vc = w.cust_country(static_cast<uint32_t>(victim));
    const uint32_t ep = w.new_episode();
    const int n = lengths[r.weighted({25, 25, 18, 12, 8, 7, 5})];
    // 10% of payees are domestic money mules: the jurisdiction indicator is missing.
    auto new_payee = [&] {
      const bool domestic = r.chance(0.10);
      return w.add_external(domestic ? vc : sextortion_country(r), r.chance(0.5) ? kAdult : kUnknown,
                            static_cast<int>(r.log_uniform(1, 400)));
    };
    uint32_t payee = new_payee();
    Channel ch = sextortion_channel(r);
    const int switch_payee_at = r.chance(0.15) ? static_cast<int>(r.range(2, n)) : 0;
    const int switch_channel_at = r.chance(0.20) ? static_cast<int>(r.range(2, n)) : 0;
    const int long_gap_at = r.chance(0.15) ? static_cast<int>(r.range(2, n)) : 0;
    const bool night = r.chance(0.6);
    const bool round = !r.chance(0.12);  // 12%: amounts not round
    const bool memos = r.chance(0.75);
    const int day = static_cast<int>(r.range(0, std::max(0, w.opt.days - 2)));
    int64_t t = w.local_to_t(day, night ? r.uniform(22, 27) : r.uniform(15, 22), vc);
    uint64_t wallet = mix(ep, payee);
    for (int s = 1; s <= n; ++s) {
      if (s > 1)
        t += s == long_gap_at ? r.range(6 * 3600, 30 * 3600) : static_cast<int64_t>(60 * r.log_uniform(3, 120));
      if (s == switch_payee_at) {
        payee = new_payee();
        wallet = mix(ep, payee);
      }
      if (s == switch_channel_at) ch = sextortion_channel(r);
      int64_t cents;
      if (!round) {
        cents = cents_of(r.uniform(15, 400));
      } else if (s > 2 && s == n && r.chance(0.3)) {
        cents = cents_of(r.uniform(5, 120));  // "that's all I have": the rest of the balance
      } else if (s == 1) {
        cents = round_amount(r, {20, 25, 50, 50, 100, 100, 150, 200});
      } else {
        cents = round_amount(r, {25, 50, 100, 100, 150, 200, 250, 300, 400, 500});
      }
      Event& e = w.add(t, static_cast<uint32_t>(victim), payee, cents, ch, kSextortion, kSextortionMinor);
      e.episode = ep;
      e.seq = static_cast<uint16_t>(s);
      if (ch == kCrypto) e.wallet = wallet;
      const double m = r.unit();
      if (memos) e.memo = m < 0.55 ? r.pick(kPleas) : m < 0.7 ? r.pick(kPlain) : nullptr;
    }
  }
}

void add_livestream(World& w) {
  Rng& r = w.rng;
  // Facilitators: beneficiaries shared by many buyers (indicator 2, fan-in).
  const uint32_t nfac = std::max<uint32_t>(5, w.opt.episodes / 3);
  std::vector<uint32_t> fac(nfac);
  std::vector<uint64_t> fac_wallet(nfac);
  for (uint32_t i = 0; i < nfac; ++i) {
    fac[i] = w.add_external(livestream_country(r), r.chance(0.7) ? kAdult : kUnknown,
                            static_cast<int>(r.log_uniform(20, 3000)));
    fac_wallet[i] = mix(0xfac, fac[i]);
  }
  static const Channel chans[] = {kRemittance, kP2p, kWallet, kCrypto};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const int64_t buyer = w.take_customer(kAdult);
    if (buyer < 0) break;
    const int bc = w.cust_country(static_cast<uint32_t>(buyer));
    const uint32_t ep = w.new_episode();
    uint32_t mine[3];
    const int nb = 1 + static_cast<int>(r.weighted({50, 35, 15}));
    for (int b = 0; b < nb; ++b) {
      const double u = r.unit();
      mine[b] = static_cast<uint32_t>(nfac * u * u);  // skewed: popular facilitators gather many payers
    }
    const int n = static_cast<int>(r.range(5, 20));
    const bool night = r.chance(0.65);
    const bool low = !r.chance(0.15);  // 15%: amounts 100-250, above the "low value" band
    const bool memos = r.chance(0.4);
    const Channel ch = chans[r.weighted({55, 20, 15, 10})];
    const double mean_gap = r.uniform(0.5, 4.0);
    double day = static_cast<double>(r.range(0, std::max(0, w.opt.days - 7)));
    int64_t t = -1;
    for (int s = 1; s <= n; ++s) {
      const double hour = night && r.chance(0.85) ? r.uniform(21, 27) : r.uniform(7, 24);
      int64_t nt = w.local_to_t(static_cast<int>(day), hour, bc);
      if (nt <= t) nt = t + r.range(600, 5400);  // a second payment in the same session
      t = nt;
      const uint32_t f = mine[r.below(static_cast<uint64_t>(nb))];
      int64_t cents;
      if (!low) {
        cents = cents_of(r.uniform(100, 250));
      } else if (r.chance(0.55)) {
        cents = round_amount(r, {10, 15, 20, 25, 30, 40, 50, 50, 60, 75, 100});
      } else {
        cents = cents_of(r.uniform(10, 100));
      }
      Event& e = w.add(t, static_cast<uint32_t>(buyer), fac[f], cents, ch, kLivestreamBuyer, kLivestreamPattern);
      e.episode = ep;
      e.seq = static_cast<uint16_t>(s);
      if (ch == kCrypto) e.wallet = fac_wallet[f];
      if (memos && r.chance(0.7)) e.memo = r.chance(0.08) ? r.pick(kExplicit) : r.pick(kInnocuous);
      // 20%: a second payment in the same session; otherwise days later.
      if (!r.chance(0.2)) day += std::max(0.3, mean_gap * r.uniform(0.4, 1.6));
    }
  }
}

void add_mules(World& w) {
  Rng& r = w.rng;
  static const char* const out_countries[] = {"NG", "CI", "GH", "PH", "CM", "KE", "IN", "RO"};
  for (uint32_t k = 0; k < w.opt.episodes; ++k) {
    const bool young = r.chance(0.7);  // 30%: an established account, the "new account" indicator missing
    const int64_t mule = w.take_customer(kAdult, young ? 90 : -1);
    if (mule < 0) break;
    const int mc = w.cust_country(static_cast<uint32_t>(mule));
    const uint32_t ep = w.new_episode();
    // One to four downstream destinations reused for the onward transfers.
    struct Dest {
      uint32_t id;
      Channel ch;
      uint64_t wallet;
    };
    std::vector<Dest> dests;
    const int nd = 1 + static_cast<int>(r.below(4));
    for (int d = 0; d < nd; ++d) {
      const size_t kind = r.weighted({40, 30, 30});
      if (kind == 0) {
        const int64_t c = w.take_customer(r.chance(0.9) ? kAdult : kUnknown);
        if (c < 0) continue;
        dests.push_back({static_cast<uint32_t>(c), kP2p, 0});
      } else if (kind == 1) {
        const uint32_t x =
            w.add_external(country_index(r.pick(out_countries)), kUnknown, static_cast<int>(r.range(0, 300)));
        dests.push_back({x, r.chance(0.6) ? kRemittance : kP2p, 0});
      } else {
        const uint32_t x =
            w.add_external(country_index(r.pick(out_countries)), kUnknown, static_cast<int>(r.range(0, 60)));
        dests.push_back({x, kCrypto, mix(ep, x)});
      }
    }
    if (dests.empty()) continue;
    const int n_in = static_cast<int>(r.range(3, 12));
    const bool slow = r.chance(0.2);  // 20%: onward after 12-48 h, the "quickly" indicator weaker
    const int day = static_cast<int>(r.range(0, std::max(0, w.opt.days - 5)));
    int64_t t = w.local_to_t(day, r.uniform(8, 23), mc);
    int64_t balance = 0;
    int seq = 0, onward = 0;
    auto pass_on = [&](bool all) {
      t += slow ? r.range(12 * 3600, 48 * 3600) : static_cast<int64_t>(60 * r.log_uniform(10, 360));
      const Dest& d = dests[r.below(dests.size())];
      const int64_t cents = all ? balance : static_cast<int64_t>(static_cast<double>(balance) * r.uniform(0.7, 0.95));
      balance -= cents;
      Event& e = w.add(t, static_cast<uint32_t>(mule), d.id, cents, d.ch, kMule, kMuleOnward);
      e.episode = ep;
      e.seq = static_cast<uint16_t>(++seq);
      e.role = kOnward;
      e.wallet = d.wallet;
      ++onward;
    };
    for (int i = 0; i < n_in; ++i) {
      const int64_t payer = w.take_customer(static_cast<Band>(r.weighted({15, 75, 10})));
      if (payer < 0) break;
      t += static_cast<int64_t>(3600 * r.log_uniform(0.2, 30));
      const int64_t cents = r.chance(0.6) ? round_amount(r, {50, 100, 150, 200, 250, 300, 400, 500, 750, 1000})
                                          : cents_of(r.uniform(40, 900));
      Event& e = w.add(t, static_cast<uint32_t>(payer), static_cast<uint32_t>(mule), cents,
                       r.chance(0.8) ? kP2p : kWallet, kMule, kMuleInbound);
      e.episode = ep;
      e.seq = static_cast<uint16_t>(++seq);
      e.role = kInbound;
      balance += cents;
      if (r.chance(0.6)) pass_on(false);
    }
    while (onward < 2 && balance > 100) pass_on(onward == 1);
    if (balance > 100) pass_on(true);
  }
}

}  // namespace

void add_harmful(World& w) {
  add_sextortion(w);
  add_livestream(w);
  add_mules(w);
}

}  // namespace paygen
