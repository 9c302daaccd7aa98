#include "reports/report_samples.h"

namespace chainbreak::reports::test {

using namespace cybertip;

Report minimal_report() {
  Report r;
  r.incident_summary.incident_type = "Child Pornography (possession, manufacture, and distribution)";
  r.incident_summary.incident_date_time = "2024-01-15T14:30:00Z";
  r.reporter.reporting_person.emails.push_back({"reports@example.com", std::nullopt});
  return r;
}

Report full_report() {
  Report r = minimal_report();
  IncidentSummary& s = r.incident_summary;
  s.escalate_to_high_priority = "Synthetic: immediate risk <test> & \"quotes\"";
  s.report_annotations = {"sextortion", "csamSolicitation"};
  s.incident_date_time_description = "Synthetic test report";
  InternetDetails web;
  web.web_page.urls = {"https://example.com/a?x=1&y=2", "https://example.com/b"};
  web.web_page.additional_info = "it's synthetic";
  web.web_page.third_party_hosted_content = false;
  InternetDetails chat;
  chat.kind = InternetDetails::Kind::kChatIm;
  chat.chat_im.chat_client = "ExampleChat";
  chat.chat_im.chat_room_name = "room <1>";
  chat.chat_im.content = "synthetic message";
  r.internet_details = {web, chat};
  Person& p = r.reporter.reporting_person;
  p.first_name = "Test";
  p.last_name = "Reporter";
  p.phones.push_back({"+1-555-0100", true});
  p.emails[0].verified = true;
  Person contact;
  contact.first_name = "Contact";
  contact.emails.push_back({"contact@example.com", std::nullopt});
  r.reporter.contact_person = contact;
  r.reporter.company_template = "Example Co. template";
  r.reporter.terms_of_service = "Terms & conditions";
  r.reporter.legal_url = "https://example.com/legal";
  PersonOrUserReported u;
  Person suspect;
  suspect.first_name = "Unknown";
  suspect.age = 30;
  suspect.date_of_birth = "1994-02-28";
  u.person = suspect;
  u.esp_identifier = "user-42";
  u.esp_service = "Example Photos";
  u.screen_name = "synthetic_user";
  u.display_names = {"Display 'one'"};
  u.profile_urls = {"https://example.com/u/42"};
  IpCaptureEvent ip;
  ip.ip_address = "192.0.2.10";
  ip.event_name = "Upload";
  ip.date_time = "2024-01-15T12:00:00+01:00";
  ip.possible_proxy = true;
  ip.port = 443;
  u.ip_capture_events = {ip};
  u.third_party_user_reported = false;
  u.prior_ct_reports = {123, 456};
  u.group_identifier = "group-7";
  u.additional_info = "reported user info";
  r.person_or_user_reported = u;
  r.additional_info = "Synthetic additional info > all";
  return r;
}

FileDetails full_file() {
  FileDetails f;
  f.file_name = "synthetic-1.bin";
  f.original_file_name = "orig <1>.jpg";
  f.location_of_file = "https://example.com/f/1";
  f.file_viewed_by_esp = true;
  f.exif_viewed_by_esp = false;
  f.publicly_available = false;
  f.file_relevance = "Reported";
  f.file_annotations = {"viral", "generativeAi"};
  f.industry_classification = "B2";
  f.original_file_hashes = {{"MD5", "0123456789abcdef0123456789abcdef"},
                            {"SHA1", "0123456789abcdef0123456789abcdef01234567"}};
  IpCaptureEvent ip;
  ip.ip_address = "198.51.100.7";
  ip.event_name = "Upload";
  f.ip_capture_event = ip;
  f.details = {{"EXIF", {{"Make", "Synthetic & Co"}, {"Model", "T-1"}}}, {"HASH", {{"PDQ", "ff00"}}}};
  f.additional_info = {"first note", "second 'note'"};
  return f;
}

}  // namespace chainbreak::reports::test
