// Decisions: the single-weak-indicator property, entity lists, snoozes and
// the feedback of redress.
#include <gtest/gtest.h>

#include <random>

#include "pay_test_support.h"

namespace chainbreak::payments {
namespace {

using testing::TxSpec;

const char* const kRules = R"(version: 1
settings: {release_snooze_days: 30}
lists:
  joc: [NG]
entities:
  red: [bad-acct]
  amber: [watch-acct]
  green: [trusted]
typologies:
  - {id: sx, alert: 10, hold: 30, block: 60}
rules:
  - {id: joc, typology: sx, weight: 1000, source: "FinCEN FIN-2025-NTC2", reason: "joc payee",
     when: [{feature: payee.country, op: in_list, list: joc}]}
  - {id: minor, typology: sx, weight: 30, source: "FinCEN FIN-2025-NTC2", reason: "minor payer",
     when: [{feature: payer.age_band, op: eq, value: minor}]}
)";

// The decision's views stay valid until the next call (one parser kept).
Decision screen(Screener& s, const TxSpec& sp) {
  static TxParser p;
  Transaction tx;
  FieldError e;
  EXPECT_TRUE(p.parse(testing::line(sp), &tx, &e)) << e.message;
  return s.screen(tx);
}

TEST(PayDecision, OneHeavyRuleHoldsButNeverBlocks) {
  auto s = testing::screener(kRules);
  TxSpec sp;
  sp.payee_country = "NG";
  Decision d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kHold);
  EXPECT_EQ(d.score, 1000);
  sp.id = "t2";
  sp.payer_band = "minor";
  d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  EXPECT_EQ(d.fired.size(), 2u);
}

// Property: with random rule sets in which each typology has one rule, no
// transaction is ever blocked, whatever the weights.
TEST(PayDecision, SingleIndicatorNeverBlocksProperty) {
  std::mt19937 rng(7);
  const char* feats[] = {"{feature: payee.country, op: eq, value: NG}", "{feature: tx.amount, op: ge, value: \"1\"}",
                         "{feature: pair.prior_count, op: ge, value: 0}",
                         "{feature: tx.night, op: in, value: [true, false]}"};
  for (int round = 0; round < 20; ++round) {
    std::string r = "version: 1\ntypologies:\n";
    std::string rules = "rules:\n";
    for (int t = 0; t < 4; ++t) {
      std::string id = "t";
      id.append(std::to_string(t));
      r.append("  - {id: ").append(id).append(", alert: 1, hold: 1, block: 2}\n");
      rules.append("  - {id: r").append(std::to_string(t)).append(", typology: ").append(id);
      rules.append(", weight: ").append(std::to_string(1 + rng() % 100000));
      rules.append(", source: s, reason: r, when: [").append(feats[t]).append("]}\n");
    }
    auto s = testing::screener(r + rules);
    for (int i = 0; i < 50; ++i) {
      TxSpec sp;
      sp.id = std::string("x").append(std::to_string(i));
      sp.payee_country = i % 2 ? "NG" : "US";
      Decision d = screen(*s, sp);
      EXPECT_NE(d.outcome, Outcome::kBlock);
      EXPECT_EQ(d.outcome, Outcome::kHold);
    }
  }
}

TEST(PayDecision, RedAmberGreen) {
  auto s = testing::screener(kRules);
  TxSpec sp;
  sp.payee = "bad-acct";
  Decision d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  EXPECT_EQ(d.list, ListHit::kRed);
  sp.payee = "watch-acct";
  d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kHold);
  EXPECT_EQ(d.list, ListHit::kAmber);
  // Green lifts a rule-based hold ...
  sp.payee = "b";
  sp.payer = "trusted";
  sp.payee_country = "NG";
  d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(d.list, ListHit::kGreen);
  EXPECT_EQ(d.fired.size(), 1u) << "the reasons are still reported";
  // ... but not a block, and never a red-list hit.
  sp.payer_band = "minor";
  d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  sp.payee = "bad-acct";
  sp.payer_band = "adult";
  d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  // A wallet on the red list.
  auto s2 = testing::screener(
      std::string(kRules).replace(std::string(kRules).find("red: [bad-acct]"), 15, "red: [bad-acct, bc1qbad]"));
  TxSpec w;
  w.wallet = "bc1qbad";
  d = screen(*s2, w);
  EXPECT_EQ(d.outcome, Outcome::kBlock);
  EXPECT_EQ(d.list_entity, "bc1qbad");
  // Runtime green through redress.
  RedressEvent g;
  g.kind = RedressEvent::Kind::kGreen;
  g.entity = "c";
  ASSERT_TRUE(s->apply(g).ok());
  TxSpec c;
  c.payer = "c";
  c.payee_country = "NG";
  EXPECT_EQ(screen(*s, c).outcome, Outcome::kAllow);
}

TEST(PayDecision, ReleaseSnoozesTheRulesForThatPayerAndCounts) {
  auto s = testing::screener(kRules);
  TxSpec sp;
  sp.id = "h1";
  sp.payer = "p1";
  sp.payee_country = "NG";
  ASSERT_EQ(screen(*s, sp).outcome, Outcome::kHold);
  RedressEvent rel;
  rel.kind = RedressEvent::Kind::kRelease;
  rel.tx_id = "h1";
  rel.at = 1772366400 + 600;  // ten minutes after the hold
  ASSERT_TRUE(s->apply(rel).ok());
  EXPECT_FALSE(s->apply(rel).ok()) << "released twice";
  // The same payer is not stopped again for the same reason ...
  sp.id = "h2";
  sp.time = "2026-03-05T12:00:00Z";
  Decision d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  ASSERT_EQ(d.snoozed.size(), 1u);
  // ... another payer is, and the snooze ends after 30 days.
  sp.payer = "p2";
  sp.id = "h3";
  EXPECT_EQ(screen(*s, sp).outcome, Outcome::kHold);
  sp.payer = "p1";
  sp.id = "h4";
  sp.time = "2026-04-01T12:00:00Z";
  EXPECT_EQ(screen(*s, sp).outcome, Outcome::kHold);
  Stats st = s->stats();
  EXPECT_EQ(st.median_release_seconds, 600);
  for (const RuleStats& r : st.rules)
    if (r.rule == "joc") {
      EXPECT_EQ(r.released, 1u);
      EXPECT_EQ(r.fired, 3u);
      EXPECT_EQ(r.snoozed, 1u);
    }
  // Confirm, appeal.
  RedressEvent conf;
  conf.kind = RedressEvent::Kind::kConfirm;
  conf.tx_id = "h3";
  EXPECT_TRUE(s->apply(conf).ok());
  RedressEvent ap;
  ap.kind = RedressEvent::Kind::kAppeal;
  ap.tx_id = "h4";
  EXPECT_FALSE(s->apply(ap).ok()) << "a hold is not appealed, it is released";
  RedressEvent unknown = rel;
  unknown.tx_id = "nope";
  EXPECT_EQ(s->apply(unknown).code(), ErrorCode::kInvalidInput);
}

TEST(PayDecision, ReversedAppealActsAsRelease) {
  auto s = testing::screener(kRules);
  TxSpec sp;
  sp.id = "b1";
  sp.payer_band = "minor";
  sp.payee_country = "NG";
  ASSERT_EQ(screen(*s, sp).outcome, Outcome::kBlock);
  RedressEvent ap;
  ap.kind = RedressEvent::Kind::kAppeal;
  ap.tx_id = "b1";
  ap.at = 1772366400 + 3600;
  ASSERT_TRUE(s->apply(ap).ok());
  ap.appeal = RedressEvent::Appeal::kReversed;
  ASSERT_TRUE(s->apply(ap).ok());
  sp.id = "b2";
  Decision d = screen(*s, sp);
  EXPECT_EQ(d.outcome, Outcome::kAllow);
  EXPECT_EQ(d.snoozed.size(), 2u);
  EXPECT_EQ(s->stats().median_release_seconds, 3600);
}

TEST(PayDecision, ExplicitSnoozeAndRedressJson) {
  auto s = testing::screener(kRules);
  RedressEvent z;
  z.kind = RedressEvent::Kind::kSnooze;
  z.rule = "joc";
  z.entity = "b";
  z.until = 1772366400 + 1;
  z.actor = "analyst \"7\"";
  ASSERT_TRUE(s->apply(z).ok());
  auto back = redress_from_json(redress_to_json(z));
  ASSERT_TRUE(back.ok());
  EXPECT_EQ(back.value().rule, "joc");
  EXPECT_EQ(back.value().until, z.until);
  EXPECT_EQ(back.value().actor, z.actor);
  TxSpec sp;
  sp.payee_country = "NG";
  EXPECT_EQ(screen(*s, sp).outcome, Outcome::kAllow);  // snoozed for payee b
  sp.time = "2026-03-01T12:00:01Z";
  EXPECT_EQ(screen(*s, sp).outcome, Outcome::kHold);  // expired
  z.rule = "nope";
  EXPECT_FALSE(s->apply(z).ok());
}

TEST(PayDecision, JsonLine) {
  auto s = testing::screener(kRules);
  TxSpec sp;
  sp.id = "q\\\"1";  // JSON text q\"1
  sp.payee_country = "NG";
  Decision d = screen(*s, sp);
  std::string out;
  s->append_json(d, out);
  EXPECT_EQ(
      out,
      "{\"id\":\"q\\\"1\",\"decision\":\"hold\",\"score\":1000,\"reasons\":[{\"rule\":\"joc\",\"typology\":\"sx\","
      "\"weight\":1000,\"source\":\"FinCEN FIN-2025-NTC2\",\"reason\":\"joc payee\",\"values\":{\"payee."
      "country\":\"NG\"}}]}");
  out.clear();
  Screener::append_error_json(false, {}, 7, FieldError{"payer.country", "bad"}, out);
  EXPECT_EQ(
      out,
      "{\"id\":null,\"decision\":\"error\",\"line\":7,\"error\":{\"field\":\"payer.country\",\"message\":\"bad\"}}");
}

}  // namespace
}  // namespace chainbreak::payments
