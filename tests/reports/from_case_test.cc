// A CyberTipline report from a case: the mapping (incident type, priority,
// URLs, files with their hashes and flags), the refusals, and that the
// result writes as XML. Cases and reports are synthetic.
#include "reports/from_case.h"

#include <gtest/gtest.h>

#include <set>
#include <vector>

#include "report_samples.h"
#include "reports/xml_tree.h"

namespace chainbreak::reports {
namespace {
using test::minimal_report;

store::Case assessed_case() {
  store::Case c;
  c.id = 12;
  c.created_us = 1'763'900'000'000'000;  // 2025-11-23T12:13:20Z
  c.state = store::CaseState::kAssessed;
  c.assessment = "illegal_baseline";
  c.category = "csam";
  c.country = "GB";
  c.url_key = "https://example.org/synthetic";
  c.report_count = 2;
  return c;
}

std::vector<store::CaseReport> two_reports() {
  store::CaseReport a;
  a.id = 1;
  a.created_us = 1'763'900'000'000'000;
  a.url = "https://example.org/synthetic/";
  a.evidence_id = 7;
  a.file_md5 = std::string(32, 'a');
  a.file_sha256 = std::string(64, 'b');
  a.file_pdq = std::string(64, 'c');
  store::CaseReport b;
  b.id = 2;
  b.created_us = 1'763'900'100'000'000;
  b.description = "Synthetic description";  // never copied into the report
  return {a, b};
}

TEST(CybertipFromCase, MapsTheCase) {
  auto reports = two_reports();
  auto got = cybertip::report_from_case(assessed_case(), reports, minimal_report().reporter, {7});
  ASSERT_TRUE(got.ok()) << got.status().message();
  const auto& r = got.value().report;
  EXPECT_EQ(r.incident_summary.incident_type, "Child Pornography (possession, manufacture, and distribution)");
  EXPECT_EQ(r.incident_summary.incident_date_time, "2025-11-23T12:13:20Z");
  EXPECT_TRUE(r.incident_summary.escalate_to_high_priority.empty());
  ASSERT_EQ(r.internet_details.size(), 1u);
  EXPECT_EQ(r.internet_details[0].web_page.urls,
            (std::vector<std::string>{"https://example.org/synthetic", "https://example.org/synthetic/"}));
  EXPECT_EQ(r.additional_info.find("Synthetic description"), std::string::npos);
  ASSERT_EQ(got.value().files.size(), 1u);
  const auto& f = got.value().files[0];
  EXPECT_EQ(f.evidence_id, 7);
  EXPECT_EQ(f.details.file_viewed_by_esp, true);
  EXPECT_EQ(f.details.publicly_available, true);
  EXPECT_EQ(f.details.file_relevance, "Reported");
  ASSERT_EQ(f.details.original_file_hashes.size(), 2u);
  EXPECT_EQ(f.details.original_file_hashes[0].hash_type, "MD5");
  EXPECT_EQ(f.details.original_file_hashes[1].value, std::string(64, 'b'));
  EXPECT_TRUE(cybertip::report_xml(r).ok());
  EXPECT_TRUE(cybertip::file_details_xml(f.details).ok());

  // Not revealed: not viewed by the ESP.
  got = cybertip::report_from_case(assessed_case(), reports, minimal_report().reporter, {});
  EXPECT_EQ(got.value().files[0].details.file_viewed_by_esp, false);
}

TEST(CybertipFromCase, PriorityAnnotationsAndClassification) {
  store::Case c = assessed_case();
  c.category = "sextortion";
  c.live_harm = true;
  c.severity = 4;  // store::classification_severity("A1")
  auto reports = two_reports();
  auto got = cybertip::report_from_case(c, reports, minimal_report().reporter, {});
  ASSERT_TRUE(got.ok()) << got.status().message();
  EXPECT_EQ(got.value().report.incident_summary.incident_type, "Online Enticement of Children for Sexual Acts");
  EXPECT_EQ(got.value().report.incident_summary.report_annotations, (std::vector<std::string>{"sextortion"}));
  EXPECT_FALSE(got.value().report.incident_summary.escalate_to_high_priority.empty());
  EXPECT_EQ(got.value().files[0].details.industry_classification, "A1");
}

TEST(CybertipFromCase, RefusesWhatIsNotReportable) {
  auto reports = two_reports();
  store::Case c = assessed_case();
  c.assessment = "not_illegal";
  auto got = cybertip::report_from_case(c, reports, minimal_report().reporter, {});
  ASSERT_FALSE(got.ok());
  EXPECT_EQ(got.status().message().rfind("case:", 0), 0u) << got.status().message();
  c = assessed_case();
  c.assessment = "";
  EXPECT_FALSE(cybertip::report_from_case(c, reports, minimal_report().reporter, {}).ok());
  c = assessed_case();
  c.category = "other";
  got = cybertip::report_from_case(c, reports, minimal_report().reporter, {});
  ASSERT_FALSE(got.ok());
  EXPECT_NE(got.status().message().find("category other"), std::string::npos);
  cybertip::Reporter nobody;  // no e-mail: the report does not validate
  EXPECT_FALSE(cybertip::report_from_case(assessed_case(), reports, nobody, {}).ok());
}

TEST(CybertipFromCase, ExportDocumentHoldsTheReportAndEachFile) {
  auto reports = two_reports();
  auto got = cybertip::report_from_case(assessed_case(), reports, minimal_report().reporter, {7});
  ASSERT_TRUE(got.ok()) << got.status().message();
  auto xml = cybertip::case_report_xml(12, got.value());
  ASSERT_TRUE(xml.ok()) << xml.status().message();
  auto doc = parse_xml(xml.value());  // well-formed: one root
  ASSERT_TRUE(doc.ok()) << doc.status().message() << "\n" << xml.value();
  EXPECT_EQ(doc.value().name, "cybertipCase");
  ASSERT_NE(doc.value().attribute("caseId"), nullptr);
  EXPECT_EQ(*doc.value().attribute("caseId"), "12");
  const XmlElement* report = doc.value().child("report");
  ASSERT_NE(report, nullptr);
  EXPECT_EQ(report->child("incidentSummary")->child("incidentType")->trimmed_text(),
            "Child Pornography (possession, manufacture, and distribution)");
  auto files = doc.value().children_named("fileDetails");
  ASSERT_EQ(files.size(), 1u);
  EXPECT_EQ(*files[0]->attribute("evidenceId"), "7");
  EXPECT_EQ(files[0]->child("fileViewedByEsp")->trimmed_text(), "true");
  EXPECT_EQ(files[0]->child("originalFileHash")->trimmed_text(), std::string(32, 'a'));
  EXPECT_EQ(files[0]->child("reportId"), nullptr);  // unknown before submission
}

}  // namespace
}  // namespace chainbreak::reports
