// Rules and the match-rate alarm: pure functions, checked case by case.
#include "pipeline/rules.h"

#include <gtest/gtest.h>

#include "pipeline/rate_alarm.h"

namespace chainbreak::pipeline {
namespace {

banks::Match match(const std::string& bank, int distance, const std::string& cls = "A1") {
  banks::Match m;
  m.bank = bank;
  m.distance = distance;
  m.entry.classification = cls;
  return m;
}

store::Rule rule(int64_t id, const std::string& bank, store::ActionKind a, int max_distance = 256,
                 const std::string& cls = "") {
  store::Rule r;
  r.id = id;
  r.name = "r";
  r.name += std::to_string(id);  // (not "r" + ...: GCC 12 -Wrestrict false positive)
  r.bank = bank;
  r.action = a;
  r.max_distance = max_distance;
  r.classification = cls;
  return r;
}

TEST(RulesTest, NoMatchesNoRulesAllow) {
  std::vector<store::Rule> rules = {rule(1, "", store::ActionKind::kBlock)};
  Verdict v = evaluate(rules, {});
  EXPECT_EQ(v.outcome, "allow");
  EXPECT_FALSE(v.acted());
}

TEST(RulesTest, OutcomePrecedenceAndPriorityOrder) {
  std::vector<store::Rule> rules = {rule(1, "", store::ActionKind::kRecord), rule(2, "", store::ActionKind::kHold),
                                    rule(3, "", store::ActionKind::kBlock), rule(4, "", store::ActionKind::kReview)};
  rules[0].priority = 5;
  rules[2].priority = -1;
  std::vector<banks::Match> ms = {match("b", 3)};
  Verdict v = evaluate(rules, ms);
  EXPECT_EQ(v.outcome, "block");
  ASSERT_EQ(v.fired.size(), 4u);
  EXPECT_EQ(v.fired[0].id, 1);  // priority 5
  EXPECT_EQ(v.fired[1].id, 2);  // priority 0, lower id first
  EXPECT_EQ(v.fired[2].id, 4);
  EXPECT_EQ(v.fired[3].id, 3);  // priority -1
  rules.erase(rules.begin() + 2);
  EXPECT_EQ(evaluate(rules, ms).outcome, "hold");
  std::vector<store::Rule> only_case = {rule(9, "", store::ActionKind::kCase)};
  EXPECT_EQ(evaluate(only_case, ms).outcome, "review");
  std::vector<store::Rule> only_hook = {rule(9, "", store::ActionKind::kWebhook)};
  Verdict hook = evaluate(only_hook, ms);
  EXPECT_EQ(hook.outcome, "allow");
  EXPECT_TRUE(hook.acted());
}

TEST(RulesTest, BankClassificationDistanceAndEnabledFilter) {
  std::vector<store::Rule> rules = {rule(1, "known", store::ActionKind::kBlock, 10, "A1")};
  EXPECT_EQ(evaluate(rules, std::vector{match("known", 10, "A1")}).outcome, "block");
  EXPECT_EQ(evaluate(rules, std::vector{match("known", 11, "A1")}).outcome, "allow");
  EXPECT_EQ(evaluate(rules, std::vector{match("other", 0, "A1")}).outcome, "allow");
  EXPECT_EQ(evaluate(rules, std::vector{match("known", 0, "B2")}).outcome, "allow");
  rules[0].enabled = false;
  EXPECT_EQ(evaluate(rules, std::vector{match("known", 0, "A1")}).outcome, "allow");
}

TEST(RulesTest, AllowlistSuppressedAndQuarantinedNeverAct) {
  std::vector<store::Rule> rules = {rule(1, "", store::ActionKind::kBlock)};
  banks::Match allow = match("benign", 0);
  allow.allowlist = true;
  banks::Match sup = match("known", 2);
  sup.suppressed = true;
  EXPECT_EQ(evaluate(rules, std::vector{allow, sup}).outcome, "allow");
  banks::Match q = match("badlist", 0);
  q.quarantined = true;
  Verdict v = evaluate(rules, std::vector{q});
  EXPECT_EQ(v.outcome, "allow");
  EXPECT_FALSE(v.acted());
  EXPECT_EQ(v.quarantined_banks, std::vector<std::string>{"badlist"});
  // A quarantined bank does not stop a rule from firing on a healthy one.
  Verdict both = evaluate(rules, std::vector{q, match("known", 1)});
  EXPECT_EQ(both.outcome, "block");
  EXPECT_EQ(both.quarantined_banks, std::vector<std::string>{"badlist"});
}

constexpr int64_t kMin = 60'000'000;

TEST(RateAlarmTest, TripsOnceWhenRateJumpsOverFloor) {
  AlarmOptions o;
  o.min_matches = 5;
  o.floor_rate = 0.10;
  RateAlarm a(o);
  std::vector<std::string> hit = {"b"};
  int64_t t = 1'000'000;
  // 100 lookups, 4 matches: under min_matches.
  for (int i = 0; i < 100; ++i) EXPECT_TRUE(a.observe(t, i < 4 ? hit : std::vector<std::string>{}).empty());
  // Match 5 makes 5/101 = 4.95% < 10%: no trip.
  EXPECT_TRUE(a.observe(t, hit).empty());
  // Keep matching: 10 of 106 is 9.4%; 11 of 107 is 10.28% and trips, once.
  int trips = 0;
  for (int i = 0; i < 7; ++i) {
    auto r = a.observe(t, hit);
    if (!r.empty()) {
      ++trips;
      EXPECT_EQ(r[0].bank, "b");
      EXPECT_EQ(r[0].matches, 11);
      EXPECT_EQ(r[0].lookups, 107);
      EXPECT_NE(r[0].reason.find("10.28%"), std::string::npos) << r[0].reason;
    }
  }
  EXPECT_EQ(trips, 1);
  for (int i = 0; i < 50; ++i) EXPECT_TRUE(a.observe(t, hit).empty());
  a.reset("b");
  EXPECT_TRUE(a.observe(t, hit).empty());  // counts restarted
}

TEST(RateAlarmTest, BaselineRaisesTheLimitAndDuplicatesCountOnce) {
  AlarmOptions o;
  o.min_matches = 5;
  o.floor_rate = 0.01;
  o.factor = 3;
  RateAlarm a(o);
  std::vector<std::string> hit = {"b", "b"};  // one lookup matching two entries of b
  // Window 1: a steady 5% rate (5 of 100) trips the 1% floor? 5 matches at
  // lookup 81+: first checks happen at the 5th match.
  int64_t t = 0;
  std::vector<AlarmTrip> first;
  for (int i = 0; i < 100; ++i) {
    auto r = a.observe(t, i % 20 == 0 ? hit : std::vector<std::string>{});
    first.insert(first.end(), r.begin(), r.end());
  }
  ASSERT_EQ(first.size(), 1u);  // 5 of 81 = 6.2% > 1%
  EXPECT_EQ(first[0].matches, 5);
  a.reset("b");
  // A bank that always matches 5% learns that as its baseline once windows
  // close without a trip: feed windows with min_matches raised.
  AlarmOptions o2 = o;
  o2.min_matches = 1000;
  RateAlarm b(o2);
  for (int w = 0; w < 3; ++w) {
    for (int i = 0; i < 100; ++i) b.observe(w * kMin, i % 20 == 0 ? hit : std::vector<std::string>{});
  }
  b.observe(3 * kMin, {});  // closes window 3
  EXPECT_NEAR(b.baseline("b"), 0.05, 1e-9);
}

TEST(RateAlarmTest, WindowsRollAndEmptyWindowsAreSkipped) {
  AlarmOptions o;
  o.min_matches = 3;
  o.floor_rate = 0.5;
  RateAlarm a(o);
  std::vector<std::string> hit = {"b"};
  a.observe(0, hit);
  a.observe(1, hit);
  // The third match lands in a new window: counts restarted, no trip.
  EXPECT_TRUE(a.observe(kMin + 5, hit).empty());
  EXPECT_NEAR(a.baseline("b"), 1.0, 1e-9);  // window 1: 2 of 2
  // Long idle gap: several empty windows, baseline unchanged.
  EXPECT_TRUE(a.observe(10 * kMin, {}).empty());
  EXPECT_NEAR(a.baseline("b"), 1.0 * 0.8 + 0.2 * 1.0, 1e-9);  // window 2: 1 of 1
}

}  // namespace
}  // namespace chainbreak::pipeline
