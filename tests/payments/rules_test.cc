// Rules file validation: every error names file:line:column.
#include "payments/rules.h"

#include <gtest/gtest.h>

namespace chainbreak::payments {
namespace {

const char* const kBase = R"(version: 1
lists:
  joc: [NG, CI]
typologies:
  - {id: sx, alert: 10, hold: 20, block: 40}
rules:
  - id: r1
    typology: sx
    weight: 20
    source: "FinCEN FIN-2025-NTC2"
    reason: "test"
    when:
      - {feature: payee.country, op: in_list, list: joc}
)";

std::string error_of(const std::string& text) {
  auto r = parse_rules(text, "r.yaml");
  return r.ok() ? "ok" : r.status().message();
}

std::string with(const std::string& from, const std::string& to) {
  std::string s = kBase;
  size_t at = s.find(from);
  EXPECT_NE(at, std::string::npos) << from;
  if (at != std::string::npos) s.replace(at, from.size(), to);
  return s;
}

TEST(PayRules, BaseAndDefaultRulesLoad) {
  auto r = parse_rules(kBase, "r.yaml");
  ASSERT_TRUE(r.ok()) << r.status().message();
  EXPECT_EQ(r.value().rules.size(), 1u);
  EXPECT_EQ(r.value().conds.size(), 1u);
  auto d = load_rules_file(CHAINBREAK_PAY_RULES_FILE);
  ASSERT_TRUE(d.ok()) << d.status().message();
  EXPECT_GE(d.value().rules.size(), 25u);
  auto built_in = parse_rules(kDefaultRulesYaml, "built-in");
  ASSERT_TRUE(built_in.ok()) << built_in.status().message();
  EXPECT_EQ(built_in.value().text, d.value().text) << "rebuild: the compiled-in rules are stale";
  for (const Rule& rule : d.value().rules) EXPECT_FALSE(rule.source.empty()) << rule.id;
}

TEST(PayRules, ErrorsCarryLineAndColumn) {
  EXPECT_EQ(error_of(with("feature: payee.country", "feature: payee.colour")),
            "r.yaml:13:19: unknown feature 'payee.colour'");
  EXPECT_EQ(error_of(with("list: joc}", "list: nope}")), "r.yaml:13:53: unknown list 'nope'");
  EXPECT_EQ(error_of(with("version: 1", "version: 2")),
            "r.yaml:1:10: unsupported version '2' (this engine reads version: 1)");
  EXPECT_EQ(error_of(with("hold: 20, block: 40", "hold: 50, block: 40")),
            "r.yaml:5:5: typology 'sx': thresholds must satisfy alert <= hold <= block");
  EXPECT_EQ(error_of(with("op: in_list", "op: like")).substr(0, 12), "r.yaml:13:38");
}

TEST(PayRules, WrongOperandTypes) {
  auto bad_value = [](const std::string& cond) {
    std::string s = kBase;
    s.replace(s.find("{feature: payee.country, op: in_list, list: joc}"), 48, cond);
    return error_of(s);
  };
  EXPECT_NE(bad_value("{feature: tx.amount, op: gt, value: lots}").find("takes a decimal amount"), std::string::npos);
  EXPECT_NE(bad_value("{feature: pair.prior_count, op: gt, value: 1.5}").find("takes an integer"), std::string::npos);
  EXPECT_NE(bad_value("{feature: tx.night, op: eq, value: yes}").find("takes true or false"), std::string::npos);
  EXPECT_NE(bad_value("{feature: tx.channel, op: eq, value: cash}").find("channel name"), std::string::npos);
  EXPECT_NE(bad_value("{feature: payer.country, op: lt, value: US}").find("needs a numeric feature"),
            std::string::npos);
  EXPECT_NE(bad_value("{feature: tx.amount, op: between, value: [\"5\"]}").find("between takes [low, high]"),
            std::string::npos);
  EXPECT_NE(bad_value("{feature: tx.amount, op: in, value: \"5\"}").find("takes a sequence"), std::string::npos);
  EXPECT_NE(bad_value("{feature: tx.memo, op: eq, value: stop}").find("term matching"), std::string::npos);
  EXPECT_NE(bad_value("{feature: payer.country, op: in_list, list: joc, value: x}").find("no value"),
            std::string::npos);
  // Every error names the position.
  EXPECT_EQ(bad_value("{feature: tx.amount, op: gt, value: lots}").substr(0, 10), "r.yaml:13:");
}

TEST(PayRules, DuplicatesAndUnknownNames) {
  std::string dup = kBase;
  dup += R"(  - id: r1
    typology: sx
    weight: 5
    source: s
    reason: r
    when: [{feature: tx.night, op: eq, value: true}]
)";
  EXPECT_EQ(error_of(dup), "r.yaml:14:9: duplicate rule id 'r1'");
  EXPECT_EQ(error_of(with("typology: sx", "typology: zz")), "r.yaml:8:15: unknown typology 'zz'");
  EXPECT_NE(error_of(with("lists:", "listz:")).find("unknown key 'listz'"), std::string::npos);
  EXPECT_NE(error_of(with("weight: 20", "weight: 0")).find("weight must be between"), std::string::npos);
  EXPECT_NE(error_of("version: 1\nrules: [\n").find("r.yaml:"), std::string::npos);  // YAML syntax
}

}  // namespace
}  // namespace chainbreak::payments
