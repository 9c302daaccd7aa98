// Validation of CyberTipline reports and file details, and report.json.
#include <gtest/gtest.h>

#include "reports/cybertip.h"
#include "reports/cybertip_json.h"
#include "reports/report_samples.h"

namespace chainbreak::reports {
namespace {

using namespace cybertip;

std::string error_of(const Status& s) {
  EXPECT_FALSE(s.ok());
  EXPECT_EQ(s.code(), ErrorCode::kInvalidInput);
  return s.message();
}

TEST(CybertipValidate, SamplesAreValid) {
  EXPECT_TRUE(validate(test::minimal_report()).ok());
  EXPECT_TRUE(validate(test::full_report()).ok()) << validate(test::full_report()).message();
  EXPECT_TRUE(validate_file(test::full_file(), 1, false).ok());
}

TEST(CybertipValidate, IncidentTypeMustBeDocumented) {
  Report r = test::minimal_report();
  r.incident_summary.incident_type = "";
  EXPECT_EQ(error_of(validate(r)), "report.incidentSummary.incidentType: is required");
  r.incident_summary.incident_type = "Child Pornography";
  EXPECT_EQ(error_of(validate(r)).rfind("report.incidentSummary.incidentType: 'Child Pornography' is not", 0), 0u);
  for (std::string_view t : incident_types()) {
    r.incident_summary.incident_type = std::string(t);
    EXPECT_TRUE(validate(r).ok()) << t;
  }
  EXPECT_EQ(incident_types().size(), 8u);
}

TEST(CybertipValidate, ReportFieldsNamed) {
  Report r = test::minimal_report();
  r.incident_summary.incident_date_time = "2024-01-15 14:30";
  EXPECT_EQ(error_of(validate(r)).rfind("report.incidentSummary.incidentDateTime: must be an ISO 8601", 0), 0u);
  r = test::minimal_report();
  r.incident_summary.report_annotations = {"spam", "nope"};
  EXPECT_EQ(error_of(validate(r)).rfind("report.incidentSummary.reportAnnotations[2]: 'nope'", 0), 0u);
  r = test::minimal_report();
  r.reporter.reporting_person.emails.clear();
  EXPECT_EQ(error_of(validate(r)), "report.reporter.reportingPerson.email: at least one email address is required");
  r = test::minimal_report();
  r.internet_details.emplace_back();
  EXPECT_EQ(error_of(validate(r)), "report.internetDetails[1].webPageIncident.url: at least one url is required");
  r.internet_details[0].kind = InternetDetails::Kind::kChatIm;
  EXPECT_EQ(error_of(validate(r)).rfind("report.internetDetails[1].chatImIncident: give at least one", 0), 0u);
  r = test::full_report();
  r.person_or_user_reported->ip_capture_events[0].event_name = "Download";
  EXPECT_EQ(error_of(validate(r)).rfind("report.personOrUserReported.ipCaptureEvent[1].eventName: must be", 0), 0u);
  r = test::full_report();
  r.person_or_user_reported->prior_ct_reports = {0};
  EXPECT_EQ(error_of(validate(r)), "report.personOrUserReported.priorCTReports[1]: must be > 0");
  r = test::minimal_report();
  r.additional_info = "\x02";
  EXPECT_EQ(error_of(validate(r)).rfind("report.additionalInfo: is not valid UTF-8 XML text", 0), 0u);
}

TEST(CybertipValidate, FileFieldsNamed) {
  FileDetails f = test::full_file();
  f.industry_classification = "C3";
  EXPECT_EQ(error_of(validate_file(f, 2, false)), "file 2: industryClassification must be A1, A2, B1 or B2");
  f = test::full_file();
  f.file_relevance = "Supplemental Reported";
  f.file_annotations.clear();
  EXPECT_EQ(error_of(validate_file(f, 1, false)),
            "file 1: industryClassification applies to Reported files only, not Supplemental Reported");
  f.industry_classification.clear();
  EXPECT_TRUE(validate_file(f, 1, false).ok());
  f.file_annotations = {"potentialMeme"};
  EXPECT_EQ(error_of(validate_file(f, 1, false)),
            "file 1: fileAnnotations potentialMeme applies to Reported files only");
  f = test::full_file();
  f.file_relevance = "Important";
  EXPECT_EQ(error_of(validate_file(f, 3, false)), "file 3: fileRelevance must be Reported or Supplemental Reported");
  f = test::full_file();
  f.original_file_hashes = {{"MD5", "abc"}};
  EXPECT_EQ(error_of(validate_file(f, 1, false)), "file 1: originalFileHash[1] MD5 must be 32 hex digits");
  f.original_file_hashes = {{"SHA1", std::string(40, 'g')}};
  EXPECT_EQ(error_of(validate_file(f, 1, false)), "file 1: originalFileHash[1] SHA1 must be 40 hex digits");
  f.original_file_hashes = {{"PDNA", "opaque-value"}};
  EXPECT_TRUE(validate_file(f, 1, false).ok());
  f.original_file_hashes = {{"", "x"}};
  EXPECT_EQ(error_of(validate_file(f, 1, false)).rfind("file 1: originalFileHash[1].hashType must be", 0), 0u);
  f = test::full_file();
  f.details[0].type = "XMP";
  EXPECT_EQ(error_of(validate_file(f, 1, false)), "file 1: details[1].type must be EXIF or HASH");
  f = test::full_file();
  f.file_annotations = {"cartoon"};
  EXPECT_EQ(error_of(validate_file(f, 1, false)).rfind("file 1: fileAnnotations[1] 'cartoon' is not one of", 0), 0u);
  f = test::full_file();
  EXPECT_EQ(error_of(validate_file(f, 1, true)), "file 1: reportId must be the decimal report id from /submit");
  f.report_id = "12";
  EXPECT_EQ(error_of(validate_file(f, 1, true)), "file 1: fileId is required");
}

TEST(CybertipValidate, Dates) {
  EXPECT_TRUE(is_iso8601_date_time("2024-02-29T23:59:59Z"));
  EXPECT_TRUE(is_iso8601_date_time("2024-01-15T14:30:00.123+05:30"));
  EXPECT_TRUE(is_iso8601_date_time("2024-01-15T14:30:00-08:00"));
  EXPECT_FALSE(is_iso8601_date_time("2023-02-29T00:00:00Z"));
  EXPECT_FALSE(is_iso8601_date_time("2024-01-15T14:30:00"));  // no offset
  EXPECT_FALSE(is_iso8601_date_time("2024-01-15T24:00:00Z"));
  EXPECT_FALSE(is_iso8601_date_time("2024-01-15T14:30:00+0530"));
  EXPECT_TRUE(is_date("2000-02-29"));
  EXPECT_FALSE(is_date("1900-02-29"));
  EXPECT_FALSE(is_date("2024-13-01"));
}

constexpr const char* kJson = R"({
  "report": {
    "incidentSummary": {
      "incidentType": "Online Enticement of Children for Sexual Acts",
      "reportAnnotations": ["sextortion"],
      "incidentDateTime": "2024-01-15T14:30:00Z"
    },
    "internetDetails": [
      {"webPageIncident": {"url": ["https://example.com/x"], "thirdPartyHostedContent": true}},
      {"chatImIncident": {"chatClient": "ExampleChat", "content": "synthetic"}}
    ],
    "reporter": {
      "reportingPerson": {"firstName": "T", "email": ["r@example.com", {"value": "s@example.com", "verified": true}],
                          "phone": [{"value": "+1-555-0100"}]},
      "legalUrl": "https://example.com/legal"
    },
    "personOrUserReported": {"screenName": "u", "priorCTReports": [5],
                             "ipCaptureEvent": [{"ipAddress": "192.0.2.1", "port": 80}]},
    "additionalInfo": "synthetic"
  },
  "files": [
    {"path": "a.bin", "fileViewedByEsp": true, "publiclyAvailable": false, "industryClassification": "A2",
     "originalFileHash": [{"hashType": "MD5", "value": "0123456789abcdef0123456789abcdef"}],
     "details": [{"type": "EXIF", "nameValuePair": [{"name": "Make", "value": "X"}]}],
     "additionalInfo": ["n"]},
    {"fileRelevance": "Supplemental Reported"}
  ]
})";

TEST(CybertipJson, ReadsEveryModelledField) {
  auto in = parse_report_json(kJson);
  ASSERT_TRUE(in.ok()) << in.status().message();
  const Report& r = in.value().report;
  EXPECT_TRUE(validate(r).ok()) << validate(r).message();
  EXPECT_EQ(r.incident_summary.report_annotations, std::vector<std::string>{"sextortion"});
  ASSERT_EQ(r.internet_details.size(), 2u);
  EXPECT_EQ(r.internet_details[0].web_page.third_party_hosted_content, std::optional<bool>(true));
  EXPECT_EQ(r.internet_details[1].kind, InternetDetails::Kind::kChatIm);
  ASSERT_EQ(r.reporter.reporting_person.emails.size(), 2u);
  EXPECT_EQ(r.reporter.reporting_person.emails[0].verified, std::nullopt);
  EXPECT_EQ(r.reporter.reporting_person.emails[1].verified, std::optional<bool>(true));
  EXPECT_EQ(r.person_or_user_reported->prior_ct_reports, std::vector<int64_t>{5});
  EXPECT_EQ(r.person_or_user_reported->ip_capture_events[0].port, std::optional<int>(80));
  ASSERT_EQ(in.value().files.size(), 2u);
  const FileToSend& f = in.value().files[0];
  EXPECT_EQ(f.path, "a.bin");
  EXPECT_EQ(f.details.file_viewed_by_esp, std::optional<bool>(true));
  EXPECT_EQ(f.details.publicly_available, std::optional<bool>(false));
  EXPECT_EQ(f.details.exif_viewed_by_esp, std::nullopt);
  EXPECT_EQ(f.details.details[0].pairs[0].value, "X");
  EXPECT_EQ(in.value().files[1].details.file_relevance, "Supplemental Reported");
}

TEST(CybertipJson, ShapeErrorsNameThePath) {
  auto msg = [](const std::string& j) {
    auto r = parse_report_json(j);
    EXPECT_FALSE(r.ok());
    return r.ok() ? std::string() : r.status().message();
  };
  EXPECT_EQ(msg("{"), "not valid JSON");
  EXPECT_EQ(msg("{}"), "report: is required");
  EXPECT_EQ(msg(R"({"report": {"reporter": {}, "incidentSumary": {}}})"), "report.incidentSumary: unknown field");
  EXPECT_EQ(msg(R"({"report": {"reporter": {}, "incidentSummary": {"incidentType": 3}}})"),
            "report.incidentSummary.incidentType: must be a string");
  EXPECT_EQ(msg(R"({"report": {"reporter": {}}, "files": [{}, {"fileViewedByEsp": "yes"}]})"),
            "files[2].fileViewedByEsp: must be true or false");
  EXPECT_EQ(msg(R"({"report": {"reporter": {}, "internetDetails": [{}]}})"),
            "report.internetDetails[1]: must hold exactly one of webPageIncident, chatImIncident");
  EXPECT_EQ(msg(R"({"report": {}})"), "report.reporter: is required");
}

}  // namespace
}  // namespace chainbreak::reports
