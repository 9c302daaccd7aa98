#include "reports/cybertip_json.h"

#include <algorithm>
#include <cstdint>
#include <nlohmann/json.hpp>

namespace chainbreak::reports::cybertip {
namespace {

using json = nlohmann::json;

// Walks one JSON object, converting its members and remembering the first
// error with its path. Every member must be consumed (unknown keys fail).
class Obj {
 public:
  Obj(const json& j, std::string path, std::string* error) : j_(j), path_(std::move(path)), error_(error) {
    if (!j_.is_object()) fail(path_, "must be an object");
  }
  ~Obj() = default;

  const json* get(const char* key) {
    seen_.emplace_back(key);
    if (!j_.is_object()) return nullptr;
    auto it = j_.find(key);
    return it == j_.end() || it->is_null() ? nullptr : &*it;
  }
  std::string at(const char* key) const { return path_ + "." + key; }

  void str(const char* key, std::string* out) {
    if (const json* v = get(key)) {
      if (v->is_string()) {
        *out = v->get<std::string>();
      } else {
        fail(at(key), "must be a string");
      }
    }
  }
  void flag(const char* key, std::optional<bool>* out) {
    if (const json* v = get(key)) {
      if (v->is_boolean()) {
        *out = v->get<bool>();
      } else {
        fail(at(key), "must be true or false");
      }
    }
  }
  void integer(const char* key, std::optional<int>* out) {
    if (const json* v = get(key)) {
      if (v->is_number_integer() && v->get<int64_t>() >= INT32_MIN && v->get<int64_t>() <= INT32_MAX) {
        *out = static_cast<int>(v->get<int64_t>());
      } else {
        fail(at(key), "must be an integer");
      }
    }
  }
  void strings(const char* key, std::vector<std::string>* out) {
    each(key, [&](const json& e, const std::string& p) {
      if (e.is_string()) {
        out->push_back(e.get<std::string>());
      } else {
        fail(p, "must be a string");
      }
    });
  }
  // Calls fn(element, path) for each element of an array member.
  template <class Fn>
  void each(const char* key, Fn fn) {
    const json* v = get(key);
    if (v == nullptr) return;
    if (!v->is_array()) return fail(at(key), "must be an array");
    for (size_t i = 0; i < v->size() && ok(); ++i) fn((*v)[i], at(key) + "[" + std::to_string(i + 1) + "]");
  }
  // Fails on members no call asked for.
  void done() {
    if (!j_.is_object()) return;
    for (auto it = j_.begin(); it != j_.end(); ++it) {
      if (std::find(seen_.begin(), seen_.end(), it.key()) == seen_.end())
        return fail(path_ + "." + it.key(), "unknown field");
    }
  }
  void fail(const std::string& p, const std::string& why) {
    if (error_->empty()) *error_ = p + ": " + why;
  }
  bool ok() const { return error_->empty(); }

 private:
  const json& j_;
  std::string path_;
  std::string* error_;
  std::vector<std::string> seen_;
};

void read_emails(Obj& parent, std::string* error, std::vector<Email>* out) {
  parent.each("email", [&](const json& e, const std::string& p) {
    if (e.is_string()) return out->push_back({e.get<std::string>(), std::nullopt});
    Obj o(e, p, error);
    Email v;
    o.str("value", &v.address);
    o.flag("verified", &v.verified);
    o.done();
    out->push_back(std::move(v));
  });
}

void read_phones(Obj& parent, std::string* error, std::vector<Phone>* out) {
  parent.each("phone", [&](const json& e, const std::string& p) {
    if (e.is_string()) return out->push_back({e.get<std::string>(), std::nullopt});
    Obj o(e, p, error);
    Phone v;
    o.str("value", &v.number);
    o.flag("verified", &v.verified);
    o.done();
    out->push_back(std::move(v));
  });
}

std::optional<Person> read_person(Obj& parent, const char* key, std::string* error) {
  const json* j = parent.get(key);
  if (j == nullptr) return std::nullopt;
  Obj o(*j, parent.at(key), error);
  Person p;
  o.str("firstName", &p.first_name);
  o.str("lastName", &p.last_name);
  read_phones(o, error, &p.phones);
  read_emails(o, error, &p.emails);
  o.integer("age", &p.age);
  o.str("dateOfBirth", &p.date_of_birth);
  o.done();
  return p;
}

IpCaptureEvent read_ip(const json& j, const std::string& path, std::string* error) {
  Obj o(j, path, error);
  IpCaptureEvent e;
  o.str("ipAddress", &e.ip_address);
  o.str("eventName", &e.event_name);
  o.str("dateTime", &e.date_time);
  o.flag("possibleProxy", &e.possible_proxy);
  o.integer("port", &e.port);
  o.done();
  return e;
}

void read_report(const json& j, std::string* error, Report* r) {
  Obj o(j, "report", error);
  if (const json* s = o.get("incidentSummary")) {
    Obj is(*s, o.at("incidentSummary"), error);
    IncidentSummary& x = r->incident_summary;
    is.str("incidentType", &x.incident_type);
    is.str("escalateToHighPriority", &x.escalate_to_high_priority);
    is.strings("reportAnnotations", &x.report_annotations);
    is.str("incidentDateTime", &x.incident_date_time);
    is.str("incidentDateTimeDescription", &x.incident_date_time_description);
    is.done();
  }
  o.each("internetDetails", [&](const json& e, const std::string& p) {
    Obj d(e, p, error);
    InternetDetails det;
    const json* web = d.get("webPageIncident");
    const json* chat = d.get("chatImIncident");
    if ((web == nullptr) == (chat == nullptr)) d.fail(p, "must hold exactly one of webPageIncident, chatImIncident");
    if (web != nullptr) {
      Obj w(*web, d.at("webPageIncident"), error);
      det.kind = InternetDetails::Kind::kWebPage;
      w.strings("url", &det.web_page.urls);
      w.str("additionalInfo", &det.web_page.additional_info);
      w.flag("thirdPartyHostedContent", &det.web_page.third_party_hosted_content);
      w.done();
    } else if (chat != nullptr) {
      Obj c(*chat, d.at("chatImIncident"), error);
      det.kind = InternetDetails::Kind::kChatIm;
      c.str("chatClient", &det.chat_im.chat_client);
      c.str("chatRoomName", &det.chat_im.chat_room_name);
      c.str("content", &det.chat_im.content);
      c.str("additionalInfo", &det.chat_im.additional_info);
      c.done();
    }
    d.done();
    r->internet_details.push_back(std::move(det));
  });
  if (const json* rep = o.get("reporter")) {
    Obj ro(*rep, o.at("reporter"), error);
    if (auto p = read_person(ro, "reportingPerson", error)) r->reporter.reporting_person = std::move(*p);
    r->reporter.contact_person = read_person(ro, "contactPerson", error);
    ro.str("companyTemplate", &r->reporter.company_template);
    ro.str("termsOfService", &r->reporter.terms_of_service);
    ro.str("legalUrl", &r->reporter.legal_url);
    ro.done();
  } else {
    o.fail(o.at("reporter"), "is required");
  }
  if (const json* pu = o.get("personOrUserReported")) {
    Obj po(*pu, o.at("personOrUserReported"), error);
    PersonOrUserReported p;
    p.person = read_person(po, "personOrUserReportedPerson", error);
    po.str("espIdentifier", &p.esp_identifier);
    po.str("espService", &p.esp_service);
    po.str("screenName", &p.screen_name);
    po.strings("displayName", &p.display_names);
    po.strings("profileUrl", &p.profile_urls);
    po.each("ipCaptureEvent",
            [&](const json& e, const std::string& path) { p.ip_capture_events.push_back(read_ip(e, path, error)); });
    po.flag("thirdPartyUserReported", &p.third_party_user_reported);
    po.each("priorCTReports", [&](const json& e, const std::string& path) {
      if (e.is_number_integer()) {
        p.prior_ct_reports.push_back(e.get<int64_t>());
      } else {
        po.fail(path, "must be an integer");
      }
    });
    po.str("groupIdentifier", &p.group_identifier);
    po.str("additionalInfo", &p.additional_info);
    po.done();
    r->person_or_user_reported = std::move(p);
  }
  o.str("additionalInfo", &r->additional_info);
  o.done();
}

FileToSend read_file_entry(const json& j, const std::string& path, std::string* error) {
  Obj o(j, path, error);
  FileToSend f;
  FileDetails& d = f.details;
  o.str("path", &f.path);
  o.str("fileName", &d.file_name);
  o.str("originalFileName", &d.original_file_name);
  o.str("locationOfFile", &d.location_of_file);
  o.flag("fileViewedByEsp", &d.file_viewed_by_esp);
  o.flag("exifViewedByEsp", &d.exif_viewed_by_esp);
  o.flag("publiclyAvailable", &d.publicly_available);
  o.str("fileRelevance", &d.file_relevance);
  o.strings("fileAnnotations", &d.file_annotations);
  o.str("industryClassification", &d.industry_classification);
  o.each("originalFileHash", [&](const json& e, const std::string& p) {
    Obj h(e, p, error);
    OriginalFileHash v;
    h.str("hashType", &v.hash_type);
    h.str("value", &v.value);
    h.done();
    d.original_file_hashes.push_back(std::move(v));
  });
  if (const json* ip = o.get("ipCaptureEvent")) d.ip_capture_event = read_ip(*ip, o.at("ipCaptureEvent"), error);
  o.each("details", [&](const json& e, const std::string& p) {
    Obj dd(e, p, error);
    FileDetail v;
    dd.str("type", &v.type);
    dd.each("nameValuePair", [&](const json& pe, const std::string& pp) {
      Obj nv(pe, pp, error);
      FileDetailPair pair;
      nv.str("name", &pair.name);
      nv.str("value", &pair.value);
      nv.done();
      v.pairs.push_back(std::move(pair));
    });
    dd.done();
    d.details.push_back(std::move(v));
  });
  o.strings("additionalInfo", &d.additional_info);
  o.done();
  return f;
}

}  // namespace

Result<ReportInput> parse_report_json(std::string_view text) {
  const json j = json::parse(text.begin(), text.end(), nullptr, /*allow_exceptions=*/false);
  if (j.is_discarded()) return InvalidInput("not valid JSON");
  std::string error;
  ReportInput in;
  Obj top(j, "", &error);
  if (const json* r = top.get("report")) {
    read_report(*r, &error, &in.report);
  } else {
    top.fail("report", "is required");
  }
  top.each("files",
           [&](const json& e, const std::string& p) { in.files.push_back(read_file_entry(e, p.substr(1), &error)); });
  top.done();
  if (!error.empty()) return InvalidInput(error.front() == '.' ? error.substr(1) : error);
  return in;
}

}  // namespace chainbreak::reports::cybertip
