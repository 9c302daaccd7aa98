// CyberTipline model: the documented value lists and validation.
#include "reports/cybertip.h"

#include <algorithm>
#include <array>
#include <cctype>

#include "reports/xml_tree.h"

namespace chainbreak::reports::cybertip {
namespace {

constexpr std::array<std::string_view, 8> kIncidentTypes = {
    "Child Pornography (possession, manufacture, and distribution)",
    "Child Sex Trafficking",
    "Child Sex Tourism",
    "Child Sexual Molestation",
    "Misleading Domain Name",
    "Misleading Words or Digital Images on the Internet",
    "Online Enticement of Children for Sexual Acts",
    "Unsolicited Obscene Material Sent to a Child",
};
constexpr std::array<std::string_view, 5> kReportAnnotations = {
    "sextortion", "csamSolicitation", "minorToMinorInteraction", "spam", "sadisticOnlineExploitation"};
constexpr std::array<std::string_view, 10> kFileAnnotations = {"animeDrawingVirtualHentai",
                                                               "potentialMeme",
                                                               "viral",
                                                               "possibleSelfProduction",
                                                               "physicalHarm",
                                                               "violenceGore",
                                                               "bestiality",
                                                               "liveStreaming",
                                                               "infant",
                                                               "generativeAi"};
constexpr std::array<std::string_view, 6> kIpEventNames = {"Login",  "Registration", "Purchase",
                                                           "Upload", "Other",        "Unknown"};
constexpr size_t kMaxText = 64 * 1024;  // per field; the service has its own limits

template <size_t N>
bool one_of(const std::array<std::string_view, N>& list, std::string_view v) {
  return std::find(list.begin(), list.end(), v) != list.end();
}

std::string join_list(std::span<const std::string_view> list) {
  std::string out;
  for (size_t i = 0; i < list.size(); ++i) {
    if (i) out += i + 1 == list.size() ? " or " : ", ";
    out += list[i];
  }
  return out;
}

bool digits(std::string_view s, size_t pos, size_t n) {
  if (pos + n > s.size()) return false;
  for (size_t i = pos; i < pos + n; ++i)
    if (!std::isdigit(static_cast<unsigned char>(s[i]))) return false;
  return true;
}
int num(std::string_view s, size_t pos, size_t n) {
  int v = 0;
  for (size_t i = pos; i < pos + n; ++i) v = v * 10 + (s[i] - '0');
  return v;
}

bool is_hex(std::string_view s) {
  return std::all_of(s.begin(), s.end(), [](char c) { return std::isxdigit(static_cast<unsigned char>(c)) != 0; });
}

// Collects the first error; later checks are skipped once one failed.
class Checker {
 public:
  // Messages read "<prefix><field><sep><reason>".
  Checker(std::string prefix, std::string sep) : prefix_(std::move(prefix)), sep_(std::move(sep)) {}
  bool ok() const { return error_.empty(); }
  Status status() const { return ok() ? Status::Ok() : InvalidInput(error_); }
  void fail(std::string_view field, std::string_view reason) {
    if (ok()) error_ = prefix_ + std::string(field) + sep_ + std::string(reason);
  }
  // Any text field: valid XML characters, bounded.
  void text(std::string_view field, std::string_view v) {
    if (v.size() > kMaxText) return fail(field, "longer than " + std::to_string(kMaxText) + " bytes");
    if (!is_xml_text(v)) fail(field, "is not valid UTF-8 XML text (control character or bad byte)");
  }
  void required(std::string_view field, std::string_view v) {
    if (v.find_first_not_of(" \t\r\n") == std::string_view::npos) return fail(field, "is required");
    text(field, v);
  }
  void date_time(std::string_view field, std::string_view v) {
    if (!v.empty() && !is_iso8601_date_time(v))
      fail(field, "must be an ISO 8601 date-time with offset, e.g. 2024-01-15T12:00:00Z");
  }

 private:
  std::string prefix_, sep_;
  std::string error_;
};

void check_person(Checker& c, const std::string& at, const Person& p, bool email_required) {
  c.text(at + ".firstName", p.first_name);
  c.text(at + ".lastName", p.last_name);
  for (size_t i = 0; i < p.phones.size(); ++i)
    c.required(at + ".phone[" + std::to_string(i + 1) + "]", p.phones[i].number);
  for (size_t i = 0; i < p.emails.size(); ++i) {
    const std::string f = at + ".email[" + std::to_string(i + 1) + "]";
    c.required(f, p.emails[i].address);
    if (c.ok() && p.emails[i].address.find('@') == std::string::npos) c.fail(f, "is not an email address");
  }
  if (email_required && p.emails.empty()) c.fail(at + ".email", "at least one email address is required");
  if (p.age && (*p.age < 0 || *p.age > 130)) c.fail(at + ".age", "must be 0..130");
  if (!p.date_of_birth.empty() && !is_date(p.date_of_birth)) c.fail(at + ".dateOfBirth", "must be YYYY-MM-DD");
}

void check_ip(Checker& c, const std::string& at, const IpCaptureEvent& e) {
  c.required(at + ".ipAddress", e.ip_address);
  if (!e.event_name.empty() && !one_of(kIpEventNames, e.event_name))
    c.fail(at + ".eventName", "must be " + join_list(kIpEventNames));
  c.date_time(at + ".dateTime", e.date_time);
  if (e.port && (*e.port < 1 || *e.port > 65535)) c.fail(at + ".port", "must be 1..65535");
}

}  // namespace

std::span<const std::string_view> incident_types() { return kIncidentTypes; }
std::span<const std::string_view> report_annotations() { return kReportAnnotations; }
std::span<const std::string_view> file_annotations() { return kFileAnnotations; }
std::span<const std::string_view> ip_event_names() { return kIpEventNames; }

bool is_date(std::string_view s) {
  if (s.size() != 10 || !digits(s, 0, 4) || s[4] != '-' || !digits(s, 5, 2) || s[7] != '-' || !digits(s, 8, 2))
    return false;
  const int y = num(s, 0, 4), m = num(s, 5, 2), d = num(s, 8, 2);
  static constexpr int kDays[] = {31, 29, 31, 30, 31, 30, 31, 31, 30, 31, 30, 31};
  if (m < 1 || m > 12 || d < 1 || d > kDays[m - 1]) return false;
  const bool leap = (y % 4 == 0 && y % 100 != 0) || y % 400 == 0;
  return !(m == 2 && d == 29 && !leap);
}

bool is_iso8601_date_time(std::string_view s) {
  if (s.size() < 20 || !is_date(s.substr(0, 10)) || (s[10] != 'T' && s[10] != 't')) return false;
  if (!digits(s, 11, 2) || s[13] != ':' || !digits(s, 14, 2) || s[16] != ':' || !digits(s, 17, 2)) return false;
  if (num(s, 11, 2) > 23 || num(s, 14, 2) > 59 || num(s, 17, 2) > 60) return false;
  size_t i = 19;
  if (i < s.size() && s[i] == '.') {
    const size_t start = ++i;
    while (i < s.size() && std::isdigit(static_cast<unsigned char>(s[i]))) ++i;
    if (i == start || i - start > 9) return false;
  }
  const std::string_view zone = s.substr(i);
  if (zone == "Z" || zone == "z") return true;
  return zone.size() == 6 && (zone[0] == '+' || zone[0] == '-') && digits(zone, 1, 2) && zone[3] == ':' &&
         digits(zone, 4, 2) && num(zone, 1, 2) <= 23 && num(zone, 4, 2) <= 59;
}

Status validate(const Report& r) {
  Checker c("report.", ": ");
  const IncidentSummary& s = r.incident_summary;
  if (s.incident_type.empty()) {
    c.fail("incidentSummary.incidentType", "is required");
  } else if (!one_of(kIncidentTypes, s.incident_type)) {
    c.fail("incidentSummary.incidentType",
           "'" + s.incident_type + "' is not a documented incident type (" + join_list(kIncidentTypes) + ")");
  }
  c.text("incidentSummary.escalateToHighPriority", s.escalate_to_high_priority);
  for (size_t i = 0; i < s.report_annotations.size(); ++i) {
    if (!one_of(kReportAnnotations, s.report_annotations[i]))
      c.fail("incidentSummary.reportAnnotations[" + std::to_string(i + 1) + "]",
             "'" + s.report_annotations[i] + "' is not one of " + join_list(kReportAnnotations));
  }
  if (s.incident_date_time.empty()) c.fail("incidentSummary.incidentDateTime", "is required");
  c.date_time("incidentSummary.incidentDateTime", s.incident_date_time);
  c.text("incidentSummary.incidentDateTimeDescription", s.incident_date_time_description);

  for (size_t i = 0; i < r.internet_details.size(); ++i) {
    const InternetDetails& d = r.internet_details[i];
    const std::string at = "internetDetails[" + std::to_string(i + 1) + "]";
    if (d.kind == InternetDetails::Kind::kWebPage) {
      if (d.web_page.urls.empty()) c.fail(at + ".webPageIncident.url", "at least one url is required");
      for (size_t k = 0; k < d.web_page.urls.size(); ++k)
        c.required(at + ".webPageIncident.url[" + std::to_string(k + 1) + "]", d.web_page.urls[k]);
      c.text(at + ".webPageIncident.additionalInfo", d.web_page.additional_info);
    } else {
      const ChatImIncident& ch = d.chat_im;
      if (ch.chat_client.empty() && ch.chat_room_name.empty() && ch.content.empty() && ch.additional_info.empty())
        c.fail(at + ".chatImIncident", "give at least one of chatClient, chatRoomName, content, additionalInfo");
      c.text(at + ".chatImIncident.chatClient", ch.chat_client);
      c.text(at + ".chatImIncident.chatRoomName", ch.chat_room_name);
      c.text(at + ".chatImIncident.content", ch.content);
      c.text(at + ".chatImIncident.additionalInfo", ch.additional_info);
    }
  }

  check_person(c, "reporter.reportingPerson", r.reporter.reporting_person, true);
  if (r.reporter.contact_person) check_person(c, "reporter.contactPerson", *r.reporter.contact_person, false);
  c.text("reporter.companyTemplate", r.reporter.company_template);
  c.text("reporter.termsOfService", r.reporter.terms_of_service);
  c.text("reporter.legalUrl", r.reporter.legal_url);

  if (r.person_or_user_reported) {
    const PersonOrUserReported& p = *r.person_or_user_reported;
    const std::string at = "personOrUserReported";
    if (p.person) check_person(c, at + ".personOrUserReportedPerson", *p.person, false);
    c.text(at + ".espIdentifier", p.esp_identifier);
    c.text(at + ".espService", p.esp_service);
    c.text(at + ".screenName", p.screen_name);
    for (size_t i = 0; i < p.display_names.size(); ++i)
      c.required(at + ".displayName[" + std::to_string(i + 1) + "]", p.display_names[i]);
    for (size_t i = 0; i < p.profile_urls.size(); ++i)
      c.required(at + ".profileUrl[" + std::to_string(i + 1) + "]", p.profile_urls[i]);
    for (size_t i = 0; i < p.ip_capture_events.size(); ++i)
      check_ip(c, at + ".ipCaptureEvent[" + std::to_string(i + 1) + "]", p.ip_capture_events[i]);
    for (size_t i = 0; i < p.prior_ct_reports.size(); ++i)
      if (p.prior_ct_reports[i] <= 0) c.fail(at + ".priorCTReports[" + std::to_string(i + 1) + "]", "must be > 0");
    c.text(at + ".groupIdentifier", p.group_identifier);
    c.text(at + ".additionalInfo", p.additional_info);
  }
  c.text("additionalInfo", r.additional_info);
  return c.status();
}

Status validate_file(const FileDetails& f, size_t index, bool require_ids) {
  Checker c("file " + std::to_string(index) + ": ", " ");
  if (require_ids) {
    if (f.report_id.empty() || !digits(f.report_id, 0, f.report_id.size()))
      c.fail("reportId", "must be the decimal report id from /submit");
    c.required("fileId", f.file_id);
  }
  c.text("fileName", f.file_name);
  c.text("originalFileName", f.original_file_name);
  c.text("locationOfFile", f.location_of_file);
  if (!f.file_relevance.empty() && f.file_relevance != "Reported" && f.file_relevance != "Supplemental Reported")
    c.fail("fileRelevance", "must be Reported or Supplemental Reported");
  const bool supplemental = f.file_relevance == "Supplemental Reported";
  for (size_t i = 0; i < f.file_annotations.size(); ++i) {
    if (!one_of(kFileAnnotations, f.file_annotations[i]))
      c.fail("fileAnnotations[" + std::to_string(i + 1) + "]",
             "'" + f.file_annotations[i] + "' is not one of " + join_list(kFileAnnotations));
    if (supplemental && f.file_annotations[i] == "potentialMeme")
      c.fail("fileAnnotations", "potentialMeme applies to Reported files only");
  }
  if (!f.industry_classification.empty()) {
    const std::string& ic = f.industry_classification;
    if (ic != "A1" && ic != "A2" && ic != "B1" && ic != "B2") {
      c.fail("industryClassification", "must be A1, A2, B1 or B2");
    } else if (supplemental) {
      c.fail("industryClassification", "applies to Reported files only, not Supplemental Reported");
    }
  }
  for (size_t i = 0; i < f.original_file_hashes.size(); ++i) {
    const OriginalFileHash& h = f.original_file_hashes[i];
    const std::string at = "originalFileHash[" + std::to_string(i + 1) + "]";
    const size_t want = h.hash_type == "MD5" ? 32 : h.hash_type == "SHA1" ? 40 : h.hash_type == "SHA256" ? 64 : 0;
    if (h.hash_type.empty() || h.hash_type.size() > 32 ||
        !std::all_of(h.hash_type.begin(), h.hash_type.end(),
                     [](char ch) { return std::isalnum(static_cast<unsigned char>(ch)) || ch == '_' || ch == '-'; })) {
      c.fail(at + ".hashType", "must be MD5, SHA1 or another hash name ([A-Za-z0-9_-], at most 32)");
    } else if (want != 0 && (h.value.size() != want || !is_hex(h.value))) {
      c.fail(at, h.hash_type + " must be " + std::to_string(want) + " hex digits");
    } else {
      c.required(at, h.value);
    }
  }
  if (f.ip_capture_event) check_ip(c, "ipCaptureEvent", *f.ip_capture_event);
  for (size_t i = 0; i < f.details.size(); ++i) {
    const std::string at = "details[" + std::to_string(i + 1) + "]";
    if (f.details[i].type != "EXIF" && f.details[i].type != "HASH") c.fail(at + ".type", "must be EXIF or HASH");
    if (f.details[i].pairs.empty()) c.fail(at, "at least one name/value pair is required");
    for (const FileDetailPair& p : f.details[i].pairs) {
      c.required(at + ".name", p.name);
      c.text(at + ".value", p.value);
    }
  }
  for (size_t i = 0; i < f.additional_info.size(); ++i)
    c.text("additionalInfo[" + std::to_string(i + 1) + "]", f.additional_info[i]);
  return c.status();
}

}  // namespace chainbreak::reports::cybertip
