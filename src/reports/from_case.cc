#include "reports/from_case.h"

#include <algorithm>
#include <ctime>

#include "util/text.h"

namespace chainbreak::reports::cybertip {

namespace {

std::string classification(int severity) {
  switch (severity) {
    case 4: return "A1";
    case 3: return "A2";
    case 2: return "B1";
    case 1: return "B2";
    default: return "";
  }
}

}  // namespace

Result<CaseReportOut> report_from_case(const store::Case& c, std::span<const store::CaseReport> reports,
                                       const Reporter& reporter, const std::set<int64_t>& revealed) {
  if (c.assessment != "illegal_baseline" && c.assessment != "illegal_national") {
    return InvalidInput("case: case " + std::to_string(c.id) + " is not assessed illegal (" +
                        (c.assessment.empty() ? std::string("not assessed") : c.assessment) + ")");
  }
  CaseReportOut out;
  Report& r = out.report;
  IncidentSummary& s = r.incident_summary;
  if (c.category == "csam") {
    s.incident_type = "Child Pornography (possession, manufacture, and distribution)";
  } else if (c.category == "grooming" || c.category == "sextortion") {
    s.incident_type = "Online Enticement of Children for Sexual Acts";
    if (c.category == "sextortion") s.report_annotations.push_back("sextortion");
  } else if (c.category == "trafficking") {
    s.incident_type = "Child Sex Trafficking";
  } else {
    return InvalidInput("case: category " + c.category + " has no CyberTipline incident type");
  }
  if (c.live_harm) s.escalate_to_high_priority = "A reporter said a child may be in danger now";
  int64_t first = c.created_us;
  for (const auto& x : reports) first = std::min(first, x.created_us);
  s.incident_date_time = iso_utc_seconds(first);

  std::vector<std::string> urls;
  auto add_url = [&urls](const std::string& u) {
    if (!u.empty() && std::find(urls.begin(), urls.end(), u) == urls.end()) urls.push_back(u);
  };
  add_url(c.url_key);
  for (const auto& x : reports) add_url(x.url);
  if (!urls.empty()) {
    InternetDetails d;
    d.kind = InternetDetails::Kind::kWebPage;
    d.web_page.urls = urls;
    r.internet_details.push_back(std::move(d));
  }
  r.reporter = reporter;
  r.additional_info = "chainbreak case " + std::to_string(c.id) + ": " + std::to_string(c.report_count) +
                      " report(s), assessed " + c.assessment +
                      (c.country.empty() ? std::string() : ", country " + c.country);

  for (const auto& x : reports) {
    if (x.evidence_id <= 0) continue;
    CaseFile f;
    f.evidence_id = x.evidence_id;
    FileDetails& d = f.details;
    d.file_name = "evidence-" + std::to_string(x.evidence_id);
    d.file_viewed_by_esp = revealed.count(x.evidence_id) > 0;
    d.publicly_available = !x.url.empty() || !c.url_key.empty();
    d.file_relevance = "Reported";
    d.industry_classification = classification(c.severity);
    if (!x.file_md5.empty()) d.original_file_hashes.push_back({"MD5", x.file_md5});
    if (!x.file_sha256.empty()) d.original_file_hashes.push_back({"SHA256", x.file_sha256});
    if (!x.file_pdq.empty()) d.details.push_back({"HASH", {{"PDQ", x.file_pdq}}});
    out.files.push_back(std::move(f));
  }
  if (Status st = validate(r); !st.ok()) return st;
  for (size_t i = 0; i < out.files.size(); ++i) {
    if (Status st = validate_file(out.files[i].details, i + 1, false); !st.ok()) return st;
  }
  return out;
}

Reporter case_reporter(std::string_view name, std::string_view email, std::string_view phone) {
  Reporter r;
  Person& p = r.reporting_person;
  const size_t space = name.rfind(' ');
  if (space == std::string_view::npos) {
    p.last_name = std::string(name);
  } else {
    p.first_name = std::string(name.substr(0, space));
    p.last_name = std::string(name.substr(space + 1));
  }
  if (!email.empty()) p.emails.push_back({std::string(email), std::nullopt});
  if (!phone.empty()) p.phones.push_back({std::string(phone), std::nullopt});
  return r;
}

Result<std::optional<CaseReportOut>> load_case_report(store::CaseStore& db, int64_t case_id, const Reporter& reporter) {
  auto c = db.get_case(case_id);
  if (!c.ok()) return c.status();
  if (!c.value()) return std::optional<CaseReportOut>();
  auto reports = db.reports_of(case_id);
  if (!reports.ok()) return reports.status();
  auto revealed = db.revealed_evidence(case_id);
  if (!revealed.ok()) return revealed.status();
  const std::set<int64_t> seen(revealed.value().begin(), revealed.value().end());
  auto out = report_from_case(*c.value(), reports.value(), reporter, seen);
  if (!out.ok()) return out.status();
  return std::optional<CaseReportOut>(std::move(out).value());
}

Result<std::string> case_report_xml(int64_t case_id, const CaseReportOut& out) {
  // Each document without its XML declaration; attrs go on its root element.
  auto body = [](std::string doc, const std::string& attrs) {
    if (doc.rfind("<?xml", 0) == 0) doc.erase(0, doc.find('\n') + 1);
    if (!attrs.empty()) doc.insert(doc.find_first_of(" >"), attrs);
    return doc;
  };
  auto report = report_xml(out.report);
  if (!report.ok()) return report.status();
  std::string xml = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n<cybertipCase caseId=\"" + std::to_string(case_id) +
                    "\">\n" + body(std::move(report).value(), "");
  for (size_t i = 0; i < out.files.size(); ++i) {
    auto details = file_details_xml(out.files[i].details);
    if (!details.ok())
      return Status(details.status().code(), "file " + std::to_string(i + 1) + ": " + details.status().message());
    xml += body(std::move(details).value(), " evidenceId=\"" + std::to_string(out.files[i].evidence_id) + "\"");
  }
  if (!xml.empty() && xml.back() != '\n') xml += '\n';
  return xml + "</cybertipCase>\n";
}

}  // namespace chainbreak::reports::cybertip
