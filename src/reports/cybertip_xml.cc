// CyberTipline XML: the report and fileDetails writers (documented element
// order), the response parser and writer.
#include <charconv>

#include "reports/cybertip.h"
#include "reports/xml_tree.h"

namespace chainbreak::reports::cybertip {
namespace {

constexpr const char* kSchemaAttrs =
    " xmlns:xsi=\"http://www.w3.org/2001/XMLSchema-instance\""
    " xsi:noNamespaceSchemaLocation=\"https://report.cybertip.org/ispws/xsd\"";

// Writes indented XML; refuses text that XML cannot carry.
class Writer {
 public:
  Writer() { out_ = "<?xml version=\"1.0\" encoding=\"UTF-8\"?>\n"; }

  void open(std::string_view name, std::string_view raw_attrs = {}) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += raw_attrs;
    out_ += ">\n";
    ++depth_;
  }
  void close(std::string_view name) {
    --depth_;
    indent();
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void empty(std::string_view name) {
    indent();
    out_ += '<';
    out_ += name;
    out_ += "/>\n";
  }
  // <name attr="value">text</name>; skipped when text is empty.
  void leaf(std::string_view name, std::string_view text, std::string_view raw_attrs = {}) {
    if (text.empty()) return;
    check(name, text);
    indent();
    out_ += '<';
    out_ += name;
    out_ += raw_attrs;
    out_ += '>';
    out_ += xml_escape(text);
    out_ += "</";
    out_ += name;
    out_ += ">\n";
  }
  void flag(std::string_view name, const std::optional<bool>& v) {
    if (v) leaf(name, *v ? "true" : "false");
  }
  void number(std::string_view name, const std::optional<int>& v) {
    if (v) leaf(name, std::to_string(*v));
  }
  // A ` name="value"` attribute string (empty when value is empty).
  std::string attr(std::string_view name, std::string_view value) {
    if (value.empty()) return {};
    check(name, value);
    std::string out(" ");  // appended piecewise: GCC 12 -O2 misreads the operator+ chain (-Wrestrict)
    out.append(name);
    out.append("=\"");
    out.append(xml_escape(value, true));
    out.append("\"");
    return out;
  }
  std::string bool_attr(std::string_view name, const std::optional<bool>& v) {
    return v ? attr(name, std::string_view(*v ? "true" : "false")) : std::string();
  }

  Result<std::string> finish() {
    if (!bad_.empty()) return InvalidInput(bad_ + ": text is not valid UTF-8 XML characters");
    return std::move(out_);
  }

 private:
  void indent() { out_.append(static_cast<size_t>(depth_) * 2, ' '); }
  void check(std::string_view name, std::string_view text) {
    if (bad_.empty() && !is_xml_text(text)) bad_ = std::string(name);
  }
  std::string out_;
  int depth_ = 0;
  std::string bad_;
};

void write_person(Writer& w, std::string_view element, const Person& p) {
  w.open(element);
  w.leaf("firstName", p.first_name);
  w.leaf("lastName", p.last_name);
  for (const Phone& ph : p.phones) w.leaf("phone", ph.number, w.bool_attr("verified", ph.verified));
  for (const Email& e : p.emails) w.leaf("email", e.address, w.bool_attr("verified", e.verified));
  w.number("age", p.age);
  w.leaf("dateOfBirth", p.date_of_birth);
  w.close(element);
}

void write_ip(Writer& w, const IpCaptureEvent& e) {
  w.open("ipCaptureEvent");
  w.leaf("ipAddress", e.ip_address);
  w.leaf("eventName", e.event_name);
  w.leaf("dateTime", e.date_time);
  w.flag("possibleProxy", e.possible_proxy);
  w.number("port", e.port);
  w.close("ipCaptureEvent");
}

bool parse_int(std::string_view s, int* out) {
  const auto r = std::from_chars(s.data(), s.data() + s.size(), *out);
  return !s.empty() && r.ec == std::errc() && r.ptr == s.data() + s.size();
}

}  // namespace

Result<std::string> report_xml(const Report& r) {
  Writer w;
  w.open("report", kSchemaAttrs);

  const IncidentSummary& s = r.incident_summary;
  w.open("incidentSummary");
  w.leaf("incidentType", s.incident_type);
  w.leaf("escalateToHighPriority", s.escalate_to_high_priority);
  if (!s.report_annotations.empty()) {
    w.open("reportAnnotations");
    for (const std::string& a : s.report_annotations) w.empty(a);
    w.close("reportAnnotations");
  }
  w.leaf("incidentDateTime", s.incident_date_time);
  w.leaf("incidentDateTimeDescription", s.incident_date_time_description);
  w.close("incidentSummary");

  for (const InternetDetails& d : r.internet_details) {
    w.open("internetDetails");
    if (d.kind == InternetDetails::Kind::kWebPage) {
      w.open("webPageIncident", w.bool_attr("thirdPartyHostedContent", d.web_page.third_party_hosted_content));
      for (const std::string& u : d.web_page.urls) w.leaf("url", u);
      w.leaf("additionalInfo", d.web_page.additional_info);
      w.close("webPageIncident");
    } else {
      w.open("chatImIncident");
      w.leaf("chatClient", d.chat_im.chat_client);
      w.leaf("chatRoomName", d.chat_im.chat_room_name);
      w.leaf("content", d.chat_im.content);
      w.leaf("additionalInfo", d.chat_im.additional_info);
      w.close("chatImIncident");
    }
    w.close("internetDetails");
  }

  w.open("reporter");
  write_person(w, "reportingPerson", r.reporter.reporting_person);
  if (r.reporter.contact_person) write_person(w, "contactPerson", *r.reporter.contact_person);
  w.leaf("companyTemplate", r.reporter.company_template);
  w.leaf("termsOfService", r.reporter.terms_of_service);
  w.leaf("legalUrl", r.reporter.legal_url);
  w.close("reporter");

  if (r.person_or_user_reported) {
    const PersonOrUserReported& p = *r.person_or_user_reported;
    w.open("personOrUserReported");
    if (p.person) write_person(w, "personOrUserReportedPerson", *p.person);
    w.leaf("espIdentifier", p.esp_identifier);
    w.leaf("espService", p.esp_service);
    w.leaf("screenName", p.screen_name);
    for (const std::string& d : p.display_names) w.leaf("displayName", d);
    for (const std::string& u : p.profile_urls) w.leaf("profileUrl", u);
    for (const IpCaptureEvent& e : p.ip_capture_events) write_ip(w, e);
    w.flag("thirdPartyUserReported", p.third_party_user_reported);
    for (int64_t id : p.prior_ct_reports) w.leaf("priorCTReports", std::to_string(id));
    w.leaf("groupIdentifier", p.group_identifier);
    w.leaf("additionalInfo", p.additional_info);
    w.close("personOrUserReported");
  }
  w.leaf("additionalInfo", r.additional_info);
  w.close("report");
  return w.finish();
}

Result<std::string> file_details_xml(const FileDetails& f) {
  Writer w;
  w.open("fileDetails", kSchemaAttrs);
  w.leaf("reportId", f.report_id);
  w.leaf("fileId", f.file_id);
  w.leaf("fileName", f.file_name);
  w.leaf("originalFileName", f.original_file_name);
  w.leaf("locationOfFile", f.location_of_file);
  w.flag("fileViewedByEsp", f.file_viewed_by_esp);
  w.flag("exifViewedByEsp", f.exif_viewed_by_esp);
  w.flag("publiclyAvailable", f.publicly_available);
  w.leaf("fileRelevance", f.file_relevance);
  if (!f.file_annotations.empty()) {
    w.open("fileAnnotations");
    for (const std::string& a : f.file_annotations) w.empty(a);
    w.close("fileAnnotations");
  }
  w.leaf("industryClassification", f.industry_classification);
  for (const OriginalFileHash& h : f.original_file_hashes)
    w.leaf("originalFileHash", h.value, w.attr("hashType", h.hash_type));
  if (f.ip_capture_event) write_ip(w, *f.ip_capture_event);
  for (const FileDetail& d : f.details) {
    w.open("details", w.attr("type", d.type));
    for (const FileDetailPair& p : d.pairs) {
      w.open("nameValuePair");
      w.leaf("name", p.name);
      w.leaf("value", p.value);
      w.close("nameValuePair");
    }
    w.close("details");
  }
  for (const std::string& a : f.additional_info) w.leaf("additionalInfo", a);
  w.close("fileDetails");
  return w.finish();
}

Result<Response> parse_response(std::string_view xml) {
  auto doc = parse_xml(xml, 1u << 20);
  if (!doc.ok()) return doc.status();
  const XmlElement& root = doc.value();
  if (root.name != "reportResponse" && root.name != "reportDoneResponse")
    return InvalidInput("response root element is <" + root.name + ">, not <reportResponse> or <reportDoneResponse>");
  Response out;
  out.root = root.name;
  const XmlElement* code = root.child("responseCode");
  if (code == nullptr) return InvalidInput("response has no responseCode");
  if (!parse_int(code->trimmed_text(), &out.response_code) || out.response_code < 0)
    return InvalidInput("responseCode '" + code->trimmed_text() + "' is not a non-negative integer");
  if (const XmlElement* e = root.child("responseDescription")) out.response_description = e->trimmed_text();
  if (const XmlElement* e = root.child("reportId")) out.report_id = e->trimmed_text();
  if (const XmlElement* e = root.child("fileId")) out.file_id = e->trimmed_text();
  if (const XmlElement* e = root.child("hash")) out.hash = e->trimmed_text();
  if (const XmlElement* files = root.child("files"))
    for (const XmlElement* f : files->children_named("fileId")) out.file_ids.push_back(f->trimmed_text());
  return out;
}

std::string response_xml(const Response& r) {
  std::string out = "<?xml version=\"1.0\" encoding=\"UTF-8\" standalone=\"yes\"?>\n<" + r.root + ">\n";
  auto leaf = [&out](std::string_view name, std::string_view text, bool always) {
    if (text.empty() && !always) return;
    out += "  <" + std::string(name) + ">" + xml_escape(text) + "</" + std::string(name) + ">\n";
  };
  leaf("responseCode", std::to_string(r.response_code), true);
  leaf("responseDescription", r.response_description, true);
  leaf("reportId", r.report_id, false);
  leaf("fileId", r.file_id, false);
  leaf("hash", r.hash, false);
  if (r.root == "reportDoneResponse") {
    out += "  <files>\n";
    for (const std::string& f : r.file_ids) out += "    <fileId>" + xml_escape(f) + "</fileId>\n";
    out += "  </files>\n";
  }
  out += "</" + r.root + ">\n";
  return out;
}

}  // namespace chainbreak::reports::cybertip
