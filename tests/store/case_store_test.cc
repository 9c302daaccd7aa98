// The case store (case_store.h): intake and de-duplication, the reporter's
// receipt, transitions and their rules, routing, reveals. Every case runs on
// SQLite and PostgreSQL (the PostgreSQL ones through
// scripts/with-postgres.sh). Report texts are plainly synthetic.
#include "store/case_store.h"

#include <gtest/gtest.h>

#include <memory>
#include <string>
#include <vector>

#include "store_fixture.h"

namespace chainbreak::store::testing {
namespace {

class CaseStoreTest : public StoreTest {
 protected:
  void SetUp() override {
    StoreTest::SetUp();
    if (IsSkipped() || HasFatalFailure()) return;
    auto c = open_case_store(location_);
    ASSERT_TRUE(c.ok()) << c.status().message();
    cases_ = std::move(c.value());
  }
  void TearDown() override {
    cases_.reset();
    StoreTest::TearDown();
  }

  // A synthetic report with a fresh receipt hash.
  NewReport report(const std::string& url = "", const std::string& description = "Synthetic test report") {
    NewReport r;
    r.receipt_hash = random_value(SignalType::kSha256);
    r.category = "other";
    r.url = url;
    r.description = description;
    return r;
  }
  std::vector<IntakeResult> intake(const std::vector<NewReport>& rs) {
    auto got = cases_->intake(rs);
    EXPECT_TRUE(got.ok()) << got.status().message();
    return got.ok() ? got.value() : std::vector<IntakeResult>();
  }
  Case get(int64_t id) {
    auto c = cases_->get_case(id);
    EXPECT_TRUE(c.ok() && c.value().has_value());
    return c.ok() && c.value() ? *c.value() : Case();
  }
  Status move(int64_t id, CaseState to, const std::string& assessment = "", int64_t partner = 0) {
    TransitionRequest t;
    t.to = to;
    t.assessment = assessment;
    t.partner_id = partner;
    t.note = "synthetic note";
    return cases_->transition(id, t, "reviewer-1").status();
  }

  std::unique_ptr<CaseStore> cases_;
};

TEST(CaseRules, NormaliseUrl) {
  EXPECT_EQ(normalise_url("HTTP://Example.ORG:80/a/b/#frag"), "http://example.org/a/b");
  EXPECT_EQ(normalise_url("https://user:pw@example.org:443"), "https://example.org");
  EXPECT_EQ(normalise_url("https://example.org/A?q=1"), "https://example.org/A?q=1");
  EXPECT_EQ(normalise_url("https://example.org:8443/x"), "https://example.org:8443/x");
  EXPECT_EQ(normalise_url("ftp://example.org/"), "");
  EXPECT_EQ(normalise_url("https:///path"), "");
  EXPECT_EQ(normalise_url("example.org"), "");
}

TEST(CaseRules, Transitions) {
  EXPECT_TRUE(case_transition_allowed(CaseState::kNew, CaseState::kTriage));
  EXPECT_TRUE(case_transition_allowed(CaseState::kAssessed, CaseState::kClosed));
  EXPECT_TRUE(case_transition_allowed(CaseState::kRemoved, CaseState::kClosed));
  EXPECT_FALSE(case_transition_allowed(CaseState::kNew, CaseState::kAssessed));
  EXPECT_FALSE(case_transition_allowed(CaseState::kClosed, CaseState::kClosed));
  EXPECT_FALSE(case_transition_allowed(CaseState::kReferred, CaseState::kTriage));
  for (int i = 0; i < 7; ++i) {
    auto s = static_cast<CaseState>(i);
    EXPECT_EQ(parse_case_state(case_state_name(s)), s);
  }
  EXPECT_EQ(classification_severity("A1"), 4);
  EXPECT_EQ(classification_severity("B2"), 1);
  EXPECT_EQ(classification_severity(""), 0);
}

TEST_P(CaseStoreTest, SameUrlJoinsOneCaseAndCounts) {
  auto r = intake(
      {report("https://Example.org/page/"), report("https://example.org/page"), report("https://example.org/other")});
  ASSERT_EQ(r.size(), 3u);
  EXPECT_TRUE(r[0].new_case);
  EXPECT_FALSE(r[1].new_case);
  EXPECT_EQ(r[0].case_id, r[1].case_id);
  EXPECT_NE(r[0].case_id, r[2].case_id);
  EXPECT_EQ(get(r[0].case_id).report_count, 2);
  auto reps = cases_->reports_of(r[0].case_id);
  ASSERT_TRUE(reps.ok());
  ASSERT_EQ(reps.value().size(), 2u);
  EXPECT_EQ(reps.value()[0].url, "https://Example.org/page/");
  // A closed case is not joined: the same URL opens a new one.
  ASSERT_TRUE(move(r[0].case_id, CaseState::kClosed).ok());
  auto again = intake({report("https://example.org/page")});
  EXPECT_TRUE(again[0].new_case);
}

TEST_P(CaseStoreTest, SameFileJoinsByHash) {
  NewReport a = report();
  a.file_sha256 = random_value(SignalType::kSha256);
  a.file_md5 = random_value(SignalType::kMd5);
  NewReport b = report();
  b.file_sha256 = random_value(SignalType::kSha256);
  b.file_md5 = a.file_md5;  // MD5 alone also joins
  NewReport c = report();
  c.file_sha256 = a.file_sha256;
  auto r = intake({a});
  auto r2 = intake({b, c});
  EXPECT_EQ(r2[0].case_id, r[0].case_id);
  EXPECT_EQ(r2[1].case_id, r[0].case_id);
  EXPECT_EQ(get(r[0].case_id).report_count, 3);
}

TEST_P(CaseStoreTest, IntakeIsAllOrNothingAndNamesTheField) {
  NewReport bad = report("ftp://example.org/x");
  auto got = cases_->intake(std::vector<NewReport>{report("https://example.org/1"), bad});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("reports[1].url"), std::string::npos) << got.status().message();
  auto q = cases_->queue(std::nullopt, 100);
  ASSERT_TRUE(q.ok());
  EXPECT_TRUE(q.value().empty());
  // A receipt hash used twice in one batch: nothing stored either.
  NewReport a = report("https://example.org/2"), b = report("https://example.org/3");
  b.receipt_hash = a.receipt_hash;
  got = cases_->intake(std::vector<NewReport>{a, b});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("reports[1].receipt_hash"), std::string::npos) << got.status().message();
  EXPECT_TRUE(cases_->queue(std::nullopt, 100).value().empty());
  NewReport empty = report("", "");
  got = cases_->intake(std::vector<NewReport>{empty});
  ASSERT_FALSE(got.ok());
  NewReport cat = report();
  cat.category = "unknown";
  EXPECT_NE(cases_->intake(std::vector<NewReport>{cat}).status().message().find("reports[0].category"),
            std::string::npos);
}

TEST_P(CaseStoreTest, ReceiptStatusFollowsTheCaseAndContactCanBeWithdrawn) {
  NewReport r = report("https://example.org/status");
  r.contact = "synthetic@example.org";
  auto got = intake({r});
  auto st = cases_->report_status(r.receipt_hash);
  ASSERT_TRUE(st.ok() && st.value());
  EXPECT_EQ(st.value()->status, "received");
  EXPECT_FALSE(cases_->report_status(random_value(SignalType::kSha256)).value().has_value());

  auto w = cases_->withdraw_contact(r.receipt_hash);
  ASSERT_TRUE(w.ok() && w.value());
  auto reps = cases_->reports_of(got[0].case_id).value();
  EXPECT_EQ(reps[0].contact, "");
  EXPECT_TRUE(reps[0].contact_withdrawn);
  EXPECT_FALSE(cases_->withdraw_contact(random_value(SignalType::kSha256)).value());

  const int64_t id = got[0].case_id;
  ASSERT_TRUE(move(id, CaseState::kTriage).ok());
  EXPECT_EQ(cases_->report_status(r.receipt_hash).value()->status, "received");
  ASSERT_TRUE(move(id, CaseState::kAssessed, "illegal_baseline").ok());
  EXPECT_EQ(cases_->report_status(r.receipt_hash).value()->status, "assessed");
  auto p = cases_->create_partner({0, "gb", "Synthetic Hotline GB", "hotline", "notices@example.org", 48});
  ASSERT_TRUE(p.ok()) << p.status().message();
  EXPECT_EQ(p.value().country, "GB");
  ASSERT_TRUE(move(id, CaseState::kReferred, "", p.value().id).ok());
  EXPECT_EQ(cases_->report_status(r.receipt_hash).value()->status, "action_taken");
  Case c = get(id);
  EXPECT_EQ(c.partner_id, p.value().id);
  EXPECT_NEAR(static_cast<double>(c.notice_deadline_us - c.referred_us), 48.0 * 3600e6, 1.0);
  ASSERT_TRUE(move(id, CaseState::kNoticeSent).ok());
  ASSERT_TRUE(move(id, CaseState::kRemoved).ok());
  ASSERT_TRUE(move(id, CaseState::kClosed).ok());
  EXPECT_EQ(cases_->report_status(r.receipt_hash).value()->status, "closed");
  c = get(id);
  EXPECT_GT(c.assessed_us, 0);
  EXPECT_LE(c.assessed_us, c.referred_us);
  EXPECT_LE(c.notice_us, c.removed_us);
  EXPECT_LE(c.removed_us, c.closed_us);
  auto ts = cases_->transitions_of(id).value();
  ASSERT_EQ(ts.size(), 6u);
  EXPECT_EQ(ts[0].from, CaseState::kNew);
  EXPECT_EQ(ts[1].assessment, "illegal_baseline");
  EXPECT_EQ(ts[2].partner_id, p.value().id);
  EXPECT_EQ(ts[5].to, CaseState::kClosed);
  EXPECT_EQ(ts[5].actor, "reviewer-1");
}

TEST_P(CaseStoreTest, TransitionsAreChecked) {
  auto r = intake({report("https://example.org/t")});
  const int64_t id = r[0].case_id;
  Status s = move(id, CaseState::kAssessed, "illegal_baseline");
  ASSERT_FALSE(s.ok());
  EXPECT_EQ(s.message().rfind("to:", 0), 0u) << s.message();
  ASSERT_TRUE(move(id, CaseState::kTriage).ok());
  s = move(id, CaseState::kAssessed, "maybe");
  EXPECT_EQ(s.message().rfind("assessment:", 0), 0u) << s.message();
  ASSERT_TRUE(move(id, CaseState::kAssessed, "false_positive").ok());
  s = move(id, CaseState::kReferred, "", 1);
  EXPECT_FALSE(s.ok());  // a false positive is closed, not referred
  ASSERT_TRUE(move(id, CaseState::kClosed).ok());
  EXPECT_FALSE(move(id, CaseState::kClosed).ok());
  EXPECT_EQ(move(999999, CaseState::kTriage).message().rfind("case:", 0), 0u);
  auto r2 = intake({report("https://example.org/t2")});
  ASSERT_TRUE(move(r2[0].case_id, CaseState::kTriage).ok());
  ASSERT_TRUE(move(r2[0].case_id, CaseState::kAssessed, "illegal_national").ok());
  s = move(r2[0].case_id, CaseState::kReferred, "", 424242);
  EXPECT_EQ(s.message().rfind("partner:", 0), 0u) << s.message();
  EXPECT_EQ(get(r2[0].case_id).state, CaseState::kAssessed);  // nothing changed
  EXPECT_EQ(cases_->transitions_of(r2[0].case_id).value().size(), 2u);
}

TEST_P(CaseStoreTest, QueueOrdersLiveHarmThenSeverityThenReports) {
  auto plain = intake({report("https://example.org/q1")});
  auto many = intake({report("https://example.org/q2"), report("https://example.org/q2")});
  NewReport live = report("https://example.org/q3");
  live.live_harm = true;
  auto harm = intake({live});
  // An automated detection: a report row standing for decision 77, its
  // file's gravest match A1.
  NewReport detected = report("", "");
  detected.category = "csam";
  detected.country = "fr";
  detected.file_sha256 = random_value(SignalType::kSha256);
  detected.severity = classification_severity("A1");
  detected.decision_id = 77;
  auto severe_id = intake({detected})[0].case_id;
  const Case severe = get(severe_id);
  EXPECT_EQ(severe.source, "pipeline");
  EXPECT_EQ(severe.decision_id, 77);
  EXPECT_EQ(severe.country, "FR");
  EXPECT_EQ(severe.severity, 4);
  // A plain B2-matching report joins a case of a lower severity and raises
  // it; a lower one never lowers it.
  NewReport b2 = report("https://example.org/q2");
  b2.severity = classification_severity("B2");
  intake({b2});
  EXPECT_EQ(get(many[0].case_id).severity, 1);
  EXPECT_EQ(get(many[0].case_id).report_count, 3);
  NewReport public_copy = report("", "Synthetic report of the same file");
  public_copy.file_sha256 = detected.file_sha256;
  EXPECT_EQ(intake({public_copy})[0].case_id, severe_id);
  EXPECT_EQ(get(severe_id).severity, 4);
  EXPECT_EQ(get(severe_id).report_count, 2);
  auto q = cases_->queue(std::nullopt, 10);
  ASSERT_TRUE(q.ok());
  ASSERT_EQ(q.value().size(), 4u);
  EXPECT_EQ(q.value()[0].id, harm[0].case_id);
  EXPECT_EQ(q.value()[1].id, severe_id);
  EXPECT_EQ(q.value()[2].id, many[0].case_id);
  EXPECT_EQ(q.value()[3].id, plain[0].case_id);
  auto only_new = cases_->queue(CaseState::kTriage, 10);
  ASSERT_TRUE(only_new.ok());
  EXPECT_TRUE(only_new.value().empty());
  EXPECT_FALSE(cases_->queue(std::nullopt, 0).ok());
}

TEST_P(CaseStoreTest, PartnersAndReveals) {
  ASSERT_TRUE(cases_->create_partner({0, "ES", "Synthetic Authority ES", "authority", "x@example.org", 24}).ok());
  auto dup = cases_->create_partner({0, "ES", "Synthetic Authority ES", "authority", "x@example.org", 24});
  EXPECT_FALSE(dup.ok());
  EXPECT_NE(cases_->create_partner({0, "ESP", "n", "hotline", "c", 24}).status().message().find("country"),
            std::string::npos);
  EXPECT_NE(cases_->create_partner({0, "ES", "n2", "police", "c", 24}).status().message().find("kind"),
            std::string::npos);
  EXPECT_EQ(cases_->list_partners().value().size(), 1u);

  ASSERT_TRUE(cases_->add_reveal("reviewer-1", 1, 1, 1500).ok());
  ASSERT_TRUE(cases_->add_reveal("reviewer-1", 1, 2, 500).ok());
  ASSERT_TRUE(cases_->add_reveal("reviewer-2", 1, 1, 9000).ok());
  EXPECT_FALSE(cases_->add_reveal("reviewer-1", 1, 1, -1).ok());
  auto e = cases_->exposure("reviewer-1", 0, INT64_MAX);
  ASSERT_TRUE(e.ok());
  EXPECT_EQ(e.value().reveals, 2);
  EXPECT_EQ(e.value().duration_ms, 2000);
  EXPECT_EQ(cases_->exposure("reviewer-1", 0, 1).value().reveals, 0);
}

TEST_P(CaseStoreTest, EvidenceLinkAndSurvivesReopen) {
  auto r = intake({report("https://example.org/e")});
  ASSERT_TRUE(cases_->set_report_evidence(r[0].report_id, 42).ok());
  EXPECT_FALSE(cases_->set_report_evidence(987654, 1).ok());
  cases_.reset();
  auto c = open_case_store(location_);
  ASSERT_TRUE(c.ok());
  auto reps = c.value()->reports_of(r[0].case_id).value();
  ASSERT_EQ(reps.size(), 1u);
  EXPECT_EQ(reps[0].evidence_id, 42);
  NewReport with = report("https://example.org/e2");
  with.evidence_id = 7;  // given at intake (the vault item of the upload)
  auto r2 = c.value()->intake(std::vector<NewReport>{with});
  ASSERT_TRUE(r2.ok()) << r2.status().message();
  EXPECT_EQ(c.value()->reports_of(r2.value()[0].case_id).value()[0].evidence_id, 7);
}

TEST_P(CaseStoreTest, RedactionClearsTheFieldsAndSaysWhich) {
  NewReport r = report("https://example.org/redact", "Synthetic description naming a synthetic person");
  r.contact = "synthetic@example.org";
  auto got = intake({r});
  const int64_t id = got[0].case_id, rid = got[0].report_id;
  ASSERT_TRUE(cases_->redact_report(id, rid, kRedactDescription).ok());
  auto rep = cases_->reports_of(id).value()[0];
  EXPECT_EQ(rep.description, "");
  EXPECT_EQ(rep.contact, "synthetic@example.org");
  EXPECT_EQ(rep.redacted, kRedactDescription);
  ASSERT_TRUE(cases_->redact_report(id, rid, kRedactContact).ok());
  rep = cases_->reports_of(id).value()[0];
  EXPECT_EQ(rep.contact, "");
  EXPECT_EQ(rep.redacted, kRedactDescription | kRedactContact);
  EXPECT_EQ(rep.url, "https://example.org/redact");  // the content's address is not personal data
  Status s = cases_->redact_report(id, rid, 0);
  EXPECT_EQ(s.message().rfind("fields:", 0), 0u) << s.message();
  EXPECT_EQ(cases_->redact_report(id, rid, 8).message().rfind("fields:", 0), 0u);
  s = cases_->redact_report(id + 1000, rid, kRedactContact);
  EXPECT_EQ(s.message().rfind("report:", 0), 0u) << s.message();
}

TEST_P(CaseStoreTest, RevealedEvidenceOfOneCaseEachOnce) {
  EXPECT_TRUE(cases_->revealed_evidence(1).value().empty());
  ASSERT_TRUE(cases_->add_reveal("reviewer-1", 1, 9, 100).ok());
  ASSERT_TRUE(cases_->add_reveal("reviewer-2", 1, 3, 200).ok());
  ASSERT_TRUE(cases_->add_reveal("reviewer-1", 1, 9, 0).ok());    // revealed twice: listed once
  ASSERT_TRUE(cases_->add_reveal("reviewer-1", 2, 5, 300).ok());  // another case
  auto got = cases_->revealed_evidence(1);
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got.value(), (std::vector<int64_t>{3, 9}));
  EXPECT_EQ(cases_->revealed_evidence(2).value(), (std::vector<int64_t>{5}));
  EXPECT_TRUE(cases_->revealed_evidence(987654).value().empty());
}

INSTANTIATE_TEST_SUITE_P(Sqlite, CaseStoreTest, ::testing::Values(Backend::kSqlite), backend_name);
INSTANTIATE_TEST_SUITE_P(Postgres, CaseStoreTest, ::testing::Values(Backend::kPostgres), backend_name);

}  // namespace
TEST_P(CaseStoreTest, OneCybertipReportPerCase) {
  const int64_t id = intake({report("https://example.org/tip")})[0].case_id;
  EXPECT_EQ(get(id).cybertip_report, "");
  auto first = cases_->claim_cybertip(id, false);
  ASSERT_TRUE(first.ok()) << first.status().message();
  EXPECT_TRUE(first.value());
  EXPECT_EQ(get(id).cybertip_report, "pending");
  EXPECT_FALSE(cases_->claim_cybertip(id, false).value());  // a second submission waits its turn
  ASSERT_TRUE(cases_->finish_cybertip(id, "").ok());        // the first failed: released
  EXPECT_TRUE(cases_->claim_cybertip(id, false).value());
  // An interrupted submission stays pending until someone retakes it.
  EXPECT_FALSE(cases_->claim_cybertip(id, false).value());
  EXPECT_TRUE(cases_->claim_cybertip(id, true).value());
  ASSERT_TRUE(cases_->finish_cybertip(id, "100042").ok());
  EXPECT_EQ(get(id).cybertip_report, "100042");
  EXPECT_FALSE(cases_->claim_cybertip(id, true).value());  // filed: never again
  auto unknown = cases_->claim_cybertip(id + 1000, false);
  ASSERT_FALSE(unknown.ok());
  EXPECT_NE(unknown.status().message().find("case"), std::string::npos);
  EXPECT_FALSE(cases_->finish_cybertip(id + 1000, "1").ok());
}

TEST_P(CaseStoreTest, JoinCaseIsAHintForOpenCasesOnly) {
  NewReport first = report("", "Synthetic report with a picture");
  first.file_sha256 = random_value(SignalType::kSha256);
  first.file_pdq = random_value(SignalType::kPdq);
  const int64_t id = intake({first})[0].case_id;
  auto pdqs = cases_->open_case_pdqs(100);
  ASSERT_TRUE(pdqs.ok()) << pdqs.status().message();
  ASSERT_EQ(pdqs.value().size(), 1u);
  EXPECT_EQ(pdqs.value()[0].first, id);
  EXPECT_EQ(pdqs.value()[0].second, first.file_pdq);

  NewReport near = report("https://example.org/elsewhere", "Synthetic near-duplicate");
  near.join_case = id;
  EXPECT_EQ(intake({near})[0].case_id, id);
  EXPECT_EQ(get(id).report_count, 2);

  TransitionRequest close;
  close.to = CaseState::kClosed;
  close.note = "synthetic";
  ASSERT_TRUE(cases_->transition(id, close, "tester").ok());
  EXPECT_TRUE(cases_->open_case_pdqs(100).value().empty());
  // A hint naming a closed case opens a new case (or joins by URL/hash).
  NewReport late = report("", "Synthetic late report");
  late.join_case = id;
  auto got = intake({late});
  ASSERT_EQ(got.size(), 1u);
  EXPECT_NE(got[0].case_id, id);
  EXPECT_TRUE(got[0].new_case);
  NewReport bad = report("", "x");
  bad.severity = 9;
  auto refused = cases_->intake(std::vector<NewReport>{bad});
  ASSERT_FALSE(refused.ok());
  EXPECT_NE(refused.status().message().find("reports[0].severity"), std::string::npos);
}

}  // namespace chainbreak::store::testing
