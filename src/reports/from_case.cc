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

}  // namespace chainbreak::reports::cybertip
