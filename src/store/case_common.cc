// CaseStore: names, validation and the rules shared by both backends, and
// open_case_store's dispatch.
#include <algorithm>
#include <array>
#include <cctype>

#include "store/case_internal.h"
#include "store/case_store.h"
#include "store/service_internal.h"
#include "store/store_internal.h"

namespace chainbreak::store {

namespace {

constexpr std::array<const char*, 7> kStateNames = {"new",         "triage",  "assessed", "referred",
                                                    "notice_sent", "removed", "closed"};

bool is_hex(std::string_view s, size_t n) {
  if (s.size() != n) return false;
  return std::all_of(s.begin(), s.end(), [](char c) { return (c >= '0' && c <= '9') || (c >= 'a' && c <= 'f'); });
}

std::string lower(std::string_view s) {
  std::string o(s);
  for (char& c : o) c = static_cast<char>(std::tolower(static_cast<unsigned char>(c)));
  return o;
}

}  // namespace

const char* case_state_name(CaseState s) { return kStateNames[static_cast<size_t>(s)]; }

std::optional<CaseState> parse_case_state(std::string_view name) {
  for (size_t i = 0; i < kStateNames.size(); ++i) {
    if (name == kStateNames[i]) return static_cast<CaseState>(i);
  }
  return std::nullopt;
}

bool case_transition_allowed(CaseState from, CaseState to) {
  if (from == CaseState::kClosed) return false;
  if (to == CaseState::kClosed) return true;
  return static_cast<int>(to) == static_cast<int>(from) + 1;
}

bool valid_assessment(std::string_view a) {
  return a == "illegal_baseline" || a == "illegal_national" || a == "not_illegal" || a == "false_positive";
}

bool valid_report_category(std::string_view c) {
  return c == "csam" || c == "grooming" || c == "sextortion" || c == "trafficking" || c == "other";
}

int classification_severity(std::string_view c) {
  if (c == "A1") return 4;
  if (c == "A2") return 3;
  if (c == "B1") return 2;
  if (c == "B2") return 1;
  return 0;
}

std::string normalise_url(std::string_view url) {
  const std::string l = lower(url.substr(0, std::min<size_t>(url.size(), 8)));
  const size_t scheme_len = l.starts_with("https://") ? 8 : l.starts_with("http://") ? 7 : 0;
  if (scheme_len == 0) return "";
  const bool https = scheme_len == 8;
  std::string_view rest = url.substr(scheme_len);
  if (size_t hash = rest.find('#'); hash != std::string_view::npos) rest = rest.substr(0, hash);
  const size_t host_end = rest.find_first_of("/?");
  std::string_view host = rest.substr(0, host_end);
  std::string_view path = host_end == std::string_view::npos ? std::string_view() : rest.substr(host_end);
  if (size_t at = host.rfind('@'); at != std::string_view::npos) host.remove_prefix(at + 1);  // no credentials
  const std::string_view default_port = https ? ":443" : ":80";
  if (host.ends_with(default_port)) host.remove_suffix(default_port.size());
  if (host.empty() || host.front() == ':') return "";
  while (!path.empty() && path.back() == '/') path.remove_suffix(1);
  std::string out(https ? "https://" : "http://");
  out += lower(host);
  out += path;
  return out;
}

Status validate_report(const NewReport& r) { return internal::check_report(r, 0); }

Result<std::unique_ptr<CaseStore>> open_case_store(const std::string& location) {
  std::string_view l(location);
  if (l.starts_with("postgresql://") || l.starts_with("postgres://") || l.starts_with("host=")) {
    return internal::open_postgres_cases(location);
  }
  return internal::open_sqlite_cases(location);
}

namespace internal {

Status check_report(const NewReport& r, size_t i) {
  const std::string at = "reports[" + std::to_string(i) + "].";
  auto bad = [&](const char* field, std::string_view why) {
    return InvalidInput(at + field + ": " + std::string(why));
  };
  if (!is_hex(r.receipt_hash, 64)) return bad("receipt_hash", "must be 64 lowercase hex digits");
  if (!valid_report_category(r.category)) {
    return bad("category", "must be csam, grooming, sextortion, trafficking or other");
  }
  if (Status s = check_country(r.country); !s.ok()) return InvalidInput(at + s.message());
  if (!r.url.empty()) {
    if (r.url.size() > 2048) return bad("url", "is longer than 2048 bytes");
    if (normalise_url(r.url).empty()) return bad("url", "must be an http:// or https:// address with a host");
  }
  if (r.description.size() > 20000) return bad("description", "is longer than 5000 characters");
  if (r.language.size() > 16) return bad("language", "is not a language tag");
  if (r.contact.size() > 256) return bad("contact", "is longer than 256 bytes");
  if (r.media_type.size() > 128) return bad("media_type", "is longer than 128 bytes");
  if (!r.file_md5.empty() && !is_hex(r.file_md5, 32)) return bad("file_md5", "must be 32 lowercase hex digits");
  if (!r.file_sha256.empty() && !is_hex(r.file_sha256, 64))
    return bad("file_sha256", "must be 64 lowercase hex digits");
  if (!r.file_pdq.empty() && !is_hex(r.file_pdq, 64)) return bad("file_pdq", "must be 64 lowercase hex digits");
  if (r.evidence_id < 0) return bad("evidence_id", "must not be negative");
  if (r.join_case < 0) return bad("join_case", "must not be negative");
  if (r.severity < 0 || r.severity > 4) return bad("severity", "must be within 0..4");
  if (r.decision_id < 0) return bad("decision_id", "must not be negative");
  if (r.url.empty() && r.description.empty() && r.file_sha256.empty()) {
    return bad("url", "a report needs a url, a description or a file");
  }
  const std::pair<const char*, const std::string*> texts[] = {{"description", &r.description},
                                                              {"contact", &r.contact},
                                                              {"url", &r.url},
                                                              {"language", &r.language},
                                                              {"media_type", &r.media_type}};
  for (const auto& [field, text] : texts) {
    if (!valid_text(*text)) return bad(field, "is not UTF-8 text");
  }
  return Status::Ok();
}

Status check_partner(const Partner& p) {
  if (p.country.size() != 2 || !std::isalpha(static_cast<unsigned char>(p.country[0])) ||
      !std::isalpha(static_cast<unsigned char>(p.country[1]))) {
    return InvalidInput("country: must be a two-letter ISO 3166-1 code");
  }
  if (p.name.empty() || p.name.size() > 128 || !valid_text(p.name)) return InvalidInput("name: 1 to 128 bytes of text");
  if (p.kind != "hotline" && p.kind != "authority") return InvalidInput("kind: must be hotline or authority");
  if (p.contact.empty() || p.contact.size() > 256 || !valid_text(p.contact)) {
    return InvalidInput("contact: 1 to 256 bytes of text");
  }
  if (p.deadline_hours < 1 || p.deadline_hours > 2160) return InvalidInput("deadline_hours: must be 1 to 2160");
  return Status::Ok();
}

Status check_redaction(uint32_t mask) {
  if (mask == 0 || (mask & ~(kRedactDescription | kRedactContact)) != 0) {
    return InvalidInput("fields: redact description and/or contact");
  }
  return Status::Ok();
}

Status check_country(std::string_view c) {
  if (c.empty()) return Status::Ok();
  if (c.size() != 2 || !std::isalpha(static_cast<unsigned char>(c[0])) ||
      !std::isalpha(static_cast<unsigned char>(c[1]))) {
    return InvalidInput("country: must be a two-letter ISO 3166-1 code");
  }
  return Status::Ok();
}

std::string upper2(std::string_view c) {
  std::string o(c);
  for (char& ch : o) ch = static_cast<char>(std::toupper(static_cast<unsigned char>(ch)));
  return o;
}

std::string reporter_status(CaseState s) {
  switch (s) {
    case CaseState::kNew:
    case CaseState::kTriage: return "received";
    case CaseState::kAssessed: return "assessed";
    case CaseState::kReferred:
    case CaseState::kNoticeSent:
    case CaseState::kRemoved: return "action_taken";
    case CaseState::kClosed: return "closed";
  }
  return "received";
}

Status check_transition(const Case& c, const TransitionRequest& req, std::string_view actor) {
  if (actor.empty() || actor.size() > 128 || !valid_text(actor)) return InvalidInput("actor: 1 to 128 bytes of text");
  if (!case_transition_allowed(c.state, req.to)) {
    return InvalidInput(std::string("to: a case in state ") + case_state_name(c.state) + " cannot move to " +
                        case_state_name(req.to));
  }
  if (req.to == CaseState::kAssessed && !valid_assessment(req.assessment)) {
    return InvalidInput("assessment: must be illegal_baseline, illegal_national, not_illegal or false_positive");
  }
  if (req.to != CaseState::kAssessed && !req.assessment.empty()) {
    return InvalidInput("assessment: only given when moving to assessed");
  }
  if (req.to == CaseState::kReferred && req.partner_id <= 0) return InvalidInput("partner: required to refer a case");
  if (req.to == CaseState::kReferred && (c.assessment == "not_illegal" || c.assessment == "false_positive")) {
    return InvalidInput("to: a case assessed " + c.assessment + " is closed, not referred");
  }
  if (req.note.size() > 2000 || !valid_text(req.note)) return InvalidInput("note: at most 2000 bytes of text");
  return Status::Ok();
}

}  // namespace internal
}  // namespace chainbreak::store
