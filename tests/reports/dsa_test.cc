// DSA statements of reasons from decision records.
#include "reports/dsa.h"

#include <gtest/gtest.h>

#include <nlohmann/json.hpp>

namespace chainbreak::reports::dsa {
namespace {

store::Decision block_decision() {
  store::Decision d;
  d.id = 42;
  d.time_us = 1'718'000'000'000'000;  // 2024-06-10 06:13:20 UTC
  d.content_id = "upload-7";
  d.outcome = "block";
  d.signals_json = R"([{"signal_type":"pdq","signal":"00ff"}])";
  d.matches_json = R"([{"bank":"industry-csam","bank_content_id":3,"distance":12,"signal_type":"pdq","signal":"00ff",)"
                   R"("classification":"A1","allowlist":false,"suppressed":false},)"
                   R"({"bank":"allow","bank_content_id":9,"distance":0,"signal_type":"pdq","signal":"00ff",)"
                   R"("classification":"","allowlist":true,"suppressed":false}])";
  d.rules_json = R"([{"id":1,"name":"block-csam","action":"block"}])";
  d.automated = true;
  d.actor = "platform";
  return d;
}

TEST(Dsa, BlockDecisionFields) {
  auto s = statement_from_decision(block_decision(), Options{});
  ASSERT_TRUE(s.ok()) << s.status().message();
  const nlohmann::json j = nlohmann::json::parse(to_json(s.value()));
  EXPECT_EQ(j["decision_visibility"], nlohmann::json::array({"DECISION_VISIBILITY_CONTENT_REMOVED"}));
  EXPECT_EQ(j["decision_ground"], "DECISION_GROUND_ILLEGAL_CONTENT");
  EXPECT_FALSE(j["illegal_content_legal_ground"].get<std::string>().empty());
  EXPECT_FALSE(j["illegal_content_explanation"].get<std::string>().empty());
  EXPECT_EQ(j["category"], "STATEMENT_CATEGORY_PROTECTION_OF_MINORS");
  EXPECT_EQ(j["category_specification"], nlohmann::json::array({"KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL"}));
  EXPECT_EQ(j["content_type"], nlohmann::json::array({"CONTENT_TYPE_IMAGE"}));
  EXPECT_EQ(j["application_date"], "2024-06-10");
  EXPECT_EQ(j["content_date"], "2024-06-10");
  EXPECT_EQ(j["source_type"], "SOURCE_VOLUNTARY");
  EXPECT_FALSE(j.contains("source_identity"));
  EXPECT_FALSE(j.contains("territorial_scope"));
  EXPECT_EQ(j["automated_detection"], "Yes");
  EXPECT_EQ(j["automated_decision"], "AUTOMATED_DECISION_FULLY");
  EXPECT_EQ(j["puid"], "chainbreak-decision-42");
  const std::string facts = j["decision_facts"];
  EXPECT_NE(facts.find("decision 42"), std::string::npos) << facts;
  EXPECT_NE(facts.find("matched 1 entry"), std::string::npos) << facts;  // the allowlist entry is not counted
  EXPECT_NE(facts.find("industry-csam"), std::string::npos);
  EXPECT_NE(facts.find("block-csam"), std::string::npos);
  EXPECT_EQ(facts.find("00ff"), std::string::npos) << "no hash values in the facts";
  // Keys in the documented order, starting with the restriction.
  EXPECT_EQ(to_json(s.value()).find("\"decision_visibility\""), 4u);
}

TEST(Dsa, OutcomesAndAutomation) {
  store::Decision d = block_decision();
  Options o;
  o.block_removes = false;
  o.human_reviewed = true;
  auto s = statement_from_decision(d, o);
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().decision_visibility, std::vector<std::string>{"DECISION_VISIBILITY_CONTENT_DISABLED"});
  EXPECT_EQ(s.value().automated_decision, "AUTOMATED_DECISION_PARTIALLY");

  d.outcome = "hold";
  s = statement_from_decision(d, Options{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().decision_visibility, std::vector<std::string>{"DECISION_VISIBILITY_CONTENT_DISABLED"});

  d.automated = false;
  d.matches_json = "[]";
  s = statement_from_decision(d, Options{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().automated_detection, "No");
  EXPECT_EQ(s.value().automated_decision, "AUTOMATED_DECISION_NOT_AUTOMATED");

  for (const char* outcome : {"review", "allow"}) {
    d.outcome = outcome;
    auto none = statement_from_decision(d, Options{});
    ASSERT_FALSE(none.ok());
    EXPECT_EQ(none.status().message().rfind("decision 42: outcome '" + std::string(outcome) + "'", 0), 0u);
  }
}

TEST(Dsa, KeywordFromClassification) {
  store::Decision d = block_decision();
  d.matches_json = R"([{"bank":"b","signal_type":"sha256","classification":"Grooming-Text"}])";
  auto s = statement_from_decision(d, Options{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().category_specification, std::vector<std::string>{"KEYWORD_GROOMING_SEXUAL_ENTICEMENT_MINORS"});
  d.matches_json = R"([{"bank":"b","signal_type":"pdq","classification":"generative-ai"}])";
  s = statement_from_decision(d, Options{});
  ASSERT_TRUE(s.ok());
  EXPECT_EQ(s.value().category_specification, std::vector<std::string>{"KEYWORD_CHILD_SEXUAL_ABUSE_MATERIAL_DEEPFAKE"});
  d.matches_json = "{not json";
  EXPECT_EQ(statement_from_decision(d, Options{}).status().message(), "decision 42: matches_json is not a JSON array");
}

std::string error_of(const Statement& s) {
  Status st = validate(s);
  EXPECT_FALSE(st.ok());
  return st.message();
}

TEST(Dsa, ValidationNamesTheField) {
  auto good = statement_from_decision(block_decision(), Options{});
  ASSERT_TRUE(good.ok());
  Statement s = good.value();
  s.puid = "has space";
  EXPECT_EQ(error_of(s), "puid: must be 1 to 500 of A-Z a-z 0-9 - _");
  s.puid = std::string(501, 'a');
  EXPECT_EQ(error_of(s), "puid: must be 1 to 500 of A-Z a-z 0-9 - _");
  s.puid = std::string(500, 'a');
  EXPECT_TRUE(validate(s).ok());

  s = good.value();
  s.decision_facts = std::string(5000, 'x');
  EXPECT_TRUE(validate(s).ok());
  s.decision_facts = std::string(5001, 'x');
  EXPECT_EQ(error_of(s), "decision_facts: is 5001 characters, over 5000");
  s.decision_facts = "";
  for (int i = 0; i < 5000; ++i) s.decision_facts += "\xc3\xa9";  // 5000 characters, 10000 bytes
  EXPECT_TRUE(validate(s).ok());

  s = good.value();
  s.content_date = "2024-6-1";
  EXPECT_EQ(error_of(s), "content_date: '2024-6-1' is not a date YYYY-MM-DD");
  s.content_date = "1999-12-31";
  EXPECT_EQ(error_of(s), "content_date: 1999-12-31 is outside 2000-01-01..2038-01-01");
  s = good.value();
  s.application_date = "2019-12-31";
  EXPECT_EQ(error_of(s).rfind("application_date: ", 0), 0u);

  s = good.value();
  s.decision_visibility.clear();
  EXPECT_EQ(error_of(s).rfind("decision_visibility: a statement needs at least one restriction", 0), 0u);
  s.decision_account = "DECISION_ACCOUNT_SUSPENDED";
  EXPECT_TRUE(validate(s).ok());
  s.decision_visibility = {"DECISION_VISIBILITY_CONTENT_HIDDEN"};
  EXPECT_EQ(error_of(s), "decision_visibility: 'DECISION_VISIBILITY_CONTENT_HIDDEN' is not an accepted value");

  s = good.value();
  s.territorial_scope = {"DE", "US"};
  EXPECT_EQ(error_of(s), "territorial_scope: 'US' is not an accepted value");
  s.territorial_scope = {"DE", "NO", "IS", "LI"};
  EXPECT_TRUE(validate(s).ok());

  s = good.value();
  s.automated_detection = "yes";
  EXPECT_EQ(error_of(s), "automated_detection: must be Yes or No");
  s = good.value();
  s.automated_decision = "Fully automated";
  EXPECT_EQ(error_of(s).rfind("automated_decision: ", 0), 0u);
  s = good.value();
  s.source_identity = "someone";
  EXPECT_EQ(error_of(s).rfind("source_identity: must be empty for SOURCE_VOLUNTARY", 0), 0u);
  s.source_type = "SOURCE_TRUSTED_FLAGGER";
  EXPECT_TRUE(validate(s).ok());
  s = good.value();
  s.illegal_content_legal_ground = "";
  EXPECT_EQ(error_of(s), "illegal_content_legal_ground: is required");
  s = good.value();
  s.illegal_content_explanation = std::string(2001, 'e');
  EXPECT_EQ(error_of(s), "illegal_content_explanation: is 2001 characters, over 2000");
  s = good.value();
  s.category_specification = {"KEYWORD_NUDITY"};
  EXPECT_EQ(error_of(s), "category_specification: 'KEYWORD_NUDITY' is not an accepted value");
  s = good.value();
  s.content_type = {};
  EXPECT_EQ(error_of(s), "content_type: at least one value is required");
  s = good.value();
  s.content_language = "en";
  EXPECT_EQ(error_of(s).rfind("content_language: ", 0), 0u);
}

TEST(Dsa, LongFactsAreCutToTheLimit) {
  store::Decision d = block_decision();
  std::string many = "[";
  for (int i = 0; i < 400; ++i)
    many += std::string(i ? "," : "") + R"({"bank":"bank-with-a-long-name-)" + std::to_string(i) +
            R"(","signal_type":"pdq","distance":3,"classification":"A1"})";
  many += "]";
  d.matches_json = many;
  auto s = statement_from_decision(d, Options{});
  ASSERT_TRUE(s.ok()) << s.status().message();
  EXPECT_EQ(s.value().decision_facts.size(), 5000u);
}

}  // namespace
}  // namespace chainbreak::reports::dsa
