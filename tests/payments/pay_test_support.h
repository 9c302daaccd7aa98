// Helpers for the payment tests: transaction lines and small rule sets.
#pragma once

#include <gtest/gtest.h>

#include <cstdio>
#include <string>

#include "payments/engine.h"
#include "payments/rules.h"

namespace chainbreak::payments::testing {

struct TxSpec {
  std::string id = "t1", time = "2026-03-01T12:00:00Z", amount = "10", currency = "USD", channel = "p2p";
  std::string payer = "a", payer_country = "US", payer_band = "adult";
  int payer_age = 400;
  std::string payee = "b", payee_country = "US", payee_band = "adult";
  int payee_age = 400;
  std::string memo, wallet;
};

inline std::string line(const TxSpec& s) {
  std::string l = "{\"id\":\"" + s.id + "\",\"time\":\"" + s.time + "\",\"amount\":\"" + s.amount +
                  "\",\"currency\":\"" + s.currency + "\",\"channel\":\"" + s.channel + "\",\"payer\":{\"id\":\"" +
                  s.payer + "\",\"country\":\"" + s.payer_country + "\",\"age_band\":\"" + s.payer_band +
                  "\",\"account_age_days\":" + std::to_string(s.payer_age) + "},\"payee\":{\"id\":\"" + s.payee +
                  "\",\"country\":\"" + s.payee_country + "\",\"age_band\":\"" + s.payee_band +
                  "\",\"account_age_days\":" + std::to_string(s.payee_age) + "}";
  if (!s.memo.empty()) l += ",\"memo\":\"" + s.memo + "\"";
  if (!s.wallet.empty()) l += ",\"wallet\":\"" + s.wallet + "\"";
  return l + "}";
}

inline RuleSet rules_or_die(const std::string& text) {
  auto r = parse_rules(text, "test.yaml");
  EXPECT_TRUE(r.ok()) << r.status().message();
  return r.ok() ? std::move(r).value() : RuleSet{};
}

inline std::unique_ptr<Screener> screener(const std::string& rules_text) {
  auto s = Screener::open(Options{rules_or_die(rules_text), {}, 64});
  EXPECT_TRUE(s.ok()) << s.status().message();
  return std::move(s).value();
}

inline std::string unix_time(int64_t t) { return format_rfc3339(t); }

}  // namespace chainbreak::payments::testing
