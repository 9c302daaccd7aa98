// NCMEC CyberTipline Reporting API documents (https://report.cybertip.org/
// ispws/documentation): the report and fileDetails models, their
// validation, the XML writers and the parser of the service's responses.
// docs/FORMATS.md ("CyberTipline reports") maps every field to its element.
//
// Only part of the documented schema is modelled: incidentSummary,
// internetDetails (webPageIncident, chatImIncident), reporter,
// personOrUserReported, additionalInfo; fileDetails with its flags,
// classification, original hashes, one ipCaptureEvent, details and
// additionalInfo. lawEnforcement, intendedRecipient, victim, addresses and
// device ids are not (yet) written.
//
// Values are UTF-8 text; empty strings and unset optionals are left out of
// the XML. Plain structs, no hidden state; every function here is pure and
// thread-safe. Errors: kInvalidInput whose message starts with the path of
// the offending field ("report.incidentSummary.incidentType: ...",
// "file 2: industryClassification must be A1, A2, B1 or B2").
#pragma once

#include <cstdint>
#include <optional>
#include <span>
#include <string>
#include <string_view>
#include <vector>

#include "util/result.h"

namespace chainbreak::reports::cybertip {

// The documented incidentType values, exactly as the service expects them.
std::span<const std::string_view> incident_types();
// reportAnnotations element names (sextortion, csamSolicitation, ...).
std::span<const std::string_view> report_annotations();
// fileAnnotations element names (animeDrawingVirtualHentai, ...).
std::span<const std::string_view> file_annotations();
// ipCaptureEvent eventName values (Login, Registration, ...).
std::span<const std::string_view> ip_event_names();

struct Email {
  std::string address;
  std::optional<bool> verified;  // attribute verified="true|false"
};
struct Phone {
  std::string number;
  std::optional<bool> verified;
};
struct Person {
  std::string first_name, last_name;
  std::vector<Phone> phones;
  std::vector<Email> emails;
  std::optional<int> age;     // 0..130
  std::string date_of_birth;  // YYYY-MM-DD or ""
};

struct IpCaptureEvent {
  std::string ip_address;  // required
  std::string event_name;  // one of ip_event_names() or ""
  std::string date_time;   // ISO 8601 with offset (2024-01-15T12:00:00Z) or ""
  std::optional<bool> possible_proxy;
  std::optional<int> port;  // 1..65535
};

struct IncidentSummary {
  std::string incident_type;              // required, one of incident_types()
  std::string escalate_to_high_priority;  // a reason; any text escalates the report
  std::vector<std::string> report_annotations;
  std::string incident_date_time;  // required, ISO 8601 with offset
  std::string incident_date_time_description;
};

struct WebPageIncident {
  std::vector<std::string> urls;  // at least one
  std::string additional_info;
  std::optional<bool> third_party_hosted_content;  // attribute
};
struct ChatImIncident {
  std::string chat_client, chat_room_name, content, additional_info;  // at least one set
};
// One <internetDetails> element holding exactly one incident.
struct InternetDetails {
  enum class Kind { kWebPage, kChatIm } kind = Kind::kWebPage;
  WebPageIncident web_page;  // when kWebPage
  ChatImIncident chat_im;    // when kChatIm
};

struct Reporter {
  Person reporting_person;  // at least one email required
  std::optional<Person> contact_person;
  std::string company_template, terms_of_service, legal_url;
};

struct PersonOrUserReported {
  std::optional<Person> person;  // personOrUserReportedPerson
  std::string esp_identifier, esp_service, screen_name;
  std::vector<std::string> display_names, profile_urls;
  std::vector<IpCaptureEvent> ip_capture_events;
  std::optional<bool> third_party_user_reported;
  std::vector<int64_t> prior_ct_reports;  // prior CyberTipline report ids (> 0)
  std::string group_identifier;
  std::string additional_info;
};

struct Report {
  IncidentSummary incident_summary;
  std::vector<InternetDetails> internet_details;
  Reporter reporter;
  std::optional<PersonOrUserReported> person_or_user_reported;
  std::string additional_info;
};

struct OriginalFileHash {
  std::string hash_type;  // MD5 (32 hex), SHA1 (40), SHA256 (64), or another name [A-Za-z0-9_-]{1,32}
  std::string value;
};
struct FileDetailPair {
  std::string name, value;
};
struct FileDetail {
  std::string type;  // EXIF or HASH
  std::vector<FileDetailPair> pairs;
};

struct FileDetails {
  std::string report_id;  // decimal; filled in by the client from /submit
  std::string file_id;    // filled in by the client from /upload
  std::string file_name, original_file_name, location_of_file;
  std::optional<bool> file_viewed_by_esp, exif_viewed_by_esp, publicly_available;
  std::string file_relevance;  // "", "Reported" or "Supplemental Reported"
  std::vector<std::string> file_annotations;
  std::string industry_classification;  // "", A1, A2, B1, B2 (only for Reported files)
  std::vector<OriginalFileHash> original_file_hashes;
  std::optional<IpCaptureEvent> ip_capture_event;
  std::vector<FileDetail> details;
  std::vector<std::string> additional_info;
};

// Validation of the report, and of a file's details. validate_file checks
// report_id and file_id only when require_ids (they are unknown before the
// upload); `index` (1-based) names the file in messages.
Status validate(const Report& report);
Status validate_file(const FileDetails& file, size_t index, bool require_ids);

// The XML documents POSTed to /submit and /fileinfo: UTF-8, with the XML
// declaration and the xsi:noNamespaceSchemaLocation of the production XSD,
// elements in the documented order, text escaped. Validate first: these
// write what they are given (kInvalidInput only for text that is not valid
// XML characters, so that the output is always well-formed).
Result<std::string> report_xml(const Report& report);
Result<std::string> file_details_xml(const FileDetails& file);

// A response of the service: <reportResponse> (status, submit, upload,
// fileinfo, retract) or <reportDoneResponse> (finish).
struct Response {
  std::string root = "reportResponse";  // or "reportDoneResponse"
  int response_code = -1;
  std::string response_description;
  std::string report_id;
  std::string file_id;                // upload
  std::string hash;                   // upload: MD5 of the received file
  std::vector<std::string> file_ids;  // finish: files/fileId
};
// Parses a response document. kInvalidInput for malformed XML, another
// root element, or a missing or non-integer responseCode. A non-zero
// responseCode is parsed, not an error here (the client decides).
Result<Response> parse_response(std::string_view xml);
// Writes a response document (used by the fake service and tests).
std::string response_xml(const Response& response);

// Checks an ISO 8601 date-time with an offset (YYYY-MM-DDThh:mm:ss[.fff]
// then Z or +hh:mm / -hh:mm).
bool is_iso8601_date_time(std::string_view s);
bool is_date(std::string_view s);  // YYYY-MM-DD with a valid month and day

}  // namespace chainbreak::reports::cybertip
